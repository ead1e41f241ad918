//! Glue between stored facts and the rule engine: a society's verdicts for a year (R-RULE-*),
//! and parsing of fact values typed into forms or spreadsheet cells.

use std::collections::BTreeMap;

use chrono::NaiveDate;
use reformwatch_core::catalogue::Catalogue;
use reformwatch_core::facts::{FactKind, Facts};
use reformwatch_core::rules::{CheckResult, check};
use serde_json::Value;

use crate::db::Db;
use crate::db::facts::{self, FactVersion};
use crate::db::societies::{self, Society};
use crate::error::AppResult;
use crate::model::FieldError;

pub struct SocietyCheck {
    pub current: BTreeMap<String, FactVersion>,
    pub versions: Vec<FactVersion>,
    pub election_year: Option<bool>,
    pub facts: Facts,
    pub result: CheckResult,
}

/// Stored facts → verdicts. Stored facts were validated when entered, so a failure to build
/// them is an internal error.
pub async fn society_check(
    db: &Db,
    society: &Society,
    catalogue: &Catalogue,
) -> AppResult<SocietyCheck> {
    let versions = facts::versions(db, society.id, catalogue.year).await?;
    let current = facts::current(&versions);
    let election_year = societies::election_flag(db, society.id, catalogue.year).await?;
    let facts = facts::to_facts(&current, election_year, catalogue).map_err(|e| {
        anyhow::anyhow!("stored facts of {} do not validate: {:?}", society.code, e)
    })?;
    let result = check(catalogue, &facts);
    Ok(SocietyCheck {
        current,
        versions,
        election_year,
        facts,
        result,
    })
}

/// Parses one fact value as typed by a person (form field or spreadsheet cell), by the kind
/// the catalogue declares for it. Empty → None (the value is cleared). Errors name the field.
pub fn parse_value(
    catalogue: &Catalogue,
    field: &str,
    raw: &str,
) -> Result<Option<Value>, FieldError> {
    let def = catalogue
        .fact(field)
        .ok_or_else(|| FieldError::new(field, "err-fact-unknown").arg("field", field))?;
    let s = raw.trim();
    if s.is_empty() {
        return Ok(None);
    }
    match def.kind {
        FactKind::Int => {
            let cleaned: String = s
                .chars()
                .filter(|c| *c != ',' && *c != '，' && *c != ' ')
                .collect();
            let n: i64 = cleaned
                .parse()
                .map_err(|_| FieldError::new(field, "err-fact-int").arg("value", s))?;
            if n < 0 {
                return Err(FieldError::new(field, "err-fact-negative").arg("value", s));
            }
            Ok(Some(Value::from(n)))
        }
        FactKind::Bool => match s.to_lowercase().as_str() {
            "true" | "1" | "yes" | "y" | "是" | "有" => Ok(Some(Value::Bool(true))),
            "false" | "0" | "no" | "n" | "否" | "无" => Ok(Some(Value::Bool(false))),
            _ => Err(FieldError::new(field, "err-bool").arg("value", s)),
        },
        FactKind::Date => {
            let normalized = s.replace(['/', '.'], "-");
            NaiveDate::parse_from_str(&normalized, "%Y-%m-%d")
                .map(|d| Some(Value::String(d.to_string())))
                .map_err(|_| FieldError::new(field, "err-fact-date").arg("value", s))
        }
        FactKind::Docs => {
            let ids: Vec<Value> = s
                .split([',', '，', ';', '；', ' '])
                .map(str::trim)
                .filter(|x| !x.is_empty())
                .map(|x| Value::String(x.to_string()))
                .collect();
            Ok(Some(Value::Array(ids)))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse_value(field: &str, raw: &str) -> Result<Option<Value>, FieldError> {
        super::parse_value(&reformwatch_core::catalogue::builtin_2017(), field, raw)
    }

    #[test]
    fn typed_values() {
        assert_eq!(
            parse_value("members_now", "23,000").unwrap(),
            Some(Value::from(23000))
        );
        assert_eq!(parse_value("members_now", " ").unwrap(), None);
        assert_eq!(
            parse_value("members_now", "-1").unwrap_err().key,
            "err-fact-negative"
        );
        assert_eq!(
            parse_value("members_now", "很多").unwrap_err().key,
            "err-fact-int"
        );
        assert_eq!(
            parse_value("has_office", "是").unwrap(),
            Some(Value::Bool(true))
        );
        assert_eq!(
            parse_value("sg_appointed_on", "2017/6/1").unwrap(),
            Some(Value::String("2017-06-01".into()))
        );
        assert_eq!(
            parse_value("sg_appointed_on", "2017-02-30")
                .unwrap_err()
                .key,
            "err-fact-date"
        );
        assert_eq!(
            parse_value("colour", "x").unwrap_err().key,
            "err-fact-unknown"
        );
        assert_eq!(
            parse_value("documents", "council-rules, conduct-code").unwrap(),
            Some(serde_json::json!(["council-rules", "conduct-code"]))
        );
    }
}

//! Society facts (R-SOC-2) and rule verdicts (R-RULE-*): a society's facts and verdicts for a
//! year, recording new values (form, API, import, reports), written justifications, the public
//! what-if check (R-RULE-PRE), and parsing of fact values typed into forms or cells.

use std::collections::{BTreeMap, HashMap};

use chrono::NaiveDate;
use reformwatch_core::catalogue::Catalogue;
use reformwatch_core::facts::{FactKind, Facts, parse_facts_json};
use reformwatch_core::rules::{CheckResult, check, check_with};
use reformwatch_tabular::Table;
use serde_json::Value;

use crate::AppState;
use crate::auth::policy::Action;
use crate::db::Db;
use crate::db::facts::{self, FactChange, FactVersion, Justification};
use crate::db::judgements::{self, StoredJudgement};
use crate::db::societies::{self, Society};
use crate::error::{AppError, AppResult};
use crate::import::{ImportError, RowError};
use crate::model::{FieldError, text};
use crate::principal::Principal;

pub struct SocietyCheck {
    pub current: BTreeMap<String, FactVersion>,
    pub versions: Vec<FactVersion>,
    pub election_year: Option<bool>,
    pub facts: Facts,
    /// The latest reviewer judgement per `judged` rule (issue 13).
    pub judgements: BTreeMap<String, StoredJudgement>,
    pub result: CheckResult,
}

/// Stored facts and reviewer judgements → verdicts. A stored value that no longer decodes
/// under the year's declarations is `AppError::Unreadable`, naming the row.
pub async fn society_check(
    db: &Db,
    society: &Society,
    catalogue: &Catalogue,
) -> AppResult<SocietyCheck> {
    let versions = facts::versions(db, society.id, catalogue.year).await?;
    let current = facts::current(&versions);
    let election_year = societies::election_flag(db, society.id, catalogue.year).await?;
    let facts = facts::stored_facts(&society.code, &current, election_year, catalogue)?;
    let judgements = judgements::latest(db, society.id, catalogue.year).await?;
    let result = check_with(
        catalogue,
        &facts,
        &judgements::to_core(society.id, catalogue.year, &judgements)?,
    );
    Ok(SocietyCheck {
        current,
        versions,
        election_year,
        facts,
        judgements,
        result,
    })
}

/// A society's facts and verdicts, with the written justifications of its warnings.
pub async fn verdicts(
    state: &AppState,
    who: &Principal,
    society: &Society,
    catalogue: &Catalogue,
) -> AppResult<(SocietyCheck, BTreeMap<String, Justification>)> {
    who.require(Action::ReadSociety, Some(society.id))?;
    let sc = society_check(&state.db, society, catalogue).await?;
    let justifications = facts::justifications(&state.db, society.id, catalogue.year).await?;
    Ok((sc, justifications))
}

/// Records new values as versions dated `as_of` (nothing is overwritten); the whole resulting
/// set is validated first. `source` is `form`, `api`, `import` or `report`.
pub async fn record(
    state: &AppState,
    who: &Principal,
    society: &Society,
    catalogue: &Catalogue,
    as_of: NaiveDate,
    source: &str,
    changes: &[FactChange],
) -> AppResult<usize> {
    who.require(Action::EditSocietyData, Some(society.id))?;
    facts::record(
        &state.db,
        &who.actor(),
        state.clock.now(),
        society,
        catalogue,
        as_of,
        source,
        changes,
    )
    .await
}

/// Field → JSON value (null clears it), as the API receives them: each field must exist and
/// its value have the field's type; then recorded as [`record`] does.
pub async fn record_values(
    state: &AppState,
    who: &Principal,
    society: &Society,
    catalogue: &Catalogue,
    as_of: NaiveDate,
    values: serde_json::Map<String, Value>,
) -> AppResult<usize> {
    let mut changes = Vec::new();
    for (field, value) in values {
        if catalogue.fact(&field).is_none() {
            return Err(FieldError::new(&field, "err-fact-unknown")
                .arg("field", &field)
                .into());
        }
        // Type-check the single value through the domain parser.
        let mut probe = serde_json::Map::new();
        probe.insert(field.clone(), value.clone());
        if let Err(e) = parse_facts_json(&Value::Object(probe).to_string(), catalogue) {
            // Part-above-whole errors need the other values; only type errors are decided here.
            if e.field.as_deref() == Some(field.as_str()) {
                return Err(
                    FieldError::localized(&field, "err-facts", e.message_zh, e.message_en).into(),
                );
            }
        }
        changes.push(FactChange {
            field,
            value: Some(value).filter(|v| !v.is_null()),
        });
    }
    record(state, who, society, catalogue, as_of, "api", &changes).await
}

/// A written justification for a warning ("原则上", R-RULE-9).
pub async fn justify(
    state: &AppState,
    who: &Principal,
    society: &Society,
    catalogue: &Catalogue,
    rule: &str,
    justification: &str,
) -> AppResult<()> {
    who.require(Action::EditSocietyData, Some(society.id))?;
    if catalogue.rule(rule).is_none() {
        return Err(FieldError::new("rule", "err-rule-unknown")
            .arg("value", rule)
            .into());
    }
    let justification = text(justification, "text", 2000, true)?;
    facts::justify(
        &state.db,
        &who.actor(),
        state.clock.now(),
        society,
        catalogue.year,
        rule,
        &justification,
    )
    .await
}

/// The what-if check (R-RULE-PRE): facts JSON in, verdicts out; nothing is stored. The same
/// check backs the page, the API and `reformwatch rules check`.
pub fn what_if(catalogue: &Catalogue, facts_json: &str) -> Result<CheckResult, FieldError> {
    let facts = parse_facts_json(facts_json, catalogue).map_err(|e| {
        FieldError::localized(
            e.field.as_deref().unwrap_or("body"),
            "err-facts",
            e.message_zh,
            e.message_en,
        )
    })?;
    Ok(check(catalogue, &facts))
}

/// Today in the catalogue's time zone (facts are dated in Beijing time).
pub fn today(state: &AppState, catalogue: &Catalogue) -> NaiveDate {
    state
        .clock
        .now()
        .with_timezone(&catalogue.timezone)
        .date_naive()
}

/// Column names of a facts import: the society code, the date the values hold for, and any
/// fact (by field name or Chinese or English label).
pub const IMPORT_CODE_COLUMNS: &[&str] = &["code", "代码", "学会代码"];
pub const IMPORT_AS_OF_COLUMNS: &[&str] = &["as_of", "日期", "数据日期", "截至日期"];

/// Every name a facts import accepts, column by column: "code / 代码 / 学会代码; as_of / …;
/// members_now / 个人会员数 / Individual members; …".
pub fn accepted_fact_columns(catalogue: &Catalogue) -> String {
    let fixed = [IMPORT_CODE_COLUMNS, IMPORT_AS_OF_COLUMNS]
        .iter()
        .map(|names| names.join(" / "))
        .collect::<Vec<_>>();
    fixed
        .into_iter()
        .chain(
            catalogue
                .entered_facts()
                .map(|f| format!("{} / {} / {}", f.name, f.label_zh, f.label_en)),
        )
        .collect::<Vec<_>>()
        .join("; ")
}

/// What a facts import did: rows read, values recorded.
pub struct FactsImported {
    pub rows: usize,
    pub values: usize,
}

/// R-SOC-3 (facts part): one row per society, all rows or none; every problem is reported with
/// its row and column. The societies are looked up once, not per row.
pub async fn import(
    state: &AppState,
    who: &Principal,
    catalogue: &Catalogue,
    table: &Table,
) -> AppResult<Result<FactsImported, ImportError>> {
    who.require(Action::ManageSocieties, None)?;
    let Some(code_col) = table.column(IMPORT_CODE_COLUMNS) else {
        return Ok(Err(ImportError::MissingColumns(vec!["code".into()])));
    };
    let as_of_col = table.column(IMPORT_AS_OF_COLUMNS);
    let fact_cols: Vec<(usize, &str)> = catalogue
        .entered_facts()
        .filter_map(|f| {
            table
                .column(&[f.name.as_str(), f.label_zh.as_str(), f.label_en.as_str()])
                .map(|i| (i, f.name.as_str()))
        })
        .collect();
    // A column that is not the code, the date or a declared fact would be dropped without a
    // word: refuse the file, name the column and list every accepted name (issue 13).
    let known: Vec<usize> = std::iter::once(code_col)
        .chain(as_of_col)
        .chain(fact_cols.iter().map(|(i, _)| *i))
        .collect();
    let unknown: Vec<String> = table
        .headers
        .iter()
        .enumerate()
        .filter(|(i, _)| !known.contains(i))
        .filter_map(|(i, h)| {
            if !h.trim().is_empty() {
                Some(h.trim().to_string())
            } else if table
                .rows
                .iter()
                .any(|r| r.cells.get(i).is_some_and(|c| !c.trim().is_empty()))
            {
                Some(format!("#{}", i + 1))
            } else {
                None
            }
        })
        .collect();
    if !unknown.is_empty() {
        return Ok(Err(ImportError::UnknownFactColumns {
            columns: unknown,
            accepted: accepted_fact_columns(catalogue),
        }));
    }
    let registry: HashMap<String, Society> = societies::list(
        &state.db,
        &societies::SocietyFilter {
            include_inactive: Some(true),
            ..Default::default()
        },
    )
    .await?
    .into_iter()
    .map(|s| (s.code.clone(), s))
    .collect();
    let today = today(state, catalogue);
    let mut errors: Vec<RowError> = Vec::new();
    let mut parsed = Vec::new();
    for row in &table.rows {
        let header = |i: usize| table.headers.get(i).cloned().unwrap_or_default();
        let cell = |i: usize| row.cells.get(i).cloned().unwrap_or_default();
        let code = cell(code_col);
        let Some(society) = registry.get(&code.trim().to_ascii_uppercase()) else {
            errors.push(RowError {
                line: row.line,
                column: header(code_col),
                error: FieldError::new("code", "err-society-unknown").arg("value", code.trim()),
            });
            continue;
        };
        let as_of = match as_of_col.map(cell).filter(|s| !s.trim().is_empty()) {
            None => today,
            Some(raw) => match NaiveDate::parse_from_str(raw.trim(), "%Y-%m-%d") {
                Ok(d) => d,
                Err(_) => {
                    errors.push(RowError {
                        line: row.line,
                        column: as_of_col.map(header).unwrap_or_default(),
                        error: FieldError::new("as_of", "err-fact-date").arg("value", raw.trim()),
                    });
                    continue;
                }
            },
        };
        let mut changes = Vec::new();
        for (i, field) in &fact_cols {
            let raw = cell(*i);
            // An empty cell means "no value given", not "clear it".
            if raw.trim().is_empty() {
                continue;
            }
            match parse_value(catalogue, field, &raw) {
                Ok(value) => changes.push(FactChange {
                    field: field.to_string(),
                    value,
                }),
                Err(e) => errors.push(RowError {
                    line: row.line,
                    column: header(*i),
                    error: e,
                }),
            }
        }
        parsed.push((row.line, society, as_of, changes));
    }
    if !errors.is_empty() {
        return Ok(Err(ImportError::Rows(errors)));
    }
    // Every row is checked against its society's whole set of facts before any transaction
    // (issue 8: a 10,000-row import used to hold the write lock for its whole length); then
    // one short transaction writes everything in multi-row INSERTs, or nothing. The facts read
    // for the check must still be the newest inside the transaction (versions are only added,
    // so a count and newest id tell); if another writer added some meanwhile, check again.
    let actor = who.actor();
    let now = state.clock.now();
    let year = catalogue.year;
    for _attempt in 0..3 {
        let mark = facts::mark(&state.db, None, year).await?;
        let existing = facts::all_versions(&state.db, year).await?;
        let mut working: HashMap<i64, BTreeMap<String, FactVersion>> = HashMap::new();
        let mut planned = Vec::new();
        for (line, society, as_of, changes) in &parsed {
            let cur = working.entry(society.id).or_insert_with(|| {
                facts::current(existing.get(&society.id).map(Vec::as_slice).unwrap_or(&[]))
            });
            match facts::plan(
                cur, &actor, now, society, catalogue, *as_of, "import", changes,
            ) {
                Ok(Some(p)) => planned.push(p),
                Ok(None) => {}
                // The column as the user's file heads it (issue 10), not the fact's key.
                Err(AppError::Invalid(es)) => errors.extend(es.into_iter().map(|e| {
                    RowError {
                        line: *line,
                        column: fact_cols
                            .iter()
                            .find(|(_, f)| *f == e.field.as_str())
                            .and_then(|(i, _)| table.headers.get(*i).cloned())
                            .unwrap_or_else(|| {
                                catalogue
                                    .fact(&e.field)
                                    .map(|f| f.label_zh.clone())
                                    .unwrap_or_else(|| e.field.clone())
                            }),
                        error: e,
                    }
                })),
                Err(e) => return Err(e),
            }
        }
        if !errors.is_empty() {
            return Ok(Err(ImportError::Rows(errors)));
        }
        let mut tx = state.db.begin().await?;
        if facts::mark(&state.db, Some(&mut tx), year).await? != mark {
            tx.rollback().await?;
            continue;
        }
        let added =
            facts::write_planned(&state.db, &mut tx, &actor, now, year, "import", &planned).await?;
        tx.commit().await?;
        return Ok(Ok(FactsImported {
            rows: parsed.len(),
            values: added,
        }));
    }
    // Other writers kept adding facts: refuse rather than write over an unchecked state.
    Err(AppError::Busy {
        retry_after_secs: state.config.heavy_retry_after_secs,
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

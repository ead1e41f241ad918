//! Year to year (issue 13): a new year started from the previous one. `year_starts` keeps the
//! draft catalogue (the previous year's source with its year moved on), who started the year,
//! and when the last known facts were carried over (once, when the new year's file is loaded).

use std::collections::BTreeMap;

use chrono::{DateTime, Utc};
use reformwatch_core::catalogue::Catalogue;
use reformwatch_core::facts::parse_facts_json;
use serde::Serialize;
use serde_json::{Map, Value, json};
use sqlx::{AssertSqlSafe, Row};

use super::audit::{self, Actor, Change};
use super::{Db, facts, ts};
use crate::error::AppResult;
use crate::model::FieldError;

/// A started year.
#[derive(Debug, Clone, PartialEq, Serialize, utoipa::ToSchema)]
pub struct YearStart {
    pub year: i32,
    pub from_year: i32,
    pub started_by: String,
    pub started_at: String,
    /// When the last known facts of `from_year` were carried over (null: the year's file is
    /// not loaded yet).
    pub facts_carried_at: Option<String>,
}

fn from_row(r: &sqlx::any::AnyRow) -> Result<YearStart, sqlx::Error> {
    Ok(YearStart {
        year: r.try_get::<i64, _>(0)? as i32,
        from_year: r.try_get::<i64, _>(1)? as i32,
        started_by: r.try_get(2)?,
        started_at: r.try_get(3)?,
        facts_carried_at: r.try_get(4)?,
    })
}

const SELECT: &str =
    "SELECT year, from_year, started_by, started_at, facts_carried_at FROM year_starts";

/// Every started year, newest first.
pub async fn list(db: &Db) -> AppResult<Vec<YearStart>> {
    let rows = sqlx::query(AssertSqlSafe(format!("{SELECT} ORDER BY year DESC")))
        .fetch_all(&db.pool)
        .await?;
    rows.iter()
        .map(from_row)
        .collect::<Result<_, _>>()
        .map_err(Into::into)
}

/// The draft catalogue source of a started year.
pub async fn draft(db: &Db, year: i32) -> AppResult<Option<String>> {
    let row = sqlx::query("SELECT draft_source FROM year_starts WHERE year = $1")
        .bind(i64::from(year))
        .fetch_optional(&db.pool)
        .await?;
    Ok(row.map(|r| r.try_get(0)).transpose()?)
}

/// The stored catalogue source of a year.
pub async fn catalogue_source(db: &Db, year: i32) -> AppResult<Option<String>> {
    let row = sqlx::query("SELECT source FROM catalogues WHERE year = $1")
        .bind(i64::from(year))
        .fetch_optional(&db.pool)
        .await?;
    Ok(row.map(|r| r.try_get(0)).transpose()?)
}

/// Starts `to` from `from`: stores the draft and copies the election flags of `from` to `to`
/// (societies that already have a flag for `to` keep it). Audited. Returns the number of
/// flags copied. A year started twice is a field error on `to`.
pub async fn start(
    db: &Db,
    actor: &Actor,
    now: DateTime<Utc>,
    from: i32,
    to: i32,
    draft: &str,
) -> AppResult<usize> {
    let mut tx = db.begin().await?;
    let exists = sqlx::query("SELECT year FROM year_starts WHERE year = $1")
        .bind(i64::from(to))
        .fetch_optional(&mut *tx)
        .await?;
    if exists.is_some() {
        tx.rollback().await?;
        return Err(FieldError::new("to", "err-year-started")
            .arg("year", to)
            .into());
    }
    sqlx::query(
        "INSERT INTO year_starts (year, from_year, draft_source, started_by, started_at) \
         VALUES ($1, $2, $3, $4, $5)",
    )
    .bind(i64::from(to))
    .bind(i64::from(from))
    .bind(draft)
    .bind(actor.label())
    .bind(ts(now))
    .execute(&mut *tx)
    .await?;
    let copied = sqlx::query(
        "INSERT INTO society_years (society_id, year, election_year) \
         SELECT s.society_id, $1, s.election_year FROM society_years s \
         WHERE s.year = $2 AND NOT EXISTS \
         (SELECT 1 FROM society_years t WHERE t.society_id = s.society_id AND t.year = $1)",
    )
    .bind(i64::from(to))
    .bind(i64::from(from))
    .execute(&mut *tx)
    .await?
    .rows_affected() as usize;
    let year = to.to_string();
    audit::record(
        db,
        &mut tx,
        actor,
        now,
        Change {
            action: "year.start",
            object_type: "catalogue",
            object_id: &year,
            before: None,
            after: Some(json!({"year": to, "from_year": from, "election_flags_copied": copied})),
        },
    )
    .await?;
    tx.commit().await?;
    Ok(copied)
}

/// What carrying the facts over did.
#[derive(Debug, Clone, Default, PartialEq, Serialize, utoipa::ToSchema)]
pub struct Carried {
    pub from_year: i32,
    /// Values recorded in the new year.
    pub values: usize,
    /// Societies that got values.
    pub societies: usize,
    /// Values left behind because the new file does not declare the fact or declares it of
    /// another kind.
    pub not_declared: usize,
    /// Societies whose carried values break a declared relation of the new file (nothing of
    /// theirs carried), by code.
    pub refused: Vec<String>,
}

/// When `catalogue.year` was started from an earlier year and its facts were not carried over
/// yet: records each society's last known values of the earlier year as the new year's first
/// versions (`source = carried`, dated as they were), only for facts the new file declares
/// with a kind the value fits; a society whose set would break a declared relation gets none
/// (named in the result). One transaction, audited. `None` when there is nothing to do.
pub async fn carry_facts(
    db: &Db,
    actor: &Actor,
    now: DateTime<Utc>,
    catalogue: &Catalogue,
) -> AppResult<Option<Carried>> {
    let year = catalogue.year;
    let row = sqlx::query(AssertSqlSafe(format!(
        "{SELECT} WHERE year = $1 AND facts_carried_at IS NULL"
    )))
    .bind(i64::from(year))
    .fetch_optional(&db.pool)
    .await?;
    let Some(start) = row.map(|r| from_row(&r)).transpose()? else {
        return Ok(None);
    };
    let versions = facts::all_versions(db, start.from_year).await?;
    let codes: BTreeMap<i64, String> = sqlx::query("SELECT id, code FROM societies")
        .fetch_all(&db.pool)
        .await?
        .iter()
        .map(|r| Ok((r.try_get::<i64, _>(0)?, r.try_get::<String, _>(1)?)))
        .collect::<Result<_, sqlx::Error>>()?;
    let mut carried = Carried {
        from_year: start.from_year,
        ..Default::default()
    };
    let mut rows: Vec<(i64, facts::FactVersion)> = Vec::new();
    for (society_id, list) in &versions {
        let current = facts::current(list);
        let mut kept = BTreeMap::new();
        for (field, v) in current {
            let Some(value) = v.value.clone() else {
                continue;
            };
            let declared = catalogue
                .fact(&field)
                .is_some_and(|_| !catalogue.is_election_fact(&field));
            let mut probe = Map::new();
            probe.insert(field.clone(), value);
            if !declared || !fits(catalogue, &field, probe) {
                carried.not_declared += 1;
                continue;
            }
            kept.insert(field, v);
        }
        if kept.is_empty() {
            continue;
        }
        if facts::to_facts(&kept, None, catalogue).is_err() {
            carried
                .refused
                .push(codes.get(society_id).cloned().unwrap_or_default());
            continue;
        }
        carried.societies += 1;
        rows.extend(kept.into_values().map(|v| (*society_id, v)));
    }
    carried.values = rows.len();
    let mut tx = db.begin().await?;
    let updated = sqlx::query(
        "UPDATE year_starts SET facts_carried_at = $1 WHERE year = $2 AND facts_carried_at IS NULL",
    )
    .bind(ts(now))
    .bind(i64::from(year))
    .execute(&mut *tx)
    .await?
    .rows_affected();
    if updated == 0 {
        // Another process carried them in the meantime.
        tx.rollback().await?;
        return Ok(None);
    }
    for (society_id, v) in rows.iter() {
        let society_id = *society_id;
        sqlx::query(
            "INSERT INTO fact_values (society_id, year, field, value_json, as_of, source, entered_by, entered_at) \
             VALUES ($1, $2, $3, $4, $5, 'carried', $6, $7)",
        )
        .bind(society_id)
        .bind(i64::from(year))
        .bind(&v.field)
        .bind(v.value.as_ref().map(Value::to_string))
        .bind(&v.as_of)
        .bind(actor.label())
        .bind(ts(now))
        .execute(&mut *tx)
        .await?;
    }
    let object = year.to_string();
    audit::record(
        db,
        &mut tx,
        actor,
        now,
        Change {
            action: "year.carry_facts",
            object_type: "catalogue",
            object_id: &object,
            before: None,
            after: Some(json!(carried)),
        },
    )
    .await?;
    tx.commit().await?;
    Ok(Some(carried))
}

/// Whether one value has the kind the catalogue declares for its fact.
fn fits(catalogue: &Catalogue, field: &str, probe: Map<String, Value>) -> bool {
    match parse_facts_json(&Value::Object(probe).to_string(), catalogue) {
        Ok(_) => true,
        // A relation needs the other values: decided with the whole set.
        Err(e) => e.field.as_deref() != Some(field),
    }
}

//! R-SOC-2: a society's facts per catalogue year. Every value is dated (the date it holds
//! for), records who entered it, when and how (form, import, API), and is never overwritten:
//! a change adds a version. The current value of a field is its version with the latest
//! `as_of` date (the latest entry among equals).

use std::collections::BTreeMap;

use chrono::{DateTime, NaiveDate, Utc};
use reformwatch_core::catalogue::Catalogue;
use reformwatch_core::facts::{Facts, parse_facts_json};
use serde::Serialize;
use serde_json::{Map, Value, json};
use sqlx::Row;

use super::audit::{self, Actor, Change};
use super::societies::Society;
use super::{Db, Tx, ts};
use crate::error::{AppError, AppResult};
use crate::model::FieldError;

#[derive(Debug, Clone, Serialize, PartialEq, utoipa::ToSchema)]
pub struct FactVersion {
    pub id: i64,
    pub field: String,
    /// The value (number, boolean, `YYYY-MM-DD`, or list of document ids); null = cleared.
    #[schema(value_type = Object)]
    pub value: Option<Value>,
    /// The date the value holds for.
    pub as_of: String,
    /// `form`, `import`, `api` or `report`.
    pub source: String,
    pub entered_by: String,
    pub entered_at: String,
}

/// Every version of every fact of a society for a year, oldest first per field.
pub async fn versions(db: &Db, society_id: i64, year: i32) -> AppResult<Vec<FactVersion>> {
    let rows = sqlx::query(
        "SELECT id, field, value_json, as_of, source, entered_by, entered_at FROM fact_values \
         WHERE society_id = $1 AND year = $2 ORDER BY field, as_of, id",
    )
    .bind(society_id)
    .bind(i64::from(year))
    .fetch_all(&db.pool)
    .await?;
    rows.iter().map(version_from_row).collect()
}

/// A stored version; a value that is not JSON is [`AppError::Unreadable`] naming the row,
/// never dropped (issue 13).
fn version_from_row(r: &sqlx::any::AnyRow) -> AppResult<FactVersion> {
    let raw: Option<String> = r.try_get(2)?;
    let id: i64 = r.try_get(0)?;
    let field: String = r.try_get(1)?;
    let value = match raw {
        None => None,
        Some(s) => match serde_json::from_str::<Value>(&s) {
            Ok(v) => Some(v).filter(|v| !v.is_null()),
            Err(e) => {
                return Err(AppError::unreadable(
                    format!("数据项 {field} 的第 {id} 条记录"),
                    format!("row {id} of fact {field}"),
                    e,
                ));
            }
        },
    };
    Ok(FactVersion {
        id,
        field,
        value,
        as_of: r.try_get(3)?,
        source: r.try_get(4)?,
        entered_by: r.try_get(5)?,
        entered_at: r.try_get(6)?,
    })
}

/// All fact versions of every society for a year, grouped by society id (overview, dashboard).
/// One query.
pub async fn all_versions(db: &Db, year: i32) -> AppResult<BTreeMap<i64, Vec<FactVersion>>> {
    let rows = sqlx::query(
        "SELECT id, field, value_json, as_of, source, entered_by, entered_at, society_id FROM fact_values \
         WHERE year = $1 ORDER BY society_id, field, as_of, id",
    )
    .bind(i64::from(year))
    .fetch_all(&db.pool)
    .await?;
    let mut out: BTreeMap<i64, Vec<FactVersion>> = BTreeMap::new();
    for r in &rows {
        let sid: i64 = r.try_get(7)?;
        out.entry(sid).or_default().push(version_from_row(r)?);
    }
    Ok(out)
}

/// [`all_versions`] of the named fields only (issue 8: colours read only the facts that plan
/// targets link to, a small part of a year's facts). One query; none when no field is named.
pub async fn all_versions_of_fields(
    db: &Db,
    year: i32,
    fields: &std::collections::BTreeSet<String>,
) -> AppResult<BTreeMap<i64, Vec<FactVersion>>> {
    let mut out: BTreeMap<i64, Vec<FactVersion>> = BTreeMap::new();
    if fields.is_empty() {
        return Ok(out);
    }
    let placeholders: Vec<String> = (0..fields.len()).map(|i| format!("${}", i + 2)).collect();
    let sql = format!(
        "SELECT id, field, value_json, as_of, source, entered_by, entered_at, society_id FROM fact_values \
         WHERE year = $1 AND field IN ({}) ORDER BY society_id, field, as_of, id",
        placeholders.join(", ")
    );
    let mut q = sqlx::query(sqlx::AssertSqlSafe(sql)).bind(i64::from(year));
    for f in fields {
        q = q.bind(f.as_str());
    }
    for r in &q.fetch_all(&db.pool).await? {
        let sid: i64 = r.try_get(7)?;
        out.entry(sid).or_default().push(version_from_row(r)?);
    }
    Ok(out)
}

/// The current version of each field.
pub fn current(versions: &[FactVersion]) -> BTreeMap<String, FactVersion> {
    let mut out: BTreeMap<String, FactVersion> = BTreeMap::new();
    for v in versions {
        let newer = match out.get(&v.field) {
            None => true,
            Some(cur) => (v.as_of.as_str(), v.id) >= (cur.as_of.as_str(), cur.id),
        };
        if newer {
            out.insert(v.field.clone(), v.clone());
        }
    }
    out
}

/// Builds the domain `Facts` from current values plus the registry's election flag.
pub fn to_facts(
    current: &BTreeMap<String, FactVersion>,
    election_year: Option<bool>,
    catalogue: &Catalogue,
) -> Result<Facts, FieldError> {
    let mut map = Map::new();
    for (field, v) in current {
        if let Some(value) = &v.value {
            map.insert(field.clone(), value.clone());
        }
    }
    if let (Some(e), Some(name)) = (election_year, &catalogue.election_fact) {
        map.insert(name.clone(), Value::Bool(e));
    }
    parse_facts_json(&Value::Object(map).to_string(), catalogue).map_err(|e| {
        FieldError::localized(
            e.field.as_deref().unwrap_or("facts"),
            "err-facts",
            e.message_zh,
            e.message_en,
        )
    })
}

/// [`to_facts`] for stored values: a value that no longer decodes under the year's
/// declarations (a file loaded again with a fact removed or of another kind, a part now above
/// its whole) is [`AppError::Unreadable`] naming the society, the year and the row — never
/// dropped (issue 13).
pub fn stored_facts(
    code: &str,
    current: &BTreeMap<String, FactVersion>,
    election_year: Option<bool>,
    catalogue: &Catalogue,
) -> AppResult<Facts> {
    to_facts(current, election_year, catalogue).map_err(|e| {
        let year = catalogue.year;
        let (zh, en) = match current.get(&e.field) {
            Some(v) => {
                let label = catalogue
                    .fact(&v.field)
                    .map_or(v.field.as_str(), |f| f.label_zh.as_str());
                (
                    format!(
                        "学会 {code} {year} 年数据项“{label}”的第 {} 条记录（{}）",
                        v.id, v.as_of
                    ),
                    format!(
                        "row {} of fact {} of society {code} for {year} (as of {})",
                        v.id, v.field, v.as_of
                    ),
                )
            }
            None => (
                format!("学会 {code} {year} 年的数据"),
                format!("the facts of society {code} for {year}"),
            ),
        };
        let detail = match &e.localized {
            Some((zh, en)) => format!("{zh} / {en}"),
            None => e.key.clone(),
        };
        AppError::unreadable(zh, en, detail)
    })
}

/// One field's new value (None clears it).
#[derive(Debug, Clone, PartialEq)]
pub struct FactChange {
    pub field: String,
    pub value: Option<Value>,
}

/// What one society's change will write, decided before any transaction: the versions to add
/// and the audit entry's before/after (R-SOC-2, R-X-2).
pub struct Planned {
    pub society_id: i64,
    pub society_code: String,
    pub as_of: NaiveDate,
    pub changes: Vec<FactChange>,
    before: Map<String, Value>,
    after: Map<String, Value>,
}

/// Applies `changes` to a society's current values `cur` in memory (unchanged values skipped)
/// and checks the whole resulting set of facts (e.g. frontline members cannot exceed the
/// council). `cur` then holds the values as they will be. `None`: nothing changes.
#[allow(clippy::too_many_arguments)]
pub fn plan(
    cur: &mut BTreeMap<String, FactVersion>,
    actor: &Actor,
    now: DateTime<Utc>,
    society: &Society,
    catalogue: &Catalogue,
    as_of: NaiveDate,
    source: &str,
    changes: &[FactChange],
) -> AppResult<Option<Planned>> {
    let mut before = Map::new();
    let mut after = Map::new();
    let mut effective = Vec::new();
    for c in changes {
        if catalogue.is_election_fact(&c.field) {
            return Err(FieldError::new(&c.field, "err-election-is-registry").into());
        }
        let old = cur.get(&c.field).and_then(|v| v.value.clone());
        if old == c.value {
            continue;
        }
        before.insert(c.field.clone(), old.unwrap_or(Value::Null));
        after.insert(c.field.clone(), c.value.clone().unwrap_or(Value::Null));
        effective.push(c.clone());
        cur.insert(
            c.field.clone(),
            FactVersion {
                id: i64::MAX,
                field: c.field.clone(),
                value: c.value.clone(),
                as_of: as_of.to_string(),
                source: source.to_string(),
                entered_by: actor.label(),
                entered_at: ts(now),
            },
        );
    }
    if effective.is_empty() {
        return Ok(None);
    }
    // The whole set must still make sense (R-RULE-PRE input rules apply to stored facts too).
    to_facts(cur, None, catalogue).map_err(AppError::from)?;
    Ok(Some(Planned {
        society_id: society.id,
        society_code: society.code.clone(),
        as_of,
        changes: effective,
        before,
        after,
    }))
}

/// Rows per multi-row INSERT (8 parameters each: well under SQLite's and PostgreSQL's limits).
const INSERT_CHUNK: usize = 500;

/// Writes planned changes inside the caller's transaction: the versions in multi-row INSERTs
/// and one audit entry per society change (`facts.update`, as a single change records it),
/// appended in one go. A few statements for any number of rows, so an import holds the write
/// lock briefly (issue 8).
pub async fn write_planned(
    db: &Db,
    tx: &mut Tx,
    actor: &Actor,
    now: DateTime<Utc>,
    year: i32,
    source: &str,
    planned: &[Planned],
) -> AppResult<usize> {
    let label = actor.label();
    let at = ts(now);
    let rows: Vec<(&Planned, &FactChange)> = planned
        .iter()
        .flat_map(|p| p.changes.iter().map(move |c| (p, c)))
        .collect();
    for chunk in rows.chunks(INSERT_CHUNK) {
        let mut sql = String::from(
            "INSERT INTO fact_values (society_id, year, field, value_json, as_of, source, entered_by, entered_at) VALUES ",
        );
        for i in 0..chunk.len() {
            let b = i * 8;
            if i > 0 {
                sql.push_str(", ");
            }
            sql.push_str(&format!(
                "(${}, ${}, ${}, ${}, ${}, ${}, ${}, ${})",
                b + 1,
                b + 2,
                b + 3,
                b + 4,
                b + 5,
                b + 6,
                b + 7,
                b + 8
            ));
        }
        let mut q = sqlx::query(sqlx::AssertSqlSafe(sql));
        for (p, c) in chunk {
            q = q
                .bind(p.society_id)
                .bind(i64::from(year))
                .bind(c.field.clone())
                .bind(c.value.as_ref().map(|v| v.to_string()))
                .bind(p.as_of.to_string())
                .bind(source.to_string())
                .bind(label.clone())
                .bind(at.clone());
        }
        q.execute(&mut **tx).await?;
    }
    let changes: Vec<Change<'_>> = planned
        .iter()
        .map(|p| {
            let mut after = p.after.clone();
            after.insert("as_of".into(), json!(p.as_of.to_string()));
            after.insert("source".into(), json!(source));
            Change {
                action: "facts.update",
                object_type: "society",
                object_id: &p.society_code,
                before: Some(json!({"year": year, "values": p.before})),
                after: Some(json!({"year": year, "values": after})),
            }
        })
        .collect();
    audit::record_many(db, tx, actor, now, changes).await?;
    Ok(rows.len())
}

/// A version mark of a year's facts: their count and newest id. Versions are only ever added,
/// so an equal mark means nothing was written in between (an import validated outside its
/// transaction checks it inside).
pub async fn mark(db: &Db, tx: Option<&mut Tx>, year: i32) -> AppResult<(i64, Option<i64>)> {
    let q = sqlx::query("SELECT COUNT(*), MAX(id) FROM fact_values WHERE year = $1")
        .bind(i64::from(year));
    let row = match tx {
        Some(tx) => q.fetch_one(&mut **tx).await?,
        None => q.fetch_one(&db.pool).await?,
    };
    Ok((row.try_get(0)?, row.try_get(1)?))
}

/// Records the changed values as new versions, after checking the whole resulting set of facts
/// (e.g. frontline members cannot exceed the council). Unchanged values are skipped. Returns
/// the number of versions added.
#[allow(clippy::too_many_arguments)]
pub async fn record_in(
    db: &Db,
    tx: &mut Tx,
    actor: &Actor,
    now: DateTime<Utc>,
    society: &Society,
    catalogue: &Catalogue,
    as_of: NaiveDate,
    source: &str,
    changes: &[FactChange],
) -> AppResult<usize> {
    let year = catalogue.year;
    let rows = sqlx::query(
        "SELECT id, field, value_json, as_of, source, entered_by, entered_at FROM fact_values \
         WHERE society_id = $1 AND year = $2 ORDER BY field, as_of, id",
    )
    .bind(society.id)
    .bind(i64::from(year))
    .fetch_all(&mut **tx)
    .await?;
    let existing: Vec<FactVersion> = rows
        .iter()
        .map(version_from_row)
        .collect::<AppResult<_>>()?;
    let mut cur = current(&existing);
    match plan(
        &mut cur, actor, now, society, catalogue, as_of, source, changes,
    )? {
        None => Ok(0),
        Some(p) => write_planned(db, tx, actor, now, year, source, &[p]).await,
    }
}

#[allow(clippy::too_many_arguments)]
pub async fn record(
    db: &Db,
    actor: &Actor,
    now: DateTime<Utc>,
    society: &Society,
    catalogue: &Catalogue,
    as_of: NaiveDate,
    source: &str,
    changes: &[FactChange],
) -> AppResult<usize> {
    let mut tx = db.begin().await?;
    let n = record_in(
        db, &mut tx, actor, now, society, catalogue, as_of, source, changes,
    )
    .await?;
    tx.commit().await?;
    Ok(n)
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct Justification {
    pub rule: String,
    pub text: String,
    pub entered_by: String,
    pub entered_at: String,
}

/// The latest written justification per rule (older ones stay in the table and the trail).
pub async fn justifications(
    db: &Db,
    society_id: i64,
    year: i32,
) -> AppResult<BTreeMap<String, Justification>> {
    let rows = sqlx::query("SELECT rule, text, entered_by, entered_at FROM rule_justifications WHERE society_id = $1 AND year = $2 ORDER BY id")
        .bind(society_id)
        .bind(i64::from(year))
        .fetch_all(&db.pool)
        .await?;
    let mut out = BTreeMap::new();
    for r in &rows {
        let j = Justification {
            rule: r.try_get(0)?,
            text: r.try_get(1)?,
            entered_by: r.try_get(2)?,
            entered_at: r.try_get(3)?,
        };
        out.insert(j.rule.clone(), j);
    }
    Ok(out)
}

pub async fn justify(
    db: &Db,
    actor: &Actor,
    now: DateTime<Utc>,
    society: &Society,
    year: i32,
    rule: &str,
    text: &str,
) -> AppResult<()> {
    let mut tx = db.begin().await?;
    sqlx::query("INSERT INTO rule_justifications (society_id, year, rule, text, entered_by, entered_at) VALUES ($1, $2, $3, $4, $5, $6)")
        .bind(society.id)
        .bind(i64::from(year))
        .bind(rule)
        .bind(text)
        .bind(actor.label())
        .bind(ts(now))
        .execute(&mut *tx)
        .await?;
    audit::record(
        db,
        &mut tx,
        actor,
        now,
        Change {
            action: "rule.justify",
            object_type: "society",
            object_id: &society.code,
            before: None,
            after: Some(json!({"year": year, "rule": rule, "text": text})),
        },
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn v(id: i64, field: &str, value: i64, as_of: &str) -> FactVersion {
        FactVersion {
            id,
            field: field.into(),
            value: Some(json!(value)),
            as_of: as_of.into(),
            source: "form".into(),
            entered_by: "x".into(),
            entered_at: "t".into(),
        }
    }

    #[test]
    fn current_is_latest_as_of_then_latest_entry() {
        let versions = vec![
            v(1, "members_now", 100, "2017-03-01"),
            v(2, "members_now", 90, "2017-01-01"), // entered later, but holds for an earlier date
            v(3, "members_now", 120, "2017-03-01"), // correction for the same date
            v(4, "council_new", 150, "2017-06-01"),
        ];
        let cur = current(&versions);
        assert_eq!(cur["members_now"].value, Some(json!(120)));
        assert_eq!(cur["council_new"].value, Some(json!(150)));
    }
}

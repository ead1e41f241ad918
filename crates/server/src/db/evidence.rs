//! R-TRACK-4 evidence records: stored objects (content-addressed, once) and the links that say
//! what a file evidences (a plan task, a monthly report, a fact), for which society.

use chrono::{DateTime, Utc};
use serde::Serialize;
use serde_json::json;
use sqlx::Row;

use super::audit::{self, Actor, Change};
use super::{Db, ts};
use crate::error::AppResult;

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct Evidence {
    pub id: i64,
    #[serde(skip)]
    pub society_id: i64,
    pub sha256: String,
    pub name: String,
    pub size: i64,
    pub kind: String,
    /// Text encoding of text files (`utf-8` or `gb18030`), stored unchanged.
    pub charset: Option<String>,
    /// `plan_task`, `report` or `fact`.
    pub owner_type: String,
    pub year: i32,
    pub month: Option<u32>,
    pub task: Option<u32>,
    pub field: Option<String>,
    pub uploaded_by: String,
    pub uploaded_at: String,
}

pub struct NewEvidence<'a> {
    pub society_id: i64,
    pub society_code: &'a str,
    pub sha256: &'a str,
    pub size: i64,
    pub kind: &'a str,
    pub charset: Option<&'a str>,
    pub name: &'a str,
    pub owner_type: &'a str,
    pub year: i32,
    pub month: Option<u32>,
    pub task: Option<u32>,
    pub field: Option<&'a str>,
}

/// Bytes already used by a society (each object counted once per society).
pub async fn society_usage(db: &Db, society_id: i64) -> AppResult<i64> {
    let row = sqlx::query(
        "SELECT CAST(COALESCE(SUM(o.size), 0) AS BIGINT) FROM evidence_objects o WHERE o.sha256 IN \
         (SELECT e.sha256 FROM evidence e WHERE e.society_id = $1 AND e.removed_at IS NULL)",
    )
    .bind(society_id)
    .fetch_one(&db.pool)
    .await?;
    // PostgreSQL's SUM(BIGINT) is NUMERIC, which the Any driver cannot decode: cast in SQL.
    Ok(row.try_get::<i64, _>(0)?)
}

pub async fn add(
    db: &Db,
    actor: &Actor,
    now: DateTime<Utc>,
    e: &NewEvidence<'_>,
) -> AppResult<i64> {
    let mut tx = db.begin().await?;
    sqlx::query("INSERT INTO evidence_objects (sha256, size, kind, charset, created_at) VALUES ($1, $2, $3, $4, $5) ON CONFLICT (sha256) DO NOTHING")
        .bind(e.sha256)
        .bind(e.size)
        .bind(e.kind)
        .bind(e.charset)
        .bind(ts(now))
        .execute(&mut *tx)
        .await?;
    let id: i64 = sqlx::query(
        "INSERT INTO evidence (society_id, sha256, name, owner_type, year, month, task, field, uploaded_by, uploaded_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) RETURNING id",
    )
    .bind(e.society_id)
    .bind(e.sha256)
    .bind(e.name)
    .bind(e.owner_type)
    .bind(i64::from(e.year))
    .bind(e.month.map(i64::from))
    .bind(e.task.map(i64::from))
    .bind(e.field)
    .bind(actor.label())
    .bind(ts(now))
    .fetch_one(&mut *tx)
    .await?
    .try_get(0)?;
    audit::record(db, &mut tx, actor, now, Change {
        action: "evidence.add",
        object_type: "society",
        object_id: e.society_code,
        before: None,
        after: Some(json!({"evidence": id, "sha256": e.sha256, "name": e.name, "size": e.size, "kind": e.kind, "owner": e.owner_type, "year": e.year, "month": e.month, "task": e.task, "field": e.field})),
    })
    .await?;
    tx.commit().await?;
    Ok(id)
}

const COLUMNS: &str = "e.id, e.society_id, e.sha256, e.name, o.size, o.kind, e.owner_type, e.year, e.month, e.task, e.field, e.uploaded_by, e.uploaded_at, o.charset";

fn from_row(r: &sqlx::any::AnyRow) -> Result<Evidence, sqlx::Error> {
    Ok(Evidence {
        id: r.try_get(0)?,
        society_id: r.try_get(1)?,
        sha256: r.try_get(2)?,
        name: r.try_get(3)?,
        size: r.try_get(4)?,
        kind: r.try_get(5)?,
        owner_type: r.try_get(6)?,
        year: r.try_get::<i64, _>(7)? as i32,
        month: r.try_get::<Option<i64>, _>(8)?.map(|m| m as u32),
        task: r.try_get::<Option<i64>, _>(9)?.map(|t| t as u32),
        field: r.try_get(10)?,
        uploaded_by: r.try_get(11)?,
        uploaded_at: r.try_get(12)?,
        charset: r.try_get(13)?,
    })
}

pub async fn by_id(db: &Db, id: i64) -> AppResult<Option<Evidence>> {
    let row = sqlx::query(sqlx::AssertSqlSafe(format!("SELECT {COLUMNS} FROM evidence e JOIN evidence_objects o ON o.sha256 = e.sha256 WHERE e.id = $1 AND e.removed_at IS NULL")))
        .bind(id)
        .fetch_optional(&db.pool)
        .await?;
    Ok(row.as_ref().map(from_row).transpose()?)
}

/// A society's evidence for a year (optionally one month's report).
pub async fn of_society(db: &Db, society_id: i64, year: i32) -> AppResult<Vec<Evidence>> {
    let rows = sqlx::query(sqlx::AssertSqlSafe(format!(
        "SELECT {COLUMNS} FROM evidence e JOIN evidence_objects o ON o.sha256 = e.sha256 WHERE e.society_id = $1 AND e.year = $2 AND e.removed_at IS NULL ORDER BY e.id"
    )))
    .bind(society_id)
    .bind(i64::from(year))
    .fetch_all(&db.pool)
    .await?;
    Ok(rows.iter().map(from_row).collect::<Result<_, _>>()?)
}

pub async fn of_year(db: &Db, year: i32) -> AppResult<Vec<Evidence>> {
    let rows = sqlx::query(sqlx::AssertSqlSafe(format!(
        "SELECT {COLUMNS} FROM evidence e JOIN evidence_objects o ON o.sha256 = e.sha256 WHERE e.year = $1 AND e.removed_at IS NULL ORDER BY e.id"
    )))
    .bind(i64::from(year))
    .fetch_all(&db.pool)
    .await?;
    Ok(rows.iter().map(from_row).collect::<Result<_, _>>()?)
}

/// The evidence attached to the reports of one month (the dashboard, issue 8: index
/// `evidence_by_month`, migration 0015). One query.
pub async fn of_report_month(db: &Db, year: i32, month: u32) -> AppResult<Vec<Evidence>> {
    let rows = sqlx::query(sqlx::AssertSqlSafe(format!(
        "SELECT {COLUMNS} FROM evidence e JOIN evidence_objects o ON o.sha256 = e.sha256 WHERE e.year = $1 AND e.month = $2 AND e.owner_type = 'report' AND e.removed_at IS NULL ORDER BY e.id"
    )))
    .bind(i64::from(year))
    .bind(i64::from(month))
    .fetch_all(&db.pool)
    .await?;
    Ok(rows.iter().map(from_row).collect::<Result<_, _>>()?)
}

/// Withdraws a file from what it evidenced (the stored object and the audit entry stay).
pub async fn remove(
    db: &Db,
    actor: &Actor,
    now: DateTime<Utc>,
    e: &Evidence,
    society_code: &str,
) -> AppResult<()> {
    let mut tx = db.begin().await?;
    sqlx::query("UPDATE evidence SET removed_at = $2 WHERE id = $1 AND removed_at IS NULL")
        .bind(e.id)
        .bind(ts(now))
        .execute(&mut *tx)
        .await?;
    audit::record(
        db,
        &mut tx,
        actor,
        now,
        Change {
            action: "evidence.remove",
            object_type: "society",
            object_id: society_code,
            before: Some(json!({"evidence": e.id, "sha256": e.sha256, "name": e.name})),
            after: None,
        },
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

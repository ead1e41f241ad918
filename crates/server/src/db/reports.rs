//! R-TRACK-1/2 storage: one monthly report per society and month with an editable draft; every
//! submission an immutable numbered version; reviewer comments and returns; month locks with
//! per-society exceptions.

use chrono::{DateTime, Utc};
use serde::Serialize;
use serde_json::{Value, json};
use sqlx::any::AnyRow;
use sqlx::{AssertSqlSafe, Row};

use super::audit::{self, Actor, Change};
use super::{Db, ts};
use crate::error::{AppError, AppResult};
use crate::model::FieldError;

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct ReportRow {
    pub id: i64,
    #[serde(skip)]
    pub society_id: i64,
    pub society_code: String,
    pub year: i32,
    pub month: u32,
    /// `draft`, `submitted` or `returned`.
    pub state: String,
    #[schema(value_type = Object)]
    pub draft: Value,
    /// The accepted plan version this report follows.
    pub plan_version: i64,
    pub updated_at: String,
    pub latest_version: Option<i64>,
    pub first_submitted_at: Option<String>,
    pub first_late_seconds: Option<i64>,
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct ReportVersion {
    pub version: i64,
    #[schema(value_type = Object)]
    pub content: Value,
    pub submitted_at: String,
    pub submitted_by: String,
    pub late_seconds: Option<i64>,
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct ReportReview {
    pub version: i64,
    pub reviewer: String,
    /// `comment` or `returned`.
    pub decision: String,
    pub comment: String,
    pub at: String,
}

const SELECT: &str = "SELECT r.id, r.society_id, s.code, r.year, r.month, r.state, r.draft_json, r.plan_version, r.updated_at, \
     (SELECT MAX(v.version) FROM report_versions v WHERE v.report_id = r.id), \
     (SELECT v.submitted_at FROM report_versions v WHERE v.report_id = r.id AND v.version = 1), \
     (SELECT v.late_seconds FROM report_versions v WHERE v.report_id = r.id AND v.version = 1) \
     FROM reports r JOIN societies s ON s.id = r.society_id";

fn from_row(r: &AnyRow) -> Result<ReportRow, sqlx::Error> {
    let draft: String = r.try_get(6)?;
    Ok(ReportRow {
        id: r.try_get(0)?,
        society_id: r.try_get(1)?,
        society_code: r.try_get(2)?,
        year: r.try_get::<i64, _>(3)? as i32,
        month: r.try_get::<i64, _>(4)? as u32,
        state: r.try_get(5)?,
        draft: serde_json::from_str(&draft).unwrap_or(Value::Null),
        plan_version: r.try_get(7)?,
        updated_at: r.try_get(8)?,
        latest_version: r.try_get(9)?,
        first_submitted_at: r.try_get(10)?,
        first_late_seconds: r.try_get(11)?,
    })
}

pub async fn get(db: &Db, society_id: i64, year: i32, month: u32) -> AppResult<Option<ReportRow>> {
    let row = sqlx::query(AssertSqlSafe(format!(
        "{SELECT} WHERE r.society_id = $1 AND r.year = $2 AND r.month = $3"
    )))
    .bind(society_id)
    .bind(i64::from(year))
    .bind(i64::from(month))
    .fetch_optional(&db.pool)
    .await?;
    Ok(row.as_ref().map(from_row).transpose()?)
}

/// Every report of a society for a year, by month.
pub async fn of_society(db: &Db, society_id: i64, year: i32) -> AppResult<Vec<ReportRow>> {
    let rows = sqlx::query(AssertSqlSafe(format!(
        "{SELECT} WHERE r.society_id = $1 AND r.year = $2 ORDER BY r.month"
    )))
    .bind(society_id)
    .bind(i64::from(year))
    .fetch_all(&db.pool)
    .await?;
    Ok(rows.iter().map(from_row).collect::<Result<_, _>>()?)
}

/// Every report of a year (dashboard, rates).
pub async fn of_year(db: &Db, year: i32) -> AppResult<Vec<ReportRow>> {
    let rows = sqlx::query(AssertSqlSafe(format!(
        "{SELECT} WHERE r.year = $1 ORDER BY s.code, r.month"
    )))
    .bind(i64::from(year))
    .fetch_all(&db.pool)
    .await?;
    Ok(rows.iter().map(from_row).collect::<Result<_, _>>()?)
}

fn obj(code: &str, year: i32, month: u32) -> String {
    format!("{code}/{year}-{month:02}")
}

pub async fn create(
    db: &Db,
    actor: &Actor,
    now: DateTime<Utc>,
    society_id: i64,
    code: &str,
    year: i32,
    month: u32,
    plan_version: i64,
    draft: &Value,
) -> AppResult<()> {
    let mut tx = db.begin().await?;
    let r = sqlx::query("INSERT INTO reports (society_id, year, month, state, draft_json, plan_version, created_at, updated_at) VALUES ($1, $2, $3, 'draft', $4, $5, $6, $6)")
        .bind(society_id)
        .bind(i64::from(year))
        .bind(i64::from(month))
        .bind(draft.to_string())
        .bind(plan_version)
        .bind(ts(now))
        .execute(&mut *tx)
        .await;
    if let Err(e) = r {
        return Err(if super::is_unique_violation(&e) {
            FieldError::new("month", "err-report-exists").into()
        } else {
            e.into()
        });
    }
    audit::record(
        db,
        &mut tx,
        actor,
        now,
        Change {
            action: "report.create",
            object_type: "report",
            object_id: &obj(code, year, month),
            before: None,
            after: Some(json!({"plan_version": plan_version})),
        },
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

pub async fn save_draft(
    db: &Db,
    actor: &Actor,
    now: DateTime<Utc>,
    report: &ReportRow,
    draft: &Value,
) -> AppResult<()> {
    let mut tx = db.begin().await?;
    sqlx::query("UPDATE reports SET draft_json = $2, updated_at = $3 WHERE id = $1")
        .bind(report.id)
        .bind(draft.to_string())
        .bind(ts(now))
        .execute(&mut *tx)
        .await?;
    audit::record(
        db,
        &mut tx,
        actor,
        now,
        Change {
            action: "report.draft",
            object_type: "report",
            object_id: &obj(&report.society_code, report.year, report.month),
            before: Some(report.draft.clone()),
            after: Some(draft.clone()),
        },
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

/// Freezes the draft as the next version (R-TRACK-1: a change after submission is a new
/// version; old versions stay readable). Runs inside the caller's transaction so that facts
/// reported with it are recorded atomically.
pub async fn submit_in(
    db: &Db,
    tx: &mut super::Tx,
    actor: &Actor,
    now: DateTime<Utc>,
    report: &ReportRow,
    late_seconds: Option<i64>,
) -> AppResult<i64> {
    let next: i64 = sqlx::query(
        "SELECT COALESCE(MAX(version), 0) + 1 FROM report_versions WHERE report_id = $1",
    )
    .bind(report.id)
    .fetch_one(&mut **tx)
    .await?
    .try_get(0)?;
    sqlx::query("INSERT INTO report_versions (report_id, version, content_json, submitted_at, submitted_by, late_seconds) VALUES ($1, $2, $3, $4, $5, $6)")
        .bind(report.id)
        .bind(next)
        .bind(report.draft.to_string())
        .bind(ts(now))
        .bind(actor.label())
        .bind(late_seconds)
        .execute(&mut **tx)
        .await?;
    sqlx::query("UPDATE reports SET state = 'submitted', updated_at = $2 WHERE id = $1")
        .bind(report.id)
        .bind(ts(now))
        .execute(&mut **tx)
        .await?;
    audit::record(
        db,
        tx,
        actor,
        now,
        Change {
            action: "report.submit",
            object_type: "report",
            object_id: &obj(&report.society_code, report.year, report.month),
            before: Some(json!({"state": report.state})),
            after: Some(
                json!({"state": "submitted", "version": next, "late_seconds": late_seconds}),
            ),
        },
    )
    .await?;
    Ok(next)
}

pub async fn review(
    db: &Db,
    actor: &Actor,
    now: DateTime<Utc>,
    report: &ReportRow,
    returned: bool,
    comment: &str,
) -> AppResult<()> {
    let version = report
        .latest_version
        .ok_or_else(|| FieldError::new("state", "err-report-not-submitted"))?;
    let mut tx = db.begin().await?;
    if returned {
        let r = sqlx::query("UPDATE reports SET state = 'returned', updated_at = $2 WHERE id = $1 AND state = 'submitted'").bind(report.id).bind(ts(now)).execute(&mut *tx).await?;
        if r.rows_affected() != 1 {
            return Err(FieldError::new("state", "err-report-not-submitted").into());
        }
    }
    let decision = if returned { "returned" } else { "comment" };
    sqlx::query("INSERT INTO report_reviews (report_id, version, reviewer, decision, comment, at) VALUES ($1, $2, $3, $4, $5, $6)")
        .bind(report.id)
        .bind(version)
        .bind(actor.label())
        .bind(decision)
        .bind(comment)
        .bind(ts(now))
        .execute(&mut *tx)
        .await?;
    audit::record(
        db,
        &mut tx,
        actor,
        now,
        Change {
            action: if returned {
                "report.return"
            } else {
                "report.comment"
            },
            object_type: "report",
            object_id: &obj(&report.society_code, report.year, report.month),
            before: None,
            after: Some(json!({"version": version, "comment": comment})),
        },
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

pub async fn versions(db: &Db, report_id: i64) -> AppResult<Vec<ReportVersion>> {
    let rows = sqlx::query("SELECT version, content_json, submitted_at, submitted_by, late_seconds FROM report_versions WHERE report_id = $1 ORDER BY version")
        .bind(report_id)
        .fetch_all(&db.pool)
        .await?;
    rows.iter()
        .map(|r| {
            let c: String = r.try_get(1)?;
            Ok(ReportVersion {
                version: r.try_get(0)?,
                content: serde_json::from_str(&c).unwrap_or(Value::Null),
                submitted_at: r.try_get(2)?,
                submitted_by: r.try_get(3)?,
                late_seconds: r.try_get(4)?,
            })
        })
        .collect::<Result<_, sqlx::Error>>()
        .map_err(Into::into)
}

/// The latest submitted version of every report of a year: (society id, month, first submitted
/// at, latest content).
pub async fn latest_versions_of_year(
    db: &Db,
    year: i32,
) -> AppResult<Vec<(i64, u32, String, Value)>> {
    let rows = sqlx::query(
        "SELECT r.society_id, r.month, (SELECT f.submitted_at FROM report_versions f WHERE f.report_id = r.id AND f.version = 1), v.content_json \
         FROM reports r JOIN report_versions v ON v.report_id = r.id \
         WHERE r.year = $1 AND v.version = (SELECT MAX(x.version) FROM report_versions x WHERE x.report_id = r.id) ORDER BY r.society_id, r.month",
    )
    .bind(i64::from(year))
    .fetch_all(&db.pool)
    .await?;
    rows.iter()
        .map(|r| {
            let c: String = r.try_get(3)?;
            Ok((
                r.try_get(0)?,
                r.try_get::<i64, _>(1)? as u32,
                r.try_get(2)?,
                serde_json::from_str(&c).unwrap_or(Value::Null),
            ))
        })
        .collect::<Result<_, sqlx::Error>>()
        .map_err(Into::into)
}

pub async fn reviews(db: &Db, report_id: i64) -> AppResult<Vec<ReportReview>> {
    let rows = sqlx::query("SELECT version, reviewer, decision, comment, at FROM report_reviews WHERE report_id = $1 ORDER BY id")
        .bind(report_id)
        .fetch_all(&db.pool)
        .await?;
    rows.iter()
        .map(|r| {
            Ok(ReportReview {
                version: r.try_get(0)?,
                reviewer: r.try_get(1)?,
                decision: r.try_get(2)?,
                comment: r.try_get(3)?,
                at: r.try_get(4)?,
            })
        })
        .collect::<Result<_, sqlx::Error>>()
        .map_err(Into::into)
}

/// Whether `society` may change its report for a month: not locked, or granted an exception.
pub async fn is_open(db: &Db, society_id: i64, year: i32, month: u32) -> AppResult<bool> {
    let locked: i64 =
        sqlx::query("SELECT COUNT(*) FROM month_locks WHERE year = $1 AND month = $2")
            .bind(i64::from(year))
            .bind(i64::from(month))
            .fetch_one(&db.pool)
            .await?
            .try_get(0)?;
    if locked == 0 {
        return Ok(true);
    }
    let exception: i64 = sqlx::query(
        "SELECT COUNT(*) FROM lock_exceptions WHERE society_id = $1 AND year = $2 AND month = $3",
    )
    .bind(society_id)
    .bind(i64::from(year))
    .bind(i64::from(month))
    .fetch_one(&db.pool)
    .await?
    .try_get(0)?;
    Ok(exception > 0)
}

pub async fn locked_months(db: &Db, year: i32) -> AppResult<Vec<u32>> {
    let rows = sqlx::query("SELECT month FROM month_locks WHERE year = $1 ORDER BY month")
        .bind(i64::from(year))
        .fetch_all(&db.pool)
        .await?;
    rows.iter()
        .map(|r| Ok(r.try_get::<i64, _>(0)? as u32))
        .collect::<Result<_, sqlx::Error>>()
        .map_err(Into::into)
}

pub async fn set_lock(
    db: &Db,
    actor: &Actor,
    now: DateTime<Utc>,
    year: i32,
    month: u32,
    locked: bool,
) -> AppResult<()> {
    let mut tx = db.begin().await?;
    sqlx::query("DELETE FROM month_locks WHERE year = $1 AND month = $2")
        .bind(i64::from(year))
        .bind(i64::from(month))
        .execute(&mut *tx)
        .await?;
    if locked {
        sqlx::query(
            "INSERT INTO month_locks (year, month, locked_by, locked_at) VALUES ($1, $2, $3, $4)",
        )
        .bind(i64::from(year))
        .bind(i64::from(month))
        .bind(actor.label())
        .bind(ts(now))
        .execute(&mut *tx)
        .await?;
    }
    let o = format!("{year}-{month:02}");
    audit::record(
        db,
        &mut tx,
        actor,
        now,
        Change {
            action: if locked { "month.lock" } else { "month.unlock" },
            object_type: "month",
            object_id: &o,
            before: None,
            after: Some(json!({"locked": locked})),
        },
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

pub async fn grant_exception(
    db: &Db,
    actor: &Actor,
    now: DateTime<Utc>,
    society_id: i64,
    code: &str,
    year: i32,
    month: u32,
) -> AppResult<()> {
    let mut tx = db.begin().await?;
    let r = sqlx::query("INSERT INTO lock_exceptions (society_id, year, month, granted_by, granted_at) VALUES ($1, $2, $3, $4, $5)")
        .bind(society_id)
        .bind(i64::from(year))
        .bind(i64::from(month))
        .bind(actor.label())
        .bind(ts(now))
        .execute(&mut *tx)
        .await;
    if let Err(e) = r {
        return if super::is_unique_violation(&e) {
            Ok(())
        } else {
            Err(AppError::from(e))
        };
    }
    audit::record(
        db,
        &mut tx,
        actor,
        now,
        Change {
            action: "month.exception",
            object_type: "report",
            object_id: &obj(code, year, month),
            before: None,
            after: Some(json!({"exception": true})),
        },
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

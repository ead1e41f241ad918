//! R-PLAN-1..5 storage: one plan per society, year and kind (reform / rectification) with an
//! editable draft; every submission an immutable numbered version; reviews that return or
//! accept a version. State changes use compare-and-set on the stored state, so two reviewers
//! (or two processes) cannot both move the same plan.

use std::collections::BTreeMap;

use chrono::{DateTime, Utc};
use reformwatch_core::plan::PlanState;
use serde::Serialize;
use serde_json::{Value, json};
use sqlx::any::AnyRow;
use sqlx::{AssertSqlSafe, Row};

use super::audit::{self, Actor, Change};
use super::{Db, ts};
use crate::error::{AppError, AppResult};
use crate::model::FieldError;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, serde::Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum PlanKind {
    /// 改革方案 (R-PLAN-1..4)
    Reform,
    /// 整改方案 (R-PLAN-5)
    Rectification,
}

impl PlanKind {
    pub fn as_str(self) -> &'static str {
        match self {
            PlanKind::Reform => "reform",
            PlanKind::Rectification => "rectification",
        }
    }
    pub fn parse(s: Option<&str>) -> Option<PlanKind> {
        match s.map(str::trim).unwrap_or("") {
            "" | "reform" => Some(PlanKind::Reform),
            "rectification" => Some(PlanKind::Rectification),
            _ => None,
        }
    }
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct PlanRow {
    pub id: i64,
    #[serde(skip)]
    pub society_id: i64,
    pub society_code: String,
    pub society_name: String,
    pub discipline_group: String,
    pub year: i32,
    pub kind: PlanKind,
    #[schema(value_type = String)]
    pub state: PlanState,
    #[schema(value_type = Object)]
    pub draft: Value,
    /// The version accepted as the yardstick for tracking and review.
    pub accepted_version: Option<i64>,
    pub request_reason: Option<String>,
    pub requested_by: Option<String>,
    pub created_at: String,
    pub updated_at: String,
    /// Latest submitted version, its time and lateness (seconds late; null = on time).
    pub latest_version: Option<i64>,
    pub latest_submitted_at: Option<String>,
    pub first_late_seconds: Option<i64>,
    pub first_submitted_at: Option<String>,
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct VersionRow {
    pub version: i64,
    #[schema(value_type = Object)]
    pub content: Value,
    pub submitted_at: String,
    pub submitted_by: String,
    /// Seconds after the deadline; null when on time.
    pub late_seconds: Option<i64>,
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct ReviewRow {
    pub version: i64,
    pub reviewer: String,
    /// `returned` or `accepted`
    pub decision: String,
    pub comment: String,
    /// Comments per task number.
    pub task_comments: BTreeMap<u32, String>,
    pub at: String,
}

const SELECT: &str = "SELECT p.id, p.society_id, s.code, s.name, s.discipline_group, p.year, p.kind, p.state, p.draft_json, p.accepted_version, \
     p.request_reason, p.requested_by, p.created_at, p.updated_at, \
     (SELECT MAX(v.version) FROM plan_versions v WHERE v.plan_id = p.id), \
     (SELECT MAX(v.submitted_at) FROM plan_versions v WHERE v.plan_id = p.id), \
     (SELECT v.late_seconds FROM plan_versions v WHERE v.plan_id = p.id AND v.version = 1), \
     (SELECT v.submitted_at FROM plan_versions v WHERE v.plan_id = p.id AND v.version = 1) \
     FROM plans p JOIN societies s ON s.id = p.society_id";

fn from_row(r: &AnyRow) -> Result<PlanRow, sqlx::Error> {
    let kind: String = r.try_get(6)?;
    let state: String = r.try_get(7)?;
    let draft: String = r.try_get(8)?;
    Ok(PlanRow {
        id: r.try_get(0)?,
        society_id: r.try_get(1)?,
        society_code: r.try_get(2)?,
        society_name: r.try_get(3)?,
        discipline_group: r.try_get(4)?,
        year: r.try_get::<i64, _>(5)? as i32,
        kind: PlanKind::parse(Some(&kind))
            .ok_or_else(|| sqlx::Error::Decode(format!("bad kind {kind}").into()))?,
        state: PlanState::parse(&state)
            .ok_or_else(|| sqlx::Error::Decode(format!("bad state {state}").into()))?,
        draft: serde_json::from_str(&draft).unwrap_or(Value::Null),
        accepted_version: r.try_get(9)?,
        request_reason: r.try_get(10)?,
        requested_by: r.try_get(11)?,
        created_at: r.try_get(12)?,
        updated_at: r.try_get(13)?,
        latest_version: r.try_get(14)?,
        latest_submitted_at: r.try_get(15)?,
        first_late_seconds: r.try_get(16)?,
        first_submitted_at: r.try_get(17)?,
    })
}

pub async fn get(
    db: &Db,
    society_id: i64,
    year: i32,
    kind: PlanKind,
) -> AppResult<Option<PlanRow>> {
    let row = sqlx::query(AssertSqlSafe(format!(
        "{SELECT} WHERE p.society_id = $1 AND p.year = $2 AND p.kind = $3"
    )))
    .bind(society_id)
    .bind(i64::from(year))
    .bind(kind.as_str())
    .fetch_optional(&db.pool)
    .await?;
    Ok(row.as_ref().map(from_row).transpose()?)
}

/// All plans of a year and kind (queue, overview).
pub async fn list(db: &Db, year: i32, kind: PlanKind) -> AppResult<Vec<PlanRow>> {
    let rows = sqlx::query(AssertSqlSafe(format!(
        "{SELECT} WHERE p.year = $1 AND p.kind = $2 ORDER BY s.code"
    )))
    .bind(i64::from(year))
    .bind(kind.as_str())
    .fetch_all(&db.pool)
    .await?;
    Ok(rows.iter().map(from_row).collect::<Result<_, _>>()?)
}

fn audit_change<'a>(
    action: &'a str,
    code: &'a str,
    before: Option<Value>,
    after: Option<Value>,
) -> Change<'a> {
    Change {
        action,
        object_type: "plan",
        object_id: code,
        before,
        after,
    }
}

pub struct NewPlan<'a> {
    pub society_id: i64,
    pub society_code: &'a str,
    pub year: i32,
    pub kind: PlanKind,
    pub draft: &'a Value,
    pub request_reason: Option<&'a str>,
}

pub async fn create(
    db: &Db,
    actor: &Actor,
    now: DateTime<Utc>,
    new: &NewPlan<'_>,
) -> AppResult<()> {
    let mut tx = db.begin().await?;
    let r = sqlx::query(
        "INSERT INTO plans (society_id, year, kind, state, draft_json, request_reason, requested_by, created_at, updated_at) \
         VALUES ($1, $2, $3, 'draft', $4, $5, $6, $7, $7)",
    )
    .bind(new.society_id)
    .bind(i64::from(new.year))
    .bind(new.kind.as_str())
    .bind(new.draft.to_string())
    .bind(new.request_reason)
    .bind(new.request_reason.map(|_| actor.label()))
    .bind(ts(now))
    .execute(&mut *tx)
    .await;
    if let Err(e) = r {
        return Err(if super::is_unique_violation(&e) {
            FieldError::new("plan", "err-plan-exists").into()
        } else {
            e.into()
        });
    }
    let action = if new.kind == PlanKind::Rectification {
        "rectification.request"
    } else {
        "plan.create"
    };
    let obj = format!("{}/{}/{}", new.society_code, new.year, new.kind.as_str());
    audit::record(
        db,
        &mut tx,
        actor,
        now,
        audit_change(
            action,
            &obj,
            None,
            Some(json!({"draft": new.draft, "reason": new.request_reason})),
        ),
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

/// Moves the plan from `from` to `to` only if it is still in `from` (compare-and-set).
async fn set_state(
    tx: &mut super::Tx,
    plan_id: i64,
    from: PlanState,
    to: PlanState,
    now: DateTime<Utc>,
) -> AppResult<()> {
    let r =
        sqlx::query("UPDATE plans SET state = $3, updated_at = $4 WHERE id = $1 AND state = $2")
            .bind(plan_id)
            .bind(from.as_str())
            .bind(to.as_str())
            .bind(ts(now))
            .execute(&mut **tx)
            .await?;
    if r.rows_affected() != 1 {
        return Err(FieldError::new("state", "err-plan-changed-meanwhile").into());
    }
    Ok(())
}

pub async fn save_draft(
    db: &Db,
    actor: &Actor,
    now: DateTime<Utc>,
    plan: &PlanRow,
    draft: &Value,
) -> AppResult<()> {
    let mut tx = db.begin().await?;
    let r = sqlx::query(
        "UPDATE plans SET draft_json = $3, updated_at = $4 WHERE id = $1 AND state = $2",
    )
    .bind(plan.id)
    .bind(plan.state.as_str())
    .bind(draft.to_string())
    .bind(ts(now))
    .execute(&mut *tx)
    .await?;
    if r.rows_affected() != 1 {
        return Err(FieldError::new("state", "err-plan-changed-meanwhile").into());
    }
    let obj = format!("{}/{}/{}", plan.society_code, plan.year, plan.kind.as_str());
    audit::record(
        db,
        &mut tx,
        actor,
        now,
        audit_change(
            "plan.draft",
            &obj,
            Some(plan.draft.clone()),
            Some(draft.clone()),
        ),
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

/// Freezes the draft as the next version and moves the state (R-PLAN-4). Returns the version.
pub async fn submit(
    db: &Db,
    actor: &Actor,
    now: DateTime<Utc>,
    plan: &PlanRow,
    to: PlanState,
    late_seconds: Option<i64>,
) -> AppResult<i64> {
    let mut tx = db.begin().await?;
    set_state(&mut tx, plan.id, plan.state, to, now).await?;
    let next: i64 =
        sqlx::query("SELECT COALESCE(MAX(version), 0) + 1 FROM plan_versions WHERE plan_id = $1")
            .bind(plan.id)
            .fetch_one(&mut *tx)
            .await?
            .try_get(0)?;
    sqlx::query("INSERT INTO plan_versions (plan_id, version, content_json, submitted_at, submitted_by, late_seconds) VALUES ($1, $2, $3, $4, $5, $6)")
        .bind(plan.id)
        .bind(next)
        .bind(plan.draft.to_string())
        .bind(ts(now))
        .bind(actor.label())
        .bind(late_seconds)
        .execute(&mut *tx)
        .await?;
    let obj = format!("{}/{}/{}", plan.society_code, plan.year, plan.kind.as_str());
    audit::record(
        db,
        &mut tx,
        actor,
        now,
        audit_change(
            "plan.submit",
            &obj,
            Some(json!({"state": plan.state.as_str()})),
            Some(json!({"state": to.as_str(), "version": next, "late_seconds": late_seconds})),
        ),
    )
    .await?;
    tx.commit().await?;
    Ok(next)
}

pub struct Decision<'a> {
    pub to: PlanState,
    pub version: i64,
    pub comment: &'a str,
    pub task_comments: &'a BTreeMap<u32, String>,
}

pub async fn review(
    db: &Db,
    actor: &Actor,
    now: DateTime<Utc>,
    plan: &PlanRow,
    d: &Decision<'_>,
) -> AppResult<()> {
    let mut tx = db.begin().await?;
    set_state(&mut tx, plan.id, plan.state, d.to, now).await?;
    let decision = if d.to == PlanState::Accepted {
        "accepted"
    } else {
        "returned"
    };
    sqlx::query("INSERT INTO plan_reviews (plan_id, version, reviewer, decision, comment, task_comments_json, at) VALUES ($1, $2, $3, $4, $5, $6, $7)")
        .bind(plan.id)
        .bind(d.version)
        .bind(actor.label())
        .bind(decision)
        .bind(d.comment)
        .bind(serde_json::to_string(d.task_comments).map_err(|e| AppError::Internal(e.into()))?)
        .bind(ts(now))
        .execute(&mut *tx)
        .await?;
    if d.to == PlanState::Accepted {
        sqlx::query("UPDATE plans SET accepted_version = $2 WHERE id = $1")
            .bind(plan.id)
            .bind(d.version)
            .execute(&mut *tx)
            .await?;
    }
    let obj = format!("{}/{}/{}", plan.society_code, plan.year, plan.kind.as_str());
    let action = if d.to == PlanState::Accepted {
        "plan.accept"
    } else {
        "plan.return"
    };
    audit::record(db, &mut tx, actor, now, audit_change(action, &obj, Some(json!({"state": plan.state.as_str()})), Some(json!({"state": d.to.as_str(), "version": d.version, "comment": d.comment, "task_comments": d.task_comments})))).await?;
    tx.commit().await?;
    Ok(())
}

pub async fn versions(db: &Db, plan_id: i64) -> AppResult<Vec<VersionRow>> {
    let rows = sqlx::query("SELECT version, content_json, submitted_at, submitted_by, late_seconds FROM plan_versions WHERE plan_id = $1 ORDER BY version")
        .bind(plan_id)
        .fetch_all(&db.pool)
        .await?;
    rows.iter()
        .map(|r| {
            let content: String = r.try_get(1)?;
            Ok(VersionRow {
                version: r.try_get(0)?,
                content: serde_json::from_str(&content).unwrap_or(Value::Null),
                submitted_at: r.try_get(2)?,
                submitted_by: r.try_get(3)?,
                late_seconds: r.try_get(4)?,
            })
        })
        .collect::<Result<_, sqlx::Error>>()
        .map_err(Into::into)
}

pub async fn reviews(db: &Db, plan_id: i64) -> AppResult<Vec<ReviewRow>> {
    let rows = sqlx::query("SELECT version, reviewer, decision, comment, task_comments_json, at FROM plan_reviews WHERE plan_id = $1 ORDER BY id")
        .bind(plan_id)
        .fetch_all(&db.pool)
        .await?;
    rows.iter()
        .map(|r| {
            let tc: String = r.try_get(4)?;
            Ok(ReviewRow {
                version: r.try_get(0)?,
                reviewer: r.try_get(1)?,
                decision: r.try_get(2)?,
                comment: r.try_get(3)?,
                task_comments: serde_json::from_str(&tc).unwrap_or_default(),
                at: r.try_get(5)?,
            })
        })
        .collect::<Result<_, sqlx::Error>>()
        .map_err(Into::into)
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct Deadline {
    pub year: i32,
    /// Local date-time in `timezone`, `YYYY-MM-DDTHH:MM:SS`.
    pub local_time: String,
    pub timezone: String,
    /// The instant, UTC (RFC 3339).
    pub utc: String,
    /// `catalogue` (as the year's file says) or the administrator who changed it.
    pub set_by: String,
}

/// The plan deadline of a year: an administrator's override, else the catalogue's (R-PLAN-1).
pub async fn plan_deadline(
    db: &Db,
    catalogue: &reformwatch_core::catalogue::Catalogue,
) -> AppResult<(DateTime<Utc>, Deadline)> {
    let row = sqlx::query(
        "SELECT local_time, timezone, set_by FROM deadlines WHERE year = $1 AND kind = 'plan'",
    )
    .bind(i64::from(catalogue.year))
    .fetch_optional(&db.pool)
    .await?;
    if let Some(r) = row {
        let local: String = r.try_get(0)?;
        let tz_name: String = r.try_get(1)?;
        let set_by: String = r.try_get(2)?;
        let (utc, _) = resolve_local(&local, &tz_name)
            .map_err(|e| AppError::Internal(anyhow::anyhow!("stored deadline invalid: {e:?}")))?;
        return Ok((
            utc,
            Deadline {
                year: catalogue.year,
                local_time: local,
                timezone: tz_name,
                utc: utc.to_rfc3339(),
                set_by,
            },
        ));
    }
    let utc = catalogue.plan_deadline_utc();
    Ok((
        utc,
        Deadline {
            year: catalogue.year,
            local_time: catalogue
                .plan_deadline
                .format("%Y-%m-%dT%H:%M:%S")
                .to_string(),
            timezone: catalogue.timezone.name().to_string(),
            utc: utc.to_rfc3339(),
            set_by: "catalogue".into(),
        },
    ))
}

/// A local date-time in a named time zone → the UTC instant; errors name the field.
pub fn resolve_local(
    local: &str,
    tz_name: &str,
) -> Result<(DateTime<Utc>, chrono_tz::Tz), FieldError> {
    let tz: chrono_tz::Tz = tz_name
        .trim()
        .parse()
        .map_err(|_| FieldError::new("timezone", "err-timezone").arg("value", tz_name))?;
    let s = local.trim();
    let naive = chrono::NaiveDateTime::parse_from_str(s, "%Y-%m-%dT%H:%M:%S")
        .or_else(|_| chrono::NaiveDateTime::parse_from_str(s, "%Y-%m-%dT%H:%M"))
        .or_else(|_| chrono::NaiveDateTime::parse_from_str(s, "%Y-%m-%d %H:%M:%S"))
        .map_err(|_| FieldError::new("local_time", "err-datetime").arg("value", s))?;
    use chrono::TimeZone;
    let instant = tz
        .from_local_datetime(&naive)
        .single()
        .ok_or_else(|| FieldError::new("local_time", "err-datetime-ambiguous").arg("value", s))?;
    Ok((instant.with_timezone(&Utc), tz))
}

pub async fn set_plan_deadline(
    db: &Db,
    actor: &Actor,
    now: DateTime<Utc>,
    year: i32,
    local: &str,
    tz_name: &str,
    before: &Deadline,
) -> AppResult<()> {
    let (utc, tz) = resolve_local(local, tz_name)?;
    let local_norm = utc
        .with_timezone(&tz)
        .format("%Y-%m-%dT%H:%M:%S")
        .to_string();
    let mut tx = db.begin().await?;
    sqlx::query("DELETE FROM deadlines WHERE year = $1 AND kind = 'plan'")
        .bind(i64::from(year))
        .execute(&mut *tx)
        .await?;
    sqlx::query("INSERT INTO deadlines (year, kind, local_time, timezone, set_by, set_at) VALUES ($1, 'plan', $2, $3, $4, $5)")
        .bind(i64::from(year))
        .bind(&local_norm)
        .bind(tz.name())
        .bind(actor.label())
        .bind(ts(now))
        .execute(&mut *tx)
        .await?;
    let obj = year.to_string();
    audit::record(
        db,
        &mut tx,
        actor,
        now,
        Change {
            action: "deadline.set",
            object_type: "deadline",
            object_id: &obj,
            before: Some(json!({"local_time": before.local_time, "timezone": before.timezone})),
            after: Some(
                json!({"local_time": local_norm, "timezone": tz.name(), "utc": utc.to_rfc3339()}),
            ),
        },
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

//! Reviewer judgements of qualitative norms (the `judged` rule kind, issue 13): append-only
//! rows, the latest per society, year and rule counts. Each judgement is audited in the same
//! transaction.

use std::collections::BTreeMap;

use chrono::{DateTime, Utc};
use reformwatch_core::rules::{JudgedVerdict, Judgement, Judgements};
use serde::Serialize;
use serde_json::json;
use sqlx::{AssertSqlSafe, Row};

use super::audit::{self, Actor, Change};
use super::societies::Society;
use super::{Db, ts};
use crate::error::{AppError, AppResult};

/// One stored judgement, as pages and the API show it.
#[derive(Debug, Clone, PartialEq, Serialize, utoipa::ToSchema)]
pub struct StoredJudgement {
    pub rule: String,
    /// `pass` | `warning`
    pub verdict: String,
    /// The reviewer's written reason.
    pub reason: String,
    /// The reviewer, as shown to people.
    pub judged_by: String,
    pub judged_at: String,
}

impl StoredJudgement {
    /// The core's input for [`reformwatch_core::rules::evaluate_with`]. A verdict text other
    /// than `pass` / `warning` cannot be stored (CHECK constraint); if one is read anyway the
    /// row is unreadable, never silently a pass.
    fn judgement(&self, society: i64, year: i32) -> AppResult<Judgement> {
        let verdict = match self.verdict.as_str() {
            "pass" => JudgedVerdict::Pass,
            "warning" => JudgedVerdict::Warning,
            other => {
                return Err(AppError::unreadable(
                    format!("学会 {society} {year} 年规则 {} 的评审判断", self.rule),
                    format!(
                        "judgement of rule {} for society {society}/{year}",
                        self.rule
                    ),
                    format!("verdict {other:?}"),
                ));
            }
        };
        Ok(Judgement {
            verdict,
            by: self.judged_by.clone(),
            comment: self.reason.clone(),
        })
    }
}

const SELECT: &str =
    "SELECT society_id, rule, verdict, reason, judged_by, judged_at FROM rule_judgements";

fn from_row(r: &sqlx::any::AnyRow) -> Result<(i64, StoredJudgement), sqlx::Error> {
    Ok((
        r.try_get(0)?,
        StoredJudgement {
            rule: r.try_get(1)?,
            verdict: r.try_get(2)?,
            reason: r.try_get(3)?,
            judged_by: r.try_get(4)?,
            judged_at: r.try_get(5)?,
        },
    ))
}

/// The latest judgement per rule of one society and year.
pub async fn latest(
    db: &Db,
    society_id: i64,
    year: i32,
) -> AppResult<BTreeMap<String, StoredJudgement>> {
    let rows = sqlx::query(AssertSqlSafe(format!(
        "{SELECT} WHERE society_id = $1 AND year = $2 ORDER BY id"
    )))
    .bind(society_id)
    .bind(i64::from(year))
    .fetch_all(&db.pool)
    .await?;
    let mut out = BTreeMap::new();
    for r in &rows {
        let (_, j) = from_row(r)?;
        out.insert(j.rule.clone(), j);
    }
    Ok(out)
}

/// The latest judgement per rule of every society of a year, by society id (one query).
pub async fn latest_of_year(
    db: &Db,
    year: i32,
) -> AppResult<BTreeMap<i64, BTreeMap<String, StoredJudgement>>> {
    let rows = sqlx::query(AssertSqlSafe(format!(
        "{SELECT} WHERE year = $1 ORDER BY id"
    )))
    .bind(i64::from(year))
    .fetch_all(&db.pool)
    .await?;
    let mut out: BTreeMap<i64, BTreeMap<String, StoredJudgement>> = BTreeMap::new();
    for r in &rows {
        let (sid, j) = from_row(r)?;
        out.entry(sid).or_default().insert(j.rule.clone(), j);
    }
    Ok(out)
}

/// Stored judgements → the core's [`Judgements`].
pub fn to_core(
    society_id: i64,
    year: i32,
    stored: &BTreeMap<String, StoredJudgement>,
) -> AppResult<Judgements> {
    stored
        .iter()
        .map(|(rule, j)| Ok((rule.clone(), j.judgement(society_id, year)?)))
        .collect()
}

/// Records a judgement (a new row) with its audit entry, in one transaction.
#[allow(clippy::too_many_arguments)]
pub async fn record(
    db: &Db,
    actor: &Actor,
    now: DateTime<Utc>,
    society: &Society,
    year: i32,
    rule: &str,
    verdict: JudgedVerdict,
    reason: &str,
    judged_by: &str,
) -> AppResult<()> {
    let verdict = match verdict {
        JudgedVerdict::Pass => "pass",
        JudgedVerdict::Warning => "warning",
    };
    let mut tx = db.begin().await?;
    let before = sqlx::query(AssertSqlSafe(format!(
        "{SELECT} WHERE society_id = $1 AND year = $2 AND rule = $3 ORDER BY id DESC LIMIT 1"
    )))
    .bind(society.id)
    .bind(i64::from(year))
    .bind(rule)
    .fetch_optional(&mut *tx)
    .await?
    .map(|r| from_row(&r))
    .transpose()?
    .map(|(_, j)| json!({"year": year, "rule": rule, "verdict": j.verdict, "reason": j.reason}));
    sqlx::query(
        "INSERT INTO rule_judgements (society_id, year, rule, verdict, reason, judged_by, judged_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7)",
    )
    .bind(society.id)
    .bind(i64::from(year))
    .bind(rule)
    .bind(verdict)
    .bind(reason)
    .bind(judged_by)
    .bind(ts(now))
    .execute(&mut *tx)
    .await?;
    audit::record(
        db,
        &mut tx,
        actor,
        now,
        Change {
            action: "rule.judge",
            object_type: "society",
            object_id: &society.code,
            before,
            after: Some(json!({"year": year, "rule": rule, "verdict": verdict, "reason": reason})),
        },
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

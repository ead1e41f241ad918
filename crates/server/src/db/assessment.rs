//! The year-end assessment's inputs (issue 12, R-ASSESS-1; migration 0007): acceptance
//! decisions (append-only, the latest per task counts), self-scores, reviewer assignments with
//! their submission, declared memberships and conflicts, reviewer scores (final once
//! submitted: the database refuses changes) and deductions / bonuses. Scores are stored as
//! integer hundredths. Every write carries its audit entry in the same transaction; every
//! year-wide read is one statement.

use std::collections::BTreeMap;

use chrono::{DateTime, Utc};
use reformwatch_core::assess::{AcceptanceStatus, Score};
use serde::Serialize;
use serde_json::json;
use sqlx::{AssertSqlSafe, Row};

use super::audit::{self, Actor, Change};
use super::societies::Society;
use super::{Db, Tx, ts};
use crate::error::{AppError, AppResult};

fn score_of(h: i64, what: &str) -> AppResult<Score> {
    Score::from_hundredths(h)
        .ok_or_else(|| AppError::Internal(anyhow::anyhow!("stored {what} {h} out of range")))
}

fn status_of(s: &str, what: &str) -> AppResult<AcceptanceStatus> {
    AcceptanceStatus::parse(s)
        .ok_or_else(|| AppError::Internal(anyhow::anyhow!("stored {what} {s:?} unknown")))
}

fn u32_of(v: i64, what: &str) -> AppResult<u32> {
    u32::try_from(v)
        .map_err(|_| AppError::Internal(anyhow::anyhow!("stored {what} {v} out of range")))
}

// ---------------------------------------------------------------------------------------------
// Acceptance decisions
// ---------------------------------------------------------------------------------------------

/// A reviewer's decision on one task (the latest row counts).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct StoredDecision {
    pub id: i64,
    pub task: u32,
    /// What the system proposed when the decision was taken.
    pub proposed: AcceptanceStatus,
    pub status: AcceptanceStatus,
    pub comment: String,
    /// The reviewer, as shown to people.
    pub decided_by: String,
    pub decided_at: String,
}

const DECISIONS: &str = "SELECT id, society_id, task, proposed, status, comment, decided_by, decided_at FROM acceptance_decisions";

fn decision_row(r: &sqlx::any::AnyRow) -> AppResult<(i64, StoredDecision)> {
    let proposed: String = r.try_get(3)?;
    let status: String = r.try_get(4)?;
    Ok((
        r.try_get(1)?,
        StoredDecision {
            id: r.try_get(0)?,
            task: u32_of(r.try_get(2)?, "task number")?,
            proposed: status_of(&proposed, "proposed status")?,
            status: status_of(&status, "acceptance status")?,
            comment: r.try_get(5)?,
            decided_by: r.try_get(6)?,
            decided_at: r.try_get(7)?,
        },
    ))
}

/// The latest decision per task of every society of a year (or of one): society id → task →
/// decision. One statement.
pub async fn decisions_of_year(
    db: &Db,
    year: i32,
    society_id: Option<i64>,
) -> AppResult<BTreeMap<i64, BTreeMap<u32, StoredDecision>>> {
    let one = if society_id.is_some() {
        " AND society_id = $2"
    } else {
        ""
    };
    let mut q = sqlx::query(AssertSqlSafe(format!(
        "{DECISIONS} WHERE year = $1{one} ORDER BY id"
    )))
    .bind(i64::from(year));
    if let Some(id) = society_id {
        q = q.bind(id);
    }
    let mut out: BTreeMap<i64, BTreeMap<u32, StoredDecision>> = BTreeMap::new();
    for r in &q.fetch_all(&db.pool).await? {
        let (sid, d) = decision_row(r)?;
        out.entry(sid).or_default().insert(d.task, d);
    }
    Ok(out)
}

/// Every decision of one society and year, oldest first (the history).
pub async fn decision_history(
    db: &Db,
    year: i32,
    society_id: i64,
) -> AppResult<Vec<StoredDecision>> {
    let rows = sqlx::query(AssertSqlSafe(format!(
        "{DECISIONS} WHERE year = $1 AND society_id = $2 ORDER BY id"
    )))
    .bind(i64::from(year))
    .bind(society_id)
    .fetch_all(&db.pool)
    .await?;
    rows.iter().map(|r| Ok(decision_row(r)?.1)).collect()
}

/// Records a decision (a new row) with its audit entry, in one transaction.
#[allow(clippy::too_many_arguments)]
pub async fn record_decision(
    db: &Db,
    actor: &Actor,
    now: DateTime<Utc>,
    society: &Society,
    year: i32,
    task: u32,
    proposed: AcceptanceStatus,
    status: AcceptanceStatus,
    comment: &str,
    decided_by: &str,
) -> AppResult<()> {
    let mut tx = db.begin().await?;
    let before = sqlx::query(AssertSqlSafe(format!(
        "{DECISIONS} WHERE year = $1 AND society_id = $2 AND task = $3 ORDER BY id DESC LIMIT 1"
    )))
    .bind(i64::from(year))
    .bind(society.id)
    .bind(i64::from(task))
    .fetch_optional(&mut *tx)
    .await?
    .map(|r| decision_row(&r))
    .transpose()?
    .map(|(_, d)| json!({"year": year, "task": task, "status": d.status.as_str(), "comment": d.comment}));
    sqlx::query(
        "INSERT INTO acceptance_decisions (year, society_id, task, proposed, status, comment, decided_by, decided_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
    )
    .bind(i64::from(year))
    .bind(society.id)
    .bind(i64::from(task))
    .bind(proposed.as_str())
    .bind(status.as_str())
    .bind(comment)
    .bind(decided_by)
    .bind(ts(now))
    .execute(&mut *tx)
    .await?;
    audit::record(db, &mut tx, actor, now, Change {
        action: "assessment.accept",
        object_type: "society",
        object_id: &society.code,
        before,
        after: Some(json!({"year": year, "task": task, "proposed": proposed.as_str(), "status": status.as_str(), "comment": comment})),
    })
    .await?;
    tx.commit().await?;
    Ok(())
}

// ---------------------------------------------------------------------------------------------
// Self-scores
// ---------------------------------------------------------------------------------------------

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct SelfScore {
    pub indicator: String,
    pub score: Score,
    pub comment: String,
    pub entered_by: String,
    pub entered_at: String,
}

/// Self-scores of every society of a year (or of one): society id → indicator → entry.
pub async fn self_scores_of_year(
    db: &Db,
    year: i32,
    society_id: Option<i64>,
) -> AppResult<BTreeMap<i64, BTreeMap<String, SelfScore>>> {
    let one = if society_id.is_some() {
        " AND society_id = $2"
    } else {
        ""
    };
    let mut q = sqlx::query(AssertSqlSafe(format!(
        "SELECT society_id, indicator, score, comment, entered_by, entered_at FROM assessment_self_scores WHERE year = $1{one}"
    )))
    .bind(i64::from(year));
    if let Some(id) = society_id {
        q = q.bind(id);
    }
    let mut out: BTreeMap<i64, BTreeMap<String, SelfScore>> = BTreeMap::new();
    for r in &q.fetch_all(&db.pool).await? {
        let indicator: String = r.try_get(1)?;
        out.entry(r.try_get(0)?).or_default().insert(
            indicator.clone(),
            SelfScore {
                indicator,
                score: score_of(r.try_get(2)?, "self-score")?,
                comment: r.try_get(3)?,
                entered_by: r.try_get(4)?,
                entered_at: r.try_get(5)?,
            },
        );
    }
    Ok(out)
}

/// Sets a society's self-scores (indicator, score, comment; `None` clears the leaf's), with one
/// audit entry, in one transaction.
pub async fn set_self_scores(
    db: &Db,
    actor: &Actor,
    now: DateTime<Utc>,
    society: &Society,
    year: i32,
    entries: &[(String, Option<Score>, String)],
    entered_by: &str,
) -> AppResult<()> {
    let mut tx = db.begin().await?;
    for (indicator, score, comment) in entries {
        match score {
            Some(s) => {
                sqlx::query(
                    "INSERT INTO assessment_self_scores (year, society_id, indicator, score, comment, entered_by, entered_at) \
                     VALUES ($1, $2, $3, $4, $5, $6, $7) \
                     ON CONFLICT (year, society_id, indicator) DO UPDATE SET score = excluded.score, \
                     comment = excluded.comment, entered_by = excluded.entered_by, entered_at = excluded.entered_at",
                )
                .bind(i64::from(year))
                .bind(society.id)
                .bind(indicator.as_str())
                .bind(s.hundredths())
                .bind(comment.as_str())
                .bind(entered_by)
                .bind(ts(now))
                .execute(&mut *tx)
                .await?;
            }
            None => {
                sqlx::query(
                    "DELETE FROM assessment_self_scores WHERE year = $1 AND society_id = $2 AND indicator = $3",
                )
                .bind(i64::from(year))
                .bind(society.id)
                .bind(indicator.as_str())
                .execute(&mut *tx)
                .await?;
            }
        }
    }
    let after: Vec<_> = entries
        .iter()
        .map(|(i, s, c)| json!({"indicator": i, "score": s.map(|s| s.to_string()), "comment": c}))
        .collect();
    audit::record(
        db,
        &mut tx,
        actor,
        now,
        Change {
            action: "assessment.self_score",
            object_type: "society",
            object_id: &society.code,
            before: None,
            after: Some(json!({"year": year, "scores": after})),
        },
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

// ---------------------------------------------------------------------------------------------
// Reviewers: assignments, declarations, scores, submission
// ---------------------------------------------------------------------------------------------

/// A reviewer assigned to a society for a year.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Assignment {
    pub society_id: i64,
    pub society_code: String,
    pub society_name: String,
    pub reviewer_id: i64,
    pub reviewer_username: String,
    pub reviewer_name: String,
    pub assigned_by: String,
    pub assigned_at: String,
    /// When the reviewer submitted their scores (final from then on).
    pub submitted_at: Option<String>,
}

/// Every assignment of a year (one statement), by society code then reviewer name.
pub async fn assignments_of_year(db: &Db, year: i32) -> AppResult<Vec<Assignment>> {
    let rows = sqlx::query(
        "SELECT a.society_id, s.code, s.name, a.reviewer_id, u.username, u.display_name, a.assigned_by, a.assigned_at, a.submitted_at \
         FROM assessment_reviewers a JOIN societies s ON s.id = a.society_id JOIN users u ON u.id = a.reviewer_id \
         WHERE a.year = $1 ORDER BY s.code, u.display_name, u.id",
    )
    .bind(i64::from(year))
    .fetch_all(&db.pool)
    .await?;
    rows.iter()
        .map(|r| {
            Ok(Assignment {
                society_id: r.try_get(0)?,
                society_code: r.try_get(1)?,
                society_name: r.try_get(2)?,
                reviewer_id: r.try_get(3)?,
                reviewer_username: r.try_get(4)?,
                reviewer_name: r.try_get(5)?,
                assigned_by: r.try_get(6)?,
                assigned_at: r.try_get(7)?,
                submitted_at: r.try_get(8)?,
            })
        })
        .collect()
}

/// `member` (the reviewer belongs to the society) or `conflict` (a declared conflict of
/// interest).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Declaration {
    pub reviewer_id: i64,
    pub reviewer_name: String,
    pub society_id: i64,
    pub society_code: String,
    pub kind: String,
    pub reason: String,
    pub declared_by: String,
    pub declared_at: String,
}

/// Every declaration of a year (one statement).
pub async fn declarations_of_year(db: &Db, year: i32) -> AppResult<Vec<Declaration>> {
    let rows = sqlx::query(
        "SELECT c.reviewer_id, u.display_name, c.society_id, s.code, c.kind, c.reason, c.declared_by, c.declared_at \
         FROM assessment_conflicts c JOIN societies s ON s.id = c.society_id JOIN users u ON u.id = c.reviewer_id \
         WHERE c.year = $1 ORDER BY s.code, u.display_name, u.id",
    )
    .bind(i64::from(year))
    .fetch_all(&db.pool)
    .await?;
    rows.iter()
        .map(|r| {
            Ok(Declaration {
                reviewer_id: r.try_get(0)?,
                reviewer_name: r.try_get(1)?,
                society_id: r.try_get(2)?,
                society_code: r.try_get(3)?,
                kind: r.try_get(4)?,
                reason: r.try_get(5)?,
                declared_by: r.try_get(6)?,
                declared_at: r.try_get(7)?,
            })
        })
        .collect()
}

async fn declaration_in(
    tx: &mut Tx,
    year: i32,
    reviewer_id: i64,
    society_id: i64,
) -> AppResult<Option<(String, String)>> {
    let row = sqlx::query(
        "SELECT kind, reason FROM assessment_conflicts WHERE year = $1 AND reviewer_id = $2 AND society_id = $3",
    )
    .bind(i64::from(year))
    .bind(reviewer_id)
    .bind(society_id)
    .fetch_optional(&mut **tx)
    .await?;
    Ok(match row {
        Some(r) => Some((r.try_get(0)?, r.try_get(1)?)),
        None => None,
    })
}

/// Why a reviewer may not be assigned to, or score, a society.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Barred {
    /// A declared membership or conflict: (kind, reason).
    Declared(String, String),
}

/// Outcome of an assignment attempt.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Assigned {
    New,
    AlreadyAssigned,
    Barred(Barred),
}

/// Assigns a reviewer to a society (refused, inside the transaction, when the reviewer
/// declared membership or a conflict), with its audit entry.
pub async fn assign(
    db: &Db,
    actor: &Actor,
    now: DateTime<Utc>,
    year: i32,
    society: &Society,
    reviewer_id: i64,
    reviewer_username: &str,
) -> AppResult<Assigned> {
    let mut tx = db.begin().await?;
    if let Some((kind, reason)) = declaration_in(&mut tx, year, reviewer_id, society.id).await? {
        tx.rollback().await?;
        return Ok(Assigned::Barred(Barred::Declared(kind, reason)));
    }
    let done = sqlx::query(
        "INSERT INTO assessment_reviewers (year, society_id, reviewer_id, assigned_by, assigned_at) \
         VALUES ($1, $2, $3, $4, $5) ON CONFLICT (year, society_id, reviewer_id) DO NOTHING",
    )
    .bind(i64::from(year))
    .bind(society.id)
    .bind(reviewer_id)
    .bind(actor.label())
    .bind(ts(now))
    .execute(&mut *tx)
    .await?
    .rows_affected();
    if done == 0 {
        tx.rollback().await?;
        return Ok(Assigned::AlreadyAssigned);
    }
    audit::record(
        db,
        &mut tx,
        actor,
        now,
        Change {
            action: "assessment.assign",
            object_type: "society",
            object_id: &society.code,
            before: None,
            after: Some(json!({"year": year, "reviewer": reviewer_username})),
        },
    )
    .await?;
    tx.commit().await?;
    Ok(Assigned::New)
}

/// Removes an assignment whose scores were not submitted (its draft scores go with it), with
/// its audit entry. `false` when there is no such unsubmitted assignment.
pub async fn unassign(
    db: &Db,
    actor: &Actor,
    now: DateTime<Utc>,
    year: i32,
    society: &Society,
    reviewer_id: i64,
    reviewer_username: &str,
) -> AppResult<bool> {
    let mut tx = db.begin().await?;
    let gone = sqlx::query(
        "DELETE FROM assessment_reviewers WHERE year = $1 AND society_id = $2 AND reviewer_id = $3 AND submitted_at IS NULL",
    )
    .bind(i64::from(year))
    .bind(society.id)
    .bind(reviewer_id)
    .execute(&mut *tx)
    .await?
    .rows_affected();
    if gone == 0 {
        tx.rollback().await?;
        return Ok(false);
    }
    sqlx::query(
        "DELETE FROM assessment_scores WHERE year = $1 AND society_id = $2 AND reviewer_id = $3",
    )
    .bind(i64::from(year))
    .bind(society.id)
    .bind(reviewer_id)
    .execute(&mut *tx)
    .await?;
    audit::record(
        db,
        &mut tx,
        actor,
        now,
        Change {
            action: "assessment.unassign",
            object_type: "society",
            object_id: &society.code,
            before: Some(json!({"year": year, "reviewer": reviewer_username})),
            after: None,
        },
    )
    .await?;
    tx.commit().await?;
    Ok(true)
}

/// Records a reviewer's declaration about a society (`member` or `conflict`, with the reason;
/// a later declaration replaces the earlier one), and removes an unsubmitted assignment to it
/// (its draft scores with it), with the audit entry.
#[allow(clippy::too_many_arguments)]
pub async fn declare(
    db: &Db,
    actor: &Actor,
    now: DateTime<Utc>,
    year: i32,
    society: &Society,
    reviewer_id: i64,
    kind: &str,
    reason: &str,
    declared_by: &str,
) -> AppResult<()> {
    let mut tx = db.begin().await?;
    let before = declaration_in(&mut tx, year, reviewer_id, society.id)
        .await?
        .map(|(k, r)| json!({"year": year, "kind": k, "reason": r}));
    sqlx::query(
        "INSERT INTO assessment_conflicts (year, reviewer_id, society_id, kind, reason, declared_by, declared_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7) ON CONFLICT (year, reviewer_id, society_id) DO UPDATE SET \
         kind = excluded.kind, reason = excluded.reason, declared_by = excluded.declared_by, declared_at = excluded.declared_at",
    )
    .bind(i64::from(year))
    .bind(reviewer_id)
    .bind(society.id)
    .bind(kind)
    .bind(reason)
    .bind(declared_by)
    .bind(ts(now))
    .execute(&mut *tx)
    .await?;
    let unassigned = sqlx::query(
        "DELETE FROM assessment_reviewers WHERE year = $1 AND society_id = $2 AND reviewer_id = $3 AND submitted_at IS NULL",
    )
    .bind(i64::from(year))
    .bind(society.id)
    .bind(reviewer_id)
    .execute(&mut *tx)
    .await?
    .rows_affected();
    if unassigned > 0 {
        sqlx::query(
            "DELETE FROM assessment_scores WHERE year = $1 AND society_id = $2 AND reviewer_id = $3",
        )
        .bind(i64::from(year))
        .bind(society.id)
        .bind(reviewer_id)
        .execute(&mut *tx)
        .await?;
    }
    audit::record(db, &mut tx, actor, now, Change {
        action: "assessment.declare",
        object_type: "society",
        object_id: &society.code,
        before,
        after: Some(json!({"year": year, "kind": kind, "reason": reason, "reviewer": declared_by, "unassigned": unassigned > 0})),
    })
    .await?;
    tx.commit().await?;
    Ok(())
}

/// One reviewer's score of one leaf for one society.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ReviewerScore {
    pub society_id: i64,
    pub reviewer_id: i64,
    pub reviewer_name: String,
    pub indicator: String,
    pub score: Score,
    pub comment: String,
    pub entered_at: String,
    /// Whether the reviewer has submitted (only submitted scores count).
    pub submitted: bool,
}

fn reviewer_score_row(r: &sqlx::any::AnyRow) -> AppResult<ReviewerScore> {
    let submitted: Option<String> = r.try_get(7)?;
    Ok(ReviewerScore {
        society_id: r.try_get(0)?,
        reviewer_id: r.try_get(1)?,
        reviewer_name: r.try_get(2)?,
        indicator: r.try_get(3)?,
        score: score_of(r.try_get(4)?, "reviewer score")?,
        comment: r.try_get(5)?,
        entered_at: r.try_get(6)?,
        submitted: submitted.is_some(),
    })
}

const SCORES: &str = "SELECT x.society_id, x.reviewer_id, u.display_name, x.indicator, x.score, x.comment, x.entered_at, a.submitted_at \
     FROM assessment_scores x JOIN users u ON u.id = x.reviewer_id \
     JOIN assessment_reviewers a ON a.year = x.year AND a.society_id = x.society_id AND a.reviewer_id = x.reviewer_id";

/// Every reviewer score (draft and submitted) of one society and year.
pub async fn scores_of_society(
    db: &Db,
    year: i32,
    society_id: i64,
) -> AppResult<Vec<ReviewerScore>> {
    let rows = sqlx::query(AssertSqlSafe(format!(
        "{SCORES} WHERE x.year = $1 AND x.society_id = $2 ORDER BY x.indicator, u.display_name, x.reviewer_id"
    )))
    .bind(i64::from(year))
    .bind(society_id)
    .fetch_all(&db.pool)
    .await?;
    rows.iter().map(reviewer_score_row).collect()
}

/// The SUBMITTED reviewer scores of every society of a year (or of one): society id →
/// indicator → scores (by reviewer id). One statement.
pub async fn submitted_scores_of_year(
    db: &Db,
    year: i32,
    society_id: Option<i64>,
) -> AppResult<BTreeMap<i64, BTreeMap<String, Vec<Score>>>> {
    let one = if society_id.is_some() {
        " AND x.society_id = $2"
    } else {
        ""
    };
    let mut q = sqlx::query(AssertSqlSafe(format!(
        "SELECT x.society_id, x.indicator, x.score FROM assessment_scores x \
         JOIN assessment_reviewers a ON a.year = x.year AND a.society_id = x.society_id AND a.reviewer_id = x.reviewer_id \
         WHERE x.year = $1 AND a.submitted_at IS NOT NULL{one} ORDER BY x.society_id, x.indicator, x.reviewer_id"
    )))
    .bind(i64::from(year));
    if let Some(id) = society_id {
        q = q.bind(id);
    }
    let mut out: BTreeMap<i64, BTreeMap<String, Vec<Score>>> = BTreeMap::new();
    for r in &q.fetch_all(&db.pool).await? {
        out.entry(r.try_get(0)?)
            .or_default()
            .entry(r.try_get(1)?)
            .or_default()
            .push(score_of(r.try_get(2)?, "reviewer score")?);
    }
    Ok(out)
}

/// Whether a reviewer may score a society now.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Standing {
    NotAssigned,
    Barred(Barred),
    Submitted,
    Draft,
}

async fn standing_in(
    tx: &mut Tx,
    year: i32,
    society_id: i64,
    reviewer_id: i64,
) -> AppResult<Standing> {
    if let Some((kind, reason)) = declaration_in(tx, year, reviewer_id, society_id).await? {
        return Ok(Standing::Barred(Barred::Declared(kind, reason)));
    }
    let row = sqlx::query(
        "SELECT submitted_at FROM assessment_reviewers WHERE year = $1 AND society_id = $2 AND reviewer_id = $3",
    )
    .bind(i64::from(year))
    .bind(society_id)
    .bind(reviewer_id)
    .fetch_optional(&mut **tx)
    .await?;
    Ok(match row {
        None => Standing::NotAssigned,
        Some(r) => {
            let at: Option<String> = r.try_get(0)?;
            if at.is_some() {
                Standing::Submitted
            } else {
                Standing::Draft
            }
        }
    })
}

/// A reviewer's standing towards a society (outside a write).
pub async fn standing(
    db: &Db,
    year: i32,
    society_id: i64,
    reviewer_id: i64,
) -> AppResult<Standing> {
    let mut tx = db.begin().await?;
    let s = standing_in(&mut tx, year, society_id, reviewer_id).await?;
    tx.rollback().await?;
    Ok(s)
}

/// Saves a reviewer's draft scores (indicator, score, comment; `None` clears a leaf) and,
/// when `submit`, submits them (final from then on), with the audit entry — all in one
/// transaction that first re-reads the reviewer's standing. `Ok(standing after)` when written;
/// `Err(standing)` when refused (anything but an unsubmitted assignment without a declaration,
/// or a submission that lost a race): nothing is written then.
#[allow(clippy::too_many_arguments)]
pub async fn save_scores(
    db: &Db,
    actor: &Actor,
    now: DateTime<Utc>,
    year: i32,
    society: &Society,
    reviewer_id: i64,
    entries: &[(String, Option<Score>, String)],
    submit: bool,
) -> AppResult<Result<Standing, Standing>> {
    let mut tx = db.begin().await?;
    let standing = standing_in(&mut tx, year, society.id, reviewer_id).await?;
    if standing != Standing::Draft {
        tx.rollback().await?;
        return Ok(Err(standing));
    }
    for (indicator, score, comment) in entries {
        match score {
            Some(s) => {
                sqlx::query(
                    "INSERT INTO assessment_scores (year, society_id, reviewer_id, indicator, score, comment, entered_at) \
                     VALUES ($1, $2, $3, $4, $5, $6, $7) ON CONFLICT (year, society_id, reviewer_id, indicator) \
                     DO UPDATE SET score = excluded.score, comment = excluded.comment, entered_at = excluded.entered_at",
                )
                .bind(i64::from(year))
                .bind(society.id)
                .bind(reviewer_id)
                .bind(indicator.as_str())
                .bind(s.hundredths())
                .bind(comment.as_str())
                .bind(ts(now))
                .execute(&mut *tx)
                .await?;
            }
            None => {
                sqlx::query(
                    "DELETE FROM assessment_scores WHERE year = $1 AND society_id = $2 AND reviewer_id = $3 AND indicator = $4",
                )
                .bind(i64::from(year))
                .bind(society.id)
                .bind(reviewer_id)
                .bind(indicator.as_str())
                .execute(&mut *tx)
                .await?;
            }
        }
    }
    if submit {
        let n = sqlx::query(
            "UPDATE assessment_reviewers SET submitted_at = $1 WHERE year = $2 AND society_id = $3 AND reviewer_id = $4 AND submitted_at IS NULL",
        )
        .bind(ts(now))
        .bind(i64::from(year))
        .bind(society.id)
        .bind(reviewer_id)
        .execute(&mut *tx)
        .await?
        .rows_affected();
        if n != 1 {
            tx.rollback().await?;
            return Ok(Err(Standing::Submitted));
        }
    }
    let after: Vec<_> = entries
        .iter()
        .map(|(i, s, c)| json!({"indicator": i, "score": s.map(|s| s.to_string()), "comment": c}))
        .collect();
    audit::record(
        db,
        &mut tx,
        actor,
        now,
        Change {
            action: if submit {
                "assessment.submit_scores"
            } else {
                "assessment.save_scores"
            },
            object_type: "society",
            object_id: &society.code,
            before: None,
            after: Some(json!({"year": year, "scores": after, "submitted": submit})),
        },
    )
    .await?;
    tx.commit().await?;
    Ok(Ok(if submit {
        Standing::Submitted
    } else {
        Standing::Draft
    }))
}

// ---------------------------------------------------------------------------------------------
// Deductions and bonuses
// ---------------------------------------------------------------------------------------------

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct StoredAdjustment {
    pub id: i64,
    pub society_id: i64,
    /// The catalogue's adjustment id.
    pub adjustment: String,
    pub points: Score,
    pub reason: String,
    pub entered_by: String,
    pub entered_at: String,
}

/// The adjustments in force (not withdrawn) of every society of a year (or of one).
pub async fn adjustments_of_year(
    db: &Db,
    year: i32,
    society_id: Option<i64>,
) -> AppResult<BTreeMap<i64, Vec<StoredAdjustment>>> {
    let one = if society_id.is_some() {
        " AND society_id = $2"
    } else {
        ""
    };
    let mut q = sqlx::query(AssertSqlSafe(format!(
        "SELECT id, society_id, adjustment, points, reason, entered_by, entered_at FROM assessment_adjustments \
         WHERE year = $1 AND withdrawn_at IS NULL{one} ORDER BY id"
    )))
    .bind(i64::from(year));
    if let Some(id) = society_id {
        q = q.bind(id);
    }
    let mut out: BTreeMap<i64, Vec<StoredAdjustment>> = BTreeMap::new();
    for r in &q.fetch_all(&db.pool).await? {
        let a = StoredAdjustment {
            id: r.try_get(0)?,
            society_id: r.try_get(1)?,
            adjustment: r.try_get(2)?,
            points: score_of(r.try_get(3)?, "adjustment points")?,
            reason: r.try_get(4)?,
            entered_by: r.try_get(5)?,
            entered_at: r.try_get(6)?,
        };
        out.entry(a.society_id).or_default().push(a);
    }
    Ok(out)
}

/// Gives a society a deduction or bonus, with its audit entry. The caller checks the
/// catalogue's bound; returns the new row's id.
#[allow(clippy::too_many_arguments)]
pub async fn add_adjustment(
    db: &Db,
    actor: &Actor,
    now: DateTime<Utc>,
    year: i32,
    society: &Society,
    adjustment: &str,
    points: Score,
    reason: &str,
    entered_by: &str,
) -> AppResult<i64> {
    let mut tx = db.begin().await?;
    let id: i64 = sqlx::query(
        "INSERT INTO assessment_adjustments (year, society_id, adjustment, points, reason, entered_by, entered_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id",
    )
    .bind(i64::from(year))
    .bind(society.id)
    .bind(adjustment)
    .bind(points.hundredths())
    .bind(reason)
    .bind(entered_by)
    .bind(ts(now))
    .fetch_one(&mut *tx)
    .await?
    .try_get(0)?;
    audit::record(db, &mut tx, actor, now, Change {
        action: "assessment.adjustment",
        object_type: "society",
        object_id: &society.code,
        before: None,
        after: Some(json!({"year": year, "id": id, "adjustment": adjustment, "points": points.to_string(), "reason": reason})),
    })
    .await?;
    tx.commit().await?;
    Ok(id)
}

/// Withdraws an adjustment in force (kept, marked, with the reason), with its audit entry;
/// `false` when there is none in force with this id for the society and year.
/// `withdrawn_by` is the person as shown to people (like `entered_by`).
#[allow(clippy::too_many_arguments)]
pub async fn withdraw_adjustment(
    db: &Db,
    actor: &Actor,
    now: DateTime<Utc>,
    year: i32,
    society: &Society,
    id: i64,
    reason: &str,
    withdrawn_by: &str,
) -> AppResult<bool> {
    let mut tx = db.begin().await?;
    let before = sqlx::query(
        "SELECT adjustment, points, reason FROM assessment_adjustments \
         WHERE id = $1 AND year = $2 AND society_id = $3 AND withdrawn_at IS NULL",
    )
    .bind(id)
    .bind(i64::from(year))
    .bind(society.id)
    .fetch_optional(&mut *tx)
    .await?;
    let Some(before) = before else {
        tx.rollback().await?;
        return Ok(false);
    };
    let before_adjustment: String = before.try_get(0)?;
    let before_points = score_of(before.try_get(1)?, "adjustment points")?;
    let before_reason: String = before.try_get(2)?;
    let n = sqlx::query(
        "UPDATE assessment_adjustments SET withdrawn_by = $1, withdrawn_at = $2, withdrawn_reason = $3 \
         WHERE id = $4 AND year = $5 AND society_id = $6 AND withdrawn_at IS NULL",
    )
    .bind(withdrawn_by)
    .bind(ts(now))
    .bind(reason)
    .bind(id)
    .bind(i64::from(year))
    .bind(society.id)
    .execute(&mut *tx)
    .await?
    .rows_affected();
    if n == 0 {
        tx.rollback().await?;
        return Ok(false);
    }
    audit::record(
        db,
        &mut tx,
        actor,
        now,
        Change {
            action: "assessment.adjustment_withdraw",
            object_type: "society",
            object_id: &society.code,
            before: Some(json!({"year": year, "id": id, "adjustment": before_adjustment, "points": before_points.to_string(), "reason": before_reason})),
            after: Some(json!({"year": year, "id": id, "withdrawn": true, "reason": reason})),
        },
    )
    .await?;
    tx.commit().await?;
    Ok(true)
}

/// A deduction or bonus as recorded, in force or withdrawn (with who, when and why).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct AdjustmentRecord {
    pub adjustment: StoredAdjustment,
    pub withdrawn_by: Option<String>,
    pub withdrawn_at: Option<String>,
    pub withdrawn_reason: Option<String>,
}

/// Every deduction and bonus of one society and year, withdrawn ones included, oldest first.
/// One statement.
pub async fn adjustment_history(
    db: &Db,
    year: i32,
    society_id: i64,
) -> AppResult<Vec<AdjustmentRecord>> {
    let rows = sqlx::query(
        "SELECT id, society_id, adjustment, points, reason, entered_by, entered_at, withdrawn_by, withdrawn_at, withdrawn_reason \
         FROM assessment_adjustments WHERE year = $1 AND society_id = $2 ORDER BY id",
    )
    .bind(i64::from(year))
    .bind(society_id)
    .fetch_all(&db.pool)
    .await?;
    rows.iter()
        .map(|r| {
            Ok(AdjustmentRecord {
                adjustment: StoredAdjustment {
                    id: r.try_get(0)?,
                    society_id: r.try_get(1)?,
                    adjustment: r.try_get(2)?,
                    points: score_of(r.try_get(3)?, "adjustment points")?,
                    reason: r.try_get(4)?,
                    entered_by: r.try_get(5)?,
                    entered_at: r.try_get(6)?,
                },
                withdrawn_by: r.try_get(7)?,
                withdrawn_at: r.try_get(8)?,
                withdrawn_reason: r.try_get(9)?,
            })
        })
        .collect()
}

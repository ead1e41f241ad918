//! One versioned-document store for reform plans, rectification plans and monthly reports
//! (R-PLAN-4, R-TRACK-1): an editable draft, numbered immutable versions (the database refuses
//! to change or delete versions and reviews), reviews, and compare-and-set state moves, each
//! step with its audit entry in the caller's transaction. Plans and reports keep their own
//! tables (`plans` / `plan_versions` / `plan_reviews`, `reports` / …); a [`Shelf`] names them.
//!
//! Content is decoded once, into the document's typed content, where a row is read; a row that
//! does not decode is [`AppError::Unreadable`], naming the row — never an empty default.

use std::collections::BTreeMap;

use chrono::{DateTime, Utc};
use serde::Serialize;
use serde_json::json;
use sqlx::{AssertSqlSafe, Row};

use super::audit::{self, Actor, Change};
use super::{Db, Tx, ts};
use crate::error::{AppError, AppResult};
use crate::model::FieldError;

/// Where one kind of document lives.
#[derive(Debug)]
pub struct Shelf {
    /// The documents (draft, state): `plans`, `reports`.
    pub documents: &'static str,
    /// The immutable versions: `plan_versions`, `report_versions`.
    pub versions: &'static str,
    /// The reviews: `plan_reviews`, `report_reviews`.
    pub reviews: &'static str,
    /// The versions' and reviews' column naming the document: `plan_id`, `report_id`.
    pub parent: &'static str,
    /// Audit object type and action prefix: `plan` (`plan.submit`), `report`.
    pub noun: &'static str,
    /// Reviews carry comments per task (plans).
    pub task_comments: bool,
    /// Accepting a version records it in the document's `accepted_version` (plans).
    pub accepted_version: bool,
}

/// A stored document, as the shared steps need it.
pub trait Document {
    /// The typed content of the draft and of every version.
    type Content: Serialize;
    const SHELF: &'static Shelf;
    fn id(&self) -> i64;
    /// The stored state, the starting point of a compare-and-set move.
    fn state_str(&self) -> &'static str;
    fn draft(&self) -> &Self::Content;
    /// The audit object id: `A-03/2017/reform`, `A-03/2017-06`.
    fn object_id(&self) -> String;
    /// What a stored part of this document is called in an error, in Chinese and English
    /// (`part`: "草稿" / "draft", "第 2 版" / "version 2").
    fn describe(&self, part_zh: &str, part_en: &str) -> (String, String);
    /// Decodes stored content of this document.
    fn decode(&self, text: &str) -> Result<Self::Content, serde_json::Error>;
    /// The compact progress extract stored beside a version with this content (issue 8,
    /// `progress_json`): what colours and rates read (R-TRACK-3); `None` for content that keeps
    /// none (rectification plans).
    fn extract(content: &Self::Content) -> Option<String>;
}

/// One submitted version: immutable.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
#[schema(bound = "")]
pub struct Version<C> {
    pub version: i64,
    #[schema(value_type = Object)]
    pub content: C,
    pub submitted_at: String,
    pub submitted_by: String,
    /// Seconds after the deadline or due instant; null when on time.
    pub late_seconds: Option<i64>,
}

/// A reviewer's decision on a version.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Decision {
    /// Returned with a comment for correction.
    Returned,
    /// Accepted (plans).
    Accepted,
    /// A comment without a decision (reports).
    Comment,
}

impl Decision {
    /// As stored: `returned`, `accepted`, `comment`.
    pub fn as_str(self) -> &'static str {
        match self {
            Decision::Returned => "returned",
            Decision::Accepted => "accepted",
            Decision::Comment => "comment",
        }
    }

    pub fn parse(s: &str) -> Option<Decision> {
        [Decision::Returned, Decision::Accepted, Decision::Comment]
            .into_iter()
            .find(|d| d.as_str() == s)
    }

    /// The audit action's verb: `return`, `accept`, `comment`.
    fn verb(self) -> &'static str {
        match self {
            Decision::Returned => "return",
            Decision::Accepted => "accept",
            Decision::Comment => "comment",
        }
    }
}

/// One review: immutable.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct Review {
    pub version: i64,
    pub reviewer: String,
    /// `returned`, `accepted` (plans) or `comment` (reports).
    pub decision: Decision,
    pub comment: String,
    /// Comments per task number (plans).
    pub task_comments: BTreeMap<u32, String>,
    pub at: String,
}

/// Decodes stored content, naming the row when it does not decode.
pub fn decode<D: Document>(
    doc: &D,
    text: &str,
    part_zh: &str,
    part_en: &str,
) -> AppResult<D::Content> {
    doc.decode(text).map_err(|e| {
        let (zh, en) = doc.describe(part_zh, part_en);
        AppError::unreadable(zh, en, e)
    })
}

fn encode<C: Serialize>(content: &C) -> AppResult<String> {
    serde_json::to_string(content).map_err(|e| AppError::Internal(e.into()))
}

fn to_value<C: Serialize>(content: &C) -> serde_json::Value {
    serde_json::to_value(content).unwrap_or(serde_json::Value::Null)
}

fn changed_meanwhile(shelf: &Shelf) -> AppError {
    FieldError::new("state", &format!("err-{}-changed-meanwhile", shelf.noun)).into()
}

/// Moves the document from `from` to `to` only if it is still in `from` (compare-and-set), so
/// two reviewers or two processes cannot both decide.
async fn move_state(
    tx: &mut Tx,
    shelf: &Shelf,
    id: i64,
    from: &str,
    to: &str,
    now: DateTime<Utc>,
) -> AppResult<()> {
    let r = sqlx::query(AssertSqlSafe(format!(
        "UPDATE {} SET state = $3, updated_at = $4 WHERE id = $1 AND state = $2",
        shelf.documents
    )))
    .bind(id)
    .bind(from)
    .bind(to)
    .bind(ts(now))
    .execute(&mut **tx)
    .await?;
    if r.rows_affected() != 1 {
        return Err(changed_meanwhile(shelf));
    }
    Ok(())
}

/// Replaces the draft (the state must not have changed since the document was read).
pub async fn save_draft<D: Document>(
    db: &Db,
    tx: &mut Tx,
    actor: &Actor,
    now: DateTime<Utc>,
    doc: &D,
    content: &D::Content,
) -> AppResult<()> {
    let shelf = D::SHELF;
    let r = sqlx::query(AssertSqlSafe(format!(
        "UPDATE {} SET draft_json = $3, updated_at = $4 WHERE id = $1 AND state = $2",
        shelf.documents
    )))
    .bind(doc.id())
    .bind(doc.state_str())
    .bind(encode(content)?)
    .bind(ts(now))
    .execute(&mut **tx)
    .await?;
    if r.rows_affected() != 1 {
        return Err(changed_meanwhile(shelf));
    }
    audit::record(
        db,
        tx,
        actor,
        now,
        Change {
            action: &format!("{}.draft", shelf.noun),
            object_type: shelf.noun,
            object_id: &doc.object_id(),
            before: Some(to_value(doc.draft())),
            after: Some(to_value(content)),
        },
    )
    .await?;
    Ok(())
}

/// Freezes the draft as the next version and moves the state to `to` (compare-and-set).
/// Returns the new version's number.
pub async fn submit<D: Document>(
    db: &Db,
    tx: &mut Tx,
    actor: &Actor,
    now: DateTime<Utc>,
    doc: &D,
    to: &str,
    late_seconds: Option<i64>,
) -> AppResult<i64> {
    let shelf = D::SHELF;
    move_state(tx, shelf, doc.id(), doc.state_str(), to, now).await?;
    let next: i64 = sqlx::query(AssertSqlSafe(format!(
        "SELECT COALESCE(MAX(version), 0) + 1 FROM {} WHERE {} = $1",
        shelf.versions, shelf.parent
    )))
    .bind(doc.id())
    .fetch_one(&mut **tx)
    .await?
    .try_get(0)?;
    sqlx::query(AssertSqlSafe(format!(
        "INSERT INTO {} ({}, version, content_json, submitted_at, submitted_by, late_seconds, progress_json) VALUES ($1, $2, $3, $4, $5, $6, $7)",
        shelf.versions, shelf.parent
    )))
    .bind(doc.id())
    .bind(next)
    .bind(encode(doc.draft())?)
    .bind(ts(now))
    .bind(actor.label())
    .bind(late_seconds)
    .bind(D::extract(doc.draft()))
    .execute(&mut **tx)
    .await?;
    audit::record(
        db,
        tx,
        actor,
        now,
        Change {
            action: &format!("{}.submit", shelf.noun),
            object_type: shelf.noun,
            object_id: &doc.object_id(),
            before: Some(json!({"state": doc.state_str()})),
            after: Some(json!({"state": to, "version": next, "late_seconds": late_seconds})),
        },
    )
    .await?;
    Ok(next)
}

/// A reviewer's step on the latest version.
pub struct NewReview<'a> {
    pub decision: Decision,
    /// The version decided on.
    pub version: i64,
    /// The state the document moves to (compare-and-set from its stored state).
    pub to: &'a str,
    pub comment: &'a str,
    pub task_comments: &'a BTreeMap<u32, String>,
}

/// Records a review and moves the state; an acceptance also records the accepted version
/// where the shelf keeps one.
pub async fn review<D: Document>(
    db: &Db,
    tx: &mut Tx,
    actor: &Actor,
    now: DateTime<Utc>,
    doc: &D,
    r: &NewReview<'_>,
) -> AppResult<()> {
    let shelf = D::SHELF;
    move_state(tx, shelf, doc.id(), doc.state_str(), r.to, now).await?;
    let task_comments =
        serde_json::to_string(r.task_comments).map_err(|e| AppError::Internal(e.into()))?;
    if shelf.task_comments {
        sqlx::query(AssertSqlSafe(format!(
            "INSERT INTO {} ({}, version, reviewer, decision, comment, task_comments_json, at) VALUES ($1, $2, $3, $4, $5, $6, $7)",
            shelf.reviews, shelf.parent
        )))
        .bind(doc.id())
        .bind(r.version)
        .bind(actor.label())
        .bind(r.decision.as_str())
        .bind(r.comment)
        .bind(task_comments)
        .bind(ts(now))
        .execute(&mut **tx)
        .await?;
    } else {
        sqlx::query(AssertSqlSafe(format!(
            "INSERT INTO {} ({}, version, reviewer, decision, comment, at) VALUES ($1, $2, $3, $4, $5, $6)",
            shelf.reviews, shelf.parent
        )))
        .bind(doc.id())
        .bind(r.version)
        .bind(actor.label())
        .bind(r.decision.as_str())
        .bind(r.comment)
        .bind(ts(now))
        .execute(&mut **tx)
        .await?;
    }
    if r.decision == Decision::Accepted && shelf.accepted_version {
        sqlx::query(AssertSqlSafe(format!(
            "UPDATE {} SET accepted_version = $2 WHERE id = $1",
            shelf.documents
        )))
        .bind(doc.id())
        .bind(r.version)
        .execute(&mut **tx)
        .await?;
    }
    audit::record(
        db,
        tx,
        actor,
        now,
        Change {
            action: &format!("{}.{}", shelf.noun, r.decision.verb()),
            object_type: shelf.noun,
            object_id: &doc.object_id(),
            before: Some(json!({"state": doc.state_str()})),
            after: Some(json!({
                "state": r.to,
                "version": r.version,
                "comment": r.comment,
                "task_comments": r.task_comments,
            })),
        },
    )
    .await?;
    Ok(())
}

/// Every version of a document, oldest first, decoded.
pub async fn versions<D: Document>(db: &Db, doc: &D) -> AppResult<Vec<Version<D::Content>>> {
    let shelf = D::SHELF;
    let rows = sqlx::query(AssertSqlSafe(format!(
        "SELECT version, content_json, submitted_at, submitted_by, late_seconds FROM {} WHERE {} = $1 ORDER BY version",
        shelf.versions, shelf.parent
    )))
    .bind(doc.id())
    .fetch_all(&db.pool)
    .await?;
    rows.iter()
        .map(|r| {
            let version: i64 = r.try_get(0)?;
            let text: String = r.try_get(1)?;
            Ok(Version {
                content: decode(
                    doc,
                    &text,
                    &format!("第 {version} 版"),
                    &format!("version {version}"),
                )?,
                version,
                submitted_at: r.try_get(2)?,
                submitted_by: r.try_get(3)?,
                late_seconds: r.try_get(4)?,
            })
        })
        .collect()
}

fn review_from_row(r: &sqlx::any::AnyRow, task_comments: bool) -> AppResult<Review> {
    let decision: String = r.try_get(2)?;
    Ok(Review {
        version: r.try_get(0)?,
        reviewer: r.try_get(1)?,
        decision: Decision::parse(&decision)
            .ok_or_else(|| anyhow::anyhow!("stored review decision {decision} unknown"))?,
        comment: r.try_get(3)?,
        at: r.try_get(4)?,
        task_comments: if task_comments {
            let text: String = r.try_get(5)?;
            serde_json::from_str(&text)
                .map_err(|e| anyhow::anyhow!("stored task comments unreadable: {e}"))?
        } else {
            BTreeMap::new()
        },
    })
}

fn review_columns(shelf: &Shelf) -> &'static str {
    if shelf.task_comments {
        "version, reviewer, decision, comment, at, task_comments_json"
    } else {
        "version, reviewer, decision, comment, at"
    }
}

/// Every review of a document, oldest first.
pub async fn reviews<D: Document>(db: &Db, doc: &D) -> AppResult<Vec<Review>> {
    let shelf = D::SHELF;
    let rows = sqlx::query(AssertSqlSafe(format!(
        "SELECT {} FROM {} WHERE {} = $1 ORDER BY id",
        review_columns(shelf),
        shelf.reviews,
        shelf.parent
    )))
    .bind(doc.id())
    .fetch_all(&db.pool)
    .await?;
    rows.iter()
        .map(|r| review_from_row(r, shelf.task_comments))
        .collect()
}

/// Every review of every document of a year, by document id (one query; queues, dashboards).
pub async fn reviews_of_year(
    db: &Db,
    shelf: &Shelf,
    year: i32,
) -> AppResult<BTreeMap<i64, Vec<Review>>> {
    reviews_where(db, shelf, year, None).await
}

/// Every review of every document of one month of a year, by document id (one query; the
/// dashboard, issue 8). Only for a shelf whose documents have a month (reports): the
/// statement names `d.month`.
pub async fn reviews_of_month(
    db: &Db,
    shelf: &Shelf,
    year: i32,
    month: u32,
) -> AppResult<BTreeMap<i64, Vec<Review>>> {
    reviews_where(db, shelf, year, Some(month)).await
}

/// The reviews of a year's documents, or of one month's.
async fn reviews_where(
    db: &Db,
    shelf: &Shelf,
    year: i32,
    month: Option<u32>,
) -> AppResult<BTreeMap<i64, Vec<Review>>> {
    let of_month = if month.is_some() {
        " AND d.month = $2"
    } else {
        ""
    };
    let mut q = sqlx::query(AssertSqlSafe(format!(
        "SELECT {}, x.{} FROM {} x JOIN {} d ON d.id = x.{} WHERE d.year = $1{of_month} ORDER BY x.id",
        review_columns(shelf)
            .split(", ")
            .map(|c| format!("x.{c}"))
            .collect::<Vec<_>>()
            .join(", "),
        shelf.parent,
        shelf.reviews,
        shelf.documents,
        shelf.parent
    )))
    .bind(i64::from(year));
    if let Some(m) = month {
        q = q.bind(i64::from(m));
    }
    let rows = q.fetch_all(&db.pool).await?;
    let parent_idx = if shelf.task_comments { 6 } else { 5 };
    let mut out: BTreeMap<i64, Vec<Review>> = BTreeMap::new();
    for r in &rows {
        let id: i64 = r.try_get(parent_idx)?;
        out.entry(id)
            .or_default()
            .push(review_from_row(r, shelf.task_comments)?);
    }
    Ok(out)
}

/// Audits the creation of a document in the caller's transaction.
pub async fn audit_create(
    db: &Db,
    tx: &mut Tx,
    actor: &Actor,
    now: DateTime<Utc>,
    action: &str,
    object_type: &str,
    object_id: &str,
    after: serde_json::Value,
) -> AppResult<()> {
    audit::record(
        db,
        tx,
        actor,
        now,
        Change {
            action,
            object_type,
            object_id,
            before: None,
            after: Some(after),
        },
    )
    .await?;
    Ok(())
}

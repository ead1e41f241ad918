//! The assessment's year-end lifecycle (issue 12, migration 0009): the year's state
//! (`shown` → `requested` → `final`), the societies' objections with the reviewers' answers,
//! and the published results (canonical bytes, SHA-256, own chain, audit head). The database
//! refuses UPDATE and DELETE on `assessment_results` (triggers; on PostgreSQL also TRUNCATE
//! and the privileges), as for bulletins.

use sqlx::Row;
use sqlx::any::AnyRow;

use super::{Db, Tx};
use crate::error::AppResult;

/// The year's lifecycle row (absent: the year is still `open`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct YearRow {
    pub year: i32,
    /// `shown`, `requested` or `final`.
    pub state: String,
    pub shown_at: String,
    pub shown_by: String,
    /// RFC 3339 UTC: the last instant an objection is accepted.
    pub objection_deadline: String,
    pub requested_by: Option<String>,
    pub requested_at: Option<String>,
    pub approved_by: Option<String>,
    pub approved_at: Option<String>,
}

fn year_row(r: &AnyRow) -> AppResult<YearRow> {
    let year: i64 = r.try_get(0)?;
    Ok(YearRow {
        year: i32::try_from(year)
            .map_err(|_| anyhow::anyhow!("stored assessment year {year} out of range"))?,
        state: r.try_get(1)?,
        shown_at: r.try_get(2)?,
        shown_by: r.try_get(3)?,
        objection_deadline: r.try_get(4)?,
        requested_by: r.try_get(5)?,
        requested_at: r.try_get(6)?,
        approved_by: r.try_get(7)?,
        approved_at: r.try_get(8)?,
    })
}

const YEAR: &str = "SELECT year, state, shown_at, shown_by, objection_deadline, requested_by, \
     requested_at, approved_by, approved_at FROM assessment_years WHERE year = $1";

/// The year's lifecycle row. One query.
pub async fn year(db: &Db, year: i32) -> AppResult<Option<YearRow>> {
    let r = sqlx::query(YEAR)
        .bind(i64::from(year))
        .fetch_optional(&db.pool)
        .await?;
    r.as_ref().map(year_row).transpose()
}

/// The same inside a transaction.
pub async fn year_in(tx: &mut Tx, year: i32) -> AppResult<Option<YearRow>> {
    let r = sqlx::query(YEAR)
        .bind(i64::from(year))
        .fetch_optional(&mut **tx)
        .await?;
    r.as_ref().map(year_row).transpose()
}

/// Starts the objection window (the year must have no row yet; false when it has one).
pub async fn show(
    tx: &mut Tx,
    year: i32,
    shown_at: &str,
    shown_by: &str,
    deadline: &str,
) -> AppResult<bool> {
    let r = sqlx::query(
        "INSERT INTO assessment_years (year, state, shown_at, shown_by, objection_deadline) \
         VALUES ($1, 'shown', $2, $3, $4) ON CONFLICT (year) DO NOTHING",
    )
    .bind(i64::from(year))
    .bind(shown_at)
    .bind(shown_by)
    .bind(deadline)
    .execute(&mut **tx)
    .await?;
    Ok(r.rows_affected() == 1)
}

/// `shown` → `requested` (compare-and-set; false when the state was not `shown`).
pub async fn request(tx: &mut Tx, year: i32, by: &str, at: &str) -> AppResult<bool> {
    let r = sqlx::query(
        "UPDATE assessment_years SET state = 'requested', requested_by = $2, requested_at = $3 \
         WHERE year = $1 AND state = 'shown'",
    )
    .bind(i64::from(year))
    .bind(by)
    .bind(at)
    .execute(&mut **tx)
    .await?;
    Ok(r.rows_affected() == 1)
}

/// `requested` → `final` (compare-and-set on the state and the requester).
pub async fn approve(
    tx: &mut Tx,
    year: i32,
    requested_by: &str,
    by: &str,
    at: &str,
) -> AppResult<bool> {
    let r = sqlx::query(
        "UPDATE assessment_years SET state = 'final', approved_by = $3, approved_at = $4 \
         WHERE year = $1 AND state = 'requested' AND requested_by = $2",
    )
    .bind(i64::from(year))
    .bind(requested_by)
    .bind(by)
    .bind(at)
    .execute(&mut **tx)
    .await?;
    Ok(r.rows_affected() == 1)
}

/// One objection.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ObjectionRow {
    pub id: i64,
    pub year: i32,
    pub society_id: i64,
    pub reason: String,
    pub evidence_id: Option<i64>,
    pub filed_by: String,
    pub filed_at: String,
    pub answer: Option<String>,
    pub changed: Option<bool>,
    pub answered_by: Option<String>,
    pub answered_at: Option<String>,
    /// The change the answer caused (migration 0012): `acceptance` (an acceptance decision),
    /// `adjustment` (a deduction or bonus given) or `withdrawal` (one withdrawn), with the id
    /// of that decision or adjustment.
    pub change: Option<(String, i64)>,
}

// `changed` as an integer (NULL until answered): sqlx's Any driver reads neither SQLite's
// BOOLEAN nor a NULL of it.
const OBJECTION: &str = "SELECT id, year, society_id, reason, evidence_id, filed_by, filed_at, \
     answer, CAST(CASE WHEN changed IS NULL THEN NULL WHEN changed THEN 1 ELSE 0 END AS BIGINT), \
     answered_by, answered_at, change_kind, change_id FROM assessment_objections";

fn objection(r: &AnyRow) -> AppResult<ObjectionRow> {
    let year: i64 = r.try_get(1)?;
    let changed: Option<bool> = r.try_get::<Option<i64>, _>(8)?.map(|v| v != 0);
    Ok(ObjectionRow {
        id: r.try_get(0)?,
        year: i32::try_from(year)
            .map_err(|_| anyhow::anyhow!("stored objection year {year} out of range"))?,
        society_id: r.try_get(2)?,
        reason: r.try_get(3)?,
        evidence_id: r.try_get(4)?,
        filed_by: r.try_get(5)?,
        filed_at: r.try_get(6)?,
        answer: r.try_get(7)?,
        changed,
        answered_by: r.try_get(9)?,
        answered_at: r.try_get(10)?,
        change: match (
            r.try_get::<Option<String>, _>(11)?,
            r.try_get::<Option<i64>, _>(12)?,
        ) {
            (Some(kind), Some(id)) => Some((kind, id)),
            _ => None,
        },
    })
}

/// The year's objections (`society`: one society's only), oldest first. One query.
pub async fn objections(db: &Db, year: i32, society: Option<i64>) -> AppResult<Vec<ObjectionRow>> {
    let rows = match society {
        Some(id) => {
            sqlx::query(sqlx::AssertSqlSafe(format!(
                "{OBJECTION} WHERE year = $1 AND society_id = $2 ORDER BY id"
            )))
            .bind(i64::from(year))
            .bind(id)
            .fetch_all(&db.pool)
            .await?
        }
        None => {
            sqlx::query(sqlx::AssertSqlSafe(format!(
                "{OBJECTION} WHERE year = $1 ORDER BY id"
            )))
            .bind(i64::from(year))
            .fetch_all(&db.pool)
            .await?
        }
    };
    rows.iter().map(objection).collect()
}

/// One objection by id. One query.
pub async fn objection_by_id(db: &Db, id: i64) -> AppResult<Option<ObjectionRow>> {
    let r = sqlx::query(sqlx::AssertSqlSafe(format!("{OBJECTION} WHERE id = $1")))
        .bind(id)
        .fetch_optional(&db.pool)
        .await?;
    r.as_ref().map(objection).transpose()
}

/// Unanswered objections of the year, inside a transaction.
pub async fn open_objections_in(tx: &mut Tx, year: i32) -> AppResult<i64> {
    let r = sqlx::query(
        "SELECT COUNT(*) FROM assessment_objections WHERE year = $1 AND answered_at IS NULL",
    )
    .bind(i64::from(year))
    .fetch_one(&mut **tx)
    .await?;
    Ok(r.try_get(0)?)
}

/// What a new objection holds.
pub struct NewObjection<'a> {
    pub year: i32,
    pub society_id: i64,
    pub reason: &'a str,
    pub evidence_id: Option<i64>,
    pub filed_by: &'a str,
    pub filed_at: &'a str,
}

/// Stores an objection; returns its id.
pub async fn file(tx: &mut Tx, o: &NewObjection<'_>) -> AppResult<i64> {
    let r = sqlx::query(
        "INSERT INTO assessment_objections (year, society_id, reason, evidence_id, filed_by, filed_at) \
         VALUES ($1, $2, $3, $4, $5, $6) RETURNING id",
    )
    .bind(i64::from(o.year))
    .bind(o.society_id)
    .bind(o.reason)
    .bind(o.evidence_id)
    .bind(o.filed_by)
    .bind(o.filed_at)
    .fetch_one(&mut **tx)
    .await?;
    Ok(r.try_get(0)?)
}

/// Answers an objection once (compare-and-set on `answered_at IS NULL`).
/// `change`: the change the answer caused (kind, id), if any.
#[allow(clippy::too_many_arguments)]
pub async fn answer(
    tx: &mut Tx,
    id: i64,
    answer: &str,
    changed: bool,
    change: Option<(&str, i64)>,
    by: &str,
    at: &str,
) -> AppResult<bool> {
    let r = sqlx::query(
        "UPDATE assessment_objections SET answer = $2, changed = $3, answered_by = $4, answered_at = $5, \
         change_kind = $6, change_id = $7 WHERE id = $1 AND answered_at IS NULL",
    )
    .bind(id)
    .bind(answer)
    .bind(changed)
    .bind(by)
    .bind(at)
    .bind(change.map(|c| c.0))
    .bind(change.map(|c| c.1))
    .execute(&mut **tx)
    .await?;
    Ok(r.rows_affected() == 1)
}

/// A published result's header (no content).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ResultRow {
    pub number: u32,
    pub year: i32,
    pub published_at: String,
    pub published_by: String,
    pub sha256: String,
    pub prev_sha256: Option<String>,
    pub audit_seq: Option<i64>,
    pub audit_sha256: Option<String>,
}

const RESULT: &str = "SELECT number, year, published_at, published_by, sha256, prev_sha256, \
     audit_seq, audit_sha256, content FROM assessment_results";

fn result(r: &AnyRow) -> AppResult<(ResultRow, String)> {
    let number: i64 = r.try_get(0)?;
    let year: i64 = r.try_get(1)?;
    Ok((
        ResultRow {
            number: u32::try_from(number)
                .map_err(|_| anyhow::anyhow!("stored results number {number} out of range"))?,
            year: i32::try_from(year)
                .map_err(|_| anyhow::anyhow!("stored results year {year} out of range"))?,
            published_at: r.try_get(2)?,
            published_by: r.try_get(3)?,
            sha256: r.try_get(4)?,
            prev_sha256: r.try_get(5)?,
            audit_seq: r.try_get(6)?,
            audit_sha256: r.try_get(7)?,
        },
        r.try_get(8)?,
    ))
}

/// Every publication with its content, in number order (the chain). One query.
pub async fn chain(db: &Db) -> AppResult<Vec<(ResultRow, String)>> {
    let rows = sqlx::query(sqlx::AssertSqlSafe(format!("{RESULT} ORDER BY number")))
        .fetch_all(&db.pool)
        .await?;
    rows.iter().map(result).collect()
}

/// The same inside a transaction.
pub async fn chain_in(tx: &mut Tx) -> AppResult<Vec<(ResultRow, String)>> {
    let rows = sqlx::query(sqlx::AssertSqlSafe(format!("{RESULT} ORDER BY number")))
        .fetch_all(&mut **tx)
        .await?;
    rows.iter().map(result).collect()
}

/// The year's publication with its content. One query.
pub async fn of_year(db: &Db, year: i32) -> AppResult<Option<(ResultRow, String)>> {
    let r = sqlx::query(sqlx::AssertSqlSafe(format!("{RESULT} WHERE year = $1")))
        .bind(i64::from(year))
        .fetch_optional(&db.pool)
        .await?;
    r.as_ref().map(result).transpose()
}

/// Stores a publication inside the caller's transaction.
pub async fn insert(tx: &mut Tx, h: &ResultRow, content: &str) -> AppResult<()> {
    sqlx::query(
        "INSERT INTO assessment_results (number, year, published_at, published_by, content, \
         sha256, prev_sha256, audit_seq, audit_sha256) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
    )
    .bind(i64::from(h.number))
    .bind(i64::from(h.year))
    .bind(&h.published_at)
    .bind(&h.published_by)
    .bind(content)
    .bind(&h.sha256)
    .bind(h.prev_sha256.as_deref())
    .bind(h.audit_seq)
    .bind(h.audit_sha256.as_deref())
    .execute(&mut **tx)
    .await?;
    Ok(())
}

/// One inbox notification written inside the caller's transaction.
pub struct Notice<'a> {
    pub user_id: i64,
    pub dedupe_key: &'a str,
    pub subject_zh: &'a str,
    pub subject_en: &'a str,
    pub link: &'a str,
    pub email_to: Option<&'a str>,
}

/// Stores notifications of `kind` in the caller's transaction, skipping any (user, key)
/// already stored.
pub async fn notify_in(
    tx: &mut Tx,
    now: &str,
    kind: &str,
    notices: &[Notice<'_>],
) -> AppResult<u64> {
    let mut added = 0;
    for n in notices {
        let r = sqlx::query(
            "INSERT INTO notifications (user_id, kind, dedupe_key, subject_zh, subject_en, link, created_at, email_to) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8) ON CONFLICT (user_id, dedupe_key) DO NOTHING",
        )
        .bind(n.user_id)
        .bind(kind)
        .bind(n.dedupe_key)
        .bind(n.subject_zh)
        .bind(n.subject_en)
        .bind(n.link)
        .bind(now)
        .bind(n.email_to)
        .execute(&mut **tx)
        .await?;
        added += r.rows_affected();
    }
    Ok(added)
}

/// One reviewer score for the export: (society id, reviewer's display name, indicator, score
/// in hundredths, comment, entered at, submitted at).
pub type ScoreLine = (i64, String, String, i64, String, String, Option<String>);

/// Every reviewer score of a year, drafts included, with its comment (the administrators'
/// export). One statement.
pub async fn scores_of_year(db: &Db, year: i32) -> AppResult<Vec<ScoreLine>> {
    let rows = sqlx::query(
        "SELECT x.society_id, u.display_name, x.indicator, x.score, x.comment, x.entered_at, a.submitted_at \
         FROM assessment_scores x JOIN users u ON u.id = x.reviewer_id \
         JOIN assessment_reviewers a ON a.year = x.year AND a.society_id = x.society_id AND a.reviewer_id = x.reviewer_id \
         WHERE x.year = $1 ORDER BY x.society_id, x.indicator, u.display_name, x.reviewer_id",
    )
    .bind(i64::from(year))
    .fetch_all(&db.pool)
    .await?;
    rows.iter()
        .map(|r| {
            Ok((
                r.try_get(0)?,
                r.try_get(1)?,
                r.try_get(2)?,
                r.try_get(3)?,
                r.try_get(4)?,
                r.try_get(5)?,
                r.try_get(6)?,
            ))
        })
        .collect()
}

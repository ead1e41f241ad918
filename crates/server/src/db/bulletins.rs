//! Published monitoring bulletins (R-PUB-1, R-PUB-2): one row per 第N期 with the canonical
//! bytes exactly as hashed, the hash, the chain link, what it corrects and the audit trail's
//! head at publication. The database refuses UPDATE and DELETE (triggers, as for the audit
//! trail; on PostgreSQL also TRUNCATE and the privileges).

use reformwatch_core::publish::StoredBulletin;
use sqlx::Row;
use sqlx::any::AnyRow;

use super::{Db, Tx};
use crate::error::AppResult;

/// A bulletin's header as listed publicly (no content).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BulletinRow {
    pub number: u32,
    pub year: i32,
    pub month: u32,
    /// RFC 3339 UTC, whole seconds (`2017-09-06T02:00:00Z`), as in the content.
    pub published_at: String,
    /// The audit actor who published it (never shown publicly).
    pub published_by: String,
    pub sha256: String,
    pub prev_sha256: Option<String>,
    pub corrects: Vec<u32>,
    pub correction_note_zh: Option<String>,
    pub correction_note_en: Option<String>,
    pub audit_seq: Option<i64>,
    pub audit_sha256: Option<String>,
}

/// What a new row holds.
pub struct NewBulletin<'a> {
    pub header: &'a BulletinRow,
    /// The canonical bytes (UTF-8 JSON).
    pub content: &'a str,
}

/// The header columns of every bulletin (never `content`); answered from the covering index
/// `bulletins_header` in SQLite (migration 0013).
pub const HEADER: &str = "SELECT number, year, month, published_at, published_by, sha256, prev_sha256, \
     corrects, correction_note_zh, correction_note_en, audit_seq, audit_sha256 FROM bulletins";

fn header(r: &AnyRow) -> AppResult<BulletinRow> {
    let corrects: String = r.try_get(7)?;
    let corrects: Vec<u32> = serde_json::from_str(&corrects)
        .map_err(|e| anyhow::anyhow!("stored bulletin corrects {corrects:?} unreadable: {e}"))?;
    let number: i64 = r.try_get(0)?;
    let year: i64 = r.try_get(1)?;
    let month: i64 = r.try_get(2)?;
    Ok(BulletinRow {
        number: u32::try_from(number)
            .map_err(|_| anyhow::anyhow!("stored bulletin number {number} out of range"))?,
        year: i32::try_from(year)
            .map_err(|_| anyhow::anyhow!("stored bulletin year {year} out of range"))?,
        month: u32::try_from(month)
            .map_err(|_| anyhow::anyhow!("stored bulletin month {month} out of range"))?,
        published_at: r.try_get(3)?,
        published_by: r.try_get(4)?,
        sha256: r.try_get(5)?,
        prev_sha256: r.try_get(6)?,
        corrects,
        correction_note_zh: r.try_get(8)?,
        correction_note_en: r.try_get(9)?,
        audit_seq: r.try_get(10)?,
        audit_sha256: r.try_get(11)?,
    })
}

/// Every bulletin's header, in number order. One query.
pub async fn list(db: &Db) -> AppResult<Vec<BulletinRow>> {
    let rows = sqlx::query(sqlx::AssertSqlSafe(format!("{HEADER} ORDER BY number")))
        .fetch_all(&db.pool)
        .await?;
    rows.iter().map(header).collect()
}

/// One bulletin: header and canonical bytes. One query.
pub async fn get(db: &Db, number: u32) -> AppResult<Option<(BulletinRow, Vec<u8>)>> {
    let row = sqlx::query(
        "SELECT number, year, month, published_at, published_by, sha256, prev_sha256, \
         corrects, correction_note_zh, correction_note_en, audit_seq, audit_sha256, content \
         FROM bulletins WHERE number = $1",
    )
    .bind(i64::from(number))
    .fetch_optional(&db.pool)
    .await?;
    match row {
        None => Ok(None),
        Some(r) => {
            let content: String = r.try_get(12)?;
            Ok(Some((header(&r)?, content.into_bytes())))
        }
    }
}

fn stored(rows: &[AnyRow]) -> AppResult<Vec<StoredBulletin>> {
    rows.iter()
        .map(|r| {
            let number: i64 = r.try_get(0)?;
            let content: String = r.try_get(2)?;
            Ok(StoredBulletin {
                number: u32::try_from(number)
                    .map_err(|_| anyhow::anyhow!("stored bulletin number {number} out of range"))?,
                sha256: r.try_get(1)?,
                bytes: content.into_bytes(),
            })
        })
        .collect()
}

const CHAIN: &str = "SELECT number, sha256, content FROM bulletins ORDER BY number";

/// The whole chain with content, in number order (verification, the trend). One query.
pub async fn chain(db: &Db) -> AppResult<Vec<StoredBulletin>> {
    let rows = sqlx::query(CHAIN).fetch_all(&db.pool).await?;
    stored(&rows)
}

/// The same inside a transaction (publishing builds on what the transaction sees).
pub async fn chain_in(tx: &mut Tx) -> AppResult<Vec<StoredBulletin>> {
    let rows = sqlx::query(CHAIN).fetch_all(&mut **tx).await?;
    stored(&rows)
}

/// The audit trail's newest entry (sequence, hash), `None` when empty (the preview).
pub async fn audit_head(db: &Db) -> AppResult<Option<(i64, String)>> {
    let row = sqlx::query("SELECT seq, hash FROM audit_log ORDER BY seq DESC LIMIT 1")
        .fetch_optional(&db.pool)
        .await?;
    Ok(match row {
        Some(r) => Some((r.try_get(0)?, r.try_get(1)?)),
        None => None,
    })
}

/// The audit trail's newest entry (sequence, hash) inside the transaction, `None` when empty.
pub async fn audit_head_in(tx: &mut Tx) -> AppResult<Option<(i64, String)>> {
    let row = sqlx::query("SELECT seq, hash FROM audit_log ORDER BY seq DESC LIMIT 1")
        .fetch_optional(&mut **tx)
        .await?;
    Ok(match row {
        Some(r) => Some((r.try_get(0)?, r.try_get(1)?)),
        None => None,
    })
}

/// Stores a published bulletin inside the caller's transaction (with its audit entry).
pub async fn insert(tx: &mut Tx, new: &NewBulletin<'_>) -> AppResult<()> {
    let h = new.header;
    let corrects = serde_json::to_string(&h.corrects)
        .map_err(|e| anyhow::anyhow!("bulletin corrects not serialisable: {e}"))?;
    sqlx::query(
        "INSERT INTO bulletins (number, year, month, published_at, published_by, content, sha256, \
         prev_sha256, corrects, correction_note_zh, correction_note_en, audit_seq, audit_sha256) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13)",
    )
    .bind(i64::from(h.number))
    .bind(i64::from(h.year))
    .bind(i64::from(h.month))
    .bind(&h.published_at)
    .bind(&h.published_by)
    .bind(new.content)
    .bind(&h.sha256)
    .bind(h.prev_sha256.as_deref())
    .bind(corrects)
    .bind(h.correction_note_zh.as_deref())
    .bind(h.correction_note_en.as_deref())
    .bind(h.audit_seq)
    .bind(h.audit_sha256.as_deref())
    .execute(&mut **tx)
    .await?;
    Ok(())
}

/// One inbox notification written inside the publishing transaction.
pub struct Notice<'a> {
    pub user_id: i64,
    pub dedupe_key: &'a str,
    pub subject_zh: &'a str,
    pub subject_en: &'a str,
    pub link: &'a str,
    pub email_to: Option<&'a str>,
}

/// Stores the publication's notifications (kind `bulletin-published`) in the caller's
/// transaction, skipping any (user, key) already stored.
pub async fn notify_in(tx: &mut Tx, now: &str, notices: &[Notice<'_>]) -> AppResult<u64> {
    let mut added = 0;
    for n in notices {
        let r = sqlx::query(
            "INSERT INTO notifications (user_id, kind, dedupe_key, subject_zh, subject_en, link, created_at, email_to) \
             VALUES ($1, 'bulletin-published', $2, $3, $4, $5, $6, $7) ON CONFLICT (user_id, dedupe_key) DO NOTHING",
        )
        .bind(n.user_id)
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

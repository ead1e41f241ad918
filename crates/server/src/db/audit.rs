//! R-X-2: the audit trail. Every state change appends an entry in the same transaction as the
//! change. Entries are numbered and SHA-256 hash-chained; the database refuses updates and
//! deletes (triggers, and on PostgreSQL revoked privileges), and `verify` finds the first entry
//! that was edited, deleted or reordered.

use chrono::{DateTime, Utc};
use serde::Serialize;
use serde_json::Value;
use sha2::{Digest, Sha256};
use sqlx::{AssertSqlSafe, Row};

use super::{Backend, Db, Tx, ts};

/// Who did it: a signed-in user, an administrator at the command line, or the system itself.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Actor {
    User(String),
    Cli(String),
    System,
}

impl Actor {
    pub fn label(&self) -> String {
        match self {
            Actor::User(name) => format!("user:{name}"),
            Actor::Cli(os_user) => format!("cli:{os_user}"),
            Actor::System => "system".to_string(),
        }
    }

    /// The operating-system user running the CLI.
    pub fn cli() -> Actor {
        let user = std::env::var("USER")
            .or_else(|_| std::env::var("LOGNAME"))
            .unwrap_or_else(|_| "unknown".to_string());
        Actor::Cli(user)
    }
}

/// What changed.
pub struct Change<'a> {
    pub action: &'a str,
    pub object_type: &'a str,
    pub object_id: &'a str,
    pub before: Option<Value>,
    pub after: Option<Value>,
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct AuditEntry {
    pub seq: i64,
    pub at: String,
    pub actor: String,
    pub action: String,
    pub object_type: String,
    pub object_id: String,
    #[schema(value_type = Option<Object>)]
    pub before: Option<Value>,
    #[schema(value_type = Option<Object>)]
    pub after: Option<Value>,
    pub prev_hash: String,
    pub hash: String,
}

pub const GENESIS: &str = "0000000000000000000000000000000000000000000000000000000000000000";

#[allow(clippy::too_many_arguments)]
fn entry_hash(
    seq: i64,
    at: &str,
    actor: &str,
    action: &str,
    object_type: &str,
    object_id: &str,
    before: Option<&str>,
    after: Option<&str>,
    prev_hash: &str,
) -> String {
    // Length-prefixed fields: no separator ambiguity.
    let mut h = Sha256::new();
    for part in [
        seq.to_string().as_str(),
        at,
        actor,
        action,
        object_type,
        object_id,
        before.unwrap_or("\u{0}null"),
        after.unwrap_or("\u{0}null"),
        prev_hash,
    ] {
        h.update((part.len() as u64).to_be_bytes());
        h.update(part.as_bytes());
    }
    hex::encode(h.finalize())
}

/// Appends one entry inside the caller's transaction.
pub async fn record(
    db: &Db,
    tx: &mut Tx,
    actor: &Actor,
    now: DateTime<Utc>,
    change: Change<'_>,
) -> Result<i64, sqlx::Error> {
    if db.backend == Backend::Postgres {
        // Serialise appenders so the chain has no forks; released at commit.
        sqlx::query("LOCK TABLE audit_log IN SHARE ROW EXCLUSIVE MODE")
            .execute(&mut **tx)
            .await?;
    }
    let last = sqlx::query("SELECT seq, hash FROM audit_log ORDER BY seq DESC LIMIT 1")
        .fetch_optional(&mut **tx)
        .await?;
    let (seq, prev_hash) = match last {
        Some(row) => (row.try_get::<i64, _>(0)? + 1, row.try_get::<String, _>(1)?),
        None => (1, GENESIS.to_string()),
    };
    let at = ts(now);
    let actor = actor.label();
    let before = change.before.map(|v| v.to_string());
    let after = change.after.map(|v| v.to_string());
    let hash = entry_hash(
        seq,
        &at,
        &actor,
        change.action,
        change.object_type,
        change.object_id,
        before.as_deref(),
        after.as_deref(),
        &prev_hash,
    );
    sqlx::query(
        "INSERT INTO audit_log (seq, at, actor, action, object_type, object_id, before_json, after_json, prev_hash, hash) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)",
    )
    .bind(seq)
    .bind(at)
    .bind(actor)
    .bind(change.action)
    .bind(change.object_type)
    .bind(change.object_id)
    .bind(before)
    .bind(after)
    .bind(prev_hash)
    .bind(hash)
    .execute(&mut **tx)
    .await?;
    Ok(seq)
}

/// Entries per multi-row INSERT in [`record_many`] (10 parameters each).
const AUDIT_CHUNK: usize = 500;

/// Appends several entries, in order, inside the caller's transaction: the chain's head is read
/// once and the entries are written in multi-row INSERTs (a bulk import's trail costs a few
/// statements, not a few per row). The same entries, hashes and order as calling [`record`]
/// once per change.
pub async fn record_many(
    db: &Db,
    tx: &mut Tx,
    actor: &Actor,
    now: DateTime<Utc>,
    changes: Vec<Change<'_>>,
) -> Result<(), sqlx::Error> {
    if changes.is_empty() {
        return Ok(());
    }
    if db.backend == Backend::Postgres {
        sqlx::query("LOCK TABLE audit_log IN SHARE ROW EXCLUSIVE MODE")
            .execute(&mut **tx)
            .await?;
    }
    let last = sqlx::query("SELECT seq, hash FROM audit_log ORDER BY seq DESC LIMIT 1")
        .fetch_optional(&mut **tx)
        .await?;
    let (mut seq, mut prev_hash) = match last {
        Some(row) => (row.try_get::<i64, _>(0)? + 1, row.try_get::<String, _>(1)?),
        None => (1, GENESIS.to_string()),
    };
    let at = ts(now);
    let actor = actor.label();
    // (seq, action, object_type, object_id, before, after, prev_hash, hash)
    let mut rows = Vec::with_capacity(changes.len());
    for change in &changes {
        let before = change.before.as_ref().map(|v| v.to_string());
        let after = change.after.as_ref().map(|v| v.to_string());
        let hash = entry_hash(
            seq,
            &at,
            &actor,
            change.action,
            change.object_type,
            change.object_id,
            before.as_deref(),
            after.as_deref(),
            &prev_hash,
        );
        rows.push((seq, change, before, after, prev_hash.clone(), hash.clone()));
        prev_hash = hash;
        seq += 1;
    }
    for chunk in rows.chunks(AUDIT_CHUNK) {
        let mut sql = String::from(
            "INSERT INTO audit_log (seq, at, actor, action, object_type, object_id, before_json, after_json, prev_hash, hash) VALUES ",
        );
        for i in 0..chunk.len() {
            if i > 0 {
                sql.push_str(", ");
            }
            let b = i * 10;
            let params: Vec<String> = (1..=10).map(|k| format!("${}", b + k)).collect();
            sql.push('(');
            sql.push_str(&params.join(", "));
            sql.push(')');
        }
        let mut q = sqlx::query(sqlx::AssertSqlSafe(sql));
        for (seq, change, before, after, prev, hash) in chunk {
            q = q
                .bind(*seq)
                .bind(at.clone())
                .bind(actor.clone())
                .bind(change.action.to_string())
                .bind(change.object_type.to_string())
                .bind(change.object_id.to_string())
                .bind(before.clone())
                .bind(after.clone())
                .bind(prev.clone())
                .bind(hash.clone());
        }
        q.execute(&mut **tx).await?;
    }
    Ok(())
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub enum Broken {
    /// A sequence number is missing: an entry was deleted.
    Missing { expected_seq: i64, found_seq: i64 },
    /// The stored hash does not match the entry's content: the entry was edited.
    Edited { seq: i64 },
    /// The entry does not point to its predecessor: entries were reordered or replaced.
    Unlinked { seq: i64 },
}

impl std::fmt::Display for Broken {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Broken::Missing {
                expected_seq,
                found_seq,
            } => write!(
                f,
                "entry {expected_seq} is missing (next entry found is {found_seq}): deleted"
            ),
            Broken::Edited { seq } => {
                write!(f, "entry {seq} does not match its hash: edited")
            }
            Broken::Unlinked { seq } => write!(
                f,
                "entry {seq} does not link to the entry before it: reordered or replaced"
            ),
        }
    }
}

/// Walks the whole chain; returns the number of entries, or the first broken entry.
pub async fn verify(db: &Db) -> Result<Result<i64, Broken>, sqlx::Error> {
    let rows = sqlx::query(
        "SELECT seq, at, actor, action, object_type, object_id, before_json, after_json, prev_hash, hash \
         FROM audit_log ORDER BY seq",
    )
    .fetch_all(&db.pool)
    .await?;
    let mut prev = GENESIS.to_string();
    for (expected_seq, row) in (1_i64..).zip(rows.iter()) {
        let seq: i64 = row.try_get(0)?;
        let before: Option<String> = row.try_get(6)?;
        let after: Option<String> = row.try_get(7)?;
        let prev_hash: String = row.try_get(8)?;
        let hash: String = row.try_get(9)?;
        if seq != expected_seq {
            return Ok(Err(Broken::Missing {
                expected_seq,
                found_seq: seq,
            }));
        }
        let computed = entry_hash(
            seq,
            &row.try_get::<String, _>(1)?,
            &row.try_get::<String, _>(2)?,
            &row.try_get::<String, _>(3)?,
            &row.try_get::<String, _>(4)?,
            &row.try_get::<String, _>(5)?,
            before.as_deref(),
            after.as_deref(),
            &prev_hash,
        );
        if computed != hash {
            return Ok(Err(Broken::Edited { seq }));
        }
        if prev_hash != prev {
            return Ok(Err(Broken::Unlinked { seq }));
        }
        prev = hash;
    }
    Ok(Ok(rows.len() as i64))
}

#[derive(Debug, Default, Clone, serde::Deserialize, utoipa::IntoParams)]
pub struct AuditFilter {
    /// Substring of the actor, e.g. `user:admin`.
    pub actor: Option<String>,
    /// Exact action, e.g. `user.create`.
    pub action: Option<String>,
    /// Object type, e.g. `society`.
    pub object_type: Option<String>,
    /// Object id, e.g. `A-03`.
    pub object_id: Option<String>,
    /// Only entries before this sequence number (paging backwards).
    pub before_seq: Option<i64>,
}

pub const PAGE_SIZE: i64 = 100;

/// Newest first, filtered, one page.
pub async fn list(db: &Db, filter: &AuditFilter) -> Result<Vec<AuditEntry>, sqlx::Error> {
    let mut sql = String::from(
        "SELECT seq, at, actor, action, object_type, object_id, before_json, after_json, prev_hash, hash FROM audit_log WHERE 1=1",
    );
    let mut args: Vec<String> = Vec::new();
    let mut n = 0;
    let mut push = |sql: &mut String, clause: &str, value: String| {
        n += 1;
        sql.push_str(&clause.replace("$?", &format!("${n}")));
        args.push(value);
    };
    if let Some(a) = filter.actor.as_deref().filter(|s| !s.trim().is_empty()) {
        push(&mut sql, " AND actor LIKE $?", format!("%{}%", a.trim()));
    }
    if let Some(a) = filter.action.as_deref().filter(|s| !s.trim().is_empty()) {
        push(&mut sql, " AND action = $?", a.trim().to_string());
    }
    if let Some(a) = filter
        .object_type
        .as_deref()
        .filter(|s| !s.trim().is_empty())
    {
        push(&mut sql, " AND object_type = $?", a.trim().to_string());
    }
    if let Some(a) = filter.object_id.as_deref().filter(|s| !s.trim().is_empty()) {
        push(&mut sql, " AND object_id = $?", a.trim().to_string());
    }
    let before_seq = filter.before_seq;
    if before_seq.is_some() {
        sql.push_str(&format!(" AND seq < ${}", n + 1));
    }
    sql.push_str(&format!(" ORDER BY seq DESC LIMIT {PAGE_SIZE}"));
    let mut q = sqlx::query(AssertSqlSafe(sql));
    for a in args {
        q = q.bind(a);
    }
    if let Some(b) = before_seq {
        q = q.bind(b);
    }
    let rows = q.fetch_all(&db.pool).await?;
    rows.iter()
        .map(|row| {
            let before: Option<String> = row.try_get(6)?;
            let after: Option<String> = row.try_get(7)?;
            Ok(AuditEntry {
                seq: row.try_get(0)?,
                at: row.try_get(1)?,
                actor: row.try_get(2)?,
                action: row.try_get(3)?,
                object_type: row.try_get(4)?,
                object_id: row.try_get(5)?,
                before: before.and_then(|s| serde_json::from_str(&s).ok()),
                after: after.and_then(|s| serde_json::from_str(&s).ok()),
                prev_hash: row.try_get(8)?,
                hash: row.try_get(9)?,
            })
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hash_depends_on_every_field() {
        let base = entry_hash(1, "t", "a", "x", "o", "1", Some("{}"), None, GENESIS);
        assert_ne!(
            base,
            entry_hash(2, "t", "a", "x", "o", "1", Some("{}"), None, GENESIS)
        );
        assert_ne!(
            base,
            entry_hash(1, "t", "a", "x", "o", "1", None, None, GENESIS)
        );
        assert_ne!(
            base,
            entry_hash(1, "t", "a", "x", "o", "1", None, Some("{}"), GENESIS)
        );
        assert_ne!(
            base,
            entry_hash(1, "t", "ax", "", "o", "1", Some("{}"), None, GENESIS)
        );
        assert_eq!(
            base,
            entry_hash(1, "t", "a", "x", "o", "1", Some("{}"), None, GENESIS)
        );
    }
}

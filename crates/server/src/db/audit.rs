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
pub fn entry_hash(
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

/// Longest text value written into an audit entry as it is (bytes); a longer one is recorded
/// as its SHA-256 and length (issue 9 finding 5: a 5 MiB narrative must not be stored twice).
pub const MAX_AUDIT_TEXT: usize = 2048;

/// Replaces every string longer than [`MAX_AUDIT_TEXT`] bytes, at any depth, by
/// `{"sha256": …, "bytes": …, "chars": …}`.
pub fn compact(v: Value) -> Value {
    match v {
        Value::String(s) if s.len() > MAX_AUDIT_TEXT => serde_json::json!({
            "sha256": hex::encode(Sha256::digest(s.as_bytes())),
            "bytes": s.len(),
            "chars": s.chars().count(),
        }),
        Value::Array(items) => Value::Array(items.into_iter().map(compact).collect()),
        Value::Object(map) => {
            Value::Object(map.into_iter().map(|(k, v)| (k, compact(v))).collect())
        }
        other => other,
    }
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
    let before = change.before.map(|v| compact(v).to_string());
    let after = change.after.map(|v| compact(v).to_string());
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
    .bind(&hash)
    .execute(&mut **tx)
    .await?;
    let data = moves_snapshots(change.action).then_some((seq, hash.as_str()));
    write_head(db, tx, seq, &hash, data).await?;
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
        let before = change.before.clone().map(|v| compact(v).to_string());
        let after = change.after.clone().map(|v| compact(v).to_string());
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
    if let Some((seq, _, _, _, _, hash)) = rows.last() {
        let data = rows
            .iter()
            .rev()
            .find(|r| moves_snapshots(r.1.action))
            .map(|r| (r.0, r.5.as_str()));
        write_head(db, tx, *seq, hash, data).await?;
    }
    Ok(())
}

/// Whether an audited action may change what the year-wide snapshots read (`snapshots.rs`:
/// every society's progress, the dashboard's month data — plans, reports, reviews, facts,
/// election flags, the registry, evidence, catalogues). Only actions known to touch none of
/// those tables are exempt, so a new action moves the snapshot version until it is listed here:
/// sign-ins and sign-outs, API tokens, user accounts, the inbox, and the year-end assessment's
/// own records (assignments, scores, acceptance decisions, objections, adjustments, results).
pub fn moves_snapshots(action: &str) -> bool {
    const EXEMPT_PREFIXES: &[&str] = &["session.", "token.", "user.", "inbox.", "assessment."];
    !EXEMPT_PREFIXES.iter().any(|p| action.starts_with(p))
}

/// The newest audit entry whose action may change a snapshot ([`moves_snapshots`]): (seq,
/// hash), (0, "") before any. One statement; what `snapshots::Version` is keyed by.
pub async fn snapshot_version(db: &Db) -> Result<(i64, String), sqlx::Error> {
    let row = sqlx::query("SELECT data_seq, data_hash FROM audit_head WHERE id = 1")
        .fetch_optional(&db.pool)
        .await?;
    match row {
        Some(r) => Ok((r.try_get(0)?, r.try_get(1)?)),
        None => Ok((0, String::new())),
    }
}

/// The audit trail's head checkpoint (issue 9 finding 6), kept in `audit_head`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct Head {
    /// Sequence number of the newest entry (0: none yet).
    pub seq: i64,
    /// Hash of the newest entry.
    pub hash: String,
    /// HMAC-SHA256 of (seq, hash) with the key kept outside the database.
    pub mac: String,
}

const ADOPT: &str = "adopt";

/// Writes the head for the newest entry, signed when the key is known, and the snapshot
/// version when `data` (the newest entry that [`moves_snapshots`]) is given.
async fn write_head(
    db: &Db,
    tx: &mut Tx,
    seq: i64,
    hash: &str,
    data: Option<(i64, &str)>,
) -> Result<(), sqlx::Error> {
    let mac = db
        .audit_key
        .as_ref()
        .map(|k| k.head_mac(seq, hash))
        .unwrap_or_default();
    let done = match data {
        Some((data_seq, data_hash)) => {
            sqlx::query(
                "UPDATE audit_head SET seq = $1, hash = $2, mac = $3, data_seq = $4, data_hash = $5 WHERE id = 1",
            )
            .bind(seq)
            .bind(hash)
            .bind(&mac)
            .bind(data_seq)
            .bind(data_hash)
            .execute(&mut **tx)
            .await?
        }
        None => {
            sqlx::query("UPDATE audit_head SET seq = $1, hash = $2, mac = $3 WHERE id = 1")
                .bind(seq)
                .bind(hash)
                .bind(&mac)
                .execute(&mut **tx)
                .await?
        }
    };
    if done.rows_affected() == 0 {
        let (data_seq, data_hash) = data.unwrap_or((0, ""));
        sqlx::query(
            "INSERT INTO audit_head (id, seq, hash, mac, data_seq, data_hash) VALUES (1, $1, $2, $3, $4, $5)",
        )
        .bind(seq)
        .bind(hash)
        .bind(&mac)
        .bind(data_seq)
        .bind(data_hash)
        .execute(&mut **tx)
        .await?;
    }
    Ok(())
}

/// The stored head, if any.
pub async fn head(db: &Db) -> Result<Option<Head>, sqlx::Error> {
    let row = sqlx::query("SELECT seq, hash, mac FROM audit_head WHERE id = 1")
        .fetch_optional(&db.pool)
        .await?;
    row.map(|r| {
        Ok(Head {
            seq: r.try_get(0)?,
            hash: r.try_get(1)?,
            mac: r.try_get(2)?,
        })
    })
    .transpose()
}

/// At the first start with a newly created key, signs the head of a trail that has none yet
/// (a database from before the checkpoint, or a fresh one). Never with an existing key: a
/// head reset to "adopt" later is reported by `verify_all`.
pub async fn adopt_head(db: &Db, key_created: bool) -> Result<(), sqlx::Error> {
    if !key_created {
        return Ok(());
    }
    let mut tx = db.begin().await?;
    if db.backend == Backend::Postgres {
        sqlx::query("LOCK TABLE audit_log IN SHARE ROW EXCLUSIVE MODE")
            .execute(&mut *tx)
            .await?;
    }
    let mac: Option<String> = sqlx::query("SELECT mac FROM audit_head WHERE id = 1")
        .fetch_optional(&mut *tx)
        .await?
        .map(|r| r.try_get(0))
        .transpose()?;
    if mac.as_deref() == Some(ADOPT) {
        let last = sqlx::query("SELECT seq, hash FROM audit_log ORDER BY seq DESC LIMIT 1")
            .fetch_optional(&mut *tx)
            .await?;
        let (seq, hash) = match last {
            Some(row) => (row.try_get::<i64, _>(0)?, row.try_get::<String, _>(1)?),
            None => (0, GENESIS.to_string()),
        };
        // The snapshot version follows (nothing is known of the entries' actions here).
        write_head(db, &mut tx, seq, &hash, Some((seq, hash.as_str()))).await?;
    }
    tx.commit().await
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub enum Broken {
    /// The head checkpoint is missing, unsigned or not signed with this installation's key.
    HeadUnsigned,
    /// The head names a later entry than the trail's last: entries were cut off the end.
    Truncated { head_seq: i64, last_seq: i64 },
    /// The trail's last entry is not the one the head names: the chain was recomputed.
    Rewritten { seq: i64 },
    /// No entries (and no head) in a database that holds data: the trail was emptied.
    Emptied,
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
            Broken::HeadUnsigned => write!(
                f,
                "the head checkpoint is missing or its signature does not match (key outside the database)"
            ),
            Broken::Truncated { head_seq, last_seq } => write!(
                f,
                "the head names entry {head_seq} but the last entry is {last_seq}: entries were cut off"
            ),
            Broken::Rewritten { seq } => write!(
                f,
                "entry {seq} is not the entry the head names: the chain was recomputed"
            ),
            Broken::Emptied => write!(
                f,
                "the trail is empty in a database that holds data: emptied"
            ),
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

/// The chain ([`verify`]) and its head checkpoint: the head must be signed with the key, name
/// the trail's last entry and its hash; an empty trail is broken when the database holds
/// users or societies. Needs the key (`Db::audit_key`); without it only the chain is checked.
pub async fn verify_all(db: &Db) -> Result<Result<i64, Broken>, sqlx::Error> {
    let count = match verify(db).await? {
        Ok(n) => n,
        Err(b) => return Ok(Err(b)),
    };
    let Some(key) = db.audit_key.as_ref() else {
        return Ok(Ok(count));
    };
    let last = sqlx::query("SELECT seq, hash FROM audit_log ORDER BY seq DESC LIMIT 1")
        .fetch_optional(&db.pool)
        .await?;
    let (last_seq, last_hash) = match last {
        Some(row) => (row.try_get::<i64, _>(0)?, row.try_get::<String, _>(1)?),
        None => (0, GENESIS.to_string()),
    };
    let head = head(db).await?;
    if last_seq == 0 {
        let data: i64 =
            sqlx::query("SELECT (SELECT COUNT(*) FROM users) + (SELECT COUNT(*) FROM societies)")
                .fetch_one(&db.pool)
                .await?
                .try_get(0)?;
        if data > 0 && head.as_ref().is_none_or(|h| h.seq == 0) {
            return Ok(Err(Broken::Emptied));
        }
    }
    let Some(head) = head else {
        return Ok(Err(Broken::HeadUnsigned));
    };
    if head.mac != key.head_mac(head.seq, &head.hash) {
        return Ok(Err(Broken::HeadUnsigned));
    }
    if head.seq > last_seq {
        return Ok(Err(Broken::Truncated {
            head_seq: head.seq,
            last_seq,
        }));
    }
    if head.seq != last_seq || head.hash != last_hash {
        return Ok(Err(Broken::Rewritten { seq: last_seq }));
    }
    Ok(Ok(count))
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

/// The WHERE clause of a filter (`before_seq` included) and its text arguments; the sequence
/// bound, when given, is the last parameter.
fn filter_sql(filter: &AuditFilter) -> (String, Vec<String>) {
    let mut sql = String::from(" WHERE 1=1");
    let mut args: Vec<String> = Vec::new();
    let mut push = |sql: &mut String, clause: &str, value: String| {
        args.push(value);
        sql.push_str(&clause.replace("$?", &format!("${}", args.len())));
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
    if filter.before_seq.is_some() {
        sql.push_str(&format!(" AND seq < ${}", args.len() + 1));
    }
    (sql, args)
}

/// Newest first, filtered, one page.
pub async fn list(db: &Db, filter: &AuditFilter) -> Result<Vec<AuditEntry>, sqlx::Error> {
    list_page(db, filter, 0, PAGE_SIZE).await
}

/// How many entries match a filter (the shared pager's total, issue 10).
pub async fn count(db: &Db, filter: &AuditFilter) -> Result<i64, sqlx::Error> {
    let (clause, args) = filter_sql(filter);
    let mut q = sqlx::query(AssertSqlSafe(format!(
        "SELECT COUNT(*) FROM audit_log{clause}"
    )));
    for a in args {
        q = q.bind(a);
    }
    if let Some(b) = filter.before_seq {
        q = q.bind(b);
    }
    q.fetch_one(&db.pool).await?.try_get(0)
}

/// Newest first, filtered, `limit` entries after skipping `offset` (the web page's numbered
/// pages; the JSON API pages with `before_seq`).
pub async fn list_page(
    db: &Db,
    filter: &AuditFilter,
    offset: i64,
    limit: i64,
) -> Result<Vec<AuditEntry>, sqlx::Error> {
    let (clause, args) = filter_sql(filter);
    let (offset, limit) = (offset.max(0), limit.max(1));
    let sql = format!(
        "SELECT seq, at, actor, action, object_type, object_id, before_json, after_json, prev_hash, hash FROM audit_log{clause} ORDER BY seq DESC LIMIT {limit} OFFSET {offset}"
    );
    let mut q = sqlx::query(AssertSqlSafe(sql));
    for a in args {
        q = q.bind(a);
    }
    if let Some(b) = filter.before_seq {
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

    /// Issue 8: only accounts, the inbox and the assessment's own records leave the snapshots'
    /// version alone; every other action (and any action not known yet) moves it.
    #[test]
    fn which_actions_move_the_snapshot_version() {
        for exempt in [
            "session.login",
            "session.logout",
            "token.create",
            "token.revoke",
            "token.revoke_all",
            "user.create",
            "user.password",
            "inbox.read_all",
            "assessment.self_score",
            "assessment.results.publish",
        ] {
            assert!(!moves_snapshots(exempt), "{exempt}");
        }
        for moves in [
            "plan.submit",
            "plan.review",
            "report.submit",
            "report.review",
            "facts.update",
            "year.carry_facts",
            "year.start",
            "society.create",
            "society.update",
            "society.election_year",
            "evidence.add",
            "evidence.remove",
            "catalogue.load",
            "bulletin.publish",
            "demo.seed",
            "sessions.something_new",
            "",
        ] {
            assert!(moves_snapshots(moves), "{moves}");
        }
    }

    #[test]
    fn large_text_is_recorded_as_digest_and_length() {
        let big = "改".repeat(1000); // 3000 bytes
        let v = compact(serde_json::json!({"a": {"narrative": big, "n": 3}, "b": ["x"]}));
        assert_eq!(
            v,
            serde_json::json!({"a": {"narrative": {
                "sha256": hex::encode(Sha256::digest("改".repeat(1000).as_bytes())),
                "bytes": 3000,
                "chars": 1000,
            }, "n": 3}, "b": ["x"]})
        );
        let small = "x".repeat(MAX_AUDIT_TEXT);
        assert_eq!(compact(Value::String(small.clone())), Value::String(small));
    }

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

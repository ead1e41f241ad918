//! Server-side sessions (R-X-1): stored in the database so that several `serve` processes act as
//! one system; the cookie holds a random id, the table only its SHA-256. Idle and absolute
//! expiry are checked on every request.

use chrono::{DateTime, Duration, Utc};

use super::users::User;
use super::{Db, parse_ts, ts};
use crate::auth::{hash_secret, random_token};
use crate::error::AppResult;

#[derive(Debug, Clone, Copy)]
pub struct SessionPolicy {
    pub idle: Duration,
    pub absolute: Duration,
}

impl Default for SessionPolicy {
    fn default() -> Self {
        SessionPolicy {
            idle: Duration::minutes(30),
            absolute: Duration::hours(12),
        }
    }
}

/// Starts a session for `user_id`, replacing `old_id` if the browser had one (a new id at
/// every login). Returns the id for the cookie.
pub async fn create(
    db: &Db,
    user_id: i64,
    old_id: Option<&str>,
    ip: &str,
    now: DateTime<Utc>,
) -> AppResult<String> {
    let id = random_token()?;
    let mut tx = db.begin().await?;
    if let Some(old) = old_id {
        sqlx::query("DELETE FROM sessions WHERE id_hash = $1")
            .bind(hash_secret(old))
            .execute(&mut *tx)
            .await?;
    }
    sqlx::query("INSERT INTO sessions (id_hash, user_id, created_at, last_seen_at, ip) VALUES ($1, $2, $3, $3, $4)")
        .bind(hash_secret(&id))
        .bind(user_id)
        .bind(ts(now))
        .bind(ip)
        .execute(&mut *tx)
        .await?;
    tx.commit().await?;
    Ok(id)
}

/// The user of a live session, refreshing its idle timer (at most once a minute); expired
/// sessions are deleted. One statement in the common case (session and user together).
pub async fn resolve(
    db: &Db,
    id: &str,
    policy: SessionPolicy,
    now: DateTime<Utc>,
) -> AppResult<Option<User>> {
    let id_hash = hash_secret(id);
    let Some((user, created, last_seen)) = super::users::by_session_hash(db, &id_hash).await?
    else {
        return Ok(None);
    };
    let (Some(created), Some(last_seen)) = (parse_ts(&created), parse_ts(&last_seen)) else {
        return Ok(None);
    };
    if now - created >= policy.absolute || now - last_seen >= policy.idle {
        delete(db, id).await?;
        return Ok(None);
    }
    // Refresh at most once a minute to keep writes low.
    if now - last_seen >= Duration::seconds(60) {
        sqlx::query("UPDATE sessions SET last_seen_at = $2 WHERE id_hash = $1")
            .bind(&id_hash)
            .bind(ts(now))
            .execute(&db.pool)
            .await?;
    }
    Ok(Some(user))
}

pub async fn delete(db: &Db, id: &str) -> AppResult<()> {
    sqlx::query("DELETE FROM sessions WHERE id_hash = $1")
        .bind(hash_secret(id))
        .execute(&db.pool)
        .await?;
    Ok(())
}

/// Removes sessions past their absolute lifetime (housekeeping).
pub async fn purge_expired(db: &Db, policy: SessionPolicy, now: DateTime<Utc>) -> AppResult<u64> {
    let r = sqlx::query("DELETE FROM sessions WHERE created_at < $1 OR last_seen_at < $2")
        .bind(ts(now - policy.absolute))
        .bind(ts(now - policy.idle))
        .execute(&db.pool)
        .await?;
    Ok(r.rows_affected())
}

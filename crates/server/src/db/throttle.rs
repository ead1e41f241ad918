//! Login throttling per account and per address, kept in the database (several processes share
//! it). A blocked attempt answers HTTP 429 with Retry-After.

use chrono::{DateTime, Duration, Utc};
use sqlx::Row;

use super::{Db, parse_ts, ts};
use crate::error::AppResult;

#[derive(Debug, Clone, Copy)]
pub struct ThrottlePolicy {
    pub window: Duration,
    pub per_account: i64,
    pub per_address: i64,
}

impl Default for ThrottlePolicy {
    fn default() -> Self {
        ThrottlePolicy {
            window: Duration::minutes(15),
            per_account: 5,
            per_address: 20,
        }
    }
}

/// Seconds to wait if this account or address has used up its failures in the window.
pub async fn blocked_for(
    db: &Db,
    policy: ThrottlePolicy,
    username: &str,
    ip: &str,
    now: DateTime<Utc>,
) -> AppResult<Option<u64>> {
    let since = ts(now - policy.window);
    let mut wait: Option<u64> = None;
    for (column, value, limit) in [
        ("username", username, policy.per_account),
        ("ip", ip, policy.per_address),
    ] {
        let sql = if column == "username" {
            "SELECT COUNT(*), MIN(at) FROM login_failures WHERE username = $1 AND at >= $2"
        } else {
            "SELECT COUNT(*), MIN(at) FROM login_failures WHERE ip = $1 AND at >= $2"
        };
        let row = sqlx::query(sql)
            .bind(value)
            .bind(&since)
            .fetch_one(&db.pool)
            .await?;
        let count: i64 = row.try_get(0)?;
        if count >= limit {
            // Wait until enough failures leave the window: the oldest one relevant.
            let oldest_rows = sqlx::query(if column == "username" {
                "SELECT at FROM login_failures WHERE username = $1 AND at >= $2 ORDER BY at DESC"
            } else {
                "SELECT at FROM login_failures WHERE ip = $1 AND at >= $2 ORDER BY at DESC"
            })
            .bind(value)
            .bind(&since)
            .fetch_all(&db.pool)
            .await?;
            // The limit-th newest failure is the one whose expiry frees an attempt.
            let idx = (limit - 1).max(0) as usize;
            let at = oldest_rows
                .get(idx)
                .and_then(|r| r.try_get::<String, _>(0).ok())
                .and_then(|s| parse_ts(&s))
                .unwrap_or(now);
            let secs = ((at + policy.window) - now).num_seconds().max(1) as u64;
            wait = Some(wait.map_or(secs, |w| w.max(secs)));
        }
    }
    Ok(wait)
}

pub async fn record_failure(
    db: &Db,
    username: &str,
    ip: &str,
    now: DateTime<Utc>,
) -> AppResult<()> {
    sqlx::query("INSERT INTO login_failures (username, ip, at) VALUES ($1, $2, $3)")
        .bind(username)
        .bind(ip)
        .bind(ts(now))
        .execute(&db.pool)
        .await?;
    Ok(())
}

/// A successful login clears the account's failures and prunes old rows.
pub async fn record_success(
    db: &Db,
    policy: ThrottlePolicy,
    username: &str,
    now: DateTime<Utc>,
) -> AppResult<()> {
    sqlx::query("DELETE FROM login_failures WHERE username = $1 OR at < $2")
        .bind(username)
        .bind(ts(now - policy.window))
        .execute(&db.pool)
        .await?;
    Ok(())
}

//! Login throttling, kept in the database (several processes share it). A blocked attempt
//! answers HTTP 429 with Retry-After.
//!
//! Issue 9 findings 2 and 3: an attempt is *reserved* — counted and recorded in one
//! serialised transaction — before the password is verified, so parallel guesses cannot all
//! pass the check (SQLite: `BEGIN IMMEDIATE`; PostgreSQL: a transaction-scoped advisory lock).
//! The hard limits are per (account, address) and per address, never per account alone, so
//! failures from other addresses cannot lock the real user out; failures on the account from
//! all addresses only slow every attempt down progressively (a capped delay).

use chrono::{DateTime, Duration, Utc};
use sqlx::Row;

use super::{Backend, Db, Tx, parse_ts, ts};
use crate::error::AppResult;

/// Advisory lock key serialising login reservations on PostgreSQL ("RWLOGIN").
const PG_LOCK_KEY: i64 = 0x0052_574c_4f47_494e;

#[derive(Debug, Clone, Copy)]
pub struct ThrottlePolicy {
    pub window: Duration,
    /// Failures allowed per (account, address) in the window.
    pub per_account: i64,
    /// Failures allowed per address (all accounts) in the window.
    pub per_address: i64,
    /// Added delay per account failure over `per_account` (all addresses).
    pub delay_step: std::time::Duration,
    pub delay_max: std::time::Duration,
}

impl Default for ThrottlePolicy {
    fn default() -> Self {
        ThrottlePolicy {
            window: Duration::minutes(15),
            per_account: 5,
            per_address: 20,
            delay_step: std::time::Duration::from_millis(250),
            delay_max: std::time::Duration::from_secs(5),
        }
    }
}

/// The outcome of [`reserve`].
#[derive(Debug, PartialEq, Eq)]
pub enum Reservation {
    /// The attempt is counted as a failure until [`record_success`] clears it; verify the
    /// password after waiting `delay`.
    Granted { delay: std::time::Duration },
    /// Wait this many seconds.
    Blocked(u64),
}

/// Counts and records one attempt atomically (see the module comment).
pub async fn reserve(
    db: &Db,
    policy: ThrottlePolicy,
    username: &str,
    ip: &str,
    now: DateTime<Utc>,
) -> AppResult<Reservation> {
    let since = ts(now - policy.window);
    let mut tx = db.begin().await?;
    if db.backend == Backend::Postgres {
        sqlx::query("SELECT pg_advisory_xact_lock($1)")
            .bind(PG_LOCK_KEY)
            .execute(&mut *tx)
            .await?;
    }
    let pair = recent(
        &mut tx,
        "SELECT at FROM login_failures WHERE username = $1 AND ip = $2 AND at >= $3 \
         ORDER BY at DESC",
        &[username, ip, &since],
    )
    .await?;
    let address = recent(
        &mut tx,
        "SELECT at FROM login_failures WHERE ip = $1 AND at >= $2 ORDER BY at DESC",
        &[ip, &since],
    )
    .await?;
    let mut wait: Option<u64> = None;
    for (times, limit) in [(&pair, policy.per_account), (&address, policy.per_address)] {
        if times.len() as i64 >= limit {
            // The limit-th newest failure is the one whose expiry frees an attempt.
            let idx = usize::try_from(limit - 1).unwrap_or(0);
            let at = times.get(idx).copied().unwrap_or(now);
            let secs =
                u64::try_from(((at + policy.window) - now).num_seconds().max(1)).unwrap_or(1);
            wait = Some(wait.map_or(secs, |w| w.max(secs)));
        }
    }
    if let Some(w) = wait {
        tx.rollback().await?;
        return Ok(Reservation::Blocked(w));
    }
    let account: i64 =
        sqlx::query("SELECT COUNT(*) FROM login_failures WHERE username = $1 AND at >= $2")
            .bind(username)
            .bind(&since)
            .fetch_one(&mut *tx)
            .await?
            .try_get(0)?;
    sqlx::query("INSERT INTO login_failures (username, ip, at) VALUES ($1, $2, $3)")
        .bind(username)
        .bind(ip)
        .bind(ts(now))
        .execute(&mut *tx)
        .await?;
    tx.commit().await?;
    Ok(Reservation::Granted {
        delay: progressive_delay(policy, account),
    })
}

/// The delay for an account with `failures` recent failures from all addresses: none up to
/// the per-(account, address) limit, then one step more per failure, capped.
pub fn progressive_delay(policy: ThrottlePolicy, failures: i64) -> std::time::Duration {
    let over = failures - policy.per_account + 1;
    if over <= 0 {
        return std::time::Duration::ZERO;
    }
    policy
        .delay_step
        .saturating_mul(u32::try_from(over).unwrap_or(u32::MAX))
        .min(policy.delay_max)
}

async fn recent(tx: &mut Tx, sql: &'static str, args: &[&str]) -> AppResult<Vec<DateTime<Utc>>> {
    let mut q = sqlx::query(sql);
    for a in args {
        q = q.bind(*a);
    }
    let rows = q.fetch_all(&mut **tx).await?;
    Ok(rows
        .iter()
        .filter_map(|r| r.try_get::<String, _>(0).ok())
        .filter_map(|s| parse_ts(&s))
        .collect())
}

/// A successful login clears this (account, address)'s failures, including the attempt's own
/// reservation, and prunes old rows. Failures from other addresses stay counted.
pub async fn record_success(
    db: &Db,
    policy: ThrottlePolicy,
    username: &str,
    ip: &str,
    now: DateTime<Utc>,
) -> AppResult<()> {
    sqlx::query("DELETE FROM login_failures WHERE (username = $1 AND ip = $2) OR at < $3")
        .bind(username)
        .bind(ip)
        .bind(ts(now - policy.window))
        .execute(&db.pool)
        .await?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn delay_grows_then_stops_growing() {
        let p = ThrottlePolicy::default();
        assert_eq!(progressive_delay(p, 0), std::time::Duration::ZERO);
        assert_eq!(progressive_delay(p, 4), std::time::Duration::ZERO);
        assert_eq!(
            progressive_delay(p, 5),
            std::time::Duration::from_millis(250)
        );
        assert_eq!(
            progressive_delay(p, 8),
            std::time::Duration::from_millis(1000)
        );
        assert_eq!(
            progressive_delay(p, 1000),
            std::time::Duration::from_secs(5)
        );
    }
}

//! Store layer: one `Db` over sqlx's `Any` driver, SQLite or PostgreSQL (R-X-4).
//!
//! SQL is portable between the two backends: `$N` placeholders (SQLite accepts them),
//! times as RFC 3339 UTC text, booleans declared `BOOLEAN`. Write transactions on SQLite
//! start with `BEGIN IMMEDIATE` so that two writers never deadlock on a lock upgrade.

pub mod assessment;
pub mod assessment_results;
pub mod audit;
pub mod bulletins;
pub mod catalogues;
pub mod documents;
pub mod evidence;
pub mod extracts;
pub mod facts;
pub mod judgements;
pub mod migrations;
pub mod notifications;
pub mod plans;
pub mod reports;
pub mod sessions;
pub mod settings;
pub mod societies;
pub mod throttle;
pub mod tokens;
pub mod users;
pub mod years;

use std::str::FromStr;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use anyhow::{Context, bail};
use chrono::{DateTime, Utc};
use futures_util::future::BoxFuture;
use futures_util::stream::BoxStream;
use sqlx::any::{
    AnyConnectOptions, AnyPoolOptions, AnyQueryResult, AnyRow, AnyStatement, AnyTypeInfo,
};
use sqlx::{Any, AnyPool, ConnectOptions, Either, Execute, Executor, Row, Transaction};

pub type Tx = Transaction<'static, Any>;

/// The connection pool, counting the statements run through it (not those inside a
/// transaction): tests and benchmarks check that a page costs a fixed number of statements,
/// whatever the number of societies. Everything else is the sqlx pool (`Deref`).
#[derive(Clone, Debug)]
pub struct Pool {
    inner: AnyPool,
    statements: Arc<AtomicU64>,
}

impl Pool {
    fn new(inner: AnyPool) -> Pool {
        Pool {
            inner,
            statements: Arc::default(),
        }
    }

    /// How many statements ran through the pool since it was opened.
    pub fn statements(&self) -> u64 {
        self.statements.load(Ordering::Relaxed)
    }

    fn count(&self) {
        self.statements.fetch_add(1, Ordering::Relaxed);
    }
}

impl std::ops::Deref for Pool {
    type Target = AnyPool;
    fn deref(&self) -> &AnyPool {
        &self.inner
    }
}

impl<'p> Executor<'p> for &'_ Pool {
    type Database = Any;

    fn fetch_many<'e, 'q: 'e, E>(
        self,
        query: E,
    ) -> BoxStream<'e, Result<Either<AnyQueryResult, AnyRow>, sqlx::Error>>
    where
        'p: 'e,
        E: 'q + Execute<'q, Any>,
    {
        self.count();
        (&self.inner).fetch_many(query)
    }

    fn fetch_optional<'e, 'q: 'e, E>(
        self,
        query: E,
    ) -> BoxFuture<'e, Result<Option<AnyRow>, sqlx::Error>>
    where
        'p: 'e,
        E: 'q + Execute<'q, Any>,
    {
        self.count();
        (&self.inner).fetch_optional(query)
    }

    fn prepare_with<'e>(
        self,
        sql: sqlx::SqlStr,
        parameters: &'e [AnyTypeInfo],
    ) -> BoxFuture<'e, Result<AnyStatement, sqlx::Error>>
    where
        'p: 'e,
    {
        (&self.inner).prepare_with(sql, parameters)
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

#[derive(Clone)]
pub struct Db {
    pub pool: Pool,
    pub backend: Backend,
    /// Signs the audit head (issue 9 finding 6); without it the head is written unsigned
    /// (and `audit verify` reports it).
    pub audit_key: Option<crate::auth::audit_key::AuditKey>,
}

/// SQLite settings we rely on; checked at start-up (`Db::check_settings`).
const SQLITE_PRAGMAS: &[&str] = &[
    "PRAGMA foreign_keys = ON",
    "PRAGMA synchronous = FULL",
    "PRAGMA busy_timeout = 10000",
];

impl Db {
    /// Wraps an already open pool (no migrations run): the backup's checks of a restored
    /// database.
    pub fn from_pool(pool: AnyPool, backend: Backend) -> Db {
        Db {
            pool: Pool::new(pool),
            backend,
            audit_key: None,
        }
    }

    /// Connects and runs the migrations (PostgreSQL lock timeout: 10 s).
    pub async fn connect(url: &str) -> anyhow::Result<Db> {
        Db::connect_with(url, Duration::from_secs(10)).await
    }

    /// Connects and runs the migrations; on PostgreSQL every pooled connection gives up
    /// waiting for a lock after `pg_lock_timeout` (`SET lock_timeout`: SQLSTATE 55P03, a busy
    /// database answered 503 with Retry-After, `error::is_busy`).
    pub async fn connect_with(url: &str, pg_lock_timeout: Duration) -> anyhow::Result<Db> {
        Db::connect_until(url, pg_lock_timeout, i64::MAX).await
    }

    /// Connects and runs the migrations up to version `last` only: a database as an older
    /// release left it (tests of a migration, which then run the rest with
    /// [`migrations::run`]).
    pub async fn connect_until(
        url: &str,
        pg_lock_timeout: Duration,
        last: i64,
    ) -> anyhow::Result<Db> {
        sqlx::any::install_default_drivers();
        let backend = if url.starts_with("sqlite:") {
            Backend::Sqlite
        } else if url.starts_with("postgres:") || url.starts_with("postgresql:") {
            Backend::Postgres
        } else {
            bail!("unsupported database URL (use sqlite://… or postgres://…)");
        };
        let mut options =
            AnyConnectOptions::from_str(url).with_context(|| "invalid database URL".to_string())?;
        options = options.disable_statement_logging();
        let pool = match backend {
            Backend::Sqlite => {
                // WAL is a property of the file; set it once on a first connection.
                AnyPoolOptions::new()
                    .max_connections(8)
                    .acquire_timeout(Duration::from_secs(30))
                    .after_connect(|conn, _meta| {
                        Box::pin(async move {
                            conn.execute("PRAGMA journal_mode = WAL").await?;
                            for pragma in SQLITE_PRAGMAS {
                                conn.execute(*pragma).await?;
                            }
                            Ok(())
                        })
                    })
                    // After SQLITE_FULL or an I/O error SQLite rolls the transaction back by
                    // itself; sqlx's own ROLLBACK then fails and the connection keeps counting
                    // an open transaction, refusing every later `BEGIN IMMEDIATE` until a
                    // restart (found by scripts/crash-test --disk-full). The pool pings a
                    // connection before handing it out, which applies any queued rollback; one
                    // still inside a transaction then is closed and replaced.
                    .before_acquire(|conn, _meta| {
                        Box::pin(async move { Ok(!sqlx::Connection::is_in_transaction(conn)) })
                    })
                    .connect_with(options)
                    .await
            }
            Backend::Postgres => {
                let lock_timeout =
                    format!("SET lock_timeout = {}", pg_lock_timeout.as_millis().max(1));
                AnyPoolOptions::new()
                    .max_connections(16)
                    .acquire_timeout(Duration::from_secs(30))
                    .after_connect(move |conn, _meta| {
                        let lock_timeout = lock_timeout.clone();
                        Box::pin(async move {
                            conn.execute(sqlx::AssertSqlSafe(lock_timeout)).await?;
                            Ok(())
                        })
                    })
                    .connect_with(options)
                    .await
            }
        }
        .with_context(|| format!("cannot connect to the database ({})", mask_url(url)))?;
        let db = Db {
            pool: Pool::new(pool),
            backend,
            audit_key: None,
        };
        db.check_settings().await?;
        migrations::run_until(&db, last).await?;
        Ok(db)
    }

    /// Verifies the SQLite durability and integrity settings (WAL, synchronous=FULL,
    /// foreign keys, busy timeout ≥ 5 s) on a pooled connection.
    pub async fn check_settings(&self) -> anyhow::Result<()> {
        if self.backend != Backend::Sqlite {
            return Ok(());
        }
        let mut conn = self.pool.acquire().await?;
        let journal: String = sqlx::query("PRAGMA journal_mode")
            .fetch_one(&mut *conn)
            .await?
            .try_get(0)?;
        let sync: i64 = sqlx::query("PRAGMA synchronous")
            .fetch_one(&mut *conn)
            .await?
            .try_get(0)?;
        let fk: i64 = sqlx::query("PRAGMA foreign_keys")
            .fetch_one(&mut *conn)
            .await?
            .try_get(0)?;
        let busy: i64 = sqlx::query("PRAGMA busy_timeout")
            .fetch_one(&mut *conn)
            .await?
            .try_get(0)?;
        // An in-memory database reports "memory"; files must be in WAL mode.
        if !(journal.eq_ignore_ascii_case("wal") || journal.eq_ignore_ascii_case("memory")) {
            bail!("SQLite journal_mode is {journal}, expected WAL");
        }
        if sync != 2 {
            bail!("SQLite synchronous is {sync}, expected 2 (FULL)");
        }
        if fk != 1 {
            bail!("SQLite foreign_keys is off");
        }
        if busy < 5000 {
            bail!("SQLite busy_timeout is {busy} ms, expected at least 5000");
        }
        Ok(())
    }

    /// One trivial statement: does the database answer?
    pub async fn ping(&self) -> Result<(), sqlx::Error> {
        sqlx::query("SELECT 1")
            .execute(&self.pool)
            .await
            .map(|_| ())
    }

    /// Statements run through the pool so far (see [`Pool`]).
    pub fn statements(&self) -> u64 {
        self.pool.statements()
    }

    /// Begins a write transaction (`BEGIN IMMEDIATE` on SQLite).
    pub async fn begin(&self) -> Result<Tx, sqlx::Error> {
        match self.backend {
            Backend::Sqlite => self.pool.begin_with("BEGIN IMMEDIATE").await,
            Backend::Postgres => self.pool.begin().await,
        }
    }
}

/// Hides the password in a database URL for logs and printed config.
pub fn mask_url(url: &str) -> String {
    match url::Url::parse(url) {
        Ok(mut parsed) if parsed.password().is_some() => {
            let _ = parsed.set_password(Some("****"));
            parsed.to_string()
        }
        _ => url.to_string(),
    }
}

/// Timestamps are stored as fixed-width RFC 3339 UTC text so that text order is time order.
pub fn ts(t: DateTime<Utc>) -> String {
    t.format("%Y-%m-%dT%H:%M:%S%.6fZ").to_string()
}

pub fn parse_ts(s: &str) -> Option<DateTime<Utc>> {
    DateTime::parse_from_rfc3339(s)
        .ok()
        .map(|t| t.with_timezone(&Utc))
}

/// Is this error a unique-constraint violation (so the caller can report a field error)?
pub fn is_unique_violation(err: &sqlx::Error) -> bool {
    match err {
        sqlx::Error::Database(db) => {
            db.is_unique_violation()
                || db.code().as_deref() == Some("23505")
                || db.message().contains("UNIQUE constraint failed")
        }
        _ => false,
    }
}

/// Reads a boolean column portably: PostgreSQL `BOOLEAN`, SQLite `INTEGER` 0/1.
pub fn get_bool(row: &sqlx::any::AnyRow, idx: usize) -> Result<bool, sqlx::Error> {
    match row.try_get::<bool, _>(idx) {
        Ok(b) => Ok(b),
        Err(_) => Ok(row.try_get::<i64, _>(idx)? != 0),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn masks_password() {
        assert_eq!(
            mask_url("postgres://u:secret@localhost/db"),
            "postgres://u:****@localhost/db"
        );
        assert_eq!(mask_url("sqlite://x.db"), "sqlite://x.db");
    }

    #[test]
    fn timestamps_sort_as_text() {
        let a = parse_ts("2017-05-22T15:59:59Z").unwrap();
        let b = parse_ts("2017-05-22T16:00:00.5Z").unwrap();
        assert!(ts(a) < ts(b));
        assert_eq!(parse_ts(&ts(a)), Some(a));
    }
}

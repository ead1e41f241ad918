//! Embedded migrations, one set per backend with the same versions (checked by a test).

use anyhow::Context;
use sqlx::{AssertSqlSafe, Row};

use super::{Backend, Db};

pub struct Migration {
    pub version: i64,
    pub name: &'static str,
    pub sqlite: &'static str,
    pub postgres: &'static str,
}

pub const MIGRATIONS: &[Migration] = &[
    Migration {
        version: 1,
        name: "init",
        sqlite: include_str!("../../migrations/sqlite/0001_init.sql"),
        postgres: include_str!("../../migrations/postgres/0001_init.sql"),
    },
    Migration {
        version: 2,
        name: "facts",
        sqlite: include_str!("../../migrations/sqlite/0002_facts.sql"),
        postgres: include_str!("../../migrations/postgres/0002_facts.sql"),
    },
    Migration {
        version: 3,
        name: "plans",
        sqlite: include_str!("../../migrations/sqlite/0003_plans.sql"),
        postgres: include_str!("../../migrations/postgres/0003_plans.sql"),
    },
    Migration {
        version: 4,
        name: "tracking",
        sqlite: include_str!("../../migrations/sqlite/0004_tracking.sql"),
        postgres: include_str!("../../migrations/postgres/0004_tracking.sql"),
    },
    Migration {
        version: 5,
        name: "hardening",
        sqlite: include_str!("../../migrations/sqlite/0005_hardening.sql"),
        postgres: include_str!("../../migrations/postgres/0005_hardening.sql"),
    },
    Migration {
        version: 6,
        name: "bulletins",
        sqlite: include_str!("../../migrations/sqlite/0006_bulletins.sql"),
        postgres: include_str!("../../migrations/postgres/0006_bulletins.sql"),
    },
    Migration {
        version: 7,
        name: "assessment",
        sqlite: include_str!("../../migrations/sqlite/0007_assessment.sql"),
        postgres: include_str!("../../migrations/postgres/0007_assessment.sql"),
    },
    Migration {
        version: 8,
        name: "years",
        sqlite: include_str!("../../migrations/sqlite/0008_years.sql"),
        postgres: include_str!("../../migrations/postgres/0008_years.sql"),
    },
    Migration {
        version: 9,
        name: "assessment_results",
        sqlite: include_str!("../../migrations/sqlite/0009_assessment_results.sql"),
        postgres: include_str!("../../migrations/postgres/0009_assessment_results.sql"),
    },
    Migration {
        version: 10,
        name: "society_names",
        sqlite: include_str!("../../migrations/sqlite/0010_society_names.sql"),
        postgres: include_str!("../../migrations/postgres/0010_society_names.sql"),
    },
    Migration {
        version: 11,
        name: "report_accept",
        sqlite: include_str!("../../migrations/sqlite/0011_report_accept.sql"),
        postgres: include_str!("../../migrations/postgres/0011_report_accept.sql"),
    },
    Migration {
        version: 12,
        name: "assessment_changes",
        sqlite: include_str!("../../migrations/sqlite/0012_assessment_changes.sql"),
        postgres: include_str!("../../migrations/postgres/0012_assessment_changes.sql"),
    },
    Migration {
        version: 13,
        name: "bulletin_header_index",
        sqlite: include_str!("../../migrations/sqlite/0013_bulletin_header_index.sql"),
        postgres: include_str!("../../migrations/postgres/0013_bulletin_header_index.sql"),
    },
    Migration {
        version: 14,
        name: "progress_extract",
        sqlite: include_str!("../../migrations/sqlite/0014_progress_extract.sql"),
        postgres: include_str!("../../migrations/postgres/0014_progress_extract.sql"),
    },
    Migration {
        version: 15,
        name: "dashboard_month",
        sqlite: include_str!("../../migrations/sqlite/0015_dashboard_month.sql"),
        postgres: include_str!("../../migrations/postgres/0015_dashboard_month.sql"),
    },
    Migration {
        version: 16,
        name: "snapshot_version",
        sqlite: include_str!("../../migrations/sqlite/0016_snapshot_version.sql"),
        postgres: include_str!("../../migrations/postgres/0016_snapshot_version.sql"),
    },
];

/// The migration that adds the progress extracts; [`super::extracts::backfill`] runs once the
/// database has it.
const PROGRESS_EXTRACT: i64 = 14;

/// Applies every migration not yet applied, each in its own transaction.
pub async fn run(db: &Db) -> anyhow::Result<()> {
    run_until(db, i64::MAX).await
}

/// Applies every migration up to version `last` not yet applied, each in its own transaction
/// (tests of a migration start from a database as an older release left it).
///
/// On SQLite a migration runs on one connection with foreign keys OFF, and the foreign keys are
/// checked (`PRAGMA foreign_key_check`) before it commits: SQLite's documented procedure for
/// schema changes ALTER TABLE cannot make (rebuilding a table: 0011). With foreign keys on,
/// dropping a referenced table inside the transaction would fail (or cascade), and the pragma
/// cannot be changed inside a transaction. The connection gets foreign keys back on before it
/// returns to the pool (closed instead if that fails).
pub async fn run_until(db: &Db, last: i64) -> anyhow::Result<()> {
    sqlx::raw_sql(
        "CREATE TABLE IF NOT EXISTS schema_migrations (version BIGINT PRIMARY KEY, name TEXT NOT NULL, applied_at TEXT NOT NULL)",
    )
    .execute(&db.pool)
    .await
    .context("creating schema_migrations")?;
    for m in MIGRATIONS.iter().filter(|m| m.version <= last) {
        let applied = match db.backend {
            Backend::Sqlite => apply_sqlite(db, m).await,
            Backend::Postgres => {
                let mut tx = db.begin().await?;
                let applied = apply(&mut tx, m, m.postgres).await?;
                if applied {
                    tx.commit().await?;
                } else {
                    tx.rollback().await?;
                }
                Ok(applied)
            }
        }
        .with_context(|| format!("migration {} {}", m.version, m.name))?;
        if applied {
            tracing::info!(
                migration.version = m.version,
                migration.name = m.name,
                "applied migration"
            );
        }
    }
    // Issue 8: versions stored before migration 0014 (or by an older release writing into a
    // migrated database) get their progress extract; idempotent, a no-op once all have one.
    if last >= PROGRESS_EXTRACT {
        let filled = super::extracts::backfill(db)
            .await
            .context("back-filling the progress extracts (migration 0014)")?;
        if filled.any() {
            tracing::info!(
                reports = filled.reports,
                plans = filled.plans,
                unreadable = filled.unreadable,
                "back-filled progress extracts"
            );
        }
    }
    Ok(())
}

/// Runs `sql` and records the migration unless it is recorded already; false when it was.
async fn apply(
    conn: &mut sqlx::AnyConnection,
    m: &Migration,
    sql: &'static str,
) -> anyhow::Result<bool> {
    let done = sqlx::query("SELECT COUNT(*) FROM schema_migrations WHERE version = $1")
        .bind(m.version)
        .fetch_one(&mut *conn)
        .await?
        .try_get::<i64, _>(0)?;
    if done > 0 {
        return Ok(false);
    }
    sqlx::raw_sql(AssertSqlSafe(sql))
        .execute(&mut *conn)
        .await?;
    sqlx::query("INSERT INTO schema_migrations (version, name, applied_at) VALUES ($1, $2, $3)")
        .bind(m.version)
        .bind(m.name)
        .bind(super::ts(chrono::Utc::now()))
        .execute(&mut *conn)
        .await?;
    Ok(true)
}

/// One SQLite migration with foreign keys off (steps 1 and 12 of SQLite's procedure), checked
/// before the commit (step 10).
async fn apply_sqlite(db: &Db, m: &Migration) -> anyhow::Result<bool> {
    use sqlx::Connection;
    let mut conn = db.pool.acquire().await?;
    sqlx::raw_sql("PRAGMA foreign_keys = OFF")
        .execute(&mut *conn)
        .await?;
    let applied = async {
        let mut tx = conn.begin_with("BEGIN IMMEDIATE").await?;
        let applied = apply(&mut tx, m, m.sqlite).await?;
        if !applied {
            tx.rollback().await?;
            return Ok(false);
        }
        let broken = sqlx::query("PRAGMA foreign_key_check")
            .fetch_all(&mut *tx)
            .await?;
        if let Some(row) = broken.first() {
            let table: String = row.try_get(0).unwrap_or_default();
            let parent: String = row.try_get(2).unwrap_or_default();
            tx.rollback().await?;
            anyhow::bail!(
                "{} row(s) would break a foreign key (first: {table} → {parent}); nothing changed",
                broken.len()
            );
        }
        tx.commit().await?;
        anyhow::Ok(true)
    }
    .await;
    if let Err(e) = sqlx::raw_sql("PRAGMA foreign_keys = ON")
        .execute(&mut *conn)
        .await
    {
        // Never hand out a connection without foreign keys.
        conn.close_on_drop();
        return Err(applied.err().unwrap_or_else(|| e.into()));
    }
    applied
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The two backends' schemas must describe the same tables and columns (columns added
    /// later by `ALTER TABLE t ADD COLUMN c` count as `t+` with `c`).
    fn tables(sql: &str) -> Vec<(String, Vec<String>)> {
        let mut out = Vec::new();
        let mut current: Option<(String, Vec<String>)> = None;
        for line in sql.lines() {
            let line = line.trim();
            if let Some(rest) = line.strip_prefix("ALTER TABLE ") {
                let mut words = rest.split_whitespace();
                let name = words.next().unwrap_or("").to_string();
                if let (Some("ADD"), Some("COLUMN"), Some(col)) =
                    (words.next(), words.next(), words.next())
                {
                    out.push((format!("{name}+"), vec![col.to_string()]));
                }
            } else if let Some(rest) = line.strip_prefix("CREATE TABLE ") {
                let name = rest.split_whitespace().next().unwrap_or("").to_string();
                current = Some((name, Vec::new()));
            } else if line.starts_with(");") {
                if let Some(t) = current.take() {
                    out.push(t);
                }
            } else if let Some((_, cols)) = current.as_mut() {
                let first = line.split_whitespace().next().unwrap_or("");
                if !first.is_empty()
                    && first.chars().all(|c| c.is_ascii_lowercase() || c == '_')
                    && !matches!(first, "check")
                {
                    cols.push(first.to_string());
                }
            }
        }
        out
    }

    /// SQLite table rebuilds in a migration: `ALTER TABLE x_new RENAME TO x` → ("x_new", "x").
    fn rebuilds(sql: &str) -> Vec<(String, String)> {
        sql.lines()
            .filter_map(|line| {
                let rest = line.trim().strip_prefix("ALTER TABLE ")?;
                let mut words = rest.split_whitespace();
                let from = words.next()?;
                match (words.next(), words.next(), words.next()) {
                    (Some("RENAME"), Some("TO"), Some(to)) => {
                        Some((from.to_string(), to.trim_end_matches(';').to_string()))
                    }
                    _ => None,
                }
            })
            .collect()
    }

    #[test]
    fn backends_have_the_same_schema() {
        // The SQLite schema so far (table → columns), to check that rebuilds keep every column.
        let mut schema: std::collections::BTreeMap<String, Vec<String>> = Default::default();
        for m in MIGRATIONS {
            let renames = rebuilds(m.sqlite);
            let mut a = tables(m.sqlite);
            // A rebuild (SQLite only; PostgreSQL alters in place) keeps exactly the columns.
            for (from, to) in &renames {
                let pos = a
                    .iter()
                    .position(|(t, _)| t == from)
                    .unwrap_or_else(|| panic!("migration {}: {from} is not created", m.version));
                let (_, cols) = a.remove(pos);
                assert_eq!(
                    schema.get(to),
                    Some(&cols),
                    "migration {}: rebuilding {to} changes its columns",
                    m.version
                );
            }
            let b = tables(m.postgres);
            // A migration changes a table, or (SQLite only: migration 0013) adds an index.
            assert!(!a.is_empty() || !renames.is_empty() || m.sqlite.contains("CREATE INDEX"));
            assert_eq!(a, b, "migration {} differs between backends", m.version);
            for (t, cols) in a {
                match t.strip_suffix('+') {
                    Some(base) => schema.entry(base.to_string()).or_default().extend(cols),
                    None => {
                        schema.insert(t, cols);
                    }
                }
            }
        }
        assert_eq!(
            rebuilds(MIGRATIONS[10].sqlite),
            vec![
                ("reports_new".to_string(), "reports".to_string()),
                (
                    "report_reviews_new".to_string(),
                    "report_reviews".to_string()
                )
            ]
        );
    }

    #[test]
    fn versions_increase() {
        for pair in MIGRATIONS.windows(2) {
            assert!(pair[0].version < pair[1].version);
        }
    }
}

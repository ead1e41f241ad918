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
        version: 12,
        name: "assessment_changes",
        sqlite: include_str!("../../migrations/sqlite/0012_assessment_changes.sql"),
        postgres: include_str!("../../migrations/postgres/0012_assessment_changes.sql"),
    },
];

/// Applies every migration not yet applied, each in its own transaction.
pub async fn run(db: &Db) -> anyhow::Result<()> {
    sqlx::raw_sql(
        "CREATE TABLE IF NOT EXISTS schema_migrations (version BIGINT PRIMARY KEY, name TEXT NOT NULL, applied_at TEXT NOT NULL)",
    )
    .execute(&db.pool)
    .await
    .context("creating schema_migrations")?;
    for m in MIGRATIONS {
        let mut tx = db.begin().await?;
        let done = sqlx::query("SELECT COUNT(*) FROM schema_migrations WHERE version = $1")
            .bind(m.version)
            .fetch_one(&mut *tx)
            .await?
            .try_get::<i64, _>(0)?;
        if done > 0 {
            tx.rollback().await?;
            continue;
        }
        let sql = match db.backend {
            Backend::Sqlite => m.sqlite,
            Backend::Postgres => m.postgres,
        };
        sqlx::raw_sql(AssertSqlSafe(sql))
            .execute(&mut *tx)
            .await
            .with_context(|| format!("migration {} {}", m.version, m.name))?;
        sqlx::query(
            "INSERT INTO schema_migrations (version, name, applied_at) VALUES ($1, $2, $3)",
        )
        .bind(m.version)
        .bind(m.name)
        .bind(super::ts(chrono::Utc::now()))
        .execute(&mut *tx)
        .await?;
        tx.commit().await?;
        tracing::info!(
            migration.version = m.version,
            migration.name = m.name,
            "applied migration"
        );
    }
    Ok(())
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

    #[test]
    fn backends_have_the_same_schema() {
        for m in MIGRATIONS {
            let a = tables(m.sqlite);
            let b = tables(m.postgres);
            assert!(!a.is_empty());
            assert_eq!(a, b, "migration {} differs between backends", m.version);
        }
    }

    #[test]
    fn versions_increase() {
        for pair in MIGRATIONS.windows(2) {
            assert!(pair[0].version < pair[1].version);
        }
    }
}

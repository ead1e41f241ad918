//! The progress extracts beside the immutable versions (issue 8, migration 0014, R-TRACK-3):
//! `report_versions.progress_json` holds a report version's
//! [`ReportExtract`](reformwatch_core::tracking::ReportExtract), `plan_versions.progress_json`
//! a reform plan version's progress part ([`PlanContent::progress_part`]). The document store
//! writes them with the version (`documents::submit`, same transaction); the dashboard, the
//! rates, the reminders, the rectification rule and the bulletins read only them.
//!
//! [`backfill`] gives the versions stored before migration 0014 theirs, once: it runs after
//! the migrations, sets only extracts that are NULL (the database refuses to change one that
//! is set), and is a no-op when every version has one. A version whose content does not decode
//! keeps a NULL extract and is logged; reading it is then an error naming the row, as reading
//! its content was before.

use anyhow::Context;
use reformwatch_core::plan::PlanContent;
use reformwatch_core::tracking::{ReportContent, ReportExtract};
use sqlx::{AssertSqlSafe, Row};

use super::Db;

/// How many extracts one [`backfill`] wrote, and how many versions it could not read.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Filled {
    pub reports: u64,
    pub plans: u64,
    /// Versions whose content does not decode: their extract stays NULL.
    pub unreadable: u64,
}

impl Filled {
    /// Anything done or found.
    pub fn any(&self) -> bool {
        self.reports + self.plans + self.unreadable > 0
    }
}

/// Rows per transaction of the back-fill (keeps the write lock short for other writers).
const BATCH: i64 = 500;

/// Writes the missing progress extracts of report versions and reform plan versions
/// (idempotent; see the module documentation).
pub async fn backfill(db: &Db) -> anyhow::Result<Filled> {
    let mut filled = Filled::default();
    let (n, bad) = fill(
        db,
        "report_versions",
        "SELECT v.id, v.content_json FROM report_versions v \
         WHERE v.progress_json IS NULL AND v.id > $1 ORDER BY v.id LIMIT $2",
        |text| {
            let c: ReportContent = serde_json::from_str(text)?;
            serde_json::to_string(&ReportExtract::from(&c))
        },
    )
    .await?;
    filled.reports = n;
    filled.unreadable += bad;
    let (n, bad) = fill(
        db,
        "plan_versions",
        "SELECT v.id, v.content_json FROM plan_versions v JOIN plans p ON p.id = v.plan_id \
         WHERE p.kind = 'reform' AND v.progress_json IS NULL AND v.id > $1 ORDER BY v.id LIMIT $2",
        |text| {
            let c: PlanContent = serde_json::from_str(text)?;
            serde_json::to_string(&c.progress_part())
        },
    )
    .await?;
    filled.plans = n;
    filled.unreadable += bad;
    Ok(filled)
}

/// One table: batches of versions without an extract, in id order; (written, unreadable).
async fn fill(
    db: &Db,
    table: &str,
    select: &'static str,
    extract: impl Fn(&str) -> Result<String, serde_json::Error>,
) -> anyhow::Result<(u64, u64)> {
    let update =
        format!("UPDATE {table} SET progress_json = $1 WHERE id = $2 AND progress_json IS NULL");
    let (mut written, mut unreadable) = (0u64, 0u64);
    let mut after = 0i64;
    loop {
        let rows = sqlx::query(select)
            .bind(after)
            .bind(BATCH)
            .fetch_all(&db.pool)
            .await
            .with_context(|| format!("reading {table}"))?;
        let Some(last) = rows.last() else {
            return Ok((written, unreadable));
        };
        after = last.try_get(0)?;
        let mut tx = db.begin().await?;
        for r in &rows {
            let id: i64 = r.try_get(0)?;
            let text: &str = r.try_get(1)?;
            match extract(text) {
                Ok(json) => {
                    let done = sqlx::query(AssertSqlSafe(update.clone()))
                        .bind(json)
                        .bind(id)
                        .execute(&mut *tx)
                        .await
                        .with_context(|| {
                            format!("writing the progress extract of {table} row {id}")
                        })?;
                    written += done.rows_affected();
                }
                Err(e) => {
                    unreadable += 1;
                    tracing::warn!(
                        table,
                        id,
                        error = %e,
                        "version content does not decode: no progress extract (reading it is an error naming the row)"
                    );
                }
            }
        }
        tx.commit().await?;
    }
}

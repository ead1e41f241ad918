//! Housekeeping (issue 4, issue 5, R-PLAN-5): what the server does on its own, every minute, in
//! every process. Each step is idempotent in the database (reminders and rectification requests
//! are deduplicated there), so several `serve` processes on one database do it once between
//! them, and a step that failed is simply done at the next run.

use chrono::{DateTime, Utc};

use crate::AppState;
use crate::db::{catalogues, sessions};
use crate::error::{AppError, AppResult};
use crate::service::{notifications, reports};

/// What one run did.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct Done {
    /// Societies due a plan deadline reminder (already reminded ones included).
    pub deadline_reminders: usize,
    /// Societies due a monthly report reminder (already reminded ones included).
    pub report_reminders: usize,
    /// Societies asked for a rectification plan by the catalogue's rule in this run.
    pub rectifications: usize,
    pub emails_sent: usize,
    pub emails_failed: usize,
    pub sessions_purged: u64,
    /// Upload temp files left over by a crash or a kill, removed.
    pub temp_files_removed: usize,
}

/// An upload in progress keeps its temp file fresh; older ones are left-overs.
const TEMP_MAX_AGE: std::time::Duration = std::time::Duration::from_secs(3600);

/// Runs every step at `now`, for the newest catalogue year: plan deadline reminders, monthly
/// report reminders, the catalogue's rectification rule, the e-mail outbox, expired sessions
/// and the evidence temp folder. A failing step does not stop the others; the first error is
/// returned after all have run.
pub async fn run(state: &AppState, now: DateTime<Utc>) -> AppResult<Done> {
    let mut done = Done::default();
    let mut first_error: Option<AppError> = None;
    let mut keep = |step: &str, e: AppError| {
        tracing::warn!(housekeeping.step = step, error = %e, "housekeeping step failed");
        if first_error.is_none() {
            first_error = Some(e);
        }
    };
    match catalogues::newest_year(&state.db).await {
        Ok(Some(year)) => match state.catalogues.get(&state.db, year).await {
            Ok(Some(catalogue)) => {
                match notifications::plan_deadline_reminders(state, &catalogue, now).await {
                    Ok(n) => done.deadline_reminders = n,
                    Err(e) => keep("deadline reminders", e),
                }
                match reports::report_reminders(state, &catalogue, now).await {
                    Ok(n) => done.report_reminders = n,
                    Err(e) => keep("report reminders", e),
                }
                match reports::auto_rectification(state, &catalogue, now).await {
                    Ok(n) => done.rectifications = n,
                    Err(e) => keep("rectification rule", e),
                }
            }
            Ok(None) => {}
            Err(e) => keep("catalogue", e),
        },
        Ok(None) => {}
        Err(e) => keep("catalogue", e),
    }
    match notifications::flush_email(state, now).await {
        Ok((sent, failed)) => {
            done.emails_sent = sent;
            done.emails_failed = failed;
        }
        Err(e) => keep("e-mail outbox", e),
    }
    match sessions::purge_expired(&state.db, state.config.session_policy(), now).await {
        Ok(n) => done.sessions_purged = n,
        Err(e) => keep("sessions", e),
    }
    match reformwatch_files::Store::open(state.config.evidence_dir()) {
        Ok(store) => match store.sweep_tmp(TEMP_MAX_AGE).await {
            Ok(n) => done.temp_files_removed = n,
            Err(e) => keep("evidence temp files", AppError::Internal(e.into())),
        },
        Err(e) => keep("evidence store", AppError::Internal(e.into())),
    }
    match first_error {
        Some(e) => Err(e),
        None => Ok(done),
    }
}

/// How often the serve loop runs housekeeping.
pub const PERIOD: std::time::Duration = std::time::Duration::from_secs(60);

/// The serve loop's housekeeping (issue 8): [`run`] at the state's clock, now and then every
/// `period`, for as long as the process serves. `serve` spawns it in every process with
/// [`PERIOD`]; a failed run is logged and the next one tries again.
pub async fn every(state: AppState, period: std::time::Duration) {
    loop {
        let now = state.clock.now();
        match run(&state, now).await {
            Ok(done) => tracing::debug!(?done, "housekeeping"),
            Err(e) => tracing::warn!(error = %e, "housekeeping incomplete"),
        }
        tokio::time::sleep(period).await;
    }
}

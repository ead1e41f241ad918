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
    /// The reminder and rectification steps were skipped: nothing they read had changed since
    /// the previous run ([`run_when_due`]).
    pub rules_skipped: bool,
}

/// What the serve loop's previous housekeeping run saw (issue 8, the fixed cost of a large
/// deployment): the rule steps load the whole year (every accepted plan and received report,
/// tens of seconds of work at 10,000 societies), so the loop runs them only when their result
/// can differ from the previous run's. Kept in the loop's memory only as an optimisation: a
/// new process starts empty and runs everything once; the database stays the truth.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct Seen {
    /// When the rule steps last ran, and the audit trail's head sequence number then.
    last: Option<(DateTime<Utc>, i64)>,
}

/// Whether the rule steps can give a different result at `now` than at the `last` run: every
/// state change is audited (R-X-2), so an unchanged audit head means unchanged data; and the
/// clock matters only at the boundaries the rules read: a new day in the catalogue's time zone
/// (reminders count days), a monthly report's due instant (R-TRACK-1) or the plan deadline
/// (R-PLAN-2) passed in between.
pub fn rules_due(
    catalogue: &reformwatch_core::catalogue::Catalogue,
    plan_deadline: Option<DateTime<Utc>>,
    last: Option<(DateTime<Utc>, i64)>,
    now: DateTime<Utc>,
    audit_seq: i64,
) -> bool {
    use reformwatch_core::tracking::{expected_months, report_due};
    let Some((at, seq)) = last else {
        return true;
    };
    if seq != audit_seq || now < at {
        return true;
    }
    let tz = catalogue.timezone;
    if at.with_timezone(&tz).date_naive() != now.with_timezone(&tz).date_naive() {
        return true;
    }
    let crossed = |due: DateTime<Utc>| at < due && due <= now;
    plan_deadline.is_some_and(crossed)
        || expected_months(catalogue)
            .into_iter()
            .any(|m| crossed(report_due(catalogue, m)))
}

/// The serve loop's run (every minute): [`run`], except that the reminder and rectification
/// steps are skipped when [`rules_due`] says nothing they read has changed since the previous
/// run recorded in `seen`. Two statements decide it (the newest year, the audit head).
pub async fn run_when_due(
    state: &AppState,
    now: DateTime<Utc>,
    seen: &mut Seen,
) -> AppResult<Done> {
    let seq = crate::db::audit::head(&state.db)
        .await
        .map_err(|e| AppError::Internal(e.into()))?
        .map(|h| h.seq)
        .unwrap_or(0);
    let due = match catalogues::newest_year(&state.db).await? {
        Some(year) => match state.catalogues.get(&state.db, year).await? {
            Some(catalogue) => {
                let deadline = crate::db::plans::plan_deadline(&state.db, &catalogue)
                    .await
                    .ok()
                    .map(|d| d.0);
                rules_due(&catalogue, deadline, seen.last, now, seq)
            }
            None => true,
        },
        None => true,
    };
    let done = run_steps(state, now, due).await?;
    if due {
        // The head after the run: the run's own audited writes (reminders, requests) are its
        // result, not a reason to run again.
        let after = crate::db::audit::head(&state.db)
            .await
            .map_err(|e| AppError::Internal(e.into()))?
            .map(|h| h.seq)
            .unwrap_or(0);
        seen.last = Some((now, after));
    }
    Ok(done)
}

/// An upload in progress keeps its temp file fresh; older ones are left-overs.
const TEMP_MAX_AGE: std::time::Duration = std::time::Duration::from_secs(3600);

/// Runs every step at `now`, for the newest catalogue year: plan deadline reminders, monthly
/// report reminders, the catalogue's rectification rule, the e-mail outbox, expired sessions
/// and the evidence temp folder. A failing step does not stop the others; the first error is
/// returned after all have run.
pub async fn run(state: &AppState, now: DateTime<Utc>) -> AppResult<Done> {
    run_steps(state, now, true).await
}

async fn run_steps(state: &AppState, now: DateTime<Utc>, rules: bool) -> AppResult<Done> {
    let mut done = Done {
        rules_skipped: !rules,
        ..Done::default()
    };
    let mut first_error: Option<AppError> = None;
    let mut keep = |step: &str, e: AppError| {
        tracing::warn!(housekeeping.step = step, error = %e, "housekeeping step failed");
        if first_error.is_none() {
            first_error = Some(e);
        }
    };
    match catalogues::newest_year(&state.db).await {
        Ok(Some(_)) if !rules => {}
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

/// The serve loop's housekeeping (issue 8): [`run_when_due`] at the state's clock, now and then every
/// `period`, for as long as the process serves. `serve` spawns it in every process with
/// [`PERIOD`]; a failed run is logged and the next one tries again.
pub async fn every(state: AppState, period: std::time::Duration) {
    let mut seen = Seen::default();
    loop {
        let now = state.clock.now();
        match run_when_due(&state, now, &mut seen).await {
            Ok(done) => tracing::debug!(?done, "housekeeping"),
            Err(e) => tracing::warn!(error = %e, "housekeeping incomplete"),
        }
        tokio::time::sleep(period).await;
    }
}

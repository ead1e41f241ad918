//! The reviewers' queue of monthly reports (issue 10: "reports behave like plans"): every
//! report of a year with its society, filtered by month, status, discipline group and how long
//! it has waited; oldest waiting first. Two statements whatever the number of societies.

use chrono::{DateTime, Utc};
use reformwatch_core::tracking::ReportState;
use serde::{Deserialize, Serialize};

use crate::AppState;
use crate::auth::policy::Action;
use crate::db::parse_ts;
use crate::db::reports::{self as store, QueueRow};
use crate::db::societies::{self, Society, SocietyFilter};
use crate::error::AppResult;
use crate::principal::Principal;

/// The queue's filters, as they appear in the URL (`/reviews/reports?…`).
#[derive(Debug, Default, Clone, Deserialize, utoipa::IntoParams)]
pub struct ReportQueueQuery {
    /// The year (default: the newest catalogue's).
    #[serde(default)]
    pub year: Option<String>,
    /// A month 1–12; empty: every month.
    #[serde(default)]
    pub month: String,
    /// `waiting` (submitted, awaiting the reviewer's return or accept: the default),
    /// `submitted` (the same reports, whatever their comments), `returned`, `accepted`,
    /// `draft`, or `all`.
    #[serde(default)]
    pub status: String,
    /// Discipline group letter A–E; empty: every group.
    #[serde(default)]
    pub group: String,
    /// Only reports waiting at least this many whole days since their latest submission.
    #[serde(default)]
    pub waiting: String,
    /// The page (pages only; the API answers every row).
    #[serde(default)]
    pub page: Option<String>,
}

/// The statuses of the filter, in order.
pub const STATUSES: [&str; 6] = [
    "waiting",
    "submitted",
    "returned",
    "accepted",
    "draft",
    "all",
];

impl ReportQueueQuery {
    /// The status filter, `waiting` when absent or unknown.
    pub fn status(&self) -> &str {
        STATUSES
            .iter()
            .copied()
            .find(|s| *s == self.status.trim())
            .unwrap_or("waiting")
    }
    pub fn month(&self) -> Option<u32> {
        self.month
            .trim()
            .parse()
            .ok()
            .filter(|m| (1..=12).contains(m))
    }
    pub fn min_waiting_days(&self) -> Option<i64> {
        self.waiting.trim().parse().ok().filter(|d| *d >= 0)
    }
    pub fn group(&self) -> Option<String> {
        let g = self.group.trim().to_ascii_uppercase();
        crate::model::DisciplineGroup::parse(&g).map(|x| x.letter().to_string())
    }
}

/// One report in the queue.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct QueueEntry {
    pub society: Society,
    pub month: u32,
    /// `draft`, `submitted`, `returned`, `accepted`.
    pub state: String,
    /// Submitted and not decided yet (a comment does not decide): return or accept it.
    pub waiting: bool,
    /// Reviews of the latest version so far (comments, and the decision once made).
    pub latest_comments: i64,
    pub latest_version: Option<i64>,
    /// When the latest version was submitted (RFC 3339, UTC).
    pub latest_submitted_at: Option<String>,
    /// Whole days since the latest submission (waiting reports only).
    pub waiting_days: Option<i64>,
    /// Seconds the first submission came after the month's due instant.
    pub first_late_seconds: Option<i64>,
    /// The page of the report.
    pub link: String,
}

/// The queue of a year.
pub struct ReportQueue {
    pub year: i32,
    pub catalogue: std::sync::Arc<reformwatch_core::catalogue::Catalogue>,
    pub entries: Vec<QueueEntry>,
    pub now: DateTime<Utc>,
}

/// Every report matching the filters (staff): waiting ones first, the longest waiting first,
/// never submitted last, then by society code and month.
pub async fn queue(
    state: &AppState,
    who: &Principal,
    q: &ReportQueueQuery,
) -> AppResult<ReportQueue> {
    who.require(Action::ListAllSocieties, None)?;
    let catalogue = crate::service::catalogues::get(state, q.year.as_deref()).await?;
    let year = catalogue.year;
    let now = state.clock.now();
    let all = societies::list(
        &state.db,
        &SocietyFilter {
            group: q.group(),
            q: None,
            include_inactive: Some(true),
        },
    )
    .await?;
    let by_id: std::collections::HashMap<i64, &Society> = all.iter().map(|s| (s.id, s)).collect();
    let rows = store::queue_of_year(&state.db, year).await?;
    let (status, month, min_days) = (q.status(), q.month(), q.min_waiting_days());
    let mut entries: Vec<QueueEntry> = rows
        .into_iter()
        .filter_map(|row: QueueRow| {
            let society = (*by_id.get(&row.summary.society_id)?).clone();
            let r = &row.summary;
            // Issue 10: a submitted report waits until it is returned or accepted.
            let waiting = r.state == ReportState::Submitted;
            let waiting_days = row
                .latest_submitted_at
                .as_deref()
                .and_then(parse_ts)
                .filter(|_| waiting)
                .map(|at| (now - at).num_days().max(0));
            let keep = match status {
                "waiting" => waiting,
                "all" => true,
                s => r.state.as_str() == s,
            } && month.is_none_or(|m| r.month.month == m)
                && min_days.is_none_or(|d| waiting_days.is_some_and(|w| w >= d));
            keep.then(|| QueueEntry {
                link: format!(
                    "/societies/{}/reports/{year}/{}",
                    society.code, r.month.month
                ),
                society,
                month: r.month.month,
                state: r.state.as_str().to_string(),
                waiting,
                latest_comments: row.latest_reviews,
                latest_version: r.latest_version,
                latest_submitted_at: row.latest_submitted_at.clone(),
                waiting_days,
                first_late_seconds: r.first_late_seconds,
            })
        })
        .collect();
    entries.sort_by(|a, b| {
        b.waiting
            .cmp(&a.waiting)
            // Oldest submission first; never submitted last.
            .then(
                a.latest_submitted_at
                    .is_none()
                    .cmp(&b.latest_submitted_at.is_none()),
            )
            .then(a.latest_submitted_at.cmp(&b.latest_submitted_at))
            .then(a.society.code.cmp(&b.society.code))
            .then(a.month.cmp(&b.month))
    });
    Ok(ReportQueue {
        year,
        catalogue,
        entries,
        now,
    })
}

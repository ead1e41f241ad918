//! The reviewers' queue of monthly reports (issue 10): what waits for a review, oldest first,
//! filtered by month, status, discipline group and days waited; the filters live in the URL
//! and in the pages' links (100 reports a page). A waiting report can be accepted from its row
//! ("通过", issue 10); returning needs a comment and is done on the report's page.

use askama::Template;
use axum::extract::{Query, State};
use axum::response::Response;
use reformwatch_core::tracking::Month;

use super::{groups, month_label, report_state_label};
use crate::AppState;
use crate::error::AppResult;
use crate::http::Ctx;
use crate::http::page::{Counted, PAGE_SIZE, Page, Pager, render};
use crate::service::report_queue::{self as service, ReportQueueQuery, STATUSES};

pub struct Row {
    pub code: String,
    pub name: String,
    pub link: String,
    pub month: String,
    pub state: String,
    pub state_label: String,
    pub version: String,
    pub submitted: String,
    pub waiting: String,
    pub late: String,
    /// Waiting for a decision: the row offers "accept" (posting to the report's review).
    pub can_accept: bool,
    /// The accept button's accessible name: "通过 A-03 2017年6月".
    pub accept_label: String,
}

#[derive(Template)]
#[template(path = "reports/queue.html")]
struct QueuePage {
    page: Page,
    year: i32,
    months: Vec<(String, String)>,
    statuses: Vec<(&'static str, String)>,
    groups: Vec<(String, String)>,
    f_month: String,
    f_status: String,
    f_group: String,
    f_waiting: String,
    count_text: String,
    rows: Vec<Row>,
    pager: Pager,
    /// Where an accept from a row comes back to: this page with its filters.
    back: String,
}

/// `?done=accepted` after an accept from a row.
#[derive(serde::Deserialize, Default)]
pub struct Done {
    #[serde(default)]
    done: Option<String>,
}

pub async fn queue(
    State(state): State<AppState>,
    ctx: Ctx,
    Query(q): Query<ReportQueueQuery>,
    Query(done): Query<Done>,
) -> AppResult<Response> {
    let t = ctx.t();
    let queue = service::queue(&state, &ctx.principal(), &q).await?;
    let year = queue.year;
    let enc = |s: &str| {
        percent_encoding::utf8_percent_encode(s, percent_encoding::NON_ALPHANUMERIC).to_string()
    };
    let f_month = q.month().map(|m| m.to_string()).unwrap_or_default();
    let f_group = q.group().unwrap_or_default();
    let f_waiting = q
        .min_waiting_days()
        .map(|d| d.to_string())
        .unwrap_or_default();
    let base = format!(
        "/reviews/reports?year={year}&month={f_month}&status={}&group={}&waiting={f_waiting}",
        q.status(),
        enc(&f_group),
    );
    let back = match q.page.as_deref().map(str::trim).filter(|p| !p.is_empty()) {
        Some(p) => format!("{base}&page={}", enc(p)),
        None => base.clone(),
    };
    let pager = Pager::new(
        &t,
        Counted::Reports,
        queue.entries.len(),
        PAGE_SIZE,
        q.page.as_deref(),
        &base,
    );
    let range = pager.range();
    let rows = queue.entries[range]
        .iter()
        .map(|e| Row {
            code: e.society.code.clone(),
            name: e.society.name.clone(),
            link: e.link.clone(),
            month: month_label(
                &t,
                Month {
                    year,
                    month: e.month,
                },
            ),
            state: e.state.clone(),
            state_label: if e.waiting {
                t.t("flows-rq-status-waiting")
            } else {
                report_state_label(&t, &e.state)
            },
            can_accept: e.waiting,
            accept_label: format!(
                "{} {} {}",
                t.t("review-accept"),
                e.society.code,
                month_label(
                    &t,
                    Month {
                        year,
                        month: e.month
                    }
                )
            ),
            version: e
                .latest_version
                .map(|v| format!("v{v}"))
                .unwrap_or_default(),
            submitted: e
                .latest_submitted_at
                .as_deref()
                .map(crate::present::beijing_text)
                .unwrap_or_default(),
            waiting: e
                .waiting_days
                .map(|d| t.t1("flows-rq-days", "days", &d))
                .unwrap_or_default(),
            late: e
                .first_late_seconds
                .map(|s| {
                    let (zh, en) =
                        reformwatch_core::plan::lateness_text(chrono::Duration::seconds(s));
                    if t.is_en() { en } else { zh }
                })
                .unwrap_or_default(),
        })
        .collect();
    Ok(render(&QueuePage {
        page: Page::new(&ctx, t.t1("flows-rq-title", "year", &year))
            .with_flash(done.done.as_deref()),
        year,
        months: reformwatch_core::tracking::expected_months(&queue.catalogue)
            .into_iter()
            .map(|m| (m.month.to_string(), month_label(&t, m)))
            .collect(),
        statuses: STATUSES
            .iter()
            .map(|s| (*s, t.t(&format!("flows-rq-status-{s}"))))
            .collect(),
        groups: groups(&t),
        f_month,
        f_status: q.status().to_string(),
        f_group,
        f_waiting,
        count_text: t.t1("flows-rq-count", "count", &queue.entries.len()),
        rows,
        pager,
        back,
    }))
}

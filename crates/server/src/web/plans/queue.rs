//! CAST's side of plans (R-PLAN-4): the reviewer queue (what waits for a decision, oldest
//! first), the overview of every society's plan (with "not started") and its .xlsx export with
//! every review comment.

use askama::Template;
use axum::extract::{Query, State};
use axum::response::Response;
use chrono::{DateTime, Utc};
use reformwatch_core::plan::{self, PlanState};

use crate::AppState;
use crate::db::parse_ts;
use crate::error::AppResult;
use crate::http::Ctx;
use crate::http::page::{Counted, PAGE_SIZE, Page, Pager, render};
use crate::i18n::T;
use crate::model::DisciplineGroup;
use crate::service;
use crate::service::plans::{Queue, QueueQuery, STATES};

pub struct QueueRow {
    pub code: String,
    pub name: String,
    pub link: String,
    pub state: &'static str,
    pub state_label: String,
    pub version: String,
    pub submitted: String,
    pub waiting: String,
    pub late: String,
    pub comments: String,
}

fn duration_text(t: &T, d: chrono::Duration) -> String {
    let days = d.num_days();
    let hours = d.num_hours() - days * 24;
    if days > 0 {
        t.t("duration-dh")
            .replace("{d}", &days.to_string())
            .replace("{h}", &hours.to_string())
    } else {
        t.t("duration-h").replace("{h}", &hours.max(0).to_string())
    }
}

/// A state of the filter (a plan state or `not_started`) in a language.
fn state_text(t: &T, s: &str) -> String {
    match PlanState::parse(s) {
        Some(p) => t.pick(p.label_zh(), p.label_en()).to_string(),
        None => t.t("plan-not-started-short"),
    }
}

/// The queue's entries in a language.
fn rows(t: &T, now: DateTime<Utc>, queue: &Queue) -> Vec<QueueRow> {
    queue
        .entries
        .iter()
        .map(|e| {
            let plan = e.plan.as_ref();
            let st = plan.map(|p| p.state.as_str()).unwrap_or("not_started");
            let late = plan.and_then(|p| p.first_late_seconds).map(|secs| {
                let (zh, en) = plan::lateness_text(chrono::Duration::seconds(secs));
                if t.is_en() { en } else { zh }
            });
            let waiting = match plan {
                Some(p) if service::plans::is_waiting(p) => p
                    .latest_submitted_at
                    .as_deref()
                    .and_then(parse_ts)
                    .map(|at| duration_text(t, now - at))
                    .unwrap_or_default(),
                _ => String::new(),
            };
            let comments = e
                .reviews
                .iter()
                .map(|r| {
                    let per_task: Vec<String> = r
                        .task_comments
                        .iter()
                        .map(|(n, c)| format!("[{} {n}] {c}", t.t("task")))
                        .collect();
                    format!(
                        "v{} {}: {} {}",
                        r.version,
                        t.t(&format!("review-{}", r.decision.as_str())),
                        r.comment,
                        per_task.join(" ")
                    )
                })
                .collect::<Vec<_>>()
                .join("\n");
            QueueRow {
                code: e.society.code.clone(),
                name: e.society.name.clone(),
                link: super::link(&e.society.code, queue.year, queue.kind),
                state: st,
                state_label: state_text(t, st),
                version: plan
                    .and_then(|p| p.latest_version)
                    .map(|v| format!("v{v}"))
                    .unwrap_or_default(),
                submitted: plan
                    .and_then(|p| p.latest_submitted_at.as_deref())
                    .map(crate::present::beijing_text)
                    .unwrap_or_default(),
                waiting,
                late: late.unwrap_or_default(),
                comments,
            }
        })
        .collect()
}

#[derive(Template)]
#[template(path = "plans/queue.html")]
struct QueuePage {
    page: Page,
    action: &'static str,
    year: i32,
    kind: &'static str,
    counts: Vec<(&'static str, String, usize)>,
    states: Vec<(&'static str, String)>,
    groups: Vec<(String, String)>,
    f_state: String,
    f_group: String,
    f_election: String,
    f_late: bool,
    export_href: Option<String>,
    rows: Vec<QueueRow>,
    pager: Pager,
}

fn groups(t: &T) -> Vec<(String, String)> {
    DisciplineGroup::ALL
        .iter()
        .map(|g| {
            (
                g.letter().to_string(),
                format!("{} {}", g.letter(), t.pick(g.name_zh(), g.name_en())),
            )
        })
        .collect()
}

async fn page_for(
    state: &AppState,
    ctx: &Ctx,
    q: QueueQuery,
    overview: bool,
) -> AppResult<Response> {
    let t = ctx.t();
    let queue = service::plans::queue(state, &ctx.principal(), &q, overview).await?;
    let (year, kind) = (queue.year, queue.kind);
    let counts = queue
        .counts
        .iter()
        .map(|(s, n)| (*s, state_text(&t, s), *n))
        .collect();
    let mut rows = rows(&t, state.clock.now(), &queue);
    if !overview && q.state.is_empty() {
        rows.retain(|r| r.state == "submitted" || r.state == "resubmitted");
    }
    let enc = |s: &str| {
        percent_encoding::utf8_percent_encode(s, percent_encoding::NON_ALPHANUMERIC).to_string()
    };
    let action = if overview {
        "/overview/plans"
    } else {
        "/reviews/plans"
    };
    // 100 rows a page (issue 10); the links keep the filters.
    let filters = format!(
        "year={year}&kind={}&state={}&group={}&election={}&late={}",
        kind.as_str(),
        enc(&q.state),
        enc(&q.group),
        enc(&q.election),
        enc(q.late.as_deref().unwrap_or(""))
    );
    let pager = Pager::new(
        &t,
        Counted::Plans,
        rows.len(),
        PAGE_SIZE,
        q.page.as_deref(),
        &format!("{action}?{filters}"),
    );
    let range = pager.range();
    let rows: Vec<QueueRow> = rows
        .into_iter()
        .skip(range.start)
        .take(range.len())
        .collect();
    Ok(render(&QueuePage {
        page: Page::new(
            ctx,
            if overview {
                t.t1("plans-overview-title", "year", &year)
            } else {
                t.t1("plans-queue-title", "year", &year)
            },
        ),
        action,
        year,
        kind: kind.as_str(),
        counts: if overview { counts } else { vec![] },
        states: STATES
            .iter()
            .filter(|s| overview || **s != "not_started")
            .map(|s| (*s, state_text(&t, s)))
            .collect(),
        groups: groups(&t),
        export_href: overview.then(|| format!("/overview/plans.xlsx?{filters}")),
        f_state: q.state,
        f_group: q.group,
        f_election: q.election,
        f_late: q.late.as_deref() == Some("true"),
        rows,
        pager,
    }))
}

pub async fn queue(
    State(state): State<AppState>,
    ctx: Ctx,
    Query(q): Query<QueueQuery>,
) -> AppResult<Response> {
    page_for(&state, &ctx, q, false).await
}

pub async fn overview(
    State(state): State<AppState>,
    ctx: Ctx,
    Query(q): Query<QueueQuery>,
) -> AppResult<Response> {
    page_for(&state, &ctx, q, true).await
}

/// The overview as .xlsx, with every review comment (R-PLAN-4).
pub async fn export(
    State(state): State<AppState>,
    ctx: Ctx,
    Query(q): Query<QueueQuery>,
) -> AppResult<Response> {
    let t = ctx.t();
    let queue = service::plans::queue(&state, &ctx.principal(), &q, true).await?;
    let (year, kind) = (queue.year, queue.kind);
    let rows = rows(&t, state.clock.now(), &queue);
    let bytes = (|| -> Result<Vec<u8>, rust_xlsxwriter::XlsxError> {
        let mut wb = rust_xlsxwriter::Workbook::new();
        let bold = rust_xlsxwriter::Format::new().set_bold();
        let wrap = rust_xlsxwriter::Format::new().set_text_wrap();
        // Constant memory (issue 8): each row goes to a temporary file as the next starts.
        let ws = wb.add_worksheet_with_constant_memory()?;
        ws.set_name(t.t("plans-sheet"))?;
        ws.set_column_width(1, 28)?;
        ws.set_column_width(6, 80)?;
        ws.set_freeze_panes(1, 2)?;
        let headers = [
            t.t("col-code"),
            t.t("col-name"),
            t.t("col-status"),
            t.t("plan-versions"),
            t.t("plan-submitted-at"),
            t.t("plan-late"),
            t.t("review-comments"),
        ];
        for (i, h) in headers.iter().enumerate() {
            ws.write_string_with_format(0, i as u16, h, &bold)?;
        }
        for (i, r) in rows.iter().enumerate() {
            let row = (i + 1) as u32;
            ws.write_string(row, 0, &r.code)?;
            ws.write_string(row, 1, &r.name)?;
            ws.write_string(row, 2, &r.state_label)?;
            ws.write_string(row, 3, &r.version)?;
            ws.write_string(row, 4, &r.submitted)?;
            ws.write_string(row, 5, &r.late)?;
            ws.write_string_with_format(row, 6, &r.comments, &wrap)?;
        }
        wb.save_to_buffer()
    })();
    Ok(crate::http::download::xlsx(
        &format!("reformwatch-plans-{year}-{}.xlsx", kind.as_str()),
        bytes,
    ))
}

//! CAST's side of plans (R-PLAN-4): the reviewer queue, the overview of every society's plan
//! (with "not started") and its .xlsx export with comments; deadlines; the inbox.

use askama::Template;
use axum::Form;
use axum::extract::{Path, Query, State};
use axum::response::{IntoResponse, Response};
use http::header::{CONTENT_DISPOSITION, CONTENT_TYPE};
use reformwatch_core::plan::{self, PlanState};
use serde::Deserialize;

use super::facts::catalogue_for;
use super::page::{Page, render, see_other};
use super::{AppState, Ctx};
use crate::auth::policy::Action;
use crate::db::parse_ts;
use crate::db::plans::{self as store, PlanKind, PlanRow};
use crate::db::societies::{self, SocietyFilter};
use crate::error::{AppError, AppResult};
use crate::i18n::T;
use crate::model::DisciplineGroup;
use crate::notify;

#[derive(Deserialize, Default, Clone)]
pub struct QueueQuery {
    #[serde(default)]
    year: Option<String>,
    #[serde(default)]
    kind: Option<String>,
    #[serde(default)]
    state: String,
    #[serde(default)]
    group: String,
    #[serde(default)]
    election: String,
    #[serde(default)]
    late: Option<String>,
}

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

#[derive(Template)]
#[template(path = "plans_queue.html")]
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

const STATES: [&str; 6] = [
    "not_started",
    "draft",
    "submitted",
    "returned",
    "resubmitted",
    "accepted",
];

fn state_text(t: &T, s: &str) -> String {
    match PlanState::parse(s) {
        Some(p) => t.pick(p.label_zh(), p.label_en()).to_string(),
        None => t.t("plan-not-started-short"),
    }
}

/// Rows for every matching society; `include_unstarted` adds societies without a plan.
async fn rows(
    state: &AppState,
    ctx: &Ctx,
    q: &QueueQuery,
    include_unstarted: bool,
) -> AppResult<(
    i32,
    PlanKind,
    Vec<QueueRow>,
    Vec<(&'static str, String, usize)>,
)> {
    let t = ctx.t();
    let catalogue = catalogue_for(state, q.year.as_deref()).await?;
    let kind = PlanKind::parse(q.kind.as_deref()).ok_or(AppError::NotFound)?;
    let plans = store::list(&state.db, catalogue.year, kind).await?;
    let all = societies::list(
        &state.db,
        &SocietyFilter {
            group: Some(q.group.clone()).filter(|g| !g.is_empty()),
            ..Default::default()
        },
    )
    .await?;
    let now = state.clock.now();
    let mut out = Vec::new();
    let mut counts: Vec<(&'static str, String, usize)> =
        STATES.iter().map(|s| (*s, state_text(&t, s), 0)).collect();
    for s in &all {
        let election = societies::election_flag(&state.db, s.id, catalogue.year).await?;
        match q.election.as_str() {
            "true" if election != Some(true) => continue,
            "false" if election == Some(true) => continue,
            _ => {}
        }
        let plan: Option<&PlanRow> = plans.iter().find(|p| p.society_id == s.id);
        let st = plan.map(|p| p.state.as_str()).unwrap_or("not_started");
        if plan.is_none() && !include_unstarted {
            continue;
        }
        if let Some(c) = counts.iter_mut().find(|c| c.0 == st) {
            c.2 += 1;
        }
        if !q.state.is_empty() && q.state != st {
            continue;
        }
        let late = plan.and_then(|p| p.first_late_seconds).map(|secs| {
            let (zh, en) = plan::lateness_text(chrono::Duration::seconds(secs));
            if t.is_en() { en } else { zh }
        });
        if q.late.as_deref() == Some("true") && late.is_none() {
            continue;
        }
        let waiting = match plan {
            Some(p) if matches!(p.state, PlanState::Submitted | PlanState::Resubmitted) => p
                .latest_submitted_at
                .as_deref()
                .and_then(parse_ts)
                .map(|at| duration_text(&t, now - at))
                .unwrap_or_default(),
            _ => String::new(),
        };
        let comments = match plan {
            Some(p) => store::reviews(&state.db, p.id)
                .await?
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
                        t.t(&format!("review-{}", r.decision)),
                        r.comment,
                        per_task.join(" ")
                    )
                })
                .collect::<Vec<_>>()
                .join("\n"),
            None => String::new(),
        };
        out.push(QueueRow {
            code: s.code.clone(),
            name: s.name.clone(),
            link: format!(
                "/societies/{}/plans/{}?kind={}",
                s.code,
                catalogue.year,
                kind.as_str()
            ),
            state: st,
            state_label: state_text(&t, st),
            version: plan
                .and_then(|p| p.latest_version)
                .map(|v| format!("v{v}"))
                .unwrap_or_default(),
            submitted: plan
                .and_then(|p| p.latest_submitted_at.clone())
                .unwrap_or_default(),
            waiting,
            late: late.unwrap_or_default(),
            comments,
        });
    }
    // The queue shows the oldest waiting first.
    if !include_unstarted {
        out.sort_by(|a, b| a.submitted.cmp(&b.submitted));
    }
    Ok((catalogue.year, kind, out, counts))
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
    ctx.require(Action::ListAllSocieties, None)?;
    let t = ctx.t();
    let mut q = q;
    if !overview && q.state.is_empty() && q.kind.is_none() {
        // The queue defaults to what waits for a decision.
        q.state = String::new();
    }
    let (year, kind, mut rows, counts) = rows(state, ctx, &q, overview).await?;
    if !overview && q.state.is_empty() {
        rows.retain(|r| r.state == "submitted" || r.state == "resubmitted");
    }
    let enc = |s: &str| {
        percent_encoding::utf8_percent_encode(s, percent_encoding::NON_ALPHANUMERIC).to_string()
    };
    Ok(render(&QueuePage {
        page: Page::new(
            ctx,
            if overview {
                t.t1("plans-overview-title", "year", &year)
            } else {
                t.t1("plans-queue-title", "year", &year)
            },
        ),
        action: if overview {
            "/overview/plans"
        } else {
            "/reviews/plans"
        },
        year,
        kind: kind.as_str(),
        counts: if overview { counts } else { vec![] },
        states: STATES
            .iter()
            .filter(|s| overview || **s != "not_started")
            .map(|s| (*s, state_text(&t, s)))
            .collect(),
        groups: groups(&t),
        export_href: overview.then(|| {
            format!(
                "/overview/plans.xlsx?year={year}&kind={}&state={}&group={}&election={}&late={}",
                kind.as_str(),
                enc(&q.state),
                enc(&q.group),
                enc(&q.election),
                enc(q.late.as_deref().unwrap_or(""))
            )
        }),
        f_state: q.state,
        f_group: q.group,
        f_election: q.election,
        f_late: q.late.as_deref() == Some("true"),
        rows,
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
    ctx.require(Action::ListAllSocieties, None)?;
    let t = ctx.t();
    let (year, kind, rows, _) = rows(&state, &ctx, &q, true).await?;
    let bytes = (|| -> Result<Vec<u8>, rust_xlsxwriter::XlsxError> {
        let mut wb = rust_xlsxwriter::Workbook::new();
        let bold = rust_xlsxwriter::Format::new().set_bold();
        let wrap = rust_xlsxwriter::Format::new().set_text_wrap();
        let ws = wb.add_worksheet();
        ws.set_name(t.t("plans-sheet"))?;
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
        ws.set_column_width(1, 28)?;
        ws.set_column_width(6, 80)?;
        ws.set_freeze_panes(1, 2)?;
        wb.save_to_buffer()
    })()
    .map_err(|e| AppError::Internal(anyhow::anyhow!("xlsx: {e}")))?;
    Ok((
        [
            (
                CONTENT_TYPE,
                "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet".to_string(),
            ),
            (
                CONTENT_DISPOSITION,
                format!(
                    "attachment; filename=\"reformwatch-plans-{year}-{}.xlsx\"",
                    kind.as_str()
                ),
            ),
        ],
        bytes,
    )
        .into_response())
}

#[derive(Template)]
#[template(path = "deadlines.html")]
struct DeadlinesPage {
    page: Page,
    deadlines: Vec<store::Deadline>,
    errors: Vec<String>,
    f_local: String,
    f_tz: String,
}

async fn all_deadlines(state: &AppState) -> AppResult<Vec<store::Deadline>> {
    let mut out = Vec::new();
    for c in crate::db::catalogues::list(&state.db).await? {
        if let Some(cat) = state.catalogues.get(&state.db, c.year).await? {
            out.push(store::plan_deadline(&state.db, &cat).await?.1);
        }
    }
    Ok(out)
}

pub async fn deadlines_page(State(state): State<AppState>, ctx: Ctx) -> AppResult<Response> {
    ctx.require(Action::LoadCatalogue, None)?;
    let t = ctx.t();
    let deadlines = all_deadlines(&state).await?;
    let (f_local, f_tz) = deadlines
        .last()
        .map(|d| (d.local_time.clone(), d.timezone.clone()))
        .unwrap_or_default();
    Ok(render(&DeadlinesPage {
        page: Page::new(&ctx, t.t("deadlines-title")),
        deadlines,
        errors: vec![],
        f_local,
        f_tz,
    }))
}

#[derive(Deserialize)]
pub struct DeadlineForm {
    #[serde(default)]
    year: String,
    #[serde(default)]
    local_time: String,
    #[serde(default)]
    timezone: String,
}

pub async fn deadlines_submit(
    State(state): State<AppState>,
    ctx: Ctx,
    Form(f): Form<DeadlineForm>,
) -> AppResult<Response> {
    ctx.require(Action::LoadCatalogue, None)?;
    let t = ctx.t();
    let catalogue = catalogue_for(&state, Some(&f.year)).await?;
    let (_, before) = store::plan_deadline(&state.db, &catalogue).await?;
    match store::set_plan_deadline(
        &state.db,
        &ctx.actor(),
        state.clock.now(),
        catalogue.year,
        &f.local_time,
        &f.timezone,
        &before,
    )
    .await
    {
        Ok(()) => Ok(see_other("/admin/deadlines", "saved")),
        Err(AppError::Invalid(errors)) => {
            let page = DeadlinesPage {
                page: Page::new(&ctx, t.t("deadlines-title")),
                deadlines: all_deadlines(&state).await?,
                errors: errors.iter().map(|e| t.field(e)).collect(),
                f_local: f.local_time,
                f_tz: f.timezone,
            };
            Ok((http::StatusCode::UNPROCESSABLE_ENTITY, render(&page)).into_response())
        }
        Err(e) => Err(e),
    }
}

pub struct InboxItem {
    pub id: i64,
    pub subject: String,
    pub link: String,
    pub at: String,
    pub read: bool,
}

#[derive(Template)]
#[template(path = "inbox.html")]
struct InboxPage {
    page: Page,
    items: Vec<InboxItem>,
}

pub async fn inbox(State(state): State<AppState>, ctx: Ctx) -> AppResult<Response> {
    let user = ctx.require(Action::OwnAccount, None)?;
    let t = ctx.t();
    let items = notify::list(&state.db, user.id)
        .await?
        .into_iter()
        .map(|n| InboxItem {
            id: n.id,
            subject: t.pick(&n.subject_zh, &n.subject_en).to_string(),
            link: n.link,
            at: n.created_at,
            read: n.read_at.is_some(),
        })
        .collect();
    Ok(render(&InboxPage {
        page: Page::new(&ctx, t.t("inbox-title")),
        items,
    }))
}

pub async fn mark_read(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
) -> AppResult<Response> {
    let user = ctx.require(Action::OwnAccount, None)?;
    let id: i64 = id.parse().map_err(|_| AppError::NotFound)?;
    if !notify::mark_read(&state.db, user.id, id, state.clock.now()).await? {
        return Err(AppError::NotFound);
    }
    Ok(see_other("/inbox", "saved"))
}

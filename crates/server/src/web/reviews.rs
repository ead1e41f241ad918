//! CAST's side of plans (R-PLAN-4): the reviewer queue, the overview of every society's plan
//! (with "not started") and its .xlsx export with comments; deadlines; the inbox.

use askama::Template;
use axum::Form;
use axum::extract::{Path, Query, State};
use axum::response::{IntoResponse, Response};
use serde::Deserialize;

use crate::AppState;
use crate::auth::policy::Action;
use crate::db::plans::Deadline;
use crate::error::{AppError, AppResult};
use crate::http::Ctx;
use crate::http::page::{Page, render, see_other};
use crate::i18n::T;
use crate::model::DisciplineGroup;
use crate::service;
use crate::service::plans::{QueueQuery, QueueRow, STATES, state_text};

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
    let (year, kind, mut rows, counts) = service::plans::queue(state, &t, &q, overview).await?;
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
    let (year, kind, rows, _) = service::plans::queue(&state, &t, &q, true).await?;
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
    })();
    Ok(crate::http::download::xlsx(
        &format!("reformwatch-plans-{year}-{}.xlsx", kind.as_str()),
        bytes,
    ))
}

#[derive(Template)]
#[template(path = "deadlines.html")]
struct DeadlinesPage {
    page: Page,
    deadlines: Vec<Deadline>,
    errors: Vec<String>,
    f_local: String,
    f_tz: String,
}

pub async fn deadlines_page(State(state): State<AppState>, ctx: Ctx) -> AppResult<Response> {
    ctx.require(Action::LoadCatalogue, None)?;
    let t = ctx.t();
    let deadlines = service::plans::deadlines(&state).await?;
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
    let catalogue = crate::service::catalogues::get(&state, Some(&f.year)).await?;
    match service::plans::set_deadline(
        &state,
        &ctx.principal(),
        &catalogue,
        &f.local_time,
        &f.timezone,
    )
    .await
    {
        Ok(_) => Ok(see_other("/admin/deadlines", "saved")),
        Err(AppError::Invalid(errors)) => {
            let page = DeadlinesPage {
                page: Page::new(&ctx, t.t("deadlines-title")),
                deadlines: service::plans::deadlines(&state).await?,
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
    let t = ctx.t();
    let items = service::notifications::inbox(&state, &ctx.principal())
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
    let id: i64 = id.parse().map_err(|_| AppError::NotFound)?;
    service::notifications::mark_read(&state, &ctx.principal(), id).await?;
    Ok(see_other("/inbox", "saved"))
}

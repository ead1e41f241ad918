//! Monthly tracking pages (R-TRACK-1..3): a society's timeline, the monthly report with its
//! evidence, the reviewer's comment/return, CAST's dashboard (societies × tasks, coloured) with
//! export, reporting rates, month locks and exceptions, and the colour help page.

use std::collections::HashMap;

use askama::Template;
use axum::body::Bytes;
use axum::extract::{Path, Query, State};
use axum::response::{IntoResponse, Response};
use chrono::{DateTime, Utc};
use reformwatch_core::catalogue::{Catalogue, TaskClass};
use reformwatch_core::plan::PlanContent;
use reformwatch_core::tracking::{self as core, Colour, Month, ReportContent, TaskStatus};
use serde::Deserialize;
use serde_json::Value;

use crate::AppState;
use crate::auth::policy::Action;
use crate::db::parse_ts;
use crate::db::reports::{self as store, ReportRow};
use crate::db::societies::Society;
use crate::error::{AppError, AppResult};
use crate::http::Ctx;
use crate::http::page::{Page, render, see_other};
use crate::i18n::T;
use crate::model::{DisciplineGroup, FieldError};
use crate::service::reports as service;

fn colour_label(t: &T, c: Colour) -> String {
    t.pick(c.label_zh(), c.label_en()).to_string()
}

fn month_label(t: &T, m: Month) -> String {
    if t.is_en() {
        m.to_string()
    } else {
        format!("{}年{}月", m.year, m.month)
    }
}

fn due_text(t: &T, catalogue: &Catalogue, m: Month) -> String {
    let due = core::report_due(catalogue, m).with_timezone(&catalogue.timezone);
    format!(
        "{} ({})",
        due.format("%Y-%m-%d %H:%M:%S"),
        if catalogue.timezone.name() == "Asia/Shanghai" {
            t.t("beijing-time")
        } else {
            catalogue.timezone.name().to_string()
        }
    )
}

pub struct MonthRow {
    pub year: i32,
    pub month: u32,
    pub label: String,
    pub due: String,
    pub state: String,
    pub state_label: String,
    pub late: bool,
    pub version: String,
    pub submitted: String,
    pub locked: bool,
}

#[derive(Template)]
#[template(path = "reports_timeline.html")]
struct TimelinePage {
    page: Page,
    code: String,
    society_name: String,
    colour: &'static str,
    colour_label: String,
    rate_text: String,
    reasons: Vec<String>,
    has_plan: bool,
    months: Vec<MonthRow>,
    tasks: Vec<(String, &'static str, String, String)>,
}

fn report_state_label(t: &T, state: &str) -> String {
    t.t(&format!("report-state-{state}"))
}

/// A society's year at a glance: every expected month, received or missing, and colours now.
pub async fn timeline(
    State(state): State<AppState>,
    ctx: Ctx,
    Path((code, year)): Path<(String, String)>,
) -> AppResult<Response> {
    let society = crate::service::societies::readable(&state, &ctx.principal(), &code).await?;
    let catalogue = crate::service::catalogues::get(&state, Some(&year)).await?;
    let t = ctx.t();
    let now = state.clock.now();
    let colours = service::society_colours(&state, &society, &catalogue, now).await?;
    let reports = store::of_society(&state.db, society.id, catalogue.year).await?;
    let locked = store::locked_months(&state.db, catalogue.year).await?;
    let due_months = core::months_due_by(&catalogue, now);
    let months = core::expected_months(&catalogue)
        .into_iter()
        .map(|m| {
            let r = reports.iter().find(|r| r.month == m.month);
            let state_key = match r {
                Some(r) if r.latest_version.is_some() => r.state.clone(),
                Some(_) => "draft".to_string(),
                None if due_months.contains(&m) => "missing".to_string(),
                None => "not_due".to_string(),
            };
            MonthRow {
                year: m.year,
                month: m.month,
                label: month_label(&t, m),
                due: due_text(&t, &catalogue, m),
                state_label: report_state_label(&t, &state_key),
                state: state_key,
                late: r.and_then(|r| r.first_late_seconds).is_some(),
                version: r
                    .and_then(|r| r.latest_version)
                    .map(|v| format!("v{v}"))
                    .unwrap_or_default(),
                submitted: r
                    .and_then(|r| r.first_submitted_at.clone())
                    .unwrap_or_default(),
                locked: locked.contains(&m.month),
            }
        })
        .collect();
    let submissions: Vec<(Month, DateTime<Utc>)> = reports
        .iter()
        .filter_map(|r| {
            Some((
                Month::new(r.year, r.month)?,
                r.first_submitted_at.as_deref().and_then(parse_ts)?,
            ))
        })
        .collect();
    let rate = core::society_rate(&catalogue, &submissions, now);
    let plan = service::accepted_plan(&state, society.id, catalogue.year).await?;
    let tasks = colours
        .tasks
        .iter()
        .map(|tc| {
            let title = catalogue
                .task(tc.task)
                .map(|x| format!("{}. {}", tc.task, t.pick(&x.title_zh, &x.title_en)))
                .unwrap_or_default();
            (
                title,
                tc.colour.as_str(),
                colour_label(&t, tc.colour),
                tc.reasons
                    .iter()
                    .map(|r| t.pick(&r.message_zh, &r.message_en).to_string())
                    .collect::<Vec<_>>()
                    .join("；"),
            )
        })
        .collect();
    Ok(render(&TimelinePage {
        page: Page::new(
            &ctx,
            format!(
                "{} · {}",
                society.name,
                t.t1("reports-title", "year", &catalogue.year)
            ),
        ),
        code: society.code.clone(),
        society_name: society.name.clone(),
        colour: colours.colour.as_str(),
        colour_label: colour_label(&t, colours.colour),
        rate_text: t
            .t("rate-summary")
            .replace("{received}", &rate.received.to_string())
            .replace("{expected}", &rate.expected.to_string())
            .replace("{on_time}", &rate.on_time.to_string()),
        reasons: colours
            .reasons
            .iter()
            .map(|r| t.pick(&r.message_zh, &r.message_en).to_string())
            .collect(),
        has_plan: plan.is_some(),
        months,
        tasks,
    }))
}

pub struct TargetRow {
    pub index: usize,
    pub label: String,
    pub baseline: String,
    pub target: String,
    pub due: String,
    pub value: String,
    pub error: Option<String>,
}

pub struct TaskBlock {
    pub number: u32,
    pub title: String,
    pub colour: &'static str,
    pub colour_label: String,
    pub reasons: String,
    pub status: &'static str,
    pub progress: String,
    pub blocked: String,
    pub targets: Vec<TargetRow>,
    pub milestones: Vec<(usize, String, bool)>,
}

pub struct ReviewView {
    pub decision: String,
    pub heading: String,
    pub meta: String,
    pub comment: String,
}

#[derive(Template)]
#[template(path = "report.html")]
struct ReportPage {
    page: Page,
    code: String,
    year: i32,
    month: u32,
    state: String,
    state_label: String,
    due: String,
    late: Option<String>,
    locked: bool,
    versions: Vec<(i64, String)>,
    reviews: Vec<ReviewView>,
    issues: Vec<(bool, String)>,
    form_errors: Vec<String>,
    narrative: String,
    tasks: Vec<TaskBlock>,
    statuses: Vec<(&'static str, String)>,
    editable: bool,
    can_review: bool,
    evidence: Vec<(i64, String, String)>,
    upload_hint: String,
}

#[derive(Template)]
#[template(path = "report_start.html")]
struct StartPage {
    page: Page,
    code: String,
    year: i32,
    month: u32,
    due: String,
    can_start: bool,
    reason: String,
}

fn opt(v: Option<i64>) -> String {
    v.map(|x| x.to_string()).unwrap_or_default()
}

#[allow(clippy::too_many_arguments)]
async fn report_page_with(
    state: &AppState,
    ctx: &Ctx,
    society: &Society,
    catalogue: &Catalogue,
    report: ReportRow,
    typed: HashMap<String, String>,
    errors: Vec<FieldError>,
    done: Option<&str>,
) -> AppResult<Response> {
    let t = ctx.t();
    let month = Month::new(report.year, report.month).ok_or(AppError::NotFound)?;
    let open = store::is_open(&state.db, society.id, month.year, month.month).await?;
    let editable = open
        && ctx
            .require(Action::EditSocietyData, Some(society.id))
            .is_ok();
    let can_review = report.latest_version.is_some()
        && ctx.user.as_ref().is_some_and(|u| {
            matches!(
                u.role,
                crate::model::Role::Admin | crate::model::Role::Reviewer
            )
        });
    let (plan, _) = service::accepted_plan(state, society.id, catalogue.year)
        .await?
        .unwrap_or((PlanContent::default(), 0));
    let versions = store::versions(&state.db, report.id).await?;
    let shown: Value = if editable {
        report.draft.clone()
    } else {
        versions
            .last()
            .map(|v| v.content.clone())
            .unwrap_or_else(|| report.draft.clone())
    };
    let content: ReportContent = serde_json::from_value(shown).unwrap_or_default();
    let colours = service::society_colours(state, society, catalogue, state.clock.now()).await?;
    let issues = core::validate_report(&plan, &content);
    let tasks = plan
        .tasks
        .iter()
        .map(|pt| {
            let n = pt.number;
            let tr = content.task(n);
            let tc = colours.task(n);
            TaskBlock {
                number: n,
                title: catalogue
                    .task(n)
                    .map(|x| t.pick(&x.title_zh, &x.title_en).to_string())
                    .unwrap_or_default(),
                colour: tc.map(|c| c.colour.as_str()).unwrap_or("grey"),
                colour_label: tc.map(|c| colour_label(&t, c.colour)).unwrap_or_default(),
                reasons: tc
                    .map(|c| {
                        c.reasons
                            .iter()
                            .map(|r| t.pick(&r.message_zh, &r.message_en).to_string())
                            .collect::<Vec<_>>()
                            .join("；")
                    })
                    .unwrap_or_default(),
                status: typed
                    .get(&format!("t{n}_status"))
                    .and_then(|s| TaskStatus::parse(s))
                    .or(tr.map(|x| x.status))
                    .unwrap_or_default()
                    .as_str(),
                progress: typed
                    .get(&format!("t{n}_progress"))
                    .cloned()
                    .unwrap_or_else(|| tr.map(|x| x.progress.clone()).unwrap_or_default()),
                blocked: typed
                    .get(&format!("t{n}_blocked"))
                    .cloned()
                    .unwrap_or_else(|| tr.map(|x| x.blocked_reason.clone()).unwrap_or_default()),
                targets: pt
                    .targets
                    .iter()
                    .enumerate()
                    .map(|(i, tg)| {
                        let name = format!("t{n}_v{i}");
                        TargetRow {
                            index: i,
                            label: format!("{}（{}）", tg.metric, tg.unit),
                            baseline: opt(tg.baseline),
                            target: opt(tg.target),
                            due: tg.due.map(|d| d.to_string()).unwrap_or_default(),
                            value: typed
                                .get(&name)
                                .cloned()
                                .unwrap_or_else(|| opt(tr.and_then(|x| x.value(i)))),
                            error: errors.iter().find(|e| e.field == name).map(|e| t.field(e)),
                        }
                    })
                    .collect(),
                milestones: pt
                    .milestones
                    .iter()
                    .enumerate()
                    .map(|(i, m)| {
                        (
                            i,
                            format!(
                                "{} {}",
                                m.date.map(|d| d.to_string()).unwrap_or_default(),
                                m.what
                            ),
                            tr.is_some_and(|x| x.reached(i)),
                        )
                    })
                    .collect(),
            }
        })
        .collect();
    let reviews = store::reviews(&state.db, report.id)
        .await?
        .into_iter()
        .map(|r| ReviewView {
            heading: format!(
                "v{} · {}",
                r.version,
                t.t(&format!("report-review-{}", r.decision))
            ),
            meta: format!("{} · {}", r.reviewer, r.at),
            comment: r.comment,
            decision: r.decision,
        })
        .collect();
    let ev = crate::db::evidence::of_society(&state.db, society.id, catalogue.year)
        .await?
        .into_iter()
        .filter(|e| e.owner_type == "report" && e.month == Some(month.month))
        .map(|e| {
            (
                e.id,
                e.name.clone(),
                format!(
                    "{} KB · {}{}",
                    (e.size + 1023) / 1024,
                    e.uploaded_at,
                    e.task
                        .map(|x| format!(" · {} {x}", t.t("task")))
                        .unwrap_or_default()
                ),
            )
        })
        .collect();
    let late = report.first_late_seconds.map(|s| {
        let (zh, en) = reformwatch_core::plan::lateness_text(chrono::Duration::seconds(s));
        if t.is_en() { en } else { zh }
    });
    let status = if errors.is_empty() {
        http::StatusCode::OK
    } else {
        http::StatusCode::UNPROCESSABLE_ENTITY
    };
    let page = ReportPage {
        page: Page::new(
            ctx,
            format!(
                "{} · {}",
                society.name,
                t.t1("report-title", "month", &month_label(&t, month))
            ),
        )
        .with_flash(done),
        code: society.code.clone(),
        year: month.year,
        month: month.month,
        state_label: report_state_label(
            &t,
            if report.latest_version.is_some() {
                &report.state
            } else {
                "draft"
            },
        ),
        state: report.state.clone(),
        due: due_text(&t, catalogue, month),
        late,
        locked: !open,
        versions: versions
            .iter()
            .map(|v| (v.version, v.submitted_at.clone()))
            .collect(),
        reviews,
        issues: issues
            .iter()
            .map(|i| (i.blocking, t.pick(&i.message_zh, &i.message_en).to_string()))
            .collect(),
        form_errors: errors.iter().map(|e| t.field(e)).collect(),
        narrative: typed
            .get("narrative")
            .cloned()
            .unwrap_or(content.narrative.clone()),
        tasks,
        statuses: [
            TaskStatus::NotStarted,
            TaskStatus::InProgress,
            TaskStatus::Completed,
            TaskStatus::Blocked,
        ]
        .into_iter()
        .map(|s| (s.as_str(), t.pick(s.label_zh(), s.label_en()).to_string()))
        .collect(),
        editable,
        can_review,
        evidence: ev,
        upload_hint: t.t("evidence-hint").replace(
            "{mb}",
            &state
                .config
                .max_evidence_bytes
                .div_ceil(1024 * 1024)
                .to_string(),
        ),
    };
    Ok((status, render(&page)).into_response())
}

#[derive(Deserialize, Default)]
pub struct DoneQuery {
    #[serde(default)]
    done: Option<String>,
}

pub async fn report_page(
    State(state): State<AppState>,
    ctx: Ctx,
    Path((code, year, month)): Path<(String, String, String)>,
    Query(q): Query<DoneQuery>,
) -> AppResult<Response> {
    let society = crate::service::societies::readable(&state, &ctx.principal(), &code).await?;
    let catalogue = crate::service::catalogues::get(&state, Some(&year)).await?;
    let m = service::parse_month(catalogue.year, &month)?;
    if !core::expected_months(&catalogue).contains(&m) {
        return Err(AppError::NotFound);
    }
    match store::get(&state.db, society.id, m.year, m.month).await? {
        Some(report) => {
            report_page_with(
                &state,
                &ctx,
                &society,
                &catalogue,
                report,
                HashMap::new(),
                vec![],
                q.done.as_deref(),
            )
            .await
        }
        None => {
            let t = ctx.t();
            let can_edit = ctx
                .require(Action::EditSocietyData, Some(society.id))
                .is_ok();
            let has_plan = service::accepted_plan(&state, society.id, catalogue.year)
                .await?
                .is_some();
            let open = store::is_open(&state.db, society.id, m.year, m.month).await?;
            let reason = if !has_plan {
                t.t("reports-need-plan")
            } else if !open {
                t.t("month-locked-note")
            } else {
                t.t("report-not-started")
            };
            Ok(render(&StartPage {
                page: Page::new(
                    &ctx,
                    format!(
                        "{} · {}",
                        society.name,
                        t.t1("report-title", "month", &month_label(&t, m))
                    ),
                ),
                code: society.code.clone(),
                year: m.year,
                month: m.month,
                due: due_text(&t, &catalogue, m),
                can_start: can_edit && has_plan && open,
                reason,
            }))
        }
    }
}

pub async fn start(
    State(state): State<AppState>,
    ctx: Ctx,
    Path((code, year, month)): Path<(String, String, String)>,
) -> AppResult<Response> {
    let society = crate::service::societies::readable(&state, &ctx.principal(), &code).await?;
    ctx.require(Action::EditSocietyData, Some(society.id))?;
    let catalogue = crate::service::catalogues::get(&state, Some(&year)).await?;
    let m = service::parse_month(catalogue.year, &month)?;
    service::open(&state, &ctx.principal(), &society, &catalogue, m).await?;
    Ok(see_other(&service::link(&society, m), "created"))
}

/// Form → report content JSON; unreadable numbers are field errors (typed text kept).
pub(crate) fn read_form(
    plan: &PlanContent,
    current: &ReportContent,
    pairs: &[(String, String)],
) -> Result<Value, Vec<FieldError>> {
    let get = |k: &str| {
        pairs
            .iter()
            .find(|(n, _)| n == k)
            .map(|(_, v)| v.trim().to_string())
    };
    let mut errors = Vec::new();
    let mut content = ReportContent {
        narrative: get("narrative").unwrap_or_else(|| current.narrative.clone()),
        tasks: vec![],
    };
    for pt in &plan.tasks {
        let n = pt.number;
        let mut tr =
            current
                .task(n)
                .cloned()
                .unwrap_or_else(|| reformwatch_core::tracking::TaskReport {
                    number: n,
                    ..Default::default()
                });
        if let Some(s) = get(&format!("t{n}_status")) {
            tr.status = TaskStatus::parse(&s).unwrap_or_default();
        }
        if let Some(p) = get(&format!("t{n}_progress")) {
            tr.progress = p;
        }
        if let Some(b) = get(&format!("t{n}_blocked")) {
            tr.blocked_reason = b;
        }
        let mut values = Vec::new();
        for (i, _) in pt.targets.iter().enumerate() {
            let name = format!("t{n}_v{i}");
            match get(&name) {
                Some(raw) if raw.is_empty() => {
                    values.push(reformwatch_core::tracking::TargetValue {
                        target: i,
                        value: None,
                    })
                }
                Some(raw) => {
                    let cleaned: String = raw.chars().filter(|c| *c != ',' && *c != '，').collect();
                    match cleaned.parse::<i64>() {
                        Ok(v) => values.push(reformwatch_core::tracking::TargetValue {
                            target: i,
                            value: Some(v),
                        }),
                        Err(_) => {
                            errors.push(FieldError::new(&name, "err-fact-int").arg("value", &raw))
                        }
                    }
                }
                None => values.push(reformwatch_core::tracking::TargetValue {
                    target: i,
                    value: tr.value(i),
                }),
            }
        }
        tr.values = values;
        if pairs.iter().any(|(k, _)| k.starts_with(&format!("t{n}_"))) {
            tr.milestones_reached = pairs
                .iter()
                .filter(|(k, _)| *k == format!("t{n}_ms"))
                .filter_map(|(_, v)| v.parse().ok())
                .collect();
        }
        content.tasks.push(tr);
    }
    if errors.is_empty() {
        serde_json::to_value(content).map_err(|_| vec![])
    } else {
        Err(errors)
    }
}

async fn save(
    state: &AppState,
    ctx: &Ctx,
    code: &str,
    year: &str,
    month: &str,
    body: &Bytes,
    submit: bool,
) -> AppResult<Response> {
    let society = crate::service::societies::readable(state, &ctx.principal(), code).await?;
    ctx.require(Action::EditSocietyData, Some(society.id))?;
    let catalogue = crate::service::catalogues::get(state, Some(year)).await?;
    let m = service::parse_month(catalogue.year, month)?;
    let report = service::load(state, &society, m).await?;
    let (plan, _) = service::accepted_plan(state, society.id, catalogue.year)
        .await?
        .ok_or_else(|| FieldError::new("plan", "err-no-accepted-plan"))?;
    let pairs: Vec<(String, String)> = url::form_urlencoded::parse(body).into_owned().collect();
    let typed: HashMap<String, String> = pairs.iter().cloned().collect();
    let current: ReportContent = serde_json::from_value(report.draft.clone()).unwrap_or_default();
    let value = match read_form(&plan, &current, &pairs) {
        Ok(v) => v,
        Err(errors) => {
            return report_page_with(
                state, ctx, &society, &catalogue, report, typed, errors, None,
            )
            .await;
        }
    };
    service::save_draft(state, &ctx.principal(), &society, &report, &value).await?;
    if !submit {
        return Ok(see_other(&service::link(&society, m), "saved"));
    }
    let report = service::load(state, &society, m).await?;
    match service::submit(state, &ctx.principal(), &society, &catalogue, &report).await {
        Ok(_) => Ok(see_other(&service::link(&society, m), "submitted")),
        Err(AppError::Invalid(errors)) => {
            report_page_with(
                state,
                ctx,
                &society,
                &catalogue,
                report,
                HashMap::new(),
                errors,
                None,
            )
            .await
        }
        Err(e) => Err(e),
    }
}

pub async fn save_draft(
    State(state): State<AppState>,
    ctx: Ctx,
    Path((code, year, month)): Path<(String, String, String)>,
    body: Bytes,
) -> AppResult<Response> {
    save(&state, &ctx, &code, &year, &month, &body, false).await
}

pub async fn submit(
    State(state): State<AppState>,
    ctx: Ctx,
    Path((code, year, month)): Path<(String, String, String)>,
    body: Bytes,
) -> AppResult<Response> {
    save(&state, &ctx, &code, &year, &month, &body, true).await
}

pub async fn review(
    State(state): State<AppState>,
    ctx: Ctx,
    Path((code, year, month)): Path<(String, String, String)>,
    body: Bytes,
) -> AppResult<Response> {
    let society = crate::service::societies::readable(&state, &ctx.principal(), &code).await?;
    let catalogue = crate::service::catalogues::get(&state, Some(&year)).await?;
    let m = service::parse_month(catalogue.year, &month)?;
    let report = service::load(&state, &society, m).await?;
    let pairs: Vec<(String, String)> = url::form_urlencoded::parse(&body).into_owned().collect();
    let get = |k: &str| {
        pairs
            .iter()
            .find(|(n, _)| n == k)
            .map(|(_, v)| v.clone())
            .unwrap_or_default()
    };
    let returned = get("decision") == "return";
    match service::review(
        &state,
        &ctx.principal(),
        &society,
        &report,
        returned,
        &get("comment"),
    )
    .await
    {
        Ok(()) => Ok(see_other(
            &service::link(&society, m),
            if returned { "returned" } else { "saved" },
        )),
        Err(AppError::Invalid(errors)) => {
            report_page_with(
                &state,
                &ctx,
                &society,
                &catalogue,
                report,
                HashMap::new(),
                errors,
                None,
            )
            .await
        }
        Err(e) => Err(e),
    }
}

#[derive(Template)]
#[template(path = "dashboard.html")]
struct DashboardPage {
    page: Page,
    year: i32,
    months: Vec<(String, String)>,
    groups: Vec<(String, String)>,
    colours: Vec<(&'static str, String)>,
    classes: Vec<(&'static str, String)>,
    f_month: String,
    f_group: String,
    f_colour: String,
    f_class: String,
    f_late: bool,
    f_sort: String,
    export_href: String,
    counts: Vec<(&'static str, String, usize)>,
    rate_text: String,
    task_cols: Vec<(String, String)>,
    rows: Vec<crate::service::dashboard::DashRow>,
}

pub async fn dashboard(
    State(state): State<AppState>,
    ctx: Ctx,
    Query(q): Query<crate::service::dashboard::DashQuery>,
) -> AppResult<Response> {
    ctx.require(Action::ListAllSocieties, None)?;
    let t = ctx.t();
    let d = crate::service::dashboard::dashboard_data(&state, &t, &q).await?;
    let catalogue = crate::service::catalogues::get(&state, Some(&d.year.to_string())).await?;
    let enc = |s: &str| {
        percent_encoding::utf8_percent_encode(s, percent_encoding::NON_ALPHANUMERIC).to_string()
    };
    Ok(render(&DashboardPage {
        page: Page::new(
            &ctx,
            t.t1("dashboard-title", "month", &month_label(&t, d.month)),
        ),
        year: d.year,
        months: core::expected_months(&catalogue)
            .into_iter()
            .map(|m| (m.month.to_string(), month_label(&t, m)))
            .collect(),
        groups: DisciplineGroup::ALL
            .iter()
            .map(|g| {
                (
                    g.letter().to_string(),
                    format!("{} {}", g.letter(), t.pick(g.name_zh(), g.name_en())),
                )
            })
            .collect(),
        colours: [Colour::Red, Colour::Yellow, Colour::Green, Colour::Grey]
            .iter()
            .map(|c| (c.as_str(), colour_label(&t, *c)))
            .collect(),
        classes: [TaskClass::Basic, TaskClass::Election, TaskClass::Optional]
            .iter()
            .map(|c| (c.as_str(), super::catalogue::class_label(&t, *c)))
            .collect(),
        f_month: d.month.month.to_string(),
        export_href: format!(
            "/dashboard.xlsx?year={}&month={}&group={}&colour={}&class={}&late={}&sort={}",
            d.year,
            d.month.month,
            enc(&q.group),
            enc(&q.colour),
            enc(&q.class),
            enc(q.late.as_deref().unwrap_or("")),
            enc(&q.sort)
        ),
        f_group: q.group,
        f_colour: q.colour,
        f_class: q.class,
        f_late: q.late.as_deref() == Some("true"),
        f_sort: if q.sort.is_empty() {
            "code".into()
        } else {
            q.sort
        },
        counts: d.counts,
        rate_text: t
            .t("rate-month")
            .replace(
                "{received}",
                &core::percent_text(d.rate.received_permille()),
            )
            .replace("{on_time}", &core::percent_text(d.rate.on_time_permille())),
        task_cols: d.task_cols,
        rows: d.rows,
    }))
}

/// The dashboard as .xlsx: colours per task, report state, comments and evidence links.
pub async fn dashboard_export(
    State(state): State<AppState>,
    ctx: Ctx,
    Query(q): Query<crate::service::dashboard::DashQuery>,
) -> AppResult<Response> {
    ctx.require(Action::ListAllSocieties, None)?;
    let t = ctx.t();
    let d = crate::service::dashboard::dashboard_data(&state, &t, &q).await?;
    let bytes = (|| -> Result<Vec<u8>, rust_xlsxwriter::XlsxError> {
        use rust_xlsxwriter::{Color, Format, Workbook};
        let mut wb = Workbook::new();
        let bold = Format::new().set_bold();
        let wrap = Format::new().set_text_wrap();
        let fill = |c: &str| match c {
            "red" => Format::new().set_background_color(Color::RGB(0xFDE8E6)),
            "yellow" => Format::new().set_background_color(Color::RGB(0xFFF6DD)),
            "green" => Format::new().set_background_color(Color::RGB(0xE7F5EC)),
            _ => Format::new(),
        };
        let ws = wb.add_worksheet();
        ws.set_name(month_label(&t, d.month))?;
        let mut headers = vec![
            t.t("col-code"),
            t.t("col-name"),
            t.t("colour"),
            t.t("report"),
            t.t("colour-reasons"),
        ];
        headers.extend(
            d.task_cols
                .iter()
                .map(|(n, title)| format!("{} {n} {title}", t.t("task"))),
        );
        headers.push(t.t("review-comments"));
        headers.push(t.t("evidence"));
        for (i, h) in headers.iter().enumerate() {
            ws.write_string_with_format(0, i as u16, h, &bold)?;
        }
        for (i, r) in d.rows.iter().enumerate() {
            let row = (i + 1) as u32;
            ws.write_string(row, 0, &r.code)?;
            ws.write_string(row, 1, &r.name)?;
            ws.write_string_with_format(row, 2, &r.colour_label, &fill(r.colour))?;
            ws.write_string(
                row,
                3,
                format!(
                    "{}{}",
                    r.report_state,
                    if r.late {
                        format!(" ({})", t.t("late"))
                    } else {
                        String::new()
                    }
                ),
            )?;
            ws.write_string_with_format(row, 4, &r.reasons, &wrap)?;
            for (j, c) in r.cells.iter().enumerate() {
                let label = [Colour::Red, Colour::Yellow, Colour::Green, Colour::Grey]
                    .into_iter()
                    .find(|x| x.as_str() == c.0)
                    .map(|x| colour_label(&t, x))
                    .unwrap_or_default();
                ws.write_string_with_format(row, (5 + j) as u16, &label, &fill(c.0))?;
            }
            let base = (5 + r.cells.len()) as u16;
            ws.write_string_with_format(row, base, &r.comments, &wrap)?;
            ws.write_string_with_format(row, base + 1, r.evidence.join("\n"), &wrap)?;
        }
        ws.set_column_width(1, 28)?;
        ws.set_freeze_panes(1, 2)?;
        wb.save_to_buffer()
    })();
    Ok(crate::http::download::xlsx(
        &format!("reformwatch-dashboard-{}.xlsx", d.month),
        bytes,
    ))
}

#[derive(Template)]
#[template(path = "rates.html")]
struct RatesPage {
    page: Page,
    year: i32,
    months: Vec<(String, u32, u32, u32, String, String, u32)>,
    total: (u32, u32, u32, String, String),
    societies: Vec<(String, String, u32, u32, u32, String)>,
    groups: Vec<(String, String)>,
    f_group: String,
    can_lock: bool,
    all_months: Vec<(u32, String, bool)>,
}

/// R-TRACK-2: expected, received and on-time reports per month and per society, with totals.
pub async fn rates(
    State(state): State<AppState>,
    ctx: Ctx,
    Query(q): Query<crate::service::rates::YearQuery>,
) -> AppResult<Response> {
    ctx.require(Action::ListAllSocieties, None)?;
    let t = ctx.t();
    let catalogue = crate::service::catalogues::get(&state, q.year.as_deref()).await?;
    let r = crate::service::rates::rates_data(&state, &catalogue, q.group.as_deref()).await?;
    let locked = service::locked_months(&state, catalogue.year).await?;
    Ok(render(&RatesPage {
        page: Page::new(&ctx, t.t1("rates-title", "year", &catalogue.year)),
        year: catalogue.year,
        months: r
            .months
            .iter()
            .map(|(m, cell)| {
                (
                    month_label(&t, *m),
                    cell.expected,
                    cell.received,
                    cell.on_time,
                    core::percent_text(cell.received_permille()),
                    core::percent_text(cell.on_time_permille()),
                    cell.received_permille().map(|p| (p / 50) * 5).unwrap_or(0),
                )
            })
            .collect(),
        total: (
            r.total.expected,
            r.total.received,
            r.total.on_time,
            core::percent_text(r.total.received_permille()),
            core::percent_text(r.total.on_time_permille()),
        ),
        societies: r
            .societies
            .iter()
            .map(|(s, cell)| {
                (
                    s.code.clone(),
                    s.name.clone(),
                    cell.expected,
                    cell.received,
                    cell.on_time,
                    core::percent_text(cell.received_permille()),
                )
            })
            .collect(),
        groups: DisciplineGroup::ALL
            .iter()
            .map(|g| {
                (
                    g.letter().to_string(),
                    format!("{} {}", g.letter(), t.pick(g.name_zh(), g.name_en())),
                )
            })
            .collect(),
        f_group: q.group.clone().unwrap_or_default(),
        can_lock: ctx.require(Action::ManageSocieties, None).is_ok(),
        all_months: core::expected_months(&catalogue)
            .into_iter()
            .map(|m| (m.month, month_label(&t, m), locked.contains(&m.month)))
            .collect(),
    }))
}

#[derive(Deserialize)]
pub struct LockForm {
    #[serde(default)]
    year: String,
    #[serde(default)]
    month: String,
    #[serde(default)]
    locked: String,
    #[serde(default)]
    society: String,
}

pub async fn lock(
    State(state): State<AppState>,
    ctx: Ctx,
    axum::Form(f): axum::Form<LockForm>,
) -> AppResult<Response> {
    let catalogue = crate::service::catalogues::get(&state, Some(&f.year)).await?;
    let m = service::set_lock(
        &state,
        &ctx.principal(),
        &catalogue,
        &f.month,
        f.locked == "true",
    )
    .await?;
    Ok(see_other(&format!("/rates?year={}", m.year), "saved"))
}

pub async fn exception(
    State(state): State<AppState>,
    ctx: Ctx,
    axum::Form(f): axum::Form<LockForm>,
) -> AppResult<Response> {
    let catalogue = crate::service::catalogues::get(&state, Some(&f.year)).await?;
    let m = service::grant_exception(&state, &ctx.principal(), &catalogue, &f.month, &f.society)
        .await?;
    Ok(see_other(&format!("/rates?year={}", m.year), "saved"))
}

#[derive(Template)]
#[template(path = "help_colours.html")]
struct HelpPage {
    page: Page,
    red: String,
    yellow: String,
    green: String,
    grey: String,
    rule_red_missing: String,
    rule_yellow_soon: String,
    due_rule: String,
    rectification_rule: String,
}

/// The colour rules as the catalogue sets them (R-TRACK-3), for everyone.
pub async fn help(State(state): State<AppState>, ctx: Ctx) -> AppResult<Response> {
    let t = ctx.t();
    let catalogue = crate::service::catalogues::get(&state, None).await?;
    let tr = &catalogue.tracking;
    Ok(render(&HelpPage {
        page: Page::new(&ctx, t.t("colour-help")),
        red: colour_label(&t, Colour::Red),
        yellow: colour_label(&t, Colour::Yellow),
        green: colour_label(&t, Colour::Green),
        grey: colour_label(&t, Colour::Grey),
        rule_red_missing: t.t1("colour-rule-red-missing", "n", &tr.red_missing_reports),
        rule_yellow_soon: t.t1("colour-rule-yellow-soon", "days", &tr.yellow_within_days),
        due_rule: t
            .t("colour-rule-due")
            .replace("{day}", &catalogue.report_due_day.to_string())
            .replace("{first}", &tr.first_month.to_string())
            .replace("{last}", &tr.last_month.to_string()),
        rectification_rule: t.t1("colour-rule-rectification", "months", &tr.red_task_months),
    }))
}

//! The monthly report (R-TRACK-1): the society's form following its accepted plan (status,
//! progress, target values, milestones, narrative) with evidence, saved as a draft and
//! submitted as the next version; read-only for others, in a locked month, and after a
//! submission until the reviewer returns it (issue 10: reports behave like plans; the page says
//! it waits for review, was accepted, or was returned with the comment).

use std::collections::HashMap;

use askama::Template;
use axum::body::Bytes;
use axum::extract::{Query, State};
use axum::response::{IntoResponse, Response};
use reformwatch_core::plan::PlanContent;
use reformwatch_core::tracking::{
    self as core, ReportContent, TargetValue, TaskReport, TaskStatus,
};
use serde::Deserialize;

use super::{colour_label, due_text, month_label, report_state_label};
use crate::AppState;
use crate::auth::policy::Action;
use crate::error::{AppError, AppResult};
use crate::http::Ctx;
use crate::http::extract::SocietyMonth;
use crate::http::form::FormErrors;
use crate::http::page::{Page, render, see_other};
use crate::model::{FieldError, Role};
use crate::service::reports::{self as service, Detail, Unstarted};

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
#[template(path = "reports/report.html")]
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
    errors: FormErrors,
    review_comment: String,
    narrative: String,
    tasks: Vec<TaskBlock>,
    statuses: Vec<(&'static str, String)>,
    editable: bool,
    /// Why the society cannot edit now (submitted, accepted, returned with its comment):
    /// (css class, text, comment).
    status_note: Option<(&'static str, String, String)>,
    can_review: bool,
    /// The latest version awaits a decision: return and accept are offered.
    can_decide: bool,
    evidence: Vec<(i64, String, String)>,
    upload_hint: String,
}

#[derive(Template)]
#[template(path = "reports/start.html")]
struct StartPage {
    page: Page,
    code: String,
    year: i32,
    month: u32,
    due: String,
    can_start: bool,
    reason: String,
}

/// The form's input for a field named by the limits (`tasks[2].progress` → `t5_progress`
/// when the third task of the content is task 5); other names are kept.
fn form_field(content: &ReportContent, field: &str) -> String {
    let Some(rest) = field.strip_prefix("tasks[") else {
        return field.to_string();
    };
    let Some((index, rest)) = rest.split_once(']') else {
        return field.to_string();
    };
    let Some(n) = index
        .parse::<usize>()
        .ok()
        .and_then(|i| content.tasks.get(i))
        .map(|task| task.number)
    else {
        return field.to_string();
    };
    match rest {
        ".progress" => format!("t{n}_progress"),
        ".blocked_reason" => format!("t{n}_blocked"),
        _ => match rest
            .strip_prefix(".values[")
            .and_then(|r| r.split_once(']'))
            .and_then(|(j, _)| j.parse::<usize>().ok())
        {
            Some(j) => format!("t{n}_v{j}"),
            None => field.to_string(),
        },
    }
}

fn opt(v: Option<i64>) -> String {
    v.map(|x| x.to_string()).unwrap_or_default()
}

/// The report page (or the start page for a month without a report); after a refused save,
/// submission or review, with what was typed and the errors at their fields (422).
pub(super) async fn report_page_with(
    state: &AppState,
    ctx: &Ctx,
    sm: &SocietyMonth,
    typed: HashMap<String, String>,
    errors: Vec<FieldError>,
    done: Option<&str>,
) -> AppResult<Response> {
    let t = ctx.t();
    let SocietyMonth {
        society,
        catalogue,
        month,
        who,
    } = sm;
    let month = *month;
    let title = format!(
        "{} · {}",
        society.name,
        t.t1("report-title", "month", &month_label(&t, month))
    );
    let d: Detail = match service::detail(state, society, catalogue, month).await? {
        Ok(d) => d,
        Err(Unstarted { has_plan, open }) => {
            let reason = if !has_plan {
                t.t("reports-need-plan")
            } else if !open {
                t.t("month-locked-note")
            } else {
                t.t("report-not-started")
            };
            return Ok(render(&StartPage {
                page: Page::new(ctx, title),
                code: society.code.clone(),
                year: month.year,
                month: month.month,
                due: due_text(&t, catalogue, month),
                can_start: who.may(Action::EditSocietyData, Some(society.id)) && has_plan && open,
                reason,
            }));
        }
    };
    let may_edit = who.may(Action::EditSocietyData, Some(society.id));
    // R-TRACK-1 (issue 10): read-only after a submission until the reviewer returns it.
    let editable = d.open && may_edit && d.report.state.is_editable();
    let people = crate::service::people::people(state, who).await?;
    let staff = ctx
        .user
        .as_ref()
        .is_some_and(|u| matches!(u.role, Role::Admin | Role::Reviewer));
    let allowed = d.report.state.allowed_actions();
    let can_review = d.report.latest_version.is_some()
        && staff
        && allowed.contains(&core::ReportAction::Comment);
    let can_decide = can_review && allowed.contains(&core::ReportAction::Accept);
    let last_decision = d
        .reviews
        .iter()
        .rev()
        .find(|r| r.decision != crate::db::documents::Decision::Comment);
    let decided_by = |r: &crate::db::documents::Review| {
        format!(
            "{} · {}",
            crate::web::people::actor_text(&t, &people, &r.reviewer),
            crate::present::beijing_text(&r.at)
        )
    };
    let status_note = match d.report.state {
        core::ReportState::Submitted => {
            Some(("waiting", t.t("report-waiting-review"), String::new()))
        }
        core::ReportState::Accepted => Some((
            "accepted",
            match last_decision {
                Some(r) => t.t1("report-accepted-by", "who", &decided_by(r)),
                None => t.t("report-state-accepted"),
            },
            last_decision.map(|r| r.comment.clone()).unwrap_or_default(),
        )),
        core::ReportState::Returned => Some((
            "returned",
            match last_decision {
                Some(r) => t.t1("report-returned-by", "who", &decided_by(r)),
                None => t.t("report-state-returned"),
            },
            last_decision.map(|r| r.comment.clone()).unwrap_or_default(),
        )),
        core::ReportState::Draft => None,
    };
    // Show what was submitted when not editable: the latest version, else the draft.
    let content: &ReportContent = if editable {
        &d.report.draft
    } else {
        d.versions
            .last()
            .map(|v| &v.content)
            .unwrap_or(&d.report.draft)
    };
    let colours = &d.colours;
    let issues = core::validate_report(&d.plan, content);
    let tasks: Vec<TaskBlock> = d
        .plan
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
                        crate::present::sentences(
                            c.reasons
                                .iter()
                                .map(|r| t.pick(&r.message_zh, &r.message_en).to_string()),
                        )
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
    let reviews = d
        .reviews
        .iter()
        .map(|r| ReviewView {
            heading: format!(
                "v{} · {}",
                r.version,
                t.t(&format!("report-review-{}", r.decision.as_str()))
            ),
            meta: format!(
                "{} · {}",
                crate::web::people::actor_text(&t, &people, &r.reviewer),
                crate::present::beijing_text(&r.at)
            ),
            comment: r.comment.clone(),
            decision: r.decision.as_str().to_string(),
        })
        .collect();
    let evidence = d
        .evidence
        .iter()
        .map(|e| {
            (
                e.id,
                e.name.clone(),
                format!(
                    "{} KB · {}{}",
                    (e.size + 1023) / 1024,
                    crate::present::beijing_text(&e.uploaded_at),
                    e.task
                        .map(|x| format!(" · {} {x}", t.t("task")))
                        .unwrap_or_default()
                ),
            )
        })
        .collect();
    let late = d.report.first_late_seconds.map(|s| {
        let (zh, en) = reformwatch_core::plan::lateness_text(chrono::Duration::seconds(s));
        if t.is_en() { en } else { zh }
    });
    // Every input of the page by id (limits name `tasks[i].…`: the i-th task of the content).
    let mut fields: Vec<String> = vec![
        "narrative".into(),
        "comment".into(),
        crate::http::form::EVIDENCE_FILE.into(),
    ];
    for task in &tasks {
        let n = task.number;
        fields.extend([
            format!("t{n}_status"),
            format!("t{n}_progress"),
            format!("t{n}_blocked"),
        ]);
        fields.extend(task.targets.iter().map(|tg| format!("t{n}_v{}", tg.index)));
    }
    let errors: Vec<FieldError> = errors
        .into_iter()
        .map(|mut e| {
            e.field = form_field(content, &e.field);
            e
        })
        .collect();
    let field_refs: Vec<&str> = fields.iter().map(String::as_str).collect();
    let form_errors = FormErrors::of(&t, &errors, &field_refs);
    let status = form_errors.status();
    let review_comment = typed.get("comment").cloned().unwrap_or_default();
    let page = ReportPage {
        page: Page::new(ctx, title).with_flash(done),
        code: society.code.clone(),
        year: month.year,
        month: month.month,
        state_label: report_state_label(
            &t,
            if d.report.latest_version.is_some() {
                d.report.state.as_str()
            } else {
                "draft"
            },
        ),
        state: d.report.state.as_str().to_string(),
        due: due_text(&t, catalogue, month),
        late,
        locked: !d.open,
        versions: d
            .versions
            .iter()
            .map(|v| (v.version, crate::present::beijing_text(&v.submitted_at)))
            .collect(),
        reviews,
        issues: issues
            .iter()
            .map(|i| (i.blocking, t.pick(&i.message_zh, &i.message_en).to_string()))
            .collect(),
        errors: form_errors,
        review_comment,
        narrative: typed
            .get("narrative")
            .cloned()
            .unwrap_or_else(|| content.narrative.clone()),
        tasks,
        statuses: TaskStatus::ALL
            .into_iter()
            .map(|s| (s.as_str(), t.pick(s.label_zh(), s.label_en()).to_string()))
            .collect(),
        editable,
        status_note,
        can_review,
        can_decide,
        evidence,
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
    sm: SocietyMonth,
    Query(q): Query<DoneQuery>,
    Query(refused): Query<crate::http::form::Refused>,
) -> AppResult<Response> {
    report_page_with(
        &state,
        &ctx,
        &sm,
        HashMap::new(),
        refused.errors(),
        q.done.as_deref(),
    )
    .await
}

/// Opens the month's report, pre-filled from the accepted plan and last month's report.
pub async fn start(State(state): State<AppState>, sm: SocietyMonth) -> AppResult<Response> {
    service::open(&state, &sm.who, &sm.society, &sm.catalogue, sm.month).await?;
    Ok(see_other(&service::link(&sm.society, sm.month), "created"))
}

/// Form → report content; unreadable numbers are field errors (typed text kept).
pub fn read_form(
    plan: &PlanContent,
    current: &ReportContent,
    pairs: &[(String, String)],
) -> Result<ReportContent, Vec<FieldError>> {
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
        let mut tr = current.task(n).cloned().unwrap_or_else(|| TaskReport {
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
                Some(raw) if raw.is_empty() => values.push(TargetValue {
                    target: i,
                    value: None,
                }),
                Some(raw) => {
                    let cleaned: String = raw.chars().filter(|c| *c != ',' && *c != '，').collect();
                    match cleaned.parse::<i64>() {
                        Ok(v) => values.push(TargetValue {
                            target: i,
                            value: Some(v),
                        }),
                        Err(_) => {
                            errors.push(FieldError::new(&name, "err-fact-int").arg("value", &raw))
                        }
                    }
                }
                None => values.push(TargetValue {
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
        Ok(content)
    } else {
        Err(errors)
    }
}

/// Saves the draft; with `submit`, then submits it (the submit button posts the same form).
async fn save(
    state: &AppState,
    ctx: &Ctx,
    sm: SocietyMonth,
    body: &Bytes,
    submit: bool,
) -> AppResult<Response> {
    let SocietyMonth {
        society,
        catalogue,
        month,
        who,
    } = &sm;
    who.require(Action::EditSocietyData, Some(society.id))?;
    let report = service::get(state, society, *month).await?;
    let (plan, _) = service::accepted_plan(state, society, catalogue.year)
        .await?
        .ok_or_else(|| FieldError::new("plan", "err-no-accepted-plan"))?;
    let pairs: Vec<(String, String)> = url::form_urlencoded::parse(body).into_owned().collect();
    let typed: HashMap<String, String> = pairs.iter().cloned().collect();
    let content = match read_form(&plan, &report.draft, &pairs) {
        Ok(v) => v,
        Err(errors) => return report_page_with(state, ctx, &sm, typed, errors, None).await,
    };
    // Limits refused (a text too long, …): the form again with what was typed.
    let shown = content.clone();
    match service::save_draft(state, who, society, *month, content).await {
        Ok(()) => {}
        Err(AppError::Invalid(errors)) => {
            let errors = errors
                .into_iter()
                .map(|mut e| {
                    e.field = form_field(&shown, &e.field);
                    e
                })
                .collect();
            return report_page_with(state, ctx, &sm, typed, errors, None).await;
        }
        Err(e) => return Err(e),
    }
    if !submit {
        return Ok(see_other(&service::link(society, *month), "saved"));
    }
    match service::submit(state, who, society, catalogue, *month).await {
        Ok(_) => Ok(see_other(&service::link(society, *month), "submitted")),
        Err(AppError::Invalid(errors)) => {
            report_page_with(state, ctx, &sm, HashMap::new(), errors, None).await
        }
        Err(e) => Err(e),
    }
}

pub async fn save_draft(
    State(state): State<AppState>,
    ctx: Ctx,
    sm: SocietyMonth,
    body: Bytes,
) -> AppResult<Response> {
    save(&state, &ctx, sm, &body, false).await
}

pub async fn submit(
    State(state): State<AppState>,
    ctx: Ctx,
    sm: SocietyMonth,
    body: Bytes,
) -> AppResult<Response> {
    save(&state, &ctx, sm, &body, true).await
}

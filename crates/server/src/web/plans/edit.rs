//! The society's plan editor (R-PLAN-2, R-PLAN-3): the page (read-only for others and while
//! under review), starting a plan, saving the draft, submitting, and the live check (htmx).

use std::collections::{BTreeMap, HashMap};
use std::sync::Arc;

use askama::Template;
use axum::body::Bytes;
use axum::extract::{Query, State};
use axum::response::{IntoResponse, Response};
use reformwatch_core::catalogue::Catalogue;
use reformwatch_core::plan::{self, PlanState};

use super::form::{
    Cell, Layout, TaskBlock, adopt_proposals, check_field_count, issue_input, parse_add_row,
    read_form, render_content,
};
use super::{PlanQuery, deadline_text, form_pairs, issue_rows, kind_of, link, state_label};
use crate::AppState;
use crate::auth::policy::Action;
use crate::db::plans::{PlanBody, PlanKind};
use crate::db::societies::Society;
use crate::error::{AppError, AppResult};
use crate::http::Ctx;
use crate::http::extract::SocietyYear;
use crate::http::form::FormErrors;
use crate::http::page::{Page, render, see_other};
use crate::model::FieldError;
use crate::service::plans as service;

pub struct ReviewView {
    pub decision: String,
    pub heading: String,
    pub meta: String,
    pub comment: String,
}

#[derive(Template)]
#[template(path = "plans/plan.html")]
struct PlanPage {
    page: Page,
    code: String,
    society_name: String,
    year: i32,
    kind: &'static str,
    state: &'static str,
    state_label: String,
    deadline: Option<String>,
    late: Option<String>,
    request_reason: Option<String>,
    versions: Vec<(i64, String, bool)>,
    reviews: Vec<ReviewView>,
    editable: bool,
    can_review: bool,
    issues: Vec<(bool, Option<u32>, String)>,
    optional_count: usize,
    min_optional: usize,
    optional_text: String,
    /// "可以提交" only where the reader can submit (an editable draft; issue 10).
    submit_note: bool,
    errors: FormErrors,
    /// The review form as typed after a refused decision: (input id, label, value).
    review_fields: Vec<(String, String, String)>,
    review_comment: String,
    /// The optional tasks' boxes: (number, title, chosen, input id).
    optional: Vec<(u32, String, bool, String)>,
    summary: String,
    tasks: Vec<TaskBlock>,
    problems: Vec<(Cell, Cell)>,
    measures: Vec<Vec<Cell>>,
    evidence: Vec<(i64, String, String)>,
    can_upload: bool,
}

#[derive(Template)]
#[template(path = "plans/_issues.html")]
struct IssuesPartial {
    page: Page,
    kind: &'static str,
    issues: Vec<(bool, Option<u32>, String)>,
    optional_count: usize,
    min_optional: usize,
    optional_text: String,
    /// "可以提交" only where the reader can submit (an editable draft; issue 10).
    submit_note: bool,
}

/// The plan page; after a refused save or submission, with what was typed and the errors at
/// their fields (422).
#[allow(clippy::too_many_arguments)]
pub(super) async fn plan_page_with(
    state: &AppState,
    ctx: &Ctx,
    society: &Society,
    catalogue: &Catalogue,
    kind: PlanKind,
    typed: HashMap<String, String>,
    errors: Vec<FieldError>,
    done: Option<&str>,
) -> AppResult<Response> {
    plan_page_full(
        state, ctx, society, catalogue, kind, typed, errors, done, None,
    )
    .await
}

/// [`plan_page_with`], with one more empty row in the list `extra` ("add row", issue 10).
#[allow(clippy::too_many_arguments)]
async fn plan_page_full(
    state: &AppState,
    ctx: &Ctx,
    society: &Society,
    catalogue: &Catalogue,
    kind: PlanKind,
    typed: HashMap<String, String>,
    errors: Vec<FieldError>,
    done: Option<&str>,
    extra: Option<&str>,
) -> AppResult<Response> {
    let t = ctx.t();
    let who = ctx.principal();
    let view = service::view(state, society, catalogue, kind).await?;
    let can_edit = who.may(Action::EditSocietyData, Some(society.id));
    let editable = can_edit && plan::transition(view.plan.state, plan::PlanAction::Edit).is_ok();
    let can_review = who.may(Action::ListAllSocieties, None)
        && ctx.user.as_ref().is_some_and(|u| !u.role.is_society_role())
        && plan::transition(view.plan.state, plan::PlanAction::Accept).is_ok();
    // Show what is under review when not editable: the latest version, else the draft.
    let shown = service::shown(&view, editable);
    let proposals = if editable && kind == PlanKind::Reform {
        service::proposals(state, society, catalogue).await?
    } else {
        BTreeMap::new()
    };
    let comments = match view.reviews.last() {
        Some(r) if view.plan.state == PlanState::Returned => r.task_comments.clone(),
        _ => BTreeMap::new(),
    };
    let rendered = render_content(
        &t,
        catalogue,
        &shown,
        &typed,
        &errors,
        &proposals,
        &comments,
        Layout {
            extra: extra.filter(|_| editable),
            spare: editable,
        },
    );
    // Every input of the page by id: a message about one of them sits at it, any other
    // (e.g. the plan's blocking issues) in the summary only.
    let mut fields: Vec<String> = vec![
        "summary".into(),
        "analysis".into(),
        "comment".into(),
        crate::http::form::EVIDENCE_FILE.into(),
    ];
    for task in &rendered.tasks {
        fields.push(format!("tc_{}", task.number));
        fields.push(task.notes.name.clone());
        for (a, b) in task.resp.iter().chain(&task.milestones) {
            fields.push(a.name.clone());
            fields.push(b.name.clone());
        }
        fields.extend(task.targets.iter().flatten().map(|c| c.name.clone()));
    }
    for (a, b) in &rendered.problems {
        fields.push(a.name.clone());
        fields.push(b.name.clone());
    }
    fields.extend(rendered.measures.iter().flatten().map(|c| c.name.clone()));
    fields.extend(first_optional(catalogue).map(|o| format!("optional-{o}")));
    let field_refs: Vec<&str> = fields.iter().map(String::as_str).collect();
    let form_errors = FormErrors::of(&t, &errors, &field_refs);
    let typed_value = |k: &str| typed.get(k).cloned().unwrap_or_default();
    let review_fields = if kind == PlanKind::Reform {
        rendered
            .tasks
            .iter()
            .map(|task| {
                let id = format!("tc_{}", task.number);
                let value = typed_value(&id);
                (id, format!("{} {}", t.t("task"), task.number), value)
            })
            .collect()
    } else {
        Vec::new()
    };
    let review_comment = typed_value("comment");
    let count = service::optional_count(catalogue, &shown);
    let people = crate::service::people::people(state, &who).await?;
    let title = match kind {
        PlanKind::Reform => t.t1("plan-title", "year", &catalogue.year),
        PlanKind::Rectification => t.t1("rect-title", "year", &catalogue.year),
    };
    let status = form_errors.status();
    let page = PlanPage {
        page: Page::new(ctx, format!("{} · {}", society.name, title)).with_flash(done),
        code: society.code.clone(),
        society_name: society.name.clone(),
        year: catalogue.year,
        kind: kind.as_str(),
        state: view.plan.state.as_str(),
        state_label: state_label(&t, view.plan.state),
        deadline: view.deadline.as_ref().map(|d| deadline_text(&t, d)),
        late: if t.is_en() {
            view.late_en.clone()
        } else {
            view.late_zh.clone()
        },
        request_reason: view.plan.request_reason.clone(),
        versions: view
            .versions
            .iter()
            .map(|v| {
                (
                    v.version,
                    crate::present::beijing_text(&v.submitted_at),
                    v.late_seconds.is_some(),
                )
            })
            .collect(),
        reviews: view
            .reviews
            .iter()
            .map(|r| ReviewView {
                heading: format!(
                    "v{} · {}",
                    r.version,
                    t.t(&format!("review-{}", r.decision.as_str()))
                ),
                meta: format!(
                    "{} · {}",
                    crate::web::people::actor_text(&t, &people, &r.reviewer),
                    crate::present::beijing_text(&r.at)
                ),
                comment: r.comment.clone(),
                decision: r.decision.as_str().to_string(),
            })
            .collect(),
        editable,
        can_review,
        issues: issue_rows(&t, &view.issues),
        submit_note: editable,
        optional_count: count,
        min_optional: catalogue.min_optional as usize,
        optional_text: t
            .t("plan-optional-count")
            .replace("{count}", &count.to_string())
            .replace("{min}", &catalogue.min_optional.to_string()),
        errors: form_errors,
        review_fields,
        review_comment,
        optional: rendered
            .optional
            .into_iter()
            .map(|(n, title, on)| (n, title, on, format!("optional-{n}")))
            .collect(),
        summary: rendered.summary,
        tasks: rendered.tasks,
        problems: rendered.problems,
        measures: rendered.measures,
        evidence: crate::web::facts::evidence_list(state, society, catalogue, "plan_task", &t)
            .await?,
        can_upload: can_edit,
    };
    Ok((status, render(&page)).into_response())
}

#[derive(Template)]
#[template(path = "plans/start.html")]
struct StartPage {
    page: Page,
    code: String,
    year: i32,
    can_edit: bool,
    has_previous: bool,
    deadline: String,
}

/// The plan page, or the start page when the society has no reform plan yet.
pub async fn plan_page(
    State(state): State<AppState>,
    ctx: Ctx,
    sy: SocietyYear,
    Query(q): Query<PlanQuery>,
    Query(refused): Query<crate::http::form::Refused>,
) -> AppResult<Response> {
    let SocietyYear {
        society,
        catalogue,
        who,
    } = sy;
    let kind = kind_of(&q)?;
    if service::find(&state, &society, catalogue.year, kind)
        .await?
        .is_some()
    {
        let extra = q.add.as_deref().and_then(parse_add_row);
        return plan_page_full(
            &state,
            &ctx,
            &society,
            &catalogue,
            kind,
            HashMap::new(),
            refused.errors(),
            q.done.as_deref(),
            extra.as_deref(),
        )
        .await;
    }
    if kind != PlanKind::Reform {
        return Err(AppError::NotFound);
    }
    let t = ctx.t();
    let deadline = service::deadline(&state, &catalogue).await?;
    let has_previous = service::find(&state, &society, catalogue.year - 1, PlanKind::Reform)
        .await?
        .is_some();
    Ok(render(&StartPage {
        page: Page::new(
            &ctx,
            format!(
                "{} · {}",
                society.name,
                t.t1("plan-title", "year", &catalogue.year)
            ),
        ),
        code: society.code.clone(),
        year: catalogue.year,
        can_edit: who.may(Action::EditSocietyData, Some(society.id)),
        has_previous,
        deadline: deadline_text(&t, &deadline),
    }))
}

/// Opens the reform plan: new (mandatory tasks pre-filled) or copied from last year.
pub async fn start(
    State(state): State<AppState>,
    sy: SocietyYear,
    body: Bytes,
) -> AppResult<Response> {
    let copy = form_pairs(&body)
        .iter()
        .any(|(k, v)| k == "from" && v == "copy");
    service::open(&state, &sy.who, &sy.society, &sy.catalogue, copy).await?;
    Ok(see_other(
        &format!("/societies/{}/plans/{}", sy.society.code, sy.catalogue.year),
        "created",
    ))
}

/// Parses the form on a blocking thread, never on an async worker (issue 9 finding 1); more
/// than `MAX_FORM_FIELDS` fields are refused (422) before anything else is done.
async fn read_off_workers(
    catalogue: &Arc<Catalogue>,
    draft: &PlanBody,
    body: &Bytes,
) -> AppResult<(Vec<(String, String)>, Result<PlanBody, Vec<FieldError>>)> {
    let (catalogue, draft, body) = (catalogue.clone(), draft.clone(), body.clone());
    let parsed = tokio::task::spawn_blocking(move || {
        let pairs = form_pairs(&body);
        check_field_count(&pairs)?;
        let read = read_form(&catalogue, &draft, &pairs);
        Ok::<_, FieldError>((pairs, read))
    })
    .await
    .map_err(|e| AppError::Internal(anyhow::anyhow!("form reader: {e}")))?;
    Ok(parsed?)
}

/// Saves the draft; with `submit`, then submits it (the submit button posts the same form).
async fn save(
    state: &AppState,
    ctx: &Ctx,
    sy: SocietyYear,
    q: &PlanQuery,
    body: &Bytes,
    submit: bool,
) -> AppResult<Response> {
    let SocietyYear {
        society,
        catalogue,
        who,
    } = sy;
    let kind = kind_of(q)?;
    who.require(Action::EditSocietyData, Some(society.id))?;
    let plan = service::get(state, &society, catalogue.year, kind).await?;
    let (pairs, read) = read_off_workers(&catalogue, &plan.draft, body).await?;
    let typed: HashMap<String, String> = pairs.iter().cloned().collect();
    let mut content = match read {
        Ok(v) => v,
        Err(errors) => {
            return plan_page_with(state, ctx, &society, &catalogue, kind, typed, errors, None)
                .await;
        }
    };
    if let PlanBody::Reform(_) = content {
        let proposals = service::proposals(state, &society, &catalogue).await?;
        adopt_proposals(&mut content, &pairs, &proposals);
    }
    // Limits refused (a text too long, …): the form again with what was typed, the messages
    // in the summary.
    match service::save_draft(state, &who, &society, catalogue.year, content).await {
        Ok(()) => {}
        Err(AppError::Invalid(errors)) => {
            return plan_page_with(state, ctx, &society, &catalogue, kind, typed, errors, None)
                .await;
        }
        Err(e) => return Err(e),
    }
    let link = link(&society.code, catalogue.year, kind);
    // "Add row" without JavaScript: saved, then the page again with one more empty row in
    // that list, scrolled to its section (issue 10).
    let add = pairs
        .iter()
        .find(|(k, _)| k == "add_row")
        .and_then(|(_, v)| parse_add_row(v));
    if let (false, Some(list)) = (submit, add) {
        let anchor = match list.split_once('_') {
            Some((task, _)) => format!("task-{}", task.trim_start_matches('t')),
            None => "rect-lists".to_string(),
        };
        return Ok(
            axum::response::Redirect::to(&format!("{link}&done=saved&add={list}#{anchor}"))
                .into_response(),
        );
    }
    if !submit {
        return Ok(see_other(&link, "saved"));
    }
    match service::submit(state, &who, &society, &catalogue, kind).await {
        Ok(_) => Ok(see_other(&link, "submitted")),
        Err(AppError::Invalid(errors)) => {
            let mapped = at_inputs(state, &society, &catalogue, kind).await?;
            let errors = if mapped.is_empty() { errors } else { mapped };
            plan_page_with(
                state,
                ctx,
                &society,
                &catalogue,
                kind,
                HashMap::new(),
                errors,
                None,
            )
            .await
        }
        Err(e) => Err(e),
    }
}

/// The blocking issues of the saved draft (the submission was refused for them), each as an
/// error of the editor input it is about ([`issue_input`]; issue 10: the message at the field,
/// the summary linking to it), with the core's message in both languages. An issue with no
/// input of its own keeps the core's field name and shows in the summary only.
async fn at_inputs(
    state: &AppState,
    society: &Society,
    catalogue: &Catalogue,
    kind: PlanKind,
) -> AppResult<Vec<FieldError>> {
    let plan = service::get(state, society, catalogue.year, kind).await?;
    let election = service::election_year(state, society, catalogue.year).await?;
    let first_optional = first_optional(catalogue);
    let errors = service::issues(catalogue, election, &plan.draft)
        .into_iter()
        .filter(|i| i.blocking)
        .map(|i| {
            let field = i.field.as_deref().unwrap_or("plan");
            let input =
                issue_input(i.task, field, first_optional).unwrap_or_else(|| field.to_string());
            FieldError::localized(
                &input,
                &format!("plan-{}", i.code),
                i.message_zh,
                i.message_en,
            )
        })
        .collect();
    Ok(errors)
}

/// The first optional task: its box carries the "too few optional tasks" message.
fn first_optional(catalogue: &Catalogue) -> Option<u32> {
    catalogue
        .tasks_of(reformwatch_core::catalogue::TaskClass::Optional)
        .map(|t| t.number)
        .next()
}

pub async fn save_draft(
    State(state): State<AppState>,
    ctx: Ctx,
    sy: SocietyYear,
    Query(q): Query<PlanQuery>,
    body: Bytes,
) -> AppResult<Response> {
    save(&state, &ctx, sy, &q, &body, false).await
}

pub async fn submit(
    State(state): State<AppState>,
    ctx: Ctx,
    sy: SocietyYear,
    Query(q): Query<PlanQuery>,
    body: Bytes,
) -> AppResult<Response> {
    save(&state, &ctx, sy, &q, &body, true).await
}

/// htmx: validates the form as typed (nothing saved) and returns the issues panel.
pub async fn check(
    State(state): State<AppState>,
    ctx: Ctx,
    sy: SocietyYear,
    Query(q): Query<PlanQuery>,
    body: Bytes,
) -> AppResult<Response> {
    let kind = kind_of(&q)?;
    let plan = service::get(&state, &sy.society, sy.catalogue.year, kind).await?;
    let t = ctx.t();
    let (pairs, read) = read_off_workers(&sy.catalogue, &plan.draft, &body).await?;
    let (issues, count) = match read {
        Ok(mut content) => {
            // A ticked "adopt" box counts as the targets it adds, as saving will (issue 10).
            if let PlanBody::Reform(_) = content {
                let proposals = service::proposals(&state, &sy.society, &sy.catalogue).await?;
                adopt_proposals(&mut content, &pairs, &proposals);
            }
            let election = service::election_year(&state, &sy.society, sy.catalogue.year).await?;
            (
                issue_rows(&t, &service::issues(&sy.catalogue, election, &content)),
                service::optional_count(&sy.catalogue, &content),
            )
        }
        Err(errors) => (errors.iter().map(|e| (true, None, t.field(e))).collect(), 0),
    };
    Ok(render(&IssuesPartial {
        page: Page::new(&ctx, String::new()),
        kind: kind.as_str(),
        issues,
        submit_note: true,
        optional_count: count,
        min_optional: sy.catalogue.min_optional as usize,
        optional_text: t
            .t("plan-optional-count")
            .replace("{count}", &count.to_string())
            .replace("{min}", &sy.catalogue.min_optional.to_string()),
    }))
}

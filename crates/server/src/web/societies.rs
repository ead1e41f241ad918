//! Society registry pages (R-SOC-1, R-SOC-3): list, record, create, edit, deactivate, import.

use askama::Template;
use axum::Form;
use axum::extract::{Multipart, Path, Query, State};
use axum::response::{IntoResponse, Response};
use serde::Deserialize;

use super::catalogue::read_upload;
use super::page::{Page, render, role_label, see_other};
use super::{AppState, Ctx};
use crate::auth::policy::{Action, authorize};
use crate::db::societies::{self, Society, SocietyFilter, SocietyRaw};
use crate::db::users;
use crate::error::{AppError, AppResult};
use crate::i18n::T;
use crate::import::{ImportError, SOCIETY_COLUMNS, parse_societies};
use crate::model::{DisciplineGroup, FieldError};

pub struct Row {
    pub code: String,
    pub name: String,
    pub short_name: String,
    pub group_label: String,
    pub supporting_unit: String,
    pub contact: String,
    pub active: bool,
}

fn group_label(t: &T, letter: &str) -> String {
    DisciplineGroup::from_letter(letter)
        .map(|g| format!("{} {}", g.letter(), t.pick(g.name_zh(), g.name_en())))
        .unwrap_or_default()
}

fn groups(t: &T) -> Vec<(String, String)> {
    DisciplineGroup::ALL
        .iter()
        .map(|g| (g.letter().to_string(), group_label(t, g.letter())))
        .collect()
}

fn row(t: &T, s: &Society) -> Row {
    let contact = [
        s.contact_name.as_str(),
        s.contact_phone.as_str(),
        s.contact_email.as_str(),
    ]
    .into_iter()
    .filter(|x| !x.is_empty())
    .collect::<Vec<_>>()
    .join(" · ");
    Row {
        code: s.code.clone(),
        name: s.name.clone(),
        short_name: s.short_name.clone(),
        group_label: group_label(t, &s.discipline_group),
        supporting_unit: s.supporting_unit.clone(),
        contact,
        active: s.active,
    }
}

#[derive(Template)]
#[template(path = "societies_list.html")]
struct ListPage {
    page: Page,
    societies: Vec<Row>,
    q: String,
    group: String,
    include_inactive: bool,
    groups: Vec<(String, String)>,
    count_text: String,
    can_manage: bool,
}

#[derive(Deserialize, Default)]
pub struct ListQuery {
    #[serde(default)]
    q: String,
    #[serde(default)]
    group: String,
    #[serde(default)]
    include_inactive: Option<String>,
    #[serde(default)]
    pub done: Option<String>,
}

/// Staff see the registry; a society's people see only their own society.
pub async fn list(
    State(state): State<AppState>,
    ctx: Ctx,
    Query(q): Query<ListQuery>,
) -> AppResult<Response> {
    let user = ctx.user()?;
    let t = ctx.t();
    let include_inactive = q.include_inactive.as_deref() == Some("true");
    let all = societies::list(
        &state.db,
        &SocietyFilter {
            group: Some(q.group.clone()).filter(|g| !g.is_empty()),
            q: Some(q.q.clone()),
            include_inactive: Some(include_inactive || user.role.is_society_role()),
        },
    )
    .await?;
    let visible: Vec<Row> = all
        .iter()
        .filter(|s| authorize(Some(user), Action::ReadSociety, Some(s.id)).is_ok())
        .map(|s| row(&t, s))
        .collect();
    Ok(render(&ListPage {
        count_text: t.t1("societies-count", "count", &visible.len()),
        page: Page::new(&ctx, t.t("societies-title")).with_flash(q.done.as_deref()),
        societies: visible,
        q: q.q,
        group: q.group,
        include_inactive,
        groups: groups(&t),
        can_manage: authorize(Some(user), Action::ManageSocieties, None).is_ok(),
    }))
}

/// Loads a society by its code and checks the caller may read it (other societies: 404).
pub(crate) async fn load_readable(state: &AppState, ctx: &Ctx, code: &str) -> AppResult<Society> {
    ctx.user()?;
    let society = societies::by_code(&state.db, code).await?;
    let owner = society.as_ref().map(|s| s.id);
    match society {
        Some(s) => {
            ctx.require(Action::ReadSociety, owner)?;
            Ok(s)
        }
        None => Err(AppError::NotFound),
    }
}

#[derive(Template)]
#[template(path = "society_show.html")]
struct ShowPage {
    page: Page,
    s: Row,
    code: String,
    elections: Vec<(i32, bool)>,
    can_manage: bool,
    can_edit: bool,
    people: Vec<(String, String)>,
    year: i32,
    election_this_year: String,
    legend: Vec<(&'static str, String)>,
    cards: Vec<super::facts::TaskCard>,
    facts: Vec<(String, String, String)>,
    summary: Vec<(&'static str, String, usize)>,
    plan_state: Option<String>,
    has_rectification: bool,
    can_request: bool,
    /// What the society should do next (for its own, occasional users): (text, link, button).
    next_steps: Vec<(String, String, String)>,
}

/// The society's next steps, in the order they matter: rectification, plan, this month's report.
async fn next_steps(
    state: &AppState,
    t: &crate::i18n::T,
    society: &Society,
    catalogue: &reformwatch_core::catalogue::Catalogue,
) -> AppResult<Vec<(String, String, String)>> {
    use crate::db::plans::{self, PlanKind};
    use reformwatch_core::plan::PlanState;
    let mut out = Vec::new();
    let year = catalogue.year;
    let plan_link = format!("/societies/{}/plans/{year}", society.code);
    if let Some(r) = plans::get(&state.db, society.id, year, PlanKind::Rectification).await?
        && matches!(r.state, PlanState::Draft | PlanState::Returned)
    {
        out.push((
            t.t("next-rectification"),
            format!("{plan_link}?kind=rectification"),
            t.t("next-open"),
        ));
    }
    match plans::get(&state.db, society.id, year, PlanKind::Reform).await? {
        None => out.push((t.t("next-plan-start"), plan_link, t.t("plan-start-new"))),
        Some(p) if p.state == PlanState::Draft => {
            out.push((t.t("next-plan-draft"), plan_link, t.t("next-open")))
        }
        Some(p) if p.state == PlanState::Returned => {
            out.push((t.t("next-plan-returned"), plan_link, t.t("next-open")))
        }
        Some(p) if p.state != PlanState::Accepted => {
            out.push((t.t("next-plan-waiting"), plan_link, t.t("next-view")))
        }
        Some(_) => {
            // The report currently expected: the earliest due month not yet submitted, else the next one.
            let now = state.clock.now();
            let reports = crate::db::reports::of_society(&state.db, society.id, year).await?;
            let submitted = |m: u32| {
                reports
                    .iter()
                    .any(|r| r.month == m && r.latest_version.is_some())
            };
            let months = reformwatch_core::tracking::expected_months(catalogue);
            let due = reformwatch_core::tracking::months_due_by(catalogue, now);
            let pending = due
                .iter()
                .find(|m| !submitted(m.month))
                .copied()
                .or_else(|| {
                    months
                        .iter()
                        .find(|m| !due.contains(m) && !submitted(m.month))
                        .copied()
                });
            if let Some(m) = pending {
                let text = t
                    .t(if due.contains(&m) {
                        "next-report-overdue"
                    } else {
                        "next-report"
                    })
                    .replace("{month}", &m.to_string());
                out.push((
                    text,
                    format!("/societies/{}/reports/{}/{}", society.code, m.year, m.month),
                    t.t("next-open"),
                ));
            }
        }
    }
    Ok(out)
}

#[derive(Deserialize, Default)]
pub struct DoneQuery {
    #[serde(default)]
    pub done: Option<String>,
}

pub async fn show(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(code): Path<String>,
    Query(q): Query<super::facts::YearQuery>,
) -> AppResult<Response> {
    let society = load_readable(&state, &ctx, &code).await?;
    let catalogue = super::facts::catalogue_for(&state, q.year.as_deref()).await?;
    let sc = crate::checks::society_check(&state.db, &society, &catalogue).await?;
    let justifications =
        crate::db::facts::justifications(&state.db, society.id, catalogue.year).await?;
    let can_edit = ctx
        .require(Action::EditSocietyData, Some(society.id))
        .is_ok();
    let has_rectification = crate::db::plans::get(
        &state.db,
        society.id,
        catalogue.year,
        crate::db::plans::PlanKind::Rectification,
    )
    .await?
    .is_some();
    let t = ctx.t();
    let can_manage = ctx.require(Action::ManageSocieties, None).is_ok();
    let people = if can_manage
        || ctx
            .user
            .as_ref()
            .is_some_and(|u| u.society_id == Some(society.id))
    {
        users::list(&state.db)
            .await?
            .into_iter()
            .filter(|u| u.society_id == Some(society.id) && !u.disabled)
            .map(|u| (u.display_name.clone(), role_label(&t, u.role)))
            .collect()
    } else {
        Vec::new()
    };
    let cards = super::facts::cards(&t, &catalogue, &sc.result, &justifications, can_edit);
    let summary = reformwatch_core::rules::Verdict::ALL
        .iter()
        .map(|v| {
            (
                v.as_str(),
                super::facts::verdict_label(&t, *v),
                sc.result
                    .verdicts
                    .iter()
                    .filter(|x| x.verdict == *v)
                    .count(),
            )
        })
        .collect();
    let facts = sc
        .current
        .values()
        .filter_map(|v| {
            let value = v.value.as_ref()?;
            let label = catalogue
                .fact(&v.field)
                .map(|f| t.pick(&f.label_zh, &f.label_en).to_string())
                .unwrap_or_else(|| v.field.clone());
            let text = match value {
                serde_json::Value::String(s) => s.clone(),
                serde_json::Value::Bool(b) => t.t(if *b { "yes" } else { "no" }),
                serde_json::Value::Array(items) => items
                    .iter()
                    .filter_map(|i| i.as_str())
                    .map(|id| {
                        catalogue
                            .document(id)
                            .map(|d| t.pick(&d.name_zh, &d.name_en).to_string())
                            .unwrap_or_else(|| id.to_string())
                    })
                    .collect::<Vec<_>>()
                    .join("、"),
                other => other.to_string(),
            };
            Some((label, text, v.as_of.clone()))
        })
        .collect();
    Ok(render(&ShowPage {
        page: Page::new(&ctx, society.name.clone()).with_flash(q.done.as_deref()),
        elections: societies::election_flags(&state.db, society.id).await?,
        code: society.code.clone(),
        s: row(&t, &society),
        can_manage,
        can_edit,
        people,
        year: catalogue.year,
        election_this_year: match sc.election_year {
            Some(true) => t.t("election-yes"),
            Some(false) => t.t("election-no"),
            None => t.t("election-unknown"),
        },
        legend: super::facts::legend(&t),
        cards,
        facts,
        summary,
        plan_state: crate::db::plans::get(
            &state.db,
            society.id,
            catalogue.year,
            crate::db::plans::PlanKind::Reform,
        )
        .await?
        .map(|p| t.pick(p.state.label_zh(), p.state.label_en()).to_string()),
        has_rectification,
        next_steps: if ctx
            .user
            .as_ref()
            .is_some_and(|u| u.society_id == Some(society.id))
        {
            next_steps(&state, &t, &society, &catalogue).await?
        } else {
            Vec::new()
        },
        can_request: !has_rectification
            && ctx.user.as_ref().is_some_and(|u| {
                matches!(
                    u.role,
                    crate::model::Role::Admin | crate::model::Role::Reviewer
                )
            }),
    }))
}

pub struct FormField {
    pub name: &'static str,
    pub label: String,
    pub value: String,
    pub error: Option<String>,
    pub required: bool,
    pub readonly: bool,
}

#[derive(Template)]
#[template(path = "society_form.html")]
struct FormPage {
    page: Page,
    action: String,
    cancel: String,
    fields: Vec<FormField>,
    errors: Vec<FieldError>,
    groups: Vec<(String, String)>,
}

#[derive(Deserialize, Default, Clone)]
pub struct SocietyForm {
    #[serde(default)]
    code: String,
    #[serde(default)]
    name: String,
    #[serde(default)]
    short_name: String,
    #[serde(default)]
    discipline_group: String,
    #[serde(default)]
    supporting_unit: String,
    #[serde(default)]
    contact_name: String,
    #[serde(default)]
    contact_phone: String,
    #[serde(default)]
    contact_email: String,
}

impl SocietyForm {
    fn raw(&self, active: bool) -> SocietyRaw {
        SocietyRaw {
            code: self.code.clone(),
            name: self.name.clone(),
            short_name: self.short_name.clone(),
            discipline_group: self.discipline_group.clone(),
            supporting_unit: self.supporting_unit.clone(),
            contact_name: self.contact_name.clone(),
            contact_phone: self.contact_phone.clone(),
            contact_email: self.contact_email.clone(),
            active: Some(active),
        }
    }
    fn from_society(s: &Society) -> Self {
        SocietyForm {
            code: s.code.clone(),
            name: s.name.clone(),
            short_name: s.short_name.clone(),
            discipline_group: s.discipline_group.clone(),
            supporting_unit: s.supporting_unit.clone(),
            contact_name: s.contact_name.clone(),
            contact_phone: s.contact_phone.clone(),
            contact_email: s.contact_email.clone(),
        }
    }
}

fn form_page(
    ctx: &Ctx,
    title: String,
    action: String,
    cancel: String,
    form: &SocietyForm,
    errors: Vec<FieldError>,
    editing: bool,
) -> Response {
    let t = ctx.t();
    let field = |name: &'static str, label: &str, value: &str, required: bool| FormField {
        name,
        label: t.t(label),
        value: value.to_string(),
        error: errors.iter().find(|e| e.field == name).map(|e| t.field(e)),
        required,
        readonly: editing && name == "code",
    };
    let fields = vec![
        field("code", "col-code", &form.code, true),
        field("name", "col-name", &form.name, true),
        field("short_name", "col-short-name", &form.short_name, false),
        field(
            "discipline_group",
            "col-group",
            &form.discipline_group,
            false,
        ),
        field(
            "supporting_unit",
            "col-supporting-unit",
            &form.supporting_unit,
            false,
        ),
        field(
            "contact_name",
            "col-contact-name",
            &form.contact_name,
            false,
        ),
        field(
            "contact_phone",
            "col-contact-phone",
            &form.contact_phone,
            false,
        ),
        field(
            "contact_email",
            "col-contact-email",
            &form.contact_email,
            false,
        ),
    ];
    let status = if errors.is_empty() {
        http::StatusCode::OK
    } else {
        http::StatusCode::UNPROCESSABLE_ENTITY
    };
    (
        status,
        render(&FormPage {
            page: Page::new(ctx, title),
            action,
            cancel,
            fields,
            errors,
            groups: groups(&t),
        }),
    )
        .into_response()
}

pub async fn new_page(ctx: Ctx) -> AppResult<Response> {
    ctx.require(Action::ManageSocieties, None)?;
    let t = ctx.t();
    Ok(form_page(
        &ctx,
        t.t("society-new"),
        "/societies".into(),
        "/societies".into(),
        &SocietyForm::default(),
        vec![],
        false,
    ))
}

pub async fn create(
    State(state): State<AppState>,
    ctx: Ctx,
    Form(form): Form<SocietyForm>,
) -> AppResult<Response> {
    ctx.require(Action::ManageSocieties, None)?;
    let t = ctx.t();
    let result = match form.raw(true).parse() {
        Ok(input) => societies::create(&state.db, &ctx.actor(), state.clock.now(), &input).await,
        Err(errors) => Err(AppError::Invalid(errors)),
    };
    match result {
        Ok(s) => Ok(see_other(&format!("/societies/{}", s.code), "created")),
        Err(AppError::Invalid(errors)) => Ok(form_page(
            &ctx,
            t.t("society-new"),
            "/societies".into(),
            "/societies".into(),
            &form,
            errors,
            false,
        )),
        Err(e) => Err(e),
    }
}

pub async fn edit_page(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(code): Path<String>,
) -> AppResult<Response> {
    ctx.require(Action::ManageSocieties, None)?;
    let s = societies::by_code(&state.db, &code)
        .await?
        .ok_or(AppError::NotFound)?;
    let t = ctx.t();
    Ok(form_page(
        &ctx,
        t.t1("society-edit", "name", &s.name),
        format!("/societies/{}", s.code),
        format!("/societies/{}", s.code),
        &SocietyForm::from_society(&s),
        vec![],
        true,
    ))
}

pub async fn update(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(code): Path<String>,
    Form(mut form): Form<SocietyForm>,
) -> AppResult<Response> {
    ctx.require(Action::ManageSocieties, None)?;
    let existing = societies::by_code(&state.db, &code)
        .await?
        .ok_or(AppError::NotFound)?;
    form.code = existing.code.clone();
    let t = ctx.t();
    let result = match form.raw(existing.active).parse() {
        Ok(input) => {
            societies::update(
                &state.db,
                &ctx.actor(),
                state.clock.now(),
                &existing.code,
                &input,
            )
            .await
        }
        Err(errors) => Err(AppError::Invalid(errors)),
    };
    match result {
        Ok(s) => Ok(see_other(&format!("/societies/{}", s.code), "saved")),
        Err(AppError::Invalid(errors)) => Ok(form_page(
            &ctx,
            t.t1("society-edit", "name", &existing.name),
            format!("/societies/{}", existing.code),
            format!("/societies/{}", existing.code),
            &form,
            errors,
            true,
        )),
        Err(e) => Err(e),
    }
}

#[derive(Deserialize)]
pub struct ActiveForm {
    active: String,
}

pub async fn set_active(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(code): Path<String>,
    Form(form): Form<ActiveForm>,
) -> AppResult<Response> {
    ctx.require(Action::ManageSocieties, None)?;
    let active = form.active == "true";
    let s =
        societies::set_active(&state.db, &ctx.actor(), state.clock.now(), &code, active).await?;
    Ok(see_other(
        &format!("/societies/{}", s.code),
        if active { "activated" } else { "deactivated" },
    ))
}

#[derive(Deserialize)]
pub struct ElectionForm {
    year: String,
    election_year: String,
}

pub async fn set_election(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(code): Path<String>,
    Form(form): Form<ElectionForm>,
) -> AppResult<Response> {
    ctx.require(Action::ManageSocieties, None)?;
    let s = societies::by_code(&state.db, &code)
        .await?
        .ok_or(AppError::NotFound)?;
    let year: i32 = form
        .year
        .trim()
        .parse()
        .ok()
        .filter(|y| (2000..=2100).contains(y))
        .ok_or_else(|| FieldError::new("year", "err-year"))?;
    societies::set_election_flag(
        &state.db,
        &ctx.actor(),
        state.clock.now(),
        &s,
        year,
        form.election_year == "true",
    )
    .await?;
    Ok(see_other(&format!("/societies/{}", s.code), "saved"))
}

#[derive(Template)]
#[template(path = "society_import.html")]
struct ImportPage {
    page: Page,
    error: Option<String>,
    row_errors: Vec<(usize, String, String)>,
    summary: Option<String>,
    columns: Vec<(String, String, bool)>,
}

fn import_page_with(
    ctx: &Ctx,
    error: Option<String>,
    row_errors: Vec<(usize, String, String)>,
    summary: Option<String>,
) -> ImportPage {
    let t = ctx.t();
    ImportPage {
        page: Page::new(ctx, t.t("society-import")),
        error,
        row_errors,
        summary,
        columns: SOCIETY_COLUMNS
            .iter()
            .map(|(f, aliases, req)| (f.to_string(), aliases.join(" / "), *req))
            .collect(),
    }
}

pub async fn import_page(ctx: Ctx) -> AppResult<Response> {
    ctx.require(Action::ManageSocieties, None)?;
    Ok(render(&import_page_with(&ctx, None, vec![], None)))
}

pub async fn import_submit(
    State(state): State<AppState>,
    ctx: Ctx,
    form: Multipart,
) -> AppResult<Response> {
    ctx.require(Action::ManageSocieties, None)?;
    let t = ctx.t();
    let Some((name, bytes)) = read_upload(form, "file", 10 * 1024 * 1024).await? else {
        return Ok((
            http::StatusCode::UNPROCESSABLE_ENTITY,
            render(&import_page_with(
                &ctx,
                Some(t.t("err-no-file")),
                vec![],
                None,
            )),
        )
            .into_response());
    };
    match parse_societies(&name, &bytes) {
        Ok(rows) => {
            let summary =
                societies::import(&state.db, &ctx.actor(), state.clock.now(), &rows).await?;
            let text = t
                .t("import-done")
                .replace("{created}", &summary.created.to_string())
                .replace("{updated}", &summary.updated.to_string())
                .replace("{unchanged}", &summary.unchanged.to_string());
            Ok(render(&import_page_with(&ctx, None, vec![], Some(text))))
        }
        Err(e) => {
            let row_errors = match &e {
                ImportError::Rows(rows) => rows
                    .iter()
                    .map(|r| (r.line, r.column.clone(), t.field(&r.error)))
                    .collect(),
                _ => vec![],
            };
            Ok((
                http::StatusCode::UNPROCESSABLE_ENTITY,
                render(&import_page_with(
                    &ctx,
                    Some(e.message(&t)),
                    row_errors,
                    None,
                )),
            )
                .into_response())
        }
    }
}

//! Administrators register and edit societies, deactivate them (nothing is deleted) and record
//! their election years (R-SOC-1); a refused form keeps what was typed, errors at their fields.

use askama::Template;
use axum::Form;
use axum::extract::{Path, State};
use axum::response::{IntoResponse, Response};
use serde::Deserialize;

use super::groups;
use crate::AppState;
use crate::auth::policy::Action;
use crate::db::societies::{Society, SocietyRaw};
use crate::error::{AppError, AppResult};
use crate::http::Ctx;
use crate::http::page::{Page, render, see_other};
use crate::model::FieldError;
use crate::service;

pub struct FormField {
    pub name: &'static str,
    pub label: String,
    pub value: String,
    pub error: Option<String>,
    pub required: bool,
    pub readonly: bool,
}

#[derive(Template)]
#[template(path = "societies/form.html")]
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
    name_en: String,
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
            name_en: Some(self.name_en.clone()),
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
            name_en: s.name_en.clone(),
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
        field("name_en", "pub-col-name-en", &form.name_en, false),
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
        Ok(input) => service::societies::create(&state, &ctx.principal(), &input).await,
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
    let s = service::societies::by_code(&state, &ctx.principal(), &code).await?;
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
    let who = ctx.principal();
    let existing = service::societies::by_code(&state, &who, &code).await?;
    form.code = existing.code.clone();
    let t = ctx.t();
    let result = match form.raw(existing.active).parse() {
        Ok(input) => service::societies::update(&state, &who, &existing.code, &input).await,
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
    let active = form.active == "true";
    let s = service::societies::set_active(&state, &ctx.principal(), &code, active).await?;
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
    let s = service::societies::set_election(
        &state,
        &ctx.principal(),
        &code,
        &form.year,
        form.election_year == "true",
    )
    .await?;
    Ok(see_other(&format!("/societies/{}", s.code), "saved"))
}

//! `GET /api/v1/catalogues`, `GET /api/v1/catalogues/{year}` (public), `POST` (administrators
//! load another year's file, R-CAT-1).

use axum::Json;
use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::response::{IntoResponse, Response};
use reformwatch_core::catalogue::Catalogue;
use serde::Serialize;
use utoipa::ToSchema;

use crate::AppState;
use crate::db::catalogues::{StoreCatalogueError, StoredCatalogue};
use crate::error::{AppError, AppResult};
use crate::http::Ctx;
use crate::model::FieldError;
use crate::service;

#[derive(Serialize, ToSchema)]
pub struct RuleDto {
    pub id: String,
    /// The clause words the rule applies.
    pub clause_zh: String,
}

#[derive(Serialize, ToSchema)]
pub struct TaskDto {
    pub number: u32,
    /// `basic` | `election` | `optional`
    pub class: String,
    pub title_zh: String,
    pub title_en: String,
    /// The full clause, verbatim from the notice.
    pub clause_zh: String,
    pub criteria_zh: Option<String>,
    pub criteria_en: Option<String>,
    pub required_documents: Vec<String>,
    pub facts: Vec<String>,
    pub rules: Vec<RuleDto>,
}

#[derive(Serialize, ToSchema)]
pub struct DocumentDto {
    pub id: String,
    pub name_zh: String,
    pub name_en: String,
}

#[derive(Serialize, ToSchema)]
pub struct CatalogueDto {
    pub year: i32,
    pub title_zh: String,
    pub title_en: String,
    pub timezone: String,
    /// Local time in `timezone`, e.g. `2017-05-22T23:59:59`.
    pub plan_deadline: String,
    /// The same instant in UTC (RFC 3339).
    pub plan_deadline_utc: String,
    pub min_optional: u32,
    pub report_due_day: u32,
    pub documents: Vec<DocumentDto>,
    pub tasks: Vec<TaskDto>,
}

pub fn dto(c: &Catalogue) -> CatalogueDto {
    CatalogueDto {
        year: c.year,
        title_zh: c.title_zh.clone(),
        title_en: c.title_en.clone(),
        timezone: c.timezone.name().to_string(),
        plan_deadline: c.plan_deadline.format("%Y-%m-%dT%H:%M:%S").to_string(),
        plan_deadline_utc: c.plan_deadline_utc().to_rfc3339(),
        min_optional: c.min_optional,
        report_due_day: c.report_due_day,
        documents: c
            .documents
            .iter()
            .map(|d| DocumentDto {
                id: d.id.clone(),
                name_zh: d.name_zh.clone(),
                name_en: d.name_en.clone(),
            })
            .collect(),
        tasks: c
            .tasks
            .iter()
            .map(|t| TaskDto {
                number: t.number,
                class: t.class.as_str().to_string(),
                title_zh: t.title_zh.clone(),
                title_en: t.title_en.clone(),
                clause_zh: t.clause_zh.clone(),
                criteria_zh: t.criteria_zh.clone(),
                criteria_en: t.criteria_en.clone(),
                required_documents: t.required_documents.clone(),
                facts: t.facts.clone(),
                rules: t
                    .rules
                    .iter()
                    .map(|r| RuleDto {
                        id: r.id.clone(),
                        clause_zh: r.clause_zh.clone(),
                    })
                    .collect(),
            })
            .collect(),
    }
}

/// Loaded catalogues, by year.
#[utoipa::path(get, path = "/api/v1/catalogues", tag = "catalogues", responses((status = 200, body = Vec<StoredCatalogue>)))]
pub async fn list(State(state): State<AppState>) -> AppResult<Response> {
    Ok(Json(service::catalogues::list(&state).await?).into_response())
}

/// One year's task catalogue with every task's full clause text.
#[utoipa::path(get, path = "/api/v1/catalogues/{year}", tag = "catalogues", params(("year" = i32, Path, description = "e.g. 2017")),
    responses((status = 200, body = CatalogueDto), (status = 404, body = crate::api::ApiErrors)))]
pub async fn get_year(
    State(state): State<AppState>,
    Path(year): Path<String>,
) -> AppResult<Response> {
    let c = service::catalogues::get(&state, Some(&year)).await?;
    Ok(Json(dto(&c)).into_response())
}

/// Loads (or replaces) a year's catalogue from its TOML text (administrators).
#[utoipa::path(post, path = "/api/v1/catalogues", tag = "catalogues", request_body(content = String, content_type = "application/toml"),
    responses((status = 201, body = CatalogueDto), (status = 422, body = crate::api::ApiErrors)), security(("bearer" = [])))]
pub async fn load(State(state): State<AppState>, ctx: Ctx, body: Bytes) -> AppResult<Response> {
    let who = ctx.principal();
    who.require(crate::auth::policy::Action::LoadCatalogue, None)?;
    let source = String::from_utf8(body.to_vec())
        .map_err(|_| FieldError::new("body", "err-catalogue-utf8"))?;
    match service::catalogues::load(&state, &who, &source, "api-upload.toml").await {
        Ok(c) => Ok((http::StatusCode::CREATED, Json(dto(&c))).into_response()),
        Err(StoreCatalogueError::Invalid(e)) => Err(AppError::Invalid(vec![
            FieldError::new("body", "err-catalogue-invalid").arg("detail", e.to_string()),
        ])),
        Err(StoreCatalogueError::App(e)) => Err(e),
    }
}

//! Society registry API (R-SOC-1): public list; records for those allowed; administration.

use axum::Json;
use axum::body::Bytes;
use axum::extract::{Path, Query, State};
use axum::response::{IntoResponse, Response};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::parse_json;
use crate::AppState;
use crate::db::societies::{Society, SocietyFilter, SocietyRaw};
use crate::error::{AppError, AppResult};
use crate::http::Ctx;
use crate::http::extract::SocietyPath;
use crate::service;

#[derive(Serialize, ToSchema)]
pub struct PublicSociety {
    pub code: String,
    pub name: String,
    /// The official English name; empty when none is recorded.
    pub name_en: String,
    /// Discipline group in Chinese (理科 / 工科 / 农科 / 医科 / 交叉).
    pub category: String,
}

#[derive(Deserialize, utoipa::IntoParams)]
pub struct ListParams {
    /// Discipline group letter A–E.
    pub group: Option<String>,
    /// Search in code and name.
    pub q: Option<String>,
}

/// The active societies (public: code, name, category).
#[utoipa::path(get, path = "/api/v1/societies", tag = "societies", params(ListParams), responses((status = 200, body = Vec<PublicSociety>)))]
pub async fn list(
    State(state): State<AppState>,
    Query(p): Query<ListParams>,
) -> AppResult<Response> {
    let json = service::societies::public_list_json(
        &state,
        &SocietyFilter {
            group: p.group,
            q: p.q,
            include_inactive: Some(false),
        },
    )
    .await?;
    Ok((
        [(
            axum::http::header::CONTENT_TYPE,
            axum::http::HeaderValue::from_static("application/json"),
        )],
        json,
    )
        .into_response())
}

/// A society's full record (staff, or the society's own people; others: 404).
#[utoipa::path(get, path = "/api/v1/societies/{code}", tag = "societies", params(("code" = String, Path)),
    responses((status = 200, body = Society), (status = 404, body = crate::api::ApiErrors)), security(("bearer" = [])))]
pub async fn get_one(SocietyPath { society, .. }: SocietyPath) -> AppResult<Response> {
    Ok(Json(society).into_response())
}

/// Registers a society (administrators).
#[utoipa::path(post, path = "/api/v1/societies", tag = "societies", request_body = SocietyRaw,
    responses((status = 201, body = Society), (status = 422, body = crate::api::ApiErrors)), security(("bearer" = [])))]
pub async fn create(State(state): State<AppState>, ctx: Ctx, body: Bytes) -> AppResult<Response> {
    let who = ctx.principal();
    who.require(crate::auth::policy::Action::ManageSocieties, None)?;
    let raw: SocietyRaw = parse_json(&body)?;
    let input = raw.parse().map_err(AppError::Invalid)?;
    let s = service::societies::create(&state, &who, &input).await?;
    Ok((http::StatusCode::CREATED, Json(s)).into_response())
}

/// Replaces a society's record (administrators). The code in the body must match the path.
#[utoipa::path(put, path = "/api/v1/societies/{code}", tag = "societies", params(("code" = String, Path)), request_body = SocietyRaw,
    responses((status = 200, body = Society), (status = 404, body = crate::api::ApiErrors), (status = 422, body = crate::api::ApiErrors)), security(("bearer" = [])))]
pub async fn update(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(code): Path<String>,
    body: Bytes,
) -> AppResult<Response> {
    let who = ctx.principal();
    let existing = service::societies::by_code(&state, &who, &code).await?;
    let mut raw: SocietyRaw = parse_json(&body)?;
    if raw.code.trim().is_empty() {
        raw.code = existing.code.clone();
    }
    if raw.active.is_none() {
        raw.active = Some(existing.active);
    }
    let input = raw.parse().map_err(AppError::Invalid)?;
    let s = service::societies::update(&state, &who, &existing.code, &input).await?;
    Ok(Json(s).into_response())
}

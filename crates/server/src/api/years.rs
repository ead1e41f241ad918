//! Year to year (issue 13) in the API: start a new year from the previous one, list the
//! started years, read a year's draft catalogue (administrators).

use axum::Json;
use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::response::{IntoResponse, Response};
use serde::Deserialize;
use utoipa::ToSchema;

use super::parse_json;
use crate::AppState;
use crate::db::years::YearStart;
use crate::error::AppResult;
use crate::http::Ctx;
use crate::service;
use crate::service::years::Started;

/// `{"from": 2017, "to": 2018}`
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct StartYear {
    /// The year to copy (its catalogue must be loaded).
    pub from: i32,
    /// The new year (later than `from`, no catalogue loaded yet).
    pub to: i32,
}

/// Starts a new year from the previous one: the previous catalogue is copied as a draft
/// (`GET /api/v1/years/{year}/draft`), the societies' election flags are carried over, every
/// status starts afresh. Loading the edited catalogue (`POST /api/v1/catalogues`) carries the
/// societies' last known facts over for the facts the new file declares.
#[utoipa::path(post, path = "/api/v1/years", tag = "catalogues", request_body = StartYear,
    responses((status = 201, body = Started), (status = 422, body = crate::api::ApiErrors)), security(("bearer" = [])))]
pub async fn start(State(state): State<AppState>, ctx: Ctx, body: Bytes) -> AppResult<Response> {
    let req: StartYear = parse_json(&body)?;
    let started = service::years::start(
        &state,
        &ctx.principal(),
        &req.from.to_string(),
        &req.to.to_string(),
    )
    .await?;
    Ok((http::StatusCode::CREATED, Json(started)).into_response())
}

/// The started years, newest first.
#[utoipa::path(get, path = "/api/v1/years", tag = "catalogues",
    responses((status = 200, body = Vec<YearStart>)), security(("bearer" = [])))]
pub async fn list(State(state): State<AppState>, ctx: Ctx) -> AppResult<Response> {
    Ok(Json(service::years::list(&state, &ctx.principal()).await?).into_response())
}

/// The draft catalogue (TOML) of a started year, to edit and load.
#[utoipa::path(get, path = "/api/v1/years/{year}/draft", tag = "catalogues", params(("year" = i32, Path)),
    responses((status = 200, body = String, content_type = "application/toml"), (status = 404, body = crate::api::ApiErrors)), security(("bearer" = [])))]
pub async fn draft(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(year): Path<String>,
) -> AppResult<Response> {
    let (_, source) = service::years::draft(&state, &ctx.principal(), &year).await?;
    Ok((
        [(
            http::header::CONTENT_TYPE,
            "application/toml; charset=utf-8",
        )],
        source,
    )
        .into_response())
}

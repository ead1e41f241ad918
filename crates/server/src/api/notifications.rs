//! The caller's inbox (issue 4).

use axum::Json;
use axum::extract::{Path, State};
use axum::response::{IntoResponse, Response};

use crate::AppState;
use crate::db::notifications::Notification;
use crate::error::{AppError, AppResult};
use crate::http::Ctx;
use crate::service::notifications as service;

/// The caller's inbox, newest first.
#[utoipa::path(get, path = "/api/v1/notifications", tag = "notifications", responses((status = 200, body = Vec<Notification>)), security(("bearer" = [])))]
pub async fn notifications(State(state): State<AppState>, ctx: Ctx) -> AppResult<Response> {
    Ok(Json(service::inbox(&state, &ctx.principal()).await?).into_response())
}

/// Marks one of the caller's notifications read.
#[utoipa::path(post, path = "/api/v1/notifications/{id}/read", tag = "notifications", params(("id" = i64, Path)), responses((status = 204), (status = 404, body = crate::api::ApiErrors)), security(("bearer" = [])))]
pub async fn mark_read(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
) -> AppResult<Response> {
    let id: i64 = id.parse().map_err(|_| AppError::NotFound)?;
    service::mark_read(&state, &ctx.principal(), id).await?;
    Ok(http::StatusCode::NO_CONTENT.into_response())
}

/// Marks all of the caller's notifications read; answers how many were unread. Audited; other
/// users' notifications are never touched.
#[utoipa::path(post, path = "/api/v1/notifications/read-all", tag = "notifications", responses((status = 200, body = ReadAll)), security(("bearer" = [])))]
pub async fn mark_all_read(State(state): State<AppState>, ctx: Ctx) -> AppResult<Response> {
    let marked = service::mark_all_read(&state, &ctx.principal()).await?;
    Ok(Json(ReadAll { marked }).into_response())
}

/// How many notifications a "mark all read" changed.
#[derive(serde::Serialize, utoipa::ToSchema)]
pub struct ReadAll {
    pub marked: u64,
}

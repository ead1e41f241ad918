//! R-TRACK-4 evidence files in the API: upload (multipart, the same form as the pages) and
//! download.

use axum::Json;
use axum::extract::{Multipart, Path, State};
use axum::response::{IntoResponse, Response};

use crate::AppState;
use crate::error::{AppError, AppResult};
use crate::http::Ctx;
use crate::http::extract::SocietyPath;
use crate::http::upload::receive_evidence;
use crate::service;

/// Upload (R-TRACK-4): a multipart form with the owner (a plan task, a month's report or a
/// fact of a year) and the file; answers with the evidence record. The file's type is decided
/// by its content; a file over the size limit or the society's quota is refused with 413.
#[utoipa::path(post, path = "/api/v1/societies/{code}/evidence", tag = "tracking", params(("code" = String, Path)),
    request_body(content = crate::api::drafts::EvidenceUpload, content_type = "multipart/form-data"),
    responses((status = 201, body = crate::db::evidence::Evidence), (status = 413, body = crate::api::ApiErrors), (status = 422, body = crate::api::ApiErrors)), security(("bearer" = [])))]
pub async fn upload(
    State(state): State<AppState>,
    SocietyPath { society, who }: SocietyPath,
    form: Multipart,
) -> AppResult<Response> {
    let up = receive_evidence(&state, &who, &society, form).await?;
    let e = service::evidence::add(
        &state,
        &who,
        &society,
        &up.owner,
        &up.stored,
        &up.original_name,
    )
    .await?;
    Ok((http::StatusCode::CREATED, Json(e)).into_response())
}

/// Download: allowed for whoever may read the owning society (others: 404), always as an
/// attachment.
#[utoipa::path(get, path = "/api/v1/evidence/{id}", tag = "tracking", params(("id" = i64, Path)),
    responses((status = 200, description = "The file, as an attachment (type decided at upload)", content_type = "application/octet-stream", body = Vec<u8>), (status = 404, body = crate::api::ApiErrors)), security(("bearer" = [])))]
pub async fn download(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
) -> AppResult<Response> {
    let id: i64 = id.parse().map_err(|_| AppError::NotFound)?;
    let e = service::evidence::get(&state, &ctx.principal(), id).await?;
    let (file, kind, charset) = service::evidence::open(&state, &e).await?;
    Ok(crate::http::download::evidence_file(
        &e, file, kind, charset,
    ))
}

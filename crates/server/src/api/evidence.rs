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

/// Upload: answers with the evidence record.
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

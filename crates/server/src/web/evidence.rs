//! R-TRACK-4 evidence files in pages: upload from the plan, report and facts pages (back to the
//! page with a flash message), download, withdraw.

use axum::extract::{Multipart, Path, State};
use axum::response::{IntoResponse, Redirect, Response};

use crate::AppState;
use crate::error::{AppError, AppResult};
use crate::http::Ctx;
use crate::http::extract::SocietyPath;
use crate::http::form::{EVIDENCE_FILE, refusal_query};
use crate::http::page::{safe_next, see_other};
use crate::http::upload::receive_evidence_back;
use crate::service;

/// Page form upload: back to the page with a flash message; a refused upload goes back to the
/// form it came from with the reason at its file input (`?refused=KEY`, see `http::form`).
pub async fn upload(
    State(state): State<AppState>,
    SocietyPath { society, who }: SocietyPath,
    form: Multipart,
) -> AppResult<Response> {
    let mut back = String::new();
    let result = match receive_evidence_back(&state, &who, &society, form, &mut back).await {
        Ok(up) => service::evidence::add(
            &state,
            &who,
            &society,
            &up.owner,
            &up.stored,
            &up.original_name,
        )
        .await
        .map(|_| ()),
        Err(e) => Err(e),
    };
    let back = if back.is_empty() || back == "/" {
        format!("/societies/{}", society.code)
    } else {
        back
    };
    match result {
        Ok(()) => Ok(see_other(&back, "uploaded")),
        Err(e) => match refusal_query(&e) {
            Some(query) => {
                let sep = if back.contains('?') { '&' } else { '?' };
                Ok(Redirect::to(&format!("{back}{sep}{query}#{EVIDENCE_FILE}")).into_response())
            }
            None => Err(e),
        },
    }
}

/// Download: allowed for whoever may read the owning society (others: 404), always as an
/// attachment with nosniff and a sandboxing CSP.
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

/// Withdraws an evidence file (its society's editors and administrators; a locked month's
/// report evidence cannot be withdrawn).
pub async fn remove(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
    axum::Form(form): axum::Form<RemoveForm>,
) -> AppResult<Response> {
    let id: i64 = id.parse().map_err(|_| AppError::NotFound)?;
    service::evidence::remove(&state, &ctx.principal(), id).await?;
    Ok(see_other(&safe_next(&form.back), "saved"))
}

#[derive(serde::Deserialize)]
pub struct RemoveForm {
    #[serde(default)]
    back: String,
}

//! Month locks (R-TRACK-2): administrators lock a month's reports and grant one society an
//! exception.

use axum::extract::State;
use axum::response::Response;
use serde::Deserialize;

use crate::AppState;
use crate::error::AppResult;
use crate::http::Ctx;
use crate::http::page::see_other;
use crate::service;

#[derive(Deserialize)]
pub struct LockForm {
    #[serde(default)]
    year: String,
    #[serde(default)]
    month: String,
    #[serde(default)]
    locked: String,
    #[serde(default)]
    society: String,
}

pub async fn lock(
    State(state): State<AppState>,
    ctx: Ctx,
    axum::Form(f): axum::Form<LockForm>,
) -> AppResult<Response> {
    let catalogue = service::catalogues::get(&state, Some(&f.year)).await?;
    let m = service::reports::set_lock(
        &state,
        &ctx.principal(),
        &catalogue,
        &f.month,
        f.locked == "true",
    )
    .await?;
    Ok(see_other(&format!("/rates?year={}", m.year), "saved"))
}

pub async fn exception(
    State(state): State<AppState>,
    ctx: Ctx,
    axum::Form(f): axum::Form<LockForm>,
) -> AppResult<Response> {
    let catalogue = service::catalogues::get(&state, Some(&f.year)).await?;
    let m = service::reports::grant_exception(
        &state,
        &ctx.principal(),
        &catalogue,
        &f.month,
        &f.society,
    )
    .await?;
    Ok(see_other(&format!("/rates?year={}", m.year), "saved"))
}

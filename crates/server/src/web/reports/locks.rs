//! Month locks (R-TRACK-2): administrators lock a month's reports and grant one society an
//! exception. A refused form shows the rates page again with the message at its field.

use axum::extract::State;
use axum::response::Response;
use serde::Deserialize;

use super::rates::{LockRefusal, rates_with};
use crate::AppState;
use crate::error::{AppError, AppResult};
use crate::http::Ctx;
use crate::http::form::FormErrors;
use crate::http::page::see_other;
use crate::service;
use crate::service::rates::YearQuery;

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

/// The rates page with the refusal at the form's fields (`prefix-month`, `prefix-society`).
async fn refused(
    state: &AppState,
    ctx: &Ctx,
    f: LockForm,
    prefix: &str,
    errors: &[crate::model::FieldError],
) -> AppResult<Response> {
    let errors = FormErrors::mapped(&ctx.t(), errors, |field| match field {
        "month" => Some(format!("{prefix}-month")),
        "society" if prefix == "exception" => Some("exception-society".to_string()),
        _ => None,
    });
    let q = YearQuery {
        year: Some(f.year),
        group: None,
    };
    let refusal = LockRefusal {
        errors,
        month: f.month,
        society: f.society,
    };
    rates_with(state, ctx, &q, refusal).await
}

pub async fn lock(
    State(state): State<AppState>,
    ctx: Ctx,
    axum::Form(f): axum::Form<LockForm>,
) -> AppResult<Response> {
    let catalogue = service::catalogues::get(&state, Some(&f.year)).await?;
    match service::reports::set_lock(
        &state,
        &ctx.principal(),
        &catalogue,
        &f.month,
        f.locked == "true",
    )
    .await
    {
        Ok(m) => Ok(see_other(&format!("/rates?year={}", m.year), "saved")),
        Err(AppError::Invalid(errors)) => refused(&state, &ctx, f, "lock", &errors).await,
        Err(e) => Err(e),
    }
}

pub async fn exception(
    State(state): State<AppState>,
    ctx: Ctx,
    axum::Form(f): axum::Form<LockForm>,
) -> AppResult<Response> {
    let catalogue = service::catalogues::get(&state, Some(&f.year)).await?;
    match service::reports::grant_exception(
        &state,
        &ctx.principal(),
        &catalogue,
        &f.month,
        &f.society,
    )
    .await
    {
        Ok(m) => Ok(see_other(&format!("/rates?year={}", m.year), "saved")),
        Err(AppError::Invalid(errors)) => refused(&state, &ctx, f, "exception", &errors).await,
        Err(e) => Err(e),
    }
}

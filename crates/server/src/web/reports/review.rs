//! The reviewer's comment on, or return of, a month's report (R-TRACK-1); a refused review
//! shows the report page with the message at its field.

use std::collections::HashMap;

use axum::body::Bytes;
use axum::extract::State;
use axum::response::Response;

use super::edit::report_page_with;
use crate::AppState;
use crate::error::{AppError, AppResult};
use crate::http::Ctx;
use crate::http::extract::SocietyMonth;
use crate::http::page::see_other;
use crate::service::reports::{self as service, ReportDecision};

pub async fn review(
    State(state): State<AppState>,
    ctx: Ctx,
    sm: SocietyMonth,
    body: Bytes,
) -> AppResult<Response> {
    let pairs: Vec<(String, String)> = url::form_urlencoded::parse(&body).into_owned().collect();
    let get = |k: &str| {
        pairs
            .iter()
            .find(|(n, _)| n == k)
            .map(|(_, v)| v.clone())
            .unwrap_or_default()
    };
    // The page's two buttons: "comment" and "return".
    let decision = if get("decision") == "return" {
        ReportDecision::Return
    } else {
        ReportDecision::Comment
    };
    match service::review(
        &state,
        &sm.who,
        &sm.society,
        sm.month,
        decision,
        &get("comment"),
    )
    .await
    {
        Ok(()) => Ok(see_other(
            &service::link(&sm.society, sm.month),
            if decision == ReportDecision::Return {
                "returned"
            } else {
                "saved"
            },
        )),
        Err(AppError::Invalid(errors)) => {
            report_page_with(
                &state,
                &ctx,
                &sm,
                pairs.iter().cloned().collect::<HashMap<String, String>>(),
                errors,
                None,
            )
            .await
        }
        Err(e) => Err(e),
    }
}

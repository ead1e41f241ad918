//! The reviewer's comment on, return or accept of a month's report (R-TRACK-1; issue 10: an
//! explicit accept, also from the reviewers' queue, which it goes back to); a refused review
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
use crate::http::page::{safe_next, see_other};
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
    // The page's buttons: "comment", "return", "accept" (the queue's: "accept").
    let decision = match get("decision").as_str() {
        "return" => ReportDecision::Return,
        "accept" => ReportDecision::Accept,
        _ => ReportDecision::Comment,
    };
    // The queue's accept button comes back to the queue with its filters (same-origin paths
    // of the queue only).
    let back = get("back");
    let back = (back.starts_with("/reviews/reports") && safe_next(&back) == back).then_some(back);
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
            back.as_deref()
                .unwrap_or(&service::link(&sm.society, sm.month)),
            match decision {
                ReportDecision::Return => "returned",
                ReportDecision::Accept => "accepted",
                ReportDecision::Comment => "saved",
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

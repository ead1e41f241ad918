//! CAST's decisions on plans (R-PLAN-4, R-PLAN-5): return with comments (per task too) or
//! accept; ask a society for a rectification plan.

use std::collections::{BTreeMap, HashMap};

use axum::body::Bytes;
use axum::extract::{Query, State};
use axum::response::Response;

use super::edit::plan_page_with;
use super::{PlanQuery, form_pairs, kind_of, link};
use crate::AppState;
use crate::db::plans::PlanKind;
use crate::error::{AppError, AppResult};
use crate::http::Ctx;
use crate::http::extract::SocietyYear;
use crate::http::page::see_other;
use crate::service::plans::{self as service, PlanDecision};

/// A reviewer returns (comment required) or accepts the latest submitted version; a refused
/// decision shows the plan page with the message at its field.
pub async fn review(
    State(state): State<AppState>,
    ctx: Ctx,
    sy: SocietyYear,
    Query(q): Query<PlanQuery>,
    body: Bytes,
) -> AppResult<Response> {
    let kind = kind_of(&q)?;
    let pairs = form_pairs(&body);
    let get = |k: &str| {
        pairs
            .iter()
            .find(|(n, _)| n == k)
            .map(|(_, v)| v.clone())
            .unwrap_or_default()
    };
    let task_comments: BTreeMap<u32, String> = pairs
        .iter()
        .filter_map(|(k, v)| {
            k.strip_prefix("tc_")
                .and_then(|n| n.parse().ok())
                .map(|n| (n, v.clone()))
        })
        .collect();
    let result = match PlanDecision::parse(&get("decision")) {
        Ok(decision) => service::review(
            &state,
            &sy.who,
            &sy.society,
            sy.catalogue.year,
            kind,
            decision,
            &get("comment"),
            &task_comments,
        )
        .await
        .map(|()| decision),
        Err(e) => Err(e.into()),
    };
    match result {
        Ok(decision) => Ok(see_other(
            &link(&sy.society.code, sy.catalogue.year, kind),
            if decision == PlanDecision::Accept {
                "accepted"
            } else {
                "returned"
            },
        )),
        Err(AppError::Invalid(errors)) => {
            plan_page_with(
                &state,
                &ctx,
                &sy.society,
                &sy.catalogue,
                kind,
                pairs.iter().cloned().collect::<HashMap<String, String>>(),
                errors,
                None,
            )
            .await
        }
        Err(e) => Err(e),
    }
}

/// A reviewer asks the society for a rectification plan (R-PLAN-5).
/// A refused request (no reason) shows the society page again with the message at the reason.
pub async fn request_rectification(
    State(state): State<AppState>,
    ctx: Ctx,
    sy: SocietyYear,
    body: Bytes,
) -> AppResult<Response> {
    let reason = form_pairs(&body)
        .into_iter()
        .find(|(k, _)| k == "reason")
        .map(|(_, v)| v)
        .unwrap_or_default();
    match service::request_rectification(&state, &sy.who, &sy.society, sy.catalogue.year, &reason)
        .await
    {
        Ok(_) => {}
        Err(AppError::Invalid(errors)) => {
            let t = ctx.t();
            let refusal = crate::web::societies::show::PageRefusal {
                errors: errors
                    .iter()
                    .map(|e| ("reason".to_string(), t.field(e)))
                    .collect(),
                typed: HashMap::from([("reason".to_string(), reason)]),
            };
            return crate::web::societies::show::show_with(
                &state,
                &ctx,
                sy,
                None,
                None,
                Some(refusal),
            )
            .await;
        }
        Err(e) => return Err(e),
    }
    Ok(see_other(
        &link(&sy.society.code, sy.catalogue.year, PlanKind::Rectification),
        "created",
    ))
}

//! Monthly reports in the API (R-TRACK-1): read, open, draft, submit, review (comment, return,
//! accept) and accept (issue 10: reports behave like plans).

use axum::Json;
use axum::body::Bytes;
use axum::extract::State;
use axum::response::{IntoResponse, Response};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::parse_json;
use crate::AppState;
use crate::auth::policy::Action;
use crate::error::AppResult;
use crate::http::extract::SocietyMonth;
use crate::service::reports::{self as service, ReportDecision, ReportView};

async fn view(state: &AppState, sm: &SocietyMonth) -> AppResult<ReportView> {
    service::view(state, &sm.society, &sm.catalogue, sm.month).await
}

/// A society's report for a month: draft, issues, versions, reviews.
#[utoipa::path(get, path = "/api/v1/societies/{code}/reports/{year}/{month}", tag = "tracking", params(("code" = String, Path), ("year" = i32, Path), ("month" = u32, Path)),
    responses((status = 200, body = ReportView), (status = 404, body = crate::api::ApiErrors)), security(("bearer" = [])))]
pub async fn get_report(State(state): State<AppState>, sm: SocietyMonth) -> AppResult<Response> {
    Ok(Json(view(&state, &sm).await?).into_response())
}

/// Opens the month's report, pre-filled from the accepted plan and last month's report.
#[utoipa::path(post, path = "/api/v1/societies/{code}/reports/{year}/{month}", tag = "tracking", params(("code" = String, Path), ("year" = i32, Path), ("month" = u32, Path)),
    responses((status = 201, body = ReportView), (status = 422, body = crate::api::ApiErrors)), security(("bearer" = [])))]
pub async fn open(State(state): State<AppState>, sm: SocietyMonth) -> AppResult<Response> {
    service::open(&state, &sm.who, &sm.society, &sm.catalogue, sm.month).await?;
    Ok((http::StatusCode::CREATED, Json(view(&state, &sm).await?)).into_response())
}

/// Replaces the draft (ReportContent JSON).
#[utoipa::path(put, path = "/api/v1/societies/{code}/reports/{year}/{month}/draft", tag = "tracking", params(("code" = String, Path), ("year" = i32, Path), ("month" = u32, Path)),
    request_body(content = crate::api::drafts::ReportDraft, description = "ReportDraft; texts and lists bounded (maxLength, maxItems)"), responses((status = 200, body = ReportView), (status = 422, body = crate::api::ApiErrors)), security(("bearer" = [])))]
pub async fn put_draft(
    State(state): State<AppState>,
    sm: SocietyMonth,
    body: Bytes,
) -> AppResult<Response> {
    sm.who
        .require(Action::EditSocietyData, Some(sm.society.id))?;
    let content = parse_json(&body)?;
    service::save_draft(&state, &sm.who, &sm.society, sm.month, content).await?;
    Ok(Json(view(&state, &sm).await?).into_response())
}

#[derive(Serialize, ToSchema)]
pub struct ReportSubmitted {
    pub version: i64,
    pub report: ReportView,
}

/// Submits the draft as a new version (late after the due day; refused with every blocking issue).
#[utoipa::path(post, path = "/api/v1/societies/{code}/reports/{year}/{month}/submit", tag = "tracking", params(("code" = String, Path), ("year" = i32, Path), ("month" = u32, Path)),
    responses((status = 200, body = ReportSubmitted), (status = 422, body = crate::api::ApiErrors)), security(("bearer" = [])))]
pub async fn submit(State(state): State<AppState>, sm: SocietyMonth) -> AppResult<Response> {
    let version = service::submit(&state, &sm.who, &sm.society, &sm.catalogue, sm.month).await?;
    Ok(Json(ReportSubmitted {
        version,
        report: view(&state, &sm).await?,
    })
    .into_response())
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ReportReviewRequest {
    /// `comment`, `return` or `accept`.
    pub decision: String,
    /// Required to comment or return; optional to accept.
    #[serde(default)]
    pub comment: String,
}

/// A reviewer comments on, returns or accepts the latest submitted version (a comment is
/// required to comment or return). Refused (422) when the state does not allow it.
#[utoipa::path(post, path = "/api/v1/societies/{code}/reports/{year}/{month}/review", tag = "tracking", params(("code" = String, Path), ("year" = i32, Path), ("month" = u32, Path)),
    request_body = ReportReviewRequest, responses((status = 200, body = ReportView), (status = 422, body = crate::api::ApiErrors)), security(("bearer" = [])))]
pub async fn review(
    State(state): State<AppState>,
    sm: SocietyMonth,
    body: Bytes,
) -> AppResult<Response> {
    sm.who.require(Action::ListAllSocieties, None)?;
    let req: ReportReviewRequest = parse_json(&body)?;
    let decision = ReportDecision::parse(&req.decision)?;
    service::review(
        &state,
        &sm.who,
        &sm.society,
        sm.month,
        decision,
        &req.comment,
    )
    .await?;
    Ok(Json(view(&state, &sm).await?).into_response())
}

#[derive(Deserialize, ToSchema, Default)]
#[serde(deny_unknown_fields)]
pub struct ReportAcceptRequest {
    /// An optional comment to the society.
    #[serde(default)]
    pub comment: String,
}

/// A reviewer accepts the latest submitted version (issue 10): the report becomes final, the
/// society is notified. An empty body is allowed. Refused (422) unless the report is submitted
/// and not decided yet.
#[utoipa::path(post, path = "/api/v1/societies/{code}/reports/{year}/{month}/accept", tag = "tracking", params(("code" = String, Path), ("year" = i32, Path), ("month" = u32, Path)),
    request_body(content = ReportAcceptRequest, description = "optional: an empty body accepts without a comment"), responses((status = 200, body = ReportView), (status = 422, body = crate::api::ApiErrors)), security(("bearer" = [])))]
pub async fn accept(
    State(state): State<AppState>,
    sm: SocietyMonth,
    body: Bytes,
) -> AppResult<Response> {
    sm.who.require(Action::ListAllSocieties, None)?;
    let req: ReportAcceptRequest = if body.iter().all(u8::is_ascii_whitespace) {
        ReportAcceptRequest::default()
    } else {
        parse_json(&body)?
    };
    service::review(
        &state,
        &sm.who,
        &sm.society,
        sm.month,
        ReportDecision::Accept,
        &req.comment,
    )
    .await?;
    Ok(Json(view(&state, &sm).await?).into_response())
}

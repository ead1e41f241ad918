//! Plans in the API (R-PLAN-1..5): every action of the pages, for scripts; and the deadlines.

use std::collections::BTreeMap;

use axum::Json;
use axum::body::Bytes;
use axum::extract::{Path, Query, State};
use axum::response::{IntoResponse, Response};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::parse_json;
use crate::AppState;
use crate::auth::policy::Action;
use crate::db::documents::Version;
use crate::db::plans::{Deadline, Plan, PlanBody, PlanKind};
use crate::error::{AppError, AppResult};
use crate::http::Ctx;
use crate::http::extract::SocietyYear;
use crate::service::catalogues::get as catalogue_for;
use crate::service::plans::{self as service, PlanDecision, PlanView};

#[derive(Deserialize, Default)]
pub struct PlanQuery {
    /// `reform` (default) or `rectification`.
    #[serde(default)]
    pub kind: Option<String>,
}

fn kind_of(q: &PlanQuery) -> AppResult<PlanKind> {
    PlanKind::parse(q.kind.as_deref()).ok_or(AppError::NotFound)
}

async fn view(state: &AppState, sy: &SocietyYear, kind: PlanKind) -> AppResult<PlanView> {
    service::view(state, &sy.society, &sy.catalogue, kind).await
}

/// A society's plan for a year: state, draft, issues, versions, reviews, deadline.
#[utoipa::path(get, path = "/api/v1/societies/{code}/plans/{year}", tag = "plans",
    params(("code" = String, Path), ("year" = i32, Path), ("kind" = Option<String>, Query, description = "reform (default) | rectification")),
    responses((status = 200, body = PlanView), (status = 404, body = crate::api::ApiErrors)), security(("bearer" = [])))]
pub async fn get_plan(
    State(state): State<AppState>,
    sy: SocietyYear,
    Query(q): Query<PlanQuery>,
) -> AppResult<Response> {
    Ok(Json(view(&state, &sy, kind_of(&q)?).await?).into_response())
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct OpenPlan {
    /// `new` (pre-filled mandatory tasks) or `copy` (last year's plan).
    #[serde(default)]
    pub from: Option<String>,
}

/// Opens the reform plan for a year.
#[utoipa::path(post, path = "/api/v1/societies/{code}/plans/{year}", tag = "plans", params(("code" = String, Path), ("year" = i32, Path)), request_body = OpenPlan,
    responses((status = 201, body = PlanView), (status = 422, body = crate::api::ApiErrors)), security(("bearer" = [])))]
pub async fn open(
    State(state): State<AppState>,
    sy: SocietyYear,
    body: Bytes,
) -> AppResult<Response> {
    sy.who
        .require(Action::EditSocietyData, Some(sy.society.id))?;
    let req: OpenPlan = if body.is_empty() {
        OpenPlan { from: None }
    } else {
        parse_json(&body)?
    };
    service::open(
        &state,
        &sy.who,
        &sy.society,
        &sy.catalogue,
        req.from.as_deref() == Some("copy"),
    )
    .await?;
    Ok((
        http::StatusCode::CREATED,
        Json(view(&state, &sy, PlanKind::Reform).await?),
    )
        .into_response())
}

/// Replaces the draft (content JSON of the plan's kind). Drafts may break plan rules; the
/// issues come back in the response.
#[utoipa::path(put, path = "/api/v1/societies/{code}/plans/{year}/draft", tag = "plans", params(("code" = String, Path), ("year" = i32, Path), ("kind" = Option<String>, Query)),
    request_body(content = crate::api::drafts::PlanDraft, description = "ReformPlanDraft (kind=reform) or RectificationPlanDraft (kind=rectification); texts and lists bounded (maxLength, maxItems)"),
    responses((status = 200, body = PlanView), (status = 422, body = crate::api::ApiErrors)), security(("bearer" = [])))]
pub async fn put_draft(
    State(state): State<AppState>,
    sy: SocietyYear,
    Query(q): Query<PlanQuery>,
    body: Bytes,
) -> AppResult<Response> {
    let kind = kind_of(&q)?;
    sy.who
        .require(Action::EditSocietyData, Some(sy.society.id))?;
    let content = match kind {
        PlanKind::Reform => PlanBody::Reform(parse_json(&body)?),
        PlanKind::Rectification => PlanBody::Rectification(parse_json(&body)?),
    };
    service::save_draft(&state, &sy.who, &sy.society, sy.catalogue.year, content).await?;
    Ok(Json(view(&state, &sy, kind).await?).into_response())
}

#[derive(Serialize, ToSchema)]
pub struct Submitted {
    pub version: i64,
    pub plan: PlanView,
}

/// Submits the draft as a new version (refused with every blocking issue listed).
#[utoipa::path(post, path = "/api/v1/societies/{code}/plans/{year}/submit", tag = "plans", params(("code" = String, Path), ("year" = i32, Path), ("kind" = Option<String>, Query)),
    responses((status = 200, body = Submitted), (status = 422, body = crate::api::ApiErrors)), security(("bearer" = [])))]
pub async fn submit(
    State(state): State<AppState>,
    sy: SocietyYear,
    Query(q): Query<PlanQuery>,
) -> AppResult<Response> {
    let kind = kind_of(&q)?;
    let version = service::submit(&state, &sy.who, &sy.society, &sy.catalogue, kind).await?;
    Ok(Json(Submitted {
        version,
        plan: view(&state, &sy, kind).await?,
    })
    .into_response())
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ReviewRequest {
    /// `return` (comment required) or `accept`.
    pub decision: String,
    #[serde(default)]
    pub comment: String,
    /// Comments per task number.
    #[serde(default)]
    pub task_comments: BTreeMap<u32, String>,
}

/// A reviewer's decision on the latest submitted version (reviewers and administrators).
#[utoipa::path(post, path = "/api/v1/societies/{code}/plans/{year}/review", tag = "plans", params(("code" = String, Path), ("year" = i32, Path), ("kind" = Option<String>, Query)), request_body = ReviewRequest,
    responses((status = 200, body = PlanView), (status = 422, body = crate::api::ApiErrors)), security(("bearer" = [])))]
pub async fn review(
    State(state): State<AppState>,
    sy: SocietyYear,
    Query(q): Query<PlanQuery>,
    body: Bytes,
) -> AppResult<Response> {
    sy.who.require(Action::ListAllSocieties, None)?;
    let kind = kind_of(&q)?;
    let req: ReviewRequest = parse_json(&body)?;
    let decision = PlanDecision::parse(&req.decision)?;
    service::review(
        &state,
        &sy.who,
        &sy.society,
        sy.catalogue.year,
        kind,
        decision,
        &req.comment,
        &req.task_comments,
    )
    .await?;
    Ok(Json(view(&state, &sy, kind).await?).into_response())
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RectificationRequest {
    pub reason: String,
}

/// Asks the society for a rectification plan (R-PLAN-5; reviewers and administrators).
#[utoipa::path(post, path = "/api/v1/societies/{code}/plans/{year}/rectification", tag = "plans", params(("code" = String, Path), ("year" = i32, Path)), request_body = RectificationRequest,
    responses((status = 201, body = PlanView), (status = 422, body = crate::api::ApiErrors)), security(("bearer" = [])))]
pub async fn request_rectification(
    State(state): State<AppState>,
    sy: SocietyYear,
    body: Bytes,
) -> AppResult<Response> {
    sy.who.require(Action::ListAllSocieties, None)?;
    let req: RectificationRequest = parse_json(&body)?;
    service::request_rectification(&state, &sy.who, &sy.society, sy.catalogue.year, &req.reason)
        .await?;
    Ok((
        http::StatusCode::CREATED,
        Json(view(&state, &sy, PlanKind::Rectification).await?),
    )
        .into_response())
}

/// One submitted version.
#[utoipa::path(get, path = "/api/v1/societies/{code}/plans/{year}/versions/{version}", tag = "plans",
    params(("code" = String, Path), ("year" = i32, Path), ("version" = i64, Path), ("kind" = Option<String>, Query)),
    responses((status = 200, body = Object, description = "version, content, submitted_at, submitted_by, late_seconds"), (status = 404, body = crate::api::ApiErrors)), security(("bearer" = [])))]
pub async fn version(
    State(state): State<AppState>,
    sy: SocietyYear,
    Path((_, _, version)): Path<(String, String, String)>,
    Query(q): Query<PlanQuery>,
) -> AppResult<Response> {
    let n: i64 = version.parse().map_err(|_| AppError::NotFound)?;
    let found: Version<PlanBody> = view(&state, &sy, kind_of(&q)?)
        .await?
        .versions
        .into_iter()
        .find(|x| x.version == n)
        .ok_or(AppError::NotFound)?;
    Ok(Json(found).into_response())
}

#[derive(Deserialize)]
pub struct ListQuery {
    #[serde(default)]
    year: Option<String>,
    #[serde(default)]
    kind: Option<String>,
}

/// Every society's plan of a year and kind (reviewers and administrators).
#[utoipa::path(get, path = "/api/v1/plans", tag = "plans", params(("year" = Option<i32>, Query), ("kind" = Option<String>, Query)),
    responses((status = 200, body = Vec<Plan>)), security(("bearer" = [])))]
pub async fn list(
    State(state): State<AppState>,
    ctx: Ctx,
    Query(q): Query<ListQuery>,
) -> AppResult<Response> {
    let catalogue = catalogue_for(&state, q.year.as_deref()).await?;
    let kind = PlanKind::parse(q.kind.as_deref()).ok_or(AppError::NotFound)?;
    Ok(Json(service::list(&state, &ctx.principal(), catalogue.year, kind).await?).into_response())
}

/// The plan deadline of a year (public).
#[utoipa::path(get, path = "/api/v1/deadlines/{year}", tag = "plans", params(("year" = i32, Path)), responses((status = 200, body = Deadline)))]
pub async fn get_deadline(
    State(state): State<AppState>,
    Path(year): Path<String>,
) -> AppResult<Response> {
    let catalogue = catalogue_for(&state, Some(&year)).await?;
    Ok(Json(service::deadline(&state, &catalogue).await?).into_response())
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SetDeadline {
    /// Local date-time, `YYYY-MM-DDTHH:MM:SS`.
    pub local_time: String,
    /// IANA time zone, e.g. `Asia/Shanghai`.
    pub timezone: String,
}

/// Changes a year's plan deadline (administrators).
#[utoipa::path(put, path = "/api/v1/deadlines/{year}", tag = "plans", params(("year" = i32, Path)), request_body = SetDeadline,
    responses((status = 200, body = Deadline), (status = 422, body = crate::api::ApiErrors)), security(("bearer" = [])))]
pub async fn set_deadline(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(year): Path<String>,
    body: Bytes,
) -> AppResult<Response> {
    let who = ctx.principal();
    who.require(Action::LoadCatalogue, None)?;
    let req: SetDeadline = parse_json(&body)?;
    let catalogue = catalogue_for(&state, Some(&year)).await?;
    let d = service::set_deadline(&state, &who, &catalogue, &req.local_time, &req.timezone).await?;
    Ok(Json(d).into_response())
}

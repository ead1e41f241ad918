//! Monthly tracking in the API (R-TRACK-1..3): reports, colours, dashboard and rates.

use axum::Json;
use axum::body::Bytes;
use axum::extract::{Path, Query, State};
use axum::response::{IntoResponse, Response};
use reformwatch_core::tracking::{self as core, SocietyColour};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::parse_json;
use crate::AppState;
use crate::auth::policy::Action;
use crate::db::reports::{self as store, ReportReview, ReportRow, ReportVersion};
use crate::error::AppResult;
use crate::http::Ctx;
use crate::service::catalogues::get as catalogue_for;
use crate::service::dashboard::{DashQuery, DashRow};
use crate::service::rates::YearQuery;
use crate::service::reports as service;

#[derive(Serialize, ToSchema)]
pub struct ReportView {
    pub report: ReportRow,
    #[schema(value_type = Vec<Object>)]
    pub issues: Vec<reformwatch_core::plan::PlanIssue>,
    pub versions: Vec<ReportVersion>,
    pub reviews: Vec<ReportReview>,
    /// Due instant (UTC).
    pub due: String,
}

async fn view(
    state: &AppState,
    ctx: &Ctx,
    code: &str,
    year: &str,
    month: &str,
) -> AppResult<ReportView> {
    let society = crate::service::societies::readable(state, &ctx.principal(), code).await?;
    let catalogue = catalogue_for(state, Some(year)).await?;
    let m = service::parse_month(catalogue.year, month)?;
    let report = service::load(state, &society, m).await?;
    let plan = service::accepted_plan(state, society.id, catalogue.year)
        .await?
        .map(|p| p.0)
        .unwrap_or_default();
    let content: core::ReportContent =
        serde_json::from_value(report.draft.clone()).unwrap_or_default();
    Ok(ReportView {
        issues: core::validate_report(&plan, &content),
        versions: store::versions(&state.db, report.id).await?,
        reviews: store::reviews(&state.db, report.id).await?,
        due: core::report_due(&catalogue, m).to_rfc3339(),
        report,
    })
}

/// A society's report for a month: draft, issues, versions, reviews.
#[utoipa::path(get, path = "/api/v1/societies/{code}/reports/{year}/{month}", tag = "tracking", params(("code" = String, Path), ("year" = i32, Path), ("month" = u32, Path)),
    responses((status = 200, body = ReportView), (status = 404, body = crate::api::ApiErrors)), security(("bearer" = [])))]
pub async fn get_report(
    State(state): State<AppState>,
    ctx: Ctx,
    Path((code, year, month)): Path<(String, String, String)>,
) -> AppResult<Response> {
    Ok(Json(view(&state, &ctx, &code, &year, &month).await?).into_response())
}

/// Opens the month's report, pre-filled from the accepted plan and last month's report.
#[utoipa::path(post, path = "/api/v1/societies/{code}/reports/{year}/{month}", tag = "tracking", params(("code" = String, Path), ("year" = i32, Path), ("month" = u32, Path)),
    responses((status = 201, body = ReportView), (status = 422, body = crate::api::ApiErrors)), security(("bearer" = [])))]
pub async fn open(
    State(state): State<AppState>,
    ctx: Ctx,
    Path((code, year, month)): Path<(String, String, String)>,
) -> AppResult<Response> {
    let society = crate::service::societies::readable(&state, &ctx.principal(), &code).await?;
    ctx.require(Action::EditSocietyData, Some(society.id))?;
    let catalogue = catalogue_for(&state, Some(&year)).await?;
    let m = service::parse_month(catalogue.year, &month)?;
    service::open(&state, &ctx.principal(), &society, &catalogue, m).await?;
    Ok((
        http::StatusCode::CREATED,
        Json(view(&state, &ctx, &code, &year, &month).await?),
    )
        .into_response())
}

/// Replaces the draft (ReportContent JSON).
#[utoipa::path(put, path = "/api/v1/societies/{code}/reports/{year}/{month}/draft", tag = "tracking", params(("code" = String, Path), ("year" = i32, Path), ("month" = u32, Path)),
    request_body(content = Object, description = "ReportContent"), responses((status = 200, body = ReportView), (status = 422, body = crate::api::ApiErrors)), security(("bearer" = [])))]
pub async fn put_draft(
    State(state): State<AppState>,
    ctx: Ctx,
    Path((code, year, month)): Path<(String, String, String)>,
    body: Bytes,
) -> AppResult<Response> {
    let society = crate::service::societies::readable(&state, &ctx.principal(), &code).await?;
    ctx.require(Action::EditSocietyData, Some(society.id))?;
    let catalogue = catalogue_for(&state, Some(&year)).await?;
    let m = service::parse_month(catalogue.year, &month)?;
    let report = service::load(&state, &society, m).await?;
    let value: serde_json::Value = parse_json(&body)?;
    service::save_draft(&state, &ctx.principal(), &society, &report, &value).await?;
    Ok(Json(view(&state, &ctx, &code, &year, &month).await?).into_response())
}

#[derive(Serialize, ToSchema)]
pub struct ReportSubmitted {
    pub version: i64,
    pub report: ReportView,
}

/// Submits the draft as a new version (late after the due day; refused with every blocking issue).
#[utoipa::path(post, path = "/api/v1/societies/{code}/reports/{year}/{month}/submit", tag = "tracking", params(("code" = String, Path), ("year" = i32, Path), ("month" = u32, Path)),
    responses((status = 200, body = ReportSubmitted), (status = 422, body = crate::api::ApiErrors)), security(("bearer" = [])))]
pub async fn submit(
    State(state): State<AppState>,
    ctx: Ctx,
    Path((code, year, month)): Path<(String, String, String)>,
) -> AppResult<Response> {
    let society = crate::service::societies::readable(&state, &ctx.principal(), &code).await?;
    ctx.require(Action::EditSocietyData, Some(society.id))?;
    let catalogue = catalogue_for(&state, Some(&year)).await?;
    let m = service::parse_month(catalogue.year, &month)?;
    let report = service::load(&state, &society, m).await?;
    let version = service::submit(&state, &ctx.principal(), &society, &catalogue, &report).await?;
    Ok(Json(ReportSubmitted {
        version,
        report: view(&state, &ctx, &code, &year, &month).await?,
    })
    .into_response())
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ReportReviewRequest {
    /// `comment` or `return`.
    pub decision: String,
    pub comment: String,
}

/// A reviewer comments on or returns the latest submitted version.
#[utoipa::path(post, path = "/api/v1/societies/{code}/reports/{year}/{month}/review", tag = "tracking", params(("code" = String, Path), ("year" = i32, Path), ("month" = u32, Path)),
    request_body = ReportReviewRequest, responses((status = 200, body = ReportView), (status = 422, body = crate::api::ApiErrors)), security(("bearer" = [])))]
pub async fn review(
    State(state): State<AppState>,
    ctx: Ctx,
    Path((code, year, month)): Path<(String, String, String)>,
    body: Bytes,
) -> AppResult<Response> {
    ctx.require(Action::ListAllSocieties, None)?;
    let req: ReportReviewRequest = parse_json(&body)?;
    let returned = match req.decision.as_str() {
        "return" => true,
        "comment" => false,
        other => {
            return Err(crate::model::FieldError::new("decision", "err-decision")
                .arg("value", other)
                .into());
        }
    };
    let society = crate::service::societies::readable(&state, &ctx.principal(), &code).await?;
    let catalogue = catalogue_for(&state, Some(&year)).await?;
    let m = service::parse_month(catalogue.year, &month)?;
    let report = service::load(&state, &society, m).await?;
    service::review(
        &state,
        &ctx.principal(),
        &society,
        &report,
        returned,
        &req.comment,
    )
    .await?;
    Ok(Json(view(&state, &ctx, &code, &year, &month).await?).into_response())
}

/// A society's colours now (R-TRACK-3), with reasons and missing months.
#[utoipa::path(get, path = "/api/v1/societies/{code}/colours", tag = "tracking", params(("code" = String, Path), ("year" = Option<i32>, Query)),
    responses((status = 200, body = Object)), security(("bearer" = [])))]
pub async fn colours(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(code): Path<String>,
    Query(q): Query<YearQuery>,
) -> AppResult<Response> {
    let society = crate::service::societies::readable(&state, &ctx.principal(), &code).await?;
    let catalogue = catalogue_for(&state, q.year.as_deref()).await?;
    let c: SocietyColour =
        service::society_colours(&state, &society, &catalogue, state.clock.now()).await?;
    Ok(Json(c).into_response())
}

#[derive(Serialize, ToSchema)]
pub struct DashboardDto {
    pub year: i32,
    pub month: String,
    pub rows: Vec<DashRow>,
    pub received_rate: String,
    pub on_time_rate: String,
}

/// Societies × tasks for a month, coloured (the CAST dashboard).
#[utoipa::path(get, path = "/api/v1/dashboard", tag = "tracking", params(("year" = Option<i32>, Query), ("month" = Option<u32>, Query), ("group" = Option<String>, Query), ("colour" = Option<String>, Query)),
    responses((status = 200, body = DashboardDto)), security(("bearer" = [])))]
pub async fn dashboard(
    State(state): State<AppState>,
    ctx: Ctx,
    Query(q): Query<DashQuery>,
) -> AppResult<Response> {
    ctx.require(Action::ListAllSocieties, None)?;
    let d = crate::service::dashboard::dashboard_data(&state, &ctx.t(), &q).await?;
    Ok(Json(DashboardDto {
        year: d.year,
        month: d.month.to_string(),
        received_rate: core::percent_text(d.rate.received_permille()),
        on_time_rate: core::percent_text(d.rate.on_time_permille()),
        rows: d.rows,
    })
    .into_response())
}

#[derive(Serialize, ToSchema)]
pub struct RateDto {
    /// `2017-06`, a society code, or `total`.
    pub key: String,
    pub expected: u32,
    pub received: u32,
    pub on_time: u32,
    pub received_rate: String,
    pub on_time_rate: String,
}

#[derive(Serialize, ToSchema)]
pub struct RatesDto {
    pub months: Vec<RateDto>,
    pub societies: Vec<RateDto>,
    pub total: RateDto,
}

fn rate(key: String, c: &core::RateCell) -> RateDto {
    RateDto {
        key,
        expected: c.expected,
        received: c.received,
        on_time: c.on_time,
        received_rate: core::percent_text(c.received_permille()),
        on_time_rate: core::percent_text(c.on_time_permille()),
    }
}

/// Reporting rates (R-TRACK-2): per month, per society, total.
#[utoipa::path(get, path = "/api/v1/rates", tag = "tracking", params(("year" = Option<i32>, Query), ("group" = Option<String>, Query, description = "discipline group letter A–E")), responses((status = 200, body = RatesDto)), security(("bearer" = [])))]
pub async fn rates(
    State(state): State<AppState>,
    ctx: Ctx,
    Query(q): Query<YearQuery>,
) -> AppResult<Response> {
    ctx.require(Action::ListAllSocieties, None)?;
    let catalogue = catalogue_for(&state, q.year.as_deref()).await?;
    let r = crate::service::rates::rates_data(&state, &catalogue, q.group.as_deref()).await?;
    Ok(Json(RatesDto {
        months: r
            .months
            .iter()
            .map(|(m, c)| rate(m.to_string(), c))
            .collect(),
        societies: r
            .societies
            .iter()
            .map(|(s, c)| rate(s.code.clone(), c))
            .collect(),
        total: rate("total".into(), &r.total),
    })
    .into_response())
}

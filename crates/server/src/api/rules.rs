//! R-RULE-PRE and R-SOC-2 in the API: the public what-if check, a society's facts (read and
//! write, with history) and its verdicts.

use axum::Json;
use axum::body::Bytes;
use axum::extract::{Path, Query, State};
use axum::response::{IntoResponse, Response};
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::parse_json;
use crate::AppState;
use crate::db::facts::FactVersion;
use crate::error::AppResult;
use crate::http::Ctx;
use crate::model::FieldError;
use crate::service;

#[derive(Deserialize, Default)]
pub struct YearQuery {
    /// Catalogue year; default the newest.
    #[serde(default)]
    pub year: Option<String>,
}

/// One verdict (R-RULE-*).
#[derive(Serialize, ToSchema)]
pub struct VerdictDto {
    pub rule: String,
    pub task: u32,
    /// `pass` | `fail` | `warning` | `insufficient` | `not_applicable`
    pub verdict: String,
    pub explanation_zh: String,
    pub explanation_en: String,
    /// The clause the rule applies, verbatim.
    pub clause: String,
}

/// `{"year":2017,"verdicts":[…]}`
#[derive(Serialize, ToSchema)]
pub struct CheckResultDto {
    pub year: i32,
    pub verdicts: Vec<VerdictDto>,
}

/// Facts JSON: every field optional, unknown fields are an error. See `reformwatch_core::facts`.
#[derive(ToSchema)]
#[allow(dead_code)]
pub struct FactsDto {
    pub election_year: Option<bool>,
    pub members_baseline: Option<i64>,
    pub members_now: Option<i64>,
    pub fee_payers_baseline: Option<i64>,
    pub fee_payers_now: Option<i64>,
    pub council_previous: Option<i64>,
    pub council_new: Option<i64>,
    pub standing_new: Option<i64>,
    pub council_frontline: Option<i64>,
    pub standing_frontline: Option<i64>,
    pub council_cpc: Option<i64>,
    pub council_under_45: Option<i64>,
    pub council_women: Option<i64>,
    pub fulltime_staff: Option<i64>,
    pub fulltime_sg_level: Option<i64>,
    pub has_office: Option<bool>,
    pub sg_nominated_on: Option<NaiveDate>,
    pub sg_approved_on: Option<NaiveDate>,
    pub sg_appointed_on: Option<NaiveDate>,
    pub supervisory_board_elected_on: Option<NaiveDate>,
    pub party_org_established_on: Option<NaiveDate>,
    pub annual_report_published_on: Option<NaiveDate>,
    pub branches_total: Option<i64>,
    pub branches_inactive: Option<i64>,
    pub branches_dissolved: Option<i64>,
    pub directors_absent_without_reason: Option<i64>,
    pub directors_adjusted: Option<i64>,
    pub documents: Option<Vec<String>>,
}

/// The what-if check (R-RULE-PRE): facts in, verdicts out; public; nothing is saved. The same
/// check backs the page `/rules/check` and `reformwatch rules check`.
#[utoipa::path(post, path = "/api/v1/rules/check", tag = "rules", params(("year" = Option<i32>, Query, description = "catalogue year; default the newest")),
    request_body = FactsDto, responses((status = 200, body = CheckResultDto), (status = 422, body = crate::api::ApiErrors)))]
pub async fn check_facts(
    State(state): State<AppState>,
    Query(q): Query<YearQuery>,
    body: Bytes,
) -> AppResult<Response> {
    let catalogue = service::catalogues::get(&state, q.year.as_deref()).await?;
    let text = std::str::from_utf8(&body)
        .map_err(|_| FieldError::new("body", "err-json-syntax").arg("detail", "not UTF-8"))?;
    Ok(Json(service::facts::what_if(&catalogue, text)?).into_response())
}

#[derive(Serialize, ToSchema)]
pub struct SocietyFactsDto {
    pub society: String,
    pub year: i32,
    /// The registry's election flag for the year (null: not recorded).
    pub election_year: Option<bool>,
    /// Current value of each field.
    pub current: Vec<FactVersion>,
    /// Every version, oldest first per field.
    pub history: Vec<FactVersion>,
}

/// A society's facts for a year: current values and full history.
#[utoipa::path(get, path = "/api/v1/societies/{code}/facts", tag = "rules", params(("code" = String, Path), ("year" = Option<i32>, Query)),
    responses((status = 200, body = SocietyFactsDto), (status = 404, body = crate::api::ApiErrors)), security(("bearer" = [])))]
pub async fn get_facts(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(code): Path<String>,
    Query(q): Query<YearQuery>,
) -> AppResult<Response> {
    let who = ctx.principal();
    let society = service::societies::readable(&state, &who, &code).await?;
    let catalogue = service::catalogues::get(&state, q.year.as_deref()).await?;
    let (sc, _) = service::facts::verdicts(&state, &who, &society, &catalogue).await?;
    Ok(Json(SocietyFactsDto {
        society: society.code,
        year: catalogue.year,
        election_year: sc.election_year,
        current: sc.current.into_values().collect(),
        history: sc.versions,
    })
    .into_response())
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PutFacts {
    /// The date the values hold for (YYYY-MM-DD).
    pub as_of: NaiveDate,
    /// Field → new value (null clears it). Fields not named are left as they are.
    #[schema(value_type = Object)]
    pub values: serde_json::Map<String, serde_json::Value>,
}

/// Records new values (a version each; nothing is overwritten). The whole resulting set is
/// validated first (e.g. frontline members cannot exceed the council).
#[utoipa::path(put, path = "/api/v1/societies/{code}/facts", tag = "rules", params(("code" = String, Path), ("year" = Option<i32>, Query)), request_body = PutFacts,
    responses((status = 200, body = CheckResultDto), (status = 404, body = crate::api::ApiErrors), (status = 422, body = crate::api::ApiErrors)), security(("bearer" = [])))]
pub async fn put_facts(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(code): Path<String>,
    Query(q): Query<YearQuery>,
    body: Bytes,
) -> AppResult<Response> {
    let who = ctx.principal();
    let society = service::societies::readable(&state, &who, &code).await?;
    let catalogue = service::catalogues::get(&state, q.year.as_deref()).await?;
    let req: PutFacts = parse_json(&body)?;
    service::facts::record_values(&state, &who, &society, &catalogue, req.as_of, req.values)
        .await?;
    let (sc, _) = service::facts::verdicts(&state, &who, &society, &catalogue).await?;
    Ok(Json(sc.result).into_response())
}

/// A society's verdicts for a year, from its stored facts.
#[utoipa::path(get, path = "/api/v1/societies/{code}/verdicts", tag = "rules", params(("code" = String, Path), ("year" = Option<i32>, Query)),
    responses((status = 200, body = CheckResultDto), (status = 404, body = crate::api::ApiErrors)), security(("bearer" = [])))]
pub async fn verdicts(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(code): Path<String>,
    Query(q): Query<YearQuery>,
) -> AppResult<Response> {
    let who = ctx.principal();
    let society = service::societies::readable(&state, &who, &code).await?;
    let catalogue = service::catalogues::get(&state, q.year.as_deref()).await?;
    let (sc, _) = service::facts::verdicts(&state, &who, &society, &catalogue).await?;
    Ok(Json(sc.result).into_response())
}

//! R-RULE-PRE and R-SOC-2 in the API: the public what-if check, a society's facts (read and
//! write, with history) and its verdicts.

use axum::Json;
use axum::body::Bytes;
use axum::extract::{Path, Query, State};
use axum::response::{IntoResponse, Response};
use chrono::NaiveDate;
use reformwatch_core::facts::parse_facts_json;
use reformwatch_core::rules::check;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::parse_json;
use crate::auth::policy::Action;
use crate::checks::society_check;
use crate::db::facts::{self, FactChange, FactVersion};
use crate::error::AppResult;
use crate::model::FieldError;
use crate::web::facts::{YearQuery, catalogue_for};
use crate::web::{AppState, Ctx};

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
    let catalogue = catalogue_for(&state, q.year.as_deref()).await?;
    let text = std::str::from_utf8(&body)
        .map_err(|_| FieldError::new("body", "err-json-syntax").arg("detail", "not UTF-8"))?;
    let facts = parse_facts_json(text, &catalogue).map_err(|e| {
        FieldError::localized(
            e.field.as_deref().unwrap_or("body"),
            "err-facts",
            e.message_zh,
            e.message_en,
        )
    })?;
    Ok(Json(check(&catalogue, &facts)).into_response())
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
    let society = crate::web::societies::load_readable(&state, &ctx, &code).await?;
    let catalogue = catalogue_for(&state, q.year.as_deref()).await?;
    let sc = society_check(&state.db, &society, &catalogue).await?;
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
    let society = crate::web::societies::load_readable(&state, &ctx, &code).await?;
    ctx.require(Action::EditSocietyData, Some(society.id))?;
    let catalogue = catalogue_for(&state, q.year.as_deref()).await?;
    let req: PutFacts = parse_json(&body)?;
    let mut changes = Vec::new();
    for (field, value) in req.values {
        if catalogue.fact(&field).is_none() {
            return Err(FieldError::new(&field, "err-fact-unknown")
                .arg("field", &field)
                .into());
        }
        // Type-check the single value through the domain parser.
        let mut probe = serde_json::Map::new();
        probe.insert(field.clone(), value.clone());
        if let Err(e) = parse_facts_json(&serde_json::Value::Object(probe).to_string(), &catalogue)
        {
            // Part-above-whole errors need the other values; only type errors are decided here.
            if e.field.as_deref() == Some(field.as_str()) {
                return Err(
                    FieldError::localized(&field, "err-facts", e.message_zh, e.message_en).into(),
                );
            }
        }
        changes.push(FactChange {
            field,
            value: Some(value).filter(|v| !v.is_null()),
        });
    }
    facts::record(
        &state.db,
        &ctx.actor(),
        state.clock.now(),
        &society,
        &catalogue,
        req.as_of,
        "api",
        &changes,
    )
    .await?;
    let sc = society_check(&state.db, &society, &catalogue).await?;
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
    let society = crate::web::societies::load_readable(&state, &ctx, &code).await?;
    let catalogue = catalogue_for(&state, q.year.as_deref()).await?;
    let sc = society_check(&state.db, &society, &catalogue).await?;
    Ok(Json(sc.result).into_response())
}

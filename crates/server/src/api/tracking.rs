//! Progress in the API (R-TRACK-2, R-TRACK-3): a society's colours, CAST's dashboard and the
//! reporting rates — the same data as the pages.

use axum::Json;
use axum::extract::{Query, State};
use axum::response::{IntoResponse, Response};
use reformwatch_core::tracking::{self as core, SocietyColour};
use serde::Serialize;
use utoipa::ToSchema;

use crate::AppState;
use crate::error::AppResult;
use crate::http::Ctx;
use crate::http::extract::SocietyYear;
use crate::service;
use crate::service::dashboard::{DashQuery, DashRow};
use crate::service::rates::YearQuery;

/// A society's colours now (R-TRACK-3), with reasons and missing months.
#[utoipa::path(get, path = "/api/v1/societies/{code}/colours", tag = "tracking", params(("code" = String, Path), ("year" = Option<i32>, Query)),
    responses((status = 200, body = Object)), security(("bearer" = [])))]
pub async fn colours(State(state): State<AppState>, sy: SocietyYear) -> AppResult<Response> {
    let c: SocietyColour =
        service::reports::society_colours(&state, &sy.society, &sy.catalogue, state.clock.now())
            .await?;
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
    let t = ctx.t();
    let d = service::dashboard::load(&state, &ctx.principal(), &q).await?;
    Ok(Json(DashboardDto {
        year: d.catalogue.year,
        month: d.month.to_string(),
        received_rate: core::percent_text(d.rate.received_permille()),
        on_time_rate: core::percent_text(d.rate.on_time_permille()),
        rows: d
            .rows
            .iter()
            .map(|r| d.row_text(&t, &state.config.public_url, r))
            .collect(),
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
    let catalogue = service::catalogues::get(&state, q.year.as_deref()).await?;
    let r = service::rates::rates(&state, &ctx.principal(), &catalogue, q.group.as_deref()).await?;
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

//! The year's assessment results in the API (issue 12, part 2): the lifecycle (public), the
//! published results — `GET /api/v1/assessment/{year}/results` is the canonical JSON byte for
//! byte, so `sha256sum` of the body is the listed hash; `results.json`, `results.csv`
//! (`?lang=`) and `results.xlsx` are downloads — administrators' steps (show to the
//! societies, request finalisation, approve it), a society's objection and a reviewer's answer.

use axum::Json;
use axum::body::Bytes;
use axum::extract::{Path, Query, State};
use axum::response::{IntoResponse, Response};
use http::{HeaderMap, StatusCode};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::AppState;
use crate::db::assessment_results::{ObjectionRow, YearRow};
use crate::db::parse_ts;
use crate::error::{AppError, AppResult};
use crate::http::cache::{self, Cached, Freshness};
use crate::http::download::content_disposition;
use crate::http::extract::SocietyYear;
use crate::http::{Access, Ctx, RouteSpec, route};
use crate::i18n::Lang;
use crate::service::assessment_results::{self as svc, AnswerInput, Format, ObjectionInput};

/// The API's assessment-results routes (one line in `api::routes()`).
pub fn routes() -> Vec<RouteSpec> {
    use axum::routing::{get, post};
    let g = http::Method::GET;
    let p = http::Method::POST;
    vec![
        route(
            g.clone(),
            "/api/v1/assessment/{year}/status",
            Access::Public,
            get(status),
        ),
        route(
            g.clone(),
            "/api/v1/assessment/{year}/{file}",
            Access::Public,
            get(document),
        ),
        route(
            p.clone(),
            "/api/v1/assessment/{year}/show",
            Access::Admin,
            post(show),
        ),
        route(
            p.clone(),
            "/api/v1/assessment/{year}/finalise/request",
            Access::Admin,
            post(request_final),
        ),
        route(
            p.clone(),
            "/api/v1/assessment/{year}/finalise/approve",
            Access::Admin,
            post(approve),
        ),
        route(
            g.clone(),
            "/api/v1/assessment/{year}/objections",
            Access::Staff,
            get(all_objections),
        ),
        route(
            p.clone(),
            "/api/v1/objections/{id}/answer",
            Access::Staff,
            post(answer),
        ),
        route(
            g,
            "/api/v1/societies/{code}/assessment/{year}/objections",
            Access::SocietyScoped,
            get(society_objections),
        ),
        route(
            p,
            "/api/v1/societies/{code}/assessment/{year}/objections",
            Access::SocietyEdit,
            post(file_objection),
        ),
    ]
}

/// Where a year's assessment stands.
#[derive(Serialize, ToSchema)]
pub struct StatusDto {
    pub year: i32,
    /// `open`, `shown` (objections accepted until `objection_deadline`), `requested`
    /// (finalisation asked for, awaiting a second administrator) or `final`.
    pub state: String,
    /// RFC 3339 UTC.
    pub shown_at: Option<String>,
    /// RFC 3339 UTC: the last instant an objection is accepted (end of the Beijing day).
    pub objection_deadline: Option<String>,
    /// SHA-256 of the published results (`final` only).
    pub sha256: Option<String>,
}

fn status_dto(year: i32, row: Option<&YearRow>, sha256: Option<String>) -> StatusDto {
    StatusDto {
        year,
        state: row.map_or_else(|| "open".to_owned(), |r| r.state.clone()),
        shown_at: row.map(|r| r.shown_at.clone()),
        objection_deadline: row.map(|r| r.objection_deadline.clone()),
        sha256,
    }
}

fn year_of(raw: &str) -> AppResult<i32> {
    raw.trim().parse().map_err(|_| AppError::NotFound)
}

/// The year's lifecycle (public).
#[utoipa::path(get, path = "/api/v1/assessment/{year}/status", tag = "assessment",
    params(("year" = i32, Path)),
    responses((status = 200, body = StatusDto)))]
pub async fn status(
    State(state): State<AppState>,
    Path(year): Path<String>,
) -> AppResult<Response> {
    let year = year_of(&year)?;
    let life = svc::lifecycle(&state, year).await?;
    let sha = if life.state() == "final" {
        svc::published(&state, year).await?.map(|p| p.header.sha256)
    } else {
        None
    };
    Ok(Json(status_dto(year, life.row.as_ref(), sha)).into_response())
}

#[derive(Deserialize, Default)]
pub struct DownloadQuery {
    /// Headers' language for .csv / .xlsx: `zh` (default) or `en`.
    #[serde(default)]
    pub lang: Option<String>,
}

/// The published results (public): `results` is the canonical JSON exactly as hashed;
/// `results.json` the same as a download; `results.csv` and `results.xlsx` the table. ETag
/// is the hash; a matching If-None-Match answers 304. 404 before publication.
#[utoipa::path(get, path = "/api/v1/assessment/{year}/{file}", tag = "assessment",
    params(("year" = i32, Path), ("file" = String, Path, description = "`results`, `results.json`, `results.csv` or `results.xlsx`"),
        ("lang" = Option<String>, Query)),
    responses((status = 200, description = "the canonical JSON, or a download"), (status = 304), (status = 404, body = crate::api::ApiErrors)))]
pub async fn document(
    State(state): State<AppState>,
    Path((year, file)): Path<(String, String)>,
    Query(q): Query<DownloadQuery>,
    headers: HeaderMap,
) -> AppResult<Response> {
    let year = year_of(&year)?;
    let (format, attachment) = match file.as_str() {
        "results" => (Format::Json, false),
        "results.json" => (Format::Json, true),
        "results.csv" => (Format::Csv, true),
        "results.xlsx" => (Format::Xlsx, true),
        _ => return Err(AppError::NotFound),
    };
    let lang = match q.lang.as_deref() {
        Some("en") => Lang::En,
        _ => Lang::Zh,
    };
    let p = svc::published(&state, year)
        .await?
        .ok_or(AppError::NotFound)?;
    let (content_type, name, bytes) = svc::download(&p, format, lang)?;
    let tag = match format {
        Format::Json => format!("\"{}\"", p.header.sha256),
        Format::Csv => format!("\"{}-csv-{}\"", p.header.sha256, lang.code()),
        Format::Xlsx => format!("\"{}-xlsx-{}\"", p.header.sha256, lang.code()),
    };
    let disposition = content_disposition(&name);
    Ok(cache::respond(
        &headers,
        &Cached {
            etag: &tag,
            last_modified: parse_ts(&p.header.published_at),
            freshness: Freshness::Immutable,
            content_type,
            disposition: attachment.then_some(disposition.as_str()),
        },
        bytes,
    ))
}

/// Show the year's results to the societies: the objection window opens (administrators).
#[utoipa::path(post, path = "/api/v1/assessment/{year}/show", tag = "assessment",
    params(("year" = i32, Path)),
    responses((status = 200, body = StatusDto), (status = 422, body = crate::api::ApiErrors)),
    security(("bearer" = [])))]
pub async fn show(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(year): Path<String>,
) -> AppResult<Response> {
    let year = year_of(&year)?;
    let row = svc::show(&state, &ctx.principal(), year).await?;
    Ok(Json(status_dto(year, Some(&row), None)).into_response())
}

/// Ask to finalise the year (administrators; after the window, every objection answered).
/// A second administrator approves.
#[utoipa::path(post, path = "/api/v1/assessment/{year}/finalise/request", tag = "assessment",
    params(("year" = i32, Path)),
    responses((status = 200, body = StatusDto), (status = 422, body = crate::api::ApiErrors)),
    security(("bearer" = [])))]
pub async fn request_final(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(year): Path<String>,
) -> AppResult<Response> {
    let year = year_of(&year)?;
    let row = svc::request_final(&state, &ctx.principal(), year).await?;
    Ok(Json(status_dto(year, Some(&row), None)).into_response())
}

/// A published result in the API.
#[derive(Serialize, ToSchema)]
pub struct PublishedDto {
    pub number: u32,
    pub year: i32,
    /// RFC 3339 UTC, as in the document.
    pub published_at: String,
    /// SHA-256 of the canonical bytes (`GET /api/v1/assessment/{year}/results`).
    pub sha256: String,
    pub prev_sha256: Option<String>,
}

/// Approve the finalisation (a second administrator: the requester is refused). The results
/// are computed from the current data, frozen and published; answers 201.
#[utoipa::path(post, path = "/api/v1/assessment/{year}/finalise/approve", tag = "assessment",
    params(("year" = i32, Path)),
    responses((status = 201, body = PublishedDto), (status = 422, body = crate::api::ApiErrors)),
    security(("bearer" = [])))]
pub async fn approve(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(year): Path<String>,
) -> AppResult<Response> {
    let year = year_of(&year)?;
    let h = svc::finalise(&state, &ctx.principal(), year).await?;
    Ok((
        StatusCode::CREATED,
        Json(PublishedDto {
            number: h.number,
            year: h.year,
            published_at: h.published_at,
            sha256: h.sha256,
            prev_sha256: h.prev_sha256,
        }),
    )
        .into_response())
}

/// An objection.
#[derive(Serialize, ToSchema)]
pub struct ObjectionDto {
    pub id: i64,
    pub year: i32,
    pub reason: String,
    pub evidence_id: Option<i64>,
    /// RFC 3339 UTC.
    pub filed_at: String,
    pub answer: Option<String>,
    /// Whether the results were changed in answer.
    pub changed: Option<bool>,
    pub answered_at: Option<String>,
    /// The change the answer caused, with its own reason.
    pub change: Option<ChangeDto>,
    /// Unanswered objections (staff): the changes an answer may name, as `change` keys.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub change_candidates: Option<Vec<ChangeDto>>,
}

/// A change of a society's assessment (an acceptance decision, a deduction or bonus given or
/// withdrawn).
#[derive(Serialize, ToSchema)]
pub struct ChangeDto {
    /// `kind:id`, as an answer names it.
    pub key: String,
    /// `acceptance` | `adjustment` | `withdrawal`.
    pub kind: String,
    pub id: i64,
    pub what_zh: String,
    pub what_en: String,
    pub reason: String,
    pub by: String,
    /// RFC 3339 UTC.
    pub at: String,
}

fn change_dto(c: &svc::ChangeRef) -> ChangeDto {
    ChangeDto {
        key: c.key(),
        kind: c.kind.clone(),
        id: c.id,
        what_zh: c.what.zh.clone(),
        what_en: c.what.en.clone(),
        reason: c.reason.clone(),
        by: c.by.clone(),
        at: c.at.clone(),
    }
}

fn objection_dto(o: &ObjectionRow, changes: &svc::ObjectionChanges, staff: bool) -> ObjectionDto {
    ObjectionDto {
        id: o.id,
        year: o.year,
        reason: o.reason.clone(),
        evidence_id: o.evidence_id,
        filed_at: o.filed_at.clone(),
        answer: o.answer.clone(),
        changed: o.changed,
        answered_at: o.answered_at.clone(),
        change: changes.linked.get(&o.id).map(change_dto),
        change_candidates: staff
            .then(|| changes.candidates.get(&o.id))
            .flatten()
            .map(|v| v.iter().map(change_dto).collect()),
    }
}

async fn dtos(
    state: &AppState,
    year: i32,
    rows: &[ObjectionRow],
    staff: bool,
) -> AppResult<Vec<ObjectionDto>> {
    let changes = svc::objection_changes(state, year, rows).await?;
    Ok(rows
        .iter()
        .map(|o| objection_dto(o, &changes, staff))
        .collect())
}

/// Every objection of the year (administrators and reviewers).
#[utoipa::path(get, path = "/api/v1/assessment/{year}/objections", tag = "assessment",
    params(("year" = i32, Path)),
    responses((status = 200, body = Vec<ObjectionDto>)),
    security(("bearer" = [])))]
pub async fn all_objections(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(year): Path<String>,
) -> AppResult<Response> {
    let year = year_of(&year)?;
    let rows = svc::objections(&state, &ctx.principal(), year, None).await?;
    Ok(Json(dtos(&state, year, &rows, true).await?).into_response())
}

/// A society's own objections.
#[utoipa::path(get, path = "/api/v1/societies/{code}/assessment/{year}/objections", tag = "assessment",
    params(("code" = String, Path), ("year" = i32, Path)),
    responses((status = 200, body = Vec<ObjectionDto>)),
    security(("bearer" = [])))]
pub async fn society_objections(
    State(state): State<AppState>,
    sy: SocietyYear,
) -> AppResult<Response> {
    let rows = svc::objections(&state, &sy.who, sy.catalogue.year, Some(&sy.society)).await?;
    let staff = sy
        .who
        .may(crate::auth::policy::Action::AnswerObjection, None);
    Ok(Json(dtos(&state, sy.catalogue.year, &rows, staff).await?).into_response())
}

/// `{"reason":"…","evidence_id":12}`.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ObjectionBody {
    pub reason: String,
    /// An evidence file of the same society.
    #[serde(default)]
    pub evidence_id: Option<i64>,
}

/// File an objection while the window is open (the society's editors). 201.
#[utoipa::path(post, path = "/api/v1/societies/{code}/assessment/{year}/objections", tag = "assessment",
    params(("code" = String, Path), ("year" = i32, Path)), request_body = ObjectionBody,
    responses((status = 201, body = ObjectionDto), (status = 422, body = crate::api::ApiErrors)),
    security(("bearer" = [])))]
pub async fn file_objection(
    State(state): State<AppState>,
    sy: SocietyYear,
    body: Bytes,
) -> AppResult<Response> {
    let b = crate::api::parse_json::<ObjectionBody>(&body)?;
    let o = svc::file_objection(
        &state,
        &sy.who,
        &sy.society,
        sy.catalogue.year,
        &ObjectionInput {
            reason: b.reason,
            evidence_id: b.evidence_id,
        },
    )
    .await?;
    let dto = dtos(&state, o.year, std::slice::from_ref(&o), false)
        .await?
        .pop()
        .ok_or_else(|| anyhow::anyhow!("objection {} vanished", o.id))?;
    Ok((StatusCode::CREATED, Json(dto)).into_response())
}

/// `{"answer":"…","change":"acceptance:12"}`: `change` names the change the answer caused
/// (one of the objection's `change_candidates`: a change of the society made since the
/// objection was filed); `"changed":true` without a `change` is refused (field `change`).
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct AnswerBody {
    pub answer: String,
    #[serde(default)]
    pub changed: bool,
    #[serde(default)]
    pub change: Option<String>,
}

/// Answer an objection, once (administrators and reviewers).
#[utoipa::path(post, path = "/api/v1/objections/{id}/answer", tag = "assessment",
    params(("id" = i64, Path)), request_body = AnswerBody,
    responses((status = 200, body = ObjectionDto), (status = 404, body = crate::api::ApiErrors), (status = 422, body = crate::api::ApiErrors)),
    security(("bearer" = [])))]
pub async fn answer(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
    body: Bytes,
) -> AppResult<Response> {
    let id: i64 = id.trim().parse().map_err(|_| AppError::NotFound)?;
    let b = crate::api::parse_json::<AnswerBody>(&body)?;
    let o = svc::answer_objection(
        &state,
        &ctx.principal(),
        id,
        &AnswerInput {
            answer: b.answer,
            changed: b.changed,
            change: b.change,
        },
    )
    .await?;
    let dto = dtos(&state, o.year, std::slice::from_ref(&o), true)
        .await?
        .pop()
        .ok_or_else(|| anyhow::anyhow!("objection {} vanished", o.id))?;
    Ok(Json(dto).into_response())
}

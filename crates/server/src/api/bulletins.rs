//! Monitoring bulletins in the API (R-PUB-1, R-PUB-2): administrators preview and publish;
//! anyone lists them and downloads each one — `GET /api/v1/bulletins/{number}` is the canonical
//! JSON byte for byte, so `sha256sum` of the body is the listed hash; `{number}.json`,
//! `{number}.csv` (`?table=`, `?lang=`) and `{number}.xlsx` are the downloads.

use axum::Json;
use axum::body::Bytes;
use axum::extract::{Path, Query, State};
use axum::response::{IntoResponse, Response};
use http::{HeaderMap, StatusCode};
use reformwatch_core::publish::{Correction, canonical_bytes};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::AppState;
use crate::db::bulletins::BulletinRow;
use crate::db::parse_ts;
use crate::error::{AppError, AppResult};
use crate::http::cache::{self, Cached, Freshness};
use crate::http::download::content_disposition;
use crate::http::{Access, Ctx, RouteSpec, route};
use crate::i18n::Lang;
use crate::service::bulletins::{self as svc, Format, PublishRequest};

/// The API's bulletin routes (one line in `api::routes()`).
pub fn routes() -> Vec<RouteSpec> {
    use axum::routing::{get, post};
    vec![
        route(
            http::Method::GET,
            "/api/v1/bulletins",
            Access::Public,
            get(list),
        ),
        route(
            http::Method::POST,
            "/api/v1/bulletins",
            Access::Admin,
            post(publish),
        ),
        route(
            http::Method::POST,
            "/api/v1/bulletins/preview",
            Access::Admin,
            post(preview),
        ),
        route(
            http::Method::GET,
            "/api/v1/bulletins/{file}",
            Access::Public,
            get(document),
        ),
    ]
}

/// `{"year":2017,"month":7}`; a correction adds `corrects` and the notes in both languages.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PublishBody {
    pub year: i32,
    pub month: u32,
    /// Earlier bulletin numbers this one corrects.
    #[serde(default)]
    pub corrects: Vec<u32>,
    /// Why (Chinese), required with `corrects`.
    #[serde(default)]
    pub correction_note_zh: Option<String>,
    /// Why (English), required with `corrects`.
    #[serde(default)]
    pub correction_note_en: Option<String>,
}

impl PublishBody {
    fn request(self) -> PublishRequest {
        let correction = (!self.corrects.is_empty()
            || self.correction_note_zh.is_some()
            || self.correction_note_en.is_some())
        .then(|| Correction {
            corrects: self.corrects,
            note_zh: self.correction_note_zh.unwrap_or_default(),
            note_en: self.correction_note_en.unwrap_or_default(),
        });
        PublishRequest {
            year: self.year,
            month: self.month,
            correction,
        }
    }
}

/// A bulletin in the public list.
#[derive(Serialize, ToSchema)]
pub struct BulletinDto {
    pub number: u32,
    pub year: i32,
    pub month: u32,
    /// RFC 3339 UTC, as in the document.
    pub published_at: String,
    /// SHA-256 of the canonical bytes (`GET /api/v1/bulletins/{number}`).
    pub sha256: String,
    pub prev_sha256: Option<String>,
    /// Earlier numbers this one corrects.
    pub corrects: Vec<u32>,
    pub correction_note_zh: Option<String>,
    pub correction_note_en: Option<String>,
}

fn dto(h: &BulletinRow) -> BulletinDto {
    BulletinDto {
        number: h.number,
        year: h.year,
        month: h.month,
        published_at: h.published_at.clone(),
        sha256: h.sha256.clone(),
        prev_sha256: h.prev_sha256.clone(),
        corrects: h.corrects.clone(),
        correction_note_zh: h.correction_note_zh.clone(),
        correction_note_en: h.correction_note_en.clone(),
    }
}

/// Every published bulletin with its hash and chain link (public).
#[utoipa::path(get, path = "/api/v1/bulletins", tag = "bulletins",
    responses((status = 200, body = Vec<BulletinDto>)))]
pub async fn list(State(state): State<AppState>) -> AppResult<Response> {
    let rows = svc::list(&state).await?;
    Ok(Json(rows.iter().map(dto).collect::<Vec<_>>()).into_response())
}

/// Publish bulletin 第N期 for a month (administrators). Answers 201 with its list entry.
#[utoipa::path(post, path = "/api/v1/bulletins", tag = "bulletins", request_body = PublishBody,
    responses((status = 201, body = BulletinDto), (status = 422, body = crate::api::ApiErrors)),
    security(("bearer" = [])))]
pub async fn publish(State(state): State<AppState>, ctx: Ctx, body: Bytes) -> AppResult<Response> {
    let req = crate::api::parse_json::<PublishBody>(&body)?.request();
    let h = svc::publish(&state, &ctx.principal(), &req).await?;
    Ok((StatusCode::CREATED, Json(dto(&h))).into_response())
}

/// What the bulletin would be if published now (administrators; nothing is stored). The
/// body is the document in canonical form.
#[utoipa::path(post, path = "/api/v1/bulletins/preview", tag = "bulletins", request_body = PublishBody,
    responses((status = 200, body = Object), (status = 422, body = crate::api::ApiErrors)),
    security(("bearer" = [])))]
pub async fn preview(State(state): State<AppState>, ctx: Ctx, body: Bytes) -> AppResult<Response> {
    let req = crate::api::parse_json::<PublishBody>(&body)?.request();
    let b = svc::preview(&state, &ctx.principal(), &req).await?;
    let bytes = canonical_bytes(&b).map_err(|e| anyhow::anyhow!("preview: {e}"))?;
    Ok(([(http::header::CONTENT_TYPE, "application/json")], bytes).into_response())
}

#[derive(Deserialize, Default)]
pub struct DownloadQuery {
    /// CSV: `societies` (default), `matrix`, `groups`, `tasks`, `lagging`.
    #[serde(default)]
    pub table: Option<String>,
    /// Headers' language for .csv / .xlsx: `zh` (default) or `en`.
    #[serde(default)]
    pub lang: Option<String>,
}

/// One bulletin (public): `{number}` is the canonical JSON exactly as hashed; `{number}.json`
/// the same as a download; `{number}.csv` one table; `{number}.xlsx` every table. ETag is the
/// hash; a matching If-None-Match answers 304.
#[utoipa::path(get, path = "/api/v1/bulletins/{file}", tag = "bulletins",
    params(("file" = String, Path, description = "`3`, `3.json`, `3.csv` or `3.xlsx`"),
        ("table" = Option<String>, Query), ("lang" = Option<String>, Query)),
    responses((status = 200, description = "the canonical JSON, or a download"), (status = 304), (status = 404, body = crate::api::ApiErrors)))]
pub async fn document(
    State(state): State<AppState>,
    Path(file): Path<String>,
    Query(q): Query<DownloadQuery>,
    headers: HeaderMap,
) -> AppResult<Response> {
    let (number, format, attachment) = match file.split_once('.') {
        None => (file.as_str(), Format::Json, false),
        Some((n, "json")) => (n, Format::Json, true),
        Some((n, "csv")) => (n, Format::Csv, true),
        Some((n, "xlsx")) => (n, Format::Xlsx, true),
        Some(_) => return Err(AppError::NotFound),
    };
    let number: u32 = number.parse().map_err(|_| AppError::NotFound)?;
    let lang = match q.lang.as_deref() {
        Some("en") => Lang::En,
        _ => Lang::Zh,
    };
    let stored = svc::get(&state, number).await?;
    let tag = match format {
        Format::Json => format!("\"{}\"", stored.header.sha256),
        Format::Csv => format!(
            "\"{}-csv-{}-{}\"",
            stored.header.sha256,
            lang.code(),
            q.table.as_deref().unwrap_or("societies")
        ),
        Format::Xlsx => format!("\"{}-xlsx-{}\"", stored.header.sha256, lang.code()),
    };
    let (content_type, name) = svc::download_name(number, format, q.table.as_deref());
    // Made (and gzip-compressed) once per bulletin, format, table and language; a workbook is
    // a zip already and is not compressed again.
    let body = cache::kept(&tag, format != Format::Xlsx, || {
        svc::download(&stored, format, lang, q.table.as_deref()).map(|(_, _, bytes)| bytes)
    })?;
    let disposition = content_disposition(&name);
    Ok(cache::respond_variants(
        &headers,
        &Cached {
            etag: &tag,
            last_modified: parse_ts(&stored.header.published_at),
            freshness: Freshness::Immutable,
            content_type,
            disposition: attachment.then_some(disposition.as_str()),
        },
        &body,
    ))
}

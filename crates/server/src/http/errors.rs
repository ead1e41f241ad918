//! Error rendering for both siblings: an HTML page for pages (unauthenticated page requests go
//! to the login page and come back) and the JSON envelope for the API
//! (`{"errors":[{"code","message","field"}]}`). Internal details are logged, never sent.

use askama::Template;
use axum::Json;
use axum::response::{IntoResponse, Redirect, Response};
use http::StatusCode;
use http::header::{HeaderValue, RETRY_AFTER};
use serde::Serialize;

use super::context::Ctx;
use super::page::Page;
use crate::error::AppError;
use crate::i18n::{Lang, Messages};

#[derive(Template)]
#[template(path = "error.html")]
struct ErrorPage {
    page: Page,
    heading: String,
    message: String,
}

pub fn status_of(err: &AppError) -> StatusCode {
    match err {
        AppError::NotFound => StatusCode::NOT_FOUND,
        AppError::Unauthorized => StatusCode::UNAUTHORIZED,
        AppError::Forbidden | AppError::CsrfRejected => StatusCode::FORBIDDEN,
        AppError::Invalid(_) => StatusCode::UNPROCESSABLE_ENTITY,
        AppError::TooManyRequests { .. } => StatusCode::TOO_MANY_REQUESTS,
        AppError::Busy { .. } => StatusCode::SERVICE_UNAVAILABLE,
        AppError::PayloadTooLarge | AppError::FileTooLarge { .. } => StatusCode::PAYLOAD_TOO_LARGE,
        AppError::UnsupportedMediaType => StatusCode::UNSUPPORTED_MEDIA_TYPE,
        AppError::MethodNotAllowed => StatusCode::METHOD_NOT_ALLOWED,
        AppError::DbBusy(_) => StatusCode::SERVICE_UNAVAILABLE,
        AppError::Internal(_) | AppError::Unreadable { .. } => StatusCode::INTERNAL_SERVER_ERROR,
    }
}

pub fn error_key(err: &AppError) -> &'static str {
    match err {
        AppError::NotFound => "not-found",
        AppError::Unauthorized => "unauthorized",
        AppError::Forbidden => "forbidden",
        AppError::CsrfRejected => "csrf",
        AppError::Invalid(_) => "invalid",
        AppError::TooManyRequests { .. } => "too-many",
        AppError::Busy { .. } => "busy",
        AppError::PayloadTooLarge | AppError::FileTooLarge { .. } => "too-large",
        AppError::Unreadable { .. } => "unreadable",
        AppError::UnsupportedMediaType => "unsupported-media",
        AppError::MethodNotAllowed => "method-not-allowed",
        AppError::DbBusy(_) => "db-busy",
        AppError::Internal(_) => "internal",
    }
}

pub fn html_error(err: &AppError, lang: Lang, path: &str, ctx: Option<&Ctx>) -> Response {
    log(err, path);
    if matches!(err, AppError::Unauthorized) {
        let next = percent_encoding::utf8_percent_encode(path, percent_encoding::NON_ALPHANUMERIC)
            .to_string();
        return Redirect::to(&format!("/login?next={next}")).into_response();
    }
    // A minimal context: the error page must render even when the request context is missing.
    let ctx = ctx.cloned().unwrap_or(Ctx {
        lang,
        user: None,
        session_id: None,
        via_token: false,
        demo: None,
        ip: String::new(),
        path: path.to_string(),
        is_api: false,
        year: crate::db::catalogues::BUILTIN_YEAR,
    });
    let key = error_key(err);
    let t = ctx.t();
    let mut message = t.t(&format!("error-{key}-text"));
    if let AppError::FileTooLarge { limit, quota } = err {
        message = too_large_text(&t, *limit, *quota);
    }
    if let AppError::Unreadable {
        what_zh, what_en, ..
    } = err
    {
        message = message.replace("{what}", t.pick(what_zh, what_en));
    }
    if let AppError::Invalid(fields) = err {
        let details: Vec<String> = fields.iter().map(|f| t.field(f)).collect();
        message = format!("{message} {}", crate::present::sentences(details));
    }
    let page = ErrorPage {
        page: Page::new(&ctx, t.t(&format!("error-{key}"))),
        heading: t.t(&format!("error-{key}")),
        message,
    };
    let html = page.render().unwrap_or_else(|_| "error".to_string());
    let mut resp = (status_of(err), axum::response::Html(html)).into_response();
    retry_after(err, &mut resp);
    resp
}

/// `Retry-After` on a refusal that names when to come back: throttled logins, the heavy-request
/// limit, and a busy database (one second).
fn retry_after(err: &AppError, resp: &mut Response) {
    let secs = match err {
        AppError::TooManyRequests { retry_after_secs } | AppError::Busy { retry_after_secs } => {
            *retry_after_secs
        }
        AppError::DbBusy(_) => 1,
        _ => return,
    };
    if let Ok(v) = HeaderValue::from_str(&secs.to_string()) {
        resp.headers_mut().insert(RETRY_AFTER, v);
    }
}

/// Internal errors and unreadable rows are logged with their detail (never sent to the client).
fn log(err: &AppError, path: &str) {
    match err {
        AppError::Internal(e) => {
            tracing::error!(http.path = %path, error = %format!("{e:#}"), "internal error");
        }
        AppError::Unreadable { .. } => {
            tracing::error!(http.path = %path, error = %err, "stored data unreadable");
        }
        AppError::DbBusy(detail) => {
            tracing::warn!(http.path = %path, error = %detail, "database busy, answered 503");
        }
        _ => {}
    }
}

pub async fn not_found() -> AppError {
    AppError::NotFound
}

/// "The file exceeds the 20 MB limit" / "the society's 500 MB of evidence storage is used up".
pub fn too_large_text(t: &crate::i18n::T, limit: u64, quota: bool) -> String {
    let mb = limit.div_ceil(1024 * 1024).to_string();
    t.t(if quota {
        "err-quota"
    } else {
        "err-file-too-large"
    })
    .replace("{mb}", &mb)
}

#[derive(Serialize, utoipa::ToSchema)]
pub struct ApiError {
    /// Machine code: `not_found`, `unauthorized`, `forbidden`, `csrf`, `invalid`, `too_many`,
    /// `busy` (503, heavy requests at their limit; see `Retry-After`), `too_large`, `unreadable`, `internal`, or a field-level code such as
    /// `err-username-taken`.
    pub code: String,
    /// Human-readable message in the caller's language (Accept-Language / language cookie).
    pub message: String,
    /// The offending field, for input errors.
    pub field: Option<String>,
}

#[derive(Serialize, utoipa::ToSchema)]
pub struct ApiErrors {
    pub errors: Vec<ApiError>,
}

/// The JSON envelope of an error (API requests).
pub fn json_error(err: &AppError, lang: Lang) -> Response {
    log(err, "api");
    let m = Messages::global();
    let key = error_key(err);
    let errors = match err {
        AppError::Invalid(fields) => fields
            .iter()
            .map(|f| ApiError {
                code: f.key.trim_start_matches("err-").to_string(),
                message: m.field_error(lang, f),
                field: Some(f.field.clone()),
            })
            .collect(),
        AppError::Unreadable {
            what_zh, what_en, ..
        } => vec![ApiError {
            code: key.replace('-', "_"),
            message: m
                .get(lang, &format!("error-{key}-text"))
                .replace("{what}", if lang.is_en() { what_en } else { what_zh }),
            field: None,
        }],
        _ => vec![ApiError {
            code: key.replace('-', "_"),
            message: m.get(lang, &format!("error-{key}-text")).to_string(),
            field: None,
        }],
    };
    let mut resp = (status_of(err), Json(ApiErrors { errors })).into_response();
    retry_after(err, &mut resp);
    resp
}

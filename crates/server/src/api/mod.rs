//! JSON API under `/api/v1` (R-X-3), described by an OpenAPI 3 document generated from the
//! code (utoipa). Errors share one envelope:
//! `{"errors":[{"code":"invalid","message":"…","field":"name"}]}`.

pub mod audit;
pub mod catalogues;
pub mod plans;
pub mod reports;
pub mod rules;
pub mod societies;
pub mod users;

use axum::Json;
use axum::body::Bytes;
use axum::response::{IntoResponse, Response};
use http::header::{HeaderValue, RETRY_AFTER};
use serde::Serialize;
use serde::de::DeserializeOwned;
use utoipa::OpenApi;

use crate::error::AppError;
use crate::i18n::{Lang, Messages};
use crate::model::FieldError;
use crate::web::errors::{error_key, status_of};

#[derive(Serialize, utoipa::ToSchema)]
pub struct ApiError {
    /// Machine code: `not_found`, `unauthorized`, `forbidden`, `csrf`, `invalid`, `too_many`,
    /// `too_large`, `internal`, or a field-level code such as `err-username-taken`.
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

pub fn error_response(err: &AppError, lang: Lang) -> Response {
    if let AppError::Internal(e) = err {
        tracing::error!(error = %format!("{e:#}"), "internal error (api)");
    }
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
        _ => vec![ApiError {
            code: key.replace('-', "_"),
            message: m.get(lang, &format!("error-{key}-text")).to_string(),
            field: None,
        }],
    };
    let mut resp = (status_of(err), Json(ApiErrors { errors })).into_response();
    if let AppError::TooManyRequests { retry_after_secs } = err
        && let Ok(v) = HeaderValue::from_str(&retry_after_secs.to_string())
    {
        resp.headers_mut().insert(RETRY_AFTER, v);
    }
    resp
}

/// Parses a JSON body into `T`, turning serde's complaint into a field error the caller can
/// act on (unknown field, wrong type, missing field).
pub fn parse_json<T: DeserializeOwned>(body: &Bytes) -> Result<T, AppError> {
    let mut de = serde_json::Deserializer::from_slice(body);
    let result: Result<T, _> = serde_path_to_error::deserialize(&mut de);
    result.map_err(|e| {
        let path = e.path().to_string();
        let inner = e.into_inner();
        let msg = inner.to_string();
        let (field, key) = if let Some(rest) = msg.strip_prefix("unknown field `") {
            (
                rest.split('`').next().unwrap_or("").to_string(),
                "err-json-unknown-field",
            )
        } else if let Some(rest) = msg.strip_prefix("missing field `") {
            (
                rest.split('`').next().unwrap_or("").to_string(),
                "err-json-missing-field",
            )
        } else if inner.is_syntax() || inner.is_eof() {
            (String::new(), "err-json-syntax")
        } else {
            (path.clone(), "err-json-type")
        };
        let field = if field.is_empty() || field == "." {
            path
        } else {
            field
        };
        AppError::Invalid(vec![
            FieldError::new(&field, key)
                .arg("field", &field)
                .arg("detail", msg.split(" at line").next().unwrap_or(&msg)),
        ])
    })
}

#[derive(OpenApi)]
#[openapi(
    info(title = "ReformWatch API", description = "学会改革监测考核平台 — JSON API (R-X-3). Authenticate scripts with `Authorization: Bearer <token>` (create tokens on the account page)."),
    paths(
        catalogues::list, catalogues::get_year, catalogues::load,
        societies::list, societies::get_one, societies::create, societies::update,
        users::list, users::create, users::update, users::me,
        audit::list,
        rules::check_facts, rules::get_facts, rules::put_facts, rules::verdicts,
        plans::get_plan, plans::open, plans::put_draft, plans::submit, plans::review, plans::request_rectification,
        plans::version, plans::list, plans::get_deadline, plans::set_deadline, plans::notifications, plans::mark_read,
        reports::get_report, reports::open, reports::put_draft, reports::submit, reports::review, reports::colours, reports::dashboard, reports::rates,
    ),
    components(schemas(ApiErrors, ApiError)),
    modifiers(&BearerAuth),
)]
pub struct ApiDoc;

struct BearerAuth;
impl utoipa::Modify for BearerAuth {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme};
        let components = openapi.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "bearer",
            SecurityScheme::Http(HttpBuilder::new().scheme(HttpAuthScheme::Bearer).build()),
        );
    }
}

pub async fn openapi_json() -> Response {
    Json(ApiDoc::openapi()).into_response()
}

//! JSON API under `/api/v1` (R-X-3), described by an OpenAPI 3 document generated from the
//! code (utoipa). Each handler parses its input, calls one service function and answers JSON.
//! Errors share one envelope (rendered in `http::errors`):
//! `{"errors":[{"code":"invalid","message":"…","field":"name"}]}`.

pub mod assessment;
pub mod assessment_results;
pub mod audit;
pub mod bulletins;
pub mod catalogues;
pub mod drafts;
pub mod evidence;
pub mod notifications;
pub mod operations;
pub mod plans;
pub mod report_queue;
pub mod reports;
pub mod rules;
pub mod societies;
pub mod tracking;
pub mod users;
pub mod years;

use axum::Json;
use axum::body::Bytes;
use axum::extract::DefaultBodyLimit;
use axum::response::{IntoResponse, Response};
use http::Method;
use serde::de::DeserializeOwned;
use utoipa::OpenApi;

use crate::error::AppError;
pub use crate::http::errors::{ApiError, ApiErrors};
use crate::http::{Access, RouteSpec, route};
use drafts::CommentLimits;

/// Parses a JSON body into `T`, turning serde's complaint into a field error the caller can
/// act on (unknown field, wrong type, missing field).
pub fn parse_json<T: DeserializeOwned>(body: &Bytes) -> Result<T, AppError> {
    crate::json::parse(body)
}

#[derive(OpenApi)]
#[openapi(
    info(title = "ReformWatch API", description = "学会改革监测考核平台 — JSON API (R-X-3). Authenticate scripts with `Authorization: Bearer <token>` (create tokens on the account page)."),
    paths(
        catalogues::list, catalogues::get_year, catalogues::load,
        years::start, years::list, years::draft,
        societies::list, societies::get_one, societies::create, societies::update,
        users::list, users::create, users::update, users::me,
        audit::list,
        rules::check_facts, rules::get_facts, rules::put_facts, rules::verdicts, rules::judge,
        plans::get_plan, plans::open, plans::put_draft, plans::submit, plans::review, plans::request_rectification,
        plans::version, plans::list, plans::get_deadline, plans::set_deadline,
        notifications::notifications, notifications::mark_read, notifications::mark_all_read,
        reports::get_report, reports::open, reports::put_draft, reports::submit, reports::review, reports::accept,
        report_queue::queue,
        tracking::colours, tracking::dashboard, tracking::rates,
        bulletins::list, bulletins::publish, bulletins::preview, bulletins::document,
        evidence::upload, evidence::download,
        assessment::society, assessment::decide, assessment::self_scores, assessment::scores,
        assessment::declare, assessment::adjust, assessment::results, assessment::reviewers, assessment::assign,
        assessment::withdraw, assessment::unassign,
        operations::set_election, operations::set_lock, operations::grant_exception,
        operations::import_societies, operations::plan_diff,
        assessment_results::status, assessment_results::document, assessment_results::show,
        assessment_results::request_final, assessment_results::approve, assessment_results::all_objections,
        assessment_results::society_objections, assessment_results::file_objection,
        assessment_results::answer,
    ),
    components(schemas(ApiErrors, ApiError, drafts::ReformPlanDraft, drafts::RectificationPlanDraft, drafts::EvidenceUpload)),
    modifiers(&BearerAuth, &ErrorResponses, &CommentLimits),
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

/// Documents every error status the API answers (R-X-3, issue 9: schemathesis checks that no
/// status is undocumented), all in the `ApiErrors` envelope: 400 (a query string, path or body
/// that cannot be read), 404 (an unknown or hidden society, year or object), and — where they
/// can happen — 401 (no or a bad token) and 403 (a role without the right) on operations that
/// need a token, 408 and 413 on operations that take a body, 422 on operations that take a
/// body or parameters.
struct ErrorResponses;
impl utoipa::Modify for ErrorResponses {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        use utoipa::openapi::{ContentBuilder, Ref, ResponseBuilder};
        let error = |description: &str| {
            ResponseBuilder::new()
                .description(description)
                .content(
                    "application/json",
                    ContentBuilder::new()
                        .schema(Some(Ref::from_schema_name("ApiErrors")))
                        .build(),
                )
                .build()
        };
        for item in openapi.paths.paths.values_mut() {
            for op in [
                &mut item.get,
                &mut item.put,
                &mut item.post,
                &mut item.patch,
                &mut item.delete,
            ]
            .into_iter()
            .flatten()
            {
                let secured = op.security.as_ref().is_some_and(|s| !s.is_empty());
                let has_body = op.request_body.is_some();
                let has_params = op.parameters.as_ref().is_some_and(|p| !p.is_empty());
                let mut wanted = vec![
                    ("400", "The query string, path or body cannot be read."),
                    ("404", "Unknown, or not visible to the caller."),
                ];
                if secured {
                    wanted.push(("401", "No token, or a token that is not valid."));
                    wanted.push(("403", "The caller's role may not do this."));
                }
                if has_body {
                    wanted.push(("413", "The body is too large."));
                    wanted.push((
                        "408",
                        "The body did not arrive within the body timeout (`body_timeout_secs`); the connection is closed.",
                    ));
                }
                if has_body || has_params {
                    wanted.push(("422", "Invalid input; each error names its field."));
                }
                for (status, description) in wanted {
                    op.responses
                        .responses
                        .entry(status.to_string())
                        .or_insert_with(|| error(description).into());
                }
            }
        }
    }
}

pub async fn openapi_json() -> Response {
    Json(ApiDoc::openapi()).into_response()
}

/// The API's part of the route table, each route with its declared access.
#[rustfmt::skip]
pub fn routes() -> Vec<RouteSpec> {
    use Access::*;
    use axum::routing::{get, patch, post, put};
    let g = Method::GET;
    let p = Method::POST;
    vec![
        route(
            g.clone(),
            "/api/openapi.json",
            Public,
            get(openapi_json),
        ),
        route(
            g.clone(),
            "/api/v1/catalogues",
            Public,
            get(catalogues::list),
        ),
        route(
            p.clone(),
            "/api/v1/catalogues",
            Admin,
            post(catalogues::load),
        ),
        route(
            g.clone(),
            "/api/v1/catalogues/{year}",
            Public,
            get(catalogues::get_year),
        ),
        route(
            g.clone(),
            "/api/v1/societies",
            Public,
            get(societies::list),
        ),
        route(
            p.clone(),
            "/api/v1/societies",
            Admin,
            post(societies::create),
        ),
        route(
            g.clone(),
            "/api/v1/societies/{code}",
            SocietyScoped,
            get(societies::get_one),
        ),
        route(
            Method::PUT,
            "/api/v1/societies/{code}",
            Admin,
            put(societies::update),
        ),
        route(Method::PUT, "/api/v1/societies/{code}/election", Admin, put(operations::set_election)),
        route(p.clone(), "/api/v1/societies/import", Admin, post(operations::import_societies)),
        route(Method::PUT, "/api/v1/months/{year}/{month}", Admin, put(operations::set_lock)),
        route(p.clone(), "/api/v1/months/{year}/{month}/exceptions", Admin, post(operations::grant_exception)),
        route(g.clone(), "/api/v1/societies/{code}/plans/{year}/diff", SocietyScoped, get(operations::plan_diff)),
        route(g.clone(), "/api/v1/societies/{code}/facts", SocietyScoped, get(rules::get_facts)),
        route(Method::PUT, "/api/v1/societies/{code}/facts", SocietyEdit, put(rules::put_facts)),
        route(p.clone(), "/api/v1/years", Admin, post(years::start)),
        route(g.clone(), "/api/v1/years", Admin, get(years::list)),
        route(g.clone(), "/api/v1/years/{year}/draft", Admin, get(years::draft)),
        route(g.clone(), "/api/v1/societies/{code}/verdicts", SocietyScoped, get(rules::verdicts)),
        route(p.clone(), "/api/v1/societies/{code}/judgements", Staff, post(rules::judge)),
        route(p.clone(), "/api/v1/rules/check", Public, post(rules::check_facts)),
        route(g.clone(), "/api/v1/societies/{code}/reports/{year}/{month}", SocietyScoped, get(reports::get_report)),
        route(p.clone(), "/api/v1/societies/{code}/reports/{year}/{month}", SocietyEdit, post(reports::open)),
        route(Method::PUT, "/api/v1/societies/{code}/reports/{year}/{month}/draft", SocietyEdit, put(reports::put_draft)),
        route(p.clone(), "/api/v1/societies/{code}/reports/{year}/{month}/submit", SocietyEdit, post(reports::submit)),
        route(p.clone(), "/api/v1/societies/{code}/reports/{year}/{month}/review", Staff, post(reports::review)),
        route(p.clone(), "/api/v1/societies/{code}/reports/{year}/{month}/accept", Staff, post(reports::accept)),
        route(g.clone(), "/api/v1/reports/queue", Staff, get(report_queue::queue)),
        route(g.clone(), "/api/v1/societies/{code}/colours", SocietyScoped, get(tracking::colours)),
        route(p.clone(), "/api/v1/societies/{code}/evidence", SocietyEdit, post(evidence::upload).layer(DefaultBodyLimit::disable())),
        route(g.clone(), "/api/v1/evidence/{id}", Authenticated, get(evidence::download)),
        route(g.clone(), "/api/v1/dashboard", Staff, get(tracking::dashboard)).heavy(),
        route(g.clone(), "/api/v1/rates", Staff, get(tracking::rates)).heavy(),
        route(g.clone(), "/api/v1/societies/{code}/plans/{year}", SocietyScoped, get(plans::get_plan)),
        route(p.clone(), "/api/v1/societies/{code}/plans/{year}", SocietyEdit, post(plans::open)),
        route(Method::PUT, "/api/v1/societies/{code}/plans/{year}/draft", SocietyEdit, put(plans::put_draft)),
        route(p.clone(), "/api/v1/societies/{code}/plans/{year}/submit", SocietyEdit, post(plans::submit)),
        route(p.clone(), "/api/v1/societies/{code}/plans/{year}/review", Staff, post(plans::review)),
        route(p.clone(), "/api/v1/societies/{code}/plans/{year}/rectification", Staff, post(plans::request_rectification)),
        route(g.clone(), "/api/v1/societies/{code}/plans/{year}/versions/{version}", SocietyScoped, get(plans::version)),
        route(g.clone(), "/api/v1/plans", Staff, get(plans::list)),
        route(g.clone(), "/api/v1/deadlines/{year}", Public, get(plans::get_deadline)),
        route(Method::PUT, "/api/v1/deadlines/{year}", Admin, put(plans::set_deadline)),
        route(g.clone(), "/api/v1/notifications", Authenticated, get(notifications::notifications)),
        route(p.clone(), "/api/v1/notifications/{id}/read", Authenticated, post(notifications::mark_read)),
        route(p.clone(), "/api/v1/notifications/read-all", Authenticated, post(notifications::mark_all_read)),
        route(g.clone(), "/api/v1/users", Admin, get(users::list)),
        route(p.clone(), "/api/v1/users", Admin, post(users::create)),
        route(
            Method::PATCH,
            "/api/v1/users/{id}",
            Admin,
            patch(users::update),
        ),
        route(g.clone(), "/api/v1/me", Authenticated, get(users::me)),
        route(g, "/api/v1/audit", Admin, get(audit::list)),
    ]
    .into_iter()
    .chain(bulletins::routes())
    .chain(assessment::routes())
    .chain(assessment_results::routes())
    .collect()
}

//! Web shell: the router (built from one route table), request context (language, user),
//! CSRF protection, security headers and error rendering. Pages live in one file per feature.

pub mod account;
pub mod assets;
pub mod audit;
pub mod catalogue;
pub mod context;
pub mod errors;
pub mod evidence;
pub mod facts;
pub mod facts_import;
pub mod home;
pub mod login;
pub mod overview;
pub mod page;
pub mod plans;
pub mod reports;
pub mod reviews;
pub mod societies;
pub mod users;

use std::sync::Arc;

use axum::Router;
use axum::extract::DefaultBodyLimit;
use axum::routing::MethodRouter;
use http::Method;

use crate::config::Config;
use crate::db::Db;
use crate::db::catalogues::CatalogueCache;

pub use context::Ctx;

/// Everything a handler may use. No application state lives only here: the database is the
/// truth; `catalogues` is a cache keyed by content hash.
#[derive(Clone)]
pub struct AppState {
    pub db: Db,
    pub config: Arc<Config>,
    pub catalogues: CatalogueCache,
    pub clock: crate::clock::Clock,
}

/// Who may call a route (R-X-1). Handlers enforce it through the policy function; the
/// authorisation test walks this table with every role.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Access {
    /// Anyone, without an account.
    Public,
    /// Any signed-in user.
    Authenticated,
    /// Administrators and reviewers.
    Staff,
    /// Administrators only.
    Admin,
    /// Signed-in users allowed on the society named by `{code}` (others: 404).
    SocietyScoped,
    /// Changes a society's own data: its editors and administrators (viewers and reviewers:
    /// 403; other societies' people: 404).
    SocietyEdit,
}

pub struct RouteSpec {
    pub method: Method,
    pub path: &'static str,
    pub access: Access,
    handler: MethodRouter<AppState>,
}

fn route(
    method: Method,
    path: &'static str,
    access: Access,
    handler: MethodRouter<AppState>,
) -> RouteSpec {
    RouteSpec {
        method,
        path,
        access,
        handler,
    }
}

/// The route table: every page and API route with its declared access.
#[rustfmt::skip]
pub fn routes() -> Vec<RouteSpec> {
    use Access::*;
    use axum::routing::{get, patch, post, put};
    let g = Method::GET;
    let p = Method::POST;
    let mut r = vec![
        route(g.clone(), "/", Public, get(home::home)),
        route(g.clone(), "/healthz", Public, get(home::healthz)),
        route(g.clone(), "/assets/{file}", Public, get(assets::asset)),
        route(g.clone(), "/login", Public, get(login::login_page)),
        route(p.clone(), "/login", Public, post(login::login_submit)),
        route(p.clone(), "/logout", Authenticated, post(login::logout)),
        route(p.clone(), "/lang", Public, post(home::set_language)),
        route(g.clone(), "/catalogues", Public, get(catalogue::years)),
        route(
            g.clone(),
            "/catalogues/{year}",
            Public,
            get(catalogue::task_list),
        ),
        route(
            g.clone(),
            "/catalogues/{year}/tasks/{number}",
            Public,
            get(catalogue::task_page),
        ),
        route(
            g.clone(),
            "/admin/catalogues",
            Admin,
            get(catalogue::load_page),
        ),
        route(
            p.clone(),
            "/admin/catalogues",
            Admin,
            post(catalogue::load_submit),
        ),
        route(g.clone(), "/societies", Authenticated, get(societies::list)),
        route(g.clone(), "/societies/new", Admin, get(societies::new_page)),
        route(p.clone(), "/societies", Admin, post(societies::create)),
        route(
            g.clone(),
            "/societies/import",
            Admin,
            get(societies::import_page),
        ),
        route(
            p.clone(),
            "/societies/import",
            Admin,
            post(societies::import_submit),
        ),
        route(
            g.clone(),
            "/societies/{code}",
            SocietyScoped,
            get(societies::show),
        ),
        route(
            g.clone(),
            "/societies/{code}/edit",
            Admin,
            get(societies::edit_page),
        ),
        route(g.clone(), "/societies/{code}/facts", SocietyScoped, get(facts::facts_page)),
        route(p.clone(), "/societies/{code}/facts", SocietyEdit, post(facts::facts_submit)),
        route(p.clone(), "/societies/{code}/justifications", SocietyEdit, post(facts::justify)),
        route(g.clone(), "/rules/check", Public, get(facts::whatif_page)),
        route(p.clone(), "/rules/check", Public, post(facts::whatif_submit)),
        route(g.clone(), "/overview/rules", Staff, get(overview::page)),
        route(g.clone(), "/overview/rules.xlsx", Staff, get(overview::export)),
        route(g.clone(), "/societies/{code}/plans/{year}", SocietyScoped, get(plans::plan_page)),
        route(p.clone(), "/societies/{code}/plans/{year}", SocietyEdit, post(plans::start)),
        route(p.clone(), "/societies/{code}/plans/{year}/draft", SocietyEdit, post(plans::save_draft)),
        route(p.clone(), "/societies/{code}/plans/{year}/submit", SocietyEdit, post(plans::submit)),
        route(p.clone(), "/societies/{code}/plans/{year}/check", SocietyEdit, post(plans::check)),
        route(p.clone(), "/societies/{code}/plans/{year}/review", Staff, post(plans::review)),
        route(p.clone(), "/societies/{code}/plans/{year}/rectification", Staff, post(plans::request_rectification)),
        route(g.clone(), "/societies/{code}/plans/{year}/versions", SocietyScoped, get(plans::versions)),
        route(g.clone(), "/reviews/plans", Staff, get(reviews::queue)),
        route(g.clone(), "/overview/plans", Staff, get(reviews::overview)),
        route(g.clone(), "/overview/plans.xlsx", Staff, get(reviews::export)),
        route(g.clone(), "/admin/deadlines", Admin, get(reviews::deadlines_page)),
        route(p.clone(), "/admin/deadlines", Admin, post(reviews::deadlines_submit)),
        route(g.clone(), "/inbox", Authenticated, get(reviews::inbox)),
        route(p.clone(), "/inbox/{id}/read", Authenticated, post(reviews::mark_read)),
        route(g.clone(), "/societies/{code}/reports/{year}", SocietyScoped, get(reports::timeline)),
        route(g.clone(), "/societies/{code}/reports/{year}/{month}", SocietyScoped, get(reports::report_page)),
        route(p.clone(), "/societies/{code}/reports/{year}/{month}", SocietyEdit, post(reports::start)),
        route(p.clone(), "/societies/{code}/reports/{year}/{month}/draft", SocietyEdit, post(reports::save_draft)),
        route(p.clone(), "/societies/{code}/reports/{year}/{month}/submit", SocietyEdit, post(reports::submit)),
        route(p.clone(), "/societies/{code}/reports/{year}/{month}/review", Staff, post(reports::review)),
        route(p.clone(), "/societies/{code}/evidence", SocietyEdit, post(evidence::upload).layer(DefaultBodyLimit::disable())),
        route(g.clone(), "/evidence/{id}", Authenticated, get(evidence::download)),
        route(p.clone(), "/evidence/{id}/remove", Authenticated, post(evidence::remove)),
        route(g.clone(), "/dashboard", Staff, get(reports::dashboard)),
        route(g.clone(), "/dashboard.xlsx", Staff, get(reports::dashboard_export)),
        route(g.clone(), "/rates", Staff, get(reports::rates)),
        route(p.clone(), "/admin/months", Admin, post(reports::lock)),
        route(p.clone(), "/admin/months/exception", Admin, post(reports::exception)),
        route(g.clone(), "/help/colours", Public, get(reports::help)),
        route(g.clone(), "/admin/facts/import", Admin, get(facts_import::import_page)),
        route(p.clone(), "/admin/facts/import", Admin, post(facts_import::import_submit)),
        route(
            p.clone(),
            "/societies/{code}",
            Admin,
            post(societies::update),
        ),
        route(
            p.clone(),
            "/societies/{code}/active",
            Admin,
            post(societies::set_active),
        ),
        route(
            p.clone(),
            "/societies/{code}/election",
            Admin,
            post(societies::set_election),
        ),
        route(g.clone(), "/admin/users", Admin, get(users::list)),
        route(g.clone(), "/admin/users/new", Admin, get(users::new_page)),
        route(p.clone(), "/admin/users", Admin, post(users::create)),
        route(g.clone(), "/admin/users/{id}", Admin, get(users::edit_page)),
        route(p.clone(), "/admin/users/{id}", Admin, post(users::update)),
        route(
            p.clone(),
            "/admin/users/{id}/password",
            Admin,
            post(users::reset_password),
        ),
        route(g.clone(), "/admin/audit", Admin, get(audit::page)),
        route(g.clone(), "/account", Authenticated, get(account::page)),
        route(
            p.clone(),
            "/account/password",
            Authenticated,
            post(account::change_password),
        ),
        route(
            p.clone(),
            "/account/tokens",
            Authenticated,
            post(account::create_token),
        ),
        route(
            p.clone(),
            "/account/tokens/{id}/revoke",
            Authenticated,
            post(account::revoke_token),
        ),
    ];
    use crate::api;
    r.extend([
        route(
            g.clone(),
            "/api/openapi.json",
            Public,
            get(api::openapi_json),
        ),
        route(
            g.clone(),
            "/api/v1/catalogues",
            Public,
            get(api::catalogues::list),
        ),
        route(
            p.clone(),
            "/api/v1/catalogues",
            Admin,
            post(api::catalogues::load),
        ),
        route(
            g.clone(),
            "/api/v1/catalogues/{year}",
            Public,
            get(api::catalogues::get_year),
        ),
        route(
            g.clone(),
            "/api/v1/societies",
            Public,
            get(api::societies::list),
        ),
        route(
            p.clone(),
            "/api/v1/societies",
            Admin,
            post(api::societies::create),
        ),
        route(
            g.clone(),
            "/api/v1/societies/{code}",
            SocietyScoped,
            get(api::societies::get_one),
        ),
        route(
            Method::PUT,
            "/api/v1/societies/{code}",
            Admin,
            put(api::societies::update),
        ),
        route(g.clone(), "/api/v1/societies/{code}/facts", SocietyScoped, get(api::rules::get_facts)),
        route(Method::PUT, "/api/v1/societies/{code}/facts", SocietyEdit, put(api::rules::put_facts)),
        route(g.clone(), "/api/v1/societies/{code}/verdicts", SocietyScoped, get(api::rules::verdicts)),
        route(p.clone(), "/api/v1/rules/check", Public, post(api::rules::check_facts)),
        route(g.clone(), "/api/v1/societies/{code}/reports/{year}/{month}", SocietyScoped, get(api::reports::get_report)),
        route(p.clone(), "/api/v1/societies/{code}/reports/{year}/{month}", SocietyEdit, post(api::reports::open)),
        route(Method::PUT, "/api/v1/societies/{code}/reports/{year}/{month}/draft", SocietyEdit, put(api::reports::put_draft)),
        route(p.clone(), "/api/v1/societies/{code}/reports/{year}/{month}/submit", SocietyEdit, post(api::reports::submit)),
        route(p.clone(), "/api/v1/societies/{code}/reports/{year}/{month}/review", Staff, post(api::reports::review)),
        route(g.clone(), "/api/v1/societies/{code}/colours", SocietyScoped, get(api::reports::colours)),
        route(p.clone(), "/api/v1/societies/{code}/evidence", SocietyEdit, post(evidence::upload_api).layer(DefaultBodyLimit::disable())),
        route(g.clone(), "/api/v1/evidence/{id}", Authenticated, get(evidence::download)),
        route(g.clone(), "/api/v1/dashboard", Staff, get(api::reports::dashboard)),
        route(g.clone(), "/api/v1/rates", Staff, get(api::reports::rates)),
        route(g.clone(), "/api/v1/societies/{code}/plans/{year}", SocietyScoped, get(api::plans::get_plan)),
        route(p.clone(), "/api/v1/societies/{code}/plans/{year}", SocietyEdit, post(api::plans::open)),
        route(Method::PUT, "/api/v1/societies/{code}/plans/{year}/draft", SocietyEdit, put(api::plans::put_draft)),
        route(p.clone(), "/api/v1/societies/{code}/plans/{year}/submit", SocietyEdit, post(api::plans::submit)),
        route(p.clone(), "/api/v1/societies/{code}/plans/{year}/review", Staff, post(api::plans::review)),
        route(p.clone(), "/api/v1/societies/{code}/plans/{year}/rectification", Staff, post(api::plans::request_rectification)),
        route(g.clone(), "/api/v1/societies/{code}/plans/{year}/versions/{version}", SocietyScoped, get(api::plans::version)),
        route(g.clone(), "/api/v1/plans", Staff, get(api::plans::list)),
        route(g.clone(), "/api/v1/deadlines/{year}", Public, get(api::plans::get_deadline)),
        route(Method::PUT, "/api/v1/deadlines/{year}", Admin, put(api::plans::set_deadline)),
        route(g.clone(), "/api/v1/notifications", Authenticated, get(api::plans::notifications)),
        route(p.clone(), "/api/v1/notifications/{id}/read", Authenticated, post(api::plans::mark_read)),
        route(g.clone(), "/api/v1/users", Admin, get(api::users::list)),
        route(p.clone(), "/api/v1/users", Admin, post(api::users::create)),
        route(
            Method::PATCH,
            "/api/v1/users/{id}",
            Admin,
            patch(api::users::update),
        ),
        route(g.clone(), "/api/v1/me", Authenticated, get(api::users::me)),
        route(g, "/api/v1/audit", Admin, get(api::audit::list)),
    ]);
    r
}

/// Builds the application: routes, context (language, user, CSRF), headers, error rendering.
pub fn app(state: AppState) -> Router {
    let mut router: Router<AppState> = Router::new();
    for spec in routes() {
        let access = spec.access;
        let guard_state = state.clone();
        // The table's access is enforced before any extractor runs (for society routes, against
        // the stored society named in the path); handlers apply the policy again on the objects
        // they load.
        let guarded = spec.handler.route_layer(axum::middleware::from_fn(
            move |req: axum::extract::Request, next: axum::middleware::Next| {
                guard(guard_state.clone(), access, req, next)
            },
        ));
        router = router.route(spec.path, guarded);
    }
    router
        .fallback(errors::not_found)
        .layer(axum::middleware::from_fn_with_state(
            state.clone(),
            context::middleware,
        ))
        .layer(DefaultBodyLimit::max(state.config.max_upload_bytes))
        .with_state(state)
}

async fn guard(
    state: AppState,
    access: Access,
    req: axum::extract::Request,
    next: axum::middleware::Next,
) -> axum::response::Response {
    use crate::auth::policy::{Action, authorize};
    use axum::extract::FromRequestParts;
    use axum::response::IntoResponse;
    let user = req.extensions().get::<Ctx>().and_then(|c| c.user.clone());
    let (mut parts, body) = req.into_parts();
    let check = match access {
        Access::Public => Ok(()),
        Access::Authenticated => authorize(user.as_ref(), Action::OwnAccount, None),
        Access::Staff => authorize(user.as_ref(), Action::ListAllSocieties, None),
        Access::Admin => authorize(user.as_ref(), Action::ManageUsers, None),
        Access::SocietyScoped | Access::SocietyEdit => {
            // The owner is the society named by `{code}`, as stored in the database.
            let action = if access == Access::SocietyEdit {
                Action::EditSocietyData
            } else {
                Action::ReadSociety
            };
            let code = axum::extract::RawPathParams::from_request_parts(&mut parts, &())
                .await
                .ok()
                .and_then(|params| {
                    params
                        .iter()
                        .find(|(k, _)| *k == "code")
                        .map(|(_, v)| v.to_string())
                });
            society_guard(&state, user.as_ref(), action, code.as_deref()).await
        }
    };
    match check {
        Ok(()) => {
            next.run(axum::extract::Request::from_parts(parts, body))
                .await
        }
        Err(e) => e.into_response(),
    }
}

async fn society_guard(
    state: &AppState,
    user: Option<&crate::db::users::User>,
    action: crate::auth::policy::Action,
    code: Option<&str>,
) -> Result<(), crate::error::AppError> {
    use crate::auth::policy::{Action, authorize};
    use crate::error::AppError;
    authorize(user, Action::OwnAccount, None)?;
    let code = code.ok_or(AppError::NotFound)?;
    let society = crate::db::societies::by_code(&state.db, code)
        .await?
        .ok_or(AppError::NotFound)?;
    authorize(user, action, Some(society.id))
}

//! Pages (server-rendered, Chinese first): one file per feature, each handler parses the
//! request, calls one service function and renders a template. Request plumbing (context,
//! CSRF, errors, the route guard, the layout) is in `http/`; this module declares the pages'
//! routes.

pub mod account;
pub mod assessment;
pub mod assessment_results;
pub mod assets;
pub mod audit;
pub mod bulletins;
pub mod catalogue;
pub mod catalogue_summary;
pub mod evidence;
pub mod facts;
pub mod home;
pub mod inbox;
pub mod login;
pub mod people;
pub mod plans;
pub mod reports;
pub mod societies;
pub mod users;
pub mod years;

use axum::extract::DefaultBodyLimit;
use http::Method;

use crate::http::{Access, RouteSpec, route};

/// The pages' part of the route table, each route with its declared access.
#[rustfmt::skip]
pub fn routes() -> Vec<RouteSpec> {
    use Access::*;
    use axum::routing::{get, post};
    let g = Method::GET;
    let p = Method::POST;
    vec![
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
        route(g.clone(), "/societies", Authenticated, get(societies::list::list)),
        route(g.clone(), "/societies/new", Admin, get(societies::form::new_page)),
        route(p.clone(), "/societies", Admin, post(societies::form::create)),
        route(
            g.clone(),
            "/societies/import",
            Admin,
            get(societies::import::import_page),
        ),
        route(
            p.clone(),
            "/societies/import",
            Admin,
            post(societies::import::import_submit),
        ),
        route(
            g.clone(),
            "/societies/{code}",
            SocietyScoped,
            get(societies::show::show),
        ),
        route(
            g.clone(),
            "/societies/{code}/edit",
            Admin,
            get(societies::form::edit_page),
        ),
        route(g.clone(), "/societies/{code}/facts", SocietyScoped, get(facts::page::facts_page)),
        route(p.clone(), "/societies/{code}/facts", SocietyEdit, post(facts::page::facts_submit)),
        route(p.clone(), "/societies/{code}/justifications", SocietyEdit, post(facts::page::justify)),
        route(p.clone(), "/societies/{code}/judgements", Staff, post(societies::judge::judge)),
        route(g.clone(), "/rules/check", Public, get(facts::whatif::whatif_page)),
        route(p.clone(), "/rules/check", Public, post(facts::whatif::whatif_submit)),
        route(g.clone(), "/overview/rules", Staff, get(facts::overview::page)).heavy(),
        route(g.clone(), "/overview/rules.xlsx", Staff, get(facts::overview::export)).heavy(),
        route(g.clone(), "/societies/{code}/plans/{year}", SocietyScoped, get(plans::edit::plan_page)),
        route(p.clone(), "/societies/{code}/plans/{year}", SocietyEdit, post(plans::edit::start)),
        route(p.clone(), "/societies/{code}/plans/{year}/draft", SocietyEdit, post(plans::edit::save_draft)),
        route(p.clone(), "/societies/{code}/plans/{year}/submit", SocietyEdit, post(plans::edit::submit)),
        route(p.clone(), "/societies/{code}/plans/{year}/check", SocietyEdit, post(plans::edit::check)),
        route(p.clone(), "/societies/{code}/plans/{year}/review", Staff, post(plans::review::review)),
        route(p.clone(), "/societies/{code}/plans/{year}/rectification", Staff, post(plans::review::request_rectification)),
        route(g.clone(), "/societies/{code}/plans/{year}/versions", SocietyScoped, get(plans::compare::versions)),
        route(g.clone(), "/reviews/plans", Staff, get(plans::queue::queue)),
        route(g.clone(), "/reviews/reports", Staff, get(reports::queue::queue)),
        route(g.clone(), "/overview/plans", Staff, get(plans::queue::overview)).heavy(),
        route(g.clone(), "/overview/plans.xlsx", Staff, get(plans::queue::export)).heavy(),
        route(g.clone(), "/admin/deadlines", Admin, get(plans::deadlines::deadlines_page)),
        route(p.clone(), "/admin/deadlines", Admin, post(plans::deadlines::deadlines_submit)),
        route(g.clone(), "/inbox", Authenticated, get(inbox::inbox)),
        route(p.clone(), "/inbox/{id}/read", Authenticated, post(inbox::mark_read)),
        route(p.clone(), "/inbox/read-all", Authenticated, post(inbox::mark_all_read)),
        route(g.clone(), "/societies/{code}/reports/{year}", SocietyScoped, get(reports::timeline::timeline)),
        route(g.clone(), "/societies/{code}/reports/{year}/{month}", SocietyScoped, get(reports::edit::report_page)),
        route(p.clone(), "/societies/{code}/reports/{year}/{month}", SocietyEdit, post(reports::edit::start)),
        route(p.clone(), "/societies/{code}/reports/{year}/{month}/draft", SocietyEdit, post(reports::edit::save_draft)),
        route(p.clone(), "/societies/{code}/reports/{year}/{month}/submit", SocietyEdit, post(reports::edit::submit)),
        route(p.clone(), "/societies/{code}/reports/{year}/{month}/review", Staff, post(reports::review::review)),
        route(p.clone(), "/societies/{code}/evidence", SocietyEdit, post(evidence::upload).layer(DefaultBodyLimit::disable())),
        route(g.clone(), "/evidence/{id}", Authenticated, get(evidence::download)),
        route(p.clone(), "/evidence/{id}/remove", Authenticated, post(evidence::remove)),
        route(g.clone(), "/dashboard", Staff, get(reports::dashboard::dashboard)).heavy(),
        route(g.clone(), "/dashboard.xlsx", Staff, get(reports::dashboard::dashboard_export)).heavy(),
        route(g.clone(), "/rates", Staff, get(reports::rates::rates)).heavy(),
        route(p.clone(), "/admin/months", Admin, post(reports::locks::lock)),
        route(p.clone(), "/admin/months/exception", Admin, post(reports::locks::exception)),
        route(g.clone(), "/help/colours", Public, get(reports::help::help)),
        route(g.clone(), "/admin/years", Admin, get(years::years_page)),
        route(p.clone(), "/admin/years", Admin, post(years::start)),
        route(g.clone(), "/admin/years/{year}/draft.toml", Admin, get(years::draft)),
        route(g.clone(), "/admin/facts/import", Admin, get(facts::import::import_page)),
        route(p.clone(), "/admin/facts/import", Admin, post(facts::import::import_submit)),
        route(
            p.clone(),
            "/societies/{code}",
            Admin,
            post(societies::form::update),
        ),
        route(
            p.clone(),
            "/societies/{code}/active",
            Admin,
            post(societies::form::set_active),
        ),
        route(
            p.clone(),
            "/societies/{code}/election",
            Admin,
            post(societies::form::set_election),
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
    ]
    .into_iter()
    .chain(bulletins::routes())
    .chain(assessment::routes())
    .chain(assessment_results::routes())
    .collect()
}

//! R-X-1: the authorisation matrix, built from the route table. Every route × role × owning
//! society; a route added without an entry here fails `every_route_has_an_expectation`.

use http::{Method, StatusCode};
use reformwatch::http::Access;
use reformwatch::model::Role;
use reformwatch::routes;

use crate::{TestApp, both};

/// The expected access of every route, written independently of the router.
const EXPECTED: &[(&str, &str, Access)] = &[
    ("GET", "/", Access::Public),
    ("GET", "/healthz", Access::Public),
    ("GET", "/assets/{file}", Access::Public),
    ("GET", "/login", Access::Public),
    ("POST", "/login", Access::Public),
    ("POST", "/logout", Access::Authenticated),
    ("POST", "/lang", Access::Public),
    ("GET", "/catalogues", Access::Public),
    ("GET", "/catalogues/{year}", Access::Public),
    ("GET", "/catalogues/{year}/tasks/{number}", Access::Public),
    ("GET", "/admin/catalogues", Access::Admin),
    ("POST", "/admin/catalogues", Access::Admin),
    ("GET", "/societies", Access::Authenticated),
    ("GET", "/societies/new", Access::Admin),
    ("POST", "/societies", Access::Admin),
    ("GET", "/societies/import", Access::Admin),
    ("POST", "/societies/import", Access::Admin),
    ("GET", "/societies/{code}", Access::SocietyScoped),
    ("GET", "/societies/{code}/edit", Access::Admin),
    ("GET", "/societies/{code}/facts", Access::SocietyScoped),
    ("POST", "/societies/{code}/facts", Access::SocietyEdit),
    (
        "POST",
        "/societies/{code}/justifications",
        Access::SocietyEdit,
    ),
    ("POST", "/societies/{code}/judgements", Access::Staff),
    ("GET", "/rules/check", Access::Public),
    ("POST", "/rules/check", Access::Public),
    ("GET", "/overview/rules", Access::Staff),
    ("GET", "/overview/rules.xlsx", Access::Staff),
    (
        "GET",
        "/societies/{code}/plans/{year}",
        Access::SocietyScoped,
    ),
    (
        "POST",
        "/societies/{code}/plans/{year}",
        Access::SocietyEdit,
    ),
    (
        "POST",
        "/societies/{code}/plans/{year}/draft",
        Access::SocietyEdit,
    ),
    (
        "POST",
        "/societies/{code}/plans/{year}/submit",
        Access::SocietyEdit,
    ),
    (
        "POST",
        "/societies/{code}/plans/{year}/check",
        Access::SocietyEdit,
    ),
    (
        "POST",
        "/societies/{code}/plans/{year}/review",
        Access::Staff,
    ),
    (
        "POST",
        "/societies/{code}/plans/{year}/rectification",
        Access::Staff,
    ),
    (
        "GET",
        "/societies/{code}/plans/{year}/versions",
        Access::SocietyScoped,
    ),
    ("GET", "/reviews/plans", Access::Staff),
    ("GET", "/overview/plans", Access::Staff),
    ("GET", "/overview/plans.xlsx", Access::Staff),
    ("GET", "/admin/deadlines", Access::Admin),
    ("POST", "/admin/deadlines", Access::Admin),
    ("GET", "/inbox", Access::Authenticated),
    ("POST", "/inbox/{id}/read", Access::Authenticated),
    (
        "GET",
        "/societies/{code}/reports/{year}",
        Access::SocietyScoped,
    ),
    (
        "GET",
        "/societies/{code}/reports/{year}/{month}",
        Access::SocietyScoped,
    ),
    (
        "POST",
        "/societies/{code}/reports/{year}/{month}",
        Access::SocietyEdit,
    ),
    (
        "POST",
        "/societies/{code}/reports/{year}/{month}/draft",
        Access::SocietyEdit,
    ),
    (
        "POST",
        "/societies/{code}/reports/{year}/{month}/submit",
        Access::SocietyEdit,
    ),
    (
        "POST",
        "/societies/{code}/reports/{year}/{month}/review",
        Access::Staff,
    ),
    ("POST", "/societies/{code}/evidence", Access::SocietyEdit),
    ("GET", "/evidence/{id}", Access::Authenticated),
    ("POST", "/evidence/{id}/remove", Access::Authenticated),
    ("GET", "/dashboard", Access::Staff),
    ("GET", "/dashboard.xlsx", Access::Staff),
    ("GET", "/rates", Access::Staff),
    ("POST", "/admin/months", Access::Admin),
    ("POST", "/admin/months/exception", Access::Admin),
    ("GET", "/help/colours", Access::Public),
    ("GET", "/admin/years", Access::Admin),
    ("POST", "/admin/years", Access::Admin),
    ("GET", "/admin/years/{year}/draft.toml", Access::Admin),
    ("GET", "/admin/facts/import", Access::Admin),
    ("POST", "/admin/facts/import", Access::Admin),
    ("POST", "/societies/{code}", Access::Admin),
    ("POST", "/societies/{code}/active", Access::Admin),
    ("POST", "/societies/{code}/election", Access::Admin),
    ("GET", "/admin/users", Access::Admin),
    ("GET", "/admin/users/new", Access::Admin),
    ("POST", "/admin/users", Access::Admin),
    ("GET", "/admin/users/{id}", Access::Admin),
    ("POST", "/admin/users/{id}", Access::Admin),
    ("POST", "/admin/users/{id}/password", Access::Admin),
    ("GET", "/admin/audit", Access::Admin),
    ("GET", "/account", Access::Authenticated),
    ("POST", "/account/password", Access::Authenticated),
    ("POST", "/account/tokens", Access::Authenticated),
    ("POST", "/account/tokens/{id}/revoke", Access::Authenticated),
    ("GET", "/api/openapi.json", Access::Public),
    ("GET", "/api/v1/catalogues", Access::Public),
    ("POST", "/api/v1/catalogues", Access::Admin),
    ("GET", "/api/v1/catalogues/{year}", Access::Public),
    ("GET", "/api/v1/societies", Access::Public),
    ("POST", "/api/v1/societies", Access::Admin),
    ("GET", "/api/v1/societies/{code}", Access::SocietyScoped),
    ("PUT", "/api/v1/societies/{code}", Access::Admin),
    (
        "GET",
        "/api/v1/societies/{code}/facts",
        Access::SocietyScoped,
    ),
    ("PUT", "/api/v1/societies/{code}/facts", Access::SocietyEdit),
    (
        "GET",
        "/api/v1/societies/{code}/verdicts",
        Access::SocietyScoped,
    ),
    ("POST", "/api/v1/societies/{code}/judgements", Access::Staff),
    ("POST", "/api/v1/years", Access::Admin),
    ("GET", "/api/v1/years", Access::Admin),
    ("GET", "/api/v1/years/{year}/draft", Access::Admin),
    ("POST", "/api/v1/rules/check", Access::Public),
    (
        "GET",
        "/api/v1/societies/{code}/reports/{year}/{month}",
        Access::SocietyScoped,
    ),
    (
        "POST",
        "/api/v1/societies/{code}/reports/{year}/{month}",
        Access::SocietyEdit,
    ),
    (
        "PUT",
        "/api/v1/societies/{code}/reports/{year}/{month}/draft",
        Access::SocietyEdit,
    ),
    (
        "POST",
        "/api/v1/societies/{code}/reports/{year}/{month}/submit",
        Access::SocietyEdit,
    ),
    (
        "POST",
        "/api/v1/societies/{code}/reports/{year}/{month}/review",
        Access::Staff,
    ),
    (
        "GET",
        "/api/v1/societies/{code}/colours",
        Access::SocietyScoped,
    ),
    (
        "POST",
        "/api/v1/societies/{code}/evidence",
        Access::SocietyEdit,
    ),
    ("GET", "/api/v1/evidence/{id}", Access::Authenticated),
    ("GET", "/api/v1/dashboard", Access::Staff),
    ("GET", "/api/v1/rates", Access::Staff),
    (
        "GET",
        "/api/v1/societies/{code}/plans/{year}",
        Access::SocietyScoped,
    ),
    (
        "POST",
        "/api/v1/societies/{code}/plans/{year}",
        Access::SocietyEdit,
    ),
    (
        "PUT",
        "/api/v1/societies/{code}/plans/{year}/draft",
        Access::SocietyEdit,
    ),
    (
        "POST",
        "/api/v1/societies/{code}/plans/{year}/submit",
        Access::SocietyEdit,
    ),
    (
        "POST",
        "/api/v1/societies/{code}/plans/{year}/review",
        Access::Staff,
    ),
    (
        "POST",
        "/api/v1/societies/{code}/plans/{year}/rectification",
        Access::Staff,
    ),
    (
        "GET",
        "/api/v1/societies/{code}/plans/{year}/versions/{version}",
        Access::SocietyScoped,
    ),
    ("GET", "/api/v1/plans", Access::Staff),
    ("GET", "/api/v1/deadlines/{year}", Access::Public),
    ("PUT", "/api/v1/deadlines/{year}", Access::Admin),
    ("GET", "/api/v1/notifications", Access::Authenticated),
    (
        "POST",
        "/api/v1/notifications/{id}/read",
        Access::Authenticated,
    ),
    ("GET", "/api/v1/users", Access::Admin),
    ("POST", "/api/v1/users", Access::Admin),
    ("PATCH", "/api/v1/users/{id}", Access::Admin),
    ("GET", "/api/v1/me", Access::Authenticated),
    ("GET", "/api/v1/audit", Access::Admin),
];

#[test]
fn every_route_has_an_expectation() {
    let table: Vec<(String, String, Access)> = routes()
        .iter()
        .map(|r| (r.method.to_string(), r.path.to_string(), r.access))
        .collect();
    for (m, p, a) in &table {
        let expected = EXPECTED.iter().find(|(em, ep, _)| em == m && ep == p);
        match expected {
            None => panic!(
                "route {m} {p} has no entry in the authorisation matrix (tests/it/access.rs)"
            ),
            Some((_, _, ea)) => assert_eq!(ea, a, "route {m} {p}: declared {a:?}, expected {ea:?}"),
        }
    }
    for (m, p, _) in EXPECTED {
        assert!(
            table.iter().any(|(tm, tp, _)| tm == m && tp == p),
            "expected route {m} {p} is not in the router"
        );
    }
}

#[derive(Debug, Clone, Copy, PartialEq)]
enum Who {
    Anonymous,
    Admin,
    Reviewer,
    EditorOwn,
    ViewerOwn,
    EditorOther,
}

#[derive(Debug, PartialEq)]
enum Outcome {
    Allowed,
    LoginRequired,
    Forbidden,
    Hidden,
}

fn expected(access: Access, who: Who) -> Outcome {
    use Outcome::*;
    match (access, who) {
        (Access::Public, _) => Allowed,
        (_, Who::Anonymous) => LoginRequired,
        (Access::Authenticated, _) => Allowed,
        (Access::Admin, Who::Admin) => Allowed,
        (Access::Admin, _) => Forbidden,
        (Access::Staff, Who::Admin | Who::Reviewer) => Allowed,
        (Access::Staff, _) => Forbidden,
        (Access::SocietyScoped, Who::EditorOther) => Hidden,
        (Access::SocietyScoped, _) => Allowed,
        (Access::SocietyEdit, Who::EditorOther) => Hidden,
        (Access::SocietyEdit, Who::Admin | Who::EditorOwn) => Allowed,
        (Access::SocietyEdit, Who::Reviewer | Who::ViewerOwn) => Forbidden,
    }
}

fn classify(access: Access, path: &str, status: StatusCode, location: &str) -> Outcome {
    let api = path.starts_with("/api/");
    match status {
        StatusCode::FORBIDDEN => Outcome::Forbidden,
        // Only society-scoped routes hide objects; elsewhere a 404 comes from the handler after
        // the access check passed (e.g. an unknown token id).
        StatusCode::NOT_FOUND if matches!(access, Access::SocietyScoped | Access::SocietyEdit) => {
            Outcome::Hidden
        }
        StatusCode::UNAUTHORIZED if api => Outcome::LoginRequired,
        StatusCode::SEE_OTHER if location.starts_with("/login?next=") => Outcome::LoginRequired,
        _ => Outcome::Allowed,
    }
}

async fn authorisation_matrix(app: TestApp) {
    app.registry().await;
    app.user("m-admin", Role::Admin, None).await;
    app.user("m-reviewer", Role::Reviewer, None).await;
    app.user("m-editor", Role::SocietyEditor, Some("A-03"))
        .await;
    // The target of /admin/users/{id} routes (its password gets reset on the way).
    let target = app.user("m-target", Role::Reviewer, None).await;
    app.user("m-viewer", Role::SocietyViewer, Some("A-03"))
        .await;
    app.user("m-other", Role::SocietyEditor, Some("A-01")).await;
    // A-03 has a submitted reform plan, so plan routes have something to show.
    let society = reformwatch::db::societies::by_code(app.db(), "A-03")
        .await
        .unwrap()
        .unwrap();
    let draft = reformwatch::db::plans::PlanBody::Reform(Default::default());
    let actor = reformwatch::db::audit::Actor::System;
    let now = app.state.clock.now();
    let mut tx = app.db().begin().await.unwrap();
    reformwatch::db::plans::create(
        app.db(),
        &mut tx,
        &actor,
        now,
        &reformwatch::db::plans::NewPlan {
            society_id: society.id,
            society_code: "A-03",
            year: 2017,
            draft: &draft,
            request_reason: None,
        },
    )
    .await
    .unwrap();
    tx.commit().await.unwrap();
    let plan = reformwatch::db::plans::get(
        app.db(),
        society.id,
        2017,
        reformwatch::db::plans::PlanKind::Reform,
    )
    .await
    .unwrap()
    .unwrap();
    let mut tx = app.db().begin().await.unwrap();
    reformwatch::db::documents::submit(
        app.db(),
        &mut tx,
        &actor,
        now,
        &plan,
        reformwatch_core::plan::PlanState::Submitted.as_str(),
        None,
    )
    .await
    .unwrap();
    // …and a June report, so report routes resolve too.
    reformwatch::db::reports::create(
        app.db(),
        &mut tx,
        &actor,
        now,
        &reformwatch::db::reports::NewReport {
            society_id: society.id,
            society_code: "A-03",
            month: reformwatch_core::tracking::Month {
                year: 2017,
                month: 6,
            },
            plan_version: 1,
            draft: &Default::default(),
        },
    )
    .await
    .unwrap();
    tx.commit().await.unwrap();
    let whos = [
        Who::Anonymous,
        Who::Admin,
        Who::Reviewer,
        Who::EditorOwn,
        Who::ViewerOwn,
        Who::EditorOther,
    ];
    for spec in routes() {
        if spec.path == "/logout" || spec.path == "/login" && spec.method == Method::POST {
            continue; // changes the session itself; covered in accounts.rs
        }
        let path = spec
            .path
            .replace("{file}", "app.css")
            .replace("{year}", "2017")
            .replace("{number}", "1")
            .replace("{code}", "A-03")
            .replace("{id}", &target.id.to_string())
            .replace("{version}", "1")
            .replace("{month}", "6");
        for who in whos {
            let username = match who {
                Who::Anonymous => None,
                Who::Admin => Some("m-admin"),
                Who::Reviewer => Some("m-reviewer"),
                Who::EditorOwn => Some("m-editor"),
                Who::ViewerOwn => Some("m-viewer"),
                Who::EditorOther => Some("m-other"),
            };
            match username {
                Some(u) => {
                    app.login(u).await;
                }
                None => app.forget_cookies(),
            }
            // Bodies are left empty: the access check must come before any input parsing.
            let resp = app
                .request(spec.method.clone(), &path, None, vec![], &[])
                .await;
            let got = classify(spec.access, &path, resp.status, &resp.location());
            let want = expected(spec.access, who);
            assert_eq!(
                got,
                want,
                "{} {path} as {who:?}: status {} ({}) {}",
                spec.method,
                resp.status,
                resp.location(),
                resp.text()
                    .replace('\n', " ")
                    .chars()
                    .take(600)
                    .collect::<String>()
            );
        }
    }
}
both!(authorisation_matrix);

/// A society's people get 404 for another society's objects, in pages and API.
async fn other_society_is_hidden(app: TestApp) {
    app.registry().await;
    app.user("e1", Role::SocietyEditor, Some("A-03")).await;
    app.login("e1").await;
    assert_eq!(app.get("/societies/A-03").await.status, StatusCode::OK);
    assert_eq!(
        app.get("/societies/A-01").await.status,
        StatusCode::NOT_FOUND
    );
    assert_eq!(
        app.get("/api/v1/societies/A-01").await.status,
        StatusCode::NOT_FOUND
    );
    // Unknown and hidden look the same.
    assert_eq!(
        app.get("/societies/A-99").await.status,
        StatusCode::NOT_FOUND
    );
    let list = app.get("/societies").await.text();
    assert!(list.contains("中国力学学会"));
    assert!(!list.contains("中国数学会"));
}
both!(other_society_is_hidden);

//! R-CAT: the built-in 2017 catalogue in pages and API; loading another year at run time.

use http::{Method, StatusCode};
use reformwatch::model::Role;

use crate::{TestApp, both};

async fn api_serves_all_24_tasks(app: TestApp) {
    let r = app.get("/api/v1/catalogues/2017").await;
    assert_eq!(r.status, StatusCode::OK);
    let c = r.json();
    assert_eq!(c["year"], 2017);
    let tasks = c["tasks"].as_array().unwrap();
    assert_eq!(tasks.len(), 24);
    let count = |class: &str| tasks.iter().filter(|t| t["class"] == class).count();
    assert_eq!(
        (count("basic"), count("election"), count("optional")),
        (7, 4, 13)
    );
    assert_eq!(tasks[8]["number"], 9);
    assert!(
        tasks[8]["clause_zh"]
            .as_str()
            .unwrap()
            .contains("个人会员不足2万人的，理事会人数一般不超过150人")
    );
    assert!(!tasks[0]["title_en"].as_str().unwrap().is_empty());
    assert_eq!(c["plan_deadline_utc"], "2017-05-22T15:59:59+00:00");
    assert_eq!(
        app.get("/api/v1/catalogues/2031").await.status,
        StatusCode::NOT_FOUND
    );
    assert_eq!(
        app.get("/api/v1/catalogues/abc").await.json()["errors"][0]["code"],
        "not_found"
    );
}
both!(api_serves_all_24_tasks);

async fn pages_show_every_task_with_its_full_text(app: TestApp) {
    let list = app.get("/catalogues/2017").await;
    assert_eq!(list.status, StatusCode::OK);
    let html = list.text();
    for n in 1..=24 {
        assert!(
            html.contains(&format!("/catalogues/2017/tasks/{n}\"")),
            "task {n} missing from the list"
        );
    }
    let api = app.get("/api/v1/catalogues/2017").await.json();
    for task in api["tasks"].as_array().unwrap() {
        let n = task["number"].as_u64().unwrap();
        let page = app.get(&format!("/catalogues/2017/tasks/{n}")).await.text();
        let clause = task["clause_zh"].as_str().unwrap();
        assert!(
            page.contains(clause),
            "task {n}: page lacks the full clause"
        );
    }
    assert_eq!(
        app.get("/catalogues/2017/tasks/25").await.status,
        StatusCode::NOT_FOUND
    );
}
both!(pages_show_every_task_with_its_full_text);

async fn an_admin_loads_another_year_without_a_rebuild(app: TestApp) {
    app.user("cat-admin", Role::Admin, None).await;
    app.login("cat-admin").await;
    let source =
        reformwatch_core::catalogue::BUILTIN_2017_SOURCE.replacen("year = 2017", "year = 2018", 1);
    // A broken file: refused with file, line and reason; nothing stored.
    let broken = source.replacen("number = 3", "number = 2", 1);
    let r = app
        .multipart("/admin/catalogues", "file", "2018.toml", broken.as_bytes())
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    let html = r.text();
    assert!(html.contains("2018.toml:"), "{html}");
    assert_eq!(
        app.get("/api/v1/catalogues/2018").await.status,
        StatusCode::NOT_FOUND
    );
    let r = app
        .multipart("/admin/catalogues", "file", "2018.toml", source.as_bytes())
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.text());
    let c = app.get("/api/v1/catalogues/2018").await.json();
    assert_eq!(c["year"], 2018);
    assert_eq!(c["tasks"].as_array().unwrap().len(), 24);
    // Through the API as well, with a field error for garbage.
    let token = app.admin_token().await;
    let bad = app
        .request(
            Method::POST,
            "/api/v1/catalogues",
            Some("application/toml"),
            b"year = ".to_vec(),
            &[("authorization", &format!("Bearer {token}"))],
        )
        .await;
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        bad.json()["errors"][0]["message"]
            .as_str()
            .unwrap()
            .contains("api-upload.toml:1")
    );
}
both!(an_admin_loads_another_year_without_a_rebuild);

//! Pages: headers on every response, language switch, field errors that keep input, demo mark.

use http::StatusCode;
use reformwatch::db::audit::Actor;
use reformwatch::model::Role;

use crate::{TestApp, both};

async fn security_headers_on_every_response(app: TestApp) {
    for path in [
        "/",
        "/login",
        "/catalogues/2017",
        "/api/v1/societies",
        "/assets/app.css",
        "/nope",
        "/api/v1/nope",
    ] {
        let r = app.get(path).await;
        let csp = r.header("content-security-policy");
        assert!(
            csp.contains("script-src 'self'") && !csp.contains("unsafe-inline"),
            "{path}: {csp}"
        );
        assert!(csp.contains("frame-ancestors 'none'"), "{path}");
        assert_eq!(r.header("x-content-type-options"), "nosniff", "{path}");
        assert_eq!(r.header("referrer-policy"), "same-origin", "{path}");
    }
    // No inline script in our pages.
    let html = app.get("/").await.text();
    assert!(!html.contains("<script>"), "inline script found");
    assert!(!html.contains("onclick="));
}
both!(security_headers_on_every_response);

async fn language_switch_is_remembered(app: TestApp) {
    let zh = app.get("/catalogues/2017").await.text();
    assert!(zh.contains("基本任务"));
    let r = app
        .post_form("/lang", &[("lang", "en"), ("next", "/catalogues/2017")])
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER);
    assert_eq!(r.location(), "/catalogues/2017");
    let en = app.get("/catalogues/2017").await.text();
    assert!(en.contains("Basic tasks"), "{en}");
    assert!(en.contains("lang=\"en\""));
    // Open redirects are refused.
    let r = app
        .post_form("/lang", &[("lang", "zh"), ("next", "//evil.example/x")])
        .await;
    assert_eq!(r.location(), "/");
    assert!(app.get("/").await.text().contains("学会改革监测考核平台"));
    // API errors follow the language too (no cookie: Accept-Language decides).
    app.forget_cookies();
    let r = app
        .request(
            http::Method::GET,
            "/api/v1/catalogues/1999",
            None,
            vec![],
            &[("accept-language", "en-US")],
        )
        .await;
    assert!(
        r.json()["errors"][0]["message"]
            .as_str()
            .unwrap()
            .is_ascii()
    );
}
both!(language_switch_is_remembered);

async fn society_form_errors_keep_what_was_typed(app: TestApp) {
    app.registry().await;
    app.user("form-admin", Role::Admin, None).await;
    app.login("form-admin").await;
    let r = app
        .post_form(
            "/societies",
            &[
                ("code", "Z-1"),
                ("name", "新学会"),
                ("contact_email", "nope"),
            ],
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    let html = r.text();
    assert!(html.contains("value=\"新学会\""));
    assert!(html.contains("id=\"err-code\""));
    assert!(html.contains("id=\"err-contact_email\""));
    assert!(html.contains("学会代码“Z-1”格式不正确"));
    let r = app
        .post_form(
            "/societies",
            &[
                ("code", "E-50"),
                ("name", "中国测试学会"),
                ("discipline_group", "E"),
            ],
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER);
    assert_eq!(r.location(), "/societies/E-50?done=created");
    assert!(
        app.get("/societies/E-50?done=created")
            .await
            .text()
            .contains("已创建")
    );
}
both!(society_form_errors_keep_what_was_typed);

async fn demo_data_is_marked(app: TestApp) {
    let accounts = reformwatch::demo::load(app.db(), &Actor::System, app.state.clock.now())
        .await
        .unwrap();
    assert_eq!(accounts.len(), 4);
    assert!(accounts.iter().all(|a| a.password.len() >= 12));
    let html = app.get("/").await.text();
    assert!(html.contains("演示数据"));
    assert_eq!(
        reformwatch::db::societies::list(app.db(), &Default::default())
            .await
            .unwrap()
            .len(),
        209
    );
    // Loading again keeps one set of accounts and issues new passwords.
    let again = reformwatch::demo::load(app.db(), &Actor::System, app.state.clock.now())
        .await
        .unwrap();
    assert_ne!(again[0].password, accounts[0].password);
    assert_eq!(
        reformwatch::db::users::list(app.db()).await.unwrap().len(),
        4
    );
}
both!(demo_data_is_marked);

async fn openapi_describes_the_api(app: TestApp) {
    let doc = app.get("/api/openapi.json").await.json();
    assert!(doc["openapi"].as_str().unwrap().starts_with("3."));
    for path in [
        "/api/v1/catalogues/{year}",
        "/api/v1/societies",
        "/api/v1/users",
        "/api/v1/audit",
    ] {
        assert!(doc["paths"][path].is_object(), "{path} missing");
    }
    assert!(doc["components"]["schemas"]["CatalogueDto"].is_object());
    assert!(doc["components"]["schemas"]["ApiErrors"].is_object());
}
both!(openapi_describes_the_api);

async fn health(app: TestApp) {
    let r = app.get("/healthz").await;
    assert_eq!(r.status, StatusCode::OK);
    assert_eq!(r.json()["status"], "ok");
}
both!(health);

//! R-X-1: sign-in, sessions (new id at login, server-side logout, idle and absolute expiry,
//! shared across processes), CSRF, throttling, API tokens, passwords.

use chrono::Duration;
use http::{Method, StatusCode};
use reformwatch::model::Role;
use serde_json::json;

use crate::{PASSWORD, TestApp, both};

async fn login_sets_a_safe_cookie_and_a_new_session_id(app: TestApp) {
    app.user("alice", Role::Reviewer, None).await;
    app.set_cookie("rw_session", "attacker-fixed-id");
    let r = app
        .post_form("/login", &[("username", "alice"), ("password", PASSWORD)])
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER);
    let set = r.header("set-cookie");
    assert!(
        set.contains("HttpOnly") && set.contains("SameSite=Lax") && set.contains("Path=/"),
        "{set}"
    );
    let first = app.cookie("rw_session").unwrap();
    assert_ne!(first, "attacker-fixed-id");
    assert_eq!(first.len(), 64);
    // Signing in again gives another id; the old one is dead.
    app.post_form("/login", &[("username", "alice"), ("password", PASSWORD)])
        .await;
    let second = app.cookie("rw_session").unwrap();
    assert_ne!(first, second);
    app.set_cookie("rw_session", &first);
    assert_eq!(app.get("/account").await.status, StatusCode::SEE_OTHER);
}
both!(login_sets_a_safe_cookie_and_a_new_session_id);

async fn wrong_password_and_unknown_user_look_the_same(app: TestApp) {
    app.user("bob", Role::Reviewer, None).await;
    let a = app
        .post_form(
            "/login",
            &[("username", "bob"), ("password", "wrong-password-1")],
        )
        .await;
    let b = app
        .post_form(
            "/login",
            &[("username", "nobody"), ("password", "wrong-password-1")],
        )
        .await;
    assert_eq!(a.status, StatusCode::UNAUTHORIZED);
    assert_eq!(b.status, StatusCode::UNAUTHORIZED);
    assert!(a.text().contains("用户名或密码不正确"));
    assert!(app.cookie("rw_session").is_none());
}
both!(wrong_password_and_unknown_user_look_the_same);

async fn logout_ends_the_session_on_the_server(app: TestApp) {
    app.user("carol", Role::Admin, None).await;
    app.login("carol").await;
    let sid = app.cookie("rw_session").unwrap();
    let r = app.post_form("/logout", &[]).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER);
    // Replaying the old cookie does not work.
    app.set_cookie("rw_session", &sid);
    let r = app.get("/admin/users").await;
    assert_eq!(r.status, StatusCode::SEE_OTHER);
    assert!(r.location().starts_with("/login?next="));
}
both!(logout_ends_the_session_on_the_server);

async fn sessions_expire_when_idle_and_absolutely(app: TestApp) {
    app.user("dave", Role::Admin, None).await;
    app.login("dave").await;
    app.state.clock.advance(Duration::minutes(29));
    assert_eq!(app.get("/admin/users").await.status, StatusCode::OK);
    app.state.clock.advance(Duration::minutes(31));
    assert_eq!(
        app.get("/admin/users").await.status,
        StatusCode::SEE_OTHER,
        "idle 31 min"
    );
    // Absolute: active every 20 minutes, still ends after 12 hours.
    app.login("dave").await;
    for _ in 0..35 {
        app.state.clock.advance(Duration::minutes(20));
        assert_eq!(app.get("/admin/users").await.status, StatusCode::OK);
    }
    app.state.clock.advance(Duration::minutes(20)); // 12 h in total
    assert_eq!(
        app.get("/admin/users").await.status,
        StatusCode::SEE_OTHER,
        "absolute 12 h"
    );
}
both!(sessions_expire_when_idle_and_absolutely);

async fn two_processes_share_sessions(app: TestApp) {
    app.user("erin", Role::Admin, None).await;
    app.login("erin").await;
    let sid = app.cookie("rw_session").unwrap();
    let other = app.sibling().await;
    other.set_cookie("rw_session", &sid);
    assert_eq!(other.get("/admin/users").await.status, StatusCode::OK);
    // Logging out in one ends it in the other.
    app.post_form("/logout", &[]).await;
    assert_eq!(
        other.get("/admin/users").await.status,
        StatusCode::SEE_OTHER
    );
}
both!(two_processes_share_sessions);

async fn csrf_refuses_cross_site_and_headerless_posts(app: TestApp) {
    app.registry().await;
    app.user("frank", Role::Admin, None).await;
    app.login("frank").await;
    let form = b"active=false".to_vec();
    let ct = Some("application/x-www-form-urlencoded");
    let cross = app
        .request(
            Method::POST,
            "/societies/A-03/active",
            ct,
            form.clone(),
            &[("origin", "http://evil.example")],
        )
        .await;
    assert_eq!(cross.status, StatusCode::FORBIDDEN);
    let site = app
        .request(
            Method::POST,
            "/societies/A-03/active",
            ct,
            form.clone(),
            &[("sec-fetch-site", "cross-site")],
        )
        .await;
    assert_eq!(site.status, StatusCode::FORBIDDEN);
    // Nothing changed.
    assert!(
        reformwatch::db::societies::by_code(app.db(), "A-03")
            .await
            .unwrap()
            .unwrap()
            .active
    );
    let ok = app
        .request(
            Method::POST,
            "/societies/A-03/active",
            ct,
            form,
            &[("sec-fetch-site", "same-origin")],
        )
        .await;
    assert_eq!(ok.status, StatusCode::SEE_OTHER);
    assert!(
        !reformwatch::db::societies::by_code(app.db(), "A-03")
            .await
            .unwrap()
            .unwrap()
            .active
    );
}
both!(csrf_refuses_cross_site_and_headerless_posts);

async fn login_is_throttled_per_account(app: TestApp) {
    app.user("gina", Role::Reviewer, None).await;
    for _ in 0..5 {
        let r = app
            .post_form(
                "/login",
                &[("username", "gina"), ("password", "wrong-password-x")],
            )
            .await;
        assert_eq!(r.status, StatusCode::UNAUTHORIZED);
    }
    // Even the right password is refused now, with Retry-After.
    let r = app
        .post_form("/login", &[("username", "gina"), ("password", PASSWORD)])
        .await;
    assert_eq!(r.status, StatusCode::TOO_MANY_REQUESTS);
    let retry: u64 = r.header("retry-after").parse().unwrap();
    assert!(retry > 0 && retry <= 15 * 60, "{retry}");
    // After the window it works again.
    app.state.clock.advance(Duration::minutes(16));
    let r = app
        .post_form("/login", &[("username", "gina"), ("password", PASSWORD)])
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER);
}
both!(login_is_throttled_per_account);

async fn login_is_throttled_per_address(app: TestApp) {
    app.user("hank", Role::Reviewer, None).await;
    for i in 0..20 {
        let name = format!("guess{i}");
        app.post_form(
            "/login",
            &[("username", &name), ("password", "wrong-password-x")],
        )
        .await;
    }
    let r = app
        .post_form("/login", &[("username", "hank"), ("password", PASSWORD)])
        .await;
    assert_eq!(r.status, StatusCode::TOO_MANY_REQUESTS);
}
both!(login_is_throttled_per_address);

async fn api_tokens_work_until_revoked(app: TestApp) {
    app.user("ivy", Role::Admin, None).await;
    app.login("ivy").await;
    let page = app
        .post_form("/account/tokens", &[("name", "nightly export")])
        .await
        .text();
    let start = page.find("rw_").unwrap();
    let token: String = page[start..]
        .chars()
        .take_while(|c| c.is_ascii_alphanumeric() || *c == '_')
        .collect();
    app.forget_cookies();
    let me = app.get_with_token("/api/v1/me", &token).await;
    assert_eq!(me.status, StatusCode::OK);
    assert_eq!(me.json()["username"], "ivy");
    // Token requests need no Origin (no ambient credentials).
    let r = app
        .request(
            Method::POST,
            "/api/v1/societies",
            Some("application/json"),
            br#"{"code":"A-90","name":"test"}"#.to_vec(),
            &[
                ("authorization", &format!("Bearer {token}")),
                ("origin", "http://elsewhere"),
            ],
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.text());
    app.login("ivy").await;
    let tokens = reformwatch::db::tokens::list(app.db(), me.json()["id"].as_i64().unwrap())
        .await
        .unwrap();
    let r = app
        .post_form(&format!("/account/tokens/{}/revoke", tokens[0].id), &[])
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER);
    app.forget_cookies();
    assert_eq!(
        app.get_with_token("/api/v1/me", &token).await.status,
        StatusCode::UNAUTHORIZED
    );
    assert_eq!(
        app.get_with_token("/api/v1/me", "rw_bogus").await.status,
        StatusCode::UNAUTHORIZED
    );
}
both!(api_tokens_work_until_revoked);

async fn passwords_need_twelve_characters(app: TestApp) {
    let token = app.admin_token().await;
    let r = app.json(Method::POST, "/api/v1/users", &json!({"username": "short", "display_name": "S", "role": "reviewer", "password": "elevenchars"}), Some(&token)).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    let e = &r.json()["errors"][0];
    assert_eq!(e["field"], "password");
    assert_eq!(e["code"], "password-short");
    let r = app.json(Method::POST, "/api/v1/users", &json!({"username": "longer", "display_name": "L", "role": "reviewer", "password": "twelve-chars"}), Some(&token)).await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.text());
    let stored = reformwatch::db::users::by_username(app.db(), "longer")
        .await
        .unwrap()
        .unwrap();
    assert!(stored.password_hash.starts_with("$argon2id$"));
}
both!(passwords_need_twelve_characters);

async fn disabling_a_user_ends_its_sessions(app: TestApp) {
    let token = app.admin_token().await;
    app.registry().await;
    let u = app.user("jack", Role::SocietyEditor, Some("A-03")).await;
    app.login("jack").await;
    assert_eq!(app.get("/societies/A-03").await.status, StatusCode::OK);
    let r = app
        .json(
            Method::PATCH,
            &format!("/api/v1/users/{}", u.id),
            &json!({"disabled": true}),
            Some(&token),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text());
    assert_eq!(
        app.get("/societies/A-03").await.status,
        StatusCode::SEE_OTHER
    );
    let r = app
        .post_form("/login", &[("username", "jack"), ("password", PASSWORD)])
        .await;
    assert_eq!(r.status, StatusCode::UNAUTHORIZED);
}
both!(disabling_a_user_ends_its_sessions);

async fn admin_creates_a_society_editor_in_the_page(app: TestApp) {
    app.registry().await;
    app.user("kim", Role::Admin, None).await;
    app.login("kim").await;
    // Society role without a society: field error, the typed values kept.
    let r = app
        .post_form(
            "/admin/users",
            &[
                ("username", "lx"),
                ("display_name", "力学填报人"),
                ("role", "society_editor"),
                ("society", ""),
            ],
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    let html = r.text();
    assert!(html.contains("学会填报人和学会负责人必须指定所属学会"));
    assert!(html.contains("value=\"力学填报人\""));
    let r = app
        .post_form(
            "/admin/users",
            &[
                ("username", "lixue"),
                ("display_name", "力学填报人"),
                ("role", "society_editor"),
                ("society", "中国力学学会"),
            ],
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.text());
    assert!(r.text().contains("id=\"new-password\""));
    let u = reformwatch::db::users::by_username(app.db(), "lixue")
        .await
        .unwrap()
        .unwrap()
        .user;
    assert_eq!(u.society_code.as_deref(), Some("A-03"));
}
both!(admin_creates_a_society_editor_in_the_page);

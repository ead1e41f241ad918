//! Issue 9 findings (docs/SECURITY.md): each scenario here failed before its fix.

use http::{Method, StatusCode};
use reformwatch::model::Role;

use crate::{TestApp, both};

/// Issue 9 finding 4 payloads: each must redirect to our own root, never elsewhere.
const REDIRECT_PAYLOADS: &[&str] = &[
    "/\t/evil.example",
    "/\t\t/evil.example",
    "/\n/evil.example",
    "/\r\n/evil.example",
    "//evil.example",
    "/\\evil.example",
    "\\/evil.example",
    "https://evil.example/",
    " /\t/evil.example",
    "/ /evil.example",
    "/\u{3000}/evil.example",
];

fn enc(s: &str) -> String {
    percent_encoding::utf8_percent_encode(s, percent_encoding::NON_ALPHANUMERIC).to_string()
}

/// Finding 4 (R-X-1): `next` and `back` only ever lead to a path on this site.
async fn redirects_stay_on_this_site(app: TestApp) {
    app.registry().await;
    app.user("ed", Role::SocietyEditor, Some("A-01")).await;
    for payload in REDIRECT_PAYLOADS {
        // POST /login with the right password.
        app.forget_cookies();
        let r = app
            .post_form(
                "/login",
                &[
                    ("username", "ed"),
                    ("password", crate::PASSWORD),
                    ("next", payload),
                ],
            )
            .await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{payload:?}");
        assert_eq!(r.location(), "/", "POST /login next={payload:?}");
        // GET /login while signed in redirects to next.
        let r = app.get(&format!("/login?next={}", enc(payload))).await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{payload:?}");
        assert_eq!(r.location(), "/", "GET /login next={payload:?}");
        // POST /lang.
        let r = app
            .post_form("/lang", &[("lang", "en"), ("next", payload)])
            .await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{payload:?}");
        assert_eq!(r.location(), "/", "POST /lang next={payload:?}");
        // The upload form's `back` falls back to the society's own page.
        let r = upload_with_back(&app, payload).await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{payload:?}: {}", r.text());
        assert_eq!(
            r.location(),
            "/societies/A-01?done=uploaded",
            "upload back={payload:?}"
        );
    }
    // Anonymous GET /login renders the form; the hidden next is the safe one.
    app.forget_cookies();
    let r = app.get("/login?next=/%09/evil.example").await;
    assert_eq!(r.status, StatusCode::OK);
    assert!(!r.text().contains("evil.example"), "{}", r.text());
    // Negative control: a real local path is kept.
    app.login("ed").await;
    let r = app
        .post_form("/lang", &[("lang", "zh"), ("next", "/societies/A-01")])
        .await;
    assert_eq!(r.location(), "/societies/A-01");
    let r = upload_with_back(&app, "/societies/A-01/facts").await;
    assert_eq!(r.location(), "/societies/A-01/facts?done=uploaded");
}
both!(redirects_stay_on_this_site);

async fn upload_with_back(app: &TestApp, back: &str) -> crate::Resp {
    let boundary = "----rwsecboundary";
    let mut form = Vec::new();
    for (k, v) in [
        ("owner_type", "fact"),
        ("year", "2017"),
        ("field", "members_now"),
        ("back", back),
    ] {
        form.extend_from_slice(
            format!("--{boundary}\r\nContent-Disposition: form-data; name=\"{k}\"\r\n\r\n{v}\r\n")
                .as_bytes(),
        );
    }
    form.extend_from_slice(
        format!("--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"m.csv\"\r\n\r\nname,count\r\nA,1\r\n")
            .as_bytes(),
    );
    form.extend_from_slice(format!("\r\n--{boundary}--\r\n").as_bytes());
    app.request(
        Method::POST,
        "/societies/A-01/evidence",
        Some(&format!("multipart/form-data; boundary={boundary}")),
        form,
        &[],
    )
    .await
}

/// Finding 1: 20,000 `t1_resp_N_name` fields (≈400 KB) are refused at once with a clear
/// message on `/check`, `/draft` and `/submit`; the draft is unchanged; a normal form works.
async fn huge_plan_forms_are_refused(app: TestApp) {
    app.registry().await;
    app.user("ed", Role::SocietyEditor, Some("A-01")).await;
    app.login("ed").await;
    let r = app
        .post_form("/societies/A-01/plans/2017", &[("from", "new")])
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.text());
    let mut form: Vec<(String, String)> = vec![("present".into(), "1".into())];
    for i in 0..20_000 {
        form.push((format!("t1_resp_{i}_name"), "x".into()));
    }
    let refs: Vec<(&str, &str)> = form.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
    for action in ["check", "draft", "submit"] {
        let r = app
            .post_form(&format!("/societies/A-01/plans/2017/{action}"), &refs)
            .await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{action}");
        assert!(
            r.text().contains("表单字段过多（20001 个，最多 4000 个）"),
            "{action}: {}",
            r.text()
        );
    }
    let plan = app.get("/societies/A-01/plans/2017").await.text();
    assert!(!plan.contains("value=\"x\""));
    // 51 responsible people for one task: refused at that list.
    let mut form: Vec<(String, String)> = vec![("present".into(), "1".into())];
    for i in 0..51 {
        form.push((format!("t1_resp_{i}_name"), format!("人{i}")));
    }
    let refs: Vec<(&str, &str)> = form.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
    let r = app
        .post_form("/societies/A-01/plans/2017/draft", &refs)
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.text().contains("此列表最多 50 行。"), "{}", r.text());
    // Negative control: 50 are saved.
    let refs = &refs[..51];
    let r = app
        .post_form("/societies/A-01/plans/2017/draft", refs)
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.text());
    let plan = app.get("/societies/A-01/plans/2017").await.text();
    assert!(plan.contains("人49"));
}
both!(huge_plan_forms_are_refused);

/// A sign-in from a given peer address (the connection's, as `serve` sets it).
async fn login_from(app: &TestApp, ip: &str, username: &str, password: &str) -> StatusCode {
    login_via(app, ip, None, username, password).await
}

/// A sign-in from `peer`, with an optional `X-Forwarded-For`.
async fn login_via(
    app: &TestApp,
    peer: &str,
    forwarded: Option<&str>,
    username: &str,
    password: &str,
) -> StatusCode {
    use tower::ServiceExt;
    let body = format!("username={}&password={}", enc(username), enc(password));
    let addr: std::net::SocketAddr = std::net::SocketAddr::new(peer.parse().unwrap(), 40000);
    let mut req = http::Request::builder()
        .method(Method::POST)
        .uri("/login")
        .header("host", "rw.test")
        .header("origin", "http://rw.test")
        .header("content-type", "application/x-www-form-urlencoded");
    if let Some(f) = forwarded {
        req = req.header("x-forwarded-for", f);
    }
    let mut req = req.body(axum::body::Body::from(body)).unwrap();
    req.extensions_mut()
        .insert(axum::extract::ConnectInfo(addr));
    app.router.clone().oneshot(req).await.unwrap().status()
}

/// The address the last sign-in was audited with.
async fn last_login_ip(app: &TestApp) -> String {
    let after: String = sqlx::query_scalar(
        "SELECT after_json FROM audit_log WHERE action = 'session.login' ORDER BY seq DESC LIMIT 1",
    )
    .fetch_one(&app.db().pool)
    .await
    .unwrap();
    let v: serde_json::Value = serde_json::from_str(&after).unwrap();
    v["ip"].as_str().unwrap().to_string()
}

/// Finding 2: 40 parallel wrong passwords for one account from one address: at most the
/// limit (5) are even checked (401), every other one is refused before checking (429).
async fn parallel_guesses_are_throttled(app: TestApp) {
    app.user("victim", Role::Reviewer, None).await;
    let app = std::sync::Arc::new(app);
    let mut tasks = Vec::new();
    for i in 0..40 {
        let app = app.clone();
        tasks.push(tokio::spawn(async move {
            login_from(&app, "203.0.113.7", "victim", &format!("wrong-guess-{i}")).await
        }));
    }
    let mut unauthorized = 0;
    let mut throttled = 0;
    for t in tasks {
        match t.await.unwrap() {
            StatusCode::UNAUTHORIZED => unauthorized += 1,
            StatusCode::TOO_MANY_REQUESTS => throttled += 1,
            other => panic!("unexpected {other}"),
        }
    }
    assert!(unauthorized <= 5, "{unauthorized} answered 401");
    assert_eq!(unauthorized + throttled, 40);
    assert!(unauthorized >= 1);
    // The right password from that address is refused too now.
    assert_eq!(
        login_from(&app, "203.0.113.7", "victim", crate::PASSWORD).await,
        StatusCode::TOO_MANY_REQUESTS
    );
}
both!(parallel_guesses_are_throttled);

/// Finding 3: an attacker's failures from other addresses do not lock the real user out.
async fn attacker_cannot_lock_the_user_out(app: TestApp) {
    app.user("victim", Role::Reviewer, None).await;
    // 5 wrong tries from one address, then 6 from 6 more addresses (the issue's renewal).
    for _ in 0..5 {
        assert_eq!(
            login_from(&app, "198.51.100.1", "victim", "wrong-pass-x").await,
            StatusCode::UNAUTHORIZED
        );
    }
    assert_eq!(
        login_from(&app, "198.51.100.1", "victim", "wrong-pass-x").await,
        StatusCode::TOO_MANY_REQUESTS
    );
    for i in 2..8 {
        assert_eq!(
            login_from(&app, &format!("198.51.100.{i}"), "victim", "wrong-pass-x").await,
            StatusCode::UNAUTHORIZED
        );
    }
    // The real user, from their own address, gets in (after the short progressive delay).
    assert_eq!(
        login_from(&app, "192.0.2.10", "victim", crate::PASSWORD).await,
        StatusCode::SEE_OTHER
    );
    // Negative control: the attacker's first address is still blocked.
    assert_eq!(
        login_from(&app, "198.51.100.1", "victim", crate::PASSWORD).await,
        StatusCode::TOO_MANY_REQUESTS
    );
}
both!(attacker_cannot_lock_the_user_out);

async fn drop_audit_protection(app: &TestApp) {
    let sql = if app.backend == crate::Backend::Sqlite {
        vec![
            "DROP TRIGGER audit_log_no_update",
            "DROP TRIGGER audit_log_no_delete",
        ]
    } else {
        vec!["DROP TRIGGER audit_log_no_update ON audit_log"]
    };
    for s in sql {
        sqlx::query(s).execute(&app.db().pool).await.unwrap();
    }
}

/// Finding 6: the signed head is written with every append and printed by `audit head`.
async fn audit_head_follows_every_append(app: TestApp) {
    use reformwatch::db::audit;
    app.registry().await;
    assert_eq!(audit::verify_all(app.db()).await.unwrap(), Ok(210));
    let head = reformwatch::service::audit::head(&app.state)
        .await
        .unwrap()
        .unwrap();
    let last: String = sqlx::query_scalar("SELECT hash FROM audit_log WHERE seq = 210")
        .fetch_one(&app.db().pool)
        .await
        .unwrap();
    assert_eq!(head.seq, 210);
    assert_eq!(head.hash, last);
    assert_eq!(head.mac.len(), 64);
    assert_eq!(
        reformwatch::service::audit::head_line(&head),
        format!("#210 {last} hmac-sha256:{}", head.mac)
    );
    // The key file is private to its owner.
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let key = app.state.config.data_dir.join("audit.key");
        let mode = std::fs::metadata(key).unwrap().permissions().mode();
        assert_eq!(mode & 0o777, 0o600);
    }
}
both!(audit_head_follows_every_append);

/// Finding 6: cutting the last entries off is detected (the chain alone still verifies).
async fn audit_truncation_is_detected(app: TestApp) {
    use reformwatch::db::audit::{self, Broken};
    app.registry().await;
    drop_audit_protection(&app).await;
    sqlx::query("DELETE FROM audit_log WHERE seq > 205")
        .execute(&app.db().pool)
        .await
        .unwrap();
    assert_eq!(
        audit::verify(app.db()).await.unwrap(),
        Ok(205),
        "chain alone"
    );
    assert_eq!(
        audit::verify_all(app.db()).await.unwrap(),
        Err(Broken::Truncated {
            head_seq: 210,
            last_seq: 205
        })
    );
    // Moving the head back without the key does not help.
    let hash: String = sqlx::query_scalar("SELECT hash FROM audit_log WHERE seq = 205")
        .fetch_one(&app.db().pool)
        .await
        .unwrap();
    sqlx::query("UPDATE audit_head SET seq = 205, hash = $1")
        .bind(&hash)
        .execute(&app.db().pool)
        .await
        .unwrap();
    assert_eq!(
        audit::verify_all(app.db()).await.unwrap(),
        Err(Broken::HeadUnsigned)
    );
    // Nor does resetting it to the first-start marker (the key already exists).
    sqlx::query("UPDATE audit_head SET seq = 0, hash = '', mac = 'adopt'")
        .execute(&app.db().pool)
        .await
        .unwrap();
    let sibling = app.sibling().await;
    assert_eq!(
        audit::verify_all(sibling.db()).await.unwrap(),
        Err(Broken::HeadUnsigned)
    );
}
both!(audit_truncation_is_detected);

/// Finding 6: an emptied trail in a database with data is broken.
async fn emptied_audit_trail_is_detected(app: TestApp) {
    use reformwatch::db::audit::{self, Broken};
    app.registry().await;
    drop_audit_protection(&app).await;
    sqlx::query("DELETE FROM audit_log")
        .execute(&app.db().pool)
        .await
        .unwrap();
    assert_eq!(audit::verify(app.db()).await.unwrap(), Ok(0), "chain alone");
    assert_eq!(
        audit::verify_all(app.db()).await.unwrap(),
        Err(Broken::Truncated {
            head_seq: 210,
            last_seq: 0
        })
    );
    sqlx::query("DELETE FROM audit_head")
        .execute(&app.db().pool)
        .await
        .unwrap();
    assert_eq!(
        audit::verify_all(app.db()).await.unwrap(),
        Err(Broken::Emptied)
    );
}
both!(emptied_audit_trail_is_detected);

/// Finding 6: editing an entry and recomputing the (unkeyed) chain after it is detected.
async fn recomputed_audit_chain_is_detected(app: TestApp) {
    use reformwatch::db::audit::{self, Broken, entry_hash};
    use sqlx::Row;
    app.registry().await;
    drop_audit_protection(&app).await;
    let pool = &app.db().pool;
    sqlx::query("UPDATE audit_log SET after_json = '{\"name\":\"forged\"}' WHERE seq = 7")
        .execute(pool)
        .await
        .unwrap();
    // Recompute every hash from 7 on, as an attacker knowing the algorithm would.
    let rows = sqlx::query(
        "SELECT seq, at, actor, action, object_type, object_id, before_json, after_json FROM audit_log WHERE seq >= 6 ORDER BY seq",
    )
    .fetch_all(pool)
    .await
    .unwrap();
    let mut prev: String = sqlx::query_scalar("SELECT hash FROM audit_log WHERE seq = 6")
        .fetch_one(pool)
        .await
        .unwrap();
    for row in rows.iter().skip(1) {
        let seq: i64 = row.get(0);
        let before: Option<String> = row.get(6);
        let after: Option<String> = row.get(7);
        let hash = entry_hash(
            seq,
            &row.get::<String, _>(1),
            &row.get::<String, _>(2),
            &row.get::<String, _>(3),
            &row.get::<String, _>(4),
            &row.get::<String, _>(5),
            before.as_deref(),
            after.as_deref(),
            &prev,
        );
        sqlx::query("UPDATE audit_log SET prev_hash = $1, hash = $2 WHERE seq = $3")
            .bind(&prev)
            .bind(&hash)
            .bind(seq)
            .execute(pool)
            .await
            .unwrap();
        prev = hash;
    }
    assert_eq!(
        audit::verify(app.db()).await.unwrap(),
        Ok(210),
        "chain alone"
    );
    assert_eq!(
        audit::verify_all(app.db()).await.unwrap(),
        Err(Broken::Rewritten { seq: 210 })
    );
    // Pointing the head at the new last hash needs the key.
    sqlx::query("UPDATE audit_head SET hash = $1")
        .bind(&prev)
        .execute(pool)
        .await
        .unwrap();
    assert_eq!(
        audit::verify_all(app.db()).await.unwrap(),
        Err(Broken::HeadUnsigned)
    );
}
both!(recomputed_audit_chain_is_detected);

/// Finding 7: API tokens stop working when the password, role, society or disabled flag
/// changes, and when they expire; the account page shows last use and expiry in Beijing time.
async fn tokens_are_revoked_and_expire(app: TestApp) {
    use reformwatch::db::users;
    app.registry().await;
    let admin = app.admin_token().await;
    let u = app.user("tok", Role::SocietyEditor, Some("A-01")).await;
    let me = |t: String| {
        let app = &app;
        async move { app.get_with_token("/api/v1/me", &t).await.status }
    };
    // Password change (through the account page) revokes.
    let t1 = app.token_for("tok").await;
    assert_eq!(me(t1.clone()).await, StatusCode::OK);
    app.login("tok").await;
    let r = app
        .post_form(
            "/account/password",
            &[
                ("current", crate::PASSWORD),
                ("new_password", "another-long-password-1"),
            ],
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.text());
    assert_eq!(me(t1).await, StatusCode::UNAUTHORIZED);
    // Role change revokes; a display-name change does not (negative control).
    let path = format!("/api/v1/users/{}", u.id);
    let t2 = app.token_for("tok").await;
    let r = app
        .json(
            Method::PATCH,
            &path,
            &serde_json::json!({"display_name": "T"}),
            Some(&admin),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text());
    assert_eq!(me(t2.clone()).await, StatusCode::OK);
    let r = app
        .json(
            Method::PATCH,
            &path,
            &serde_json::json!({"role": "society_viewer"}),
            Some(&admin),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text());
    assert_eq!(me(t2).await, StatusCode::UNAUTHORIZED);
    // Society change revokes.
    let t3 = app.token_for("tok").await;
    let r = app
        .json(
            Method::PATCH,
            &path,
            &serde_json::json!({"society": "A-02"}),
            Some(&admin),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text());
    assert_eq!(me(t3).await, StatusCode::UNAUTHORIZED);
    // Disabling revokes for good: enabling again does not bring the token back.
    let t4 = app.token_for("tok").await;
    for disabled in [true, false] {
        let r = app
            .json(
                Method::PATCH,
                &path,
                &serde_json::json!({"disabled": disabled}),
                Some(&admin),
            )
            .await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.text());
    }
    assert_eq!(me(t4).await, StatusCode::UNAUTHORIZED);
    let n: i64 = sqlx::query_scalar(
        "SELECT COUNT(*) FROM audit_log WHERE action = 'token.revoke_all' AND object_id = 'tok'",
    )
    .fetch_one(&app.db().pool)
    .await
    .unwrap();
    assert_eq!(n, 4);
    // Expiry: 90 days by default.
    let t5 = app.token_for("tok").await;
    app.state.clock.advance(chrono::Duration::days(89));
    let used_from = app.state.clock.now();
    assert_eq!(me(t5.clone()).await, StatusCode::OK);
    let used_to = app.state.clock.now();
    app.state.clock.advance(chrono::Duration::days(2));
    assert_eq!(me(t5).await, StatusCode::UNAUTHORIZED);
    // The account page: last use and expiry in Beijing time, the expired mark.
    let u = users::by_username(app.db(), "tok").await.unwrap().unwrap();
    assert!(!u.user.disabled);
    app.forget_cookies();
    let r = app
        .post_form(
            "/login",
            &[("username", "tok"), ("password", "another-long-password-1")],
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.text());
    let page = app.get("/account").await.text();
    let bj = |t: chrono::DateTime<chrono::Utc>| {
        (t + chrono::Duration::hours(8))
            .format("%Y-%m-%d %H:%M")
            .to_string()
    };
    assert!(
        page.contains(&bj(used_from)) || page.contains(&bj(used_to)),
        "last used {}: {page}",
        bj(used_from)
    );
    assert!(page.contains("已过期"), "{page}");
    assert!(page.contains("有效期至"));
}
both!(tokens_are_revoked_and_expire);

/// Finding 8: with trusted proxies, the client is the right-most untrusted hop; a forged
/// left part of `X-Forwarded-For` neither reaches the audit trail nor escapes throttling.
async fn forwarded_for_is_read_from_the_right(app: TestApp) {
    app.user("px", Role::Reviewer, None).await;
    let ok = |peer: &'static str, fwd: Option<&'static str>| {
        let app = &app;
        async move {
            assert_eq!(
                login_via(app, peer, fwd, "px", crate::PASSWORD).await,
                StatusCode::SEE_OTHER
            );
            last_login_ip(app).await
        }
    };
    // Two trusted proxies in a row; the client forged a left-most entry.
    assert_eq!(
        ok("10.0.0.5", Some("6.6.6.6, 203.0.113.9, 10.0.0.7")).await,
        "203.0.113.9"
    );
    assert_eq!(ok("10.0.0.5", Some("203.0.113.9")).await, "203.0.113.9");
    // A peer that is not a trusted proxy is the client, whatever it claims.
    assert_eq!(
        ok("198.51.100.1", Some("203.0.113.9")).await,
        "198.51.100.1"
    );
    // Unreadable header: the peer.
    assert_eq!(ok("10.0.0.5", Some("203.0.113.9, bogus")).await, "10.0.0.5");
    // Rotating the forged part does not defeat throttling: 5 failures, then 429.
    for i in 0..5 {
        let fwd = format!("6.6.6.{i}, 203.0.113.50");
        let fwd: &'static str = Box::leak(fwd.into_boxed_str());
        assert_eq!(
            login_via(&app, "10.0.0.5", Some(fwd), "px", "wrong-password-1").await,
            StatusCode::UNAUTHORIZED
        );
    }
    assert_eq!(
        login_via(
            &app,
            "10.0.0.5",
            Some("6.6.6.99, 203.0.113.50"),
            "px",
            "wrong-password-1"
        )
        .await,
        StatusCode::TOO_MANY_REQUESTS
    );
}

mod forwarded_for {
    async fn app(
        backend: crate::Backend,
        configure: impl FnOnce(&mut reformwatch::Config),
    ) -> crate::TestApp {
        crate::TestApp::new_with(backend, configure).await
    }
    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn sqlite() {
        super::forwarded_for_is_read_from_the_right(
            app(crate::Backend::Sqlite, |c| {
                c.trusted_proxies = vec!["10.0.0.0/8".into()]
            })
            .await,
        )
        .await;
    }
    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn postgres() {
        super::forwarded_for_is_read_from_the_right(
            app(crate::Backend::Postgres, |c| {
                c.trusted_proxies = vec!["10.0.0.0/8".into()]
            })
            .await,
        )
        .await;
    }
    /// `trust_proxy = true` alone trusts the peer only: the right-most entry, not the first.
    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn trust_proxy_alone_takes_the_last_hop() {
        let app = app(crate::Backend::Sqlite, |c| c.trust_proxy = true).await;
        app.user("px", reformwatch::model::Role::Reviewer, None)
            .await;
        let s = super::login_via(
            &app,
            "127.0.0.1",
            Some("6.6.6.6, 203.0.113.9"),
            "px",
            crate::PASSWORD,
        )
        .await;
        assert_eq!(s, http::StatusCode::SEE_OTHER);
        assert_eq!(super::last_login_ip(&app).await, "203.0.113.9");
    }
}

/// An editor of A-01 with a token, and the 2017 reform plan opened.
async fn editor_with_plan(app: &TestApp) -> String {
    app.registry().await;
    app.user("ed", Role::SocietyEditor, Some("A-01")).await;
    let token = app.token_for("ed").await;
    let r = app
        .json(
            Method::POST,
            "/api/v1/societies/A-01/plans/2017",
            &serde_json::json!({"from": "new"}),
            Some(&token),
        )
        .await;
    assert!(r.status.is_success(), "{}", r.text());
    token
}

/// Finding 5: every text and list has a maximum; a large value is audited as digest + length.
async fn long_texts_are_bounded_and_audited_by_digest(app: TestApp) {
    use sha2::{Digest, Sha256};
    let token = editor_with_plan(&app).await;
    let put = |body: serde_json::Value| {
        let (app, token) = (&app, token.clone());
        async move {
            app.json(
                Method::PUT,
                "/api/v1/societies/A-01/plans/2017/draft",
                &body,
                Some(&token),
            )
            .await
        }
    };
    let r = put(serde_json::json!({"summary": "长".repeat(20_001), "tasks": []})).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.text());
    let e = &r.json()["errors"][0];
    assert_eq!(e["field"], "summary");
    assert_eq!(e["code"], "too-long");
    let many: Vec<serde_json::Value> = (0..51)
        .map(|i| serde_json::json!({"name": format!("人{i}"), "position": "x"}))
        .collect();
    let r = put(serde_json::json!({"tasks": [{"number": 1, "responsible": many}]})).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.text());
    assert_eq!(r.json()["errors"][0]["field"], "tasks[0].responsible");
    let r = put(serde_json::json!({"tasks": [{"number": 1, "notes": "x".repeat(5_001)}]})).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.text());
    assert_eq!(r.json()["errors"][0]["field"], "tasks[0].notes");
    // At the limit: stored; the audit entry holds the digest and length, not the text.
    let summary = "长".repeat(20_000);
    let r = put(serde_json::json!({"summary": summary, "tasks": []})).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text());
    let after: String =
        sqlx::query_scalar("SELECT after_json FROM audit_log ORDER BY seq DESC LIMIT 1")
            .fetch_one(&app.db().pool)
            .await
            .unwrap();
    assert!(after.len() < 2_000, "{} bytes", after.len());
    let v: serde_json::Value = serde_json::from_str(&after).unwrap();
    assert_eq!(
        v["summary"],
        serde_json::json!({
            "sha256": hex::encode(Sha256::digest(summary.as_bytes())),
            "bytes": 60_000,
            "chars": 20_000,
        })
    );
}
both!(long_texts_are_bounded_and_audited_by_digest);

/// Finding 9: a plan target may link only an integer fact the catalogue declares.
async fn targets_name_declared_facts_only(app: TestApp) {
    let token = editor_with_plan(&app).await;
    let target = |fact: &str| {
        serde_json::json!({"tasks": [{"number": 1, "targets": [
            {"metric": "会员", "target": 10, "due": "2017-12-31", "fact": fact}
        ]}]})
    };
    for (fact, status) in [
        ("password_hash", StatusCode::UNPROCESSABLE_ENTITY),
        ("has_office", StatusCode::UNPROCESSABLE_ENTITY),
        ("members_now", StatusCode::OK),
    ] {
        let r = app
            .json(
                Method::PUT,
                "/api/v1/societies/A-01/plans/2017/draft",
                &target(fact),
                Some(&token),
            )
            .await;
        assert_eq!(r.status, status, "{fact}: {}", r.text());
        if status != StatusCode::OK {
            assert_eq!(r.json()["errors"][0]["field"], "tasks[0].targets[0].fact");
        }
    }
    // Integer bounds on targets, and on facts.
    let r = app
        .json(
            Method::PUT,
            "/api/v1/societies/A-01/plans/2017/draft",
            &serde_json::json!({"tasks": [{"number": 1, "targets": [{"metric": "m", "target": i64::MAX}]}]}),
            Some(&token),
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.text());
    let r = app
        .json(
            Method::PUT,
            "/api/v1/societies/A-01/facts?year=2017",
            &serde_json::json!({"as_of": "2017-06-30", "values": {"members_now": i64::MAX}}),
            Some(&token),
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.text());
    assert_eq!(r.json()["errors"][0]["field"], "members_now");
}
both!(targets_name_declared_facts_only);

async fn upload_evidence(app: &TestApp, token: &str, fields: &[(&str, &str)]) -> crate::Resp {
    let boundary = "----rwsecboundary2";
    let mut form = Vec::new();
    for (k, v) in fields {
        form.extend_from_slice(
            format!("--{boundary}\r\nContent-Disposition: form-data; name=\"{k}\"\r\n\r\n{v}\r\n")
                .as_bytes(),
        );
    }
    form.extend_from_slice(
        format!("--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"m.csv\"\r\n\r\nname,count\r\nA,1\r\n")
            .as_bytes(),
    );
    form.extend_from_slice(format!("--{boundary}--\r\n").as_bytes());
    let auth = format!("Bearer {token}");
    app.request(
        Method::POST,
        "/api/v1/societies/A-01/evidence",
        Some(&format!("multipart/form-data; boundary={boundary}")),
        form,
        &[("authorization", &auth)],
    )
    .await
}

/// Findings 5 and 9: evidence names a real year, task, reporting month and fact; its text
/// parts are bounded (a 30 MiB part is refused without being stored).
async fn evidence_owner_is_validated(app: TestApp) {
    app.registry().await;
    app.user("ed", Role::SocietyEditor, Some("A-01")).await;
    let token = app.token_for("ed").await;
    for (fields, field) in [
        (
            vec![
                ("owner_type", "fact"),
                ("year", "-5"),
                ("field", "members_now"),
            ],
            "year",
        ),
        (
            vec![
                ("owner_type", "plan_task"),
                ("year", "2017"),
                ("task", "999"),
            ],
            "task",
        ),
        (
            vec![("owner_type", "report"), ("year", "2017"), ("month", "3")],
            "month",
        ),
        (
            vec![("owner_type", "report"), ("year", "2017"), ("month", "13")],
            "month",
        ),
        (
            vec![
                ("owner_type", "fact"),
                ("year", "2017"),
                ("field", "password_hash"),
            ],
            "field",
        ),
    ] {
        let r = upload_evidence(&app, &token, &fields).await;
        assert_eq!(
            r.status,
            StatusCode::UNPROCESSABLE_ENTITY,
            "{fields:?}: {}",
            r.text()
        );
        assert_eq!(r.json()["errors"][0]["field"], field, "{fields:?}");
    }
    let big = "x".repeat(30 * 1024 * 1024);
    let r = upload_evidence(
        &app,
        &token,
        &[("owner_type", "fact"), ("year", "2017"), ("field", &big)],
    )
    .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(r.json()["errors"][0]["field"], "field");
    // Refused for its length (not as an unknown fact name, nor as an unreadable upload).
    assert_eq!(r.json()["errors"][0]["code"], "too-long", "{}", r.text());
    let n: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM evidence")
        .fetch_one(&app.db().pool)
        .await
        .unwrap();
    assert_eq!(n, 0);
    // Negative control: valid owners are accepted.
    for fields in [
        vec![
            ("owner_type", "fact"),
            ("year", "2017"),
            ("field", "members_now"),
        ],
        vec![
            ("owner_type", "plan_task"),
            ("year", "2017"),
            ("task", "13"),
        ],
        vec![("owner_type", "report"), ("year", "2017"), ("month", "6")],
    ] {
        let r = upload_evidence(&app, &token, &fields).await;
        assert_eq!(r.status, StatusCode::CREATED, "{fields:?}: {}", r.text());
    }
}
both!(evidence_owner_is_validated);

/// Finding 9: JSON endpoints take JSON only; axum's own rejections use the JSON envelope.
async fn api_errors_use_the_envelope(app: TestApp) {
    app.registry().await;
    app.user("ed", Role::SocietyEditor, Some("A-01")).await;
    let token = app.token_for("ed").await;
    let auth = format!("Bearer {token}");
    let body = br#"{"as_of": "2017-06-30", "values": {"members_now": 5}}"#.to_vec();
    let r = app
        .request(
            Method::PUT,
            "/api/v1/societies/A-01/facts?year=2017",
            Some("text/plain"),
            body.clone(),
            &[("authorization", &auth)],
        )
        .await;
    assert_eq!(r.status, StatusCode::UNSUPPORTED_MEDIA_TYPE, "{}", r.text());
    assert_eq!(r.json()["errors"][0]["code"], "unsupported_media");
    // Negative control: the same body as JSON is stored.
    let r = app
        .request(
            Method::PUT,
            "/api/v1/societies/A-01/facts?year=2017",
            Some("application/json; charset=utf-8"),
            body,
            &[("authorization", &auth)],
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text());
    // Over the body limit: 413 in the envelope.
    let huge = format!("{{\"values\": \"{}\"}}", "x".repeat(21 * 1024 * 1024));
    let r = app
        .request(
            Method::POST,
            "/api/v1/rules/check",
            Some("application/json"),
            huge.into_bytes(),
            &[],
        )
        .await;
    assert_eq!(r.status, StatusCode::PAYLOAD_TOO_LARGE, "{}", r.text());
    assert_eq!(r.json()["errors"][0]["code"], "too_large");
    // Unreadable and repeated query fields: 400 in the envelope.
    let admin = app.admin_token().await;
    for q in ["before_seq=abc", "actor=a&actor=b"] {
        let r = app
            .get_with_token(&format!("/api/v1/audit?{q}"), &admin)
            .await;
        assert_eq!(r.status, StatusCode::BAD_REQUEST, "{q}: {}", r.text());
        assert_eq!(r.json()["errors"][0]["code"], "bad-request", "{q}");
    }
}
both!(api_errors_use_the_envelope);

/// Finding 9: with an https public URL, cookies are Secure and responses carry HSTS.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn https_public_url_means_secure_cookies_and_hsts() {
    let app = TestApp::new_with(crate::Backend::Sqlite, |c| {
        c.public_url = "https://rw.test".into()
    })
    .await;
    app.user("sec", Role::Reviewer, None).await;
    let body = format!("username=sec&password={}", enc(crate::PASSWORD));
    let r = app
        .request(
            Method::POST,
            "/login",
            Some("application/x-www-form-urlencoded"),
            body.into_bytes(),
            &[("origin", "https://rw.test")],
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.text());
    assert!(
        r.header("set-cookie").contains("; Secure"),
        "{}",
        r.header("set-cookie")
    );
    assert_eq!(r.header("strict-transport-security"), "max-age=31536000");
    // The scheme counts: an http Origin is not ours.
    let r = app
        .request(
            Method::POST,
            "/lang",
            Some("application/x-www-form-urlencoded"),
            b"lang=en".to_vec(),
            &[("origin", "http://rw.test")],
        )
        .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    // Negative control: plain http deployments send neither.
    let plain = TestApp::new(crate::Backend::Sqlite).await;
    let r = plain.get("/login").await;
    assert_eq!(r.header("strict-transport-security"), "");
}

/// Finding 9: the current-password check on the account page is throttled like a sign-in.
async fn current_password_check_is_throttled(app: TestApp) {
    app.user("cp", Role::Reviewer, None).await;
    app.login("cp").await;
    for _ in 0..5 {
        let r = app
            .post_form(
                "/account/password",
                &[
                    ("current", "not-my-password"),
                    ("new_password", "another-long-password-1"),
                ],
            )
            .await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    }
    let r = app
        .post_form(
            "/account/password",
            &[
                ("current", crate::PASSWORD),
                ("new_password", "another-long-password-1"),
            ],
        )
        .await;
    assert_eq!(r.status, StatusCode::TOO_MANY_REQUESTS);
    assert!(!r.header("retry-after").is_empty());
    // Sign-in itself is a separate count: still possible.
    app.login("cp").await;
}
both!(current_password_check_is_throttled);

/// Issue 9: a busy database answers 503 with Retry-After, not 500 (SQLite: another
/// connection holds the write lock longer than the busy timeout).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn busy_database_answers_503() {
    use sqlx::Connection;
    let app = TestApp::new(crate::Backend::Sqlite).await;
    app.registry().await;
    let admin = app.admin_token().await;
    let url = app.state.config.database_url();
    let mut holder = sqlx::AnyConnection::connect(&url).await.unwrap();
    sqlx::query("BEGIN IMMEDIATE")
        .execute(&mut holder)
        .await
        .unwrap();
    let r = app
        .json(
            Method::PUT,
            "/api/v1/societies/A-01",
            &serde_json::json!({"code": "A-01", "name": "改名", "short_name": "", "group": "理科"}),
            Some(&admin),
        )
        .await;
    sqlx::query("ROLLBACK").execute(&mut holder).await.unwrap();
    assert_eq!(r.status, StatusCode::SERVICE_UNAVAILABLE, "{}", r.text());
    assert_eq!(r.header("retry-after"), "1");
    assert_eq!(r.json()["errors"][0]["code"], "db_busy");
}

/// Issue 9 ("a busy database gives 503 with Retry-After, not 500"), on PostgreSQL: another
/// connection holds `LOCK TABLE audit_log IN ACCESS EXCLUSIVE MODE` in an open transaction,
/// so every write waits at its audit entry until the configured `pg_lock_timeout_ms` gives up
/// (SQLSTATE 55P03). The API answers 503 + Retry-After + `db_busy`, a page form the busy page;
/// nothing is half-written (the change made before the audit entry is rolled back with it).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn busy_database_answers_503_on_postgres() {
    use sqlx::Connection;
    let app = TestApp::new_with(crate::Backend::Postgres, |c| c.pg_lock_timeout_ms = 300).await;
    app.registry().await;
    let admin = app.admin_token().await;
    app.user("boss", Role::Admin, None).await;
    app.login("boss").await;
    let pool = &app.db().pool;
    let audit_count = || async {
        sqlx::query_scalar::<_, i64>("SELECT COUNT(*) FROM audit_log")
            .fetch_one(pool)
            .await
            .unwrap()
    };
    let name_of = |code: &'static str| async move {
        sqlx::query_scalar::<_, String>("SELECT name FROM societies WHERE code = $1")
            .bind(code)
            .fetch_optional(pool)
            .await
            .unwrap()
    };
    let before = audit_count().await;
    let old_name = name_of("A-01").await.unwrap();
    let rename = serde_json::json!({"code": "A-01", "name": "改名学会", "short_name": "", "discipline_group": "理科"});
    let new_society = [
        ("code", "A-99"),
        ("name", "新建测试学会"),
        ("discipline_group", "理科"),
    ];

    let mut holder = sqlx::AnyConnection::connect(&app.state.config.database_url())
        .await
        .unwrap();
    sqlx::query("BEGIN").execute(&mut holder).await.unwrap();
    sqlx::query("LOCK TABLE audit_log IN ACCESS EXCLUSIVE MODE")
        .execute(&mut holder)
        .await
        .unwrap();
    let t = std::time::Instant::now();
    let api = app
        .json(Method::PUT, "/api/v1/societies/A-01", &rename, Some(&admin))
        .await;
    let api_took = t.elapsed();
    let page = app.post_form("/societies", &new_society).await;
    sqlx::query("ROLLBACK").execute(&mut holder).await.unwrap();

    assert_eq!(
        api.status,
        StatusCode::SERVICE_UNAVAILABLE,
        "{}",
        api.text()
    );
    assert_eq!(api.header("retry-after"), "1");
    assert_eq!(api.json()["errors"][0]["code"], "db_busy", "{}", api.text());
    // It gave up at the lock timeout, not after a pool or client timeout.
    assert!(api_took < std::time::Duration::from_secs(5), "{api_took:?}");
    assert_eq!(
        page.status,
        StatusCode::SERVICE_UNAVAILABLE,
        "{}",
        page.text()
    );
    assert_eq!(page.header("retry-after"), "1");
    assert!(
        page.header("content-type").starts_with("text/html"),
        "{}",
        page.header("content-type")
    );
    assert!(
        page.text().contains("数据库正忙，请稍后重试。"),
        "{}",
        page.text()
    );
    // Nothing half-written.
    assert_eq!(audit_count().await, before);
    assert_eq!(name_of("A-01").await.unwrap(), old_name);
    assert_eq!(name_of("A-99").await, None);

    // Negative control: with the lock released, the same requests go through.
    let api = app
        .json(Method::PUT, "/api/v1/societies/A-01", &rename, Some(&admin))
        .await;
    assert_eq!(api.status, StatusCode::OK, "{}", api.text());
    assert_eq!(name_of("A-01").await.unwrap(), "改名学会");
    let page = app.post_form("/societies", &new_society).await;
    assert_eq!(page.status, StatusCode::SEE_OTHER, "{}", page.text());
    assert_eq!(name_of("A-99").await.unwrap(), "新建测试学会");
    assert_eq!(audit_count().await, before + 2);
}

/// Issue 9 findings 5 and 9: `/api/openapi.json` describes the evidence endpoints with every
/// status they answer, and shows each bounded text and list with its limit as `maxLength` /
/// `maxItems`, equal to the constants the checks use; one character over a documented limit is
/// refused with the documented 422, at the limit it is stored.
async fn api_schema_shows_limits_and_evidence(app: TestApp) {
    use reformwatch::http::upload::MAX_TEXT_PART;
    use reformwatch::service::limits::{LONG_TEXT, MAX_ROWS, MAX_TASKS, REASON, SHORT_TEXT, TEXT};
    let r = app.get("/api/openapi.json").await;
    assert_eq!(r.status, StatusCode::OK);
    let doc = r.json();
    let s = &doc["components"]["schemas"];
    let report = &s["ReportDraft"]["properties"];
    assert_eq!(report["narrative"]["maxLength"], LONG_TEXT);
    assert_eq!(report["tasks"]["maxItems"], MAX_TASKS);
    let report_task = &report["tasks"]["items"]["properties"];
    assert_eq!(report_task["progress"]["maxLength"], TEXT);
    assert_eq!(report_task["blocked_reason"]["maxLength"], TEXT);
    assert_eq!(report_task["values"]["maxItems"], MAX_ROWS);
    assert_eq!(report_task["milestones_reached"]["maxItems"], MAX_ROWS);
    let plan = &s["ReformPlanDraft"]["properties"];
    assert_eq!(plan["summary"]["maxLength"], LONG_TEXT);
    assert_eq!(plan["tasks"]["maxItems"], MAX_TASKS);
    let task = &plan["tasks"]["items"]["properties"];
    assert_eq!(task["notes"]["maxLength"], TEXT);
    for list in ["responsible", "targets", "milestones"] {
        assert_eq!(task[list]["maxItems"], MAX_ROWS, "{list}");
    }
    assert_eq!(
        task["responsible"]["items"]["properties"]["name"]["maxLength"],
        SHORT_TEXT
    );
    assert_eq!(
        task["targets"]["items"]["properties"]["metric"]["maxLength"],
        SHORT_TEXT
    );
    let rect = &s["RectificationPlanDraft"]["properties"];
    assert_eq!(rect["analysis"]["maxLength"], LONG_TEXT);
    assert_eq!(rect["problems"]["maxItems"], MAX_ROWS);
    assert_eq!(
        rect["measures"]["items"]["properties"]["what"]["maxLength"],
        TEXT
    );
    assert_eq!(
        s["ReviewRequest"]["properties"]["comment"]["maxLength"],
        TEXT
    );
    assert_eq!(
        s["ReviewRequest"]["properties"]["task_comments"]["maxProperties"],
        MAX_TASKS
    );
    assert_eq!(
        s["ReviewRequest"]["properties"]["task_comments"]["additionalProperties"]["maxLength"],
        TEXT
    );
    assert_eq!(
        s["ReportReviewRequest"]["properties"]["comment"]["maxLength"],
        TEXT
    );
    assert_eq!(
        s["RectificationRequest"]["properties"]["reason"]["maxLength"],
        REASON
    );
    for part in ["owner_type", "year", "month", "task", "field"] {
        assert_eq!(
            s["EvidenceUpload"]["properties"][part]["maxLength"], MAX_TEXT_PART,
            "{part}"
        );
    }
    // The draft operations refer to these schemas.
    let paths = &doc["paths"];
    let body_ref = |path: &str, method: &str, ct: &str| {
        paths[path][method]["requestBody"]["content"][ct]["schema"]["$ref"]
            .as_str()
            .unwrap_or("")
            .to_string()
    };
    assert_eq!(
        body_ref(
            "/api/v1/societies/{code}/reports/{year}/{month}/draft",
            "put",
            "application/json"
        ),
        "#/components/schemas/ReportDraft"
    );
    assert_eq!(
        body_ref(
            "/api/v1/societies/{code}/plans/{year}/draft",
            "put",
            "application/json"
        ),
        "#/components/schemas/PlanDraft"
    );
    // The evidence endpoints, with every status they answer.
    assert_eq!(
        body_ref(
            "/api/v1/societies/{code}/evidence",
            "post",
            "multipart/form-data"
        ),
        "#/components/schemas/EvidenceUpload"
    );
    let statuses = |path: &str, method: &str| {
        let mut v: Vec<String> = paths[path][method]["responses"]
            .as_object()
            .map(|o| o.keys().cloned().collect())
            .unwrap_or_default();
        v.sort();
        v
    };
    assert_eq!(
        statuses("/api/v1/societies/{code}/evidence", "post"),
        ["201", "400", "401", "403", "404", "408", "413", "422"]
    );
    assert_eq!(
        statuses("/api/v1/evidence/{id}", "get"),
        ["200", "400", "401", "403", "404", "422"]
    );
    assert!(
        paths["/api/v1/societies/{code}/plans/{year}/draft"]["put"]["responses"]["422"].is_object()
    );

    // What is documented is what is refused: the summary one character over its maxLength.
    let max = plan["summary"]["maxLength"].as_u64().unwrap() as usize;
    let token = editor_with_plan(&app).await;
    let put = |summary: String| {
        let (app, token) = (&app, token.clone());
        async move {
            app.json(
                Method::PUT,
                "/api/v1/societies/A-01/plans/2017/draft",
                &serde_json::json!({"summary": summary, "tasks": []}),
                Some(&token),
            )
            .await
        }
    };
    let r = put("改".repeat(max + 1)).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.text());
    assert_eq!(r.json()["errors"][0]["code"], "too-long");
    assert_eq!(r.json()["errors"][0]["field"], "summary");
    let r = put("改".repeat(max)).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text());
    // An evidence form's text part one byte over its maxLength.
    let max = s["EvidenceUpload"]["properties"]["field"]["maxLength"]
        .as_u64()
        .unwrap() as usize;
    let long = "m".repeat(max + 1);
    let r = upload_evidence(
        &app,
        &token,
        &[("owner_type", "fact"), ("year", "2017"), ("field", &long)],
    )
    .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.text());
    assert_eq!(r.json()["errors"][0]["code"], "too-long");
    // A rectification request's reason one character over its maxLength; at it, accepted.
    let max = s["RectificationRequest"]["properties"]["reason"]["maxLength"]
        .as_u64()
        .unwrap() as usize;
    let admin = app.admin_token().await;
    let rectify = |reason: String| {
        let (app, admin) = (&app, admin.clone());
        async move {
            app.json(
                Method::POST,
                "/api/v1/societies/A-01/plans/2017/rectification",
                &serde_json::json!({ "reason": reason }),
                Some(&admin),
            )
            .await
        }
    };
    let r = rectify("理".repeat(max + 1)).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.text());
    assert_eq!(r.json()["errors"][0]["field"], "reason");
    assert_eq!(r.json()["errors"][0]["code"], "too-long");
    let r = rectify("理".repeat(max)).await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.text());
}
both!(api_schema_shows_limits_and_evidence);

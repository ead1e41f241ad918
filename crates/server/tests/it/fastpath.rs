//! Issue 11, R-PUB-3: the fast path for anonymous public pages (`http::fastpath`). A cached
//! anonymous GET costs no SQL statement and answers exactly what the ordinary stack answers
//! (status, every header, the bytes, gzip, 304, language, demo banner); a bulletin published
//! in this process shows at once, one published by another process within
//! `public_revalidate_ms`; a signed-in user never gets the anonymous bytes.
//!
//! The ordinary stack's answer to compare with: the same request with an unknown session
//! cookie, which the fast path never answers and which the context treats as anonymous.

use std::time::{Duration, Instant};

use http::{Method, StatusCode};
use serde_json::json;

use crate::bulletins::{publish, setup};
use crate::{Backend, Resp, TestApp, both};

const SLOW: (&str, &str) = ("cookie", "rw_session=not-a-session");

async fn get(app: &TestApp, path: &str, headers: &[(&str, &str)]) -> Resp {
    app.request(Method::GET, path, None, vec![], headers).await
}

/// Every header but `date`, in order.
fn headers(r: &Resp) -> Vec<(String, String)> {
    r.headers
        .iter()
        .filter(|(k, _)| k.as_str() != "date")
        .map(|(k, v)| (k.to_string(), v.to_str().unwrap().to_owned()))
        .collect()
}

fn same(a: &Resp, b: &Resp, what: &str) {
    assert_eq!(a.status, b.status, "{what}: status");
    assert_eq!(headers(a), headers(b), "{what}: headers");
    assert_eq!(a.body, b.body, "{what}: bytes");
}

const PAGES: &[&str] = &[
    "/",
    "/monitor",
    "/monitor?group=A&sort=colour",
    "/monitor/societies/A-03",
    "/monitor/tasks/2",
    "/bulletins",
    "/catalogues/2017",
];

/// Headers, bytes, gzip, language and 304 are those of the ordinary stack; a hit costs no
/// statement; the first request of each kind is not a hit (it fills the store). (A long
/// revalidation interval: the one reading per interval would count as statements of a hit.)
async fn cached_bytes_are_the_ordinary_bytes(backend: Backend) {
    let app = TestApp::new_with(backend, |c| c.public_revalidate_ms = 600_000).await;
    let c = setup(&app).await;
    let r = publish(&app, &c.admin, json!({"year": 2017, "month": 6})).await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.text());
    app.forget_cookies();
    let pages = &app.state.public_pages;
    let variants: &[&[(&str, &str)]] = &[
        &[],
        &[("accept-encoding", "gzip, deflate, br")],
        &[("accept-language", "en-US,en;q=0.9")],
        &[("cookie", "rw_lang=en"), ("accept-encoding", "gzip")],
    ];
    for path in PAGES {
        for extra in variants {
            let what = format!("{path} {extra:?}");
            let hits = pages.hits();
            let first = get(&app, path, extra).await;
            assert_eq!(first.status, StatusCode::OK, "{what}: {}", first.text());
            assert_eq!(
                pages.hits(),
                hits,
                "{what}: the first request fills the store"
            );
            let before = app.db().statements();
            let fast = get(&app, path, extra).await;
            assert_eq!(
                app.db().statements(),
                before,
                "{what}: a hit costs no statement"
            );
            assert_eq!(pages.hits(), hits + 1, "{what}: served from the store");
            same(&fast, &first, &what);
            // The ordinary stack, now, answers the same.
            let mut slow_headers = extra.to_vec();
            if let Some(i) = slow_headers.iter().position(|(k, _)| *k == "cookie") {
                slow_headers[i] = ("cookie", "rw_session=not-a-session; rw_lang=en");
            } else {
                slow_headers.push(SLOW);
            }
            let before = app.db().statements();
            let slow = get(&app, path, &slow_headers).await;
            assert!(
                app.db().statements() > before,
                "{what}: negative control: the ordinary stack reads the database"
            );
            assert_eq!(pages.hits(), hits + 1, "{what}: not from the store");
            same(&fast, &slow, &what);
            // Security headers and caching headers are there (not only equal).
            for h in [
                "content-security-policy",
                "x-content-type-options",
                "x-frame-options",
                "referrer-policy",
                "etag",
                "vary",
            ] {
                assert!(!fast.header(h).is_empty(), "{what}: {h}");
            }
            assert!(fast.header("cache-control").starts_with("public"), "{what}");
            let gzip = extra.iter().any(|(k, _)| *k == "accept-encoding");
            assert_eq!(fast.header("content-encoding") == "gzip", gzip, "{what}");
            // 304 from the store equals the ordinary stack's 304.
            let tag = fast.header("etag");
            let mut conditional = extra.to_vec();
            conditional.push(("if-none-match", &tag));
            let nm = get(&app, path, &conditional).await;
            assert_eq!(nm.status, StatusCode::NOT_MODIFIED, "{what}");
            assert!(nm.body.is_empty());
            assert_eq!(pages.hits(), hits + 2, "{what}: 304 from the store");
            let mut slow_conditional = slow_headers.clone();
            slow_conditional.push(("if-none-match", &tag));
            let slow_nm = get(&app, path, &slow_conditional).await;
            same(&nm, &slow_nm, &format!("{what} 304"));
            assert_eq!(nm.header("content-type"), "", "{what}: a 304 has no type");
            // Negative control: another tag gets the page.
            let mut other = extra.to_vec();
            other.push(("if-none-match", "\"not-this-one\""));
            let full = get(&app, path, &other).await;
            same(&full, &fast, &format!("{what} other tag"));
        }
    }
    // The language is chosen as before: English pages in English, Chinese by default.
    let en = get(&app, "/monitor", &[("accept-language", "en-US")]).await;
    let zh = get(&app, "/monitor", &[]).await;
    assert!(en.text().contains("lang=\"en\""), "{}", en.text());
    assert!(zh.text().contains("lang=\"zh"), "{}", zh.text());
    assert_ne!(en.body, zh.body);
    // Other pages are not the fast path's.
    let hits = pages.hits();
    for path in ["/login", "/rules/check", "/catalogues", "/help/colours"] {
        let r = app.get(path).await;
        assert_eq!(r.status, StatusCode::OK, "{path}");
        let r = app.get(path).await;
        assert_eq!(r.status, StatusCode::OK, "{path}");
    }
    assert_eq!(pages.hits(), hits, "only the public pages are kept");
}
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn cached_bytes_are_the_ordinary_bytes_sqlite() {
    cached_bytes_are_the_ordinary_bytes(Backend::Sqlite).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn cached_bytes_are_the_ordinary_bytes_postgres() {
    cached_bytes_are_the_ordinary_bytes(Backend::Postgres).await;
}

/// A signed-in user (session cookie or token) never gets the anonymous bytes: the menu
/// differs; the store is not even looked at.
async fn signed_in_users_get_their_own_page(app: TestApp) {
    let c = setup(&app).await;
    let r = publish(&app, &c.admin, json!({"year": 2017, "month": 6})).await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.text());
    app.forget_cookies();
    let pages = &app.state.public_pages;
    for path in ["/", "/monitor", "/monitor/societies/A-03"] {
        let anon = app.get(path).await;
        let again = app.get(path).await;
        same(&anon, &again, path);
        assert!(!anon.text().contains("/logout"), "{path}: anonymous menu");
    }
    let token = app.token_for("t-reviewer").await;
    let r = app.login("t-reviewer").await;
    assert!(
        app.cookie("rw_session").is_some(),
        "signed in: {}",
        r.text()
    );
    let hits = pages.hits();
    for path in ["/", "/monitor", "/monitor/societies/A-03"] {
        let r = get(&app, path, &[]).await;
        assert_eq!(r.status, StatusCode::OK, "{path}");
        assert!(
            r.text().contains("/logout"),
            "{path}: the reviewer's menu: {}",
            r.text()
        );
        assert!(
            r.text().contains("/dashboard"),
            "{path}: the reviewer's menu"
        );
        assert_eq!(r.header("cache-control"), "no-store", "{path}");
    }
    // A token too (no cookie at all).
    let jar = app.cookie("rw_session").unwrap();
    app.forget_cookies();
    for path in ["/", "/monitor"] {
        let r = app.get_with_token(path, &token).await;
        assert_eq!(r.status, StatusCode::OK, "{path}");
        assert!(r.text().contains("/dashboard"), "{path}: {}", r.text());
    }
    assert_eq!(
        pages.hits(),
        hits,
        "signed-in requests never reach the store"
    );
    // Negative control: without the session cookie, the anonymous bytes from the store.
    let r = app.get("/monitor").await;
    assert!(!r.text().contains("/logout"));
    assert_eq!(pages.hits(), hits + 1);
    app.set_cookie("rw_session", &jar);
    assert!(app.get("/monitor").await.text().contains("/logout"));
    assert_eq!(pages.hits(), hits + 1);
}
both!(signed_in_users_get_their_own_page);

fn has_bulletin(r: &Resp, n: u32) -> bool {
    r.text().contains(&format!("第{n}期"))
}

/// A bulletin published in this process shows at once on every cached page; one published by
/// another process on the same database shows within `public_revalidate_ms` (and not
/// before: the store is really used between readings).
async fn new_bulletins_appear(backend: Backend) {
    let app = TestApp::new_with(backend, |c| c.public_revalidate_ms = 3000).await;
    let c = setup(&app).await;
    let r = publish(&app, &c.admin, json!({"year": 2017, "month": 6})).await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.text());
    app.forget_cookies();
    for path in ["/", "/monitor", "/bulletins"] {
        app.get(path).await;
        let r = app.get(path).await;
        assert!(has_bulletin(&r, 1) && !has_bulletin(&r, 2), "{path}");
    }
    // In this process: at once.
    let r = publish(&app, &c.admin, json!({"year": 2017, "month": 7})).await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.text());
    app.forget_cookies();
    for path in ["/", "/monitor", "/bulletins"] {
        let r = app.get(path).await;
        assert!(has_bulletin(&r, 2), "{path}: shown at once: {}", r.text());
    }
    // Start a revalidation interval now: the next request reads the fingerprint.
    app.state.public_pages.changed();
    let read_at = Instant::now();
    app.get("/monitor").await;
    let hits = app.state.public_pages.hits();
    app.get("/monitor").await;
    assert_eq!(app.state.public_pages.hits(), hits + 1);
    // Another process publishes.
    let other = app.sibling().await;
    other.state.clock.set(app.state.clock.now());
    let r = other
        .json(
            Method::POST,
            "/api/v1/bulletins",
            &json!({"year": 2017, "month": 7, "corrects": [2],
                    "correction_note_zh": "更正7月报送数据。",
                    "correction_note_en": "Corrects the July reports."}),
            Some(&c.admin),
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.text());
    assert!(has_bulletin(&other.get("/monitor").await, 3));
    if read_at.elapsed() < Duration::from_millis(2500) {
        // Within the bound the store may still answer (it does: nothing was read again).
        let r = app.get("/monitor").await;
        assert!(!has_bulletin(&r, 3), "the store answered between readings");
    }
    tokio::time::sleep(Duration::from_millis(3300).saturating_sub(read_at.elapsed())).await;
    for path in ["/", "/monitor", "/bulletins"] {
        let r = app.get(path).await;
        assert!(
            has_bulletin(&r, 3),
            "{path}: within the bound: {}",
            r.text()
        );
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn new_bulletins_appear_sqlite() {
    new_bulletins_appear(Backend::Sqlite).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn new_bulletins_appear_postgres() {
    new_bulletins_appear(Backend::Postgres).await;
}

/// The demo banner: set by another process (as `serve --demo` loading data), shown on the
/// cached pages after the next reading, the same as the ordinary stack shows it.
async fn the_demo_banner_is_kept(backend: Backend) {
    let app = TestApp::new_with(backend, |c| c.public_revalidate_ms = 200).await;
    let c = setup(&app).await;
    let r = publish(&app, &c.admin, json!({"year": 2017, "month": 6})).await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.text());
    app.forget_cookies();
    for path in PAGES {
        app.get(path).await;
        assert!(
            !app.get(path).await.text().contains("demo-banner"),
            "{path}"
        );
    }
    sqlx::query("INSERT INTO settings (key, value) VALUES ('demo', 'true')")
        .execute(&app.db().pool)
        .await
        .unwrap();
    tokio::time::sleep(Duration::from_millis(300)).await;
    for path in PAGES {
        let first = app.get(path).await;
        let fast = app.get(path).await;
        assert!(
            fast.text().contains("demo-banner"),
            "{path}: {}",
            fast.text()
        );
        same(&fast, &first, path);
        let slow = get(&app, path, &[SLOW]).await;
        same(&fast, &slow, path);
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_demo_banner_is_kept_sqlite() {
    the_demo_banner_is_kept(Backend::Sqlite).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_demo_banner_is_kept_postgres() {
    the_demo_banner_is_kept(Backend::Postgres).await;
}

//! Heavy requests bounded per process (issue 8): past `heavy_requests` running at once, a heavy
//! route answers 503 with `Retry-After` at once (an HTML page in the user's language, the JSON
//! envelope under /api); light routes are not limited; a freed permit serves again.

use http::{Method, StatusCode};
use reformwatch::model::Role;

use crate::{Backend, TestApp};

const HEAVY: &[&str] = &[
    "/dashboard?year=2017",
    "/dashboard.xlsx?year=2017",
    "/api/v1/dashboard?year=2017",
    "/rates?year=2017",
    "/api/v1/rates?year=2017",
    "/overview/rules?year=2017",
    "/overview/rules.xlsx?year=2017",
    "/overview/plans?year=2017",
    "/overview/plans.xlsx?year=2017",
];

async fn heavy_requests_are_bounded(backend: Backend) {
    let app = TestApp::new_with(backend, |c| {
        c.heavy_requests = 1;
        c.heavy_retry_after_secs = 7;
    })
    .await;
    app.user("l-reviewer", Role::Reviewer, None).await;
    let r = app.login("l-reviewer").await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.text());
    // A free permit: every heavy route serves.
    for path in HEAVY {
        let r = app.get(path).await;
        assert_eq!(r.status, StatusCode::OK, "{path}: {}", r.text());
    }
    // The one permit is taken (a heavy request running): each heavy route refuses at once.
    let permit = app.state.heavy.clone().try_acquire_owned().unwrap();
    for path in HEAVY {
        let r = app.get(path).await;
        assert_eq!(r.status, StatusCode::SERVICE_UNAVAILABLE, "{path}");
        assert_eq!(r.header("retry-after"), "7", "{path}");
        if path.starts_with("/api/") {
            let j = r.json();
            assert_eq!(j["errors"][0]["code"], "busy", "{path}: {j}");
            assert!(
                j["errors"][0]["message"]
                    .as_str()
                    .unwrap()
                    .contains("请稍等片刻后再试"),
                "{path}: {j}"
            );
        } else {
            let text = r.text();
            assert!(text.contains("服务器繁忙"), "{path}: {text}");
        }
    }
    // In English for an English reader.
    let r = app
        .request(
            Method::GET,
            "/dashboard?year=2017",
            None,
            vec![],
            &[("accept-language", "en-US")],
        )
        .await;
    assert_eq!(r.status, StatusCode::SERVICE_UNAVAILABLE);
    assert!(r.text().contains("Server busy"), "{}", r.text());
    // Negative control: light routes are not limited.
    for path in ["/societies", "/api/v1/societies", "/catalogues/2017"] {
        let r = app.get(path).await;
        assert_eq!(r.status, StatusCode::OK, "{path}: {}", r.text());
        assert!(r.header("retry-after").is_empty(), "{path}");
    }
    // A request refused by the access guard takes no permit and says so (not 503).
    app.forget_cookies();
    let r = app.get("/api/v1/dashboard?year=2017").await;
    assert_eq!(r.status, StatusCode::UNAUTHORIZED);
    // The permit freed: heavy routes serve again.
    drop(permit);
    app.login("l-reviewer").await;
    let r = app.get("/dashboard?year=2017").await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text());
    assert_eq!(app.state.heavy.available_permits(), 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn heavy_requests_are_bounded_sqlite() {
    heavy_requests_are_bounded(Backend::Sqlite).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn heavy_requests_are_bounded_postgres() {
    heavy_requests_are_bounded(Backend::Postgres).await;
}

/// The sorted codes of the built-in registry (209 societies), as the pages sort them.
pub fn registry_codes() -> Vec<String> {
    let rows = reformwatch::import::parse_societies(
        "s.csv",
        reformwatch::import::BUILTIN_SOCIETIES_CSV.as_bytes(),
    )
    .unwrap();
    let mut codes: Vec<String> = rows.iter().map(|r| r.code.as_str().to_string()).collect();
    codes.sort();
    codes
}

/// The society codes shown in a matrix table's rows (first cell of each body row).
fn row_codes(html: &str, table_id: &str) -> Vec<String> {
    let start = html
        .find(&format!("id=\"{table_id}\""))
        .unwrap_or_else(|| panic!("table {table_id} missing: {html}"));
    let body = &html[start..];
    let body = &body[body.find("<tbody>").unwrap()..body.find("</tbody>").unwrap()];
    body.split("<tr><td>")
        .skip(1)
        .map(|row| row[..row.find("</td>").unwrap()].to_string())
        .collect()
}

/// The dashboard and the rules overview show 100 societies a page (issue 8): page 2 starts
/// with society 101, the links keep the filters, a page past the end shows the last page.
async fn matrices_paginate(app: TestApp) {
    app.registry().await;
    app.user("p-reviewer", Role::Reviewer, None).await;
    app.login("p-reviewer").await;
    let codes = registry_codes();
    assert_eq!(codes.len(), 209);
    for (base, table) in [
        ("/dashboard?year=2017&month=6&sort=code", "dashboard"),
        ("/overview/rules?year=2017&election=", "matrix"),
    ] {
        let one = app.get(base).await;
        assert_eq!(one.status, StatusCode::OK, "{base}");
        let html = one.text();
        assert_eq!(row_codes(&html, table), codes[..100].to_vec(), "{base}");
        assert!(
            html.contains("第 1 / 3 页（第 1–100 个，共 209 个学会）"),
            "{html}"
        );
        // The next page's link keeps the filters.
        let at = html
            .find("rel=\"next\"")
            .unwrap_or_else(|| panic!("{base}: no next link"));
        let start = html[..at].rfind("href=\"").unwrap() + 6;
        // As the browser reads the attribute (askama writes `&` as `&#38;`).
        let next = html[start..start + html[start..].find('"').unwrap()]
            .replace("&#38;", "&")
            .replace("&amp;", "&");
        let path = base.split('?').next().unwrap();
        assert!(next.starts_with(&format!("{path}?")), "{next}");
        for kv in base.split('?').nth(1).unwrap().split('&') {
            assert!(
                next.split(['?', '&']).any(|x| x == kv),
                "{base}: {kv} not kept in {next}"
            );
        }
        assert!(next.ends_with("&page=2"), "{next}");
        assert!(!html.contains("rel=\"prev\""), "{base}");

        let two = app.get(&format!("{base}&page=2")).await.text();
        let shown = row_codes(&two, table);
        assert_eq!(shown, codes[100..200].to_vec(), "{base} page 2");
        assert_eq!(shown[0], codes[100], "page 2 starts with society 101");
        assert!(!shown.contains(&codes[0]), "page 2 without society 1");
        assert!(two.contains("第 2 / 3 页（第 101–200 个，共 209 个学会）"));
        assert!(two.contains("rel=\"prev\"") && two.contains("rel=\"next\""));

        let three = app.get(&format!("{base}&page=3")).await.text();
        assert_eq!(row_codes(&three, table), codes[200..].to_vec());
        assert!(!three.contains("rel=\"next\""));
        // Past the end: the last page; not a number: the first.
        let far = app.get(&format!("{base}&page=99")).await.text();
        assert_eq!(row_codes(&far, table), codes[200..].to_vec());
        let bad = app.get(&format!("{base}&page=x")).await.text();
        assert_eq!(row_codes(&bad, table), codes[..100].to_vec());
    }
    // A filter that leaves fewer than 100 societies: one page, no pager.
    let a = app.get("/dashboard?year=2017&month=6&group=A").await.text();
    let shown = row_codes(&a, "dashboard");
    assert!(!shown.is_empty() && shown.len() < 100, "{}", shown.len());
    assert!(shown.iter().all(|c| c.starts_with("A-")), "{shown:?}");
    assert!(!a.contains("class=\"pager\""));
    // The API and the .xlsx carry every matching row.
    let api = app.get("/api/v1/dashboard?year=2017&month=6").await.json();
    assert_eq!(api["rows"].as_array().unwrap().len(), 209);
    let x = app.get("/dashboard.xlsx?year=2017&month=6").await;
    assert_eq!(x.status, StatusCode::OK);
    let table = reformwatch_tabular::read_table("d.xlsx", &x.body, &Default::default()).unwrap();
    assert_eq!(table.rows.len(), 209);
}
crate::both!(matrices_paginate);

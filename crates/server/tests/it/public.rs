//! Issue 11 follow-up (R-PUB-1, R-PUB-3): public pages and downloads compressed with gzip for
//! clients that accept it (the same bytes once decompressed, an ETag of their own, 304 still
//! working, nothing compressed for a client that does not accept it); English society names
//! (registry, import, bulletin row, English pages with the Chinese name beside it, `lang="zh"`
//! where a society has no English name); one month label format on every chart.

use std::io::Read;

use http::{Method, StatusCode};
use serde_json::json;
use sha2::{Digest, Sha256};

use crate::bulletins::{publish, setup};
use crate::{TestApp, both};

fn gunzip(bytes: &[u8]) -> Vec<u8> {
    let mut out = Vec::new();
    flate2::read::GzDecoder::new(bytes)
        .read_to_end(&mut out)
        .expect("valid gzip");
    out
}

async fn get_with(app: &TestApp, path: &str, headers: &[(&str, &str)]) -> crate::Resp {
    app.request(Method::GET, path, None, vec![], headers).await
}

/// gzip for public pages and downloads: the compressed answer decompresses to the identical
/// bytes; its ETag differs from the plain one and a conditional request with it gets 304; a
/// client that does not accept gzip (no header, `identity`, `gzip;q=0`) gets the plain bytes;
/// a workbook (already a zip) is never compressed again.
async fn gzip_pages_and_downloads(app: TestApp) {
    let c = setup(&app).await;
    let r = publish(&app, &c.admin, json!({"year": 2017, "month": 6})).await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.text());
    app.forget_cookies();
    let gz = [("accept-encoding", "gzip, deflate, br")];
    for path in [
        "/",
        "/monitor",
        "/monitor?group=A&sort=colour",
        "/monitor/societies/A-03",
        "/monitor/tasks/2",
        "/bulletins",
        "/api/v1/bulletins/1",
        "/api/v1/bulletins/1.json",
        "/api/v1/bulletins/1.csv?table=matrix&lang=en",
    ] {
        let plain = app.get(path).await;
        assert_eq!(plain.status, StatusCode::OK, "{path}");
        assert_eq!(
            plain.header("content-encoding"),
            "",
            "{path}: not asked for"
        );
        let z = get_with(&app, path, &gz).await;
        assert_eq!(z.status, StatusCode::OK, "{path}");
        assert_eq!(z.header("content-encoding"), "gzip", "{path}");
        assert!(z.header("vary").contains("Accept-Encoding"), "{path}");
        assert!(plain.header("vary").contains("Accept-Encoding"), "{path}");
        assert!(
            z.body.len() < plain.body.len(),
            "{path}: {} compressed vs {} plain",
            z.body.len(),
            plain.body.len()
        );
        assert_eq!(gunzip(&z.body), plain.body, "{path}: same bytes");
        let (tag, ztag) = (plain.header("etag"), z.header("etag"));
        assert!(
            tag.starts_with('"') && ztag.starts_with('"'),
            "{tag} {ztag}"
        );
        assert_ne!(tag, ztag, "{path}: one ETag per encoding");
        // 304 for the representation the client holds, in either encoding.
        let nm = get_with(&app, path, &[gz[0], ("if-none-match", &ztag)]).await;
        assert_eq!(nm.status, StatusCode::NOT_MODIFIED, "{path}");
        assert!(nm.body.is_empty());
        let nm = get_with(&app, path, &[("if-none-match", &tag)]).await;
        assert_eq!(nm.status, StatusCode::NOT_MODIFIED, "{path}");
        // Negative control: the plain tag does not validate the gzip representation.
        let other = get_with(&app, path, &[gz[0], ("if-none-match", &tag)]).await;
        assert_eq!(other.status, StatusCode::OK, "{path}");
        // Clients that refuse gzip.
        for refuse in ["identity", "gzip;q=0, identity", "br"] {
            let p = get_with(&app, path, &[("accept-encoding", refuse)]).await;
            assert_eq!(p.header("content-encoding"), "", "{path} {refuse}");
            assert_eq!(p.body, plain.body, "{path} {refuse}");
        }
    }
    // The matrix of 209 societies compresses well.
    let plain = app.get("/monitor").await.body.len();
    let z = get_with(&app, "/monitor", &gz).await.body.len();
    assert!(z * 8 < plain, "{z} of {plain}");
    // The canonical document, decompressed, still hashes to the listed hash.
    let list = app.get("/api/v1/bulletins").await.json();
    let listed = list[0]["sha256"].as_str().unwrap().to_owned();
    let z = get_with(&app, "/api/v1/bulletins/1", &gz).await;
    assert_eq!(hex::encode(Sha256::digest(gunzip(&z.body))), listed);
    // A workbook is a zip already: never gzip-encoded.
    let x = get_with(&app, "/api/v1/bulletins/1.xlsx", &gz).await;
    assert_eq!(x.status, StatusCode::OK);
    assert_eq!(x.header("content-encoding"), "");
    assert!(x.body.starts_with(b"PK"));
    // Signed-in pages are rendered per person and not cached (nor compressed).
    app.login("tokenadmin").await;
    let s = get_with(&app, "/monitor", &gz).await;
    assert_eq!(s.status, StatusCode::OK);
    assert_eq!(s.header("content-encoding"), "");
}
both!(gzip_pages_and_downloads);

/// English names: the built-in registry carries them; the bulletin's row has `name_en` when
/// one is recorded and none otherwise; English pages show the English name with the Chinese
/// one beside it (`lang="zh"`), or the Chinese name marked `lang="zh"`; Chinese pages are
/// unchanged; the English CSV uses the English name; the import reads `英文名称` and keeps
/// the stored name when the column is absent.
async fn english_society_names(app: TestApp) {
    let c = setup(&app).await;
    let admin = c.admin.clone();
    let a01 = app
        .get_with_token("/api/v1/societies/A-01", &admin)
        .await
        .json();
    assert_eq!(a01["name_en"], "Chinese Mathematical Society", "{a01}");
    // The public registry list carries it too.
    let list = app.get("/api/v1/societies?q=A-01").await.json();
    assert_eq!(list[0]["name_en"], "Chinese Mathematical Society", "{list}");
    // A-03 loses its English name through the API (an explicit empty value).
    let mut s = app
        .get_with_token("/api/v1/societies/A-03", &admin)
        .await
        .json();
    assert_eq!(
        s["name_en"],
        "Chinese Society of Theoretical and Applied Mechanics"
    );
    let body = json!({
        "code": s["code"], "name": s["name"], "name_en": "", "short_name": s["short_name"],
        "discipline_group": s["discipline_group"],
    });
    let r = app
        .json(Method::PUT, "/api/v1/societies/A-03", &body, Some(&admin))
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text());
    s = r.json();
    assert_eq!(s["name_en"], "", "{s}");
    // A body without the member keeps it (A-01).
    let body = json!({"code": "A-01", "name": "中国数学会", "discipline_group": "A"});
    let r = app
        .json(Method::PUT, "/api/v1/societies/A-01", &body, Some(&admin))
        .await;
    assert_eq!(
        r.json()["name_en"],
        "Chinese Mathematical Society",
        "{}",
        r.text()
    );
    let r = publish(&app, &admin, json!({"year": 2017, "month": 6})).await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.text());
    app.forget_cookies();
    let doc = app.get("/api/v1/bulletins/1").await.json();
    let row = |code: &str| {
        doc["societies"]
            .as_array()
            .unwrap()
            .iter()
            .find(|r| r["code"] == code)
            .unwrap()
            .clone()
    };
    assert_eq!(row("A-01")["name_en"], "Chinese Mathematical Society");
    assert_eq!(row("A-03")["name_zh"], "中国力学学会");
    assert!(row("A-03").get("name_en").is_none(), "{}", row("A-03"));
    // English pages.
    app.set_cookie("rw_lang", "en");
    let m = app.get("/monitor").await.text();
    assert!(
        m.contains(">Chinese Mathematical Society</a> <span class=\"name-zh\" lang=\"zh\">中国数学会</span>"),
        "{m}"
    );
    assert!(
        m.contains(" lang=\"zh\">中国力学学会</a>"),
        "A-03 without an English name"
    );
    let p = app.get("/monitor/societies/A-01").await.text();
    assert!(
        p.contains("<h1><span>Chinese Mathematical Society</span>"),
        "{p}"
    );
    assert!(p.contains("<span lang=\"zh\">中国数学会</span>"), "{p}");
    let p = app.get("/monitor/societies/A-03").await.text();
    assert!(
        p.contains("<h1><span lang=\"zh\">中国力学学会</span>"),
        "{p}"
    );
    let t = app.get("/monitor/tasks/2").await.text();
    assert!(t.contains(" lang=\"zh\">中国力学学会</a>"), "{t}");
    let csv = app.get("/api/v1/bulletins/1.csv?lang=en").await.text();
    assert!(csv.contains("A-01,Chinese Mathematical Society,"), "{csv}");
    assert!(csv.contains("A-03,中国力学学会,"), "{csv}");
    // Chinese pages: the registered name, no English beside it.
    app.forget_cookies();
    let m = app.get("/monitor").await.text();
    assert!(m.contains(">中国数学会</a>"));
    assert!(!m.contains("Chinese Mathematical Society"));
    let csv = app.get("/api/v1/bulletins/1.csv").await.text();
    assert!(csv.contains("A-01,中国数学会,"), "{csv}");
    // The import: 英文名称 sets it; a file without the column keeps it.
    app.login("tokenadmin").await;
    let file = "代码,名称,英文名称\nA-03,中国力学学会,Chinese Society of Theoretical and Applied Mechanics\n";
    let r = app
        .multipart("/societies/import", "file", "s.csv", file.as_bytes())
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text());
    assert!(r.text().contains("更新 1 个"), "{}", r.text());
    let got = app
        .get_with_token("/api/v1/societies/A-03", &admin)
        .await
        .json();
    assert_eq!(
        got["name_en"],
        "Chinese Society of Theoretical and Applied Mechanics"
    );
    let r = app
        .multipart(
            "/societies/import",
            "file",
            "s.csv",
            "代码,名称\nA-03,中国力学学会\n".as_bytes(),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text());
    let got = app
        .get_with_token("/api/v1/societies/A-03", &admin)
        .await
        .json();
    assert_eq!(
        got["name_en"],
        "Chinese Society of Theoretical and Applied Mechanics"
    );
}
both!(english_society_names);

/// The two trend charts label their months the same way, as the data table does:
/// `2017年6月` in Chinese, `Jun 2017` in English (the bars once said "6").
async fn chart_month_labels(app: TestApp) {
    let c = setup(&app).await;
    let r = publish(&app, &c.admin, json!({"year": 2017, "month": 6})).await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.text());
    app.forget_cookies();
    for (lang, label) in [("zh", "2017年6月"), ("en", "Jun 2017")] {
        app.set_cookie("rw_lang", lang);
        let h = app.get("/").await.text();
        let svgs: Vec<&str> = h.split("<svg").skip(1).collect();
        assert_eq!(svgs.len(), 2, "{h}");
        for svg in &svgs {
            let svg = svg.split("</svg>").next().unwrap();
            assert!(
                svg.contains(&format!("font-size=\"11\">{label}</text>")),
                "{lang}: {svg}"
            );
            assert!(!svg.contains("font-size=\"11\">6</text>"), "{lang}: {svg}");
        }
        assert!(
            h.contains(&format!("<th scope=\"row\">{label}</th>")),
            "{h}"
        );
    }
}
both!(chart_month_labels);

/// Issue 11 (public pages at 10,000 societies): the bulletin header list that every public
/// page reads comes from the covering index of migration 0013, never from the table rows,
/// whose large `content` (33 MB at 10,000 societies) SQLite would walk through to reach the
/// columns after it. SQLite only: PostgreSQL keeps large values out of line.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn bulletin_headers_come_from_the_covering_index() {
    let app = crate::TestApp::new(crate::Backend::Sqlite).await;
    let sql = format!(
        "EXPLAIN QUERY PLAN {} ORDER BY number",
        reformwatch::db::bulletins::HEADER
    );
    let plan: Vec<String> = sqlx::query(sqlx::AssertSqlSafe(sql))
        .fetch_all(&app.db().pool)
        .await
        .unwrap()
        .iter()
        .map(|r| sqlx::Row::try_get::<String, _>(r, 3).unwrap())
        .collect();
    assert_eq!(
        plan,
        vec!["SCAN bulletins USING COVERING INDEX bulletins_header".to_owned()]
    );
}

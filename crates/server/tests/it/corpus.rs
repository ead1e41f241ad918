//! Issue 9, R-X-1: the bad-input corpus in `tests/corpus/` (see its README). Every file that a
//! person could upload or post by mistake or in malice is refused with a clear 4xx in the
//! caller's language (Chinese and English both checked) and changes nothing; text payloads (XSS,
//! SQL metacharacters) are stored as the text they are and served inert; hostile file names are
//! made harmless. A panic anywhere in a request fails the test (requests run in the test's own
//! task), so no input here may make the server panic.

use http::{Method, StatusCode};
use reformwatch::model::Role;
use serde_json::json;

use crate::access::{MARK, seed_a03_documents, upload_evidence};
use crate::{TestApp, both};

fn corpus_dir(name: &str) -> std::path::PathBuf {
    std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../tests/corpus")
        .join(name)
}

/// The files of a corpus folder, by name.
fn corpus(name: &str) -> Vec<(String, Vec<u8>)> {
    let mut files: Vec<(String, Vec<u8>)> = std::fs::read_dir(corpus_dir(name))
        .unwrap()
        .map(|e| {
            let e = e.unwrap();
            (
                e.file_name().to_string_lossy().to_string(),
                std::fs::read(e.path()).unwrap(),
            )
        })
        .collect();
    files.sort();
    assert!(files.len() >= 10, "corpus {name} is (nearly) empty");
    files
}

/// The lines of a corpus text file.
fn lines(name: &str) -> Vec<String> {
    std::fs::read_to_string(corpus_dir("text").join(name))
        .unwrap()
        .lines()
        .filter(|l| !l.is_empty())
        .map(str::to_string)
        .collect()
}

fn is_cjk(c: char) -> bool {
    ('\u{4e00}'..='\u{9fff}').contains(&c)
}

/// A message is in the caller's language: Chinese has Chinese characters; English has words, and
/// its opening sentence no Chinese character that the input itself did not bring (a message may
/// go on to list the accepted Chinese column names).
fn check_language(lang: &str, message: &str, input: &[u8], case: &str) {
    assert!(!message.trim().is_empty(), "{case} ({lang}): empty message");
    if lang == "zh-CN" {
        assert!(message.chars().any(is_cjk), "{case} ({lang}): {message}");
    } else {
        let input = String::from_utf8_lossy(input);
        assert!(
            message
                .chars()
                .take_while(|c| !matches!(c, '.' | ':'))
                .filter(|c| is_cjk(*c))
                .all(|c| input.contains(c)),
            "{case} ({lang}): {message}"
        );
        assert!(
            message
                .split(|c: char| !c.is_ascii_alphabetic())
                .any(|w| w.len() >= 3),
            "{case} ({lang}): {message}"
        );
    }
}

/// The text of the page's alerts (`role="alert"`), tags stripped.
fn alerts(html: &str) -> String {
    let mut out = String::new();
    for part in html.split("role=\"alert\"").skip(1) {
        let body = part.split_once('>').map(|x| x.1).unwrap_or("");
        let body = body.split("</p>").next().unwrap_or("");
        let mut in_tag = false;
        for c in body.chars() {
            match c {
                '<' => in_tag = true,
                '>' => in_tag = false,
                c if !in_tag => out.push(c),
                _ => {}
            }
        }
        out.push(' ');
    }
    out
}

async fn societies_snapshot(app: &TestApp) -> String {
    let rows = sqlx::query("SELECT code, name, active FROM societies ORDER BY code")
        .fetch_all(&app.db().pool)
        .await
        .unwrap();
    let mut out = String::new();
    for r in rows {
        let code: String = sqlx::Row::try_get(&r, 0).unwrap();
        let name: String = sqlx::Row::try_get(&r, 1).unwrap();
        out.push_str(&format!("{code}|{name}\n"));
    }
    out
}

/// Malformed, GBK, invalid UTF-8, bomb and fake-xlsx society registers: 422 with the reason in
/// the caller's language; the registry is unchanged.
async fn societies_import_corpus(app: TestApp) {
    app.registry().await;
    app.user("c-admin", Role::Admin, None).await;
    app.login("c-admin").await;
    let before = societies_snapshot(&app).await;
    assert!(before.lines().count() > 200);
    for (name, bytes) in corpus("societies-import") {
        let mut messages = vec![];
        for lang in ["zh-CN", "en-US"] {
            app.set_cookie("rw_lang", lang);
            let r = app
                .multipart("/societies/import", "file", &name, &bytes)
                .await;
            let html = r.text();
            assert_eq!(
                r.status,
                StatusCode::UNPROCESSABLE_ENTITY,
                "{name} ({lang}): {}",
                alerts(&html)
            );
            let message = alerts(&html);
            check_language(lang, &message, &bytes, &name);
            assert!(!html.contains("<script>alert"), "{name}: {html}");
            assert!(!html.contains("<img src=x"), "{name}: {html}");
            messages.push(message);
        }
        assert_ne!(
            messages[0], messages[1],
            "{name}: the same text in both languages"
        );
        assert_eq!(
            societies_snapshot(&app).await,
            before,
            "{name} changed the registry"
        );
    }
}
both!(societies_import_corpus);

/// Malformed and impossible facts (invalid UTF-8, impossible dates, negative, fractional and
/// overflowing numbers, unknown and internal field names, deep nesting, overlong keys): 4xx in
/// the JSON envelope, in the caller's language; nothing recorded.
async fn facts_json_corpus(app: TestApp) {
    app.registry().await;
    app.user("c-editor", Role::SocietyEditor, Some("A-03"))
        .await;
    let token = app.token_for("c-editor").await;
    let auth = format!("Bearer {token}");
    let path = "/api/v1/societies/A-03/facts?year=2017";
    let history = || async {
        let r = app.get_with_token(path, &token).await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.text());
        r.json()["history"].as_array().unwrap().len()
    };
    for (name, bytes) in corpus("facts-json") {
        let mut messages = vec![];
        for lang in ["zh-CN", "en-US"] {
            let r = app
                .request(
                    Method::PUT,
                    path,
                    Some("application/json"),
                    bytes.clone(),
                    &[("authorization", &auth), ("accept-language", lang)],
                )
                .await;
            assert!(
                r.status == StatusCode::UNPROCESSABLE_ENTITY || r.status == StatusCode::BAD_REQUEST,
                "{name} ({lang}): {} {}",
                r.status,
                r.text()
            );
            let body = r.json();
            let errors = body["errors"]
                .as_array()
                .unwrap_or_else(|| panic!("{name}: {body}"));
            assert!(!errors.is_empty(), "{name}: {body}");
            let message = errors
                .iter()
                .map(|e| e["message"].as_str().unwrap_or_default().to_string())
                .collect::<Vec<_>>()
                .join(" ");
            check_language(lang, &message, &bytes, &name);
            messages.push(message);
        }
        assert_ne!(
            messages[0], messages[1],
            "{name}: the same text in both languages"
        );
        assert_eq!(history().await, 0, "{name} recorded something");
    }
    // Negative control: a well-formed write is recorded.
    let r = app
        .json(
            Method::PUT,
            path,
            &json!({"as_of": "2017-06-30", "values": {"members_now": 5}}),
            Some(&token),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text());
    assert_eq!(history().await, 1);
}
both!(facts_json_corpus);

/// XSS payloads and SQL metacharacters are text: stored exactly, shown escaped, never run as
/// markup or SQL (the tables they name are still there).
async fn text_payloads(app: TestApp) {
    app.registry().await;
    seed_a03_documents(&app).await;
    app.user("c-editor", Role::SocietyEditor, Some("A-03"))
        .await;
    app.user("c-admin", Role::Admin, None).await;
    let token = app.token_for("c-editor").await;
    let base = "/api/v1/societies/A-03/reports/2017/6";
    let payloads: Vec<String> = lines("xss.txt")
        .into_iter()
        .chain(lines("sql.txt"))
        .collect();
    assert!(payloads.len() >= 10);
    let users_before = reformwatch::db::users::list(app.db()).await.unwrap().len();
    app.login("c-editor").await;
    let editor_session = app.cookie("rw_session").unwrap();
    app.login("c-admin").await;
    let admin_session = app.cookie("rw_session").unwrap();
    for p in &payloads {
        // A report narrative: stored byte for byte…
        let r = app
            .json(
                Method::PUT,
                &format!("{base}/draft"),
                &json!({"narrative": p, "tasks": []}),
                Some(&token),
            )
            .await;
        assert_eq!(r.status, StatusCode::OK, "{p}: {}", r.text());
        let r = app.get_with_token(base, &token).await;
        assert_eq!(r.json()["report"]["draft"]["narrative"], json!(p), "{p}");
        // …and escaped on the page.
        app.forget_cookies();
        app.set_cookie("rw_session", &editor_session);
        let page = app.get("/societies/A-03/reports/2017/6").await;
        assert_eq!(page.status, StatusCode::OK);
        let html = page.text();
        if p.contains('<') || p.contains('"') {
            assert!(!html.contains(p.as_str()), "{p} is on the page unescaped");
        }
        assert!(!html.contains("<script>alert"), "{p}");
        // A search term.
        app.forget_cookies();
        app.set_cookie("rw_session", &admin_session);
        let q = percent_encoding::utf8_percent_encode(p, percent_encoding::NON_ALPHANUMERIC);
        let r = app.get(&format!("/societies?q={q}")).await;
        assert_eq!(r.status, StatusCode::OK, "{p}");
        if p.contains('<') {
            assert!(
                !r.text().contains(p.as_str()),
                "{p} is on the page unescaped"
            );
        }
        // An injected `OR 1=1` would list every society.
        assert!(!r.text().contains("中国力学学会"), "{p} matched everything");
    }
    // A user name at sign-in: refused like any wrong name (401, or 429 once throttled).
    for p in &payloads {
        app.forget_cookies();
        let r = app
            .post_form(
                "/login",
                &[
                    ("username", p),
                    ("password", crate::PASSWORD),
                    ("next", "/"),
                ],
            )
            .await;
        assert!(
            r.status == StatusCode::UNAUTHORIZED || r.status == StatusCode::TOO_MANY_REQUESTS,
            "{p}: {}",
            r.status
        );
        assert!(app.cookie("rw_session").is_none(), "{p}");
    }
    // Nothing ran: the tables named are intact, the mark of the seeded plan is still there.
    assert_eq!(
        reformwatch::db::users::list(app.db()).await.unwrap().len(),
        users_before
    );
    let r = app
        .get_with_token("/api/v1/societies/A-03/plans/2017", &token)
        .await;
    assert!(r.text().contains(MARK));
}
both!(text_payloads);

/// Hostile evidence file names (path traversal, bidi override, header injection, reserved and
/// overlong names) are stored harmless and served as an attachment with a safe header.
async fn hostile_file_names(app: TestApp) {
    app.registry().await;
    app.user("c-editor", Role::SocietyEditor, Some("A-03"))
        .await;
    let token = app.token_for("c-editor").await;
    for name in lines("file-names.txt") {
        let r = upload_evidence(&app, &token, "A-03", &name, &[]).await;
        assert_eq!(r.status, StatusCode::CREATED, "{name}: {}", r.text());
        let stored = r.json()["name"].as_str().unwrap().to_string();
        assert!(
            !stored.contains(['/', '\\', '"', '\u{202e}', '<', '>'])
                && !stored.chars().any(char::is_control)
                && !stored.starts_with('.')
                && stored.len() <= 255
                && stored.ends_with(".csv"),
            "{name:?} stored as {stored:?}"
        );
        let d = app
            .get_with_token(
                &format!("/api/v1/evidence/{}", r.json()["id"].as_i64().unwrap()),
                &token,
            )
            .await;
        assert_eq!(d.status, StatusCode::OK);
        let cd = d.header("content-disposition");
        assert!(cd.starts_with("attachment;"), "{cd}");
        assert!(!cd.contains(['\r', '\n']), "{cd}");
        assert_eq!(cd.matches("filename=").count(), 1, "{cd}");
        assert_eq!(d.header("x-content-type-options"), "nosniff");
    }
}
both!(hostile_file_names);

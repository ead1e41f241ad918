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

/// The invented 2031 example (`tests/fixtures/catalogue-2031-example.toml`): facts no code
/// knows, loaded at run time, checked through the public what-if API and page (issue 13).
const EXAMPLE_2031: &str = include_str!("../../../../tests/fixtures/catalogue-2031-example.toml");

async fn a_later_year_with_new_facts_runs_without_a_rebuild(app: TestApp) {
    app.user("cat-admin31", Role::Admin, None).await;
    app.login("cat-admin31").await;
    let r = app
        .multipart(
            "/admin/catalogues",
            "file",
            "catalogue-2031-example.toml",
            EXAMPLE_2031.as_bytes(),
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.text());
    let check = |body: &str| {
        app.request(
            Method::POST,
            "/api/v1/rules/check?year=2031",
            Some("application/json"),
            body.as_bytes().to_vec(),
            &[],
        )
    };
    let r = check(
        r#"{"holds_election": true, "council_size": 150, "young_council_members": 29,
            "standing_size": 50, "women_standing_members": 13, "council_cpc_members": 60}"#,
    )
    .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text());
    let v = r.json();
    assert_eq!(v["year"], 2031);
    let verdict = |rule: &str| -> serde_json::Value {
        v["verdicts"]
            .as_array()
            .unwrap()
            .iter()
            .find(|x| x["rule"] == rule)
            .unwrap()
            .clone()
    };
    // 29 × 5 = 145 < 150: one short of a fifth.
    assert_eq!(verdict("young-fifth")["verdict"], "fail");
    assert_eq!(verdict("women-quarter")["verdict"], "pass");
    assert_eq!(verdict("cpc-share")["verdict"], "warning");
    assert_eq!(verdict("cpc-share")["judged"], true);
    assert!(verdict("young-fifth").get("judged").is_none());
    // Its relations and names, with the field named.
    let r = check(r#"{"council_size": 10, "young_council_members": 11}"#).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(r.json()["errors"][0]["field"], "young_council_members");
    let r = check(r#"{"members_now": 1}"#).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(r.json()["errors"][0]["field"], "members_now");
    // The what-if page shows its facts and its election flag, and checks them.
    let page = app.get("/rules/check?year=2031").await;
    assert_eq!(page.status, StatusCode::OK);
    let html = page.text();
    assert!(html.contains("name=\"young_council_members\""), "{html}");
    assert!(html.contains("name=\"holds_election\""), "{html}");
    assert!(!html.contains("name=\"members_now\""), "{html}");
    let page = app
        .post_form(
            "/rules/check?year=2031",
            &[
                ("holds_election", "true"),
                ("council_size", "150"),
                ("young_council_members", "30"),
                ("docs_held", "member-rules"),
                ("docs_held_present", "1"),
            ],
        )
        .await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.text());
    let html = page.text();
    let at = html.find("id=\"rule-young-fifth\"").unwrap();
    assert!(html[at..].starts_with("id=\"rule-young-fifth\""));
    let summary_end = html[at..].find("</summary>").unwrap();
    assert!(html[at..at + summary_end].contains("class=\"verdict pass\""));
    let at = html.find("id=\"rule-rules-in-place\"").unwrap();
    let summary_end = html[at..].find("</summary>").unwrap();
    assert!(html[at..at + summary_end].contains("class=\"verdict fail\""));
}
both!(a_later_year_with_new_facts_runs_without_a_rebuild);

#[test]
fn catalogue_check_prints_what_the_file_says() {
    // R-CAT-1: an author checks a file and reads its summary, in Chinese or English.
    let dir = std::env::temp_dir().join(format!("rw-cat-check-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let file = dir.join("catalogue-2031-example.toml");
    std::fs::write(&file, EXAMPLE_2031).unwrap();
    let path = file.to_str().unwrap();
    let (code, out, err) = crate::rules::run_cli(&["catalogue", "check", path], "");
    assert_eq!(code, 0, "{err}");
    assert!(
        out.contains("valid catalogue for 2031 with 6 tasks"),
        "{out}"
    );
    for line in [
        "  基本任务：2 项（1–2），每个学会必做",
        "  创新服务自选任务：2 项（5–6），自选，每个学会至少选 1 项",
        "  改革方案提交截止：2031-03-31 23:59（UTC 2031-03-31 15:59）",
    ] {
        assert!(
            out.lines().any(|l| l == line),
            "missing {line:?} in:\n{out}"
        );
    }
    assert!(out.contains("规则：共 9 条"), "{out}");
    let (code, out, _) = crate::rules::run_cli(&["catalogue", "check", "--lang", "en", path], "");
    assert_eq!(code, 0);
    assert!(out.contains("Rules: 9 (ratio_at_least 2,"), "{out}");
    assert!(
        out.contains("  Plan deadline: 2031-03-31 23:59 (UTC 2031-03-31 15:59)"),
        "{out}"
    );
    // A broken file: the error with file:line:column, exit code 2, no summary.
    std::fs::write(
        &file,
        EXAMPLE_2031.replacen("kind = \"bool\"", "kind = \"boolean\"", 1),
    )
    .unwrap();
    let (code, out, err) = crate::rules::run_cli(&["catalogue", "check", path], "");
    assert_eq!(code, 2);
    assert!(out.is_empty(), "{out}");
    assert!(err.contains("catalogue-2031-example.toml:"), "{err}");
    assert!(err.contains("unknown fact kind 'boolean'"), "{err}");
    std::fs::remove_dir_all(&dir).unwrap();
}

//! Issue 13, year to year: an administrator starts 2018 from 2017 (draft catalogue, election
//! flags carried over, every status afresh), loads the edited file, and the two years run side
//! by side, each judged by its own file — the same facts, a rule that differs between the
//! files, different verdicts.

use http::{Method, StatusCode};
use reformwatch::model::Role;
use serde_json::{Value, json};

use crate::{TestApp, both};

fn verdict(v: &Value, rule: &str) -> String {
    v["verdicts"]
        .as_array()
        .unwrap()
        .iter()
        .find(|x| x["rule"] == rule)
        .unwrap_or_else(|| panic!("no verdict for {rule} in {v}"))["verdict"]
        .as_str()
        .unwrap()
        .to_string()
}

async fn two_years_side_by_side_each_by_its_own_file(app: TestApp) {
    app.registry().await;
    let admin = app.admin_token().await;
    app.login("tokenadmin").await;
    for (code, flag) in [("A-01", "true"), ("A-02", "false")] {
        let r = app
            .post_form(
                &format!("/societies/{code}/election"),
                &[("year", "2017"), ("election_year", flag)],
            )
            .await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.text());
    }
    // 2017: 20,000 → 22,000 members is 10% growth; task 2 asks for 15%.
    let r = app
        .json(
            Method::PUT,
            "/api/v1/societies/A-01/facts?year=2017",
            &json!({"as_of": "2017-11-30", "values": {"members_baseline": 20000, "members_now": 22000, "has_office": true}}),
            Some(&admin),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text());
    assert_eq!(verdict(&r.json(), "members-growth"), "fail");
    let p = app
        .json(
            Method::POST,
            "/api/v1/societies/A-01/plans/2017",
            &json!({"from": "new"}),
            Some(&admin),
        )
        .await;
    assert_eq!(p.status, StatusCode::CREATED, "{}", p.text());

    // Only administrators start a year.
    app.user("yr-reviewer", Role::Reviewer, None).await;
    let reviewer = app.token_for("yr-reviewer").await;
    let start = |body: Value, token: String| {
        let app = &app;
        async move {
            app.json(Method::POST, "/api/v1/years", &body, Some(&token))
                .await
        }
    };
    let r = start(json!({"from": 2017, "to": 2018}), reviewer.clone()).await;
    assert_eq!(r.status, StatusCode::FORBIDDEN, "{}", r.text());
    // Refusals name their field.
    for (body, field) in [
        (json!({"from": 2016, "to": 2017}), "from"),
        (json!({"from": 2017, "to": 2017}), "to"),
    ] {
        let r = start(body.clone(), admin.clone()).await;
        assert_eq!(
            r.status,
            StatusCode::UNPROCESSABLE_ENTITY,
            "{body}: {}",
            r.text()
        );
        assert_eq!(r.json()["errors"][0]["field"], field, "{body}");
    }
    let r = start(json!({"from": 2017, "to": 2018}), admin.clone()).await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.text());
    let started = r.json();
    assert_eq!(started["year"], 2018);
    assert_eq!(started["election_flags_copied"], 2);
    let r = start(json!({"from": 2017, "to": 2018}), admin.clone()).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(r.json()["errors"][0]["field"], "to");
    // Not loaded yet: the year has no catalogue, so no verdicts.
    assert_eq!(
        app.get("/api/v1/catalogues/2018").await.status,
        StatusCode::NOT_FOUND
    );

    // The draft: the 2017 file with its year moved on, downloadable from the page too.
    let r = app.get_with_token("/api/v1/years/2018/draft", &admin).await;
    assert_eq!(r.status, StatusCode::OK);
    let draft = r.text();
    assert!(draft.contains("\nyear = 2018\n"), "{}", &draft[..400]);
    assert!(draft.contains("\nbaseline_year = 2017\n"));
    assert!(draft.contains("\nplan_deadline = 2018-05-22T23:59:59\n"));
    assert!(!draft.contains("\nyear = 2017\n"));
    let page = app.get("/admin/years/2018/draft.toml").await;
    assert_eq!(page.status, StatusCode::OK);
    assert_eq!(page.text(), draft);
    assert!(
        page.headers["content-disposition"]
            .to_str()
            .unwrap()
            .starts_with("attachment")
    );
    let list = app.get("/admin/years").await.text();
    assert!(
        list.contains("href=\"/admin/years/2018/draft.toml\""),
        "{list}"
    );

    // The author lowers task 2's growth to 10% for 2018 and loads the file.
    assert_eq!(draft.matches("\npercent = 15\n").count(), 1);
    let edited = draft.replacen("\npercent = 15\n", "\npercent = 10\n", 1);
    let r = app
        .request(
            Method::POST,
            "/api/v1/catalogues",
            Some("application/toml"),
            edited.into_bytes(),
            &[("authorization", &format!("Bearer {admin}"))],
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.text());

    // The last known facts came over, dated as they were; the election flags too.
    let f = app
        .get_with_token("/api/v1/societies/A-01/facts?year=2018", &admin)
        .await
        .json();
    assert_eq!(f["election_year"], true);
    let current: Vec<(String, Value, String, String)> = f["current"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| {
            (
                v["field"].as_str().unwrap().to_string(),
                v["value"].clone(),
                v["as_of"].as_str().unwrap().to_string(),
                v["source"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    assert_eq!(
        current,
        vec![
            (
                "has_office".into(),
                json!(true),
                "2017-11-30".into(),
                "carried".into()
            ),
            (
                "members_baseline".into(),
                json!(20000),
                "2017-11-30".into(),
                "carried".into()
            ),
            (
                "members_now".into(),
                json!(22000),
                "2017-11-30".into(),
                "carried".into()
            ),
        ]
    );
    let f2 = app
        .get_with_token("/api/v1/societies/A-02/facts?year=2018", &admin)
        .await
        .json();
    assert_eq!(f2["election_year"], false);
    assert_eq!(f2["current"].as_array().unwrap().len(), 0);

    // Each year judged by its own file: the same facts, different verdicts.
    let v2017 = app
        .get_with_token("/api/v1/societies/A-01/verdicts?year=2017", &admin)
        .await
        .json();
    let v2018 = app
        .get_with_token("/api/v1/societies/A-01/verdicts?year=2018", &admin)
        .await
        .json();
    assert_eq!(v2017["year"], 2017);
    assert_eq!(v2018["year"], 2018);
    assert_eq!(verdict(&v2017, "members-growth"), "fail");
    assert_eq!(verdict(&v2018, "members-growth"), "pass");
    // A rule the files share gives the same verdict.
    assert_eq!(
        verdict(&v2017, "office-premises"),
        verdict(&v2018, "office-premises")
    );

    // Every status starts afresh: the 2017 plan stays in 2017; 2018 opens its own plan, judged
    // by the 2018 file; the dashboard runs.
    let plans_of = |year: i64| {
        let app = &app;
        async move {
            sqlx::query_scalar::<_, i64>("SELECT COUNT(*) FROM plans WHERE year = $1")
                .bind(year)
                .fetch_one(&app.db().pool)
                .await
                .unwrap()
        }
    };
    assert_eq!(plans_of(2017).await, 1);
    assert_eq!(plans_of(2018).await, 0);
    let p = app
        .json(
            Method::POST,
            "/api/v1/societies/A-01/plans/2018",
            &json!({"from": "new"}),
            Some(&admin),
        )
        .await;
    assert_eq!(p.status, StatusCode::CREATED, "{}", p.text());
    assert_eq!(p.json()["plan"]["state"], "draft", "{}", p.text());
    assert_eq!(p.json()["versions"].as_array().unwrap().len(), 0);
    assert_eq!(plans_of(2018).await, 1);
    let d = app
        .get_with_token("/api/v1/dashboard?year=2018&month=6", &admin)
        .await;
    assert_eq!(d.status, StatusCode::OK, "{}", d.text());

    // The society page switches between the years, each with its own verdicts.
    let html = app.get("/societies/A-01?year=2018").await.text();
    let switch = &html[html.find("id=\"year-switch\"").unwrap()..];
    let switch = &switch[..switch.find("</nav>").unwrap()];
    assert!(
        switch.contains("href=\"/societies/A-01?year=2017\""),
        "{switch}"
    );
    assert!(
        switch.contains("<strong aria-current=\"page\">2018</strong>"),
        "{switch}"
    );
    let growth = |html: &str| -> bool {
        let at = html.find("id=\"rule-members-growth\"").unwrap();
        let end = html[at..].find("</summary>").unwrap();
        html[at..at + end].contains("class=\"verdict pass\"")
    };
    assert!(growth(&html));
    assert!(!growth(&app.get("/societies/A-01?year=2017").await.text()));

    // Loading the file again does not carry the facts twice.
    let r = app
        .request(
            Method::POST,
            "/api/v1/catalogues",
            Some("application/toml"),
            draft
                .replacen("\npercent = 15\n", "\npercent = 10\n", 1)
                .into_bytes(),
            &[("authorization", &format!("Bearer {admin}"))],
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED);
    let f = app
        .get_with_token("/api/v1/societies/A-01/facts?year=2018", &admin)
        .await
        .json();
    assert_eq!(f["history"].as_array().unwrap().len(), 3);
    let years = app.get_with_token("/api/v1/years", &admin).await.json();
    assert_eq!(years[0]["year"], 2018);
    assert!(years[0]["facts_carried_at"].is_string());
}
both!(two_years_side_by_side_each_by_its_own_file);

/// A refused start keeps what was typed and shows the message at the field.
async fn the_start_form_keeps_what_was_typed(app: TestApp) {
    app.user("yr-admin", Role::Admin, None).await;
    app.login("yr-admin").await;
    let page = app.get("/admin/years").await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(
        page.text()
            .contains("name=\"to\" inputmode=\"numeric\" value=\"2018\"")
    );
    let r = app
        .post_form("/admin/years", &[("from", "去年"), ("to", "二〇一八")])
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    let html = r.text();
    assert!(
        html.contains("id=\"err-from\"") && html.contains("id=\"err-to\""),
        "{html}"
    );
    assert!(html.contains("value=\"二〇一八\""), "{html}");
    assert!(html.contains("value=\"去年\""), "{html}");
}
both!(the_start_form_keeps_what_was_typed);

#[test]
fn the_cli_starts_a_year_and_loads_its_draft() {
    // `reformwatch year start --from 2017 --to 2018 --draft FILE`, then `catalogue load FILE`.
    let dir = std::env::temp_dir().join(format!("rw-year-cli-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    let data = dir.join("data");
    let draft = dir.join("draft.toml");
    let (d, f) = (data.to_str().unwrap(), draft.to_str().unwrap());
    let (code, _, err) = crate::rules::run_cli(
        &[
            "--data-dir",
            d,
            "year",
            "start",
            "--from",
            "2017",
            "--to",
            "2018",
            "--draft",
            f,
        ],
        "",
    );
    assert_eq!(code, 0, "{err}");
    assert!(err.contains("started 2018 from 2017"), "{err}");
    let text = std::fs::read_to_string(&draft).unwrap();
    assert!(text.contains("\nyear = 2018\n"));
    // Started once only; the message names the field.
    let (code, _, err) = crate::rules::run_cli(
        &[
            "--data-dir",
            d,
            "year",
            "start",
            "--from",
            "2017",
            "--to",
            "2018",
        ],
        "",
    );
    assert_eq!(code, 2);
    assert!(err.contains("to: 2018 年已开始"), "{err}");
    let (code, out, err) = crate::rules::run_cli(&["--data-dir", d, "catalogue", "load", f], "");
    assert_eq!(code, 0, "{err}");
    assert!(
        out.contains("stored the 2018 catalogue (24 tasks)"),
        "{out}"
    );
    let _ = std::fs::remove_dir_all(&dir);
}

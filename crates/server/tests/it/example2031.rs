//! Issue 13, end to end with the invented 2031 example (`tests/fixtures/catalogue-2031-example.
//! toml`): loaded at run time through the upload page, its what-if page and API, a plan whose
//! target is linked to one of its two new facts, and a monthly report whose value records that
//! fact and changes the verdict — no code knows these facts.

use chrono::{DateTime, TimeZone, Utc};
use http::{Method, StatusCode};
use reformwatch::model::Role;
use serde_json::{Value, json};

use crate::{TestApp, both};

const EXAMPLE_2031: &str = include_str!("../../../../tests/fixtures/catalogue-2031-example.toml");

fn beijing(s: &str) -> DateTime<Utc> {
    let naive = chrono::NaiveDateTime::parse_from_str(s, "%Y-%m-%d %H:%M:%S").unwrap();
    chrono_tz::Asia::Shanghai
        .from_local_datetime(&naive)
        .single()
        .unwrap()
        .with_timezone(&Utc)
}

fn verdict(v: &Value, rule: &str) -> String {
    v["verdicts"]
        .as_array()
        .unwrap()
        .iter()
        .find(|x| x["rule"] == rule)
        .unwrap_or_else(|| panic!("no {rule} in {v}"))["verdict"]
        .as_str()
        .unwrap()
        .to_string()
}

fn task(n: u32, target: Value) -> Value {
    json!({"number": n, "responsible": [{"name": "王五", "position": "秘书长"}],
        "targets": [target], "milestones": [{"date": "2031-09-30", "what": "中期检查"}]})
}

async fn the_2031_example_runs_end_to_end(app: TestApp) {
    app.registry().await;
    app.state.clock.set(beijing("2031-03-01 10:00:00"));
    app.user("ex-admin", Role::Admin, None).await;
    app.user("ex-editor", Role::SocietyEditor, Some("A-01"))
        .await;
    app.user("ex-reviewer", Role::Reviewer, None).await;
    app.login("ex-admin").await;
    let r = app
        .multipart(
            "/admin/catalogues",
            "file",
            "catalogue-2031-example.toml",
            EXAMPLE_2031.as_bytes(),
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.text());
    let r = app
        .post_form(
            "/societies/A-01/election",
            &[("year", "2031"), ("election_year", "true")],
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER);
    let editor = app.token_for("ex-editor").await;
    let reviewer = app.token_for("ex-reviewer").await;

    // The society enters its figures: 20 of 150 council members under 40 is less than a fifth.
    let r = app
        .json(
            Method::PUT,
            "/api/v1/societies/A-01/facts?year=2031",
            &json!({"as_of": "2031-02-28", "values": {"council_size": 150, "young_council_members": 20,
                "standing_size": 50, "women_standing_members": 13}}),
            Some(&editor),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text());
    assert_eq!(verdict(&r.json(), "young-fifth"), "fail");
    assert_eq!(verdict(&r.json(), "women-quarter"), "pass");
    // The what-if API agrees with the stored verdicts, for a proposal with 30 under 40.
    let r = app
        .request(
            Method::POST,
            "/api/v1/rules/check?year=2031",
            Some("application/json"),
            br#"{"holds_election": true, "council_size": 150, "young_council_members": 30}"#
                .to_vec(),
            &[],
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text());
    assert_eq!(verdict(&r.json(), "young-fifth"), "pass");
    // The facts form offers the new facts by their labels.
    app.login("ex-editor").await;
    let form = app.get("/societies/A-01/facts?year=2031").await;
    assert_eq!(form.status, StatusCode::OK);
    let html = form.text();
    assert!(html.contains("name=\"young_council_members\""), "{html}");
    assert!(html.contains("理事会中40岁以下成员"), "{html}");

    // A plan: the basic and election tasks and one optional; task 3's target is linked to
    // the new fact `young_council_members`.
    let base = "/api/v1/societies/A-01/plans/2031";
    let r = app
        .json(Method::POST, base, &json!({}), Some(&editor))
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.text());
    let plain =
        json!({"metric": "制度", "unit": "项", "baseline": 0, "target": 1, "due": "2031-12-31"});
    let linked = json!({"metric": "40岁以下理事", "unit": "人", "baseline": 20, "target": 30,
        "due": "2031-06-30", "fact": "young_council_members"});
    let content = json!({"summary": "", "tasks": [
        task(1, plain.clone()), task(2, plain.clone()), task(3, linked), task(4, plain.clone()), task(5, plain)
    ]});
    let r = app
        .json(
            Method::PUT,
            &format!("{base}/draft"),
            &content,
            Some(&editor),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text());
    assert_eq!(r.json()["submittable"], true, "{}", r.text());
    let r = app
        .request(
            Method::POST,
            &format!("{base}/submit"),
            None,
            vec![],
            &[("authorization", &format!("Bearer {editor}"))],
        )
        .await;
    assert!(r.status.is_success(), "{}", r.text());
    let r = app
        .json(
            Method::POST,
            &format!("{base}/review"),
            &json!({"decision": "accept"}),
            Some(&reviewer),
        )
        .await;
    assert_eq!(r.json()["plan"]["state"], "accepted", "{}", r.text());
    let page = app.get("/societies/A-01/plans/2031").await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.text());
    assert!(page.text().contains("40岁以下理事"));

    // April's report records 30 under 40: the fact gets a version from the report and the
    // verdict turns to pass.
    app.state.clock.set(beijing("2031-05-02 10:00:00"));
    let rbase = "/api/v1/societies/A-01/reports/2031/4";
    let r = app
        .json(Method::POST, rbase, &json!({}), Some(&editor))
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.text());
    let tasks: Vec<Value> = (1..=5)
        .map(|n| {
            json!({"number": n, "status": "in_progress", "progress": "按计划推进",
                "values": [{"target": 0, "value": if n == 3 { 30 } else { 1 }}]})
        })
        .collect();
    let r = app
        .json(
            Method::PUT,
            &format!("{rbase}/draft"),
            &json!({"narrative": "4月进展", "tasks": tasks}),
            Some(&editor),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text());
    let r = app
        .request(
            Method::POST,
            &format!("{rbase}/submit"),
            None,
            vec![],
            &[("authorization", &format!("Bearer {editor}"))],
        )
        .await;
    assert!(r.status.is_success(), "{}", r.text());
    let f = app
        .get_with_token("/api/v1/societies/A-01/facts?year=2031", &editor)
        .await
        .json();
    let young = f["current"]
        .as_array()
        .unwrap()
        .iter()
        .find(|v| v["field"] == "young_council_members")
        .unwrap()
        .clone();
    assert_eq!(young["value"], 30, "{young}");
    assert_eq!(young["source"], "report", "{young}");
    let v = app
        .get_with_token("/api/v1/societies/A-01/verdicts?year=2031", &editor)
        .await
        .json();
    assert_eq!(verdict(&v, "young-fifth"), "pass");
    // (The clock moved two months: a new session.)
    app.login("ex-editor").await;
    let page = app.get("/societies/A-01/reports/2031/4").await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.text());
    assert!(page.text().contains("40岁以下理事"));
    // The dashboard of 2031 runs on its own file.
    let d = app
        .get_with_token("/api/v1/dashboard?year=2031&month=4", &reviewer)
        .await;
    assert_eq!(d.status, StatusCode::OK, "{}", d.text());
}
both!(the_2031_example_runs_end_to_end);

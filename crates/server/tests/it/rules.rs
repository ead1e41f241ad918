//! R-RULE-*, R-RULE-PRE, R-SOC-2: the what-if contract through page, API and CLI; stored facts
//! with history; verdicts on the society page; justifications; facts import; the overview.

use http::{Method, StatusCode};
use reformwatch::model::Role;
use serde_json::{Value, json};

use crate::{TestApp, both};

const PROPOSAL: &str = r#"{"election_year":true,"members_baseline":20000,"members_now":23000,"council_previous":170,"council_new":190,"standing_new":64,"council_frontline":143,"standing_frontline":42,"fulltime_staff":6,"fulltime_sg_level":1,"has_office":true,"sg_nominated_on":"2017-06-01","sg_approved_on":"2017-06-20","sg_appointed_on":"2017-07-01","documents":["council-rules","conduct-code"]}"#;

pub(crate) fn run_cli(args: &[&str], stdin: &str) -> (i32, String, String) {
    use std::io::Write;
    let mut child = std::process::Command::new(env!("CARGO_BIN_EXE_reformwatch"))
        .args(args)
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .env("RUST_LOG", "off")
        .spawn()
        .unwrap();
    child
        .stdin
        .take()
        .unwrap()
        .write_all(stdin.as_bytes())
        .unwrap();
    let out = child.wait_with_output().unwrap();
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).to_string(),
        String::from_utf8_lossy(&out.stderr).to_string(),
    )
}

/// One input through all three entry points: the API, the CLI and the page agree.
async fn three_entry_points_agree(app: TestApp) {
    let api = app
        .request(
            Method::POST,
            "/api/v1/rules/check?year=2017",
            Some("application/json"),
            PROPOSAL.as_bytes().to_vec(),
            &[],
        )
        .await;
    assert_eq!(api.status, StatusCode::OK, "{}", api.text());
    let api_json = api.json();
    let (code, out, err) = run_cli(&["rules", "check", "--year", "2017", "-"], PROPOSAL);
    assert_eq!(code, 0, "{err}");
    let cli_json: Value = serde_json::from_str(&out).unwrap();
    assert_eq!(api_json, cli_json, "API and CLI differ");
    let verdicts = api_json["verdicts"].as_array().unwrap();
    assert!(verdicts.len() >= 13);
    let find = |rule: &str| verdicts.iter().find(|v| v["rule"] == rule).unwrap().clone();
    assert_eq!(find("council-cap")["verdict"], "fail"); // 23,000 members: cap 180 < 190
    // 170 was under the 180 cap, 190 is above it, and 15% growth is not more than 30%.
    assert_eq!(find("council-not-above-previous")["verdict"], "warning");
    assert_eq!(find("standing-third")["verdict"], "fail"); // 64*3 = 192 > 190
    assert_eq!(find("council-frontline")["verdict"], "pass"); // 143*4 = 572 >= 570
    assert_eq!(find("members-growth")["verdict"], "pass"); // exactly 15%
    assert_eq!(find("sg-appointment")["verdict"], "pass");
    assert!(
        find("council-cap")["explanation_zh"]
            .as_str()
            .unwrap()
            .contains("180")
    );
    // The page: the same form values give the same verdict for every rule.
    let facts: Value = serde_json::from_str(PROPOSAL).unwrap();
    let mut form: Vec<(String, String)> = Vec::new();
    for (k, v) in facts.as_object().unwrap() {
        match v {
            Value::Array(items) => {
                for i in items {
                    form.push(("documents".into(), i.as_str().unwrap().into()));
                }
                form.push(("documents_present".into(), "1".into()));
            }
            Value::String(s) => form.push((k.clone(), s.clone())),
            other => form.push((k.clone(), other.to_string())),
        }
    }
    let pairs: Vec<(&str, &str)> = form.iter().map(|(a, b)| (a.as_str(), b.as_str())).collect();
    let page = app.post_form("/rules/check?year=2017", &pairs).await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.text());
    let html = page.text();
    for v in verdicts {
        let rule = v["rule"].as_str().unwrap();
        let at = html
            .find(&format!("id=\"rule-{rule}\""))
            .unwrap_or_else(|| panic!("page lacks {rule}"));
        let class = format!("class=\"verdict {}\"", v["verdict"].as_str().unwrap());
        let next = html[at..].find("</summary>").unwrap();
        assert!(
            html[at..at + next].contains(&class),
            "page verdict for {rule} differs from the API"
        );
    }
}
both!(three_entry_points_agree);

async fn bad_input_is_an_error_naming_the_field(app: TestApp) {
    for (body, field) in [
        (r#"{"colour": 3}"#, "colour"),
        (r#"{"members_now": -5}"#, "members_now"),
        (
            r#"{"council_new": 100, "council_frontline": 101}"#,
            "council_frontline",
        ),
        (r#"{"sg_approved_on": "2017-13-01"}"#, "sg_approved_on"),
        (r#"{"members_now": "many"}"#, "members_now"),
    ] {
        let r = app
            .request(
                Method::POST,
                "/api/v1/rules/check",
                Some("application/json"),
                body.as_bytes().to_vec(),
                &[],
            )
            .await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
        assert_eq!(
            r.json()["errors"][0]["field"],
            field,
            "{body}: {}",
            r.text()
        );
        let (code, _, err) = run_cli(&["rules", "check", "-"], body);
        assert_eq!(code, 2, "{body}");
        assert!(err.contains(field), "{body}: {err}");
    }
    let (code, _, err) = run_cli(&["rules", "check", "/nonexistent/file.json"], "");
    assert_eq!(code, 2);
    assert!(err.contains("/nonexistent/file.json"));
    // The page keeps the typed values and names the problem.
    let r = app
        .post_form(
            "/rules/check",
            &[("council_new", "100"), ("council_frontline", "101")],
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.text().contains("value=\"101\""));
}
both!(bad_input_is_an_error_naming_the_field);

async fn facts_keep_their_history_and_drive_the_verdicts(app: TestApp) {
    app.registry().await;
    app.user("mech-editor", Role::SocietyEditor, Some("A-03"))
        .await;
    app.user("mech-viewer", Role::SocietyViewer, Some("A-03"))
        .await;
    app.user("math-editor", Role::SocietyEditor, Some("A-01"))
        .await;
    app.login("mech-editor").await;
    let r = app
        .post_form(
            "/societies/A-03/facts?year=2017",
            &[
                ("as_of", "2017-03-31"),
                ("members_baseline", "10000"),
                ("members_now", "11000"),
            ],
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.text());
    let page = app.get("/societies/A-03?year=2017").await.text();
    let at = page.find("id=\"rule-members-growth\"").unwrap();
    assert!(
        page[at..at + 300].contains("verdict fail"),
        "11,000 of 10,000 is 10%"
    );
    // A later value: a new version, the old one kept.
    app.post_form(
        "/societies/A-03/facts?year=2017",
        &[("as_of", "2017-09-30"), ("members_now", "11,500")],
    )
    .await;
    let page = app.get("/societies/A-03?year=2017").await.text();
    let at = page.find("id=\"rule-members-growth\"").unwrap();
    assert!(
        page[at..at + 300].contains("verdict pass"),
        "exactly 15% passes"
    );
    let api = app
        .get("/api/v1/societies/A-03/facts?year=2017")
        .await
        .json();
    let members: Vec<&Value> = api["history"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|v| v["field"] == "members_now")
        .collect();
    assert_eq!(members.len(), 2);
    assert_eq!(members[0]["value"], 11000);
    assert_eq!(members[1]["value"], 11500);
    assert_eq!(members[1]["entered_by"], "user:mech-editor");
    let history = app.get("/societies/A-03/facts?year=2017").await.text();
    assert!(history.contains("2017-03-31") && history.contains("2017-09-30"));
    // A change that breaks the whole set is refused; nothing is stored.
    let r = app
        .post_form(
            "/societies/A-03/facts?year=2017",
            &[
                ("as_of", "2017-10-01"),
                ("council_new", "100"),
                ("council_frontline", "120"),
            ],
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.text().contains("value=\"120\""));
    let api = app
        .get("/api/v1/societies/A-03/facts?year=2017")
        .await
        .json();
    assert!(
        !api["current"]
            .as_array()
            .unwrap()
            .iter()
            .any(|v| v["field"] == "council_new")
    );
    // Viewers read but cannot change; another society's editor sees nothing.
    app.login("mech-viewer").await;
    assert_eq!(
        app.get("/societies/A-03/facts").await.status,
        StatusCode::OK
    );
    assert_eq!(
        app.post_form(
            "/societies/A-03/facts",
            &[("as_of", "2017-10-01"), ("members_now", "1")]
        )
        .await
        .status,
        StatusCode::FORBIDDEN
    );
    app.login("math-editor").await;
    assert_eq!(
        app.get("/societies/A-03/facts").await.status,
        StatusCode::NOT_FOUND
    );
    assert_eq!(
        app.post_form(
            "/societies/A-03/facts",
            &[("as_of", "2017-10-01"), ("members_now", "1")]
        )
        .await
        .status,
        StatusCode::NOT_FOUND
    );
    // Every change is in the audit trail.
    let entries = reformwatch::db::audit::list(
        app.db(),
        &reformwatch::db::audit::AuditFilter {
            action: Some("facts.update".into()),
            ..Default::default()
        },
    )
    .await
    .unwrap();
    assert_eq!(entries.len(), 2);
}
both!(facts_keep_their_history_and_drive_the_verdicts);

async fn facts_api_and_justifications(app: TestApp) {
    app.registry().await;
    let token = app.admin_token().await;
    // Election year is registry data.
    app.login("tokenadmin").await;
    app.post_form(
        "/societies/B-01/election",
        &[("year", "2017"), ("election_year", "true")],
    )
    .await;
    let body = json!({"as_of": "2017-06-30", "values": {"members_baseline": 20000, "members_now": 20500, "council_previous": 150, "council_new": 160, "standing_new": 50}});
    let r = app
        .json(
            Method::PUT,
            "/api/v1/societies/B-01/facts?year=2017",
            &body,
            Some(&token),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text());
    let v = r.json();
    let nap = v["verdicts"]
        .as_array()
        .unwrap()
        .iter()
        .find(|v| v["rule"] == "council-not-above-previous")
        .unwrap()
        .clone();
    assert_eq!(
        nap["verdict"], "warning",
        "150 was under the 180 cap and growth was 2.5%: {nap}"
    );
    let bad = app
        .json(
            Method::PUT,
            "/api/v1/societies/B-01/facts",
            &json!({"as_of": "2017-07-01", "values": {"council_frontline": 161}}),
            Some(&token),
        )
        .await;
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(bad.json()["errors"][0]["field"], "council_frontline");
    let bad = app
        .json(
            Method::PUT,
            "/api/v1/societies/B-01/facts",
            &json!({"as_of": "2017-07-01", "values": {"election_year": false}}),
            Some(&token),
        )
        .await;
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
    // A written justification for the warning, shown with the verdict.
    let r = app
        .post_form(
            "/societies/B-01/justifications",
            &[
                ("year", "2017"),
                ("rule", "council-not-above-previous"),
                ("text", "新增两个专业分会的代表"),
            ],
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER);
    assert!(
        app.get("/societies/B-01")
            .await
            .text()
            .contains("新增两个专业分会的代表")
    );
    let r = app
        .post_form(
            "/societies/B-01/justifications",
            &[("year", "2017"), ("rule", "no-such-rule"), ("text", "x")],
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
}
both!(facts_api_and_justifications);

async fn facts_import_is_all_or_nothing(app: TestApp) {
    app.registry().await;
    app.user("fi-admin", Role::Admin, None).await;
    app.login("fi-admin").await;
    let bad = "学会代码,数据日期,members_now,当前缴费个人会员,council_new,council_frontline\nA-01,2017-06-30,5000,4000,120,100\nA-02,2017-06-30,多,1,,\nA-03,2017-06-30,100,200,,\nZZ-1,,1,1,,\nA-04,2017-06-30,1,,100,101\n";
    let r = app
        .multipart(
            "/admin/facts/import?year=2017",
            "file",
            "facts.csv",
            bad.as_bytes(),
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.text());
    let html = r.text();
    assert!(html.contains("<td>3</td><td>members_now</td>"), "{html}");
    assert!(html.contains("<td>5</td><td>学会代码</td>"), "{html}");
    assert!(
        reformwatch::db::facts::all_versions(app.db(), 2017)
            .await
            .unwrap()
            .is_empty(),
        "nothing imported"
    );
    // Part above whole (row 4: fee payers > members; row 6: frontline > council) found in the second pass.
    let second = "学会代码,数据日期,members_now,当前缴费个人会员,council_new,council_frontline\nA-01,2017-06-30,5000,4000,120,100\nA-03,2017-06-30,100,200,,\nA-04,2017-06-30,1,,100,101\n";
    let r = app
        .multipart(
            "/admin/facts/import?year=2017",
            "file",
            "facts.csv",
            second.as_bytes(),
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    let html = r.text();
    assert!(
        html.contains("<td>3</td>") && html.contains("<td>4</td>"),
        "{html}"
    );
    assert!(
        reformwatch::db::facts::all_versions(app.db(), 2017)
            .await
            .unwrap()
            .is_empty(),
        "rolled back"
    );
    let good = "code,as_of,members_now,fee_payers_now\nA-01,2017-06-30,5000,4000\nA-03,,100,90\n";
    let r = app
        .multipart(
            "/admin/facts/import?year=2017",
            "file",
            "facts.csv",
            good.as_bytes(),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text());
    assert!(r.text().contains("2 个学会，新增 4 个数据版本"));
}
both!(facts_import_is_all_or_nothing);

async fn overview_filters_and_exports(app: TestApp) {
    app.registry().await;
    let token = app.admin_token().await;
    for (code, council) in [("A-01", 190), ("A-02", 120)] {
        let body = json!({"as_of": "2017-06-30", "values": {"members_now": 23000, "council_new": council}});
        let r = app
            .json(
                Method::PUT,
                &format!("/api/v1/societies/{code}/facts"),
                &body,
                Some(&token),
            )
            .await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.text());
    }
    app.login("tokenadmin").await;
    for code in ["A-01", "A-02"] {
        app.post_form(
            &format!("/societies/{code}/election"),
            &[("year", "2017"), ("election_year", "true")],
        )
        .await;
    }
    let all = app.get("/overview/rules?year=2017").await.text();
    assert!(all.contains("共 209 个学会"));
    let failing = app
        .get("/overview/rules?year=2017&failing=council-cap")
        .await
        .text();
    assert!(failing.contains("共 1 个学会"), "only A-01 breaks the cap");
    assert!(failing.contains("A-01"));
    let electing = app
        .get("/overview/rules?year=2017&election=true&group=A")
        .await
        .text();
    assert!(electing.contains("共 2 个学会"));
    let x = app
        .get("/overview/rules.xlsx?year=2017&election=true")
        .await;
    assert_eq!(x.status, StatusCode::OK);
    assert!(
        x.header("content-disposition")
            .contains("reformwatch-rules-2017.xlsx")
    );
    let table = reformwatch_tabular::read_table("x.xlsx", &x.body, &Default::default()).unwrap();
    assert_eq!(table.rows.len(), 2);
    let cap = table
        .headers
        .iter()
        .position(|h| h.starts_with("council-cap"))
        .unwrap();
    assert_eq!(table.rows[0].cells[cap], "不符合");
    assert_eq!(table.rows[1].cells[cap], "符合");
    // Society people cannot see the overview.
    app.user("ov-editor", Role::SocietyEditor, Some("A-01"))
        .await;
    app.login("ov-editor").await;
    assert_eq!(
        app.get("/overview/rules").await.status,
        StatusCode::FORBIDDEN
    );
}
both!(overview_filters_and_exports);

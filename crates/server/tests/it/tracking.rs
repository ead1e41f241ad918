//! R-TRACK-1..4: monthly reports (versions, review, late marking, locks), facts following the
//! reports, colours, the dashboard and its export, reporting rates, and evidence files
//! (content-checked, limited, stored once, served safely).

use chrono::{DateTime, TimeZone, Utc};
use http::{Method, StatusCode};
use reformwatch::model::Role;
use serde_json::{Value, json};

use crate::{Backend, TestApp, both};

fn beijing(s: &str) -> DateTime<Utc> {
    let naive = chrono::NaiveDateTime::parse_from_str(s, "%Y-%m-%d %H:%M:%S").unwrap();
    chrono_tz::Asia::Shanghai
        .from_local_datetime(&naive)
        .single()
        .unwrap()
        .with_timezone(&Utc)
}

fn plan_content() -> Value {
    let mut tasks: Vec<Value> = (1..=7)
        .map(|n| json!({"number": n, "responsible": [{"name": "张三", "position": "秘书长"}],
            "targets": [{"metric": "制度", "unit": "项", "baseline": 0, "target": 2, "due": "2017-12-31"}],
            "milestones": [{"date": "2017-09-30", "what": "中期检查"}]}))
        .collect();
    // Task 2: members, linked to the fact, due at the end of June.
    tasks[1]["targets"] = json!([{"metric": "个人会员", "unit": "人", "baseline": 10000, "target": 11500, "due": "2017-06-30", "fact": "members_now"}]);
    for n in [12, 13, 14, 15, 16] {
        tasks.push(json!({"number": n, "responsible": [{"name": "李四", "position": "副秘书长"}],
            "targets": [{"metric": "活动", "unit": "次", "baseline": 1, "target": 3, "due": "2017-12-31"}],
            "milestones": [{"date": "2017-10-31", "what": "完成一半"}]}));
    }
    json!({"summary": "", "tasks": tasks})
}

struct Ctx {
    editor: String,
    reviewer: String,
    admin: String,
}

fn bearer(t: &str) -> String {
    format!("Bearer {t}")
}

/// A-03 with an accepted plan; the clock in May 2017.
async fn setup(app: &TestApp) -> Ctx {
    app.registry().await;
    app.state.clock.set(beijing("2017-05-20 10:00:00"));
    let admin = app.admin_token().await;
    app.user("t-editor", Role::SocietyEditor, Some("A-03"))
        .await;
    app.user("t-reviewer", Role::Reviewer, None).await;
    app.user("t-other", Role::SocietyEditor, Some("A-01")).await;
    let editor = app.token_for("t-editor").await;
    let reviewer = app.token_for("t-reviewer").await;
    let base = "/api/v1/societies/A-03/plans/2017";
    app.json(Method::POST, base, &json!({}), Some(&editor))
        .await;
    let r = app
        .json(
            Method::PUT,
            &format!("{base}/draft"),
            &plan_content(),
            Some(&editor),
        )
        .await;
    assert_eq!(r.json()["submittable"], true, "{}", r.text());
    app.request(
        Method::POST,
        &format!("{base}/submit"),
        None,
        vec![],
        &[("authorization", &bearer(&editor))],
    )
    .await;
    let r = app
        .json(
            Method::POST,
            &format!("{base}/review"),
            &json!({"decision": "accept"}),
            Some(&reviewer),
        )
        .await;
    assert_eq!(r.json()["plan"]["state"], "accepted", "{}", r.text());
    Ctx {
        editor,
        reviewer,
        admin,
    }
}

fn june_values(members: i64) -> Value {
    let mut tasks: Vec<Value> = (1..=7).map(|n| json!({"number": n, "status": "in_progress", "progress": "按计划推进", "values": [{"target": 0, "value": 1}]})).collect();
    tasks[1]["values"] = json!([{"target": 0, "value": members}]);
    for n in [12, 13, 14, 15, 16] {
        tasks.push(json!({"number": n, "status": "in_progress", "progress": "", "values": [{"target": 0, "value": 2}]}));
    }
    json!({"narrative": "6月进展", "tasks": tasks})
}

async fn reports_flow(app: TestApp) {
    let c = setup(&app).await;
    let base = "/api/v1/societies/A-03/reports/2017/6";
    // With the plan accepted, the next step is June's report (due in July).
    app.login("t-editor").await;
    let home = app.get("/societies/A-03").await.text();
    assert!(home.contains("请填写 2017-06 的月度进展报告"), "{home}");
    // Not an expected month: 404; June: opened pre-filled from the plan.
    assert_eq!(
        app.json(
            Method::POST,
            "/api/v1/societies/A-03/reports/2017/3",
            &json!({}),
            Some(&c.editor)
        )
        .await
        .status,
        StatusCode::UNPROCESSABLE_ENTITY
    );
    let r = app
        .json(Method::POST, base, &json!({}), Some(&c.editor))
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.text());
    assert_eq!(
        r.json()["report"]["draft"]["tasks"]
            .as_array()
            .unwrap()
            .len(),
        12
    );
    // Blocked without a reason is refused at submission, every issue listed.
    let mut bad = june_values(11000);
    bad["tasks"][0]["status"] = json!("blocked");
    app.json(Method::PUT, &format!("{base}/draft"), &bad, Some(&c.editor))
        .await;
    app.state.clock.set(beijing("2017-07-05 23:59:59"));
    let r = app
        .request(
            Method::POST,
            &format!("{base}/submit"),
            None,
            vec![],
            &[("authorization", &bearer(&c.editor))],
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.text());
    assert!(r.text().contains("blocked-without-reason"), "{}", r.text());
    // Submitted in the last minutes of the due day: on time. (The exact 23:59:59 boundary is
    // a core unit test; the shell's test clock keeps ticking, so a loaded machine must not be
    // able to carry this submission past midnight.)
    app.json(
        Method::PUT,
        &format!("{base}/draft"),
        &june_values(11000),
        Some(&c.editor),
    )
    .await;
    app.state.clock.set(beijing("2017-07-05 23:55:00"));
    let r = app
        .request(
            Method::POST,
            &format!("{base}/submit"),
            None,
            vec![],
            &[("authorization", &bearer(&c.editor))],
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text());
    assert!(r.json()["report"]["versions"][0]["late_seconds"].is_null());
    // The reported member count became a fact version (source: report), dated end of June.
    let facts = app
        .get_with_token("/api/v1/societies/A-03/facts?year=2017", &c.editor)
        .await
        .json();
    let m = facts["current"]
        .as_array()
        .unwrap()
        .iter()
        .find(|v| v["field"] == "members_now")
        .unwrap()
        .clone();
    assert_eq!(m["value"], 11000);
    assert_eq!(m["source"], "report");
    assert_eq!(m["as_of"], "2017-06-30");
    // Issue 10 (R-TRACK-1): submitted, the report is read-only until the reviewer decides:
    // neither a new draft nor a second submission (422, the state named at the field).
    app.state.clock.set(beijing("2017-07-06 09:00:00"));
    let r = app
        .json(
            Method::PUT,
            &format!("{base}/draft"),
            &june_values(11600),
            Some(&c.editor),
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.text());
    assert_eq!(r.json()["errors"][0]["field"], "state", "{}", r.text());
    assert_eq!(
        r.json()["errors"][0]["message"],
        "月报当前状态为“已提交”，不能编辑：已提交，等待审核；审核退回后方可修改并重新提交。",
        "{}",
        r.text()
    );
    // The page says so and offers neither save nor submit; a stale form posted anyway is
    // refused on the page with the same message (422), what was typed kept.
    app.login("t-editor").await;
    let html = app.get("/societies/A-03/reports/2017/6").await.text();
    assert!(html.contains(r#"id="report-status""#), "{html}");
    assert!(
        html.contains("已提交，等待审核。审核退回后方可修改。"),
        "{html}"
    );
    assert!(!html.contains(r#"id="save-report""#), "{html}");
    assert!(!html.contains(r#"id="submit-report""#), "{html}");
    assert!(!html.contains(r#"id="evidence-form""#), "{html}");
    let r = app
        .post_form(
            "/societies/A-03/reports/2017/6/draft",
            &[("narrative", "改一下")],
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.text());
    assert!(
        r.text().contains(
            "月报当前状态为“已提交”，不能编辑：已提交，等待审核；审核退回后方可修改并重新提交。"
        ),
        "{}",
        r.text()
    );
    assert!(r.text().contains(">改一下</textarea>"), "{}", r.text());
    let submit_again = || async {
        app.request(
            Method::POST,
            &format!("{base}/submit"),
            None,
            vec![],
            &[("authorization", &bearer(&c.editor))],
        )
        .await
    };
    let r = submit_again().await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.text());
    let r = app.get_with_token(base, &c.editor).await;
    assert_eq!(r.json()["report"]["state"], "submitted");
    assert_eq!(
        r.json()["report"]["draft"]["tasks"][1]["values"][0]["value"],
        11000,
        "the refused draft changed nothing"
    );
    // The reviewer comments (still waiting), then returns; the society is told.
    let r = app
        .json(
            Method::POST,
            &format!("{base}/review"),
            &json!({"decision": "comment", "comment": "收到"}),
            Some(&c.reviewer),
        )
        .await;
    assert_eq!(r.json()["report"]["state"], "submitted", "{}", r.text());
    let r = app
        .json(
            Method::POST,
            &format!("{base}/review"),
            &json!({"decision": "return", "comment": "请补充会员发展的证明材料"}),
            Some(&c.reviewer),
        )
        .await;
    assert_eq!(r.json()["report"]["state"], "returned", "{}", r.text());
    let inbox = app
        .get_with_token("/api/v1/notifications", &c.editor)
        .await
        .json();
    assert_eq!(inbox[0]["kind"], "report-returned");
    // Returned: editable again; the correction is version 2, the old one stays readable.
    let r = app
        .json(
            Method::PUT,
            &format!("{base}/draft"),
            &june_values(11600),
            Some(&c.editor),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text());
    let r = submit_again().await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text());
    assert_eq!(r.json()["version"], 2);
    assert_eq!(r.json()["report"]["report"]["state"], "submitted");
    let versions = r.json()["report"]["versions"].as_array().unwrap().clone();
    assert_eq!(
        versions[0]["content"]["tasks"][1]["values"][0]["value"],
        11000
    );
    assert!(
        versions[0]["late_seconds"].is_null(),
        "lateness is the first submission's"
    );
    assert!(
        sqlx::query("UPDATE report_versions SET content_json = '{}'")
            .execute(&app.db().pool)
            .await
            .is_err()
    );
    // Accepting is the reviewer's: the society's editor is refused (403), the report stays
    // submitted.
    let accept = format!("{base}/accept");
    let r = app
        .json(Method::POST, &accept, &json!({}), Some(&c.editor))
        .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN, "{}", r.text());
    assert_eq!(
        app.get_with_token(base, &c.reviewer).await.json()["report"]["state"],
        "submitted"
    );
    // The reviewer accepts version 2 (empty body); audited; the society is told.
    let r = app
        .request(
            Method::POST,
            &accept,
            None,
            vec![],
            &[("authorization", &bearer(&c.reviewer))],
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text());
    assert_eq!(r.json()["report"]["state"], "accepted", "{}", r.text());
    let reviews = r.json()["reviews"].as_array().unwrap().clone();
    assert_eq!(reviews.len(), 3);
    assert_eq!(reviews[2]["decision"], "accepted");
    assert_eq!(reviews[2]["version"], 2);
    let audit = reformwatch::db::audit::list(
        app.db(),
        &reformwatch::db::audit::AuditFilter {
            action: Some("report.accept".into()),
            ..Default::default()
        },
    )
    .await
    .unwrap();
    assert_eq!(audit.len(), 1);
    assert_eq!(audit[0].object_id, "A-03/2017-06");
    assert_eq!(audit[0].before, Some(json!({"state": "submitted"})));
    let inbox = app
        .get_with_token("/api/v1/notifications", &c.editor)
        .await
        .json();
    assert_eq!(inbox[0]["kind"], "report-accepted", "{inbox}");
    // Accepted is final: no edit, no submission, no second decision (422 each).
    let r = app
        .json(
            Method::PUT,
            &format!("{base}/draft"),
            &june_values(11700),
            Some(&c.editor),
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.text());
    assert_eq!(
        r.json()["errors"][0]["message"],
        "月报当前状态为“已通过”，不能编辑：月报已通过审核，内容已冻结，不能再修改或评审。"
    );
    assert_eq!(
        submit_again().await.status,
        StatusCode::UNPROCESSABLE_ENTITY
    );
    for decision in ["return", "accept", "comment"] {
        let r = app
            .json(
                Method::POST,
                &format!("{base}/review"),
                &json!({"decision": decision, "comment": "再看看"}),
                Some(&c.reviewer),
            )
            .await;
        assert_eq!(
            r.status,
            StatusCode::UNPROCESSABLE_ENTITY,
            "{decision}: {}",
            r.text()
        );
    }
    let r = app
        .request(
            Method::POST,
            &accept,
            None,
            vec![],
            &[("authorization", &bearer(&c.reviewer))],
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.text());
    // Another society's editor cannot see it; the reviewer cannot write it.
    let other = app.token_for("t-other").await;
    assert_eq!(
        app.get_with_token(base, &other).await.status,
        StatusCode::NOT_FOUND
    );
    assert_eq!(
        app.json(
            Method::PUT,
            &format!("{base}/draft"),
            &june_values(1),
            Some(&c.reviewer)
        )
        .await
        .status,
        StatusCode::FORBIDDEN
    );
}
both!(reports_flow);

async fn late_reports_and_locks(app: TestApp) {
    let c = setup(&app).await;
    let base = "/api/v1/societies/A-03/reports/2017/6";
    app.json(Method::POST, base, &json!({}), Some(&c.editor))
        .await;
    app.json(
        Method::PUT,
        &format!("{base}/draft"),
        &june_values(11000),
        Some(&c.editor),
    )
    .await;
    // One second after the due day: accepted, marked late.
    app.state.clock.set(beijing("2017-07-06 00:00:00"));
    let r = app
        .request(
            Method::POST,
            &format!("{base}/submit"),
            None,
            vec![],
            &[("authorization", &bearer(&c.editor))],
        )
        .await;
    assert_eq!(
        r.json()["report"]["versions"][0]["late_seconds"],
        1,
        "{}",
        r.text()
    );
    // Returned by the reviewer (issue 10: a submitted report is read-only until then).
    let r = app
        .json(
            Method::POST,
            &format!("{base}/review"),
            &json!({"decision": "return", "comment": "请补充材料"}),
            Some(&c.reviewer),
        )
        .await;
    assert_eq!(r.json()["report"]["state"], "returned", "{}", r.text());
    // CAST locks June: no more changes, unless an exception is granted.
    app.login("tokenadmin").await;
    let r = app
        .post_form(
            "/admin/months",
            &[("year", "2017"), ("month", "6"), ("locked", "true")],
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER);
    let r = app
        .json(
            Method::PUT,
            &format!("{base}/draft"),
            &june_values(12000),
            Some(&c.editor),
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(r.json()["errors"][0]["field"], "month");
    app.post_form(
        "/admin/months/exception",
        &[("year", "2017"), ("month", "6"), ("society", "A-03")],
    )
    .await;
    let r = app
        .json(
            Method::PUT,
            &format!("{base}/draft"),
            &june_values(12000),
            Some(&c.editor),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text());
    let _ = &c.admin;
}
both!(late_reports_and_locks);

async fn colours_dashboard_and_rates(app: TestApp) {
    let c = setup(&app).await;
    // A second society (A-01) with the same accepted plan, but it never reports.
    app.json(
        Method::POST,
        "/api/v1/societies/A-01/plans/2017",
        &json!({}),
        Some(&c.admin),
    )
    .await;
    app.json(
        Method::PUT,
        "/api/v1/societies/A-01/plans/2017/draft",
        &plan_content(),
        Some(&c.admin),
    )
    .await;
    app.request(
        Method::POST,
        "/api/v1/societies/A-01/plans/2017/submit",
        None,
        vec![],
        &[("authorization", &bearer(&c.admin))],
    )
    .await;
    app.json(
        Method::POST,
        "/api/v1/societies/A-01/plans/2017/review",
        &json!({"decision": "accept"}),
        Some(&c.reviewer),
    )
    .await;
    // A-03 reports 11,000 members for June: the 11,500 target due 30 June is missed → task 2 red.
    let base = "/api/v1/societies/A-03/reports/2017/6";
    app.json(Method::POST, base, &json!({}), Some(&c.editor))
        .await;
    app.json(
        Method::PUT,
        &format!("{base}/draft"),
        &june_values(11000),
        Some(&c.editor),
    )
    .await;
    app.state.clock.set(beijing("2017-07-03 12:00:00"));
    app.request(
        Method::POST,
        &format!("{base}/submit"),
        None,
        vec![],
        &[("authorization", &bearer(&c.editor))],
    )
    .await;
    app.state.clock.set(beijing("2017-07-10 12:00:00"));
    let colours = app
        .get_with_token("/api/v1/societies/A-03/colours?year=2017", &c.editor)
        .await
        .json();
    assert_eq!(colours["colour"], "red", "{colours}");
    let t2 = colours["tasks"]
        .as_array()
        .unwrap()
        .iter()
        .find(|t| t["task"] == 2)
        .unwrap()
        .clone();
    assert_eq!(t2["colour"], "red");
    // A-01 is red for the missing June report.
    let a01 = app
        .get_with_token("/api/v1/societies/A-01/colours?year=2017", &c.admin)
        .await
        .json();
    assert_eq!(a01["colour"], "red");
    assert_eq!(a01["missing_months"][0], json!({"year": 2017, "month": 6}));
    // Dashboard for June, looked at now (10 July): both societies red and listed; filter by
    // colour; export.
    app.login("t-reviewer").await;
    let html = app
        .get("/dashboard?year=2017&month=6&colour=red")
        .await
        .text();
    assert!(
        html.contains("中国数学会") && html.contains("中国力学学会"),
        "{html}"
    );
    let d = app
        .get_with_token("/api/v1/dashboard?year=2017&month=6", &c.reviewer)
        .await
        .json();
    assert_eq!(d["received_rate"], "50%", "{}", d["received_rate"]);
    let x = app
        .get("/dashboard.xlsx?year=2017&month=6&colour=red")
        .await;
    assert_eq!(x.status, StatusCode::OK);
    let table = reformwatch_tabular::read_table("d.xlsx", &x.body, &Default::default()).unwrap();
    assert!(table.rows.iter().any(|r| r.cells[0] == "A-03"));
    // Closing the gap turns task 2 back: a July report with 11,600 members.
    app.state.clock.set(beijing("2017-08-01 10:00:00"));
    let july = "/api/v1/societies/A-03/reports/2017/7";
    app.json(Method::POST, july, &json!({}), Some(&c.editor))
        .await;
    app.json(
        Method::PUT,
        &format!("{july}/draft"),
        &june_values(11600),
        Some(&c.editor),
    )
    .await;
    app.request(
        Method::POST,
        &format!("{july}/submit"),
        None,
        vec![],
        &[("authorization", &bearer(&c.editor))],
    )
    .await;
    let colours = app
        .get_with_token("/api/v1/societies/A-03/colours?year=2017", &c.editor)
        .await
        .json();
    let t2 = colours["tasks"]
        .as_array()
        .unwrap()
        .iter()
        .find(|t| t["task"] == 2)
        .unwrap()
        .clone();
    assert_ne!(t2["colour"], "red", "{t2}");
    // Rates: June expected 2, received 1, on time 1; A-03 on time both months.
    let rates = app
        .get_with_token("/api/v1/rates?year=2017", &c.reviewer)
        .await
        .json();
    let june = rates["months"]
        .as_array()
        .unwrap()
        .iter()
        .find(|m| m["key"] == "2017-06")
        .unwrap()
        .clone();
    assert_eq!(
        (
            june["expected"].as_u64(),
            june["received"].as_u64(),
            june["on_time"].as_u64()
        ),
        (Some(2), Some(1), Some(1)),
        "{june}"
    );
    app.login("t-reviewer").await;
    assert!(app.get("/rates?year=2017").await.text().contains("50%"));
    // The colour rules are documented for everyone.
    app.forget_cookies();
    let help = app.get("/help/colours").await.text();
    assert!(help.contains("30 天内到期"), "{help}");
}
both!(colours_dashboard_and_rates);

const PDF: &[u8] =
    b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n";

async fn upload(app: &TestApp, name: &str, bytes: &[u8]) -> crate::Resp {
    let boundary = "----rwevidence";
    let mut body = Vec::new();
    for (k, v) in [
        ("owner_type", "report"),
        ("year", "2017"),
        ("month", "6"),
        ("task", "2"),
        ("back", "/societies/A-03/reports/2017/6"),
    ] {
        body.extend_from_slice(
            format!("--{boundary}\r\nContent-Disposition: form-data; name=\"{k}\"\r\n\r\n{v}\r\n")
                .as_bytes(),
        );
    }
    body.extend_from_slice(format!("--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"{name}\"\r\nContent-Type: application/octet-stream\r\n\r\n").as_bytes());
    body.extend_from_slice(bytes);
    body.extend_from_slice(format!("\r\n--{boundary}--\r\n").as_bytes());
    app.request(
        Method::POST,
        "/societies/A-03/evidence",
        Some(&format!("multipart/form-data; boundary={boundary}")),
        body,
        &[],
    )
    .await
}

async fn evidence_files(backend: Backend) {
    let app = TestApp::new_with(backend, |c| {
        c.max_evidence_bytes = 64 * 1024;
        c.society_quota_bytes = 200 * 1024;
    })
    .await;
    setup(&app).await;
    app.login("t-editor").await;
    let r = upload(&app, "../../etc/会员统计\u{202e}fdp.exe", PDF).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.text());
    let list = reformwatch::db::evidence::of_year(app.db(), 2017)
        .await
        .unwrap();
    assert_eq!(list.len(), 1);
    let e = list[0].clone();
    assert_eq!(e.kind, "pdf");
    assert!(
        !e.name.contains('/') && !e.name.contains('\u{202e}') && e.name.ends_with(".pdf"),
        "{}",
        e.name
    );
    assert_eq!(e.sha256.len(), 64);
    // Downloaded as an attachment, never rendered, by those allowed.
    let d = app.get(&format!("/evidence/{}", e.id)).await;
    assert_eq!(d.status, StatusCode::OK);
    assert_eq!(d.body, PDF);
    assert!(
        d.header("content-disposition").starts_with("attachment;"),
        "{}",
        d.header("content-disposition")
    );
    assert!(!d.header("content-disposition").contains('\r'));
    assert_eq!(d.header("content-type"), "application/pdf");
    assert_eq!(d.header("x-content-type-options"), "nosniff");
    assert!(d.header("content-security-policy").contains("sandbox"));
    app.login("t-reviewer").await;
    assert_eq!(
        app.get(&format!("/evidence/{}", e.id)).await.status,
        StatusCode::OK
    );
    app.login("t-other").await;
    assert_eq!(
        app.get(&format!("/evidence/{}", e.id)).await.status,
        StatusCode::NOT_FOUND
    );
    app.forget_cookies();
    assert_eq!(
        app.get(&format!("/evidence/{}", e.id)).await.status,
        StatusCode::SEE_OTHER
    );
    // Stored once: the same content again adds a link, not an object.
    app.login("t-editor").await;
    upload(&app, "copy.pdf", PDF).await;
    let objects: i64 = sqlx::Row::try_get(
        &sqlx::query("SELECT COUNT(*) FROM evidence_objects")
            .fetch_one(&app.db().pool)
            .await
            .unwrap(),
        0,
    )
    .unwrap();
    assert_eq!(objects, 1);
    // Spoofed type: HTML named .pdf is refused by content.
    let r = upload(
        &app,
        "report.pdf",
        b"<html><script>alert(1)</script></html>",
    )
    .await;
    // A refused page upload goes back to its form with the reason (issue 10; the page shows
    // it at the file input: tests/it/form_errors.rs).
    assert_eq!(r.status, StatusCode::SEE_OTHER);
    assert!(
        r.location().starts_with(
            "/societies/A-03/reports/2017/6?refused=err-file-type&arg=html#evidence-file"
        ),
        "{}",
        r.location()
    );
    // Too large: the limit in the message; nothing stored.
    let big = [PDF, &vec![b'x'; 70 * 1024]].concat();
    let r = upload(&app, "big.pdf", &big).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER);
    assert!(
        r.location().contains("?refused=err-file-too-large&arg=1#"),
        "{}",
        r.location()
    );
    // The society's quota: three 60 KiB files fit in 200 KiB, the fourth does not.
    for i in 0..3u8 {
        let f = [PDF, &vec![b'a' + i; 60 * 1024]].concat();
        assert_eq!(
            upload(&app, &format!("f{i}.pdf"), &f).await.status,
            StatusCode::SEE_OTHER
        );
    }
    let f = [PDF, &vec![b'z'; 60 * 1024]].concat();
    let r = upload(&app, "f4.pdf", &f).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER);
    assert!(
        r.location().contains("?refused=err-quota&arg=1#"),
        "{}",
        r.location()
    );
    // Files live outside any served folder: no route serves the object path.
    assert_eq!(
        app.get(&format!("/assets/{}", e.sha256)).await.status,
        StatusCode::NOT_FOUND
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn evidence_files_sqlite() {
    evidence_files(Backend::Sqlite).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn evidence_files_postgres() {
    evidence_files(Backend::Postgres).await;
}

async fn reminders_and_rectification_by_rule(app: TestApp) {
    let c = setup(&app).await;
    let catalogue = app
        .state
        .catalogues
        .get(app.db(), 2017)
        .await
        .unwrap()
        .unwrap();
    // Two days before the June report is due: one "due soon" reminder for A-03 (the only
    // society with an accepted plan), sent once.
    app.state.clock.set(beijing("2017-07-03 09:00:00"));
    assert_eq!(
        reformwatch::service::reports::report_reminders(
            &app.state,
            &catalogue,
            app.state.clock.now()
        )
        .await
        .unwrap(),
        1
    );
    reformwatch::service::reports::report_reminders(&app.state, &catalogue, app.state.clock.now())
        .await
        .unwrap();
    let inbox = app
        .get_with_token("/api/v1/notifications", &c.editor)
        .await
        .json();
    assert_eq!(
        inbox
            .as_array()
            .unwrap()
            .iter()
            .filter(|n| n["kind"] == "report-due-soon")
            .count(),
        1
    );
    // After the due day: overdue.
    app.state.clock.set(beijing("2017-07-06 09:00:00"));
    assert_eq!(
        reformwatch::service::reports::report_reminders(
            &app.state,
            &catalogue,
            app.state.clock.now()
        )
        .await
        .unwrap(),
        1
    );
    // Task 2 stays red (11,000 < 11,500 past 30 June) in the June and July reports: after two
    // red months the rule asks for a rectification plan, once.
    for (m, day) in [(6, "2017-07-06 10:00:00"), (7, "2017-08-03 10:00:00")] {
        app.state.clock.set(beijing(day));
        let base = format!("/api/v1/societies/A-03/reports/2017/{m}");
        app.json(Method::POST, &base, &json!({}), Some(&c.editor))
            .await;
        app.json(
            Method::PUT,
            &format!("{base}/draft"),
            &june_values(11000),
            Some(&c.editor),
        )
        .await;
        let r = app
            .request(
                Method::POST,
                &format!("{base}/submit"),
                None,
                vec![],
                &[("authorization", &bearer(&c.editor))],
            )
            .await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.text());
    }
    app.state.clock.set(beijing("2017-08-06 10:00:00"));
    assert_eq!(
        reformwatch::service::reports::auto_rectification(
            &app.state,
            &catalogue,
            app.state.clock.now()
        )
        .await
        .unwrap(),
        1
    );
    assert_eq!(
        reformwatch::service::reports::auto_rectification(
            &app.state,
            &catalogue,
            app.state.clock.now()
        )
        .await
        .unwrap(),
        0
    );
    let rect = app
        .get_with_token(
            "/api/v1/societies/A-03/plans/2017?kind=rectification",
            &c.editor,
        )
        .await
        .json();
    assert!(
        rect["plan"]["request_reason"]
            .as_str()
            .unwrap()
            .contains("任务 2"),
        "{rect}"
    );
    assert_eq!(rect["plan"]["requested_by"], "system");
}
both!(reminders_and_rectification_by_rule);

/// Evidence can be attached to plan tasks and facts too, and rates can be taken for a group.
async fn evidence_for_plans_and_facts(app: TestApp) {
    let c = setup(&app).await;
    app.login("t-editor").await;
    for (owner, extra) in [
        ("plan_task", ("task", "2")),
        ("fact", ("field", "members_now")),
    ] {
        let boundary = "----rwev2";
        let mut body = Vec::new();
        for (k, v) in [("owner_type", owner), ("year", "2017"), extra] {
            body.extend_from_slice(
                format!(
                    "--{boundary}\r\nContent-Disposition: form-data; name=\"{k}\"\r\n\r\n{v}\r\n"
                )
                .as_bytes(),
            );
        }
        body.extend_from_slice(format!("--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"证明.csv\"\r\n\r\n").as_bytes());
        body.extend_from_slice("月份,会员数\n6,11000\n7,11600\n".as_bytes());
        body.extend_from_slice(format!("\r\n--{boundary}--\r\n").as_bytes());
        let r = app
            .request(
                Method::POST,
                "/api/v1/societies/A-03/evidence",
                Some(&format!("multipart/form-data; boundary={boundary}")),
                body,
                &[("authorization", &bearer(&c.editor))],
            )
            .await;
        assert_eq!(r.status, StatusCode::CREATED, "{}", r.text());
        assert_eq!(r.json()["kind"], "csv");
    }
    assert!(
        app.get("/societies/A-03/plans/2017")
            .await
            .text()
            .contains("证明.csv")
    );
    assert!(
        app.get("/societies/A-03/facts?year=2017")
            .await
            .text()
            .contains("证明.csv")
    );
    let d = app.get_with_token("/api/v1/evidence/1", &c.editor).await;
    assert_eq!(d.header("content-type"), "text/csv; charset=utf-8");
    let rates = app
        .get_with_token("/api/v1/rates?year=2017&group=B", &c.reviewer)
        .await
        .json();
    assert!(
        rates["societies"].as_array().unwrap().is_empty(),
        "A-03 is in group A"
    );
}
both!(evidence_for_plans_and_facts);

async fn evidence_can_be_withdrawn_by_its_society_only(app: TestApp) {
    let c = setup(&app).await;
    app.login("t-editor").await;
    let r = upload(&app, "a.pdf", PDF).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER);
    let id = reformwatch::db::evidence::of_year(app.db(), 2017)
        .await
        .unwrap()[0]
        .id;
    app.login("t-other").await;
    assert_eq!(
        app.post_form(&format!("/evidence/{id}/remove"), &[])
            .await
            .status,
        StatusCode::NOT_FOUND
    );
    app.login("t-reviewer").await;
    assert_eq!(
        app.post_form(&format!("/evidence/{id}/remove"), &[])
            .await
            .status,
        StatusCode::FORBIDDEN
    );
    app.login("t-editor").await;
    let r = app
        .post_form(
            &format!("/evidence/{id}/remove"),
            &[("back", "/societies/A-03/reports/2017/6")],
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER);
    assert!(
        reformwatch::db::evidence::of_year(app.db(), 2017)
            .await
            .unwrap()
            .is_empty()
    );
    assert_eq!(
        app.get(&format!("/evidence/{id}")).await.status,
        StatusCode::NOT_FOUND
    );
    let _ = c;
}
both!(evidence_can_be_withdrawn_by_its_society_only);

/// The month view (issue 8, R-TRACK-2): a report that came after its due instant is received
/// and marked late — never "missing" — on the dashboard (page and API) and the timeline, judged
/// when they are looked at; a society whose report has not come is missing (the control).
async fn a_late_report_is_received_not_missing(app: TestApp) {
    let c = setup(&app).await;
    // A-01 gets the same accepted plan and never reports.
    let a01 = "/api/v1/societies/A-01/plans/2017";
    app.json(Method::POST, a01, &json!({}), Some(&c.admin))
        .await;
    app.json(
        Method::PUT,
        &format!("{a01}/draft"),
        &plan_content(),
        Some(&c.admin),
    )
    .await;
    let r = app
        .request(
            Method::POST,
            &format!("{a01}/submit"),
            None,
            vec![],
            &[("authorization", &bearer(&c.admin))],
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text());
    let r = app
        .json(
            Method::POST,
            &format!("{a01}/review"),
            &json!({"decision": "accept"}),
            Some(&c.reviewer),
        )
        .await;
    assert_eq!(r.json()["plan"]["state"], "accepted", "{}", r.text());
    // A-03's June report (due 5 July 23:59:59) arrives on 8 July.
    let base = "/api/v1/societies/A-03/reports/2017/6";
    app.state.clock.set(beijing("2017-07-01 10:00:00"));
    app.json(Method::POST, base, &json!({}), Some(&c.editor))
        .await;
    app.json(
        Method::PUT,
        &format!("{base}/draft"),
        &june_values(11600),
        Some(&c.editor),
    )
    .await;
    app.state.clock.set(beijing("2017-07-08 10:00:00"));
    let r = app
        .request(
            Method::POST,
            &format!("{base}/submit"),
            None,
            vec![],
            &[("authorization", &bearer(&c.editor))],
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text());
    assert!(r.json()["report"]["versions"][0]["late_seconds"].as_i64() > Some(0));
    // Looked at on 20 July.
    app.state.clock.set(beijing("2017-07-20 10:00:00"));
    let d = app
        .get_with_token("/api/v1/dashboard?year=2017&month=6", &c.reviewer)
        .await
        .json();
    let row = |code: &str| {
        d["rows"]
            .as_array()
            .unwrap()
            .iter()
            .find(|r| r["code"] == code)
            .unwrap()
            .clone()
    };
    let a03 = row("A-03");
    assert_eq!(a03["report_state"], "已提交", "{a03}");
    assert_eq!(a03["late"], true, "{a03}");
    let reasons = a03["reasons"].as_str().unwrap();
    assert!(
        !reasons.contains("缺少"),
        "a late report is not missing: {reasons}"
    );
    assert!(reasons.contains("2017年6月月报迟交"), "{reasons}");
    assert_eq!(a03["colour"], "yellow", "{a03}");
    let a01 = row("A-01");
    assert_eq!(a01["report_state"], "未提交", "{a01}");
    assert_eq!(a01["late"], false, "{a01}");
    assert!(
        a01["reasons"]
            .as_str()
            .unwrap()
            .contains("缺少 1 份已过报送截止时间的月报（2017年6月）"),
        "{a01}"
    );
    // Received (late) counts as received; on time it is not.
    assert_eq!(d["received_rate"], "50%");
    assert_eq!(d["on_time_rate"], "0%");
    // The dashboard page says the same.
    app.login("t-reviewer").await;
    let html = app.get("/dashboard?year=2017&month=6").await.text();
    let a03_row = html
        .split("<tr>")
        .find(|r| r.contains("<td>A-03</td>"))
        .unwrap()
        .to_string();
    assert!(
        a03_row.contains("已提交") && a03_row.contains("迟交"),
        "{a03_row}"
    );
    assert!(!a03_row.contains("缺少"), "{a03_row}");
    // And the society's timeline.
    app.login("t-editor").await;
    let html = app.get("/societies/A-03/reports/2017").await.text();
    let june = html
        .split("<tr>")
        .find(|r| r.contains("/societies/A-03/reports/2017/6\""))
        .unwrap()
        .to_string();
    assert!(june.contains("rstate submitted"), "{june}");
    assert!(june.contains("迟交"), "{june}");
    assert!(!html.contains("缺少"), "{html}");
    // Issue 10: once accepted, the report counts exactly as before (received, late, yellow),
    // everywhere: dashboard, rates, timeline.
    let r = app
        .json(
            Method::POST,
            &format!("{base}/review"),
            &json!({"decision": "accept", "comment": ""}),
            Some(&c.reviewer),
        )
        .await;
    assert_eq!(r.json()["report"]["state"], "accepted", "{}", r.text());
    let d = app
        .get_with_token("/api/v1/dashboard?year=2017&month=6", &c.reviewer)
        .await
        .json();
    let a03 = d["rows"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["code"] == "A-03")
        .unwrap()
        .clone();
    assert_eq!(a03["report_state"], "已通过", "{a03}");
    assert_eq!(a03["late"], true, "{a03}");
    assert_eq!(a03["colour"], "yellow", "{a03}");
    assert_eq!(d["received_rate"], "50%");
    assert_eq!(d["on_time_rate"], "0%");
    let rates = app
        .get_with_token("/api/v1/rates?year=2017", &c.reviewer)
        .await
        .json();
    assert_eq!(rates["total"]["expected"], 2, "{rates}");
    assert_eq!(rates["total"]["received"], 1, "{rates}");
    assert_eq!(rates["total"]["on_time"], 0, "{rates}");
    let html = app.get("/societies/A-03/reports/2017").await.text();
    let june = html
        .split("<tr>")
        .find(|r| r.contains("/societies/A-03/reports/2017/6\""))
        .unwrap()
        .to_string();
    assert!(june.contains("rstate accepted"), "{june}");
    assert!(june.contains("已通过"), "{june}");
    assert!(june.contains("迟交"), "{june}");
}
both!(a_late_report_is_received_not_missing);

/// Issue 8: the serve loop's housekeeping, called with a moved clock, sends the report
/// reminders and asks for a rectification plan by the catalogue's rule — each exactly once,
/// however often it runs (here twice per instant, as two processes would).
/// One housekeeping run with the clock moved to `at` (Beijing time).
async fn housekeep(app: &TestApp, at: &str) -> reformwatch::service::housekeeping::Done {
    app.state.clock.set(beijing(at));
    reformwatch::service::housekeeping::run(&app.state, app.state.clock.now())
        .await
        .unwrap()
}

/// How many notifications of a kind the token's user has.
async fn inbox_count(app: &TestApp, token: &str, kind: &str) -> usize {
    app.get_with_token("/api/v1/notifications", token)
        .await
        .json()
        .as_array()
        .unwrap()
        .iter()
        .filter(|n| n["kind"] == kind)
        .count()
}

async fn housekeeping_runs_the_rules_once(app: TestApp) {
    let c = setup(&app).await;
    // Two days before June is due: "due soon", once.
    let done = housekeep(&app, "2017-07-03 09:00:00").await;
    assert_eq!(done.report_reminders, 1, "{done:?}");
    housekeep(&app, "2017-07-03 09:01:00").await;
    assert_eq!(inbox_count(&app, &c.editor, "report-due-soon").await, 1);
    assert_eq!(inbox_count(&app, &c.editor, "report-overdue").await, 0);
    // Past the due day: "overdue", once.
    housekeep(&app, "2017-07-06 09:00:00").await;
    housekeep(&app, "2017-07-06 09:01:00").await;
    assert_eq!(inbox_count(&app, &c.editor, "report-overdue").await, 1);
    // Task 2 stays red (11,000 < 11,500 past 30 June) in June and July: no rectification yet
    // after one red month…
    for (m, day) in [(6, "2017-07-06 10:00:00"), (7, "2017-08-03 10:00:00")] {
        app.state.clock.set(beijing(day));
        let base = format!("/api/v1/societies/A-03/reports/2017/{m}");
        app.json(Method::POST, &base, &json!({}), Some(&c.editor))
            .await;
        app.json(
            Method::PUT,
            &format!("{base}/draft"),
            &june_values(11000),
            Some(&c.editor),
        )
        .await;
        let r = app
            .request(
                Method::POST,
                &format!("{base}/submit"),
                None,
                vec![],
                &[("authorization", &bearer(&c.editor))],
            )
            .await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.text());
        if m == 6 {
            let done = housekeep(&app, "2017-07-10 10:00:00").await;
            assert_eq!(done.rectifications, 0, "{done:?}");
        }
    }
    // …and after two, the rule asks for a rectification plan, once.
    let done = housekeep(&app, "2017-08-06 10:00:00").await;
    assert_eq!(done.rectifications, 1, "{done:?}");
    let done = housekeep(&app, "2017-08-06 10:01:00").await;
    assert_eq!(done.rectifications, 0, "{done:?}");
    assert_eq!(
        inbox_count(&app, &c.editor, "rectification-requested").await,
        1
    );
    let rect = app
        .get_with_token(
            "/api/v1/societies/A-03/plans/2017?kind=rectification",
            &c.editor,
        )
        .await
        .json();
    assert_eq!(rect["plan"]["requested_by"], "system", "{rect}");
    assert!(
        rect["plan"]["request_reason"]
            .as_str()
            .unwrap()
            .contains("任务 2"),
        "{rect}"
    );
    // The society that has no accepted plan was never reminded or asked.
    let others: i64 = sqlx::Row::try_get(
        &sqlx::query(
            "SELECT COUNT(*) FROM plans p JOIN societies s ON s.id = p.society_id WHERE p.kind = 'rectification' AND s.code <> 'A-03'",
        )
        .fetch_one(&app.db().pool)
        .await
        .unwrap(),
        0,
    )
    .unwrap();
    assert_eq!(others, 0);
}
both!(housekeeping_runs_the_rules_once);

/// Issue 8 (fixed cost at 10,000 societies): the serve loop's housekeeping runs the reminder
/// and rectification steps (which load the whole year) only when what they read may have
/// changed: a write (every write is audited), a new day, or a due instant passed.
async fn housekeeping_skips_the_rules_when_nothing_changed(app: TestApp) {
    use reformwatch::service::housekeeping::{Seen, run_when_due};
    let c = setup(&app).await;
    let mut seen = Seen::default();
    let at = |t: &str| {
        app.state.clock.set(beijing(t));
        app.state.clock.now()
    };
    // The first run of a process runs everything: June's report is due soon.
    let now = at("2017-07-03 09:00:00");
    let d = run_when_due(&app.state, now, &mut seen).await.unwrap();
    assert!(!d.rules_skipped, "{d:?}");
    assert_eq!(d.report_reminders, 1, "{d:?}");
    // A minute later nothing changed: skipped (no reminder counted), e-mail still flushed.
    let now = at("2017-07-03 09:01:00");
    let d = run_when_due(&app.state, now, &mut seen).await.unwrap();
    assert!(d.rules_skipped, "{d:?}");
    assert_eq!(d.report_reminders, 0, "{d:?}");
    // A write (the society starts its June report; audited): the next run runs the rules.
    let r = app
        .json(
            Method::POST,
            "/api/v1/societies/A-03/reports/2017/6",
            &json!({}),
            Some(&c.editor),
        )
        .await;
    assert!(r.status.is_success(), "{} {}", r.status, r.text());
    let now = at("2017-07-03 09:02:00");
    let d = run_when_due(&app.state, now, &mut seen).await.unwrap();
    assert!(!d.rules_skipped, "{d:?}");
    let now = at("2017-07-03 09:03:00");
    assert!(
        run_when_due(&app.state, now, &mut seen)
            .await
            .unwrap()
            .rules_skipped
    );
    // A new day (Beijing time) runs them; later that day they are skipped again.
    let now = at("2017-07-05 23:59:00");
    assert!(
        !run_when_due(&app.state, now, &mut seen)
            .await
            .unwrap()
            .rules_skipped
    );
    let now = at("2017-07-05 23:59:30");
    assert!(
        run_when_due(&app.state, now, &mut seen)
            .await
            .unwrap()
            .rules_skipped
    );
    // June's due instant (5 July 23:59:59 Beijing time) passed within the day: run, and the
    // report is now overdue.
    let now = at("2017-07-05 23:59:59");
    let d = run_when_due(&app.state, now, &mut seen).await.unwrap();
    assert!(!d.rules_skipped, "{d:?}");
    let now = at("2017-07-06 00:00:30");
    let d = run_when_due(&app.state, now, &mut seen).await.unwrap();
    assert!(!d.rules_skipped, "{d:?}");
    assert_eq!(inbox_count(&app, &c.editor, "report-overdue").await, 1);
}
both!(housekeeping_skips_the_rules_when_nothing_changed);
/// Issue 8: the loop `serve` spawns in every process (`housekeeping::every`) runs the
/// housekeeping on its own: started two days before June's report is due, it sends the
/// "due soon" reminder — once, however many rounds pass.
async fn the_serve_loop_runs_housekeeping(app: TestApp) {
    let c = setup(&app).await;
    app.state.clock.set(beijing("2017-07-03 09:00:00"));
    assert_eq!(
        inbox_count(&app, &c.editor, "report-due-soon").await,
        0,
        "nothing before the loop runs"
    );
    let rounds = tokio::spawn(reformwatch::service::housekeeping::every(
        app.state.clone(),
        std::time::Duration::from_millis(20),
    ));
    let mut seen = 0;
    for _ in 0..300 {
        seen = inbox_count(&app, &c.editor, "report-due-soon").await;
        if seen > 0 {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    assert_eq!(seen, 1, "the loop sent the reminder");
    // More rounds: still one.
    tokio::time::sleep(std::time::Duration::from_millis(400)).await;
    rounds.abort();
    assert_eq!(inbox_count(&app, &c.editor, "report-due-soon").await, 1);
}
both!(the_serve_loop_runs_housekeeping);

/// Issue 8: a monthly report's stored draft that does not decode is an error naming the
/// report — on its page and in the API — never an empty report that a save would write back.
async fn an_unreadable_report_draft_is_an_error_naming_it(app: TestApp) {
    let c = setup(&app).await;
    let base = "/api/v1/societies/A-03/reports/2017/6";
    let r = app
        .json(Method::POST, base, &json!({}), Some(&c.editor))
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.text());
    // Readable: the page and the API answer (the control).
    app.login("t-editor").await;
    let page = "/societies/A-03/reports/2017/6";
    assert_eq!(app.get(page).await.status, StatusCode::OK);
    assert_eq!(
        app.get_with_token(base, &c.editor).await.status,
        StatusCode::OK
    );
    // The stored draft is damaged (text where the task list belongs).
    let damaged = r#"{"narrative": "x", "tasks": "none"}"#;
    sqlx::query("UPDATE reports SET draft_json = $1")
        .bind(damaged)
        .execute(&app.db().pool)
        .await
        .unwrap();
    let html = app.get(page).await;
    assert_eq!(html.status, StatusCode::INTERNAL_SERVER_ERROR);
    let text = html.text();
    assert!(text.contains("存储的数据无法读取"), "{text}");
    assert!(text.contains("A-03 2017年6月月报的草稿无法读取"), "{text}");
    let api = app.get_with_token(base, &c.editor).await;
    assert_eq!(api.status, StatusCode::INTERNAL_SERVER_ERROR);
    assert_eq!(
        api.json()["errors"][0]["code"],
        "unreadable",
        "{}",
        api.text()
    );
    // Saving over it is refused; the damaged row stays as it was (nothing read as empty).
    let r = app
        .json(
            Method::PUT,
            &format!("{base}/draft"),
            &june_values(11000),
            Some(&c.editor),
        )
        .await;
    assert_eq!(r.status, StatusCode::INTERNAL_SERVER_ERROR, "{}", r.text());
    let stored: String = sqlx::Row::try_get(
        &sqlx::query("SELECT draft_json FROM reports")
            .fetch_one(&app.db().pool)
            .await
            .unwrap(),
        0,
    )
    .unwrap();
    assert_eq!(stored, damaged);
}
both!(an_unreadable_report_draft_is_an_error_naming_it);

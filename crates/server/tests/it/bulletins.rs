//! R-PUB-1, R-PUB-2, R-PUB-3: monitoring bulletins — preview, publish (audit entry and
//! notifications in the same act), the public allowlist (no secret in HTML, JSON, CSV or
//! .xlsx), immutability (later changes leave a published bulletin's bytes and hash alone; the
//! database refuses UPDATE and DELETE), the chain and corrections, `bulletin verify` and
//! `bulletin verify-file`, the public pages with ETag / 304.

use chrono::{DateTime, TimeZone, Utc};
use http::{Method, StatusCode};
use reformwatch::model::Role;
use serde_json::{Value, json};
use sha2::{Digest, Sha256};

use crate::{Backend, TestApp, both};

fn beijing(s: &str) -> DateTime<Utc> {
    let naive = chrono::NaiveDateTime::parse_from_str(s, "%Y-%m-%d %H:%M:%S").unwrap();
    chrono_tz::Asia::Shanghai
        .from_local_datetime(&naive)
        .single()
        .unwrap()
        .with_timezone(&Utc)
}

fn bearer(t: &str) -> String {
    format!("Bearer {t}")
}

fn sha_hex(bytes: &[u8]) -> String {
    hex::encode(Sha256::digest(bytes))
}

/// A recognisable secret in every private field (R-PUB-1 allowlist test).
const SECRETS: &[&str] = &[
    "SECRETCONTACTNAME",
    "secret-contact@leak.example",
    "13911119999",
    "SECRETRESPONSIBLE",
    "SECRETMETRIC",
    "SECRETMILESTONE",
    "SECRETNARRATIVE",
    "SECRETPROGRESS",
    "SECRETREVIEWCOMMENT",
    "SECRETDRAFTSUMMARY",
    "zz-secret-staff",
    // Users' e-mail addresses (staff and a society's editor): personal data.
    "staff-secret@leak.example",
    "editor-secret@leak.example",
];

fn plan_content() -> Value {
    let mut tasks: Vec<Value> = (1..=7)
        .map(|n| json!({"number": n, "responsible": [{"name": "SECRETRESPONSIBLE", "position": "秘书长"}],
            "targets": [{"metric": "SECRETMETRIC", "unit": "项", "baseline": 0, "target": 2, "due": "2017-12-31"}],
            "milestones": [{"date": "2017-09-30", "what": "SECRETMILESTONE"}]}))
        .collect();
    tasks[1]["targets"] = json!([{"metric": "个人会员", "unit": "人", "baseline": 10000, "target": 11500, "due": "2017-06-30", "fact": "members_now"}]);
    for n in [12, 13, 14, 15, 16] {
        tasks.push(json!({"number": n, "responsible": [{"name": "李四", "position": "副秘书长"}],
            "targets": [{"metric": "活动", "unit": "次", "baseline": 1, "target": 3, "due": "2017-12-31"}],
            "milestones": [{"date": "2017-10-31", "what": "完成一半"}]}));
    }
    json!({"summary": "", "tasks": tasks})
}

fn june_report(members: i64) -> Value {
    let mut tasks: Vec<Value> = (1..=7).map(|n| json!({"number": n, "status": "in_progress", "progress": "SECRETPROGRESS", "values": [{"target": 0, "value": 1}]})).collect();
    tasks[1]["values"] = json!([{"target": 0, "value": members}]);
    for n in [12, 13, 14, 15, 16] {
        tasks.push(json!({"number": n, "status": "in_progress", "progress": "", "values": [{"target": 0, "value": 2}]}));
    }
    json!({"narrative": "SECRETNARRATIVE", "tasks": tasks})
}

pub(crate) struct Ctx {
    pub(crate) admin: String,
    editor: String,
    reviewer: String,
}

/// A-03 with secrets everywhere: contact person, accepted plan (responsible person, metric,
/// milestone), a June report (narrative, progress) with a reviewer comment; A-01 with a draft
/// plan whose summary is secret; a staff user with a secret name.
pub(crate) async fn setup(app: &TestApp) -> Ctx {
    app.registry().await;
    app.state.clock.set(beijing("2017-05-20 10:00:00"));
    let admin = app.admin_token().await;
    app.user("t-editor", Role::SocietyEditor, Some("A-03"))
        .await;
    app.user("t-reviewer", Role::Reviewer, None).await;
    app.user("zz-secret-staff", Role::Reviewer, None).await;
    let editor = app.token_for("t-editor").await;
    let reviewer = app.token_for("t-reviewer").await;
    for (user, email) in [
        ("zz-secret-staff", "staff-secret@leak.example"),
        ("t-editor", "editor-secret@leak.example"),
    ] {
        sqlx::query("UPDATE users SET email = $1 WHERE username = $2")
            .bind(email)
            .bind(user)
            .execute(&app.db().pool)
            .await
            .unwrap();
    }
    // Contact person of A-03.
    let mut s = app
        .get_with_token("/api/v1/societies/A-03", &admin)
        .await
        .json();
    s["contact_name"] = json!("SECRETCONTACTNAME");
    s["contact_email"] = json!("secret-contact@leak.example");
    s["contact_phone"] = json!("13911119999");
    let body = json!({
        "code": s["code"], "name": s["name"], "short_name": s["short_name"],
        "discipline_group": s["discipline_group"], "supporting_unit": s["supporting_unit"],
        "contact_name": s["contact_name"], "contact_email": s["contact_email"],
        "contact_phone": s["contact_phone"],
    });
    let r = app
        .json(Method::PUT, "/api/v1/societies/A-03", &body, Some(&admin))
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text());
    // A-03's accepted plan.
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
    // A-01's draft plan, never submitted.
    let mut draft = plan_content();
    draft["summary"] = json!("SECRETDRAFTSUMMARY");
    app.json(
        Method::POST,
        "/api/v1/societies/A-01/plans/2017",
        &json!({}),
        Some(&admin),
    )
    .await;
    let r = app
        .json(
            Method::PUT,
            "/api/v1/societies/A-01/plans/2017/draft",
            &draft,
            Some(&admin),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text());
    // A-03's June report (11,000 members: the 11,500 target due 30 June is missed → red),
    // submitted on 3 July, with a reviewer comment.
    let rb = "/api/v1/societies/A-03/reports/2017/6";
    app.json(Method::POST, rb, &json!({}), Some(&editor)).await;
    let r = app
        .json(
            Method::PUT,
            &format!("{rb}/draft"),
            &june_report(11000),
            Some(&editor),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text());
    app.state.clock.set(beijing("2017-07-03 12:00:00"));
    let r = app
        .request(
            Method::POST,
            &format!("{rb}/submit"),
            None,
            vec![],
            &[("authorization", &bearer(&editor))],
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text());
    let r = app
        .json(
            Method::POST,
            &format!("{rb}/review"),
            &json!({"decision": "comment", "comment": "SECRETREVIEWCOMMENT"}),
            Some(&reviewer),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text());
    app.state.clock.set(beijing("2017-07-10 12:00:00"));
    Ctx {
        admin,
        editor,
        reviewer,
    }
}

fn assert_no_secret(what: &str, text: &str) {
    for s in SECRETS {
        assert!(!text.contains(s), "{what} contains the secret {s}");
    }
}

pub(crate) async fn publish(app: &TestApp, token: &str, body: Value) -> crate::Resp {
    app.json(Method::POST, "/api/v1/bulletins", &body, Some(token))
        .await
}

async fn publish_freeze_and_allowlist(app: TestApp) {
    let c = setup(&app).await;
    // Negative control: the secrets are really in the system (private views show them).
    let report = app
        .get_with_token("/api/v1/societies/A-03/reports/2017/6", &c.editor)
        .await
        .text();
    assert!(report.contains("SECRETNARRATIVE") && report.contains("SECRETREVIEWCOMMENT"));
    let soc = app
        .get_with_token("/api/v1/societies/A-03", &c.admin)
        .await
        .text();
    assert!(soc.contains("SECRETCONTACTNAME"), "{soc}");

    // Nothing published yet: the pages say so.
    assert_eq!(app.get("/api/v1/bulletins").await.json(), json!([]));
    let none = app.get("/monitor").await;
    assert_eq!(none.status, StatusCode::OK);
    assert!(none.text().contains("尚未发布监测通报"), "{}", none.text());
    assert!(app.get("/").await.text().contains("尚未发布监测通报"));
    assert_eq!(
        app.get("/api/v1/bulletins/1").await.status,
        StatusCode::NOT_FOUND
    );

    // Only administrators preview and publish.
    let r = publish(&app, &c.reviewer, json!({"year": 2017, "month": 6})).await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    app.forget_cookies();
    let r = publish(&app, "", json!({"year": 2017, "month": 6})).await;
    assert_eq!(r.status, StatusCode::UNAUTHORIZED);
    let r = publish(&app, &c.admin, json!({"year": 2017, "month": 13})).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.text());

    // Preview writes nothing.
    // The audit trail's newest entry (the list is newest first).
    let newest = app.get_with_token("/api/v1/audit", &c.admin).await.json()[0].clone();
    let audit_before = newest["seq"].as_u64().unwrap();
    let p = app
        .json(
            Method::POST,
            "/api/v1/bulletins/preview",
            &json!({"year": 2017, "month": 6}),
            Some(&c.admin),
        )
        .await;
    assert_eq!(p.status, StatusCode::OK, "{}", p.text());
    let pv = p.json();
    assert_eq!(pv["number"], 1);
    assert_eq!(pv["prev_sha256"], Value::Null);
    assert_eq!(app.get("/api/v1/bulletins").await.json(), json!([]));
    assert_eq!(
        app.get_with_token("/api/v1/audit", &c.admin).await.json()[0]["seq"].as_u64(),
        Some(audit_before)
    );

    // Publish 第1期.
    let r = publish(&app, &c.admin, json!({"year": 2017, "month": 6})).await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.text());
    let one = r.json();
    assert_eq!(one["number"], 1);
    assert_eq!(one["prev_sha256"], Value::Null);
    assert!(
        one["published_at"]
            .as_str()
            .unwrap()
            .starts_with("2017-07-10T04:00:"),
        "{one}"
    );
    let sha1 = one["sha256"].as_str().unwrap().to_owned();
    assert_eq!(sha1.len(), 64);

    // The public list and the document byte for byte: sha256sum of the body is the hash.
    app.forget_cookies();
    let list = app.get("/api/v1/bulletins").await.json();
    assert_eq!(list[0]["sha256"], sha1.as_str());
    assert_eq!(list[0]["corrects"], json!([]));
    let doc = app.get("/api/v1/bulletins/1").await;
    assert_eq!(doc.status, StatusCode::OK);
    assert_eq!(sha_hex(&doc.body), sha1);
    assert_eq!(doc.header("etag"), format!("\"{sha1}\""));
    assert!(
        doc.header("cache-control").contains("max-age"),
        "{}",
        doc.header("cache-control")
    );
    assert!(
        doc.header("last-modified")
            .starts_with("Mon, 10 Jul 2017 04:00:")
    );
    let nm = app
        .request(
            Method::GET,
            "/api/v1/bulletins/1",
            None,
            vec![],
            &[("if-none-match", &format!("\"{sha1}\""))],
        )
        .await;
    assert_eq!(nm.status, StatusCode::NOT_MODIFIED);
    assert!(nm.body.is_empty());
    let d: Value = serde_json::from_slice(&doc.body).unwrap();
    let a03 = d["societies"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["code"] == "A-03")
        .unwrap()
        .clone();
    assert_eq!(a03["colour"], "red", "{a03}");
    assert_eq!(a03["plan_status"], "accepted");
    assert_eq!(a03["reports"]["expected"], 1);
    assert_eq!(a03["reports"]["received"], 1);
    assert_eq!(
        a03["reports"]["on_time"], 1,
        "submitted 3 July, due on the 5th"
    );
    let a01 = d["societies"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["code"] == "A-01")
        .unwrap()
        .clone();
    assert_eq!(a01["plan_status"], "draft");
    assert_eq!(a01["colour"], "grey");
    assert_eq!(d["audit_head"]["seq"].as_u64(), Some(audit_before));
    assert_eq!(d["audit_head"]["sha256"], newest["hash"]);

    // Allowlist: no secret in the JSON, the CSV tables, the workbook, the pages.
    let text = String::from_utf8(doc.body.clone()).unwrap();
    assert!(text.contains("中国力学学会") && text.contains("A-03"));
    assert_no_secret("JSON", &text);
    for table in ["societies", "matrix", "groups", "tasks", "lagging"] {
        for lang in ["zh", "en"] {
            let csv = app
                .get(&format!(
                    "/api/v1/bulletins/1.csv?table={table}&lang={lang}"
                ))
                .await;
            assert_eq!(csv.status, StatusCode::OK, "{table}");
            assert!(csv.header("content-disposition").contains("attachment"));
            assert_no_secret(&format!("CSV {table} {lang}"), &csv.text());
        }
    }
    let csv = app.get("/api/v1/bulletins/1.csv").await.text();
    assert!(
        csv.starts_with('\u{feff}'),
        "CSV starts with a byte order mark"
    );
    assert!(csv.contains("A-03"), "{csv}");
    let x = app.get("/api/v1/bulletins/1.xlsx").await;
    assert_eq!(x.status, StatusCode::OK);
    let table = reformwatch_tabular::read_table("b.xlsx", &x.body, &Default::default()).unwrap();
    let cells: String = table
        .headers
        .iter()
        .chain(table.rows.iter().flat_map(|r| r.cells.iter()))
        .cloned()
        .collect::<Vec<_>>()
        .join("|");
    assert!(cells.contains("A-03"), "{cells}");
    assert_no_secret("xlsx", &cells);
    let j = app.get("/api/v1/bulletins/1.json").await;
    assert_eq!(j.body, doc.body);
    assert_eq!(
        app.get("/api/v1/bulletins/1.pdf").await.status,
        StatusCode::NOT_FOUND
    );
    for path in [
        "/",
        "/bulletins",
        "/monitor",
        "/monitor?class=basic&sort=colour",
        "/monitor/societies/A-03",
        "/monitor/societies/A-01",
        "/monitor/tasks/2",
    ] {
        for lang in ["zh", "en"] {
            app.set_cookie("rw_lang", lang);
            let page = app.get(path).await;
            assert_eq!(page.status, StatusCode::OK, "{path}");
            assert_no_secret(&format!("page {path} {lang}"), &page.text());
        }
    }
    app.forget_cookies();

    // Notifications: A-03's editor has a link to its public row.
    let inbox = app
        .get_with_token("/api/v1/notifications", &c.editor)
        .await
        .json();
    let note = inbox
        .as_array()
        .unwrap()
        .iter()
        .find(|n| n["kind"] == "bulletin-published")
        .unwrap_or_else(|| panic!("{inbox}"))
        .clone();
    assert_eq!(note["link"], "/monitor/societies/A-03?bulletin=1");
    // The act is audited.
    let audit = app
        .get_with_token("/api/v1/audit?action=bulletin.publish", &c.admin)
        .await
        .json();
    assert_eq!(audit.as_array().unwrap().len(), 1, "{audit}");
    assert_eq!(audit[0]["after"]["sha256"], sha1.as_str());

    // Immutability: a later report changes nothing in 第1期.
    let rb = "/api/v1/societies/A-03/reports/2017/7";
    app.json(Method::POST, rb, &json!({}), Some(&c.editor))
        .await;
    app.json(
        Method::PUT,
        &format!("{rb}/draft"),
        &june_report(12000),
        Some(&c.editor),
    )
    .await;
    app.state.clock.set(beijing("2017-08-02 12:00:00"));
    let r = app
        .request(
            Method::POST,
            &format!("{rb}/submit"),
            None,
            vec![],
            &[("authorization", &bearer(&c.editor))],
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text());
    app.state.clock.set(beijing("2017-08-08 12:00:00"));
    let again = app.get("/api/v1/bulletins/1").await;
    assert_eq!(again.body, doc.body);
    assert_eq!(
        app.get("/api/v1/bulletins").await.json()[0]["sha256"],
        sha1.as_str()
    );
    // The database refuses UPDATE and DELETE.
    let upd = sqlx::query("UPDATE bulletins SET content = 'x' WHERE number = 1")
        .execute(&app.db().pool)
        .await;
    assert!(upd.is_err(), "UPDATE refused");
    let del = sqlx::query("DELETE FROM bulletins WHERE number = 1")
        .execute(&app.db().pool)
        .await;
    assert!(del.is_err(), "DELETE refused");

    // 第2期 for July links to 第1期; 第3期 corrects it and says why.
    let r = publish(&app, &c.admin, json!({"year": 2017, "month": 7})).await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.text());
    assert_eq!(r.json()["prev_sha256"], sha1.as_str());
    let sha2 = r.json()["sha256"].as_str().unwrap().to_owned();
    let d2: Value = serde_json::from_slice(&app.get("/api/v1/bulletins/2").await.body).unwrap();
    let a03 = d2["societies"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["code"] == "A-03")
        .unwrap()
        .clone();
    assert_eq!(a03["reports"]["received"], 2);
    let r = publish(
        &app,
        &c.admin,
        json!({"year": 2017, "month": 7, "corrects": [2]}),
    )
    .await;
    assert_eq!(
        r.status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "a correction says why: {}",
        r.text()
    );
    let r = publish(
        &app,
        &c.admin,
        json!({"year": 2017, "month": 7, "corrects": [2],
               "correction_note_zh": "更正7月报送数据。", "correction_note_en": "Corrects the July reports."}),
    )
    .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.text());
    let three = r.json();
    assert_eq!(three["number"], 3);
    assert_eq!(three["corrects"], json!([2]));
    assert_eq!(three["prev_sha256"], sha2.as_str());
    let list = app.get("/bulletins").await.text();
    assert!(list.contains(&sha1) && list.contains(&sha2), "{list}");
    assert!(list.contains("更正7月报送数据"));
    // The chain verifies.
    let v = reformwatch::service::bulletins::verify(&app.state)
        .await
        .unwrap();
    assert_eq!(v, Ok(3));
}
both!(publish_freeze_and_allowlist);

/// The public pages: matrix filters (with a negative control), sort links, society and task
/// pages, ETag and 304, the admin form keeping what was typed.
async fn public_pages(app: TestApp) {
    let c = setup(&app).await;
    let r = publish(&app, &c.admin, json!({"year": 2017, "month": 6})).await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.text());
    app.forget_cookies();
    let m = app.get("/monitor").await;
    assert_eq!(m.status, StatusCode::OK);
    let html = m.text();
    assert!(
        html.contains("中国数学会") && html.contains("中国力学学会"),
        "A-03 and A-01 listed"
    );
    assert!(html.contains("第1期（2017年6月）"));
    assert!(html.contains("sort=colour"), "sortable by a column link");
    assert!(
        html.contains("● 红") || html.contains("●"),
        "symbol beside colour"
    );
    // Filter by discipline group: B only → no A society (negative control above).
    let b = app.get("/monitor?group=B").await.text();
    assert!(!b.contains("中国数学会") && !b.contains("中国力学学会"));
    // Task class filter: election tasks only → task 8's column, not task 1's.
    let e = app.get("/monitor?class=election").await.text();
    assert!(e.contains("/monitor/tasks/8?bulletin=1"));
    assert!(!e.contains("/monitor/tasks/1?bulletin=1"));
    let all = app.get("/monitor").await.text();
    assert!(all.contains("/monitor/tasks/1?bulletin=1"));
    // ETag and 304 for visitors without a login.
    let etag = m.header("etag");
    assert!(etag.starts_with('"'), "{etag}");
    assert!(!m.header("last-modified").is_empty());
    assert!(m.header("cache-control").contains("public"));
    let nm = app
        .request(
            Method::GET,
            "/monitor",
            None,
            vec![],
            &[("if-none-match", &etag)],
        )
        .await;
    assert_eq!(nm.status, StatusCode::NOT_MODIFIED);
    // English is another page (another tag).
    app.set_cookie("rw_lang", "en");
    let en = app.get("/monitor").await;
    assert!(en.text().contains("Reform monitor"));
    assert_ne!(en.header("etag"), etag);
    app.forget_cookies();
    // Society and task pages.
    let s = app.get("/monitor/societies/A-03").await.text();
    assert!(s.contains("中国力学学会") && s.contains("各项任务"), "{s}");
    assert!(s.contains("<svg"), "trend chart");
    assert_eq!(
        app.get("/monitor/societies/Z-99").await.status,
        StatusCode::NOT_FOUND
    );
    let t = app.get("/monitor/tasks/2").await.text();
    assert!(t.contains("中国力学学会"), "A-03 planned task 2");
    assert!(!t.contains("中国数学会"), "A-01 has no accepted plan");
    assert_eq!(
        app.get("/monitor/tasks/99").await.status,
        StatusCode::NOT_FOUND
    );
    assert_eq!(
        app.get("/monitor?bulletin=9").await.status,
        StatusCode::NOT_FOUND
    );
    // Home: headline figures, charts and their data table.
    let h = app.get("/").await.text();
    assert!(h.contains("<svg") && h.contains("trend-data"), "{h}");
    // The admin form: a refused month keeps what was typed and says why at the field.
    app.login("tokenadmin").await;
    let f = app
        .post_form(
            "/admin/bulletins/preview",
            &[("month", "2017-13"), ("corrects", "x")],
        )
        .await;
    assert_eq!(f.status, StatusCode::UNPROCESSABLE_ENTITY);
    let ft = f.text();
    assert!(
        ft.contains("value=\"2017-13\"") && ft.contains("field-error"),
        "{ft}"
    );
    let ok = app
        .post_form("/admin/bulletins/preview", &[("month", "2017-07")])
        .await;
    assert_eq!(ok.status, StatusCode::OK, "{}", ok.text());
    assert!(ok.text().contains("第2期（2017年7月）"));
    let pubd = app
        .post_form("/admin/bulletins", &[("month", "2017-07")])
        .await;
    assert_eq!(pubd.status, StatusCode::SEE_OTHER, "{}", pubd.text());
    assert_eq!(
        app.get("/api/v1/bulletins")
            .await
            .json()
            .as_array()
            .unwrap()
            .len(),
        2
    );
}
both!(public_pages);

fn run(args: &[&str]) -> (i32, String, String) {
    crate::rules::run_cli(args, "")
}

/// `bulletin verify` names the first tampered bulletin (trigger dropped in the test);
/// `bulletin verify-file` fails on one changed byte and on a wrong hash.
async fn verify_commands(app: TestApp) {
    let c = setup(&app).await;
    for month in [6, 7] {
        let r = publish(&app, &c.admin, json!({"year": 2017, "month": month})).await;
        assert_eq!(r.status, StatusCode::CREATED, "{}", r.text());
    }
    let url = app.state.config.database_url();
    let data_dir = app.state.config.data_dir.to_str().unwrap().to_owned();
    let (code, out, err) = run(&[
        "bulletin",
        "verify",
        "--database-url",
        &url,
        "--data-dir",
        &data_dir,
    ]);
    assert_eq!(code, 0, "{out}{err}");
    assert!(out.contains("2 bulletins"), "{out}");
    // A downloaded copy.
    let doc = app.get("/api/v1/bulletins/1").await.body;
    let sha = sha_hex(&doc);
    let dir = std::env::temp_dir().join(format!(
        "rw-bulletin-{}-{}",
        std::process::id(),
        sha.get(..8).unwrap()
    ));
    std::fs::create_dir_all(&dir).unwrap();
    let file = dir.join(format!("bulletin-1-{:?}.json", app.backend));
    std::fs::write(&file, &doc).unwrap();
    let f = file.to_str().unwrap();
    let (code, out, err) = run(&["bulletin", "verify-file", f, "--sha256", &sha]);
    assert_eq!(code, 0, "{out}{err}");
    assert!(out.contains(&sha));
    let (code, _, err) = run(&["bulletin", "verify-file", f, "--sha256", &"0".repeat(64)]);
    assert_eq!(code, 2, "wrong hash: {err}");
    // One byte changed: a digit of a count.
    let mut bad = doc.clone();
    let at = bad.windows(11).position(|w| w == b"\"expected\":").unwrap() + 11;
    bad[at] = if bad[at] == b'9' { b'8' } else { b'9' };
    std::fs::write(&file, &bad).unwrap();
    let (code, out, err) = run(&["bulletin", "verify-file", f, "--sha256", &sha]);
    assert_eq!(code, 2, "{out}{err}");
    assert!(err.contains("FAILED"), "{err}");
    let (code, _, err) = run(&["bulletin", "verify-file", f]);
    assert_eq!(
        code, 2,
        "without the hash, the figures no longer add up: {err}"
    );
    let _ = std::fs::remove_dir_all(&dir);

    // Tamper with the stored 第1期 (the trigger dropped, as an attacker with the database would).
    let drop = match app.backend {
        Backend::Sqlite => "DROP TRIGGER bulletins_no_update",
        Backend::Postgres => "DROP TRIGGER bulletins_no_update ON bulletins",
    };
    sqlx::query(drop).execute(&app.db().pool).await.unwrap();
    let text = String::from_utf8(doc).unwrap();
    let altered = text.replacen("中国数学会", "中国数学学会", 1);
    assert_ne!(altered, text);
    sqlx::query("UPDATE bulletins SET content = $1 WHERE number = 1")
        .bind(&altered)
        .execute(&app.db().pool)
        .await
        .unwrap();
    let (code, out, err) = run(&[
        "bulletin",
        "verify",
        "--database-url",
        &url,
        "--data-dir",
        &data_dir,
    ]);
    assert_eq!(code, 2, "{out}{err}");
    assert!(err.contains("bulletin 1"), "names the bulletin: {err}");
    // The server refuses to show an altered bulletin as genuine, and to publish on it.
    let v = reformwatch::service::bulletins::verify(&app.state)
        .await
        .unwrap();
    assert_eq!(v.unwrap_err().number, 1);
    let r = publish(&app, &c.admin, json!({"year": 2017, "month": 7})).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.text());
}
both!(verify_commands);

/// The cells of an RFC 4180 text (quoted cells unquoted, `""` → `"`).
fn csv_cells(text: &str) -> Vec<String> {
    let mut cells = Vec::new();
    let mut cell = String::new();
    let mut quoted = false;
    let mut chars = text.chars().peekable();
    while let Some(ch) = chars.next() {
        match ch {
            '"' if quoted && chars.peek() == Some(&'"') => {
                chars.next();
                cell.push('"');
            }
            '"' => quoted = !quoted,
            ',' | '\n' if !quoted => cells.push(std::mem::take(&mut cell)),
            '\r' if !quoted => {}
            _ => cell.push(ch),
        }
    }
    cells.push(cell);
    cells
}

/// Issue 11: every CSV cell that starts with `=`, `+`, `-` or `@` is neutralised with a
/// leading `'` in the served download (society names planted with a formula), so a
/// spreadsheet never runs it; the JSON keeps the names as they are.
async fn csv_downloads_neutralise_formulas(app: TestApp) {
    let c = setup(&app).await;
    let planted = [
        ("A-01", "=HYPERLINK(\"http://x.example\")"),
        ("A-02", "+1+2"),
        ("A-04", "-3-4"),
        ("A-05", "@SUM(1)"),
    ];
    for (code, name) in planted {
        let r = sqlx::query("UPDATE societies SET name = $1 WHERE code = $2")
            .bind(name)
            .bind(code)
            .execute(&app.db().pool)
            .await
            .unwrap();
        assert_eq!(r.rows_affected(), 1, "{code}");
    }
    let r = publish(&app, &c.admin, json!({"year": 2017, "month": 6})).await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.text());
    app.forget_cookies();
    // The canonical JSON carries the names unchanged (the control).
    let doc = app.get("/api/v1/bulletins/1").await.text();
    assert!(doc.contains(r#""name_zh":"+1+2""#), "{doc}");
    for table in ["societies", "matrix", "lagging"] {
        let csv = app
            .get(&format!("/api/v1/bulletins/1.csv?table={table}"))
            .await;
        assert_eq!(csv.status, StatusCode::OK, "{table}");
        let text = csv.text();
        let cells = csv_cells(text.trim_start_matches('\u{feff}'));
        // The header and at least one row (the lagging list has one: A-03).
        assert!(cells.len() > 12, "{table}: {cells:?}");
        for (code, name) in planted {
            if table == "lagging" && !text.contains(code) {
                continue;
            }
            assert!(
                cells.iter().any(|c| *c == format!("'{name}")),
                "{table}: {code}'s name neutralised: {text}"
            );
        }
        for cell in &cells {
            assert!(
                !cell.starts_with(['=', '+', '-', '@']),
                "{table}: a cell starts with a formula character: {cell:?}"
            );
        }
    }
}
both!(csv_downloads_neutralise_formulas);

/// Issue 11: publishing notifies the societies' people by e-mail too (a real SMTP server),
/// each with the public address of its own row; staff get none.
async fn publishing_mails_each_society_its_row(backend: Backend) {
    let (port, sink) = crate::smtp_sink::start().await;
    let app = TestApp::new_with(backend, |c| {
        c.smtp_url = Some(format!("smtp://127.0.0.1:{port}"));
        c.mail_from = "ReformWatch <noreply@rw.test>".into();
        c.public_url = "https://monitor.rw.test".into();
    })
    .await;
    let c = setup(&app).await;
    reformwatch::service::notifications::flush_email(&app.state, app.state.clock.now())
        .await
        .unwrap();
    sink.messages.lock().unwrap().clear();
    let r = publish(&app, &c.admin, json!({"year": 2017, "month": 6})).await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.text());
    let (sent, failed) =
        reformwatch::service::notifications::flush_email(&app.state, app.state.clock.now())
            .await
            .unwrap();
    assert_eq!((sent, failed), (1, 0), "one society user with an address");
    let messages = sink.messages.lock().unwrap().clone();
    assert_eq!(messages.len(), 1);
    assert!(
        messages[0].to[0].contains("editor-secret@leak.example"),
        "{:?}",
        messages[0].to
    );
    let data = &messages[0].data;
    let body: String = data.split("\n\n").nth(1).unwrap().lines().collect();
    use base64::Engine;
    let text = String::from_utf8(
        base64::engine::general_purpose::STANDARD
            .decode(body.trim())
            .unwrap(),
    )
    .unwrap();
    assert!(
        text.contains("https://monitor.rw.test/monitor/societies/A-03?bulletin=1"),
        "{text}"
    );
    // The inbox has it too, once.
    let inbox = app
        .get_with_token("/api/v1/notifications", &c.editor)
        .await
        .json();
    let notes = inbox
        .as_array()
        .unwrap()
        .iter()
        .filter(|n| n["kind"] == "bulletin-published")
        .count();
    assert_eq!(notes, 1, "{inbox}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn publishing_mails_each_society_its_row_sqlite() {
    publishing_mails_each_society_its_row(Backend::Sqlite).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn publishing_mails_each_society_its_row_postgres() {
    publishing_mails_each_society_its_row(Backend::Postgres).await;
}

/// Issue 11: the check recipe on /bulletins runs as printed: the latest bulletin's absolute
/// download address (the configured public address), its file name and its hash.
async fn the_check_recipe_runs_as_printed(app: TestApp) {
    let c = setup(&app).await;
    let before = app.get("/bulletins").await.text();
    assert!(
        !before.contains("class=\"recipe\""),
        "no recipe without a bulletin"
    );
    for month in [6, 7] {
        let r = publish(&app, &c.admin, json!({"year": 2017, "month": month})).await;
        assert_eq!(r.status, StatusCode::CREATED, "{}", r.text());
    }
    let sha2 = app.get("/api/v1/bulletins").await.json()[1]["sha256"]
        .as_str()
        .unwrap()
        .to_owned();
    app.forget_cookies();
    let html = app.get("/bulletins").await.text();
    let base = app.state.config.public_url.trim_end_matches('/').to_owned();
    assert!(base.starts_with("http"), "{base}");
    let expected = format!(
        "curl -s -o bulletin-2.json {base}/api/v1/bulletins/2\nsha256sum bulletin-2.json\nreformwatch bulletin verify-file bulletin-2.json --sha256 {sha2}"
    );
    assert!(html.contains(&expected), "{html}");
}
both!(the_check_recipe_runs_as_printed);

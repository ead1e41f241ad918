//! Issue 12, part 2: the year's results shown to the societies (objection window in Beijing
//! time), objections filed in the window and refused after it (moved clock), answered with a
//! change recorded, four-eyes finalisation (the requester refused, a second administrator
//! approves), the published results frozen (the database refuses UPDATE and DELETE), hashed
//! (the download's SHA-256 is the listed one), chained and verified by
//! `reformwatch assessment verify` (tampering detected), the public page (commended with exact
//! yuan, criticised with the clause quoted, no private data, with a negative control) and the
//! printable notice.

use chrono::{DateTime, TimeZone, Utc};
use http::{Method, StatusCode};
use reformwatch::model::Role;
use reformwatch::principal::Principal;
use reformwatch::service::assessment_results as svc;
use reformwatch_core::assess::{SocietyYear, YearAssessment, assess_year};
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

const SECRET_OBJECTION: &str = "SECRETOBJECTIONREASON";
const SECRET_ANSWER: &str = "SECRETREVIEWERANSWER";

/// A society completing every required task and five optional ones, with every automatic
/// leaf at full points (785 of the 2017 default's 1,000, less the 30 of milestones: none
/// planned) and `expert` points from the reviewers: total = 755 + expert.
fn full_marks(code: &str, group: &str, members: i64, expert: u32) -> Value {
    let tasks: Vec<Value> = (1..=7)
        .chain(12..=16)
        .map(|n| json!({"number": n, "status": "completed", "targets": 1, "targets_met": 1}))
        .collect();
    let pass = |r: &str| json!({"rule": r, "verdict": "pass"});
    let na = |r: &str| json!({"rule": r, "verdict": "not_applicable"});
    json!({
        "code": code, "discipline_group": group, "members": members, "election_year": false,
        "plan": {"days_late": 0, "tasks": tasks},
        "verdicts": [pass("documents-task-1"), pass("members-growth"), pass("fee-rate-rises"),
            pass("fulltime-sg"), pass("office-premises"), na("sg-appointment"), na("council-cap"),
            na("council-not-above-previous"), na("standing-third"), na("council-frontline"),
            na("standing-frontline"), na("supervisory-board"), na("documents-task-11")],
        "reports": {"expected": 7, "received": 7, "on_time": 7},
        "leaves": [
            {"indicator": "1.1.1.1", "self_score": "10", "reviewer_scores": ["10"]},
            {"indicator": "1.1.1.3", "reviewer_scores": ["10"]},
            {"indicator": "1.2.4", "reviewer_scores": ["15"]},
            {"indicator": "2.4", "reviewer_scores": ["30"]},
            {"indicator": "3.2", "reviewer_scores": ["30"]},
            {"indicator": "6.5", "reviewer_scores": ["20"]},
            {"indicator": "5.3", "reviewer_scores": [(expert - 115).to_string()]}
        ]
    })
}

/// The hand-checked year: A-01 970 and A-02 960 commended (the 2017 pool: 20,000,000 yuan,
/// floor 200,000, cap 1,000,000 → both capped at 1,000,000, 18,000,000 unspent); A-03 with
/// task 3 only partly completed (962.5) completed; B-01 without a plan criticised.
fn year_2017(app: &TestApp) -> YearAssessment {
    let mut partly = full_marks("A-03", "A", 30_000, 215);
    partly["plan"]["tasks"][2]["status"] = json!("partly");
    let mut none = full_marks("B-01", "B", 8_000, 215);
    none["plan"] = Value::Null;
    let societies: Vec<SocietyYear> = serde_json::from_value(json!([
        full_marks("A-01", "A", 25_000, 215),
        full_marks("A-02", "A", 150_000, 205),
        partly,
        none,
    ]))
    .unwrap();
    let _ = app;
    assess_year(&reformwatch_core::catalogue::builtin_2017(), &societies).unwrap()
}

struct People {
    admin1: String,
    reviewer: String,
    editor: String,
    other_editor: String,
}

async fn setup(app: &TestApp) -> People {
    app.registry().await;
    app.user("admin1", Role::Admin, None).await;
    app.user("admin2", Role::Admin, None).await;
    app.user("rev", Role::Reviewer, None).await;
    app.user("ed-b01", Role::SocietyEditor, Some("B-01")).await;
    app.user("ed-a01", Role::SocietyEditor, Some("A-01")).await;
    People {
        admin1: app.token_for("admin1").await,
        reviewer: app.token_for("rev").await,
        editor: app.token_for("ed-b01").await,
        other_editor: app.token_for("ed-a01").await,
    }
}

async fn principal(app: &TestApp, username: &str) -> Principal {
    Principal::User(
        reformwatch::db::users::by_username(app.db(), username)
            .await
            .unwrap()
            .unwrap()
            .user,
    )
}

fn field(r: &crate::Resp) -> (String, String) {
    let v = r.json();
    (
        v["errors"][0]["field"].as_str().unwrap_or("").to_owned(),
        v["errors"][0]["message"].as_str().unwrap_or("").to_owned(),
    )
}

async fn audit_actions(app: &TestApp) -> Vec<(String, String)> {
    use sqlx::Row;
    sqlx::query("SELECT actor, action FROM audit_log WHERE action LIKE 'assessment.%' ORDER BY seq")
        .fetch_all(&app.db().pool)
        .await
        .unwrap()
        .iter()
        .map(|r| (r.get::<String, _>(0), r.get::<String, _>(1)))
        .collect()
}

/// Shown → objection in the window → answered with a change → refused after the deadline →
/// four eyes → published, frozen and hashed.
async fn the_year_end(app: TestApp) {
    let p = setup(&app).await;
    app.state.clock.set(beijing("2018-01-10 10:00:00"));
    // Nothing shown yet: no objection.
    let early = app
        .json(
            Method::POST,
            "/api/v1/societies/B-01/assessment/2017/objections",
            &json!({"reason": "太早"}),
            Some(&p.editor),
        )
        .await;
    assert_eq!(
        early.status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "{}",
        early.text()
    );
    assert_eq!(field(&early).0, "reason");
    // Only administrators show the results.
    let r = app
        .json(
            Method::POST,
            "/api/v1/assessment/2017/show",
            &json!({}),
            Some(&p.reviewer),
        )
        .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    let r = app
        .json(
            Method::POST,
            "/api/v1/assessment/2017/show",
            &json!({}),
            Some(&p.admin1),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text());
    let v = r.json();
    assert_eq!(v["state"], "shown");
    // 7 days (the 2017 file): the end of 2018-01-17 in Beijing = 15:59:59 UTC.
    assert_eq!(
        reformwatch::db::parse_ts(v["objection_deadline"].as_str().unwrap()),
        Some(Utc.with_ymd_and_hms(2018, 1, 17, 15, 59, 59).unwrap())
    );
    let again = app
        .json(
            Method::POST,
            "/api/v1/assessment/2017/show",
            &json!({}),
            Some(&p.admin1),
        )
        .await;
    assert_eq!(again.status, StatusCode::UNPROCESSABLE_ENTITY);
    // The society's people were told, with a link to their page.
    let inbox = app
        .get_with_token("/api/v1/notifications", &p.editor)
        .await
        .json();
    assert!(
        inbox
            .to_string()
            .contains("/societies/B-01/assessment/2017/objections"),
        "{inbox}"
    );

    // An objection in the window; evidence of another society refused at its field; another
    // society's editor cannot file for B-01.
    let bad = app
        .json(
            Method::POST,
            "/api/v1/societies/B-01/assessment/2017/objections",
            &json!({"reason": "理由", "evidence_id": 999_999}),
            Some(&p.editor),
        )
        .await;
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(field(&bad).0, "evidence_id");
    let empty = app
        .json(
            Method::POST,
            "/api/v1/societies/B-01/assessment/2017/objections",
            &json!({"reason": "  "}),
            Some(&p.editor),
        )
        .await;
    assert_eq!(field(&empty).0, "reason");
    let other = app
        .json(
            Method::POST,
            "/api/v1/societies/B-01/assessment/2017/objections",
            &json!({"reason": "x"}),
            Some(&p.other_editor),
        )
        .await;
    assert_eq!(other.status, StatusCode::NOT_FOUND);
    app.state.clock.set(beijing("2018-01-17 23:59:00"));
    let filed = app
        .json(
            Method::POST,
            "/api/v1/societies/B-01/assessment/2017/objections",
            &json!({"reason": format!("{SECRET_OBJECTION}：方案已于5月提交")}),
            Some(&p.editor),
        )
        .await;
    assert_eq!(filed.status, StatusCode::CREATED, "{}", filed.text());
    let id = filed.json()["id"].as_i64().unwrap();
    // Finalising cannot be requested while the window is open or an objection is unanswered.
    let r = app
        .json(
            Method::POST,
            "/api/v1/assessment/2017/finalise/request",
            &json!({}),
            Some(&p.admin1),
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(field(&r).0, "year");
    assert!(field(&r).1.contains("2018-01-17 23:59"), "{}", field(&r).1);

    // After the deadline (moved clock): refused at the field, on the API and on the page.
    app.state.clock.set(beijing("2018-01-18 00:00:01"));
    let late = app
        .json(
            Method::POST,
            "/api/v1/societies/B-01/assessment/2017/objections",
            &json!({"reason": "迟到的异议"}),
            Some(&p.editor),
        )
        .await;
    assert_eq!(
        late.status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "{}",
        late.text()
    );
    assert_eq!(field(&late).0, "reason");
    app.login("ed-b01").await;
    let page = app
        .post_form(
            "/societies/B-01/assessment/2017/objections",
            &[("reason", "迟到的异议")],
        )
        .await;
    assert_eq!(page.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        page.text().contains("id=\"reason-error\""),
        "{}",
        page.text()
    );
    assert!(
        page.text()
            .contains("异议期已于 2018-01-17 23:59（北京时间）结束")
    );
    app.forget_cookies();

    // Still unanswered: no finalisation.
    let r = app
        .json(
            Method::POST,
            "/api/v1/assessment/2017/finalise/request",
            &json!({}),
            Some(&p.admin1),
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        field(&r).1.contains("还有 1 项异议未答复"),
        "{}",
        field(&r).1
    );
    // A reviewer answers, with a change recorded; once only; editors cannot answer.
    let path = format!("/api/v1/objections/{id}/answer");
    let r = app
        .json(
            Method::POST,
            &path,
            &json!({"answer": "x"}),
            Some(&p.editor),
        )
        .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    // "Changed" without naming the change is refused at the field `change` (R-ASSESS-2: any
    // change is recorded with its reason), and so is a change that does not exist.
    let r = app
        .json(
            Method::POST,
            &path,
            &json!({"answer": format!("{SECRET_ANSWER}：经复核，给予加分"), "changed": true}),
            Some(&p.reviewer),
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.text());
    assert_eq!(field(&r).0, "change");
    let r = app
        .json(
            Method::POST,
            &path,
            &json!({"answer": "x", "change": "adjustment:999999"}),
            Some(&p.reviewer),
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.text());
    assert_eq!(field(&r).0, "change");
    // The change is made first, with its own reason (an administrator's bonus for B-01) …
    let r = app
        .json(
            Method::POST,
            "/api/v1/societies/B-01/assessment/2017/adjustments",
            &json!({"adjustment": "exemplary", "points": "10", "reason": "经复核，改革经验已被推广"}),
            Some(&p.admin1),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text());
    let bonus_id = r.json()["adjustments"][0]["id"].as_i64().unwrap();
    // … listed among the objection's candidates, then named by the answer.
    let all = app
        .get_with_token("/api/v1/assessment/2017/objections", &p.reviewer)
        .await
        .json();
    let key = format!("adjustment:{bonus_id}");
    assert_eq!(all[0]["change_candidates"][0]["key"], key.as_str(), "{all}");
    let r = app
        .json(
            Method::POST,
            &path,
            &json!({"answer": format!("{SECRET_ANSWER}：经复核，给予加分"), "change": key}),
            Some(&p.reviewer),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text());
    assert_eq!(r.json()["changed"], true);
    assert_eq!(r.json()["change"]["key"], key.as_str());
    assert_eq!(
        r.json()["change"]["what_zh"],
        "加分 10 分：改革经验被中国科协推广"
    );
    assert_eq!(r.json()["change"]["reason"], "经复核，改革经验已被推广");
    let r = app
        .json(
            Method::POST,
            &path,
            &json!({"answer": "再答"}),
            Some(&p.reviewer),
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(field(&r).0, "answer");
    let mine = app
        .get_with_token(
            "/api/v1/societies/B-01/assessment/2017/objections",
            &p.editor,
        )
        .await
        .json();
    assert_eq!(mine.as_array().unwrap().len(), 1);
    assert!(
        mine[0]["answer"]
            .as_str()
            .unwrap()
            .contains("经复核，给予加分")
    );
    // The society sees which change the answer caused, with the change's reason.
    assert_eq!(
        mine[0]["change"]["what_zh"],
        "加分 10 分：改革经验被中国科协推广"
    );
    assert_eq!(mine[0]["change"]["reason"], "经复核，改革经验已被推广");
    assert!(mine[0].get("change_candidates").is_none(), "{mine}");
    app.login("ed-b01").await;
    let page = app.get("/societies/B-01/assessment/2017/objections").await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(
        page.text().contains("加分 10 分：改革经验被中国科协推广"),
        "{}",
        page.text()
    );
    assert!(page.text().contains("经复核，改革经验已被推广"));
    // … and the society's assessment page says the bonus was given in answer to it.
    let page = app.get("/societies/B-01/assessment/2017").await;
    assert!(page.text().contains("因答复 2018-01-1"), "{}", page.text());
    app.forget_cookies();

    // The administrators' export: five sheets; the first lists the indicators.
    app.login("admin1").await;
    let x = app.get("/admin/assessment/2017/export.xlsx").await;
    assert_eq!(x.status, StatusCode::OK);
    assert!(x.header("content-disposition").contains("attachment"));
    let table = reformwatch_tabular::read_table("x.xlsx", &x.body, &Default::default()).unwrap();
    assert_eq!(
        table.headers[..4],
        ["编号 id", "名称", "Name", "分值 points"]
    );
    assert!(
        table.rows.iter().any(|r| r.cells[..5]
            == [
                "1.1.1.1",
                "理事会常务理事会出席率",
                "Attendance at council and standing council meetings",
                "10",
                "expert 专家评分"
            ]),
        "{:?}",
        table.rows.first()
    );
    app.login("rev").await;
    assert_eq!(
        app.get("/admin/assessment/2017/export.xlsx").await.status,
        StatusCode::FORBIDDEN
    );
    app.forget_cookies();

    // Four eyes: admin1 requests; admin1 cannot approve; admin2 approves.
    let r = app
        .json(
            Method::POST,
            "/api/v1/assessment/2017/finalise/request",
            &json!({}),
            Some(&p.admin1),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text());
    assert_eq!(r.json()["state"], "requested");
    let year = year_2017(&app);
    let same = svc::approve(&app.state, &principal(&app, "admin1").await, 2017, &year).await;
    match same {
        Err(reformwatch::error::AppError::Invalid(f)) => {
            assert_eq!(f[0].field, "approve");
            assert!(f[0].localized.as_ref().unwrap().0.contains("另一位管理员"));
        }
        other => panic!("same admin must be refused: {:?}", other.map(|h| h.number)),
    }
    assert!(svc::published(&app.state, 2017).await.unwrap().is_none());
    let h = svc::approve(&app.state, &principal(&app, "admin2").await, 2017, &year)
        .await
        .unwrap();
    assert_eq!((h.number, h.year, h.prev_sha256.clone()), (1, 2017, None));
    // Both steps audited, by their own administrators.
    let actions = audit_actions(&app).await;
    let expect = |a: &str, who: &str| {
        assert!(
            actions.iter().any(|(x, y)| x == who && y == a),
            "{a} by {who}: {actions:?}"
        )
    };
    expect("assessment.show", "user:admin1");
    expect("assessment.objection.file", "user:ed-b01");
    expect("assessment.objection.answer", "user:rev");
    expect("assessment.finalise.request", "user:admin1");
    expect("assessment.finalise.approve", "user:admin2");
    expect("assessment.results.publish", "user:admin2");
    // Final: no second approval, no more answers.
    let r = svc::approve(&app.state, &principal(&app, "admin1").await, 2017, &year).await;
    assert!(r.is_err());

    // The download is the stored bytes: its SHA-256 is the listed hash.
    let doc = app.get("/api/v1/assessment/2017/results").await;
    assert_eq!(doc.status, StatusCode::OK);
    let sha = hex::encode(Sha256::digest(&doc.body));
    assert_eq!(sha, h.sha256);
    let status = app.get("/api/v1/assessment/2017/status").await.json();
    assert_eq!(status["state"], "final");
    assert_eq!(status["sha256"], sha.as_str());
    let file = app.get("/api/v1/assessment/2017/results.json").await;
    assert_eq!(file.body, doc.body);
    assert!(
        file.header("content-disposition")
            .contains("assessment-2017.json")
    );
    let d = doc.json();
    // Hand-checked: scores, outcomes, ranks, yuan.
    let row = |code: &str| {
        d["societies"]
            .as_array()
            .unwrap()
            .iter()
            .find(|s| s["code"] == code)
            .unwrap()
            .clone()
    };
    assert_eq!(
        (
            row("A-01")["score"].clone(),
            row("A-01")["outcome"].clone(),
            row("A-01")["rank"].clone(),
            row("A-01")["yuan"].clone()
        ),
        (json!("970"), json!("commended"), json!(1), json!(1_000_000))
    );
    assert_eq!(
        (
            row("A-02")["score"].clone(),
            row("A-02")["outcome"].clone(),
            row("A-02")["rank"].clone(),
            row("A-02")["yuan"].clone()
        ),
        (json!("960"), json!("commended"), json!(3), json!(1_000_000))
    );
    assert_eq!(
        (
            row("A-03")["score"].clone(),
            row("A-03")["outcome"].clone(),
            row("A-03")["rank"].clone(),
            row("A-03")["yuan"].clone()
        ),
        (json!("962.5"), json!("completed"), json!(2), Value::Null)
    );
    assert_eq!(
        (
            row("B-01")["score"].clone(),
            row("B-01")["outcome"].clone(),
            row("B-01")["yuan"].clone()
        ),
        (Value::Null, json!("criticised"), Value::Null)
    );
    assert_eq!(
        d["subsidy"],
        json!({"status": "allocated", "mode": "pool", "paid": 2_000_000, "unspent": 18_000_000, "notes": d["subsidy"]["notes"].clone()})
    );
    assert_eq!(d["objections"], json!({"filed": 1, "changed": 1}));
    let csv = app.get("/api/v1/assessment/2017/results.csv").await;
    assert_eq!(csv.status, StatusCode::OK);
    assert!(
        csv.text().contains("A-01,中国数学会,A,970,表扬,1,1000000,"),
        "{}",
        csv.text()
    );
    let xlsx = app
        .get("/api/v1/assessment/2017/results.xlsx?lang=en")
        .await;
    assert_eq!(xlsx.status, StatusCode::OK);
    assert!(xlsx.body.starts_with(b"PK"));

    // Frozen: the database refuses UPDATE and DELETE.
    let upd = sqlx::query("UPDATE assessment_results SET content = 'x' WHERE number = 1")
        .execute(&app.db().pool)
        .await;
    assert!(upd.is_err(), "UPDATE must be refused");
    let del = sqlx::query("DELETE FROM assessment_results WHERE number = 1")
        .execute(&app.db().pool)
        .await;
    assert!(del.is_err(), "DELETE must be refused");
    assert_eq!(
        app.get("/api/v1/assessment/2017/results").await.body,
        doc.body
    );
    // Objections are over once final.
    let r = app
        .json(
            Method::POST,
            "/api/v1/societies/B-01/assessment/2017/objections",
            &json!({"reason": "x"}),
            Some(&p.editor),
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
}
both!(the_year_end);

/// The public page (no login): commended with exact yuan, criticised with the clause quoted,
/// rankings, the hash; no private data (objection reasons, answers, self-scores, e-mails),
/// while the staff's page shows the objection (negative control). The printable notice.
async fn public_page_and_notice(app: TestApp) {
    let p = setup(&app).await;
    app.state.clock.set(beijing("2018-01-10 10:00:00"));
    let before = app.get("/assessment/2017").await;
    assert_eq!(before.status, StatusCode::OK);
    assert!(before.text().contains("尚未定稿发布"));
    assert_eq!(
        app.get("/assessment/2017/notice").await.status,
        StatusCode::NOT_FOUND
    );
    assert_eq!(
        app.get("/api/v1/assessment/2017/results").await.status,
        StatusCode::NOT_FOUND
    );
    app.json(
        Method::POST,
        "/api/v1/assessment/2017/show",
        &json!({}),
        Some(&p.admin1),
    )
    .await;
    let filed = app
        .json(
            Method::POST,
            "/api/v1/societies/B-01/assessment/2017/objections",
            &json!({"reason": SECRET_OBJECTION}),
            Some(&p.editor),
        )
        .await;
    let id = filed.json()["id"].as_i64().unwrap();
    app.json(
        Method::POST,
        &format!("/api/v1/objections/{id}/answer"),
        &json!({"answer": SECRET_ANSWER, "changed": false}),
        Some(&p.reviewer),
    )
    .await;
    app.state.clock.set(beijing("2018-01-20 09:00:00"));
    let r = app
        .json(
            Method::POST,
            "/api/v1/assessment/2017/finalise/request",
            &json!({}),
            Some(&p.admin1),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text());
    svc::approve(
        &app.state,
        &principal(&app, "admin2").await,
        2017,
        &year_2017(&app),
    )
    .await
    .unwrap();
    // A private contact address on a listed society.
    let email = "secret-contact@leak.example".to_owned();
    sqlx::query("UPDATE societies SET contact_email = $1 WHERE code = 'A-01'")
        .bind(&email)
        .execute(&app.db().pool)
        .await
        .unwrap();

    // Negative control: the private data exists and the staff see it.
    app.login("admin1").await;
    let staff = app.get("/admin/assessment/2017/final").await.text();
    assert!(
        staff.contains(SECRET_OBJECTION) && staff.contains(SECRET_ANSWER),
        "{staff}"
    );
    app.forget_cookies();

    let page = app.get("/assessment/2017").await;
    assert_eq!(page.status, StatusCode::OK);
    let html = page.text();
    let commended = section(&html, "id=\"commended-table\"");
    assert!(
        commended
            .contains("<td>1</td><td>中国数学会</td><td>970</td><td class=\"num\">1,000,000</td>"),
        "{commended}"
    );
    assert!(
        commended.contains(
            "<td>3</td><td>中国物理学会</td><td>960</td><td class=\"num\">1,000,000</td>"
        ),
        "{commended}"
    );
    assert!(!commended.contains("中国力学学会"), "A-03 is not commended");
    let criticised = section(&html, "id=\"criticised-table\"");
    assert!(
        criticised.contains("中国化学会") || criticised.contains(&name(&app, "B-01").await),
        "{criticised}"
    );
    assert!(
        criticised.contains("未提交年度改革方案。依据："),
        "{criticised}"
    );
    assert!(
        criticised.contains("对不能按照要求完成改革任务的学会将进行通报批评。"),
        "{criticised}"
    );
    assert!(html.contains("18,000,000"), "unspent budget shown");
    let sha = hex::encode(Sha256::digest(
        &app.get("/api/v1/assessment/2017/results").await.body,
    ));
    assert!(html.contains(&sha));
    for secret in [
        SECRET_OBJECTION,
        SECRET_ANSWER,
        email.as_str(),
        "ed-b01",
        "admin2",
        "self_score",
    ] {
        assert!(!email.is_empty());
        assert!(!html.contains(secret), "public page leaks {secret}");
    }
    let json = app.get("/api/v1/assessment/2017/results").await.text();
    for secret in [
        SECRET_OBJECTION,
        SECRET_ANSWER,
        email.as_str(),
        "ed-b01",
        "admin2",
        "reviewer_scores",
        "self_score",
    ] {
        assert!(!json.contains(secret), "published document leaks {secret}");
    }
    // English.
    app.set_cookie("rw_lang", "en");
    let en = app.get("/assessment/2017").await.text();
    assert!(
        en.contains("Commended societies and their subsidies"),
        "{en}"
    );
    assert!(en.contains("No reform plan was submitted."), "{en}");
    app.forget_cookies();
    // The printable notice: red header, document number, lists, date, issuing body, A4 print.
    let notice = app.get("/assessment/2017/notice").await;
    assert_eq!(notice.status, StatusCode::OK);
    let n = notice.text();
    for part in [
        "中国科学技术协会文件",
        "科协办发学字〔2018〕1号",
        "关于2017年度全国学会改革考核结果的通报",
        "中国数学会",
        "1,000,000",
        "未提交年度改革方案",
        "2018年1月20日",
        "class=\"issuing-body\">中国科学技术协会",
    ] {
        assert!(n.contains(part), "notice lacks {part}: {n}");
    }
    assert!(!n.contains(SECRET_OBJECTION));
    let css = app.get("/assets/notice.css").await.text();
    assert!(css.contains("@media print") && css.contains("size: A4") && css.contains("#c00"));
}
both!(public_page_and_notice);

async fn name(app: &TestApp, code: &str) -> String {
    reformwatch::db::societies::by_code(app.db(), code)
        .await
        .unwrap()
        .unwrap()
        .name
}

/// The HTML from `marker` to the end of its table.
fn section<'a>(html: &'a str, marker: &str) -> &'a str {
    let start = html
        .find(marker)
        .unwrap_or_else(|| panic!("no {marker} in {html}"));
    let rest = &html[start..];
    &rest[..rest.find("</table>").unwrap_or(rest.len())]
}

/// `reformwatch assessment verify` passes on the published chain and names the publication
/// once its content is altered (the trigger dropped, as an attacker with the database would).
async fn verify_command(app: TestApp) {
    let p = setup(&app).await;
    app.state.clock.set(beijing("2018-01-10 10:00:00"));
    app.json(
        Method::POST,
        "/api/v1/assessment/2017/show",
        &json!({}),
        Some(&p.admin1),
    )
    .await;
    app.state.clock.set(beijing("2018-01-19 10:00:00"));
    let r = app
        .json(
            Method::POST,
            "/api/v1/assessment/2017/finalise/request",
            &json!({}),
            Some(&p.admin1),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text());
    svc::approve(
        &app.state,
        &principal(&app, "admin2").await,
        2017,
        &year_2017(&app),
    )
    .await
    .unwrap();
    let url = app.state.config.database_url();
    let data_dir = app.state.config.data_dir.to_str().unwrap().to_owned();
    let run = || {
        crate::rules::run_cli(
            &[
                "assessment",
                "verify",
                "--database-url",
                &url,
                "--data-dir",
                &data_dir,
            ],
            "",
        )
    };
    let (code, out, err) = run();
    assert_eq!(code, 0, "{out}{err}");
    assert!(out.contains("intact: 1 publications"), "{out}");
    // `assess --year 2017` prints the final (published) table, hand-checked.
    let (code, out, err) = crate::rules::run_cli(
        &[
            "assess",
            "--year",
            "2017",
            "--database-url",
            &url,
            "--data-dir",
            &data_dir,
        ],
        "",
    );
    assert_eq!(code, 0, "{out}{err}");
    assert!(
        out.starts_with("2017 年度考核结果：已定稿发布（第 1 次发布"),
        "{out}"
    );
    assert!(out.contains("FINAL"), "{out}");
    for line in [
        "code\tname\tscore\toutcome\trank\tyuan\n",
        "A-01\t中国数学会\t970\t表扬 commended\t1\t1,000,000\n",
        "A-02\t中国物理学会\t960\t表扬 commended\t3\t1,000,000\n",
        "A-03\t中国力学学会\t962.5\t完成 completed\t2\t—\n",
        "B-01\t",
    ] {
        assert!(out.contains(line), "missing {line:?} in {out}");
    }
    assert!(out.contains("\t—\t通报批评 criticised\t—\t—\n"), "{out}");
    let drop = match app.backend {
        Backend::Sqlite => "DROP TRIGGER assessment_results_no_update",
        Backend::Postgres => "DROP TRIGGER assessment_results_no_update ON assessment_results",
    };
    sqlx::query(drop).execute(&app.db().pool).await.unwrap();
    let doc = app.get("/api/v1/assessment/2017/results").await.text();
    let altered = doc.replacen("\"yuan\":1000000", "\"yuan\":1000001", 1);
    assert_ne!(altered, doc);
    sqlx::query("UPDATE assessment_results SET content = $1 WHERE number = 1")
        .bind(&altered)
        .execute(&app.db().pool)
        .await
        .unwrap();
    let (code, out, err) = run();
    assert_eq!(code, 2, "{out}{err}");
    assert!(err.contains("publication 1"), "{err}");
    // The server refuses to serve altered bytes as genuine.
    assert_eq!(
        app.get("/api/v1/assessment/2017/results").await.status,
        StatusCode::INTERNAL_SERVER_ERROR
    );
}
both!(verify_command);

/// The approval through the API computes the results from the current data
/// (`service::assessment::assess`): with the registry only, every society is criticised for
/// having no plan. The requester's own approval is refused; `assess --year` says PROVISIONAL
/// before and FINAL after.
async fn approve_through_the_api(app: TestApp) {
    let p = setup(&app).await;
    let url = app.state.config.database_url();
    let data_dir = app.state.config.data_dir.to_str().unwrap().to_owned();
    let assess = || {
        crate::rules::run_cli(
            &[
                "assess",
                "--year",
                "2017",
                "--database-url",
                &url,
                "--data-dir",
                &data_dir,
            ],
            "",
        )
    };
    let (code, out, err) = assess();
    assert_eq!(code, 0, "{out}{err}");
    assert!(
        out.contains("PROVISIONAL, not final (state: open)"),
        "{out}"
    );
    assert!(
        out.contains("\nA-01\t中国数学会\t—\t通报批评 criticised\t—\t—\n"),
        "{out}"
    );
    app.state.clock.set(beijing("2018-01-10 10:00:00"));
    let approve = "/api/v1/assessment/2017/finalise/approve";
    let r = app
        .json(Method::POST, approve, &json!({}), Some(&p.admin1))
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(field(&r).0, "approve");
    app.json(
        Method::POST,
        "/api/v1/assessment/2017/show",
        &json!({}),
        Some(&p.admin1),
    )
    .await;
    app.state.clock.set(beijing("2018-01-18 00:00:00"));
    let r = app
        .json(
            Method::POST,
            "/api/v1/assessment/2017/finalise/request",
            &json!({}),
            Some(&p.admin1),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text());
    let r = app
        .json(Method::POST, approve, &json!({}), Some(&p.admin1))
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(
        field(&r),
        (
            "approve".to_owned(),
            "定稿须由另一位管理员批准：申请人不能批准自己的申请。".to_owned()
        )
    );
    // The second administrator, through the page.
    app.login("admin2").await;
    let r = app.post_form("/admin/assessment/2017/approve", &[]).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.text());
    assert!(r.location().starts_with("/assessment/2017"));
    app.forget_cookies();
    let d = app.get("/api/v1/assessment/2017/results").await.json();
    assert_eq!(
        (
            d["criticised"].clone(),
            d["completed"].clone(),
            d["commended"].clone()
        ),
        (json!(209), json!(0), json!(0))
    );
    assert_eq!(d["subsidy"]["paid"], 0);
    let r = app
        .json(Method::POST, approve, &json!({}), Some(&p.admin1))
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "already final");
    let (code, out, err) = assess();
    assert_eq!(code, 0, "{out}{err}");
    assert!(out.contains("FINAL (publication 1"), "{out}");
    assert!(
        out.contains("\nA-01\t中国数学会\t—\t通报批评 criticised\t—\t—\n"),
        "{out}"
    );
}
both!(approve_through_the_api);

/// The pure deadline: the end of the `days`-th Beijing day after the day shown (a moment late
/// in the Beijing evening is already the next UTC day's morning in Beijing terms).
#[test]
fn objection_deadline_in_beijing_time() {
    let shown = beijing("2018-01-10 23:30:00");
    assert_eq!(
        svc::objection_deadline(shown, 7),
        beijing("2018-01-17 23:59:59")
    );
    let shown = beijing("2018-01-11 00:10:00"); // 2018-01-10 16:10 UTC
    assert_eq!(
        svc::objection_deadline(shown, 1),
        beijing("2018-01-12 23:59:59")
    );
}

/// Runs a poppler tool (poppler-utils, installed by scripts/test-deps); a missing tool fails.
#[cfg(feature = "pdf")]
fn poppler(tool: &str, args: &[&str]) -> String {
    let out = std::process::Command::new(tool)
        .args(args)
        .output()
        .unwrap_or_else(|e| panic!("{tool} (poppler-utils; scripts/test-deps installs it): {e}"));
    assert!(
        out.status.success(),
        "{tool} {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).unwrap()
}

/// Without whitespace: pdftotext breaks lines inside table cells and long paragraphs.
#[cfg(feature = "pdf")]
fn squeeze(text: &str) -> String {
    text.chars().filter(|c| !c.is_whitespace()).collect()
}

/// Issue 12, "Publication and exports": the official notice as a PDF (feature `pdf`),
/// `/assessment/{year}/notice.pdf`. 404 before the year is final (not even while shown for
/// objections), then an A4 PDF made from the same text as the printable page: title, 文号,
/// the commended societies with their exact yuan, the criticised one with its reason quoting
/// the clause, the date, the hash; cached like the other published documents (ETag from the
/// results' SHA-256, 304); `reformwatch assessment notice-pdf` writes the same bytes. Without
/// the feature the route is 404 after publication too and nothing links to it.
async fn notice_pdf(app: TestApp) {
    let p = setup(&app).await;
    app.state.clock.set(beijing("2018-01-10 10:00:00"));
    assert_eq!(
        app.get("/assessment/2017/notice.pdf").await.status,
        StatusCode::NOT_FOUND
    );
    let r = app
        .json(
            Method::POST,
            "/api/v1/assessment/2017/show",
            &json!({}),
            Some(&p.admin1),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text());
    // Shown for objections, not final: still no notice.
    assert_eq!(
        app.get("/assessment/2017/notice.pdf").await.status,
        StatusCode::NOT_FOUND
    );
    app.state.clock.set(beijing("2018-01-20 09:00:00"));
    let r = app
        .json(
            Method::POST,
            "/api/v1/assessment/2017/finalise/request",
            &json!({}),
            Some(&p.admin1),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text());
    assert_eq!(
        app.get("/assessment/2017/notice.pdf").await.status,
        StatusCode::NOT_FOUND,
        "requested, not yet approved"
    );
    svc::approve(
        &app.state,
        &principal(&app, "admin2").await,
        2017,
        &year_2017(&app),
    )
    .await
    .unwrap();
    let results = app.get("/assessment/2017").await;
    assert_eq!(results.status, StatusCode::OK);
    let html_notice = app.get("/assessment/2017/notice").await;
    assert_eq!(html_notice.status, StatusCode::OK);
    let pdf = app.get("/assessment/2017/notice.pdf").await;

    #[cfg(not(feature = "pdf"))]
    {
        assert_eq!(pdf.status, StatusCode::NOT_FOUND);
        assert!(!results.text().contains("notice.pdf"));
        assert!(!html_notice.text().contains("notice.pdf"));
    }

    #[cfg(feature = "pdf")]
    {
        assert_eq!(pdf.status, StatusCode::OK, "{}", pdf.text());
        assert!(pdf.body.starts_with(b"%PDF-"), "{:?}", &pdf.body[..16]);
        let header = |name: &str| {
            pdf.headers
                .get(name)
                .and_then(|v| v.to_str().ok())
                .unwrap_or_default()
                .to_owned()
        };
        assert_eq!(header("content-type"), "application/pdf");
        // 2017年度考核结果通报.pdf, with an ASCII fallback.
        assert_eq!(
            header("content-disposition"),
            "attachment; filename=\"2017________.pdf\"; filename*=UTF-8''2017%E5%B9%B4%E5%BA%A6%E8%80%83%E6%A0%B8%E7%BB%93%E6%9E%9C%E9%80%9A%E6%8A%A5.pdf"
        );
        assert_eq!(header("cache-control"), "public, max-age=86400");
        let sha = hex::encode(Sha256::digest(
            &app.get("/api/v1/assessment/2017/results").await.body,
        ));
        let etag = format!("\"{sha}-notice-pdf\"");
        assert_eq!(header("etag"), etag);
        assert_eq!(header("last-modified"), "Sat, 20 Jan 2018 01:00:00 GMT");
        // The browser has it: 304 without a body (nothing rendered).
        let again = app
            .request(
                Method::GET,
                "/assessment/2017/notice.pdf",
                None,
                vec![],
                &[("if-none-match", etag.as_str())],
            )
            .await;
        assert_eq!(again.status, StatusCode::NOT_MODIFIED);
        assert!(again.body.is_empty());
        // Both pages link to it.
        assert!(
            results
                .text()
                .contains("<a href=\"/assessment/2017/notice.pdf\""),
            "{}",
            results.text()
        );
        assert!(
            html_notice
                .text()
                .contains("<a href=\"/assessment/2017/notice.pdf\"")
        );

        let dir = app.state.config.data_dir.join("notice-pdf-test");
        std::fs::create_dir_all(&dir).unwrap();
        let file = dir.join("notice.pdf");
        std::fs::write(&file, &pdf.body).unwrap();
        let path = file.to_str().unwrap();
        let info = poppler("pdfinfo", &[path]);
        assert!(info.contains("(A4)"), "{info}");
        assert!(
            info.contains("中国科协关于2017年度全国学会改革考核结果的通报"),
            "{info}"
        );
        let text = squeeze(&poppler("pdftotext", &[path, "-"]));
        for expected in [
            "中国科学技术协会文件",
            "科协办发学字〔2018〕1号",
            "中国科协关于2017年度全国学会改革考核结果的通报",
            "各全国学会：",
            // The commended, in ranking order: number, name, score, exact yuan.
            "一、表扬的学会及奖补金额",
            "1中国数学会9701,000,000",
            "2中国物理学会9601,000,000",
            "共计2,000,000元",
            // The criticised society (B-01, no plan) with its reason quoting the clause.
            "二、通报批评的学会及原因",
            // (pdftotext reads the vertically centred number and name before the reason
            // column's header: the row and its reason are checked apart.)
            "1中国机械工程学会",
            "未提交年度改革方案。依据：“没有提交改革方案的学会",
            "对不能按照要求完成改革任务的学会将进行通报批评。",
            "其余1个学会完成年度改革任务。",
            "中国科学技术协会2018年1月20日",
        ] {
            assert!(text.contains(expected), "PDF lacks {expected}:\n{text}");
        }
        // The hash of the results it was made from (small type, maybe broken over lines).
        assert!(text.contains(&sha), "{text}");
        // A-03 (中国力学学会) completed its tasks: not named in the notice.
        assert!(!text.contains("中国力学学会"), "{text}");
        // The same text as the printable page: every paragraph of it is in the PDF.
        let page = html_notice.text();
        let paragraphs: Vec<&str> = page
            .split("<p class=\"body\">")
            .skip(1)
            .filter_map(|rest| rest.split("</p>").next())
            .collect();
        assert_eq!(paragraphs.len(), 4, "{page}");
        for paragraph in paragraphs {
            assert!(text.contains(&squeeze(paragraph)), "{paragraph}");
        }
        // The page image: A4 at 72 dpi, the red header and rule in the top third.
        poppler(
            "pdftoppm",
            &[
                "-r",
                "72",
                "-f",
                "1",
                "-l",
                "1",
                "-png",
                path,
                dir.join("page").to_str().unwrap(),
            ],
        );
        assert!(
            std::fs::read_dir(&dir)
                .unwrap()
                .filter_map(|e| e.ok())
                .any(|e| e.file_name().to_string_lossy().ends_with(".png"))
        );

        // Kept: the second request gets the same bytes.
        assert_eq!(app.get("/assessment/2017/notice.pdf").await.body, pdf.body);
        // The CLI writes the same PDF (same notice, same fonts, same bytes).
        let url = app.state.config.database_url();
        let data_dir = app.state.config.data_dir.to_str().unwrap().to_owned();
        let out = dir.join("cli.pdf");
        let (code, stdout, err) = crate::rules::run_cli(
            &[
                "assessment",
                "notice-pdf",
                "--year",
                "2017",
                "--out",
                out.to_str().unwrap(),
                "--database-url",
                &url,
                "--data-dir",
                &data_dir,
            ],
            "",
        );
        assert_eq!(code, 0, "{stdout}{err}");
        assert!(
            std::fs::read(&out).unwrap() == pdf.body,
            "CLI and route differ"
        );
        // A year that is not published: exit 2, nothing written.
        let none = dir.join("none.pdf");
        let (code, _, err) = crate::rules::run_cli(
            &[
                "assessment",
                "notice-pdf",
                "--year",
                "2016",
                "--out",
                none.to_str().unwrap(),
                "--database-url",
                &url,
                "--data-dir",
                &data_dir,
            ],
            "",
        );
        assert_eq!(code, 2, "{err}");
        assert!(err.contains("not published"), "{err}");
        assert!(!none.exists());
        // For a person to look at (docs/screenshots/notice-page1.png is page 1 of it):
        // NOTICE_PDF_OUT=/tmp/notice.pdf keeps a copy.
        if let Some(keep) = std::env::var_os("NOTICE_PDF_OUT") {
            std::fs::write(keep, &pdf.body).unwrap();
        }
        let _ = std::fs::remove_dir_all(&dir);
    }
}
both!(notice_pdf);

//! R-PLAN-1..5: the plan state machine through pages and API, deadlines and lateness,
//! versions that are never overwritten, reviews, rectification, overview, notifications and
//! e-mail to a real SMTP sink.

use chrono::Duration;
use http::{Method, StatusCode};
use reformwatch::model::Role;
use serde_json::{Value, json};

use crate::{Backend, TestApp, both, smtp_sink};

fn task(n: u32, with_target: bool) -> Value {
    let targets = if with_target {
        json!([{"metric": "学术会议", "unit": "次", "baseline": 2, "target": 4, "due": "2017-12-31"}])
    } else {
        json!([])
    };
    json!({"number": n, "responsible": [{"name": "张三", "position": "秘书长"}], "targets": targets, "milestones": [{"date": "2017-09-30", "what": "中期检查"}]})
}

fn content(optional: &[u32]) -> Value {
    let mut tasks: Vec<Value> = (1..=7).map(|n| task(n, true)).collect();
    tasks.extend(optional.iter().map(|n| task(*n, true)));
    json!({"summary": "2017年改革方案", "tasks": tasks})
}

struct People {
    editor: String,
    reviewer: String,
}

/// A society with an editor, a viewer, a reviewer, and a deadline an hour away.
async fn setup(app: &TestApp) -> People {
    app.registry().await;
    let admin = app.admin_token().await;
    app.user("p-editor", Role::SocietyEditor, Some("A-03"))
        .await;
    app.user("p-viewer", Role::SocietyViewer, Some("A-03"))
        .await;
    app.user("p-reviewer", Role::Reviewer, None).await;
    app.user("p-other", Role::SocietyEditor, Some("A-01")).await;
    let local = (app.state.clock.now() + Duration::hours(1))
        .with_timezone(&chrono_tz::Asia::Shanghai)
        .format("%Y-%m-%dT%H:%M:%S")
        .to_string();
    let r = app
        .json(
            Method::PUT,
            "/api/v1/deadlines/2017",
            &json!({"local_time": local, "timezone": "Asia/Shanghai"}),
            Some(&admin),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text());
    let editor = app.token_for("p-editor").await;
    let reviewer = app.token_for("p-reviewer").await;
    People { editor, reviewer }
}

async fn the_whole_flow(app: TestApp) {
    let p = setup(&app).await;
    let base = "/api/v1/societies/A-03/plans/2017";
    // Open: mandatory tasks pre-filled (not an election year: 1–7 only).
    let r = app
        .json(Method::POST, base, &json!({"from": "new"}), Some(&p.editor))
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.text());
    let numbers: Vec<u64> = r.json()["plan"]["draft"]["tasks"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t["number"].as_u64().unwrap())
        .collect();
    assert_eq!(numbers, vec![1, 2, 3, 4, 5, 6, 7]);
    // Four optional tasks: the draft saves, submission is refused with every reason.
    let mut four = content(&[12, 13, 14, 15]);
    four["tasks"][8]["targets"] = json!([]);
    let r = app
        .json(
            Method::PUT,
            &format!("{base}/draft"),
            &four,
            Some(&p.editor),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text());
    assert_eq!(r.json()["submittable"], false);
    let r = app
        .request(
            Method::POST,
            &format!("{base}/submit"),
            None,
            vec![],
            &[("authorization", &format!("Bearer {}", p.editor))],
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.text());
    let codes: Vec<String> = r.json()["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["code"].as_str().unwrap().to_string())
        .collect();
    assert!(
        codes.contains(&"plan-too-few-optional".to_string()),
        "{codes:?}"
    );
    assert!(
        codes.contains(&"plan-optional-without-target".to_string()),
        "{codes:?}"
    );
    // Five, all with targets: submitted on time as version 1.
    let r = app
        .json(
            Method::PUT,
            &format!("{base}/draft"),
            &content(&[12, 13, 14, 15, 16]),
            Some(&p.editor),
        )
        .await;
    assert_eq!(r.json()["submittable"], true, "{}", r.text());
    let r = app
        .request(
            Method::POST,
            &format!("{base}/submit"),
            None,
            vec![],
            &[("authorization", &format!("Bearer {}", p.editor))],
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text());
    assert_eq!(r.json()["version"], 1);
    assert_eq!(r.json()["plan"]["plan"]["state"], "submitted");
    assert!(
        r.json()["plan"]["versions"][0]["late_seconds"].is_null(),
        "on time"
    );
    // Under review: the society cannot edit; a reviewer cannot edit the society's plan.
    let r = app
        .json(
            Method::PUT,
            &format!("{base}/draft"),
            &content(&[12, 13, 14, 15, 16, 17]),
            Some(&p.editor),
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    let r = app
        .json(
            Method::PUT,
            &format!("{base}/draft"),
            &content(&[12, 13, 14, 15, 16, 17]),
            Some(&p.reviewer),
        )
        .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    // The reviewer sees the submitted version read-only, targets included.
    app.login("p-reviewer").await;
    let html = app.get("/societies/A-03/plans/2017").await.text();
    assert!(
        html.contains("<td lang=\"zh-CN\">学术会议</td>"),
        "{}",
        &html[html.find("task-12").unwrap_or(0)..]
            [..2000.min(html.len() - html.find("task-12").unwrap_or(0))]
    );
    assert!(html.contains("id=\"review-form\""));
    // The reviewers were told.
    let inbox = app
        .get_with_token("/api/v1/notifications", &p.reviewer)
        .await
        .json();
    assert_eq!(inbox[0]["kind"], "plan-submitted");
    assert!(
        inbox[0]["subject_zh"]
            .as_str()
            .unwrap()
            .contains("中国力学学会")
    );
    // Return needs a comment.
    let r = app
        .json(
            Method::POST,
            &format!("{base}/review"),
            &json!({"decision": "return"}),
            Some(&p.reviewer),
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(r.json()["errors"][0]["field"], "comment");
    let r = app.json(Method::POST, &format!("{base}/review"), &json!({"decision": "return", "comment": "目标需量化", "task_comments": {"12": "请写明会议规模"}}), Some(&p.reviewer)).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text());
    assert_eq!(r.json()["plan"]["state"], "returned");
    let inbox = app
        .get_with_token("/api/v1/notifications", &p.editor)
        .await
        .json();
    assert_eq!(inbox[0]["kind"], "plan-returned");
    // The editor fixes and resubmits: version 2; version 1 unchanged.
    let mut fixed = content(&[12, 13, 14, 15, 16]);
    fixed["tasks"][7]["targets"][0]["metric"] = json!("500人以上学术会议");
    app.json(
        Method::PUT,
        &format!("{base}/draft"),
        &fixed,
        Some(&p.editor),
    )
    .await;
    let r = app
        .request(
            Method::POST,
            &format!("{base}/submit"),
            None,
            vec![],
            &[("authorization", &format!("Bearer {}", p.editor))],
        )
        .await;
    assert_eq!(r.json()["version"], 2);
    assert_eq!(r.json()["plan"]["plan"]["state"], "resubmitted");
    let v1 = app
        .get_with_token(&format!("{base}/versions/1"), &p.editor)
        .await
        .json();
    assert_eq!(
        v1["content"]["tasks"][7]["targets"][0]["metric"],
        "学术会议"
    );
    // Accept: frozen; editing is refused.
    let r = app
        .json(
            Method::POST,
            &format!("{base}/review"),
            &json!({"decision": "accept", "comment": ""}),
            Some(&p.reviewer),
        )
        .await;
    assert_eq!(r.json()["plan"]["state"], "accepted");
    assert_eq!(r.json()["plan"]["accepted_version"], 2);
    let r = app
        .json(
            Method::PUT,
            &format!("{base}/draft"),
            &content(&[12, 13, 14, 15, 16]),
            Some(&p.editor),
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    let r = app
        .json(
            Method::POST,
            &format!("{base}/review"),
            &json!({"decision": "return", "comment": "x"}),
            Some(&p.reviewer),
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    // Nothing submitted is ever overwritten: the database refuses.
    assert!(
        sqlx::query("UPDATE plan_versions SET content_json = '{}'")
            .execute(&app.db().pool)
            .await
            .is_err()
    );
    assert!(
        sqlx::query("DELETE FROM plan_reviews")
            .execute(&app.db().pool)
            .await
            .is_err()
    );
    // The comparison page shows what changed in task 12.
    app.login("p-editor").await;
    let html = app
        .get("/societies/A-03/plans/2017/versions?a=1&b=2")
        .await
        .text();
    assert!(
        html.contains("学术会议") && html.contains("500人以上学术会议"),
        "{html}"
    );
    // Every step is in the audit trail.
    let trail = app
        .get_with_token("/api/v1/audit?object_type=plan", &app.admin_token().await)
        .await
        .json();
    let actions: Vec<&str> = trail
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["action"].as_str().unwrap())
        .collect();
    for a in [
        "plan.create",
        "plan.draft",
        "plan.submit",
        "plan.return",
        "plan.accept",
    ] {
        assert!(actions.contains(&a), "{a} missing in {actions:?}");
    }
}
both!(the_whole_flow);

async fn others_cannot_reach_the_plan(app: TestApp) {
    let p = setup(&app).await;
    app.json(
        Method::POST,
        "/api/v1/societies/A-03/plans/2017",
        &json!({}),
        Some(&p.editor),
    )
    .await;
    let other = app.token_for("p-other").await;
    assert_eq!(
        app.get_with_token("/api/v1/societies/A-03/plans/2017", &other)
            .await
            .status,
        StatusCode::NOT_FOUND
    );
    app.login("p-other").await;
    assert_eq!(
        app.get("/societies/A-03/plans/2017").await.status,
        StatusCode::NOT_FOUND
    );
    app.login("p-viewer").await;
    assert_eq!(
        app.get("/societies/A-03/plans/2017").await.status,
        StatusCode::OK
    );
    assert_eq!(
        app.post_form("/societies/A-03/plans/2017/submit", &[])
            .await
            .status,
        StatusCode::FORBIDDEN
    );
    app.login("p-editor").await;
    assert_eq!(
        app.post_form(
            "/societies/A-03/plans/2017/review",
            &[("decision", "accept")]
        )
        .await
        .status,
        StatusCode::FORBIDDEN
    );
}
both!(others_cannot_reach_the_plan);

async fn election_years_require_the_election_tasks(app: TestApp) {
    let p = setup(&app).await;
    app.login("tokenadmin").await;
    app.post_form(
        "/societies/A-03/election",
        &[("year", "2017"), ("election_year", "true")],
    )
    .await;
    let r = app
        .json(
            Method::POST,
            "/api/v1/societies/A-03/plans/2017",
            &json!({"from": "new"}),
            Some(&p.editor),
        )
        .await;
    let numbers: Vec<u64> = r.json()["plan"]["draft"]["tasks"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t["number"].as_u64().unwrap())
        .collect();
    assert_eq!(numbers, (1..=11).collect::<Vec<u64>>());
    // Without them: four mandatory-missing issues.
    let r = app
        .json(
            Method::PUT,
            "/api/v1/societies/A-03/plans/2017/draft",
            &content(&[12, 13, 14, 15, 16]),
            Some(&p.editor),
        )
        .await;
    let missing = r.json()["issues"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|i| i["code"] == "mandatory-missing")
        .count();
    assert_eq!(missing, 4);
}
both!(election_years_require_the_election_tasks);

async fn late_submissions_are_accepted_and_marked(app: TestApp) {
    let p = setup(&app).await;
    let admin = app.admin_token().await;
    app.json(
        Method::POST,
        "/api/v1/societies/A-03/plans/2017",
        &json!({}),
        Some(&p.editor),
    )
    .await;
    app.json(
        Method::PUT,
        "/api/v1/societies/A-03/plans/2017/draft",
        &content(&[12, 13, 14, 15, 16]),
        Some(&p.editor),
    )
    .await;
    // The deadline passes by two days and three hours.
    app.state
        .clock
        .advance(Duration::hours(1) + Duration::days(2) + Duration::hours(3));
    let r = app
        .request(
            Method::POST,
            "/api/v1/societies/A-03/plans/2017/submit",
            None,
            vec![],
            &[("authorization", &format!("Bearer {}", p.editor))],
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text());
    let late = r.json()["plan"]["versions"][0]["late_seconds"]
        .as_i64()
        .unwrap();
    assert!(
        (2 * 86400 + 3 * 3600 - 5..=2 * 86400 + 3 * 3600 + 5).contains(&late),
        "{late}"
    );
    assert!(
        r.json()["plan"]["late_zh"]
            .as_str()
            .unwrap()
            .contains("2 天")
    );
    // The queue's late filter finds it; the deadline can be read publicly.
    app.login("p-reviewer").await;
    let html = app.get("/reviews/plans?year=2017&late=true").await.text();
    assert!(html.contains("中国力学学会"));
    let d = app.get("/api/v1/deadlines/2017").await.json();
    assert_eq!(d["timezone"], "Asia/Shanghai");
    // Bad deadlines are refused with the field named.
    let r = app
        .json(
            Method::PUT,
            "/api/v1/deadlines/2017",
            &json!({"local_time": "2017-05-32T00:00:00", "timezone": "Asia/Shanghai"}),
            Some(&admin),
        )
        .await;
    assert_eq!(r.json()["errors"][0]["field"], "local_time");
    let r = app
        .json(
            Method::PUT,
            "/api/v1/deadlines/2017",
            &json!({"local_time": "2017-05-22T23:59:59", "timezone": "Mars/Olympus"}),
            Some(&admin),
        )
        .await;
    assert_eq!(r.json()["errors"][0]["field"], "timezone");
}
both!(late_submissions_are_accepted_and_marked);

async fn the_editor_builds_a_plan_in_the_page(app: TestApp) {
    setup(&app).await;
    app.login("p-editor").await;
    // The society's own page tells an occasional user what to do next.
    let home = app.get("/societies/A-03").await.text();
    assert!(
        home.contains("id=\"next-steps\"") && home.contains("本年度改革方案尚未开始编制"),
        "{home}"
    );
    let r = app.get("/societies/A-03/plans/2017").await;
    assert!(r.text().contains("id=\"start-new\""));
    let r = app
        .post_form("/societies/A-03/plans/2017", &[("from", "new")])
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER);
    let html = app.get("/societies/A-03/plans/2017").await.text();
    assert!(html.contains("已选自选任务 0 项，至少需要 5 项"), "{html}");
    // Fill task 1 and choose 5 optional tasks, with a bad number: refused, typed values kept.
    let mut form: Vec<(&str, &str)> = vec![
        ("present", "1"),
        ("t1_resp_0_name", "李四"),
        ("t1_resp_0_position", "理事长"),
        ("t1_tgt_0_metric", "议事规则"),
        ("t1_tgt_0_unit", "项"),
        ("t1_tgt_0_target", "四项"),
        ("t1_tgt_0_due", "2017-10-31"),
    ];
    for n in ["12", "13", "14", "15", "16"] {
        form.push(("optional", n));
    }
    let r = app
        .post_form("/societies/A-03/plans/2017/draft", &form)
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.text().contains("value=\"四项\""));
    form[5] = ("t1_tgt_0_target", "4");
    let r = app
        .post_form("/societies/A-03/plans/2017/draft", &form)
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.text());
    let html = app.get("/societies/A-03/plans/2017").await.text();
    assert!(html.contains("已选自选任务 5 项"));
    assert!(html.contains("value=\"李四\""));
    // Live validation (htmx) answers with the issues panel only.
    let partial = app
        .post_form("/societies/A-03/plans/2017/check", &form)
        .await
        .text();
    assert!(partial.starts_with("<div id=\"plan-issues\""), "{partial}");
    assert!(!partial.contains("<html"));
    // Submitting lists every blocking problem at once (tasks 2–7 lack responsible persons…).
    let r = app
        .post_form("/societies/A-03/plans/2017/submit", &form)
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.text().matches("<li class=\"blocking\">").count() >= 6);
}
both!(the_editor_builds_a_plan_in_the_page);

async fn copy_last_years_plan(app: TestApp) {
    let p = setup(&app).await;
    app.json(
        Method::POST,
        "/api/v1/societies/A-03/plans/2017",
        &json!({}),
        Some(&p.editor),
    )
    .await;
    app.json(
        Method::PUT,
        "/api/v1/societies/A-03/plans/2017/draft",
        &content(&[12, 13, 14, 15, 16]),
        Some(&p.editor),
    )
    .await;
    app.request(
        Method::POST,
        "/api/v1/societies/A-03/plans/2017/submit",
        None,
        vec![],
        &[("authorization", &format!("Bearer {}", p.editor))],
    )
    .await;
    let source =
        reformwatch_core::catalogue::BUILTIN_2017_SOURCE.replacen("year = 2017", "year = 2018", 1);
    let admin = app.admin_token().await;
    let r = app
        .request(
            Method::POST,
            "/api/v1/catalogues",
            Some("application/toml"),
            source.into_bytes(),
            &[("authorization", &format!("Bearer {admin}"))],
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED);
    let r = app
        .json(
            Method::POST,
            "/api/v1/societies/A-03/plans/2018",
            &json!({"from": "copy"}),
            Some(&p.editor),
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.text());
    let v = r.json();
    assert_eq!(v["plan"]["state"], "draft");
    assert_eq!(v["plan"]["draft"]["tasks"].as_array().unwrap().len(), 12);
    assert_eq!(
        v["plan"]["draft"]["tasks"][7]["targets"][0]["metric"],
        "学术会议"
    );
    assert!(v["versions"].as_array().unwrap().is_empty());
}
both!(copy_last_years_plan);

async fn rectification_plans_follow_the_same_flow(app: TestApp) {
    let p = setup(&app).await;
    let base = "/api/v1/societies/A-03/plans/2017";
    let r = app
        .json(
            Method::POST,
            &format!("{base}/rectification"),
            &json!({"reason": "会员发展未达标，请于10月底前提交整改方案"}),
            Some(&p.reviewer),
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.text());
    let inbox = app
        .get_with_token("/api/v1/notifications", &p.editor)
        .await
        .json();
    assert_eq!(inbox[0]["kind"], "rectification-requested");
    let empty = app
        .request(
            Method::POST,
            &format!("{base}/submit?kind=rectification"),
            None,
            vec![],
            &[("authorization", &format!("Bearer {}", p.editor))],
        )
        .await;
    assert_eq!(empty.status, StatusCode::UNPROCESSABLE_ENTITY);
    let body = json!({"analysis": "会员服务不足", "problems": [{"description": "个人会员增长仅5%", "task": 2}], "measures": [{"what": "开展会员服务月", "owner": "会员部", "due": "2017-11-30", "problem": 0}]});
    let r = app
        .json(
            Method::PUT,
            &format!("{base}/draft?kind=rectification"),
            &body,
            Some(&p.editor),
        )
        .await;
    assert_eq!(r.json()["submittable"], true, "{}", r.text());
    let r = app
        .request(
            Method::POST,
            &format!("{base}/submit?kind=rectification"),
            None,
            vec![],
            &[("authorization", &format!("Bearer {}", p.editor))],
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text());
    let r = app
        .json(
            Method::POST,
            &format!("{base}/review?kind=rectification"),
            &json!({"decision": "accept"}),
            Some(&p.reviewer),
        )
        .await;
    assert_eq!(r.json()["plan"]["state"], "accepted");
    // The reform plan is a separate thing (not started).
    assert_eq!(
        app.get_with_token(base, &p.editor).await.status,
        StatusCode::NOT_FOUND
    );
}
both!(rectification_plans_follow_the_same_flow);

async fn overview_and_export(app: TestApp) {
    let p = setup(&app).await;
    app.json(
        Method::POST,
        "/api/v1/societies/A-03/plans/2017",
        &json!({}),
        Some(&p.editor),
    )
    .await;
    app.json(
        Method::PUT,
        "/api/v1/societies/A-03/plans/2017/draft",
        &content(&[12, 13, 14, 15, 16]),
        Some(&p.editor),
    )
    .await;
    app.request(
        Method::POST,
        "/api/v1/societies/A-03/plans/2017/submit",
        None,
        vec![],
        &[("authorization", &format!("Bearer {}", p.editor))],
    )
    .await;
    app.json(
        Method::POST,
        "/api/v1/societies/A-03/plans/2017/review",
        &json!({"decision": "return", "comment": "请补充里程碑"}),
        Some(&p.reviewer),
    )
    .await;
    app.login("p-reviewer").await;
    let html = app.get("/overview/plans?year=2017").await.text();
    assert!(html.contains("未开始 208"), "{html}");
    assert!(
        html.contains("退回修改 1") || html.contains("已退回 1"),
        "{html}"
    );
    let x = app
        .get("/overview/plans.xlsx?year=2017&state=returned")
        .await;
    assert_eq!(x.status, StatusCode::OK);
    let table = reformwatch_tabular::read_table("p.xlsx", &x.body, &Default::default()).unwrap();
    assert_eq!(table.rows.len(), 1);
    assert!(
        table.rows[0]
            .cells
            .iter()
            .any(|c| c.contains("请补充里程碑"))
    );
    let queue = app.get("/reviews/plans?year=2017").await.text();
    assert!(
        !queue.contains("中国力学学会"),
        "returned plans do not wait for review"
    );
}
both!(overview_and_export);

async fn deadline_reminders_are_sent_once(app: TestApp) {
    let p = setup(&app).await; // deadline in one hour: the 1-day reminder is due
    let catalogue = app
        .state
        .catalogues
        .get(app.db(), 2017)
        .await
        .unwrap()
        .unwrap();
    let n = reformwatch::service::notifications::plan_deadline_reminders(
        &app.state,
        &catalogue,
        app.state.clock.now(),
    )
    .await
    .unwrap();
    assert_eq!(n, 209);
    reformwatch::service::notifications::plan_deadline_reminders(
        &app.state,
        &catalogue,
        app.state.clock.now(),
    )
    .await
    .unwrap();
    let inbox = app
        .get_with_token("/api/v1/notifications", &p.editor)
        .await
        .json();
    let reminders: Vec<&Value> = inbox
        .as_array()
        .unwrap()
        .iter()
        .filter(|n| n["kind"] == "deadline-1d")
        .collect();
    assert_eq!(reminders.len(), 1, "sent once");
    // Societies that submitted get no overdue reminder.
    app.json(
        Method::POST,
        "/api/v1/societies/A-03/plans/2017",
        &json!({}),
        Some(&p.editor),
    )
    .await;
    app.json(
        Method::PUT,
        "/api/v1/societies/A-03/plans/2017/draft",
        &content(&[12, 13, 14, 15, 16]),
        Some(&p.editor),
    )
    .await;
    app.request(
        Method::POST,
        "/api/v1/societies/A-03/plans/2017/submit",
        None,
        vec![],
        &[("authorization", &format!("Bearer {}", p.editor))],
    )
    .await;
    app.state.clock.advance(Duration::hours(2));
    let n = reformwatch::service::notifications::plan_deadline_reminders(
        &app.state,
        &catalogue,
        app.state.clock.now(),
    )
    .await
    .unwrap();
    assert_eq!(n, 208);
    // Reading: own notifications only.
    let id = inbox[0]["id"].as_i64().unwrap();
    let other = app.token_for("p-other").await;
    let r = app
        .request(
            Method::POST,
            &format!("/api/v1/notifications/{id}/read"),
            None,
            vec![],
            &[("authorization", &format!("Bearer {other}"))],
        )
        .await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);
    let r = app
        .request(
            Method::POST,
            &format!("/api/v1/notifications/{id}/read"),
            None,
            vec![],
            &[("authorization", &format!("Bearer {}", p.editor))],
        )
        .await;
    assert_eq!(r.status, StatusCode::NO_CONTENT);
}
both!(deadline_reminders_are_sent_once);

/// E-mail goes to a real SMTP server (a local sink), not a mock.
async fn emails_reach_an_smtp_server(backend: Backend) {
    let (port, sink) = smtp_sink::start().await;
    let app = TestApp::new_with(backend, |c| {
        c.smtp_url = Some(format!("smtp://127.0.0.1:{port}"));
        c.mail_from = "ReformWatch <noreply@rw.test>".into();
    })
    .await;
    let p = setup(&app).await;
    sqlx::query("UPDATE users SET email = 'reviewer@rw.test' WHERE username = 'p-reviewer'")
        .execute(&app.db().pool)
        .await
        .unwrap();
    app.json(
        Method::POST,
        "/api/v1/societies/A-03/plans/2017",
        &json!({}),
        Some(&p.editor),
    )
    .await;
    app.json(
        Method::PUT,
        "/api/v1/societies/A-03/plans/2017/draft",
        &content(&[12, 13, 14, 15, 16]),
        Some(&p.editor),
    )
    .await;
    app.request(
        Method::POST,
        "/api/v1/societies/A-03/plans/2017/submit",
        None,
        vec![],
        &[("authorization", &format!("Bearer {}", p.editor))],
    )
    .await;
    let (sent, failed) =
        reformwatch::service::notifications::flush_email(&app.state, app.state.clock.now())
            .await
            .unwrap();
    assert_eq!((sent, failed), (1, 0));
    let messages = sink.messages.lock().unwrap().clone();
    assert_eq!(messages.len(), 1);
    assert!(messages[0].to[0].contains("reviewer@rw.test"));
    let data = &messages[0].data;
    assert!(
        data.contains("Content-Type: text/plain; charset=utf-8"),
        "{data}"
    );
    let body: String = data.split("\n\n").nth(1).unwrap().lines().collect();
    use base64::Engine;
    let text = String::from_utf8(
        base64::engine::general_purpose::STANDARD
            .decode(body.trim())
            .unwrap(),
    )
    .unwrap();
    assert!(text.contains("中国力学学会提交了2017年度方案"), "{text}");
    assert!(text.contains("/societies/A-03/plans/2017"), "{text}");
    // Nothing is sent twice.
    assert_eq!(
        reformwatch::service::notifications::flush_email(&app.state, app.state.clock.now())
            .await
            .unwrap(),
        (0, 0)
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn emails_reach_an_smtp_server_sqlite() {
    emails_reach_an_smtp_server(Backend::Sqlite).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn emails_reach_an_smtp_server_postgres() {
    emails_reach_an_smtp_server(Backend::Postgres).await;
}

/// Issue 8: a stored draft that does not decode is a clear error naming it — on the page and
/// in the API — never an empty plan that a save would then write back.
async fn an_unreadable_draft_is_an_error_naming_it(app: TestApp) {
    let p = setup(&app).await;
    let base = "/api/v1/societies/A-03/plans/2017";
    let r = app
        .json(Method::POST, base, &json!({"from": "new"}), Some(&p.editor))
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.text());
    // Readable, the page shows the editor (the control).
    app.login("p-editor").await;
    let ok = app.get("/societies/A-03/plans/2017").await;
    assert_eq!(ok.status, StatusCode::OK);
    assert!(ok.text().contains("id=\"plan-form\""));
    // The stored draft is damaged (a number where the summary's text belongs).
    sqlx::query("UPDATE plans SET draft_json = '{\"summary\": 5, \"tasks\": []}'")
        .execute(&app.db().pool)
        .await
        .unwrap();
    let page = app.get("/societies/A-03/plans/2017").await;
    assert_eq!(page.status, StatusCode::INTERNAL_SERVER_ERROR);
    let html = page.text();
    assert!(html.contains("存储的数据无法读取"), "{html}");
    assert!(
        html.contains("A-03 2017 年改革方案的草稿无法读取"),
        "{html}"
    );
    assert!(
        !html.contains("id=\"plan-form\""),
        "no empty editor: {html}"
    );
    let api = app.get_with_token(base, &p.editor).await;
    assert_eq!(api.status, StatusCode::INTERNAL_SERVER_ERROR);
    assert_eq!(
        api.json()["errors"][0]["code"],
        "unreadable",
        "{}",
        api.text()
    );
    let en = app
        .request(
            Method::GET,
            base,
            None,
            vec![],
            &[
                ("authorization", &format!("Bearer {}", p.editor)),
                ("accept-language", "en"),
            ],
        )
        .await
        .json();
    assert!(
        en["errors"][0]["message"]
            .as_str()
            .unwrap()
            .contains("draft of plan A-03/2017/reform cannot be read"),
        "{en}"
    );
    // Saving over it is refused too (nothing is read as empty and written back).
    let r = app
        .json(
            Method::PUT,
            &format!("{base}/draft"),
            &content(&[12, 13, 14, 15, 16]),
            Some(&p.editor),
        )
        .await;
    assert_eq!(r.status, StatusCode::INTERNAL_SERVER_ERROR, "{}", r.text());
    let stored: String = sqlx::Row::try_get(
        &sqlx::query("SELECT draft_json FROM plans")
            .fetch_one(&app.db().pool)
            .await
            .unwrap(),
        0,
    )
    .unwrap();
    assert_eq!(stored, "{\"summary\": 5, \"tasks\": []}");
}
both!(an_unreadable_draft_is_an_error_naming_it);

//! Issue 10, flows: the plan editor (optional sections, "add row" without JavaScript, adopted
//! proposals that never trip the validator, no "ready to submit" on an accepted plan), a
//! read-only viewer who is never asked to start or submit anything, the dashboard's headers
//! and its "no accepted plan" label, long lists in pages of 100 with their filters in the
//! links, and the inbox's unread count and "mark all read".

use chrono::{DateTime, TimeZone, Utc};
use http::{Method, StatusCode};
use reformwatch::db;
use reformwatch::model::Role;
use serde_json::{Value, json};

use crate::{TestApp, both};

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
    for n in [12, 13, 14, 15, 16] {
        tasks.push(json!({"number": n, "responsible": [{"name": "李四", "position": "副秘书长"}],
            "targets": [{"metric": "活动", "unit": "次", "baseline": 1, "target": 3, "due": "2017-12-31"}],
            "milestones": [{"date": "2017-10-31", "what": "完成一半"}]}));
    }
    json!({"summary": "方案", "tasks": tasks})
}

struct People {
    editor: String,
    reviewer: String,
}

const PLAN: &str = "/api/v1/societies/A-03/plans/2017";

/// The registry, A-03's editor and viewer, a reviewer; the clock on 2017-05-20.
async fn setup(app: &TestApp) -> People {
    app.registry().await;
    app.state.clock.set(beijing("2017-05-20 10:00:00"));
    app.user("f-editor", Role::SocietyEditor, Some("A-03"))
        .await;
    app.user("f-viewer", Role::SocietyViewer, Some("A-03"))
        .await;
    app.user("f-reviewer", Role::Reviewer, None).await;
    People {
        editor: app.token_for("f-editor").await,
        reviewer: app.token_for("f-reviewer").await,
    }
}

async fn open_plan(app: &TestApp, p: &People) {
    let r = app
        .json(Method::POST, PLAN, &json!({"from": "new"}), Some(&p.editor))
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.text());
}

/// A-03's plan with complete content, submitted and accepted.
async fn accepted_plan(app: &TestApp, p: &People) {
    open_plan(app, p).await;
    let r = app
        .json(
            Method::PUT,
            &format!("{PLAN}/draft"),
            &plan_content(),
            Some(&p.editor),
        )
        .await;
    assert_eq!(r.json()["submittable"], true, "{}", r.text());
    let r = app
        .request(
            Method::POST,
            &format!("{PLAN}/submit"),
            None,
            vec![],
            &[("authorization", &format!("Bearer {}", p.editor))],
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text());
    let r = app
        .json(
            Method::POST,
            &format!("{PLAN}/review"),
            &json!({"decision": "accept"}),
            Some(&p.reviewer),
        )
        .await;
    assert_eq!(r.json()["plan"]["state"], "accepted", "{}", r.text());
}

/// The plan form for tasks 1–7 with a responsible person and a milestone each, plus `extra`.
fn plan_form<'a>(extra: &[(&'a str, &'a str)]) -> Vec<(String, String)> {
    let mut form: Vec<(String, String)> = Vec::new();
    for n in 1..=7 {
        form.push(("present".into(), n.to_string()));
        form.push((format!("t{n}_resp_0_name"), "王五".into()));
        form.push((format!("t{n}_resp_0_position"), "秘书长".into()));
        form.push((format!("t{n}_ms_0_date"), "2017-09-30".into()));
        form.push((format!("t{n}_ms_0_what"), "中期检查".into()));
    }
    form.extend(extra.iter().map(|(k, v)| (k.to_string(), v.to_string())));
    form
}

async fn post(app: &TestApp, path: &str, form: &[(String, String)]) -> crate::Resp {
    let pairs: Vec<(&str, &str)> = form.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
    app.post_form(path, &pairs).await
}

async fn plan_editor(app: TestApp) {
    let p = setup(&app).await;
    open_plan(&app, &p).await;
    app.login("f-editor").await;
    let page = "/societies/A-03/plans/2017";
    // Optional tasks not chosen are in the editor, hidden until their box is ticked; the boxes
    // name the section they show.
    let html = app.get(page).await.text();
    assert!(
        html.contains(r#"<fieldset class="plan-task" id="task-12" hidden>"#),
        "{html}"
    );
    assert!(html.contains(r#"data-shows="task-12""#));
    assert!(html.contains(r#"<fieldset class="plan-task" id="task-1">"#));
    // "Add row" without JavaScript: the draft is saved and the page comes back with one more
    // empty row in that list only, at its task, keeping what was typed.
    let r = post(
        &app,
        &format!("{page}/draft"),
        &plan_form(&[("add_row", "t1_tgt")]),
    )
    .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.text());
    let location = r.location();
    assert_eq!(
        location,
        "/societies/A-03/plans/2017?kind=reform&done=saved&add=t1_tgt#task-1"
    );
    let html = app.get(location.split('#').next().unwrap()).await.text();
    assert!(html.contains(r#"name="t1_tgt_0_metric""#));
    assert!(html.contains(r#"name="t1_tgt_1_metric""#), "one more row");
    assert!(!html.contains(r#"name="t1_tgt_2_metric""#));
    assert!(
        !html.contains(r#"name="t2_tgt_1_metric""#),
        "only the list asked for"
    );
    assert!(html.contains(r#"name="t1_resp_0_name" value="王五""#));
    assert!(html.contains(r#"name="t1_resp_1_name" value="""#));
    // Any other value adds nothing.
    let html = app.get(&format!("{page}?add=t1_evil")).await.text();
    assert!(!html.contains(r#"name="t1_tgt_1_metric""#));
    // Ticking an optional task and saving shows its section (not hidden).
    let r = post(
        &app,
        &format!("{page}/draft"),
        &plan_form(&[("optional", "12")]),
    )
    .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.text());
    let html = app.get(page).await.text();
    assert!(html.contains(r#"<fieldset class="plan-task" id="task-12">"#));
    assert!(html.contains(r#"<fieldset class="plan-task" id="task-13" hidden>"#));

    // Adopting a suggested target never trips the validator. Without facts, task 1 proposes
    // its required documents; the live check counts a ticked "adopt" box as saving will.
    let missing = "尚无完整的可考核目标";
    let check = format!("{page}/check");
    let without = post(&app, &check, &plan_form(&[])).await.text();
    assert_eq!(without.matches(missing).count(), 7, "{without}");
    let with = post(&app, &check, &plan_form(&[("adopt", "1")]))
        .await
        .text();
    assert_eq!(with.matches(missing).count(), 6, "{with}");
    assert!(!with.contains(r##"href="#task-1""##), "{with}");
    // Saved with the box ticked: the target is in the draft and the plan's issues drop it.
    let r = post(
        &app,
        &format!("{page}/draft"),
        &plan_form(&[("adopt", "1")]),
    )
    .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.text());
    let plan = app.get_with_token(PLAN, &p.editor).await.json();
    let t1 = &plan["plan"]["draft"]["tasks"][0];
    assert_eq!(t1["number"], 1);
    assert_eq!(t1["targets"].as_array().unwrap().len(), 1, "{t1}");
    assert_eq!(t1["targets"][0]["baseline"], Value::Null);
    let html = app.get(page).await.text();
    assert_eq!(html.matches(missing).count(), 6);
}
both!(plan_editor);

async fn accepted_plan_is_not_ready_to_submit(app: TestApp) {
    let p = setup(&app).await;
    open_plan(&app, &p).await;
    let r = app
        .json(
            Method::PUT,
            &format!("{PLAN}/draft"),
            &plan_content(),
            Some(&p.editor),
        )
        .await;
    assert_eq!(r.json()["submittable"], true, "{}", r.text());
    app.login("f-editor").await;
    // A complete draft: the editor may submit, and is told so.
    let html = app.get("/societies/A-03/plans/2017").await.text();
    assert!(html.contains("没有发现问题，可以提交。"), "{html}");
    assert!(html.contains(r#"id="submit-plan""#));
    // The viewer of the same draft is not.
    app.login("f-viewer").await;
    let html = app.get("/societies/A-03/plans/2017").await.text();
    assert!(!html.contains("可以提交"), "{html}");
    assert!(html.contains("没有发现问题。"));
    // Accepted: nobody is told it can be submitted.
    app.forget_cookies();
    let r = app
        .request(
            Method::POST,
            &format!("{PLAN}/submit"),
            None,
            vec![],
            &[("authorization", &format!("Bearer {}", p.editor))],
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text());
    app.json(
        Method::POST,
        &format!("{PLAN}/review"),
        &json!({"decision": "accept"}),
        Some(&p.reviewer),
    )
    .await;
    for who in ["f-editor", "f-viewer", "f-reviewer"] {
        app.login(who).await;
        let html = app.get("/societies/A-03/plans/2017").await.text();
        assert!(html.contains("已通过"), "{who}: {html}");
        assert!(!html.contains("可以提交"), "{who}: {html}");
        assert!(!html.contains(r#"id="submit-plan""#), "{who}");
    }
}
both!(accepted_plan_is_not_ready_to_submit);

/// Markers of anything that asks the reader to start, write or submit.
const ASKS: &[&str] = &[
    r#"id="next-steps""#,
    r#"id="start-new""#,
    r#"id="start-copy""#,
    r#"id="save-draft""#,
    r#"id="submit-plan""#,
    r#"id="start-report""#,
    r#"id="save-report""#,
    r#"id="submit-report""#,
    r#"id="evidence-form""#,
    "可以提交",
];

fn asks(html: &str) -> Vec<&'static str> {
    ASKS.iter().copied().filter(|m| html.contains(m)).collect()
}

async fn viewer_is_never_asked_to_submit(app: TestApp) {
    let p = setup(&app).await;
    let pages_before = [
        "/societies/A-03",
        "/societies/A-03/plans/2017",
        "/societies/A-03/reports/2017",
    ];
    // No plan yet. The editor is asked to start it (negative control), the viewer never.
    app.login("f-editor").await;
    let editor_home = app.get("/societies/A-03").await.text();
    assert_eq!(asks(&editor_home), vec![r#"id="next-steps""#]);
    let editor_plan = app.get("/societies/A-03/plans/2017").await.text();
    assert_eq!(asks(&editor_plan), vec![r#"id="start-new""#]);
    app.login("f-viewer").await;
    for page in pages_before {
        let r = app.get(page).await;
        assert_eq!(r.status, StatusCode::OK, "{page}");
        assert_eq!(asks(&r.text()), Vec::<&str>::new(), "{page}: {}", r.text());
    }
    let html = app.get("/societies/A-03/plans/2017").await.text();
    assert!(html.contains(r#"id="not-started""#), "{html}");
    // Accepted plan; June's report started by the editor; July's not started.
    app.forget_cookies();
    accepted_plan(&app, &p).await;
    app.state.clock.set(beijing("2017-07-02 10:00:00"));
    let r = app
        .json(
            Method::POST,
            "/api/v1/societies/A-03/reports/2017/6",
            &json!({}),
            Some(&p.editor),
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.text());
    let pages = [
        "/societies/A-03",
        "/societies/A-03/plans/2017",
        "/societies/A-03/plans/2017/versions",
        "/societies/A-03/reports/2017",
        "/societies/A-03/reports/2017/6",
        "/societies/A-03/reports/2017/7",
        "/societies/A-03/facts?year=2017",
    ];
    app.login("f-editor").await;
    let control: Vec<Vec<&str>> = {
        let mut v = Vec::new();
        for page in pages {
            v.push(asks(&app.get(page).await.text()));
        }
        v
    };
    assert_eq!(
        control[0],
        vec![r#"id="next-steps""#],
        "editor: June's report"
    );
    assert_eq!(
        control[4],
        vec![
            r#"id="save-report""#,
            r#"id="submit-report""#,
            r#"id="evidence-form""#
        ]
    );
    assert_eq!(control[5], vec![r#"id="start-report""#]);
    app.login("f-viewer").await;
    for page in pages {
        let r = app.get(page).await;
        assert_eq!(r.status, StatusCode::OK, "{page}");
        assert_eq!(asks(&r.text()), Vec::<&str>::new(), "{page}: {}", r.text());
    }
}
both!(viewer_is_never_asked_to_submit);

async fn dashboard_headers_and_no_plan(app: TestApp) {
    let p = setup(&app).await;
    accepted_plan(&app, &p).await;
    app.state.clock.set(beijing("2017-06-10 10:00:00"));
    app.login("f-reviewer").await;
    let html = app
        .get("/dashboard?year=2017&month=6&q=&group=A")
        .await
        .text();
    // Task names in the headers, number first.
    assert!(
        html.contains(r#"<span class="task-head">1 建立务实高效的会议制度</span>"#),
        "{html}"
    );
    assert!(html.contains(r#"<span class="task-head">24 建设产业协同创新共同体</span>"#));
    // The rows: A-03 (accepted plan, June not due yet) is "not due"; A-01 has no plan.
    let row = |code: &str| {
        let start = html.find(&format!("<tr><td>{code}</td>")).unwrap();
        let end = start + html[start..].find("</tr>").unwrap();
        html[start..end].to_string()
    };
    assert!(row("A-03").contains("未到期"), "{}", row("A-03"));
    assert!(!row("A-03").contains("无通过的方案"));
    assert!(row("A-01").contains("无通过的方案"), "{}", row("A-01"));
    assert!(!row("A-01").contains("未到期"));
    // The filter checkbox sits inside its label, beside its text.
    assert!(html.contains(
        r#"<label class="check inline-check"><input type="checkbox" name="late" value="true"> "#
    ));
}
both!(dashboard_headers_and_no_plan);

/// Rows of the first table body on a page.
fn body_rows(html: &str) -> usize {
    let start = html.find("<tbody>").unwrap();
    let end = start + html[start..].find("</tbody>").unwrap();
    html[start..end].matches("<tr>").count()
}

async fn long_lists_paginate(app: TestApp) {
    setup(&app).await;
    app.login("f-reviewer").await;
    // Societies: 209 in pages of 100.
    let html = app.get("/societies").await.text();
    assert_eq!(body_rows(&html), 100);
    assert!(html.contains("第 1 / 3 页"), "{html}");
    assert!(
        html.contains(
            r#"href="/societies?q=&#38;group=&#38;include_inactive=&#38;page=2" rel="next""#
        ),
        "{html}"
    );
    let second = app.get("/societies?page=2").await.text();
    assert_eq!(body_rows(&second), 100);
    let last = app.get("/societies?page=3").await.text();
    assert_eq!(body_rows(&last), 9);
    // The three pages hold every society once.
    let codes: std::collections::BTreeSet<String> = [&html, &second, &last]
        .iter()
        .flat_map(|h| {
            h.split("<tr><td>")
                .skip(1)
                .map(|x| x[..x.find('<').unwrap()].to_string())
        })
        .collect();
    assert_eq!(codes.len(), 209);
    // Past the end: the last page.
    assert_eq!(body_rows(&app.get("/societies?page=99").await.text()), 9);
    // Filtered: 160 names contain 学会; page 2 keeps the filter in its links.
    let html = app
        .get("/societies?q=%E5%AD%A6%E4%BC%9A&page=2")
        .await
        .text();
    assert_eq!(body_rows(&html), 60);
    assert!(html.contains(
        r#"href="/societies?q=%E5%AD%A6%E4%BC%9A&#38;group=&#38;include_inactive=&#38;page=1" rel="prev""#
    ), "{html}");
    // One page: no pager.
    let html = app.get("/societies?group=B").await.text();
    assert_eq!(body_rows(&html), 78);
    assert!(!html.contains(r#"class="pager""#));
    // The plans overview (every society, "not started" included) and the queue.
    let html = app.get("/overview/plans?year=2017").await.text();
    assert_eq!(body_rows(&html), 100);
    let html = app
        .get("/overview/plans?year=2017&state=not_started&page=3")
        .await
        .text();
    assert_eq!(body_rows(&html), 9);
    assert!(html.contains(
        r#"href="/overview/plans?year=2017&#38;kind=reform&#38;state=not%5Fstarted&#38;group=&#38;election=&#38;late=&#38;page=2" rel="prev""#
    ), "{html}");
    let html = app.get("/overview/plans?year=2017&group=A").await.text();
    assert_eq!(body_rows(&html), 45);
    let html = app.get("/reviews/plans?year=2017").await.text();
    assert_eq!(body_rows(&html), 0);
}
both!(long_lists_paginate);

async fn inbox_unread_and_mark_all_read(app: TestApp) {
    setup(&app).await;
    let editor = db::users::by_username(app.db(), "f-editor")
        .await
        .unwrap()
        .unwrap()
        .user;
    let viewer = db::users::by_username(app.db(), "f-viewer")
        .await
        .unwrap()
        .unwrap()
        .user;
    let note = |user_id: i64, key: &'static str| db::notifications::NewNotification {
        user_id,
        kind: "test",
        dedupe_key: key,
        subject_zh: "测试消息",
        subject_en: "Test message",
        link: "/inbox",
        email_to: None,
    };
    let now = app.state.clock.now();
    let added = db::notifications::insert(
        app.db(),
        now,
        &[
            note(editor.id, "a"),
            note(editor.id, "b"),
            note(editor.id, "c"),
            note(viewer.id, "a"),
            note(viewer.id, "b"),
        ],
    )
    .await
    .unwrap();
    assert_eq!(added, 5);
    let app_ref = &app;
    let unread = |user_id: i64| async move {
        db::notifications::list(app_ref.db(), user_id)
            .await
            .unwrap()
            .iter()
            .filter(|n| n.read_at.is_none())
            .count()
    };
    // The count is in the menu on every page.
    app.login("f-editor").await;
    let html = app.get("/societies/A-03").await.text();
    assert!(
        html.contains(r#"<span class="badge" id="unread-count">3</span>"#),
        "{html}"
    );
    let html = app.get("/inbox").await.text();
    assert!(html.contains(r#"id="read-all""#));
    // Mark all read: only the editor's.
    let before = app.db().statements();
    let r = app.post_form("/inbox/read-all", &[]).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.text());
    assert!(app.db().statements() > before);
    assert_eq!(unread(editor.id).await, 0);
    assert_eq!(unread(viewer.id).await, 2, "another user's stay unread");
    let html = app.get("/inbox").await.text();
    assert!(!html.contains(r#"id="unread-count""#), "{html}");
    assert!(!html.contains(r#"id="read-all""#));
    // Audited once, naming the user and the count.
    let entries = db::audit::list(
        app.db(),
        &db::audit::AuditFilter {
            action: Some("inbox.read_all".into()),
            ..Default::default()
        },
    )
    .await
    .unwrap();
    assert_eq!(entries.len(), 1);
    assert_eq!(entries[0].actor, "user:f-editor");
    assert_eq!(entries[0].object_id, "f-editor");
    assert_eq!(entries[0].before, Some(json!({"unread": 3})));
    // Nothing unread: nothing recorded.
    let r = app.post_form("/inbox/read-all", &[]).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER);
    let again = db::audit::list(
        app.db(),
        &db::audit::AuditFilter {
            action: Some("inbox.read_all".into()),
            ..Default::default()
        },
    )
    .await
    .unwrap();
    assert_eq!(again.len(), 1);
    // The API: the viewer's two.
    app.forget_cookies();
    let token = app.token_for("f-viewer").await;
    let r = app
        .json(
            Method::POST,
            "/api/v1/notifications/read-all",
            &json!({}),
            Some(&token),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text());
    assert_eq!(r.json(), json!({"marked": 2}));
    assert_eq!(unread(viewer.id).await, 0);
}
both!(inbox_unread_and_mark_all_read);

fn june_values() -> Value {
    let mut tasks: Vec<Value> = (1..=7)
        .map(|n| json!({"number": n, "status": "in_progress", "progress": "按计划推进", "values": [{"target": 0, "value": 1}]}))
        .collect();
    for n in [12, 13, 14, 15, 16] {
        tasks.push(json!({"number": n, "status": "in_progress", "progress": "", "values": [{"target": 0, "value": 2}]}));
    }
    json!({"narrative": "进展", "tasks": tasks})
}

async fn report_queue(app: TestApp) {
    let p = setup(&app).await;
    accepted_plan(&app, &p).await;
    let editor = format!("Bearer {}", p.editor);
    // June's report submitted on 2017-07-03 10:00 (on time), July's started only.
    for (month, submit_at) in [(6, Some("2017-07-03 10:00:00")), (7, None)] {
        let base = format!("/api/v1/societies/A-03/reports/2017/{month}");
        app.state.clock.set(beijing("2017-07-02 09:00:00"));
        let r = app
            .json(Method::POST, &base, &json!({}), Some(&p.editor))
            .await;
        assert_eq!(r.status, StatusCode::CREATED, "{}", r.text());
        let r = app
            .json(
                Method::PUT,
                &format!("{base}/draft"),
                &june_values(),
                Some(&p.editor),
            )
            .await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.text());
        if let Some(at) = submit_at {
            app.state.clock.set(beijing(at));
            let r = app
                .request(
                    Method::POST,
                    &format!("{base}/submit"),
                    None,
                    vec![],
                    &[("authorization", &editor)],
                )
                .await;
            assert_eq!(r.status, StatusCode::OK, "{}", r.text());
        }
    }
    // Five days and a bit later.
    app.state.clock.set(beijing("2017-07-08 12:00:00"));
    app.login("f-reviewer").await;
    let html = app.get("/reviews/reports").await.text();
    assert!(html.contains(r#"href="/reviews/reports""#), "in the menu");
    assert_eq!(body_rows(&html), 1, "{html}");
    assert!(html.contains(r#"<a href="/societies/A-03/reports/2017/6">2017年6月</a>"#));
    assert!(html.contains("2017-07-03 10:00"), "Beijing time: {html}");
    assert!(html.contains("<td>5 天</td>"), "{html}");
    assert!(html.contains("待评审"));
    // Filters, kept in the URL: waiting at least 5 days (kept), 6 days (none).
    assert_eq!(
        body_rows(&app.get("/reviews/reports?waiting=5").await.text()),
        1
    );
    let html = app.get("/reviews/reports?waiting=6").await.text();
    assert!(html.contains(r#"id="queue-empty""#), "{html}");
    assert!(html.contains(r#"name="waiting" value="6""#));
    // Month, status and group.
    assert!(
        app.get("/reviews/reports?month=7")
            .await
            .text()
            .contains(r#"id="queue-empty""#)
    );
    let drafts = app
        .get("/reviews/reports?status=draft&month=7")
        .await
        .text();
    assert_eq!(body_rows(&drafts), 1);
    assert!(drafts.contains(r#"<a href="/societies/A-03/reports/2017/7">"#));
    assert_eq!(
        body_rows(&app.get("/reviews/reports?status=all").await.text()),
        2
    );
    assert!(
        app.get("/reviews/reports?group=B")
            .await
            .text()
            .contains(r#"id="queue-empty""#)
    );
    assert_eq!(
        body_rows(&app.get("/reviews/reports?group=A").await.text()),
        1
    );
    // Issue 10: a comment does not decide, the report still waits; an accept does.
    let r = app
        .json(
            Method::POST,
            "/api/v1/societies/A-03/reports/2017/6/review",
            &json!({"decision": "comment", "comment": "收到"}),
            Some(&p.reviewer),
        )
        .await;
    assert!(r.status.is_success(), "{}", r.text());
    let html = app.get("/reviews/reports").await.text();
    assert_eq!(body_rows(&html), 1, "{html}");
    // The row's accept button posts to the report's review and comes back to the queue.
    assert!(
        html.contains(r#"action="/societies/A-03/reports/2017/6/review""#),
        "{html}"
    );
    assert!(
        html.contains(r#"aria-label="通过 A-03 2017年6月""#),
        "{html}"
    );
    let back = "/reviews/reports?year=2017&month=&status=waiting&group=&waiting=";
    assert!(
        html.contains(&format!(
            r#"name="back" value="{}""#,
            back.replace('&', "&#38;")
        )),
        "{html}"
    );
    // Not for a society's people (403), not back to another site (the report page instead).
    app.login("f-editor").await;
    let r = app
        .post_form(
            "/societies/A-03/reports/2017/6/review",
            &[("decision", "accept"), ("back", back)],
        )
        .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN, "{}", r.text());
    app.login("f-reviewer").await;
    let r = app
        .post_form(
            "/societies/A-03/reports/2017/6/review",
            &[("decision", "accept"), ("back", back)],
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.text());
    assert_eq!(r.location(), format!("{back}&done=accepted"));
    let html = app.get(&r.location()).await.text();
    assert!(html.contains("已通过。"), "the flash: {html}");
    assert!(html.contains(r#"id="queue-empty""#), "{html}");
    let accepted = app.get("/reviews/reports?status=accepted").await.text();
    assert_eq!(body_rows(&accepted), 1, "{accepted}");
    assert!(accepted.contains("rstate accepted"), "{accepted}");
    assert!(
        !accepted.contains(r#"class="inline accept-form""#),
        "{accepted}"
    );
    assert!(
        app.get("/reviews/reports?status=submitted")
            .await
            .text()
            .contains(r#"id="queue-empty""#)
    );
    // Accepting again is refused at the report page (422), whatever `back` says.
    let r = app
        .post_form(
            "/societies/A-03/reports/2017/6/review",
            &[("decision", "accept"), ("back", "https://evil.example/")],
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.text());
    assert!(
        r.text().contains("月报当前状态为“已通过”，不能通过"),
        "{}",
        r.text()
    );
    // The API: same filters, every row; a society's people may not.
    let r = app
        .get_with_token("/api/v1/reports/queue?status=all&year=2017", &p.reviewer)
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text());
    let rows = r.json();
    let months: Vec<(String, u64, bool)> = rows
        .as_array()
        .unwrap()
        .iter()
        .map(|e| {
            (
                e["state"].as_str().unwrap().to_string(),
                e["month"].as_u64().unwrap(),
                e["waiting"].as_bool().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        months,
        vec![("accepted".into(), 6, false), ("draft".into(), 7, false)]
    );
    let r = app.get_with_token("/api/v1/reports/queue", &p.editor).await;
    assert_eq!(r.status, StatusCode::FORBIDDEN, "{}", r.text());
}
both!(report_queue);

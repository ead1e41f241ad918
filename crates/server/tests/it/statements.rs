//! A page that costs a query per society is a bug (issue 8): the dashboard (page, .xlsx, API),
//! the reporting rates, the rules overview and the plan queue cost the same number of
//! statements for 3 societies as for 30, on both backends.

use chrono::{DateTime, TimeZone, Utc};
use reformwatch::Principal;
use reformwatch::db::plans::{PlanBody, PlanKind};
use reformwatch::db::societies;
use reformwatch::model::Role;
use reformwatch::service;
use reformwatch::service::plans::PlanDecision;
use reformwatch::service::reports::ReportDecision;
use serde_json::{Value, json};

use crate::{TestApp, both};

pub(crate) fn beijing(s: &str) -> DateTime<Utc> {
    let naive = chrono::NaiveDateTime::parse_from_str(s, "%Y-%m-%d %H:%M:%S").unwrap();
    chrono_tz::Asia::Shanghai
        .from_local_datetime(&naive)
        .single()
        .unwrap()
        .with_timezone(&Utc)
}

pub(crate) fn plan_content() -> Value {
    let mut tasks: Vec<Value> = (1..=7)
        .map(|n| json!({"number": n, "responsible": [{"name": "张三", "position": "秘书长"}],
            "targets": [{"metric": "制度", "unit": "项", "baseline": 0, "target": 2, "due": "2017-12-31"}],
            "milestones": [{"date": "2017-09-30", "what": "中期检查"}]}))
        .collect();
    tasks[1]["targets"] = json!([{"metric": "个人会员", "unit": "人", "baseline": 10000, "target": 11500, "due": "2017-06-30", "fact": "members_now"}]);
    for n in [12, 13, 14, 15, 16] {
        tasks.push(json!({"number": n, "responsible": [{"name": "李四", "position": "副秘书长"}],
            "targets": [{"metric": "活动", "unit": "次", "baseline": 1, "target": 3, "due": "2017-12-31"}],
            "milestones": [{"date": "2017-10-31", "what": "完成一半"}]}));
    }
    json!({"summary": "", "tasks": tasks})
}

pub(crate) fn report_content(members: i64) -> Value {
    let mut tasks: Vec<Value> = (1..=7).map(|n| json!({"number": n, "status": "in_progress", "progress": "按计划推进", "values": [{"target": 0, "value": 1}]})).collect();
    tasks[1]["values"] = json!([{"target": 0, "value": members}]);
    for n in [12, 13, 14, 15, 16] {
        tasks.push(json!({"number": n, "status": "in_progress", "progress": "进展", "values": [{"target": 0, "value": 2}]}));
    }
    json!({"narrative": "6月进展", "tasks": tasks})
}

/// Gives the societies an accepted plan, a June report (every other one late and returned with
/// a comment), an election flag and facts.
pub(crate) async fn give_progress(app: &TestApp, codes: &[String]) {
    let state = &app.state;
    let system = Principal::System;
    let catalogue = service::catalogues::of_year(state, 2017).await.unwrap();
    let plan: reformwatch_core::plan::PlanContent = serde_json::from_value(plan_content()).unwrap();
    let report: reformwatch_core::tracking::ReportContent =
        serde_json::from_value(report_content(11000)).unwrap();
    for (i, code) in codes.iter().enumerate() {
        let s = societies::by_code(app.db(), code).await.unwrap().unwrap();
        state.clock.set(beijing("2017-05-20 10:00:00"));
        service::plans::open(state, &system, &s, &catalogue, false)
            .await
            .unwrap();
        service::plans::save_draft(state, &system, &s, 2017, PlanBody::Reform(plan.clone()))
            .await
            .unwrap();
        service::plans::submit(state, &system, &s, &catalogue, PlanKind::Reform)
            .await
            .unwrap();
        service::plans::review(
            state,
            &system,
            &s,
            2017,
            PlanKind::Reform,
            PlanDecision::Accept,
            "",
            &Default::default(),
        )
        .await
        .unwrap();
        // Recorded after the plan (an election year would ask for tasks 8–11).
        service::societies::set_election(state, &system, code, "2017", i % 2 == 0)
            .await
            .unwrap();
        let june = reformwatch_core::tracking::Month {
            year: 2017,
            month: 6,
        };
        service::reports::open(state, &system, &s, &catalogue, june)
            .await
            .unwrap();
        service::reports::save_draft(state, &system, &s, june, report.clone())
            .await
            .unwrap();
        let day = if i % 2 == 0 {
            "2017-07-03 10:00:00"
        } else {
            "2017-07-08 10:00:00"
        };
        state.clock.set(beijing(day));
        service::reports::submit(state, &system, &s, &catalogue, june)
            .await
            .unwrap();
        if i % 2 == 1 {
            service::reports::review(state, &system, &s, june, ReportDecision::Return, "请补充")
                .await
                .unwrap();
        }
    }
    state.clock.set(beijing("2017-08-10 10:00:00"));
}

const PAGES: &[&str] = &[
    "/dashboard?year=2017&month=6",
    "/dashboard?year=2017&month=6&sort=colour&colour=red",
    "/dashboard.xlsx?year=2017&month=6",
    "/api/v1/dashboard?year=2017&month=6",
    "/rates?year=2017",
    "/api/v1/rates?year=2017",
    "/overview/rules?year=2017",
    "/overview/rules.xlsx?year=2017",
    "/reviews/plans?year=2017",
    "/overview/plans?year=2017",
    "/overview/plans.xlsx?year=2017",
];

/// Statements per page, as a signed-in reviewer: each page cold (every society's progress
/// loaded, the cache emptied before it) and then warm (again at once, answered from the
/// progress cache where a page uses it). Both runs are compared, so the 3- and 30-society
/// measurements see the same cache state.
async fn costs(app: &TestApp) -> Vec<(u64, u64)> {
    let mut out = Vec::new();
    for path in PAGES {
        let cost = || async move {
            let before = app.db().statements();
            let r = app.get(path).await;
            assert_eq!(r.status, http::StatusCode::OK, "{path}: {}", r.text());
            app.db().statements() - before
        };
        app.state.snapshots.clear();
        let cold = cost().await;
        let warm = cost().await;
        out.push((cold, warm));
    }
    out
}

/// Registers the first `n` societies of the built-in registry; returns their codes.
pub(crate) async fn register(app: &TestApp, n: usize) -> Vec<String> {
    let rows = reformwatch::import::parse_societies(
        "s.csv",
        reformwatch::import::BUILTIN_SOCIETIES_CSV.as_bytes(),
    )
    .unwrap();
    let rows = &rows[..n];
    societies::import(
        app.db(),
        &reformwatch::db::audit::Actor::System,
        app.state.clock.now(),
        rows,
    )
    .await
    .unwrap();
    rows.iter().map(|r| r.code.as_str().to_string()).collect()
}

async fn statements_do_not_grow_with_societies(app: TestApp) {
    app.user("s-reviewer", Role::Reviewer, None).await;
    // 3 societies in the registry, all with a plan and a report; then 30.
    let codes = register(&app, 3).await;
    give_progress(&app, &codes).await;
    app.login("s-reviewer").await;
    let three = costs(&app).await;
    assert!(
        three.iter().all(|(cold, warm)| *cold > 0 && *warm > 0),
        "the counter counts: {three:?}"
    );
    // The dashboard (page, .xlsx, API) is answered warm from the snapshots: the four
    // statements of the progress load and the four of the month's data (societies, reports,
    // reviews, evidence) fewer.
    for (path, (cold, warm)) in PAGES.iter().zip(&three) {
        if path.contains("dashboard") {
            assert_eq!(*warm + 8, *cold, "{path}: cold and warm");
        }
    }
    let codes = register(&app, 30).await;
    assert_eq!(
        societies::list(app.db(), &Default::default())
            .await
            .unwrap()
            .len(),
        30
    );
    give_progress(&app, &codes[3..]).await;
    app.login("s-reviewer").await;
    // The 30 societies are on the dashboard, with their rates.
    let d = app.get("/api/v1/dashboard?year=2017&month=6").await.json();
    let with_report = d["rows"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|r| r["report_link"].is_string())
        .count();
    assert_eq!(with_report, 30, "{d}");
    assert_eq!(d["received_rate"], "100%");
    let thirty = costs(&app).await;
    eprintln!("statements per page with 3 and 30 societies: {three:?} {thirty:?}");
    assert_eq!(
        three, thirty,
        "statements per page ({PAGES:?}) with 3 and with 30 societies"
    );
}
both!(statements_do_not_grow_with_societies);

/// Statements one request costs on `app` (status 200 checked).
async fn cost(app: &TestApp, path: &str, token: Option<&str>) -> u64 {
    let before = app.db().statements();
    let r = match token {
        Some(t) => app.get_with_token(path, t).await,
        None => app.get(path).await,
    };
    assert_eq!(r.status, http::StatusCode::OK, "{path}: {}", r.text());
    app.db().statements() - before
}

/// The fixed cost of a request (issue 8), read from the database every time (no cache): an
/// anonymous page reads the demo flag and the newest year in one statement (the home page
/// then reads the latest bulletin in one more); a signed-in page
/// reads its session with its user in one more; an API request reads no page defaults, and a
/// token request reads its token with its user in one statement. Static assets cost nothing.
async fn fixed_cost_per_request(backend: crate::Backend) {
    // A revalidation interval no test run can outlast: the second anonymous home page below
    // must come from the fast path's bytes, however slow the machine.
    let app = TestApp::new_with(backend, |c| c.public_revalidate_ms = 600_000).await;
    app.user("f-reviewer", Role::Reviewer, None).await;
    // Anonymous: the login page renders from the request context alone; the home page reads
    // the latest bulletin too (R-PUB-1: one statement more). The first anonymous home page
    // also reads the public fast path's fingerprint (newest bulletin and catalogue hashes, demo
    // flag: two statements, R-PUB-3); the next one within the revalidation interval is served
    // from the fast path's bytes without a statement.
    assert_eq!(cost(&app, "/", None).await, 4, "first anonymous GET /");
    assert_eq!(cost(&app, "/", None).await, 0, "anonymous GET / again");
    assert_eq!(cost(&app, "/login", None).await, 1, "anonymous GET /login");
    assert_eq!(cost(&app, "/assets/app.css", None).await, 0, "asset");
    // Signed in (the session was just refreshed: no touch within the minute).
    app.login("f-reviewer").await;
    assert_eq!(cost(&app, "/", None).await, 3, "signed-in GET /");
    assert_eq!(
        cost(&app, "/assets/app.css", None).await,
        0,
        "asset with a cookie"
    );
    // A minute later the idle timer is refreshed once: one UPDATE more, then back to two.
    app.state
        .clock
        .set(app.state.clock.now() + chrono::Duration::seconds(90));
    assert_eq!(
        cost(&app, "/", None).await,
        4,
        "signed-in GET / with the refresh"
    );
    assert_eq!(
        cost(&app, "/", None).await,
        3,
        "signed-in GET / after the refresh"
    );
    // The API by token: token and user in one statement (its first use is noted once).
    app.forget_cookies();
    let token = app.token_for("f-reviewer").await;
    cost(&app, "/api/v1/me", Some(&token)).await;
    assert_eq!(
        cost(&app, "/api/v1/me", Some(&token)).await,
        1,
        "GET /api/v1/me"
    );
    // The database stays the truth: a change by another process shows on the next request.
    let other = app.sibling().await;
    let mut tx = other.db().begin().await.unwrap();
    reformwatch::db::settings::set_in(&mut tx, reformwatch::db::settings::DEMO, "true")
        .await
        .unwrap();
    tx.commit().await.unwrap();
    // Signed in (no fast path): the next request shows it. (Anonymous pages show it after the
    // fast path's revalidation interval: it::fastpath.)
    app.login("f-reviewer").await;
    let home = app.get("/").await.text();
    assert!(home.contains("demo-banner"), "{home}");
}
mod fixed_cost_per_request {
    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn sqlite() {
        super::fixed_cost_per_request(crate::Backend::Sqlite).await;
    }
    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn postgres() {
        super::fixed_cost_per_request(crate::Backend::Postgres).await;
    }
}

/// A facts import of every registered society (issue 8): validated before its transaction,
/// written in a few multi-row statements whatever the number of rows; one audit entry per
/// society, the chain intact; a bad row at the end leaves nothing written.
async fn facts_import_writes_briefly(app: TestApp) {
    app.registry().await;
    app.user("fw-admin", Role::Admin, None).await;
    app.login("fw-admin").await;
    let codes = crate::limits::registry_codes();
    let csv = |n: usize, bad_last: bool, plus: usize| {
        let mut s = String::from("code,as_of,members_now,fee_payers_now\n");
        for (i, code) in codes[..n].iter().enumerate() {
            let fee = if bad_last && i == n - 1 {
                20000 + i
            } else {
                100 + i
            };
            s.push_str(&format!("{code},2017-06-30,{},{fee}\n", 1000 + i + plus));
        }
        s
    };
    // All 209 rows, the last one's fee payers above its members: refused, nothing written.
    let r = app
        .multipart(
            "/admin/facts/import?year=2017",
            "file",
            "f.csv",
            csv(209, true, 0).as_bytes(),
        )
        .await;
    assert_eq!(
        r.status,
        http::StatusCode::UNPROCESSABLE_ENTITY,
        "{}",
        r.text()
    );
    assert!(
        r.text().contains("<td>210</td>"),
        "the last row (line 210) named"
    );
    assert!(
        reformwatch::db::facts::all_versions(app.db(), 2017)
            .await
            .unwrap()
            .is_empty()
    );
    // 20 and 209 good rows cost the same statements.
    let app = &app;
    let import = |n: usize, as_of: &'static str| {
        // The second import's members differ (unchanged values would be skipped).
        let body = csv(n, false, n).replace("2017-06-30", as_of);
        async move {
            let before = app.db().statements();
            let r = app
                .multipart(
                    "/admin/facts/import?year=2017",
                    "file",
                    "f.csv",
                    body.as_bytes(),
                )
                .await;
            assert_eq!(r.status, http::StatusCode::OK, "{}", r.text());
            app.db().statements() - before
        }
    };
    let small = import(20, "2017-06-30").await;
    let large = import(209, "2017-07-31").await;
    eprintln!("statements of a facts import: 20 rows {small}, 209 rows {large}");
    assert_eq!(small, large, "statements do not grow with rows");
    let versions = reformwatch::db::facts::all_versions(app.db(), 2017)
        .await
        .unwrap();
    assert_eq!(versions.len(), 209);
    // A-01 (the first row): imported twice, 2 values then 1 (fee payers unchanged).
    assert_eq!(
        versions[&societies::by_code(app.db(), &codes[0])
            .await
            .unwrap()
            .unwrap()
            .id]
            .len(),
        3
    );
    assert_eq!(
        versions.values().map(Vec::len).sum::<usize>(),
        20 * 2 + 20 + 189 * 2,
        "20 rows of 2 values, then 20 changed members and 189 rows of 2 new values"
    );
    // One audit entry per society and import, the chain intact.
    let entries = reformwatch::db::audit::list(
        app.db(),
        &reformwatch::db::audit::AuditFilter {
            action: Some("facts.update".into()),
            object_id: Some(codes[0].clone()),
            ..Default::default()
        },
    )
    .await
    .unwrap();
    assert_eq!(entries.len(), 2, "A-01 imported twice");
    assert!(
        entries
            .iter()
            .any(|e| e.after.as_ref().unwrap().to_string().contains("2017-07-31")),
        "the second import's entry"
    );
    assert!(
        reformwatch::db::audit::verify(app.db())
            .await
            .unwrap()
            .is_ok()
    );
}
both!(facts_import_writes_briefly);

//! Issue 8: every society's progress is kept per process (`AppState::snapshots`), keyed by
//! the catalogue's hash and the audit head (R-TRACK-3, R-X-2). A dashboard with nothing changed
//! is answered from it (fewer statements, the same rows); a report submitted or a plan accepted
//! — in this process or in another one on the same database — shows on the next dashboard.
//! Colours are kept until they may change (`core::colours_change_after`): a day that passes
//! with nothing written changes them when it should.

use reformwatch::Principal;
use reformwatch::db::plans::{PlanBody, PlanKind};
use reformwatch::db::societies;
use reformwatch::model::Role;
use reformwatch::service;
use reformwatch::service::plans::PlanDecision;
use reformwatch_core::tracking::{Month, ReportContent};
use serde_json::Value;

use crate::statements::{beijing, give_progress, plan_content, register, report_content};
use crate::{TestApp, both};

const DASHBOARD: &str = "/api/v1/dashboard?year=2017&month=6";
const JUNE: Month = Month {
    year: 2017,
    month: 6,
};

/// Three societies: the first two with an accepted plan and a June report (the second's
/// returned), the third with a plan submitted but not accepted and no report. The clock ends
/// on 10 August 2017 (June's report is due). Returns the codes and a reviewer's API token.
async fn setup(app: &TestApp) -> (Vec<String>, String) {
    let codes = register(app, 3).await;
    give_progress(app, &codes[..2]).await;
    submit_plan(app, &codes[2]).await;
    app.user("c-reviewer", Role::Reviewer, None).await;
    let token = app.token_for("c-reviewer").await;
    app.state.clock.set(beijing("2017-08-10 10:00:00"));
    // The token's first use is noted once (one statement more): done here, not measured.
    let me = app.get_with_token("/api/v1/me", &token).await;
    assert_eq!(me.status, http::StatusCode::OK);
    (codes, token)
}

/// Opens, fills and submits the society's reform plan (not reviewed).
async fn submit_plan(app: &TestApp, code: &str) {
    let state = &app.state;
    let catalogue = service::catalogues::of_year(state, 2017).await.unwrap();
    let s = societies::by_code(app.db(), code).await.unwrap().unwrap();
    let plan: reformwatch_core::plan::PlanContent = serde_json::from_value(plan_content()).unwrap();
    state.clock.set(beijing("2017-05-20 10:00:00"));
    service::plans::open(state, &Principal::System, &s, &catalogue, false)
        .await
        .unwrap();
    service::plans::save_draft(state, &Principal::System, &s, 2017, PlanBody::Reform(plan))
        .await
        .unwrap();
    service::plans::submit(state, &Principal::System, &s, &catalogue, PlanKind::Reform)
        .await
        .unwrap();
}

/// Accepts the society's submitted reform plan through `app`'s state.
async fn accept_plan(app: &TestApp, code: &str) {
    let s = societies::by_code(app.db(), code).await.unwrap().unwrap();
    service::plans::review(
        &app.state,
        &Principal::System,
        &s,
        2017,
        PlanKind::Reform,
        PlanDecision::Accept,
        "",
        &Default::default(),
    )
    .await
    .unwrap();
}

/// Submits the society's June report, reporting `members` individual members (task 2's target
/// is 11,500 by 30 June), through `app`'s state, at `app`'s clock.
async fn submit_june(app: &TestApp, code: &str, members: i64) {
    let state = &app.state;
    let catalogue = service::catalogues::of_year(state, 2017).await.unwrap();
    let s = societies::by_code(app.db(), code).await.unwrap().unwrap();
    let report: ReportContent = serde_json::from_value(report_content(members)).unwrap();
    service::reports::open(state, &Principal::System, &s, &catalogue, JUNE)
        .await
        .unwrap();
    service::reports::save_draft(state, &Principal::System, &s, JUNE, report)
        .await
        .unwrap();
    service::reports::submit(state, &Principal::System, &s, &catalogue, JUNE)
        .await
        .unwrap();
}

/// The June dashboard through the API on `app`, and the statements it cost there.
async fn dashboard(app: &TestApp, token: &str) -> (Value, u64) {
    let before = app.db().statements();
    let r = app.get_with_token(DASHBOARD, token).await;
    assert_eq!(r.status, http::StatusCode::OK, "{}", r.text());
    (r.json(), app.db().statements() - before)
}

fn row<'a>(d: &'a Value, code: &str) -> &'a Value {
    d["rows"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["code"] == code)
        .unwrap_or_else(|| panic!("{code} not on the dashboard: {d}"))
}

/// Task 2's cell (colour) of a row: the second task column.
fn task2(d: &Value, code: &str) -> String {
    row(d, code)["cells"][1][0].as_str().unwrap().to_string()
}

/// (a) With nothing changed the second dashboard comes from the cache: the same rows, eight
/// statements fewer (the progress load's plans, reports, linked facts and election flags, and
/// the month's societies, reports, reviews and evidence).
async fn a_second_dashboard_costs_less(app: TestApp) {
    let (codes, token) = setup(&app).await;
    let (first, cold) = dashboard(&app, &token).await;
    let (second, warm) = dashboard(&app, &token).await;
    assert_eq!(first, second);
    assert_eq!(first["rows"].as_array().unwrap().len(), 3, "{first}");
    // The rows are real: A-01-like first society reported 11,000 members in June, under the
    // 11,500 target due 30 June (task 2 red); the third has no accepted plan.
    assert_eq!(task2(&first, &codes[0]), "red", "{first}");
    assert_eq!(row(&first, &codes[2])["report_state"], "无通过的方案");
    // Cold: the token with its user (1), the catalogue's hash (1), the audit head (1), the
    // progress load (4: accepted plans, received reports, linked facts, election flags), the
    // month's societies, reports, reviews and evidence (4). Warm: the first three only.
    assert_eq!((cold, warm), (11, 3), "statements cold and warm");
    assert_eq!(
        app.state
            .snapshots
            .years::<reformwatch::service::progress::Progress>(),
        vec![2017]
    );
    // Forgetting the cache makes the next one cold again (the counts above are the cache's).
    app.state.snapshots.clear();
    let (third, again) = dashboard(&app, &token).await;
    assert_eq!((third, again), (first, cold));
}
both!(a_second_dashboard_costs_less);

/// (b) A report submitted through the service between two dashboards is on the second; without
/// the submission the second shows what the first did.
async fn a_report_submitted_between_two_dashboards_shows(app: TestApp) {
    let (codes, token) = setup(&app).await;
    accept_plan(&app, &codes[2]).await;
    let (before, _) = dashboard(&app, &token).await;
    // The third society has an accepted plan and no June report: missing, task 2 red (its
    // 11,500 target was due on 30 June and nothing was reported).
    assert_eq!(
        row(&before, &codes[2])["report_state"],
        "未提交",
        "{before}"
    );
    assert_eq!(task2(&before, &codes[2]), "red", "{before}");
    assert_eq!(before["received_rate"], "66.6%", "{before}");
    // Negative control: nothing submitted, the same answer (from the cache).
    let (unchanged, warm) = dashboard(&app, &token).await;
    assert_eq!(unchanged, before);
    assert_eq!(warm, 3);
    // 12,000 members reported (late, on 10 August): task 2's target is met.
    submit_june(&app, &codes[2], 12000).await;
    let (after, cost) = dashboard(&app, &token).await;
    assert_eq!(row(&after, &codes[2])["report_state"], "已提交", "{after}");
    assert_eq!(row(&after, &codes[2])["late"], true, "{after}");
    assert_eq!(task2(&after, &codes[2]), "green", "{after}");
    assert_eq!(after["received_rate"], "100%", "{after}");
    // The other societies are as they were.
    assert_eq!(row(&after, &codes[0]), row(&before, &codes[0]));
    assert_eq!(row(&after, &codes[1]), row(&before, &codes[1]));
    assert_eq!(
        cost, 11,
        "the audit head moved: the progress was loaded again"
    );
}
both!(a_report_submitted_between_two_dashboards_shows);

/// (c) Two processes on one database: B accepts a plan, then submits a report; A's next
/// dashboard shows each, although A's cache held the progress from before.
async fn another_process_writes_and_the_next_dashboard_shows_it(a: TestApp) {
    let (codes, token) = setup(&a).await;
    let b = a.sibling().await;
    b.state.clock.set(beijing("2017-08-10 10:00:00"));
    let (first, _) = dashboard(&a, &token).await;
    assert_eq!(row(&first, &codes[2])["report_state"], "无通过的方案");
    assert_eq!(first["received_rate"], "100%", "two of two: {first}");
    // Negative control: nothing written anywhere, A answers the same from its cache.
    let (same, warm) = dashboard(&a, &token).await;
    assert_eq!(same, first);
    assert_eq!(warm, 3);
    // B accepts the third society's plan: it is expected to report, and has not.
    accept_plan(&b, &codes[2]).await;
    let (accepted, cost) = dashboard(&a, &token).await;
    assert_eq!(
        row(&accepted, &codes[2])["report_state"],
        "未提交",
        "{accepted}"
    );
    assert_eq!(task2(&accepted, &codes[2]), "red", "{accepted}");
    assert_eq!(
        accepted["received_rate"], "66.6%",
        "two of three: {accepted}"
    );
    assert_eq!(cost, 11, "A loaded the progress again");
    // B submits its June report meeting the target.
    submit_june(&b, &codes[2], 12000).await;
    let (reported, _) = dashboard(&a, &token).await;
    assert_eq!(task2(&reported, &codes[2]), "green", "{reported}");
    assert_eq!(reported["received_rate"], "100%", "{reported}");
    // B's own cache was never filled by A's requests (each process keeps its own).
    assert!(
        b.state
            .snapshots
            .years::<reformwatch::service::progress::Progress>()
            .is_empty()
    );
}
both!(another_process_writes_and_the_next_dashboard_shows_it);

/// (d) Nothing written, only time passes: the colours kept are used until they may change,
/// then computed again. Task 2's target (11,500 members, due 30 June, 11,000 reported in June
/// but the report not yet in) is yellow on 29 June (due within 30 days) all day, and red from
/// 1 July (past due, not met), with no statement more than a warm dashboard.
async fn colours_follow_the_clock_with_nothing_written(app: TestApp) {
    let (codes, token) = setup(&app).await;
    app.state.clock.set(beijing("2017-06-29 10:00:00"));
    let (morning, _) = dashboard(&app, &token).await;
    assert_eq!(task2(&morning, &codes[0]), "yellow", "{morning}");
    assert_eq!(row(&morning, &codes[0])["colour"], "yellow", "{morning}");
    // Negative control: later the same day nothing has changed.
    app.state.clock.set(beijing("2017-06-29 23:59:00"));
    let (evening, warm) = dashboard(&app, &token).await;
    assert_eq!(evening, morning);
    assert_eq!(warm, 3);
    // The next days: the target is past due and not met.
    app.state.clock.set(beijing("2017-07-01 00:00:00"));
    let (after, warm) = dashboard(&app, &token).await;
    assert_eq!(task2(&after, &codes[0]), "red", "{after}");
    assert_eq!(row(&after, &codes[0])["colour"], "red", "{after}");
    assert_eq!(
        warm, 3,
        "only the colours were computed again, no data loaded"
    );
    // The clock set back (a test, a corrected system clock): judged at that instant again.
    app.state.clock.set(beijing("2017-06-29 12:00:00"));
    let (back, _) = dashboard(&app, &token).await;
    assert_eq!(task2(&back, &codes[0]), "yellow", "{back}");
}
both!(colours_follow_the_clock_with_nothing_written);

/// (e) The snapshots are versioned by the newest audited write that may change what they read
/// (`db::audit::moves_snapshots`), not by every audited write: a sign-in, a new API token and a
/// new user leave the next dashboard warm; a society deactivated in the registry makes it load
/// afresh, and its answer shows the change.
async fn only_writes_that_may_change_progress_empty_the_cache(app: TestApp) {
    let (codes, token) = setup(&app).await;
    let (first, _) = dashboard(&app, &token).await;
    let head_before = reformwatch::db::audit::head(app.db())
        .await
        .unwrap()
        .unwrap()
        .seq;
    // Audited, but touching nothing a snapshot reads.
    app.user("c-staff", Role::Reviewer, None).await;
    app.login("c-staff").await;
    app.token_for("c-staff").await;
    let head_after = reformwatch::db::audit::head(app.db())
        .await
        .unwrap()
        .unwrap()
        .seq;
    assert_eq!(head_after, head_before + 3, "each of the three was audited");
    let (same, warm) = dashboard(&app, &token).await;
    assert_eq!(same, first);
    assert_eq!(warm, 3, "answered from the snapshots");
    // A society deactivated in the registry: the next dashboard loads again and leaves it out.
    service::societies::set_active(&app.state, &Principal::System, &codes[0], false)
        .await
        .unwrap();
    let (after, cold) = dashboard(&app, &token).await;
    assert_eq!(cold, 11, "loaded afresh");
    let listed: Vec<&str> = after["rows"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["code"].as_str().unwrap())
        .collect();
    assert_eq!(
        listed,
        vec![codes[1].as_str(), codes[2].as_str()],
        "{after}"
    );
}
both!(only_writes_that_may_change_progress_empty_the_cache);

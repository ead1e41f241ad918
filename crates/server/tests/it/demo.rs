//! Issue 10, the demo that tells the 2017 story: the demo clock (only with `--demo`, shown in
//! the banner), and the seeded year: exact counts for the fixed seed, computed by hand from the
//! seeding table in `service::demo` (R-PLAN-1, R-PLAN-4, R-TRACK-2, R-TRACK-3), and a
//! dashboard with reds, yellows and greens.

use chrono::{DateTime, TimeZone, Utc};
use http::{Method, StatusCode};
use reformwatch::db::audit::Actor;
use serde_json::Value;
use sqlx::Row;

use crate::{TestApp, both};

fn demo_moment() -> DateTime<Utc> {
    // 2017-09-15 10:00 Beijing time.
    Utc.with_ymd_and_hms(2017, 9, 15, 2, 0, 0).unwrap()
}

/// `serve --clock` without `--demo` is refused with a clear error, by flag and by config
/// (environment); the server never runs on a shifted clock with real data.
#[test]
fn the_clock_is_refused_without_demo() {
    let dir = std::env::temp_dir().join(format!("rw-demo-clock-{}", std::process::id()));
    let dir = dir.to_string_lossy().to_string();
    let (code, _, err) = crate::rules::run_cli(
        &[
            "serve",
            "--data-dir",
            &dir,
            "--addr",
            "127.0.0.1:0",
            "--clock",
            "2017-07-20T10:00+08:00",
        ],
        "",
    );
    assert_eq!(code, 1, "{err}");
    assert!(err.contains("accepted only with --demo"), "{err}");
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_reformwatch"))
        .args(["serve", "--data-dir", &dir, "--addr", "127.0.0.1:0"])
        .env("REFORMWATCH_CLOCK", "2017-07-20T10:00+08:00")
        .env("RUST_LOG", "off")
        .output()
        .unwrap();
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{err}");
    assert!(err.contains("accepted only with --demo"), "{err}");
    // A moment without its offset is refused too, naming the expected form.
    let (code, _, err) = crate::rules::run_cli(
        &["demo", "--data-dir", &dir, "--clock", "2017-07-20 10:00"],
        "",
    );
    assert_eq!(code, 1, "{err}");
    assert!(err.contains("2017-07-20T10:00+08:00"), "{err}");
    let _ = std::fs::remove_dir_all(&dir);
}

/// The banner on every page says which moment the demo shows, in both languages.
async fn the_banner_shows_the_demo_date(app: TestApp) {
    // Without demonstration data: no banner.
    let page = app.get("/login").await.text();
    assert!(!page.contains("demo-banner"), "{page}");
    app.state.clock.set(demo_moment());
    reformwatch::demo::load(app.db(), &Actor::System, app.state.clock.now())
        .await
        .unwrap();
    let page = app.get("/login").await.text();
    assert!(
        page.contains("演示时间为 2017-09-15 10:00（北京时间）"),
        "{page}"
    );
    let r = app
        .request(
            Method::GET,
            "/rules/check",
            None,
            vec![],
            &[("accept-language", "en")],
        )
        .await;
    assert!(
        r.text()
            .contains("The demo shows 2017-09-15 10:00 (Beijing time)"),
        "{}",
        r.text()
    );
}
both!(the_banner_shows_the_demo_date);

async fn count(app: &TestApp, sql: &str) -> i64 {
    sqlx::query(sqlx::AssertSqlSafe(sql.to_string()))
        .fetch_one(&app.db().pool)
        .await
        .unwrap()
        .try_get::<i64, _>(0)
        .unwrap()
}

/// The seeded year for seed 2017 at 2017-09-15 10:00. Expected values from the seeding table
/// (`PLAN_STORIES`, `REPORT_STORIES`), by hand:
/// - plans: not started 8, draft 7, submitted 6 (on time) + 5 (late) = 11, returned 6,
///   resubmitted 5, accepted 140 + 12 + 20 = 172; first submissions after the deadline: 5
///   (submitted late) + 20 (accepted late) = 25.
/// - reports for June–August of the 172 accepted plans (516 due): missing 10 (August) + 4 × 2
///   (July, August) + 3 × 3 (never) = 27; late 20 (June) + 15 (August) = 35; on time the rest,
///   516 − 27 − 35 = 454.
/// - colours: red 10 + 4 + 3 (missing) + 8 (overdue) + 3 (blocked) = 28; yellow 15 (August
///   late) + 15 (due soon) = 30; green 93 + 20 + 1 = 114; grey 209 − 172 = 37.
/// - bulletins (R-PUB-1), each judged at its instant:
///   第1期 June, 17 July 10:00: June due; red 3 (never reported); yellow 20 (June late, in the
///   latest period, after 5 June's due instant) + 8 (task 3's target due 31 July, within 30
///   days) = 28; green 172 − 31 = 141. Reports 172 expected, 169 received, 149 on time.
///   Lagging (red, no target met): the 3, each 第1次.
///   第2期 July, 14 August 10:00: June and July due; red 3 + 4 (July missing) + 8 (task 3
///   overdue) = 15; yellow 20 (June's late arrivals are after 5 July, the start of the latest
///   period); green 172 − 35 = 137. Reports 344 expected, 344 − 6 − 4 = 334 received, 314 on
///   time. Lagging 15: 3 for the 第2次, 12 for the 第1次.
///   第3期 August, 14 September 10:00: as the dashboard (nothing changes colour between the
///   14th and the 15th): 28 / 30 / 114 / 37; 516 expected, 489 received, 454 on time.
///   Lagging 28: 第3次 3 (never reported), 第2次 4 + 8 = 12, 第1次 10 + 3 = 13.
async fn the_seeded_year(app: TestApp) {
    app.state.clock.set(demo_moment());
    reformwatch::demo::load(app.db(), &Actor::System, app.state.clock.now())
        .await
        .unwrap();
    let catalogue = reformwatch::service::catalogues::of_year(&app.state, 2017)
        .await
        .unwrap();
    let seeded = reformwatch::service::demo::seed(&app.state, &catalogue, 2017, demo_moment())
        .await
        .unwrap()
        .expect("seeded");
    assert_eq!(seeded.societies, 209);
    // The server's clock was not moved by seeding.
    let drift = (app.state.clock.now() - demo_moment()).num_seconds();
    assert!((0..120).contains(&drift), "{drift}");
    // Plans per state.
    let plans = "SELECT COUNT(*) FROM plans WHERE year = 2017 AND kind = 'reform'";
    assert_eq!(count(&app, plans).await, 209 - 8);
    for (state, n) in [
        ("draft", 7),
        ("submitted", 11),
        ("returned", 6),
        ("resubmitted", 5),
        ("accepted", 172),
    ] {
        let sql = format!("{plans} AND state = '{state}'");
        assert_eq!(count(&app, &sql).await, n, "{state}");
    }
    let late_plans = "SELECT COUNT(*) FROM plan_versions v JOIN plans p ON p.id = v.plan_id \
        WHERE p.kind = 'reform' AND v.version = 1 AND v.late_seconds IS NOT NULL";
    assert_eq!(count(&app, late_plans).await, 25);
    // A rectification plan, requested, submitted and accepted.
    assert_eq!(
        count(
            &app,
            "SELECT COUNT(*) FROM plans WHERE kind = 'rectification' AND state = 'accepted'"
        )
        .await,
        1
    );
    // Reports per lateness class (the first version is the arrival).
    let first = "SELECT COUNT(*) FROM report_versions v JOIN reports r ON r.id = v.report_id \
        WHERE r.year = 2017 AND v.version = 1";
    assert_eq!(count(&app, first).await, 516 - 27);
    assert_eq!(
        count(&app, &format!("{first} AND v.late_seconds IS NULL")).await,
        454
    );
    assert_eq!(
        count(&app, &format!("{first} AND v.late_seconds IS NOT NULL")).await,
        35
    );
    // No lateness above a year anywhere (the demo runs inside 2017).
    assert_eq!(
        count(
            &app,
            "SELECT COUNT(*) FROM report_versions WHERE late_seconds > 31536000"
        )
        .await
            + count(
                &app,
                "SELECT COUNT(*) FROM plan_versions WHERE late_seconds > 31536000"
            )
            .await,
        0
    );
    // June is locked with one exception; the society with it corrected June (version 2).
    assert_eq!(count(&app, "SELECT COUNT(*) FROM lock_exceptions").await, 1);
    assert_eq!(
        count(
            &app,
            "SELECT COUNT(*) FROM report_versions v JOIN reports r ON r.id = v.report_id \
             WHERE r.month = 6 AND v.version = 2"
        )
        .await,
        1
    );
    // Reports per state (issue 10, R-TRACK-1): June's reports of the 93 on-track societies
    // accepted 10–14 July and the lock-exception society's corrected June on 26 July (94);
    // every other report arrived and waits for a decision (489 − 94 = 395); none returned (the
    // one return was corrected), no draft left (every report opened was submitted).
    for (state, n) in [
        ("accepted", 94),
        ("submitted", 395),
        ("returned", 0),
        ("draft", 0),
    ] {
        let sql = format!("SELECT COUNT(*) FROM reports WHERE year = 2017 AND state = '{state}'");
        assert_eq!(count(&app, &sql).await, n, "{state}");
    }
    assert_eq!(
        count(
            &app,
            "SELECT COUNT(*) FROM report_reviews WHERE decision = 'accepted' AND version = 2"
        )
        .await,
        1,
        "the corrected June report is accepted as version 2"
    );
    // An accepted report counts as received everywhere: the rates agree: 516 expected, 489
    // received, 454 on time.
    let admin = app.admin_token().await;
    let rates = app
        .get_with_token("/api/v1/rates?year=2017", &admin)
        .await
        .json();
    assert_eq!(rates["total"]["expected"], 516, "{rates}");
    assert_eq!(rates["total"]["received"], 489, "{rates}");
    assert_eq!(rates["total"]["on_time"], 454, "{rates}");
    // The dashboard: reds, yellows and greens, counted by hand from the table.
    let r = app
        .get_with_token("/api/v1/dashboard?year=2017", &admin)
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text());
    let rows = r.json()["rows"].as_array().unwrap().clone();
    assert_eq!(rows.len(), 209);
    let colours = |c: &str| rows.iter().filter(|r| r["colour"] == c).count();
    assert_eq!(
        (
            colours("red"),
            colours("yellow"),
            colours("green"),
            colours("grey")
        ),
        (28, 30, 114, 37)
    );
    // The editor's society, 中国数学会: accepted, a target due soon (yellow).
    let a01 = rows.iter().find(|r| r["code"] == "A-01").unwrap();
    assert_eq!(a01["colour"], "yellow", "{a01}");
    // The page shows all three colours to a reviewer.
    app.user("t-reviewer", reformwatch::model::Role::Reviewer, None)
        .await;
    app.login("t-reviewer").await;
    let page = app.get("/dashboard?year=2017").await.text();
    for c in ["红色", "黄色", "绿色"] {
        assert!(page.contains(c), "{c}");
    }
    assert!(!page.contains("迟交 3"), "no lateness in years");
    let facts = app.get("/societies/A-01/facts?year=2017").await;
    assert_eq!(facts.status, StatusCode::OK);
    assert!(
        facts.text().contains("演示数据（非真实数据）"),
        "{}",
        facts.text()
    );
    // Facts for every society, marked as demonstration data.
    assert_eq!(
        count(
            &app,
            "SELECT COUNT(DISTINCT society_id) FROM fact_values WHERE source = 'demo'"
        )
        .await,
        209
    );
    // The editor has messages (plan accepted, a reviewer's comment).
    let editor = app.token_for("editor").await;
    let inbox: Value = app
        .get_with_token("/api/v1/notifications", &editor)
        .await
        .json();
    let kinds: Vec<&str> = inbox
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|n| n["kind"].as_str())
        .collect();
    assert!(kinds.contains(&"plan-accepted"), "{kinds:?}");
    assert!(kinds.contains(&"report-commented"), "{kinds:?}");
    // The bulletins, chained, in order, each with the colours counted by hand above.
    let list = app.get("/api/v1/bulletins").await.json();
    let list = list.as_array().unwrap().clone();
    assert_eq!(list.len(), 3, "{list:?}");
    let expect = [
        (
            6,
            "2017-07-17T02:00:00Z",
            (3, 28, 141, 37),
            (172, 169, 149),
            3,
            [3, 0, 0],
        ),
        (
            7,
            "2017-08-14T02:00:00Z",
            (15, 20, 137, 37),
            (344, 334, 314),
            15,
            [12, 3, 0],
        ),
        (
            8,
            "2017-09-14T02:00:00Z",
            (28, 30, 114, 37),
            (516, 489, 454),
            28,
            [13, 12, 3],
        ),
    ];
    let mut prev = Value::Null;
    for (i, (month, at, colours, reports, lagging, times)) in expect.into_iter().enumerate() {
        let h = &list[i];
        assert_eq!(h["number"], i + 1, "{h}");
        assert_eq!(
            (h["year"].clone(), h["month"].clone()),
            (2017.into(), month.into())
        );
        assert_eq!(h["published_at"], at, "{h}");
        assert_eq!(h["prev_sha256"], prev, "{h}");
        prev = h["sha256"].clone();
        let r = app.get(&format!("/api/v1/bulletins/{}", i + 1)).await;
        assert_eq!(r.status, StatusCode::OK);
        let b = r.json();
        let o = &b["overall"];
        assert_eq!(
            (
                o["colours"]["red"].as_u64().unwrap(),
                o["colours"]["yellow"].as_u64().unwrap(),
                o["colours"]["green"].as_u64().unwrap(),
                o["colours"]["grey"].as_u64().unwrap()
            ),
            colours,
            "bulletin {}",
            i + 1
        );
        assert_eq!(
            (
                o["reports"]["expected"].as_u64().unwrap(),
                o["reports"]["received"].as_u64().unwrap(),
                o["reports"]["on_time"].as_u64().unwrap()
            ),
            reports,
            "bulletin {}",
            i + 1
        );
        let listed = b["lagging"].as_array().unwrap();
        assert_eq!(listed.len(), lagging, "bulletin {}", i + 1);
        let appearances: Vec<usize> = (1..=3)
            .map(|k| listed.iter().filter(|l| l["appearance"] == k).count())
            .collect();
        assert_eq!(appearances, times, "bulletin {}", i + 1);
        // Each is compared with the one before (the change since the previous bulletin).
        let compared = if i == 0 { Value::Null } else { Value::from(i) };
        assert_eq!(b["compared_with"], compared, "bulletin {}", i + 1);
    }
    // The second bulletin shows changes: the 8 societies with task 3 overdue got worse.
    let b2 = app.get("/api/v1/bulletins/2").await.json();
    let worse = b2["societies"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|s| s["change"]["direction"] == "worse")
        .count();
    assert_eq!(worse, 8 + 4, "{}", b2["overall"]);
    let url = app.state.config.database_url();
    let data_dir = app.state.config.data_dir.to_str().unwrap().to_owned();
    let (code, out, err) = crate::rules::run_cli(
        &[
            "bulletin",
            "verify",
            "--database-url",
            &url,
            "--data-dir",
            &data_dir,
        ],
        "",
    );
    assert_eq!(code, 0, "{out}{err}");
    assert!(out.contains("3 bulletins"), "{out}");
    // Idempotent: a second seeding does nothing.
    let versions = count(&app, "SELECT COUNT(*) FROM report_versions").await;
    assert!(
        reformwatch::service::demo::seed(&app.state, &catalogue, 2017, demo_moment())
            .await
            .unwrap()
            .is_none()
    );
    assert_eq!(
        count(&app, "SELECT COUNT(*) FROM report_versions").await,
        versions
    );
}
both!(the_seeded_year);

/// Issue 12 (R-ASSESS-2, R-ASSESS-3): seeded past the year end (the year's browser journey
/// starts at 2018-01-10 10:00), the demo's exemplary societies (`service::demo::EXEMPLARY`)
/// reach the commendation threshold and share the pool (mode `pool` of the 2017 catalogue:
/// budget 20,000,000, floor 200,000, cap 1,000,000); the societies without a plan are
/// criticised. Figures checked by hand in the comments.
async fn the_year_end_has_commended_and_criticised_societies(app: TestApp) {
    // 2018-01-10 10:00 Beijing time.
    let moment = Utc.with_ymd_and_hms(2018, 1, 10, 2, 0, 0).unwrap();
    app.state.clock.set(moment);
    reformwatch::demo::load(app.db(), &Actor::System, moment)
        .await
        .unwrap();
    let catalogue = reformwatch::service::catalogues::of_year(&app.state, 2017)
        .await
        .unwrap();
    reformwatch::service::demo::seed(&app.state, &catalogue, 2017, moment)
        .await
        .unwrap()
        .expect("seeded");
    let year = reformwatch::service::assessment::assess(&app.state, 2017)
        .await
        .unwrap();
    let commended: Vec<(String, String, u64)> = year
        .societies
        .iter()
        .filter(|s| s.outcome.kind == reformwatch_core::assess::OutcomeKind::Commended)
        .map(|s| {
            (
                s.code.clone(),
                s.score().map(|x| x.to_string()).unwrap_or_default(),
                s.subsidy.map(|y| y.get()).unwrap_or_default(),
            )
        })
        .collect();
    // The reviewer's expert points are 205, 201 and 197 (service::demo::exemplary_scores) in
    // the seeded order B-45, D-24, A-08; the automatic leaves give each the same 715 (of
    // 785): 920, 916, 912, all at or above 850. The pool's exact shares (20,000,000 × score ÷
    // 2,748, about 6.7 million each) are above the cap, so each gets the cap and 17,000,000
    // stay unspent.
    assert_eq!(
        commended,
        vec![
            ("A-08".to_string(), "912".to_string(), 1_000_000),
            ("B-45".to_string(), "920".to_string(), 1_000_000),
            ("D-24".to_string(), "916".to_string(), 1_000_000),
        ]
    );
    assert_eq!(year.commended, 3);
    match &year.subsidy {
        reformwatch_core::assess::SubsidyOutcome::Allocated(a) => {
            assert_eq!(a.unspent.get(), 17_000_000);
        }
        other => panic!("no allocation: {other:?}"),
    }
    // Everybody else is criticised (no plan, or basic tasks not completed with the demo's
    // reports ending in August): 209 − 3 = 206, none merely completed.
    assert_eq!((year.criticised, year.completed), (206, 0));
}
both!(the_year_end_has_commended_and_criticised_societies);

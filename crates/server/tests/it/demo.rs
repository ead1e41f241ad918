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
    // The rates agree: 516 expected, 489 received, 454 on time.
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

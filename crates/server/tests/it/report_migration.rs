//! Migration 0011 (issue 10, R-TRACK-1): reports can be accepted, so `reports.state` and
//! `report_reviews.decision` allow `accepted`. On SQLite the two tables are rebuilt (SQLite's
//! 12-step procedure, foreign keys off during the migration). A database filled by migrations
//! 1–10 keeps every row of every table, the references between them, the immutability of
//! reviews, and foreign keys stay enforced afterwards.

use std::time::Duration;

use http::{Method, StatusCode};
use reformwatch::db::audit::Actor;
use reformwatch::db::documents::{self, Decision, NewReview};
use reformwatch::db::reports::{self as store, NewReport};
use reformwatch::db::{Backend as DbBackend, Db, migrations, societies};
use reformwatch_core::tracking::{Month, ReportContent};
use serde_json::json;
use sqlx::{AssertSqlSafe, Row};

use crate::{Backend, TestApp};

/// Every row of a query, each column as text (NULL as `∅`), in order.
async fn dump(db: &Db, sql: &str) -> Vec<Vec<String>> {
    let rows = sqlx::query(AssertSqlSafe(sql.to_string()))
        .fetch_all(&db.pool)
        .await
        .unwrap();
    rows.iter()
        .map(|r| {
            (0..r.len())
                .map(|i| {
                    if let Ok(v) = r.try_get::<Option<String>, _>(i) {
                        v.unwrap_or_else(|| "∅".into())
                    } else {
                        r.try_get::<Option<i64>, _>(i)
                            .unwrap()
                            .map(|n| n.to_string())
                            .unwrap_or_else(|| "∅".into())
                    }
                })
                .collect()
        })
        .collect()
}

/// Row counts of every table but the migrations' own.
async fn table_counts(db: &Db) -> Vec<(String, i64)> {
    let list = match db.backend {
        DbBackend::Sqlite => {
            "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' \
             AND name <> 'schema_migrations' ORDER BY name"
        }
        DbBackend::Postgres => {
            "SELECT table_name::text FROM information_schema.tables WHERE table_schema = 'public' \
             AND table_name <> 'schema_migrations' ORDER BY table_name"
        }
    };
    let mut out = Vec::new();
    for row in dump(db, list).await {
        let n: i64 = sqlx::query(AssertSqlSafe(format!("SELECT COUNT(*) FROM {}", row[0])))
            .fetch_one(&db.pool)
            .await
            .unwrap()
            .try_get(0)
            .unwrap();
        out.push((row[0].clone(), n));
    }
    out
}

const REPORTS: &str = "SELECT id, society_id, year, month, state, draft_json, plan_version, \
    created_at, updated_at FROM reports ORDER BY id";
const VERSIONS: &str = "SELECT id, report_id, version, content_json, submitted_at, submitted_by, \
    late_seconds FROM report_versions ORDER BY id";
const REVIEWS: &str = "SELECT id, report_id, version, reviewer, decision, comment, at FROM report_reviews ORDER BY id";

async fn report(db: &Db, society: i64, month: u32) -> store::Report {
    store::get(db, society, 2017, month).await.unwrap().unwrap()
}

/// A submission as release 0010 stored it: the next version and the state (this release's
/// `documents::submit` also writes the progress extract column of migration 0014, which a
/// 0010 database does not have).
async fn submit(db: &Db, society: i64, month: u32, late: Option<i64>) {
    let r = report(db, society, month).await;
    let now = reformwatch::db::ts(chrono::Utc::now());
    let mut tx = db.begin().await.unwrap();
    sqlx::query(
        "INSERT INTO report_versions (report_id, version, content_json, submitted_at, submitted_by, late_seconds) \
         VALUES ($1, $2, $3, $4, $5, $6)",
    )
    .bind(r.id)
    .bind(r.latest_version.unwrap_or(0) + 1)
    .bind(serde_json::to_string(&r.draft).unwrap())
    .bind(&now)
    .bind(Actor::System.label())
    .bind(late)
    .execute(&mut *tx)
    .await
    .unwrap();
    sqlx::query("UPDATE reports SET state = 'submitted', updated_at = $1 WHERE id = $2")
        .bind(&now)
        .bind(r.id)
        .execute(&mut *tx)
        .await
        .unwrap();
    tx.commit().await.unwrap();
}

async fn review(db: &Db, society: i64, month: u32, decision: Decision, to: &str, comment: &str) {
    let r = report(db, society, month).await;
    let mut tx = db.begin().await.unwrap();
    documents::review(
        db,
        &mut tx,
        &Actor::System,
        chrono::Utc::now(),
        &r,
        &NewReview {
            decision,
            version: r.latest_version.unwrap(),
            to,
            comment,
            task_comments: &Default::default(),
        },
    )
    .await
    .unwrap();
    tx.commit().await.unwrap();
}

async fn migration_keeps_every_report_row(backend: Backend) {
    let target = TestApp::empty_target(backend).await;
    let url = target.config.database_url.clone().unwrap();
    // A database as release 0010 left it.
    let db = Db::connect_until(&url, Duration::from_secs(10), 10)
        .await
        .unwrap();
    let applied = dump(&db, "SELECT MAX(version) FROM schema_migrations").await;
    assert_eq!(applied, vec![vec!["10".to_string()]]);
    // The rows below are written by today's code (see `lend_snapshot_columns`).
    crate::harness::lend_snapshot_columns(&db).await;
    // …where `accepted` is refused (negative control: the old constraint is really there).
    let rows = reformwatch::import::parse_societies(
        "s.csv",
        reformwatch::import::BUILTIN_SOCIETIES_CSV.as_bytes(),
    )
    .unwrap();
    societies::import(&db, &Actor::System, chrono::Utc::now(), &rows)
        .await
        .unwrap();
    let a01 = societies::by_code(&db, "A-01").await.unwrap().unwrap();
    let a02 = societies::by_code(&db, "A-02").await.unwrap().unwrap();
    // Reports in every state the old schema knows, with versions and every kind of review.
    for (s, month) in [(&a01, 6), (&a01, 7), (&a01, 8), (&a02, 6), (&a02, 7)] {
        let mut tx = db.begin().await.unwrap();
        store::create(
            &db,
            &mut tx,
            &Actor::System,
            chrono::Utc::now(),
            &NewReport {
                society_id: s.id,
                society_code: &s.code,
                month: Month { year: 2017, month },
                plan_version: 1,
                draft: &ReportContent {
                    narrative: format!("{} {month}月进展", s.code),
                    tasks: vec![],
                },
            },
        )
        .await
        .unwrap();
        tx.commit().await.unwrap();
    }
    // A-01 June: draft. July: submitted, commented. August: submitted late, returned,
    // submitted again. A-02 June: submitted, returned. July: submitted.
    submit(&db, a01.id, 7, None).await;
    review(&db, a01.id, 7, Decision::Comment, "submitted", "收到").await;
    submit(&db, a01.id, 8, Some(3600)).await;
    review(&db, a01.id, 8, Decision::Returned, "returned", "请补充").await;
    submit(&db, a01.id, 8, None).await;
    submit(&db, a02.id, 6, None).await;
    review(&db, a02.id, 6, Decision::Returned, "returned", "数据有误").await;
    submit(&db, a02.id, 7, None).await;
    let july = report(&db, a01.id, 7).await;
    let refused = sqlx::query("UPDATE reports SET state = 'accepted' WHERE id = $1")
        .bind(july.id)
        .execute(&db.pool)
        .await;
    assert!(refused.is_err(), "0010 must refuse 'accepted'");
    let before = (
        dump(&db, REPORTS).await,
        dump(&db, VERSIONS).await,
        dump(&db, REVIEWS).await,
        table_counts(&db).await,
    );
    // Hand-counted setup: 5 reports, 5 versions (A-01 July 1, August 2, A-02 June 1, July 1),
    // 3 reviews; states as written above.
    assert_eq!((before.0.len(), before.1.len(), before.2.len()), (5, 5, 3));
    let states: Vec<&str> = before.0.iter().map(|r| r[4].as_str()).collect();
    assert_eq!(
        states,
        ["draft", "submitted", "submitted", "returned", "submitted"]
    );

    crate::harness::take_back_snapshot_columns(&db).await;
    migrations::run(&db).await.unwrap();

    let applied = dump(&db, "SELECT MAX(version) FROM schema_migrations").await;
    let newest = reformwatch::db::migrations::MIGRATIONS
        .last()
        .map(|m| m.version.to_string())
        .unwrap();
    assert_eq!(applied, vec![vec![newest]]);
    let after = (
        dump(&db, REPORTS).await,
        dump(&db, VERSIONS).await,
        dump(&db, REVIEWS).await,
        table_counts(&db).await,
    );
    assert_eq!(before.0, after.0, "reports");
    assert_eq!(before.1, after.1, "report versions");
    assert_eq!(before.2, after.2, "report reviews");
    assert_eq!(before.3, after.3, "row counts of every table");
    // Foreign keys are on again on every pooled connection, and enforced.
    db.check_settings().await.unwrap();
    let orphan = sqlx::query(
        "INSERT INTO report_versions (report_id, version, content_json, submitted_at, submitted_by) \
         VALUES (999999, 1, '{}', '2017-07-01T00:00:00.000000Z', 'x')",
    )
    .execute(&db.pool)
    .await;
    assert!(orphan.is_err(), "a version of no report is refused");
    let orphan = sqlx::query(
        "INSERT INTO report_reviews (report_id, version, reviewer, decision, comment, at) \
         VALUES (999999, 1, 'x', 'accepted', '', '2017-07-01T00:00:00.000000Z')",
    )
    .execute(&db.pool)
    .await;
    assert!(orphan.is_err(), "a review of no report is refused");
    // The new values are allowed, others still refused; reviews are still immutable.
    assert!(
        sqlx::query("UPDATE reports SET state = 'bogus' WHERE id = $1")
            .bind(july.id)
            .execute(&db.pool)
            .await
            .is_err()
    );
    assert!(
        sqlx::query("UPDATE report_reviews SET comment = 'changed'")
            .execute(&db.pool)
            .await
            .is_err()
    );
    assert!(
        sqlx::query("DELETE FROM report_reviews")
            .execute(&db.pool)
            .await
            .is_err()
    );
    db.pool.close().await;

    // The application on the migrated database: the reviewer accepts A-01's July report.
    let app = TestApp::open_target(target).await;
    let admin = app.admin_token().await;
    let r = app
        .json(
            Method::POST,
            "/api/v1/societies/A-01/reports/2017/7/accept",
            &json!({"comment": "同意"}),
            Some(&admin),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text());
    assert_eq!(r.json()["report"]["state"], "accepted");
    assert_eq!(r.json()["reviews"][1]["decision"], "accepted");
    // A-01's August (submitted again after a return) keeps its two versions and its return.
    let r = app
        .get_with_token("/api/v1/societies/A-01/reports/2017/8", &admin)
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text());
    assert_eq!(r.json()["versions"].as_array().unwrap().len(), 2);
    assert_eq!(r.json()["versions"][0]["late_seconds"], 3600);
    assert_eq!(r.json()["reviews"][0]["decision"], "returned");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sqlite() {
    migration_keeps_every_report_row(Backend::Sqlite).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn postgres() {
    migration_keeps_every_report_row(Backend::Postgres).await;
}

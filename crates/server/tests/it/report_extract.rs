//! Issue 8 (R-TRACK-3): the compact progress extract beside each immutable version — written
//! in the same transaction as the version, back-filled once for versions stored before
//! migration 0014, write-once, and read by the dashboard instead of the whole content; a
//! version whose extract is missing or does not decode is an error naming the row.

use std::time::Duration;

use chrono::{DateTime, TimeZone, Utc};
use http::{Method, StatusCode};
use reformwatch::db::extracts::{self, Filled};
use reformwatch::db::{Backend as DbBackend, Db, migrations, societies};
use reformwatch::model::Role;
use serde_json::{Value, json};
use sqlx::{AssertSqlSafe, Row};

use crate::{Backend, TestApp, both};

fn beijing(s: &str) -> DateTime<Utc> {
    let naive = chrono::NaiveDateTime::parse_from_str(s, "%Y-%m-%d %H:%M:%S").unwrap();
    chrono_tz::Asia::Shanghai
        .from_local_datetime(&naive)
        .single()
        .unwrap()
        .with_timezone(&Utc)
}

async fn text(db: &Db, sql: &str) -> Option<String> {
    sqlx::query(AssertSqlSafe(sql.to_string()))
        .fetch_one(&db.pool)
        .await
        .unwrap()
        .try_get::<Option<String>, _>(0)
        .unwrap()
}

fn parsed(s: Option<String>) -> Value {
    serde_json::from_str(&s.expect("an extract is stored")).unwrap()
}

/// A plan of the seven mandatory tasks; task 2 with a members target due at the end of June.
fn plan_content() -> Value {
    let mut tasks: Vec<Value> = (1..=7)
        .map(|n| json!({"number": n, "responsible": [{"name": "张三", "position": "秘书长"}],
            "targets": [{"metric": "制度", "unit": "项", "baseline": 0, "target": 2, "due": "2017-12-31"}],
            "milestones": [{"date": "2017-09-30", "what": "中期检查"}], "notes": "备注"}))
        .collect();
    tasks[1]["targets"] = json!([{"metric": "个人会员", "unit": "人", "baseline": 10000, "target": 11500, "due": "2017-06-30", "fact": "members_now"}]);
    for n in [12, 13, 14, 15, 16] {
        tasks.push(json!({"number": n, "responsible": [{"name": "李四", "position": "副秘书长"}],
            "targets": [{"metric": "活动", "unit": "次", "baseline": 1, "target": 3, "due": "2017-12-31"}],
            "milestones": [{"date": "2017-10-31", "what": "完成一半"}]}));
    }
    json!({"summary": "总体思路", "tasks": tasks})
}

fn june(members: i64) -> Value {
    let mut tasks: Vec<Value> = (1..=7)
        .map(|n| json!({"number": n, "status": "in_progress", "progress": "按计划推进", "values": [{"target": 0, "value": 1}]}))
        .collect();
    tasks[1]["values"] = json!([{"target": 0, "value": members}]);
    tasks[2] = json!({"number": 3, "status": "blocked", "progress": "等待批复", "values": [], "milestones_reached": [0, 0], "blocked_reason": "换届未批"});
    for n in [12, 13, 14, 15, 16] {
        tasks.push(json!({"number": n, "status": "completed", "progress": "", "values": [{"target": 0, "value": null}], "blocked_reason": "不适用"}));
    }
    json!({"narrative": "6月进展", "tasks": tasks})
}

async fn a03_colour(app: &TestApp, token: &str) -> (StatusCode, Value) {
    let r = app
        .get_with_token("/api/v1/dashboard?year=2017&month=6", token)
        .await;
    let status = r.status;
    if status != StatusCode::OK {
        return (status, r.json());
    }
    let row = r.json()["rows"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["code"] == "A-03")
        .cloned()
        .unwrap();
    (status, row)
}

fn drop_once_trigger(backend: DbBackend) -> &'static str {
    match backend {
        DbBackend::Sqlite => "DROP TRIGGER report_versions_extract_once",
        DbBackend::Postgres => "DROP TRIGGER report_versions_extract_once ON report_versions",
    }
}

/// Submitting writes the extract with the version (exactly what colours read, no narrative or
/// progress text); the dashboard reads it; the extract cannot be changed; a damaged or missing
/// extract is an error naming the version, on the API and the page.
async fn the_extract_is_written_with_the_version_and_read_by_the_dashboard(app: TestApp) {
    app.registry().await;
    app.state.clock.set(beijing("2017-05-20 10:00:00"));
    let admin = app.admin_token().await;
    app.user("t-editor", Role::SocietyEditor, Some("A-03"))
        .await;
    app.user("t-reviewer", Role::Reviewer, None).await;
    let editor = app.token_for("t-editor").await;
    let reviewer = app.token_for("t-reviewer").await;
    let auth = |t: &str| format!("Bearer {t}");
    let plan = "/api/v1/societies/A-03/plans/2017";
    let r = app
        .json(Method::POST, plan, &json!({}), Some(&editor))
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.text());
    let r = app
        .json(
            Method::PUT,
            &format!("{plan}/draft"),
            &plan_content(),
            Some(&editor),
        )
        .await;
    assert_eq!(r.json()["submittable"], true, "{}", r.text());
    let r = app
        .request(
            Method::POST,
            &format!("{plan}/submit"),
            None,
            vec![],
            &[("authorization", &auth(&editor))],
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text());
    let r = app
        .json(
            Method::POST,
            &format!("{plan}/review"),
            &json!({"decision": "accept"}),
            Some(&reviewer),
        )
        .await;
    assert_eq!(r.json()["plan"]["state"], "accepted", "{}", r.text());
    // The plan version's progress part: tasks, targets and milestones; no summary, people or
    // notes.
    let part = parsed(text(app.db(), "SELECT progress_json FROM plan_versions").await);
    assert_eq!(part["summary"], "");
    assert_eq!(part["tasks"].as_array().unwrap().len(), 12);
    assert_eq!(part["tasks"][0]["responsible"], json!([]));
    assert_eq!(part["tasks"][0]["notes"], "");
    assert_eq!(
        part["tasks"][1]["targets"],
        json!([{"metric": "个人会员", "unit": "人", "baseline": 10000, "target": 11500, "due": "2017-06-30", "fact": "members_now"}])
    );
    assert_eq!(
        part["tasks"][0]["milestones"],
        json!([{"date": "2017-09-30", "what": "中期检查"}])
    );

    // June's report, submitted on time with 11,600 members (task 2's target met).
    let base = "/api/v1/societies/A-03/reports/2017/6";
    let r = app
        .json(Method::POST, base, &json!({}), Some(&editor))
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.text());
    let r = app
        .json(
            Method::PUT,
            &format!("{base}/draft"),
            &june(11600),
            Some(&editor),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text());
    app.state.clock.set(beijing("2017-07-05 10:00:00"));
    let r = app
        .request(
            Method::POST,
            &format!("{base}/submit"),
            None,
            vec![],
            &[("authorization", &auth(&editor))],
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text());
    let stored = text(app.db(), "SELECT progress_json FROM report_versions").await;
    let extract = parsed(stored.clone());
    assert_eq!(extract.as_object().unwrap().len(), 1, "{extract}");
    let tasks = extract["tasks"].as_array().unwrap();
    assert_eq!(tasks.len(), 12);
    assert_eq!(
        tasks[1],
        json!({"number": 2, "status": "in_progress", "values": [{"target": 0, "value": 11600}], "milestones_reached": []})
    );
    assert_eq!(
        tasks[2],
        json!({"number": 3, "status": "blocked", "values": [], "milestones_reached": [0], "blocked_reason": "换届未批"})
    );
    // A completed task keeps no reason and no unknown value.
    assert_eq!(
        tasks[7],
        json!({"number": 12, "status": "completed", "values": [], "milestones_reached": []})
    );
    let raw = stored.unwrap();
    for absent in [
        "6月进展",
        "按计划推进",
        "narrative",
        "\"progress\"",
        "不适用",
    ] {
        assert!(!raw.contains(absent), "{absent} in {raw}");
    }

    // The dashboard reads it: red for task 3 (blocked) alone; task 2's target (due by the end
    // of June) is met.
    let (status, row) = a03_colour(&app, &admin).await;
    assert_eq!(status, StatusCode::OK, "{row}");
    assert_eq!(row["colour"], "red", "{row}");
    let reasons = row["reasons"].as_str().unwrap().to_string();
    assert!(reasons.contains("红色任务：第 3 项。"), "{reasons}");

    // Immutable: neither the content nor the extract of a version can be changed.
    for sql in [
        "UPDATE report_versions SET progress_json = '{\"tasks\": []}'",
        "UPDATE report_versions SET content_json = '{}'",
        "UPDATE plan_versions SET progress_json = '{\"summary\": \"\", \"tasks\": []}'",
        "DELETE FROM report_versions",
    ] {
        assert!(
            sqlx::query(sql).execute(&app.db().pool).await.is_err(),
            "{sql} must be refused"
        );
    }

    // Damaged (the trigger dropped to plant it): an error naming the version, not an empty
    // report.
    sqlx::query(drop_once_trigger(app.db().backend))
        .execute(&app.db().pool)
        .await
        .unwrap();
    for damaged in [Some("{\"tasks\": \"none\"}"), Some("{}"), None] {
        sqlx::query("UPDATE report_versions SET progress_json = $1")
            .bind(damaged)
            .execute(&app.db().pool)
            .await
            .unwrap();
        // Planted behind the server's back (no audit entry, so the audit head the progress
        // cache is keyed by does not move): read afresh, as a restarted server would.
        app.state.snapshots.clear();
        let r = app
            .request(
                Method::GET,
                "/api/v1/dashboard?year=2017&month=6",
                None,
                vec![],
                &[("authorization", &auth(&admin)), ("accept-language", "en")],
            )
            .await;
        assert_eq!(
            r.status,
            StatusCode::INTERNAL_SERVER_ERROR,
            "{damaged:?}: {}",
            r.text()
        );
        let body = r.json();
        assert_eq!(body["errors"][0]["code"], "unreadable", "{body}");
        let message = body["errors"][0]["message"].as_str().unwrap();
        assert!(
            message.contains("version 1 of report A-03/2017-06"),
            "{damaged:?}: {message}"
        );
    }
    app.user("t-admin", Role::Admin, None).await;
    app.login("t-admin").await;
    app.state.snapshots.clear();
    let page = app.get("/dashboard?year=2017&month=6").await;
    assert_eq!(page.status, StatusCode::INTERNAL_SERVER_ERROR);
    assert!(
        page.text().contains("A-03 2017年6月月报的第 1 版"),
        "{}",
        page.text()
    );
    // Restored: readable again (the control).
    sqlx::query("UPDATE report_versions SET progress_json = $1")
        .bind(raw)
        .execute(&app.db().pool)
        .await
        .unwrap();
    app.state.snapshots.clear();
    let (status, row) = a03_colour(&app, &admin).await;
    assert_eq!(
        (status, &row["colour"]),
        (StatusCode::OK, &json!("red")),
        "{row}"
    );
}
both!(the_extract_is_written_with_the_version_and_read_by_the_dashboard);

const T: &str = "2017-07-03T01:00:00.000000Z";

/// Versions stored before migration 0014 get their extract once, when the server migrates:
/// exactly the extract of their content; a version whose content does not decode keeps none
/// (and reading it is an error naming it); running it again changes nothing.
async fn versions_before_0014_are_back_filled(backend: Backend) {
    let target = TestApp::empty_target(backend).await;
    let url = target.config.database_url.clone().unwrap();
    let db = Db::connect_until(&url, Duration::from_secs(10), 13)
        .await
        .unwrap();
    // The rows below are written by today's code (see `lend_snapshot_columns`).
    crate::harness::lend_snapshot_columns(&db).await;
    let rows = reformwatch::import::parse_societies(
        "s.csv",
        reformwatch::import::BUILTIN_SOCIETIES_CSV.as_bytes(),
    )
    .unwrap();
    societies::import(
        &db,
        &reformwatch::db::audit::Actor::System,
        Utc::now(),
        &rows,
    )
    .await
    .unwrap();
    let a01 = societies::by_code(&db, "A-01").await.unwrap().unwrap();
    let a02 = societies::by_code(&db, "A-02").await.unwrap().unwrap();
    let exec = |sql: String| {
        let db = db.clone();
        async move {
            sqlx::query(AssertSqlSafe(sql))
                .execute(&db.pool)
                .await
                .unwrap();
        }
    };
    // As release 0013 wrote them (no progress column yet): two accepted reform plans, a
    // rectification plan, A-01's June report (two versions) and A-02's June report whose only
    // version does not decode.
    let plan = plan_content().to_string();
    for (id, s) in [(1, a01.id), (2, a02.id)] {
        exec(format!(
            "INSERT INTO plans (id, society_id, year, kind, state, draft_json, accepted_version, created_at, updated_at) \
             VALUES ({id}, {s}, 2017, 'reform', 'accepted', '{plan}', 1, '{T}', '{T}')"
        ))
        .await;
        exec(format!(
            "INSERT INTO plan_versions (plan_id, version, content_json, submitted_at, submitted_by) \
             VALUES ({id}, 1, '{plan}', '{T}', 'x')"
        ))
        .await;
    }
    exec(format!(
        "INSERT INTO plans (id, society_id, year, kind, state, draft_json, created_at, updated_at) \
         VALUES (3, {}, 2017, 'rectification', 'submitted', '{{}}', '{T}', '{T}')",
        a01.id
    ))
    .await;
    exec(format!(
        "INSERT INTO plan_versions (plan_id, version, content_json, submitted_at, submitted_by) \
         VALUES (3, 1, '{{\"analysis\": \"原因\", \"problems\": [], \"measures\": []}}', '{T}', 'x')"
    ))
    .await;
    let first = json!({"narrative": "初稿", "tasks": [{"number": 3, "status": "blocked", "progress": "p", "values": [], "milestones_reached": [], "blocked_reason": "旧原因"}]});
    let second = june(11600).to_string();
    for (id, s, versions) in [
        (1, a01.id, vec![first.to_string(), second.clone()]),
        (2, a02.id, vec!["{\"tasks\": \"none\"}".to_string()]),
    ] {
        exec(format!(
            "INSERT INTO reports (id, society_id, year, month, state, draft_json, plan_version, created_at, updated_at) \
             VALUES ({id}, {s}, 2017, 6, 'submitted', '{{}}', 1, '{T}', '{T}')"
        ))
        .await;
        for (i, content) in versions.iter().enumerate() {
            exec(format!(
                "INSERT INTO report_versions (report_id, version, content_json, submitted_at, submitted_by) \
                 VALUES ({id}, {}, '{content}', '{T}', 'x')",
                i + 1
            ))
            .await;
        }
    }

    crate::harness::take_back_snapshot_columns(&db).await;
    migrations::run(&db).await.unwrap();

    let report = |id: i64, v: i64| {
        format!(
            "SELECT progress_json FROM report_versions WHERE report_id = {id} AND version = {v}"
        )
    };
    // Hand-written: what colours read of each version.
    assert_eq!(
        parsed(text(&db, &report(1, 1)).await),
        json!({"tasks": [{"number": 3, "status": "blocked", "values": [], "milestones_reached": [], "blocked_reason": "旧原因"}]})
    );
    let v2 = parsed(text(&db, &report(1, 2)).await);
    assert_eq!(v2["tasks"].as_array().unwrap().len(), 12);
    assert_eq!(
        v2["tasks"][1],
        json!({"number": 2, "status": "in_progress", "values": [{"target": 0, "value": 11600}], "milestones_reached": []})
    );
    assert_eq!(text(&db, &report(2, 1)).await, None, "undecodable: none");
    let part = parsed(
        text(
            &db,
            "SELECT progress_json FROM plan_versions WHERE plan_id = 1",
        )
        .await,
    );
    assert_eq!(part["summary"], "");
    assert_eq!(part["tasks"][0]["responsible"], json!([]));
    assert_eq!(part["tasks"][1]["targets"][0]["target"], 11500);
    assert!(
        text(
            &db,
            "SELECT progress_json FROM plan_versions WHERE plan_id = 2"
        )
        .await
        .is_some()
    );
    assert_eq!(
        text(
            &db,
            "SELECT progress_json FROM plan_versions WHERE plan_id = 3"
        )
        .await,
        None,
        "a rectification plan keeps none"
    );
    // Idempotent: nothing left to write; the undecodable version is found again.
    let before: Vec<Option<String>> = {
        let rows = sqlx::query("SELECT progress_json FROM report_versions ORDER BY id")
            .fetch_all(&db.pool)
            .await
            .unwrap();
        rows.iter().map(|r| r.try_get(0).unwrap()).collect()
    };
    assert_eq!(
        extracts::backfill(&db).await.unwrap(),
        Filled {
            reports: 0,
            plans: 0,
            unreadable: 1
        }
    );
    migrations::run(&db).await.unwrap();
    let after: Vec<Option<String>> = {
        let rows = sqlx::query("SELECT progress_json FROM report_versions ORDER BY id")
            .fetch_all(&db.pool)
            .await
            .unwrap();
        rows.iter().map(|r| r.try_get(0).unwrap()).collect()
    };
    assert_eq!(before, after);
    db.pool.close().await;

    // The server on the migrated database: A-01's colours read the back-filled extract of the
    // latest version (task 3 blocked for the newer reason, not the first version's); the
    // dashboard names A-02's unreadable version.
    let app = TestApp::open_target(target).await;
    app.state.clock.set(beijing("2017-07-05 10:00:00"));
    let admin = app.admin_token().await;
    let r = app
        .get_with_token("/api/v1/societies/A-01/colours?year=2017", &admin)
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text());
    let body = r.text();
    assert!(
        body.contains("task-blocked") && body.contains("换届未批"),
        "{body}"
    );
    assert!(!body.contains("旧原因"), "{body}");
    let r = app
        .request(
            Method::GET,
            "/api/v1/dashboard?year=2017&month=6",
            None,
            vec![],
            &[
                ("authorization", &format!("Bearer {admin}")),
                ("accept-language", "en"),
            ],
        )
        .await;
    assert_eq!(r.status, StatusCode::INTERNAL_SERVER_ERROR, "{}", r.text());
    let message = r.json()["errors"][0]["message"]
        .as_str()
        .unwrap()
        .to_string();
    assert!(
        message.contains("version 1 of report A-02/2017-06"),
        "{message}"
    );
}

mod back_fill {
    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn sqlite() {
        super::versions_before_0014_are_back_filled(crate::Backend::Sqlite).await;
    }
    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn postgres() {
        super::versions_before_0014_are_back_filled(crate::Backend::Postgres).await;
    }
}

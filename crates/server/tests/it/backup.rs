//! Issue 9 — backup and restore under write load (R-X-2, R-X-4): a backup taken while several
//! clients write facts, report drafts and evidence through the router restores into a fresh
//! place with the manifest's row counts, intact evidence checksums, a verifying audit trail that
//! is a prefix of the original's, every write acknowledged before the backup began, and pages
//! byte-identical to the original's at the backup's state. Damaged, partial and non-empty
//! targets are refused with the reason.

use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};

use http::{Method, StatusCode};
use reformwatch::backup;
use reformwatch::model::Role;
use serde_json::{Value, json};
use sha2::{Digest, Sha256};
use sqlx::Row;

use crate::{Backend, TestApp, both};

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
    json!({"summary": "", "tasks": tasks})
}

/// A CSV evidence file of about `kib` KiB whose content is unique to `seed`.
fn csv(seed: &str, kib: usize) -> Vec<u8> {
    let mut out = format!("批次,序号,值\n{seed},0,0\n").into_bytes();
    let mut i = 1;
    while out.len() < kib * 1024 {
        out.extend_from_slice(format!("{seed},{i},{}\n", i * 7919 % 10007).as_bytes());
        i += 1;
    }
    out
}

async fn upload(
    app: &TestApp,
    token: &str,
    code: &str,
    fields: &[(&str, &str)],
    body: &[u8],
) -> StatusCode {
    let boundary = "----rwbackupboundary";
    let mut form = Vec::new();
    for (k, v) in fields {
        form.extend_from_slice(
            format!("--{boundary}\r\nContent-Disposition: form-data; name=\"{k}\"\r\n\r\n{v}\r\n")
                .as_bytes(),
        );
    }
    form.extend_from_slice(
        format!("--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"证明.csv\"\r\n\r\n")
            .as_bytes(),
    );
    form.extend_from_slice(body);
    form.extend_from_slice(format!("\r\n--{boundary}--\r\n").as_bytes());
    let auth = format!("Bearer {token}");
    app.request(
        Method::POST,
        &format!("/api/v1/societies/{code}/evidence"),
        Some(&format!("multipart/form-data; boundary={boundary}")),
        form,
        &[("authorization", &auth)],
    )
    .await
    .status
}

async fn put_fact(
    app: &TestApp,
    token: &str,
    code: &str,
    as_of: &str,
    field: &str,
    value: i64,
) -> StatusCode {
    app.json(
        Method::PUT,
        &format!("/api/v1/societies/{code}/facts?year=2017"),
        &json!({"as_of": as_of, "values": {field: value}}),
        Some(token),
    )
    .await
    .status
}

struct Tokens {
    ed3: String,
    ed1: String,
    ed5: String,
}

/// Registry, an administrator for the pages, editors for, A-03's plan accepted,
/// data for A-05 (not written during the backup) and twenty evidence files for A-01.
async fn setup(app: &TestApp) -> Tokens {
    app.registry().await;
    app.user("b-admin", Role::Admin, None).await;
    app.user("b-ed3", Role::SocietyEditor, Some("A-03")).await;
    app.user("b-ed1", Role::SocietyEditor, Some("A-01")).await;
    app.user("b-ed5", Role::SocietyEditor, Some("A-05")).await;
    app.user("b-rev", Role::Reviewer, None).await;
    let t = Tokens {
        ed3: app.token_for("b-ed3").await,
        ed1: app.token_for("b-ed1").await,
        ed5: app.token_for("b-ed5").await,
    };
    let reviewer = app.token_for("b-rev").await;
    let base = "/api/v1/societies/A-03/plans/2017";
    let r = app.json(Method::POST, base, &json!({}), Some(&t.ed3)).await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.text());
    let r = app
        .json(
            Method::PUT,
            &format!("{base}/draft"),
            &plan_content(),
            Some(&t.ed3),
        )
        .await;
    assert_eq!(r.json()["submittable"], true, "{}", r.text());
    let r = app
        .json(
            Method::POST,
            &format!("{base}/submit"),
            &json!({}),
            Some(&t.ed3),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text());
    let r = app
        .json(
            Method::POST,
            &format!("{base}/review"),
            &json!({"decision": "accept"}),
            Some(&reviewer),
        )
        .await;
    assert_eq!(r.json()["plan"]["state"], "accepted", "{}", r.text());
    let r = app
        .json(
            Method::POST,
            "/api/v1/societies/A-03/reports/2017/6",
            &json!({}),
            Some(&t.ed3),
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.text());
    for (field, value) in [
        ("members_baseline", 20000),
        ("members_now", 23500),
        ("council_new", 150),
    ] {
        assert_eq!(
            put_fact(app, &t.ed5, "A-05", "2017-06-30", field, value).await,
            StatusCode::OK
        );
    }
    assert_eq!(
        upload(
            app,
            &t.ed5,
            "A-05",
            &[
                ("owner_type", "fact"),
                ("year", "2017"),
                ("field", "members_now")
            ],
            &csv("A-05", 4)
        )
        .await,
        StatusCode::CREATED
    );
    for i in 0..20 {
        assert_eq!(
            upload(
                app,
                &t.ed1,
                "A-01",
                &[
                    ("owner_type", "fact"),
                    ("year", "2017"),
                    ("field", "members_now")
                ],
                &csv(&format!("pre{i}"), 96)
            )
            .await,
            StatusCode::CREATED
        );
    }
    t
}

fn audit_table(page: &str) -> String {
    let start = page.find("<table id=\"audit\">").expect("audit table");
    let end = start + page[start..].find("</table>").expect("end of table");
    page[start..end].to_string()
}

fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for e in std::fs::read_dir(from).unwrap() {
        let e = e.unwrap();
        if e.file_type().unwrap().is_dir() {
            copy_dir(&e.path(), &to.join(e.file_name()));
        } else {
            std::fs::copy(e.path(), to.join(e.file_name())).unwrap();
        }
    }
}

fn scratch(name: &str, backend: Backend) -> PathBuf {
    let d = std::env::temp_dir().join(format!(
        "rw-backup-{name}-{backend:?}-{}-{}",
        std::process::id(),
        chrono::Utc::now().timestamp_nanos_opt().unwrap()
    ));
    let _ = std::fs::remove_dir_all(&d);
    d
}

async fn count(app: &TestApp, sql: &str) -> i64 {
    sqlx::query(sqlx::AssertSqlSafe(sql.to_string()))
        .fetch_one(&app.db().pool)
        .await
        .unwrap()
        .try_get::<i64, _>(0)
        .unwrap()
}

/// Every (seq, hash) of the trail, in order.
async fn chain(app: &TestApp) -> Vec<(i64, String)> {
    sqlx::query("SELECT seq, hash FROM audit_log ORDER BY seq")
        .fetch_all(&app.db().pool)
        .await
        .unwrap()
        .iter()
        .map(|r| (r.try_get(0).unwrap(), r.try_get(1).unwrap()))
        .collect()
}

/// The members_now values recorded for A-03 (the first writer's values).
async fn a03_members(app: &TestApp) -> Vec<i64> {
    sqlx::query(
        "SELECT f.value_json FROM fact_values f JOIN societies s ON s.id = f.society_id \
         WHERE s.code = 'A-03' AND f.field = 'members_now' ORDER BY f.id",
    )
    .fetch_all(&app.db().pool)
    .await
    .unwrap()
    .iter()
    .map(|r| r.try_get::<String, _>(0).unwrap().parse().unwrap())
    .collect()
}

async fn backup_under_load(app: TestApp) {
    let backend = app.backend;
    let t = setup(&app).await;
    let stop = AtomicBool::new(false);
    let acked = AtomicUsize::new(0);
    let a03_acked = AtomicUsize::new(0);
    let (progress_tx, mut progress_rx) = tokio::sync::watch::channel(0usize);
    // Counts acknowledged writes; returns this write's ordinal.
    let ack = || {
        let n = acked.fetch_add(1, Ordering::SeqCst) + 1;
        let _ = progress_tx.send(n);
        n
    };
    // Four clients. The first records which of its values were acknowledged, in order.
    let facts_a03 = async {
        let mut ok = Vec::new();
        let mut i = 0i64;
        while !stop.load(Ordering::SeqCst) {
            let value = 10_000 + i;
            let day = 1 + i % 28;
            let s = put_fact(
                &app,
                &t.ed3,
                "A-03",
                &format!("2017-06-{day:02}"),
                "members_now",
                value,
            )
            .await;
            assert_eq!(s, StatusCode::OK, "fact write {i}");
            ok.push((value, ack()));
            a03_acked.fetch_add(1, Ordering::SeqCst);
            i += 1;
        }
        ok
    };
    let facts_a01 = async {
        let mut i = 0i64;
        while !stop.load(Ordering::SeqCst) {
            assert_eq!(
                put_fact(&app, &t.ed1, "A-01", "2017-07-01", "fulltime_staff", i).await,
                StatusCode::OK
            );
            ack();
            i += 1;
        }
    };
    let report_drafts = async {
        let mut i = 0;
        while !stop.load(Ordering::SeqCst) {
            let r = app
                .get_with_token("/api/v1/societies/A-03/reports/2017/6", &t.ed3)
                .await;
            let mut draft = r.json()["report"]["draft"].clone();
            draft["narrative"] = json!(format!("第{i}次保存"));
            let r = app
                .json(
                    Method::PUT,
                    "/api/v1/societies/A-03/reports/2017/6/draft",
                    &draft,
                    Some(&t.ed3),
                )
                .await;
            assert_eq!(r.status, StatusCode::OK, "{}", r.text());
            ack();
            i += 1;
        }
    };
    let uploads = async {
        let mut i = 0;
        while !stop.load(Ordering::SeqCst) {
            let s = upload(
                &app,
                &t.ed3,
                "A-03",
                &[
                    ("owner_type", "report"),
                    ("year", "2017"),
                    ("month", "6"),
                    ("task", "1"),
                ],
                &csv(&format!("live{i}"), 48),
            )
            .await;
            assert_eq!(s, StatusCode::CREATED);
            ack();
            i += 1;
        }
    };
    let dir = scratch("b", backend);
    let taker = async {
        progress_rx
            .wait_for(|n| *n >= 12 && a03_acked.load(Ordering::SeqCst) >= 3)
            .await
            .unwrap();
        let at_start = acked.load(Ordering::SeqCst);
        let manifest = backup::backup(&app.state.config, &dir, &|_| {}).await;
        let at_end = acked.load(Ordering::SeqCst);
        stop.store(true, Ordering::SeqCst);
        (manifest, at_start, at_end)
    };
    let (a03, (), (), (), (manifest, at_start, at_end)) =
        tokio::join!(facts_a03, facts_a01, report_drafts, uploads, taker);
    let manifest = manifest.unwrap();
    assert!(
        at_end > at_start,
        "no write was acknowledged while the backup ran ({at_start} before, {at_end} after): the test did not test a backup under load"
    );
    let head = manifest.audit_head.clone().unwrap();

    // Restore into a fresh place.
    let target = TestApp::empty_target(backend).await;
    let report = backup::restore(&target.config, &dir, &|_| {})
        .await
        .unwrap();
    assert_eq!(report.audit_entries, head.seq);
    let restored = TestApp::open_target(target).await;

    // Row counts, counted here, equal the manifest's.
    for (table, n) in &manifest.tables {
        assert_eq!(
            count(
                &restored,
                &format!("SELECT CAST(COUNT(*) AS BIGINT) FROM {table}")
            )
            .await,
            *n,
            "rows of {table}"
        );
    }
    assert!(manifest.tables["fact_values"] > 0 && manifest.tables["evidence"] >= 21);
    // Every value the first client had acknowledged before the backup began is present, and
    // what is present is a prefix of its (sequential) writes.
    let present = a03_members(&restored).await;
    let before: Vec<i64> = a03
        .iter()
        .filter(|(_, n)| *n <= at_start)
        .map(|(v, _)| *v)
        .collect();
    assert!(!before.is_empty());
    assert_eq!(
        &present[..before.len()],
        &before[..],
        "acknowledged before the backup"
    );
    assert_eq!(
        present,
        a03.iter()
            .map(|(v, _)| *v)
            .take(present.len())
            .collect::<Vec<_>>()
    );

    // Evidence: every object the restored database names is there with its checksum.
    let objects = sqlx::query("SELECT sha256, size FROM evidence_objects")
        .fetch_all(&restored.db().pool)
        .await
        .unwrap();
    assert_eq!(objects.len() as i64, manifest.tables["evidence_objects"]);
    for o in &objects {
        let sha: String = o.try_get(0).unwrap();
        let size: i64 = o.try_get(1).unwrap();
        let path = restored
            .state
            .config
            .evidence_dir()
            .join("objects")
            .join(&sha[..2])
            .join(&sha[2..]);
        let bytes = std::fs::read(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
        assert_eq!(bytes.len() as i64, size);
        assert_eq!(hex::encode(Sha256::digest(&bytes)), sha);
    }

    // The audit trail verifies and is exactly the original's up to the backup's head.
    assert_eq!(
        reformwatch::db::audit::verify(restored.db()).await.unwrap(),
        Ok(head.seq)
    );
    let original_chain = chain(&app).await;
    let restored_chain = chain(&restored).await;
    assert_eq!(
        restored_chain.last().unwrap(),
        &(head.seq, head.hash.clone())
    );
    assert_eq!(&original_chain[..restored_chain.len()], &restored_chain[..]);
    assert!(
        original_chain.len() > restored_chain.len(),
        "writes went on after the backup"
    );

    // Pages an administrator reads are byte-identical at the backup's state.
    app.login("b-admin").await;
    restored.login("b-admin").await;
    for page in [
        "/societies/A-05".to_string(),
        "/societies/A-05/facts?year=2017".to_string(),
        "/catalogues/2017".to_string(),
        // The audit page pages from the newest entry (the shared pager, issue 10), so the
        // original's first page shows the writes after the backup; the trail itself is
        // compared entry by entry above (`chain`).
    ] {
        let a = app.get(&page).await;
        let b = restored.get(&page).await;
        assert_eq!(a.status, StatusCode::OK, "{page}");
        assert_eq!(b.status, StatusCode::OK, "{page}");
        let (a, b) = if page.starts_with("/admin/audit") {
            // The lead line counts the whole (longer) original trail; the table of entries up
            // to the head must be identical.
            (audit_table(&a.text()), audit_table(&b.text()))
        } else {
            (a.text(), b.text())
        };
        assert!(a.contains("A-05") || page.contains("catalogues") || page.starts_with("/admin"));
        if let Some((n, (x, y))) = a
            .lines()
            .zip(b.lines())
            .enumerate()
            .find(|(_, (x, y))| x != y)
        {
            panic!(
                "{page} differs at line {}:\n  original: {x}\n  restored: {y}",
                n + 1
            );
        }
        assert_eq!(a, b, "{page}");
    }
    // The restored system takes writes and serves the evidence.
    assert_eq!(
        put_fact(&restored, &t.ed5, "A-05", "2017-07-01", "council_new", 149).await,
        StatusCode::OK
    );
    let e = restored.get_with_token("/api/v1/evidence/1", &t.ed5).await;
    assert_eq!(e.status, StatusCode::OK);

    // Refused: a non-empty target, a damaged backup (target left empty), a partial backup.
    let again = backup::restore(&restored.state.config, &dir, &|_| {})
        .await
        .unwrap_err()
        .to_string();
    assert!(again.contains("refusing to restore"), "{again}");
    let damaged = scratch("damaged", backend);
    copy_dir(&dir, &damaged);
    let victim = manifest
        .files
        .iter()
        .find(|f| f.path.starts_with("evidence/"))
        .unwrap();
    let mut bytes = std::fs::read(damaged.join(&victim.path)).unwrap();
    bytes[10] ^= 0x01;
    std::fs::write(damaged.join(&victim.path), bytes).unwrap();
    let target = TestApp::empty_target(backend).await;
    let err = backup::restore(&target.config, &damaged, &|_| {})
        .await
        .unwrap_err()
        .to_string();
    assert!(err.contains(&format!("{}: damaged", victim.path)), "{err}");
    assert!(
        !target.config.data_dir.exists(),
        "nothing written before the checksums pass"
    );
    std::fs::remove_file(damaged.join(backup::MANIFEST)).unwrap();
    let err = backup::restore(&target.config, &damaged, &|_| {})
        .await
        .unwrap_err()
        .to_string();
    assert!(err.contains("not a complete backup"), "{err}");
    let empty = TestApp::open_target(target).await;
    assert_eq!(
        count(&empty, "SELECT CAST(COUNT(*) AS BIGINT) FROM societies").await,
        0
    );
    // A backup needs a new directory.
    let err = backup::backup(&app.state.config, &dir, &|_| {})
        .await
        .unwrap_err()
        .to_string();
    assert!(err.contains("is not empty"), "{err}");
    let _ = std::fs::remove_dir_all(&dir);
    let _ = std::fs::remove_dir_all(&damaged);
}
both!(backup_under_load);

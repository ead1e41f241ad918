//! R-X-2: every state change writes an audit entry in the same transaction; the chain detects
//! edits, deletions and reordering; the database refuses updates and deletes.

use http::{Method, StatusCode};
use reformwatch::db::audit::{self, AuditFilter, Broken};
use reformwatch::model::Role;
use serde_json::json;

use crate::{Backend, TestApp, both};

async fn changes_are_audited_with_before_and_after(app: TestApp) {
    app.registry().await;
    let token = app.admin_token().await;
    let r = app.json(Method::PUT, "/api/v1/societies/A-03", &json!({"name": "中国力学学会", "short_name": "力学会", "supporting_unit": "中国科学院力学研究所"}), Some(&token)).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text());
    let entries = audit::list(
        app.db(),
        &AuditFilter {
            object_id: Some("A-03".into()),
            action: Some("society.update".into()),
            ..Default::default()
        },
    )
    .await
    .unwrap();
    assert_eq!(entries.len(), 1);
    let e = &entries[0];
    assert_eq!(e.actor, "user:tokenadmin");
    assert_eq!(e.before.as_ref().unwrap()["short_name"], "");
    assert_eq!(e.after.as_ref().unwrap()["short_name"], "力学会");
    assert!(audit::verify(app.db()).await.unwrap().is_ok());
}
both!(changes_are_audited_with_before_and_after);

async fn a_failed_change_leaves_no_entry_and_no_change(app: TestApp) {
    app.registry().await;
    let token = app.admin_token().await;
    let before = audit::list(app.db(), &AuditFilter::default())
        .await
        .unwrap()
        .len();
    // Duplicate name: refused with a field error; nothing stored, nothing audited.
    let r = app
        .json(
            Method::POST,
            "/api/v1/societies",
            &json!({"code": "A-99", "name": "中国力学学会"}),
            Some(&token),
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.text());
    assert_eq!(r.json()["errors"][0]["field"], "name");
    assert!(
        reformwatch::db::societies::by_code(app.db(), "A-99")
            .await
            .unwrap()
            .is_none()
    );
    assert_eq!(
        audit::list(app.db(), &AuditFilter::default())
            .await
            .unwrap()
            .len(),
        before
    );
}
both!(a_failed_change_leaves_no_entry_and_no_change);

async fn the_database_refuses_to_change_entries(app: TestApp) {
    app.registry().await;
    let upd = sqlx::query("UPDATE audit_log SET actor = 'mallory' WHERE seq = 1")
        .execute(&app.db().pool)
        .await;
    assert!(upd.is_err(), "update must be refused");
    let del = sqlx::query("DELETE FROM audit_log WHERE seq = 1")
        .execute(&app.db().pool)
        .await;
    assert!(del.is_err(), "delete must be refused");
    if app.backend == Backend::Postgres {
        assert!(
            sqlx::query("TRUNCATE audit_log")
                .execute(&app.db().pool)
                .await
                .is_err()
        );
    }
    assert!(audit::verify(app.db()).await.unwrap().is_ok());
}
both!(the_database_refuses_to_change_entries);

/// Tampering by someone who bypasses the triggers is found and named.
async fn verify_names_the_first_broken_entry(app: TestApp) {
    app.registry().await; // 209 society.create entries
    let pool = &app.db().pool;
    let disable = |sql_sqlite: &'static str, sql_pg: &'static str| {
        if app.backend == Backend::Sqlite {
            sql_sqlite
        } else {
            sql_pg
        }
    };
    // Drop the protection, as an attacker with database access would.
    for sql in [
        disable(
            "DROP TRIGGER audit_log_no_update",
            "DROP TRIGGER audit_log_no_update ON audit_log",
        ),
        disable("DROP TRIGGER audit_log_no_delete", "SELECT 1"),
    ] {
        sqlx::query(sql).execute(pool).await.unwrap();
    }
    sqlx::query("UPDATE audit_log SET after_json = '{\"name\":\"forged\"}' WHERE seq = 7")
        .execute(pool)
        .await
        .unwrap();
    assert_eq!(
        audit::verify(app.db()).await.unwrap(),
        Err(Broken::Edited { seq: 7 })
    );
    // Deleting an entry leaves a gap.
    sqlx::query("DELETE FROM audit_log WHERE seq = 7")
        .execute(pool)
        .await
        .unwrap();
    assert_eq!(
        audit::verify(app.db()).await.unwrap(),
        Err(Broken::Missing {
            expected_seq: 7,
            found_seq: 8
        })
    );
    // Swap two entries' positions (reorder): 8 now holds 9's content.
    sqlx::query("UPDATE audit_log SET seq = 7 WHERE seq = 9")
        .execute(pool)
        .await
        .unwrap();
    assert_eq!(
        audit::verify(app.db()).await.unwrap(),
        Err(Broken::Edited { seq: 7 })
    );
    // The CLI-facing message names the entry.
    assert!(
        Broken::Missing {
            expected_seq: 7,
            found_seq: 8
        }
        .to_string()
        .contains("entry 7")
    );
}
both!(verify_names_the_first_broken_entry);

async fn admins_browse_and_filter_the_trail(app: TestApp) {
    app.registry().await;
    app.user("audi", Role::Admin, None).await;
    app.login("audi").await;
    let html = app
        .get("/admin/audit?object_type=society&object_id=A-03")
        .await
        .text();
    // The action in words (issue 10), the object type too; the code only as a filter choice.
    assert!(html.contains("<td>新建学会</td>"), "{html}");
    // The society by its name, not its code (issue 10).
    assert!(html.contains("<td>学会 · 中国力学学会</td>"), "{html}");
    assert!(!html.contains("A-03</td>"), "{html}");
    assert!(!html.contains("<td><code>society.create</code></td>"));
    assert!(html.contains("哈希链校验通过"));
    let r = app.get("/api/v1/audit?action=session.login").await;
    assert_eq!(r.status, StatusCode::OK);
    let entries = r.json();
    assert_eq!(entries.as_array().unwrap().len(), 1);
    assert_eq!(entries[0]["actor"], "user:audi");
    // Paging: 100 per page, older entries by before_seq.
    let first = app.get("/api/v1/audit").await.json();
    assert_eq!(first.as_array().unwrap().len(), 100);
    let last_seq = first[99]["seq"].as_i64().unwrap();
    let next = app
        .get(&format!("/api/v1/audit?before_seq={last_seq}"))
        .await
        .json();
    assert_eq!(next[0]["seq"].as_i64().unwrap(), last_seq - 1);
}
both!(admins_browse_and_filter_the_trail);

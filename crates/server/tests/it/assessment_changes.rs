//! Issue 12, the year end to end: the assessment pages are reachable from the menu for the
//! roles that use them; an administrator removes a reviewer's assignment that was not
//! submitted (a submitted one is refused at its row, the scores count) and a deduction or
//! bonus is withdrawn with its reason — kept in the database, no longer counted — through the
//! pages and the API, each audited, each refused form answering at its field.

use http::Method;
use reformwatch::db::assessment as store;
use reformwatch::model::Role;
use serde_json::{Value, json};
use sqlx::Row;

use crate::assessment_inputs::{all_expert, beijing, give_plan, register, society};
use crate::{TestApp, both};

/// The `href`s of the page's wide menu.
fn menu(page: &str) -> Vec<String> {
    let Some(start) = page.find("<nav class=\"nav-wide\"") else {
        return vec![];
    };
    let nav = &page[start..];
    let nav = &nav[..nav.find("</nav>").unwrap()];
    nav.split("href=\"")
        .skip(1)
        .map(|s| s[..s.find('"').unwrap()].to_owned())
        .collect()
}

async fn audit(app: &TestApp, action: &str) -> Vec<(String, String)> {
    sqlx::query(
        "SELECT actor, COALESCE(after_json, '') FROM audit_log WHERE action = $1 ORDER BY seq",
    )
    .bind(action)
    .fetch_all(&app.db().pool)
    .await
    .unwrap()
    .iter()
    .map(|r| (r.get::<String, _>(0), r.get::<String, _>(1)))
    .collect()
}

async fn menus_and_links(app: TestApp) {
    let codes = register(&app, 1).await;
    let a = codes[0].clone();
    app.user("n-admin", Role::Admin, None).await;
    app.user("n-rev", Role::Reviewer, None).await;
    app.user("n-ed", Role::SocietyEditor, Some(&a)).await;
    app.user("n-view", Role::SocietyViewer, Some(&a)).await;
    for (who, want, not) in [
        ("n-admin", "/admin/assessment/2017".to_owned(), None),
        ("n-rev", "/admin/assessment/2017".to_owned(), None),
        (
            "n-ed",
            format!("/societies/{a}/assessment/2017"),
            Some("/admin/assessment/2017"),
        ),
        (
            "n-view",
            format!("/societies/{a}/assessment/2017"),
            Some("/admin/assessment/2017"),
        ),
    ] {
        app.login(who).await;
        let page = app.get("/inbox").await;
        assert_eq!(page.status, 200);
        let links = menu(&page.text());
        assert!(links.contains(&want), "{who}: {links:?}");
        if let Some(not) = not {
            assert!(!links.iter().any(|l| l == not), "{who}: {links:?}");
        }
        // The link leads somewhere real.
        assert_eq!(app.get(&want).await.status, 200, "{who} {want}");
        app.forget_cookies();
    }
    // The results page leads to the finalisation page (staff) and, for administrators, to the
    // reviewer assignment; the finalisation page back to both.
    app.login("n-rev").await;
    let results = app.get("/admin/assessment/2017").await.text();
    assert!(
        results.contains("href=\"/admin/assessment/2017/final\""),
        "{results}"
    );
    assert!(!results.contains("href=\"/admin/assessment/2017/reviewers\""));
    app.login("n-admin").await;
    let results = app.get("/admin/assessment/2017").await.text();
    assert!(results.contains("href=\"/admin/assessment/2017/reviewers\""));
    let fin = app.get("/admin/assessment/2017/final").await.text();
    assert!(fin.contains("href=\"/admin/assessment/2017\""), "{fin}");
    assert!(
        fin.contains("href=\"/admin/assessment/2017/reviewers\""),
        "{fin}"
    );
    // Unchanged for the anonymous public: no assessment entry in their menu.
    app.forget_cookies();
    let public = app.get("/monitor").await.text();
    assert!(
        !menu(&public).iter().any(|l| l.contains("assessment")),
        "{:?}",
        menu(&public)
    );
}
both!(menus_and_links);

async fn unassign_a_reviewer(app: TestApp) {
    let codes = register(&app, 2).await;
    let (a, b) = (codes[0].clone(), codes[1].clone());
    give_plan(&app, &a, "2017-05-20 10:00:00", true).await;
    app.state.clock.set(beijing("2017-12-20 10:00:00"));
    app.user("u-admin", Role::Admin, None).await;
    app.user("u-rev-a", Role::Reviewer, None).await;
    app.user("u-rev-b", Role::Reviewer, None).await;
    let admin = app.token_for("u-admin").await;
    let (ta, tb) = (
        app.token_for("u-rev-a").await,
        app.token_for("u-rev-b").await,
    );
    let base = format!("/api/v1/societies/{a}/assessment/2017");
    let r = app
        .json(
            Method::POST,
            "/api/v1/assessment/2017/reviewers",
            &json!({"assignments": [{"society": a, "reviewer": "u-rev-a"}, {"society": a, "reviewer": "u-rev-b"}]}),
            Some(&admin),
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.text());
    // u-rev-a saves a draft; u-rev-b submits.
    let r = app
        .json(
            Method::PUT,
            &format!("{base}/scores"),
            &json!({"scores": all_expert("6", "草稿")}),
            Some(&ta),
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.text());
    let r = app
        .json(
            Method::PUT,
            &format!("{base}/scores"),
            &json!({"scores": all_expert("8", "乙评语"), "submit": true}),
            Some(&tb),
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.text());

    // The page lists a "remove" button for the draft only.
    app.login("u-admin").await;
    let page = app.get("/admin/assessment/2017/reviewers").await.text();
    assert!(
        page.contains(&format!("id=\"unassign-{a}-u-rev-a\"")),
        "{page}"
    );
    assert!(
        !page.contains(&format!("id=\"unassign-{a}-u-rev-b\"")),
        "{page}"
    );
    // Removing the submitted reviewer is refused at that row; the assignment stays.
    let r = app
        .post_form(
            "/admin/assessment/2017/reviewers/unassign",
            &[("society", &a), ("reviewer", "u-rev-b")],
        )
        .await;
    assert_eq!(r.status, 422, "{}", r.text());
    let page = r.text();
    let at = page
        .find(&format!("id=\"err-unassign-{a}-u-rev-b\""))
        .unwrap_or_else(|| panic!("no message at the row: {page}"));
    assert!(page[at..].contains("已提交"), "{page}");
    // Nobody assigned: refused above the table, naming the reviewer.
    let r = app
        .post_form(
            "/admin/assessment/2017/reviewers/unassign",
            &[("society", &b), ("reviewer", "u-rev-a")],
        )
        .await;
    assert_eq!(r.status, 422);
    assert!(r.text().contains("id=\"err-unassign\""), "{}", r.text());
    assert!(r.text().contains("没有被分配"), "{}", r.text());
    // The draft reviewer is removed, with their draft scores.
    let s = society(&app, &a).await;
    let before = store::scores_of_society(app.db(), 2017, s.id)
        .await
        .unwrap();
    assert_eq!(before.len(), 14, "7 drafts + 7 submitted");
    let r = app
        .post_form(
            "/admin/assessment/2017/reviewers/unassign",
            &[("society", &a), ("reviewer", "u-rev-a")],
        )
        .await;
    assert_eq!(r.status, 303, "{}", r.text());
    let after = store::scores_of_society(app.db(), 2017, s.id)
        .await
        .unwrap();
    assert_eq!(after.len(), 7);
    assert!(after.iter().all(|x| x.comment == "乙评语"));
    let board = app
        .get_with_token("/api/v1/assessment/2017/reviewers", &admin)
        .await
        .json();
    assert_eq!(
        board["assignments"],
        json!([{"society": a, "reviewer": "u-rev-b", "reviewer_name": "u-rev-b", "submitted": true}]),
        "{board}"
    );
    let entries = audit(&app, "assessment.unassign").await;
    assert_eq!(entries.len(), 1, "{entries:?}");
    assert_eq!(entries[0].0, "user:u-admin");
    // u-rev-a can no longer score it.
    let r = app
        .json(
            Method::PUT,
            &format!("{base}/scores"),
            &json!({"scores": all_expert("6", "x")}),
            Some(&ta),
        )
        .await;
    assert_eq!(r.status, 403);

    // The API: empty → both fields; again → "not assigned"; a reviewer may not.
    let r = app
        .json(
            Method::POST,
            "/api/v1/assessment/2017/reviewers/unassign",
            &json!({}),
            Some(&admin),
        )
        .await;
    assert_eq!(r.status, 422);
    let body = r.json();
    let fields: Vec<&str> = body["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["field"].as_str().unwrap())
        .collect();
    assert_eq!(fields, ["society", "reviewer"], "{}", r.text());
    let r = app
        .json(
            Method::POST,
            "/api/v1/assessment/2017/reviewers/unassign",
            &json!({"society": a, "reviewer": "u-rev-a"}),
            Some(&admin),
        )
        .await;
    assert_eq!(r.status, 422);
    assert_eq!(r.json()["errors"][0]["field"], "reviewer");
    let r = app
        .json(
            Method::POST,
            "/api/v1/assessment/2017/reviewers/unassign",
            &json!({"society": a, "reviewer": "u-rev-b"}),
            Some(&tb),
        )
        .await;
    assert_eq!(r.status, 403);
    // Assigned again through the API, removed through the API.
    let r = app
        .json(
            Method::POST,
            "/api/v1/assessment/2017/reviewers",
            &json!({"assignments": [{"society": b, "reviewer": "u-rev-a"}]}),
            Some(&admin),
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.text());
    let r = app
        .json(
            Method::POST,
            "/api/v1/assessment/2017/reviewers/unassign",
            &json!({"society": b, "reviewer": "u-rev-a"}),
            Some(&admin),
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.text());
    assert_eq!(
        r.json()["assignments"].as_array().unwrap().len(),
        1,
        "{}",
        r.text()
    );
    assert_eq!(audit(&app, "assessment.unassign").await.len(), 2);
}
both!(unassign_a_reviewer);

fn bonus_of(v: &Value) -> String {
    v["result"]["card"]["bonus"]
        .as_str()
        .unwrap_or("?")
        .to_owned()
}

async fn withdraw_an_adjustment(app: TestApp) {
    let codes = register(&app, 1).await;
    let a = codes[0].clone();
    give_plan(&app, &a, "2017-05-20 10:00:00", true).await;
    app.state.clock.set(beijing("2017-12-20 10:00:00"));
    app.user("w-admin", Role::Admin, None).await;
    app.user("w-rev", Role::Reviewer, None).await;
    let admin = app.token_for("w-admin").await;
    let rev = app.token_for("w-rev").await;
    let base = format!("/api/v1/societies/{a}/assessment/2017");
    let r = app
        .json(
            Method::POST,
            &format!("{base}/adjustments"),
            &json!({"adjustment": "exemplary", "points": "10", "reason": "经验被推广"}),
            Some(&admin),
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.text());
    assert_eq!(bonus_of(&r.json()), "10", "{}", r.text());
    let id = r.json()["adjustments"][0]["id"].as_i64().unwrap();
    let page_path = format!("/societies/{a}/assessment/2017");

    // The page: a withdrawal without a reason is refused at that adjustment's reason field.
    app.login("w-admin").await;
    let page = app.get(&page_path).await.text();
    assert!(
        page.contains(&format!("id=\"withdraw-reason-{id}\"")),
        "{page}"
    );
    let form_path = format!("{page_path}/adjustments/withdraw");
    let r = app
        .post_form(&form_path, &[("id", &id.to_string()), ("reason", "  ")])
        .await;
    assert_eq!(r.status, 422, "{}", r.text());
    assert!(
        r.text()
            .contains(&format!("id=\"err-withdraw-reason-{id}\"")),
        "{}",
        r.text()
    );
    assert!(r.text().contains("请写明撤销的理由"), "{}", r.text());
    // Too long: refused at the field, and what was typed is shown again.
    let long = "长".repeat(2001);
    let r = app
        .post_form(&form_path, &[("id", &id.to_string()), ("reason", &long)])
        .await;
    assert_eq!(r.status, 422);
    assert!(
        r.text()
            .contains(&format!("id=\"err-withdraw-reason-{id}\""))
    );
    assert!(r.text().contains(&long));
    // An unknown adjustment: refused above the list.
    let r = app
        .post_form(&form_path, &[("id", "999999"), ("reason", "错")])
        .await;
    assert_eq!(r.status, 422);
    assert!(r.text().contains("id=\"err-withdraw\""), "{}", r.text());
    // Nothing changed so far.
    assert_eq!(audit(&app, "assessment.adjustment_withdraw").await.len(), 0);
    // A reviewer not assigned to the society may not withdraw (API, 403).
    let r = app
        .json(
            Method::POST,
            &format!("{base}/adjustments/withdraw"),
            &json!({"id": id, "reason": "x"}),
            Some(&rev),
        )
        .await;
    assert_eq!(r.status, 403);

    // Withdrawn with a reason: no longer counted, still on record, audited.
    let r = app
        .post_form(
            &form_path,
            &[("id", &id.to_string()), ("reason", "推广文件有误，撤回")],
        )
        .await;
    assert_eq!(r.status, 303, "{}", r.text());
    let v = app
        .get_with_token(&format!("{base}/acceptance"), &admin)
        .await
        .json();
    assert_eq!(v["adjustments"], json!([]), "{v}");
    assert_eq!(bonus_of(&v), "0", "{v}");
    assert_eq!(v["withdrawn_adjustments"][0]["id"], id);
    assert_eq!(
        v["withdrawn_adjustments"][0]["withdrawn_reason"],
        "推广文件有误，撤回"
    );
    assert_eq!(v["withdrawn_adjustments"][0]["withdrawn_by"], "w-admin");
    let s = society(&app, &a).await;
    let rows = store::adjustment_history(app.db(), 2017, s.id)
        .await
        .unwrap();
    assert_eq!(rows.len(), 1, "kept, not deleted");
    assert_eq!(
        rows[0].withdrawn_reason.as_deref(),
        Some("推广文件有误，撤回")
    );
    let entries = audit(&app, "assessment.adjustment_withdraw").await;
    assert_eq!(entries.len(), 1);
    assert_eq!(entries[0].0, "user:w-admin");
    assert!(entries[0].1.contains("推广文件有误，撤回"), "{entries:?}");
    // The page shows it struck out with the reason, without a withdraw form.
    let page = app.get(&page_path).await.text();
    assert!(
        page.contains("已撤销（w-admin，2017-12-20 10:00）：推广文件有误，撤回"),
        "{page}"
    );
    assert!(
        !page.contains(&format!("id=\"withdraw-reason-{id}\"")),
        "{page}"
    );
    // Twice: refused at `id` (API).
    let r = app
        .json(
            Method::POST,
            &format!("{base}/adjustments/withdraw"),
            &json!({"id": id, "reason": "再撤"}),
            Some(&admin),
        )
        .await;
    assert_eq!(r.status, 422);
    assert_eq!(r.json()["errors"][0]["field"], "id", "{}", r.text());
    // The API withdraws too: a second bonus given and withdrawn.
    let r = app
        .json(
            Method::POST,
            &format!("{base}/adjustments"),
            &json!({"adjustment": "false-report", "points": "5", "reason": "材料不实"}),
            Some(&admin),
        )
        .await;
    assert_eq!(r.status, 200);
    let id2 = r.json()["adjustments"][0]["id"].as_i64().unwrap();
    let r = app
        .json(
            Method::POST,
            &format!("{base}/adjustments/withdraw"),
            &json!({"id": id2}),
            Some(&admin),
        )
        .await;
    assert_eq!(r.status, 422);
    assert_eq!(r.json()["errors"][0]["field"], "reason");
    let r = app
        .json(
            Method::POST,
            &format!("{base}/adjustments/withdraw"),
            &json!({"id": id2, "reason": "已核实无误"}),
            Some(&admin),
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.text());
    assert_eq!(r.json()["adjustments"], json!([]));
    assert_eq!(
        r.json()["withdrawn_adjustments"].as_array().unwrap().len(),
        2
    );
}
both!(withdraw_an_adjustment);

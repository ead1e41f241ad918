//! Issue 13: qualitative norms (the `judged` rule kind) in the server. The society gives the
//! figures and a written justification; a reviewer records a judgement (`pass` / `warning`
//! with a required reason); the verdict is labelled as judged, never `fail` on its own;
//! stored, audited, through the API and the society page, and shown in the overview.

use http::{Method, StatusCode};
use reformwatch::model::Role;
use serde_json::{Value, json};

use crate::{TestApp, both};

const EXAMPLE_2031: &str = include_str!("../../../../tests/fixtures/catalogue-2031-example.toml");

fn verdict(v: &Value, rule: &str) -> Value {
    v["verdicts"]
        .as_array()
        .unwrap()
        .iter()
        .find(|x| x["rule"] == rule)
        .unwrap_or_else(|| panic!("no verdict for {rule} in {v}"))
        .clone()
}

/// The summary of one rule's card on a page (`<details id="rule-…">` up to `</summary>`).
fn summary_of<'a>(html: &'a str, rule: &str) -> &'a str {
    let at = html
        .find(&format!("id=\"rule-{rule}\""))
        .unwrap_or_else(|| panic!("no card for {rule}"));
    let end = html[at..].find("</summary>").unwrap();
    &html[at..at + end]
}

/// The card of one rule, up to the next card.
fn card_of<'a>(html: &'a str, rule: &str) -> &'a str {
    let at = html.find(&format!("id=\"rule-{rule}\"")).unwrap();
    let end = html[at..].find("</details>").unwrap();
    &html[at..at + end]
}

async fn a_reviewer_judges_a_qualitative_norm(app: TestApp) {
    app.registry().await;
    let admin = app.admin_token().await;
    let r = app
        .request(
            Method::POST,
            "/api/v1/catalogues",
            Some("application/toml"),
            EXAMPLE_2031.as_bytes().to_vec(),
            &[("authorization", &format!("Bearer {admin}"))],
        )
        .await;
    assert!(r.status.is_success(), "{} {}", r.status, r.text());
    app.login("tokenadmin").await;
    let r = app
        .post_form(
            "/societies/A-01/election",
            &[("year", "2031"), ("election_year", "true")],
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.text());
    let r = app
        .json(
            Method::PUT,
            "/api/v1/societies/A-01/facts?year=2031",
            &json!({"as_of": "2031-06-30", "values": {"council_size": 150, "council_cpc_members": 60,
                "young_council_members": 30, "standing_size": 50, "women_standing_members": 13}}),
            Some(&admin),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text());
    // Before any judgement: warning, labelled judged; computed rules carry no such label.
    let v = r.json();
    assert_eq!(verdict(&v, "cpc-share")["verdict"], "warning");
    assert_eq!(verdict(&v, "cpc-share")["judged"], true);
    assert_eq!(verdict(&v, "young-fifth")["verdict"], "pass");
    assert!(verdict(&v, "young-fifth").get("judged").is_none());

    // The society's editor writes the justification (the existing mechanism) but cannot judge.
    app.user("ed31", Role::SocietyEditor, Some("A-01")).await;
    app.login("ed31").await;
    let r = app
        .post_form(
            "/societies/A-01/justifications",
            &[
                ("year", "2031"),
                ("rule", "cpc-share"),
                ("text", "党员60人，占40%"),
            ],
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.text());
    let r = app
        .post_form(
            "/societies/A-01/judgements",
            &[
                ("year", "2031"),
                ("rule", "cpc-share"),
                ("verdict", "pass"),
                ("reason", "x"),
            ],
        )
        .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN, "{}", r.text());
    let ed_token = app.token_for("ed31").await;
    let r = app
        .json(
            Method::POST,
            "/api/v1/societies/A-01/judgements?year=2031",
            &json!({"rule": "cpc-share", "verdict": "pass", "reason": "x"}),
            Some(&ed_token),
        )
        .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN, "{}", r.text());
    // The editor's page shows the judged label and no judgement form.
    let html = app.get("/societies/A-01?year=2031").await.text();
    assert!(summary_of(&html, "cpc-share").contains("class=\"judged-badge\""));
    assert!(card_of(&html, "young-fifth").contains("class=\"computed-badge\""));
    assert!(!card_of(&html, "cpc-share").contains("computed-badge"));
    assert!(!summary_of(&html, "young-fifth").contains("judged-badge"));
    assert!(!html.contains("action=\"/societies/A-01/judgements\""));

    // A reviewer, through the API: refusals name their field.
    app.user("rev31", Role::Reviewer, None).await;
    let rev = app.token_for("rev31").await;
    let judge = |body: Value| {
        let rev = rev.clone();
        let app = &app;
        async move {
            app.json(
                Method::POST,
                "/api/v1/societies/A-01/judgements?year=2031",
                &body,
                Some(&rev),
            )
            .await
        }
    };
    for (body, field) in [
        (
            json!({"rule": "cpc-share", "verdict": "fail", "reason": "不够"}),
            "verdict",
        ),
        (
            json!({"rule": "cpc-share", "verdict": "pass", "reason": "  "}),
            "reason",
        ),
        (
            json!({"rule": "young-fifth", "verdict": "pass", "reason": "计算规则"}),
            "rule",
        ),
        (
            json!({"rule": "no-such-rule", "verdict": "pass", "reason": "r"}),
            "rule",
        ),
    ] {
        let r = judge(body.clone()).await;
        assert_eq!(
            r.status,
            StatusCode::UNPROCESSABLE_ENTITY,
            "{body}: {}",
            r.text()
        );
        assert_eq!(
            r.json()["errors"][0]["field"],
            field,
            "{body}: {}",
            r.text()
        );
    }
    // Nothing was stored by the refusals.
    let v = app
        .get_with_token("/api/v1/societies/A-01/verdicts?year=2031", &rev)
        .await
        .json();
    assert_eq!(verdict(&v, "cpc-share")["verdict"], "warning");

    let r =
        judge(json!({"rule": "cpc-share", "verdict": "pass", "reason": "党员比例40%，相当比例"}))
            .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text());
    let v = r.json();
    let cpc = verdict(&v, "cpc-share");
    assert_eq!(cpc["verdict"], "pass");
    assert_eq!(cpc["judged"], true);
    assert!(
        cpc["explanation_zh"]
            .as_str()
            .unwrap()
            .ends_with("审核人员rev31判断为符合：党员比例40%，相当比例。"),
        "{cpc}"
    );
    // Only that rule changed: the other judged norm still awaits a judgement.
    assert_eq!(verdict(&v, "young-and-women-rising")["verdict"], "warning");
    // Stored: read back by anyone who may read the society.
    let v = app
        .get_with_token("/api/v1/societies/A-01/verdicts?year=2031", &ed_token)
        .await
        .json();
    assert_eq!(verdict(&v, "cpc-share")["verdict"], "pass");
    // Another year of the same society is not touched by it.
    let v2017 = app
        .get_with_token("/api/v1/societies/A-01/verdicts?year=2017", &ed_token)
        .await
        .json();
    assert!(
        v2017["verdicts"]
            .as_array()
            .unwrap()
            .iter()
            .all(|x| x["rule"] != "cpc-share")
    );

    // A reviewer, through the page: a refused form keeps what was typed, message at the field.
    app.login("rev31").await;
    let html = app.get("/societies/A-01?year=2031").await.text();
    assert!(card_of(&html, "cpc-share").contains("action=\"/societies/A-01/judgements\""));
    assert!(!card_of(&html, "young-fifth").contains("action=\"/societies/A-01/judgements\""));
    assert!(
        card_of(&html, "cpc-share").contains("rev31判断为符合"),
        "{}",
        card_of(&html, "cpc-share")
    );
    let r = app
        .post_form(
            "/societies/A-01/judgements",
            &[
                ("year", "2031"),
                ("rule", "young-and-women-rising"),
                ("verdict", "warning"),
                ("reason", ""),
            ],
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.text());
    let html = r.text();
    let card = card_of(&html, "young-and-women-rising");
    assert!(
        card.contains("id=\"err-reason-young-and-women-rising\""),
        "{card}"
    );
    assert!(card.contains("value=\"warning\" checked"), "{card}");
    assert!(!card_of(&html, "cpc-share").contains("field-error"));
    // Then a warning with its reason: still warning (never fail), with the reviewer's words.
    let r = app
        .post_form(
            "/societies/A-01/judgements",
            &[
                ("year", "2031"),
                ("rule", "young-and-women-rising"),
                ("verdict", "warning"),
                ("reason", "女性比例未见提高"),
            ],
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.text());
    // A later judgement replaces the earlier one in the verdict (both stay stored).
    let r = app
        .post_form(
            "/societies/A-01/judgements",
            &[
                ("year", "2031"),
                ("rule", "cpc-share"),
                ("verdict", "warning"),
                ("reason", "需补充说明"),
            ],
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.text());
    let v = app
        .get_with_token("/api/v1/societies/A-01/verdicts?year=2031", &rev)
        .await
        .json();
    assert_eq!(verdict(&v, "cpc-share")["verdict"], "warning");
    assert_eq!(verdict(&v, "young-and-women-rising")["verdict"], "warning");
    assert!(
        verdict(&v, "young-and-women-rising")["explanation_zh"]
            .as_str()
            .unwrap()
            .ends_with("审核人员rev31判断为需说明：女性比例未见提高。")
    );
    let html = app.get("/societies/A-01?year=2031").await.text();
    assert!(summary_of(&html, "cpc-share").contains("class=\"verdict warning\""));
    assert!(card_of(&html, "cpc-share").contains("需补充说明"));

    // The overview marks judged cells.
    let html = app.get("/overview/rules?year=2031").await.text();
    let row = &html[html.find("/societies/A-01?year=2031").unwrap()..];
    let row = &row[..row.find("</tr>").unwrap()];
    assert_eq!(row.matches("class=\"judged-mark\"").count(), 2, "{row}");

    // Audited: three judgements (newest first), the last with its before and after; the
    // database refuses to change a stored judgement.
    let entries = reformwatch::db::audit::list(
        app.db(),
        &reformwatch::db::audit::AuditFilter {
            object_id: Some("A-01".into()),
            action: Some("rule.judge".into()),
            ..Default::default()
        },
    )
    .await
    .unwrap();
    assert_eq!(entries.len(), 3);
    let last = entries.iter().max_by_key(|e| e.seq).unwrap();
    assert_eq!(last.actor, "user:rev31");
    assert_eq!(
        last.after,
        Some(
            json!({"year": 2031, "rule": "cpc-share", "verdict": "warning", "reason": "需补充说明"})
        )
    );
    assert_eq!(last.before.as_ref().unwrap()["verdict"], "pass");
    let upd = sqlx::query("UPDATE rule_judgements SET verdict = 'pass'")
        .execute(&app.db().pool)
        .await;
    assert!(upd.is_err(), "a stored judgement must not change");
}
both!(a_reviewer_judges_a_qualitative_norm);

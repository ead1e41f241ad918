//! The year-end assessment's inputs (issue 12 part 1): the bulk loader and the provisional
//! results on a small hand-checked year; the statement count of `assess()` for 3 and for 30
//! societies; the flows through the pages and the API (conflicts refused, blind scoring,
//! acceptance changes need a comment).

use chrono::{DateTime, TimeZone, Utc};
use reformwatch::Principal;
use reformwatch::db::assessment as store;
use reformwatch::db::audit::Actor;
use reformwatch::db::plans::{PlanBody, PlanKind};
use reformwatch::db::societies::{self, Society};
use reformwatch::model::Role;
use reformwatch::service;
use reformwatch::service::plans::PlanDecision;
use reformwatch_core::assess::{AcceptanceStatus, LeafBasis, OutcomeKind, Score, YearAssessment};
use serde_json::{Value, json};

use crate::{TestApp, both};

pub fn beijing(s: &str) -> DateTime<Utc> {
    let naive = chrono::NaiveDateTime::parse_from_str(s, "%Y-%m-%d %H:%M:%S").unwrap();
    chrono_tz::Asia::Shanghai
        .from_local_datetime(&naive)
        .single()
        .unwrap()
        .with_timezone(&Utc)
}

fn sc(text: &str) -> Score {
    Score::parse(text).unwrap()
}

/// A plan with the 7 basic tasks and optional tasks 12–16, each with one target and one
/// milestone.
pub fn plan_content() -> Value {
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

/// Registers the first `n` societies of the built-in registry; returns their codes.
pub async fn register(app: &TestApp, n: usize) -> Vec<String> {
    let rows = reformwatch::import::parse_societies(
        "s.csv",
        reformwatch::import::BUILTIN_SOCIETIES_CSV.as_bytes(),
    )
    .unwrap();
    let rows = &rows[..n];
    societies::import(app.db(), &Actor::System, app.state.clock.now(), rows)
        .await
        .unwrap();
    rows.iter().map(|r| r.code.as_str().to_string()).collect()
}

pub async fn society(app: &TestApp, code: &str) -> Society {
    societies::by_code(app.db(), code).await.unwrap().unwrap()
}

/// Submits the reform plan at `at` (Beijing) and accepts it when `accept`.
pub async fn give_plan(app: &TestApp, code: &str, at: &str, accept: bool) {
    let state = &app.state;
    let system = Principal::System;
    let catalogue = service::catalogues::of_year(state, 2017).await.unwrap();
    let plan: reformwatch_core::plan::PlanContent = serde_json::from_value(plan_content()).unwrap();
    let s = society(app, code).await;
    state.clock.set(beijing("2017-05-10 10:00:00"));
    service::plans::open(state, &system, &s, &catalogue, false)
        .await
        .unwrap();
    service::plans::save_draft(state, &system, &s, 2017, PlanBody::Reform(plan))
        .await
        .unwrap();
    state.clock.set(beijing(at));
    service::plans::submit(state, &system, &s, &catalogue, PlanKind::Reform)
        .await
        .unwrap();
    if accept {
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
    }
}

fn of<'a>(a: &'a YearAssessment, code: &str) -> &'a reformwatch_core::assess::SocietyAssessment {
    a.societies.iter().find(|s| s.code == code).unwrap()
}

/// The points of leaf `id` on a society's card.
fn leaf(
    app_catalogue: &reformwatch_core::catalogue::Catalogue,
    a: &YearAssessment,
    code: &str,
    id: &str,
) -> (Score, LeafBasis) {
    let rules = app_catalogue.assessment.as_ref().unwrap();
    let (ix, _) = rules.indicator(id).unwrap();
    let card = of(a, code).card.as_ref().unwrap();
    let l = card
        .leaves
        .iter()
        .find(|l| l.indicator as usize == ix)
        .unwrap();
    (l.points, l.basis)
}

async fn hand_checked_year(app: TestApp) {
    let codes = register(&app, 3).await;
    let (a, b, c) = (codes[0].clone(), codes[1].clone(), codes[2].clone());
    // A: accepted, submitted 1 day 1 hour after the deadline (2017-05-22 23:59:59): two
    // started days late. B: no plan. C: submitted on time, never accepted.
    give_plan(&app, &a, "2017-05-24 01:00:00", true).await;
    give_plan(&app, &c, "2017-05-20 09:00:00", false).await;
    app.state.clock.set(beijing("2017-12-20 10:00:00"));
    let catalogue = service::catalogues::of_year(&app.state, 2017)
        .await
        .unwrap();

    let before = service::assessment::assess(&app.state, 2017).await.unwrap();
    assert_eq!(before.societies.len(), 3);
    // B: no plan → not scored, criticised.
    let sb = of(&before, &b);
    assert!(sb.card.is_none());
    assert_eq!(sb.outcome.kind, OutcomeKind::Criticised);
    assert_eq!(sb.rank, None);
    // Plan timeliness (30 points, 2 per started day late): A 30 − 2 × 2 = 26, C 30.
    assert_eq!(leaf(&catalogue, &before, &a, "6.1").0, sc("26"));
    assert_eq!(leaf(&catalogue, &before, &c, "6.1").0, sc("30"));
    // C's plan was never accepted: no tasks, every required task missing → criticised.
    assert_eq!(of(&before, &c).outcome.kind, OutcomeKind::Criticised);
    // Seven expert leaves in the 2017 tree, none scored yet.
    let card_a = of(&before, &a).card.clone().unwrap();
    assert_eq!(card_a.missing_reviewer_scores, 7);
    assert_eq!(
        leaf(&catalogue, &before, &a, "1.1.1.1"),
        (Score::ZERO, LeafBasis::NoReviewerScore)
    );
    // Task 4 (code of conduct: leaf 1.1.2.1, 15 points): nothing reported, no evidence, its
    // rules lack data → the proposal is "not completed", 0 points.
    let inputs =
        service::assessment::load_inputs(&app.state, &catalogue, app.state.clock.now(), None)
            .await
            .unwrap();
    let ia = inputs.iter().find(|i| i.society.code == a).unwrap();
    let p4 = ia.proposals.iter().find(|p| p.task == 4).unwrap();
    assert_eq!(p4.status, AcceptanceStatus::NotCompleted);
    assert_eq!(ia.proposals.len(), 12);
    assert_eq!(leaf(&catalogue, &before, &a, "1.1.2.1").0, Score::ZERO);

    // Inputs: three reviewers on A; two submit (8 and 9.5 for 1.1.1.1), one keeps a draft (2).
    let now = app.state.clock.now();
    let sa = society(&app, &a).await;
    let mut reviewers = Vec::new();
    for name in ["r-one", "r-two", "r-three"] {
        let u = app.user(name, Role::Reviewer, None).await;
        let done = store::assign(app.db(), &Actor::System, now, 2017, &sa, u.id, name)
            .await
            .unwrap();
        assert_eq!(done, store::Assigned::New);
        reviewers.push(u);
    }
    for (u, score, submit) in [
        (&reviewers[0], "8", true),
        (&reviewers[1], "9.5", true),
        (&reviewers[2], "2", false),
    ] {
        let standing = store::save_scores(
            app.db(),
            &Actor::System,
            now,
            2017,
            &sa,
            u.id,
            &[("1.1.1.1".into(), Some(sc(score)), "出席率记录齐全".into())],
            submit,
        )
        .await
        .unwrap();
        assert_eq!(
            standing,
            Ok(if submit {
                store::Standing::Submitted
            } else {
                store::Standing::Draft
            })
        );
    }
    // The reviewer's decision on task 4: completed (a change, with its comment).
    store::record_decision(
        app.db(),
        &Actor::System,
        now,
        &sa,
        2017,
        4,
        AcceptanceStatus::NotCompleted,
        AcceptanceStatus::Completed,
        "准则已于 11 月印发，见会议纪要",
        "评审专家",
    )
    .await
    .unwrap();
    // A bonus of 10 and a deduction of 5.
    store::add_adjustment(
        app.db(),
        &Actor::System,
        now,
        2017,
        &sa,
        "exemplary",
        sc("10"),
        "典型经验被推广",
        "管理员",
    )
    .await
    .unwrap();
    store::add_adjustment(
        app.db(),
        &Actor::System,
        now,
        2017,
        &sa,
        "violation",
        sc("5"),
        "年检整改",
        "管理员",
    )
    .await
    .unwrap();
    // A self-score is shown, never counted.
    store::set_self_scores(
        app.db(),
        &Actor::System,
        now,
        &sa,
        2017,
        &[("1.1.1.1".into(), Some(sc("10")), String::new())],
        "学会",
    )
    .await
    .unwrap();

    let after = service::assessment::assess(&app.state, 2017).await.unwrap();
    // 1.1.1.1: mean of the SUBMITTED scores only: (8 + 9.5) ÷ 2 = 8.75.
    let (points, basis) = leaf(&catalogue, &after, &a, "1.1.1.1");
    assert_eq!(points, sc("8.75"));
    assert!(
        matches!(
            basis,
            LeafBasis::Expert {
                reviewers: 2,
                used: 2,
                ..
            }
        ),
        "{basis:?}"
    );
    // Task 4 completed by the decision: 15 of 15.
    assert_eq!(leaf(&catalogue, &after, &a, "1.1.2.1").0, sc("15"));
    let card = of(&after, &a).card.clone().unwrap();
    assert_eq!(card.missing_reviewer_scores, 6);
    assert_eq!(card.bonus, sc("10"));
    assert_eq!(card.deduction, sc("5"));
    assert_eq!(card.self_total, Some(sc("10")));
    // Total: 8.75 + 15 + 10 − 5 = 28.75 more than before.
    assert_eq!(
        card.total.hundredths() - card_a.total.hundredths(),
        2875,
        "{} → {}",
        card_a.total,
        card.total
    );
    // The draft reviewer submits 2: the mean becomes (8 + 9.5 + 2) ÷ 3 = 6.5.
    store::save_scores(
        app.db(),
        &Actor::System,
        now,
        2017,
        &sa,
        reviewers[2].id,
        &[],
        true,
    )
    .await
    .unwrap()
    .unwrap();
    let last = service::assessment::assess(&app.state, 2017).await.unwrap();
    assert_eq!(leaf(&catalogue, &last, &a, "1.1.1.1").0, sc("6.5"));
    // Submitted scores are final: the database refuses a change.
    let refused = sqlx::query("UPDATE assessment_scores SET score = 1000 WHERE reviewer_id = $1")
        .bind(reviewers[0].id)
        .execute(&app.db().pool)
        .await;
    assert!(refused.is_err(), "a submitted score was changed");
    // Once submitted, a save is refused with the standing (nothing written).
    let again = store::save_scores(
        app.db(),
        &Actor::System,
        now,
        2017,
        &sa,
        reviewers[0].id,
        &[("1.1.1.1".into(), Some(sc("1")), "改".into())],
        false,
    )
    .await
    .unwrap();
    assert_eq!(again, Err(store::Standing::Submitted));
    assert_eq!(
        leaf(
            &catalogue,
            &service::assessment::assess(&app.state, 2017).await.unwrap(),
            &a,
            "1.1.1.1"
        )
        .0,
        sc("6.5")
    );
    // A declared conflict bars an assignment.
    let d = app.user("r-four", Role::Reviewer, None).await;
    store::declare(
        app.db(),
        &Actor::System,
        now,
        2017,
        &sa,
        d.id,
        "conflict",
        "曾任该学会理事",
        "r-four",
    )
    .await
    .unwrap();
    let barred = store::assign(app.db(), &Actor::System, now, 2017, &sa, d.id, "r-four")
        .await
        .unwrap();
    assert!(matches!(barred, store::Assigned::Barred(_)), "{barred:?}");
}
both!(hand_checked_year);

/// Gives each society an accepted plan, an assigned reviewer with a submitted score, a
/// self-score, a decision and an adjustment.
async fn give_inputs(app: &TestApp, codes: &[String], reviewer: i64) {
    for code in codes {
        give_plan(app, code, "2017-05-20 10:00:00", true).await;
        let s = society(app, code).await;
        let now = app.state.clock.now();
        store::assign(app.db(), &Actor::System, now, 2017, &s, reviewer, "stm")
            .await
            .unwrap();
        store::save_scores(
            app.db(),
            &Actor::System,
            now,
            2017,
            &s,
            reviewer,
            &[("2.4".into(), Some(sc("20")), "好".into())],
            true,
        )
        .await
        .unwrap()
        .unwrap();
        store::set_self_scores(
            app.db(),
            &Actor::System,
            now,
            &s,
            2017,
            &[("2.4".into(), Some(sc("25")), String::new())],
            "学会",
        )
        .await
        .unwrap();
        store::record_decision(
            app.db(),
            &Actor::System,
            now,
            &s,
            2017,
            1,
            AcceptanceStatus::NotCompleted,
            AcceptanceStatus::Partly,
            "部分完成",
            "专家",
        )
        .await
        .unwrap();
        store::add_adjustment(
            app.db(),
            &Actor::System,
            now,
            2017,
            &s,
            "exemplary",
            sc("3"),
            "经验",
            "管理员",
        )
        .await
        .unwrap();
    }
}

async fn assess_statements_do_not_grow(app: TestApp) {
    let r = app.user("stm", Role::Reviewer, None).await;
    let codes = register(&app, 3).await;
    give_inputs(&app, &codes, r.id).await;
    app.state.clock.set(beijing("2017-12-20 10:00:00"));
    // Warm the catalogue cache, then count.
    service::assessment::assess(&app.state, 2017).await.unwrap();
    let before = app.db().statements();
    let three = service::assessment::assess(&app.state, 2017).await.unwrap();
    let cost3 = app.db().statements() - before;
    assert_eq!(three.societies.len(), 3);
    assert!(cost3 > 0);
    let codes = register(&app, 30).await;
    give_inputs(&app, &codes[3..], r.id).await;
    app.state.clock.set(beijing("2017-12-20 10:00:00"));
    let before = app.db().statements();
    let thirty = service::assessment::assess(&app.state, 2017).await.unwrap();
    let cost30 = app.db().statements() - before;
    assert_eq!(thirty.societies.len(), 30);
    // Every society's inputs arrived: its reviewer score and its bonus.
    for s in &thirty.societies {
        let card = s.card.as_ref().unwrap();
        assert_eq!(card.bonus, sc("3"), "{}", s.code);
        assert_eq!(card.missing_reviewer_scores, 6, "{}", s.code);
    }
    eprintln!("assess(): {cost3} statements for 3 societies, {cost30} for 30");
    assert_eq!(
        cost3, cost30,
        "assess() statements with 3 and with 30 societies"
    );
}
both!(assess_statements_do_not_grow);

pub const EXPERT: [&str; 7] = ["1.1.1.1", "1.1.1.3", "1.2.4", "2.4", "3.2", "5.3", "6.5"];

/// Every expert leaf scored `score` with `comment`.
pub fn all_expert(score: &str, comment: &str) -> Value {
    Value::Array(
        EXPERT
            .iter()
            .map(|id| json!({"indicator": id, "score": score, "comment": comment}))
            .collect(),
    )
}

async fn flows_through_pages_and_api(app: TestApp) {
    use http::Method;
    let codes = register(&app, 2).await;
    let (a, other) = (codes[0].clone(), codes[1].clone());
    give_plan(&app, &a, "2017-05-20 10:00:00", true).await;
    app.state.clock.set(beijing("2017-12-20 10:00:00"));
    app.user("x-admin", Role::Admin, None).await;
    for r in ["rev-a", "rev-b", "rev-c", "rev-d"] {
        app.user(r, Role::Reviewer, None).await;
    }
    app.user("ed-a", Role::SocietyEditor, Some(&a)).await;
    app.user("ed-o", Role::SocietyEditor, Some(&other)).await;
    let (ta, tb, tc, td) = (
        app.token_for("rev-a").await,
        app.token_for("rev-b").await,
        app.token_for("rev-c").await,
        app.token_for("rev-d").await,
    );
    let ted = app.token_for("ed-a").await;
    let base = format!("/api/v1/societies/{a}/assessment/2017");

    // Declarations: rev-c a conflict, rev-d membership.
    let r = app
        .json(
            Method::POST,
            &format!("{base}/declarations"),
            &json!({"kind": "conflict", "reason": "曾任该学会理事"}),
            Some(&tc),
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.text());
    let r = app
        .json(
            Method::POST,
            &format!("{base}/declarations"),
            &json!({"kind": "member", "reason": "本人为该学会会员"}),
            Some(&td),
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.text());
    // A declaration without a reason is refused at its field.
    let r = app
        .json(
            Method::POST,
            &format!("{base}/declarations"),
            &json!({"kind": "conflict", "reason": " "}),
            Some(&tc),
        )
        .await;
    assert_eq!(r.status, 422);
    assert_eq!(r.json()["errors"][0]["field"], "reason", "{}", r.text());

    // Assignment (page, keyboard-friendly textarea): the conflict and the membership are
    // refused at the field with their reasons, all or none.
    app.login("x-admin").await;
    let lines = format!("{a}, rev-a\n{a}，rev-b\n{a} rev-c\n{a}\trev-d\n{a}, ed-a");
    let r = app
        .post_form("/admin/assessment/2017/reviewers", &[("lines", &lines)])
        .await;
    assert_eq!(r.status, 422, "{}", r.text());
    let page = r.text();
    assert!(page.contains("id=\"err-lines\""), "{page}");
    assert!(
        page.contains("第 3 行") && page.contains("利益冲突") && page.contains("曾任该学会理事"),
        "{page}"
    );
    assert!(
        page.contains("第 4 行") && page.contains("本学会成员"),
        "{page}"
    );
    assert!(
        page.contains("第 5 行") && page.contains("不是评审专家或管理员"),
        "{page}"
    );
    let board = app
        .json(
            Method::GET,
            "/api/v1/assessment/2017/reviewers",
            &json!(null),
            Some(&app.admin_token().await),
        )
        .await
        .json();
    assert_eq!(board["assignments"], json!([]), "all or none: {board}");
    let lines = format!("{a}, rev-a\n{a}，rev-b\n");
    let r = app
        .post_form("/admin/assessment/2017/reviewers", &[("lines", &lines)])
        .await;
    assert_eq!(r.status, 303, "{}", r.text());
    let page = app.get("/admin/assessment/2017/reviewers").await.text();
    assert!(page.contains("rev-a") && page.contains("rev-b"), "{page}");

    // Scoring: a reviewer who is not assigned, or who declared a conflict, is refused (403).
    for t in [&tc, &td] {
        let r = app
            .json(
                Method::PUT,
                &format!("{base}/scores"),
                &json!({"scores": all_expert("5", "x")}),
                Some(t),
            )
            .await;
        assert_eq!(r.status, 403, "{}", r.text());
    }
    // A score without a comment, or above the leaf's points, is refused at its field.
    let r = app
        .json(
            Method::PUT,
            &format!("{base}/scores"),
            &json!({"scores": [{"indicator": "1.1.1.1", "score": "8", "comment": ""}]}),
            Some(&ta),
        )
        .await;
    assert_eq!(r.status, 422);
    assert_eq!(
        r.json()["errors"][0]["field"],
        "comment-1.1.1.1",
        "{}",
        r.text()
    );
    let r = app
        .json(
            Method::PUT,
            &format!("{base}/scores"),
            &json!({"scores": [{"indicator": "1.1.1.1", "score": "10.01", "comment": "多"}]}),
            Some(&ta),
        )
        .await;
    assert_eq!(r.status, 422);
    assert_eq!(
        r.json()["errors"][0]["field"],
        "score-1.1.1.1",
        "{}",
        r.text()
    );
    // Submitting before every expert leaf is scored is refused.
    let r = app
        .json(Method::PUT, &format!("{base}/scores"), &json!({"scores": [{"indicator": "1.1.1.1", "score": "8", "comment": "甲评语"}], "submit": true}), Some(&ta))
        .await;
    assert_eq!(r.status, 422, "{}", r.text());
    // rev-a: 8 everywhere, submitted.
    let r = app
        .json(
            Method::PUT,
            &format!("{base}/scores"),
            &json!({"scores": all_expert("8", "甲评语"), "submit": true}),
            Some(&ta),
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.text());
    assert_eq!(r.json()["standing"], "submitted");
    // rev-b has not submitted: blind — no other score, no result, in the API and on the page.
    let v = app
        .get_with_token(&format!("{base}/acceptance"), &tb)
        .await
        .json();
    assert_eq!(v["blind"], true, "{v}");
    assert_eq!(v["reviewer_scores"], json!([]), "{v}");
    assert_eq!(v["result"], Value::Null, "{v}");
    let results = app
        .get_with_token("/api/v1/assessment/2017", &tb)
        .await
        .json();
    let row = results["societies"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["code"] == a.as_str())
        .unwrap()
        .clone();
    assert_eq!(row["hidden"], true, "{row}");
    assert!(row.get("score").is_none(), "{row}");
    app.login("rev-b").await;
    let page = app.get(&format!("/societies/{a}/assessment/2017")).await;
    assert_eq!(page.status, 200);
    assert!(
        !page.text().contains("甲评语"),
        "rev-b sees rev-a's comment before submitting"
    );
    assert!(page.text().contains("id=\"blind\""));
    // rev-b saves a draft (page), then submits 9 everywhere (page).
    let mut form: Vec<(String, String)> = EXPERT
        .iter()
        .flat_map(|id| {
            [
                (format!("score-{id}"), "9".to_owned()),
                (format!("comment-{id}"), "乙评语".to_owned()),
            ]
        })
        .collect();
    form.push(("action".into(), "draft".into()));
    let refs: Vec<(&str, &str)> = form.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
    let r = app
        .post_form(&format!("/societies/{a}/assessment/2017/scores"), &refs)
        .await;
    assert_eq!(r.status, 303, "{}", r.text());
    let v = app
        .get_with_token(&format!("{base}/acceptance"), &tb)
        .await
        .json();
    assert_eq!(v["blind"], true);
    assert!(
        v["reviewer_scores"]
            .as_array()
            .unwrap()
            .iter()
            .all(|s| s["reviewer"] != "rev-a"),
        "{v}"
    );
    form.pop();
    form.push(("action".into(), "submit".into()));
    let refs: Vec<(&str, &str)> = form.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
    let r = app
        .post_form(&format!("/societies/{a}/assessment/2017/scores"), &refs)
        .await;
    assert_eq!(r.status, 303, "{}", r.text());
    // Now rev-b sees rev-a's scores, and the result: 1.1.1.1 = (8 + 9) ÷ 2 = 8.5.
    let page = app
        .get(&format!("/societies/{a}/assessment/2017"))
        .await
        .text();
    assert!(page.contains("甲评语"), "{page}");
    let v = app
        .get_with_token(&format!("{base}/acceptance"), &tb)
        .await
        .json();
    assert_eq!(v["blind"], false);
    let leaves = v["result"]["card"]["leaves"].as_array().unwrap();
    let l = leaves.iter().find(|l| l["indicator"] == "1.1.1.1").unwrap();
    assert_eq!(l["points"], "8.5", "{l}");
    assert_eq!(v["result"]["card"]["missing_reviewer_scores"], 0);
    // A submitted reviewer's change is refused at the field `scores`.
    let r = app
        .json(
            Method::PUT,
            &format!("{base}/scores"),
            &json!({"scores": all_expert("1", "改")}),
            Some(&ta),
        )
        .await;
    assert_eq!(r.status, 422);
    assert_eq!(r.json()["errors"][0]["field"], "scores");

    // Acceptance: changing the proposal (not completed) without a comment is refused at the
    // field, on the page and in the API; with a comment it is recorded.
    app.login("rev-a").await;
    let r = app
        .post_form(
            &format!("/societies/{a}/assessment/2017/acceptance"),
            &[("task", "4"), ("status", "completed"), ("comment", "")],
        )
        .await;
    assert_eq!(r.status, 422, "{}", r.text());
    let page = r.text();
    assert!(page.contains("id=\"err-comment-4\""), "{page}");
    assert!(
        page.contains("改变系统建议（未完成 → 完成）须填写理由"),
        "{page}"
    );
    let r = app
        .json(
            Method::POST,
            &format!("{base}/acceptance"),
            &json!({"task": 4, "status": "completed"}),
            Some(&ta),
        )
        .await;
    assert_eq!(r.status, 422);
    assert_eq!(r.json()["errors"][0]["field"], "comment");
    // Confirming the proposal needs no comment.
    let r = app
        .json(
            Method::POST,
            &format!("{base}/acceptance"),
            &json!({"task": 5, "status": "not_completed"}),
            Some(&ta),
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.text());
    let r = app
        .post_form(
            &format!("/societies/{a}/assessment/2017/acceptance"),
            &[
                ("task", "4"),
                ("status", "completed"),
                ("comment", "准则已印发"),
            ],
        )
        .await;
    assert_eq!(r.status, 303, "{}", r.text());
    // A reviewer with a declared conflict may not decide.
    let r = app
        .json(
            Method::POST,
            &format!("{base}/acceptance"),
            &json!({"task": 4, "status": "partly", "comment": "x"}),
            Some(&tc),
        )
        .await;
    assert_eq!(r.status, 403);

    // The society: sees the proposal and the decision, enters self-scores within range, never
    // sees an individual reviewer's score.
    let r = app
        .json(
            Method::PUT,
            &format!("{base}/self-scores"),
            &json!({"scores": [{"indicator": "1.1.1.1", "score": "10.5"}]}),
            Some(&ted),
        )
        .await;
    assert_eq!(r.status, 422);
    assert_eq!(r.json()["errors"][0]["field"], "score-1.1.1.1");
    let r = app
        .json(
            Method::PUT,
            &format!("{base}/self-scores"),
            &json!({"scores": [{"indicator": "1.1.1.1", "score": "9.5", "comment": "自评"}]}),
            Some(&ted),
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.text());
    let v = r.json();
    assert_eq!(v["reviewer_scores"], json!([]), "{v}");
    let t4 = v["tasks"]
        .as_array()
        .unwrap()
        .iter()
        .find(|t| t["task"] == 4)
        .unwrap();
    assert_eq!(t4["proposed"], "not_completed");
    assert_eq!(t4["final"], "completed");
    assert_eq!(t4["decision"]["comment"], "准则已印发");
    let l = v["result"]["card"]["leaves"]
        .as_array()
        .unwrap()
        .iter()
        .find(|l| l["indicator"] == "1.1.1.1")
        .unwrap()
        .clone();
    assert_eq!(
        (l["points"].as_str(), l["self_score"].as_str()),
        (Some("8.5"), Some("9.5")),
        "{l}"
    );
    app.login("ed-a").await;
    let page = app
        .get(&format!("/societies/{a}/assessment/2017"))
        .await
        .text();
    assert!(
        !page.contains("甲评语") && !page.contains("乙评语"),
        "the society sees a reviewer's comment"
    );
    assert!(page.contains("准则已印发"));
    // Another society's editor does not reach it.
    app.login("ed-o").await;
    assert_eq!(
        app.get(&format!("/societies/{a}/assessment/2017"))
            .await
            .status,
        404
    );

    // Results page (admin): the society with its rank and the reviewers' count.
    app.login("x-admin").await;
    let page = app.get("/admin/assessment/2017").await;
    assert_eq!(page.status, 200);
    let text = page.text();
    assert!(
        text.contains(&format!("id=\"row-{a}\"")) && text.contains("2 / 2"),
        "{text}"
    );
    // The audit trail has the steps.
    let audit = app
        .json(
            Method::GET,
            "/api/v1/audit?limit=200",
            &json!(null),
            Some(&app.admin_token().await),
        )
        .await
        .text();
    for action in [
        "assessment.assign",
        "assessment.declare",
        "assessment.submit_scores",
        "assessment.accept",
        "assessment.self_score",
    ] {
        assert!(
            audit.contains(action),
            "{action} missing from the audit trail"
        );
    }
}
both!(flows_through_pages_and_api);

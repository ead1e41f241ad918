//! Subsidy allocation (R-ASSESS-2): hand-checked cases for both modes, request parsing with the
//! field named, and properties (shares add up, bounds hold, a higher score never gets less).

use proptest::prelude::*;

use super::*;

fn rec(code: &str, score: &str) -> Recipient {
    Recipient {
        code: code.into(),
        score: Score::parse(score).unwrap(),
    }
}

fn y(n: u64) -> Yuan {
    Yuan::new(n).unwrap()
}

fn pool_rules(budget: u64, floor: u64, cap: Option<u64>) -> SubsidyRules {
    SubsidyRules::Pool {
        budget: y(budget),
        floor: y(floor),
        cap: cap.map(y),
    }
}

fn yuans(a: &Allocation) -> Vec<(String, u64)> {
    a.shares
        .iter()
        .map(|s| (s.code.clone(), s.yuan.get()))
        .collect()
}

fn pairs(v: &[(&str, u64)]) -> Vec<(String, u64)> {
    v.iter().map(|(c, n)| ((*c).to_owned(), *n)).collect()
}

// ----- pool: hand-checked --------------------------------------------------------------------

#[test]
fn pool_plain_proportion() {
    // 1,000 in proportion 50 : 30 : 20 — exact, no rounding.
    let a = allocate(
        &pool_rules(1000, 0, None),
        &[rec("A-01", "50"), rec("A-02", "30"), rec("A-03", "20")],
    )
    .unwrap();
    assert_eq!(
        yuans(&a),
        pairs(&[("A-01", 500), ("A-02", 300), ("A-03", 200)])
    );
    assert_eq!(a.unspent, Yuan::ZERO);
    assert!(
        a.shares
            .iter()
            .all(|s| s.basis == Basis::Proportional && !s.extra_yuan)
    );
    assert_eq!(a.rounds.len(), 1);
    assert_eq!(a.rounds[0].score_sum, "100");
}

#[test]
fn pool_rounding_equal_scores_go_by_code() {
    // 100 / 3 = 33⅓ each: 33 + 33 + 33 = 99, the one yuan left goes by code (equal
    // remainders, equal scores).
    let a = allocate(
        &pool_rules(100, 0, None),
        &[rec("A-03", "80"), rec("A-01", "80"), rec("A-02", "80")],
    )
    .unwrap();
    assert_eq!(
        yuans(&a),
        pairs(&[("A-03", 33), ("A-01", 34), ("A-02", 33)])
    );
    assert!(a.shares[1].extra_yuan);
    assert_eq!(a.notes.len(), 1);
    assert!(a.notes[0].en.contains("left 1 yuan"), "{:?}", a.notes);
}

#[test]
fn pool_rounding_largest_remainder_then_higher_score() {
    // Budget 5, scores 3, 1, 6 (sum 10): exact 1.5, 0.5, 3 → rounded down 1, 0, 3 = 4;
    // one yuan left. Remainders: 0.5, 0.5, 0 → tie between B-01 (score 3) and A-01 (score 1):
    // the higher score wins although A-01 comes first by code.
    let a = allocate(
        &pool_rules(5, 0, None),
        &[rec("B-01", "3"), rec("A-01", "1"), rec("C-01", "6")],
    )
    .unwrap();
    assert_eq!(yuans(&a), pairs(&[("B-01", 2), ("A-01", 0), ("C-01", 3)]));
    // Largest remainder beats score: 7 in proportion 1 : 3 → 1.75 and 5.25 → 1 + 5, one
    // left, to the 0.75 remainder (the lower score).
    let a = allocate(
        &pool_rules(7, 0, None),
        &[rec("A-01", "1"), rec("A-02", "3")],
    )
    .unwrap();
    assert_eq!(yuans(&a), pairs(&[("A-01", 2), ("A-02", 5)]));
}

#[test]
fn pool_cap_fixes_all_above_and_repeats() {
    // 1,000, cap 400, scores 60 : 20 : 20 → 600 > 400: A-01 at the cap; 600 left for
    // 20 : 20 → 300 each.
    let a = allocate(
        &pool_rules(1000, 0, Some(400)),
        &[rec("A-01", "60"), rec("A-02", "20"), rec("A-03", "20")],
    )
    .unwrap();
    assert_eq!(
        yuans(&a),
        pairs(&[("A-01", 400), ("A-02", 300), ("A-03", 300)])
    );
    assert_eq!(a.shares[0].basis, Basis::Cap);
    assert_eq!(a.rounds.len(), 2);
    assert_eq!(a.rounds[0].fixed, vec!["A-01".to_owned()]);
    assert_eq!(a.rounds[1].remaining, y(600));

    // Cascade: cap 350, scores 50 : 30 : 20 → 500 > 350 (A-01 at cap); 650 for 30 : 20 →
    // 390 > 350 (A-02 at cap); 300 for A-03.
    let a = allocate(
        &pool_rules(1000, 0, Some(350)),
        &[rec("A-01", "50"), rec("A-02", "30"), rec("A-03", "20")],
    )
    .unwrap();
    assert_eq!(
        yuans(&a),
        pairs(&[("A-01", 350), ("A-02", 350), ("A-03", 300)])
    );
    assert_eq!(a.rounds.len(), 3);
}

#[test]
fn pool_exactly_at_cap_or_floor_is_not_fixed() {
    // 1,000 for 40 : 30 : 30 with cap 400 and floor 300: 400, 300, 300 exactly — within
    // bounds (inclusive), one round.
    let a = allocate(
        &pool_rules(1000, 300, Some(400)),
        &[rec("A-01", "40"), rec("A-02", "30"), rec("A-03", "30")],
    )
    .unwrap();
    assert_eq!(
        yuans(&a),
        pairs(&[("A-01", 400), ("A-02", 300), ("A-03", 300)])
    );
    assert!(a.shares.iter().all(|s| s.basis == Basis::Proportional));
    assert_eq!(a.rounds.len(), 1);
}

#[test]
fn pool_floor_fixes_all_below_and_repeats() {
    // 1,000, floor 150, scores 80 : 15 : 5 → 800, 150, 50: only A-03 is below (A-02 is at
    // the floor exactly); 850 left for 80 : 15 → 715.79…, 134.21… → A-02 now below; 700 left
    // for A-01.
    let a = allocate(
        &pool_rules(1000, 150, None),
        &[rec("A-01", "80"), rec("A-02", "15"), rec("A-03", "5")],
    )
    .unwrap();
    assert_eq!(
        yuans(&a),
        pairs(&[("A-01", 700), ("A-02", 150), ("A-03", 150)])
    );
    assert_eq!(a.rounds[0].fixed, vec!["A-03".to_owned()]);
    assert_eq!(a.rounds[1].fixed, vec!["A-02".to_owned()]);
    assert_eq!(a.shares[1].basis, Basis::Floor);
}

/// The worked example of docs/ASSESSMENT.md, computed by hand with exact fractions.
#[test]
fn pool_worked_example() {
    let socs = [
        rec("A-01", "98.5"),
        rec("B-02", "95"),
        rec("A-03", "91.25"),
        rec("C-04", "88"),
        rec("D-05", "66.5"),
        rec("E-06", "25"),
    ];
    let a = allocate(&pool_rules(1_000_000, 120_000, Some(200_000)), &socs).unwrap();
    // Round 1: R 1,000,000, S 464.25: A-01 212,170.17… and B-02 204,631.12… exceed the cap.
    // Round 2: R 600,000, S 270.75: A-03 202,216.07… exceeds the cap.
    // Round 3: R 400,000, S 179.5: E-06 55,710.31… is below the floor.
    // Round 4: R 280,000, S 154.5: C-04 49,280,000/309 = 159,482.20…, D-05 37,240,000/309
    //          = 120,517.79…; rounded down 159,482 + 120,517 = 279,999: one yuan left, to
    //          D-05 (remainder .79 > .20).
    assert_eq!(
        yuans(&a),
        pairs(&[
            ("A-01", 200_000),
            ("B-02", 200_000),
            ("A-03", 200_000),
            ("C-04", 159_482),
            ("D-05", 120_518),
            ("E-06", 120_000),
        ])
    );
    assert_eq!(a.total(), 1_000_000);
    assert_eq!(a.unspent, Yuan::ZERO);
    let fixed: Vec<(Basis, Vec<String>)> = a
        .rounds
        .iter()
        .map(|r| (r.fixed_at, r.fixed.clone()))
        .collect();
    assert_eq!(
        fixed,
        vec![
            (Basis::Cap, vec!["A-01".to_owned(), "B-02".to_owned()]),
            (Basis::Cap, vec!["A-03".to_owned()]),
            (Basis::Floor, vec!["E-06".to_owned()]),
            (Basis::Proportional, vec![]),
        ]
    );
    let sums: Vec<&str> = a.rounds.iter().map(|r| r.score_sum.as_str()).collect();
    assert_eq!(sums, ["464.25", "270.75", "179.5", "154.5"]);
    assert!(a.shares[4].extra_yuan && !a.shares[3].extra_yuan);
}

#[test]
fn pool_caps_leave_money_unspent() {
    let a = allocate(
        &pool_rules(1000, 0, Some(300)),
        &[rec("A-01", "90"), rec("A-02", "85"), rec("A-03", "80")],
    )
    .unwrap();
    assert_eq!(
        yuans(&a),
        pairs(&[("A-01", 300), ("A-02", 300), ("A-03", 300)])
    );
    assert_eq!(a.unspent, y(100));
    assert!(a.notes.iter().any(|n| n.en.contains("100 yuan is unspent")));
}

#[test]
fn pool_floors_impossible() {
    // 3 × 40 = 120 > 100.
    let e = allocate(
        &pool_rules(100, 40, None),
        &[rec("A-01", "90"), rec("A-02", "85"), rec("A-03", "80")],
    )
    .unwrap_err();
    assert_eq!(e.field, "floor");
    assert!(
        e.message_en
            .contains("3 societies × floor 40 yuan = 120 yuan"),
        "{e}"
    );
    assert!(
        e.message_zh.contains("超过总预算 100 元"),
        "{}",
        e.message_zh
    );
    // 3 × 33 = 99 <= 100 is fine.
    assert!(
        allocate(
            &pool_rules(100, 33, None),
            &[rec("A-01", "90"), rec("A-02", "85"), rec("A-03", "80")],
        )
        .is_ok()
    );
}

#[test]
fn pool_caps_then_floors_cannot_both_hold() {
    // 100, floor 30, cap 40, scores 100 : 100 : 1 → both large ones exceed the cap and are
    // fixed at 40; 20 is left for the third, below its floor of 30: the fixed procedure would
    // overspend and refuses.
    let e = allocate(
        &pool_rules(100, 30, Some(40)),
        &[rec("A-01", "100"), rec("A-02", "100"), rec("A-03", "1")],
    )
    .unwrap_err();
    assert_eq!(e.field, "floor");
    assert!(e.message_en.contains("remaining 20 yuan"), "{e}");
    assert!(
        e.message_en.contains("lower the floor or raise the cap"),
        "{e}"
    );
}

#[test]
fn pool_no_recipients_leaves_the_budget_unspent() {
    let a = allocate(&pool_rules(5000, 100, Some(1000)), &[]).unwrap();
    assert!(a.shares.is_empty());
    assert_eq!(a.unspent, y(5000));
}

#[test]
fn pool_parameter_and_recipient_errors() {
    let e = allocate(&pool_rules(1000, 500, Some(400)), &[rec("A-01", "1")]).unwrap_err();
    assert_eq!(e.field, "floor");
    assert!(e.message_en.contains("above the cap"));
    let e = allocate(&pool_rules(100, 200, None), &[rec("A-01", "1")]).unwrap_err();
    assert_eq!(e.field, "floor");
    let e = allocate(
        &pool_rules(100, 0, None),
        &[rec("A-01", "1"), rec("A-01", "2")],
    )
    .unwrap_err();
    assert_eq!(e.field, "societies[1].code");
    let e = allocate(&pool_rules(100, 0, None), &[rec("A-01", "0")]).unwrap_err();
    assert_eq!(e.field, "societies[0].score");
    let e = allocate(&pool_rules(100, 0, None), &[rec("A-01", "-1")]).unwrap_err();
    assert_eq!(e.field, "societies[0].score");
    let e = allocate(&pool_rules(100, 0, None), &[rec(" ", "1")]).unwrap_err();
    assert_eq!(e.field, "societies[0].code");
}

// ----- tiers: hand-checked -------------------------------------------------------------------

fn tiers(spec: &[(u32, u64)], tie_rule: TieRule, budget: Option<u64>) -> SubsidyRules {
    SubsidyRules::Tiers {
        tiers: spec
            .iter()
            .map(|&(count, amount)| Tier {
                count,
                amount: y(amount),
                name_zh: None,
                name_en: None,
            })
            .collect(),
        tie_rule,
        budget: budget.map(y),
    }
}

fn six() -> Vec<Recipient> {
    vec![
        rec("A-01", "90"),
        rec("A-02", "85"),
        rec("B-03", "85"),
        rec("C-04", "80"),
        rec("D-05", "75"),
        rec("E-06", "70"),
    ]
}

#[test]
fn tiers_tie_at_boundary_takes_the_higher_tier_by_default() {
    // Tier 1: 2 places × 1,000; tier 2: 3 places × 500. Ranks 1, 2, 2, 4, 5, 6: the tie at
    // rank 2 straddles tier 1's last place → both in tier 1. Rank 4 and 5 are within tier 2
    // (places 3–5); rank 6 gets nothing.
    let a = allocate(
        &tiers(&[(2, 1000), (3, 500)], TieRule::default(), None),
        &six(),
    )
    .unwrap();
    assert_eq!(
        yuans(&a),
        pairs(&[
            ("A-01", 1000),
            ("A-02", 1000),
            ("B-03", 1000),
            ("C-04", 500),
            ("D-05", 500),
            ("E-06", 0),
        ])
    );
    let t: Vec<Option<u32>> = a.shares.iter().map(|s| s.tier).collect();
    assert_eq!(t, [Some(1), Some(1), Some(1), Some(2), Some(2), None]);
    let r: Vec<Option<u32>> = a.shares.iter().map(|s| s.rank).collect();
    assert_eq!(r, [Some(1), Some(2), Some(2), Some(4), Some(5), Some(6)]);
    assert_eq!(a.shares[5].basis, Basis::NoTier);
    // The result says so.
    assert!(
        a.notes
            .iter()
            .any(|n| n.en.contains("A-02, B-03") && n.en.contains("all take tier 1")),
        "{:?}",
        a.notes
    );
    assert!(
        a.notes
            .iter()
            .any(|n| n.zh.contains("第 1 档因并列共有 3 个学会"))
    );
    assert_eq!(a.unspent, Yuan::ZERO);
}

#[test]
fn tiers_lower_tier_rule() {
    let a = allocate(
        &tiers(&[(2, 1000), (3, 500)], TieRule::LowerTier, Some(5000)),
        &six(),
    )
    .unwrap();
    assert_eq!(
        yuans(&a),
        pairs(&[
            ("A-01", 1000),
            ("A-02", 500),
            ("B-03", 500),
            ("C-04", 500),
            ("D-05", 500),
            ("E-06", 0),
        ])
    );
    // 5,000 − 3,000 paid.
    assert_eq!(a.unspent, y(2000));
    assert!(a.notes.iter().any(|n| n.en.contains("all take tier 2")));
}

#[test]
fn tiers_tie_at_the_last_boundary() {
    // One place; two tied at the top. Higher: both paid; lower: neither.
    let two = [rec("A-01", "88"), rec("A-02", "88")];
    let a = allocate(&tiers(&[(1, 700)], TieRule::HigherTier, None), &two).unwrap();
    assert_eq!(yuans(&a), pairs(&[("A-01", 700), ("A-02", 700)]));
    let a = allocate(&tiers(&[(1, 700)], TieRule::LowerTier, None), &two).unwrap();
    assert_eq!(yuans(&a), pairs(&[("A-01", 0), ("A-02", 0)]));
    assert!(a.notes.iter().any(|n| n.en.contains("all take no tier")));
    // With a budget of 700, the higher-tier tie overruns it.
    let e = allocate(&tiers(&[(1, 700)], TieRule::HigherTier, Some(700)), &two).unwrap_err();
    assert_eq!(e.field, "budget");
    assert!(e.message_en.contains("1,400 yuan"), "{e}");
}

#[test]
fn tiers_without_ties_and_fewer_recipients_than_places() {
    let a = allocate(
        &tiers(
            &[(5, 500_000), (15, 200_000), (25, 100_000)],
            TieRule::default(),
            None,
        ),
        &[rec("A-01", "91"), rec("A-02", "90"), rec("A-03", "89")],
    )
    .unwrap();
    assert_eq!(
        yuans(&a),
        pairs(&[("A-01", 500_000), ("A-02", 500_000), ("A-03", 500_000)])
    );
    assert!(a.notes.is_empty());
}

#[test]
fn tiers_parameter_errors() {
    let e = allocate(
        &tiers(&[(1, 500), (2, 500)], TieRule::default(), None),
        &six(),
    )
    .unwrap_err();
    assert_eq!(e.field, "tiers[1].amount");
    let e = allocate(
        &tiers(&[(2, 500), (2, 100)], TieRule::default(), Some(1000)),
        &six(),
    )
    .unwrap_err();
    assert_eq!(e.field, "budget");
    assert!(e.message_en.contains("1,200 yuan"));
    let e = allocate(&tiers(&[], TieRule::default(), None), &six()).unwrap_err();
    assert_eq!(e.field, "tiers");
    // Zero scores are fine in tiers mode (nothing is divided by them).
    assert!(
        allocate(
            &tiers(&[(1, 5)], TieRule::default(), None),
            &[rec("A-01", "0")]
        )
        .is_ok()
    );
}

// ----- request JSON --------------------------------------------------------------------------

#[test]
fn request_pool_round_trip() {
    let a = allocate_json(
        r#"{"mode":"pool","budget":1000,"floor":0,"cap":400,
            "societies":[{"code":"A-01","score":"60"},{"code":"A-02","score":"20"},{"code":"A-03","score":"20.00"}]}"#,
    )
    .unwrap();
    assert_eq!(
        yuans(&a),
        pairs(&[("A-01", 400), ("A-02", 300), ("A-03", 300)])
    );
    let v = serde_json::to_value(&a).unwrap();
    assert_eq!(v["shares"][0]["code"], "A-01");
    assert_eq!(v["shares"][0]["yuan"], 400);
    assert_eq!(v["shares"][0]["basis"], "cap");
    assert_eq!(v["unspent"], 0);
    assert_eq!(v["mode"], "pool");
    // Defaults: floor 0, no cap.
    let r = parse_request(r#"{"mode":"pool","budget":10,"societies":[]}"#).unwrap();
    assert_eq!(r.rules, pool_rules(10, 0, None));
}

#[test]
fn request_tiers_round_trip() {
    let r = parse_request(
        r#"{"mode":"tiers","tiers":[{"count":2,"amount":1000,"name_zh":"一等","name_en":"First class"},{"count":3,"amount":500}],
            "societies":[{"code":"A-01","score":"90"},{"code":"A-02","score":"85"},{"code":"B-03","score":"85"}]}"#,
    )
    .unwrap();
    match &r.rules {
        SubsidyRules::Tiers {
            tiers,
            tie_rule,
            budget,
        } => {
            assert_eq!(tiers.len(), 2);
            assert_eq!(tiers[0].name_zh.as_deref(), Some("一等"));
            assert_eq!(*tie_rule, TieRule::HigherTier);
            assert_eq!(*budget, None);
        }
        other => panic!("{other:?}"),
    }
    let a = allocate(&r.rules, &r.societies).unwrap();
    assert!(a.notes.iter().any(|n| n.zh.contains("一等")));
    assert!(a.notes.iter().any(|n| n.en.contains("First class")));
}

#[track_caller]
fn field_of(json: &str) -> (String, String) {
    let e = parse_request(json).unwrap_err();
    assert!(!e.message_zh.is_empty());
    (e.field, e.message_en)
}

#[test]
fn request_errors_name_the_field() {
    let cases: &[(&str, &str, &str)] = &[
        ("{", "(input)", "not valid JSON"),
        ("[]", "(input)", "must be an object"),
        (r#"{"budget":1,"societies":[]}"#, "mode", "missing"),
        (
            r#"{"mode":"lottery","societies":[]}"#,
            "mode",
            "\"pool\" or \"tiers\"",
        ),
        (r#"{"mode":"pool","societies":[]}"#, "budget", "missing"),
        (
            r#"{"mode":"pool","budget":-1,"societies":[]}"#,
            "budget",
            "whole yuan",
        ),
        (
            r#"{"mode":"pool","budget":1.5,"societies":[]}"#,
            "budget",
            "whole yuan",
        ),
        (
            r#"{"mode":"pool","budget":"100","societies":[]}"#,
            "budget",
            "whole yuan",
        ),
        (
            r#"{"mode":"pool","budget":1000000000000001,"societies":[]}"#,
            "budget",
            "whole yuan",
        ),
        (
            r#"{"mode":"pool","budget":1,"flor":0,"societies":[]}"#,
            "flor",
            "unknown field",
        ),
        (
            r#"{"mode":"pool","budget":1,"tiers":[],"societies":[]}"#,
            "tiers",
            "unknown field",
        ),
        (
            r#"{"mode":"tiers","cap":1,"tiers":[],"societies":[]}"#,
            "cap",
            "unknown field",
        ),
        (r#"{"mode":"pool","budget":1}"#, "societies", "missing"),
        (
            r#"{"mode":"pool","budget":1,"societies":{}}"#,
            "societies",
            "an array",
        ),
        (
            r#"{"mode":"pool","budget":1,"societies":[1]}"#,
            "societies[0]",
            "an object",
        ),
        (
            r#"{"mode":"pool","budget":1,"societies":[{"code":"A-01"}]}"#,
            "societies[0].score",
            "missing",
        ),
        (
            r#"{"mode":"pool","budget":1,"societies":[{"code":"A-01","score":87.125}]}"#,
            "societies[0].score",
            "more than two decimal places",
        ),
        (
            r#"{"mode":"pool","budget":1,"societies":[{"code":"A-01","score":"87.255"}]}"#,
            "societies[0].score",
            "more than two decimal places",
        ),
        (
            r#"{"mode":"pool","budget":1,"societies":[{"code":"A-01","score":"-1"}]}"#,
            "societies[0].score",
            "negative",
        ),
        (
            r#"{"mode":"pool","budget":1,"societies":[{"code":"A-01","score":"1"},{"code":"A-02","score":"x"}]}"#,
            "societies[1].score",
            "not a decimal",
        ),
        (
            r#"{"mode":"pool","budget":1,"societies":[{"code":"A-01","score":"1","name":"x"}]}"#,
            "societies[0].name",
            "unknown field",
        ),
        (
            r#"{"mode":"pool","budget":1,"societies":[{"score":"1"}]}"#,
            "societies[0].code",
            "missing",
        ),
        (
            r#"{"mode":"pool","budget":1,"societies":[{"code":7,"score":"1"}]}"#,
            "societies[0].code",
            "a string",
        ),
        (
            r#"{"mode":"pool","budget":9,"societies":[{"code":"A-01","score":"1"},{"code":"A-01","score":"2"}]}"#,
            "societies[1].code",
            "appears twice",
        ),
        (
            r#"{"mode":"pool","budget":9,"floor":5,"cap":4,"societies":[]}"#,
            "floor",
            "above the cap",
        ),
        (r#"{"mode":"tiers","societies":[]}"#, "tiers", "missing"),
        (
            r#"{"mode":"tiers","tiers":[{"count":0,"amount":1}],"societies":[]}"#,
            "tiers[0].count",
            "at least 1",
        ),
        (
            r#"{"mode":"tiers","tiers":[{"count":1}],"societies":[]}"#,
            "tiers[0].amount",
            "missing",
        ),
        (
            r#"{"mode":"tiers","tiers":[{"count":1,"amount":1,"rank":1}],"societies":[]}"#,
            "tiers[0].rank",
            "unknown field",
        ),
        (
            r#"{"mode":"tiers","tiers":[{"count":1,"amount":1}],"tie_rule":"coin","societies":[]}"#,
            "tie_rule",
            "higher_tier",
        ),
    ];
    for (json, field, words) in cases {
        let (f, m) = field_of(json);
        assert_eq!(&f, field, "{json}: {m}");
        assert!(m.contains(words), "{json}: expected '{words}' in '{m}'");
    }
}

// ----- properties ----------------------------------------------------------------------------

fn recipients_strategy() -> impl Strategy<Value = Vec<Recipient>> {
    prop::collection::vec(1i64..=10_000, 0..25).prop_map(|scores| {
        scores
            .into_iter()
            .enumerate()
            .map(|(i, s)| Recipient {
                code: format!("S-{i:03}"),
                score: Score::from_hundredths(s).unwrap(),
            })
            .collect()
    })
}

/// Every pair: a higher score never gets less.
fn monotone(a: &Allocation) -> bool {
    a.shares.iter().all(|x| {
        a.shares
            .iter()
            .all(|z| !(x.score > z.score && x.yuan < z.yuan))
    })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(400))]

    /// R-ASSESS-2: shares add up to the budget minus the unspent amount, respect floor and
    /// cap, and a higher score never gets less.
    #[test]
    fn pool_properties(
        socs in recipients_strategy(),
        budget in 0u64..5_000_000,
        floor_pm in 0u64..=1000,
        cap_pm in prop::option::of(1u64..=2000),
    ) {
        let n = socs.len() as u64;
        // Floor and cap as per-mille of an equal share, so every kind of case occurs.
        let equal = budget.checked_div(n).unwrap_or(budget);
        let floor = equal * floor_pm / 1000;
        let cap = cap_pm.map(|c| (equal * c / 1000).max(floor));
        let rules = pool_rules(budget, floor, cap);
        match allocate(&rules, &socs) {
            Ok(a) => {
                prop_assert_eq!(a.total() + u128::from(a.unspent.get()), u128::from(budget));
                for s in &a.shares {
                    prop_assert!(s.yuan.get() >= floor);
                    if let Some(c) = cap {
                        prop_assert!(s.yuan.get() <= c);
                    }
                }
                prop_assert!(monotone(&a));
                // Money is unspent only when every society is at the cap.
                if a.unspent > Yuan::ZERO && n > 0 {
                    prop_assert!(a.shares.iter().all(|s| s.basis == Basis::Cap));
                }
                // A proportional share is its exact share rounded down or up.
                if let Some(last) = a.rounds.last().filter(|r| r.fixed_at == Basis::Proportional) {
                    let free: Vec<&Share> =
                        a.shares.iter().filter(|s| s.basis == Basis::Proportional).collect();
                    let sum: i128 = free.iter().map(|s| i128::from(s.score.hundredths())).sum();
                    for s in free {
                        let num = i128::from(last.remaining.get()) * i128::from(s.score.hundredths());
                        let down = num / sum;
                        let got = i128::from(s.yuan.get());
                        prop_assert!(got == down || (got == down + 1 && num % sum != 0));
                        prop_assert_eq!(s.extra_yuan, got == down + 1);
                    }
                }
            }
            Err(e) => {
                // Only floors can make it impossible; without a cap only when n × floor
                // exceeds the budget.
                prop_assert_eq!(e.field.as_str(), "floor");
                if cap.is_none() {
                    prop_assert!(n * floor > budget);
                }
            }
        }
    }

    /// Without floor or cap nothing is refused and nothing is unspent (with recipients).
    #[test]
    fn pool_unbounded_spends_everything(socs in recipients_strategy(), budget in 0u64..10_000_000) {
        let a = allocate(&pool_rules(budget, 0, None), &socs).unwrap();
        if socs.is_empty() {
            prop_assert_eq!(a.unspent.get(), budget);
        } else {
            prop_assert_eq!(a.total(), u128::from(budget));
            prop_assert_eq!(a.unspent, Yuan::ZERO);
        }
        prop_assert!(monotone(&a));
    }

    /// The allocation does not depend on the order the recipients are given in.
    #[test]
    fn pool_order_independent(socs in recipients_strategy(), budget in 0u64..1_000_000, cap in 1u64..200_000) {
        let rules = pool_rules(budget, 0, Some(cap));
        let mut rev = socs.clone();
        rev.reverse();
        let a = allocate(&rules, &socs).unwrap();
        let b = allocate(&rules, &rev).unwrap();
        let mut ya = yuans(&a);
        let mut yb = yuans(&b);
        ya.sort();
        yb.sort();
        prop_assert_eq!(ya, yb);
    }

    #[test]
    fn tiers_properties(
        socs in prop::collection::vec(0i64..20, 0..30),
        counts in prop::collection::vec(1u32..6, 1..4),
        lower in any::<bool>(),
    ) {
        // Few distinct scores, so ties at boundaries are common.
        let socs: Vec<Recipient> = socs
            .into_iter()
            .enumerate()
            .map(|(i, s)| Recipient { code: format!("S-{i:03}"), score: Score::from_points(s).unwrap() })
            .collect();
        let spec: Vec<(u32, u64)> = counts
            .iter()
            .enumerate()
            .map(|(i, &c)| (c, 1000 * (counts.len() - i) as u64))
            .collect();
        let rule = if lower { TieRule::LowerTier } else { TieRule::HigherTier };
        let a = allocate(&tiers(&spec, rule, None), &socs).unwrap();
        prop_assert!(monotone(&a));
        prop_assert_eq!(a.shares.len(), socs.len());
        let places: u32 = counts.iter().sum();
        let paid = a.shares.iter().filter(|s| s.tier.is_some()).count() as u32;
        // Ties can only add recipients under higher_tier, and only remove them under lower_tier.
        if lower {
            prop_assert!(paid <= places);
        } else {
            prop_assert!(paid >= places.min(socs.len() as u32));
        }
        // Equal scores, equal amounts.
        for x in &a.shares {
            for z in &a.shares {
                if x.score == z.score {
                    prop_assert_eq!(x.yuan, z.yuan);
                }
            }
        }
    }
}

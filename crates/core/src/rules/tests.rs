//! Boundary tests for every number the notice names (R-RULE-2, -7, -8, -9, -10, -11, -DOC,
//! -PRE), plus property tests.

use super::*;
use crate::catalogue::builtin_2017;
use crate::facts::{FactKind, facts, group};
use chrono::{Duration, NaiveDate};
use proptest::prelude::*;

fn date(s: &str) -> Option<NaiveDate> {
    NaiveDate::parse_from_str(s, "%Y-%m-%d").ok()
}

/// Facts of a society holding its election this year.
fn election() -> Facts {
    facts! {
        election_year: Some(true),
        ..Facts::default()
    }
}

/// The names of the 2017 facts of one kind, in declaration order.
fn names_of(kind: FactKind) -> Vec<String> {
    builtin_2017()
        .facts
        .iter()
        .filter(|f| f.kind == kind)
        .map(|f| f.name.clone())
        .collect()
}

fn run(facts: &Facts, rule: &str) -> RuleVerdict {
    let cat = builtin_2017();
    let all = evaluate(&cat, facts);
    let found = all.iter().find(|v| v.rule == rule).cloned();
    found.unwrap_or_else(|| panic!("no verdict for rule {rule}"))
}

#[track_caller]
fn assert_verdict(facts: &Facts, rule: &str, want: Verdict, case: &str) -> RuleVerdict {
    let v = run(facts, rule);
    assert_eq!(
        v.verdict, want,
        "{rule} {case}: {} / {}",
        v.explanation_zh, v.explanation_en
    );
    assert!(!v.explanation_zh.is_empty() && !v.explanation_en.is_empty());
    v
}

#[test]
fn every_listed_rule_id_exists() {
    // The stable ids the server, the docs and the bulletins refer to.
    let cat = builtin_2017();
    let expected: &[(&str, u32)] = &[
        ("documents-task-1", 1),
        ("members-growth", 2),
        ("fee-rate-rises", 2),
        ("documents-task-3", 3),
        ("documents-task-4", 4),
        ("directors-adjusted", 4),
        ("party-org", 5),
        ("documents-task-5", 5),
        ("annual-report", 6),
        ("documents-task-6", 6),
        ("fulltime-sg", 7),
        ("office-premises", 7),
        ("documents-task-7", 7),
        ("sg-appointment", 8),
        ("council-cap", 9),
        ("council-not-above-previous", 9),
        ("standing-third", 9),
        ("council-frontline", 10),
        ("standing-frontline", 10),
        ("supervisory-board", 11),
        ("documents-task-11", 11),
    ];
    for (id, task) in expected {
        let (t, _) = cat.rule(id).unwrap_or_else(|| panic!("missing rule {id}"));
        assert_eq!(t.number, *task, "{id}");
    }
    assert_eq!(cat.rules().count(), expected.len());
    // Election rules apply in election years only; the others always.
    for (t, r) in cat.rules() {
        let want = if t.class == crate::catalogue::TaskClass::Election {
            Applies::ElectionYear
        } else {
            Applies::Always
        };
        assert_eq!(r.applies, want, "{}", r.id);
    }
    let kind = |id: &str| cat.rule(id).unwrap().1.kind.name();
    assert_eq!(kind("council-cap"), "band_cap");
    assert_eq!(kind("council-not-above-previous"), "not_above_previous");
    assert_eq!(kind("members-growth"), "growth_at_least");
    assert_eq!(kind("fee-rate-rises"), "rate_rises");
    assert_eq!(kind("sg-appointment"), "dates_in_order");
    let sev = |id: &str| cat.rule(id).unwrap().1.severity;
    assert_eq!(sev("council-not-above-previous"), Severity::InPrinciple);
    assert_eq!(sev("council-cap"), Severity::Hard);
}

#[test]
fn verdicts_are_ordered_by_task_then_declaration() {
    let cat = builtin_2017();
    let v = evaluate(&cat, &Facts::default());
    let declared: Vec<&str> = cat.rules().map(|(_, r)| r.id.as_str()).collect();
    let got: Vec<&str> = v.iter().map(|v| v.rule.as_str()).collect();
    assert_eq!(got, declared);
    assert!(v.windows(2).all(|w| w[0].task <= w[1].task));
    let cap = v.iter().position(|v| v.rule == "council-cap");
    let prev = v
        .iter()
        .position(|v| v.rule == "council-not-above-previous");
    let third = v.iter().position(|v| v.rule == "standing-third");
    assert!(cap < prev && prev < third);
}

#[test]
fn check_result_json_shape() {
    let cat = builtin_2017();
    let facts = facts! {
        members_now: Some(23_000),
        council_new: Some(190),
        ..election()
    };
    let r = check(&cat, &facts);
    let json = serde_json::to_value(&r).unwrap();
    assert_eq!(json["year"], 2017);
    let cap = json["verdicts"]
        .as_array()
        .unwrap()
        .iter()
        .find(|v| v["rule"] == "council-cap")
        .unwrap();
    assert_eq!(cap["task"], 9);
    assert_eq!(cap["verdict"], "fail");
    assert!(
        cap["clause"]
            .as_str()
            .unwrap()
            .contains("理事会人数一般不超过180人")
    );
    for key in ["explanation_zh", "explanation_en"] {
        assert!(cap[key].is_string());
    }
    let back: CheckResult = serde_json::from_value(json).unwrap();
    assert_eq!(back, r);
    for (v, s) in [
        (Verdict::Pass, "pass"),
        (Verdict::Fail, "fail"),
        (Verdict::Warning, "warning"),
        (Verdict::Insufficient, "insufficient"),
        (Verdict::NotApplicable, "not_applicable"),
    ] {
        assert_eq!(serde_json::to_value(v).unwrap(), s);
        assert_eq!(v.as_str(), s);
    }
}

// ----- R-RULE-9: council cap by bands of individual members ---------------------------------

#[test]
fn council_cap_boundaries() {
    // (members at the election, council size, verdict)
    let cases: &[(i64, i64, Verdict)] = &[
        (0, 150, Verdict::Pass),
        (19_999, 150, Verdict::Pass),
        (19_999, 151, Verdict::Fail),
        (20_000, 151, Verdict::Pass), // 2万以上: 20,000 is in the 180 band
        (20_000, 180, Verdict::Pass),
        (20_000, 181, Verdict::Fail),
        (99_999, 180, Verdict::Pass),
        (99_999, 181, Verdict::Fail),
        (100_000, 200, Verdict::Pass), // open in the text: 200 applied
        (100_000, 201, Verdict::Fail),
        (100_000, 181, Verdict::Pass),
        (100_001, 200, Verdict::Pass),
        (100_001, 201, Verdict::Fail),
        (5_000_000, 200, Verdict::Pass),
    ];
    for &(members, council, want) in cases {
        let facts = facts! {
            members_now: Some(members),
            council_new: Some(council),
            ..election()
        };
        let v = assert_verdict(&facts, "council-cap", want, &format!("{members}/{council}"));
        assert!(
            v.explanation_zh.contains(&group(members)),
            "{}",
            v.explanation_zh
        );
        assert!(
            v.explanation_en.contains(&group(council)),
            "{}",
            v.explanation_en
        );
    }
}

#[test]
fn council_cap_explains_the_open_edge_at_exactly_100000() {
    let at = |members| {
        run(
            &facts! {
                members_now: Some(members),
                council_new: Some(190),
                ..election()
            },
            "council-cap",
        )
    };
    let v = at(100_000);
    assert!(
        v.explanation_zh.contains("恰好10万人"),
        "{}",
        v.explanation_zh
    );
    assert!(
        v.explanation_zh.contains("未作规定"),
        "{}",
        v.explanation_zh
    );
    assert!(
        v.explanation_en.contains("leaves exactly 100,000 open"),
        "{}",
        v.explanation_en
    );
    for members in [99_999, 100_001] {
        let v = at(members);
        assert!(!v.explanation_zh.contains("未作规定"));
        assert!(!v.explanation_en.contains("open"));
    }
}

#[test]
fn council_cap_explanation_gives_the_numbers() {
    let facts = facts! {
        members_now: Some(23_000),
        council_new: Some(190),
        ..election()
    };
    let v = assert_verdict(&facts, "council-cap", Verdict::Fail, "23,000/190");
    assert_eq!(
        v.explanation_zh,
        "当前个人会员 23,000 人（2万以上且不足10万人），上限 180 人；新一届理事会 190 人，超出 10 人。"
    );
    assert_eq!(
        v.explanation_en,
        "Individual members now 23,000 (20,000 to under 100,000): cap 180; new council size 190, 10 over."
    );
    assert!(
        v.clause
            .starts_with("个人会员不足2万人的，理事会人数一般不超过150人")
    );
}

// ----- R-RULE-9: not above the previous council (原则上 → warning) ----------------------------

#[test]
fn council_not_above_previous() {
    /// (members end 2016, members now, previous council, new council, verdict, case)
    type Case = (Option<i64>, i64, i64, i64, Verdict, &'static str);
    let cases: &[Case] = &[
        (Some(10_000), 10_000, 120, 120, Verdict::Pass, "same size"),
        (Some(10_000), 10_000, 120, 110, Verdict::Pass, "smaller"),
        (
            Some(10_000),
            10_000,
            120,
            121,
            Verdict::Warning,
            "one above",
        ),
        (
            Some(10_000),
            13_000,
            120,
            140,
            Verdict::Warning,
            "exactly 30% is not more than 30%",
        ),
        (
            Some(10_000),
            13_001,
            120,
            140,
            Verdict::Pass,
            "30% + 1 member lifts it",
        ),
        (
            Some(10_000),
            12_000,
            150,
            150,
            Verdict::NotApplicable,
            "previous at the cap: not below",
        ),
        (
            Some(10_000),
            12_000,
            160,
            170,
            Verdict::NotApplicable,
            "previous above the cap",
        ),
        (
            Some(10_000),
            12_000,
            149,
            150,
            Verdict::Warning,
            "previous just below the cap",
        ),
        (
            None,
            12_000,
            120,
            110,
            Verdict::Pass,
            "not larger: growth not needed",
        ),
        (
            None,
            12_000,
            120,
            121,
            Verdict::Insufficient,
            "larger: growth needed",
        ),
        // The cap is chosen by members now: 20,000 → 180 band, so 170 is below it.
        (
            Some(15_000),
            20_000,
            170,
            171,
            Verdict::Pass,
            "growth 33% lifts",
        ),
        (
            Some(16_000),
            20_000,
            170,
            171,
            Verdict::Warning,
            "growth 25%",
        ),
    ];
    for &(base, now, prev, new, want, case) in cases {
        let facts = facts! {
            members_baseline: base,
            members_now: Some(now),
            council_previous: Some(prev),
            council_new: Some(new),
            ..election()
        };
        let v = assert_verdict(&facts, "council-not-above-previous", want, case);
        if want == Verdict::Warning {
            assert!(
                v.explanation_zh.contains("书面说明"),
                "{}",
                v.explanation_zh
            );
            assert!(
                v.explanation_en.contains("justification"),
                "{}",
                v.explanation_en
            );
        }
        if want == Verdict::Insufficient {
            assert!(v.explanation_zh.contains("members_baseline"));
            assert!(v.explanation_en.contains("members_baseline"));
        }
    }
    // Exactly 30% is shown as such.
    let v = run(
        &facts! {
            members_baseline: Some(10_000),
            members_now: Some(13_000),
            council_previous: Some(120),
            council_new: Some(140),
            ..election()
        },
        "council-not-above-previous",
    );
    assert!(
        v.explanation_zh.contains("增长 30.00%"),
        "{}",
        v.explanation_zh
    );
    assert!(
        v.explanation_en.contains("growth 30.00%"),
        "{}",
        v.explanation_en
    );
}

// ----- R-RULE-9: standing council at most one third ------------------------------------------

#[test]
fn standing_council_one_third() {
    let cases: &[(i64, i64, Verdict)] = &[
        (180, 60, Verdict::Pass),
        (180, 61, Verdict::Fail),
        (100, 33, Verdict::Pass),
        (100, 34, Verdict::Fail),
        (101, 33, Verdict::Pass),
        (101, 34, Verdict::Fail),
        (102, 34, Verdict::Pass),
        (0, 0, Verdict::Pass),
    ];
    for &(council, standing, want) in cases {
        let facts = facts! {
            council_new: Some(council),
            standing_new: Some(standing),
            ..election()
        };
        let v = assert_verdict(
            &facts,
            "standing-third",
            want,
            &format!("{council}/{standing}"),
        );
        if want == Verdict::Fail {
            assert!(
                v.explanation_zh.contains("超出 1 人"),
                "{}",
                v.explanation_zh
            );
            assert!(v.explanation_en.contains("1 over"), "{}", v.explanation_en);
        }
    }
}

// ----- R-RULE-10: frontline scientists ------------------------------------------------------

#[test]
fn frontline_three_quarters_of_council() {
    let cases: &[(i64, i64, Verdict)] = &[
        (180, 135, Verdict::Pass), // exactly 3/4
        (180, 134, Verdict::Fail),
        (100, 75, Verdict::Pass),
        (100, 74, Verdict::Fail),
        (101, 76, Verdict::Pass), // 75.75 → 76 needed
        (101, 75, Verdict::Fail),
        (150, 150, Verdict::Pass),
    ];
    for &(council, frontline, want) in cases {
        let facts = facts! {
            council_new: Some(council),
            council_frontline: Some(frontline),
            ..election()
        };
        assert_verdict(
            &facts,
            "council-frontline",
            want,
            &format!("{council}/{frontline}"),
        );
    }
    let v = run(
        &facts! {
            council_new: Some(180),
            council_frontline: Some(130),
            ..election()
        },
        "council-frontline",
    );
    assert!(
        v.explanation_zh.contains("至少 135 人"),
        "{}",
        v.explanation_zh
    );
    assert!(v.explanation_zh.contains("少 5 人"), "{}", v.explanation_zh);
    assert!(v.explanation_en.contains("5 short"), "{}", v.explanation_en);
    assert!(v.explanation_zh.contains("72.22%"), "{}", v.explanation_zh);
}

#[test]
fn frontline_two_thirds_of_standing_council() {
    let cases: &[(i64, i64, Verdict)] = &[
        (60, 40, Verdict::Pass), // exactly 2/3
        (60, 39, Verdict::Fail),
        (31, 21, Verdict::Pass), // 20.67 → 21 needed
        (31, 20, Verdict::Fail),
        (3, 2, Verdict::Pass),
        (3, 1, Verdict::Fail),
    ];
    for &(standing, frontline, want) in cases {
        let facts = facts! {
            standing_new: Some(standing),
            standing_frontline: Some(frontline),
            ..election()
        };
        assert_verdict(
            &facts,
            "standing-frontline",
            want,
            &format!("{standing}/{frontline}"),
        );
    }
}

// ----- R-RULE-2: members grow 15% or more; fee collection rate rises -------------------------

#[test]
fn members_growth_fifteen_percent() {
    let cases: &[(i64, i64, Verdict, &str)] = &[
        (10_000, 11_500, Verdict::Pass, "15.00%"),
        (10_000, 11_499, Verdict::Fail, "14.99%"),
        (10_000, 20_000, Verdict::Pass, "100.00%"),
        (10_000, 9_000, Verdict::Fail, "-10.00%"),
        (3, 4, Verdict::Pass, "33.33%"), // 3.45 needed → 4
        (7, 8, Verdict::Fail, "14.28%"), // 8.05 needed → 9
        (0, 0, Verdict::Pass, "—"),
    ];
    for &(base, now, want, shown) in cases {
        let facts = facts! {
            members_baseline: Some(base),
            members_now: Some(now),
            ..Facts::default()
        };
        let v = assert_verdict(&facts, "members-growth", want, &format!("{base}→{now}"));
        assert!(v.explanation_zh.contains(shown), "{}", v.explanation_zh);
        assert!(v.explanation_en.contains(shown), "{}", v.explanation_en);
    }
    let v = run(
        &facts! {
            members_baseline: Some(10_000),
            members_now: Some(11_499),
            ..Facts::default()
        },
        "members-growth",
    );
    assert!(
        v.explanation_zh.contains("至少 11,500 人"),
        "{}",
        v.explanation_zh
    );
    assert!(v.explanation_zh.contains("少 1 人"), "{}", v.explanation_zh);
}

#[test]
fn fee_rate_must_rise() {
    // (payers end 2016, members end 2016, payers now, members now)
    let cases: &[(i64, i64, i64, i64, Verdict)] = &[
        (5_000, 10_000, 5_750, 11_500, Verdict::Fail), // 50% = 50%: not higher
        (5_000, 10_000, 5_751, 11_500, Verdict::Pass),
        (5_000, 10_000, 5_749, 11_500, Verdict::Fail),
        (1, 3, 333_334, 1_000_000, Verdict::Pass), // 33.3334% > 33.333…%
        (1, 3, 333_333, 1_000_000, Verdict::Fail),
        (0, 10_000, 0, 11_500, Verdict::Fail),
        (5_000, 0, 10, 100, Verdict::Insufficient), // baseline rate undefined
        (5_000, 10_000, 0, 0, Verdict::Insufficient),
    ];
    for &(p0, m0, p1, m1, want) in cases {
        let facts = facts! {
            fee_payers_baseline: Some(p0),
            members_baseline: Some(m0),
            fee_payers_now: Some(p1),
            members_now: Some(m1),
            ..Facts::default()
        };
        assert_verdict(
            &facts,
            "fee-rate-rises",
            want,
            &format!("{p0}/{m0} → {p1}/{m1}"),
        );
    }
}

// ----- R-RULE-7 ------------------------------------------------------------------------------

#[test]
fn secretariat_rules() {
    for (n, want) in [(0, Verdict::Fail), (1, Verdict::Pass), (3, Verdict::Pass)] {
        let facts = facts! {
            fulltime_sg_level: Some(n),
            ..Facts::default()
        };
        assert_verdict(&facts, "fulltime-sg", want, &n.to_string());
    }
    for (b, want) in [(false, Verdict::Fail), (true, Verdict::Pass)] {
        let facts = facts! {
            has_office: Some(b),
            ..Facts::default()
        };
        assert_verdict(&facts, "office-premises", want, &b.to_string());
    }
}

// ----- R-RULE-8: nominated ≤ approved ≤ appointed --------------------------------------------

#[test]
fn secretary_general_steps_in_order() {
    /// (nominated, approved, appointed, verdict)
    type Case = (
        Option<&'static str>,
        Option<&'static str>,
        Option<&'static str>,
        Verdict,
    );
    let cases: &[Case] = &[
        (
            Some("2017-03-01"),
            Some("2017-03-10"),
            Some("2017-03-15"),
            Verdict::Pass,
        ),
        (
            Some("2017-03-10"),
            Some("2017-03-10"),
            Some("2017-03-10"),
            Verdict::Pass,
        ),
        (
            Some("2017-03-11"),
            Some("2017-03-10"),
            Some("2017-03-15"),
            Verdict::Fail,
        ),
        (
            Some("2017-03-01"),
            Some("2017-03-10"),
            Some("2017-03-09"),
            Verdict::Fail,
        ),
        (
            Some("2017-03-20"),
            Some("2017-03-10"),
            Some("2017-03-01"),
            Verdict::Fail,
        ),
        (
            Some("2017-03-01"),
            None,
            Some("2017-03-15"),
            Verdict::Insufficient,
        ),
        (None, None, None, Verdict::Insufficient),
    ];
    for &(a, b, c, want) in cases {
        let facts = facts! {
            sg_nominated_on: a.and_then(date),
            sg_approved_on: b.and_then(date),
            sg_appointed_on: c.and_then(date),
            ..election()
        };
        let v = assert_verdict(
            &facts,
            "sg-appointment",
            want,
            &format!("{a:?} {b:?} {c:?}"),
        );
        if a.is_some() && b.is_none() {
            assert!(
                v.explanation_zh.contains("sg_approved_on"),
                "{}",
                v.explanation_zh
            );
            assert!(!v.explanation_zh.contains("sg_nominated_on"));
        }
    }
    let v = run(
        &facts! {
            sg_nominated_on: date("2017-03-11"),
            sg_approved_on: date("2017-03-10"),
            sg_appointed_on: date("2017-03-15"),
            ..election()
        },
        "sg-appointment",
    );
    assert!(
        v.explanation_en.contains("2017-03-10"),
        "{}",
        v.explanation_en
    );
    assert!(
        v.explanation_en.contains("is before"),
        "{}",
        v.explanation_en
    );
}

// ----- R-RULE-11, R-RULE-DOC: dated steps and documents --------------------------------------

#[test]
fn dated_facts() {
    let cases: &[(&str, Facts, Verdict)] = &[
        (
            "supervisory-board",
            facts! {
                supervisory_board_elected_on: date("2017-12-31"),
                ..election()
            },
            Verdict::Pass,
        ),
        (
            "supervisory-board",
            facts! {
                supervisory_board_elected_on: date("2018-01-01"),
                ..election()
            },
            Verdict::Fail,
        ),
        ("supervisory-board", election(), Verdict::Insufficient),
        (
            "party-org",
            facts! {
                party_org_established_on: date("2015-07-01"),
                ..Facts::default()
            },
            Verdict::Pass,
        ),
        (
            "party-org",
            facts! {
                party_org_established_on: date("2018-01-01"),
                ..Facts::default()
            },
            Verdict::Fail,
        ),
        (
            // The 2017 annual report is published in 2018: fine (R-RULE-DOC).
            "annual-report",
            facts! {
                annual_report_published_on: date("2018-04-30"),
                ..Facts::default()
            },
            Verdict::Pass,
        ),
        ("annual-report", Facts::default(), Verdict::Insufficient),
    ];
    for (rule, facts, want) in cases {
        assert_verdict(facts, rule, *want, rule);
    }
    let v = run(
        &facts! {
            annual_report_published_on: date("2018-04-30"),
            ..Facts::default()
        },
        "annual-report",
    );
    assert!(
        v.explanation_zh.contains("2018年发布的日期同样有效"),
        "{}",
        v.explanation_zh
    );
}

#[test]
fn documents_present() {
    let docs = |ids: &[&str]| {
        facts! {
            documents: Some(ids.iter().map(|s| s.to_string()).collect::<Vec<_>>()),
            ..Facts::default()
        }
    };
    assert_verdict(
        &Facts::default(),
        "documents-task-1",
        Verdict::Insufficient,
        "none given",
    );
    let v = assert_verdict(
        &docs(&["council-rules", "standing-council-rules"]),
        "documents-task-1",
        Verdict::Fail,
        "two of four",
    );
    assert!(
        v.explanation_zh
            .contains("缺少：理事长办公会议事规则、秘书长工作会议事规则"),
        "{}",
        v.explanation_zh
    );
    assert!(
        v.explanation_en
            .contains("Missing: Rules of procedure of the president's office meeting"),
        "{}",
        v.explanation_en
    );
    assert_verdict(
        &docs(&[
            "council-rules",
            "standing-council-rules",
            "president-office-rules",
            "sg-meeting-rules",
        ]),
        "documents-task-1",
        Verdict::Pass,
        "all four",
    );
    assert_verdict(&docs(&[]), "documents-task-7", Verdict::Fail, "empty list");
    assert_verdict(
        &docs(&["hr-rules", "recruitment-rules"]),
        "documents-task-7",
        Verdict::Pass,
        "both",
    );
    assert_verdict(
        &docs(&["supervisory-rules"]),
        "documents-task-11",
        Verdict::Insufficient,
        "no election_year",
    );
    let f = facts! {
        election_year: Some(true),
        ..docs(&["supervisory-rules"])
    };
    assert_verdict(&f, "documents-task-11", Verdict::Pass, "election");
}

#[test]
fn directors_adjusted_is_in_principle() {
    let cases: &[(i64, i64, Verdict)] = &[
        (0, 0, Verdict::Pass),
        (3, 3, Verdict::Pass),
        (3, 2, Verdict::Warning),
        (3, 5, Verdict::Pass),
    ];
    for &(absent, adjusted, want) in cases {
        let facts = facts! {
            directors_absent_without_reason: Some(absent),
            directors_adjusted: Some(adjusted),
            ..Facts::default()
        };
        let v = assert_verdict(
            &facts,
            "directors-adjusted",
            want,
            &format!("{absent}/{adjusted}"),
        );
        // A whole reads "all", never "at least 1/1" (issue 10).
        if absent > 0 {
            assert!(
                v.explanation_zh.contains("要求全部（"),
                "{}",
                v.explanation_zh
            );
            assert!(!v.explanation_zh.contains("1/1"), "{}", v.explanation_zh);
            assert!(
                v.explanation_en.contains("all required ("),
                "{}",
                v.explanation_en
            );
        }
    }
}

// ----- applicability and missing facts ------------------------------------------------------

#[test]
fn election_rules_not_applicable_outside_an_election_year() {
    let cat = builtin_2017();
    let facts = facts! {
        election_year: Some(false),
        members_now: Some(23_000),
        council_new: Some(500),
        ..Facts::default()
    };
    for v in evaluate(&cat, &facts) {
        let task = cat.task(v.task).unwrap();
        if task.class == crate::catalogue::TaskClass::Election {
            assert_eq!(v.verdict, Verdict::NotApplicable, "{}", v.rule);
            assert!(v.explanation_zh.contains("不换届"));
            assert!(v.explanation_en.contains("No council election"));
        } else {
            assert_ne!(v.verdict, Verdict::NotApplicable, "{}", v.rule);
        }
    }
}

#[test]
fn election_rules_insufficient_when_election_year_unknown() {
    let cat = builtin_2017();
    let facts = facts! {
        members_now: Some(23_000),
        council_new: Some(100),
        ..Facts::default()
    };
    let v = evaluate(&cat, &facts);
    let cap = v.iter().find(|v| v.rule == "council-cap").unwrap();
    assert_eq!(cap.verdict, Verdict::Insufficient);
    assert!(cap.explanation_zh.contains("election_year"));
    assert!(cap.explanation_en.contains("election_year"));
}

#[test]
fn missing_facts_are_named_in_both_languages() {
    let cat = builtin_2017();
    let v = evaluate(&cat, &election());
    for r in &v {
        assert_eq!(r.verdict, Verdict::Insufficient, "{}", r.rule);
        assert!(
            r.explanation_zh.starts_with("缺少数据"),
            "{}: {}",
            r.rule,
            r.explanation_zh
        );
        assert!(
            r.explanation_en.starts_with("Missing fact"),
            "{}: {}",
            r.rule,
            r.explanation_en
        );
    }
    let cap = v.iter().find(|v| v.rule == "council-cap").unwrap();
    assert!(
        cap.explanation_zh.contains("新一届理事会（council_new）"),
        "{}",
        cap.explanation_zh
    );
    assert!(
        cap.explanation_zh.contains("当前个人会员（members_now）"),
        "{}",
        cap.explanation_zh
    );
    assert!(
        cap.explanation_en
            .contains("new council size (council_new)"),
        "{}",
        cap.explanation_en
    );
    // Only the missing one is named.
    let v = run(
        &facts! {
            members_now: Some(23_000),
            ..election()
        },
        "council-cap",
    );
    assert!(v.explanation_en.contains("council_new") && !v.explanation_en.contains("members_now"));
}

// ----- properties ---------------------------------------------------------------------------

fn cap_for(members: i64) -> i64 {
    let cat = builtin_2017();
    let Some((_, rule)) = cat.rule("council-cap") else {
        panic!("no council-cap")
    };
    let Some(BandCap { bands, .. }) = rule.kind.downcast_ref::<BandCap>() else {
        panic!("council-cap is not band_cap")
    };
    bands
        .iter()
        .find(|b| b.contains(members))
        .map(|b| b.cap)
        .unwrap()
}

fn arb_date() -> impl Strategy<Value = Option<NaiveDate>> {
    proptest::option::of(
        (0i64..1200).prop_map(|d| NaiveDate::from_ymd_opt(2016, 1, 1).unwrap() + Duration::days(d)),
    )
}

/// Arbitrary facts, including missing values, zeros and inconsistent combinations.
fn arb_facts() -> impl Strategy<Value = Facts> {
    let ints = names_of(FactKind::Int);
    let dates = names_of(FactKind::Date);
    let doc_ids: Vec<String> = builtin_2017()
        .documents
        .iter()
        .map(|d| d.id.clone())
        .collect();
    (
        proptest::collection::vec(
            proptest::option::of(prop_oneof![0i64..400, 0i64..300_000]),
            ints.len(),
        ),
        proptest::collection::vec(arb_date(), dates.len()),
        proptest::option::of(any::<bool>()),
        proptest::option::of(any::<bool>()),
        proptest::option::of(proptest::sample::subsequence(
            doc_ids.clone(),
            0..=doc_ids.len(),
        )),
    )
        .prop_map(move |(iv, dv, election, office, docs)| {
            let mut f = Facts::default();
            for (name, v) in ints.iter().zip(iv) {
                f.set_opt(name.as_str(), v);
            }
            for (name, v) in dates.iter().zip(dv) {
                f.set_opt(name.as_str(), v);
            }
            f.set_opt("election_year", election);
            f.set_opt("has_office", office);
            f.set_opt("documents", docs);
            f
        })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    /// R-RULE-10: more frontline scientists never turn a pass into a fail, for any rule.
    #[test]
    fn adding_frontline_never_turns_pass_into_fail(
        council in 1i64..400,
        standing_share in 0i64..=100,
        cf_share in 0i64..=100,
        sf_share in 0i64..=100,
        add_c in 0i64..50,
        add_s in 0i64..50,
    ) {
        let standing = council * standing_share / 100;
        let cf = council * cf_share / 100;
        let sf = standing * sf_share / 100;
        let before = facts! {
            council_new: Some(council),
            standing_new: Some(standing),
            council_frontline: Some(cf),
            standing_frontline: Some(sf),
            ..election()
        };
        let after = facts! {
            council_frontline: Some((cf + add_c).min(council)),
            standing_frontline: Some((sf + add_s).min(standing)),
            ..before.clone()
        };
        let cat = builtin_2017();
        for (b, a) in evaluate(&cat, &before).iter().zip(evaluate(&cat, &after)) {
            prop_assert_eq!(&b.rule, &a.rule);
            if b.verdict == Verdict::Pass {
                prop_assert_eq!(a.verdict, Verdict::Pass, "{}: {}", a.rule, a.explanation_en);
            }
        }
    }

    /// R-RULE-9: a council one below its band's cap always passes; at the cap passes;
    /// one above fails.
    #[test]
    fn council_one_below_cap_passes(members in prop_oneof![0i64..200_000, 0i64..i64::MAX / 4]) {
        let cap = cap_for(members);
        for (council, want) in [(cap - 1, Verdict::Pass), (cap, Verdict::Pass), (cap + 1, Verdict::Fail)] {
            let facts = facts! {
                members_now: Some(members),
                council_new: Some(council),
                ..election()
            };
            prop_assert_eq!(run(&facts, "council-cap").verdict, want);
        }
    }

    /// Verdicts are a pure function of (catalogue, facts); every explanation is non-empty in
    /// both languages, and every verdict carries its clause.
    #[test]
    fn deterministic_and_always_explained(facts in arb_facts()) {
        let cat = builtin_2017();
        let first = evaluate(&cat, &facts);
        let second = evaluate(&cat, &facts.clone());
        prop_assert_eq!(&first, &second);
        prop_assert_eq!(first.len(), cat.rules().count());
        for v in &first {
            prop_assert!(!v.explanation_zh.trim().is_empty(), "{}", v.rule);
            prop_assert!(!v.explanation_en.trim().is_empty(), "{}", v.rule);
            prop_assert!(!v.clause.is_empty());
            prop_assert!(cat.task(v.task).unwrap().clause_zh.contains(&v.clause));
        }
    }

    /// Unvalidated input (negative, extreme) never panics or overflows: `evaluate` is total.
    #[test]
    fn total_on_extreme_values(values in proptest::collection::vec(any::<i64>(), 19), election in any::<bool>()) {
        let mut f = facts! { election_year: Some(election), ..Facts::default() };
        for (name, v) in names_of(FactKind::Int).into_iter().zip(values) {
            f.set(name, v);
        }
        let cat = builtin_2017();
        for v in evaluate(&cat, &f) {
            prop_assert!(!v.explanation_zh.is_empty() && !v.explanation_en.is_empty());
        }
    }

    /// R-RULE-2: growth verdict agrees with exact rational arithmetic.
    #[test]
    fn growth_matches_exact_arithmetic(base in 0i64..1_000_000, now in 0i64..2_000_000) {
        let facts = facts! { members_baseline: Some(base), members_now: Some(now), ..Facts::default() };
        let want = if i128::from(now) * 100 >= i128::from(base) * 115 { Verdict::Pass } else { Verdict::Fail };
        prop_assert_eq!(run(&facts, "members-growth").verdict, want);
    }
}

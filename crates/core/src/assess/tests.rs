//! The `[assessment]` section (R-ASSESS-1..3): the 2017 default, loader errors at the right
//! line; scoring by hand; every outcome rule at its boundary; a small year end to end.

use super::*;
use crate::catalogue::{BUILTIN_2017_SOURCE, Catalogue, builtin_2017, parse};
use crate::rules::Verdict;
use crate::tracking::RateCell;

fn s(t: &str) -> Score {
    Score::parse(t).unwrap()
}

fn rules(c: &Catalogue) -> &AssessmentRules {
    c.assessment.as_ref().unwrap()
}

// ----- the 2017 section ----------------------------------------------------------------------

#[test]
fn builtin_2017_has_the_default_indicators() {
    let c = builtin_2017();
    let r = rules(&c);
    assert_eq!(r.weights_source, WeightsSource::SystemDefault);
    assert!(r.note_zh.as_deref().unwrap().contains("本系统的默认设置"));
    assert_eq!(r.total_points, s("1000"));
    assert_eq!(r.rounding, Rounding::HalfUp);
    assert_eq!(r.objection_days, 7);
    // The chain of CAST's sheet: 组织支撑 130 › 治理结构 60 › 决策机构运行 30 › 出席率 10.
    let chain: Vec<(String, String, Score, u32)> = ["1", "1.1", "1.1.1", "1.1.1.1"]
        .iter()
        .map(|id| {
            let (_, i) = r.indicator(id).unwrap();
            (i.id.clone(), i.name_zh.clone(), i.points, i.level)
        })
        .collect();
    assert_eq!(
        chain,
        vec![
            ("1".into(), "组织支撑".into(), s("130"), 1),
            ("1.1".into(), "治理结构".into(), s("60"), 2),
            ("1.1.1".into(), "决策机构运行".into(), s("30"), 3),
            (
                "1.1.1.1".into(),
                "理事会常务理事会出席率".into(),
                s("10"),
                4
            ),
        ]
    );
    assert_eq!(r.indicator("1.1.1.1").unwrap().1.leaf, Some(Leaf::Expert));
    // Parents are the sum of their children, the top level is the total.
    for (ix, ind) in r.indicators.iter().enumerate() {
        let children: Vec<Score> = r.children(ix).map(|(_, c)| c.points).collect();
        if !children.is_empty() {
            let sum = children
                .iter()
                .fold(Score::ZERO, |a, b| a.checked_add(*b).unwrap());
            assert_eq!(sum, ind.points, "{}", ind.id);
            assert!(ind.leaf.is_none());
        } else {
            assert!(ind.leaf.is_some(), "{}", ind.id);
        }
    }
    // Every one of the 24 tasks is assessed by some automatic leaf (by number or class).
    for t in &c.tasks {
        let covered = r.leaves().any(|(_, i)| match &i.leaf {
            Some(Leaf::Automatic(AutoSource::TaskAcceptance { scope, .. })) => {
                scope.contains(t.number, t.class)
            }
            _ => false,
        });
        let task1 = t.number == 1; // task 1 by its rule and two expert leaves
        assert!(covered || task1, "task {} not assessed", t.number);
    }
    assert_eq!(r.aggregation, Aggregation::TrimmedMean { trim_from: 5 });
    assert_eq!(r.outcomes.commend_at, s("850"));
    assert_eq!(
        r.ranking.peer_groups,
        vec![
            PeerGroupKind::DisciplineGroup,
            PeerGroupKind::MembershipBand
        ]
    );
    assert_eq!(r.ranking.membership_bands, vec![20_000, 100_000]);
    assert_eq!(r.membership_band(19_999), 0);
    assert_eq!(r.membership_band(20_000), 1);
    assert_eq!(r.membership_band(100_000), 2);
    assert_eq!(r.membership_band_label(1).0, "个人会员 20,000–99,999 人");
    assert_eq!(
        r.membership_band_label(0).1,
        "under 20,000 individual members"
    );
    assert_eq!(
        r.membership_band_label(2).1,
        "100,000 individual members or more"
    );
    assert_eq!(
        r.subsidy,
        SubsidyRules::Pool {
            budget: Yuan::new(20_000_000).unwrap(),
            floor: Yuan::new(200_000).unwrap(),
            cap: Some(Yuan::new(1_000_000).unwrap()),
        }
    );
    // Serialisable for the API.
    let v = serde_json::to_value(&c).unwrap();
    assert_eq!(v["assessment"]["indicators"][0]["points"], "130");
    assert_eq!(v["assessment"]["subsidy"]["mode"], "pool");
}

#[test]
fn the_section_is_optional() {
    let start = BUILTIN_2017_SOURCE.find("\n[assessment]\n").unwrap();
    let c = parse(&BUILTIN_2017_SOURCE[..start], "2018.toml").unwrap();
    assert_eq!(c.assessment, None);
    let e = year::assess_year(&c, &[]).unwrap_err();
    assert_eq!(e, AssessError::NoRules { year: 2017 });
}

#[test]
fn every_source_is_implemented() {
    // The loader's table of sources and its match agree: each name, given its parameters,
    // loads (or fails on a parameter, never as "not implemented").
    for name in config::source_names() {
        let src = BUILTIN_2017_SOURCE.replacen(
            "source = \"reports_received\"",
            &format!("source = \"{name}\""),
            1,
        );
        if let Err(e) = parse(&src, "x.toml") {
            assert!(!e.message.contains("not implemented"), "{name}: {e}");
            assert!(e.message.contains("needs"), "{name}: {e}");
        }
    }
}

// ----- loader errors point at the right line -------------------------------------------------

fn line_of(src: &str, needle: &str, nth: usize) -> usize {
    let (pos, _) = src.match_indices(needle).nth(nth).unwrap();
    src[..pos].matches('\n').count() + 1
}

/// Replace `from` (its first occurrence after `[assessment]`) by `to`, parse, and check the
/// error: message words and the line of the `nth` occurrence of `at` after `[assessment]`.
#[track_caller]
fn expect_error(from: &str, to: &str, at: &str, nth: usize, words: &str) {
    let section = BUILTIN_2017_SOURCE.find("\n[assessment]\n").unwrap();
    let (head, tail) = BUILTIN_2017_SOURCE.split_at(section);
    assert!(tail.contains(from), "{from}");
    let src = format!("{head}{}", tail.replacen(from, to, 1));
    let e = parse(&src, "2017.toml").unwrap_err();
    assert!(e.message.contains(words), "expected '{words}' in: {e}");
    let line = line_of(&src[section..], at, nth) + head.matches('\n').count();
    assert_eq!(e.line, line, "wrong line for: {e}");
    assert!(e.to_string().starts_with(&format!("2017.toml:{line}:")));
}

#[test]
fn points_must_add_up() {
    // A child worth 11 makes 决策机构运行 31, not 30: reported at the parent's points.
    expect_error(
        "points = 10\nkind = \"expert\"\nguide_zh = \"依据会议签到",
        "points = 11\nkind = \"expert\"\nguide_zh = \"依据会议签到",
        "points = 30",
        0,
        "indicator '1.1.1' has 30 points but its sub-indicators add up to 31",
    );
    expect_error(
        "total_points = 1000",
        "total_points = 999",
        "total_points = 999",
        0,
        "total_points is 999 but the top-level indicators add up to 1000",
    );
}

#[test]
fn points_are_exact_decimals() {
    expect_error(
        "points = 20\nkind = \"expert\"",
        "points = 19.5\nkind = \"expert\"",
        "points = 19.5",
        0,
        "write a decimal as a string, e.g. \"19.5\"",
    );
    expect_error(
        "points = 20\nkind = \"expert\"",
        "points = \"19.505\"\nkind = \"expert\"",
        "points = \"19.505\"",
        0,
        "more than two decimal places",
    );
    expect_error(
        "points = 20\nkind = \"expert\"",
        "points = -20\nkind = \"expert\"",
        "points = -20",
        0,
        "must not be negative",
    );
    // Decimal points that add up are fine: 6.5 + 13.5 = 20.
    let src = BUILTIN_2017_SOURCE.replacen(
        "id = \"6.5\"\nname_zh = \"改革工作总体评价\"\nname_en = \"Overall judgement of the reform work\"\npoints = 20\nkind = \"expert\"",
        "id = \"6.5\"\nname_zh = \"改革工作总体评价\"\nname_en = \"Overall judgement of the reform work\"\npoints = 20\n\n[[assessment.indicators]]\nid = \"6.5.1\"\nname_zh = \"甲\"\nname_en = \"A\"\npoints = \"6.5\"\nkind = \"expert\"\n\n[[assessment.indicators]]\nid = \"6.5.2\"\nname_zh = \"乙\"\nname_en = \"B\"\npoints = \"13.50\"\nkind = \"expert\"",
        1,
    );
    let c = parse(&src, "x").unwrap();
    assert_eq!(rules(&c).indicator("6.5.1").unwrap().1.points, s("6.5"));
    assert_eq!(rules(&c).indicator("6.5").unwrap().1.leaf, None);
}

#[test]
fn tree_shape_errors() {
    expect_error(
        "id = \"6.5\"",
        "id = \"7.5\"",
        "id = \"7.5\"",
        0,
        "its parent '7' must be declared before it",
    );
    expect_error(
        "id = \"6.5\"",
        "id = \"6.05\"",
        "id = \"6.05\"",
        0,
        "dotted numbers",
    );
    expect_error(
        "id = \"6.5\"",
        "id = \"6.4\"",
        "id = \"6.4\"",
        1,
        "duplicate indicator id '6.4'",
    );
    // A leaf without kind; an inner node with one.
    expect_error(
        "points = 20\nkind = \"expert\"\n\n[[assessment.adjustments]]",
        "points = 20\n\n[[assessment.adjustments]]",
        "id = \"6.5\"",
        0,
        "indicator '6.5' has no sub-indicators, so it needs kind",
    );
    expect_error(
        "name_en = \"Running the reform\"\npoints = 150\n",
        "name_en = \"Running the reform\"\npoints = 150\nkind = \"expert\"\n",
        "kind = \"expert\"\n\n[[assessment.indicators]]\nid = \"6.1\"",
        0,
        "indicator '6' has sub-indicators, so it takes no 'kind'",
    );
    expect_error(
        "points = 20\nkind = \"expert\"\n\n[[assessment.adjustments]]",
        "points = 20\nkind = \"judge\"\n\n[[assessment.adjustments]]",
        "kind = \"judge\"",
        0,
        "kind must be \"automatic\" or \"expert\"",
    );
    expect_error(
        "name_en = \"Quality of the annual report\"\n",
        "name_en = \"Quality of the annual report\"\nweight = 3\n",
        "weight = 3",
        0,
        "weight",
    );
}

#[test]
fn leaf_parameter_errors() {
    expect_error(
        "source = \"reports_received\"",
        "source = \"reports_received\"\ntasks = [1]",
        "tasks = [1]",
        0,
        "parameter 'tasks' does not apply to source 'reports_received' (it takes: nothing)",
    );
    expect_error(
        "source = \"reports_received\"",
        "source = \"reports_late\"",
        "reports_late",
        0,
        "unknown source 'reports_late'",
    );
    expect_error(
        "rules = [\"members-growth\"]",
        "rules = [\"member-growth\"]",
        "member-growth",
        0,
        "rule 'member-growth' does not exist",
    );
    expect_error(
        "tasks = [4]",
        "tasks = [25]",
        "tasks = [25]",
        0,
        "indicator '1.1.2.1': no task 25 in this catalogue",
    );
    expect_error(
        "classes = [\"optional\"]\n\n[[assessment.indicators]]\nid = \"5.2\"",
        "classes = [\"optional\", \"optional\"]\n\n[[assessment.indicators]]\nid = \"5.2\"",
        "classes = [\"optional\", \"optional\"]",
        0,
        "class 'optional' listed twice",
    );
    expect_error(
        "per_day_late = 2",
        "per_day_late = 31",
        "per_day_late = 31",
        0,
        "at most the indicator's 30 points",
    );
    expect_error(
        "tasks = [4]",
        "tasks = [4]\npartly_percent = 101",
        "partly_percent = 101",
        0,
        "partly_percent must be between 0 and 100",
    );
    expect_error(
        "points = 30\nkind = \"expert\"\n\n[[assessment.indicators]]\nid = \"3\"",
        "points = 30\nkind = \"expert\"\nrules = [\"annual-report\"]\n\n[[assessment.indicators]]\nid = \"3\"",
        "rules = [\"annual-report\"]",
        0,
        "parameter 'rules' does not apply to an expert indicator",
    );
}

#[test]
fn other_section_errors() {
    expect_error(
        "method = \"trimmed_mean\"",
        "method = \"median\"",
        "median",
        0,
        "method must be \"mean\" or \"trimmed_mean\"",
    );
    expect_error(
        "method = \"trimmed_mean\"\ntrim_from = 5",
        "method = \"mean\"\ntrim_from = 5",
        "trim_from = 5",
        0,
        "trim_from applies to method = \"trimmed_mean\" only",
    );
    expect_error(
        "trim_from = 5",
        "trim_from = 2",
        "trim_from = 2",
        0,
        "between 3 and 100",
    );
    // 1,000 points + the 30-point bonus is the most a society can reach.
    expect_error(
        "commend_at = 850",
        "commend_at = \"1030.01\"",
        "commend_at",
        0,
        "commend_at 1030.01 can never be reached (at most 1030 with every bonus)",
    );
    let src = BUILTIN_2017_SOURCE.replacen("commend_at = 850", "commend_at = 1030", 1);
    assert!(parse(&src, "x").is_ok());
    expect_error(
        "membership_bands = [20000, 100000]",
        "membership_bands = [20000, 20000]",
        "membership_bands",
        0,
        "band edges must increase: 20000 follows 20000",
    );
    expect_error(
        "peer_groups = [\"discipline_group\", \"membership_band\"]",
        "peer_groups = [\"discipline_group\"]",
        "membership_bands = [",
        0,
        "membership_bands is given but 'membership_band' is not in peer_groups",
    );
    expect_error(
        "peer_groups = [\"discipline_group\", \"membership_band\"]",
        "peer_groups = [\"discipline\"]",
        "peer_groups",
        0,
        "discipline",
    );
    expect_error(
        "objection_days = 7",
        "objection_days = 0",
        "objection_days = 0",
        0,
        "between 1 and 90",
    );
    expect_error(
        "max = 50",
        "max = 0",
        "max = 0",
        0,
        "adjustment 'false-report': max must be above 0",
    );
    expect_error(
        "id = \"exemplary\"",
        "id = \"violation\"",
        "id = \"violation\"",
        1,
        "duplicate adjustment id 'violation'",
    );
    expect_error(
        "kind = \"bonus\"",
        "kind = \"reward\"",
        "kind = \"reward\"",
        0,
        "reward",
    );
    expect_error(
        "criticised_clause_zh = \"对不能按照要求完成改革任务的学会将进行通报批评。\"",
        "criticised_clause_zh = \" \"",
        "criticised_clause_zh",
        0,
        "criticised_clause_zh must not be empty",
    );
}

#[test]
fn subsidy_section_errors() {
    expect_error(
        "floor = 200000",
        "floor = 2000000",
        "floor = 2000000",
        0,
        "floor of 2,000,000 yuan is above the cap",
    );
    expect_error(
        "budget = 20000000",
        "budget = -1",
        "budget = -1",
        0,
        "whole yuan",
    );
    expect_error(
        "mode = \"pool\"",
        "mode = \"share\"",
        "mode = \"share\"",
        0,
        "mode must be \"pool\" or \"tiers\"",
    );
    expect_error(
        "mode = \"pool\"",
        "mode = \"tiers\"",
        "floor = 200000",
        0,
        "'floor' does not apply to mode \"tiers\"",
    );
    expect_error(
        "budget = 20000000\n",
        "",
        "mode = \"pool\"",
        0,
        "mode \"pool\" needs a budget",
    );
    // A tiers section: valid, then with amounts that do not decrease.
    let tiers = "mode = \"tiers\"\ntie_rule = \"higher_tier\"\nbudget = 12000000\ntiers = [\n  { count = 5, amount = 1000000, name_zh = \"一等\", name_en = \"First class\" },\n  { count = 15, amount = 400000 },\n]\n";
    let section = BUILTIN_2017_SOURCE.find("[assessment.subsidy]\n").unwrap();
    let head = &BUILTIN_2017_SOURCE[..section];
    let c = parse(&format!("{head}[assessment.subsidy]\n{tiers}"), "x").unwrap();
    match &rules(&c).subsidy {
        SubsidyRules::Tiers {
            tiers,
            tie_rule,
            budget,
        } => {
            assert_eq!(tiers.len(), 2);
            assert_eq!(tiers[0].name_en.as_deref(), Some("First class"));
            assert_eq!(*tie_rule, TieRule::HigherTier);
            assert_eq!(budget.map(Yuan::get), Some(12_000_000));
        }
        other => panic!("{other:?}"),
    }
    let bad = tiers.replace("amount = 400000", "amount = 1000000");
    let src = format!("{head}[assessment.subsidy]\n{bad}");
    let e = parse(&src, "x").unwrap_err();
    assert!(e.message.contains("tiers[1].amount"), "{e}");
    assert_eq!(e.line, line_of(&src, "{ count = 15", 0));
    // 5 × 1,000,000 + 15 × 400,000 = 11,000,000 > 10,000,000.
    let bad = tiers.replace("budget = 12000000", "budget = 10000000");
    let src = format!("{head}[assessment.subsidy]\n{bad}");
    let e = parse(&src, "x").unwrap_err();
    assert!(e.message.contains("costs 11,000,000 yuan"), "{e}");
    assert_eq!(e.line, line_of(&src, "budget = 10000000", 0));
}

// ----- scoring by hand -----------------------------------------------------------------------

fn task(number: u32, status: AcceptanceStatus, t: (u32, u32), m: (u32, u32)) -> TaskResult {
    TaskResult {
        number,
        status,
        targets: t.0,
        targets_met: t.1,
        milestones: m.0,
        milestones_reached: m.1,
    }
}

fn leaf(id: &str, self_score: Option<&str>, reviewers: &[&str]) -> LeafEntry {
    LeafEntry {
        indicator: id.into(),
        self_score: self_score.map(s),
        reviewer_scores: reviewers.iter().map(|r| s(r)).collect(),
    }
}

fn verdicts(list: &[(&str, Verdict)]) -> Vec<RuleResult> {
    list.iter()
        .map(|(r, v)| RuleResult {
            rule: (*r).into(),
            verdict: *v,
        })
        .collect()
}

use AcceptanceStatus::{Completed as C, NotCompleted as N, Partly as P};

/// A non-electing society, worked through every leaf by hand in `hand_scored_society`.
fn society() -> SocietyYear {
    SocietyYear {
        code: "A-01".into(),
        discipline_group: "A".into(),
        members: Some(23_000),
        election_year: false,
        plan: Some(PlanResult {
            days_late: 3,
            tasks: vec![
                task(1, C, (0, 0), (0, 0)),
                task(2, C, (2, 2), (2, 1)),
                task(3, P, (0, 0), (0, 0)),
                task(4, C, (0, 0), (0, 0)),
                task(5, C, (0, 0), (0, 0)),
                task(6, C, (0, 0), (0, 0)),
                task(7, C, (0, 0), (0, 0)),
                task(12, C, (2, 2), (1, 1)),
                task(13, C, (1, 1), (0, 0)),
                task(14, P, (2, 1), (2, 0)),
                task(15, C, (1, 1), (0, 0)),
                task(16, N, (1, 0), (0, 0)),
            ],
        }),
        verdicts: verdicts(&[
            ("documents-task-1", Verdict::Pass),
            ("members-growth", Verdict::Warning),
            ("fee-rate-rises", Verdict::Pass),
            ("fulltime-sg", Verdict::Pass),
            ("office-premises", Verdict::Fail),
            ("sg-appointment", Verdict::NotApplicable),
            ("council-cap", Verdict::NotApplicable),
            ("council-not-above-previous", Verdict::NotApplicable),
            ("standing-third", Verdict::NotApplicable),
            ("council-frontline", Verdict::NotApplicable),
            ("standing-frontline", Verdict::NotApplicable),
            ("supervisory-board", Verdict::NotApplicable),
            ("documents-task-11", Verdict::NotApplicable),
        ]),
        reports: RateCell {
            expected: 7,
            received: 6,
            on_time: 5,
        },
        leaves: vec![
            leaf("1.1.1.1", Some("10"), &["8", "9", "10", "7", "9.5"]),
            leaf("1.1.1.3", Some("9"), &["9", "8"]),
            leaf("2.4", None, &["25", "26", "27"]),
            leaf("3.2", None, &["20.5", "21", "22.25", "19", "30"]),
            leaf("5.3", None, &["80", "85", "90", "70", "95", "88"]),
            leaf("6.5", None, &["15"]),
        ],
        adjustments: vec![
            AdjustmentEntry {
                id: "exemplary".into(),
                points: s("10"),
                reason: "会员服务经验在全国学会推广".into(),
            },
            AdjustmentEntry {
                id: "false-report".into(),
                points: s("5"),
                reason: "9月月报会员数与年报不一致".into(),
            },
        ],
    }
}

fn points_of(card: &ScoreCard, r: &AssessmentRules, id: &str) -> Score {
    let (ix, _) = r.indicator(id).unwrap();
    card.subtotals(r)[ix]
}

#[test]
fn hand_scored_society() {
    let c = builtin_2017();
    let r = rules(&c);
    let card = score_society(&c, r, &society()).unwrap().unwrap();
    let expect: &[(&str, &str)] = &[
        // 5 reviewers: without 10 and 7, (8 + 9 + 9.5) / 3 = 8.8333… → 8.83.
        ("1.1.1.1", "8.83"),
        ("1.1.1.2", "10"),  // documents-task-1 passes
        ("1.1.1.3", "8.5"), // 2 reviewers: (9 + 8) / 2
        ("1.1.1", "27.33"),
        ("1.1.2.1", "15"), // task 4 completed
        ("1.1.2.2", "15"), // task 5 completed
        ("1.1", "57.33"),
        ("1.2.1", "10"),  // fulltime-sg pass, office-premises fail: 20 × 1/2
        ("1.2.2", "20"),  // task 7 completed
        ("1.2.3", "7.5"), // task 3 partly: 15 × 50%
        ("1.2.4", "0"),   // no reviewer yet
        ("1", "94.83"),
        ("2.1", "30"), // members-growth warning: 60 × 50%
        ("2.2", "30"),
        ("2.3", "30"),
        ("2.4", "26"), // (25 + 26 + 27) / 3
        ("2", "116"),
        ("3.1", "40"),
        ("3.2", "21.25"), // without 30 and 19: (20.5 + 21 + 22.25) / 3 = 21.25
        ("3", "61.25"),
        ("4.1", "90"), // no election this year: not applicable, full points
        ("4.2", "60"), // every election rule not applicable
        ("4", "150"),
        ("5.1", "105"),   // 150 × (3 × 100% + 1 × 50%) / 5 = 105
        ("5.2", "71.43"), // targets 5 of 7: 100 × 5/7 = 71.428… → 71.43
        ("5.3", "85.75"), // 6 reviewers: without 95 and 70, 343 / 4
        ("5", "262.18"),
        ("6.1", "24"),    // 3 days late: 30 − 2 × 3
        ("6.2", "28.57"), // 5 of 7 on time: 40 × 5/7 = 28.571…
        ("6.3", "25.71"), // 6 of 7 received: 30 × 6/7 = 25.714…
        ("6.4", "12"),    // milestones 2 of 5 over every task: 30 × 2/5
        ("6.5", "15"),
        ("6", "105.28"),
    ];
    for (id, want) in expect {
        assert_eq!(points_of(&card, r, id), s(want), "indicator {id}");
    }
    assert_eq!(card.leaf_total, s("789.54"));
    assert_eq!(card.bonus, s("10"));
    assert_eq!(card.deduction, s("5"));
    assert_eq!(card.total, s("794.54"));
    assert_eq!(card.self_total, Some(s("19")));
    assert_eq!(card.missing_reviewer_scores, 1);
    assert_eq!(card.leaves.len(), r.leaves().count());

    // Every number is explained.
    let explain = |id: &str| {
        let (ix, _) = r.indicator(id).unwrap();
        card.leaves
            .iter()
            .find(|l| l.indicator as usize == ix)
            .unwrap()
            .explain(r)
    };
    assert_eq!(
        explain("1.1.1.1").zh,
        "5 位评审专家评分，去掉一个最高分 10 和一个最低分 7 后取 3 位的平均：26.5 ÷ 3 = 8.83 分（四舍五入到 0.01）。"
    );
    assert_eq!(
        explain("5.1").en,
        "Task acceptance: 3 completed, 1 partly (each at 50%), 1 not completed, 5 in all; 150 × (3 × 100% + 1 × 50%) ÷ 5 = 105 (rounded half up to 0.01)."
    );
    assert_eq!(
        explain("5.2").zh,
        "目标达成 5/7：100 × 5 ÷ 7 = 71.43 分（四舍五入到 0.01）。"
    );
    assert_eq!(
        explain("6.1").zh,
        "改革方案迟交 3 天（不足一天按一天计）：30 − 2 × 3 = 24 分（不低于 0）。"
    );
    assert!(explain("4.1").zh.contains("不适用"));
    assert!(explain("1.2.4").en.contains("No reviewer"));
    assert!(
        explain("1.2.1")
            .zh
            .contains("符合 1 项、需说明 0 项（每项按 50%）、不符合 1 项")
    );
    assert_eq!(
        card.explain_total().zh,
        "指标得分 789.54 + 加分 10 − 扣分 5 = 794.54 分。"
    );
}

#[test]
fn electing_society_is_scored_on_election_tasks() {
    let c = builtin_2017();
    let r = rules(&c);
    let mut soc = society();
    soc.election_year = true;
    // Tasks 8, 9, 10 completed; 11 missing from the plan (counts as not completed).
    let plan = soc.plan.as_mut().unwrap();
    for n in [8, 9, 10] {
        plan.tasks.push(task(n, C, (0, 0), (0, 0)));
    }
    soc.verdicts = verdicts(&[
        ("sg-appointment", Verdict::Pass),
        ("council-cap", Verdict::Fail),
        ("council-not-above-previous", Verdict::NotApplicable),
        ("standing-third", Verdict::Pass),
        ("council-frontline", Verdict::Warning),
        ("standing-frontline", Verdict::Pass),
        ("supervisory-board", Verdict::Insufficient),
        // documents-task-11: no verdict given, counted as lacking data.
    ]);
    let card = score_society(&c, r, &soc).unwrap().unwrap();
    // 4.1: 3 completed of 4 → 90 × 3/4 = 67.5.
    assert_eq!(points_of(&card, r, "4.1"), s("67.5"));
    // 4.2: 7 applicable; 3 pass + 1 warning at 50%: 60 × 350 / 700 = 30.
    assert_eq!(points_of(&card, r, "4.2"), s("30"));
    // A non-electing society's voluntary election task does not count.
    soc.election_year = false;
    let card = score_society(&c, r, &soc).unwrap().unwrap();
    assert_eq!(points_of(&card, r, "4.1"), s("90"));
}

#[test]
fn no_plan_no_score_and_floor_at_zero() {
    let c = builtin_2017();
    let r = rules(&c);
    let mut soc = society();
    soc.plan = None;
    assert_eq!(score_society(&c, r, &soc).unwrap(), None);
    // Nothing achieved: only 4.1 (no election: not applicable) keeps its 90 points — the
    // election rules have no verdict here and count as lacking data. A 100-point deduction
    // takes the total to 0, not below.
    let mut soc = society();
    let plan = soc.plan.as_mut().unwrap();
    for t in &mut plan.tasks {
        t.status = N;
        t.targets_met = 0;
        t.milestones_reached = 0;
    }
    plan.days_late = 40;
    soc.verdicts = verdicts(&[]);
    soc.reports = RateCell {
        expected: 7,
        received: 0,
        on_time: 0,
    };
    soc.leaves.clear();
    soc.adjustments = vec![AdjustmentEntry {
        id: "violation".into(),
        points: s("100"),
        reason: "违规".into(),
    }];
    let card = score_society(&c, r, &soc).unwrap().unwrap();
    assert_eq!(card.leaf_total, s("90"));
    assert_eq!(card.deduction, s("100"));
    assert_eq!(card.total, Score::ZERO);
    assert_eq!(
        card.explain_total().zh,
        "指标得分 90 + 加分 0 − 扣分 100 = 0 分，不低于 0。"
    );
    // A plan without any task: the required tasks and the optional minimum count as not
    // completed (no "not applicable" full points for tasks never planned).
    soc.plan.as_mut().unwrap().tasks.clear();
    let card = score_society(&c, r, &soc).unwrap().unwrap();
    assert_eq!(card.leaf_total, s("90"));
    let (ix, _) = r.indicator("5.1").unwrap();
    let l = card
        .leaves
        .iter()
        .find(|l| l.indicator as usize == ix)
        .unwrap();
    assert_eq!(
        l.basis,
        LeafBasis::Acceptance {
            completed: 0,
            partly: 0,
            not_completed: 5,
            partly_percent: 50
        }
    );
}

#[test]
fn optional_tasks_below_the_minimum_count_as_not_completed() {
    let c = builtin_2017();
    let r = rules(&c);
    let mut soc = society();
    // Three optional tasks planned, all completed: 150 × 3 / 5 = 90.
    soc.plan
        .as_mut()
        .unwrap()
        .tasks
        .retain(|t| t.number <= 7 || [12, 13, 15].contains(&t.number));
    let card = score_society(&c, r, &soc).unwrap().unwrap();
    assert_eq!(points_of(&card, r, "5.1"), s("90"));
    // Targets: 4 of 4 met among the planned ones: 100.
    assert_eq!(points_of(&card, r, "5.2"), s("100"));
}

#[test]
fn aggregation_and_rounding() {
    let sc = |v: &[&str]| v.iter().map(|x| s(x)).collect::<Vec<_>>();
    let trimmed = Aggregation::TrimmedMean { trim_from: 5 };
    // 4 reviewers: plain mean even with trimmed_mean.
    let (m, b) = aggregate(&sc(&["1", "2", "3", "10"]), trimmed, Rounding::HalfUp).unwrap();
    assert_eq!(m, s("4"));
    assert!(matches!(
        b,
        LeafBasis::Expert {
            used: 4,
            dropped: None,
            ..
        }
    ));
    // 5 reviewers: one highest and one lowest left out, even when repeated.
    let (m, b) = aggregate(&sc(&["10", "10", "2", "2", "6"]), trimmed, Rounding::HalfUp).unwrap();
    assert_eq!(m, s("6")); // (10 + 2 + 6) / 3
    assert!(matches!(
        b,
        LeafBasis::Expert {
            reviewers: 5,
            used: 3,
            dropped: Some((lo, hi)),
            ..
        } if lo == s("2") && hi == s("10")
    ));
    assert_eq!(
        aggregate(
            &sc(&["10", "10", "2", "2", "6"]),
            Aggregation::Mean,
            Rounding::HalfUp
        )
        .unwrap()
        .0,
        s("6")
    );
    // 0.015 and 0.025 (means of hundredths) under each rounding.
    let a = sc(&["0.01", "0.02"]);
    let b = sc(&["0.01", "0.04"]);
    for (mode, x, y) in [
        (Rounding::HalfUp, "0.02", "0.03"),
        (Rounding::HalfEven, "0.02", "0.02"),
        (Rounding::Down, "0.01", "0.02"),
    ] {
        assert_eq!(
            aggregate(&a, Aggregation::Mean, mode).unwrap().0,
            s(x),
            "{mode:?}"
        );
        assert_eq!(
            aggregate(&b, Aggregation::Mean, mode).unwrap().0,
            s(y),
            "{mode:?}"
        );
    }
    assert_eq!(aggregate(&[], Aggregation::Mean, Rounding::HalfUp), None);
}

#[test]
fn bad_input_names_society_and_field() {
    let c = builtin_2017();
    let r = rules(&c);
    let check = |f: &dyn Fn(&mut SocietyYear), field: &str, words: &str| {
        let mut soc = society();
        f(&mut soc);
        let e = score_society(&c, r, &soc).unwrap_err();
        assert_eq!(e.society, "A-01");
        assert_eq!(e.field, field, "{e}");
        assert!(e.message_en.contains(words), "{e}");
        assert!(!e.message_zh.is_empty());
    };
    check(
        &|s| s.leaves[0].indicator = "9.9".into(),
        "leaves[0].indicator",
        "no indicator 9.9",
    );
    check(
        &|s| s.leaves[0].indicator = "1.1".into(),
        "leaves[0].indicator",
        "sub-indicators",
    );
    check(
        &|s| s.leaves[1].indicator = "1.1.1.1".into(),
        "leaves[1].indicator",
        "listed twice",
    );
    check(
        &|s| s.leaves[0].reviewer_scores[2] = Score::parse("10.01").unwrap(),
        "leaves[0].reviewer_scores[2]",
        "not within 0–10",
    );
    check(
        &|s| s.leaves[0].self_score = Some(Score::parse("-1").unwrap()),
        "leaves[0].self_score",
        "not within",
    );
    check(
        &|s| s.leaves.push(leaf("2.1", None, &["5"])),
        "leaves[6].reviewer_scores",
        "computed automatically",
    );
    check(
        &|s| s.adjustments[1].points = Score::parse("50.01").unwrap(),
        "adjustments[1].points",
        "above its maximum of 50",
    );
    check(
        &|s| s.adjustments[0].id = "gift".into(),
        "adjustments[0].id",
        "no adjustment gift",
    );
    check(
        &|s| s.adjustments[0].reason = " ".into(),
        "adjustments[0].reason",
        "reason",
    );
    check(
        &|s| s.adjustments[0].points = Score::ZERO,
        "adjustments[0].points",
        "above 0",
    );
    check(
        &|s| s.plan.as_mut().unwrap().tasks[0].number = 25,
        "plan.tasks[0].number",
        "no task 25",
    );
    check(
        &|s| s.plan.as_mut().unwrap().tasks[1].number = 1,
        "plan.tasks[1].number",
        "listed twice",
    );
    check(
        &|s| s.plan.as_mut().unwrap().tasks[1].targets_met = 3,
        "plan.tasks[1].targets_met",
        "3 targets met of only 2",
    );
    check(
        &|s| s.plan.as_mut().unwrap().tasks[1].milestones_reached = 3,
        "plan.tasks[1].milestones_reached",
        "of only 2",
    );
    check(&|s| s.reports.on_time = 7, "reports", "contradict");
    // Adjustments of one kind add up: 30 + 25 > 50.
    check(
        &|s| {
            s.adjustments[1].points = Score::parse("30").unwrap();
            s.adjustments.push(AdjustmentEntry {
                id: "false-report".into(),
                points: Score::parse("25").unwrap(),
                reason: "again".into(),
            });
        },
        "adjustments[1].points",
        "adds up to 55",
    );
}

#[test]
fn days_late_counts_started_days() {
    assert_eq!(days_late(None), 0);
    assert_eq!(days_late(Some(0)), 0);
    assert_eq!(days_late(Some(1)), 1);
    assert_eq!(days_late(Some(86_400)), 1);
    assert_eq!(days_late(Some(86_401)), 2);
}

// ----- outcomes at every boundary (R-ASSESS-2) -----------------------------------------------

/// A plan with the basic tasks 1–7 completed and optional tasks `optional` with their status.
fn plan_with(
    basic: &[(u32, AcceptanceStatus)],
    optional: &[(u32, AcceptanceStatus)],
) -> SocietyYear {
    let mut tasks: Vec<TaskResult> = (1..=7)
        .map(|n| {
            let st = basic.iter().find(|(b, _)| *b == n).map_or(C, |(_, st)| *st);
            task(n, st, (0, 0), (0, 0))
        })
        .collect();
    tasks.extend(optional.iter().map(|&(n, st)| task(n, st, (0, 0), (0, 0))));
    SocietyYear {
        code: "B-01".into(),
        discipline_group: "B".into(),
        members: None,
        election_year: false,
        plan: Some(PlanResult {
            days_late: 0,
            tasks,
        }),
        verdicts: Vec::new(),
        reports: RateCell::default(),
        leaves: Vec::new(),
        adjustments: Vec::new(),
    }
}

fn five_optional() -> Vec<(u32, AcceptanceStatus)> {
    vec![(12, C), (13, C), (14, C), (15, C), (16, C)]
}

fn outcome(soc: &SocietyYear, score: &str) -> Outcome {
    let c = builtin_2017();
    decide(&c, rules(&c), soc, Some(s(score)))
}

#[test]
fn commended_at_the_threshold_completed_just_below() {
    let soc = plan_with(&[], &five_optional());
    let o = outcome(&soc, "850");
    assert_eq!(o.kind, OutcomeKind::Commended);
    assert_eq!(
        o.reasons,
        vec![
            OutcomeReason::AllRequiredCompleted,
            OutcomeReason::ScoreAtLeast {
                score: s("850"),
                threshold: s("850")
            }
        ]
    );
    let o = outcome(&soc, "849.99");
    assert_eq!(o.kind, OutcomeKind::Completed);
    assert_eq!(
        o.reasons[1],
        OutcomeReason::ScoreBelow {
            score: s("849.99"),
            threshold: s("850")
        }
    );
    let c = builtin_2017();
    let n = o.reasons[1].explain(&c, rules(&c));
    assert_eq!(n.zh, "考核得分 849.99 分，低于表扬分数线 850 分。");
    let n = OutcomeReason::ScoreAtLeast {
        score: s("850"),
        threshold: s("850"),
    }
    .explain(&c, rules(&c));
    assert!(n.zh.contains("“对能够按照要求完成改革任务，并取得明显改革实效的学会进行表扬"));
}

#[test]
fn optional_minimum_boundary() {
    // Exactly 5 optional tasks completed: not criticised.
    let mut opt = five_optional();
    opt.push((17, P));
    assert_eq!(
        outcome(&plan_with(&[], &opt), "900").kind,
        OutcomeKind::Commended
    );
    // 4 completed (one partly, one not): criticised, with the completed ones listed.
    let opt = vec![(12, C), (13, C), (14, C), (15, P), (16, N), (24, C)];
    let soc = plan_with(&[], &opt);
    let o = outcome(&soc, "1000");
    assert_eq!(o.kind, OutcomeKind::Criticised);
    assert_eq!(
        o.reasons,
        vec![OutcomeReason::TooFewOptional {
            completed: vec![12, 13, 14, 24],
            min: 5
        }]
    );
    let c = builtin_2017();
    let n = o.reasons[0].explain(&c, rules(&c));
    assert_eq!(
        n.zh,
        "完成的自选任务 4 项（第 12、13、14、24 项），少于 5 项。依据：“每个学会至少选定其中的5项作为年度改革自选任务”“对不能按照要求完成改革任务的学会将进行通报批评。”"
    );
    // An election-class task done voluntarily is not an optional task.
    let mut opt = vec![(12, C), (13, C), (14, C), (15, C)];
    opt.push((8, C));
    assert_eq!(
        outcome(&plan_with(&[], &opt), "900").kind,
        OutcomeKind::Criticised
    );
}

#[test]
fn required_task_not_completed_partly_or_missing() {
    // Not completed: criticised, quoting the basic-task clause.
    let soc = plan_with(&[(3, N)], &five_optional());
    let o = outcome(&soc, "1000");
    assert_eq!(o.kind, OutcomeKind::Criticised);
    assert_eq!(
        o.reasons,
        vec![OutcomeReason::RequiredNotCompleted {
            task: 3,
            class: crate::catalogue::TaskClass::Basic,
            status: Some(N)
        }]
    );
    let c = builtin_2017();
    let n = o.reasons[0].explain(&c, rules(&c));
    assert_eq!(
        n.zh,
        "基本任务第 3 项（加强分支机构建设和管理）未完成（验收结论为“未完成”）。依据：“学会年度改革基本任务（共7项）是各学会在2017年必须完成的硬任务”“对不能按照要求完成改革任务的学会将进行通报批评。”"
    );
    // Partly: not criticised, not commended, whatever the score.
    let o = outcome(&plan_with(&[(3, P)], &five_optional()), "1000");
    assert_eq!(o.kind, OutcomeKind::Completed);
    assert_eq!(
        o.reasons[0],
        OutcomeReason::RequiredPartly { tasks: vec![3] }
    );
    // Missing from the plan: criticised; every reason listed.
    let mut soc = plan_with(&[(5, N)], &five_optional()[..4]);
    soc.plan.as_mut().unwrap().tasks.retain(|t| t.number != 3);
    let o = outcome(&soc, "1000");
    assert_eq!(o.kind, OutcomeKind::Criticised);
    assert_eq!(o.reasons.len(), 3);
    assert!(matches!(
        o.reasons[0],
        OutcomeReason::RequiredNotCompleted {
            task: 3,
            status: None,
            ..
        }
    ));
    assert!(
        o.reasons[0]
            .explain(&c, rules(&c))
            .en
            .contains("missing from the plan")
    );
    assert!(matches!(o.reasons[2], OutcomeReason::TooFewOptional { .. }));
}

#[test]
fn election_tasks_only_for_electing_societies() {
    let mut soc = plan_with(&[], &five_optional());
    soc.election_year = true;
    // Electing, no election task planned: four reasons, one per task 8–11.
    let o = outcome(&soc, "900");
    assert_eq!(o.kind, OutcomeKind::Criticised);
    assert_eq!(o.reasons.len(), 4);
    let c = builtin_2017();
    assert!(o.reasons[0].explain(&c, rules(&c)).zh.contains(
        "“换届学会另外须完成的改革任务（共4项）是2017年开展换届工作的学会必须完成的改革任务”"
    ));
    let plan = soc.plan.as_mut().unwrap();
    for n in 8..=11 {
        plan.tasks.push(task(n, C, (0, 0), (0, 0)));
    }
    assert_eq!(outcome(&soc, "900").kind, OutcomeKind::Commended);
    soc.plan.as_mut().unwrap().tasks.last_mut().unwrap().status = P;
    assert_eq!(outcome(&soc, "900").kind, OutcomeKind::Completed);
    soc.plan.as_mut().unwrap().tasks.last_mut().unwrap().status = N;
    assert_eq!(outcome(&soc, "900").kind, OutcomeKind::Criticised);
    // Not electing: the election tasks are not required.
    soc.election_year = false;
    assert_eq!(outcome(&soc, "900").kind, OutcomeKind::Commended);
}

#[test]
fn no_plan_is_criticised() {
    let mut soc = plan_with(&[], &five_optional());
    soc.plan = None;
    let c = builtin_2017();
    let o = decide(&c, rules(&c), &soc, None);
    assert_eq!(o.kind, OutcomeKind::Criticised);
    assert_eq!(o.reasons, vec![OutcomeReason::NoPlan]);
    assert!(
        o.reasons[0]
            .explain(&c, rules(&c))
            .zh
            .contains("于5月22日前将学会改革方案提交")
    );
}

// ----- a small year end to end ---------------------------------------------------------------

/// A society that completes everything, with `score` points from its expert leaves: every
/// automatic leaf at full points (920 of the 1,000), the rest from the reviewers.
fn full_marks(code: &str, group: &str, members: Option<i64>, expert_total: u32) -> SocietyYear {
    let mut soc = plan_with(&[], &five_optional());
    soc.code = code.into();
    soc.discipline_group = group.into();
    soc.members = members;
    soc.verdicts = verdicts(&[
        ("documents-task-1", Verdict::Pass),
        ("members-growth", Verdict::Pass),
        ("fee-rate-rises", Verdict::Pass),
        ("fulltime-sg", Verdict::Pass),
        ("office-premises", Verdict::Pass),
        ("sg-appointment", Verdict::NotApplicable),
        ("council-cap", Verdict::NotApplicable),
        ("council-not-above-previous", Verdict::NotApplicable),
        ("standing-third", Verdict::NotApplicable),
        ("council-frontline", Verdict::NotApplicable),
        ("standing-frontline", Verdict::NotApplicable),
        ("supervisory-board", Verdict::NotApplicable),
        ("documents-task-11", Verdict::NotApplicable),
    ]);
    for t in &mut soc.plan.as_mut().unwrap().tasks {
        t.targets = 1;
        t.targets_met = 1;
    }
    soc.reports = RateCell {
        expected: 7,
        received: 7,
        on_time: 7,
    };
    // Expert leaves (10 + 10 + 15 + 30 + 30 + 100 + 20 = 215 points): give 5.3 what is asked
    // beyond the other experts' full marks (115).
    soc.leaves = vec![
        leaf("1.1.1.1", None, &["10"]),
        leaf("1.1.1.3", None, &["10"]),
        leaf("1.2.4", None, &["15"]),
        leaf("2.4", None, &["30"]),
        leaf("3.2", None, &["30"]),
        leaf("6.5", None, &["20"]),
        leaf("5.3", None, &[&(expert_total - 115).to_string()]),
    ];
    soc
}

#[test]
fn a_small_year() {
    let c = builtin_2017();
    // Automatic leaves give 785 (1,000 − 215 expert points); milestones: none planned → 6.4
    // gives 0 of its 30. So a society's total = 755 + expert total.
    let year = vec![
        full_marks("A-02", "A", Some(25_000), 215),  // 970
        full_marks("B-07", "B", Some(150_000), 205), // 960
        full_marks("A-01", "A", Some(12_000), 205),  // 960
        full_marks("C-03", "C", None, 120),          // 875
        {
            let mut s = full_marks("D-04", "D", Some(5_000), 215);
            s.plan.as_mut().unwrap().tasks[2].status = P; // task 3 partly → completed
            s
        },
        {
            let mut s = full_marks("E-05", "E", Some(30_000), 215);
            s.plan = None; // criticised
            s
        },
    ];
    let y = assess_year(&c, &year).unwrap();
    let totals: Vec<(String, Option<Score>, OutcomeKind)> = y
        .societies
        .iter()
        .map(|a| (a.code.clone(), a.score(), a.outcome.kind))
        .collect();
    // D-04: task 3 partly costs 15 × 50% = 7.5 → 962.5.
    assert_eq!(
        totals,
        vec![
            ("A-02".into(), Some(s("970")), OutcomeKind::Commended),
            ("B-07".into(), Some(s("960")), OutcomeKind::Commended),
            ("A-01".into(), Some(s("960")), OutcomeKind::Commended),
            ("C-03".into(), Some(s("875")), OutcomeKind::Commended),
            ("D-04".into(), Some(s("962.5")), OutcomeKind::Completed),
            ("E-05".into(), None, OutcomeKind::Criticised),
        ]
    );
    assert_eq!((y.criticised, y.completed, y.commended), (1, 1, 4));
    let overall: Vec<(&str, u32)> = y
        .overall
        .iter()
        .map(|e| (e.code.as_str(), e.rank))
        .collect();
    assert_eq!(
        overall,
        [
            ("A-02", 1),
            ("D-04", 2),
            ("A-01", 3),
            ("B-07", 3),
            ("C-03", 5)
        ]
    );
    // Peer groups: discipline group A has A-02 (1) and A-01 (2).
    let a = y
        .groups
        .iter()
        .find(|g| g.kind == PeerGroupKind::DisciplineGroup && g.key == "A")
        .unwrap();
    let ranks: Vec<(&str, u32)> = a
        .entries
        .iter()
        .map(|e| (e.code.as_str(), e.rank))
        .collect();
    assert_eq!(ranks, [("A-02", 1), ("A-01", 2)]);
    // Membership bands: < 20,000: A-01, D-04; 20,000–99,999: A-02; ≥ 100,000: B-07;
    // unknown: C-03 (E-05 has no score).
    let bands: Vec<(String, Vec<&str>)> = y
        .groups
        .iter()
        .filter(|g| g.kind == PeerGroupKind::MembershipBand)
        .map(|g| {
            (
                g.key.clone(),
                g.entries.iter().map(|e| e.code.as_str()).collect(),
            )
        })
        .collect();
    assert_eq!(
        bands,
        vec![
            ("0".into(), vec!["D-04", "A-01"]),
            ("1".into(), vec!["A-02"]),
            ("2".into(), vec!["B-07"]),
            ("unknown".into(), vec!["C-03"]),
        ]
    );
    let a01 = &y.societies[2];
    assert_eq!(a01.rank, Some(3));
    let mine: Vec<(PeerGroupKind, &str, u32)> = a01
        .group_ranks
        .iter()
        .map(|g| {
            let group = &y.groups[g.group as usize];
            (group.kind, group.key.as_str(), g.rank)
        })
        .collect();
    assert_eq!(
        mine,
        [
            (PeerGroupKind::DisciplineGroup, "A", 2),
            (PeerGroupKind::MembershipBand, "0", 2)
        ]
    );
    // Subsidy: 20,000,000 among the four commended (970 + 960 + 960 + 875 = 3,765): every
    // exact share is above the 1,000,000 cap (the smallest is 20,000,000 × 875 / 3,765 ≈
    // 4,648,074), so all four are at the cap and 16,000,000 is unspent.
    let SubsidyOutcome::Allocated(a) = &y.subsidy else {
        panic!("{:?}", y.subsidy)
    };
    assert_eq!(a.unspent, Yuan::new(16_000_000).unwrap());
    assert_eq!(a.shares.len(), 4);
    assert!(
        a.shares
            .iter()
            .all(|s| s.yuan == Yuan::new(1_000_000).unwrap())
    );
    assert_eq!(y.societies[0].subsidy, Yuan::new(1_000_000));
    assert_eq!(y.societies[4].subsidy, None);
    assert_eq!(y.missing_reviewer_scores, 0);

    // Duplicate codes are refused.
    let mut dup = year.clone();
    dup[1].code = "A-02".into();
    let e = assess_year(&c, &dup).unwrap_err();
    assert!(
        matches!(&e, AssessError::Input(i) if i.field == "societies[1].code"),
        "{e}"
    );
}

#[test]
fn subsidy_refused_keeps_the_outcomes() {
    // A catalogue whose floors cannot be paid when four societies are commended.
    let src = BUILTIN_2017_SOURCE
        .replacen("budget = 20000000", "budget = 700000", 1)
        .replacen("cap = 1000000", "cap = 300000", 1);
    let c = parse(&src, "x").unwrap();
    let year = vec![
        full_marks("A-02", "A", None, 215),
        full_marks("B-07", "B", None, 205),
        full_marks("A-01", "A", None, 205),
        full_marks("C-03", "C", None, 120),
    ];
    let y = assess_year(&c, &year).unwrap();
    assert_eq!(y.commended, 4);
    let SubsidyOutcome::Refused(e) = &y.subsidy else {
        panic!("{:?}", y.subsidy)
    };
    assert_eq!(e.field, "floor");
    assert!(
        e.message_en
            .contains("4 societies × floor 200,000 yuan = 800,000 yuan")
    );
    assert!(y.societies.iter().all(|s| s.subsidy.is_none()));
}

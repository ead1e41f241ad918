//! Tests of reform and rectification plans (R-PLAN-1..5), with property tests.

use super::*;
use crate::catalogue::{Catalogue, builtin};
use crate::facts::{Facts, facts};
use crate::rules::{Verdict, evaluate};
use chrono::TimeZone;
use chrono_tz::Asia::Shanghai;
use proptest::prelude::*;

fn cat() -> Catalogue {
    builtin(2017).unwrap()
}

fn d(y: i32, m: u32, day: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, day).unwrap()
}

fn target(metric: &str, baseline: i64, value: i64, due: NaiveDate) -> Target {
    Target {
        metric: metric.to_owned(),
        unit: "项".to_owned(),
        baseline: Some(baseline),
        target: Some(value),
        due: Some(due),
        fact: None,
    }
}

/// A task with everything R-PLAN-3 asks for: no issue at all.
fn full_task(n: u32) -> PlanTask {
    PlanTask {
        number: n,
        responsible: vec![Responsible {
            name: "张三".to_owned(),
            position: "秘书长".to_owned(),
        }],
        targets: vec![target("举办活动次数", 1, 2, d(2017, 12, 31))],
        milestones: vec![Milestone {
            date: Some(d(2017, 9, 30)),
            what: "完成中期检查".to_owned(),
        }],
        notes: String::new(),
    }
}

/// Every mandatory task and the given optional tasks, all complete.
fn complete_plan(c: &Catalogue, election_year: bool, optional: &[u32]) -> PlanContent {
    let mut tasks: Vec<PlanTask> = c
        .mandatory_tasks(election_year)
        .map(|t| full_task(t.number))
        .collect();
    tasks.extend(optional.iter().map(|n| full_task(*n)));
    PlanContent {
        summary: "年度改革思路".to_owned(),
        tasks,
    }
}

fn keys(issues: &[PlanIssue]) -> Vec<(&str, Option<u32>, Option<&str>)> {
    issues
        .iter()
        .map(|i| (i.code.as_str(), i.task, i.field.as_deref()))
        .collect()
}

fn codes(issues: &[PlanIssue]) -> Vec<&str> {
    issues.iter().map(|i| i.code.as_str()).collect()
}

// ----- new plan (R-PLAN-2) --------------------------------------------------------------------

#[test]
fn new_plan_prefills_the_mandatory_tasks() {
    // R-PLAN-2: basic tasks always, election tasks in an election year.
    let c = cat();
    for (election_year, want) in [(false, 1..=7), (true, 1..=11)] {
        let p = new_plan(&c, election_year);
        let numbers: Vec<u32> = p.tasks.iter().map(|t| t.number).collect();
        assert_eq!(
            numbers,
            want.collect::<Vec<_>>(),
            "election {election_year}"
        );
        assert!(p.summary.is_empty());
        assert!(
            p.tasks.iter().all(|t| t.responsible.is_empty()
                && t.targets.is_empty()
                && t.milestones.is_empty())
        );
        // Not yet submittable: no optional task, nobody responsible.
        let issues = validate(&c, election_year, &p);
        assert!(!is_submittable(&issues));
        assert!(!codes(&issues).contains(&"mandatory-missing"));
        assert_eq!(issues[0].code, "too-few-optional");
    }
}

// ----- optional tasks (R-PLAN-2) --------------------------------------------------------------

#[test]
fn four_optional_tasks_are_refused_five_accepted() {
    // R-PLAN-2: "submitting with fewer than 5 optional tasks is refused with a clear reason".
    let c = cat();
    let cases: &[(&[u32], bool)] = &[
        (&[], false),
        (&[12], false),
        (&[12, 13, 14, 15], false),
        (&[12, 13, 14, 15, 16], true),
        (&[12, 14, 16, 18, 20, 22, 24], true),
        (&[12, 13, 14, 15, 16, 17, 18, 19, 20, 21, 22, 23, 24], true),
    ];
    for (optional, ok) in cases {
        let issues = validate(&c, false, &complete_plan(&c, false, optional));
        assert_eq!(is_submittable(&issues), *ok, "{optional:?}: {issues:#?}");
        if *ok {
            assert!(issues.is_empty(), "{optional:?}: {issues:#?}");
        } else {
            assert_eq!(keys(&issues), [("too-few-optional", None, Some("tasks"))]);
            let i = &issues[0];
            assert!(i.blocking);
            let n = optional.len();
            assert!(
                i.message_zh.contains(&format!("已选自选任务 {n} 项")),
                "{}",
                i.message_zh
            );
            assert!(i.message_zh.contains("至少 5 项"), "{}", i.message_zh);
            assert!(i.message_zh.contains(&format!("至少选择 {} 项", 5 - n)));
            assert!(i.message_zh.contains("第 12–24 项"), "{}", i.message_zh);
            assert!(i.message_zh.contains("每个学会至少选定其中的5项"));
            assert!(
                i.message_en.contains(&format!("{n} optional task")),
                "{}",
                i.message_en
            );
            assert!(i.message_en.contains("minimum of 5"), "{}", i.message_en);
        }
    }
    let four = validate(&c, false, &complete_plan(&c, false, &[12, 13, 14, 15]));
    assert!(
        four[0].message_zh.contains("（第 12–15 项）"),
        "{}",
        four[0].message_zh
    );
    assert!(
        four[0].message_en.contains("(12–15)"),
        "{}",
        four[0].message_en
    );
    let spread = validate(&c, false, &complete_plan(&c, false, &[24, 12, 13, 18]));
    assert!(
        spread[0].message_zh.contains("（第 12、13、18、24 项）"),
        "{}",
        spread[0].message_zh
    );
    assert!(
        spread[0].message_en.contains("(12, 13, 18, 24)"),
        "{}",
        spread[0].message_en
    );
}

#[test]
fn a_repeated_optional_task_counts_once() {
    // R-PLAN-2: distinct optional tasks.
    let c = cat();
    let plan = complete_plan(&c, false, &[12, 13, 14, 15, 15]);
    let issues = validate(&c, false, &plan);
    assert_eq!(
        keys(&issues),
        [
            ("too-few-optional", None, Some("tasks")),
            ("duplicate-task", Some(15), Some("number")),
        ]
    );
    assert!(issues[1].message_zh.contains("出现了 2 次"));
    assert_eq!(chosen_optional(&c, &plan), [12, 13, 14, 15]);
}

// ----- election tasks (R-PLAN-2) --------------------------------------------------------------

#[test]
fn election_tasks_are_required_only_in_election_years() {
    // R-PLAN-2: "every mandatory task (1–7, plus 8–11 if an election year)".
    let c = cat();
    let optional = [12, 13, 14, 15, 16];
    let without = complete_plan(&c, false, &optional);
    assert!(validate(&c, false, &without).is_empty());

    let issues = validate(&c, true, &without);
    assert_eq!(
        keys(&issues),
        [8, 9, 10, 11]
            .map(|n| ("mandatory-missing", Some(n), Some("tasks")))
            .to_vec()
    );
    assert!(!is_submittable(&issues));
    for i in &issues {
        let n = i.task.unwrap();
        assert!(
            i.message_zh.contains(&format!("任务 {n}（")),
            "{}",
            i.message_zh
        );
        assert!(i.message_zh.contains("本年度换届"), "{}", i.message_zh);
        assert!(
            i.message_en.contains("council election"),
            "{}",
            i.message_en
        );
    }
    assert!(validate(&c, true, &complete_plan(&c, true, &optional)).is_empty());

    // A missing basic task says every society must plan it.
    let mut no_basic = complete_plan(&c, false, &optional);
    no_basic.tasks.retain(|t| t.number != 4);
    let issues = validate(&c, false, &no_basic);
    assert_eq!(
        keys(&issues),
        [("mandatory-missing", Some(4), Some("tasks"))]
    );
    assert!(
        issues[0].message_zh.contains("基本任务每个学会都必须列入"),
        "{}",
        issues[0].message_zh
    );
}

#[test]
fn election_tasks_may_be_adopted_voluntarily() {
    // R-PLAN-2: an election task outside an election year is a warning and is not optional.
    let c = cat();
    let mut plan = complete_plan(&c, false, &[12, 13, 14, 15]);
    plan.tasks.push(full_task(9));
    let issues = validate(&c, false, &plan);
    assert_eq!(
        keys(&issues),
        [
            ("too-few-optional", None, Some("tasks")),
            ("election-task-voluntary", Some(9), Some("number")),
        ]
    );
    assert!(!issues[1].blocking);
    assert!(issues[1].message_zh.contains("不计入自选任务数"));

    plan.tasks.push(full_task(16));
    let issues = validate(&c, false, &plan);
    assert_eq!(codes(&issues), ["election-task-voluntary"]);
    assert!(is_submittable(&issues));
    // In an election year it is simply mandatory.
    let mut plan = complete_plan(&c, true, &[12, 13, 14, 15, 16]);
    plan.tasks.push(full_task(9));
    assert_eq!(codes(&validate(&c, true, &plan)), ["duplicate-task"]);
}

// ----- every issue at once (R-PLAN-2, R-PLAN-3) -----------------------------------------------

/// A plan with many problems (non-election year).
fn broken_plan() -> PlanContent {
    let mut tasks: Vec<PlanTask> = [1, 2, 4, 5, 6, 7].map(full_task).to_vec();
    tasks[1].responsible.clear(); // task 2
    let mut t12 = full_task(12);
    t12.targets.clear();
    let mut t13 = full_task(13);
    t13.targets = vec![Target {
        metric: "论文数".to_owned(),
        ..Target::default()
    }];
    let mut t14 = full_task(14);
    t14.milestones.push(Milestone {
        date: None,
        what: "年底总结".to_owned(),
    });
    let mut t15 = full_task(15);
    t15.targets = vec![target("会员活动次数", 5, 5, d(2018, 1, 1))];
    tasks.extend([t12, t13, t14, t15.clone(), full_task(30), t15]);
    PlanContent {
        summary: String::new(),
        tasks,
    }
}

#[test]
fn every_issue_is_listed_at_once_ordered_by_task_then_field() {
    // R-PLAN-2, R-PLAN-3: all problems of a plan in one answer.
    let c = cat();
    let issues = validate(&c, false, &broken_plan());
    assert_eq!(
        keys(&issues),
        [
            ("too-few-optional", None, Some("tasks")),
            ("responsible-missing", Some(2), Some("responsible")),
            ("mandatory-missing", Some(3), Some("tasks")),
            ("optional-without-target", Some(12), Some("targets")),
            ("optional-without-target", Some(13), Some("targets")),
            ("target-incomplete", Some(13), Some("targets[0].due")),
            ("target-incomplete", Some(13), Some("targets[0].target")),
            ("milestone-incomplete", Some(14), Some("milestones[1].date")),
            ("duplicate-task", Some(15), Some("number")),
            ("due-after-year", Some(15), Some("targets[0].due")),
            (
                "target-not-above-baseline",
                Some(15),
                Some("targets[0].target")
            ),
            ("unknown-task", Some(30), Some("number")),
        ]
    );
    assert!(!is_submittable(&issues));
    let warnings: Vec<&str> = issues
        .iter()
        .filter(|i| !i.blocking)
        .map(|i| i.code.as_str())
        .collect();
    assert_eq!(warnings, ["due-after-year", "target-not-above-baseline"]);
    for i in &issues {
        assert!(!i.message_zh.is_empty() && !i.message_en.is_empty());
        if let Some(n) = i.task {
            assert!(
                i.message_zh.contains(&format!("任务 {n}")),
                "{}",
                i.message_zh
            );
            assert!(
                i.message_en.to_lowercase().contains(&format!("task {n}")),
                "{}",
                i.message_en
            );
        }
    }
    let by_code = |code: &str| issues.iter().find(|i| i.code == code).unwrap();
    assert!(
        by_code("target-incomplete")
            .message_zh
            .contains("第 1 个目标缺少截止日期")
    );
    assert!(
        by_code("unknown-task")
            .message_zh
            .contains("不在2017年任务清单中（清单为第 1–24 项）")
    );
    assert!(
        by_code("due-after-year")
            .message_zh
            .contains("2018-01-01 晚于 2017 年 12 月 31 日")
    );
    assert!(
        by_code("target-not-above-baseline")
            .message_zh
            .contains("（会员活动次数）")
    );
    assert!(
        by_code("optional-without-target")
            .message_zh
            .starts_with("自选任务 12（搭建高水平学术交流平台）")
    );
}

#[test]
fn issue_codes_are_all_reachable_and_consistently_blocking() {
    // Every code in ISSUE_CODES is produced by some plan, with its declared blocking flag.
    let c = cat();
    let mut issues = validate(&c, false, &broken_plan());
    let mut plan = complete_plan(&c, false, &[12, 13, 14, 15, 16]);
    plan.tasks.push(PlanTask {
        number: 9,
        ..PlanTask::default()
    });
    plan.tasks[0].targets = vec![Target {
        fact: Some("has_office".to_owned()),
        ..target("会议次数", 0, 4, d(2016, 12, 1))
    }];
    issues.extend(validate(&c, false, &plan));
    issues.extend(validate_rectification(&RectificationContent::default()));
    issues.extend(validate_rectification(&RectificationContent {
        analysis: "x".to_owned(),
        problems: vec![Problem {
            description: String::new(),
            task: Some(2),
        }],
        measures: vec![Measure {
            problem: Some(4),
            ..Measure::default()
        }],
    }));
    let mut seen = BTreeSet::new();
    for i in &issues {
        let declared = ISSUE_CODES.iter().find(|(c, _)| *c == i.code);
        assert_eq!(declared.map(|(_, b)| *b), Some(i.blocking), "{}", i.code);
        seen.insert(i.code.as_str());
    }
    let all: BTreeSet<&str> = ISSUE_CODES.iter().map(|(c, _)| *c).collect();
    assert_eq!(all.len(), ISSUE_CODES.len(), "codes are unique");
    assert_eq!(seen, all);
}

#[test]
fn target_rows() {
    // R-PLAN-3: a target needs metric, target value and due date; blank rows are ignored.
    let c = cat();
    let cases: &[(Target, &[&str])] = &[
        (Target::default(), &[]),
        (
            Target {
                baseline: Some(3),
                ..Target::default()
            },
            &["targets[0].due", "targets[0].metric", "targets[0].target"],
        ),
        (
            Target {
                metric: "  ".to_owned(),
                target: Some(4),
                due: Some(d(2017, 6, 1)),
                ..Target::default()
            },
            &["targets[0].metric"],
        ),
        (
            Target {
                metric: "人数".to_owned(),
                due: Some(d(2017, 6, 1)),
                ..Target::default()
            },
            &["targets[0].target"],
        ),
        (target("人数", 1, 2, d(2017, 6, 1)), &[]),
    ];
    for (t, want) in cases {
        let mut plan = complete_plan(&c, false, &[12, 13, 14, 15, 16]);
        plan.tasks[0].targets = vec![t.clone(), target("会议次数", 1, 4, d(2017, 12, 31))];
        let issues = validate(&c, false, &plan);
        let fields: Vec<&str> = issues
            .iter()
            .filter(|i| i.code == "target-incomplete")
            .map(|i| i.field.as_deref().unwrap())
            .collect();
        assert_eq!(fields, *want, "{t:?}");
        assert!(issues.iter().all(|i| i.task == Some(1)));
        assert_eq!(issues.len(), want.len());
    }
    // Only incomplete targets: a mandatory task gets a warning, an optional one is blocked.
    let mut plan = complete_plan(&c, false, &[12, 13, 14, 15, 16]);
    plan.tasks[0].targets.clear();
    plan.tasks[7].targets[0].due = None; // task 12
    let issues = validate(&c, false, &plan);
    assert_eq!(
        keys(&issues),
        [
            ("mandatory-without-target", Some(1), Some("targets")),
            ("optional-without-target", Some(12), Some("targets")),
            ("target-incomplete", Some(12), Some("targets[0].due")),
        ]
    );
    assert!(!issues[0].blocking && issues[1].blocking && issues[2].blocking);
}

#[test]
fn target_baseline_fact_and_dates() {
    // R-PLAN-3: "有提升" (equal target warned), fact links, dates within the catalogue year.
    let c = cat();
    let cases: &[(Target, &[&str])] = &[
        (
            target("x", 7, 7, d(2017, 12, 31)),
            &["target-not-above-baseline"],
        ),
        (target("x", 7, 6, d(2017, 12, 31)), &[]),
        (target("x", 7, 8, d(2018, 1, 1)), &["due-after-year"]),
        (target("x", 7, 8, d(2016, 12, 31)), &["due-before-year"]),
        (target("x", 7, 8, d(2017, 1, 1)), &[]),
        (
            Target {
                fact: Some("members_now".to_owned()),
                ..target("x", 7, 8, d(2017, 5, 1))
            },
            &[],
        ),
        (
            Target {
                fact: Some(String::new()),
                ..target("x", 7, 8, d(2017, 5, 1))
            },
            &[],
        ),
        (
            Target {
                fact: Some("members".to_owned()),
                ..target("x", 7, 8, d(2017, 5, 1))
            },
            &["target-fact-unknown"],
        ),
        (
            Target {
                fact: Some("annual_report_published_on".to_owned()),
                ..target("x", 7, 8, d(2017, 5, 1))
            },
            &["target-fact-unknown"],
        ),
    ];
    for (t, want) in cases {
        let mut plan = complete_plan(&c, false, &[12, 13, 14, 15, 16]);
        plan.tasks[2].targets = vec![t.clone()];
        let issues = validate(&c, false, &plan);
        assert_eq!(codes(&issues), *want, "{t:?}");
        assert!(issues.iter().all(|i| i.task == Some(3)));
    }
    // Task 6 (the 2017 annual report, evidence after the year end) may be due in 2018; not
    // before the year, though.
    for (due, want) in [
        (d(2018, 3, 31), &[][..]),
        (d(2016, 3, 31), &["due-before-year"][..]),
    ] {
        let mut plan = complete_plan(&c, false, &[12, 13, 14, 15, 16]);
        plan.tasks[5].targets = vec![target("年报发布", 0, 1, due)];
        plan.tasks[5].milestones[0].date = Some(d(2018, 2, 1));
        assert_eq!(plan.tasks[5].number, 6);
        assert_eq!(codes(&validate(&c, false, &plan)), want, "{due}");
    }
}

#[test]
fn responsible_and_milestones() {
    // R-PLAN-3: 责任分工 and milestones.
    let c = cat();
    let nameless = Responsible {
        name: " ".to_owned(),
        position: "秘书长".to_owned(),
    };
    let mut plan = complete_plan(&c, false, &[12, 13, 14, 15, 16]);
    plan.tasks[0].responsible = vec![nameless.clone()];
    plan.tasks[1].responsible.push(nameless);
    plan.tasks[2].milestones = vec![Milestone::default()];
    plan.tasks[3].milestones = vec![
        Milestone {
            date: Some(d(2017, 3, 1)),
            what: String::new(),
        },
        Milestone::default(),
        Milestone {
            date: Some(d(2018, 3, 1)),
            what: "y".to_owned(),
        },
    ];
    let issues = validate(&c, false, &plan);
    assert_eq!(
        keys(&issues),
        [
            ("responsible-missing", Some(1), Some("responsible")),
            ("milestones-missing", Some(3), Some("milestones")),
            ("milestone-incomplete", Some(4), Some("milestones[0].what")),
            ("due-after-year", Some(4), Some("milestones[2].date")),
        ]
    );
    assert!(issues[2].message_zh.contains("第 1 个里程碑缺少内容"));
}

#[test]
fn fields_sort_with_numeric_indices() {
    assert_eq!(
        natural_cmp("targets[2].due", "targets[10].due"),
        Ordering::Less
    );
    assert_eq!(natural_cmp("targets[10]", "targets[9]"), Ordering::Greater);
    assert_eq!(natural_cmp("targets[02]", "targets[2]"), Ordering::Equal);
    assert_eq!(natural_cmp("targets", "targets[0].due"), Ordering::Less);
    assert_eq!(natural_cmp("milestones[0]", "notes"), Ordering::Less);
    let c = cat();
    let mut plan = complete_plan(&c, false, &[12, 13, 14, 15, 16]);
    plan.tasks[0].targets = (0..12)
        .map(|i| Target {
            metric: format!("m{i}"),
            ..Target::default()
        })
        .collect();
    let fields: Vec<String> = validate(&c, false, &plan)
        .into_iter()
        .filter(|i| i.code == "target-incomplete")
        .map(|i| i.field.unwrap())
        .collect();
    assert_eq!(fields[0], "targets[0].due");
    assert_eq!(fields[2], "targets[1].due");
    assert_eq!(fields[20], "targets[10].due");
    assert_eq!(fields[23], "targets[11].target");
}

// ----- deadline (R-PLAN-1) --------------------------------------------------------------------

fn beijing(y: i32, m: u32, day: u32, h: u32, min: u32, s: u32) -> DateTime<Utc> {
    Shanghai
        .with_ymd_and_hms(y, m, day, h, min, s)
        .unwrap()
        .with_timezone(&Utc)
}

#[test]
fn deadline_is_the_end_of_22_may_beijing_time() {
    // R-PLAN-1: "于5月22日前", Asia/Shanghai; whole seconds.
    let deadline = cat().plan_deadline_utc();
    let ms = Duration::milliseconds;
    let cases: &[(DateTime<Utc>, Option<Duration>)] = &[
        (beijing(2017, 5, 1, 9, 0, 0), None),
        (beijing(2017, 5, 22, 23, 59, 58), None),
        (beijing(2017, 5, 22, 23, 59, 59), None),
        (beijing(2017, 5, 22, 23, 59, 59) + ms(999), None),
        (beijing(2017, 5, 23, 0, 0, 0), Some(Duration::seconds(1))),
        (
            beijing(2017, 5, 23, 0, 0, 0) + ms(500),
            Some(Duration::seconds(1)),
        ),
        (beijing(2017, 5, 23, 0, 0, 59), Some(Duration::seconds(60))),
        (
            beijing(2017, 5, 25, 3, 0, 0),
            Some(Duration::days(2) + Duration::hours(3) + Duration::seconds(1)),
        ),
    ];
    for (at, want) in cases {
        assert_eq!(lateness(deadline, *at), *want, "{at}");
        assert_eq!(want.is_none(), cat().plan_on_time(*at), "{at}");
    }
    let late = lateness(deadline, beijing(2017, 5, 25, 3, 0, 0)).unwrap();
    assert_eq!(
        lateness_text(late),
        (
            "迟交 2 天 3 小时".to_owned(),
            "2 days 3 hours late".to_owned()
        )
    );
    let one = lateness(deadline, beijing(2017, 5, 23, 0, 0, 0)).unwrap();
    assert_eq!(
        lateness_text(one),
        ("迟交 1 秒".to_owned(), "1 second late".to_owned())
    );
}

#[test]
fn lateness_in_words() {
    // R-PLAN-1: the two largest units, zero lower unit left out.
    let s = Duration::seconds;
    let cases: &[(Duration, &str, &str)] = &[
        (s(1), "迟交 1 秒", "1 second late"),
        (s(59), "迟交 59 秒", "59 seconds late"),
        (s(60), "迟交 1 分钟", "1 minute late"),
        (s(61), "迟交 1 分钟 1 秒", "1 minute 1 second late"),
        (s(3_600), "迟交 1 小时", "1 hour late"),
        (s(3_661), "迟交 1 小时 1 分钟", "1 hour 1 minute late"),
        (s(7_322), "迟交 2 小时 2 分钟", "2 hours 2 minutes late"),
        (s(86_400), "迟交 1 天", "1 day late"),
        (s(86_400 + 59), "迟交 1 天", "1 day late"),
        (
            s(2 * 86_400 + 3 * 3_600),
            "迟交 2 天 3 小时",
            "2 days 3 hours late",
        ),
        (s(2 * 86_400 + 300), "迟交 2 天", "2 days late"),
        (
            s(400 * 86_400 + 3_600),
            "迟交 400 天 1 小时",
            "400 days 1 hour late",
        ),
        (
            Duration::milliseconds(500),
            "迟交不足 1 秒",
            "less than a second late",
        ),
        (Duration::zero(), "按时提交", "on time"),
        (s(-5), "按时提交", "on time"),
    ];
    for (late, zh, en) in cases {
        assert_eq!(
            lateness_text(*late),
            ((*zh).to_owned(), (*en).to_owned()),
            "{late}"
        );
    }
}

// ----- workflow (R-PLAN-4) --------------------------------------------------------------------

#[test]
fn every_transition() {
    // R-PLAN-4: draft → submitted → returned → resubmitted → accepted.
    use PlanAction::*;
    use PlanState::*;
    let table: &[(PlanState, PlanAction, Option<PlanState>)] = &[
        (Draft, Edit, Some(Draft)),
        (Draft, Submit, Some(Submitted)),
        (Draft, Return, None),
        (Draft, Accept, None),
        (Submitted, Edit, None),
        (Submitted, Submit, None),
        (Submitted, Return, Some(Returned)),
        (Submitted, Accept, Some(Accepted)),
        (Returned, Edit, Some(Returned)),
        (Returned, Submit, Some(Resubmitted)),
        (Returned, Return, None),
        (Returned, Accept, None),
        (Resubmitted, Edit, None),
        (Resubmitted, Submit, None),
        (Resubmitted, Return, Some(Returned)),
        (Resubmitted, Accept, Some(Accepted)),
        (Accepted, Edit, None),
        (Accepted, Submit, None),
        (Accepted, Return, None),
        (Accepted, Accept, None),
    ];
    let pairs: BTreeSet<(PlanState, PlanAction)> = table.iter().map(|(s, a, _)| (*s, *a)).collect();
    assert_eq!(pairs.len(), PlanState::ALL.len() * PlanAction::ALL.len());
    for (state, action, want) in table {
        match (transition(*state, *action), want) {
            (Ok(got), Some(w)) => assert_eq!(got, *w, "{state:?} {action:?}"),
            (Err(e), None) => {
                assert!(e.message_zh.contains(state.label_zh()), "{}", e.message_zh);
                assert!(e.message_zh.contains(action.label_zh()), "{}", e.message_zh);
                assert!(e.message_en.contains(state.label_en()), "{}", e.message_en);
                assert!(e.message_en.contains(action.as_str()), "{}", e.message_en);
                assert_eq!(e.to_string(), e.message_en);
            }
            (got, _) => panic!("{state:?} {action:?}: got {got:?}, want {want:?}"),
        }
    }
    assert!(
        transition(Accepted, Edit)
            .unwrap_err()
            .message_zh
            .contains("已冻结")
    );
    assert!(
        transition(Submitted, Edit)
            .unwrap_err()
            .message_zh
            .contains("正在评审")
    );
    // The whole journey.
    let mut s = Draft;
    for a in [Edit, Submit, Return, Edit, Submit, Return, Submit, Accept] {
        s = transition(s, a).unwrap();
    }
    assert_eq!(s, Accepted);
    assert_eq!(Draft.allowed_actions(), [Edit, Submit]);
    assert_eq!(Resubmitted.allowed_actions(), [Return, Accept]);
    assert!(Accepted.allowed_actions().is_empty());
    for st in PlanState::ALL {
        assert_eq!(st.is_editable(), transition(st, Edit).is_ok());
        assert_eq!(st.is_under_review(), transition(st, Accept).is_ok());
    }
}

#[test]
fn state_and_action_names() {
    for s in PlanState::ALL {
        assert_eq!(PlanState::parse(s.as_str()), Some(s));
        assert_eq!(serde_json::to_value(s).unwrap(), s.as_str());
        assert_eq!(
            serde_json::from_value::<PlanState>(s.as_str().into()).unwrap(),
            s
        );
        assert!(!s.label_zh().is_empty() && !s.label_en().is_empty());
    }
    for a in PlanAction::ALL {
        assert_eq!(PlanAction::parse(a.as_str()), Some(a));
        assert_eq!(serde_json::to_value(a).unwrap(), a.as_str());
        assert!(!a.label_zh().is_empty() && !a.label_en().is_empty());
    }
    assert_eq!(PlanState::Resubmitted.as_str(), "resubmitted");
    assert_eq!(PlanState::parse("Draft"), None);
    assert_eq!(PlanState::parse(""), None);
    assert_eq!(PlanAction::parse("approve"), None);
    assert_eq!(PlanState::Returned.label_zh(), "已退回");
}

// ----- proposed targets (R-PLAN-3) ------------------------------------------------------------

fn with(f: impl FnOnce(&mut Facts)) -> Facts {
    let mut facts = Facts::default();
    f(&mut facts);
    facts
}

fn verdict(facts: &Facts, rule: &str) -> Verdict {
    evaluate(&cat(), facts)
        .into_iter()
        .find(|v| v.rule == rule)
        .unwrap()
        .verdict
}

#[test]
fn task_2_member_growth_target() {
    // R-PLAN-3 with R-RULE-2: the smallest member count meeting 15% growth, rounded up.
    let c = cat();
    for (baseline, want) in [(10_000, 11_500), (10_001, 11_502), (1, 2), (100, 115)] {
        let facts = with(|f| f.set_opt("members_baseline", Some(baseline)));
        let ts = propose_targets(&c, &facts, 2);
        assert_eq!(ts.len(), 1, "fee rule skipped without its facts: {ts:?}");
        assert_eq!(
            ts[0],
            Target {
                metric: "个人会员数".to_owned(),
                unit: "人".to_owned(),
                baseline: Some(baseline),
                target: Some(want),
                due: Some(d(2017, 12, 31)),
                fact: Some("members_now".to_owned()),
            }
        );
        // The proposed target is exactly the rule's threshold.
        let at = |now| {
            with(|f| {
                f.set_opt("members_baseline", Some(baseline));
                f.set_opt("members_now", Some(now));
            })
        };
        assert_eq!(verdict(&at(want), "members-growth"), Verdict::Pass);
        assert_eq!(verdict(&at(want - 1), "members-growth"), Verdict::Fail);
    }
    assert!(propose_targets(&c, &Facts::default(), 2).is_empty());
    assert!(propose_targets(&c, &with(|f| f.set_opt("members_baseline", Some(0))), 2).is_empty());
    assert!(propose_targets(&c, &with(|f| f.set_opt("members_baseline", Some(-3))), 2).is_empty());
}

#[test]
fn task_2_fee_rate_target() {
    // R-PLAN-3 with R-RULE-2: the smallest fee-payer count giving a strictly higher rate.
    let c = cat();
    let cases: &[(i64, i64, i64, Option<i64>)] = &[
        // (fee payers 2016, members 2016, members now) → target
        (2_000, 10_000, 11_500, Some(2_301)),
        (2_000, 10_000, 10_000, Some(2_001)),
        (1, 3, 10, Some(4)),
        (0, 10, 10, Some(1)),
        (10, 10, 10, None), // 100% cannot rise
    ];
    for &(n0, d0, d1, want) in cases {
        let facts = with(|f| {
            f.set_opt("fee_payers_baseline", Some(n0));
            f.set_opt("members_baseline", Some(d0));
            f.set_opt("members_now", Some(d1));
        });
        let fee: Vec<Target> = propose_targets(&c, &facts, 2)
            .into_iter()
            .filter(|t| t.fact.as_deref() == Some("fee_payers_now"))
            .collect();
        assert_eq!(
            fee.first().and_then(|t| t.target),
            want,
            "{n0}/{d0} now {d1}"
        );
        if let Some(w) = want {
            assert_eq!(fee[0].metric, "缴费个人会员数");
            assert_eq!(fee[0].baseline, Some(n0));
            let at = |n1| {
                with(|f| {
                    f.set_opt("fee_payers_baseline", Some(n0));
                    f.set_opt("members_baseline", Some(d0));
                    f.set_opt("members_now", Some(d1));
                    f.set_opt("fee_payers_now", Some(n1));
                })
            };
            assert_eq!(verdict(&at(w), "fee-rate-rises"), Verdict::Pass);
            assert_eq!(verdict(&at(w - 1), "fee-rate-rises"), Verdict::Fail);
        }
    }
    // Members now unknown: not computable, skipped.
    let facts = with(|f| {
        f.set_opt("fee_payers_baseline", Some(2_000));
        f.set_opt("members_baseline", Some(10_000));
    });
    let ts = propose_targets(&c, &facts, 2);
    assert_eq!(ts.len(), 1);
    assert_eq!(ts[0].fact.as_deref(), Some("members_now"));
}

#[test]
fn task_9_council_targets() {
    // R-PLAN-3 with R-RULE-9: the band cap by members, the standing council third.
    let c = cat();
    let cases: &[(Option<i64>, Option<i64>, Option<i64>)] = &[
        // (members now, members 2016) → cap
        (Some(23_000), None, Some(180)),
        (Some(100_000), None, Some(200)),
        (Some(100_001), None, Some(200)),
        (Some(19_999), None, Some(150)),
        (Some(20_000), Some(5), Some(180)),
        (None, Some(23_000), Some(180)),
        (None, Some(5_000), Some(150)),
        (None, None, None),
    ];
    for &(now, base, want) in cases {
        let facts = with(|f| {
            f.set_opt("members_now", now);
            f.set_opt("members_baseline", base);
        });
        let ts = propose_targets(&c, &facts, 9);
        let caps: Vec<&Target> = ts.iter().filter(|t| t.metric == "理事会人数上限").collect();
        assert_eq!(
            caps.first().and_then(|t| t.target),
            want,
            "{now:?} {base:?}"
        );
        if want.is_some() {
            assert_eq!(caps[0].fact.as_deref(), Some("council_new"));
            assert_eq!(caps[0].baseline, None);
            assert_eq!(caps[0].unit, "人");
        }
    }
    let facts = with(|f| f.set_opt("council_new", Some(190)));
    let ts = propose_targets(&c, &facts, 9);
    assert_eq!(ts.len(), 1);
    assert_eq!(ts[0].metric, "常务理事会人数上限");
    assert_eq!(ts[0].target, Some(63));
    assert_eq!(ts[0].fact.as_deref(), Some("standing_new"));
}

#[test]
fn task_9_not_above_previous_target() {
    // R-PLAN-3 with R-RULE-9: a council already below its cap stays at most at its previous
    // size, unless members grew more than 30%.
    let c = cat();
    let cases: &[(i64, i64, i64, Option<i64>)] = &[
        // (previous council, members 2016, members now) → target
        (160, 22_000, 23_000, Some(160)),
        (160, 20_000, 26_000, Some(160)), // exactly 30%: not lifted
        (160, 20_000, 26_001, None),      // more than 30%: lifted
        (180, 22_000, 23_000, None),      // not below the cap
        (190, 22_000, 23_000, None),
    ];
    for &(prev, base, now, want) in cases {
        let facts = with(|f| {
            f.set_opt("council_previous", Some(prev));
            f.set_opt("members_baseline", Some(base));
            f.set_opt("members_now", Some(now));
        });
        let ts = propose_targets(&c, &facts, 9);
        let t = ts
            .iter()
            .find(|t| t.metric == "理事会人数上限（不超过上一届）");
        assert_eq!(t.and_then(|t| t.target), want, "{prev} {base} {now}");
        assert_eq!(ts[0].metric, "理事会人数上限");
    }
    // Growth unknown: not guessed.
    let facts = with(|f| {
        f.set_opt("council_previous", Some(160));
        f.set_opt("members_now", Some(23_000));
    });
    assert_eq!(propose_targets(&c, &facts, 9).len(), 1);
}

#[test]
fn task_10_frontline_targets() {
    // R-PLAN-3 with R-RULE-10: ¾ of the council, ⅔ of the standing council, rounded up.
    let c = cat();
    for (council, want) in [(190, 143), (180, 135), (1, 1), (4, 3)] {
        let facts = with(|f| f.set_opt("council_new", Some(council)));
        let ts = propose_targets(&c, &facts, 10);
        assert_eq!(ts.len(), 1, "standing unknown: skipped");
        assert_eq!(ts[0].metric, "理事会中基层一线科技工作者人数");
        assert_eq!(ts[0].target, Some(want), "{council}");
        assert_eq!(ts[0].fact.as_deref(), Some("council_frontline"));
        let at = |n| {
            with(|f| {
                f.set_opt("election_year", Some(true));
                f.set_opt("council_new", Some(council));
                f.set_opt("council_frontline", Some(n));
            })
        };
        assert_eq!(verdict(&at(want), "council-frontline"), Verdict::Pass);
        assert_eq!(verdict(&at(want - 1), "council-frontline"), Verdict::Fail);
    }
    let facts = with(|f| {
        f.set_opt("council_new", Some(190));
        f.set_opt("council_frontline", Some(120));
        f.set_opt("standing_new", Some(63));
    });
    let ts = propose_targets(&c, &facts, 10);
    assert_eq!(ts.len(), 2);
    assert_eq!(ts[0].baseline, Some(120));
    assert_eq!(
        (ts[1].metric.as_str(), ts[1].target),
        ("常务理事会中基层一线科技工作者人数", Some(42))
    );
    assert!(propose_targets(&c, &with(|f| f.set_opt("council_new", Some(0))), 10).is_empty());
}

#[test]
fn count_and_document_targets() {
    // R-PLAN-3 with R-RULE-7 and R-RULE-DOC.
    let c = cat();
    let ts = propose_targets(&c, &Facts::default(), 7);
    assert_eq!(ts.len(), 2, "{ts:?}");
    assert_eq!(ts[0].metric, "秘书长级专职工作人员人数");
    assert_eq!((ts[0].baseline, ts[0].target), (None, Some(1)));
    assert_eq!(ts[0].fact.as_deref(), Some("fulltime_sg_level"));
    assert!(
        ts[1].metric.starts_with("已具备的所需文件（"),
        "{}",
        ts[1].metric
    );
    assert_eq!(
        (ts[1].unit.as_str(), ts[1].target, ts[1].fact.as_deref()),
        ("份", Some(2), None)
    );

    let facts = with(|f| {
        f.set_opt("fulltime_sg_level", Some(0));
        f.set_opt(
            "documents",
            Some(vec!["hr-rules".to_owned(), "council-rules".to_owned()]),
        );
    });
    let ts = propose_targets(&c, &facts, 7);
    assert_eq!(ts[0].baseline, Some(0));
    assert_eq!(ts[1].baseline, Some(1));
    let ts = propose_targets(&c, &facts, 1);
    assert_eq!(ts.len(), 1);
    assert_eq!((ts[0].baseline, ts[0].target), (Some(1), Some(4)));
    // Task 4: documents, and all absent directors adjusted.
    let facts = with(|f| f.set_opt("directors_absent_without_reason", Some(6)));
    let ts = propose_targets(&c, &facts, 4);
    assert_eq!(ts.len(), 2);
    assert_eq!(
        (ts[1].metric.as_str(), ts[1].target),
        ("已调整的理事人数", Some(6))
    );
    // The 2017 annual report can only exist in 2018: no in-year target is proposed.
    assert!(propose_targets(&c, &Facts::default(), 6).is_empty());
    // Date and yes/no rules propose nothing; no rules, unknown task: nothing.
    assert_eq!(propose_targets(&c, &Facts::default(), 5).len(), 1);
    assert!(propose_targets(&c, &Facts::default(), 8).is_empty());
    assert!(propose_targets(&c, &Facts::default(), 12).is_empty());
    assert!(propose_targets(&c, &Facts::default(), 99).is_empty());
}

#[test]
fn proposed_targets_are_complete_and_valid() {
    // R-PLAN-3: a proposal can go into the plan as is.
    let c = cat();
    let facts = facts! {
        members_baseline: Some(22_000),
        members_now: Some(23_000),
        fee_payers_baseline: Some(5_000),
        council_previous: Some(160),
        council_new: Some(170),
        standing_new: Some(50),
        council_frontline: Some(100),
        fulltime_sg_level: Some(0),
        directors_absent_without_reason: Some(3),
        documents: Some(vec!["council-rules".to_owned()]),
        ..Facts::default()
    };
    let mut plan = complete_plan(&c, true, &[12, 13, 14, 15, 16]);
    let mut proposed = 0;
    for t in &mut plan.tasks {
        let ts = propose_targets(&c, &facts, t.number);
        proposed += ts.len();
        assert!(ts.iter().all(Target::is_complete));
        if !ts.is_empty() {
            t.targets = ts;
        }
    }
    assert_eq!(proposed, 15);
    let issues = validate(&c, true, &plan);
    assert!(issues.is_empty(), "{issues:#?}");
}

#[test]
fn a_target_already_reached_is_not_proposed() {
    // Issue 10: adopting a proposal never trips the validator. Task 7 asks for at least one
    // full-time staff member of secretary-general level: with none, 1 is proposed (baseline 0);
    // with one already, proposing 1 (baseline 1) would be "target equals the baseline".
    let c = cat();
    let none = facts! { fulltime_sg_level: Some(0), ..Facts::default() };
    let one = facts! { fulltime_sg_level: Some(1), ..Facts::default() };
    let sg = |f: &Facts| {
        propose_targets(&c, f, 7)
            .into_iter()
            .filter(|t| t.fact.as_deref() == Some("fulltime_sg_level"))
            .collect::<Vec<_>>()
    };
    let proposed = sg(&none);
    assert_eq!(proposed.len(), 1, "{proposed:?}");
    assert_eq!(
        (proposed[0].baseline, proposed[0].target),
        (Some(0), Some(1))
    );
    assert!(sg(&one).is_empty(), "{:?}", sg(&one));
    // Every proposal for facts that already meet or equal their rules validates cleanly.
    let met = facts! {
        members_baseline: Some(22_000),
        members_now: Some(25_300),
        fee_payers_baseline: Some(5_000),
        fulltime_sg_level: Some(1),
        documents: Some(vec!["council-rules".to_owned()]),
        ..Facts::default()
    };
    let mut plan = complete_plan(&c, false, &[12, 13, 14, 15, 16]);
    for t in &mut plan.tasks {
        t.targets.extend(propose_targets(&c, &met, t.number));
    }
    let issues = validate(&c, false, &plan);
    assert!(issues.is_empty(), "{issues:#?}");
}

// ----- diff (R-PLAN-4) ------------------------------------------------------------------------

#[test]
fn diff_reports_added_removed_and_changed_tasks() {
    // R-PLAN-4: versions can be compared.
    let before = PlanContent {
        summary: "旧思路".to_owned(),
        tasks: vec![
            full_task(1),
            PlanTask {
                targets: vec![
                    target("a", 1, 2, d(2017, 12, 31)),
                    target("b", 10, 20, d(2017, 12, 31)),
                ],
                notes: "旧".to_owned(),
                ..full_task(2)
            },
            full_task(12),
        ],
    };
    let mut after = before.clone();
    after.summary = "新思路".to_owned();
    after.tasks.remove(2);
    let t2 = &mut after.tasks[1];
    t2.targets[1].target = Some(25);
    t2.targets.push(Target {
        metric: "c".to_owned(),
        target: Some(3),
        ..Target::default()
    });
    t2.targets.push(Target::default()); // blank row: not a change
    t2.responsible.push(Responsible {
        name: "李四".to_owned(),
        position: String::new(),
    });
    t2.milestones[0].date = Some(d(2017, 10, 31));
    t2.notes = "新".to_owned();
    after.tasks.push(PlanTask {
        number: 13,
        responsible: vec![Responsible {
            name: "王五".to_owned(),
            position: "副秘书长".to_owned(),
        }],
        ..PlanTask::default()
    });

    let ch = |f: &str, b: &str, a: &str| FieldChange {
        field: f.to_owned(),
        before: b.to_owned(),
        after: a.to_owned(),
    };
    let got = diff(&before, &after);
    assert_eq!(
        got,
        [
            TaskDiff {
                task: 0,
                change: DiffKind::Changed,
                details: vec![ch("summary", "旧思路", "新思路")],
            },
            TaskDiff {
                task: 1,
                change: DiffKind::Unchanged,
                details: vec![],
            },
            TaskDiff {
                task: 2,
                change: DiffKind::Changed,
                details: vec![
                    ch("responsible", "张三（秘书长）", "张三（秘书长）；李四"),
                    ch("targets[1].target", "20", "25"),
                    ch("targets[2]", "", "metric=c; target=3"),
                    ch("milestones[0].date", "2017-09-30", "2017-10-31"),
                    ch("notes", "旧", "新"),
                ],
            },
            TaskDiff {
                task: 12,
                change: DiffKind::Removed,
                details: vec![
                    ch("responsible", "张三（秘书长）", ""),
                    ch(
                        "targets[0]",
                        "metric=举办活动次数; unit=项; baseline=1; target=2; due=2017-12-31",
                        ""
                    ),
                    ch("milestones[0]", "date=2017-09-30; what=完成中期检查", ""),
                ],
            },
            TaskDiff {
                task: 13,
                change: DiffKind::Added,
                details: vec![ch("responsible", "", "王五（副秘书长）")],
            },
        ]
    );
    // Identical versions: every task unchanged, no task 0.
    let same = diff(&before, &before);
    assert_eq!(same.iter().map(|t| t.task).collect::<Vec<_>>(), [1, 2, 12]);
    assert!(
        same.iter()
            .all(|t| t.change == DiffKind::Unchanged && t.details.is_empty())
    );
    let json = serde_json::to_value(&got[4]).unwrap();
    assert_eq!(json["change"], "added");
    for k in [
        DiffKind::Added,
        DiffKind::Removed,
        DiffKind::Changed,
        DiffKind::Unchanged,
    ] {
        assert_eq!(serde_json::to_value(k).unwrap(), k.as_str());
        assert!(!k.label_zh().is_empty() && !k.label_en().is_empty());
    }
    assert!(diff(&PlanContent::default(), &PlanContent::default()).is_empty());
}

// ----- copy for a new year ----------------------------------------------------------------------

#[test]
fn copy_for_year_keeps_existing_tasks_and_adds_mandatory_ones() {
    let c = cat();
    let mut t2 = full_task(2);
    t2.notes = "去年的说明".to_owned();
    t2.targets[0].due = Some(d(2016, 12, 31));
    let previous = PlanContent {
        summary: "2016 思路".to_owned(),
        tasks: vec![full_task(12), t2.clone(), full_task(30), full_task(25), {
            let mut again = full_task(12);
            again.notes = "重复".to_owned();
            again
        }],
    };
    for (election_year, want) in [
        (false, vec![1, 2, 3, 4, 5, 6, 7, 12]),
        (true, vec![1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12]),
    ] {
        let copy = copy_for_year(&previous, &c, election_year);
        assert_eq!(
            copy.tasks.iter().map(|t| t.number).collect::<Vec<_>>(),
            want
        );
        assert!(copy.summary.is_empty());
        let kept = copy.tasks.iter().find(|t| t.number == 2).unwrap();
        assert_eq!(kept.responsible, t2.responsible);
        assert_eq!(kept.targets, t2.targets);
        assert_eq!(kept.milestones, t2.milestones);
        assert!(kept.notes.is_empty());
        assert_eq!(
            copy.tasks.iter().find(|t| t.number == 12).unwrap(),
            &full_task(12)
        );
        assert_eq!(
            copy.tasks[0],
            PlanTask {
                number: 1,
                ..PlanTask::default()
            }
        );
        // Dates kept from last year are flagged for review.
        let issues = validate(&c, election_year, &copy);
        assert!(issues.iter().any(|i| i.code == "due-before-year"
            && i.task == Some(2)
            && i.field.as_deref() == Some("targets[0].due")));
    }
}

// ----- rectification (R-PLAN-5) ---------------------------------------------------------------

fn rect() -> RectificationContent {
    RectificationContent {
        analysis: "会员发展措施不力。".to_owned(),
        problems: vec![
            Problem {
                description: "会员增长不足 15%".to_owned(),
                task: Some(2),
            },
            Problem {
                description: "分支机构活动少".to_owned(),
                task: None,
            },
        ],
        measures: vec![Measure {
            what: "开展会员发展月活动".to_owned(),
            owner: "李四".to_owned(),
            due: Some(d(2017, 11, 30)),
            problem: Some(0),
        }],
    }
}

#[test]
fn rectification_validation() {
    // R-PLAN-5: problems, measures, owners, dates.
    type Want = Vec<(&'static str, Option<&'static str>)>;
    let cases: Vec<(RectificationContent, Want)> = vec![
        (rect(), vec![]),
        (
            RectificationContent::default(),
            vec![
                ("analysis-missing", Some("analysis")),
                ("measures-missing", Some("measures")),
                ("problems-missing", Some("problems")),
            ],
        ),
        (
            RectificationContent {
                problems: vec![Problem::default(), Problem::default()],
                measures: vec![Measure::default()],
                ..rect()
            },
            vec![
                ("measures-missing", Some("measures")),
                ("problems-missing", Some("problems")),
            ],
        ),
        (
            RectificationContent {
                measures: vec![
                    Measure {
                        owner: String::new(),
                        due: None,
                        ..rect().measures[0].clone()
                    },
                    Measure::default(),
                    Measure {
                        problem: Some(2),
                        ..rect().measures[0].clone()
                    },
                    Measure {
                        what: " ".to_owned(),
                        ..rect().measures[0].clone()
                    },
                ],
                ..rect()
            },
            vec![
                ("measure-incomplete", Some("measures[0].due")),
                ("measure-incomplete", Some("measures[0].owner")),
                ("measure-problem-unknown", Some("measures[2].problem")),
                ("measure-incomplete", Some("measures[3].what")),
            ],
        ),
        (
            RectificationContent {
                problems: vec![Problem {
                    description: String::new(),
                    task: Some(9),
                }],
                measures: vec![Measure {
                    problem: None,
                    ..rect().measures[0].clone()
                }],
                ..rect()
            },
            vec![
                ("problems-missing", Some("problems")),
                ("problem-incomplete", Some("problems[0].description")),
            ],
        ),
    ];
    for (content, want) in &cases {
        let issues = validate_rectification(content);
        let got: Vec<(&str, Option<&str>)> = issues
            .iter()
            .map(|i| (i.code.as_str(), i.field.as_deref()))
            .collect();
        assert_eq!(&got, want, "{content:?}");
        let blocking = want.iter().any(|(c, _)| *c != "analysis-missing");
        assert_eq!(is_submittable(&issues), !blocking);
    }
    let unknown = validate_rectification(&cases[3].0);
    let i = unknown
        .iter()
        .find(|i| i.code == "measure-problem-unknown")
        .unwrap();
    assert!(
        i.message_zh
            .contains("第 3 项整改措施对应的问题 3 不存在（共 2 个问题）"),
        "{}",
        i.message_zh
    );
    assert!(
        i.message_en.contains("there are 2 problems"),
        "{}",
        i.message_en
    );
    let incomplete = unknown
        .iter()
        .find(|i| i.code == "measure-incomplete")
        .unwrap();
    assert!(
        incomplete
            .message_zh
            .contains("第 1 项整改措施缺少完成日期"),
        "{}",
        incomplete.message_zh
    );
    // Only the analysis missing: a warning, still submittable.
    let issues = validate_rectification(&RectificationContent {
        analysis: String::new(),
        ..rect()
    });
    assert_eq!(codes(&issues), ["analysis-missing"]);
    assert!(is_submittable(&issues));
    let issues = validate_rectification(&RectificationContent {
        measures: vec![Measure {
            problem: Some(usize::MAX),
            ..rect().measures[0].clone()
        }],
        ..rect()
    });
    assert_eq!(codes(&issues), ["measure-problem-unknown"]);
}

#[test]
fn rectification_diff() {
    // R-PLAN-4, R-PLAN-5: versions of a rectification plan can be compared.
    let before = rect();
    let mut after = rect();
    after.analysis = "新的分析".to_owned();
    after.problems.remove(1);
    after.measures[0].owner = "王五".to_owned();
    after.measures.push(Measure {
        what: "清理分支机构".to_owned(),
        owner: "赵六".to_owned(),
        due: Some(d(2017, 12, 15)),
        problem: Some(1),
    });
    let got: Vec<(String, String, String)> = diff_rectification(&before, &after)
        .into_iter()
        .map(|c| (c.field, c.before, c.after))
        .collect();
    let s = |a: &str, b: &str, c: &str| (a.to_owned(), b.to_owned(), c.to_owned());
    assert_eq!(
        got,
        [
            s("analysis", "会员发展措施不力。", "新的分析"),
            s("problems[1]", "description=分支机构活动少", ""),
            s("measures[0].owner", "李四", "王五"),
            s(
                "measures[1]",
                "",
                "what=清理分支机构; owner=赵六; due=2017-12-15; problem=1"
            ),
        ]
    );
    assert!(diff_rectification(&before, &before).is_empty());
}

// ----- JSON shape -------------------------------------------------------------------------------

#[test]
fn plan_json_is_partial_and_strict() {
    // Drafts may be partial; unknown fields are refused.
    let p: PlanContent = serde_json::from_str("{}").unwrap();
    assert_eq!(p, PlanContent::default());
    let p: PlanContent = serde_json::from_str(
        r#"{"tasks":[{"number":2,"targets":[{"metric":"个人会员数","due":"2017-12-31"}]}]}"#,
    )
    .unwrap();
    assert_eq!(p.tasks[0].targets[0].due, Some(d(2017, 12, 31)));
    assert_eq!(p.tasks[0].targets[0].target, None);
    for bad in [
        r#"{"summery":""}"#,
        r#"{"tasks":[{"number":2,"owner":"x"}]}"#,
        r#"{"tasks":[{"number":2,"targets":[{"goal":1}]}]}"#,
        r#"{"tasks":[{"number":2,"responsible":[{"name":"x","phone":"1"}]}]}"#,
        r#"{"tasks":[{"number":2,"milestones":[{"when":"2017-01-01"}]}]}"#,
        r#"{"tasks":[{"number":-1}]}"#,
        r#"{"tasks":[{"number":2,"targets":[{"due":"2017-13-01"}]}]}"#,
    ] {
        assert!(serde_json::from_str::<PlanContent>(bad).is_err(), "{bad}");
    }
    let plan = complete_plan(&cat(), true, &[12, 13, 14, 15, 16]);
    let json = serde_json::to_string(&plan).unwrap();
    assert_eq!(serde_json::from_str::<PlanContent>(&json).unwrap(), plan);

    let r: RectificationContent = serde_json::from_str(r#"{"measures":[{"problem":0}]}"#).unwrap();
    assert_eq!(r.measures[0].problem, Some(0));
    assert!(serde_json::from_str::<RectificationContent>(r#"{"problem":[]}"#).is_err());
    assert!(serde_json::from_str::<RectificationContent>(r#"{"measures":[{"who":"x"}]}"#).is_err());

    let issue = &validate(&cat(), false, &PlanContent::default())[0];
    let v = serde_json::to_value(issue).unwrap();
    assert_eq!(v["code"], "too-few-optional");
    assert_eq!(v["task"], serde_json::Value::Null);
    assert_eq!(v["field"], "tasks");
    assert_eq!(v["blocking"], true);
}

// ----- properties ---------------------------------------------------------------------------------

fn arb_date() -> impl Strategy<Value = Option<NaiveDate>> {
    prop::option::of((2015i32..2020, 1u32..=12, 1u32..=31))
        .prop_map(|o| o.and_then(|(y, m, day)| NaiveDate::from_ymd_opt(y, m, day)))
}

fn arb_text() -> impl Strategy<Value = String> {
    prop::sample::select(vec!["", " ", "张三", "x", "个人会员数"]).prop_map(str::to_owned)
}

fn arb_target() -> impl Strategy<Value = Target> {
    (
        arb_text(),
        arb_text(),
        prop::option::of(prop_oneof![any::<i64>(), -3i64..3]),
        prop::option::of(prop_oneof![any::<i64>(), -3i64..3]),
        arb_date(),
        prop::option::of(
            prop::sample::select(vec!["", "members_now", "has_office", "nope", "documents"])
                .prop_map(str::to_owned),
        ),
    )
        .prop_map(|(metric, unit, baseline, target, due, fact)| Target {
            metric,
            unit,
            baseline,
            target,
            due,
            fact,
        })
}

fn arb_task() -> impl Strategy<Value = PlanTask> {
    (
        prop_oneof![0u32..30, any::<u32>()],
        prop::collection::vec(
            (arb_text(), arb_text()).prop_map(|(name, position)| Responsible { name, position }),
            0..3,
        ),
        prop::collection::vec(arb_target(), 0..3),
        prop::collection::vec(
            (arb_date(), arb_text()).prop_map(|(date, what)| Milestone { date, what }),
            0..3,
        ),
    )
        .prop_map(|(number, responsible, targets, milestones)| PlanTask {
            number,
            responsible,
            targets,
            milestones,
            notes: String::new(),
        })
}

fn arb_plan() -> impl Strategy<Value = PlanContent> {
    prop::collection::vec(arb_task(), 0..30).prop_map(|tasks| PlanContent {
        summary: String::new(),
        tasks,
    })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    /// R-PLAN-2: validation never panics, and a plan with fewer than `min_optional` distinct
    /// optional tasks is never submittable.
    #[test]
    fn fewer_than_min_optional_is_never_submittable(plan in arb_plan(), election_year in any::<bool>()) {
        let c = cat();
        let issues = validate(&c, election_year, &plan);
        let distinct: BTreeSet<u32> = plan
            .tasks
            .iter()
            .map(|t| t.number)
            .filter(|n| (12..=24).contains(n))
            .collect();
        if distinct.len() < 5 {
            prop_assert!(!is_submittable(&issues));
            prop_assert!(issues.iter().any(|i| i.code == "too-few-optional"));
        }
        // Ordered by task, then field.
        for w in issues.windows(2) {
            prop_assert!(w[0].task <= w[1].task);
        }
        for i in &issues {
            prop_assert!(ISSUE_CODES.contains(&(i.code.as_str(), i.blocking)));
            prop_assert!(!i.message_zh.is_empty() && !i.message_en.is_empty());
        }
    }

    /// R-PLAN-2, R-PLAN-3: a complete plan with enough optional tasks is submittable, and
    /// removing any optional task below the minimum makes it not.
    #[test]
    fn complete_plans_are_submittable(
        picks in prop::sample::subsequence((12u32..=24).collect::<Vec<_>>(), 0..=13),
        election_year in any::<bool>(),
    ) {
        let c = cat();
        let issues = validate(&c, election_year, &complete_plan(&c, election_year, &picks));
        prop_assert_eq!(is_submittable(&issues), picks.len() >= 5);
    }

    /// R-PLAN-4: diff of a plan with itself is all unchanged; copy_for_year never panics and
    /// always contains every mandatory task once.
    #[test]
    fn diff_and_copy_are_total(a in arb_plan(), b in arb_plan(), election_year in any::<bool>()) {
        let c = cat();
        prop_assert!(diff(&a, &a).iter().all(|t| t.change == DiffKind::Unchanged));
        let ds = diff(&a, &b);
        for w in ds.windows(2) {
            prop_assert!(w[0].task < w[1].task);
        }
        let copy = copy_for_year(&a, &c, election_year);
        let numbers: Vec<u32> = copy.tasks.iter().map(|t| t.number).collect();
        let distinct: BTreeSet<u32> = numbers.iter().copied().collect();
        prop_assert_eq!(numbers.len(), distinct.len());
        for m in c.mandatory_tasks(election_year) {
            prop_assert!(distinct.contains(&m.number));
        }
        prop_assert!(numbers.iter().all(|n| c.task(*n).is_some()));
    }

    /// R-PLAN-3: proposals never panic and, when a rule's facts are any counts, are complete.
    #[test]
    fn proposals_never_panic(
        members_baseline in prop::option::of(prop_oneof![any::<i64>(), 0i64..200_000]),
        members_now in prop::option::of(prop_oneof![any::<i64>(), 0i64..200_000]),
        fee_payers_baseline in prop::option::of(prop_oneof![any::<i64>(), 0i64..200_000]),
        council_new in prop::option::of(prop_oneof![any::<i64>(), 0i64..400]),
        council_previous in prop::option::of(0i64..400),
        task in 0u32..30,
    ) {
        let facts = facts! {
            members_baseline: members_baseline,
            members_now: members_now,
            fee_payers_baseline: fee_payers_baseline,
            council_new: council_new,
            standing_new: council_new,
            council_previous: council_previous,
            ..Facts::default()
        };
        for t in propose_targets(&cat(), &facts, task) {
            prop_assert!(t.is_complete(), "{:?}", t);
        }
    }
}

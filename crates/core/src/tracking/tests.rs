//! Tests of monthly tracking (R-TRACK-1..3, R-PLAN-5), with property tests.

use chrono::{DateTime, Duration, NaiveDate, TimeZone, Utc};
use chrono_tz::Asia::Shanghai;
use proptest::prelude::*;

use super::*;
use crate::catalogue::{Catalogue, builtin};
use crate::facts::{Facts, facts};
use crate::plan::{Milestone, PlanContent, PlanIssue, PlanTask, Responsible, Target};

fn cat() -> Catalogue {
    builtin(2017).unwrap()
}

fn d(y: i32, m: u32, day: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, day).unwrap()
}

/// An instant given in Beijing time.
fn bj(y: i32, m: u32, day: u32, h: u32, mi: u32, s: u32) -> DateTime<Utc> {
    Shanghai
        .with_ymd_and_hms(y, m, day, h, mi, s)
        .unwrap()
        .with_timezone(&Utc)
}

fn month(y: i32, m: u32) -> Month {
    Month::new(y, m).unwrap()
}

fn target(metric: &str, baseline: i64, value: i64, due: NaiveDate) -> Target {
    Target {
        metric: metric.to_owned(),
        unit: "人".to_owned(),
        baseline: Some(baseline),
        target: Some(value),
        due: Some(due),
        fact: None,
    }
}

fn milestone(date: NaiveDate, what: &str) -> Milestone {
    Milestone {
        date: Some(date),
        what: what.to_owned(),
    }
}

fn task(n: u32, targets: Vec<Target>, milestones: Vec<Milestone>) -> PlanTask {
    PlanTask {
        number: n,
        responsible: vec![Responsible {
            name: "张三".to_owned(),
            position: "秘书长".to_owned(),
        }],
        targets,
        milestones,
        notes: String::new(),
    }
}

fn plan(tasks: Vec<PlanTask>) -> PlanContent {
    PlanContent {
        summary: "年度改革思路".to_owned(),
        tasks,
    }
}

/// Task 2: individual members from 20,000 to at least 23,000 by 30 June 2017.
fn members_plan() -> PlanContent {
    plan(vec![task(
        2,
        vec![target("个人会员数", 20_000, 23_000, d(2017, 6, 30))],
        vec![],
    )])
}

fn task_report(n: u32, status: TaskStatus, values: &[(usize, Option<i64>)]) -> TaskReport {
    TaskReport {
        number: n,
        status,
        progress: "本月开展了会员发展活动".to_owned(),
        values: values
            .iter()
            .map(|&(target, value)| TargetValue { target, value })
            .collect(),
        milestones_reached: vec![],
        blocked_reason: if status == TaskStatus::Blocked {
            "经费未落实".to_owned()
        } else {
            String::new()
        },
    }
}

fn received(m: Month, at: DateTime<Utc>, tasks: Vec<TaskReport>) -> ReceivedReport {
    ReceivedReport {
        month: m,
        submitted_at: at,
        content: ReportContent {
            narrative: "本月进展".to_owned(),
            tasks,
        }
        .into(),
    }
}

/// Expected reason codes, in order.
type Codes = &'static [&'static str];

fn codes(reasons: &[Reason]) -> Vec<&str> {
    reasons.iter().map(|r| r.code.as_str()).collect()
}

fn issue_keys(issues: &[PlanIssue]) -> Vec<(&str, Option<u32>, Option<&str>, bool)> {
    issues
        .iter()
        .map(|i| (i.code.as_str(), i.task, i.field.as_deref(), i.blocking))
        .collect()
}

// ----- months and due instants (R-TRACK-2) -----------------------------------------------------

#[test]
fn month_parse_and_display() {
    let cases: &[(&str, Option<(i32, u32)>)] = &[
        ("2017-06", Some((2017, 6))),
        ("2017-12", Some((2017, 12))),
        ("2018-01", Some((2018, 1))),
        ("2017-13", None),
        ("2017-00", None),
        ("2017-6", None),
        ("17-06", None),
        ("2017/06", None),
        ("2017-06-01", None),
        ("+017-06", None),
        ("2017-+6", None),
        ("２０１７-06", None),
        ("", None),
    ];
    for (s, want) in cases {
        let got = Month::parse(s);
        assert_eq!(got, want.map(|(y, m)| month(y, m)), "{s}");
        if let Some(m) = got {
            assert_eq!(m.to_string(), *s);
        }
    }
    assert_eq!(month(2017, 6).label_zh(), "2017年6月");
    assert_eq!(Month::of(d(2017, 7, 31)), month(2017, 7));
    assert!(Month::new(2017, 13).is_none());
    assert_eq!(
        serde_json::to_value(month(2017, 6)).unwrap(),
        serde_json::json!({"year": 2017, "month": 6})
    );
}

#[test]
fn month_next_and_prev() {
    let cases = [
        ((2017, 6), (2017, 7)),
        ((2017, 12), (2018, 1)),
        ((2017, 1), (2017, 2)),
    ];
    for ((y, m), (ny, nm)) in cases {
        assert_eq!(month(y, m).next(), month(ny, nm));
        assert_eq!(month(ny, nm).prev(), month(y, m));
    }
    assert!(month(2017, 12) < month(2018, 1));
    assert!(month(2017, 6) < month(2017, 7));
}

#[test]
fn expected_months_follow_the_tracking_section() {
    // R-TRACK-2: 2017 plans are due 22 May, reports are expected June..=December.
    let c = cat();
    let months: Vec<String> = expected_months(&c).iter().map(Month::to_string).collect();
    assert_eq!(
        months,
        [
            "2017-06", "2017-07", "2017-08", "2017-09", "2017-10", "2017-11", "2017-12"
        ]
    );
    let mut c = cat();
    c.tracking.first_month = 1;
    assert_eq!(expected_months(&c).len(), 12);
}

#[test]
fn june_report_is_due_5_july_end_of_day_beijing_time() {
    // R-TRACK-2: due on report_due_day (5) of the following month, 23:59:59 Asia/Shanghai.
    let c = cat();
    let due = report_due(&c, month(2017, 6));
    assert_eq!(due.to_rfc3339(), "2017-07-05T15:59:59+00:00");
    assert_eq!(due, bj(2017, 7, 5, 23, 59, 59));
    assert_eq!(
        report_due(&c, month(2017, 12)).to_rfc3339(),
        "2018-01-05T15:59:59+00:00"
    );
    let cases = [
        (bj(2017, 7, 5, 12, 0, 0), true),
        (bj(2017, 7, 5, 23, 59, 59), true),
        (
            bj(2017, 7, 5, 23, 59, 59) + Duration::milliseconds(999),
            true,
        ),
        (bj(2017, 7, 6, 0, 0, 0), false),
        (bj(2017, 8, 1, 0, 0, 0), false),
    ];
    for (at, on_time) in cases {
        assert_eq!(report_on_time(&c, month(2017, 6), at), on_time, "{at}");
    }
    // A month outside 1..=12 is normalised, never a panic.
    assert_eq!(
        report_due(
            &c,
            Month {
                year: 2017,
                month: 13
            }
        ),
        report_due(&c, month(2018, 1))
    );
    assert_eq!(
        report_due(
            &c,
            Month {
                year: 2017,
                month: 0
            }
        ),
        report_due(&c, month(2016, 12))
    );
    let _ = report_due(
        &c,
        Month {
            year: i32::MAX,
            month: 12,
        },
    );
    let _ = report_due(
        &c,
        Month {
            year: i32::MIN,
            month: 0,
        },
    );
}

#[test]
fn months_due_by_now() {
    // R-TRACK-2: a month counts once its due instant has come.
    let c = cat();
    let cases: &[(DateTime<Utc>, &[&str])] = &[
        (bj(2017, 5, 1, 0, 0, 0), &[]),
        (bj(2017, 7, 5, 23, 59, 58), &[]),
        (bj(2017, 7, 5, 23, 59, 59), &["2017-06"]),
        (bj(2017, 7, 6, 0, 0, 0), &["2017-06"]),
        (bj(2017, 8, 5, 23, 59, 59), &["2017-06", "2017-07"]),
        (
            bj(2018, 3, 1, 0, 0, 0),
            &[
                "2017-06", "2017-07", "2017-08", "2017-09", "2017-10", "2017-11", "2017-12",
            ],
        ),
    ];
    for (now, want) in cases {
        let got: Vec<String> = months_due_by(&c, *now)
            .iter()
            .map(Month::to_string)
            .collect();
        assert_eq!(got, *want, "{now}");
    }
}

// ----- report content (R-TRACK-1) ----------------------------------------------------------------

#[test]
fn status_identifiers_and_labels() {
    let cases = [
        (
            TaskStatus::NotStarted,
            "not_started",
            "未开始",
            "Not started",
        ),
        (
            TaskStatus::InProgress,
            "in_progress",
            "进行中",
            "In progress",
        ),
        (TaskStatus::Completed, "completed", "已完成", "Completed"),
        (TaskStatus::Blocked, "blocked", "受阻", "Blocked"),
    ];
    for (s, id, zh, en) in cases {
        assert_eq!(s.as_str(), id);
        assert_eq!(TaskStatus::parse(id), Some(s));
        assert_eq!(serde_json::to_value(s).unwrap(), id);
        assert_eq!((s.label_zh(), s.label_en()), (zh, en));
    }
    assert_eq!(TaskStatus::parse("done"), None);
    assert_eq!(Colour::parse("amber"), None);
    assert_eq!(TaskStatus::default(), TaskStatus::NotStarted);
}

#[test]
fn report_json_defaults_and_unknown_fields() {
    let r: ReportContent =
        serde_json::from_str(r#"{"tasks":[{"number":2,"values":[{"target":0}]}]}"#).unwrap();
    assert_eq!(r.narrative, "");
    assert_eq!(r.tasks[0].status, TaskStatus::NotStarted);
    assert_eq!(r.tasks[0].values[0].value, None);
    assert!(serde_json::from_str::<ReportContent>(r#"{"narative":""}"#).is_err());
    assert!(
        serde_json::from_str::<ReportContent>(r#"{"tasks":[{"number":2,"state":"x"}]}"#).is_err()
    );
    assert!(
        serde_json::from_str::<ReportContent>(r#"{"tasks":[{"number":2,"status":"done"}]}"#)
            .is_err()
    );
    let full = new_report(&members_plan(), None);
    let back: ReportContent = serde_json::from_str(&serde_json::to_string(&full).unwrap()).unwrap();
    assert_eq!(back, full);
}

fn two_task_plan() -> PlanContent {
    plan(vec![
        task(
            2,
            vec![
                target("个人会员数", 20_000, 23_000, d(2017, 12, 31)),
                Target::default(), // a blank row: no value slot
                target("缴费会员数", 8_000, 9_000, d(2017, 12, 31)),
            ],
            vec![
                milestone(d(2017, 7, 31), "完成会员摸底"),
                milestone(d(2017, 10, 31), "发展新会员"),
            ],
        ),
        task(12, vec![target("活动次数", 0, 4, d(2017, 11, 30))], vec![]),
        task(2, vec![], vec![]), // listed twice by mistake: reported once
    ])
}

#[test]
fn new_report_prefills_from_the_plan() {
    // R-TRACK-1: one entry per planned task, one value per filled-in target.
    let r = new_report(&two_task_plan(), None);
    assert_eq!(r.narrative, "");
    let numbers: Vec<u32> = r.tasks.iter().map(|t| t.number).collect();
    assert_eq!(numbers, [2, 12]);
    let t2 = &r.tasks[0];
    assert_eq!(t2.status, TaskStatus::NotStarted);
    assert_eq!(
        t2.values,
        [
            TargetValue {
                target: 0,
                value: None
            },
            TargetValue {
                target: 2,
                value: None
            }
        ]
    );
    assert!(t2.milestones_reached.is_empty());
    assert!(validate_report(&two_task_plan(), &r).is_empty());
}

#[test]
fn new_report_carries_over_the_previous_month() {
    // R-TRACK-1: statuses, values and reached milestones carry over; progress does not.
    let p = two_task_plan();
    let mut june = new_report(&p, None);
    june.narrative = "六月".to_owned();
    june.tasks[0].status = TaskStatus::InProgress;
    june.tasks[0].progress = "摸底完成".to_owned();
    june.tasks[0].values = vec![
        TargetValue {
            target: 0,
            value: Some(21_000),
        },
        TargetValue {
            target: 2,
            value: Some(8_500),
        },
        TargetValue {
            target: 9,
            value: Some(1),
        }, // not in the plan: dropped
    ];
    june.tasks[0].milestones_reached = vec![0, 7, 0];
    june.tasks[1].status = TaskStatus::Blocked;
    june.tasks[1].blocked_reason = "场地未落实".to_owned();

    let july = new_report(&p, Some(&ReportExtract::from(&june)));
    assert_eq!(july.narrative, "");
    let t2 = &july.tasks[0];
    assert_eq!(t2.status, TaskStatus::InProgress);
    assert_eq!(t2.progress, "");
    assert_eq!(t2.value(0), Some(21_000));
    assert_eq!(t2.value(2), Some(8_500));
    assert_eq!(t2.values.len(), 2);
    assert_eq!(t2.milestones_reached, [0]);
    assert_eq!(july.tasks[1].status, TaskStatus::Blocked);
    assert_eq!(july.tasks[1].blocked_reason, "场地未落实");

    // Unblocked the month after: the reason does not linger.
    let mut july2 = july.clone();
    july2.tasks[1].status = TaskStatus::InProgress;
    let aug = new_report(&p, Some(&ReportExtract::from(&july2)));
    assert_eq!(aug.tasks[1].blocked_reason, "");
    // A task new in the plan starts empty.
    let mut p2 = p.clone();
    p2.tasks
        .push(task(13, vec![target("x", 0, 1, d(2017, 12, 1))], vec![]));
    let r = new_report(&p2, Some(&ReportExtract::from(&june)));
    assert_eq!(r.tasks[2].number, 13);
    assert_eq!(r.tasks[2].status, TaskStatus::NotStarted);
    assert_eq!(
        r.tasks[2].values,
        [TargetValue {
            target: 0,
            value: None
        }]
    );
}

#[test]
fn new_report_carries_over_faithfully_and_validation_flags_it() {
    // A previous draft with a negative value and a reasonless block: carried over as it was,
    // and the new report says what to fix (found by the property test below).
    let p = two_task_plan();
    let mut draft = new_report(&p, None);
    draft.tasks[0].values[0].value = Some(-1);
    draft.tasks[1].status = TaskStatus::Blocked;
    let next = new_report(&p, Some(&ReportExtract::from(&draft)));
    assert_eq!(next.tasks[0].value(0), Some(-1));
    let issues = validate_report(&p, &next);
    assert_eq!(
        issue_keys(&issues),
        [
            ("value-negative", Some(2), Some("values[0].value"), true),
            (
                "blocked-without-reason",
                Some(12),
                Some("blocked_reason"),
                true
            ),
        ]
    );
}

#[test]
fn validate_report_codes() {
    // R-TRACK-1: every issue code, with its task, field and whether it blocks.
    let p = two_task_plan();
    let base = new_report(&p, None);
    type Edit = fn(&mut ReportContent);
    type Want = &'static [(&'static str, Option<u32>, Option<&'static str>, bool)];
    let cases: &[(&str, Edit, Want)] = &[
        ("untouched", |_| {}, &[]),
        (
            "task missing",
            |r| {
                r.tasks.remove(1);
            },
            &[("report-task-missing", Some(12), Some("tasks"), true)],
        ),
        (
            "task unknown",
            |r| r.tasks.push(task_report(99, TaskStatus::NotStarted, &[])),
            &[("report-task-unknown", Some(99), Some("number"), true)],
        ),
        (
            "task twice",
            |r| r.tasks.push(task_report(12, TaskStatus::NotStarted, &[])),
            &[("report-task-duplicate", Some(12), Some("number"), true)],
        ),
        (
            "blocked without reason",
            |r| r.tasks[1].status = TaskStatus::Blocked,
            &[(
                "blocked-without-reason",
                Some(12),
                Some("blocked_reason"),
                true,
            )],
        ),
        (
            "blocked with reason",
            |r| {
                r.tasks[1].status = TaskStatus::Blocked;
                r.tasks[1].blocked_reason = "经费未到位".to_owned();
            },
            &[],
        ),
        (
            "value for a target the task lacks",
            |r| {
                r.tasks[1].values.push(TargetValue {
                    target: 1,
                    value: Some(3),
                })
            },
            &[(
                "value-target-unknown",
                Some(12),
                Some("values[1].target"),
                true,
            )],
        ),
        (
            "two values for one target",
            |r| {
                r.tasks[0].values.push(TargetValue {
                    target: 0,
                    value: Some(3),
                })
            },
            &[("value-duplicate", Some(2), Some("values[2].target"), true)],
        ),
        (
            "negative value",
            |r| r.tasks[0].values[1].value = Some(-5),
            &[("value-negative", Some(2), Some("values[1].value"), true)],
        ),
        (
            "milestone out of range",
            |r| r.tasks[0].milestones_reached = vec![1, 2],
            &[(
                "milestone-unknown",
                Some(2),
                Some("milestones_reached[1]"),
                true,
            )],
        ),
        (
            "completed below target",
            |r| {
                r.tasks[1].status = TaskStatus::Completed;
                r.tasks[1].values[0].value = Some(3);
            },
            &[(
                "completed-below-target",
                Some(12),
                Some("values[0].value"),
                false,
            )],
        ),
        (
            "completed and met",
            |r| {
                r.tasks[1].status = TaskStatus::Completed;
                r.tasks[1].values[0].value = Some(4);
            },
            &[],
        ),
        (
            "completed without a value",
            |r| r.tasks[1].status = TaskStatus::Completed,
            &[("completed-value-missing", Some(12), Some("values"), false)],
        ),
        (
            "in progress, nothing said",
            |r| r.tasks[1].status = TaskStatus::InProgress,
            &[("progress-missing", Some(12), Some("progress"), false)],
        ),
    ];
    let mut seen = std::collections::BTreeSet::new();
    for (name, edit, want) in cases {
        let mut r = base.clone();
        edit(&mut r);
        let issues = validate_report(&p, &r);
        assert_eq!(issue_keys(&issues), *want, "{name}");
        for i in &issues {
            assert!(!i.message_zh.is_empty() && !i.message_en.is_empty());
            seen.insert(i.code.clone());
        }
    }
    let all: std::collections::BTreeSet<String> = REPORT_ISSUE_CODES
        .iter()
        .map(|(c, _)| (*c).to_owned())
        .collect();
    assert_eq!(seen, all, "every code is exercised");
}

#[test]
fn validate_report_messages_are_specific() {
    let p = two_task_plan();
    let mut r = new_report(&p, None);
    r.tasks[1].status = TaskStatus::Completed;
    r.tasks[1].values[0].value = Some(3);
    let i = &validate_report(&p, &r)[0];
    assert!(
        i.message_zh.contains("活动次数") && i.message_zh.contains("低于目标值 4"),
        "{}",
        i.message_zh
    );
    assert!(
        i.message_en.contains("stands at 3") && i.message_en.contains("below its target of 4"),
        "{}",
        i.message_en
    );
    r.tasks.push(task_report(99, TaskStatus::NotStarted, &[]));
    let issues = validate_report(&p, &r);
    let unknown = issues
        .iter()
        .find(|i| i.code == "report-task-unknown")
        .unwrap();
    assert!(
        unknown.message_en.contains("plan tasks: 2, 12"),
        "{}",
        unknown.message_en
    );
    // Issues come ordered by task.
    let tasks: Vec<Option<u32>> = issues.iter().map(|i| i.task).collect();
    assert_eq!(tasks, [Some(12), Some(99)]);
}

#[test]
fn reduction_targets_are_met_from_below() {
    // Fewer inactive branches (30 → 0): a value at or under the target meets it.
    let t = target("不活跃分支机构数", 30, 0, d(2017, 6, 30));
    assert!(is_reduction(&t));
    assert_eq!(target_met(&t, 0), Some(true));
    assert_eq!(target_met(&t, 5), Some(false));
    let up = target("个人会员数", 20_000, 23_000, d(2017, 6, 30));
    assert!(!is_reduction(&up));
    assert_eq!(target_met(&up, 23_000), Some(true));
    assert_eq!(target_met(&up, 22_999), Some(false));
    assert_eq!(target_met(&Target::default(), 1), None);

    let p = plan(vec![task(3, vec![t], vec![])]);
    let c = cat();
    let now = bj(2017, 7, 6, 0, 0, 0);
    for (value, want) in [(5, Colour::Red), (0, Colour::Green)] {
        let reports = [received(
            month(2017, 6),
            bj(2017, 7, 1, 9, 0, 0),
            vec![task_report(3, TaskStatus::InProgress, &[(0, Some(value))])],
        )];
        let sc = colours(&c, Some(&p), &reports, &Facts::default(), now);
        assert_eq!(sc.tasks[0].colour, want, "value {value}");
    }
}

// ----- colours (R-TRACK-3) -------------------------------------------------------------------------

#[test]
fn colour_identifiers_and_order() {
    assert!(Colour::Red > Colour::Yellow);
    assert!(Colour::Yellow > Colour::Green);
    assert!(Colour::Green > Colour::Grey);
    assert_eq!(Colour::ALL.iter().max(), Some(&Colour::Red));
    assert_eq!(Colour::Green.worst(Colour::Red), Colour::Red);
    assert_eq!(Colour::Red.worst(Colour::Grey), Colour::Red);
    let cases = [
        (Colour::Green, "green", "绿色"),
        (Colour::Yellow, "yellow", "黄色"),
        (Colour::Red, "red", "红色"),
        (Colour::Grey, "grey", "灰色"),
    ];
    for (c, id, zh) in cases {
        assert_eq!(c.as_str(), id);
        assert_eq!(Colour::parse(id), Some(c));
        assert_eq!(serde_json::to_value(c).unwrap(), id);
        assert_eq!(c.label_zh(), zh);
        assert!(!c.label_en().is_empty());
    }
}

#[test]
fn no_plan_is_grey() {
    let c = cat();
    let sc = colours(&c, None, &[], &Facts::default(), bj(2017, 9, 1, 0, 0, 0));
    assert_eq!(sc.colour, Colour::Grey);
    assert_eq!(codes(&sc.reasons), ["no-plan"]);
    assert!(sc.tasks.is_empty());
    assert!(
        sc.missing_months.is_empty(),
        "nothing is expected without a plan"
    );
}

/// Task 12 with one target of 10 activities due `today + offset` days; `today` is 1 August 2017
/// and June's report (due 5 July) came on time with the given status and value.
fn judge_target(offset: i64, value: Option<i64>, status: TaskStatus) -> SocietyColour {
    let c = cat();
    let today = d(2017, 8, 1);
    let p = plan(vec![task(
        12,
        vec![target(
            "举办活动次数",
            0,
            10,
            today + Duration::days(offset),
        )],
        vec![],
    )]);
    let reports = [received(
        month(2017, 6),
        bj(2017, 7, 1, 9, 0, 0),
        vec![task_report(12, status, &[(0, value)])],
    )];
    colours(
        &c,
        Some(&p),
        &reports,
        &Facts::default(),
        bj(2017, 8, 1, 12, 0, 0),
    )
}

#[test]
fn target_colours_at_the_boundaries() {
    // R-TRACK-3: overdue and not met → red; due within 30 days and not met → yellow.
    use TaskStatus::{Blocked, Completed, InProgress};
    type Case = (&'static str, i64, Option<i64>, TaskStatus, Colour, Codes);
    let cases: &[Case] = &[
        (
            "due yesterday, not met",
            -1,
            Some(9),
            InProgress,
            Colour::Red,
            &["target-overdue"],
        ),
        (
            "due yesterday, no value",
            -1,
            None,
            InProgress,
            Colour::Red,
            &["target-overdue"],
        ),
        (
            "due yesterday, met",
            -1,
            Some(10),
            InProgress,
            Colour::Green,
            &[],
        ),
        (
            "due yesterday, exceeded, completed",
            -1,
            Some(12),
            Completed,
            Colour::Green,
            &[],
        ),
        (
            "long overdue, completed",
            -40,
            Some(9),
            Completed,
            Colour::Red,
            &["target-overdue"],
        ),
        (
            "due today, not met",
            0,
            Some(9),
            InProgress,
            Colour::Yellow,
            &["target-due-soon"],
        ),
        (
            "due in 30 days",
            30,
            Some(9),
            InProgress,
            Colour::Yellow,
            &["target-due-soon"],
        ),
        (
            "due in 31 days",
            31,
            Some(9),
            InProgress,
            Colour::Green,
            &[],
        ),
        (
            "due in 30 days, met",
            30,
            Some(10),
            InProgress,
            Colour::Green,
            &[],
        ),
        (
            "blocked",
            31,
            Some(9),
            Blocked,
            Colour::Red,
            &["task-blocked"],
        ),
        (
            "blocked and overdue",
            -1,
            Some(9),
            Blocked,
            Colour::Red,
            &["task-blocked", "target-overdue"],
        ),
    ];
    for (name, offset, value, status, colour, want) in cases {
        let sc = judge_target(*offset, *value, *status);
        let t = &sc.tasks[0];
        assert_eq!(t.colour, *colour, "{name}: {:?}", t.reasons);
        assert_eq!(codes(&t.reasons), *want, "{name}");
        assert_eq!(sc.colour, *colour, "{name}: society follows its only task");
        assert!(sc.missing_months.is_empty());
        for r in &t.reasons {
            assert_eq!(r.task, Some(12));
            assert!(r.message_zh.contains("任务 12（"), "{}", r.message_zh);
            assert!(r.message_en.starts_with("Task 12 ("), "{}", r.message_en);
        }
    }
}

#[test]
fn colour_messages_give_the_numbers() {
    let sc = judge_target(-1, Some(9), TaskStatus::InProgress);
    let r = &sc.tasks[0].reasons[0];
    assert!(r.message_zh.contains("举办活动次数"), "{}", r.message_zh);
    assert!(
        r.message_zh.contains("2017-07-31") && r.message_zh.contains("10 人"),
        "{}",
        r.message_zh
    );
    assert!(r.message_zh.contains("当前值 9 人"), "{}", r.message_zh);
    assert!(
        r.message_en
            .contains("at least 10 人 was due by 2017-07-31"),
        "{}",
        r.message_en
    );
    let sc = judge_target(30, Some(9), TaskStatus::InProgress);
    assert!(sc.tasks[0].reasons[0].message_en.contains("in 30 days"));
    let sc = judge_target(31, Some(9), TaskStatus::Blocked);
    assert!(sc.tasks[0].reasons[0].message_zh.contains("经费未落实"));
    let red = sc.reasons.iter().find(|r| r.code == "tasks-red").unwrap();
    assert_eq!(red.colour, Colour::Red);
    assert!(red.message_zh.contains("第 12 项"));
}

/// Task 12 with one milestone `today + offset` days (today 1 August 2017), reported by June's
/// report with `status`, reached or not.
fn judge_milestone(offset: i64, reached: bool, status: TaskStatus) -> TaskColour {
    let c = cat();
    let today = d(2017, 8, 1);
    let p = plan(vec![task(
        12,
        vec![],
        vec![milestone(today + Duration::days(offset), "举办首场活动")],
    )]);
    let mut tr = task_report(12, status, &[]);
    if reached {
        tr.milestones_reached = vec![0];
    }
    let reports = [received(month(2017, 6), bj(2017, 7, 1, 9, 0, 0), vec![tr])];
    let sc = colours(
        &c,
        Some(&p),
        &reports,
        &Facts::default(),
        bj(2017, 8, 1, 12, 0, 0),
    );
    sc.tasks[0].clone()
}

#[test]
fn milestone_colours_at_the_boundaries() {
    // R-TRACK-3 lagging milestones.
    use TaskStatus::{Completed, InProgress, NotStarted};
    type Case = (&'static str, i64, bool, TaskStatus, Colour, Codes);
    let cases: &[Case] = &[
        (
            "passed, not reached",
            -1,
            false,
            InProgress,
            Colour::Yellow,
            &["milestone-late"],
        ),
        ("passed, reached", -1, true, InProgress, Colour::Green, &[]),
        (
            "today, not reached",
            0,
            false,
            InProgress,
            Colour::Yellow,
            &["milestone-due-soon"],
        ),
        (
            "in 30 days",
            30,
            false,
            InProgress,
            Colour::Yellow,
            &["milestone-due-soon"],
        ),
        ("in 31 days", 31, false, InProgress, Colour::Green, &[]),
        (
            "passed, not started",
            -1,
            false,
            NotStarted,
            Colour::Yellow,
            &["milestone-late", "not-started-late"],
        ),
        (
            "passed, reached, still not started",
            -1,
            true,
            NotStarted,
            Colour::Yellow,
            &["not-started-late"],
        ),
        (
            "in 5 days, not started",
            5,
            false,
            NotStarted,
            Colour::Yellow,
            &["milestone-due-soon"],
        ),
        (
            "in 31 days, not started",
            31,
            false,
            NotStarted,
            Colour::Green,
            &[],
        ),
        (
            "passed, completed",
            -1,
            false,
            Completed,
            Colour::Green,
            &[],
        ),
    ];
    for (name, offset, reached, status, colour, want) in cases {
        let t = judge_milestone(*offset, *reached, *status);
        assert_eq!(t.colour, *colour, "{name}: {:?}", t.reasons);
        assert_eq!(codes(&t.reasons), *want, "{name}");
    }
}

#[test]
fn a_missing_month_makes_the_society_red() {
    // R-TRACK-3: a due report not received → red and listed; a month not yet due is not missing.
    let c = cat();
    let p = plan(vec![task(
        12,
        vec![target("活动次数", 0, 4, d(2017, 12, 31))],
        vec![],
    )]);
    let facts = Facts::default();
    let june_on_time = received(
        month(2017, 6),
        bj(2017, 7, 5, 23, 59, 59),
        vec![task_report(12, TaskStatus::InProgress, &[(0, Some(1))])],
    );
    let june_late = received(
        month(2017, 6),
        bj(2017, 7, 6, 0, 0, 0),
        vec![task_report(12, TaskStatus::InProgress, &[(0, Some(1))])],
    );
    /// (name, now, reports, colour, reason codes, missing months)
    type Case = (
        &'static str,
        DateTime<Utc>,
        Vec<ReceivedReport>,
        Colour,
        Codes,
        Codes,
    );
    let cases: Vec<Case> = vec![
        (
            "before the first due instant",
            bj(2017, 7, 5, 23, 59, 58),
            vec![],
            Colour::Grey,
            &[],
            &[],
        ),
        (
            "June due, nothing received",
            bj(2017, 7, 5, 23, 59, 59),
            vec![],
            Colour::Red,
            &["reports-missing"],
            &["2017-06"],
        ),
        (
            "June received at 23:59:59",
            bj(2017, 7, 6, 0, 0, 0),
            vec![june_on_time.clone()],
            Colour::Green,
            &[],
            &[],
        ),
        (
            "June received at 00:00:00 the next day",
            bj(2017, 7, 6, 0, 0, 0),
            vec![june_late.clone()],
            Colour::Yellow,
            &["report-late"],
            &[],
        ),
        (
            "a report submitted after now does not count yet",
            bj(2017, 7, 5, 23, 59, 59),
            vec![june_late.clone()],
            Colour::Red,
            &["reports-missing"],
            &["2017-06"],
        ),
        // July is not due until 5 August: not missing on 4 August.
        (
            "July not yet due",
            bj(2017, 8, 4, 12, 0, 0),
            vec![june_on_time.clone()],
            Colour::Green,
            &[],
            &[],
        ),
        (
            "July due, not received",
            bj(2017, 8, 6, 0, 0, 0),
            vec![june_on_time.clone()],
            Colour::Red,
            &["reports-missing"],
            &["2017-07"],
        ),
        (
            "nothing since June, in September",
            bj(2017, 9, 6, 0, 0, 0),
            vec![june_on_time],
            Colour::Red,
            &["reports-missing"],
            &["2017-07", "2017-08"],
        ),
    ];
    for (name, now, reports, colour, want, missing) in cases {
        let sc = colours(&c, Some(&p), &reports, &facts, now);
        assert_eq!(sc.colour, colour, "{name}: {:?}", sc.reasons);
        assert_eq!(codes(&sc.reasons), want, "{name}");
        let got: Vec<String> = sc.missing_months.iter().map(Month::to_string).collect();
        assert_eq!(got, missing, "{name}");
    }
    let sc = colours(&c, Some(&p), &[], &facts, bj(2017, 8, 6, 0, 0, 0));
    assert!(
        sc.reasons[0].message_zh.contains("2017年6月、2017年7月"),
        "{}",
        sc.reasons[0].message_zh
    );
    assert!(
        sc.reasons[0]
            .message_en
            .contains("2 monthly reports past due"),
        "{}",
        sc.reasons[0].message_en
    );
}

#[test]
fn missing_reports_threshold_is_configurable() {
    // R-TRACK-3 with tracking.red_missing_reports = 2: one missing is yellow, two are red.
    let mut c = cat();
    c.tracking.red_missing_reports = 2;
    let p = plan(vec![task(
        12,
        vec![target("活动次数", 0, 4, d(2017, 12, 31))],
        vec![],
    )]);
    let f = Facts::default();
    let one = colours(&c, Some(&p), &[], &f, bj(2017, 7, 6, 0, 0, 0));
    assert_eq!(
        (one.colour, one.reasons[0].colour),
        (Colour::Yellow, Colour::Yellow)
    );
    let two = colours(&c, Some(&p), &[], &f, bj(2017, 8, 6, 0, 0, 0));
    assert_eq!(
        (two.colour, two.reasons[0].colour),
        (Colour::Red, Colour::Red)
    );
}

#[test]
fn a_late_report_colours_one_reporting_period() {
    // R-TRACK-3: yellow on the dashboard of the period in which the late report arrived; the
    // lateness stays in the timeliness rate (R-TRACK-2).
    let c = cat();
    let p = plan(vec![task(
        12,
        vec![target("活动次数", 0, 4, d(2017, 12, 31))],
        vec![],
    )]);
    let tr = || vec![task_report(12, TaskStatus::InProgress, &[(0, Some(1))])];
    let reports = [
        received(month(2017, 6), bj(2017, 7, 10, 9, 0, 0), tr()),
        received(month(2017, 7), bj(2017, 8, 1, 9, 0, 0), tr()),
        received(month(2017, 8), bj(2017, 9, 1, 9, 0, 0), tr()),
    ];
    let f = Facts::default();
    let cases = [
        (bj(2017, 7, 10, 12, 0, 0), Colour::Yellow),
        (report_due(&c, month(2017, 7)), Colour::Yellow),
        (report_due(&c, month(2017, 8)), Colour::Green),
    ];
    for (now, want) in cases {
        let sc = colours(&c, Some(&p), &reports, &f, now);
        assert_eq!(sc.colour, want, "{now}: {:?}", sc.reasons);
    }
    let sc = colours(&c, Some(&p), &reports, &f, bj(2017, 7, 10, 12, 0, 0));
    assert!(
        sc.reasons[0].message_zh.contains("2017-07-05 23:59:59"),
        "{}",
        sc.reasons[0].message_zh
    );
    assert!(
        sc.reasons[0]
            .message_en
            .contains("received 2017-07-10 09:00:00"),
        "{}",
        sc.reasons[0].message_en
    );
    let subs: Vec<(Month, DateTime<Utc>)> =
        reports.iter().map(|r| (r.month, r.submitted_at)).collect();
    let rate = society_rate(&c, &subs, report_due(&c, month(2017, 8)));
    assert_eq!(
        rate,
        RateCell {
            expected: 3,
            received: 3,
            on_time: 2
        }
    );
}

#[test]
fn red_goes_back_to_green_only_when_a_report_closes_the_gap() {
    // R-TRACK-3: colours are recomputed from the latest facts; time alone does not clear red.
    let c = cat();
    let p = members_plan();
    let f = Facts::default();
    let r = |m: u32, at: DateTime<Utc>, status: TaskStatus, v: i64| {
        received(
            month(2017, m),
            at,
            vec![task_report(2, status, &[(0, Some(v))])],
        )
    };
    let mut reports = vec![r(
        6,
        bj(2017, 7, 3, 9, 0, 0),
        TaskStatus::InProgress,
        21_000,
    )];
    let at = |m: u32| report_due(&c, month(2017, m));
    let colour = |reports: &[ReceivedReport], now| colours(&c, Some(&p), reports, &f, now);

    // June dashboard: target due 30 June, 21,000 < 23,000 → red.
    let sc = colour(&reports, at(6));
    assert_eq!(sc.colour, Colour::Red);
    assert_eq!(codes(&sc.tasks[0].reasons), ["target-overdue"]);
    // July: still short (22,000): still red.
    reports.push(r(
        7,
        bj(2017, 8, 2, 9, 0, 0),
        TaskStatus::InProgress,
        22_000,
    ));
    assert_eq!(colour(&reports, at(7)).tasks[0].colour, Colour::Red);
    // Months pass without a report: the task stays red (and the society is red for missing
    // reports too).
    let later = colour(&reports, bj(2017, 10, 1, 0, 0, 0));
    assert_eq!(later.tasks[0].colour, Colour::Red);
    // August's report reaches 23,000: green again, task and society.
    reports.push(r(
        8,
        bj(2017, 9, 1, 9, 0, 0),
        TaskStatus::InProgress,
        23_000,
    ));
    let sc = colour(&reports, at(8));
    assert_eq!(sc.tasks[0].colour, Colour::Green);
    assert_eq!(sc.colour, Colour::Green, "{:?}", sc.reasons);
    // Reporting a lower value again would make it red again.
    reports.push(r(
        9,
        bj(2017, 10, 1, 9, 0, 0),
        TaskStatus::InProgress,
        22_900,
    ));
    assert_eq!(colour(&reports, at(9)).tasks[0].colour, Colour::Red);

    // Blocked: red until a report changes the status.
    let q = plan(vec![task(
        12,
        vec![target("活动次数", 0, 4, d(2017, 12, 31))],
        vec![],
    )]);
    let b = |m: u32, status| {
        received(
            month(2017, m),
            bj(2017, m + 1, 1, 9, 0, 0),
            vec![task_report(12, status, &[(0, Some(1))])],
        )
    };
    let mut reports = vec![b(6, TaskStatus::Blocked)];
    assert_eq!(
        colours(&c, Some(&q), &reports, &f, at(6)).tasks[0].colour,
        Colour::Red
    );
    reports.push(b(7, TaskStatus::Blocked));
    assert_eq!(
        colours(&c, Some(&q), &reports, &f, at(7)).tasks[0].colour,
        Colour::Red
    );
    reports.push(b(8, TaskStatus::InProgress));
    let sc = colours(&c, Some(&q), &reports, &f, at(8));
    assert_eq!(
        (sc.tasks[0].colour, sc.colour),
        (Colour::Green, Colour::Green)
    );
}

#[test]
fn fact_linked_targets_read_the_facts_when_no_value_is_reported() {
    let c = cat();
    let mut p = members_plan();
    p.tasks[0].targets[0].fact = Some("members_now".to_owned());
    let now = report_due(&c, month(2017, 6));
    let facts = facts! {
        members_now: Some(23_500),
        ..Facts::default()
    };
    let report = |v: Option<i64>| {
        [received(
            month(2017, 6),
            bj(2017, 7, 1, 9, 0, 0),
            vec![task_report(2, TaskStatus::InProgress, &[(0, v)])],
        )]
    };
    // No value reported: the fact (23,500) meets the target.
    let sc = colours(&c, Some(&p), &report(None), &facts, now);
    assert_eq!(sc.tasks[0].colour, Colour::Green);
    // No report and no fact: red, "no current value".
    let sc = colours(
        &c,
        Some(&p),
        &[],
        &Facts::default(),
        bj(2017, 7, 1, 0, 0, 0),
    );
    assert_eq!(sc.tasks[0].colour, Colour::Red);
    assert!(
        sc.tasks[0].reasons[0]
            .message_en
            .contains("no current value")
    );
    // The latest report's value comes first.
    let sc = colours(&c, Some(&p), &report(Some(22_000)), &facts, now);
    assert_eq!(sc.tasks[0].colour, Colour::Red);
    // A fact below target says where it comes from.
    let low = facts! {
        members_now: Some(21_000),
        ..Facts::default()
    };
    let sc = colours(&c, Some(&p), &report(None), &low, now);
    assert!(sc.tasks[0].reasons[0].message_zh.contains("取自学会数据"));
}

#[test]
fn latest_version_of_the_latest_month_counts() {
    // Several versions of a month: the last submitted is the content, the first the arrival.
    let c = cat();
    let p = members_plan();
    let v1 = received(
        month(2017, 6),
        bj(2017, 7, 3, 9, 0, 0),
        vec![task_report(2, TaskStatus::InProgress, &[(0, Some(21_000))])],
    );
    let v2 = received(
        month(2017, 6),
        bj(2017, 7, 20, 9, 0, 0),
        vec![task_report(2, TaskStatus::InProgress, &[(0, Some(23_000))])],
    );
    let reports = [v2, v1];
    let f = Facts::default();
    assert_eq!(
        colours(&c, Some(&p), &reports, &f, bj(2017, 7, 10, 0, 0, 0)).tasks[0].colour,
        Colour::Red
    );
    let sc = colours(&c, Some(&p), &reports, &f, bj(2017, 7, 21, 0, 0, 0));
    assert_eq!(
        sc.colour,
        Colour::Green,
        "on time by its first version: {:?}",
        sc.reasons
    );
}

#[test]
fn red_streaks_and_rectification() {
    // R-PLAN-5: a task red for tracking.red_task_months (2) consecutive months.
    let c = cat();
    let p = plan(vec![
        task(
            2,
            vec![target("个人会员数", 20_000, 23_000, d(2017, 6, 30))],
            vec![],
        ),
        task(12, vec![target("活动次数", 0, 4, d(2017, 7, 31))], vec![]),
    ]);
    let f = Facts::default();
    let r = |m: u32, members: i64, activities: i64| {
        received(
            month(2017, m),
            bj(2017, m + 1, 1, 9, 0, 0),
            vec![
                task_report(2, TaskStatus::InProgress, &[(0, Some(members))]),
                task_report(12, TaskStatus::InProgress, &[(0, Some(activities))]),
            ],
        )
    };
    let mut reports = vec![r(6, 21_000, 1), r(7, 22_000, 2)];
    let at = |m: u32| report_due(&c, month(2017, m));
    // June: task 2 red (due 30 June); task 12 is due 31 July: yellow, not red.
    assert_eq!(red_streaks(&c, &p, &reports, &f, at(6)), [(2, 1), (12, 0)]);
    assert_eq!(
        rectification_suggested(&c, &[(2, 1), (12, 0)]),
        Vec::<u32>::new()
    );
    // July: task 2 red two months running; task 12 red for the first time.
    let s = red_streaks(&c, &p, &reports, &f, at(7));
    assert_eq!(s, [(2, 2), (12, 1)]);
    assert_eq!(rectification_suggested(&c, &s), [2]);
    // August: both still short.
    reports.push(r(8, 22_500, 3));
    let s = red_streaks(&c, &p, &reports, &f, at(8));
    assert_eq!(s, [(2, 3), (12, 2)]);
    assert_eq!(rectification_suggested(&c, &s), [2, 12]);
    // September's report closes task 2's gap: its streak is over at once.
    reports.push(r(9, 23_000, 3));
    let s = red_streaks(&c, &p, &reports, &f, at(9));
    assert_eq!(s, [(2, 0), (12, 3)]);
    // Before any month is due there is no streak.
    assert_eq!(
        red_streaks(&c, &p, &[], &f, bj(2017, 7, 1, 0, 0, 0)),
        [(2, 0), (12, 0)]
    );
}

// ----- rates (R-TRACK-2) -------------------------------------------------------------------------

#[test]
fn percent_text_from_per_mille() {
    let cases = [
        (None, "—"),
        (Some(0), "0%"),
        (Some(1), "0.1%"),
        (Some(875), "87.5%"),
        (Some(750), "75%"),
        (Some(999), "99.9%"),
        (Some(1000), "100%"),
    ];
    for (p, want) in cases {
        assert_eq!(percent_text(p), want, "{p:?}");
    }
}

#[test]
fn rate_cells_round_down() {
    let cases = [
        (
            RateCell {
                expected: 0,
                received: 0,
                on_time: 0,
            },
            None,
            None,
        ),
        (
            RateCell {
                expected: 8,
                received: 7,
                on_time: 6,
            },
            Some(875),
            Some(750),
        ),
        (
            RateCell {
                expected: 3,
                received: 2,
                on_time: 1,
            },
            Some(666),
            Some(333),
        ),
        (
            RateCell {
                expected: 7,
                received: 7,
                on_time: 7,
            },
            Some(1000),
            Some(1000),
        ),
        (
            RateCell {
                expected: u32::MAX,
                received: u32::MAX,
                on_time: 0,
            },
            Some(1000),
            Some(0),
        ),
    ];
    for (cell, r, o) in cases {
        assert_eq!(
            (cell.received_permille(), cell.on_time_permille()),
            (r, o),
            "{cell:?}"
        );
    }
    assert_eq!(percent_text(RateCell::default().received_permille()), "—");
    let total: RateCell = [
        RateCell {
            expected: 8,
            received: 7,
            on_time: 6,
        },
        RateCell {
            expected: 2,
            received: 1,
            on_time: 1,
        },
    ]
    .into_iter()
    .sum();
    assert_eq!(total, RateCell::default().add(total));
    assert_eq!(total, RateCell::default() + total);
    assert_eq!(
        total,
        RateCell {
            expected: 10,
            received: 8,
            on_time: 7
        }
    );
}

#[test]
fn society_rate_counts_on_time_and_late() {
    // R-TRACK-2: expected = months due by now; received = any version; on time = first ≤ due.
    let c = cat();
    let subs = [
        (month(2017, 6), bj(2017, 7, 5, 23, 59, 59)), // on time, last second
        (month(2017, 6), bj(2017, 7, 8, 9, 0, 0)),    // a later version: ignored
        (month(2017, 7), bj(2017, 8, 6, 0, 0, 0)),    // late by one second
        (month(2017, 9), bj(2017, 9, 20, 9, 0, 0)),   // early: September not due yet
        (month(2017, 5), bj(2017, 6, 1, 9, 0, 0)),    // not an expected month
    ];
    let cases = [
        (
            bj(2017, 7, 1, 0, 0, 0),
            RateCell {
                expected: 0,
                received: 0,
                on_time: 0,
            },
        ),
        (
            bj(2017, 7, 6, 0, 0, 0),
            RateCell {
                expected: 1,
                received: 1,
                on_time: 1,
            },
        ),
        (
            bj(2017, 8, 5, 23, 59, 59),
            RateCell {
                expected: 2,
                received: 1,
                on_time: 1,
            },
        ),
        (
            bj(2017, 8, 6, 0, 0, 0),
            RateCell {
                expected: 2,
                received: 2,
                on_time: 1,
            },
        ),
        (
            bj(2017, 9, 6, 0, 0, 0),
            RateCell {
                expected: 3,
                received: 2,
                on_time: 1,
            },
        ),
    ];
    for (now, want) in cases {
        assert_eq!(society_rate(&c, &subs, now), want, "{now}");
    }
    let cell = society_rate(&c, &subs, bj(2017, 9, 6, 0, 0, 0));
    assert_eq!(percent_text(cell.received_permille()), "66.6%");
    assert_eq!(percent_text(cell.on_time_permille()), "33.3%");
}

#[test]
fn month_rate_over_societies() {
    // R-TRACK-2: 8 societies with an accepted plan, 7 June reports of which 6 on time.
    let c = cat();
    let june = month(2017, 6);
    let mut subs: Vec<DateTime<Utc>> = (0..6).map(|h| bj(2017, 7, 5, 17 + h, 0, 0)).collect();
    subs.push(bj(2017, 7, 6, 0, 0, 0)); // late
    let now = bj(2017, 8, 1, 0, 0, 0);
    let cell = month_rate(&c, june, 8, &subs, now);
    assert_eq!(
        cell,
        RateCell {
            expected: 8,
            received: 7,
            on_time: 6
        }
    );
    assert_eq!(cell.received_permille(), Some(875));
    assert_eq!(percent_text(cell.received_permille()), "87.5%");
    assert_eq!(percent_text(cell.on_time_permille()), "75%");
    // At the due instant the late one has not arrived yet.
    let at_due = month_rate(&c, june, 8, &subs, report_due(&c, june));
    assert_eq!(
        at_due,
        RateCell {
            expected: 8,
            received: 6,
            on_time: 6
        }
    );
    // A month not yet due, or not expected: nothing expected.
    assert_eq!(
        month_rate(&c, month(2017, 7), 8, &subs, now),
        RateCell::default()
    );
    assert_eq!(
        month_rate(&c, month(2017, 5), 8, &subs, now),
        RateCell::default()
    );
    // No society expected: "—".
    let none = month_rate(&c, june, 0, &subs, now);
    assert_eq!(none, RateCell::default());
    assert_eq!(percent_text(none.received_permille()), "—");
}

// ----- properties --------------------------------------------------------------------------------

fn any_date() -> impl Strategy<Value = NaiveDate> {
    (0i64..1200).prop_map(|n| d(2016, 6, 1) + Duration::days(n))
}

fn any_instant() -> impl Strategy<Value = DateTime<Utc>> {
    (0i64..(3 * 366 * 86_400)).prop_map(|s| bj(2016, 1, 1, 0, 0, 0) + Duration::seconds(s))
}

fn any_value() -> impl Strategy<Value = Option<i64>> {
    prop_oneof![
        Just(None),
        (-5i64..30).prop_map(Some),
        any::<i64>().prop_map(Some),
    ]
}

fn any_plan_task() -> impl Strategy<Value = PlanTask> {
    let t = (
        any_value(),
        any_value(),
        proptest::option::of(any_date()),
        0usize..4,
    )
        .prop_map(|(baseline, target, due, fact)| Target {
            metric: "m".to_owned(),
            unit: String::new(),
            baseline,
            target,
            due,
            fact: [None, Some("members_now"), Some("nope"), Some("has_office")][fact]
                .map(str::to_owned),
        });
    let m = (proptest::option::of(any_date()), any::<bool>()).prop_map(|(date, w)| Milestone {
        date,
        what: if w { "x".to_owned() } else { String::new() },
    });
    (
        1u32..27,
        proptest::collection::vec(t, 0..3),
        proptest::collection::vec(m, 0..3),
    )
        .prop_map(|(n, targets, milestones)| task(n, targets, milestones))
}

fn any_task_report() -> impl Strategy<Value = TaskReport> {
    let status = prop_oneof![
        Just(TaskStatus::NotStarted),
        Just(TaskStatus::InProgress),
        Just(TaskStatus::Completed),
        Just(TaskStatus::Blocked),
    ];
    let value = (0usize..5, any_value()).prop_map(|(target, value)| TargetValue { target, value });
    (
        1u32..27,
        status,
        proptest::collection::vec(value, 0..4),
        proptest::collection::vec(prop_oneof![0usize..5, Just(usize::MAX)], 0..3),
        any::<bool>(),
    )
        .prop_map(
            |(number, status, values, milestones_reached, reason)| TaskReport {
                number,
                status,
                progress: String::new(),
                values,
                milestones_reached,
                blocked_reason: if reason {
                    "r".to_owned()
                } else {
                    String::new()
                },
            },
        )
}

fn any_report() -> impl Strategy<Value = ReceivedReport> {
    (
        2016i32..2019,
        0u32..14,
        any_instant(),
        proptest::collection::vec(any_task_report(), 0..4),
    )
        .prop_map(|(year, month, submitted_at, tasks)| ReceivedReport {
            month: Month { year, month },
            submitted_at,
            content: ReportContent {
                narrative: String::new(),
                tasks,
            }
            .into(),
        })
}

fn any_catalogue() -> impl Strategy<Value = Catalogue> {
    (1u32..13, 1u32..13, 0i64..367, 1u32..4, 1u32..4).prop_map(|(a, b, yellow, missing, months)| {
        let mut c = cat();
        c.tracking.first_month = a.min(b);
        c.tracking.last_month = a.max(b);
        c.tracking.yellow_within_days = yellow;
        c.tracking.red_missing_reports = missing;
        c.tracking.red_task_months = months;
        c
    })
}

// ----- until when colours hold (issue 8) -------------------------------------------------------

#[test]
fn colours_hold_until_midnight_the_next_due_instant_or_the_next_submission() {
    let c = cat();
    // 3 July 2017, 10:00 Beijing time: the next local midnight comes first.
    let now = bj(2017, 7, 3, 10, 0, 0);
    assert_eq!(colours_change_after(&c, now, []), bj(2017, 7, 4, 0, 0, 0));
    // A report submitted later today comes before midnight; one already in does not count.
    let later = bj(2017, 7, 3, 15, 30, 0);
    assert_eq!(
        colours_change_after(&c, now, [bj(2017, 7, 1, 9, 0, 0), later]),
        later
    );
    // 5 July 2017, 12:00: June's report falls due at 23:59:59, before midnight.
    assert_eq!(
        colours_change_after(&c, bj(2017, 7, 5, 12, 0, 0), []),
        bj(2017, 7, 5, 23, 59, 59)
    );
    // At that very instant June is due (months_due_by counts due <= now): the next change is
    // the midnight one second later.
    assert_eq!(
        colours_change_after(&c, bj(2017, 7, 5, 23, 59, 59), []),
        bj(2017, 7, 6, 0, 0, 0)
    );
    // Long after the year: only midnights remain.
    assert_eq!(
        colours_change_after(&c, bj(2026, 12, 3, 21, 25, 0), []),
        bj(2026, 12, 4, 0, 0, 0)
    );
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    #[test]
    fn colours_never_panic_and_grey_means_nothing_to_judge(
        c in any_catalogue(),
        tasks in proptest::option::of(proptest::collection::vec(any_plan_task(), 0..4)),
        reports in proptest::collection::vec(any_report(), 0..5),
        members in any_value(),
        now in any_instant(),
    ) {
        let p = tasks.map(plan);
        let facts = facts! { members_now: members, ..Facts::default() };
        let sc = colours(&c, p.as_ref(), &reports, &facts, now);
        let due = months_due_by(&c, now);
        let nothing = sc.tasks.iter().all(|t| t.reasons.is_empty());
        prop_assert_eq!(
            sc.colour == Colour::Grey,
            p.is_none() || (due.is_empty() && nothing)
        );
        for t in &sc.tasks {
            let worst = t.reasons.iter().map(|r| r.colour).max();
            match worst {
                Some(w) => prop_assert_eq!(t.colour, w),
                None => prop_assert!(t.colour == Colour::Green || t.colour == Colour::Grey),
            }
            prop_assert!(t.reasons.iter().all(|r| r.task == Some(t.task)));
        }
        if let Some(w) = sc.reasons.iter().map(|r| r.colour).max() {
            prop_assert_eq!(sc.colour, w);
        }
        prop_assert!(sc.missing_months.iter().all(|m| due.contains(m)));
        if let Some(p) = &p {
            let streaks = red_streaks(&c, p, &reports, &facts, now);
            prop_assert_eq!(streaks.len(), sc.tasks.len());
            for (_, s) in &streaks {
                prop_assert!(*s as usize <= due.len());
            }
            let issues = validate_report(p, &new_report(p, reports.first().map(|r| &r.content)));
            // A fresh report blocks only on what it carried over from an invalid draft.
            prop_assert!(issues.iter().all(|i| !i.blocking
                || i.code == "blocked-without-reason"
                || i.code == "value-negative"));
        }
        let subs: Vec<(Month, DateTime<Utc>)> = reports.iter().map(|r| (r.month, r.submitted_at)).collect();
        let cell = society_rate(&c, &subs, now);
        prop_assert!(cell.on_time <= cell.received && cell.received <= cell.expected);
        prop_assert_eq!(cell.expected as usize, due.len());
    }

    /// Issue 8: colours computed at `now` hold at every instant before
    /// `colours_change_after(now)`, with reports submitted before and after `now` given.
    #[test]
    fn colours_hold_until_they_may_change(
        c in any_catalogue(),
        tasks in proptest::option::of(proptest::collection::vec(any_plan_task(), 0..4)),
        reports in proptest::collection::vec(any_report(), 0..5),
        near in proptest::collection::vec((any_report(), -86_400i64..86_400), 0..3),
        members in any_value(),
        now in any_instant(),
        fractions in proptest::collection::vec(0u32..1000, 1..4),
    ) {
        // Some reports submitted within a day of `now`, before or after it.
        let mut reports = reports;
        reports.extend(near.into_iter().map(|(mut r, offset)| {
            r.submitted_at = now + Duration::seconds(offset);
            r.month = Month::of((now - Duration::days(20)).with_timezone(&Shanghai).date_naive());
            r
        }));
        let p = tasks.map(plan);
        let facts = facts! { members_now: members, ..Facts::default() };
        let until = colours_change_after(&c, now, reports.iter().map(|r| r.submitted_at));
        prop_assert!(until > now);
        let at_now = colours(&c, p.as_ref(), &reports, &facts, now);
        // Whole seconds up to a year ahead: the last second before `until` included.
        let span = (until.timestamp() - now.timestamp()).min(366 * 86_400);
        let mut instants: Vec<DateTime<Utc>> = fractions
            .iter()
            .map(|f| now + Duration::seconds(span * i64::from(*f) / 1000))
            .collect();
        instants.push(until - Duration::seconds(1));
        for t in instants.into_iter().filter(|t| *t >= now && *t < until) {
            prop_assert_eq!(&colours(&c, p.as_ref(), &reports, &facts, t), &at_now);
        }
    }

    /// Issue 8: the progress extract answers every question colours, red streaks, the public
    /// target progress and the next month's pre-fill ask of a report exactly as the full
    /// content does, also after a round trip through its stored JSON; and colours computed
    /// from reports that differ only in what the extract leaves out (narrative, progress
    /// texts, a non-blocked task's reason) are the same.
    #[test]
    fn extract_answers_like_the_full_content(
        c in any_catalogue(),
        tasks in proptest::collection::vec(any_plan_task(), 0..4),
        entries in proptest::collection::vec(proptest::collection::vec(any_task_report(), 0..5), 1..4),
        members in any_value(),
        now in any_instant(),
    ) {
        for full in entries.iter().map(|tasks| ReportContent { narrative: "n".to_owned(), tasks: tasks.clone() }) {
            let extract = ReportExtract::from(&full);
            let text = serde_json::to_string(&extract).unwrap();
            let stored: ReportExtract = serde_json::from_str(&text).unwrap();
            prop_assert_eq!(&stored, &extract);
            for n in 0u32..28 {
                let a = full.task(n);
                let b = extract.task(n);
                prop_assert_eq!(a.is_some(), b.is_some());
                let (Some(a), Some(b)) = (a, b) else { continue };
                prop_assert_eq!(a.status, b.status);
                if a.status == TaskStatus::Blocked {
                    prop_assert_eq!(&a.blocked_reason, &b.blocked_reason);
                }
                for i in 0usize..6 {
                    prop_assert_eq!(a.value(i), b.value(i));
                    prop_assert_eq!(a.reached(i), b.reached(i));
                }
                prop_assert_eq!(a.reached(usize::MAX), b.reached(usize::MAX));
            }
        }
        // Colours from the full reports and from the same reports stripped of what the
        // extract leaves out.
        let p = plan(tasks);
        let facts = facts! { members_now: members, ..Facts::default() };
        let at = |i: usize| bj(2017, 7, 1, 0, 0, 0) + Duration::days(31 * i as i64);
        let full: Vec<ReceivedReport> = entries.iter().enumerate().map(|(i, t)| ReceivedReport {
            month: Month { year: 2017, month: 6 + i as u32 },
            submitted_at: at(i),
            content: ReportContent { narrative: "本月进展".to_owned(), tasks: t.clone() }.into(),
        }).collect();
        let stripped: Vec<ReceivedReport> = entries.iter().enumerate().map(|(i, t)| ReceivedReport {
            month: Month { year: 2017, month: 6 + i as u32 },
            submitted_at: at(i),
            content: ReportContent {
                narrative: String::new(),
                tasks: t.iter().map(|r| TaskReport {
                    progress: String::new(),
                    blocked_reason: if r.status == TaskStatus::Blocked { r.blocked_reason.clone() } else { "ignored".to_owned() },
                    ..r.clone()
                }).collect(),
            }.into(),
        }).collect();
        prop_assert_eq!(colours(&c, Some(&p), &full, &facts, now), colours(&c, Some(&p), &stripped, &facts, now));
        prop_assert_eq!(red_streaks(&c, &p, &full, &facts, now), red_streaks(&c, &p, &stripped, &facts, now));
        // The plan's progress part judges like the whole plan.
        let part = p.progress_part();
        prop_assert_eq!(colours(&c, Some(&p), &full, &facts, now), colours(&c, Some(&part), &full, &facts, now));
        prop_assert_eq!(red_streaks(&c, &p, &full, &facts, now), red_streaks(&c, &part, &full, &facts, now));
    }

    #[test]
    fn month_text_round_trips(year in 0i32..10_000, month in 1u32..13) {
        let m = Month { year, month };
        prop_assert_eq!(Month::parse(&m.to_string()), Some(m));
        prop_assert_eq!(m.next().prev(), m);
        prop_assert!(m.next() > m);
    }

    #[test]
    fn report_due_is_total_and_after_the_month(year in any::<i32>(), month in any::<u32>()) {
        let c = cat();
        let due = report_due(&c, Month { year, month });
        if (1..=12).contains(&month) && (1900..3000).contains(&year) {
            let m = Month { year, month };
            let local = due.with_timezone(&Shanghai).date_naive();
            prop_assert_eq!(Month::of(local), m.next());
        }
    }

    #[test]
    fn rates_stay_within_bounds(
        expected in 0u32..50,
        offsets in proptest::collection::vec(-100_000i64..100_000, 0..60),
        now in any_instant(),
    ) {
        let c = cat();
        let june = Month { year: 2017, month: 6 };
        let subs: Vec<DateTime<Utc>> =
            offsets.iter().map(|s| report_due(&c, june) + Duration::seconds(*s)).collect();
        let cell = month_rate(&c, june, expected, &subs, now);
        prop_assert!(cell.on_time <= cell.received && cell.received <= cell.expected);
        if let Some(p) = cell.received_permille() {
            prop_assert!(p <= 1000);
        }
    }
}

/// Issue 8: a stored extract that lacks a field does not decode (never an empty default).
#[test]
fn extract_with_a_missing_field_does_not_decode() {
    assert!(serde_json::from_str::<ReportExtract>("{}").is_err());
    assert!(
        serde_json::from_str::<ReportExtract>(r#"{"tasks":[{"number":2,"status":"blocked"}]}"#)
            .is_err()
    );
    assert!(serde_json::from_str::<ReportExtract>(r#"{"tasks":[],"narrative":""}"#).is_err());
    let ok: ReportExtract = serde_json::from_str(
        r#"{"tasks":[{"number":2,"status":"blocked","values":[{"target":0,"value":5}],"milestones_reached":[1],"blocked_reason":"r"}]}"#,
    )
    .unwrap();
    let t = ok.task(2).unwrap();
    assert_eq!(
        (t.status, t.value(0), t.reached(1), t.reached(0)),
        (TaskStatus::Blocked, Some(5), true, false)
    );
    assert_eq!(t.blocked_reason, "r");
}

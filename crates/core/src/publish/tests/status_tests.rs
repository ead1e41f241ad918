//! Public status: target progress, reason codes to public words, and the allowlist end to
//! end (R-PUB-1).

use chrono::NaiveDate;

use super::*;
use crate::facts::{Facts, parse_facts_json};
use crate::plan::{Milestone, PlanContent, PlanState, PlanTask, Responsible, Target};
use crate::tracking::{
    Reason, ReceivedReport, ReportContent, SocietyColour, TargetValue, TaskColour, TaskReport,
    TaskStatus, colours, society_rate,
};

fn d(m: u32, day: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(2017, m, day).unwrap()
}

fn target(baseline: i64, goal: i64, due: Option<NaiveDate>, fact: Option<&str>) -> Target {
    Target {
        metric: "个人会员数".to_owned(),
        unit: "人".to_owned(),
        baseline: Some(baseline),
        target: Some(goal),
        due,
        fact: fact.map(str::to_owned),
    }
}

fn report(m: u32, at: DateTime<Utc>, tasks: Vec<TaskReport>) -> ReceivedReport {
    ReceivedReport {
        month: month(m),
        submitted_at: at,
        content: ReportContent {
            narrative: String::new(),
            tasks,
        }
        .into(),
    }
}

fn entry(n: u32, status: TaskStatus, values: &[(usize, i64)]) -> TaskReport {
    TaskReport {
        number: n,
        status,
        progress: String::new(),
        values: values
            .iter()
            .map(|&(target, v)| TargetValue {
                target,
                value: Some(v),
            })
            .collect(),
        milestones_reached: vec![],
        blocked_reason: String::new(),
    }
}

#[test]
fn target_progress_follows_the_colour_definitions() {
    let c = cat();
    // Bulletin instant: 7 August 2017, 10:00 Beijing time (today = 2017-08-07).
    let now = bj(2017, 8, 7, 10, 0, 0);
    let plan = PlanContent {
        summary: String::new(),
        tasks: vec![PlanTask {
            number: 2,
            responsible: vec![],
            targets: vec![
                // Due yesterday, 99 of 100: due, not met, overdue.
                target(50, 100, Some(d(8, 6)), None),
                // Due today, 100 of 100: met, not yet due.
                target(50, 100, Some(d(8, 7)), None),
                // Due today, no value in the latest report (June's 100 does not count).
                target(50, 100, Some(d(8, 7)), None),
                // A reduction (10 → 5), 5 reached, due 1 August: met and due.
                target(10, 5, Some(d(8, 1)), None),
                // Linked to members_now (1,000 in the facts), due 30 June: met and due.
                target(500, 1000, Some(d(6, 30)), Some("members_now")),
                // No due date: not judged.
                target(50, 100, None, None),
            ],
            milestones: vec![],
            notes: String::new(),
        }],
    };
    let reports = vec![
        report(
            6,
            bj(2017, 7, 3, 9, 0, 0),
            vec![entry(2, TaskStatus::InProgress, &[(2, 100)])],
        ),
        report(
            7,
            bj(2017, 8, 3, 9, 0, 0),
            vec![entry(
                2,
                TaskStatus::InProgress,
                &[(0, 99), (1, 100), (3, 5)],
            )],
        ),
        // Submitted after the instant: not counted.
        report(
            7,
            bj(2017, 8, 8, 9, 0, 0),
            vec![entry(2, TaskStatus::InProgress, &[(0, 100), (2, 100)])],
        ),
    ];
    let facts = parse_facts_json(r#"{"members_now": 1000}"#, &c).unwrap();
    let p = target_progress(&c, &plan, &reports, &facts, now);
    assert_eq!(p, vec![(2, progress(5, 3, 3, 1))]);
    // Overdue is exactly what makes the task red with target-overdue.
    let sc = colours(&c, Some(&plan), &reports, &facts, now);
    let count = |code: &str| {
        sc.tasks[0]
            .reasons
            .iter()
            .filter(|r| r.code == code)
            .count()
    };
    assert_eq!(count("target-overdue"), 1);
    assert_eq!(count("target-due-soon"), 1);
    // One day later the two targets due on 7 August are due; the one without value is overdue.
    let p = target_progress(&c, &plan, &reports[..2], &facts, bj(2017, 8, 8, 10, 0, 0));
    assert_eq!(p, vec![(2, progress(5, 5, 3, 2))]);
    // Without the fact the linked target is not met.
    let p = target_progress(&c, &plan, &reports[..2], &Facts::default(), now);
    assert_eq!(p, vec![(2, progress(5, 3, 2, 2))]);
}

fn reason(code: &str, colour: Colour, task: Option<u32>) -> Reason {
    Reason {
        code: code.to_owned(),
        colour,
        task,
        message_zh: "SECRET 消息".to_owned(),
        message_en: "SECRET message".to_owned(),
    }
}

#[test]
fn reasons_become_counts_and_unknown_codes_are_withheld() {
    let sc = SocietyColour {
        colour: Colour::Red,
        reasons: vec![
            reason("reports-missing", Colour::Red, None),
            reason("tasks-red", Colour::Red, None),
            reason("mystery", Colour::Red, None),
            reason("tasks-yellow", Colour::Yellow, None),
            reason("report-late", Colour::Yellow, None),
            reason("report-late", Colour::Yellow, None),
        ],
        tasks: vec![
            TaskColour {
                task: 2,
                colour: Colour::Red,
                reasons: vec![
                    reason("target-overdue", Colour::Red, Some(2)),
                    reason("task-blocked", Colour::Red, Some(2)),
                    reason("target-overdue", Colour::Red, Some(2)),
                    reason("secret-code", Colour::Red, Some(2)),
                ],
            },
            TaskColour {
                task: 13,
                colour: Colour::Yellow,
                reasons: vec![
                    reason("target-due-soon", Colour::Yellow, Some(13)),
                    reason("milestone-late", Colour::Yellow, Some(13)),
                    reason("milestone-late", Colour::Yellow, Some(13)),
                    reason("milestone-due-soon", Colour::Yellow, Some(13)),
                    reason("not-started-late", Colour::Yellow, Some(13)),
                ],
            },
            TaskColour {
                task: 1,
                colour: Colour::Green,
                reasons: vec![],
            },
        ],
        missing_months: vec![month(6), month(7)],
    };
    let p = PublicStatus::from_colours(&sc, 30, &[(2, progress(3, 2, 1, 1))]);
    assert_eq!(p.colour, Colour::Red);
    assert_eq!(
        p.reasons,
        vec![
            ReasonFact::ReportsMissing {
                months: vec![month(6), month(7)],
                colour: Colour::Red
            },
            ReasonFact::TasksRed { tasks: vec![2] },
            ReasonFact::TasksYellow { tasks: vec![13] },
            ReasonFact::ReportLate { count: 2 },
        ]
    );
    assert_eq!(
        p.tasks,
        vec![
            PublicTaskStatus {
                task: 2,
                colour: Colour::Red,
                reasons: vec![
                    ReasonFact::TargetOverdue { count: 2 },
                    ReasonFact::TaskBlocked
                ],
                targets: progress(3, 2, 1, 1),
            },
            PublicTaskStatus {
                task: 13,
                colour: Colour::Yellow,
                reasons: vec![
                    ReasonFact::TargetDueSoon {
                        count: 1,
                        within_days: 30
                    },
                    ReasonFact::MilestoneLate { count: 2 },
                    ReasonFact::MilestoneDueSoon {
                        count: 1,
                        within_days: 30
                    },
                    ReasonFact::NotStartedLate,
                ],
                targets: TargetProgress::default(),
            },
            PublicTaskStatus {
                task: 1,
                colour: Colour::Green,
                reasons: vec![],
                targets: TargetProgress::default(),
            },
        ]
    );
    let words: Vec<(String, Colour, String, String)> = p
        .reasons
        .iter()
        .chain(p.tasks.iter().flat_map(|t| t.reasons.iter()))
        .map(|r| {
            let r = r.render();
            (r.code, r.colour, r.text_zh, r.text_en)
        })
        .collect();
    let w = |code: &str, colour: Colour, zh: &str, en: &str| {
        (code.to_owned(), colour, zh.to_owned(), en.to_owned())
    };
    assert_eq!(
        words,
        vec![
            w(
                "reports-missing",
                Colour::Red,
                "缺少 2 份到期月报（2017年6月、2017年7月）。",
                "2 monthly reports past due not received (2017-06, 2017-07)."
            ),
            w(
                "tasks-red",
                Colour::Red,
                "红色任务：第 2 项。",
                "Red task: 2."
            ),
            w(
                "tasks-yellow",
                Colour::Yellow,
                "黄色任务：第 13 项。",
                "Yellow task: 13."
            ),
            w(
                "report-late",
                Colour::Yellow,
                "最近一个报送期有 2 份月报迟交。",
                "2 monthly reports of the latest reporting period arrived late."
            ),
            w(
                "target-overdue",
                Colour::Red,
                "2 个目标已过完成期限，尚未达到。",
                "2 targets past due and not met."
            ),
            w(
                "task-blocked",
                Colour::Red,
                "最近一次月报报告该任务受阻。",
                "Reported blocked in the latest monthly report."
            ),
            w(
                "target-due-soon",
                Colour::Yellow,
                "1 个目标将在 30 天内到期，尚未达到。",
                "1 target due within 30 days and not yet met."
            ),
            w(
                "milestone-late",
                Colour::Yellow,
                "2 个里程碑已过计划日期，尚未达成。",
                "2 milestones past the planned date and not reached."
            ),
            w(
                "milestone-due-soon",
                Colour::Yellow,
                "1 个里程碑将在 30 天内到期，尚未达成。",
                "1 milestone due within 30 days and not yet reached."
            ),
            w(
                "not-started-late",
                Colour::Yellow,
                "里程碑日期已过，任务仍未开始。",
                "Not started although a milestone date has passed."
            ),
        ]
    );
    assert_eq!(
        ReasonFact::NoPlan.render().text_en,
        "No accepted reform plan yet: progress is not judged."
    );
    assert_eq!(
        ReasonFact::TasksRed { tasks: vec![2, 5] }.render().text_zh,
        "红色任务：第 2、5 项。"
    );
}

#[test]
fn plan_status_in_public_words() {
    let cases = [
        (None, "not_started", "未开始", "Not started"),
        (Some(PlanState::Draft), "draft", "编制中", "Being drafted"),
        (
            Some(PlanState::Submitted),
            "submitted",
            "已提交，审核中",
            "Submitted, under review",
        ),
        // The review history is not public: resubmitted reads submitted.
        (
            Some(PlanState::Resubmitted),
            "submitted",
            "已提交，审核中",
            "Submitted, under review",
        ),
        (
            Some(PlanState::Returned),
            "returned",
            "已退回修改",
            "Returned for revision",
        ),
        (Some(PlanState::Accepted), "accepted", "已通过", "Accepted"),
    ];
    for (state, id, zh, en) in cases {
        let s = PublicPlanStatus::of(state);
        assert_eq!((s.as_str(), s.label_zh(), s.label_en()), (id, zh, en));
    }
}

/// R-PUB-1 allowlist: a society whose private data all carry a recognisable secret; nothing
/// of it reaches the bulletin, its canonical bytes or any download table, although the core's
/// own colour messages do quote some of it (the negative control).
#[test]
fn no_private_field_reaches_a_bulletin() {
    let c = cat();
    let now = bj(2017, 8, 7, 10, 0, 0);
    let plan = PlanContent {
        summary: "SECRET-SUMMARY".to_owned(),
        tasks: vec![
            PlanTask {
                number: 2,
                responsible: vec![Responsible {
                    name: "SECRET-PERSON".to_owned(),
                    position: "SECRET-POSITION".to_owned(),
                }],
                targets: vec![Target {
                    metric: "SECRET-METRIC".to_owned(),
                    unit: "SECRET-UNIT".to_owned(),
                    baseline: Some(20_000),
                    target: Some(23_000),
                    due: Some(d(7, 31)),
                    fact: None,
                }],
                milestones: vec![Milestone {
                    date: Some(d(7, 15)),
                    what: "SECRET-MILESTONE".to_owned(),
                }],
                notes: "SECRET-NOTES".to_owned(),
            },
            PlanTask {
                number: 3,
                responsible: vec![],
                targets: vec![],
                milestones: vec![],
                notes: String::new(),
            },
        ],
    };
    let reports = vec![ReceivedReport {
        month: month(6),
        submitted_at: bj(2017, 7, 3, 9, 0, 0),
        content: ReportContent {
            narrative: "SECRET-NARRATIVE".to_owned(),
            tasks: vec![
                TaskReport {
                    number: 2,
                    status: TaskStatus::InProgress,
                    progress: "SECRET-PROGRESS".to_owned(),
                    values: vec![TargetValue {
                        target: 0,
                        value: Some(21_777),
                    }],
                    milestones_reached: vec![],
                    blocked_reason: String::new(),
                },
                TaskReport {
                    number: 3,
                    status: TaskStatus::Blocked,
                    progress: "SECRET-PROGRESS-3".to_owned(),
                    values: vec![],
                    milestones_reached: vec![],
                    blocked_reason: "SECRET-BLOCKED-REASON".to_owned(),
                },
            ],
        }
        .into(),
    }];
    let facts = parse_facts_json(r#"{"members_now": 31337}"#, &c).unwrap();

    // Negative control: the core's colour messages quote private text.
    let sc = colours(&c, Some(&plan), &reports, &facts, now);
    let messages: String = sc
        .tasks
        .iter()
        .flat_map(|t| t.reasons.iter())
        .map(|r| format!("{} {}", r.message_zh, r.message_en))
        .collect();
    assert!(messages.contains("SECRET-BLOCKED-REASON"), "{messages}");
    assert!(messages.contains("SECRET-MILESTONE"), "{messages}");
    assert!(messages.contains("SECRET-METRIC"), "{messages}");
    assert!(messages.contains("21,777"), "{messages}");

    let submissions: Vec<(Month, DateTime<Utc>)> =
        reports.iter().map(|r| (r.month, r.submitted_at)).collect();
    let society = PublicSociety {
        code: "A-01".to_owned(),
        name_zh: "中国数学会".to_owned(),
        name_en: "Chinese Mathematical Society".to_owned(),
        group: group("A"),
        members: facts.int("members_now"),
        election_year: false,
        plan: PublicPlanStatus::Accepted,
        status: public_status(&c, Some(&plan), &reports, &facts, now),
        reports: society_rate(&c, &submissions, now),
    };
    assert_eq!(society.reports, cell(2, 1, 1));
    let b = build(&c, &input(7, now, vec![society]), &[]).unwrap();
    // The status made it: red (task 3 blocked; task 2's target overdue since 31 July).
    assert_eq!(b.societies[0].colour, Colour::Red);
    let t3: Vec<&str> = b.societies[0].tasks[1]
        .reasons
        .iter()
        .map(|r| r.code.as_str())
        .collect();
    assert_eq!(t3, ["task-blocked"]);
    assert_eq!(b.societies[0].targets, progress(1, 1, 0, 1));

    let mut published = String::from_utf8(canonical_bytes(&b).unwrap()).unwrap();
    for lang in [Lang::Zh, Lang::En] {
        for t in tables(&b, lang) {
            published.push_str(&csv(&t, lang));
        }
    }
    for secret in [
        "SECRET", "21777", "21,777", "31337", "31,337", "23000", "23,000",
    ] {
        assert!(!published.contains(secret), "{secret} was published");
    }
    // And what must be there is there.
    assert!(published.contains("中国数学会"));
    assert!(published.contains("最近一次月报报告该任务受阻。"));
}

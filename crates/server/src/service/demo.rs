//! The demonstration year (issue 10): a believable 2017 seeded deterministically from a seed,
//! through the services themselves, so the audit trail, the fact history, the versions, the
//! reviews and the inbox are the ones real use produces.
//!
//! What is seeded is a table ([`PLAN_STORIES`], [`REPORT_STORIES`]): every society gets one
//! plan story (not started, draft, submitted on time, submitted late, returned, resubmitted,
//! accepted …) and every society with an accepted plan one report story (all on time, June
//! late, August late, August missing, …, a target due soon, a target overdue, a blocked task).
//! The counts per story are fixed; the seed decides which society tells which story and the
//! plausible figures (facts, targets, days and hours). 中国数学会 (A-01, the demo editor's
//! society) always has an accepted plan with a target due soon, so its editor sees a yellow
//! task and a September report to write.
//!
//! The stories become dated events, run in time order on a clock of their own (the server's
//! clock is not touched) and only up to the demo moment: `--clock 2017-07-20T10:00+08:00`
//! seeds the year as it stood that morning (then only 第1期 is published). CAST's monitoring
//! bulletins are events too ([`bulletins`]): June's, July's and August's, each published
//! through `service::bulletins::publish` once the month's reports are in. Facts are recorded as of 2017-03-31 with the
//! source `demo` (shown as demonstration data). The year is seeded once per database (the
//! setting `demo_seed` records the seed; a second start does nothing).

use std::collections::BTreeMap;

use chrono::{DateTime, NaiveDate, TimeZone, Utc};
use chrono_tz::Asia::Shanghai;
use reformwatch_core::catalogue::Catalogue;
use reformwatch_core::plan::{
    Measure, Milestone, PlanContent, PlanTask, Problem, RectificationContent, Responsible, Target,
};
use reformwatch_core::tracking::{Month, ReportContent, TargetValue, TaskReport, TaskStatus};
use serde_json::{Value, json};

use crate::AppState;
use crate::clock::Clock;
use crate::db::audit::{self, Change};
use crate::db::facts::FactChange;
use crate::db::plans::{PlanBody, PlanKind};
use crate::db::settings;
use crate::db::societies::{self, Society, SocietyFilter};
use crate::db::users;
use crate::error::AppResult;
use crate::principal::Principal;
use crate::service::plans::PlanDecision;
use crate::service::reports::ReportDecision;

/// The setting that marks a database as seeded (its value: the seed).
pub const SEEDED: &str = "demo_seed";

/// Where a society's reform plan stands at the demo moment (2017-09-15).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PlanStory {
    /// No plan opened.
    NotStarted,
    /// A draft, never submitted.
    Draft,
    /// Submitted by the deadline (22 May), not yet reviewed.
    SubmittedOnTime,
    /// Submitted in September, long after the deadline, not yet reviewed.
    SubmittedLate,
    /// Submitted, returned with comments, not yet corrected.
    Returned,
    /// Returned and submitted again, not yet reviewed.
    Resubmitted,
    /// Submitted on time and accepted.
    Accepted,
    /// Submitted on time, returned, resubmitted and accepted.
    AcceptedAfterReturn,
    /// Submitted after the deadline (accepted, marked late) and accepted.
    AcceptedLate,
}

/// How many societies tell each plan story (209 in all). Accepted plans: 140 + 12 + 20 = 172.
pub const PLAN_STORIES: &[(PlanStory, usize)] = &[
    (PlanStory::NotStarted, 8),
    (PlanStory::Draft, 7),
    (PlanStory::SubmittedOnTime, 6),
    (PlanStory::SubmittedLate, 5),
    (PlanStory::Returned, 6),
    (PlanStory::Resubmitted, 5),
    (PlanStory::AcceptedAfterReturn, 12),
    (PlanStory::AcceptedLate, 20),
    (PlanStory::Accepted, 140),
];

/// The monthly reports of a society with an accepted plan (June, July and August are due by
/// 15 September: on the 5th of the following month).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ReportStory {
    /// Every report on time, every task on track (green); June's report accepted by the
    /// reviewer between 10 and 14 July (issue 10: an explicit accept).
    OnTrack,
    /// June's report late, the others on time (green: an old late report counts in the
    /// timeliness rate only).
    JuneLate,
    /// August's report late (yellow: late in the latest period).
    AugustLate,
    /// August's report missing (red).
    AugustMissing,
    /// July's and August's reports missing (red).
    JulyAugustMissing,
    /// No report at all (red).
    NeverReported,
    /// On time, but a target due 30 September is not met (yellow).
    DueSoon,
    /// On time, but a target due 31 July is still not met (red; a rectification plan).
    Overdue,
    /// On time, but August's report says a task is blocked (red).
    Blocked,
    /// June's report returned, June locked, an exception granted, June corrected (green), the
    /// correction accepted on 26 July.
    LockException,
}

/// How many of the 172 societies with an accepted plan tell each report story.
pub const REPORT_STORIES: &[(ReportStory, usize)] = &[
    (ReportStory::JuneLate, 20),
    (ReportStory::AugustLate, 15),
    (ReportStory::AugustMissing, 10),
    (ReportStory::JulyAugustMissing, 4),
    (ReportStory::NeverReported, 3),
    (ReportStory::DueSoon, 15),
    (ReportStory::Overdue, 8),
    (ReportStory::Blocked, 3),
    (ReportStory::LockException, 1),
    (ReportStory::OnTrack, 93),
];

/// The monitoring bulletins CAST publishes in the demo year (R-PUB-1): month reported on and
/// the moment of publication (Beijing time), in order, so each chains to the one before.
/// What they show, counted by hand from the stories (see `tests/it/demo.rs`):
/// - 第1期 (June, 17 July 10:00): red 3 (never reported), yellow 20 (June late, in the latest
///   period) + 8 (a target due 31 July, within 30 days) = 28, green 141, grey 37;
/// - 第2期 (July, 14 August 10:00): red 3 + 4 (July missing) + 8 (target overdue) = 15,
///   yellow 20 (June's late report is still in the latest period), green 137, grey 37;
/// - 第3期 (August, 14 September 10:00): the dashboard's 28 red, 30 yellow, 114 green.
pub fn bulletins() -> [(u32, DateTime<Utc>); 3] {
    [
        (6, bj(7, 17, 10, 0)),
        (7, bj(8, 14, 10, 0)),
        (8, bj(9, 14, 10, 0)),
    ]
}

/// The demo editor's society: always accepted, with a target due soon.
const EDITOR_SOCIETY: &str = "A-01";

/// The exemplary societies (issue 12, 表扬): the first this many societies (in the seeded
/// order, never 中国数学会 A-01 nor 中国物理学会 A-02, which the year's browser journey uses)
/// with an accepted plan and every report on time carry on through the year end: reports for
/// September to December meeting every target and milestone, year-end facts passing the
/// membership, fee and secretariat rules, every task decided completed and the expert leaves
/// scored and submitted by the reviewer. With the demo clock after the year end (e.g.
/// 2018-01-10) they reach the commendation threshold (850) and share the subsidy pool; the
/// dates are fixed (no draw from the generator), so the year before them is as it was.
pub const EXEMPLARY: usize = 3;

/// The reviewer's expert scores of the `k`-th exemplary society (0-based), leaf by leaf, out
/// of 10, 10, 15, 30, 30, 100 and 20 (215): 205, 201 and 197 points.
pub fn exemplary_scores(k: usize) -> [(&'static str, String); 7] {
    let less = i64::try_from(k).unwrap_or(0);
    [
        ("1.1.1.1", "10".to_string()),
        ("1.1.1.3", "9".to_string()),
        ("1.2.4", "14".to_string()),
        ("2.4", "28".to_string()),
        ("3.2", format!("{}", 28 - less)),
        ("5.3", format!("{}", 96 - 3 * less)),
        ("6.5", "20".to_string()),
    ]
}

/// What seeding did, for the start-up message and the audit trail.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Seeded {
    pub seed: u64,
    pub societies: usize,
    pub events: usize,
    pub millis: u128,
}

/// A small deterministic generator (SplitMix64): the same seed, the same year, on every
/// platform and in every version of the dependencies.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }
    /// Uniform in `lo..=hi`.
    fn range(&mut self, lo: i64, hi: i64) -> i64 {
        let span = u64::try_from(hi - lo + 1).unwrap_or(1).max(1);
        lo + i64::try_from(self.next() % span).unwrap_or(0)
    }
    fn chance(&mut self, percent: i64) -> bool {
        self.range(1, 100) <= percent
    }
    fn shuffle<T>(&mut self, items: &mut [T]) {
        for i in (1..items.len()).rev() {
            let j = usize::try_from(self.next() % (i as u64 + 1)).unwrap_or(0);
            items.swap(i, j);
        }
    }
}

/// Beijing time on a day of 2017.
fn bj(month: u32, day: u32, hour: u32, minute: u32) -> DateTime<Utc> {
    Shanghai
        .with_ymd_and_hms(2017, month, day, hour, minute, 0)
        .single()
        .map(|t| t.with_timezone(&Utc))
        .unwrap_or_default()
}

/// Beijing time on a day of January 2018 (the December report and the year-end assessment).
fn bj2018(day: u32, hour: u32, minute: u32) -> DateTime<Utc> {
    Shanghai
        .with_ymd_and_hms(2018, 1, day, hour, minute, 0)
        .single()
        .map(|t| t.with_timezone(&Utc))
        .unwrap_or_default()
}

/// A working-hours moment on a day of 2017 (9:00–17:59 Beijing time).
fn office(rng: &mut Rng, month: u32, day: u32) -> DateTime<Utc> {
    let hour = u32::try_from(rng.range(9, 17)).unwrap_or(9);
    let minute = u32::try_from(rng.range(0, 59)).unwrap_or(0);
    bj(month, day, hour, minute)
}

/// A working-hours moment on a day between `lo` and `hi` of a month of 2017.
fn when(rng: &mut Rng, month: u32, lo: u32, hi: u32) -> DateTime<Utc> {
    let day = u32::try_from(rng.range(i64::from(lo), i64::from(hi))).unwrap_or(lo);
    office(rng, month, day)
}

fn date(m: u32, d: u32) -> Option<NaiveDate> {
    NaiveDate::from_ymd_opt(2017, m, d)
}

/// One society's figures and plan, decided from the seed.
struct Profile {
    society: Society,
    plan_story: PlanStory,
    report_story: Option<ReportStory>,
    facts: Vec<FactChange>,
    plan: PlanContent,
    /// Reported values per month: (June, July, August) progress of the member count.
    members: i64,
    member_target: i64,
}

#[derive(Debug, Clone, Copy)]
enum Step {
    Facts,
    PlanOpen,
    PlanDraft,
    PlanSubmit,
    PlanReturn,
    PlanAccept,
    /// Open, fill and submit the report of a month (6, 7, 8, …).
    Report(u32),
    ReportComment(u32),
    ReportReturn(u32),
    /// The reviewer accepts the month's report (issue 10).
    ReportAccept(u32),
    /// A correction of a month's report (a new version).
    ReportCorrect(u32),
    Lock(u32),
    Exception(u32),
    RectRequest,
    RectSubmit,
    RectAccept,
    /// CAST publishes the monitoring bulletin of a month (第1期 June, 第2期 July, 第3期 August).
    Publish(u32),
    /// An exemplary society's report of a month after August (9–12): every target met, every
    /// milestone reached, every task completed ([`EXEMPLARY`]).
    FinalReport(u32),
    /// An exemplary society's facts at the year end (as of 31 December).
    YearEndFacts,
    /// The reviewer is assigned to an exemplary society, decides every task completed and
    /// submits the expert scores ([`EXEMPLARY`]).
    Assess,
}

struct Event {
    at: DateTime<Utc>,
    /// Index into the profiles (unused for locks).
    who: usize,
    step: Step,
}

/// Responsible people, plausibly named.
const SURNAMES: &[&str] = &[
    "王", "李", "张", "刘", "陈", "杨", "赵", "黄", "周", "吴", "徐", "孙", "胡", "朱", "高", "林",
    "何", "郭", "马", "罗",
];
const GIVEN: &[&str] = &[
    "建华", "志强", "秀英", "海燕", "国庆", "晓明", "丽娟", "文杰", "立新", "红梅", "振宇", "雪松",
    "春燕", "永刚", "思远", "佳宁",
];

fn person(rng: &mut Rng) -> String {
    let s = SURNAMES[usize::try_from(rng.next() % SURNAMES.len() as u64).unwrap_or(0)];
    let g = GIVEN[usize::try_from(rng.next() % GIVEN.len() as u64).unwrap_or(0)];
    format!("{s}{g}")
}

/// A task's target in words: (metric, unit, baseline, target), for tasks without a fact link.
fn target_of(number: u32, rng: &mut Rng) -> (&'static str, &'static str, i64, i64) {
    match number {
        1 => ("修订会议制度", "项", 0, 1),
        3 => ("完成分支机构清理整顿", "个", 0, rng.range(2, 6)),
        4 => ("印发兼职人员行为准则", "项", 0, 1),
        5 => ("召开理事会党委会议", "次", 0, 4),
        6 => ("公开发布2017年年报", "份", 0, 1),
        7 => ("新增专职工作人员", "人", 0, rng.range(2, 5)),
        8 => ("聘任专职秘书长", "人", 0, 1),
        9 => ("理事会规模调整到位", "项", 0, 1),
        10 => ("优化负责人结构的措施", "项", 0, 2),
        11 => ("选举产生监事会", "个", 0, 1),
        12 => ("举办高水平学术会议", "次", rng.range(2, 4), rng.range(5, 8)),
        13 => (
            "参与创新驱动助力工程项目",
            "个",
            rng.range(1, 3),
            rng.range(4, 6),
        ),
        14 => ("参与学会联合体活动", "次", 1, rng.range(3, 5)),
        15 => (
            "承接社会化公共服务事项",
            "项",
            rng.range(1, 2),
            rng.range(3, 5),
        ),
        16 => (
            "推荐青年人才托举人选",
            "人",
            rng.range(2, 5),
            rng.range(6, 10),
        ),
        17 => (
            "服务企业技术需求",
            "家",
            rng.range(5, 10),
            rng.range(15, 30),
        ),
        18 => ("开展科技扶贫活动", "次", rng.range(1, 3), rng.range(4, 8)),
        19 => ("提交决策咨询报告", "份", rng.range(1, 3), rng.range(4, 6)),
        20 => ("举办科普活动", "场", rng.range(5, 15), rng.range(20, 40)),
        21 => (
            "举办或参加国际学术交流",
            "次",
            rng.range(2, 5),
            rng.range(6, 10),
        ),
        22 => ("引进海外智力项目", "个", rng.range(0, 2), rng.range(3, 5)),
        23 => (
            "上线会员服务平台功能",
            "项",
            rng.range(1, 3),
            rng.range(4, 6),
        ),
        _ => ("组建产业协同创新共同体", "个", 0, 1),
    }
}

fn milestone_of(number: u32) -> &'static str {
    match number {
        1 => "理事会审议通过会议制度",
        2 => "完成会员发展年度中期检查",
        3 => "完成分支机构年检",
        4 => "常务理事会审议通过行为准则",
        5 => "完成党委年度工作总结",
        6 => "完成年报编制",
        7 => "完成办事机构岗位设置",
        _ => "完成年度主要工作",
    }
}

/// Plausible facts for a society (R-SOC-2), every relation of the catalogue respected.
fn facts_of(rng: &mut Rng) -> (Vec<FactChange>, i64) {
    let members_baseline = rng.range(20, 600) * 100 + rng.range(0, 99);
    let growth = rng.range(6, 24);
    let members_now = members_baseline * (100 + growth) / 100;
    let fee_baseline = members_baseline * rng.range(35, 80) / 100;
    let fee_now = members_now * rng.range(35, 85) / 100;
    let staff = rng.range(4, 40);
    let sg_level = rng.range(1, 3).min(staff);
    let branches = rng.range(8, 60);
    let inactive = rng.range(0, 4).min(branches);
    let dissolved = rng.range(0, 3).min(branches - inactive);
    let absent = rng.range(0, 6);
    let adjusted = rng.range(0, absent);
    let mut values: Vec<(&str, Value)> = vec![
        ("members_baseline", json!(members_baseline)),
        ("members_now", json!(members_now)),
        ("fee_payers_baseline", json!(fee_baseline)),
        ("fee_payers_now", json!(fee_now)),
        ("fulltime_staff", json!(staff)),
        ("fulltime_sg_level", json!(sg_level)),
        ("has_office", json!(rng.chance(92))),
        ("branches_total", json!(branches)),
        ("branches_inactive", json!(inactive)),
        ("branches_dissolved", json!(dissolved)),
        ("directors_absent_without_reason", json!(absent)),
        ("directors_adjusted", json!(adjusted)),
    ];
    if rng.chance(80) {
        let (m, d) = (
            u32::try_from(rng.range(1, 12)).unwrap_or(1),
            u32::try_from(rng.range(1, 28)).unwrap_or(1),
        );
        let on = NaiveDate::from_ymd_opt(2016, m, d).unwrap_or_default();
        values.push(("party_org_established_on", json!(on.to_string())));
    }
    let changes = values
        .into_iter()
        .map(|(field, value)| FactChange {
            field: field.to_string(),
            value: Some(value),
        })
        .collect();
    (changes, members_now)
}

/// A society's reform plan: the basic tasks and five to seven optional ones, each with a
/// responsible person, a measurable target and a milestone (R-PLAN-2, R-PLAN-3).
fn plan_of(rng: &mut Rng, members: i64, story: Option<ReportStory>) -> (PlanContent, i64) {
    let mut optional: Vec<u32> = (12..=24).collect();
    rng.shuffle(&mut optional);
    let extra = usize::try_from(rng.range(5, 7)).unwrap_or(5);
    let mut chosen: Vec<u32> = optional.into_iter().take(extra).collect();
    chosen.sort_unstable();
    let member_target = (members * 115 + 99) / 100;
    let secretary = person(rng);
    let tasks = (1..=7)
        .chain(chosen)
        .map(|number| {
            let responsible = vec![Responsible {
                name: if number <= 7 {
                    secretary.clone()
                } else {
                    person(rng)
                },
                position: if number <= 7 {
                    "秘书长".to_string()
                } else {
                    "副秘书长".to_string()
                },
            }];
            let target = if number == 2 {
                Target {
                    metric: "个人会员".to_string(),
                    unit: "人".to_string(),
                    baseline: Some(members),
                    target: Some(member_target),
                    due: date(12, 31),
                    fact: Some("members_now".to_string()),
                }
            } else {
                let (metric, unit, baseline, target) = target_of(number, rng);
                let due = match (number, story) {
                    (1, Some(ReportStory::DueSoon)) => date(9, 30),
                    (3, Some(ReportStory::Overdue)) => date(7, 31),
                    _ => date(12, 31),
                };
                Target {
                    metric: metric.to_string(),
                    unit: unit.to_string(),
                    baseline: Some(baseline),
                    target: Some(target),
                    due,
                    fact: None,
                }
            };
            PlanTask {
                number,
                responsible,
                targets: vec![target],
                milestones: vec![Milestone {
                    date: date(11, 30),
                    what: milestone_of(number).to_string(),
                }],
                notes: String::new(),
            }
        })
        .collect();
    (
        PlanContent {
            summary: "围绕《中国科协2017年学会改革工作要点》，完成全部基础任务，并结合本会实际选定自选任务。"
                .to_string(),
            tasks,
        },
        member_target,
    )
}

/// A month's report of a society: progress towards each target, the member count reported
/// against its fact (so the facts follow the reports), the story's troubles.
fn report_of(p: &Profile, month: u32) -> ReportContent {
    // Share of the way to each target by the end of the month: June 30%, July 50%, August 70%.
    // After August only the exemplary societies report (EXEMPLARY): September 85%, October
    // 90%, November 95%, December every target met.
    let share: i64 = match month {
        6 => 30,
        7 => 50,
        8 => 70,
        9 => 85,
        10 => 90,
        11 => 95,
        _ => 100,
    };
    let story = p.report_story;
    let tasks = p
        .plan
        .tasks
        .iter()
        .map(|t| {
            let values =
                t.targets
                    .iter()
                    .enumerate()
                    .map(|(i, target)| {
                        let base = target.baseline.unwrap_or(0);
                        let goal = target.target.unwrap_or(base);
                        let value = if t.number == 2 {
                            p.members + (p.member_target - p.members) * share / 100
                        } else {
                            let v = base + (goal - base) * share / 100;
                            // The story's unmet targets stay below their goal.
                            match (t.number, story) {
                                (1, Some(ReportStory::DueSoon))
                                | (3, Some(ReportStory::Overdue)) => v.min(goal - 1).max(base),
                                _ => v,
                            }
                        };
                        TargetValue {
                            target: i,
                            value: Some(value),
                        }
                    })
                    .collect();
            let blocked = story == Some(ReportStory::Blocked) && t.number == 5 && month >= 8;
            TaskReport {
                number: t.number,
                status: if blocked {
                    TaskStatus::Blocked
                } else if month >= 12 {
                    TaskStatus::Completed
                } else {
                    TaskStatus::InProgress
                },
                progress: format!(
                    "{month}月按计划推进：{}。",
                    t.targets.first().map_or("各项工作", |x| x.metric.as_str())
                ),
                values,
                // Every milestone is due 30 November: reached in the November report.
                milestones_reached: if month >= 11 {
                    (0..t.milestones.len()).collect()
                } else {
                    Vec::new()
                },
                blocked_reason: if blocked {
                    "上级党组织批复尚未下达，党委会议暂缓召开。".to_string()
                } else {
                    String::new()
                },
            }
        })
        .collect();
    ReportContent {
        narrative: format!("{month}月，本会按照改革方案推进各项任务，重点抓好会员发展和制度建设。"),
        tasks,
    }
}

/// Decides every society's story and figures from the seed, and the dated events that tell
/// them, in time order.
fn plan_year(seed: u64, mut registry: Vec<Society>) -> (Vec<Profile>, Vec<Event>) {
    let mut rng = Rng(seed);
    registry.sort_by(|a, b| a.code.cmp(&b.code));
    // The stories as slots: plan story, and for accepted plans a report story.
    let mut plan_slots: Vec<PlanStory> = PLAN_STORIES
        .iter()
        .flat_map(|(s, n)| std::iter::repeat_n(*s, *n))
        .collect();
    let mut report_slots: Vec<ReportStory> = REPORT_STORIES
        .iter()
        .flat_map(|(s, n)| std::iter::repeat_n(*s, *n))
        .collect();
    // The editor's society takes an accepted plan and a target due soon; the rest is shuffled.
    let editor = registry.iter().position(|s| s.code == EDITOR_SOCIETY);
    if let Some(i) = editor {
        let society = registry.remove(i);
        registry.insert(0, society);
        if let Some(j) = plan_slots.iter().position(|s| *s == PlanStory::Accepted) {
            plan_slots.swap(0, j);
        }
        if let Some(j) = report_slots.iter().position(|s| *s == ReportStory::DueSoon) {
            report_slots.swap(0, j);
        }
    }
    let fixed = usize::from(editor.is_some());
    rng.shuffle(&mut registry[fixed..]);
    rng.shuffle(&mut plan_slots[fixed..]);
    rng.shuffle(&mut report_slots[fixed..]);
    let mut report_slots = report_slots.into_iter();
    let mut profiles = Vec::new();
    for (society, plan_story) in registry.into_iter().zip(plan_slots) {
        let accepted = matches!(
            plan_story,
            PlanStory::Accepted | PlanStory::AcceptedAfterReturn | PlanStory::AcceptedLate
        );
        let report_story = if accepted { report_slots.next() } else { None };
        let (facts, members) = facts_of(&mut rng);
        let (plan, member_target) = plan_of(&mut rng, members, report_story);
        profiles.push(Profile {
            society,
            plan_story,
            report_story,
            facts,
            plan,
            members,
            member_target,
        });
    }
    let mut events = Vec::new();
    let mut at = |at: DateTime<Utc>, who: usize, step: Step| events.push(Event { at, who, step });
    // CAST locks June on 20 July.
    at(bj(7, 20, 9, 0), 0, Step::Lock(6));
    // CAST publishes each month's bulletin once the month's reports are in (the late ones
    // too): June's on Monday 17 July, July's on Monday 14 August, August's on Thursday
    // 14 September (the last late August report comes on the 13th). See [`bulletins`].
    for (month, moment) in bulletins() {
        at(moment, 0, Step::Publish(month));
    }
    let mut rect_done = false;
    for (i, p) in profiles.iter().enumerate() {
        // Facts entered in late April (as of the end of March), before the plans.
        at(when(&mut rng, 4, 24, 28), i, Step::Facts);
        let opened = when(&mut rng, 5, 2, 9);
        match p.plan_story {
            PlanStory::NotStarted => continue,
            PlanStory::Draft => {
                at(opened, i, Step::PlanOpen);
                at(when(&mut rng, 5, 10, 31), i, Step::PlanDraft);
                continue;
            }
            _ => {
                at(opened, i, Step::PlanOpen);
                at(when(&mut rng, 5, 10, 12), i, Step::PlanDraft);
            }
        }
        match p.plan_story {
            PlanStory::SubmittedOnTime => at(when(&mut rng, 5, 19, 22), i, Step::PlanSubmit),
            PlanStory::SubmittedLate => at(when(&mut rng, 9, 4, 14), i, Step::PlanSubmit),
            PlanStory::Returned => {
                at(when(&mut rng, 5, 15, 20), i, Step::PlanSubmit);
                at(when(&mut rng, 6, 1, 9), i, Step::PlanReturn);
            }
            PlanStory::Resubmitted => {
                at(when(&mut rng, 5, 15, 20), i, Step::PlanSubmit);
                at(when(&mut rng, 5, 25, 31), i, Step::PlanReturn);
                at(when(&mut rng, 8, 21, 31), i, Step::PlanSubmit);
            }
            PlanStory::Accepted => {
                at(when(&mut rng, 5, 13, 19), i, Step::PlanSubmit);
                at(when(&mut rng, 5, 23, 31), i, Step::PlanAccept);
            }
            PlanStory::AcceptedAfterReturn => {
                at(when(&mut rng, 5, 13, 15), i, Step::PlanSubmit);
                at(when(&mut rng, 5, 17, 18), i, Step::PlanReturn);
                at(when(&mut rng, 5, 19, 22), i, Step::PlanSubmit);
                at(when(&mut rng, 5, 26, 31), i, Step::PlanAccept);
            }
            PlanStory::AcceptedLate => {
                at(when(&mut rng, 5, 23, 26), i, Step::PlanSubmit);
                at(when(&mut rng, 6, 1, 6), i, Step::PlanAccept);
            }
            PlanStory::NotStarted | PlanStory::Draft => {}
        }
        let Some(story) = p.report_story else {
            continue;
        };
        // Reports: on time between the 1st and the 5th of the next month; late after.
        let on_time = |rng: &mut Rng, month: u32| when(rng, month + 1, 1, 5);
        let months: &[u32] = match story {
            ReportStory::NeverReported => &[],
            ReportStory::JulyAugustMissing => &[6],
            ReportStory::AugustMissing => &[6, 7],
            _ => &[6, 7, 8],
        };
        for &m in months {
            let when = match (story, m) {
                (ReportStory::JuneLate, 6) => when(&mut rng, 7, 7, 14),
                (ReportStory::AugustLate, 8) => when(&mut rng, 9, 7, 13),
                _ => on_time(&mut rng, m),
            };
            at(when, i, Step::Report(m));
        }
        match story {
            ReportStory::LockException => {
                at(bj(7, 12, 15, 20), i, Step::ReportReturn(6));
                at(bj(7, 21, 10, 5), i, Step::Exception(6));
                at(bj(7, 24, 16, 40), i, Step::ReportCorrect(6));
                at(bj(7, 26, 10, 30), i, Step::ReportAccept(6));
            }
            ReportStory::Overdue if !rect_done => {
                rect_done = true;
                at(bj(8, 10, 11, 0), i, Step::RectRequest);
                at(bj(8, 24, 15, 30), i, Step::RectSubmit);
                at(bj(9, 1, 10, 15), i, Step::RectAccept);
            }
            ReportStory::OnTrack if rng.chance(25) => {
                at(when(&mut rng, 8, 7, 18), i, Step::ReportComment(7));
            }
            ReportStory::DueSoon => {
                at(when(&mut rng, 9, 7, 12), i, Step::ReportComment(8));
            }
            _ => {}
        }
        // June's on-track reports are accepted 10–14 July (no draw from the generator, so the
        // rest of the year stays as it was seeded before accepts existed).
        if story == ReportStory::OnTrack {
            let n = u32::try_from(i % 5).unwrap_or(0);
            at(bj(7, 10 + n, 9 + n, 15), i, Step::ReportAccept(6));
        }
    }
    // The exemplary societies carry on through the year end (fixed dates, no draw).
    for (k, i) in exemplary(&profiles).into_iter().enumerate() {
        let m = u32::try_from(k).unwrap_or(0) * 7;
        at(bj(10, 3, 10, m), i, Step::FinalReport(9));
        at(bj(11, 2, 10, m), i, Step::FinalReport(10));
        at(bj(12, 4, 10, m), i, Step::FinalReport(11));
        at(bj2018(3, 10, m), i, Step::FinalReport(12));
        at(bj2018(5, 15, m), i, Step::YearEndFacts);
        at(bj2018(8, 10, m), i, Step::Assess);
    }
    events.sort_by_key(|e| e.at);
    (profiles, events)
}

/// The indices of the exemplary societies ([`EXEMPLARY`]) among the profiles.
fn exemplary(profiles: &[Profile]) -> Vec<usize> {
    profiles
        .iter()
        .enumerate()
        .filter(|(_, p)| {
            p.plan_story == PlanStory::Accepted
                && p.report_story == Some(ReportStory::OnTrack)
                && p.society.code != EDITOR_SOCIETY
                && p.society.code != "A-02"
        })
        .map(|(i, _)| i)
        .take(EXEMPLARY)
        .collect()
}

async fn account(state: &AppState, name: &str) -> AppResult<Principal> {
    users::by_username(&state.db, name)
        .await?
        .map(|u| Principal::User(u.user))
        .ok_or_else(|| anyhow::anyhow!("demo account {name} missing").into())
}

/// Seeds the demonstration year once per database (issue 10), up to `until` (the demo
/// moment): every event through the service that real use goes through. Returns `None` when
/// the database was seeded before.
pub async fn seed(
    state: &AppState,
    catalogue: &Catalogue,
    seed: u64,
    until: DateTime<Utc>,
) -> AppResult<Option<Seeded>> {
    if settings::get(&state.db, SEEDED).await?.is_some() {
        return Ok(None);
    }
    let started = std::time::Instant::now();
    // A clock of its own: the server's clock stays at the demo moment.
    let state = AppState {
        clock: Clock::default(),
        ..state.clone()
    };
    let registry = societies::list(
        &state.db,
        &SocietyFilter {
            include_inactive: Some(false),
            ..Default::default()
        },
    )
    .await?;
    let reviewer = account(&state, "reviewer").await?;
    let admin = account(&state, "admin").await?;
    let editor = account(&state, "editor").await?;
    let society_side = Principal::Cli("demo".to_string());
    let (profiles, events) = plan_year(seed, registry);
    let as_of = date(3, 31).unwrap_or_default();
    let mut done = 0;
    for e in events.iter().filter(|e| e.at < until) {
        state.clock.set(e.at);
        let p = &profiles[e.who];
        let s = &p.society;
        let own = if s.code == EDITOR_SOCIETY {
            &editor
        } else {
            &society_side
        };
        match e.step {
            Step::Facts => {
                crate::service::facts::record(&state, own, s, catalogue, as_of, "demo", &p.facts)
                    .await?;
            }
            Step::PlanOpen => {
                crate::service::plans::open(&state, own, s, catalogue, false).await?;
            }
            Step::PlanDraft => {
                let mut draft = p.plan.clone();
                if p.plan_story == PlanStory::Draft {
                    // Half-written: the optional tasks chosen, targets still missing.
                    for t in draft.tasks.iter_mut().skip(4) {
                        t.targets.clear();
                    }
                }
                crate::service::plans::save_draft(
                    &state,
                    own,
                    s,
                    catalogue.year,
                    PlanBody::Reform(draft),
                )
                .await?;
            }
            Step::PlanSubmit => {
                crate::service::plans::submit(&state, own, s, catalogue, PlanKind::Reform).await?;
            }
            Step::PlanReturn => {
                let mut per_task = BTreeMap::new();
                per_task.insert(
                    2,
                    "会员发展目标请分解到季度，并说明缴费会员的发展措施。".to_string(),
                );
                crate::service::plans::review(
                    &state,
                    &reviewer,
                    s,
                    catalogue.year,
                    PlanKind::Reform,
                    PlanDecision::Return,
                    "方案总体可行，但部分目标不够具体，请按意见修改后重新提交。",
                    &per_task,
                )
                .await?;
            }
            Step::PlanAccept => {
                crate::service::plans::review(
                    &state,
                    &reviewer,
                    s,
                    catalogue.year,
                    PlanKind::Reform,
                    PlanDecision::Accept,
                    "",
                    &BTreeMap::new(),
                )
                .await?;
            }
            Step::Report(m) | Step::ReportCorrect(m) => {
                let month =
                    Month::new(catalogue.year, m).ok_or_else(|| anyhow::anyhow!("month {m}"))?;
                if matches!(e.step, Step::Report(_)) {
                    crate::service::reports::open(&state, own, s, catalogue, month).await?;
                }
                let mut content = report_of(p, m);
                if matches!(e.step, Step::ReportCorrect(_)) {
                    content
                        .narrative
                        .push_str("（按评审意见补充了会员发展的证明材料。）");
                }
                crate::service::reports::save_draft(&state, own, s, month, content).await?;
                crate::service::reports::submit(&state, own, s, catalogue, month).await?;
            }
            Step::ReportComment(m) | Step::ReportReturn(m) | Step::ReportAccept(m) => {
                let month =
                    Month::new(catalogue.year, m).ok_or_else(|| anyhow::anyhow!("month {m}"))?;
                let (decision, comment) = match e.step {
                    Step::ReportReturn(_) => (
                        ReportDecision::Return,
                        "会员数据与缴费记录不一致，请补充证明材料后重新提交。",
                    ),
                    Step::ReportAccept(_) => (ReportDecision::Accept, ""),
                    _ if p.report_story == Some(ReportStory::DueSoon) => (
                        ReportDecision::Comment,
                        "任务1的目标9月30日到期，目前尚未完成，请抓紧推进。",
                    ),
                    _ => (ReportDecision::Comment, "进展良好，请继续保持。"),
                };
                crate::service::reports::review(&state, &reviewer, s, month, decision, comment)
                    .await?;
            }
            Step::Lock(m) => {
                crate::service::reports::set_lock(&state, &admin, catalogue, &m.to_string(), true)
                    .await?;
            }
            Step::Exception(m) => {
                crate::service::reports::grant_exception(
                    &state,
                    &admin,
                    catalogue,
                    &m.to_string(),
                    &s.code,
                )
                .await?;
            }
            Step::RectRequest => {
                crate::service::plans::request_rectification(
                    &state,
                    &reviewer,
                    s,
                    catalogue.year,
                    "任务3的目标（完成分支机构清理整顿）7月31日到期仍未完成，已连续两个月为红色，请提交整改方案。",
                )
                .await?;
            }
            Step::RectSubmit => {
                let content = RectificationContent {
                    analysis:
                        "分支机构清理整顿工作启动较晚，部分分支机构负责人变动，材料收集滞后。"
                            .to_string(),
                    problems: vec![Problem {
                        description: "长期不开展活动的分支机构尚未完成清理。".to_string(),
                        task: Some(3),
                    }],
                    measures: vec![Measure {
                        what:
                            "成立清理整顿工作组，逐一约谈分支机构负责人，10月底前完成撤销或整改。"
                                .to_string(),
                        owner: "秘书处".to_string(),
                        due: date(10, 31),
                        problem: Some(0),
                    }],
                };
                crate::service::plans::save_draft(
                    &state,
                    own,
                    s,
                    catalogue.year,
                    PlanBody::Rectification(content),
                )
                .await?;
                crate::service::plans::submit(&state, own, s, catalogue, PlanKind::Rectification)
                    .await?;
            }
            Step::Publish(m) => {
                crate::service::bulletins::publish(
                    &state,
                    &admin,
                    &crate::service::bulletins::PublishRequest {
                        year: catalogue.year,
                        month: m,
                        correction: None,
                    },
                )
                .await?;
            }
            Step::FinalReport(m) => {
                let month =
                    Month::new(catalogue.year, m).ok_or_else(|| anyhow::anyhow!("month {m}"))?;
                crate::service::reports::open(&state, own, s, catalogue, month).await?;
                crate::service::reports::save_draft(&state, own, s, month, report_of(p, m)).await?;
                crate::service::reports::submit(&state, own, s, catalogue, month).await?;
            }
            Step::YearEndFacts => {
                // Members as planned (+15% on the plan's baseline), 90% of them paying fees,
                // a full-time secretary-general and an office (rules of tasks 2 and 7).
                let changes: Vec<FactChange> = [
                    ("members_now", json!(p.member_target)),
                    ("fee_payers_now", json!(p.member_target * 90 / 100)),
                    ("fulltime_sg_level", json!(1)),
                    ("has_office", json!(true)),
                ]
                .into_iter()
                .map(|(field, value)| FactChange {
                    field: field.to_string(),
                    value: Some(value),
                })
                .collect();
                let year_end = date(12, 31).unwrap_or_default();
                crate::service::facts::record(
                    &state, own, s, catalogue, year_end, "demo", &changes,
                )
                .await?;
            }
            Step::Assess => {
                use crate::service::assessment::flows;
                flows::assign_lines(&state, &admin, catalogue, &format!("{}, reviewer", s.code))
                    .await?;
                for task in &p.plan.tasks {
                    flows::decide(
                        &state,
                        &reviewer,
                        s,
                        catalogue,
                        &task.number.to_string(),
                        "completed",
                        "目标、里程碑均已完成，佐证材料齐全。",
                    )
                    .await?;
                }
                let k = exemplary(&profiles)
                    .iter()
                    .position(|&i| i == e.who)
                    .unwrap_or(0);
                let entries: Vec<flows::ScoreInput> = exemplary_scores(k)
                    .into_iter()
                    .map(|(indicator, score)| flows::ScoreInput {
                        indicator: indicator.to_string(),
                        score,
                        comment: "材料齐全，成效明显。".to_string(),
                    })
                    .collect();
                flows::save_scores(&state, &reviewer, s, catalogue, &entries, true).await?;
            }
            Step::RectAccept => {
                crate::service::plans::review(
                    &state,
                    &reviewer,
                    s,
                    catalogue.year,
                    PlanKind::Rectification,
                    PlanDecision::Accept,
                    "",
                    &BTreeMap::new(),
                )
                .await?;
            }
        }
        done += 1;
    }
    let seeded = Seeded {
        seed,
        societies: profiles.len(),
        events: done,
        millis: started.elapsed().as_millis(),
    };
    let now = until;
    let mut tx = state.db.begin().await?;
    settings::set_in(&mut tx, SEEDED, &seed.to_string()).await?;
    audit::record(
        &state.db,
        &mut tx,
        &society_side.actor(),
        now,
        Change {
            action: "demo.seed",
            object_type: "system",
            object_id: "demo",
            before: None,
            after: Some(json!({
                "seed": seed,
                "societies": seeded.societies,
                "events": seeded.events,
                "until": crate::present::beijing(until),
            })),
        },
    )
    .await?;
    tx.commit().await?;
    Ok(Some(seeded))
}

//! Red / yellow / green status per task and society (R-TRACK-3), and the red streaks that
//! suggest a rectification plan (R-PLAN-5).

use std::cmp::{Ordering, Reverse};
use std::collections::BTreeSet;

use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};

use super::extract::{ReportExtract, TaskExtract};
use super::month::{Month, expected_months, months_due_by, report_due, report_on_time};
use super::report::{TaskStatus, is_reduction, target_met, with_unit};
use crate::catalogue::Catalogue;
use crate::facts::Facts;
use crate::plan::{PlanContent, PlanTask, Target};

/// One received monthly report, as the colour and rate calculations need it (R-TRACK-1).
/// Several versions of one month may be given; the latest submitted one counts as the
/// month's content and the first one as its arrival. The content is the version's compact
/// progress extract ([`ReportExtract`], issue 8); a full [`super::ReportContent`] converts
/// into it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ReceivedReport {
    pub month: Month,
    pub submitted_at: DateTime<Utc>,
    pub content: ReportExtract,
}

/// Status colour (R-TRACK-3). Ordered by severity, [`Colour::Red`] worst:
/// `Grey < Green < Yellow < Red`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Colour {
    Green,
    Yellow,
    Red,
    /// Nothing to judge yet: no accepted plan, or no report due and nothing due soon.
    Grey,
}

impl Colour {
    /// Every colour, worst first.
    pub const ALL: [Colour; 4] = [Colour::Red, Colour::Yellow, Colour::Green, Colour::Grey];

    /// Stable identifier, as serialised: `green`, `yellow`, `red`, `grey`.
    pub fn as_str(self) -> &'static str {
        match self {
            Colour::Green => "green",
            Colour::Yellow => "yellow",
            Colour::Red => "red",
            Colour::Grey => "grey",
        }
    }

    /// The colour with this identifier ([`Colour::as_str`]).
    pub fn parse(s: &str) -> Option<Colour> {
        Colour::ALL.into_iter().find(|c| c.as_str() == s)
    }

    pub fn label_zh(self) -> &'static str {
        match self {
            Colour::Green => "绿色",
            Colour::Yellow => "黄色",
            Colour::Red => "红色",
            Colour::Grey => "灰色",
        }
    }

    pub fn label_en(self) -> &'static str {
        match self {
            Colour::Green => "Green",
            Colour::Yellow => "Yellow",
            Colour::Red => "Red",
            Colour::Grey => "Grey",
        }
    }

    /// 0 for grey up to 3 for red.
    pub fn severity(self) -> u8 {
        match self {
            Colour::Grey => 0,
            Colour::Green => 1,
            Colour::Yellow => 2,
            Colour::Red => 3,
        }
    }

    /// The worse of two colours.
    pub fn worst(self, other: Colour) -> Colour {
        if other > self { other } else { self }
    }
}

impl Ord for Colour {
    fn cmp(&self, other: &Self) -> Ordering {
        self.severity().cmp(&other.severity())
    }
}

impl PartialOrd for Colour {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

/// Why a task or society has its colour (R-TRACK-3). `code` is stable (see [`colours`]);
/// `colour` is the colour this reason alone gives.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Reason {
    pub code: String,
    pub colour: Colour,
    /// The task concerned; `None` for a society-level reason.
    pub task: Option<u32>,
    pub message_zh: String,
    pub message_en: String,
}

/// One planned task's colour with its reasons, worst first (R-TRACK-3).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TaskColour {
    pub task: u32,
    pub colour: Colour,
    pub reasons: Vec<Reason>,
}

/// A society's colour (R-TRACK-3): its own reasons (missing or late reports, red or yellow
/// tasks), every planned task's colour in plan order, and the due months without a report.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SocietyColour {
    pub colour: Colour,
    pub reasons: Vec<Reason>,
    pub tasks: Vec<TaskColour>,
    /// Expected months whose report was due by `now` and not received by then.
    pub missing_months: Vec<Month>,
}

impl SocietyColour {
    /// The colour of task `number`.
    pub fn task(&self, number: u32) -> Option<&TaskColour> {
        self.tasks.iter().find(|t| t.task == number)
    }
}

/// Colours of a society at `now` (R-TRACK-3). A view passes the moment it is looked at (or a
/// bulletin's snapshot instant) as `now`, so a report that came late counts as received (see
/// [`super::arrival`]); [`red_streaks`] judges each past month at its [`report_due`] instant.
///
/// Only reports submitted at or before `now` for an expected month count. "The latest report"
/// of a task is the latest month's (then latest submitted) report that has an entry for the
/// task. "Today" is `now`'s date in the catalogue time zone; a date is *past* when it is before
/// today (a target due today is not yet overdue) and *due within N days* when it is today or up
/// to N days ahead (N = `tracking.yellow_within_days`, 30 in 2017: 30 days ahead is yellow, 31
/// is not).
///
/// A target is judged when it has a target value and a due date. Its *current value* is the
/// latest report's value for it, else — when the target is linked to a fact (`Target.fact`) —
/// that fact's value in `facts`. It is *met* when the current value reaches the target value
/// (at least it; at most it for a reduction target, whose baseline is above its target value);
/// no current value is not met. A milestone is *reached* when the latest report lists it, or
/// reports the task completed.
///
/// Task, red:
/// - `target-overdue`: a target past its due date and not met;
/// - `task-blocked`: the latest report says the task is blocked.
///
/// Task, yellow:
/// - `target-due-soon`: a target due within N days and not met;
/// - `milestone-late`: a milestone past its date and not reached;
/// - `milestone-due-soon`: a milestone due within N days and not reached;
/// - `not-started-late`: the task is not started (or never reported) while a milestone's date
///   has passed.
///
/// Task, green: none of these (a task completed with its targets met is green). Grey: no
/// reason and no report due yet.
///
/// A red task goes back only after the gap is closed: colours are recomputed from the latest
/// facts, so a red target stays red month after month (its due date stays past) until a report
/// (or the linked fact) shows the target met, and a blocked task until a report changes its
/// status.
///
/// Society:
/// - grey, `no-plan`: no accepted plan (nothing is expected of it; no month is missing);
/// - red, `reports-missing`: at least `tracking.red_missing_reports` due reports not received
///   (listed in `missing_months`); yellow, same code, when fewer but at least one are missing;
/// - red, `tasks-red`: at least one task is red;
/// - yellow, `tasks-yellow`: at least one task is yellow;
/// - yellow, `report-late`: a report arrived after its due instant during the latest reporting
///   period, i.e. after the due instant of the month before the latest due month (older late
///   reports count in the timeliness rate, R-TRACK-2, not in the colour);
/// - green otherwise; grey when no report is due yet and no task has a reason.
pub fn colours(
    catalogue: &Catalogue,
    plan: Option<&PlanContent>,
    reports: &[ReceivedReport],
    facts: &Facts,
    now: DateTime<Utc>,
) -> SocietyColour {
    let Some(plan) = plan else {
        return SocietyColour {
            colour: Colour::Grey,
            reasons: vec![Reason {
                code: "no-plan".to_owned(),
                colour: Colour::Grey,
                task: None,
                message_zh: "尚无已通过的改革方案，暂不评价进展。".to_owned(),
                message_en: "No accepted reform plan yet: progress is not judged.".to_owned(),
            }],
            tasks: Vec::new(),
            missing_months: Vec::new(),
        };
    };
    let cx = Cx::new(catalogue, reports, facts, now);

    let mut seen = BTreeSet::new();
    let tasks: Vec<TaskColour> = plan
        .tasks
        .iter()
        .filter(|t| seen.insert(t.number))
        .map(|pt| cx.task_colour(pt))
        .collect();

    let mut reasons = Vec::new();
    let missing_months: Vec<Month> = cx
        .due
        .iter()
        .copied()
        .filter(|m| cx.first_arrival(*m).is_none())
        .collect();
    if !missing_months.is_empty() {
        let n = u32::try_from(missing_months.len()).unwrap_or(u32::MAX);
        let threshold = catalogue.tracking.red_missing_reports;
        let colour = if n >= threshold {
            Colour::Red
        } else {
            Colour::Yellow
        };
        let zh: Vec<String> = missing_months.iter().map(|m| m.label_zh()).collect();
        let en: Vec<String> = missing_months.iter().map(Month::to_string).collect();
        reasons.push(Reason {
            code: "reports-missing".to_owned(),
            colour,
            task: None,
            message_zh: format!(
                "缺少 {n} 份已过报送截止时间的月报（{}）；缺报 {threshold} 份即为红色。",
                zh.join("、")
            ),
            message_en: format!(
                "{n} monthly report{} past due not received ({}); {threshold} missing make a society red.",
                if n == 1 { "" } else { "s" },
                en.join(", ")
            ),
        });
    }

    let red: Vec<String> = tasks
        .iter()
        .filter(|t| t.colour == Colour::Red)
        .map(|t| t.task.to_string())
        .collect();
    if !red.is_empty() {
        reasons.push(Reason {
            code: "tasks-red".to_owned(),
            colour: Colour::Red,
            task: None,
            message_zh: format!("红色任务：第 {} 项。", red.join("、")),
            message_en: format!(
                "Red task{}: {}.",
                if red.len() == 1 { "" } else { "s" },
                red.join(", ")
            ),
        });
    }
    let yellow: Vec<String> = tasks
        .iter()
        .filter(|t| t.colour == Colour::Yellow)
        .map(|t| t.task.to_string())
        .collect();
    if !yellow.is_empty() {
        reasons.push(Reason {
            code: "tasks-yellow".to_owned(),
            colour: Colour::Yellow,
            task: None,
            message_zh: format!("黄色任务：第 {} 项。", yellow.join("、")),
            message_en: format!(
                "Yellow task{}: {}.",
                if yellow.len() == 1 { "" } else { "s" },
                yellow.join(", ")
            ),
        });
    }

    if let Some(latest) = cx.due.last() {
        let period_start = report_due(catalogue, latest.prev());
        for m in &cx.due {
            let Some(first) = cx.first_arrival(*m) else {
                continue;
            };
            if first > period_start && !report_on_time(catalogue, *m, first) {
                let due = report_due(catalogue, *m).with_timezone(&catalogue.timezone);
                let at = first.with_timezone(&catalogue.timezone);
                reasons.push(Reason {
                    code: "report-late".to_owned(),
                    colour: Colour::Yellow,
                    task: None,
                    message_zh: format!(
                        "{}月报迟交：应于 {} 前报送，实际于 {} 报送。",
                        m.label_zh(),
                        due.format("%Y-%m-%d %H:%M:%S"),
                        at.format("%Y-%m-%d %H:%M:%S")
                    ),
                    message_en: format!(
                        "The {m} report was late: due by {}, received {}.",
                        due.format("%Y-%m-%d %H:%M:%S"),
                        at.format("%Y-%m-%d %H:%M:%S")
                    ),
                });
            }
        }
    }

    reasons.sort_by_key(|r| Reverse(r.colour));
    let colour = if cx.due.is_empty() && reasons.is_empty() {
        Colour::Grey
    } else {
        reasons
            .iter()
            .map(|r| r.colour)
            .max()
            .unwrap_or(Colour::Green)
            .worst(Colour::Green)
    };
    SocietyColour {
        colour,
        reasons,
        tasks,
        missing_months,
    }
}

/// The first instant after `now` at which [`colours`] may judge differently with the same
/// plan, reports and facts (issue 8: the dashboard keeps every society's colours until then
/// instead of computing 10,000 of them per request). [`colours`] reads the clock only through
/// three things, and this is the earliest instant after `now` at which one of them changes:
/// - "today" in the catalogue time zone: the next local midnight;
/// - the months due ([`months_due_by`]): the next [`report_due`] instant after `now`;
/// - the reports counted (those submitted by `now`): the earliest of `submissions` after `now`.
///
/// So for every `t` with `now <= t < colours_change_after(…)`, `colours(…, t)` equals
/// `colours(…, now)` (property-tested). Always after `now`; a midnight that does not exist
/// locally (a daylight-saving gap) counts as one hour later, the gap's end in every zone whose
/// gaps are an hour long.
pub fn colours_change_after(
    catalogue: &Catalogue,
    now: DateTime<Utc>,
    submissions: impl IntoIterator<Item = DateTime<Utc>>,
) -> DateTime<Utc> {
    use chrono::{Duration, TimeZone};
    let tz = catalogue.timezone;
    let today = now.with_timezone(&tz).date_naive();
    let midnight = today.succ_opt().map(|tomorrow| {
        let local = tomorrow.and_time(chrono::NaiveTime::MIN);
        tz.from_local_datetime(&local)
            .earliest()
            .map(|t| t.with_timezone(&Utc))
            .or_else(|| {
                // A gap at midnight: the new day starts when the gap ends.
                tz.from_local_datetime(&(local - Duration::hours(1)))
                    .earliest()
                    .map(|t| t.with_timezone(&Utc) + Duration::hours(1))
            })
            .unwrap_or(now + Duration::hours(1))
    });
    let due = expected_months(catalogue)
        .into_iter()
        .map(|m| report_due(catalogue, m))
        .filter(|d| *d > now)
        .min();
    let submitted = submissions.into_iter().filter(|s| *s > now).min();
    [midnight, due, submitted]
        .into_iter()
        .flatten()
        .min()
        .unwrap_or(DateTime::<Utc>::MAX_UTC)
}

/// For each planned task (plan order), the number of consecutive months, ending at the latest
/// due month, for which it has been red (R-PLAN-5, compared with `tracking.red_task_months`
/// by [`rectification_suggested`]).
///
/// Each due month is judged by its dashboard colour, i.e. [`colours`] at that month's
/// [`report_due`] instant, with the reports received by then; `facts` is the one snapshot
/// given (facts have no history here). A task that is not red at `now` has a streak of 0: once
/// the gap is closed the count starts again. No month due: every streak is 0.
pub fn red_streaks(
    catalogue: &Catalogue,
    plan: &PlanContent,
    reports: &[ReceivedReport],
    facts: &Facts,
    now: DateTime<Utc>,
) -> Vec<(u32, u32)> {
    let current = colours(catalogue, Some(plan), reports, facts, now);
    // Latest due month first.
    let monthly: Vec<SocietyColour> = months_due_by(catalogue, now)
        .iter()
        .rev()
        .map(|m| {
            colours(
                catalogue,
                Some(plan),
                reports,
                facts,
                report_due(catalogue, *m),
            )
        })
        .collect();
    let red = |sc: &SocietyColour, n: u32| sc.task(n).is_some_and(|t| t.colour == Colour::Red);
    current
        .tasks
        .iter()
        .map(|t| {
            let streak = if t.colour == Colour::Red {
                monthly.iter().take_while(|sc| red(sc, t.task)).count()
            } else {
                0
            };
            (t.task, u32::try_from(streak).unwrap_or(u32::MAX))
        })
        .collect()
}

/// The tasks whose red streak ([`red_streaks`]) has reached `tracking.red_task_months`: a
/// rectification plan is suggested for them (R-PLAN-5). In the order given.
pub fn rectification_suggested(catalogue: &Catalogue, streaks: &[(u32, u32)]) -> Vec<u32> {
    let months = catalogue.tracking.red_task_months.max(1);
    streaks
        .iter()
        .filter(|(_, s)| *s >= months)
        .map(|(t, _)| *t)
        .collect()
}

/// What one evaluation at `now` needs.
struct Cx<'a> {
    catalogue: &'a Catalogue,
    facts: &'a Facts,
    today: NaiveDate,
    /// Expected months due by `now`, chronological.
    due: Vec<Month>,
    /// Reports submitted by `now` for an expected month, by (month, submitted_at).
    reports: Vec<&'a ReceivedReport>,
}

impl<'a> Cx<'a> {
    fn new(
        catalogue: &'a Catalogue,
        reports: &'a [ReceivedReport],
        facts: &'a Facts,
        now: DateTime<Utc>,
    ) -> Self {
        let expected = expected_months(catalogue);
        let mut reports: Vec<&ReceivedReport> = reports
            .iter()
            .filter(|r| r.submitted_at <= now && expected.contains(&r.month))
            .collect();
        reports.sort_by_key(|r| (r.month, r.submitted_at));
        Cx {
            catalogue,
            facts,
            today: now.with_timezone(&catalogue.timezone).date_naive(),
            due: months_due_by(catalogue, now),
            reports,
        }
    }

    /// When the first version of `month`'s report arrived.
    fn first_arrival(&self, month: Month) -> Option<DateTime<Utc>> {
        self.reports
            .iter()
            .filter(|r| r.month == month)
            .map(|r| r.submitted_at)
            .min()
    }

    /// The latest report with an entry for task `n`, and that entry.
    fn latest(&self, n: u32) -> Option<(&'a ReceivedReport, &'a TaskExtract)> {
        self.reports
            .iter()
            .rev()
            .find_map(|r| r.content.task(n).map(|t| (*r, t)))
    }

    fn task_colour(&self, pt: &PlanTask) -> TaskColour {
        let n = pt.number;
        let latest = self.latest(n);
        let status = latest.map(|(_, t)| t.status).unwrap_or_default();
        let soon = self.catalogue.tracking.yellow_within_days;
        let (tz, te) = task_names(self.catalogue, n);
        let mut reasons = Vec::new();
        let mut push = |code: &str, colour: Colour, zh: String, en: String| {
            reasons.push(Reason {
                code: code.to_owned(),
                colour,
                task: Some(n),
                message_zh: zh,
                message_en: en,
            });
        };

        if let Some((r, t)) = latest
            && t.status == TaskStatus::Blocked
        {
            let why = t.blocked_reason.trim();
            let (why_zh, why_en) = if why.is_empty() {
                ("未说明原因".to_owned(), "no reason given".to_owned())
            } else {
                (format!("原因：{why}"), format!("reason: {why}"))
            };
            push(
                "task-blocked",
                Colour::Red,
                format!(
                    "{tz}在{}月报中报告为“受阻”（{why_zh}）。",
                    r.month.label_zh()
                ),
                format!(
                    "{te} is reported blocked in the {} report ({why_en}).",
                    r.month
                ),
            );
        }

        for (i, t) in pt.targets.iter().enumerate() {
            let (Some(goal), Some(due)) = (t.target, t.due) else {
                continue;
            };
            let current = self.current_value(latest.map(|(_, tr)| tr), t, i);
            if current.is_some_and(|(v, _)| target_met(t, v) == Some(true)) {
                continue;
            }
            let (lz, le) = target_names(self.catalogue, t, i);
            let (vz, ve) = match current {
                Some((v, from_fact)) => {
                    let (sz, se) = if from_fact {
                        ("（取自学会数据）", " (from the society's facts)")
                    } else {
                        ("", "")
                    };
                    (
                        format!("当前值 {}{sz}", with_unit(v, t)),
                        format!("current value {}{se}", with_unit(v, t)),
                    )
                }
                None => ("尚无当前值".to_owned(), "no current value".to_owned()),
            };
            let (aim_zh, aim_en) = if is_reduction(t) {
                ("不超过", "at most")
            } else {
                ("达到", "at least")
            };
            let goal_text = with_unit(goal, t);
            if due < self.today {
                push(
                    "target-overdue",
                    Colour::Red,
                    format!("{tz}{lz}应于 {due} 前{aim_zh} {goal_text}，已逾期未完成（{vz}）。"),
                    format!(
                        "{te}, {le}: {aim_en} {goal_text} was due by {due} and is not met ({ve})."
                    ),
                );
            } else {
                let days = (due - self.today).num_days();
                if days <= soon {
                    push(
                        "target-due-soon",
                        Colour::Yellow,
                        format!(
                            "{tz}{lz}应于 {due} 前{aim_zh} {goal_text}，还有 {days} 天，尚未完成（{vz}）。"
                        ),
                        format!(
                            "{te}, {le}: {aim_en} {goal_text} is due by {due}, in {days} day{}, and not yet met ({ve}).",
                            if days == 1 { "" } else { "s" }
                        ),
                    );
                }
            }
        }

        let completed = status == TaskStatus::Completed;
        let mut passed: Option<NaiveDate> = None;
        for (i, m) in pt.milestones.iter().enumerate() {
            let Some(date) = m.date else { continue };
            if date < self.today {
                passed = Some(passed.map_or(date, |p| p.min(date)));
            }
            if completed || latest.is_some_and(|(_, tr)| tr.reached(i)) {
                continue;
            }
            let (lz, le) = milestone_names(&m.what, i);
            if date < self.today {
                push(
                    "milestone-late",
                    Colour::Yellow,
                    format!("{tz}{lz}计划于 {date} 完成，尚未报告达成。"),
                    format!("{te}, {le}: planned for {date}, not reported reached."),
                );
            } else {
                let days = (date - self.today).num_days();
                if days <= soon {
                    push(
                        "milestone-due-soon",
                        Colour::Yellow,
                        format!("{tz}{lz}计划于 {date} 完成，还有 {days} 天，尚未达成。"),
                        format!(
                            "{te}, {le}: planned for {date}, in {days} day{}, not yet reached.",
                            if days == 1 { "" } else { "s" }
                        ),
                    );
                }
            }
        }
        if status == TaskStatus::NotStarted
            && let Some(date) = passed
        {
            let (sz, se) = if latest.is_some() {
                ("仍为“未开始”", "is still not started")
            } else {
                ("尚未报告进展", "has not been reported on")
            };
            push(
                "not-started-late",
                Colour::Yellow,
                format!("{tz}{sz}，但里程碑日期 {date} 已过。"),
                format!("{te} {se}, but the milestone date {date} has passed."),
            );
        }

        reasons.sort_by_key(|r| Reverse(r.colour));
        let colour = match reasons.iter().map(|r| r.colour).max() {
            Some(c) => c,
            None if self.due.is_empty() => Colour::Grey,
            None => Colour::Green,
        };
        TaskColour {
            task: n,
            colour,
            reasons,
        }
    }

    /// The current value of target `i` and whether it comes from the facts.
    fn current_value(
        &self,
        latest: Option<&TaskExtract>,
        t: &Target,
        i: usize,
    ) -> Option<(i64, bool)> {
        if let Some(v) = latest.and_then(|tr| tr.value(i)) {
            return Some((v, false));
        }
        let fact = t.fact.as_deref()?.trim();
        self.facts.int(fact).map(|v| (v, true))
    }
}

/// "任务 2（大力发展个人会员）" / "Task 2 (Grow individual membership)".
fn task_names(catalogue: &Catalogue, n: u32) -> (String, String) {
    match catalogue.task(n) {
        Some(t) => (
            format!("任务 {n}（{}）", t.title_zh),
            format!("Task {n} ({})", t.title_en),
        ),
        None => (format!("任务 {n}"), format!("Task {n}")),
    }
}

/// "第 1 个目标“个人会员数”" / "target 1 'members'".
fn target_names(catalogue: &Catalogue, t: &Target, i: usize) -> (String, String) {
    let pos = i + 1;
    let metric = t.metric.trim();
    let label_zh = match t.fact.as_deref().and_then(|f| catalogue.fact(f)) {
        Some(f) if metric.is_empty() => f.label_zh.clone(),
        _ => metric.to_owned(),
    };
    if label_zh.is_empty() {
        (format!("第 {pos} 个目标"), format!("target {pos}"))
    } else {
        (
            format!("第 {pos} 个目标“{label_zh}”"),
            format!("target {pos} '{label_zh}'"),
        )
    }
}

/// "第 2 个里程碑“完成换届”" / "milestone 2 'council elected'".
fn milestone_names(what: &str, i: usize) -> (String, String) {
    let pos = i + 1;
    let what = what.trim();
    if what.is_empty() {
        (format!("第 {pos} 个里程碑"), format!("milestone {pos}"))
    } else {
        (
            format!("第 {pos} 个里程碑“{what}”"),
            format!("milestone {pos} '{what}'"),
        )
    }
}

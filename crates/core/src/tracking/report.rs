//! Monthly report content, pre-filling and validation (R-TRACK-1).

use std::collections::{BTreeMap, BTreeSet};

use serde::{Deserialize, Serialize};

use super::extract::ReportExtract;
use crate::facts::group;
use crate::plan::{PlanContent, PlanIssue, PlanTask, Target};

/// A task's status in a monthly report (R-TRACK-1).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum TaskStatus {
    /// 未开始.
    #[default]
    NotStarted,
    /// 进行中.
    InProgress,
    /// 已完成.
    Completed,
    /// 受阻: needs a reason.
    Blocked,
}

impl TaskStatus {
    /// Every status, in form order.
    pub const ALL: [TaskStatus; 4] = [
        TaskStatus::NotStarted,
        TaskStatus::InProgress,
        TaskStatus::Completed,
        TaskStatus::Blocked,
    ];

    /// Stable identifier, as serialised: `not_started`, `in_progress`, `completed`, `blocked`.
    pub fn as_str(self) -> &'static str {
        match self {
            TaskStatus::NotStarted => "not_started",
            TaskStatus::InProgress => "in_progress",
            TaskStatus::Completed => "completed",
            TaskStatus::Blocked => "blocked",
        }
    }

    /// The status with this identifier ([`TaskStatus::as_str`]).
    pub fn parse(s: &str) -> Option<TaskStatus> {
        TaskStatus::ALL.into_iter().find(|t| t.as_str() == s)
    }

    pub fn label_zh(self) -> &'static str {
        match self {
            TaskStatus::NotStarted => "未开始",
            TaskStatus::InProgress => "进行中",
            TaskStatus::Completed => "已完成",
            TaskStatus::Blocked => "受阻",
        }
    }

    pub fn label_en(self) -> &'static str {
        match self {
            TaskStatus::NotStarted => "Not started",
            TaskStatus::InProgress => "In progress",
            TaskStatus::Completed => "Completed",
            TaskStatus::Blocked => "Blocked",
        }
    }
}

/// A society's monthly report (月度进展, R-TRACK-1). Every field has a default so that a draft
/// can be partial; an unknown field is an error. Evidence files are stored beside it
/// (R-TRACK-4), not in it.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct ReportContent {
    /// Free text: the month's overall progress.
    pub narrative: String,
    /// One entry per planned task, in plan order ([`new_report`]).
    pub tasks: Vec<TaskReport>,
}

impl ReportContent {
    /// The (first) entry for task `number`.
    pub fn task(&self, number: u32) -> Option<&TaskReport> {
        self.tasks.iter().find(|t| t.number == number)
    }
}

/// One planned task in a monthly report (R-TRACK-1).
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct TaskReport {
    /// The task's number in the catalogue (and the plan).
    pub number: u32,
    pub status: TaskStatus,
    /// Free text: what was done this month.
    pub progress: String,
    /// Current values of the plan task's targets.
    pub values: Vec<TargetValue>,
    /// Indexes (0-based) into the plan task's milestones that have been reached.
    pub milestones_reached: Vec<usize>,
    /// Why the task is blocked; required when `status` is `blocked`.
    pub blocked_reason: String,
}

impl TaskReport {
    /// The reported value of plan target `target` (first entry for that index), if any.
    pub fn value(&self, target: usize) -> Option<i64> {
        self.values
            .iter()
            .find(|v| v.target == target)
            .and_then(|v| v.value)
    }

    /// Whether plan milestone `milestone` is reported reached.
    pub fn reached(&self, milestone: usize) -> bool {
        self.milestones_reached.contains(&milestone)
    }
}

/// The current value of one plan target (R-TRACK-1 "metric values against targets").
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct TargetValue {
    /// Index (0-based) into the plan task's targets.
    pub target: usize,
    /// `None`: not known this month.
    pub value: Option<i64>,
}

/// Whether `value` meets a target (R-TRACK-3); `None` when the target has no target value.
///
/// Most targets are "at least" (members, activities): met when `value >= target`. A target
/// whose baseline is above its target value is a reduction (inactive branches, council size
/// under a cap): met when `value <= target`.
pub fn target_met(target: &Target, value: i64) -> Option<bool> {
    let goal = target.target?;
    Some(if is_reduction(target) {
        value <= goal
    } else {
        value >= goal
    })
}

/// A target whose baseline is above its target value: lower is better.
pub fn is_reduction(target: &Target) -> bool {
    matches!((target.baseline, target.target), (Some(b), Some(t)) if b > t)
}

/// A new report pre-filled from the accepted plan (R-TRACK-1): one [`TaskReport`] per plan
/// task, in plan order (a task listed twice in the plan appears once), with one
/// [`TargetValue`] per filled-in target. When `previous` (last month's report) is given, its
/// statuses (with the blocked reason of a blocked task), target values and reached milestones
/// are carried over, for the targets and milestones the plan still has. Narrative and progress
/// start empty: they are this month's.
pub fn new_report(plan: &PlanContent, previous: Option<&ReportExtract>) -> ReportContent {
    let mut seen = BTreeSet::new();
    let tasks = plan
        .tasks
        .iter()
        .filter(|t| seen.insert(t.number))
        .map(|pt| {
            let prev = previous.and_then(|p| p.task(pt.number));
            let values = pt
                .targets
                .iter()
                .enumerate()
                .filter(|(_, t)| !t.is_blank())
                .map(|(i, _)| TargetValue {
                    target: i,
                    value: prev.and_then(|p| p.value(i)),
                })
                .collect();
            let milestones_reached: BTreeSet<usize> = prev
                .map(|p| {
                    p.milestones_reached
                        .iter()
                        .copied()
                        .filter(|i| pt.milestones.get(*i).is_some_and(|m| !m.is_blank()))
                        .collect()
                })
                .unwrap_or_default();
            let status = prev.map(|p| p.status).unwrap_or_default();
            let blocked_reason = match prev {
                Some(p) if status == TaskStatus::Blocked => p.blocked_reason.clone(),
                _ => String::new(),
            };
            TaskReport {
                number: pt.number,
                status,
                progress: String::new(),
                values,
                milestones_reached: milestones_reached.into_iter().collect(),
                blocked_reason,
            }
        })
        .collect();
    ReportContent {
        narrative: String::new(),
        tasks,
    }
}

/// Every issue code of [`validate_report`] with whether it blocks submission (R-TRACK-1).
pub const REPORT_ISSUE_CODES: &[(&str, bool)] = &[
    ("report-task-missing", true),
    ("report-task-unknown", true),
    ("report-task-duplicate", true),
    ("blocked-without-reason", true),
    ("value-target-unknown", true),
    ("value-duplicate", true),
    ("value-negative", true),
    ("milestone-unknown", true),
    ("completed-below-target", false),
    ("completed-value-missing", false),
    ("progress-missing", false),
];

fn issue(code: &str, task: u32, field: String, zh: String, en: String) -> PlanIssue {
    let blocking = REPORT_ISSUE_CODES
        .iter()
        .find(|(c, _)| *c == code)
        .is_some_and(|(_, b)| *b);
    PlanIssue {
        code: code.to_owned(),
        task: Some(task),
        field: Some(field),
        blocking,
        message_zh: zh,
        message_en: en,
    }
}

/// "第 1 个目标（个人会员数）" / "target 1 (members)".
fn target_label(t: &Target, i: usize) -> (String, String) {
    let pos = i + 1;
    let metric = t.metric.trim();
    if metric.is_empty() {
        (format!("第 {pos} 个目标"), format!("target {pos}"))
    } else {
        (
            format!("第 {pos} 个目标（{metric}）"),
            format!("target {pos} ({metric})"),
        )
    }
}

/// "23,000 人" / "23,000 人": a value with the target's unit.
pub(super) fn with_unit(v: i64, t: &Target) -> String {
    let unit = t.unit.trim();
    if unit.is_empty() {
        group(v)
    } else {
        format!("{} {unit}", group(v))
    }
}

/// Every issue of a monthly report at once (R-TRACK-1), checked against the accepted plan,
/// ordered by task number (each task's issues in field order). Issues reuse the shape of plan
/// issues ([`PlanIssue`]); fields are relative to the task (`values[0].value`,
/// `milestones_reached[1]`, `blocked_reason`, `number`, or `tasks` for the report's task list).
///
/// Blocking (the report cannot be submitted while one exists):
/// - `report-task-missing`: a plan task has no entry in the report (field `tasks`).
/// - `report-task-unknown`: an entry for a task that is not in the plan (field `number`).
/// - `report-task-duplicate`: a task reported more than once (field `number`); the first
///   entry is the one checked.
/// - `blocked-without-reason`: status blocked but no reason given (field `blocked_reason`).
/// - `value-target-unknown`: a value for a target index the plan task does not have.
/// - `value-duplicate`: two values for the same target.
/// - `value-negative`: a negative value (counts and amounts are never negative).
/// - `milestone-unknown`: a reached milestone index the plan task does not have.
///
/// Warnings:
/// - `completed-below-target`: status completed but a reported value is short of its target
///   (below it; above it for a reduction target, see [`target_met`]).
/// - `completed-value-missing`: status completed but a target with a target value has no
///   value reported and is not linked to a fact.
/// - `progress-missing`: status in progress but nothing said about this month's progress.
pub fn validate_report(plan: &PlanContent, content: &ReportContent) -> Vec<PlanIssue> {
    let mut issues = Vec::new();
    let mut planned: BTreeMap<u32, &PlanTask> = BTreeMap::new();
    for t in &plan.tasks {
        planned.entry(t.number).or_insert(t);
    }
    let mut count: BTreeMap<u32, usize> = BTreeMap::new();
    for t in &content.tasks {
        *count.entry(t.number).or_insert(0) += 1;
    }

    for &n in planned.keys() {
        if !count.contains_key(&n) {
            issues.push(issue(
                "report-task-missing",
                n,
                "tasks".to_owned(),
                format!("月报缺少任务 {n}：改革方案中的每项任务每月都要报告进展，请添加。"),
                format!(
                    "The report lacks task {n}: every task of the reform plan is reported every month; add it."
                ),
            ));
        }
    }

    let mut checked = BTreeSet::new();
    for tr in &content.tasks {
        let n = tr.number;
        if !checked.insert(n) {
            continue;
        }
        let times = count.get(&n).copied().unwrap_or(1);
        if times > 1 {
            issues.push(issue(
                "report-task-duplicate",
                n,
                "number".to_owned(),
                format!("任务 {n} 在月报中出现了 {times} 次：每项任务只报告一次，请合并。"),
                format!(
                    "Task {n} appears {times} times in the report: report each task once; merge them."
                ),
            ));
        }
        let Some(pt) = planned.get(&n) else {
            let list: Vec<String> = planned.keys().map(u32::to_string).collect();
            issues.push(issue(
                "report-task-unknown",
                n,
                "number".to_owned(),
                format!(
                    "任务 {n} 不在已通过的改革方案中（方案任务：{}），请删除或改正任务编号。",
                    list.join("、")
                ),
                format!(
                    "Task {n} is not in the accepted reform plan (plan tasks: {}); remove it or correct the number.",
                    list.join(", ")
                ),
            ));
            continue;
        };
        check_task(&mut issues, pt, tr);
    }

    issues.sort_by_key(|i| i.task);
    issues
}

fn check_task(issues: &mut Vec<PlanIssue>, pt: &PlanTask, tr: &TaskReport) {
    let n = tr.number;
    if tr.status == TaskStatus::Blocked && tr.blocked_reason.trim().is_empty() {
        issues.push(issue(
            "blocked-without-reason",
            n,
            "blocked_reason".to_owned(),
            format!("任务 {n} 报告为“受阻”，但未说明原因：请写明受阻原因和需要的支持。"),
            format!(
                "Task {n} is reported blocked without a reason: say what blocks it and what help is needed."
            ),
        ));
    }
    if tr.status == TaskStatus::InProgress && tr.progress.trim().is_empty() {
        issues.push(issue(
            "progress-missing",
            n,
            "progress".to_owned(),
            format!("任务 {n} 正在进行，但未填写本月进展：建议简要说明本月完成的工作。"),
            format!(
                "Task {n} is in progress but this month's progress is empty: say briefly what was done."
            ),
        ));
    }

    let mut seen = BTreeSet::new();
    for (k, v) in tr.values.iter().enumerate() {
        let Some(t) = pt.targets.get(v.target) else {
            let have = pt.targets.len();
            issues.push(issue(
                "value-target-unknown",
                n,
                format!("values[{k}].target"),
                format!(
                    "任务 {n} 的第 {} 个数值对应第 {} 个目标，但方案中该任务只有 {have} 个目标。",
                    k + 1,
                    v.target.saturating_add(1)
                ),
                format!(
                    "Task {n}, value {}: it is for target {}, but the plan gives this task {have} target{}.",
                    k + 1,
                    v.target.saturating_add(1),
                    if have == 1 { "" } else { "s" }
                ),
            ));
            continue;
        };
        let (tz, te) = target_label(t, v.target);
        if !seen.insert(v.target) {
            issues.push(issue(
                "value-duplicate",
                n,
                format!("values[{k}].target"),
                format!("任务 {n} {tz}填报了不止一个数值：每个目标只填一个当前值。"),
                format!(
                    "Task {n}, {te}: more than one value given; give one current value per target."
                ),
            ));
        }
        if let Some(x) = v.value
            && x < 0
        {
            issues.push(issue(
                "value-negative",
                n,
                format!("values[{k}].value"),
                format!("任务 {n} {tz}的当前值为 {}：数值不能为负数。", group(x)),
                format!(
                    "Task {n}, {te}: the current value {} is negative; values cannot be negative.",
                    group(x)
                ),
            ));
        }
    }

    for (k, &m) in tr.milestones_reached.iter().enumerate() {
        if pt.milestones.get(m).is_none() {
            let have = pt.milestones.len();
            issues.push(issue(
                "milestone-unknown",
                n,
                format!("milestones_reached[{k}]"),
                format!(
                    "任务 {n} 报告达成第 {} 个里程碑，但方案中该任务只有 {have} 个里程碑。",
                    m.saturating_add(1)
                ),
                format!(
                    "Task {n}: milestone {} is reported reached, but the plan gives this task {have} milestone{}.",
                    m.saturating_add(1),
                    if have == 1 { "" } else { "s" }
                ),
            ));
        }
    }

    if tr.status != TaskStatus::Completed {
        return;
    }
    for (i, t) in pt.targets.iter().enumerate() {
        let Some(goal) = t.target else { continue };
        let (tz, te) = target_label(t, i);
        let entry = tr
            .values
            .iter()
            .enumerate()
            .find(|(_, v)| v.target == i && v.value.is_some());
        match entry {
            Some((k, v)) => {
                let x = v.value.unwrap_or(goal);
                if target_met(t, x) == Some(false) {
                    let (dir_zh, dir_en) = if is_reduction(t) {
                        ("高于", "above")
                    } else {
                        ("低于", "below")
                    };
                    issues.push(issue(
                        "completed-below-target",
                        n,
                        format!("values[{k}].value"),
                        format!(
                            "任务 {n} 报告为“已完成”，但{tz}的当前值 {} {dir_zh}目标值 {}，请核对状态或数值。",
                            with_unit(x, t),
                            with_unit(goal, t)
                        ),
                        format!(
                            "Task {n} is reported completed, but {te} stands at {}, {dir_en} its target of {}; check the status or the value.",
                            with_unit(x, t),
                            with_unit(goal, t)
                        ),
                    ));
                }
            }
            None if t.fact.as_deref().is_none_or(|f| f.trim().is_empty()) => {
                issues.push(issue(
                    "completed-value-missing",
                    n,
                    "values".to_owned(),
                    format!(
                        "任务 {n} 报告为“已完成”，但{tz}（目标值 {}）没有填报当前值，请补充以便核对。",
                        with_unit(goal, t)
                    ),
                    format!(
                        "Task {n} is reported completed, but {te} (target {}) has no current value; give it so the result can be checked.",
                        with_unit(goal, t)
                    ),
                ));
            }
            None => {}
        }
    }
}

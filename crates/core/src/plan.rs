//! Reform plans (改革方案) and rectification plans (整改方案): content, validation, proposed
//! targets, deadline, review workflow, version comparison (R-PLAN-1..5).
//!
//! Pure domain code (DESIGN "Layers"): the caller passes the catalogue, the facts and the
//! instants; nothing here reads the clock or does I/O. Every problem in a plan is reported at
//! once as a [`PlanIssue`] with a stable `code`, the task and field it concerns, whether it
//! blocks submission, and a specific message in Chinese and English.
//!
//! - [`new_plan`], [`copy_for_year`]: starting points for a year's plan (R-PLAN-2, R-PLAN-3).
//! - [`validate`], [`is_submittable`]: the plan's issues (R-PLAN-2, R-PLAN-3).
//! - [`propose_targets`]: targets derived from a task's rules and the society's facts (R-PLAN-3).
//! - [`lateness`], [`lateness_text`]: on-time or late submission (R-PLAN-1).
//! - [`PlanState`], [`PlanAction`], [`transition`]: the review workflow (R-PLAN-4).
//! - [`diff`]: what changed between two versions (R-PLAN-4).
//! - [`RectificationContent`], [`validate_rectification`], [`diff_rectification`] (R-PLAN-5).

use std::cmp::Ordering;
use std::collections::{BTreeMap, BTreeSet};

use chrono::{DateTime, Duration, NaiveDate, Timelike, Utc};
use serde::{Deserialize, Serialize};

use crate::catalogue::{Catalogue, TaskClass};
use crate::facts::{FactKind, group};

mod diff;
pub(crate) mod propose;
mod rectification;
mod workflow;

pub use diff::{DiffKind, FieldChange, TaskDiff, copy_for_year, diff};
pub use propose::propose_targets;
pub use rectification::{
    Measure, Problem, RectificationContent, diff_rectification, validate_rectification,
};
pub use workflow::{PlanAction, PlanState, TransitionError, transition};

// ---------------------------------------------------------------------------------------------
// Content
// ---------------------------------------------------------------------------------------------

/// Content of a reform plan (R-PLAN-2, R-PLAN-3). Every field has a default so that a draft
/// can be partial; an unknown field is an error.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct PlanContent {
    /// Free text: the society's overall approach for the year.
    pub summary: String,
    /// The planned tasks: every mandatory task and the chosen optional ones (R-PLAN-2).
    pub tasks: Vec<PlanTask>,
}

impl PlanContent {
    /// The plan's progress part (issue 8): what colours, red streaks, the public target
    /// progress and a new report's pre-fill read of an accepted plan (R-TRACK-1, R-TRACK-3) —
    /// each task's number, targets and milestones — without the summary, the responsible
    /// people and the notes. Stored beside each reform plan version, so that the dashboard for
    /// every society does not decode whole plans.
    pub fn progress_part(&self) -> PlanContent {
        PlanContent {
            summary: String::new(),
            tasks: self
                .tasks
                .iter()
                .map(|t| PlanTask {
                    number: t.number,
                    responsible: Vec::new(),
                    targets: t.targets.clone(),
                    milestones: t.milestones.clone(),
                    notes: String::new(),
                })
                .collect(),
        }
    }
}

/// One task of a plan (R-PLAN-3): who is responsible, measurable targets, milestones.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct PlanTask {
    /// The task's number in the catalogue.
    pub number: u32,
    /// 责任分工: at least one person with a name.
    pub responsible: Vec<Responsible>,
    /// "可监测、可考核、有突破、有提升" targets.
    pub targets: Vec<Target>,
    pub milestones: Vec<Milestone>,
    pub notes: String,
}

/// A responsible person of a task (R-PLAN-3 责任分工).
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Responsible {
    pub name: String,
    /// E.g. "秘书长".
    pub position: String,
}

/// A measurable target (R-PLAN-3): metric, baseline, target value, unit, due date.
///
/// A target is *complete* ([`Target::is_complete`]) when it has a metric, a target value and
/// a due date; baseline, unit and the fact link are optional.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Target {
    /// E.g. "个人会员数".
    pub metric: String,
    /// E.g. "人".
    pub unit: String,
    pub baseline: Option<i64>,
    pub target: Option<i64>,
    pub due: Option<NaiveDate>,
    /// Optional link to an integer fact declared by the catalogue, e.g. "members_now",
    /// so that progress can be read from the society's facts.
    pub fact: Option<String>,
}

impl Target {
    /// Metric, target value and due date are all given (R-PLAN-3 "可考核").
    pub fn is_complete(&self) -> bool {
        !self.metric.trim().is_empty() && self.target.is_some() && self.due.is_some()
    }

    /// Nothing at all is filled in (a blank form row, ignored by [`validate`]).
    pub fn is_blank(&self) -> bool {
        self.metric.trim().is_empty()
            && self.unit.trim().is_empty()
            && self.baseline.is_none()
            && self.target.is_none()
            && self.due.is_none()
            && self.fact.as_deref().is_none_or(|f| f.trim().is_empty())
    }
}

/// A dated step of a task (R-PLAN-3).
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Milestone {
    pub date: Option<NaiveDate>,
    /// What is done by then.
    pub what: String,
}

impl Milestone {
    /// Nothing filled in (a blank form row, ignored by [`validate`]).
    pub fn is_blank(&self) -> bool {
        self.date.is_none() && self.what.trim().is_empty()
    }
}

// ---------------------------------------------------------------------------------------------
// Issues
// ---------------------------------------------------------------------------------------------

/// A problem found in a plan (R-PLAN-2, R-PLAN-3, R-PLAN-5).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PlanIssue {
    /// Stable machine code, one of [`ISSUE_CODES`].
    pub code: String,
    /// The task concerned, if any.
    pub task: Option<u32>,
    /// The field concerned: relative to the task when `task` is set (e.g. `targets[0].due`,
    /// `responsible`, `number`), else relative to the plan (e.g. `tasks`, `measures[1].owner`).
    /// The `tasks` field of a task-level issue means "the plan's task list".
    pub field: Option<String>,
    /// Submission is refused while a blocking issue exists.
    pub blocking: bool,
    /// Specific: which rule, which task, what to do.
    pub message_zh: String,
    pub message_en: String,
}

/// Every issue code with whether it blocks submission (R-PLAN-2, R-PLAN-3, R-PLAN-5).
pub const ISSUE_CODES: &[(&str, bool)] = &[
    // Reform plan, blocking (R-PLAN-2).
    ("mandatory-missing", true),
    ("too-few-optional", true),
    ("unknown-task", true),
    ("duplicate-task", true),
    // Reform plan, blocking (R-PLAN-3).
    ("optional-without-target", true),
    ("target-incomplete", true),
    ("target-fact-unknown", true),
    ("responsible-missing", true),
    ("milestone-incomplete", true),
    // Reform plan, warnings.
    ("election-task-voluntary", false),
    ("mandatory-without-target", false),
    ("milestones-missing", false),
    ("due-after-year", false),
    ("due-before-year", false),
    ("target-not-above-baseline", false),
    // Rectification plan (R-PLAN-5).
    ("problems-missing", true),
    ("problem-incomplete", true),
    ("measures-missing", true),
    ("measure-incomplete", true),
    ("measure-problem-unknown", true),
    ("analysis-missing", false),
];

impl PlanIssue {
    fn new(code: &str, task: Option<u32>, field: Option<String>, zh: String, en: String) -> Self {
        let blocking = ISSUE_CODES
            .iter()
            .find(|(c, _)| *c == code)
            .is_some_and(|(_, b)| *b);
        PlanIssue {
            code: code.to_owned(),
            task,
            field,
            blocking,
            message_zh: zh,
            message_en: en,
        }
    }
}

/// No blocking issue: the plan may be submitted (R-PLAN-2, R-PLAN-3).
pub fn is_submittable(issues: &[PlanIssue]) -> bool {
    !issues.iter().any(|i| i.blocking)
}

/// Order issues by task (plan-level first), then field, comparing indices as numbers.
fn sort_issues(issues: &mut [PlanIssue]) {
    issues.sort_by(|a, b| {
        a.task
            .cmp(&b.task)
            .then_with(|| match (&a.field, &b.field) {
                (None, None) => Ordering::Equal,
                (None, Some(_)) => Ordering::Less,
                (Some(_), None) => Ordering::Greater,
                (Some(x), Some(y)) => natural_cmp(x, y),
            })
    });
}

/// String order in which runs of ASCII digits compare as numbers (`targets[2]` < `targets[10]`).
fn natural_cmp(a: &str, b: &str) -> Ordering {
    let (mut a, mut b) = (a.as_bytes(), b.as_bytes());
    loop {
        match (a.first(), b.first()) {
            (None, None) => return Ordering::Equal,
            (None, Some(_)) => return Ordering::Less,
            (Some(_), None) => return Ordering::Greater,
            (Some(x), Some(y)) if x.is_ascii_digit() && y.is_ascii_digit() => {
                let da = a.iter().take_while(|c| c.is_ascii_digit()).count();
                let db = b.iter().take_while(|c| c.is_ascii_digit()).count();
                let (na, nb) = (trim_zeros(&a[..da]), trim_zeros(&b[..db]));
                let o = na.len().cmp(&nb.len()).then_with(|| na.cmp(nb));
                if o != Ordering::Equal {
                    return o;
                }
                a = &a[da..];
                b = &b[db..];
            }
            (Some(x), Some(y)) => {
                if x != y {
                    return x.cmp(y);
                }
                a = &a[1..];
                b = &b[1..];
            }
        }
    }
}

fn trim_zeros(digits: &[u8]) -> &[u8] {
    let zeros = digits.iter().take_while(|c| **c == b'0').count();
    &digits[zeros..]
}

// ---------------------------------------------------------------------------------------------
// New plan and validation
// ---------------------------------------------------------------------------------------------

/// A new plan with every mandatory task pre-filled, empty (R-PLAN-2): the basic tasks always,
/// the election-class tasks when `election_year`.
pub fn new_plan(catalogue: &Catalogue, election_year: bool) -> PlanContent {
    PlanContent {
        summary: String::new(),
        tasks: catalogue
            .mandatory_tasks(election_year)
            .map(|t| PlanTask {
                number: t.number,
                ..PlanTask::default()
            })
            .collect(),
    }
}

/// "任务 2（大力发展个人会员）"
fn task_zh(catalogue: &Catalogue, n: u32) -> String {
    match catalogue.task(n) {
        Some(t) => format!("任务 {n}（{}）", t.title_zh),
        None => format!("任务 {n}"),
    }
}

/// "task 2 (Grow individual membership)"
fn task_en(catalogue: &Catalogue, n: u32) -> String {
    match catalogue.task(n) {
        Some(t) => format!("task {n} ({})", t.title_en),
        None => format!("task {n}"),
    }
}

/// "12–24" or "12, 14, 16–18": sorted numbers with consecutive runs joined.
fn numbers_text(numbers: &[u32], sep: &str) -> String {
    let mut sorted = numbers.to_vec();
    sorted.sort_unstable();
    sorted.dedup();
    let mut runs: Vec<(u32, u32)> = Vec::new();
    for n in sorted {
        match runs.last_mut() {
            Some((_, end)) if end.checked_add(1) == Some(n) => *end = n,
            _ => runs.push((n, n)),
        }
    }
    runs.iter()
        .map(|&(a, b)| {
            if a == b {
                a.to_string()
            } else if b == a + 1 {
                format!("{a}{sep}{b}")
            } else {
                format!("{a}–{b}")
            }
        })
        .collect::<Vec<_>>()
        .join(sep)
}

/// Every issue of a plan at once (R-PLAN-2, R-PLAN-3), ordered by task (plan-level issues
/// first), then field.
///
/// Blocking ([`is_submittable`] is false while one exists):
/// - `mandatory-missing`: a mandatory task is absent (R-PLAN-2); one issue per task, field `tasks`.
/// - `too-few-optional`: fewer than `catalogue.min_optional` distinct optional tasks (R-PLAN-2);
///   plan-level, field `tasks`; the message gives the number chosen and the minimum.
/// - `unknown-task`: a number not in the catalogue (field `number`); its content is not checked.
/// - `duplicate-task`: a task listed more than once (field `number`); the first occurrence is
///   the one checked.
/// - `optional-without-target`: an optional task without a complete target (R-PLAN-3).
/// - `target-incomplete`: a target with something filled in but lacking its metric, target
///   value or due date; one issue per missing part, field e.g. `targets[0].due`. Blank rows
///   are ignored.
/// - `target-fact-unknown`: a target linked to a name that is not an integer fact field.
/// - `responsible-missing`: no responsible person with a name (field `responsible`).
/// - `milestone-incomplete`: a milestone with a date but no description or the reverse
///   (field `milestones[i].date` / `milestones[i].what`).
///
/// Warnings (non-blocking):
/// - `election-task-voluntary`: an election-class task in a plan for a year without election:
///   allowed, but it does not count towards the optional tasks.
/// - `mandatory-without-target`: a basic or election task without a complete target.
/// - `milestones-missing`: a task without any milestone.
/// - `due-after-year` / `due-before-year`: a target or milestone dated outside the catalogue
///   year (e.g. dates kept by [`copy_for_year`]); a task requiring a document that can only
///   exist after the year ends (the year's annual report) may be due after it.
/// - `target-not-above-baseline`: target value equal to the baseline ("有提升" asks for
///   improvement; a lower target is not flagged since caps are lower-is-better).
pub fn validate(
    catalogue: &Catalogue,
    election_year: bool,
    content: &PlanContent,
) -> Vec<PlanIssue> {
    let mut issues = Vec::new();
    let mut first: BTreeMap<u32, &PlanTask> = BTreeMap::new();
    let mut count: BTreeMap<u32, usize> = BTreeMap::new();
    for t in &content.tasks {
        *count.entry(t.number).or_insert(0) += 1;
        first.entry(t.number).or_insert(t);
    }

    // R-PLAN-2: every mandatory task is in the plan.
    for t in catalogue.mandatory_tasks(election_year) {
        if first.contains_key(&t.number) {
            continue;
        }
        let (zh, en) = if catalogue.mandatory_classes.contains(&t.class) {
            (
                format!(
                    "方案缺少{}：{}每个学会都必须列入年度改革方案，请添加此任务。",
                    task_zh(catalogue, t.number),
                    t.class.label_zh()
                ),
                format!(
                    "The plan lacks {}: every society must include every {} in its yearly plan; add it.",
                    task_en(catalogue, t.number),
                    t.class.label_en().to_lowercase()
                ),
            )
        } else {
            (
                format!(
                    "方案缺少{}：本年度换届，{}必须列入方案，请添加此任务。",
                    task_zh(catalogue, t.number),
                    t.class.label_zh()
                ),
                format!(
                    "The plan lacks {}: the society holds its council election this year, so this {} is mandatory; add it.",
                    task_en(catalogue, t.number),
                    t.class.label_en().to_lowercase()
                ),
            )
        };
        issues.push(PlanIssue::new(
            "mandatory-missing",
            Some(t.number),
            Some("tasks".to_owned()),
            zh,
            en,
        ));
    }

    // R-PLAN-2: enough distinct optional tasks.
    let optional_all: Vec<u32> = catalogue
        .tasks_of(TaskClass::Optional)
        .map(|t| t.number)
        .collect();
    let chosen = chosen_optional(catalogue, content);
    let min = catalogue.min_optional;
    let chosen_n = u32::try_from(chosen.len()).unwrap_or(u32::MAX);
    if chosen_n < min {
        let more = min - chosen_n;
        let range_zh = numbers_text(&optional_all, "、");
        let range_en = numbers_text(&optional_all, ", ");
        let list_zh = if chosen.is_empty() {
            String::new()
        } else {
            format!("（第 {} 项）", numbers_text(&chosen, "、"))
        };
        let list_en = if chosen.is_empty() {
            String::new()
        } else {
            format!(" ({})", numbers_text(&chosen, ", "))
        };
        let clause = catalogue
            .min_optional_clause_zh
            .as_deref()
            .map(|c| format!("通知要求“{c}”。"))
            .unwrap_or_default();
        issues.push(PlanIssue::new(
            "too-few-optional",
            None,
            Some("tasks".to_owned()),
            format!(
                "已选自选任务 {chosen_n} 项{list_zh}，少于至少 {min} 项的要求，不能提交：请再从第 {range_zh} 项中至少选择 {more} 项。{clause}"
            ),
            format!(
                "{chosen_n} optional task{} chosen{list_en}, fewer than the minimum of {min}: the plan cannot be submitted; choose at least {more} more from tasks {range_en}.",
                if chosen_n == 1 { "" } else { "s" }
            ),
        ));
    }

    let year_start = NaiveDate::from_ymd_opt(catalogue.year, 1, 1);

    for (&n, &task) in &first {
        let Some(ct) = catalogue.task(n) else {
            let all: Vec<u32> = catalogue.tasks.iter().map(|t| t.number).collect();
            issues.push(PlanIssue::new(
                "unknown-task",
                Some(n),
                Some("number".to_owned()),
                format!(
                    "任务 {n} 不在{}年任务清单中（清单为第 {} 项），请删除或改正任务编号。",
                    catalogue.year,
                    numbers_text(&all, "、")
                ),
                format!(
                    "Task {n} is not in the {} catalogue (tasks {}); remove it or correct the number.",
                    catalogue.year,
                    numbers_text(&all, ", ")
                ),
            ));
            continue;
        };
        let tz = task_zh(catalogue, n);
        let te = task_en(catalogue, n);
        // A task whose evidence can only exist after the year ends (the year's annual report)
        // may be due after it.
        let year_end = if ct.required_documents.iter().any(|id| {
            catalogue
                .document(id)
                .is_some_and(|d| d.evidence_after_year_end)
        }) {
            None
        } else {
            NaiveDate::from_ymd_opt(catalogue.year, 12, 31)
        };
        let times = count.get(&n).copied().unwrap_or(1);
        if times > 1 {
            issues.push(PlanIssue::new(
                "duplicate-task",
                Some(n),
                Some("number".to_owned()),
                format!("{tz}在方案中出现了 {times} 次：每项任务只能列入一次，请合并为一项。"),
                format!(
                    "{} appears {times} times in the plan: each task may be listed once; merge them.",
                    capitalise(&te)
                ),
            ));
        }
        let optional_choice = ct.class == TaskClass::Optional;
        if !optional_choice && !catalogue.is_mandatory(ct.class, election_year) {
            issues.push(PlanIssue::new(
                "election-task-voluntary",
                Some(n),
                Some("number".to_owned()),
                format!(
                    "{tz}属于{}；本年度不换届，可自愿列入，但不计入自选任务数。",
                    ct.class.label_zh()
                ),
                format!(
                    "{} is an {}; there is no council election this year, so it is adopted voluntarily and does not count towards the optional tasks.",
                    capitalise(&te),
                    ct.class.label_en().to_lowercase()
                ),
            ));
        }

        // R-PLAN-3: responsible persons.
        if !task.responsible.iter().any(|r| !r.name.trim().is_empty()) {
            issues.push(PlanIssue::new(
                "responsible-missing",
                Some(n),
                Some("responsible".to_owned()),
                format!("{tz}未填写责任人：请至少填写一名责任人的姓名（责任分工）。"),
                format!(
                    "{} has no responsible person: give the name of at least one.",
                    capitalise(&te)
                ),
            ));
        }

        // R-PLAN-3: measurable targets.
        for (i, t) in task.targets.iter().enumerate() {
            let pos = i + 1;
            if !t.is_blank() {
                let parts: [(&str, bool, &str, &str); 3] = [
                    (
                        "metric",
                        t.metric.trim().is_empty(),
                        "指标名称",
                        "the metric",
                    ),
                    ("target", t.target.is_none(), "目标值", "the target value"),
                    ("due", t.due.is_none(), "截止日期", "the due date"),
                ];
                for (field, missing, zh, en) in parts {
                    if missing {
                        issues.push(PlanIssue::new(
                            "target-incomplete",
                            Some(n),
                            Some(format!("targets[{i}].{field}")),
                            format!(
                                "{tz}第 {pos} 个目标缺少{zh}：可考核目标须写明指标、目标值和截止日期。"
                            ),
                            format!(
                                "{}, target {pos}: {en} is missing; a measurable target needs a metric, a target value and a due date.",
                                capitalise(&te)
                            ),
                        ));
                    }
                }
            }
            if let Some(f) = t.fact.as_deref()
                && !f.trim().is_empty()
                && catalogue.fact(f).is_none_or(|ff| ff.kind != FactKind::Int)
            {
                issues.push(PlanIssue::new(
                    "target-fact-unknown",
                    Some(n),
                    Some(format!("targets[{i}].fact")),
                    format!(
                        "{tz}第 {pos} 个目标关联的数据项“{f}”不存在或不是数值项，请从数据项列表中选择或留空。"
                    ),
                    format!(
                        "{}, target {pos}: the linked fact '{f}' does not exist or is not a count; choose one from the list of facts or leave it empty.",
                        capitalise(&te)
                    ),
                ));
            }
            if let Some(due) = t.due {
                date_in_year(
                    &mut issues,
                    catalogue.year,
                    (year_start, year_end),
                    due,
                    n,
                    format!("targets[{i}].due"),
                    (
                        format!("{tz}第 {pos} 个目标的截止日期"),
                        format!("{}, target {pos}: the due date", capitalise(&te)),
                    ),
                );
            }
            if let (Some(b), Some(v)) = (t.baseline, t.target)
                && b == v
            {
                let metric = t.metric.trim();
                let (mz, me) = if metric.is_empty() {
                    (String::new(), String::new())
                } else {
                    (format!("（{metric}）"), format!(" ({metric})"))
                };
                issues.push(PlanIssue::new(
                    "target-not-above-baseline",
                    Some(n),
                    Some(format!("targets[{i}].target")),
                    format!(
                        "{tz}第 {pos} 个目标{mz}的目标值与基线值相同（{}）：通知要求目标“有突破、有提升”，请核对。",
                        group(v)
                    ),
                    format!(
                        "{}, target {pos}{me}: the target value equals the baseline ({}); the notice asks for targets that improve (有提升); check it.",
                        capitalise(&te),
                        group(v)
                    ),
                ));
            }
        }
        if !task.targets.iter().any(Target::is_complete) {
            if optional_choice {
                issues.push(PlanIssue::new(
                    "optional-without-target",
                    Some(n),
                    Some("targets".to_owned()),
                    format!(
                        "自选{tz}没有完整的可考核目标：自选任务至少要有一个写明指标、目标值和截止日期的目标，否则不能提交。"
                    ),
                    format!(
                        "Optional {te} has no complete measurable target: an optional task needs at least one target with a metric, a target value and a due date before the plan can be submitted."
                    ),
                ));
            } else {
                issues.push(PlanIssue::new(
                    "mandatory-without-target",
                    Some(n),
                    Some("targets".to_owned()),
                    format!(
                        "{tz}尚无完整的可考核目标（指标、目标值、截止日期），建议补充，做到“可监测、可考核”。"
                    ),
                    format!(
                        "{} has no complete measurable target (metric, target value, due date) yet; adding one is recommended.",
                        capitalise(&te)
                    ),
                ));
            }
        }

        // R-PLAN-3: milestones.
        for (i, m) in task.milestones.iter().enumerate() {
            let pos = i + 1;
            if !m.is_blank() {
                if m.date.is_none() {
                    issues.push(PlanIssue::new(
                        "milestone-incomplete",
                        Some(n),
                        Some(format!("milestones[{i}].date")),
                        format!("{tz}第 {pos} 个里程碑缺少日期：里程碑须写明日期和要完成的事项。"),
                        format!(
                            "{}, milestone {pos}: the date is missing; a milestone needs a date and what is done by then.",
                            capitalise(&te)
                        ),
                    ));
                }
                if m.what.trim().is_empty() {
                    issues.push(PlanIssue::new(
                        "milestone-incomplete",
                        Some(n),
                        Some(format!("milestones[{i}].what")),
                        format!("{tz}第 {pos} 个里程碑缺少内容：里程碑须写明日期和要完成的事项。"),
                        format!(
                            "{}, milestone {pos}: the description is missing; a milestone needs a date and what is done by then.",
                            capitalise(&te)
                        ),
                    ));
                }
            }
            if let Some(d) = m.date {
                date_in_year(
                    &mut issues,
                    catalogue.year,
                    (year_start, year_end),
                    d,
                    n,
                    format!("milestones[{i}].date"),
                    (
                        format!("{tz}第 {pos} 个里程碑的日期"),
                        format!("{}, milestone {pos}: the date", capitalise(&te)),
                    ),
                );
            }
        }
        if task.milestones.iter().all(Milestone::is_blank) {
            issues.push(PlanIssue::new(
                "milestones-missing",
                Some(n),
                Some("milestones".to_owned()),
                format!("{tz}尚无里程碑（时间节点），建议补充。"),
                format!(
                    "{} has no milestones yet; adding them is recommended.",
                    capitalise(&te)
                ),
            ));
        }
    }

    sort_issues(&mut issues);
    issues
}

/// `due-after-year` / `due-before-year` for a date outside the catalogue year (R-PLAN-3).
fn date_in_year(
    issues: &mut Vec<PlanIssue>,
    year: i32,
    (start, end): (Option<NaiveDate>, Option<NaiveDate>),
    date: NaiveDate,
    task: u32,
    field: String,
    (what_zh, what_en): (String, String),
) {
    if let Some(end) = end
        && date > end
    {
        issues.push(PlanIssue::new(
            "due-after-year",
            Some(task),
            Some(field),
            format!("{what_zh} {date} 晚于 {year} 年 12 月 31 日：年度改革任务应在本年度内完成，请核对。"),
            format!("{what_en} {date} is after 31 December {year}; a yearly reform task should be done within the year; check it."),
        ));
    } else if let Some(start) = start
        && date < start
    {
        issues.push(PlanIssue::new(
            "due-before-year",
            Some(task),
            Some(field),
            format!("{what_zh} {date} 早于 {year} 年 1 月 1 日，可能沿用了上一年度的日期，请核对。"),
            format!("{what_en} {date} is before 1 January {year}; it may have been kept from last year's plan; check it."),
        ));
    }
}

/// Upper-case the first letter of an English sentence.
fn capitalise(s: &str) -> String {
    let mut chars = s.chars();
    match chars.next() {
        Some(c) => format!("{}{}", c.to_uppercase(), chars.as_str()),
        None => String::new(),
    }
}

// ---------------------------------------------------------------------------------------------
// Deadline (R-PLAN-1)
// ---------------------------------------------------------------------------------------------

/// How late a submission is (R-PLAN-1): `None` when on time, i.e. at or before the deadline
/// instant compared in whole seconds (the deadline is 23:59:59 Beijing time, so anything
/// during that last second is on time and 00:00:00 the next day is one second late).
/// A late submission is accepted but marked late; the result is how much after the deadline
/// second it came, in whole seconds.
pub fn lateness(deadline: DateTime<Utc>, submitted_at: DateTime<Utc>) -> Option<Duration> {
    let deadline = deadline.with_nanosecond(0).unwrap_or(deadline);
    let submitted = submitted_at.with_nanosecond(0).unwrap_or(submitted_at);
    if submitted <= deadline {
        None
    } else {
        Some(submitted.signed_duration_since(deadline))
    }
}

/// A lateness in words, in Chinese and English (R-PLAN-1), with its two largest units
/// (a zero second unit is left out): `("迟交 2 天 3 小时", "2 days 3 hours late")`,
/// `("迟交 1 秒", "1 second late")`. A zero or negative duration reads as on time.
pub fn lateness_text(late: Duration) -> (String, String) {
    if late <= Duration::zero() {
        return ("按时提交".to_owned(), "on time".to_owned());
    }
    let secs = late.num_seconds();
    if secs == 0 {
        return (
            "迟交不足 1 秒".to_owned(),
            "less than a second late".to_owned(),
        );
    }
    let values = [
        (secs / 86_400, "天", "day"),
        (secs % 86_400 / 3_600, "小时", "hour"),
        (secs % 3_600 / 60, "分钟", "minute"),
        (secs % 60, "秒", "second"),
    ];
    let first = values.iter().position(|(v, _, _)| *v > 0).unwrap_or(3);
    let shown: Vec<&(i64, &str, &str)> = values
        .iter()
        .skip(first)
        .take(2)
        .filter(|(v, _, _)| *v > 0)
        .collect();
    let zh: Vec<String> = shown.iter().map(|(v, u, _)| format!("{v} {u}")).collect();
    let en: Vec<String> = shown
        .iter()
        .map(|(v, _, u)| format!("{v} {u}{}", if *v == 1 { "" } else { "s" }))
        .collect();
    (
        format!("迟交 {}", zh.join(" ")),
        format!("{} late", en.join(" ")),
    )
}

/// The distinct optional-class task numbers of a plan that exist in the catalogue
/// (R-PLAN-2), ascending.
pub fn chosen_optional(catalogue: &Catalogue, content: &PlanContent) -> Vec<u32> {
    let set: BTreeSet<u32> = content
        .tasks
        .iter()
        .map(|t| t.number)
        .filter(|n| {
            catalogue
                .task(*n)
                .is_some_and(|t| t.class == TaskClass::Optional)
        })
        .collect();
    set.into_iter().collect()
}

#[cfg(test)]
mod tests;

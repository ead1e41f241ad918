//! What the shell gives the bulletin builder (R-PUB-1): public fields only, by construction.
//!
//! The shell never copies free text into a [`PublicInput`]: status reasons are
//! [`ReasonFact`]s (counts, months and task numbers), made by [`public_status`] from the
//! colours the core computes; the reason *messages* of [`crate::tracking::colours`] are not
//! used, since some of them quote free text (a blocked task's reason, a milestone's
//! description, a target's metric name).

use std::collections::BTreeSet;

use chrono::{DateTime, NaiveDate, Utc};

use super::model::{AuditHead, PublicPlanStatus, PublicReason, TargetProgress};
use crate::catalogue::Catalogue;
use crate::facts::Facts;
use crate::plan::PlanContent;
use crate::tracking::{
    Colour, Month, RateCell, ReceivedReport, SocietyColour, TaskExtract, colours, expected_months,
    target_met,
};

/// Everything a bulletin is made of, besides the catalogue and the earlier bulletins
/// (R-PUB-1, R-PUB-2). The number and the previous hash are not given: the builder takes
/// them from the chain.
#[derive(Debug, Clone, PartialEq)]
pub struct PublicInput {
    /// The month the bulletin reports on; its year is the catalogue's.
    pub month: Month,
    /// The instant of publication (the shell's clock); sub-seconds are dropped. Every figure
    /// must be computed as of this instant ([`public_status`], [`crate::tracking::society_rate`]).
    pub published_at: DateTime<Utc>,
    /// The audit trail's head at publication (`None` when the trail is empty).
    pub audit_head: Option<AuditHead>,
    /// When this bulletin corrects earlier ones: which, and why (written for the public).
    pub correction: Option<Correction>,
    pub societies: Vec<PublicSociety>,
}

/// What a bulletin corrects (R-PUB-2): earlier numbers and the reason, in both languages.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Correction {
    pub corrects: Vec<u32>,
    pub note_zh: String,
    pub note_en: String,
}

/// A discipline group (学科群) with its id and names.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GroupName {
    /// Stable id, e.g. the registry letter `A`.
    pub id: String,
    pub name_zh: String,
    pub name_en: String,
}

/// One society's public facts (R-PUB-1). Each field is on the allowlist of
/// [`crate::publish`].
#[derive(Debug, Clone, PartialEq)]
pub struct PublicSociety {
    /// The registry code, e.g. `A-01`.
    pub code: String,
    /// The registered name, e.g. `中国数学会`.
    pub name_zh: String,
    /// The official English name, e.g. `Chinese Mathematical Society`; empty when the registry
    /// has none.
    pub name_en: String,
    pub group: GroupName,
    /// Individual members (the latest `members_now`), used to find the membership band;
    /// published only when the catalogue says `show_member_count = true`.
    pub members: Option<i64>,
    /// Whether it holds its council election this year (registry).
    pub election_year: bool,
    pub plan: PublicPlanStatus,
    /// Colours, reasons and target progress ([`public_status`]).
    pub status: PublicStatus,
    /// Its reporting cell at the bulletin's instant ([`crate::tracking::society_rate`]).
    pub reports: RateCell,
}

/// A society's colours in public form (R-TRACK-3, R-PUB-1).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PublicStatus {
    pub colour: Colour,
    pub reasons: Vec<ReasonFact>,
    /// Planned tasks in plan order (each once).
    pub tasks: Vec<PublicTaskStatus>,
}

/// One planned task in public form.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PublicTaskStatus {
    pub task: u32,
    pub colour: Colour,
    pub reasons: Vec<ReasonFact>,
    pub targets: TargetProgress,
}

/// A colour reason reduced to what may be published: codes of [`crate::tracking::colours`]
/// with counts, months, task numbers and the catalogue's day window, never text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ReasonFact {
    /// `no-plan` (grey).
    NoPlan,
    /// `reports-missing`: the due months without a report; red or yellow by the catalogue's
    /// threshold.
    ReportsMissing { months: Vec<Month>, colour: Colour },
    /// `tasks-red`: the red tasks' numbers.
    TasksRed { tasks: Vec<u32> },
    /// `tasks-yellow`: the yellow tasks' numbers.
    TasksYellow { tasks: Vec<u32> },
    /// `report-late`: reports of the latest reporting period that arrived late.
    ReportLate { count: u32 },
    /// `target-overdue` (red).
    TargetOverdue { count: u32 },
    /// `target-due-soon` (yellow): due within `within_days` days.
    TargetDueSoon { count: u32, within_days: i64 },
    /// `task-blocked` (red).
    TaskBlocked,
    /// `milestone-late` (yellow).
    MilestoneLate { count: u32 },
    /// `milestone-due-soon` (yellow).
    MilestoneDueSoon { count: u32, within_days: i64 },
    /// `not-started-late` (yellow).
    NotStartedLate,
}

fn plural(n: u32) -> &'static str {
    if n == 1 { "" } else { "s" }
}

fn numbers(tasks: &[u32], sep: &str) -> String {
    tasks
        .iter()
        .map(u32::to_string)
        .collect::<Vec<_>>()
        .join(sep)
}

impl ReasonFact {
    /// The code of [`crate::tracking::colours`] this fact stands for.
    pub fn code(&self) -> &'static str {
        match self {
            ReasonFact::NoPlan => "no-plan",
            ReasonFact::ReportsMissing { .. } => "reports-missing",
            ReasonFact::TasksRed { .. } => "tasks-red",
            ReasonFact::TasksYellow { .. } => "tasks-yellow",
            ReasonFact::ReportLate { .. } => "report-late",
            ReasonFact::TargetOverdue { .. } => "target-overdue",
            ReasonFact::TargetDueSoon { .. } => "target-due-soon",
            ReasonFact::TaskBlocked => "task-blocked",
            ReasonFact::MilestoneLate { .. } => "milestone-late",
            ReasonFact::MilestoneDueSoon { .. } => "milestone-due-soon",
            ReasonFact::NotStartedLate => "not-started-late",
        }
    }

    /// The colour this reason alone gives.
    pub fn colour(&self) -> Colour {
        match self {
            ReasonFact::NoPlan => Colour::Grey,
            ReasonFact::ReportsMissing { colour, .. } => *colour,
            ReasonFact::TasksRed { .. } | ReasonFact::TargetOverdue { .. } => Colour::Red,
            ReasonFact::TaskBlocked => Colour::Red,
            ReasonFact::TasksYellow { .. }
            | ReasonFact::ReportLate { .. }
            | ReasonFact::TargetDueSoon { .. }
            | ReasonFact::MilestoneLate { .. }
            | ReasonFact::MilestoneDueSoon { .. }
            | ReasonFact::NotStartedLate => Colour::Yellow,
        }
    }

    /// The public words (R-PUB-1): counts, months and task numbers only.
    pub fn render(&self) -> PublicReason {
        let (zh, en) = match self {
            ReasonFact::NoPlan => (
                "尚无已通过的改革方案，暂不评价进展。".to_owned(),
                "No accepted reform plan yet: progress is not judged.".to_owned(),
            ),
            ReasonFact::ReportsMissing { months, .. } => {
                let n = u32::try_from(months.len()).unwrap_or(u32::MAX);
                let zh: Vec<String> = months.iter().map(|m| m.label_zh()).collect();
                let en: Vec<String> = months.iter().map(Month::to_string).collect();
                (
                    format!("缺少 {n} 份到期月报（{}）。", zh.join("、")),
                    format!(
                        "{n} monthly report{} past due not received ({}).",
                        plural(n),
                        en.join(", ")
                    ),
                )
            }
            ReasonFact::TasksRed { tasks } => (
                format!("红色任务：第 {} 项。", numbers(tasks, "、")),
                format!(
                    "Red task{}: {}.",
                    plural(u32::try_from(tasks.len()).unwrap_or(u32::MAX)),
                    numbers(tasks, ", ")
                ),
            ),
            ReasonFact::TasksYellow { tasks } => (
                format!("黄色任务：第 {} 项。", numbers(tasks, "、")),
                format!(
                    "Yellow task{}: {}.",
                    plural(u32::try_from(tasks.len()).unwrap_or(u32::MAX)),
                    numbers(tasks, ", ")
                ),
            ),
            ReasonFact::ReportLate { count } => (
                format!("最近一个报送期有 {count} 份月报迟交。"),
                format!(
                    "{count} monthly report{} of the latest reporting period arrived late.",
                    plural(*count)
                ),
            ),
            ReasonFact::TargetOverdue { count } => (
                format!("{count} 个目标已过完成期限，尚未达到。"),
                format!("{count} target{} past due and not met.", plural(*count)),
            ),
            ReasonFact::TargetDueSoon { count, within_days } => (
                format!("{count} 个目标将在 {within_days} 天内到期，尚未达到。"),
                format!(
                    "{count} target{} due within {within_days} days and not yet met.",
                    plural(*count)
                ),
            ),
            ReasonFact::TaskBlocked => (
                "最近一次月报报告该任务受阻。".to_owned(),
                "Reported blocked in the latest monthly report.".to_owned(),
            ),
            ReasonFact::MilestoneLate { count } => (
                format!("{count} 个里程碑已过计划日期，尚未达成。"),
                format!(
                    "{count} milestone{} past the planned date and not reached.",
                    plural(*count)
                ),
            ),
            ReasonFact::MilestoneDueSoon { count, within_days } => (
                format!("{count} 个里程碑将在 {within_days} 天内到期，尚未达成。"),
                format!(
                    "{count} milestone{} due within {within_days} days and not yet reached.",
                    plural(*count)
                ),
            ),
            ReasonFact::NotStartedLate => (
                "里程碑日期已过，任务仍未开始。".to_owned(),
                "Not started although a milestone date has passed.".to_owned(),
            ),
        };
        PublicReason {
            code: self.code().to_owned(),
            colour: self.colour(),
            text_zh: zh,
            text_en: en,
        }
    }
}

impl PublicStatus {
    /// The public form of `sc` (R-PUB-1): reason codes become [`ReasonFact`]s (equal codes of
    /// one task or of the society counted together, in the order first seen); a code this
    /// function does not know is withheld; no message text is kept. `within_days` is the
    /// catalogue's `tracking.yellow_within_days`; `targets` the target progress per task
    /// ([`target_progress`]; a task missing there has none).
    pub fn from_colours(
        sc: &SocietyColour,
        within_days: i64,
        targets: &[(u32, TargetProgress)],
    ) -> PublicStatus {
        let of_colour = |c: Colour| -> Vec<u32> {
            sc.tasks
                .iter()
                .filter(|t| t.colour == c)
                .map(|t| t.task)
                .collect()
        };
        let mut reasons: Vec<ReasonFact> = Vec::new();
        for r in &sc.reasons {
            let fact = match r.code.as_str() {
                "no-plan" => Some(ReasonFact::NoPlan),
                "reports-missing" => Some(ReasonFact::ReportsMissing {
                    months: sc.missing_months.clone(),
                    colour: r.colour,
                }),
                "tasks-red" => Some(ReasonFact::TasksRed {
                    tasks: of_colour(Colour::Red),
                }),
                "tasks-yellow" => Some(ReasonFact::TasksYellow {
                    tasks: of_colour(Colour::Yellow),
                }),
                "report-late" => {
                    if let Some(ReasonFact::ReportLate { count }) = reasons
                        .iter_mut()
                        .find(|f| matches!(f, ReasonFact::ReportLate { .. }))
                    {
                        *count = count.saturating_add(1);
                        None
                    } else {
                        Some(ReasonFact::ReportLate { count: 1 })
                    }
                }
                _ => None,
            };
            if let Some(f) = fact
                && !reasons.iter().any(|x| x.code() == f.code())
            {
                reasons.push(f);
            }
        }
        let tasks = sc
            .tasks
            .iter()
            .map(|t| {
                let mut facts: Vec<ReasonFact> = Vec::new();
                for r in &t.reasons {
                    bump(&mut facts, &r.code, within_days);
                }
                PublicTaskStatus {
                    task: t.task,
                    colour: t.colour,
                    reasons: facts,
                    targets: targets
                        .iter()
                        .find(|(n, _)| *n == t.task)
                        .map(|(_, p)| *p)
                        .unwrap_or_default(),
                }
            })
            .collect();
        PublicStatus {
            colour: sc.colour,
            reasons,
            tasks,
        }
    }
}

/// Count one task-level reason `code` into `facts`.
fn bump(facts: &mut Vec<ReasonFact>, code: &str, within_days: i64) {
    for f in facts.iter_mut() {
        if f.code() != code {
            continue;
        }
        match f {
            ReasonFact::TargetOverdue { count }
            | ReasonFact::TargetDueSoon { count, .. }
            | ReasonFact::MilestoneLate { count }
            | ReasonFact::MilestoneDueSoon { count, .. } => *count = count.saturating_add(1),
            _ => {}
        }
        return;
    }
    let new = match code {
        "target-overdue" => ReasonFact::TargetOverdue { count: 1 },
        "target-due-soon" => ReasonFact::TargetDueSoon {
            count: 1,
            within_days,
        },
        "task-blocked" => ReasonFact::TaskBlocked,
        "milestone-late" => ReasonFact::MilestoneLate { count: 1 },
        "milestone-due-soon" => ReasonFact::MilestoneDueSoon {
            count: 1,
            within_days,
        },
        "not-started-late" => ReasonFact::NotStartedLate,
        _ => return,
    };
    facts.push(new);
}

/// Target progress per planned task at `now` (R-PLAN-3, R-PUB-1), in plan order (a task
/// listed twice counts once, by its first entry), with the definitions of
/// [`crate::tracking::colours`]: a target counts when it has a target value and a due date;
/// its current value is the latest report's value for it (reports submitted by `now` for an
/// expected month; the latest month, then the latest submission, that has an entry for the
/// task), else its linked fact in `facts`; it is *met* when that value reaches the target
/// value ([`crate::tracking::target_met`]); it is *due* when its due date is before `now`'s
/// date in the catalogue time zone; *overdue* when due and not met (exactly the targets
/// that make a task red with `target-overdue`).
pub fn target_progress(
    catalogue: &Catalogue,
    plan: &PlanContent,
    reports: &[ReceivedReport],
    facts: &Facts,
    now: DateTime<Utc>,
) -> Vec<(u32, TargetProgress)> {
    let expected = expected_months(catalogue);
    let mut received: Vec<&ReceivedReport> = reports
        .iter()
        .filter(|r| r.submitted_at <= now && expected.contains(&r.month))
        .collect();
    received.sort_by_key(|r| (r.month, r.submitted_at));
    let today: NaiveDate = now.with_timezone(&catalogue.timezone).date_naive();
    let latest =
        |n: u32| -> Option<&TaskExtract> { received.iter().rev().find_map(|r| r.content.task(n)) };
    let mut seen = BTreeSet::new();
    plan.tasks
        .iter()
        .filter(|t| seen.insert(t.number))
        .map(|pt| {
            let entry = latest(pt.number);
            let mut p = TargetProgress::default();
            for (i, t) in pt.targets.iter().enumerate() {
                let (Some(_), Some(due)) = (t.target, t.due) else {
                    continue;
                };
                p.total += 1;
                let current = entry
                    .and_then(|e| e.value(i))
                    .or_else(|| t.fact.as_deref().map(str::trim).and_then(|f| facts.int(f)));
                let met = current.is_some_and(|v| target_met(t, v) == Some(true));
                let is_due = due < today;
                if met {
                    p.met += 1;
                }
                if is_due {
                    p.due += 1;
                    if !met {
                        p.overdue += 1;
                    }
                }
            }
            (pt.number, p)
        })
        .collect()
}

/// A society's public status at `now` (R-TRACK-3, R-PUB-1): [`colours`] and
/// [`target_progress`] made public by [`PublicStatus::from_colours`]. The plan is the
/// accepted plan (`None` without one: grey, `no-plan`).
pub fn public_status(
    catalogue: &Catalogue,
    plan: Option<&PlanContent>,
    reports: &[ReceivedReport],
    facts: &Facts,
    now: DateTime<Utc>,
) -> PublicStatus {
    let sc = colours(catalogue, plan, reports, facts, now);
    let targets = plan
        .map(|p| target_progress(catalogue, p, reports, facts, now))
        .unwrap_or_default();
    PublicStatus::from_colours(&sc, catalogue.tracking.yellow_within_days, &targets)
}

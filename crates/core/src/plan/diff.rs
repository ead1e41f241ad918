//! Comparing plan versions (R-PLAN-4: "every submitted version is kept and can be compared")
//! and starting a new year from last year's plan.

use std::collections::{BTreeMap, BTreeSet};

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use crate::catalogue::Catalogue;

use super::{Milestone, PlanContent, PlanTask, Responsible, Target};

/// How a task changed between two versions (R-PLAN-4).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum DiffKind {
    Added,
    Removed,
    Changed,
    Unchanged,
}

impl DiffKind {
    /// Stable identifier, as serialised: `added`, `removed`, `changed`, `unchanged`.
    pub fn as_str(self) -> &'static str {
        match self {
            DiffKind::Added => "added",
            DiffKind::Removed => "removed",
            DiffKind::Changed => "changed",
            DiffKind::Unchanged => "unchanged",
        }
    }

    pub fn label_zh(self) -> &'static str {
        match self {
            DiffKind::Added => "新增",
            DiffKind::Removed => "删除",
            DiffKind::Changed => "修改",
            DiffKind::Unchanged => "未变",
        }
    }

    pub fn label_en(self) -> &'static str {
        match self {
            DiffKind::Added => "Added",
            DiffKind::Removed => "Removed",
            DiffKind::Changed => "Changed",
            DiffKind::Unchanged => "Unchanged",
        }
    }
}

/// What changed in one task (R-PLAN-4). Task 0 carries changes of the plan's summary.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TaskDiff {
    pub task: u32,
    pub change: DiffKind,
    /// The changed fields; for an added (removed) task, every filled-in field of the new (old)
    /// version.
    pub details: Vec<FieldChange>,
}

/// One changed field, e.g. `targets[1].target` from "11500" to "12000" (R-PLAN-4, R-PLAN-5).
/// Values are rendered as text; an absent value is "". A whole added or removed row (e.g.
/// `targets[2]`) is rendered as `key=value` pairs joined by "; ".
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FieldChange {
    pub field: String,
    pub before: String,
    pub after: String,
}

/// What changed between two versions, per task (R-PLAN-4): every task number present in
/// either version, ascending, as added, removed, changed or unchanged, with its field changes
/// (`responsible`, `targets[i].metric|unit|baseline|target|due|fact`, `targets[i]` for a
/// whole row, `milestones[i].date|what`, `milestones[i]`, `notes`). A change of the summary
/// comes first, as task 0 (left out when the summary is unchanged). When a version lists a
/// task twice, its first occurrence is compared.
pub fn diff(before: &PlanContent, after: &PlanContent) -> Vec<TaskDiff> {
    let mut out = Vec::new();
    if before.summary != after.summary {
        out.push(TaskDiff {
            task: 0,
            change: DiffKind::Changed,
            details: vec![change("summary", &before.summary, &after.summary)],
        });
    }
    let (b, a) = (by_number(before), by_number(after));
    let numbers: BTreeSet<u32> = b.keys().chain(a.keys()).copied().collect();
    for n in numbers {
        let empty = PlanTask {
            number: n,
            ..PlanTask::default()
        };
        let (change, details) = match (b.get(&n), a.get(&n)) {
            (Some(x), Some(y)) => {
                let d = task_changes(x, y);
                let kind = if d.is_empty() {
                    DiffKind::Unchanged
                } else {
                    DiffKind::Changed
                };
                (kind, d)
            }
            (None, Some(y)) => (DiffKind::Added, task_changes(&empty, y)),
            (Some(x), None) => (DiffKind::Removed, task_changes(x, &empty)),
            (None, None) => continue,
        };
        out.push(TaskDiff {
            task: n,
            change,
            details,
        });
    }
    out
}

fn by_number(plan: &PlanContent) -> BTreeMap<u32, &PlanTask> {
    let mut m = BTreeMap::new();
    for t in &plan.tasks {
        m.entry(t.number).or_insert(t);
    }
    m
}

fn change(field: &str, before: &str, after: &str) -> FieldChange {
    FieldChange {
        field: field.to_owned(),
        before: before.to_owned(),
        after: after.to_owned(),
    }
}

fn task_changes(x: &PlanTask, y: &PlanTask) -> Vec<FieldChange> {
    let mut out = Vec::new();
    let (rx, ry) = (
        responsible_text(&x.responsible),
        responsible_text(&y.responsible),
    );
    if rx != ry {
        out.push(change("responsible", &rx, &ry));
    }
    rows(
        &mut out,
        "targets",
        &x.targets,
        &y.targets,
        target_fields,
        Target::is_blank,
    );
    rows(
        &mut out,
        "milestones",
        &x.milestones,
        &y.milestones,
        milestone_fields,
        Milestone::is_blank,
    );
    if x.notes != y.notes {
        out.push(change("notes", &x.notes, &y.notes));
    }
    out
}

/// Row-by-row comparison of a list, by index. A row present on one side only is one change
/// of the whole row (nothing when that row is blank).
pub(super) fn rows<T>(
    out: &mut Vec<FieldChange>,
    name: &str,
    xs: &[T],
    ys: &[T],
    fields: fn(&T) -> Vec<(&'static str, String)>,
    blank: fn(&T) -> bool,
) {
    for i in 0..xs.len().max(ys.len()) {
        match (xs.get(i), ys.get(i)) {
            (Some(x), Some(y)) => {
                for ((f, vx), (_, vy)) in fields(x).into_iter().zip(fields(y)) {
                    if vx != vy {
                        out.push(change(&format!("{name}[{i}].{f}"), &vx, &vy));
                    }
                }
            }
            (Some(x), None) if !blank(x) => {
                out.push(change(&format!("{name}[{i}]"), &row_text(&fields(x)), ""));
            }
            (None, Some(y)) if !blank(y) => {
                out.push(change(&format!("{name}[{i}]"), "", &row_text(&fields(y))));
            }
            _ => {}
        }
    }
}

/// `metric=个人会员数; target=11500` (empty values left out).
fn row_text(fields: &[(&'static str, String)]) -> String {
    fields
        .iter()
        .filter(|(_, v)| !v.is_empty())
        .map(|(k, v)| format!("{k}={v}"))
        .collect::<Vec<_>>()
        .join("; ")
}

pub(super) fn opt_text<T: ToString>(v: Option<T>) -> String {
    v.map(|v| v.to_string()).unwrap_or_default()
}

pub(super) fn date_text(d: Option<NaiveDate>) -> String {
    d.map(|d| d.format("%Y-%m-%d").to_string())
        .unwrap_or_default()
}

fn target_fields(t: &Target) -> Vec<(&'static str, String)> {
    vec![
        ("metric", t.metric.clone()),
        ("unit", t.unit.clone()),
        ("baseline", opt_text(t.baseline)),
        ("target", opt_text(t.target)),
        ("due", date_text(t.due)),
        ("fact", t.fact.clone().unwrap_or_default()),
    ]
}

fn milestone_fields(m: &Milestone) -> Vec<(&'static str, String)> {
    vec![("date", date_text(m.date)), ("what", m.what.clone())]
}

/// "张三（秘书长）；李四"
fn responsible_text(rs: &[Responsible]) -> String {
    rs.iter()
        .filter(|r| !(r.name.trim().is_empty() && r.position.trim().is_empty()))
        .map(|r| {
            if r.position.trim().is_empty() {
                r.name.clone()
            } else {
                format!("{}（{}）", r.name, r.position)
            }
        })
        .collect::<Vec<_>>()
        .join("；")
}

/// The starting point for a new year from last year's plan (R-PLAN-2, R-PLAN-3): keeps every
/// task whose number exists in the new catalogue, with its responsible persons, targets (kept
/// for editing, dates included: `validate` flags dates before the new year) and milestones;
/// drops tasks that no longer exist, repeated tasks, notes and the summary; adds each missing
/// mandatory task empty. Tasks are ordered by number.
pub fn copy_for_year(
    previous: &PlanContent,
    catalogue: &Catalogue,
    election_year: bool,
) -> PlanContent {
    let mut seen = BTreeSet::new();
    let mut tasks: Vec<PlanTask> = previous
        .tasks
        .iter()
        .filter(|t| catalogue.task(t.number).is_some() && seen.insert(t.number))
        .map(|t| PlanTask {
            number: t.number,
            responsible: t.responsible.clone(),
            targets: t.targets.clone(),
            milestones: t.milestones.clone(),
            notes: String::new(),
        })
        .collect();
    for m in catalogue.mandatory_tasks(election_year) {
        if seen.insert(m.number) {
            tasks.push(PlanTask {
                number: m.number,
                ..PlanTask::default()
            });
        }
    }
    tasks.sort_by_key(|t| t.number);
    PlanContent {
        summary: String::new(),
        tasks,
    }
}

//! Rectification plans (整改方案, R-PLAN-5): a society whose results are weak analyses its
//! problems and plans measures with owners and dates (notice §2: 改革效果不明显的学会，要主动
//! 查找问题…提出解决方案).

use serde::{Deserialize, Serialize};

use super::diff::{date_text, opt_text, rows};
use super::{FieldChange, PlanIssue, sort_issues};

/// Content of a rectification plan (R-PLAN-5). Every field has a default so that a draft can
/// be partial; an unknown field is an error.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct RectificationContent {
    /// The problem analysis (查找问题).
    pub analysis: String,
    pub problems: Vec<Problem>,
    pub measures: Vec<Measure>,
}

/// A problem found (R-PLAN-5).
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Problem {
    pub description: String,
    /// The catalogue task it concerns, if any.
    pub task: Option<u32>,
}

impl Problem {
    fn is_blank(&self) -> bool {
        self.description.trim().is_empty() && self.task.is_none()
    }
}

/// A measure against a problem: what, who, by when (R-PLAN-5).
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Measure {
    pub what: String,
    pub owner: String,
    pub due: Option<chrono::NaiveDate>,
    /// Index into `problems` (0-based) of the problem it addresses.
    pub problem: Option<usize>,
}

impl Measure {
    fn is_blank(&self) -> bool {
        self.what.trim().is_empty()
            && self.owner.trim().is_empty()
            && self.due.is_none()
            && self.problem.is_none()
    }
}

/// Every issue of a rectification plan at once (R-PLAN-5), ordered by field. Blank rows are
/// ignored. Positions in messages count from 1.
///
/// Blocking: `problems-missing` (no problem described, field `problems`), `problem-incomplete`
/// (a problem row with a task but no description), `measures-missing` (no measure, field
/// `measures`), `measure-incomplete` (a measure lacking what, owner or due date; one issue per
/// missing part, field e.g. `measures[0].owner`), `measure-problem-unknown` (the problem index
/// is out of range, field `measures[i].problem`).
/// Warning: `analysis-missing` (no problem analysis text, field `analysis`).
pub fn validate_rectification(content: &RectificationContent) -> Vec<PlanIssue> {
    let mut issues = Vec::new();
    if content.analysis.trim().is_empty() {
        issues.push(PlanIssue::new(
            "analysis-missing",
            None,
            Some("analysis".to_owned()),
            "尚未填写问题分析：请说明改革效果不明显的原因。".to_owned(),
            "The problem analysis is empty: explain why the reform results are weak.".to_owned(),
        ));
    }
    if !content
        .problems
        .iter()
        .any(|p| !p.description.trim().is_empty())
    {
        issues.push(PlanIssue::new(
            "problems-missing",
            None,
            Some("problems".to_owned()),
            "整改方案未列出任何问题：请至少写明一个查找到的问题。".to_owned(),
            "The rectification plan lists no problem: describe at least one problem found."
                .to_owned(),
        ));
    }
    for (i, p) in content.problems.iter().enumerate() {
        if !p.is_blank() && p.description.trim().is_empty() {
            let pos = i + 1;
            issues.push(PlanIssue::new(
                "problem-incomplete",
                p.task,
                Some(format!("problems[{i}].description")),
                format!("第 {pos} 个问题缺少问题描述，请填写或删除此行。"),
                format!("Problem {pos} has no description; describe it or remove the row."),
            ));
        }
    }
    if content.measures.iter().all(Measure::is_blank) {
        issues.push(PlanIssue::new(
            "measures-missing",
            None,
            Some("measures".to_owned()),
            "整改方案未列出任何整改措施：请至少写明一项措施及其责任人和完成日期。".to_owned(),
            "The rectification plan lists no measure: give at least one, with its owner and due date."
                .to_owned(),
        ));
    }
    for (i, m) in content.measures.iter().enumerate() {
        if m.is_blank() {
            continue;
        }
        let pos = i + 1;
        let parts: [(&str, bool, &str, &str); 3] = [
            (
                "what",
                m.what.trim().is_empty(),
                "措施内容",
                "what is to be done",
            ),
            ("owner", m.owner.trim().is_empty(), "责任人", "the owner"),
            ("due", m.due.is_none(), "完成日期", "the due date"),
        ];
        for (field, missing, zh, en) in parts {
            if missing {
                issues.push(PlanIssue::new(
                    "measure-incomplete",
                    None,
                    Some(format!("measures[{i}].{field}")),
                    format!("第 {pos} 项整改措施缺少{zh}：每项措施须写明内容、责任人和完成日期。"),
                    format!(
                        "Measure {pos}: {en} is missing; every measure needs what is to be done, an owner and a due date."
                    ),
                ));
            }
        }
        if let Some(k) = m.problem
            && k >= content.problems.len()
        {
            let shown = k.saturating_add(1);
            let total = content.problems.len();
            issues.push(PlanIssue::new(
                "measure-problem-unknown",
                None,
                Some(format!("measures[{i}].problem")),
                format!(
                    "第 {pos} 项整改措施对应的问题 {shown} 不存在（共 {total} 个问题），请重新选择。"
                ),
                format!(
                    "Measure {pos} refers to problem {shown}, which does not exist (there {} {total} problem{}); choose again.",
                    if total == 1 { "is" } else { "are" },
                    if total == 1 { "" } else { "s" }
                ),
            ));
        }
    }
    sort_issues(&mut issues);
    issues
}

/// What changed between two versions of a rectification plan (R-PLAN-4, R-PLAN-5):
/// `analysis`, `problems[i].description|task`, `problems[i]` (whole row added or removed),
/// `measures[i].what|owner|due|problem`, `measures[i]`. Problem indices are shown as stored
/// (0-based).
pub fn diff_rectification(
    before: &RectificationContent,
    after: &RectificationContent,
) -> Vec<FieldChange> {
    let mut out = Vec::new();
    if before.analysis != after.analysis {
        out.push(FieldChange {
            field: "analysis".to_owned(),
            before: before.analysis.clone(),
            after: after.analysis.clone(),
        });
    }
    rows(
        &mut out,
        "problems",
        &before.problems,
        &after.problems,
        problem_fields,
        Problem::is_blank,
    );
    rows(
        &mut out,
        "measures",
        &before.measures,
        &after.measures,
        measure_fields,
        Measure::is_blank,
    );
    out
}

fn problem_fields(p: &Problem) -> Vec<(&'static str, String)> {
    vec![
        ("description", p.description.clone()),
        ("task", opt_text(p.task)),
    ]
}

fn measure_fields(m: &Measure) -> Vec<(&'static str, String)> {
    vec![
        ("what", m.what.clone()),
        ("owner", m.owner.clone()),
        ("due", date_text(m.due)),
        ("problem", opt_text(m.problem)),
    ]
}

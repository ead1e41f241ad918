//! Outcomes (R-ASSESS-2), each with reasons quoting the clause it applies:
//!
//! - **通报批评 criticised** when the society submitted no plan; or a required task (basic;
//!   election tasks for a society holding its election) is *not completed* (or missing from
//!   its plan); or fewer than `min_optional` optional tasks are *completed*.
//! - **表扬 commended** when not criticised, every required task is *completed* and the final
//!   score is at or above `commend_at`.
//! - **完成 completed** otherwise (e.g. a required task only partly completed, or a score
//!   below the threshold).
//!
//! "Completed" means the final acceptance status `completed`; `partly` is neither completed
//! (it does not count towards the optional minimum or commendation) nor "not completed" (it
//! alone does not lead to criticism).

use serde::Serialize;

use super::Note;
use super::acceptance::AcceptanceStatus;
use super::config::AssessmentRules;
use super::score::Score;
use super::scoring::SocietyYear;
use crate::catalogue::{Catalogue, TaskClass};

/// The three outcomes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum OutcomeKind {
    /// 通报批评.
    Criticised,
    /// 完成.
    Completed,
    /// 表扬.
    Commended,
}

impl OutcomeKind {
    pub fn as_str(self) -> &'static str {
        match self {
            OutcomeKind::Criticised => "criticised",
            OutcomeKind::Completed => "completed",
            OutcomeKind::Commended => "commended",
        }
    }

    pub fn label_zh(self) -> &'static str {
        match self {
            OutcomeKind::Criticised => "通报批评",
            OutcomeKind::Completed => "完成",
            OutcomeKind::Commended => "表扬",
        }
    }

    pub fn label_en(self) -> &'static str {
        match self {
            OutcomeKind::Criticised => "Circulated criticism",
            OutcomeKind::Completed => "Completed",
            OutcomeKind::Commended => "Commendation",
        }
    }
}

/// One reason for an outcome.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "code", rename_all = "snake_case")]
pub enum OutcomeReason {
    /// No plan was submitted.
    NoPlan,
    /// A required task is not completed (`status` `None`: missing from the plan).
    RequiredNotCompleted {
        task: u32,
        class: TaskClass,
        status: Option<AcceptanceStatus>,
    },
    /// Fewer than `min` optional tasks completed; `completed` lists those that are.
    TooFewOptional {
        completed: Vec<u32>,
        min: u32,
    },
    /// Required tasks only partly completed (not criticised, but not commended either).
    RequiredPartly {
        tasks: Vec<u32>,
    },
    /// Every required task is completed.
    AllRequiredCompleted,
    ScoreAtLeast {
        score: Score,
        threshold: Score,
    },
    ScoreBelow {
        score: Score,
        threshold: Score,
    },
}

/// A society's outcome with its reasons.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Outcome {
    pub kind: OutcomeKind,
    pub reasons: Vec<OutcomeReason>,
}

/// Decide the outcome of one society (see the module documentation). `score` is its final
/// total (`None` when it has no plan, hence no score).
pub fn decide(
    catalogue: &Catalogue,
    rules: &AssessmentRules,
    s: &SocietyYear,
    score: Option<Score>,
) -> Outcome {
    let Some(plan) = &s.plan else {
        return Outcome {
            kind: OutcomeKind::Criticised,
            reasons: vec![OutcomeReason::NoPlan],
        };
    };
    let status_of = |n: u32| plan.tasks.iter().find(|t| t.number == n).map(|t| t.status);
    let mut criticism = Vec::new();
    let mut partly = Vec::new();
    for t in catalogue.mandatory_tasks(s.election_year) {
        match status_of(t.number) {
            Some(AcceptanceStatus::Completed) => {}
            Some(AcceptanceStatus::Partly) => partly.push(t.number),
            st @ (Some(AcceptanceStatus::NotCompleted) | None) => {
                criticism.push(OutcomeReason::RequiredNotCompleted {
                    task: t.number,
                    class: t.class,
                    status: st,
                });
            }
        }
    }
    let completed_optional: Vec<u32> = catalogue
        .tasks_of(TaskClass::Optional)
        .filter(|t| status_of(t.number) == Some(AcceptanceStatus::Completed))
        .map(|t| t.number)
        .collect();
    let min = catalogue.min_optional;
    if (completed_optional.len() as u64) < u64::from(min) {
        criticism.push(OutcomeReason::TooFewOptional {
            completed: completed_optional,
            min,
        });
    }
    if !criticism.is_empty() {
        return Outcome {
            kind: OutcomeKind::Criticised,
            reasons: criticism,
        };
    }
    let threshold = rules.outcomes.commend_at;
    let score = score.unwrap_or(Score::ZERO);
    let score_reason = if score >= threshold {
        OutcomeReason::ScoreAtLeast { score, threshold }
    } else {
        OutcomeReason::ScoreBelow { score, threshold }
    };
    if partly.is_empty() && score >= threshold {
        Outcome {
            kind: OutcomeKind::Commended,
            reasons: vec![OutcomeReason::AllRequiredCompleted, score_reason],
        }
    } else {
        let mut reasons = Vec::new();
        if partly.is_empty() {
            reasons.push(OutcomeReason::AllRequiredCompleted);
        } else {
            reasons.push(OutcomeReason::RequiredPartly { tasks: partly });
        }
        reasons.push(score_reason);
        Outcome {
            kind: OutcomeKind::Completed,
            reasons,
        }
    }
}

fn task_zh(catalogue: &Catalogue, n: u32) -> String {
    catalogue.task(n).map_or_else(
        || format!("第 {n} 项"),
        |t| format!("第 {n} 项（{}）", t.title_zh),
    )
}

fn task_en(catalogue: &Catalogue, n: u32) -> String {
    catalogue.task(n).map_or_else(
        || format!("task {n}"),
        |t| format!("task {n} ({})", t.title_en),
    )
}

fn list(numbers: &[u32], sep: &str) -> String {
    numbers
        .iter()
        .map(u32::to_string)
        .collect::<Vec<_>>()
        .join(sep)
}

impl OutcomeReason {
    /// The reason in both languages, quoting the clause it applies (the clauses are the
    /// catalogue's: `[assessment.outcomes]` and `min_optional_clause_zh`).
    pub fn explain(&self, catalogue: &Catalogue, rules: &AssessmentRules) -> Note {
        let o = &rules.outcomes;
        match self {
            OutcomeReason::NoPlan => Note {
                zh: format!(
                    "未提交年度改革方案。依据：“{}”“{}”",
                    o.no_plan_clause_zh, o.criticised_clause_zh
                ),
                en: format!(
                    "No reform plan was submitted. Clauses: “{}” “{}”",
                    o.no_plan_clause_zh, o.criticised_clause_zh
                ),
            },
            OutcomeReason::RequiredNotCompleted {
                task,
                class,
                status,
            } => {
                let clause = if *class == TaskClass::Election {
                    &o.election_clause_zh
                } else {
                    &o.basic_clause_zh
                };
                let (st_zh, st_en) = match status {
                    Some(s) => (
                        format!("验收结论为“{}”", s.label_zh()),
                        format!("accepted as “{}”", s.label_en().to_lowercase()),
                    ),
                    None => (
                        "未列入改革方案".to_owned(),
                        "missing from the plan".to_owned(),
                    ),
                };
                Note {
                    zh: format!(
                        "{}{}未完成（{st_zh}）。依据：“{clause}”“{}”",
                        class.label_zh(),
                        task_zh(catalogue, *task),
                        o.criticised_clause_zh
                    ),
                    en: format!(
                        "{} {} is not completed ({st_en}). Clauses: “{clause}” “{}”",
                        class.label_en(),
                        task_en(catalogue, *task),
                        o.criticised_clause_zh
                    ),
                }
            }
            OutcomeReason::TooFewOptional { completed, min } => {
                let clause = catalogue
                    .min_optional_clause_zh
                    .as_deref()
                    .map(|c| format!("“{c}”"))
                    .unwrap_or_default();
                let (done_zh, done_en) = if completed.is_empty() {
                    ("无".to_owned(), "none".to_owned())
                } else {
                    (
                        format!("第 {} 项", list(completed, "、")),
                        format!("tasks {}", list(completed, ", ")),
                    )
                };
                Note {
                    zh: format!(
                        "完成的自选任务 {} 项（{done_zh}），少于 {min} 项。依据：{clause}“{}”",
                        completed.len(),
                        o.criticised_clause_zh
                    ),
                    en: format!(
                        "{} optional task(s) completed ({done_en}), fewer than {min}. Clauses: {clause}“{}”",
                        completed.len(),
                        o.criticised_clause_zh
                    ),
                }
            }
            OutcomeReason::RequiredPartly { tasks } => Note {
                zh: format!(
                    "必须完成的任务中第 {} 项仅部分完成，不能表扬。",
                    list(tasks, "、")
                ),
                en: format!(
                    "Required task(s) {} only partly completed: no commendation.",
                    list(tasks, ", ")
                ),
            },
            OutcomeReason::AllRequiredCompleted => Note {
                zh: "必须完成的任务全部完成。".into(),
                en: "Every required task is completed.".into(),
            },
            OutcomeReason::ScoreAtLeast { score, threshold } => Note {
                zh: format!(
                    "考核得分 {score} 分，达到表扬分数线 {threshold} 分。依据：“{}”",
                    o.commended_clause_zh
                ),
                en: format!(
                    "Final score {score}, at or above the commendation threshold of {threshold}. Clause: “{}”",
                    o.commended_clause_zh
                ),
            },
            OutcomeReason::ScoreBelow { score, threshold } => Note {
                zh: format!("考核得分 {score} 分，低于表扬分数线 {threshold} 分。"),
                en: format!(
                    "Final score {score}, below the commendation threshold of {threshold}."
                ),
            },
        }
    }
}

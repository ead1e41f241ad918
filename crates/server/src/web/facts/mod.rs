//! Society facts (R-SOC-2) and verdicts (R-RULE-*), by feature: a society's facts page with
//! history, form and justifications (`page`), the public what-if check that saves nothing
//! (`whatif`, R-RULE-PRE), the facts import (`import`), and CAST's overview of the verdicts with
//! its export (`overview`). Shared here: the fact form, the verdict cards, evidence lists.

pub mod import;
pub mod overview;
pub mod page;
pub mod whatif;

use std::collections::BTreeMap;

use axum::body::Bytes;
use reformwatch_core::catalogue::Catalogue;
use reformwatch_core::facts::FactKind;
use reformwatch_core::rules::{CheckResult, Verdict};
use serde::Deserialize;
use serde_json::Value;

use crate::AppState;
use crate::db::facts::{FactChange, Justification};
use crate::db::judgements::StoredJudgement;
use crate::db::societies::Society;
use crate::error::AppResult;
use crate::i18n::T;
use crate::model::FieldError;
use crate::service;
use crate::service::facts::parse_value;

pub struct FactInput {
    pub name: String,
    pub label: String,
    pub kind: &'static str,
    pub value: String,
    pub hint: String,
    pub error: Option<String>,
    pub options: Vec<(String, String, bool)>,
}

/// Text of a stored value for a form field.
/// A stored value as people read it (issue 10): yes/no, documents by name, not `true` or a
/// document code.
pub fn display_value(t: &T, catalogue: &Catalogue, v: &Value) -> String {
    match v {
        Value::Bool(b) => t.t(if *b { "yes" } else { "no" }),
        Value::Array(items) => items
            .iter()
            .filter_map(|i| i.as_str())
            .map(|id| {
                catalogue
                    .document(id)
                    .map(|d| t.pick(&d.name_zh, &d.name_en).to_string())
                    .unwrap_or_else(|| id.to_string())
            })
            .collect::<Vec<_>>()
            .join("、"),
        other => value_text(other),
    }
}

/// A stored value as the form writes it (`true`, `a,b`).
pub fn value_text(v: &Value) -> String {
    match v {
        Value::String(s) => s.clone(),
        Value::Array(items) => items
            .iter()
            .filter_map(|i| i.as_str())
            .collect::<Vec<_>>()
            .join(","),
        other => other.to_string(),
    }
}

pub fn fact_inputs(
    t: &T,
    catalogue: &Catalogue,
    values: &BTreeMap<String, String>,
    errors: &[FieldError],
) -> Vec<FactInput> {
    catalogue
        .entered_facts()
        .map(|f| {
            let tasks: Vec<String> = catalogue
                .tasks
                .iter()
                .filter(|task| task.facts.contains(&f.name))
                .map(|task| task.number.to_string())
                .collect();
            let value = values.get(&f.name).cloned().unwrap_or_default();
            let chosen: Vec<&str> = value.split(',').map(str::trim).collect();
            FactInput {
                name: f.name.clone(),
                label: t.pick(&f.label_zh, &f.label_en).to_string(),
                kind: f.kind.as_str(),
                hint: if tasks.is_empty() {
                    String::new()
                } else {
                    t.t1("fact-used-by", "tasks", &tasks.join(", "))
                },
                error: errors
                    .iter()
                    .find(|e| e.field == f.name)
                    .map(|e| t.field(e)),
                options: if f.kind == FactKind::Docs {
                    catalogue
                        .documents
                        .iter()
                        .map(|d| {
                            (
                                d.id.clone(),
                                format!(
                                    "{} ({} {})",
                                    t.pick(&d.name_zh, &d.name_en),
                                    t.t("task"),
                                    d.task
                                ),
                                chosen.contains(&d.id.as_str()),
                            )
                        })
                        .collect()
                } else {
                    Vec::new()
                },
                value,
            }
        })
        .collect()
}

pub struct VerdictView {
    pub rule: String,
    /// The rule as people name it (its clause, shortened), never its id (issue 10).
    pub title: String,
    pub verdict: &'static str,
    pub label: String,
    pub explanation: String,
    pub clause: String,
    pub justification: Option<String>,
    pub can_justify: bool,
    pub open: bool,
    /// A qualitative norm judged by a reviewer (issue 13), not computed: labelled as such.
    pub judged: bool,
    /// The reviewer's latest judgement, in words.
    pub judgement: Option<String>,
    /// The viewer may record a judgement (staff, `judged` rules only).
    pub can_judge: bool,
    /// What was typed into a refused judgement form, and its field messages.
    pub typed_verdict: String,
    pub typed_reason: String,
    pub verdict_error: Option<String>,
    pub reason_error: Option<String>,
    /// A refused justification: what was typed and the message.
    pub justify_text: String,
    pub justify_error: Option<String>,
}

/// A refused judgement form: the rule, what was typed, the errors.
pub struct JudgeTyped {
    pub rule: String,
    pub verdict: String,
    pub reason: String,
    pub errors: Vec<FieldError>,
}

/// Judgements, whether the viewer may record one, and a refused form, for [`cards`].
#[derive(Default)]
pub struct JudgeView<'a> {
    pub judgements: Option<&'a BTreeMap<String, StoredJudgement>>,
    pub can_judge: bool,
    pub typed: Option<&'a JudgeTyped>,
}

/// "张审判断为符合（2017-06-01 10:00）：比例合理" and its English.
pub fn judgement_text(t: &T, j: &StoredJudgement) -> String {
    let verdict = match j.verdict.as_str() {
        "pass" => t.t("judgement-pass"),
        _ => t.t("judgement-warning"),
    };
    t.t("judgement-by")
        .replace("{by}", &j.judged_by)
        .replace("{verdict}", &verdict)
        .replace("{at}", &crate::present::beijing_text(&j.judged_at))
        .replace("{reason}", &j.reason)
}

pub struct TaskCard {
    pub number: u32,
    pub title: String,
    pub worst: &'static str,
    pub verdicts: Vec<VerdictView>,
}

fn severity(v: Verdict) -> u8 {
    match v {
        Verdict::Fail => 4,
        Verdict::Warning => 3,
        Verdict::Insufficient => 2,
        Verdict::Pass => 1,
        Verdict::NotApplicable => 0,
    }
}

pub fn verdict_label(t: &T, v: Verdict) -> String {
    t.pick(v.label_zh(), v.label_en()).to_string()
}

pub fn legend(t: &T) -> Vec<(&'static str, String)> {
    [
        Verdict::Pass,
        Verdict::Fail,
        Verdict::Warning,
        Verdict::Insufficient,
        Verdict::NotApplicable,
    ]
    .into_iter()
    .map(|v| (v.as_str(), verdict_label(t, v)))
    .collect()
}

/// A rule as people name it: the clause it applies, shortened ("个人会员数增长15%…"); in
/// English, "Task 2, rule 1" (the clause itself is Chinese and shown in full beside it).
pub fn rule_title(t: &T, catalogue: &Catalogue, rule: &str) -> String {
    let Some((task, decl)) = catalogue.rule(rule) else {
        return String::new();
    };
    let index = task.rules.iter().position(|r| r.id == rule).unwrap_or(0) + 1;
    if t.is_en() {
        return format!("Task {}, rule {index}", task.number);
    }
    const SHORT: usize = 16;
    let clause: String = decl.clause_zh.chars().take(SHORT).collect();
    if decl.clause_zh.chars().count() > SHORT {
        format!("{clause}…")
    } else {
        clause
    }
}

pub fn cards(
    t: &T,
    catalogue: &Catalogue,
    result: &CheckResult,
    justifications: &BTreeMap<String, Justification>,
    can_justify: bool,
    judge: &JudgeView<'_>,
) -> Vec<TaskCard> {
    let mut out: Vec<TaskCard> = Vec::new();
    for v in &result.verdicts {
        let judgement = judge
            .judgements
            .and_then(|js| js.get(&v.rule))
            .filter(|_| v.judged)
            .map(|j| judgement_text(t, j));
        let typed = judge.typed.filter(|ty| ty.rule == v.rule);
        let error_of = |field: &str| {
            typed.and_then(|ty| {
                ty.errors
                    .iter()
                    .find(|e| e.field == field)
                    .map(|e| t.field(e))
            })
        };
        let view = VerdictView {
            title: rule_title(t, catalogue, &v.rule),
            rule: v.rule.clone(),
            verdict: v.verdict.as_str(),
            label: verdict_label(t, v.verdict),
            explanation: t.pick(&v.explanation_zh, &v.explanation_en).to_string(),
            clause: v.clause.clone(),
            justification: justifications.get(&v.rule).map(|j| {
                format!(
                    "{}（{}，{}）",
                    j.text,
                    j.entered_by.trim_start_matches("user:"),
                    crate::present::beijing_text(&j.entered_at)
                )
            }),
            can_justify: can_justify && v.verdict == Verdict::Warning,
            open: matches!(v.verdict, Verdict::Fail | Verdict::Warning),
            judged: v.judged,
            judgement,
            can_judge: judge.can_judge && v.judged,
            typed_verdict: typed.map(|ty| ty.verdict.clone()).unwrap_or_default(),
            typed_reason: typed.map(|ty| ty.reason.clone()).unwrap_or_default(),
            verdict_error: error_of("verdict"),
            reason_error: error_of("reason"),
            justify_text: typed
                .filter(|ty| ty.errors.iter().any(|e| e.field == "text"))
                .map(|ty| ty.reason.clone())
                .unwrap_or_default(),
            justify_error: error_of("text"),
        };
        match out.last_mut() {
            Some(card) if card.number == v.task => {
                if severity(v.verdict) > severity_of(card.worst) {
                    card.worst = v.verdict.as_str();
                }
                card.verdicts.push(view);
            }
            _ => out.push(TaskCard {
                number: v.task,
                title: catalogue
                    .task(v.task)
                    .map(|task| t.pick(&task.title_zh, &task.title_en).to_string())
                    .unwrap_or_default(),
                worst: v.verdict.as_str(),
                verdicts: vec![view],
            }),
        }
    }
    out
}

fn severity_of(s: &str) -> u8 {
    match s {
        "fail" => 4,
        "warning" => 3,
        "insufficient" => 2,
        "pass" => 1,
        _ => 0,
    }
}

#[derive(Deserialize, Default)]
pub struct YearQuery {
    #[serde(default)]
    pub year: Option<String>,
    #[serde(default)]
    pub done: Option<String>,
}

pub fn label_of(t: &T, catalogue: &Catalogue, field: &str) -> String {
    catalogue
        .fact(field)
        .map(|f| t.pick(&f.label_zh, &f.label_en).to_string())
        .unwrap_or_else(|| field.to_string())
}

/// Evidence of one kind of owner for a society and year, for pages: (id, name, details).
pub async fn evidence_list(
    state: &AppState,
    society: &Society,
    catalogue: &Catalogue,
    owner_type: &str,
    t: &T,
) -> AppResult<Vec<(i64, String, String)>> {
    Ok(
        service::evidence::of_society(state, society, catalogue.year, owner_type)
            .await?
            .into_iter()
            .map(|e| {
                let about = match (&e.field, e.task, e.month) {
                    (Some(f), _, _) => label_of(t, catalogue, f),
                    (None, Some(task), Some(m)) => format!("{} {task} · {m}", t.t("task")),
                    (None, Some(task), None) => format!("{} {task}", t.t("task")),
                    _ => String::new(),
                };
                (
                    e.id,
                    e.name.clone(),
                    format!(
                        "{about} · {} KB · {}",
                        (e.size + 1023) / 1024,
                        crate::present::beijing_text(&e.uploaded_at)
                    ),
                )
            })
            .collect(),
    )
}

/// Parses a urlencoded form body; repeated keys (document checkboxes) are kept in order.
pub fn form_pairs(body: &Bytes) -> Vec<(String, String)> {
    url::form_urlencoded::parse(body).into_owned().collect()
}

/// Form values → (typed text per field, changes or field errors). A document-set fact is a
/// group of checkboxes named after the fact, with a hidden `{name}_present` marker so that
/// an empty set can be told from a form without the group.
pub fn read_fact_form(
    catalogue: &Catalogue,
    pairs: &[(String, String)],
) -> (
    BTreeMap<String, String>,
    Result<Vec<FactChange>, Vec<FieldError>>,
) {
    let mut typed = BTreeMap::new();
    let mut changes = Vec::new();
    let mut errors = Vec::new();
    for f in catalogue.entered_facts() {
        let raw = if f.kind == FactKind::Docs {
            let marker = format!("{}_present", f.name);
            if !pairs.iter().any(|(k, _)| *k == marker) {
                continue;
            }
            pairs
                .iter()
                .filter(|(k, _)| *k == f.name)
                .map(|(_, v)| v.as_str())
                .collect::<Vec<_>>()
                .join(",")
        } else {
            match pairs.iter().find(|(k, _)| *k == f.name) {
                Some((_, v)) => v.clone(),
                None => continue,
            }
        };
        typed.insert(f.name.clone(), raw.clone());
        match parse_value(catalogue, &f.name, &raw) {
            // An empty checkbox set clears the documents.
            Ok(Some(Value::Array(a))) if a.is_empty() => changes.push(FactChange {
                field: f.name.clone(),
                value: None,
            }),
            Ok(value) => changes.push(FactChange {
                field: f.name.clone(),
                value,
            }),
            Err(e) => errors.push(e),
        }
    }
    (
        typed,
        if errors.is_empty() {
            Ok(changes)
        } else {
            Err(errors)
        },
    )
}

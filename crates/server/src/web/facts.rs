//! Society facts (R-SOC-2) and verdicts (R-RULE-*): the facts page with history and form, the
//! verdict cards, written justifications for warnings, and the public what-if check
//! (R-RULE-PRE) that saves nothing.

use std::collections::BTreeMap;

use askama::Template;
use axum::body::Bytes;
use axum::extract::{Query, State};
use axum::response::{IntoResponse, Response};
use chrono::NaiveDate;
use reformwatch_core::catalogue::Catalogue;
use reformwatch_core::facts::{FACT_FIELDS, FactKind};
use reformwatch_core::rules::{CheckResult, Verdict};
use serde::Deserialize;
use serde_json::Value;

use crate::AppState;
use crate::auth::policy::Action;
use crate::db::facts::{FactChange, FactVersion, Justification};
use crate::error::{AppError, AppResult};
use crate::http::Ctx;
use crate::http::extract::{SocietyPath, SocietyYear};
use crate::http::page::{Page, render, see_other};
use crate::i18n::T;
use crate::model::FieldError;
use crate::service;
use crate::service::facts::parse_value;

pub struct FactInput {
    pub name: &'static str,
    pub label: String,
    pub kind: &'static str,
    pub value: String,
    pub hint: String,
    pub error: Option<String>,
    pub options: Vec<(String, String, bool)>,
}

/// Text of a stored value for a form field.
fn value_text(v: &Value) -> String {
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

pub(crate) fn fact_inputs(
    t: &T,
    catalogue: &Catalogue,
    values: &BTreeMap<String, String>,
    errors: &[FieldError],
) -> Vec<FactInput> {
    FACT_FIELDS
        .iter()
        .filter(|f| f.name != "election_year")
        .map(|f| {
            let tasks: Vec<String> = catalogue
                .tasks
                .iter()
                .filter(|task| task.facts.iter().any(|x| x == f.name))
                .map(|task| task.number.to_string())
                .collect();
            let value = values.get(f.name).cloned().unwrap_or_default();
            let chosen: Vec<&str> = value.split(',').map(str::trim).collect();
            FactInput {
                name: f.name,
                label: t.pick(f.label_zh, f.label_en).to_string(),
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
    pub verdict: &'static str,
    pub label: String,
    pub explanation: String,
    pub clause: String,
    pub justification: Option<String>,
    pub can_justify: bool,
    pub open: bool,
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

pub(crate) fn legend(t: &T) -> Vec<(&'static str, String)> {
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

pub(crate) fn cards(
    t: &T,
    catalogue: &Catalogue,
    result: &CheckResult,
    justifications: &BTreeMap<String, Justification>,
    can_justify: bool,
) -> Vec<TaskCard> {
    let mut out: Vec<TaskCard> = Vec::new();
    for v in &result.verdicts {
        let view = VerdictView {
            rule: v.rule.clone(),
            verdict: v.verdict.as_str(),
            label: verdict_label(t, v.verdict),
            explanation: t.pick(&v.explanation_zh, &v.explanation_en).to_string(),
            clause: v.clause.clone(),
            justification: justifications
                .get(&v.rule)
                .map(|j| format!("{}（{}，{}）", j.text, j.entered_by, j.entered_at)),
            can_justify: can_justify && v.verdict == Verdict::Warning,
            open: matches!(v.verdict, Verdict::Fail | Verdict::Warning),
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

pub struct HistoryRow {
    pub label: String,
    pub value: String,
    pub as_of: String,
    pub source: String,
    pub entered_by: String,
    pub entered_at: String,
    pub current: bool,
}

#[derive(Template)]
#[template(path = "facts.html")]
struct FactsPage {
    page: Page,
    code: String,
    name: String,
    year: i32,
    can_edit: bool,
    as_of: String,
    fields: Vec<FactInput>,
    errors: Vec<String>,
    history: Vec<HistoryRow>,
    evidence: Vec<(i64, String, String)>,
}

#[derive(Deserialize, Default)]
pub struct YearQuery {
    #[serde(default)]
    pub year: Option<String>,
    #[serde(default)]
    pub done: Option<String>,
}

fn label_of(t: &T, field: &str) -> String {
    FACT_FIELDS
        .iter()
        .find(|f| f.name == field)
        .map(|f| t.pick(f.label_zh, f.label_en).to_string())
        .unwrap_or_else(|| field.to_string())
}

fn history_rows(
    t: &T,
    versions: &[FactVersion],
    current: &BTreeMap<String, FactVersion>,
) -> Vec<HistoryRow> {
    let mut rows: Vec<HistoryRow> = versions
        .iter()
        .map(|v| HistoryRow {
            label: label_of(t, &v.field),
            value: v
                .value
                .as_ref()
                .map(value_text)
                .unwrap_or_else(|| "—".into()),
            as_of: v.as_of.clone(),
            source: v.source.clone(),
            entered_by: v.entered_by.clone(),
            entered_at: v.entered_at.clone(),
            current: current.get(&v.field).is_some_and(|c| c.id == v.id),
        })
        .collect();
    rows.reverse();
    rows
}

async fn facts_page_with(
    state: &AppState,
    ctx: &Ctx,
    sy: &SocietyYear,
    typed: Option<(BTreeMap<String, String>, String)>,
    errors: Vec<FieldError>,
) -> AppResult<Response> {
    let SocietyYear {
        society,
        catalogue,
        who,
    } = sy;
    let can_edit = who.may(Action::EditSocietyData, Some(society.id));
    let t = ctx.t();
    let (sc, _) = service::facts::verdicts(state, who, society, catalogue).await?;
    let (values, as_of) = match typed {
        Some(v) => v,
        None => (
            sc.current
                .iter()
                .filter_map(|(k, v)| v.value.as_ref().map(|x| (k.clone(), value_text(x))))
                .collect(),
            service::facts::today(state, catalogue).to_string(),
        ),
    };
    let status = if errors.is_empty() {
        http::StatusCode::OK
    } else {
        http::StatusCode::UNPROCESSABLE_ENTITY
    };
    let page = FactsPage {
        page: Page::new(ctx, t.t1("facts-title", "year", &catalogue.year)),
        code: society.code.clone(),
        name: society.name.clone(),
        year: catalogue.year,
        can_edit,
        as_of,
        fields: fact_inputs(&t, catalogue, &values, &errors),
        errors: errors
            .iter()
            .filter(|e| !FACT_FIELDS.iter().any(|f| f.name == e.field))
            .map(|e| t.field(e))
            .collect(),
        history: history_rows(&t, &sc.versions, &sc.current),
        evidence: evidence_list(state, society, catalogue.year, "fact", &t).await?,
    };
    Ok((status, render(&page)).into_response())
}

pub async fn facts_page(
    State(state): State<AppState>,
    ctx: Ctx,
    sy: SocietyYear,
) -> AppResult<Response> {
    facts_page_with(&state, &ctx, &sy, None, vec![]).await
}

/// Evidence of one kind of owner for a society and year, for pages: (id, name, details).
pub(crate) async fn evidence_list(
    state: &AppState,
    society: &crate::db::societies::Society,
    year: i32,
    owner_type: &str,
    t: &T,
) -> AppResult<Vec<(i64, String, String)>> {
    Ok(
        service::evidence::of_society(state, society, year, owner_type)
            .await?
            .into_iter()
            .map(|e| {
                let about = match (&e.field, e.task, e.month) {
                    (Some(f), _, _) => label_of(t, f),
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
                        e.uploaded_at
                    ),
                )
            })
            .collect(),
    )
}

/// Parses a urlencoded form body; repeated keys (document checkboxes) are kept in order.
fn form_pairs(body: &Bytes) -> Vec<(String, String)> {
    url::form_urlencoded::parse(body).into_owned().collect()
}

/// Form values → (typed text per field, changes or field errors).
fn read_fact_form(
    pairs: &[(String, String)],
) -> (
    BTreeMap<String, String>,
    Result<Vec<FactChange>, Vec<FieldError>>,
) {
    let mut typed = BTreeMap::new();
    let docs: Vec<&str> = pairs
        .iter()
        .filter(|(k, _)| k == "documents")
        .map(|(_, v)| v.as_str())
        .collect();
    let docs_present = pairs.iter().any(|(k, _)| k == "documents_present");
    let mut changes = Vec::new();
    let mut errors = Vec::new();
    for f in FACT_FIELDS.iter().filter(|f| f.name != "election_year") {
        let raw = if f.kind == FactKind::Docs {
            if !docs_present {
                continue;
            }
            docs.join(",")
        } else {
            match pairs.iter().find(|(k, _)| k == f.name) {
                Some((_, v)) => v.clone(),
                None => continue,
            }
        };
        typed.insert(f.name.to_string(), raw.clone());
        match parse_value(f.name, &raw) {
            // An empty checkbox set clears the documents.
            Ok(Some(Value::Array(a))) if a.is_empty() => changes.push(FactChange {
                field: f.name.into(),
                value: None,
            }),
            Ok(value) => changes.push(FactChange {
                field: f.name.into(),
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

pub async fn facts_submit(
    State(state): State<AppState>,
    ctx: Ctx,
    sy: SocietyYear,
    body: Bytes,
) -> AppResult<Response> {
    let SocietyYear {
        society,
        catalogue,
        who,
    } = &sy;
    who.require(Action::EditSocietyData, Some(society.id))?;
    let pairs = form_pairs(&body);
    let as_of_raw = pairs
        .iter()
        .find(|(k, _)| k == "as_of")
        .map(|(_, v)| v.trim().to_string())
        .unwrap_or_default();
    let (typed, parsed) = read_fact_form(&pairs);
    let as_of = NaiveDate::parse_from_str(&as_of_raw, "%Y-%m-%d")
        .map_err(|_| FieldError::new("as_of", "err-fact-date").arg("value", &as_of_raw));
    let result = match (parsed, as_of) {
        (Ok(changes), Ok(as_of)) => {
            service::facts::record(&state, who, society, catalogue, as_of, "form", &changes).await
        }
        (Err(mut errors), as_of) => {
            if let Err(e) = as_of {
                errors.push(e);
            }
            Err(AppError::Invalid(errors))
        }
        (Ok(_), Err(e)) => Err(AppError::Invalid(vec![e])),
    };
    match result {
        Ok(_) => Ok(see_other(
            &format!("/societies/{}?year={}", society.code, catalogue.year),
            "saved",
        )),
        Err(AppError::Invalid(errors)) => {
            facts_page_with(&state, &ctx, &sy, Some((typed, as_of_raw)), errors).await
        }
        Err(e) => Err(e),
    }
}

#[derive(Deserialize)]
pub struct JustifyForm {
    #[serde(default)]
    year: String,
    #[serde(default)]
    rule: String,
    #[serde(default)]
    text: String,
}

/// A written justification for a warning; the year comes with the form.
pub async fn justify(
    State(state): State<AppState>,
    SocietyPath { society, who }: SocietyPath,
    axum::Form(form): axum::Form<JustifyForm>,
) -> AppResult<Response> {
    let catalogue = service::catalogues::get(&state, Some(&form.year)).await?;
    service::facts::justify(&state, &who, &society, &catalogue, &form.rule, &form.text).await?;
    Ok(see_other(
        &format!(
            "/societies/{}?year={}#rule-{}",
            society.code, catalogue.year, form.rule
        ),
        "saved",
    ))
}

#[derive(Template)]
#[template(path = "whatif.html")]
struct WhatIfPage {
    page: Page,
    year: i32,
    code: String,
    election: String,
    fields: Vec<FactInput>,
    errors: Vec<String>,
    checked: bool,
    legend: Vec<(&'static str, String)>,
    cards: Vec<TaskCard>,
}

pub async fn whatif_page(
    State(state): State<AppState>,
    ctx: Ctx,
    Query(q): Query<YearQuery>,
) -> AppResult<Response> {
    let catalogue = service::catalogues::get(&state, q.year.as_deref()).await?;
    let t = ctx.t();
    Ok(render(&WhatIfPage {
        page: Page::new(&ctx, t.t("whatif-title")),
        year: catalogue.year,
        code: String::new(),
        election: String::new(),
        fields: fact_inputs(&t, &catalogue, &BTreeMap::new(), &[]),
        errors: vec![],
        checked: false,
        legend: legend(&t),
        cards: vec![],
    }))
}

/// R-RULE-PRE: the same check as the API and CLI; nothing is stored.
pub async fn whatif_submit(
    State(state): State<AppState>,
    ctx: Ctx,
    Query(q): Query<YearQuery>,
    body: Bytes,
) -> AppResult<Response> {
    let catalogue = service::catalogues::get(&state, q.year.as_deref()).await?;
    let t = ctx.t();
    let pairs = form_pairs(&body);
    let (typed, parsed) = read_fact_form(&pairs);
    let election = pairs
        .iter()
        .find(|(k, _)| k == "election_year")
        .map(|(_, v)| v.clone())
        .unwrap_or_default();
    let mut errors: Vec<FieldError> = Vec::new();
    let mut result = None;
    match parsed {
        Err(e) => errors = e,
        Ok(changes) => {
            let mut map = serde_json::Map::new();
            for c in changes {
                if let Some(v) = c.value {
                    map.insert(c.field, v);
                }
            }
            match election.as_str() {
                "true" => {
                    map.insert("election_year".into(), Value::Bool(true));
                }
                "false" => {
                    map.insert("election_year".into(), Value::Bool(false));
                }
                _ => {}
            }
            match service::facts::what_if(&catalogue, &Value::Object(map).to_string()) {
                Ok(r) => result = Some(r),
                Err(mut e) => {
                    if e.field == "body" {
                        e.field = "facts".into();
                    }
                    errors.push(e)
                }
            }
        }
    }
    let status = if errors.is_empty() {
        http::StatusCode::OK
    } else {
        http::StatusCode::UNPROCESSABLE_ENTITY
    };
    let cards_v = result
        .as_ref()
        .map(|r| cards(&t, &catalogue, r, &BTreeMap::new(), false))
        .unwrap_or_default();
    let page = WhatIfPage {
        page: Page::new(&ctx, t.t("whatif-title")),
        year: catalogue.year,
        code: String::new(),
        election,
        fields: fact_inputs(&t, &catalogue, &typed, &errors),
        errors: errors.iter().map(|e| t.field(e)).collect(),
        checked: result.is_some(),
        legend: legend(&t),
        cards: cards_v,
    };
    Ok((status, render(&page)).into_response())
}

//! Society facts (R-SOC-2) and verdicts (R-RULE-*): the facts page with history and form, the
//! verdict cards, written justifications for warnings, and the public what-if check
//! (R-RULE-PRE) that saves nothing.

use std::collections::BTreeMap;
use std::sync::Arc;

use askama::Template;
use axum::body::Bytes;
use axum::extract::{Path, Query, State};
use axum::response::{IntoResponse, Response};
use chrono::NaiveDate;
use reformwatch_core::catalogue::Catalogue;
use reformwatch_core::facts::FactKind;
use reformwatch_core::rules::{CheckResult, Verdict, check};
use serde::Deserialize;
use serde_json::Value;

use super::page::{Page, render, see_other};
use super::{AppState, Ctx};
use crate::auth::policy::Action;
use crate::checks::{parse_value, society_check};
use crate::db::facts::{self, FactChange, FactVersion, Justification};
use crate::error::{AppError, AppResult};
use crate::i18n::T;
use crate::model::{FieldError, text};

/// The catalogue for `?year=`, or the newest loaded one.
pub(crate) async fn catalogue_for(
    state: &AppState,
    year: Option<&str>,
) -> AppResult<Arc<Catalogue>> {
    let year: i32 = match year.map(str::trim).filter(|y| !y.is_empty()) {
        Some(y) => y.parse().map_err(|_| AppError::NotFound)?,
        None => crate::db::catalogues::list(&state.db)
            .await?
            .iter()
            .map(|c| c.year)
            .max()
            .ok_or(AppError::NotFound)?,
    };
    state
        .catalogues
        .get(&state.db, year)
        .await?
        .ok_or(AppError::NotFound)
}

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

fn label_of(t: &T, catalogue: &Catalogue, field: &str) -> String {
    catalogue
        .fact(field)
        .map(|f| t.pick(&f.label_zh, &f.label_en).to_string())
        .unwrap_or_else(|| field.to_string())
}

fn history_rows(
    t: &T,
    catalogue: &Catalogue,
    versions: &[FactVersion],
    current: &BTreeMap<String, FactVersion>,
) -> Vec<HistoryRow> {
    let mut rows: Vec<HistoryRow> = versions
        .iter()
        .map(|v| HistoryRow {
            label: label_of(t, catalogue, &v.field),
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

/// Today in the catalogue's time zone (facts are dated in Beijing time).
fn today(state: &AppState, catalogue: &Catalogue) -> NaiveDate {
    state
        .clock
        .now()
        .with_timezone(&catalogue.timezone)
        .date_naive()
}

async fn facts_page_with(
    state: &AppState,
    ctx: &Ctx,
    code: &str,
    year: Option<&str>,
    typed: Option<(BTreeMap<String, String>, String)>,
    errors: Vec<FieldError>,
) -> AppResult<Response> {
    let society = super::societies::load_readable(state, ctx, code).await?;
    let catalogue = catalogue_for(state, year).await?;
    let can_edit = ctx
        .require(Action::EditSocietyData, Some(society.id))
        .is_ok();
    let t = ctx.t();
    let sc = society_check(&state.db, &society, &catalogue).await?;
    let (values, as_of) = match typed {
        Some(v) => v,
        None => (
            sc.current
                .iter()
                .filter_map(|(k, v)| v.value.as_ref().map(|x| (k.clone(), value_text(x))))
                .collect(),
            today(state, &catalogue).to_string(),
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
        fields: fact_inputs(&t, &catalogue, &values, &errors),
        errors: errors
            .iter()
            .filter(|e| catalogue.fact(&e.field).is_none())
            .map(|e| t.field(e))
            .collect(),
        history: history_rows(&t, &catalogue, &sc.versions, &sc.current),
        evidence: evidence_list(state, &catalogue, society.id, "fact", &t).await?,
    };
    Ok((status, render(&page)).into_response())
}

pub async fn facts_page(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(code): Path<String>,
    Query(q): Query<YearQuery>,
) -> AppResult<Response> {
    facts_page_with(&state, &ctx, &code, q.year.as_deref(), None, vec![]).await
}

/// Evidence of one kind of owner for a society and year, for pages: (id, name, details).
pub(crate) async fn evidence_list(
    state: &AppState,
    catalogue: &Catalogue,
    society_id: i64,
    owner_type: &str,
    t: &T,
) -> AppResult<Vec<(i64, String, String)>> {
    Ok(
        crate::db::evidence::of_society(&state.db, society_id, catalogue.year)
            .await?
            .into_iter()
            .filter(|e| e.owner_type == owner_type)
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

/// Form values → (typed text per field, changes or field errors). A document-set fact is a
/// group of checkboxes named after the fact, with a hidden `{name}_present` marker so that
/// an empty set can be told from a form without the group.
fn read_fact_form(
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

pub async fn facts_submit(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(code): Path<String>,
    Query(q): Query<YearQuery>,
    body: Bytes,
) -> AppResult<Response> {
    let society = super::societies::load_readable(&state, &ctx, &code).await?;
    ctx.require(Action::EditSocietyData, Some(society.id))?;
    let catalogue = catalogue_for(&state, q.year.as_deref()).await?;
    let pairs = form_pairs(&body);
    let as_of_raw = pairs
        .iter()
        .find(|(k, _)| k == "as_of")
        .map(|(_, v)| v.trim().to_string())
        .unwrap_or_default();
    let (typed, parsed) = read_fact_form(&catalogue, &pairs);
    let as_of = NaiveDate::parse_from_str(&as_of_raw, "%Y-%m-%d")
        .map_err(|_| FieldError::new("as_of", "err-fact-date").arg("value", &as_of_raw));
    let result = match (parsed, as_of) {
        (Ok(changes), Ok(as_of)) => {
            facts::record(
                &state.db,
                &ctx.actor(),
                state.clock.now(),
                &society,
                &catalogue,
                as_of,
                "form",
                &changes,
            )
            .await
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
            facts_page_with(
                &state,
                &ctx,
                &code,
                Some(&catalogue.year.to_string()),
                Some((typed, as_of_raw)),
                errors,
            )
            .await
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

pub async fn justify(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(code): Path<String>,
    axum::Form(form): axum::Form<JustifyForm>,
) -> AppResult<Response> {
    let society = super::societies::load_readable(&state, &ctx, &code).await?;
    ctx.require(Action::EditSocietyData, Some(society.id))?;
    let catalogue = catalogue_for(&state, Some(&form.year)).await?;
    if catalogue.rule(&form.rule).is_none() {
        return Err(FieldError::new("rule", "err-rule-unknown")
            .arg("value", &form.rule)
            .into());
    }
    let text = text(&form.text, "text", 2000, true)?;
    facts::justify(
        &state.db,
        &ctx.actor(),
        state.clock.now(),
        &society,
        catalogue.year,
        &form.rule,
        &text,
    )
    .await?;
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
    /// The catalogue's election fact (the form field's name); empty when it has none.
    election_name: String,
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
    let catalogue = catalogue_for(&state, q.year.as_deref()).await?;
    let t = ctx.t();
    Ok(render(&WhatIfPage {
        page: Page::new(&ctx, t.t("whatif-title")),
        year: catalogue.year,
        code: String::new(),
        election_name: catalogue.election_fact.clone().unwrap_or_default(),
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
    let catalogue = catalogue_for(&state, q.year.as_deref()).await?;
    let t = ctx.t();
    let pairs = form_pairs(&body);
    let (typed, parsed) = read_fact_form(&catalogue, &pairs);
    let election_fact = catalogue.election_fact.clone().unwrap_or_default();
    let election = pairs
        .iter()
        .find(|(k, _)| *k == election_fact)
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
            match (election.as_str(), &catalogue.election_fact) {
                ("true", Some(name)) => {
                    map.insert(name.clone(), Value::Bool(true));
                }
                ("false", Some(name)) => {
                    map.insert(name.clone(), Value::Bool(false));
                }
                _ => {}
            }
            match reformwatch_core::facts::parse_facts_json(
                &Value::Object(map).to_string(),
                &catalogue,
            ) {
                Ok(f) => result = Some(check(&catalogue, &f)),
                Err(e) => errors.push(FieldError::localized(
                    e.field.as_deref().unwrap_or("facts"),
                    "err-facts",
                    e.message_zh,
                    e.message_en,
                )),
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
        election_name: election_fact,
        election,
        fields: fact_inputs(&t, &catalogue, &typed, &errors),
        errors: errors.iter().map(|e| t.field(e)).collect(),
        checked: result.is_some(),
        legend: legend(&t),
        cards: cards_v,
    };
    Ok((status, render(&page)).into_response())
}

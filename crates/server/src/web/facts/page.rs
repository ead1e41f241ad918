//! A society's facts (R-SOC-2): current values and full history, the form that records new
//! values (a version each, dated), and written justifications for warnings.

use std::collections::BTreeMap;

use askama::Template;
use axum::body::Bytes;
use axum::extract::{Query, State};
use axum::response::{IntoResponse, Response};
use chrono::NaiveDate;
use reformwatch_core::catalogue::Catalogue;
use serde::Deserialize;

use super::{
    FactInput, evidence_list, fact_inputs, form_pairs, label_of, read_fact_form, value_text,
};
use crate::AppState;
use crate::auth::policy::Action;
use crate::db::facts::FactVersion;
use crate::error::{AppError, AppResult};
use crate::http::Ctx;
use crate::http::extract::{SocietyPath, SocietyYear};
use crate::http::form::FormErrors;
use crate::http::page::{Page, render, see_other};
use crate::i18n::T;
use crate::model::FieldError;
use crate::service;

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
#[template(path = "facts/facts.html")]
struct FactsPage {
    page: Page,
    code: String,
    name: String,
    year: i32,
    can_edit: bool,
    as_of: String,
    fields: Vec<FactInput>,
    errors: FormErrors,
    history: Vec<HistoryRow>,
    evidence: Vec<(i64, String, String)>,
}

fn history_rows(
    t: &T,
    people: &crate::service::people::People,
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
                .map(|x| super::display_value(t, catalogue, x))
                .unwrap_or_else(|| "—".into()),
            as_of: v.as_of.clone(),
            // Seeded demonstration facts say so wherever their source is shown (issue 10).
            source: if v.source == "demo" {
                t.t("fact-source-demo")
            } else {
                // "form" → 表单录入 (issue 10: no stored codes on a page).
                let key = format!("forms-source-{}", v.source);
                let label = t.t(&key);
                if label == key {
                    v.source.clone()
                } else {
                    label
                }
            },
            entered_by: crate::web::people::actor_text(t, people, &v.entered_by),
            entered_at: crate::present::beijing_text(&v.entered_at),
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
    // A fact's message sits at its input (`f-NAME`), the date's at `as_of`.
    let form_errors = FormErrors::mapped(&t, &errors, |field| {
        if field == "as_of" || field == crate::http::form::EVIDENCE_FILE {
            Some(field.to_string())
        } else {
            catalogue.fact(field).map(|_| format!("f-{field}"))
        }
    });
    let status = form_errors.status();
    let page = FactsPage {
        page: Page::new(ctx, t.t1("facts-title", "year", &catalogue.year)),
        code: society.code.clone(),
        name: society.name.clone(),
        year: catalogue.year,
        can_edit,
        as_of,
        fields: fact_inputs(&t, catalogue, &values, &errors),
        errors: form_errors,
        history: history_rows(
            &t,
            &crate::service::people::people(state, who).await?,
            catalogue,
            &sc.versions,
            &sc.current,
        ),
        evidence: evidence_list(state, society, catalogue, "fact", &t).await?,
    };
    Ok((status, render(&page)).into_response())
}

pub async fn facts_page(
    State(state): State<AppState>,
    ctx: Ctx,
    sy: SocietyYear,
    Query(refused): Query<crate::http::form::Refused>,
) -> AppResult<Response> {
    facts_page_with(&state, &ctx, &sy, None, refused.errors()).await
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
    let (typed, parsed) = read_fact_form(catalogue, &pairs);
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
/// A society's justification of a warning; a refused one (no text) shows the society page again
/// with the message at the rule's text.
pub async fn justify(
    State(state): State<AppState>,
    ctx: Ctx,
    SocietyPath { society, who }: SocietyPath,
    axum::Form(form): axum::Form<JustifyForm>,
) -> AppResult<Response> {
    let catalogue = service::catalogues::get(&state, Some(&form.year)).await?;
    match service::facts::justify(&state, &who, &society, &catalogue, &form.rule, &form.text).await
    {
        Ok(_) => {}
        Err(AppError::Invalid(errors)) if catalogue.rule(&form.rule).is_some() => {
            let typed = super::JudgeTyped {
                rule: form.rule,
                verdict: String::new(),
                reason: form.text,
                errors,
            };
            let sy = SocietyYear {
                society,
                catalogue,
                who,
            };
            return crate::web::societies::show::show_with(
                &state,
                &ctx,
                sy,
                None,
                Some(typed),
                None,
            )
            .await;
        }
        Err(e) => return Err(e),
    }
    Ok(see_other(
        &format!(
            "/societies/{}?year={}#rule-{}",
            society.code, catalogue.year, form.rule
        ),
        "saved",
    ))
}

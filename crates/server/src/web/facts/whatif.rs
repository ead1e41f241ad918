//! The public what-if check (R-RULE-PRE): facts typed into the form, verdicts shown; nothing
//! is stored. The same check as the API and `reformwatch rules check`.

use std::collections::BTreeMap;

use askama::Template;
use axum::body::Bytes;
use axum::extract::{Query, State};
use axum::response::{IntoResponse, Response};
use serde_json::Value;

use super::{
    FactInput, TaskCard, YearQuery, cards, fact_inputs, form_pairs, legend, read_fact_form,
};
use crate::AppState;
use crate::error::AppResult;
use crate::http::Ctx;
use crate::http::form::FormErrors;
use crate::http::page::{Page, render};
use crate::model::FieldError;
use crate::service;

#[derive(Template)]
#[template(path = "facts/whatif.html")]
struct WhatIfPage {
    page: Page,
    year: i32,
    code: String,
    /// The catalogue's election fact (the form field's name); empty when it has none.
    election_name: String,
    election: String,
    fields: Vec<FactInput>,
    errors: FormErrors,
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
        election_name: catalogue.election_fact.clone().unwrap_or_default(),
        election: String::new(),
        fields: fact_inputs(&t, &catalogue, &BTreeMap::new(), &[]),
        errors: FormErrors::none(),
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
    // A fact's message sits at its input (`f-NAME`); the check as a whole in the summary.
    let form_errors = FormErrors::mapped(&t, &errors, |field| {
        catalogue.fact(field).map(|_| format!("f-{field}"))
    });
    let status = form_errors.status();
    let cards_v = result
        .as_ref()
        .map(|r| {
            cards(
                &t,
                &catalogue,
                r,
                &BTreeMap::new(),
                false,
                &Default::default(),
            )
        })
        .unwrap_or_default();
    let page = WhatIfPage {
        page: Page::new(&ctx, t.t("whatif-title")),
        year: catalogue.year,
        code: String::new(),
        election_name: election_fact,
        election,
        fields: fact_inputs(&t, &catalogue, &typed, &errors),
        errors: form_errors,
        checked: result.is_some(),
        legend: legend(&t),
        cards: cards_v,
    };
    Ok((status, render(&page)).into_response())
}

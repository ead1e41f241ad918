//! Year to year (issue 13): the administrator's page that starts a new year from the previous
//! one, lists the started years, and downloads each year's draft catalogue.

use askama::Template;
use axum::extract::{Path, Query, State};
use axum::response::{IntoResponse, Response};
use serde::Deserialize;

use crate::AppState;
use crate::auth::policy::Action;
use crate::error::{AppError, AppResult};
use crate::http::Ctx;
use crate::http::download::attachment;
use crate::http::page::{Page, render, see_other};
use crate::model::FieldError;
use crate::service;

pub struct StartedRow {
    pub year: i32,
    pub from_year: i32,
    pub started: String,
    pub facts: String,
    pub loaded: bool,
}

#[derive(Template)]
#[template(path = "admin/years.html")]
struct YearsPage {
    page: Page,
    from: String,
    to: String,
    errors: crate::http::form::FormErrors,
    started: Vec<StartedRow>,
}

#[derive(Deserialize, Default)]
pub struct StartForm {
    #[serde(default)]
    from: String,
    #[serde(default)]
    to: String,
}

#[derive(Deserialize, Default)]
pub struct DoneQuery {
    #[serde(default)]
    done: Option<String>,
}

async fn page_with(
    state: &AppState,
    ctx: &Ctx,
    typed: Option<&StartForm>,
    errors: &[FieldError],
    done: Option<&str>,
) -> AppResult<Response> {
    let t = ctx.t();
    let who = ctx.principal();
    let loaded: Vec<i32> = service::catalogues::list(state)
        .await?
        .iter()
        .map(|c| c.year)
        .collect();
    let started = service::years::list(state, &who)
        .await?
        .into_iter()
        .map(|s| StartedRow {
            year: s.year,
            from_year: s.from_year,
            started: format!(
                "{}（{}）",
                crate::present::beijing_text(&s.started_at),
                s.started_by
            ),
            facts: match &s.facts_carried_at {
                Some(at) => t.t1(
                    "years-facts-carried",
                    "at",
                    &crate::present::beijing_text(at),
                ),
                None => t.t("years-facts-pending"),
            },
            loaded: loaded.contains(&s.year),
        })
        .collect();
    let (from, to) = match typed {
        Some(f) => (f.from.clone(), f.to.clone()),
        None => {
            let (f, t) = service::years::suggested(loaded.iter().max().copied(), state);
            (f.to_string(), t.to_string())
        }
    };
    let errors = crate::http::form::FormErrors::of(&t, errors, &["from", "to"]);
    let status = errors.status();
    let page = YearsPage {
        page: Page::new(ctx, t.t("years-title")).with_flash(done),
        from,
        to,
        errors,
        started,
    };
    Ok((status, render(&page)).into_response())
}

pub async fn years_page(
    State(state): State<AppState>,
    ctx: Ctx,
    Query(q): Query<DoneQuery>,
) -> AppResult<Response> {
    ctx.require(Action::LoadCatalogue, None)?;
    page_with(&state, &ctx, None, &[], q.done.as_deref()).await
}

pub async fn start(
    State(state): State<AppState>,
    ctx: Ctx,
    axum::Form(form): axum::Form<StartForm>,
) -> AppResult<Response> {
    ctx.require(Action::LoadCatalogue, None)?;
    match service::years::start(&state, &ctx.principal(), &form.from, &form.to).await {
        Ok(_) => Ok(see_other("/admin/years", "saved")),
        Err(AppError::Invalid(errors)) => page_with(&state, &ctx, Some(&form), &errors, None).await,
        Err(e) => Err(e),
    }
}

/// The draft catalogue of a started year, as a file to edit.
pub async fn draft(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(year): Path<String>,
) -> AppResult<Response> {
    let (year, source) = service::years::draft(&state, &ctx.principal(), &year).await?;
    Ok(attachment(
        "text/plain; charset=utf-8",
        &format!("catalogue-{year}-draft.toml"),
        source.into_bytes(),
    ))
}

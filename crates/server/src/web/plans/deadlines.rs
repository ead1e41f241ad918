//! Plan deadlines per year (R-PLAN-1): administrators change a year's deadline (local time and
//! IANA zone).

use askama::Template;
use axum::Form;
use axum::extract::State;
use axum::response::{IntoResponse, Response};
use serde::Deserialize;

use crate::AppState;
use crate::auth::policy::Action;
use crate::db::plans::Deadline;
use crate::error::{AppError, AppResult};
use crate::http::Ctx;
use crate::http::form::FormErrors;
use crate::http::page::{Page, render, see_other};
use crate::service;

#[derive(Template)]
#[template(path = "plans/deadlines.html")]
struct DeadlinesPage {
    page: Page,
    deadlines: Vec<DeadlineRow>,
    errors: FormErrors,
    f_year: String,
    f_local: String,
    f_tz: String,
}

/// A deadline as people read it (issue 10): Beijing time to the minute, the zone it was set
/// in with its local time when that zone is not Beijing's, and who set it by name.
pub struct DeadlineRow {
    year: i32,
    beijing: String,
    zone: String,
    set_by: String,
}

async fn rows(state: &AppState, ctx: &Ctx, deadlines: &[Deadline]) -> AppResult<Vec<DeadlineRow>> {
    let t = ctx.t();
    let people = service::people::people(state, &ctx.principal()).await?;
    Ok(deadlines
        .iter()
        .map(|d| DeadlineRow {
            year: d.year,
            beijing: crate::present::beijing_text(&d.utc),
            zone: if d.timezone == "Asia/Shanghai" {
                d.timezone.clone()
            } else {
                // `YYYY-MM-DDTHH:MM:SS` local → `YYYY-MM-DD HH:MM`.
                let local: String = d
                    .local_time
                    .replacen('T', " ", 1)
                    .chars()
                    .take(16)
                    .collect();
                format!("{}（{local}）", d.timezone)
            },
            set_by: if d.set_by == "catalogue" {
                t.t("deadline-set-by-catalogue")
            } else {
                crate::web::people::actor_text(&t, &people, &d.set_by)
            },
        })
        .collect())
}

pub async fn deadlines_page(State(state): State<AppState>, ctx: Ctx) -> AppResult<Response> {
    ctx.require(Action::LoadCatalogue, None)?;
    let t = ctx.t();
    let deadlines = service::plans::deadlines(&state).await?;
    let (f_local, f_tz) = deadlines
        .last()
        .map(|d| (d.local_time.clone(), d.timezone.clone()))
        .unwrap_or_default();
    Ok(render(&DeadlinesPage {
        page: Page::new(&ctx, t.t("deadlines-title")),
        deadlines: rows(&state, &ctx, &deadlines).await?,
        errors: FormErrors::none(),
        f_year: String::new(),
        f_local,
        f_tz,
    }))
}

#[derive(Deserialize)]
pub struct DeadlineForm {
    #[serde(default)]
    year: String,
    #[serde(default)]
    local_time: String,
    #[serde(default)]
    timezone: String,
}

pub async fn deadlines_submit(
    State(state): State<AppState>,
    ctx: Ctx,
    Form(f): Form<DeadlineForm>,
) -> AppResult<Response> {
    ctx.require(Action::LoadCatalogue, None)?;
    let t = ctx.t();
    let catalogue = crate::service::catalogues::get(&state, Some(&f.year)).await?;
    match service::plans::set_deadline(
        &state,
        &ctx.principal(),
        &catalogue,
        &f.local_time,
        &f.timezone,
    )
    .await
    {
        Ok(_) => Ok(see_other("/admin/deadlines", "saved")),
        Err(AppError::Invalid(errors)) => {
            let page = DeadlinesPage {
                page: Page::new(&ctx, t.t("deadlines-title")),
                deadlines: rows(&state, &ctx, &service::plans::deadlines(&state).await?).await?,
                errors: FormErrors::of(&t, &errors, &["year", "local_time", "timezone"]),
                f_year: f.year,
                f_local: f.local_time,
                f_tz: f.timezone,
            };
            Ok((http::StatusCode::UNPROCESSABLE_ENTITY, render(&page)).into_response())
        }
        Err(e) => Err(e),
    }
}

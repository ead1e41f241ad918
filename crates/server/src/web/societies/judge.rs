//! A reviewer's judgement of a qualitative norm (issue 13, the `judged` rule kind), recorded
//! from the society page: `pass` or `warning` with a required written reason. A refused form is
//! shown again on the society page at its rule, with what was typed.

use axum::extract::State;
use axum::response::Response;
use serde::Deserialize;

use super::show::show_with;
use crate::AppState;
use crate::error::{AppError, AppResult};
use crate::http::Ctx;
use crate::http::extract::{SocietyPath, SocietyYear};
use crate::http::page::see_other;
use crate::service;
use crate::web::facts::JudgeTyped;

#[derive(Deserialize)]
pub struct JudgeForm {
    #[serde(default)]
    year: String,
    #[serde(default)]
    rule: String,
    #[serde(default)]
    verdict: String,
    #[serde(default)]
    reason: String,
}

pub async fn judge(
    State(state): State<AppState>,
    ctx: Ctx,
    SocietyPath { society, who }: SocietyPath,
    axum::Form(form): axum::Form<JudgeForm>,
) -> AppResult<Response> {
    let catalogue = service::catalogues::get(&state, Some(&form.year)).await?;
    let result = service::judgements::judge(
        &state,
        &who,
        &society,
        &catalogue,
        &form.rule,
        &form.verdict,
        &form.reason,
    )
    .await;
    match result {
        Ok(()) => Ok(see_other(
            &format!(
                "/societies/{}?year={}#rule-{}",
                society.code, catalogue.year, form.rule
            ),
            "saved",
        )),
        Err(AppError::Invalid(errors)) if catalogue.rule(&form.rule).is_some() => {
            let typed = JudgeTyped {
                rule: form.rule,
                verdict: form.verdict,
                reason: form.reason,
                errors,
            };
            let sy = SocietyYear {
                society,
                catalogue,
                who,
            };
            show_with(&state, &ctx, sy, None, Some(typed), None).await
        }
        Err(e) => Err(e),
    }
}

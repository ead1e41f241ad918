//! A society's page: its record, the rule verdicts for a year with justifications, its facts,
//! its people, and — for its own people — the next steps.

use askama::Template;
use axum::extract::{Query, State};
use axum::response::{IntoResponse, Response};

use super::{Row, row};
use crate::AppState;
use crate::auth::policy::Action;
use crate::db::societies::Society;
use crate::error::AppResult;
use crate::http::Ctx;
use crate::http::extract::SocietyYear;
use crate::http::page::{Page, render, role_label};
use crate::i18n::T;
use crate::service;
use crate::service::societies::NextStep;

#[derive(Template)]
#[template(path = "societies/show.html")]
struct ShowPage {
    page: Page,
    s: Row,
    code: String,
    elections: Vec<(i32, bool)>,
    can_manage: bool,
    can_edit: bool,
    people: Vec<(String, String)>,
    year: i32,
    /// Every year with a catalogue, for the year switch (issue 13).
    years: Vec<i32>,
    election_this_year: String,
    legend: Vec<(&'static str, String)>,
    cards: Vec<crate::web::facts::TaskCard>,
    facts: Vec<(String, String, String)>,
    summary: Vec<(&'static str, String, usize)>,
    plan_state: Option<String>,
    has_rectification: bool,
    can_request: bool,
    /// What the society should do next (for its own, occasional users): (text, link, button).
    next_steps: Vec<(String, String, String)>,
    /// A refused judgement: its messages, linked to the rule's inputs.
    errors: crate::http::form::FormErrors,
    /// The rectification request's reason and the election form's year as typed.
    rect_reason: String,
    election_year_typed: String,
}

/// The next steps as (text, link, button).
fn next_steps(
    t: &T,
    society: &Society,
    year: i32,
    steps: &[NextStep],
) -> Vec<(String, String, String)> {
    let plan_link = format!("/societies/{}/plans/{year}", society.code);
    steps
        .iter()
        .map(|step| match step {
            NextStep::Rectification => (
                t.t("next-rectification"),
                format!("{plan_link}?kind=rectification"),
                t.t("next-open"),
            ),
            NextStep::StartPlan => (
                t.t("next-plan-start"),
                plan_link.clone(),
                t.t("plan-start-new"),
            ),
            NextStep::FinishPlan => (t.t("next-plan-draft"), plan_link.clone(), t.t("next-open")),
            NextStep::ReviseReturnedPlan => (
                t.t("next-plan-returned"),
                plan_link.clone(),
                t.t("next-open"),
            ),
            NextStep::AwaitReview => (
                t.t("next-plan-waiting"),
                plan_link.clone(),
                t.t("next-view"),
            ),
            NextStep::Report { month, overdue } => (
                t.t(if *overdue {
                    "next-report-overdue"
                } else {
                    "next-report"
                })
                .replace("{month}", &month.to_string()),
                format!(
                    "/societies/{}/reports/{}/{}",
                    society.code, month.year, month.month
                ),
                t.t("next-open"),
            ),
        })
        .collect()
}

pub async fn show(
    State(state): State<AppState>,
    ctx: Ctx,
    sy: SocietyYear,
    Query(q): Query<crate::web::facts::YearQuery>,
) -> AppResult<Response> {
    show_with(&state, &ctx, sy, q.done.as_deref(), None, None).await
}

/// A refused form of the society page other than a judgement (the rectification request, the
/// election flag): its errors by input id and what was typed.
pub struct PageRefusal {
    pub errors: Vec<(String, String)>,
    pub typed: std::collections::HashMap<String, String>,
}

/// The society page; with `typed`, a refused judgement form shown again at its rule with its
/// messages and what was typed (422).
pub async fn show_with(
    state: &AppState,
    ctx: &Ctx,
    SocietyYear {
        society,
        catalogue,
        who,
    }: SocietyYear,
    done: Option<&str>,
    typed: Option<crate::web::facts::JudgeTyped>,
    refusal: Option<PageRefusal>,
) -> AppResult<Response> {
    let (sc, justifications) = service::facts::verdicts(state, &who, &society, &catalogue).await?;
    let profile = service::societies::profile(state, &who, &society, &catalogue).await?;
    let can_edit = who.may(Action::EditSocietyData, Some(society.id));
    let can_manage = who.may(Action::ManageSocieties, None);
    let t = ctx.t();
    let people = profile
        .people
        .iter()
        .map(|u| (u.display_name.clone(), role_label(&t, u.role)))
        .collect();
    // Who wrote a justification, by name, and when, in Beijing time (issue 10).
    let names = service::people::people(state, &who).await?;
    let justifications = justifications
        .into_iter()
        .map(|(rule, j)| {
            let j = crate::db::facts::Justification {
                entered_by: crate::web::people::actor_text(&t, &names, &j.entered_by),
                entered_at: crate::present::beijing_text(&j.entered_at),
                ..j
            };
            (rule, j)
        })
        .collect();
    let cards = crate::web::facts::cards(
        &t,
        &catalogue,
        &sc.result,
        &justifications,
        can_edit,
        &crate::web::facts::JudgeView {
            judgements: Some(&sc.judgements),
            can_judge: who.may(Action::ListAllSocieties, None),
            typed: typed.as_ref(),
        },
    );
    let summary = reformwatch_core::rules::Verdict::ALL
        .iter()
        .map(|v| {
            (
                v.as_str(),
                crate::web::facts::verdict_label(&t, *v),
                sc.result
                    .verdicts
                    .iter()
                    .filter(|x| x.verdict == *v)
                    .count(),
            )
        })
        .collect();
    let facts = sc
        .current
        .values()
        .filter_map(|v| {
            let value = v.value.as_ref()?;
            let label = catalogue
                .fact(&v.field)
                .map(|f| t.pick(&f.label_zh, &f.label_en).to_string())
                .unwrap_or_else(|| v.field.clone());
            let text = match value {
                serde_json::Value::String(s) => s.clone(),
                serde_json::Value::Bool(b) => t.t(if *b { "yes" } else { "no" }),
                serde_json::Value::Array(items) => items
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
                other => other.to_string(),
            };
            Some((label, text, v.as_of.clone()))
        })
        .collect();
    // A refused judgement's messages at its rule's inputs (`verdict-RULE`, `reason-RULE`).
    let mut errors = match &typed {
        Some(ty) => crate::http::form::FormErrors::mapped(&t, &ty.errors, |field| {
            matches!(field, "verdict" | "reason" | "text").then(|| format!("{field}-{}", ty.rule))
        }),
        None => crate::http::form::FormErrors::none(),
    };
    let refused_typed = refusal
        .as_ref()
        .map(|r| r.typed.clone())
        .unwrap_or_default();
    for (id, message) in refusal.map(|r| r.errors).unwrap_or_default() {
        errors.push(&id, message);
    }
    let status = if !errors.is_empty() {
        http::StatusCode::UNPROCESSABLE_ENTITY
    } else {
        http::StatusCode::OK
    };
    let html = render(&ShowPage {
        page: Page::new(ctx, society.name.clone()).with_flash(done),
        elections: profile.elections,
        code: society.code.clone(),
        s: row(&t, &society),
        can_manage,
        can_edit,
        people,
        year: catalogue.year,
        years: service::catalogues::list(state)
            .await?
            .iter()
            .map(|c| c.year)
            .collect(),
        election_this_year: match sc.election_year {
            Some(true) => t.t("election-yes"),
            Some(false) => t.t("election-no"),
            None => t.t("election-unknown"),
        },
        legend: crate::web::facts::legend(&t),
        cards,
        facts,
        summary,
        plan_state: profile
            .plan_state
            .map(|p| t.pick(p.label_zh(), p.label_en()).to_string()),
        has_rectification: profile.has_rectification,
        next_steps: next_steps(&t, &society, catalogue.year, &profile.next_steps),
        can_request: !profile.has_rectification
            && ctx.user.as_ref().is_some_and(|u| {
                matches!(
                    u.role,
                    crate::model::Role::Admin | crate::model::Role::Reviewer
                )
            }),
        rect_reason: refused_typed.get("reason").cloned().unwrap_or_default(),
        election_year_typed: refused_typed
            .get("year")
            .cloned()
            .unwrap_or_else(|| catalogue.year.to_string()),
        errors,
    });
    Ok((status, html).into_response())
}

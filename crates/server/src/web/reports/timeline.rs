//! A society's year of monthly reports (R-TRACK-1..3): every expected month with its state,
//! due instant, versions and lock, the society's colour and reporting rate now, and each task's
//! colour with its reasons.

use askama::Template;
use axum::extract::State;
use axum::response::Response;
use reformwatch_core::tracking as core;

use super::{colour_label, due_text, month_label, report_state_label};
use crate::AppState;
use crate::error::AppResult;
use crate::http::Ctx;
use crate::http::extract::SocietyYear;
use crate::http::page::{Page, render};
use crate::service::progress::month_state;
use crate::service::reports::{self as service, Timeline};

pub struct MonthRow {
    pub year: i32,
    pub month: u32,
    pub label: String,
    pub due: String,
    pub state: String,
    pub state_label: String,
    pub late: bool,
    pub version: String,
    pub submitted: String,
    pub locked: bool,
}

#[derive(Template)]
#[template(path = "reports/timeline.html")]
struct TimelinePage {
    page: Page,
    code: String,
    society_name: String,
    colour: &'static str,
    colour_label: String,
    rate_text: String,
    reasons: Vec<String>,
    has_plan: bool,
    months: Vec<MonthRow>,
    tasks: Vec<(String, &'static str, String, String)>,
}

/// A society's year at a glance: every expected month, received or missing, and colours now.
pub async fn timeline(
    State(state): State<AppState>,
    ctx: Ctx,
    SocietyYear {
        society, catalogue, ..
    }: SocietyYear,
) -> AppResult<Response> {
    let t = ctx.t();
    let now = state.clock.now();
    let Timeline {
        colours,
        reports,
        locked,
        rate,
        has_plan,
    } = service::timeline(&state, &society, &catalogue).await?;
    let months = core::expected_months(&catalogue)
        .into_iter()
        .map(|m| {
            let r = reports.iter().find(|r| r.month == m.month);
            let (state_key, arrival) = month_state(
                &catalogue,
                m,
                r.map(|r| (r.state, r.first_submitted_at.as_deref())),
                now,
            );
            MonthRow {
                year: m.year,
                month: m.month,
                label: month_label(&t, m),
                due: due_text(&t, &catalogue, m),
                state_label: report_state_label(&t, state_key),
                state: state_key.to_string(),
                late: arrival.is_late(),
                version: r
                    .and_then(|r| r.latest_version)
                    .map(|v| format!("v{v}"))
                    .unwrap_or_default(),
                submitted: r
                    .and_then(|r| r.first_submitted_at.as_deref())
                    .map(crate::present::beijing_text)
                    .unwrap_or_default(),
                locked: locked.contains(&m.month),
            }
        })
        .collect();
    let tasks = colours
        .tasks
        .iter()
        .map(|tc| {
            let title = catalogue
                .task(tc.task)
                .map(|x| format!("{}. {}", tc.task, t.pick(&x.title_zh, &x.title_en)))
                .unwrap_or_default();
            (
                title,
                tc.colour.as_str(),
                colour_label(&t, tc.colour),
                crate::present::sentences(
                    tc.reasons
                        .iter()
                        .map(|r| t.pick(&r.message_zh, &r.message_en).to_string()),
                ),
            )
        })
        .collect();
    Ok(render(&TimelinePage {
        page: Page::new(
            &ctx,
            format!(
                "{} · {}",
                society.name,
                t.t1("reports-title", "year", &catalogue.year)
            ),
        ),
        code: society.code.clone(),
        society_name: society.name.clone(),
        colour: colours.colour.as_str(),
        colour_label: colour_label(&t, colours.colour),
        rate_text: t
            .t("rate-summary")
            .replace("{received}", &rate.received.to_string())
            .replace("{expected}", &rate.expected.to_string())
            .replace("{on_time}", &rate.on_time.to_string()),
        reasons: colours
            .reasons
            .iter()
            .map(|r| t.pick(&r.message_zh, &r.message_en).to_string())
            .collect(),
        has_plan,
        months,
        tasks,
    }))
}

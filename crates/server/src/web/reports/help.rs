//! The colour rules (R-TRACK-3) as the catalogue sets them, for everyone.

use askama::Template;
use axum::extract::State;
use axum::response::Response;
use reformwatch_core::tracking::Colour;

use super::colour_label;
use crate::AppState;
use crate::error::AppResult;
use crate::http::Ctx;
use crate::http::page::{Page, render};

#[derive(Template)]
#[template(path = "reports/help_colours.html")]
struct HelpPage {
    page: Page,
    red: String,
    yellow: String,
    green: String,
    grey: String,
    rule_red_missing: String,
    rule_yellow_soon: String,
    due_rule: String,
    rectification_rule: String,
}

/// The colour rules as the catalogue sets them (R-TRACK-3), for everyone.
pub async fn help(State(state): State<AppState>, ctx: Ctx) -> AppResult<Response> {
    let t = ctx.t();
    let catalogue = crate::service::catalogues::get(&state, None).await?;
    let tr = &catalogue.tracking;
    Ok(render(&HelpPage {
        page: Page::new(&ctx, t.t("colour-help")),
        red: colour_label(&t, Colour::Red),
        yellow: colour_label(&t, Colour::Yellow),
        green: colour_label(&t, Colour::Green),
        grey: colour_label(&t, Colour::Grey),
        rule_red_missing: t.t1("colour-rule-red-missing", "n", &tr.red_missing_reports),
        rule_yellow_soon: t.t1("colour-rule-yellow-soon", "days", &tr.yellow_within_days),
        due_rule: t
            .t("colour-rule-due")
            .replace("{day}", &catalogue.report_due_day.to_string())
            .replace("{first}", &tr.first_month.to_string())
            .replace("{last}", &tr.last_month.to_string()),
        rectification_rule: t.t1("colour-rule-rectification", "months", &tr.red_task_months),
    }))
}

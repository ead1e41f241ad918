//! Reporting rates (R-TRACK-2): expected, received and on-time reports per month and per
//! society, with totals; administrators lock months here.

use askama::Template;
use axum::extract::{Query, State};
use axum::response::{IntoResponse, Response};
use reformwatch_core::tracking as core;

use super::{groups, month_label};
use crate::AppState;
use crate::auth::policy::Action;
use crate::error::AppResult;
use crate::http::Ctx;
use crate::http::form::FormErrors;
use crate::http::page::{Page, render};
use crate::service;
use crate::service::rates::YearQuery;

#[derive(Template)]
#[template(path = "reports/rates.html")]
struct RatesPage {
    page: Page,
    year: i32,
    months: Vec<(String, u32, u32, u32, String, String, u32)>,
    total: (u32, u32, u32, String, String),
    societies: Vec<(String, String, u32, u32, u32, String)>,
    groups: Vec<(String, String)>,
    f_group: String,
    can_lock: bool,
    all_months: Vec<(u32, String, bool)>,
    /// A refused lock or exception: messages at `lock-month`, `exception-month`,
    /// `exception-society`; what was typed.
    errors: FormErrors,
    typed_month: String,
    typed_society: String,
}

/// What a refused month-lock or exception form brings back to the rates page.
#[derive(Default)]
pub struct LockRefusal {
    pub errors: FormErrors,
    pub month: String,
    pub society: String,
}

/// R-TRACK-2: expected, received and on-time reports per month and per society, with totals.
pub async fn rates(
    State(state): State<AppState>,
    ctx: Ctx,
    Query(q): Query<YearQuery>,
) -> AppResult<Response> {
    rates_with(&state, &ctx, &q, LockRefusal::default()).await
}

/// The rates page; after a refused lock or exception, with the messages at their fields (422).
pub async fn rates_with(
    state: &AppState,
    ctx: &Ctx,
    q: &YearQuery,
    refusal: LockRefusal,
) -> AppResult<Response> {
    let state = state.clone();
    let t = ctx.t();
    let who = ctx.principal();
    let catalogue = service::catalogues::get(&state, q.year.as_deref()).await?;
    let r = service::rates::rates(&state, &who, &catalogue, q.group.as_deref()).await?;
    let locked = service::reports::locked_months(&state, catalogue.year).await?;
    let status = refusal.errors.status();
    let html = render(&RatesPage {
        page: Page::new(ctx, t.t1("rates-title", "year", &catalogue.year)),
        year: catalogue.year,
        months: r
            .months
            .iter()
            .map(|(m, cell)| {
                (
                    month_label(&t, *m),
                    cell.expected,
                    cell.received,
                    cell.on_time,
                    crate::present::percent(u64::from(cell.received), u64::from(cell.expected)),
                    crate::present::percent(u64::from(cell.on_time), u64::from(cell.expected)),
                    cell.received_permille().map(|p| (p / 50) * 5).unwrap_or(0),
                )
            })
            .collect(),
        total: (
            r.total.expected,
            r.total.received,
            r.total.on_time,
            crate::present::percent(u64::from(r.total.received), u64::from(r.total.expected)),
            crate::present::percent(u64::from(r.total.on_time), u64::from(r.total.expected)),
        ),
        societies: r
            .societies
            .iter()
            .map(|(s, cell)| {
                (
                    s.code.clone(),
                    s.name.clone(),
                    cell.expected,
                    cell.received,
                    cell.on_time,
                    crate::present::percent(u64::from(cell.received), u64::from(cell.expected)),
                )
            })
            .collect(),
        groups: groups(&t),
        f_group: q.group.clone().unwrap_or_default(),
        can_lock: who.may(Action::ManageSocieties, None),
        all_months: core::expected_months(&catalogue)
            .into_iter()
            .map(|m| (m.month, month_label(&t, m), locked.contains(&m.month)))
            .collect(),
        errors: refusal.errors,
        typed_month: refusal.month,
        typed_society: refusal.society,
    });
    Ok((status, html).into_response())
}

//! Reporting rates (R-TRACK-2): expected, received and on-time reports per month and per
//! society, with totals.

use chrono::{DateTime, Utc};
use reformwatch_core::catalogue::Catalogue;
use reformwatch_core::tracking::{self as core, Month};
use serde::Deserialize;

use crate::AppState;
use crate::db::parse_ts;
use crate::db::reports as store;
use crate::db::societies::{self, Society, SocietyFilter};
use crate::error::AppResult;
use crate::service::reports as service;

#[derive(Deserialize, Default)]
pub struct YearQuery {
    #[serde(default)]
    pub year: Option<String>,
    /// Discipline group letter: rates for that set of societies.
    #[serde(default)]
    pub group: Option<String>,
}

/// Reporting rates of a year (R-TRACK-2): per month, per society (with an accepted plan), total.
pub struct Rates {
    pub months: Vec<(Month, core::RateCell)>,
    pub societies: Vec<(Society, core::RateCell)>,
    pub total: core::RateCell,
}

pub async fn rates_data(
    state: &AppState,
    catalogue: &Catalogue,
    group: Option<&str>,
) -> AppResult<Rates> {
    let now = state.clock.now();
    let all = societies::list(
        &state.db,
        &SocietyFilter {
            group: group.map(str::to_string).filter(|g| !g.is_empty()),
            ..Default::default()
        },
    )
    .await?;
    let reports = store::of_year(&state.db, catalogue.year).await?;
    let mut with_plan = Vec::new();
    for s in all {
        if service::accepted_plan(state, s.id, catalogue.year)
            .await?
            .is_some()
        {
            with_plan.push(s);
        }
    }
    let firsts = |sid: i64| -> Vec<(Month, DateTime<Utc>)> {
        reports
            .iter()
            .filter(|r| r.society_id == sid)
            .filter_map(|r| {
                Some((
                    Month::new(r.year, r.month)?,
                    r.first_submitted_at.as_deref().and_then(parse_ts)?,
                ))
            })
            .collect()
    };
    let mut total = core::RateCell::default();
    let mut months = Vec::new();
    for m in core::expected_months(catalogue) {
        let subs: Vec<DateTime<Utc>> = with_plan
            .iter()
            .flat_map(|s| firsts(s.id))
            .filter(|(mm, _)| *mm == m)
            .map(|(_, at)| at)
            .collect();
        let cell = core::month_rate(catalogue, m, with_plan.len() as u32, &subs, now);
        total = total.add(cell);
        months.push((m, cell));
    }
    let societies = with_plan
        .into_iter()
        .map(|s| {
            let cell = core::society_rate(catalogue, &firsts(s.id), now);
            (s, cell)
        })
        .collect();
    Ok(Rates {
        months,
        societies,
        total,
    })
}

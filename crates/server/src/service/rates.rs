//! Reporting rates (R-TRACK-2): expected, received and on-time reports per month and per
//! society (those with an accepted plan), with totals. A fixed number of queries; the rates
//! are computed by the domain core (`tracking::year_rates`).

use std::collections::HashMap;

use reformwatch_core::catalogue::Catalogue;
use reformwatch_core::tracking::{self as core, Month, RateCell};
use serde::Deserialize;

use crate::AppState;
use crate::auth::policy::Action;
use crate::db::societies::{self, Society, SocietyFilter};
use crate::db::{parse_ts, plans, reports};
use crate::error::AppResult;
use crate::principal::Principal;

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
    pub months: Vec<(Month, RateCell)>,
    pub societies: Vec<(Society, RateCell)>,
    pub total: RateCell,
}

/// The rates of a year at the clock's now, for a discipline group or all societies.
pub async fn rates(
    state: &AppState,
    who: &Principal,
    catalogue: &Catalogue,
    group: Option<&str>,
) -> AppResult<Rates> {
    who.require(Action::ListAllSocieties, None)?;
    let now = state.clock.now();
    let accepted = plans::accepted_societies(&state.db, catalogue.year).await?;
    let with_plan: Vec<Society> = societies::list(
        &state.db,
        &SocietyFilter {
            group: group.map(str::to_string).filter(|g| !g.is_empty()),
            ..Default::default()
        },
    )
    .await?
    .into_iter()
    .filter(|s| accepted.contains(&s.id))
    .collect();
    let mut by_society: HashMap<i64, Vec<_>> = HashMap::new();
    for r in reports::summaries_of_year(&state.db, catalogue.year).await? {
        if let Some(at) = r.first_submitted_at.as_deref().and_then(parse_ts) {
            by_society
                .entry(r.society_id)
                .or_default()
                .push((r.month, at));
        }
    }
    let submissions: Vec<Vec<_>> = with_plan
        .iter()
        .map(|s| by_society.remove(&s.id).unwrap_or_default())
        .collect();
    let r = core::year_rates(catalogue, &submissions, now);
    Ok(Rates {
        months: r.months,
        societies: with_plan.into_iter().zip(r.societies).collect(),
        total: r.total,
    })
}

//! CAST's overview of the rule verdicts (R-RULE-*): societies × rules, filterable by discipline
//! group, election year and failing rule.

use reformwatch_core::catalogue::Catalogue;
use reformwatch_core::rules::{RuleVerdict, Verdict, check_with};
use serde::Deserialize;

use crate::AppState;
use crate::auth::policy::Action;
use crate::db::societies::{self, Society, SocietyFilter};
use crate::db::{facts, judgements};
use crate::error::AppResult;
use crate::principal::Principal;

#[derive(Deserialize, Default, Clone)]
pub struct OverviewQuery {
    #[serde(default)]
    pub year: Option<String>,
    #[serde(default)]
    pub group: String,
    #[serde(default)]
    pub election: String,
    #[serde(default)]
    pub failing: String,
}

pub struct SocietyRow {
    pub society: Society,
    pub election: Option<bool>,
    pub verdicts: Vec<RuleVerdict>,
}

/// Every matching society with its verdicts (staff): a fixed number of queries (societies, all
/// facts of the year, all election flags of the year, all reviewer judgements of the year),
/// verdicts computed in memory.
pub async fn matrix(
    state: &AppState,
    who: &Principal,
    catalogue: &Catalogue,
    q: &OverviewQuery,
) -> AppResult<Vec<SocietyRow>> {
    who.require(Action::ListAllSocieties, None)?;
    let all = societies::list(
        &state.db,
        &SocietyFilter {
            group: Some(q.group.clone()).filter(|g| !g.is_empty()),
            ..Default::default()
        },
    )
    .await?;
    let versions = facts::all_versions(&state.db, catalogue.year).await?;
    let elections = societies::election_flags_of_year(&state.db, catalogue.year).await?;
    let judged = judgements::latest_of_year(&state.db, catalogue.year).await?;
    let none = Default::default();
    let mut out = Vec::new();
    for s in all {
        let election = elections.get(&s.id).copied();
        match q.election.as_str() {
            "true" if election != Some(true) => continue,
            "false" if election != Some(false) => continue,
            "unknown" if election.is_some() => continue,
            _ => {}
        }
        let cur = facts::current(versions.get(&s.id).map(Vec::as_slice).unwrap_or(&[]));
        let f = facts::stored_facts(&s.code, &cur, election, catalogue)?;
        let j = judgements::to_core(s.id, catalogue.year, judged.get(&s.id).unwrap_or(&none))?;
        let verdicts = check_with(catalogue, &f, &j).verdicts;
        if !q.failing.is_empty()
            && !verdicts.iter().any(|v| {
                v.rule == q.failing && matches!(v.verdict, Verdict::Fail | Verdict::Warning)
            })
        {
            continue;
        }
        out.push(SocietyRow {
            society: s,
            election,
            verdicts,
        });
    }
    Ok(out)
}

//! Year-end assessment (考核, R-ASSESS-1, R-ASSESS-2, R-ASSESS-3): task acceptance, the
//! indicator tree and its scores, outcomes, rankings and exact subsidies.
//!
//! Pure domain code (DESIGN "Layers"): no I/O, no clock, no floating point — scores are
//! integer hundredths ([`Score`]) and money whole yuan ([`Yuan`]). The policy (indicators,
//! weights, thresholds, peer groups, the objection window, the subsidy mode) is the
//! catalogue's `[assessment]` section ([`AssessmentRules`]); `docs/ASSESSMENT.md` documents
//! the format, every formula, the rounding, the outcome rules and the subsidy procedure.
//!
//! - [`score`]: [`Score`], [`Yuan`], [`Rounding`].
//! - [`config`]: the `[assessment]` section and its loader.
//! - [`acceptance`]: the proposed final status of each planned task (验收).
//! - [`scoring`]: one society's score card, every number explained.
//! - [`outcome`]: criticised / completed / commended, with the clauses quoted.
//! - [`rank`](mod@rank): overall and peer-group rankings.
//! - [`subsidy`]: pool and tier allocation, and the JSON request of `subsidy allocate`.
//! - [`year`]: the whole year in one call ([`assess_year`]).

use serde::Serialize;

pub mod acceptance;
pub mod config;
pub mod outcome;
pub mod rank;
pub mod score;
pub mod scoring;
pub mod subsidy;
pub mod year;

#[cfg(test)]
mod tests;

/// A sentence in both languages (reasons, explanations, notes).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, serde::Deserialize)]
pub struct Note {
    pub zh: String,
    pub en: String,
}

pub use acceptance::{
    AcceptanceInput, AcceptanceStatus, Decision, Proposal, check_decision, final_status, propose,
    propose_plan,
};
pub use config::{
    Adjustment, AdjustmentKind, Aggregation, AssessmentRules, AutoSource, Indicator, Leaf,
    OutcomeRules, PeerGroupKind, RankingRules, TaskScope, WeightsSource,
};
pub use outcome::{Outcome, OutcomeKind, OutcomeReason, decide};
pub use rank::{GroupRanking, RankEntry, rank};
pub use score::{Rounding, Score, ScoreError, Yuan};
pub use scoring::{
    AdjustmentEntry, InputError, LeafBasis, LeafEntry, LeafScore, PlanResult, RuleResult,
    ScoreCard, SocietyYear, TaskResult, aggregate, days_late, score_society,
};
pub use subsidy::{
    Allocation, Basis, Recipient, Share, SubsidyError, SubsidyRequest, SubsidyRules, TieRule, Tier,
    allocate, allocate_json, parse_request,
};
pub use year::{
    AssessError, GroupRank, SocietyAssessment, SubsidyOutcome, YearAssessment, assess_year,
};

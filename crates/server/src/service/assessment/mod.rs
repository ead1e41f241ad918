//! The year-end assessment's inputs and provisional results (issue 12 part 1, R-ASSESS-1..3):
//! every society's [`SocietyYear`] built from the database IN BULK — a fixed number of
//! statements whatever the number of societies — and fed to the pure core
//! ([`reformwatch_core::assess::assess_year`]).
//!
//! What goes in, per society (docs/ASSESSMENT.md):
//! - **plan**: `None` when no reform plan was ever submitted; otherwise its lateness (started
//!   days after the plan deadline, as marked at the first submission) and, when a version is accepted,
//!   each task's final acceptance: the reviewer's latest decision, else the core's proposal
//!   (`propose_plan` from the accepted plan, the last monthly report received, the rule
//!   verdicts and the evidence files on file per task). A submitted plan never accepted has no
//!   tasks (so every required task counts as missing);
//! - **verdicts**: the rule engine on the year's facts with the reviewers' judgements;
//! - **reports**: the reporting rate at `now` (expected / received / on time; nothing expected
//!   without an accepted plan);
//! - **leaves**: self-scores, and reviewer scores of reviewers who have SUBMITTED (drafts never
//!   count);
//! - **adjustments** in force (deductions and bonuses with their reasons).

use std::collections::BTreeMap;
use std::sync::Arc;

use chrono::{DateTime, Utc};
use reformwatch_core::assess::{
    AdjustmentEntry, AssessError, LeafEntry, PlanResult, Proposal, RuleResult, SocietyYear,
    YearAssessment, assess_year, days_late, final_status, propose_plan,
};
use reformwatch_core::catalogue::Catalogue;
use reformwatch_core::rules::check_with;
use reformwatch_core::tracking::{Month, RateCell, society_rate};

use crate::AppState;
use crate::db::assessment::{self as store, StoredDecision};
use crate::db::plans::{self, PlanKind};
use crate::db::societies::{self, Society, SocietyFilter};
use crate::db::{evidence, facts, judgements, parse_ts, reports};
use crate::error::{AppError, AppResult};
use crate::model::FieldError;

/// One society's assessment inputs, with what the acceptance page shows beside them.
pub struct SocietyInputs {
    pub society: Society,
    /// The core's input (what [`assess_year`] reads).
    pub input: SocietyYear,
    /// The system's proposal for each task of the accepted plan, in plan order.
    pub proposals: Vec<Proposal>,
    /// The latest reviewer decision per task.
    pub decisions: BTreeMap<u32, StoredDecision>,
    /// Whether a reform plan version is accepted.
    pub plan_accepted: bool,
}

/// Loads every active society's inputs for the catalogue's year as seen at `now`: a fixed
/// number of statements (societies, plans, accepted versions, received reports, facts,
/// election flags, judgements, evidence, decisions, self-scores, submitted
/// scores, adjustments), whatever the number of societies. `only` keeps one society's inputs
/// (the statements are the same).
pub async fn load_inputs(
    state: &AppState,
    catalogue: &Catalogue,
    now: DateTime<Utc>,
    only: Option<&Society>,
) -> AppResult<Vec<SocietyInputs>> {
    let year = catalogue.year;
    let one = only.map(|s| s.id);
    let all = match only {
        Some(s) => vec![s.clone()],
        None => societies::list(&state.db, &SocietyFilter::default()).await?,
    };
    let plan_rows: BTreeMap<i64, plans::Plan> = plans::list(&state.db, year, PlanKind::Reform)
        .await?
        .into_iter()
        .map(|p| (p.society_id, p))
        .collect();
    let accepted = plans::accepted_of_year(&state.db, year, one).await?;
    let mut received: BTreeMap<i64, Vec<reports::Received>> = BTreeMap::new();
    for r in reports::received_of_year(&state.db, year, one).await? {
        received.entry(r.society_id).or_default().push(r);
    }
    let versions = match only {
        Some(s) => {
            let mut m = BTreeMap::new();
            m.insert(s.id, facts::versions(&state.db, s.id, year).await?);
            m
        }
        None => facts::all_versions(&state.db, year).await?,
    };
    let elections = societies::election_flags_of_year(&state.db, year).await?;
    let judged = judgements::latest_of_year(&state.db, year).await?;
    let mut evidence_counts: BTreeMap<i64, BTreeMap<u32, u32>> = BTreeMap::new();
    for e in evidence::of_year(&state.db, year).await? {
        if let Some(task) = e.task {
            *evidence_counts
                .entry(e.society_id)
                .or_default()
                .entry(task)
                .or_default() += 1;
        }
    }
    let mut decisions = store::decisions_of_year(&state.db, year, one).await?;
    let mut self_scores = store::self_scores_of_year(&state.db, year, one).await?;
    let mut submitted = store::submitted_scores_of_year(&state.db, year, one).await?;
    let mut adjustments = store::adjustments_of_year(&state.db, year, one).await?;

    let no_judgements = BTreeMap::new();
    let no_evidence = BTreeMap::new();
    let mut out = Vec::with_capacity(all.len());
    for s in all {
        let election = elections.get(&s.id).copied();
        let current = facts::current(versions.get(&s.id).map(Vec::as_slice).unwrap_or(&[]));
        let members = current
            .get("members_now")
            .and_then(|v| v.value.as_ref())
            .and_then(serde_json::Value::as_i64);
        let society_facts = facts::stored_facts(&s.code, &current, election, catalogue)?;
        let j = judgements::to_core(s.id, year, judged.get(&s.id).unwrap_or(&no_judgements))?;
        let verdicts = check_with(catalogue, &society_facts, &j).verdicts;

        let mine = received.remove(&s.id).unwrap_or_default();
        let society_decisions = decisions.remove(&s.id).unwrap_or_default();
        let plan_row = plan_rows.get(&s.id);
        // Submitted at least once; its lateness as marked at the first submission.
        let submitted_plan = plan_row.filter(|p| p.first_submitted_at.is_some());
        let accepted_plan = accepted.get(&s.id).map(|(c, _)| c);
        let proposals = match accepted_plan {
            Some(plan) => propose_plan(
                catalogue,
                plan,
                mine.last().map(|r| &r.content),
                &verdicts,
                evidence_counts.get(&s.id).unwrap_or(&no_evidence),
            ),
            None => Vec::new(),
        };
        let plan = submitted_plan.map(|p| PlanResult {
            days_late: days_late(p.first_late_seconds),
            tasks: proposals
                .iter()
                .map(|p| {
                    let decided = society_decisions.get(&p.task).map(|d| {
                        reformwatch_core::assess::Decision {
                            status: d.status,
                            comment: d.comment.clone(),
                        }
                    });
                    p.result(final_status(p, decided.as_ref()))
                })
                .collect(),
        });
        let reports = if accepted_plan.is_some() {
            let firsts = mine
                .iter()
                .map(|r| match parse_ts(&r.first_submitted_at) {
                    Some(at) => Ok((r.month, at)),
                    None => Err(AppError::Internal(anyhow::anyhow!(
                        "stored submission time {} unreadable",
                        r.first_submitted_at
                    ))),
                })
                .collect::<AppResult<Vec<(Month, DateTime<Utc>)>>>()?;
            society_rate(catalogue, &firsts, now)
        } else {
            RateCell::default()
        };
        let mut leaves: BTreeMap<String, LeafEntry> = BTreeMap::new();
        for (indicator, e) in self_scores.remove(&s.id).unwrap_or_default() {
            leaves
                .entry(indicator.clone())
                .or_insert_with(|| LeafEntry {
                    indicator,
                    self_score: None,
                    reviewer_scores: Vec::new(),
                })
                .self_score = Some(e.score);
        }
        for (indicator, scores) in submitted.remove(&s.id).unwrap_or_default() {
            leaves
                .entry(indicator.clone())
                .or_insert_with(|| LeafEntry {
                    indicator,
                    self_score: None,
                    reviewer_scores: Vec::new(),
                })
                .reviewer_scores = scores;
        }
        let input = SocietyYear {
            code: s.code.clone(),
            discipline_group: s.discipline_group.clone(),
            members,
            election_year: election.unwrap_or(false),
            plan,
            verdicts: verdicts
                .iter()
                .map(|v| RuleResult {
                    rule: v.rule.clone(),
                    verdict: v.verdict,
                })
                .collect(),
            reports,
            leaves: leaves.into_values().collect(),
            adjustments: adjustments
                .remove(&s.id)
                .unwrap_or_default()
                .into_iter()
                .map(|a| AdjustmentEntry {
                    id: a.adjustment,
                    points: a.points,
                    reason: a.reason,
                })
                .collect(),
        };
        out.push(SocietyInputs {
            society: s,
            input,
            proposals,
            decisions: society_decisions,
            plan_accepted: accepted_plan.is_some(),
        });
    }
    Ok(out)
}

/// Every active society's [`SocietyYear`] for `year`, at the server's clock, loaded in bulk.
pub async fn load_year(state: &AppState, year: i32) -> AppResult<Vec<SocietyYear>> {
    let catalogue = crate::service::catalogues::of_year(state, year).await?;
    Ok(load_inputs(state, &catalogue, state.clock.now(), None)
        .await?
        .into_iter()
        .map(|s| s.input)
        .collect())
}

/// The core's refusal as an error at a field (`year` without an `[assessment]` section; the
/// society and field of an input the core cannot score).
pub fn assess_error(e: AssessError) -> AppError {
    match e {
        AssessError::NoRules { year } => AppError::from(FieldError::localized(
            "year",
            "err-assessment",
            format!("{year} 年的任务清单没有考核指标（[assessment]）。"),
            format!("The {year} catalogue has no assessment section ([assessment])."),
        )),
        AssessError::Input(i) => AppError::from(FieldError::localized(
            "society",
            "err-assessment",
            format!("{}：{}：{}", i.society, i.field, i.message_zh),
            format!("{}: {}: {}", i.society, i.field, i.message_en),
        )),
    }
}

/// The year's provisional assessment: [`load_year`] + the core's [`assess_year`].
pub async fn assess(state: &AppState, year: i32) -> AppResult<YearAssessment> {
    let catalogue = crate::service::catalogues::of_year(state, year).await?;
    assess_with(state, &catalogue).await
}

/// [`assess`] for a catalogue already at hand.
pub async fn assess_with(
    state: &AppState,
    catalogue: &Arc<Catalogue>,
) -> AppResult<YearAssessment> {
    let inputs: Vec<SocietyYear> = load_inputs(state, catalogue, state.clock.now(), None)
        .await?
        .into_iter()
        .map(|s| s.input)
        .collect();
    assess_year(catalogue, &inputs).map_err(assess_error)
}
pub mod flows;

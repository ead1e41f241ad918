//! A whole year's assessment (R-ASSESS-1..3) in one pure call: scores, outcomes, rankings and
//! the subsidy for every society — what the server computes from bulk-loaded data, and what
//! `examples/assess_bench.rs` measures.

use std::collections::{BTreeMap, HashMap};

use serde::Serialize;

use super::config::AssessmentRules;
use super::outcome::{Outcome, OutcomeKind, decide};
use super::rank::{GroupRanking, RankEntry, peer_group, rank};
use super::score::{Score, Yuan};
use super::scoring::{InputError, ScoreCard, Scorer, SocietyYear};
use super::subsidy::{Allocation, Recipient, SubsidyError, allocate};
use crate::catalogue::Catalogue;

/// A society's rank within one of its peer groups.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct GroupRank {
    /// Index into [`YearAssessment::groups`].
    pub group: u32,
    pub rank: u32,
}

/// One society's result.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct SocietyAssessment {
    pub code: String,
    /// `None` without a plan (not scored).
    pub card: Option<ScoreCard>,
    pub outcome: Outcome,
    /// Overall rank among the scored societies.
    pub rank: Option<u32>,
    pub group_ranks: Vec<GroupRank>,
    /// The subsidy, for a commended society when the allocation succeeded.
    pub subsidy: Option<Yuan>,
}

impl SocietyAssessment {
    pub fn score(&self) -> Option<Score> {
        self.card.as_ref().map(|c| c.total)
    }
}

/// The subsidy of the year: allocated, or refused with the reason (the outcomes stand).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "status", rename_all = "snake_case")]
pub enum SubsidyOutcome {
    Allocated(Allocation),
    Refused(SubsidyError),
}

/// The whole year (R-ASSESS-1..3).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct YearAssessment {
    pub year: i32,
    /// In input order.
    pub societies: Vec<SocietyAssessment>,
    pub overall: Vec<RankEntry>,
    /// Per configured peer-group kind, groups in order (discipline groups by key, bands
    /// ascending, unknown last).
    pub groups: Vec<GroupRanking>,
    pub subsidy: SubsidyOutcome,
    pub criticised: u32,
    pub completed: u32,
    pub commended: u32,
    /// Expert leaves still without any reviewer score, over all societies (the results are
    /// provisional while above 0).
    pub missing_reviewer_scores: u32,
}

/// One peer group being collected.
struct Group {
    key: String,
    label_zh: String,
    label_en: String,
    items: Vec<(String, Score)>,
}

/// Why a year cannot be assessed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, thiserror::Error)]
#[serde(tag = "code", rename_all = "snake_case")]
pub enum AssessError {
    #[error("the {year} catalogue has no [assessment] section")]
    NoRules { year: i32 },
    #[error(transparent)]
    Input(#[from] InputError),
}

/// Assess a year: every society scored (when it has a plan), its outcome decided, ranked
/// overall and in its peer groups, and the subsidy allocated among the commended societies
/// under the catalogue's mode (R-ASSESS-1, R-ASSESS-2, R-ASSESS-3). Pure and deterministic.
pub fn assess_year(
    catalogue: &Catalogue,
    societies: &[SocietyYear],
) -> Result<YearAssessment, AssessError> {
    let rules: &AssessmentRules = catalogue.assessment.as_ref().ok_or(AssessError::NoRules {
        year: catalogue.year,
    })?;
    let mut index: HashMap<&str, usize> = HashMap::with_capacity(societies.len());
    for (i, s) in societies.iter().enumerate() {
        if index.insert(s.code.as_str(), i).is_some() {
            return Err(InputError {
                society: s.code.clone(),
                field: format!("societies[{i}].code"),
                message_zh: format!("学会代码 {} 重复", s.code),
                message_en: format!("society code {} appears twice", s.code),
            }
            .into());
        }
    }

    let scorer = Scorer::new(catalogue, rules);
    let mut out = Vec::with_capacity(societies.len());
    let (mut criticised, mut completed, mut commended, mut missing) = (0u32, 0u32, 0u32, 0u32);
    for s in societies {
        let card = scorer.score(s)?;
        let outcome = decide(catalogue, rules, s, card.as_ref().map(|c| c.total));
        match outcome.kind {
            OutcomeKind::Criticised => criticised += 1,
            OutcomeKind::Completed => completed += 1,
            OutcomeKind::Commended => commended += 1,
        }
        missing += card.as_ref().map_or(0, |c| c.missing_reviewer_scores);
        out.push(SocietyAssessment {
            code: s.code.clone(),
            card,
            outcome,
            rank: None,
            group_ranks: Vec::new(),
            subsidy: None,
        });
    }

    // Rankings.
    let overall = rank(
        out.iter()
            .filter_map(|a| Some((a.code.clone(), a.score()?)))
            .collect(),
    );
    for e in &overall {
        if let Some(&i) = index.get(e.code.as_str()) {
            out[i].rank = Some(e.rank);
        }
    }
    let mut groups = Vec::new();
    for &kind in &rules.ranking.peer_groups {
        let mut by_group: BTreeMap<(usize, String), Group> = BTreeMap::new();
        for (s, a) in societies.iter().zip(&out) {
            let Some(score) = a.score() else { continue };
            let (key, label_zh, label_en, sort) =
                peer_group(rules, kind, &s.discipline_group, s.members);
            by_group
                .entry(sort)
                .or_insert_with(|| Group {
                    key,
                    label_zh,
                    label_en,
                    items: Vec::new(),
                })
                .items
                .push((s.code.clone(), score));
        }
        for Group {
            key,
            label_zh,
            label_en,
            items,
        } in by_group.into_values()
        {
            let entries = rank(items);
            let group = u32::try_from(groups.len()).unwrap_or(u32::MAX);
            for e in &entries {
                if let Some(&i) = index.get(e.code.as_str()) {
                    out[i].group_ranks.push(GroupRank {
                        group,
                        rank: e.rank,
                    });
                }
            }
            groups.push(GroupRanking {
                kind,
                key,
                label_zh,
                label_en,
                entries,
            });
        }
    }

    // Subsidy among the commended, in ranking order.
    let recipients: Vec<Recipient> = overall
        .iter()
        .filter(|e| {
            index
                .get(e.code.as_str())
                .is_some_and(|&i| out[i].outcome.kind == OutcomeKind::Commended)
        })
        .map(|e| Recipient {
            code: e.code.clone(),
            score: e.score,
        })
        .collect();
    let subsidy = match allocate(&rules.subsidy, &recipients) {
        Ok(a) => {
            for sh in &a.shares {
                if let Some(&i) = index.get(sh.code.as_str()) {
                    out[i].subsidy = Some(sh.yuan);
                }
            }
            SubsidyOutcome::Allocated(a)
        }
        Err(e) => SubsidyOutcome::Refused(e),
    };

    Ok(YearAssessment {
        year: catalogue.year,
        societies: out,
        overall,
        groups,
        subsidy,
        criticised,
        completed,
        commended,
        missing_reviewer_scores: missing,
    })
}

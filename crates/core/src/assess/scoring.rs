//! Scoring one society against the indicator tree (R-ASSESS-1): automatic leaves from the
//! year's data, expert leaves from the reviewers' scores (aggregated), deductions and bonuses,
//! self-scores kept beside; every number with its explanation ([`LeafScore::explain`]).

use std::collections::HashMap;
use std::hash::{BuildHasherDefault, Hasher};

use serde::{Deserialize, Serialize};

use super::Note;
use super::acceptance::AcceptanceStatus;
use super::config::{AdjustmentKind, Aggregation, AssessmentRules, AutoSource, Indicator, Leaf};
use super::score::{Rounding, Score, round_div, share_of};
use crate::catalogue::{Catalogue, TaskClass};
use crate::rules::Verdict;
use crate::tracking::RateCell;

// ---------------------------------------------------------------------------------------------
// Input: one society's year, as the server loads it in bulk
// ---------------------------------------------------------------------------------------------

/// One planned task's final acceptance, with the counts of its proposal.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TaskResult {
    pub number: u32,
    /// The reviewer's decision, or the proposal when there is none.
    pub status: AcceptanceStatus,
    #[serde(default)]
    pub targets: u32,
    #[serde(default)]
    pub targets_met: u32,
    #[serde(default)]
    pub milestones: u32,
    #[serde(default)]
    pub milestones_reached: u32,
}

/// The society's assessed plan: how late it came and its tasks' final acceptance.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PlanResult {
    /// Started days after the plan deadline (0: on time); see [`days_late`].
    #[serde(default)]
    pub days_late: u32,
    pub tasks: Vec<TaskResult>,
}

/// A rule's verdict at year end.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RuleResult {
    pub rule: String,
    pub verdict: Verdict,
}

/// Scores entered for one leaf: the society's self-score and the submitted reviewer scores
/// (expert leaves only). Reviewer identities and comments stay with the server.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LeafEntry {
    pub indicator: String,
    #[serde(default)]
    pub self_score: Option<Score>,
    #[serde(default)]
    pub reviewer_scores: Vec<Score>,
}

/// A deduction or bonus given to a society, with its reason.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AdjustmentEntry {
    /// An adjustment id of the catalogue.
    pub id: String,
    /// Points (positive; a deduction is subtracted).
    pub points: Score,
    pub reason: String,
}

/// Everything the assessment needs about one society's year (R-ASSESS-1, R-ASSESS-2).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SocietyYear {
    pub code: String,
    /// Peer group (the registry's discipline group, e.g. "A" or "理科").
    pub discipline_group: String,
    /// Individual members (for the membership band), if known.
    #[serde(default)]
    pub members: Option<i64>,
    pub election_year: bool,
    /// `None`: no plan submitted.
    pub plan: Option<PlanResult>,
    #[serde(default)]
    pub verdicts: Vec<RuleResult>,
    #[serde(default)]
    pub reports: RateCell,
    #[serde(default)]
    pub leaves: Vec<LeafEntry>,
    #[serde(default)]
    pub adjustments: Vec<AdjustmentEntry>,
}

/// Started days late from a lateness in seconds (`plan::lateness`): 0 on time, 1 for
/// anything up to 24 hours late, and so on.
pub fn days_late(late_seconds: Option<i64>) -> u32 {
    match late_seconds {
        None => 0,
        Some(s) if s <= 0 => 0,
        Some(s) => u32::try_from((s + 86_399) / 86_400).unwrap_or(u32::MAX),
    }
}

/// Input that cannot be scored: which society, which field, why (both languages).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, thiserror::Error)]
#[error("society {society}: {field}: {message_en}")]
pub struct InputError {
    pub society: String,
    pub field: String,
    pub message_zh: String,
    pub message_en: String,
}

fn input_err(s: &SocietyYear, field: String, zh: String, en: String) -> InputError {
    InputError {
        society: s.code.clone(),
        field,
        message_zh: zh,
        message_en: en,
    }
}

// ---------------------------------------------------------------------------------------------
// Output
// ---------------------------------------------------------------------------------------------

/// What a leaf's points were computed from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(tag = "basis", rename_all = "snake_case")]
pub enum LeafBasis {
    /// Nothing to measure for this society: full points.
    NotApplicable,
    Acceptance {
        completed: u32,
        partly: u32,
        not_completed: u32,
        partly_percent: u32,
    },
    Rules {
        pass: u32,
        warning: u32,
        fail: u32,
        insufficient: u32,
        warning_percent: u32,
    },
    /// `part` of `whole` (targets met, milestones reached, reports on time / received).
    Share {
        part: u32,
        whole: u32,
    },
    PlanLateness {
        days_late: u32,
        per_day_late: Score,
    },
    /// Aggregated reviewer scores: `used` of `reviewers` scores summing to `used_sum`; with a
    /// trimmed mean, the lowest and highest left out.
    Expert {
        reviewers: u32,
        used: u32,
        used_sum: Score,
        /// With a trimmed mean: the (lowest, highest) score left out.
        dropped: Option<(Score, Score)>,
    },
    /// An expert leaf no reviewer has scored yet: 0 points for now.
    NoReviewerScore,
}

/// One leaf's points with their basis and the society's self-score beside them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct LeafScore {
    /// Index into [`AssessmentRules::indicators`].
    pub indicator: u32,
    pub points: Score,
    pub basis: LeafBasis,
    pub self_score: Option<Score>,
}

/// A society's scores (R-ASSESS-1): one entry per leaf in tree order, the adjustments and
/// the total; [`ScoreCard::subtotals`] gives every indicator's points.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ScoreCard {
    pub leaves: Vec<LeafScore>,
    pub leaf_total: Score,
    pub bonus: Score,
    pub deduction: Score,
    /// `leaf_total + bonus − deduction`, not below 0.
    pub total: Score,
    /// Sum of the self-scores given (`None` when none is).
    pub self_total: Option<Score>,
    /// Expert leaves without any reviewer score (the total is provisional while above 0).
    pub missing_reviewer_scores: u32,
}

// ---------------------------------------------------------------------------------------------
// Scoring
// ---------------------------------------------------------------------------------------------

/// FNV-1a: a fast hash for the short ids looked up per society (no `HashDoS` concern: the
/// keys are the catalogue's own ids).
#[derive(Default)]
struct Fnv(u64);

impl Hasher for Fnv {
    fn finish(&self) -> u64 {
        self.0
    }

    fn write(&mut self, bytes: &[u8]) {
        let mut h = if self.0 == 0 {
            0xcbf2_9ce4_8422_2325
        } else {
            self.0
        };
        for b in bytes {
            h ^= u64::from(*b);
            h = h.wrapping_mul(0x0100_0000_01b3);
        }
        self.0 = h;
    }
}

type FnvMap<K, V> = HashMap<K, V, BuildHasherDefault<Fnv>>;

/// Scores many societies against one catalogue: the lookup tables are built once
/// ([`Scorer::new`]), then [`Scorer::score`] is called per society. [`score_society`] does
/// both for one society.
pub struct Scorer<'a> {
    catalogue: &'a Catalogue,
    rules: &'a AssessmentRules,
    /// Class of task `n` at `n − 1` (the loader guarantees numbers 1..=N).
    classes: Vec<TaskClass>,
    rule_index: FnvMap<&'a str, usize>,
    rule_count: usize,
    indicator_index: FnvMap<&'a str, usize>,
    /// Per indicator: the rules of a `rule_verdicts` leaf (`None`: an id the catalogue does
    /// not declare, counted as lacking data).
    leaf_rules: Vec<Vec<Option<usize>>>,
    /// Per indicator with a task scope: the indexes of the tasks in scope, and whether the
    /// scope takes in the optional class.
    scopes: Vec<(Vec<usize>, bool)>,
}

/// One society's input, indexed.
struct View<'s> {
    /// Task `n`'s result at `n − 1`.
    tasks: Vec<Option<&'s TaskResult>>,
    /// Verdict by rule index.
    verdicts: Vec<Option<Verdict>>,
    /// Entries by indicator index.
    entries: Vec<Option<&'s LeafEntry>>,
    planned_optional: usize,
}

impl<'a> Scorer<'a> {
    pub fn new(catalogue: &'a Catalogue, rules: &'a AssessmentRules) -> Scorer<'a> {
        let mut rule_index = FnvMap::default();
        for (i, (_, r)) in catalogue.rules().enumerate() {
            rule_index.entry(r.id.as_str()).or_insert(i);
        }
        let indicator_index = rules
            .indicators
            .iter()
            .enumerate()
            .map(|(i, ind)| (ind.id.as_str(), i))
            .collect();
        let leaf_rules = rules
            .indicators
            .iter()
            .map(|ind| match &ind.leaf {
                Some(Leaf::Automatic(AutoSource::RuleVerdicts { rules: ids, .. })) => ids
                    .iter()
                    .map(|id| rule_index.get(id.as_str()).copied())
                    .collect(),
                _ => Vec::new(),
            })
            .collect();
        let scopes = rules
            .indicators
            .iter()
            .map(|ind| match &ind.leaf {
                Some(Leaf::Automatic(
                    AutoSource::TaskAcceptance { scope, .. }
                    | AutoSource::TargetsMet { scope }
                    | AutoSource::MilestonesReached { scope },
                )) => (
                    catalogue
                        .tasks
                        .iter()
                        .enumerate()
                        .filter(|(_, t)| scope.contains(t.number, t.class))
                        .map(|(i, _)| i)
                        .collect(),
                    scope.classes.contains(&TaskClass::Optional)
                        || (scope.tasks.is_empty() && scope.classes.is_empty()),
                ),
                _ => (Vec::new(), false),
            })
            .collect();
        Scorer {
            catalogue,
            rules,
            scopes,
            classes: catalogue.tasks.iter().map(|t| t.class).collect(),
            rule_count: catalogue.rules().count(),
            rule_index,
            indicator_index,
            leaf_rules,
        }
    }

    /// The class of task `n`, if the catalogue has it.
    fn class(&self, n: u32) -> Option<TaskClass> {
        let i = usize::try_from(n).ok()?.checked_sub(1)?;
        let c = *self.classes.get(i)?;
        // Numbers are 1..=N in order (checked on load); a hand-built catalogue is still safe.
        (self.catalogue.tasks[i].number == n).then_some(c)
    }

    /// Check the society's input against the catalogue (unknown or repeated tasks,
    /// indicators and adjustments; counts that contradict each other; scores outside their
    /// range) and index it.
    fn view<'s>(&self, s: &'s SocietyYear) -> Result<View<'s>, InputError> {
        let rules = self.rules;
        let mut tasks: Vec<Option<&TaskResult>> = vec![None; self.classes.len()];
        let mut planned_optional = 0;
        if let Some(plan) = &s.plan {
            for (i, t) in plan.tasks.iter().enumerate() {
                let f = |name: &str| format!("plan.tasks[{i}].{name}");
                let Some(class) = self.class(t.number) else {
                    return Err(input_err(
                        s,
                        f("number"),
                        format!("任务清单中没有任务 {}", t.number),
                        format!("no task {} in the catalogue", t.number),
                    ));
                };
                let slot = &mut tasks[t.number as usize - 1];
                if slot.is_some() {
                    return Err(input_err(
                        s,
                        f("number"),
                        format!("任务 {} 重复", t.number),
                        format!("task {} listed twice", t.number),
                    ));
                }
                *slot = Some(t);
                if class == TaskClass::Optional {
                    planned_optional += 1;
                }
                if t.targets_met > t.targets {
                    return Err(input_err(
                        s,
                        f("targets_met"),
                        format!("达成目标数 {} 多于目标数 {}", t.targets_met, t.targets),
                        format!("{} targets met of only {}", t.targets_met, t.targets),
                    ));
                }
                if t.milestones_reached > t.milestones {
                    return Err(input_err(
                        s,
                        f("milestones_reached"),
                        format!(
                            "完成里程碑数 {} 多于里程碑数 {}",
                            t.milestones_reached, t.milestones
                        ),
                        format!(
                            "{} milestones reached of only {}",
                            t.milestones_reached, t.milestones
                        ),
                    ));
                }
            }
        }
        let r = &s.reports;
        if r.on_time > r.received || r.received > r.expected {
            return Err(input_err(
                s,
                "reports".into(),
                format!(
                    "月报数不一致：应报 {}，已报 {}，按时 {}",
                    r.expected, r.received, r.on_time
                ),
                format!(
                    "report counts contradict each other: expected {}, received {}, on time {}",
                    r.expected, r.received, r.on_time
                ),
            ));
        }
        // Verdicts of rules the catalogue does not declare are ignored; the first verdict of
        // a rule counts.
        let mut verdicts = vec![None; self.rule_count];
        for v in &s.verdicts {
            if let Some(&i) = self.rule_index.get(v.rule.as_str())
                && verdicts[i].is_none()
            {
                verdicts[i] = Some(v.verdict);
            }
        }
        let mut entries: Vec<Option<&LeafEntry>> = vec![None; rules.indicators.len()];
        for (i, e) in s.leaves.iter().enumerate() {
            let f = |name: &str| format!("leaves[{i}].{name}");
            let Some(&ix) = self.indicator_index.get(e.indicator.as_str()) else {
                return Err(input_err(
                    s,
                    f("indicator"),
                    format!("没有考核指标 {}", e.indicator),
                    format!("no indicator {}", e.indicator),
                ));
            };
            let ind = &rules.indicators[ix];
            let Some(leaf) = &ind.leaf else {
                return Err(input_err(
                    s,
                    f("indicator"),
                    format!("指标 {} 有下级指标，不直接评分", e.indicator),
                    format!(
                        "indicator {} has sub-indicators and is not scored itself",
                        e.indicator
                    ),
                ));
            };
            if entries[ix].is_some() {
                return Err(input_err(
                    s,
                    f("indicator"),
                    format!("指标 {} 重复", e.indicator),
                    format!("indicator {} listed twice", e.indicator),
                ));
            }
            entries[ix] = Some(e);
            let in_range = |v: Score| !v.is_negative() && v <= ind.points;
            if let Some(v) = e.self_score
                && !in_range(v)
            {
                return Err(input_err(
                    s,
                    f("self_score"),
                    format!("自评分 {v} 不在 0–{} 分之间", ind.points),
                    format!("self-score {v} is not within 0–{}", ind.points),
                ));
            }
            if !e.reviewer_scores.is_empty() && !matches!(leaf, Leaf::Expert) {
                return Err(input_err(
                    s,
                    f("reviewer_scores"),
                    format!("指标 {} 为自动计分，不由专家评分", e.indicator),
                    format!(
                        "indicator {} is computed automatically, not scored by reviewers",
                        e.indicator
                    ),
                ));
            }
            for (j, v) in e.reviewer_scores.iter().enumerate() {
                if !in_range(*v) {
                    return Err(input_err(
                        s,
                        format!("leaves[{i}].reviewer_scores[{j}]"),
                        format!("评审分 {v} 不在 0–{} 分之间", ind.points),
                        format!("reviewer score {v} is not within 0–{}", ind.points),
                    ));
                }
            }
        }
        for (i, a) in s.adjustments.iter().enumerate() {
            let f = |name: &str| format!("adjustments[{i}].{name}");
            let Some(kind) = rules.adjustment(&a.id) else {
                return Err(input_err(
                    s,
                    f("id"),
                    format!("没有加减分项 {}", a.id),
                    format!("no adjustment {}", a.id),
                ));
            };
            if a.points.is_negative() || a.points == Score::ZERO {
                return Err(input_err(
                    s,
                    f("points"),
                    format!("分值须大于 0，实为 {}", a.points),
                    format!("points must be above 0, got {}", a.points),
                ));
            }
            if a.reason.trim().is_empty() {
                return Err(input_err(
                    s,
                    f("reason"),
                    "须填写理由".into(),
                    "a reason is required".into(),
                ));
            }
            let sum = s
                .adjustments
                .iter()
                .filter(|x| x.id == a.id)
                .try_fold(Score::ZERO, |acc, x| acc.checked_add(x.points))
                .ok_or_else(|| overflow(s, &f("points")))?;
            if sum > kind.max {
                return Err(input_err(
                    s,
                    f("points"),
                    format!("“{}”合计 {sum} 分，超过上限 {} 分", kind.name_zh, kind.max),
                    format!(
                        "“{}” adds up to {sum} points, above its maximum of {}",
                        kind.name_en, kind.max
                    ),
                ));
            }
        }
        Ok(View {
            tasks,
            verdicts,
            entries,
            planned_optional,
        })
    }

    /// Call `f(status, targets, targets_met, milestones, milestones_reached)` for every task
    /// in `scope` for this society: its planned tasks in scope (election-class ones only in
    /// its election year); the tasks it was required to plan but did not; and, when the scope
    /// takes in the optional class, as many optional tasks as it lacks to reach
    /// `min_optional` (R-CAT-2). Tasks it did not plan count as not completed, with nothing
    /// measured. Returns the number of tasks.
    fn scoped(
        &self,
        s: &SocietyYear,
        view: &View<'_>,
        indicator: usize,
        mut f: impl FnMut(AcceptanceStatus, u32, u32, u32, u32),
    ) -> u32 {
        let Some((in_scope, takes_optional)) = self.scopes.get(indicator) else {
            return 0;
        };
        let mut n = 0;
        for &i in in_scope {
            let class = self.classes[i];
            match view.tasks[i] {
                Some(t) if counts(class, s.election_year) => {
                    f(
                        t.status,
                        t.targets,
                        t.targets_met,
                        t.milestones,
                        t.milestones_reached,
                    );
                    n += 1;
                }
                Some(_) => {}
                None if self.catalogue.is_mandatory(class, s.election_year) => {
                    f(AcceptanceStatus::NotCompleted, 0, 0, 0, 0);
                    n += 1;
                }
                None => {}
            }
        }
        if *takes_optional {
            let short =
                (self.catalogue.min_optional as usize).saturating_sub(view.planned_optional);
            for _ in 0..short {
                f(AcceptanceStatus::NotCompleted, 0, 0, 0, 0);
                n += 1;
            }
        }
        n
    }

    /// Score one society (see [`score_society`]).
    pub fn score(&self, s: &SocietyYear) -> Result<Option<ScoreCard>, InputError> {
        let view = self.view(s)?;
        let Some(plan) = &s.plan else {
            return Ok(None);
        };
        let rules = self.rules;
        let rounding = rules.rounding;
        let mut leaves = Vec::with_capacity(rules.indicators.len());
        let mut self_total: Option<Score> = None;
        let mut missing = 0u32;
        for (ix, ind) in rules.indicators.iter().enumerate() {
            let Some(leaf) = &ind.leaf else { continue };
            let entry = view.entries[ix];
            let full = ind.points;
            let ratio = |num: i128, den: i128| -> Result<Score, InputError> {
                share_of(full, num, den, rounding).ok_or_else(|| overflow(s, &ind.id))
            };
            let (points, basis) = match leaf {
                Leaf::Expert => match aggregate(
                    entry.map_or(&[][..], |e| &e.reviewer_scores),
                    rules.aggregation,
                    rounding,
                ) {
                    Some(x) => x,
                    None => {
                        missing += 1;
                        (Score::ZERO, LeafBasis::NoReviewerScore)
                    }
                },
                Leaf::Automatic(src) => match src {
                    AutoSource::TaskAcceptance { partly_percent, .. } => {
                        let (mut c, mut p, mut n) = (0u32, 0u32, 0u32);
                        self.scoped(s, &view, ix, |status, _, _, _, _| match status {
                            AcceptanceStatus::Completed => c += 1,
                            AcceptanceStatus::Partly => p += 1,
                            AcceptanceStatus::NotCompleted => n += 1,
                        });
                        let all = c + p + n;
                        if all == 0 {
                            (full, LeafBasis::NotApplicable)
                        } else {
                            // points × (100·completed + pp·partly) ÷ (100·tasks)
                            let credit =
                                100 * i128::from(c) + i128::from(*partly_percent) * i128::from(p);
                            (
                                ratio(credit, 100 * i128::from(all))?,
                                LeafBasis::Acceptance {
                                    completed: c,
                                    partly: p,
                                    not_completed: n,
                                    partly_percent: *partly_percent,
                                },
                            )
                        }
                    }
                    AutoSource::RuleVerdicts {
                        warning_percent, ..
                    } => {
                        let (mut pass, mut warn, mut fail, mut ins) = (0u32, 0u32, 0u32, 0u32);
                        for r in &self.leaf_rules[ix] {
                            // A rule without a verdict is counted as lacking data.
                            match r.and_then(|r| view.verdicts[r]) {
                                Some(Verdict::Pass) => pass += 1,
                                Some(Verdict::Warning) => warn += 1,
                                Some(Verdict::Fail) => fail += 1,
                                Some(Verdict::Insufficient) | None => ins += 1,
                                Some(Verdict::NotApplicable) => {}
                            }
                        }
                        let all = pass + warn + fail + ins;
                        if all == 0 {
                            (full, LeafBasis::NotApplicable)
                        } else {
                            // points × (100·pass + wp·warning) ÷ (100·applicable)
                            let credit = 100 * i128::from(pass)
                                + i128::from(*warning_percent) * i128::from(warn);
                            (
                                ratio(credit, 100 * i128::from(all))?,
                                LeafBasis::Rules {
                                    pass,
                                    warning: warn,
                                    fail,
                                    insufficient: ins,
                                    warning_percent: *warning_percent,
                                },
                            )
                        }
                    }
                    AutoSource::TargetsMet { .. } | AutoSource::MilestonesReached { .. } => {
                        let targets = matches!(src, AutoSource::TargetsMet { .. });
                        let (mut part, mut whole) = (0u32, 0u32);
                        let tasks = self.scoped(s, &view, ix, |_, t, tm, m, mr| {
                            let (p, w) = if targets { (tm, t) } else { (mr, m) };
                            part = part.saturating_add(p);
                            whole = whole.saturating_add(w);
                        });
                        if tasks == 0 {
                            (full, LeafBasis::NotApplicable)
                        } else if whole == 0 {
                            (Score::ZERO, LeafBasis::Share { part: 0, whole: 0 })
                        } else {
                            (
                                ratio(i128::from(part), i128::from(whole))?,
                                LeafBasis::Share { part, whole },
                            )
                        }
                    }
                    AutoSource::ReportsOnTime | AutoSource::ReportsReceived => {
                        let r = &s.reports;
                        let part = if matches!(src, AutoSource::ReportsOnTime) {
                            r.on_time
                        } else {
                            r.received
                        };
                        if r.expected == 0 {
                            (full, LeafBasis::NotApplicable)
                        } else {
                            (
                                ratio(i128::from(part), i128::from(r.expected))?,
                                LeafBasis::Share {
                                    part,
                                    whole: r.expected,
                                },
                            )
                        }
                    }
                    AutoSource::PlanTimeliness { per_day_late } => {
                        // points − per_day_late × days, not below 0.
                        let lost =
                            i128::from(per_day_late.hundredths()) * i128::from(plan.days_late);
                        let left = (i128::from(full.hundredths()) - lost).max(0);
                        let pts = Score::from_hundredths(i64::try_from(left).unwrap_or(0))
                            .unwrap_or(Score::ZERO);
                        (
                            pts,
                            LeafBasis::PlanLateness {
                                days_late: plan.days_late,
                                per_day_late: *per_day_late,
                            },
                        )
                    }
                },
            };
            let self_score = entry.and_then(|e| e.self_score);
            if let Some(v) = self_score {
                self_total = Some(
                    self_total
                        .unwrap_or(Score::ZERO)
                        .checked_add(v)
                        .ok_or_else(|| overflow(s, "self_score"))?,
                );
            }
            leaves.push(LeafScore {
                indicator: u32::try_from(ix).unwrap_or(u32::MAX),
                points,
                basis,
                self_score,
            });
        }

        let leaf_total = leaves
            .iter()
            .try_fold(Score::ZERO, |acc, l| acc.checked_add(l.points))
            .ok_or_else(|| overflow(s, "total"))?;
        let (mut bonus, mut deduction) = (Score::ZERO, Score::ZERO);
        for a in &s.adjustments {
            let kind = rules.adjustment(&a.id).map(|k| k.kind);
            let slot = if kind == Some(AdjustmentKind::Bonus) {
                &mut bonus
            } else {
                &mut deduction
            };
            *slot = slot
                .checked_add(a.points)
                .ok_or_else(|| overflow(s, "adjustments"))?;
        }
        let total = leaf_total
            .checked_add(bonus)
            .and_then(|t| t.checked_sub(deduction))
            .ok_or_else(|| overflow(s, "total"))?;
        let total = if total.is_negative() {
            Score::ZERO
        } else {
            total
        };
        Ok(Some(ScoreCard {
            leaves,
            leaf_total,
            bonus,
            deduction,
            total,
            self_total,
            missing_reviewer_scores: missing,
        }))
    }
}

/// Whether a planned task of `class` counts for this society: election-class tasks only in
/// its election year (R-CAT-2).
fn counts(class: TaskClass, election_year: bool) -> bool {
    class != TaskClass::Election || election_year
}

fn overflow(s: &SocietyYear, field: &str) -> InputError {
    input_err(
        s,
        field.to_owned(),
        "分数超出范围".into(),
        "score out of range".into(),
    )
}

/// Aggregate reviewer scores (R-ASSESS-1): the mean, or with at least `trim_from` scores the
/// mean without one highest and one lowest; rounded to hundredths by `rounding`.
pub fn aggregate(
    scores: &[Score],
    aggregation: Aggregation,
    rounding: Rounding,
) -> Option<(Score, LeafBasis)> {
    if scores.is_empty() {
        return None;
    }
    let n = scores.len();
    let trim =
        matches!(aggregation, Aggregation::TrimmedMean { trim_from } if n >= trim_from as usize);
    let dropped = if trim {
        Some((*scores.iter().min()?, *scores.iter().max()?))
    } else {
        None
    };
    let total: i128 = scores.iter().map(|s| i128::from(s.hundredths())).sum();
    let used_sum = total
        - dropped.map_or(0, |(lo, hi)| {
            i128::from(lo.hundredths()) + i128::from(hi.hundredths())
        });
    let used = if trim { n - 2 } else { n };
    let mean = round_div(used_sum, used as i128, rounding)?;
    let mean = Score::from_hundredths(i64::try_from(mean).ok()?)?;
    let used_sum = Score::from_hundredths(i64::try_from(used_sum).ok()?)?;
    Some((
        mean,
        LeafBasis::Expert {
            reviewers: u32::try_from(n).ok()?,
            used: u32::try_from(used).ok()?,
            used_sum,
            dropped,
        },
    ))
}

/// Score one society (R-ASSESS-1). `None` when it submitted no plan (it is not scored; its
/// outcome is criticism). Errors name the society and the field of bad input. To score many
/// societies, build one [`Scorer`] and call [`Scorer::score`] for each.
pub fn score_society(
    catalogue: &Catalogue,
    rules: &AssessmentRules,
    s: &SocietyYear,
) -> Result<Option<ScoreCard>, InputError> {
    Scorer::new(catalogue, rules).score(s)
}

// ---------------------------------------------------------------------------------------------
// Explanations
// ---------------------------------------------------------------------------------------------

fn pct(p: u32) -> String {
    format!("{p}%")
}

impl LeafScore {
    /// How this leaf's points were computed, with the numbers, in both languages.
    pub fn explain(&self, rules: &AssessmentRules) -> Note {
        let Some(ind): Option<&Indicator> = rules.indicators.get(self.indicator as usize) else {
            return Note {
                zh: String::new(),
                en: String::new(),
            };
        };
        let full = ind.points;
        let got = self.points;
        let (rz, re) = (rules.rounding.label_zh(), rules.rounding.label_en());
        let src = match &ind.leaf {
            Some(Leaf::Automatic(src)) => Some(src),
            _ => None,
        };
        match self.basis {
            LeafBasis::NotApplicable => Note {
                zh: format!("本项对该学会无可考核内容（不适用），按满分 {full} 分计。"),
                en: format!(
                    "Nothing to assess here for this society (not applicable): full {full} points."
                ),
            },
            LeafBasis::Acceptance {
                completed,
                partly,
                not_completed,
                partly_percent,
            } => {
                let all = completed + partly + not_completed;
                Note {
                    zh: format!(
                        "任务验收：完成 {completed} 项、部分完成 {partly} 项（每项按 {}）、未完成 {not_completed} 项，共 {all} 项；{full} × ({completed} × 100% + {partly} × {}) ÷ {all} = {got} 分（{rz}到 0.01）。",
                        pct(partly_percent),
                        pct(partly_percent)
                    ),
                    en: format!(
                        "Task acceptance: {completed} completed, {partly} partly (each at {}), {not_completed} not completed, {all} in all; {full} × ({completed} × 100% + {partly} × {}) ÷ {all} = {got} ({re} to 0.01).",
                        pct(partly_percent),
                        pct(partly_percent)
                    ),
                }
            }
            LeafBasis::Rules {
                pass,
                warning,
                fail,
                insufficient,
                warning_percent,
            } => {
                let all = pass + warning + fail + insufficient;
                Note {
                    zh: format!(
                        "规则核验：符合 {pass} 项、需说明 {warning} 项（每项按 {}）、不符合 {fail} 项、数据不足 {insufficient} 项，共 {all} 项适用；{full} × ({pass} × 100% + {warning} × {}) ÷ {all} = {got} 分（{rz}到 0.01）。",
                        pct(warning_percent),
                        pct(warning_percent)
                    ),
                    en: format!(
                        "Rule verdicts: {pass} pass, {warning} warning (each at {}), {fail} fail, {insufficient} insufficient data, {all} applicable; {full} × ({pass} × 100% + {warning} × {}) ÷ {all} = {got} ({re} to 0.01).",
                        pct(warning_percent),
                        pct(warning_percent)
                    ),
                }
            }
            LeafBasis::Share { part, whole } => {
                let (what_zh, what_en) = match src {
                    Some(AutoSource::TargetsMet { .. }) => ("目标达成", "Targets met"),
                    Some(AutoSource::MilestonesReached { .. }) => {
                        ("里程碑完成", "Milestones reached")
                    }
                    Some(AutoSource::ReportsOnTime) => ("月报按时报送", "Monthly reports on time"),
                    _ => ("月报报送", "Monthly reports received"),
                };
                if whole == 0 {
                    Note {
                        zh: format!("{what_zh}：方案中没有可计量的项目，得 0 分。"),
                        en: format!("{what_en}: the plan has nothing to count here: 0 points."),
                    }
                } else {
                    Note {
                        zh: format!(
                            "{what_zh} {part}/{whole}：{full} × {part} ÷ {whole} = {got} 分（{rz}到 0.01）。"
                        ),
                        en: format!(
                            "{what_en} {part}/{whole}: {full} × {part} ÷ {whole} = {got} ({re} to 0.01)."
                        ),
                    }
                }
            }
            LeafBasis::PlanLateness {
                days_late,
                per_day_late,
            } => {
                if days_late == 0 {
                    Note {
                        zh: format!("改革方案按时提交，得满分 {full} 分。"),
                        en: format!("The reform plan came on time: full {full} points."),
                    }
                } else {
                    Note {
                        zh: format!(
                            "改革方案迟交 {days_late} 天（不足一天按一天计）：{full} − {per_day_late} × {days_late} = {got} 分（不低于 0）。"
                        ),
                        en: format!(
                            "The reform plan came {days_late} day(s) late (a started day counts): {full} − {per_day_late} × {days_late} = {got} (not below 0)."
                        ),
                    }
                }
            }
            LeafBasis::Expert {
                reviewers,
                used,
                used_sum,
                dropped,
            } => match dropped {
                Some((lo, hi)) => Note {
                    zh: format!(
                        "{reviewers} 位评审专家评分，去掉一个最高分 {hi} 和一个最低分 {lo} 后取 {used} 位的平均：{used_sum} ÷ {used} = {got} 分（{rz}到 0.01）。"
                    ),
                    en: format!(
                        "{reviewers} reviewer scores; without the highest ({hi}) and the lowest ({lo}), the mean of {used}: {used_sum} ÷ {used} = {got} ({re} to 0.01)."
                    ),
                },
                None => Note {
                    zh: format!(
                        "{reviewers} 位评审专家评分的平均：{used_sum} ÷ {used} = {got} 分（{rz}到 0.01）。"
                    ),
                    en: format!(
                        "Mean of {reviewers} reviewer score(s): {used_sum} ÷ {used} = {got} ({re} to 0.01)."
                    ),
                },
            },
            LeafBasis::NoReviewerScore => Note {
                zh: "尚无评审专家评分，暂计 0 分。".into(),
                en: "No reviewer has scored this yet: 0 points for now.".into(),
            },
        }
    }
}

impl ScoreCard {
    /// Points of every indicator, index-aligned with [`AssessmentRules::indicators`]: a
    /// leaf's own, a parent's the sum of its children's.
    pub fn subtotals(&self, rules: &AssessmentRules) -> Vec<Score> {
        let mut out = vec![Score::ZERO; rules.indicators.len()];
        for l in &self.leaves {
            if let Some(slot) = out.get_mut(l.indicator as usize) {
                *slot = l.points;
            }
        }
        // Children come after their parent in file order.
        for ix in (0..rules.indicators.len()).rev() {
            if let Some(p) = rules.indicators[ix].parent {
                out[p] = out[p].checked_add(out[ix]).unwrap_or(Score::MAX);
            }
        }
        out
    }

    /// How the total is made up, in both languages.
    pub fn explain_total(&self) -> Note {
        let raw = self
            .leaf_total
            .checked_add(self.bonus)
            .and_then(|t| t.checked_sub(self.deduction))
            .unwrap_or(self.total);
        let floor_zh = if raw.is_negative() {
            "，不低于 0"
        } else {
            ""
        };
        let floor_en = if raw.is_negative() {
            ", not below 0"
        } else {
            ""
        };
        Note {
            zh: format!(
                "指标得分 {} + 加分 {} − 扣分 {} = {} 分{floor_zh}。",
                self.leaf_total, self.bonus, self.deduction, self.total
            ),
            en: format!(
                "Indicators {} + bonus {} − deduction {} = {}{floor_en}.",
                self.leaf_total, self.bonus, self.deduction, self.total
            ),
        }
    }
}

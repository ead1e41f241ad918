//! The catalogue's `[assessment]` section (R-ASSESS-1, R-ASSESS-2): indicators with points,
//! automatic and expert leaves, deductions and bonuses, aggregation of reviewer scores,
//! rounding, outcome thresholds and clauses, peer groups, the objection window and the subsidy
//! mode. Data, like the rules: another year's file states its own.
//!
//! The loader (`load`) is called by [`crate::catalogue::parse`] with the catalogue's tasks and
//! reports problems as `file:line:column: message`, like the rest of the file. The format is
//! described in `docs/ASSESSMENT.md` and in the comment above the section in
//! `catalogues/2017.toml`.

use std::collections::BTreeSet;
use std::ops::Range;

use serde::{Deserialize, Serialize};
use toml::Spanned;

use super::score::{Rounding, Score, Yuan};
use super::subsidy::{SubsidyRules, TieRule, Tier};
use crate::catalogue::{CatalogueError, Task, TaskClass};

/// Where the weights come from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum WeightsSource {
    /// Set by CAST for the year.
    Official,
    /// This system's default (the notice gives no weights): shown as such on every page.
    SystemDefault,
}

/// The tasks an automatic indicator looks at: the planned tasks that are listed by number or
/// belong to a listed class; both lists empty means every planned task. Election-class tasks
/// count only for a society holding its council election that year (R-CAT-2). Required tasks
/// missing from the plan, and optional tasks missing to reach `min_optional` (when the scope
/// takes in the optional class), count as not completed.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize)]
pub struct TaskScope {
    pub tasks: Vec<u32>,
    pub classes: Vec<TaskClass>,
}

impl TaskScope {
    /// Whether task `number` of `class` is in scope.
    pub fn contains(&self, number: u32, class: TaskClass) -> bool {
        (self.tasks.is_empty() && self.classes.is_empty())
            || self.tasks.contains(&number)
            || self.classes.contains(&class)
    }
}

/// What an automatic leaf is computed from, and how (R-ASSESS-1). Every formula gives
/// `points × part ÷ whole`, rounded to hundredths by the section's `rounding`; a leaf with
/// nothing to measure for a society (no task in scope, no applicable rule, no report
/// expected) is *not applicable* and gets its full points.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "source", rename_all = "snake_case")]
pub enum AutoSource {
    /// Final acceptance of the tasks in scope: completed 100 %, partly `partly_percent` %,
    /// not completed 0 %; `points × Σ credit ÷ (100 × tasks)`.
    TaskAcceptance {
        scope: TaskScope,
        partly_percent: u32,
    },
    /// Verdicts of the listed rules: pass 100 %, warning `warning_percent` %, fail and
    /// insufficient 0 %, not applicable left out; `points × Σ credit ÷ (100 × applicable)`.
    RuleVerdicts {
        rules: Vec<String>,
        warning_percent: u32,
    },
    /// Targets met at year end among the targets of the tasks in scope:
    /// `points × met ÷ targets` (no target at all: 0 points).
    TargetsMet { scope: TaskScope },
    /// Milestones reached among those of the tasks in scope: `points × reached ÷ milestones`
    /// (no milestone at all: 0 points).
    MilestonesReached { scope: TaskScope },
    /// Monthly reports received on time: `points × on_time ÷ expected`.
    ReportsOnTime,
    /// Monthly reports received at all: `points × received ÷ expected`.
    ReportsReceived,
    /// The plan submitted on time: `points − per_day_late × days late` (each started day
    /// counts), not below 0.
    PlanTimeliness { per_day_late: Score },
}

impl AutoSource {
    pub fn name(&self) -> &'static str {
        match self {
            AutoSource::TaskAcceptance { .. } => "task_acceptance",
            AutoSource::RuleVerdicts { .. } => "rule_verdicts",
            AutoSource::TargetsMet { .. } => "targets_met",
            AutoSource::MilestonesReached { .. } => "milestones_reached",
            AutoSource::ReportsOnTime => "reports_on_time",
            AutoSource::ReportsReceived => "reports_received",
            AutoSource::PlanTimeliness { .. } => "plan_timeliness",
        }
    }
}

/// A leaf of the indicator tree.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Leaf {
    /// Computed from the year's data.
    Automatic(AutoSource),
    /// Scored by reviewers within `0..=points`, with a comment (aggregated per
    /// [`Aggregation`]).
    Expert,
}

/// One node of the indicator tree (考核指标), in file order (parents before children).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Indicator {
    /// Dotted number, e.g. `1.1.1.1`; the parent is the id without its last part.
    pub id: String,
    /// Index of the parent in [`AssessmentRules::indicators`].
    pub parent: Option<usize>,
    /// 1 for top-level indicators.
    pub level: u32,
    pub name_zh: String,
    pub name_en: String,
    /// Full points; a parent's points are the sum of its children's.
    pub points: Score,
    /// Scoring guidance shown to reviewers and societies.
    pub guide_zh: Option<String>,
    pub guide_en: Option<String>,
    /// `None` for an inner node.
    pub leaf: Option<Leaf>,
}

/// Deduction or bonus.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum AdjustmentKind {
    /// 扣分.
    Deduction,
    /// 加分.
    Bonus,
}

impl AdjustmentKind {
    pub fn label_zh(self) -> &'static str {
        match self {
            AdjustmentKind::Deduction => "扣分",
            AdjustmentKind::Bonus => "加分",
        }
    }

    pub fn label_en(self) -> &'static str {
        match self {
            AdjustmentKind::Deduction => "deduction",
            AdjustmentKind::Bonus => "bonus",
        }
    }
}

/// A kind of deduction or bonus (扣分 / 加分项) with its bound: the entries of one society
/// under one kind add up to at most `max`, each with a written reason.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Adjustment {
    pub id: String,
    pub kind: AdjustmentKind,
    pub name_zh: String,
    pub name_en: String,
    pub max: Score,
}

/// How the reviewers' scores of one expert leaf become one score (R-ASSESS-1).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(tag = "method", rename_all = "snake_case")]
pub enum Aggregation {
    /// The mean of every reviewer's score.
    Mean,
    /// With at least `trim_from` reviewers, the highest and the lowest score (one each) are
    /// left out; fewer reviewers: the plain mean.
    TrimmedMean { trim_from: u32 },
}

/// Which peer groups rankings are computed within.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum PeerGroupKind {
    /// The society's discipline group (学科群: 理科, 工科, 农科, 医科, 交叉).
    DisciplineGroup,
    /// Bands of individual membership, cut at `membership_bands`.
    MembershipBand,
}

impl PeerGroupKind {
    pub fn as_str(self) -> &'static str {
        match self {
            PeerGroupKind::DisciplineGroup => "discipline_group",
            PeerGroupKind::MembershipBand => "membership_band",
        }
    }

    pub fn label_zh(self) -> &'static str {
        match self {
            PeerGroupKind::DisciplineGroup => "学科群",
            PeerGroupKind::MembershipBand => "会员规模",
        }
    }

    pub fn label_en(self) -> &'static str {
        match self {
            PeerGroupKind::DisciplineGroup => "Discipline group",
            PeerGroupKind::MembershipBand => "Membership band",
        }
    }
}

/// Peer-group ranking (R-ASSESS-3).
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize)]
pub struct RankingRules {
    pub peer_groups: Vec<PeerGroupKind>,
    /// Ascending band edges: `[20000, 100000]` gives `< 20,000`, `20,000–99,999`,
    /// `≥ 100,000` individual members.
    pub membership_bands: Vec<i64>,
}

/// Outcome thresholds and the clauses quoted in the reasons (R-ASSESS-2). `min_optional` and
/// its clause are the catalogue's own.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct OutcomeRules {
    /// 表扬 needs a final score at or above this (and every required task completed).
    pub commend_at: Score,
    /// The notice's words about criticism, e.g. "对不能按照要求完成改革任务的学会将进行通报批评。"
    pub criticised_clause_zh: String,
    /// The notice's words about commendation.
    pub commended_clause_zh: String,
    /// Why a missing plan counts (e.g. the plan deadline clause).
    pub no_plan_clause_zh: String,
    /// Why basic tasks are required.
    pub basic_clause_zh: String,
    /// Why election tasks are required of electing societies.
    pub election_clause_zh: String,
}

/// The whole `[assessment]` section (R-ASSESS-1, R-ASSESS-2, R-ASSESS-3).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct AssessmentRules {
    pub weights_source: WeightsSource,
    /// Said wherever the indicators are shown (e.g. that they are this system's default).
    pub note_zh: Option<String>,
    pub note_en: Option<String>,
    /// Sum of the top-level indicators' points.
    pub total_points: Score,
    /// How means and proportional points are rounded to hundredths.
    pub rounding: Rounding,
    /// The publicity / objection window (公示期) in days; the server computes the Beijing-time
    /// deadline from it.
    pub objection_days: u32,
    pub indicators: Vec<Indicator>,
    pub adjustments: Vec<Adjustment>,
    pub aggregation: Aggregation,
    pub outcomes: OutcomeRules,
    pub ranking: RankingRules,
    pub subsidy: SubsidyRules,
}

impl AssessmentRules {
    /// The indicator with this id, with its index.
    pub fn indicator(&self, id: &str) -> Option<(usize, &Indicator)> {
        self.indicators.iter().enumerate().find(|(_, i)| i.id == id)
    }

    /// Indexes of the leaves, in tree order.
    pub fn leaves(&self) -> impl Iterator<Item = (usize, &Indicator)> {
        self.indicators
            .iter()
            .enumerate()
            .filter(|(_, i)| i.leaf.is_some())
    }

    /// Children of indicator `index`, in file order.
    pub fn children(&self, index: usize) -> impl Iterator<Item = (usize, &Indicator)> {
        self.indicators
            .iter()
            .enumerate()
            .filter(move |(_, i)| i.parent == Some(index))
    }

    /// The adjustment kind with this id.
    pub fn adjustment(&self, id: &str) -> Option<&Adjustment> {
        self.adjustments.iter().find(|a| a.id == id)
    }

    /// The membership band (index into the bands defined by `membership_bands`) of `members`.
    pub fn membership_band(&self, members: i64) -> usize {
        self.ranking
            .membership_bands
            .iter()
            .take_while(|&&edge| members >= edge)
            .count()
    }

    /// Label of membership band `band`: "< 20,000" / "20,000–99,999" / "≥ 100,000".
    pub fn membership_band_label(&self, band: usize) -> (String, String) {
        let edges = &self.ranking.membership_bands;
        let g = |n: i64| super::score::grouped(i128::from(n));
        let (zh, en) = match (
            band.checked_sub(1).and_then(|i| edges.get(i)),
            edges.get(band),
        ) {
            (None, Some(hi)) => (
                format!("个人会员不足 {} 人", g(*hi)),
                format!("under {} individual members", g(*hi)),
            ),
            (Some(lo), Some(hi)) => (
                format!("个人会员 {}–{} 人", g(*lo), g(hi - 1)),
                format!("{}–{} individual members", g(*lo), g(hi - 1)),
            ),
            (Some(lo), None) => (
                format!("个人会员 {} 人及以上", g(*lo)),
                format!("{} individual members or more", g(*lo)),
            ),
            (None, None) => ("全部".to_owned(), "all".to_owned()),
        };
        (zh, en)
    }
}

// ---------------------------------------------------------------------------------------------
// Raw file shape (serde), with spans for precise errors
// ---------------------------------------------------------------------------------------------

/// The `[assessment]` table as written in the file (deserialised by the catalogue loader).
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct RawAssessment {
    weights_source: Spanned<WeightsSource>,
    #[serde(default)]
    note_zh: Option<Spanned<String>>,
    #[serde(default)]
    note_en: Option<Spanned<String>>,
    total_points: Spanned<toml::Value>,
    #[serde(default)]
    rounding: Option<Spanned<Rounding>>,
    objection_days: Spanned<i64>,
    indicators: Spanned<Vec<Spanned<RawIndicator>>>,
    #[serde(default)]
    adjustments: Vec<Spanned<RawAdjustment>>,
    #[serde(default)]
    aggregation: Option<Spanned<RawAggregation>>,
    outcomes: Spanned<RawOutcomes>,
    #[serde(default)]
    ranking: Option<Spanned<RawRanking>>,
    subsidy: Spanned<RawSubsidy>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawIndicator {
    id: Spanned<String>,
    name_zh: Spanned<String>,
    name_en: Spanned<String>,
    points: Spanned<toml::Value>,
    #[serde(default)]
    kind: Option<Spanned<String>>,
    #[serde(default)]
    source: Option<Spanned<String>>,
    #[serde(default)]
    tasks: Option<Spanned<Vec<Spanned<i64>>>>,
    #[serde(default)]
    classes: Option<Spanned<Vec<Spanned<TaskClass>>>>,
    #[serde(default)]
    rules: Option<Spanned<Vec<Spanned<String>>>>,
    #[serde(default)]
    partly_percent: Option<Spanned<i64>>,
    #[serde(default)]
    warning_percent: Option<Spanned<i64>>,
    #[serde(default)]
    per_day_late: Option<Spanned<toml::Value>>,
    #[serde(default)]
    guide_zh: Option<Spanned<String>>,
    #[serde(default)]
    guide_en: Option<Spanned<String>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawAdjustment {
    id: Spanned<String>,
    kind: Spanned<AdjustmentKind>,
    name_zh: Spanned<String>,
    name_en: Spanned<String>,
    max: Spanned<toml::Value>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawAggregation {
    method: Spanned<String>,
    #[serde(default)]
    trim_from: Option<Spanned<i64>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawOutcomes {
    commend_at: Spanned<toml::Value>,
    criticised_clause_zh: Spanned<String>,
    commended_clause_zh: Spanned<String>,
    no_plan_clause_zh: Spanned<String>,
    basic_clause_zh: Spanned<String>,
    election_clause_zh: Spanned<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawRanking {
    #[serde(default)]
    peer_groups: Vec<Spanned<PeerGroupKind>>,
    #[serde(default)]
    membership_bands: Option<Spanned<Vec<Spanned<i64>>>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawSubsidy {
    mode: Spanned<String>,
    #[serde(default)]
    budget: Option<Spanned<i64>>,
    #[serde(default)]
    floor: Option<Spanned<i64>>,
    #[serde(default)]
    cap: Option<Spanned<i64>>,
    #[serde(default)]
    tiers: Option<Spanned<Vec<Spanned<RawTier>>>>,
    #[serde(default)]
    tie_rule: Option<Spanned<TieRule>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawTier {
    count: Spanned<i64>,
    amount: Spanned<i64>,
    #[serde(default)]
    name_zh: Option<Spanned<String>>,
    #[serde(default)]
    name_en: Option<Spanned<String>>,
}

/// Automatic sources and the parameters each takes (checked like the rule kinds).
const SOURCES: &[(&str, &[&str])] = &[
    ("task_acceptance", &["tasks", "classes", "partly_percent"]),
    ("rule_verdicts", &["rules", "warning_percent"]),
    ("targets_met", &["tasks", "classes"]),
    ("milestones_reached", &["tasks", "classes"]),
    ("reports_on_time", &[]),
    ("reports_received", &[]),
    ("plan_timeliness", &["per_day_late"]),
];

// ---------------------------------------------------------------------------------------------
// Loader
// ---------------------------------------------------------------------------------------------

type Res<T> = Result<T, CatalogueError>;

/// Builds a [`CatalogueError`] at a span of the file (the catalogue loader's `Cx::err`).
pub(crate) type ErrAt<'a> = &'a dyn Fn(Range<usize>, String) -> CatalogueError;

struct Lx<'a> {
    err: ErrAt<'a>,
    tasks: &'a [Task],
}

/// Validate the `[assessment]` section against the catalogue's `tasks` (and their rules).
pub(crate) fn load(raw: &RawAssessment, tasks: &[Task], err: ErrAt<'_>) -> Res<AssessmentRules> {
    Lx { err, tasks }.build(raw)
}

fn is_id(s: &str) -> bool {
    !s.is_empty()
        && s.bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-' || b == b'_')
}

/// `1`, `1.2`, `1.2.3`: positive numbers without leading zeros, separated by dots.
fn is_indicator_id(s: &str) -> bool {
    !s.is_empty()
        && s.split('.')
            .all(|p| !p.is_empty() && p.bytes().all(|b| b.is_ascii_digit()) && !p.starts_with('0'))
}

impl Lx<'_> {
    fn at(&self, span: Range<usize>, message: impl Into<String>) -> CatalogueError {
        (self.err)(span, message.into())
    }

    fn text(&self, s: &Spanned<String>, what: &str) -> Res<String> {
        if s.get_ref().trim().is_empty() {
            return Err(self.at(s.span(), format!("{what} must not be empty")));
        }
        Ok(s.get_ref().clone())
    }

    fn opt_text(&self, s: &Option<Spanned<String>>, what: &str) -> Res<Option<String>> {
        s.as_ref().map(|s| self.text(s, what)).transpose()
    }

    /// Both or neither of a zh/en pair.
    fn pair(
        &self,
        zh: &Option<Spanned<String>>,
        en: &Option<Spanned<String>>,
        what: &str,
    ) -> Res<(Option<String>, Option<String>)> {
        match (zh, en) {
            (Some(s), None) | (None, Some(s)) => Err(self.at(
                s.span(),
                format!("{what}: give both {what}_zh and {what}_en, or neither"),
            )),
            _ => Ok((
                self.opt_text(zh, &format!("{what}_zh"))?,
                self.opt_text(en, &format!("{what}_en"))?,
            )),
        }
    }

    /// A score written as an integer (`10`) or a string (`"2.5"`); a TOML float is refused
    /// because it is not exact.
    fn score(&self, v: &Spanned<toml::Value>, what: &str) -> Res<Score> {
        let s = match v.get_ref() {
            toml::Value::Integer(i) => Score::from_points(*i)
                .ok_or_else(|| self.at(v.span(), format!("{what}: {i} is too large")))?,
            toml::Value::String(s) => {
                Score::parse(s).map_err(|e| self.at(v.span(), format!("{what}: {e}")))?
            }
            toml::Value::Float(f) => {
                return Err(self.at(
                    v.span(),
                    format!(
                        "{what}: write a decimal as a string, e.g. \"{f}\" (a TOML float is not exact)"
                    ),
                ));
            }
            other => {
                return Err(self.at(
                    v.span(),
                    format!(
                        "{what} must be a number such as 10 or \"2.5\", got a {}",
                        other.type_str()
                    ),
                ));
            }
        };
        if s.is_negative() {
            return Err(self.at(v.span(), format!("{what} must not be negative, got {s}")));
        }
        Ok(s)
    }

    fn int_in(&self, v: &Spanned<i64>, what: &str, range: Range<i64>) -> Res<i64> {
        let n = *v.get_ref();
        if range.contains(&n) {
            Ok(n)
        } else {
            Err(self.at(
                v.span(),
                format!(
                    "{what} must be between {} and {}, got {n}",
                    range.start,
                    range.end - 1
                ),
            ))
        }
    }

    fn yuan(&self, v: &Spanned<i64>, what: &str) -> Res<Yuan> {
        let n = *v.get_ref();
        u64::try_from(n).ok().and_then(Yuan::new).ok_or_else(|| {
            self.at(
                v.span(),
                format!(
                    "{what} must be whole yuan between 0 and {}, got {n}",
                    Yuan::MAX_VALUE
                ),
            )
        })
    }

    fn build(&self, raw: &RawAssessment) -> Res<AssessmentRules> {
        let (note_zh, note_en) = self.pair(&raw.note_zh, &raw.note_en, "note")?;
        let total_points = self.score(&raw.total_points, "[assessment] total_points")?;
        if total_points == Score::ZERO {
            return Err(self.at(
                raw.total_points.span(),
                "[assessment] total_points must be above 0",
            ));
        }
        let rounding = raw
            .rounding
            .as_ref()
            .map_or(Rounding::default(), |r| *r.get_ref());
        let objection_days = u32::try_from(self.int_in(
            &raw.objection_days,
            "[assessment] objection_days",
            1..91,
        )?)
        .unwrap_or(1);
        let indicators = self.indicators(&raw.indicators, total_points, &raw.total_points)?;
        let adjustments = self.adjustments(&raw.adjustments)?;
        let aggregation = match &raw.aggregation {
            None => Aggregation::Mean,
            Some(a) => self.aggregation(a.get_ref())?,
        };
        let outcomes = self.outcomes(raw.outcomes.get_ref(), total_points, &adjustments)?;
        let ranking = match &raw.ranking {
            None => RankingRules::default(),
            Some(r) => self.ranking(r)?,
        };
        let subsidy = self.subsidy(&raw.subsidy)?;
        Ok(AssessmentRules {
            weights_source: *raw.weights_source.get_ref(),
            note_zh,
            note_en,
            total_points,
            rounding,
            objection_days,
            indicators,
            adjustments,
            aggregation,
            outcomes,
            ranking,
            subsidy,
        })
    }

    fn indicators(
        &self,
        raw: &Spanned<Vec<Spanned<RawIndicator>>>,
        total: Score,
        total_span: &Spanned<toml::Value>,
    ) -> Res<Vec<Indicator>> {
        if raw.get_ref().is_empty() {
            return Err(self.at(raw.span(), "[assessment] has no indicators"));
        }
        let mut out: Vec<Indicator> = Vec::with_capacity(raw.get_ref().len());
        let mut point_spans: Vec<Range<usize>> = Vec::new();
        for r in raw.get_ref() {
            let r = r.get_ref();
            let id = r.id.get_ref().clone();
            if !is_indicator_id(&id) {
                return Err(self.at(
                    r.id.span(),
                    format!(
                        "indicator id '{id}' must be dotted numbers such as 1, 1.2 or 1.2.3 (no leading zeros)"
                    ),
                ));
            }
            if out.iter().any(|i| i.id == id) {
                return Err(self.at(r.id.span(), format!("duplicate indicator id '{id}'")));
            }
            let parent = match id.rsplit_once('.') {
                None => None,
                Some((p, _)) => match out.iter().position(|i| i.id == p) {
                    Some(ix) => Some(ix),
                    None => {
                        return Err(self.at(
                            r.id.span(),
                            format!(
                                "indicator '{id}': its parent '{p}' must be declared before it"
                            ),
                        ));
                    }
                },
            };
            let points = self.score(&r.points, &format!("indicator '{id}': points"))?;
            if points == Score::ZERO {
                return Err(self.at(
                    r.points.span(),
                    format!("indicator '{id}': points must be above 0"),
                ));
            }
            let (guide_zh, guide_en) = self.pair(&r.guide_zh, &r.guide_en, "guide")?;
            out.push(Indicator {
                level: u32::try_from(id.split('.').count()).unwrap_or(u32::MAX),
                id,
                parent,
                name_zh: self.text(&r.name_zh, "name_zh")?,
                name_en: self.text(&r.name_en, "name_en")?,
                points,
                guide_zh,
                guide_en,
                leaf: None,
            });
            point_spans.push(r.points.span());
        }
        // Leaves and inner nodes, now that every node's children are known.
        for (ix, r) in raw.get_ref().iter().enumerate() {
            let r = r.get_ref();
            let has_children = out.iter().any(|i| i.parent == Some(ix));
            let id = out[ix].id.clone();
            if has_children {
                let params = [
                    ("kind", r.kind.as_ref().map(Spanned::span)),
                    ("source", r.source.as_ref().map(Spanned::span)),
                    ("tasks", r.tasks.as_ref().map(Spanned::span)),
                    ("classes", r.classes.as_ref().map(Spanned::span)),
                    ("rules", r.rules.as_ref().map(Spanned::span)),
                    (
                        "partly_percent",
                        r.partly_percent.as_ref().map(Spanned::span),
                    ),
                    (
                        "warning_percent",
                        r.warning_percent.as_ref().map(Spanned::span),
                    ),
                    ("per_day_late", r.per_day_late.as_ref().map(Spanned::span)),
                ];
                if let Some((name, Some(span))) = params.iter().find(|(_, s)| s.is_some()) {
                    return Err(self.at(
                        span.clone(),
                        format!(
                            "indicator '{id}' has sub-indicators, so it takes no '{name}' (only leaves are scored)"
                        ),
                    ));
                }
                let sum = out
                    .iter()
                    .filter(|i| i.parent == Some(ix))
                    .try_fold(Score::ZERO, |acc, i| acc.checked_add(i.points))
                    .unwrap_or(Score::MAX);
                if sum != out[ix].points {
                    return Err(self.at(
                        point_spans[ix].clone(),
                        format!(
                            "indicator '{id}' has {} points but its sub-indicators add up to {sum}",
                            out[ix].points
                        ),
                    ));
                }
            } else {
                out[ix].leaf = Some(self.leaf(r, &id, out[ix].points)?);
            }
        }
        let sum = out
            .iter()
            .filter(|i| i.parent.is_none())
            .try_fold(Score::ZERO, |acc, i| acc.checked_add(i.points))
            .unwrap_or(Score::MAX);
        if sum != total {
            return Err(self.at(
                total_span.span(),
                format!(
                    "[assessment] total_points is {total} but the top-level indicators add up to {sum}"
                ),
            ));
        }
        Ok(out)
    }

    fn leaf(&self, r: &RawIndicator, id: &str, points: Score) -> Res<Leaf> {
        let Some(kind) = &r.kind else {
            return Err(self.at(
                r.id.span(),
                format!(
                    "indicator '{id}' has no sub-indicators, so it needs kind = \"automatic\" or \"expert\""
                ),
            ));
        };
        let given: [(&str, Option<Range<usize>>); 7] = [
            ("source", r.source.as_ref().map(Spanned::span)),
            ("tasks", r.tasks.as_ref().map(Spanned::span)),
            ("classes", r.classes.as_ref().map(Spanned::span)),
            ("rules", r.rules.as_ref().map(Spanned::span)),
            (
                "partly_percent",
                r.partly_percent.as_ref().map(Spanned::span),
            ),
            (
                "warning_percent",
                r.warning_percent.as_ref().map(Spanned::span),
            ),
            ("per_day_late", r.per_day_late.as_ref().map(Spanned::span)),
        ];
        match kind.get_ref().as_str() {
            "expert" => {
                if let Some((name, Some(span))) = given.iter().find(|(_, s)| s.is_some()) {
                    return Err(self.at(
                        span.clone(),
                        format!(
                            "indicator '{id}': parameter '{name}' does not apply to an expert indicator"
                        ),
                    ));
                }
                Ok(Leaf::Expert)
            }
            "automatic" => {
                let Some(source) = &r.source else {
                    return Err(self.at(
                        kind.span(),
                        format!("indicator '{id}': an automatic indicator needs a source"),
                    ));
                };
                let name = source.get_ref().as_str();
                let Some((_, allowed)) = SOURCES.iter().find(|(s, _)| *s == name) else {
                    let known: Vec<&str> = SOURCES.iter().map(|(s, _)| *s).collect();
                    return Err(self.at(
                        source.span(),
                        format!(
                            "indicator '{id}': unknown source '{name}' (known: {})",
                            known.join(", ")
                        ),
                    ));
                };
                for (param, span) in given.iter().skip(1) {
                    if let Some(span) = span
                        && !allowed.contains(param)
                    {
                        return Err(self.at(
                            span.clone(),
                            format!(
                                "indicator '{id}': parameter '{param}' does not apply to source '{name}' (it takes: {})",
                                if allowed.is_empty() {
                                    "nothing".to_owned()
                                } else {
                                    allowed.join(", ")
                                }
                            ),
                        ));
                    }
                }
                let percent = |v: &Option<Spanned<i64>>, what: &str| -> Res<u32> {
                    match v {
                        None => Ok(50),
                        Some(v) => Ok(u32::try_from(self.int_in(
                            v,
                            &format!("indicator '{id}': {what}"),
                            0..101,
                        )?)
                        .unwrap_or(0)),
                    }
                };
                let source = match name {
                    "task_acceptance" => AutoSource::TaskAcceptance {
                        scope: self.scope(r, id)?,
                        partly_percent: percent(&r.partly_percent, "partly_percent")?,
                    },
                    "rule_verdicts" => AutoSource::RuleVerdicts {
                        rules: self.rules(r, id)?,
                        warning_percent: percent(&r.warning_percent, "warning_percent")?,
                    },
                    "targets_met" => AutoSource::TargetsMet {
                        scope: self.scope(r, id)?,
                    },
                    "milestones_reached" => AutoSource::MilestonesReached {
                        scope: self.scope(r, id)?,
                    },
                    "reports_on_time" => AutoSource::ReportsOnTime,
                    "reports_received" => AutoSource::ReportsReceived,
                    "plan_timeliness" => {
                        let Some(v) = &r.per_day_late else {
                            return Err(self.at(
                                source.span(),
                                format!(
                                    "indicator '{id}': source 'plan_timeliness' needs per_day_late"
                                ),
                            ));
                        };
                        let per_day_late =
                            self.score(v, &format!("indicator '{id}': per_day_late"))?;
                        if per_day_late == Score::ZERO || per_day_late > points {
                            return Err(self.at(
                                v.span(),
                                format!(
                                    "indicator '{id}': per_day_late must be above 0 and at most the indicator's {points} points"
                                ),
                            ));
                        }
                        AutoSource::PlanTimeliness { per_day_late }
                    }
                    // SOURCES and this match list the same names (tested).
                    other => {
                        return Err(self.at(
                            source.span(),
                            format!("indicator '{id}': source '{other}' is not implemented"),
                        ));
                    }
                };
                Ok(Leaf::Automatic(source))
            }
            other => Err(self.at(
                kind.span(),
                format!(
                    "indicator '{id}': kind must be \"automatic\" or \"expert\", got \"{other}\""
                ),
            )),
        }
    }

    fn scope(&self, r: &RawIndicator, id: &str) -> Res<TaskScope> {
        let mut scope = TaskScope::default();
        if let Some(tasks) = &r.tasks {
            for t in tasks.get_ref() {
                let n = *t.get_ref();
                let Some(task) = u32::try_from(n)
                    .ok()
                    .and_then(|n| self.tasks.iter().find(|x| x.number == n))
                else {
                    return Err(self.at(
                        t.span(),
                        format!("indicator '{id}': no task {n} in this catalogue"),
                    ));
                };
                if scope.tasks.contains(&task.number) {
                    return Err(
                        self.at(t.span(), format!("indicator '{id}': task {n} listed twice"))
                    );
                }
                scope.tasks.push(task.number);
            }
        }
        if let Some(classes) = &r.classes {
            for c in classes.get_ref() {
                if scope.classes.contains(c.get_ref()) {
                    return Err(self.at(
                        c.span(),
                        format!(
                            "indicator '{id}': class '{}' listed twice",
                            c.get_ref().as_str()
                        ),
                    ));
                }
                scope.classes.push(*c.get_ref());
            }
        }
        Ok(scope)
    }

    fn rules(&self, r: &RawIndicator, id: &str) -> Res<Vec<String>> {
        let Some(rules) = &r.rules else {
            return Err(self.at(
                r.source.as_ref().map_or_else(|| r.id.span(), Spanned::span),
                format!("indicator '{id}': source 'rule_verdicts' needs rules = [...]"),
            ));
        };
        if rules.get_ref().is_empty() {
            return Err(self.at(
                rules.span(),
                format!("indicator '{id}': rules must not be empty"),
            ));
        }
        let mut out: Vec<String> = Vec::new();
        for rule in rules.get_ref() {
            let name = rule.get_ref();
            if !self
                .tasks
                .iter()
                .flat_map(|t| t.rules.iter())
                .any(|x| &x.id == name)
            {
                return Err(self.at(
                    rule.span(),
                    format!("indicator '{id}': rule '{name}' does not exist"),
                ));
            }
            if out.contains(name) {
                return Err(self.at(
                    rule.span(),
                    format!("indicator '{id}': rule '{name}' listed twice"),
                ));
            }
            out.push(name.clone());
        }
        Ok(out)
    }

    fn adjustments(&self, raw: &[Spanned<RawAdjustment>]) -> Res<Vec<Adjustment>> {
        let mut out: Vec<Adjustment> = Vec::new();
        for a in raw {
            let a = a.get_ref();
            let id = a.id.get_ref();
            if !is_id(id) {
                return Err(self.at(
                    a.id.span(),
                    format!("adjustment id '{id}' must be lower-case letters, digits, '-' or '_'"),
                ));
            }
            if out.iter().any(|x| &x.id == id) {
                return Err(self.at(a.id.span(), format!("duplicate adjustment id '{id}'")));
            }
            let max = self.score(&a.max, &format!("adjustment '{id}': max"))?;
            if max == Score::ZERO {
                return Err(self.at(
                    a.max.span(),
                    format!("adjustment '{id}': max must be above 0"),
                ));
            }
            out.push(Adjustment {
                id: id.clone(),
                kind: *a.kind.get_ref(),
                name_zh: self.text(&a.name_zh, "name_zh")?,
                name_en: self.text(&a.name_en, "name_en")?,
                max,
            });
        }
        Ok(out)
    }

    fn aggregation(&self, a: &RawAggregation) -> Res<Aggregation> {
        match a.method.get_ref().as_str() {
            "mean" => {
                if let Some(t) = &a.trim_from {
                    return Err(self.at(
                        t.span(),
                        "[assessment.aggregation] trim_from applies to method = \"trimmed_mean\" only",
                    ));
                }
                Ok(Aggregation::Mean)
            }
            "trimmed_mean" => {
                let trim_from = match &a.trim_from {
                    None => 5,
                    Some(t) => self.int_in(t, "[assessment.aggregation] trim_from", 3..101)?,
                };
                Ok(Aggregation::TrimmedMean {
                    trim_from: u32::try_from(trim_from).unwrap_or(5),
                })
            }
            other => Err(self.at(
                a.method.span(),
                format!(
                    "[assessment.aggregation] method must be \"mean\" or \"trimmed_mean\", got \"{other}\""
                ),
            )),
        }
    }

    fn outcomes(
        &self,
        o: &RawOutcomes,
        total: Score,
        adjustments: &[Adjustment],
    ) -> Res<OutcomeRules> {
        let commend_at = self.score(&o.commend_at, "[assessment.outcomes] commend_at")?;
        let reachable = adjustments
            .iter()
            .filter(|a| a.kind == AdjustmentKind::Bonus)
            .try_fold(total, |acc, a| acc.checked_add(a.max))
            .unwrap_or(Score::MAX);
        if commend_at > reachable {
            return Err(self.at(
                o.commend_at.span(),
                format!(
                    "[assessment.outcomes] commend_at {commend_at} can never be reached (at most {reachable} with every bonus)"
                ),
            ));
        }
        Ok(OutcomeRules {
            commend_at,
            criticised_clause_zh: self.text(&o.criticised_clause_zh, "criticised_clause_zh")?,
            commended_clause_zh: self.text(&o.commended_clause_zh, "commended_clause_zh")?,
            no_plan_clause_zh: self.text(&o.no_plan_clause_zh, "no_plan_clause_zh")?,
            basic_clause_zh: self.text(&o.basic_clause_zh, "basic_clause_zh")?,
            election_clause_zh: self.text(&o.election_clause_zh, "election_clause_zh")?,
        })
    }

    fn ranking(&self, r: &Spanned<RawRanking>) -> Res<RankingRules> {
        let raw = r.get_ref();
        let mut groups: Vec<PeerGroupKind> = Vec::new();
        for g in &raw.peer_groups {
            if groups.contains(g.get_ref()) {
                return Err(self.at(
                    g.span(),
                    format!(
                        "[assessment.ranking] peer group '{}' listed twice",
                        g.get_ref().as_str()
                    ),
                ));
            }
            groups.push(*g.get_ref());
        }
        let mut edges: Vec<i64> = Vec::new();
        match (
            &raw.membership_bands,
            groups.contains(&PeerGroupKind::MembershipBand),
        ) {
            (Some(b), false) => {
                return Err(self.at(
                    b.span(),
                    "[assessment.ranking] membership_bands is given but 'membership_band' is not in peer_groups",
                ));
            }
            (None, true) => {
                return Err(self.at(
                    r.span(),
                    "[assessment.ranking] peer group 'membership_band' needs membership_bands = [edges...]",
                ));
            }
            (Some(b), true) => {
                if b.get_ref().is_empty() {
                    return Err(self.at(
                        b.span(),
                        "[assessment.ranking] membership_bands must list at least one edge",
                    ));
                }
                for e in b.get_ref() {
                    let v = *e.get_ref();
                    if v <= 0 {
                        return Err(self.at(
                            e.span(),
                            format!("[assessment.ranking] band edge {v} must be above 0"),
                        ));
                    }
                    if edges.last().is_some_and(|&last| v <= last) {
                        return Err(self.at(
                            e.span(),
                            format!(
                                "[assessment.ranking] band edges must increase: {v} follows {}",
                                edges.last().copied().unwrap_or(0)
                            ),
                        ));
                    }
                    edges.push(v);
                }
            }
            (None, false) => {}
        }
        Ok(RankingRules {
            peer_groups: groups,
            membership_bands: edges,
        })
    }

    fn subsidy(&self, s: &Spanned<RawSubsidy>) -> Res<SubsidyRules> {
        let raw = s.get_ref();
        let mode = raw.mode.get_ref().as_str();
        let check_absent = |name: &str, span: Option<Range<usize>>| -> Res<()> {
            match span {
                Some(span) => Err(self.at(
                    span,
                    format!("[assessment.subsidy] '{name}' does not apply to mode \"{mode}\""),
                )),
                None => Ok(()),
            }
        };
        let rules = match mode {
            "pool" => {
                check_absent("tiers", raw.tiers.as_ref().map(Spanned::span))?;
                check_absent("tie_rule", raw.tie_rule.as_ref().map(Spanned::span))?;
                let Some(budget) = &raw.budget else {
                    return Err(self.at(
                        raw.mode.span(),
                        "[assessment.subsidy] mode \"pool\" needs a budget",
                    ));
                };
                SubsidyRules::Pool {
                    budget: self.yuan(budget, "[assessment.subsidy] budget")?,
                    floor: raw
                        .floor
                        .as_ref()
                        .map(|f| self.yuan(f, "[assessment.subsidy] floor"))
                        .transpose()?
                        .unwrap_or(Yuan::ZERO),
                    cap: raw
                        .cap
                        .as_ref()
                        .map(|c| self.yuan(c, "[assessment.subsidy] cap"))
                        .transpose()?,
                }
            }
            "tiers" => {
                check_absent("floor", raw.floor.as_ref().map(Spanned::span))?;
                check_absent("cap", raw.cap.as_ref().map(Spanned::span))?;
                let Some(tiers_raw) = &raw.tiers else {
                    return Err(self.at(
                        raw.mode.span(),
                        "[assessment.subsidy] mode \"tiers\" needs tiers = [{ count, amount }, ...]",
                    ));
                };
                let mut tiers = Vec::new();
                for t in tiers_raw.get_ref() {
                    let t = t.get_ref();
                    let count =
                        self.int_in(&t.count, "[assessment.subsidy] tier count", 1..100_001)?;
                    let (name_zh, name_en) = self.pair(&t.name_zh, &t.name_en, "name")?;
                    tiers.push(Tier {
                        count: u32::try_from(count).unwrap_or(1),
                        amount: self.yuan(&t.amount, "[assessment.subsidy] tier amount")?,
                        name_zh,
                        name_en,
                    });
                }
                SubsidyRules::Tiers {
                    tiers,
                    tie_rule: raw
                        .tie_rule
                        .as_ref()
                        .map_or(TieRule::default(), |t| *t.get_ref()),
                    budget: raw
                        .budget
                        .as_ref()
                        .map(|b| self.yuan(b, "[assessment.subsidy] budget"))
                        .transpose()?,
                }
            }
            other => {
                return Err(self.at(
                    raw.mode.span(),
                    format!(
                        "[assessment.subsidy] mode must be \"pool\" or \"tiers\", got \"{other}\""
                    ),
                ));
            }
        };
        if let Some((field, _, en)) = rules.inconsistency() {
            // Point at the offending key where there is one.
            let span = match field.as_str() {
                "floor" => raw.floor.as_ref().map(Spanned::span),
                "budget" => raw.budget.as_ref().map(Spanned::span),
                f if f.starts_with("tiers") => {
                    let ix: Option<usize> = f
                        .strip_prefix("tiers[")
                        .and_then(|r| r.split(']').next())
                        .and_then(|n| n.parse().ok());
                    match (ix, &raw.tiers) {
                        (Some(i), Some(t)) => t.get_ref().get(i).map(|t| t.get_ref().amount.span()),
                        (_, Some(t)) => Some(t.span()),
                        _ => None,
                    }
                }
                _ => None,
            }
            .unwrap_or_else(|| raw.mode.span());
            return Err(self.at(span, format!("[assessment.subsidy] {field}: {en}")));
        }
        Ok(rules)
    }
}

/// Names of the automatic sources (for documentation and tests).
pub fn source_names() -> BTreeSet<&'static str> {
    SOURCES.iter().map(|(s, _)| *s).collect()
}

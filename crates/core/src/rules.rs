//! Rules from the text and their verdicts (R-RULE-*).
//!
//! Rules are declared in the catalogue file as typed kinds with parameters ([`RuleKind`]);
//! nothing here knows about 2017. [`evaluate`] applies every declared rule to a society's
//! [`Facts`] and returns one [`RuleVerdict`] per rule, with an explanation in Chinese and
//! English that gives the numbers used, and the clause the rule applies.
//!
//! Arithmetic is integer only (`i128` cross-multiplication); percentages in explanations are
//! formatted from integer basis points and never decide a verdict.

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use crate::catalogue::{Catalogue, Task};
use crate::facts::{FactField, Facts, fact_field, group, group_wide, lower_first};

/// Hard rule or "原则上" (in principle) rule.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Severity {
    /// A failure is `fail`.
    Hard,
    /// "原则上": a failure is `warning`, which needs a written justification.
    InPrinciple,
}

/// When a rule applies.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Applies {
    /// Every year, every society.
    Always,
    /// Only for a society holding its council election (换届) that year.
    ElectionYear,
}

/// `p/q` with `p >= 0`, `q > 0`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Fraction {
    pub p: i64,
    pub q: i64,
}

/// One band of a [`RuleKind::BandCap`]: values within the edges get `cap`.
/// An absent `min`/`max` is open on that side.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Band {
    pub min: Option<i64>,
    pub min_inclusive: bool,
    pub max: Option<i64>,
    pub max_inclusive: bool,
    pub cap: i64,
    /// The band in the notice's words, e.g. "2万以上且不足10万人".
    pub label_zh: String,
    pub label_en: String,
    /// Said whenever this band is used (e.g. the open edge at exactly 100,000).
    pub note_zh: Option<String>,
    pub note_en: Option<String>,
}

impl Band {
    /// Whether `v` lies within this band's edges.
    pub fn contains(&self, v: i64) -> bool {
        let above_min = match self.min {
            None => true,
            Some(m) if self.min_inclusive => v >= m,
            Some(m) => v > m,
        };
        let below_max = match self.max {
            None => true,
            Some(m) if self.max_inclusive => v <= m,
            Some(m) => v < m,
        };
        above_min && below_max
    }
}

/// The typed rule kinds a catalogue can declare (DESIGN "Catalogue file").
/// Parameters name fact fields (`facts::FACT_FIELDS`).
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum RuleKind {
    /// `value` at most the cap of the band that `by` falls in (R-RULE-9 council cap).
    BandCap {
        value: String,
        by: String,
        bands: Vec<Band>,
    },
    /// `numerator / denominator >= p/q`, i.e. `numerator*q >= p*denominator` (R-RULE-10).
    RatioAtLeast {
        numerator: String,
        denominator: String,
        fraction: Fraction,
    },
    /// `numerator / denominator <= p/q`, i.e. `numerator*q <= p*denominator` (R-RULE-9).
    RatioAtMost {
        numerator: String,
        denominator: String,
        fraction: Fraction,
    },
    /// `value >= baseline * (100 + percent) / 100`, i.e. `value*100 >= baseline*(100+percent)`
    /// (R-RULE-2: exactly the percentage passes).
    GrowthAtLeast {
        value: String,
        baseline: String,
        percent: i64,
    },
    /// `numerator/denominator > baseline_numerator/baseline_denominator`, compared by
    /// cross-multiplication (R-RULE-2 fee collection rate).
    RateRises {
        numerator: String,
        denominator: String,
        baseline_numerator: String,
        baseline_denominator: String,
    },
    /// `value >= min` (R-RULE-7).
    CountAtLeast { value: String, min: i64 },
    /// A yes/no fact is yes (R-RULE-7 office premises).
    FlagTrue { value: String },
    /// A date fact is recorded, optionally within bounds (R-RULE-11, R-RULE-DOC).
    DatePresent {
        value: String,
        not_before: Option<NaiveDate>,
        not_after: Option<NaiveDate>,
    },
    /// Every step recorded, each on or before the next (R-RULE-8).
    DatesInOrder { steps: Vec<String> },
    /// The society holds every listed document kind (R-RULE-DOC).
    DocumentsPresent { documents: Vec<String> },
    /// If `previous` was already below the cap of `cap_rule`, `value <= previous`; lifted when
    /// `lift_value` grew MORE than `lift_above_percent` over `lift_baseline` (R-RULE-9).
    NotAbovePrevious {
        value: String,
        previous: String,
        cap_rule: String,
        lift_value: String,
        lift_baseline: String,
        lift_above_percent: i64,
    },
}

impl RuleKind {
    /// The kind's name as written in the catalogue file.
    pub fn name(&self) -> &'static str {
        match self {
            RuleKind::BandCap { .. } => "band_cap",
            RuleKind::RatioAtLeast { .. } => "ratio_at_least",
            RuleKind::RatioAtMost { .. } => "ratio_at_most",
            RuleKind::GrowthAtLeast { .. } => "growth_at_least",
            RuleKind::RateRises { .. } => "rate_rises",
            RuleKind::CountAtLeast { .. } => "count_at_least",
            RuleKind::FlagTrue { .. } => "flag_true",
            RuleKind::DatePresent { .. } => "date_present",
            RuleKind::DatesInOrder { .. } => "dates_in_order",
            RuleKind::DocumentsPresent { .. } => "documents_present",
            RuleKind::NotAbovePrevious { .. } => "not_above_previous",
        }
    }
}

/// One rule declaration of a task (R-RULE-*).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct RuleDecl {
    /// Stable id, e.g. `council-cap`.
    pub id: String,
    pub severity: Severity,
    pub applies: Applies,
    /// The exact words of the clause the rule applies (verbatim in the task's clause).
    pub clause_zh: String,
    /// Appended to every explanation of this rule.
    pub note_zh: Option<String>,
    pub note_en: Option<String>,
    #[serde(flatten)]
    pub kind: RuleKind,
}

/// The outcome of one rule for one society (R-RULE-*).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Verdict {
    Pass,
    Fail,
    /// An "in principle" (原则上) rule is not met: needs a written justification.
    Warning,
    /// A fact the rule needs is missing (or whether this is an election year is unknown).
    Insufficient,
    /// The rule does not apply (no election this year, or its condition does not hold).
    NotApplicable,
}

impl Verdict {
    /// Every verdict, worst first.
    pub const ALL: [Verdict; 5] = [
        Verdict::Fail,
        Verdict::Warning,
        Verdict::Insufficient,
        Verdict::Pass,
        Verdict::NotApplicable,
    ];

    /// Stable identifier, as serialised.
    pub fn as_str(self) -> &'static str {
        match self {
            Verdict::Pass => "pass",
            Verdict::Fail => "fail",
            Verdict::Warning => "warning",
            Verdict::Insufficient => "insufficient",
            Verdict::NotApplicable => "not_applicable",
        }
    }

    pub fn label_zh(self) -> &'static str {
        match self {
            Verdict::Pass => "符合",
            Verdict::Fail => "不符合",
            Verdict::Warning => "需说明",
            Verdict::Insufficient => "数据不足",
            Verdict::NotApplicable => "不适用",
        }
    }

    pub fn label_en(self) -> &'static str {
        match self {
            Verdict::Pass => "Pass",
            Verdict::Fail => "Fail",
            Verdict::Warning => "Warning",
            Verdict::Insufficient => "Insufficient data",
            Verdict::NotApplicable => "Not applicable",
        }
    }
}

/// A verdict with its explanation (R-RULE-*): which rule, of which task, why, and the clause.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RuleVerdict {
    pub rule: String,
    pub task: u32,
    pub verdict: Verdict,
    pub explanation_zh: String,
    pub explanation_en: String,
    /// The clause the rule applies, verbatim from the notice.
    pub clause: String,
}

/// All verdicts of one check, as the API returns them:
/// `{"year":2017,"verdicts":[{"rule":…,"task":9,"verdict":"fail",…}]}`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CheckResult {
    pub year: i32,
    pub verdicts: Vec<RuleVerdict>,
}

/// [`evaluate`] wrapped with the catalogue year (R-RULE-PRE what-if and stored checks alike).
pub fn check(catalogue: &Catalogue, facts: &Facts) -> CheckResult {
    CheckResult {
        year: catalogue.year,
        verdicts: evaluate(catalogue, facts),
    }
}

/// Apply every rule of the catalogue to `facts` (R-RULE-*): one verdict per rule, ordered by
/// task number, then declaration order. Pure and deterministic.
///
/// Rules with `applies = election_year` are `not_applicable` when `facts.election_year` is
/// `Some(false)` and `insufficient` when it is unknown. A missing fact gives `insufficient`
/// and the explanation names it. A failed "in principle" rule gives `warning`.
pub fn evaluate(catalogue: &Catalogue, facts: &Facts) -> Vec<RuleVerdict> {
    catalogue
        .rules()
        .map(|(task, rule)| evaluate_rule(catalogue, task, rule, facts))
        .collect()
}

/// Apply one rule (see [`evaluate`]).
pub fn evaluate_rule(
    catalogue: &Catalogue,
    task: &Task,
    rule: &RuleDecl,
    facts: &Facts,
) -> RuleVerdict {
    let mut outcome = if rule.applies == Applies::ElectionYear {
        match facts.election_year {
            Some(false) => Outcome::new(
                Verdict::NotApplicable,
                "本年度不换届，此项不适用。".to_owned(),
                "No council election this year: not applicable.".to_owned(),
            ),
            None => Outcome::new(
                Verdict::Insufficient,
                "尚未填写本年度是否换届（election_year），无法判断。".to_owned(),
                "Whether the society holds its council election this year (election_year) is not known.".to_owned(),
            ),
            Some(true) => apply(catalogue, rule, facts),
        }
    } else {
        apply(catalogue, rule, facts)
    };
    if outcome.verdict == Verdict::Fail && rule.severity == Severity::InPrinciple {
        outcome.verdict = Verdict::Warning;
        outcome.zh.push_str("（原则性要求：需书面说明理由。）");
        outcome
            .en
            .push_str(" (An in-principle requirement: a written justification is needed.)");
    }
    if let (Some(zh), Some(en)) = (&rule.note_zh, &rule.note_en)
        && outcome.verdict != Verdict::NotApplicable
    {
        outcome.zh.push_str("注：");
        outcome.zh.push_str(zh);
        outcome.en.push_str(" Note: ");
        outcome.en.push_str(en);
    }
    RuleVerdict {
        rule: rule.id.clone(),
        task: task.number,
        verdict: outcome.verdict,
        explanation_zh: outcome.zh,
        explanation_en: outcome.en,
        clause: rule.clause_zh.clone(),
    }
}

struct Outcome {
    verdict: Verdict,
    zh: String,
    en: String,
}

impl Outcome {
    fn new(verdict: Verdict, zh: String, en: String) -> Self {
        Outcome { verdict, zh, en }
    }

    fn pass_or_fail(ok: bool, zh: String, en: String) -> Self {
        let verdict = if ok { Verdict::Pass } else { Verdict::Fail };
        Outcome { verdict, zh, en }
    }
}

/// Labels of a fact for explanations.
#[derive(Clone, Copy)]
struct L {
    zh: &'static str,
    en: &'static str,
    unit: &'static str,
    name: &'static str,
}

fn l(name: &str) -> L {
    match fact_field(name) {
        Some(FactField {
            name,
            label_zh,
            label_en,
            unit_zh,
            ..
        }) => L {
            zh: label_zh,
            en: label_en,
            unit: unit_zh,
            name,
        },
        None => L {
            zh: "未知数据",
            en: "Unknown fact",
            unit: "",
            name: "?",
        },
    }
}

impl L {
    /// "新一届理事会 180 人"
    fn zh_n(&self, v: i64) -> String {
        self.zh_w(i128::from(v))
    }
    fn zh_w(&self, v: i128) -> String {
        if self.unit.is_empty() {
            format!("{} {}", self.zh, group_wide(v))
        } else {
            format!("{} {} {}", self.zh, group_wide(v), self.unit)
        }
    }
    /// "new council size 180"
    fn en_n(&self, v: i64) -> String {
        self.en_w(i128::from(v))
    }
    fn en_w(&self, v: i128) -> String {
        format!("{} {}", lower_first(self.en), group_wide(v))
    }
    /// A count in this fact's unit: "10 人", or "10" when it has none.
    fn count(&self, v: i128) -> String {
        if self.unit.is_empty() {
            group_wide(v)
        } else {
            format!("{} {}", group_wide(v), self.unit)
        }
    }
}

fn capitalise(s: String) -> String {
    let mut chars = s.chars();
    match chars.next() {
        Some(c) => format!("{}{}", c.to_uppercase(), chars.as_str()),
        None => s,
    }
}

/// `insufficient`, naming every missing fact in both languages.
fn missing(names: &[&str]) -> Outcome {
    let zh: Vec<String> = names
        .iter()
        .map(|n| {
            let f = l(n);
            format!("{}（{}）", f.zh, f.name)
        })
        .collect();
    let en: Vec<String> = names
        .iter()
        .map(|n| {
            let f = l(n);
            format!("{} ({})", lower_first(f.en), f.name)
        })
        .collect();
    let plural = if names.len() > 1 { "s" } else { "" };
    Outcome::new(
        Verdict::Insufficient,
        format!("缺少数据：{}。", zh.join("、")),
        format!("Missing fact{plural}: {}.", en.join(", ")),
    )
}

/// Fetch integer facts; on any absence, the `insufficient` outcome naming all absent ones.
fn ints<const N: usize>(facts: &Facts, names: [&str; N]) -> Result<[i64; N], Outcome> {
    let mut out = [0i64; N];
    let mut absent = Vec::new();
    for (slot, name) in out.iter_mut().zip(names) {
        match facts.int(name) {
            Some(v) => *slot = v,
            None => absent.push(name),
        }
    }
    if absent.is_empty() {
        Ok(out)
    } else {
        Err(missing(&absent))
    }
}

/// `num / den` as a percentage with two decimals, from integer basis points (display only).
fn percent(num: i128, den: i128) -> String {
    if den <= 0 {
        return "—".to_owned();
    }
    let bp = num * 10_000 / den; // truncated toward zero: never shows more than the truth
    let sign = if bp < 0 { "-" } else { "" };
    let bp = bp.abs();
    format!("{sign}{}.{:02}%", group_wide(bp / 100), bp % 100)
}

/// Smallest integer `x` with `x*q >= p*den` (den >= 0, q > 0).
fn ceil_div(a: i128, b: i128) -> i128 {
    if b <= 0 {
        return a;
    }
    let d = a / b;
    if a % b != 0 && a > 0 { d + 1 } else { d }
}

fn fraction_text(f: Fraction) -> String {
    format!("{}/{}", f.p, f.q)
}

fn apply(catalogue: &Catalogue, rule: &RuleDecl, facts: &Facts) -> Outcome {
    match eval_kind(catalogue, &rule.kind, facts) {
        Ok(o) | Err(o) => o,
    }
}

fn eval_kind(catalogue: &Catalogue, kind: &RuleKind, facts: &Facts) -> Result<Outcome, Outcome> {
    Ok(match kind {
        RuleKind::BandCap { value, by, bands } => {
            let [v, b] = ints(facts, [value.as_str(), by.as_str()])?;
            band_cap(l(value), v, l(by), b, bands)
        }
        RuleKind::RatioAtLeast {
            numerator,
            denominator,
            fraction,
        } => {
            let [n, d] = ints(facts, [numerator.as_str(), denominator.as_str()])?;
            let (nl, dl) = (l(numerator), l(denominator));
            let (n, d) = (i128::from(n), i128::from(d));
            let (p, q) = (i128::from(fraction.p), i128::from(fraction.q));
            let ok = n * q >= p * d;
            let need = ceil_div(p * d, q);
            let frac = fraction_text(*fraction);
            let head_zh = format!(
                "{}，{}，占比 {}，要求不低于 {frac}（至少 {}）",
                nl.zh_w(n),
                dl.zh_w(d),
                percent(n, d),
                nl.count(need)
            );
            let head_en = format!(
                "{} of {} ({}); at least {frac} required ({})",
                capitalise(nl.en_w(n)),
                dl.en_w(d),
                percent(n, d),
                group_wide(need)
            );
            if ok {
                Outcome::pass_or_fail(
                    true,
                    format!("{head_zh}，符合。"),
                    format!("{head_en}: met."),
                )
            } else {
                Outcome::pass_or_fail(
                    false,
                    format!("{head_zh}，少 {}。", nl.count(need - n)),
                    format!("{head_en}: {} short.", group_wide(need - n)),
                )
            }
        }
        RuleKind::RatioAtMost {
            numerator,
            denominator,
            fraction,
        } => {
            let [n, d] = ints(facts, [numerator.as_str(), denominator.as_str()])?;
            let (nl, dl) = (l(numerator), l(denominator));
            let (n, d) = (i128::from(n), i128::from(d));
            let (p, q) = (i128::from(fraction.p), i128::from(fraction.q));
            let ok = n * q <= p * d;
            let most = (p * d) / q; // floor: the largest x with x*q <= p*d
            let frac = fraction_text(*fraction);
            let head_zh = format!(
                "{}，{}，要求不超过其 {frac}（至多 {}）",
                nl.zh_w(n),
                dl.zh_w(d),
                nl.count(most)
            );
            let head_en = format!(
                "{}, {}; at most {frac} of it allowed ({})",
                capitalise(nl.en_w(n)),
                dl.en_w(d),
                group_wide(most)
            );
            if ok {
                Outcome::pass_or_fail(
                    true,
                    format!("{head_zh}，符合。"),
                    format!("{head_en}: met."),
                )
            } else {
                Outcome::pass_or_fail(
                    false,
                    format!("{head_zh}，超出 {}。", nl.count(n - most)),
                    format!("{head_en}: {} over.", group_wide(n - most)),
                )
            }
        }
        RuleKind::GrowthAtLeast {
            value,
            baseline,
            percent: pct,
        } => {
            let [v, b] = ints(facts, [value.as_str(), baseline.as_str()])?;
            let (vl, bl) = (l(value), l(baseline));
            let (v, b, pct) = (i128::from(v), i128::from(b), i128::from(*pct));
            let ok = v * 100 >= b * (100 + pct);
            let need = ceil_div(b * (100 + pct), 100);
            let head_zh = format!(
                "{}，{}，增长 {}，要求增长 {pct}% 以上（至少 {}）",
                vl.zh_w(v),
                bl.zh_w(b),
                percent(v - b, b),
                vl.count(need)
            );
            let head_en = format!(
                "{}, {}: growth {}; at least {pct}% required ({})",
                capitalise(vl.en_w(v)),
                bl.en_w(b),
                percent(v - b, b),
                group_wide(need)
            );
            if ok {
                Outcome::pass_or_fail(
                    true,
                    format!("{head_zh}，符合。"),
                    format!("{head_en}: met."),
                )
            } else {
                Outcome::pass_or_fail(
                    false,
                    format!("{head_zh}，少 {}。", vl.count(need - v)),
                    format!("{head_en}: {} short.", group_wide(need - v)),
                )
            }
        }
        RuleKind::RateRises {
            numerator,
            denominator,
            baseline_numerator,
            baseline_denominator,
        } => {
            let [n1, d1, n0, d0] = ints(
                facts,
                [
                    numerator.as_str(),
                    denominator.as_str(),
                    baseline_numerator.as_str(),
                    baseline_denominator.as_str(),
                ],
            )?;
            let (l1, m1, l0, m0) = (
                l(numerator),
                l(denominator),
                l(baseline_numerator),
                l(baseline_denominator),
            );
            let zero: Vec<&str> = [(d1, m1.name), (d0, m0.name)]
                .iter()
                .filter(|(d, _)| *d == 0)
                .map(|(_, n)| *n)
                .collect();
            if !zero.is_empty() {
                let zh: Vec<String> = zero.iter().map(|n| format!("{}（{n}）", l(n).zh)).collect();
                let en: Vec<String> = zero
                    .iter()
                    .map(|n| format!("{} ({n})", lower_first(l(n).en)))
                    .collect();
                return Err(Outcome::new(
                    Verdict::Insufficient,
                    format!("{}为 0，比例无法计算。", zh.join("、")),
                    format!("{} is 0: the rate is undefined.", capitalise(en.join(", "))),
                ));
            }
            let (n1, d1, n0, d0) = (
                i128::from(n1),
                i128::from(d1),
                i128::from(n0),
                i128::from(d0),
            );
            let ok = n1 * d0 > n0 * d1;
            let now_zh = format!("{} / {} = {}", l1.zh_w(n1), m1.zh_w(d1), percent(n1, d1));
            let base_zh = format!("{} / {} = {}", l0.zh_w(n0), m0.zh_w(d0), percent(n0, d0));
            let now_en = format!(
                "{} / {} = {}",
                capitalise(l1.en_w(n1)),
                m1.en_w(d1),
                percent(n1, d1)
            );
            let base_en = format!("{} / {} = {}", l0.en_w(n0), m0.en_w(d0), percent(n0, d0));
            if ok {
                Outcome::pass_or_fail(
                    true,
                    format!("{now_zh}，高于 {base_zh}，比例提高，符合。"),
                    format!("{now_en}, higher than {base_en}: the rate rose."),
                )
            } else {
                Outcome::pass_or_fail(
                    false,
                    format!("{now_zh}，未高于 {base_zh}，比例未提高。"),
                    format!("{now_en}, not higher than {base_en}: the rate did not rise."),
                )
            }
        }
        RuleKind::CountAtLeast { value, min } => {
            let [v] = ints(facts, [value.as_str()])?;
            let vl = l(value);
            let ok = v >= *min;
            let zh = format!(
                "{}，要求至少 {}，{}。",
                vl.zh_n(v),
                vl.count(i128::from(*min)),
                if ok { "符合" } else { "不符合" }
            );
            let en = format!(
                "{}; at least {} required: {}.",
                capitalise(vl.en_n(v)),
                group(*min),
                if ok { "met" } else { "not met" }
            );
            Outcome::pass_or_fail(ok, zh, en)
        }
        RuleKind::FlagTrue { value } => {
            let vl = l(value);
            let Some(b) = facts.flag(value) else {
                return Err(missing(&[value.as_str()]));
            };
            Outcome::pass_or_fail(
                b,
                format!("{}：{}。", vl.zh, if b { "是" } else { "否" }),
                format!("{}: {}.", vl.en, if b { "yes" } else { "no" }),
            )
        }
        RuleKind::DatePresent {
            value,
            not_before,
            not_after,
        } => {
            let vl = l(value);
            let Some(d) = facts.date(value) else {
                return Err(missing(&[value.as_str()]));
            };
            if let Some(a) = not_before
                && d < *a
            {
                Outcome::pass_or_fail(
                    false,
                    format!("{}：{d}，早于 {a}，不符合。", vl.zh),
                    format!("{}: {d}, before {a}: not met.", vl.en),
                )
            } else if let Some(b) = not_after
                && d > *b
            {
                Outcome::pass_or_fail(
                    false,
                    format!("{}：{d}，晚于 {b}，不符合。", vl.zh),
                    format!("{}: {d}, after {b}: not met.", vl.en),
                )
            } else {
                let (zh_b, en_b) = match not_after {
                    Some(b) => (format!("（不晚于 {b}）"), format!(" (on or before {b})")),
                    None => (String::new(), String::new()),
                };
                Outcome::pass_or_fail(
                    true,
                    format!("{}：{d}{zh_b}，符合。", vl.zh),
                    format!("{}: {d}{en_b}: met.", vl.en),
                )
            }
        }
        RuleKind::DatesInOrder { steps } => {
            let mut dates = Vec::with_capacity(steps.len());
            let mut absent = Vec::new();
            for s in steps {
                match facts.date(s) {
                    Some(d) => dates.push((l(s), d)),
                    None => absent.push(s.as_str()),
                }
            }
            if !absent.is_empty() {
                return Err(missing(&absent));
            }
            let chain_zh: Vec<String> =
                dates.iter().map(|(f, d)| format!("{} {d}", f.zh)).collect();
            let chain_en: Vec<String> = dates
                .iter()
                .map(|(f, d)| format!("{} {d}", lower_first(f.en)))
                .collect();
            let wrong: Vec<_> = dates
                .windows(2)
                .filter_map(|w| match w {
                    [(fa, a), (fb, b)] if b < a => Some((*fa, *a, *fb, *b)),
                    _ => None,
                })
                .collect();
            if wrong.is_empty() {
                Outcome::pass_or_fail(
                    true,
                    format!("{}，顺序正确，符合。", chain_zh.join(" ≤ ")),
                    format!("{}: in order.", capitalise(chain_en.join(" ≤ "))),
                )
            } else {
                let zh: Vec<String> = wrong
                    .iter()
                    .map(|(fa, a, fb, b)| format!("{}（{b}）早于{}（{a}）", fb.zh, fa.zh))
                    .collect();
                let en: Vec<String> = wrong
                    .iter()
                    .map(|(fa, a, fb, b)| {
                        format!(
                            "{} ({b}) is before {} ({a})",
                            lower_first(fb.en),
                            lower_first(fa.en)
                        )
                    })
                    .collect();
                Outcome::pass_or_fail(
                    false,
                    format!("顺序不符：{}。", zh.join("；")),
                    format!("Out of order: {}.", en.join("; ")),
                )
            }
        }
        RuleKind::DocumentsPresent { documents } => {
            let Some(held) = facts.documents.as_ref() else {
                return Err(missing(&["documents"]));
            };
            let name = |id: &str| -> (String, String) {
                match catalogue.document(id) {
                    Some(d) => (d.name_zh.clone(), d.name_en.clone()),
                    None => (id.to_owned(), id.to_owned()),
                }
            };
            let (have, lack): (Vec<&String>, Vec<&String>) =
                documents.iter().partition(|d| held.contains(d));
            let list = |ids: &[&String], zh: bool| -> String {
                ids.iter()
                    .map(|d| {
                        let (z, e) = name(d);
                        if zh { z } else { e }
                    })
                    .collect::<Vec<_>>()
                    .join(if zh { "、" } else { "; " })
            };
            if lack.is_empty() {
                Outcome::pass_or_fail(
                    true,
                    format!("已具备：{}，符合。", list(&have, true)),
                    format!("In place: {}.", list(&have, false)),
                )
            } else {
                let (have_zh, have_en) = if have.is_empty() {
                    (String::new(), String::new())
                } else {
                    (
                        format!("已具备：{}；", list(&have, true)),
                        format!("In place: {}. ", list(&have, false)),
                    )
                };
                Outcome::pass_or_fail(
                    false,
                    format!("{have_zh}缺少：{}。", list(&lack, true)),
                    format!("{have_en}Missing: {}.", list(&lack, false)),
                )
            }
        }
        RuleKind::NotAbovePrevious {
            value,
            previous,
            cap_rule,
            lift_value,
            lift_baseline,
            lift_above_percent,
        } => {
            let Some((_, cap_decl)) = catalogue.rule(cap_rule) else {
                return Err(Outcome::new(
                    Verdict::Insufficient,
                    format!("任务清单中没有规则“{cap_rule}”。"),
                    format!("The catalogue has no rule '{cap_rule}'."),
                ));
            };
            let RuleKind::BandCap { by, bands, .. } = &cap_decl.kind else {
                return Err(Outcome::new(
                    Verdict::Insufficient,
                    format!("规则“{cap_rule}”不是分档上限规则。"),
                    format!("Rule '{cap_rule}' is not a band_cap rule."),
                ));
            };
            let [members, prev, new] =
                ints(facts, [by.as_str(), previous.as_str(), value.as_str()])?;
            let (ml, pl, nl) = (l(by), l(previous), l(value));
            let Some(band) = bands.iter().find(|b| b.contains(members)) else {
                return Err(no_band(ml, members));
            };
            let cap = band.cap;
            if prev >= cap {
                return Ok(Outcome::new(
                    Verdict::NotApplicable,
                    format!(
                        "{}，不低于上限 {}（{}，{}），本条不适用，仅适用分档上限。",
                        pl.zh_n(prev),
                        pl.count(i128::from(cap)),
                        ml.zh_n(members),
                        band.label_zh
                    ),
                    format!(
                        "{} is not below the cap of {} ({} {}): this clause does not apply; only the band cap does.",
                        capitalise(pl.en_n(prev)),
                        group(cap),
                        ml.en_n(members),
                        band.label_en
                    ),
                ));
            }
            let below_zh = format!(
                "{}，低于上限 {}（{}，{}）",
                pl.zh_n(prev),
                pl.count(i128::from(cap)),
                ml.zh_n(members),
                band.label_zh
            );
            let below_en = format!(
                "{} is below the cap of {} ({}, {})",
                capitalise(pl.en_n(prev)),
                group(cap),
                ml.en_n(members),
                band.label_en
            );
            if new <= prev {
                return Ok(Outcome::pass_or_fail(
                    true,
                    format!("{below_zh}；{}，未超过上一届，符合。", nl.zh_n(new)),
                    format!(
                        "{below_en}; {}, not above the previous council: met.",
                        nl.en_n(new)
                    ),
                ));
            }
            // New council is larger: lifted only if members grew MORE than the percentage.
            let [now, base] = ints(facts, [lift_value.as_str(), lift_baseline.as_str()])?;
            let (lv, lb) = (l(lift_value), l(lift_baseline));
            let (n, b, pct) = (
                i128::from(now),
                i128::from(base),
                i128::from(*lift_above_percent),
            );
            let lifted = n * 100 > b * (100 + pct);
            let growth_zh = format!(
                "{}，{}，增长 {}",
                lv.zh_n(now),
                lb.zh_n(base),
                percent(n - b, b)
            );
            let growth_en = format!(
                "{}, {}: growth {}",
                lv.en_n(now),
                lb.en_n(base),
                percent(n - b, b)
            );
            if lifted {
                Outcome::pass_or_fail(
                    true,
                    format!(
                        "{below_zh}；{}，超过上一届 {}；但{growth_zh}，超过 {pct}%，可适当放宽，仅适用分档上限。",
                        nl.zh_n(new),
                        nl.count(i128::from(new) - i128::from(prev))
                    ),
                    format!(
                        "{below_en}; {}, {} above the previous council; but {growth_en}, more than {pct}%: relaxed, only the band cap applies.",
                        nl.en_n(new),
                        group_wide(i128::from(new) - i128::from(prev))
                    ),
                )
            } else {
                Outcome::pass_or_fail(
                    false,
                    format!(
                        "{below_zh}；{}，超过上一届 {}；{growth_zh}，未超过 {pct}%，不能放宽。",
                        nl.zh_n(new),
                        nl.count(i128::from(new) - i128::from(prev))
                    ),
                    format!(
                        "{below_en}; {}, {} above the previous council; {growth_en}, not more than {pct}%: not relaxed.",
                        nl.en_n(new),
                        group_wide(i128::from(new) - i128::from(prev))
                    ),
                )
            }
        }
    })
}

fn no_band(ml: L, members: i64) -> Outcome {
    Outcome::new(
        Verdict::Insufficient,
        format!("{}不在任何分档内。", ml.zh_n(members)),
        format!("{} falls in no band.", capitalise(ml.en_n(members))),
    )
}

/// R-RULE-9: the cap of the band `by` falls in; `value` at most that cap.
fn band_cap(vl: L, v: i64, bl: L, b: i64, bands: &[Band]) -> Outcome {
    let Some(band) = bands.iter().find(|band| band.contains(b)) else {
        return no_band(bl, b);
    };
    let cap = band.cap;
    let head_zh = format!(
        "{}（{}），上限 {}；{}",
        bl.zh_n(b),
        band.label_zh,
        vl.count(i128::from(cap)),
        vl.zh_n(v)
    );
    let head_en = format!(
        "{} ({}): cap {}; {}",
        capitalise(bl.en_n(b)),
        band.label_en,
        group(cap),
        vl.en_n(v)
    );
    let mut out = if v <= cap {
        Outcome::pass_or_fail(
            true,
            format!("{head_zh}，未超出上限。"),
            format!("{head_en}, within the cap."),
        )
    } else {
        Outcome::pass_or_fail(
            false,
            format!(
                "{head_zh}，超出 {}。",
                vl.count(i128::from(v) - i128::from(cap))
            ),
            format!(
                "{head_en}, {} over.",
                group_wide(i128::from(v) - i128::from(cap))
            ),
        )
    };
    if let (Some(zh), Some(en)) = (&band.note_zh, &band.note_en) {
        out.zh.push_str(zh);
        out.en.push(' ');
        out.en.push_str(en);
    }
    out
}

#[cfg(test)]
mod tests;

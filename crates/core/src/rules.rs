//! Rules from the text and their verdicts (R-RULE-*).
//!
//! Rules are declared in the catalogue file, each of a kind with parameters; nothing here
//! knows about 2017. A kind is written in one place, [`kinds`]: its parameters, their
//! validation in the loader, its evaluation, its explanation and its description in words
//! (and the plan target it proposes). [`evaluate`] applies every declared rule to a society's
//! [`Facts`] and returns one [`RuleVerdict`] per rule, with an explanation in Chinese and
//! English that gives the numbers used, and the clause the rule applies. Qualitative norms
//! (the `judged` kind) are decided by a reviewer: [`evaluate_with`] takes the reviewers'
//! [`Judgements`].
//!
//! Arithmetic is integer only (`i128` cross-multiplication); percentages in explanations are
//! formatted from integer basis points and never decide a verdict.

pub mod kinds;

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::catalogue::{Catalogue, Task};
use crate::facts::{Facts, group_wide, lower_first};

pub use kinds::band_cap::{Band, BandCap};
pub use kinds::{Fraction, Kind, KindDef, RuleKind, Words};

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
    /// The kind with its parameters (serialised flat: `"kind": "band_cap", "value": …`).
    #[serde(flatten)]
    pub kind: Kind,
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
    /// The verdict is a reviewer's judgement of a qualitative norm, not a computation
    /// (the `judged` kind). Absent from JSON when false.
    #[serde(default, skip_serializing_if = "is_false")]
    pub judged: bool,
}

fn is_false(b: &bool) -> bool {
    !*b
}

/// All verdicts of one check, as the API returns them:
/// `{"year":2017,"verdicts":[{"rule":…,"task":9,"verdict":"fail",…}]}`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CheckResult {
    pub year: i32,
    pub verdicts: Vec<RuleVerdict>,
}

/// A reviewer's judgement of a qualitative norm (a `judged` rule): `pass`, or `warning` with a
/// comment. A judgement never makes a rule `fail`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum JudgedVerdict {
    Pass,
    Warning,
}

/// One reviewer judgement (who, what, why), as the store keeps it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Judgement {
    pub verdict: JudgedVerdict,
    /// Who judged, as shown to people (e.g. a reviewer's name).
    pub by: String,
    /// The reviewer's reasons; may be empty.
    pub comment: String,
}

/// Reviewer judgements by rule id. Judgements of rules that are not `judged` are ignored.
pub type Judgements = BTreeMap<String, Judgement>;

/// [`evaluate`] wrapped with the catalogue year (R-RULE-PRE what-if and stored checks alike).
pub fn check(catalogue: &Catalogue, facts: &Facts) -> CheckResult {
    check_with(catalogue, facts, &Judgements::new())
}

/// [`evaluate_with`] wrapped with the catalogue year.
pub fn check_with(catalogue: &Catalogue, facts: &Facts, judgements: &Judgements) -> CheckResult {
    CheckResult {
        year: catalogue.year,
        verdicts: evaluate_with(catalogue, facts, judgements),
    }
}

/// Apply every rule of the catalogue to `facts` (R-RULE-*), without reviewer judgements: one
/// verdict per rule, ordered by task number, then declaration order. Pure and deterministic.
///
/// Rules with `applies = election_year` are `not_applicable` when the catalogue's election
/// fact is `false` and `insufficient` when it is unknown. A missing fact gives `insufficient`
/// and the explanation names it. A failed "in principle" rule gives `warning`. A `judged`
/// rule is `warning` until a reviewer judges it ([`evaluate_with`]).
pub fn evaluate(catalogue: &Catalogue, facts: &Facts) -> Vec<RuleVerdict> {
    evaluate_with(catalogue, facts, &Judgements::new())
}

/// [`evaluate`] with reviewer judgements of the `judged` rules, by rule id.
pub fn evaluate_with(
    catalogue: &Catalogue,
    facts: &Facts,
    judgements: &Judgements,
) -> Vec<RuleVerdict> {
    catalogue
        .rules()
        .map(|(task, rule)| {
            evaluate_rule_with(catalogue, task, rule, facts, judgements.get(&rule.id))
        })
        .collect()
}

/// Apply one rule (see [`evaluate`]).
pub fn evaluate_rule(
    catalogue: &Catalogue,
    task: &Task,
    rule: &RuleDecl,
    facts: &Facts,
) -> RuleVerdict {
    evaluate_rule_with(catalogue, task, rule, facts, None)
}

/// Apply one rule with the reviewer's judgement of it, if any (see [`evaluate_with`]).
pub fn evaluate_rule_with(
    catalogue: &Catalogue,
    task: &Task,
    rule: &RuleDecl,
    facts: &Facts,
    judgement: Option<&Judgement>,
) -> RuleVerdict {
    let cx = EvalCx {
        catalogue,
        facts,
        rule,
        judgement,
    };
    let apply = || match rule.kind.evaluate(&cx) {
        Ok(o) | Err(o) => o,
    };
    let mut outcome = match (rule.applies, catalogue.election_fact.as_deref()) {
        (Applies::ElectionYear, Some(flag)) => match facts.flag(flag) {
            Some(false) => Outcome::new(
                Verdict::NotApplicable,
                "本年度不换届，此项不适用。".to_owned(),
                "No council election this year: not applicable.".to_owned(),
            ),
            None => Outcome::new(
                Verdict::Insufficient,
                format!("尚未填写本年度是否换届（{flag}），无法判断。"),
                format!(
                    "Whether the society holds its council election this year ({flag}) is not known."
                ),
            ),
            Some(true) => apply(),
        },
        // The loader refuses election-year rules without an election fact.
        (Applies::ElectionYear, None) => Outcome::new(
            Verdict::Insufficient,
            "任务清单未指定换届标志，无法判断。".to_owned(),
            "The catalogue names no election flag: cannot decide.".to_owned(),
        ),
        (Applies::Always, _) => apply(),
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
        judged: rule.kind.judged(),
    }
}

/// What a kind's evaluation says: the verdict and its explanation in both languages.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Outcome {
    pub verdict: Verdict,
    pub zh: String,
    pub en: String,
}

impl Outcome {
    pub fn new(verdict: Verdict, zh: String, en: String) -> Self {
        Outcome { verdict, zh, en }
    }

    /// `pass` when `ok`, else `fail` (a rule's severity may turn `fail` into `warning`).
    pub fn pass_or_fail(ok: bool, zh: String, en: String) -> Self {
        let verdict = if ok { Verdict::Pass } else { Verdict::Fail };
        Outcome { verdict, zh, en }
    }
}

/// What a kind's evaluation reads: the year's catalogue, the facts, the rule and the
/// reviewer's judgement of it.
pub struct EvalCx<'a> {
    pub catalogue: &'a Catalogue,
    pub facts: &'a Facts,
    pub rule: &'a RuleDecl,
    pub judgement: Option<&'a Judgement>,
}

impl<'a> EvalCx<'a> {
    /// The declared labels and unit of fact `name`.
    pub fn label(&self, name: &str) -> Label<'a> {
        Label::of(self.catalogue, name)
    }

    /// Integer facts; on any absence, the `insufficient` outcome naming all absent ones.
    pub fn ints<const N: usize>(&self, names: [&str; N]) -> Result<[i64; N], Outcome> {
        let mut out = [0i64; N];
        let mut absent = Vec::new();
        for (slot, name) in out.iter_mut().zip(names) {
            match self.facts.int(name) {
                Some(v) => *slot = v,
                None => absent.push(name),
            }
        }
        if absent.is_empty() {
            Ok(out)
        } else {
            Err(self.missing(&absent))
        }
    }

    /// `insufficient`, naming every missing fact in both languages.
    pub fn missing(&self, names: &[&str]) -> Outcome {
        missing(self.catalogue, names)
    }
}

/// The labels of a declared fact, for explanations and descriptions.
#[derive(Debug, Clone, Copy)]
pub struct Label<'a> {
    pub zh: &'a str,
    pub en: &'a str,
    /// The Chinese unit ("人"), or empty.
    pub unit: &'a str,
    pub name: &'a str,
}

impl<'a> Label<'a> {
    /// The labels of fact `name` as the catalogue declares it.
    pub fn of(catalogue: &'a Catalogue, name: &str) -> Label<'a> {
        match catalogue.fact(name) {
            Some(f) => Label {
                zh: &f.label_zh,
                en: &f.label_en,
                unit: &f.unit_zh,
                name: &f.name,
            },
            None => Label {
                zh: "未知数据",
                en: "Unknown fact",
                unit: "",
                name: "?",
            },
        }
    }

    /// "新一届理事会 180 人"
    pub fn zh_n(&self, v: i64) -> String {
        self.zh_w(i128::from(v))
    }

    pub fn zh_w(&self, v: i128) -> String {
        if self.unit.is_empty() {
            format!("{} {}", self.zh, group_wide(v))
        } else {
            format!("{} {} {}", self.zh, group_wide(v), self.unit)
        }
    }

    /// "new council size 180"
    pub fn en_n(&self, v: i64) -> String {
        self.en_w(i128::from(v))
    }

    pub fn en_w(&self, v: i128) -> String {
        format!("{} {}", lower_first(self.en), group_wide(v))
    }

    /// A count in this fact's unit: "10 人", or "10" when it has none.
    pub fn count(&self, v: i128) -> String {
        if self.unit.is_empty() {
            group_wide(v)
        } else {
            format!("{} {}", group_wide(v), self.unit)
        }
    }

    /// "新一届理事会（council_new）"
    pub fn zh_ref(&self) -> String {
        format!("{}（{}）", self.zh, self.name)
    }

    /// "new council size (council_new)"
    pub fn en_ref(&self) -> String {
        format!("{} ({})", lower_first(self.en), self.name)
    }
}

/// Upper-case the first letter (an English sentence start).
pub(crate) fn capitalise(s: String) -> String {
    let mut chars = s.chars();
    match chars.next() {
        Some(c) => format!("{}{}", c.to_uppercase(), chars.as_str()),
        None => s,
    }
}

/// `insufficient`, naming every missing fact in both languages.
pub(crate) fn missing(catalogue: &Catalogue, names: &[&str]) -> Outcome {
    let zh: Vec<String> = names
        .iter()
        .map(|n| Label::of(catalogue, n).zh_ref())
        .collect();
    let en: Vec<String> = names
        .iter()
        .map(|n| Label::of(catalogue, n).en_ref())
        .collect();
    let plural = if names.len() > 1 { "s" } else { "" };
    Outcome::new(
        Verdict::Insufficient,
        format!("缺少数据：{}。", zh.join("、")),
        format!("Missing fact{plural}: {}.", en.join(", ")),
    )
}

/// `num / den` as a percentage with two decimals, from integer basis points (display only).
pub(crate) fn percent(num: i128, den: i128) -> String {
    if den <= 0 {
        return "—".to_owned();
    }
    let bp = num * 10_000 / den; // truncated toward zero: never shows more than the truth
    let sign = if bp < 0 { "-" } else { "" };
    let bp = bp.abs();
    format!("{sign}{}.{:02}%", group_wide(bp / 100), bp % 100)
}

/// Smallest integer `x` with `x*b >= a` for `b > 0` (i.e. `ceil(a / b)`).
pub(crate) fn ceil_div(a: i128, b: i128) -> i128 {
    if b <= 0 {
        return a;
    }
    let d = a / b;
    if a % b != 0 && a > 0 { d + 1 } else { d }
}

#[cfg(test)]
mod tests;

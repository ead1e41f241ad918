//! `rate_rises`: `numerator/denominator > baseline_numerator/baseline_denominator`, compared by
//! cross-multiplication `n1*d0 > n0*d1` (R-RULE-2: the fee collection rate rises).
//!
//! ```toml
//! kind = "rate_rises"
//! numerator = "fee_payers_now"               # int facts, all four
//! denominator = "members_now"
//! baseline_numerator = "fee_payers_baseline"
//! baseline_denominator = "members_baseline"
//! ```
//!
//! An equal rate does not rise. A zero denominator makes the rate undefined: `insufficient`.
//! Proposes the smallest count giving a strictly higher rate as a plan target.

use serde::Serialize;

use super::{KindDef, ProposeCx, RuleKind, Words};
use crate::catalogue::params::Params;
use crate::catalogue::{Catalogue, CatalogueError};
use crate::facts::{FactKind, lower_first};
use crate::plan::Target;
use crate::plan::propose::{count, count_metric, target};
use crate::rules::{EvalCx, Label, Outcome, Verdict, capitalise, percent};

const NAME: &str = "rate_rises";

pub(crate) static DEF: KindDef = KindDef {
    name: NAME,
    params: &[
        "numerator",
        "denominator",
        "baseline_numerator",
        "baseline_denominator",
    ],
    build,
};

/// A `rate_rises` declaration.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct RateRises {
    pub numerator: String,
    pub denominator: String,
    pub baseline_numerator: String,
    pub baseline_denominator: String,
}

fn build(p: &Params<'_>) -> Result<Box<dyn RuleKind>, CatalogueError> {
    Ok(Box::new(RateRises {
        numerator: p.fact("numerator", FactKind::Int)?,
        denominator: p.fact("denominator", FactKind::Int)?,
        baseline_numerator: p.fact("baseline_numerator", FactKind::Int)?,
        baseline_denominator: p.fact("baseline_denominator", FactKind::Int)?,
    }))
}

impl RuleKind for RateRises {
    fn name(&self) -> &'static str {
        NAME
    }

    fn facts(&self) -> Vec<&str> {
        vec![
            &self.numerator,
            &self.denominator,
            &self.baseline_numerator,
            &self.baseline_denominator,
        ]
    }

    fn evaluate(&self, cx: &EvalCx<'_>) -> Result<Outcome, Outcome> {
        let [n1, d1, n0, d0] = cx.ints([
            self.numerator.as_str(),
            self.denominator.as_str(),
            self.baseline_numerator.as_str(),
            self.baseline_denominator.as_str(),
        ])?;
        let (l1, m1, l0, m0) = (
            cx.label(&self.numerator),
            cx.label(&self.denominator),
            cx.label(&self.baseline_numerator),
            cx.label(&self.baseline_denominator),
        );
        let zero: Vec<Label<'_>> = [(d1, m1), (d0, m0)]
            .into_iter()
            .filter(|(d, _)| *d == 0)
            .map(|(_, l)| l)
            .collect();
        if !zero.is_empty() {
            let zh: Vec<String> = zero.iter().map(Label::zh_ref).collect();
            let en: Vec<String> = zero
                .iter()
                .map(|l| format!("{} ({})", lower_first(l.en), l.name))
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
        Ok(if ok {
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
        })
    }

    fn describe(&self, catalogue: &Catalogue) -> Words {
        let l = |n: &str| Label::of(catalogue, n);
        let (l1, m1, l0, m0) = (
            l(&self.numerator),
            l(&self.denominator),
            l(&self.baseline_numerator),
            l(&self.baseline_denominator),
        );
        Words {
            zh: format!(
                "{} / {} 高于 {} / {}（持平不算提高）。",
                l1.zh_ref(),
                m1.zh_ref(),
                l0.zh_ref(),
                m0.zh_ref()
            ),
            en: format!(
                "{} / {} higher than {} / {} (an equal rate does not rise).",
                capitalise(l1.en_ref()),
                m1.en_ref(),
                l0.en_ref(),
                m0.en_ref()
            ),
        }
    }

    /// Target: the smallest count giving a strictly higher rate over the current denominator,
    /// baseline the baseline count; none when a denominator is unknown or zero, or no such
    /// count exists.
    fn propose(&self, cx: &ProposeCx<'_>) -> Option<Target> {
        let n0 = count(cx.facts, &self.baseline_numerator)?;
        let d0 = count(cx.facts, &self.baseline_denominator).filter(|d| *d > 0)?;
        let d1 = count(cx.facts, &self.denominator).filter(|d| *d > 0)?;
        // Smallest n1 with n1/d1 > n0/d0, i.e. n1*d0 > n0*d1.
        let need = n0.checked_mul(d1)? / d0 + 1;
        if need > d1 {
            return None;
        }
        target(
            cx,
            count_metric(cx.catalogue, &self.numerator)?,
            &self.numerator,
            Some(n0),
            need,
            true,
        )
    }
}

#[cfg(test)]
mod tests {
    use crate::facts::Facts;
    use crate::rules::kinds::testing::catalogue;
    use crate::rules::{Verdict, evaluate};

    #[test]
    fn an_equal_rate_does_not_rise() {
        let c = catalogue(
            &[("n1", "int"), ("d1", "int"), ("n0", "int"), ("d0", "int")],
            "kind = \"rate_rises\"\nnumerator = \"n1\"\ndenominator = \"d1\"\n\
             baseline_numerator = \"n0\"\nbaseline_denominator = \"d0\"\n",
        )
        .unwrap();
        let run = |n1: i64, d1: i64, n0: i64, d0: i64| {
            evaluate(
                &c,
                &Facts::new()
                    .with("n1", n1)
                    .with("d1", d1)
                    .with("n0", n0)
                    .with("d0", d0),
            )[0]
            .verdict
        };
        assert_eq!(run(2, 4, 1, 2), Verdict::Fail);
        assert_eq!(run(3, 5, 1, 2), Verdict::Pass);
        assert_eq!(run(1, 0, 1, 2), Verdict::Insufficient);
        assert_eq!(run(1, 3, 0, 0), Verdict::Insufficient);
    }
}

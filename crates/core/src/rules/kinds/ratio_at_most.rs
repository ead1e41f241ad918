//! `ratio_at_most`: `numerator / denominator <= p/q`, i.e. `numerator*q <= p*denominator`
//! (R-RULE-9: a standing council at most a third of the council).
//!
//! ```toml
//! kind = "ratio_at_most"
//! numerator = "standing_new"   # int fact
//! denominator = "council_new"  # int fact
//! fraction = [1, 3]            # p >= 0, q > 0
//! ```
//!
//! Exactly the fraction passes. The explanation gives the largest count allowed,
//! `floor(p*denominator/q)`, and the excess. Proposes that count as a plan target (a cap).

use serde::Serialize;

use super::{Fraction, KindDef, ProposeCx, RuleKind, Words};
use crate::catalogue::params::Params;
use crate::catalogue::{Catalogue, CatalogueError};
use crate::facts::{FactKind, group_wide};
use crate::plan::Target;
use crate::plan::propose::{cap_metric, count, target};
use crate::rules::{EvalCx, Label, Outcome, capitalise};

const NAME: &str = "ratio_at_most";

pub(crate) static DEF: KindDef = KindDef {
    name: NAME,
    params: &["numerator", "denominator", "fraction"],
    build,
};

/// A `ratio_at_most` declaration.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct RatioAtMost {
    pub numerator: String,
    pub denominator: String,
    pub fraction: Fraction,
}

fn build(p: &Params<'_>) -> Result<Box<dyn RuleKind>, CatalogueError> {
    Ok(Box::new(RatioAtMost {
        numerator: p.fact("numerator", FactKind::Int)?,
        denominator: p.fact("denominator", FactKind::Int)?,
        fraction: p.fraction("fraction")?,
    }))
}

impl RuleKind for RatioAtMost {
    fn name(&self) -> &'static str {
        NAME
    }

    fn facts(&self) -> Vec<&str> {
        vec![&self.numerator, &self.denominator]
    }

    fn evaluate(&self, cx: &EvalCx<'_>) -> Result<Outcome, Outcome> {
        let [n, d] = cx.ints([self.numerator.as_str(), self.denominator.as_str()])?;
        let (nl, dl) = (cx.label(&self.numerator), cx.label(&self.denominator));
        let (n, d) = (i128::from(n), i128::from(d));
        let (p, q) = (i128::from(self.fraction.p), i128::from(self.fraction.q));
        let ok = n * q <= p * d;
        let most = (p * d) / q; // floor: the largest x with x*q <= p*d
        let frac = self.fraction.text();
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
        Ok(if ok {
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
        })
    }

    fn describe(&self, catalogue: &Catalogue) -> Words {
        let (nl, dl) = (
            Label::of(catalogue, &self.numerator),
            Label::of(catalogue, &self.denominator),
        );
        let frac = self.fraction.text();
        Words {
            zh: format!("{}不超过{}的 {frac}。", nl.zh_ref(), dl.zh_ref()),
            en: format!(
                "{} at most {frac} of {}.",
                capitalise(nl.en_ref()),
                dl.en_ref()
            ),
        }
    }

    /// Target: `floor(denominator × p / q)` (a cap, no baseline).
    fn propose(&self, cx: &ProposeCx<'_>) -> Option<Target> {
        let d = count(cx.facts, &self.denominator).filter(|d| *d > 0)?;
        let q = i128::from(self.fraction.q);
        if q <= 0 {
            return None;
        }
        let most = d.checked_mul(i128::from(self.fraction.p))? / q;
        target(
            cx,
            cap_metric(cx.catalogue, &self.numerator)?,
            &self.numerator,
            None,
            most,
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
    fn exactly_the_fraction_passes() {
        let c = catalogue(
            &[("n", "int"), ("d", "int")],
            "kind = \"ratio_at_most\"\nnumerator = \"n\"\ndenominator = \"d\"\nfraction = [1, 3]\n",
        )
        .unwrap();
        let run = |n: i64, d: i64| evaluate(&c, &Facts::new().with("n", n).with("d", d))[0].clone();
        assert_eq!(run(10, 30).verdict, Verdict::Pass);
        assert_eq!(run(11, 30).verdict, Verdict::Fail);
        let v = run(11, 31); // at most floor(31/3) = 10
        assert_eq!(v.verdict, Verdict::Fail);
        assert!(
            v.explanation_en.ends_with("(10): 1 over."),
            "{}",
            v.explanation_en
        );
        assert_eq!(run(0, 0).verdict, Verdict::Pass);
        assert_eq!(run(1, 0).verdict, Verdict::Fail);
    }
}

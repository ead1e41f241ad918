//! `ratio_at_least`: `numerator / denominator >= p/q`, i.e. `numerator*q >= p*denominator`
//! (R-RULE-10 frontline scientists; also "every absent director adjusted", `[1, 1]`).
//!
//! ```toml
//! kind = "ratio_at_least"
//! numerator = "council_frontline"   # int fact
//! denominator = "council_new"       # int fact
//! fraction = [3, 4]                 # p >= 0, q > 0
//! ```
//!
//! Exactly the fraction passes. The explanation gives the smallest count meeting it,
//! `ceil(p*denominator/q)`, and the shortfall. Proposes that count as a plan target.

use serde::Serialize;

use super::{Fraction, KindDef, ProposeCx, RuleKind, Words};
use crate::catalogue::params::Params;
use crate::catalogue::{Catalogue, CatalogueError};
use crate::facts::{FactKind, group_wide};
use crate::plan::Target;
use crate::plan::propose::{ceil_div_checked, count, count_metric, target};
use crate::rules::{EvalCx, Label, Outcome, capitalise, ceil_div, percent};

const NAME: &str = "ratio_at_least";

pub(crate) static DEF: KindDef = KindDef {
    name: NAME,
    params: &["numerator", "denominator", "fraction"],
    build,
};

/// A `ratio_at_least` declaration.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct RatioAtLeast {
    pub numerator: String,
    pub denominator: String,
    pub fraction: Fraction,
}

fn build(p: &Params<'_>) -> Result<Box<dyn RuleKind>, CatalogueError> {
    Ok(Box::new(RatioAtLeast {
        numerator: p.fact("numerator", FactKind::Int)?,
        denominator: p.fact("denominator", FactKind::Int)?,
        fraction: p.fraction("fraction")?,
    }))
}

impl RuleKind for RatioAtLeast {
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
        let ok = n * q >= p * d;
        let need = ceil_div(p * d, q);
        let frac = self.fraction.text();
        // A whole (1/1) reads "all", not "at least 1/1" (issue 10).
        let (need_zh, need_en) = if p >= q {
            (
                format!("要求全部（{}）", nl.count(need)),
                format!("all required ({})", group_wide(need)),
            )
        } else {
            (
                format!("要求不低于 {frac}（至少 {}）", nl.count(need)),
                format!("at least {frac} required ({})", group_wide(need)),
            )
        };
        let head_zh = format!(
            "{}，{}，占比 {}，{need_zh}",
            nl.zh_w(n),
            dl.zh_w(d),
            percent(n, d),
        );
        let head_en = format!(
            "{} of {} ({}); {need_en}",
            capitalise(nl.en_w(n)),
            dl.en_w(d),
            percent(n, d),
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
                format!("{head_zh}，少 {}。", nl.count(need - n)),
                format!("{head_en}: {} short.", group_wide(need - n)),
            )
        })
    }

    fn describe(&self, catalogue: &Catalogue) -> Words {
        let (nl, dl) = (
            Label::of(catalogue, &self.numerator),
            Label::of(catalogue, &self.denominator),
        );
        let frac = self.fraction.text();
        if self.fraction.p >= self.fraction.q {
            return Words {
                zh: format!("{}等于{}（全部）。", nl.zh_ref(), dl.zh_ref()),
                en: format!("{} all of {}.", capitalise(nl.en_ref()), dl.en_ref()),
            };
        }
        Words {
            zh: format!("{}不低于{}的 {frac}。", nl.zh_ref(), dl.zh_ref()),
            en: format!(
                "{} at least {frac} of {}.",
                capitalise(nl.en_ref()),
                dl.en_ref()
            ),
        }
    }

    /// Target: `ceil(denominator × p / q)`, baseline the current numerator when known.
    fn propose(&self, cx: &ProposeCx<'_>) -> Option<Target> {
        let d = count(cx.facts, &self.denominator).filter(|d| *d > 0)?;
        let need = ceil_div_checked(
            d.checked_mul(i128::from(self.fraction.p))?,
            i128::from(self.fraction.q),
        )?;
        target(
            cx,
            count_metric(cx.catalogue, &self.numerator)?,
            &self.numerator,
            count(cx.facts, &self.numerator),
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
    fn exactly_the_fraction_passes() {
        let c = catalogue(
            &[("n", "int"), ("d", "int")],
            "kind = \"ratio_at_least\"\nnumerator = \"n\"\ndenominator = \"d\"\nfraction = [2, 3]\n",
        )
        .unwrap();
        let run = |n: i64, d: i64| evaluate(&c, &Facts::new().with("n", n).with("d", d))[0].clone();
        assert_eq!(run(2, 3).verdict, Verdict::Pass);
        assert_eq!(run(1, 3).verdict, Verdict::Fail);
        assert_eq!(run(0, 0).verdict, Verdict::Pass);
        let v = run(6, 10); // needs ceil(20/3) = 7
        assert_eq!(v.verdict, Verdict::Fail);
        assert!(
            v.explanation_en.ends_with("(7): 1 short."),
            "{}",
            v.explanation_en
        );
        assert!(
            v.explanation_zh.contains("至少 7 人"),
            "{}",
            v.explanation_zh
        );
        assert_eq!(
            c.rule("r").unwrap().1.kind.describe(&c).en,
            "N label (n) at least 2/3 of d label (d)."
        );
    }
}

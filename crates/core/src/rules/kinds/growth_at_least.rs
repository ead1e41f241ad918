//! `growth_at_least`: `value >= baseline * (100 + percent) / 100`, i.e.
//! `value*100 >= baseline*(100+percent)` (R-RULE-2: members up 15% — exactly the percentage
//! passes).
//!
//! ```toml
//! kind = "growth_at_least"
//! value = "members_now"          # int fact
//! baseline = "members_baseline"  # int fact
//! percent = 15                   # >= 0
//! ```
//!
//! The explanation gives the growth (from integer basis points) and the smallest value
//! meeting it, `ceil(baseline*(100+percent)/100)`. Proposes that value as a plan target.

use serde::Serialize;

use super::{KindDef, ProposeCx, RuleKind, Words};
use crate::catalogue::params::Params;
use crate::catalogue::{Catalogue, CatalogueError};
use crate::facts::{FactKind, group_wide};
use crate::plan::Target;
use crate::plan::propose::{ceil_div_checked, count, count_metric, target};
use crate::rules::{EvalCx, Label, Outcome, capitalise, ceil_div, percent};

const NAME: &str = "growth_at_least";

pub(crate) static DEF: KindDef = KindDef {
    name: NAME,
    params: &["value", "baseline", "percent"],
    build,
};

/// A `growth_at_least` declaration.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct GrowthAtLeast {
    pub value: String,
    pub baseline: String,
    pub percent: i64,
}

fn build(p: &Params<'_>) -> Result<Box<dyn RuleKind>, CatalogueError> {
    Ok(Box::new(GrowthAtLeast {
        value: p.fact("value", FactKind::Int)?,
        baseline: p.fact("baseline", FactKind::Int)?,
        percent: p.non_negative("percent")?,
    }))
}

impl RuleKind for GrowthAtLeast {
    fn name(&self) -> &'static str {
        NAME
    }

    fn facts(&self) -> Vec<&str> {
        vec![&self.value, &self.baseline]
    }

    fn evaluate(&self, cx: &EvalCx<'_>) -> Result<Outcome, Outcome> {
        let [v, b] = cx.ints([self.value.as_str(), self.baseline.as_str()])?;
        let (vl, bl) = (cx.label(&self.value), cx.label(&self.baseline));
        let (v, b, pct) = (i128::from(v), i128::from(b), i128::from(self.percent));
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
        Ok(if ok {
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
        })
    }

    fn describe(&self, catalogue: &Catalogue) -> Words {
        let (vl, bl) = (
            Label::of(catalogue, &self.value),
            Label::of(catalogue, &self.baseline),
        );
        let pct = self.percent;
        Words {
            zh: format!(
                "{}比{}增长 {pct}% 以上（恰好 {pct}% 即符合）。",
                vl.zh_ref(),
                bl.zh_ref()
            ),
            en: format!(
                "{} at least {pct}% above {} (exactly {pct}% passes).",
                capitalise(vl.en_ref()),
                bl.en_ref()
            ),
        }
    }

    /// Target: the smallest value meeting the rule, baseline the baseline fact.
    fn propose(&self, cx: &ProposeCx<'_>) -> Option<Target> {
        let b = count(cx.facts, &self.baseline).filter(|b| *b > 0)?;
        let need = ceil_div_checked(b.checked_mul(100 + i128::from(self.percent))?, 100)?;
        target(
            cx,
            count_metric(cx.catalogue, &self.value)?,
            &self.value,
            Some(b),
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
    fn exactly_the_percentage_passes() {
        let c = catalogue(
            &[("v", "int"), ("b", "int")],
            "kind = \"growth_at_least\"\nvalue = \"v\"\nbaseline = \"b\"\npercent = 10\n",
        )
        .unwrap();
        let run = |v: i64, b: i64| evaluate(&c, &Facts::new().with("v", v).with("b", b))[0].verdict;
        assert_eq!(run(110, 100), Verdict::Pass);
        assert_eq!(run(109, 100), Verdict::Fail);
        assert_eq!(run(12, 11), Verdict::Fail); // needs ceil(12.1) = 13
        assert_eq!(run(13, 11), Verdict::Pass);
        assert_eq!(run(0, 0), Verdict::Pass);
        let e = catalogue(
            &[("v", "int"), ("b", "int")],
            "kind = \"growth_at_least\"\nvalue = \"v\"\nbaseline = \"b\"\npercent = -1\n",
        )
        .unwrap_err();
        assert!(e.message.contains("percent must not be negative"), "{e}");
    }
}

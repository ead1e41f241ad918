//! `count_at_least`: `value >= min` (R-RULE-7: at least one full-time staff member of
//! secretary-general level).
//!
//! ```toml
//! kind = "count_at_least"
//! value = "fulltime_sg_level"  # int fact
//! min = 1                      # >= 0
//! ```
//!
//! Proposes `min` as a plan target, baseline the current value.

use serde::Serialize;

use super::{KindDef, ProposeCx, RuleKind, Words};
use crate::catalogue::params::Params;
use crate::catalogue::{Catalogue, CatalogueError};
use crate::facts::{FactKind, group};
use crate::plan::Target;
use crate::plan::propose::{count, count_metric, target};
use crate::rules::{EvalCx, Label, Outcome, capitalise};

const NAME: &str = "count_at_least";

pub(crate) static DEF: KindDef = KindDef {
    name: NAME,
    params: &["value", "min"],
    build,
};

/// A `count_at_least` declaration.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct CountAtLeast {
    pub value: String,
    pub min: i64,
}

fn build(p: &Params<'_>) -> Result<Box<dyn RuleKind>, CatalogueError> {
    Ok(Box::new(CountAtLeast {
        value: p.fact("value", FactKind::Int)?,
        min: p.non_negative("min")?,
    }))
}

impl RuleKind for CountAtLeast {
    fn name(&self) -> &'static str {
        NAME
    }

    fn facts(&self) -> Vec<&str> {
        vec![&self.value]
    }

    fn evaluate(&self, cx: &EvalCx<'_>) -> Result<Outcome, Outcome> {
        let [v] = cx.ints([self.value.as_str()])?;
        let vl = cx.label(&self.value);
        let ok = v >= self.min;
        let zh = format!(
            "{}，要求至少 {}，{}。",
            vl.zh_n(v),
            vl.count(i128::from(self.min)),
            if ok { "符合" } else { "不符合" }
        );
        let en = format!(
            "{}; at least {} required: {}.",
            capitalise(vl.en_n(v)),
            group(self.min),
            if ok { "met" } else { "not met" }
        );
        Ok(Outcome::pass_or_fail(ok, zh, en))
    }

    fn describe(&self, catalogue: &Catalogue) -> Words {
        let vl = Label::of(catalogue, &self.value);
        Words {
            zh: format!("{}至少 {}。", vl.zh_ref(), vl.count(i128::from(self.min))),
            en: format!("{} at least {}.", capitalise(vl.en_ref()), group(self.min)),
        }
    }

    /// Target: the minimum, baseline the current value when known.
    fn propose(&self, cx: &ProposeCx<'_>) -> Option<Target> {
        target(
            cx,
            count_metric(cx.catalogue, &self.value)?,
            &self.value,
            count(cx.facts, &self.value),
            i128::from(self.min),
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
    fn the_minimum_passes() {
        let c = catalogue(
            &[("v", "int")],
            "kind = \"count_at_least\"\nvalue = \"v\"\nmin = 2\n",
        )
        .unwrap();
        let run = |v: i64| evaluate(&c, &Facts::new().with("v", v))[0].clone();
        assert_eq!(run(2).verdict, Verdict::Pass);
        assert_eq!(run(1).verdict, Verdict::Fail);
        assert_eq!(run(1).explanation_zh, "v中文 1 人，要求至少 2 人，不符合。");
        assert_eq!(
            run(3).explanation_en,
            "V label 3; at least 2 required: met."
        );
    }
}

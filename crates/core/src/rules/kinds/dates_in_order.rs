//! `dates_in_order`: every step recorded, each on or before the next (R-RULE-8: nominated by
//! the president, approved by the council, then appointed).
//!
//! ```toml
//! kind = "dates_in_order"
//! steps = ["sg_nominated_on", "sg_approved_on", "sg_appointed_on"]  # two or more date facts
//! ```
//!
//! Two steps on the same day are in order. Each pair out of order is named.

use serde::Serialize;

use super::{KindDef, RuleKind, Words};
use crate::catalogue::params::Params;
use crate::catalogue::{Catalogue, CatalogueError};
use crate::facts::{FactKind, lower_first};
use crate::rules::{EvalCx, Label, Outcome, capitalise};

const NAME: &str = "dates_in_order";

pub(crate) static DEF: KindDef = KindDef {
    name: NAME,
    params: &["steps"],
    build,
};

/// A `dates_in_order` declaration.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct DatesInOrder {
    pub steps: Vec<String>,
}

fn build(p: &Params<'_>) -> Result<Box<dyn RuleKind>, CatalogueError> {
    Ok(Box::new(DatesInOrder {
        steps: p.fact_list("steps", Some(FactKind::Date), 2)?,
    }))
}

impl RuleKind for DatesInOrder {
    fn name(&self) -> &'static str {
        NAME
    }

    fn facts(&self) -> Vec<&str> {
        self.steps.iter().map(String::as_str).collect()
    }

    fn evaluate(&self, cx: &EvalCx<'_>) -> Result<Outcome, Outcome> {
        let mut dates = Vec::with_capacity(self.steps.len());
        let mut absent = Vec::new();
        for s in &self.steps {
            match cx.facts.date(s) {
                Some(d) => dates.push((cx.label(s), d)),
                None => absent.push(s.as_str()),
            }
        }
        if !absent.is_empty() {
            return Err(cx.missing(&absent));
        }
        let chain_zh: Vec<String> = dates.iter().map(|(f, d)| format!("{} {d}", f.zh)).collect();
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
        Ok(if wrong.is_empty() {
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
        })
    }

    fn describe(&self, catalogue: &Catalogue) -> Words {
        let labels: Vec<Label<'_>> = self.steps.iter().map(|s| Label::of(catalogue, s)).collect();
        let zh: Vec<String> = labels.iter().map(Label::zh_ref).collect();
        let en: Vec<String> = labels.iter().map(Label::en_ref).collect();
        Words {
            zh: format!("已填写且依次不晚于下一步：{}。", zh.join(" ≤ ")),
            en: format!(
                "Every step recorded, each on or before the next: {}.",
                en.join(" ≤ ")
            ),
        }
    }
}

#[cfg(test)]
mod tests {
    use chrono::NaiveDate;

    use crate::facts::Facts;
    use crate::rules::kinds::testing::catalogue;
    use crate::rules::{Verdict, evaluate};

    #[test]
    fn same_day_is_in_order() {
        let c = catalogue(
            &[("a", "date"), ("b", "date")],
            "kind = \"dates_in_order\"\nsteps = [\"a\", \"b\"]\n",
        )
        .unwrap();
        let d = |day| NaiveDate::from_ymd_opt(2031, 5, day).unwrap();
        let run = |a, b| evaluate(&c, &Facts::new().with("a", d(a)).with("b", d(b)))[0].verdict;
        assert_eq!(run(1, 1), Verdict::Pass);
        assert_eq!(run(1, 2), Verdict::Pass);
        assert_eq!(run(2, 1), Verdict::Fail);
        let e = catalogue(
            &[("a", "date")],
            "kind = \"dates_in_order\"\nsteps = [\"a\"]\n",
        )
        .unwrap_err();
        assert!(
            e.message.contains("steps needs at least two date facts"),
            "{e}"
        );
        let e = catalogue(
            &[("a", "date"), ("b", "date")],
            "kind = \"dates_in_order\"\nsteps = [\"a\", \"a\"]\n",
        )
        .unwrap_err();
        assert!(e.message.contains("'a' listed twice"), "{e}");
    }
}

//! `not_above_previous`: if `previous` was already below the cap of the `band_cap` rule
//! `cap_rule`, then `value <= previous`; lifted when `lift_value` grew MORE than
//! `lift_above_percent` over `lift_baseline` (R-RULE-9: "理事会规模已经低于规定上限的换届学会，
//! 其理事会规模原则上不超过上一届，个人会员数年增幅超过30%的可适当放宽").
//!
//! ```toml
//! kind = "not_above_previous"
//! value = "council_new"              # int facts
//! previous = "council_previous"
//! cap_rule = "council-cap"           # id of a band_cap rule (its `by` chooses the band)
//! lift_value = "members_now"
//! lift_baseline = "members_baseline"
//! lift_above_percent = 30            # lifted when lift_value*100 > lift_baseline*(100+30)
//! ```
//!
//! `not_applicable` when `previous` is not below the cap (only the band cap applies then).
//! Exactly the percentage does not lift. Proposes `previous` as a cap when the lift is known
//! not to hold.

use serde::Serialize;

use super::band_cap::{BandCap, no_band};
use super::{KindDef, ProposeCx, RuleKind, Words};
use crate::catalogue::params::Params;
use crate::catalogue::{Catalogue, CatalogueError};
use crate::facts::{FactKind, group, group_wide};
use crate::plan::Target;
use crate::plan::propose::{band_cap_for, cap_metric, count, target};
use crate::rules::{EvalCx, Label, Outcome, Verdict, capitalise, percent};

const NAME: &str = "not_above_previous";

pub(crate) static DEF: KindDef = KindDef {
    name: NAME,
    params: &[
        "value",
        "previous",
        "cap_rule",
        "lift_value",
        "lift_baseline",
        "lift_above_percent",
    ],
    build,
};

/// A `not_above_previous` declaration.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct NotAbovePrevious {
    pub value: String,
    pub previous: String,
    pub cap_rule: String,
    pub lift_value: String,
    pub lift_baseline: String,
    pub lift_above_percent: i64,
}

fn build(p: &Params<'_>) -> Result<Box<dyn RuleKind>, CatalogueError> {
    let cap_rule = p.rule_ref("cap_rule", super::band_cap::DEF.name)?;
    Ok(Box::new(NotAbovePrevious {
        value: p.fact("value", FactKind::Int)?,
        previous: p.fact("previous", FactKind::Int)?,
        cap_rule,
        lift_value: p.fact("lift_value", FactKind::Int)?,
        lift_baseline: p.fact("lift_baseline", FactKind::Int)?,
        lift_above_percent: p.non_negative("lift_above_percent")?,
    }))
}

impl NotAbovePrevious {
    /// The referenced `band_cap` rule (the loader checked it exists and is one).
    fn cap<'a>(&self, catalogue: &'a Catalogue) -> Result<&'a BandCap, Outcome> {
        let Some((_, decl)) = catalogue.rule(&self.cap_rule) else {
            return Err(Outcome::new(
                Verdict::Insufficient,
                format!("任务清单中没有规则“{}”。", self.cap_rule),
                format!("The catalogue has no rule '{}'.", self.cap_rule),
            ));
        };
        decl.kind.downcast_ref::<BandCap>().ok_or_else(|| {
            Outcome::new(
                Verdict::Insufficient,
                format!("规则“{}”不是分档上限规则。", self.cap_rule),
                format!("Rule '{}' is not a band_cap rule.", self.cap_rule),
            )
        })
    }
}

impl RuleKind for NotAbovePrevious {
    fn name(&self) -> &'static str {
        NAME
    }

    fn facts(&self) -> Vec<&str> {
        vec![
            &self.value,
            &self.previous,
            &self.lift_value,
            &self.lift_baseline,
        ]
    }

    fn evaluate(&self, cx: &EvalCx<'_>) -> Result<Outcome, Outcome> {
        let BandCap { by, bands, .. } = self.cap(cx.catalogue)?;
        let [members, prev, new] =
            cx.ints([by.as_str(), self.previous.as_str(), self.value.as_str()])?;
        let (ml, pl, nl) = (
            cx.label(by),
            cx.label(&self.previous),
            cx.label(&self.value),
        );
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
        // New value is larger: lifted only if lift_value grew MORE than the percentage.
        let [now, base] = cx.ints([self.lift_value.as_str(), self.lift_baseline.as_str()])?;
        let (lv, lb) = (cx.label(&self.lift_value), cx.label(&self.lift_baseline));
        let (n, b, pct) = (
            i128::from(now),
            i128::from(base),
            i128::from(self.lift_above_percent),
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
        let over = i128::from(new) - i128::from(prev);
        Ok(if lifted {
            Outcome::pass_or_fail(
                true,
                format!(
                    "{below_zh}；{}，超过上一届 {}；但{growth_zh}，超过 {pct}%，可适当放宽，仅适用分档上限。",
                    nl.zh_n(new),
                    nl.count(over)
                ),
                format!(
                    "{below_en}; {}, {} above the previous council; but {growth_en}, more than {pct}%: relaxed, only the band cap applies.",
                    nl.en_n(new),
                    group_wide(over)
                ),
            )
        } else {
            Outcome::pass_or_fail(
                false,
                format!(
                    "{below_zh}；{}，超过上一届 {}；{growth_zh}，未超过 {pct}%，不能放宽。",
                    nl.zh_n(new),
                    nl.count(over)
                ),
                format!(
                    "{below_en}; {}, {} above the previous council; {growth_en}, not more than {pct}%: not relaxed.",
                    nl.en_n(new),
                    group_wide(over)
                ),
            )
        })
    }

    fn describe(&self, catalogue: &Catalogue) -> Words {
        let l = |n: &str| Label::of(catalogue, n);
        let (vl, pl, lv, lb) = (
            l(&self.value),
            l(&self.previous),
            l(&self.lift_value),
            l(&self.lift_baseline),
        );
        let pct = self.lift_above_percent;
        let rule = &self.cap_rule;
        Words {
            zh: format!(
                "{}已低于规则“{rule}”的上限时，{}不超过{}；{}比{}增长超过 {pct}% 时放宽（恰好 {pct}% 不放宽）。",
                pl.zh_ref(),
                vl.zh_ref(),
                pl.zh_ref(),
                lv.zh_ref(),
                lb.zh_ref()
            ),
            en: format!(
                "When {} is already below the cap of rule '{rule}', {} at most {}; relaxed when {} grew more than {pct}% over {} (exactly {pct}% is not more).",
                pl.en_ref(),
                vl.en_ref(),
                pl.en_ref(),
                lv.en_ref(),
                lb.en_ref()
            ),
        }
    }

    /// Target: the previous value (a cap), when it is already below the cap and the lift is
    /// known not to hold.
    fn propose(&self, cx: &ProposeCx<'_>) -> Option<Target> {
        let (_, decl) = cx.catalogue.rule(&self.cap_rule)?;
        let BandCap { by, bands, .. } = decl.kind.downcast_ref::<BandCap>()?;
        let cap = i128::from(band_cap_for(cx.facts, by, bands)?);
        let prev = count(cx.facts, &self.previous)?;
        if prev >= cap {
            return None;
        }
        let lv = count(cx.facts, &self.lift_value)?;
        let lb = count(cx.facts, &self.lift_baseline)?;
        let lifted =
            lv.checked_mul(100)? > lb.checked_mul(100 + i128::from(self.lift_above_percent))?;
        if lifted {
            return None;
        }
        let metric = format!("{}（不超过上一届）", cap_metric(cx.catalogue, &self.value)?);
        target(cx, metric, &self.value, None, prev, true)
    }
}

//! Targets proposed from a task's rules and a society's facts (R-PLAN-3: "tasks with rules
//! propose targets derived from the rule and the facts").
//!
//! Integer arithmetic only (`i128` intermediates); a rule whose facts are missing, negative or
//! zero where a division or a percentage needs them is skipped, never guessed.

use chrono::NaiveDate;

use crate::catalogue::Catalogue;
use crate::facts::{Facts, fact_field};
use crate::rules::{Band, RuleKind};

use super::Target;

/// Targets derived from the rules of task `task` and `facts` (R-PLAN-3), in the task's rule
/// order, each due at the end of the catalogue year, with a Chinese metric built from the fact
/// labels and a link to the fact that measures it (when it is a count).
///
/// - `growth_at_least` (task 2 members): baseline = the baseline fact, target = the smallest
///   integer meeting the rule, `ceil(baseline × (100 + percent) / 100)`.
/// - `rate_rises` (task 2 fee payers): baseline = the baseline count, target = the smallest
///   count giving a strictly higher rate over the current denominator; skipped when the
///   denominators are unknown or zero, or no such count exists.
/// - `band_cap` (task 9 council): target = the cap of the band the `by` fact falls in, using
///   the `…_baseline` fact when the `…_now` fact is missing; no baseline (a cap).
/// - `not_above_previous` (task 9): when the previous value is already below the cap and the
///   lift condition is known not to hold, target = the previous value (a cap).
/// - `ratio_at_least` (task 10 frontline, task 4): target = `ceil(denominator × p / q)`,
///   baseline = the current numerator when known.
/// - `ratio_at_most` (task 9 standing council): target = `floor(denominator × p / q)` (a cap).
/// - `count_at_least` (task 7): target = the minimum, baseline = the current value when known.
/// - `documents_present`: target = the number of required documents, baseline = how many the
///   society holds when its documents are recorded. Documents that can only exist after the
///   year ends (`evidence_after_year_end`, the year's annual report) are left out.
///
/// Yes/no and date rules propose nothing. An unknown task gives no targets.
pub fn propose_targets(catalogue: &Catalogue, facts: &Facts, task: u32) -> Vec<Target> {
    let Some(t) = catalogue.task(task) else {
        return Vec::new();
    };
    let due = NaiveDate::from_ymd_opt(catalogue.year, 12, 31);
    t.rules
        .iter()
        .filter_map(|r| propose(catalogue, &r.kind, facts, due))
        .collect()
}

fn propose(
    catalogue: &Catalogue,
    kind: &RuleKind,
    facts: &Facts,
    due: Option<NaiveDate>,
) -> Option<Target> {
    match kind {
        RuleKind::GrowthAtLeast {
            value,
            baseline,
            percent,
        } => {
            let b = count(facts, baseline).filter(|b| *b > 0)?;
            let need = ceil_div(b.checked_mul(100 + i128::from(*percent))?, 100)?;
            target(count_metric(value)?, value, Some(b), need, due, true)
        }
        RuleKind::RateRises {
            numerator,
            denominator,
            baseline_numerator,
            baseline_denominator,
        } => {
            let n0 = count(facts, baseline_numerator)?;
            let d0 = count(facts, baseline_denominator).filter(|d| *d > 0)?;
            let d1 = count(facts, denominator).filter(|d| *d > 0)?;
            // Smallest n1 with n1/d1 > n0/d0, i.e. n1*d0 > n0*d1.
            let need = n0.checked_mul(d1)? / d0 + 1;
            if need > d1 {
                return None;
            }
            target(
                count_metric(numerator)?,
                numerator,
                Some(n0),
                need,
                due,
                true,
            )
        }
        RuleKind::BandCap { value, by, bands } => {
            let cap = band_cap_for(facts, by, bands)?;
            target(cap_metric(value)?, value, None, i128::from(cap), due, true)
        }
        RuleKind::NotAbovePrevious {
            value,
            previous,
            cap_rule,
            lift_value,
            lift_baseline,
            lift_above_percent,
        } => {
            let (_, decl) = catalogue.rule(cap_rule)?;
            let RuleKind::BandCap { by, bands, .. } = &decl.kind else {
                return None;
            };
            let cap = i128::from(band_cap_for(facts, by, bands)?);
            let prev = count(facts, previous)?;
            if prev >= cap {
                return None;
            }
            let lv = count(facts, lift_value)?;
            let lb = count(facts, lift_baseline)?;
            let lifted =
                lv.checked_mul(100)? > lb.checked_mul(100 + i128::from(*lift_above_percent))?;
            if lifted {
                return None;
            }
            let metric = format!("{}（不超过上一届）", cap_metric(value)?);
            target(metric, value, None, prev, due, true)
        }
        RuleKind::RatioAtLeast {
            numerator,
            denominator,
            fraction,
        } => {
            let d = count(facts, denominator).filter(|d| *d > 0)?;
            let need = ceil_div(
                d.checked_mul(i128::from(fraction.p))?,
                i128::from(fraction.q),
            )?;
            target(
                count_metric(numerator)?,
                numerator,
                count(facts, numerator),
                need,
                due,
                true,
            )
        }
        RuleKind::RatioAtMost {
            numerator,
            denominator,
            fraction,
        } => {
            let d = count(facts, denominator).filter(|d| *d > 0)?;
            let q = i128::from(fraction.q);
            if q <= 0 {
                return None;
            }
            let most = d.checked_mul(i128::from(fraction.p))? / q;
            target(cap_metric(numerator)?, numerator, None, most, due, true)
        }
        RuleKind::CountAtLeast { value, min } => target(
            count_metric(value)?,
            value,
            count(facts, value),
            i128::from(*min),
            due,
            true,
        ),
        RuleKind::DocumentsPresent { documents } => {
            // A document that can only exist after the year ends (the year's annual report)
            // has no due date within the year to propose: left out.
            let documents: Vec<&String> = documents
                .iter()
                .filter(|id| {
                    catalogue
                        .document(id)
                        .is_none_or(|d| !d.evidence_after_year_end)
                })
                .collect();
            if documents.is_empty() {
                return None;
            }
            let names: Vec<&str> = documents
                .iter()
                .map(|id| {
                    catalogue
                        .document(id)
                        .map_or(id.as_str(), |d| d.name_zh.as_str())
                })
                .collect();
            let held = facts.documents.as_ref().map(|held| {
                documents
                    .iter()
                    .filter(|d| held.iter().any(|h| h == **d))
                    .count()
            });
            let mut t = target(
                format!("已具备的所需文件（{}）", names.join("、")),
                "documents",
                held.and_then(|h| i128::try_from(h).ok()),
                i128::try_from(documents.len()).ok()?,
                due,
                false,
            )?;
            t.unit = "份".to_owned();
            Some(t)
        }
        RuleKind::FlagTrue { .. }
        | RuleKind::DatePresent { .. }
        | RuleKind::DatesInOrder { .. } => None,
    }
}

/// A target on fact `fact` (linked when `link`), with the fact's unit.
/// `None` when the value does not fit an `i64` or the year has no 31 December.
fn target(
    metric: String,
    fact: &str,
    baseline: Option<i128>,
    value: i128,
    due: Option<NaiveDate>,
    link: bool,
) -> Option<Target> {
    Some(Target {
        metric,
        unit: fact_field(fact)
            .map(|f| f.unit_zh.to_owned())
            .unwrap_or_default(),
        baseline: baseline.and_then(|b| i64::try_from(b).ok()),
        target: Some(i64::try_from(value).ok()?),
        due: Some(due?),
        fact: link.then(|| fact.to_owned()),
    })
}

/// A non-negative count fact.
fn count(facts: &Facts, name: &str) -> Option<i128> {
    facts.int(name).filter(|v| *v >= 0).map(i128::from)
}

/// `ceil(a / b)` for `a >= 0`, `b > 0`.
fn ceil_div(a: i128, b: i128) -> Option<i128> {
    if b <= 0 || a < 0 {
        return None;
    }
    Some(a / b + i128::from(a % b != 0))
}

/// The cap of the band containing the `by` fact; the `…_baseline` fact stands in for a
/// missing `…_now` fact.
fn band_cap_for(facts: &Facts, by: &str, bands: &[Band]) -> Option<i64> {
    let v = facts.int(by).filter(|v| *v >= 0).or_else(|| {
        let stem = by.strip_suffix("_now")?;
        facts.int(&format!("{stem}_baseline")).filter(|v| *v >= 0)
    })?;
    bands.iter().find(|b| b.contains(v)).map(|b| b.cap)
}

/// The fact's label without "当前" / "新一届".
fn subject(name: &str) -> Option<(String, &'static str)> {
    let f = fact_field(name)?;
    let label = f
        .label_zh
        .strip_prefix("当前")
        .or_else(|| f.label_zh.strip_prefix("新一届"))
        .unwrap_or(f.label_zh);
    Some((label.to_owned(), f.unit_zh))
}

/// "个人会员数", "理事会中基层一线科技工作者人数".
fn count_metric(name: &str) -> Option<String> {
    let (s, unit) = subject(name)?;
    Some(if s.ends_with("会员") || unit == "个" {
        format!("{s}数")
    } else if unit == "人" {
        format!("{s}人数")
    } else {
        s
    })
}

/// "理事会人数上限".
fn cap_metric(name: &str) -> Option<String> {
    let (s, unit) = subject(name)?;
    Some(if unit == "人" {
        format!("{s}人数上限")
    } else {
        format!("{s}上限")
    })
}

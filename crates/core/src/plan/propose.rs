//! Targets proposed from a task's rules and a society's facts (R-PLAN-3: "tasks with rules
//! propose targets derived from the rule and the facts").
//!
//! Each rule kind proposes its own target (`RuleKind::propose` in `rules::kinds`); this module
//! collects them and holds the helpers they share. Integer arithmetic only (`i128`
//! intermediates); a rule whose facts are missing, negative or zero where a division or a
//! percentage needs them is skipped, never guessed.

use chrono::NaiveDate;

use crate::catalogue::Catalogue;
use crate::facts::Facts;
use crate::rules::Band;
use crate::rules::kinds::ProposeCx;

use super::Target;

/// Targets derived from the rules of task `task` and `facts` (R-PLAN-3), in the task's rule
/// order, each due at the end of the catalogue year, with a Chinese metric built from the fact
/// labels and a link to the fact that measures it (when it is a count).
///
/// What each kind proposes is documented with its `propose` (`rules::kinds`): growth, rate,
/// ratio and count rules the smallest value meeting them; band caps and ratio caps the cap;
/// `not_above_previous` the previous value when it binds; `documents_present` the number of
/// required documents (without those that only exist after the year ends). Yes/no, date and
/// judged rules propose nothing. An unknown task gives no targets.
pub fn propose_targets(catalogue: &Catalogue, facts: &Facts, task: u32) -> Vec<Target> {
    let Some(t) = catalogue.task(task) else {
        return Vec::new();
    };
    let cx = ProposeCx {
        catalogue,
        facts,
        due: NaiveDate::from_ymd_opt(catalogue.year, 12, 31),
    };
    t.rules.iter().filter_map(|r| r.kind.propose(&cx)).collect()
}

/// A target on fact `fact` (linked when `link`), with the fact's declared unit.
/// `None` when the value does not fit an `i64`, the year has no 31 December, or the target is
/// the baseline itself: a target already reached is nothing to plan, and adopting it would
/// draw the validator's "target equals the baseline" warning (issue 10).
pub(crate) fn target(
    cx: &ProposeCx<'_>,
    metric: String,
    fact: &str,
    baseline: Option<i128>,
    value: i128,
    link: bool,
) -> Option<Target> {
    if baseline == Some(value) {
        return None;
    }
    Some(Target {
        metric,
        unit: cx
            .catalogue
            .fact(fact)
            .map(|f| f.unit_zh.clone())
            .unwrap_or_default(),
        baseline: baseline.and_then(|b| i64::try_from(b).ok()),
        target: Some(i64::try_from(value).ok()?),
        due: Some(cx.due?),
        fact: link.then(|| fact.to_owned()),
    })
}

/// A non-negative count fact.
pub(crate) fn count(facts: &Facts, name: &str) -> Option<i128> {
    facts.int(name).filter(|v| *v >= 0).map(i128::from)
}

/// `ceil(a / b)` for `a >= 0`, `b > 0`.
pub(crate) fn ceil_div_checked(a: i128, b: i128) -> Option<i128> {
    if b <= 0 || a < 0 {
        return None;
    }
    Some(a / b + i128::from(a % b != 0))
}

/// The cap of the band containing the `by` fact. By convention the `…_baseline` fact stands
/// in for a missing `…_now` fact (a plan is written before the election, when only the
/// baseline may be known).
pub(crate) fn band_cap_for(facts: &Facts, by: &str, bands: &[Band]) -> Option<i64> {
    let v = facts.int(by).filter(|v| *v >= 0).or_else(|| {
        let stem = by.strip_suffix("_now")?;
        facts.int(&format!("{stem}_baseline")).filter(|v| *v >= 0)
    })?;
    bands.iter().find(|b| b.contains(v)).map(|b| b.cap)
}

/// The fact's declared label without "当前" / "新一届", and its unit.
fn subject<'a>(catalogue: &'a Catalogue, name: &str) -> Option<(String, &'a str)> {
    let f = catalogue.fact(name)?;
    let label = f
        .label_zh
        .strip_prefix("当前")
        .or_else(|| f.label_zh.strip_prefix("新一届"))
        .unwrap_or(&f.label_zh);
    Some((label.to_owned(), f.unit_zh.as_str()))
}

/// "个人会员数", "理事会中基层一线科技工作者人数".
pub(crate) fn count_metric(catalogue: &Catalogue, name: &str) -> Option<String> {
    let (s, unit) = subject(catalogue, name)?;
    Some(if s.ends_with("会员") || unit == "个" {
        format!("{s}数")
    } else if unit == "人" {
        format!("{s}人数")
    } else {
        s
    })
}

/// "理事会人数上限".
pub(crate) fn cap_metric(catalogue: &Catalogue, name: &str) -> Option<String> {
    let (s, unit) = subject(catalogue, name)?;
    Some(if unit == "人" {
        format!("{s}人数上限")
    } else {
        format!("{s}上限")
    })
}

//! Rounding as published (R-PUB-1), in integers only.
//!
//! - A rate is `part ÷ whole` in per-mille (‰), rounded half up:
//!   `⌊(2000 · part + whole) ÷ (2 · whole)⌋`; shown as a percentage with one decimal
//!   ([`crate::tracking::percent_text`]: 875 → `87.5%`, 1000 → `100%`). Nothing expected
//!   (`whole = 0`) has no rate (`—`).
//! - Shares of a whole that must add up to 100% (the colours of a group's societies) use the
//!   largest-remainder method on per-mille ([`shares`]): every share is first rounded down,
//!   then the per-mille still missing to reach 1000 go, one each, to the largest remainders
//!   (ties: in the order the parts are given).
//! - Totals of counts are exact sums of the rows; a total row's rate is computed from the
//!   summed counts with the same half-up rule, never averaged from the rows' rates.

use crate::tracking::percent_text;

use super::model::Ratio;

/// `part ÷ whole` in per-mille, rounded half up; `None` when `whole` is 0.
/// 1 of 8 = 125‰; 1 of 3 = 333‰ (333.33…); 2 of 3 = 667‰ (666.67…); 1 of 16 = 63‰ (62.5 → 63).
pub fn permille_half_up(part: u64, whole: u64) -> Option<u32> {
    if whole == 0 {
        return None;
    }
    let p = (u128::from(part) * 2000 + u128::from(whole)) / (u128::from(whole) * 2);
    Some(u32::try_from(p).unwrap_or(u32::MAX))
}

/// A rate as published: per-mille rounded half up and its text.
pub fn ratio(part: u64, whole: u64) -> Ratio {
    let permille = permille_half_up(part, whole);
    Ratio {
        permille,
        text: percent_text(permille),
    }
}

/// Largest-remainder shares in per-mille of `counts` (R-PUB-1): they add up to exactly 1000
/// when the counts add up to more than 0, and are all 0 otherwise. Each share is within 1‰
/// of the exact value and never below its rounded-down value.
pub fn shares(counts: &[u64]) -> Vec<u32> {
    let total: u128 = counts.iter().map(|c| u128::from(*c)).sum();
    if total == 0 {
        return vec![0; counts.len()];
    }
    // floor(1000 c / total) and the remainder 1000 c mod total.
    let mut out: Vec<(u128, u128)> = counts
        .iter()
        .map(|c| {
            let x = u128::from(*c) * 1000;
            (x / total, x % total)
        })
        .collect();
    let assigned: u128 = out.iter().map(|(q, _)| *q).sum();
    let missing = 1000u128.saturating_sub(assigned);
    let mut order: Vec<usize> = (0..out.len()).collect();
    // Largest remainder first; equal remainders keep the given order (stable sort).
    order.sort_by(|a, b| out[*b].1.cmp(&out[*a].1));
    for i in order
        .into_iter()
        .take(usize::try_from(missing).unwrap_or(0))
    {
        if let Some(o) = out.get_mut(i) {
            o.0 += 1;
        }
    }
    out.into_iter()
        .map(|(q, _)| u32::try_from(q).unwrap_or(u32::MAX))
        .collect()
}

/// A change of a rate in per-mille points, as words: zh `上升 2.5 个百分点` / `下降 1 个百分点`
/// / `持平`, en `up 2.5 points` / `down 1 point` / `unchanged`. Words rather than a sign, so a
/// spreadsheet cell never starts with `-`.
pub fn delta_words(delta: i64) -> (String, String) {
    if delta == 0 {
        return ("持平".to_owned(), "unchanged".to_owned());
    }
    let abs = delta.unsigned_abs();
    let points = if abs.is_multiple_of(10) {
        format!("{}", abs / 10)
    } else {
        format!("{}.{}", abs / 10, abs % 10)
    };
    let plural = if abs == 10 { "" } else { "s" };
    if delta > 0 {
        (
            format!("上升 {points} 个百分点"),
            format!("up {points} point{plural}"),
        )
    } else {
        (
            format!("下降 {points} 个百分点"),
            format!("down {points} point{plural}"),
        )
    }
}

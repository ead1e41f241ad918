//! `band_cap`: `value` at most the cap of the band that `by` falls in (R-RULE-9 council cap).
//!
//! ```toml
//! kind = "band_cap"
//! value = "council_new"      # int fact capped
//! by = "members_now"         # int fact choosing the band
//! [[tasks.rules.bands]]      # ordered, contiguous over the integers >= 0, no overlap,
//! min = 0                    # the first starts at 0 (or is open below), the last is open above;
//! min_inclusive = true       # every edge states whether it is included
//! max = 20000
//! max_inclusive = false
//! cap = 150
//! label_zh = "不足2万人"
//! label_en = "under 20,000"
//! # note_zh / note_en: said whenever this band is used
//! ```
//!
//! Passes when `value <= cap` (integers). Proposes the cap as a plan target.

use serde::{Deserialize, Serialize};
use toml::Spanned;

use super::{KindDef, ProposeCx, RuleKind, Words};
use crate::catalogue::params::Params;
use crate::catalogue::{Catalogue, CatalogueError};
use crate::facts::{FactKind, group, group_wide};
use crate::plan::Target;
use crate::plan::propose::{band_cap_for, cap_metric, target};
use crate::rules::{EvalCx, Label, Outcome, Verdict, capitalise};

const NAME: &str = "band_cap";

pub(crate) static DEF: KindDef = KindDef {
    name: NAME,
    params: &["value", "by", "bands"],
    build,
};

/// A `band_cap` declaration.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct BandCap {
    pub value: String,
    pub by: String,
    pub bands: Vec<Band>,
}

/// One band of a [`BandCap`]: values within the edges get `cap`.
/// An absent `min`/`max` is open on that side.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Band {
    pub min: Option<i64>,
    pub min_inclusive: bool,
    pub max: Option<i64>,
    pub max_inclusive: bool,
    pub cap: i64,
    /// The band in the notice's words, e.g. "2万以上且不足10万人".
    pub label_zh: String,
    pub label_en: String,
    /// Said whenever this band is used (e.g. the open edge at exactly 100,000).
    pub note_zh: Option<String>,
    pub note_en: Option<String>,
}

impl Band {
    /// Whether `v` lies within this band's edges.
    pub fn contains(&self, v: i64) -> bool {
        let above_min = match self.min {
            None => true,
            Some(m) if self.min_inclusive => v >= m,
            Some(m) => v > m,
        };
        let below_max = match self.max {
            None => true,
            Some(m) if self.max_inclusive => v <= m,
            Some(m) => v < m,
        };
        above_min && below_max
    }
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawBand {
    #[serde(default)]
    min: Option<Spanned<i64>>,
    #[serde(default)]
    min_inclusive: Option<Spanned<bool>>,
    #[serde(default)]
    max: Option<Spanned<i64>>,
    #[serde(default)]
    max_inclusive: Option<Spanned<bool>>,
    cap: Spanned<i64>,
    label_zh: Spanned<String>,
    label_en: Spanned<String>,
    #[serde(default)]
    note_zh: Option<Spanned<String>>,
    #[serde(default)]
    note_en: Option<Spanned<String>>,
}

fn build(p: &Params<'_>) -> Result<Box<dyn RuleKind>, CatalogueError> {
    Ok(Box::new(BandCap {
        value: p.fact("value", FactKind::Int)?,
        by: p.fact("by", FactKind::Int)?,
        bands: bands(p)?,
    }))
}

/// Bands (R-RULE-9): explicit inclusive flags, contiguous over the non-negative integers, no
/// overlap, no gap, open above at the end.
fn bands(p: &Params<'_>) -> Result<Vec<Band>, CatalogueError> {
    let v = p.req::<Vec<Spanned<RawBand>>>("bands")?;
    let raw = v.get_ref();
    if raw.is_empty() {
        return Err(p.err(v.span(), "bands must not be empty"));
    }
    let mut out: Vec<Band> = Vec::with_capacity(raw.len());
    // The largest integer the previous band includes (None: unbounded).
    let mut prev_upper: Option<i128> = None;
    for (i, b) in raw.iter().enumerate() {
        let n = i + 1;
        let rb = b.get_ref();
        let edge = |bound: &Option<Spanned<i64>>,
                    flag: &Option<Spanned<bool>>,
                    name: &str|
         -> Result<(Option<i64>, bool), CatalogueError> {
            match (bound, flag) {
                (Some(x), Some(f)) => Ok((Some(*x.get_ref()), *f.get_ref())),
                (Some(x), None) => Err(p.err(
                    x.span(),
                    format!("band {n}: {name} needs {name}_inclusive = true or false"),
                )),
                (None, Some(f)) => Err(p.err(
                    f.span(),
                    format!("band {n}: {name}_inclusive without {name}"),
                )),
                (None, None) => Ok((None, false)),
            }
        };
        let (min, min_inclusive) = edge(&rb.min, &rb.min_inclusive, "min")?;
        let (max, max_inclusive) = edge(&rb.max, &rb.max_inclusive, "max")?;
        let lower: Option<i128> = min.map(|m| i128::from(m) + if min_inclusive { 0 } else { 1 });
        let upper: Option<i128> = max.map(|m| i128::from(m) - if max_inclusive { 0 } else { 1 });
        let at = rb
            .min
            .as_ref()
            .map(Spanned::span)
            .or_else(|| rb.max.as_ref().map(Spanned::span))
            .unwrap_or_else(|| b.span());
        if let (Some(l), Some(u)) = (lower, upper)
            && l > u
        {
            return Err(p.err(at, format!("band {n} contains no value")));
        }
        if i == 0 {
            if lower.is_some_and(|l| l > 0) {
                return Err(p.err(
                    at,
                    "the first band must start at 0 (inclusive) or be open below",
                ));
            }
        } else {
            let Some(l) = lower else {
                return Err(p.err(
                    b.span(),
                    format!(
                        "band edges overlap: band {n} is open below, but band {} comes before it",
                        n - 1
                    ),
                ));
            };
            match prev_upper {
                None => {
                    return Err(p.err(
                        at,
                        format!(
                            "band edges overlap: band {} is open above, so band {n} cannot follow it",
                            n - 1
                        ),
                    ));
                }
                Some(pu) if l <= pu => {
                    return Err(p.err(
                        at,
                        format!(
                            "band edges overlap: band {n} starts at {}, which band {} already includes (up to {})",
                            l,
                            n - 1,
                            pu
                        ),
                    ));
                }
                Some(pu) if l > pu + 1 => {
                    return Err(p.err(
                        at,
                        format!(
                            "bands leave a gap: band {} ends at {} and band {n} starts at {}",
                            n - 1,
                            pu,
                            l
                        ),
                    ));
                }
                Some(_) => {}
            }
        }
        let cap = *rb.cap.get_ref();
        if cap < 0 {
            return Err(p.err(rb.cap.span(), format!("band {n}: cap must not be negative")));
        }
        match (&rb.note_zh, &rb.note_en) {
            (Some(s), None) | (None, Some(s)) => {
                return Err(p.err(
                    s.span(),
                    format!("band {n}: give both note_zh and note_en, or neither"),
                ));
            }
            _ => {}
        }
        prev_upper = upper;
        out.push(Band {
            min,
            min_inclusive,
            max,
            max_inclusive,
            cap,
            label_zh: p.text(&rb.label_zh, "label_zh")?,
            label_en: p.text(&rb.label_en, "label_en")?,
            note_zh: rb
                .note_zh
                .as_ref()
                .map(|s| p.text(s, "note_zh"))
                .transpose()?,
            note_en: rb
                .note_en
                .as_ref()
                .map(|s| p.text(s, "note_en"))
                .transpose()?,
        });
    }
    if prev_upper.is_some() {
        let last = raw.last().map_or(v.span(), Spanned::span);
        return Err(p.err(
            last,
            "the last band must be open above (no max), so every value has a cap",
        ));
    }
    Ok(out)
}

/// `insufficient`: `by` falls in no band (only for values below an open-below first band's
/// start, i.e. never for a validated file and a non-negative value).
pub(crate) fn no_band(ml: Label<'_>, members: i64) -> Outcome {
    Outcome::new(
        Verdict::Insufficient,
        format!("{}不在任何分档内。", ml.zh_n(members)),
        format!("{} falls in no band.", capitalise(ml.en_n(members))),
    )
}

impl RuleKind for BandCap {
    fn name(&self) -> &'static str {
        NAME
    }

    fn facts(&self) -> Vec<&str> {
        vec![&self.value, &self.by]
    }

    fn evaluate(&self, cx: &EvalCx<'_>) -> Result<Outcome, Outcome> {
        let [v, b] = cx.ints([self.value.as_str(), self.by.as_str()])?;
        let (vl, bl) = (cx.label(&self.value), cx.label(&self.by));
        let Some(band) = self.bands.iter().find(|band| band.contains(b)) else {
            return Err(no_band(bl, b));
        };
        let cap = band.cap;
        let head_zh = format!(
            "{}（{}），上限 {}；{}",
            bl.zh_n(b),
            band.label_zh,
            vl.count(i128::from(cap)),
            vl.zh_n(v)
        );
        let head_en = format!(
            "{} ({}): cap {}; {}",
            capitalise(bl.en_n(b)),
            band.label_en,
            group(cap),
            vl.en_n(v)
        );
        let mut out = if v <= cap {
            Outcome::pass_or_fail(
                true,
                format!("{head_zh}，未超出上限。"),
                format!("{head_en}, within the cap."),
            )
        } else {
            Outcome::pass_or_fail(
                false,
                format!(
                    "{head_zh}，超出 {}。",
                    vl.count(i128::from(v) - i128::from(cap))
                ),
                format!(
                    "{head_en}, {} over.",
                    group_wide(i128::from(v) - i128::from(cap))
                ),
            )
        };
        if let (Some(zh), Some(en)) = (&band.note_zh, &band.note_en) {
            out.zh.push_str(zh);
            out.en.push(' ');
            out.en.push_str(en);
        }
        Ok(out)
    }

    fn describe(&self, catalogue: &Catalogue) -> Words {
        let (vl, bl) = (
            Label::of(catalogue, &self.value),
            Label::of(catalogue, &self.by),
        );
        let zh: Vec<String> = self
            .bands
            .iter()
            .map(|b| format!("{}：{}", b.label_zh, vl.count(i128::from(b.cap))))
            .collect();
        let en: Vec<String> = self
            .bands
            .iter()
            .map(|b| format!("{}: {}", b.label_en, group(b.cap)))
            .collect();
        Words {
            zh: format!(
                "{}不超过按{}分档的上限（{}）。",
                vl.zh_ref(),
                bl.zh_ref(),
                zh.join("；")
            ),
            en: format!(
                "{} at most the cap of the band {} falls in ({}).",
                capitalise(vl.en_ref()),
                bl.en_ref(),
                en.join("; ")
            ),
        }
    }

    /// Target: the cap of the band the `by` fact falls in (no baseline: a cap).
    fn propose(&self, cx: &ProposeCx<'_>) -> Option<Target> {
        let cap = band_cap_for(cx.facts, &self.by, &self.bands)?;
        target(
            cx,
            cap_metric(cx.catalogue, &self.value)?,
            &self.value,
            None,
            i128::from(cap),
            true,
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::facts::Facts;
    use crate::rules::evaluate;
    use crate::rules::kinds::testing::catalogue;

    const BANDS: &str = "kind = \"band_cap\"\nvalue = \"v\"\nby = \"b\"\n\
        [[tasks.rules.bands]]\nmax = 10\nmax_inclusive = false\ncap = 3\nlabel_zh = \"不足10\"\nlabel_en = \"under 10\"\n\
        [[tasks.rules.bands]]\nmin = 10\nmin_inclusive = true\ncap = 5\nlabel_zh = \"10以上\"\nlabel_en = \"10 or more\"\n";

    #[test]
    fn boundaries_of_an_open_below_first_band() {
        let c = catalogue(&[("v", "int"), ("b", "int")], BANDS).unwrap();
        let run = |v: i64, b: i64| evaluate(&c, &Facts::new().with("v", v).with("b", b))[0].verdict;
        assert_eq!(run(3, 9), Verdict::Pass);
        assert_eq!(run(4, 9), Verdict::Fail);
        assert_eq!(run(5, 10), Verdict::Pass);
        assert_eq!(run(6, 10), Verdict::Fail);
        assert_eq!(run(5, i64::MAX), Verdict::Pass);
        let v = &evaluate(&c, &Facts::new().with("v", 1))[0];
        assert_eq!(v.verdict, Verdict::Insufficient);
        assert!(v.explanation_en.contains("(b)"), "{}", v.explanation_en);
    }

    #[test]
    fn described_in_words() {
        let c = catalogue(&[("v", "int"), ("b", "int")], BANDS).unwrap();
        let w = c.rule("r").unwrap().1.kind.describe(&c);
        assert_eq!(
            w.zh,
            "v中文（v）不超过按b中文（b）分档的上限（不足10：3 人；10以上：5 人）。"
        );
        assert_eq!(
            w.en,
            "V label (v) at most the cap of the band b label (b) falls in (under 10: 3; 10 or more: 5)."
        );
    }

    #[test]
    fn loader_errors() {
        let facts = [("v", "int"), ("b", "int")];
        let e = catalogue(&facts, &BANDS.replace("cap = 5", "cap = -5")).unwrap_err();
        assert!(
            e.message.contains("band 2: cap must not be negative"),
            "{e}"
        );
        let e = catalogue(
            &facts,
            &BANDS.replace("min = 10\nmin_inclusive = true\n", ""),
        )
        .unwrap_err();
        assert!(
            e.message
                .contains("band edges overlap: band 2 is open below"),
            "{e}"
        );
        let e = catalogue(
            &facts,
            &BANDS.replace("min_inclusive = true", "min_inclusive = false"),
        )
        .unwrap_err();
        assert!(e.message.contains("bands leave a gap"), "{e}");
        let e = catalogue(
            &facts,
            &BANDS.replace("cap = 5\n", "cap = 5\nmax = 20\nmax_inclusive = true\n"),
        )
        .unwrap_err();
        assert!(
            e.message.contains("the last band must be open above"),
            "{e}"
        );
        let e = catalogue(
            &facts,
            &BANDS.replace(
                "label_en = \"under 10\"",
                "label_en = \"under 10\"\ncolour = 1",
            ),
        )
        .unwrap_err();
        assert!(e.message.contains("colour"), "{e}");
        let e = catalogue(&[("v", "int"), ("b", "date")], BANDS).unwrap_err();
        assert!(
            e.message
                .contains("fact 'b' is of kind date, this parameter needs int"),
            "{e}"
        );
    }
}

//! `date_present`: a date fact is recorded, optionally within bounds (R-RULE-11 supervisory
//! board elected; R-RULE-DOC annual report published).
//!
//! ```toml
//! kind = "date_present"
//! value = "supervisory_board_elected_on"  # date fact
//! not_before = 2017-01-01                 # optional local date, inclusive
//! not_after = 2017-12-31                  # optional local date, inclusive
//! ```

use chrono::NaiveDate;
use serde::Serialize;

use super::{KindDef, RuleKind, Words};
use crate::catalogue::params::Params;
use crate::catalogue::{Catalogue, CatalogueError};
use crate::facts::FactKind;
use crate::rules::{EvalCx, Label, Outcome, capitalise};

const NAME: &str = "date_present";

pub(crate) static DEF: KindDef = KindDef {
    name: NAME,
    params: &["value", "not_before", "not_after"],
    build,
};

/// A `date_present` declaration.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct DatePresent {
    pub value: String,
    pub not_before: Option<NaiveDate>,
    pub not_after: Option<NaiveDate>,
}

fn build(p: &Params<'_>) -> Result<Box<dyn RuleKind>, CatalogueError> {
    let not_before = p.opt_date("not_before")?;
    let not_after = p.opt_date("not_after")?;
    if let (Some(a), Some(b), Some(span)) = (not_before, not_after, p.span("not_after"))
        && b < a
    {
        return Err(p.err(span, format!("not_after {b} is before not_before {a}")));
    }
    Ok(Box::new(DatePresent {
        value: p.fact("value", FactKind::Date)?,
        not_before,
        not_after,
    }))
}

impl RuleKind for DatePresent {
    fn name(&self) -> &'static str {
        NAME
    }

    fn facts(&self) -> Vec<&str> {
        vec![&self.value]
    }

    fn evaluate(&self, cx: &EvalCx<'_>) -> Result<Outcome, Outcome> {
        let vl = cx.label(&self.value);
        let Some(d) = cx.facts.date(&self.value) else {
            return Err(cx.missing(&[self.value.as_str()]));
        };
        Ok(
            if let Some(a) = self.not_before
                && d < a
            {
                Outcome::pass_or_fail(
                    false,
                    format!("{}：{d}，早于 {a}，不符合。", vl.zh),
                    format!("{}: {d}, before {a}: not met.", vl.en),
                )
            } else if let Some(b) = self.not_after
                && d > b
            {
                Outcome::pass_or_fail(
                    false,
                    format!("{}：{d}，晚于 {b}，不符合。", vl.zh),
                    format!("{}: {d}, after {b}: not met.", vl.en),
                )
            } else {
                let (zh_b, en_b) = match self.not_after {
                    Some(b) => (format!("（不晚于 {b}）"), format!(" (on or before {b})")),
                    None => (String::new(), String::new()),
                };
                Outcome::pass_or_fail(
                    true,
                    format!("{}：{d}{zh_b}，符合。", vl.zh),
                    format!("{}: {d}{en_b}: met.", vl.en),
                )
            },
        )
    }

    fn describe(&self, catalogue: &Catalogue) -> Words {
        let vl = Label::of(catalogue, &self.value);
        let mut zh = format!("已填写{}", vl.zh_ref());
        let mut en = format!("{} is recorded", capitalise(vl.en_ref()));
        if let Some(a) = self.not_before {
            zh.push_str(&format!("，不早于 {a}"));
            en.push_str(&format!(", on or after {a}"));
        }
        if let Some(b) = self.not_after {
            zh.push_str(&format!("，不晚于 {b}"));
            en.push_str(&format!(", on or before {b}"));
        }
        zh.push('。');
        en.push('.');
        Words { zh, en }
    }
}

#[cfg(test)]
mod tests {
    use chrono::NaiveDate;

    use crate::facts::Facts;
    use crate::rules::kinds::testing::catalogue;
    use crate::rules::{Verdict, evaluate};

    #[test]
    fn bounds_are_inclusive() {
        let c = catalogue(
            &[("d", "date")],
            "kind = \"date_present\"\nvalue = \"d\"\nnot_before = 2031-01-01\nnot_after = 2031-12-31\n",
        )
        .unwrap();
        let run = |y, m, d| {
            evaluate(
                &c,
                &Facts::new().with("d", NaiveDate::from_ymd_opt(y, m, d).unwrap()),
            )[0]
            .verdict
        };
        assert_eq!(run(2031, 1, 1), Verdict::Pass);
        assert_eq!(run(2031, 12, 31), Verdict::Pass);
        assert_eq!(run(2030, 12, 31), Verdict::Fail);
        assert_eq!(run(2032, 1, 1), Verdict::Fail);
        assert_eq!(
            c.rule("r").unwrap().1.kind.describe(&c).zh,
            "已填写d中文（d），不早于 2031-01-01，不晚于 2031-12-31。"
        );
        let e = catalogue(
            &[("d", "date")],
            "kind = \"date_present\"\nvalue = \"d\"\nnot_before = 2031-02-01\nnot_after = 2031-01-31\n",
        )
        .unwrap_err();
        assert!(
            e.message
                .contains("not_after 2031-01-31 is before not_before 2031-02-01"),
            "{e}"
        );
        let e = catalogue(
            &[("d", "date")],
            "kind = \"date_present\"\nvalue = \"d\"\nnot_after = 2031-01-31T10:00:00\n",
        )
        .unwrap_err();
        assert!(e.message.contains("local date"), "{e}");
    }
}

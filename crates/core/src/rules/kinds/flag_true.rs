//! `flag_true`: a yes/no fact is yes (R-RULE-7: office premises).
//!
//! ```toml
//! kind = "flag_true"
//! value = "has_office"  # bool fact
//! ```

use serde::Serialize;

use super::{KindDef, RuleKind, Words};
use crate::catalogue::params::Params;
use crate::catalogue::{Catalogue, CatalogueError};
use crate::facts::FactKind;
use crate::rules::{EvalCx, Label, Outcome, capitalise};

const NAME: &str = "flag_true";

pub(crate) static DEF: KindDef = KindDef {
    name: NAME,
    params: &["value"],
    build,
};

/// A `flag_true` declaration.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct FlagTrue {
    pub value: String,
}

fn build(p: &Params<'_>) -> Result<Box<dyn RuleKind>, CatalogueError> {
    Ok(Box::new(FlagTrue {
        value: p.fact("value", FactKind::Bool)?,
    }))
}

impl RuleKind for FlagTrue {
    fn name(&self) -> &'static str {
        NAME
    }

    fn facts(&self) -> Vec<&str> {
        vec![&self.value]
    }

    fn evaluate(&self, cx: &EvalCx<'_>) -> Result<Outcome, Outcome> {
        let vl = cx.label(&self.value);
        let Some(b) = cx.facts.flag(&self.value) else {
            return Err(cx.missing(&[self.value.as_str()]));
        };
        Ok(Outcome::pass_or_fail(
            b,
            format!("{}：{}。", vl.zh, if b { "是" } else { "否" }),
            format!("{}: {}.", vl.en, if b { "yes" } else { "no" }),
        ))
    }

    fn describe(&self, catalogue: &Catalogue) -> Words {
        let vl = Label::of(catalogue, &self.value);
        Words {
            zh: format!("{}为“是”。", vl.zh_ref()),
            en: format!("{} is yes.", capitalise(vl.en_ref())),
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::facts::Facts;
    use crate::rules::kinds::testing::catalogue;
    use crate::rules::{Verdict, evaluate};

    #[test]
    fn yes_passes_no_fails_unknown_is_insufficient() {
        let c = catalogue(&[("v", "bool")], "kind = \"flag_true\"\nvalue = \"v\"\n").unwrap();
        let run = |f: Facts| evaluate(&c, &f)[0].verdict;
        assert_eq!(run(Facts::new().with("v", true)), Verdict::Pass);
        assert_eq!(run(Facts::new().with("v", false)), Verdict::Fail);
        assert_eq!(run(Facts::new()), Verdict::Insufficient);
        let e = catalogue(&[("v", "int")], "kind = \"flag_true\"\nvalue = \"v\"\n").unwrap_err();
        assert!(
            e.message
                .contains("is of kind int, this parameter needs bool"),
            "{e}"
        );
    }
}

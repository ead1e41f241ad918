//! The kinds of rule a catalogue file can declare (R-RULE-*), one module each.
//!
//! A kind is written in one place: its module holds the parameter struct, the `build` function
//! that reads and checks the parameters in the loader (every error with `file:line:column`),
//! the evaluation with its bilingual explanation, the declaration in words for authors, the
//! target it proposes for a plan (R-PLAN-3), and its boundary tests. A new kind is a new
//! module plus one entry in [`KINDS`]. Nothing in a kind knows a fact name: parameters name
//! the facts, the catalogue declares them.
//!
//! | kind | parameters | passes when |
//! |---|---|---|
//! | `band_cap` | `value`, `by`, `[[bands]]` | `value <= cap` of the band `by` falls in |
//! | `ratio_at_least` | `numerator`, `denominator`, `fraction = [p, q]` | `numerator*q >= p*denominator` |
//! | `ratio_at_most` | `numerator`, `denominator`, `fraction = [p, q]` | `numerator*q <= p*denominator` |
//! | `growth_at_least` | `value`, `baseline`, `percent` | `value*100 >= baseline*(100+percent)` |
//! | `rate_rises` | `numerator`, `denominator`, `baseline_numerator`, `baseline_denominator` | `n1*d0 > n0*d1` |
//! | `count_at_least` | `value`, `min` | `value >= min` |
//! | `flag_true` | `value` | the yes/no fact is yes |
//! | `date_present` | `value`, optional `not_before`, `not_after` | the date is recorded, within bounds |
//! | `dates_in_order` | `steps` | every step recorded, each on or before the next |
//! | `documents_present` | `documents`, optional `fact` | every listed document is held |
//! | `not_above_previous` | `value`, `previous`, `cap_rule`, `lift_value`, `lift_baseline`, `lift_above_percent` | see the module |
//! | `judged` | `facts` | never computed: `warning` until a reviewer judges `pass` |

pub mod band_cap;
pub mod count_at_least;
pub mod date_present;
pub mod dates_in_order;
pub mod documents_present;
pub mod flag_true;
pub mod growth_at_least;
pub mod judged;
pub mod not_above_previous;
pub mod rate_rises;
pub mod ratio_at_least;
pub mod ratio_at_most;

use std::any::Any;
use std::fmt;
use std::ops::Deref;
use std::sync::Arc;

use chrono::NaiveDate;
use serde::ser::SerializeMap;
use serde::{Serialize, Serializer};

use super::{EvalCx, Outcome};
use crate::catalogue::params::Params;
use crate::catalogue::{Catalogue, CatalogueError};
use crate::facts::Facts;
use crate::plan::Target;

/// Every rule kind the loader knows, in documentation order. A new kind is one entry here
/// (and its module).
pub static KINDS: &[&KindDef] = &[
    &band_cap::DEF,
    &ratio_at_least::DEF,
    &ratio_at_most::DEF,
    &growth_at_least::DEF,
    &rate_rises::DEF,
    &count_at_least::DEF,
    &flag_true::DEF,
    &date_present::DEF,
    &dates_in_order::DEF,
    &documents_present::DEF,
    &not_above_previous::DEF,
    &judged::DEF,
];

/// A rule kind as the loader sees it: its name in the file, its parameters, and how to build
/// it from a declaration.
pub struct KindDef {
    /// The kind's name as written in the file (`kind = "band_cap"`).
    pub name: &'static str,
    /// Every parameter the kind takes, required or optional (others are refused).
    pub params: &'static [&'static str],
    /// Reads and checks the parameters of one declaration.
    pub(crate) build: fn(&Params<'_>) -> Result<Box<dyn RuleKind>, CatalogueError>,
}

/// The behaviour of one rule kind (see the module documentation).
pub trait RuleKind: fmt::Debug + Send + Sync + KindData {
    /// The kind's name as written in the file.
    fn name(&self) -> &'static str;

    /// The facts the rule reads, in parameter order.
    fn facts(&self) -> Vec<&str>;

    /// The verdict and its explanation. `Err` is an early outcome (e.g. `insufficient` for a
    /// missing fact); both become the verdict. The rule's severity and note are applied by
    /// the caller.
    fn evaluate(&self, cx: &EvalCx<'_>) -> Result<Outcome, Outcome>;

    /// The declaration in words, for authors (the catalogue summary).
    fn describe(&self, catalogue: &Catalogue) -> Words;

    /// The plan target this rule proposes for a society (R-PLAN-3); none by default.
    fn propose(&self, _cx: &ProposeCx<'_>) -> Option<Target> {
        None
    }

    /// Whether a reviewer judges the rule instead of the system computing it.
    fn judged(&self) -> bool {
        false
    }
}

/// What a kind's plan proposal reads (R-PLAN-3).
pub struct ProposeCx<'a> {
    pub catalogue: &'a Catalogue,
    pub facts: &'a Facts,
    /// Due date of proposed targets: the end of the catalogue year.
    pub due: Option<NaiveDate>,
}

/// Text in both languages.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Words {
    pub zh: String,
    pub en: String,
}

/// Comparison, downcasting and serialisation of a kind's parameters; implemented for every
/// `PartialEq + Serialize` type, so a kind only derives those.
pub trait KindData {
    fn as_any(&self) -> &dyn Any;
    /// Whether `other` is the same kind with the same parameters.
    fn same(&self, other: &dyn Any) -> bool;
    /// The parameters as a JSON object.
    fn params_json(&self) -> serde_json::Value;
}

impl<T: Any + PartialEq + Serialize> KindData for T {
    fn as_any(&self) -> &dyn Any {
        self
    }

    fn same(&self, other: &dyn Any) -> bool {
        other.downcast_ref::<T>().is_some_and(|o| o == self)
    }

    fn params_json(&self) -> serde_json::Value {
        serde_json::to_value(self).unwrap_or_default()
    }
}

/// A rule's kind with its parameters, as declared.
#[derive(Clone)]
pub struct Kind(Arc<dyn RuleKind>);

impl Kind {
    pub(crate) fn new(kind: Box<dyn RuleKind>) -> Self {
        Kind(Arc::from(kind))
    }

    /// The parameters of kind `T`, when the rule is of that kind.
    pub fn downcast_ref<T: RuleKind + 'static>(&self) -> Option<&T> {
        self.0.as_any().downcast_ref::<T>()
    }
}

impl Deref for Kind {
    type Target = dyn RuleKind;

    fn deref(&self) -> &Self::Target {
        &*self.0
    }
}

impl PartialEq for Kind {
    fn eq(&self, other: &Self) -> bool {
        self.0.same(other.0.as_any())
    }
}

impl fmt::Debug for Kind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.0.fmt(f)
    }
}

impl Serialize for Kind {
    /// `{"kind": "band_cap", "value": …, "by": …, "bands": […]}`.
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let params = self.0.params_json();
        let fields = params.as_object();
        let mut map = s.serialize_map(Some(1 + fields.map_or(0, |m| m.len())))?;
        map.serialize_entry("kind", self.0.name())?;
        if let Some(fields) = fields {
            for (k, v) in fields {
                map.serialize_entry(k, v)?;
            }
        }
        map.end()
    }
}

/// `p/q` with `p >= 0`, `q > 0`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Fraction {
    pub p: i64,
    pub q: i64,
}

impl Fraction {
    /// "3/4"
    pub fn text(self) -> String {
        format!("{}/{}", self.p, self.q)
    }
}

/// Test helpers shared by the kinds' boundary tests: a small catalogue file whose one task
/// declares the facts and the rule under test.
#[cfg(test)]
pub(crate) mod testing {
    use crate::catalogue::{Catalogue, CatalogueError, parse};

    /// A one-task catalogue with these `[[facts]]` and `[[tasks.rules]]` bodies; the task's
    /// clause is "规则原文。" and lists every declared fact.
    pub(crate) fn catalogue(
        facts: &[(&str, &str)],
        rule: &str,
    ) -> Result<Catalogue, CatalogueError> {
        parse(&source(facts, rule), "kind.toml")
    }

    /// 1-based line of the first `needle` in `src`.
    pub(crate) fn line_of(src: &str, needle: &str) -> usize {
        let pos = src.find(needle).unwrap_or(0);
        src[..pos].matches('\n').count() + 1
    }

    pub(crate) fn source(facts: &[(&str, &str)], rule: &str) -> String {
        let mut s = String::from(
            "year = 2031\ntitle_zh = \"测试\"\ntitle_en = \"Test\"\nnotice_title_zh = \"测试\"\n\
             notice_title_en = \"Test\"\nissued_on = 2031-01-10\ntimezone = \"Asia/Shanghai\"\n\
             plan_deadline = 2031-03-31T23:59:59\nmin_optional = 0\nmandatory_classes = [\"basic\"]\n\
             report_due_day = 5\nelection_fact = \"election\"\n\n\
             [[documents]]\nid = \"doc-a\"\nname_zh = \"文件甲\"\nname_en = \"Document A\"\ntask = 1\n\n\
             [[documents]]\nid = \"doc-b\"\nname_zh = \"文件乙\"\nname_en = \"Document B\"\ntask = 1\n\n\
             [[facts]]\nname = \"election\"\nkind = \"bool\"\nlabel_zh = \"本年度换届\"\nlabel_en = \"Election this year\"\n\n",
        );
        for (name, kind) in facts {
            let unit = if *kind == "int" {
                "unit_zh = \"人\"\nunit_en = \"people\"\n"
            } else {
                ""
            };
            s.push_str(&format!(
                "[[facts]]\nname = \"{name}\"\nkind = \"{kind}\"\nlabel_zh = \"{name}中文\"\nlabel_en = \"{name} label\"\n{unit}\n"
            ));
        }
        let names: Vec<String> = facts.iter().map(|(n, _)| format!("\"{n}\"")).collect();
        s.push_str(&format!(
            "[[tasks]]\nnumber = 1\nclass = \"basic\"\ntitle_zh = \"任务\"\ntitle_en = \"Task\"\n\
             clause_zh = \"规则原文。\"\nrequired_documents = [\"doc-a\", \"doc-b\"]\nfacts = [{}]\n\n\
             [[tasks.rules]]\nid = \"r\"\nseverity = \"hard\"\napplies = \"always\"\nclause_zh = \"规则原文\"\n{rule}\n",
            names.join(", ")
        ));
        s
    }
}

#[cfg(test)]
mod tests {
    use super::testing::{catalogue, line_of, source};
    use super::*;

    #[test]
    fn kind_names_are_unique_and_parameters_listed() {
        let mut names: Vec<&str> = KINDS.iter().map(|k| k.name).collect();
        names.sort_unstable();
        names.dedup();
        assert_eq!(names.len(), KINDS.len());
        for k in KINDS {
            assert!(!k.params.is_empty(), "{}", k.name);
        }
    }

    #[test]
    fn a_parameter_of_another_kind_is_refused_where_it_is() {
        let rule = "kind = \"count_at_least\"\nvalue = \"a\"\nmin = 1\nsteps = []\n";
        let e = catalogue(&[("a", "int")], rule).unwrap_err();
        assert!(
            e.message.contains("parameter 'steps' does not apply to rule kind 'count_at_least' (it takes: value, min)"),
            "{e}"
        );
        assert_eq!(
            e.line,
            line_of(&source(&[("a", "int")], rule), "steps = []"),
            "{e}"
        );
    }

    #[test]
    fn serialises_flat_with_its_name() {
        let c = catalogue(
            &[("a", "int")],
            "kind = \"count_at_least\"\nvalue = \"a\"\nmin = 2\n",
        )
        .unwrap();
        let (_, r) = c.rule("r").unwrap();
        let v = serde_json::to_value(r).unwrap();
        assert_eq!(v["kind"], "count_at_least");
        assert_eq!(v["value"], "a");
        assert_eq!(v["min"], 2);
        assert_eq!(r.kind.name(), "count_at_least");
        assert!(
            r.kind
                .downcast_ref::<count_at_least::CountAtLeast>()
                .is_some()
        );
        assert!(r.kind.downcast_ref::<flag_true::FlagTrue>().is_none());
        // Equality compares kind and parameters.
        let d = catalogue(
            &[("a", "int")],
            "kind = \"count_at_least\"\nvalue = \"a\"\nmin = 3\n",
        )
        .unwrap();
        assert_ne!(d.rule("r").unwrap().1.kind, r.kind);
        assert_eq!(c.clone().rule("r").unwrap().1.kind, r.kind);
    }
}

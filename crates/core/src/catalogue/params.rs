//! The parameters of one rule declaration, as its kind reads them (R-RULE-*).
//!
//! A `[[tasks.rules]]` table has the keys every rule has (`id`, `kind`, `severity`, …) and the
//! parameters of its kind. The kind's `build` function (`rules::kinds`) asks [`Params`] for each
//! parameter by name and type; every error points at the offending text. Parameters the kind
//! does not take are refused before it runs ([`Params::only_known`]), and a parameter the kind
//! declares but never reads is caught after it ran ([`Params::finish`]), so a kind's list of
//! parameters and its reading of them cannot drift apart.

use std::cell::RefCell;
use std::collections::{BTreeMap, BTreeSet};
use std::ops::Range;

use chrono::NaiveDate;
use serde::Deserialize;
use serde::de::DeserializeOwned;
use toml::Spanned;
use toml::de::{DeValue, ValueDeserializer};
use toml::value::Datetime;

use super::{CatalogueError, Cx, Res};
use crate::facts::{FactDecl, FactKind};
use crate::rules::kinds::{Fraction, KindDef};

/// The task a rule belongs to, as far as its parameters need it.
pub(crate) struct TaskScope<'a> {
    pub(crate) number: u32,
    pub(crate) clause_zh: &'a str,
    /// The facts the task lists: a rule may only read these.
    pub(crate) facts: &'a [String],
    /// The task's required documents: a rule may only ask for these.
    pub(crate) documents: &'a [String],
}

/// A reference from one rule to another (e.g. `cap_rule`), checked once every rule is known.
pub(crate) struct RuleRef {
    pub(crate) from: String,
    pub(crate) param: &'static str,
    pub(crate) target: Spanned<String>,
    /// The kind the referenced rule must be.
    pub(crate) expected: &'static str,
}

/// The parameters of one rule declaration.
pub(crate) struct Params<'a> {
    cx: &'a Cx<'a>,
    id: &'a str,
    def: &'static KindDef,
    kind_span: Range<usize>,
    task: &'a TaskScope<'a>,
    facts: &'a [FactDecl],
    /// Parameter name → (span of the key, spanned value).
    entries: BTreeMap<String, (Range<usize>, Spanned<DeValue<'a>>)>,
    read: RefCell<BTreeSet<&'static str>>,
    refs: RefCell<Vec<RuleRef>>,
}

impl<'a> Params<'a> {
    pub(super) fn new(
        cx: &'a Cx<'a>,
        id: &'a str,
        def: &'static KindDef,
        kind_span: Range<usize>,
        task: &'a TaskScope<'a>,
        facts: &'a [FactDecl],
        entries: BTreeMap<String, (Range<usize>, Spanned<DeValue<'a>>)>,
    ) -> Self {
        Params {
            cx,
            id,
            def,
            kind_span,
            task,
            facts,
            entries,
            read: RefCell::new(BTreeSet::new()),
            refs: RefCell::new(Vec::new()),
        }
    }

    /// An error at `span`, prefixed with the rule id.
    pub(crate) fn err(&self, span: Range<usize>, message: impl AsRef<str>) -> CatalogueError {
        self.cx
            .err(span, format!("rule '{}': {}", self.id, message.as_ref()))
    }

    /// Refuse parameters the kind does not take (first in file order), before it reads any.
    pub(crate) fn only_known(&self) -> Res<()> {
        let mut given: Vec<(&String, &Range<usize>)> = self
            .entries
            .iter()
            .map(|(k, (span, _))| (k, span))
            .collect();
        given.sort_by_key(|(_, span)| span.start);
        for (name, span) in given {
            if !self.def.params.contains(&name.as_str()) {
                return Err(self.err(
                    span.clone(),
                    format!(
                        "parameter '{name}' does not apply to rule kind '{}' (it takes: {})",
                        self.def.name,
                        self.def.params.join(", ")
                    ),
                ));
            }
        }
        Ok(())
    }

    /// After the kind has read its parameters: the references it made, or an error when it
    /// left a given parameter unread (a kind whose parameter list and reading disagree).
    pub(crate) fn finish(self) -> Res<Vec<RuleRef>> {
        let read = self.read.borrow();
        if let Some((name, (span, _))) = self
            .entries
            .iter()
            .find(|(k, _)| !read.contains(k.as_str()))
        {
            return Err(self.err(
                span.clone(),
                format!(
                    "parameter '{name}' is listed for rule kind '{}' but never read (a defect \
                     of the rule kind)",
                    self.def.name
                ),
            ));
        }
        drop(read);
        Ok(self.refs.into_inner())
    }

    fn mark(&self, name: &'static str) {
        self.read.borrow_mut().insert(name);
    }

    /// The span of parameter `name`, when given.
    pub(crate) fn span(&self, name: &str) -> Option<Range<usize>> {
        self.entries.get(name).map(|(_, v)| v.span())
    }

    /// Parameter `name` as `T`, when given.
    pub(crate) fn opt<T: DeserializeOwned>(&self, name: &'static str) -> Res<Option<Spanned<T>>> {
        self.mark(name);
        let Some((_, value)) = self.entries.get(name) else {
            return Ok(None);
        };
        let span = value.span();
        Spanned::<T>::deserialize(ValueDeserializer::from(value.clone()))
            .map(Some)
            .map_err(|e| {
                self.err(
                    e.span().unwrap_or(span),
                    format!("{name}: {}", e.message().trim_end()),
                )
            })
    }

    /// Parameter `name` as `T`; an error at the rule's `kind` when it is missing.
    pub(crate) fn req<T: DeserializeOwned>(&self, name: &'static str) -> Res<Spanned<T>> {
        self.opt(name)?.ok_or_else(|| {
            self.err(
                self.kind_span.clone(),
                format!("rule kind '{}' needs parameter '{name}'", self.def.name),
            )
        })
    }

    /// A fact named in a parameter: declared, of kind `kind` (any when `None`), and listed in
    /// the task's `facts`.
    pub(crate) fn fact_name(&self, s: &Spanned<String>, kind: Option<FactKind>) -> Res<String> {
        let name = s.get_ref();
        let Some(decl) = self.facts.iter().find(|f| &f.name == name) else {
            return Err(self.err(
                s.span(),
                format!("unknown fact '{name}' (not declared in [[facts]])"),
            ));
        };
        if let Some(kind) = kind
            && decl.kind != kind
        {
            return Err(self.err(
                s.span(),
                format!(
                    "fact '{name}' is of kind {}, this parameter needs {}",
                    decl.kind.as_str(),
                    kind.as_str()
                ),
            ));
        }
        self.listed(name, s.span())?;
        Ok(name.clone())
    }

    /// A rule reads only facts its task lists (so forms and summaries show them with the task).
    pub(crate) fn listed(&self, name: &str, span: Range<usize>) -> Res<()> {
        if self.task.facts.iter().any(|f| f == name) {
            Ok(())
        } else {
            Err(self.err(
                span,
                format!(
                    "fact '{name}' is not listed in task {}'s facts",
                    self.task.number
                ),
            ))
        }
    }

    /// Required parameter naming one fact of `kind`.
    pub(crate) fn fact(&self, name: &'static str, kind: FactKind) -> Res<String> {
        self.fact_name(&self.req::<String>(name)?, Some(kind))
    }

    /// Required parameter listing `min` or more distinct facts of `kind` (any when `None`).
    pub(crate) fn fact_list(
        &self,
        name: &'static str,
        kind: Option<FactKind>,
        min: usize,
    ) -> Res<Vec<String>> {
        let list = self.req::<Vec<Spanned<String>>>(name)?;
        if list.get_ref().len() < min {
            let count = match min {
                1 => "one".to_owned(),
                2 => "two".to_owned(),
                n => n.to_string(),
            };
            let what = kind.map_or_else(String::new, |k| format!("{} ", k.as_str()));
            let facts = if min == 1 { "fact" } else { "facts" };
            return Err(self.err(
                list.span(),
                format!("{name} needs at least {count} {what}{facts}"),
            ));
        }
        let mut out: Vec<String> = Vec::new();
        for s in list.get_ref() {
            let fact = self.fact_name(s, kind)?;
            if out.contains(&fact) {
                return Err(self.err(s.span(), format!("{name}: '{fact}' listed twice")));
            }
            out.push(fact);
        }
        Ok(out)
    }

    /// Optional parameter naming the document-set fact; by default the one `docs` fact the
    /// year declares.
    pub(crate) fn docs_fact(&self, name: &'static str, at: Range<usize>) -> Res<String> {
        if let Some(s) = self.opt::<String>(name)? {
            return self.fact_name(&s, Some(FactKind::Docs));
        }
        let docs: Vec<&FactDecl> = self
            .facts
            .iter()
            .filter(|f| f.kind == FactKind::Docs)
            .collect();
        match docs.as_slice() {
            [only] => {
                self.listed(&only.name, at)?;
                Ok(only.name.clone())
            }
            [] => Err(self.err(
                self.kind_span.clone(),
                format!(
                    "rule kind '{}' reads a fact of kind docs, and the file declares none",
                    self.def.name
                ),
            )),
            _ => Err(self.err(
                self.kind_span.clone(),
                format!(
                    "the file declares several facts of kind docs: name one with {name} = \"…\""
                ),
            )),
        }
    }

    /// Required parameter listing document kinds of the task's `required_documents`.
    pub(crate) fn documents(&self, name: &'static str) -> Res<Spanned<Vec<String>>> {
        let list = self.req::<Vec<Spanned<String>>>(name)?;
        if list.get_ref().is_empty() {
            return Err(self.err(list.span(), format!("{name} must not be empty")));
        }
        let mut ids: Vec<String> = Vec::new();
        for d in list.get_ref() {
            let did = d.get_ref();
            if !self.task.documents.contains(did) {
                return Err(self.err(
                    d.span(),
                    format!(
                        "document kind '{did}' is not in task {}'s required_documents",
                        self.task.number
                    ),
                ));
            }
            if ids.contains(did) {
                return Err(self.err(d.span(), format!("document kind '{did}' listed twice")));
            }
            ids.push(did.clone());
        }
        Ok(Spanned::new(list.span(), ids))
    }

    /// Required non-negative integer.
    pub(crate) fn non_negative(&self, name: &'static str) -> Res<i64> {
        let v = self.req::<i64>(name)?;
        if *v.get_ref() < 0 {
            return Err(self.err(v.span(), format!("{name} must not be negative")));
        }
        Ok(*v.get_ref())
    }

    /// Optional local date (`2017-12-31`).
    pub(crate) fn opt_date(&self, name: &'static str) -> Res<Option<NaiveDate>> {
        self.opt::<Datetime>(name)?
            .map(|d| {
                self.cx
                    .date(&d, name)
                    .map_err(|e| self.err(d.span(), e.message))
            })
            .transpose()
    }

    /// Required `[p, q]`, meaning p/q with `p >= 0`, `q > 0`.
    pub(crate) fn fraction(&self, name: &'static str) -> Res<Fraction> {
        let v = self.req::<Vec<Spanned<i64>>>(name)?;
        match v.get_ref().as_slice() {
            [p, q] => {
                if *p.get_ref() < 0 {
                    return Err(
                        self.err(p.span(), format!("{name} numerator must not be negative"))
                    );
                }
                if *q.get_ref() <= 0 {
                    return Err(self.err(q.span(), format!("{name} denominator must be positive")));
                }
                Ok(Fraction {
                    p: *p.get_ref(),
                    q: *q.get_ref(),
                })
            }
            _ => Err(self.err(
                v.span(),
                format!("{name} must be two integers [p, q], meaning p/q"),
            )),
        }
    }

    /// Required id of another rule, which must be of kind `expected` (checked once every rule
    /// is known).
    pub(crate) fn rule_ref(&self, name: &'static str, expected: &'static str) -> Res<String> {
        let target = self.req::<String>(name)?;
        let id = target.get_ref().clone();
        self.refs.borrow_mut().push(RuleRef {
            from: self.id.to_owned(),
            param: name,
            target,
            expected,
        });
        Ok(id)
    }

    /// Non-empty text in the file (e.g. a band label).
    pub(crate) fn text(&self, s: &Spanned<String>, what: &str) -> Res<String> {
        self.cx.text(s, what)
    }
}

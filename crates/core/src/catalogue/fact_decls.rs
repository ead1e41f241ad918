//! `[[facts]]`, `[placeholders]` and `election_fact`: the facts a catalogue year speaks about
//! (R-SOC-2), declared in its file. See `docs/CATALOGUE.md` for the format.

use std::collections::BTreeMap;
use std::fmt;

use serde::de::{self, SeqAccess, Visitor};
use serde::{Deserialize, Deserializer};
use toml::Spanned;

use super::{BUILTIN_2017_FILE, BUILTIN_2017_SOURCE, Cx, RawCatalogue, Res};
use crate::facts::{AtMost, FactDecl, FactKind};

/// One `[[facts]]` table.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawFact {
    name: Spanned<String>,
    kind: Spanned<String>,
    label_zh: Spanned<String>,
    label_en: Spanned<String>,
    #[serde(default)]
    unit_zh: Option<Spanned<String>>,
    #[serde(default)]
    unit_en: Option<Spanned<String>>,
    #[serde(default)]
    help_zh: Option<Spanned<String>>,
    #[serde(default)]
    help_en: Option<Spanned<String>>,
    #[serde(default)]
    at_most: Option<Spanned<OneOrMany>>,
    #[serde(default)]
    together_with: Option<Spanned<Vec<Spanned<String>>>>,
    #[serde(default)]
    not_before: Option<Spanned<OneOrMany>>,
}

/// A placeholder value: a string or an integer (`baseline_year = 2016`).
pub(super) struct RawPlaceholder(String);

impl<'de> Deserialize<'de> for RawPlaceholder {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl Visitor<'_> for V {
            type Value = RawPlaceholder;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a string or an integer")
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<RawPlaceholder, E> {
                Ok(RawPlaceholder(v.to_owned()))
            }
            fn visit_i64<E: de::Error>(self, v: i64) -> Result<RawPlaceholder, E> {
                Ok(RawPlaceholder(v.to_string()))
            }
            fn visit_u64<E: de::Error>(self, v: u64) -> Result<RawPlaceholder, E> {
                Ok(RawPlaceholder(v.to_string()))
            }
        }
        d.deserialize_any(V)
    }
}

/// `"a"` or `["a", "b"]`; the elements of a list keep their own spans.
pub(super) enum OneOrMany {
    One(String),
    Many(Vec<Spanned<String>>),
}

impl<'de> Deserialize<'de> for OneOrMany {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = OneOrMany;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a fact name or a list of fact names")
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<OneOrMany, E> {
                Ok(OneOrMany::One(v.to_owned()))
            }
            fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<OneOrMany, A::Error> {
                let mut out = Vec::new();
                while let Some(x) = seq.next_element::<Spanned<String>>()? {
                    out.push(x);
                }
                Ok(OneOrMany::Many(out))
            }
        }
        d.deserialize_any(V)
    }
}

/// The names in a [`OneOrMany`], each with its span.
fn names(v: &Spanned<OneOrMany>) -> Vec<Spanned<String>> {
    match v.get_ref() {
        OneOrMany::One(s) => vec![Spanned::new(v.span(), s.clone())],
        OneOrMany::Many(list) => list.clone(),
    }
}

/// What the loader knows about the file's facts.
pub(super) struct Declarations {
    pub(super) placeholders: BTreeMap<String, String>,
    pub(super) facts: Vec<FactDecl>,
    pub(super) election_fact: Option<String>,
    pub(super) from_builtin: bool,
}

impl Declarations {
    /// Said after "not declared in [[facts]]" when the facts come from the built-in file.
    pub(super) fn origin(&self) -> &'static str {
        if self.from_builtin {
            " of the built-in 2017 file: this file declares no [[facts]] of its own"
        } else {
            ""
        }
    }
}

/// Placeholder and fact names: a lower-case letter, then lower-case letters, digits or `_`
/// (they are JSON keys, form field names and column headers).
fn is_name(s: &str) -> bool {
    let mut b = s.bytes();
    b.next().is_some_and(|c| c.is_ascii_lowercase())
        && b.all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == b'_')
}

impl Cx<'_> {
    /// The file's fact declarations (R-SOC-2). A file without `[[facts]]` was written before
    /// facts were declared and could only speak of the 2017 facts: it takes the facts,
    /// placeholders and election fact of the built-in 2017 file (the 2017 compatibility shim).
    pub(super) fn fact_declarations(&self, raw: &RawCatalogue, year: i32) -> Res<Declarations> {
        let Some(facts) = &raw.facts else {
            if let Some(p) = &raw.placeholders {
                return Err(self.err(
                    p.span(),
                    "[placeholders] fill the labels of [[facts]], but the file declares no facts",
                ));
            }
            if let Some(e) = &raw.election_fact {
                return Err(self.err(
                    e.span(),
                    "election_fact names one of the [[facts]], but the file declares no facts",
                ));
            }
            return builtin_declarations();
        };

        let mut placeholders = BTreeMap::new();
        if let Some(p) = &raw.placeholders {
            for (name, value) in p.get_ref() {
                if !is_name(name) {
                    return Err(self.err(
                        value.span(),
                        format!(
                            "placeholder name '{name}' must be lower-case letters, digits or '_', \
                             starting with a letter"
                        ),
                    ));
                }
                if name == "year" {
                    return Err(self.err(
                        value.span(),
                        "placeholder 'year' is always the catalogue's year; it cannot be set",
                    ));
                }
                placeholders.insert(name.clone(), value.get_ref().0.clone());
            }
        }
        let mut fill_values = placeholders.clone();
        fill_values.insert("year".to_owned(), year.to_string());

        // Names and kinds first: relations may name a fact declared further down.
        let mut kinds: Vec<(String, FactKind)> = Vec::with_capacity(facts.get_ref().len());
        for f in facts.get_ref() {
            let r = f.get_ref();
            let name = r.name.get_ref();
            if !is_name(name) {
                return Err(self.err(
                    r.name.span(),
                    format!(
                        "fact name '{name}' must be lower-case letters, digits or '_', \
                         starting with a letter"
                    ),
                ));
            }
            if kinds.iter().any(|(n, _)| n == name) {
                return Err(self.err(r.name.span(), format!("duplicate fact name '{name}'")));
            }
            let Some(kind) = FactKind::from_name(r.kind.get_ref()) else {
                let known: Vec<&str> = FactKind::ALL.iter().map(|k| k.as_str()).collect();
                return Err(self.err(
                    r.kind.span(),
                    format!(
                        "fact '{name}': unknown fact kind '{}' (known: {})",
                        r.kind.get_ref(),
                        known.join(", ")
                    ),
                ));
            };
            kinds.push((name.clone(), kind));
        }
        let kind_of = |n: &str| kinds.iter().find(|(k, _)| k == n).map(|(_, k)| *k);

        let mut out = Vec::with_capacity(kinds.len());
        for (f, (name, kind)) in facts.get_ref().iter().zip(&kinds) {
            let r = f.get_ref();
            let fill = |s: &Spanned<String>, what: &str| -> Res<String> {
                let text = self.text(s, &format!("fact '{name}': {what}"))?;
                self.fill(s, &text, &format!("fact '{name}': {what}"), &fill_values)
            };
            let pair = |zh: &Option<Spanned<String>>,
                        en: &Option<Spanned<String>>,
                        what: &str|
             -> Res<Option<(String, String)>> {
                match (zh, en) {
                    (Some(z), Some(e)) => Ok(Some((
                        fill(z, &format!("{what}_zh"))?,
                        fill(e, &format!("{what}_en"))?,
                    ))),
                    (Some(s), None) | (None, Some(s)) => Err(self.err(
                        s.span(),
                        format!("fact '{name}': give both {what}_zh and {what}_en, or neither"),
                    )),
                    (None, None) => Ok(None),
                }
            };
            let (unit_zh, unit_en) = pair(&r.unit_zh, &r.unit_en, "unit")?.unwrap_or_default();
            let help = pair(&r.help_zh, &r.help_en, "help")?;

            // A related fact: declared, of the kind the relation needs, not this one.
            let related = |s: &Spanned<String>, rel: &str, need: FactKind| -> Res<String> {
                let other = s.get_ref();
                let Some(k) = kind_of(other) else {
                    return Err(self.err(
                        s.span(),
                        format!("fact '{name}': {rel} '{other}' is not a declared fact"),
                    ));
                };
                if other == name {
                    return Err(self.err(
                        s.span(),
                        format!("fact '{name}': {rel} names the fact itself"),
                    ));
                }
                for (n, k) in [(name.as_str(), *kind), (other.as_str(), k)] {
                    if k != need {
                        return Err(self.err(
                            s.span(),
                            format!(
                                "fact '{name}': {rel} relates {} facts, but '{n}' is of kind {}",
                                need.as_str(),
                                k.as_str()
                            ),
                        ));
                    }
                }
                Ok(other.clone())
            };

            let mut at_most: Vec<AtMost> = Vec::new();
            if let Some(v) = &r.at_most {
                for s in names(v) {
                    let whole = related(&s, "at_most", FactKind::Int)?;
                    if at_most.iter().any(|a| a.whole == whole) {
                        return Err(self.err(
                            s.span(),
                            format!("fact '{name}': at_most '{whole}' listed twice"),
                        ));
                    }
                    at_most.push(AtMost {
                        whole,
                        together_with: Vec::new(),
                    });
                }
            }
            if let Some(t) = &r.together_with {
                let [only] = at_most.as_mut_slice() else {
                    return Err(self.err(
                        t.span(),
                        format!(
                            "fact '{name}': together_with needs exactly one at_most (the whole \
                             the parts add up to)"
                        ),
                    ));
                };
                if t.get_ref().is_empty() {
                    return Err(self.err(
                        t.span(),
                        format!("fact '{name}': together_with must not be empty"),
                    ));
                }
                for s in t.get_ref() {
                    let other = related(s, "together_with", FactKind::Int)?;
                    if other == only.whole || only.together_with.contains(&other) {
                        return Err(self.err(
                            s.span(),
                            format!(
                                "fact '{name}': together_with '{other}' is already part of the \
                                 relation"
                            ),
                        ));
                    }
                    only.together_with.push(other);
                }
            }
            let mut not_before: Vec<String> = Vec::new();
            if let Some(v) = &r.not_before {
                for s in names(v) {
                    let earlier = related(&s, "not_before", FactKind::Date)?;
                    if not_before.contains(&earlier) {
                        return Err(self.err(
                            s.span(),
                            format!("fact '{name}': not_before '{earlier}' listed twice"),
                        ));
                    }
                    not_before.push(earlier);
                }
            }
            out.push(FactDecl {
                name: name.clone(),
                kind: *kind,
                label_zh: fill(&r.label_zh, "label_zh")?,
                label_en: fill(&r.label_en, "label_en")?,
                unit_zh,
                unit_en,
                help_zh: help.as_ref().map(|(z, _)| z.clone()),
                help_en: help.map(|(_, e)| e),
                at_most,
                not_before,
            });
        }

        let election_fact = match &raw.election_fact {
            None => None,
            Some(e) => {
                let name = e.get_ref();
                match kind_of(name) {
                    None => {
                        return Err(self.err(
                            e.span(),
                            format!("election_fact '{name}' is not a declared fact"),
                        ));
                    }
                    Some(FactKind::Bool) => Some(name.clone()),
                    Some(k) => {
                        return Err(self.err(
                            e.span(),
                            format!(
                                "election_fact '{name}' is of kind {}, it must be a bool fact",
                                k.as_str()
                            ),
                        ));
                    }
                }
            }
        };

        Ok(Declarations {
            placeholders,
            facts: out,
            election_fact,
            from_builtin: false,
        })
    }

    /// `text` (the value of `s`) with every `{name}` replaced by its placeholder value. An
    /// unknown placeholder or a stray brace is an error at that place in the file.
    fn fill(
        &self,
        s: &Spanned<String>,
        text: &str,
        what: &str,
        values: &BTreeMap<String, String>,
    ) -> Res<String> {
        // Where `needle` is in the file, inside the string's span (the string's start when it
        // cannot be found, e.g. behind an escape).
        let at = |needle: &str| {
            let span = s.span();
            let raw = self.source.get(span.clone()).unwrap_or("");
            match raw.find(needle) {
                Some(i) => span.start + i..span.start + i + needle.len(),
                None => span,
            }
        };
        let known = || {
            values
                .keys()
                .map(|k| format!("{{{k}}}"))
                .collect::<Vec<_>>()
                .join(", ")
        };
        let mut out = String::with_capacity(text.len());
        let mut rest = text;
        while let Some(i) = rest.find(['{', '}']) {
            out.push_str(&rest[..i]);
            let tail = &rest[i..];
            if tail.starts_with('}') {
                return Err(self.err(
                    at("}"),
                    format!("{what}: '}}' without '{{' (placeholders are written {{name}})"),
                ));
            }
            let Some(end) = tail.find('}') else {
                return Err(self.err(
                    at(tail),
                    format!("{what}: '{{' is not closed (placeholders are written {{name}})"),
                ));
            };
            let name = &tail[1..end];
            match values.get(name) {
                Some(v) => out.push_str(v),
                None => {
                    return Err(self.err(
                        at(&tail[..=end]),
                        format!(
                            "{what}: unknown placeholder '{{{name}}}' (known: {}; add it to \
                             [placeholders])",
                            known()
                        ),
                    ));
                }
            }
            rest = &tail[end + 1..];
        }
        out.push_str(rest);
        Ok(out)
    }
}

/// The declarations of the built-in 2017 file (for files that declare no facts).
fn builtin_declarations() -> Res<Declarations> {
    let cx = Cx {
        source: BUILTIN_2017_SOURCE,
        file: BUILTIN_2017_FILE,
    };
    let raw: RawCatalogue = toml::from_str(BUILTIN_2017_SOURCE).map_err(|e| cx.toml_err(&e))?;
    if raw.facts.is_none() {
        return Err(cx.err(0..0, "the built-in 2017 file declares no [[facts]]"));
    }
    let mut d = cx.fact_declarations(&raw, 2017)?;
    d.from_builtin = true;
    Ok(d)
}

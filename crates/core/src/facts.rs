//! A society's facts: the measured values the rules read (R-SOC-2).
//!
//! The facts a year speaks about are declared by its catalogue file (`[[facts]]`, see
//! `docs/CATALOGUE.md`): each [`FactDecl`] has a name, a [`FactKind`], labels, a unit, help
//! text and relations to other facts (a part never exceeds its whole, a date is not before
//! another). Nothing here knows a fact name: the code reads the declarations.
//!
//! [`Facts`] is one snapshot of values, a map from fact name to typed [`FactValue`]; every
//! fact is optional, and a missing value makes the rules that need it `insufficient`
//! (R-RULE-*). The same type is the contract of the what-if check (R-RULE-PRE): a society
//! posts a proposed new council as JSON (`{"members_now": 23000, "documents": ["council-rules"],
//! "sg_nominated_on": "2017-03-01"}`), [`parse_facts_json`] checks it against the year's
//! declarations, and `rules::evaluate` gives the verdicts without saving anything. Dated
//! history and who entered a value belong to the store, not here.

use std::collections::{BTreeMap, BTreeSet};
use std::fmt;

use chrono::NaiveDate;
use serde::de::{self, MapAccess, Visitor};
use serde::ser::SerializeMap;
use serde::{Deserialize, Deserializer, Serialize, Serializer};

use crate::catalogue::Catalogue;

/// Largest integer fact accepted (10¹²: far beyond any society's count, and products of two
/// such counts with percentages stay far inside `i64`).
pub const MAX_COUNT: i64 = 1_000_000_000_000;

/// The kind of value a fact holds (`kind` in a `[[facts]]` declaration).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum FactKind {
    /// A non-negative integer count (`i64` on the wire; negative is an input error).
    Int,
    /// `true` / `false`.
    Bool,
    /// A calendar date, `YYYY-MM-DD`.
    Date,
    /// A set of document kind ids of the catalogue (`[[documents]]`).
    Docs,
}

impl FactKind {
    /// Every kind, in documentation order.
    pub const ALL: [FactKind; 4] = [
        FactKind::Int,
        FactKind::Bool,
        FactKind::Date,
        FactKind::Docs,
    ];

    /// Stable identifier, as written in the catalogue file and serialised.
    pub fn as_str(self) -> &'static str {
        match self {
            FactKind::Int => "int",
            FactKind::Bool => "bool",
            FactKind::Date => "date",
            FactKind::Docs => "docs",
        }
    }

    /// The kind named `s` in a catalogue file.
    pub fn from_name(s: &str) -> Option<FactKind> {
        FactKind::ALL.into_iter().find(|k| k.as_str() == s)
    }

    /// What a value of this kind is, in Chinese (for summaries and forms).
    pub fn label_zh(self) -> &'static str {
        match self {
            FactKind::Int => "整数",
            FactKind::Bool => "是/否",
            FactKind::Date => "日期",
            FactKind::Docs => "文件清单",
        }
    }

    /// What a value of this kind is, in English.
    pub fn label_en(self) -> &'static str {
        match self {
            FactKind::Int => "integer",
            FactKind::Bool => "yes/no",
            FactKind::Date => "date",
            FactKind::Docs => "set of documents",
        }
    }
}

/// "A part never exceeds its whole": the declaring fact (plus `together_with`, when given) is
/// at most `whole` (`at_most` in a `[[facts]]` declaration).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct AtMost {
    pub whole: String,
    /// Other parts counted together with the declaring fact: their sum is at most `whole`.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub together_with: Vec<String>,
}

/// One fact a catalogue year speaks about (R-SOC-2): a `[[facts]]` declaration, with its
/// placeholders (`{baseline_year}`) filled.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct FactDecl {
    /// Name in JSON, in rule declarations, in forms and in the store.
    pub name: String,
    pub kind: FactKind,
    pub label_zh: String,
    pub label_en: String,
    /// Unit of a count in Chinese ("人", "个"), used in explanations; empty when none.
    pub unit_zh: String,
    /// Unit in English ("people"), for forms and summaries; empty when none.
    pub unit_en: String,
    pub help_zh: Option<String>,
    pub help_en: Option<String>,
    /// Relations checked on input: this fact is at most each whole.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub at_most: Vec<AtMost>,
    /// Relations checked on input: this date is not before each of these date facts.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub not_before: Vec<String>,
}

impl FactDecl {
    /// The label in the chosen language.
    pub fn label(&self, en: bool) -> &str {
        if en { &self.label_en } else { &self.label_zh }
    }
}

/// A typed value of one fact.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum FactValue {
    Int(i64),
    Bool(bool),
    Date(NaiveDate),
    /// Document kind ids, in the order given.
    Docs(Vec<String>),
}

impl FactValue {
    /// The kind of this value.
    pub fn kind(&self) -> FactKind {
        match self {
            FactValue::Int(_) => FactKind::Int,
            FactValue::Bool(_) => FactKind::Bool,
            FactValue::Date(_) => FactKind::Date,
            FactValue::Docs(_) => FactKind::Docs,
        }
    }

    /// The value as JSON, as on the wire and in the store.
    pub fn to_json(&self) -> serde_json::Value {
        match self {
            FactValue::Int(v) => serde_json::Value::from(*v),
            FactValue::Bool(v) => serde_json::Value::Bool(*v),
            FactValue::Date(d) => serde_json::Value::String(d.to_string()),
            FactValue::Docs(ids) => serde_json::Value::Array(
                ids.iter()
                    .map(|s| serde_json::Value::String(s.clone()))
                    .collect(),
            ),
        }
    }
}

impl From<i64> for FactValue {
    fn from(v: i64) -> Self {
        FactValue::Int(v)
    }
}

impl From<bool> for FactValue {
    fn from(v: bool) -> Self {
        FactValue::Bool(v)
    }
}

impl From<NaiveDate> for FactValue {
    fn from(v: NaiveDate) -> Self {
        FactValue::Date(v)
    }
}

impl From<Vec<String>> for FactValue {
    fn from(v: Vec<String>) -> Self {
        FactValue::Docs(v)
    }
}

impl Serialize for FactValue {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        match self {
            FactValue::Int(v) => s.serialize_i64(*v),
            FactValue::Bool(v) => s.serialize_bool(*v),
            FactValue::Date(d) => s.collect_str(d),
            FactValue::Docs(ids) => ids.serialize(s),
        }
    }
}

/// One snapshot of a society's facts (R-SOC-2): fact name → value, every fact optional.
///
/// Counts are `i64` so that a negative input can be reported precisely (see
/// [`Facts::validate`]); the rules only ever see validated facts. On the wire this is a JSON
/// object (`{"members_now": 123, "has_office": true, "sg_nominated_on": "2017-03-01",
/// "documents": ["council-rules"]}`); deserialising without a catalogue infers each value's
/// kind from its JSON type, [`parse_facts_json`] checks it against the declarations.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Facts {
    values: BTreeMap<String, FactValue>,
}

impl Facts {
    /// No facts at all.
    pub fn new() -> Self {
        Facts::default()
    }

    /// The value of the fact named `name`, `None` when unset.
    pub fn get(&self, name: &str) -> Option<&FactValue> {
        self.values.get(name)
    }

    /// The integer fact with this name, if it is set and an integer.
    pub fn int(&self, name: &str) -> Option<i64> {
        match self.get(name) {
            Some(FactValue::Int(v)) => Some(*v),
            _ => None,
        }
    }

    /// The yes/no fact with this name, if set.
    pub fn flag(&self, name: &str) -> Option<bool> {
        match self.get(name) {
            Some(FactValue::Bool(v)) => Some(*v),
            _ => None,
        }
    }

    /// The date fact with this name, if set.
    pub fn date(&self, name: &str) -> Option<NaiveDate> {
        match self.get(name) {
            Some(FactValue::Date(v)) => Some(*v),
            _ => None,
        }
    }

    /// The document-set fact with this name, if set.
    pub fn docs(&self, name: &str) -> Option<&[String]> {
        match self.get(name) {
            Some(FactValue::Docs(v)) => Some(v),
            _ => None,
        }
    }

    /// Set one fact.
    pub fn set(&mut self, name: impl Into<String>, value: impl Into<FactValue>) {
        self.values.insert(name.into(), value.into());
    }

    /// Set one fact to `Some` value, or clear it for `None`.
    pub fn set_opt<V: Into<FactValue>>(&mut self, name: impl Into<String>, value: Option<V>) {
        let name = name.into();
        match value {
            Some(v) => {
                self.values.insert(name, v.into());
            }
            None => {
                self.values.remove(&name);
            }
        }
    }

    /// These facts with one more set (builder style).
    #[must_use]
    pub fn with(mut self, name: impl Into<String>, value: impl Into<FactValue>) -> Self {
        self.set(name, value);
        self
    }

    /// Clear one fact; returns its value.
    pub fn remove(&mut self, name: &str) -> Option<FactValue> {
        self.values.remove(name)
    }

    /// Every set fact, by name.
    pub fn iter(&self) -> impl Iterator<Item = (&str, &FactValue)> {
        self.values.iter().map(|(k, v)| (k.as_str(), v))
    }

    /// Number of facts set.
    pub fn len(&self) -> usize {
        self.values.len()
    }

    /// Whether no fact is set.
    pub fn is_empty(&self) -> bool {
        self.values.is_empty()
    }

    /// Check the facts against the year's declarations (R-SOC-2, R-RULE-PRE): names that are
    /// not declared, values of the wrong kind, negative counts, relations declared in the
    /// catalogue (a part above its whole, a date before another), unknown or repeated document
    /// kinds. Returns the first error found — kinds, then negatives, then relations, then
    /// documents, each in declaration order — naming the field, in both languages.
    ///
    /// Rule outcomes (e.g. a council above its cap) are not input errors: they are verdicts.
    pub fn validate(&self, catalogue: &Catalogue) -> Result<(), FactsError> {
        for (name, value) in &self.values {
            let Some(decl) = catalogue.fact(name) else {
                return Err(unknown_field(name));
            };
            if value.kind() != decl.kind {
                return Err(type_error(decl, &value.to_json()));
            }
        }
        for f in catalogue.facts.iter().filter(|f| f.kind == FactKind::Int) {
            if let Some(v) = self.int(&f.name)
                && v < 0
            {
                return Err(FactsError::new(
                    &f.name,
                    format!("{}（{}）不能为负数：{}。", f.label_zh, f.name, v),
                    format!("{} ({}) cannot be negative: {}.", f.label_en, f.name, v),
                ));
            }
            // Issue 9 finding 9: no count near i64::MAX (growth rules multiply counts).
            if let Some(v) = self.int(&f.name)
                && v > MAX_COUNT
            {
                return Err(FactsError::new(
                    &f.name,
                    format!(
                        "{}（{}）过大：{}（最大 {}）。",
                        f.label_zh, f.name, v, MAX_COUNT
                    ),
                    format!(
                        "{} ({}) is too large: {} (at most {}).",
                        f.label_en, f.name, v, MAX_COUNT
                    ),
                ));
            }
        }
        for f in &catalogue.facts {
            for rel in &f.at_most {
                self.check_at_most(catalogue, f, rel)?;
            }
            for earlier in &f.not_before {
                self.check_not_before(catalogue, f, earlier)?;
            }
        }
        for f in catalogue.facts.iter().filter(|f| f.kind == FactKind::Docs) {
            let Some(docs) = self.docs(&f.name) else {
                continue;
            };
            let name = &f.name;
            let mut seen = BTreeSet::new();
            for d in docs {
                if catalogue.document(d).is_none() {
                    return Err(FactsError::new(
                        name,
                        format!(
                            "{name} 中的文件类型“{d}”不在{}年任务清单中。",
                            catalogue.year
                        ),
                        format!(
                            "{name}: unknown document kind '{d}' for the {} catalogue.",
                            catalogue.year
                        ),
                    ));
                }
                if !seen.insert(d.as_str()) {
                    return Err(FactsError::new(
                        name,
                        format!("{name} 中的文件类型“{d}”重复出现。"),
                        format!("{name}: document kind '{d}' is listed twice."),
                    ));
                }
            }
        }
        Ok(())
    }

    /// `part (+ together_with…) <= whole`, when all are given.
    fn check_at_most(
        &self,
        catalogue: &Catalogue,
        part: &FactDecl,
        rel: &AtMost,
    ) -> Result<(), FactsError> {
        let Some(whole) = catalogue.fact(&rel.whole) else {
            return Ok(());
        };
        let Some(w) = self.int(&whole.name) else {
            return Ok(());
        };
        let mut parts: Vec<(&FactDecl, i64)> = Vec::with_capacity(1 + rel.together_with.len());
        for name in std::iter::once(&part.name).chain(&rel.together_with) {
            let (Some(decl), Some(v)) = (catalogue.fact(name), self.int(name)) else {
                return Ok(());
            };
            parts.push((decl, v));
        }
        let sum: i128 = parts.iter().map(|(_, v)| i128::from(*v)).sum();
        if sum <= i128::from(w) {
            return Ok(());
        }
        if let [(p, v)] = parts.as_slice() {
            return Err(FactsError::new(
                &p.name,
                format!(
                    "{}（{}）为 {}，不能多于{}（{}）{}。",
                    p.label_zh,
                    p.name,
                    group(*v),
                    whole.label_zh,
                    whole.name,
                    group(w)
                ),
                format!(
                    "{} ({}) is {}, more than {} ({}) {}.",
                    p.label_en,
                    p.name,
                    group(*v),
                    lower_first(&whole.label_en),
                    whole.name,
                    group(w)
                ),
            ));
        }
        let count = |v: i128, unit: &str| {
            if unit.is_empty() {
                group_wide(v)
            } else {
                format!("{} {unit}", group_wide(v))
            }
        };
        let zh_parts: Vec<String> = parts
            .iter()
            .map(|(d, v)| {
                format!(
                    "{}（{}）{}",
                    d.label_zh,
                    d.name,
                    count(i128::from(*v), &d.unit_zh)
                )
            })
            .collect();
        let zh_list = match zh_parts.split_last() {
            Some((last, rest)) => format!("{}与{last}", rest.join("、")),
            None => String::new(),
        };
        let en_list = parts
            .iter()
            .enumerate()
            .map(|(i, (d, v))| {
                let label = if i == 0 {
                    d.label_en.clone()
                } else {
                    lower_first(&d.label_en)
                };
                format!("{label} ({}) {}", d.name, group(*v))
            })
            .collect::<Vec<_>>()
            .join(" plus ");
        Err(FactsError::new(
            &part.name,
            format!(
                "{zh_list}合计 {}，不能多于{}（{}）{}。",
                count(sum, &part.unit_zh),
                whole.label_zh,
                whole.name,
                count(i128::from(w), &whole.unit_zh)
            ),
            format!(
                "{en_list} make {}, more than {} ({}) {}.",
                group_wide(sum),
                lower_first(&whole.label_en),
                whole.name,
                group(w)
            ),
        ))
    }

    /// `fact >= earlier` for two dates, when both are given.
    fn check_not_before(
        &self,
        catalogue: &Catalogue,
        f: &FactDecl,
        earlier: &str,
    ) -> Result<(), FactsError> {
        let (Some(d), Some(e), Some(ed)) = (
            self.date(&f.name),
            catalogue.fact(earlier),
            self.date(earlier),
        ) else {
            return Ok(());
        };
        if d >= ed {
            return Ok(());
        }
        Err(FactsError::new(
            &f.name,
            format!(
                "{}（{}）为 {d}，不能早于{}（{}）{ed}。",
                f.label_zh, f.name, e.label_zh, e.name
            ),
            format!(
                "{} ({}) is {d}, before {} ({}) {ed}.",
                f.label_en,
                f.name,
                lower_first(&e.label_en),
                e.name
            ),
        ))
    }
}

impl Serialize for Facts {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut map = s.serialize_map(Some(self.values.len()))?;
        for (k, v) in &self.values {
            map.serialize_entry(k, v)?;
        }
        map.end()
    }
}

impl<'de> Deserialize<'de> for Facts {
    /// A JSON object; each value's kind follows its JSON type (integer, boolean, `YYYY-MM-DD`
    /// string, array of strings); `null` is "not given".
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct FactsVisitor;
        impl<'de> Visitor<'de> for FactsVisitor {
            type Value = Facts;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a map of fact names to values")
            }
            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Facts, A::Error> {
                let mut facts = Facts::default();
                while let Some((name, value)) = map.next_entry::<String, serde_json::Value>()? {
                    let v = match &value {
                        serde_json::Value::Null => continue,
                        serde_json::Value::Bool(b) => FactValue::Bool(*b),
                        serde_json::Value::Number(n) => {
                            FactValue::Int(n.as_i64().ok_or_else(|| {
                                de::Error::custom(format!("{name}: not an integer: {n}"))
                            })?)
                        }
                        serde_json::Value::String(s) => {
                            FactValue::Date(parse_iso_date(s).ok_or_else(|| {
                                de::Error::custom(format!("{name}: not a YYYY-MM-DD date: {s}"))
                            })?)
                        }
                        serde_json::Value::Array(items) => FactValue::Docs(
                            items
                                .iter()
                                .map(|i| i.as_str().map(str::to_owned))
                                .collect::<Option<Vec<_>>>()
                                .ok_or_else(|| {
                                    de::Error::custom(format!("{name}: not a list of strings"))
                                })?,
                        ),
                        serde_json::Value::Object(_) => {
                            return Err(de::Error::custom(format!(
                                "{name}: an object is not a fact value"
                            )));
                        }
                    };
                    facts.values.insert(name, v);
                }
                Ok(facts)
            }
        }
        d.deserialize_map(FactsVisitor)
    }
}

/// An input error in facts: which field, and what is wrong, in both languages (R-RULE-PRE).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, thiserror::Error)]
pub struct FactsError {
    /// The offending field, when the error is about one field.
    pub field: Option<String>,
    pub message_zh: String,
    pub message_en: String,
}

impl FactsError {
    fn new(field: &str, message_zh: String, message_en: String) -> Self {
        FactsError {
            field: Some(field.to_owned()),
            message_zh,
            message_en,
        }
    }
}

impl fmt::Display for FactsError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.field {
            Some(field) => write!(f, "{field}: {}", self.message_en),
            None => f.write_str(&self.message_en),
        }
    }
}

fn unknown_field(key: &str) -> FactsError {
    FactsError::new(
        key,
        format!("未知字段“{key}”。"),
        format!("Unknown field '{key}'."),
    )
}

/// "… must be an integer, got …" for a value of the wrong JSON type.
fn type_error(f: &FactDecl, value: &serde_json::Value) -> FactsError {
    let (zh, en) = match f.kind {
        FactKind::Int => ("整数", "an integer"),
        FactKind::Bool => ("true 或 false", "true or false"),
        FactKind::Date => ("日期字符串（YYYY-MM-DD）", "a date string (YYYY-MM-DD)"),
        FactKind::Docs => ("文件类型标识的数组", "an array of document kind ids"),
    };
    let key = &f.name;
    FactsError::new(
        key,
        format!("{}（{key}）须为{zh}，收到 {value}。", f.label_zh),
        format!("{} ({key}) must be {en}, got {value}.", f.label_en),
    )
}

/// Parse facts posted as a JSON object and validate them against the catalogue's declarations
/// (R-SOC-2, R-RULE-PRE). `null` means "not given". Every error names the field and says what
/// is wrong in Chinese and English: unknown field, wrong type, malformed date, negative count,
/// a declared relation broken (part above its whole, date before another), unknown document
/// kind.
pub fn parse_facts_json(json: &str, catalogue: &Catalogue) -> Result<Facts, FactsError> {
    let value: serde_json::Value = serde_json::from_str(json).map_err(|e| FactsError {
        field: None,
        message_zh: format!(
            "JSON 格式错误（第 {} 行第 {} 列）：{e}",
            e.line(),
            e.column()
        ),
        message_en: format!("Malformed JSON: {e}"),
    })?;
    let serde_json::Value::Object(map) = value else {
        return Err(FactsError {
            field: None,
            message_zh: "数据须为 JSON 对象（{…}）。".to_owned(),
            message_en: "Facts must be a JSON object ({…}).".to_owned(),
        });
    };
    let mut facts = Facts::default();
    for (key, value) in &map {
        let Some(f) = catalogue.fact(key) else {
            return Err(unknown_field(key));
        };
        if value.is_null() {
            continue;
        }
        let v = match f.kind {
            FactKind::Int => FactValue::Int(value.as_i64().ok_or_else(|| type_error(f, value))?),
            FactKind::Bool => FactValue::Bool(value.as_bool().ok_or_else(|| type_error(f, value))?),
            FactKind::Date => {
                let s = value.as_str().ok_or_else(|| type_error(f, value))?;
                FactValue::Date(parse_iso_date(s).ok_or_else(|| {
                    FactsError::new(
                        key,
                        format!(
                            "{}（{key}）不是有效日期：“{s}”，应为 YYYY-MM-DD。",
                            f.label_zh
                        ),
                        format!(
                            "{} ({key}) is not a valid date: '{s}'; expected YYYY-MM-DD.",
                            f.label_en
                        ),
                    )
                })?)
            }
            FactKind::Docs => {
                let items = value.as_array().ok_or_else(|| type_error(f, value))?;
                let mut docs = Vec::with_capacity(items.len());
                for item in items {
                    let s = item.as_str().ok_or_else(|| {
                        FactsError::new(
                            key,
                            format!(
                                "{}（{key}）须为文件类型标识（字符串）的数组，收到 {value}。",
                                f.label_zh
                            ),
                            format!(
                                "{} ({key}) must be an array of document kind ids (strings), got {value}.",
                                f.label_en
                            ),
                        )
                    })?;
                    docs.push(s.to_owned());
                }
                FactValue::Docs(docs)
            }
        };
        facts.values.insert(key.clone(), v);
    }
    facts.validate(catalogue)?;
    Ok(facts)
}

/// Strict `YYYY-MM-DD` (four-digit year, two-digit month and day).
pub fn parse_iso_date(s: &str) -> Option<NaiveDate> {
    let b = s.as_bytes();
    let shape_ok = b.len() == 10
        && b[4] == b'-'
        && b[7] == b'-'
        && b.iter()
            .enumerate()
            .all(|(i, c)| i == 4 || i == 7 || c.is_ascii_digit());
    if !shape_ok {
        return None;
    }
    NaiveDate::parse_from_str(s, "%Y-%m-%d").ok()
}

/// `23000` → `"23,000"` (both languages use ASCII digit grouping in explanations).
pub fn group(n: i64) -> String {
    group_wide(i128::from(n))
}

/// [`group`] for intermediate values that may exceed `i64`.
pub fn group_wide(n: i128) -> String {
    let digits = n.unsigned_abs().to_string();
    let mut out = String::with_capacity(digits.len() + digits.len() / 3 + 1);
    if n < 0 {
        out.push('-');
    }
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

/// Lower-case the first letter of an English label for use inside a sentence (an acronym
/// such as "CPC" stays as it is).
pub(crate) fn lower_first(s: &str) -> String {
    let mut chars = s.chars();
    let acronym = s
        .split_whitespace()
        .next()
        .is_some_and(|w| w.len() > 1 && w.chars().all(|c| c.is_ascii_uppercase()));
    match chars.next() {
        Some(c) if acronym => format!("{c}{}", chars.as_str()),
        Some(c) => format!("{}{}", c.to_lowercase(), chars.as_str()),
        None => String::new(),
    }
}

/// Test shorthand in the shape of a struct literal:
/// `facts! { members_now: Some(23_000), council_new: None, ..election() }` sets (or, for
/// `None`, clears) each named fact on top of the base (default: no facts).
#[cfg(test)]
macro_rules! facts {
    ($($name:ident : $v:expr,)* .. $base:expr) => {{
        #[allow(unused_mut)]
        let mut f: $crate::facts::Facts = $base;
        $( f.set_opt(stringify!($name), $v); )*
        f
    }};
    ($($name:ident : $v:expr),* $(,)?) => {
        facts!($($name: $v,)* ..$crate::facts::Facts::default())
    };
}
#[cfg(test)]
pub(crate) use facts;

#[cfg(test)]
mod tests {
    use super::*;
    use crate::catalogue::builtin_2017;

    #[test]
    fn the_2017_declarations_are_the_28_facts_of_before() {
        // R-SOC-2: the 2017 file declares exactly the facts used before facts were declared,
        // same names, kinds and order, so stored facts and API clients keep working.
        let cat = builtin_2017();
        let got: Vec<(&str, &str)> = cat
            .facts
            .iter()
            .map(|f| (f.name.as_str(), f.kind.as_str()))
            .collect();
        let want: &[(&str, &str)] = &[
            ("election_year", "bool"),
            ("members_baseline", "int"),
            ("members_now", "int"),
            ("fee_payers_baseline", "int"),
            ("fee_payers_now", "int"),
            ("council_previous", "int"),
            ("council_new", "int"),
            ("standing_new", "int"),
            ("council_frontline", "int"),
            ("standing_frontline", "int"),
            ("council_cpc", "int"),
            ("council_under_45", "int"),
            ("council_women", "int"),
            ("fulltime_staff", "int"),
            ("fulltime_sg_level", "int"),
            ("has_office", "bool"),
            ("branches_total", "int"),
            ("branches_inactive", "int"),
            ("branches_dissolved", "int"),
            ("directors_absent_without_reason", "int"),
            ("directors_adjusted", "int"),
            ("sg_nominated_on", "date"),
            ("sg_approved_on", "date"),
            ("sg_appointed_on", "date"),
            ("supervisory_board_elected_on", "date"),
            ("party_org_established_on", "date"),
            ("annual_report_published_on", "date"),
            ("documents", "docs"),
        ];
        assert_eq!(got, want);
        // The baseline year is a placeholder the file fills.
        let f = cat.fact("members_baseline").unwrap();
        assert_eq!(f.label_zh, "2016年底个人会员");
        assert_eq!(f.label_en, "Individual members at the end of 2016");
        assert_eq!(f.unit_zh, "人");
        assert_eq!(cat.fact("branches_total").unwrap().unit_zh, "个");
        assert_eq!(cat.fact("has_office").unwrap().unit_zh, "");
        assert_eq!(cat.election_fact.as_deref(), Some("election_year"));
        assert!(cat.fact("nope").is_none());
    }

    #[test]
    fn parses_a_full_what_if() {
        // R-RULE-PRE: a proposed new council, as the server posts it.
        let cat = builtin_2017();
        let facts = parse_facts_json(
            r#"{"election_year": true, "members_now": 23000, "council_new": 180,
                "standing_new": 60, "council_frontline": 135, "standing_frontline": 40,
                "sg_nominated_on": "2017-03-01", "documents": ["council-rules"],
                "has_office": null}"#,
            &cat,
        )
        .unwrap();
        assert_eq!(facts.flag("election_year"), Some(true));
        assert_eq!(facts.int("members_now"), Some(23000));
        assert_eq!(facts.flag("has_office"), None);
        assert_eq!(
            facts.date("sg_nominated_on"),
            NaiveDate::from_ymd_opt(2017, 3, 1)
        );
        assert_eq!(
            facts.docs("documents"),
            Some(&["council-rules".to_owned()][..])
        );
        assert_eq!(facts.len(), 8);
        // Typed accessors do not cross kinds.
        assert_eq!(facts.int("election_year"), None);
        assert_eq!(facts.date("members_now"), None);
        // And the serde impls read what they write; the wire format is unchanged.
        let json = serde_json::to_value(&facts).unwrap();
        assert_eq!(
            json,
            serde_json::json!({"election_year": true, "members_now": 23000, "council_new": 180,
                "standing_new": 60, "council_frontline": 135, "standing_frontline": 40,
                "sg_nominated_on": "2017-03-01", "documents": ["council-rules"]})
        );
        let back: Facts = serde_json::from_str(&serde_json::to_string(&facts).unwrap()).unwrap();
        assert_eq!(back, facts);
        back.validate(&cat).unwrap();
    }

    fn err(json: &str) -> FactsError {
        parse_facts_json(json, &builtin_2017()).unwrap_err()
    }

    #[test]
    fn input_errors_name_the_field_in_both_languages() {
        // R-SOC-2, R-RULE-PRE: (input, field, a word of the English message)
        let cases: &[(&str, Option<&str>, &str)] = &[
            (
                r#"{"council_size": 3}"#,
                Some("council_size"),
                "Unknown field",
            ),
            (r#"{"council_new": "180"}"#, Some("council_new"), "integer"),
            (r#"{"council_new": 180.5}"#, Some("council_new"), "integer"),
            (
                r#"{"has_office": "yes"}"#,
                Some("has_office"),
                "true or false",
            ),
            (
                r#"{"sg_approved_on": "2017-02-30"}"#,
                Some("sg_approved_on"),
                "not a valid date",
            ),
            (
                r#"{"sg_approved_on": "2017-2-3"}"#,
                Some("sg_approved_on"),
                "YYYY-MM-DD",
            ),
            (
                r#"{"sg_approved_on": 20170203}"#,
                Some("sg_approved_on"),
                "date string",
            ),
            (r#"{"members_now": -1}"#, Some("members_now"), "negative"),
            (
                r#"{"members_now": 9223372036854775807}"#,
                Some("members_now"),
                "too large",
            ),
            (
                r#"{"council_new": 100, "council_frontline": 101}"#,
                Some("council_frontline"),
                "more than",
            ),
            (
                r#"{"standing_new": 20, "standing_frontline": 21}"#,
                Some("standing_frontline"),
                "more than",
            ),
            (
                r#"{"council_new": 100, "standing_new": 101}"#,
                Some("standing_new"),
                "more than",
            ),
            (
                r#"{"members_now": 100, "fee_payers_now": 101}"#,
                Some("fee_payers_now"),
                "more than",
            ),
            (
                r#"{"members_baseline": 100, "fee_payers_baseline": 101}"#,
                Some("fee_payers_baseline"),
                "more than",
            ),
            (
                r#"{"branches_total": 10, "branches_inactive": 6, "branches_dissolved": 5}"#,
                Some("branches_inactive"),
                "more than",
            ),
            (
                r#"{"fulltime_staff": 1, "fulltime_sg_level": 2}"#,
                Some("fulltime_sg_level"),
                "more than",
            ),
            (
                r#"{"documents": ["x"]}"#,
                Some("documents"),
                "unknown document kind 'x'",
            ),
            (
                r#"{"documents": "council-rules"}"#,
                Some("documents"),
                "array",
            ),
            (r#"{"documents": [1]}"#, Some("documents"), "strings"),
            (
                r#"{"documents": ["hr-rules", "hr-rules"]}"#,
                Some("documents"),
                "twice",
            ),
            (r#"[1, 2]"#, None, "JSON object"),
            (r#"{"members_now": 1"#, None, "Malformed JSON"),
        ];
        for (json, field, word) in cases {
            let e = err(json);
            assert_eq!(e.field.as_deref(), *field, "{json}: {e:?}");
            assert!(e.message_en.contains(word), "{json}: {e:?}");
            assert!(!e.message_zh.is_empty(), "{json}");
            if let Some(f) = field {
                assert!(e.message_zh.contains(f), "{json}: {}", e.message_zh);
                assert!(e.to_string().starts_with(f));
            }
        }
    }

    #[test]
    fn relation_messages_are_exact() {
        // The part/whole checks are declarations now; their messages are those of before.
        let e = err(r#"{"council_new": 100, "council_frontline": 101}"#);
        assert_eq!(
            e.message_zh,
            "理事会中基层一线科技工作者（council_frontline）为 101，不能多于新一届理事会（council_new）100。"
        );
        assert_eq!(
            e.message_en,
            "Frontline scientists on the council (council_frontline) is 101, more than new council size (council_new) 100."
        );
        let e = err(r#"{"members_baseline": 1000, "fee_payers_baseline": 1001}"#);
        assert_eq!(
            e.message_zh,
            "2016年底缴费个人会员（fee_payers_baseline）为 1,001，不能多于2016年底个人会员（members_baseline）1,000。"
        );
        let e = err(r#"{"branches_total": 10, "branches_inactive": 6, "branches_dissolved": 5}"#);
        assert_eq!(
            e.message_zh,
            "长期不开展活动的分支机构（branches_inactive）6 个与已清理撤销的分支机构（branches_dissolved）5 个合计 11 个，不能多于分支机构总数（branches_total）10 个。"
        );
        assert_eq!(
            e.message_en,
            "Long-inactive branches (branches_inactive) 6 plus branches dissolved (branches_dissolved) 5 make 11, more than branches in total (branches_total) 10."
        );
        // Both parts of standing_frontline: its council, then the council's frontline.
        let e = err(r#"{"standing_new": 30, "council_frontline": 20, "standing_frontline": 25}"#);
        assert_eq!(e.field.as_deref(), Some("standing_frontline"));
        assert!(e.message_en.contains("council_frontline"), "{e}");
        let e = err(r#"{"council_new": 100, "council_cpc": 101}"#);
        assert_eq!(
            e.message_en,
            "CPC members on the council (council_cpc) is 101, more than new council size (council_new) 100."
        );
        // A negative count is reported before any relation.
        let e = err(r#"{"council_new": 100, "council_frontline": 101, "members_now": -1}"#);
        assert_eq!(e.field.as_deref(), Some("members_now"));
        assert_eq!(e.message_zh, "当前个人会员（members_now）不能为负数：-1。");
    }

    #[test]
    fn equal_parts_are_fine() {
        let cat = builtin_2017();
        parse_facts_json(
            r#"{"council_new": 100, "council_frontline": 100, "standing_new": 100,
                "branches_total": 10, "branches_inactive": 5, "branches_dissolved": 5,
                "fulltime_staff": 0, "fulltime_sg_level": 0, "members_now": 0, "fee_payers_now": 0}"#,
            &cat,
        )
        .unwrap();
        parse_facts_json("{}", &cat).unwrap();
        // A part without its whole, or the sum without one of its parts: nothing to compare.
        parse_facts_json(
            r#"{"council_frontline": 500, "branches_total": 1, "branches_inactive": 6}"#,
            &cat,
        )
        .unwrap();
    }

    #[test]
    fn validate_checks_names_and_kinds_of_built_facts() {
        // Facts built in code (not from JSON) are checked the same way.
        let cat = builtin_2017();
        let e = Facts::new()
            .with("council_size", 3)
            .validate(&cat)
            .unwrap_err();
        assert_eq!(e.field.as_deref(), Some("council_size"));
        assert!(e.message_en.contains("Unknown field"));
        let e = Facts::new()
            .with("has_office", 1)
            .validate(&cat)
            .unwrap_err();
        assert_eq!(e.field.as_deref(), Some("has_office"));
        assert_eq!(
            e.message_en,
            "Office premises (has_office) must be true or false, got 1."
        );
        Facts::new()
            .with("has_office", true)
            .with("members_now", 5)
            .validate(&cat)
            .unwrap();
    }

    #[test]
    fn deserialising_without_a_catalogue_infers_kinds() {
        let f: Facts = serde_json::from_str(
            r#"{"a": 1, "b": true, "c": "2017-06-01", "d": ["x"], "e": null}"#,
        )
        .unwrap();
        assert_eq!(f.int("a"), Some(1));
        assert_eq!(f.flag("b"), Some(true));
        assert_eq!(f.date("c"), NaiveDate::from_ymd_opt(2017, 6, 1));
        assert_eq!(f.docs("d"), Some(&["x".to_owned()][..]));
        assert!(f.get("e").is_none());
        for bad in [
            r#"{"a": 1.5}"#,
            r#"{"a": "June"}"#,
            r#"{"a": [1]}"#,
            r#"{"a": {}}"#,
        ] {
            assert!(serde_json::from_str::<Facts>(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn builder_and_shorthand() {
        let mut f = Facts::new().with("members_now", 5).with("has_office", true);
        f.set_opt::<i64>("members_now", None);
        assert_eq!(f.int("members_now"), None);
        assert_eq!(f.remove("has_office"), Some(FactValue::Bool(true)));
        assert!(f.is_empty());
        let g = facts! { members_now: Some(7), council_new: Some(9) };
        let h = facts! { council_new: None::<i64>, ..g.clone() };
        assert_eq!(g.int("council_new"), Some(9));
        assert_eq!(h.int("council_new"), None);
        assert_eq!(h.int("members_now"), Some(7));
        assert_eq!(
            g.iter().map(|(k, _)| k).collect::<Vec<_>>(),
            ["council_new", "members_now"]
        );
    }

    #[test]
    fn grouping() {
        assert_eq!(group(0), "0");
        assert_eq!(group(999), "999");
        assert_eq!(group(23_000), "23,000");
        assert_eq!(group(-1_234_567), "-1,234,567");
        assert_eq!(group(100_000), "100,000");
    }

    #[test]
    fn lower_first_keeps_acronyms() {
        assert_eq!(lower_first("New council size"), "new council size");
        assert_eq!(
            lower_first("CPC members on the council"),
            "CPC members on the council"
        );
        assert_eq!(lower_first(""), "");
    }
}

//! A society's facts: the measured values the rules read (R-SOC-2).
//!
//! [`Facts`] is one snapshot of the values that matter for a check: every field is optional,
//! a missing value makes the rules that need it `insufficient` (R-RULE-*). The same type is
//! the contract of the what-if check (R-RULE-PRE): a society posts a proposed new council as
//! JSON, [`parse_facts_json`] validates it, and `rules::evaluate` gives the verdicts without
//! saving anything. Dated history and who entered a value belong to the store, not here.
//!
//! [`FACT_FIELDS`] lists every field with its kind and labels, so that forms, imports and the
//! catalogue loader (which checks the fact names in rule declarations) share one list.

use std::collections::BTreeSet;
use std::fmt;

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use crate::catalogue::Catalogue;

/// The kind of value a fact field holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum FactKind {
    /// A non-negative integer count (`i64` on the wire; negative is an input error).
    Int,
    /// `true` / `false`.
    Bool,
    /// A calendar date, `YYYY-MM-DD`.
    Date,
    /// A list of document kind ids of the catalogue.
    Docs,
}

impl FactKind {
    /// Stable identifier, as serialised.
    pub fn as_str(self) -> &'static str {
        match self {
            FactKind::Int => "int",
            FactKind::Bool => "bool",
            FactKind::Date => "date",
            FactKind::Docs => "docs",
        }
    }
}

/// One fact field: its wire name, kind and labels (R-SOC-2).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct FactField {
    /// Field name in JSON, in catalogue rule declarations and in the store.
    pub name: &'static str,
    pub kind: FactKind,
    pub label_zh: &'static str,
    pub label_en: &'static str,
    /// Unit for counts in Chinese explanations ("人", "个"); empty when none.
    pub unit_zh: &'static str,
}

const fn field(
    name: &'static str,
    kind: FactKind,
    label_zh: &'static str,
    label_en: &'static str,
    unit_zh: &'static str,
) -> FactField {
    FactField {
        name,
        kind,
        label_zh,
        label_en,
        unit_zh,
    }
}

/// Every fact field, in form order (R-SOC-2). The names are exactly the [`Facts`] field names.
pub const FACT_FIELDS: &[FactField] = &[
    field(
        "election_year",
        FactKind::Bool,
        "本年度换届",
        "Council election this year",
        "",
    ),
    field(
        "members_baseline",
        FactKind::Int,
        "2016年底个人会员",
        "Individual members at the end of 2016",
        "人",
    ),
    field(
        "members_now",
        FactKind::Int,
        "当前个人会员",
        "Individual members now",
        "人",
    ),
    field(
        "fee_payers_baseline",
        FactKind::Int,
        "2016年底缴费个人会员",
        "Fee-paying members at the end of 2016",
        "人",
    ),
    field(
        "fee_payers_now",
        FactKind::Int,
        "当前缴费个人会员",
        "Fee-paying members now",
        "人",
    ),
    field(
        "council_previous",
        FactKind::Int,
        "上一届理事会",
        "Previous council size",
        "人",
    ),
    field(
        "council_new",
        FactKind::Int,
        "新一届理事会",
        "New council size",
        "人",
    ),
    field(
        "standing_new",
        FactKind::Int,
        "新一届常务理事会",
        "New standing council size",
        "人",
    ),
    field(
        "council_frontline",
        FactKind::Int,
        "理事会中基层一线科技工作者",
        "Frontline scientists on the council",
        "人",
    ),
    field(
        "standing_frontline",
        FactKind::Int,
        "常务理事会中基层一线科技工作者",
        "Frontline scientists on the standing council",
        "人",
    ),
    field(
        "council_cpc",
        FactKind::Int,
        "理事会中中共党员",
        "CPC members on the council",
        "人",
    ),
    field(
        "council_under_45",
        FactKind::Int,
        "理事会中45岁以下成员",
        "Council members under 45",
        "人",
    ),
    field(
        "council_women",
        FactKind::Int,
        "理事会中女性成员",
        "Women on the council",
        "人",
    ),
    field(
        "fulltime_staff",
        FactKind::Int,
        "专职工作人员",
        "Full-time staff",
        "人",
    ),
    field(
        "fulltime_sg_level",
        FactKind::Int,
        "秘书长级专职工作人员",
        "Full-time staff of secretary-general level",
        "人",
    ),
    field(
        "has_office",
        FactKind::Bool,
        "有办公场所",
        "Office premises",
        "",
    ),
    field(
        "branches_total",
        FactKind::Int,
        "分支机构总数",
        "Branches in total",
        "个",
    ),
    field(
        "branches_inactive",
        FactKind::Int,
        "长期不开展活动的分支机构",
        "Long-inactive branches",
        "个",
    ),
    field(
        "branches_dissolved",
        FactKind::Int,
        "已清理撤销的分支机构",
        "Branches dissolved",
        "个",
    ),
    field(
        "directors_absent_without_reason",
        FactKind::Int,
        "无故不参加会议的理事",
        "Directors absent without reason",
        "人",
    ),
    field(
        "directors_adjusted",
        FactKind::Int,
        "已调整的理事",
        "Directors adjusted (replaced)",
        "人",
    ),
    field(
        "sg_nominated_on",
        FactKind::Date,
        "理事长提名秘书长日期",
        "Secretary-general nominated by the president on",
        "",
    ),
    field(
        "sg_approved_on",
        FactKind::Date,
        "理事会表决通过日期",
        "Approved by council vote on",
        "",
    ),
    field(
        "sg_appointed_on",
        FactKind::Date,
        "秘书长聘任日期",
        "Secretary-general appointed on",
        "",
    ),
    field(
        "supervisory_board_elected_on",
        FactKind::Date,
        "监事会选举产生日期",
        "Supervisory board elected on",
        "",
    ),
    field(
        "party_org_established_on",
        FactKind::Date,
        "理事会层面党组织成立日期",
        "Council-level Party organisation set up on",
        "",
    ),
    field(
        "annual_report_published_on",
        FactKind::Date,
        "年报公开发布日期",
        "Annual report published on",
        "",
    ),
    field(
        "documents",
        FactKind::Docs,
        "已具备的文件",
        "Documents in place",
        "",
    ),
];

/// The field of [`FACT_FIELDS`] with this name.
pub fn fact_field(name: &str) -> Option<&'static FactField> {
    FACT_FIELDS.iter().find(|f| f.name == name)
}

/// One snapshot of a society's facts (R-SOC-2); every value optional.
///
/// Counts are `i64` on the wire so that a negative input can be reported precisely
/// (see [`Facts::validate`]); the rules only ever see validated facts.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Facts {
    /// Whether the society holds its council election (换届) this year.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub election_year: Option<bool>,
    /// Individual members at the end of 2016 (R-RULE-2 baseline).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub members_baseline: Option<i64>,
    /// Individual members now / at the election (R-RULE-2, R-RULE-9).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub members_now: Option<i64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub fee_payers_baseline: Option<i64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub fee_payers_now: Option<i64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub council_previous: Option<i64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub council_new: Option<i64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub standing_new: Option<i64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub council_frontline: Option<i64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub standing_frontline: Option<i64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub council_cpc: Option<i64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub council_under_45: Option<i64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub council_women: Option<i64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub fulltime_staff: Option<i64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub fulltime_sg_level: Option<i64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub has_office: Option<bool>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub branches_total: Option<i64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub branches_inactive: Option<i64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub branches_dissolved: Option<i64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub directors_absent_without_reason: Option<i64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub directors_adjusted: Option<i64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sg_nominated_on: Option<NaiveDate>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sg_approved_on: Option<NaiveDate>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sg_appointed_on: Option<NaiveDate>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub supervisory_board_elected_on: Option<NaiveDate>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub party_org_established_on: Option<NaiveDate>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub annual_report_published_on: Option<NaiveDate>,
    /// Document kind ids (catalogue `[[documents]]`) the society has in place (R-RULE-DOC).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub documents: Option<Vec<String>>,
}

/// A value of one fact field, for generic access by name.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FactValue<'a> {
    Int(i64),
    Bool(bool),
    Date(NaiveDate),
    Docs(&'a [String]),
}

impl Facts {
    /// The integer fact with this name, if the field exists, is an int and is set.
    pub fn int(&self, name: &str) -> Option<i64> {
        match self.get(name) {
            Some(FactValue::Int(v)) => Some(v),
            _ => None,
        }
    }

    /// The boolean fact with this name, if set.
    pub fn flag(&self, name: &str) -> Option<bool> {
        match self.get(name) {
            Some(FactValue::Bool(v)) => Some(v),
            _ => None,
        }
    }

    /// The date fact with this name, if set.
    pub fn date(&self, name: &str) -> Option<NaiveDate> {
        match self.get(name) {
            Some(FactValue::Date(v)) => Some(v),
            _ => None,
        }
    }

    /// The value of the field named `name` ([`FACT_FIELDS`]), `None` when unset or unknown.
    pub fn get(&self, name: &str) -> Option<FactValue<'_>> {
        use FactValue::{Bool, Date, Docs, Int};
        match name {
            "election_year" => self.election_year.map(Bool),
            "members_baseline" => self.members_baseline.map(Int),
            "members_now" => self.members_now.map(Int),
            "fee_payers_baseline" => self.fee_payers_baseline.map(Int),
            "fee_payers_now" => self.fee_payers_now.map(Int),
            "council_previous" => self.council_previous.map(Int),
            "council_new" => self.council_new.map(Int),
            "standing_new" => self.standing_new.map(Int),
            "council_frontline" => self.council_frontline.map(Int),
            "standing_frontline" => self.standing_frontline.map(Int),
            "council_cpc" => self.council_cpc.map(Int),
            "council_under_45" => self.council_under_45.map(Int),
            "council_women" => self.council_women.map(Int),
            "fulltime_staff" => self.fulltime_staff.map(Int),
            "fulltime_sg_level" => self.fulltime_sg_level.map(Int),
            "has_office" => self.has_office.map(Bool),
            "branches_total" => self.branches_total.map(Int),
            "branches_inactive" => self.branches_inactive.map(Int),
            "branches_dissolved" => self.branches_dissolved.map(Int),
            "directors_absent_without_reason" => self.directors_absent_without_reason.map(Int),
            "directors_adjusted" => self.directors_adjusted.map(Int),
            "sg_nominated_on" => self.sg_nominated_on.map(Date),
            "sg_approved_on" => self.sg_approved_on.map(Date),
            "sg_appointed_on" => self.sg_appointed_on.map(Date),
            "supervisory_board_elected_on" => self.supervisory_board_elected_on.map(Date),
            "party_org_established_on" => self.party_org_established_on.map(Date),
            "annual_report_published_on" => self.annual_report_published_on.map(Date),
            "documents" => self.documents.as_deref().map(Docs),
            _ => None,
        }
    }

    pub(crate) fn int_slot(&mut self, name: &str) -> Option<&mut Option<i64>> {
        Some(match name {
            "members_baseline" => &mut self.members_baseline,
            "members_now" => &mut self.members_now,
            "fee_payers_baseline" => &mut self.fee_payers_baseline,
            "fee_payers_now" => &mut self.fee_payers_now,
            "council_previous" => &mut self.council_previous,
            "council_new" => &mut self.council_new,
            "standing_new" => &mut self.standing_new,
            "council_frontline" => &mut self.council_frontline,
            "standing_frontline" => &mut self.standing_frontline,
            "council_cpc" => &mut self.council_cpc,
            "council_under_45" => &mut self.council_under_45,
            "council_women" => &mut self.council_women,
            "fulltime_staff" => &mut self.fulltime_staff,
            "fulltime_sg_level" => &mut self.fulltime_sg_level,
            "branches_total" => &mut self.branches_total,
            "branches_inactive" => &mut self.branches_inactive,
            "branches_dissolved" => &mut self.branches_dissolved,
            "directors_absent_without_reason" => &mut self.directors_absent_without_reason,
            "directors_adjusted" => &mut self.directors_adjusted,
            _ => return None,
        })
    }

    pub(crate) fn bool_slot(&mut self, name: &str) -> Option<&mut Option<bool>> {
        Some(match name {
            "election_year" => &mut self.election_year,
            "has_office" => &mut self.has_office,
            _ => return None,
        })
    }

    pub(crate) fn date_slot(&mut self, name: &str) -> Option<&mut Option<NaiveDate>> {
        Some(match name {
            "sg_nominated_on" => &mut self.sg_nominated_on,
            "sg_approved_on" => &mut self.sg_approved_on,
            "sg_appointed_on" => &mut self.sg_appointed_on,
            "supervisory_board_elected_on" => &mut self.supervisory_board_elected_on,
            "party_org_established_on" => &mut self.party_org_established_on,
            "annual_report_published_on" => &mut self.annual_report_published_on,
            _ => return None,
        })
    }

    /// Check the facts for input errors (R-SOC-2, R-RULE-PRE): negative counts, parts larger
    /// than their whole, unknown or repeated document kinds. Returns the first error found,
    /// in [`FACT_FIELDS`] order, naming the field, in both languages.
    ///
    /// Rule outcomes (e.g. a council above its cap) are not input errors: they are verdicts.
    pub fn validate(&self, catalogue: &Catalogue) -> Result<(), FactsError> {
        for f in FACT_FIELDS.iter().filter(|f| f.kind == FactKind::Int) {
            if let Some(v) = self.int(f.name)
                && v < 0
            {
                return Err(FactsError::new(
                    f.name,
                    format!("{}（{}）不能为负数：{}。", f.label_zh, f.name, v),
                    format!("{} ({}) cannot be negative: {}.", f.label_en, f.name, v),
                ));
            }
        }
        // (part, whole): a part can never exceed its whole.
        const PARTS: &[(&str, &str)] = &[
            ("fee_payers_baseline", "members_baseline"),
            ("fee_payers_now", "members_now"),
            ("standing_new", "council_new"),
            ("council_frontline", "council_new"),
            ("standing_frontline", "standing_new"),
            ("standing_frontline", "council_frontline"),
            ("council_cpc", "council_new"),
            ("council_under_45", "council_new"),
            ("council_women", "council_new"),
            ("fulltime_sg_level", "fulltime_staff"),
        ];
        for &(part, whole) in PARTS {
            if let (Some(p), Some(w)) = (self.int(part), self.int(whole))
                && p > w
            {
                let (pf, wf) = (label(part), label(whole));
                return Err(FactsError::new(
                    part,
                    format!(
                        "{}（{}）为 {}，不能多于{}（{}）{}。",
                        pf.label_zh,
                        part,
                        group(p),
                        wf.label_zh,
                        whole,
                        group(w)
                    ),
                    format!(
                        "{} ({}) is {}, more than {} ({}) {}.",
                        pf.label_en,
                        part,
                        group(p),
                        lower_first(wf.label_en),
                        whole,
                        group(w)
                    ),
                ));
            }
        }
        if let (Some(total), Some(inactive), Some(dissolved)) = (
            self.branches_total,
            self.branches_inactive,
            self.branches_dissolved,
        ) && i128::from(inactive) + i128::from(dissolved) > i128::from(total)
        {
            return Err(FactsError::new(
                "branches_inactive",
                format!(
                    "长期不开展活动的分支机构（branches_inactive）{} 个与已清理撤销的分支机构（branches_dissolved）{} 个合计 {} 个，不能多于分支机构总数（branches_total）{} 个。",
                    group(inactive),
                    group(dissolved),
                    group_wide(i128::from(inactive) + i128::from(dissolved)),
                    group(total)
                ),
                format!(
                    "Long-inactive branches (branches_inactive) {} plus dissolved branches (branches_dissolved) {} make {}, more than branches in total (branches_total) {}.",
                    group(inactive),
                    group(dissolved),
                    group_wide(i128::from(inactive) + i128::from(dissolved)),
                    group(total)
                ),
            ));
        }
        if let Some(docs) = &self.documents {
            let mut seen = BTreeSet::new();
            for d in docs {
                if catalogue.document(d).is_none() {
                    return Err(FactsError::new(
                        "documents",
                        format!(
                            "documents 中的文件类型“{d}”不在{}年任务清单中。",
                            catalogue.year
                        ),
                        format!(
                            "documents: unknown document kind '{d}' for the {} catalogue.",
                            catalogue.year
                        ),
                    ));
                }
                if !seen.insert(d.as_str()) {
                    return Err(FactsError::new(
                        "documents",
                        format!("documents 中的文件类型“{d}”重复出现。"),
                        format!("documents: document kind '{d}' is listed twice."),
                    ));
                }
            }
        }
        Ok(())
    }
}

fn label(name: &'static str) -> FactField {
    fact_field(name)
        .copied()
        .unwrap_or(field(name, FactKind::Int, name, name, ""))
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

/// Parse facts posted as a JSON object and validate them against the catalogue
/// (R-SOC-2, R-RULE-PRE). `null` means "not given". Every error names the field and says what
/// is wrong in Chinese and English: unknown field, wrong type, malformed date, negative count,
/// part above its whole, unknown document kind.
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
        let Some(f) = fact_field(key) else {
            return Err(FactsError::new(
                key,
                format!("未知字段“{key}”。"),
                format!("Unknown field '{key}'."),
            ));
        };
        if value.is_null() {
            continue;
        }
        let type_error = |zh: &str, en: &str| {
            FactsError::new(
                key,
                format!("{}（{key}）须为{zh}，收到 {value}。", f.label_zh),
                format!("{} ({key}) must be {en}, got {value}.", f.label_en),
            )
        };
        match f.kind {
            FactKind::Int => {
                let n = value
                    .as_i64()
                    .ok_or_else(|| type_error("整数", "an integer"))?;
                if let Some(slot) = facts.int_slot(key) {
                    *slot = Some(n);
                }
            }
            FactKind::Bool => {
                let b = value
                    .as_bool()
                    .ok_or_else(|| type_error("true 或 false", "true or false"))?;
                if let Some(slot) = facts.bool_slot(key) {
                    *slot = Some(b);
                }
            }
            FactKind::Date => {
                let s = value.as_str().ok_or_else(|| {
                    type_error("日期字符串（YYYY-MM-DD）", "a date string (YYYY-MM-DD)")
                })?;
                let d = parse_iso_date(s).ok_or_else(|| {
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
                })?;
                if let Some(slot) = facts.date_slot(key) {
                    *slot = Some(d);
                }
            }
            FactKind::Docs => {
                let items = value.as_array().ok_or_else(|| {
                    type_error("文件类型标识的数组", "an array of document kind ids")
                })?;
                let mut docs = Vec::with_capacity(items.len());
                for item in items {
                    let s = item.as_str().ok_or_else(|| {
                        type_error(
                            "文件类型标识（字符串）的数组",
                            "an array of document kind ids (strings)",
                        )
                    })?;
                    docs.push(s.to_owned());
                }
                facts.documents = Some(docs);
            }
        }
    }
    facts.validate(catalogue)?;
    Ok(facts)
}

/// Strict `YYYY-MM-DD` (four-digit year, two-digit month and day).
fn parse_iso_date(s: &str) -> Option<NaiveDate> {
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

/// Lower-case the first letter of an English label for use inside a sentence.
pub(crate) fn lower_first(s: &str) -> String {
    let mut chars = s.chars();
    match chars.next() {
        Some(c) if s.starts_with("CPC") => format!("{c}{}", chars.as_str()),
        Some(c) => format!("{}{}", c.to_lowercase(), chars.as_str()),
        None => String::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::catalogue::builtin_2017;

    #[test]
    fn fact_fields_match_the_struct() {
        // Every FACT_FIELDS name is a Facts field of the right kind, and vice versa (R-SOC-2).
        let mut all = Facts::default();
        for f in FACT_FIELDS {
            match f.kind {
                FactKind::Int => *all.int_slot(f.name).unwrap() = Some(1),
                FactKind::Bool => *all.bool_slot(f.name).unwrap() = Some(true),
                FactKind::Date => {
                    *all.date_slot(f.name).unwrap() = NaiveDate::from_ymd_opt(2017, 6, 1)
                }
                FactKind::Docs => all.documents = Some(vec![]),
            }
            assert!(all.get(f.name).is_some(), "{}", f.name);
        }
        let json = serde_json::to_value(&all).unwrap();
        let keys: Vec<&str> = json
            .as_object()
            .unwrap()
            .keys()
            .map(|k| k.as_str())
            .collect();
        let mut names: Vec<&str> = FACT_FIELDS.iter().map(|f| f.name).collect();
        let mut keys_sorted = keys.clone();
        keys_sorted.sort_unstable();
        names.sort_unstable();
        assert_eq!(keys_sorted, names);
        let names: BTreeSet<_> = names.into_iter().collect();
        assert_eq!(names.len(), FACT_FIELDS.len(), "duplicate fact names");
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
        assert_eq!(facts.election_year, Some(true));
        assert_eq!(facts.members_now, Some(23000));
        assert_eq!(facts.has_office, None);
        assert_eq!(facts.sg_nominated_on, NaiveDate::from_ymd_opt(2017, 3, 1));
        assert_eq!(facts.documents, Some(vec!["council-rules".to_owned()]));
        // And the serde derive reads what it writes.
        let back: Facts = serde_json::from_str(&serde_json::to_string(&facts).unwrap()).unwrap();
        assert_eq!(back, facts);
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
    }

    #[test]
    fn grouping() {
        assert_eq!(group(0), "0");
        assert_eq!(group(999), "999");
        assert_eq!(group(23_000), "23,000");
        assert_eq!(group(-1_234_567), "-1,234,567");
        assert_eq!(group(100_000), "100,000");
    }
}

//! The published bulletin (监测通报 第N期) as a value (R-PUB-1, R-PUB-2). Every field here is
//! public; the module documentation of [`crate::publish`] lists them with their source.
//!
//! Serialised (serde) with the field names below, every field always present (`null` when
//! empty), enums as snake_case strings; [`super::canonical_bytes`] writes the canonical form.

use std::fmt;

use chrono::{DateTime, NaiveDateTime, Timelike, Utc};
use serde::{Deserialize, Deserializer, Serialize, Serializer};

use super::config::{LaggingRule, PeerDimension};
use crate::catalogue::TaskClass;
use crate::plan::PlanState;
use crate::tracking::Colour;

/// The version of the bulletin document format described in `docs/PUBLICATION.md`.
pub const BULLETIN_FORMAT: u32 = 1;

/// An instant in whole seconds, written `YYYY-MM-DDTHH:MM:SSZ` (RFC 3339, UTC, exactly 20
/// characters). Sub-seconds are dropped when one is made from a [`DateTime`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct UtcSecond(DateTime<Utc>);

impl UtcSecond {
    /// `at` without its fraction of a second.
    pub fn new(at: DateTime<Utc>) -> Self {
        UtcSecond(at.with_nanosecond(0).unwrap_or(at))
    }

    pub fn get(self) -> DateTime<Utc> {
        self.0
    }

    /// Parse exactly `YYYY-MM-DDTHH:MM:SSZ`.
    pub fn parse(s: &str) -> Option<Self> {
        let b = s.as_bytes();
        let digits = [0, 1, 2, 3, 5, 6, 8, 9, 11, 12, 14, 15, 17, 18];
        let shape = b.len() == 20
            && digits
                .iter()
                .all(|i| b.get(*i).is_some_and(u8::is_ascii_digit))
            && b.get(4) == Some(&b'-')
            && b.get(7) == Some(&b'-')
            && b.get(10) == Some(&b'T')
            && b.get(13) == Some(&b':')
            && b.get(16) == Some(&b':')
            && b.get(19) == Some(&b'Z');
        if !shape {
            return None;
        }
        NaiveDateTime::parse_from_str(s.get(..19)?, "%Y-%m-%dT%H:%M:%S")
            .ok()
            .map(|n| UtcSecond(n.and_utc()))
    }
}

impl fmt::Display for UtcSecond {
    /// `2017-08-06T02:00:00Z`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.0.format("%Y-%m-%dT%H:%M:%SZ"))
    }
}

impl Serialize for UtcSecond {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

impl<'de> Deserialize<'de> for UtcSecond {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = String::deserialize(d)?;
        UtcSecond::parse(&s).ok_or_else(|| {
            serde::de::Error::custom(format!(
                "expected a UTC time like 2017-08-06T02:00:00Z, got {s:?}"
            ))
        })
    }
}

/// A SHA-256 digest as 64 lower-case hexadecimal digits.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Sha256Hex(String);

impl Sha256Hex {
    /// `s` if it is 64 lower-case hexadecimal digits.
    pub fn parse(s: &str) -> Option<Self> {
        let ok = s.len() == 64
            && s.bytes()
                .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b));
        ok.then(|| Sha256Hex(s.to_owned()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for Sha256Hex {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl Serialize for Sha256Hex {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&self.0)
    }
}

impl<'de> Deserialize<'de> for Sha256Hex {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = String::deserialize(d)?;
        Sha256Hex::parse(&s).ok_or_else(|| {
            serde::de::Error::custom(format!(
                "expected 64 lower-case hexadecimal digits, got {s:?}"
            ))
        })
    }
}

/// The audit trail's head when the bulletin was published (R-X-2): its last entry's sequence
/// number and hash. Whoever kept a copy of the bulletin can later tell whether the trail up to
/// that entry was rewritten.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AuditHead {
    pub seq: u64,
    pub sha256: Sha256Hex,
}

/// A rate or share as published: per-mille rounded as [`super::ratio`] and [`super::shares`] say, and its
/// display text (`87.5%`); `null` and `—` when nothing is expected.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Ratio {
    pub permille: Option<u32>,
    pub text: String,
}

/// A society's plan status in public wording (R-PUB-1): only the state, never the content.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum PublicPlanStatus {
    /// 未开始: no plan for the year.
    NotStarted,
    /// 编制中: a draft exists.
    Draft,
    /// 已提交（审核中）: submitted or resubmitted, under review.
    Submitted,
    /// 已退回修改.
    Returned,
    /// 已通过.
    Accepted,
}

impl PublicPlanStatus {
    pub const ALL: [PublicPlanStatus; 5] = [
        PublicPlanStatus::NotStarted,
        PublicPlanStatus::Draft,
        PublicPlanStatus::Submitted,
        PublicPlanStatus::Returned,
        PublicPlanStatus::Accepted,
    ];

    /// The public status of a plan in `state` (`None`: no plan). Resubmitted reads as
    /// submitted: the public sees "under review", not the review history.
    pub fn of(state: Option<PlanState>) -> Self {
        match state {
            None => PublicPlanStatus::NotStarted,
            Some(PlanState::Draft) => PublicPlanStatus::Draft,
            Some(PlanState::Submitted | PlanState::Resubmitted) => PublicPlanStatus::Submitted,
            Some(PlanState::Returned) => PublicPlanStatus::Returned,
            Some(PlanState::Accepted) => PublicPlanStatus::Accepted,
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            PublicPlanStatus::NotStarted => "not_started",
            PublicPlanStatus::Draft => "draft",
            PublicPlanStatus::Submitted => "submitted",
            PublicPlanStatus::Returned => "returned",
            PublicPlanStatus::Accepted => "accepted",
        }
    }

    pub fn label_zh(self) -> &'static str {
        match self {
            PublicPlanStatus::NotStarted => "未开始",
            PublicPlanStatus::Draft => "编制中",
            PublicPlanStatus::Submitted => "已提交，审核中",
            PublicPlanStatus::Returned => "已退回修改",
            PublicPlanStatus::Accepted => "已通过",
        }
    }

    pub fn label_en(self) -> &'static str {
        match self {
            PublicPlanStatus::NotStarted => "Not started",
            PublicPlanStatus::Draft => "Being drafted",
            PublicPlanStatus::Submitted => "Submitted, under review",
            PublicPlanStatus::Returned => "Returned for revision",
            PublicPlanStatus::Accepted => "Accepted",
        }
    }
}

/// The symbol shown beside a colour, so that colour is never the only signal (R-PUB-1):
/// red `●`, yellow `▲`, green `✓`, grey `–` (as on the CAST dashboard).
pub fn colour_symbol(c: Colour) -> &'static str {
    match c {
        Colour::Red => "●",
        Colour::Yellow => "▲",
        Colour::Green => "✓",
        Colour::Grey => "–",
    }
}

/// One colour with its symbol and labels.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ColourLegend {
    pub colour: Colour,
    pub symbol: String,
    pub label_zh: String,
    pub label_en: String,
}

/// One plan status with its labels.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PlanStatusLegend {
    pub status: PublicPlanStatus,
    pub label_zh: String,
    pub label_en: String,
}

/// The words for every colour and plan status used in the bulletin.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Legend {
    /// Red, yellow, green, grey.
    pub colours: Vec<ColourLegend>,
    pub plan_statuses: Vec<PlanStatusLegend>,
}

/// A membership band as the bulletin states it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct BandDef {
    pub id: String,
    pub min: Option<i64>,
    pub min_inclusive: bool,
    pub max: Option<i64>,
    pub max_inclusive: bool,
    pub label_zh: String,
    pub label_en: String,
}

/// The publication rules the bulletin was made with (from the catalogue's `[publication]`
/// section), so that the document explains itself.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PublishedRules {
    pub peer_group: Vec<PeerDimension>,
    pub membership_bands: Vec<BandDef>,
    pub show_member_count: bool,
    pub lagging: LaggingRule,
    /// The rounding rules in words.
    pub rounding_zh: String,
    pub rounding_en: String,
    /// The lagging rule in words.
    pub lagging_zh: String,
    pub lagging_en: String,
}

/// Counts of societies (or task cells) per colour.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ColourCounts {
    pub red: u32,
    pub yellow: u32,
    pub green: u32,
    pub grey: u32,
}

impl ColourCounts {
    pub fn add(&mut self, c: Colour) {
        let slot = match c {
            Colour::Red => &mut self.red,
            Colour::Yellow => &mut self.yellow,
            Colour::Green => &mut self.green,
            Colour::Grey => &mut self.grey,
        };
        *slot = slot.saturating_add(1);
    }

    pub fn get(&self, c: Colour) -> u32 {
        match c {
            Colour::Red => self.red,
            Colour::Yellow => self.yellow,
            Colour::Green => self.green,
            Colour::Grey => self.grey,
        }
    }

    pub fn total(&self) -> u32 {
        self.red
            .saturating_add(self.yellow)
            .saturating_add(self.green)
            .saturating_add(self.grey)
    }

    /// Both added, saturating.
    pub fn plus(self, o: ColourCounts) -> ColourCounts {
        ColourCounts {
            red: self.red.saturating_add(o.red),
            yellow: self.yellow.saturating_add(o.yellow),
            green: self.green.saturating_add(o.green),
            grey: self.grey.saturating_add(o.grey),
        }
    }
}

/// Shares of the colours, largest remainder on per-mille ([`super::round::shares`]): they add
/// up to 1000‰ (100%) when there is at least one society.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ColourShares {
    pub red: Ratio,
    pub yellow: Ratio,
    pub green: Ratio,
    pub grey: Ratio,
}

impl ColourShares {
    pub fn get(&self, c: Colour) -> &Ratio {
        match c {
            Colour::Red => &self.red,
            Colour::Yellow => &self.yellow,
            Colour::Green => &self.green,
            Colour::Grey => &self.grey,
        }
    }
}

/// Reporting completeness and timeliness (R-TRACK-2) as published.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RateSummary {
    pub expected: u32,
    pub received: u32,
    pub on_time: u32,
    /// Received ÷ expected.
    pub received_rate: Ratio,
    /// On time ÷ expected.
    pub on_time_rate: Ratio,
}

/// Measurable targets of the accepted plan (R-PLAN-3) at the bulletin's instant: how many
/// there are, how many are past their due date, how many are met (due or not), and how many
/// are past due and not met.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TargetProgress {
    pub total: u32,
    pub due: u32,
    pub met: u32,
    pub overdue: u32,
}

impl TargetProgress {
    /// Both added, saturating.
    pub fn plus(self, o: TargetProgress) -> TargetProgress {
        TargetProgress {
            total: self.total.saturating_add(o.total),
            due: self.due.saturating_add(o.due),
            met: self.met.saturating_add(o.met),
            overdue: self.overdue.saturating_add(o.overdue),
        }
    }

    /// At least one target, and every one met: such a society is never on the lagging list.
    pub fn all_met(&self) -> bool {
        self.total > 0 && self.met >= self.total
    }
}

/// Why a task or society has its colour, in public words: counts, months and task numbers
/// only (see [`super::ReasonFact`]).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PublicReason {
    /// The colour code of [`crate::tracking::colours`], e.g. `target-overdue`.
    pub code: String,
    pub colour: Colour,
    pub text_zh: String,
    pub text_en: String,
}

/// One planned task of a society (a cell of the matrix).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TaskCell {
    pub task: u32,
    pub colour: Colour,
    pub reasons: Vec<PublicReason>,
    pub targets: TargetProgress,
}

/// How a society moved since the bulletin it is compared with.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Direction {
    /// Green is better than yellow, yellow better than red.
    Better,
    Worse,
    Same,
    /// Grey (not judged) now or then.
    NotComparable,
    /// Not in the earlier bulletin.
    New,
}

impl Direction {
    pub fn label_zh(self) -> &'static str {
        match self {
            Direction::Better => "好转",
            Direction::Worse => "下滑",
            Direction::Same => "持平",
            Direction::NotComparable => "不可比",
            Direction::New => "新列入",
        }
    }

    pub fn label_en(self) -> &'static str {
        match self {
            Direction::Better => "better",
            Direction::Worse => "worse",
            Direction::Same => "same",
            Direction::NotComparable => "not comparable",
            Direction::New => "new",
        }
    }
}

/// A rate's change in per-mille points, with words.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Delta {
    pub permille: i64,
    pub text_zh: String,
    pub text_en: String,
}

/// The change of a society since the bulletin it is compared with ([`Bulletin::compared_with`]).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Change {
    pub direction: Direction,
    /// Its colour then; `null` when it was not in that bulletin.
    pub colour_before: Option<Colour>,
    /// Change of the published reporting rate; `null` when either has no rate.
    pub received_delta: Option<Delta>,
    /// Change of the published timeliness; `null` when either has no rate.
    pub on_time_delta: Option<Delta>,
}

/// One society's row (R-PUB-1).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SocietyRow {
    pub code: String,
    pub name_zh: String,
    /// The official English name. Written only when the registry has one (absent otherwise,
    /// so bulletins published before English names were recorded read and hash as before).
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub name_en: String,
    /// The discipline group's id ([`GroupSummary::key`] in `discipline_groups`).
    pub discipline_group: String,
    /// The membership band's id; `unknown` without a member count; `null` when the catalogue
    /// defines no bands.
    pub membership_band: Option<String>,
    /// Individual members: only when the catalogue says `show_member_count = true`.
    pub members: Option<i64>,
    pub election_year: bool,
    pub plan_status: PublicPlanStatus,
    pub colour: Colour,
    /// Society-level reasons, worst first.
    pub reasons: Vec<PublicReason>,
    pub reports: RateSummary,
    /// Sum over its tasks.
    pub targets: TargetProgress,
    /// Planned tasks (accepted plan), in plan order; empty without an accepted plan.
    pub tasks: Vec<TaskCell>,
    /// Its peer group's key ([`GroupSummary::key`] in `peer_groups`).
    pub peer_group: String,
    /// Rank within the peer group (1 = best; equal keys share a rank); `null` when grey.
    pub peer_rank: Option<u32>,
    /// `null` when the bulletin is compared with none.
    pub change: Option<Change>,
}

impl SocietyRow {
    /// The name in `lang`: the English name when there is one, else the Chinese name.
    pub fn name(&self, english: bool) -> &str {
        if english && !self.name_en.is_empty() {
            &self.name_en
        } else {
            &self.name_zh
        }
    }

    pub fn task(&self, number: u32) -> Option<&TaskCell> {
        self.tasks.iter().find(|t| t.task == number)
    }
}

/// Figures of a group of societies (a discipline group, a membership band, a peer group or
/// all of them).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct GroupSummary {
    pub key: String,
    pub name_zh: String,
    pub name_en: String,
    pub societies: u32,
    pub colours: ColourCounts,
    pub shares: ColourShares,
    pub reports: RateSummary,
    pub targets: TargetProgress,
    /// Societies of the group on the lagging list.
    pub lagging: u32,
}

/// How all societies stand on one task of the catalogue.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TaskSummary {
    pub number: u32,
    pub class: TaskClass,
    pub title_zh: String,
    pub title_en: String,
    /// Societies whose accepted plan has the task.
    pub planned: u32,
    /// Colours of those societies' cells for the task.
    pub colours: ColourCounts,
    pub shares: ColourShares,
}

/// Why a society is on the lagging list.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LaggingWhy {
    /// `colour`, `received-below` or `on-time-below`.
    pub code: String,
    pub text_zh: String,
    pub text_en: String,
}

/// One society on the lagging list (排名靠后 / 预警).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LaggingEntry {
    pub code: String,
    pub name_zh: String,
    /// As [`SocietyRow::name_en`]: absent when empty.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub name_en: String,
    pub peer_group: String,
    pub peer_rank: Option<u32>,
    pub why: Vec<LaggingWhy>,
    /// The how-manieth time this year it is listed (第k次), counting this bulletin.
    pub appearance: u32,
    /// `第2次`.
    pub appearance_zh: String,
    /// `2nd time`.
    pub appearance_en: String,
}

/// A monitoring bulletin (监测通报 第N期): a frozen public snapshot (R-PUB-1, R-PUB-2).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Bulletin {
    /// [`BULLETIN_FORMAT`].
    pub format: u32,
    /// N of 第N期: 1, 2, 3, … across years, without gaps.
    pub number: u32,
    pub year: i32,
    /// The month it reports on, 1..=12.
    pub month: u32,
    pub title_zh: String,
    pub title_en: String,
    /// The instant of publication; every figure is as of this instant.
    pub published_at: UtcSecond,
    /// SHA-256 of the previous bulletin's canonical bytes; `null` for 第1期.
    pub prev_sha256: Option<Sha256Hex>,
    /// The audit trail's head at publication; `null` when the trail was empty.
    pub audit_head: Option<AuditHead>,
    /// Earlier bulletins this one corrects (ascending), with why.
    pub corrects: Vec<u32>,
    pub correction_note_zh: Option<String>,
    pub correction_note_en: Option<String>,
    /// The bulletin the `change` of each society is measured against.
    pub compared_with: Option<u32>,
    pub rules: PublishedRules,
    pub legend: Legend,
    /// Every task of the year's catalogue.
    pub tasks: Vec<TaskSummary>,
    /// Ordered by discipline group, then code.
    pub societies: Vec<SocietyRow>,
    pub discipline_groups: Vec<GroupSummary>,
    /// Empty when the catalogue defines no bands.
    pub membership_bands: Vec<GroupSummary>,
    pub peer_groups: Vec<GroupSummary>,
    pub overall: GroupSummary,
    /// Ordered by peer group, then from the bottom of the ranking, then code.
    pub lagging: Vec<LaggingEntry>,
}

impl Bulletin {
    pub fn society(&self, code: &str) -> Option<&SocietyRow> {
        self.societies.iter().find(|s| s.code == code)
    }
}

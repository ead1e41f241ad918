//! The yearly task catalogue (R-CAT-1, R-CAT-2, R-CAT-3) and its loader.
//!
//! A catalogue is data: one TOML file per year (`catalogues/2017.toml` is built in, others are
//! loaded at run time with [`parse`]). The file format is described in the comment at the top
//! of `catalogues/2017.toml`. Loading validates everything a later step relies on — task
//! numbering, classes, document kinds, fact names, rule parameters, band edges, and that every
//! quoted clause occurs verbatim in its task's text — and reports the first problem as
//! `file:line:column: message` ([`CatalogueError`]).

use std::collections::{BTreeMap, BTreeSet};
use std::ops::Range;

use chrono::{DateTime, NaiveDate, NaiveDateTime, NaiveTime, TimeZone, Timelike, Utc};
use chrono_tz::Tz;
use serde::{Deserialize, Serialize};
use toml::Spanned;
use toml::value::Datetime;

use crate::facts::{FactKind, fact_field};
use crate::rules::{Applies, Band, Fraction, RuleDecl, RuleKind, Severity};

/// The 2017 catalogue file, compiled in (R-CAT-1).
pub const BUILTIN_2017_SOURCE: &str = include_str!("../../../catalogues/2017.toml");

/// File name used in errors about the built-in 2017 catalogue.
pub const BUILTIN_2017_FILE: &str = "catalogues/2017.toml";

/// The three task classes of R-CAT-2.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum TaskClass {
    /// 学会年度改革基本任务: mandatory for every society (tasks 1–7 in 2017).
    Basic,
    /// 换届学会另外须完成的改革任务: mandatory in addition in a council-election year (8–11).
    Election,
    /// 创新学会服务机制和工作方式: optional, each society selects at least `min_optional` (12–24).
    Optional,
}

impl TaskClass {
    /// All classes, in catalogue order.
    pub const ALL: [TaskClass; 3] = [TaskClass::Basic, TaskClass::Election, TaskClass::Optional];

    /// Stable identifier: `basic`, `election`, `optional`.
    pub fn as_str(self) -> &'static str {
        match self {
            TaskClass::Basic => "basic",
            TaskClass::Election => "election",
            TaskClass::Optional => "optional",
        }
    }

    /// Chinese label as used by CAST.
    pub fn label_zh(self) -> &'static str {
        match self {
            TaskClass::Basic => "基本任务",
            TaskClass::Election => "换届学会另外须完成的任务",
            TaskClass::Optional => "创新服务自选任务",
        }
    }

    /// English label (SPEC glossary).
    pub fn label_en(self) -> &'static str {
        match self {
            TaskClass::Basic => "Basic task",
            TaskClass::Election => "Additional task for societies holding their council election",
            TaskClass::Optional => "Optional innovation task",
        }
    }
}

/// A kind of document a society can hold as evidence (R-RULE-DOC).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct DocumentKind {
    /// Stable id, e.g. `council-rules`.
    pub id: String,
    pub name_zh: String,
    pub name_en: String,
    /// The task that requires it.
    pub task: u32,
    /// Evidence may be dated after the end of the catalogue year (e.g. the annual report).
    pub evidence_after_year_end: bool,
}

/// One numbered task of the notice (R-CAT-3).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Task {
    pub number: u32,
    pub class: TaskClass,
    /// Short title, e.g. "建立务实高效的会议制度".
    pub title_zh: String,
    pub title_en: String,
    /// The full numbered item of the notice, verbatim.
    pub clause_zh: String,
    /// The "做到…" acceptance sentence, verbatim, where the text has one.
    pub criteria_zh: Option<String>,
    pub criteria_en: Option<String>,
    /// Document kind ids the task requires.
    pub required_documents: Vec<String>,
    /// Fact field names the task measures (`facts::FACT_FIELDS`).
    pub facts: Vec<String>,
    /// Machine-checkable rules, in declaration order (R-RULE-*).
    pub rules: Vec<RuleDecl>,
}

/// Monthly tracking policy of a year (R-TRACK-2, R-TRACK-3, R-PLAN-5): the `[tracking]`
/// section of the catalogue file. Policy is data: another year's file states its own.
///
/// The day of the month a report is due stays [`Catalogue::report_due_day`] (top level, the
/// single source of truth); it is not repeated here.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct TrackingRules {
    /// First month of the catalogue year for which a monthly report is expected, 1..=12
    /// (2017: plans are due 22 May, so reports start with June).
    pub first_month: u32,
    /// Last month for which a monthly report is expected, `first_month..=12`.
    pub last_month: u32,
    /// A target or milestone due within this many days (0..=366) and not yet met / reached
    /// makes its task yellow (R-TRACK-3).
    pub yellow_within_days: i64,
    /// This many missing monthly reports (due and not received) make the society red
    /// (R-TRACK-3); fewer, but at least one, make it yellow. At least 1.
    pub red_missing_reports: u32,
    /// A task red for this many consecutive months suggests a rectification plan (R-PLAN-5,
    /// "e.g. red status for two months"). At least 1.
    pub red_task_months: u32,
}

impl Default for TrackingRules {
    /// The values used when a catalogue file has no `[tracking]` section: reports for every
    /// month of the year, yellow 30 days ahead, one missing report is red, two red months
    /// suggest rectification.
    fn default() -> Self {
        TrackingRules {
            first_month: 1,
            last_month: 12,
            yellow_within_days: 30,
            red_missing_reports: 1,
            red_task_months: 2,
        }
    }
}

impl TrackingRules {
    /// Number of monthly reports expected in the year (`last_month - first_month + 1`).
    pub fn expected_reports(&self) -> u32 {
        (self.last_month + 1).saturating_sub(self.first_month)
    }
}

/// A year's task catalogue (R-CAT-1).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Catalogue {
    pub year: i32,
    /// Title of the key points, e.g. "中国科协2017年学会改革工作要点".
    pub title_zh: String,
    pub title_en: String,
    /// Title of the covering notice.
    pub notice_title_zh: String,
    pub notice_title_en: String,
    pub issued_on: NaiveDate,
    /// Time zone of every deadline (DESIGN "Time").
    pub timezone: Tz,
    /// Plan submission deadline, local time in `timezone` (R-PLAN-1).
    pub plan_deadline: NaiveDateTime,
    /// The same instant in UTC, resolved when the file was loaded.
    pub plan_deadline_utc: DateTime<Utc>,
    /// The words of the notice the deadline comes from.
    pub plan_deadline_clause_zh: Option<String>,
    /// Minimum number of optional tasks a plan selects (R-CAT-2, R-PLAN-2).
    pub min_optional: u32,
    pub min_optional_clause_zh: Option<String>,
    /// Classes mandatory for every society.
    pub mandatory_classes: Vec<TaskClass>,
    /// Classes mandatory in addition for a society holding its council election that year.
    pub election_year_classes: Vec<TaskClass>,
    /// A monthly report is due on this day of the following month (R-TRACK-2), 1..=28.
    pub report_due_day: u32,
    /// Monthly tracking policy (R-TRACK-2, R-TRACK-3, R-PLAN-5); defaults when the file has
    /// no `[tracking]` section.
    pub tracking: TrackingRules,
    pub documents: Vec<DocumentKind>,
    /// Tasks, ordered by number, numbered 1..=N.
    pub tasks: Vec<Task>,
}

impl Catalogue {
    /// The plan deadline as an instant (R-PLAN-1).
    pub fn plan_deadline_utc(&self) -> DateTime<Utc> {
        self.plan_deadline_utc
    }

    /// Whether a plan submitted at `submitted_at` is on time (R-PLAN-1). The deadline is a
    /// whole second (23:59:59 local), so the comparison is on whole seconds: anything during
    /// the last second of the day is still on time.
    pub fn plan_on_time(&self, submitted_at: DateTime<Utc>) -> bool {
        submitted_at.with_nanosecond(0).unwrap_or(submitted_at) <= self.plan_deadline_utc
    }

    /// The date a monthly report for `year`/`month` is due: `report_due_day` of the following
    /// month (R-TRACK-2). `None` for a month outside 1..=12.
    pub fn report_due_on(&self, year: i32, month: u32) -> Option<NaiveDate> {
        if !(1..=12).contains(&month) {
            return None;
        }
        let (y, m) = if month == 12 {
            (year.checked_add(1)?, 1)
        } else {
            (year, month + 1)
        };
        NaiveDate::from_ymd_opt(y, m, self.report_due_day)
    }

    /// The last instant (end of the due day, in `timezone`) a monthly report is on time.
    pub fn report_due_utc(&self, year: i32, month: u32) -> Option<DateTime<Utc>> {
        let day = self.report_due_on(year, month)?;
        let end = day.and_time(NaiveTime::from_hms_opt(23, 59, 59)?);
        local_to_utc(self.timezone, end)
    }

    /// The task with this number.
    pub fn task(&self, number: u32) -> Option<&Task> {
        self.tasks.iter().find(|t| t.number == number)
    }

    /// Tasks of one class, in number order.
    pub fn tasks_of(&self, class: TaskClass) -> impl Iterator<Item = &Task> {
        self.tasks.iter().filter(move |t| t.class == class)
    }

    /// The document kind with this id.
    pub fn document(&self, id: &str) -> Option<&DocumentKind> {
        self.documents.iter().find(|d| d.id == id)
    }

    /// Whether tasks of `class` are mandatory for a society (R-CAT-2).
    pub fn is_mandatory(&self, class: TaskClass, election_year: bool) -> bool {
        self.mandatory_classes.contains(&class)
            || (election_year && self.election_year_classes.contains(&class))
    }

    /// The tasks a society must plan (R-PLAN-2): basic, plus election tasks in its
    /// election year.
    pub fn mandatory_tasks(&self, election_year: bool) -> impl Iterator<Item = &Task> {
        self.tasks
            .iter()
            .filter(move |t| self.is_mandatory(t.class, election_year))
    }

    /// Every rule with its task, ordered by task then declaration.
    pub fn rules(&self) -> impl Iterator<Item = (&Task, &RuleDecl)> {
        self.tasks
            .iter()
            .flat_map(|t| t.rules.iter().map(move |r| (t, r)))
    }

    /// The rule with this id, with its task.
    pub fn rule(&self, id: &str) -> Option<(&Task, &RuleDecl)> {
        self.rules().find(|(_, r)| r.id == id)
    }
}

/// A catalogue file that cannot be loaded: where, and what is wrong (R-CAT-1).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, thiserror::Error)]
#[error("{file}:{line}:{column}: {message}")]
pub struct CatalogueError {
    pub file: String,
    /// 1-based line.
    pub line: usize,
    /// 1-based column, in characters.
    pub column: usize,
    pub message: String,
}

/// The built-in catalogue of `year` (R-CAT-1). Only 2017 is built in; other years are files
/// loaded with [`parse`].
pub fn builtin(year: i32) -> Result<Catalogue, CatalogueError> {
    match year {
        2017 => parse(BUILTIN_2017_SOURCE, BUILTIN_2017_FILE),
        _ => Err(CatalogueError {
            file: format!("<builtin {year}>"),
            line: 0,
            column: 0,
            message: format!("no built-in catalogue for {year}; load its file instead"),
        }),
    }
}

/// The built-in 2017 catalogue (R-CAT-1, R-CAT-2).
///
/// # Panics
/// Never in practice: the compiled-in file is fixed at build time and the unit test
/// `builtin_2017_is_valid` parses it, so a broken file fails the build's tests, not the
/// server. Callers that want no panic path at all use [`builtin`]`(2017)`.
pub fn builtin_2017() -> Catalogue {
    match builtin(2017) {
        Ok(c) => c,
        Err(e) => panic!("built-in catalogue is invalid (the unit tests forbid this): {e}"),
    }
}

// ---------------------------------------------------------------------------------------------
// Raw file shape (serde), with spans for precise errors
// ---------------------------------------------------------------------------------------------

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawCatalogue {
    year: Spanned<i64>,
    title_zh: Spanned<String>,
    title_en: Spanned<String>,
    notice_title_zh: Spanned<String>,
    notice_title_en: Spanned<String>,
    issued_on: Spanned<Datetime>,
    timezone: Spanned<String>,
    plan_deadline: Spanned<Datetime>,
    #[serde(default)]
    plan_deadline_clause_zh: Option<Spanned<String>>,
    min_optional: Spanned<i64>,
    #[serde(default)]
    min_optional_clause_zh: Option<Spanned<String>>,
    mandatory_classes: Spanned<Vec<Spanned<TaskClass>>>,
    #[serde(default)]
    election_year_classes: Vec<Spanned<TaskClass>>,
    report_due_day: Spanned<i64>,
    #[serde(default)]
    tracking: Option<RawTracking>,
    #[serde(default)]
    documents: Vec<Spanned<RawDocument>>,
    tasks: Spanned<Vec<Spanned<RawTask>>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawTracking {
    #[serde(default)]
    first_month: Option<Spanned<i64>>,
    #[serde(default)]
    last_month: Option<Spanned<i64>>,
    #[serde(default)]
    yellow_within_days: Option<Spanned<i64>>,
    #[serde(default)]
    red_missing_reports: Option<Spanned<i64>>,
    #[serde(default)]
    red_task_months: Option<Spanned<i64>>,
    /// Not allowed here: the top-level `report_due_day` is the only one (reported precisely).
    #[serde(default)]
    report_due_day: Option<Spanned<toml::Value>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawDocument {
    id: Spanned<String>,
    name_zh: Spanned<String>,
    name_en: Spanned<String>,
    task: Spanned<i64>,
    #[serde(default)]
    evidence_after_year_end: bool,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawTask {
    number: Spanned<i64>,
    class: Spanned<TaskClass>,
    title_zh: Spanned<String>,
    title_en: Spanned<String>,
    clause_zh: Spanned<String>,
    #[serde(default)]
    criteria_zh: Option<Spanned<String>>,
    #[serde(default)]
    criteria_en: Option<Spanned<String>>,
    #[serde(default)]
    required_documents: Vec<Spanned<String>>,
    #[serde(default)]
    facts: Vec<Spanned<String>>,
    #[serde(default)]
    rules: Vec<Spanned<RawRule>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawRule {
    id: Spanned<String>,
    kind: Spanned<String>,
    severity: Spanned<Severity>,
    applies: Spanned<Applies>,
    clause_zh: Spanned<String>,
    #[serde(default)]
    note_zh: Option<Spanned<String>>,
    #[serde(default)]
    note_en: Option<Spanned<String>>,
    // Parameters; which ones a kind takes is checked in `build_rule`.
    #[serde(default)]
    value: Option<Spanned<String>>,
    #[serde(default)]
    by: Option<Spanned<String>>,
    #[serde(default)]
    bands: Option<Spanned<Vec<Spanned<RawBand>>>>,
    #[serde(default)]
    numerator: Option<Spanned<String>>,
    #[serde(default)]
    denominator: Option<Spanned<String>>,
    #[serde(default)]
    baseline_numerator: Option<Spanned<String>>,
    #[serde(default)]
    baseline_denominator: Option<Spanned<String>>,
    #[serde(default)]
    fraction: Option<Spanned<Vec<Spanned<i64>>>>,
    #[serde(default)]
    baseline: Option<Spanned<String>>,
    #[serde(default)]
    percent: Option<Spanned<i64>>,
    #[serde(default)]
    min: Option<Spanned<i64>>,
    #[serde(default)]
    not_before: Option<Spanned<Datetime>>,
    #[serde(default)]
    not_after: Option<Spanned<Datetime>>,
    #[serde(default)]
    steps: Option<Spanned<Vec<Spanned<String>>>>,
    #[serde(default)]
    documents: Option<Spanned<Vec<Spanned<String>>>>,
    #[serde(default)]
    previous: Option<Spanned<String>>,
    #[serde(default)]
    cap_rule: Option<Spanned<String>>,
    #[serde(default)]
    lift_value: Option<Spanned<String>>,
    #[serde(default)]
    lift_baseline: Option<Spanned<String>>,
    #[serde(default)]
    lift_above_percent: Option<Spanned<i64>>,
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

/// Rule kinds and the parameters each takes.
const RULE_KINDS: &[(&str, &[&str])] = &[
    ("band_cap", &["value", "by", "bands"]),
    ("ratio_at_least", &["numerator", "denominator", "fraction"]),
    ("ratio_at_most", &["numerator", "denominator", "fraction"]),
    ("growth_at_least", &["value", "baseline", "percent"]),
    (
        "rate_rises",
        &[
            "numerator",
            "denominator",
            "baseline_numerator",
            "baseline_denominator",
        ],
    ),
    ("count_at_least", &["value", "min"]),
    ("flag_true", &["value"]),
    ("date_present", &["value", "not_before", "not_after"]),
    ("dates_in_order", &["steps"]),
    ("documents_present", &["documents"]),
    (
        "not_above_previous",
        &[
            "value",
            "previous",
            "cap_rule",
            "lift_value",
            "lift_baseline",
            "lift_above_percent",
        ],
    ),
];

// ---------------------------------------------------------------------------------------------
// Loader
// ---------------------------------------------------------------------------------------------

/// Parse and validate a catalogue file (R-CAT-1). `file_name` is used in error messages only.
///
/// Syntax errors, unknown or missing fields, and semantic errors (duplicate or missing task
/// numbers, unknown document kinds or fact names, rule parameters, overlapping band edges,
/// `min_optional` above the number of optional tasks, clause quotes not found verbatim, bad
/// time zone, …) are reported with the line and column of the offending text.
pub fn parse(source: &str, file_name: &str) -> Result<Catalogue, CatalogueError> {
    let cx = Cx {
        source,
        file: file_name,
    };
    let raw: RawCatalogue = toml::from_str(source).map_err(|e| {
        let span = e.span().unwrap_or(0..0);
        cx.err(span, e.message().trim_end().to_owned())
    })?;
    cx.build(raw)
}

struct Cx<'a> {
    source: &'a str,
    file: &'a str,
}

type Res<T> = Result<T, CatalogueError>;

fn is_id(s: &str) -> bool {
    !s.is_empty()
        && s.bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-' || b == b'_')
}

fn local_to_utc(tz: Tz, local: NaiveDateTime) -> Option<DateTime<Utc>> {
    tz.from_local_datetime(&local)
        .earliest()
        .map(|t| t.with_timezone(&Utc))
}

impl Cx<'_> {
    fn err(&self, span: Range<usize>, message: impl Into<String>) -> CatalogueError {
        let start = span.start.min(self.source.len());
        let before = self.source.get(..start).unwrap_or(self.source);
        let line = before.matches('\n').count() + 1;
        let line_start = before.rfind('\n').map_or(0, |i| i + 1);
        let column = before.get(line_start..).map_or(0, |s| s.chars().count()) + 1;
        CatalogueError {
            file: self.file.to_owned(),
            line,
            column,
            message: message.into(),
        }
    }

    fn text(&self, s: &Spanned<String>, what: &str) -> Res<String> {
        if s.get_ref().trim().is_empty() {
            return Err(self.err(s.span(), format!("{what} must not be empty")));
        }
        Ok(s.get_ref().clone())
    }

    fn opt_text(&self, s: &Option<Spanned<String>>, what: &str) -> Res<Option<String>> {
        s.as_ref().map(|s| self.text(s, what)).transpose()
    }

    fn date(&self, d: &Spanned<Datetime>, what: &str) -> Res<NaiveDate> {
        let v = d.get_ref();
        match (v.date, v.time, v.offset) {
            (Some(date), None, None) => {
                NaiveDate::from_ymd_opt(date.year.into(), date.month.into(), date.day.into())
                    .ok_or_else(|| self.err(d.span(), format!("{what}: invalid date {v}")))
            }
            _ => Err(self.err(
                d.span(),
                format!("{what} must be a local date like 2017-04-21, got {v}"),
            )),
        }
    }

    fn local_datetime(&self, d: &Spanned<Datetime>, what: &str) -> Res<NaiveDateTime> {
        let v = d.get_ref();
        let invalid = || self.err(d.span(), format!("{what}: invalid date-time {v}"));
        match (v.date, v.time, v.offset) {
            (Some(date), Some(time), None) => {
                let day =
                    NaiveDate::from_ymd_opt(date.year.into(), date.month.into(), date.day.into())
                        .ok_or_else(invalid)?;
                let t = NaiveTime::from_hms_nano_opt(
                    time.hour.into(),
                    time.minute.into(),
                    // TOML 1.1 lets a time omit its seconds: they are zero.
                    time.second.unwrap_or(0).into(),
                    time.nanosecond.unwrap_or(0),
                )
                .ok_or_else(invalid)?;
                Ok(day.and_time(t))
            }
            _ => Err(self.err(
                d.span(),
                format!(
                    "{what} must be a local date-time without offset, like 2017-05-22T23:59:59 \
                     (the zone is `timezone`), got {v}"
                ),
            )),
        }
    }

    fn int_in(&self, v: &Spanned<i64>, what: &str, range: Range<i64>) -> Res<i64> {
        let n = *v.get_ref();
        if range.contains(&n) {
            Ok(n)
        } else {
            Err(self.err(
                v.span(),
                format!(
                    "{what} must be between {} and {}, got {n}",
                    range.start,
                    range.end - 1
                ),
            ))
        }
    }

    /// The `[tracking]` section (R-TRACK-2, R-TRACK-3, R-PLAN-5); absent keys take the
    /// [`TrackingRules::default`] values.
    fn tracking(&self, t: &RawTracking) -> Res<TrackingRules> {
        if let Some(d) = &t.report_due_day {
            return Err(self.err(
                d.span(),
                "report_due_day belongs at the top level of the file, not in [tracking] \
                 (it is stated once)",
            ));
        }
        let defaults = TrackingRules::default();
        let int = |v: &Option<Spanned<i64>>, what: &str, range: Range<i64>, default: i64| {
            v.as_ref()
                .map_or(Ok(default), |v| self.int_in(v, what, range))
        };
        let first_month = int(&t.first_month, "[tracking] first_month", 1..13, 1)?;
        let last_month = int(&t.last_month, "[tracking] last_month", 1..13, 12)?;
        if let Some(l) = &t.last_month
            && last_month < first_month
        {
            return Err(self.err(
                l.span(),
                format!("[tracking] last_month {last_month} is before first_month {first_month}"),
            ));
        }
        let months = last_month - first_month + 1;
        let yellow_within_days = int(
            &t.yellow_within_days,
            "[tracking] yellow_within_days",
            0..367,
            defaults.yellow_within_days,
        )?;
        let at_most_months = |v: &Option<Spanned<i64>>, what: &str, default: u32| -> Res<u32> {
            let n = int(v, what, 1..13, i64::from(default))?;
            if let Some(v) = v
                && n > months
            {
                return Err(self.err(
                    v.span(),
                    format!(
                        "{what} {n} exceeds the {months} monthly reports expected \
                         (months {first_month}..={last_month})"
                    ),
                ));
            }
            Ok(u32::try_from(n).unwrap_or(default))
        };
        let red_missing_reports = at_most_months(
            &t.red_missing_reports,
            "[tracking] red_missing_reports",
            defaults.red_missing_reports,
        )?;
        let red_task_months = at_most_months(
            &t.red_task_months,
            "[tracking] red_task_months",
            defaults.red_task_months,
        )?;
        Ok(TrackingRules {
            first_month: u32::try_from(first_month).unwrap_or(defaults.first_month),
            last_month: u32::try_from(last_month).unwrap_or(defaults.last_month),
            yellow_within_days,
            red_missing_reports,
            red_task_months,
        })
    }

    fn build(&self, raw: RawCatalogue) -> Res<Catalogue> {
        let year = self.int_in(&raw.year, "year", 1900..3000)?;
        let year =
            i32::try_from(year).map_err(|_| self.err(raw.year.span(), "year out of range"))?;
        let issued_on = self.date(&raw.issued_on, "issued_on")?;
        let timezone: Tz = raw.timezone.get_ref().parse().map_err(|_| {
            self.err(
                raw.timezone.span(),
                format!(
                    "unknown time zone '{}' (use an IANA name such as \"Asia/Shanghai\")",
                    raw.timezone.get_ref()
                ),
            )
        })?;
        let plan_deadline = self.local_datetime(&raw.plan_deadline, "plan_deadline")?;
        let plan_deadline_utc = local_to_utc(timezone, plan_deadline).ok_or_else(|| {
            self.err(
                raw.plan_deadline.span(),
                format!("plan_deadline {plan_deadline} does not exist in time zone {timezone}"),
            )
        })?;
        let report_due_day = self.int_in(&raw.report_due_day, "report_due_day", 1..29)?;
        let tracking = match &raw.tracking {
            Some(t) => self.tracking(t)?,
            None => TrackingRules::default(),
        };

        let mut mandatory_classes = Vec::new();
        for c in raw.mandatory_classes.get_ref() {
            if mandatory_classes.contains(c.get_ref()) {
                return Err(self.err(
                    c.span(),
                    format!("class '{}' listed twice", c.get_ref().as_str()),
                ));
            }
            mandatory_classes.push(*c.get_ref());
        }
        let mut election_year_classes = Vec::new();
        for c in &raw.election_year_classes {
            if mandatory_classes.contains(c.get_ref())
                || election_year_classes.contains(c.get_ref())
            {
                return Err(self.err(
                    c.span(),
                    format!(
                        "class '{}' is already mandatory; list it in one place only",
                        c.get_ref().as_str()
                    ),
                ));
            }
            election_year_classes.push(*c.get_ref());
        }

        // Tasks: numbers first, so documents and rules can refer to them.
        let raw_tasks = raw.tasks.get_ref();
        if raw_tasks.is_empty() {
            return Err(self.err(raw.tasks.span(), "the catalogue has no tasks"));
        }
        let n_tasks = raw_tasks.len() as i64;
        let mut numbers = BTreeSet::new();
        for t in raw_tasks {
            let num = t.get_ref().number.get_ref();
            if !numbers.insert(*num) {
                return Err(self.err(
                    t.get_ref().number.span(),
                    format!("duplicate task number {num}"),
                ));
            }
        }
        for t in raw_tasks {
            let num = *t.get_ref().number.get_ref();
            if !(1..=n_tasks).contains(&num) {
                return Err(self.err(
                    t.get_ref().number.span(),
                    format!(
                        "task numbers must be 1..={n_tasks} without gaps (there are {n_tasks} tasks), found {num}"
                    ),
                ));
            }
        }

        let mut documents: Vec<DocumentKind> = Vec::new();
        for d in &raw.documents {
            let r = d.get_ref();
            let id = r.id.get_ref();
            if !is_id(id) {
                return Err(self.err(
                    r.id.span(),
                    format!("document id '{id}' must be lower-case letters, digits, '-' or '_'"),
                ));
            }
            if documents.iter().any(|x| &x.id == id) {
                return Err(self.err(r.id.span(), format!("duplicate document id '{id}'")));
            }
            let task = *r.task.get_ref();
            if !(1..=n_tasks).contains(&task) {
                return Err(self.err(
                    r.task.span(),
                    format!("document '{id}': no task {task} in this catalogue"),
                ));
            }
            documents.push(DocumentKind {
                id: id.clone(),
                name_zh: self.text(&r.name_zh, "name_zh")?,
                name_en: self.text(&r.name_en, "name_en")?,
                task: u32::try_from(task).unwrap_or(0),
                evidence_after_year_end: r.evidence_after_year_end,
            });
        }

        let mut tasks = Vec::with_capacity(raw_tasks.len());
        let mut rule_ids: BTreeMap<String, Range<usize>> = BTreeMap::new();
        // (rule id, cap_rule reference) to resolve once every rule is known.
        let mut cap_refs: Vec<(String, Spanned<String>)> = Vec::new();
        for t in raw_tasks {
            tasks.push(self.build_task(t.get_ref(), &documents, &mut rule_ids, &mut cap_refs)?);
        }
        tasks.sort_by_key(|t| t.number);

        for (rule_id, target) in &cap_refs {
            let found = tasks
                .iter()
                .flat_map(|t| t.rules.iter())
                .find(|r| &r.id == target.get_ref());
            match found {
                Some(RuleDecl {
                    kind: RuleKind::BandCap { .. },
                    ..
                }) => {}
                Some(other) => {
                    return Err(self.err(
                        target.span(),
                        format!(
                            "rule '{rule_id}': cap_rule '{}' is a {} rule, expected band_cap",
                            target.get_ref(),
                            other.kind.name()
                        ),
                    ));
                }
                None => {
                    return Err(self.err(
                        target.span(),
                        format!(
                            "rule '{rule_id}': cap_rule '{}' does not exist",
                            target.get_ref()
                        ),
                    ));
                }
            }
        }

        let optional = tasks
            .iter()
            .filter(|t| t.class == TaskClass::Optional)
            .count();
        let min_optional = *raw.min_optional.get_ref();
        if min_optional < 0 {
            return Err(self.err(
                raw.min_optional.span(),
                format!("min_optional must not be negative, got {min_optional}"),
            ));
        }
        if min_optional > optional as i64 {
            return Err(self.err(
                raw.min_optional.span(),
                format!("min_optional {min_optional} exceeds the {optional} optional tasks"),
            ));
        }
        for c in &mandatory_classes {
            if *c == TaskClass::Optional {
                return Err(self.err(
                    raw.mandatory_classes.span(),
                    "class 'optional' cannot be mandatory",
                ));
            }
        }

        Ok(Catalogue {
            year,
            title_zh: self.text(&raw.title_zh, "title_zh")?,
            title_en: self.text(&raw.title_en, "title_en")?,
            notice_title_zh: self.text(&raw.notice_title_zh, "notice_title_zh")?,
            notice_title_en: self.text(&raw.notice_title_en, "notice_title_en")?,
            issued_on,
            timezone,
            plan_deadline,
            plan_deadline_utc,
            plan_deadline_clause_zh: self
                .opt_text(&raw.plan_deadline_clause_zh, "plan_deadline_clause_zh")?,
            min_optional: u32::try_from(min_optional).unwrap_or(0),
            min_optional_clause_zh: self
                .opt_text(&raw.min_optional_clause_zh, "min_optional_clause_zh")?,
            mandatory_classes,
            election_year_classes,
            report_due_day: u32::try_from(report_due_day).unwrap_or(1),
            tracking,
            documents,
            tasks,
        })
    }

    fn build_task(
        &self,
        t: &RawTask,
        documents: &[DocumentKind],
        rule_ids: &mut BTreeMap<String, Range<usize>>,
        cap_refs: &mut Vec<(String, Spanned<String>)>,
    ) -> Res<Task> {
        let number = *t.number.get_ref();
        let number = u32::try_from(number).unwrap_or(0);
        let clause_zh = self.text(&t.clause_zh, "clause_zh")?;
        let criteria_zh = self.opt_text(&t.criteria_zh, "criteria_zh")?;
        let criteria_en = self.opt_text(&t.criteria_en, "criteria_en")?;
        if let (Some(c), Some(s)) = (&criteria_zh, &t.criteria_zh)
            && !clause_zh.contains(c.as_str())
        {
            return Err(self.err(
                s.span(),
                format!("task {number}: criteria_zh does not occur verbatim in clause_zh"),
            ));
        }
        match (&t.criteria_zh, &t.criteria_en) {
            (Some(s), None) | (None, Some(s)) => {
                return Err(self.err(
                    s.span(),
                    format!("task {number}: give both criteria_zh and criteria_en, or neither"),
                ));
            }
            _ => {}
        }

        let mut required_documents: Vec<String> = Vec::new();
        for d in &t.required_documents {
            let id = d.get_ref();
            let Some(kind) = documents.iter().find(|k| &k.id == id) else {
                return Err(self.err(
                    d.span(),
                    format!("task {number}: unknown document kind '{id}'"),
                ));
            };
            if kind.task != number {
                return Err(self.err(
                    d.span(),
                    format!(
                        "task {number}: document kind '{id}' belongs to task {} ([[documents]] task = {})",
                        kind.task, kind.task
                    ),
                ));
            }
            if required_documents.contains(id) {
                return Err(self.err(
                    d.span(),
                    format!("task {number}: document kind '{id}' listed twice"),
                ));
            }
            required_documents.push(id.clone());
        }

        let mut facts: Vec<String> = Vec::new();
        for f in &t.facts {
            let name = f.get_ref();
            if fact_field(name).is_none() {
                return Err(self.err(f.span(), format!("task {number}: unknown fact '{name}'")));
            }
            if facts.contains(name) {
                return Err(self.err(
                    f.span(),
                    format!("task {number}: fact '{name}' listed twice"),
                ));
            }
            facts.push(name.clone());
        }

        let mut rules = Vec::with_capacity(t.rules.len());
        for r in &t.rules {
            let rule =
                self.build_rule(r, number, &clause_zh, &facts, &required_documents, cap_refs)?;
            if rule_ids.contains_key(&rule.id) {
                return Err(self.err(
                    r.get_ref().id.span(),
                    format!("duplicate rule id '{}'", rule.id),
                ));
            }
            rule_ids.insert(rule.id.clone(), r.get_ref().id.span());
            rules.push(rule);
        }

        Ok(Task {
            number,
            class: *t.class.get_ref(),
            title_zh: self.text(&t.title_zh, "title_zh")?,
            title_en: self.text(&t.title_en, "title_en")?,
            clause_zh,
            criteria_zh,
            criteria_en,
            required_documents,
            facts,
            rules,
        })
    }

    fn build_rule(
        &self,
        spanned: &Spanned<RawRule>,
        task: u32,
        task_clause: &str,
        task_facts: &[String],
        task_documents: &[String],
        cap_refs: &mut Vec<(String, Spanned<String>)>,
    ) -> Res<RuleDecl> {
        let r = spanned.get_ref();
        let id = r.id.get_ref().clone();
        if !is_id(&id) {
            return Err(self.err(
                r.id.span(),
                format!("rule id '{id}' must be lower-case letters, digits, '-' or '_'"),
            ));
        }
        let clause_zh = self.text(&r.clause_zh, "clause_zh")?;
        if !task_clause.contains(clause_zh.as_str()) {
            return Err(self.err(
                r.clause_zh.span(),
                format!(
                    "rule '{id}': clause_zh does not occur verbatim in task {task}'s clause_zh"
                ),
            ));
        }
        match (&r.note_zh, &r.note_en) {
            (Some(s), None) | (None, Some(s)) => {
                return Err(self.err(
                    s.span(),
                    format!("rule '{id}': give both note_zh and note_en, or neither"),
                ));
            }
            _ => {}
        }

        let kind_name = r.kind.get_ref().as_str();
        let Some((_, allowed)) = RULE_KINDS.iter().find(|(k, _)| *k == kind_name) else {
            let known: Vec<&str> = RULE_KINDS.iter().map(|(k, _)| *k).collect();
            return Err(self.err(
                r.kind.span(),
                format!(
                    "rule '{id}': unknown rule kind '{kind_name}' (known: {})",
                    known.join(", ")
                ),
            ));
        };
        let given: [(&str, Option<Range<usize>>); 20] = [
            ("value", r.value.as_ref().map(Spanned::span)),
            ("by", r.by.as_ref().map(Spanned::span)),
            ("bands", r.bands.as_ref().map(Spanned::span)),
            ("numerator", r.numerator.as_ref().map(Spanned::span)),
            ("denominator", r.denominator.as_ref().map(Spanned::span)),
            (
                "baseline_numerator",
                r.baseline_numerator.as_ref().map(Spanned::span),
            ),
            (
                "baseline_denominator",
                r.baseline_denominator.as_ref().map(Spanned::span),
            ),
            ("fraction", r.fraction.as_ref().map(Spanned::span)),
            ("baseline", r.baseline.as_ref().map(Spanned::span)),
            ("percent", r.percent.as_ref().map(Spanned::span)),
            ("min", r.min.as_ref().map(Spanned::span)),
            ("not_before", r.not_before.as_ref().map(Spanned::span)),
            ("not_after", r.not_after.as_ref().map(Spanned::span)),
            ("steps", r.steps.as_ref().map(Spanned::span)),
            ("documents", r.documents.as_ref().map(Spanned::span)),
            ("previous", r.previous.as_ref().map(Spanned::span)),
            ("cap_rule", r.cap_rule.as_ref().map(Spanned::span)),
            ("lift_value", r.lift_value.as_ref().map(Spanned::span)),
            ("lift_baseline", r.lift_baseline.as_ref().map(Spanned::span)),
            (
                "lift_above_percent",
                r.lift_above_percent.as_ref().map(Spanned::span),
            ),
        ];
        for (name, span) in &given {
            if let Some(span) = span
                && !allowed.contains(name)
            {
                return Err(self.err(
                    span.clone(),
                    format!(
                        "rule '{id}': parameter '{name}' does not apply to rule kind '{kind_name}' (it takes: {})",
                        allowed.join(", ")
                    ),
                ));
            }
        }

        let rc = RuleCx {
            cx: self,
            id: &id,
            kind: kind_name,
            kind_span: r.kind.span(),
            task,
            task_facts,
        };
        let kind = match kind_name {
            "band_cap" => RuleKind::BandCap {
                value: rc.fact(&r.value, "value", FactKind::Int)?,
                by: rc.fact(&r.by, "by", FactKind::Int)?,
                bands: rc.bands(&r.bands)?,
            },
            "ratio_at_least" => RuleKind::RatioAtLeast {
                numerator: rc.fact(&r.numerator, "numerator", FactKind::Int)?,
                denominator: rc.fact(&r.denominator, "denominator", FactKind::Int)?,
                fraction: rc.fraction(&r.fraction)?,
            },
            "ratio_at_most" => RuleKind::RatioAtMost {
                numerator: rc.fact(&r.numerator, "numerator", FactKind::Int)?,
                denominator: rc.fact(&r.denominator, "denominator", FactKind::Int)?,
                fraction: rc.fraction(&r.fraction)?,
            },
            "growth_at_least" => RuleKind::GrowthAtLeast {
                value: rc.fact(&r.value, "value", FactKind::Int)?,
                baseline: rc.fact(&r.baseline, "baseline", FactKind::Int)?,
                percent: rc.non_negative(&r.percent, "percent")?,
            },
            "rate_rises" => RuleKind::RateRises {
                numerator: rc.fact(&r.numerator, "numerator", FactKind::Int)?,
                denominator: rc.fact(&r.denominator, "denominator", FactKind::Int)?,
                baseline_numerator: rc.fact(
                    &r.baseline_numerator,
                    "baseline_numerator",
                    FactKind::Int,
                )?,
                baseline_denominator: rc.fact(
                    &r.baseline_denominator,
                    "baseline_denominator",
                    FactKind::Int,
                )?,
            },
            "count_at_least" => RuleKind::CountAtLeast {
                value: rc.fact(&r.value, "value", FactKind::Int)?,
                min: rc.non_negative(&r.min, "min")?,
            },
            "flag_true" => RuleKind::FlagTrue {
                value: rc.fact(&r.value, "value", FactKind::Bool)?,
            },
            "date_present" => {
                let not_before = r
                    .not_before
                    .as_ref()
                    .map(|d| self.date(d, "not_before"))
                    .transpose()?;
                let not_after = r
                    .not_after
                    .as_ref()
                    .map(|d| self.date(d, "not_after"))
                    .transpose()?;
                if let (Some(a), Some(b), Some(s)) = (not_before, not_after, &r.not_after)
                    && b < a
                {
                    return Err(self.err(
                        s.span(),
                        format!("rule '{id}': not_after {b} is before not_before {a}"),
                    ));
                }
                RuleKind::DatePresent {
                    value: rc.fact(&r.value, "value", FactKind::Date)?,
                    not_before,
                    not_after,
                }
            }
            "dates_in_order" => {
                let steps = rc.required(&r.steps, "steps")?;
                if steps.get_ref().len() < 2 {
                    return Err(self.err(
                        steps.span(),
                        format!("rule '{id}': steps needs at least two date facts"),
                    ));
                }
                let mut names = Vec::new();
                for s in steps.get_ref() {
                    let name = rc.fact_name(s, FactKind::Date)?;
                    if names.contains(&name) {
                        return Err(
                            self.err(s.span(), format!("rule '{id}': step '{name}' listed twice"))
                        );
                    }
                    names.push(name);
                }
                RuleKind::DatesInOrder { steps: names }
            }
            "documents_present" => {
                let docs = rc.required(&r.documents, "documents")?;
                if docs.get_ref().is_empty() {
                    return Err(self.err(
                        docs.span(),
                        format!("rule '{id}': documents must not be empty"),
                    ));
                }
                rc.needs_fact("documents", docs.span())?;
                let mut ids: Vec<String> = Vec::new();
                for d in docs.get_ref() {
                    let did = d.get_ref();
                    if !task_documents.contains(did) {
                        return Err(self.err(
                            d.span(),
                            format!(
                                "rule '{id}': document kind '{did}' is not in task {task}'s required_documents"
                            ),
                        ));
                    }
                    if ids.contains(did) {
                        return Err(self.err(
                            d.span(),
                            format!("rule '{id}': document kind '{did}' listed twice"),
                        ));
                    }
                    ids.push(did.clone());
                }
                RuleKind::DocumentsPresent { documents: ids }
            }
            "not_above_previous" => {
                let cap_rule = rc.required(&r.cap_rule, "cap_rule")?;
                cap_refs.push((id.clone(), cap_rule.clone()));
                RuleKind::NotAbovePrevious {
                    value: rc.fact(&r.value, "value", FactKind::Int)?,
                    previous: rc.fact(&r.previous, "previous", FactKind::Int)?,
                    cap_rule: cap_rule.get_ref().clone(),
                    lift_value: rc.fact(&r.lift_value, "lift_value", FactKind::Int)?,
                    lift_baseline: rc.fact(&r.lift_baseline, "lift_baseline", FactKind::Int)?,
                    lift_above_percent: rc
                        .non_negative(&r.lift_above_percent, "lift_above_percent")?,
                }
            }
            // RULE_KINDS and this match list the same kinds (tested).
            other => {
                return Err(self.err(
                    r.kind.span(),
                    format!("rule '{id}': rule kind '{other}' is not implemented"),
                ));
            }
        };

        Ok(RuleDecl {
            id,
            severity: *r.severity.get_ref(),
            applies: *r.applies.get_ref(),
            clause_zh,
            note_zh: self.opt_text(&r.note_zh, "note_zh")?,
            note_en: self.opt_text(&r.note_en, "note_en")?,
            kind,
        })
    }
}

/// Context for checking one rule's parameters.
struct RuleCx<'a> {
    cx: &'a Cx<'a>,
    id: &'a str,
    kind: &'a str,
    kind_span: Range<usize>,
    task: u32,
    task_facts: &'a [String],
}

impl RuleCx<'_> {
    fn required<'v, T>(&self, v: &'v Option<Spanned<T>>, name: &str) -> Res<&'v Spanned<T>> {
        v.as_ref().ok_or_else(|| {
            self.cx.err(
                self.kind_span.clone(),
                format!(
                    "rule '{}': rule kind '{}' needs parameter '{name}'",
                    self.id, self.kind
                ),
            )
        })
    }

    fn needs_fact(&self, name: &str, span: Range<usize>) -> Res<()> {
        if self.task_facts.iter().any(|f| f == name) {
            Ok(())
        } else {
            Err(self.cx.err(
                span,
                format!(
                    "rule '{}': fact '{name}' is not listed in task {}'s facts",
                    self.id, self.task
                ),
            ))
        }
    }

    fn fact_name(&self, s: &Spanned<String>, kind: FactKind) -> Res<String> {
        let name = s.get_ref();
        let Some(field) = fact_field(name) else {
            return Err(self.cx.err(
                s.span(),
                format!("rule '{}': unknown fact '{name}'", self.id),
            ));
        };
        if field.kind != kind {
            return Err(self.cx.err(
                s.span(),
                format!(
                    "rule '{}': fact '{name}' is of kind {}, this parameter needs {}",
                    self.id,
                    field.kind.as_str(),
                    kind.as_str()
                ),
            ));
        }
        self.needs_fact(name, s.span())?;
        Ok(name.clone())
    }

    fn fact(&self, v: &Option<Spanned<String>>, param: &str, kind: FactKind) -> Res<String> {
        self.fact_name(self.required(v, param)?, kind)
    }

    fn non_negative(&self, v: &Option<Spanned<i64>>, param: &str) -> Res<i64> {
        let v = self.required(v, param)?;
        if *v.get_ref() < 0 {
            return Err(self.cx.err(
                v.span(),
                format!("rule '{}': {param} must not be negative", self.id),
            ));
        }
        Ok(*v.get_ref())
    }

    fn fraction(&self, v: &Option<Spanned<Vec<Spanned<i64>>>>) -> Res<Fraction> {
        let v = self.required(v, "fraction")?;
        match v.get_ref().as_slice() {
            [p, q] => {
                if *p.get_ref() < 0 {
                    return Err(self.cx.err(
                        p.span(),
                        format!(
                            "rule '{}': fraction numerator must not be negative",
                            self.id
                        ),
                    ));
                }
                if *q.get_ref() <= 0 {
                    return Err(self.cx.err(
                        q.span(),
                        format!("rule '{}': fraction denominator must be positive", self.id),
                    ));
                }
                Ok(Fraction {
                    p: *p.get_ref(),
                    q: *q.get_ref(),
                })
            }
            _ => Err(self.cx.err(
                v.span(),
                format!(
                    "rule '{}': fraction must be two integers [p, q], meaning p/q",
                    self.id
                ),
            )),
        }
    }

    /// Bands of a `band_cap` rule (R-RULE-9): explicit inclusive flags, contiguous over the
    /// non-negative integers, no overlap, no gap, open above at the end.
    fn bands(&self, v: &Option<Spanned<Vec<Spanned<RawBand>>>>) -> Res<Vec<Band>> {
        let v = self.required(v, "bands")?;
        let raw = v.get_ref();
        if raw.is_empty() {
            return Err(self.cx.err(
                v.span(),
                format!("rule '{}': bands must not be empty", self.id),
            ));
        }
        let id = self.id;
        let mut out: Vec<Band> = Vec::with_capacity(raw.len());
        // The largest integer the previous band includes (None: unbounded).
        let mut prev_upper: Option<i128> = None;
        for (i, b) in raw.iter().enumerate() {
            let n = i + 1;
            let rb = b.get_ref();
            let edge = |bound: &Option<Spanned<i64>>,
                        flag: &Option<Spanned<bool>>,
                        name: &str|
             -> Res<(Option<i64>, bool)> {
                match (bound, flag) {
                    (Some(x), Some(f)) => Ok((Some(*x.get_ref()), *f.get_ref())),
                    (Some(x), None) => Err(self.cx.err(
                        x.span(),
                        format!(
                            "rule '{id}': band {n}: {name} needs {name}_inclusive = true or false"
                        ),
                    )),
                    (None, Some(f)) => Err(self.cx.err(
                        f.span(),
                        format!("rule '{id}': band {n}: {name}_inclusive without {name}"),
                    )),
                    (None, None) => Ok((None, false)),
                }
            };
            let (min, min_inclusive) = edge(&rb.min, &rb.min_inclusive, "min")?;
            let (max, max_inclusive) = edge(&rb.max, &rb.max_inclusive, "max")?;
            let lower: Option<i128> =
                min.map(|m| i128::from(m) + if min_inclusive { 0 } else { 1 });
            let upper: Option<i128> =
                max.map(|m| i128::from(m) - if max_inclusive { 0 } else { 1 });
            let at = rb
                .min
                .as_ref()
                .map(Spanned::span)
                .or_else(|| rb.max.as_ref().map(Spanned::span))
                .unwrap_or_else(|| b.span());
            if let (Some(l), Some(u)) = (lower, upper)
                && l > u
            {
                return Err(self
                    .cx
                    .err(at, format!("rule '{id}': band {n} contains no value")));
            }
            if i == 0 {
                if lower.is_some_and(|l| l > 0) {
                    return Err(self.cx.err(
                        at,
                        format!("rule '{id}': the first band must start at 0 (inclusive) or be open below"),
                    ));
                }
            } else {
                let Some(l) = lower else {
                    return Err(self.cx.err(
                        b.span(),
                        format!("rule '{id}': band edges overlap: band {n} is open below, but band {} comes before it", n - 1),
                    ));
                };
                match prev_upper {
                    None => {
                        return Err(self.cx.err(
                            at,
                            format!("rule '{id}': band edges overlap: band {} is open above, so band {n} cannot follow it", n - 1),
                        ));
                    }
                    Some(pu) if l <= pu => {
                        return Err(self.cx.err(
                            at,
                            format!(
                                "rule '{id}': band edges overlap: band {n} starts at {}, which band {} already includes (up to {})",
                                l, n - 1, pu
                            ),
                        ));
                    }
                    Some(pu) if l > pu + 1 => {
                        return Err(self.cx.err(
                            at,
                            format!(
                                "rule '{id}': bands leave a gap: band {} ends at {} and band {n} starts at {}",
                                n - 1, pu, l
                            ),
                        ));
                    }
                    Some(_) => {}
                }
            }
            let cap = *rb.cap.get_ref();
            if cap < 0 {
                return Err(self.cx.err(
                    rb.cap.span(),
                    format!("rule '{id}': band {n}: cap must not be negative"),
                ));
            }
            match (&rb.note_zh, &rb.note_en) {
                (Some(s), None) | (None, Some(s)) => {
                    return Err(self.cx.err(
                        s.span(),
                        format!("rule '{id}': band {n}: give both note_zh and note_en, or neither"),
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
                label_zh: self.cx.text(&rb.label_zh, "label_zh")?,
                label_en: self.cx.text(&rb.label_en, "label_en")?,
                note_zh: self.cx.opt_text(&rb.note_zh, "note_zh")?,
                note_en: self.cx.opt_text(&rb.note_en, "note_en")?,
            });
        }
        if prev_upper.is_some() {
            let last = raw.last().map_or(v.span(), Spanned::span);
            return Err(self.cx.err(
                last,
                format!("rule '{id}': the last band must be open above (no max), so every value has a cap"),
            ));
        }
        Ok(out)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::Datelike;

    fn cat() -> Catalogue {
        parse(BUILTIN_2017_SOURCE, BUILTIN_2017_FILE).unwrap()
    }

    #[test]
    fn builtin_2017_is_valid() {
        // R-CAT-1: the compiled-in file parses; builtin_2017() relies on this test.
        let c = cat();
        assert_eq!(c, builtin_2017());
        assert_eq!(builtin(2017).unwrap(), c);
        assert!(builtin(2016).is_err());
        assert_eq!(c.year, 2017);
        assert_eq!(c.issued_on, NaiveDate::from_ymd_opt(2017, 4, 21).unwrap());
        assert_eq!(c.timezone, chrono_tz::Asia::Shanghai);
        assert_eq!(c.min_optional, 5);
        assert_eq!(c.report_due_day, 5);
        assert_eq!(c.title_zh, "中国科协2017年学会改革工作要点");
        assert!(
            c.notice_title_zh
                .contains("关于印发《中国科协2017年学会改革工作要点》的通知")
        );
    }

    #[test]
    fn builtin_2017_has_24_tasks_in_three_classes() {
        // R-CAT-2
        let c = cat();
        assert_eq!(c.tasks.len(), 24);
        let numbers: Vec<u32> = c.tasks.iter().map(|t| t.number).collect();
        assert_eq!(numbers, (1..=24).collect::<Vec<_>>());
        let of = |class| c.tasks_of(class).map(|t| t.number).collect::<Vec<_>>();
        assert_eq!(of(TaskClass::Basic), (1..=7).collect::<Vec<_>>());
        assert_eq!(of(TaskClass::Election), (8..=11).collect::<Vec<_>>());
        assert_eq!(of(TaskClass::Optional), (12..=24).collect::<Vec<_>>());
        assert_eq!(c.mandatory_tasks(false).count(), 7);
        assert_eq!(c.mandatory_tasks(true).count(), 11);
        assert!(c.is_mandatory(TaskClass::Basic, false));
        assert!(!c.is_mandatory(TaskClass::Election, false));
        assert!(c.is_mandatory(TaskClass::Election, true));
        assert!(!c.is_mandatory(TaskClass::Optional, true));
    }

    #[test]
    fn builtin_2017_clauses_are_verbatim() {
        // R-CAT-3: distinctive phrases of the notice, with its own punctuation.
        let c = cat();
        let clause = |n: u32| c.task(n).unwrap().clause_zh.as_str();
        let cases: &[(u32, &str)] = &[
            (
                1,
                "建立务实高效、位阶有序的会议制度，制定科学明确的理事会、常务理事会、理事长办公会、秘书长工作会等各级会议的议事规则",
            ),
            (
                1,
                "做到各项会议制度健全,参加会议有纪律,会议过程有记录，结果有纪要,会议决议有落实。",
            ),
            (
                2,
                "学会个人会员总数在2016年底的基础上整体增加15%以上；提高个人会员的会费收缴比例，扩大学会工作对个人会员的覆盖面;突出",
            ),
            (3, "对长期不开展活动的分支机构进行清理和调整"),
            (4, "及时调整无故不参加会议、不能正常履职的理事"),
            (5, "建立理事会层面的党组织"),
            (6, "公开发布学会2017年年报"),
            (7, "推进学会办事机构实体化规范化职业化建设,建立"),
            (
                7,
                "做到办公有场所，办事机构有专职人员，至少有一名秘书长级专职工作人员",
            ),
            (8, "秘书长人选由理事长提名，理事会表决通过后实行聘任制。"),
            (
                9,
                "个人会员不足2万人的，理事会人数一般不超过150人;个人会员2万以上且不足10万人的，理事会人数一般不超过180人；个人会员超过10万人的，理事会人数一般不超过200人。",
            ),
            (
                9,
                "个人会员数年增幅超过30%的可适当放宽。常务理事会人数不超过理事会人数的三分之一。",
            ),
            (
                10,
                "理事会成员的四分之三、常务理事会成员的三分之二应为基层一线科技工作者。",
            ),
            (11, "各学会通过会员代表大会选举产生学会监事会"),
            (14, "引领联合体智库工作向精深特方向发展。"),
            (20, "《中国科协科普发展规划（2016-2020年）》"),
            (22, "积极参与中国科协海智计划工作，推荐海外高端人才"),
            (23, "推进互联网+学会工作的建设。"),
            (
                24,
                "打造联合开发、优势互补、利益共享、风险共担的协同创新组织",
            ),
        ];
        for (n, phrase) in cases {
            assert!(clause(*n).contains(phrase), "task {n} lacks {phrase}");
        }
        // Each clause starts right after "N." and ends at the item's last full stop.
        assert!(clause(1).starts_with("建立务实高效"));
        assert!(clause(24).ends_with("更好地服务产业转型和企业创新发展。"));
        for t in &c.tasks {
            assert!(t.clause_zh.ends_with('。'), "task {}", t.number);
            assert!(!t.clause_zh.contains('\n'), "task {}", t.number);
            assert!(!t.clause_zh.contains(' '), "task {}", t.number);
        }
    }

    #[test]
    fn builtin_2017_criteria_and_documents() {
        // R-CAT-3, R-RULE-DOC
        let c = cat();
        for n in [1, 2, 3, 4, 5, 7, 11] {
            let t = c.task(n).unwrap();
            let crit = t.criteria_zh.as_deref().unwrap();
            assert!(crit.starts_with("做到"), "task {n}");
            assert!(t.criteria_en.is_some());
        }
        assert!(c.task(6).unwrap().criteria_zh.is_some());
        for n in [8, 9, 10] {
            assert!(c.task(n).unwrap().criteria_zh.is_none());
        }
        let docs = |n: u32| c.task(n).unwrap().required_documents.clone();
        assert_eq!(
            docs(1),
            [
                "council-rules",
                "standing-council-rules",
                "president-office-rules",
                "sg-meeting-rules"
            ]
        );
        assert_eq!(docs(3), ["branch-measures"]);
        assert_eq!(docs(4), ["conduct-code"]);
        assert_eq!(docs(5), ["party-org"]);
        assert_eq!(docs(6), ["annual-report"]);
        assert_eq!(docs(7), ["recruitment-rules", "hr-rules"]);
        assert_eq!(docs(11), ["supervisory-rules"]);
        assert_eq!(c.documents.len(), 11);
        assert!(c.document("annual-report").unwrap().evidence_after_year_end);
        assert!(!c.document("hr-rules").unwrap().evidence_after_year_end);
        assert!(c.document("nope").is_none());
    }

    #[test]
    fn plan_deadline_is_end_of_22_may_beijing_time() {
        // R-PLAN-1: "于5月22日前", Asia/Shanghai (UTC+8).
        let c = cat();
        let utc = c.plan_deadline_utc();
        assert_eq!(utc.to_rfc3339(), "2017-05-22T15:59:59+00:00");
        assert!(c.plan_on_time(utc));
        let last_second = utc + chrono::Duration::milliseconds(999);
        assert!(c.plan_on_time(last_second));
        assert!(!c.plan_on_time(utc + chrono::Duration::seconds(1)));
        assert_eq!(utc.with_timezone(&c.timezone).date_naive().day(), 22);
    }

    #[test]
    fn monthly_report_due_on_the_fifth_of_the_next_month() {
        // R-TRACK-2
        let c = cat();
        assert_eq!(
            c.report_due_on(2017, 6),
            NaiveDate::from_ymd_opt(2017, 7, 5)
        );
        assert_eq!(
            c.report_due_on(2017, 12),
            NaiveDate::from_ymd_opt(2018, 1, 5)
        );
        assert_eq!(c.report_due_on(2017, 13), None);
        assert_eq!(
            c.report_due_utc(2017, 6).unwrap().to_rfc3339(),
            "2017-07-05T15:59:59+00:00"
        );
    }

    #[test]
    fn serialises_as_json() {
        let v = serde_json::to_value(cat()).unwrap();
        assert_eq!(v["year"], 2017);
        assert_eq!(v["timezone"], "Asia/Shanghai");
        assert_eq!(v["plan_deadline"], "2017-05-22T23:59:59");
        assert_eq!(v["tasks"][8]["class"], "election");
        assert_eq!(v["tasks"][8]["rules"][0]["kind"], "band_cap");
        assert_eq!(v["tasks"][8]["rules"][0]["id"], "council-cap");
    }

    #[test]
    fn class_labels() {
        assert_eq!(TaskClass::Basic.label_zh(), "基本任务");
        assert_eq!(TaskClass::Election.label_zh(), "换届学会另外须完成的任务");
        assert_eq!(TaskClass::Optional.label_zh(), "创新服务自选任务");
        for c in TaskClass::ALL {
            assert_eq!(serde_json::to_value(c).unwrap(), c.as_str());
            assert!(!c.label_en().is_empty());
        }
    }

    #[test]
    fn every_rule_kind_is_implemented() {
        // RULE_KINDS and the loader's match agree: a minimal declaration of each kind
        // gets past "unknown kind" and fails only on its missing parameters.
        for (kind, params) in RULE_KINDS {
            let src = BUILTIN_2017_SOURCE.replacen(
                "kind = \"flag_true\"",
                &format!("kind = \"{kind}\""),
                1,
            );
            let e = parse(&src, "k.toml");
            if *kind == "flag_true" {
                assert!(e.is_ok());
                continue;
            }
            let e = e.unwrap_err();
            assert!(
                !e.message.contains("not implemented") && !e.message.contains("unknown rule kind"),
                "{kind}: {e}"
            );
            assert!(!params.is_empty());
        }
    }

    // ----- errors point at the right place ---------------------------------------------------

    /// 1-based line of the `nth` (0-based) occurrence of `needle` in `src`.
    fn line_of(src: &str, needle: &str, nth: usize) -> usize {
        let (pos, _) = src.match_indices(needle).nth(nth).unwrap();
        src[..pos].matches('\n').count() + 1
    }

    /// Replace the first occurrence of `from` (after `after`, if given) and parse.
    fn broken(from: &str, to: &str) -> (String, CatalogueError) {
        assert!(BUILTIN_2017_SOURCE.contains(from), "{from}");
        let src = BUILTIN_2017_SOURCE.replacen(from, to, 1);
        let e = parse(&src, "2017.toml").unwrap_err();
        (src, e)
    }

    #[track_caller]
    fn expect_error(from: &str, to: &str, at: &str, nth: usize, words: &str) {
        let (src, e) = broken(from, to);
        assert_eq!(e.file, "2017.toml");
        assert!(e.message.contains(words), "expected '{words}' in: {e}");
        assert_eq!(e.line, line_of(&src, at, nth), "wrong line for: {e}");
        assert!(e.column >= 1);
        assert!(
            e.to_string()
                .starts_with(&format!("2017.toml:{}:{}: ", e.line, e.column))
        );
    }

    #[test]
    fn syntax_error_has_line_and_column() {
        let src = "year = 2017\ntitle_zh = \"x\nyear = 3\n";
        let e = parse(src, "bad.toml").unwrap_err();
        assert_eq!(e.file, "bad.toml");
        assert_eq!((e.line, e.column), (2, 14), "{e}");
        assert!(e.message.contains("string"), "{e}");
        let src = "year = 2017\n\n  [[tasks]]\n  number = = 3\n";
        let e = parse(src, "bad.toml").unwrap_err();
        assert_eq!(e.line, 4, "{e}");
    }

    #[test]
    fn duplicate_task_number() {
        expect_error(
            "number = 3\n",
            "number = 2\n",
            "number = 2\n",
            1,
            "duplicate task number 2",
        );
    }

    #[test]
    fn task_number_gap() {
        expect_error(
            "number = 24\n",
            "number = 25\n",
            "number = 25\n",
            0,
            "task numbers must be 1..=24 without gaps",
        );
        expect_error(
            "number = 1\n",
            "number = 0\n",
            "number = 0\n",
            0,
            "without gaps",
        );
    }

    #[test]
    fn unknown_document_kind_in_task() {
        expect_error(
            "required_documents = [\"supervisory-rules\"]",
            "required_documents = [\"x\"]",
            "required_documents = [\"x\"]",
            0,
            "task 11: unknown document kind 'x'",
        );
    }

    #[test]
    fn document_of_another_task() {
        expect_error(
            "required_documents = [\"branch-measures\"]",
            "required_documents = [\"conduct-code\"]",
            "required_documents = [\"conduct-code\"]",
            0,
            "belongs to task 4",
        );
    }

    #[test]
    fn unknown_field_is_reported_where_it_is() {
        expect_error(
            "title_en = \"Grow individual membership\"\n",
            "title_en = \"Grow individual membership\"\ntitel_zh = \"x\"\n",
            "titel_zh",
            0,
            "titel_zh",
        );
        expect_error(
            "value = \"has_office\"\n",
            "value = \"has_office\"\nthreshold = 3\n",
            "threshold",
            0,
            "threshold",
        );
    }

    #[test]
    fn unknown_fact_in_rule() {
        expect_error(
            "value = \"fulltime_sg_level\"",
            "value = \"fulltime_sg_levels\"",
            "fulltime_sg_levels",
            0,
            "rule 'fulltime-sg': unknown fact 'fulltime_sg_levels'",
        );
    }

    #[test]
    fn fact_of_wrong_kind_or_not_listed() {
        expect_error(
            "value = \"has_office\"",
            "value = \"fulltime_staff\"",
            "value = \"fulltime_staff\"",
            0,
            "is of kind int, this parameter needs bool",
        );
        expect_error(
            "value = \"fulltime_sg_level\"",
            "value = \"council_new\"",
            "value = \"council_new\"",
            0,
            "not listed in task 7's facts",
        );
        expect_error(
            "facts = [\"fulltime_staff\"",
            "facts = [\"fulltime_stuff\"",
            "fulltime_stuff",
            0,
            "task 7: unknown fact 'fulltime_stuff'",
        );
    }

    #[test]
    fn bad_timezone() {
        expect_error(
            "timezone = \"Asia/Shanghai\"",
            "timezone = \"Asia/Peking\"",
            "Asia/Peking",
            0,
            "unknown time zone 'Asia/Peking'",
        );
    }

    #[test]
    fn bad_dates() {
        expect_error(
            "plan_deadline = 2017-05-22T23:59:59",
            "plan_deadline = 2017-05-22T23:59:59+08:00",
            "plan_deadline = ",
            0,
            "without offset",
        );
        expect_error(
            "issued_on = 2017-04-21",
            "issued_on = 2017-04-21T10:00:00",
            "issued_on = ",
            0,
            "local date",
        );
        expect_error(
            "issued_on = 2017-04-21",
            "issued_on = \"2017-04-21\"",
            "issued_on = ",
            0,
            "",
        );
    }

    #[test]
    fn min_optional_above_optional_tasks() {
        expect_error(
            "min_optional = 5",
            "min_optional = 14",
            "min_optional = 14",
            0,
            "min_optional 14 exceeds the 13 optional tasks",
        );
        // 13 of 13 is fine.
        let src = BUILTIN_2017_SOURCE.replacen("min_optional = 5", "min_optional = 13", 1);
        assert_eq!(parse(&src, "x").unwrap().min_optional, 13);
    }

    #[test]
    fn report_due_day_range() {
        expect_error(
            "report_due_day = 5",
            "report_due_day = 31",
            "report_due_day = 31",
            0,
            "between 1 and 28",
        );
    }

    #[test]
    fn band_edges_overlap() {
        // Band 2 starting at 19,999 overlaps band 1 (which ends below 20,000).
        expect_error(
            "min = 20000\nmin_inclusive = true",
            "min = 19999\nmin_inclusive = true",
            "min = 19999",
            0,
            "band edges overlap: band 2 starts at 19999",
        );
        // Making band 1 include 20,000 overlaps band 2 too.
        expect_error(
            "max = 20000\nmax_inclusive = false",
            "max = 20000\nmax_inclusive = true",
            "min = 20000",
            0,
            "band edges overlap",
        );
        // The single-value band at 100,000, then "over 100,000" made inclusive.
        expect_error(
            "min = 100000\nmin_inclusive = false",
            "min = 100000\nmin_inclusive = true",
            "min = 100000\nmin_inclusive = true",
            1,
            "band edges overlap",
        );
    }

    #[test]
    fn band_gap_and_missing_flag() {
        expect_error(
            "min = 20000\nmin_inclusive = true",
            "min = 20000\nmin_inclusive = false",
            "min = 20000",
            0,
            "bands leave a gap",
        );
        expect_error(
            "min = 20000\nmin_inclusive = true\n",
            "min = 20000\n",
            "min = 20000",
            0,
            "min needs min_inclusive",
        );
    }

    #[test]
    fn rule_parameter_errors() {
        expect_error(
            "fraction = [3, 4]",
            "fraction = [3, 0]",
            "fraction = [3, 0]",
            0,
            "denominator must be positive",
        );
        expect_error(
            "kind = \"flag_true\"",
            "kind = \"flag_on\"",
            "flag_on",
            0,
            "unknown rule kind 'flag_on'",
        );
        expect_error(
            "min = 1\n",
            "min = 1\npercent = 3\n",
            "percent = 3",
            0,
            "parameter 'percent' does not apply to rule kind 'count_at_least'",
        );
        expect_error(
            "percent = 15\n",
            "",
            "kind = \"growth_at_least\"",
            0,
            "needs parameter 'percent'",
        );
        expect_error(
            "cap_rule = \"council-cap\"",
            "cap_rule = \"council-caps\"",
            "council-caps",
            0,
            "cap_rule 'council-caps' does not exist",
        );
        expect_error(
            "cap_rule = \"council-cap\"",
            "cap_rule = \"standing-third\"",
            "cap_rule = \"standing-third\"",
            0,
            "expected band_cap",
        );
        expect_error(
            "severity = \"in_principle\"",
            "severity = \"soft\"",
            "\"soft\"",
            0,
            "soft",
        );
    }

    #[test]
    fn duplicate_rule_id() {
        expect_error(
            "id = \"office-premises\"",
            "id = \"fulltime-sg\"",
            "id = \"fulltime-sg\"",
            1,
            "duplicate rule id 'fulltime-sg'",
        );
    }

    #[test]
    fn quoted_clause_must_be_verbatim() {
        expect_error(
            "clause_zh = \"办公有场所\"",
            "clause_zh = \"办公要有场所\"",
            "办公要有场所",
            0,
            "does not occur verbatim",
        );
        expect_error(
            "criteria_zh = \"做到监事会职责明确，成员分工合理，议事规则简明有效。\"",
            "criteria_zh = \"做到监事会职责明确。\"",
            "做到监事会职责明确。",
            0,
            "criteria_zh does not occur verbatim",
        );
    }

    // ----- [tracking] (R-TRACK-2, R-TRACK-3, R-PLAN-5) ----------------------------------------

    #[test]
    fn builtin_2017_tracking_rules() {
        // R-TRACK-2: plans are due 22 May, reports run June..=December; R-PLAN-5: two red months.
        let t = cat().tracking;
        assert_eq!(
            t,
            TrackingRules {
                first_month: 6,
                last_month: 12,
                yellow_within_days: 30,
                red_missing_reports: 1,
                red_task_months: 2,
            }
        );
        assert_eq!(t.expected_reports(), 7);
        let v = serde_json::to_value(cat()).unwrap();
        assert_eq!(v["tracking"]["first_month"], 6);
        assert_eq!(v["tracking"]["red_task_months"], 2);
    }

    /// The 2017 file with its `[tracking]` body replaced by `body`.
    fn with_tracking(body: &str) -> String {
        let start = BUILTIN_2017_SOURCE.find("[tracking]\n").unwrap();
        let end = BUILTIN_2017_SOURCE[start..].find("\n\n").unwrap() + start;
        format!(
            "{}[tracking]\n{body}{}",
            &BUILTIN_2017_SOURCE[..start],
            &BUILTIN_2017_SOURCE[end..]
        )
    }

    #[test]
    fn tracking_section_is_optional_with_defaults() {
        // Another year's file without [tracking] still loads (R-CAT-1).
        let start = BUILTIN_2017_SOURCE.find("[tracking]\n").unwrap();
        let end = BUILTIN_2017_SOURCE[start..].find("\n\n").unwrap() + start;
        let src = format!(
            "{}{}",
            &BUILTIN_2017_SOURCE[..start],
            &BUILTIN_2017_SOURCE[end..]
        );
        let c = parse(&src, "2018.toml").unwrap();
        assert_eq!(c.tracking, TrackingRules::default());
        assert_eq!(c.tracking.first_month, 1);
        assert_eq!(c.tracking.last_month, 12);
        assert_eq!(c.tracking.expected_reports(), 12);
        // An empty section, or only some keys: the rest take the defaults.
        assert_eq!(
            parse(&with_tracking(""), "x").unwrap().tracking,
            TrackingRules::default()
        );
        let t = parse(&with_tracking("first_month = 3\n"), "x")
            .unwrap()
            .tracking;
        assert_eq!((t.first_month, t.last_month, t.red_task_months), (3, 12, 2));
        // A one-month year is allowed.
        let t = parse(&with_tracking("first_month = 12\nlast_month = 12\n"), "x")
            .unwrap()
            .tracking;
        assert_eq!(t.expected_reports(), 1);
    }

    #[test]
    fn tracking_errors_point_at_the_key() {
        let cases: &[(&str, &str, &str)] = &[
            (
                "first_month = 0\n",
                "first_month = 0",
                "first_month must be between 1 and 12",
            ),
            (
                "last_month = 13\n",
                "last_month = 13",
                "last_month must be between 1 and 12",
            ),
            (
                "first_month = 9\nlast_month = 8\n",
                "last_month = 8",
                "last_month 8 is before first_month 9",
            ),
            (
                "yellow_within_days = -1\n",
                "yellow_within_days = -1",
                "between 0 and 366",
            ),
            (
                "red_missing_reports = 0\n",
                "red_missing_reports = 0",
                "red_missing_reports must be between 1 and 12",
            ),
            (
                "first_month = 10\nred_task_months = 4\n",
                "red_task_months = 4",
                "red_task_months 4 exceeds the 3 monthly reports expected (months 10..=12)",
            ),
            (
                "report_due_day = 5\n",
                "report_due_day = 5\n",
                "report_due_day belongs at the top level",
            ),
            ("first_moth = 6\n", "first_moth", "first_moth"),
            ("first_month = \"June\"\n", "\"June\"", ""),
        ];
        for (body, at, words) in cases {
            let src = with_tracking(body);
            let e = parse(&src, "2017.toml").unwrap_err();
            assert!(
                e.message.contains(words),
                "{body}: expected '{words}' in: {e}"
            );
            // `at` inside the section (report_due_day also occurs at the top level).
            let section = src.find("\n[tracking]\n").unwrap();
            let pos = src[section..].find(at).unwrap() + section;
            let line = src[..pos].matches('\n').count() + 1;
            assert_eq!(e.line, line, "{body}: wrong line for: {e}");
        }
    }

    #[test]
    fn bad_class() {
        expect_error(
            "class = \"election\"",
            "class = \"elective\"",
            "\"elective\"",
            0,
            "elective",
        );
    }
}

//! The yearly task catalogue (R-CAT-1, R-CAT-2, R-CAT-3) and its loader.
//!
//! A catalogue is data: one TOML file per year (`catalogues/2017.toml` is built in, others are
//! loaded at run time with [`parse`]). The file format is described completely in
//! `docs/CATALOGUE.md` (and summarised at the top of `catalogues/2017.toml`). The file declares
//! the facts the year speaks about (`[[facts]]`, [`crate::facts::FactDecl`]), its tasks and
//! their rules; the kinds of rule are the table [`crate::rules::kinds::KINDS`]. Loading
//! validates everything a later step relies on — task numbering, classes, document kinds, fact
//! declarations and the facts each task and rule names, rule parameters, band edges, and that
//! every quoted clause occurs verbatim in its task's text — and reports the first problem as
//! `file:line:column: message` ([`CatalogueError`]). [`summary`] tells an author what a
//! loaded file says.

mod fact_decls;
pub(crate) mod params;
mod summary;

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::ops::Range;

use chrono::{DateTime, NaiveDate, NaiveDateTime, NaiveTime, TimeZone, Timelike, Utc};
use chrono_tz::Tz;
use serde::{Deserialize, Serialize};
use toml::Spanned;
use toml::value::Datetime;

use crate::facts::FactDecl;
use crate::rules::kinds::{self, KINDS};
use crate::rules::{Applies, RuleDecl, Severity};

pub use summary::{CatalogueSummary, ClassSummary, FactSummary, RuleWords, summary};

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
    /// Names of the facts the task measures (declared in the file's `[[facts]]`).
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
    /// The file's `[placeholders]` (e.g. `baseline_year` → `2016`), filled into fact labels
    /// and help; `{year}` is always the catalogue's year.
    pub placeholders: BTreeMap<String, String>,
    /// The facts the year speaks about, in declaration (form) order (R-SOC-2).
    pub facts: Vec<FactDecl>,
    /// The yes/no fact that says whether a society holds its council election this year (the
    /// registry's flag); rules with `applies = "election_year"` read it.
    pub election_fact: Option<String>,
    /// The file declares no `[[facts]]`: it was written before facts were declared, and its
    /// facts, placeholders and election fact are those of the built-in 2017 file (the 2017
    /// compatibility shim, see [`parse`]).
    pub facts_from_builtin: bool,
    /// Fact name → position in `facts`, for [`Catalogue::fact`] (rules look labels up often).
    #[serde(skip)]
    fact_index: HashMap<String, usize>,
    /// Year-end assessment (R-ASSESS-*): the `[assessment]` section; `None` when absent.
    pub assessment: Option<crate::assess::AssessmentRules>,
    /// Public monitoring bulletins (R-PUB-1, R-PUB-2): the `[publication]` section; defaults
    /// ([`crate::publish::PublicationRules::default`]) when absent.
    pub publication: crate::publish::PublicationRules,
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

    /// The declaration of the fact named `name` (R-SOC-2).
    pub fn fact(&self, name: &str) -> Option<&FactDecl> {
        match self.fact_index.get(name).and_then(|&i| self.facts.get(i)) {
            Some(f) if f.name == name => Some(f),
            // Not indexed (or `facts` changed after loading): look it up.
            _ => self.facts.iter().find(|f| f.name == name),
        }
    }

    /// The facts a society enters (forms, imports, the API): every declared fact but the
    /// election flag, which is the registry's.
    pub fn entered_facts(&self) -> impl Iterator<Item = &FactDecl> {
        self.facts
            .iter()
            .filter(move |f| self.election_fact.as_deref() != Some(f.name.as_str()))
    }

    /// Whether `name` is the election flag ([`Catalogue::election_fact`]).
    pub fn is_election_fact(&self, name: &str) -> bool {
        self.election_fact.as_deref() == Some(name)
    }

    /// The label of fact `name` in the chosen language, or the name itself when it is not
    /// declared.
    pub fn fact_label<'a>(&'a self, name: &'a str, en: bool) -> &'a str {
        self.fact(name).map_or(name, |f| f.label(en))
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
    #[serde(default)]
    election_fact: Option<Spanned<String>>,
    #[serde(default)]
    placeholders: Option<Spanned<BTreeMap<String, Spanned<fact_decls::RawPlaceholder>>>>,
    #[serde(default)]
    facts: Option<Spanned<Vec<Spanned<fact_decls::RawFact>>>>,
    #[serde(default)]
    assessment: Option<crate::assess::config::RawAssessment>,
    #[serde(default)]
    publication: Option<crate::publish::config::RawPublication>,
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

/// The keys every rule has; the rest of a `[[tasks.rules]]` table are the parameters of its
/// kind, read by the kind itself from the spanned table ([`params::Params`]).
#[derive(Deserialize)]
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
}

/// Keys of [`RawRule`]: not parameters.
const RULE_KEYS: &[&str] = &[
    "id",
    "kind",
    "severity",
    "applies",
    "clause_zh",
    "note_zh",
    "note_en",
];

// ---------------------------------------------------------------------------------------------
// Loader
// ---------------------------------------------------------------------------------------------

/// Parse and validate a catalogue file (R-CAT-1). `file_name` is used in error messages only.
///
/// Syntax errors, unknown or missing fields, and semantic errors (duplicate or missing task
/// numbers, unknown document kinds, fact declarations — unknown kinds, duplicate names,
/// relations to unknown facts or facts of the wrong kind, placeholders that do not exist —,
/// tasks or rules naming undeclared facts, rule parameters, overlapping band edges,
/// `min_optional` above the number of optional tasks, clause quotes not found verbatim, bad
/// time zone, …) are reported with the line and column of the offending text.
///
/// 2017 compatibility: a file without `[[facts]]` was written before facts were declared; it is
/// read with the fact declarations, placeholders and election fact of the built-in 2017 file
/// (the only facts such a file could use), and [`Catalogue::facts_from_builtin`] says so.
pub fn parse(source: &str, file_name: &str) -> Result<Catalogue, CatalogueError> {
    let cx = Cx {
        source,
        file: file_name,
    };
    let raw: RawCatalogue = toml::from_str(source).map_err(|e| cx.toml_err(&e))?;
    // The same text as spanned tables: each rule's kind reads its own parameters from them.
    let doc = toml::de::DeTable::parse(source).map_err(|e| cx.toml_err(&e))?;
    cx.build(raw, rule_tables(doc.into_inner()))
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

impl<'a> Cx<'a> {
    fn toml_err(&self, e: &toml::de::Error) -> CatalogueError {
        self.err(e.span().unwrap_or(0..0), e.message().trim_end().to_owned())
    }

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

    fn build(&self, raw: RawCatalogue, rule_tables: Vec<Vec<RuleTable<'a>>>) -> Res<Catalogue> {
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

        // Facts next: tasks and rules name them.
        let decls = self.fact_declarations(&raw, year)?;

        let mut tasks = Vec::with_capacity(raw_tasks.len());
        let mut rule_ids: BTreeMap<String, Range<usize>> = BTreeMap::new();
        // References between rules (e.g. cap_rule), resolved once every rule is known.
        let mut refs: Vec<params::RuleRef> = Vec::new();
        let mut tables = rule_tables.into_iter();
        for t in raw_tasks {
            let tables = tables.next().unwrap_or_default();
            tasks.push(self.build_task(
                t.get_ref(),
                tables,
                &documents,
                &decls,
                &mut rule_ids,
                &mut refs,
            )?);
        }
        tasks.sort_by_key(|t| t.number);

        for r in &refs {
            let found = tasks
                .iter()
                .flat_map(|t| t.rules.iter())
                .find(|x| &x.id == r.target.get_ref());
            match found {
                Some(x) if x.kind.name() == r.expected => {}
                Some(other) => {
                    return Err(self.err(
                        r.target.span(),
                        format!(
                            "rule '{}': {} '{}' is a {} rule, expected {}",
                            r.from,
                            r.param,
                            r.target.get_ref(),
                            other.kind.name(),
                            r.expected
                        ),
                    ));
                }
                None => {
                    return Err(self.err(
                        r.target.span(),
                        format!(
                            "rule '{}': {} '{}' does not exist",
                            r.from,
                            r.param,
                            r.target.get_ref()
                        ),
                    ));
                }
            }
        }

        // A rule applying in election years reads the election flag.
        if decls.election_fact.is_none()
            && let Some(r) = raw_tasks
                .iter()
                .flat_map(|t| t.get_ref().rules.iter())
                .find(|r| *r.get_ref().applies.get_ref() == Applies::ElectionYear)
        {
            return Err(self.err(
                r.get_ref().applies.span(),
                format!(
                    "rule '{}' applies in election years, but the file names no election_fact \
                     (the yes/no fact saying whether a society holds its council election)",
                    r.get_ref().id.get_ref()
                ),
            ));
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

        // R-ASSESS-*: the `[assessment]` section, checked against the tasks and their rules.
        let assessment = raw
            .assessment
            .as_ref()
            .map(|a| crate::assess::config::load(a, &tasks, &|span, m| self.err(span, m)))
            .transpose()?;
        // R-PUB-1, R-PUB-2: the `[publication]` section (peer groups, bands, lagging rule).
        let publication = match &raw.publication {
            Some(p) => crate::publish::config::load(p, &|span, m| self.err(span, m))?,
            None => crate::publish::PublicationRules::default(),
        };

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
            placeholders: decls.placeholders,
            fact_index: decls
                .facts
                .iter()
                .enumerate()
                .map(|(i, f)| (f.name.clone(), i))
                .collect(),
            facts: decls.facts,
            election_fact: decls.election_fact,
            facts_from_builtin: decls.from_builtin,
            assessment,
            publication,
        })
    }

    fn build_task(
        &self,
        t: &RawTask,
        tables: Vec<RuleTable<'a>>,
        documents: &[DocumentKind],
        decls: &fact_decls::Declarations,
        rule_ids: &mut BTreeMap<String, Range<usize>>,
        refs: &mut Vec<params::RuleRef>,
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
            if !decls.facts.iter().any(|d| &d.name == name) {
                return Err(self.err(
                    f.span(),
                    format!(
                        "task {number}: unknown fact '{name}' (not declared in [[facts]]{})",
                        decls.origin()
                    ),
                ));
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
        let mut tables = tables.into_iter();
        for r in &t.rules {
            let Some(table) = tables.next() else {
                return Err(self.err(r.span(), "internal: rule table not found"));
            };
            let task = params::TaskScope {
                number,
                clause_zh: &clause_zh,
                facts: &facts,
                documents: &required_documents,
            };
            let rule = self.build_rule(r, table, &task, decls, refs)?;
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
        table: RuleTable<'a>,
        task: &params::TaskScope<'_>,
        decls: &fact_decls::Declarations,
        refs: &mut Vec<params::RuleRef>,
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
        if !task.clause_zh.contains(clause_zh.as_str()) {
            return Err(self.err(
                r.clause_zh.span(),
                format!(
                    "rule '{id}': clause_zh does not occur verbatim in task {}'s clause_zh",
                    task.number
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
        let Some(def) = KINDS.iter().find(|k| k.name == kind_name) else {
            let known: Vec<&str> = KINDS.iter().map(|k| k.name).collect();
            return Err(self.err(
                r.kind.span(),
                format!(
                    "rule '{id}': unknown rule kind '{kind_name}' (known: {})",
                    known.join(", ")
                ),
            ));
        };
        let entries = table
            .into_inner()
            .into_iter()
            .filter(|(k, _)| !RULE_KEYS.contains(&k.get_ref().as_ref()))
            .map(|(k, v)| (k.get_ref().to_string(), (k.span(), v)))
            .collect();
        let p = params::Params::new(self, &id, def, r.kind.span(), task, &decls.facts, entries);
        p.only_known()?;
        let kind = kinds::Kind::new((def.build)(&p)?);
        refs.extend(p.finish()?);

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

/// One `[[tasks.rules]]` table as spanned TOML, for its kind to read its parameters from.
type RuleTable<'a> = Spanned<toml::de::DeTable<'a>>;

/// The rule tables of the file, by task (in file order) and rule (in file order).
fn rule_tables(doc: toml::de::DeTable<'_>) -> Vec<Vec<RuleTable<'_>>> {
    use toml::de::DeValue;
    let Some(tasks) = doc
        .into_iter()
        .find_map(|(k, v)| (k.get_ref() == "tasks").then_some(v))
    else {
        return Vec::new();
    };
    let DeValue::Array(tasks) = tasks.into_inner() else {
        return Vec::new();
    };
    tasks
        .iter()
        .map(|t| {
            let Some(DeValue::Array(rules)) = t.get_ref().get("rules").map(Spanned::get_ref) else {
                return Vec::new();
            };
            rules
                .iter()
                .filter_map(|r| match r.get_ref() {
                    DeValue::Table(table) => Some(Spanned::new(r.span(), table.clone())),
                    _ => None,
                })
                .collect()
        })
        .collect()
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
        // Every kind of the table is known to the loader: a declaration of each gets past
        // "unknown kind" and fails only on its parameters.
        for def in KINDS {
            let (kind, params) = (def.name, def.params);
            let src = BUILTIN_2017_SOURCE.replacen(
                "kind = \"flag_true\"",
                &format!("kind = \"{kind}\""),
                1,
            );
            let e = parse(&src, "k.toml");
            if kind == "flag_true" {
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

    // ----- fact declarations (R-SOC-2) ----------------------------------------------------------

    #[test]
    fn fact_declaration_errors_point_at_the_mistake() {
        // (from, to, where, nth occurrence of where, words)
        let cases: &[(&str, &str, &str, usize, &str)] = &[
            (
                "name = \"has_office\"\nkind = \"bool\"",
                "name = \"has_office\"\nkind = \"boolean\"",
                "\"boolean\"",
                0,
                "fact 'has_office': unknown fact kind 'boolean' (known: int, bool, date, docs)",
            ),
            (
                "name = \"council_women\"",
                "name = \"council_cpc\"",
                "name = \"council_cpc\"",
                1,
                "duplicate fact name 'council_cpc'",
            ),
            (
                "name = \"council_women\"",
                "name = \"Council-Women\"",
                "Council-Women",
                0,
                "fact name 'Council-Women' must be lower-case letters",
            ),
            (
                "at_most = \"members_now\"",
                "at_most = \"members_today\"",
                "members_today",
                0,
                "fact 'fee_payers_now': at_most 'members_today' is not a declared fact",
            ),
            (
                "at_most = \"fulltime_staff\"",
                "at_most = \"has_office\"",
                "at_most = \"has_office\"",
                0,
                "fact 'fulltime_sg_level': at_most relates int facts, but 'has_office' is of kind bool",
            ),
            (
                "at_most = [\"standing_new\", \"council_frontline\"]",
                "at_most = [\"standing_new\", \"council_frontlines\"]",
                "council_frontlines",
                0,
                "at_most 'council_frontlines' is not a declared fact",
            ),
            (
                "at_most = \"fulltime_staff\"",
                "at_most = \"fulltime_sg_level\"",
                "at_most = \"fulltime_sg_level\"",
                0,
                "fact 'fulltime_sg_level': at_most names the fact itself",
            ),
            (
                "together_with = [\"branches_dissolved\"]",
                "together_with = [\"branches_gone\"]",
                "branches_gone",
                0,
                "together_with 'branches_gone' is not a declared fact",
            ),
            (
                "at_most = \"branches_total\"\ntogether_with",
                "at_most = [\"branches_total\", \"fulltime_staff\"]\ntogether_with",
                "together_with = [",
                0,
                "together_with needs exactly one at_most",
            ),
            (
                "label_en = \"Approved by council vote on\"",
                "label_en = \"Approved by council vote on\"\nnot_before = \"members_now\"",
                "not_before = ",
                0,
                "fact 'sg_approved_on': not_before relates date facts, but 'members_now' is of kind int",
            ),
            (
                "label_zh = \"{baseline_year}年底个人会员\"",
                "label_zh = \"{base_year}年底个人会员\"",
                "{base_year}",
                0,
                "fact 'members_baseline': label_zh: unknown placeholder '{base_year}' (known: {baseline_year}, {year}",
            ),
            (
                "label_en = \"Individual members at the end of {baseline_year}\"",
                "label_en = \"Individual members at the end of {baseline_year\"",
                "{baseline_year\"",
                0,
                "label_en: '{' is not closed",
            ),
            (
                "help_zh = \"{baseline_year}年12月31日",
                "help_zh = \"baseline_year}年12月31日",
                "baseline_year}年12月31日",
                0,
                "help_zh: '}' without '{'",
            ),
            (
                "baseline_year = 2016",
                "baseline_year = 2016\nyear = 2016",
                "year = 2016\n",
                1,
                "placeholder 'year' is always the catalogue's year",
            ),
            (
                "unit_zh = \"人\"\nunit_en = \"people\"\n",
                "unit_zh = \"人\"\n",
                "unit_zh = \"人\"",
                0,
                "give both unit_zh and unit_en, or neither",
            ),
            (
                "election_fact = \"election_year\"",
                "election_fact = \"election\"",
                "election_fact = ",
                0,
                "election_fact 'election' is not a declared fact",
            ),
            (
                "election_fact = \"election_year\"",
                "election_fact = \"members_now\"",
                "election_fact = ",
                0,
                "election_fact 'members_now' is of kind int, it must be a bool fact",
            ),
            (
                "election_fact = \"election_year\"\n",
                "",
                "applies = \"election_year\"\nclause_zh",
                0,
                "rule 'sg-appointment' applies in election years, but the file names no election_fact",
            ),
            (
                "steps = [\"sg_nominated_on\", \"sg_approved_on\", \"sg_appointed_on\"]",
                "steps = [\"sg_nominated_on\", \"sg_approved_on\", \"sg_appointed_at\"]",
                "sg_appointed_at",
                0,
                "rule 'sg-appointment': unknown fact 'sg_appointed_at' (not declared in [[facts]])",
            ),
        ];
        for (from, to, at, nth, words) in cases {
            expect_error(from, to, at, *nth, words);
        }
    }

    #[test]
    fn an_unknown_placeholder_is_reported_at_its_column() {
        let (src, e) = broken(
            "label_zh = \"{baseline_year}年底个人会员\"",
            "label_zh = \"{base_year}年底个人会员\"",
        );
        let pos = src.find("{base_year}").unwrap();
        let line_start = src[..pos].rfind('\n').unwrap() + 1;
        assert_eq!(e.column, src[line_start..pos].chars().count() + 1, "{e}");
    }

    #[test]
    fn placeholders_fill_labels_and_help() {
        let c = cat();
        assert_eq!(
            c.placeholders.get("baseline_year").map(String::as_str),
            Some("2016")
        );
        let m = c.fact("members_baseline").unwrap();
        assert_eq!(
            m.help_zh.as_deref(),
            Some("2016年12月31日的个人会员总数，任务2增长15%的基数。")
        );
        // Another baseline year changes every label that uses it.
        let src =
            BUILTIN_2017_SOURCE.replacen("baseline_year = 2016", "baseline_year = \"2017\"", 1);
        let c = parse(&src, "x").unwrap();
        assert_eq!(
            c.fact("fee_payers_baseline").unwrap().label_zh,
            "2017年底缴费个人会员"
        );
        // {year} is the catalogue's year.
        let src = BUILTIN_2017_SOURCE.replacen(
            "label_zh = \"当前个人会员\"",
            "label_zh = \"{year}年当前个人会员\"",
            1,
        );
        assert_eq!(
            parse(&src, "x")
                .unwrap()
                .fact("members_now")
                .unwrap()
                .label_zh,
            "2017年当前个人会员"
        );
    }

    /// The 2017 file as it was before facts were declared: no `election_fact`,
    /// `[placeholders]` or `[[facts]]`.
    fn without_declarations(src: &str) -> String {
        let start = src.find("# Facts (R-SOC-2)").unwrap();
        let start = src[..start].rfind("# ----").unwrap();
        let end = src.find("# Document kinds (R-RULE-DOC)").unwrap();
        let end = src[..end].rfind("# ----").unwrap();
        let cut = format!("{}{}", &src[..start], &src[end..]);
        let p = cut.find("# The registry's council-election flag").unwrap();
        let q = cut[p..].find("\n[tracking]").unwrap() + p + 1;
        format!("{}{}", &cut[..p], &cut[q..])
    }

    #[test]
    fn a_file_without_fact_declarations_uses_the_2017_facts() {
        // The 2017 compatibility shim: files (and stored catalogues) written before facts were
        // declared load with the built-in 2017 declarations, and judge exactly as before.
        let old = without_declarations(BUILTIN_2017_SOURCE);
        assert!(!old.lines().any(|l| {
            l.starts_with("[[facts]]")
                || l.starts_with("[placeholders]")
                || l.starts_with("election_fact")
        }));
        let c = parse(&old, "old-2017.toml").unwrap();
        assert!(c.facts_from_builtin);
        let b = builtin_2017();
        assert_eq!(c.facts, b.facts);
        assert_eq!(c.election_fact, b.election_fact);
        assert_eq!(c.tasks, b.tasks);
        let facts = crate::facts::parse_facts_json(
            r#"{"election_year": true, "members_now": 23000, "council_new": 190, "council_previous": 170,
                "members_baseline": 20000, "standing_new": 64, "documents": ["council-rules"]}"#,
            &c,
        )
        .unwrap();
        assert_eq!(
            crate::rules::evaluate(&c, &facts),
            crate::rules::evaluate(&b, &facts)
        );
        // An undeclared fact in such a file says where the facts come from.
        let e = parse(
            &old.replacen(
                "facts = [\"fulltime_staff\"",
                "facts = [\"fulltime_stuff\"",
                1,
            ),
            "old.toml",
        )
        .unwrap_err();
        assert!(e.message.contains("of the built-in 2017 file"), "{e}");
        // Placeholders or an election fact without facts are a mistake.
        let e = parse(
            &old.replacen(
                "\n[tracking]",
                "\nelection_fact = \"election_year\"\n[tracking]",
                1,
            ),
            "old.toml",
        )
        .unwrap_err();
        assert!(e.message.contains("the file declares no facts"), "{e}");
        let e = parse(
            &format!("{old}\n[placeholders]\nbaseline_year = 2016\n"),
            "old.toml",
        )
        .unwrap_err();
        assert!(e.message.contains("the file declares no facts"), "{e}");
    }

    #[test]
    fn catalogue_fact_helpers() {
        let c = cat();
        assert_eq!(c.entered_facts().count(), 27);
        assert!(c.entered_facts().all(|f| f.name != "election_year"));
        assert!(c.is_election_fact("election_year"));
        assert!(!c.is_election_fact("members_now"));
        assert_eq!(c.fact_label("council_new", false), "新一届理事会");
        assert_eq!(c.fact_label("council_new", true), "New council size");
        assert_eq!(c.fact_label("nope", true), "nope");
        // The name index never answers wrongly, even when `facts` changed after loading.
        let mut changed = c.clone();
        changed.facts.remove(0);
        assert_eq!(
            changed.fact("members_baseline").unwrap().name,
            "members_baseline"
        );
        assert!(changed.fact("election_year").is_none());
        let v = serde_json::to_value(&c).unwrap();
        assert_eq!(v["facts"][3]["name"], "fee_payers_baseline");
        assert_eq!(v["facts"][3]["at_most"][0]["whole"], "members_baseline");
        assert_eq!(v["election_fact"], "election_year");
    }
}

//! What a catalogue says, on its page (issue 13): the same summary as `reformwatch catalogue
//! check` (`reformwatch_core::catalogue::summary`) — tasks per class, the declared facts with
//! their kinds, units and relations, rules per kind, the plan deadline in Beijing time and
//! UTC, the monthly reports — and every rule declaration in words, without raw ids.

use reformwatch_core::catalogue::{Catalogue, summary};
use reformwatch_core::rules::{Applies, Severity};

use crate::i18n::T;

/// Words for people: the core's descriptions name each fact as "label（name）" for authors;
/// the page drops the names ("新一届理事会（council_size）" → "新一届理事会").
fn plain(c: &Catalogue, words: &str) -> String {
    let mut out = words.to_string();
    for f in &c.facts {
        out = out
            .replace(&format!("（{}）", f.name), "")
            .replace(&format!(" ({})", f.name), "");
    }
    out
}

/// "2017-05-22 23:59（北京时间）" / "2017-05-22 23:59 (Beijing time)": the instant in Beijing
/// time, from its UTC minute (issue 10: no UTC beside Beijing time on a page; a catalogue in
/// another time zone still reads in Beijing time). `local` only if the UTC text is not a time.
fn instant(t: &T, local: &str, utc: &str) -> String {
    let beijing = chrono::NaiveDateTime::parse_from_str(utc, "%Y-%m-%d %H:%M")
        .map(|u| crate::present::beijing(u.and_utc()))
        .unwrap_or_else(|_| local.to_string());
    t.t("summary-at").replace("{local}", &beijing)
}

pub struct FactRow {
    pub label: String,
    pub kind: String,
    pub unit: String,
    pub notes: Vec<String>,
    pub tasks: String,
}

pub struct RuleRow {
    pub task: u32,
    pub task_title: String,
    pub severity: String,
    pub applies: String,
    pub judged: bool,
    pub words: String,
}

pub struct SummaryView {
    pub tasks: usize,
    pub classes: Vec<String>,
    pub facts: Vec<FactRow>,
    pub facts_from_builtin: bool,
    pub kinds: Vec<String>,
    pub deadline: String,
    /// "次月 10 日前报送"
    pub report_day: String,
    /// The first and last monthly reports with their due instants.
    pub reports: Vec<String>,
    pub rules: Vec<RuleRow>,
}

pub fn view(t: &T, c: &Catalogue) -> SummaryView {
    let s = summary(c);
    let classes = s
        .classes
        .iter()
        .map(|x| {
            t.t("summary-class")
                .replace("{label}", t.pick(&x.label_zh, &x.label_en))
                .replace("{count}", &x.tasks.to_string())
                .replace("{numbers}", &x.numbers)
                .replace("{required}", t.pick(&x.required_zh, &x.required_en))
        })
        .collect();
    let facts = s
        .facts
        .iter()
        .map(|f| {
            let relations = if t.is_en() {
                &f.relations_en
            } else {
                &f.relations_zh
            };
            let mut notes: Vec<String> = relations.iter().map(|r| plain(c, r)).collect();
            if s.election_fact.as_deref() == Some(f.name.as_str()) {
                notes.insert(0, t.t("summary-election-fact"));
            }
            FactRow {
                label: t.pick(&f.label_zh, &f.label_en).to_string(),
                kind: t.pick(f.kind.label_zh(), f.kind.label_en()).to_string(),
                unit: t.pick(&f.unit_zh, &f.unit_en).to_string(),
                notes,
                tasks: f
                    .tasks
                    .iter()
                    .map(u32::to_string)
                    .collect::<Vec<_>>()
                    .join(if t.is_en() { ", " } else { "、" }),
            }
        })
        .collect();
    let kinds = s
        .rules_per_kind
        .iter()
        .map(|(k, n)| {
            t.t("summary-kind")
                .replace("{kind}", &t.t(&format!("kind-{k}")))
                .replace("{count}", &n.to_string())
        })
        .collect();
    let rules = c
        .rules()
        .map(|(task, r)| {
            let w = r.kind.describe(c);
            RuleRow {
                task: task.number,
                task_title: t.pick(&task.title_zh, &task.title_en).to_string(),
                severity: t.t(match r.severity {
                    Severity::Hard => "summary-hard",
                    Severity::InPrinciple => "summary-in-principle",
                }),
                applies: t.t(match r.applies {
                    Applies::Always => "summary-applies-always",
                    Applies::ElectionYear => "summary-applies-election",
                }),
                judged: r.kind.judged(),
                words: plain(c, t.pick(&w.zh, &w.en)),
            }
        })
        .collect();
    SummaryView {
        tasks: s.tasks,
        classes,
        facts,
        facts_from_builtin: s.facts_from_builtin,
        kinds,
        deadline: instant(t, &s.plan_deadline_local, &s.plan_deadline_utc),
        report_day: t.t1("summary-report-day", "day", &s.report_due_day),
        reports: [&s.first_report, &s.last_report]
            .into_iter()
            .flatten()
            .map(|r| format!("{}：{}", r.month, instant(t, &r.due_local, &r.due_utc)))
            .collect(),
        rules,
    }
}

//! What a catalogue file says, for its author (R-CAT-1): tasks per class, the facts with their
//! kinds and relations, rules per kind, the deadlines in local time and UTC, the monthly
//! report due day and tracking months, and every rule declaration in words, in Chinese and
//! English. `reformwatch catalogue check FILE` prints it; the catalogue page shows it.

use chrono::{DateTime, NaiveDateTime, NaiveTime, Utc};
use serde::Serialize;

use super::{Catalogue, TaskClass, TrackingRules};
use crate::facts::FactKind;
use crate::rules::kinds::KINDS;
use crate::rules::{Applies, Label, Severity};

/// The summary of one catalogue (see [`summary`]).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct CatalogueSummary {
    pub year: i32,
    pub title_zh: String,
    pub title_en: String,
    /// Every class, in catalogue order, with its tasks.
    pub classes: Vec<ClassSummary>,
    pub tasks: usize,
    pub min_optional: u32,
    pub facts: Vec<FactSummary>,
    /// The file declares no facts and uses those of the built-in 2017 file.
    pub facts_from_builtin: bool,
    /// The yes/no fact read by rules that apply in election years.
    pub election_fact: Option<String>,
    /// (kind, number of rules), in the order of the kinds table, kinds in use only.
    pub rules_per_kind: Vec<(String, usize)>,
    pub timezone: String,
    /// `YYYY-MM-DD HH:MM` in the catalogue's zone, and in UTC.
    pub plan_deadline_local: String,
    pub plan_deadline_utc: String,
    pub report_due_day: u32,
    pub tracking: TrackingRules,
    /// The first and last monthly reports expected, with their due instants.
    pub first_report: Option<ReportDue>,
    pub last_report: Option<ReportDue>,
    /// Every rule, in task then declaration order, in words.
    pub rules: Vec<RuleWords>,
}

/// The tasks of one class.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ClassSummary {
    pub class: TaskClass,
    pub label_zh: String,
    pub label_en: String,
    pub tasks: usize,
    /// Task numbers, compressed: "1–7", "12, 14–16".
    pub numbers: String,
    /// Who must do them, in words.
    pub required_zh: String,
    pub required_en: String,
}

/// One declared fact.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct FactSummary {
    pub name: String,
    pub kind: FactKind,
    pub label_zh: String,
    pub label_en: String,
    pub unit_zh: String,
    pub unit_en: String,
    /// Its declared relations in words.
    pub relations_zh: Vec<String>,
    pub relations_en: Vec<String>,
    /// The tasks that list it.
    pub tasks: Vec<u32>,
}

/// A monthly report and when it is due.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ReportDue {
    /// `YYYY-MM`.
    pub month: String,
    pub due_local: String,
    pub due_utc: String,
}

/// One rule declaration in words.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct RuleWords {
    pub id: String,
    pub task: u32,
    pub kind: String,
    pub severity: Severity,
    pub applies: Applies,
    pub judged: bool,
    /// "任务 9 · council-cap（band_cap，硬性要求，仅换届学会）：…"
    pub zh: String,
    pub en: String,
}

fn minute(t: NaiveDateTime) -> String {
    t.format("%Y-%m-%d %H:%M").to_string()
}

fn utc_minute(t: DateTime<Utc>) -> String {
    t.format("%Y-%m-%d %H:%M").to_string()
}

/// "1–7", "1, 3, 5–7".
fn ranges(numbers: &[u32]) -> String {
    let mut out: Vec<String> = Vec::new();
    let mut i = 0;
    while i < numbers.len() {
        let start = numbers[i];
        let mut end = start;
        while i + 1 < numbers.len() && numbers[i + 1] == end + 1 {
            i += 1;
            end = numbers[i];
        }
        out.push(if start == end {
            start.to_string()
        } else {
            format!("{start}–{end}")
        });
        i += 1;
    }
    out.join(", ")
}

fn severity_words(s: Severity) -> (&'static str, &'static str) {
    match s {
        Severity::Hard => ("硬性要求", "hard"),
        Severity::InPrinciple => (
            "原则性要求，未满足为需说明",
            "in principle: not met is a warning",
        ),
    }
}

fn applies_words(a: Applies) -> (&'static str, &'static str) {
    match a {
        Applies::Always => ("每个学会", "every society"),
        Applies::ElectionYear => (
            "仅换届学会",
            "societies holding their council election only",
        ),
    }
}

/// What `catalogue` says, for its author.
pub fn summary(catalogue: &Catalogue) -> CatalogueSummary {
    let classes = TaskClass::ALL
        .iter()
        .map(|&class| {
            let numbers: Vec<u32> = catalogue.tasks_of(class).map(|t| t.number).collect();
            let (required_zh, required_en) = if catalogue.mandatory_classes.contains(&class) {
                (
                    "每个学会必做".to_owned(),
                    "mandatory for every society".to_owned(),
                )
            } else if catalogue.election_year_classes.contains(&class) {
                (
                    "换届学会另外必做".to_owned(),
                    "mandatory in addition for societies holding their council election".to_owned(),
                )
            } else {
                (
                    format!("自选，每个学会至少选 {} 项", catalogue.min_optional),
                    format!(
                        "optional, each society selects at least {}",
                        catalogue.min_optional
                    ),
                )
            };
            ClassSummary {
                class,
                label_zh: class.label_zh().to_owned(),
                label_en: class.label_en().to_owned(),
                tasks: numbers.len(),
                numbers: ranges(&numbers),
                required_zh,
                required_en,
            }
        })
        .collect();

    let facts = catalogue
        .facts
        .iter()
        .map(|f| {
            let mut relations_zh = Vec::new();
            let mut relations_en = Vec::new();
            let label = |n: &str| Label::of(catalogue, n);
            for a in &f.at_most {
                let w = label(&a.whole);
                if a.together_with.is_empty() {
                    relations_zh.push(format!("不多于{}", w.zh_ref()));
                    relations_en.push(format!("at most {}", w.en_ref()));
                } else {
                    let with_zh: Vec<String> =
                        a.together_with.iter().map(|n| label(n).zh_ref()).collect();
                    let with_en: Vec<String> =
                        a.together_with.iter().map(|n| label(n).en_ref()).collect();
                    relations_zh.push(format!("与{}合计不多于{}", with_zh.join("、"), w.zh_ref()));
                    relations_en.push(format!(
                        "plus {} at most {}",
                        with_en.join(" plus "),
                        w.en_ref()
                    ));
                }
            }
            for e in &f.not_before {
                let l = label(e);
                relations_zh.push(format!("不早于{}", l.zh_ref()));
                relations_en.push(format!("not before {}", l.en_ref()));
            }
            FactSummary {
                name: f.name.clone(),
                kind: f.kind,
                label_zh: f.label_zh.clone(),
                label_en: f.label_en.clone(),
                unit_zh: f.unit_zh.clone(),
                unit_en: f.unit_en.clone(),
                relations_zh,
                relations_en,
                tasks: catalogue
                    .tasks
                    .iter()
                    .filter(|t| t.facts.contains(&f.name))
                    .map(|t| t.number)
                    .collect(),
            }
        })
        .collect();

    let rules_per_kind = KINDS
        .iter()
        .map(|k| {
            (
                k.name.to_owned(),
                catalogue
                    .rules()
                    .filter(|(_, r)| r.kind.name() == k.name)
                    .count(),
            )
        })
        .filter(|(_, n)| *n > 0)
        .collect();

    let report = |month: u32| -> Option<ReportDue> {
        let due_day = catalogue.report_due_on(catalogue.year, month)?;
        let local = due_day.and_time(NaiveTime::from_hms_opt(23, 59, 59)?);
        Some(ReportDue {
            month: format!("{}-{month:02}", catalogue.year),
            due_local: minute(local),
            due_utc: utc_minute(catalogue.report_due_utc(catalogue.year, month)?),
        })
    };

    let rules = catalogue
        .rules()
        .map(|(t, r)| {
            let w = r.kind.describe(catalogue);
            let (sz, se) = severity_words(r.severity);
            let (az, ae) = applies_words(r.applies);
            let kind = r.kind.name();
            RuleWords {
                id: r.id.clone(),
                task: t.number,
                kind: kind.to_owned(),
                severity: r.severity,
                applies: r.applies,
                judged: r.kind.judged(),
                zh: format!(
                    "任务 {} · {}（{kind}，{sz}，{az}）：{}",
                    t.number, r.id, w.zh
                ),
                en: format!(
                    "Task {} · {} ({kind}, {se}, {ae}): {}",
                    t.number, r.id, w.en
                ),
            }
        })
        .collect();

    CatalogueSummary {
        year: catalogue.year,
        title_zh: catalogue.title_zh.clone(),
        title_en: catalogue.title_en.clone(),
        classes,
        tasks: catalogue.tasks.len(),
        min_optional: catalogue.min_optional,
        facts,
        facts_from_builtin: catalogue.facts_from_builtin,
        election_fact: catalogue.election_fact.clone(),
        rules_per_kind,
        timezone: catalogue.timezone.name().to_owned(),
        plan_deadline_local: minute(catalogue.plan_deadline),
        plan_deadline_utc: utc_minute(catalogue.plan_deadline_utc),
        report_due_day: catalogue.report_due_day,
        tracking: catalogue.tracking,
        first_report: report(catalogue.tracking.first_month),
        last_report: report(catalogue.tracking.last_month),
        rules,
    }
}

impl CatalogueSummary {
    /// The summary as plain text in Chinese (`en = false`) or English, one item a line.
    pub fn text(&self, en: bool) -> String {
        let mut out: Vec<String> = Vec::new();
        let pick = |zh: String, e: String| if en { e } else { zh };
        out.push(pick(
            format!("{} 年任务清单：{}", self.year, self.title_zh),
            format!("Catalogue {}: {}", self.year, self.title_en),
        ));
        out.push(pick(
            format!("任务：共 {} 项", self.tasks),
            format!("Tasks: {}", self.tasks),
        ));
        for c in &self.classes {
            out.push(pick(
                format!(
                    "  {}：{} 项（{}），{}",
                    c.label_zh, c.tasks, c.numbers, c.required_zh
                ),
                format!(
                    "  {}: {} ({}), {}",
                    c.label_en, c.tasks, c.numbers, c.required_en
                ),
            ));
        }
        let origin = if self.facts_from_builtin {
            pick(
                "，沿用内置 2017 年清单的数据项（本文件未声明 [[facts]]）".to_owned(),
                ", those of the built-in 2017 file (this file declares no [[facts]])".to_owned(),
            )
        } else {
            String::new()
        };
        out.push(pick(
            format!("数据项：{} 个{origin}", self.facts.len()),
            format!("Facts: {}{origin}", self.facts.len()),
        ));
        for f in &self.facts {
            let election = self.election_fact.as_deref() == Some(f.name.as_str());
            let unit = |u: &str| {
                if u.is_empty() {
                    String::new()
                } else {
                    format!(", {u}")
                }
            };
            let mut zh = format!(
                "  {}（{}{}）：{}",
                f.name,
                f.kind.label_zh(),
                unit(&f.unit_zh).replace(", ", "，"),
                f.label_zh
            );
            let mut e = format!(
                "  {} ({}{}): {}",
                f.name,
                f.kind.label_en(),
                unit(&f.unit_en),
                f.label_en
            );
            if election {
                zh.push_str("；换届标志，取自学会名录");
                e.push_str("; the election flag, from the society registry");
            }
            if !f.relations_zh.is_empty() {
                zh.push_str(&format!("；{}", f.relations_zh.join("；")));
                e.push_str(&format!("; {}", f.relations_en.join("; ")));
            }
            if !f.tasks.is_empty() {
                let tasks: Vec<String> = f.tasks.iter().map(u32::to_string).collect();
                zh.push_str(&format!("；任务 {}", tasks.join("、")));
                e.push_str(&format!("; tasks {}", tasks.join(", ")));
            }
            out.push(pick(zh, e));
        }
        let total: usize = self.rules_per_kind.iter().map(|(_, n)| n).sum();
        let per: Vec<String> = self
            .rules_per_kind
            .iter()
            .map(|(k, n)| format!("{k} {n}"))
            .collect();
        out.push(pick(
            format!("规则：共 {total} 条（{}）", per.join("，")),
            format!("Rules: {total} ({})", per.join(", ")),
        ));
        out.push(pick(
            format!("时间（{}，括号内为 UTC）：", self.timezone),
            format!("Times ({}; UTC in brackets):", self.timezone),
        ));
        out.push(pick(
            format!(
                "  改革方案提交截止：{}（UTC {}）",
                self.plan_deadline_local, self.plan_deadline_utc
            ),
            format!(
                "  Plan deadline: {} (UTC {})",
                self.plan_deadline_local, self.plan_deadline_utc
            ),
        ));
        let t = &self.tracking;
        out.push(pick(
            format!(
                "  月度报告：{} 月至 {} 月每月一份（共 {} 份），于次月 {} 日当天结束前提交",
                t.first_month,
                t.last_month,
                t.expected_reports(),
                self.report_due_day
            ),
            format!(
                "  Monthly reports: months {}–{} ({} reports), each due by the end of day {} of the following month",
                t.first_month,
                t.last_month,
                t.expected_reports(),
                self.report_due_day
            ),
        ));
        for (r, zh, e) in [
            (&self.first_report, "首份", "First"),
            (&self.last_report, "末份", "Last"),
        ] {
            if let Some(r) = r {
                out.push(pick(
                    format!(
                        "  {zh}（{}）截止：{}（UTC {}）",
                        r.month, r.due_local, r.due_utc
                    ),
                    format!(
                        "  {e} ({}) due: {} (UTC {})",
                        r.month, r.due_local, r.due_utc
                    ),
                ));
            }
        }
        out.push(pick(
            format!(
                "  跟踪：目标或里程碑在 {} 天内到期且未达成为黄色；缺报 {} 份为红色；任务连续 {} 个月为红色时建议整改",
                t.yellow_within_days, t.red_missing_reports, t.red_task_months
            ),
            format!(
                "  Tracking: a target or milestone due within {} days and not met is yellow; {} missing report(s) make a society red; a task red for {} consecutive months suggests a rectification plan",
                t.yellow_within_days, t.red_missing_reports, t.red_task_months
            ),
        ));
        out.push(pick("规则说明：".to_owned(), "Rules in words:".to_owned()));
        for r in &self.rules {
            out.push(format!("  {}", if en { &r.en } else { &r.zh }));
        }
        let mut s = out.join("\n");
        s.push('\n');
        s
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::catalogue::builtin_2017;

    #[test]
    fn the_2017_summary() {
        // R-CAT-1: what the 2017 file says, as an author checks it.
        let s = summary(&builtin_2017());
        let classes: Vec<(usize, &str)> = s
            .classes
            .iter()
            .map(|c| (c.tasks, c.numbers.as_str()))
            .collect();
        assert_eq!(classes, [(7, "1–7"), (4, "8–11"), (13, "12–24")]);
        assert_eq!(s.classes[2].required_zh, "自选，每个学会至少选 5 项");
        assert_eq!(s.facts.len(), 28);
        assert_eq!(s.election_fact.as_deref(), Some("election_year"));
        assert!(!s.facts_from_builtin);
        let fee = s
            .facts
            .iter()
            .find(|f| f.name == "fee_payers_baseline")
            .unwrap();
        assert_eq!(
            fee.relations_zh,
            ["不多于2016年底个人会员（members_baseline）"]
        );
        assert_eq!(fee.tasks, [2]);
        let inactive = s
            .facts
            .iter()
            .find(|f| f.name == "branches_inactive")
            .unwrap();
        assert_eq!(
            inactive.relations_en,
            [
                "plus branches dissolved (branches_dissolved) at most branches in total (branches_total)"
            ]
        );
        assert_eq!(
            s.rules_per_kind,
            [
                ("band_cap".to_owned(), 1),
                ("ratio_at_least".to_owned(), 3),
                ("ratio_at_most".to_owned(), 1),
                ("growth_at_least".to_owned(), 1),
                ("rate_rises".to_owned(), 1),
                ("count_at_least".to_owned(), 1),
                ("flag_true".to_owned(), 1),
                ("date_present".to_owned(), 3),
                ("dates_in_order".to_owned(), 1),
                ("documents_present".to_owned(), 7),
                ("not_above_previous".to_owned(), 1),
            ]
        );
        assert_eq!(s.plan_deadline_local, "2017-05-22 23:59");
        assert_eq!(s.plan_deadline_utc, "2017-05-22 15:59");
        let first = s.first_report.as_ref().unwrap();
        assert_eq!(
            (
                first.month.as_str(),
                first.due_local.as_str(),
                first.due_utc.as_str()
            ),
            ("2017-06", "2017-07-05 23:59", "2017-07-05 15:59")
        );
        let last = s.last_report.as_ref().unwrap();
        assert_eq!(last.due_local, "2018-01-05 23:59");
        assert_eq!(s.rules.len(), 21);
        let growth = s.rules.iter().find(|r| r.id == "members-growth").unwrap();
        assert_eq!(
            growth.zh,
            "任务 2 · members-growth（growth_at_least，硬性要求，每个学会）：当前个人会员（members_now）比2016年底个人会员（members_baseline）增长 15% 以上（恰好 15% 即符合）。"
        );
        assert_eq!(
            growth.en,
            "Task 2 · members-growth (growth_at_least, hard, every society): Individual members now (members_now) at least 15% above individual members at the end of 2016 (members_baseline) (exactly 15% passes)."
        );
        let cap = s.rules.iter().find(|r| r.id == "council-cap").unwrap();
        assert!(cap.zh.contains("仅换届学会"), "{}", cap.zh);
        assert!(cap.zh.contains("不足2万人：150 人"), "{}", cap.zh);
    }

    #[test]
    fn text_in_both_languages() {
        let s = summary(&builtin_2017());
        let zh = s.text(false);
        for line in [
            "任务：共 24 项",
            "  基本任务：7 项（1–7），每个学会必做",
            "数据项：28 个",
            "  members_baseline（整数，人）：2016年底个人会员；任务 2、9",
            "  election_year（是/否）：本年度换届；换届标志，取自学会名录",
            "  改革方案提交截止：2017-05-22 23:59（UTC 2017-05-22 15:59）",
            "  首份（2017-06）截止：2017-07-05 23:59（UTC 2017-07-05 15:59）",
        ] {
            assert!(
                zh.lines().any(|l| l == line),
                "missing line {line:?} in:\n{zh}"
            );
        }
        let en = s.text(true);
        for line in [
            "Tasks: 24",
            "Facts: 28",
            "  members_baseline (integer, people): Individual members at the end of 2016; tasks 2, 9",
            "  Plan deadline: 2017-05-22 23:59 (UTC 2017-05-22 15:59)",
        ] {
            assert!(
                en.lines().any(|l| l == line),
                "missing line {line:?} in:\n{en}"
            );
        }
        assert!(
            en.contains("Rules: 21 (band_cap 1, ratio_at_least 3,"),
            "{en}"
        );
        assert_eq!(en.lines().filter(|l| l.starts_with("  Task ")).count(), 21);
    }

    #[test]
    fn number_ranges() {
        assert_eq!(ranges(&[]), "");
        assert_eq!(ranges(&[4]), "4");
        assert_eq!(ranges(&[1, 3, 5, 6, 7]), "1, 3, 5–7");
    }
}

//! Task acceptance (验收, R-ASSESS-1): at year end each task of a society's accepted plan gets
//! a final status — completed, partly, not completed. The system proposes one from the
//! targets met, the milestones reached, the rule verdicts and the evidence on file, with its
//! reasons; a reviewer confirms or changes it (the server stores the decision).
//!
//! The proposal ([`propose`]):
//! - **completed** when every target is met, every milestone reached, no rule of the task
//!   fails or lacks data, at least one evidence file is on file, and the society's last
//!   monthly report marks the task completed (an unmet "in principle" rule — a warning — does
//!   not prevent it, but is named);
//! - **not completed** when nothing at all has been achieved: no target met, no milestone
//!   reached, no rule passed and no evidence on file;
//! - **partly** otherwise.

use std::collections::{BTreeMap, BTreeSet};

use serde::{Deserialize, Serialize};

use super::Note;
use super::scoring::TaskResult;
use crate::catalogue::{Catalogue, Task};
use crate::plan::{PlanContent, PlanTask};
use crate::rules::{RuleVerdict, Verdict};
use crate::tracking::{ReportContent, TaskReport, TaskStatus, target_met};

/// Final status of a task at year end.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum AcceptanceStatus {
    /// 完成.
    Completed,
    /// 部分完成.
    Partly,
    /// 未完成.
    NotCompleted,
}

impl AcceptanceStatus {
    pub const ALL: [AcceptanceStatus; 3] = [
        AcceptanceStatus::Completed,
        AcceptanceStatus::Partly,
        AcceptanceStatus::NotCompleted,
    ];

    /// Stable identifier, as serialised.
    pub fn as_str(self) -> &'static str {
        match self {
            AcceptanceStatus::Completed => "completed",
            AcceptanceStatus::Partly => "partly",
            AcceptanceStatus::NotCompleted => "not_completed",
        }
    }

    pub fn parse(s: &str) -> Option<AcceptanceStatus> {
        AcceptanceStatus::ALL.into_iter().find(|a| a.as_str() == s)
    }

    pub fn label_zh(self) -> &'static str {
        match self {
            AcceptanceStatus::Completed => "完成",
            AcceptanceStatus::Partly => "部分完成",
            AcceptanceStatus::NotCompleted => "未完成",
        }
    }

    pub fn label_en(self) -> &'static str {
        match self {
            AcceptanceStatus::Completed => "Completed",
            AcceptanceStatus::Partly => "Partly completed",
            AcceptanceStatus::NotCompleted => "Not completed",
        }
    }
}

/// What the proposal for one task looks at.
#[derive(Debug, Clone, Copy)]
pub struct AcceptanceInput<'a> {
    pub task: &'a Task,
    /// The task in the accepted plan.
    pub plan_task: &'a PlanTask,
    /// The task in the society's last monthly report of the year (target values, milestones
    /// reached, status); `None` when no report mentions it.
    pub last_report: Option<&'a TaskReport>,
    /// The society's rule verdicts at year end (every task's; this task's are used).
    pub verdicts: &'a [RuleVerdict],
    /// Evidence files on file for this task.
    pub evidence_files: u32,
}

/// The system's proposal for one task, with the counts it used and its reasons (zh/en).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Proposal {
    pub task: u32,
    pub status: AcceptanceStatus,
    /// Targets with a target value, and how many are met by the last reported value.
    pub targets: u32,
    pub targets_met: u32,
    /// Milestones filled in, and how many are reported reached.
    pub milestones: u32,
    pub milestones_reached: u32,
    pub evidence_files: u32,
    pub reasons: Vec<Note>,
}

impl Proposal {
    /// The task's scoring input ([`TaskResult`]) with its final status (the reviewer's
    /// decision, or this proposal's status: [`final_status`]).
    pub fn result(&self, status: AcceptanceStatus) -> TaskResult {
        TaskResult {
            number: self.task,
            status,
            targets: self.targets,
            targets_met: self.targets_met,
            milestones: self.milestones,
            milestones_reached: self.milestones_reached,
        }
    }
}

/// Propose a final status for one task (see the module documentation for the rule).
pub fn propose(input: &AcceptanceInput<'_>) -> Proposal {
    let pt = input.plan_task;
    let report = input.last_report;
    let mut reasons = Vec::new();

    // Targets.
    let mut targets = 0u32;
    let mut met = 0u32;
    let mut unmet_zh = Vec::new();
    let mut unmet_en = Vec::new();
    for (i, t) in pt.targets.iter().enumerate() {
        if t.is_blank() || t.target.is_none() {
            continue;
        }
        targets += 1;
        let value = report.and_then(|r| r.value(i));
        let label = if t.metric.trim().is_empty() {
            (format!("第 {} 个目标", i + 1), format!("target {}", i + 1))
        } else {
            (
                format!("第 {} 个目标（{}）", i + 1, t.metric.trim()),
                format!("target {} ({})", i + 1, t.metric.trim()),
            )
        };
        let goal = t.target.unwrap_or_default();
        match value {
            Some(v) if target_met(t, v) == Some(true) => met += 1,
            Some(v) => {
                unmet_zh.push(format!("{}年末 {v}，目标 {goal}", label.0));
                unmet_en.push(format!("{} at {v}, target {goal}", label.1));
            }
            None => {
                unmet_zh.push(format!("{}未报告数值", label.0));
                unmet_en.push(format!("{}: no value reported", label.1));
            }
        }
    }
    if targets == 0 {
        reasons.push(Note {
            zh: "方案未给此任务设可考核目标。".into(),
            en: "The plan sets no measurable target for this task.".into(),
        });
    } else if unmet_zh.is_empty() {
        reasons.push(Note {
            zh: format!("目标全部达成（{met}/{targets}）。"),
            en: format!("Every target met ({met}/{targets})."),
        });
    } else {
        reasons.push(Note {
            zh: format!(
                "目标达成 {met}/{targets}；未达成：{}。",
                unmet_zh.join("；")
            ),
            en: format!(
                "Targets met {met}/{targets}; not met: {}.",
                unmet_en.join("; ")
            ),
        });
    }

    // Milestones.
    let mut milestones = 0u32;
    let mut reached = 0u32;
    let mut open_zh = Vec::new();
    let mut open_en = Vec::new();
    for (i, m) in pt.milestones.iter().enumerate() {
        if m.is_blank() {
            continue;
        }
        milestones += 1;
        if report.is_some_and(|r| r.reached(i)) {
            reached += 1;
        } else {
            let date = m.date.map(|d| d.to_string()).unwrap_or_default();
            open_zh.push(format!("{date} {}", m.what.trim()).trim().to_owned());
            open_en.push(format!("{date} {}", m.what.trim()).trim().to_owned());
        }
    }
    if milestones == 0 {
        reasons.push(Note {
            zh: "方案未给此任务设里程碑。".into(),
            en: "The plan sets no milestone for this task.".into(),
        });
    } else if open_zh.is_empty() {
        reasons.push(Note {
            zh: format!("里程碑全部完成（{reached}/{milestones}）。"),
            en: format!("Every milestone reached ({reached}/{milestones})."),
        });
    } else {
        reasons.push(Note {
            zh: format!(
                "里程碑完成 {reached}/{milestones}；未完成：{}。",
                open_zh.join("；")
            ),
            en: format!(
                "Milestones reached {reached}/{milestones}; open: {}.",
                open_en.join("; ")
            ),
        });
    }

    // Rule verdicts of this task.
    let verdicts: Vec<&RuleVerdict> = input
        .verdicts
        .iter()
        .filter(|v| v.task == input.task.number && v.verdict != Verdict::NotApplicable)
        .collect();
    let count = |k: Verdict| verdicts.iter().filter(|v| v.verdict == k).count();
    let (pass, fail, warn, insufficient) = (
        count(Verdict::Pass),
        count(Verdict::Fail),
        count(Verdict::Warning),
        count(Verdict::Insufficient),
    );
    if verdicts.is_empty() {
        reasons.push(Note {
            zh: "此任务没有适用的规则。".into(),
            en: "No rule applies to this task.".into(),
        });
    } else {
        let mut zh = format!("规则 {} 项：符合 {pass} 项", verdicts.len());
        let mut en = format!("{} rules: {pass} pass", verdicts.len());
        for v in verdicts.iter().filter(|v| v.verdict != Verdict::Pass) {
            zh.push_str(&format!(
                "；{}（“{}”）：{}",
                v.rule,
                v.clause,
                v.verdict.label_zh()
            ));
            en.push_str(&format!(
                "; {} (“{}”): {}",
                v.rule,
                v.clause,
                v.verdict.label_en().to_lowercase()
            ));
        }
        zh.push('。');
        en.push('.');
        reasons.push(Note { zh, en });
    }

    // Evidence and the society's own status.
    reasons.push(if input.evidence_files == 0 {
        Note {
            zh: "无佐证材料。".into(),
            en: "No evidence on file.".into(),
        }
    } else {
        Note {
            zh: format!("佐证材料 {} 份。", input.evidence_files),
            en: format!(
                "{} evidence file{} on file.",
                input.evidence_files,
                if input.evidence_files == 1 { "" } else { "s" }
            ),
        }
    });
    let status = report.map(|r| r.status);
    reasons.push(match status {
        Some(s) => Note {
            zh: format!("最近一次月报中学会填报的状态：{}。", s.label_zh()),
            en: format!(
                "Status in the society's last monthly report: {}.",
                s.label_en().to_lowercase()
            ),
        },
        None => Note {
            zh: "月报中没有此任务。".into(),
            en: "No monthly report mentions this task.".into(),
        },
    });

    let all_met = met == targets;
    let all_reached = reached == milestones;
    let rules_ok = fail == 0 && insufficient == 0;
    let claimed = status == Some(TaskStatus::Completed);
    let evidence = input.evidence_files > 0;
    let anything = met > 0 || reached > 0 || pass > 0 || evidence;
    let proposed = if all_met && all_reached && rules_ok && evidence && claimed {
        AcceptanceStatus::Completed
    } else if !anything {
        AcceptanceStatus::NotCompleted
    } else {
        AcceptanceStatus::Partly
    };
    let (why_zh, why_en) = match proposed {
        AcceptanceStatus::Completed if warn > 0 => (
            format!("目标、里程碑、规则和佐证均满足（{warn} 项原则性要求需书面说明，请评审专家留意）"),
            format!(
                "targets, milestones, rules and evidence are all satisfied ({warn} in-principle requirement(s) need a written justification: reviewer, please check)"
            ),
        ),
        AcceptanceStatus::Completed => (
            "目标、里程碑、规则和佐证均满足，学会已填报完成".to_owned(),
            "targets, milestones, rules and evidence are all satisfied and the society reports it completed"
                .to_owned(),
        ),
        AcceptanceStatus::NotCompleted => (
            "没有达成的目标、完成的里程碑、符合的规则或佐证材料".to_owned(),
            "no target met, milestone reached, rule passed or evidence on file".to_owned(),
        ),
        AcceptanceStatus::Partly => {
            let mut zh = Vec::new();
            let mut en = Vec::new();
            if !all_met {
                zh.push("目标未全部达成");
                en.push("not every target is met");
            }
            if !all_reached {
                zh.push("里程碑未全部完成");
                en.push("not every milestone is reached");
            }
            if !rules_ok {
                zh.push("有规则不符合或数据不足");
                en.push("a rule fails or lacks data");
            }
            if !evidence {
                zh.push("无佐证材料");
                en.push("no evidence on file");
            }
            if !claimed {
                zh.push("学会未填报完成");
                en.push("the society does not report it completed");
            }
            (zh.join("，"), en.join(", "))
        }
    };
    reasons.push(Note {
        zh: format!("建议结论：{}（{why_zh}）。", proposed.label_zh()),
        en: format!(
            "Proposed: {} ({why_en}).",
            proposed.label_en().to_lowercase()
        ),
    });

    Proposal {
        task: input.task.number,
        status: proposed,
        targets,
        targets_met: met,
        milestones,
        milestones_reached: reached,
        evidence_files: input.evidence_files,
        reasons,
    }
}

/// Proposals for every task of an accepted plan, in plan order (a task listed twice is
/// proposed once; a number not in the catalogue is skipped — plan validation refuses both).
/// `last_report` is the society's last monthly report of the year; `evidence` gives the
/// number of evidence files per task number.
pub fn propose_plan(
    catalogue: &Catalogue,
    plan: &PlanContent,
    last_report: Option<&ReportContent>,
    verdicts: &[RuleVerdict],
    evidence: &BTreeMap<u32, u32>,
) -> Vec<Proposal> {
    let mut seen = BTreeSet::new();
    plan.tasks
        .iter()
        .filter(|pt| seen.insert(pt.number))
        .filter_map(|pt| {
            let task = catalogue.task(pt.number)?;
            Some(propose(&AcceptanceInput {
                task,
                plan_task: pt,
                last_report: last_report.and_then(|r| r.task(pt.number)),
                verdicts,
                evidence_files: evidence.get(&pt.number).copied().unwrap_or(0),
            }))
        })
        .collect()
}

/// A reviewer's decision on a proposal (R-ASSESS-1): it overrides the proposal.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Decision {
    pub status: AcceptanceStatus,
    pub comment: String,
}

/// Check a reviewer's decision: a decision that changes the proposed status needs a comment
/// saying why. The error names the field (`comment`) in both languages.
pub fn check_decision(proposed: AcceptanceStatus, decision: &Decision) -> Result<(), Note> {
    if decision.status != proposed && decision.comment.trim().is_empty() {
        return Err(Note {
            zh: format!(
                "改变系统建议（{} → {}）须填写理由",
                proposed.label_zh(),
                decision.status.label_zh()
            ),
            en: format!(
                "changing the proposed status ({} → {}) needs a comment saying why",
                proposed.label_en().to_lowercase(),
                decision.status.label_en().to_lowercase()
            ),
        });
    }
    Ok(())
}

/// The final status: the reviewer's decision when there is one, else the proposal.
pub fn final_status(proposal: &Proposal, decision: Option<&Decision>) -> AcceptanceStatus {
    decision.map_or(proposal.status, |d| d.status)
}

#[cfg(test)]
mod tests {
    use chrono::NaiveDate;

    use super::*;
    use crate::catalogue::builtin_2017;
    use crate::plan::{Milestone, Target};
    use crate::tracking::TargetValue;

    fn target(metric: &str, baseline: i64, goal: i64) -> Target {
        Target {
            metric: metric.into(),
            unit: "人".into(),
            baseline: Some(baseline),
            target: Some(goal),
            due: NaiveDate::from_ymd_opt(2017, 12, 31),
            fact: None,
        }
    }

    fn milestone(what: &str) -> Milestone {
        Milestone {
            date: NaiveDate::from_ymd_opt(2017, 9, 30),
            what: what.into(),
        }
    }

    fn plan_task() -> PlanTask {
        PlanTask {
            number: 2,
            targets: vec![
                target("个人会员数", 20_000, 23_000),
                target("缴费会员数", 8_000, 9_000),
            ],
            milestones: vec![milestone("会员发展计划"), milestone("会员分类服务标准")],
            ..PlanTask::default()
        }
    }

    fn report(values: &[(usize, i64)], reached: &[usize], status: TaskStatus) -> TaskReport {
        TaskReport {
            number: 2,
            status,
            values: values
                .iter()
                .map(|&(target, v)| TargetValue {
                    target,
                    value: Some(v),
                })
                .collect(),
            milestones_reached: reached.to_vec(),
            ..TaskReport::default()
        }
    }

    fn verdict(rule: &str, v: Verdict) -> RuleVerdict {
        RuleVerdict {
            rule: rule.into(),
            task: 2,
            verdict: v,
            explanation_zh: String::new(),
            explanation_en: String::new(),
            clause: "提高个人会员的会费收缴比例".into(),
            judged: false,
        }
    }

    fn run(report: Option<&TaskReport>, verdicts: &[RuleVerdict], evidence: u32) -> Proposal {
        let cat = builtin_2017();
        let pt = plan_task();
        propose(&AcceptanceInput {
            task: cat.task(2).unwrap(),
            plan_task: &pt,
            last_report: report,
            verdicts,
            evidence_files: evidence,
        })
    }

    #[test]
    fn everything_done_is_completed() {
        let r = report(&[(0, 23_000), (1, 9_100)], &[0, 1], TaskStatus::Completed);
        let p = run(
            Some(&r),
            &[
                verdict("members-growth", Verdict::Pass),
                verdict("fee-rate-rises", Verdict::Pass),
            ],
            2,
        );
        assert_eq!(p.status, AcceptanceStatus::Completed);
        assert_eq!((p.targets, p.targets_met), (2, 2));
        assert_eq!((p.milestones, p.milestones_reached), (2, 2));
        assert!(p.reasons.last().unwrap().zh.starts_with("建议结论：完成"));
    }

    #[test]
    fn each_missing_condition_makes_it_partly() {
        let pass = [
            verdict("members-growth", Verdict::Pass),
            verdict("fee-rate-rises", Verdict::Pass),
        ];
        let done = report(&[(0, 23_000), (1, 9_100)], &[0, 1], TaskStatus::Completed);
        // One target 1 short of its goal (23,000 is the boundary: 22,999 is not met).
        let r = report(&[(0, 22_999), (1, 9_100)], &[0, 1], TaskStatus::Completed);
        let p = run(Some(&r), &pass, 1);
        assert_eq!(p.status, AcceptanceStatus::Partly);
        assert!(
            p.reasons[0].zh.contains("年末 22999，目标 23000"),
            "{:?}",
            p.reasons
        );
        assert!(
            p.reasons
                .last()
                .unwrap()
                .en
                .contains("not every target is met")
        );
        // A milestone open.
        let r = report(&[(0, 23_000), (1, 9_100)], &[0], TaskStatus::Completed);
        assert_eq!(run(Some(&r), &pass, 1).status, AcceptanceStatus::Partly);
        // A failing rule.
        let p = run(
            Some(&done),
            &[
                verdict("members-growth", Verdict::Pass),
                verdict("fee-rate-rises", Verdict::Fail),
            ],
            1,
        );
        assert_eq!(p.status, AcceptanceStatus::Partly);
        assert!(
            p.reasons[2]
                .zh
                .contains("fee-rate-rises（“提高个人会员的会费收缴比例”）：不符合")
        );
        // Data missing for a rule.
        let p = run(
            Some(&done),
            &[verdict("fee-rate-rises", Verdict::Insufficient)],
            1,
        );
        assert_eq!(p.status, AcceptanceStatus::Partly);
        // No evidence.
        assert_eq!(run(Some(&done), &pass, 0).status, AcceptanceStatus::Partly);
        // The society does not claim completion.
        let r = report(&[(0, 23_000), (1, 9_100)], &[0, 1], TaskStatus::InProgress);
        let p = run(Some(&r), &pass, 1);
        assert_eq!(p.status, AcceptanceStatus::Partly);
        assert!(p.reasons.last().unwrap().zh.contains("学会未填报完成"));
    }

    #[test]
    fn warnings_and_not_applicable_do_not_block_completion() {
        let r = report(&[(0, 23_000), (1, 9_100)], &[0, 1], TaskStatus::Completed);
        let p = run(
            Some(&r),
            &[
                verdict("members-growth", Verdict::Warning),
                verdict("fee-rate-rises", Verdict::NotApplicable),
            ],
            1,
        );
        assert_eq!(p.status, AcceptanceStatus::Completed);
        assert!(
            p.reasons
                .last()
                .unwrap()
                .zh
                .contains("1 项原则性要求需书面说明")
        );
        // Only this task's verdicts count.
        let mut other = verdict("office-premises", Verdict::Fail);
        other.task = 7;
        assert_eq!(
            run(Some(&r), &[other], 1).status,
            AcceptanceStatus::Completed
        );
    }

    #[test]
    fn nothing_achieved_is_not_completed() {
        // No report, no verdict, no evidence.
        let p = run(None, &[], 0);
        assert_eq!(p.status, AcceptanceStatus::NotCompleted);
        assert!(p.reasons[0].en.contains("no value reported"));
        // Values below target, nothing reached, rules failing, no evidence: still nothing.
        let r = report(&[(0, 20_500), (1, 8_100)], &[], TaskStatus::InProgress);
        let p = run(Some(&r), &[verdict("members-growth", Verdict::Fail)], 0);
        assert_eq!(p.status, AcceptanceStatus::NotCompleted);
        // Any single achievement makes it partly: one milestone…
        let r = report(&[], &[1], TaskStatus::InProgress);
        assert_eq!(run(Some(&r), &[], 0).status, AcceptanceStatus::Partly);
        // …one passing rule…
        assert_eq!(
            run(None, &[verdict("members-growth", Verdict::Pass)], 0).status,
            AcceptanceStatus::Partly
        );
        // …or one evidence file.
        assert_eq!(run(None, &[], 1).status, AcceptanceStatus::Partly);
    }

    #[test]
    fn task_without_targets_or_milestones() {
        let cat = builtin_2017();
        let pt = PlanTask {
            number: 12,
            ..PlanTask::default()
        };
        let r = TaskReport {
            number: 12,
            status: TaskStatus::Completed,
            ..TaskReport::default()
        };
        let input = AcceptanceInput {
            task: cat.task(12).unwrap(),
            plan_task: &pt,
            last_report: Some(&r),
            verdicts: &[],
            evidence_files: 3,
        };
        let p = propose(&input);
        assert_eq!(p.status, AcceptanceStatus::Completed);
        assert!(p.reasons[0].zh.contains("未给此任务设可考核目标"));
        let p = propose(&AcceptanceInput {
            evidence_files: 0,
            ..input
        });
        assert_eq!(p.status, AcceptanceStatus::NotCompleted);
    }

    #[test]
    fn whole_plan_and_decisions() {
        let cat = builtin_2017();
        let plan = PlanContent {
            summary: String::new(),
            tasks: vec![
                plan_task(),
                PlanTask {
                    number: 12,
                    ..PlanTask::default()
                },
                plan_task(),
                PlanTask {
                    number: 99,
                    ..PlanTask::default()
                },
            ],
        };
        let last = ReportContent {
            narrative: String::new(),
            tasks: vec![report(
                &[(0, 23_000), (1, 9_100)],
                &[0, 1],
                TaskStatus::Completed,
            )],
        };
        let evidence = BTreeMap::from([(2, 1)]);
        let ps = propose_plan(&cat, &plan, Some(&last), &[], &evidence);
        let got: Vec<(u32, AcceptanceStatus)> = ps.iter().map(|p| (p.task, p.status)).collect();
        assert_eq!(
            got,
            [
                (2, AcceptanceStatus::Completed),
                (12, AcceptanceStatus::NotCompleted)
            ]
        );
        // A reviewer overrides; changing it needs a comment, confirming does not.
        let change = Decision {
            status: AcceptanceStatus::Partly,
            comment: " ".into(),
        };
        let e = check_decision(ps[0].status, &change).unwrap_err();
        assert!(e.zh.contains("完成 → 部分完成"));
        assert!(e.en.contains("needs a comment"));
        let change = Decision {
            comment: "会员增长数据未经核实".into(),
            ..change
        };
        assert!(check_decision(ps[0].status, &change).is_ok());
        assert_eq!(
            final_status(&ps[0], Some(&change)),
            AcceptanceStatus::Partly
        );
        assert_eq!(final_status(&ps[0], None), AcceptanceStatus::Completed);
        let confirm = Decision {
            status: AcceptanceStatus::Completed,
            comment: String::new(),
        };
        assert!(check_decision(ps[0].status, &confirm).is_ok());
        assert_eq!(
            AcceptanceStatus::parse("not_completed"),
            Some(AcceptanceStatus::NotCompleted)
        );
        assert_eq!(AcceptanceStatus::parse("done"), None);
    }
}

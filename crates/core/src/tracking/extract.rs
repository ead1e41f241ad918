//! The compact progress extract of a monthly report version (R-TRACK-3, issue 8): exactly what
//! [`super::colours`], [`super::red_streaks`], the rates and the public target progress read
//! of a report — per task its status, the blocked reason of a blocked task, the reported target
//! values and the reached milestones — without the narrative and the progress texts.
//!
//! The server stores it beside each immutable report version (written with the version,
//! back-filled once for older rows), so that the dashboard for every society reads a few bytes
//! per version instead of decoding the whole report. The full content converts into it
//! ([`ReportExtract::from`]); colours computed from either are the same.

use std::collections::BTreeSet;

use serde::{Deserialize, Serialize};

use super::report::{ReportContent, TargetValue, TaskReport, TaskStatus};

/// What the colour and rate calculations read of one report version (R-TRACK-3). Every field
/// is required when decoding: a stored extract that lacks one does not decode (issue 8: never
/// an empty default).
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ReportExtract {
    /// One entry per task number, the report's first entry for that number, in report order.
    pub tasks: Vec<TaskExtract>,
}

/// One task of a report version, as colours read it (R-TRACK-3).
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TaskExtract {
    pub number: u32,
    pub status: TaskStatus,
    /// The known target values: for each target index the report's first entry, when it has a
    /// value ([`TaskReport::value`]).
    pub values: Vec<TargetValue>,
    /// Indexes of the reached milestones, ascending, each once.
    pub milestones_reached: Vec<usize>,
    /// Why the task is blocked; empty unless `status` is blocked.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub blocked_reason: String,
}

impl ReportExtract {
    /// The entry for task `number`.
    pub fn task(&self, number: u32) -> Option<&TaskExtract> {
        self.tasks.iter().find(|t| t.number == number)
    }
}

impl TaskExtract {
    /// The reported value of plan target `target`, if any (as [`TaskReport::value`]).
    pub fn value(&self, target: usize) -> Option<i64> {
        self.values
            .iter()
            .find(|v| v.target == target)
            .and_then(|v| v.value)
    }

    /// Whether plan milestone `milestone` is reported reached (as [`TaskReport::reached`]).
    pub fn reached(&self, milestone: usize) -> bool {
        self.milestones_reached.binary_search(&milestone).is_ok()
    }
}

impl From<&TaskReport> for TaskExtract {
    fn from(t: &TaskReport) -> TaskExtract {
        let mut seen = BTreeSet::new();
        let values = t
            .values
            .iter()
            .filter(|v| seen.insert(v.target))
            .filter(|v| v.value.is_some())
            .copied()
            .collect();
        let reached: BTreeSet<usize> = t.milestones_reached.iter().copied().collect();
        TaskExtract {
            number: t.number,
            status: t.status,
            values,
            milestones_reached: reached.into_iter().collect(),
            blocked_reason: if t.status == TaskStatus::Blocked {
                t.blocked_reason.clone()
            } else {
                String::new()
            },
        }
    }
}

impl From<&ReportContent> for ReportExtract {
    fn from(c: &ReportContent) -> ReportExtract {
        let mut seen = BTreeSet::new();
        ReportExtract {
            tasks: c
                .tasks
                .iter()
                .filter(|t| seen.insert(t.number))
                .map(TaskExtract::from)
                .collect(),
        }
    }
}

impl From<ReportContent> for ReportExtract {
    fn from(c: ReportContent) -> ReportExtract {
        ReportExtract::from(&c)
    }
}

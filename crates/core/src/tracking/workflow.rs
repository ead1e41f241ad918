//! The review workflow of monthly reports (R-TRACK-1), like plans' (R-PLAN-4): a report is
//! written as a draft and submitted; every submission is a new version; after a submission the
//! society cannot edit until the reviewer decides. The reviewer comments on, returns (editable
//! again, then submitted as the next version) or accepts the latest version. An accepted report
//! is final, as an accepted plan is: it is not reopened (a correction after acceptance is
//! written in the next month's report). This module only decides which moves are allowed.

use serde::{Deserialize, Serialize};

use crate::plan::TransitionError;

/// State of a monthly report (R-TRACK-1).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ReportState {
    /// Being written; nothing submitted yet. Editable.
    Draft,
    /// A version was submitted (again) and awaits the reviewer's decision; frozen.
    Submitted,
    /// The reviewer returned the latest version with a comment; editable again.
    Returned,
    /// The reviewer accepted the latest version; frozen for good.
    Accepted,
}

impl ReportState {
    /// Every state, in workflow order.
    pub const ALL: [ReportState; 4] = [
        ReportState::Draft,
        ReportState::Submitted,
        ReportState::Returned,
        ReportState::Accepted,
    ];

    /// Stable identifier, as stored and serialised: `draft`, `submitted`, `returned`,
    /// `accepted`.
    pub fn as_str(self) -> &'static str {
        match self {
            ReportState::Draft => "draft",
            ReportState::Submitted => "submitted",
            ReportState::Returned => "returned",
            ReportState::Accepted => "accepted",
        }
    }

    /// The state with this identifier ([`ReportState::as_str`]).
    pub fn parse(s: &str) -> Option<ReportState> {
        ReportState::ALL.into_iter().find(|st| st.as_str() == s)
    }

    pub fn label_zh(self) -> &'static str {
        match self {
            ReportState::Draft => "草稿",
            ReportState::Submitted => "已提交",
            ReportState::Returned => "已退回",
            ReportState::Accepted => "已通过",
        }
    }

    pub fn label_en(self) -> &'static str {
        match self {
            ReportState::Draft => "Draft",
            ReportState::Submitted => "Submitted",
            ReportState::Returned => "Returned",
            ReportState::Accepted => "Accepted",
        }
    }

    /// The society may edit the draft (draft or returned).
    pub fn is_editable(self) -> bool {
        matches!(self, ReportState::Draft | ReportState::Returned)
    }

    /// The latest version awaits the reviewer's decision.
    pub fn is_under_review(self) -> bool {
        self == ReportState::Submitted
    }

    /// The actions [`report_transition`] allows in this state, in [`ReportAction::ALL`] order.
    pub fn allowed_actions(self) -> Vec<ReportAction> {
        ReportAction::ALL
            .into_iter()
            .filter(|a| report_transition(self, *a).is_ok())
            .collect()
    }
}

/// An action on a monthly report (R-TRACK-1).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ReportAction {
    /// Change the draft (society).
    Edit,
    /// Submit the draft as the next version (society).
    Submit,
    /// Comment on the latest version without a decision (reviewer).
    Comment,
    /// Return the latest version for correction (reviewer).
    Return,
    /// Accept the latest version (reviewer).
    Accept,
}

impl ReportAction {
    /// Every action.
    pub const ALL: [ReportAction; 5] = [
        ReportAction::Edit,
        ReportAction::Submit,
        ReportAction::Comment,
        ReportAction::Return,
        ReportAction::Accept,
    ];

    /// Stable identifier: `edit`, `submit`, `comment`, `return`, `accept`.
    pub fn as_str(self) -> &'static str {
        match self {
            ReportAction::Edit => "edit",
            ReportAction::Submit => "submit",
            ReportAction::Comment => "comment",
            ReportAction::Return => "return",
            ReportAction::Accept => "accept",
        }
    }

    pub fn label_zh(self) -> &'static str {
        match self {
            ReportAction::Edit => "编辑",
            ReportAction::Submit => "提交",
            ReportAction::Comment => "评论",
            ReportAction::Return => "退回",
            ReportAction::Accept => "通过",
        }
    }
}

/// The state after `action` in `state` (R-TRACK-1):
/// - Edit: draft | returned → unchanged (a submitted version is under review; an accepted
///   report is final).
/// - Submit: draft | returned → submitted.
/// - Comment: submitted | returned → unchanged (something must have been submitted; an
///   accepted report is final).
/// - Return: submitted → returned.
/// - Accept: submitted → accepted.
///
/// Anything else is an error naming the state, the action and why.
pub fn report_transition(
    state: ReportState,
    action: ReportAction,
) -> Result<ReportState, TransitionError> {
    use ReportAction::{Accept, Comment, Edit, Return, Submit};
    use ReportState::{Accepted, Draft, Returned, Submitted};
    match (state, action) {
        (Draft | Returned, Edit) => Ok(state),
        (Draft | Returned, Submit) => Ok(Submitted),
        (Submitted | Returned, Comment) => Ok(state),
        (Submitted, Return) => Ok(Returned),
        (Submitted, Accept) => Ok(Accepted),
        _ => {
            let (why_zh, why_en) = match state {
                Accepted => (
                    "月报已通过审核，内容已冻结，不能再修改或评审。",
                    "an accepted report is final.",
                ),
                Submitted => (
                    "已提交，等待审核；审核退回后方可修改并重新提交。",
                    "the submitted version awaits the reviewer's decision (a returned report can be edited and submitted again).",
                ),
                Returned => (
                    "月报已退回，须修改并重新提交后才能再次审核。",
                    "the report was returned; it must be submitted again before it can be decided again.",
                ),
                Draft => ("尚未提交任何版本。", "nothing has been submitted yet."),
            };
            Err(TransitionError {
                message_zh: format!(
                    "月报当前状态为“{}”，不能{}：{why_zh}",
                    state.label_zh(),
                    action.label_zh()
                ),
                message_en: format!(
                    "Cannot {} a report in state '{}': {why_en}",
                    action.as_str(),
                    state.label_en()
                ),
            })
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The whole table, written out by hand (R-TRACK-1): every state × action.
    #[test]
    fn every_move() {
        use ReportAction::*;
        use ReportState::*;
        let expected: [(ReportState, ReportAction, Option<ReportState>); 20] = [
            (Draft, Edit, Some(Draft)),
            (Draft, Submit, Some(Submitted)),
            (Draft, Comment, None),
            (Draft, Return, None),
            (Draft, Accept, None),
            (Submitted, Edit, None),
            (Submitted, Submit, None),
            (Submitted, Comment, Some(Submitted)),
            (Submitted, Return, Some(Returned)),
            (Submitted, Accept, Some(Accepted)),
            (Returned, Edit, Some(Returned)),
            (Returned, Submit, Some(Submitted)),
            (Returned, Comment, Some(Returned)),
            (Returned, Return, None),
            (Returned, Accept, None),
            (Accepted, Edit, None),
            (Accepted, Submit, None),
            (Accepted, Comment, None),
            (Accepted, Return, None),
            (Accepted, Accept, None),
        ];
        for (s, a, to) in expected {
            assert_eq!(report_transition(s, a).ok(), to, "{s:?} {a:?}");
        }
        for s in ReportState::ALL {
            assert_eq!(ReportState::parse(s.as_str()), Some(s));
        }
        assert_eq!(ReportState::parse("accepted"), Some(Accepted));
        assert_eq!(ReportState::parse("resubmitted"), None);
    }

    #[test]
    fn editable_and_under_review() {
        use ReportState::*;
        assert!(Draft.is_editable() && Returned.is_editable());
        assert!(!Submitted.is_editable() && !Accepted.is_editable());
        assert!(Submitted.is_under_review());
        assert!(
            !Draft.is_under_review() && !Returned.is_under_review() && !Accepted.is_under_review()
        );
        assert_eq!(
            Submitted.allowed_actions(),
            vec![
                ReportAction::Comment,
                ReportAction::Return,
                ReportAction::Accept
            ]
        );
        assert_eq!(Accepted.allowed_actions(), vec![]);
    }

    #[test]
    fn refusals_say_why() {
        use ReportAction::*;
        use ReportState::*;
        let e = report_transition(Submitted, Edit).unwrap_err();
        assert_eq!(
            e.message_zh,
            "月报当前状态为“已提交”，不能编辑：已提交，等待审核；审核退回后方可修改并重新提交。"
        );
        let e = report_transition(Accepted, Submit).unwrap_err();
        assert_eq!(
            e.message_zh,
            "月报当前状态为“已通过”，不能提交：月报已通过审核，内容已冻结，不能再修改或评审。"
        );
        assert_eq!(
            e.message_en,
            "Cannot submit a report in state 'Accepted': an accepted report is final."
        );
        let e = report_transition(Draft, Return).unwrap_err();
        assert!(e.message_zh.contains("尚未提交"), "{}", e.message_zh);
        let e = report_transition(Returned, Accept).unwrap_err();
        assert!(e.message_zh.contains("重新提交"), "{}", e.message_zh);
    }
}

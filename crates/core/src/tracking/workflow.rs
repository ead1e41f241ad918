//! The review workflow of monthly reports (R-TRACK-1): a report is written as a draft and
//! submitted; every submission is a new version; a reviewer comments on or returns the latest
//! version. Unlike a plan, a submitted report stays editable: a correction is submitted as the
//! next version. This module only decides which moves are allowed.

use serde::{Deserialize, Serialize};

use crate::plan::TransitionError;

/// State of a monthly report (R-TRACK-1).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ReportState {
    /// Being written; nothing submitted yet.
    Draft,
    /// A version was submitted (again); corrections are new versions.
    Submitted,
    /// The reviewer returned the latest version with a comment.
    Returned,
}

impl ReportState {
    /// Every state, in workflow order.
    pub const ALL: [ReportState; 3] = [
        ReportState::Draft,
        ReportState::Submitted,
        ReportState::Returned,
    ];

    /// Stable identifier, as stored and serialised: `draft`, `submitted`, `returned`.
    pub fn as_str(self) -> &'static str {
        match self {
            ReportState::Draft => "draft",
            ReportState::Submitted => "submitted",
            ReportState::Returned => "returned",
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
        }
    }

    pub fn label_en(self) -> &'static str {
        match self {
            ReportState::Draft => "Draft",
            ReportState::Submitted => "Submitted",
            ReportState::Returned => "Returned",
        }
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
}

impl ReportAction {
    /// Every action.
    pub const ALL: [ReportAction; 4] = [
        ReportAction::Edit,
        ReportAction::Submit,
        ReportAction::Comment,
        ReportAction::Return,
    ];

    /// Stable identifier: `edit`, `submit`, `comment`, `return`.
    pub fn as_str(self) -> &'static str {
        match self {
            ReportAction::Edit => "edit",
            ReportAction::Submit => "submit",
            ReportAction::Comment => "comment",
            ReportAction::Return => "return",
        }
    }

    pub fn label_zh(self) -> &'static str {
        match self {
            ReportAction::Edit => "编辑",
            ReportAction::Submit => "提交",
            ReportAction::Comment => "评论",
            ReportAction::Return => "退回",
        }
    }
}

/// The state after `action` in `state` (R-TRACK-1):
/// - Edit: allowed in every state, state unchanged (a correction becomes the next version
///   when submitted).
/// - Submit: any state → submitted.
/// - Comment: submitted | returned → unchanged (something must have been submitted).
/// - Return: submitted → returned.
///
/// Anything else is an error naming the state and the action.
pub fn report_transition(
    state: ReportState,
    action: ReportAction,
) -> Result<ReportState, TransitionError> {
    use ReportAction::{Comment, Edit, Return, Submit};
    use ReportState::{Draft, Returned, Submitted};
    match (state, action) {
        (_, Edit) => Ok(state),
        (_, Submit) => Ok(Submitted),
        (Submitted | Returned, Comment) => Ok(state),
        (Submitted, Return) => Ok(Returned),
        (Draft, Comment | Return) => Err(TransitionError {
            message_zh: format!(
                "月报当前状态为“{}”，不能{}：尚未提交任何版本。",
                state.label_zh(),
                action.label_zh()
            ),
            message_en: format!(
                "Cannot {} a report in state '{}': nothing has been submitted yet.",
                action.as_str(),
                state.label_en()
            ),
        }),
        (Returned, Return) => Err(TransitionError {
            message_zh: "月报已退回，须重新提交后才能再次退回。".to_owned(),
            message_en: "The report is already returned; it must be submitted again before it can be returned again.".to_owned(),
        }),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_move() {
        use ReportAction::*;
        use ReportState::*;
        for s in ReportState::ALL {
            assert_eq!(report_transition(s, Edit), Ok(s));
            assert_eq!(report_transition(s, Submit), Ok(Submitted));
            assert_eq!(ReportState::parse(s.as_str()), Some(s));
        }
        assert_eq!(report_transition(Submitted, Return), Ok(Returned));
        assert_eq!(report_transition(Submitted, Comment), Ok(Submitted));
        assert_eq!(report_transition(Returned, Comment), Ok(Returned));
        let e = report_transition(Draft, Return).unwrap_err();
        assert!(e.message_zh.contains("尚未提交"), "{}", e.message_zh);
        assert!(report_transition(Draft, Comment).is_err());
        assert!(report_transition(Returned, Return).is_err());
        assert_eq!(ReportState::parse("accepted"), None);
    }
}

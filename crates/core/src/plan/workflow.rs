//! The review workflow of plans (R-PLAN-4): draft → submitted → returned → resubmitted →
//! accepted. Every submission is a new version in the store; this module only decides which
//! moves are allowed.

use serde::{Deserialize, Serialize};

/// State of a plan in review (R-PLAN-4).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum PlanState {
    /// Being written by the society; editable.
    Draft,
    /// Submitted, under review; frozen.
    Submitted,
    /// Returned by the reviewer with comments; editable again.
    Returned,
    /// Submitted again after a return, under review; frozen.
    Resubmitted,
    /// Accepted by the reviewer; frozen for good.
    Accepted,
}

impl PlanState {
    /// Every state, in workflow order.
    pub const ALL: [PlanState; 5] = [
        PlanState::Draft,
        PlanState::Submitted,
        PlanState::Returned,
        PlanState::Resubmitted,
        PlanState::Accepted,
    ];

    /// Stable identifier, as serialised: `draft`, `submitted`, `returned`, `resubmitted`,
    /// `accepted`.
    pub fn as_str(self) -> &'static str {
        match self {
            PlanState::Draft => "draft",
            PlanState::Submitted => "submitted",
            PlanState::Returned => "returned",
            PlanState::Resubmitted => "resubmitted",
            PlanState::Accepted => "accepted",
        }
    }

    /// The state with this identifier ([`PlanState::as_str`]).
    pub fn parse(s: &str) -> Option<PlanState> {
        PlanState::ALL.into_iter().find(|st| st.as_str() == s)
    }

    pub fn label_zh(self) -> &'static str {
        match self {
            PlanState::Draft => "草稿",
            PlanState::Submitted => "已提交",
            PlanState::Returned => "已退回",
            PlanState::Resubmitted => "已重新提交",
            PlanState::Accepted => "已通过",
        }
    }

    pub fn label_en(self) -> &'static str {
        match self {
            PlanState::Draft => "Draft",
            PlanState::Submitted => "Submitted",
            PlanState::Returned => "Returned",
            PlanState::Resubmitted => "Resubmitted",
            PlanState::Accepted => "Accepted",
        }
    }

    /// The society may edit the content (draft or returned).
    pub fn is_editable(self) -> bool {
        matches!(self, PlanState::Draft | PlanState::Returned)
    }

    /// A submitted version awaits the reviewer (submitted or resubmitted).
    pub fn is_under_review(self) -> bool {
        matches!(self, PlanState::Submitted | PlanState::Resubmitted)
    }

    /// The actions [`transition`] allows in this state, in [`PlanAction::ALL`] order.
    pub fn allowed_actions(self) -> Vec<PlanAction> {
        PlanAction::ALL
            .into_iter()
            .filter(|a| transition(self, *a).is_ok())
            .collect()
    }
}

/// An action on a plan (R-PLAN-4).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum PlanAction {
    /// Change the content (society).
    Edit,
    /// Submit the content as a new version (society).
    Submit,
    /// Return the submitted version with comments (reviewer).
    Return,
    /// Accept the submitted version (reviewer).
    Accept,
}

impl PlanAction {
    /// Every action.
    pub const ALL: [PlanAction; 4] = [
        PlanAction::Edit,
        PlanAction::Submit,
        PlanAction::Return,
        PlanAction::Accept,
    ];

    /// Stable identifier, as serialised: `edit`, `submit`, `return`, `accept`.
    pub fn as_str(self) -> &'static str {
        match self {
            PlanAction::Edit => "edit",
            PlanAction::Submit => "submit",
            PlanAction::Return => "return",
            PlanAction::Accept => "accept",
        }
    }

    /// The action with this identifier ([`PlanAction::as_str`]).
    pub fn parse(s: &str) -> Option<PlanAction> {
        PlanAction::ALL.into_iter().find(|a| a.as_str() == s)
    }

    pub fn label_zh(self) -> &'static str {
        match self {
            PlanAction::Edit => "编辑",
            PlanAction::Submit => "提交",
            PlanAction::Return => "退回",
            PlanAction::Accept => "通过",
        }
    }

    pub fn label_en(self) -> &'static str {
        match self {
            PlanAction::Edit => "Edit",
            PlanAction::Submit => "Submit",
            PlanAction::Return => "Return",
            PlanAction::Accept => "Accept",
        }
    }
}

/// A move the workflow does not allow (R-PLAN-4): the state, the action and why, in both
/// languages.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, thiserror::Error)]
#[error("{message_en}")]
pub struct TransitionError {
    pub message_zh: String,
    pub message_en: String,
}

/// The state after `action` in `state` (R-PLAN-4):
/// - Edit: allowed in draft and returned only, state unchanged (a submitted version is under
///   review; an accepted plan is frozen).
/// - Submit: draft → submitted, returned → resubmitted.
/// - Return: submitted | resubmitted → returned.
/// - Accept: submitted | resubmitted → accepted.
///
/// Anything else is an error naming the state and the action.
pub fn transition(state: PlanState, action: PlanAction) -> Result<PlanState, TransitionError> {
    use PlanAction::{Accept, Edit, Return, Submit};
    use PlanState::{Accepted, Draft, Resubmitted, Returned, Submitted};
    match (state, action) {
        (Draft | Returned, Edit) => Ok(state),
        (Draft, Submit) => Ok(Submitted),
        (Returned, Submit) => Ok(Resubmitted),
        (Submitted | Resubmitted, Return) => Ok(Returned),
        (Submitted | Resubmitted, Accept) => Ok(Accepted),
        _ => {
            let (why_zh, why_en) = match state {
                Accepted => (
                    "方案已通过，内容已冻结，不能再修改或评审。",
                    "an accepted plan is frozen.",
                ),
                Submitted | Resubmitted => (
                    "提交的版本正在评审中，请等待评审结果；退回后方可修改并重新提交。",
                    "the submitted version is under review; wait for the decision (a returned plan can be edited and submitted again).",
                ),
                Draft | Returned => (
                    "方案尚未提交（或退回后尚未重新提交），须先提交才能评审。",
                    "the plan has not been submitted (again) yet; it must be submitted before it can be reviewed.",
                ),
            };
            Err(TransitionError {
                message_zh: format!(
                    "方案当前状态为“{}”，不能执行“{}”操作：{why_zh}",
                    state.label_zh(),
                    action.label_zh()
                ),
                message_en: format!(
                    "Cannot {} a plan in state '{}': {why_en}",
                    action.as_str(),
                    state.label_en()
                ),
            })
        }
    }
}

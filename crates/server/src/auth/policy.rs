//! R-X-1 / STYLE 10: the one authorisation function. Decisions use the object's stored owner
//! (a society id read from the database), never an id taken from the URL. Objects a user may
//! not see answer 404, so their existence is not revealed.

use crate::db::users::User;
use crate::error::AppError;
use crate::model::Role;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Action {
    /// Read a society's record and everything it owns.
    ReadSociety,
    /// Change a society's own data (facts, plans, reports: later issues).
    EditSocietyData,
    /// Create, edit, deactivate and import societies; set election flags.
    ManageSocieties,
    /// See every society (the registry list, overviews).
    ListAllSocieties,
    /// Accounts of others.
    ManageUsers,
    /// Browse the audit trail.
    ReadAudit,
    /// Load a year's catalogue.
    LoadCatalogue,
    /// One's own account, password and API tokens.
    OwnAccount,
    /// Preview and publish a monitoring bulletin (R-PUB-1): administrators.
    PublishBulletin,
    /// Show the year's assessment results, request and approve finalisation (issue 12):
    /// administrators (the approval needs a second one: the service checks).
    FinaliseAssessment,
    /// Read every objection and answer one (issue 12): administrators and reviewers.
    AnswerObjection,
}

/// `owner` is the society that owns the object, where the object has one.
pub fn authorize(user: Option<&User>, action: Action, owner: Option<i64>) -> Result<(), AppError> {
    let Some(user) = user else {
        return Err(AppError::Unauthorized);
    };
    if user.disabled {
        return Err(AppError::Unauthorized);
    }
    let own = owner.is_some() && owner == user.society_id;
    let allowed = match (user.role, action) {
        (_, Action::OwnAccount) => true,
        (Role::Admin, _) => true,
        (
            Role::Reviewer,
            Action::ReadSociety | Action::ListAllSocieties | Action::AnswerObjection,
        ) => true,
        (Role::Reviewer, _) => false,
        (Role::SocietyEditor, Action::ReadSociety | Action::EditSocietyData) => own,
        (Role::SocietyViewer, Action::ReadSociety) => own,
        (Role::SocietyEditor | Role::SocietyViewer, _) => false,
    };
    if allowed {
        Ok(())
    } else if owner.is_some()
        && matches!(action, Action::ReadSociety | Action::EditSocietyData)
        && !own
        && user.role.is_society_role()
    {
        // Another society's object: hidden.
        Err(AppError::NotFound)
    } else {
        Err(AppError::Forbidden)
    }
}

/// An administrator may not disable themself or give up their own administrator role (so the
/// system is never left without a way in). Both the page and the API apply this.
pub fn self_lockout(
    me: &User,
    target_id: i64,
    new_role: Option<Role>,
    disabled: bool,
) -> Option<crate::model::FieldError> {
    (me.id == target_id && (disabled || new_role != Some(Role::Admin)))
        .then(|| crate::model::FieldError::new("role", "err-self-lockout"))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn user(role: Role, society: Option<i64>) -> User {
        User {
            id: 1,
            username: "u".into(),
            display_name: "u".into(),
            role,
            society_code: None,
            society_id: society,
            disabled: false,
            demo: false,
            unread: 0,
        }
    }

    #[test]
    fn society_people_reach_only_their_own_society() {
        let editor = user(Role::SocietyEditor, Some(3));
        assert!(authorize(Some(&editor), Action::ReadSociety, Some(3)).is_ok());
        assert!(authorize(Some(&editor), Action::EditSocietyData, Some(3)).is_ok());
        assert!(matches!(
            authorize(Some(&editor), Action::ReadSociety, Some(4)),
            Err(AppError::NotFound)
        ));
        assert!(matches!(
            authorize(Some(&editor), Action::ManageSocieties, Some(3)),
            Err(AppError::Forbidden)
        ));
        let viewer = user(Role::SocietyViewer, Some(3));
        assert!(authorize(Some(&viewer), Action::ReadSociety, Some(3)).is_ok());
        assert!(matches!(
            authorize(Some(&viewer), Action::EditSocietyData, Some(3)),
            Err(AppError::Forbidden)
        ));
        assert!(matches!(
            authorize(Some(&viewer), Action::ReadSociety, Some(4)),
            Err(AppError::NotFound)
        ));
    }

    #[test]
    fn admins_cannot_lock_themselves_out() {
        let admin = user(Role::Admin, None);
        assert!(self_lockout(&admin, 1, Some(Role::Admin), false).is_none());
        assert!(self_lockout(&admin, 1, Some(Role::Reviewer), false).is_some());
        assert!(self_lockout(&admin, 1, Some(Role::Admin), true).is_some());
        assert!(self_lockout(&admin, 2, Some(Role::Reviewer), true).is_none());
    }

    #[test]
    fn staff_and_anonymous() {
        let reviewer = user(Role::Reviewer, None);
        assert!(authorize(Some(&reviewer), Action::ReadSociety, Some(9)).is_ok());
        assert!(authorize(Some(&reviewer), Action::EditSocietyData, Some(9)).is_err());
        assert!(authorize(Some(&reviewer), Action::ManageUsers, None).is_err());
        let admin = user(Role::Admin, None);
        assert!(authorize(Some(&admin), Action::ManageUsers, None).is_ok());
        assert!(matches!(
            authorize(None, Action::ReadSociety, Some(1)),
            Err(AppError::Unauthorized)
        ));
        let mut disabled = user(Role::Admin, None);
        disabled.disabled = true;
        assert!(authorize(Some(&disabled), Action::ManageUsers, None).is_err());
    }
}

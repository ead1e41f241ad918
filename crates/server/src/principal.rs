//! Who acts (R-X-1, R-X-2): a signed-in user, an operator at the command line, the system
//! itself (housekeeping), or nobody (an anonymous request). Services take a `Principal`; the
//! audit trail records its [`Principal::actor`].

use crate::auth::policy::{Action, authorize};
use crate::db::audit::Actor;
use crate::db::users::User;
use crate::error::AppError;

#[derive(Debug, Clone, PartialEq)]
pub enum Principal {
    /// A signed-in user (session cookie or API token).
    User(User),
    /// An operator running the CLI, by operating-system user name.
    Cli(String),
    /// The system itself: housekeeping, reminders, rules that act on their own.
    System,
    /// An anonymous request.
    Anonymous,
}

impl Principal {
    /// The operating-system user running the CLI.
    pub fn cli() -> Principal {
        match Actor::cli() {
            Actor::Cli(name) => Principal::Cli(name),
            _ => Principal::Cli("unknown".to_string()),
        }
    }

    /// How the audit trail names this principal: `user:NAME`, `cli:OSUSER` or `system`
    /// (anonymous requests change nothing that is audited under their own name).
    pub fn actor(&self) -> Actor {
        match self {
            Principal::User(u) => Actor::User(u.username.clone()),
            Principal::Cli(name) => Actor::Cli(name.clone()),
            Principal::System | Principal::Anonymous => Actor::System,
        }
    }

    /// The signed-in user, if any.
    pub fn user(&self) -> Option<&User> {
        match self {
            Principal::User(u) => Some(u),
            _ => None,
        }
    }

    /// The one policy (R-X-1) for users; the CLI operator and the system hold the database
    /// itself and are not restricted; an anonymous request must sign in.
    pub fn require(&self, action: Action, owner: Option<i64>) -> Result<(), AppError> {
        match self {
            Principal::User(u) => authorize(Some(u), action, owner),
            Principal::Cli(_) | Principal::System => Ok(()),
            Principal::Anonymous => authorize(None, action, owner),
        }
    }

    /// Whether [`Principal::require`] would allow `action` on `owner`.
    pub fn may(&self, action: Action, owner: Option<i64>) -> bool {
        self.require(action, owner).is_ok()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::Role;

    #[test]
    fn actors_and_policy() {
        let u = User {
            id: 1,
            username: "li".into(),
            display_name: "li".into(),
            role: Role::SocietyViewer,
            society_code: None,
            society_id: Some(3),
            disabled: false,
            demo: false,
            unread: 0,
        };
        let p = Principal::User(u);
        assert_eq!(p.actor().label(), "user:li");
        assert!(p.may(Action::ReadSociety, Some(3)));
        assert!(!p.may(Action::EditSocietyData, Some(3)));
        assert_eq!(Principal::System.actor().label(), "system");
        assert!(Principal::System.may(Action::ManageUsers, None));
        assert!(matches!(
            Principal::Anonymous.require(Action::ReadSociety, Some(3)),
            Err(AppError::Unauthorized)
        ));
        assert!(Principal::cli().actor().label().starts_with("cli:"));
    }
}

//! Issue 10: people by display name. The store records who acted as a username (reviews,
//! versions) or as an audit actor label (`user:NAME`, `cli:OSUSER`, `system`); pages show the
//! person's display name instead, never `user:reviewer`.

use std::collections::HashMap;

use crate::AppState;
use crate::db::users;
use crate::error::AppResult;
use crate::principal::Principal;

/// Who acted, as a page names them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Who {
    /// A person, by display name (their username when the account is gone).
    Person(String),
    /// An operator at the command line, by operating-system user.
    Operator(String),
    /// The system itself.
    System,
}

/// Display names by username.
#[derive(Debug, Clone, Default)]
pub struct People(HashMap<String, String>);

impl People {
    /// A username (or an actor label) as a display name; an unknown name is shown as stored,
    /// without its `user:` prefix.
    pub fn name(&self, username: &str) -> String {
        match self.who(username) {
            Who::Person(n) | Who::Operator(n) => n,
            Who::System => username.to_string(),
        }
    }

    /// An audit actor label (`user:NAME`, `cli:OSUSER`, `system`) or a bare username.
    pub fn who(&self, label: &str) -> Who {
        if label == "system" {
            return Who::System;
        }
        if let Some(os) = label.strip_prefix("cli:") {
            return Who::Operator(os.to_string());
        }
        let username = label.strip_prefix("user:").unwrap_or(label);
        Who::Person(
            self.0
                .get(username)
                .cloned()
                .unwrap_or_else(|| username.to_string()),
        )
    }
}

/// The display names of all accounts, for pages that name who acted. An anonymous request
/// gets none (names then show as stored usernames; anonymous pages name nobody).
pub async fn people(state: &AppState, who: &Principal) -> AppResult<People> {
    if matches!(who, Principal::Anonymous) {
        return Ok(People::default());
    }
    Ok(People(
        users::list(&state.db)
            .await?
            .into_iter()
            .map(|u| (u.username, u.display_name))
            .collect(),
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn actors_read_as_display_names() {
        let p = People(HashMap::from([(
            "reviewer".to_string(),
            "王审核".to_string(),
        )]));
        assert_eq!(p.who("user:reviewer"), Who::Person("王审核".into()));
        assert_eq!(p.name("reviewer"), "王审核");
        assert_eq!(p.name("user:gone"), "gone");
        assert_eq!(p.who("cli:root"), Who::Operator("root".into()));
        assert_eq!(p.who("system"), Who::System);
    }
}

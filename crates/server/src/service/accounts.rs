//! Accounts (R-X-1): who a request is (session cookie or API token), signing in and out
//! (throttled), administrators managing accounts, and one's own password and API tokens.

use chrono::{DateTime, Utc};
use serde_json::json;

use crate::AppState;
use crate::auth::policy::{Action, self_lockout};
use crate::auth::{password, random_password};
use crate::db::audit::{self, Actor, Change};
use crate::db::societies::{self, SocietyFilter};
use crate::db::tokens::{self, ApiToken};
use crate::db::users::{self, NewUser, User, UserUpdate};
use crate::db::{sessions, throttle};
use crate::error::{AppError, AppResult};
use crate::model::{FieldError, NewPassword, Role, Username, text};
use crate::principal::Principal;

/// The user behind a request: an `Authorization: Bearer` token (an invalid one is refused),
/// else a live session cookie. Returns (user, session id, whether by token).
pub async fn authenticate(
    state: &AppState,
    authorization: Option<&str>,
    session_id: Option<&str>,
    now: DateTime<Utc>,
) -> AppResult<(Option<User>, Option<String>, bool)> {
    if let Some(auth) = authorization {
        let token = auth.strip_prefix("Bearer ").ok_or(AppError::Unauthorized)?;
        let user = tokens::resolve(&state.db, token, now)
            .await?
            .filter(|u| !u.disabled)
            .ok_or(AppError::Unauthorized)?;
        return Ok((Some(user), None, true));
    }
    if let Some(sid) = session_id.filter(|s| !s.is_empty())
        && let Some(user) =
            sessions::resolve(&state.db, sid, state.config.session_policy(), now).await?
        && !user.disabled
    {
        return Ok((Some(user), Some(sid.to_string()), false));
    }
    Ok((None, None, false))
}

/// The outcome of a sign-in attempt.
pub enum Login {
    /// Too many failures: wait this many seconds.
    Throttled(u64),
    /// Unknown user, wrong password or disabled account (indistinguishable).
    Failed,
    /// Signed in: the user and the new session id for the cookie.
    Ok(User, String),
}

/// A real hash to verify against when the user does not exist, so timing does not tell.
fn dummy_hash() -> &'static str {
    static H: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    H.get_or_init(|| {
        password::hash_sync("not a real password, only for timing").unwrap_or_default()
    })
}

/// Signs in (throttled per account and per address); a new session id at every login.
pub async fn login(
    state: &AppState,
    username: &str,
    secret: &str,
    ip: &str,
    old_session: Option<&str>,
) -> AppResult<Login> {
    let now = state.clock.now();
    let username = username.trim().to_ascii_lowercase();
    let policy = state.config.throttle_policy();
    if let Some(wait) = throttle::blocked_for(&state.db, policy, &username, ip, now).await? {
        return Ok(Login::Throttled(wait));
    }
    let found = users::by_username(&state.db, &username).await?;
    let hash = found
        .as_ref()
        .map(|u| u.password_hash.clone())
        .unwrap_or_else(|| dummy_hash().to_string());
    let ok = password::verify(secret, &hash).await;
    let user = match (ok, found) {
        (true, Some(u)) if !u.user.disabled => u.user,
        _ => {
            throttle::record_failure(&state.db, &username, ip, now).await?;
            return Ok(Login::Failed);
        }
    };
    throttle::record_success(&state.db, policy, &username, now).await?;
    let sid = sessions::create(&state.db, user.id, old_session, ip, now).await?;
    let mut tx = state.db.begin().await?;
    audit::record(
        &state.db,
        &mut tx,
        &Actor::User(user.username.clone()),
        now,
        Change {
            action: "session.login",
            object_type: "user",
            object_id: &user.username,
            before: None,
            after: Some(json!({"ip": ip})),
        },
    )
    .await?;
    tx.commit().await?;
    Ok(Login::Ok(user, sid))
}

/// Ends the session on the server (only a cookie session can be ended this way).
pub async fn logout(state: &AppState, who: &Principal, session_id: Option<&str>) -> AppResult<()> {
    let user = who.user().ok_or(AppError::Unauthorized)?;
    let sid = session_id.ok_or(AppError::Forbidden)?;
    sessions::delete(&state.db, sid).await?;
    let mut tx = state.db.begin().await?;
    audit::record(
        &state.db,
        &mut tx,
        &who.actor(),
        state.clock.now(),
        Change {
            action: "session.logout",
            object_type: "user",
            object_id: &user.username,
            before: None,
            after: None,
        },
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

/// Every account (administrators).
pub async fn list(state: &AppState, who: &Principal) -> AppResult<Vec<User>> {
    who.require(Action::ManageUsers, None)?;
    users::list(&state.db).await
}

/// One account (administrators; 404 when unknown).
pub async fn get(state: &AppState, who: &Principal, id: i64) -> AppResult<User> {
    who.require(Action::ManageUsers, None)?;
    users::by_id(&state.db, id).await?.ok_or(AppError::NotFound)
}

/// Resolves the society field (code, or exact name) for society roles.
async fn resolve_society(
    state: &AppState,
    role: Option<Role>,
    raw: &str,
) -> Result<Option<i64>, FieldError> {
    let raw = raw.trim();
    match role {
        Some(r) if r.is_society_role() => {
            if raw.is_empty() {
                return Err(FieldError::new("society", "err-society-required"));
            }
            let by_code = societies::by_code(&state.db, raw).await.ok().flatten();
            let found = match by_code {
                Some(s) => Some(s),
                None => societies::list(
                    &state.db,
                    &SocietyFilter {
                        include_inactive: Some(true),
                        ..Default::default()
                    },
                )
                .await
                .ok()
                .and_then(|all| all.into_iter().find(|s| s.name == raw)),
            };
            found
                .map(|s| Some(s.id))
                .ok_or_else(|| FieldError::new("society", "err-society-unknown").arg("value", raw))
        }
        Some(_) if !raw.is_empty() => Err(FieldError::new("society", "err-society-not-for-role")),
        _ => Ok(None),
    }
}

/// A new account as typed (form or JSON).
pub struct NewAccount<'a> {
    pub username: &'a str,
    pub display_name: &'a str,
    /// The role as written (`society_editor`, …).
    pub role: &'a str,
    /// Society code or exact name, for society roles.
    pub society: &'a str,
    /// None: a random password is generated and returned once (the page sends None for an
    /// empty field).
    pub password: Option<&'a str>,
}

/// Creates an account; every problem is reported at once, by field. Returns the account and
/// the generated password, if one was generated.
pub async fn create(
    state: &AppState,
    who: &Principal,
    new: &NewAccount<'_>,
) -> AppResult<(User, Option<String>)> {
    who.require(Action::ManageUsers, None)?;
    let mut errors = Vec::new();
    let username = Username::parse(new.username)
        .map_err(|e| errors.push(e))
        .ok();
    let display_name = text(new.display_name, "display_name", 60, true)
        .map_err(|e| errors.push(e))
        .ok();
    let role = Role::parse(new.role);
    if role.is_none() {
        errors.push(FieldError::new("role", "err-role"));
    }
    let society_id = resolve_society(state, role, new.society)
        .await
        .map_err(|e| errors.push(e))
        .ok()
        .flatten();
    let (secret, generated) = match new.password {
        Some(p) => (p.to_string(), false),
        None => (random_password().map_err(AppError::Internal)?, true),
    };
    let pw = NewPassword::parse(&secret, "password")
        .map_err(|e| errors.push(e))
        .ok();
    let (Some(username), Some(display_name), Some(role), Some(pw), true) =
        (username, display_name, role, pw, errors.is_empty())
    else {
        return Err(AppError::Invalid(errors));
    };
    let hash = password::hash(&pw).await?;
    let user = users::create(
        &state.db,
        &who.actor(),
        state.clock.now(),
        &NewUser {
            username: username.as_str(),
            display_name: &display_name,
            password_hash: &hash,
            role,
            society_id,
            demo: false,
        },
    )
    .await?;
    Ok((user, generated.then_some(secret)))
}

/// A change to an account; `None` keeps the stored value.
pub struct AccountChange<'a> {
    pub display_name: Option<&'a str>,
    /// The role as written.
    pub role: Option<&'a str>,
    /// Society code or exact name; `""` clears it (staff roles).
    pub society: Option<&'a str>,
    pub disabled: Option<bool>,
}

/// Changes role, society, display name or the disabled flag; an administrator cannot lock
/// themself out. Every problem is reported at once, by field.
pub async fn update(
    state: &AppState,
    who: &Principal,
    id: i64,
    change: &AccountChange<'_>,
) -> AppResult<User> {
    who.require(Action::ManageUsers, None)?;
    let user = users::by_id(&state.db, id)
        .await?
        .ok_or(AppError::NotFound)?;
    let mut errors = Vec::new();
    let display_name = match change.display_name {
        Some(d) => text(d, "display_name", 60, true)
            .map_err(|e| errors.push(e))
            .ok(),
        None => Some(user.display_name.clone()),
    };
    let role = match change.role {
        Some(raw) => Role::parse(raw),
        None => Some(user.role),
    };
    if role.is_none() {
        errors.push(FieldError::new("role", "err-role"));
    }
    let society_id = match change.society {
        Some(raw) => resolve_society(state, role, raw)
            .await
            .map_err(|e| errors.push(e))
            .ok()
            .flatten(),
        None if role.is_some_and(Role::is_society_role) => user.society_id,
        None => None,
    };
    if role.is_some_and(Role::is_society_role)
        && society_id.is_none()
        && !errors.iter().any(|e| e.field == "society")
    {
        errors.push(FieldError::new("society", "err-society-required"));
    }
    let disabled = change.disabled.unwrap_or(user.disabled);
    if let Some(me) = who.user() {
        errors.extend(self_lockout(me, user.id, role, disabled));
    }
    let (Some(display_name), Some(role), true) = (display_name, role, errors.is_empty()) else {
        return Err(AppError::Invalid(errors));
    };
    users::update(
        &state.db,
        &who.actor(),
        state.clock.now(),
        id,
        &UserUpdate {
            display_name: &display_name,
            role,
            society_id,
            disabled,
        },
    )
    .await
}

/// A new random password for an account, returned once; its sessions end.
pub async fn reset_password(
    state: &AppState,
    who: &Principal,
    id: i64,
) -> AppResult<(User, String)> {
    let user = get(state, who, id).await?;
    let pw = random_password().map_err(AppError::Internal)?;
    let parsed = NewPassword::parse(&pw, "password")?;
    let hash = password::hash(&parsed).await?;
    users::set_password(&state.db, &who.actor(), state.clock.now(), user.id, &hash).await?;
    Ok((user, pw))
}

/// One's own password; all one's sessions end (sign in again).
pub async fn change_password(
    state: &AppState,
    who: &Principal,
    current: &str,
    new: &str,
) -> AppResult<()> {
    let user = who.user().ok_or(AppError::Unauthorized)?;
    let stored = users::by_username(&state.db, &user.username)
        .await?
        .ok_or(AppError::Unauthorized)?;
    if !password::verify(current, &stored.password_hash).await {
        return Err(FieldError::new("current", "err-current-password").into());
    }
    let new = NewPassword::parse(new, "new_password")?;
    let hash = password::hash(&new).await?;
    users::set_password(&state.db, &who.actor(), state.clock.now(), user.id, &hash).await
}

/// One's own API tokens.
pub async fn tokens(state: &AppState, who: &Principal) -> AppResult<Vec<ApiToken>> {
    let user = who.user().ok_or(AppError::Unauthorized)?;
    tokens::list(&state.db, user.id).await
}

/// A new API token for scripts; the secret is returned once.
pub async fn create_token(state: &AppState, who: &Principal, name: &str) -> AppResult<String> {
    let user = who.user().ok_or(AppError::Unauthorized)?;
    let name = text(name, "name", 60, true)?;
    let (_, secret) = tokens::create(
        &state.db,
        &who.actor(),
        state.clock.now(),
        user.id,
        &user.username,
        &name,
    )
    .await?;
    Ok(secret)
}

pub async fn revoke_token(state: &AppState, who: &Principal, id: i64) -> AppResult<()> {
    let user = who.user().ok_or(AppError::Unauthorized)?;
    tokens::revoke(
        &state.db,
        &who.actor(),
        state.clock.now(),
        user.id,
        &user.username,
        id,
    )
    .await
}

/// The society an account belongs to: (code, name).
pub async fn society_of(state: &AppState, user: &User) -> AppResult<Option<(String, String)>> {
    Ok(match user.society_id {
        Some(id) => societies::by_id(&state.db, id)
            .await?
            .map(|s| (s.code, s.name)),
        None => None,
    })
}

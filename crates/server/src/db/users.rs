//! Accounts (R-X-1).

use chrono::{DateTime, Utc};
use serde::Serialize;
use serde_json::json;
use sqlx::any::AnyRow;
use sqlx::{AssertSqlSafe, Row};

use super::audit::{self, Actor, Change};
use super::{Db, Tx, is_unique_violation, ts};
use crate::error::{AppError, AppResult};
use crate::model::{FieldError, Role};

#[derive(Debug, Clone, Serialize, PartialEq, utoipa::ToSchema)]
pub struct User {
    pub id: i64,
    pub username: String,
    pub display_name: String,
    pub role: Role,
    /// The society a society editor or viewer belongs to (its code).
    pub society_code: Option<String>,
    #[serde(skip)]
    pub society_id: Option<i64>,
    pub disabled: bool,
    pub demo: bool,
    /// Unread inbox messages, read with the session in the same statement (the menu's count,
    /// issue 10); 0 where the user was read otherwise.
    #[serde(skip)]
    pub unread: i64,
}

pub struct UserWithHash {
    pub user: User,
    pub password_hash: String,
}

const COLUMNS: &str = "u.id, u.username, u.display_name, u.role, u.society_id, s.code, u.disabled, u.demo, u.password_hash";
const FROM: &str = "FROM users u LEFT JOIN societies s ON s.id = u.society_id";

fn from_row(row: &AnyRow) -> Result<UserWithHash, sqlx::Error> {
    let role: String = row.try_get(3)?;
    Ok(UserWithHash {
        user: User {
            id: row.try_get(0)?,
            username: row.try_get(1)?,
            display_name: row.try_get(2)?,
            role: Role::parse(&role)
                .ok_or_else(|| sqlx::Error::Decode(format!("bad role {role}").into()))?,
            society_id: row.try_get(4)?,
            society_code: row.try_get(5)?,
            disabled: super::get_bool(row, 6)?,
            demo: super::get_bool(row, 7)?,
            unread: 0,
        },
        password_hash: row.try_get(8)?,
    })
}

fn snapshot(u: &User) -> serde_json::Value {
    serde_json::to_value(u).unwrap_or(serde_json::Value::Null)
}

pub async fn list(db: &Db) -> AppResult<Vec<User>> {
    let rows = sqlx::query(AssertSqlSafe(format!(
        "SELECT {COLUMNS} {FROM} ORDER BY u.username"
    )))
    .fetch_all(&db.pool)
    .await?;
    Ok(rows
        .iter()
        .map(|r| from_row(r).map(|u| u.user))
        .collect::<Result<_, _>>()?)
}

pub async fn count(db: &Db) -> AppResult<i64> {
    Ok(sqlx::query("SELECT COUNT(*) FROM users")
        .fetch_one(&db.pool)
        .await?
        .try_get(0)?)
}

pub async fn by_username(db: &Db, username: &str) -> AppResult<Option<UserWithHash>> {
    let row = sqlx::query(AssertSqlSafe(format!(
        "SELECT {COLUMNS} {FROM} WHERE u.username = $1"
    )))
    .bind(username.trim().to_ascii_lowercase())
    .fetch_optional(&db.pool)
    .await?;
    Ok(row.as_ref().map(from_row).transpose()?)
}

/// The user of a session (by the SHA-256 of its id) with the session's `created_at` and
/// `last_seen_at`, in one statement (the fixed cost of a signed-in request, issue 8).
pub async fn by_session_hash(db: &Db, id_hash: &str) -> AppResult<Option<(User, String, String)>> {
    let row = sqlx::query(AssertSqlSafe(format!(
        "SELECT {COLUMNS}, x.created_at, x.last_seen_at, \
         (SELECT COUNT(*) FROM notifications n WHERE n.user_id = u.id AND n.read_at IS NULL) \
         FROM sessions x \
         JOIN users u ON u.id = x.user_id LEFT JOIN societies s ON s.id = u.society_id \
         WHERE x.id_hash = $1"
    )))
    .bind(id_hash)
    .fetch_optional(&db.pool)
    .await?;
    let Some(row) = row else { return Ok(None) };
    let mut user = from_row(&row)?.user;
    user.unread = row.try_get(11)?;
    Ok(Some((user, row.try_get(9)?, row.try_get(10)?)))
}

/// The user of a live API token (by the SHA-256 of its secret) with the token's id and
/// `last_used_at`, in one statement (issue 8).
/// A live (not revoked) token with its user, read in one statement.
pub struct TokenUser {
    pub user: User,
    pub token_id: i64,
    pub last_used_at: Option<String>,
    pub created_at: String,
    pub expires_at: Option<String>,
}

pub async fn by_token_hash(db: &Db, token_hash: &str) -> AppResult<Option<TokenUser>> {
    let row = sqlx::query(AssertSqlSafe(format!(
        "SELECT {COLUMNS}, x.id, x.last_used_at, x.created_at, x.expires_at FROM api_tokens x \
         JOIN users u ON u.id = x.user_id LEFT JOIN societies s ON s.id = u.society_id \
         WHERE x.token_hash = $1 AND x.revoked_at IS NULL"
    )))
    .bind(token_hash)
    .fetch_optional(&db.pool)
    .await?;
    let Some(row) = row else { return Ok(None) };
    Ok(Some(TokenUser {
        user: from_row(&row)?.user,
        token_id: row.try_get(9)?,
        last_used_at: row.try_get(10)?,
        created_at: row.try_get(11)?,
        expires_at: row.try_get(12)?,
    }))
}

pub async fn by_id(db: &Db, id: i64) -> AppResult<Option<User>> {
    let row = sqlx::query(AssertSqlSafe(format!(
        "SELECT {COLUMNS} {FROM} WHERE u.id = $1"
    )))
    .bind(id)
    .fetch_optional(&db.pool)
    .await?;
    Ok(row.as_ref().map(from_row).transpose()?.map(|u| u.user))
}

async fn by_id_tx(tx: &mut Tx, id: i64) -> Result<Option<User>, sqlx::Error> {
    let row = sqlx::query(AssertSqlSafe(format!(
        "SELECT {COLUMNS} {FROM} WHERE u.id = $1"
    )))
    .bind(id)
    .fetch_optional(&mut **tx)
    .await?;
    Ok(row.as_ref().map(from_row).transpose()?.map(|u| u.user))
}

pub struct NewUser<'a> {
    pub username: &'a str,
    pub display_name: &'a str,
    pub password_hash: &'a str,
    pub role: Role,
    pub society_id: Option<i64>,
    pub demo: bool,
}

pub async fn create_in(
    db: &Db,
    tx: &mut Tx,
    actor: &Actor,
    now: DateTime<Utc>,
    new: &NewUser<'_>,
) -> AppResult<User> {
    if new.role.is_society_role() != new.society_id.is_some() {
        return Err(FieldError::new("society", "err-society-role").into());
    }
    let row = sqlx::query(
        "INSERT INTO users (username, display_name, password_hash, role, society_id, disabled, demo, created_at, updated_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $8) RETURNING id",
    )
    .bind(new.username)
    .bind(new.display_name)
    .bind(new.password_hash)
    .bind(new.role.as_str())
    .bind(new.society_id)
    .bind(false)
    .bind(new.demo)
    .bind(ts(now))
    .fetch_one(&mut **tx)
    .await
    .map_err(|e| {
        if is_unique_violation(&e) {
            AppError::from(FieldError::new("username", "err-username-taken").arg("value", new.username))
        } else {
            e.into()
        }
    })?;
    let id: i64 = row.try_get(0)?;
    let user = by_id_tx(tx, id).await?.ok_or(AppError::NotFound)?;
    audit::record(
        db,
        tx,
        actor,
        now,
        Change {
            action: "user.create",
            object_type: "user",
            object_id: &user.username,
            before: None,
            after: Some(snapshot(&user)),
        },
    )
    .await?;
    Ok(user)
}

pub async fn create(
    db: &Db,
    actor: &Actor,
    now: DateTime<Utc>,
    new: &NewUser<'_>,
) -> AppResult<User> {
    let mut tx = db.begin().await?;
    let u = create_in(db, &mut tx, actor, now, new).await?;
    tx.commit().await?;
    Ok(u)
}

/// Changes role, society, display name and disabled flag. A change of role or society, or
/// disabling, ends the user's sessions and revokes their API tokens.
pub struct UserUpdate<'a> {
    pub display_name: &'a str,
    pub role: Role,
    pub society_id: Option<i64>,
    pub disabled: bool,
}

pub async fn update(
    db: &Db,
    actor: &Actor,
    now: DateTime<Utc>,
    id: i64,
    upd: &UserUpdate<'_>,
) -> AppResult<User> {
    if upd.role.is_society_role() != upd.society_id.is_some() {
        return Err(FieldError::new("society", "err-society-role").into());
    }
    let mut tx = db.begin().await?;
    let before = by_id_tx(&mut tx, id).await?.ok_or(AppError::NotFound)?;
    sqlx::query("UPDATE users SET display_name = $2, role = $3, society_id = $4, disabled = $5, updated_at = $6 WHERE id = $1")
        .bind(id)
        .bind(upd.display_name)
        .bind(upd.role.as_str())
        .bind(upd.society_id)
        .bind(upd.disabled)
        .bind(ts(now))
        .execute(&mut *tx)
        .await?;
    let after = by_id_tx(&mut tx, id).await?.ok_or(AppError::NotFound)?;
    if before.role != after.role || before.society_id != after.society_id || after.disabled {
        // Privileges changed or the account was disabled: end its sessions and revoke its
        // API tokens (issue 9 finding 7).
        sqlx::query("DELETE FROM sessions WHERE user_id = $1")
            .bind(id)
            .execute(&mut *tx)
            .await?;
        let reason = if after.disabled {
            "disabled"
        } else {
            "privileges changed"
        };
        super::tokens::revoke_all_tx(db, &mut tx, actor, now, id, &after.username, reason).await?;
    }
    if before != after {
        audit::record(
            db,
            &mut tx,
            actor,
            now,
            Change {
                action: if after.disabled && !before.disabled {
                    "user.disable"
                } else {
                    "user.update"
                },
                object_type: "user",
                object_id: &after.username,
                before: Some(snapshot(&before)),
                after: Some(snapshot(&after)),
            },
        )
        .await?;
    }
    tx.commit().await?;
    Ok(after)
}

/// Sets a new password hash, ends all of the user's sessions and revokes their API tokens.
pub async fn set_password(
    db: &Db,
    actor: &Actor,
    now: DateTime<Utc>,
    id: i64,
    password_hash: &str,
) -> AppResult<()> {
    let mut tx = db.begin().await?;
    let user = by_id_tx(&mut tx, id).await?.ok_or(AppError::NotFound)?;
    sqlx::query("UPDATE users SET password_hash = $2, updated_at = $3 WHERE id = $1")
        .bind(id)
        .bind(password_hash)
        .bind(ts(now))
        .execute(&mut *tx)
        .await?;
    sqlx::query("DELETE FROM sessions WHERE user_id = $1")
        .bind(id)
        .execute(&mut *tx)
        .await?;
    super::tokens::revoke_all_tx(
        db,
        &mut tx,
        actor,
        now,
        id,
        &user.username,
        "password changed",
    )
    .await?;
    audit::record(
        db,
        &mut tx,
        actor,
        now,
        Change {
            action: "user.password",
            object_type: "user",
            object_id: &user.username,
            before: None,
            // The hash itself is never written to the trail.
            after: Some(json!({"password": "changed"})),
        },
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

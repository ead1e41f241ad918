//! Per-user API tokens for scripts (`Authorization: Bearer …`). Only the SHA-256 is stored;
//! the token is shown once at creation.

use chrono::{DateTime, Utc};
use serde::Serialize;
use serde_json::json;
use sqlx::Row;

use super::audit::{self, Actor, Change};
use super::{Db, ts};
use crate::auth::{hash_secret, random_token};
use crate::error::{AppError, AppResult};

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct ApiToken {
    pub id: i64,
    pub name: String,
    pub created_at: String,
    pub last_used_at: Option<String>,
    pub revoked_at: Option<String>,
}

pub const PREFIX: &str = "rw_";

pub async fn create(
    db: &Db,
    actor: &Actor,
    now: DateTime<Utc>,
    user_id: i64,
    username: &str,
    name: &str,
) -> AppResult<(ApiToken, String)> {
    let secret = format!("{PREFIX}{}", random_token()?);
    let mut tx = db.begin().await?;
    let row = sqlx::query("INSERT INTO api_tokens (user_id, name, token_hash, created_at) VALUES ($1, $2, $3, $4) RETURNING id")
        .bind(user_id)
        .bind(name)
        .bind(hash_secret(&secret))
        .bind(ts(now))
        .fetch_one(&mut *tx)
        .await?;
    let id: i64 = row.try_get(0)?;
    audit::record(
        db,
        &mut tx,
        actor,
        now,
        Change {
            action: "token.create",
            object_type: "user",
            object_id: username,
            before: None,
            after: Some(json!({"token_id": id, "name": name})),
        },
    )
    .await?;
    tx.commit().await?;
    Ok((
        ApiToken {
            id,
            name: name.to_string(),
            created_at: ts(now),
            last_used_at: None,
            revoked_at: None,
        },
        secret,
    ))
}

pub async fn list(db: &Db, user_id: i64) -> AppResult<Vec<ApiToken>> {
    let rows = sqlx::query("SELECT id, name, created_at, last_used_at, revoked_at FROM api_tokens WHERE user_id = $1 ORDER BY id")
        .bind(user_id)
        .fetch_all(&db.pool)
        .await?;
    rows.iter()
        .map(|r| {
            Ok(ApiToken {
                id: r.try_get(0)?,
                name: r.try_get(1)?,
                created_at: r.try_get(2)?,
                last_used_at: r.try_get(3)?,
                revoked_at: r.try_get(4)?,
            })
        })
        .collect::<Result<_, sqlx::Error>>()
        .map_err(Into::into)
}

/// Revokes one of the user's own tokens; another user's token id answers NotFound.
pub async fn revoke(
    db: &Db,
    actor: &Actor,
    now: DateTime<Utc>,
    user_id: i64,
    username: &str,
    token_id: i64,
) -> AppResult<()> {
    let mut tx = db.begin().await?;
    let r = sqlx::query("UPDATE api_tokens SET revoked_at = $3 WHERE id = $1 AND user_id = $2 AND revoked_at IS NULL")
        .bind(token_id)
        .bind(user_id)
        .bind(ts(now))
        .execute(&mut *tx)
        .await?;
    if r.rows_affected() == 0 {
        return Err(AppError::NotFound);
    }
    audit::record(
        db,
        &mut tx,
        actor,
        now,
        Change {
            action: "token.revoke",
            object_type: "user",
            object_id: username,
            before: Some(json!({"token_id": token_id})),
            after: None,
        },
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

/// The user of a live token, noting its use (at most every five minutes). One statement in
/// the common case (token and user together).
pub async fn resolve(
    db: &Db,
    secret: &str,
    now: DateTime<Utc>,
) -> AppResult<Option<super::users::User>> {
    let hash = hash_secret(secret.trim());
    let Some((user, id, last)) = super::users::by_token_hash(db, &hash).await? else {
        return Ok(None);
    };
    let stale = last
        .as_deref()
        .and_then(super::parse_ts)
        .is_none_or(|t| now - t > chrono::Duration::minutes(5));
    if stale {
        sqlx::query("UPDATE api_tokens SET last_used_at = $2 WHERE id = $1")
            .bind(id)
            .bind(ts(now))
            .execute(&db.pool)
            .await?;
    }
    Ok(Some(user))
}

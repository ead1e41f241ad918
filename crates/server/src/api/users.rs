//! Account administration API (R-X-1).

use axum::Json;
use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::response::{IntoResponse, Response};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::parse_json;
use crate::auth::policy::Action;
use crate::auth::{password, random_password};
use crate::db::users::{self, NewUser, User, UserUpdate};
use crate::error::{AppError, AppResult};
use crate::model::{FieldError, NewPassword, Role, Username, text};
use crate::web::{AppState, Ctx};

/// All accounts (administrators).
#[utoipa::path(get, path = "/api/v1/users", tag = "users", responses((status = 200, body = Vec<User>)), security(("bearer" = [])))]
pub async fn list(State(state): State<AppState>, ctx: Ctx) -> AppResult<Response> {
    ctx.require(Action::ManageUsers, None)?;
    Ok(Json(users::list(&state.db).await?).into_response())
}

/// The caller's own account.
#[utoipa::path(get, path = "/api/v1/me", tag = "users", responses((status = 200, body = User), (status = 401, body = crate::api::ApiErrors)), security(("bearer" = [])))]
pub async fn me(ctx: Ctx) -> AppResult<Response> {
    Ok(Json(ctx.require(Action::OwnAccount, None)?.clone()).into_response())
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CreateUser {
    pub username: String,
    pub display_name: String,
    pub role: Role,
    /// Society code, required for society roles.
    pub society: Option<String>,
    /// At least 12 characters; omitted: a random one is generated and returned once.
    pub password: Option<String>,
}

#[derive(Serialize, ToSchema)]
pub struct CreatedUser {
    pub user: User,
    /// Present only when the server generated the password.
    pub generated_password: Option<String>,
}

/// Creates an account (administrators).
#[utoipa::path(post, path = "/api/v1/users", tag = "users", request_body = CreateUser,
    responses((status = 201, body = CreatedUser), (status = 422, body = crate::api::ApiErrors)), security(("bearer" = [])))]
pub async fn create(State(state): State<AppState>, ctx: Ctx, body: Bytes) -> AppResult<Response> {
    ctx.require(Action::ManageUsers, None)?;
    let req: CreateUser = parse_json(&body)?;
    let mut errors = Vec::new();
    let username = Username::parse(&req.username)
        .map_err(|e| errors.push(e))
        .ok();
    let display_name = text(&req.display_name, "display_name", 60, true)
        .map_err(|e| errors.push(e))
        .ok();
    let society_id = crate::web::users::resolve_society(
        &state,
        Some(req.role),
        req.society.as_deref().unwrap_or(""),
    )
    .await
    .map_err(|e| errors.push(e))
    .ok()
    .flatten();
    let generated = req.password.is_none();
    let pw_text = match req.password {
        Some(p) => p,
        None => random_password().map_err(AppError::Internal)?,
    };
    let pw = NewPassword::parse(&pw_text, "password")
        .map_err(|e| errors.push(e))
        .ok();
    let (Some(username), Some(display_name), Some(pw), true) =
        (username, display_name, pw, errors.is_empty())
    else {
        return Err(AppError::Invalid(errors));
    };
    let hash = password::hash(&pw).await?;
    let user = users::create(
        &state.db,
        &ctx.actor(),
        state.clock.now(),
        &NewUser {
            username: username.as_str(),
            display_name: &display_name,
            password_hash: &hash,
            role: req.role,
            society_id,
            demo: false,
        },
    )
    .await?;
    Ok((
        http::StatusCode::CREATED,
        Json(CreatedUser {
            user,
            generated_password: generated.then_some(pw_text),
        }),
    )
        .into_response())
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PatchUser {
    pub display_name: Option<String>,
    pub role: Option<Role>,
    /// Society code; `""` clears it (for staff roles).
    pub society: Option<String>,
    pub disabled: Option<bool>,
}

/// Changes role, society, display name or the disabled flag (administrators).
#[utoipa::path(patch, path = "/api/v1/users/{id}", tag = "users", params(("id" = i64, Path)), request_body = PatchUser,
    responses((status = 200, body = User), (status = 404, body = crate::api::ApiErrors), (status = 422, body = crate::api::ApiErrors)), security(("bearer" = [])))]
pub async fn update(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
    body: Bytes,
) -> AppResult<Response> {
    let me = ctx.require(Action::ManageUsers, None)?.clone();
    let id: i64 = id.parse().map_err(|_| AppError::NotFound)?;
    let user = users::by_id(&state.db, id)
        .await?
        .ok_or(AppError::NotFound)?;
    let req: PatchUser = parse_json(&body)?;
    let role = req.role.unwrap_or(user.role);
    let display_name = match &req.display_name {
        Some(d) => text(d, "display_name", 60, true)?,
        None => user.display_name.clone(),
    };
    let society_id = match &req.society {
        Some(code) => crate::web::users::resolve_society(&state, Some(role), code).await?,
        None if role.is_society_role() => user.society_id,
        None => None,
    };
    if role.is_society_role() && society_id.is_none() {
        return Err(FieldError::new("society", "err-society-required").into());
    }
    let disabled = req.disabled.unwrap_or(user.disabled);
    if let Some(e) = crate::auth::policy::self_lockout(&me, user.id, Some(role), disabled) {
        return Err(e.into());
    }
    let updated = users::update(
        &state.db,
        &ctx.actor(),
        state.clock.now(),
        id,
        &UserUpdate {
            display_name: &display_name,
            role,
            society_id,
            disabled,
        },
    )
    .await?;
    Ok(Json(updated).into_response())
}

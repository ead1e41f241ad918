//! Account administration API (R-X-1).

use axum::Json;
use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::response::{IntoResponse, Response};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::parse_json;
use crate::AppState;
use crate::db::users::User;
use crate::error::{AppError, AppResult};
use crate::http::Ctx;
use crate::model::Role;
use crate::service::accounts::{self, AccountChange, NewAccount};

/// All accounts (administrators).
#[utoipa::path(get, path = "/api/v1/users", tag = "users", responses((status = 200, body = Vec<User>)), security(("bearer" = [])))]
pub async fn list(State(state): State<AppState>, ctx: Ctx) -> AppResult<Response> {
    Ok(Json(accounts::list(&state, &ctx.principal()).await?).into_response())
}

/// The caller's own account.
#[utoipa::path(get, path = "/api/v1/me", tag = "users", responses((status = 200, body = User), (status = 401, body = crate::api::ApiErrors)), security(("bearer" = [])))]
pub async fn me(ctx: Ctx) -> AppResult<Response> {
    Ok(Json(ctx.user()?.clone()).into_response())
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
    let who = ctx.principal();
    who.require(crate::auth::policy::Action::ManageUsers, None)?;
    let req: CreateUser = parse_json(&body)?;
    let (user, generated_password) = accounts::create(
        &state,
        &who,
        &NewAccount {
            username: &req.username,
            display_name: &req.display_name,
            role: req.role.as_str(),
            society: req.society.as_deref().unwrap_or(""),
            password: req.password.as_deref(),
        },
    )
    .await?;
    Ok((
        http::StatusCode::CREATED,
        Json(CreatedUser {
            user,
            generated_password,
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
    let who = ctx.principal();
    who.require(crate::auth::policy::Action::ManageUsers, None)?;
    let id: i64 = id.parse().map_err(|_| AppError::NotFound)?;
    let req: PatchUser = parse_json(&body)?;
    let updated = accounts::update(
        &state,
        &who,
        id,
        &AccountChange {
            display_name: req.display_name.as_deref(),
            role: req.role.map(Role::as_str),
            society: req.society.as_deref(),
            disabled: req.disabled,
        },
    )
    .await?;
    Ok(Json(updated).into_response())
}

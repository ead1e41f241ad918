//! One's own account: password change and API tokens for scripts.

use askama::Template;
use axum::Form;
use axum::extract::{Path, Query, State};
use axum::response::{IntoResponse, Response};
use serde::Deserialize;

use super::page::{Page, render, see_other};
use super::{AppState, Ctx};
use crate::auth::password;
use crate::auth::policy::Action;
use crate::db::tokens::{self, ApiToken};
use crate::db::{societies, users};
use crate::error::{AppError, AppResult};
use crate::model::{NewPassword, text};

#[derive(Template)]
#[template(path = "account.html")]
struct AccountPage {
    page: Page,
    username: String,
    society: Option<(String, String)>,
    tokens: Vec<ApiToken>,
    new_token: Option<String>,
    password_error: Option<String>,
}

async fn account_page(
    state: &AppState,
    ctx: &Ctx,
    done: Option<&str>,
    new_token: Option<String>,
    password_error: Option<String>,
) -> AppResult<Response> {
    let user = ctx.require(Action::OwnAccount, None)?;
    let t = ctx.t();
    let society = match user.society_id {
        Some(id) => societies::by_id(&state.db, id)
            .await?
            .map(|s| (s.code, s.name)),
        None => None,
    };
    let status = if password_error.is_some() {
        http::StatusCode::UNPROCESSABLE_ENTITY
    } else {
        http::StatusCode::OK
    };
    let page = AccountPage {
        page: Page::new(ctx, t.t("account-title")).with_flash(done),
        username: user.username.clone(),
        society,
        tokens: tokens::list(&state.db, user.id).await?,
        new_token,
        password_error,
    };
    Ok((status, render(&page)).into_response())
}

pub async fn page(
    State(state): State<AppState>,
    ctx: Ctx,
    Query(q): Query<super::societies::DoneQuery>,
) -> AppResult<Response> {
    account_page(&state, &ctx, q.done.as_deref(), None, None).await
}

#[derive(Deserialize)]
pub struct PasswordForm {
    #[serde(default)]
    current: String,
    #[serde(default)]
    new_password: String,
}

pub async fn change_password(
    State(state): State<AppState>,
    ctx: Ctx,
    Form(form): Form<PasswordForm>,
) -> AppResult<Response> {
    let user = ctx.require(Action::OwnAccount, None)?.clone();
    let t = ctx.t();
    let stored = users::by_username(&state.db, &user.username)
        .await?
        .ok_or(AppError::Unauthorized)?;
    if !password::verify(&form.current, &stored.password_hash).await {
        return account_page(&state, &ctx, None, None, Some(t.t("err-current-password"))).await;
    }
    let new = match NewPassword::parse(&form.new_password, "new_password") {
        Ok(p) => p,
        Err(e) => return account_page(&state, &ctx, None, None, Some(t.field(&e))).await,
    };
    let hash = password::hash(&new).await?;
    users::set_password(&state.db, &ctx.actor(), state.clock.now(), user.id, &hash).await?;
    // All sessions ended, including this one: sign in again with the new password.
    Ok(see_other("/login", "password-changed"))
}

#[derive(Deserialize)]
pub struct TokenForm {
    #[serde(default)]
    name: String,
}

pub async fn create_token(
    State(state): State<AppState>,
    ctx: Ctx,
    Form(form): Form<TokenForm>,
) -> AppResult<Response> {
    let user = ctx.require(Action::OwnAccount, None)?.clone();
    let name = text(&form.name, "name", 60, true)?;
    let (_, secret) = tokens::create(
        &state.db,
        &ctx.actor(),
        state.clock.now(),
        user.id,
        &user.username,
        &name,
    )
    .await?;
    account_page(&state, &ctx, None, Some(secret), None).await
}

pub async fn revoke_token(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
) -> AppResult<Response> {
    let user = ctx.require(Action::OwnAccount, None)?.clone();
    let id: i64 = id.parse().map_err(|_| AppError::NotFound)?;
    tokens::revoke(
        &state.db,
        &ctx.actor(),
        state.clock.now(),
        user.id,
        &user.username,
        id,
    )
    .await?;
    Ok(see_other("/account", "token-revoked"))
}

//! One's own account: password change and API tokens for scripts.

use askama::Template;
use axum::Form;
use axum::extract::{Path, Query, State};
use axum::response::{IntoResponse, Response};
use serde::Deserialize;

use crate::AppState;
use crate::db::tokens::ApiToken;
use crate::error::{AppError, AppResult};
use crate::http::Ctx;
use crate::http::page::{Page, render, see_other};
use crate::present::beijing_text;
use crate::service::accounts;

#[derive(Template)]
#[template(path = "account/account.html")]
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
    let user = ctx.user()?;
    let t = ctx.t();
    let status = if password_error.is_some() {
        http::StatusCode::UNPROCESSABLE_ENTITY
    } else {
        http::StatusCode::OK
    };
    let page = AccountPage {
        page: Page::new(ctx, t.t("account-title")).with_flash(done),
        username: user.username.clone(),
        society: accounts::society_of(state, user).await?,
        // Times as Beijing time to the minute (issue 10).
        tokens: accounts::tokens(state, &ctx.principal())
            .await?
            .into_iter()
            .map(|tk| ApiToken {
                created_at: beijing_text(&tk.created_at),
                last_used_at: tk.last_used_at.as_deref().map(beijing_text),
                revoked_at: tk.revoked_at.as_deref().map(beijing_text),
                ..tk
            })
            .collect(),
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
    let t = ctx.t();
    match accounts::change_password(&state, &ctx.principal(), &form.current, &form.new_password)
        .await
    {
        // All sessions ended, including this one: sign in again with the new password.
        Ok(()) => Ok(see_other("/login", "password-changed")),
        Err(AppError::Invalid(errors)) => {
            let message = errors.first().map(|e| t.field(e));
            account_page(&state, &ctx, None, None, message).await
        }
        Err(e) => Err(e),
    }
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
    let secret = accounts::create_token(&state, &ctx.principal(), &form.name).await?;
    account_page(&state, &ctx, None, Some(secret), None).await
}

pub async fn revoke_token(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
) -> AppResult<Response> {
    let id: i64 = id.parse().map_err(|_| AppError::NotFound)?;
    accounts::revoke_token(&state, &ctx.principal(), id).await?;
    Ok(see_other("/account", "token-revoked"))
}

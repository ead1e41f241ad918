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
use crate::http::form::FormErrors;
use crate::http::page::{Page, render, see_other};
use crate::present::beijing_text;
use crate::service::accounts;

#[derive(Template)]
#[template(path = "account/account.html")]
struct AccountPage {
    page: Page,
    username: String,
    society: Option<(String, String)>,
    tokens: Vec<TokenRow>,
    new_token: Option<String>,
    errors: FormErrors,
    /// The token name as typed after a refusal.
    token_name: String,
}

/// A token as people read it: times in Beijing time (issue 9 finding 7: last use and expiry
/// are shown).
struct TokenRow {
    id: i64,
    name: String,
    created: String,
    last_used: String,
    expires: String,
    expired: bool,
    revoked: Option<String>,
}

fn token_row(tk: ApiToken, now: chrono::DateTime<chrono::Utc>) -> TokenRow {
    let expired = crate::db::parse_ts(&tk.expires_at).is_none_or(|e| now >= e);
    TokenRow {
        id: tk.id,
        name: tk.name,
        created: beijing_text(&tk.created_at),
        last_used: beijing_text(tk.last_used_at.as_deref().unwrap_or("")),
        expires: beijing_text(&tk.expires_at),
        expired,
        revoked: tk.revoked_at.as_deref().map(beijing_text),
    }
}

async fn account_page(
    state: &AppState,
    ctx: &Ctx,
    done: Option<&str>,
    new_token: Option<String>,
    errors: FormErrors,
    token_name: String,
) -> AppResult<Response> {
    let user = ctx.user()?;
    let t = ctx.t();
    let status = errors.status();
    let page = AccountPage {
        page: Page::new(ctx, t.t("account-title")).with_flash(done),
        username: user.username.clone(),
        society: accounts::society_of(state, user).await?,
        tokens: accounts::tokens(state, &ctx.principal())
            .await?
            .into_iter()
            .map(|tk| token_row(tk, state.clock.now()))
            .collect(),
        new_token,
        errors,
        token_name,
    };
    Ok((status, render(&page)).into_response())
}

pub async fn page(
    State(state): State<AppState>,
    ctx: Ctx,
    Query(q): Query<super::societies::DoneQuery>,
) -> AppResult<Response> {
    account_page(
        &state,
        &ctx,
        q.done.as_deref(),
        None,
        FormErrors::none(),
        String::new(),
    )
    .await
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
    match accounts::change_password(
        &state,
        &ctx.principal(),
        &form.current,
        &form.new_password,
        &ctx.ip,
    )
    .await
    {
        // All sessions ended, including this one: sign in again with the new password.
        Ok(()) => Ok(see_other("/login", "password-changed")),
        Err(AppError::Invalid(errors)) => {
            let errors = FormErrors::of(&t, &errors, &["current", "new_password"]);
            account_page(&state, &ctx, None, None, errors, String::new()).await
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
    match accounts::create_token(&state, &ctx.principal(), &form.name).await {
        Ok(secret) => {
            account_page(
                &state,
                &ctx,
                None,
                Some(secret),
                FormErrors::none(),
                String::new(),
            )
            .await
        }
        Err(AppError::Invalid(errors)) => {
            // The token's name input is `token-name` (the page has another `name`-less form).
            let errors = FormErrors::mapped(&ctx.t(), &errors, |f| {
                (f == "name").then(|| "token-name".to_string())
            });
            account_page(&state, &ctx, None, None, errors, form.name).await
        }
        Err(e) => Err(e),
    }
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

//! Sign in and out (R-X-1): throttled per account and per address; a new session id at every
//! login; logout deletes the session on the server.

use askama::Template;
use axum::Form;
use axum::extract::{Query, State};
use axum::response::{IntoResponse, Redirect, Response};
use http::StatusCode;
use http::header::{HeaderValue, RETRY_AFTER, SET_COOKIE};
use serde::Deserialize;
use serde_json::json;

use super::context::session_cookie;
use super::page::{Page, render, safe_next};
use super::{AppState, Ctx};
use crate::auth::password;
use crate::db::audit::{self, Actor, Change};
use crate::db::{sessions, throttle, users};
use crate::error::{AppError, AppResult};

#[derive(Template)]
#[template(path = "login.html")]
struct LoginPage {
    page: Page,
    next: String,
    username: String,
    error: Option<String>,
}

#[derive(Deserialize)]
pub struct NextQuery {
    #[serde(default)]
    next: String,
    #[serde(default)]
    done: Option<String>,
}

pub async fn login_page(ctx: Ctx, Query(q): Query<NextQuery>) -> Response {
    let t = ctx.t();
    if ctx.user.is_some() {
        return Redirect::to(&safe_next(&q.next)).into_response();
    }
    render(&LoginPage {
        page: Page::new(&ctx, t.t("login-title")).with_flash(q.done.as_deref()),
        next: safe_next(&q.next),
        username: String::new(),
        error: None,
    })
}

#[derive(Deserialize)]
pub struct LoginForm {
    #[serde(default)]
    username: String,
    #[serde(default)]
    password: String,
    #[serde(default)]
    next: String,
}

/// A real hash to verify against when the user does not exist, so timing does not tell.
fn dummy_hash() -> &'static str {
    static H: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    H.get_or_init(|| {
        password::hash_sync("not a real password, only for timing").unwrap_or_default()
    })
}

pub async fn login_submit(
    State(state): State<AppState>,
    ctx: Ctx,
    Form(form): Form<LoginForm>,
) -> AppResult<Response> {
    let t = ctx.t();
    let now = state.clock.now();
    let username = form.username.trim().to_ascii_lowercase();
    let policy = state.config.throttle_policy();
    if let Some(wait) = throttle::blocked_for(&state.db, policy, &username, &ctx.ip, now).await? {
        let mut resp = (
            StatusCode::TOO_MANY_REQUESTS,
            render(&LoginPage {
                page: Page::new(&ctx, t.t("login-title")),
                next: safe_next(&form.next),
                username: form.username.clone(),
                error: Some(t.t1("login-throttled", "minutes", &wait.div_ceil(60))),
            }),
        )
            .into_response();
        if let Ok(v) = HeaderValue::from_str(&wait.to_string()) {
            resp.headers_mut().insert(RETRY_AFTER, v);
        }
        return Ok(resp);
    }
    let found = users::by_username(&state.db, &username).await?;
    let hash = found
        .as_ref()
        .map(|u| u.password_hash.clone())
        .unwrap_or_else(|| dummy_hash().to_string());
    let ok = password::verify(&form.password, &hash).await;
    let user = match (ok, found) {
        (true, Some(u)) if !u.user.disabled => u.user,
        _ => {
            throttle::record_failure(&state.db, &username, &ctx.ip, now).await?;
            return Ok((
                StatusCode::UNAUTHORIZED,
                render(&LoginPage {
                    page: Page::new(&ctx, t.t("login-title")),
                    next: safe_next(&form.next),
                    username: form.username.clone(),
                    error: Some(t.t("login-failed")),
                }),
            )
                .into_response());
        }
    };
    throttle::record_success(&state.db, policy, &username, now).await?;
    let sid = sessions::create(&state.db, user.id, ctx.session_id.as_deref(), &ctx.ip, now).await?;
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
            after: Some(json!({"ip": ctx.ip})),
        },
    )
    .await?;
    tx.commit().await?;
    let target = match (user.role.is_society_role(), form.next.trim()) {
        (true, "" | "/") => user
            .society_code
            .as_ref()
            .map(|c| format!("/societies/{c}"))
            .unwrap_or_else(|| "/".into()),
        _ => safe_next(&form.next),
    };
    let mut resp = Redirect::to(&target).into_response();
    let max_age = state.config.session_absolute_hours * 3600;
    resp.headers_mut().insert(
        SET_COOKIE,
        session_cookie(&sid, state.config.secure_cookies, max_age),
    );
    Ok(resp)
}

pub async fn logout(State(state): State<AppState>, ctx: Ctx) -> AppResult<Response> {
    let user = ctx.user()?;
    if let Some(sid) = &ctx.session_id {
        sessions::delete(&state.db, sid).await?;
        let now = state.clock.now();
        let mut tx = state.db.begin().await?;
        audit::record(
            &state.db,
            &mut tx,
            &ctx.actor(),
            now,
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
    } else {
        return Err(AppError::Forbidden);
    }
    let mut resp = Redirect::to("/login?done=logged-out").into_response();
    resp.headers_mut().insert(
        SET_COOKIE,
        session_cookie("", state.config.secure_cookies, 0),
    );
    Ok(resp)
}

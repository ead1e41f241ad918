//! Sign in and out (R-X-1): throttled per account and per address; a new session id at every
//! login; logout deletes the session on the server.

use askama::Template;
use axum::Form;
use axum::extract::{Query, State};
use axum::response::{IntoResponse, Redirect, Response};
use http::StatusCode;
use http::header::{HeaderValue, RETRY_AFTER, SET_COOKIE};
use serde::Deserialize;

use crate::AppState;
use crate::error::AppResult;
use crate::http::Ctx;
use crate::http::context::session_cookie;
use crate::http::form::FormErrors;
use crate::http::page::{Page, render, safe_next};
use crate::service::accounts::{self, Login};

#[derive(Template)]
#[template(path = "login.html")]
struct LoginPage {
    page: Page,
    next: String,
    username: String,
    errors: FormErrors,
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
        errors: FormErrors::none(),
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

pub async fn login_submit(
    State(state): State<AppState>,
    ctx: Ctx,
    Form(form): Form<LoginForm>,
) -> AppResult<Response> {
    let t = ctx.t();
    let failed = |status: StatusCode, error: String| {
        (
            status,
            render(&LoginPage {
                page: Page::new(&ctx, t.t("login-title")),
                next: safe_next(&form.next),
                username: form.username.clone(),
                // Which of the two was wrong is not said; the message sits at the password.
                errors: {
                    let mut e = FormErrors::none();
                    e.push("password", error.clone());
                    e
                },
            }),
        )
            .into_response()
    };
    let (user, sid) = match accounts::login(
        &state,
        &form.username,
        &form.password,
        &ctx.ip,
        ctx.session_id.as_deref(),
    )
    .await?
    {
        Login::Throttled(wait) => {
            let mut resp = failed(
                StatusCode::TOO_MANY_REQUESTS,
                t.t1("login-throttled", "minutes", &wait.div_ceil(60)),
            );
            if let Ok(v) = HeaderValue::from_str(&wait.to_string()) {
                resp.headers_mut().insert(RETRY_AFTER, v);
            }
            return Ok(resp);
        }
        Login::Failed => return Ok(failed(StatusCode::UNAUTHORIZED, t.t("login-failed"))),
        Login::Ok(user, sid) => (user, sid),
    };
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
        session_cookie(&sid, state.config.https(), max_age),
    );
    Ok(resp)
}

pub async fn logout(State(state): State<AppState>, ctx: Ctx) -> AppResult<Response> {
    accounts::logout(&state, &ctx.principal(), ctx.session_id.as_deref()).await?;
    let mut resp = Redirect::to("/login?done=logged-out").into_response();
    resp.headers_mut()
        .insert(SET_COOKIE, session_cookie("", state.config.https(), 0));
    Ok(resp)
}

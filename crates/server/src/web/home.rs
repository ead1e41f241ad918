//! Home page (by role), health check, language switch.

use askama::Template;
use axum::Form;
use axum::extract::State;
use axum::response::{IntoResponse, Redirect, Response};
use http::HeaderMap;
use http::header::{HeaderValue, SET_COOKIE};
use serde::Deserialize;

use crate::AppState;
use crate::http::Ctx;
use crate::http::page::{Page, render, safe_next};
use crate::i18n::Lang;
use crate::model::Role;

pub struct Card {
    pub href: String,
    pub title: String,
    pub text: String,
}

#[derive(Template)]
#[template(path = "home.html")]
struct Home {
    page: Page,
    cards: Vec<Card>,
    /// The latest bulletin's headline figures and the year's trend (R-PUB-1).
    monitor: Option<super::bulletins::HomeMonitor>,
}

/// `GET /`: for visitors without a login the page depends only on the latest bulletin (and
/// the language and layout), so it is cached and compressed like the monitoring pages.
pub async fn home(State(state): State<AppState>, ctx: Ctx, headers: HeaderMap) -> Response {
    let t = ctx.t();
    let card = |href: String, key: &str| Card {
        href,
        title: t.t(&format!("card-{key}")),
        text: t.t(&format!("card-{key}-text")),
    };
    let mut cards = Vec::new();
    match ctx.user.as_ref().map(|u| (u.role, u.society_code.clone())) {
        Some((Role::SocietyEditor | Role::SocietyViewer, Some(code))) => {
            cards.push(card(format!("/societies/{code}"), "my-society"));
        }
        Some((Role::Admin, _)) => {
            cards.push(card("/societies".into(), "societies"));
            cards.push(card("/admin/users".into(), "users"));
            cards.push(card("/admin/audit".into(), "audit"));
        }
        Some((Role::Reviewer, _)) => cards.push(card("/societies".into(), "societies")),
        _ => cards.push(card("/login".into(), "login")),
    }
    cards.push(card("/catalogues/2017".into(), "catalogue"));
    cards.push(card("/api/openapi.json".into(), "api"));
    let shown = match super::bulletins::latest(&state).await {
        Ok(s) => s,
        Err(e) => return e.into_response(),
    };
    // The trend and the charts are computed only when the page is not cached (R-PUB-3).
    let page = async {
        let monitor = match &shown {
            Some(s) => Some(super::bulletins::home_monitor(&state, &t, s).await?),
            None => None,
        };
        Ok::<_, crate::error::AppError>(Home {
            page: Page::new(&ctx, t.t("home-title")),
            cards,
            monitor,
        })
    };
    if ctx.user.is_some() {
        return match page.await {
            Ok(p) => render(&p),
            Err(e) => e.into_response(),
        };
    }
    super::bulletins::cached_page(&ctx, &headers, shown.as_ref(), "home", async {
        page.await?
            .render()
            .map_err(|e| crate::error::AppError::Internal(anyhow::anyhow!("template: {e}")))
    })
    .await
    .unwrap_or_else(IntoResponse::into_response)
}

pub async fn healthz(State(state): State<AppState>) -> Response {
    if crate::service::healthy(&state).await {
        axum::Json(serde_json::json!({"status": "ok"})).into_response()
    } else {
        (
            http::StatusCode::SERVICE_UNAVAILABLE,
            axum::Json(serde_json::json!({"status": "unavailable"})),
        )
            .into_response()
    }
}

#[derive(Deserialize)]
pub struct LangForm {
    lang: String,
    #[serde(default)]
    next: String,
}

/// Remembers the chosen language in a cookie for a year.
pub async fn set_language(State(state): State<AppState>, Form(form): Form<LangForm>) -> Response {
    let lang = Lang::parse(&form.lang).unwrap_or(Lang::Zh);
    let code = if lang.is_en() { "en" } else { "zh" };
    let secure = if state.config.https() { "; Secure" } else { "" };
    let mut resp = Redirect::to(&safe_next(&form.next)).into_response();
    if let Ok(v) = HeaderValue::from_str(&format!(
        "rw_lang={code}; Path=/; Max-Age=31536000; SameSite=Lax{secure}"
    )) {
        resp.headers_mut().insert(SET_COOKIE, v);
    }
    resp
}

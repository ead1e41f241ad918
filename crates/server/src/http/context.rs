//! Per-request context: language, signed-in user (session cookie or API token), CSRF check on
//! state-changing requests, security headers on every response, and error rendering.

use std::net::SocketAddr;

use axum::extract::{ConnectInfo, FromRequestParts, Request, State};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use http::header::{self, HeaderMap, HeaderValue};
use http::request::Parts;
use http::{Method, StatusCode};

use crate::AppState;
use crate::auth::policy::{Action, authorize};
use crate::db::settings;
use crate::db::users::User;
use crate::error::AppError;
use crate::i18n::{Lang, T};
use crate::principal::Principal;

pub const SESSION_COOKIE: &str = "rw_session";
pub const LANG_COOKIE: &str = "rw_lang";

#[derive(Clone)]
pub struct Ctx {
    pub lang: Lang,
    pub user: Option<User>,
    /// The raw session id from the cookie (when signed in by cookie).
    pub session_id: Option<String>,
    pub via_token: bool,
    /// With demonstration data loaded: the moment the demo shows (Beijing time, to the minute),
    /// for the banner on every page (issue 10).
    pub demo: Option<String>,
    pub ip: String,
    pub path: String,
    pub is_api: bool,
    /// The newest loaded catalogue year (the default year of pages).
    pub year: i32,
}

impl Ctx {
    pub fn t(&self) -> T {
        T::new(self.lang)
    }
    /// Who makes this request: the signed-in user, or nobody.
    pub fn principal(&self) -> Principal {
        match &self.user {
            Some(u) => Principal::User(u.clone()),
            None => Principal::Anonymous,
        }
    }
    pub fn require(&self, action: Action, owner: Option<i64>) -> Result<&User, AppError> {
        authorize(self.user.as_ref(), action, owner)?;
        self.user.as_ref().ok_or(AppError::Unauthorized)
    }
    pub fn user(&self) -> Result<&User, AppError> {
        self.user.as_ref().ok_or(AppError::Unauthorized)
    }
}

impl<S: Send + Sync> FromRequestParts<S> for Ctx {
    type Rejection = AppError;
    async fn from_request_parts(parts: &mut Parts, _state: &S) -> Result<Self, Self::Rejection> {
        parts
            .extensions
            .get::<Ctx>()
            .cloned()
            .ok_or_else(|| AppError::Internal(anyhow::anyhow!("context middleware missing")))
    }
}

pub fn cookie<'a>(headers: &'a HeaderMap, name: &str) -> Option<&'a str> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(k, _)| *k == name)
        .map(|(_, v)| v.trim())
}

fn language(headers: &HeaderMap) -> Lang {
    cookie(headers, LANG_COOKIE)
        .and_then(Lang::parse)
        .or_else(|| {
            headers
                .get(header::ACCEPT_LANGUAGE)
                .and_then(|v| v.to_str().ok())
                .and_then(Lang::from_accept_language)
        })
        .unwrap_or(Lang::Zh)
}

fn client_ip(req: &Request, trust_proxy: bool) -> String {
    if trust_proxy
        && let Some(first) = req
            .headers()
            .get("x-forwarded-for")
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.split(',').next())
    {
        return first.trim().to_string();
    }
    req.extensions()
        .get::<ConnectInfo<SocketAddr>>()
        .map(|c| c.0.ip().to_string())
        .unwrap_or_else(|| "local".to_string())
}

/// CSRF (R-X-1): a state-changing request carried by the browser's cookie must come from our
/// own pages: `Sec-Fetch-Site: same-origin`, or an `Origin` equal to the request's host. Token
/// (Bearer) requests carry no ambient credentials and are exempt.
fn csrf_ok(headers: &HeaderMap, has_cookie: bool) -> bool {
    if let Some(site) = headers.get("sec-fetch-site").and_then(|v| v.to_str().ok()) {
        return matches!(site, "same-origin" | "none");
    }
    let host = headers.get(header::HOST).and_then(|v| v.to_str().ok());
    match headers.get(header::ORIGIN).and_then(|v| v.to_str().ok()) {
        Some(origin) => match (url::Url::parse(origin), host) {
            (Ok(o), Some(host)) => {
                let origin_host = match (o.host_str(), o.port()) {
                    (Some(h), Some(p)) => format!("{h}:{p}"),
                    (Some(h), None) => h.to_string(),
                    _ => return false,
                };
                origin_host.eq_ignore_ascii_case(host)
            }
            _ => false,
        },
        // Neither header: not a current browser. Allowed only without cookies, where there is
        // no ambient authority to abuse.
        None => !has_cookie,
    }
}

pub async fn middleware(State(state): State<AppState>, mut req: Request, next: Next) -> Response {
    let path = req.uri().path().to_string();
    let is_api = path.starts_with("/api/");
    let lang = language(req.headers());
    let ip = client_ip(&req, state.config.trust_proxy);
    let unsafe_method = !matches!(*req.method(), Method::GET | Method::HEAD | Method::OPTIONS);
    let now = state.clock.now();

    let authorization = req
        .headers()
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok());
    let resolved = crate::service::accounts::authenticate(
        &state,
        authorization,
        cookie(req.headers(), SESSION_COOKIE),
        now,
    )
    .await;
    let (user, session_id, via_token) = match resolved {
        Ok(r) => r,
        Err(e) => return finish(render(e, lang, is_api, &path, None), &path),
    };
    let has_cookie = req.headers().get(header::COOKIE).is_some();
    if unsafe_method && !via_token && !csrf_ok(req.headers(), has_cookie) {
        tracing::warn!(http.path = %path, "CSRF check refused a request");
        return finish(
            render(AppError::CsrfRejected, lang, is_api, &path, None),
            &path,
        );
    }
    let demo = (settings::get(&state.db, settings::DEMO)
        .await
        .ok()
        .flatten()
        .as_deref()
        == Some("true"))
    .then(|| crate::present::beijing(state.clock.now()));
    let year = crate::db::catalogues::newest_year(&state.db)
        .await
        .ok()
        .flatten()
        .unwrap_or(crate::db::catalogues::BUILTIN_YEAR);
    let ctx = Ctx {
        lang,
        user,
        session_id,
        via_token,
        demo,
        ip,
        path: path.clone(),
        is_api,
        year,
    };
    req.extensions_mut().insert(ctx.clone());
    let mut response = next.run(req).await;
    if let Some(marker) = response.extensions_mut().remove::<ErrorMarker>() {
        response = render(marker.0, lang, is_api, &path, Some(&ctx));
    }
    finish(response, &path)
}

/// Carried from `AppError::into_response` to the middleware, which renders it in the user's
/// language as HTML or JSON.
#[derive(Clone)]
pub struct ErrorMarker(pub std::sync::Arc<AppError>);

impl IntoResponse for AppError {
    fn into_response(self) -> Response {
        let mut r = StatusCode::INTERNAL_SERVER_ERROR.into_response();
        r.extensions_mut()
            .insert(ErrorMarker(std::sync::Arc::new(self)));
        r
    }
}

fn render(
    err: impl Into<std::sync::Arc<AppError>>,
    lang: Lang,
    is_api: bool,
    path: &str,
    ctx: Option<&Ctx>,
) -> Response {
    let err: std::sync::Arc<AppError> = err.into();
    if is_api {
        super::errors::json_error(&err, lang)
    } else {
        super::errors::html_error(&err, lang, path, ctx)
    }
}

/// Security headers on every response (R-X-1): a CSP without inline script, nosniff,
/// no framing, a strict referrer policy.
fn finish(mut response: Response, path: &str) -> Response {
    let h = response.headers_mut();
    let set = |h: &mut HeaderMap, name: &'static str, value: &'static str| {
        if !h.contains_key(name) {
            h.insert(name, HeaderValue::from_static(value));
        }
    };
    set(
        h,
        "content-security-policy",
        "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'",
    );
    set(h, "x-content-type-options", "nosniff");
    set(h, "x-frame-options", "DENY");
    set(h, "referrer-policy", "same-origin");
    set(h, "cross-origin-opener-policy", "same-origin");
    set(
        h,
        "permissions-policy",
        "camera=(), microphone=(), geolocation=()",
    );
    if !path.starts_with("/assets/") && !h.contains_key(header::CACHE_CONTROL) {
        h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    }
    response
}

pub fn session_cookie(value: &str, secure: bool, max_age_secs: i64) -> HeaderValue {
    let secure = if secure { "; Secure" } else { "" };
    let v = format!(
        "{SESSION_COOKIE}={value}; Path=/; HttpOnly; SameSite=Lax; Max-Age={max_age_secs}{secure}"
    );
    HeaderValue::from_str(&v)
        .unwrap_or_else(|_| HeaderValue::from_static("rw_session=; Path=/; Max-Age=0"))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn headers(pairs: &[(&'static str, &str)]) -> HeaderMap {
        let mut h = HeaderMap::new();
        for (k, v) in pairs {
            h.insert(*k, HeaderValue::from_str(v).unwrap());
        }
        h
    }

    #[test]
    fn csrf_rules() {
        assert!(csrf_ok(
            &headers(&[("sec-fetch-site", "same-origin")]),
            true
        ));
        assert!(!csrf_ok(
            &headers(&[("sec-fetch-site", "cross-site")]),
            true
        ));
        assert!(!csrf_ok(&headers(&[("sec-fetch-site", "same-site")]), true));
        assert!(csrf_ok(
            &headers(&[
                ("host", "127.0.0.1:8080"),
                ("origin", "http://127.0.0.1:8080")
            ]),
            true
        ));
        assert!(!csrf_ok(
            &headers(&[
                ("host", "127.0.0.1:8080"),
                ("origin", "http://evil.example")
            ]),
            true
        ));
        assert!(!csrf_ok(
            &headers(&[("host", "127.0.0.1:8080"), ("origin", "null")]),
            true
        ));
        assert!(!csrf_ok(&headers(&[("host", "127.0.0.1:8080")]), true));
        assert!(csrf_ok(&headers(&[("host", "127.0.0.1:8080")]), false));
    }

    #[test]
    fn cookies_are_found() {
        let h = headers(&[("cookie", "a=1; rw_session=abc; rw_lang=en")]);
        assert_eq!(cookie(&h, SESSION_COOKIE), Some("abc"));
        assert_eq!(language(&h), Lang::En);
        assert_eq!(
            language(&headers(&[("accept-language", "en-GB")])),
            Lang::En
        );
        assert_eq!(language(&HeaderMap::new()), Lang::Zh);
    }
}

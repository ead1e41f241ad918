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
use crate::auth::proxy::Cidr;
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
    /// for the banner on every page (issue 10); pages only (None for /api requests).
    pub demo: Option<String>,
    pub ip: String,
    pub path: String,
    pub is_api: bool,
    /// The newest loaded catalogue year (the default year of pages; not read for /api
    /// requests, which render no layout).
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

/// The language of a request: the `rw_lang` cookie, then `Accept-Language`, else Chinese.
pub(crate) fn language(headers: &HeaderMap) -> Lang {
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

/// The client's address (issue 9 finding 8). Without trusted proxies: the connection's peer.
/// When the peer is a trusted proxy (`trusted_proxies`, addresses or CIDR ranges; with only
/// `trust_proxy = true`, the peer itself), `X-Forwarded-For` is read from the right: the
/// right-most hop that is not a trusted proxy is the client — entries to its left were
/// written by the client and prove nothing. A peer that is not trusted is never overridden.
fn client_ip(req: &Request, config: &crate::Config) -> String {
    let peer = req
        .extensions()
        .get::<ConnectInfo<SocketAddr>>()
        .map(|c| c.0.ip());
    let Some(peer) = peer else {
        return "local".to_string();
    };
    let trusted = trusted_proxies(config, peer);
    if !trusted.iter().any(|t| t.contains(peer)) {
        return peer.to_string();
    }
    let hops: Vec<std::net::IpAddr> = req
        .headers()
        .get_all("x-forwarded-for")
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(','))
        .map(|h| h.trim().parse::<std::net::IpAddr>())
        .collect::<Result<_, _>>()
        // An unreadable entry: the chain cannot be followed; the peer is what we know.
        .unwrap_or_default();
    let mut client = peer;
    for hop in hops.iter().rev() {
        client = *hop;
        if !trusted.iter().any(|t| t.contains(*hop)) {
            break;
        }
    }
    client.to_string()
}

fn trusted_proxies(config: &crate::Config, peer: std::net::IpAddr) -> Vec<Cidr> {
    let mut list: Vec<Cidr> = config
        .trusted_proxies
        .iter()
        .filter_map(|s| Cidr::parse(s))
        .collect();
    if list.is_empty() && config.trust_proxy {
        list.push(Cidr::single(peer));
    }
    list
}

/// CSRF (R-X-1): a state-changing request carried by the browser's cookie must come from our
/// own pages: `Sec-Fetch-Site: same-origin`, or an `Origin` equal to the configured
/// `public_url`'s origin — scheme, host and port (issue 9 finding 9; the `Host` header is the
/// client's to choose). Only while `public_url` names a loopback host (a local trial, the
/// default) is an `Origin` naming the request's own `Host` with that scheme accepted too.
/// Token (Bearer) requests carry no ambient credentials and are exempt.
fn csrf_ok(headers: &HeaderMap, has_cookie: bool, public_url: &str) -> bool {
    if let Some(site) = headers.get("sec-fetch-site").and_then(|v| v.to_str().ok()) {
        return matches!(site, "same-origin" | "none");
    }
    let Some(origin) = headers.get(header::ORIGIN).and_then(|v| v.to_str().ok()) else {
        // Neither header: not a current browser. Allowed only without cookies, where there is
        // no ambient authority to abuse.
        return !has_cookie;
    };
    let (Ok(o), Ok(public)) = (url::Url::parse(origin), url::Url::parse(public_url.trim())) else {
        return false;
    };
    if !matches!(o.scheme(), "http" | "https") || o.host_str().is_none() {
        return false;
    }
    if o.origin() == public.origin() {
        return true;
    }
    let loopback = match public.host() {
        Some(url::Host::Domain(d)) => d.eq_ignore_ascii_case("localhost"),
        Some(url::Host::Ipv4(ip)) => ip.is_loopback(),
        Some(url::Host::Ipv6(ip)) => ip.is_loopback(),
        None => false,
    };
    let host = headers.get(header::HOST).and_then(|v| v.to_str().ok());
    match (loopback, host, o.host_str()) {
        (true, Some(host), Some(h)) if o.scheme() == public.scheme() => {
            let origin_host = match o.port() {
                Some(p) => format!("{h}:{p}"),
                None => h.to_string(),
            };
            origin_host.eq_ignore_ascii_case(host)
        }
        _ => false,
    }
}

/// JSON endpoints take `application/json` only (issue 9 finding 9); a body without a content
/// type is refused too. Catalogue files (TOML) and evidence uploads (multipart) have their own
/// types.
fn json_body_ok(path: &str, headers: &HeaderMap) -> bool {
    let ct = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .map(|v| {
            v.split(';')
                .next()
                .unwrap_or("")
                .trim()
                .to_ascii_lowercase()
        });
    if path == "/api/v1/catalogues"
        || path == "/api/v1/societies/import"
        || path.ends_with("/evidence")
    {
        return true;
    }
    match ct.as_deref() {
        Some(t) => {
            t == "application/json" || (t.starts_with("application/") && t.ends_with("+json"))
        }
        None => {
            let length = headers
                .get(header::CONTENT_LENGTH)
                .and_then(|v| v.to_str().ok())
                .and_then(|v| v.trim().parse::<u64>().ok());
            length == Some(0)
                || (length.is_none() && !headers.contains_key(header::TRANSFER_ENCODING))
        }
    }
}

pub async fn middleware(State(state): State<AppState>, mut req: Request, next: Next) -> Response {
    let path = req.uri().path().to_string();
    let https = state.config.https();
    let is_api = path.starts_with("/api/");
    let lang = language(req.headers());
    let ip = client_ip(&req, &state.config);
    let unsafe_method = !matches!(*req.method(), Method::GET | Method::HEAD | Method::OPTIONS);
    let now = state.clock.now();

    let authorization = req
        .headers()
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok());
    // Static assets are public and the same for everyone: no statement at all.
    let is_asset = path.starts_with("/assets/");
    let resolved = if is_asset {
        Ok((None, None, false))
    } else {
        crate::service::accounts::authenticate(
            &state,
            authorization,
            cookie(req.headers(), SESSION_COOKIE),
            now,
        )
        .await
    };
    let (user, session_id, via_token) = match resolved {
        Ok(r) => r,
        Err(e) => return finish(render(e, lang, is_api, &path, None), &path, https),
    };
    let has_cookie = req.headers().get(header::COOKIE).is_some();
    if unsafe_method && !via_token && !csrf_ok(req.headers(), has_cookie, &state.config.public_url)
    {
        tracing::warn!(http.path = %path, "CSRF check refused a request");
        return finish(
            render(AppError::CsrfRejected, lang, is_api, &path, None),
            &path,
            https,
        );
    }
    if is_api && unsafe_method && !json_body_ok(&path, req.headers()) {
        return finish(
            render(AppError::UnsupportedMediaType, lang, is_api, &path, None),
            &path,
            https,
        );
    }
    // The layout's demo banner and default year: one statement, and only for pages (the API
    // renders no layout). Read from the database on every page request that reaches this
    // middleware (the fast path answers cached anonymous public pages before it, R-PUB-3).
    let (demo, year) = if is_api || is_asset {
        (false, None)
    } else {
        settings::page_defaults(&state.db)
            .await
            .unwrap_or((false, None))
    };
    let demo = demo.then(|| crate::present::beijing(state.clock.now()));
    let year = year.unwrap_or(crate::db::catalogues::BUILTIN_YEAR);
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
    } else if response.status() == StatusCode::METHOD_NOT_ALLOWED {
        // axum's own 405 is empty: a page or the envelope instead, `Allow` kept (issue 10).
        let allow = response.headers().get(header::ALLOW).cloned();
        response = render(AppError::MethodNotAllowed, lang, is_api, &path, Some(&ctx));
        if let Some(allow) = allow {
            response.headers_mut().insert(header::ALLOW, allow);
        }
    } else if is_api && let Some(err) = plain_rejection(&response) {
        // The envelope, with axum's status kept (400 stays 400).
        let status = response.status();
        response = render(err, lang, is_api, &path, Some(&ctx));
        *response.status_mut() = status;
    }
    finish(response, &path, https)
}

/// axum's own rejections (body over the limit, unreadable query string, duplicate query
/// field, …) answer plain text; on the API they become the JSON envelope (issue 9 finding 9).
fn plain_rejection(response: &Response) -> Option<AppError> {
    let is_json = response
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("application/json"));
    if is_json {
        return None;
    }
    match response.status() {
        StatusCode::PAYLOAD_TOO_LARGE => Some(AppError::PayloadTooLarge),
        StatusCode::UNSUPPORTED_MEDIA_TYPE => Some(AppError::UnsupportedMediaType),
        StatusCode::BAD_REQUEST | StatusCode::UNPROCESSABLE_ENTITY => Some(AppError::Invalid(
            vec![crate::model::FieldError::new("query", "err-bad-request")],
        )),
        _ => None,
    }
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
fn finish(mut response: Response, path: &str, https: bool) -> Response {
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
    if https {
        set(h, "strict-transport-security", "max-age=31536000");
    }
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
        const LOCAL: &str = "http://127.0.0.1:8080";
        const PUBLIC: &str = "https://rw.example.org";
        let ok = |pairs: &[(&'static str, &str)], cookie: bool, public: &str| {
            csrf_ok(&headers(pairs), cookie, public)
        };
        assert!(ok(&[("sec-fetch-site", "same-origin")], true, PUBLIC));
        assert!(!ok(&[("sec-fetch-site", "cross-site")], true, PUBLIC));
        assert!(!ok(&[("sec-fetch-site", "same-site")], true, PUBLIC));
        // The configured public URL's origin, scheme included (issue 9 finding 9).
        assert!(ok(
            &[
                ("host", "rw.example.org"),
                ("origin", "https://rw.example.org")
            ],
            true,
            PUBLIC
        ));
        assert!(ok(
            &[
                ("host", "rw.example.org"),
                ("origin", "https://rw.example.org:443")
            ],
            true,
            PUBLIC
        ));
        assert!(!ok(
            &[
                ("host", "rw.example.org"),
                ("origin", "http://rw.example.org")
            ],
            true,
            PUBLIC
        ));
        // A Host chosen by the client does not make its Origin ours.
        assert!(!ok(
            &[("host", "evil.example"), ("origin", "https://evil.example")],
            true,
            PUBLIC
        ));
        // Local trial (loopback public URL): the request's own host, same scheme.
        assert!(ok(
            &[
                ("host", "127.0.0.1:8080"),
                ("origin", "http://127.0.0.1:8080")
            ],
            true,
            LOCAL
        ));
        assert!(ok(
            &[
                ("host", "127.0.0.1:9001"),
                ("origin", "http://127.0.0.1:9001")
            ],
            true,
            LOCAL
        ));
        assert!(!ok(
            &[
                ("host", "127.0.0.1:9001"),
                ("origin", "https://127.0.0.1:9001")
            ],
            true,
            LOCAL
        ));
        assert!(!ok(
            &[
                ("host", "127.0.0.1:8080"),
                ("origin", "http://evil.example")
            ],
            true,
            LOCAL
        ));
        assert!(!ok(
            &[("host", "127.0.0.1:8080"), ("origin", "null")],
            true,
            LOCAL
        ));
        assert!(!ok(&[("host", "127.0.0.1:8080")], true, LOCAL));
        assert!(ok(&[("host", "127.0.0.1:8080")], false, LOCAL));
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

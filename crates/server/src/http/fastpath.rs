//! The fast path for anonymous public pages (R-PUB-3): an outer layer, before the context
//! middleware (session lookup, CSRF, demo flag and default year, all of them SQL), that answers
//! a `GET` of a public page from the process's store (`crate::public_pages`) when the request
//! carries no session cookie and no `Authorization`. A cached answer costs no SQL statement.
//!
//! - **What is kept**: only responses the page marked [`Shareable`] (the anonymous page
//!   caches of `web::bulletins` and the catalogue page), status 200, without `Set-Cookie`:
//!   headers and body exactly as the ordinary stack answered them (security headers, ETag,
//!   Last-Modified, Cache-Control, Vary, gzip), keyed by the request target (path and query),
//!   the language (the same choice as the context: `rw_lang` cookie, then
//!   `Accept-Language`), whether the client accepts gzip, and the demo banner's moment.
//! - **304**: a matching `If-None-Match` gets the same 304 as the ordinary stack (the kept
//!   headers without `Content-Type` and `Content-Encoding`, no body).
//! - **Staleness**: see `crate::public_pages`: what the pages depend on is read again at most
//!   every `public_revalidate_ms` (default 1,000 ms), by one request at a time; while it is
//!   due and another request is reading it, requests take the ordinary path (always current).
//!   The pages of a numbered bulletin that is not the latest are served without waiting.
//!   Publishing in this process empties the store at once.
//! - Signed-in users (session cookie or token) never reach the store: their layout differs.

use std::time::Duration;

use axum::body::Body;
use axum::extract::{Request, State};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use http::header::{
    AUTHORIZATION, CONTENT_DISPOSITION, CONTENT_ENCODING, CONTENT_LENGTH, CONTENT_TYPE, ETAG,
    SET_COOKIE,
};
use http::{Method, StatusCode};

use crate::AppState;
use crate::public_pages::{Entry, Key};

/// Set by a page on an anonymous response that is the same for every visitor with the same
/// target, language and encoding: the fast path may keep it.
#[derive(Clone, Copy, Debug)]
pub struct Shareable {
    /// The content of a numbered bulletin that is not the latest (never changes).
    pub immutable: bool,
}

/// Largest body kept (a larger page is served by the ordinary path, from its own cache). The
/// kept body shares its buffer with the page cache's (`Bytes`): no copy is made.
const MAX_BODY: u64 = 64 * 1024 * 1024;

/// The public pages the fast path looks at: `/`, `/monitor…`, `/bulletins`,
/// `/catalogues/{year}` (anything else goes straight on).
fn public_page(path: &str) -> bool {
    path == "/"
        || path == "/monitor"
        || path.starts_with("/monitor/")
        || path == "/bulletins"
        || path
            .strip_prefix("/catalogues/")
            .is_some_and(|y| !y.is_empty() && !y.contains('/'))
}

/// Whether the request may be answered from the store: a GET of a public page with neither a
/// session cookie nor credentials.
fn eligible(req: &Request) -> bool {
    req.method() == Method::GET
        && public_page(req.uri().path())
        && !req.headers().contains_key(AUTHORIZATION)
        && super::context::cookie(req.headers(), super::context::SESSION_COOKIE).is_none()
}

/// Reads the fingerprint again when it is due (one request at a time); whether the store may
/// be trusted for pages that can change.
async fn revalidated(state: &AppState) -> bool {
    let pages = &state.public_pages;
    let interval = Duration::from_millis(state.config.public_revalidate_ms);
    if pages.fresh(interval) {
        return true;
    }
    let Some(guard) = pages.begin_check() else {
        return false;
    };
    let epoch = pages.epoch();
    match crate::db::settings::public_fingerprint(&state.db).await {
        Ok(fp) => {
            pages.checked(&guard, epoch, fp);
            // With a zero interval the reading counts for this request only.
            true
        }
        Err(e) => {
            tracing::warn!(error = %e, "public pages: revalidation failed");
            false
        }
    }
}

fn key(state: &AppState, req: &Request) -> Key {
    let lang = super::context::language(req.headers());
    let demo = state
        .public_pages
        .demo()
        .unwrap_or(false)
        .then(|| crate::present::beijing(state.clock.now()));
    Key {
        target: req
            .uri()
            .path_and_query()
            .map_or_else(|| req.uri().path().to_owned(), |p| p.as_str().to_owned()),
        lang: lang.code(),
        gzip: super::cache::accepts_gzip(req.headers()),
        demo,
    }
}

/// The kept answer, or 304 when the client holds it.
fn answer(req: &Request, entry: &Entry) -> Response {
    if let Some(tag) = &entry.etag
        && super::cache::matches(req.headers(), tag)
    {
        let mut r = StatusCode::NOT_MODIFIED.into_response();
        let h = r.headers_mut();
        for (name, value) in &entry.headers {
            if *name != CONTENT_TYPE
                && *name != CONTENT_ENCODING
                && *name != CONTENT_DISPOSITION
                && *name != CONTENT_LENGTH
            {
                h.append(name.clone(), value.clone());
            }
        }
        return r;
    }
    let mut r = Response::new(Body::from(entry.body.clone()));
    *r.headers_mut() = entry.headers.clone();
    r
}

pub async fn layer(State(state): State<AppState>, req: Request, next: Next) -> Response {
    if !eligible(&req) {
        return next.run(req).await;
    }
    let pages = &state.public_pages;
    let current = revalidated(&state).await;
    // The epoch before anything is rendered: a page made while it moves is not kept.
    let epoch = pages.epoch();
    let key = key(&state, &req);
    if let Some(entry) = pages.get(&key)
        && (current || entry.immutable)
    {
        pages.hit();
        return answer(&req, &entry);
    }
    let response = next.run(req).await;
    let Some(shareable) = response.extensions().get::<Shareable>().copied() else {
        return response;
    };
    if !current
        || response.status() != StatusCode::OK
        || response.headers().contains_key(SET_COOKIE)
    {
        return response;
    }
    let (parts, body) = response.into_parts();
    let small = axum::body::HttpBody::size_hint(&body)
        .upper()
        .is_some_and(|n| n <= MAX_BODY);
    if !small {
        return Response::from_parts(parts, body);
    }
    match axum::body::to_bytes(body, usize::MAX).await {
        Ok(bytes) => {
            let etag = parts
                .headers
                .get(ETAG)
                .and_then(|v| v.to_str().ok())
                .map(str::to_owned);
            pages.put(
                key,
                parts.headers.clone(),
                bytes.clone(),
                etag,
                shareable.immutable,
                epoch,
            );
            Response::from_parts(parts, Body::from(bytes))
        }
        Err(e) => {
            tracing::warn!(error = %e, "public pages: body not kept");
            StatusCode::INTERNAL_SERVER_ERROR.into_response()
        }
    }
}

#[cfg(test)]
mod tests {
    use super::public_page;

    #[test]
    fn public_pages_only() {
        for p in [
            "/",
            "/monitor",
            "/monitor/societies/A-01",
            "/monitor/tasks/3",
            "/bulletins",
            "/catalogues/2017",
        ] {
            assert!(public_page(p), "{p}");
        }
        for p in [
            "/catalogues",
            "/catalogues/2017/tasks/1",
            "/societies",
            "/login",
            "/api/v1/bulletins",
            "/monitors",
            "/bulletins/1",
        ] {
            assert!(!public_page(p), "{p}");
        }
    }
}

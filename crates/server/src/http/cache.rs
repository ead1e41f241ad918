//! Conditional responses for content that never changes once published (R-PUB-3): a strong
//! ETag, Last-Modified, Cache-Control, and 304 Not Modified on a matching If-None-Match.

use axum::body::Body;
use axum::response::{IntoResponse, Response};
use chrono::{DateTime, Utc};
use http::header::{
    CACHE_CONTROL, CONTENT_DISPOSITION, CONTENT_TYPE, ETAG, HeaderValue, IF_NONE_MATCH,
    LAST_MODIFIED, VARY,
};
use http::{HeaderMap, StatusCode};

/// How long a response may be kept.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Freshness {
    /// The content of one numbered bulletin: it never changes.
    Immutable,
    /// "The latest bulletin": changes when the next one is published.
    Latest,
}

impl Freshness {
    fn header(self) -> &'static str {
        match self {
            Freshness::Immutable => "public, max-age=86400",
            Freshness::Latest => "public, max-age=60",
        }
    }
}

/// Whether `If-None-Match` names `etag` (or `*`).
pub fn matches(headers: &HeaderMap, etag: &str) -> bool {
    headers
        .get_all(IF_NONE_MATCH)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(','))
        .map(|t| t.trim().trim_start_matches("W/"))
        .any(|t| t == etag || t == "*")
}

/// What a cached response carries.
pub struct Cached<'a> {
    pub etag: &'a str,
    pub last_modified: Option<DateTime<Utc>>,
    pub freshness: Freshness,
    pub content_type: &'static str,
    /// Set for downloads: the `Content-Disposition` value.
    pub disposition: Option<String>,
}

/// The response for `body` under `meta`: 304 without a body when the client has it.
pub fn respond(request: &HeaderMap, meta: &Cached<'_>, body: impl Into<Body>) -> Response {
    let mut resp = if matches(request, meta.etag) {
        StatusCode::NOT_MODIFIED.into_response()
    } else {
        let mut r = Response::new(body.into());
        if let Ok(v) = HeaderValue::from_str(meta.content_type) {
            r.headers_mut().insert(CONTENT_TYPE, v);
        }
        if let Some(d) = meta
            .disposition
            .as_deref()
            .and_then(|d| HeaderValue::from_str(d).ok())
        {
            r.headers_mut().insert(CONTENT_DISPOSITION, d);
        }
        r
    };
    let h = resp.headers_mut();
    if let Ok(v) = HeaderValue::from_str(meta.etag) {
        h.insert(ETAG, v);
    }
    if let Some(at) = meta.last_modified
        && let Ok(v) = HeaderValue::from_str(&http_date(at))
    {
        h.insert(LAST_MODIFIED, v);
    }
    h.insert(
        CACHE_CONTROL,
        HeaderValue::from_static(meta.freshness.header()),
    );
    h.insert(VARY, HeaderValue::from_static("Accept-Language, Cookie"));
    resp
}

/// RFC 9110 IMF-fixdate: `Wed, 06 Sep 2017 02:00:00 GMT`.
pub fn http_date(at: DateTime<Utc>) -> String {
    at.format("%a, %d %b %Y %H:%M:%S GMT").to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn if_none_match_lists_and_weak_tags() {
        let mut h = HeaderMap::new();
        h.insert(IF_NONE_MATCH, HeaderValue::from_static("\"a\", W/\"b\""));
        assert!(matches(&h, "\"b\""));
        assert!(matches(&h, "\"a\""));
        assert!(!matches(&h, "\"c\""));
        assert!(!matches(&HeaderMap::new(), "\"a\""));
    }

    #[test]
    fn http_dates() {
        let at = DateTime::parse_from_rfc3339("2017-09-06T02:00:00Z")
            .map(|d| d.with_timezone(&Utc))
            .ok();
        assert_eq!(
            at.map(http_date).as_deref(),
            Some("Wed, 06 Sep 2017 02:00:00 GMT")
        );
    }
}

//! Conditional responses for content that never changes once published (R-PUB-3): a strong
//! ETag, Last-Modified, Cache-Control, and 304 Not Modified on a matching If-None-Match; gzip
//! for clients that accept it, compressed once per cached body (not per request), with its own
//! ETag (`"…-gzip"`) and `Vary: Accept-Encoding`.

use std::collections::HashMap;
use std::io::Write;
use std::sync::{Arc, Mutex, OnceLock};

use axum::body::{Body, Bytes};
use axum::response::{IntoResponse, Response};
use chrono::{DateTime, Utc};
use http::header::{
    ACCEPT_ENCODING, CACHE_CONTROL, CONTENT_DISPOSITION, CONTENT_ENCODING, CONTENT_TYPE, ETAG,
    HeaderValue, IF_NONE_MATCH, LAST_MODIFIED, VARY,
};
use http::{HeaderMap, StatusCode};

use crate::error::AppResult;

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
    pub disposition: Option<&'a str>,
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
        if let Some(d) = meta.disposition.and_then(|d| HeaderValue::from_str(d).ok()) {
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

/// A body in the encodings it is served in: as is, and gzip-compressed when that is smaller.
pub struct Variants {
    pub identity: Bytes,
    pub gzip: Option<Bytes>,
}

impl Variants {
    /// `bytes`, and its gzip form when `compress` and the result is smaller (already
    /// compressed formats such as .xlsx pass `false`).
    pub fn new(bytes: Vec<u8>, compress: bool) -> Variants {
        let gzip = if compress { gzip(&bytes) } else { None };
        Variants {
            gzip: gzip.filter(|z| z.len() < bytes.len()).map(Bytes::from),
            identity: Bytes::from(bytes),
        }
    }
}

fn gzip(bytes: &[u8]) -> Option<Vec<u8>> {
    let mut e = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::best());
    e.write_all(bytes).ok()?;
    e.finish().ok()
}

/// Whether `Accept-Encoding` accepts gzip (`gzip`, `x-gzip` or `*`, with a q-value above 0;
/// an explicit `gzip;q=0` refuses it).
pub fn accepts_gzip(headers: &HeaderMap) -> bool {
    let mut named = None;
    let mut star = false;
    for item in headers
        .get_all(ACCEPT_ENCODING)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(','))
    {
        let mut parts = item.split(';');
        let name = parts.next().unwrap_or("").trim().to_ascii_lowercase();
        let q_zero = parts.any(|p| {
            p.trim()
                .strip_prefix("q=")
                .is_some_and(|q| q.trim().parse::<f32>().is_ok_and(|q| q <= 0.0))
        });
        match name.as_str() {
            "gzip" | "x-gzip" => named = Some(named.unwrap_or(false) || !q_zero),
            "*" => star = !q_zero,
            _ => {}
        }
    }
    named.unwrap_or(star)
}

/// Bodies of immutable content, kept per key (the key names the bulletin's hash and everything
/// else the body depends on): made and compressed once per process.
fn store() -> &'static Mutex<HashMap<String, Arc<Variants>>> {
    static C: OnceLock<Mutex<HashMap<String, Arc<Variants>>>> = OnceLock::new();
    C.get_or_init(|| Mutex::new(HashMap::new()))
}

const STORE_ENTRIES: usize = 1024;

/// The variants of the body under `key`, made by `make` (and compressed) the first time.
pub fn kept(
    key: &str,
    compress: bool,
    make: impl FnOnce() -> AppResult<Vec<u8>>,
) -> AppResult<Arc<Variants>> {
    if let Some(v) = store().lock().ok().and_then(|c| c.get(key).cloned()) {
        return Ok(v);
    }
    let v = Arc::new(Variants::new(make()?, compress));
    if let Ok(mut c) = store().lock() {
        if c.len() >= STORE_ENTRIES {
            c.clear();
        }
        c.insert(key.to_owned(), v.clone());
    }
    Ok(v)
}

/// `"abc"` → `"abc-gzip"` (the ETag of the gzip representation; weak tags keep their `W/`).
fn gzip_tag(etag: &str) -> String {
    match etag.strip_suffix('"') {
        Some(open) => format!("{open}-gzip\""),
        None => format!("{etag}-gzip"),
    }
}

/// The response for `body` under `meta`, gzip-compressed when the client accepts it and a
/// compressed variant exists (its own ETag; `Vary: Accept-Encoding` either way); 304 when the
/// client has the representation it would get.
pub fn respond_variants(request: &HeaderMap, meta: &Cached<'_>, body: &Variants) -> Response {
    let compressed = body.gzip.as_ref().filter(|_| accepts_gzip(request));
    let mut resp = match compressed {
        Some(z) => {
            let tag = gzip_tag(meta.etag);
            let m = Cached {
                etag: &tag,
                ..*meta
            };
            let mut r = respond(request, &m, z.clone());
            if r.status() != StatusCode::NOT_MODIFIED {
                r.headers_mut()
                    .insert(CONTENT_ENCODING, HeaderValue::from_static("gzip"));
            }
            r
        }
        None => respond(request, meta, body.identity.clone()),
    };
    if body.gzip.is_some() {
        resp.headers_mut().insert(
            VARY,
            HeaderValue::from_static("Accept-Language, Cookie, Accept-Encoding"),
        );
    }
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
    fn accept_encoding() {
        let h = |v: &'static str| {
            let mut h = HeaderMap::new();
            h.insert(ACCEPT_ENCODING, HeaderValue::from_static(v));
            h
        };
        assert!(accepts_gzip(&h("gzip, deflate, br")));
        assert!(accepts_gzip(&h("br;q=1.0, GZIP;q=0.5")));
        assert!(accepts_gzip(&h("*")));
        assert!(!accepts_gzip(&h("gzip;q=0")));
        assert!(!accepts_gzip(&h("*, gzip;q=0")));
        assert!(!accepts_gzip(&h("identity")));
        assert!(!accepts_gzip(&h("br")));
        assert!(!accepts_gzip(&HeaderMap::new()));
        assert_eq!(gzip_tag("\"abc\""), "\"abc-gzip\"");
    }

    #[test]
    fn gzip_variant_only_when_smaller() {
        let text = "监测通报 ".repeat(200).into_bytes();
        let v = Variants::new(text.clone(), true);
        let z = v.gzip.as_ref().map(|z| z.len()).unwrap_or(usize::MAX);
        assert!(z < text.len() / 4, "{z}");
        assert!(Variants::new(text, false).gzip.is_none());
        assert!(Variants::new(b"ab".to_vec(), true).gzip.is_none());
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

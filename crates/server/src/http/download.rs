//! Downloads. Every .xlsx goes out through one helper: the content type, an attachment name
//! encoded for every browser (an ASCII fallback plus RFC 5987 `filename*`), and no caching.
//! Evidence files are streamed as attachments with nosniff and a sandboxing CSP (R-TRACK-4).

use axum::body::Body;
use axum::response::{IntoResponse, Response};
use http::header::{
    CACHE_CONTROL, CONTENT_DISPOSITION, CONTENT_LENGTH, CONTENT_SECURITY_POLICY, CONTENT_TYPE,
    HeaderValue, X_CONTENT_TYPE_OPTIONS,
};
use reformwatch_files::{Charset, Kind};

use crate::db::evidence::Evidence;
use crate::error::AppError;

/// An evidence file, streamed from the store: always an attachment, never rendered.
pub fn evidence_file(
    e: &Evidence,
    file: tokio::fs::File,
    kind: Kind,
    charset: Option<Charset>,
) -> Response {
    let body = Body::from_stream(tokio_util::io::ReaderStream::new(file));
    let mut resp = body.into_response();
    let h = resp.headers_mut();
    let set = |h: &mut http::HeaderMap, k: http::HeaderName, v: &str| {
        if let Ok(v) = HeaderValue::from_str(v) {
            h.insert(k, v);
        }
    };
    set(h, CONTENT_TYPE, kind.mime_for(charset));
    set(h, CONTENT_LENGTH, &e.size.to_string());
    set(
        h,
        CONTENT_DISPOSITION,
        &reformwatch_files::content_disposition(&e.name),
    );
    set(h, X_CONTENT_TYPE_OPTIONS, "nosniff");
    set(h, CONTENT_SECURITY_POLICY, "sandbox; default-src 'none'");
    set(h, CACHE_CONTROL, "private, no-store");
    resp
}

pub const XLSX: &str = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";

/// A workbook as an attachment named `file_name` (may contain Chinese).
pub fn xlsx(file_name: &str, bytes: Result<Vec<u8>, rust_xlsxwriter::XlsxError>) -> Response {
    match bytes {
        Ok(bytes) => attachment(XLSX, file_name, bytes),
        Err(e) => AppError::Internal(anyhow::anyhow!("xlsx {file_name}: {e}")).into_response(),
    }
}

/// Bytes as an attachment of type `content_type`, not stored by any cache.
pub fn attachment(content_type: &'static str, file_name: &str, bytes: Vec<u8>) -> Response {
    let mut resp = bytes.into_response();
    let h = resp.headers_mut();
    h.insert(CONTENT_TYPE, HeaderValue::from_static(content_type));
    h.insert(CACHE_CONTROL, HeaderValue::from_static("no-store"));
    if let Ok(v) = HeaderValue::from_str(&content_disposition(file_name)) {
        h.insert(CONTENT_DISPOSITION, v);
    }
    resp
}

/// RFC 5987 `attr-char`: everything else is percent-encoded.
const ATTR_CHAR: &percent_encoding::AsciiSet = &percent_encoding::NON_ALPHANUMERIC
    .remove(b'!')
    .remove(b'#')
    .remove(b'$')
    .remove(b'&')
    .remove(b'+')
    .remove(b'-')
    .remove(b'.')
    .remove(b'^')
    .remove(b'_')
    .remove(b'`')
    .remove(b'|')
    .remove(b'~');

/// `attachment; filename="ascii"; filename*=UTF-8''percent-encoded` (RFC 6266, RFC 5987).
pub fn content_disposition(file_name: &str) -> String {
    let ascii: String = file_name
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | '_') {
                c
            } else {
                '_'
            }
        })
        .collect();
    let encoded = percent_encoding::utf8_percent_encode(file_name, ATTR_CHAR);
    format!("attachment; filename=\"{ascii}\"; filename*=UTF-8''{encoded}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_encoded_for_every_browser() {
        assert_eq!(
            content_disposition("reformwatch-plans-2017.xlsx"),
            "attachment; filename=\"reformwatch-plans-2017.xlsx\"; filename*=UTF-8''reformwatch-plans-2017.xlsx"
        );
        let d = content_disposition("总览 \"x\".xlsx");
        assert!(
            d.starts_with("attachment; filename=\"____x_.xlsx\";"),
            "{d}"
        );
        assert!(
            d.contains("filename*=UTF-8''%E6%80%BB%E8%A7%88%20%22x%22.xlsx"),
            "{d}"
        );
        assert!(!d.contains('\r') && !d.contains('\n'));
    }
}

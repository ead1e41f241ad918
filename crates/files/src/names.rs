//! Safe display/download names and the `Content-Disposition` header value.

use percent_encoding::{AsciiSet, NON_ALPHANUMERIC, utf8_percent_encode};

use crate::kind::Kind;

/// Longest name returned by [`sanitize_name`], in characters, extension included.
pub const MAX_NAME_CHARS: usize = 120;

/// RFC 5987 `attr-char`s are left as they are; everything else is percent-encoded.
const NOT_ATTR_CHAR: &AsciiSet = &NON_ALPHANUMERIC
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

const RESERVED: [&str; 26] = [
    "CON", "PRN", "AUX", "NUL", "CONIN$", "CONOUT$", "COM0", "COM1", "COM2", "COM3", "COM4",
    "COM5", "COM6", "COM7", "COM8", "COM9", "LPT0", "LPT1", "LPT2", "LPT3", "LPT4", "LPT5", "LPT6",
    "LPT7", "LPT8", "LPT9",
];

/// Characters removed outright: C0/C1 controls (NUL, CR, LF, …), bidi embeddings/overrides and
/// isolates (U+202A–U+202E, U+2066–U+2069), other invisible direction/format marks
/// (U+061C, U+200B–U+200F, U+2028, U+2029, U+FEFF).
fn is_removed(c: char) -> bool {
    c.is_control()
        || matches!(
            c,
            '\u{202A}'..='\u{202E}'
                | '\u{2066}'..='\u{2069}'
                | '\u{200B}'..='\u{200F}'
                | '\u{061C}'
                | '\u{2028}'
                | '\u{2029}'
                | '\u{FEFF}'
        )
}

/// Characters Windows refuses in file names (besides the separators), replaced by `_`.
fn is_replaced(c: char) -> bool {
    matches!(c, '<' | '>' | ':' | '"' | '|' | '?' | '*')
}

fn is_reserved(stem: &str) -> bool {
    let stem = stem.trim_end_matches(' ');
    RESERVED.iter().any(|r| r.eq_ignore_ascii_case(stem))
}

/// A safe display/download name for an uploaded file:
/// removes control characters (incl. NUL, CR, LF) and bidi/invisible format characters; keeps
/// only the last path component (both `/` and `\` separate); replaces `< > : " | ? *` by `_`;
/// collapses runs of whitespace into one space; strips leading dots and trailing dots/spaces;
/// prefixes Windows reserved names (`CON`, `NUL`, `COM1`, `LPT1`, … as the part before the first
/// dot) with `_`; falls back to `file` when nothing is left; then makes the extension match the
/// content (`report.exe` detected as PDF → `report.exe.pdf`; `photo.JPEG` detected as JPEG stays);
/// and finally limits the whole name to [`MAX_NAME_CHARS`] characters, cutting the part before
/// the extension.
pub fn sanitize_name(original: &str, kind: Kind) -> String {
    let cleaned: String = original.chars().filter(|c| !is_removed(*c)).collect();
    let last = cleaned
        .rsplit(['/', '\\'])
        .find(|seg| !seg.trim().is_empty())
        .unwrap_or("");

    let mut collapsed = String::with_capacity(last.len());
    let mut space = false;
    for c in last.chars() {
        if c.is_whitespace() {
            space = !collapsed.is_empty();
        } else {
            if space {
                collapsed.push(' ');
                space = false;
            }
            collapsed.push(if is_replaced(c) { '_' } else { c });
        }
    }

    let trimmed = collapsed
        .trim_start_matches(['.', ' '])
        .trim_end_matches(['.', ' ']);
    let mut base = if trimmed.is_empty() {
        String::from("file")
    } else {
        trimmed.to_owned()
    };
    let first_part = base.split('.').next().unwrap_or_default();
    if is_reserved(first_part) {
        base.insert(0, '_');
    }

    // Keep an extension that already fits the content, else append the canonical one.
    let (mut body, ext) = match base.rsplit_once('.') {
        Some((stem, ext)) if !stem.is_empty() && kind.accepts_extension(ext) => {
            (stem.to_owned(), ext.to_owned())
        }
        _ => (base, kind.extension().to_owned()),
    };

    let max_body = MAX_NAME_CHARS - 1 - ext.chars().count();
    if body.chars().count() > max_body {
        body = body.chars().take(max_body).collect();
        body = body.trim_end_matches(['.', ' ']).to_owned();
        if body.is_empty() {
            body = String::from("file");
        }
    }
    format!("{body}.{ext}")
}

/// `Content-Disposition` value for a download (RFC 6266 with RFC 5987 `filename*`):
/// `attachment; filename="<ascii fallback>"; filename*=UTF-8''<percent-encoded UTF-8>`.
///
/// Control and bidi characters are dropped first. In the ASCII fallback, each run of non-ASCII
/// characters becomes one `_`, and `"` and `\` become `_`; the `filename*` form percent-encodes
/// everything but RFC 5987 attr-chars, so neither part can contain CR, LF or an unescaped quote.
/// Pass a name from [`sanitize_name`]; this function is nevertheless safe for any input.
pub fn content_disposition(name: &str) -> String {
    let cleaned: String = name.chars().filter(|c| !is_removed(*c)).collect();
    let cleaned = cleaned.trim();
    let name = if cleaned.is_empty() { "file" } else { cleaned };

    let mut fallback = String::with_capacity(name.len());
    let mut in_non_ascii = false;
    for c in name.chars() {
        if c.is_ascii() {
            in_non_ascii = false;
            fallback.push(if matches!(c, '"' | '\\') { '_' } else { c });
        } else if !in_non_ascii {
            in_non_ascii = true;
            fallback.push('_');
        }
    }
    let encoded = utf8_percent_encode(name, NOT_ATTR_CHAR);
    format!("attachment; filename=\"{fallback}\"; filename*=UTF-8''{encoded}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keeps_ordinary_names() {
        assert_eq!(sanitize_name("报告.pdf", Kind::Pdf), "报告.pdf");
        assert_eq!(sanitize_name("Photo.JPEG", Kind::Jpeg), "Photo.JPEG");
        assert_eq!(sanitize_name("photo.jpg", Kind::Jpeg), "photo.jpg");
        assert_eq!(sanitize_name("data.txt", Kind::Csv), "data.txt");
        assert_eq!(
            sanitize_name("2024 年度  总结.docx", Kind::Docx),
            "2024 年度 总结.docx"
        );
    }

    #[test]
    fn forces_the_extension_of_the_content() {
        assert_eq!(sanitize_name("report.exe", Kind::Pdf), "report.exe.pdf");
        assert_eq!(sanitize_name("report.pdf", Kind::Text), "report.pdf.txt");
        assert_eq!(sanitize_name("table", Kind::Xlsx), "table.xlsx");
        assert_eq!(sanitize_name("page.html", Kind::Text), "page.html.txt");
    }

    #[test]
    fn hostile_names() {
        assert_eq!(sanitize_name("../../x", Kind::Pdf), "x.pdf");
        assert_eq!(sanitize_name("..\\..\\x", Kind::Pdf), "x.pdf");
        assert_eq!(
            sanitize_name("C:\\Users\\a\\evil.pdf", Kind::Pdf),
            "evil.pdf"
        );
        assert_eq!(sanitize_name("/etc/passwd", Kind::Text), "passwd.txt");
        assert_eq!(sanitize_name("a\0b.pdf", Kind::Pdf), "ab.pdf");
        assert_eq!(
            sanitize_name("a\r\nSet-Cookie: x.pdf", Kind::Pdf),
            "aSet-Cookie_ x.pdf"
        );
        assert_eq!(sanitize_name("\u{202E}fdp.exe", Kind::Pdf), "fdp.exe.pdf");
        assert_eq!(sanitize_name("a\u{2066}b\u{2069}.pdf", Kind::Pdf), "ab.pdf");
        assert_eq!(sanitize_name("CON.pdf", Kind::Pdf), "_CON.pdf");
        assert_eq!(sanitize_name("nul", Kind::Text), "_nul.txt");
        assert_eq!(sanitize_name("com1.tar.pdf", Kind::Pdf), "_com1.tar.pdf");
        assert_eq!(sanitize_name("console.pdf", Kind::Pdf), "console.pdf");
        assert_eq!(sanitize_name(".htaccess", Kind::Text), "htaccess.txt");
        assert_eq!(sanitize_name("", Kind::Pdf), "file.pdf");
        assert_eq!(sanitize_name("..", Kind::Pdf), "file.pdf");
        assert_eq!(sanitize_name("   ", Kind::Png), "file.png");
        assert_eq!(sanitize_name("name. . .", Kind::Png), "name.png");
        assert_eq!(
            sanitize_name("a\"b<c>d|e?f*.pdf", Kind::Pdf),
            "a_b_c_d_e_f_.pdf"
        );
    }

    #[test]
    fn long_names_keep_the_extension() {
        let long = format!("{}.pdf", "长".repeat(300));
        let s = sanitize_name(&long, Kind::Pdf);
        assert_eq!(s.chars().count(), MAX_NAME_CHARS);
        assert!(s.ends_with("长.pdf"));

        let long = "a".repeat(300);
        let s = sanitize_name(&long, Kind::Docx);
        assert_eq!(s.chars().count(), MAX_NAME_CHARS);
        assert!(s.ends_with("a.docx"));

        let long = format!("{}.exe", "b".repeat(300));
        let s = sanitize_name(&long, Kind::Pdf);
        assert_eq!(s.chars().count(), MAX_NAME_CHARS);
        assert!(s.ends_with(".pdf"));
    }

    #[test]
    fn sanitized_names_are_safe() {
        let hostile = [
            "../../x",
            "..\\..\\x",
            "a\0b.pdf",
            "a\r\nSet-Cookie: x.pdf",
            "\u{202E}fdp.exe",
            "CON.pdf",
            ".htaccess",
            "",
            "\u{0085}\u{009B}x",
        ];
        for h in hostile {
            for kind in Kind::ALL {
                let s = sanitize_name(h, kind);
                assert!(!s.is_empty());
                assert!(!s.starts_with('.'), "{s:?}");
                assert!(
                    !s.contains(['/', '\\', '"', '\0', '\r', '\n', '\u{202E}']),
                    "{s:?}"
                );
                assert!(!s.chars().any(char::is_control), "{s:?}");
                assert!(s.chars().count() <= MAX_NAME_CHARS);
                let ext = s.rsplit_once('.').map(|(_, e)| e).unwrap_or_default();
                assert!(kind.accepts_extension(ext), "{s:?} for {kind}");
            }
        }
    }

    #[test]
    fn content_disposition_forms() {
        assert_eq!(
            content_disposition("report.pdf"),
            "attachment; filename=\"report.pdf\"; filename*=UTF-8''report.pdf"
        );
        assert_eq!(
            content_disposition("年度 报告.pdf"),
            "attachment; filename=\"_ _.pdf\"; filename*=UTF-8''%E5%B9%B4%E5%BA%A6%20%E6%8A%A5%E5%91%8A.pdf"
        );
        assert_eq!(
            content_disposition(""),
            "attachment; filename=\"file\"; filename*=UTF-8''file"
        );
    }

    #[test]
    fn content_disposition_never_breaks_the_header() {
        for name in [
            "a\r\nSet-Cookie: x=1.pdf",
            "q\"uote\\.pdf",
            "x\"; filename=\"evil.exe",
            "\u{202E}fdp.exe",
            "tab\there",
            "% ' ; = ,.pdf",
        ] {
            let v = content_disposition(name);
            assert!(!v.contains(['\r', '\n', '\0', '\t', '\u{202E}']), "{v:?}");
            assert!(v.is_ascii(), "{v:?}");
            let rest = v
                .strip_prefix("attachment; filename=\"")
                .unwrap_or_default();
            let (fallback, encoded) = rest.split_once("\"; filename*=UTF-8''").unwrap_or_default();
            assert!(!fallback.contains(['"', '\\']), "{v:?}");
            assert!(
                encoded
                    .bytes()
                    .all(|b| b.is_ascii_alphanumeric() || b"!#$&+-.^_`|~%".contains(&b)),
                "{v:?}"
            );
        }
    }
}

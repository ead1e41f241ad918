//! Content sniffing: the type of a file is decided from its bytes, never from its name.
//!
//! Rules (kept deliberately simple):
//! - **PDF**: starts with `%PDF-` followed by a digit (the version, `%PDF-1.7`, `%PDF-2.0`).
//! - **PNG**: the 8-byte PNG signature. **JPEG**: `FF D8 FF`.
//! - **ZIP** (`PK\x03\x04`): only the office formats, decided in [`crate::Store::put`] from the
//!   central directory (see [`inspect_zip`]); [`sniff`] alone returns `None`.
//! - **Text**: after an optional UTF-8 BOM, valid UTF-8, or else valid GB18030 (GBK) with no byte
//!   that would need a replacement character; no NUL; other control characters (anything but
//!   TAB, LF, CR, FF) at most 1 % of the characters. Markup is refused, so that an HTML/SVG/XML
//!   page cannot pass as text: text whose first non-blank character is `<`, or whose first
//!   1024 bytes contain `<!doctype`, `<html`, `<head`, `<body`, `<script`, `<iframe`, `<svg`,
//!   `<?xml` (any case).
//! - **CSV**: text with at least 2 non-blank lines where, for one delimiter among `,` `;` TAB
//!   (tried in that order), the first line has ≥ 2 fields and *every* non-blank line looked at
//!   (up to 50, from the first 8 KiB; a possibly cut last line is ignored) has the same number
//!   of fields. Delimiters inside double quotes do not count; a quoted field spanning lines
//!   makes the file plain text (still accepted, just as `Text`).
//!
//! When a prefix is shorter than [`SNIFF_LEN`] it is taken to be the whole file; when it is
//! [`SNIFF_LEN`] or longer, it is taken to be cut (a multi-byte character or a line may be
//! incomplete at its end). `put` checks the encoding and control characters of the *whole* text
//! file as it streams, not only the prefix.

use std::io::{Read, Seek, SeekFrom};

use encoding_rs::{DecoderResult, GB18030, UTF_8};

use crate::kind::{Charset, Kind};

/// How many leading bytes are looked at to decide the type.
pub const SNIFF_LEN: usize = 8 * 1024;

/// Largest number of entries accepted in a docx/xlsx (real ones have a few dozen to a few
/// hundred); a huge central directory would otherwise cost memory to read.
const MAX_ZIP_ENTRIES: u64 = 10_000;

const PNG_SIG: &[u8] = b"\x89PNG\r\n\x1a\n";
const UTF8_BOM: &[u8] = b"\xEF\xBB\xBF";

/// Result of looking at the first bytes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Sniffed {
    /// An allowed kind; text kinds carry their encoding.
    Kind(Kind, Option<Charset>),
    /// A zip file: docx, xlsx or neither, decided by [`inspect_zip`].
    Zip,
    /// Not allowed; the label says what it looks like (for the error message).
    Rejected(&'static str),
}

/// Sniffs the type from a prefix of the content (give at least [`SNIFF_LEN`] bytes when the file
/// has them; a shorter prefix is taken to be the whole file).
///
/// Returns `None` for anything not allowed, and also for zip files: whether a zip is a docx or
/// an xlsx needs its central directory, which [`crate::Store::put`] reads.
pub fn sniff(prefix: &[u8]) -> Option<Kind> {
    match classify(prefix, prefix.len() >= SNIFF_LEN) {
        Sniffed::Kind(kind, _) => Some(kind),
        Sniffed::Zip | Sniffed::Rejected(_) => None,
    }
}

/// Classifies a prefix; `truncated` says whether more bytes follow.
pub(crate) fn classify(prefix: &[u8], truncated: bool) -> Sniffed {
    if prefix.is_empty() {
        return Sniffed::Rejected("empty");
    }
    if prefix.starts_with(b"%PDF-") && prefix.get(5).is_some_and(u8::is_ascii_digit) {
        return Sniffed::Kind(Kind::Pdf, None);
    }
    if prefix.starts_with(PNG_SIG) {
        return Sniffed::Kind(Kind::Png, None);
    }
    if prefix.starts_with(b"\xFF\xD8\xFF") {
        return Sniffed::Kind(Kind::Jpeg, None);
    }
    if prefix.starts_with(b"PK\x03\x04") {
        return Sniffed::Zip;
    }
    match classify_text(prefix, truncated) {
        Ok((kind, charset)) => Sniffed::Kind(kind, Some(charset)),
        Err(TextReject::Markup(label)) => Sniffed::Rejected(label),
        Err(TextReject::NotText) => Sniffed::Rejected(binary_label(prefix)),
    }
}

/// What a non-text, non-allowed file looks like (only used for the error message).
fn binary_label(p: &[u8]) -> &'static str {
    const SIGS: &[(&[u8], &str)] = &[
        (b"MZ", "exe"),
        (b"\x7FELF", "elf"),
        (b"\xCF\xFA\xED\xFE", "macho"),
        (b"\xCE\xFA\xED\xFE", "macho"),
        (b"\xCA\xFE\xBA\xBE", "macho"),
        (b"\xD0\xCF\x11\xE0\xA1\xB1\x1A\xE1", "ole"),
        (b"PK\x05\x06", "zip"),
        (b"PK\x07\x08", "zip"),
        (b"Rar!\x1A\x07", "rar"),
        (b"7z\xBC\xAF\x27\x1C", "7z"),
        (b"\x1F\x8B", "gzip"),
        (b"GIF87a", "gif"),
        (b"GIF89a", "gif"),
        (b"BM", "bmp"),
        (b"II*\x00", "tiff"),
        (b"MM\x00*", "tiff"),
        (b"%PDF", "pdf-invalid"),
        (b"\xFF\xFE", "utf-16"),
        (b"\xFE\xFF", "utf-16"),
    ];
    if p.len() >= 12 && p.starts_with(b"RIFF") && &p[8..12] == b"WEBP" {
        return "webp";
    }
    SIGS.iter()
        .find(|(sig, _)| p.starts_with(sig))
        .map_or("binary", |(_, label)| label)
}

enum TextReject {
    NotText,
    Markup(&'static str),
}

fn classify_text(prefix: &[u8], truncated: bool) -> Result<(Kind, Charset), TextReject> {
    let (body, bom) = match prefix.strip_prefix(UTF8_BOM) {
        Some(rest) => (rest, true),
        None => (prefix, false),
    };
    if body.contains(&0) {
        return Err(TextReject::NotText);
    }
    let (text, charset) = decode_prefix(body, truncated, bom).ok_or(TextReject::NotText)?;
    if !controls_ok(&text) {
        return Err(TextReject::NotText);
    }
    if let Some(label) = markup(&text) {
        return Err(TextReject::Markup(label));
    }
    let kind = if looks_like_csv(&text, truncated) {
        Kind::Csv
    } else {
        Kind::Text
    };
    Ok((kind, charset))
}

/// Decodes a prefix as UTF-8, or else (no BOM) as GB18030, without replacement characters.
fn decode_prefix(body: &[u8], truncated: bool, bom: bool) -> Option<(String, Charset)> {
    match std::str::from_utf8(body) {
        Ok(s) => return Some((s.to_owned(), Charset::Utf8)),
        // A multi-byte character cut at the end of the prefix.
        Err(e) if truncated && e.error_len().is_none() => {
            let valid = body.get(..e.valid_up_to())?;
            return std::str::from_utf8(valid)
                .ok()
                .map(|s| (s.to_owned(), Charset::Utf8));
        }
        Err(_) if bom => return None,
        Err(_) => {}
    }
    let mut decoder = GB18030.new_decoder_without_bom_handling();
    let mut out = String::with_capacity(
        decoder
            .max_utf8_buffer_length_without_replacement(body.len())
            .unwrap_or(body.len().saturating_mul(3)),
    );
    let (result, _read) = decoder.decode_to_string_without_replacement(body, &mut out, !truncated);
    match result {
        DecoderResult::InputEmpty => Some((out, Charset::Gb18030)),
        DecoderResult::OutputFull | DecoderResult::Malformed(..) => None,
    }
}

/// A control character that makes text look binary (TAB, LF, CR, FF are normal text).
fn is_bad_control(c: char) -> bool {
    c.is_control() && !matches!(c, '\t' | '\n' | '\r' | '\x0C')
}

fn controls_ok(text: &str) -> bool {
    let mut chars: u64 = 0;
    let mut bad: u64 = 0;
    for c in text.chars() {
        chars += 1;
        if c == '\0' {
            return false;
        }
        if is_bad_control(c) {
            bad += 1;
        }
    }
    bad.saturating_mul(100) <= chars
}

/// Markup that a browser could render (HTML, SVG, XML): refused even though it is text.
fn markup(text: &str) -> Option<&'static str> {
    let start = text.trim_start_matches(|c: char| c.is_whitespace() || c == '\u{FEFF}');
    let head: String = text
        .char_indices()
        .take_while(|(i, _)| *i < 1024)
        .map(|(_, c)| c.to_ascii_lowercase())
        .collect();
    if head.contains("<svg") {
        return Some("svg");
    }
    if start.starts_with("<?xml") {
        return Some("xml");
    }
    const TAGS: [&str; 7] = [
        "<!doctype",
        "<html",
        "<head",
        "<body",
        "<script",
        "<iframe",
        "<?xml",
    ];
    if start.starts_with('<') || TAGS.iter().any(|t| head.contains(t)) {
        return Some("html");
    }
    None
}

/// Number of fields in a line for a delimiter, not counting delimiters inside double quotes.
fn field_count(line: &str, delim: char) -> usize {
    let mut in_quotes = false;
    let mut n = 1;
    for c in line.chars() {
        if c == '"' {
            in_quotes = !in_quotes;
        } else if c == delim && !in_quotes {
            n += 1;
        }
    }
    n
}

fn looks_like_csv(text: &str, truncated: bool) -> bool {
    let mut lines: Vec<&str> = text.split('\n').collect();
    if truncated {
        // The last line may be cut in the middle.
        lines.pop();
    }
    let lines: Vec<&str> = lines
        .into_iter()
        .map(|l| l.strip_suffix('\r').unwrap_or(l))
        .filter(|l| !l.trim().is_empty())
        .take(50)
        .collect();
    let Some(first) = lines.first() else {
        return false;
    };
    if lines.len() < 2 {
        return false;
    }
    [',', ';', '\t'].into_iter().any(|d| {
        let n = field_count(first, d);
        n >= 2 && lines.iter().all(|l| field_count(l, d) == n)
    })
}

/// Streaming check of a whole text file: every byte must decode (no replacement), no NUL, and
/// at most 1 % bad control characters over the whole file.
pub(crate) struct TextCheck {
    decoder: encoding_rs::Decoder,
    buf: Vec<u8>,
    chars: u64,
    bad: u64,
}

impl TextCheck {
    pub(crate) fn new(charset: Charset) -> TextCheck {
        let decoder = match charset {
            Charset::Utf8 => UTF_8.new_decoder_with_bom_removal(),
            Charset::Gb18030 => GB18030.new_decoder_without_bom_handling(),
        };
        TextCheck {
            decoder,
            buf: vec![0; 16 * 1024],
            chars: 0,
            bad: 0,
        }
    }

    /// Feeds the next bytes; `Err` as soon as the content is not text.
    pub(crate) fn feed(&mut self, mut src: &[u8], last: bool) -> Result<(), ()> {
        loop {
            let (result, read, written) =
                self.decoder
                    .decode_to_utf8_without_replacement(src, &mut self.buf, last);
            let out = self.buf.get(..written).ok_or(())?;
            let text = std::str::from_utf8(out).map_err(|_| ())?;
            for c in text.chars() {
                self.chars += 1;
                if c == '\0' {
                    return Err(());
                }
                if is_bad_control(c) {
                    self.bad += 1;
                }
            }
            src = src.get(read..).ok_or(())?;
            match result {
                DecoderResult::InputEmpty => return Ok(()),
                DecoderResult::OutputFull => {}
                DecoderResult::Malformed(..) => return Err(()),
            }
        }
    }

    /// End of the file: checks a cut character at the end and the control-character ratio.
    pub(crate) fn finish(mut self) -> Result<(), ()> {
        self.feed(&[], true)?;
        if self.bad.saturating_mul(100) <= self.chars {
            Ok(())
        } else {
            Err(())
        }
    }
}

/// Decides whether a zip file (already complete on disk) is a docx or an xlsx, from the part
/// names in its central directory (nothing is decompressed):
/// `[Content_Types].xml` plus `word/document.xml` → docx, plus `xl/workbook.xml` → xlsx
/// (part names compared ignoring ASCII case, as OPC does). Refused: other zips (`zip`),
/// PowerPoint (`pptx`), macro-enabled files containing a `vbaProject.bin` (`docm`/`xlsm`),
/// both parts at once, more than 10 000 entries, or a broken archive.
pub(crate) fn inspect_zip<R: Read + Seek>(mut file: R) -> Result<Kind, &'static str> {
    if zip_entry_count(&mut file).map_err(|_| "zip")? > MAX_ZIP_ENTRIES {
        return Err("zip");
    }
    file.seek(SeekFrom::Start(0)).map_err(|_| "zip")?;
    let archive = zip::ZipArchive::new(file).map_err(|_| "zip")?;
    let has = |part: &str| {
        archive
            .file_names_raw()
            .any(|n| n.eq_ignore_ascii_case(part.as_bytes()))
    };
    let macros = archive
        .file_names_raw()
        .any(|n| n.to_ascii_lowercase().ends_with(b"vbaproject.bin"));
    if !has("[Content_Types].xml") {
        return Err("zip");
    }
    match (has("word/document.xml"), has("xl/workbook.xml")) {
        (true, true) => Err("zip"),
        (true, false) if macros => Err("docm"),
        (true, false) => Ok(Kind::Docx),
        (false, true) if macros => Err("xlsm"),
        (false, true) => Ok(Kind::Xlsx),
        (false, false) if has("ppt/presentation.xml") => Err("pptx"),
        (false, false) => Err("zip"),
    }
}

/// Total number of entries from the end-of-central-directory record (`u64::MAX` for zip64,
/// which an office file never needs at the sizes accepted here).
fn zip_entry_count<R: Read + Seek>(file: &mut R) -> std::io::Result<u64> {
    const EOCD_SIG: &[u8] = b"PK\x05\x06";
    const EOCD_LEN: u64 = 22;
    let len = file.seek(SeekFrom::End(0))?;
    let tail_len = len.min(EOCD_LEN + u64::from(u16::MAX));
    file.seek(SeekFrom::Start(len - tail_len))?;
    let mut tail = Vec::new();
    file.take(tail_len).read_to_end(&mut tail)?;
    let pos = tail
        .windows(EOCD_SIG.len())
        .rposition(|w| w == EOCD_SIG)
        .ok_or_else(|| std::io::Error::other("no end of central directory"))?;
    let count = tail
        .get(pos + 10..pos + 12)
        .ok_or_else(|| std::io::Error::other("short end of central directory"))?;
    let count = u16::from_le_bytes([count[0], count[1]]);
    Ok(if count == u16::MAX {
        u64::MAX
    } else {
        u64::from(count)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn signatures() {
        assert_eq!(sniff(b"%PDF-1.7\n%\xE2\xE3\xCF\xD3\n"), Some(Kind::Pdf));
        assert_eq!(sniff(b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR"), Some(Kind::Png));
        assert_eq!(sniff(b"\xFF\xD8\xFF\xE0\0\x10JFIF\0"), Some(Kind::Jpeg));
        assert_eq!(sniff(b"PK\x03\x04\x14\0\0\0"), None);
        assert_eq!(classify(b"PK\x03\x04\x14\0\0\0", false), Sniffed::Zip);
        assert_eq!(
            classify(b"MZ\x90\0\x03\0\0\0", false),
            Sniffed::Rejected("exe")
        );
        assert_eq!(
            classify(b"\xD0\xCF\x11\xE0\xA1\xB1\x1A\xE1\0\0", false),
            Sniffed::Rejected("ole")
        );
        assert_eq!(classify(b"", false), Sniffed::Rejected("empty"));
    }

    #[test]
    fn text_starting_like_a_signature_is_text() {
        // "MZ" and "%PDF" without a version are just letters when the rest is text.
        assert_eq!(sniff(b"MZ notes about the meeting\n"), Some(Kind::Text));
        assert_eq!(sniff(b"%PDF- is not a version\n"), Some(Kind::Text));
    }

    #[test]
    fn text_and_csv() {
        assert_eq!(sniff("会议纪要\n第二行\n".as_bytes()), Some(Kind::Text));
        assert_eq!(sniff(b"a,b,c\n1,2,3\n4,5,6\n"), Some(Kind::Csv));
        assert_eq!(sniff(b"a;b\r\n1;2\r\n"), Some(Kind::Csv));
        assert_eq!(sniff(b"a\tb\n1\t2"), Some(Kind::Csv));
        assert_eq!(sniff(b"name,note\n\"x, y\",z\n"), Some(Kind::Csv));
        // Prose with a comma on one line only is text.
        assert_eq!(sniff(b"Hello, world\nBye now\n"), Some(Kind::Text));
        // One line is not enough for CSV.
        assert_eq!(sniff(b"a,b,c\n"), Some(Kind::Text));
        let (gbk, _, _) = encoding_rs::GBK.encode("学会,任务\n中国科协,完成\n");
        assert_eq!(
            classify(&gbk, false),
            Sniffed::Kind(Kind::Csv, Some(Charset::Gb18030))
        );
    }

    #[test]
    fn markup_and_binary_are_refused() {
        assert_eq!(
            classify(b"  <!DOCTYPE html><html><body>x</body></html>", false),
            Sniffed::Rejected("html")
        );
        assert_eq!(
            classify(b"hello\n<script>alert(1)</script>", false),
            Sniffed::Rejected("html")
        );
        assert_eq!(
            classify(b"<svg xmlns='http://www.w3.org/2000/svg'/>", false),
            Sniffed::Rejected("svg")
        );
        assert_eq!(classify(b"abc\0def", false), Sniffed::Rejected("binary"));
        assert_eq!(
            classify(b"\x01\x02\x03\x04 mostly controls", false),
            Sniffed::Rejected("binary")
        );
        // BOM then invalid UTF-8: not GB18030 either.
        assert_eq!(
            classify(b"\xEF\xBB\xBFab\xFF", false),
            Sniffed::Rejected("binary")
        );
    }

    #[test]
    fn cut_utf8_character_at_end_of_a_long_prefix() {
        let mut p = "中".repeat(SNIFF_LEN / 3 + 1).into_bytes();
        p.truncate(SNIFF_LEN + 1); // ends in the middle of a character
        assert_eq!(sniff(&p), Some(Kind::Text));
        // A short prefix is the whole file: a cut character there is not text (neither UTF-8
        // nor GB18030, where a lone lead byte is malformed too).
        assert_eq!(sniff(b"abc\xE4"), None);
    }

    #[test]
    fn text_check_streams() {
        let text = "第一行,1\n第二行,2\n".repeat(1000);
        let bytes = text.as_bytes();
        let mut check = TextCheck::new(Charset::Utf8);
        for chunk in bytes.chunks(7) {
            assert!(check.feed(chunk, false).is_ok());
        }
        assert!(check.finish().is_ok());

        let mut check = TextCheck::new(Charset::Utf8);
        assert!(check.feed(b"fine text ", false).is_ok());
        assert!(check.feed(b"then \xFF", false).is_err());

        let mut check = TextCheck::new(Charset::Utf8);
        assert!(check.feed(b"ends in a cut char \xE4\xB8", false).is_ok());
        assert!(check.finish().is_err());
    }
}

//! Content sniffing: what kind of file was uploaded, whatever its name says.

use std::io::{Cursor, Read};

use crate::{Format, TabularError, decode_text};

/// What the raw bytes are, before any text decoding.
pub(crate) enum Kind {
    /// A zip archive with `xl/workbook.xml`.
    Xlsx,
    /// Not a known binary format: candidate text, still to be decoded.
    Text,
}

/// Detects the format from the content: a zip archive containing
/// `xl/workbook.xml` is [`Format::Xlsx`]; text that decodes as UTF-8 or GB18030
/// and is not HTML/XML is [`Format::Csv`]; anything else (PDF, images, other
/// archives, Excel 97-2003 `.xls`, …) is `None`. [`crate::read_table`] reports
/// the precise reason for a `None`.
pub fn detect_format(file_name: &str, bytes: &[u8]) -> Option<Format> {
    match classify(file_name, bytes).ok()? {
        Kind::Xlsx => Some(Format::Xlsx),
        Kind::Text => {
            let (text, _) = decode_text(bytes).ok()?;
            check_text(&text).ok()?;
            Some(Format::Csv)
        }
    }
}

/// Classifies raw bytes by their magic numbers.
pub(crate) fn classify(file_name: &str, bytes: &[u8]) -> Result<Kind, TabularError> {
    if bytes.is_empty() {
        return Err(TabularError::Empty);
    }
    if bytes.starts_with(b"\xD0\xCF\x11\xE0") {
        return Err(TabularError::LegacyXls);
    }
    if bytes.starts_with(b"PK\x03\x04") || bytes.starts_with(b"PK\x05\x06") {
        return classify_zip(file_name, bytes);
    }
    const MAGIC: &[(&[u8], &str)] = &[
        (b"%PDF", "PDF"),
        (b"\x89PNG", "PNG"),
        (b"\xFF\xD8\xFF", "JPEG"),
        (b"GIF87a", "GIF"),
        (b"GIF89a", "GIF"),
        (b"Rar!\x1A\x07", "RAR"),
        (b"7z\xBC\xAF\x27\x1C", "7Z"),
        (b"\x1F\x8B", "GZIP"),
        (b"PK", "ZIP"),
        (b"\xFF\xFE", "UTF-16"),
        (b"\xFE\xFF", "UTF-16"),
    ];
    if let Some((_, hint)) = MAGIC.iter().find(|(magic, _)| bytes.starts_with(magic)) {
        return Err(TabularError::UnsupportedFormat { hint });
    }
    // Text never contains NUL; UTF-16 without BOM and most binaries do.
    if bytes.iter().take(64 * 1024).any(|&b| b == 0) {
        return Err(TabularError::UnsupportedFormat { hint: "binary" });
    }
    Ok(Kind::Text)
}

/// Rejects decoded text that is really a binary file, or HTML/XML saved with a
/// spreadsheet extension (a common export of older web systems).
pub(crate) fn check_text(text: &str) -> Result<(), TabularError> {
    let mut total = 0usize;
    let mut controls = 0usize;
    for c in text.chars().take(64 * 1024) {
        total += 1;
        if c.is_control() && !matches!(c, '\t' | '\n' | '\r' | '\x0B' | '\x0C' | '\x1A') {
            controls += 1;
        }
    }
    if controls > 0 && controls * 100 >= total {
        return Err(TabularError::UnsupportedFormat { hint: "binary" });
    }
    let start: String = text
        .trim_start()
        .chars()
        .take(16)
        .flat_map(char::to_lowercase)
        .collect();
    if [
        "<!doctype html",
        "<html",
        "<table",
        "<head",
        "<body",
        "<meta",
    ]
    .iter()
    .any(|tag| start.starts_with(tag))
    {
        return Err(TabularError::UnsupportedFormat { hint: "HTML" });
    }
    if start.starts_with("<?xml") {
        return Err(TabularError::UnsupportedFormat { hint: "XML" });
    }
    Ok(())
}

fn classify_zip(file_name: &str, bytes: &[u8]) -> Result<Kind, TabularError> {
    let mut archive = match zip::ZipArchive::new(Cursor::new(bytes)) {
        Ok(archive) => archive,
        Err(err) => {
            let lower = file_name.to_ascii_lowercase();
            return Err(if lower.ends_with(".xlsx") || lower.ends_with(".xlsm") {
                TabularError::Xlsx {
                    message: format!("damaged zip archive: {err}"),
                }
            } else {
                TabularError::UnsupportedFormat { hint: "ZIP" }
            });
        }
    };
    let has = |name: &str| archive.index_for_name(name).is_some();
    if has("xl/workbook.xml") {
        return Ok(Kind::Xlsx);
    }
    let hint = if has("xl/workbook.bin") {
        "XLSB"
    } else if has("word/document.xml") {
        "DOCX"
    } else if has("ppt/presentation.xml") {
        "PPTX"
    } else if is_ods(&mut archive) {
        "ODS"
    } else {
        "ZIP"
    };
    Err(TabularError::UnsupportedFormat { hint })
}

/// An OpenDocument spreadsheet names its type in a small `mimetype` entry.
fn is_ods(archive: &mut zip::ZipArchive<Cursor<&[u8]>>) -> bool {
    let Ok(entry) = archive.by_name("mimetype") else {
        return false;
    };
    if entry.size() > 256 {
        return false;
    }
    let mut mimetype = String::new();
    entry.take(256).read_to_string(&mut mimetype).is_ok()
        && mimetype.contains("opendocument.spreadsheet")
}

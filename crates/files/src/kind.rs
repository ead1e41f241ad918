//! The allowed evidence file types and their text encodings.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

/// An allowed evidence file type, decided from the content (never from the name).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Kind {
    Pdf,
    Png,
    Jpeg,
    Docx,
    Xlsx,
    Csv,
    Text,
}

impl Kind {
    /// Every allowed kind, in display order.
    pub const ALL: [Kind; 7] = [
        Kind::Pdf,
        Kind::Png,
        Kind::Jpeg,
        Kind::Docx,
        Kind::Xlsx,
        Kind::Csv,
        Kind::Text,
    ];

    /// Stable identifier (same as the serde form): `pdf`, `png`, `jpeg`, `docx`, `xlsx`, `csv`, `text`.
    pub fn as_str(self) -> &'static str {
        match self {
            Kind::Pdf => "pdf",
            Kind::Png => "png",
            Kind::Jpeg => "jpeg",
            Kind::Docx => "docx",
            Kind::Xlsx => "xlsx",
            Kind::Csv => "csv",
            Kind::Text => "text",
        }
    }

    /// MIME type for `Content-Type`. Text kinds say UTF-8; for a text file stored in GB18030
    /// use [`Kind::mime_for`] with the [`Charset`] recorded in [`crate::Stored`].
    pub fn mime(self) -> &'static str {
        self.mime_for(None)
    }

    /// MIME type with the right `charset` for text kinds (`None` = UTF-8). Non-text kinds ignore it.
    pub fn mime_for(self, charset: Option<Charset>) -> &'static str {
        match (self, charset) {
            (Kind::Pdf, _) => "application/pdf",
            (Kind::Png, _) => "image/png",
            (Kind::Jpeg, _) => "image/jpeg",
            (Kind::Docx, _) => {
                "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
            }
            (Kind::Xlsx, _) => "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            (Kind::Csv, Some(Charset::Gb18030)) => "text/csv; charset=gb18030",
            (Kind::Csv, _) => "text/csv; charset=utf-8",
            (Kind::Text, Some(Charset::Gb18030)) => "text/plain; charset=gb18030",
            (Kind::Text, _) => "text/plain; charset=utf-8",
        }
    }

    /// The canonical file extension, without the dot.
    pub fn extension(self) -> &'static str {
        match self {
            Kind::Pdf => "pdf",
            Kind::Png => "png",
            Kind::Jpeg => "jpg",
            Kind::Docx => "docx",
            Kind::Xlsx => "xlsx",
            Kind::Csv => "csv",
            Kind::Text => "txt",
        }
    }

    /// Whether an existing extension (without the dot, any case) is acceptable for this kind,
    /// so that `sanitize_name` keeps it instead of appending the canonical one.
    pub(crate) fn accepts_extension(self, ext: &str) -> bool {
        let ok: &[&str] = match self {
            Kind::Pdf => &["pdf"],
            Kind::Png => &["png"],
            Kind::Jpeg => &["jpg", "jpeg"],
            Kind::Docx => &["docx"],
            Kind::Xlsx => &["xlsx"],
            Kind::Csv => &["csv", "txt"],
            Kind::Text => &["txt", "text", "log", "md", "csv"],
        };
        ok.iter().any(|e| e.eq_ignore_ascii_case(ext))
    }

    /// True for the kinds that are text (`Csv`, `Text`).
    pub fn is_text(self) -> bool {
        matches!(self, Kind::Csv | Kind::Text)
    }
}

impl fmt::Display for Kind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Error of `Kind::from_str` and `Charset::from_str`.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("unknown file kind or charset: {0}")]
pub struct UnknownKind(pub String);

impl FromStr for Kind {
    type Err = UnknownKind;

    /// Parses the identifier written by [`Kind::as_str`] (e.g. read back from the database).
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Kind::ALL
            .into_iter()
            .find(|k| k.as_str() == s)
            .ok_or_else(|| UnknownKind(s.to_owned()))
    }
}

/// Encoding of a text (`Csv`/`Text`) file. The bytes are stored unchanged (so the SHA-256 is the
/// one of the uploaded file, and a GBK CSV still opens correctly in Excel on Chinese Windows).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum Charset {
    /// UTF-8 (with or without BOM); plain ASCII counts as UTF-8.
    #[serde(rename = "utf-8")]
    Utf8,
    /// GB18030 (a superset of GBK and GB2312).
    #[serde(rename = "gb18030")]
    Gb18030,
}

impl Charset {
    /// `utf-8` or `gb18030` (the serde form, also valid as a MIME charset).
    pub fn as_str(self) -> &'static str {
        match self {
            Charset::Utf8 => "utf-8",
            Charset::Gb18030 => "gb18030",
        }
    }
}

impl fmt::Display for Charset {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for Charset {
    type Err = UnknownKind;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s {
            "utf-8" => Ok(Charset::Utf8),
            "gb18030" => Ok(Charset::Gb18030),
            _ => Err(UnknownKind(s.to_owned())),
        }
    }
}

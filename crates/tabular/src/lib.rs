//! Safe reading of uploaded spreadsheets into rows of strings.
//!
//! The input is an upload held in memory: a CSV file (UTF-8 with or without BOM,
//! or GBK/GB18030 as written by Chinese Excel) or an `.xlsx` workbook. The format
//! is decided by the content, not the file name. Every step is bounded by
//! [`Limits`]: input size, rows, columns, cell length and, for `.xlsx`, the
//! uncompressed size and compression ratio of the zip archive (zip bomb guard).
//!
//! ```
//! use reformwatch_tabular::{read_table, Limits};
//!
//! let table = read_table("学会.csv", "代码,名称\nA01,中国数学会\n".as_bytes(), &Limits::default())?;
//! assert_eq!(table.headers, ["代码", "名称"]);
//! assert_eq!(table.rows[0].line, 2);
//! assert_eq!(table.column(&["code", "代码"]), Some(0));
//! # Ok::<(), reformwatch_tabular::TabularError>(())
//! ```

mod csv_text;
mod detect;
mod error;
mod xlsx;

pub use detect::detect_format;
pub use error::{TabularError, column_letters};

/// A sheet read into strings: the header row and the non-blank data rows.
///
/// The table is rectangular: `headers` and every `Row::cells` have the same
/// length, the index of the rightmost column holding any non-empty cell, plus
/// one. A header cell may be `""` when a column has data but no name.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Table {
    /// Header names, trimmed.
    pub headers: Vec<String>,
    /// Data rows in file order; fully empty rows are left out.
    pub rows: Vec<Row>,
}

/// One data row.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Row {
    /// 1-based row number as the user sees it in Excel or a text editor (a header
    /// on the first line is 1). For CSV it is the line on which the record starts,
    /// so a quoted cell spanning several lines moves the numbers of the rows after it.
    pub line: usize,
    /// Cell texts, trimmed, one per header.
    pub cells: Vec<String>,
}

/// The kind of spreadsheet detected from the content.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Format {
    /// Delimited text (comma, semicolon or tab).
    Csv,
    /// An Office Open XML workbook (`.xlsx`, `.xlsm`).
    Xlsx,
}

/// The text encoding a CSV file was decoded from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Encoding {
    /// UTF-8 without a byte order mark.
    Utf8,
    /// UTF-8 with a byte order mark (Excel's "CSV UTF-8").
    Utf8Bom,
    /// GB18030, a superset of GBK and GB2312 (Chinese Excel's plain "CSV").
    Gb18030,
}

/// Bounds on what an upload may contain.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limits {
    /// Maximum size of the upload in bytes.
    pub max_bytes: usize,
    /// Maximum number of data rows (the header and blank rows not counted).
    pub max_rows: usize,
    /// Maximum number of columns (a non-empty cell beyond it is an error).
    pub max_columns: usize,
    /// Maximum number of characters in one cell.
    pub max_cell_chars: usize,
    /// `.xlsx` only: maximum total uncompressed size of the zip entries, which
    /// also bounds the total text of the cells read.
    pub max_uncompressed_bytes: u64,
    /// `.xlsx` only: maximum uncompressed/compressed ratio of one zip entry
    /// (checked for entries larger than 1 MiB once uncompressed).
    pub max_compression_ratio: u64,
}

impl Default for Limits {
    fn default() -> Self {
        Self {
            max_bytes: 10 * 1024 * 1024,
            max_rows: 20_000,
            max_columns: 100,
            max_cell_chars: 10_000,
            max_uncompressed_bytes: 100 * 1024 * 1024,
            max_compression_ratio: 100,
        }
    }
}

impl Table {
    /// The index of the first header equal to any of `name_aliases`, comparing
    /// trimmed text and ignoring ASCII case (e.g. `&["code", "代码", "学会代码"]`).
    pub fn column(&self, name_aliases: &[&str]) -> Option<usize> {
        self.headers.iter().position(|header| {
            name_aliases
                .iter()
                .any(|alias| header.eq_ignore_ascii_case(alias.trim()))
        })
    }
}

/// Decodes CSV bytes: UTF-8 (a BOM is stripped) or else GB18030/GBK.
///
/// Fails with [`TabularError::Encoding`] when the bytes are valid in neither, and
/// with [`TabularError::UnsupportedFormat`] for UTF-16 text (which has a BOM).
pub fn decode_text(bytes: &[u8]) -> Result<(String, Encoding), TabularError> {
    if let Some(rest) = bytes.strip_prefix(b"\xEF\xBB\xBF") {
        return match std::str::from_utf8(rest) {
            Ok(text) => Ok((text.to_owned(), Encoding::Utf8Bom)),
            Err(_) => Err(TabularError::Encoding),
        };
    }
    if bytes.starts_with(b"\xFF\xFE") || bytes.starts_with(b"\xFE\xFF") {
        return Err(TabularError::UnsupportedFormat { hint: "UTF-16" });
    }
    if let Ok(text) = std::str::from_utf8(bytes) {
        return Ok((text.to_owned(), Encoding::Utf8));
    }
    encoding_rs::GB18030
        .decode_without_bom_handling_and_without_replacement(bytes)
        .map(|text| (text.into_owned(), Encoding::Gb18030))
        .ok_or(TabularError::Encoding)
}

/// Reads an uploaded spreadsheet (CSV or `.xlsx`, decided by content) into a [`Table`].
///
/// The first non-blank row is the header; header names must be unique. Cells are
/// trimmed, fully empty rows are skipped, and empty trailing columns are dropped.
/// `file_name` only refines the error for content that is not a spreadsheet.
pub fn read_table(file_name: &str, bytes: &[u8], limits: &Limits) -> Result<Table, TabularError> {
    if bytes.len() > limits.max_bytes {
        return Err(TabularError::TooLarge {
            limit: limits.max_bytes,
        });
    }
    if bytes.is_empty() {
        return Err(TabularError::Empty);
    }
    match detect::classify(file_name, bytes)? {
        detect::Kind::Text => {
            let (text, _) = decode_text(bytes)?;
            detect::check_text(&text)?;
            csv_text::read(&text, limits)
        }
        detect::Kind::Xlsx => xlsx::read(bytes, limits),
    }
}

/// Collects sparse non-empty rows into a [`Table`]: the first row is the header,
/// the width is the rightmost non-empty column, duplicate headers are rejected.
///
/// Every row must already have its trailing empty cells removed and must not be
/// entirely empty.
pub(crate) fn build_table(mut rows: Vec<Row>) -> Result<Table, TabularError> {
    let width = rows.iter().map(|row| row.cells.len()).max().unwrap_or(0);
    if rows.is_empty() || width == 0 {
        return Err(TabularError::Empty);
    }
    for row in &mut rows {
        row.cells.resize(width, String::new());
    }
    let headers = rows.remove(0).cells;
    for (index, name) in headers.iter().enumerate() {
        if name.is_empty() {
            continue;
        }
        if headers[..index]
            .iter()
            .any(|earlier| earlier.eq_ignore_ascii_case(name))
        {
            return Err(TabularError::DuplicateHeader { name: name.clone() });
        }
    }
    Ok(Table { headers, rows })
}

/// Removes trailing empty cells; returns whether any cell is left.
pub(crate) fn trim_trailing_empty(cells: &mut Vec<String>) -> bool {
    while cells.last().is_some_and(String::is_empty) {
        cells.pop();
    }
    !cells.is_empty()
}

/// Checks one trimmed cell against `max_cell_chars`.
pub(crate) fn check_cell_len(
    text: &str,
    line: usize,
    column: usize,
    limits: &Limits,
) -> Result<(), TabularError> {
    // A string never has more chars than bytes, so only long ones need counting.
    if text.len() > limits.max_cell_chars && text.chars().count() > limits.max_cell_chars {
        return Err(TabularError::CellTooLong { line, column });
    }
    Ok(())
}

//! `.xlsx` bytes → [`Table`], with a zip bomb guard in front of calamine.

use std::collections::BTreeMap;
use std::io::Cursor;
use std::panic::{AssertUnwindSafe, catch_unwind};

use calamine::{DataRef, ExcelDateTime, Reader, SheetType, SheetVisible, Xlsx};

use crate::error::column_letters;
use crate::{Limits, Row, Table, TabularError, build_table, check_cell_len, trim_trailing_empty};

/// Entries up to this uncompressed size are harmless whatever their ratio
/// (small XML parts of a real workbook often compress more than 100:1).
const RATIO_CHECK_MIN_BYTES: u64 = 1024 * 1024;
/// A real workbook has a few dozen parts; many thousands means abuse.
const MAX_ZIP_ENTRIES: usize = 10_000;

/// Reads the first worksheet of an `.xlsx` workbook.
pub(crate) fn read(bytes: &[u8], limits: &Limits) -> Result<Table, TabularError> {
    check_zip(bytes, limits)?;
    // calamine is a large parser of untrusted input: turn any panic in it into an
    // error for this upload rather than a crashed request.
    match catch_unwind(AssertUnwindSafe(|| read_first_sheet(bytes, limits))) {
        Ok(result) => result,
        Err(_) => Err(TabularError::Xlsx {
            message: "the workbook could not be parsed".to_owned(),
        }),
    }
}

/// Enforces the limits on the zip central directory before anything is inflated.
///
/// The zip crate fails a read as soon as an entry inflates past the size declared
/// in the central directory, so the declared sizes checked here bound the real ones.
fn check_zip(bytes: &[u8], limits: &Limits) -> Result<(), TabularError> {
    let archive = zip::ZipArchive::new(Cursor::new(bytes)).map_err(|err| TabularError::Xlsx {
        message: format!("damaged zip archive: {err}"),
    })?;
    if archive.len() > MAX_ZIP_ENTRIES {
        return Err(TabularError::ZipBomb);
    }
    let mut total: u64 = 0;
    for index in 0..archive.len() {
        let entry = archive
            .by_index_data(index)
            .map_err(|err| TabularError::Xlsx {
                message: format!("damaged zip archive: {err}"),
            })?;
        let size = entry.size();
        total = total.saturating_add(size);
        if total > limits.max_uncompressed_bytes {
            return Err(TabularError::ZipBomb);
        }
        if size > RATIO_CHECK_MIN_BYTES {
            let compressed = entry.compressed_size().max(1);
            if size / compressed > limits.max_compression_ratio {
                return Err(TabularError::ZipBomb);
            }
        }
    }
    Ok(())
}

fn xlsx_error(err: impl std::fmt::Display) -> TabularError {
    TabularError::Xlsx {
        message: err.to_string(),
    }
}

fn read_first_sheet(bytes: &[u8], limits: &Limits) -> Result<Table, TabularError> {
    let mut workbook = Xlsx::new(Cursor::new(bytes)).map_err(xlsx_error)?;
    let worksheets: Vec<_> = workbook
        .sheets_metadata()
        .iter()
        .filter(|sheet| sheet.typ == SheetType::WorkSheet)
        .collect();
    // The first worksheet the user can see; a hidden one only if all are hidden.
    let name = worksheets
        .iter()
        .find(|sheet| sheet.visible == SheetVisible::Visible)
        .or_else(|| worksheets.first())
        .map(|sheet| sheet.name.clone())
        .ok_or_else(|| TabularError::Xlsx {
            message: "the workbook has no worksheet".to_owned(),
        })?;

    // Cells are streamed and kept sparse, so a stray cell at XFD1048576 costs
    // nothing; calamine's dense `Range` would allocate rows × columns cells.
    let mut reader = workbook.worksheet_cells_reader(&name).map_err(xlsx_error)?;
    let mut sparse: BTreeMap<u32, Vec<(u32, String)>> = BTreeMap::new();
    let mut total_bytes: u64 = 0;
    while let Some(cell) = reader.next_cell().map_err(xlsx_error)? {
        let (row, col) = cell.get_position();
        let line = row as usize + 1;
        let column = col as usize + 1;
        let text = cell_text(cell.get_value(), line, column)?;
        if text.is_empty() {
            continue;
        }
        if column > limits.max_columns {
            return Err(TabularError::TooManyColumns {
                limit: limits.max_columns,
            });
        }
        check_cell_len(&text, line, column, limits)?;
        // Shared strings can repeat one long text in many cells: bound the output too.
        total_bytes = total_bytes.saturating_add(text.len() as u64);
        if total_bytes > limits.max_uncompressed_bytes {
            return Err(TabularError::ZipBomb);
        }
        if !sparse.contains_key(&row) && sparse.len() > limits.max_rows {
            return Err(TabularError::TooManyRows {
                limit: limits.max_rows,
            });
        }
        sparse.entry(row).or_default().push((col, text));
    }

    let rows = sparse
        .into_iter()
        .filter_map(|(row, mut cells)| {
            cells.sort_by_key(|&(col, _)| col);
            let width = cells.last().map_or(0, |&(col, _)| col as usize + 1);
            let mut dense = vec![String::new(); width];
            for (col, text) in cells {
                dense[col as usize] = text;
            }
            trim_trailing_empty(&mut dense).then_some(Row {
                line: row as usize + 1,
                cells: dense,
            })
        })
        .collect();
    build_table(rows)
}

/// The trimmed text of one cell.
fn cell_text(value: &DataRef<'_>, line: usize, column: usize) -> Result<String, TabularError> {
    Ok(match value {
        DataRef::Empty => String::new(),
        DataRef::String(text) => text.trim().to_owned(),
        DataRef::SharedString(text) => text.trim().to_owned(),
        DataRef::Int(value) => value.to_string(),
        DataRef::Float(value) => format_number(*value),
        DataRef::Bool(value) => value.to_string(),
        DataRef::DateTime(value) => format_datetime(value),
        DataRef::DateTimeIso(text) => {
            let text = text.trim();
            text.strip_suffix("T00:00:00")
                .unwrap_or(text)
                .replacen('T', " ", 1)
        }
        DataRef::DurationIso(text) => text.trim().to_owned(),
        DataRef::Error(_) => {
            return Err(TabularError::CellError {
                cell: format!("{}{line}", column_letters(column)),
            });
        }
    })
}

/// A number as Excel shows it in a General cell: integers without ".0", others
/// rounded to Excel's 15 significant digits without trailing zeros.
pub(crate) fn format_number(value: f64) -> String {
    if !value.is_finite() {
        return value.to_string();
    }
    if value.fract() == 0.0 {
        if value.abs() < 9.0e15 {
            // Exact: the value is an integer well inside i64's range.
            return (value as i64).to_string();
        }
        return format!("{value:.0}");
    }
    let magnitude = value.abs().log10().floor();
    // 15 significant digits; |value| < 2^53 here, so magnitude ≤ 15.
    let decimals = (14.0 - magnitude).clamp(0.0, 340.0) as usize;
    let text = format!("{value:.decimals$}");
    let text = if text.contains('.') {
        text.trim_end_matches('0').trim_end_matches('.')
    } else {
        &text
    };
    if text == "-0" {
        "0".to_owned()
    } else {
        text.to_owned()
    }
}

/// A date cell as `YYYY-MM-DD`; with a time of day `YYYY-MM-DD HH:MM:SS`; a pure
/// time (serial below 1) as `HH:MM:SS`; a duration as hours `H:MM:SS`.
fn format_datetime(value: &ExcelDateTime) -> String {
    let serial = value.as_f64();
    if value.is_duration() {
        let total = (serial * 86_400.0).round();
        let sign = if total < 0.0 { "-" } else { "" };
        let total = total.abs() as u64;
        return format!(
            "{sign}{}:{:02}:{:02}",
            total / 3600,
            total / 60 % 60,
            total % 60
        );
    }
    let (year, month, day, hour, minute, second, _) = value.to_ymd_hms_milli();
    if (0.0..1.0).contains(&serial) {
        format!("{hour:02}:{minute:02}:{second:02}")
    } else if (hour, minute, second) == (0, 0, 0) {
        format!("{year:04}-{month:02}-{day:02}")
    } else {
        format!("{year:04}-{month:02}-{day:02} {hour:02}:{minute:02}:{second:02}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use calamine::ExcelDateTimeType;

    #[test]
    fn numbers_format_like_excel() {
        assert_eq!(format_number(42.0), "42");
        assert_eq!(format_number(-7.0), "-7");
        assert_eq!(format_number(0.0), "0");
        assert_eq!(format_number(-0.0), "0");
        assert_eq!(format_number(3.25), "3.25");
        assert_eq!(format_number(0.1 + 0.2), "0.3");
        assert_eq!(format_number(123.456), "123.456");
        assert_eq!(format_number(-0.000_012_5), "-0.0000125");
        assert_eq!(format_number(1e20), "100000000000000000000");
        assert_eq!(format_number(12_345_678_901.5), "12345678901.5");
        assert_eq!(format_number(f64::NAN), "NaN");
    }

    #[test]
    fn dates_format_as_iso() {
        let date = |serial| ExcelDateTime::new(serial, ExcelDateTimeType::DateTime, false);
        assert_eq!(format_datetime(&date(45_306.0)), "2024-01-15");
        assert_eq!(format_datetime(&date(45_306.5)), "2024-01-15 12:00:00");
        assert_eq!(format_datetime(&date(0.75)), "18:00:00");
        let date_1904 = ExcelDateTime::new(43_844.0, ExcelDateTimeType::DateTime, true);
        assert_eq!(format_datetime(&date_1904), "2024-01-15");
        let duration = ExcelDateTime::new(1.5, ExcelDateTimeType::TimeDelta, false);
        assert_eq!(format_datetime(&duration), "36:00:00");
    }
}

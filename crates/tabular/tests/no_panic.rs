//! Property tests: no input makes `read_table` panic, and every table it returns
//! is well formed.

use std::sync::LazyLock;

use proptest::prelude::*;
use reformwatch_tabular::{Limits, Table, detect_format, read_table};
use rust_xlsxwriter::Workbook;

/// A small real workbook to mutate.
static WORKBOOK: LazyLock<Vec<u8>> = LazyLock::new(|| {
    let write = || -> Result<Vec<u8>, rust_xlsxwriter::XlsxError> {
        let mut workbook = Workbook::new();
        let sheet = workbook.add_worksheet();
        sheet.write_string(0, 0, "代码")?;
        sheet.write_string(0, 1, "名称")?;
        sheet.write_string(1, 0, "A01")?;
        sheet.write_number(1, 1, 3.5)?;
        sheet.write_string(3, 1, "中国数学会")?;
        workbook.save_to_buffer()
    };
    write().unwrap_or_default()
});

fn small_limits() -> Limits {
    Limits {
        max_bytes: 64 * 1024,
        max_rows: 50,
        max_columns: 20,
        max_cell_chars: 200,
        max_uncompressed_bytes: 1024 * 1024,
        max_compression_ratio: 100,
    }
}

/// Checks the invariants of a successfully read table.
fn check(table: &Table, limits: &Limits) -> Result<(), TestCaseError> {
    prop_assert!(!table.headers.is_empty());
    prop_assert!(table.rows.len() <= limits.max_rows);
    prop_assert!(table.headers.len() <= limits.max_columns);
    let mut previous = 0;
    for row in &table.rows {
        prop_assert_eq!(row.cells.len(), table.headers.len());
        prop_assert!(row.line > previous, "lines must increase");
        prop_assert!(row.line >= 2);
        prop_assert!(row.cells.iter().any(|cell| !cell.is_empty()));
        for cell in &row.cells {
            prop_assert_eq!(cell.trim(), cell.as_str());
            prop_assert!(cell.chars().count() <= limits.max_cell_chars);
        }
        previous = row.line;
    }
    Ok(())
}

proptest! {
    #[test]
    fn arbitrary_bytes_never_panic(bytes in proptest::collection::vec(any::<u8>(), 0..4096)) {
        let limits = small_limits();
        if let Ok(table) = read_table("upload.bin", &bytes, &limits) {
            check(&table, &limits)?;
        }
        let _ = detect_format("upload.bin", &bytes);
    }

    #[test]
    fn csv_like_text_never_panics(text in "[,;\t\"\r\n a中 ]{0,300}") {
        let limits = small_limits();
        if let Ok(table) = read_table("upload.csv", text.as_bytes(), &limits) {
            check(&table, &limits)?;
            let lines = text.matches(['\n', '\r']).count() + 1;
            prop_assert!(table.rows.iter().all(|row| row.line <= lines));
        }
    }

    #[test]
    fn zip_like_bytes_never_panic(tail in proptest::collection::vec(any::<u8>(), 0..2048)) {
        let mut bytes = b"PK\x03\x04".to_vec();
        bytes.extend_from_slice(&tail);
        let _ = read_table("upload.xlsx", &bytes, &small_limits());
    }

    #[test]
    fn mutated_xlsx_never_panics(
        edits in proptest::collection::vec((any::<prop::sample::Index>(), any::<u8>()), 1..8),
        cut in any::<prop::sample::Index>(),
        truncate in any::<bool>(),
    ) {
        let mut bytes = WORKBOOK.clone();
        prop_assume!(!bytes.is_empty());
        for (at, value) in edits {
            let at = at.index(bytes.len());
            bytes[at] = value;
        }
        if truncate {
            bytes.truncate(cut.index(bytes.len()));
        }
        let limits = small_limits();
        if let Ok(table) = read_table("upload.xlsx", &bytes, &limits) {
            check(&table, &limits)?;
        }
    }
}

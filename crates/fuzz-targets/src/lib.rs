//! Fuzz targets for the parsers that read what people upload or post (issue 9): the CSV/xlsx
//! reader (`reformwatch_tabular`), the catalogue loader (`reformwatch_core::catalogue::parse`,
//! R-CAT-1) and the facts JSON (`reformwatch_core::facts::parse_facts_json`, R-SOC-2,
//! R-RULE-PRE).
//!
//! Each target takes arbitrary bytes and must return without panicking; where the parser
//! accepts the input, the target checks the invariants its callers rely on (so a target can
//! fail on a wrong answer, not only on a crash). The same functions are driven by libFuzzer
//! (`fuzz/`, nightly or `RUSTC_BOOTSTRAP`, long runs) and by a stable replay of the seed corpus
//! plus deterministic mutations ([`mutate`], `tests/replay.rs`, in CI).

pub mod mutate;

use std::sync::OnceLock;

use reformwatch_core::catalogue::{Catalogue, builtin_2017};
use reformwatch_tabular::{Limits, decode_text, detect_format, read_table};

/// A fuzz target: bytes in, panic on a bug.
pub type Target = fn(&[u8]);

/// Every target with its name (also its corpus directory: `fuzz/corpus/<name>/`).
pub const TARGETS: &[(&str, Target)] = &[
    ("tabular", tabular),
    ("catalogue", catalogue),
    ("facts_json", facts_json),
];

/// Limits small enough that every guard (rows, columns, cell length, zip size and ratio) is
/// reachable by a mutated seed.
fn small_limits() -> Limits {
    Limits {
        max_bytes: 256 * 1024,
        max_rows: 200,
        max_columns: 30,
        max_cell_chars: 500,
        max_uncompressed_bytes: 2 * 1024 * 1024,
        max_compression_ratio: 100,
    }
}

/// CSV/xlsx reader: the content decides the format; every accepted table is rectangular and
/// within the limits; every error has a message in both languages.
pub fn tabular(data: &[u8]) {
    let _ = detect_format("upload.csv", data);
    let _ = decode_text(data);
    for limits in [small_limits(), Limits::default()] {
        for name in ["upload.csv", "upload.xlsx", "upload"] {
            match read_table(name, data, &limits) {
                Ok(table) => {
                    assert!(!table.headers.is_empty(), "a table has a header");
                    assert!(table.headers.len() <= limits.max_columns);
                    assert!(table.rows.len() <= limits.max_rows);
                    let mut last = 0;
                    for row in &table.rows {
                        assert_eq!(row.cells.len(), table.headers.len(), "rectangular");
                        assert!(row.line > last, "row numbers increase");
                        last = row.line;
                        for cell in &row.cells {
                            assert!(cell.chars().count() <= limits.max_cell_chars);
                            assert_eq!(cell.trim(), cell, "cells are trimmed");
                        }
                    }
                }
                Err(e) => {
                    assert!(!e.message_zh().is_empty());
                    assert!(!e.message_en().is_empty());
                }
            }
        }
    }
}

/// Catalogue loader: errors point inside the file; an accepted catalogue is self-consistent.
pub fn catalogue(data: &[u8]) {
    let source = String::from_utf8_lossy(data);
    match reformwatch_core::catalogue::parse(&source, "fuzz.toml") {
        Ok(c) => {
            assert!(!c.tasks.is_empty());
            let mut numbers: Vec<u32> = c.tasks.iter().map(|t| t.number).collect();
            numbers.sort_unstable();
            numbers.dedup();
            assert_eq!(numbers.len(), c.tasks.len(), "task numbers are unique");
        }
        Err(e) => {
            let lines = source.lines().count().max(1);
            assert!(
                e.line >= 1 && e.line <= lines + 1,
                "error line {} of {lines}",
                e.line
            );
            assert!(e.column >= 1);
            assert!(!e.message.is_empty());
            let _ = e.to_string();
        }
    }
}

fn catalogue_2017() -> &'static Catalogue {
    static C: OnceLock<Catalogue> = OnceLock::new();
    C.get_or_init(builtin_2017)
}

/// Facts JSON: accepted facts run through the rule engine without panicking; an error names
/// what is wrong in both languages.
pub fn facts_json(data: &[u8]) {
    let text = String::from_utf8_lossy(data);
    let c = catalogue_2017();
    match reformwatch_core::facts::parse_facts_json(&text, c) {
        Ok(facts) => {
            let result = reformwatch_core::rules::check(c, &facts);
            for v in &result.verdicts {
                assert!(
                    !v.explanation_zh.is_empty() && !v.explanation_en.is_empty(),
                    "every verdict explains itself ({})",
                    v.rule
                );
            }
        }
        Err(e) => {
            assert!(!e.message_zh.is_empty() && !e.message_en.is_empty());
            let _ = e.to_string();
        }
    }
}

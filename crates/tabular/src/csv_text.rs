//! Decoded CSV text → [`Table`].

use crate::error::UNCLOSED_QUOTE;
use crate::{Limits, Row, Table, TabularError, build_table, check_cell_len, trim_trailing_empty};

/// Parses decoded CSV text (BOM already removed).
pub(crate) fn read(text: &str, limits: &Limits) -> Result<Table, TabularError> {
    let (body, line_offset, delimiter) = match sep_directive(text) {
        Some((delimiter, body)) => (body, 1, delimiter),
        None => (text, 0, detect_delimiter(text)),
    };
    if let Some(line) = unclosed_quote_line(body, delimiter) {
        return Err(TabularError::Csv {
            line: line + line_offset,
            message: UNCLOSED_QUOTE.to_owned(),
        });
    }

    let mut reader = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .delimiter(delimiter)
        .from_reader(body.as_bytes());
    let mut record = csv::StringRecord::new();
    let mut rows: Vec<Row> = Vec::new();
    let bytes = body.as_bytes();
    // Byte offset and 1-based line number of the last record start found.
    let (mut cursor, mut cursor_line) = (0usize, 1usize);
    loop {
        match reader.read_record(&mut record) {
            Ok(true) => {}
            Ok(false) => break,
            Err(err) => {
                let line = err.position().map_or(0, |pos| pos.line());
                return Err(TabularError::Csv {
                    line: usize::try_from(line).unwrap_or(usize::MAX) + line_offset,
                    message: err.to_string(),
                });
            }
        }
        // The csv crate positions a record where the previous one ended, before the
        // blank lines (and the LF of a CRLF) it skips: find the record's first byte.
        let mut start = record
            .position()
            .map_or(cursor, |pos| {
                usize::try_from(pos.byte()).unwrap_or(usize::MAX)
            })
            .clamp(cursor, bytes.len());
        while bytes.get(start).is_some_and(|&b| b == b'\r' || b == b'\n') {
            start += 1;
        }
        cursor_line += count_line_breaks(&bytes[cursor..start]);
        cursor = start;
        let line = cursor_line + line_offset;
        let mut cells: Vec<String> = record.iter().map(|cell| cell.trim().to_owned()).collect();
        if !trim_trailing_empty(&mut cells) {
            continue;
        }
        if cells.len() > limits.max_columns {
            return Err(TabularError::TooManyColumns {
                limit: limits.max_columns,
            });
        }
        for (index, cell) in cells.iter().enumerate() {
            check_cell_len(cell, line, index + 1, limits)?;
        }
        // `rows` holds the header too, so `max_rows` data rows fill it to `max_rows + 1`.
        if rows.len() > limits.max_rows {
            return Err(TabularError::TooManyRows {
                limit: limits.max_rows,
            });
        }
        rows.push(Row { line, cells });
    }
    build_table(rows)
}

/// Counts line breaks the way editors and Excel do: CRLF, a lone LF or a lone CR.
fn count_line_breaks(bytes: &[u8]) -> usize {
    bytes
        .iter()
        .enumerate()
        .filter(|&(index, &b)| is_line_break(bytes, index, b))
        .count()
}

/// Whether `bytes[index]` (which is `b`) ends a line: a LF, or a CR not followed by LF.
fn is_line_break(bytes: &[u8], index: usize, b: u8) -> bool {
    b == b'\n' || (b == b'\r' && bytes.get(index + 1) != Some(&b'\n'))
}

/// Excel honours a first line `sep=;` naming the delimiter; returns it and the rest.
fn sep_directive(text: &str) -> Option<(u8, &str)> {
    let (first, rest) = text.split_once('\n').unwrap_or((text, ""));
    let value = first.trim().strip_prefix("sep=")?;
    match value.as_bytes() {
        [delimiter] if delimiter.is_ascii() && *delimiter != b'"' => Some((*delimiter, rest)),
        _ => None,
    }
}

/// Picks `,`, `;` or tab: whichever occurs most often outside quotes in the first
/// non-blank line (the header). Ties go to comma, then tab.
fn detect_delimiter(text: &str) -> u8 {
    let mut counts = [0usize; 3]; // comma, tab, semicolon
    let mut chars = text.chars().peekable();
    let mut in_quotes = false;
    let mut at_field_start = true;
    let mut seen_content = false;
    while let Some(c) = chars.next() {
        if in_quotes {
            if c == '"' {
                if chars.peek() == Some(&'"') {
                    chars.next();
                } else {
                    in_quotes = false;
                }
            }
            continue;
        }
        match c {
            '"' if at_field_start => {
                in_quotes = true;
                seen_content = true;
                at_field_start = false;
            }
            ',' | '\t' | ';' => {
                let slot = match c {
                    ',' => 0,
                    '\t' => 1,
                    _ => 2,
                };
                counts[slot] += 1;
                seen_content = true;
                at_field_start = true;
            }
            '\n' | '\r' => {
                if seen_content {
                    break;
                }
                at_field_start = true;
            }
            c if c.is_whitespace() => {}
            _ => {
                seen_content = true;
                at_field_start = false;
            }
        }
    }
    let [comma, tab, semicolon] = counts;
    if tab > comma && tab >= semicolon {
        b'\t'
    } else if semicolon > comma && semicolon > tab {
        b';'
    } else {
        b','
    }
}

/// The 1-based line of a quote that opens a field and is never closed, following
/// the csv crate's rules (a quote only opens a field at its very start).
fn unclosed_quote_line(text: &str, delimiter: u8) -> Option<usize> {
    #[derive(Clone, Copy, PartialEq)]
    enum State {
        FieldStart,
        Unquoted,
        Quoted,
        QuoteInQuoted,
    }
    let mut state = State::FieldStart;
    let mut line = 1usize;
    let mut opened_at = 0usize;
    let bytes = text.as_bytes();
    for (index, &b) in bytes.iter().enumerate() {
        let is_end = b == b'\n' || b == b'\r';
        state = match state {
            State::FieldStart | State::Unquoted if is_end || b == delimiter => State::FieldStart,
            State::FieldStart if b == b'"' => {
                opened_at = line;
                State::Quoted
            }
            State::FieldStart | State::Unquoted => State::Unquoted,
            State::Quoted if b == b'"' => State::QuoteInQuoted,
            State::Quoted => State::Quoted,
            State::QuoteInQuoted if b == b'"' => State::Quoted,
            State::QuoteInQuoted if is_end || b == delimiter => State::FieldStart,
            State::QuoteInQuoted => State::Unquoted,
        };
        if is_line_break(bytes, index, b) {
            line += 1;
        }
    }
    (state == State::Quoted).then_some(opened_at)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn delimiter_detection() {
        assert_eq!(detect_delimiter("a,b,c\n1;2;3;4;5"), b',');
        assert_eq!(detect_delimiter("a;b;c\n"), b';');
        assert_eq!(detect_delimiter("a\tb\tc"), b'\t');
        assert_eq!(detect_delimiter("\"x;y;z\",b\n"), b',');
        assert_eq!(detect_delimiter("\n\n  \na;b\n"), b';');
        assert_eq!(detect_delimiter("single"), b',');
        assert_eq!(detect_delimiter("a,b;c\td"), b',');
    }

    #[test]
    fn sep_directive_is_honoured() {
        assert_eq!(sep_directive("sep=;\na;b"), Some((b';', "a;b")));
        assert_eq!(sep_directive("sep=;\r\na;b"), Some((b';', "a;b")));
        assert_eq!(sep_directive("a;b"), None);
    }

    #[test]
    fn unclosed_quotes() {
        assert_eq!(unclosed_quote_line("a,b\n\"x\ny", b','), Some(2));
        assert_eq!(unclosed_quote_line("a,b\n\"x\ny\",z", b','), None);
        assert_eq!(unclosed_quote_line("a,b\n5\" pipe,z", b','), None);
        assert_eq!(unclosed_quote_line("a,\"b\"\"c\"\n", b','), None);
        assert_eq!(unclosed_quote_line("\"a\"x\"", b','), None);
        assert_eq!(unclosed_quote_line("a\rb\r\n\"", b','), Some(3));
    }

    #[test]
    fn line_breaks() {
        assert_eq!(count_line_breaks(b"a\r\nb\rc\nd\r"), 3 + 1);
        assert_eq!(count_line_breaks(b"\r\n\r\n"), 2);
        assert_eq!(count_line_breaks(b""), 0);
    }
}

//! Behaviour of `read_table` on CSV and XLSX uploads; all fixtures are built in code.

use std::io::{Cursor, Write};

use reformwatch_tabular::{
    Encoding, Format, Limits, Row, Table, TabularError, decode_text, detect_format, read_table,
};
use rust_xlsxwriter::{ExcelDateTime, Format as XlsxFormat, Formula, Workbook};
use zip::write::SimpleFileOptions;

type TestResult = Result<(), Box<dyn std::error::Error>>;

fn read(bytes: &[u8]) -> Result<Table, TabularError> {
    read_table("upload.csv", bytes, &Limits::default())
}

fn lines(table: &Table) -> Vec<usize> {
    table.rows.iter().map(|row| row.line).collect()
}

fn cells(table: &Table) -> Vec<Vec<&str>> {
    table
        .rows
        .iter()
        .map(|row| row.cells.iter().map(String::as_str).collect())
        .collect()
}

// ---------------------------------------------------------------- CSV

#[test]
fn utf8_csv_is_read_and_trimmed() -> TestResult {
    let table = read(" 代码 , 名称 \nA01, 中国数学会 \r\nA02,中国物理学会\n".as_bytes())?;
    assert_eq!(table.headers, ["代码", "名称"]);
    assert_eq!(
        cells(&table),
        [vec!["A01", "中国数学会"], vec!["A02", "中国物理学会"]]
    );
    assert_eq!(lines(&table), [2, 3]);
    assert_eq!(decode_text(b"a,b")?.1, Encoding::Utf8);
    assert_eq!(detect_format("x.csv", b"a,b\n1,2"), Some(Format::Csv));
    Ok(())
}

#[test]
fn utf8_bom_is_stripped() -> TestResult {
    let mut bytes = b"\xEF\xBB\xBF".to_vec();
    bytes.extend_from_slice("学会代码,学会名称\nA01,中国化学会\n".as_bytes());
    let (text, encoding) = decode_text(&bytes)?;
    assert_eq!(encoding, Encoding::Utf8Bom);
    assert!(text.starts_with("学会代码"));
    let table = read(&bytes)?;
    assert_eq!(table.headers, ["学会代码", "学会名称"]);
    assert_eq!(table.column(&["code", "学会代码"]), Some(0));
    Ok(())
}

#[test]
fn gbk_csv_from_chinese_excel_is_decoded() -> TestResult {
    let source = "学会代码,学会名称,挂靠单位\nA01,中国数学会,中国科学院数学与系统科学研究院\nA02,中国物理学会,中国科学院物理研究所\nB15,中国农学会,农业农村部\n";
    let (bytes, _, had_errors) = encoding_rs::GBK.encode(source);
    assert!(!had_errors);
    assert!(
        std::str::from_utf8(&bytes).is_err(),
        "fixture must not be UTF-8"
    );
    let (text, encoding) = decode_text(&bytes)?;
    assert_eq!(encoding, Encoding::Gb18030);
    assert_eq!(text, source);
    let table = read(&bytes)?;
    assert_eq!(table.headers, ["学会代码", "学会名称", "挂靠单位"]);
    assert_eq!(table.rows[0].cells[1], "中国数学会");
    assert_eq!(table.rows[2].cells, ["B15", "中国农学会", "农业农村部"]);
    assert_eq!(lines(&table), [2, 3, 4]);
    Ok(())
}

#[test]
fn invalid_text_encoding_is_rejected() {
    // 0xFF is not a valid byte in UTF-8 nor in GB18030.
    assert_eq!(
        read(b"code,name\nA01,\xFF\xFF\n"),
        Err(TabularError::Encoding)
    );
    assert_eq!(decode_text(b"abc\x81"), Err(TabularError::Encoding));
    assert_eq!(detect_format("x.csv", b"a,\xFF"), None);
}

#[test]
fn semicolon_and_tab_delimiters_are_detected() -> TestResult {
    let table = read("code;name;note\nA01;中国数学会;\"a, b\"\n".as_bytes())?;
    assert_eq!(table.headers, ["code", "name", "note"]);
    assert_eq!(table.rows[0].cells, ["A01", "中国数学会", "a, b"]);

    let table = read("code\tname\nA01\t中国数学会, 北京\n".as_bytes())?;
    assert_eq!(table.headers, ["code", "name"]);
    assert_eq!(table.rows[0].cells, ["A01", "中国数学会, 北京"]);

    // A comma inside a quoted header does not count.
    let table = read("\"a,b,c\";d\n1;2\n".as_bytes())?;
    assert_eq!(table.headers, ["a,b,c", "d"]);

    // Excel's "sep=" first line.
    let table = read("sep=;\ncode;name\nA01;x,y\n".as_bytes())?;
    assert_eq!(table.headers, ["code", "name"]);
    assert_eq!(table.rows[0].cells, ["A01", "x,y"]);
    assert_eq!(table.rows[0].line, 3);
    Ok(())
}

#[test]
fn quoted_newlines_keep_line_numbers_right() -> TestResult {
    let csv = "code,address\nA01,\"北京市\n海淀区\n中关村\"\nA02,上海\n\"A03\",\"a \"\"quoted\"\" word\"\n";
    let table = read(csv.as_bytes())?;
    assert_eq!(cells(&table)[0], ["A01", "北京市\n海淀区\n中关村"]);
    assert_eq!(cells(&table)[2], ["A03", "a \"quoted\" word"]);
    // A01 starts on line 2 and spans to 4, so A02 is on line 5.
    assert_eq!(lines(&table), [2, 5, 6]);
    Ok(())
}

#[test]
fn empty_rows_are_skipped_but_counted() -> TestResult {
    let csv = "\n,,\ncode,name,\n\nA01,x,\n , ,\n,,,,,,\nA02,y\n\n";
    let table = read(csv.as_bytes())?;
    assert_eq!(table.headers, ["code", "name"]);
    assert_eq!(
        table.rows,
        [
            Row {
                line: 5,
                cells: vec!["A01".into(), "x".into()]
            },
            Row {
                line: 8,
                cells: vec!["A02".into(), "y".into()]
            },
        ]
    );
    Ok(())
}

#[test]
fn classic_mac_line_endings_are_counted() -> TestResult {
    let table = read(b"code,name\rA01,x\r\rA02,y\r")?;
    assert_eq!(lines(&table), [2, 4]);
    Ok(())
}

#[test]
fn table_is_rectangular() -> TestResult {
    let table = read(b"a,b\n1\n2,3,4\n")?;
    assert_eq!(table.headers, ["a", "b", ""]);
    assert_eq!(cells(&table), [vec!["1", "", ""], vec!["2", "3", "4"]]);
    Ok(())
}

#[test]
fn header_only_gives_no_rows() -> TestResult {
    let table = read(b"code,name\n")?;
    assert_eq!(table.headers, ["code", "name"]);
    assert!(table.rows.is_empty());
    Ok(())
}

#[test]
fn duplicate_headers_are_rejected() {
    assert_eq!(
        read("代码,名称,代码\n1,2,3\n".as_bytes()),
        Err(TabularError::DuplicateHeader {
            name: "代码".into()
        })
    );
    assert_eq!(
        read(b"Code,name, code \n"),
        Err(TabularError::DuplicateHeader {
            name: "code".into()
        })
    );
    // Unnamed columns are not duplicates of each other.
    assert!(read(b"a,,b,,c\n").is_ok());
}

#[test]
fn too_many_rows_is_rejected() -> TestResult {
    let limits = Limits {
        max_rows: 3,
        ..Limits::default()
    };
    let ok = read_table("x.csv", b"h\n1\n\n2\n3\n\n", &limits)?;
    assert_eq!(ok.rows.len(), 3);
    assert_eq!(
        read_table("x.csv", b"h\n1\n2\n3\n4\n", &limits),
        Err(TabularError::TooManyRows { limit: 3 })
    );
    Ok(())
}

#[test]
fn too_many_columns_and_long_cells_are_rejected() {
    let limits = Limits {
        max_columns: 3,
        max_cell_chars: 5,
        ..Limits::default()
    };
    // Trailing empty cells do not count as columns.
    assert!(read_table("x.csv", b"a,b,c,,,,\n1,2,3,,,\n", &limits).is_ok());
    assert_eq!(
        read_table("x.csv", b"a,b,c\n1,2,3,4\n", &limits),
        Err(TabularError::TooManyColumns { limit: 3 })
    );
    // Five Chinese characters are 15 bytes but only 5 chars: allowed.
    assert!(read_table("x.csv", "a,b\n1,中国数学会\n".as_bytes(), &limits).is_ok());
    let err = read_table("x.csv", "a,b\n\n1,中国数学会会\n".as_bytes(), &limits);
    assert_eq!(err, Err(TabularError::CellTooLong { line: 3, column: 2 }));
}

#[test]
fn too_large_and_empty_uploads() {
    let limits = Limits {
        max_bytes: 10,
        ..Limits::default()
    };
    assert_eq!(
        read_table("x.csv", b"01234567890", &limits),
        Err(TabularError::TooLarge { limit: 10 })
    );
    assert_eq!(read(b""), Err(TabularError::Empty));
    assert_eq!(read(b"\n\r\n , ,\n"), Err(TabularError::Empty));
    assert_eq!(read(b"\xEF\xBB\xBF"), Err(TabularError::Empty));
}

#[test]
fn unclosed_quote_is_reported_with_its_line() {
    let err = read(b"code,name\nA01,x\nA02,\"oops\nA03,y\n");
    assert_eq!(
        err.as_ref().map_err(TabularError::message_en),
        Err(
            "row 3: a cell starts with a double quote (\") that is never closed, so the file is malformed."
                .to_owned()
        )
    );
    assert!(matches!(err, Err(TabularError::Csv { line: 3, .. })));
}

// ---------------------------------------------------------------- other formats

#[test]
fn legacy_xls_is_rejected_with_save_as_hint() {
    let mut xls = vec![0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1];
    xls.resize(4096, 0);
    let err = read_table("学会.xls", &xls, &Limits::default());
    assert_eq!(err, Err(TabularError::LegacyXls));
    assert_eq!(detect_format("学会.xls", &xls), None);
    let err = TabularError::LegacyXls;
    assert!(err.message_zh().contains(".xlsx"));
    assert!(
        err.message_en()
            .contains("save it as an Excel workbook (.xlsx")
    );
}

#[test]
fn pdf_and_other_binaries_are_rejected() {
    let pdf = b"%PDF-1.7\n1 0 obj\n<< /Type /Catalog >>\nendobj\n";
    assert_eq!(
        read_table("学会.csv", pdf, &Limits::default()),
        Err(TabularError::UnsupportedFormat { hint: "PDF" })
    );
    assert_eq!(detect_format("学会.csv", pdf), None);
    assert_eq!(
        read(b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR"),
        Err(TabularError::UnsupportedFormat { hint: "PNG" })
    );
    assert_eq!(
        read(b"a\0b\0,\0c\0"),
        Err(TabularError::UnsupportedFormat { hint: "binary" })
    );
    assert_eq!(
        read(b"\xFF\xFEa\0,\0b\0"),
        Err(TabularError::UnsupportedFormat { hint: "UTF-16" })
    );
    assert_eq!(
        read(b"\x01\x02\x03\x04\x05abc"),
        Err(TabularError::UnsupportedFormat { hint: "binary" })
    );
    // Old web systems export HTML tables named .xls.
    assert_eq!(
        read_table(
            "report.xls",
            b"  <html><table><tr><td>1</td></tr></table></html>",
            &Limits::default()
        ),
        Err(TabularError::UnsupportedFormat { hint: "HTML" })
    );
}

#[test]
fn non_workbook_zip_is_rejected() -> TestResult {
    let docx = zip_of(&[("word/document.xml", b"<w:document/>".as_slice())])?;
    assert_eq!(
        read(&docx),
        Err(TabularError::UnsupportedFormat { hint: "DOCX" })
    );
    let plain = zip_of(&[("notes.txt", b"hello".as_slice())])?;
    assert_eq!(
        read(&plain),
        Err(TabularError::UnsupportedFormat { hint: "ZIP" })
    );
    // A truncated .xlsx upload.
    let xlsx = simple_workbook()?;
    let truncated = &xlsx[..xlsx.len() / 2];
    assert!(matches!(
        read_table("学会.xlsx", truncated, &Limits::default()),
        Err(TabularError::Xlsx { .. })
    ));
    Ok(())
}

// ---------------------------------------------------------------- XLSX

fn simple_workbook() -> Result<Vec<u8>, rust_xlsxwriter::XlsxError> {
    let mut workbook = Workbook::new();
    let sheet = workbook.add_worksheet();
    sheet.write_string(0, 0, "代码")?;
    sheet.write_string(0, 1, "名称")?;
    sheet.write_string(1, 0, "A01")?;
    sheet.write_string(1, 1, "中国数学会")?;
    workbook.save_to_buffer()
}

#[test]
fn xlsx_cells_are_converted() -> TestResult {
    let mut workbook = Workbook::new();
    let date_format = XlsxFormat::new().set_num_format("yyyy-mm-dd");
    let datetime_format = XlsxFormat::new().set_num_format("yyyy-mm-dd hh:mm");
    let sheet = workbook.add_worksheet();
    let headers = [
        " 学会代码 ",
        "学会名称",
        "会员数",
        "经费",
        "成立日期",
        "已改革",
    ];
    for (col, header) in (0u16..).zip(headers) {
        sheet.write_string(0, col, header)?;
    }
    sheet.write_string(1, 0, "A01")?;
    sheet.write_string(1, 1, " 中国数学会 ")?;
    sheet.write_number(1, 2, 12345)?;
    sheet.write_number(1, 3, 1234.5)?;
    sheet.write_datetime_with_format(1, 4, ExcelDateTime::from_ymd(1935, 7, 25)?, &date_format)?;
    sheet.write_boolean(1, 5, true)?;
    // Row 3 (index 2) left blank; an empty formatted cell far to the right.
    sheet.write_blank(2, 30, &date_format)?;
    sheet.write_string(3, 0, "A02")?;
    sheet.write_string(3, 1, "中国物理学会")?;
    sheet.write_number(3, 2, 0.1 + 0.2)?;
    sheet.write_number(3, 3, -7.0)?;
    sheet.write_datetime_with_format(
        3,
        4,
        ExcelDateTime::parse_from_str("2024-01-15 08:30:00")?,
        &datetime_format,
    )?;
    sheet.write_boolean(3, 5, false)?;
    // A second sheet is ignored.
    workbook.add_worksheet().write_string(0, 0, "other")?;
    let bytes = workbook.save_to_buffer()?;

    assert_eq!(detect_format("学会.xlsx", &bytes), Some(Format::Xlsx));
    // Detection is by content: the name does not matter.
    assert_eq!(detect_format("学会.csv", &bytes), Some(Format::Xlsx));
    let table = read_table("whatever.bin", &bytes, &Limits::default())?;
    assert_eq!(
        table.headers,
        [
            "学会代码",
            "学会名称",
            "会员数",
            "经费",
            "成立日期",
            "已改革"
        ]
    );
    assert_eq!(
        cells(&table),
        [
            vec!["A01", "中国数学会", "12345", "1234.5", "1935-07-25", "true"],
            vec![
                "A02",
                "中国物理学会",
                "0.3",
                "-7",
                "2024-01-15 08:30:00",
                "false"
            ],
        ]
    );
    assert_eq!(lines(&table), [2, 4]);
    assert_eq!(table.column(&["CODE", "学会代码"]), Some(0));
    Ok(())
}

#[test]
fn xlsx_header_may_start_below_blank_rows() -> TestResult {
    let mut workbook = Workbook::new();
    let sheet = workbook.add_worksheet();
    sheet.write_string(2, 0, "code")?;
    sheet.write_string(2, 1, "name")?;
    sheet.write_number(3, 0, 7)?;
    sheet.write_string(3, 1, "x")?;
    let table = read_table("x.xlsx", &workbook.save_to_buffer()?, &Limits::default())?;
    assert_eq!(table.headers, ["code", "name"]);
    assert_eq!(
        table.rows,
        [Row {
            line: 4,
            cells: vec!["7".into(), "x".into()]
        }]
    );
    Ok(())
}

#[test]
fn xlsx_error_cell_is_named() -> TestResult {
    let mut workbook = Workbook::new();
    let sheet = workbook.add_worksheet();
    sheet.write_string(0, 0, "code")?;
    sheet.write_string(0, 1, "ratio")?;
    for row in 1..6 {
        sheet.write_string(row, 0, format!("A{row:02}"))?;
        sheet.write_number(row, 1, 0.5)?;
    }
    sheet.write_formula(6, 1, Formula::new("=1/0").set_result("#DIV/0!"))?;
    let err = read_table("x.xlsx", &workbook.save_to_buffer()?, &Limits::default());
    assert_eq!(err, Err(TabularError::CellError { cell: "B7".into() }));
    Ok(())
}

#[test]
fn xlsx_limits_apply() -> TestResult {
    let mut workbook = Workbook::new();
    let sheet = workbook.add_worksheet();
    sheet.write_string(0, 0, "code")?;
    for row in 1..=5 {
        sheet.write_number(row, 0, row)?;
    }
    sheet.write_string(5, 1, "too long")?;
    let bytes = workbook.save_to_buffer()?;
    let limits = |max_rows, max_columns, max_cell_chars| Limits {
        max_rows,
        max_columns,
        max_cell_chars,
        ..Limits::default()
    };
    assert_eq!(
        read_table("x.xlsx", &bytes, &limits(5, 2, 100))?.rows.len(),
        5
    );
    assert_eq!(
        read_table("x.xlsx", &bytes, &limits(4, 2, 100)),
        Err(TabularError::TooManyRows { limit: 4 })
    );
    assert_eq!(
        read_table("x.xlsx", &bytes, &limits(5, 1, 100)),
        Err(TabularError::TooManyColumns { limit: 1 })
    );
    assert_eq!(
        read_table("x.xlsx", &bytes, &limits(5, 2, 7)),
        Err(TabularError::CellTooLong { line: 6, column: 2 })
    );
    Ok(())
}

#[test]
fn xlsx_duplicate_headers_are_rejected() -> TestResult {
    let mut workbook = Workbook::new();
    let sheet = workbook.add_worksheet();
    sheet.write_string(0, 0, "名称")?;
    sheet.write_string(0, 1, "名称 ")?;
    assert_eq!(
        read_table("x.xlsx", &workbook.save_to_buffer()?, &Limits::default()),
        Err(TabularError::DuplicateHeader {
            name: "名称".into()
        })
    );
    Ok(())
}

/// A minimal workbook around hand-written sheet XML (`<sheetData>` content).
fn workbook_with_sheet_xml(sheet_data: &str) -> zip::result::ZipResult<Vec<u8>> {
    let sheet = format!(
        r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?><worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>{sheet_data}</sheetData></worksheet>"#
    );
    zip_of(&[
        (
            "[Content_Types].xml",
            br#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" ContentType="application/xml"/><Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/><Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/></Types>"#.as_slice(),
        ),
        (
            "_rels/.rels",
            br#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="xl/workbook.xml"/></Relationships>"#.as_slice(),
        ),
        (
            "xl/workbook.xml",
            br#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?><workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"><sheets><sheet name="Sheet1" sheetId="1" r:id="rId1"/></sheets></workbook>"#.as_slice(),
        ),
        (
            "xl/_rels/workbook.xml.rels",
            br#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet1.xml"/></Relationships>"#.as_slice(),
        ),
        ("xl/worksheets/sheet1.xml", sheet.as_bytes()),
    ])
}

fn zip_of(entries: &[(&str, &[u8])]) -> zip::result::ZipResult<Vec<u8>> {
    let mut writer = zip::ZipWriter::new(Cursor::new(Vec::new()));
    let options = SimpleFileOptions::default().compression_method(zip::CompressionMethod::Deflated);
    for (name, data) in entries {
        writer.start_file(*name, options)?;
        writer.write_all(data)?;
    }
    Ok(writer.finish()?.into_inner())
}

fn inline(cell: &str, text: &str) -> String {
    format!(r#"<c r="{cell}" t="inlineStr"><is><t>{text}</t></is></c>"#)
}

#[test]
fn hand_written_sheet_is_read() -> TestResult {
    let xml = format!(
        "<row r=\"1\">{}{}</row><row r=\"2\">{}<c r=\"B2\"><v>42</v></c></row>",
        inline("A1", "code"),
        inline("B1", "n"),
        inline("A2", "A01")
    );
    let table = read_table(
        "x.xlsx",
        &workbook_with_sheet_xml(&xml)?,
        &Limits::default(),
    )?;
    assert_eq!(table.headers, ["code", "n"]);
    assert_eq!(
        table.rows,
        [Row {
            line: 2,
            cells: vec!["A01".into(), "42".into()]
        }]
    );
    Ok(())
}

#[test]
fn far_away_cells_cost_nothing() -> TestResult {
    // Calamine's dense range would allocate 1,048,576 × 16,384 cells here.
    let far_column = format!(
        "<row r=\"1\">{}{}</row>",
        inline("A1", "code"),
        inline("XFD1048576", "x")
    );
    assert_eq!(
        read_table(
            "x.xlsx",
            &workbook_with_sheet_xml(&far_column)?,
            &Limits::default()
        ),
        Err(TabularError::TooManyColumns { limit: 100 })
    );
    let far_row = format!(
        "<row r=\"1\">{}</row><row r=\"1048576\">{}</row>",
        inline("A1", "code"),
        inline("A1048576", "last")
    );
    let table = read_table(
        "x.xlsx",
        &workbook_with_sheet_xml(&far_row)?,
        &Limits::default(),
    )?;
    assert_eq!(
        table.rows,
        [Row {
            line: 1_048_576,
            cells: vec!["last".into()]
        }]
    );
    Ok(())
}

#[test]
fn zip_bomb_by_ratio_is_rejected() -> TestResult {
    // 20 MiB of one repeated byte deflates about 1000:1.
    let huge = vec![b' '; 20 * 1024 * 1024];
    let mut bomb = workbook_with_sheet_xml(&inline("A1", "code"))?;
    bomb = add_entry(&bomb, "xl/media/padding.xml", &huge)?;
    assert!(bomb.len() < 1024 * 1024, "the bomb itself is small");
    assert_eq!(detect_format("x.xlsx", &bomb), Some(Format::Xlsx));
    assert_eq!(
        read_table("x.xlsx", &bomb, &Limits::default()),
        Err(TabularError::ZipBomb)
    );
    Ok(())
}

#[test]
fn zip_bomb_by_total_size_is_rejected() -> TestResult {
    let limits = Limits {
        max_uncompressed_bytes: 2 * 1024 * 1024,
        max_compression_ratio: u64::MAX,
        ..Limits::default()
    };
    let big = vec![b'x'; 3 * 1024 * 1024];
    let ok = workbook_with_sheet_xml(&inline("A1", "code"))?;
    assert!(read_table("x.xlsx", &ok, &limits).is_ok());
    let bomb = add_entry(&ok, "xl/media/padding.xml", &big)?;
    assert_eq!(
        read_table("x.xlsx", &bomb, &limits),
        Err(TabularError::ZipBomb)
    );
    Ok(())
}

#[test]
fn shared_string_repetition_is_bounded() -> TestResult {
    // One short XML can reference a long shared string in many cells; the
    // text read is bounded by `max_uncompressed_bytes` as well.
    let long = "长".repeat(5_000);
    let mut xml = format!("<row r=\"1\">{}</row>", inline("A1", "note"));
    for row in 2..=200 {
        xml.push_str(&format!(
            "<row r=\"{row}\">{}</row>",
            inline(&format!("A{row}"), &long)
        ));
    }
    let bytes = workbook_with_sheet_xml(&xml)?;
    let limits = Limits {
        max_uncompressed_bytes: 2 * 1024 * 1024,
        max_compression_ratio: u64::MAX,
        ..Limits::default()
    };
    // 199 cells × 15,000 bytes ≈ 2.8 MiB of text > 2 MiB.
    assert_eq!(
        read_table("x.xlsx", &bytes, &limits),
        Err(TabularError::ZipBomb)
    );
    Ok(())
}

#[test]
fn entry_larger_than_declared_is_not_inflated() -> TestResult {
    // The guard trusts the sizes in the central directory because the zip crate
    // stops reading an entry that inflates past its declared size. Lie about it.
    let mut xml = format!("<row r=\"1\">{}</row>", inline("A1", "code"));
    for row in 2..=20_000 {
        xml.push_str(&format!(
            "<row r=\"{row}\">{}</row>",
            inline(&format!("A{row}"), "x")
        ));
    }
    let mut bytes = workbook_with_sheet_xml(&xml)?;
    assert!(read_table("x.xlsx", &bytes, &Limits::default()).is_ok());
    set_declared_size(&mut bytes, "xl/worksheets/sheet1.xml", 1000)?;
    let result = read_table("x.xlsx", &bytes, &Limits::default());
    assert!(
        matches!(result, Err(TabularError::Xlsx { .. })),
        "unexpected: {result:?}"
    );
    Ok(())
}

/// Copies an archive and appends one entry.
fn add_entry(archive: &[u8], name: &str, data: &[u8]) -> zip::result::ZipResult<Vec<u8>> {
    let mut writer = zip::ZipWriter::new_append(Cursor::new(archive.to_vec()))?;
    let options = SimpleFileOptions::default()
        .compression_method(zip::CompressionMethod::Deflated)
        .compression_level(Some(9));
    writer.start_file(name, options)?;
    writer.write_all(data)?;
    Ok(writer.finish()?.into_inner())
}

/// Overwrites the uncompressed size of `name` in both the local and the central header.
fn set_declared_size(bytes: &mut [u8], name: &str, size: u32) -> Result<(), String> {
    let size = size.to_le_bytes();
    let mut patched = 0;
    let mut at = 0;
    while at + 46 <= bytes.len() {
        let signature = &bytes[at..at + 4];
        // (offset of the name length, offset of the name, offset of the uncompressed size)
        let (len_offset, name_offset, size_offset) = match signature {
            b"PK\x03\x04" => (26, 30, 22),
            b"PK\x01\x02" => (28, 46, 24),
            _ => {
                at += 1;
                continue;
            }
        };
        let name_len = usize::from(u16::from_le_bytes([
            bytes[at + len_offset],
            bytes[at + len_offset + 1],
        ]));
        let name_start = at + name_offset;
        if bytes.get(name_start..name_start + name_len) == Some(name.as_bytes()) {
            bytes[at + size_offset..at + size_offset + 4].copy_from_slice(&size);
            patched += 1;
        }
        at += 4;
    }
    if patched == 2 {
        Ok(())
    } else {
        Err(format!("patched {patched} headers of {name}"))
    }
}

// ---------------------------------------------------------------- API helpers

#[test]
fn column_finds_aliases_case_insensitively() {
    let table = Table {
        headers: vec!["Society Code".into(), "学会名称".into(), "CODE".into()],
        rows: Vec::new(),
    };
    assert_eq!(table.column(&["code", "代码", "学会代码"]), Some(2));
    assert_eq!(table.column(&["society code"]), Some(0));
    assert_eq!(table.column(&["名称", " 学会名称 "]), Some(1));
    assert_eq!(table.column(&["missing"]), None);
    assert_eq!(table.column(&[]), None);
}

#[test]
fn messages_are_specific_in_both_languages() {
    let err = TabularError::CellTooLong { line: 7, column: 3 };
    assert!(err.message_zh().starts_with("第 7 行 C 列："));
    assert!(err.message_en().starts_with("row 7, column C:"));
    assert_eq!(err.to_string(), err.message_en());

    let err = TabularError::CellError { cell: "B7".into() };
    assert!(err.message_zh().contains("B7"));
    assert!(err.message_en().contains("B7"));

    let err = TabularError::TooLarge {
        limit: 10 * 1024 * 1024,
    };
    assert!(err.message_zh().contains("10 MiB"));
    let err = TabularError::DuplicateHeader {
        name: "代码".into(),
    };
    assert!(err.message_zh().contains("“代码”"));
    assert!(err.message_en().contains("\"代码\""));
    let err = TabularError::UnsupportedFormat { hint: "PDF" };
    assert!(err.message_zh().contains("PDF 文档"));
    assert!(err.message_en().contains("a PDF document"));
    let err = TabularError::Csv {
        line: 12,
        message: "x".into(),
    };
    assert!(err.message_zh().starts_with("第 12 行："));
    assert!(err.message_en().starts_with("row 12:"));
}

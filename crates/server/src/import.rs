//! R-SOC-3: bulk import of societies from .csv (UTF-8 with or without BOM, or GBK as Chinese
//! Excel writes it) and .xlsx. Every row is checked first; any problem rejects the whole file
//! with a row-by-row report (row, column, what is wrong).

use std::collections::HashMap;

use reformwatch_tabular::{Limits, Table, TabularError, read_table};

use crate::db::societies::{SocietyInput, SocietyRaw};
use crate::i18n::T;
use crate::model::FieldError;

/// Accepted header names per field (Chinese and English), the first being the canonical one.
pub const SOCIETY_COLUMNS: &[(&str, &[&str], bool)] = &[
    ("code", &["code", "代码", "学会代码", "编码", "编号"], true),
    ("name", &["name", "名称", "学会名称", "学会"], true),
    (
        "name_en",
        &["name_en", "英文名称", "英文名", "english_name"],
        false,
    ),
    (
        "discipline_group",
        &[
            "discipline_group",
            "category",
            "group",
            "学科",
            "学科群",
            "学科类别",
            "类别",
            "分类",
        ],
        false,
    ),
    ("short_name", &["short_name", "简称", "学会简称"], false),
    (
        "supporting_unit",
        &["supporting_unit", "挂靠单位", "支撑单位"],
        false,
    ),
    (
        "contact_name",
        &["contact_name", "contact", "联系人"],
        false,
    ),
    (
        "contact_phone",
        &["contact_phone", "phone", "联系电话", "电话"],
        false,
    ),
    (
        "contact_email",
        &["contact_email", "email", "电子邮箱", "邮箱"],
        false,
    ),
    ("active", &["active", "启用", "状态"], false),
];

#[derive(Debug, Clone, PartialEq)]
pub struct RowError {
    /// The row as the user sees it in Excel (header = 1).
    pub line: usize,
    /// The column header as written in the file.
    pub column: String,
    pub error: FieldError,
}

#[derive(Debug)]
pub enum ImportError {
    File(TabularError),
    MissingColumns(Vec<String>),
    /// Columns the import does not know (by header, or "第 N 列" / "column N" when the header is
    /// empty but the column holds values): nothing is silently dropped.
    UnknownColumns(Vec<String>),
    /// A facts import's columns that are neither the society code, the date nor a fact the
    /// year's catalogue declares, with every accepted name (issue 13).
    UnknownFactColumns {
        columns: Vec<String>,
        accepted: String,
    },
    Rows(Vec<RowError>),
}

impl ImportError {
    pub fn message(&self, t: &T) -> String {
        match self {
            ImportError::File(e) => {
                if t.is_en() {
                    e.message_en()
                } else {
                    e.message_zh()
                }
            }
            ImportError::MissingColumns(cols) => {
                t.t1("err-import-missing-columns", "columns", &cols.join(", "))
            }
            ImportError::UnknownColumns(cols) => t
                .t("err-import-unknown-columns")
                .replace("{columns}", &cols.join(", "))
                .replace("{accepted}", &accepted_columns()),
            ImportError::UnknownFactColumns { columns, accepted } => t
                .t("err-facts-import-unknown-columns")
                .replace("{columns}", &columns.join(", "))
                .replace("{accepted}", accepted),
            ImportError::Rows(rows) => t.t1("err-import-rows", "count", &rows.len()),
        }
    }
}

/// Every accepted header, field by field: "code / 代码 / …; name / …".
pub fn accepted_columns() -> String {
    SOCIETY_COLUMNS
        .iter()
        .map(|(_, aliases, _)| aliases.join(" / "))
        .collect::<Vec<_>>()
        .join("; ")
}

fn parse_bool(raw: &str) -> Option<bool> {
    match raw.trim().to_lowercase().as_str() {
        "" => None,
        "1" | "true" | "yes" | "y" | "是" | "启用" | "有效" => Some(true),
        "0" | "false" | "no" | "n" | "否" | "停用" | "无效" => Some(false),
        _ => None,
    }
}

pub fn parse_societies(file_name: &str, bytes: &[u8]) -> Result<Vec<SocietyInput>, ImportError> {
    let table: Table =
        read_table(file_name, bytes, &Limits::default()).map_err(ImportError::File)?;
    let mut index: HashMap<&str, usize> = HashMap::new();
    let mut missing = Vec::new();
    for (field, aliases, required) in SOCIETY_COLUMNS {
        match table.column(aliases) {
            Some(i) => {
                index.insert(field, i);
            }
            None if *required => missing.push(aliases[0].to_string()),
            None => {}
        }
    }
    if !missing.is_empty() {
        return Err(ImportError::MissingColumns(missing));
    }
    // A column the import does not know would be dropped without a word, and a value in it
    // lost: refuse the file and name the column.
    let unknown: Vec<String> = table
        .headers
        .iter()
        .enumerate()
        .filter(|(i, _)| !index.values().any(|j| j == i))
        .filter_map(|(i, h)| {
            if !h.trim().is_empty() {
                Some(h.trim().to_string())
            } else if table
                .rows
                .iter()
                .any(|r| r.cells.get(i).is_some_and(|c| !c.trim().is_empty()))
            {
                Some(format!("#{}", i + 1))
            } else {
                None
            }
        })
        .collect();
    if !unknown.is_empty() {
        return Err(ImportError::UnknownColumns(unknown));
    }
    let mut out = Vec::new();
    let mut errors = Vec::new();
    let mut seen: HashMap<String, usize> = HashMap::new();
    for row in &table.rows {
        let cell = |field: &str| -> String {
            index
                .get(field)
                .and_then(|i| row.cells.get(*i))
                .cloned()
                .unwrap_or_default()
        };
        let header = |field: &str| -> String {
            index
                .get(field)
                .and_then(|i| table.headers.get(*i))
                .cloned()
                .unwrap_or_else(|| field.to_string())
        };
        let active_raw = cell("active");
        let active = parse_bool(&active_raw);
        if !active_raw.trim().is_empty() && active.is_none() {
            errors.push(RowError {
                line: row.line,
                column: header("active"),
                error: FieldError::new("active", "err-bool").arg("value", active_raw.trim()),
            });
        }
        let raw = SocietyRaw {
            code: cell("code"),
            name: cell("name"),
            // Without the column the stored English name is kept.
            name_en: index.contains_key("name_en").then(|| cell("name_en")),
            short_name: cell("short_name"),
            discipline_group: cell("discipline_group"),
            supporting_unit: cell("supporting_unit"),
            contact_name: cell("contact_name"),
            contact_phone: cell("contact_phone"),
            contact_email: cell("contact_email"),
            active,
        };
        match raw.parse() {
            Ok(input) => {
                if let Some(first) = seen.insert(input.code.as_str().to_string(), row.line) {
                    errors.push(RowError {
                        line: row.line,
                        column: header("code"),
                        error: FieldError::new("code", "err-import-duplicate-code")
                            .arg("value", input.code.as_str())
                            .arg("row", first),
                    });
                }
                out.push(input);
            }
            Err(field_errors) => {
                for e in field_errors {
                    errors.push(RowError {
                        line: row.line,
                        column: header(&e.field),
                        error: e,
                    });
                }
            }
        }
    }
    // Two rows with one name but different codes would break the unique name rule.
    let mut names: HashMap<&str, usize> = HashMap::new();
    for (input, row) in out.iter().zip(&table.rows) {
        if let Some(first) = names.insert(input.name.as_str(), row.line) {
            errors.push(RowError {
                line: row.line,
                column: "name".into(),
                error: FieldError::new("name", "err-import-duplicate-name")
                    .arg("value", &input.name)
                    .arg("row", first),
            });
        }
    }
    if !errors.is_empty() {
        errors.sort_by_key(|e| e.line);
        return Err(ImportError::Rows(errors));
    }
    if out.is_empty() {
        return Err(ImportError::File(TabularError::Empty));
    }
    Ok(out)
}

/// The built-in registry of the 209 societies (shipped with the binary).
pub const BUILTIN_SOCIETIES_CSV: &str = include_str!("../../../data/societies-2017.csv");

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn builtin_registry_parses() {
        let rows = parse_societies("societies-2017.csv", BUILTIN_SOCIETIES_CSV.as_bytes()).unwrap();
        assert_eq!(rows.len(), 209);
        assert!(
            rows.iter()
                .any(|r| r.code.as_str() == "A-03" && r.name == "中国力学学会")
        );
    }

    #[test]
    fn every_bad_row_is_reported_with_its_line() {
        let csv = "代码,名称,学科\nA-01,中国数学会,理科\nX-1,,理科\nA-01,重复学会,理科\nB-02,某学会,文科\n";
        match parse_societies("x.csv", csv.as_bytes()) {
            Err(ImportError::Rows(rows)) => {
                let lines: Vec<_> = rows
                    .iter()
                    .map(|r| (r.line, r.error.key.as_str()))
                    .collect();
                assert!(lines.contains(&(3, "err-society-code")), "{lines:?}");
                assert!(lines.contains(&(3, "err-required")), "{lines:?}");
                assert!(
                    lines.contains(&(4, "err-import-duplicate-code")),
                    "{lines:?}"
                );
                assert!(lines.contains(&(5, "err-group")), "{lines:?}");
                assert_eq!(
                    rows.iter()
                        .find(|r| r.line == 3 && r.error.field == "code")
                        .unwrap()
                        .column,
                    "代码"
                );
            }
            other => panic!("expected row errors, got {other:?}"),
        }
    }

    #[test]
    fn gbk_csv_is_read() {
        let (bytes, _, _) = encoding_rs::GBK.encode("code,name,category\nA-03,中国力学学会,理科\n");
        let rows = parse_societies("gbk.csv", &bytes).unwrap();
        assert_eq!(rows[0].name, "中国力学学会");
    }

    #[test]
    fn unknown_columns_are_refused_by_name() {
        let csv = "代码,名称,学科,网址\nA-01,中国数学会,理科,https://cms.org.cn\n";
        match parse_societies("x.csv", csv.as_bytes()) {
            Err(ImportError::UnknownColumns(c)) => assert_eq!(c, vec!["网址".to_string()]),
            other => panic!("expected unknown columns, got {other:?}"),
        }
        // A column without a header but with values is named by its position.
        let csv = "代码,名称,\nA-01,中国数学会,x\n";
        match parse_societies("x.csv", csv.as_bytes()) {
            Err(ImportError::UnknownColumns(c)) => assert_eq!(c, vec!["#3".to_string()]),
            other => panic!("expected unknown columns, got {other:?}"),
        }
        // An empty trailing column (as spreadsheets write them) is not a column.
        let csv = "代码,名称,\nA-01,中国数学会,\n";
        assert_eq!(parse_societies("x.csv", csv.as_bytes()).unwrap().len(), 1);
        // 学科类别 is the discipline group.
        let csv = "代码,名称,学科类别\nA-01,中国数学会,理科\nB-01,某学会,文科\n";
        match parse_societies("x.csv", csv.as_bytes()) {
            Err(ImportError::Rows(rows)) => {
                assert_eq!(rows.len(), 1, "{rows:?}");
                assert_eq!((rows[0].line, rows[0].column.as_str()), (3, "学科类别"));
                assert_eq!(rows[0].error.key, "err-group");
            }
            other => panic!("expected a row error, got {other:?}"),
        }
    }

    #[test]
    fn missing_required_columns() {
        assert!(
            matches!(parse_societies("x.csv", b"foo,bar\n1,2\n"), Err(ImportError::MissingColumns(c)) if c == vec!["code".to_string(), "name".to_string()])
        );
    }
}

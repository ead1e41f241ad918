//! The error type, with user-facing messages in Chinese and English.

use std::fmt;

/// Message used in [`TabularError::Csv`] when a quoted field is never closed.
pub(crate) const UNCLOSED_QUOTE: &str = "unclosed quoted field";

/// Why an uploaded spreadsheet could not be read.
///
/// Every variant carries the data a caller needs to tell the user precisely what
/// is wrong; [`TabularError::message_zh`] and [`TabularError::message_en`] render
/// ready-made messages. `line` is always the 1-based row number as the user sees
/// it in Excel (the header row of a normal sheet is 1), and `column` is 1-based
/// (1 = column A).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TabularError {
    /// The file is empty or has no non-blank row at all.
    Empty,
    /// The content is not a spreadsheet we can read. `hint` names what was
    /// detected: one of "PDF", "PNG", "JPEG", "GIF", "RAR", "7Z", "GZIP",
    /// "ZIP", "DOCX", "PPTX", "ODS", "XLSB", "HTML", "XML", "UTF-16" or "binary".
    UnsupportedFormat {
        /// What the content looks like (a short, language-neutral tag).
        hint: &'static str,
    },
    /// An OLE compound file: an Excel 97-2003 `.xls` workbook (or a WPS `.et`, or
    /// a password-protected `.xlsx`). The user must save it as `.xlsx`.
    LegacyXls,
    /// Text that is neither UTF-8 nor valid GB18030/GBK.
    Encoding,
    /// The upload is larger than `limit` bytes.
    TooLarge {
        /// The maximum size in bytes.
        limit: usize,
    },
    /// More than `limit` data rows (the header row and blank rows not counted).
    TooManyRows {
        /// The maximum number of data rows.
        limit: usize,
    },
    /// A row has a non-empty cell beyond column number `limit`.
    TooManyColumns {
        /// The maximum number of columns.
        limit: usize,
    },
    /// A cell holds more characters than allowed.
    CellTooLong {
        /// 1-based row number.
        line: usize,
        /// 1-based column number (1 = A).
        column: usize,
    },
    /// The `.xlsx` archive would expand to too much data, or compresses
    /// suspiciously well (a "zip bomb").
    ZipBomb,
    /// The CSV text is malformed at `line`.
    Csv {
        /// 1-based line where the faulty record starts.
        line: usize,
        /// Technical detail (English).
        message: String,
    },
    /// The `.xlsx` file is damaged or not a workbook calamine can read.
    Xlsx {
        /// Technical detail (English).
        message: String,
    },
    /// Two header cells have the same name (compared case-insensitively for ASCII).
    DuplicateHeader {
        /// The repeated name, as written in the second occurrence.
        name: String,
    },
    /// A cell holds an Excel error value such as `#N/A` or `#DIV/0!`.
    CellError {
        /// The cell reference, e.g. "B7".
        cell: String,
    },
}

impl fmt::Display for TabularError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message_en())
    }
}

/// Excel column letters for a 1-based column number (1 → "A", 27 → "AA").
pub fn column_letters(column: usize) -> String {
    let mut n = column;
    let mut letters = Vec::new();
    while n > 0 {
        let rem = (n - 1) % 26;
        // `rem` < 26, so this is always an ASCII capital letter.
        letters.push(char::from(b'A' + rem as u8));
        n = (n - 1) / 26;
    }
    letters.iter().rev().collect()
}

/// A byte count for people: "10 MiB", "512 KiB", "300 bytes".
fn human_bytes(bytes: usize) -> String {
    const KIB: usize = 1024;
    const MIB: usize = 1024 * 1024;
    if bytes >= MIB && bytes.is_multiple_of(MIB) {
        format!("{} MiB", bytes / MIB)
    } else if bytes >= MIB {
        format!("{:.1} MiB", bytes as f64 / MIB as f64)
    } else if bytes >= KIB && bytes.is_multiple_of(KIB) {
        format!("{} KiB", bytes / KIB)
    } else {
        format!("{bytes} bytes")
    }
}

fn hint_zh(hint: &str) -> &str {
    match hint {
        "PDF" => "PDF 文档",
        "PNG" | "JPEG" | "GIF" => "图片",
        "RAR" | "7Z" | "GZIP" | "ZIP" => "压缩包",
        "DOCX" => "Word 文档",
        "PPTX" => "PowerPoint 演示文稿",
        "ODS" => "OpenDocument 表格（.ods）",
        "XLSB" => "Excel 二进制工作簿（.xlsb）",
        "HTML" => "网页（HTML）文件",
        "XML" => "XML 文件",
        "UTF-16" => "Unicode（UTF-16）文本",
        _ => "二进制文件",
    }
}

fn hint_en(hint: &str) -> &str {
    match hint {
        "PDF" => "a PDF document",
        "PNG" | "JPEG" | "GIF" => "an image",
        "RAR" | "7Z" | "GZIP" | "ZIP" => "a compressed archive",
        "DOCX" => "a Word document",
        "PPTX" => "a PowerPoint presentation",
        "ODS" => "an OpenDocument spreadsheet (.ods)",
        "XLSB" => "an Excel binary workbook (.xlsb)",
        "HTML" => "a web page (HTML)",
        "XML" => "an XML file",
        "UTF-16" => "Unicode (UTF-16) text",
        _ => "a binary file",
    }
}

impl TabularError {
    /// A clear, specific message in Simplified Chinese.
    pub fn message_zh(&self) -> String {
        const SAVE_AS: &str =
            "请在 Excel 或 WPS 中“另存为”Excel 工作簿（.xlsx）或 CSV 文件后重新上传。";
        match self {
            Self::Empty => "文件为空，没有任何数据。".to_owned(),
            Self::UnsupportedFormat { hint } => {
                format!("不支持的文件格式：这是{}。{SAVE_AS}", hint_zh(hint))
            }
            Self::LegacyXls => {
                "这是旧版 Excel 97-2003 格式（.xls）或设置了密码的工作簿，无法读取。\
                 请在 Excel 或 WPS 中“另存为”Excel 工作簿（.xlsx，不设密码）后重新上传。"
                    .to_owned()
            }
            Self::Encoding => "无法识别文件的文字编码（既不是 UTF-8，也不是 GBK/GB18030）。\
                 请在 Excel 中“另存为”CSV UTF-8（逗号分隔）或 Excel 工作簿（.xlsx）后重新上传。"
                .to_owned(),
            Self::TooLarge { limit } => {
                format!(
                    "文件太大，超过上限 {}。请拆分后分批上传。",
                    human_bytes(*limit)
                )
            }
            Self::TooManyRows { limit } => {
                format!("数据行数超过上限 {limit} 行。请拆分后分批导入。")
            }
            Self::TooManyColumns { limit } => {
                format!("列数超过上限 {limit} 列。请删除多余的列后重新上传。")
            }
            Self::CellTooLong { line, column } => format!(
                "第 {line} 行 {} 列：单元格内容太长，请缩短后重新上传。",
                column_letters(*column)
            ),
            Self::ZipBomb => {
                "Excel 文件解压后的数据量异常（超出允许范围或压缩比异常），已拒绝读取。\
                 请检查文件，或另存为 CSV 后重新上传。"
                    .to_owned()
            }
            Self::Csv { line, message } if message == UNCLOSED_QUOTE => format!(
                "第 {line} 行：以英文双引号（\"）开头的单元格缺少结束的双引号，文件格式不正确。"
            ),
            Self::Csv { line, message } => {
                format!("第 {line} 行：CSV 格式错误（{message}）。")
            }
            Self::Xlsx { message } => {
                format!("无法读取该 Excel 文件，文件可能已损坏（{message}）。{SAVE_AS}")
            }
            Self::DuplicateHeader { name } => {
                format!("表头中有重复的列名“{name}”。请保证每一列的名称各不相同。")
            }
            Self::CellError { cell } => format!(
                "单元格 {cell} 是错误值（如 #N/A、#DIV/0!、#REF!）。请在 Excel 中修正后重新上传。"
            ),
        }
    }

    /// A clear, specific message in English.
    pub fn message_en(&self) -> String {
        const SAVE_AS: &str = "Please use \"Save As\" in Excel or WPS to save it as an Excel workbook (.xlsx) or a CSV file, then upload it again.";
        match self {
            Self::Empty => "The file is empty: it contains no data.".to_owned(),
            Self::UnsupportedFormat { hint } => {
                format!("Unsupported file format: this is {}. {SAVE_AS}", hint_en(hint))
            }
            Self::LegacyXls => "This is an old Excel 97-2003 workbook (.xls) or a password-protected \
                 workbook, which cannot be read. Please use \"Save As\" in Excel or WPS to save it \
                 as an Excel workbook (.xlsx, without a password), then upload it again."
                .to_owned(),
            Self::Encoding => "The text encoding of the file is not recognised (neither UTF-8 nor \
                 GBK/GB18030). Please save it from Excel as \"CSV UTF-8 (Comma delimited)\" or as \
                 an Excel workbook (.xlsx), then upload it again."
                .to_owned(),
            Self::TooLarge { limit } => format!(
                "The file is too large: the limit is {}. Please split it and upload the parts separately.",
                human_bytes(*limit)
            ),
            Self::TooManyRows { limit } => format!(
                "Too many data rows: the limit is {limit}. Please split the file and import it in parts."
            ),
            Self::TooManyColumns { limit } => format!(
                "Too many columns: the limit is {limit}. Please remove the extra columns and upload again."
            ),
            Self::CellTooLong { line, column } => format!(
                "row {line}, column {}: the cell is too long. Please shorten it and upload again.",
                column_letters(*column)
            ),
            Self::ZipBomb => "The Excel file would expand to an abnormal amount of data (too large \
                 or suspiciously compressed), so it was rejected. Please check the file, or save it \
                 as CSV and upload again."
                .to_owned(),
            Self::Csv { line, message } if message == UNCLOSED_QUOTE => format!(
                "row {line}: a cell starts with a double quote (\") that is never closed, so the file is malformed."
            ),
            Self::Csv { line, message } => format!("row {line}: malformed CSV ({message})."),
            Self::Xlsx { message } => format!(
                "The Excel file cannot be read and may be damaged ({message}). {SAVE_AS}"
            ),
            Self::DuplicateHeader { name } => format!(
                "The header has the column name \"{name}\" more than once. Please make every column name unique."
            ),
            Self::CellError { cell } => format!(
                "Cell {cell} holds an error value (such as #N/A, #DIV/0! or #REF!). Please fix it in Excel and upload again."
            ),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn column_letters_work() {
        assert_eq!(column_letters(1), "A");
        assert_eq!(column_letters(26), "Z");
        assert_eq!(column_letters(27), "AA");
        assert_eq!(column_letters(52), "AZ");
        assert_eq!(column_letters(703), "AAA");
        assert_eq!(column_letters(16_384), "XFD");
    }

    #[test]
    fn human_bytes_work() {
        assert_eq!(human_bytes(10 * 1024 * 1024), "10 MiB");
        assert_eq!(human_bytes(1536 * 1024), "1.5 MiB");
        assert_eq!(human_bytes(2048), "2 KiB");
        assert_eq!(human_bytes(300), "300 bytes");
    }
}

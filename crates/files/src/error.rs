//! Errors of the evidence store, with user-facing messages in Chinese and English.

/// Why a file could not be stored or read.
#[derive(Debug, thiserror::Error)]
pub enum FileError {
    /// The upload exceeded `max_bytes` (nothing was kept).
    #[error("file exceeds the size limit of {limit} bytes")]
    TooLarge { limit: u64 },
    /// The upload had no bytes.
    #[error("empty file")]
    Empty,
    /// The content is not one of the allowed kinds; `detected` says what it looks like
    /// (`exe`, `html`, `zip`, `ole`, `docm`, `binary`, …) when known.
    #[error("file type not allowed (detected: {})", .detected.as_deref().unwrap_or("unknown"))]
    TypeNotAllowed { detected: Option<String> },
    /// No stored object with that SHA-256, or the name is not a SHA-256.
    #[error("file not found")]
    NotFound,
    /// Storage failure on the server side (details are for the log, not for the user).
    #[error("storage I/O error: {0}")]
    Io(#[from] std::io::Error),
    /// The upload stream itself failed (client disconnected, malformed multipart, …).
    #[error("upload failed: {0}")]
    Upload(String),
}

impl FileError {
    pub(crate) fn not_allowed(label: &str) -> FileError {
        FileError::TypeNotAllowed {
            detected: Some(label.to_owned()),
        }
    }

    /// Suggested HTTP status: 413, 400, 415, 404, 500, 400.
    pub fn http_status(&self) -> u16 {
        match self {
            FileError::TooLarge { .. } => 413,
            FileError::Empty | FileError::Upload(_) => 400,
            FileError::TypeNotAllowed { .. } => 415,
            FileError::NotFound => 404,
            FileError::Io(_) => 500,
        }
    }

    /// Message for the user, in Chinese. Never contains server paths.
    pub fn message_zh(&self) -> String {
        match self {
            FileError::TooLarge { limit } => format!(
                "文件超过大小上限 {} MB，请压缩或拆分后重新上传。",
                format_mb(*limit)
            ),
            FileError::Empty => "文件是空的（0 字节），请选择正确的文件。".to_owned(),
            FileError::TypeNotAllowed { detected } => {
                let seen = detected
                    .as_deref()
                    .map(|d| format!("（检测到：{}）", describe_zh(d)))
                    .unwrap_or_default();
                format!(
                    "不支持此文件类型{seen}。文件类型按内容判断，与文件名无关。\
                     允许上传：PDF、PNG 或 JPEG 图片、Word（.docx）、Excel（.xlsx）、CSV、纯文本（UTF-8 或 GBK 编码）。"
                )
            }
            FileError::NotFound => "文件不存在或已被删除。".to_owned(),
            FileError::Io(_) => {
                "服务器保存或读取文件时出错，请稍后重试；如仍失败请联系管理员。".to_owned()
            }
            FileError::Upload(detail) => format!("上传未完成（{detail}），请重新上传。"),
        }
    }

    /// Message for the user, in English. Never contains server paths.
    pub fn message_en(&self) -> String {
        match self {
            FileError::TooLarge { limit } => format!(
                "The file exceeds the size limit of {} MB. Please compress or split it and upload again.",
                format_mb(*limit)
            ),
            FileError::Empty => "The file is empty (0 bytes). Please choose the right file.".to_owned(),
            FileError::TypeNotAllowed { detected } => {
                let seen = detected
                    .as_deref()
                    .map(|d| format!(" (detected: {})", describe_en(d)))
                    .unwrap_or_default();
                format!(
                    "This file type is not allowed{seen}. The type is decided by the file's content, not its name. \
                     Allowed: PDF, PNG or JPEG images, Word (.docx), Excel (.xlsx), CSV, plain text (UTF-8 or GBK)."
                )
            }
            FileError::NotFound => "The file does not exist or has been deleted.".to_owned(),
            FileError::Io(_) => "The server could not store or read the file. Please try again later; if it keeps failing, contact the administrator.".to_owned(),
            FileError::Upload(detail) => format!("The upload did not complete ({detail}). Please upload again."),
        }
    }
}

/// A limit in MB (MiB), e.g. `20`, `0.5`, `1.25`.
fn format_mb(bytes: u64) -> String {
    const MIB: u64 = 1024 * 1024;
    if bytes.is_multiple_of(MIB) {
        return (bytes / MIB).to_string();
    }
    let mb = bytes as f64 / MIB as f64;
    let trim = |s: String| s.trim_end_matches('0').trim_end_matches('.').to_owned();
    let two = trim(format!("{mb:.2}"));
    if two != "0" {
        two
    } else {
        trim(format!("{mb:.6}"))
    }
}

fn describe_zh(label: &str) -> String {
    match label {
        "exe" => "Windows 可执行程序".to_owned(),
        "elf" | "macho" => "可执行程序".to_owned(),
        "ole" => "旧版 Office 文件（.doc/.xls），请另存为 .docx/.xlsx".to_owned(),
        "zip" => "ZIP 压缩包".to_owned(),
        "docm" | "xlsm" => "含宏的 Office 文件，请另存为不含宏的 .docx/.xlsx".to_owned(),
        "pptx" => "PowerPoint 演示文稿，请转换为 PDF".to_owned(),
        "html" => "网页（HTML）".to_owned(),
        "svg" => "SVG 图片".to_owned(),
        "xml" => "XML 文件".to_owned(),
        "rar" | "7z" | "gzip" => "压缩包".to_owned(),
        "gif" | "bmp" | "tiff" | "webp" => {
            format!("{} 图片，请转换为 PNG 或 JPEG", label.to_uppercase())
        }
        "utf-16" => "UTF-16 编码的文本，请另存为 UTF-8".to_owned(),
        "pdf-invalid" => "损坏的 PDF".to_owned(),
        "binary" => "无法识别的内容；文本文件须为 UTF-8 或 GBK 编码".to_owned(),
        other => other.to_owned(),
    }
}

fn describe_en(label: &str) -> String {
    match label {
        "exe" => "a Windows program".to_owned(),
        "elf" | "macho" => "a program".to_owned(),
        "ole" => "a legacy Office file (.doc/.xls); please save it as .docx/.xlsx".to_owned(),
        "zip" => "a ZIP archive".to_owned(),
        "docm" | "xlsm" => {
            "an Office file with macros; please save it as .docx/.xlsx without macros".to_owned()
        }
        "pptx" => "a PowerPoint presentation; please convert it to PDF".to_owned(),
        "html" => "a web page (HTML)".to_owned(),
        "svg" => "an SVG image".to_owned(),
        "xml" => "an XML file".to_owned(),
        "rar" | "7z" | "gzip" => "a compressed archive".to_owned(),
        "gif" | "bmp" | "tiff" | "webp" => format!(
            "a {} image; please convert it to PNG or JPEG",
            label.to_uppercase()
        ),
        "utf-16" => "UTF-16 text; please save it as UTF-8".to_owned(),
        "pdf-invalid" => "a damaged PDF".to_owned(),
        "binary" => "unrecognised content; text files must be UTF-8 or GBK".to_owned(),
        other => other.to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn messages_name_the_limit_in_mb() {
        let e = FileError::TooLarge {
            limit: 20 * 1024 * 1024,
        };
        assert!(e.message_zh().contains("20 MB"), "{}", e.message_zh());
        assert!(e.message_en().contains("20 MB"), "{}", e.message_en());
        assert_eq!(format_mb(512 * 1024), "0.5");
        assert_eq!(format_mb(1024 * 1024 + 256 * 1024), "1.25");
        assert_eq!(format_mb(1000), "0.000954");
        assert_eq!(e.http_status(), 413);
    }

    #[test]
    fn type_messages_are_specific() {
        let e = FileError::not_allowed("ole");
        assert!(e.message_zh().contains(".docx"));
        assert!(e.message_en().contains("legacy Office"));
        let e = FileError::TypeNotAllowed { detected: None };
        assert!(e.message_en().starts_with("This file type is not allowed."));
        let io = FileError::Io(std::io::Error::other("/secret/path"));
        assert!(!io.message_en().contains("/secret"));
        assert!(!io.message_zh().contains("/secret"));
    }
}

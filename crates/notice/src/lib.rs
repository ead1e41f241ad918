//! The official assessment notice (通报) as a PDF in Chinese official-document style
//! (GB/T 9704 党政机关公文格式 as a guide), rendered by typst used as a library.
//!
//! With the `render` feature (off by default; see the crate README):
//!
//! ```ignore
//! use reformwatch_notice::{fonts_from_dir, render_pdf, Notice};
//! # fn main() -> Result<(), reformwatch_notice::NoticeError> {
//! let fonts = fonts_from_dir(std::path::Path::new(reformwatch_notice::DEFAULT_FONTS_DIR))?;
//! let notice = Notice::default(); // fill in the fields
//! let pdf: Vec<u8> = render_pdf(&notice, &fonts)?;
//! # let _ = pdf; Ok(()) }
//! ```
//!
//! How it is safe: the notice's text never becomes typst markup. The template
//! (`src/notice.typ`, compiled into the crate) is the only source file; the notice is
//! serialised to JSON and served as a second, virtual file that the template reads with
//! `json()`, so every name and reason arrives as a typst *string* and is set as plain text
//! (`#`, `*`, `[`, `$`, `\`, `<`, `@`, `_` stay literal). The typst world has no file system,
//! no network and no packages: only those two files and the fonts passed in.

use std::path::PathBuf;

use serde::{Deserialize, Serialize};

#[cfg(feature = "render")]
mod render;
#[cfg(feature = "render")]
pub use render::{Fonts, fonts_from_dir, render_pdf};

/// Where Debian's `fonts-noto-cjk` puts the Noto CJK collections.
pub const DEFAULT_FONTS_DIR: &str = "/usr/share/fonts/opentype/noto";
/// Where system fonts live on Linux: [`fonts_from_dir`] searches it with its subfolders.
pub const SYSTEM_FONTS_DIR: &str = "/usr/share/fonts";

/// The serif family: body text (仿宋-like), and in bold the title and the red header (小标宋 look).
pub const SERIF_FAMILY: &str = "Noto Serif CJK SC";
/// The sans family: headings of the lists and table headers (黑体 look).
pub const SANS_FAMILY: &str = "Noto Sans CJK SC";

/// One notice. Every field is plain text; nothing is interpreted as markup.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Notice {
    /// 发文字号, e.g. `科协发学字〔2018〕1号`.
    pub doc_number: String,
    /// 标题, e.g. `中国科协关于2017年度学会综合治理改革考核结果的通报`.
    pub title: String,
    /// The title as it is set, line by line, when it is too long for one line (GB/T 9704:
    /// a title breaks between words, never inside one; Chinese gives the typesetter no word
    /// boundaries, so the author chooses them). Joined, the lines are `title`; empty: the
    /// title as one line, broken wherever it must.
    #[serde(default)]
    pub title_lines: Vec<String>,
    /// 主送机关 with its colon, e.g. `各全国学会：`.
    pub addressee: String,
    /// 正文, one string per paragraph (each indented by two characters).
    pub body: Vec<String>,
    /// 表扬: the commended societies with their score and subsidy, in the order given.
    pub commended: Vec<CommendedRow>,
    /// 通报批评: the criticised societies with their reasons, in the order given.
    pub criticised: Vec<CriticisedRow>,
    /// Paragraphs after the lists (indented like the body), before the signature.
    #[serde(default)]
    pub closing: Vec<String>,
    /// 发文机关署名, e.g. `中国科学技术协会`; the red header reads `<issuing_body>文件`.
    pub issuing_body: String,
    /// 成文日期 as it is printed, e.g. `2018年1月15日`.
    pub date: String,
    /// 附注 under the date in small type (e.g. the SHA-256 of the published results); empty:
    /// none.
    #[serde(default)]
    pub note: String,
}

/// The headings and table headers of the lists, shared by every rendering of a notice (the
/// PDF's template receives them with the data; the server's printable page uses them too).
pub mod labels {
    /// Heading of the commended list (after its number, e.g. `一、`).
    pub const COMMENDED: &str = "表扬的学会及奖补金额";
    /// Heading of the criticised list.
    pub const CRITICISED: &str = "通报批评的学会及原因";
    pub const NUMBER: &str = "序号";
    pub const NAME: &str = "学会名称";
    pub const SCORE: &str = "考核得分";
    pub const YUAN: &str = "奖补金额（元）";
    pub const REASONS: &str = "通报批评原因";
    /// The numbers of the lists in the order they appear: an empty list is left out and the
    /// next one takes its number.
    pub const NUMERALS: [&str; 2] = ["一", "二"];
}

impl Notice {
    /// The lists that appear, in order, each with its heading (`一、表扬的学会及奖补金额`):
    /// an empty list is left out and the other is numbered 一.
    pub fn headings(&self) -> (Option<String>, Option<String>) {
        let mut numerals = labels::NUMERALS.iter();
        let mut next = |title: &str| {
            numerals
                .next()
                .map(|numeral| format!("{numeral}、{title}"))
                .unwrap_or_default()
        };
        let commended = (!self.commended.is_empty()).then(|| next(labels::COMMENDED));
        let criticised = (!self.criticised.is_empty()).then(|| next(labels::CRITICISED));
        (commended, criticised)
    }
}

/// A commended society: the texts are printed as given (format numbers before).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CommendedRow {
    /// The society's name, e.g. `中国数学会`.
    pub name: String,
    /// The final score as printed, e.g. `92.50`.
    pub score: String,
    /// The subsidy in yuan as printed, e.g. `300,000`.
    pub yuan: String,
}

/// A criticised society and why (each reason one line, e.g. quoting the clause).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CriticisedRow {
    pub name: String,
    pub reasons: Vec<String>,
}

/// Why a notice could not be made.
#[derive(Debug, thiserror::Error)]
pub enum NoticeError {
    #[error("cannot read fonts from {path}: {source}")]
    FontsDir {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error(
        "font {family} ({weight}) not found{where_}; install Debian's fonts-noto-cjk or pass the folder that holds NotoSerifCJK-*.ttc and NotoSansCJK-*.ttc"
    )]
    MissingFont {
        family: &'static str,
        weight: &'static str,
        where_: String,
    },
    #[error("typst could not typeset the notice: {0}")]
    Typeset(String),
    #[error("typst could not write the PDF: {0}")]
    Pdf(String),
    #[error("could not serialise the notice: {0}")]
    Data(#[from] serde_json::Error),
}

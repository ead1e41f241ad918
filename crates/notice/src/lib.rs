//! The official assessment notice (通报) as a PDF in Chinese official-document style
//! (GB/T 9704 党政机关公文格式 as a guide), rendered by typst used as a library.
//!
//! ```no_run
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

use std::path::{Path, PathBuf};
use std::sync::LazyLock;

use serde::{Deserialize, Serialize};
use typst::diag::{FileError, FileResult, SourceDiagnostic};
use typst::foundations::{Bytes, Datetime};
use typst::layout::PagedDocument;
use typst::syntax::{FileId, Source, VirtualPath};
use typst::text::{Font, FontBook, FontInfo, FontStyle, FontWeight};
use typst::utils::LazyHash;
use typst::{Library, LibraryExt, World};

/// Where Debian's `fonts-noto-cjk` puts the Noto CJK collections.
pub const DEFAULT_FONTS_DIR: &str = "/usr/share/fonts/opentype/noto";

/// The serif family: body text (仿宋-like), and in bold the title and the red header (小标宋 look).
pub const SERIF_FAMILY: &str = "Noto Serif CJK SC";
/// The sans family: headings of the lists and table headers (黑体 look).
pub const SANS_FAMILY: &str = "Noto Sans CJK SC";

/// The template, compiled into the crate; the notice's data never goes into it.
const TEMPLATE: &str = include_str!("notice.typ");
const MAIN_PATH: &str = "/notice.typ";
const DATA_PATH: &str = "/notice.json";

/// One notice. Every field is plain text; nothing is interpreted as markup.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Notice {
    /// 发文字号, e.g. `科协发学字〔2018〕1号`.
    pub doc_number: String,
    /// 标题, e.g. `中国科协关于2017年度学会综合治理改革考核结果的通报`.
    pub title: String,
    /// 主送机关 with its colon, e.g. `各全国学会：`.
    pub addressee: String,
    /// 正文, one string per paragraph (each indented by two characters).
    pub body: Vec<String>,
    /// 表扬: the commended societies with their score and subsidy, in the order given.
    pub commended: Vec<CommendedRow>,
    /// 通报批评: the criticised societies with their reasons, in the order given.
    pub criticised: Vec<CriticisedRow>,
    /// 发文机关署名, e.g. `中国科学技术协会`; the red header reads `<issuing_body>文件`.
    pub issuing_body: String,
    /// 成文日期 as it is printed, e.g. `2018年1月15日`.
    pub date: String,
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

/// The faces the notice needs, from font files passed in explicitly (never embedded in the
/// binary). Cheap to clone: the font data is shared.
#[derive(Clone)]
pub struct Fonts {
    book: LazyHash<FontBook>,
    fonts: Vec<Font>,
}

impl std::fmt::Debug for Fonts {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let faces: Vec<String> = self
            .fonts
            .iter()
            .map(|font| format!("{} {:?}", font.info().family, font.info().variant.weight))
            .collect();
        f.debug_struct("Fonts").field("faces", &faces).finish()
    }
}

/// The faces the template uses: (family, weight, weight's name). Sans regular is not used.
const REQUIRED: [(&str, FontWeight, &str); 3] = [
    (SERIF_FAMILY, FontWeight::REGULAR, "regular"),
    (SERIF_FAMILY, FontWeight::BOLD, "bold"),
    (SANS_FAMILY, FontWeight::BOLD, "bold"),
];

fn wanted(info: &FontInfo) -> bool {
    info.variant.style == FontStyle::Normal
        && REQUIRED.iter().any(|(family, weight, _)| {
            info.family.eq_ignore_ascii_case(family) && info.variant.weight == *weight
        })
}

impl Fonts {
    /// Picks the Simplified Chinese faces the notice uses out of the given font files (`.ttc`
    /// collections or single `.otf`/`.ttf` faces): Noto Serif CJK SC regular and bold, Noto Sans
    /// CJK SC bold. Every other face (the JP/KR/TC/HK members of a collection, other weights) is
    /// left out, and a file without a wanted face is dropped. Fails naming the first missing
    /// face.
    pub fn from_files(files: impl IntoIterator<Item = Vec<u8>>) -> Result<Fonts, NoticeError> {
        Self::select(files, "")
    }

    fn select(
        files: impl IntoIterator<Item = Vec<u8>>,
        where_: &str,
    ) -> Result<Fonts, NoticeError> {
        let mut fonts = Vec::new();
        for data in files {
            let indices: Vec<u32> = (0..faces_in(&data))
                .filter(|&index| FontInfo::new(&data, index).is_some_and(|info| wanted(&info)))
                .collect();
            if indices.is_empty() {
                continue;
            }
            let bytes = Bytes::new(data);
            fonts.extend(
                indices
                    .into_iter()
                    .filter_map(|index| Font::new(bytes.clone(), index)),
            );
        }
        for (family, weight, weight_name) in REQUIRED {
            let found = fonts.iter().any(|font| {
                font.info().family.eq_ignore_ascii_case(family)
                    && font.info().variant.weight == weight
            });
            if !found {
                return Err(NoticeError::MissingFont {
                    family,
                    weight: weight_name,
                    where_: where_.to_string(),
                });
            }
        }
        let book = FontBook::from_fonts(&fonts);
        Ok(Fonts {
            book: LazyHash::new(book),
            fonts,
        })
    }

    /// The faces kept, as `(family, weight)` (e.g. `("Noto Serif CJK SC", 700)`).
    pub fn faces(&self) -> Vec<(String, u16)> {
        self.fonts
            .iter()
            .map(|font| {
                (
                    font.info().family.clone(),
                    font.info().variant.weight.to_number(),
                )
            })
            .collect()
    }
}

/// How many faces a font file holds: a collection (`ttcf`) says so in its header (capped: Noto
/// CJK collections hold 10); any other file is one face (or none, which parsing finds out).
fn faces_in(data: &[u8]) -> u32 {
    match data {
        [b't', b't', b'c', b'f', _, _, _, _, a, b, c, d, ..] => {
            u32::from_be_bytes([*a, *b, *c, *d]).min(64)
        }
        _ => 1,
    }
}

/// Reads the font files in `dir` (not its subfolders) whose names end in `.ttc`, `.otf` or
/// `.ttf` and keeps the faces the notice needs ([`Fonts::from_files`]). On Debian with
/// `fonts-noto-cjk` that is [`DEFAULT_FONTS_DIR`]. Files that do not look like Noto CJK (name
/// without `CJK`) are skipped unread, so pointing at a big font folder stays cheap.
pub fn fonts_from_dir(dir: &Path) -> Result<Fonts, NoticeError> {
    let io = |source| NoticeError::FontsDir {
        path: dir.to_path_buf(),
        source,
    };
    let mut paths: Vec<PathBuf> = std::fs::read_dir(dir)
        .map_err(io)?
        .filter_map(|entry| entry.ok().map(|entry| entry.path()))
        .filter(|path| {
            let name = path
                .file_name()
                .map(|name| name.to_string_lossy().to_ascii_lowercase())
                .unwrap_or_default();
            name.contains("cjk")
                && (name.ends_with(".ttc") || name.ends_with(".otf") || name.ends_with(".ttf"))
        })
        .collect();
    paths.sort();
    let mut files = Vec::with_capacity(paths.len());
    for path in paths {
        let data = std::fs::read(&path).map_err(|source| NoticeError::FontsDir {
            path: path.clone(),
            source,
        })?;
        files.push(data);
    }
    Fonts::select(files, &format!(" in {}", dir.display()))
}

/// Typesets the notice and returns the PDF's bytes (A4). The same notice and fonts give the
/// same bytes: the PDF carries no creation date and the typst world's "today" is fixed.
pub fn render_pdf(notice: &Notice, fonts: &Fonts) -> Result<Vec<u8>, NoticeError> {
    let world = NoticeWorld::new(notice, fonts)?;
    let result = typst::compile::<PagedDocument>(&world).output;
    let pdf = match result {
        Ok(document) => typst_pdf::pdf(&document, &typst_pdf::PdfOptions::default())
            .map_err(|errors| NoticeError::Pdf(describe(&errors))),
        Err(errors) => Err(NoticeError::Typeset(describe(&errors))),
    };
    // typst memoises across compilations; keep a long-running server's memory flat.
    typst::comemo::evict(0);
    pdf
}

fn describe(errors: &[SourceDiagnostic]) -> String {
    errors
        .iter()
        .map(|error| error.message.to_string())
        .collect::<Vec<_>>()
        .join("; ")
}

/// The typst world of one notice: the template, the notice as JSON, the fonts. Nothing else.
struct NoticeWorld {
    book: LazyHash<FontBook>,
    fonts: Vec<Font>,
    main: Source,
    data: Bytes,
}

/// typst's standard library, built once per process.
static LIBRARY: LazyLock<LazyHash<Library>> = LazyLock::new(|| LazyHash::new(Library::default()));

/// The two virtual files (interned by typst, so the same ids every time).
fn main_id() -> FileId {
    FileId::new(None, VirtualPath::new(MAIN_PATH))
}

fn data_id() -> FileId {
    FileId::new(None, VirtualPath::new(DATA_PATH))
}

impl NoticeWorld {
    fn new(notice: &Notice, fonts: &Fonts) -> Result<NoticeWorld, NoticeError> {
        let data = serde_json::to_vec(notice)?;
        Ok(NoticeWorld {
            book: fonts.book.clone(),
            fonts: fonts.fonts.clone(),
            main: Source::new(main_id(), TEMPLATE.to_string()),
            data: Bytes::new(data),
        })
    }
}

impl World for NoticeWorld {
    fn library(&self) -> &LazyHash<Library> {
        &LIBRARY
    }

    fn book(&self) -> &LazyHash<FontBook> {
        &self.book
    }

    fn main(&self) -> FileId {
        self.main.id()
    }

    fn source(&self, id: FileId) -> FileResult<Source> {
        if id == self.main.id() {
            Ok(self.main.clone())
        } else {
            Err(FileError::NotFound(id.vpath().as_rootless_path().into()))
        }
    }

    fn file(&self, id: FileId) -> FileResult<Bytes> {
        if id == data_id() {
            Ok(self.data.clone())
        } else {
            Err(FileError::NotFound(id.vpath().as_rootless_path().into()))
        }
    }

    fn font(&self, index: usize) -> Option<Font> {
        self.fonts.get(index).cloned()
    }

    /// Fixed: the notice prints its own date; nothing may depend on the machine's clock.
    fn today(&self, _offset: Option<i64>) -> Option<Datetime> {
        Datetime::from_ymd(2000, 1, 1)
    }
}

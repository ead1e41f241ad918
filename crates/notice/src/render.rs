//! Rendering with typst (feature `render`): the fonts, the typst world of one notice, the PDF.

use std::path::{Path, PathBuf};
use std::sync::LazyLock;

use serde::Serialize;
use typst::diag::{FileError, FileResult, SourceDiagnostic};
use typst::foundations::{Bytes, Datetime};
use typst::layout::PagedDocument;
use typst::syntax::{FileId, Source, VirtualPath};
use typst::text::{Font, FontBook, FontInfo, FontStyle, FontWeight};
use typst::utils::LazyHash;
use typst::{Library, LibraryExt, World};

use crate::{Notice, NoticeError, SANS_FAMILY, SERIF_FAMILY, labels};

/// The template, compiled into the crate; the notice's data never goes into it.
const TEMPLATE: &str = include_str!("notice.typ");
const MAIN_PATH: &str = "/notice.typ";
const DATA_PATH: &str = "/notice.json";

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
        let mut picker = Picker::default();
        for data in files {
            picker.add(data);
        }
        picker.finish(where_)
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

/// Collects the wanted faces file by file: the first face found of each wanted (family,
/// weight) is kept (a second copy of a collection elsewhere in the folder is not read into the
/// book twice), and a file none of whose faces is kept is dropped at once.
#[derive(Default)]
struct Picker {
    fonts: Vec<Font>,
}

impl Picker {
    fn has(&self, family: &str, weight: FontWeight) -> bool {
        self.fonts.iter().any(|font| {
            font.info().family.eq_ignore_ascii_case(family) && font.info().variant.weight == weight
        })
    }

    fn complete(&self) -> bool {
        REQUIRED
            .iter()
            .all(|(family, weight, _)| self.has(family, *weight))
    }

    fn add(&mut self, data: Vec<u8>) {
        let mut indices: Vec<u32> = Vec::new();
        let mut taken: Vec<(String, FontWeight)> = Vec::new();
        for index in 0..faces_in(&data) {
            let Some(info) = FontInfo::new(&data, index) else {
                continue;
            };
            let key = (info.family.to_ascii_lowercase(), info.variant.weight);
            if wanted(&info)
                && !self.has(&info.family, info.variant.weight)
                && !taken.contains(&key)
            {
                indices.push(index);
                taken.push(key);
            }
        }
        if indices.is_empty() {
            return;
        }
        let bytes = Bytes::new(data);
        self.fonts.extend(
            indices
                .into_iter()
                .filter_map(|index| Font::new(bytes.clone(), index)),
        );
    }

    fn finish(self, where_: &str) -> Result<Fonts, NoticeError> {
        for (family, weight, weight_name) in REQUIRED {
            if !self.has(family, weight) {
                return Err(NoticeError::MissingFont {
                    family,
                    weight: weight_name,
                    where_: where_.to_string(),
                });
            }
        }
        let book = FontBook::from_fonts(&self.fonts);
        Ok(Fonts {
            book: LazyHash::new(book),
            fonts: self.fonts,
        })
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

/// How deep [`fonts_from_dir`] looks below the folder given (`/usr/share/fonts` →
/// `opentype/noto/…` is two levels).
const MAX_DEPTH: usize = 4;

/// Reads the font files in `dir` and its subfolders (up to four levels; symbolic links to
/// folders are not followed) whose names contain `CJK` and end in `.ttc`, `.otf` or `.ttf`,
/// in name order, and keeps the faces the notice needs ([`Fonts::from_files`]); once all three
/// are found the rest is not read. On Debian with `fonts-noto-cjk` that finds them in
/// [`DEFAULT_FONTS_DIR`], which [`SYSTEM_FONTS_DIR`] contains. Other files are skipped
/// unread, so pointing at a big font folder stays cheap.
///
/// [`DEFAULT_FONTS_DIR`]: crate::DEFAULT_FONTS_DIR
/// [`SYSTEM_FONTS_DIR`]: crate::SYSTEM_FONTS_DIR
pub fn fonts_from_dir(dir: &Path) -> Result<Fonts, NoticeError> {
    let mut paths = Vec::new();
    font_files(dir, 0, &mut paths).map_err(|source| NoticeError::FontsDir {
        path: dir.to_path_buf(),
        source,
    })?;
    // Name order: `NotoSansCJK-Bold.ttc` before `NotoSerifCJK-Bold.ttc`, and a folder's
    // files in a stable order whatever the file system lists first.
    paths.sort_by(|a, b| a.file_name().cmp(&b.file_name()).then(a.cmp(b)));
    let mut picker = Picker::default();
    for path in paths {
        if picker.complete() {
            break;
        }
        let data = std::fs::read(&path).map_err(|source| NoticeError::FontsDir {
            path: path.clone(),
            source,
        })?;
        picker.add(data);
    }
    picker.finish(&format!(" in {}", dir.display()))
}

fn font_files(dir: &Path, depth: usize, out: &mut Vec<PathBuf>) -> std::io::Result<()> {
    for entry in std::fs::read_dir(dir)? {
        let Ok(entry) = entry else { continue };
        let Ok(kind) = entry.file_type() else {
            continue;
        };
        let path = entry.path();
        if kind.is_dir() {
            if depth < MAX_DEPTH {
                // An unreadable subfolder is skipped; only the folder given must be readable.
                let _ = font_files(&path, depth + 1, out);
            }
            continue;
        }
        let name = entry.file_name().to_string_lossy().to_ascii_lowercase();
        let font_like = name.contains("cjk")
            && (name.ends_with(".ttc") || name.ends_with(".otf") || name.ends_with(".ttf"));
        // A link to a font file counts (distributions link fonts between folders).
        if font_like && (kind.is_file() || path.is_file()) {
            out.push(path);
        }
    }
    Ok(())
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

/// What the template reads from `/notice.json`: the notice's fields, and the headings and
/// table headers ([`labels`]) so that every rendering of a notice words them alike.
#[derive(Serialize)]
struct Data<'a> {
    #[serde(flatten)]
    notice: &'a Notice,
    commended_heading: Option<String>,
    criticised_heading: Option<String>,
    labels: Labels,
}

#[derive(Serialize)]
struct Labels {
    number: &'static str,
    name: &'static str,
    score: &'static str,
    yuan: &'static str,
    reasons: &'static str,
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
        let (commended_heading, criticised_heading) = notice.headings();
        let data = serde_json::to_vec(&Data {
            notice,
            commended_heading,
            criticised_heading,
            labels: Labels {
                number: labels::NUMBER,
                name: labels::NAME,
                score: labels::SCORE,
                yuan: labels::YUAN,
                reasons: labels::REASONS,
            },
        })?;
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

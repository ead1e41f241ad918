//! The official notice as a PDF (issue 12, "Publication and exports"), rendered by typst
//! through `reformwatch-notice` when the server is built with the cargo feature `pdf`.
//!
//! The Noto CJK fonts come from the configured `fonts_dir` (default `/usr/share/fonts`,
//! searched with its subfolders). `serve` loads them once at start and refuses to start when
//! they are missing ([`NoticeFonts::load`]); anything else (tests, the CLI) loads them on
//! first use. Without the feature nothing here reads a font: [`BUILT_IN`] is false and
//! [`NoticeFonts::render`] answers [`PdfError::NotBuiltIn`].

use std::path::{Path, PathBuf};
#[cfg(feature = "pdf")]
use std::sync::{Arc, OnceLock};

/// Whether this build renders PDFs (cargo feature `pdf`).
pub const BUILT_IN: bool = cfg!(feature = "pdf");

/// Why no PDF was made.
#[derive(Debug, thiserror::Error)]
pub enum PdfError {
    #[error("this build has no PDF rendering (cargo feature `pdf`)")]
    NotBuiltIn,
    /// The fonts could not be loaded (the message names the folder and the missing face).
    #[error("notice fonts: {0}")]
    Fonts(String),
    #[error("notice PDF: {0}")]
    Render(String),
}

/// The notice's fonts, loaded at most once per process and shared (cheap to clone).
#[derive(Clone)]
pub struct NoticeFonts {
    dir: PathBuf,
    #[cfg(feature = "pdf")]
    loaded: Arc<OnceLock<Result<reformwatch_notice::Fonts, String>>>,
}

impl std::fmt::Debug for NoticeFonts {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("NoticeFonts")
            .field("dir", &self.dir)
            .finish_non_exhaustive()
    }
}

impl NoticeFonts {
    /// The fonts in `dir` (and its subfolders), not read yet.
    pub fn new(dir: &Path) -> NoticeFonts {
        NoticeFonts {
            dir: dir.to_path_buf(),
            #[cfg(feature = "pdf")]
            loaded: Arc::new(OnceLock::new()),
        }
    }

    pub fn dir(&self) -> &Path {
        &self.dir
    }

    /// Loads the fonts now (blocking: the font files are read) and says what is missing,
    /// naming the folder and the config key.
    #[cfg(feature = "pdf")]
    pub fn load(&self) -> Result<(), PdfError> {
        self.fonts().map(|_| ())
    }

    /// Without the feature: nothing to load.
    #[cfg(not(feature = "pdf"))]
    pub fn load(&self) -> Result<(), PdfError> {
        Ok(())
    }

    #[cfg(feature = "pdf")]
    fn fonts(&self) -> Result<&reformwatch_notice::Fonts, PdfError> {
        self.loaded
            .get_or_init(|| {
                reformwatch_notice::fonts_from_dir(&self.dir).map_err(|e| {
                    format!(
                        "{e} (config key fonts_dir / REFORMWATCH_FONTS_DIR: {})",
                        self.dir.display()
                    )
                })
            })
            .as_ref()
            .map_err(|e| PdfError::Fonts(e.clone()))
    }

    /// Renders `notice` to PDF bytes. Blocking and CPU-heavy (typst): call it from
    /// `spawn_blocking`, never on the async runtime.
    #[cfg(feature = "pdf")]
    pub fn render(&self, notice: &reformwatch_notice::Notice) -> Result<Vec<u8>, PdfError> {
        let fonts = self.fonts()?;
        reformwatch_notice::render_pdf(notice, fonts).map_err(|e| PdfError::Render(e.to_string()))
    }

    /// Without the feature there is no PDF.
    #[cfg(not(feature = "pdf"))]
    pub fn render(&self, _notice: &reformwatch_notice::Notice) -> Result<Vec<u8>, PdfError> {
        Err(PdfError::NotBuiltIn)
    }
}

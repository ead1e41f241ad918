//! Content-addressed storage of evidence files on disk.

use std::future::poll_fn;
use std::path::{Path, PathBuf};
use std::pin::Pin;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use bytes::Bytes;
use futures_core::Stream;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use tokio::io::{AsyncWriteExt, BufWriter};

use crate::error::FileError;
use crate::kind::{Charset, Kind};
use crate::sniff::{SNIFF_LEN, Sniffed, TextCheck, classify, inspect_zip};

/// Write buffer between the upload stream and the temp file.
const WRITE_BUF: usize = 64 * 1024;

/// Evidence file store rooted at a directory that must NOT be served by the web server, e.g.
/// `<data_dir>/evidence`. Layout: `tmp/` for uploads in progress, `objects/ab/cdef…` for stored
/// files, named by their SHA-256 (first two hex digits as a sub-directory, the other 62 as the
/// file name). File names from users never reach the file system.
#[derive(Debug, Clone)]
pub struct Store {
    root: PathBuf,
}

/// What [`Store::put`] stored.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Stored {
    /// SHA-256 of the content, 64 lowercase hex digits; also the object's identity.
    pub sha256: String,
    /// Size in bytes.
    pub size: u64,
    /// Type decided from the content.
    pub kind: Kind,
    /// False when the same content was already stored (nothing new written).
    pub newly_stored: bool,
    /// Encoding of a text file (`Csv`/`Text`), `None` for the others. The bytes are stored as
    /// uploaded; use it for the `charset` of downloads: [`Stored::content_type`] /
    /// [`Kind::mime_for`].
    pub charset: Option<Charset>,
}

impl Stored {
    /// `Content-Type` for serving this file (`text/csv; charset=gb18030` for a GBK CSV, …).
    pub fn content_type(&self) -> &'static str {
        self.kind.mime_for(self.charset)
    }
}

/// Removes the temp file when dropped, unless disarmed: on every error path, and also when the
/// `put` future is dropped mid-upload (client gone, request timeout).
struct TempGuard {
    path: PathBuf,
    armed: bool,
}

impl Drop for TempGuard {
    fn drop(&mut self) {
        if self.armed {
            let _ = std::fs::remove_file(&self.path);
        }
    }
}

/// The decision taken from the first bytes, plus the whole-file text check for text kinds.
struct Decision {
    sniffed: Sniffed,
    text: Option<TextCheck>,
}

fn decide(prefix: &[u8], truncated: bool) -> Result<Decision, FileError> {
    let sniffed = classify(prefix, truncated);
    let text = match sniffed {
        Sniffed::Rejected(label) => return Err(FileError::not_allowed(label)),
        Sniffed::Kind(_, Some(charset)) => {
            let mut check = TextCheck::new(charset);
            check
                .feed(prefix, false)
                .map_err(|()| FileError::not_allowed("binary"))?;
            Some(check)
        }
        Sniffed::Kind(_, None) | Sniffed::Zip => None,
    };
    Ok(Decision { sniffed, text })
}

/// True when `s` is exactly 64 lowercase hex digits.
fn is_sha256_hex(s: &str) -> bool {
    s.len() == 64 && s.bytes().all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f'))
}

impl Store {
    /// Opens (creating when needed) a store at `root`, with its `tmp/` and `objects/`.
    pub fn open(root: impl Into<PathBuf>) -> std::io::Result<Store> {
        let store = Store { root: root.into() };
        std::fs::create_dir_all(store.tmp_dir())?;
        std::fs::create_dir_all(store.objects_dir())?;
        Ok(store)
    }

    /// The store's root directory.
    pub fn root(&self) -> &Path {
        &self.root
    }

    fn tmp_dir(&self) -> PathBuf {
        self.root.join("tmp")
    }

    fn objects_dir(&self) -> PathBuf {
        self.root.join("objects")
    }

    /// Streams an upload to disk and stores it once, by content.
    ///
    /// Chunks go to a new file in `root/tmp` while being hashed (SHA-256) and counted; the
    /// whole body is never held in memory (only the first 8 KiB, for sniffing). It stops with
    /// [`FileError::TooLarge`] as soon as more than `max_bytes` arrived, and with
    /// [`FileError::TypeNotAllowed`] as soon as the first 8 KiB show a refused type. Text files
    /// are checked to the end (encoding, NUL, control characters). A zip is accepted only as a
    /// docx or an xlsx, judged from its central directory. The file is then flushed, synced and
    /// renamed atomically to `root/objects/ab/cdef…` unless that object exists already (then the
    /// temp file is deleted and `newly_stored` is false). On any error, and if this future is
    /// dropped, the temp file is deleted: nothing partial is ever left as an object.
    pub async fn put<S, E>(&self, mut chunks: S, max_bytes: u64) -> Result<Stored, FileError>
    where
        S: Stream<Item = Result<Bytes, E>> + Unpin,
        E: std::fmt::Display,
    {
        let (file, guard) = self.create_temp().await?;
        let mut guard = guard;
        let mut out = BufWriter::with_capacity(WRITE_BUF, file);

        let mut hasher = Sha256::new();
        let mut size: u64 = 0;
        let mut prefix: Vec<u8> = Vec::with_capacity(SNIFF_LEN);
        let mut decision: Option<Decision> = None;

        while let Some(item) = poll_fn(|cx| Pin::new(&mut chunks).poll_next(cx)).await {
            let chunk = item.map_err(|e| FileError::Upload(e.to_string()))?;
            if chunk.is_empty() {
                continue;
            }
            size = size.saturating_add(chunk.len() as u64);
            if size > max_bytes {
                return Err(FileError::TooLarge { limit: max_bytes });
            }
            hasher.update(&chunk);

            let mut rest: &[u8] = &chunk;
            if decision.is_none() {
                let take = (SNIFF_LEN - prefix.len()).min(chunk.len());
                let (head, tail) = chunk.split_at(take);
                prefix.extend_from_slice(head);
                rest = tail;
                if prefix.len() == SNIFF_LEN {
                    decision = Some(decide(&prefix, true)?);
                }
            }
            if let Some(check) = decision.as_mut().and_then(|d| d.text.as_mut()) {
                check
                    .feed(rest, false)
                    .map_err(|()| FileError::not_allowed("binary"))?;
            }
            out.write_all(&chunk).await?;
        }

        if size == 0 {
            return Err(FileError::Empty);
        }
        let decision = match decision {
            Some(d) => d,
            None => decide(&prefix, false)?,
        };
        if let Some(check) = decision.text {
            check
                .finish()
                .map_err(|()| FileError::not_allowed("binary"))?;
        }
        out.flush().await?;
        let file = out.into_inner();
        file.sync_all().await?;
        drop(file);

        let (kind, charset) = match decision.sniffed {
            Sniffed::Kind(kind, charset) => (kind, charset),
            Sniffed::Rejected(label) => return Err(FileError::not_allowed(label)),
            Sniffed::Zip => {
                let path = guard.path.clone();
                let verdict = tokio::task::spawn_blocking(move || {
                    std::fs::File::open(path).map(|f| inspect_zip(std::io::BufReader::new(f)))
                })
                .await
                .map_err(|e| FileError::Io(std::io::Error::other(e)))??;
                (verdict.map_err(FileError::not_allowed)?, None)
            }
        };

        let sha256 = hex::encode(hasher.finalize());
        let dest = self.path_of(&sha256)?;
        let newly_stored = if tokio::fs::try_exists(&dest).await? {
            false // same content already stored; the guard deletes the temp file
        } else {
            if let Some(dir) = dest.parent() {
                tokio::fs::create_dir_all(dir).await?;
            }
            // Atomic; if a concurrent upload of the same content won the race, this replaces
            // an identical file, which is harmless.
            tokio::fs::rename(&guard.path, &dest).await?;
            guard.armed = false;
            true
        };
        Ok(Stored {
            sha256,
            size,
            kind,
            newly_stored,
            charset,
        })
    }

    /// Creates a new, uniquely named temp file (never an existing one).
    async fn create_temp(&self) -> Result<(tokio::fs::File, TempGuard), FileError> {
        static COUNTER: AtomicU64 = AtomicU64::new(0);
        let nanos = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map_or(0, |d| d.as_nanos());
        let mut last_err = None;
        for _ in 0..8 {
            let n = COUNTER.fetch_add(1, Ordering::Relaxed);
            let path = self
                .tmp_dir()
                .join(format!("{}-{nanos:x}-{n}.part", std::process::id()));
            match tokio::fs::OpenOptions::new()
                .write(true)
                .create_new(true)
                .open(&path)
                .await
            {
                Ok(file) => return Ok((file, TempGuard { path, armed: true })),
                Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => last_err = Some(e),
                Err(e) => return Err(FileError::Io(e)),
            }
        }
        Err(FileError::Io(last_err.unwrap_or_else(|| {
            std::io::Error::other("could not create a temp file")
        })))
    }

    /// Path of a stored object. `sha256` must be exactly 64 lowercase hex digits (anything else,
    /// e.g. `../etc/passwd`, is [`FileError::NotFound`]), so no path ever comes from user input.
    /// The object may or may not exist.
    pub fn path_of(&self, sha256: &str) -> Result<PathBuf, FileError> {
        if !is_sha256_hex(sha256) {
            return Err(FileError::NotFound);
        }
        let (dir, name) = sha256.split_at(2);
        Ok(self.objects_dir().join(dir).join(name))
    }

    /// Opens a stored object for reading (to stream it in a download response).
    pub async fn open_read(&self, sha256: &str) -> Result<tokio::fs::File, FileError> {
        let path = self.path_of(sha256)?;
        tokio::fs::File::open(&path).await.map_err(|e| {
            if e.kind() == std::io::ErrorKind::NotFound {
                FileError::NotFound
            } else {
                FileError::Io(e)
            }
        })
    }

    /// Deletes files in `root/tmp` not modified for `max_age` (left over by a crash or a kill);
    /// returns how many were deleted. An upload in progress keeps its file's modification time
    /// fresh, so use an age well above the longest pause in an upload (e.g. one hour).
    pub async fn sweep_tmp(&self, max_age: Duration) -> std::io::Result<usize> {
        let mut entries = tokio::fs::read_dir(self.tmp_dir()).await?;
        let now = SystemTime::now();
        let mut removed = 0;
        while let Some(entry) = entries.next_entry().await? {
            let Ok(meta) = entry.metadata().await else {
                continue;
            };
            if !meta.is_file() {
                continue;
            }
            let old = meta
                .modified()
                .ok()
                .and_then(|m| now.duration_since(m).ok())
                .is_some_and(|age| age >= max_age);
            if old {
                match tokio::fs::remove_file(entry.path()).await {
                    Ok(()) => removed += 1,
                    Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
                    Err(e) => return Err(e),
                }
            }
        }
        Ok(removed)
    }
}

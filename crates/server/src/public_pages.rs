//! The bytes of anonymous public pages, kept per process for the fast path (R-PUB-3,
//! `http::fastpath`): the complete response (headers and body, as the ordinary stack made it)
//! per request target, language, encoding and demo moment, valid while nothing they depend on
//! has changed.
//!
//! What they depend on is summed up by a [`Fingerprint`] read from the database (the newest
//! bulletin's number and hash, the catalogues' hashes, the demo flag, the newest catalogue
//! year). Another process can change it (the CLI's `bulletin publish`, a second server on the
//! same PostgreSQL database), so the fingerprint is read again at most every
//! `public_revalidate_ms` (config, default 1,000 ms) while pages are being asked for: a page
//! published elsewhere shows within that bound. A change made in this process (publishing,
//! loading a catalogue) calls [`PublicPages::changed`] and shows at once. Every change moves
//! the *epoch*: entries of an older epoch are never served, and a page rendered while the
//! epoch moved is not kept.

use std::collections::HashMap;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use axum::body::Bytes;
use http::HeaderMap;

/// What the anonymous public pages depend on, as stored in the database.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Fingerprint {
    pub demo: bool,
    /// Newest bulletin (number, SHA-256), newest catalogue year, every catalogue's hash.
    pub version: String,
}

/// Which cached response a request gets.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Key {
    /// Path and query, as sent.
    pub target: String,
    pub lang: &'static str,
    pub gzip: bool,
    /// With demonstration data: the demo banner's moment (Beijing time, to the minute).
    pub demo: Option<String>,
}

/// A kept response: 200, its headers (security headers, ETag, Cache-Control, Vary, type,
/// encoding) and body exactly as the ordinary stack answered.
pub struct Entry {
    pub headers: HeaderMap,
    pub body: Bytes,
    pub etag: Option<String>,
    /// The page of a numbered bulletin that is not the latest: it never changes, so it is
    /// served without waiting for a revalidation (it is still dropped when the epoch moves).
    pub immutable: bool,
    epoch: u64,
}

/// At most this many entries or bytes are kept; past that the store starts again empty. (The
/// bodies are mostly shared with the pages' own caches, so the bytes are counted generously.)
const MAX_ENTRIES: usize = 4096;
const MAX_BYTES: usize = 512 * 1024 * 1024;

#[derive(Default)]
struct Store {
    fingerprint: Option<Fingerprint>,
    entries: HashMap<Key, Arc<Entry>>,
    bytes: usize,
}

struct Inner {
    start: Instant,
    epoch: AtomicU64,
    /// Milliseconds since `start` of the last revalidation, plus one (0: never, or forced).
    checked: AtomicU64,
    checking: AtomicBool,
    store: Mutex<Store>,
    hits: AtomicU64,
}

/// The per-process store (one per `AppState`; cloning shares it).
#[derive(Clone)]
pub struct PublicPages {
    inner: Arc<Inner>,
}

impl Default for PublicPages {
    fn default() -> Self {
        PublicPages {
            inner: Arc::new(Inner {
                start: Instant::now(),
                epoch: AtomicU64::new(1),
                checked: AtomicU64::new(0),
                checking: AtomicBool::new(false),
                store: Mutex::new(Store::default()),
                hits: AtomicU64::new(0),
            }),
        }
    }
}

/// Held by the one request that revalidates; lets the next one try when dropped.
pub struct Checking<'a>(&'a PublicPages);

impl Drop for Checking<'_> {
    fn drop(&mut self) {
        self.0.inner.checking.store(false, Ordering::SeqCst);
    }
}

impl PublicPages {
    fn now_ms(&self) -> u64 {
        u64::try_from(self.inner.start.elapsed().as_millis()).unwrap_or(u64::MAX - 1)
    }

    /// The current epoch: an entry is served only in the epoch it was made in.
    pub fn epoch(&self) -> u64 {
        self.inner.epoch.load(Ordering::SeqCst)
    }

    /// Something the public pages show changed in this process (a bulletin published, a
    /// catalogue loaded): every entry is dropped and the fingerprint read again.
    pub fn changed(&self) {
        let mut s = self.inner.store.lock().unwrap_or_else(|e| e.into_inner());
        self.inner.epoch.fetch_add(1, Ordering::SeqCst);
        self.inner.checked.store(0, Ordering::SeqCst);
        s.fingerprint = None;
        s.entries.clear();
        s.bytes = 0;
    }

    /// Whether the fingerprint was read within `interval`.
    pub fn fresh(&self, interval: Duration) -> bool {
        let checked = self.inner.checked.load(Ordering::SeqCst);
        checked != 0
            && self.now_ms().saturating_sub(checked - 1)
                < u64::try_from(interval.as_millis()).unwrap_or(u64::MAX)
    }

    /// The right to revalidate, for one request at a time.
    pub fn begin_check(&self) -> Option<Checking<'_>> {
        self.inner
            .checking
            .compare_exchange(false, true, Ordering::SeqCst, Ordering::SeqCst)
            .ok()
            .map(|_| Checking(self))
    }

    /// The fingerprint read by the revalidating request (begun in `epoch`): a change moves
    /// the epoch and drops every entry (so does the first reading, which entries made before
    /// it cannot be compared with).
    pub fn checked(&self, _guard: &Checking<'_>, epoch: u64, fingerprint: Fingerprint) {
        let mut s = self.inner.store.lock().unwrap_or_else(|e| e.into_inner());
        if self.epoch() != epoch {
            // Changed in this process meanwhile: read again next time.
            return;
        }
        if s.fingerprint.as_ref() != Some(&fingerprint) {
            self.inner.epoch.fetch_add(1, Ordering::SeqCst);
            s.entries.clear();
            s.bytes = 0;
            s.fingerprint = Some(fingerprint);
        }
        self.inner
            .checked
            .store(self.now_ms() + 1, Ordering::SeqCst);
    }

    /// Whether the last fingerprint read had demonstration data (None: not read yet).
    pub fn demo(&self) -> Option<bool> {
        let s = self.inner.store.lock().unwrap_or_else(|e| e.into_inner());
        s.fingerprint.as_ref().map(|f| f.demo)
    }

    /// The entry for `key` made in the current epoch.
    pub fn get(&self, key: &Key) -> Option<Arc<Entry>> {
        let s = self.inner.store.lock().unwrap_or_else(|e| e.into_inner());
        let e = s.entries.get(key)?;
        (e.epoch == self.epoch()).then(|| e.clone())
    }

    /// Counts a response served from the store (tests and diagnostics).
    pub fn hit(&self) {
        self.inner.hits.fetch_add(1, Ordering::Relaxed);
    }

    /// Responses served from the store so far.
    pub fn hits(&self) -> u64 {
        self.inner.hits.load(Ordering::Relaxed)
    }

    /// Keeps a response rendered by a request that began in `epoch`, unless the epoch moved
    /// since (the page may show what was replaced).
    pub fn put(
        &self,
        key: Key,
        headers: HeaderMap,
        body: Bytes,
        etag: Option<String>,
        immutable: bool,
        epoch: u64,
    ) {
        let mut s = self.inner.store.lock().unwrap_or_else(|e| e.into_inner());
        if self.epoch() != epoch {
            return;
        }
        let size = body.len() + key.target.len();
        if s.entries.len() >= MAX_ENTRIES || s.bytes + size > MAX_BYTES {
            s.entries.clear();
            s.bytes = 0;
        }
        let entry = Arc::new(Entry {
            headers,
            body,
            etag,
            immutable,
            epoch,
        });
        if let Some(old) = s.entries.insert(key, entry) {
            s.bytes = s.bytes.saturating_sub(old.body.len());
        }
        s.bytes += size;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key(t: &str) -> Key {
        Key {
            target: t.to_owned(),
            lang: "zh",
            gzip: false,
            demo: None,
        }
    }

    fn fp(v: &str) -> Fingerprint {
        Fingerprint {
            demo: false,
            version: v.to_owned(),
        }
    }

    #[test]
    fn epochs_and_revalidation() {
        let p = PublicPages::default();
        assert!(!p.fresh(Duration::from_secs(60)), "never read");
        let e = p.epoch();
        {
            let g = p.begin_check().expect("free");
            assert!(p.begin_check().is_none(), "one at a time");
            p.checked(&g, e, fp("a"));
        }
        assert!(p.fresh(Duration::from_secs(60)));
        assert!(!p.fresh(Duration::ZERO));
        // The first reading moved the epoch.
        let e1 = p.epoch();
        assert_ne!(e1, e);
        p.put(
            key("/"),
            HeaderMap::new(),
            Bytes::from_static(b"x"),
            None,
            false,
            e1,
        );
        assert!(p.get(&key("/")).is_some());
        // Rendered in an older epoch: not kept.
        p.put(
            key("/b"),
            HeaderMap::new(),
            Bytes::from_static(b"x"),
            None,
            false,
            e,
        );
        assert!(p.get(&key("/b")).is_none());
        // The same fingerprint keeps the entries; another one drops them.
        let g = p.begin_check().expect("free");
        p.checked(&g, e1, fp("a"));
        assert!(p.get(&key("/")).is_some());
        p.checked(&g, e1, fp("b"));
        drop(g);
        assert!(p.get(&key("/")).is_none());
        // A change in this process drops everything and forces a reading.
        let e2 = p.epoch();
        p.put(
            key("/"),
            HeaderMap::new(),
            Bytes::from_static(b"x"),
            None,
            true,
            e2,
        );
        p.changed();
        assert!(p.get(&key("/")).is_none());
        assert!(!p.fresh(Duration::from_secs(60)));
    }
}

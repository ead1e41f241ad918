//! A per-process cache of year-wide snapshots derived from the database (issue 8): what every
//! society's progress loads (`service::progress::Progress::of_all`) costs seconds at 10,000
//! societies, and the dashboard, the bulletins and the housekeeping's rectification rule ask
//! for it again and again while nothing has changed.
//!
//! An entry is valid for exactly one [`Version`]: the catalogue year, the SHA-256 of the
//! catalogue it was computed with, and the snapshot version kept beside the audit trail's head
//! (`data_seq` and `data_hash`, table `audit_head`, migration 0016): the newest audit entry
//! whose action may change what a snapshot reads (`db::audit::moves_snapshots`; sign-ins,
//! tokens, accounts, the inbox and the assessment's records do not). Every state change appends
//! an audit entry in the same transaction as the change (R-X-2, `db::audit::record`), and the
//! version is written with it, so it moves with every committed change a snapshot could see,
//! made by any process on the database. A request reads it (one statement) and is answered from
//! here only when it is the same as the entry's: the database stays the truth, and a change
//! committed by another process is seen by the next request. The version is read *before* the
//! snapshot is loaded, so an entry never holds data older than its version (a change committed
//! meanwhile moves it, and the next request loads again).
//!
//! Bounded: one entry per kind of snapshot (its Rust type) and year, at most [`MAX_YEARS`]
//! years per kind (the least recently used goes). Values are type-erased so this module sits
//! below the services that define them.

use std::any::{Any, TypeId};
use std::sync::{Arc, Mutex};

use crate::error::AppResult;

/// Years kept at once, per kind.
pub const MAX_YEARS: usize = 3;

/// The database version a snapshot was computed at.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Version {
    pub year: i32,
    /// SHA-256 of the stored catalogue source the snapshot was computed with.
    pub catalogue_sha256: String,
    /// The snapshot version's audit sequence number (0: no entry that moves it yet).
    pub audit_seq: i64,
    /// That entry's hash (empty before any).
    pub audit_hash: String,
}

struct Entry {
    kind: TypeId,
    version: Version,
    value: Arc<dyn Any + Send + Sync>,
    /// Recency stamp (larger: used later).
    used: u64,
}

#[derive(Default)]
struct Inner {
    entries: Vec<Entry>,
    clock: u64,
}

impl Inner {
    /// See [`Snapshots::put`].
    fn insert<T: Any + Send + Sync>(&mut self, version: Version, value: Arc<T>) {
        self.clock += 1;
        let used = self.clock;
        let kind = TypeId::of::<T>();
        if let Some(i) = self
            .entries
            .iter()
            .position(|e| e.kind == kind && e.version.year == version.year)
        {
            if self.entries[i].version.audit_seq > version.audit_seq {
                return;
            }
            self.entries.remove(i);
        }
        self.entries.push(Entry {
            kind,
            version,
            value,
            used,
        });
        while self.entries.iter().filter(|e| e.kind == kind).count() > MAX_YEARS {
            let Some(oldest) = self
                .entries
                .iter()
                .enumerate()
                .filter(|(_, e)| e.kind == kind)
                .min_by_key(|(_, e)| e.used)
                .map(|(i, _)| i)
            else {
                break;
            };
            self.entries.remove(oldest);
        }
    }
}

/// Snapshots by kind and year, each valid for one [`Version`]. Cloning shares the cache.
#[derive(Clone, Default)]
pub struct Snapshots {
    inner: Arc<Mutex<Inner>>,
    /// Held while a snapshot is loaded, so concurrent requests that miss wait for one load
    /// instead of each loading the same data.
    loading: Arc<tokio::sync::Mutex<()>>,
}

impl Snapshots {
    /// The snapshot kept for exactly `version`, if any.
    pub fn get<T: Any + Send + Sync>(&self, version: &Version) -> AppResult<Option<Arc<T>>> {
        let mut inner = self
            .inner
            .lock()
            .map_err(|_| anyhow::anyhow!("snapshot cache poisoned"))?;
        inner.clock += 1;
        let now = inner.clock;
        let kind = TypeId::of::<T>();
        let Some(e) = inner
            .entries
            .iter_mut()
            .find(|e| e.kind == kind && e.version == *version)
        else {
            return Ok(None);
        };
        e.used = now;
        Ok(e.value.clone().downcast::<T>().ok())
    }

    /// Keeps `value` as the year's snapshot of its kind at `version`, replacing the year's
    /// older one (an entry of a newer version is kept instead: a slower load that started
    /// earlier does not replace it). The kind's least recently used year goes past
    /// [`MAX_YEARS`].
    pub fn put<T: Any + Send + Sync>(&self, version: Version, value: Arc<T>) -> AppResult<()> {
        let mut inner = self
            .inner
            .lock()
            .map_err(|_| anyhow::anyhow!("snapshot cache poisoned"))?;
        inner.insert(version, value);
        Ok(())
    }

    /// The snapshot kept for exactly `version`, or `make()` kept as it, under one lock: two
    /// callers at one version get the same value. For snapshots that fill themselves lazily
    /// (`make` must be cheap: it runs under the lock).
    pub fn get_or_put<T: Any + Send + Sync>(
        &self,
        version: &Version,
        make: impl FnOnce() -> T,
    ) -> AppResult<Arc<T>> {
        let mut inner = self
            .inner
            .lock()
            .map_err(|_| anyhow::anyhow!("snapshot cache poisoned"))?;
        inner.clock += 1;
        let now = inner.clock;
        let kind = TypeId::of::<T>();
        if let Some(e) = inner
            .entries
            .iter_mut()
            .find(|e| e.kind == kind && e.version == *version)
            && let Ok(v) = e.value.clone().downcast::<T>()
        {
            e.used = now;
            return Ok(v);
        }
        let value = Arc::new(make());
        inner.insert(version.clone(), value.clone());
        Ok(value)
    }

    /// Waits for any load in progress; the caller loads while it holds the guard.
    pub async fn loading(&self) -> tokio::sync::MutexGuard<'_, ()> {
        self.loading.lock().await
    }

    /// Forgets every snapshot (tests measuring a cold request).
    pub fn clear(&self) {
        if let Ok(mut inner) = self.inner.lock() {
            inner.entries.clear();
        }
    }

    /// The years kept of a kind, in no particular order.
    pub fn years<T: Any>(&self) -> Vec<i32> {
        let kind = TypeId::of::<T>();
        self.inner
            .lock()
            .map(|i| {
                i.entries
                    .iter()
                    .filter(|e| e.kind == kind)
                    .map(|e| e.version.year)
                    .collect()
            })
            .unwrap_or_default()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn v(year: i32, seq: i64) -> Version {
        Version {
            year,
            catalogue_sha256: "c".into(),
            audit_seq: seq,
            audit_hash: format!("h{seq}"),
        }
    }

    #[test]
    fn an_entry_answers_only_its_exact_version() {
        let s = Snapshots::default();
        s.put(v(2017, 5), Arc::new(7u32)).unwrap();
        assert_eq!(s.get::<u32>(&v(2017, 5)).unwrap().as_deref(), Some(&7));
        assert!(s.get::<u32>(&v(2017, 6)).unwrap().is_none());
        let mut other_hash = v(2017, 5);
        other_hash.audit_hash = "other".into();
        assert!(s.get::<u32>(&other_hash).unwrap().is_none());
        let mut other_catalogue = v(2017, 5);
        other_catalogue.catalogue_sha256 = "d".into();
        assert!(s.get::<u32>(&other_catalogue).unwrap().is_none());
        // Another kind under the same version is a miss, not a panic.
        assert!(s.get::<String>(&v(2017, 5)).unwrap().is_none());
    }

    #[test]
    fn get_or_put_keeps_the_first_value_of_a_version() {
        let s = Snapshots::default();
        let a = s.get_or_put(&v(2017, 5), || 1u32).unwrap();
        let b = s.get_or_put(&v(2017, 5), || 2u32).unwrap();
        assert_eq!((*a, *b), (1, 1));
        assert!(Arc::ptr_eq(&a, &b));
        // A newer version replaces it.
        let c = s.get_or_put(&v(2017, 6), || 3u32).unwrap();
        assert_eq!(*c, 3);
        assert!(s.get::<u32>(&v(2017, 5)).unwrap().is_none());
    }

    #[test]
    fn kinds_are_kept_apart() {
        let s = Snapshots::default();
        s.put(v(2017, 5), Arc::new(7u32)).unwrap();
        s.put(v(2017, 5), Arc::new("month".to_owned())).unwrap();
        // Both kinds of the same year and version are kept, each answers as itself.
        assert_eq!(s.get::<u32>(&v(2017, 5)).unwrap().as_deref(), Some(&7));
        assert_eq!(
            s.get::<String>(&v(2017, 5))
                .unwrap()
                .as_deref()
                .map(String::as_str),
            Some("month")
        );
        // Filling one kind's years evicts only that kind's entries.
        for year in 2018..2022 {
            s.put(v(year, 5), Arc::new(1u32)).unwrap();
        }
        assert_eq!(s.years::<u32>().len(), MAX_YEARS);
        assert!(s.get::<u32>(&v(2017, 5)).unwrap().is_none());
        assert_eq!(s.years::<String>(), vec![2017]);
    }

    #[test]
    fn one_entry_per_year_newest_head_kept_and_bounded() {
        let s = Snapshots::default();
        s.put(v(2017, 5), Arc::new(1u32)).unwrap();
        s.put(v(2017, 6), Arc::new(2u32)).unwrap();
        assert!(s.get::<u32>(&v(2017, 5)).unwrap().is_none());
        // An older head does not replace a newer one.
        s.put(v(2017, 4), Arc::new(3u32)).unwrap();
        assert_eq!(s.get::<u32>(&v(2017, 6)).unwrap().as_deref(), Some(&2));
        assert_eq!(s.years::<u32>(), vec![2017]);
        s.put(v(2018, 6), Arc::new(4u32)).unwrap();
        s.put(v(2019, 6), Arc::new(5u32)).unwrap();
        // 2017 used again: 2018 is now the least recently used and goes first.
        s.get::<u32>(&v(2017, 6)).unwrap();
        s.put(v(2020, 6), Arc::new(6u32)).unwrap();
        let mut years = s.years::<u32>();
        years.sort();
        assert_eq!(years, vec![2017, 2019, 2020]);
        s.clear();
        assert!(s.years::<u32>().is_empty());
    }
}

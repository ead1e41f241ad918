//! The application state every layer above the store receives: the database (the truth), the
//! configuration, the catalogue cache (keyed by content hash), the clock, the notice's fonts and
//! the caches keyed by what they depend on in the database.

use std::sync::Arc;

use crate::clock::Clock;
use crate::config::Config;
use crate::db::Db;
use crate::db::catalogues::CatalogueCache;

/// Everything a service or handler may use. No application state lives only here: the
/// database is the truth; `catalogues` is a cache keyed by content hash and `snapshots`
/// one keyed by the audit head, so several processes on one database behave as one system.
#[derive(Clone)]
pub struct AppState {
    pub db: Db,
    pub config: Arc<Config>,
    pub catalogues: CatalogueCache,
    pub clock: Clock,
    /// Permits for heavy requests in this process (`config.heavy_requests`); see
    /// `http::limit_heavy`.
    pub heavy: Arc<tokio::sync::Semaphore>,
    /// The official notice PDF's fonts (feature `pdf`), loaded once: at start by `serve`,
    /// otherwise on first use.
    pub notice_fonts: crate::pdf::NoticeFonts,
    /// The anonymous public pages' bytes for the fast path (R-PUB-3, `http::fastpath`): a
    /// cache, revalidated against the database at most every `public_revalidate_ms`.
    pub public_pages: crate::public_pages::PublicPages,
    /// Year-wide snapshots: every society's progress per year (`service::progress::Progress`,
    /// with its colours until they may change) and the dashboard's month data
    /// (`service::dashboard::MonthData`), each valid for one catalogue hash and snapshot version: a
    /// cache the database's snapshot version revalidates on every use (`snapshots`).
    pub snapshots: crate::snapshots::Snapshots,
}

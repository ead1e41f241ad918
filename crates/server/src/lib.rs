//! ReformWatch (学会改革监测考核平台): the shell around the pure domain core
//! (`reformwatch_core`): store, services, web pages, JSON API and CLI in one binary.
//!
//! Layers, top to bottom (imports only point down; `tests/it/layers.rs` checks it):
//! - this crate root (the composition root: the route table, `app`) and `cli`;
//! - `web` (pages) and `api` (JSON), two siblings that never import each other;
//! - `http` (request plumbing shared by both) and `service` (one module per capability);
//! - `db` (the store), `auth`, the domain core, and the small shared modules (`model`, `error`,
//!   `i18n`, `json`, `present`, `clock`, `config`, `state`, `principal`, `import`,
//!   `public_pages`).

pub mod api;
pub mod auth;
pub mod backup;
pub mod cli;
pub mod clock;
pub mod config;
pub mod db;
pub mod demo;
pub mod error;
pub mod http;
pub mod i18n;
pub mod import;
pub mod json;
pub mod model;
pub mod pdf;
pub mod present;
pub mod principal;
pub mod public_pages;
pub mod service;
pub mod snapshots;
pub mod state;
pub mod web;

use std::sync::Arc;

pub use config::Config;
pub use principal::Principal;
pub use state::AppState;

/// The route table: every page and API route with its declared access (R-X-1). The access
/// test walks it with every role.
pub fn routes() -> Vec<crate::http::RouteSpec> {
    let mut table = web::routes();
    table.extend(api::routes());
    table
}

/// Builds the application: routes behind their access guard, context (language, user, CSRF),
/// security headers, error rendering.
pub fn app(state: AppState) -> axum::Router {
    crate::http::router(state, routes())
}

/// Serves the application on `listener` with the configured header, body and idle timeouts
/// (`http::serve`) until `shutdown` resolves.
pub async fn serve(
    state: AppState,
    listener: tokio::net::TcpListener,
    shutdown: impl std::future::Future<Output = ()>,
) {
    let timeouts = http::serve::Timeouts::from_config(&state.config);
    http::serve::serve(listener, app(state), timeouts, shutdown).await;
}

/// Connects the database (running migrations), stores the built-in catalogue, and returns the
/// state the router needs. Tests and `serve` share it.
pub async fn build_state(config: Config) -> anyhow::Result<AppState> {
    if config.database_url.is_none() {
        std::fs::create_dir_all(&config.data_dir).map_err(|e| {
            anyhow::anyhow!(
                "cannot create data directory {}: {e}",
                config.data_dir.display()
            )
        })?;
    }
    i18n::Messages::load()?;
    let mut db = db::Db::connect_with(
        &config.database_url(),
        std::time::Duration::from_millis(config.pg_lock_timeout_ms),
    )
    .await?;
    // Issue 9 finding 6: the audit head's key, outside the database.
    let (key, created) =
        auth::audit_key::load_or_create(config.audit_key.as_deref(), &config.data_dir)?;
    db.audit_key = Some(key);
    db::audit::adopt_head(&db, created).await?;
    let clock = clock::Clock::default();
    db::catalogues::ensure_builtin(&db, clock.now())
        .await
        .map_err(|e| anyhow::anyhow!("{e}"))?;
    Ok(AppState {
        db,
        heavy: Arc::new(tokio::sync::Semaphore::new(config.heavy_requests)),
        notice_fonts: pdf::NoticeFonts::new(&config.fonts_dir),
        config: Arc::new(config),
        catalogues: Default::default(),
        clock,
        public_pages: Default::default(),
        snapshots: Default::default(),
    })
}

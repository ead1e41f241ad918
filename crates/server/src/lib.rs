//! ReformWatch (学会改革监测考核平台): the shell around the pure domain core
//! (`reformwatch_core`): store, web pages, JSON API and CLI in one binary.

pub mod api;
pub mod auth;
pub mod backup;
pub mod checks;
pub mod cli;
pub mod clock;
pub mod config;
pub mod db;
pub mod demo;
pub mod error;
pub mod i18n;
pub mod import;
pub mod model;
pub mod notify;
pub mod plans;
pub mod tracking;
pub mod web;

use std::sync::Arc;

pub use config::Config;
pub use web::{AppState, app};

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
    let db = db::Db::connect(&config.database_url()).await?;
    let clock = clock::Clock::default();
    db::catalogues::ensure_builtin(&db, clock.now())
        .await
        .map_err(|e| anyhow::anyhow!("{e}"))?;
    Ok(AppState {
        db,
        config: Arc::new(config),
        catalogues: Default::default(),
        clock,
    })
}

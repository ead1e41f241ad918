//! Stored task catalogues (R-CAT-1): the built-in 2017 file is stored on first start; an
//! administrator can load another year's file at run time. Each stored source is parsed and
//! validated before it is accepted, and parsed results are cached by content hash.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use chrono::{DateTime, Utc};
use reformwatch_core::catalogue::{self, Catalogue, CatalogueError};
use serde_json::json;
use sqlx::Row;

use super::audit::{self, Actor, Change};
use super::{Db, ts};
use crate::auth::hash_secret;
use crate::error::{AppError, AppResult};

pub const BUILTIN_YEAR: i32 = 2017;

#[derive(Debug, Clone, serde::Serialize, utoipa::ToSchema)]
pub struct StoredCatalogue {
    pub year: i32,
    pub file_name: String,
    pub sha256: String,
    pub builtin: bool,
    pub loaded_at: String,
    pub loaded_by: String,
}

/// Parsed catalogues by content hash. Purely a cache: the database is the truth.
#[derive(Default, Clone)]
pub struct CatalogueCache {
    parsed: Arc<Mutex<HashMap<String, Arc<Catalogue>>>>,
}

pub async fn list(db: &Db) -> AppResult<Vec<StoredCatalogue>> {
    let rows = sqlx::query("SELECT year, file_name, sha256, builtin, loaded_at, loaded_by FROM catalogues ORDER BY year")
        .fetch_all(&db.pool)
        .await?;
    rows.iter()
        .map(|r| {
            Ok(StoredCatalogue {
                year: r.try_get::<i64, _>(0)? as i32,
                file_name: r.try_get(1)?,
                sha256: r.try_get(2)?,
                builtin: super::get_bool(r, 3)?,
                loaded_at: r.try_get(4)?,
                loaded_by: r.try_get(5)?,
            })
        })
        .collect::<Result<_, sqlx::Error>>()
        .map_err(Into::into)
}

/// The newest loaded catalogue year.
pub async fn newest_year(db: &Db) -> AppResult<Option<i32>> {
    let row = sqlx::query("SELECT MAX(year) FROM catalogues")
        .fetch_one(&db.pool)
        .await?;
    Ok(row.try_get::<Option<i64>, _>(0)?.map(|y| y as i32))
}

impl CatalogueCache {
    /// The catalogue of `year`, or None if no catalogue is loaded for it.
    pub async fn get(&self, db: &Db, year: i32) -> AppResult<Option<Arc<Catalogue>>> {
        Ok(self.get_hashed(db, year).await?.map(|(_, c)| c))
    }

    /// The catalogue of `year` with the SHA-256 of its stored source (what a page made from it
    /// is cached by), or None if no catalogue is loaded for it.
    pub async fn get_hashed(
        &self,
        db: &Db,
        year: i32,
    ) -> AppResult<Option<(String, Arc<Catalogue>)>> {
        let row = sqlx::query("SELECT sha256, file_name FROM catalogues WHERE year = $1")
            .bind(i64::from(year))
            .fetch_optional(&db.pool)
            .await?;
        let Some(row) = row else { return Ok(None) };
        let sha: String = row.try_get(0)?;
        if let Some(c) = self
            .parsed
            .lock()
            .map_err(|_| anyhow::anyhow!("cache poisoned"))?
            .get(&sha)
        {
            return Ok(Some((sha, c.clone())));
        }
        let file_name: String = row.try_get(1)?;
        let source: String = sqlx::query("SELECT source FROM catalogues WHERE year = $1")
            .bind(i64::from(year))
            .fetch_one(&db.pool)
            .await?
            .try_get(0)?;
        let parsed = catalogue::parse(&source, &file_name)
            .map_err(|e| anyhow::anyhow!("stored catalogue {year} no longer parses: {e}"))?;
        let parsed = Arc::new(parsed);
        self.parsed
            .lock()
            .map_err(|_| anyhow::anyhow!("cache poisoned"))?
            .insert(sha.clone(), parsed.clone());
        Ok(Some((sha, parsed)))
    }
}

impl CatalogueCache {
    /// The content hash of a catalogue this cache parsed (the same value, not an equal one), or
    /// None for a catalogue parsed elsewhere (a draft, a what-if): what a cache of results
    /// computed with it is keyed by.
    pub fn hash_of(&self, catalogue: &Catalogue) -> AppResult<Option<String>> {
        Ok(self
            .parsed
            .lock()
            .map_err(|_| anyhow::anyhow!("cache poisoned"))?
            .iter()
            .find(|(_, c)| std::ptr::eq(Arc::as_ptr(c), catalogue))
            .map(|(sha, _)| sha.clone()))
    }
}

/// Stores the built-in 2017 catalogue if no 2017 catalogue is stored yet.
pub async fn ensure_builtin(db: &Db, now: DateTime<Utc>) -> AppResult<()> {
    let exists = sqlx::query("SELECT COUNT(*) FROM catalogues WHERE year = $1")
        .bind(i64::from(BUILTIN_YEAR))
        .fetch_one(&db.pool)
        .await?
        .try_get::<i64, _>(0)?;
    if exists > 0 {
        return Ok(());
    }
    store(
        db,
        &Actor::System,
        now,
        catalogue::BUILTIN_2017_SOURCE,
        "catalogues/2017.toml",
        true,
    )
    .await
    .map_err(|e| match e {
        StoreCatalogueError::Invalid(e) => {
            AppError::Internal(anyhow::anyhow!("built-in catalogue: {e}"))
        }
        StoreCatalogueError::App(e) => e,
    })?;
    Ok(())
}

#[derive(Debug, thiserror::Error)]
pub enum StoreCatalogueError {
    #[error("{0}")]
    Invalid(CatalogueError),
    #[error(transparent)]
    App(#[from] AppError),
}

impl From<sqlx::Error> for StoreCatalogueError {
    fn from(e: sqlx::Error) -> Self {
        StoreCatalogueError::App(e.into())
    }
}

/// Validates and stores a catalogue source; replaces the stored one for that year (audited with
/// both hashes, so the previous version can be identified).
pub async fn store(
    db: &Db,
    actor: &Actor,
    now: DateTime<Utc>,
    source: &str,
    file_name: &str,
    builtin: bool,
) -> Result<Catalogue, StoreCatalogueError> {
    let parsed = catalogue::parse(source, file_name).map_err(StoreCatalogueError::Invalid)?;
    let sha = hash_secret(source);
    let mut tx = db.begin().await?;
    let before = sqlx::query("SELECT sha256, file_name FROM catalogues WHERE year = $1")
        .bind(i64::from(parsed.year))
        .fetch_optional(&mut *tx)
        .await?
        .map(|r| -> Result<_, sqlx::Error> { Ok(json!({"sha256": r.try_get::<String, _>(0)?, "file_name": r.try_get::<String, _>(1)?})) })
        .transpose()?;
    sqlx::query("DELETE FROM catalogues WHERE year = $1")
        .bind(i64::from(parsed.year))
        .execute(&mut *tx)
        .await?;
    sqlx::query("INSERT INTO catalogues (year, file_name, source, sha256, builtin, loaded_at, loaded_by) VALUES ($1, $2, $3, $4, $5, $6, $7)")
        .bind(i64::from(parsed.year))
        .bind(file_name)
        .bind(source)
        .bind(&sha)
        .bind(builtin)
        .bind(ts(now))
        .bind(actor.label())
        .execute(&mut *tx)
        .await?;
    let year = parsed.year.to_string();
    audit::record(
        db,
        &mut tx,
        actor,
        now,
        Change {
            action: "catalogue.load",
            object_type: "catalogue",
            object_id: &year,
            before,
            after: Some(
                json!({"sha256": sha, "file_name": file_name, "tasks": parsed.tasks.len()}),
            ),
        },
    )
    .await
    .map_err(AppError::from)?;
    tx.commit().await?;
    Ok(parsed)
}

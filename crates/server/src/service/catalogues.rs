//! Task catalogues (R-CAT-1): the stored years, one year's parsed catalogue, loading another
//! year's file at run time.

use std::sync::Arc;

use reformwatch_core::catalogue::Catalogue;

use crate::AppState;
use crate::auth::policy::Action;
use crate::db::catalogues::{self, StoreCatalogueError, StoredCatalogue};
use crate::error::{AppError, AppResult};
use crate::principal::Principal;

pub async fn list(state: &AppState) -> AppResult<Vec<StoredCatalogue>> {
    catalogues::list(&state.db).await
}

/// The catalogue of `year` as written in a path or query (`"2017"`), or the newest loaded one
/// when none is given. An unknown or malformed year is 404.
pub async fn get(state: &AppState, year: Option<&str>) -> AppResult<Arc<Catalogue>> {
    Ok(get_hashed(state, year).await?.1)
}

/// The same with the SHA-256 of the stored source (the key of pages made from it, R-PUB-3).
pub async fn get_hashed(
    state: &AppState,
    year: Option<&str>,
) -> AppResult<(String, Arc<Catalogue>)> {
    let year: i32 = match year.map(str::trim).filter(|y| !y.is_empty()) {
        Some(y) => y.parse().map_err(|_| AppError::NotFound)?,
        None => catalogues::newest_year(&state.db)
            .await?
            .ok_or(AppError::NotFound)?,
    };
    state
        .catalogues
        .get_hashed(&state.db, year)
        .await?
        .ok_or(AppError::NotFound)
}

/// The catalogue of a year (404 when none is loaded for it).
pub async fn of_year(state: &AppState, year: i32) -> AppResult<Arc<Catalogue>> {
    state
        .catalogues
        .get(&state.db, year)
        .await?
        .ok_or(AppError::NotFound)
}

/// Validates and stores a catalogue source (administrators; R-CAT-1).
pub async fn load(
    state: &AppState,
    who: &Principal,
    source: &str,
    file_name: &str,
) -> Result<Catalogue, StoreCatalogueError> {
    who.require(Action::LoadCatalogue, None)?;
    let catalogue = catalogues::store(
        &state.db,
        &who.actor(),
        state.clock.now(),
        source,
        file_name,
        false,
    )
    .await?;
    // The public pages show the catalogue and the newest year (R-PUB-3): at once here.
    state.public_pages.changed();
    // A year started from an earlier one (issue 13): its last known facts come over now that
    // the year's own declarations are known (once).
    crate::db::years::carry_facts(&state.db, &who.actor(), state.clock.now(), &catalogue).await?;
    Ok(catalogue)
}

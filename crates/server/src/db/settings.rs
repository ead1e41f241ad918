//! Small key/value settings stored in the database (e.g. whether this is demonstration data).

use sqlx::Row;

use super::Db;
use crate::error::AppResult;

pub const DEMO: &str = "demo";

pub async fn get(db: &Db, key: &str) -> AppResult<Option<String>> {
    let row = sqlx::query("SELECT value FROM settings WHERE key = $1")
        .bind(key)
        .fetch_optional(&db.pool)
        .await?;
    Ok(row.map(|r| r.try_get::<String, _>(0)).transpose()?)
}

/// Sets a value inside the caller's transaction (callers audit the change they make).
pub async fn set_in(tx: &mut super::Tx, key: &str, value: &str) -> AppResult<()> {
    sqlx::query("DELETE FROM settings WHERE key = $1")
        .bind(key)
        .execute(&mut **tx)
        .await?;
    sqlx::query("INSERT INTO settings (key, value) VALUES ($1, $2)")
        .bind(key)
        .bind(value)
        .execute(&mut **tx)
        .await?;
    Ok(())
}

/// What every page shows besides its content: the demo flag and the newest loaded catalogue
/// year (the pages' default year), read in one statement per page request (issue 8). The
/// database stays the truth: nothing is cached between requests, so several processes agree.
/// (The anonymous public pages answered by the fast path depend on both through
/// [`public_fingerprint`], read at most every `public_revalidate_ms`.)
pub async fn page_defaults(db: &Db) -> AppResult<(bool, Option<i32>)> {
    let row = sqlx::query(
        "SELECT (SELECT value FROM settings WHERE key = $1), (SELECT MAX(year) FROM catalogues)",
    )
    .bind(DEMO)
    .fetch_one(&db.pool)
    .await?;
    let demo: Option<String> = row.try_get(0)?;
    let year: Option<i64> = row.try_get(1)?;
    Ok((demo.as_deref() == Some("true"), year.map(|y| y as i32)))
}

/// What the anonymous public pages depend on (R-PUB-3, `http::fastpath`): the demo flag, and a
/// version text naming the newest bulletin (number and hash) and every catalogue (year and
/// hash; the newest year is the pages' default year). Two statements, read at most every
/// `public_revalidate_ms` by one request of the process.
pub async fn public_fingerprint(db: &Db) -> AppResult<crate::public_pages::Fingerprint> {
    let row = sqlx::query(
        "SELECT (SELECT value FROM settings WHERE key = $1), \
         (SELECT number FROM bulletins ORDER BY number DESC LIMIT 1), \
         (SELECT sha256 FROM bulletins ORDER BY number DESC LIMIT 1)",
    )
    .bind(DEMO)
    .fetch_one(&db.pool)
    .await?;
    let demo: Option<String> = row.try_get(0)?;
    let number: Option<i64> = row.try_get(1)?;
    let sha: Option<String> = row.try_get(2)?;
    let mut version = format!("bulletin {number:?} {sha:?}; catalogues");
    for r in sqlx::query("SELECT year, sha256 FROM catalogues ORDER BY year")
        .fetch_all(&db.pool)
        .await?
    {
        let year: i64 = r.try_get(0)?;
        let sha: String = r.try_get(1)?;
        version.push_str(&format!(" {year}:{sha}"));
    }
    Ok(crate::public_pages::Fingerprint {
        demo: demo.as_deref() == Some("true"),
        version,
    })
}

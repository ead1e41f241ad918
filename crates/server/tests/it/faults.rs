//! Issue 9 — faults: a full disk gives an error, and once space is back the service works again
//! without a restart (no connection stays poisoned). SQLite's `max_page_count` makes the
//! database "full" without a small file system; `scripts/crash-test --disk-full` does the same
//! on a real full tmpfs, through the API.

use reformwatch::db::Db;
use sqlx::Row;

use crate::{Backend, TestApp};

/// Runs `sql` on every connection of the pool (all of them held at once).
async fn on_every_connection(db: &Db, sql: &str) {
    let mut held = Vec::new();
    for _ in 0..db.pool.options().get_max_connections() {
        let mut c = db.pool.acquire().await.unwrap();
        sqlx::query(sqlx::AssertSqlSafe(sql.to_string()))
            .execute(&mut *c)
            .await
            .unwrap();
        held.push(c);
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sqlite_recovers_after_the_database_was_full() {
    let app = TestApp::new(Backend::Sqlite).await;
    let db = app.db();
    sqlx::query("CREATE TABLE filler (b BLOB NOT NULL)")
        .execute(&db.pool)
        .await
        .unwrap();
    let pages: i64 = sqlx::query("PRAGMA page_count")
        .fetch_one(&db.pool)
        .await
        .unwrap()
        .try_get(0)
        .unwrap();
    on_every_connection(db, &format!("PRAGMA max_page_count = {}", pages + 8)).await;
    // Writes in write transactions until the database is full.
    let mut full = 0;
    for i in 0..50 {
        let mut tx = db.begin().await.unwrap_or_else(|e| {
            panic!("BEGIN IMMEDIATE {i} after {full} \"database is full\" errors: {e}")
        });
        let r = sqlx::query("INSERT INTO filler (b) VALUES (zeroblob(16384))")
            .execute(&mut *tx)
            .await;
        match r {
            Ok(_) => match tx.commit().await {
                Ok(()) => {}
                Err(e) => {
                    assert!(e.to_string().contains("full"), "{e}");
                    full += 1;
                }
            },
            Err(e) => {
                assert!(e.to_string().contains("full"), "{e}");
                full += 1;
                drop(tx);
            }
        }
    }
    assert!(full > 0, "the database never became full");
    // Space is back: every later write transaction must start and commit.
    on_every_connection(db, "PRAGMA max_page_count = 1073741823").await;
    for i in 0..40 {
        let mut tx = db
            .begin()
            .await
            .unwrap_or_else(|e| panic!("BEGIN IMMEDIATE {i} after the disk was full: {e}"));
        sqlx::query("DELETE FROM filler WHERE rowid = (SELECT MIN(rowid) FROM filler)")
            .execute(&mut *tx)
            .await
            .unwrap();
        tx.commit().await.unwrap();
    }
}

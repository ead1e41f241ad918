//! Notifications (issue 4): inbox rows, deduplicated per user by a key (`UNIQUE (user_id,
//! dedupe_key)`, so a reminder is stored once even with several server processes), and the
//! e-mail outbox columns (`email_to`, `emailed_at`, `email_error`).

use chrono::{DateTime, Utc};
use serde::Serialize;
use sqlx::Row;

use super::audit::{self, Actor, Change};
use super::{Db, ts};
use crate::error::AppResult;

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct Notification {
    pub id: i64,
    pub kind: String,
    pub subject_zh: String,
    pub subject_en: String,
    pub link: String,
    pub created_at: String,
    pub read_at: Option<String>,
}

/// One notification to store.
pub struct NewNotification<'a> {
    pub user_id: i64,
    pub kind: &'a str,
    pub dedupe_key: &'a str,
    pub subject_zh: &'a str,
    pub subject_en: &'a str,
    pub link: &'a str,
    /// Set when the notification is also to be e-mailed.
    pub email_to: Option<&'a str>,
}

/// A user who receives notifications: id, e-mail address (may be empty), society.
#[derive(Debug, Clone)]
pub struct Recipient {
    pub user_id: i64,
    pub email: String,
    pub society_id: Option<i64>,
}

/// Who receives notifications, active users only: administrators and reviewers (`Staff`), the
/// people of one society, or the people of every society. One query.
pub enum Audience {
    Staff,
    Society(i64),
    Societies,
}

pub async fn recipients(db: &Db, audience: Audience) -> AppResult<Vec<Recipient>> {
    let q = match audience {
        Audience::Staff => sqlx::query(
            "SELECT id, email, society_id, disabled, role FROM users WHERE role IN ('admin', 'reviewer') ORDER BY id",
        ),
        Audience::Society(id) => sqlx::query(
            "SELECT id, email, society_id, disabled, role FROM users WHERE society_id = $1 ORDER BY id",
        )
        .bind(id),
        Audience::Societies => sqlx::query(
            "SELECT id, email, society_id, disabled, role FROM users WHERE society_id IS NOT NULL ORDER BY id",
        ),
    };
    let rows = q.fetch_all(&db.pool).await?;
    let mut out = Vec::new();
    for r in &rows {
        // Booleans are filtered here, portably (SQLite stores 0/1).
        if super::get_bool(r, 3)? {
            continue;
        }
        let role: String = r.try_get(4)?;
        let society_id: Option<i64> = r.try_get(2)?;
        if society_id.is_none() && !matches!(role.as_str(), "admin" | "reviewer") {
            continue;
        }
        out.push(Recipient {
            user_id: r.try_get(0)?,
            email: r.try_get(1)?,
            society_id,
        });
    }
    Ok(out)
}

/// The (user, dedupe key) pairs already stored for a kind of notification (and one key, when
/// given), so that a run of reminders writes only what is new.
pub async fn stored_keys(db: &Db, kind: &str, key: Option<&str>) -> AppResult<Vec<(i64, String)>> {
    let rows = match key {
        Some(key) => sqlx::query(
            "SELECT user_id, dedupe_key FROM notifications WHERE kind = $1 AND dedupe_key = $2",
        )
        .bind(kind)
        .bind(key),
        None => {
            sqlx::query("SELECT user_id, dedupe_key FROM notifications WHERE kind = $1").bind(kind)
        }
    }
    .fetch_all(&db.pool)
    .await?;
    rows.iter()
        .map(|r| Ok((r.try_get(0)?, r.try_get(1)?)))
        .collect::<Result<_, sqlx::Error>>()
        .map_err(Into::into)
}

/// Stores notifications, skipping any (user, key) already stored. Returns how many were new.
pub async fn insert(db: &Db, now: DateTime<Utc>, items: &[NewNotification<'_>]) -> AppResult<u64> {
    let mut added = 0;
    for n in items {
        let r = sqlx::query(
            "INSERT INTO notifications (user_id, kind, dedupe_key, subject_zh, subject_en, link, created_at, email_to) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8) ON CONFLICT (user_id, dedupe_key) DO NOTHING",
        )
        .bind(n.user_id)
        .bind(n.kind)
        .bind(n.dedupe_key)
        .bind(n.subject_zh)
        .bind(n.subject_en)
        .bind(n.link)
        .bind(ts(now))
        .bind(n.email_to)
        .execute(&db.pool)
        .await?;
        added += r.rows_affected();
    }
    Ok(added)
}

/// A user's inbox, newest first (at most 200).
pub async fn list(db: &Db, user_id: i64) -> AppResult<Vec<Notification>> {
    let rows = sqlx::query("SELECT id, kind, subject_zh, subject_en, link, created_at, read_at FROM notifications WHERE user_id = $1 ORDER BY id DESC LIMIT 200")
        .bind(user_id)
        .fetch_all(&db.pool)
        .await?;
    rows.iter()
        .map(|r| {
            Ok(Notification {
                id: r.try_get(0)?,
                kind: r.try_get(1)?,
                subject_zh: r.try_get(2)?,
                subject_en: r.try_get(3)?,
                link: r.try_get(4)?,
                created_at: r.try_get(5)?,
                read_at: r.try_get(6)?,
            })
        })
        .collect::<Result<_, sqlx::Error>>()
        .map_err(Into::into)
}

/// Marks one of the user's own notifications read (another user's id: nothing happens).
pub async fn mark_read(db: &Db, user_id: i64, id: i64, now: DateTime<Utc>) -> AppResult<bool> {
    let r = sqlx::query(
        "UPDATE notifications SET read_at = $3 WHERE id = $1 AND user_id = $2 AND read_at IS NULL",
    )
    .bind(id)
    .bind(user_id)
    .bind(ts(now))
    .execute(&db.pool)
    .await?;
    Ok(r.rows_affected() == 1)
}

/// Marks every unread notification of one user read, with its audit entry in the same
/// transaction (issue 10). Only that user's rows are touched. Returns how many were unread;
/// nothing unread: nothing changes and nothing is recorded.
pub async fn mark_all_read(
    db: &Db,
    actor: &Actor,
    user_id: i64,
    username: &str,
    now: DateTime<Utc>,
) -> AppResult<u64> {
    let mut tx = db.begin().await?;
    let r =
        sqlx::query("UPDATE notifications SET read_at = $2 WHERE user_id = $1 AND read_at IS NULL")
            .bind(user_id)
            .bind(ts(now))
            .execute(&mut *tx)
            .await?;
    let count = r.rows_affected();
    if count > 0 {
        audit::record(
            db,
            &mut tx,
            actor,
            now,
            Change {
                action: "inbox.read_all",
                object_type: "user",
                object_id: username,
                before: Some(serde_json::json!({ "unread": count })),
                after: Some(serde_json::json!({ "unread": 0 })),
            },
        )
        .await?;
    }
    tx.commit().await?;
    Ok(count)
}

/// An e-mail waiting in the outbox.
pub struct PendingEmail {
    pub id: i64,
    pub to: String,
    pub subject_zh: String,
    pub subject_en: String,
    pub link: String,
}

/// The oldest e-mails not sent yet (at most `limit`).
pub async fn pending_email(db: &Db, limit: i64) -> AppResult<Vec<PendingEmail>> {
    let rows = sqlx::query("SELECT id, email_to, subject_zh, subject_en, link FROM notifications WHERE email_to IS NOT NULL AND emailed_at IS NULL ORDER BY id LIMIT $1")
        .bind(limit)
        .fetch_all(&db.pool)
        .await?;
    rows.iter()
        .map(|r| {
            Ok(PendingEmail {
                id: r.try_get(0)?,
                to: r.try_get(1)?,
                subject_zh: r.try_get(2)?,
                subject_en: r.try_get(3)?,
                link: r.try_get(4)?,
            })
        })
        .collect::<Result<_, sqlx::Error>>()
        .map_err(Into::into)
}

/// Records that an e-mail went out.
pub async fn emailed(db: &Db, id: i64, now: DateTime<Utc>) -> AppResult<()> {
    sqlx::query("UPDATE notifications SET emailed_at = $2, email_error = NULL WHERE id = $1")
        .bind(id)
        .bind(ts(now))
        .execute(&db.pool)
        .await?;
    Ok(())
}

/// Records why an e-mail failed (it is retried at the next flush).
pub async fn email_failed(db: &Db, id: i64, error: &str) -> AppResult<()> {
    sqlx::query("UPDATE notifications SET email_error = $2 WHERE id = $1")
        .bind(id)
        .bind(error)
        .execute(&db.pool)
        .await?;
    Ok(())
}

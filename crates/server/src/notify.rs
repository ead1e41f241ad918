//! Notifications (issue 4): an in-app inbox for every user, and e-mail when SMTP is configured.
//! A notification is a row (deduplicated per user by a key, so reminders are sent once even with
//! several server processes); e-mail goes through an outbox that `flush_email` drains.

use chrono::{DateTime, Utc};
use serde::Serialize;
use sqlx::Row;

use crate::db::societies::Society;
use crate::db::{Db, ts};
use crate::error::AppResult;
use crate::i18n::{Lang, Messages};
use crate::web::AppState;

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

fn subject(lang: Lang, kind: &str, society: &str, year: &str) -> String {
    Messages::global().format(
        lang,
        &format!("notify-{kind}"),
        &[
            ("society".into(), society.into()),
            ("year".into(), year.into()),
        ],
    )
}

/// Inserts one notification per recipient (skipping any already sent with the same key).
async fn insert(
    db: &Db,
    recipients: &[(i64, String)],
    kind: &str,
    key: &str,
    link: &str,
    society: &str,
    now: DateTime<Utc>,
    email_enabled: bool,
) -> AppResult<()> {
    let year = link
        .split('/')
        .find(|p| p.len() == 4 && p.chars().all(|c| c.is_ascii_digit()))
        .unwrap_or("");
    for (user_id, email) in recipients {
        let email_to =
            (email_enabled && !email.trim().is_empty()).then(|| email.trim().to_string());
        sqlx::query(
            "INSERT INTO notifications (user_id, kind, dedupe_key, subject_zh, subject_en, link, created_at, email_to) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8) ON CONFLICT (user_id, dedupe_key) DO NOTHING",
        )
        .bind(user_id)
        .bind(kind)
        .bind(key)
        .bind(subject(Lang::Zh, kind, society, year))
        .bind(subject(Lang::En, kind, society, year))
        .bind(link)
        .bind(ts(now))
        .bind(email_to)
        .execute(&db.pool)
        .await?;
    }
    Ok(())
}

/// To every active administrator and reviewer.
pub async fn staff(
    state: &AppState,
    kind: &str,
    key: &str,
    link: &str,
    society_name: &str,
) -> AppResult<()> {
    let to = recipients_flag(
        &state.db,
        "SELECT id, email, disabled FROM users WHERE role IN ('admin', 'reviewer')",
        None,
    )
    .await?;
    insert(
        &state.db,
        &to,
        kind,
        key,
        link,
        society_name,
        state.clock.now(),
        state.config.smtp_url.is_some(),
    )
    .await
}

/// Filters disabled users in Rust (portable boolean handling).
async fn recipients_flag(
    db: &Db,
    sql: &'static str,
    id: Option<i64>,
) -> AppResult<Vec<(i64, String)>> {
    let mut q = sqlx::query(sql);
    if let Some(id) = id {
        q = q.bind(id);
    }
    let rows = q.fetch_all(&db.pool).await?;
    let mut out = Vec::new();
    for r in &rows {
        if !crate::db::get_bool(r, 2)? {
            out.push((r.try_get(0)?, r.try_get(1)?));
        }
    }
    Ok(out)
}

/// To every active editor and viewer of the society.
pub async fn society(
    state: &AppState,
    society: &Society,
    kind: &str,
    key: &str,
    link: &str,
) -> AppResult<()> {
    let to = recipients_flag(
        &state.db,
        "SELECT id, email, disabled FROM users WHERE society_id = $1",
        Some(society.id),
    )
    .await?;
    insert(
        &state.db,
        &to,
        kind,
        key,
        link,
        &society.name,
        state.clock.now(),
        state.config.smtp_url.is_some(),
    )
    .await
}

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

/// Sends pending e-mails (at most 100 per call). Returns (sent, failed). Failures are recorded
/// and retried at the next call.
pub async fn flush_email(state: &AppState) -> AppResult<(usize, usize)> {
    let Some(url) = state.config.smtp_url.as_deref() else {
        return Ok((0, 0));
    };
    use lettre::{AsyncSmtpTransport, AsyncTransport, Message, Tokio1Executor};
    let transport = AsyncSmtpTransport::<Tokio1Executor>::from_url(url)
        .map_err(|e| anyhow::anyhow!("invalid smtp_url: {e}"))?
        .timeout(Some(std::time::Duration::from_secs(20)))
        .build();
    let rows = sqlx::query("SELECT id, email_to, subject_zh, subject_en, link FROM notifications WHERE email_to IS NOT NULL AND emailed_at IS NULL ORDER BY id LIMIT 100")
        .fetch_all(&state.db.pool)
        .await?;
    let (mut sent, mut failed) = (0, 0);
    for r in &rows {
        let id: i64 = r.try_get(0)?;
        let to: String = r.try_get(1)?;
        let zh: String = r.try_get(2)?;
        let en: String = r.try_get(3)?;
        let link: String = r.try_get(4)?;
        let body = format!(
            "{zh}\n{en}\n\n{}{link}\n\n— ReformWatch 学会改革监测考核平台\n",
            state.config.public_url.trim_end_matches('/')
        );
        let result = async {
            let msg = Message::builder()
                .from(
                    state
                        .config
                        .mail_from
                        .parse()
                        .map_err(|e| anyhow::anyhow!("mail_from: {e}"))?,
                )
                .to(to
                    .parse()
                    .map_err(|e| anyhow::anyhow!("address {to}: {e}"))?)
                .subject(format!("{zh} / {en}"))
                .header(lettre::message::header::ContentType::TEXT_PLAIN)
                .body(body)
                .map_err(|e| anyhow::anyhow!("{e}"))?;
            transport
                .send(msg)
                .await
                .map_err(|e| anyhow::anyhow!("{e}"))?;
            Ok::<(), anyhow::Error>(())
        }
        .await;
        let now = ts(state.clock.now());
        match result {
            Ok(()) => {
                sqlx::query(
                    "UPDATE notifications SET emailed_at = $2, email_error = NULL WHERE id = $1",
                )
                .bind(id)
                .bind(now)
                .execute(&state.db.pool)
                .await?;
                sent += 1;
            }
            Err(e) => {
                tracing::warn!(notification.id = id, error = %e, "e-mail failed");
                sqlx::query("UPDATE notifications SET email_error = $2 WHERE id = $1")
                    .bind(id)
                    .bind(e.to_string())
                    .execute(&state.db.pool)
                    .await?;
                failed += 1;
            }
        }
    }
    Ok((sent, failed))
}

/// Deadline reminders (issue 4): 7 days and 1 day before the plan deadline, and once overdue, to
/// the people of every active society that has not submitted its reform plan. Idempotent.
pub async fn plan_deadline_reminders(
    state: &AppState,
    catalogue: &reformwatch_core::catalogue::Catalogue,
) -> AppResult<usize> {
    let now = state.clock.now();
    let (deadline, _) = crate::db::plans::plan_deadline(&state.db, catalogue).await?;
    let Some(kind) = reminder_due(deadline, now) else {
        return Ok(0);
    };
    let kind = kind.as_str();
    let societies = crate::db::societies::list(&state.db, &Default::default()).await?;
    let plans = crate::db::plans::list(
        &state.db,
        catalogue.year,
        crate::db::plans::PlanKind::Reform,
    )
    .await?;
    let mut n = 0;
    for s in &societies {
        let submitted = plans
            .iter()
            .any(|p| p.society_id == s.id && p.latest_version.is_some());
        if submitted {
            continue;
        }
        let key = format!("{kind}/{}/{}", s.code, catalogue.year);
        society(
            state,
            s,
            kind,
            &key,
            &format!("/societies/{}/plans/{}", s.code, catalogue.year),
        )
        .await?;
        n += 1;
    }
    Ok(n)
}

/// Which deadline reminder is due at `now`: within 7 days, within 1 day, or overdue.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Reminder {
    Week,
    Day,
    Overdue,
}

impl Reminder {
    pub fn as_str(self) -> &'static str {
        match self {
            Reminder::Week => "deadline-7d",
            Reminder::Day => "deadline-1d",
            Reminder::Overdue => "deadline-overdue",
        }
    }
}

pub fn reminder_due(deadline: DateTime<Utc>, now: DateTime<Utc>) -> Option<Reminder> {
    let left = deadline - now;
    if left < chrono::Duration::zero() {
        Some(Reminder::Overdue)
    } else if left <= chrono::Duration::days(1) {
        Some(Reminder::Day)
    } else if left <= chrono::Duration::days(7) {
        Some(Reminder::Week)
    } else {
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reminders_at_their_boundaries() {
        let d = DateTime::parse_from_rfc3339("2017-05-22T15:59:59Z")
            .unwrap()
            .with_timezone(&Utc);
        let at = |secs: i64| d - chrono::Duration::seconds(secs);
        assert_eq!(reminder_due(d, at(7 * 86400 + 1)), None);
        assert_eq!(reminder_due(d, at(7 * 86400)), Some(Reminder::Week));
        assert_eq!(reminder_due(d, at(86400 + 1)), Some(Reminder::Week));
        assert_eq!(reminder_due(d, at(86400)), Some(Reminder::Day));
        assert_eq!(reminder_due(d, at(0)), Some(Reminder::Day));
        assert_eq!(reminder_due(d, at(-1)), Some(Reminder::Overdue));
    }
}

//! Notifications (issue 4): an in-app inbox for every user, and e-mail when SMTP is configured.
//! A notification is a row deduplicated per user by a key, so reminders are sent once even with
//! several server processes; e-mail goes through an outbox that [`flush_email`] drains.

use std::collections::HashSet;

use chrono::{DateTime, Utc};
use reformwatch_core::catalogue::Catalogue;

use crate::AppState;
use crate::auth::policy::Action;
use crate::db::notifications::{self, Audience, NewNotification, Notification, Recipient};
use crate::db::plans::{self, PlanKind};
use crate::db::societies::{self, Society};
use crate::error::{AppError, AppResult};
use crate::i18n::{Lang, Messages};
use crate::principal::Principal;

/// What to tell, about one society.
pub struct Note<'a> {
    /// `plan-submitted`, `report-overdue`, … (the `notify-KIND` message).
    pub kind: &'a str,
    /// Deduplication key: the same key is never stored twice for a user.
    pub key: String,
    pub link: String,
    pub society: &'a Society,
}

fn subject(lang: Lang, kind: &str, society: &str, link: &str) -> String {
    let year = link
        .split('/')
        .find(|p| p.len() == 4 && p.chars().all(|c| c.is_ascii_digit()))
        .unwrap_or("");
    Messages::global().format(
        lang,
        &format!("notify-{kind}"),
        &[
            ("society".into(), society.into()),
            ("year".into(), year.into()),
        ],
    )
}

/// Stores the notes for their recipients (`staff`: administrators and reviewers; otherwise the
/// society's own people), skipping what is already stored: a fixed number of reads, and writes
/// only for what is new. Returns how many notifications were new.
async fn deliver(
    state: &AppState,
    now: DateTime<Utc>,
    staff: bool,
    notes: &[Note<'_>],
) -> AppResult<u64> {
    if notes.is_empty() {
        return Ok(0);
    }
    // One note: its own recipients and key; many (a run of reminders): everyone, each kind once.
    let single = notes.len() == 1;
    let audience = match (staff, notes.first()) {
        (true, _) => Audience::Staff,
        (false, Some(n)) if single => Audience::Society(n.society.id),
        _ => Audience::Societies,
    };
    let recipients = notifications::recipients(&state.db, audience).await?;
    let mut kinds: Vec<&str> = notes.iter().map(|n| n.kind).collect();
    kinds.sort_unstable();
    kinds.dedup();
    let mut stored: HashSet<(i64, String)> = HashSet::new();
    for kind in kinds {
        let key = notes.first().filter(|_| single).map(|n| n.key.as_str());
        stored.extend(notifications::stored_keys(&state.db, kind, key).await?);
    }
    let email = state.config.smtp_url.is_some();
    let mut rows = Vec::new();
    for n in notes {
        let to: Vec<&Recipient> = recipients
            .iter()
            .filter(|r| {
                if staff {
                    r.society_id.is_none()
                } else {
                    r.society_id == Some(n.society.id)
                }
            })
            .filter(|r| !stored.contains(&(r.user_id, n.key.clone())))
            .collect();
        if to.is_empty() {
            continue;
        }
        let zh = subject(Lang::Zh, n.kind, &n.society.name, &n.link);
        let en = subject(Lang::En, n.kind, &n.society.name, &n.link);
        for r in to {
            let address = r.email.trim();
            rows.push((
                r.user_id,
                zh.clone(),
                en.clone(),
                (email && !address.is_empty()).then(|| address.to_string()),
                n,
            ));
        }
    }
    let items: Vec<NewNotification<'_>> = rows
        .iter()
        .map(|(user_id, zh, en, to, n)| NewNotification {
            user_id: *user_id,
            kind: n.kind,
            dedupe_key: &n.key,
            subject_zh: zh,
            subject_en: en,
            link: &n.link,
            email_to: to.as_deref(),
        })
        .collect();
    notifications::insert(&state.db, now, &items).await
}

/// To every active administrator and reviewer, about a society.
pub async fn staff(state: &AppState, now: DateTime<Utc>, note: Note<'_>) -> AppResult<()> {
    deliver(state, now, true, &[note]).await.map(|_| ())
}

/// To every active editor and viewer of each note's society.
pub async fn societies(state: &AppState, now: DateTime<Utc>, notes: &[Note<'_>]) -> AppResult<u64> {
    deliver(state, now, false, notes).await
}

/// To every active editor and viewer of the society.
pub async fn society(state: &AppState, now: DateTime<Utc>, note: Note<'_>) -> AppResult<()> {
    deliver(state, now, false, &[note]).await.map(|_| ())
}

/// The caller's inbox, newest first.
pub async fn inbox(state: &AppState, who: &Principal) -> AppResult<Vec<Notification>> {
    who.require(Action::OwnAccount, None)?;
    let user = who.user().ok_or(AppError::Unauthorized)?;
    notifications::list(&state.db, user.id).await
}

/// Marks one of the caller's notifications read (someone else's: 404).
pub async fn mark_read(state: &AppState, who: &Principal, id: i64) -> AppResult<()> {
    let user = who.user().ok_or(AppError::Unauthorized)?;
    if notifications::mark_read(&state.db, user.id, id, state.clock.now()).await? {
        Ok(())
    } else {
        Err(AppError::NotFound)
    }
}

/// Marks all of the caller's notifications read (audited; nobody else's change). Returns how
/// many were unread.
pub async fn mark_all_read(state: &AppState, who: &Principal) -> AppResult<u64> {
    who.require(Action::OwnAccount, None)?;
    let user = who.user().ok_or(AppError::Unauthorized)?;
    notifications::mark_all_read(
        &state.db,
        &who.actor(),
        user.id,
        &user.username,
        state.clock.now(),
    )
    .await
}

/// Sends pending e-mails (at most 100 per call). Returns (sent, failed). Failures are recorded
/// and retried at the next call.
pub async fn flush_email(state: &AppState, now: DateTime<Utc>) -> AppResult<(usize, usize)> {
    let Some(url) = state.config.smtp_url.as_deref() else {
        return Ok((0, 0));
    };
    use lettre::{AsyncSmtpTransport, AsyncTransport, Message, Tokio1Executor};
    let transport = AsyncSmtpTransport::<Tokio1Executor>::from_url(url)
        .map_err(|e| anyhow::anyhow!("invalid smtp_url: {e}"))?
        .timeout(Some(std::time::Duration::from_secs(20)))
        .build();
    let (mut sent, mut failed) = (0, 0);
    for mail in notifications::pending_email(&state.db, 100).await? {
        let body = format!(
            "{}\n{}\n\n{}{}\n\n— ReformWatch 学会改革监测考核平台\n",
            mail.subject_zh,
            mail.subject_en,
            state.config.public_url.trim_end_matches('/'),
            mail.link
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
                .to(mail
                    .to
                    .parse()
                    .map_err(|e| anyhow::anyhow!("address {}: {e}", mail.to))?)
                .subject(format!("{} / {}", mail.subject_zh, mail.subject_en))
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
        match result {
            Ok(()) => {
                notifications::emailed(&state.db, mail.id, now).await?;
                sent += 1;
            }
            Err(e) => {
                tracing::warn!(notification.id = mail.id, error = %e, "e-mail failed");
                notifications::email_failed(&state.db, mail.id, &e.to_string()).await?;
                failed += 1;
            }
        }
    }
    Ok((sent, failed))
}

/// Deadline reminders (issue 4): 7 days and 1 day before the plan deadline, and once overdue, to
/// the people of every active society that has not submitted its reform plan. Idempotent.
/// Returns how many societies were reminded (already reminded ones included).
pub async fn plan_deadline_reminders(
    state: &AppState,
    catalogue: &Catalogue,
    now: DateTime<Utc>,
) -> AppResult<usize> {
    let (deadline, _) = plans::plan_deadline(&state.db, catalogue).await?;
    let Some(kind) = reminder_due(deadline, now) else {
        return Ok(0);
    };
    let kind = kind.as_str();
    let all = societies::list(&state.db, &Default::default()).await?;
    let plans = plans::list(&state.db, catalogue.year, PlanKind::Reform).await?;
    let notes: Vec<Note<'_>> = all
        .iter()
        .filter(|s| {
            !plans
                .iter()
                .any(|p| p.society_id == s.id && p.latest_version.is_some())
        })
        .map(|s| Note {
            kind,
            key: format!("{kind}/{}/{}", s.code, catalogue.year),
            link: format!("/societies/{}/plans/{}", s.code, catalogue.year),
            society: s,
        })
        .collect();
    societies(state, now, &notes).await?;
    Ok(notes.len())
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

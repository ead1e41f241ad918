//! Demonstration data (`serve --demo`, `reformwatch demo`): the 209 societies, the 2017
//! catalogue, and one account per role with fresh random passwords, printed, never stored in
//! the repository. The UI marks the whole system as demonstration data. The year itself
//! (facts, plans, reports, reviews) is seeded by `service::demo`.
//!
//! The demo clock (issue 10): a demo of the 2017 catalogue runs inside 2017. `--demo` starts
//! the server's clock at [`DEFAULT_MOMENT`] (2017-09-15 10:00 Beijing time) unless `--clock`
//! (or `clock` in the configuration) names another moment; the clock then advances in real
//! time from there, so sessions and "in 5 minutes" behave as usual. `--clock` without
//! `--demo` is refused: a production server never runs on a shifted clock.

use chrono::{DateTime, FixedOffset, Utc};
use serde_json::json;

use crate::auth::{password, random_password};
use crate::db::audit::{self, Actor, Change};
use crate::db::societies;
use crate::db::users::{self, NewUser};
use crate::db::{Db, settings};
use crate::error::AppResult;
use crate::import::{BUILTIN_SOCIETIES_CSV, parse_societies};
use crate::model::Role;

pub struct DemoAccount {
    pub username: &'static str,
    pub role: Role,
    pub society: Option<&'static str>,
    pub password: String,
}

const ACCOUNTS: &[(&str, &str, Role, Option<&str>)] = &[
    ("admin", "科协管理员（演示）", Role::Admin, None),
    ("reviewer", "评审专家（演示）", Role::Reviewer, None),
    (
        "editor",
        "中国数学会填报人（演示）",
        Role::SocietyEditor,
        Some("A-01"),
    ),
    (
        "viewer",
        "中国数学会负责人（演示）",
        Role::SocietyViewer,
        Some("A-01"),
    ),
];

/// Loads the registry and (re)creates the demo accounts with new passwords.
pub async fn load(db: &Db, actor: &Actor, now: DateTime<Utc>) -> AppResult<Vec<DemoAccount>> {
    let rows = parse_societies("societies-2017.csv", BUILTIN_SOCIETIES_CSV.as_bytes())
        .map_err(|e| anyhow::anyhow!("built-in registry: {e:?}"))?;
    let summary = societies::import(db, actor, now, &rows).await?;
    let mut out = Vec::new();
    for (username, display, role, society) in ACCOUNTS {
        let pw = random_password()?;
        let hash = password::hash_sync(&pw)?;
        match users::by_username(db, username).await? {
            Some(existing) => users::set_password(db, actor, now, existing.user.id, &hash).await?,
            None => {
                let society_id = match society {
                    Some(code) => societies::by_code(db, code).await?.map(|s| s.id),
                    None => None,
                };
                users::create(
                    db,
                    actor,
                    now,
                    &NewUser {
                        username,
                        display_name: display,
                        password_hash: &hash,
                        role: *role,
                        society_id,
                        demo: true,
                    },
                )
                .await?;
            }
        }
        out.push(DemoAccount {
            username,
            role: *role,
            society: *society,
            password: pw,
        });
    }
    let mut tx = db.begin().await?;
    if settings::get(db, settings::DEMO).await?.as_deref() != Some("true") {
        settings::set_in(&mut tx, settings::DEMO, "true").await?;
        audit::record(
            db,
            &mut tx,
            actor,
            now,
            Change {
                action: "demo.load",
                object_type: "system",
                object_id: "demo",
                before: None,
                after: Some(
                    json!({"societies_created": summary.created, "accounts": ACCOUNTS.len()}),
                ),
            },
        )
        .await?;
    }
    tx.commit().await?;
    Ok(out)
}

/// The moment a demo starts at unless told otherwise: 2017-09-15 10:00 Beijing time, inside the
/// 2017 reporting year (June to August reports due, September's not yet).
pub const DEFAULT_MOMENT: &str = "2017-09-15T10:00+08:00";

/// The seed of the demonstration year unless `--seed` names another.
pub const DEFAULT_SEED: u64 = 2017;

/// Parses a moment with its UTC offset: `2017-07-20T10:00+08:00`, with or without seconds
/// (`2017-07-20T10:00:00+08:00`, `…Z`).
pub fn parse_moment(raw: &str) -> anyhow::Result<DateTime<Utc>> {
    let raw = raw.trim();
    DateTime::parse_from_rfc3339(raw)
        .or_else(|_| DateTime::<FixedOffset>::parse_from_str(raw, "%Y-%m-%dT%H:%M%:z"))
        .map(|t| t.with_timezone(&Utc))
        .map_err(|_| {
            anyhow::anyhow!(
                "clock `{raw}` is not a moment with its offset, e.g. 2017-07-20T10:00+08:00"
            )
        })
}

/// The moment the server's clock starts at: `None` (real time) without `--demo`; with it the
/// given moment or [`DEFAULT_MOMENT`]. A clock given without `--demo` is an error, never
/// silently applied or ignored.
pub fn start_moment(demo: bool, clock: Option<&str>) -> anyhow::Result<Option<DateTime<Utc>>> {
    let clock = clock.map(str::trim).filter(|c| !c.is_empty());
    match (demo, clock) {
        (false, None) => Ok(None),
        (false, Some(c)) => anyhow::bail!(
            "--clock / `clock` ({c}) is accepted only with --demo: a server with real data always runs on real time"
        ),
        (true, c) => parse_moment(c.unwrap_or(DEFAULT_MOMENT)).map(Some),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    #[test]
    fn the_demo_clock_is_for_demos_only() {
        // --demo alone: 2017-09-15 10:00 Beijing time = 02:00 UTC.
        assert_eq!(
            start_moment(true, None).unwrap(),
            Some(Utc.with_ymd_and_hms(2017, 9, 15, 2, 0, 0).unwrap())
        );
        assert_eq!(
            start_moment(true, Some("2017-07-20T10:00+08:00")).unwrap(),
            Some(Utc.with_ymd_and_hms(2017, 7, 20, 2, 0, 0).unwrap())
        );
        assert_eq!(
            start_moment(true, Some("2017-07-20T10:00:30Z")).unwrap(),
            Some(Utc.with_ymd_and_hms(2017, 7, 20, 10, 0, 30).unwrap())
        );
        assert_eq!(start_moment(false, None).unwrap(), None);
        assert_eq!(start_moment(false, Some("  ")).unwrap(), None);
        let e = start_moment(false, Some("2017-07-20T10:00+08:00")).unwrap_err();
        assert!(e.to_string().contains("only with --demo"), "{e}");
        let e = start_moment(true, Some("2017-07-20")).unwrap_err();
        assert!(e.to_string().contains("2017-07-20T10:00+08:00"), "{e}");
    }
}

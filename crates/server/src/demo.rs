//! Demonstration data (`serve --demo`, `reformwatch demo`): the 209 societies, the 2017
//! catalogue, and one account per role with fresh random passwords, printed, never stored in
//! the repository. The UI marks the whole system as demonstration data.

use chrono::{DateTime, Utc};
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

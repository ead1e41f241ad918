//! R-X-2: administrators browse and filter the audit trail; the chain is verified on view.

use askama::Template;
use axum::extract::{Query, State};
use axum::response::Response;

use crate::AppState;
use crate::db::audit::{self, AuditFilter};
use crate::error::AppResult;
use crate::http::Ctx;
use crate::http::page::{Page, render};
use crate::i18n::T;
use crate::service;
use crate::service::people::People;
use crate::web::people::actor_text;

pub struct EntryRow {
    pub seq: i64,
    pub at: String,
    pub actor: String,
    pub action: String,
    pub object_type: String,
    pub object_id: String,
    pub before: String,
    pub after: String,
}

#[derive(Template)]
#[template(path = "admin/audit.html")]
struct AuditPage {
    page: Page,
    chain_status: String,
    entries: Vec<EntryRow>,
    f_actor: String,
    f_action: String,
    f_object_type: String,
    f_object_id: String,
    known_actions: Vec<&'static str>,
    older: Option<String>,
}

pub const KNOWN_ACTIONS: &[&str] = &[
    "session.login",
    "session.logout",
    "user.create",
    "user.update",
    "user.disable",
    "user.password",
    "token.create",
    "token.revoke",
    "society.create",
    "society.update",
    "society.election_year",
    "catalogue.load",
    "demo.load",
];

fn pretty(t: &T, people: &People, v: &Option<serde_json::Value>) -> String {
    v.as_ref()
        .map(|v| serde_json::to_string_pretty(&readable(t, people, v)).unwrap_or_default())
        .unwrap_or_default()
}

/// A recorded value as people read it (issue 10): stored times as Beijing time to the minute,
/// actors (`user:NAME`, `cli:…`, `system`) by name; everything else as recorded.
fn readable(t: &T, people: &People, v: &serde_json::Value) -> serde_json::Value {
    use serde_json::Value;
    match v {
        Value::String(s) if chrono::DateTime::parse_from_rfc3339(s).is_ok() => {
            Value::String(crate::present::beijing_text(s))
        }
        Value::String(s) if s.starts_with("user:") || s.starts_with("cli:") => {
            Value::String(actor_text(t, people, s))
        }
        Value::Array(items) => Value::Array(items.iter().map(|x| readable(t, people, x)).collect()),
        Value::Object(map) => Value::Object(
            map.iter()
                .map(|(k, x)| (k.clone(), readable(t, people, x)))
                .collect(),
        ),
        other => other.clone(),
    }
}

pub async fn page(
    State(state): State<AppState>,
    ctx: Ctx,
    Query(filter): Query<AuditFilter>,
) -> AppResult<Response> {
    let who = ctx.principal();
    let t = ctx.t();
    let entries = service::audit::list(&state, &who, &filter).await?;
    let people = service::people::people(&state, &who).await?;
    let chain_status = match service::audit::verify(&state, &who).await? {
        Ok(n) => t.t1("audit-chain-ok", "count", &n),
        Err(broken) => t.t1("audit-chain-broken", "detail", &broken),
    };
    let older = (entries.len() as i64 == audit::PAGE_SIZE).then(|| {
        let last = entries.last().map(|e| e.seq).unwrap_or(0);
        let enc = |s: &Option<String>| {
            percent_encoding::utf8_percent_encode(
                s.as_deref().unwrap_or(""),
                percent_encoding::NON_ALPHANUMERIC,
            )
            .to_string()
        };
        format!(
            "/admin/audit?actor={}&action={}&object_type={}&object_id={}&before_seq={last}",
            enc(&filter.actor),
            enc(&filter.action),
            enc(&filter.object_type),
            enc(&filter.object_id)
        )
    });
    Ok(render(&AuditPage {
        page: Page::new(&ctx, t.t("audit-title")),
        chain_status,
        entries: entries
            .iter()
            .map(|e| EntryRow {
                seq: e.seq,
                at: crate::present::beijing_text(&e.at),
                actor: actor_text(&t, &people, &e.actor),
                action: e.action.clone(),
                object_type: e.object_type.clone(),
                object_id: e.object_id.clone(),
                before: pretty(&t, &people, &e.before),
                after: pretty(&t, &people, &e.after),
            })
            .collect(),
        f_actor: filter.actor.clone().unwrap_or_default(),
        f_action: filter.action.clone().unwrap_or_default(),
        f_object_type: filter.object_type.clone().unwrap_or_default(),
        f_object_id: filter.object_id.clone().unwrap_or_default(),
        known_actions: KNOWN_ACTIONS.to_vec(),
        older,
    }))
}

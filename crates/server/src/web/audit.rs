//! R-X-2: administrators browse and filter the audit trail; the chain is verified on view.

use askama::Template;
use axum::extract::{Query, State};
use axum::response::Response;

use crate::AppState;
use crate::db::audit::{self, AuditFilter};
use crate::error::AppResult;
use crate::http::Ctx;
use crate::http::page::{Page, render};
use crate::service;

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

fn pretty(v: &Option<serde_json::Value>) -> String {
    v.as_ref()
        .map(|v| serde_json::to_string_pretty(v).unwrap_or_default())
        .unwrap_or_default()
}

pub async fn page(
    State(state): State<AppState>,
    ctx: Ctx,
    Query(filter): Query<AuditFilter>,
) -> AppResult<Response> {
    let who = ctx.principal();
    let t = ctx.t();
    let entries = service::audit::list(&state, &who, &filter).await?;
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
                at: e.at.clone(),
                actor: e.actor.clone(),
                action: e.action.clone(),
                object_type: e.object_type.clone(),
                object_id: e.object_id.clone(),
                before: pretty(&e.before),
                after: pretty(&e.after),
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

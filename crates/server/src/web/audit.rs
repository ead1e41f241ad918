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
    pub before: Vec<String>,
    pub after: Vec<String>,
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

/// What changed, as people read it (issue 10): one line per field that differs, "label：before
/// → after" (or only the value on the side that has it), field labels instead of JSON keys,
/// action names in words, long values elided.
fn changes(
    t: &T,
    people: &People,
    before: &Option<serde_json::Value>,
    after: &Option<serde_json::Value>,
) -> (Vec<String>, Vec<String>) {
    use serde_json::Value;
    let empty = serde_json::Map::new();
    let as_map = |v: &Option<Value>| -> Option<serde_json::Map<String, Value>> {
        match v {
            Some(Value::Object(m)) => Some(m.clone()),
            None | Some(Value::Null) => None,
            Some(other) => {
                let mut m = serde_json::Map::new();
                m.insert("value".into(), other.clone());
                Some(m)
            }
        }
    };
    let (b, a) = (as_map(before), as_map(after));
    let (bm, am) = (b.as_ref().unwrap_or(&empty), a.as_ref().unwrap_or(&empty));
    let mut keys: Vec<&String> = bm.keys().chain(am.keys()).collect();
    keys.sort();
    keys.dedup();
    let mut out_b = Vec::new();
    let mut out_a = Vec::new();
    for k in keys {
        let (x, y) = (bm.get(k), am.get(k));
        if x == y && b.is_some() && a.is_some() {
            continue;
        }
        let label = field_label(t, k);
        if let Some(x) = x {
            out_b.push(format!("{label}：{}", value_text(t, people, x)));
        }
        if let Some(y) = y {
            out_a.push(format!("{label}：{}", value_text(t, people, y)));
        }
    }
    (out_b, out_a)
}

/// A recorded field's label ("display_name" → "显示名称"); an unknown key in words
/// ("late_seconds" → "late seconds").
fn field_label(t: &T, key: &str) -> String {
    let k = format!("forms-key-{}", key.replace('_', "-"));
    let label = t.t(&k);
    if label == k {
        key.replace('_', " ")
    } else {
        label
    }
}

/// A recorded value as people read it: stored times as Beijing time to the minute, actors by
/// name, yes/no, lists of a few words joined, larger structures summarised, long text elided.
fn value_text(t: &T, people: &People, v: &serde_json::Value) -> String {
    use serde_json::Value;
    const LONG: usize = 60;
    match v {
        Value::Null => "—".to_string(),
        Value::Bool(b) => t.t(if *b { "yes" } else { "no" }),
        Value::Number(n) => n.to_string(),
        Value::String(s) if chrono::DateTime::parse_from_rfc3339(s).is_ok() => {
            crate::present::beijing_text(s)
        }
        Value::String(s) if s.starts_with("user:") || s.starts_with("cli:") => {
            actor_text(t, people, s)
        }
        Value::String(s) if s.is_empty() => "—".to_string(),
        Value::String(s) if s.chars().count() > LONG => {
            format!("{}…", s.chars().take(LONG).collect::<String>())
        }
        Value::String(s) => s.clone(),
        Value::Array(items) if items.iter().all(|x| !x.is_array() && !x.is_object()) => {
            let text = items
                .iter()
                .map(|x| value_text(t, people, x))
                .collect::<Vec<_>>()
                .join("、");
            if text.chars().count() > LONG {
                t.t1("forms-items", "count", &items.len())
            } else if text.is_empty() {
                "—".to_string()
            } else {
                text
            }
        }
        Value::Array(items) => t.t1("forms-items", "count", &items.len()),
        Value::Object(map) => t.t1("forms-fields", "count", &map.len()),
    }
}

/// "plan.submit" → "提交方案"; an action without a name in words shows its code.
pub fn action_label(t: &T, action: &str) -> String {
    let k = format!("forms-action-{}", action.replace(['.', '_'], "-"));
    let label = t.t(&k);
    if label == k {
        action.to_string()
    } else {
        label
    }
}

/// "plan" → "方案"; an unknown object type as recorded.
fn object_label(t: &T, object_type: &str) -> String {
    let k = format!("forms-object-{}", object_type.replace('_', "-"));
    let label = t.t(&k);
    if label == k {
        object_type.to_string()
    } else {
        label
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
            .map(|e| {
                let (before, after) = changes(&t, &people, &e.before, &e.after);
                EntryRow {
                    seq: e.seq,
                    at: crate::present::beijing_text(&e.at),
                    actor: actor_text(&t, &people, &e.actor),
                    action: action_label(&t, &e.action),
                    object_type: object_label(&t, &e.object_type),
                    object_id: e.object_id.clone(),
                    before,
                    after,
                }
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

//! R-X-2: administrators browse and filter the audit trail; the chain is verified on view.
//!
//! Issue 10: every entry reads in words, in both languages: the action and the object by name
//! (a society by its name, a plan as "中国数学会 · 2017 年改革方案", never `A-01/2017/reform`),
//! every recorded field by its label and every value as people read it (roles, states and
//! reasons in words, yes/no, Beijing time, people by display name, rules and facts by their
//! titles); internal ids are left out. The trail pages with the shared pager, its filters kept
//! in the URL.

use std::collections::{BTreeSet, HashMap};
use std::sync::Arc;

use askama::Template;
use axum::extract::{Query, State};
use axum::response::Response;
use reformwatch_core::catalogue::Catalogue;
use serde_json::Value;

use crate::AppState;
use crate::db::audit::{AuditEntry, AuditFilter, Broken};
use crate::db::societies::SocietyFilter;
use crate::error::AppResult;
use crate::http::Ctx;
use crate::http::page::{Counted, PAGE_SIZE, Page, Pager, render};
use crate::i18n::T;
use crate::service;
use crate::service::people::People;
use crate::web::facts::{label_of, rule_title};
use crate::web::people::actor_text;

pub struct EntryRow {
    pub seq: i64,
    pub at: String,
    pub actor: String,
    pub action: String,
    pub object: String,
    pub before: Vec<String>,
    pub after: Vec<String>,
}

/// One choice of a filter's select: (stored code, words, selected).
pub struct Choice {
    pub value: &'static str,
    pub label: String,
    pub selected: bool,
}

#[derive(Template)]
#[template(path = "admin/audit.html")]
struct AuditPage {
    page: Page,
    chain_status: String,
    entries: Vec<EntryRow>,
    f_actor: String,
    f_object_id: String,
    actions: Vec<Choice>,
    objects: Vec<Choice>,
    pager: Pager,
}

/// Every action the application records (grep `audit::record` / `Change {`); each has a name
/// in words (`audit-action-…`) in both languages, which the filter offers and the trail shows.
pub const KNOWN_ACTIONS: &[&str] = &[
    "session.login",
    "session.logout",
    "user.create",
    "user.update",
    "user.disable",
    "user.password",
    "token.create",
    "token.revoke",
    "token.revoke_all",
    "society.create",
    "society.update",
    "society.election_year",
    "catalogue.load",
    "demo.load",
    "demo.seed",
    "deadline.set",
    "evidence.add",
    "evidence.remove",
    "facts.update",
    "month.lock",
    "month.unlock",
    "month.exception",
    "plan.create",
    "plan.draft",
    "plan.submit",
    "plan.return",
    "plan.accept",
    "plan.comment",
    "rectification.request",
    "report.create",
    "report.draft",
    "report.submit",
    "report.return",
    "report.accept",
    "report.comment",
    "rule.judge",
    "rule.justify",
    "year.start",
    "year.carry_facts",
    "bulletin.publish",
    "inbox.read_all",
    "assessment.accept",
    "assessment.self_score",
    "assessment.assign",
    "assessment.unassign",
    "assessment.declare",
    "assessment.save_scores",
    "assessment.submit_scores",
    "assessment.adjustment",
    "assessment.adjustment_withdraw",
    "assessment.show",
    "assessment.objection.file",
    "assessment.objection.answer",
    "assessment.finalise.request",
    "assessment.finalise.approve",
    "assessment.results.publish",
];

/// Every object type the trail records (`audit-object-…`).
pub const KNOWN_OBJECTS: &[&str] = &[
    "society",
    "user",
    "plan",
    "report",
    "month",
    "deadline",
    "catalogue",
    "bulletin",
    "system",
    "assessment_year",
    "assessment_objection",
    "assessment_results",
];

/// Recorded fields that hold internal ids: never shown (the object and the other fields say
/// what the entry is about).
const HIDDEN: &[&str] = &["id", "token_id", "evidence", "evidence_id", "society_id"];

/// Recorded fields whose values are stored codes (`society_editor`, `submitted`, `privileges
/// changed`), shown in words (`audit-value-…`). Other fields hold names people typed (a
/// username "reviewer" stays "reviewer").
const CODED: &[&str] = &[
    "role",
    "state",
    "decision",
    "verdict",
    "kind",
    "owner",
    "proposed",
    "status",
    "reason",
    "password",
    "source",
    "adjustment",
    "value",
];

/// The locale key of a code: `plan.submit` → `audit-action-plan-submit`.
fn key_of(prefix: &str, code: &str) -> String {
    format!(
        "audit-{prefix}-{}",
        code.trim()
            .replace(['.', '_', ' ', '/'], "-")
            .to_lowercase()
    )
}

/// The words for a code, if the locale files have them.
fn words(t: &T, prefix: &str, code: &str) -> Option<String> {
    let k = key_of(prefix, code);
    let label = t.t(&k);
    (label != k).then_some(label)
}

/// "plan.submit" → "提交方案"; an action without a name in words shows its code.
pub fn action_label(t: &T, action: &str) -> String {
    words(t, "action", action).unwrap_or_else(|| action.to_string())
}

/// A stored value that is a code (`draft`, `society_editor`, `privileges changed`): lowercase
/// ASCII letters, `_` and spaces only.
fn is_code(s: &str) -> bool {
    !s.is_empty()
        && s.chars()
            .all(|c| c.is_ascii_lowercase() || c == '_' || c == ' ')
}

/// A local date-time as stored for a deadline (`2017-05-22T23:59[:SS]`): shown to the minute.
fn naive_time(s: &str) -> Option<String> {
    chrono::NaiveDateTime::parse_from_str(s, "%Y-%m-%dT%H:%M:%S")
        .or_else(|_| chrono::NaiveDateTime::parse_from_str(s, "%Y-%m-%dT%H:%M"))
        .ok()
        .map(|d| d.format("%Y-%m-%d %H:%M").to_string())
}

/// What a page needs to put an entry in words: people, societies and the catalogues of the
/// years the entries name.
struct Reader<'a> {
    t: &'a T,
    people: &'a People,
    /// Society name by code, in the page's language.
    societies: HashMap<String, String>,
    catalogues: HashMap<i32, Arc<Catalogue>>,
}

const LONG: usize = 60;

fn elide(s: String) -> String {
    if s.chars().count() > LONG {
        format!("{}…", s.chars().take(LONG).collect::<String>())
    } else {
        s
    }
}

impl Reader<'_> {
    fn society(&self, code: &str) -> String {
        self.societies
            .get(code)
            .cloned()
            .unwrap_or_else(|| code.to_string())
    }

    fn catalogue(&self, year: Option<i32>) -> Option<&Catalogue> {
        year.and_then(|y| self.catalogues.get(&y))
            .or_else(|| self.catalogues.values().next())
            .map(|c| c.as_ref())
    }

    /// The object an entry is about, in words: "学会 · 中国数学会", "方案 · 中国数学会 · 2017
    /// 年改革方案", "月度报告 · 中国数学会 · 2017 年 6 月".
    fn object(&self, object_type: &str, object_id: &str) -> String {
        let t = self.t;
        let kind = words(t, "object", object_type).unwrap_or_else(|| object_type.to_string());
        let what = match object_type {
            "society" => self.society(object_id),
            "user" => self.people.name(object_id),
            "plan" => {
                let parts: Vec<&str> = object_id.split('/').collect();
                match parts.as_slice() {
                    [code, year, kind] => format!(
                        "{} · {}",
                        self.society(code),
                        t.t1(&key_of("plan", kind), "year", year)
                    ),
                    _ => object_id.to_string(),
                }
            }
            "report" => match object_id.split_once('/') {
                Some((code, ym)) => format!("{} · {}", self.society(code), self.month(ym)),
                None => object_id.to_string(),
            },
            "month" => self.month(object_id),
            "catalogue" | "deadline" | "assessment_year" => t.t1("audit-year", "year", &object_id),
            "bulletin" | "assessment_results" => t.t1("audit-number", "number", &object_id),
            // The object is the whole system, or an id only the database knows.
            _ => String::new(),
        };
        if what.is_empty() {
            kind
        } else {
            format!("{kind} · {what}")
        }
    }

    /// "2017-06" → "2017 年 6 月" / "June 2017".
    fn month(&self, ym: &str) -> String {
        match ym.split_once('-') {
            Some((y, m)) => match m.parse::<u32>() {
                Ok(m) => self
                    .t
                    .t1("audit-month", "year", &y)
                    .replace("{month}", &m.to_string()),
                Err(_) => ym.to_string(),
            },
            None => ym.to_string(),
        }
    }

    /// A recorded field's label ("display_name" → "显示名称").
    fn label(&self, key: &str) -> String {
        words(self.t, "key", key).unwrap_or_else(|| key.to_string())
    }

    /// A recorded value as people read it.
    fn value(&self, key: &str, v: &Value, year: Option<i32>) -> String {
        let t = self.t;
        match (key, v) {
            ("society" | "society_code", Value::String(code)) => self.society(code),
            ("reviewer" | "requested_by" | "declared_by", Value::String(name)) => {
                self.people.name(name)
            }
            ("rule", Value::String(rule)) => match self.catalogue(year) {
                Some(c) if !rule_title(t, c, rule).is_empty() => rule_title(t, c, rule),
                _ => rule.clone(),
            },
            ("field", Value::String(field)) => match self.catalogue(year) {
                Some(c) => label_of(t, c, field),
                None => field.clone(),
            },
            ("values", Value::Object(map)) => {
                let sep = t.pick("：", ": ");
                let text = map
                    .iter()
                    .map(|(field, value)| {
                        // A catalogue fact by its label; the version's own fields (`as_of`,
                        // `source`) as any recorded field.
                        match self.catalogue(year).filter(|c| c.fact(field).is_some()) {
                            Some(c) => {
                                format!("{}{sep}{}", label_of(t, c, field), self.plain(value))
                            }
                            None => format!(
                                "{}{sep}{}",
                                self.label(field),
                                self.value(field, value, year)
                            ),
                        }
                    })
                    .collect::<Vec<_>>()
                    .join(t.pick("；", "; "));
                if text.is_empty() {
                    "—".to_string()
                } else {
                    elide(text)
                }
            }
            ("timezone", Value::String(tz)) if tz == "Asia/Shanghai" => {
                t.t("audit-value-beijing-time")
            }
            ("late_seconds", Value::Number(n)) => {
                let secs = n.as_i64().unwrap_or(0).max(0);
                let (days, hours) = (secs / 86_400, (secs % 86_400) / 3_600);
                if days > 0 {
                    format!(
                        "{} {}",
                        t.t1("audit-days", "count", &days),
                        t.t1("audit-hours", "count", &hours)
                    )
                } else if secs > 0 {
                    t.t1("audit-hours", "count", &hours.max(1))
                } else {
                    t.t("audit-value-on-time")
                }
            }
            ("sha256" | "prev_sha256", Value::String(h)) if h.len() > 12 => {
                format!("{}…", &h[..12])
            }
            ("plan_version" | "version", Value::Number(n)) => t.t1("audit-version", "number", n),
            ("number" | "corrects", Value::Number(n)) => t.t1("audit-number", "number", n),
            (k, Value::String(s)) if CODED.contains(&k) && is_code(s) => {
                words(t, "value", s).unwrap_or_else(|| s.clone())
            }
            _ => self.plain(v),
        }
    }

    /// A value without knowing its field.
    fn plain(&self, v: &Value) -> String {
        let t = self.t;
        match v {
            Value::Null => "—".to_string(),
            Value::Bool(b) => t.t(if *b { "yes" } else { "no" }),
            Value::Number(n) => n.to_string(),
            Value::String(s) if s.trim().is_empty() => "—".to_string(),
            Value::String(s) if chrono::DateTime::parse_from_rfc3339(s).is_ok() => {
                crate::present::beijing_text(s)
            }
            Value::String(s) if naive_time(s).is_some() => naive_time(s).unwrap_or_default(),
            Value::String(s)
                if s.starts_with("user:") || s.starts_with("cli:") || s == "system" =>
            {
                actor_text(t, self.people, s)
            }
            Value::String(s) => elide(s.clone()),
            Value::Array(items) if items.iter().all(|x| !x.is_array() && !x.is_object()) => {
                let text = items
                    .iter()
                    .map(|x| self.plain(x))
                    .collect::<Vec<_>>()
                    .join("、");
                if text.chars().count() > LONG {
                    t.t1("audit-items", "count", &items.len())
                } else if text.is_empty() {
                    "—".to_string()
                } else {
                    text
                }
            }
            Value::Array(items) if items.is_empty() => "—".to_string(),
            Value::Object(map) if map.is_empty() => "—".to_string(),
            Value::Array(items) => t.t1("audit-items", "count", &items.len()),
            Value::Object(map) => t.t1("audit-fields", "count", &map.len()),
        }
    }

    /// What changed, as people read it: one line per field that differs, "label：before →
    /// after" (or only the value on the side that has it); internal ids left out.
    fn changes(&self, e: &AuditEntry) -> (Vec<String>, Vec<String>) {
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
        let (b, a) = (as_map(&e.before), as_map(&e.after));
        let (bm, am) = (b.as_ref().unwrap_or(&empty), a.as_ref().unwrap_or(&empty));
        let year = entry_year(e);
        let keys: BTreeSet<&String> = bm.keys().chain(am.keys()).collect();
        let sep = self.t.pick("：", ": ");
        let mut out_b = Vec::new();
        let mut out_a = Vec::new();
        for k in keys {
            if HIDDEN.contains(&k.as_str()) {
                continue;
            }
            let (x, y) = (bm.get(k), am.get(k));
            if x == y && b.is_some() && a.is_some() {
                continue;
            }
            let label = self.label(k);
            if let Some(x) = x {
                out_b.push(format!("{label}{sep}{}", self.value(k, x, year)));
            }
            if let Some(y) = y {
                out_a.push(format!("{label}{sep}{}", self.value(k, y, year)));
            }
        }
        (out_b, out_a)
    }
}

/// The year an entry is about: its recorded `year`, else the one in its object id
/// (`A-01/2017/reform`, `A-01/2017-06`, `2017`).
fn entry_year(e: &AuditEntry) -> Option<i32> {
    let recorded = [&e.after, &e.before].into_iter().find_map(|v| {
        v.as_ref()
            .and_then(|v| v.get("year"))
            .and_then(Value::as_i64)
            .and_then(|y| i32::try_from(y).ok())
    });
    recorded.or_else(|| {
        e.object_id
            .split(['/', '-'])
            .find_map(|p| p.parse::<i32>().ok().filter(|y| (1900..=9999).contains(y)))
    })
}

/// The chain's state in words.
fn chain_text(t: &T, status: Result<i64, Broken>) -> String {
    let detail = match status {
        Ok(n) => return t.t1("audit-chain-ok", "count", &n),
        Err(Broken::HeadUnsigned) => t.t("audit-broken-head-unsigned"),
        Err(Broken::Truncated { head_seq, last_seq }) => t
            .t1("audit-broken-truncated", "head", &head_seq)
            .replace("{last}", &last_seq.to_string()),
        Err(Broken::Rewritten { seq }) => t.t1("audit-broken-rewritten", "seq", &seq),
        Err(Broken::Emptied) => t.t("audit-broken-emptied"),
        Err(Broken::Missing {
            expected_seq,
            found_seq,
        }) => t
            .t1("audit-broken-missing", "seq", &expected_seq)
            .replace("{found}", &found_seq.to_string()),
        Err(Broken::Edited { seq }) => t.t1("audit-broken-edited", "seq", &seq),
        Err(Broken::Unlinked { seq }) => t.t1("audit-broken-unlinked", "seq", &seq),
    };
    t.t1("audit-chain-broken", "detail", &detail)
}

/// The page's query: the filters and the page number.
#[derive(Debug, Default, serde::Deserialize)]
pub struct AuditQuery {
    pub actor: Option<String>,
    pub action: Option<String>,
    pub object_type: Option<String>,
    pub object_id: Option<String>,
    pub page: Option<String>,
}

pub async fn page(
    State(state): State<AppState>,
    ctx: Ctx,
    Query(q): Query<AuditQuery>,
) -> AppResult<Response> {
    let who = ctx.principal();
    let t = ctx.t();
    let filter = AuditFilter {
        actor: q.actor.clone(),
        action: q.action.clone(),
        object_type: q.object_type.clone(),
        object_id: q.object_id.clone(),
        before_seq: None,
    };
    let total = service::audit::count(&state, &who, &filter).await?;
    let enc = |s: &Option<String>| {
        percent_encoding::utf8_percent_encode(
            s.as_deref().unwrap_or("").trim(),
            percent_encoding::NON_ALPHANUMERIC,
        )
        .to_string()
    };
    let base = format!(
        "/admin/audit?actor={}&action={}&object_type={}&object_id={}",
        enc(&filter.actor),
        enc(&filter.action),
        enc(&filter.object_type),
        enc(&filter.object_id)
    );
    let pager = Pager::new(
        &t,
        Counted::AuditEntries,
        usize::try_from(total).unwrap_or(0),
        PAGE_SIZE,
        q.page.as_deref(),
        &base,
    );
    let offset = i64::try_from(pager.range().start).unwrap_or(0);
    let entries = service::audit::page(&state, &who, &filter, offset, PAGE_SIZE as i64).await?;
    let people = service::people::people(&state, &who).await?;
    let societies = service::societies::list(
        &state,
        &who,
        &SocietyFilter {
            include_inactive: Some(true),
            ..Default::default()
        },
    )
    .await?
    .into_iter()
    .map(|s| {
        let name = if t.is_en() && !s.name_en.is_empty() {
            s.name_en
        } else {
            s.name
        };
        (s.code, name)
    })
    .collect();
    let mut catalogues = HashMap::new();
    for year in entries
        .iter()
        .filter_map(entry_year)
        .collect::<BTreeSet<_>>()
    {
        if let Ok(c) = service::catalogues::of_year(&state, year).await {
            catalogues.insert(year, c);
        }
    }
    let reader = Reader {
        t: &t,
        people: &people,
        societies,
        catalogues,
    };
    let chain_status = chain_text(&t, service::audit::verify(&state, &who).await?);
    let selected = |f: &Option<String>, v: &str| f.as_deref().map(str::trim) == Some(v);
    let actions = KNOWN_ACTIONS
        .iter()
        .map(|&a| Choice {
            value: a,
            label: action_label(&t, a),
            selected: selected(&filter.action, a),
        })
        .collect();
    let objects = KNOWN_OBJECTS
        .iter()
        .map(|&o| Choice {
            value: o,
            label: words(&t, "object", o).unwrap_or_else(|| o.to_string()),
            selected: selected(&filter.object_type, o),
        })
        .collect();
    Ok(render(&AuditPage {
        page: Page::new(&ctx, t.t("audit-title")),
        chain_status,
        entries: entries
            .iter()
            .map(|e| {
                let (before, after) = reader.changes(e);
                EntryRow {
                    seq: e.seq,
                    at: crate::present::beijing_text(&e.at),
                    actor: actor_text(&t, &people, &e.actor),
                    action: action_label(&t, &e.action),
                    object: reader.object(&e.object_type, &e.object_id),
                    before,
                    after,
                }
            })
            .collect(),
        f_actor: filter.actor.clone().unwrap_or_default(),
        f_object_id: filter.object_id.clone().unwrap_or_default(),
        actions,
        objects,
        pager,
    }))
}

//! Public monitoring pages (R-PUB-1, R-PUB-3), no login: the list of bulletins with hashes and
//! downloads, the matrix (societies × tasks of the latest or a chosen bulletin, filterable by
//! discipline group and task class, sortable by a column link), a page per society (its
//! tasks, plan status, trend over the year's bulletins), a page per task; and the
//! administrator's preview and publish form.
//!
//! Everything public is rendered from the frozen bulletin. For visitors without a login the
//! bytes of a page are cached in memory keyed by the bulletin's hash, the language and the
//! normalised request (a published bulletin never changes, so the cache is safe across
//! processes), with ETag, Last-Modified and Cache-Control; a matching If-None-Match gets 304.

use std::collections::HashMap;
use std::sync::{Arc, Mutex, OnceLock};

use askama::Template;
use axum::Form;
use axum::extract::{Path, Query, State};
use axum::response::{IntoResponse, Response};
use http::HeaderMap;
use reformwatch_core::publish::{Bulletin, SocietyRow, Trend, colour_symbol, trend};
use reformwatch_core::tracking::Colour;
use serde::Deserialize;
use sha2::{Digest, Sha256};

use crate::AppState;
use crate::db::bulletins::BulletinRow;
use crate::db::parse_ts;
use crate::error::{AppError, AppResult};
use crate::http::cache::{self, Cached, Freshness};
use crate::http::fastpath::Shareable;
use crate::http::page::{Page, see_other};
use crate::http::{Access, Ctx, RouteSpec, route};
use crate::i18n::T;
use crate::present::beijing;
use crate::service::bulletins::{self as svc, PublishRequest, Shown};

/// The pages' bulletin routes (one line in `web::routes()`).
pub fn routes() -> Vec<RouteSpec> {
    use axum::routing::{get, post};
    let g = http::Method::GET;
    let p = http::Method::POST;
    vec![
        route(g.clone(), "/bulletins", Access::Public, get(list)),
        route(g.clone(), "/monitor", Access::Public, get(matrix)),
        route(
            g.clone(),
            "/monitor/societies/{code}",
            Access::Public,
            get(society),
        ),
        route(
            g.clone(),
            "/monitor/tasks/{number}",
            Access::Public,
            get(task),
        ),
        route(g, "/admin/bulletins", Access::Admin, get(admin_page)),
        route(
            p.clone(),
            "/admin/bulletins/preview",
            Access::Admin,
            post(admin_preview),
        ),
        route(p, "/admin/bulletins", Access::Admin, post(admin_publish)),
    ]
}

// ---------------------------------------------------------------------------------------
// The page cache (R-PUB-3)

struct CachedPage {
    etag: String,
    body: Arc<cache::Variants>,
}

fn page_cache() -> &'static Mutex<HashMap<String, Arc<CachedPage>>> {
    static C: OnceLock<Mutex<HashMap<String, Arc<CachedPage>>>> = OnceLock::new();
    C.get_or_init(|| Mutex::new(HashMap::new()))
}

const CACHE_ENTRIES: usize = 4096;

/// A public page made from bulletin `shown` (None: nothing published yet): see [`cached`],
/// keyed by the bulletin's hash; Last-Modified is its publication.
pub(super) async fn cached_page(
    ctx: &Ctx,
    headers: &HeaderMap,
    shown: Option<&Shown>,
    key: &str,
    render: impl Future<Output = AppResult<String>>,
) -> AppResult<Response> {
    let (sha, freshness, modified) = match shown {
        Some(s) => (
            s.header.sha256.as_str(),
            if s.latest {
                Freshness::Latest
            } else {
                Freshness::Immutable
            },
            parse_ts(&s.header.published_at),
        ),
        None => ("none", Freshness::Latest, None),
    };
    cached(ctx, headers, sha, freshness, modified, key, render).await
}

/// A public page whose content is fixed by `version` (a bulletin's or a catalogue's hash) and
/// `key` (`render` makes it; it runs only when the page is not cached): served from the cache
/// for visitors without a login (the layout then depends only on
/// the language, the demo flag and the newest catalogue year, all in the key), as is or
/// gzip-compressed (compressed once, when the page enters the cache), looked up before
/// anything is computed (R-PUB-3); rendered for signed-in users (their name is in the layout),
/// never cached for them. The anonymous answer is marked for the fast path
/// (`http::fastpath`).
pub(super) async fn cached(
    ctx: &Ctx,
    headers: &HeaderMap,
    version: &str,
    freshness: Freshness,
    modified: Option<chrono::DateTime<chrono::Utc>>,
    key: &str,
    render: impl Future<Output = AppResult<String>>,
) -> AppResult<Response> {
    if ctx.user.is_some() {
        let html = render.await?;
        return Ok((
            [(http::header::CONTENT_TYPE, "text/html; charset=utf-8")],
            html,
        )
            .into_response());
    }
    let full = format!(
        "{version}|{}|{:?}|{}|{}|{key}",
        ctx.lang.code(),
        ctx.demo,
        ctx.year,
        env!("CARGO_PKG_VERSION")
    );
    let hit = page_cache().lock().ok().and_then(|c| c.get(&full).cloned());
    let page = match hit {
        Some(p) => p,
        None => {
            let html = render.await?;
            let etag = format!(
                "\"{}\"",
                &hex::encode(Sha256::digest(html.as_bytes()))[..32]
            );
            let p = Arc::new(CachedPage {
                etag,
                body: Arc::new(cache::Variants::new(html.into_bytes(), true)),
            });
            if let Ok(mut c) = page_cache().lock() {
                if c.len() >= CACHE_ENTRIES {
                    c.clear();
                }
                c.insert(full, p.clone());
            }
            p
        }
    };
    let mut response = cache::respond_variants(
        headers,
        &Cached {
            etag: &page.etag,
            last_modified: modified,
            freshness,
            content_type: "text/html; charset=utf-8",
            disposition: None,
        },
        &page.body,
    );
    response.extensions_mut().insert(Shareable {
        immutable: freshness == Freshness::Immutable,
    });
    Ok(response)
}

fn html(tpl: &impl Template) -> AppResult<String> {
    tpl.render()
        .map_err(|e| AppError::Internal(anyhow::anyhow!("template: {e}")))
}

// ---------------------------------------------------------------------------------------
// Words shared by the pages

/// `第3期（2017年8月）` / `No. 3 (August 2017)`.
pub fn bulletin_label(t: &T, h: &BulletinRow) -> String {
    label(t, h.number, h.year, h.month)
}

fn label(t: &T, number: u32, year: i32, month: u32) -> String {
    let month = if t.is_en() {
        month_en(month).to_owned()
    } else {
        month.to_string()
    };
    t.t("bulletin-label")
        .replace("{number}", &number.to_string())
        .replace("{year}", &year.to_string())
        .replace("{month}", &month)
}

fn month_en(m: u32) -> &'static str {
    const M: [&str; 12] = [
        "January",
        "February",
        "March",
        "April",
        "May",
        "June",
        "July",
        "August",
        "September",
        "October",
        "November",
        "December",
    ];
    m.checked_sub(1)
        .and_then(|i| M.get(i as usize))
        .copied()
        .unwrap_or("")
}

/// A society's name as a page shows it: Chinese pages the registered name; English pages the
/// English name with the Chinese one beside it (`lang="zh"`), or the Chinese name alone, marked
/// `lang="zh"`, when no English name is recorded.
pub struct SocietyName {
    pub main: String,
    /// `main` is Chinese text on an English page (mark it `lang="zh"`).
    pub main_zh: bool,
    /// The Chinese name shown beside an English one.
    pub alt_zh: Option<String>,
}

pub fn society_name(t: &T, zh: &str, en: &str) -> SocietyName {
    if !t.is_en() {
        return SocietyName {
            main: zh.to_owned(),
            main_zh: false,
            alt_zh: None,
        };
    }
    if en.trim().is_empty() {
        SocietyName {
            main: zh.to_owned(),
            main_zh: true,
            alt_zh: None,
        }
    } else {
        SocietyName {
            main: en.to_owned(),
            main_zh: false,
            alt_zh: Some(zh.to_owned()),
        }
    }
}

/// A colour as shown: class, symbol and word (never colour alone).
pub struct ColourView {
    pub class: &'static str,
    pub symbol: &'static str,
    pub word: String,
}

fn colour(t: &T, b: &Bulletin, c: Colour) -> ColourView {
    let word = b
        .legend
        .colours
        .iter()
        .find(|l| l.colour == c)
        .map(|l| t.pick(&l.label_zh, &l.label_en).to_owned())
        .unwrap_or_else(|| c.as_str().to_owned());
    ColourView {
        class: c.as_str(),
        symbol: colour_symbol(c),
        word,
    }
}

fn plan_status(t: &T, b: &Bulletin, r: &SocietyRow) -> String {
    b.legend
        .plan_statuses
        .iter()
        .find(|l| l.status == r.plan_status)
        .map(|l| t.pick(&l.label_zh, &l.label_en).to_owned())
        .unwrap_or_default()
}

fn group_name(t: &T, b: &Bulletin, key: &str) -> String {
    b.discipline_groups
        .iter()
        .find(|g| g.key == key)
        .map(|g| t.pick(&g.name_zh, &g.name_en).to_owned())
        .unwrap_or_else(|| key.to_owned())
}

fn peer_name(t: &T, b: &Bulletin, key: &str) -> String {
    b.peer_groups
        .iter()
        .find(|g| g.key == key)
        .map(|g| t.pick(&g.name_zh, &g.name_en).to_owned())
        .unwrap_or_else(|| key.to_owned())
}

fn task_title(t: &T, b: &Bulletin, n: u32) -> String {
    b.tasks
        .iter()
        .find(|x| x.number == n)
        .map(|x| t.pick(&x.title_zh, &x.title_en).to_owned())
        .unwrap_or_default()
}

fn published_text(h: &BulletinRow) -> String {
    parse_ts(&h.published_at)
        .map(beijing)
        .unwrap_or_else(|| h.published_at.clone())
}

/// The bulletin picker: (number, label, selected).
fn picker(t: &T, s: &Shown) -> Vec<(u32, String, bool)> {
    s.all
        .iter()
        .rev()
        .map(|h| (h.number, bulletin_label(t, h), h.number == s.header.number))
        .collect()
}

// ---------------------------------------------------------------------------------------
// The list of bulletins

pub struct ListRow {
    pub number: u32,
    pub label: String,
    pub published: String,
    pub sha256: String,
    pub prev_sha256: String,
    pub corrects: String,
}

#[derive(Template)]
#[template(path = "bulletins/list.html")]
struct ListPage {
    page: Page,
    rows: Vec<ListRow>,
    /// The check recipe's commands for the latest bulletin, with this server's public address
    /// (`public_url`), so that they run as printed (R-PUB-2).
    recipe: Option<String>,
}

/// The commands an outsider runs to check the latest bulletin: download it from the public
/// address, hash it, and optionally check it with the program (docs/PUBLICATION.md).
fn recipe(public_url: &str, latest: &BulletinRow) -> String {
    let n = latest.number;
    format!(
        "curl -s -o bulletin-{n}.json {}/api/v1/bulletins/{n}\nsha256sum bulletin-{n}.json\nreformwatch bulletin verify-file bulletin-{n}.json --sha256 {}",
        public_url.trim().trim_end_matches('/'),
        latest.sha256
    )
}

fn list_rows(t: &T, all: &[BulletinRow]) -> Vec<ListRow> {
    all.iter()
        .rev()
        .map(|h| ListRow {
            number: h.number,
            label: bulletin_label(t, h),
            published: published_text(h),
            sha256: h.sha256.clone(),
            prev_sha256: h.prev_sha256.clone().unwrap_or_else(|| "—".to_owned()),
            corrects: if h.corrects.is_empty() {
                String::new()
            } else {
                let nums: Vec<String> = h.corrects.iter().map(u32::to_string).collect();
                let note = if t.is_en() {
                    h.correction_note_en.clone()
                } else {
                    h.correction_note_zh.clone()
                };
                format!(
                    "{} {}",
                    t.t1("bulletin-corrects", "numbers", &nums.join(", ")),
                    note.unwrap_or_default()
                )
            },
        })
        .collect()
}

/// `GET /bulletins`: every bulletin with its SHA-256, chain link and downloads.
pub async fn list(
    State(state): State<AppState>,
    ctx: Ctx,
    headers: HeaderMap,
) -> AppResult<Response> {
    let shown = svc::shown(&state, None).await?;
    let t = ctx.t();
    cached_page(&ctx, &headers, shown.as_ref(), "list", async {
        html(&ListPage {
            page: Page::new(&ctx, t.t("bulletins-title")),
            rows: shown
                .as_ref()
                .map(|s| list_rows(&t, &s.all))
                .unwrap_or_default(),
            recipe: shown
                .as_ref()
                .and_then(|s| s.all.last())
                .map(|latest| recipe(&state.config.public_url, latest)),
        })
    })
    .await
}

// ---------------------------------------------------------------------------------------
// The matrix

#[derive(Deserialize, Default)]
pub struct MatrixQuery {
    #[serde(default)]
    pub bulletin: Option<String>,
    #[serde(default)]
    pub group: Option<String>,
    #[serde(default)]
    pub class: Option<String>,
    #[serde(default)]
    pub sort: Option<String>,
}

fn chosen(raw: Option<&str>) -> AppResult<Option<u32>> {
    match raw.map(str::trim).filter(|s| !s.is_empty()) {
        None => Ok(None),
        Some(s) => s.parse().map(Some).map_err(|_| AppError::NotFound),
    }
}

pub struct Cell {
    pub colour: Option<ColourView>,
    pub title: String,
}

pub struct MatrixRow {
    pub code: String,
    pub name: SocietyName,
    pub group: String,
    pub colour: ColourView,
    pub plan: String,
    pub received: String,
    pub on_time: String,
    pub rank: String,
    pub cells: Vec<Cell>,
}

pub struct Choice {
    pub value: String,
    pub label: String,
    pub selected: bool,
}

pub struct SortLink {
    pub label: String,
    pub href: String,
    pub current: bool,
}

pub struct LaggingView {
    pub code: String,
    pub name: SocietyName,
    pub peer: String,
    pub why: String,
    pub appearance: String,
}

#[derive(Template)]
#[template(path = "bulletins/matrix.html")]
struct MatrixPage {
    page: Page,
    label: String,
    bulletins: Vec<(u32, String, bool)>,
    groups: Vec<Choice>,
    classes: Vec<Choice>,
    sort: String,
    heads: Vec<SortLink>,
    tasks: Vec<(u32, String)>,
    rows: Vec<MatrixRow>,
    legend: Vec<ColourView>,
    lagging: Vec<LaggingView>,
    headline: Vec<(String, String)>,
    number: u32,
}

#[derive(Template)]
#[template(path = "bulletins/none.html")]
struct NonePage {
    page: Page,
}

async fn none_page(ctx: &Ctx, headers: &HeaderMap, title_key: &str) -> AppResult<Response> {
    let t = ctx.t();
    cached_page(ctx, headers, None, title_key, async {
        html(&NonePage {
            page: Page::new(ctx, t.t(title_key)),
        })
    })
    .await
}

fn rate_key(p: Option<u32>) -> i64 {
    p.map_or(-1, i64::from)
}

/// `GET /monitor`: societies × tasks of the latest or a chosen bulletin.
pub async fn matrix(
    State(state): State<AppState>,
    ctx: Ctx,
    headers: HeaderMap,
    Query(q): Query<MatrixQuery>,
) -> AppResult<Response> {
    let number = chosen(q.bulletin.as_deref())?;
    let Some(shown) = svc::shown(&state, number).await? else {
        return none_page(&ctx, &headers, "monitor-title").await;
    };
    let b = shown.bulletin.clone();
    let group = q
        .group
        .clone()
        .filter(|g| b.discipline_groups.iter().any(|x| &x.key == g))
        .unwrap_or_default();
    let class = q
        .class
        .clone()
        .filter(|c| matches!(c.as_str(), "basic" | "election" | "optional"))
        .unwrap_or_default();
    let sort = q
        .sort
        .clone()
        .filter(|s| {
            matches!(
                s.as_str(),
                "code" | "name" | "colour" | "rank" | "received" | "on_time"
            )
        })
        .unwrap_or_else(|| "code".to_owned());
    let key = format!("matrix|{group}|{class}|{sort}");
    let t = ctx.t();
    cached_page(&ctx, &headers, Some(&shown), &key, async {
        let tasks: Vec<(u32, String)> = b
            .tasks
            .iter()
            .filter(|x| class.is_empty() || x.class.as_str() == class)
            .map(|x| (x.number, t.pick(&x.title_zh, &x.title_en).to_owned()))
            .collect();
        let mut rows: Vec<&SocietyRow> = b
            .societies
            .iter()
            .filter(|s| group.is_empty() || s.discipline_group == group)
            .collect();
        match sort.as_str() {
            "name" => {
                let en = t.is_en();
                rows.sort_by(|a, c| a.name(en).cmp(c.name(en)).then(a.code.cmp(&c.code)))
            }
            "colour" => {
                rows.sort_by_key(|s| (std::cmp::Reverse(s.colour.severity()), s.code.clone()))
            }
            "rank" => rows.sort_by_key(|s| {
                (
                    s.peer_group.clone(),
                    s.peer_rank.unwrap_or(u32::MAX),
                    s.code.clone(),
                )
            }),
            "received" => rows.sort_by_key(|s| {
                (
                    std::cmp::Reverse(rate_key(s.reports.received_rate.permille)),
                    s.code.clone(),
                )
            }),
            "on_time" => rows.sort_by_key(|s| {
                (
                    std::cmp::Reverse(rate_key(s.reports.on_time_rate.permille)),
                    s.code.clone(),
                )
            }),
            _ => {}
        }
        let base = |s: &str| {
            let mut parts = vec![format!("bulletin={}", shown.header.number)];
            if !group.is_empty() {
                parts.push(format!("group={group}"));
            }
            if !class.is_empty() {
                parts.push(format!("class={class}"));
            }
            parts.push(format!("sort={s}"));
            format!("/monitor?{}", parts.join("&"))
        };
        let heads = [
            ("code", "col-code"),
            ("name", "col-name"),
            ("colour", "colour"),
            ("rank", "monitor-rank"),
            ("received", "monitor-received"),
            ("on_time", "monitor-on-time"),
        ]
        .iter()
        .map(|(k, label)| SortLink {
            label: t.t(label),
            href: base(k),
            current: sort == *k,
        })
        .collect();
        let rows = rows
            .into_iter()
            .map(|s| MatrixRow {
                code: s.code.clone(),
                name: society_name(&t, &s.name_zh, &s.name_en),
                group: group_name(&t, &b, &s.discipline_group),
                colour: colour(&t, &b, s.colour),
                plan: plan_status(&t, &b, s),
                received: s.reports.received_rate.text.clone(),
                on_time: s.reports.on_time_rate.text.clone(),
                rank: s
                    .peer_rank
                    .map(|r| r.to_string())
                    .unwrap_or_else(|| "—".to_owned()),
                cells: tasks
                    .iter()
                    .map(|(n, title)| match s.task(*n) {
                        Some(c) => Cell {
                            colour: Some(colour(&t, &b, c.colour)),
                            title: format!(
                                "{} {}: {}",
                                t.t1("monitor-task-n", "number", n),
                                title,
                                c.reasons
                                    .iter()
                                    .map(|r| t.pick(&r.text_zh, &r.text_en))
                                    .collect::<Vec<_>>()
                                    .join(" ")
                            ),
                        },
                        None => Cell {
                            colour: None,
                            title: t.t("monitor-not-planned"),
                        },
                    })
                    .collect(),
            })
            .collect();
        let mut groups = vec![Choice {
            value: String::new(),
            label: t.t("all"),
            selected: group.is_empty(),
        }];
        groups.extend(b.discipline_groups.iter().map(|g| Choice {
            value: g.key.clone(),
            label: t.pick(&g.name_zh, &g.name_en).to_owned(),
            selected: g.key == group,
        }));
        let mut classes = vec![Choice {
            value: String::new(),
            label: t.t("all"),
            selected: class.is_empty(),
        }];
        classes.extend(["basic", "election", "optional"].iter().map(|c| Choice {
            value: (*c).to_owned(),
            label: t.t(&format!("monitor-class-{c}")),
            selected: class == *c,
        }));
        html(&MatrixPage {
            label: bulletin_label(&t, &shown.header),
            bulletins: picker(&t, &shown),
            groups,
            classes,
            sort: sort.clone(),
            heads,
            tasks,
            rows,
            legend: Colour::ALL.iter().map(|c| colour(&t, &b, *c)).collect(),
            lagging: b
                .lagging
                .iter()
                .filter(|l| {
                    group.is_empty()
                        || b.society(&l.code)
                            .is_some_and(|s| s.discipline_group == group)
                })
                .map(|l| LaggingView {
                    code: l.code.clone(),
                    name: society_name(&t, &l.name_zh, &l.name_en),
                    peer: peer_name(&t, &b, &l.peer_group),
                    why: l
                        .why
                        .iter()
                        .map(|w| t.pick(&w.text_zh, &w.text_en))
                        .collect::<Vec<_>>()
                        .join(" "),
                    appearance: t.pick(&l.appearance_zh, &l.appearance_en).to_owned(),
                })
                .collect(),
            headline: headline(&t, &b),
            number: shown.header.number,
            page: Page::new(&ctx, t.t("monitor-title")),
        })
    })
    .await
}

/// The headline figures of a bulletin: (label, value).
pub fn headline(t: &T, b: &Bulletin) -> Vec<(String, String)> {
    let o = &b.overall;
    let mut out = vec![(t.t("monitor-societies"), o.societies.to_string())];
    for c in [Colour::Green, Colour::Yellow, Colour::Red, Colour::Grey] {
        let v = colour(t, b, c);
        out.push((
            format!("{} {}", v.symbol, v.word),
            format!("{}（{}）", o.colours.get(c), o.shares.get(c).text),
        ));
    }
    out.push((
        t.t("monitor-received"),
        o.reports.received_rate.text.clone(),
    ));
    out.push((t.t("monitor-on-time"), o.reports.on_time_rate.text.clone()));
    out.push((t.t("monitor-lagging"), o.lagging.to_string()));
    out
}

// ---------------------------------------------------------------------------------------
// A society

#[derive(Deserialize, Default)]
pub struct ShownQuery {
    #[serde(default)]
    pub bulletin: Option<String>,
}

pub struct TaskView {
    pub number: u32,
    pub title: String,
    pub colour: ColourView,
    pub reasons: String,
    pub targets: String,
}

pub struct TrendRow {
    pub number: u32,
    pub month: String,
    pub colour: Option<ColourView>,
    pub received: String,
    pub on_time: String,
}

#[derive(Template)]
#[template(path = "bulletins/society.html")]
struct SocietyPage {
    page: Page,
    label: String,
    number: u32,
    bulletins: Vec<(u32, String, bool)>,
    code: String,
    name: SocietyName,
    facts: Vec<(String, String)>,
    colour: ColourView,
    reasons: Vec<String>,
    tasks: Vec<TaskView>,
    trend: Vec<TrendRow>,
    chart: String,
}

fn targets_text(t: &T, p: &reformwatch_core::publish::TargetProgress) -> String {
    if p.total == 0 {
        return "—".to_owned();
    }
    t.t("monitor-targets-text")
        .replace("{total}", &p.total.to_string())
        .replace("{met}", &p.met.to_string())
        .replace("{due}", &p.due.to_string())
        .replace("{overdue}", &p.overdue.to_string())
}

/// `GET /monitor/societies/{code}`: one society in a bulletin, and its trend.
pub async fn society(
    State(state): State<AppState>,
    ctx: Ctx,
    headers: HeaderMap,
    Path(code): Path<String>,
    Query(q): Query<ShownQuery>,
) -> AppResult<Response> {
    let number = chosen(q.bulletin.as_deref())?;
    let Some(shown) = svc::shown(&state, number).await? else {
        return none_page(&ctx, &headers, "monitor-title").await;
    };
    let b = shown.bulletin.clone();
    let row = b.society(&code).ok_or(AppError::NotFound)?.clone();
    let t = ctx.t();
    let key = format!("society|{code}");
    cached_page(&ctx, &headers, Some(&shown), &key, async {
        // The trend is read only when the page is not cached (R-PUB-3).
        let series = svc::series(&state, &shown).await?;
        let mut facts = vec![
            (t.t("col-group"), group_name(&t, &b, &row.discipline_group)),
            (
                t.t("monitor-peer-group"),
                peer_name(&t, &b, &row.peer_group),
            ),
            (
                t.t("monitor-rank"),
                row.peer_rank
                    .map(|r| r.to_string())
                    .unwrap_or_else(|| "—".to_owned()),
            ),
            (t.t("monitor-plan"), plan_status(&t, &b, &row)),
            (
                t.t("monitor-reports"),
                t.t("monitor-reports-text")
                    .replace("{expected}", &row.reports.expected.to_string())
                    .replace("{received}", &row.reports.received.to_string())
                    .replace("{on_time}", &row.reports.on_time.to_string()),
            ),
            (
                t.t("monitor-received"),
                row.reports.received_rate.text.clone(),
            ),
            (
                t.t("monitor-on-time"),
                row.reports.on_time_rate.text.clone(),
            ),
            (t.t("monitor-targets"), targets_text(&t, &row.targets)),
        ];
        if let Some(c) = &row.change {
            let mut words = vec![
                t.pick(c.direction.label_zh(), c.direction.label_en())
                    .to_owned(),
            ];
            for d in [&c.received_delta, &c.on_time_delta].into_iter().flatten() {
                words.push(t.pick(&d.text_zh, &d.text_en).to_owned());
            }
            facts.push((t.t("monitor-change"), words.join("；")));
        }
        let tasks = row
            .tasks
            .iter()
            .map(|c| TaskView {
                number: c.task,
                title: task_title(&t, &b, c.task),
                colour: colour(&t, &b, c.colour),
                reasons: c
                    .reasons
                    .iter()
                    .map(|r| t.pick(&r.text_zh, &r.text_en))
                    .collect::<Vec<_>>()
                    .join(" "),
                targets: targets_text(&t, &c.targets),
            })
            .collect();
        let superseded: Vec<u32> = series.iter().flat_map(|x| x.corrects.clone()).collect();
        let trend: Vec<TrendRow> = series
            .iter()
            .filter(|x| !superseded.contains(&x.number))
            .map(|x| {
                let r = x.society(&code);
                TrendRow {
                    number: x.number,
                    month: month_label(&t, x.year, x.month),
                    colour: r.map(|r| colour(&t, &b, r.colour)),
                    received: r
                        .map(|r| r.reports.received_rate.text.clone())
                        .unwrap_or_else(|| "—".to_owned()),
                    on_time: r
                        .map(|r| r.reports.on_time_rate.text.clone())
                        .unwrap_or_else(|| "—".to_owned()),
                }
            })
            .collect();
        let points: Vec<(String, Option<u32>, Option<u32>)> = series
            .iter()
            .filter(|x| !superseded.contains(&x.number))
            .map(|x| {
                let r = x.society(&code);
                (
                    month_label(&t, x.year, x.month),
                    r.and_then(|r| r.reports.received_rate.permille),
                    r.and_then(|r| r.reports.on_time_rate.permille),
                )
            })
            .collect();
        html(&SocietyPage {
            label: bulletin_label(&t, &shown.header),
            number: shown.header.number,
            bulletins: picker(&t, &shown),
            code: row.code.clone(),
            name: society_name(&t, &row.name_zh, &row.name_en),
            facts,
            colour: colour(&t, &b, row.colour),
            reasons: row
                .reasons
                .iter()
                .map(|r| t.pick(&r.text_zh, &r.text_en).to_owned())
                .collect(),
            tasks,
            trend,
            chart: rates_chart(&t, &points),
            page: Page::new(&ctx, row.name(t.is_en()).to_owned()),
        })
    })
    .await
}

/// A month as every chart axis and data table shows it: `2017年8月` / `Aug 2017` (one format
/// for the bars, the lines and the tables behind them).
pub fn month_label(t: &T, year: i32, month: u32) -> String {
    if t.is_en() {
        let name = month_en(month);
        format!("{} {year}", name.get(..3).unwrap_or(name))
    } else {
        format!("{year}年{month}月")
    }
}

// ---------------------------------------------------------------------------------------
// A task

pub struct TaskSociety {
    pub code: String,
    pub name: SocietyName,
    pub group: String,
    pub colour: ColourView,
    pub reasons: String,
    pub targets: String,
}

#[derive(Template)]
#[template(path = "bulletins/task.html")]
struct TaskPage {
    page: Page,
    label: String,
    number: u32,
    bulletins: Vec<(u32, String, bool)>,
    summary: Vec<(String, String)>,
    rows: Vec<TaskSociety>,
}

/// `GET /monitor/tasks/{number}`: how every society that planned the task stands on it.
pub async fn task(
    State(state): State<AppState>,
    ctx: Ctx,
    headers: HeaderMap,
    Path(number): Path<String>,
    Query(q): Query<ShownQuery>,
) -> AppResult<Response> {
    let task: u32 = number.parse().map_err(|_| AppError::NotFound)?;
    let chosen_n = chosen(q.bulletin.as_deref())?;
    let Some(shown) = svc::shown(&state, chosen_n).await? else {
        return none_page(&ctx, &headers, "monitor-title").await;
    };
    let b = shown.bulletin.clone();
    let summary_row = b
        .tasks
        .iter()
        .find(|x| x.number == task)
        .ok_or(AppError::NotFound)?
        .clone();
    let t = ctx.t();
    let key = format!("task|{task}");
    cached_page(&ctx, &headers, Some(&shown), &key, async {
        let mut summary = vec![(t.t("monitor-planned"), summary_row.planned.to_string())];
        for c in [Colour::Green, Colour::Yellow, Colour::Red, Colour::Grey] {
            let v = colour(&t, &b, c);
            summary.push((
                format!("{} {}", v.symbol, v.word),
                format!(
                    "{}（{}）",
                    summary_row.colours.get(c),
                    summary_row.shares.get(c).text
                ),
            ));
        }
        let rows = b
            .societies
            .iter()
            .filter_map(|s| s.task(task).map(|c| (s, c)))
            .map(|(s, c)| TaskSociety {
                code: s.code.clone(),
                name: society_name(&t, &s.name_zh, &s.name_en),
                group: group_name(&t, &b, &s.discipline_group),
                colour: colour(&t, &b, c.colour),
                reasons: c
                    .reasons
                    .iter()
                    .map(|r| t.pick(&r.text_zh, &r.text_en))
                    .collect::<Vec<_>>()
                    .join(" "),
                targets: targets_text(&t, &c.targets),
            })
            .collect();
        let title = format!(
            "{} {}",
            t.t1("monitor-task-n", "number", &task),
            t.pick(&summary_row.title_zh, &summary_row.title_en)
        );
        html(&TaskPage {
            label: bulletin_label(&t, &shown.header),
            number: shown.header.number,
            bulletins: picker(&t, &shown),
            summary,
            rows,
            page: Page::new(&ctx, title),
        })
    })
    .await
}

// ---------------------------------------------------------------------------------------
// Charts: server-rendered SVG, no script, no network; each has a data table beside it.

/// Stacked bars of the colour shares per month (green, yellow, red, grey; per-mille).
pub fn shares_chart(t: &T, tr: &Trend) -> String {
    let n = tr.points.len().max(1);
    let w = 40 + 56 * n;
    let mut s = format!(
        "<svg class=\"chart\" viewBox=\"0 0 {w} 230\" role=\"img\" aria-labelledby=\"chart-shares-title\"><title id=\"chart-shares-title\">{}</title>",
        esc(&t.t("home-chart-shares"))
    );
    s.push_str(&axis(w));
    for (i, p) in tr.points.iter().enumerate() {
        let x = 44 + 56 * i;
        let mut y = 200u32;
        for (v, fill) in [
            (p.green, "#1a7f37"),
            (p.yellow, "#d4a72c"),
            (p.red, "#cf222e"),
            (p.grey, "#8c959f"),
        ] {
            let h = v.unwrap_or(0) * 180 / 1000;
            if h > 0 {
                y -= h;
                s.push_str(&format!(
                    "<rect x=\"{x}\" y=\"{y}\" width=\"40\" height=\"{h}\" fill=\"{fill}\"/>"
                ));
            }
        }
        s.push_str(&format!(
            "<text x=\"{}\" y=\"218\" text-anchor=\"middle\" font-size=\"11\">{}</text>",
            x + 20,
            esc(&month_label(t, p.year, p.month))
        ));
    }
    s.push_str("</svg>");
    s
}

fn axis(w: usize) -> String {
    let mut s = String::new();
    for (v, y) in [(0, 200), (50, 110), (100, 20)] {
        s.push_str(&format!(
            "<line x1=\"36\" y1=\"{y}\" x2=\"{w}\" y2=\"{y}\" stroke=\"#d0d7de\"/><text x=\"32\" y=\"{}\" text-anchor=\"end\" font-size=\"11\">{v}%</text>",
            y + 4
        ));
    }
    s
}

/// Lines of the reporting rate (solid, circles) and timeliness (dashed, squares) per point.
pub fn rates_chart(t: &T, points: &[(String, Option<u32>, Option<u32>)]) -> String {
    let n = points.len().max(1);
    let w = 40 + 56 * n;
    let mut s = format!(
        "<svg class=\"chart\" viewBox=\"0 0 {w} 230\" role=\"img\" aria-labelledby=\"chart-rates-title\"><title id=\"chart-rates-title\">{}</title>",
        esc(&t.t("home-chart-rates"))
    );
    s.push_str(&axis(w));
    let y = |v: u32| 200 - v.min(1000) * 180 / 1000;
    for (k, (dash, colour)) in [("", "#0969da"), (" stroke-dasharray=\"6 4\"", "#8250df")]
        .iter()
        .enumerate()
    {
        let pts: Vec<(usize, u32)> = points
            .iter()
            .enumerate()
            .filter_map(|(i, p)| {
                let v = if k == 0 { p.1 } else { p.2 };
                v.map(|v| (64 + 56 * i, y(v)))
            })
            .collect();
        if pts.len() > 1 {
            let path: Vec<String> = pts.iter().map(|(x, y)| format!("{x},{y}")).collect();
            s.push_str(&format!(
                "<polyline points=\"{}\" fill=\"none\" stroke=\"{colour}\" stroke-width=\"2\"{dash}/>",
                path.join(" ")
            ));
        }
        for (x, yy) in pts {
            if k == 0 {
                s.push_str(&format!(
                    "<circle cx=\"{x}\" cy=\"{yy}\" r=\"4\" fill=\"{colour}\"/>"
                ));
            } else {
                s.push_str(&format!(
                    "<rect x=\"{}\" y=\"{}\" width=\"8\" height=\"8\" fill=\"{colour}\"/>",
                    x - 4,
                    yy - 4
                ));
            }
        }
    }
    for (i, p) in points.iter().enumerate() {
        s.push_str(&format!(
            "<text x=\"{}\" y=\"218\" text-anchor=\"middle\" font-size=\"11\">{}</text>",
            64 + 56 * i,
            esc(&p.0)
        ));
    }
    s.push_str("</svg>");
    s
}

fn esc(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

/// What the home page shows of the latest bulletin (R-PUB-1): its label, headline figures,
/// the year's trend as two charts and the data table behind them.
pub struct HomeMonitor {
    pub label: String,
    pub number: u32,
    pub headline: Vec<(String, String)>,
    pub shares_svg: String,
    pub rates_svg: String,
    /// Month, then green, yellow, red, grey, received, on time.
    pub table: Vec<(String, Vec<String>)>,
}

fn trend_cache() -> &'static Mutex<HashMap<String, Arc<Trend>>> {
    static C: OnceLock<Mutex<HashMap<String, Arc<Trend>>>> = OnceLock::new();
    C.get_or_init(|| Mutex::new(HashMap::new()))
}

/// The year's trend up to the shown bulletin, kept by its hash (it never changes).
async fn year_trend(state: &AppState, shown: &Shown) -> AppResult<Arc<Trend>> {
    if let Some(t) = trend_cache()
        .lock()
        .ok()
        .and_then(|c| c.get(&shown.header.sha256).cloned())
    {
        return Ok(t);
    }
    let series = svc::series(state, shown).await?;
    let owned: Vec<Bulletin> = series.iter().map(|b| (**b).clone()).collect();
    let tr = Arc::new(trend(&owned, shown.header.year));
    if let Ok(mut c) = trend_cache().lock() {
        if c.len() > 64 {
            c.clear();
        }
        c.insert(shown.header.sha256.clone(), tr.clone());
    }
    Ok(tr)
}

/// The latest bulletin for the home page; `None` when nothing is published yet.
pub async fn latest(state: &AppState) -> AppResult<Option<Shown>> {
    svc::shown(state, None).await
}

/// The home page's monitoring section of the latest bulletin `shown`.
pub async fn home_monitor(state: &AppState, t: &T, shown: &Shown) -> AppResult<HomeMonitor> {
    let tr = year_trend(state, shown).await?;
    let points: Vec<(String, Option<u32>, Option<u32>)> = tr
        .points
        .iter()
        .map(|p| (month_label(t, p.year, p.month), p.received, p.on_time))
        .collect();
    Ok(HomeMonitor {
        label: bulletin_label(t, &shown.header),
        number: shown.header.number,
        headline: headline(t, &shown.bulletin),
        shares_svg: shares_chart(t, &tr),
        rates_svg: rates_chart(t, &points),
        table: tr
            .points
            .iter()
            .map(|p| (month_label(t, p.year, p.month), p.texts.to_vec()))
            .collect(),
    })
}

// ---------------------------------------------------------------------------------------
// Administrators: preview and publish

#[derive(Deserialize, Default, Clone)]
pub struct PublishForm {
    #[serde(default)]
    pub month: String,
    #[serde(default)]
    pub corrects: String,
    #[serde(default)]
    pub note_zh: String,
    #[serde(default)]
    pub note_en: String,
}

pub struct PreviewView {
    pub label: String,
    pub headline: Vec<(String, String)>,
    pub lagging: usize,
    pub sha256: String,
}

#[derive(Template)]
#[template(path = "bulletins/admin.html")]
struct AdminPage {
    page: Page,
    form: PublishForm,
    errors: Vec<(String, String)>,
    /// The same messages for the summary at the top, linked to their inputs.
    summary: crate::http::form::FormErrors,
    preview: Option<PreviewView>,
    rows: Vec<ListRow>,
}

impl AdminPage {
    fn error(&self, field: &str) -> Option<&str> {
        self.errors
            .iter()
            .find(|(f, _)| f == field)
            .map(|(_, m)| m.as_str())
    }
}

fn parse_form(form: &PublishForm) -> Result<PublishRequest, Vec<(String, String)>> {
    let mut errors = Vec::new();
    let (year, month) = match form
        .month
        .trim()
        .split_once('-')
        .and_then(|(y, m)| Some((y.parse::<i32>().ok()?, m.parse::<u32>().ok()?)))
    {
        Some(ym) => ym,
        None => {
            errors.push(("month".to_owned(), "err-bulletin-month-form".to_owned()));
            (0, 0)
        }
    };
    let mut corrects = Vec::new();
    for part in form
        .corrects
        .split([',', '，', ' ', '、'])
        .filter(|s| !s.trim().is_empty())
    {
        match part.trim().parse::<u32>() {
            Ok(n) => corrects.push(n),
            Err(_) => {
                errors.push((
                    "corrects".to_owned(),
                    "err-bulletin-corrects-form".to_owned(),
                ));
                break;
            }
        }
    }
    if !errors.is_empty() {
        return Err(errors);
    }
    let any_note = !form.note_zh.trim().is_empty() || !form.note_en.trim().is_empty();
    Ok(PublishRequest {
        year,
        month,
        correction: (!corrects.is_empty() || any_note).then(|| {
            reformwatch_core::publish::Correction {
                corrects,
                note_zh: form.note_zh.trim().to_owned(),
                note_en: form.note_en.trim().to_owned(),
            }
        }),
    })
}

async fn admin_render(
    state: &AppState,
    ctx: &Ctx,
    form: PublishForm,
    errors: Vec<(String, String)>,
    preview: Option<PreviewView>,
    done: Option<&str>,
) -> AppResult<Response> {
    let t = ctx.t();
    let all = svc::list(state).await?;
    let errors: Vec<(String, String)> = errors
        .into_iter()
        .map(|(f, m)| {
            let text = if m.starts_with("err-") { t.t(&m) } else { m };
            (f, text)
        })
        .collect();
    let mut summary = crate::http::form::FormErrors::none();
    for (f, m) in &errors {
        if matches!(f.as_str(), "month" | "corrects" | "note_zh" | "note_en") {
            summary.push(f, m.clone());
        } else {
            summary.push_form(m.clone());
        }
    }
    let page = AdminPage {
        page: Page::new(ctx, t.t("bulletins-admin-title")).with_flash(done),
        form,
        errors,
        summary,
        preview,
        rows: list_rows(&t, &all),
    };
    let status = if page.errors.is_empty() {
        http::StatusCode::OK
    } else {
        http::StatusCode::UNPROCESSABLE_ENTITY
    };
    Ok((status, axum::response::Html(html(&page)?)).into_response())
}

fn field_errors(t: &T, e: AppError) -> Result<Vec<(String, String)>, AppError> {
    match e {
        AppError::Invalid(fields) => Ok(fields
            .iter()
            .map(|f| (f.field.clone(), t.field(f)))
            .collect()),
        other => Err(other),
    }
}

/// `GET /admin/bulletins`: the month picker, the correction fields and the published list.
#[derive(Deserialize, Default)]
pub struct DoneQuery {
    #[serde(default)]
    pub done: Option<String>,
}

pub async fn admin_page(
    State(state): State<AppState>,
    ctx: Ctx,
    Query(q): Query<DoneQuery>,
) -> AppResult<Response> {
    let now = state.clock.now().with_timezone(&chrono_tz::Asia::Shanghai);
    let form = PublishForm {
        month: now.format("%Y-%m").to_string(),
        ..Default::default()
    };
    admin_render(&state, &ctx, form, Vec::new(), None, q.done.as_deref()).await
}

/// `POST /admin/bulletins/preview`: what would be published now; nothing is written.
pub async fn admin_preview(
    State(state): State<AppState>,
    ctx: Ctx,
    Form(form): Form<PublishForm>,
) -> AppResult<Response> {
    let t = ctx.t();
    let req = match parse_form(&form) {
        Ok(r) => r,
        Err(errors) => return admin_render(&state, &ctx, form, errors, None, None).await,
    };
    match svc::preview(&state, &ctx.principal(), &req).await {
        Ok(b) => {
            let bytes = reformwatch_core::publish::canonical_bytes(&b)
                .map_err(|e| anyhow::anyhow!("preview: {e}"))?;
            let label = label(&t, b.number, b.year, b.month);
            let preview = PreviewView {
                label,
                headline: headline(&t, &b),
                lagging: b.lagging.len(),
                sha256: reformwatch_core::publish::digest(&bytes),
            };
            admin_render(&state, &ctx, form, Vec::new(), Some(preview), None).await
        }
        Err(e) => {
            let errors = field_errors(&t, e)?;
            admin_render(&state, &ctx, form, errors, None, None).await
        }
    }
}

/// `POST /admin/bulletins`: publish, then back to the list.
pub async fn admin_publish(
    State(state): State<AppState>,
    ctx: Ctx,
    Form(form): Form<PublishForm>,
) -> AppResult<Response> {
    let t = ctx.t();
    let req = match parse_form(&form) {
        Ok(r) => r,
        Err(errors) => return admin_render(&state, &ctx, form, errors, None, None).await,
    };
    match svc::publish(&state, &ctx.principal(), &req).await {
        Ok(_) => Ok(see_other("/admin/bulletins", "created")),
        Err(e) => {
            let errors = field_errors(&t, e)?;
            admin_render(&state, &ctx, form, errors, None, None).await
        }
    }
}

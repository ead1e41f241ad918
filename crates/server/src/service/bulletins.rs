//! Public monitoring bulletins (R-PUB-1, R-PUB-2): gather a month's public inputs in bulk,
//! build the bulletin with the domain core (`reformwatch_core::publish`: public allowlist by
//! construction, canonical JSON, SHA-256 chain), preview it without writing, publish it in one
//! transaction (row + audit entry + a notification to every society's people with a link to
//! its public row), list, read and verify the chain.
//!
//! The inputs are loaded in a fixed number of statements, whatever the number of societies:
//! the year's progress (`service::progress`, as the dashboard), the societies, the reform
//! plans' states, the facts (for the member count) and the election flags.

use std::collections::{BTreeMap, HashMap};
use std::sync::{Arc, Mutex, OnceLock};

use chrono::{DateTime, Utc};
use reformwatch_core::catalogue::Catalogue;
use reformwatch_core::facts::Facts;
use reformwatch_core::publish::{
    self as core, AuditHead, Bulletin, ChainError, Correction, GroupName, PublicInput,
    PublicPlanStatus, PublicSociety, Sha256Hex, StoredBulletin,
};
use reformwatch_core::tracking::{Month, RateCell, society_rate};
use serde_json::json;

use crate::AppState;
use crate::auth::policy::Action;
use crate::db::audit::{self, Change};
use crate::db::bulletins::{self, BulletinRow, Notice};
use crate::db::notifications::{self, Audience};
use crate::db::plans::{self, PlanKind};
use crate::db::societies::{self, SocietyFilter};
use crate::db::{Backend, facts, ts};
use crate::error::{AppError, AppResult};
use crate::i18n::{Lang, Messages};
use crate::model::{DisciplineGroup, FieldError};
use crate::principal::Principal;
use crate::service::progress::Progress;

/// What an administrator asks for: the month, and optionally what this bulletin corrects.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PublishRequest {
    pub year: i32,
    pub month: u32,
    pub correction: Option<Correction>,
}

/// A bulletin as stored: header and canonical bytes.
pub struct Stored {
    pub header: BulletinRow,
    pub bytes: Vec<u8>,
}

/// The public link of a society's row in a bulletin (notifications, pages).
pub fn society_link(number: u32, code: &str) -> String {
    format!("/monitor/societies/{code}?bulletin={number}")
}

fn month_of(req: &PublishRequest) -> AppResult<Month> {
    Month::new(req.year, req.month).ok_or_else(|| {
        AppError::from(FieldError::localized(
            "month",
            "err-bulletin-month",
            format!("{} 不是有效的月份。", req.month),
            format!("{} is not a valid month.", req.month),
        ))
    })
}

fn build_error(e: core::BuildError) -> AppError {
    let field = if e.field.starts_with("correction") {
        "corrects"
    } else if e.field == "chain" {
        "chain"
    } else {
        "month"
    };
    AppError::from(FieldError::localized(
        field,
        "err-bulletin",
        e.message_zh,
        e.message_en,
    ))
}

/// The month's public inputs at `now` (R-PUB-1): public fields only, loaded in bulk.
async fn gather(
    state: &AppState,
    catalogue: &Catalogue,
    month: Month,
    now: DateTime<Utc>,
    correction: Option<Correction>,
) -> AppResult<PublicInput> {
    let all = societies::list(&state.db, &SocietyFilter::default()).await?;
    let progress = Progress::of_all(state, catalogue).await?;
    let plan_states: HashMap<i64, _> = plans::list(&state.db, catalogue.year, PlanKind::Reform)
        .await?
        .into_iter()
        .map(|p| (p.society_id, p.state))
        .collect();
    let versions = facts::all_versions(&state.db, catalogue.year).await?;
    let elections = societies::election_flags_of_year(&state.db, catalogue.year).await?;
    let empty = Facts::default();
    let mut out = Vec::with_capacity(all.len());
    for s in all {
        let g = DisciplineGroup::from_letter(&s.discipline_group);
        let group = GroupName {
            id: s.discipline_group.clone(),
            name_zh: g.map_or_else(|| s.category.clone(), |g| g.name_zh().to_owned()),
            name_en: g.map_or_else(|| s.discipline_group.clone(), |g| g.name_en().to_owned()),
        };
        let current = facts::current(versions.get(&s.id).map(Vec::as_slice).unwrap_or(&[]));
        let members = current
            .get("members_now")
            .and_then(|v| v.value.as_ref())
            .and_then(serde_json::Value::as_i64);
        let plan = progress.plan(s.id).map(|p| &p.0);
        let status = core::public_status(
            catalogue,
            plan,
            progress.received(s.id),
            progress.facts.get(&s.id).unwrap_or(&empty),
            now,
        );
        // A society without an accepted plan is expected nothing (R-TRACK-2).
        let reports = if plan.is_some() {
            society_rate(catalogue, &progress.first_submissions(s.id), now)
        } else {
            RateCell::default()
        };
        out.push(PublicSociety {
            code: s.code,
            name_zh: s.name,
            name_en: s.name_en,
            group,
            members,
            election_year: elections.get(&s.id).copied().unwrap_or(false),
            plan: PublicPlanStatus::of(plan_states.get(&s.id).copied()),
            status,
            reports,
        });
    }
    Ok(PublicInput {
        month,
        published_at: now,
        audit_head: None,
        correction,
        societies: out,
    })
}

fn audit_head(head: Option<(i64, String)>) -> AppResult<Option<AuditHead>> {
    match head {
        None => Ok(None),
        Some((seq, hash)) => Ok(Some(AuditHead {
            seq: u64::try_from(seq)
                .map_err(|_| anyhow::anyhow!("audit sequence {seq} out of range"))?,
            sha256: Sha256Hex::parse(&hash)
                .ok_or_else(|| anyhow::anyhow!("audit hash {hash:?} is not a SHA-256"))?,
        })),
    }
}

/// What the bulletin would be if published now (R-PUB-1): nothing is written.
pub async fn preview(
    state: &AppState,
    who: &Principal,
    req: &PublishRequest,
) -> AppResult<Bulletin> {
    who.require(Action::PublishBulletin, None)?;
    let month = month_of(req)?;
    let catalogue = crate::service::catalogues::of_year(state, req.year).await?;
    let now = state.clock.now();
    let mut input = gather(state, &catalogue, month, now, req.correction.clone()).await?;
    let chain = bulletins::chain(&state.db).await?;
    let head = bulletins::audit_head(&state.db).await?;
    input.audit_head = audit_head(head)?;
    core::build(&catalogue, &input, &chain).map_err(build_error)
}

/// Publishes bulletin 第N期 (R-PUB-1, R-PUB-2): one transaction stores the canonical bytes
/// with their hash and chain link, the audit entry, and a notification (inbox, and e-mail
/// when SMTP is configured) to every society's people with a link to its public row.
/// The audit head printed in the bulletin is the trail's newest entry before this one.
pub async fn publish(
    state: &AppState,
    who: &Principal,
    req: &PublishRequest,
) -> AppResult<BulletinRow> {
    who.require(Action::PublishBulletin, None)?;
    let month = month_of(req)?;
    let catalogue = crate::service::catalogues::of_year(state, req.year).await?;
    let now = state.clock.now();
    let mut input = gather(state, &catalogue, month, now, req.correction.clone()).await?;
    let recipients = notifications::recipients(&state.db, Audience::Societies).await?;
    let codes: HashMap<i64, (String, String)> = societies::list(
        &state.db,
        &SocietyFilter {
            include_inactive: Some(true),
            ..Default::default()
        },
    )
    .await?
    .into_iter()
    .map(|s| (s.id, (s.code, s.name)))
    .collect();
    let mut tx = state.db.begin().await?;
    if state.db.backend == Backend::Postgres {
        // Serialise publishers (and audit appenders): the chain and the head are read once.
        sqlx::query("LOCK TABLE audit_log IN SHARE ROW EXCLUSIVE MODE")
            .execute(&mut *tx)
            .await?;
    }
    let chain = bulletins::chain_in(&mut tx).await?;
    input.audit_head = audit_head(bulletins::audit_head_in(&mut tx).await?)?;
    let b = core::build(&catalogue, &input, &chain).map_err(build_error)?;
    let bytes = core::canonical_bytes(&b).map_err(|e| anyhow::anyhow!("bulletin: {e}"))?;
    let sha256 = core::digest(&bytes);
    let content = String::from_utf8(bytes).map_err(|e| anyhow::anyhow!("bulletin: {e}"))?;
    let header = BulletinRow {
        number: b.number,
        year: b.year,
        month: b.month,
        published_at: b.published_at.to_string(),
        published_by: who.actor().label(),
        sha256: sha256.clone(),
        prev_sha256: b.prev_sha256.as_ref().map(|h| h.as_str().to_owned()),
        corrects: b.corrects.clone(),
        correction_note_zh: b.correction_note_zh.clone(),
        correction_note_en: b.correction_note_en.clone(),
        audit_seq: b
            .audit_head
            .as_ref()
            .and_then(|h| i64::try_from(h.seq).ok()),
        audit_sha256: b.audit_head.as_ref().map(|h| h.sha256.as_str().to_owned()),
    };
    bulletins::insert(
        &mut tx,
        &bulletins::NewBulletin {
            header: &header,
            content: &content,
        },
    )
    .await?;
    audit::record(
        &state.db,
        &mut tx,
        &who.actor(),
        now,
        Change {
            action: "bulletin.publish",
            object_type: "bulletin",
            object_id: &b.number.to_string(),
            before: None,
            after: Some(json!({
                "number": b.number,
                "year": b.year,
                "month": b.month,
                "sha256": sha256,
                "prev_sha256": header.prev_sha256,
                "corrects": b.corrects,
            })),
        },
    )
    .await?;
    // R-PUB-1: every society's people hear of it, with a link to their row.
    let published: BTreeMap<&str, ()> = b.societies.iter().map(|s| (s.code.as_str(), ())).collect();
    let m = Messages::global();
    let key = format!("bulletin-{}", b.number);
    let email = state.config.smtp_url.is_some();
    let mut texts = Vec::new();
    for r in &recipients {
        let Some((code, name)) = r.society_id.and_then(|id| codes.get(&id)) else {
            continue;
        };
        if !published.contains_key(code.as_str()) {
            continue;
        }
        let args = [
            ("society".to_owned(), name.clone()),
            ("number".to_owned(), b.number.to_string()),
        ];
        let address = r.email.trim();
        texts.push((
            r.user_id,
            m.format(Lang::Zh, "notify-bulletin-published", &args),
            m.format(Lang::En, "notify-bulletin-published", &args),
            society_link(b.number, code),
            (email && !address.is_empty()).then(|| address.to_owned()),
        ));
    }
    let notices: Vec<Notice<'_>> = texts
        .iter()
        .map(|(user_id, zh, en, link, to)| Notice {
            user_id: *user_id,
            dedupe_key: &key,
            subject_zh: zh,
            subject_en: en,
            link,
            email_to: to.as_deref(),
        })
        .collect();
    bulletins::notify_in(&mut tx, &ts(now), &notices).await?;
    tx.commit().await?;
    // The public pages of this process show it at once (R-PUB-3); other processes within
    // their `public_revalidate_ms`.
    state.public_pages.changed();
    Ok(header)
}

/// Every published bulletin's header, in number order (public).
pub async fn list(state: &AppState) -> AppResult<Vec<BulletinRow>> {
    bulletins::list(&state.db).await
}

/// One bulletin's header and canonical bytes (public; 404 when there is none).
pub async fn get(state: &AppState, number: u32) -> AppResult<Stored> {
    let (header, bytes) = bulletins::get(&state.db, number)
        .await?
        .ok_or(AppError::NotFound)?;
    Ok(Stored { header, bytes })
}

/// Parsed bulletins, keyed by their hash: a published bulletin never changes, so the parsed
/// form can be kept for as long as the process lives, across processes and databases.
fn parsed_cache() -> &'static Mutex<HashMap<String, Arc<Bulletin>>> {
    static C: OnceLock<Mutex<HashMap<String, Arc<Bulletin>>>> = OnceLock::new();
    C.get_or_init(|| Mutex::new(HashMap::new()))
}

/// The parsed bulletin of stored bytes whose hash is `sha256` (cached by that hash). The bytes
/// are hashed again before they are trusted: a row altered in the database is refused.
pub fn parsed(sha256: &str, bytes: &[u8]) -> AppResult<Arc<Bulletin>> {
    if let Ok(c) = parsed_cache().lock()
        && let Some(b) = c.get(sha256)
    {
        return Ok(b.clone());
    }
    if core::digest(bytes) != sha256 {
        return Err(anyhow::anyhow!("stored bulletin does not match its hash {sha256}").into());
    }
    let b = Arc::new(
        core::parse(bytes).map_err(|e| anyhow::anyhow!("stored bulletin unreadable: {e:?}"))?,
    );
    if let Ok(mut c) = parsed_cache().lock() {
        if c.len() > 256 {
            c.clear();
        }
        c.insert(sha256.to_owned(), b.clone());
    }
    Ok(b)
}

/// Checks the chain in the database (R-PUB-2; `reformwatch bulletin verify`): Ok(number of
/// bulletins), or the first bulletin that fails and why.
pub async fn verify(state: &AppState) -> AppResult<Result<usize, ChainError>> {
    let chain: Vec<StoredBulletin> = bulletins::chain(&state.db).await?;
    Ok(core::verify_chain(&chain).map(|()| chain.len()))
}

/// A download of a bulletin (R-PUB-1): the canonical JSON, one table as CSV, or every table
/// as a workbook.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    Json,
    Csv,
    Xlsx,
}

/// The content type and file name of a download of bulletin `n`.
pub fn download_name(n: u32, format: Format, table: Option<&str>) -> (&'static str, String) {
    match format {
        Format::Json => ("application/json", format!("bulletin-{n}.json")),
        Format::Csv => (
            "text/csv; charset=utf-8",
            format!("bulletin-{n}-{}.csv", table.unwrap_or("societies")),
        ),
        Format::Xlsx => (
            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            format!("bulletin-{n}.xlsx"),
        ),
    }
}

/// The file of a download: content type, file name, bytes. CSV: the core's table (UTF-8 with
/// a byte order mark, CRLF, cells starting with = + - @ neutralised); `table` picks one of
/// `societies` (default), `matrix`, `groups`, `tasks`, `lagging`. Workbook: one sheet per
/// table, counts as numbers, text as text (never a formula).
pub fn download(
    stored: &Stored,
    format: Format,
    lang: Lang,
    table: Option<&str>,
) -> AppResult<(&'static str, String, Vec<u8>)> {
    let n = stored.header.number;
    let (content_type, name) = download_name(n, format, table);
    if format == Format::Json {
        return Ok((content_type, name, stored.bytes.clone()));
    }
    let b = parsed(&stored.header.sha256, &stored.bytes)?;
    let l = match lang {
        Lang::Zh => core::Lang::Zh,
        Lang::En => core::Lang::En,
    };
    let tables = core::tables(&b, l);
    match format {
        Format::Json | Format::Csv => {
            let id = table.unwrap_or("societies");
            let t = tables
                .iter()
                .find(|t| t.id == id)
                .ok_or(AppError::NotFound)?;
            Ok((content_type, name, core::csv(t, l).into_bytes()))
        }
        Format::Xlsx => {
            let bytes =
                workbook(&tables, l).map_err(|e| anyhow::anyhow!("bulletin {n} workbook: {e}"))?;
            Ok((content_type, name, bytes))
        }
    }
}

fn workbook(tables: &[core::Table], l: core::Lang) -> Result<Vec<u8>, rust_xlsxwriter::XlsxError> {
    use rust_xlsxwriter::{Format as XFormat, Workbook};
    let mut wb = Workbook::new();
    let bold = XFormat::new().set_bold();
    for t in tables {
        let sheet = wb.add_worksheet();
        sheet.set_name(t.name(l))?;
        for (i, h) in t.headers(l).iter().enumerate() {
            sheet.write_string_with_format(0, col(i), *h, &bold)?;
        }
        for (r, row) in t.rows.iter().enumerate() {
            let r = u32::try_from(r + 1).unwrap_or(u32::MAX);
            for (i, cell) in row.iter().enumerate() {
                match cell {
                    core::Cell::Int(v) => {
                        // Counts and per-mille values: exact in an f64 (|v| < 2^53).
                        #[allow(clippy::cast_precision_loss)]
                        sheet.write_number(r, col(i), *v as f64)?;
                    }
                    core::Cell::Text(s) => {
                        sheet.write_string(r, col(i), s)?;
                    }
                    core::Cell::Empty => {}
                }
            }
        }
    }
    wb.save_to_buffer()
}

fn col(i: usize) -> u16 {
    u16::try_from(i).unwrap_or(u16::MAX)
}

fn cached(sha256: &str) -> Option<Arc<Bulletin>> {
    parsed_cache()
        .lock()
        .ok()
        .and_then(|c| c.get(sha256).cloned())
}

/// A published bulletin for the public pages: its header and parsed content.
pub struct Shown {
    pub header: BulletinRow,
    pub bulletin: Arc<Bulletin>,
    /// Every published header (for the bulletin picker and the list).
    pub all: Vec<BulletinRow>,
    /// Whether it is the latest (its pages change when the next one is published).
    pub latest: bool,
}

async fn content(state: &AppState, h: &BulletinRow) -> AppResult<Arc<Bulletin>> {
    if let Some(b) = cached(&h.sha256) {
        return Ok(b);
    }
    let s = get(state, h.number).await?;
    parsed(&s.header.sha256, &s.bytes)
}

/// The chosen bulletin (`None`: the latest) for the public pages (R-PUB-1, R-PUB-3); `None`
/// when nothing is published yet. One query for the list; the content is read from the store
/// only the first time a process shows it (parsed bulletins are kept by hash).
pub async fn shown(state: &AppState, number: Option<u32>) -> AppResult<Option<Shown>> {
    let all = bulletins::list(&state.db).await?;
    let Some(last) = all.last() else {
        return Ok(None);
    };
    let header = match number {
        None => last.clone(),
        Some(n) => all
            .iter()
            .find(|h| h.number == n)
            .cloned()
            .ok_or(AppError::NotFound)?,
    };
    let bulletin = content(state, &header).await?;
    Ok(Some(Shown {
        latest: header.number == last.number,
        header,
        bulletin,
        all,
    }))
}

/// The year's bulletins up to and including `shown` (the trend as it stood then: the page of
/// a numbered bulletin never changes).
pub async fn series(state: &AppState, shown: &Shown) -> AppResult<Vec<Arc<Bulletin>>> {
    let mut out = Vec::new();
    for h in shown
        .all
        .iter()
        .filter(|h| h.year == shown.header.year && h.number <= shown.header.number)
    {
        out.push(content(state, h).await?);
    }
    Ok(out)
}

//! R-TRACK-4 evidence files: the per-file limit and the society's quota, storing a stream once
//! by SHA-256 outside any served folder, linking it to what it evidences, reading it back for
//! those allowed, and withdrawing it.

use futures_util::Stream;
use reformwatch_files::{Charset, FileError, Kind, Store, Stored, sanitize_name};

use crate::AppState;
use crate::auth::policy::Action;
use crate::db::evidence::{self, Evidence, NewEvidence};
use crate::db::societies::{self, Society};
use crate::error::{AppError, AppResult};
use crate::model::FieldError;
use crate::principal::Principal;

fn store(state: &AppState) -> AppResult<Store> {
    Store::open(state.config.evidence_dir())
        .map_err(|e| AppError::Internal(anyhow::anyhow!("evidence store: {e}")))
}

fn file_error(e: FileError, limit: u64) -> AppError {
    match e {
        FileError::TooLarge { .. } => AppError::FileTooLarge {
            limit,
            quota: false,
        },
        FileError::Empty => FieldError::new("file", "err-no-file").into(),
        FileError::TypeNotAllowed { detected } => FieldError::new("file", "err-file-type")
            .arg("detected", detected.unwrap_or_else(|| "?".into()))
            .into(),
        FileError::NotFound => AppError::NotFound,
        FileError::Upload(m) => FieldError::new("file", "err-upload")
            .arg("detail", m)
            .into(),
        FileError::Io(e) => AppError::Internal(e.into()),
    }
}

/// How many bytes a society may still upload in one file.
#[derive(Debug, Clone, Copy)]
pub struct UploadLimit {
    /// The limit for this file: the per-file limit or what is left of the quota.
    pub bytes: u64,
    quota: u64,
    /// The quota, not the per-file limit, is what binds.
    quota_bound: bool,
}

/// The limit for the society's next file; refused (413) when its quota is used up.
pub async fn upload_limit(
    state: &AppState,
    who: &Principal,
    society: &Society,
) -> AppResult<UploadLimit> {
    who.require(Action::EditSocietyData, Some(society.id))?;
    let used = u64::try_from(evidence::society_usage(&state.db, society.id).await?).unwrap_or(0);
    let quota = state.config.society_quota_bytes;
    if used >= quota {
        return Err(AppError::FileTooLarge {
            limit: quota,
            quota: true,
        });
    }
    let bytes = state.config.max_evidence_bytes.min(quota - used);
    Ok(UploadLimit {
        bytes,
        quota,
        quota_bound: bytes < state.config.max_evidence_bytes,
    })
}

/// Streams an upload into the store (type decided by content, stopped at the limit).
pub async fn put<S, E>(state: &AppState, chunks: S, limit: UploadLimit) -> AppResult<Stored>
where
    S: Stream<Item = Result<axum::body::Bytes, E>> + Unpin,
    E: std::fmt::Display,
{
    store(state)?
        .put(chunks, limit.bytes)
        .await
        .map_err(|e| match e {
            FileError::TooLarge { .. } if limit.quota_bound => AppError::FileTooLarge {
                limit: limit.quota,
                quota: true,
            },
            other => file_error(other, limit.bytes),
        })
}

/// What an uploaded file evidences, as the form says.
#[derive(Debug, Default, Clone)]
pub struct Owner {
    /// `plan_task`, `report` or `fact`.
    pub owner_type: String,
    pub year: Option<i32>,
    pub month: Option<u32>,
    pub task: Option<u32>,
    pub field: Option<String>,
}

/// Links a stored file to what it evidences (audited). Returns the evidence record.
pub async fn add(
    state: &AppState,
    who: &Principal,
    society: &Society,
    owner: &Owner,
    stored: &Stored,
    original_name: &str,
) -> AppResult<Evidence> {
    who.require(Action::EditSocietyData, Some(society.id))?;
    let owner_type = match owner.owner_type.as_str() {
        "plan_task" | "report" | "fact" => owner.owner_type.as_str(),
        _ => return Err(FieldError::new("owner_type", "err-evidence-owner").into()),
    };
    let year = owner
        .year
        .ok_or_else(|| FieldError::new("year", "err-year"))?;
    if owner_type == "report" && owner.month.is_none() {
        return Err(FieldError::new("month", "err-month").into());
    }
    check_owner(state, year, owner).await?;
    let name = sanitize_name(original_name, stored.kind);
    let charset = stored.charset.map(|c| {
        serde_json::to_value(c)
            .ok()
            .and_then(|v| v.as_str().map(str::to_string))
            .unwrap_or_default()
    });
    let id = evidence::add(
        &state.db,
        &who.actor(),
        state.clock.now(),
        &NewEvidence {
            society_id: society.id,
            society_code: &society.code,
            sha256: &stored.sha256,
            size: i64::try_from(stored.size).unwrap_or(i64::MAX),
            kind: stored.kind.as_str(),
            charset: charset.as_deref(),
            name: &name,
            owner_type,
            year,
            month: owner.month,
            task: owner.task,
            field: owner.field.as_deref(),
        },
    )
    .await?;
    evidence::by_id(&state.db, id)
        .await?
        .ok_or(AppError::NotFound)
}

/// What evidence is attached to must exist (issue 9 finding 9): a year with a catalogue, a
/// task of that catalogue, a reporting month of that year, a fact the catalogue declares.
async fn check_owner(state: &AppState, year: i32, owner: &Owner) -> AppResult<()> {
    let catalogue = match super::catalogues::get(state, Some(&year.to_string())).await {
        Ok(c) => c,
        Err(AppError::NotFound) => return Err(FieldError::new("year", "err-year").into()),
        Err(e) => return Err(e),
    };
    if let Some(n) = owner.task
        && catalogue.task(n).is_none()
    {
        return Err(FieldError::new("task", "err-evidence-task")
            .arg("task", n)
            .into());
    }
    if let Some(m) = owner.month
        && !reformwatch_core::tracking::expected_months(&catalogue)
            .iter()
            .any(|x| x.month == m)
    {
        return Err(FieldError::new("month", "err-month").into());
    }
    if let Some(field) = owner.field.as_deref().filter(|f| !f.is_empty())
        && catalogue.fact(field).is_none()
    {
        return Err(FieldError::new("field", "err-evidence-fact").into());
    }
    Ok(())
}

/// An evidence record, for whoever may read the owning society (others: 404).
pub async fn get(state: &AppState, who: &Principal, id: i64) -> AppResult<Evidence> {
    if *who == Principal::Anonymous {
        return Err(AppError::Unauthorized);
    }
    let e = evidence::by_id(&state.db, id)
        .await?
        .ok_or(AppError::NotFound)?;
    who.require(Action::ReadSociety, Some(e.society_id))?;
    Ok(e)
}

/// The stored file of an evidence record, with its type and text encoding.
pub async fn open(
    state: &AppState,
    e: &Evidence,
) -> AppResult<(tokio::fs::File, Kind, Option<Charset>)> {
    let kind: Kind = serde_json::from_value(serde_json::Value::String(e.kind.clone()))
        .map_err(|_| AppError::Internal(anyhow::anyhow!("bad stored kind {}", e.kind)))?;
    let charset: Option<Charset> = e
        .charset
        .as_deref()
        .and_then(|c| serde_json::from_value(serde_json::Value::String(c.to_string())).ok());
    let file = store(state)?
        .open_read(&e.sha256)
        .await
        .map_err(|err| file_error(err, 0))?;
    Ok((file, kind, charset))
}

/// Withdraws an evidence file (its society's editors and administrators; a locked month's
/// report evidence cannot be withdrawn).
pub async fn remove(state: &AppState, who: &Principal, id: i64) -> AppResult<()> {
    let e = get(state, who, id).await?;
    who.require(Action::EditSocietyData, Some(e.society_id))?;
    if let Some(month) = e.month
        && !crate::db::reports::is_open(&state.db, e.society_id, e.year, month).await?
    {
        return Err(FieldError::new("month", "err-month-locked")
            .arg("month", format!("{}-{month:02}", e.year))
            .into());
    }
    let society = societies::by_id(&state.db, e.society_id)
        .await?
        .ok_or(AppError::NotFound)?;
    evidence::remove(
        &state.db,
        &who.actor(),
        state.clock.now(),
        &e,
        &society.code,
    )
    .await
}

/// A society's evidence for a year of one kind of owner (`plan_task`, `report`, `fact`).
pub async fn of_society(
    state: &AppState,
    society: &Society,
    year: i32,
    owner_type: &str,
) -> AppResult<Vec<Evidence>> {
    Ok(evidence::of_society(&state.db, society.id, year)
        .await?
        .into_iter()
        .filter(|e| e.owner_type == owner_type)
        .collect())
}

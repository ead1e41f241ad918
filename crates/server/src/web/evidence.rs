//! R-TRACK-4 evidence files: streamed uploads (type decided by content, per-file limit and
//! per-society quota, HTTP 413 with a clear message), stored once by SHA-256 outside any served
//! folder; downloads only for those allowed, as attachments with a sandboxing CSP.

use axum::body::Body;
use axum::extract::{Multipart, Path, State};
use axum::response::{IntoResponse, Response};
use futures_util::TryStreamExt;
use http::header::{
    CACHE_CONTROL, CONTENT_DISPOSITION, CONTENT_LENGTH, CONTENT_SECURITY_POLICY, CONTENT_TYPE,
    X_CONTENT_TYPE_OPTIONS,
};
use reformwatch_files::{FileError, Kind, content_disposition, sanitize_name};

use super::page::see_other;
use super::{AppState, Ctx};
use crate::auth::policy::Action;
use crate::db::evidence::{self, NewEvidence};
use crate::error::{AppError, AppResult};
use crate::model::FieldError;

pub(crate) fn store(state: &AppState) -> AppResult<reformwatch_files::Store> {
    reformwatch_files::Store::open(state.config.evidence_dir())
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

/// What the uploaded file evidences, from the form's other fields.
#[derive(Default)]
struct Owner {
    owner_type: String,
    year: Option<i32>,
    month: Option<u32>,
    task: Option<u32>,
    field: Option<String>,
    back: String,
}

/// Reads the multipart form: small text fields first (the form puts them before the file), then
/// the file streamed into the store. Returns the owner and the stored file.
async fn receive(
    state: &AppState,
    society_id: i64,
    mut form: Multipart,
) -> AppResult<(Owner, reformwatch_files::Stored, String)> {
    let mut owner = Owner::default();
    let used = evidence::society_usage(&state.db, society_id).await? as u64;
    let quota = state.config.society_quota_bytes;
    if used >= quota {
        return Err(AppError::FileTooLarge {
            limit: quota,
            quota: true,
        });
    }
    let limit = state.config.max_evidence_bytes.min(quota - used);
    let quota_bound = limit < state.config.max_evidence_bytes;
    while let Some(field) = form
        .next_field()
        .await
        .map_err(|e| FieldError::new("file", "err-upload").arg("detail", e.body_text()))?
    {
        let name = field.name().unwrap_or("").to_string();
        if name == "file" {
            let original = field.file_name().unwrap_or("file").to_string();
            let stream = field.map_err(|e| e.body_text());
            let stored = store(state)?
                .put(Box::pin(stream), limit)
                .await
                .map_err(|e| match e {
                    FileError::TooLarge { .. } if quota_bound => AppError::FileTooLarge {
                        limit: quota,
                        quota: true,
                    },
                    other => file_error(other, limit),
                })?;
            return Ok((owner, stored, original));
        }
        let value = field
            .text()
            .await
            .map_err(|e| FieldError::new(&name, "err-upload").arg("detail", e.body_text()))?;
        let v = value.trim().to_string();
        match name.as_str() {
            "owner_type" => owner.owner_type = v,
            "year" => owner.year = v.parse().ok(),
            "month" => owner.month = v.parse().ok().filter(|m| (1..=12).contains(m)),
            "task" => owner.task = v.parse().ok(),
            "field" => owner.field = Some(v).filter(|s| !s.is_empty()),
            "back" => owner.back = super::page::safe_next(&v),
            _ => {}
        }
    }
    Err(FieldError::new("file", "err-no-file").into())
}

async fn upload_inner(
    state: &AppState,
    ctx: &Ctx,
    code: &str,
    form: Multipart,
) -> AppResult<(i64, String)> {
    let society = super::societies::load_readable(state, ctx, code).await?;
    ctx.require(Action::EditSocietyData, Some(society.id))?;
    let (owner, stored, original) = receive(state, society.id, form).await?;
    let owner_type = match owner.owner_type.as_str() {
        "plan_task" | "report" | "fact" => owner.owner_type.clone(),
        _ => return Err(FieldError::new("owner_type", "err-evidence-owner").into()),
    };
    let year = owner
        .year
        .ok_or_else(|| FieldError::new("year", "err-year"))?;
    if owner_type == "report" && owner.month.is_none() {
        return Err(FieldError::new("month", "err-month").into());
    }
    let name = sanitize_name(&original, stored.kind);
    let charset = stored.charset.map(|c| {
        serde_json::to_value(c)
            .ok()
            .and_then(|v| v.as_str().map(str::to_string))
            .unwrap_or_default()
    });
    let id = evidence::add(
        &state.db,
        &ctx.actor(),
        state.clock.now(),
        &NewEvidence {
            society_id: society.id,
            society_code: &society.code,
            sha256: &stored.sha256,
            size: stored.size as i64,
            kind: stored.kind.as_str(),
            charset: charset.as_deref(),
            name: &name,
            owner_type: &owner_type,
            year,
            month: owner.month,
            task: owner.task,
            field: owner.field.as_deref(),
        },
    )
    .await?;
    let back = if owner.back.is_empty() || owner.back == "/" {
        format!("/societies/{}", society.code)
    } else {
        owner.back
    };
    Ok((id, back))
}

/// Page form upload: redirects back with a flash message.
pub async fn upload(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(code): Path<String>,
    form: Multipart,
) -> AppResult<Response> {
    let (_, back) = upload_inner(&state, &ctx, &code, form).await?;
    Ok(see_other(&back, "uploaded"))
}

/// API upload: answers with the evidence record.
pub async fn upload_api(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(code): Path<String>,
    form: Multipart,
) -> AppResult<Response> {
    let (id, _) = upload_inner(&state, &ctx, &code, form).await?;
    let e = evidence::by_id(&state.db, id)
        .await?
        .ok_or(AppError::NotFound)?;
    Ok((http::StatusCode::CREATED, axum::Json(e)).into_response())
}

/// Download: allowed for whoever may read the owning society (others: 404), always as an
/// attachment with nosniff and a sandboxing CSP.
pub async fn download(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
) -> AppResult<Response> {
    ctx.user()?;
    let id: i64 = id.parse().map_err(|_| AppError::NotFound)?;
    let e = evidence::by_id(&state.db, id)
        .await?
        .ok_or(AppError::NotFound)?;
    ctx.require(Action::ReadSociety, Some(e.society_id))?;
    let kind: Kind = serde_json::from_value(serde_json::Value::String(e.kind.clone()))
        .map_err(|_| AppError::Internal(anyhow::anyhow!("bad stored kind {}", e.kind)))?;
    let file = store(&state)?
        .open_read(&e.sha256)
        .await
        .map_err(|err| file_error(err, 0))?;
    let body = Body::from_stream(tokio_util::io::ReaderStream::new(file));
    let mut resp = body.into_response();
    let h = resp.headers_mut();
    let set = |h: &mut http::HeaderMap, k: http::HeaderName, v: &str| {
        if let Ok(v) = http::HeaderValue::from_str(v) {
            h.insert(k, v);
        }
    };
    let charset: Option<reformwatch_files::Charset> = e
        .charset
        .as_deref()
        .and_then(|c| serde_json::from_value(serde_json::Value::String(c.to_string())).ok());
    set(h, CONTENT_TYPE, kind.mime_for(charset));
    set(h, CONTENT_LENGTH, &e.size.to_string());
    set(h, CONTENT_DISPOSITION, &content_disposition(&e.name));
    set(h, X_CONTENT_TYPE_OPTIONS, "nosniff");
    set(h, CONTENT_SECURITY_POLICY, "sandbox; default-src 'none'");
    set(h, CACHE_CONTROL, "private, no-store");
    Ok(resp)
}

/// Withdraws an evidence file (its society's editors and administrators; a locked month's
/// report evidence cannot be withdrawn).
pub async fn remove(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
    axum::Form(form): axum::Form<RemoveForm>,
) -> AppResult<Response> {
    ctx.user()?;
    let id: i64 = id.parse().map_err(|_| AppError::NotFound)?;
    let e = evidence::by_id(&state.db, id)
        .await?
        .ok_or(AppError::NotFound)?;
    ctx.require(Action::ReadSociety, Some(e.society_id))?;
    ctx.require(Action::EditSocietyData, Some(e.society_id))?;
    if let Some(month) = e.month
        && !crate::db::reports::is_open(&state.db, e.society_id, e.year, month).await?
    {
        return Err(FieldError::new("month", "err-month-locked")
            .arg("month", format!("{}-{month:02}", e.year))
            .into());
    }
    let society = crate::db::societies::by_id(&state.db, e.society_id)
        .await?
        .ok_or(AppError::NotFound)?;
    evidence::remove(
        &state.db,
        &ctx.actor(),
        state.clock.now(),
        &e,
        &society.code,
    )
    .await?;
    let back = super::page::safe_next(&form.back);
    Ok(see_other(if back == "/" { "/" } else { &back }, "saved"))
}

#[derive(serde::Deserialize)]
pub struct RemoveForm {
    #[serde(default)]
    back: String,
}

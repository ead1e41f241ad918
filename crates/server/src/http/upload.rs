//! Multipart uploads shared by pages and API: one small file read whole (imports, catalogue
//! files), and an evidence form whose file is streamed into the store.

use axum::extract::Multipart;
use futures_util::TryStreamExt;
use reformwatch_files::Stored;

use crate::AppState;
use crate::db::societies::Society;
use crate::error::{AppError, AppResult};
use crate::model::FieldError;
use crate::principal::Principal;
use crate::service::evidence::{self, Owner};

/// Reads the one uploaded file of a multipart form: (file name, bytes).
pub async fn read_upload(
    mut form: Multipart,
    field: &str,
    max_bytes: usize,
) -> AppResult<Option<(String, Vec<u8>)>> {
    while let Some(mut part) = form
        .next_field()
        .await
        .map_err(|_| AppError::PayloadTooLarge)?
    {
        if part.name() != Some(field) {
            continue;
        }
        let name = part.file_name().unwrap_or("upload").to_string();
        let mut bytes = Vec::new();
        while let Some(chunk) = part.chunk().await.map_err(|_| AppError::PayloadTooLarge)? {
            if bytes.len() + chunk.len() > max_bytes {
                return Err(AppError::PayloadTooLarge);
            }
            bytes.extend_from_slice(&chunk);
        }
        if bytes.is_empty() {
            return Ok(None);
        }
        return Ok(Some((name, bytes)));
    }
    Ok(None)
}

/// Longest text part of an evidence form (owner type, year, month, task, fact name, return
/// path), bytes.
pub const MAX_TEXT_PART: usize = 512;

/// An evidence upload as the form sends it: what the file evidences, where to go back to, and
/// the stored file with its original name.
pub struct EvidenceUpload {
    pub owner: Owner,
    /// A local path to return to (pages).
    pub back: String,
    pub stored: Stored,
    pub original_name: String,
}

/// Reads an evidence form: small text fields first (the form puts them before the file), then
/// the file streamed into the store within the society's limit and quota.
pub async fn receive_evidence(
    state: &AppState,
    who: &Principal,
    society: &Society,
    form: Multipart,
) -> AppResult<EvidenceUpload> {
    let mut back = String::new();
    receive_evidence_back(state, who, society, form, &mut back).await
}

/// [`receive_evidence`], keeping the return path (`back`) read so far, so that a page's refused
/// upload can go back to the form it came from.
pub async fn receive_evidence_back(
    state: &AppState,
    who: &Principal,
    society: &Society,
    mut form: Multipart,
    back: &mut String,
) -> AppResult<EvidenceUpload> {
    let limit = evidence::upload_limit(state, who, society).await?;
    let mut owner = Owner::default();
    while let Some(field) = form
        .next_field()
        .await
        .map_err(|e| FieldError::new("file", "err-upload").arg("detail", e.body_text()))?
    {
        let name = field.name().unwrap_or("").to_string();
        if name == "file" {
            let original_name = field.file_name().unwrap_or("file").to_string();
            let stream = field.map_err(|e| e.body_text());
            let stored = evidence::put(state, Box::pin(stream), limit).await?;
            return Ok(EvidenceUpload {
                owner,
                back: back.clone(),
                stored,
                original_name,
            });
        }
        // Issue 9 finding 5: a text part is read only up to its limit, never whole.
        let mut field = field;
        let mut bytes = Vec::new();
        while let Some(chunk) = field
            .chunk()
            .await
            .map_err(|e| FieldError::new(&name, "err-upload").arg("detail", e.body_text()))?
        {
            if bytes.len() + chunk.len() > MAX_TEXT_PART {
                return Err(FieldError::new(&name, "err-too-long")
                    .arg("max", MAX_TEXT_PART)
                    .into());
            }
            bytes.extend_from_slice(&chunk);
        }
        let value = String::from_utf8(bytes)
            .map_err(|_| FieldError::new(&name, "err-upload").arg("detail", "UTF-8"))?;
        let v = value.trim().to_string();
        match name.as_str() {
            "owner_type" => owner.owner_type = v,
            "year" => owner.year = v.parse().ok(),
            "month" => owner.month = v.parse().ok().filter(|m| (1..=12).contains(m)),
            "task" => owner.task = v.parse().ok(),
            "field" => owner.field = Some(v).filter(|s| !s.is_empty()),
            "back" => *back = super::page::safe_next(&v),
            _ => {}
        }
    }
    Err(FieldError::new("file", "err-no-file").into())
}

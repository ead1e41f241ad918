//! The one application error. The web layer renders it as an HTML page or re-rendered form,
//! the API as the JSON envelope `{"errors":[{"code","message","field"}]}`. Internal details are
//! logged, never sent to the client.

use crate::model::{FieldError, FieldErrors};

#[derive(Debug, thiserror::Error)]
pub enum AppError {
    #[error("not found")]
    NotFound,
    #[error("login required")]
    Unauthorized,
    #[error("forbidden")]
    Forbidden,
    #[error("invalid input")]
    Invalid(FieldErrors),
    #[error("too many attempts")]
    TooManyRequests { retry_after_secs: u64 },
    /// Too many heavy requests running at once in this process (issue 8): 503 with
    /// `Retry-After`.
    #[error("server busy")]
    Busy { retry_after_secs: u64 },
    #[error("request refused by CSRF protection")]
    CsrfRejected,
    #[error("payload too large")]
    PayloadTooLarge,
    /// An upload over a stated limit (bytes), or a society over its storage quota.
    #[error("file too large")]
    FileTooLarge { limit: u64, quota: bool },
    /// A stored row that does not decode: named, never replaced by an empty default (the
    /// detail is logged, not shown).
    #[error("stored {what_en} is unreadable: {detail}")]
    Unreadable {
        what_zh: String,
        what_en: String,
        detail: String,
    },
    #[error("internal error: {0:#}")]
    Internal(#[from] anyhow::Error),
}

impl From<sqlx::Error> for AppError {
    fn from(e: sqlx::Error) -> Self {
        AppError::Internal(e.into())
    }
}

impl From<FieldError> for AppError {
    fn from(e: FieldError) -> Self {
        AppError::Invalid(vec![e])
    }
}

impl From<FieldErrors> for AppError {
    fn from(e: FieldErrors) -> Self {
        AppError::Invalid(e)
    }
}

pub type AppResult<T> = Result<T, AppError>;

impl AppError {
    /// A stored row named `what` (both languages) whose content does not decode.
    pub fn unreadable(what_zh: String, what_en: String, detail: impl std::fmt::Display) -> Self {
        AppError::Unreadable {
            what_zh,
            what_en,
            detail: detail.to_string(),
        }
    }
}

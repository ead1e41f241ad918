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
    /// A JSON endpoint got a body that is not `application/json` (issue 9 finding 9).
    #[error("unsupported media type")]
    UnsupportedMediaType,
    /// A method the URL does not answer (e.g. a PUT on a page): 405 with `Allow`, as a page in
    /// the user's language or the JSON envelope, never an empty answer (issue 10).
    #[error("method not allowed")]
    MethodNotAllowed,
    /// The database is busy (SQLite busy/locked, PostgreSQL lock or statement timeout, no
    /// free connection): 503 with Retry-After, not 500 (issue 9).
    #[error("database busy: {0}")]
    DbBusy(String),
    #[error("internal error: {0:#}")]
    Internal(#[from] anyhow::Error),
}

impl From<sqlx::Error> for AppError {
    fn from(e: sqlx::Error) -> Self {
        if is_busy(&e) {
            return AppError::DbBusy(e.to_string());
        }
        AppError::Internal(e.into())
    }
}

/// Whether a database error means "busy, try again shortly": SQLite `SQLITE_BUSY` /
/// `SQLITE_LOCKED` (codes 5, 6 and their extended codes), PostgreSQL lock_not_available
/// (55P03), query_canceled by a statement or lock timeout (57014), too many connections
/// (53300), or no pooled connection within the acquire timeout.
pub fn is_busy(e: &sqlx::Error) -> bool {
    match e {
        sqlx::Error::PoolTimedOut => true,
        sqlx::Error::Database(db) => {
            let code = db.code();
            let code = code.as_deref().unwrap_or("");
            let sqlite_busy = code.parse::<i64>().is_ok_and(|c| matches!(c & 0xff, 5 | 6));
            sqlite_busy
                || matches!(code, "55P03" | "57014" | "53300")
                || db.message().contains("database is locked")
        }
        _ => false,
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

//! Safe storage of uploaded evidence files (佐证材料), SPEC R-TRACK-4.
//!
//! - The type is decided by the **content**, never by the name: PDF, PNG, JPEG, docx, xlsx,
//!   CSV, plain text (UTF-8 or GB18030/GBK). Everything else is refused with a specific message
//!   ([`FileError::message_zh`], [`FileError::message_en`]). See [`sniff`](crate::sniff()) for
//!   the rules.
//! - Uploads are **streamed** to a temp file while hashed (SHA-256) and counted, and stop at the
//!   size limit; nothing is held whole in memory.
//! - Files are stored **once per content** under a server-generated name (their SHA-256) in a
//!   directory outside any served folder ([`Store`]); user file names never touch the disk.
//! - User file names are only for display and download: [`sanitize_name`] and
//!   [`content_disposition`].
//!
//! Serving downloads: `Content-Type` from [`Stored::content_type`] (or [`Kind::mime_for`]),
//! `Content-Disposition` from [`content_disposition`], and `X-Content-Type-Options: nosniff`.

mod error;
mod kind;
mod names;
mod sniff;
mod store;

pub use error::FileError;
pub use kind::{Charset, Kind, UnknownKind};
pub use names::{MAX_NAME_CHARS, content_disposition, sanitize_name};
pub use sniff::{SNIFF_LEN, sniff};
pub use store::{Store, Stored};

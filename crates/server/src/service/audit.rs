//! The audit trail for administrators (R-X-2): browse with filters, verify the hash chain.

use crate::AppState;
use crate::auth::policy::Action;
use crate::db::audit::{self, AuditEntry, AuditFilter, Broken};
use crate::error::AppResult;
use crate::principal::Principal;

/// Entries, newest first, one page at a time.
pub async fn list(
    state: &AppState,
    who: &Principal,
    filter: &AuditFilter,
) -> AppResult<Vec<AuditEntry>> {
    who.require(Action::ReadAudit, None)?;
    Ok(audit::list(&state.db, filter).await?)
}

/// How many entries match a filter.
pub async fn count(state: &AppState, who: &Principal, filter: &AuditFilter) -> AppResult<i64> {
    who.require(Action::ReadAudit, None)?;
    Ok(audit::count(&state.db, filter).await?)
}

/// Entries, newest first, `limit` after skipping `offset` (the web page's numbered pages).
pub async fn page(
    state: &AppState,
    who: &Principal,
    filter: &AuditFilter,
    offset: i64,
    limit: i64,
) -> AppResult<Vec<AuditEntry>> {
    who.require(Action::ReadAudit, None)?;
    Ok(audit::list_page(&state.db, filter, offset, limit).await?)
}

/// Ok(number of entries) when the chain and its signed head checkpoint are intact, else the
/// first problem found (issue 9 finding 6).
pub async fn verify(state: &AppState, who: &Principal) -> AppResult<Result<i64, Broken>> {
    who.require(Action::ReadAudit, None)?;
    Ok(audit::verify_all(&state.db).await?)
}

/// The audit trail's signed head checkpoint (sequence number, hash, HMAC), as printed by
/// `reformwatch audit head` and published with bulletins. Public by design: it reveals no
/// entry, only lets anyone holding an earlier copy detect truncation or rewriting.
pub async fn head(state: &AppState) -> AppResult<Option<audit::Head>> {
    Ok(audit::head(&state.db).await?)
}

/// One line for people: `#seq hash hmac-sha256:mac`.
pub fn head_line(head: &audit::Head) -> String {
    format!("#{} {} hmac-sha256:{}", head.seq, head.hash, head.mac)
}

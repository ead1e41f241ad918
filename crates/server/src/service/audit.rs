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

/// Ok(number of entries) when the chain is intact, else the first broken entry.
pub async fn verify(state: &AppState, who: &Principal) -> AppResult<Result<i64, Broken>> {
    who.require(Action::ReadAudit, None)?;
    Ok(audit::verify(&state.db).await?)
}

//! The audit trail for administrators (R-X-2), newest first, 100 per page.

use axum::Json;
use axum::extract::{Query, State};
use axum::response::{IntoResponse, Response};

use crate::auth::policy::Action;
use crate::db::audit::{self, AuditEntry, AuditFilter};
use crate::error::AppResult;
use crate::web::{AppState, Ctx};

#[utoipa::path(get, path = "/api/v1/audit", tag = "audit", params(AuditFilter), responses((status = 200, body = Vec<AuditEntry>)), security(("bearer" = [])))]
pub async fn list(
    State(state): State<AppState>,
    ctx: Ctx,
    Query(filter): Query<AuditFilter>,
) -> AppResult<Response> {
    ctx.require(Action::ReadAudit, None)?;
    Ok(Json(audit::list(&state.db, &filter).await?).into_response())
}

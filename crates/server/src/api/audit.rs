//! The audit trail for administrators (R-X-2), newest first, 100 per page.

use axum::Json;
use axum::extract::{Query, State};
use axum::response::{IntoResponse, Response};

use crate::AppState;
use crate::db::audit::{AuditEntry, AuditFilter};
use crate::error::AppResult;
use crate::http::Ctx;

#[utoipa::path(get, path = "/api/v1/audit", tag = "audit", params(AuditFilter), responses((status = 200, body = Vec<AuditEntry>)), security(("bearer" = [])))]
pub async fn list(
    State(state): State<AppState>,
    ctx: Ctx,
    Query(filter): Query<AuditFilter>,
) -> AppResult<Response> {
    Ok(Json(crate::service::audit::list(&state, &ctx.principal(), &filter).await?).into_response())
}

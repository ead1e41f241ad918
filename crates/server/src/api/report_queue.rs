//! The reviewers' queue of monthly reports in the API (issue 10): the same filters as the page
//! `/reviews/reports`, every matching row.

use axum::Json;
use axum::extract::{Query, State};
use axum::response::{IntoResponse, Response};

use crate::AppState;
use crate::error::AppResult;
use crate::http::Ctx;
use crate::service::report_queue::{self as service, QueueEntry, ReportQueueQuery};

/// Monthly reports for reviewers: by default those submitted and not reviewed yet, the longest
/// waiting first; filtered by month, status, discipline group and days waited (staff).
#[utoipa::path(get, path = "/api/v1/reports/queue", tag = "tracking", params(ReportQueueQuery),
    responses((status = 200, body = Vec<QueueEntry>)), security(("bearer" = [])))]
pub async fn queue(
    State(state): State<AppState>,
    ctx: Ctx,
    Query(q): Query<ReportQueueQuery>,
) -> AppResult<Response> {
    let queue = service::queue(&state, &ctx.principal(), &q).await?;
    Ok(Json(queue.entries).into_response())
}

//! The application layer: one module per capability. A service function takes the state and
//! the acting [`Principal`](crate::Principal), orchestrates the store, the domain core, the
//! audit trail and notifications, and returns typed data. Pages (`web/`) and the JSON API
//! (`api/`) are thin siblings above it; nothing here imports either of them or `http/`.

pub mod accounts;
pub mod assessment;
pub mod assessment_results;
pub mod audit;
pub mod bulletins;
pub mod catalogues;
pub mod dashboard;
pub mod demo;
pub mod evidence;
pub mod facts;
pub mod housekeeping;
pub mod judgements;
pub mod limits;
pub mod notifications;
pub mod overview;
pub mod people;
pub mod plans;
pub mod progress;
pub mod rates;
pub mod report_queue;
pub mod reports;
pub mod societies;
pub mod years;

/// Whether the database answers (the health check).
pub async fn healthy(state: &crate::AppState) -> bool {
    match state.db.ping().await {
        Ok(()) => true,
        Err(e) => {
            tracing::error!(error = %e, "health check failed");
            false
        }
    }
}

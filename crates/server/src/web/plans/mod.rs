//! Reform and rectification plan pages (R-PLAN-1..5), by feature: the society's editor with
//! live validation and submission (`edit`), the reviewer's decision and the request for a
//! rectification plan (`review`), version comparison (`compare`), the reviewer queue and the
//! overview with its export (`queue`), deadlines (`deadlines`). `form` maps the editor's form.

pub mod compare;
pub mod deadlines;
pub mod edit;
pub mod form;
pub mod queue;
pub mod review;

use reformwatch_core::plan::{PlanIssue, PlanState};
use serde::Deserialize;

use crate::db::plans::{Deadline, PlanKind};
use crate::error::{AppError, AppResult};
use crate::i18n::T;

#[derive(Deserialize, Default)]
pub struct PlanQuery {
    #[serde(default)]
    pub kind: Option<String>,
    #[serde(default)]
    pub done: Option<String>,
    #[serde(default)]
    pub a: Option<i64>,
    #[serde(default)]
    pub b: Option<i64>,
    /// "Add row" without JavaScript: the list that gets one more empty row (issue 10).
    #[serde(default)]
    pub add: Option<String>,
}

/// `?kind=` (reform by default); anything else is 404.
pub fn kind_of(q: &PlanQuery) -> AppResult<PlanKind> {
    PlanKind::parse(q.kind.as_deref()).ok_or(AppError::NotFound)
}

pub fn state_label(t: &T, s: PlanState) -> String {
    t.pick(s.label_zh(), s.label_en()).to_string()
}

/// Issues for the page: (blocking, task, message), blocking first.
pub fn issue_rows(t: &T, issues: &[PlanIssue]) -> Vec<(bool, Option<u32>, String)> {
    let mut rows: Vec<_> = issues
        .iter()
        .map(|i| {
            (
                i.blocking,
                i.task,
                t.pick(&i.message_zh, &i.message_en).to_string(),
            )
        })
        .collect();
    rows.sort_by_key(|r| !r.0);
    rows
}

/// "2017-05-22 23:59 (北京时间)".
pub fn deadline_text(t: &T, d: &Deadline) -> String {
    // Beijing time to the minute, whatever zone the deadline was set in (issue 10).
    format!(
        "{} ({})",
        crate::present::beijing_text(&d.utc),
        t.t("beijing-time")
    )
}

/// A urlencoded form body as pairs; repeated keys (checkboxes) are kept in order.
pub fn form_pairs(body: &[u8]) -> Vec<(String, String)> {
    url::form_urlencoded::parse(body).into_owned().collect()
}

/// The page of a society's plan of a kind.
pub fn link(code: &str, year: i32, kind: PlanKind) -> String {
    format!("/societies/{code}/plans/{year}?kind={}", kind.as_str())
}

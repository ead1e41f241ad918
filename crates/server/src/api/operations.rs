//! Page operations that had no API yet (issue 10, "every operation a page can do is in the
//! JSON API too"): a society's election flag, month locks and exceptions, the society import,
//! and the comparison of two plan versions. Each calls the same service function as its page.

use axum::Json;
use axum::body::Bytes;
use axum::extract::{Path, Query, State};
use axum::response::{IntoResponse, Response};
use http::HeaderMap;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::parse_json;
use crate::AppState;
use crate::db::plans::PlanKind;
use crate::db::societies::Society;
use crate::error::{AppError, AppResult};
use crate::http::Ctx;
use crate::http::extract::SocietyYear;
use crate::i18n::{Lang, T};
use crate::import::{ImportError, parse_societies};
use crate::model::FieldError;
use crate::service;

#[derive(Deserialize, ToSchema)]
pub struct ElectionRequest {
    /// The year, e.g. 2017.
    pub year: i32,
    /// Whether the society elects its council in that year (换届年度).
    pub election_year: bool,
}

/// Sets whether a society elects its council in a year (administrators; the society page's
/// 换届年度 form).
#[utoipa::path(put, path = "/api/v1/societies/{code}/election", tag = "societies", params(("code" = String, Path)), request_body = ElectionRequest,
    responses((status = 200, body = Society), (status = 404, body = crate::api::ApiErrors), (status = 422, body = crate::api::ApiErrors)), security(("bearer" = [])))]
pub async fn set_election(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(code): Path<String>,
    body: Bytes,
) -> AppResult<Response> {
    let req: ElectionRequest = parse_json(&body)?;
    let s = service::societies::set_election(
        &state,
        &ctx.principal(),
        &code,
        &req.year.to_string(),
        req.election_year,
    )
    .await?;
    Ok(Json(s).into_response())
}

#[derive(Deserialize, ToSchema)]
pub struct LockRequest {
    /// `true` locks the month's reports, `false` unlocks them.
    pub locked: bool,
}

#[derive(Deserialize, ToSchema)]
pub struct ExceptionRequest {
    /// The society's code, e.g. `A-03`.
    pub society: String,
}

/// A month after a lock change or an exception.
#[derive(Serialize, ToSchema)]
pub struct MonthState {
    pub year: i32,
    pub month: u32,
    pub locked: bool,
}

async fn month_state(
    state: &AppState,
    m: reformwatch_core::tracking::Month,
) -> AppResult<Response> {
    let locked = service::reports::locked_months(state, m.year).await?;
    Ok(Json(MonthState {
        year: m.year,
        month: m.month,
        locked: locked.contains(&m.month),
    })
    .into_response())
}

/// Locks or unlocks a month's reports (administrators; the rates page's month-lock form,
/// R-TRACK-2). An unknown year or month is 404.
#[utoipa::path(put, path = "/api/v1/months/{year}/{month}", tag = "reports", params(("year" = i32, Path), ("month" = u32, Path)), request_body = LockRequest,
    responses((status = 200, body = MonthState), (status = 404, body = crate::api::ApiErrors), (status = 422, body = crate::api::ApiErrors)), security(("bearer" = [])))]
pub async fn set_lock(
    State(state): State<AppState>,
    ctx: Ctx,
    Path((year, month)): Path<(String, String)>,
    body: Bytes,
) -> AppResult<Response> {
    let req: LockRequest = parse_json(&body)?;
    let catalogue = service::catalogues::get(&state, Some(&year)).await?;
    let m = service::reports::set_lock(&state, &ctx.principal(), &catalogue, &month, req.locked)
        .await?;
    month_state(&state, m).await
}

/// Lets one society change its report of a locked month (administrators; the rates page's
/// exception form). An unknown society is 422 at `society`.
#[utoipa::path(post, path = "/api/v1/months/{year}/{month}/exceptions", tag = "reports", params(("year" = i32, Path), ("month" = u32, Path)), request_body = ExceptionRequest,
    responses((status = 200, body = MonthState), (status = 404, body = crate::api::ApiErrors), (status = 422, body = crate::api::ApiErrors)), security(("bearer" = [])))]
pub async fn grant_exception(
    State(state): State<AppState>,
    ctx: Ctx,
    Path((year, month)): Path<(String, String)>,
    body: Bytes,
) -> AppResult<Response> {
    let req: ExceptionRequest = parse_json(&body)?;
    let catalogue = service::catalogues::get(&state, Some(&year)).await?;
    let m = service::reports::grant_exception(
        &state,
        &ctx.principal(),
        &catalogue,
        &month,
        &req.society,
    )
    .await?;
    month_state(&state, m).await
}

/// What an import did.
#[derive(Serialize, ToSchema)]
pub struct ImportDone {
    pub created: usize,
    pub updated: usize,
    pub unchanged: usize,
}

/// Imports societies from a CSV or xlsx file sent as the body (`Content-Type: text/csv` or the
/// xlsx type; administrators; the page *导入学会*): all rows or none. A refused file is 422 with
/// one error per problem, `field` = `row N · COLUMN` (the row as Excel counts it, the column as
/// the file heads it).
#[utoipa::path(post, path = "/api/v1/societies/import", tag = "societies",
    request_body(content = String, content_type = "text/csv", description = "The file: CSV (UTF-8, UTF-8 with BOM or GB18030) or xlsx (application/vnd.openxmlformats-officedocument.spreadsheetml.sheet)"),
    responses((status = 200, body = ImportDone), (status = 413, body = crate::api::ApiErrors), (status = 415, body = crate::api::ApiErrors), (status = 422, body = crate::api::ApiErrors)), security(("bearer" = [])))]
pub async fn import_societies(
    State(state): State<AppState>,
    ctx: Ctx,
    headers: HeaderMap,
    body: Bytes,
) -> AppResult<Response> {
    let who = ctx.principal();
    who.require(crate::auth::policy::Action::ManageSocieties, None)?;
    let ct = headers
        .get(http::header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("")
        .to_ascii_lowercase();
    let name = if ct.starts_with("text/csv") {
        "import.csv"
    } else if ct.starts_with("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet") {
        "import.xlsx"
    } else {
        return Err(AppError::UnsupportedMediaType);
    };
    if body.len() > 10 * 1024 * 1024 {
        return Err(AppError::PayloadTooLarge);
    }
    let rows = match parse_societies(name, &body) {
        Ok(rows) => rows,
        Err(ImportError::Rows(rows)) => {
            return Err(AppError::Invalid(
                rows.into_iter()
                    .map(|r| FieldError {
                        field: format!("row {} · {}", r.line, r.column),
                        ..r.error
                    })
                    .collect(),
            ));
        }
        Err(e) => {
            let (zh, en) = (e.message(&T::new(Lang::Zh)), e.message(&T::new(Lang::En)));
            return Err(FieldError::localized("file", "err-import-file", zh, en).into());
        }
    };
    let done = service::societies::import(&state, &who, &rows).await?;
    Ok(Json(ImportDone {
        created: done.created,
        updated: done.updated,
        unchanged: done.unchanged,
    })
    .into_response())
}

#[derive(Deserialize, Default)]
pub struct DiffQuery {
    /// `reform` (default) or `rectification`.
    #[serde(default)]
    pub kind: Option<String>,
    /// The older version (default: the one before `b`; 0: an empty plan).
    #[serde(default)]
    pub a: Option<i64>,
    /// The newer version (default: the latest).
    #[serde(default)]
    pub b: Option<i64>,
}

/// One changed field: its path (`targets[0].target`), its label in the caller's language
/// ("目标 1 · 目标值") and both values.
#[derive(Serialize, ToSchema)]
pub struct FieldDiff {
    pub field: String,
    pub label: String,
    pub before: String,
    pub after: String,
}

/// One task's changes (task 0: the plan's summary; rectification plans: one entry).
#[derive(Serialize, ToSchema)]
pub struct TaskDiffView {
    pub task: u32,
    /// `added`, `removed`, `changed` or `unchanged`.
    pub change: String,
    pub details: Vec<FieldDiff>,
}

/// Two versions of a plan compared (the page *版本对比*).
#[derive(Serialize, ToSchema)]
pub struct PlanDiff {
    pub a: i64,
    pub b: i64,
    pub changes: Vec<TaskDiffView>,
}

/// What changed between two submitted versions of a plan (R-PLAN-4), task by task.
#[utoipa::path(get, path = "/api/v1/societies/{code}/plans/{year}/diff", tag = "plans",
    params(("code" = String, Path), ("year" = i32, Path), ("kind" = Option<String>, Query), ("a" = Option<i64>, Query), ("b" = Option<i64>, Query)),
    responses((status = 200, body = PlanDiff), (status = 404, body = crate::api::ApiErrors), (status = 422, body = crate::api::ApiErrors)), security(("bearer" = [])))]
pub async fn plan_diff(
    State(state): State<AppState>,
    ctx: Ctx,
    sy: SocietyYear,
    Query(q): Query<DiffQuery>,
) -> AppResult<Response> {
    let kind = PlanKind::parse(q.kind.as_deref()).ok_or(AppError::NotFound)?;
    let t = ctx.t();
    let c = service::plans::compare(&state, &sy.society, sy.catalogue.year, kind, q.a, q.b).await?;
    Ok(Json(PlanDiff {
        a: c.a,
        b: c.b,
        changes: c
            .changes
            .into_iter()
            .map(|d| TaskDiffView {
                task: d.task,
                change: d.change.as_str().to_string(),
                details: d
                    .details
                    .into_iter()
                    .map(|f| FieldDiff {
                        label: crate::present::diff_field(&t, &f.field),
                        field: f.field,
                        before: f.before,
                        after: f.after,
                    })
                    .collect(),
            })
            .collect(),
    })
    .into_response())
}

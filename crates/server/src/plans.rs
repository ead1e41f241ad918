//! Reform and rectification plans (R-PLAN-1..5): the orchestration shared by pages and API.
//! Validation, the state machine, lateness and target proposals live in the domain core
//! (`reformwatch_core::plan`); this module loads, checks, stores and notifies.

use std::collections::BTreeMap;

use reformwatch_core::catalogue::Catalogue;
use reformwatch_core::plan::{self, PlanAction, PlanContent, PlanIssue, RectificationContent};
use serde::Serialize;
use serde_json::Value;

use crate::db::plans::{self as store, Deadline, PlanKind, PlanRow, ReviewRow, VersionRow};
use crate::db::societies::{self, Society};
use crate::error::{AppError, AppResult};
use crate::model::FieldError;
use crate::notify;
use crate::web::{AppState, Ctx};

/// Everything a page or API response shows about one plan.
#[derive(Serialize, utoipa::ToSchema)]
pub struct PlanView {
    pub plan: PlanRow,
    #[schema(value_type = Vec<Object>)]
    pub issues: Vec<PlanIssue>,
    pub submittable: bool,
    pub versions: Vec<VersionRow>,
    pub reviews: Vec<ReviewRow>,
    pub deadline: Option<Deadline>,
    /// Lateness of the first submission, e.g. "迟交 2 天" / "2 days late".
    pub late_zh: Option<String>,
    pub late_en: Option<String>,
}

pub fn transition_error(e: plan::TransitionError) -> AppError {
    AppError::Invalid(vec![FieldError::localized(
        "state",
        "err-plan-state",
        e.message_zh,
        e.message_en,
    )])
}

/// The blocking issues of a plan or report as one input error, each with its bilingual message;
/// codes are prefixed with `prefix` (`plan`, `report`).
pub(crate) fn issues_error(prefix: &str, issues: &[PlanIssue]) -> AppError {
    AppError::Invalid(
        issues
            .iter()
            .filter(|i| i.blocking)
            .map(|i| {
                FieldError::localized(
                    &i.field.clone().unwrap_or_else(|| {
                        i.task
                            .map(|t| format!("task-{t}"))
                            .unwrap_or_else(|| prefix.into())
                    }),
                    &format!("{prefix}-{}", i.code),
                    i.message_zh.clone(),
                    i.message_en.clone(),
                )
            })
            .collect(),
    )
}

/// Parses draft JSON of the given kind (unknown fields are errors naming the field).
pub fn parse_content(kind: PlanKind, value: &Value) -> Result<Value, AppError> {
    let text = value.to_string();
    let bytes = axum::body::Bytes::from(text);
    match kind {
        PlanKind::Reform => {
            let c: PlanContent = crate::api::parse_json(&bytes)?;
            Ok(serde_json::to_value(c).map_err(|e| AppError::Internal(e.into()))?)
        }
        PlanKind::Rectification => {
            let c: RectificationContent = crate::api::parse_json(&bytes)?;
            Ok(serde_json::to_value(c).map_err(|e| AppError::Internal(e.into()))?)
        }
    }
}

pub fn issues_of(
    kind: PlanKind,
    catalogue: &Catalogue,
    election_year: bool,
    draft: &Value,
) -> Vec<PlanIssue> {
    match kind {
        PlanKind::Reform => {
            let c: PlanContent = serde_json::from_value(draft.clone()).unwrap_or_default();
            plan::validate(catalogue, election_year, &c)
        }
        PlanKind::Rectification => {
            let c: RectificationContent = serde_json::from_value(draft.clone()).unwrap_or_default();
            plan::validate_rectification(&c)
        }
    }
}

pub async fn election_year(state: &AppState, society: &Society, year: i32) -> AppResult<bool> {
    Ok(societies::election_flag(&state.db, society.id, year)
        .await?
        .unwrap_or(false))
}

pub async fn view(
    state: &AppState,
    society: &Society,
    catalogue: &Catalogue,
    plan: PlanRow,
) -> AppResult<PlanView> {
    let election = election_year(state, society, catalogue.year).await?;
    let issues = issues_of(plan.kind, catalogue, election, &plan.draft);
    let deadline = if plan.kind == PlanKind::Reform {
        Some(store::plan_deadline(&state.db, catalogue).await?.1)
    } else {
        None
    };
    let (late_zh, late_en) = match plan.first_late_seconds {
        Some(s) => {
            let (zh, en) = plan::lateness_text(chrono::Duration::seconds(s));
            (Some(zh), Some(en))
        }
        None => (None, None),
    };
    Ok(PlanView {
        submittable: plan::is_submittable(&issues),
        issues,
        versions: store::versions(&state.db, plan.id).await?,
        reviews: store::reviews(&state.db, plan.id).await?,
        deadline,
        late_zh,
        late_en,
        plan,
    })
}

pub async fn load(
    state: &AppState,
    society: &Society,
    year: i32,
    kind: PlanKind,
) -> AppResult<PlanRow> {
    store::get(&state.db, society.id, year, kind)
        .await?
        .ok_or(AppError::NotFound)
}

/// Opens the society's reform plan for a year: pre-filled with the mandatory tasks, or copied
/// from last year's latest submitted version (targets kept for editing).
pub async fn open(
    state: &AppState,
    ctx: &Ctx,
    society: &Society,
    catalogue: &Catalogue,
    copy: bool,
) -> AppResult<()> {
    let election = election_year(state, society, catalogue.year).await?;
    let content = if copy {
        let previous = store::get(&state.db, society.id, catalogue.year - 1, PlanKind::Reform)
            .await?
            .ok_or_else(|| FieldError::new("copy", "err-no-previous-plan"))?;
        let versions = store::versions(&state.db, previous.id).await?;
        let source = versions
            .last()
            .map(|v| v.content.clone())
            .unwrap_or(previous.draft);
        let prev: PlanContent = serde_json::from_value(source).unwrap_or_default();
        plan::copy_for_year(&prev, catalogue, election)
    } else {
        plan::new_plan(catalogue, election)
    };
    let draft = serde_json::to_value(content).map_err(|e| AppError::Internal(e.into()))?;
    store::create(
        &state.db,
        &ctx.actor(),
        state.clock.now(),
        &store::NewPlan {
            society_id: society.id,
            society_code: &society.code,
            year: catalogue.year,
            kind: PlanKind::Reform,
            draft: &draft,
            request_reason: None,
        },
    )
    .await
}

/// A reviewer asks a society for a rectification plan (R-PLAN-5).
pub async fn request_rectification(
    state: &AppState,
    ctx: &Ctx,
    society: &Society,
    year: i32,
    reason: &str,
) -> AppResult<()> {
    let reason = crate::model::text(reason, "reason", 2000, true)?;
    let draft = serde_json::to_value(RectificationContent::default())
        .map_err(|e| AppError::Internal(e.into()))?;
    store::create(
        &state.db,
        &ctx.actor(),
        state.clock.now(),
        &store::NewPlan {
            society_id: society.id,
            society_code: &society.code,
            year,
            kind: PlanKind::Rectification,
            draft: &draft,
            request_reason: Some(&reason),
        },
    )
    .await?;
    notify::society(
        state,
        society,
        "rectification-requested",
        &format!("rect-req/{}/{year}", society.code),
        &link(society, year, PlanKind::Rectification),
    )
    .await
}

pub fn link(society: &Society, year: i32, kind: PlanKind) -> String {
    match kind {
        PlanKind::Reform => format!("/societies/{}/plans/{year}", society.code),
        PlanKind::Rectification => format!(
            "/societies/{}/plans/{year}?kind=rectification",
            society.code
        ),
    }
}

/// Saves a draft (drafts may be invalid; the issues are returned, not enforced).
pub async fn save_draft(
    state: &AppState,
    ctx: &Ctx,
    plan: &PlanRow,
    draft: &Value,
) -> AppResult<()> {
    plan::transition(plan.state, PlanAction::Edit).map_err(transition_error)?;
    let draft = parse_content(plan.kind, draft)?;
    store::save_draft(&state.db, &ctx.actor(), state.clock.now(), plan, &draft).await
}

/// Submits the draft as a new version: refused with every blocking issue listed; after the
/// deadline accepted and marked late (R-PLAN-1, R-PLAN-2).
pub async fn submit(
    state: &AppState,
    ctx: &Ctx,
    society: &Society,
    catalogue: &Catalogue,
    plan: &PlanRow,
) -> AppResult<i64> {
    let to = plan::transition(plan.state, PlanAction::Submit).map_err(transition_error)?;
    let election = election_year(state, society, catalogue.year).await?;
    let issues = issues_of(plan.kind, catalogue, election, &plan.draft);
    if !plan::is_submittable(&issues) {
        return Err(issues_error("plan", &issues));
    }
    let now = state.clock.now();
    let late = if plan.kind == PlanKind::Reform {
        let (deadline, _) = store::plan_deadline(&state.db, catalogue).await?;
        plan::lateness(deadline, now).map(|d| d.num_seconds())
    } else {
        None
    };
    let version = store::submit(&state.db, &ctx.actor(), now, plan, to, late).await?;
    notify::staff(
        state,
        "plan-submitted",
        &format!(
            "submitted/{}/{}/{}/{version}",
            society.code,
            plan.year,
            plan.kind.as_str()
        ),
        &link(society, plan.year, plan.kind),
        &society.name,
    )
    .await?;
    Ok(version)
}

/// A reviewer returns (comment required) or accepts the latest submitted version (R-PLAN-4).
pub async fn review(
    state: &AppState,
    ctx: &Ctx,
    society: &Society,
    plan: &PlanRow,
    accept: bool,
    comment: &str,
    task_comments: &BTreeMap<u32, String>,
) -> AppResult<()> {
    let action = if accept {
        PlanAction::Accept
    } else {
        PlanAction::Return
    };
    let to = plan::transition(plan.state, action).map_err(transition_error)?;
    let comment = crate::model::text(comment, "comment", 5000, !accept)?;
    let version = plan
        .latest_version
        .ok_or_else(|| FieldError::new("state", "err-plan-not-submitted"))?;
    let task_comments: BTreeMap<u32, String> = task_comments
        .iter()
        .filter(|(_, c)| !c.trim().is_empty())
        .map(|(k, v)| (*k, v.trim().to_string()))
        .collect();
    store::review(
        &state.db,
        &ctx.actor(),
        state.clock.now(),
        plan,
        &store::Decision {
            to,
            version,
            comment: &comment,
            task_comments: &task_comments,
        },
    )
    .await?;
    let kind = if accept {
        "plan-accepted"
    } else {
        "plan-returned"
    };
    notify::society(
        state,
        society,
        kind,
        &format!(
            "{kind}/{}/{}/{}/{version}",
            society.code,
            plan.year,
            plan.kind.as_str()
        ),
        &link(society, plan.year, plan.kind),
    )
    .await
}

//! Reform and rectification plans (R-PLAN-1..5): the orchestration shared by pages and API.
//! Validation, the state machine, lateness and target proposals live in the domain core
//! (`reformwatch_core::plan`); this module loads, checks, stores and notifies.

use std::collections::BTreeMap;

use reformwatch_core::catalogue::Catalogue;
use reformwatch_core::plan::{
    self, PlanAction, PlanContent, PlanIssue, PlanState, RectificationContent,
};
use serde::Serialize;
use serde_json::Value;

use crate::AppState;
use crate::db::parse_ts;
use crate::db::plans::{self as store, Deadline, PlanKind, PlanRow, ReviewRow, VersionRow};
use crate::db::societies::SocietyFilter;
use crate::db::societies::{self, Society};
use crate::error::{AppError, AppResult};
use crate::i18n::T;
use crate::model::FieldError;
use crate::principal::Principal;
use crate::service::notifications::{self as notify, Note};
use serde::Deserialize;

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
    match kind {
        PlanKind::Reform => {
            let c: PlanContent = crate::json::from_value(value.clone())?;
            Ok(serde_json::to_value(c).map_err(|e| AppError::Internal(e.into()))?)
        }
        PlanKind::Rectification => {
            let c: RectificationContent = crate::json::from_value(value.clone())?;
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
    who: &Principal,
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
        &who.actor(),
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
    who: &Principal,
    society: &Society,
    year: i32,
    reason: &str,
) -> AppResult<()> {
    let reason = crate::model::text(reason, "reason", 2000, true)?;
    let draft = serde_json::to_value(RectificationContent::default())
        .map_err(|e| AppError::Internal(e.into()))?;
    store::create(
        &state.db,
        &who.actor(),
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
        state.clock.now(),
        Note {
            kind: "rectification-requested",
            key: format!("rect-req/{}/{year}", society.code),
            link: link(society, year, PlanKind::Rectification),
            society,
        },
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
    who: &Principal,
    plan: &PlanRow,
    draft: &Value,
) -> AppResult<()> {
    plan::transition(plan.state, PlanAction::Edit).map_err(transition_error)?;
    let draft = parse_content(plan.kind, draft)?;
    store::save_draft(&state.db, &who.actor(), state.clock.now(), plan, &draft).await
}

/// Submits the draft as a new version: refused with every blocking issue listed; after the
/// deadline accepted and marked late (R-PLAN-1, R-PLAN-2).
pub async fn submit(
    state: &AppState,
    who: &Principal,
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
    let version = store::submit(&state.db, &who.actor(), now, plan, to, late).await?;
    notify::staff(
        state,
        now,
        Note {
            kind: "plan-submitted",
            key: format!(
                "submitted/{}/{}/{}/{version}",
                society.code,
                plan.year,
                plan.kind.as_str()
            ),
            link: link(society, plan.year, plan.kind),
            society,
        },
    )
    .await?;
    Ok(version)
}

/// A reviewer returns (comment required) or accepts the latest submitted version (R-PLAN-4).
pub async fn review(
    state: &AppState,
    who: &Principal,
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
        &who.actor(),
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
        state.clock.now(),
        Note {
            kind,
            key: format!(
                "{kind}/{}/{}/{}/{version}",
                society.code,
                plan.year,
                plan.kind.as_str()
            ),
            link: link(society, plan.year, plan.kind),
            society,
        },
    )
    .await
}

#[derive(Deserialize, Default, Clone)]
pub struct QueueQuery {
    #[serde(default)]
    pub year: Option<String>,
    #[serde(default)]
    pub kind: Option<String>,
    #[serde(default)]
    pub state: String,
    #[serde(default)]
    pub group: String,
    #[serde(default)]
    pub election: String,
    #[serde(default)]
    pub late: Option<String>,
}

pub struct QueueRow {
    pub code: String,
    pub name: String,
    pub link: String,
    pub state: &'static str,
    pub state_label: String,
    pub version: String,
    pub submitted: String,
    pub waiting: String,
    pub late: String,
    pub comments: String,
}

fn duration_text(t: &T, d: chrono::Duration) -> String {
    let days = d.num_days();
    let hours = d.num_hours() - days * 24;
    if days > 0 {
        t.t("duration-dh")
            .replace("{d}", &days.to_string())
            .replace("{h}", &hours.to_string())
    } else {
        t.t("duration-h").replace("{h}", &hours.max(0).to_string())
    }
}

pub const STATES: [&str; 6] = [
    "not_started",
    "draft",
    "submitted",
    "returned",
    "resubmitted",
    "accepted",
];

pub fn state_text(t: &T, s: &str) -> String {
    match PlanState::parse(s) {
        Some(p) => t.pick(p.label_zh(), p.label_en()).to_string(),
        None => t.t("plan-not-started-short"),
    }
}

/// Rows for every matching society; `include_unstarted` adds societies without a plan.
pub async fn queue(
    state: &AppState,
    t: &T,
    q: &QueueQuery,
    include_unstarted: bool,
) -> AppResult<(
    i32,
    PlanKind,
    Vec<QueueRow>,
    Vec<(&'static str, String, usize)>,
)> {
    let catalogue = crate::service::catalogues::get(state, q.year.as_deref()).await?;
    let kind = PlanKind::parse(q.kind.as_deref()).ok_or(AppError::NotFound)?;
    let plans = store::list(&state.db, catalogue.year, kind).await?;
    let all = societies::list(
        &state.db,
        &SocietyFilter {
            group: Some(q.group.clone()).filter(|g| !g.is_empty()),
            ..Default::default()
        },
    )
    .await?;
    let now = state.clock.now();
    let mut out = Vec::new();
    let mut counts: Vec<(&'static str, String, usize)> =
        STATES.iter().map(|s| (*s, state_text(t, s), 0)).collect();
    for s in &all {
        let election = societies::election_flag(&state.db, s.id, catalogue.year).await?;
        match q.election.as_str() {
            "true" if election != Some(true) => continue,
            "false" if election == Some(true) => continue,
            _ => {}
        }
        let plan: Option<&PlanRow> = plans.iter().find(|p| p.society_id == s.id);
        let st = plan.map(|p| p.state.as_str()).unwrap_or("not_started");
        if plan.is_none() && !include_unstarted {
            continue;
        }
        if let Some(c) = counts.iter_mut().find(|c| c.0 == st) {
            c.2 += 1;
        }
        if !q.state.is_empty() && q.state != st {
            continue;
        }
        let late = plan.and_then(|p| p.first_late_seconds).map(|secs| {
            let (zh, en) = plan::lateness_text(chrono::Duration::seconds(secs));
            if t.is_en() { en } else { zh }
        });
        if q.late.as_deref() == Some("true") && late.is_none() {
            continue;
        }
        let waiting = match plan {
            Some(p) if matches!(p.state, PlanState::Submitted | PlanState::Resubmitted) => p
                .latest_submitted_at
                .as_deref()
                .and_then(parse_ts)
                .map(|at| duration_text(t, now - at))
                .unwrap_or_default(),
            _ => String::new(),
        };
        let comments = match plan {
            Some(p) => store::reviews(&state.db, p.id)
                .await?
                .iter()
                .map(|r| {
                    let per_task: Vec<String> = r
                        .task_comments
                        .iter()
                        .map(|(n, c)| format!("[{} {n}] {c}", t.t("task")))
                        .collect();
                    format!(
                        "v{} {}: {} {}",
                        r.version,
                        t.t(&format!("review-{}", r.decision)),
                        r.comment,
                        per_task.join(" ")
                    )
                })
                .collect::<Vec<_>>()
                .join("\n"),
            None => String::new(),
        };
        out.push(QueueRow {
            code: s.code.clone(),
            name: s.name.clone(),
            link: format!(
                "/societies/{}/plans/{}?kind={}",
                s.code,
                catalogue.year,
                kind.as_str()
            ),
            state: st,
            state_label: state_text(t, st),
            version: plan
                .and_then(|p| p.latest_version)
                .map(|v| format!("v{v}"))
                .unwrap_or_default(),
            submitted: plan
                .and_then(|p| p.latest_submitted_at.clone())
                .unwrap_or_default(),
            waiting,
            late: late.unwrap_or_default(),
            comments,
        });
    }
    // The queue shows the oldest waiting first.
    if !include_unstarted {
        out.sort_by(|a, b| a.submitted.cmp(&b.submitted));
    }
    Ok((catalogue.year, kind, out, counts))
}

/// Every society's plan of a year and kind (reviewers and administrators).
pub async fn list(
    state: &AppState,
    who: &Principal,
    year: i32,
    kind: PlanKind,
) -> AppResult<Vec<PlanRow>> {
    who.require(crate::auth::policy::Action::ListAllSocieties, None)?;
    store::list(&state.db, year, kind).await
}

/// The plan deadline of a year: an administrator's override, else the catalogue's (R-PLAN-1).
pub async fn deadline(state: &AppState, catalogue: &Catalogue) -> AppResult<Deadline> {
    Ok(store::plan_deadline(&state.db, catalogue).await?.1)
}

/// The plan deadline of every loaded year.
pub async fn deadlines(state: &AppState) -> AppResult<Vec<Deadline>> {
    let mut out = Vec::new();
    for c in crate::db::catalogues::list(&state.db).await? {
        if let Some(cat) = state.catalogues.get(&state.db, c.year).await? {
            out.push(store::plan_deadline(&state.db, &cat).await?.1);
        }
    }
    Ok(out)
}

/// Changes a year's plan deadline (administrators): a local date-time and an IANA zone.
pub async fn set_deadline(
    state: &AppState,
    who: &Principal,
    catalogue: &Catalogue,
    local_time: &str,
    timezone: &str,
) -> AppResult<Deadline> {
    who.require(crate::auth::policy::Action::LoadCatalogue, None)?;
    let (_, before) = store::plan_deadline(&state.db, catalogue).await?;
    store::set_plan_deadline(
        &state.db,
        &who.actor(),
        state.clock.now(),
        catalogue.year,
        local_time,
        timezone,
        &before,
    )
    .await?;
    deadline(state, catalogue).await
}

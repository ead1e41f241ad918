//! Reform and rectification plans (R-PLAN-1..5): opening, drafts, submission with the deadline
//! and lateness, review, versions and their comparison, the reviewer queue, deadlines.
//! Validation, the state machine, lateness and target proposals live in the domain core
//! (`reformwatch_core::plan`); this module loads, checks, stores (one transaction per step,
//! with its audit entry) and notifies.

use std::collections::BTreeMap;

use reformwatch_core::catalogue::Catalogue;
use reformwatch_core::plan::{
    self, DiffKind, FieldChange, PlanAction, PlanIssue, PlanState, Target, TaskDiff,
};
use serde::{Deserialize, Serialize};

use crate::AppState;
use crate::auth::policy::Action;
use crate::db::documents::{self, Decision, NewReview, Review, Version};
use crate::db::plans::{self as store, Deadline, NewPlan, Plan, PlanBody, PlanKind};
use crate::db::societies::{self, Society, SocietyFilter};
use crate::error::{AppError, AppResult};
use crate::model::FieldError;
use crate::principal::Principal;
use crate::service::notifications::{self as notify, Note};

/// Everything a page or API response shows about one plan.
#[derive(Serialize, utoipa::ToSchema)]
pub struct PlanView {
    pub plan: Plan,
    #[schema(value_type = Vec<Object>)]
    pub issues: Vec<PlanIssue>,
    pub submittable: bool,
    #[schema(value_type = Vec<Object>)]
    pub versions: Vec<Version<PlanBody>>,
    pub reviews: Vec<Review>,
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

/// Every issue of a plan's content (R-PLAN-2, R-PLAN-3, R-PLAN-5).
pub fn issues(catalogue: &Catalogue, election_year: bool, body: &PlanBody) -> Vec<PlanIssue> {
    match body {
        PlanBody::Reform(c) => plan::validate(catalogue, election_year, c),
        PlanBody::Rectification(c) => plan::validate_rectification(c),
    }
}

/// The number of distinct optional tasks chosen (R-PLAN-2), for a reform plan.
pub fn optional_count(catalogue: &Catalogue, body: &PlanBody) -> usize {
    body.reform()
        .map(|c| plan::chosen_optional(catalogue, c).len())
        .unwrap_or(0)
}

/// Whether the society holds its council election in the year (R-SOC-1; not recorded: no).
pub async fn election_year(state: &AppState, society: &Society, year: i32) -> AppResult<bool> {
    Ok(societies::election_flag(&state.db, society.id, year)
        .await?
        .unwrap_or(false))
}

/// The society's plan of a year and kind, if it has one.
pub async fn find(
    state: &AppState,
    society: &Society,
    year: i32,
    kind: PlanKind,
) -> AppResult<Option<Plan>> {
    store::get(&state.db, society.id, year, kind).await
}

/// The society's plan of a year and kind (404 when there is none).
pub async fn get(
    state: &AppState,
    society: &Society,
    year: i32,
    kind: PlanKind,
) -> AppResult<Plan> {
    find(state, society, year, kind)
        .await?
        .ok_or(AppError::NotFound)
}

/// A plan with its issues, versions, reviews, deadline and lateness.
pub async fn view_of(
    state: &AppState,
    society: &Society,
    catalogue: &Catalogue,
    plan: Plan,
) -> AppResult<PlanView> {
    let election = election_year(state, society, catalogue.year).await?;
    let issues = issues(catalogue, election, &plan.draft);
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
        versions: documents::versions(&state.db, &plan).await?,
        reviews: documents::reviews(&state.db, &plan).await?,
        deadline,
        late_zh,
        late_en,
        plan,
    })
}

/// The society's plan of a year and kind, as pages and the API show it (404 when none).
pub async fn view(
    state: &AppState,
    society: &Society,
    catalogue: &Catalogue,
    kind: PlanKind,
) -> AppResult<PlanView> {
    let plan = get(state, society, catalogue.year, kind).await?;
    view_of(state, society, catalogue, plan).await
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
    who.require(Action::EditSocietyData, Some(society.id))?;
    let election = election_year(state, society, catalogue.year).await?;
    let content = if copy {
        let previous = store::get(&state.db, society.id, catalogue.year - 1, PlanKind::Reform)
            .await?
            .ok_or_else(|| FieldError::new("copy", "err-no-previous-plan"))?;
        let versions = documents::versions(&state.db, &previous).await?;
        let source = versions
            .into_iter()
            .last()
            .map(|v| v.content)
            .unwrap_or(previous.draft);
        let prev = source.reform().cloned().unwrap_or_default();
        plan::copy_for_year(&prev, catalogue, election)
    } else {
        plan::new_plan(catalogue, election)
    };
    let now = state.clock.now();
    let mut tx = state.db.begin().await?;
    store::create(
        &state.db,
        &mut tx,
        &who.actor(),
        now,
        &NewPlan {
            society_id: society.id,
            society_code: &society.code,
            year: catalogue.year,
            draft: &PlanBody::Reform(content),
            request_reason: None,
        },
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

/// Asks a society for a rectification plan (R-PLAN-5), by a reviewer or by the catalogue's
/// rule (`who` is then the system), and tells the society.
pub async fn request_rectification(
    state: &AppState,
    who: &Principal,
    society: &Society,
    year: i32,
    reason: &str,
) -> AppResult<()> {
    who.require(Action::ListAllSocieties, None)?;
    let reason = crate::model::text(reason, "reason", super::limits::REASON, true)?;
    let now = state.clock.now();
    let mut tx = state.db.begin().await?;
    store::create(
        &state.db,
        &mut tx,
        &who.actor(),
        now,
        &NewPlan {
            society_id: society.id,
            society_code: &society.code,
            year,
            draft: &PlanBody::empty(PlanKind::Rectification),
            request_reason: Some(&reason),
        },
    )
    .await?;
    tx.commit().await?;
    notify::society(
        state,
        now,
        Note {
            kind: "rectification-requested",
            key: format!("rect-req/{}/{year}", society.code),
            link: link(society, year, PlanKind::Rectification),
            society,
        },
    )
    .await
}

/// The page of a society's plan.
pub fn link(society: &Society, year: i32, kind: PlanKind) -> String {
    match kind {
        PlanKind::Reform => format!("/societies/{}/plans/{year}", society.code),
        PlanKind::Rectification => format!(
            "/societies/{}/plans/{year}?kind=rectification",
            society.code
        ),
    }
}

/// Saves a draft (drafts may break plan rules; the issues are shown, not enforced). The
/// content must be of the plan's kind.
pub async fn save_draft(
    state: &AppState,
    who: &Principal,
    society: &Society,
    year: i32,
    body: PlanBody,
) -> AppResult<()> {
    who.require(Action::EditSocietyData, Some(society.id))?;
    let plan = get(state, society, year, body.kind()).await?;
    plan::transition(plan.state, PlanAction::Edit).map_err(transition_error)?;
    // Issue 9 findings 5 and 9: lengths, list sizes, integer bounds, declared facts only.
    let catalogue = super::catalogues::get(state, Some(&year.to_string())).await?;
    super::limits::plan(&catalogue, &body).map_err(AppError::Invalid)?;
    let mut tx = state.db.begin().await?;
    documents::save_draft(
        &state.db,
        &mut tx,
        &who.actor(),
        state.clock.now(),
        &plan,
        &body,
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

/// Submits the draft as a new version: refused with every blocking issue listed; after the
/// deadline accepted and marked late (R-PLAN-1, R-PLAN-2). Returns the version.
pub async fn submit(
    state: &AppState,
    who: &Principal,
    society: &Society,
    catalogue: &Catalogue,
    kind: PlanKind,
) -> AppResult<i64> {
    who.require(Action::EditSocietyData, Some(society.id))?;
    let plan = get(state, society, catalogue.year, kind).await?;
    let to = plan::transition(plan.state, PlanAction::Submit).map_err(transition_error)?;
    let election = election_year(state, society, catalogue.year).await?;
    let issues = issues(catalogue, election, &plan.draft);
    if !plan::is_submittable(&issues) {
        return Err(issues_error("plan", &issues));
    }
    let now = state.clock.now();
    let late = if kind == PlanKind::Reform {
        let (deadline, _) = store::plan_deadline(&state.db, catalogue).await?;
        plan::lateness(deadline, now).map(|d| d.num_seconds())
    } else {
        None
    };
    let mut tx = state.db.begin().await?;
    let version = documents::submit(
        &state.db,
        &mut tx,
        &who.actor(),
        now,
        &plan,
        to.as_str(),
        late,
    )
    .await?;
    tx.commit().await?;
    notify::staff(
        state,
        now,
        Note {
            kind: "plan-submitted",
            key: format!(
                "submitted/{}/{}/{}/{version}",
                society.code,
                plan.year,
                kind.as_str()
            ),
            link: link(society, plan.year, kind),
            society,
        },
    )
    .await?;
    Ok(version)
}

/// A reviewer's decision on a plan (R-PLAN-4).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PlanDecision {
    /// Return with a comment (required) for correction.
    Return,
    /// Accept the submitted version as the year's yardstick.
    Accept,
}

impl PlanDecision {
    /// `return` or `accept`; anything else is a field error naming the value.
    pub fn parse(raw: &str) -> Result<PlanDecision, FieldError> {
        match raw {
            "accept" => Ok(PlanDecision::Accept),
            "return" => Ok(PlanDecision::Return),
            other => Err(FieldError::new("decision", "err-decision").arg("value", other)),
        }
    }
}

/// A reviewer returns (comment required) or accepts the latest submitted version (R-PLAN-4).
pub async fn review(
    state: &AppState,
    who: &Principal,
    society: &Society,
    year: i32,
    kind: PlanKind,
    decision: PlanDecision,
    comment: &str,
    task_comments: &BTreeMap<u32, String>,
) -> AppResult<()> {
    who.require(Action::ListAllSocieties, None)?;
    let plan = get(state, society, year, kind).await?;
    let (action, stored) = match decision {
        PlanDecision::Accept => (PlanAction::Accept, Decision::Accepted),
        PlanDecision::Return => (PlanAction::Return, Decision::Returned),
    };
    let to = plan::transition(plan.state, action).map_err(transition_error)?;
    let accept = decision == PlanDecision::Accept;
    let comment = crate::model::text(comment, "comment", super::limits::TEXT, !accept)?;
    let version = plan
        .latest_version
        .ok_or_else(|| FieldError::new("state", "err-plan-not-submitted"))?;
    let task_comments: BTreeMap<u32, String> = task_comments
        .iter()
        .filter(|(_, c)| !c.trim().is_empty())
        .map(|(k, v)| (*k, v.trim().to_string()))
        .collect();
    // Issue 9 finding 5: per-task comments are bounded like the comment.
    if task_comments.len() > super::limits::MAX_TASKS {
        return Err(FieldError::new("task_comments", "err-form-list-too-long")
            .arg("max", super::limits::MAX_TASKS)
            .into());
    }
    for (n, c) in &task_comments {
        crate::model::text(c, &format!("task_comments.{n}"), super::limits::TEXT, false)?;
    }
    let now = state.clock.now();
    let mut tx = state.db.begin().await?;
    documents::review(
        &state.db,
        &mut tx,
        &who.actor(),
        now,
        &plan,
        &NewReview {
            decision: stored,
            version,
            to: to.as_str(),
            comment: &comment,
            task_comments: &task_comments,
        },
    )
    .await?;
    tx.commit().await?;
    let note_kind = if accept {
        "plan-accepted"
    } else {
        "plan-returned"
    };
    notify::society(
        state,
        now,
        Note {
            kind: note_kind,
            key: format!(
                "{note_kind}/{}/{}/{}/{version}",
                society.code,
                plan.year,
                kind.as_str()
            ),
            link: link(society, plan.year, kind),
            society,
        },
    )
    .await
}

/// Targets derived from each task's rules and the society's facts (R-PLAN-3), by task.
pub async fn proposals(
    state: &AppState,
    society: &Society,
    catalogue: &Catalogue,
) -> AppResult<BTreeMap<u32, Vec<Target>>> {
    let sc = crate::service::facts::society_check(&state.db, society, catalogue).await?;
    Ok(catalogue
        .tasks
        .iter()
        .map(|x| {
            (
                x.number,
                plan::propose_targets(catalogue, &sc.facts, x.number),
            )
        })
        .filter(|(_, v)| !v.is_empty())
        .collect())
}

/// What changed between two versions of a plan (R-PLAN-4).
pub struct Comparison {
    /// Every version: (number, submitted at).
    pub versions: Vec<(i64, String)>,
    pub a: i64,
    pub b: i64,
    /// Reform plans: per task; rectification plans: one entry (task 0) with the field changes.
    pub changes: Vec<TaskDiff>,
}

/// Compares version `a` with `b` (default: the latest with the one before). An unknown `b` is
/// 404; an unknown `a` compares with nothing.
pub async fn compare(
    state: &AppState,
    society: &Society,
    year: i32,
    kind: PlanKind,
    a: Option<i64>,
    b: Option<i64>,
) -> AppResult<Comparison> {
    let plan = get(state, society, year, kind).await?;
    let versions = documents::versions(&state.db, &plan).await?;
    let last = versions.last().map(|v| v.version).unwrap_or(0);
    let b = b.unwrap_or(last);
    let a = a.unwrap_or(b - 1);
    let find = |n: i64| versions.iter().find(|v| v.version == n).map(|v| &v.content);
    let after = find(b).ok_or(AppError::NotFound)?;
    let empty = PlanBody::empty(kind);
    let before = find(a).unwrap_or(&empty);
    let changes = match (before, after) {
        (PlanBody::Reform(x), PlanBody::Reform(y)) => plan::diff(x, y)
            .into_iter()
            .filter(|d| d.change != DiffKind::Unchanged)
            .collect(),
        (PlanBody::Rectification(x), PlanBody::Rectification(y)) => {
            let fields: Vec<FieldChange> = plan::diff_rectification(x, y);
            if fields.is_empty() {
                vec![]
            } else {
                vec![TaskDiff {
                    task: 0,
                    change: DiffKind::Changed,
                    details: fields,
                }]
            }
        }
        _ => return Err(anyhow::anyhow!("versions of one plan differ in kind").into()),
    };
    Ok(Comparison {
        versions: versions
            .iter()
            .map(|v| (v.version, v.submitted_at.clone()))
            .collect(),
        a,
        b,
        changes,
    })
}

/// The content of a reform plan as last submitted, else its draft (what a reviewer reviews).
pub fn shown(view: &PlanView, editable: bool) -> PlanBody {
    if editable {
        view.plan.draft.clone()
    } else {
        view.versions
            .last()
            .map(|v| v.content.clone())
            .unwrap_or_else(|| view.plan.draft.clone())
    }
}

/// Filters of the reviewer queue and the plans overview.
#[derive(Deserialize, Default, Clone)]
pub struct QueueQuery {
    #[serde(default)]
    pub year: Option<String>,
    #[serde(default)]
    pub kind: Option<String>,
    /// A plan state, or `not_started`.
    #[serde(default)]
    pub state: String,
    #[serde(default)]
    pub group: String,
    /// `true`, `false` or empty.
    #[serde(default)]
    pub election: String,
    #[serde(default)]
    pub late: Option<String>,
    /// The page of the queue and overview pages (100 societies each, issue 10); the .xlsx and
    /// the API carry every row.
    #[serde(default)]
    pub page: Option<String>,
}

/// The states of the queue's filter, `not_started` first.
pub const STATES: [&str; 6] = [
    "not_started",
    "draft",
    "submitted",
    "returned",
    "resubmitted",
    "accepted",
];

/// One society in the queue or overview: its plan (if any) and the plan's reviews.
pub struct QueueEntry {
    pub society: Society,
    pub plan: Option<Plan>,
    pub reviews: Vec<Review>,
}

pub struct Queue {
    pub year: i32,
    pub kind: PlanKind,
    /// The matching societies; the queue (without `include_unstarted`) oldest waiting first.
    pub entries: Vec<QueueEntry>,
    /// Societies per state (before the state filter), in [`STATES`] order.
    pub counts: Vec<(&'static str, usize)>,
}

/// Every society's plan of a year and kind, filtered (staff). A fixed number of queries.
pub async fn queue(
    state: &AppState,
    who: &Principal,
    q: &QueueQuery,
    include_unstarted: bool,
) -> AppResult<Queue> {
    who.require(Action::ListAllSocieties, None)?;
    let catalogue = crate::service::catalogues::get(state, q.year.as_deref()).await?;
    let kind = PlanKind::parse(q.kind.as_deref()).ok_or(AppError::NotFound)?;
    let plans = store::list(&state.db, catalogue.year, kind).await?;
    let mut reviews = documents::reviews_of_year(&state.db, &store::PLANS, catalogue.year).await?;
    let elections = societies::election_flags_of_year(&state.db, catalogue.year).await?;
    let all = societies::list(
        &state.db,
        &SocietyFilter {
            group: Some(q.group.clone()).filter(|g| !g.is_empty()),
            ..Default::default()
        },
    )
    .await?;
    let mut counts: Vec<(&'static str, usize)> = STATES.iter().map(|s| (*s, 0)).collect();
    let mut entries = Vec::new();
    for s in all {
        let election = elections.get(&s.id).copied();
        match q.election.as_str() {
            "true" if election != Some(true) => continue,
            "false" if election == Some(true) => continue,
            _ => {}
        }
        let plan = plans.iter().find(|p| p.society_id == s.id).cloned();
        if plan.is_none() && !include_unstarted {
            continue;
        }
        let st = plan
            .as_ref()
            .map(|p| p.state.as_str())
            .unwrap_or("not_started");
        if let Some(c) = counts.iter_mut().find(|c| c.0 == st) {
            c.1 += 1;
        }
        if !q.state.is_empty() && q.state != st {
            continue;
        }
        if q.late.as_deref() == Some("true")
            && plan.as_ref().and_then(|p| p.first_late_seconds).is_none()
        {
            continue;
        }
        let reviews = plan
            .as_ref()
            .and_then(|p| reviews.remove(&p.id))
            .unwrap_or_default();
        entries.push(QueueEntry {
            society: s,
            plan,
            reviews,
        });
    }
    // The queue shows the oldest waiting first.
    if !include_unstarted {
        entries.sort_by(|a, b| {
            let at = |e: &QueueEntry| e.plan.as_ref().and_then(|p| p.latest_submitted_at.clone());
            at(a).cmp(&at(b))
        });
    }
    Ok(Queue {
        year: catalogue.year,
        kind,
        entries,
        counts,
    })
}

/// Every society's plan of a year and kind (reviewers and administrators).
pub async fn list(
    state: &AppState,
    who: &Principal,
    year: i32,
    kind: PlanKind,
) -> AppResult<Vec<Plan>> {
    who.require(Action::ListAllSocieties, None)?;
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
    who.require(Action::LoadCatalogue, None)?;
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

/// Whether the plan waits for a reviewer's decision.
pub fn is_waiting(p: &Plan) -> bool {
    matches!(p.state, PlanState::Submitted | PlanState::Resubmitted)
}

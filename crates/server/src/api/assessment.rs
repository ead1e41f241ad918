//! The year-end assessment's inputs in the API (issue 12 part 1, R-ASSESS-1..3): a society's
//! acceptance proposals and decisions, self-scores, reviewer scores (blind until the reviewer
//! submits), declarations, adjustments; the year's provisional results; reviewer assignment.

use axum::Json;
use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::response::{IntoResponse, Response};
use reformwatch_core::assess::{AssessmentRules, SocietyAssessment, SubsidyOutcome};
use reformwatch_core::catalogue::Catalogue;
use serde::Deserialize;
use serde_json::{Value, json};
use utoipa::ToSchema;

use crate::AppState;
use crate::db::assessment::Standing;
use crate::error::{AppError, AppResult};
use crate::http::extract::SocietyYear;
use crate::http::{Access, Ctx, RouteSpec, route};
use crate::service;
use crate::service::assessment::flows::{self, ScoreInput, SocietyView};

/// The API's assessment routes (one line in `api::routes()`).
#[rustfmt::skip]
pub fn routes() -> Vec<RouteSpec> {
    use axum::routing::{get, post, put};
    use http::Method;
    use Access::*;
    vec![
        route(Method::GET, "/api/v1/societies/{code}/assessment/{year}/acceptance", SocietyScoped, get(society)),
        route(Method::POST, "/api/v1/societies/{code}/assessment/{year}/acceptance", Staff, post(decide)),
        route(Method::PUT, "/api/v1/societies/{code}/assessment/{year}/self-scores", SocietyEdit, put(self_scores)),
        route(Method::PUT, "/api/v1/societies/{code}/assessment/{year}/scores", Staff, put(scores)),
        route(Method::POST, "/api/v1/societies/{code}/assessment/{year}/declarations", Staff, post(declare)),
        route(Method::POST, "/api/v1/societies/{code}/assessment/{year}/adjustments", Staff, post(adjust)),
        route(Method::POST, "/api/v1/societies/{code}/assessment/{year}/adjustments/withdraw", Staff, post(withdraw)),
        route(Method::GET, "/api/v1/assessment/{year}", Staff, get(results)).heavy(),
        route(Method::GET, "/api/v1/assessment/{year}/reviewers", Admin, get(reviewers)),
        route(Method::POST, "/api/v1/assessment/{year}/reviewers", Admin, post(assign)),
        route(Method::POST, "/api/v1/assessment/{year}/reviewers/unassign", Admin, post(unassign)),
    ]
}

fn note(n: &reformwatch_core::assess::Note) -> Value {
    json!({"zh": n.zh, "en": n.en})
}

fn standing_str(s: &Standing) -> &'static str {
    match s {
        Standing::NotAssigned => "not_assigned",
        Standing::Barred(_) => "declared",
        Standing::Submitted => "submitted",
        Standing::Draft => "draft",
    }
}

/// A society's result with every number explained.
pub fn result_json(catalogue: &Catalogue, rules: &AssessmentRules, r: &SocietyAssessment) -> Value {
    let card = r.card.as_ref().map(|c| {
        let leaves: Vec<Value> = c
            .leaves
            .iter()
            .map(|l| {
                let ind = rules.indicators.get(l.indicator as usize);
                json!({
                    "indicator": ind.map(|i| i.id.clone()),
                    "name_zh": ind.map(|i| i.name_zh.clone()),
                    "name_en": ind.map(|i| i.name_en.clone()),
                    "max": ind.map(|i| i.points.to_string()),
                    "points": l.points.to_string(),
                    "self_score": l.self_score.map(|s| s.to_string()),
                    "explain": note(&l.explain(rules)),
                })
            })
            .collect();
        json!({
            "total": c.total.to_string(),
            "leaf_total": c.leaf_total.to_string(),
            "bonus": c.bonus.to_string(),
            "deduction": c.deduction.to_string(),
            "self_total": c.self_total.map(|s| s.to_string()),
            "missing_reviewer_scores": c.missing_reviewer_scores,
            "explain_total": note(&c.explain_total()),
            "leaves": leaves,
        })
    });
    json!({
        "code": r.code,
        "score": r.score().map(|s| s.to_string()),
        "outcome": r.outcome.kind.as_str(),
        "outcome_zh": r.outcome.kind.label_zh(),
        "outcome_en": r.outcome.kind.label_en(),
        "reasons": r.outcome.reasons.iter().map(|x| note(&x.explain(catalogue, rules))).collect::<Vec<_>>(),
        "rank": r.rank,
        "subsidy_yuan": r.subsidy.map(|y| y.get()),
        "card": card,
    })
}

fn view_json(v: &SocietyView) -> Value {
    let rules = v.catalogue.assessment.as_ref();
    let tasks: Vec<Value> = v
        .inputs
        .proposals
        .iter()
        .map(|p| {
            let d = v.inputs.decisions.get(&p.task);
            json!({
                "task": p.task,
                "proposed": p.status.as_str(),
                "reasons": p.reasons.iter().map(note).collect::<Vec<_>>(),
                "targets": p.targets,
                "targets_met": p.targets_met,
                "milestones": p.milestones,
                "milestones_reached": p.milestones_reached,
                "evidence_files": p.evidence_files,
                "decision": d.map(|d| json!({"status": d.status.as_str(), "comment": d.comment, "decided_by": d.decided_by, "decided_at": d.decided_at})),
                "final": d.map_or(p.status, |d| d.status).as_str(),
            })
        })
        .collect();
    json!({
        "society": v.society.code,
        "year": v.catalogue.year,
        "plan_accepted": v.inputs.plan_accepted,
        "provisional": v.missing_reviewer_scores > 0,
        "blind": v.blind,
        "standing": v.standing.as_ref().map(standing_str),
        "tasks": tasks,
        "history": v.history.iter().map(|d| json!({"task": d.task, "proposed": d.proposed.as_str(), "status": d.status.as_str(), "comment": d.comment, "decided_by": d.decided_by, "decided_at": d.decided_at})).collect::<Vec<_>>(),
        "self_scores": v.self_scores.values().map(|s| json!({"indicator": s.indicator, "score": s.score.to_string(), "comment": s.comment})).collect::<Vec<_>>(),
        "reviewer_scores": v.reviewer_scores.iter().map(|s| json!({"reviewer": s.reviewer_name, "indicator": s.indicator, "score": s.score.to_string(), "comment": s.comment, "submitted": s.submitted})).collect::<Vec<_>>(),
        "adjustments": v.adjustments.iter().map(|a| json!({"id": a.id, "adjustment": a.adjustment, "points": a.points.to_string(), "reason": a.reason, "entered_by": a.entered_by})).collect::<Vec<_>>(),
        "withdrawn_adjustments": v.adjustment_history.iter().filter(|r| r.withdrawn_at.is_some()).map(|r| json!({"id": r.adjustment.id, "adjustment": r.adjustment.adjustment, "points": r.adjustment.points.to_string(), "reason": r.adjustment.reason, "entered_by": r.adjustment.entered_by, "withdrawn_by": r.withdrawn_by, "withdrawn_at": r.withdrawn_at, "withdrawn_reason": r.withdrawn_reason})).collect::<Vec<_>>(),
        "declarations": v.declarations.iter().map(|d| json!({"reviewer": d.reviewer_name, "kind": d.kind, "reason": d.reason})).collect::<Vec<_>>(),
        "reviewers": v.assignments.iter().map(|a| json!({"reviewer": a.reviewer_name, "submitted": a.submitted_at.is_some()})).collect::<Vec<_>>(),
        "result": match (rules, &v.result) {
            (Some(rules), Some(r)) => result_json(&v.catalogue, rules, r),
            _ => Value::Null,
        },
    })
}

async fn view(state: &AppState, sy: SocietyYear) -> AppResult<Response> {
    let v = flows::society_view(state, &sy.who, &sy.society, sy.catalogue).await?;
    Ok(Json(view_json(&v)).into_response())
}

/// A society's assessment: each task of its accepted plan with the system's proposal and why,
/// the reviewer's decision, self-scores, the reviewer scores the caller may see (a reviewer
/// sees the others' only after submitting their own), adjustments, and the provisional result
/// (hidden from an assigned reviewer who has not submitted).
#[utoipa::path(get, path = "/api/v1/societies/{code}/assessment/{year}/acceptance", tag = "assessment",
    params(("code" = String, Path), ("year" = i32, Path)),
    responses((status = 200, body = Object)), security(("bearer" = [])))]
pub async fn society(State(state): State<AppState>, sy: SocietyYear) -> AppResult<Response> {
    view(&state, sy).await
}

/// `{"task":4,"status":"completed","comment":"…"}` — `status`: `completed` | `partly` |
/// `not_completed`; a comment is required when the status differs from the proposal.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct DecisionBody {
    pub task: u32,
    pub status: String,
    #[serde(default)]
    pub comment: String,
}

/// A reviewer's (or administrator's) acceptance decision on one task; answers the society's
/// assessment.
#[utoipa::path(post, path = "/api/v1/societies/{code}/assessment/{year}/acceptance", tag = "assessment",
    params(("code" = String, Path), ("year" = i32, Path)), request_body = DecisionBody,
    responses((status = 200, body = Object)), security(("bearer" = [])))]
pub async fn decide(
    State(state): State<AppState>,
    sy: SocietyYear,
    body: Bytes,
) -> AppResult<Response> {
    let b: DecisionBody = crate::api::parse_json(&body)?;
    flows::decide(
        &state,
        &sy.who,
        &sy.society,
        &sy.catalogue,
        &b.task.to_string(),
        &b.status,
        &b.comment,
    )
    .await?;
    view(&state, sy).await
}

/// `{"scores":[{"indicator":"1.1.1.1","score":"8.5","comment":"…"}],"submit":false}`.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ScoresBody {
    pub scores: Vec<ScoreInput>,
    /// Submit (final) after saving.
    #[serde(default)]
    pub submit: bool,
}

/// The society's self-scores (自评分): any leaf within its range; an empty score clears it.
#[utoipa::path(put, path = "/api/v1/societies/{code}/assessment/{year}/self-scores", tag = "assessment",
    params(("code" = String, Path), ("year" = i32, Path)), request_body = ScoresBody,
    responses((status = 200, body = Object)), security(("bearer" = [])))]
pub async fn self_scores(
    State(state): State<AppState>,
    sy: SocietyYear,
    body: Bytes,
) -> AppResult<Response> {
    let b: ScoresBody = crate::api::parse_json(&body)?;
    if b.submit {
        return Err(AppError::from(crate::model::FieldError::localized(
            "submit",
            "assessment-error",
            "自评分无需提交。".into(),
            "Self-scores are not submitted.".into(),
        )));
    }
    flows::set_self_scores(&state, &sy.who, &sy.society, &sy.catalogue, &b.scores).await?;
    view(&state, sy).await
}

/// An assigned reviewer's scores of the expert leaves (each with a comment): a draft, or
/// submitted with `"submit":true` (every expert leaf scored; final). 403 for a reviewer who
/// is not assigned to the society or declared membership of / a conflict with it.
#[utoipa::path(put, path = "/api/v1/societies/{code}/assessment/{year}/scores", tag = "assessment",
    params(("code" = String, Path), ("year" = i32, Path)), request_body = ScoresBody,
    responses((status = 200, body = Object)), security(("bearer" = [])))]
pub async fn scores(
    State(state): State<AppState>,
    sy: SocietyYear,
    body: Bytes,
) -> AppResult<Response> {
    let b: ScoresBody = crate::api::parse_json(&body)?;
    flows::save_scores(
        &state,
        &sy.who,
        &sy.society,
        &sy.catalogue,
        &b.scores,
        b.submit,
    )
    .await?;
    view(&state, sy).await
}

/// `{"kind":"conflict","reason":"…"}` (`member` or `conflict`); an administrator may name the
/// reviewer (`reviewer`: a username).
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct DeclarationBody {
    pub kind: String,
    pub reason: String,
    #[serde(default)]
    pub reviewer: Option<String>,
}

/// A reviewer declares membership of, or a conflict of interest with, the society for the
/// year: they can then neither be assigned to it nor score it.
#[utoipa::path(post, path = "/api/v1/societies/{code}/assessment/{year}/declarations", tag = "assessment",
    params(("code" = String, Path), ("year" = i32, Path)), request_body = DeclarationBody,
    responses((status = 200, body = Object)), security(("bearer" = [])))]
pub async fn declare(
    State(state): State<AppState>,
    sy: SocietyYear,
    body: Bytes,
) -> AppResult<Response> {
    let b: DeclarationBody = crate::api::parse_json(&body)?;
    flows::declare(
        &state,
        &sy.who,
        &sy.society,
        &sy.catalogue,
        &b.kind,
        &b.reason,
        b.reviewer.as_deref(),
    )
    .await?;
    view(&state, sy).await
}

/// `{"adjustment":"exemplary","points":"10","reason":"…"}`.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct AdjustmentBody {
    pub adjustment: String,
    pub points: String,
    pub reason: String,
}

/// A deduction or bonus of the catalogue, with its reason (administrators, or a reviewer
/// assigned to the society).
#[utoipa::path(post, path = "/api/v1/societies/{code}/assessment/{year}/adjustments", tag = "assessment",
    params(("code" = String, Path), ("year" = i32, Path)), request_body = AdjustmentBody,
    responses((status = 200, body = Object)), security(("bearer" = [])))]
pub async fn adjust(
    State(state): State<AppState>,
    sy: SocietyYear,
    body: Bytes,
) -> AppResult<Response> {
    let b: AdjustmentBody = crate::api::parse_json(&body)?;
    flows::add_adjustment(
        &state,
        &sy.who,
        &sy.society,
        &sy.catalogue,
        &b.adjustment,
        &b.points,
        &b.reason,
    )
    .await?;
    view(&state, sy).await
}

/// The year's provisional results (staff): every society with its score, outcome, rank,
/// subsidy and missing reviewer scores; a society whose scores the caller has not submitted
/// yet is listed without its numbers (`hidden`).
#[utoipa::path(get, path = "/api/v1/assessment/{year}", tag = "assessment",
    params(("year" = String, Path)),
    responses((status = 200, body = Object)), security(("bearer" = [])))]
pub async fn results(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(year): Path<String>,
) -> AppResult<Response> {
    let catalogue = service::catalogues::get(&state, Some(&year)).await?;
    let r = flows::results(&state, &ctx.principal(), &catalogue).await?;
    let rules = catalogue.assessment.as_ref().ok_or(AppError::NotFound)?;
    let societies: Vec<Value> = r
        .assessment
        .societies
        .iter()
        .map(|s| {
            let (assigned, submitted) = r.reviewers.get(&s.code).copied().unwrap_or_default();
            if r.hidden.contains(&s.code) {
                json!({"code": s.code, "name": r.names.get(&s.code), "hidden": true, "reviewers": assigned, "submitted": submitted})
            } else {
                let mut v = result_json(&catalogue, rules, s);
                v["name"] = json!(r.names.get(&s.code));
                v["hidden"] = json!(false);
                v["reviewers"] = json!(assigned);
                v["submitted"] = json!(submitted);
                v["missing_reviewer_scores"] = json!(s.card.as_ref().map_or(0, |c| c.missing_reviewer_scores));
                v
            }
        })
        .collect();
    let a = &r.assessment;
    let subsidy = match &a.subsidy {
        SubsidyOutcome::Allocated(al) => {
            json!({"status": "allocated", "unspent": al.unspent.get()})
        }
        SubsidyOutcome::Refused(e) => {
            json!({"status": "refused", "message_zh": e.message_zh, "message_en": e.message_en})
        }
    };
    Ok(Json(json!({
        "year": a.year,
        "provisional": a.missing_reviewer_scores > 0,
        "missing_reviewer_scores": a.missing_reviewer_scores,
        "criticised": a.criticised,
        "completed": a.completed,
        "commended": a.commended,
        "subsidy": subsidy,
        "societies": societies,
    }))
    .into_response())
}

/// The year's reviewer assignments and declarations (administrators).
#[utoipa::path(get, path = "/api/v1/assessment/{year}/reviewers", tag = "assessment",
    params(("year" = String, Path)),
    responses((status = 200, body = Object)), security(("bearer" = [])))]
pub async fn reviewers(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(year): Path<String>,
) -> AppResult<Response> {
    let catalogue = service::catalogues::get(&state, Some(&year)).await?;
    let b = flows::reviewer_board(&state, &ctx.principal(), &catalogue).await?;
    Ok(Json(json!({
        "year": catalogue.year,
        "assignments": b.assignments.iter().map(|a| json!({"society": a.society_code, "reviewer": a.reviewer_username, "reviewer_name": a.reviewer_name, "submitted": a.submitted_at.is_some()})).collect::<Vec<_>>(),
        "declarations": b.declarations.iter().map(|d| json!({"society": d.society_code, "reviewer_name": d.reviewer_name, "kind": d.kind, "reason": d.reason})).collect::<Vec<_>>(),
    }))
    .into_response())
}

/// `{"assignments":[{"society":"A-01","reviewer":"wang"}]}` — all or none.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct AssignBody {
    pub assignments: Vec<AssignPair>,
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct AssignPair {
    pub society: String,
    pub reviewer: String,
}

/// Assigns reviewers to societies (administrators), all or none; a reviewer who declared
/// membership of or a conflict with the society, or who is not a reviewer, is refused (field
/// `lines`, naming the entry by its position from 1).
#[utoipa::path(post, path = "/api/v1/assessment/{year}/reviewers", tag = "assessment",
    params(("year" = String, Path)), request_body = AssignBody,
    responses((status = 200, body = flows::AssignReport)), security(("bearer" = [])))]
pub async fn assign(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(year): Path<String>,
    body: Bytes,
) -> AppResult<Response> {
    let b: AssignBody = crate::api::parse_json(&body)?;
    let catalogue = service::catalogues::get(&state, Some(&year)).await?;
    let lines: String = b
        .assignments
        .iter()
        .map(|p| {
            format!(
                "{}\t{}\n",
                p.society.replace(['\n', '\t', ','], " "),
                p.reviewer.replace(['\n', '\t', ','], " ")
            )
        })
        .collect();
    let report = flows::assign_lines(&state, &ctx.principal(), &catalogue, &lines).await?;
    Ok(Json(report).into_response())
}

/// `{"id":3,"reason":"…"}`: the adjustment's id (as listed in `adjustments`) and why it is
/// withdrawn.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct WithdrawBody {
    #[serde(default)]
    pub id: Option<i64>,
    #[serde(default)]
    pub reason: String,
}

/// Withdraws a deduction or bonus (administrators, or a reviewer assigned to the society): it
/// stays on record, marked withdrawn with who, when and the reason (`withdrawn_adjustments`),
/// and no longer counts. Refused at `id` (none in force with it) or `reason` (missing).
#[utoipa::path(post, path = "/api/v1/societies/{code}/assessment/{year}/adjustments/withdraw", tag = "assessment",
    params(("code" = String, Path), ("year" = i32, Path)), request_body = WithdrawBody,
    responses((status = 200, body = Object)), security(("bearer" = [])))]
pub async fn withdraw(
    State(state): State<AppState>,
    sy: SocietyYear,
    body: Bytes,
) -> AppResult<Response> {
    let b: WithdrawBody = crate::api::parse_json(&body)?;
    flows::withdraw_adjustment(
        &state,
        &sy.who,
        &sy.society,
        &sy.catalogue,
        &b.id.map(|i| i.to_string()).unwrap_or_default(),
        &b.reason,
    )
    .await?;
    view(&state, sy).await
}

/// `{"society":"A-01","reviewer":"wang"}`.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct UnassignBody {
    #[serde(default)]
    pub society: String,
    #[serde(default)]
    pub reviewer: String,
}

/// Removes a reviewer's assignment to a society (administrators) while the reviewer has not
/// submitted; the draft scores go with it. Refused at `reviewer` (not assigned, or already
/// submitted: submitted scores count) or `society` (unknown). Answers the year's assignments.
#[utoipa::path(post, path = "/api/v1/assessment/{year}/reviewers/unassign", tag = "assessment",
    params(("year" = String, Path)), request_body = UnassignBody,
    responses((status = 200, body = Object)), security(("bearer" = [])))]
pub async fn unassign(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(year): Path<String>,
    body: Bytes,
) -> AppResult<Response> {
    let b: UnassignBody = crate::api::parse_json(&body)?;
    let catalogue = service::catalogues::get(&state, Some(&year)).await?;
    flows::unassign(
        &state,
        &ctx.principal(),
        &catalogue,
        &b.society,
        &b.reviewer,
    )
    .await?;
    reviewers(State(state), ctx, Path(year)).await
}

//! The year-end assessment's pages (issue 12 part 1): a society's assessment (acceptance of
//! each task with the system's proposal and why, self-scores, the reviewer's scoring form,
//! declarations, adjustments, and the score card with every number explained), the year's
//! provisional results (100 per page, one bulk computation) and the reviewer assignment page.
//! Every refused form is shown again with its message at the field.

use std::collections::BTreeMap;

use askama::Template;
use axum::extract::{Path, Query, State};
use axum::response::{IntoResponse, Response};
use reformwatch_core::assess::{AcceptanceStatus, Leaf, SubsidyOutcome};
use serde::Deserialize;

use crate::AppState;
use crate::db::assessment::Standing;
use crate::error::{AppError, AppResult};
use crate::http::extract::SocietyYear;
use crate::http::form::FormErrors;
use crate::http::page::{Counted, Page, Pager, render, see_other};
use crate::http::{Access, Ctx, RouteSpec, route};
use crate::i18n::T;
use crate::model::FieldError;
use crate::present::beijing_text;
use crate::service;
use crate::service::assessment::flows::{self, ScoreInput, SocietyView};

/// The pages' assessment routes (one line in `web::routes()`).
#[rustfmt::skip]
pub fn routes() -> Vec<RouteSpec> {
    use axum::routing::{get, post};
    use http::Method;
    use Access::*;
    vec![
        route(Method::GET, "/societies/{code}/assessment/{year}", SocietyScoped, get(society_page)),
        route(Method::POST, "/societies/{code}/assessment/{year}/acceptance", Staff, post(decide)),
        route(Method::POST, "/societies/{code}/assessment/{year}/self-scores", SocietyEdit, post(self_scores)),
        route(Method::POST, "/societies/{code}/assessment/{year}/scores", Staff, post(scores)),
        route(Method::POST, "/societies/{code}/assessment/{year}/declarations", Staff, post(declare)),
        route(Method::POST, "/societies/{code}/assessment/{year}/adjustments", Staff, post(adjust)),
        route(Method::POST, "/societies/{code}/assessment/{year}/adjustments/withdraw", Staff, post(withdraw)),
        route(Method::GET, "/admin/assessment/{year}", Staff, get(results)).heavy(),
        route(Method::GET, "/admin/assessment/{year}/reviewers", Admin, get(reviewers_page)),
        route(Method::POST, "/admin/assessment/{year}/reviewers", Admin, post(assign)),
        route(Method::POST, "/admin/assessment/{year}/reviewers/unassign", Admin, post(unassign)),
    ]
}

fn status_label(t: &T, s: AcceptanceStatus) -> String {
    t.pick(s.label_zh(), s.label_en()).to_owned()
}

fn error_of(t: &T, errors: &[FieldError], field: &str) -> Option<String> {
    errors.iter().find(|e| e.field == field).map(|e| t.field(e))
}

pub struct TaskRow {
    pub number: u32,
    pub title: String,
    pub proposed: String,
    pub reasons: Vec<String>,
    pub evidence: u32,
    pub decision: Option<String>,
    pub final_status: String,
    /// The status the decision form preselects.
    pub selected: String,
    pub comment: String,
    pub status_error: Option<String>,
    pub comment_error: Option<String>,
}

pub struct LeafRow {
    pub id: String,
    pub name: String,
    pub max: String,
    pub expert: bool,
    pub points: Option<String>,
    pub explain: Option<String>,
    pub self_score: String,
    pub self_comment: String,
    pub self_error: Option<String>,
    pub my_score: String,
    pub my_comment: String,
    pub my_score_error: Option<String>,
    pub my_comment_error: Option<String>,
    /// Other reviewers' scores visible to this principal: "name: score — comment".
    pub others: Vec<String>,
}

pub struct AdjustmentRow {
    pub id: i64,
    pub name: String,
    pub kind: String,
    pub points: String,
    pub reason: String,
    pub by: String,
    pub at: String,
    /// Withdrawn: "who, when: reason".
    pub withdrawn: Option<String>,
    /// Given (or withdrawn) in answer to an objection: which one.
    pub objection: Option<String>,
    /// A refused withdrawal of this row: the reason typed and the messages.
    pub withdraw_reason: String,
    pub withdraw_error: Option<String>,
}

#[derive(Template)]
#[template(path = "assessment/society.html")]
struct SocietyPage {
    page: Page,
    code: String,
    year: i32,
    society_name: String,
    plan_accepted: bool,
    tasks: Vec<TaskRow>,
    leaves: Vec<LeafRow>,
    statuses: Vec<(String, String)>,
    can_decide: bool,
    can_self_score: bool,
    can_score: bool,
    submitted: bool,
    barred: Option<String>,
    blind: bool,
    provisional: bool,
    result: Option<ResultBox>,
    adjustments: Vec<AdjustmentRow>,
    withdraw_error: Option<String>,
    adjustment_kinds: Vec<(String, String)>,
    can_adjust: bool,
    adj_typed: (String, String, String),
    adj_errors: (Option<String>, Option<String>, Option<String>),
    can_declare: bool,
    decl_typed: (String, String),
    decl_errors: (Option<String>, Option<String>),
    scores_error: Option<String>,
    reviewers: Vec<String>,
    declarations: Vec<String>,
    history: Vec<String>,
    /// Staff: the year's results, objections and finalisation.
    staff: bool,
}

pub struct ResultBox {
    pub score: String,
    pub outcome: String,
    pub outcome_class: String,
    pub reasons: Vec<String>,
    pub rank: String,
    pub subsidy: String,
    pub explain_total: String,
    pub missing: u32,
}

/// What a refused form typed, to show again.
#[derive(Default)]
struct Typed {
    errors: Vec<FieldError>,
    /// The task a decision was refused for, with the typed status and comment.
    decision: Option<(u32, String, String)>,
    self_scores: BTreeMap<String, (String, String)>,
    my_scores: BTreeMap<String, (String, String)>,
    adjustment: Option<(String, String, String)>,
    declaration: Option<(String, String)>,
    /// A refused withdrawal: adjustment id, reason.
    withdraw: Option<(String, String)>,
}

async fn render_society(
    state: &AppState,
    ctx: &Ctx,
    sy: SocietyYear,
    typed: Typed,
    done: Option<&str>,
) -> AppResult<Response> {
    let t = ctx.t();
    let v: SocietyView = flows::society_view(state, &sy.who, &sy.society, sy.catalogue).await?;
    let rules = v.catalogue.assessment.as_ref().ok_or(AppError::NotFound)?;
    let staff = sy
        .who
        .may(crate::auth::policy::Action::ListAllSocieties, None);
    let barred = match &v.standing {
        Some(Standing::Barred(crate::db::assessment::Barred::Declared(kind, reason))) => {
            let (zh, en) = flows::declared_text(kind, reason);
            Some(t.pick(&zh, &en).to_owned())
        }
        _ => None,
    };
    let errors = &typed.errors;
    // Changes made in answer to an objection (R-ASSESS-2): (kind, id) → "in answer to the
    // objection filed at …".
    let by_objection: BTreeMap<(String, i64), String> =
        service::assessment_results::objections(state, &sy.who, v.catalogue.year, Some(&v.society))
            .await?
            .into_iter()
            .filter_map(|o| {
                o.change.map(|c| {
                    (
                        c,
                        t.t1("assessment-by-objection", "at", &beijing_text(&o.filed_at)),
                    )
                })
            })
            .collect();
    let tasks = v
        .inputs
        .proposals
        .iter()
        .map(|p| {
            let d = v.inputs.decisions.get(&p.task);
            let title = v
                .catalogue
                .task(p.task)
                .map(|task| t.pick(&task.title_zh, &task.title_en).to_owned())
                .unwrap_or_default();
            let typed_here = typed.decision.as_ref().filter(|(n, _, _)| *n == p.task);
            TaskRow {
                number: p.task,
                title,
                proposed: status_label(&t, p.status),
                reasons: p
                    .reasons
                    .iter()
                    .map(|r| t.pick(&r.zh, &r.en).to_owned())
                    .collect(),
                evidence: p.evidence_files,
                decision: d.map(|d| {
                    format!(
                        "{}（{}，{}）{}",
                        status_label(&t, d.status),
                        d.decided_by,
                        beijing_text(&d.decided_at),
                        if d.comment.is_empty() {
                            String::new()
                        } else {
                            format!("：{}", d.comment)
                        }
                    )
                }),
                final_status: status_label(&t, d.map_or(p.status, |d| d.status)),
                selected: typed_here
                    .map(|(_, s, _)| s.clone())
                    .unwrap_or_else(|| d.map_or(p.status, |d| d.status).as_str().to_owned()),
                comment: typed_here.map(|(_, _, c)| c.clone()).unwrap_or_default(),
                status_error: typed_here.and_then(|_| error_of(&t, errors, "status")),
                comment_error: typed_here.and_then(|_| {
                    error_of(&t, errors, "comment").or_else(|| error_of(&t, errors, "task"))
                }),
            }
        })
        .collect();
    let card = v.result.as_ref().and_then(|r| r.card.as_ref());
    let me = sy.who.user().map(|u| u.id);
    let leaves = rules
        .leaves()
        .map(|(ix, ind)| {
            let leaf_score =
                card.and_then(|c| c.leaves.iter().find(|l| l.indicator as usize == ix));
            let own = v.self_scores.get(&ind.id);
            let mine = v
                .reviewer_scores
                .iter()
                .find(|s| Some(s.reviewer_id) == me && s.indicator == ind.id);
            let (self_score, self_comment) =
                typed.self_scores.get(&ind.id).cloned().unwrap_or_else(|| {
                    own.map(|s| (s.score.to_string(), s.comment.clone()))
                        .unwrap_or_default()
                });
            let (my_score, my_comment) =
                typed.my_scores.get(&ind.id).cloned().unwrap_or_else(|| {
                    mine.map(|s| (s.score.to_string(), s.comment.clone()))
                        .unwrap_or_default()
                });
            LeafRow {
                id: ind.id.clone(),
                name: t.pick(&ind.name_zh, &ind.name_en).to_owned(),
                max: ind.points.to_string(),
                expert: matches!(ind.leaf, Some(Leaf::Expert)),
                points: leaf_score.map(|l| l.points.to_string()),
                explain: leaf_score.map(|l| {
                    let n = l.explain(rules);
                    t.pick(&n.zh, &n.en).to_owned()
                }),
                self_score,
                self_comment,
                self_error: error_of(&t, errors, &format!("score-{}", ind.id))
                    .filter(|_| !typed.self_scores.is_empty()),
                my_score,
                my_comment,
                my_score_error: error_of(&t, errors, &format!("score-{}", ind.id))
                    .filter(|_| !typed.my_scores.is_empty()),
                my_comment_error: error_of(&t, errors, &format!("comment-{}", ind.id))
                    .filter(|_| !typed.my_scores.is_empty()),
                others: v
                    .reviewer_scores
                    .iter()
                    .filter(|s| s.indicator == ind.id && Some(s.reviewer_id) != me)
                    .map(|s| {
                        format!(
                            "{}：{}{}{}",
                            s.reviewer_name,
                            s.score,
                            if s.submitted {
                                String::new()
                            } else {
                                format!("（{}）", t.t("assessment-draft"))
                            },
                            if s.comment.is_empty() {
                                String::new()
                            } else {
                                format!(" — {}", s.comment)
                            }
                        )
                    })
                    .collect(),
            }
        })
        .collect();
    let result = v.result.as_ref().map(|r| ResultBox {
        score: r.score().map_or_else(|| "—".to_owned(), |s| s.to_string()),
        outcome: t
            .pick(r.outcome.kind.label_zh(), r.outcome.kind.label_en())
            .to_owned(),
        outcome_class: r.outcome.kind.as_str().to_owned(),
        reasons: r
            .outcome
            .reasons
            .iter()
            .map(|x| {
                let n = x.explain(&v.catalogue, rules);
                t.pick(&n.zh, &n.en).to_owned()
            })
            .collect(),
        rank: r.rank.map_or_else(|| "—".to_owned(), |n| n.to_string()),
        subsidy: r.subsidy.map_or_else(
            || "—".to_owned(),
            |y| t.t1("assessment-yuan", "n", &y.grouped()),
        ),
        explain_total: r.card.as_ref().map_or_else(String::new, |c| {
            let n = c.explain_total();
            t.pick(&n.zh, &n.en).to_owned()
        }),
        missing: r.card.as_ref().map_or(0, |c| c.missing_reviewer_scores),
    });
    let can_score = matches!(v.standing, Some(Standing::Draft));
    let page = SocietyPage {
        page: Page::new(
            ctx,
            t.t1("assessment-society-title", "year", &v.catalogue.year),
        )
        .with_flash(done),
        code: v.society.code.clone(),
        year: v.catalogue.year,
        society_name: v.society.name.clone(),
        plan_accepted: v.inputs.plan_accepted,
        tasks,
        leaves,
        statuses: AcceptanceStatus::ALL
            .iter()
            .map(|s| (s.as_str().to_owned(), status_label(&t, *s)))
            .collect(),
        can_decide: staff && barred.is_none(),
        can_self_score: sy.who.may(
            crate::auth::policy::Action::EditSocietyData,
            Some(v.society.id),
        ),
        can_score,
        submitted: matches!(v.standing, Some(Standing::Submitted)),
        barred,
        blind: v.blind,
        provisional: v.missing_reviewer_scores > 0,
        result,
        adjustments: v
            .adjustment_history
            .iter()
            .map(|rec| {
                let a = &rec.adjustment;
                let decl = rules.adjustment(&a.adjustment);
                let typed_here = typed
                    .withdraw
                    .as_ref()
                    .filter(|(id, _)| id.trim() == a.id.to_string());
                let objection = by_objection
                    .get(&("withdrawal".to_owned(), a.id))
                    .or_else(|| by_objection.get(&("adjustment".to_owned(), a.id)))
                    .cloned();
                AdjustmentRow {
                    id: a.id,
                    name: decl.map_or_else(
                        || a.adjustment.clone(),
                        |d| t.pick(&d.name_zh, &d.name_en).to_owned(),
                    ),
                    kind: decl.map_or_else(String::new, |d| match d.kind {
                        reformwatch_core::assess::AdjustmentKind::Deduction => {
                            t.t("assessment-deduction")
                        }
                        reformwatch_core::assess::AdjustmentKind::Bonus => t.t("assessment-bonus"),
                    }),
                    points: a.points.to_string(),
                    reason: a.reason.clone(),
                    by: a.entered_by.clone(),
                    at: beijing_text(&a.entered_at),
                    withdrawn: rec.withdrawn_at.as_ref().map(|at| {
                        format!(
                            "{}（{}，{}）{}",
                            t.t("assessment-withdrawn"),
                            rec.withdrawn_by.clone().unwrap_or_default(),
                            beijing_text(at),
                            rec.withdrawn_reason
                                .as_ref()
                                .map(|r| format!("：{r}"))
                                .unwrap_or_default()
                        )
                    }),
                    objection,
                    withdraw_reason: typed_here.map(|(_, r)| r.clone()).unwrap_or_default(),
                    withdraw_error: typed_here.and_then(|_| error_of(&t, errors, "reason")),
                }
            })
            .collect(),
        withdraw_error: typed
            .withdraw
            .as_ref()
            .and_then(|_| error_of(&t, errors, "id")),
        adjustment_kinds: rules
            .adjustments
            .iter()
            .map(|a| {
                let kind = match a.kind {
                    reformwatch_core::assess::AdjustmentKind::Deduction => {
                        t.t("assessment-deduction")
                    }
                    reformwatch_core::assess::AdjustmentKind::Bonus => t.t("assessment-bonus"),
                };
                (
                    a.id.clone(),
                    format!("{kind}：{}（≤ {}）", t.pick(&a.name_zh, &a.name_en), a.max),
                )
            })
            .collect(),
        can_adjust: staff
            && (matches!(&sy.who, crate::principal::Principal::User(u) if u.role == crate::model::Role::Admin)
                || matches!(v.standing, Some(Standing::Draft | Standing::Submitted))),
        staff,
        adj_typed: typed.adjustment.clone().unwrap_or_default(),
        adj_errors: if typed.adjustment.is_some() {
            (
                error_of(&t, errors, "adjustment"),
                error_of(&t, errors, "points"),
                error_of(&t, errors, "reason"),
            )
        } else {
            (None, None, None)
        },
        can_declare: staff
            && matches!(&sy.who, crate::principal::Principal::User(u) if u.role == crate::model::Role::Reviewer),
        decl_typed: typed.declaration.clone().unwrap_or_default(),
        decl_errors: if typed.declaration.is_some() {
            (error_of(&t, errors, "kind"), error_of(&t, errors, "reason"))
        } else {
            (None, None)
        },
        scores_error: error_of(&t, errors, "scores"),
        reviewers: v
            .assignments
            .iter()
            .map(|a| {
                format!(
                    "{}（{}）",
                    a.reviewer_name,
                    if a.submitted_at.is_some() {
                        t.t("assessment-submitted")
                    } else {
                        t.t("assessment-draft")
                    }
                )
            })
            .collect(),
        declarations: v
            .declarations
            .iter()
            .map(|d| {
                let (zh, en) = flows::declared_text(&d.kind, &d.reason);
                format!("{}：{}", d.reviewer_name, t.pick(&zh, &en))
            })
            .collect(),
        history: v
            .history
            .iter()
            .map(|d| {
                format!(
                    "{} · {} {} → {}（{}）{}{}",
                    beijing_text(&d.decided_at),
                    t.t1("assessment-task-n", "n", &d.task),
                    status_label(&t, d.proposed),
                    status_label(&t, d.status),
                    d.decided_by,
                    if d.comment.is_empty() {
                        String::new()
                    } else {
                        format!("：{}", d.comment)
                    },
                    by_objection
                        .get(&("acceptance".to_owned(), d.id))
                        .map(|o| format!(" · {o}"))
                        .unwrap_or_default()
                )
            })
            .collect(),
    };
    let status = if typed.errors.is_empty() {
        http::StatusCode::OK
    } else {
        http::StatusCode::UNPROCESSABLE_ENTITY
    };
    Ok((status, render(&page)).into_response())
}

#[derive(Deserialize, Default)]
pub struct DoneQuery {
    #[serde(default)]
    done: Option<String>,
    #[serde(default)]
    page: Option<String>,
}

pub async fn society_page(
    State(state): State<AppState>,
    ctx: Ctx,
    sy: SocietyYear,
    Query(q): Query<DoneQuery>,
) -> AppResult<Response> {
    render_society(&state, &ctx, sy, Typed::default(), q.done.as_deref()).await
}

fn back(sy: &SocietyYear, anchor: &str) -> Response {
    see_other(
        &format!(
            "/societies/{}/assessment/{}#{anchor}",
            sy.society.code, sy.catalogue.year
        ),
        "saved",
    )
}

#[derive(Deserialize, Default)]
pub struct DecideForm {
    #[serde(default)]
    task: String,
    #[serde(default)]
    status: String,
    #[serde(default)]
    comment: String,
}

pub async fn decide(
    State(state): State<AppState>,
    ctx: Ctx,
    sy: SocietyYear,
    axum::Form(f): axum::Form<DecideForm>,
) -> AppResult<Response> {
    match flows::decide(
        &state,
        &sy.who,
        &sy.society,
        &sy.catalogue,
        &f.task,
        &f.status,
        &f.comment,
    )
    .await
    {
        Ok(()) => Ok(back(&sy, &format!("task-{}", f.task.trim()))),
        Err(AppError::Invalid(errors)) => {
            let typed = Typed {
                decision: Some((f.task.trim().parse().unwrap_or(0), f.status, f.comment)),
                errors,
                ..Typed::default()
            };
            render_society(&state, &ctx, sy, typed, None).await
        }
        Err(e) => Err(e),
    }
}

/// `score-<id>` / `comment-<id>` pairs of a form → entries (in the catalogue's leaf order).
fn score_entries(
    sy: &SocietyYear,
    form: &[(String, String)],
    expert_only: bool,
) -> Vec<ScoreInput> {
    let value = |name: String| {
        form.iter()
            .find(|(k, _)| *k == name)
            .map(|(_, v)| v.clone())
    };
    let Some(rules) = sy.catalogue.assessment.as_ref() else {
        return Vec::new();
    };
    rules
        .leaves()
        .filter(|(_, ind)| !expert_only || matches!(ind.leaf, Some(Leaf::Expert)))
        .filter_map(|(_, ind)| {
            let score = value(format!("score-{}", ind.id));
            let comment = value(format!("comment-{}", ind.id));
            (score.is_some() || comment.is_some()).then(|| ScoreInput {
                indicator: ind.id.clone(),
                score: score.unwrap_or_default(),
                comment: comment.unwrap_or_default(),
            })
        })
        .collect()
}

fn typed_scores(entries: &[ScoreInput]) -> BTreeMap<String, (String, String)> {
    entries
        .iter()
        .map(|e| (e.indicator.clone(), (e.score.clone(), e.comment.clone())))
        .collect()
}

pub async fn self_scores(
    State(state): State<AppState>,
    ctx: Ctx,
    sy: SocietyYear,
    axum::Form(form): axum::Form<Vec<(String, String)>>,
) -> AppResult<Response> {
    let entries = score_entries(&sy, &form, false);
    if entries.is_empty() {
        let typed = Typed {
            errors: vec![FieldError::new("scores", "assessment-nothing")],
            ..Typed::default()
        };
        return render_society(&state, &ctx, sy, typed, None).await;
    }
    match flows::set_self_scores(&state, &sy.who, &sy.society, &sy.catalogue, &entries).await {
        Ok(()) => Ok(back(&sy, "indicators")),
        Err(AppError::Invalid(errors)) => {
            let typed = Typed {
                self_scores: typed_scores(&entries),
                errors,
                ..Typed::default()
            };
            render_society(&state, &ctx, sy, typed, None).await
        }
        Err(e) => Err(e),
    }
}

pub async fn scores(
    State(state): State<AppState>,
    ctx: Ctx,
    sy: SocietyYear,
    axum::Form(form): axum::Form<Vec<(String, String)>>,
) -> AppResult<Response> {
    let entries = score_entries(&sy, &form, true);
    let submit = form.iter().any(|(k, v)| k == "action" && v == "submit");
    if entries.is_empty() && !submit {
        let typed = Typed {
            errors: vec![FieldError::new("scores", "assessment-nothing")],
            ..Typed::default()
        };
        return render_society(&state, &ctx, sy, typed, None).await;
    }
    match flows::save_scores(
        &state,
        &sy.who,
        &sy.society,
        &sy.catalogue,
        &entries,
        submit,
    )
    .await
    {
        Ok(()) => Ok(back(&sy, "indicators")),
        Err(AppError::Invalid(errors)) => {
            let typed = Typed {
                my_scores: typed_scores(&entries),
                errors,
                ..Typed::default()
            };
            render_society(&state, &ctx, sy, typed, None).await
        }
        Err(e) => Err(e),
    }
}

#[derive(Deserialize, Default)]
pub struct DeclareForm {
    #[serde(default)]
    kind: String,
    #[serde(default)]
    reason: String,
}

pub async fn declare(
    State(state): State<AppState>,
    ctx: Ctx,
    sy: SocietyYear,
    axum::Form(f): axum::Form<DeclareForm>,
) -> AppResult<Response> {
    match flows::declare(
        &state,
        &sy.who,
        &sy.society,
        &sy.catalogue,
        &f.kind,
        &f.reason,
        None,
    )
    .await
    {
        Ok(()) => Ok(back(&sy, "declare")),
        Err(AppError::Invalid(errors)) => {
            let typed = Typed {
                declaration: Some((f.kind, f.reason)),
                errors,
                ..Typed::default()
            };
            render_society(&state, &ctx, sy, typed, None).await
        }
        Err(e) => Err(e),
    }
}

#[derive(Deserialize, Default)]
pub struct AdjustForm {
    #[serde(default)]
    adjustment: String,
    #[serde(default)]
    points: String,
    #[serde(default)]
    reason: String,
}

pub async fn adjust(
    State(state): State<AppState>,
    ctx: Ctx,
    sy: SocietyYear,
    axum::Form(f): axum::Form<AdjustForm>,
) -> AppResult<Response> {
    match flows::add_adjustment(
        &state,
        &sy.who,
        &sy.society,
        &sy.catalogue,
        &f.adjustment,
        &f.points,
        &f.reason,
    )
    .await
    {
        Ok(_) => Ok(back(&sy, "adjustments")),
        Err(AppError::Invalid(errors)) => {
            let typed = Typed {
                adjustment: Some((f.adjustment, f.points, f.reason)),
                errors,
                ..Typed::default()
            };
            render_society(&state, &ctx, sy, typed, None).await
        }
        Err(e) => Err(e),
    }
}

#[derive(Deserialize, Default)]
pub struct WithdrawForm {
    #[serde(default)]
    id: String,
    #[serde(default)]
    reason: String,
}

/// Withdraws a deduction or bonus (kept, marked withdrawn with the reason).
pub async fn withdraw(
    State(state): State<AppState>,
    ctx: Ctx,
    sy: SocietyYear,
    axum::Form(f): axum::Form<WithdrawForm>,
) -> AppResult<Response> {
    match flows::withdraw_adjustment(
        &state,
        &sy.who,
        &sy.society,
        &sy.catalogue,
        &f.id,
        &f.reason,
    )
    .await
    {
        Ok(()) => Ok(back(&sy, "adjustments")),
        Err(AppError::Invalid(errors)) => {
            let typed = Typed {
                withdraw: Some((f.id, f.reason)),
                errors,
                ..Typed::default()
            };
            render_society(&state, &ctx, sy, typed, None).await
        }
        Err(e) => Err(e),
    }
}

// ---------------------------------------------------------------------------------------------
// Results
// ---------------------------------------------------------------------------------------------

pub struct ResultRow {
    pub code: String,
    pub name: String,
    pub hidden: bool,
    pub score: String,
    pub outcome: String,
    pub outcome_class: String,
    pub rank: String,
    pub subsidy: String,
    pub missing: u32,
    pub reviewers: String,
}

#[derive(Template)]
#[template(path = "assessment/results.html")]
struct ResultsPage {
    page: Page,
    year: i32,
    rows: Vec<ResultRow>,
    pager: Pager,
    summary: String,
    subsidy_note: String,
    provisional: bool,
    is_admin: bool,
}

pub async fn results(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(year): Path<String>,
    Query(q): Query<DoneQuery>,
) -> AppResult<Response> {
    let t = ctx.t();
    let who = ctx.principal();
    let catalogue = service::catalogues::get(&state, Some(&year)).await?;
    let r = flows::results(&state, &who, &catalogue).await?;
    let a = &r.assessment;
    let base = format!("/admin/assessment/{}", catalogue.year);
    let pager = Pager::new(
        &t,
        Counted::Societies,
        a.societies.len(),
        100,
        q.page.as_deref(),
        &base,
    );
    // Ranked societies first (by rank), then the unscored, by code.
    let mut order: Vec<usize> = (0..a.societies.len()).collect();
    order.sort_by(|&x, &y| {
        let (sx, sy2) = (&a.societies[x], &a.societies[y]);
        (sx.rank.is_none(), sx.rank, &sx.code).cmp(&(sy2.rank.is_none(), sy2.rank, &sy2.code))
    });
    let rows = order[pager.range()]
        .iter()
        .map(|&i| {
            let s = &a.societies[i];
            let hidden = r.hidden.contains(&s.code);
            let (assigned, submitted) = r.reviewers.get(&s.code).copied().unwrap_or_default();
            ResultRow {
                code: s.code.clone(),
                name: r.names.get(&s.code).cloned().unwrap_or_default(),
                hidden,
                score: s.score().map_or_else(|| "—".to_owned(), |x| x.to_string()),
                outcome: t
                    .pick(s.outcome.kind.label_zh(), s.outcome.kind.label_en())
                    .to_owned(),
                outcome_class: s.outcome.kind.as_str().to_owned(),
                rank: s.rank.map_or_else(|| "—".to_owned(), |n| n.to_string()),
                subsidy: s.subsidy.map_or_else(|| "—".to_owned(), |y| y.grouped()),
                missing: s.card.as_ref().map_or(0, |c| c.missing_reviewer_scores),
                reviewers: format!("{submitted} / {assigned}"),
            }
        })
        .collect();
    let summary = t
        .t("assessment-results-summary")
        .replace("{criticised}", &a.criticised.to_string())
        .replace("{completed}", &a.completed.to_string())
        .replace("{commended}", &a.commended.to_string())
        .replace("{missing}", &a.missing_reviewer_scores.to_string());
    let subsidy_note = match &a.subsidy {
        SubsidyOutcome::Allocated(al) => t.t1("assessment-unspent", "n", &al.unspent.grouped()),
        SubsidyOutcome::Refused(e) => t.pick(&e.message_zh, &e.message_en).to_owned(),
    };
    let page = ResultsPage {
        page: Page::new(
            &ctx,
            t.t1("assessment-results-title", "year", &catalogue.year),
        ),
        year: catalogue.year,
        rows,
        pager,
        summary,
        subsidy_note,
        provisional: a.missing_reviewer_scores > 0,
        is_admin: who.may(crate::auth::policy::Action::ManageUsers, None),
    };
    Ok(render(&page))
}

// ---------------------------------------------------------------------------------------------
// Reviewer assignment
// ---------------------------------------------------------------------------------------------

pub struct AssignmentRow {
    pub society: String,
    pub society_code: String,
    pub reviewer: String,
    pub reviewer_username: String,
    pub state: String,
    /// Not submitted: may be removed.
    pub removable: bool,
    /// A refused removal of this assignment.
    pub error: Option<String>,
}

#[derive(Template)]
#[template(path = "assessment/reviewers.html")]
struct ReviewersPage {
    page: Page,
    year: i32,
    lines: String,
    lines_errors: Vec<String>,
    assignments: Vec<AssignmentRow>,
    unassign_error: Option<String>,
    /// The same messages for the summary at the top, each linking to the lines (issue 10).
    errors: FormErrors,
    declarations: Vec<String>,
    reviewers: Vec<(String, String)>,
}

async fn reviewers_with(
    state: &AppState,
    ctx: &Ctx,
    year: &str,
    lines: String,
    errors: &[FieldError],
    done: Option<&str>,
) -> AppResult<Response> {
    reviewers_render(state, ctx, year, lines, errors, done, None).await
}

/// The reviewer page; `unassign`: a refused removal (society code, username) and its errors
/// (`errors` then belong to it, not to the assignment form).
async fn reviewers_render(
    state: &AppState,
    ctx: &Ctx,
    year: &str,
    lines: String,
    errors: &[FieldError],
    done: Option<&str>,
    unassign: Option<(String, String)>,
) -> AppResult<Response> {
    let t = ctx.t();
    let catalogue = service::catalogues::get(state, Some(year)).await?;
    let b = flows::reviewer_board(state, &ctx.principal(), &catalogue).await?;
    let page = ReviewersPage {
        page: Page::new(
            ctx,
            t.t1("assessment-reviewers-title", "year", &catalogue.year),
        )
        .with_flash(done),
        year: catalogue.year,
        lines,
        lines_errors: if unassign.is_some() {
            Vec::new()
        } else {
            errors.iter().map(|e| t.field(e)).collect()
        },
        unassign_error: match &unassign {
            // A removal refused for a pair no longer (or never) listed: shown above the table.
            Some((code, user))
                if !b.assignments.iter().any(|a| {
                    a.society_code.eq_ignore_ascii_case(code.trim())
                        && a.reviewer_username == user.trim()
                }) =>
            {
                errors.first().map(|e| t.field(e))
            }
            _ => None,
        },
        errors: if unassign.is_some() {
            FormErrors::none()
        } else {
            FormErrors::mapped(&t, errors, |_| Some("lines".to_string()))
        },
        assignments: b
            .assignments
            .iter()
            .map(|a| AssignmentRow {
                society: format!("{} {}", a.society_code, a.society_name),
                society_code: a.society_code.clone(),
                reviewer: a.reviewer_name.clone(),
                reviewer_username: a.reviewer_username.clone(),
                state: match &a.submitted_at {
                    Some(at) => t.t1("assessment-submitted-at", "at", &beijing_text(at)),
                    None => t.t("assessment-draft"),
                },
                removable: a.submitted_at.is_none(),
                error: unassign
                    .as_ref()
                    .filter(|(code, user)| {
                        a.society_code.eq_ignore_ascii_case(code.trim())
                            && a.reviewer_username == user.trim()
                    })
                    .and_then(|_| errors.first().map(|e| t.field(e))),
            })
            .collect(),
        declarations: b
            .declarations
            .iter()
            .map(|d| {
                let (zh, en) = flows::declared_text(&d.kind, &d.reason);
                format!(
                    "{} · {}：{}",
                    d.society_code,
                    d.reviewer_name,
                    t.pick(&zh, &en)
                )
            })
            .collect(),
        reviewers: b
            .reviewers
            .iter()
            .map(|u| (u.username.clone(), u.display_name.clone()))
            .collect(),
    };
    let status = if errors.is_empty() {
        http::StatusCode::OK
    } else {
        http::StatusCode::UNPROCESSABLE_ENTITY
    };
    Ok((status, render(&page)).into_response())
}

pub async fn reviewers_page(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(year): Path<String>,
    Query(q): Query<DoneQuery>,
) -> AppResult<Response> {
    reviewers_with(&state, &ctx, &year, String::new(), &[], q.done.as_deref()).await
}

#[derive(Deserialize, Default)]
pub struct AssignForm {
    #[serde(default)]
    lines: String,
}

pub async fn assign(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(year): Path<String>,
    axum::Form(f): axum::Form<AssignForm>,
) -> AppResult<Response> {
    let catalogue = service::catalogues::get(&state, Some(&year)).await?;
    match flows::assign_lines(&state, &ctx.principal(), &catalogue, &f.lines).await {
        Ok(_) => Ok(see_other(
            &format!("/admin/assessment/{}/reviewers", catalogue.year),
            "saved",
        )),
        Err(AppError::Invalid(errors)) => {
            reviewers_with(&state, &ctx, &year, f.lines, &errors, None).await
        }
        Err(e) => Err(e),
    }
}

#[derive(Deserialize, Default)]
pub struct UnassignForm {
    #[serde(default)]
    society: String,
    #[serde(default)]
    reviewer: String,
}

/// Removes a reviewer's assignment that was not submitted (its draft scores go with it).
pub async fn unassign(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(year): Path<String>,
    axum::Form(f): axum::Form<UnassignForm>,
) -> AppResult<Response> {
    let catalogue = service::catalogues::get(&state, Some(&year)).await?;
    match flows::unassign(
        &state,
        &ctx.principal(),
        &catalogue,
        &f.society,
        &f.reviewer,
    )
    .await
    {
        Ok(()) => Ok(see_other(
            &format!("/admin/assessment/{}/reviewers", catalogue.year),
            "saved",
        )),
        Err(AppError::Invalid(errors)) => {
            reviewers_render(
                &state,
                &ctx,
                &year,
                String::new(),
                &errors,
                None,
                Some((f.society, f.reviewer)),
            )
            .await
        }
        Err(e) => Err(e),
    }
}

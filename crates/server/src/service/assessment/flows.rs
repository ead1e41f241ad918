//! The assessment's flows (issue 12 part 1): acceptance decisions, self-scores, reviewer
//! assignment with declared memberships and conflicts, independent (blind) scoring with
//! draft / submit, deductions and bonuses, and what each principal may see of a society's
//! assessment and of the year's provisional results. Every write is audited (db layer, same
//! transaction); every refusal names its field.
//!
//! Who may do what:
//! - a society's people read their own society's assessment (proposals, decisions, their
//!   self-scores, the score card with its aggregated points) — never individual reviewers'
//!   scores; its editors (and administrators) enter self-scores;
//! - reviewers and administrators decide acceptance (a reviewer who declared membership of, or
//!   a conflict with, the society may not);
//! - administrators assign reviewers (refused, at the field, for a declared membership or
//!   conflict, or a user who is not a reviewer or administrator); reviewers declare their own
//!   memberships and conflicts;
//! - an assigned reviewer without a declaration scores every expert leaf (within its range,
//!   with a comment), saves drafts and submits (final). Until a reviewer has submitted, they
//!   see neither the other reviewers' scores nor the society's aggregated expert points or
//!   total (blind scoring); administrators see everything;
//! - administrators and assigned reviewers give deductions and bonuses.

use std::collections::{BTreeMap, BTreeSet};
use std::sync::Arc;

use reformwatch_core::assess::{
    AcceptanceStatus, AdjustmentKind, Decision, Leaf, Proposal, Score, SocietyAssessment,
    YearAssessment, assess_year, check_decision,
};
use reformwatch_core::catalogue::Catalogue;

use super::{SocietyInputs, assess_error, load_inputs};
use crate::AppState;
use crate::auth::policy::Action;
use crate::db::assessment::{
    self as store, Assigned, Assignment, Barred, Declaration, ReviewerScore, SelfScore, Standing,
    StoredAdjustment, StoredDecision,
};
use crate::db::societies::{self, Society};
use crate::db::users;
use crate::error::{AppError, AppResult};
use crate::model::{FieldError, Role, text};
use crate::principal::Principal;

fn field(name: &str, zh: String, en: String) -> FieldError {
    FieldError::localized(name, "assessment-error", zh, en)
}

fn invalid(errors: Vec<FieldError>) -> AppError {
    AppError::Invalid(errors)
}

fn display_name(who: &Principal) -> String {
    who.user()
        .map(|u| u.display_name.clone())
        .unwrap_or_else(|| who.actor().label())
}

fn is_admin(who: &Principal) -> bool {
    match who {
        Principal::User(u) => u.role == Role::Admin,
        Principal::Cli(_) | Principal::System => true,
        Principal::Anonymous => false,
    }
}

fn rules_of(catalogue: &Catalogue) -> AppResult<&reformwatch_core::assess::AssessmentRules> {
    catalogue.assessment.as_ref().ok_or_else(|| {
        invalid(vec![field(
            "year",
            format!(
                "{} 年的任务清单没有考核指标（[assessment]）。",
                catalogue.year
            ),
            format!(
                "The {} catalogue has no assessment section ([assessment]).",
                catalogue.year
            ),
        )])
    })
}

/// The text of a declaration's kind in both languages.
pub fn declared_text(kind: &str, reason: &str) -> (String, String) {
    if kind == "member" {
        (
            format!("该评审专家申报为本学会成员（{reason}），不能评审本学会。"),
            format!(
                "The reviewer declared membership of this society ({reason}) and cannot review it."
            ),
        )
    } else {
        (
            format!("该评审专家申报与本学会存在利益冲突（{reason}），不能评审本学会。"),
            format!(
                "The reviewer declared a conflict of interest with this society ({reason}) and cannot review it."
            ),
        )
    }
}

// ---------------------------------------------------------------------------------------------
// Reading
// ---------------------------------------------------------------------------------------------

/// One society's assessment as one principal may see it.
pub struct SocietyView {
    pub catalogue: Arc<Catalogue>,
    pub society: Society,
    pub inputs: SocietyInputs,
    /// The society's result (score card, outcome, rank, subsidy) among the whole year's;
    /// `None` while it is hidden from this principal (blind scoring).
    pub result: Option<SocietyAssessment>,
    /// Whether the result and the other reviewers' scores are hidden until this reviewer
    /// submits.
    pub blind: bool,
    pub self_scores: BTreeMap<String, SelfScore>,
    /// Individual reviewer scores this principal may see (administrators: all; a reviewer
    /// who submitted: every submitted one; otherwise only their own).
    pub reviewer_scores: Vec<ReviewerScore>,
    /// The principal's standing as a reviewer of this society (`None` for people who are
    /// not reviewers or administrators).
    pub standing: Option<Standing>,
    pub adjustments: Vec<StoredAdjustment>,
    /// Every deduction and bonus, withdrawn ones included (with who, when and why).
    pub adjustment_history: Vec<store::AdjustmentRecord>,
    pub history: Vec<StoredDecision>,
    /// Declarations about this society (staff only).
    pub declarations: Vec<Declaration>,
    /// The reviewers assigned (staff only).
    pub assignments: Vec<Assignment>,
    /// Whether the year's results are provisional (expert leaves still missing anywhere).
    pub missing_reviewer_scores: u32,
}

impl SocietyView {
    /// The proposal of task `n`.
    pub fn proposal(&self, n: u32) -> Option<&Proposal> {
        self.inputs.proposals.iter().find(|p| p.task == n)
    }
}

/// A society's assessment for the catalogue's year, as `who` may see it (the society's own
/// people, reviewers and administrators). One bulk load of the year (the society's rank and
/// subsidy need every society's result).
pub async fn society_view(
    state: &AppState,
    who: &Principal,
    society: &Society,
    catalogue: Arc<Catalogue>,
) -> AppResult<SocietyView> {
    who.require(Action::ReadSociety, Some(society.id))?;
    rules_of(&catalogue)?;
    let year = catalogue.year;
    let now = state.clock.now();
    let mut all = load_inputs(state, &catalogue, now, None).await?;
    let inputs_only: Vec<_> = all.iter().map(|s| s.input.clone()).collect();
    let year_result = assess_year(&catalogue, &inputs_only).map_err(assess_error)?;
    let pos = all
        .iter()
        .position(|s| s.society.id == society.id)
        .ok_or(AppError::NotFound)?;
    let inputs = all.swap_remove(pos);
    let staff = who.may(Action::ListAllSocieties, None);
    let admin = is_admin(who);
    let standing = match who.user() {
        Some(u) if staff => Some(store::standing(&state.db, year, society.id, u.id).await?),
        _ => None,
    };
    // Blind: an assigned reviewer (not an administrator) who has not submitted yet.
    let blind = !admin && matches!(standing, Some(Standing::Draft));
    let scores = if staff {
        store::scores_of_society(&state.db, year, society.id).await?
    } else {
        Vec::new()
    };
    let me = who.user().map(|u| u.id);
    let reviewer_scores = scores
        .into_iter()
        .filter(|s| {
            admin
                || Some(s.reviewer_id) == me
                || (matches!(standing, Some(Standing::Submitted)) && s.submitted)
        })
        .collect();
    let result = (!blind)
        .then(|| year_result.societies.get(pos).cloned())
        .flatten()
        .filter(|r| r.code == society.code);
    let (declarations, assignments) = if staff {
        (
            store::declarations_of_year(&state.db, year)
                .await?
                .into_iter()
                .filter(|d| d.society_id == society.id)
                .collect(),
            store::assignments_of_year(&state.db, year)
                .await?
                .into_iter()
                .filter(|a| a.society_id == society.id)
                .collect(),
        )
    } else {
        (Vec::new(), Vec::new())
    };
    Ok(SocietyView {
        self_scores: store::self_scores_of_year(&state.db, year, Some(society.id))
            .await?
            .remove(&society.id)
            .unwrap_or_default(),
        adjustments: store::adjustments_of_year(&state.db, year, Some(society.id))
            .await?
            .remove(&society.id)
            .unwrap_or_default(),
        adjustment_history: store::adjustment_history(&state.db, year, society.id).await?,
        history: store::decision_history(&state.db, year, society.id).await?,
        missing_reviewer_scores: year_result.missing_reviewer_scores,
        catalogue,
        society: society.clone(),
        inputs,
        result,
        blind,
        reviewer_scores,
        standing,
        declarations,
        assignments,
    })
}

/// The year's provisional results for staff, and the societies whose result is hidden from
/// this reviewer until they submit (blind scoring).
pub struct Results {
    pub assessment: YearAssessment,
    /// Society names by code.
    pub names: BTreeMap<String, String>,
    /// Societies hidden from this principal (assigned, not yet submitted).
    pub hidden: BTreeSet<String>,
    /// Per society code: assigned reviewers, of which submitted.
    pub reviewers: BTreeMap<String, (u32, u32)>,
}

/// The year's provisional results (staff): ONE bulk `assess()`.
pub async fn results(
    state: &AppState,
    who: &Principal,
    catalogue: &Arc<Catalogue>,
) -> AppResult<Results> {
    who.require(Action::ListAllSocieties, None)?;
    rules_of(catalogue)?;
    let inputs = load_inputs(state, catalogue, state.clock.now(), None).await?;
    let names = inputs
        .iter()
        .map(|s| (s.society.code.clone(), s.society.name.clone()))
        .collect();
    let only: Vec<_> = inputs.into_iter().map(|s| s.input).collect();
    let assessment = assess_year(catalogue, &only).map_err(assess_error)?;
    let mut hidden = BTreeSet::new();
    let mut reviewers: BTreeMap<String, (u32, u32)> = BTreeMap::new();
    let me = who.user().map(|u| u.id);
    let admin = is_admin(who);
    for a in store::assignments_of_year(&state.db, catalogue.year).await? {
        let e = reviewers.entry(a.society_code.clone()).or_default();
        e.0 += 1;
        if a.submitted_at.is_some() {
            e.1 += 1;
        } else if !admin && Some(a.reviewer_id) == me {
            hidden.insert(a.society_code);
        }
    }
    Ok(Results {
        assessment,
        names,
        hidden,
        reviewers,
    })
}

// ---------------------------------------------------------------------------------------------
// Acceptance
// ---------------------------------------------------------------------------------------------

/// A reviewer's (or administrator's) decision on the proposal for one task (R-ASSESS-1):
/// the status must be one of the three; changing the proposed status needs a comment
/// (`check_decision`). The task must be in the accepted plan. Refused for a reviewer who
/// declared membership of or a conflict with the society (403).
pub async fn decide(
    state: &AppState,
    who: &Principal,
    society: &Society,
    catalogue: &Catalogue,
    task: &str,
    status: &str,
    comment: &str,
) -> AppResult<()> {
    who.require(Action::ListAllSocieties, None)?;
    rules_of(catalogue)?;
    if let Some(u) = who.user()
        && let Standing::Barred(_) =
            store::standing(&state.db, catalogue.year, society.id, u.id).await?
    {
        return Err(AppError::Forbidden);
    }
    let mut errors = Vec::new();
    let number: Option<u32> = task.trim().parse().ok();
    let status_v = AcceptanceStatus::parse(status.trim());
    if status_v.is_none() {
        errors.push(field(
            "status",
            "请选择：完成、部分完成或未完成。".into(),
            "Choose completed, partly completed or not completed.".into(),
        ));
    }
    let comment = text(comment, "comment", 2000, false)
        .map_err(|e| errors.push(e))
        .ok();
    let inputs = load_inputs(state, catalogue, state.clock.now(), Some(society)).await?;
    let proposal = inputs.first().and_then(|i| {
        number
            .and_then(|n| i.proposals.iter().find(|p| p.task == n))
            .cloned()
    });
    let Some(proposal) = proposal else {
        errors.push(field(
            "task",
            format!("任务 {} 不在本学会已通过的改革方案中。", task.trim()),
            format!(
                "Task {} is not in the society's accepted plan.",
                task.trim()
            ),
        ));
        return Err(invalid(errors));
    };
    let (Some(status_v), Some(comment)) = (status_v, comment) else {
        return Err(invalid(errors));
    };
    if let Err(note) = check_decision(
        proposal.status,
        &Decision {
            status: status_v,
            comment: comment.clone(),
        },
    ) {
        errors.push(field(
            "comment",
            format!("{}。", note.zh),
            format!("{}.", capitalise(&note.en)),
        ));
    }
    if !errors.is_empty() {
        return Err(invalid(errors));
    }
    store::record_decision(
        &state.db,
        &who.actor(),
        state.clock.now(),
        society,
        catalogue.year,
        proposal.task,
        proposal.status,
        status_v,
        &comment,
        &display_name(who),
    )
    .await
}

fn capitalise(s: &str) -> String {
    let mut c = s.chars();
    match c.next() {
        Some(f) => f.to_uppercase().chain(c).collect(),
        None => String::new(),
    }
}

// ---------------------------------------------------------------------------------------------
// Scores: parsing shared by self-scores and reviewer scores
// ---------------------------------------------------------------------------------------------

/// One leaf's entry as typed: indicator id, score text (empty: none), comment.
#[derive(Debug, Clone, Default, serde::Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ScoreInput {
    /// The indicator leaf's id (e.g. "1.1.1.1").
    pub indicator: String,
    /// Two decimals at most, 0 to the leaf's points; empty clears the entry.
    #[serde(default)]
    pub score: String,
    #[serde(default)]
    pub comment: String,
}

/// Parses entries against the catalogue's leaves; `expert_only` refuses automatic leaves;
/// `comment_required` asks a comment for every score. Field names are `score-<id>` and
/// `comment-<id>` (the pages' inputs).
fn parse_scores(
    catalogue: &Catalogue,
    entries: &[ScoreInput],
    expert_only: bool,
    comment_required: bool,
) -> AppResult<Vec<(String, Option<Score>, String)>> {
    let rules = rules_of(catalogue)?;
    let mut errors = Vec::new();
    let mut out = Vec::new();
    let mut seen = BTreeSet::new();
    for e in entries {
        let id = e.indicator.trim();
        let score_field = format!("score-{id}");
        let comment_field = format!("comment-{id}");
        let Some((_, ind)) = rules.indicator(id) else {
            errors.push(field(
                "indicator",
                format!("没有考核指标 {id}。"),
                format!("There is no indicator {id}."),
            ));
            continue;
        };
        let Some(leaf) = &ind.leaf else {
            errors.push(field(
                &score_field,
                format!("指标 {id} 不是末级指标，不能打分。"),
                format!("Indicator {id} is not a leaf and is not scored."),
            ));
            continue;
        };
        if expert_only && !matches!(leaf, Leaf::Expert) {
            errors.push(field(
                &score_field,
                format!("指标 {id} 由系统自动计分，评审专家不打分。"),
                format!("Indicator {id} is computed by the system, not scored by reviewers."),
            ));
            continue;
        }
        if !seen.insert(id.to_owned()) {
            errors.push(field(
                &score_field,
                format!("指标 {id} 重复。"),
                format!("Indicator {id} appears twice."),
            ));
            continue;
        }
        let comment = match text(&e.comment, &comment_field, 2000, false) {
            Ok(c) => c,
            Err(err) => {
                errors.push(err);
                continue;
            }
        };
        let raw = e.score.trim();
        if raw.is_empty() {
            out.push((id.to_owned(), None, comment));
            continue;
        }
        let score = match Score::parse_non_negative(raw) {
            Ok(s) => s,
            Err(err) => {
                errors.push(field(&score_field, err.message_zh(), err.message_en()));
                continue;
            }
        };
        if score > ind.points {
            errors.push(field(
                &score_field,
                format!("{score} 超出本指标的分值范围 0–{}。", ind.points),
                format!(
                    "{score} is outside this indicator's range 0–{}.",
                    ind.points
                ),
            ));
            continue;
        }
        if comment_required && comment.is_empty() {
            errors.push(field(
                &comment_field,
                format!("指标 {id} 的评分须写明理由。"),
                format!("A score of indicator {id} needs a comment."),
            ));
            continue;
        }
        out.push((id.to_owned(), Some(score), comment));
    }
    if errors.is_empty() {
        Ok(out)
    } else {
        Err(invalid(errors))
    }
}

/// The society's self-scores (自评分; its editors and administrators): any leaf, within its
/// range; an empty score clears it. Shown beside the reviewers' scores, never counted.
pub async fn set_self_scores(
    state: &AppState,
    who: &Principal,
    society: &Society,
    catalogue: &Catalogue,
    entries: &[ScoreInput],
) -> AppResult<()> {
    who.require(Action::EditSocietyData, Some(society.id))?;
    let parsed = parse_scores(catalogue, entries, false, false)?;
    store::set_self_scores(
        &state.db,
        &who.actor(),
        state.clock.now(),
        society,
        catalogue.year,
        &parsed,
        &display_name(who),
    )
    .await
}

/// A reviewer's scores of a society: saved as a draft, or submitted (`submit`: every expert
/// leaf must then have a score — counting the draft's). Refused with 403 for a principal who
/// is not assigned to the society or declared membership of / a conflict with it; a submitted
/// reviewer's scores are final (refused at the field `scores`).
pub async fn save_scores(
    state: &AppState,
    who: &Principal,
    society: &Society,
    catalogue: &Catalogue,
    entries: &[ScoreInput],
    submit: bool,
) -> AppResult<()> {
    who.require(Action::ListAllSocieties, None)?;
    let Some(me) = who.user() else {
        return Err(AppError::Forbidden);
    };
    let year = catalogue.year;
    match store::standing(&state.db, year, society.id, me.id).await? {
        Standing::NotAssigned | Standing::Barred(_) => return Err(AppError::Forbidden),
        Standing::Submitted => return Err(already_submitted()),
        Standing::Draft => {}
    }
    let parsed = parse_scores(catalogue, entries, true, true)?;
    if submit {
        let rules = rules_of(catalogue)?;
        let mut have: BTreeSet<String> = store::scores_of_society(&state.db, year, society.id)
            .await?
            .into_iter()
            .filter(|s| s.reviewer_id == me.id)
            .map(|s| s.indicator)
            .collect();
        for (id, score, _) in &parsed {
            if score.is_some() {
                have.insert(id.clone());
            } else {
                have.remove(id);
            }
        }
        let missing: Vec<FieldError> = rules
            .leaves()
            .filter(|(_, ind)| matches!(ind.leaf, Some(Leaf::Expert)) && !have.contains(&ind.id))
            .map(|(_, ind)| {
                field(
                    &format!("score-{}", ind.id),
                    format!("提交前须为指标 {} {} 打分。", ind.id, ind.name_zh),
                    format!(
                        "Score indicator {} {} before submitting.",
                        ind.id, ind.name_en
                    ),
                )
            })
            .collect();
        if !missing.is_empty() {
            return Err(invalid(missing));
        }
    }
    match store::save_scores(
        &state.db,
        &who.actor(),
        state.clock.now(),
        year,
        society,
        me.id,
        &parsed,
        submit,
    )
    .await?
    {
        Ok(_) => Ok(()),
        Err(Standing::Submitted | Standing::Draft) => Err(already_submitted()),
        Err(Standing::NotAssigned | Standing::Barred(_)) => Err(AppError::Forbidden),
    }
}

fn already_submitted() -> AppError {
    invalid(vec![field(
        "scores",
        "您已提交对本学会的评分，评分不能再修改。".into(),
        "You have submitted your scores of this society; they can no longer be changed.".into(),
    )])
}

// ---------------------------------------------------------------------------------------------
// Reviewers: declarations and assignments
// ---------------------------------------------------------------------------------------------

/// A reviewer declares membership of (`member`) or a conflict with (`conflict`) a society for
/// the year, with the reason (required). An unsubmitted assignment to it is removed. An
/// administrator may record it for a named reviewer (`for_reviewer`, a username).
pub async fn declare(
    state: &AppState,
    who: &Principal,
    society: &Society,
    catalogue: &Catalogue,
    kind: &str,
    reason: &str,
    for_reviewer: Option<&str>,
) -> AppResult<()> {
    who.require(Action::ListAllSocieties, None)?;
    let mut errors = Vec::new();
    let kind = kind.trim();
    if !matches!(kind, "member" | "conflict") {
        errors.push(field(
            "kind",
            "请选择：本学会成员，或存在利益冲突。".into(),
            "Choose member of the society, or conflict of interest.".into(),
        ));
    }
    let reason = text(reason, "reason", 2000, true)
        .map_err(|e| errors.push(e))
        .ok();
    let reviewer = match for_reviewer.map(str::trim).filter(|s| !s.is_empty()) {
        Some(username) => {
            if !is_admin(who) {
                return Err(AppError::Forbidden);
            }
            match users::by_username(&state.db, username).await? {
                Some(u) if matches!(u.user.role, Role::Reviewer | Role::Admin) => Some(u.user),
                _ => {
                    errors.push(field(
                        "reviewer",
                        format!("没有名为 {username} 的评审专家。"),
                        format!("There is no reviewer named {username}."),
                    ));
                    None
                }
            }
        }
        None => who.user().cloned(),
    };
    let (Some(reason), Some(reviewer), true) = (reason, reviewer, errors.is_empty()) else {
        if errors.is_empty() {
            return Err(AppError::Forbidden);
        }
        return Err(invalid(errors));
    };
    store::declare(
        &state.db,
        &who.actor(),
        state.clock.now(),
        catalogue.year,
        society,
        reviewer.id,
        kind,
        &reason,
        &reviewer.display_name,
    )
    .await
}

/// What a bulk assignment did: assigned pairs, and those already assigned.
#[derive(Debug, Default, serde::Serialize, utoipa::ToSchema)]
pub struct AssignReport {
    pub assigned: u32,
    pub already: u32,
}

/// Assigns reviewers to societies (administrators), all or none: `lines` are
/// `society code, reviewer username` (comma, Chinese comma, tab or spaces between; blank lines
/// and lines starting with `#` ignored). A line is refused — at the field `lines`, naming the
/// line and the reason — for an unknown society or user, a user who is not a reviewer or
/// administrator, a user of the society's own people, or a declared membership / conflict.
pub async fn assign_lines(
    state: &AppState,
    who: &Principal,
    catalogue: &Catalogue,
    lines: &str,
) -> AppResult<AssignReport> {
    who.require(Action::ManageUsers, None)?;
    rules_of(catalogue)?;
    let year = catalogue.year;
    let all_users = users::list(&state.db).await?;
    let societies_by_code: BTreeMap<String, Society> =
        societies::list(&state.db, &Default::default())
            .await?
            .into_iter()
            .map(|s| (s.code.clone(), s))
            .collect();
    let declared: BTreeMap<(i64, i64), (String, String)> =
        store::declarations_of_year(&state.db, year)
            .await?
            .into_iter()
            .map(|d| ((d.reviewer_id, d.society_id), (d.kind, d.reason)))
            .collect();
    let mut errors = Vec::new();
    let mut pairs = Vec::new();
    for (i, raw) in lines.lines().enumerate() {
        let line_no = i + 1;
        let line = raw.trim();
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        let parts: Vec<&str> = line
            .split(|c: char| c == ',' || c == '，' || c == '\t' || c.is_whitespace())
            .filter(|p| !p.is_empty())
            .collect();
        let err = |zh: String, en: String| {
            field(
                "lines",
                format!("第 {line_no} 行：{zh}"),
                format!("Line {line_no}: {en}"),
            )
        };
        let [code, username] = parts.as_slice() else {
            errors.push(err(
                format!("“{line}”应为“学会代码, 评审专家用户名”。"),
                format!("\"{line}\" should be \"society code, reviewer username\"."),
            ));
            continue;
        };
        let Some(society) = societies_by_code.get(&code.to_uppercase()) else {
            errors.push(err(
                format!("没有代码为 {code} 的学会。"),
                format!("there is no society {code}."),
            ));
            continue;
        };
        let Some(user) = all_users.iter().find(|u| u.username == *username) else {
            errors.push(err(
                format!("没有用户 {username}。"),
                format!("there is no user {username}."),
            ));
            continue;
        };
        if user.disabled || !matches!(user.role, Role::Reviewer | Role::Admin) {
            errors.push(err(
                format!("{} 不是评审专家或管理员。", user.display_name),
                format!(
                    "{} is not a reviewer or an administrator.",
                    user.display_name
                ),
            ));
            continue;
        }
        if user.society_id == Some(society.id) {
            errors.push(err(
                format!(
                    "{} 属于{}，不能评审本学会。",
                    user.display_name, society.name
                ),
                format!(
                    "{} belongs to {} and cannot review it.",
                    user.display_name, society.code
                ),
            ));
            continue;
        }
        if let Some((kind, reason)) = declared.get(&(user.id, society.id)) {
            let (zh, en) = declared_text(kind, reason);
            errors.push(err(
                format!("{}：{zh}", user.display_name),
                format!("{}: {en}", user.display_name),
            ));
            continue;
        }
        pairs.push((society.clone(), user.clone()));
    }
    if !errors.is_empty() {
        return Err(invalid(errors));
    }
    if pairs.is_empty() {
        return Err(invalid(vec![field(
            "lines",
            "请每行填写“学会代码, 评审专家用户名”。".into(),
            "Write one \"society code, reviewer username\" per line.".into(),
        )]));
    }
    let mut report = AssignReport::default();
    for (society, user) in &pairs {
        match store::assign(
            &state.db,
            &who.actor(),
            state.clock.now(),
            year,
            society,
            user.id,
            &user.username,
        )
        .await?
        {
            Assigned::New => report.assigned += 1,
            Assigned::AlreadyAssigned => report.already += 1,
            // Declared between the check above and now: refused at the field.
            Assigned::Barred(Barred::Declared(kind, reason)) => {
                let (zh, en) = declared_text(&kind, &reason);
                return Err(invalid(vec![field(
                    "lines",
                    format!("{} / {}：{zh}", society.code, user.display_name),
                    format!("{} / {}: {en}", society.code, user.display_name),
                )]));
            }
        }
    }
    Ok(report)
}

/// The year's assignments and declarations, and the users who may review (administrators).
pub struct ReviewerBoard {
    pub assignments: Vec<Assignment>,
    pub declarations: Vec<Declaration>,
    pub reviewers: Vec<users::User>,
}

pub async fn reviewer_board(
    state: &AppState,
    who: &Principal,
    catalogue: &Catalogue,
) -> AppResult<ReviewerBoard> {
    who.require(Action::ManageUsers, None)?;
    Ok(ReviewerBoard {
        assignments: store::assignments_of_year(&state.db, catalogue.year).await?,
        declarations: store::declarations_of_year(&state.db, catalogue.year).await?,
        reviewers: users::list(&state.db)
            .await?
            .into_iter()
            .filter(|u| !u.disabled && matches!(u.role, Role::Reviewer | Role::Admin))
            .collect(),
    })
}

// ---------------------------------------------------------------------------------------------
// Deductions and bonuses
// ---------------------------------------------------------------------------------------------

/// Gives a society a deduction or bonus of the catalogue (administrators, or a reviewer
/// assigned to it without a declaration): positive points, the entries of that id adding up to
/// at most its `max`, a reason (required).
pub async fn add_adjustment(
    state: &AppState,
    who: &Principal,
    society: &Society,
    catalogue: &Catalogue,
    adjustment: &str,
    points: &str,
    reason: &str,
) -> AppResult<i64> {
    who.require(Action::ListAllSocieties, None)?;
    let year = catalogue.year;
    if !is_admin(who) {
        let Some(me) = who.user() else {
            return Err(AppError::Forbidden);
        };
        if !matches!(
            store::standing(&state.db, year, society.id, me.id).await?,
            Standing::Draft | Standing::Submitted
        ) {
            return Err(AppError::Forbidden);
        }
    }
    let rules = rules_of(catalogue)?;
    let mut errors = Vec::new();
    let decl = rules.adjustment(adjustment.trim());
    if decl.is_none() {
        errors.push(field(
            "adjustment",
            "请选择任务清单中的扣分或加分项。".into(),
            "Choose a deduction or bonus of the catalogue.".into(),
        ));
    }
    let points = match Score::parse_non_negative(points.trim()) {
        Ok(p) if p > Score::ZERO => Some(p),
        Ok(_) => {
            errors.push(field(
                "points",
                "分值须大于 0。".into(),
                "Points must be above 0.".into(),
            ));
            None
        }
        Err(e) => {
            errors.push(field("points", e.message_zh(), e.message_en()));
            None
        }
    };
    let reason = text(reason, "reason", 2000, true)
        .map_err(|e| errors.push(e))
        .ok();
    let (Some(decl), Some(points), Some(reason), true) = (decl, points, reason, errors.is_empty())
    else {
        return Err(invalid(errors));
    };
    let given: i64 = store::adjustments_of_year(&state.db, year, Some(society.id))
        .await?
        .remove(&society.id)
        .unwrap_or_default()
        .iter()
        .filter(|a| a.adjustment == decl.id)
        .map(|a| a.points.hundredths())
        .sum();
    if given + points.hundredths() > decl.max.hundredths() {
        let kind = match decl.kind {
            AdjustmentKind::Deduction => ("扣分", "deductions"),
            AdjustmentKind::Bonus => ("加分", "bonuses"),
        };
        return Err(invalid(vec![field(
            "points",
            format!(
                "“{}”{}合计不超过 {} 分（已有 {}）。",
                decl.name_zh,
                kind.0,
                decl.max,
                Score::from_hundredths(given).unwrap_or(Score::ZERO)
            ),
            format!(
                "\"{}\" {} add up to at most {} points ({} given already).",
                decl.name_en,
                kind.1,
                decl.max,
                Score::from_hundredths(given).unwrap_or(Score::ZERO)
            ),
        )]));
    }
    store::add_adjustment(
        &state.db,
        &who.actor(),
        state.clock.now(),
        year,
        society,
        &decl.id,
        points,
        &reason,
        &display_name(who),
    )
    .await
}

/// Withdraws a deduction or bonus (administrators, or a reviewer assigned to the society, as
/// for giving one): kept in the database, marked withdrawn with who, when and the reason
/// (required, at the field `reason`). `id` is the adjustment's number on the society's page
/// (refused at the field `id` when no adjustment in force has it). Audited.
pub async fn withdraw_adjustment(
    state: &AppState,
    who: &Principal,
    society: &Society,
    catalogue: &Catalogue,
    id: &str,
    reason: &str,
) -> AppResult<()> {
    who.require(Action::ListAllSocieties, None)?;
    let year = catalogue.year;
    if !is_admin(who) {
        let Some(me) = who.user() else {
            return Err(AppError::Forbidden);
        };
        if !matches!(
            store::standing(&state.db, year, society.id, me.id).await?,
            Standing::Draft | Standing::Submitted
        ) {
            return Err(AppError::Forbidden);
        }
    }
    let mut errors = Vec::new();
    let in_force: Vec<i64> = store::adjustments_of_year(&state.db, year, Some(society.id))
        .await?
        .remove(&society.id)
        .unwrap_or_default()
        .iter()
        .map(|a| a.id)
        .collect();
    let id_v = id
        .trim()
        .parse::<i64>()
        .ok()
        .filter(|n| in_force.contains(n));
    if id_v.is_none() {
        errors.push(field(
            "id",
            "请选择本学会一项有效的扣分或加分。".into(),
            "Choose a deduction or bonus of this society that is in force.".into(),
        ));
    }
    let reason = match text(reason, "reason", 2000, true) {
        Ok(r) => Some(r),
        Err(e) => {
            errors.push(if reason.trim().is_empty() {
                field(
                    "reason",
                    "请写明撤销的理由。".into(),
                    "Please give the reason for withdrawing it.".into(),
                )
            } else {
                e
            });
            None
        }
    };
    let (Some(id_v), Some(reason), true) = (id_v, reason, errors.is_empty()) else {
        return Err(invalid(errors));
    };
    if !store::withdraw_adjustment(
        &state.db,
        &who.actor(),
        state.clock.now(),
        year,
        society,
        id_v,
        &reason,
        &display_name(who),
    )
    .await?
    {
        // Withdrawn meanwhile by someone else.
        return Err(invalid(vec![field(
            "id",
            "这项扣分或加分已经撤销。".into(),
            "This deduction or bonus has already been withdrawn.".into(),
        )]));
    }
    Ok(())
}

/// Removes a reviewer's assignment to a society (administrators): `society` is the society's
/// code, `reviewer` the reviewer's username. Refused at the field `reviewer` when the reviewer
/// is not assigned to it, or has already submitted (submitted scores are final and counted);
/// at `society` for an unknown society. The reviewer's draft scores go with the assignment.
/// Audited.
pub async fn unassign(
    state: &AppState,
    who: &Principal,
    catalogue: &Catalogue,
    society: &str,
    reviewer: &str,
) -> AppResult<()> {
    who.require(Action::ManageUsers, None)?;
    rules_of(catalogue)?;
    let year = catalogue.year;
    let code = society.trim().to_uppercase();
    let username = reviewer.trim();
    let mut errors = Vec::new();
    let found = if code.is_empty() {
        None
    } else {
        societies::by_code(&state.db, &code).await?
    };
    if found.is_none() {
        errors.push(field(
            "society",
            format!("没有代码为 {} 的学会。", society.trim()),
            format!("There is no society {}.", society.trim()),
        ));
    }
    let user = if username.is_empty() {
        None
    } else {
        users::by_username(&state.db, username)
            .await?
            .map(|u| u.user)
    };
    if user.is_none() {
        errors.push(field(
            "reviewer",
            format!("没有用户 {username}。"),
            format!("There is no user {username}."),
        ));
    }
    let (Some(society), Some(user), true) = (found, user, errors.is_empty()) else {
        return Err(invalid(errors));
    };
    let assignment = store::assignments_of_year(&state.db, year)
        .await?
        .into_iter()
        .find(|a| a.society_id == society.id && a.reviewer_id == user.id);
    match assignment {
        None => Err(invalid(vec![field(
            "reviewer",
            format!("{} 没有被分配评审{}。", user.display_name, society.name),
            format!("{} is not assigned to {}.", user.display_name, society.code),
        )])),
        Some(a) if a.submitted_at.is_some() => Err(invalid(vec![field(
            "reviewer",
            format!(
                "{} 已提交对{}的评分，评分已计入结果，不能取消分配。",
                user.display_name, society.name
            ),
            format!(
                "{} has submitted their scores of {}; they count, so the assignment cannot be removed.",
                user.display_name, society.code
            ),
        )])),
        Some(_) => {
            if store::unassign(
                &state.db,
                &who.actor(),
                state.clock.now(),
                year,
                &society,
                user.id,
                &user.username,
            )
            .await?
            {
                Ok(())
            } else {
                // Submitted between the check and now.
                Err(invalid(vec![field(
                    "reviewer",
                    format!("{} 刚刚提交了评分，不能取消分配。", user.display_name),
                    format!(
                        "{} has just submitted their scores; the assignment stays.",
                        user.display_name
                    ),
                )]))
            }
        }
    }
}

//! Monthly reports (R-TRACK-1..3): opening a month's report from the accepted plan, drafts,
//! submission (the next version; late after the due day; fact-linked values become facts in the
//! same transaction; read-only until the reviewer decides), the reviewer's comment, return or
//! accept (issue 10: reports behave like plans), month locks, the society's timeline, and
//! the reminders and the rectification rule the housekeeping runs. Report content, validation,
//! colours and rates live in the domain core (`reformwatch_core::tracking`).

use std::collections::BTreeMap;

use chrono::{DateTime, NaiveDate, Utc};
use reformwatch_core::catalogue::Catalogue;
use reformwatch_core::plan::{self, PlanContent};
use reformwatch_core::tracking::{
    self as core, Month, RateCell, ReportAction, ReportContent, SocietyColour,
};
use serde::Serialize;
use serde_json::Value;

use crate::AppState;
use crate::auth::policy::Action;
use crate::db::documents::{self, Decision, NewReview, Review, Version};
use crate::db::evidence::{self, Evidence};
use crate::db::facts::{self, FactChange};
use crate::db::plans::{self as plan_store, PlanKind};
use crate::db::reports::{self as store, NewReport, Report};
use crate::db::societies::{self, Society};
use crate::error::{AppError, AppResult};
use crate::model::FieldError;
use crate::principal::Principal;
use crate::service::notifications::{self as notify, Note};
use crate::service::progress::Progress;

fn transition_error(e: plan::TransitionError) -> AppError {
    AppError::Invalid(vec![FieldError::localized(
        "state",
        "err-report-state",
        e.message_zh,
        e.message_en,
    )])
}

/// The accepted reform plan of a society for a year: (content, version).
pub async fn accepted_plan(
    state: &AppState,
    society: &Society,
    year: i32,
) -> AppResult<Option<(PlanContent, i64)>> {
    Ok(
        plan_store::accepted_of_year(&state.db, year, Some(society.id))
            .await?
            .remove(&society.id),
    )
}

/// A society's colours at `at` (R-TRACK-3), from plan, reports and facts.
pub async fn society_colours(
    state: &AppState,
    society: &Society,
    catalogue: &Catalogue,
    at: DateTime<Utc>,
) -> AppResult<SocietyColour> {
    let progress = Progress::load(state, catalogue, Some(society)).await?;
    Ok(progress.colours(catalogue, society.id, at))
}

/// A month of the catalogue year written in a form (`"6"`); anything else is 404.
pub fn parse_month(year: i32, month: &str) -> AppResult<Month> {
    let m: u32 = month.trim().parse().map_err(|_| AppError::NotFound)?;
    Month::new(year, m).ok_or(AppError::NotFound)
}

/// The society's report of a month, if it has one.
pub async fn find(state: &AppState, society: &Society, month: Month) -> AppResult<Option<Report>> {
    store::get(&state.db, society.id, month.year, month.month).await
}

/// The society's report of a month (404 when there is none).
pub async fn get(state: &AppState, society: &Society, month: Month) -> AppResult<Report> {
    find(state, society, month).await?.ok_or(AppError::NotFound)
}

/// Everything the API shows about one report.
#[derive(Serialize, utoipa::ToSchema)]
pub struct ReportView {
    pub report: Report,
    #[schema(value_type = Vec<Object>)]
    pub issues: Vec<reformwatch_core::plan::PlanIssue>,
    #[schema(value_type = Vec<Object>)]
    pub versions: Vec<Version<ReportContent>>,
    pub reviews: Vec<Review>,
    /// Due instant (UTC).
    pub due: String,
}

/// A society's report of a month with its issues, versions and reviews (404 when none).
pub async fn view(
    state: &AppState,
    society: &Society,
    catalogue: &Catalogue,
    month: Month,
) -> AppResult<ReportView> {
    let report = get(state, society, month).await?;
    let plan = accepted_plan(state, society, catalogue.year)
        .await?
        .map(|p| p.0)
        .unwrap_or_default();
    Ok(ReportView {
        issues: core::validate_report(&plan, &report.draft),
        versions: documents::versions(&state.db, &report).await?,
        reviews: documents::reviews(&state.db, &report).await?,
        due: core::report_due(catalogue, month).to_rfc3339(),
        report,
    })
}

/// What the report page shows.
pub struct Detail {
    pub report: Report,
    pub versions: Vec<Version<ReportContent>>,
    pub reviews: Vec<Review>,
    /// The accepted plan the report follows (empty when none is accepted).
    pub plan: PlanContent,
    /// Not locked, or the society has an exception.
    pub open: bool,
    /// The society's colours now.
    pub colours: SocietyColour,
    /// Evidence attached to this month's report.
    pub evidence: Vec<Evidence>,
}

/// Why a month without a report cannot be started, if it cannot.
pub struct Unstarted {
    pub has_plan: bool,
    pub open: bool,
}

/// The report page's data: the report with its versions, reviews, plan, colours and evidence,
/// or, for a month without a report, what starting it needs. 404 for a month that is not
/// reported (outside the catalogue's tracking months).
pub async fn detail(
    state: &AppState,
    society: &Society,
    catalogue: &Catalogue,
    month: Month,
) -> AppResult<Result<Detail, Unstarted>> {
    if !core::expected_months(catalogue).contains(&month) {
        return Err(AppError::NotFound);
    }
    let open = store::is_open(&state.db, society.id, month.year, month.month).await?;
    let progress = Progress::load(state, catalogue, Some(society)).await?;
    let plan = progress.plan(society.id).map(|p| p.0.clone());
    let Some(report) = find(state, society, month).await? else {
        return Ok(Err(Unstarted {
            has_plan: plan.is_some(),
            open,
        }));
    };
    let evidence = evidence::of_society(&state.db, society.id, catalogue.year)
        .await?
        .into_iter()
        .filter(|e| e.owner_type == "report" && e.month == Some(month.month))
        .collect();
    Ok(Ok(Detail {
        versions: documents::versions(&state.db, &report).await?,
        reviews: documents::reviews(&state.db, &report).await?,
        plan: plan.unwrap_or_default(),
        open,
        colours: progress.colours(catalogue, society.id, state.clock.now()),
        evidence,
        report,
    }))
}

/// A society's year at a glance.
pub struct Timeline {
    pub colours: SocietyColour,
    pub reports: Vec<Report>,
    pub locked: Vec<u32>,
    pub rate: RateCell,
    pub has_plan: bool,
}

pub async fn timeline(
    state: &AppState,
    society: &Society,
    catalogue: &Catalogue,
) -> AppResult<Timeline> {
    let now = state.clock.now();
    let progress = Progress::load(state, catalogue, Some(society)).await?;
    Ok(Timeline {
        colours: progress.colours(catalogue, society.id, now),
        reports: store::of_society(&state.db, society.id, catalogue.year).await?,
        locked: store::locked_months(&state.db, catalogue.year).await?,
        rate: core::society_rate(catalogue, &progress.first_submissions(society.id), now),
        has_plan: progress.plan(society.id).is_some(),
    })
}

/// Opens the month's report, pre-filled from the accepted plan and last month's report.
pub async fn open(
    state: &AppState,
    who: &Principal,
    society: &Society,
    catalogue: &Catalogue,
    month: Month,
) -> AppResult<()> {
    who.require(Action::EditSocietyData, Some(society.id))?;
    let progress = Progress::load(state, catalogue, Some(society)).await?;
    let (plan, version) = progress
        .plan(society.id)
        .ok_or_else(|| FieldError::new("plan", "err-no-accepted-plan"))?;
    if !core::expected_months(catalogue).contains(&month) {
        return Err(FieldError::new("month", "err-month-not-expected")
            .arg("month", month)
            .into());
    }
    ensure_open(state, society, month).await?;
    let previous = progress
        .received(society.id)
        .iter()
        .filter(|r| r.month < month)
        .max_by_key(|r| r.month);
    let content = core::new_report(plan, previous.map(|r| &r.content));
    let now = state.clock.now();
    let mut tx = state.db.begin().await?;
    store::create(
        &state.db,
        &mut tx,
        &who.actor(),
        now,
        &NewReport {
            society_id: society.id,
            society_code: &society.code,
            month,
            plan_version: *version,
            draft: &content,
        },
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

async fn ensure_open(state: &AppState, society: &Society, month: Month) -> AppResult<()> {
    if store::is_open(&state.db, society.id, month.year, month.month).await? {
        Ok(())
    } else {
        Err(FieldError::new("month", "err-month-locked")
            .arg("month", month)
            .into())
    }
}

/// Replaces the draft of the month's report (not in a locked month; only a draft or a returned
/// report: after a submission the society waits for the reviewer's decision, R-TRACK-1).
pub async fn save_draft(
    state: &AppState,
    who: &Principal,
    society: &Society,
    month: Month,
    content: ReportContent,
) -> AppResult<()> {
    who.require(Action::EditSocietyData, Some(society.id))?;
    let report = get(state, society, month).await?;
    ensure_open(state, society, month).await?;
    core::report_transition(report.state, ReportAction::Edit).map_err(transition_error)?;
    // Issue 9 finding 5: lengths, list sizes and integer bounds.
    super::limits::report(&content).map_err(AppError::Invalid)?;
    let mut tx = state.db.begin().await?;
    documents::save_draft(
        &state.db,
        &mut tx,
        &who.actor(),
        state.clock.now(),
        &report,
        &content,
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

/// Last day of a month: the date reported values hold for.
fn month_end(month: Month) -> NaiveDate {
    let next = month.next();
    NaiveDate::from_ymd_opt(next.year, next.month, 1)
        .and_then(|d| d.pred_opt())
        .unwrap_or_default()
}

/// Submits the draft as a new version: refused with every blocking issue listed; after the due
/// day accepted and marked late. Reported values of targets linked to a fact become new fact
/// versions in the same transaction, so rule verdicts follow the latest report.
pub async fn submit(
    state: &AppState,
    who: &Principal,
    society: &Society,
    catalogue: &Catalogue,
    month: Month,
) -> AppResult<i64> {
    who.require(Action::EditSocietyData, Some(society.id))?;
    let report = get(state, society, month).await?;
    ensure_open(state, society, month).await?;
    let to =
        core::report_transition(report.state, ReportAction::Submit).map_err(transition_error)?;
    let (plan, _) = accepted_plan(state, society, catalogue.year)
        .await?
        .ok_or_else(|| FieldError::new("plan", "err-no-accepted-plan"))?;
    let content = &report.draft;
    let issues = core::validate_report(&plan, content);
    if !plan::is_submittable(&issues) {
        return Err(crate::service::plans::issues_error("report", &issues));
    }
    let now = state.clock.now();
    let due = core::report_due(catalogue, month);
    // Whole seconds, as the domain rule: 23:59:59.9 on the due day is on time.
    let late =
        (!core::report_on_time(catalogue, month, now)).then(|| (now - due).num_seconds().max(1));
    // Fact-linked targets → fact history (source "report").
    let mut changes: BTreeMap<String, FactChange> = BTreeMap::new();
    for tr in &content.tasks {
        let Some(pt) = plan.tasks.iter().find(|t| t.number == tr.number) else {
            continue;
        };
        for v in &tr.values {
            if let (Some(target), Some(value)) = (pt.targets.get(v.target), v.value)
                && let Some(field) = &target.fact
            {
                changes.insert(
                    field.clone(),
                    FactChange {
                        field: field.clone(),
                        value: Some(Value::from(value)),
                    },
                );
            }
        }
    }
    let actor = who.actor();
    let mut tx = state.db.begin().await?;
    let version =
        documents::submit(&state.db, &mut tx, &actor, now, &report, to.as_str(), late).await?;
    if !changes.is_empty() {
        let changes: Vec<FactChange> = changes.into_values().collect();
        facts::record_in(
            &state.db,
            &mut tx,
            &actor,
            now,
            society,
            catalogue,
            month_end(month),
            "report",
            &changes,
        )
        .await?;
    }
    tx.commit().await?;
    notify::staff(
        state,
        now,
        Note {
            kind: "report-submitted",
            key: format!("report/{}/{month}/{version}", society.code),
            link: link(society, month),
            society,
        },
    )
    .await?;
    Ok(version)
}

/// The page of a society's report of a month.
pub fn link(society: &Society, month: Month) -> String {
    format!(
        "/societies/{}/reports/{}/{}",
        society.code, month.year, month.month
    )
}

/// A reviewer's step on a report (R-TRACK-1).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ReportDecision {
    /// A comment without a decision.
    Comment,
    /// Return the latest version for correction.
    Return,
    /// Accept the latest version (issue 10: reports behave like plans).
    Accept,
}

impl ReportDecision {
    /// `comment`, `return` or `accept`; anything else is a field error naming the value.
    pub fn parse(raw: &str) -> Result<ReportDecision, FieldError> {
        match raw {
            "comment" => Ok(ReportDecision::Comment),
            "return" => Ok(ReportDecision::Return),
            "accept" => Ok(ReportDecision::Accept),
            other => Err(FieldError::new("decision", "err-decision").arg("value", other)),
        }
    }
}

/// A reviewer comments on, returns or accepts the latest submitted version (R-TRACK-1). A
/// comment and a return need a comment; an accept may have one. The state change, the review
/// and its audit entry are one transaction; the society is notified (inbox) afterwards.
pub async fn review(
    state: &AppState,
    who: &Principal,
    society: &Society,
    month: Month,
    decision: ReportDecision,
    comment: &str,
) -> AppResult<()> {
    who.require(Action::ListAllSocieties, None)?;
    let report = get(state, society, month).await?;
    let accept = decision == ReportDecision::Accept;
    let comment = crate::model::text(comment, "comment", super::limits::TEXT, !accept)?;
    let version = report
        .latest_version
        .ok_or_else(|| FieldError::new("state", "err-report-not-submitted"))?;
    let (action, stored) = match decision {
        ReportDecision::Comment => (ReportAction::Comment, Decision::Comment),
        ReportDecision::Return => (ReportAction::Return, Decision::Returned),
        ReportDecision::Accept => (ReportAction::Accept, Decision::Accepted),
    };
    let to = core::report_transition(report.state, action).map_err(transition_error)?;
    let now = state.clock.now();
    let mut tx = state.db.begin().await?;
    documents::review(
        &state.db,
        &mut tx,
        &who.actor(),
        now,
        &report,
        &NewReview {
            decision: stored,
            version,
            to: to.as_str(),
            comment: &comment,
            task_comments: &BTreeMap::new(),
        },
    )
    .await?;
    tx.commit().await?;
    let kind = match decision {
        ReportDecision::Return => "report-returned",
        ReportDecision::Comment => "report-commented",
        ReportDecision::Accept => "report-accepted",
    };
    let n = documents::reviews(&state.db, &report).await?.len();
    notify::society(
        state,
        now,
        Note {
            kind,
            key: format!("{kind}/{}/{month}/{n}", society.code),
            link: link(society, month),
            society,
        },
    )
    .await
}

/// Days before the due instant when the "due soon" reminder goes out.
pub const REMIND_DAYS_BEFORE: i64 = 3;

/// Reminders for monthly reports (issue 5): to each society with an accepted plan, a few days
/// before a report is due and once it is overdue (for the latest due month only). Idempotent
/// (deduplicated per society and month); a fixed number of queries. Returns how many societies
/// were due a reminder (already reminded ones included).
pub async fn report_reminders(
    state: &AppState,
    catalogue: &Catalogue,
    now: DateTime<Utc>,
) -> AppResult<usize> {
    // Which societies have an accepted plan is all reminders read of the plans (issue 8).
    let plans = plan_store::accepted_societies(&state.db, catalogue.year).await?;
    if plans.is_empty() {
        return Ok(0);
    }
    let societies = societies::list(&state.db, &Default::default()).await?;
    let reports = store::of_year(&state.db, catalogue.year).await?;
    let latest_due = core::months_due_by(catalogue, now).last().copied();
    let mut notes = Vec::new();
    for month in core::expected_months(catalogue) {
        let due = core::report_due(catalogue, month);
        let kind = if now > due {
            "report-overdue"
        } else if due - now <= chrono::Duration::days(REMIND_DAYS_BEFORE) {
            "report-due-soon"
        } else {
            continue;
        };
        // Overdue reminders only for the latest due month, not the whole year at once.
        if kind == "report-overdue" && latest_due != Some(month) {
            continue;
        }
        for s in &societies {
            let submitted = reports.iter().any(|r| {
                r.society_id == s.id && r.month == month.month && r.latest_version.is_some()
            });
            if submitted || !plans.contains(&s.id) {
                continue;
            }
            notes.push(Note {
                kind,
                key: format!("{kind}/{}/{month}", s.code),
                link: link(s, month),
                society: s,
            });
        }
    }
    notify::societies(state, now, &notes).await?;
    Ok(notes.len())
}

/// R-PLAN-5 by rule: a society with a task red for `tracking.red_task_months` months in a row
/// is asked for a rectification plan (once a year), as the catalogue configures. A fixed number
/// of queries to decide; one request (and notification) per society asked. Returns how many
/// were asked now.
pub async fn auto_rectification(
    state: &AppState,
    catalogue: &Catalogue,
    now: DateTime<Utc>,
) -> AppResult<usize> {
    let progress = Progress::of_all(state, catalogue).await?;
    if progress.plans.is_empty() {
        return Ok(0);
    }
    let asked_before: Vec<i64> =
        plan_store::list(&state.db, catalogue.year, PlanKind::Rectification)
            .await?
            .iter()
            .map(|p| p.society_id)
            .collect();
    let mut asked = 0;
    for s in societies::list(&state.db, &Default::default()).await? {
        if !progress.plans.contains_key(&s.id) || asked_before.contains(&s.id) {
            continue;
        }
        let streaks = progress.red_streaks(catalogue, s.id, now);
        let tasks = core::rectification_suggested(catalogue, &streaks);
        if tasks.is_empty() {
            continue;
        }
        let list = tasks
            .iter()
            .map(|t| t.to_string())
            .collect::<Vec<_>>()
            .join("、");
        let reason = format!(
            "任务 {list} 已连续 {} 个月为红色，请分析原因并提交整改方案。/ Task(s) {list} have been red for {} months in a row: please analyse why and submit a rectification plan.",
            catalogue.tracking.red_task_months, catalogue.tracking.red_task_months
        );
        crate::service::plans::request_rectification(
            state,
            &Principal::System,
            &s,
            catalogue.year,
            &reason,
        )
        .await?;
        asked += 1;
    }
    Ok(asked)
}

/// Locks or unlocks a month (administrators): a locked month's reports and report evidence
/// cannot change, unless a society is granted an exception.
pub async fn set_lock(
    state: &AppState,
    who: &Principal,
    catalogue: &Catalogue,
    month: &str,
    locked: bool,
) -> AppResult<Month> {
    who.require(Action::ManageSocieties, None)?;
    let m = parse_month(catalogue.year, month)?;
    store::set_lock(
        &state.db,
        &who.actor(),
        state.clock.now(),
        m.year,
        m.month,
        locked,
    )
    .await?;
    Ok(m)
}

/// Lets one society change its report of a locked month (administrators).
pub async fn grant_exception(
    state: &AppState,
    who: &Principal,
    catalogue: &Catalogue,
    month: &str,
    society_code: &str,
) -> AppResult<Month> {
    who.require(Action::ManageSocieties, None)?;
    let m = parse_month(catalogue.year, month)?;
    let s = societies::by_code(&state.db, society_code)
        .await?
        .ok_or_else(|| {
            FieldError::new("society", "err-society-unknown").arg("value", society_code)
        })?;
    store::grant_exception(
        &state.db,
        &who.actor(),
        state.clock.now(),
        s.id,
        &s.code,
        m.year,
        m.month,
    )
    .await?;
    Ok(m)
}

/// The locked months of a year.
pub async fn locked_months(state: &AppState, year: i32) -> AppResult<Vec<u32>> {
    store::locked_months(&state.db, year).await
}

//! Monthly tracking (R-TRACK-1..3): the orchestration shared by pages and API. Report content,
//! validation, colours and rates live in the domain core (`reformwatch_core::tracking`).

use std::collections::BTreeMap;

use chrono::{DateTime, NaiveDate, Utc};
use reformwatch_core::catalogue::Catalogue;
use reformwatch_core::plan::{self, PlanContent};
use reformwatch_core::tracking::{
    self as core, Month, ReceivedReport, ReportContent, SocietyColour,
};
use serde_json::Value;

use crate::AppState;
use crate::db::facts::{self, FactChange};
use crate::db::plans::{self, PlanKind};
use crate::db::reports::{self as store, ReportRow};
use crate::db::societies::Society;
use crate::error::{AppError, AppResult};
use crate::model::FieldError;
use crate::principal::Principal;
use crate::service::notifications::{self as notify, Note};

/// The accepted reform plan of a society for a year: (content, version).
pub async fn accepted_plan(
    state: &AppState,
    society_id: i64,
    year: i32,
) -> AppResult<Option<(PlanContent, i64)>> {
    let Some(plan) = plans::get(&state.db, society_id, year, PlanKind::Reform).await? else {
        return Ok(None);
    };
    let Some(version) = plan.accepted_version else {
        return Ok(None);
    };
    let versions = plans::versions(&state.db, plan.id).await?;
    let content = versions
        .iter()
        .find(|v| v.version == version)
        .map(|v| v.content.clone())
        .ok_or_else(|| anyhow::anyhow!("accepted version {version} missing"))?;
    let content: PlanContent = serde_json::from_value(content)
        .map_err(|e| anyhow::anyhow!("accepted plan unreadable: {e}"))?;
    Ok(Some((content, version)))
}

/// Received reports of a society: latest content per month, first submission time.
pub async fn received(
    state: &AppState,
    society_id: i64,
    year: i32,
) -> AppResult<Vec<ReceivedReport>> {
    let mut out = Vec::new();
    for r in store::of_society(&state.db, society_id, year).await? {
        let (Some(first), Some(_)) = (
            r.first_submitted_at
                .as_deref()
                .and_then(crate::db::parse_ts),
            r.latest_version,
        ) else {
            continue;
        };
        let versions = store::versions(&state.db, r.id).await?;
        let Some(latest) = versions.last() else {
            continue;
        };
        let content: ReportContent =
            serde_json::from_value(latest.content.clone()).unwrap_or_default();
        if let Some(month) = Month::new(r.year, r.month) {
            out.push(ReceivedReport {
                month,
                submitted_at: first,
                content,
            });
        }
    }
    Ok(out)
}

/// A society's colours at `at` (R-TRACK-3), from plan + reports + facts.
pub async fn society_colours(
    state: &AppState,
    society: &Society,
    catalogue: &Catalogue,
    at: DateTime<Utc>,
) -> AppResult<SocietyColour> {
    let plan = accepted_plan(state, society.id, catalogue.year).await?;
    let reports: Vec<ReceivedReport> = received(state, society.id, catalogue.year)
        .await?
        .into_iter()
        .filter(|r| r.submitted_at <= at)
        .collect();
    let sc = crate::service::facts::society_check(&state.db, society, catalogue).await?;
    Ok(core::colours(
        catalogue,
        plan.as_ref().map(|p| &p.0),
        &reports,
        &sc.facts,
        at,
    ))
}

pub fn parse_month(year: i32, month: &str) -> AppResult<Month> {
    let m: u32 = month.trim().parse().map_err(|_| AppError::NotFound)?;
    Month::new(year, m).ok_or(AppError::NotFound)
}

/// Opens the month's report, pre-filled from the accepted plan and last month's report.
pub async fn open(
    state: &AppState,
    who: &Principal,
    society: &Society,
    catalogue: &Catalogue,
    month: Month,
) -> AppResult<()> {
    let (plan, version) = accepted_plan(state, society.id, catalogue.year)
        .await?
        .ok_or_else(|| FieldError::new("plan", "err-no-accepted-plan"))?;
    if !core::expected_months(catalogue).contains(&month) {
        return Err(FieldError::new("month", "err-month-not-expected")
            .arg("month", month)
            .into());
    }
    ensure_open(state, society, month).await?;
    let previous = received(state, society.id, catalogue.year)
        .await?
        .into_iter()
        .filter(|r| r.month < month)
        .max_by_key(|r| r.month);
    let content = core::new_report(&plan, previous.as_ref().map(|r| &r.content));
    let draft = serde_json::to_value(content).map_err(|e| AppError::Internal(e.into()))?;
    store::create(
        &state.db,
        &who.actor(),
        state.clock.now(),
        society.id,
        &society.code,
        catalogue.year,
        month.month,
        version,
        &draft,
    )
    .await
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

pub async fn load(state: &AppState, society: &Society, month: Month) -> AppResult<ReportRow> {
    store::get(&state.db, society.id, month.year, month.month)
        .await?
        .ok_or(AppError::NotFound)
}

/// Parses report JSON (unknown fields are errors naming the field).
pub fn parse_content(value: &Value) -> AppResult<ReportContent> {
    crate::json::from_value(value.clone())
}

pub async fn save_draft(
    state: &AppState,
    who: &Principal,
    society: &Society,
    report: &ReportRow,
    draft: &Value,
) -> AppResult<()> {
    ensure_open(
        state,
        society,
        Month::new(report.year, report.month).ok_or(AppError::NotFound)?,
    )
    .await?;
    let content = parse_content(draft)?;
    let value = serde_json::to_value(content).map_err(|e| AppError::Internal(e.into()))?;
    store::save_draft(&state.db, &who.actor(), state.clock.now(), report, &value).await
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
    report: &ReportRow,
) -> AppResult<i64> {
    let month = Month::new(report.year, report.month).ok_or(AppError::NotFound)?;
    ensure_open(state, society, month).await?;
    let (plan, _) = accepted_plan(state, society.id, catalogue.year)
        .await?
        .ok_or_else(|| FieldError::new("plan", "err-no-accepted-plan"))?;
    let content = parse_content(&report.draft)?;
    let issues = core::validate_report(&plan, &content);
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
    let mut tx = state.db.begin().await?;
    let version = store::submit_in(&state.db, &mut tx, &who.actor(), now, report, late).await?;
    if !changes.is_empty() {
        let changes: Vec<FactChange> = changes.into_values().collect();
        facts::record_in(
            &state.db,
            &mut tx,
            &who.actor(),
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

pub fn link(society: &Society, month: Month) -> String {
    format!(
        "/societies/{}/reports/{}/{}",
        society.code, month.year, month.month
    )
}

pub async fn review(
    state: &AppState,
    who: &Principal,
    society: &Society,
    report: &ReportRow,
    returned: bool,
    comment: &str,
) -> AppResult<()> {
    let comment = crate::model::text(comment, "comment", 5000, true)?;
    store::review(
        &state.db,
        &who.actor(),
        state.clock.now(),
        report,
        returned,
        &comment,
    )
    .await?;
    let month = Month::new(report.year, report.month).ok_or(AppError::NotFound)?;
    let kind = if returned {
        "report-returned"
    } else {
        "report-commented"
    };
    let n = store::reviews(&state.db, report.id).await?.len();
    notify::society(
        state,
        state.clock.now(),
        Note {
            kind,
            key: format!("{kind}/{}/{month}/{n}", society.code),
            link: link(society, month),
            society,
        },
    )
    .await
}

/// Reminders for monthly reports (issue 5): to each society with an accepted plan, a few days
/// before a report is due and once it is overdue. Idempotent (deduplicated per month).
pub async fn report_reminders(state: &AppState, catalogue: &Catalogue) -> AppResult<usize> {
    let now = state.clock.now();
    let mut sent = 0;
    let societies = crate::db::societies::list(&state.db, &Default::default()).await?;
    let reports = store::of_year(&state.db, catalogue.year).await?;
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
        if kind == "report-overdue" && core::months_due_by(catalogue, now).last() != Some(&month) {
            continue;
        }
        for s in &societies {
            let submitted = reports.iter().any(|r| {
                r.society_id == s.id && r.month == month.month && r.latest_version.is_some()
            });
            if submitted || accepted_plan(state, s.id, catalogue.year).await?.is_none() {
                continue;
            }
            notify::society(
                state,
                now,
                Note {
                    kind,
                    key: format!("{kind}/{}/{month}", s.code),
                    link: link(s, month),
                    society: s,
                },
            )
            .await?;
            sent += 1;
        }
    }
    Ok(sent)
}

/// Days before the due instant when the "due soon" reminder goes out.
pub const REMIND_DAYS_BEFORE: i64 = 3;

/// R-PLAN-5 by rule: a society with a task red for `tracking.red_task_months` months in a row
/// is asked for a rectification plan (once a year), as the catalogue configures.
pub async fn auto_rectification(state: &AppState, catalogue: &Catalogue) -> AppResult<usize> {
    let now = state.clock.now();
    let mut asked = 0;
    for s in crate::db::societies::list(&state.db, &Default::default()).await? {
        let Some((plan, _)) = accepted_plan(state, s.id, catalogue.year).await? else {
            continue;
        };
        if plans::get(&state.db, s.id, catalogue.year, PlanKind::Rectification)
            .await?
            .is_some()
        {
            continue;
        }
        let reports = received(state, s.id, catalogue.year).await?;
        let sc = crate::service::facts::society_check(&state.db, &s, catalogue).await?;
        let streaks = core::red_streaks(catalogue, &plan, &reports, &sc.facts, now);
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
        let draft = serde_json::to_value(reformwatch_core::plan::RectificationContent::default())
            .map_err(|e| AppError::Internal(e.into()))?;
        plans::create(
            &state.db,
            &crate::db::audit::Actor::System,
            now,
            &plans::NewPlan {
                society_id: s.id,
                society_code: &s.code,
                year: catalogue.year,
                kind: PlanKind::Rectification,
                draft: &draft,
                request_reason: Some(&reason),
            },
        )
        .await?;
        notify::society(
            state,
            now,
            Note {
                kind: "rectification-requested",
                key: format!("rect-req/{}/{}", s.code, catalogue.year),
                link: crate::service::plans::link(&s, catalogue.year, PlanKind::Rectification),
                society: &s,
            },
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
    who.require(crate::auth::policy::Action::ManageSocieties, None)?;
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
    who.require(crate::auth::policy::Action::ManageSocieties, None)?;
    let m = parse_month(catalogue.year, month)?;
    let s = crate::db::societies::by_code(&state.db, society_code)
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

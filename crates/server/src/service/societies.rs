//! The society registry (R-SOC-1, R-SOC-3): lookups with the access policy, the registry list,
//! administration (create, edit, deactivate, election flags, import) and what a society's page
//! shows.

use reformwatch_core::catalogue::Catalogue;
use reformwatch_core::plan::PlanState;
use reformwatch_core::tracking::{Month, expected_months, months_due_by};

use crate::AppState;
use crate::auth::policy::Action;
use crate::db::societies::{self, ImportSummary, Society, SocietyFilter, SocietyInput};
use crate::db::users::{self, User};
use crate::error::{AppError, AppResult};
use crate::model::FieldError;
use crate::principal::Principal;

/// The society with this code, if `who` may read it (R-X-1). Unknown and hidden societies are
/// the same 404, so existence is not revealed.
pub async fn readable(state: &AppState, who: &Principal, code: &str) -> AppResult<Society> {
    if *who == Principal::Anonymous {
        return Err(AppError::Unauthorized);
    }
    let society = societies::by_code(&state.db, code)
        .await?
        .ok_or(AppError::NotFound)?;
    who.require(Action::ReadSociety, Some(society.id))?;
    Ok(society)
}

/// A society by code for its administrators (404 when unknown).
pub async fn by_code(state: &AppState, who: &Principal, code: &str) -> AppResult<Society> {
    who.require(Action::ManageSocieties, None)?;
    societies::by_code(&state.db, code)
        .await?
        .ok_or(AppError::NotFound)
}

/// The registry as `who` may see it: staff every society, a society's people only their own
/// (its record even when deactivated).
pub async fn list(
    state: &AppState,
    who: &Principal,
    filter: &SocietyFilter,
) -> AppResult<Vec<Society>> {
    who.require(Action::OwnAccount, None)?;
    let society_person = who.user().is_some_and(|u| u.role.is_society_role());
    let all = societies::list(
        &state.db,
        &SocietyFilter {
            include_inactive: Some(filter.include_inactive.unwrap_or(false) || society_person),
            ..filter.clone()
        },
    )
    .await?;
    Ok(all
        .into_iter()
        .filter(|s| who.may(Action::ReadSociety, Some(s.id)))
        .collect())
}

/// The public list as JSON bytes built by the database (see
/// [`societies::public_list_json`]).
pub async fn public_list_json(state: &AppState, filter: &SocietyFilter) -> AppResult<String> {
    societies::public_list_json(&state.db, filter).await
}

pub async fn create(state: &AppState, who: &Principal, input: &SocietyInput) -> AppResult<Society> {
    who.require(Action::ManageSocieties, None)?;
    societies::create(&state.db, &who.actor(), state.clock.now(), input).await
}

pub async fn update(
    state: &AppState,
    who: &Principal,
    code: &str,
    input: &SocietyInput,
) -> AppResult<Society> {
    who.require(Action::ManageSocieties, None)?;
    societies::update(&state.db, &who.actor(), state.clock.now(), code, input).await
}

/// Activates or deactivates a society (nothing is deleted).
pub async fn set_active(
    state: &AppState,
    who: &Principal,
    code: &str,
    active: bool,
) -> AppResult<Society> {
    who.require(Action::ManageSocieties, None)?;
    societies::set_active(&state.db, &who.actor(), state.clock.now(), code, active).await
}

/// Records whether the society holds its council election in `year` (R-SOC-1).
pub async fn set_election(
    state: &AppState,
    who: &Principal,
    code: &str,
    year: &str,
    election_year: bool,
) -> AppResult<Society> {
    let s = by_code(state, who, code).await?;
    let year: i32 = year
        .trim()
        .parse()
        .ok()
        .filter(|y| (2000..=2100).contains(y))
        .ok_or_else(|| FieldError::new("year", "err-year"))?;
    societies::set_election_flag(
        &state.db,
        &who.actor(),
        state.clock.now(),
        &s,
        year,
        election_year,
    )
    .await?;
    Ok(s)
}

/// R-SOC-3: imports parsed rows, all or none.
pub async fn import(
    state: &AppState,
    who: &Principal,
    rows: &[SocietyInput],
) -> AppResult<ImportSummary> {
    who.require(Action::ManageSocieties, None)?;
    societies::import(&state.db, &who.actor(), state.clock.now(), rows).await
}

/// What a society's own people should do next, in the order it matters.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum NextStep {
    /// A rectification plan was asked for and is not submitted yet.
    Rectification,
    /// No reform plan yet.
    StartPlan,
    /// The plan is a draft.
    FinishPlan,
    /// The plan was returned with comments.
    ReviseReturnedPlan,
    /// The plan waits for the reviewer.
    AwaitReview,
    /// A monthly report to write: the earliest due month not yet submitted (`overdue`), else
    /// the next one.
    Report { month: Month, overdue: bool },
}

/// Everything the society page shows beyond the verdicts.
pub struct Profile {
    pub elections: Vec<(i32, bool)>,
    /// The society's people (shown to administrators and to the society itself).
    pub people: Vec<User>,
    pub plan_state: Option<PlanState>,
    pub has_rectification: bool,
    /// For the society's own people only.
    pub next_steps: Vec<NextStep>,
}

pub async fn profile(
    state: &AppState,
    who: &Principal,
    society: &Society,
    catalogue: &Catalogue,
) -> AppResult<Profile> {
    use crate::db::plans::{self, PlanKind};
    who.require(Action::ReadSociety, Some(society.id))?;
    let year = catalogue.year;
    let plan = plans::get(&state.db, society.id, year, PlanKind::Reform).await?;
    let rectification = plans::get(&state.db, society.id, year, PlanKind::Rectification).await?;
    let own = who.user().is_some_and(|u| u.society_id == Some(society.id));
    let people = if own || who.may(Action::ManageSocieties, None) {
        users::list(&state.db)
            .await?
            .into_iter()
            .filter(|u| u.society_id == Some(society.id) && !u.disabled)
            .collect()
    } else {
        Vec::new()
    };
    let mut next_steps = Vec::new();
    if own {
        if rectification
            .as_ref()
            .is_some_and(|r| matches!(r.state, PlanState::Draft | PlanState::Returned))
        {
            next_steps.push(NextStep::Rectification);
        }
        match plan.as_ref().map(|p| p.state) {
            None => next_steps.push(NextStep::StartPlan),
            Some(PlanState::Draft) => next_steps.push(NextStep::FinishPlan),
            Some(PlanState::Returned) => next_steps.push(NextStep::ReviseReturnedPlan),
            Some(PlanState::Accepted) => {
                let reports = crate::db::reports::of_society(&state.db, society.id, year).await?;
                let submitted = |m: u32| {
                    reports
                        .iter()
                        .any(|r| r.month == m && r.latest_version.is_some())
                };
                let now = state.clock.now();
                let due = months_due_by(catalogue, now);
                let pending = due
                    .iter()
                    .find(|m| !submitted(m.month))
                    .map(|m| (*m, true))
                    .or_else(|| {
                        expected_months(catalogue)
                            .into_iter()
                            .find(|m| !due.contains(m) && !submitted(m.month))
                            .map(|m| (m, false))
                    });
                if let Some((month, overdue)) = pending {
                    next_steps.push(NextStep::Report { month, overdue });
                }
            }
            Some(_) => next_steps.push(NextStep::AwaitReview),
        }
    }
    Ok(Profile {
        elections: societies::election_flags(&state.db, society.id).await?,
        people,
        plan_state: plan.map(|p| p.state),
        has_rectification: rectification.is_some(),
        next_steps,
    })
}

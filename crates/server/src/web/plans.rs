//! Reform plan and rectification plan pages (R-PLAN-1..5): the society's editor with live
//! validation, submission, the reviewer's decision, versions and their comparison.

use std::collections::{BTreeMap, HashMap};

use askama::Template;
use axum::body::Bytes;
use axum::extract::{Path, Query, State};
use axum::response::{IntoResponse, Response};
use reformwatch_core::catalogue::{Catalogue, TaskClass};
use reformwatch_core::plan::{
    self, Measure, Milestone, PlanContent, PlanIssue, PlanState, PlanTask, Problem,
    RectificationContent, Responsible, Target,
};
use serde::Deserialize;
use serde_json::Value;

use super::facts::catalogue_for;
use super::page::{Page, render, see_other};
use super::{AppState, Ctx};
use crate::auth::policy::Action;
use crate::db::plans::{self as store, PlanKind, PlanRow};
use crate::db::societies::Society;
use crate::error::{AppError, AppResult};
use crate::i18n::T;
use crate::model::FieldError;
use crate::plans as service;

#[derive(Deserialize, Default)]
pub struct PlanQuery {
    #[serde(default)]
    pub kind: Option<String>,
    #[serde(default)]
    pub done: Option<String>,
    #[serde(default)]
    pub a: Option<i64>,
    #[serde(default)]
    pub b: Option<i64>,
}

pub(crate) fn kind_of(q: &PlanQuery) -> AppResult<PlanKind> {
    PlanKind::parse(q.kind.as_deref()).ok_or(AppError::NotFound)
}

pub struct Cell {
    pub name: String,
    pub value: String,
    pub kind: &'static str,
    pub error: Option<String>,
}

pub struct TaskBlock {
    pub number: u32,
    pub title: String,
    pub class: &'static str,
    pub class_label: String,
    pub resp: Vec<(Cell, Cell)>,
    pub targets: Vec<Vec<Cell>>,
    pub milestones: Vec<(Cell, Cell)>,
    pub notes: Cell,
    pub proposals: Vec<String>,
    pub comment: Option<String>,
}

pub struct ReviewView {
    pub decision: String,
    pub heading: String,
    pub meta: String,
    pub comment: String,
}

#[derive(Template)]
#[template(path = "plan.html")]
struct PlanPage {
    page: Page,
    code: String,
    society_name: String,
    year: i32,
    kind: &'static str,
    state: &'static str,
    state_label: String,
    deadline: Option<String>,
    late: Option<String>,
    request_reason: Option<String>,
    versions: Vec<(i64, String, bool)>,
    reviews: Vec<ReviewView>,
    editable: bool,
    can_review: bool,
    issues: Vec<(bool, Option<u32>, String)>,
    optional_count: usize,
    min_optional: usize,
    optional_text: String,
    form_errors: Vec<String>,
    optional: Vec<(u32, String, bool)>,
    summary: String,
    tasks: Vec<TaskBlock>,
    problems: Vec<(Cell, Cell)>,
    measures: Vec<Vec<Cell>>,
    evidence: Vec<(i64, String, String)>,
    can_upload: bool,
}

#[derive(Template)]
#[template(path = "_plan_issues.html")]
struct IssuesPartial {
    page: Page,
    kind: &'static str,
    issues: Vec<(bool, Option<u32>, String)>,
    optional_count: usize,
    min_optional: usize,
    optional_text: String,
}

fn cell(
    typed: &HashMap<String, String>,
    errors: &[FieldError],
    t: &T,
    name: String,
    value: String,
    kind: &'static str,
) -> Cell {
    Cell {
        value: typed.get(&name).cloned().unwrap_or(value),
        error: errors.iter().find(|e| e.field == name).map(|e| t.field(e)),
        name,
        kind,
    }
}

fn opt_int(v: Option<i64>) -> String {
    v.map(|x| x.to_string()).unwrap_or_default()
}

fn opt_date(v: Option<chrono::NaiveDate>) -> String {
    v.map(|x| x.to_string()).unwrap_or_default()
}

fn state_label(t: &T, s: PlanState) -> String {
    t.pick(s.label_zh(), s.label_en()).to_string()
}

fn issue_rows(t: &T, issues: &[PlanIssue]) -> Vec<(bool, Option<u32>, String)> {
    let mut rows: Vec<_> = issues
        .iter()
        .map(|i| {
            (
                i.blocking,
                i.task,
                t.pick(&i.message_zh, &i.message_en).to_string(),
            )
        })
        .collect();
    rows.sort_by_key(|r| !r.0);
    rows
}

fn optional_count(catalogue: &Catalogue, c: &PlanContent) -> usize {
    let mut n: Vec<u32> = c
        .tasks
        .iter()
        .filter(|task| {
            catalogue
                .task(task.number)
                .is_some_and(|x| x.class == TaskClass::Optional)
        })
        .map(|task| task.number)
        .collect();
    n.sort_unstable();
    n.dedup();
    n.len()
}

struct Rendered {
    tasks: Vec<TaskBlock>,
    optional: Vec<(u32, String, bool)>,
    summary: String,
    problems: Vec<(Cell, Cell)>,
    measures: Vec<Vec<Cell>>,
}

/// Builds the form rows from content, with typed values (after an error) taking precedence,
/// plus one blank row per list for adding.
fn render_content(
    t: &T,
    catalogue: &Catalogue,
    kind: PlanKind,
    draft: &Value,
    typed: &HashMap<String, String>,
    errors: &[FieldError],
    proposals: &BTreeMap<u32, Vec<Target>>,
    comments: &BTreeMap<u32, String>,
) -> Rendered {
    let c = |name: String, value: String, k: &'static str| cell(typed, errors, t, name, value, k);
    match kind {
        PlanKind::Reform => {
            let content: PlanContent = serde_json::from_value(draft.clone()).unwrap_or_default();
            let mut tasks: Vec<&PlanTask> = content.tasks.iter().collect();
            tasks.sort_by_key(|x| x.number);
            let blocks = tasks
                .iter()
                .map(|task| {
                    let n = task.number;
                    let def = catalogue.task(n);
                    let mut resp: Vec<(Cell, Cell)> = task
                        .responsible
                        .iter()
                        .enumerate()
                        .map(|(i, r)| {
                            (
                                c(format!("t{n}_resp_{i}_name"), r.name.clone(), "text"),
                                c(
                                    format!("t{n}_resp_{i}_position"),
                                    r.position.clone(),
                                    "text",
                                ),
                            )
                        })
                        .collect();
                    let i = resp.len();
                    resp.push((
                        c(format!("t{n}_resp_{i}_name"), String::new(), "text"),
                        c(format!("t{n}_resp_{i}_position"), String::new(), "text"),
                    ));
                    let target_row = |i: usize, tg: Option<&Target>| {
                        vec![
                            c(
                                format!("t{n}_tgt_{i}_metric"),
                                tg.map(|x| x.metric.clone()).unwrap_or_default(),
                                "text",
                            ),
                            c(
                                format!("t{n}_tgt_{i}_unit"),
                                tg.map(|x| x.unit.clone()).unwrap_or_default(),
                                "text",
                            ),
                            c(
                                format!("t{n}_tgt_{i}_baseline"),
                                opt_int(tg.and_then(|x| x.baseline)),
                                "int",
                            ),
                            c(
                                format!("t{n}_tgt_{i}_target"),
                                opt_int(tg.and_then(|x| x.target)),
                                "int",
                            ),
                            c(
                                format!("t{n}_tgt_{i}_due"),
                                opt_date(tg.and_then(|x| x.due)),
                                "date",
                            ),
                        ]
                    };
                    let mut targets: Vec<Vec<Cell>> = task
                        .targets
                        .iter()
                        .enumerate()
                        .map(|(i, tg)| target_row(i, Some(tg)))
                        .collect();
                    targets.push(target_row(targets.len(), None));
                    let mut milestones: Vec<(Cell, Cell)> = task
                        .milestones
                        .iter()
                        .enumerate()
                        .map(|(i, m)| {
                            (
                                c(format!("t{n}_ms_{i}_date"), opt_date(m.date), "date"),
                                c(format!("t{n}_ms_{i}_what"), m.what.clone(), "text"),
                            )
                        })
                        .collect();
                    let i = milestones.len();
                    milestones.push((
                        c(format!("t{n}_ms_{i}_date"), String::new(), "date"),
                        c(format!("t{n}_ms_{i}_what"), String::new(), "text"),
                    ));
                    TaskBlock {
                        number: n,
                        title: def
                            .map(|d| t.pick(&d.title_zh, &d.title_en).to_string())
                            .unwrap_or_else(|| format!("#{n}")),
                        class: def.map(|d| d.class.as_str()).unwrap_or("optional"),
                        class_label: def
                            .map(|d| super::catalogue::class_label(t, d.class))
                            .unwrap_or_default(),
                        resp,
                        targets,
                        milestones,
                        notes: c(format!("t{n}_notes"), task.notes.clone(), "text"),
                        proposals: proposals
                            .get(&n)
                            .map(|ps| {
                                ps.iter()
                                    .map(|p| {
                                        format!(
                                            "{}：{} {} {}（{} {}）",
                                            p.metric,
                                            opt_int(p.target),
                                            p.unit,
                                            opt_date(p.due),
                                            t.t("plan-baseline"),
                                            opt_int(p.baseline)
                                        )
                                    })
                                    .collect()
                            })
                            .unwrap_or_default(),
                        comment: comments.get(&n).cloned(),
                    }
                })
                .collect();
            let chosen: Vec<u32> = content.tasks.iter().map(|x| x.number).collect();
            let optional = catalogue
                .tasks_of(TaskClass::Optional)
                .map(|x| {
                    (
                        x.number,
                        t.pick(&x.title_zh, &x.title_en).to_string(),
                        chosen.contains(&x.number),
                    )
                })
                .collect();
            Rendered {
                tasks: blocks,
                optional,
                summary: typed.get("summary").cloned().unwrap_or(content.summary),
                problems: vec![],
                measures: vec![],
            }
        }
        PlanKind::Rectification => {
            let content: RectificationContent =
                serde_json::from_value(draft.clone()).unwrap_or_default();
            let mut problems: Vec<(Cell, Cell)> = content
                .problems
                .iter()
                .enumerate()
                .map(|(i, p)| {
                    (
                        c(format!("p_{i}_description"), p.description.clone(), "text"),
                        c(
                            format!("p_{i}_task"),
                            p.task.map(|x| x.to_string()).unwrap_or_default(),
                            "int",
                        ),
                    )
                })
                .collect();
            let i = problems.len();
            problems.push((
                c(format!("p_{i}_description"), String::new(), "text"),
                c(format!("p_{i}_task"), String::new(), "int"),
            ));
            let row = |i: usize, m: Option<&Measure>| {
                vec![
                    c(
                        format!("m_{i}_what"),
                        m.map(|x| x.what.clone()).unwrap_or_default(),
                        "text",
                    ),
                    c(
                        format!("m_{i}_owner"),
                        m.map(|x| x.owner.clone()).unwrap_or_default(),
                        "text",
                    ),
                    c(
                        format!("m_{i}_due"),
                        opt_date(m.and_then(|x| x.due)),
                        "date",
                    ),
                    c(
                        format!("m_{i}_problem"),
                        m.and_then(|x| x.problem)
                            .map(|p| (p + 1).to_string())
                            .unwrap_or_default(),
                        "int",
                    ),
                ]
            };
            let mut measures: Vec<Vec<Cell>> = content
                .measures
                .iter()
                .enumerate()
                .map(|(i, m)| row(i, Some(m)))
                .collect();
            measures.push(row(measures.len(), None));
            Rendered {
                tasks: vec![],
                optional: vec![],
                summary: typed.get("analysis").cloned().unwrap_or(content.analysis),
                problems,
                measures,
            }
        }
    }
}

/// Form pairs → content JSON (or field errors for values that cannot be read, e.g. "abc" as a
/// number; plan-rule problems are not errors here: drafts may break them).
pub(crate) fn read_form(
    kind: PlanKind,
    catalogue: &Catalogue,
    current: &Value,
    pairs: &[(String, String)],
) -> Result<Value, Vec<FieldError>> {
    let get = |k: &str| {
        pairs
            .iter()
            .find(|(n, _)| n == k)
            .map(|(_, v)| v.trim().to_string())
            .unwrap_or_default()
    };
    let has = |prefix: &str| pairs.iter().any(|(n, _)| n.starts_with(prefix));
    let mut errors = Vec::new();
    let mut int = |name: String| -> Option<i64> {
        let raw = get(&name);
        if raw.is_empty() {
            return None;
        }
        let cleaned: String = raw.chars().filter(|c| *c != ',' && *c != '，').collect();
        match cleaned.parse::<i64>() {
            Ok(v) => Some(v),
            Err(_) => {
                errors.push(FieldError::new(&name, "err-fact-int").arg("value", &raw));
                None
            }
        }
    };
    let mut dates = Vec::new();
    let mut date = |name: String| -> Option<chrono::NaiveDate> {
        let raw = get(&name);
        if raw.is_empty() {
            return None;
        }
        match chrono::NaiveDate::parse_from_str(&raw, "%Y-%m-%d") {
            Ok(d) => Some(d),
            Err(_) => {
                dates.push(FieldError::new(&name, "err-fact-date").arg("value", &raw));
                None
            }
        }
    };
    let value = match kind {
        PlanKind::Reform => {
            let previous: PlanContent = serde_json::from_value(current.clone()).unwrap_or_default();
            let present: Vec<u32> = pairs
                .iter()
                .filter(|(k, _)| k == "present")
                .filter_map(|(_, v)| v.parse().ok())
                .collect();
            let chosen: Vec<u32> = pairs
                .iter()
                .filter(|(k, _)| k == "optional")
                .filter_map(|(_, v)| v.parse().ok())
                .collect();
            let adopt: Vec<u32> = pairs
                .iter()
                .filter(|(k, _)| k == "adopt")
                .filter_map(|(_, v)| v.parse().ok())
                .collect();
            let is_optional = |n: u32| {
                catalogue
                    .task(n)
                    .is_some_and(|x| x.class == TaskClass::Optional)
            };
            let mut numbers: Vec<u32> = present
                .iter()
                .copied()
                .filter(|n| !is_optional(*n))
                .chain(chosen.iter().copied())
                .collect();
            // Tasks of the previous draft that were not on the form (e.g. a plain API client) stay.
            if present.is_empty() {
                numbers.extend(
                    previous
                        .tasks
                        .iter()
                        .map(|x| x.number)
                        .filter(|n| !is_optional(*n)),
                );
            }
            numbers.sort_unstable();
            numbers.dedup();
            let mut tasks = Vec::new();
            for n in numbers {
                let mut task = PlanTask {
                    number: n,
                    ..Default::default()
                };
                if present.contains(&n) {
                    let mut i = 0;
                    while has(&format!("t{n}_resp_{i}_")) {
                        let name = get(&format!("t{n}_resp_{i}_name"));
                        let position = get(&format!("t{n}_resp_{i}_position"));
                        if !name.is_empty() || !position.is_empty() {
                            task.responsible.push(Responsible { name, position });
                        }
                        i += 1;
                    }
                    let mut i = 0;
                    while has(&format!("t{n}_tgt_{i}_")) {
                        let metric = get(&format!("t{n}_tgt_{i}_metric"));
                        let unit = get(&format!("t{n}_tgt_{i}_unit"));
                        let baseline = int(format!("t{n}_tgt_{i}_baseline"));
                        let target = int(format!("t{n}_tgt_{i}_target"));
                        let due = date(format!("t{n}_tgt_{i}_due"));
                        let fact = previous
                            .tasks
                            .iter()
                            .find(|x| x.number == n)
                            .and_then(|x| x.targets.get(i))
                            .and_then(|x| x.fact.clone());
                        if !metric.is_empty()
                            || !unit.is_empty()
                            || baseline.is_some()
                            || target.is_some()
                            || due.is_some()
                        {
                            task.targets.push(Target {
                                metric,
                                unit,
                                baseline,
                                target,
                                due,
                                fact,
                            });
                        }
                        i += 1;
                    }
                    let mut i = 0;
                    while has(&format!("t{n}_ms_{i}_")) {
                        let d = date(format!("t{n}_ms_{i}_date"));
                        let what = get(&format!("t{n}_ms_{i}_what"));
                        if d.is_some() || !what.is_empty() {
                            task.milestones.push(Milestone { date: d, what });
                        }
                        i += 1;
                    }
                    task.notes = get(&format!("t{n}_notes"));
                }
                tasks.push(task);
            }
            let content = PlanContent {
                summary: get("summary"),
                tasks,
            };
            let _ = adopt;
            serde_json::to_value(content).unwrap_or(Value::Null)
        }
        PlanKind::Rectification => {
            let mut content = RectificationContent {
                analysis: get("analysis"),
                ..Default::default()
            };
            let mut i = 0;
            while has(&format!("p_{i}_")) {
                let description = get(&format!("p_{i}_description"));
                let task = int(format!("p_{i}_task")).map(|x| x.max(0) as u32);
                if !description.is_empty() || task.is_some() {
                    content.problems.push(Problem { description, task });
                }
                i += 1;
            }
            let mut i = 0;
            while has(&format!("m_{i}_")) {
                let what = get(&format!("m_{i}_what"));
                let owner = get(&format!("m_{i}_owner"));
                let due = date(format!("m_{i}_due"));
                let problem =
                    int(format!("m_{i}_problem")).and_then(|p| usize::try_from(p - 1).ok());
                if !what.is_empty() || !owner.is_empty() || due.is_some() || problem.is_some() {
                    content.measures.push(Measure {
                        what,
                        owner,
                        due,
                        problem,
                    });
                }
                i += 1;
            }
            serde_json::to_value(content).unwrap_or(Value::Null)
        }
    };
    errors.extend(dates);
    if errors.is_empty() {
        Ok(value)
    } else {
        Err(errors)
    }
}

/// Adds the proposed targets of the tasks whose "adopt" box was ticked.
fn adopt_proposals(
    value: &mut Value,
    pairs: &[(String, String)],
    proposals: &BTreeMap<u32, Vec<Target>>,
) {
    let adopt: Vec<u32> = pairs
        .iter()
        .filter(|(k, _)| k == "adopt")
        .filter_map(|(_, v)| v.parse().ok())
        .collect();
    if adopt.is_empty() {
        return;
    }
    let Ok(mut content) = serde_json::from_value::<PlanContent>(value.clone()) else {
        return;
    };
    for task in content
        .tasks
        .iter_mut()
        .filter(|x| adopt.contains(&x.number))
    {
        for p in proposals.get(&task.number).into_iter().flatten() {
            if !task.targets.iter().any(|x| x.metric == p.metric) {
                task.targets.push(p.clone());
            }
        }
    }
    if let Ok(v) = serde_json::to_value(content) {
        *value = v;
    }
}

async fn proposals_for(
    state: &AppState,
    society: &Society,
    catalogue: &Catalogue,
) -> AppResult<BTreeMap<u32, Vec<Target>>> {
    let sc = crate::checks::society_check(&state.db, society, catalogue).await?;
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

fn deadline_text(t: &T, d: &store::Deadline) -> String {
    format!(
        "{} ({})",
        d.local_time.replace('T', " "),
        if d.timezone == "Asia/Shanghai" {
            t.t("beijing-time")
        } else {
            d.timezone.clone()
        }
    )
}

#[allow(clippy::too_many_arguments)]
async fn plan_page_with(
    state: &AppState,
    ctx: &Ctx,
    society: &Society,
    catalogue: &Catalogue,
    plan: PlanRow,
    typed: HashMap<String, String>,
    errors: Vec<FieldError>,
    draft_override: Option<Value>,
    done: Option<&str>,
) -> AppResult<Response> {
    let t = ctx.t();
    let kind = plan.kind;
    let can_edit = ctx
        .require(Action::EditSocietyData, Some(society.id))
        .is_ok();
    let editable = can_edit && plan::transition(plan.state, plan::PlanAction::Edit).is_ok();
    let can_review = ctx.require(Action::ListAllSocieties, None).is_ok()
        && ctx.user.as_ref().is_some_and(|u| !u.role.is_society_role())
        && plan::transition(plan.state, plan::PlanAction::Accept).is_ok();
    let mut plan = plan;
    if let Some(d) = draft_override {
        plan.draft = d;
    }
    let view = service::view(state, society, catalogue, plan).await?;
    // Show what is under review when not editable: the latest version, else the draft.
    let shown = if editable {
        view.plan.draft.clone()
    } else {
        view.versions
            .last()
            .map(|v| v.content.clone())
            .unwrap_or_else(|| view.plan.draft.clone())
    };
    let proposals = if editable && kind == PlanKind::Reform {
        proposals_for(state, society, catalogue).await?
    } else {
        BTreeMap::new()
    };
    let comments = match view.reviews.last() {
        Some(r) if view.plan.state == PlanState::Returned => r.task_comments.clone(),
        _ => BTreeMap::new(),
    };
    let rendered = render_content(
        &t, catalogue, kind, &shown, &typed, &errors, &proposals, &comments,
    );
    let content: PlanContent = serde_json::from_value(shown.clone()).unwrap_or_default();
    let count = optional_count(catalogue, &content);
    let title = match kind {
        PlanKind::Reform => t.t1("plan-title", "year", &catalogue.year),
        PlanKind::Rectification => t.t1("rect-title", "year", &catalogue.year),
    };
    let status = if errors.is_empty() {
        http::StatusCode::OK
    } else {
        http::StatusCode::UNPROCESSABLE_ENTITY
    };
    let page = PlanPage {
        page: Page::new(ctx, format!("{} · {}", society.name, title)).with_flash(done),
        code: society.code.clone(),
        society_name: society.name.clone(),
        year: catalogue.year,
        kind: kind.as_str(),
        state: view.plan.state.as_str(),
        state_label: state_label(&t, view.plan.state),
        deadline: view.deadline.as_ref().map(|d| deadline_text(&t, d)),
        late: if t.is_en() {
            view.late_en.clone()
        } else {
            view.late_zh.clone()
        },
        request_reason: view.plan.request_reason.clone(),
        versions: view
            .versions
            .iter()
            .map(|v| (v.version, v.submitted_at.clone(), v.late_seconds.is_some()))
            .collect(),
        reviews: view
            .reviews
            .iter()
            .map(|r| ReviewView {
                heading: format!(
                    "v{} · {}",
                    r.version,
                    t.t(&format!("review-{}", r.decision))
                ),
                meta: format!("{} · {}", r.reviewer, r.at),
                comment: r.comment.clone(),
                decision: r.decision.clone(),
            })
            .collect(),
        editable,
        can_review,
        issues: issue_rows(&t, &view.issues),
        optional_count: count,
        min_optional: catalogue.min_optional as usize,
        optional_text: t
            .t("plan-optional-count")
            .replace("{count}", &count.to_string())
            .replace("{min}", &catalogue.min_optional.to_string()),
        form_errors: errors.iter().map(|e| t.field(e)).collect(),
        optional: rendered.optional,
        summary: rendered.summary,
        tasks: rendered.tasks,
        problems: rendered.problems,
        measures: rendered.measures,
        evidence: super::facts::evidence_list(state, catalogue, society.id, "plan_task", &t)
            .await?,
        can_upload: can_edit,
    };
    Ok((status, render(&page)).into_response())
}

#[derive(Template)]
#[template(path = "plan_start.html")]
struct StartPage {
    page: Page,
    code: String,
    year: i32,
    can_edit: bool,
    has_previous: bool,
    deadline: String,
}

pub async fn plan_page(
    State(state): State<AppState>,
    ctx: Ctx,
    Path((code, year)): Path<(String, String)>,
    Query(q): Query<PlanQuery>,
) -> AppResult<Response> {
    let society = super::societies::load_readable(&state, &ctx, &code).await?;
    let catalogue = catalogue_for(&state, Some(&year)).await?;
    let kind = kind_of(&q)?;
    match store::get(&state.db, society.id, catalogue.year, kind).await? {
        Some(plan) => {
            plan_page_with(
                &state,
                &ctx,
                &society,
                &catalogue,
                plan,
                HashMap::new(),
                vec![],
                None,
                q.done.as_deref(),
            )
            .await
        }
        None if kind == PlanKind::Reform => {
            let t = ctx.t();
            let (_, d) = store::plan_deadline(&state.db, &catalogue).await?;
            Ok(render(&StartPage {
                page: Page::new(
                    &ctx,
                    format!(
                        "{} · {}",
                        society.name,
                        t.t1("plan-title", "year", &catalogue.year)
                    ),
                ),
                code: society.code.clone(),
                year: catalogue.year,
                can_edit: ctx
                    .require(Action::EditSocietyData, Some(society.id))
                    .is_ok(),
                has_previous: store::get(
                    &state.db,
                    society.id,
                    catalogue.year - 1,
                    PlanKind::Reform,
                )
                .await?
                .is_some(),
                deadline: deadline_text(&t, &d),
            }))
        }
        None => Err(AppError::NotFound),
    }
}

fn form_pairs(body: &Bytes) -> Vec<(String, String)> {
    url::form_urlencoded::parse(body).into_owned().collect()
}

pub async fn start(
    State(state): State<AppState>,
    ctx: Ctx,
    Path((code, year)): Path<(String, String)>,
    body: Bytes,
) -> AppResult<Response> {
    let society = super::societies::load_readable(&state, &ctx, &code).await?;
    ctx.require(Action::EditSocietyData, Some(society.id))?;
    let catalogue = catalogue_for(&state, Some(&year)).await?;
    let copy = form_pairs(&body)
        .iter()
        .any(|(k, v)| k == "from" && v == "copy");
    service::open(&state, &ctx, &society, &catalogue, copy).await?;
    Ok(see_other(
        &format!("/societies/{}/plans/{}", society.code, catalogue.year),
        "created",
    ))
}

async fn load_for_edit(
    state: &AppState,
    ctx: &Ctx,
    code: &str,
    year: &str,
    q: &PlanQuery,
) -> AppResult<(Society, std::sync::Arc<Catalogue>, PlanRow)> {
    let society = super::societies::load_readable(state, ctx, code).await?;
    let catalogue = catalogue_for(state, Some(year)).await?;
    let plan = service::load(state, &society, catalogue.year, kind_of(q)?).await?;
    Ok((society, catalogue, plan))
}

/// Saves the draft; with `submit`, then submits it (the submit button posts the same form).
async fn save(
    state: &AppState,
    ctx: &Ctx,
    code: &str,
    year: &str,
    q: &PlanQuery,
    body: &Bytes,
    submit: bool,
) -> AppResult<Response> {
    let (society, catalogue, plan) = load_for_edit(state, ctx, code, year, q).await?;
    ctx.require(Action::EditSocietyData, Some(society.id))?;
    let pairs = form_pairs(body);
    let typed: HashMap<String, String> = pairs.iter().cloned().collect();
    let mut value = match read_form(plan.kind, &catalogue, &plan.draft, &pairs) {
        Ok(v) => v,
        Err(errors) => {
            return plan_page_with(
                state, ctx, &society, &catalogue, plan, typed, errors, None, None,
            )
            .await;
        }
    };
    if plan.kind == PlanKind::Reform {
        let proposals = proposals_for(state, &society, &catalogue).await?;
        adopt_proposals(&mut value, &pairs, &proposals);
    }
    service::save_draft(state, ctx, &plan, &value).await?;
    let link = format!(
        "/societies/{}/plans/{}?kind={}",
        society.code,
        catalogue.year,
        plan.kind.as_str()
    );
    if !submit {
        return Ok(see_other(&link, "saved"));
    }
    let plan = service::load(state, &society, catalogue.year, plan.kind).await?;
    match service::submit(state, ctx, &society, &catalogue, &plan).await {
        Ok(_) => Ok(see_other(&link, "submitted")),
        Err(AppError::Invalid(errors)) => {
            plan_page_with(
                state,
                ctx,
                &society,
                &catalogue,
                plan,
                HashMap::new(),
                errors,
                None,
                None,
            )
            .await
        }
        Err(e) => Err(e),
    }
}

pub async fn save_draft(
    State(state): State<AppState>,
    ctx: Ctx,
    Path((code, year)): Path<(String, String)>,
    Query(q): Query<PlanQuery>,
    body: Bytes,
) -> AppResult<Response> {
    save(&state, &ctx, &code, &year, &q, &body, false).await
}

pub async fn submit(
    State(state): State<AppState>,
    ctx: Ctx,
    Path((code, year)): Path<(String, String)>,
    Query(q): Query<PlanQuery>,
    body: Bytes,
) -> AppResult<Response> {
    save(&state, &ctx, &code, &year, &q, &body, true).await
}

/// htmx: validates the form as typed (nothing saved) and returns the issues panel.
pub async fn check(
    State(state): State<AppState>,
    ctx: Ctx,
    Path((code, year)): Path<(String, String)>,
    Query(q): Query<PlanQuery>,
    body: Bytes,
) -> AppResult<Response> {
    let (society, catalogue, plan) = load_for_edit(&state, &ctx, &code, &year, &q).await?;
    let t = ctx.t();
    let pairs = form_pairs(&body);
    let (issues, count) = match read_form(plan.kind, &catalogue, &plan.draft, &pairs) {
        Ok(v) => {
            let election = service::election_year(&state, &society, catalogue.year).await?;
            let content: PlanContent = serde_json::from_value(v.clone()).unwrap_or_default();
            (
                issue_rows(&t, &service::issues_of(plan.kind, &catalogue, election, &v)),
                optional_count(&catalogue, &content),
            )
        }
        Err(errors) => (errors.iter().map(|e| (true, None, t.field(e))).collect(), 0),
    };
    Ok(render(&IssuesPartial {
        page: Page::new(&ctx, String::new()),
        kind: plan.kind.as_str(),
        issues,
        optional_count: count,
        min_optional: catalogue.min_optional as usize,
        optional_text: t
            .t("plan-optional-count")
            .replace("{count}", &count.to_string())
            .replace("{min}", &catalogue.min_optional.to_string()),
    }))
}

pub async fn review(
    State(state): State<AppState>,
    ctx: Ctx,
    Path((code, year)): Path<(String, String)>,
    Query(q): Query<PlanQuery>,
    body: Bytes,
) -> AppResult<Response> {
    let (society, catalogue, plan) = load_for_edit(&state, &ctx, &code, &year, &q).await?;
    let pairs = form_pairs(&body);
    let get = |k: &str| {
        pairs
            .iter()
            .find(|(n, _)| n == k)
            .map(|(_, v)| v.clone())
            .unwrap_or_default()
    };
    let accept = get("decision") == "accept";
    let task_comments: BTreeMap<u32, String> = pairs
        .iter()
        .filter_map(|(k, v)| {
            k.strip_prefix("tc_")
                .and_then(|n| n.parse().ok())
                .map(|n| (n, v.clone()))
        })
        .collect();
    match service::review(
        &state,
        &ctx,
        &society,
        &plan,
        accept,
        &get("comment"),
        &task_comments,
    )
    .await
    {
        Ok(()) => Ok(see_other(
            &format!(
                "/societies/{}/plans/{}?kind={}",
                society.code,
                catalogue.year,
                plan.kind.as_str()
            ),
            if accept { "accepted" } else { "returned" },
        )),
        Err(AppError::Invalid(errors)) => {
            plan_page_with(
                &state,
                &ctx,
                &society,
                &catalogue,
                plan,
                HashMap::new(),
                errors,
                None,
                None,
            )
            .await
        }
        Err(e) => Err(e),
    }
}

pub async fn request_rectification(
    State(state): State<AppState>,
    ctx: Ctx,
    Path((code, year)): Path<(String, String)>,
    body: Bytes,
) -> AppResult<Response> {
    let society = super::societies::load_readable(&state, &ctx, &code).await?;
    let catalogue = catalogue_for(&state, Some(&year)).await?;
    let pairs = form_pairs(&body);
    let reason = pairs
        .iter()
        .find(|(k, _)| k == "reason")
        .map(|(_, v)| v.clone())
        .unwrap_or_default();
    service::request_rectification(&state, &ctx, &society, catalogue.year, &reason).await?;
    Ok(see_other(
        &format!(
            "/societies/{}/plans/{}?kind=rectification",
            society.code, catalogue.year
        ),
        "created",
    ))
}

/// One task's changes: title, change kind, and (field, before, after) triples.
type DiffRow = (String, String, Vec<(String, String, String)>);

#[derive(Template)]
#[template(path = "plan_compare.html")]
struct ComparePage {
    page: Page,
    code: String,
    year: i32,
    kind: &'static str,
    versions: Vec<(i64, String)>,
    a: i64,
    b: i64,
    rows: Vec<DiffRow>,
}

pub async fn versions(
    State(state): State<AppState>,
    ctx: Ctx,
    Path((code, year)): Path<(String, String)>,
    Query(q): Query<PlanQuery>,
) -> AppResult<Response> {
    let (society, catalogue, plan) = load_for_edit(&state, &ctx, &code, &year, &q).await?;
    let t = ctx.t();
    let versions = store::versions(&state.db, plan.id).await?;
    let last = versions.last().map(|v| v.version).unwrap_or(0);
    let b = q.b.unwrap_or(last);
    let a = q.a.unwrap_or(b - 1);
    let find = |n: i64| {
        versions
            .iter()
            .find(|v| v.version == n)
            .map(|v| v.content.clone())
    };
    let before = find(a).unwrap_or(Value::Null);
    let after = find(b).ok_or(AppError::NotFound)?;
    let rows = match plan.kind {
        PlanKind::Reform => {
            let x: PlanContent = serde_json::from_value(before).unwrap_or_default();
            let y: PlanContent = serde_json::from_value(after).unwrap_or_default();
            plan::diff(&x, &y)
                .into_iter()
                .filter(|d| d.change != plan::DiffKind::Unchanged)
                .map(|d| {
                    let title = if d.task == 0 {
                        t.t("plan-summary")
                    } else {
                        format!(
                            "{}. {}",
                            d.task,
                            catalogue
                                .task(d.task)
                                .map(|x| t.pick(&x.title_zh, &x.title_en).to_string())
                                .unwrap_or_default()
                        )
                    };
                    (
                        title,
                        t.t(&format!("diff-{}", d.change.as_str())),
                        d.details
                            .into_iter()
                            .map(|f| (f.field, f.before, f.after))
                            .collect(),
                    )
                })
                .collect()
        }
        PlanKind::Rectification => {
            let x: RectificationContent = serde_json::from_value(before).unwrap_or_default();
            let y: RectificationContent = serde_json::from_value(after).unwrap_or_default();
            let changes = plan::diff_rectification(&x, &y);
            if changes.is_empty() {
                vec![]
            } else {
                vec![(
                    t.t("rect-title-short"),
                    t.t("diff-changed"),
                    changes
                        .into_iter()
                        .map(|f| (f.field, f.before, f.after))
                        .collect(),
                )]
            }
        }
    };
    Ok(render(&ComparePage {
        page: Page::new(&ctx, format!("{} · {}", society.name, t.t("plan-compare"))),
        code: society.code.clone(),
        year: catalogue.year,
        kind: plan.kind.as_str(),
        versions: versions
            .iter()
            .map(|v| (v.version, v.submitted_at.clone()))
            .collect(),
        a,
        b,
        rows,
    }))
}

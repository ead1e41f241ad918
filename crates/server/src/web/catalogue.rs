//! Catalogue pages (R-CAT-*): the task list by class, each task's page with the full Chinese
//! clause, and the administrator's upload of another year's file.

use askama::Template;
use axum::extract::{Multipart, Path, State};
use axum::response::{IntoResponse, Response};
use reformwatch_core::catalogue::{Catalogue, TaskClass};

use crate::AppState;
use crate::auth::policy::Action;
use crate::db::catalogues::{StoreCatalogueError, StoredCatalogue};
use crate::error::{AppError, AppResult};
use crate::http::Ctx;
use crate::http::page::{Page, render, see_other};
use crate::http::upload::read_upload;
use crate::i18n::T;
use crate::service;

#[derive(Template)]
#[template(path = "catalogue/years.html")]
struct Years {
    page: Page,
    catalogues: Vec<StoredCatalogue>,
}

/// The stored catalogues as people read them: loaded when, in Beijing time, and by whom, by
/// name (issue 10).
async fn readable(state: &AppState, ctx: &Ctx) -> AppResult<Vec<StoredCatalogue>> {
    let t = ctx.t();
    let people = service::people::people(state, &ctx.principal()).await?;
    Ok(service::catalogues::list(state)
        .await?
        .into_iter()
        .map(|c| StoredCatalogue {
            loaded_at: crate::present::beijing_text(&c.loaded_at),
            loaded_by: crate::web::people::actor_text(&t, &people, &c.loaded_by),
            ..c
        })
        .collect())
}

pub async fn years(State(state): State<AppState>, ctx: Ctx) -> AppResult<Response> {
    let t = ctx.t();
    let catalogues = readable(&state, &ctx).await?;
    Ok(render(&Years {
        page: Page::new(&ctx, t.t("catalogues-title")),
        catalogues,
    }))
}

pub struct TaskRow {
    pub number: u32,
    pub title: String,
    pub excerpt: String,
}

pub struct Group {
    pub class: &'static str,
    pub label: String,
    pub rule: String,
    pub tasks: Vec<TaskRow>,
}

#[derive(Template)]
#[template(path = "catalogue/tasks.html")]
struct TaskList {
    page: Page,
    year: i32,
    summary: String,
    groups: Vec<Group>,
    about: super::catalogue_summary::SummaryView,
}

pub fn class_rule(t: &T, c: &Catalogue, class: TaskClass) -> String {
    match class {
        TaskClass::Basic => t.t("class-rule-basic"),
        TaskClass::Election => t.t("class-rule-election"),
        TaskClass::Optional => t.t1("class-rule-optional", "min", &c.min_optional),
    }
}

pub fn class_label(t: &T, class: TaskClass) -> String {
    t.t(&format!("class-{}", class.as_str()))
}

/// `GET /catalogues/{year}`: cached per catalogue hash and language for visitors without a
/// login, looked up before the summary is computed (R-PUB-3).
pub async fn task_list(
    State(state): State<AppState>,
    ctx: Ctx,
    headers: http::HeaderMap,
    Path(year): Path<String>,
) -> AppResult<Response> {
    let (sha, c) = service::catalogues::get_hashed(&state, Some(&year)).await?;
    let key = format!("catalogue|{}", c.year);
    super::bulletins::cached(
        &ctx,
        &headers,
        &sha,
        crate::http::cache::Freshness::Latest,
        None,
        &key,
        async { task_list_html(&ctx, &c) },
    )
    .await
}

fn task_list_html(ctx: &Ctx, c: &Catalogue) -> AppResult<String> {
    let t = ctx.t();
    let groups = [TaskClass::Basic, TaskClass::Election, TaskClass::Optional]
        .into_iter()
        .map(|class| Group {
            class: class.as_str(),
            label: class_label(&t, class),
            rule: class_rule(&t, c, class),
            tasks: c
                .tasks_of(class)
                .map(|task| TaskRow {
                    number: task.number,
                    title: t.pick(&task.title_zh, &task.title_en).to_string(),
                    excerpt: excerpt(&task.clause_zh, 70),
                })
                .collect(),
        })
        .collect();
    let title = format!("{} {}", c.year, t.t("catalogue-title"));
    TaskList {
        page: Page::new(ctx, title),
        year: c.year,
        summary: t.pick(&c.title_zh, &c.title_en).to_string(),
        groups,
        about: super::catalogue_summary::view(&t, c),
    }
    .render()
    .map_err(|e| AppError::Internal(anyhow::anyhow!("template: {e}")))
}

fn excerpt(s: &str, chars: usize) -> String {
    let mut out: String = s.chars().take(chars).collect();
    if s.chars().count() > chars {
        out.push('…');
    }
    out
}

#[derive(Template)]
#[template(path = "catalogue/task.html")]
struct TaskPage {
    page: Page,
    year: i32,
    number: u32,
    title: String,
    class: &'static str,
    class_label: String,
    class_rule: String,
    clause_zh: String,
    criteria: Option<String>,
    documents: Vec<String>,
    rules: Vec<(String, String)>,
    prev: Option<u32>,
    next: Option<u32>,
}

pub async fn task_page(
    State(state): State<AppState>,
    ctx: Ctx,
    Path((year, number)): Path<(String, String)>,
) -> AppResult<Response> {
    let t = ctx.t();
    let c = service::catalogues::get(&state, Some(&year)).await?;
    let number: u32 = number.parse().map_err(|_| AppError::NotFound)?;
    let task = c.task(number).ok_or(AppError::NotFound)?;
    let documents = task
        .required_documents
        .iter()
        .map(|id| {
            c.document(id)
                .map(|d| t.pick(&d.name_zh, &d.name_en).to_string())
                .unwrap_or_else(|| id.clone())
        })
        .collect();
    let criteria = if t.is_en() {
        task.criteria_en
            .clone()
            .or_else(|| task.criteria_zh.clone())
    } else {
        task.criteria_zh.clone()
    };
    let title = t.pick(&task.title_zh, &task.title_en).to_string();
    Ok(render(&TaskPage {
        page: Page::new(&ctx, title.clone()),
        year: c.year,
        number,
        title,
        class: task.class.as_str(),
        class_label: class_label(&t, task.class),
        class_rule: class_rule(&t, &c, task.class),
        clause_zh: task.clause_zh.clone(),
        criteria,
        documents,
        rules: task
            .rules
            .iter()
            .map(|r| (r.id.clone(), r.clause_zh.clone()))
            .collect(),
        prev: c.task(number.wrapping_sub(1)).map(|t| t.number),
        next: c.task(number + 1).map(|t| t.number),
    }))
}

#[derive(Template)]
#[template(path = "catalogue/load.html")]
struct LoadPage {
    page: Page,
    errors: crate::http::form::FormErrors,
    catalogues: Vec<StoredCatalogue>,
}

pub async fn load_page(State(state): State<AppState>, ctx: Ctx) -> AppResult<Response> {
    ctx.require(Action::LoadCatalogue, None)?;
    let t = ctx.t();
    Ok(render(&LoadPage {
        page: Page::new(&ctx, t.t("catalogue-load-title")),
        errors: crate::http::form::FormErrors::none(),
        catalogues: readable(&state, &ctx).await?,
    }))
}

pub async fn load_submit(
    State(state): State<AppState>,
    ctx: Ctx,
    form: Multipart,
) -> AppResult<Response> {
    ctx.require(Action::LoadCatalogue, None)?;
    let t = ctx.t();
    let upload = read_upload(form, "file", 2 * 1024 * 1024).await?;
    let error = match upload {
        None => t.t("err-no-file"),
        Some((name, bytes)) => match String::from_utf8(bytes) {
            Err(_) => t.t("err-catalogue-utf8"),
            Ok(source) => {
                let safe_name = crate::model::text(&name, "file", 200, false)
                    .unwrap_or_else(|_| "upload.toml".into());
                match service::catalogues::load(&state, &ctx.principal(), &source, &safe_name).await
                {
                    Ok(c) => {
                        return Ok(see_other(
                            &format!("/catalogues/{}", c.year),
                            "catalogue-loaded",
                        ));
                    }
                    Err(StoreCatalogueError::Invalid(e)) => {
                        t.t1("err-catalogue-invalid", "detail", &e)
                    }
                    Err(StoreCatalogueError::App(e)) => return Err(e),
                }
            }
        },
    };
    let page = LoadPage {
        page: Page::new(&ctx, t.t("catalogue-load-title")),
        errors: {
            let mut errors = crate::http::form::FormErrors::none();
            errors.push("file", error);
            errors
        },
        catalogues: readable(&state, &ctx).await?,
    };
    Ok((http::StatusCode::UNPROCESSABLE_ENTITY, render(&page)).into_response())
}

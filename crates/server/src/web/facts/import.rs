//! R-SOC-3 (facts part): administrators import many societies' facts from .xlsx/.csv. One row
//! per society: its code, optionally the date the values hold for, and any fact columns (by
//! field name or Chinese/English label). All rows or none, with a row-by-row report.

use askama::Template;
use axum::extract::{Multipart, Query, State};
use axum::response::{IntoResponse, Response};
use reformwatch_core::catalogue::Catalogue;
use reformwatch_tabular::{Limits, read_table};

use super::YearQuery;
use crate::AppState;
use crate::auth::policy::Action;
use crate::error::AppResult;
use crate::http::Ctx;
use crate::http::form::FormErrors;
use crate::http::page::{Page, render};
use crate::http::upload::read_upload;
use crate::import::{ImportError, RowError};
use crate::service;

#[derive(Template)]
#[template(path = "facts/import.html")]
struct ImportPage {
    page: Page,
    year: i32,
    errors: FormErrors,
    row_errors: Vec<(usize, String, String)>,
    summary: Option<String>,
    columns: Vec<(String, String)>,
}

fn page_with(
    ctx: &Ctx,
    catalogue: &Catalogue,
    error: Option<String>,
    row_errors: Vec<(usize, String, String)>,
    summary: Option<String>,
) -> ImportPage {
    let t = ctx.t();
    let mut columns = vec![
        (
            "code *".to_string(),
            service::facts::IMPORT_CODE_COLUMNS.join(" / "),
        ),
        (
            "as_of".to_string(),
            service::facts::IMPORT_AS_OF_COLUMNS.join(" / "),
        ),
    ];
    columns.extend(catalogue.entered_facts().map(|f| {
        (
            f.name.clone(),
            format!("{} / {} / {}", f.name, f.label_zh, f.label_en),
        )
    }));
    ImportPage {
        page: Page::new(ctx, t.t("facts-import-title")),
        year: catalogue.year,
        // The refusal sits at the file input (the rows' problems in the table beside it).
        errors: {
            let mut errors = FormErrors::none();
            if let Some(e) = error {
                errors.push("file", e);
            }
            errors
        },
        row_errors,
        summary,
        columns,
    }
}

pub async fn import_page(
    State(state): State<AppState>,
    ctx: Ctx,
    Query(q): Query<YearQuery>,
) -> AppResult<Response> {
    ctx.require(Action::ManageSocieties, None)?;
    let catalogue = service::catalogues::get(&state, q.year.as_deref()).await?;
    Ok(render(&page_with(&ctx, &catalogue, None, vec![], None)))
}

pub async fn import_submit(
    State(state): State<AppState>,
    ctx: Ctx,
    Query(q): Query<YearQuery>,
    form: Multipart,
) -> AppResult<Response> {
    ctx.require(Action::ManageSocieties, None)?;
    let catalogue = service::catalogues::get(&state, q.year.as_deref()).await?;
    let t = ctx.t();
    let reject = |error: Option<String>, rows: Vec<RowError>| {
        let rows = rows
            .iter()
            .map(|r| (r.line, r.column.clone(), t.field(&r.error)))
            .collect();
        (
            http::StatusCode::UNPROCESSABLE_ENTITY,
            render(&page_with(&ctx, &catalogue, error, rows, None)),
        )
            .into_response()
    };
    let Some((name, bytes)) = read_upload(form, "file", 10 * 1024 * 1024).await? else {
        return Ok(reject(Some(t.t("err-no-file")), vec![]));
    };
    let table = match read_table(&name, &bytes, &Limits::default()) {
        Ok(t) => t,
        Err(e) => {
            return Ok(reject(
                Some(if t.is_en() {
                    e.message_en()
                } else {
                    e.message_zh()
                }),
                vec![],
            ));
        }
    };
    let done = match service::facts::import(&state, &ctx.principal(), &catalogue, &table).await? {
        Ok(done) => done,
        Err(ImportError::Rows(rows)) => {
            return Ok(reject(
                Some(t.t1("err-import-rows", "count", &rows.len())),
                rows,
            ));
        }
        Err(e) => return Ok(reject(Some(e.message(&t)), vec![])),
    };
    let summary = t
        .t("facts-import-done")
        .replace("{rows}", &done.rows.to_string())
        .replace("{values}", &done.values.to_string());
    Ok(render(&page_with(
        &ctx,
        &catalogue,
        None,
        vec![],
        Some(summary),
    )))
}

//! R-SOC-3: administrators import societies from .xlsx/.csv, all rows or none, with a
//! row-by-row report.

use askama::Template;
use axum::extract::{Multipart, State};
use axum::response::{IntoResponse, Response};

use crate::AppState;
use crate::auth::policy::Action;
use crate::error::AppResult;
use crate::http::Ctx;
use crate::http::form::FormErrors;
use crate::http::page::{Page, render};
use crate::http::upload::read_upload;
use crate::import::{ImportError, SOCIETY_COLUMNS, parse_societies};
use crate::service;

#[derive(Template)]
#[template(path = "societies/import.html")]
struct ImportPage {
    page: Page,
    errors: FormErrors,
    row_errors: Vec<(usize, String, String)>,
    summary: Option<String>,
    columns: Vec<(String, String, bool)>,
}

fn import_page_with(
    ctx: &Ctx,
    error: Option<String>,
    row_errors: Vec<(usize, String, String)>,
    summary: Option<String>,
) -> ImportPage {
    let t = ctx.t();
    // The refusal sits at the file input (the rows' problems in the table beside it).
    let mut errors = FormErrors::none();
    if let Some(e) = error {
        errors.push("file", e);
    }
    ImportPage {
        page: Page::new(ctx, t.t("society-import")),
        errors,
        row_errors,
        summary,
        columns: SOCIETY_COLUMNS
            .iter()
            .map(|(f, aliases, req)| (f.to_string(), aliases.join(" / "), *req))
            .collect(),
    }
}

pub async fn import_page(ctx: Ctx) -> AppResult<Response> {
    ctx.require(Action::ManageSocieties, None)?;
    Ok(render(&import_page_with(&ctx, None, vec![], None)))
}

pub async fn import_submit(
    State(state): State<AppState>,
    ctx: Ctx,
    form: Multipart,
) -> AppResult<Response> {
    ctx.require(Action::ManageSocieties, None)?;
    let t = ctx.t();
    let Some((name, bytes)) = read_upload(form, "file", 10 * 1024 * 1024).await? else {
        return Ok((
            http::StatusCode::UNPROCESSABLE_ENTITY,
            render(&import_page_with(
                &ctx,
                Some(t.t("err-no-file")),
                vec![],
                None,
            )),
        )
            .into_response());
    };
    match parse_societies(&name, &bytes) {
        Ok(rows) => {
            let summary = service::societies::import(&state, &ctx.principal(), &rows).await?;
            let text = t
                .t("import-done")
                .replace("{created}", &summary.created.to_string())
                .replace("{updated}", &summary.updated.to_string())
                .replace("{unchanged}", &summary.unchanged.to_string());
            Ok(render(&import_page_with(&ctx, None, vec![], Some(text))))
        }
        Err(e) => {
            let row_errors = match &e {
                ImportError::Rows(rows) => rows
                    .iter()
                    .map(|r| (r.line, r.column.clone(), t.field(&r.error)))
                    .collect(),
                _ => vec![],
            };
            Ok((
                http::StatusCode::UNPROCESSABLE_ENTITY,
                render(&import_page_with(
                    &ctx,
                    Some(e.message(&t)),
                    row_errors,
                    None,
                )),
            )
                .into_response())
        }
    }
}

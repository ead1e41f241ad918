//! R-SOC-3 (facts part): administrators import many societies' facts from .xlsx/.csv. One row
//! per society: its code, optionally the date the values hold for, and any fact columns (by
//! field name or Chinese/English label). All rows or none, with a row-by-row report.

use askama::Template;
use axum::extract::{Multipart, Query, State};
use axum::response::{IntoResponse, Response};
use chrono::NaiveDate;
use reformwatch_core::catalogue::Catalogue;
use reformwatch_tabular::{Limits, read_table};

use super::catalogue::read_upload;
use super::facts::{YearQuery, catalogue_for};
use super::page::{Page, render};
use super::{AppState, Ctx};
use crate::auth::policy::Action;
use crate::checks::parse_value;
use crate::db::facts::{self, FactChange};
use crate::db::societies;
use crate::error::{AppError, AppResult};
use crate::import::RowError;
use crate::model::FieldError;

#[derive(Template)]
#[template(path = "facts_import.html")]
struct ImportPage {
    page: Page,
    year: i32,
    error: Option<String>,
    row_errors: Vec<(usize, String, String)>,
    summary: Option<String>,
    columns: Vec<(String, String)>,
}

const CODE_ALIASES: &[&str] = &["code", "代码", "学会代码"];
const AS_OF_ALIASES: &[&str] = &["as_of", "日期", "数据日期", "截至日期"];

fn page_with(
    ctx: &Ctx,
    catalogue: &Catalogue,
    error: Option<String>,
    row_errors: Vec<(usize, String, String)>,
    summary: Option<String>,
) -> ImportPage {
    let t = ctx.t();
    let mut columns = vec![
        ("code *".to_string(), CODE_ALIASES.join(" / ")),
        ("as_of".to_string(), AS_OF_ALIASES.join(" / ")),
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
        error,
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
    let catalogue = catalogue_for(&state, q.year.as_deref()).await?;
    Ok(render(&page_with(&ctx, &catalogue, None, vec![], None)))
}

pub async fn import_submit(
    State(state): State<AppState>,
    ctx: Ctx,
    Query(q): Query<YearQuery>,
    form: Multipart,
) -> AppResult<Response> {
    ctx.require(Action::ManageSocieties, None)?;
    let catalogue = catalogue_for(&state, q.year.as_deref()).await?;
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
    let Some(code_col) = table.column(CODE_ALIASES) else {
        return Ok(reject(
            Some(t.t1("err-import-missing-columns", "columns", &"code")),
            vec![],
        ));
    };
    let as_of_col = table.column(AS_OF_ALIASES);
    let fact_cols: Vec<(usize, &str)> = catalogue
        .entered_facts()
        .filter_map(|f| {
            table
                .column(&[f.name.as_str(), f.label_zh.as_str(), f.label_en.as_str()])
                .map(|i| (i, f.name.as_str()))
        })
        .collect();
    let today = state
        .clock
        .now()
        .with_timezone(&catalogue.timezone)
        .date_naive();
    let mut errors: Vec<RowError> = Vec::new();
    let mut parsed = Vec::new();
    for row in &table.rows {
        let header = |i: usize| table.headers.get(i).cloned().unwrap_or_default();
        let cell = |i: usize| row.cells.get(i).cloned().unwrap_or_default();
        let code = cell(code_col);
        let society = societies::by_code(&state.db, &code).await?;
        let Some(society) = society else {
            errors.push(RowError {
                line: row.line,
                column: header(code_col),
                error: FieldError::new("code", "err-society-unknown").arg("value", code.trim()),
            });
            continue;
        };
        let as_of = match as_of_col.map(cell).filter(|s| !s.trim().is_empty()) {
            None => today,
            Some(raw) => match NaiveDate::parse_from_str(raw.trim(), "%Y-%m-%d") {
                Ok(d) => d,
                Err(_) => {
                    errors.push(RowError {
                        line: row.line,
                        column: as_of_col.map(header).unwrap_or_default(),
                        error: FieldError::new("as_of", "err-fact-date").arg("value", raw.trim()),
                    });
                    continue;
                }
            },
        };
        let mut changes = Vec::new();
        for (i, field) in &fact_cols {
            let raw = cell(*i);
            // An empty cell means "no value given", not "clear it".
            if raw.trim().is_empty() {
                continue;
            }
            match parse_value(&catalogue, field, &raw) {
                Ok(value) => changes.push(FactChange {
                    field: field.to_string(),
                    value,
                }),
                Err(e) => errors.push(RowError {
                    line: row.line,
                    column: header(*i),
                    error: e,
                }),
            }
        }
        parsed.push((row.line, society, as_of, changes));
    }
    if !errors.is_empty() {
        return Ok(reject(
            Some(t.t1("err-import-rows", "count", &errors.len())),
            errors,
        ));
    }
    // One transaction: every row is validated against the society's whole set of facts; any
    // failure rolls everything back.
    let mut tx = state.db.begin().await?;
    let mut added = 0;
    for (line, society, as_of, changes) in &parsed {
        match facts::record_in(
            &state.db,
            &mut tx,
            &ctx.actor(),
            state.clock.now(),
            society,
            &catalogue,
            *as_of,
            "import",
            changes,
        )
        .await
        {
            Ok(n) => added += n,
            Err(AppError::Invalid(es)) => errors.extend(es.into_iter().map(|e| RowError {
                line: *line,
                column: e.field.clone(),
                error: e,
            })),
            Err(e) => return Err(e),
        }
    }
    if !errors.is_empty() {
        tx.rollback().await?;
        return Ok(reject(
            Some(t.t1("err-import-rows", "count", &errors.len())),
            errors,
        ));
    }
    tx.commit().await?;
    let summary = t
        .t("facts-import-done")
        .replace("{rows}", &parsed.len().to_string())
        .replace("{values}", &added.to_string());
    Ok(render(&page_with(
        &ctx,
        &catalogue,
        None,
        vec![],
        Some(summary),
    )))
}

//! CAST's overview (R-RULE-*): societies × rules, coloured, filterable by discipline group,
//! election year and failing rule; exported to .xlsx with every explanation.

use std::collections::BTreeMap;

use askama::Template;
use axum::extract::{Query, State};
use axum::response::Response;
use reformwatch_core::catalogue::Catalogue;
use reformwatch_core::rules::Verdict;

use super::verdict_label;
use crate::AppState;
use crate::auth::policy::Action;
use crate::error::AppResult;
use crate::http::Ctx;
use crate::http::page::{Counted, PAGE_SIZE, Page, Pager, render};
use crate::i18n::T;
use crate::model::DisciplineGroup;
use crate::service::overview::{OverviewQuery, SocietyRow};

fn symbol(v: Verdict) -> &'static str {
    match v {
        Verdict::Pass => "✓",
        Verdict::Fail => "✗",
        Verdict::Warning => "!",
        Verdict::Insufficient => "?",
        Verdict::NotApplicable => "–",
    }
}

pub struct MatrixRow {
    pub code: String,
    pub name: String,
    /// (verdict, symbol, title, judged by a reviewer)
    pub cells: Vec<(&'static str, &'static str, String, bool)>,
}

#[derive(Template)]
#[template(path = "facts/overview.html")]
struct OverviewPage {
    page: Page,
    year: i32,
    groups: Vec<(String, String)>,
    rules: Vec<(String, String, String)>,
    legend: Vec<(&'static str, String, &'static str)>,
    rows: Vec<MatrixRow>,
    count_text: String,
    f_group: String,
    f_election: String,
    f_failing: String,
    export_href: String,
    pager: Pager,
}

fn rule_columns(t: &T, catalogue: &Catalogue) -> Vec<(String, String, String)> {
    catalogue
        .rules()
        .map(|(task, r)| {
            (
                r.id.clone(),
                format!(
                    "{}. {} · {}",
                    task.number,
                    t.pick(&task.title_zh, &task.title_en),
                    r.clause_zh
                ),
                format!(
                    "{}. {}",
                    task.number,
                    crate::web::facts::rule_title(t, catalogue, &r.id)
                ),
            )
        })
        .collect()
}

pub async fn page(
    State(state): State<AppState>,
    ctx: Ctx,
    Query(q): Query<OverviewQuery>,
) -> AppResult<Response> {
    ctx.require(Action::ListAllSocieties, None)?;
    let catalogue = crate::service::catalogues::get(&state, q.year.as_deref()).await?;
    let t = ctx.t();
    let rows = crate::service::overview::matrix(&state, &ctx.principal(), &catalogue, &q).await?;
    let enc = |s: &str| {
        percent_encoding::utf8_percent_encode(s, percent_encoding::NON_ALPHANUMERIC).to_string()
    };
    // The filters, kept in the export link and in the pages' links.
    let filters = format!(
        "year={}&group={}&election={}&failing={}",
        catalogue.year,
        enc(&q.group),
        enc(&q.election),
        enc(&q.failing)
    );
    // Only this page's rows are rendered (the whole matrix was a 38 MB page at 10,209
    // societies).
    let pager = Pager::new(
        &t,
        Counted::Societies,
        rows.len(),
        PAGE_SIZE,
        q.page.as_deref(),
        &format!("/overview/rules?{filters}"),
    );
    Ok(render(&OverviewPage {
        page: Page::new(&ctx, t.t1("overview-title", "year", &catalogue.year)),
        year: catalogue.year,
        groups: DisciplineGroup::ALL
            .iter()
            .map(|g| {
                (
                    g.letter().to_string(),
                    format!("{} {}", g.letter(), t.pick(g.name_zh(), g.name_en())),
                )
            })
            .collect(),
        rules: rule_columns(&t, &catalogue),
        legend: Verdict::ALL
            .iter()
            .map(|v| (v.as_str(), verdict_label(&t, *v), symbol(*v)))
            .collect(),
        count_text: t.t1("societies-count", "count", &rows.len()),
        rows: rows[pager.range()]
            .iter()
            .map(|r| MatrixRow {
                code: r.society.code.clone(),
                name: r.society.name.clone(),
                cells: r
                    .verdicts
                    .iter()
                    .map(|v| {
                        (
                            v.verdict.as_str(),
                            symbol(v.verdict),
                            if v.judged {
                                // Issue 13: a reviewer's judgement, labelled as such.
                                format!(
                                    "{}（{}）: {}",
                                    v.rule,
                                    t.t("judged-badge"),
                                    t.pick(&v.explanation_zh, &v.explanation_en)
                                )
                            } else {
                                format!(
                                    "{}: {}",
                                    v.rule,
                                    t.pick(&v.explanation_zh, &v.explanation_en)
                                )
                            },
                            v.judged,
                        )
                    })
                    .collect(),
            })
            .collect(),
        export_href: format!("/overview/rules.xlsx?{filters}"),
        pager,
        f_group: q.group,
        f_election: q.election,
        f_failing: q.failing,
    }))
}

/// The same matrix as an Excel workbook: sheet 1 the matrix (verdict words), sheet 2 every
/// verdict with its explanation and clause.
pub async fn export(
    State(state): State<AppState>,
    ctx: Ctx,
    Query(q): Query<OverviewQuery>,
) -> AppResult<Response> {
    ctx.require(Action::ListAllSocieties, None)?;
    let catalogue = crate::service::catalogues::get(&state, q.year.as_deref()).await?;
    let t = ctx.t();
    let rows = crate::service::overview::matrix(&state, &ctx.principal(), &catalogue, &q).await?;
    Ok(crate::http::download::xlsx(
        &format!("reformwatch-rules-{}.xlsx", catalogue.year),
        workbook(&t, &catalogue, &rows),
    ))
}

fn workbook(
    t: &T,
    catalogue: &Catalogue,
    rows: &[SocietyRow],
) -> Result<Vec<u8>, rust_xlsxwriter::XlsxError> {
    use rust_xlsxwriter::{Color, Format, Workbook};
    let mut wb = Workbook::new();
    let bold = Format::new().set_bold();
    let fills: BTreeMap<&str, Format> = [
        ("pass", Color::RGB(0xE7F5EC)),
        ("fail", Color::RGB(0xFDE8E6)),
        ("warning", Color::RGB(0xFFF6DD)),
        ("insufficient", Color::RGB(0xEEF0F3)),
        ("not_applicable", Color::RGB(0xFAFAFA)),
    ]
    .into_iter()
    .map(|(k, c)| (k, Format::new().set_background_color(c)))
    .collect();
    let columns = rule_columns(t, catalogue);
    // Constant memory (issue 8): each row goes to a temporary file as the next one starts.
    let sheet = wb.add_worksheet_with_constant_memory()?;
    sheet.set_name(t.t("xlsx-sheet-matrix"))?;
    sheet.set_freeze_panes(1, 2)?;
    sheet.set_column_width(1, 28)?;
    let headers = [
        t.t("col-code"),
        t.t("col-name"),
        t.t("col-group"),
        t.t("election-this-year"),
    ];
    for (i, h) in headers.iter().enumerate() {
        sheet.write_string_with_format(0, i as u16, h, &bold)?;
    }
    for (j, (id, title, _)) in columns.iter().enumerate() {
        sheet.write_string_with_format(
            0,
            (headers.len() + j) as u16,
            format!("{id}\n{title}"),
            &bold,
        )?;
    }
    for (i, r) in rows.iter().enumerate() {
        let row = (i + 1) as u32;
        sheet.write_string(row, 0, &r.society.code)?;
        sheet.write_string(row, 1, &r.society.name)?;
        sheet.write_string(row, 2, &r.society.category)?;
        sheet.write_string(
            row,
            3,
            match r.election {
                Some(true) => t.t("election-yes"),
                Some(false) => t.t("election-no"),
                None => t.t("election-unknown"),
            },
        )?;
        for (j, v) in r.verdicts.iter().enumerate() {
            let fmt = fills.get(v.verdict.as_str()).cloned().unwrap_or_default();
            sheet.write_string_with_format(
                row,
                (headers.len() + j) as u16,
                verdict_label(t, v.verdict),
                &fmt,
            )?;
        }
    }
    let detail = wb.add_worksheet_with_constant_memory()?;
    detail.set_name(t.t("xlsx-sheet-detail"))?;
    detail.set_column_width(5, 80)?;
    for (i, h) in [
        t.t("col-code"),
        t.t("col-name"),
        t.t("task"),
        t.t("col-rule"),
        t.t("col-verdict"),
        t.t("col-explanation"),
        t.t("col-clause"),
    ]
    .iter()
    .enumerate()
    {
        detail.write_string_with_format(0, i as u16, h, &bold)?;
    }
    let mut row = 1u32;
    for r in rows {
        for v in &r.verdicts {
            detail.write_string(row, 0, &r.society.code)?;
            detail.write_string(row, 1, &r.society.name)?;
            detail.write_number(row, 2, f64::from(v.task))?;
            detail.write_string(row, 3, &v.rule)?;
            detail.write_string(row, 4, verdict_label(t, v.verdict))?;
            detail.write_string(row, 5, t.pick(&v.explanation_zh, &v.explanation_en))?;
            detail.write_string(row, 6, &v.clause)?;
            row += 1;
        }
    }
    wb.save_to_buffer()
}

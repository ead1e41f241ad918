//! CAST's dashboard (R-TRACK-3): societies × tasks for a month, coloured, filterable, with the
//! month's report state and the reporting rate; and the same rows as .xlsx with comments and
//! evidence links.

use askama::Template;
use axum::extract::{Query, State};
use axum::response::Response;
use reformwatch_core::catalogue::TaskClass;
use reformwatch_core::tracking::{self as core, Colour};

use super::{colour_label, groups, month_label};
use crate::AppState;
use crate::error::AppResult;
use crate::http::Ctx;
use crate::http::page::{Counted, PAGE_SIZE, Page, Pager, render};
use crate::service::dashboard::{self, DashQuery, DashRow};

#[derive(Template)]
#[template(path = "reports/dashboard.html")]
struct DashboardPage {
    page: Page,
    year: i32,
    months: Vec<(String, String)>,
    groups: Vec<(String, String)>,
    colours: Vec<(&'static str, String)>,
    classes: Vec<(&'static str, String)>,
    f_month: String,
    f_group: String,
    f_colour: String,
    f_class: String,
    f_late: bool,
    f_sort: String,
    export_href: String,
    counts: Vec<(&'static str, String, usize)>,
    rate_text: String,
    task_cols: Vec<(String, String)>,
    rows: Vec<DashRow>,
    pager: Pager,
}

pub async fn dashboard(
    State(state): State<AppState>,
    ctx: Ctx,
    Query(q): Query<DashQuery>,
) -> AppResult<Response> {
    let t = ctx.t();
    let d = dashboard::load(&state, &ctx.principal(), &q).await?;
    let year = d.catalogue.year;
    let public_url = state.config.public_url.clone();
    let enc = |s: &str| {
        percent_encoding::utf8_percent_encode(s, percent_encoding::NON_ALPHANUMERIC).to_string()
    };
    // The filters, kept in the export link and in the pages' links.
    let filters = format!(
        "year={}&month={}&group={}&colour={}&class={}&late={}&sort={}",
        year,
        d.month.month,
        enc(&q.group),
        enc(&q.colour),
        enc(&q.class),
        enc(q.late.as_deref().unwrap_or("")),
        enc(&q.sort)
    );
    // Only this page's rows are rendered: the page stays the same size at 10,000 societies.
    let pager = Pager::new(
        &t,
        Counted::Societies,
        d.rows.len(),
        PAGE_SIZE,
        q.page.as_deref(),
        &format!("/dashboard?{filters}"),
    );
    Ok(render(&DashboardPage {
        page: Page::new(
            &ctx,
            t.t1("dashboard-title", "month", &month_label(&t, d.month)),
        ),
        year,
        months: core::expected_months(&d.catalogue)
            .into_iter()
            .map(|m| (m.month.to_string(), month_label(&t, m)))
            .collect(),
        groups: groups(&t),
        colours: Colour::ALL
            .iter()
            .map(|c| (c.as_str(), colour_label(&t, *c)))
            .collect(),
        classes: [TaskClass::Basic, TaskClass::Election, TaskClass::Optional]
            .iter()
            .map(|c| (c.as_str(), crate::web::catalogue::class_label(&t, *c)))
            .collect(),
        f_month: d.month.month.to_string(),
        export_href: format!("/dashboard.xlsx?{filters}"),
        f_group: q.group,
        f_colour: q.colour,
        f_class: q.class,
        f_late: q.late.as_deref() == Some("true"),
        f_sort: if q.sort.is_empty() {
            "code".into()
        } else {
            q.sort
        },
        counts: d
            .counts
            .iter()
            .map(|(c, n)| (c.as_str(), colour_label(&t, *c), *n))
            .collect(),
        rate_text: t
            .t("rate-month")
            .replace(
                "{received}",
                &crate::present::percent(u64::from(d.rate.received), u64::from(d.rate.expected)),
            )
            .replace(
                "{on_time}",
                &crate::present::percent(u64::from(d.rate.on_time), u64::from(d.rate.expected)),
            ),
        task_cols: d.task_columns(&t),
        rows: d.rows[pager.range()]
            .iter()
            .map(|r| d.row_text(&t, &public_url, r))
            .collect(),
        pager,
    }))
}

/// The dashboard as .xlsx: colours per task, report state, comments and evidence links.
pub async fn dashboard_export(
    State(state): State<AppState>,
    ctx: Ctx,
    Query(q): Query<DashQuery>,
) -> AppResult<Response> {
    let t = ctx.t();
    let d = dashboard::load(&state, &ctx.principal(), &q).await?;
    let public_url = state.config.public_url.clone();
    let name = format!("reformwatch-dashboard-{}.xlsx", d.month);
    // Written off the async workers: 10,000 rows take a few hundred milliseconds.
    let bytes =
        tokio::task::spawn_blocking(move || -> Result<Vec<u8>, rust_xlsxwriter::XlsxError> {
            use rust_xlsxwriter::{Color, Format, Workbook};
            let mut wb = Workbook::new();
            // Much of a large export's time is deflating its XML (issue 8). Measured at 10,000
            // societies: level 2 wrote 1.28 MB in 0.27-0.29 s, the default 6 0.98 MB in
            // 0.35-0.48 s.
            wb.set_zip_compression_level(2);
            let bold = Format::new().set_bold();
            let wrap = Format::new().set_text_wrap();
            // Made once: a format built per cell costs the writer a lookup each (issue 8).
            let (red, yellow, green, plain) = (
                Format::new().set_background_color(Color::RGB(0xFDE8E6)),
                Format::new().set_background_color(Color::RGB(0xFFF6DD)),
                Format::new().set_background_color(Color::RGB(0xE7F5EC)),
                Format::new(),
            );
            let fill = |c: &str| match c {
                "red" => &red,
                "yellow" => &yellow,
                "green" => &green,
                _ => &plain,
            };
            // Constant memory: each row goes to a temporary file as the next one starts.
            let ws = wb.add_worksheet_with_constant_memory()?;
            ws.set_name(month_label(&t, d.month))?;
            ws.set_column_width(1, 28)?;
            ws.set_freeze_panes(1, 2)?;
            let mut headers = vec![
                t.t("col-code"),
                t.t("col-name"),
                t.t("colour"),
                t.t("report"),
                t.t("colour-reasons"),
            ];
            headers.extend(
                d.task_columns(&t)
                    .iter()
                    .map(|(n, title)| format!("{} {n} {title}", t.t("task"))),
            );
            headers.push(t.t("review-comments"));
            headers.push(t.t("evidence"));
            for (i, h) in headers.iter().enumerate() {
                ws.write_string_with_format(0, i as u16, h, &bold)?;
            }
            // Row by row from the snapshot: each row is rendered as it is written.
            for (i, r) in d.rows.iter().enumerate() {
                let r = d.row_text_with(&t, &public_url, r, false);
                let row = (i + 1) as u32;
                ws.write_string(row, 0, &r.code)?;
                ws.write_string(row, 1, &r.name)?;
                ws.write_string_with_format(row, 2, &r.colour_label, fill(r.colour))?;
                ws.write_string(
                    row,
                    3,
                    format!(
                        "{}{}",
                        r.report_state,
                        if r.late {
                            format!(" ({})", t.t("late"))
                        } else {
                            String::new()
                        }
                    ),
                )?;
                ws.write_string_with_format(row, 4, &r.reasons, &wrap)?;
                for (j, c) in r.cells.iter().enumerate() {
                    let label = Colour::ALL
                        .into_iter()
                        .find(|x| x.as_str() == c.0)
                        .map(|x| colour_label(&t, x))
                        .unwrap_or_default();
                    ws.write_string_with_format(row, (5 + j) as u16, &label, fill(c.0))?;
                }
                let base = (5 + r.cells.len()) as u16;
                ws.write_string_with_format(row, base, &r.comments, &wrap)?;
                ws.write_string_with_format(row, base + 1, r.evidence.join("\n"), &wrap)?;
            }
            wb.save_to_buffer()
        })
        .await
        .map_err(|e| anyhow::anyhow!("writing the dashboard export: {e}"))?;
    Ok(crate::http::download::xlsx(&name, bytes))
}

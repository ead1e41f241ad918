//! Two versions of a plan side by side (R-PLAN-4): what changed, task by task.

use askama::Template;
use axum::extract::{Query, State};
use axum::response::Response;

use super::{PlanQuery, kind_of};
use crate::AppState;
use crate::error::AppResult;
use crate::http::Ctx;
use crate::http::extract::SocietyYear;
use crate::http::page::{Page, render};
use crate::service::plans as service;

/// One task's changes: title, change kind, and (field, before, after) triples.
type DiffRow = (String, String, Vec<(String, String, String)>);

#[derive(Template)]
#[template(path = "plans/compare.html")]
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
    sy: SocietyYear,
    Query(q): Query<PlanQuery>,
) -> AppResult<Response> {
    let kind = kind_of(&q)?;
    let t = ctx.t();
    let c = service::compare(&state, &sy.society, sy.catalogue.year, kind, q.a, q.b).await?;
    let rows = c
        .changes
        .into_iter()
        .map(|d| {
            let title = match (kind, d.task) {
                (crate::db::plans::PlanKind::Rectification, _) => t.t("rect-title-short"),
                (_, 0) => t.t("plan-summary"),
                (_, n) => format!(
                    "{n}. {}",
                    sy.catalogue
                        .task(n)
                        .map(|x| t.pick(&x.title_zh, &x.title_en).to_string())
                        .unwrap_or_default()
                ),
            };
            (
                title,
                t.t(&format!("diff-{}", d.change.as_str())),
                d.details
                    .into_iter()
                    .map(|f| {
                        (
                            crate::present::diff_field(&t, &f.field),
                            crate::present::diff_value(&t, &f.before),
                            crate::present::diff_value(&t, &f.after),
                        )
                    })
                    .collect(),
            )
        })
        .collect();
    Ok(render(&ComparePage {
        page: Page::new(
            &ctx,
            format!("{} · {}", sy.society.name, t.t("plan-compare")),
        ),
        code: sy.society.code.clone(),
        year: sy.catalogue.year,
        kind: kind.as_str(),
        versions: c
            .versions
            .into_iter()
            .map(|(v, at)| (v, crate::present::beijing_text(&at)))
            .collect(),
        a: c.a,
        b: c.b,
        rows,
    }))
}

//! The registry list: staff see every society, a society's people only their own.

use askama::Template;
use axum::extract::{Query, State};
use axum::response::Response;
use serde::Deserialize;

use super::{Row, groups, row};
use crate::AppState;
use crate::auth::policy::Action;
use crate::db::societies::SocietyFilter;
use crate::error::AppResult;
use crate::http::Ctx;
use crate::http::page::{Counted, PAGE_SIZE, Page, Pager, render};
use crate::service;

#[derive(Template)]
#[template(path = "societies/list.html")]
struct ListPage {
    page: Page,
    societies: Vec<Row>,
    q: String,
    group: String,
    include_inactive: bool,
    groups: Vec<(String, String)>,
    count_text: String,
    can_manage: bool,
    pager: Pager,
}

#[derive(Deserialize, Default)]
pub struct ListQuery {
    #[serde(default)]
    q: String,
    #[serde(default)]
    group: String,
    #[serde(default)]
    include_inactive: Option<String>,
    #[serde(default)]
    pub done: Option<String>,
    /// 100 societies a page (issue 10); the filters stay in the pages' links.
    #[serde(default)]
    page: Option<String>,
}

/// Staff see the registry; a society's people see only their own society.
pub async fn list(
    State(state): State<AppState>,
    ctx: Ctx,
    Query(q): Query<ListQuery>,
) -> AppResult<Response> {
    let who = ctx.principal();
    let t = ctx.t();
    let include_inactive = q.include_inactive.as_deref() == Some("true");
    let visible: Vec<Row> = service::societies::list(
        &state,
        &who,
        &SocietyFilter {
            group: Some(q.group.clone()).filter(|g| !g.is_empty()),
            q: Some(q.q.clone()),
            include_inactive: Some(include_inactive),
        },
    )
    .await?
    .iter()
    .map(|s| row(&t, s))
    .collect();
    let enc = |s: &str| {
        percent_encoding::utf8_percent_encode(s, percent_encoding::NON_ALPHANUMERIC).to_string()
    };
    let base = format!(
        "/societies?q={}&group={}&include_inactive={}",
        enc(&q.q),
        enc(&q.group),
        if include_inactive { "true" } else { "" }
    );
    let pager = Pager::new(
        &t,
        Counted::Societies,
        visible.len(),
        PAGE_SIZE,
        q.page.as_deref(),
        &base,
    );
    let count = visible.len();
    let societies = visible
        .into_iter()
        .skip(pager.range().start)
        .take(pager.range().len())
        .collect();
    Ok(render(&ListPage {
        count_text: t.t1("societies-count", "count", &count),
        page: Page::new(&ctx, t.t("societies-title")).with_flash(q.done.as_deref()),
        societies,
        pager,
        q: q.q,
        group: q.group,
        include_inactive,
        groups: groups(&t),
        can_manage: who.may(Action::ManageSocieties, None),
    }))
}

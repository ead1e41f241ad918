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
use crate::http::page::{Page, render};
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
    Ok(render(&ListPage {
        count_text: t.t1("societies-count", "count", &visible.len()),
        page: Page::new(&ctx, t.t("societies-title")).with_flash(q.done.as_deref()),
        societies: visible,
        q: q.q,
        group: q.group,
        include_inactive,
        groups: groups(&t),
        can_manage: who.may(Action::ManageSocieties, None),
    }))
}

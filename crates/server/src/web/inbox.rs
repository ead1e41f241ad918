//! The inbox (issue 4): one's notifications, newest first; marking one or all read (issue 10).

use askama::Template;
use axum::extract::{Path, Query, State};
use axum::response::Response;

use crate::AppState;
use crate::error::{AppError, AppResult};
use crate::http::Ctx;
use crate::http::page::{Page, render, see_other};
use crate::service;

pub struct InboxItem {
    pub id: i64,
    pub subject: String,
    pub link: String,
    pub at: String,
    pub read: bool,
}

#[derive(Template)]
#[template(path = "account/inbox.html")]
struct InboxPage {
    page: Page,
    items: Vec<InboxItem>,
    unread: usize,
}

#[derive(serde::Deserialize, Default)]
pub struct DoneQuery {
    #[serde(default)]
    done: Option<String>,
}

pub async fn inbox(
    State(state): State<AppState>,
    ctx: Ctx,
    Query(q): Query<DoneQuery>,
) -> AppResult<Response> {
    let t = ctx.t();
    let items = service::notifications::inbox(&state, &ctx.principal())
        .await?
        .into_iter()
        .map(|n| InboxItem {
            id: n.id,
            subject: t.pick(&n.subject_zh, &n.subject_en).to_string(),
            link: n.link,
            at: crate::present::beijing_text(&n.created_at),
            read: n.read_at.is_some(),
        })
        .collect::<Vec<InboxItem>>();
    Ok(render(&InboxPage {
        page: Page::new(&ctx, t.t("inbox-title")).with_flash(q.done.as_deref()),
        unread: items.iter().filter(|i| !i.read).count(),
        items,
    }))
}

pub async fn mark_read(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
) -> AppResult<Response> {
    let id: i64 = id.parse().map_err(|_| AppError::NotFound)?;
    service::notifications::mark_read(&state, &ctx.principal(), id).await?;
    Ok(see_other("/inbox", "saved"))
}

/// Marks all of one's own notifications read (audited); back to the inbox.
pub async fn mark_all_read(State(state): State<AppState>, ctx: Ctx) -> AppResult<Response> {
    service::notifications::mark_all_read(&state, &ctx.principal()).await?;
    Ok(see_other("/inbox", "saved"))
}

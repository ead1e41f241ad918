//! The inbox (issue 4): one's notifications, newest first; marking one read.

use askama::Template;
use axum::extract::{Path, State};
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
}

pub async fn inbox(State(state): State<AppState>, ctx: Ctx) -> AppResult<Response> {
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
        .collect();
    Ok(render(&InboxPage {
        page: Page::new(&ctx, t.t("inbox-title")),
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

//! Request plumbing shared by the pages (`web/`) and the JSON API (`api/`): the request
//! context (language, principal, CSRF, security headers, error rendering), the route table's
//! shape and its access guard, extractors, the page layout, and downloads. Both siblings
//! declare their routes with [`route`]; the crate root joins them into one table.

pub mod cache;
pub mod context;
pub mod download;
pub mod errors;
pub mod extract;
pub mod fastpath;
pub mod form;
pub mod page;
pub mod serve;
pub mod upload;

use axum::Router;
use axum::extract::DefaultBodyLimit;
use axum::routing::MethodRouter;
use http::Method;

use crate::AppState;
use crate::auth::policy::{Action, authorize};
use crate::db::users::User;
use crate::error::AppError;

pub use context::Ctx;

/// Who may call a route (R-X-1). Handlers enforce it through the policy function; the
/// authorisation test walks the table with every role.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Access {
    /// Anyone, without an account.
    Public,
    /// Any signed-in user.
    Authenticated,
    /// Administrators and reviewers.
    Staff,
    /// Administrators only.
    Admin,
    /// Signed-in users allowed on the society named by `{code}` (others: 404).
    SocietyScoped,
    /// Changes a society's own data: its editors and administrators (viewers and reviewers:
    /// 403; other societies' people: 404).
    SocietyEdit,
}

/// One entry of the route table: method, path, declared access, handler.
pub struct RouteSpec {
    pub method: Method,
    pub path: &'static str,
    pub access: Access,
    /// A heavy request (a whole year's matrix, rates or an export): runs only while one of
    /// the process's `heavy_requests` permits is free (issue 8).
    pub heavy: bool,
    handler: MethodRouter<AppState>,
}

impl RouteSpec {
    /// Marks the route heavy: bounded by the process's limiter ([`limit_heavy`]).
    pub fn heavy(mut self) -> Self {
        self.heavy = true;
        self
    }
}

/// Declares a route (pages in `web::routes`, the API in `api::routes`).
pub fn route(
    method: Method,
    path: &'static str,
    access: Access,
    handler: MethodRouter<AppState>,
) -> RouteSpec {
    RouteSpec {
        method,
        path,
        access,
        heavy: false,
        handler,
    }
}

/// Builds the application from the route table: every route behind its access guard, then the
/// context middleware (language, user, CSRF, headers, error rendering), the body limit, and
/// outermost the fast path for anonymous public pages ([`fastpath`]).
pub fn router(state: AppState, table: Vec<RouteSpec>) -> Router {
    let mut router: Router<AppState> = Router::new();
    // Issue 10: a GET on a page URL that only takes forms (after a language switch, a reload,
    // a bookmark) goes to its page instead of an empty 405.
    let pages: Vec<&'static str> = table
        .iter()
        .filter(|s| s.method == Method::GET)
        .map(|s| s.path)
        .collect();
    let mut post_only: Vec<&'static str> = table
        .iter()
        .filter(|s| !s.path.starts_with("/api/") && !pages.contains(&s.path))
        .map(|s| s.path)
        .collect();
    post_only.dedup();
    for path in post_only {
        let pages = pages.clone();
        router = router.route(
            path,
            axum::routing::get(move |uri: http::Uri| async move {
                axum::response::Redirect::to(&page_of(path, uri.path(), &pages))
            }),
        );
    }
    for spec in table {
        let access = spec.access;
        let guard_state = state.clone();
        // The table's access is enforced before any extractor runs (for society routes, against
        // the stored society named in the path); handlers apply the policy again on the objects
        // they load.
        let mut handler = spec.handler;
        if spec.heavy {
            // Inside the access guard: a refused request never takes a permit.
            let limit_state = state.clone();
            handler = handler.route_layer(axum::middleware::from_fn(
                move |req: axum::extract::Request, next: axum::middleware::Next| {
                    limit_heavy(limit_state.clone(), req, next)
                },
            ));
        }
        let guarded = handler.route_layer(axum::middleware::from_fn(
            move |req: axum::extract::Request, next: axum::middleware::Next| {
                guard(guard_state.clone(), access, req, next)
            },
        ));
        router = router.route(spec.path, guarded);
    }
    router
        .fallback(errors::not_found)
        .layer(axum::middleware::from_fn_with_state(
            state.clone(),
            context::middleware,
        ))
        .layer(DefaultBodyLimit::max(state.config.max_upload_bytes))
        // Outermost: anonymous public pages from the store, before any SQL (R-PUB-3).
        .layer(axum::middleware::from_fn_with_state(
            state.clone(),
            fastpath::layer,
        ))
        .with_state(state)
}

/// Where a GET on a form-only page URL goes: the nearest enclosing page (`/societies/A-01/plans/
/// 2017/draft` → `/societies/A-01/plans/2017`), a few named pages, else the home page. Downloads
/// (`/evidence/{id}`, a name with an extension) are not pages.
pub fn page_of(template: &str, actual: &str, pages: &[&str]) -> String {
    const NAMED: &[(&str, &str)] = &[
        ("/admin/months", "/rates"),
        ("/admin/months/exception", "/rates"),
    ];
    if let Some((_, to)) = NAMED.iter().find(|(p, _)| *p == template) {
        return (*to).to_string();
    }
    let t: Vec<&str> = template.trim_start_matches('/').split('/').collect();
    let a: Vec<&str> = actual.trim_start_matches('/').split('/').collect();
    if t.len() != a.len() {
        return "/".to_string();
    }
    for k in (1..t.len()).rev() {
        let candidate = format!("/{}", t[..k].join("/"));
        let download = candidate == "/evidence/{id}" || t[k - 1].contains('.');
        if !download && pages.contains(&candidate.as_str()) {
            return format!("/{}", a[..k].join("/"));
        }
    }
    "/".to_string()
}

/// Bounds the heavy requests running at once in this process (issue 8): a request that finds
/// no free permit is refused at once with 503 and `Retry-After` (an HTML page in the user's
/// language, or the JSON envelope under /api) rather than queueing and growing the process.
/// The permit is held until the response (the whole page or .xlsx) is built.
async fn limit_heavy(
    state: AppState,
    req: axum::extract::Request,
    next: axum::middleware::Next,
) -> axum::response::Response {
    use axum::response::IntoResponse;
    match state.heavy.clone().try_acquire_owned() {
        Ok(permit) => {
            let response = next.run(req).await;
            drop(permit);
            response
        }
        Err(_) => AppError::Busy {
            retry_after_secs: state.config.heavy_retry_after_secs,
        }
        .into_response(),
    }
}

async fn guard(
    state: AppState,
    access: Access,
    req: axum::extract::Request,
    next: axum::middleware::Next,
) -> axum::response::Response {
    use axum::extract::FromRequestParts;
    use axum::response::IntoResponse;
    let user = req.extensions().get::<Ctx>().and_then(|c| c.user.clone());
    let (mut parts, body) = req.into_parts();
    let check = match access {
        Access::Public => Ok(()),
        Access::Authenticated => authorize(user.as_ref(), Action::OwnAccount, None),
        Access::Staff => authorize(user.as_ref(), Action::ListAllSocieties, None),
        Access::Admin => authorize(user.as_ref(), Action::ManageUsers, None),
        Access::SocietyScoped | Access::SocietyEdit => {
            // The owner is the society named by `{code}`, as stored in the database.
            let action = if access == Access::SocietyEdit {
                Action::EditSocietyData
            } else {
                Action::ReadSociety
            };
            let code = axum::extract::RawPathParams::from_request_parts(&mut parts, &())
                .await
                .ok()
                .and_then(|params| {
                    params
                        .iter()
                        .find(|(k, _)| *k == "code")
                        .map(|(_, v)| v.to_string())
                });
            society_guard(&state, user.as_ref(), action, code.as_deref()).await
        }
    };
    match check {
        Ok(()) => {
            next.run(axum::extract::Request::from_parts(parts, body))
                .await
        }
        Err(e) => e.into_response(),
    }
}

async fn society_guard(
    state: &AppState,
    user: Option<&User>,
    action: Action,
    code: Option<&str>,
) -> Result<(), AppError> {
    authorize(user, Action::OwnAccount, None)?;
    let code = code.ok_or(AppError::NotFound)?;
    let society = crate::db::societies::by_code(&state.db, code)
        .await?
        .ok_or(AppError::NotFound)?;
    authorize(user, action, Some(society.id))
}

#[cfg(test)]
mod tests {
    use super::page_of;

    #[test]
    fn a_form_only_url_goes_to_its_page() {
        let pages = [
            "/",
            "/account",
            "/societies/{code}",
            "/societies/{code}/plans/{year}",
            "/evidence/{id}",
            "/rates",
        ];
        let go = |t: &str, a: &str| page_of(t, a, &pages);
        assert_eq!(
            go(
                "/societies/{code}/plans/{year}/draft",
                "/societies/A-01/plans/2017/draft"
            ),
            "/societies/A-01/plans/2017"
        );
        assert_eq!(
            go("/societies/{code}/evidence", "/societies/B-02/evidence"),
            "/societies/B-02"
        );
        assert_eq!(
            go("/account/tokens/{id}/revoke", "/account/tokens/7/revoke"),
            "/account"
        );
        // A download is not a page; named pages; nothing enclosing: home.
        assert_eq!(go("/evidence/{id}/remove", "/evidence/3/remove"), "/");
        assert_eq!(
            go("/admin/months/exception", "/admin/months/exception"),
            "/rates"
        );
        assert_eq!(go("/logout", "/logout"), "/");
    }
}

//! What every page's layout needs (pages and the error page): translator, user, navigation by
//! role, demo banner; rendering, POST-redirect-GET with a flash key, safe redirect targets.

use askama::Template;
use axum::response::{Html, IntoResponse, Redirect, Response};

use super::context::Ctx;
use crate::db::users::User;
use crate::error::AppError;
use crate::i18n::T;
use crate::model::Role;

pub struct NavItem {
    pub href: String,
    pub label: String,
    pub current: bool,
}

pub struct Page {
    pub t: T,
    pub title: String,
    pub user: Option<User>,
    pub role_label: String,
    pub path: String,
    /// The demo's moment (Beijing time) when demonstration data is loaded.
    pub demo: Option<String>,
    pub flash: Option<String>,
    pub nav: Vec<NavItem>,
    pub version: &'static str,
}

/// Flash messages arrive as `?done=<key>` after a POST-redirect; only known keys are shown.
const FLASH_KEYS: &[&str] = &[
    "saved",
    "created",
    "imported",
    "password-changed",
    "token-revoked",
    "deactivated",
    "activated",
    "catalogue-loaded",
    "logged-out",
    "submitted",
    "accepted",
    "returned",
    "uploaded",
];

pub fn role_label(t: &T, role: Role) -> String {
    t.t(&format!("role-{}", role.as_str()))
}

impl Page {
    pub fn new(ctx: &Ctx, title: impl Into<String>) -> Page {
        let t = ctx.t();
        let mut nav: Vec<(String, &str)> = Vec::new();
        match ctx.user.as_ref().map(|u| (u.role, u.society_code.clone())) {
            None => {
                nav.push(("/monitor".into(), "nav-monitor"));
                nav.push((format!("/catalogues/{}", ctx.year), "nav-catalogue"));
                nav.push(("/rules/check".into(), "nav-whatif"));
            }
            Some((Role::SocietyEditor | Role::SocietyViewer, code)) => {
                if let Some(code) = code {
                    nav.push((format!("/societies/{code}"), "nav-my-society"));
                    nav.push((format!("/societies/{code}/plans/{}", ctx.year), "plan-link"));
                    nav.push((
                        format!("/societies/{code}/reports/{}", ctx.year),
                        "nav-reports",
                    ));
                }
                nav.push((format!("/catalogues/{}", ctx.year), "nav-catalogue"));
                nav.push(("/inbox".into(), "nav-inbox"));
            }
            Some((Role::Reviewer, _)) => {
                nav.push(("/societies".into(), "nav-societies"));
                nav.push(("/dashboard".into(), "nav-dashboard"));
                nav.push(("/reviews/plans".into(), "nav-reviews"));
                nav.push(("/overview/plans".into(), "nav-plans"));
                nav.push(("/rates".into(), "nav-rates"));
                nav.push(("/overview/rules".into(), "nav-overview"));
                nav.push((format!("/catalogues/{}", ctx.year), "nav-catalogue"));
                nav.push(("/inbox".into(), "nav-inbox"));
            }
            Some((Role::Admin, _)) => {
                nav.push(("/societies".into(), "nav-societies"));
                nav.push(("/dashboard".into(), "nav-dashboard"));
                nav.push(("/reviews/plans".into(), "nav-reviews"));
                nav.push(("/overview/plans".into(), "nav-plans"));
                nav.push(("/rates".into(), "nav-rates"));
                nav.push(("/overview/rules".into(), "nav-overview"));
                nav.push((format!("/catalogues/{}", ctx.year), "nav-catalogue"));
                nav.push(("/admin/users".into(), "nav-users"));
                nav.push(("/admin/deadlines".into(), "nav-deadlines"));
                nav.push(("/inbox".into(), "nav-inbox"));
                nav.push(("/admin/audit".into(), "nav-audit"));
                nav.push(("/admin/catalogues".into(), "nav-catalogues-admin"));
                nav.push(("/admin/bulletins".into(), "nav-bulletins-admin"));
            }
        }
        let nav = nav
            .into_iter()
            .map(|(href, key)| NavItem {
                current: ctx.path == href
                    || (href != "/" && ctx.path.starts_with(&format!("{href}/"))),
                label: t.t(key),
                href,
            })
            .collect();
        Page {
            role_label: ctx
                .user
                .as_ref()
                .map(|u| role_label(&t, u.role))
                .unwrap_or_default(),
            t,
            title: title.into(),
            user: ctx.user.clone(),
            path: ctx.path.clone(),
            demo: ctx.demo.clone(),
            flash: None,
            nav,
            version: env!("CARGO_PKG_VERSION"),
        }
    }

    pub fn with_flash(mut self, done: Option<&str>) -> Page {
        if let Some(key) = done.filter(|k| FLASH_KEYS.contains(k)) {
            self.flash = Some(self.t.t(&format!("flash-{key}")));
        }
        self
    }
}

/// Renders a template into a response; a template error is an internal error.
pub fn render(tpl: &impl Template) -> Response {
    match tpl.render() {
        Ok(html) => Html(html).into_response(),
        Err(e) => AppError::Internal(anyhow::anyhow!("template: {e}")).into_response(),
    }
}

/// POST → 303 redirect with a flash key.
pub fn see_other(path: &str, done: &str) -> Response {
    let sep = if path.contains('?') { '&' } else { '?' };
    Redirect::to(&format!("{path}{sep}done={done}")).into_response()
}

/// Only local paths are allowed as redirect targets (no open redirects).
pub fn safe_next(next: &str) -> String {
    let n = next.trim();
    if n.starts_with('/')
        && !n.starts_with("//")
        && !n.starts_with("/\\")
        && !n.contains(['\r', '\n'])
    {
        n.to_string()
    } else {
        "/".to_string()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn next_is_local_only() {
        assert_eq!(safe_next("/societies/A-03"), "/societies/A-03");
        assert_eq!(safe_next("//evil.example"), "/");
        assert_eq!(safe_next("https://evil.example"), "/");
        assert_eq!(safe_next("/\\evil"), "/");
        assert_eq!(safe_next(""), "/");
    }
}

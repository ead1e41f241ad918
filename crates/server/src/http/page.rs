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
    /// The inbox's unread count (issue 10), read with the session: no extra statement.
    pub badge: Option<String>,
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
                    nav.push((
                        format!("/societies/{code}/assessment/{}", ctx.year),
                        "assessment-nav",
                    ));
                }
                nav.push((format!("/catalogues/{}", ctx.year), "nav-catalogue"));
                nav.push(("/inbox".into(), "nav-inbox"));
            }
            Some((Role::Reviewer, _)) => {
                nav.push(("/societies".into(), "nav-societies"));
                nav.push(("/dashboard".into(), "nav-dashboard"));
                nav.push(("/reviews/plans".into(), "nav-reviews"));
                nav.push(("/reviews/reports".into(), "flows-rq-nav"));
                nav.push(("/overview/plans".into(), "nav-plans"));
                nav.push(("/rates".into(), "nav-rates"));
                nav.push(("/overview/rules".into(), "nav-overview"));
                nav.push((format!("/admin/assessment/{}", ctx.year), "assessment-nav"));
                nav.push((format!("/catalogues/{}", ctx.year), "nav-catalogue"));
                nav.push(("/inbox".into(), "nav-inbox"));
            }
            Some((Role::Admin, _)) => {
                nav.push(("/societies".into(), "nav-societies"));
                nav.push(("/dashboard".into(), "nav-dashboard"));
                nav.push(("/reviews/plans".into(), "nav-reviews"));
                nav.push(("/reviews/reports".into(), "flows-rq-nav"));
                nav.push(("/overview/plans".into(), "nav-plans"));
                nav.push(("/rates".into(), "nav-rates"));
                nav.push(("/overview/rules".into(), "nav-overview"));
                nav.push((format!("/admin/assessment/{}", ctx.year), "assessment-nav"));
                nav.push((format!("/catalogues/{}", ctx.year), "nav-catalogue"));
                nav.push(("/admin/users".into(), "nav-users"));
                nav.push(("/admin/deadlines".into(), "nav-deadlines"));
                nav.push(("/inbox".into(), "nav-inbox"));
                nav.push(("/admin/audit".into(), "nav-audit"));
                nav.push(("/admin/catalogues".into(), "nav-catalogues-admin"));
                nav.push(("/admin/bulletins".into(), "nav-bulletins-admin"));
            }
        }
        let unread = ctx.user.as_ref().map(|u| u.unread).unwrap_or(0);
        let nav = nav
            .into_iter()
            .map(|(href, key)| NavItem {
                current: ctx.path == href
                    || (href != "/" && ctx.path.starts_with(&format!("{href}/"))),
                label: t.t(key),
                badge: (key == "nav-inbox" && unread > 0).then(|| unread.to_string()),
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

    /// The title as its parts between " · ", each with its `lang` (WCAG 3.1.2, issue 10): a
    /// heading such as "中国数学会 · 2017 reform plan" in the English interface reads the
    /// society's name as Chinese and the rest as English.
    pub fn title_parts(&self) -> Vec<(&'static str, &str)> {
        self.title
            .split(" · ")
            .map(|part| (self.t.lang_of(part), part))
            .collect()
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

/// Only same-origin paths are allowed as redirect targets (no open redirects, finding 4 of
/// issue 9): the value must start with a single `/`, contain no control character, no
/// whitespace and no backslash anywhere (browsers strip TAB/CR/LF and read `\\` as `/`, so
/// `/\t/evil.example` would become `//evil.example`), and, resolved against the site's own
/// origin, must stay on it. Anything else falls back to `/`.
pub fn safe_next(next: &str) -> String {
    if is_local_path(next) {
        next.to_string()
    } else {
        "/".to_string()
    }
}

/// Societies per page on the heavy matrices (dashboard, rules overview): the page's size no
/// longer grows with the registry (issue 8).
pub const PAGE_SIZE: usize = 100;

/// What a pager counts (issue 10): the caller names it, so a page of reports does not say
/// "个学会" (societies).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Counted {
    Societies,
    Plans,
    Reports,
    AuditEntries,
}

impl Counted {
    fn text_key(self) -> &'static str {
        match self {
            Counted::Societies => "pager-text-societies",
            Counted::Plans => "pager-text-plans",
            Counted::Reports => "pager-text-reports",
            Counted::AuditEntries => "pager-text-audit-entries",
        }
    }
}

/// One page of a long list: which rows to render, and links to the neighbours that keep the
/// filters (`base` is the page's URL with its filters, without `page`).
pub struct Pager {
    /// 1-based page number, clamped to the last page.
    pub page: usize,
    pub pages: usize,
    pub total: usize,
    /// The rows shown, as positions `first..=last` (1-based; 0 when nothing matches).
    pub first: usize,
    pub last: usize,
    pub prev_href: Option<String>,
    pub next_href: Option<String>,
    /// "第 2 / 3 页（第 101–200 个，共 209 个）".
    pub text: String,
}

impl Pager {
    /// `requested`: the `page` query value (absent or not a number: the first page; past the
    /// end: the last page); `counted`: what the rows are, for the pager's text.
    pub fn new(
        t: &T,
        counted: Counted,
        total: usize,
        per_page: usize,
        requested: Option<&str>,
        base: &str,
    ) -> Pager {
        let per_page = per_page.max(1);
        let pages = total.div_ceil(per_page).max(1);
        let page = requested
            .and_then(|p| p.trim().parse::<usize>().ok())
            .unwrap_or(1)
            .clamp(1, pages);
        let first = if total == 0 {
            0
        } else {
            (page - 1) * per_page + 1
        };
        let last = (page * per_page).min(total);
        let sep = if base.contains('?') { '&' } else { '?' };
        let href = |p: usize| format!("{base}{sep}page={p}");
        let text = t
            .t(counted.text_key())
            .replace("{page}", &page.to_string())
            .replace("{pages}", &pages.to_string())
            .replace("{first}", &first.to_string())
            .replace("{last}", &last.to_string())
            .replace("{total}", &total.to_string());
        Pager {
            page,
            pages,
            total,
            first,
            last,
            prev_href: (page > 1).then(|| href(page - 1)),
            next_href: (page < pages).then(|| href(page + 1)),
            text,
        }
    }

    /// The rows of this page, as indices into the full list.
    pub fn range(&self) -> std::ops::Range<usize> {
        if self.total == 0 {
            0..0
        } else {
            self.first - 1..self.last
        }
    }
}

fn is_local_path(n: &str) -> bool {
    if !n.starts_with('/') || n.starts_with("//") {
        return false;
    }
    if n.chars()
        .any(|c| c.is_control() || c.is_whitespace() || c == '\\')
    {
        return false;
    }
    // Resolved against a placeholder origin it must keep that origin.
    let Ok(base) = url::Url::parse("http://origin.invalid/") else {
        return false;
    };
    match base.join(n) {
        Ok(u) => u.origin() == base.origin() && !u.path().starts_with("//"),
        Err(_) => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Issue 10: the pager names what it counts, as its caller says (the report queue said
    /// "个学会"); the numbers are the page's rows.
    #[test]
    fn the_pager_counts_what_the_caller_names() {
        use crate::i18n::{Lang, T};
        let zh = T::new(Lang::Zh);
        let en = T::new(Lang::En);
        for (counted, zh_text, en_text) in [
            (
                Counted::Societies,
                "第 2 / 3 页（第 101–200 个，共 209 个学会）",
                "Page 2 of 3 (societies 101–200 of 209)",
            ),
            (
                Counted::Plans,
                "第 2 / 3 页（第 101–200 份，共 209 份方案）",
                "Page 2 of 3 (plans 101–200 of 209)",
            ),
            (
                Counted::Reports,
                "第 2 / 3 页（第 101–200 份，共 209 份报告）",
                "Page 2 of 3 (reports 101–200 of 209)",
            ),
            (
                Counted::AuditEntries,
                "第 2 / 3 页（第 101–200 条，共 209 条记录）",
                "Page 2 of 3 (entries 101–200 of 209)",
            ),
        ] {
            let p = Pager::new(&zh, counted, 209, 100, Some("2"), "/x?a=1");
            assert_eq!(p.text, zh_text);
            assert_eq!(p.range(), 100..200);
            assert_eq!(p.prev_href.as_deref(), Some("/x?a=1&page=1"));
            assert_eq!(p.next_href.as_deref(), Some("/x?a=1&page=3"));
            assert_eq!(
                Pager::new(&en, counted, 209, 100, Some("2"), "/x").text,
                en_text
            );
        }
    }

    #[test]
    fn next_is_local_only() {
        // Accepted: same-origin paths, kept exactly.
        for ok in [
            "/societies/A-03",
            "/societies/A-03/plans/2017?tab=t1#x",
            "/",
            "/a/b//c",
            "/%2F%2Fevil.example",
        ] {
            assert_eq!(safe_next(ok), ok, "{ok:?} must be accepted");
        }
        // Refused (issue 9 finding 4 payloads and relatives): all fall back to "/".
        for bad in [
            "",
            "//evil.example",
            "///evil.example",
            "https://evil.example",
            "http:evil.example",
            "javascript:alert(1)",
            "/\\evil",
            "\\\\evil.example",
            "/a\\b",
            "/\t/evil.example",
            "/\n/evil.example",
            "/\r/evil.example",
            "/\t\t/evil.example",
            " //evil.example",
            "/ /evil.example",
            "/\u{a0}/evil.example",
            "/\u{3000}/evil.example",
            "/\u{0}/evil.example",
            "/\u{7f}/evil.example",
            "\t//evil.example",
            "evil.example",
            "./x",
        ] {
            assert_eq!(safe_next(bad), "/", "{bad:?} must be refused");
        }
    }
}

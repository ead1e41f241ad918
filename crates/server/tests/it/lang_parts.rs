//! WCAG 3.1.2 Language of Parts (issue 10, "Chinese data inside the English interface carries
//! `lang`"): on the English pages (`<html lang="en">`) every piece of Chinese data — a
//! society's name, a plan's metric and milestone typed in Chinese, a report's narrative — sits
//! inside an element whose nearest `lang` is `zh…`, so that a screen reader reads it as
//! Chinese. Checked on the main pages: dashboard, societies, a society, its facts, plan,
//! report timeline and report, the plan overview and queue, the rates, the assessment, and the
//! public matrix, society and task pages.

use http::StatusCode;
use reformwatch::model::Role;
use serde_json::json;

use crate::{TestApp, both};

const VOID: &[&str] = &[
    "area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "track",
    "wbr",
];

/// The `lang` attribute of an opening tag's attribute text, if any.
fn lang_attr(attrs: &str) -> Option<String> {
    let at = attrs.find(" lang=\"")?;
    let rest = &attrs[at + 7..];
    Some(rest[..rest.find('"')?].to_string())
}

/// Every text occurrence of `needle` in the page's `<body>` whose nearest enclosing `lang` is
/// not Chinese, with the open elements around it (a small tag-stack reader for our own,
/// well-formed templates: void elements, comments, `<script>`/`<style>` skipped; an end tag
/// closes up to its opening tag). Attribute values are not text and are not checked.
fn untagged(html: &str, needle: &str) -> Vec<String> {
    scan(html, needle).1
}

/// How many text runs of the body hold `needle`, and those of them without a Chinese `lang`.
fn scan(html: &str, needle: &str) -> (usize, Vec<String>) {
    let mut seen = 0;
    let mut out = Vec::new();
    let body = html.find("<body").map_or(html, |i| &html[i..]);
    // (tag name, its lang attribute)
    let mut stack: Vec<(String, Option<String>)> = Vec::new();
    let mut rest = body;
    while !rest.is_empty() {
        let next = rest.find('<').unwrap_or(rest.len());
        let text = &rest[..next];
        if text.contains(needle) {
            seen += 1;
            let lang = stack.iter().rev().find_map(|(_, l)| l.clone());
            if !lang.as_deref().is_some_and(|l| l.starts_with("zh")) {
                let path: Vec<&str> = stack.iter().map(|(t, _)| t.as_str()).collect();
                out.push(format!(
                    "{} > {:?} (lang {lang:?})",
                    path.join(" "),
                    text.trim()
                ));
            }
        }
        rest = &rest[next..];
        if rest.is_empty() {
            break;
        }
        if let Some(after) = rest.strip_prefix("<!--") {
            rest = after.find("-->").map_or("", |i| &after[i + 3..]);
            continue;
        }
        // The tag up to its '>' outside quotes.
        let mut quote = None;
        let mut end = rest.len();
        for (i, c) in rest.char_indices().skip(1) {
            match (quote, c) {
                (None, '"' | '\'') => quote = Some(c),
                (Some(q), c) if c == q => quote = None,
                (None, '>') => {
                    end = i;
                    break;
                }
                _ => {}
            }
        }
        let tag = &rest[1..end.min(rest.len())];
        rest = rest.get(end + 1..).unwrap_or("");
        if let Some(name) = tag.strip_prefix('/') {
            let name = name.trim().to_ascii_lowercase();
            if let Some(at) = stack.iter().rposition(|(t, _)| *t == name) {
                stack.truncate(at);
            }
            continue;
        }
        let name: String = tag
            .chars()
            .take_while(|c| c.is_ascii_alphanumeric())
            .collect::<String>()
            .to_ascii_lowercase();
        if name.is_empty() || tag.starts_with('!') {
            continue;
        }
        if name == "script" || name == "style" {
            let close = format!("</{name}");
            rest = rest.find(&close).map_or("", |i| &rest[i..]);
            continue;
        }
        if VOID.contains(&name.as_str()) || tag.ends_with('/') {
            continue;
        }
        stack.push((name, lang_attr(&format!(" {tag}"))));
    }
    (seen, out)
}

/// The reader itself: it must find what it is there to find (negative controls).
#[test]
fn the_reader_finds_untagged_chinese() {
    let n = "中国力学学会";
    let page = |body: &str| {
        format!("<html lang=\"en\"><head><title>{n}</title></head><body>{body}</body></html>")
    };
    // Untagged, in a table cell and link: found.
    assert_eq!(
        untagged(&page(&format!("<td><a href=\"/s\">{n}</a></td>")), n).len(),
        1
    );
    // Inside a lang="zh-CN" span, or lang="zh" on the link itself: fine.
    assert!(
        untagged(
            &page(&format!("<td><a><span lang=\"zh-CN\">{n}</span></a></td>")),
            n
        )
        .is_empty()
    );
    assert!(
        untagged(
            &page(&format!("<td><a href=\"/s\" lang=\"zh\">{n}</a></td>")),
            n
        )
        .is_empty()
    );
    // A closed zh element before it does not count; a nearer lang="en" overrides.
    assert_eq!(
        untagged(&page(&format!("<p><span lang=\"zh\">x</span> {n}</p>")), n).len(),
        1
    );
    assert_eq!(
        untagged(
            &page(&format!(
                "<div lang=\"zh\"><span lang=\"en\">{n}</span></div>"
            )),
            n
        )
        .len(),
        1
    );
    // Void elements, comments and scripts do not disturb the stack; attributes are not text.
    assert!(
        untagged(
            &page(&format!(
                "<span lang=\"zh\"><br><input value=\"a>b\"><!-- <p> -->{n}</span>"
            )),
            n
        )
        .is_empty()
    );
    assert!(
        untagged(
            &page(&format!(
                "<a title=\"{n}\">x</a><script>var s = \"<b>\";</script>"
            )),
            n
        )
        .is_empty()
    );
    // The title in <head> is not checked (no element can carry lang there).
    assert!(untagged(&page(""), n).is_empty());
}

async fn chinese_data_is_tagged_on_english_pages(app: TestApp) {
    let c = crate::bulletins::setup(&app).await;
    let r = crate::bulletins::publish(&app, &c.admin, json!({"year": 2017, "month": 6})).await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.text());
    // The society's name as the registry has it (not written out here: taken from the API).
    let name = app
        .get_with_token("/api/v1/societies/A-03", &c.admin)
        .await
        .json()["name"]
        .as_str()
        .unwrap()
        .to_string();
    assert!(reformwatch::i18n::has_cjk(&name), "{name}");
    app.user("lp-admin", Role::Admin, None).await;
    app.login("lp-admin").await;
    app.set_cookie("rw_lang", "en");

    let metric = "个人会员"; // task 2's target in the accepted plan (bulletins::plan_content)
    let milestone = "完成一半"; // the optional tasks' milestone
    let pages: &[(&str, &[&str])] = &[
        ("/dashboard", &[&name]),
        ("/societies", &[&name]),
        ("/societies/A-03", &[&name]),
        ("/societies/A-03/facts", &[&name]),
        ("/societies/A-03/plans/2017", &[&name, metric, milestone]),
        ("/societies/A-03/reports/2017", &[&name]),
        ("/societies/A-03/reports/2017/6", &[&name, metric]),
        ("/overview/plans", &[&name]),
        ("/reviews/plans?state=accepted", &[&name]),
        ("/rates", &[&name]),
        ("/overview/rules", &[&name]),
        ("/admin/assessment/2017", &[&name]),
        ("/societies/A-03/assessment/2017", &[&name]),
        ("/monitor", &[&name]),
        ("/monitor/societies/A-03", &[&name]),
        ("/monitor/tasks/2", &[&name]),
    ];
    let mut failures = Vec::new();
    for (path, needles) in pages {
        let r = app.get(path).await;
        assert_eq!(r.status, StatusCode::OK, "{path}");
        let html = r.text();
        assert!(
            html.contains("<html lang=\"en\">"),
            "{path}: not the English page"
        );
        for needle in *needles {
            // The check proves something only where the data is on the page as text.
            let (seen, bad) = scan(&html, needle);
            assert!(seen > 0, "{path}: {needle} is not on the page as text");
            for u in bad {
                failures.push(format!("{path}: {needle}: {u}"));
            }
        }
    }
    assert!(
        failures.is_empty(),
        "{} Chinese text(s) without lang=\"zh\":\n  {}",
        failures.len(),
        failures.join("\n  ")
    );
}
both!(chinese_data_is_tagged_on_english_pages);

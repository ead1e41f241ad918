//! Issue 8: imports only point down. Pages (`web/`) and the JSON API (`api/`) are siblings that
//! never import each other, and nothing below them imports either; the request plumbing
//! (`http/`) and the services (`service/`) sit under them, the store (`db/`) under those:
//!
//! ```text
//! lib.rs (the route table, app), cli.rs
//!   web/   api/
//!   http/  service/
//!   db/, auth/, the domain core and the small shared modules
//! ```
//!
//! The check reads every source file and resolves each `crate::…` and `super::…` path to the
//! top-level module it names.

use std::path::{Path, PathBuf};

/// The top-level modules a module may not name, by where it lives.
fn forbidden(module: &[String]) -> &'static [&'static str] {
    match module.first().map(String::as_str) {
        // The composition root assembles the siblings' routes.
        None => &[],
        Some("cli") => &["web", "api", "http"],
        Some("web") => &["api"],
        Some("api") => &["web"],
        Some("http") => &["web", "api"],
        Some("service") => &["web", "api", "http"],
        Some("db") => &["web", "api", "http", "service"],
        // Everything else is below the services: auth, model, error, i18n, json, …
        Some(_) => &["web", "api", "http", "service"],
    }
}

/// The module path of a source file: `web/plans/edit.rs` → web::plans::edit,
/// `web/plans/mod.rs` → web::plans, `lib.rs` → the crate root.
fn module_of(rel: &Path) -> Vec<String> {
    let mut parts: Vec<String> = rel
        .components()
        .map(|c| c.as_os_str().to_string_lossy().to_string())
        .collect();
    if let Some(last) = parts.pop() {
        let stem = last.trim_end_matches(".rs").to_string();
        if stem != "mod" && stem != "lib" && stem != "main" {
            parts.push(stem);
        }
    }
    parts
}

/// The top-level modules named by `crate::…`/`super::…` paths in `source` (comments ignored),
/// with the line they are on.
fn named_tops(module: &[String], source: &str) -> Vec<(usize, String)> {
    let mut out = Vec::new();
    for (n, line) in source.lines().enumerate() {
        let code = match line.find("//") {
            Some(i) => &line[..i],
            None => line,
        };
        let bytes = code.as_bytes();
        let mut i = 0;
        while i < code.len() {
            let rest = &code[i..];
            let starts_word =
                i == 0 || !(bytes[i - 1].is_ascii_alphanumeric() || bytes[i - 1] == b'_');
            if starts_word && (rest.starts_with("crate::") || rest.starts_with("super::")) {
                // Walk the path: each `super` goes one module up from this file's module.
                let mut base: Vec<String> = module.to_vec();
                let mut j = i;
                let mut absolute = false;
                if code[j..].starts_with("crate::") {
                    base.clear();
                    absolute = true;
                    j += "crate::".len();
                }
                if !absolute {
                    while code[j..].starts_with("super::") {
                        base.pop();
                        j += "super::".len();
                    }
                }
                let tail = &code[j..];
                let names: Vec<String> = if let Some(group) = tail.strip_prefix('{') {
                    // `crate::{a, b::c}`: the first segment of each item.
                    let mut depth = 0;
                    let mut end = group.len();
                    for (k, ch) in group.char_indices() {
                        match ch {
                            '{' => depth += 1,
                            '}' if depth == 0 => {
                                end = k;
                                break;
                            }
                            '}' => depth -= 1,
                            _ => {}
                        }
                    }
                    group[..end]
                        .split(',')
                        .map(|item| item.trim().split("::").next().unwrap_or("").to_string())
                        .collect()
                } else {
                    let seg: String = tail
                        .chars()
                        .take_while(|c| c.is_ascii_alphanumeric() || *c == '_')
                        .collect();
                    vec![seg]
                };
                for name in names {
                    // The top-level module reached: the first segment below the crate root.
                    let top = if base.is_empty() {
                        name
                    } else {
                        base[0].clone()
                    };
                    out.push((n + 1, top));
                }
                i = j.max(i + 1);
            } else {
                i += rest.chars().next().map(char::len_utf8).unwrap_or(1);
            }
        }
    }
    out
}

fn violations(rel: &Path, source: &str) -> Vec<String> {
    let module = module_of(rel);
    let banned = forbidden(&module);
    named_tops(&module, source)
        .into_iter()
        .filter(|(_, top)| banned.contains(&top.as_str()))
        .map(|(line, top)| format!("{}:{line}: imports {top}", rel.display()))
        .collect()
}

fn sources(dir: &Path, out: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            sources(&path, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
}

#[test]
fn imports_only_point_down() {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut files = Vec::new();
    sources(&src, &mut files);
    assert!(files.len() > 50, "{files:?}");
    let mut found = Vec::new();
    for f in &files {
        let rel = f.strip_prefix(&src).unwrap();
        found.extend(violations(rel, &std::fs::read_to_string(f).unwrap()));
    }
    assert!(
        found.is_empty(),
        "imports pointing up or sideways:\n{}",
        found.join("\n")
    );
}

#[test]
fn the_check_finds_what_it_must() {
    let v = |file: &str, src: &str| violations(Path::new(file), src);
    // Up from the services and the store, sideways between the siblings.
    assert_eq!(v("service/plans.rs", "use crate::web::Ctx;").len(), 1);
    assert_eq!(v("service/plans.rs", "use crate::http::Ctx;").len(), 1);
    assert_eq!(
        v("db/plans.rs", "let x = crate::service::plans::get;").len(),
        1
    );
    assert_eq!(
        v("web/plans/edit.rs", "use crate::api::parse_json;").len(),
        1
    );
    assert_eq!(v("api/plans.rs", "use crate::{http::Ctx, web};").len(), 1);
    assert_eq!(
        v("http/context.rs", "crate::api::error_response(&e)").len(),
        1
    );
    assert_eq!(v("notify.rs", "use crate::web::AppState;").len(), 1);
    // `super::` escapes are resolved: from web/plans/edit.rs three levels up is the crate
    // root (two is `web`, itself).
    assert_eq!(
        v("web/plans/edit.rs", "use super::super::super::api::x;").len(),
        1
    );
    assert!(v("web/plans/edit.rs", "use super::super::facts::x;").is_empty());
    assert_eq!(v("api/mod.rs", "use super::web::x;").len(), 1);
    // What is allowed: down, within a sibling, and the composition root; comments are prose.
    assert!(
        v(
            "web/plans/edit.rs",
            "use super::form::Cell; use crate::service::plans;"
        )
        .is_empty()
    );
    assert!(v("web/plans/edit.rs", "use crate::web::facts::cards;").is_empty());
    assert!(v("api/plans.rs", "use crate::http::extract::SocietyYear;").is_empty());
    assert!(
        v(
            "lib.rs",
            "let mut t = web::routes(); t.extend(crate::api::routes());"
        )
        .is_empty()
    );
    assert!(v("service/plans.rs", "// see crate::web::plans for the page").is_empty());
}

//! Issue 10, words and numbers people read: on every page of the seeded demo that shows a time
//! or a person, times read as Beijing time `YYYY-MM-DD HH:MM` (R-PLAN-1: the notice's deadlines
//! are Beijing time) and people by display name — never a raw RFC 3339 time, `+00:00`, `UTC`
//! or an audit label `user:NAME` (R-X-2).

use chrono::{DateTime, Duration, TimeZone, Utc};
use http::StatusCode;
use reformwatch::db::audit::Actor;
use sqlx::Row;

use crate::{TestApp, both};

/// The first thing on a page a person should never read: a raw stored time
/// (`YYYY-MM-DDTHH:MM`), a UTC offset or zone, or an audit actor label.
pub(crate) fn raw(body: &str) -> Option<String> {
    let b = body.as_bytes();
    let digits = |s: &[u8]| s.iter().all(u8::is_ascii_digit);
    for i in 0..b.len().saturating_sub(15) {
        let w = &b[i..i + 16];
        if digits(&w[0..4])
            && w[4] == b'-'
            && digits(&w[5..7])
            && w[7] == b'-'
            && digits(&w[8..10])
            && w[10] == b'T'
            && digits(&w[11..13])
            && w[13] == b':'
            && digits(&w[14..16])
        {
            return Some(String::from_utf8_lossy(w).to_string());
        }
    }
    ["+00:00", "UTC", "user:"]
        .into_iter()
        .find(|s| body.contains(s))
        .map(str::to_string)
}

/// Developer text a person should never read on a page (issue 10): raw JSON, audit action
/// codes (`plan.submit`), list paths (`targets[0].target`), `true`/`false`, stored codes such as
/// a fact's source `form`, rule ids (`documents-task-1`) and the known slips ("。；",
/// "（基数 ）", "不低于 1/1", a doubled page title). Returns what was found.
pub(crate) fn developer_text(body: &str) -> Option<String> {
    for s in [
        "{&#34;",
        "[{&#34;",
        "targets[",
        "milestones[",
        "problems[",
        "measures[",
        "tasks[",
        "。；",
        "（基数 ）",
        "不低于 1/1",
    ] {
        if body.contains(s) {
            return Some(s.to_string());
        }
    }
    if let Some(title) = body
        .split("<title>")
        .nth(1)
        .and_then(|t| t.split("</title>").next())
    {
        let parts: Vec<&str> = title.split(" · ").collect();
        if parts.len()
            != parts
                .iter()
                .collect::<std::collections::BTreeSet<_>>()
                .len()
        {
            return Some(format!("<title>{title}</title>"));
        }
    }
    const ACTIONS: &[&str] = &[
        "session",
        "user",
        "token",
        "society",
        "catalogue",
        "demo",
        "deadline",
        "evidence",
        "facts",
        "month",
        "plan",
        "rectification",
        "report",
        "rule",
        "year",
        "bulletin",
    ];
    const FILES: &[&str] = &[
        "pdf", "png", "jpg", "jpeg", "docx", "xlsx", "csv", "txt", "toml",
    ];
    let lower = |s: &str| !s.is_empty() && s.chars().all(|c| c.is_ascii_lowercase() || c == '_');
    for segment in body.split('>').skip(1) {
        let text = segment.split('<').next().unwrap_or("").trim();
        if matches!(text, "true" | "false" | "form") {
            return Some(text.to_string());
        }
        if let Some((a, b)) = text.split_once('.')
            && ACTIONS.contains(&a)
            && lower(b)
            && !FILES.contains(&b)
        {
            return Some(text.to_string());
        }
        // A rule id: lowercase words joined by hyphens, at least three, the first a word.
        for token in text.split_whitespace() {
            let words: Vec<&str> = token.split('-').collect();
            if words.len() >= 3
                && words[0].starts_with(|c: char| c.is_ascii_lowercase())
                && words.iter().all(|w| {
                    !w.is_empty()
                        && w.chars()
                            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit())
                })
            {
                return Some(token.to_string());
            }
        }
    }
    None
}

/// Negative control for [`developer_text`]: each slip is caught, what pages should show passes.
#[test]
fn the_check_catches_developer_text() {
    for (page, found) in [
        ("<pre>{&#34;role&#34;: 1}</pre>", "{&#34;"),
        ("<td><code>plan.submit</code></td>", "plan.submit"),
        ("<td>targets[0].target</td>", "targets["),
        ("<td>true</td>", "true"),
        ("<td>form</td>", "form"),
        (
            "<th class=\"rot\">1 documents-task-1</th>",
            "1 documents-task-1",
        ),
        ("<p>缺少章程。；缺少名单</p>", "。；"),
        ("<li>会员（基数 ）</li>", "（基数 ）"),
        ("<p>要求不低于 1/1（至少 5 人）</p>", "不低于 1/1"),
        ("<title>平台 · 平台</title>", "<title>平台 · 平台</title>"),
    ] {
        let got = developer_text(page).unwrap_or_else(|| panic!("{page}: not caught"));
        assert!(
            got.contains(found.trim_start_matches("1 ")),
            "{page}: {got}"
        );
    }
    assert_eq!(
        developer_text(
            "<title>方案 · 平台</title><td>提交方案</td><td>目标 1 · 目标值</td><td>是</td>\
             <td>表单录入</td><th>1. 个人会员数增长…</th><td>会议纪要.pdf</td><td>A-01</td>\
             <p>缺少章程。缺少名单</p><td>report.pdf</td><td>2017-12-31 理事会</td>"
        ),
        None
    );
}

/// Negative control: the check catches each raw form and passes what pages should show.
#[test]
fn the_check_catches_raw_times_and_actor_labels() {
    assert_eq!(
        raw("<td>2026-12-01T21:20:19.623835Z</td>").as_deref(),
        Some("2026-12-01T21:20")
    );
    assert_eq!(
        raw("<td>2017-07-05 16:00+00:00</td>").as_deref(),
        Some("+00:00")
    );
    assert_eq!(raw("<th>UTC</th>").as_deref(), Some("UTC"));
    assert_eq!(raw("<td>user:reviewer</td>").as_deref(), Some("user:"));
    assert_eq!(
        raw("<td>2026-12-02 05:20</td><td>评审专家（演示）</td>"),
        None
    );
}

fn demo_moment() -> DateTime<Utc> {
    // 2017-09-15 10:00 Beijing time.
    Utc.with_ymd_and_hms(2017, 9, 15, 2, 0, 0).unwrap()
}

/// Beijing time by hand (UTC+8 all year, no daylight saving), not through `present`.
fn beijing_by_hand(stored: &str) -> String {
    let t = DateTime::parse_from_rfc3339(stored)
        .unwrap()
        .with_timezone(&Utc)
        + Duration::hours(8);
    t.format("%Y-%m-%d %H:%M").to_string()
}

async fn one(app: &TestApp, sql: &str) -> (String, String) {
    let row = sqlx::query(sqlx::AssertSqlSafe(sql.to_string()))
        .fetch_one(&app.db().pool)
        .await
        .unwrap();
    let a: String = row.try_get(0).unwrap();
    let b: String = row.try_get(1).unwrap();
    (a, b)
}

async fn sign_in(app: &TestApp, username: &str, password: &str) {
    app.forget_cookies();
    let r = app
        .post_form(
            "/login",
            &[
                ("username", username),
                ("password", password),
                ("next", "/"),
            ],
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.text());
}

/// The page without its `datetime-local` inputs: their `value` must be `YYYY-MM-DDTHH:MM[:SS]`
/// (HTML), and the browser shows it as a date picker, not as that text.
fn without_datetime_inputs(body: &str) -> String {
    let mut out = String::with_capacity(body.len());
    let mut rest = body;
    while let Some(start) = rest.find("<input") {
        out.push_str(&rest[..start]);
        let end = rest[start..]
            .find('>')
            .map_or(rest.len(), |e| start + e + 1);
        let tag = &rest[start..end];
        if !tag.contains(r#"type="datetime-local""#) {
            out.push_str(tag);
        }
        rest = &rest[end..];
    }
    out.push_str(rest);
    out
}

async fn check_pages(app: &TestApp, who: &str, pages: &[String]) {
    for path in pages {
        let r = app.get(path).await;
        assert_eq!(r.status, StatusCode::OK, "{who} {path}: {}", r.text());
        let body = without_datetime_inputs(&r.text());
        if let Some(found) = developer_text(&body) {
            let at = body.find(&found).unwrap_or(0);
            let around: String = body[at..].chars().take(300).collect();
            panic!("{who} {path} shows developer text {found:?}: …{around}…");
        }
        if let Some(found) = raw(&body) {
            let at = body.find(&found).unwrap_or(0);
            let around: String = body[at..].chars().take(200).collect();
            panic!("{who} {path} shows {found:?}: …{around}…");
        }
    }
}

async fn pages_read_beijing_time_and_names(app: TestApp) {
    app.state.clock.set(demo_moment());
    let accounts = reformwatch::demo::load(app.db(), &Actor::System, app.state.clock.now())
        .await
        .unwrap();
    let catalogue = reformwatch::service::catalogues::of_year(&app.state, 2017)
        .await
        .unwrap();
    reformwatch::service::demo::seed(&app.state, &catalogue, 2017, demo_moment())
        .await
        .unwrap()
        .expect("seeded");
    let password = |name: &str| {
        accounts
            .iter()
            .find(|a| a.username == name)
            .unwrap()
            .password
            .clone()
    };
    // A returned plan (a reviewer's review, versions) and a report with a reviewer's comment.
    let (returned, submitted_at) = one(
        &app,
        "SELECT s.code, v.submitted_at FROM plans p JOIN societies s ON s.id = p.society_id \
         JOIN plan_versions v ON v.plan_id = p.id JOIN plan_reviews r ON r.plan_id = p.id \
         WHERE r.decision = 'returned' AND p.kind = 'reform' AND v.version = 1 \
         ORDER BY s.code LIMIT 1",
    )
    .await;
    let (commented, month) = one(
        &app,
        "SELECT s.code, CAST(r.month AS TEXT) FROM report_reviews v \
         JOIN reports r ON r.id = v.report_id JOIN societies s ON s.id = r.society_id \
         ORDER BY s.code, r.month LIMIT 1",
    )
    .await;
    // The editor's society A-01: its latest report month with a version.
    let (_, a01_month) = one(
        &app,
        "SELECT s.code, CAST(MAX(r.month) AS TEXT) FROM reports r \
         JOIN societies s ON s.id = r.society_id WHERE s.code = 'A-01' GROUP BY s.code",
    )
    .await;
    // A token used once, so the account page shows created and last-used times.
    let token = app.token_for("admin").await;
    let used = app.get_with_token("/api/v1/societies", &token).await;
    assert_eq!(used.status, StatusCode::OK);

    sign_in(&app, "admin", &password("admin")).await;
    let admin_pages: Vec<String> = [
        "/reviews/plans?year=2017".to_string(),
        format!("/societies/{returned}/plans/2017"),
        format!("/societies/{returned}/plans/2017/versions?kind=reform"),
        format!("/societies/{commented}/reports/2017"),
        format!("/societies/{commented}/reports/2017/{month}"),
        "/societies/A-01".to_string(),
        "/societies/A-01/facts?year=2017".to_string(),
        "/admin/audit".to_string(),
        "/admin/deadlines".to_string(),
        "/admin/catalogues".to_string(),
        "/catalogues".to_string(),
        "/account".to_string(),
        "/inbox".to_string(),
        "/dashboard?year=2017".to_string(),
        "/rates?year=2017".to_string(),
        "/".to_string(),
        "/societies".to_string(),
        "/overview/rules?year=2017".to_string(),
        "/overview/plans?year=2017".to_string(),
        "/admin/users".to_string(),
        "/admin/years".to_string(),
        "/admin/bulletins".to_string(),
        "/rules/check".to_string(),
        format!("/societies/{returned}"),
    ]
    .to_vec();
    check_pages(&app, "admin", &admin_pages).await;
    // People by display name, times in Beijing time, computed here by hand.
    let plan = app
        .get(&format!("/societies/{returned}/plans/2017"))
        .await
        .text();
    assert!(plan.contains("评审专家（演示）"), "{plan}");
    let v1 = beijing_by_hand(&submitted_at);
    assert!(plan.contains(&v1), "{v1}: {plan}");
    // The queue shows the latest version's submission time.
    let (state, latest_at) = one(
        &app,
        &format!(
            "SELECT p.state, v.submitted_at FROM plans p JOIN societies s ON s.id = p.society_id \
             JOIN plan_versions v ON v.plan_id = p.id WHERE s.code = '{returned}' \
             AND p.kind = 'reform' ORDER BY v.version DESC LIMIT 1"
        ),
    )
    .await;
    let latest = beijing_by_hand(&latest_at);
    let queue = app
        // Its discipline group keeps it on the first page (pages of 100 since issue 10).
        .get(&format!(
            "/reviews/plans?year=2017&state={state}&group={}",
            &returned[..1]
        ))
        .await
        .text();
    assert!(raw(&queue).is_none(), "{queue}");
    assert!(queue.contains(&latest), "{latest}: {queue}");
    let audit = app.get("/admin/audit").await.text();
    assert!(audit.contains("评审专家（演示）"), "{audit}");
    let deadlines = app.get("/admin/deadlines").await.text();
    assert!(deadlines.contains("2017-05-22 23:59"), "{deadlines}");
    let report = app
        .get(&format!("/societies/{commented}/reports/2017/{month}"))
        .await
        .text();
    assert!(report.contains("评审专家（演示）"), "{report}");

    sign_in(&app, "editor", &password("editor")).await;
    let editor_pages: Vec<String> = [
        "/inbox".to_string(),
        "/account".to_string(),
        "/societies/A-01".to_string(),
        "/societies/A-01/facts?year=2017".to_string(),
        "/societies/A-01/plans/2017".to_string(),
        "/societies/A-01/plans/2017/versions?kind=reform".to_string(),
        "/societies/A-01/reports/2017".to_string(),
        format!("/societies/A-01/reports/2017/{a01_month}"),
    ]
    .to_vec();
    check_pages(&app, "editor", &editor_pages).await;
}
both!(pages_read_beijing_time_and_names);

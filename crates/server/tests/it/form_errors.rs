//! Issue 10, "errors where the eye is": every refused form answers its page again (200/422)
//! with the message inside the field's own error element (`id="err-FIELD"`, right after the
//! input, which points to it with `aria-describedby` and is `aria-invalid`), a summary at the
//! top (`role="alert"`) linking to `#FIELD`, and what the user typed kept. A valid submission
//! has no summary (negative control). Also: a refused evidence upload goes back to its form; a
//! GET on any form-only URL never gives an empty 405.

use http::{Method, StatusCode};
use reformwatch::model::Role;
use serde_json::json;

use crate::{Resp, TestApp, both};

const EXAMPLE_2031: &str = include_str!("../../../../tests/fixtures/catalogue-2031-example.toml");

/// The opening tag of the element whose id is `id` (panics when there is none, or several).
fn tag_of<'a>(html: &'a str, id: &str) -> (usize, &'a str) {
    let needle = format!("id=\"{id}\"");
    let hits: Vec<usize> = html.match_indices(&needle).map(|(i, _)| i).collect();
    assert_eq!(hits.len(), 1, "exactly one element with {needle}");
    let at = hits[0];
    let start = html[..at].rfind('<').unwrap();
    let end = at + html[at..].find('>').unwrap();
    (start, &html[start..=end])
}

/// The summary box at the top of the page, if any.
fn summary(html: &str) -> Option<&str> {
    let at = html.find("id=\"error-summary\"")?;
    let start = html[..at].rfind('<').unwrap();
    let end = start + html[start..].find("</div>").unwrap();
    Some(&html[start..end])
}

/// The refused form's message `message` sits at `field` (and the summary links to it); the
/// input shows `typed` (its value, or a textarea's text) when given.
#[track_caller]
fn assert_at_field(r: &Resp, field: &str, message: &str, typed: Option<&str>) {
    assert!(
        r.status == StatusCode::OK
            || r.status == StatusCode::UNPROCESSABLE_ENTITY
            || r.status == StatusCode::UNAUTHORIZED,
        "{field}: status {}",
        r.status
    );
    let html = r.text();
    // The summary: an alert at the top (before the form), linking to the field.
    let sum = summary(&html).unwrap_or_else(|| panic!("{field}: no summary in {html}"));
    assert!(sum.contains("role=\"alert\""), "{sum}");
    let link = format!("<a href=\"#{field}\">");
    let linked = sum
        .find(&link)
        .map(|i| &sum[i + link.len()..])
        .and_then(|rest| rest.find("</a>").map(|end| &rest[..end]));
    assert!(
        linked.is_some_and(|text| text.contains(message)),
        "{field}: summary without a link to it saying {message:?}: {sum}"
    );
    assert_eq!(html.matches("id=\"error-summary\"").count(), 1);
    // The input: invalid, described by its error element.
    let (input_at, input) = tag_of(&html, field);
    assert!(input.contains("aria-invalid=\"true\""), "{input}");
    assert!(
        input.contains(&format!("aria-describedby=\"err-{field}\"")),
        "{input}"
    );
    // The error element: a field error right after the input, holding the message.
    let (err_at, err_tag) = tag_of(&html, &format!("err-{field}"));
    assert!(err_tag.contains("class=\"field-error\""), "{err_tag}");
    let body = &html[err_at + err_tag.len()..];
    let close = body.find("</p>").or_else(|| body.find("</div>")).unwrap();
    assert!(
        body[..close].contains(message),
        "{field}: error element holds {:?}, not {message:?}",
        &body[..close]
    );
    assert!(
        err_at > input_at && err_at - input_at < 1200,
        "{field}: the message is not next to its input ({input_at} → {err_at})"
    );
    assert!(
        sum.len() < err_at && html.find("id=\"error-summary\"").unwrap() < input_at,
        "{field}: the summary is not above the form"
    );
    if let Some(typed) = typed {
        if input.starts_with("<textarea") {
            assert!(
                html[input_at + input.len()..].starts_with(typed),
                "{field}: typed text lost"
            );
        } else {
            assert!(
                input.contains(&format!("value=\"{typed}\"")),
                "{field}: typed value lost: {input}"
            );
        }
    }
}

#[track_caller]
fn assert_no_summary(html: &str) {
    assert!(summary(html).is_none(), "a summary on a valid page");
    assert!(!html.contains("aria-invalid=\"true\""));
}

async fn account_and_admin_forms(app: TestApp) {
    app.registry().await;
    app.user("fe-admin", Role::Admin, None).await;

    // Login: a wrong password, the name typed kept.
    let r = app
        .post_form(
            "/login",
            &[("username", "fe-admin"), ("password", "wrong-password-1")],
        )
        .await;
    assert_eq!(r.status, StatusCode::UNAUTHORIZED);
    assert_at_field(&r, "password", "用户名或密码不正确。", None);
    assert!(
        tag_of(&r.text(), "username")
            .1
            .contains("value=\"fe-admin\"")
    );
    // Negative control: the login page itself has no summary.
    assert_no_summary(&app.get("/login").await.text());
    app.login("fe-admin").await;

    // Own account: a wrong current password; an API token without a name.
    let r = app
        .post_form(
            "/account/password",
            &[
                ("current", "nope"),
                ("new_password", "a-new-long-passphrase"),
            ],
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_at_field(&r, "current", "当前密码不正确。", None);
    let r = app.post_form("/account/tokens", &[("name", "  ")]).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_at_field(&r, "token-name", "必填。", None);
    let r = app.post_form("/account/tokens", &[("name", "脚本")]).await;
    assert_eq!(r.status, StatusCode::OK);
    assert_no_summary(&r.text());

    // A new user without a display name: the username typed kept.
    let r = app
        .post_form(
            "/admin/users",
            &[
                ("username", "newbie"),
                ("display_name", ""),
                ("role", "reviewer"),
                ("society", ""),
                ("password", ""),
            ],
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_at_field(&r, "display_name", "必填。", None);
    assert!(tag_of(&r.text(), "username").1.contains("value=\"newbie\""));

    // A new society with a taken code: the name typed kept.
    let r = app
        .post_form("/societies", &[("code", "A-01"), ("name", "测试学会甲")])
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.text());
    let html = r.text();
    let code_msg = {
        let (at, tag) = tag_of(&html, "err-code");
        let body = &html[at + tag.len()..];
        body[..body.find("</p>").unwrap()].to_string()
    };
    assert!(!code_msg.is_empty());
    assert_at_field(&r, "code", &code_msg, Some("A-01"));
    assert!(tag_of(&html, "name").1.contains("value=\"测试学会甲\""));

    // Imports and catalogue load without a file: the reason at the file input.
    for path in [
        "/societies/import",
        "/admin/facts/import?year=2017",
        "/admin/catalogues",
    ] {
        let r = app.multipart(path, "other", "x.csv", b"").await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{path}");
        assert_at_field(&r, "file", "请选择要上传的文件。", None);
    }
    // A facts import with rows refused: the count at the file, the rows beside it.
    let r = app
        .multipart(
            "/admin/facts/import?year=2017",
            "file",
            "f.csv",
            "code,as_of,members_now\nZZ-99,2017-06-30,5000\n".as_bytes(),
        )
        .await;
    assert_at_field(&r, "file", "有 1 处问题，文件未导入。", None);
    let html = r.text();
    assert!(html.find("id=\"import-errors\"").unwrap() > html.find("id=\"err-file\"").unwrap());

    // The facts form: "abc" for a number, below the fold no more; typed text kept.
    let r = app
        .post_form(
            "/societies/A-01/facts?year=2017",
            &[("as_of", "2017-06-30"), ("members_now", "abc")],
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_at_field(&r, "f-members_now", "“abc”不是整数。", Some("abc"));
    // Negative control: a valid value saves and the page shows no summary.
    let r = app
        .post_form(
            "/societies/A-01/facts?year=2017",
            &[("as_of", "2017-06-30"), ("members_now", "5000")],
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.text());
    assert_no_summary(&app.get(&r.location()).await.text());

    // The what-if check (public).
    let r = app
        .post_form("/rules/check?year=2017", &[("members_now", "abc")])
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_at_field(&r, "f-members_now", "“abc”不是整数。", Some("abc"));
    let r = app
        .post_form("/rules/check?year=2017", &[("members_now", "5000")])
        .await;
    assert_eq!(r.status, StatusCode::OK);
    assert_no_summary(&r.text());

    // Start a year from one without a catalogue.
    let r = app
        .post_form("/admin/years", &[("from", "2016"), ("to", "2018")])
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_at_field(&r, "from", "2016 年尚无任务清单，无法复制", Some("2016"));

    // A deadline in an unknown time zone.
    let r = app
        .post_form(
            "/admin/deadlines",
            &[
                ("year", "2017"),
                ("local_time", "2017-04-30T17:00:00"),
                ("timezone", "Mars/Base"),
            ],
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_at_field(
        &r,
        "timezone",
        "不认识的时区“Mars/Base”（例如 Asia/Shanghai）。",
        Some("Mars/Base"),
    );

    // A bulletin for no month.
    let r = app
        .post_form(
            "/admin/bulletins/preview",
            &[
                ("month", "soon"),
                ("corrects", ""),
                ("note_zh", ""),
                ("note_en", ""),
            ],
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_at_field(&r, "month", "请选择年份和月份。", Some("soon"));

    // A month-lock exception for a society that does not exist: on the rates page.
    let r = app
        .post_form(
            "/admin/months/exception",
            &[("year", "2017"), ("month", "6"), ("society", "ZZ-99")],
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.text());
    assert_at_field(
        &r,
        "exception-society",
        "找不到学会“ZZ-99”。",
        Some("ZZ-99"),
    );
    let r = app
        .post_form(
            "/admin/months/exception",
            &[("year", "2017"), ("month", "6"), ("society", "A-01")],
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.text());
    assert_no_summary(&app.get(&r.location()).await.text());

    // The society page's own forms: a rectification request without a reason, an election
    // flag for a year that is no year.
    let r = app
        .post_form(
            "/societies/A-01/plans/2017/rectification",
            &[("reason", " ")],
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.text());
    assert_at_field(&r, "reason", "必填。", None);
    let r = app
        .post_form(
            "/societies/A-01/election",
            &[("year", "abc"), ("election_year", "true")],
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.text());
    assert_at_field(
        &r,
        "election-year",
        "年度应为 2000–2100 之间的数字。",
        Some("abc"),
    );
    let r = app
        .post_form(
            "/societies/A-01/election",
            &[("year", "2017"), ("election_year", "true")],
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.text());
    assert_no_summary(&app.get(&r.location()).await.text());

    // A judgement without its reason (a judged norm of the 2031 example catalogue).
    let admin = app.admin_token().await;
    let r = app
        .request(
            Method::POST,
            "/api/v1/catalogues",
            Some("application/toml"),
            EXAMPLE_2031.as_bytes().to_vec(),
            &[("authorization", &format!("Bearer {admin}"))],
        )
        .await;
    assert!(r.status.is_success(), "{}", r.text());
    let r = app
        .post_form(
            "/societies/A-01/judgements",
            &[
                ("year", "2031"),
                ("rule", "cpc-share"),
                ("verdict", "warning"),
                ("reason", ""),
            ],
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.text());
    assert_at_field(&r, "reason-cpc-share", "必填。", None);
}
both!(account_and_admin_forms);

/// A-03's editor, a reviewer and an administrator; a submitted plan (the clock in May 2017).
pub async fn submitted_plan(app: &TestApp) {
    app.registry().await;
    app.user("fe-editor", Role::SocietyEditor, Some("A-03"))
        .await;
    app.user("fe-reviewer", Role::Reviewer, None).await;
    let editor = app.token_for("fe-editor").await;
    let base = "/api/v1/societies/A-03/plans/2017";
    let r = app
        .json(Method::POST, base, &json!({}), Some(&editor))
        .await;
    assert!(r.status.is_success(), "{}", r.text());
    let mut tasks: Vec<serde_json::Value> = (1..=7)
        .map(|n| json!({"number": n, "responsible": [{"name": "张三", "position": "秘书长"}],
            "targets": [{"metric": "制度", "unit": "项", "baseline": 0, "target": 2, "due": "2017-12-31"}],
            "milestones": [{"date": "2017-09-30", "what": "中期检查"}]}))
        .collect();
    for n in [12, 13, 14, 15, 16] {
        tasks.push(json!({"number": n, "responsible": [{"name": "李四", "position": "副秘书长"}],
            "targets": [{"metric": "活动", "unit": "次", "baseline": 1, "target": 3, "due": "2017-12-31"}],
            "milestones": [{"date": "2017-10-31", "what": "完成一半"}]}));
    }
    let r = app
        .json(
            Method::PUT,
            &format!("{base}/draft"),
            &json!({"summary": "", "tasks": tasks}),
            Some(&editor),
        )
        .await;
    assert_eq!(r.json()["submittable"], true, "{}", r.text());
    let r = app
        .request(
            Method::POST,
            &format!("{base}/submit"),
            None,
            vec![],
            &[("authorization", &format!("Bearer {editor}"))],
        )
        .await;
    assert!(r.status.is_success(), "{}", r.text());
}

async fn plan_and_report_forms(app: TestApp) {
    let may = chrono::DateTime::parse_from_rfc3339("2017-05-20T10:00:00+08:00")
        .unwrap()
        .with_timezone(&chrono::Utc);
    app.state.clock.set(may);
    submitted_plan(&app).await;

    // Returning a plan without a comment: today no message at all.
    app.login("fe-reviewer").await;
    let r = app
        .post_form(
            "/societies/A-03/plans/2017/review",
            &[
                ("decision", "return"),
                ("comment", ""),
                ("tc_2", "会员数写清楚"),
            ],
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.text());
    assert_at_field(&r, "comment", "必填。", Some(""));
    // The task comment typed is kept.
    let html = r.text();
    let (at, tag) = tag_of(&html, "tc_2");
    assert!(html[at + tag.len()..].starts_with("会员数写清楚"));
    // Negative control: accepting needs no comment; the plan page then has no summary.
    let r = app
        .post_form(
            "/societies/A-03/plans/2017/review",
            &[("decision", "accept"), ("comment", "")],
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.text());
    assert_no_summary(&app.get(&r.location()).await.text());

    // A report for June: the editor types "abc" for a target's value.
    // Forty days later (sessions end after 12 hours: sign in then).
    app.state.clock.set(may + chrono::Duration::days(40));
    app.login("fe-editor").await;
    let r = app.post_form("/societies/A-03/reports/2017/6", &[]).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.text());
    let r = app
        .post_form(
            "/societies/A-03/reports/2017/6/draft",
            &[("narrative", "六月"), ("t2_v0", "abc")],
        )
        .await;
    assert_eq!(
        r.status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "{} {}",
        r.location(),
        r.text()
    );
    assert_at_field(&r, "t2_v0", "“abc”不是整数。", Some("abc"));
    assert!(r.text().contains(">六月</textarea>"));
    // A narrative over the limit: at the narrative (no longer an error page).
    let long = "长".repeat(20_001);
    let r = app
        .post_form(
            "/societies/A-03/reports/2017/6/draft",
            &[("narrative", &long), ("t2_v0", "1")],
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.status);
    let html = r.text();
    let (at, tag) = tag_of(&html, "err-narrative");
    assert!(
        html[at + tag.len()..].starts_with("不能超过"),
        "{}",
        &html[at..at + 200]
    );
    let r = app
        .post_form(
            "/societies/A-03/reports/2017/6/submit",
            &[("narrative", "六月"), ("t2_v0", "10100")],
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.text());

    // The reviewer's review without a comment: at the comment, on a long page.
    app.login("fe-reviewer").await;
    let r = app
        .post_form(
            "/societies/A-03/reports/2017/6/review",
            &[("decision", "return"), ("comment", "")],
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.text());
    assert_at_field(&r, "comment", "必填。", Some(""));
    let r = app
        .post_form(
            "/societies/A-03/reports/2017/6/review",
            &[("decision", "comment"), ("comment", "好")],
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.text());
    assert_no_summary(&app.get(&r.location()).await.text());
}
both!(plan_and_report_forms);

/// A multipart evidence form as the plan page sends it.
async fn upload(app: &TestApp, back: &str, bytes: &[u8]) -> Resp {
    let boundary = "----rwforms";
    let mut body = Vec::new();
    for (k, v) in [
        ("owner_type", "plan_task"),
        ("year", "2017"),
        ("back", back),
        ("task", "1"),
    ] {
        body.extend_from_slice(
            format!("--{boundary}\r\nContent-Disposition: form-data; name=\"{k}\"\r\n\r\n{v}\r\n")
                .as_bytes(),
        );
    }
    body.extend_from_slice(format!("--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"x.exe\"\r\nContent-Type: application/octet-stream\r\n\r\n").as_bytes());
    body.extend_from_slice(bytes);
    body.extend_from_slice(format!("\r\n--{boundary}--\r\n").as_bytes());
    app.request(
        Method::POST,
        "/societies/A-03/evidence",
        Some(&format!("multipart/form-data; boundary={boundary}")),
        body,
        &[],
    )
    .await
}

async fn a_refused_upload_goes_back_to_its_form(app: TestApp) {
    submitted_plan(&app).await;
    app.login("fe-editor").await;
    // A draft plan (returned) so that the editor's plan page has the upload form.
    let back = "/societies/A-03/plans/2017";
    let r = upload(
        &app,
        back,
        b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff",
    )
    .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.text());
    let location = r.location();
    assert!(
        location.starts_with("/societies/A-03/plans/2017?refused=err-file-type"),
        "{location}"
    );
    let r = app.get(&location).await;
    assert_at_field(&r, "evidence-file", "不允许的文件类型", None);
    // Switching the language there stays on the page, now in English.
    let r = app
        .post_form("/lang", &[("lang", "en"), ("next", &location)])
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER);
    let r = app.get(&r.location()).await;
    assert_at_field(&r, "evidence-file", "File type not allowed", None);
    // A crafted link puts no words on the page.
    let r = app
        .get("/societies/A-03/plans/2017?refused=err-upload&arg=%E8%AF%B7%E8%87%B4%E7%94%B5")
        .await;
    assert!(!r.text().contains("请致电"));
    // Negative control: an accepted file goes back with the flash, no summary.
    let r = upload(
        &app,
        back,
        b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n",
    )
    .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.text());
    assert!(r.location().ends_with("done=uploaded"), "{}", r.location());
    assert_no_summary(&app.get(&r.location()).await.text());
}
both!(a_refused_upload_goes_back_to_its_form);

/// A value for each path parameter of the route table.
fn concrete(path: &str) -> String {
    path.split('/')
        .map(|seg| match seg {
            "{code}" => "A-01",
            "{year}" => "2017",
            "{month}" => "6",
            "{id}" | "{number}" | "{version}" => "1",
            s if s.starts_with('{') => "x",
            s => s,
        })
        .collect::<Vec<_>>()
        .join("/")
}

async fn no_empty_405_on_any_post_only_route(app: TestApp) {
    app.registry().await;
    app.user("fe-admin", Role::Admin, None).await;
    app.login("fe-admin").await;
    let table = reformwatch::routes();
    let gets: Vec<&str> = table
        .iter()
        .filter(|s| s.method == Method::GET)
        .map(|s| s.path)
        .collect();
    let mut post_only: Vec<(&Method, &str)> = table
        .iter()
        .filter(|s| !gets.contains(&s.path))
        .map(|s| (&s.method, s.path))
        .collect();
    post_only.sort_by_key(|(_, p)| *p);
    post_only.dedup_by_key(|(_, p)| *p);
    assert!(
        post_only.len() >= 30,
        "{} form-only routes",
        post_only.len()
    );
    let (mut pages, mut api) = (0, 0);
    for (method, path) in post_only {
        let url = concrete(path);
        let r = app.get(&url).await;
        if path.starts_with("/api/") {
            api += 1;
            assert_eq!(r.status, StatusCode::METHOD_NOT_ALLOWED, "GET {url}");
            let allow = r.header("allow");
            assert!(
                allow.contains(method.as_str()),
                "GET {url}: Allow {allow:?}"
            );
            let v = r.json();
            assert_eq!(v["errors"][0]["code"], "method_not_allowed", "GET {url}");
            assert!(!v["errors"][0]["message"].as_str().unwrap().is_empty());
        } else {
            pages += 1;
            assert_eq!(r.status, StatusCode::SEE_OTHER, "GET {url}");
            let to = r.location();
            assert!(to.starts_with('/') && !to.starts_with("//"), "{to}");
            // Its page answers (the administrator may see every page).
            let page = app.get(&to).await;
            assert!(
                page.status == StatusCode::OK || page.status == StatusCode::SEE_OTHER,
                "GET {url} → {to} → {}",
                page.status
            );
        }
    }
    assert!(pages >= 15 && api >= 10, "pages {pages}, api {api}");
    // Where some go: the enclosing page, a named page, never a download.
    let r = app.get("/societies/A-01/plans/2017/draft").await;
    assert_eq!(r.location(), "/societies/A-01/plans/2017");
    assert_eq!(app.get("/admin/months").await.location(), "/rates");
    assert_eq!(app.get("/evidence/1/remove").await.location(), "/");
    assert_eq!(
        app.get("/account/tokens/1/revoke").await.location(),
        "/account"
    );
    // Another method on a page: a page in the user's language with Allow, not an empty 405.
    let r = app
        .request(Method::PUT, "/account", None, vec![], &[])
        .await;
    assert_eq!(r.status, StatusCode::METHOD_NOT_ALLOWED);
    assert!(r.header("allow").contains("GET"), "{:?}", r.header("allow"));
    assert!(r.text().contains("此地址不接受这种请求"), "{}", r.text());
    // Negative control: a GET on a page is untouched.
    assert_eq!(app.get("/account").await.status, StatusCode::OK);
}
both!(no_empty_405_on_any_post_only_route);

/// The plan editor's form for tasks 1–7 and the optional tasks `optional`, every list
/// complete (responsible, a target, a milestone), as the page posts it.
fn plan_form(optional: &[u32]) -> Vec<(String, String)> {
    let mut pairs: Vec<(String, String)> = vec![("summary".into(), "保留我输入的文字".into())];
    for n in optional {
        pairs.push(("optional".into(), n.to_string()));
    }
    for n in (1..=7).chain(optional.iter().copied()) {
        for (k, v) in [
            ("present".to_string(), n.to_string()),
            (format!("t{n}_resp_0_name"), "张三".into()),
            (format!("t{n}_resp_0_position"), "秘书长".into()),
            (format!("t{n}_tgt_0_metric"), "制度".into()),
            (format!("t{n}_tgt_0_unit"), "项".into()),
            (format!("t{n}_tgt_0_baseline"), "0".into()),
            (format!("t{n}_tgt_0_target"), "2".into()),
            (format!("t{n}_tgt_0_due"), "2017-12-31".into()),
            (format!("t{n}_ms_0_date"), "2017-09-30".into()),
            (format!("t{n}_ms_0_what"), "中期检查".into()),
        ] {
            pairs.push((k, v));
        }
    }
    pairs
}

/// Sets `key` of the form to `value`.
fn set(pairs: &mut [(String, String)], key: &str, value: &str) {
    let at = pairs.iter().position(|(k, _)| k == key).unwrap();
    pairs[at].1 = value.to_string();
}

/// Issue 10: a refused plan submission (the core's validation, R-PLAN-2, R-PLAN-3) shows each
/// message at the editor input it is about, the summary links there, and what was typed is
/// kept. Before, the messages were listed in the summary without links and no input was
/// marked.
async fn refused_plan_submit_at_the_inputs(app: TestApp) {
    let may = chrono::DateTime::parse_from_rfc3339("2017-05-20T10:00:00+08:00")
        .unwrap()
        .with_timezone(&chrono::Utc);
    app.state.clock.set(may);
    app.registry().await;
    app.user("fe-editor", Role::SocietyEditor, Some("A-03"))
        .await;
    app.login("fe-editor").await;
    let r = app.post_form("/societies/A-03/plans/2017", &[]).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.text());

    // One optional task (five are needed); task 1's target without a metric, task 2's
    // milestone without what is done, task 3's responsible person without a name.
    let mut form = plan_form(&[12]);
    set(&mut form, "t1_tgt_0_metric", "");
    set(&mut form, "t2_ms_0_what", "");
    set(&mut form, "t3_resp_0_name", "");
    let refs: Vec<(&str, &str)> = form.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
    let r = app
        .post_form("/societies/A-03/plans/2017/submit", &refs)
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.text());
    assert_at_field(&r, "t1_tgt_0_metric", "第 1 个目标缺少指标名称", Some(""));
    assert_at_field(&r, "t2_ms_0_what", "第 1 个里程碑缺少内容", Some(""));
    assert_at_field(&r, "t3_resp_0_name", "未填写责任人", Some(""));
    assert_at_field(&r, "optional-12", "少于至少 5 项的要求", None);
    // What was typed next to the refused inputs is kept.
    let html = r.text();
    assert!(tag_of(&html, "t1_tgt_0_unit").1.contains("value=\"项\""));
    assert!(
        tag_of(&html, "t1_tgt_0_due")
            .1
            .contains("value=\"2017-12-31\"")
    );
    assert!(
        tag_of(&html, "t2_ms_0_date")
            .1
            .contains("value=\"2017-09-30\"")
    );
    assert!(
        tag_of(&html, "t3_resp_0_position")
            .1
            .contains("value=\"秘书长\"")
    );
    assert!(tag_of(&html, "optional-12").1.contains(" checked"));
    assert!(html.contains(">保留我输入的文字</textarea>"));
    // Only the refused inputs are marked: four.
    assert_eq!(html.matches("aria-invalid=\"true\"").count(), 4, "{html}");

    // In English the same places, the core's English message.
    app.set_cookie("rw_lang", "en");
    let r = app
        .post_form("/societies/A-03/plans/2017/submit", &refs)
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_at_field(
        &r,
        "t1_tgt_0_metric",
        "target 1: the metric is missing",
        Some(""),
    );
    app.set_cookie("rw_lang", "zh");

    // Negative control: the complete form with five optional tasks is submitted.
    let form = plan_form(&[12, 13, 14, 15, 16]);
    let refs: Vec<(&str, &str)> = form.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
    let r = app
        .post_form("/societies/A-03/plans/2017/submit", &refs)
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.text());
    assert_no_summary(&app.get(&r.location()).await.text());
}
both!(refused_plan_submit_at_the_inputs);

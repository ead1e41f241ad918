//! Issue 10, the audit trail in words (R-X-2): after the seeded demo year and a round of account
//! and society changes, every kind of entry the trail holds is rendered, in Chinese and in
//! English, and no recorded key, stored code, internal id or raw value is shown; the trail pages
//! with the shared pager, its filters kept in the links.

use chrono::{DateTime, TimeZone, Utc};
use http::{Method, StatusCode};
use reformwatch::db::audit::Actor;
use reformwatch::db::{societies, tokens, users};
use reformwatch::model::Role;
use serde_json::json;
use sqlx::Row;

use crate::readable::{developer_text, raw};
use crate::{TestApp, both};

fn demo_moment() -> DateTime<Utc> {
    // 2017-09-15 10:00 Beijing time.
    Utc.with_ymd_and_hms(2017, 9, 15, 2, 0, 0).unwrap()
}

/// The text of the trail's table: one row per entry, cells separated by tabs, the lines of the
/// before/after cells by " | ".
fn table_rows(body: &str) -> Vec<Vec<String>> {
    let table = body
        .split("<table id=\"audit\">")
        .nth(1)
        .and_then(|t| t.split("</table>").next())
        .unwrap_or_else(|| panic!("no audit table: {body}"));
    let tbody = table.split("<tbody>").nth(1).unwrap_or("");
    tbody
        .split("<tr>")
        .skip(1)
        .map(|row| {
            row.split("<td")
                .skip(1)
                .map(|cell| {
                    let inner = cell.split_once('>').map_or("", |x| x.1);
                    let inner = inner.split("</td>").next().unwrap_or("");
                    inner
                        .split("<div>")
                        .map(|l| l.replace("</div>", "").trim().to_string())
                        .filter(|l| !l.is_empty())
                        .collect::<Vec<_>>()
                        .join(" | ")
                })
                .collect()
        })
        .collect()
}

/// Words a person should not read in the trail: a recorded key or stored code (lowercase ASCII
/// with `_`, e.g. `society_code`, `demo`, `privileges changed`) as a label or a value, an action
/// code (`user.create`), an object id (`A-01/2017/reform`). `lang_zh`: the Chinese page also
/// refuses any lowercase ASCII word at all (labels and values there are Chinese).
fn raw_in_trail(rows: &[Vec<String>], lang_zh: bool) -> Option<String> {
    let code = |s: &str| {
        let s = s.trim();
        s.chars().count() >= 2
            && s.chars()
                .all(|c| c.is_ascii_lowercase() || c == '_' || c == ' ')
    };
    for row in rows {
        // #, time, actor, action, object, before, after
        if row.len() != 7 {
            return Some(format!("row of {} cells: {row:?}", row.len()));
        }
        let action = &row[3];
        if code(action) || action.contains('.') {
            return Some(format!("action {action:?}"));
        }
        let object = &row[4];
        if object.contains('/') || object.split(" · ").any(code) {
            return Some(format!("object {object:?}"));
        }
        for cell in &row[5..] {
            for line in cell.split(" | ").filter(|l| !l.is_empty()) {
                let Some((label, value)) = line.split_once('：').or_else(|| line.split_once(": "))
                else {
                    return Some(format!("line without a label {line:?}"));
                };
                // A username or a token's name is what a person typed ("admin", "test"), not
                // a code.
                let typed = [
                    "用户名",
                    "Username",
                    "名称",
                    "Name",
                    "显示名称",
                    "Display name",
                ]
                .contains(&label);
                if code(label) || (code(value) && !typed) {
                    return Some(format!("line {line:?}"));
                }
                if label == "编号" {
                    return Some(format!("internal id {line:?}"));
                }
                // English proper names (a society's English name) may stand in a value.
                // A run of ASCII (letters, digits, `_.-@/`) that is lowercase letters and `_`
                // only: `as_of` in "数据：as_of：2017-08-31"; not "lixue.editor", a hash
                // "68696507e028", "127.0.0.1", a file "catalogues/2017.toml".
                if lang_zh
                    && !typed
                    && !value.chars().any(|c| c.is_ascii_uppercase())
                    && line
                        .split(|c: char| {
                            !(c.is_ascii_alphanumeric() || matches!(c, '_' | '.' | '-' | '@' | '/'))
                        })
                        .any(|w| {
                            w.len() >= 2 && w.chars().all(|c| c.is_ascii_lowercase() || c == '_')
                        })
                {
                    return Some(format!("English word on the Chinese page {line:?}"));
                }
            }
        }
    }
    None
}

/// Negative control: each kind of slip is caught; what the trail should show passes.
#[test]
fn the_check_catches_raw_keys_and_codes() {
    let row = |before: &str, after: &str| {
        vec![vec![
            "7".to_string(),
            "2017-09-15 10:00".to_string(),
            "科协管理员（演示）".to_string(),
            "修改账户".to_string(),
            "账户 · 力学学会填报人".to_string(),
            before.to_string(),
            after.to_string(),
        ]]
    };
    for (before, after) in [
        ("demo：否", ""),
        ("society_code：A-03", ""),
        ("", "角色：society_viewer"),
        ("", "理由：privileges changed"),
        ("", "编号：17"),
        ("", "late seconds：3600"),
        ("", "没有标签"),
        ("数据：as_of：2017-08-31；会员：5", ""),
    ] {
        assert!(
            raw_in_trail(&row(before, after), true).is_some(),
            "{before} {after}"
        );
    }
    let mut action = row("", "");
    action[0][3] = "user.create".to_string();
    assert!(raw_in_trail(&action, false).is_some());
    let mut object = row("", "");
    object[0][4] = "方案 · A-01/2017/reform".to_string();
    assert!(raw_in_trail(&object, false).is_some());
    // English: a code as a value is caught, words are not.
    assert!(raw_in_trail(&row("", "Role: society_viewer"), false).is_some());
    assert_eq!(
        raw_in_trail(
            &row(
                "角色：学会填报人 | 所属学会：中国力学学会 | 演示账户：否",
                "角色：学会负责人（只读） | 已停用：是"
            ),
            true
        ),
        None
    );
    assert_eq!(
        raw_in_trail(
            &row(
                "Role: Society editor",
                "Role: Society head (read-only) | Disabled: Yes"
            ),
            false
        ),
        None
    );
}

async fn get_in(app: &TestApp, path: &str, lang: &str) -> String {
    let r = app
        .request(
            Method::GET,
            path,
            None,
            vec![],
            &[("accept-language", lang)],
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{path}: {}", r.text());
    r.text()
}

fn enc(s: &str) -> String {
    s.replace('.', "%2E")
}

async fn the_trail_reads_in_words(app: TestApp) {
    app.state.clock.set(demo_moment());
    let now = app.state.clock.now();
    reformwatch::demo::load(app.db(), &Actor::System, now)
        .await
        .unwrap();
    let catalogue = reformwatch::service::catalogues::of_year(&app.state, 2017)
        .await
        .unwrap();
    reformwatch::service::demo::seed(&app.state, &catalogue, 2017, demo_moment())
        .await
        .unwrap()
        .expect("seeded");
    // Account changes (the entries issue 10 found raw): a society editor of A-03 becomes its
    // read-only head, is disabled, gets a new password; a token is created and revoked.
    let admin = Actor::User("admin".into());
    let a03 = societies::by_code(app.db(), "A-03").await.unwrap().unwrap();
    let hash = reformwatch::auth::password::hash_sync("correct horse battery").unwrap();
    let u = users::create(
        app.db(),
        &admin,
        now,
        &users::NewUser {
            username: "lixue.editor",
            display_name: "力学学会填报人",
            password_hash: &hash,
            role: Role::SocietyEditor,
            society_id: Some(a03.id),
            demo: false,
        },
    )
    .await
    .unwrap();
    let new_token = || tokens::create(app.db(), &admin, now, u.id, "lixue.editor", "导出");
    let (token, _) = new_token().await.unwrap();
    tokens::revoke(app.db(), &admin, now, u.id, "lixue.editor", token.id)
        .await
        .unwrap();
    // A live token before each change that revokes them all (audited only when there are).
    new_token().await.unwrap();
    let viewer = users::UserUpdate {
        display_name: "力学学会负责人",
        role: Role::SocietyViewer,
        society_id: Some(a03.id),
        disabled: false,
    };
    users::update(app.db(), &admin, now, u.id, &viewer)
        .await
        .unwrap();
    new_token().await.unwrap();
    users::update(
        app.db(),
        &admin,
        now,
        u.id,
        &users::UserUpdate {
            disabled: true,
            ..viewer
        },
    )
    .await
    .unwrap();
    new_token().await.unwrap();
    users::set_password(app.db(), &admin, now, u.id, &hash)
        .await
        .unwrap();
    // A society's record and its election flag; the editor's inbox read at once.
    let token = app.admin_token().await;
    // The harness names its accounts by username: give them display names as people have.
    for (name, shown) in [("tokenadmin", "接口管理员"), ("auditor", "审计管理员")] {
        let id = match users::by_username(app.db(), name).await.unwrap() {
            Some(u) => u.user.id,
            None => app.user(name, Role::Admin, None).await.id,
        };
        let rename = users::UserUpdate {
            display_name: shown,
            role: Role::Admin,
            society_id: None,
            disabled: false,
        };
        users::update(app.db(), &Actor::System, now, id, &rename)
            .await
            .unwrap();
    }
    let r = app
        .json(
            Method::PUT,
            "/api/v1/societies/A-03",
            &json!({"name": "中国力学学会", "short_name": "力学会", "supporting_unit": "中国科学院力学研究所"}),
            Some(&token),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text());
    societies::set_election_flag(app.db(), &admin, now, &a03, 2017, true)
        .await
        .unwrap();
    let editor = app.token_for("editor").await;
    let r = app
        .json(
            Method::POST,
            "/api/v1/notifications/read-all",
            &json!({}),
            Some(&editor),
        )
        .await;
    assert!(r.status.is_success(), "{}", r.text());

    let actions: Vec<String> = sqlx::query("SELECT DISTINCT action FROM audit_log ORDER BY action")
        .fetch_all(&app.db().pool)
        .await
        .unwrap()
        .iter()
        .map(|r| r.try_get(0).unwrap())
        .collect();
    // The seeded year and the changes above: plans, reports, reviews, facts, locks, bulletins,
    // accounts, tokens, societies, the inbox.
    for a in [
        "user.create",
        "user.update",
        "user.disable",
        "user.password",
        "token.create",
        "token.revoke",
        "token.revoke_all",
        "society.update",
        "society.election_year",
        "plan.submit",
        "plan.return",
        "plan.accept",
        "report.submit",
        "facts.update",
        "month.lock",
        "bulletin.publish",
        "inbox.read_all",
        "demo.seed",
    ] {
        assert!(actions.iter().any(|x| x == a), "{a} not in {actions:?}");
    }

    app.login("auditor").await;
    for lang in ["zh-CN", "en"] {
        let zh = lang == "zh-CN";
        let page = get_in(&app, "/admin/audit", lang).await;
        for action in &actions {
            // The filter offers every recorded action by its name in words.
            let option = format!("<option value=\"{action}\">");
            let at = page
                .find(&option)
                .unwrap_or_else(|| panic!("{lang}: {action} is not offered in the filter"));
            let label: String = page[at + option.len()..]
                .split('<')
                .next()
                .unwrap_or("")
                .to_string();
            assert!(
                !label.is_empty() && label != *action && !label.contains('.'),
                "{lang}: {action} offered as {label:?}"
            );
            let path = format!("/admin/audit?action={}", enc(action));
            let body = get_in(&app, &path, lang).await;
            let rows = table_rows(&body);
            assert!(!rows.is_empty(), "{lang} {action}: no rows");
            if let Some(found) = raw_in_trail(&rows, zh) {
                panic!("{lang} {action}: {found}");
            }
            if let Some(found) = developer_text(&body).or_else(|| raw(&body)) {
                let at = body.find(&found).unwrap_or(0);
                let around: String = body[at..].chars().take(300).collect();
                panic!("{lang} {action} shows {found:?}: …{around}…");
            }
        }
    }

    // The report queue's pager counts reports, not societies (issue 10). Setup: the seeded
    // year has more than 100 reports waiting.
    let queue = get_in(&app, "/reviews/reports?year=2017", "zh-CN").await;
    let pager = queue
        .split("<nav class=\"pager\"")
        .nth(1)
        .and_then(|p| p.split("</nav>").next())
        .unwrap_or_else(|| panic!("no pager: {queue}"));
    assert!(pager.contains("（第 1–100 份，共 "), "{pager}");
    assert!(pager.contains(" 份报告）"), "{pager}");
    assert!(!queue.contains("个学会）"), "{pager}");
    let en_queue = get_in(&app, "/reviews/reports?year=2017", "en").await;
    assert!(en_queue.contains("(reports 1–100 of "), "{en_queue}");

    // The account's entries, in words; the row's id, the society's code, the demo flag and
    // the role's code never appear.
    let trail = get_in(&app, "/admin/audit?object_id=lixue%2Eeditor", "zh-CN").await;
    let rows = table_rows(&trail);
    let find = |action: &str| {
        rows.iter()
            .find(|r| r[3] == action)
            .unwrap_or_else(|| panic!("{action} not in {rows:?}"))
            .clone()
    };
    let created = find("新建账户");
    assert_eq!(created[4], "账户 · 力学学会负责人");
    assert_eq!(created[5], "");
    for line in [
        "用户名：lixue.editor",
        "显示名称：力学学会填报人",
        "角色：学会填报人",
        "所属学会：中国力学学会",
        "已停用：否",
        "演示账户：否",
    ] {
        assert!(
            created[6].split(" | ").any(|l| l == line),
            "{line}: {created:?}"
        );
    }
    assert!(!created[6].contains("A-03"), "{created:?}");
    let updated = find("修改账户");
    assert_eq!(updated[5], "显示名称：力学学会填报人 | 角色：学会填报人");
    assert_eq!(
        updated[6],
        "显示名称：力学学会负责人 | 角色：学会负责人（只读）"
    );
    let disabled = find("停用账户");
    assert_eq!(disabled[5], "已停用：否");
    assert_eq!(disabled[6], "已停用：是");
    assert_eq!(find("设置密码")[6], "密码：已更改");
    let revoked_all = rows
        .iter()
        .filter(|r| r[3] == "吊销全部 API 令牌")
        .map(|r| r[6].clone())
        .collect::<Vec<_>>();
    assert!(
        revoked_all.iter().any(|c| c.contains("理由：账户已停用")),
        "{revoked_all:?}"
    );
    assert!(
        revoked_all.iter().any(|c| c.contains("理由：权限已变更")),
        "{revoked_all:?}"
    );
    assert!(
        revoked_all.iter().any(|c| c.contains("理由：密码已更改")),
        "{revoked_all:?}"
    );
    let token_created = find("创建 API 令牌");
    assert!(
        token_created[6].split(" | ").any(|l| l == "名称：导出"),
        "{token_created:?}"
    );
    assert!(
        !token_created[6].contains("令牌："),
        "the token's id is left out"
    );
    // A username that reads like a stored code stays as typed ("reviewer", not "评审专家").
    let reviewer = table_rows(
        &get_in(
            &app,
            "/admin/audit?object_id=reviewer&action=user%2Ecreate",
            "zh-CN",
        )
        .await,
    );
    assert_eq!(reviewer.len(), 1, "{reviewer:?}");
    assert!(
        reviewer[0][6].split(" | ").any(|l| l == "用户名：reviewer"),
        "{reviewer:?}"
    );
    assert!(
        reviewer[0][6].split(" | ").any(|l| l == "角色：评审专家"),
        "{reviewer:?}"
    );
    let en = get_in(&app, "/admin/audit?object_id=lixue%2Eeditor", "en").await;
    let en_rows = table_rows(&en);
    let en_updated = en_rows
        .iter()
        .find(|r| r[3] == "Account changed")
        .unwrap_or_else(|| panic!("{en_rows:?}"));
    assert!(
        en_updated[6].contains("Role: Society head (read-only)"),
        "{en_updated:?}"
    );
}
both!(the_trail_reads_in_words);

/// The trail pages with the shared pager (issue 10): 100 entries a page, "第 2 / N 页（第
/// 101–200 条，共 M 条记录）", the links keep the filters, page 2 starts where page 1 ended.
async fn the_trail_pages_with_the_shared_pager(app: TestApp) {
    app.registry().await;
    let total: i64 = sqlx::query("SELECT COUNT(*) FROM audit_log WHERE object_type = 'society'")
        .fetch_one(&app.db().pool)
        .await
        .unwrap()
        .try_get(0)
        .unwrap();
    // Setup: the registry import wrote one entry per society.
    assert_eq!(total, 209);
    let second: i64 = sqlx::query(
        "SELECT seq FROM audit_log WHERE object_type = 'society' ORDER BY seq DESC LIMIT 1 OFFSET 100",
    )
    .fetch_one(&app.db().pool)
    .await
    .unwrap()
    .try_get(0)
    .unwrap();
    app.user("auditor", Role::Admin, None).await;
    app.login("auditor").await;
    let first = get_in(&app, "/admin/audit?object_type=society", "zh-CN").await;
    assert!(
        first.contains("第 1 / 3 页（第 1–100 条，共 209 条记录）"),
        "{first}"
    );
    assert!(!first.contains("个学会"), "{first}");
    assert_eq!(table_rows(&first).len(), 100);
    // The link keeps the filter (askama writes `&` as `&#38;`).
    let next = "/admin/audit?actor=&#38;action=&#38;object_type=society&#38;object_id=&#38;page=2";
    assert!(first.contains(&format!("href=\"{next}\"")), "{first}");
    let page2 = get_in(&app, &next.replace("&#38;", "&"), "zh-CN").await;
    assert!(
        page2.contains("第 2 / 3 页（第 101–200 条，共 209 条记录）"),
        "{page2}"
    );
    let rows = table_rows(&page2);
    assert_eq!(rows.len(), 100);
    assert_eq!(rows[0][0], second.to_string());
    // The filter is kept as chosen.
    assert!(
        page2.contains("<option value=\"society\" selected>"),
        "{page2}"
    );
    let en = get_in(&app, "/admin/audit?object_type=society&page=3", "en").await;
    assert!(en.contains("Page 3 of 3 (entries 201–209 of 209)"), "{en}");
    assert_eq!(table_rows(&en).len(), 9);
}
both!(the_trail_pages_with_the_shared_pager);

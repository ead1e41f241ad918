//! Issue 13, errors about facts: a facts import with a column the year does not declare names
//! the column and lists the accepted names; a stored value that no longer decodes under the
//! year's declarations is an error naming the row, never silently dropped.

use http::{Method, StatusCode};
use reformwatch::model::Role;
use serde_json::json;

use crate::{TestApp, both};

async fn an_unknown_import_column_is_named(app: TestApp) {
    app.registry().await;
    app.user("fe-admin", Role::Admin, None).await;
    app.login("fe-admin").await;
    let csv = "code,as_of,members_now,网址\nA-01,2017-06-30,5000,https://cms.org.cn\n";
    let r = app
        .multipart(
            "/admin/facts/import?year=2017",
            "file",
            "facts.csv",
            csv.as_bytes(),
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.text());
    let html = r.text();
    assert!(html.contains("无法识别的列：网址。"), "{html}");
    // The accepted names: the code, the date and every fact of 2017 by name and labels.
    assert!(
        html.contains("code / 代码 / 学会代码; as_of / 日期"),
        "{html}"
    );
    assert!(html.contains("members_now / "), "{html}");
    assert!(
        reformwatch::db::facts::all_versions(app.db(), 2017)
            .await
            .unwrap()
            .is_empty(),
        "nothing imported"
    );
    // Negative control: without the extra column the same file imports.
    let csv = "code,as_of,members_now\nA-01,2017-06-30,5000\n";
    let r = app
        .multipart(
            "/admin/facts/import?year=2017",
            "file",
            "facts.csv",
            csv.as_bytes(),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text());
}
both!(an_unknown_import_column_is_named);

async fn a_stored_value_that_no_longer_decodes_names_its_row(app: TestApp) {
    app.registry().await;
    let admin = app.admin_token().await;
    let r = app
        .json(
            Method::PUT,
            "/api/v1/societies/A-01/facts?year=2017",
            &json!({"as_of": "2017-06-30", "values": {"members_now": 5000}}),
            Some(&admin),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text());
    let ok = app
        .get_with_token("/api/v1/societies/A-01/verdicts?year=2017", &admin)
        .await;
    assert_eq!(ok.status, StatusCode::OK);
    // A value of the wrong kind for its declaration (as after a file changed a fact's kind).
    let society_id: i64 = sqlx::query_scalar("SELECT id FROM societies WHERE code = 'A-01'")
        .fetch_one(&app.db().pool)
        .await
        .unwrap();
    sqlx::query(
        "INSERT INTO fact_values (society_id, year, field, value_json, as_of, source, entered_by, entered_at) \
         VALUES ($1, 2017, 'council_new', '\"很多\"', '2017-07-01', 'api', 'x', '2017-07-01T00:00:00Z')",
    )
    .bind(society_id)
    .execute(&app.db().pool)
    .await
    .unwrap();
    let id: i64 = sqlx::query_scalar("SELECT MAX(id) FROM fact_values")
        .fetch_one(&app.db().pool)
        .await
        .unwrap();
    let r = app
        .get_with_token("/api/v1/societies/A-01/verdicts?year=2017", &admin)
        .await;
    assert_eq!(r.status, StatusCode::INTERNAL_SERVER_ERROR, "{}", r.text());
    let e = r.json();
    assert_eq!(e["errors"][0]["code"], "unreadable", "{e}");
    let message = e["errors"][0]["message"].as_str().unwrap();
    assert!(
        message.contains(&format!(
            "学会 A-01 2017 年数据项“新一届理事会”的第 {id} 条记录（2017-07-01）"
        )),
        "{message}"
    );
    // The page says the same; the overview does not drop the society silently either.
    app.user("fe-admin2", Role::Admin, None).await;
    app.login("fe-admin2").await;
    let page = app.get("/societies/A-01?year=2017").await;
    assert_eq!(page.status, StatusCode::INTERNAL_SERVER_ERROR);
    assert!(page.text().contains(&format!("的第 {id} 条记录")));
    assert_eq!(
        app.get("/overview/rules?year=2017").await.status,
        StatusCode::INTERNAL_SERVER_ERROR
    );
    // Not JSON at all: also named by its row.
    sqlx::query(
        "INSERT INTO fact_values (society_id, year, field, value_json, as_of, source, entered_by, entered_at) \
         VALUES ($1, 2017, 'members_now', 'not json', '2017-08-01', 'api', 'x', '2017-08-01T00:00:00Z')",
    )
    .bind(society_id)
    .execute(&app.db().pool)
    .await
    .unwrap();
    let r = app
        .get_with_token("/api/v1/societies/A-01/facts?year=2017", &admin)
        .await;
    assert_eq!(r.status, StatusCode::INTERNAL_SERVER_ERROR, "{}", r.text());
    assert!(
        r.json()["errors"][0]["message"]
            .as_str()
            .unwrap()
            .contains("数据项 members_now 的第"),
        "{}",
        r.text()
    );
}
both!(a_stored_value_that_no_longer_decodes_names_its_row);

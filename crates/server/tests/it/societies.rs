//! R-SOC-1 / R-SOC-3: registry administration and imports (all rows or none).

use http::{Method, StatusCode};
use reformwatch::db::societies;
use reformwatch::model::Role;
use serde_json::json;

use crate::{TestApp, both};

async fn public_list_has_code_name_category(app: TestApp) {
    app.registry().await;
    let list = app.get("/api/v1/societies").await.json();
    let list = list.as_array().unwrap();
    assert_eq!(list.len(), 209);
    let mech = list.iter().find(|s| s["code"] == "A-03").unwrap();
    assert_eq!(mech["name"], "中国力学学会");
    assert_eq!(mech["category"], "理科");
    assert!(
        mech.get("contact_phone").is_none(),
        "contact data is not public"
    );
    let eng = app.get("/api/v1/societies?group=B").await.json();
    assert!(
        eng.as_array()
            .unwrap()
            .iter()
            .all(|s| s["category"] == "工科")
    );
}
both!(public_list_has_code_name_category);

/// Issue 8 ("fixed costs per request"): the public list is built by the database as one JSON
/// value. Exact content, order, escaping and every filter, each with something it must exclude.
async fn public_list_json_is_exact_and_filtered(app: TestApp) {
    let token = app.admin_token().await;
    for (code, name, short, group) in [
        ("B-02", "工程\"引号\"\\学会</script>😀", "引号会", "B"),
        ("A-01", "甲学会", "甲", "A"),
        ("B-01", "乙学会", "Zeta", "B"),
        ("C-01", "丙学会", "丙", "C"),
    ] {
        let r = app
            .json(
                Method::POST,
                "/api/v1/societies",
                &json!({"code": code, "name": name, "short_name": short, "discipline_group": group}),
                Some(&token),
            )
            .await;
        assert_eq!(r.status, StatusCode::CREATED, "{code}: {}", r.text());
    }
    app.user("listadmin", Role::Admin, None).await;
    app.login("listadmin").await;
    let r = app
        .post_form("/societies/C-01/active", &[("active", "false")])
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER);

    let r = app.get("/api/v1/societies").await;
    assert_eq!(r.status, StatusCode::OK);
    assert!(
        r.header("content-type").starts_with("application/json"),
        "{}",
        r.header("content-type")
    );
    // Ordered by code; the deactivated C-01 is not listed; quotes, backslashes, markup and
    // characters outside the BMP survive the database's JSON encoding.
    assert_eq!(
        r.json(),
        json!([
            {"code": "A-01", "name": "甲学会", "name_en": "", "category": "理科"},
            {"code": "B-01", "name": "乙学会", "name_en": "", "category": "工科"},
            {"code": "B-02", "name": "工程\"引号\"\\学会</script>😀", "name_en": "", "category": "工科"},
        ])
    );
    assert_eq!(
        app.get("/api/v1/societies?group=B").await.json(),
        json!([
            {"code": "B-01", "name": "乙学会", "name_en": "", "category": "工科"},
            {"code": "B-02", "name": "工程\"引号\"\\学会</script>😀", "name_en": "", "category": "工科"},
        ])
    );
    // The search looks at the code, the name and the short name, case-insensitively.
    assert_eq!(
        app.get("/api/v1/societies?q=zeta").await.json(),
        json!([{"code": "B-01", "name": "乙学会", "name_en": "", "category": "工科"}])
    );
    assert_eq!(
        app.get("/api/v1/societies?q=a-0").await.json(),
        json!([{"code": "A-01", "name": "甲学会", "name_en": "", "category": "理科"}])
    );
    // Nothing matches: an empty array, not null.
    let r = app.get("/api/v1/societies?q=nothing-like-this").await;
    assert_eq!(r.status, StatusCode::OK);
    assert_eq!(r.json(), json!([]));
    assert_eq!(
        app.get("/api/v1/societies?q=丙").await.json(),
        json!([]),
        "a deactivated society stays out of a search that matches it"
    );
}
both!(public_list_json_is_exact_and_filtered);

async fn api_errors_name_the_field(app: TestApp) {
    let token = app.admin_token().await;
    let r = app
        .json(
            Method::POST,
            "/api/v1/societies",
            &json!({"code": "A-01", "name": "x", "colour": "red"}),
            Some(&token),
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    let e = &r.json()["errors"][0];
    assert_eq!(e["field"], "colour");
    assert_eq!(e["code"], "json-unknown-field");
    let r = app
        .json(
            Method::POST,
            "/api/v1/societies",
            &json!({"code": "bad", "name": ""}),
            Some(&token),
        )
        .await;
    let fields: Vec<String> = r.json()["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["field"].as_str().unwrap().to_string())
        .collect();
    assert_eq!(fields, vec!["code", "name"]);
    let r = app
        .request(
            Method::POST,
            "/api/v1/societies",
            Some("application/json"),
            b"{not json".to_vec(),
            &[("authorization", &format!("Bearer {token}"))],
        )
        .await;
    assert_eq!(r.json()["errors"][0]["code"], "json-syntax");
}
both!(api_errors_name_the_field);

async fn csv_import_is_all_or_nothing(app: TestApp) {
    app.user("imp", Role::Admin, None).await;
    app.login("imp").await;
    let bad = "代码,名称,学科\nA-01,中国数学会,理科\nA-02,,理科\nQ-9,某学会,理科\n";
    let r = app
        .multipart("/societies/import", "file", "societies.csv", bad.as_bytes())
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    let html = r.text();
    assert!(html.contains("id=\"import-errors\""));
    assert!(html.contains("<td>3</td><td>名称</td>"), "{html}");
    assert!(html.contains("<td>4</td><td>代码</td>"));
    assert!(
        societies::list(app.db(), &Default::default())
            .await
            .unwrap()
            .is_empty(),
        "nothing may be imported"
    );
    // GBK as Chinese Excel saves it.
    let (gbk, _, _) = encoding_rs::GBK.encode("代码,名称,学科,挂靠单位\nA-01,中国数学会,理科,北京大学\nA-03,中国力学学会,理科,中国科学院力学研究所\n");
    let r = app
        .multipart("/societies/import", "file", "societies.csv", &gbk)
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text());
    assert!(r.text().contains("新增 2 个"));
    let mech = societies::by_code(app.db(), "A-03").await.unwrap().unwrap();
    assert_eq!(mech.supporting_unit, "中国科学院力学研究所");
    // Re-import with a change updates only that row.
    let again = "\u{feff}code,name,category,supporting_unit\nA-01,中国数学会,理科,北京大学\nA-03,中国力学学会,理科,力学所\n";
    let r = app
        .multipart("/societies/import", "file", "s.csv", again.as_bytes())
        .await;
    assert!(r.text().contains("更新 1 个"), "{}", r.text());
}
both!(csv_import_is_all_or_nothing);

async fn xlsx_import(app: TestApp) {
    app.user("ximp", Role::Admin, None).await;
    app.login("ximp").await;
    let mut wb = rust_xlsxwriter::Workbook::new();
    let ws = wb.add_worksheet();
    for (c, h) in ["学会代码", "学会名称", "学科群", "联系电话"]
        .iter()
        .enumerate()
    {
        ws.write_string(0, c as u16, *h).unwrap();
    }
    ws.write_string(1, 0, "D-01").unwrap();
    ws.write_string(1, 1, "中华医学会").unwrap();
    ws.write_string(1, 2, "医科").unwrap();
    ws.write_number(1, 3, 10_652_345_678.0).unwrap();
    let bytes = wb.save_to_buffer().unwrap();
    let r = app
        .multipart("/societies/import", "file", "s.xlsx", &bytes)
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text());
    let s = societies::by_code(app.db(), "D-01").await.unwrap().unwrap();
    assert_eq!(s.contact_phone, "10652345678");
    // Not a spreadsheet: a clear message, nothing stored.
    let r = app
        .multipart(
            "/societies/import",
            "file",
            "s.xlsx",
            b"%PDF-1.4 not really",
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.text().contains("id=\"import-error\""));
}
both!(xlsx_import);

async fn deactivating_keeps_the_record(app: TestApp) {
    app.registry().await;
    app.user("deact", Role::Admin, None).await;
    app.login("deact").await;
    let r = app
        .post_form("/societies/E-43W/active", &[("active", "false")])
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER);
    let public = app.get("/api/v1/societies").await.json();
    assert_eq!(public.as_array().unwrap().len(), 208);
    assert!(
        app.get("/societies?include_inactive=true")
            .await
            .text()
            .contains("E-43W")
    );
    let r = app
        .post_form(
            "/societies/E-43W/election",
            &[("year", "2017"), ("election_year", "true")],
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER);
    let s = societies::by_code(app.db(), "E-43W")
        .await
        .unwrap()
        .unwrap();
    assert_eq!(
        societies::election_flag(app.db(), s.id, 2017)
            .await
            .unwrap(),
        Some(true)
    );
    let r = app
        .post_form(
            "/societies/E-43W/election",
            &[("year", "17"), ("election_year", "true")],
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
}
both!(deactivating_keeps_the_record);

/// Issue 8: a header the import does not know is an error naming it and listing the accepted
/// names (its values are not silently dropped); `学科类别` is the discipline group.
async fn import_headers_are_known_or_refused(app: TestApp) {
    app.user("imp", Role::Admin, None).await;
    app.login("imp").await;
    let unknown = "代码,名称,学科门类\nA-01,中国数学会,理科\n";
    let r = app
        .multipart("/societies/import", "file", "s.csv", unknown.as_bytes())
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.text());
    let html = r.text();
    assert!(html.contains("无法识别的列：学科门类"), "{html}");
    assert!(
        html.contains("discipline_group / category / group / 学科 / 学科群 / 学科类别"),
        "{html}"
    );
    assert!(
        societies::list(app.db(), &Default::default())
            .await
            .unwrap()
            .is_empty(),
        "nothing may be imported"
    );
    // The same file with 学科类别: imported, the group read from it; a bad value in it is an
    // error at its row and column, not lost.
    let known = "代码,名称,学科类别\nA-01,中国数学会,理科\nE-01,某交叉学会,交叉\n";
    let r = app
        .multipart("/societies/import", "file", "s.csv", known.as_bytes())
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text());
    assert!(r.text().contains("新增 2 个"), "{}", r.text());
    let e01 = societies::by_code(app.db(), "E-01").await.unwrap().unwrap();
    assert_eq!(e01.discipline_group, "E");
    let bad = "代码,名称,学科类别\nA-02,中国物理学会,文科\n";
    let r = app
        .multipart("/societies/import", "file", "s.csv", bad.as_bytes())
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        r.text().contains("<td>2</td><td>学科类别</td>"),
        "{}",
        r.text()
    );
}
both!(import_headers_are_known_or_refused);

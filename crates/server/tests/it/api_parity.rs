//! Issue 10, "every operation a page can do is in the JSON API too": the election flag, month
//! locks and exceptions, the society import and the plan version diff, each audited like its
//! page, refused with the error envelope, and documented in /api/openapi.json.

use http::{Method, StatusCode};
use reformwatch::model::Role;
use serde_json::{Value, json};

use crate::{TestApp, both};

fn bearer(t: &str) -> String {
    format!("Bearer {t}")
}

async fn audited(app: &TestApp, admin: &str, action: &str) -> usize {
    let r = app
        .get_with_token(&format!("/api/v1/audit?action={action}"), admin)
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text());
    r.json().as_array().unwrap().len()
}

async fn import(app: &TestApp, token: &str, content_type: &str, body: &str) -> crate::Resp {
    app.request(
        Method::POST,
        "/api/v1/societies/import",
        Some(content_type),
        body.as_bytes().to_vec(),
        &[("authorization", &bearer(token))],
    )
    .await
}

async fn operations_pages_have_are_in_the_api_too(app: TestApp) {
    crate::form_errors::submitted_plan(&app).await;
    let admin = app.admin_token().await;
    let editor = app.token_for("fe-editor").await;
    let reviewer = app.token_for("fe-reviewer").await;

    // The election flag: administrators only; a missing field is 422 at that field.
    let path = "/api/v1/societies/A-01/election";
    let body = json!({"year": 2017, "election_year": true});
    let r = app.json(Method::PUT, path, &body, Some(&editor)).await;
    assert_eq!(r.status, StatusCode::FORBIDDEN, "{}", r.text());
    assert_eq!(audited(&app, &admin, "society.election_year").await, 0);
    let r = app.json(Method::PUT, path, &body, Some(&admin)).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text());
    assert_eq!(r.json()["code"], "A-01");
    assert_eq!(audited(&app, &admin, "society.election_year").await, 1);
    let r = app
        .json(Method::PUT, path, &json!({"year": 2017}), Some(&admin))
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(
        r.json()["errors"][0]["field"],
        "election_year",
        "{}",
        r.text()
    );

    // Month locks and exceptions.
    let r = app
        .json(
            Method::PUT,
            "/api/v1/months/2017/6",
            &json!({"locked": true}),
            Some(&admin),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text());
    assert_eq!(r.json(), json!({"year": 2017, "month": 6, "locked": true}));
    assert_eq!(audited(&app, &admin, "month.lock").await, 1);
    let r = app
        .json(
            Method::POST,
            "/api/v1/months/2017/6/exceptions",
            &json!({"society": "ZZ-99"}),
            Some(&admin),
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.text());
    assert_eq!(r.json()["errors"][0]["field"], "society");
    let r = app
        .json(
            Method::POST,
            "/api/v1/months/2017/6/exceptions",
            &json!({"society": "A-03"}),
            Some(&admin),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text());
    assert_eq!(audited(&app, &admin, "month.exception").await, 1);
    let r = app
        .json(
            Method::PUT,
            "/api/v1/months/2017/6",
            &json!({"locked": false}),
            Some(&admin),
        )
        .await;
    assert_eq!(r.json()["locked"], false, "{}", r.text());
    let r = app
        .json(
            Method::PUT,
            "/api/v1/months/2017/13",
            &json!({"locked": true}),
            Some(&admin),
        )
        .await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);
    let r = app
        .json(
            Method::PUT,
            "/api/v1/months/2017/6",
            &json!({"locked": true}),
            Some(&reviewer),
        )
        .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);

    // The society import: a CSV body; refused rows name the row and the file's own header.
    let r = import(
        &app,
        &admin,
        "text/csv",
        "代码,名称,学科\nE-99,测试新学会,交叉\n",
    )
    .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text());
    assert_eq!(
        r.json(),
        json!({"created": 1, "updated": 0, "unchanged": 0})
    );
    let r = import(&app, &admin, "text/csv", "代码,名称\nE-98,\n").await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.text());
    assert_eq!(
        r.json()["errors"][0]["field"],
        "row 2 · 名称",
        "{}",
        r.text()
    );
    let r = import(&app, &admin, "application/json", "{}").await;
    assert_eq!(r.status, StatusCode::UNSUPPORTED_MEDIA_TYPE, "{}", r.text());
    assert_eq!(r.json()["errors"][0]["code"], "unsupported_media");

    // The version diff: v1 returned, the target changed, v2 submitted.
    let base = "/api/v1/societies/A-03/plans/2017";
    let r = app
        .json(
            Method::POST,
            &format!("{base}/review"),
            &json!({"decision": "return", "comment": "目标再高些"}),
            Some(&reviewer),
        )
        .await;
    assert!(r.status.is_success(), "{}", r.text());
    let mut draft: Value = app.get_with_token(base, &editor).await.json()["plan"]["draft"].clone();
    draft["tasks"][0]["targets"][0]["target"] = json!(3);
    let r = app
        .json(Method::PUT, &format!("{base}/draft"), &draft, Some(&editor))
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text());
    let r = app
        .request(
            Method::POST,
            &format!("{base}/submit"),
            None,
            vec![],
            &[("authorization", &bearer(&editor))],
        )
        .await;
    assert!(r.status.is_success(), "{}", r.text());
    let r = app.get_with_token(&format!("{base}/diff"), &editor).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text());
    let v = r.json();
    assert_eq!((v["a"].clone(), v["b"].clone()), (json!(1), json!(2)));
    let changed: Vec<&Value> = v["changes"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|c| c["change"] == "changed")
        .collect();
    assert_eq!(changed.len(), 1, "{v}");
    assert_eq!(changed[0]["task"], 1);
    assert_eq!(
        changed[0]["details"],
        json!([{"field": "targets[0].target", "label": "目标 1 · 目标值", "before": "2", "after": "3"}])
    );
    // Another society's editor cannot see it (404, as the page).
    app.user("fe-other", Role::SocietyEditor, Some("A-01"))
        .await;
    let other = app.token_for("fe-other").await;
    let r = app.get_with_token(&format!("{base}/diff"), &other).await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);

    // Each is documented with its error statuses.
    let doc = app.get("/api/openapi.json").await.json();
    for (path, method, statuses) in [
        (
            "/api/v1/societies/{code}/election",
            "put",
            &["200", "404", "422"][..],
        ),
        (
            "/api/v1/months/{year}/{month}",
            "put",
            &["200", "404", "422"],
        ),
        (
            "/api/v1/months/{year}/{month}/exceptions",
            "post",
            &["200", "404", "422"],
        ),
        (
            "/api/v1/societies/import",
            "post",
            &["200", "413", "415", "422"],
        ),
        (
            "/api/v1/societies/{code}/plans/{year}/diff",
            "get",
            &["200", "404", "422"],
        ),
    ] {
        let op = &doc["paths"][path][method];
        assert!(
            op.is_object(),
            "{method} {path} not in the OpenAPI document"
        );
        for s in statuses {
            assert!(
                op["responses"][*s].is_object(),
                "{method} {path}: {s} undocumented"
            );
        }
    }
}
both!(operations_pages_have_are_in_the_api_too);

//! Issue 13: the catalogue page shows what the file says, as `reformwatch catalogue check`
//! prints it (tasks per class, facts, rules per kind, the deadline in Beijing time and UTC)
//! and every rule declaration in words, in Chinese and English, without raw ids.

use http::{Method, StatusCode};

use crate::{TestApp, both};

const EXAMPLE_2031: &str = include_str!("../../../../tests/fixtures/catalogue-2031-example.toml");

fn section(html: &str) -> &str {
    let at = html
        .find("id=\"catalogue-summary\"")
        .expect("summary section");
    let end = html[at..].find("</section>").unwrap();
    &html[at..at + end]
}

fn items<'a>(html: &'a str, id: &str) -> Vec<&'a str> {
    let at = html.find(&format!("id=\"{id}\"")).unwrap();
    let end = at
        + html[at..]
            .find("</ul>")
            .or_else(|| html[at..].find("</ol>"))
            .unwrap();
    html[at..end]
        .split("<li>")
        .skip(1)
        .map(|li| li.split("</li>").next().unwrap().trim())
        .collect()
}

async fn the_catalogue_page_says_what_the_file_says(app: TestApp) {
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
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.text());
    let page = app.get("/catalogues/2031").await;
    assert_eq!(page.status, StatusCode::OK);
    let html = page.text();
    let s = section(&html);
    // The same lines as the CLI's summary (tests/it/catalogue.rs).
    let classes = items(s, "summary-classes");
    assert_eq!(classes[0], "基本任务：2 项（1–2），每个学会必做");
    assert_eq!(
        classes[2],
        "创新服务自选任务：2 项（5–6），自选，每个学会至少选 1 项"
    );
    assert!(
        // Beijing time only (issue 10: no UTC beside it on a page).
        s.contains("id=\"summary-deadline\">2031-03-31 23:59（北京时间）<") && !s.contains("UTC"),
        "{s}"
    );
    let kinds = items(s, "summary-kinds");
    assert!(kinds.contains(&"比例不低于：2 条"), "{kinds:?}");
    assert!(kinds.contains(&"定性要求（评审判断）：2 条"), "{kinds:?}");
    let total: usize = kinds
        .iter()
        .map(|k| {
            let n = k.rsplit('：').next().unwrap().trim_end_matches(" 条");
            n.parse::<usize>().unwrap()
        })
        .sum();
    assert_eq!(total, 9, "{kinds:?}");
    // Facts by label with kind, unit and relation in words.
    assert!(
        s.contains(
            "<tr><td>理事会中40岁以下成员</td><td>整数</td><td>人</td><td>不多于新一届理事会<"
        ),
        "{s}"
    );
    // Every rule in words, judged ones labelled; no raw ids anywhere in the summary.
    let rules = items(s, "summary-rules");
    assert_eq!(rules.len(), 9);
    assert_eq!(
        rules.iter().filter(|r| r.contains("judged-badge")).count(),
        2
    );
    for raw in [
        "young-fifth",
        "cpc-share",
        "ratio_at_least",
        "young_council_members",
        "council_size",
        "judged\"",
    ] {
        assert!(
            !s.replace("class=\"judged-badge\"", "").contains(raw),
            "{raw} in {s}"
        );
    }
    // English.
    app.post_form("/lang", &[("lang", "en"), ("next", "/catalogues/2031")])
        .await;
    let html = app.get("/catalogues/2031").await.text();
    let s = section(&html);
    assert!(
        s.contains("2031-03-31 23:59 (Beijing time)") && !s.contains("UTC"),
        "{s}"
    );
    assert!(items(s, "summary-kinds").contains(&"ratio at least: 2"));
    assert!(s.contains("<td>Council members under 40</td>"), "{s}");
}
both!(the_catalogue_page_says_what_the_file_says);

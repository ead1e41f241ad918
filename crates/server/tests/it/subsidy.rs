//! R-ASSESS-2: `reformwatch subsidy allocate` through the built binary — exact shares from a
//! JSON request on stdin or in a file; bad input exits 2 naming the field in both languages.

use serde_json::Value;

fn run(args: &[&str], stdin: &str) -> (i32, String, String) {
    use std::io::Write;
    let mut child = std::process::Command::new(env!("CARGO_BIN_EXE_reformwatch"))
        .args(args)
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .env("RUST_LOG", "off")
        .env_remove("REFORMWATCH_CONFIG")
        .spawn()
        .unwrap();
    child
        .stdin
        .take()
        .unwrap()
        .write_all(stdin.as_bytes())
        .unwrap();
    let out = child.wait_with_output().unwrap();
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).to_string(),
        String::from_utf8_lossy(&out.stderr).to_string(),
    )
}

/// The worked example of docs/ASSESSMENT.md (computed by hand there): caps twice, a floor,
/// then the remaining 280,000 yuan in proportion, one yuan left over by largest remainder.
const POOL: &str = r#"{"mode":"pool","budget":1000000,"floor":120000,"cap":200000,
 "societies":[{"code":"A-01","score":"98.5"},{"code":"B-02","score":"95"},
 {"code":"A-03","score":"91.25"},{"code":"C-04","score":"88"},
 {"code":"D-05","score":"66.5"},{"code":"E-06","score":"25"}]}"#;

#[test]
fn pool_from_stdin() {
    let (code, out, err) = run(&["subsidy", "allocate", "-"], POOL);
    assert_eq!(code, 0, "{err}");
    let v: Value = serde_json::from_str(&out).unwrap();
    let shares: Vec<(&str, u64)> = v["shares"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| (s["code"].as_str().unwrap(), s["yuan"].as_u64().unwrap()))
        .collect();
    assert_eq!(
        shares,
        [
            ("A-01", 200_000),
            ("B-02", 200_000),
            ("A-03", 200_000),
            ("C-04", 159_482),
            ("D-05", 120_518),
            ("E-06", 120_000),
        ]
    );
    assert_eq!(v["unspent"], 0);
    // The documented shape and nothing else: {"shares":[{"code","yuan"}],"unspent"}.
    let keys: Vec<&String> = v.as_object().unwrap().keys().collect();
    assert_eq!(keys, ["shares", "unspent"]);
    for s in v["shares"].as_array().unwrap() {
        let keys: Vec<&String> = s.as_object().unwrap().keys().collect();
        assert_eq!(keys, ["code", "yuan"]);
    }
}

#[test]
fn explain_shows_the_basis_of_each_share() {
    let (code, out, err) = run(&["subsidy", "allocate", "--explain", "-"], POOL);
    assert_eq!(code, 0, "{err}");
    let v: Value = serde_json::from_str(&out).unwrap();
    assert_eq!(v["shares"][0]["basis"], "cap");
    assert_eq!(v["shares"][5]["basis"], "floor");
    assert_eq!(v["shares"][4]["extra_yuan"], true);
    assert_eq!(v["shares"][3]["yuan"], 159_482);
}

#[test]
fn scores_may_be_json_numbers_with_two_places() {
    let as_numbers = POOL
        .replace(r#""score":""#, r#""score":"#)
        .replace(r#""}"#, "}");
    assert!(as_numbers.contains(r#""score":98.5}"#), "{as_numbers}");
    let (code, out, err) = run(&["subsidy", "allocate", "-"], &as_numbers);
    assert_eq!(code, 0, "{err}");
    let (_, expected, _) = run(&["subsidy", "allocate", "-"], POOL);
    assert_eq!(out, expected);
}

#[test]
fn tiers_from_a_file_say_how_ties_were_settled() {
    let path = std::env::temp_dir().join(format!("rw-subsidy-{}.json", std::process::id()));
    std::fs::write(
        &path,
        r#"{"mode":"tiers","tiers":[{"count":2,"amount":1000},{"count":3,"amount":500}],
            "budget":5000,
            "societies":[{"code":"A-01","score":"90"},{"code":"A-02","score":"85"},
            {"code":"B-03","score":"85"},{"code":"C-04","score":"80"},
            {"code":"D-05","score":"75"},{"code":"E-06","score":"70"}]}"#,
    )
    .unwrap();
    let (code, out, err) = run(&["subsidy", "allocate", path.to_str().unwrap()], "");
    assert_eq!(code, 0, "{err}");
    let v: Value = serde_json::from_str(&out).unwrap();
    let yuan: Vec<u64> = v["shares"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["yuan"].as_u64().unwrap())
        .collect();
    // The tie at rank 2 straddles tier 1's two places: both take tier 1 (default rule).
    assert_eq!(yuan, [1000, 1000, 1000, 500, 500, 0]);
    assert_eq!(v["unspent"], 1000);
    let (code, out, err) = run(
        &["subsidy", "allocate", "--explain", path.to_str().unwrap()],
        "",
    );
    assert_eq!(code, 0, "{err}");
    std::fs::remove_file(&path).unwrap();
    let v: Value = serde_json::from_str(&out).unwrap();
    let notes = v["notes"].as_array().unwrap();
    assert!(
        notes
            .iter()
            .any(|n| n["en"].as_str().unwrap().contains("all take tier 1")),
        "{out}"
    );
}

#[test]
fn bad_input_exits_2_naming_the_field() {
    let cases: &[(&str, &str, &str)] = &[
        (
            r#"{"mode":"pool","budget":100,"societies":[{"code":"A-01","score":87.125}]}"#,
            "societies[0].score",
            "more than two decimal places",
        ),
        (
            r#"{"mode":"pool","budget":100,"societies":[{"code":"A-01","score":true}]}"#,
            "societies[0].score",
            "a string",
        ),
        (
            r#"{"mode":"pool","budget":100,"societies":[{"code":"A-01","score":"87.125"}]}"#,
            "societies[0].score",
            "more than two decimal places",
        ),
        (
            r#"{"mode":"pool","budget":100,"flor":5,"societies":[]}"#,
            "flor",
            "unknown field",
        ),
        (
            r#"{"mode":"pool","budget":100,"floor":40,"societies":[{"code":"A-01","score":"1"},{"code":"A-02","score":"2"},{"code":"A-03","score":"3"}]}"#,
            "floor",
            "the floors make the budget impossible",
        ),
        ("not json", "(input)", "not valid JSON"),
    ];
    for (input, field, words) in cases {
        let (code, out, err) = run(&["subsidy", "allocate", "-"], input);
        assert_eq!(code, 2, "{input}: {err}");
        assert!(out.is_empty(), "{input}: {out}");
        assert!(
            err.contains(&format!("error: {field}: ")) && err.contains(words),
            "{input}: {err}"
        );
        assert!(err.contains(&format!("错误：{field}：")), "{input}: {err}");
    }
    let (code, _, err) = run(&["subsidy", "allocate", "/nonexistent/request.json"], "");
    assert_eq!(code, 2);
    assert!(err.contains("/nonexistent/request.json"), "{err}");
}

//! Canonical JSON, the hash chain and the check of a downloaded file (R-PUB-2).

use proptest::prelude::*;
use serde_json::{Value, json};

use super::*;

fn text(bytes: &[u8]) -> &str {
    std::str::from_utf8(bytes).unwrap()
}

#[test]
fn canonical_json_sorts_keys_and_escapes_minimally() {
    let v = json!({
        "b": 1,
        "a": [true, null, "x\"\\/\u{1}\u{1f}\u{7f}\n\t\r\u{8}\u{c}中\u{2028}"],
        "A": -5,
        "c": {"z": {}, "y": []},
    });
    let want = "{\"A\":-5,\"a\":[true,null,\"x\\\"\\\\/\\u0001\\u001f\u{7f}\\n\\t\\r\\b\\f中\u{2028}\"],\"b\":1,\"c\":{\"y\":[],\"z\":{}}}";
    assert_eq!(text(&canonical_json(&v).unwrap()), want);
}

#[test]
fn canonical_json_orders_keys_by_utf16_code_units() {
    // RFC 8785: U+10000 (UTF-16 D800 DC00) sorts before U+E000, although its UTF-8 bytes
    // (F0 …) sort after (EE …).
    let v = json!({"\u{e000}": 1, "\u{10000}": 2, "z": 3});
    assert_eq!(
        text(&canonical_json(&v).unwrap()),
        "{\"z\":3,\"\u{10000}\":2,\"\u{e000}\":1}"
    );
}

#[test]
fn canonical_json_refuses_floats_and_huge_integers() {
    assert_eq!(
        canonical_json(&json!({"x": [1, 1.5]})),
        Err(CanonicalError::Float {
            path: "$.x[1]".to_owned()
        })
    );
    assert_eq!(
        text(
            &canonical_json(&json!([
                9_007_199_254_740_991_i64,
                -9_007_199_254_740_991_i64
            ]))
            .unwrap()
        ),
        "[9007199254740991,-9007199254740991]"
    );
    assert_eq!(
        canonical_json(&json!({"n": 9_007_199_254_740_992_i64})),
        Err(CanonicalError::IntegerRange {
            path: "$.n".to_owned(),
            value: "9007199254740992".to_owned()
        })
    );
    assert!(matches!(
        canonical_json(&json!(u64::MAX)),
        Err(CanonicalError::IntegerRange { .. })
    ));
}

#[test]
fn digest_is_sha256_hex() {
    // FIPS 180-2 test vector.
    assert_eq!(
        digest(b"abc"),
        "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
    );
    assert_eq!(
        digest(b""),
        "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
    );
}

#[test]
fn golden_file_is_stable() {
    // The hand-written golden bulletin reads, writes back to exactly the same bytes, and
    // hashes to what sha256sum printed for it.
    let b = parse(GOLDEN).unwrap();
    assert_eq!(b.number, 2);
    assert_eq!(b.year, 2017);
    assert_eq!(b.month, 7);
    assert_eq!(b.published_at.to_string(), "2017-08-07T02:00:00Z");
    assert_eq!(b.published_at.get(), bj(2017, 8, 7, 10, 0, 0));
    assert_eq!(
        b.prev_sha256.as_ref().map(Sha256Hex::as_str),
        Some("0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef")
    );
    assert_eq!(b.audit_head.as_ref().unwrap().seq, 42);
    assert_eq!(b.corrects, vec![1]);
    assert_eq!(
        b.correction_note_en.as_deref(),
        Some("No. 1 counted the \"June\" report of A-01 as missing.\nIt arrived on time.")
    );
    assert_eq!(b.societies.len(), 1);
    assert_eq!(b.societies[0].colour, Colour::Red);
    assert_eq!(b.societies[0].reports.received_rate.permille, Some(500));
    assert_eq!(b.lagging[0].appearance_zh, "第2次");
    assert_eq!(canonical_bytes(&b).unwrap(), GOLDEN);
    assert_eq!(digest(GOLDEN), GOLDEN_SHA256);
    assert_eq!(digest(&canonical_bytes(&b).unwrap()), GOLDEN_SHA256);
}

#[test]
fn golden_file_verifies() {
    let r = verify_file(GOLDEN, Some(GOLDEN_SHA256));
    assert!(r.is_ok(), "{:?}", r.problems);
    assert!(r.canonical);
    assert_eq!(r.sha256, GOLDEN_SHA256);
    assert_eq!(
        r.bulletin,
        Some(FileBulletin {
            number: 2,
            year: 2017,
            month: 7,
            published_at: "2017-08-07T02:00:00Z".to_owned(),
            prev_sha256: Some(
                "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef".to_owned()
            ),
        })
    );
    // The expected hash may be given in capitals, with spaces around (pasted).
    let upper = format!("  {}\n", GOLDEN_SHA256.to_uppercase());
    assert!(verify_file(GOLDEN, Some(&upper)).is_ok());
    // Without an expected hash: canonical and consistent.
    assert!(verify_file(GOLDEN, None).is_ok());
}

#[test]
fn one_changed_byte_fails_verify_file() {
    // Every single-byte change at every offset fails against the published hash.
    for i in 0..GOLDEN.len() {
        let mut bytes = GOLDEN.to_vec();
        bytes[i] = if bytes[i] == b'0' { b'1' } else { b'0' };
        let r = verify_file(&bytes, Some(GOLDEN_SHA256));
        assert!(!r.is_ok(), "offset {i}");
        assert!(
            r.problems.contains(&FileProblem::HashMismatch {
                expected: GOLDEN_SHA256.to_owned()
            }),
            "offset {i}: {:?}",
            r.problems
        );
        assert_ne!(r.sha256, GOLDEN_SHA256);
    }
}

/// The golden file with `from` (once) replaced by `to`.
fn golden_with(from: &str, to: &str) -> Vec<u8> {
    let s = text(GOLDEN);
    assert_eq!(s.matches(from).count(), 1, "{from}");
    s.replacen(from, to, 1).into_bytes()
}

#[test]
fn changes_seen_without_the_hash() {
    // A count changed: the totals no longer add up.
    let r = verify_file(
        &golden_with(
            "\"expected\":2,\"on_time\":0,\"on_time_rate\":{\"permille\":0,\"text\":\"0%\"},\"received\":1,\"received_rate\":{\"permille\":500,\"text\":\"50%\"}},\"targets\":{\"due\":1,\"met\":0,\"overdue\":1,\"total\":2},\"tasks\"",
            "\"expected\":2,\"on_time\":0,\"on_time_rate\":{\"permille\":0,\"text\":\"0%\"},\"received\":2,\"received_rate\":{\"permille\":500,\"text\":\"50%\"}},\"targets\":{\"due\":1,\"met\":0,\"overdue\":1,\"total\":2},\"tasks\"",
        ),
        None,
    );
    assert!(r.canonical);
    assert_eq!(
        r.problems,
        vec![FileProblem::Inconsistent {
            message: "society A-01: rates are not rounded from its counts".to_owned()
        }]
    );
    // Whitespace added: still the same meaning, but not the published bytes.
    let mut spaced = GOLDEN.to_vec();
    spaced.push(b'\n');
    let r = verify_file(&spaced, None);
    assert!(!r.canonical);
    assert_eq!(
        r.problems,
        vec![FileProblem::NotCanonical {
            offset: GOLDEN.len()
        }]
    );
    let r = verify_file(&golden_with("{\"audit_head\":", "{ \"audit_head\":"), None);
    assert_eq!(r.problems, vec![FileProblem::NotCanonical { offset: 1 }]);
    // A member removed: not a bulletin.
    let r = verify_file(
        &golden_with("\"seq\":42,\"sha256\":\"fedc", "\"sha256\":\"fedc"),
        None,
    );
    assert!(
        matches!(r.problems[0], FileProblem::Unreadable { .. }),
        "{:?}",
        r.problems
    );
    // A float where an integer belongs.
    let r = verify_file(&golden_with("\"seq\":42", "\"seq\":42.0"), None);
    assert!(matches!(r.problems[..], [FileProblem::Unreadable { .. }]));
    assert!(r.bulletin.is_none());
    // An unknown member.
    let r = verify_file(
        &golden_with("\"year\":2017}", "\"year\":2017,\"x\":1}"),
        None,
    );
    assert!(
        matches!(&r.problems[..], [FileProblem::Unreadable { message }] if message.contains("unknown field `x`"))
    );
    // Truncated.
    let r = verify_file(&GOLDEN[..GOLDEN.len() - 1], None);
    assert!(matches!(r.problems[..], [FileProblem::Unreadable { .. }]));
    // A lagging society moved off the list: the rule no longer matches the list.
    let r = verify_file(
        &golden_with(
            "\"lagging\":1,\"name_en\":\"All societies\"",
            "\"lagging\":0,\"name_en\":\"All societies\"",
        ),
        None,
    );
    assert!(
        matches!(&r.problems[..], [FileProblem::Inconsistent { message }] if message.contains("overall")),
        "{:?}",
        r.problems
    );
    // The expected hash is malformed.
    let r = verify_file(GOLDEN, Some("085a64"));
    assert_eq!(
        r.problems,
        vec![FileProblem::BadExpected {
            given: "085a64".to_owned()
        }]
    );
    // A renamed society is canonical and consistent: only the hash shows it.
    let renamed = text(GOLDEN)
        .replace("中国数学会", "中国数字会")
        .into_bytes();
    assert!(verify_file(&renamed, None).is_ok());
    assert!(!verify_file(&renamed, Some(GOLDEN_SHA256)).is_ok());
}

#[test]
fn only_arithmetic_is_checked_not_wording() {
    // A later release may word a label differently; bulletins published before must still
    // verify. A changed word is caught by the hash alone.
    let reworded = golden_with("\"label_zh\":\"编制中\"", "\"label_zh\":\"草拟中\"");
    assert!(verify_file(&reworded, None).is_ok());
    assert!(!verify_file(&reworded, Some(GOLDEN_SHA256)).is_ok());
    // A changed rank is arithmetic: caught without the hash.
    let r = verify_file(
        &golden_with(
            "\"peer_group\":\"A\",\"peer_rank\":1,\"plan_status\"",
            "\"peer_group\":\"A\",\"peer_rank\":2,\"plan_status\"",
        ),
        None,
    );
    assert_eq!(
        r.problems,
        vec![FileProblem::Inconsistent {
            message: "society A-01: peer rank is not its rank in its peer group".to_owned()
        }]
    );
}

#[test]
fn keys_out_of_order_are_not_canonical() {
    // Same members, reordered: readable, but not the canonical bytes.
    let reordered = golden_with(
        "\"seq\":42,\"sha256\":\"fedcba9876543210fedcba9876543210fedcba9876543210fedcba9876543210\"",
        "\"sha256\":\"fedcba9876543210fedcba9876543210fedcba9876543210fedcba9876543210\",\"seq\":42",
    );
    let r = verify_file(&reordered, None);
    assert_eq!(r.problems, vec![FileProblem::NotCanonical { offset: 17 }]);
    assert!(!r.canonical);
}

#[test]
fn utc_second_is_strict() {
    assert!(UtcSecond::parse("2017-08-07T02:00:00Z").is_some());
    for bad in [
        "2017-08-07T02:00:00+00:00",
        "2017-08-07T02:00:00.5Z",
        "2017-08-07 02:00:00Z",
        "2017-8-07T02:00:00Z",
        "2017-02-30T02:00:00Z",
        "2017-08-07T24:00:00Z",
        "2017-08-07T02:00:00z",
        "12017-08-07T02:00:00Z",
    ] {
        assert!(UtcSecond::parse(bad).is_none(), "{bad}");
    }
    // Sub-seconds are dropped.
    let at = bj(2017, 8, 7, 10, 0, 0) + chrono::Duration::milliseconds(999);
    assert_eq!(UtcSecond::new(at).to_string(), "2017-08-07T02:00:00Z");
    assert!(Sha256Hex::parse(&"a".repeat(64)).is_some());
    assert!(Sha256Hex::parse(&"A".repeat(64)).is_none());
    assert!(Sha256Hex::parse(&"a".repeat(63)).is_none());
    assert!(Sha256Hex::parse(&"g".repeat(64)).is_none());
}

// ----- the chain -------------------------------------------------------------------------------

/// Three bulletins: June, July, August 2017.
fn three() -> (Catalogue, Vec<StoredBulletin>) {
    let c = cat();
    let mut chain = Vec::new();
    for (m, day) in [(6, 6), (7, 6), (8, 6)] {
        let i = input(
            m,
            bj(2017, m + 1, day, 10, 0, 0),
            vec![
                soc("A-01", "A", Colour::Red, cell(1, 0, 0)),
                soc("A-02", "A", Colour::Green, cell(1, 1, 1)),
            ],
        );
        publish(&c, &mut chain, &i);
    }
    (c, chain)
}

#[test]
fn chain_links_each_bulletin_to_the_previous_hash() {
    let (_, chain) = three();
    assert_eq!(verify_chain(&chain), Ok(()));
    let bs: Vec<Bulletin> = chain.iter().map(|s| parse(&s.bytes).unwrap()).collect();
    assert_eq!(bs[0].number, 1);
    assert_eq!(bs[0].prev_sha256, None);
    assert_eq!(
        bs[1].prev_sha256.as_ref().map(Sha256Hex::as_str),
        Some(chain[0].sha256.as_str())
    );
    assert_eq!(
        bs[2].prev_sha256.as_ref().map(Sha256Hex::as_str),
        Some(chain[1].sha256.as_str())
    );
    for s in &chain {
        assert!(verify_file(&s.bytes, Some(&s.sha256)).is_ok());
    }
    assert_eq!(verify_chain(&[]), Ok(()));
}

#[test]
fn tampered_content_names_the_bulletin() {
    let (_, mut chain) = three();
    // One byte of 第2期 changed, its recorded hash kept.
    let i = chain[1].bytes.iter().position(|b| *b == b'7').unwrap();
    chain[1].bytes[i] = b'8';
    let e = verify_chain(&chain).unwrap_err();
    assert_eq!(e.number, 2);
    assert!(matches!(e.problem, ChainProblem::HashMismatch { .. }));
    assert!(
        e.to_string()
            .starts_with("bulletin 2 does not match its recorded hash"),
        "{e}"
    );
    assert!(
        e.message_zh().starts_with("第2期的内容与记录的哈希值不符"),
        "{}",
        e.message_zh()
    );
}

#[test]
fn rewritten_bulletin_with_a_new_hash_breaks_the_next_link() {
    let (_, mut chain) = three();
    // 第2期 rewritten consistently (a society renamed) and its hash recomputed: 第3期's link
    // still names the old hash.
    let mut b = parse(&chain[1].bytes).unwrap();
    b.societies[0].name_zh = "改名学会".to_owned();
    b.lagging[0].name_zh = "改名学会".to_owned();
    chain[1] = stored(2, &b);
    let e = verify_chain(&chain).unwrap_err();
    assert_eq!(e.number, 3);
    assert!(matches!(e.problem, ChainProblem::BrokenLink { .. }));
    assert!(e.to_string().contains("is not bulletin 2's hash"), "{e}");
    // Nothing is built on it.
    let e = build(
        &cat(),
        &input(
            9,
            bj(2017, 10, 6, 10, 0, 0),
            vec![soc("A-01", "A", Colour::Green, cell(1, 1, 1))],
        ),
        &chain,
    )
    .unwrap_err();
    assert_eq!(e.field, "chain");
    assert!(e.message_en.contains("bulletin 3's prev_sha256"), "{e}");
}

#[test]
fn deleted_or_reordered_bulletins_are_named() {
    let (_, chain) = three();
    let deleted = vec![chain[0].clone(), chain[2].clone()];
    let e = verify_chain(&deleted).unwrap_err();
    assert_eq!(
        e,
        ChainError {
            number: 2,
            problem: ChainProblem::Missing { found: 3 }
        }
    );
    assert_eq!(
        e.to_string(),
        "bulletin 2 is missing (bulletin 3 is in its place): deleted or out of order"
    );
    let first_missing = vec![chain[1].clone(), chain[2].clone()];
    assert_eq!(verify_chain(&first_missing).unwrap_err().number, 1);
}

#[test]
fn non_canonical_or_misnumbered_content_is_named() {
    let (_, mut chain) = three();
    // 第1期 stored pretty-printed, with the hash of those bytes.
    let b = parse(&chain[0].bytes).unwrap();
    let pretty = serde_json::to_vec_pretty(&b).unwrap();
    let original = chain[0].clone();
    chain[0] = StoredBulletin {
        number: 1,
        sha256: digest(&pretty),
        bytes: pretty,
    };
    let e = verify_chain(&chain).unwrap_err();
    assert_eq!(e.number, 1);
    assert_eq!(e.problem, ChainProblem::NotCanonical { offset: 1 });
    // 第1期's content says it is number 2.
    let mut b = parse(&original.bytes).unwrap();
    b.number = 2;
    chain[0] = stored(1, &b);
    let e = verify_chain(&chain).unwrap_err();
    assert_eq!(
        e,
        ChainError {
            number: 1,
            problem: ChainProblem::NumberMismatch { in_content: 2 }
        }
    );
}

#[test]
fn no_bulletin_is_built_on_a_broken_chain() {
    let (c, mut chain) = three();
    chain[0].bytes[20] ^= 1;
    let e = build(
        &c,
        &input(
            9,
            bj(2017, 10, 6, 10, 0, 0),
            vec![soc("A-01", "A", Colour::Green, cell(1, 1, 1))],
        ),
        &chain,
    )
    .unwrap_err();
    assert_eq!(e.field, "chain");
    assert!(
        e.message_en
            .contains("bulletin 1 does not match its recorded hash"),
        "{e}"
    );
}

// ----- property tests --------------------------------------------------------------------------

fn arb_json() -> impl Strategy<Value = Value> {
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::Bool),
        (-MAX_SAFE_INTEGER..=MAX_SAFE_INTEGER).prop_map(|n| json!(n)),
        any::<String>().prop_map(Value::String),
        "[\\x00-\\x20\"\\\\/a-z中\u{2028}\u{10000}]{0,8}".prop_map(Value::String),
    ];
    leaf.prop_recursive(4, 48, 6, |inner| {
        prop_oneof![
            proptest::collection::vec(inner.clone(), 0..6).prop_map(Value::Array),
            proptest::collection::btree_map(any::<String>(), inner, 0..6)
                .prop_map(|m| Value::Object(m.into_iter().collect())),
        ]
    })
}

fn arb_society(i: usize) -> impl Strategy<Value = PublicSociety> {
    (
        0usize..4,
        prop_oneof![
            Just(Colour::Red),
            Just(Colour::Yellow),
            Just(Colour::Green),
            Just(Colour::Grey)
        ],
        0u32..8,
        0u32..8,
        0u32..8,
        proptest::option::of(0i64..300_000),
        0u32..4,
        0u32..4,
    )
        .prop_map(move |(g, colour, a, b, c, members, total, met)| {
            let mut v = [a, b, c];
            v.sort_unstable();
            let mut s = soc(
                &format!("X-{i:03}"),
                ["A", "B", "C", "E"][g],
                colour,
                cell(v[2], v[1], v[0]),
            );
            s.members = members;
            if let Some(t) = s.status.tasks.first_mut() {
                let met = met.min(total);
                t.targets = progress(total, 0, met, 0);
            }
            s
        })
}

fn arb_societies() -> impl Strategy<Value = Vec<PublicSociety>> {
    (1usize..12).prop_flat_map(|n| (0..n).map(arb_society).collect::<Vec<_>>())
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(128))]

    /// Canonical JSON reads back as the same value and is a fixed point.
    #[test]
    fn canonical_json_round_trips(v in arb_json()) {
        let bytes = canonical_json(&v).unwrap();
        let back: Value = serde_json::from_slice(&bytes).unwrap();
        prop_assert_eq!(&back, &v);
        prop_assert_eq!(canonical_json(&back).unwrap(), bytes);
    }

    /// R-PUB-2: parse(canonical_bytes(b)) == b for built bulletins, which verify as files and
    /// as a chain; every bulletin the builder makes is consistent.
    #[test]
    fn bulletins_round_trip_and_verify(
        first in arb_societies(),
        second in arb_societies(),
        catalogue in prop_oneof![Just(0), Just(1), Just(2)],
    ) {
        let c = match catalogue {
            0 => cat(),
            1 => cat_with("[publication]\npeer_group = []\nshow_member_count = true\n[publication.lagging]\ncolours = [\"yellow\"]\nreceived_below_permille = 500\non_time_below_permille = 900\n"),
            _ => source_default(),
        };
        let mut chain = Vec::new();
        let b1 = publish(&c, &mut chain, &input(6, bj(2017, 7, 6, 9, 0, 0), first));
        let b2 = publish(&c, &mut chain, &input(7, bj(2017, 8, 6, 9, 0, 0), second));
        for (b, s) in [(&b1, &chain[0]), (&b2, &chain[1])] {
            prop_assert_eq!(&parse(&s.bytes).unwrap(), b);
            let r = verify_file(&s.bytes, Some(&s.sha256));
            prop_assert!(r.is_ok(), "{:?}", r.problems);
            let shares = &b.overall.shares;
            let sum: u32 = [&shares.red, &shares.yellow, &shares.green, &shares.grey]
                .iter()
                .map(|r| r.permille.unwrap())
                .sum();
            prop_assert_eq!(sum, 1000);
        }
        prop_assert_eq!(verify_chain(&chain), Ok(()));
    }
}

/// The catalogue without a `[publication]` section.
fn source_default() -> Catalogue {
    crate::catalogue::parse(&source_with(""), "x.toml").unwrap()
}

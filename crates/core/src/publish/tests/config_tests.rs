//! The catalogue's `[publication]` section (R-PUB-1).

use super::*;

#[test]
fn builtin_2017_publication_rules() {
    let p = cat().publication;
    assert_eq!(
        p.peer_group,
        vec![
            PeerDimension::DisciplineGroup,
            PeerDimension::MembershipBand
        ]
    );
    assert!(!p.show_member_count);
    assert_eq!(
        p.lagging,
        LaggingRule {
            colours: vec![Colour::Red],
            received_below_permille: None,
            on_time_below_permille: None,
        }
    );
    let ids: Vec<&str> = p.membership_bands.iter().map(|b| b.id.as_str()).collect();
    assert_eq!(ids, ["under-20k", "20k-100k", "100k-plus"]);
    // The notice's tiers: 不足2万 / 2万以上且不足10万 / 10万及以上 (exactly 100,000 with the largest).
    let band = |n: i64| p.band_of(n).map(|b| b.id.as_str());
    assert_eq!(band(0), Some("under-20k"));
    assert_eq!(band(19_999), Some("under-20k"));
    assert_eq!(band(20_000), Some("20k-100k"));
    assert_eq!(band(99_999), Some("20k-100k"));
    assert_eq!(band(100_000), Some("100k-plus"));
    assert_eq!(band(5_000_000), Some("100k-plus"));
    assert_eq!(band(-1), None);
}

#[test]
fn absent_section_gives_the_defaults() {
    let src = source_with("");
    let c = crate::catalogue::parse(&src, "x.toml").unwrap();
    assert_eq!(c.publication, PublicationRules::default());
    assert_eq!(
        c.publication.peer_group,
        vec![PeerDimension::DisciplineGroup]
    );
    assert!(c.publication.membership_bands.is_empty());
    assert_eq!(c.publication.lagging.colours, vec![Colour::Red]);
}

#[test]
fn explicit_section_is_read() {
    let c = cat_with(
        "[publication]\npeer_group = []\nshow_member_count = true\n\n[publication.lagging]\ncolours = [\"yellow\", \"red\"]\nreceived_below_permille = 1000\non_time_below_permille = 1\n",
    );
    let p = &c.publication;
    assert!(p.peer_group.is_empty());
    assert!(p.show_member_count);
    assert_eq!(p.lagging.colours, vec![Colour::Yellow, Colour::Red]);
    assert_eq!(p.lagging.received_below_permille, Some(1000));
    assert_eq!(p.lagging.on_time_below_permille, Some(1));
    // Thresholds alone, no colour.
    let c = cat_with(
        "[publication]\n[publication.lagging]\ncolours = []\non_time_below_permille = 600\n",
    );
    assert!(c.publication.lagging.colours.is_empty());
    assert_eq!(c.publication.lagging.on_time_below_permille, Some(600));
}

/// The error for `section`, with the line (1-based, within the section) it points at.
#[track_caller]
fn expect_error(section: &str, line_in_section: usize, words: &str) {
    let src = source_with(section);
    let e = crate::catalogue::parse(&src, "2017.toml").unwrap_err();
    assert!(e.message.contains(words), "expected '{words}' in: {e}");
    let first = src.lines().count() - section.lines().count();
    assert_eq!(e.line, first + line_in_section, "wrong line for: {e}");
}

const BANDS: &str = "[[publication.membership_bands]]
id = \"small\"
min = 0
min_inclusive = true
max = 20000
max_inclusive = false
label_zh = \"小\"
label_en = \"small\"

[[publication.membership_bands]]
id = \"large\"
min = 20000
min_inclusive = true
label_zh = \"大\"
label_en = \"large\"
";

#[test]
fn bands_are_checked_like_rule_bands() {
    // The reference: valid.
    let c = cat_with(&format!("[publication]\n{BANDS}"));
    assert_eq!(c.publication.membership_bands.len(), 2);
    // Overlap: band 2 starts at 19,999, which band 1 includes.
    expect_error(
        &format!(
            "[publication]\n{}",
            BANDS.replace("min = 20000", "min = 19999")
        ),
        13,
        "membership bands overlap: band 2 ('large') starts at 19999",
    );
    // Gap: band 2 starts at 20,001.
    expect_error(
        &format!(
            "[publication]\n{}",
            BANDS.replace(
                "min = 20000\nmin_inclusive = true",
                "min = 20000\nmin_inclusive = false"
            )
        ),
        13,
        "membership bands leave a gap: band 1 ends at 19999 and band 2 ('large') starts at 20001",
    );
    // Last band closed above.
    expect_error(
        &format!(
            "[publication]\n{}",
            BANDS.replace(
                "min = 20000\nmin_inclusive = true\n",
                "min = 20000\nmin_inclusive = true\nmax = 30000\nmax_inclusive = true\n"
            )
        ),
        11,
        "the last membership band must be open above",
    );
    // First band not from 0.
    expect_error(
        &format!("[publication]\n{}", BANDS.replace("min = 0\n", "min = 1\n")),
        4,
        "the first band must start at 0",
    );
    // An edge without its flag, a flag without its edge.
    expect_error(
        &format!(
            "[publication]\n{}",
            BANDS.replace("max = 20000\nmax_inclusive = false\n", "max = 20000\n")
        ),
        6,
        "max needs max_inclusive",
    );
    // Ids: reserved, duplicated, malformed.
    expect_error(
        &format!(
            "[publication]\n{}",
            BANDS.replace("id = \"large\"", "id = \"unknown\"")
        ),
        12,
        "reserved for societies without a member count",
    );
    expect_error(
        &format!(
            "[publication]\n{}",
            BANDS.replace("id = \"large\"", "id = \"small\"")
        ),
        12,
        "used twice",
    );
    expect_error(
        &format!(
            "[publication]\n{}",
            BANDS.replace("id = \"large\"", "id = \"Large\"")
        ),
        12,
        "must be lower-case letters",
    );
    // Unknown field.
    expect_error(
        &format!(
            "[publication]\n{}",
            BANDS.replace("label_en = \"large\"", "label_en = \"large\"\ncap = 3")
        ),
        17,
        "unknown field",
    );
}

#[test]
fn peer_group_and_lagging_are_checked() {
    expect_error(
        "[publication]\npeer_group = [\"discipline\"]\n",
        2,
        "unknown dimension 'discipline'",
    );
    expect_error(
        "[publication]\npeer_group = [\"discipline_group\", \"discipline_group\"]\n",
        2,
        "'discipline_group' listed twice",
    );
    expect_error(
        "[publication]\npeer_group = [\"membership_band\"]\n",
        2,
        "'membership_band' needs [[publication.membership_bands]]",
    );
    expect_error(
        "[publication]\n[publication.lagging]\ncolours = [\"green\"]\n",
        3,
        "'green' is not allowed",
    );
    expect_error(
        "[publication]\n[publication.lagging]\ncolours = [\"grey\"]\n",
        3,
        "'grey' is not allowed",
    );
    expect_error(
        "[publication]\n[publication.lagging]\ncolours = [\"red\", \"red\"]\n",
        3,
        "'red' listed twice",
    );
    // 1..=1000 per-mille: 0 and 1001 are refused (1 and 1000 are read above).
    expect_error(
        "[publication]\n[publication.lagging]\nreceived_below_permille = 0\n",
        3,
        "received_below_permille must be between 1 and 1000",
    );
    expect_error(
        "[publication]\n[publication.lagging]\non_time_below_permille = 1001\n",
        3,
        "on_time_below_permille must be between 1 and 1000",
    );
    expect_error(
        "[publication]\n[publication.lagging]\ncolours = []\n",
        3,
        "gives no criterion",
    );
    expect_error("[publication]\nshow_members = true\n", 2, "unknown field");
}

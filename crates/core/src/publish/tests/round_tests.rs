//! Rounding as published (R-PUB-1).

use proptest::prelude::*;

use super::*;

#[test]
fn permille_rounds_half_up() {
    let cases: &[(u64, u64, Option<u32>)] = &[
        (0, 0, None),
        (3, 0, None),
        (0, 5, Some(0)),
        (5, 5, Some(1000)),
        (1, 8, Some(125)),
        // 62.5‰ → 63 (half up).
        (1, 16, Some(63)),
        // 333.33… → 333, 666.67… → 667.
        (1, 3, Some(333)),
        (2, 3, Some(667)),
        // 0.5‰ → 1; 0.4998…‰ → 0.
        (1, 2000, Some(1)),
        (1, 2001, Some(0)),
        // 999.5‰ → 1000; 999.4…‰ → 999.
        (1999, 2000, Some(1000)),
        (1998, 1999, Some(999)),
        (7, 8, Some(875)),
    ];
    for (part, whole, want) in cases {
        assert_eq!(permille_half_up(*part, *whole), *want, "{part}/{whole}");
    }
}

#[test]
fn ratio_text_is_the_percentage_with_one_decimal() {
    assert_eq!(
        ratio(7, 8),
        Ratio {
            permille: Some(875),
            text: "87.5%".to_owned()
        }
    );
    assert_eq!(ratio(8, 8).text, "100%");
    assert_eq!(ratio(0, 8).text, "0%");
    assert_eq!(ratio(1, 16).text, "6.3%");
    assert_eq!(
        ratio(0, 0),
        Ratio {
            permille: None,
            text: "—".to_owned()
        }
    );
}

#[test]
fn shares_by_largest_remainder() {
    // 1/3 each: 333 + 333 + 333 = 999; the missing 1‰ goes to the first of the equal
    // remainders.
    assert_eq!(shares(&[1, 1, 1]), vec![334, 333, 333]);
    // 1/3 and 2/3: floors 333 + 666, remainders 1 and 2 (of 3): the second gets it.
    assert_eq!(shares(&[1, 2]), vec![333, 667]);
    // Exact: nothing to distribute.
    assert_eq!(shares(&[1, 1, 2, 0]), vec![250, 250, 500, 0]);
    // 1/7 = 142.857…: floors 142 × 7 = 994; six more, to the six largest remainders
    // (all equal): the first six.
    assert_eq!(shares(&[1; 7]), vec![143, 143, 143, 143, 143, 143, 142]);
    // 209 societies: 17 red, 40 yellow, 150 green, 2 grey:
    // 81.339… 191.387… 717.703… 9.569…: floors 81+191+717+9 = 998;
    // remainders .339 .387 .703 .569 → green, then grey.
    assert_eq!(shares(&[17, 40, 150, 2]), vec![81, 191, 718, 10]);
    // Nothing at all: zeros.
    assert_eq!(shares(&[0, 0, 0]), vec![0, 0, 0]);
    assert_eq!(shares(&[]), Vec::<u32>::new());
}

#[test]
fn delta_in_words_never_starts_with_a_sign() {
    assert_eq!(
        delta_words(25),
        ("上升 2.5 个百分点".to_owned(), "up 2.5 points".to_owned())
    );
    assert_eq!(
        delta_words(-10),
        ("下降 1 个百分点".to_owned(), "down 1 point".to_owned())
    );
    assert_eq!(
        delta_words(-1),
        ("下降 0.1 个百分点".to_owned(), "down 0.1 points".to_owned())
    );
    assert_eq!(
        delta_words(1000),
        ("上升 100 个百分点".to_owned(), "up 100 points".to_owned())
    );
    assert_eq!(delta_words(0), ("持平".to_owned(), "unchanged".to_owned()));
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    /// R-PUB-1: rounded shares always add up to 1000‰, each within 1‰ of the exact value and
    /// never below its rounded-down value.
    #[test]
    fn shares_always_add_up(counts in proptest::collection::vec(0u64..100_000, 1..8)) {
        let total: u64 = counts.iter().sum();
        let s = shares(&counts);
        prop_assert_eq!(s.len(), counts.len());
        let sum: u64 = s.iter().map(|x| u64::from(*x)).sum();
        prop_assert_eq!(sum, if total == 0 { 0 } else { 1000 });
        for (c, x) in counts.iter().zip(&s) {
            // The rounded-down share (0 when there is nothing).
            let floor = (c * 1000).checked_div(total).unwrap_or(0);
            prop_assert!(u64::from(*x) == floor || u64::from(*x) == floor + 1);
        }
    }

    /// Half up: the rounded per-mille p satisfies 2000·part ∈ [(2p − 1)·whole, (2p + 1)·whole).
    #[test]
    fn permille_is_nearest_half_up(whole in 1u64..1_000_000, frac in 0u64..=1000) {
        let part = whole * frac / 1000;
        let p = u64::from(permille_half_up(part, whole).unwrap());
        prop_assert!(2000 * part + whole >= 2 * p * whole);
        prop_assert!(2000 * part + whole < 2 * (p + 1) * whole);
    }
}

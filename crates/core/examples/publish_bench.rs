//! Benchmark of the bulletin core (R-PUB-1, R-PUB-2, R-PUB-3): build a year of monthly
//! bulletins for N synthetic societies (default 10,000), then time building the next one on
//! that chain (which verifies the chain first), writing it canonically, hashing it, checking
//! it as a downloaded file, and making its download tables and CSV.
//!
//! ```sh
//! cargo run --release -p reformwatch-core --example publish_bench -- 10000
//! ```
//!
//! The example reads the clock to measure (the library never does).
#![allow(clippy::disallowed_methods, clippy::unwrap_used, clippy::expect_used)]

use std::time::Instant;

use chrono::{TimeZone, Utc};
use reformwatch_core::publish::{
    GroupName, Lang, PublicInput, PublicPlanStatus, PublicSociety, PublicStatus, PublicTaskStatus,
    ReasonFact, StoredBulletin, TargetProgress, build, canonical_bytes, csv, digest, tables,
    verify_file,
};
use reformwatch_core::tracking::{Colour, Month, RateCell};

/// A small deterministic generator (64-bit LCG), so every run measures the same data.
struct Lcg(u64);

impl Lcg {
    fn next(&mut self, n: u64) -> u64 {
        self.0 = self
            .0
            .wrapping_mul(6_364_136_223_846_793_005)
            .wrapping_add(1_442_695_040_888_963_407);
        (self.0 >> 33) % n
    }
}

fn societies(n: usize, month: u32, rng: &mut Lcg) -> Vec<PublicSociety> {
    let groups = [
        ("A", "理科", "Science"),
        ("B", "工科", "Engineering"),
        ("C", "农科", "Agriculture"),
        ("D", "医科", "Medicine"),
        ("E", "交叉", "Interdisciplinary"),
    ];
    let due = month.saturating_sub(5);
    (0..n)
        .map(|i| {
            let (id, zh, en) = groups[i % groups.len()];
            let colour = [Colour::Red, Colour::Yellow, Colour::Green, Colour::Green]
                [usize::try_from(rng.next(4)).unwrap()];
            let grey = rng.next(20) == 0;
            let received = u32::try_from(rng.next(u64::from(due) + 1)).unwrap();
            let on_time = u32::try_from(rng.next(u64::from(received) + 1)).unwrap();
            let tasks: Vec<PublicTaskStatus> = (1..=12)
                .map(|t| {
                    let total = u32::try_from(rng.next(4)).unwrap();
                    let met = u32::try_from(rng.next(u64::from(total) + 1)).unwrap();
                    PublicTaskStatus {
                        task: t,
                        colour: [Colour::Red, Colour::Yellow, Colour::Green]
                            [usize::try_from(rng.next(3)).unwrap()],
                        reasons: vec![ReasonFact::TargetOverdue { count: 1 }],
                        targets: TargetProgress {
                            total,
                            due: 0,
                            met,
                            overdue: 0,
                        },
                    }
                })
                .collect();
            PublicSociety {
                code: format!("{id}-{i:05}"),
                name_zh: format!("学会{i}"),
                name_en: format!("Society {i}"),
                group: GroupName {
                    id: id.to_owned(),
                    name_zh: zh.to_owned(),
                    name_en: en.to_owned(),
                },
                members: Some(i64::try_from(rng.next(300_000)).unwrap()),
                election_year: rng.next(3) == 0,
                plan: if grey {
                    PublicPlanStatus::Draft
                } else {
                    PublicPlanStatus::Accepted
                },
                status: if grey {
                    PublicStatus {
                        colour: Colour::Grey,
                        reasons: vec![ReasonFact::NoPlan],
                        tasks: vec![],
                    }
                } else {
                    PublicStatus {
                        colour,
                        reasons: vec![ReasonFact::ReportLate { count: 1 }],
                        tasks,
                    }
                },
                reports: if grey {
                    RateCell::default()
                } else {
                    RateCell {
                        expected: due,
                        received,
                        on_time,
                    }
                },
            }
        })
        .collect()
}

fn main() {
    let n: usize = std::env::args()
        .nth(1)
        .map_or(10_000, |a| a.parse().expect("society count"));
    let catalogue = reformwatch_core::builtin_2017();
    let mut rng = Lcg(2017);
    let mut chain: Vec<StoredBulletin> = Vec::new();
    let input = |month: u32, rng: &mut Lcg| PublicInput {
        month: Month::new(2017, month).unwrap(),
        published_at: Utc.with_ymd_and_hms(2017, month + 1, 6, 2, 0, 0).unwrap(),
        audit_head: None,
        correction: None,
        societies: societies(n, month, rng),
    };
    // June to October: five bulletins on the chain.
    for month in 6..=10 {
        let b = build(&catalogue, &input(month, &mut rng), &chain).unwrap();
        let bytes = canonical_bytes(&b).unwrap();
        chain.push(StoredBulletin {
            number: b.number,
            sha256: digest(&bytes),
            bytes,
        });
    }
    let next = input(11, &mut rng);

    let t = Instant::now();
    let b = build(&catalogue, &next, &chain).unwrap();
    let build_time = t.elapsed();
    let t = Instant::now();
    let bytes = canonical_bytes(&b).unwrap();
    let canonical_time = t.elapsed();
    let t = Instant::now();
    let hash = digest(&bytes);
    let digest_time = t.elapsed();
    let t = Instant::now();
    let report = verify_file(&bytes, Some(&hash));
    let verify_time = t.elapsed();
    assert!(report.is_ok(), "{:?}", report.problems);
    let t = Instant::now();
    let mut csv_bytes = 0;
    for table in tables(&b, Lang::Zh) {
        csv_bytes += csv(&table, Lang::Zh).len();
    }
    let tables_time = t.elapsed();

    println!("societies: {n}; chain before: {} bulletins", chain.len());
    println!(
        "build (verifies the chain of {}): {build_time:?}",
        chain.len()
    );
    println!(
        "canonical bytes: {canonical_time:?} ({} bytes)",
        bytes.len()
    );
    println!("sha256: {digest_time:?}");
    println!("verify_file (parse, rewrite, consistency, hash): {verify_time:?}");
    println!("download tables + CSV (zh): {tables_time:?} ({csv_bytes} bytes)");
    println!(
        "lagging: {}, peer groups: {}",
        b.lagging.len(),
        b.peer_groups.len()
    );
}

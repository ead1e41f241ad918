//! Tests of public monitoring bulletins (R-PUB-1, R-PUB-2), with property tests. Expected
//! values are written out by hand; the golden file was written by hand and made canonical
//! by an independent tool (Python's `json.dumps(sort_keys=True, separators=(",", ":"),
//! ensure_ascii=False)`), its hash by `sha256sum`.

use chrono::{DateTime, TimeZone, Utc};
use chrono_tz::Asia::Shanghai;

use super::*;
use crate::catalogue::{Catalogue, builtin};
use crate::tracking::{Colour, Month, RateCell};

mod build_tests;
mod canonical_tests;
mod config_tests;
mod download_tests;
mod round_tests;
mod status_tests;
mod trend_tests;

fn cat() -> Catalogue {
    builtin(2017).unwrap()
}

/// A catalogue whose `[publication]` section is `section` (the built-in one replaced).
fn cat_with(section: &str) -> Catalogue {
    crate::catalogue::parse(&source_with(section), "2017.toml").unwrap()
}

/// The built-in catalogue file with its `[publication]` section (at the end) replaced.
fn source_with(section: &str) -> String {
    let src = crate::catalogue::BUILTIN_2017_SOURCE;
    let at = src.find("\n[publication]\n").unwrap();
    format!("{}\n{section}", &src[..at])
}

/// An instant given in Beijing time.
fn bj(y: i32, m: u32, d: u32, h: u32, mi: u32, s: u32) -> DateTime<Utc> {
    Shanghai
        .with_ymd_and_hms(y, m, d, h, mi, s)
        .unwrap()
        .with_timezone(&Utc)
}

fn month(m: u32) -> Month {
    Month::new(2017, m).unwrap()
}

fn group(id: &str) -> GroupName {
    let (zh, en) = match id {
        "A" => ("理科", "Science"),
        "B" => ("工科", "Engineering"),
        "C" => ("农科", "Agriculture"),
        _ => ("交叉", "Interdisciplinary"),
    };
    GroupName {
        id: id.to_owned(),
        name_zh: zh.to_owned(),
        name_en: en.to_owned(),
    }
}

fn progress(total: u32, due: u32, met: u32, overdue: u32) -> TargetProgress {
    TargetProgress {
        total,
        due,
        met,
        overdue,
    }
}

fn cell(expected: u32, received: u32, on_time: u32) -> RateCell {
    RateCell {
        expected,
        received,
        on_time,
    }
}

/// A society with an accepted plan of task 1 in `colour` (targets: one, not met, not due),
/// 10,000 members, or — for grey — no plan at all.
fn soc(code: &str, group_id: &str, colour: Colour, reports: RateCell) -> PublicSociety {
    let (plan, reasons, tasks, reports) = if colour == Colour::Grey {
        (
            PublicPlanStatus::NotStarted,
            vec![ReasonFact::NoPlan],
            vec![],
            RateCell::default(),
        )
    } else {
        (
            PublicPlanStatus::Accepted,
            vec![],
            vec![PublicTaskStatus {
                task: 1,
                colour,
                reasons: vec![],
                targets: progress(1, 0, 0, 0),
            }],
            reports,
        )
    };
    PublicSociety {
        code: code.to_owned(),
        name_zh: format!("学会{code}"),
        name_en: String::new(),
        group: group(group_id),
        members: Some(10_000),
        election_year: false,
        plan,
        status: PublicStatus {
            colour,
            reasons,
            tasks,
        },
        reports,
    }
}

fn head() -> AuditHead {
    AuditHead {
        seq: 7,
        sha256: Sha256Hex::parse(&"ab".repeat(32)).unwrap(),
    }
}

fn input(m: u32, at: DateTime<Utc>, societies: Vec<PublicSociety>) -> PublicInput {
    PublicInput {
        month: month(m),
        published_at: at,
        audit_head: Some(head()),
        correction: None,
        societies,
    }
}

fn stored(number: u32, b: &Bulletin) -> StoredBulletin {
    let bytes = canonical_bytes(b).unwrap();
    StoredBulletin {
        number,
        sha256: digest(&bytes),
        bytes,
    }
}

/// Build the next bulletin on `chain` and append it.
fn publish(catalogue: &Catalogue, chain: &mut Vec<StoredBulletin>, i: &PublicInput) -> Bulletin {
    let b = build(catalogue, i, chain).unwrap();
    chain.push(stored(b.number, &b));
    b
}

const GOLDEN: &[u8] = include_bytes!("../../tests/fixtures/bulletin-golden.json");
/// `sha256sum crates/core/tests/fixtures/bulletin-golden.json`.
const GOLDEN_SHA256: &str = "085a645ca41b54726b8e2ed6f753ed9823c55b762b4c1c7b7d34616768c1eb5d";

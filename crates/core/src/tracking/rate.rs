//! Reporting completeness and timeliness (R-TRACK-2), in integer arithmetic.

use std::iter::Sum;
use std::ops::Add;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use super::arrival::{Arrival, arrival};
use super::month::{Month, months_due_by};
use crate::catalogue::Catalogue;

/// Reports expected, received and received on time (R-TRACK-2), for one society over the
/// year so far, one month over all societies, or a sum of either. Always
/// `on_time <= received <= expected` when built by [`society_rate`] or [`month_rate`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct RateCell {
    pub expected: u32,
    pub received: u32,
    pub on_time: u32,
}

impl RateCell {
    /// Received ÷ expected in per-mille (‰), rounded down; `None` when nothing is expected.
    pub fn received_permille(&self) -> Option<u32> {
        permille(self.received, self.expected)
    }

    /// On time ÷ expected in per-mille (‰), rounded down; `None` when nothing is expected.
    pub fn on_time_permille(&self) -> Option<u32> {
        permille(self.on_time, self.expected)
    }

    /// Both cells added, saturating (overall rates from per-society or per-month cells).
    /// Also available as `+` and [`Sum`]; this inherent method needs no trait import.
    #[allow(clippy::should_implement_trait)] // `Add` is implemented too, by this method
    pub fn add(self, other: RateCell) -> RateCell {
        RateCell {
            expected: self.expected.saturating_add(other.expected),
            received: self.received.saturating_add(other.received),
            on_time: self.on_time.saturating_add(other.on_time),
        }
    }
}

impl Add for RateCell {
    type Output = RateCell;

    fn add(self, other: RateCell) -> RateCell {
        RateCell::add(self, other)
    }
}

impl Sum for RateCell {
    fn sum<I: Iterator<Item = RateCell>>(iter: I) -> RateCell {
        iter.fold(RateCell::default(), RateCell::add)
    }
}

fn permille(part: u32, whole: u32) -> Option<u32> {
    if whole == 0 {
        return None;
    }
    let p = u64::from(part) * 1000 / u64::from(whole);
    Some(u32::try_from(p).unwrap_or(u32::MAX))
}

/// A per-mille rate as a percentage with one decimal, from integers (R-TRACK-2):
/// `None` → `"—"`, 875 → `"87.5%"`, 1000 → `"100%"`, 0 → `"0%"` (a `.0` is left out).
pub fn percent_text(permille: Option<u32>) -> String {
    match permille {
        None => "—".to_owned(),
        Some(p) if p % 10 == 0 => format!("{}%", p / 10),
        Some(p) => format!("{}.{}%", p / 10, p % 10),
    }
}

/// One society's rates at `now` (R-TRACK-2). Expected: the expected months whose report is
/// due by `now` ([`months_due_by`]). Received: those of them with a submission at or before
/// `now` (any version, late or not). On time: those whose first submission was at or before
/// the month's due instant ([`super::report_on_time`], decided by [`super::arrival`]).
/// `submissions` are (month, first submitted at); several entries for one month count once, by
/// the earliest. A report for a month not yet due, or outside the expected months, is not
/// counted.
pub fn society_rate(
    catalogue: &Catalogue,
    submissions: &[(Month, DateTime<Utc>)],
    now: DateTime<Utc>,
) -> RateCell {
    let due = months_due_by(catalogue, now);
    let mut cell = RateCell {
        expected: u32::try_from(due.len()).unwrap_or(u32::MAX),
        ..RateCell::default()
    };
    for m in due {
        let first = submissions
            .iter()
            .filter(|(sm, at)| *sm == m && *at <= now)
            .map(|(_, at)| *at)
            .min();
        if let Arrival::Received { late } = arrival(catalogue, m, first, now) {
            cell.received += 1;
            if !late {
                cell.on_time += 1;
            }
        }
    }
    cell
}

/// One month's rates over several societies at `now` (R-TRACK-2). When the month is an
/// expected month due by `now`, expected = `societies_expected` (the societies with an
/// accepted plan), received = the `submissions` (each society's first submission for that
/// month) at or before `now`, on time = those at or before the due instant; both are capped
/// at what is expected. A month not due yet (or not expected) gives an empty cell.
pub fn month_rate(
    catalogue: &Catalogue,
    month: Month,
    societies_expected: u32,
    submissions: &[DateTime<Utc>],
    now: DateTime<Utc>,
) -> RateCell {
    if !months_due_by(catalogue, now).contains(&month) {
        return RateCell::default();
    }
    let count = |f: &dyn Fn(&DateTime<Utc>) -> bool| {
        u32::try_from(submissions.iter().filter(|s| f(s)).count()).unwrap_or(u32::MAX)
    };
    let received =
        count(&|s| arrival(catalogue, month, Some(*s), now).is_received()).min(societies_expected);
    let on_time =
        count(&|s| arrival(catalogue, month, Some(*s), now) == Arrival::Received { late: false })
            .min(received);
    RateCell {
        expected: societies_expected,
        received,
        on_time,
    }
}

/// Reporting rates of a year over many societies at `now` (R-TRACK-2), computed in one pass:
/// per expected month ([`month_rate`] over the societies given, which are the societies
/// expected to report, i.e. those with an accepted plan), per society ([`society_rate`], in
/// the order given) and the total (the sum of the month cells).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct YearRates {
    pub months: Vec<(Month, RateCell)>,
    pub societies: Vec<RateCell>,
    pub total: RateCell,
}

/// See [`YearRates`]. `submissions[i]` are society `i`'s (month, first submitted at).
pub fn year_rates(
    catalogue: &Catalogue,
    submissions: &[Vec<(Month, DateTime<Utc>)>],
    now: DateTime<Utc>,
) -> YearRates {
    let expected = u32::try_from(submissions.len()).unwrap_or(u32::MAX);
    let months: Vec<(Month, RateCell)> = super::month::expected_months(catalogue)
        .into_iter()
        .map(|m| {
            let firsts: Vec<DateTime<Utc>> = submissions
                .iter()
                .filter_map(|subs| {
                    subs.iter()
                        .filter(|(sm, _)| *sm == m)
                        .map(|(_, at)| *at)
                        .min()
                })
                .collect();
            (m, month_rate(catalogue, m, expected, &firsts, now))
        })
        .collect();
    YearRates {
        total: months.iter().map(|(_, c)| *c).sum(),
        societies: submissions
            .iter()
            .map(|subs| society_rate(catalogue, subs, now))
            .collect(),
        months,
    }
}

#[cfg(test)]
mod year_rates_tests {
    use chrono::TimeZone;
    use chrono_tz::Asia::Shanghai;

    use super::*;

    fn bj(m: u32, d: u32, h: u32) -> DateTime<Utc> {
        Shanghai
            .with_ymd_and_hms(2017, m, d, h, 0, 0)
            .single()
            .unwrap()
            .with_timezone(&Utc)
    }

    #[test]
    fn months_societies_and_total_in_one_pass() {
        let c = crate::catalogue::builtin_2017();
        let june = Month::new(2017, 6).unwrap();
        let july = Month::new(2017, 7).unwrap();
        // Three societies expected: one on time for June and July, one late for June only,
        // one silent. Now: 10 August (June and July due, August not yet).
        let subs = vec![
            vec![(june, bj(7, 3, 10)), (july, bj(8, 1, 10))],
            vec![(june, bj(7, 8, 10))],
            vec![],
        ];
        let r = year_rates(&c, &subs, bj(8, 10, 10));
        let cell = |m: Month| r.months.iter().find(|(x, _)| *x == m).unwrap().1;
        assert_eq!(
            cell(june),
            RateCell {
                expected: 3,
                received: 2,
                on_time: 1
            }
        );
        assert_eq!(
            cell(july),
            RateCell {
                expected: 3,
                received: 1,
                on_time: 1
            }
        );
        assert_eq!(cell(Month::new(2017, 8).unwrap()), RateCell::default());
        assert_eq!(
            r.total,
            RateCell {
                expected: 6,
                received: 3,
                on_time: 2
            }
        );
        assert_eq!(
            r.societies,
            vec![
                RateCell {
                    expected: 2,
                    received: 2,
                    on_time: 2
                },
                RateCell {
                    expected: 2,
                    received: 1,
                    on_time: 0
                },
                RateCell {
                    expected: 2,
                    received: 0,
                    on_time: 0
                },
            ]
        );
    }
}

//! Reporting months and their due instants (R-TRACK-2).

use std::fmt;

use chrono::{DateTime, Datelike, NaiveDate, NaiveTime, TimeZone, Utc};
use serde::{Deserialize, Serialize};

use crate::catalogue::Catalogue;
use crate::plan::lateness;

/// A reporting month: the month a monthly report is about (R-TRACK-1, R-TRACK-2).
///
/// Written `2017-06` ([`Month::parse`], [`fmt::Display`]); serialised as
/// `{"year": 2017, "month": 6}`. Ordered chronologically. A month outside 1..=12 can be built
/// from the public fields; functions here never panic on one and treat it as not expected.
#[derive(Copy, Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub struct Month {
    pub year: i32,
    /// 1..=12.
    pub month: u32,
}

impl Month {
    /// The month, if `month` is in 1..=12.
    pub fn new(year: i32, month: u32) -> Option<Month> {
        (1..=12).contains(&month).then_some(Month { year, month })
    }

    /// The month of a date.
    pub fn of(date: NaiveDate) -> Month {
        Month {
            year: date.year(),
            month: date.month(),
        }
    }

    /// Parse `YYYY-MM` exactly (four-digit year, two-digit month 01..=12): `"2017-06"`.
    pub fn parse(s: &str) -> Option<Month> {
        let b = s.as_bytes();
        let digits =
            |r: std::ops::Range<usize>| b.get(r).is_some_and(|d| d.iter().all(u8::is_ascii_digit));
        if b.len() != 7 || b.get(4) != Some(&b'-') || !digits(0..4) || !digits(5..7) {
            return None;
        }
        let year = s.get(..4)?.parse().ok()?;
        let month = s.get(5..)?.parse().ok()?;
        Month::new(year, month)
    }

    /// Whether `month` is in 1..=12.
    pub fn is_valid(self) -> bool {
        (1..=12).contains(&self.month)
    }

    /// The following month (December → January of the next year).
    pub fn next(self) -> Month {
        if self.month >= 12 {
            Month {
                year: self.year.saturating_add(1),
                month: 1,
            }
        } else {
            Month {
                year: self.year,
                month: self.month + 1,
            }
        }
    }

    /// The preceding month (January → December of the previous year).
    pub fn prev(self) -> Month {
        if self.month <= 1 {
            Month {
                year: self.year.saturating_sub(1),
                month: 12,
            }
        } else {
            Month {
                year: self.year,
                month: (self.month - 1).min(12),
            }
        }
    }

    /// Chinese label: `2017年6月`.
    pub fn label_zh(self) -> String {
        format!("{}年{}月", self.year, self.month)
    }

    /// The same month with `month` brought into 1..=12 (month 13 of 2017 is January 2018,
    /// month 0 is December of the year before).
    fn normalised(self) -> Month {
        let index = i64::from(self.year) * 12 + i64::from(self.month) - 1;
        let year = i32::try_from(index.div_euclid(12)).unwrap_or(if index < 0 {
            i32::MIN
        } else {
            i32::MAX
        });
        let month = u32::try_from(index.rem_euclid(12) + 1).unwrap_or(1);
        Month { year, month }
    }
}

impl fmt::Display for Month {
    /// `2017-06`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:04}-{:02}", self.year, self.month)
    }
}

/// The months of the catalogue year for which a report is expected (R-TRACK-2):
/// `tracking.first_month..=tracking.last_month` of `catalogue.year` (2017: June..=December).
pub fn expected_months(catalogue: &Catalogue) -> Vec<Month> {
    let first = catalogue.tracking.first_month.clamp(1, 12);
    let last = catalogue.tracking.last_month.clamp(1, 12);
    (first..=last)
        .map(|month| Month {
            year: catalogue.year,
            month,
        })
        .collect()
}

/// Due instant (UTC) of the report for `month` (R-TRACK-2): `report_due_day` of the FOLLOWING
/// month, end of that day (23:59:59) in the catalogue time zone. June 2017 → 2017-07-05
/// 23:59:59 Beijing time = 15:59:59 UTC; December 2017 → 5 January 2018.
///
/// Compare a submission with [`report_on_time`] (whole seconds, like the plan deadline).
/// Total: a month outside 1..=12 is normalised (month 13 of 2017 is January 2018); a due day
/// past the end of a month is read as that month's last day; a year beyond the calendar
/// saturates to the earliest / latest instant.
pub fn report_due(catalogue: &Catalogue, month: Month) -> DateTime<Utc> {
    let m = month.normalised();
    if let Some(due) = catalogue.report_due_utc(m.year, m.month) {
        return due;
    }
    // Only reachable for a catalogue built by hand (due day 29..=31) or an extreme year.
    let f = m.next();
    let day = catalogue.report_due_day.clamp(1, 31);
    let date = (1..=day)
        .rev()
        .find_map(|d| NaiveDate::from_ymd_opt(f.year, f.month, d));
    let Some(date) = date else {
        return if f.year < 0 {
            DateTime::<Utc>::MIN_UTC
        } else {
            DateTime::<Utc>::MAX_UTC
        };
    };
    let end = date.and_time(NaiveTime::from_hms_opt(23, 59, 59).unwrap_or(NaiveTime::MIN));
    let local = catalogue.timezone.from_local_datetime(&end);
    local
        .latest()
        .map_or_else(|| end.and_utc(), |t| t.with_timezone(&Utc))
}

/// Whether a report for `month` submitted at `submitted_at` is on time (R-TRACK-2): at or
/// before [`report_due`], compared in whole seconds (anything during 23:59:59 is on time,
/// 00:00:00 the next day is late).
pub fn report_on_time(catalogue: &Catalogue, month: Month, submitted_at: DateTime<Utc>) -> bool {
    lateness(report_due(catalogue, month), submitted_at).is_none()
}

/// The expected months whose report is due at or before `now` (R-TRACK-2): a report for one
/// of them not received by `now` is missing. Chronological.
pub fn months_due_by(catalogue: &Catalogue, now: DateTime<Utc>) -> Vec<Month> {
    expected_months(catalogue)
        .into_iter()
        .filter(|m| report_due(catalogue, *m) <= now)
        .collect()
}

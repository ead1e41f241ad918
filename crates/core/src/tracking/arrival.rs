//! Whether a month's report has come (R-TRACK-2), decided once for the timeline, the
//! dashboard, the rates and the API. As DHIS2 separates completeness from timeliness, a view is
//! judged at the moment it is looked at (or a bulletin's snapshot instant): a report that came
//! after its due instant counts as received and is marked late; only a report that has not
//! come is missing. The month's due instant decides only what "on time" means.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use super::month::{Month, report_due, report_on_time};
use crate::catalogue::Catalogue;

/// A month's report as seen at one instant.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", tag = "arrival")]
pub enum Arrival {
    /// Not received, and not due yet.
    NotDue,
    /// Due and not received.
    Missing,
    /// Received (first submitted at or before the instant); `late` when that first submission
    /// came after the month's due instant ([`report_on_time`]).
    Received { late: bool },
}

impl Arrival {
    /// Stable identifier: `not_due`, `missing`, `received`.
    pub fn as_str(self) -> &'static str {
        match self {
            Arrival::NotDue => "not_due",
            Arrival::Missing => "missing",
            Arrival::Received { .. } => "received",
        }
    }

    pub fn is_received(self) -> bool {
        matches!(self, Arrival::Received { .. })
    }

    pub fn is_late(self) -> bool {
        matches!(self, Arrival::Received { late: true })
    }
}

/// The report of `month`, first submitted at `first_submitted_at` (if ever), as seen at `at`.
pub fn arrival(
    catalogue: &Catalogue,
    month: Month,
    first_submitted_at: Option<DateTime<Utc>>,
    at: DateTime<Utc>,
) -> Arrival {
    match first_submitted_at {
        Some(first) if first <= at => Arrival::Received {
            late: !report_on_time(catalogue, month, first),
        },
        _ if report_due(catalogue, month) <= at => Arrival::Missing,
        _ => Arrival::NotDue,
    }
}

#[cfg(test)]
mod tests {
    use chrono::TimeZone;
    use chrono_tz::Asia::Shanghai;

    use super::*;

    fn bj(m: u32, d: u32, h: u32, mi: u32, s: u32) -> DateTime<Utc> {
        Shanghai
            .with_ymd_and_hms(2017, m, d, h, mi, s)
            .single()
            .unwrap()
            .with_timezone(&Utc)
    }

    #[test]
    fn a_late_report_is_received_and_late_never_missing() {
        let c = crate::catalogue::builtin_2017();
        let june = Month::new(2017, 6).unwrap();
        // June is due 5 July 23:59:59 Beijing time.
        let due = bj(7, 5, 23, 59, 59);
        let late = bj(7, 6, 0, 0, 0);
        // Before the due instant, nothing received: not due.
        assert_eq!(
            arrival(&c, june, None, bj(7, 5, 23, 59, 58)),
            Arrival::NotDue
        );
        // At the due instant, nothing received: missing.
        assert_eq!(arrival(&c, june, None, due), Arrival::Missing);
        // Received on the due second: on time.
        assert_eq!(
            arrival(&c, june, Some(due), due),
            Arrival::Received { late: false }
        );
        // Received one second after: received, late — looked at any time later.
        assert_eq!(
            arrival(&c, june, Some(late), bj(7, 20, 9, 0, 0)),
            Arrival::Received { late: true }
        );
        assert_eq!(
            arrival(&c, june, Some(late), late),
            Arrival::Received { late: true }
        );
        // Looked at before it came: missing then.
        assert_eq!(arrival(&c, june, Some(late), due), Arrival::Missing);
        // Early reports are received before they are due.
        assert_eq!(
            arrival(&c, june, Some(bj(6, 28, 9, 0, 0)), bj(6, 29, 9, 0, 0)),
            Arrival::Received { late: false }
        );
        assert_eq!(Arrival::Received { late: true }.as_str(), "received");
        assert!(Arrival::Received { late: true }.is_late());
        assert!(!Arrival::Missing.is_received());
    }
}

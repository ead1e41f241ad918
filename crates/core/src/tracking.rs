//! Monthly tracking (按月跟踪, R-TRACK-1..3): report content, reporting months and due
//! instants, red / yellow / green status, reporting rates.
//!
//! Pure domain code (DESIGN "Layers"): the caller passes the catalogue, the accepted plan, the
//! received reports, the facts and `now`; nothing here reads the clock or does I/O. Policy
//! (which months are reported, the due day, the yellow window, how many missing reports make a
//! society red, how many red months suggest rectification) is the catalogue's: its top-level
//! `report_due_day` and its `[tracking]` section ([`crate::catalogue::TrackingRules`]).
//!
//! - [`ReportContent`], [`new_report`], [`validate_report`]: a society's monthly report
//!   (R-TRACK-1); [`ReportExtract`]: its compact progress extract, what colours read (issue 8).
//! - [`Month`], [`expected_months`], [`report_due`], [`report_on_time`], [`months_due_by`]:
//!   reporting months and deadlines (R-TRACK-2).
//! - [`Arrival`], [`arrival`]: whether a month's report has come, as seen at an instant:
//!   received (late or on time), missing, or not due (R-TRACK-2).
//! - [`colours`], [`red_streaks`], [`rectification_suggested`]: status colours (R-TRACK-3)
//!   ([`colours_change_after`]: until when a computation of them holds)
//!   and the rectification trigger (R-PLAN-5). The rules are in [`colours`]' documentation.
//! - [`RateCell`], [`society_rate`], [`month_rate`], [`percent_text`]: completeness and
//!   timeliness (R-TRACK-2).
//! - [`ReportState`], [`ReportAction`], [`report_transition`]: the report workflow (R-TRACK-1).

mod arrival;
mod colour;
mod extract;
mod month;
mod rate;
mod report;
mod workflow;

pub use arrival::{Arrival, arrival};
pub use colour::{
    Colour, Reason, ReceivedReport, SocietyColour, TaskColour, colours, colours_change_after,
    rectification_suggested, red_streaks,
};
pub use extract::{ReportExtract, TaskExtract};
pub use month::{Month, expected_months, months_due_by, report_due, report_on_time};
pub use rate::{RateCell, YearRates, month_rate, percent_text, society_rate, year_rates};
pub use report::{
    REPORT_ISSUE_CODES, ReportContent, TargetValue, TaskReport, TaskStatus, is_reduction,
    new_report, target_met, validate_report,
};
pub use workflow::{ReportAction, ReportState, report_transition};

#[cfg(test)]
mod tests;

//! Monthly tracking pages (R-TRACK-1..3), by feature: a society's year (`timeline`), the
//! monthly report with its evidence (`edit`), the reviewer's comment or return (`review`),
//! CAST's dashboard and its export (`dashboard`), reporting rates (`rates`), month locks and
//! exceptions (`locks`), and the colour rules (`help`).

pub mod dashboard;
pub mod edit;
pub mod help;
pub mod locks;
pub mod queue;
pub mod rates;
pub mod review;
pub mod timeline;

use reformwatch_core::catalogue::Catalogue;
use reformwatch_core::tracking::{self as core, Colour, Month};

use crate::i18n::T;

pub fn colour_label(t: &T, c: Colour) -> String {
    t.pick(c.label_zh(), c.label_en()).to_string()
}

/// "2017年6月" / "2017-06".
pub fn month_label(t: &T, m: Month) -> String {
    if t.is_en() {
        m.to_string()
    } else {
        format!("{}年{}月", m.year, m.month)
    }
}

/// The month's due instant in Beijing time: "2017-07-05 23:59 (北京时间)".
pub fn due_text(t: &T, catalogue: &Catalogue, m: Month) -> String {
    // Beijing time to the minute (issue 10).
    format!(
        "{} ({})",
        crate::present::beijing(core::report_due(catalogue, m)),
        t.t("beijing-time")
    )
}

/// `draft`, `submitted`, `returned`, `missing`, `not_due` in a language.
pub fn report_state_label(t: &T, state: &str) -> String {
    t.t(&format!("report-state-{state}"))
}

/// Discipline groups for filters: (letter, "A 理科").
pub fn groups(t: &T) -> Vec<(String, String)> {
    crate::model::DisciplineGroup::ALL
        .iter()
        .map(|g| {
            (
                g.letter().to_string(),
                format!("{} {}", g.letter(), t.pick(g.name_zh(), g.name_en())),
            )
        })
        .collect()
}

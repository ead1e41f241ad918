//! The year's trend for the home page charts (R-PUB-1): per month, the shares of societies
//! green / yellow / red / grey and the reporting and timeliness rates, as integers
//! (per-mille), with a data table for screen readers.

use std::collections::{BTreeMap, BTreeSet};

use super::download::{Cell, Column, Lang, Table};
use super::model::{Bulletin, Ratio};

/// One month of the trend, from the bulletin that counts for it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TrendPoint {
    pub number: u32,
    pub year: i32,
    pub month: u32,
    /// Shares of all societies, per-mille (they add up to 1000); `None` without societies.
    pub green: Option<u32>,
    pub yellow: Option<u32>,
    pub red: Option<u32>,
    pub grey: Option<u32>,
    /// Overall reporting rate and timeliness, per-mille; `None` when nothing was expected.
    pub received: Option<u32>,
    pub on_time: Option<u32>,
    /// The same as published text (`87.5%`), in the order green, yellow, red, grey,
    /// received, on time.
    pub texts: [String; 6],
}

/// The trend of a year.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Trend {
    pub year: i32,
    /// Chronological.
    pub points: Vec<TrendPoint>,
}

/// The year's trend from published bulletins (any order, any years): per month of `year`,
/// the latest bulletin that no bulletin in `bulletins` corrects.
pub fn trend(bulletins: &[Bulletin], year: i32) -> Trend {
    let superseded: BTreeSet<u32> = bulletins.iter().flat_map(|b| b.corrects.clone()).collect();
    let mut per_month: BTreeMap<u32, &Bulletin> = BTreeMap::new();
    for b in bulletins
        .iter()
        .filter(|b| b.year == year && !superseded.contains(&b.number))
    {
        let slot = per_month.entry(b.month).or_insert(b);
        if b.number > slot.number {
            *slot = b;
        }
    }
    let points = per_month
        .values()
        .map(|b| {
            let o = &b.overall;
            let text = |r: &Ratio| r.text.clone();
            TrendPoint {
                number: b.number,
                year: b.year,
                month: b.month,
                green: o.shares.green.permille,
                yellow: o.shares.yellow.permille,
                red: o.shares.red.permille,
                grey: o.shares.grey.permille,
                received: o.reports.received_rate.permille,
                on_time: o.reports.on_time_rate.permille,
                texts: [
                    text(&o.shares.green),
                    text(&o.shares.yellow),
                    text(&o.shares.red),
                    text(&o.shares.grey),
                    text(&o.reports.received_rate),
                    text(&o.reports.on_time_rate),
                ],
            }
        })
        .collect();
    Trend { year, points }
}

/// Columns of the trend's data table, in order.
pub const TREND_COLUMNS: &[(&str, &str, &str)] = &[
    ("month", "月份", "Month"),
    ("bulletin", "通报", "Bulletin"),
    ("green_share", "绿色占比", "Green share"),
    ("yellow_share", "黄色占比", "Yellow share"),
    ("red_share", "红色占比", "Red share"),
    ("grey_share", "灰色占比", "Grey share"),
    ("received_rate", "报送率", "Reporting rate"),
    ("on_time_rate", "按时报送率", "Timeliness"),
];

const MONTHS_EN: [&str; 12] = [
    "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
];

/// The trend as a data table (the text behind the chart, for screen readers and for those
/// who prefer numbers): one row per month.
pub fn trend_table(trend: &Trend, lang: Lang) -> Table {
    Table {
        id: "trend",
        name_zh: "年度趋势",
        name_en: "Trend of the year",
        columns: TREND_COLUMNS
            .iter()
            .map(|(id, zh, en)| Column {
                id: (*id).to_owned(),
                zh: (*zh).to_owned(),
                en: (*en).to_owned(),
            })
            .collect(),
        rows: trend
            .points
            .iter()
            .map(|p| {
                let month = match lang {
                    Lang::Zh => format!("{}年{}月", p.year, p.month),
                    Lang::En => format!(
                        "{} {}",
                        MONTHS_EN
                            .get(usize::try_from(p.month.saturating_sub(1)).unwrap_or(0))
                            .copied()
                            .unwrap_or(""),
                        p.year
                    ),
                };
                let bulletin = match lang {
                    Lang::Zh => format!("第{}期", p.number),
                    Lang::En => format!("No. {}", p.number),
                };
                let mut row = vec![Cell::Text(month), Cell::Text(bulletin)];
                row.extend(p.texts.iter().map(|s| Cell::Text(s.clone())));
                row
            })
            .collect(),
    }
}

//! CAST's dashboard (R-TRACK-3): societies × tasks for a month, coloured, with the month's
//! report state, review comments and evidence; the same data feeds the page, the .xlsx export
//! and the API.

use reformwatch_core::catalogue::TaskClass;
use reformwatch_core::tracking::{self as core, Colour, Month};
use serde::Deserialize;

use crate::AppState;
use crate::db::reports as store;
use crate::db::societies::{self, SocietyFilter};
use crate::db::{evidence, parse_ts};
use crate::error::{AppError, AppResult};
use crate::i18n::T;
use crate::service::reports as service;

pub fn colour_label(t: &T, c: Colour) -> String {
    t.pick(c.label_zh(), c.label_en()).to_string()
}

fn report_state_label(t: &T, state: &str) -> String {
    t.t(&format!("report-state-{state}"))
}

#[derive(Deserialize, Default, Clone)]
pub struct DashQuery {
    /// Catalogue year (default: the newest).
    #[serde(default)]
    pub year: Option<String>,
    #[serde(default)]
    pub month: Option<String>,
    #[serde(default)]
    pub group: String,
    #[serde(default)]
    pub colour: String,
    #[serde(default)]
    pub class: String,
    #[serde(default)]
    pub late: Option<String>,
    #[serde(default)]
    pub sort: String,
}

#[derive(serde::Serialize, utoipa::ToSchema)]
pub struct DashRow {
    pub code: String,
    pub name: String,
    pub colour: &'static str,
    pub colour_label: String,
    pub reasons: String,
    pub report_state: String,
    pub report_link: Option<String>,
    pub late: bool,
    pub cells: Vec<(&'static str, String, String)>,
    pub comments: String,
    pub evidence: Vec<String>,
    #[serde(skip)]
    severity: u8,
}

pub struct Dashboard {
    pub year: i32,
    pub month: Month,
    pub rows: Vec<DashRow>,
    pub task_cols: Vec<(String, String)>,
    pub counts: Vec<(&'static str, String, usize)>,
    pub rate: core::RateCell,
}

/// Colours of every matching society at the chosen month's report due instant (or now, when
/// earlier), with that month's report state.
pub async fn dashboard_data(state: &AppState, t: &T, q: &DashQuery) -> AppResult<Dashboard> {
    let catalogue = crate::service::catalogues::get(state, q.year.as_deref()).await?;
    let now = state.clock.now();
    let expected = core::expected_months(&catalogue);
    let month = match q
        .month
        .as_deref()
        .and_then(|m| m.trim().parse::<u32>().ok())
        .and_then(|m| Month::new(catalogue.year, m))
    {
        Some(m) => m,
        None => core::months_due_by(&catalogue, now)
            .last()
            .copied()
            .or_else(|| expected.first().copied())
            .ok_or(AppError::NotFound)?,
    };
    let at = core::report_due(&catalogue, month).min(now);
    let classes: Vec<TaskClass> = match q.class.as_str() {
        "basic" => vec![TaskClass::Basic],
        "election" => vec![TaskClass::Election],
        "optional" => vec![TaskClass::Optional],
        _ => vec![TaskClass::Basic, TaskClass::Election, TaskClass::Optional],
    };
    let task_numbers: Vec<u32> = catalogue
        .tasks
        .iter()
        .filter(|x| classes.contains(&x.class))
        .map(|x| x.number)
        .collect();
    let all = societies::list(
        &state.db,
        &SocietyFilter {
            group: Some(q.group.clone()).filter(|g| !g.is_empty()),
            ..Default::default()
        },
    )
    .await?;
    let reports = store::of_year(&state.db, catalogue.year).await?;
    let ev = evidence::of_year(&state.db, catalogue.year).await?;
    let mut rows = Vec::new();
    let mut counts: Vec<(&'static str, String, usize)> =
        [Colour::Red, Colour::Yellow, Colour::Green, Colour::Grey]
            .iter()
            .map(|c| (c.as_str(), colour_label(t, *c), 0))
            .collect();
    let mut expected_n = 0u32;
    let mut firsts = Vec::new();
    for s in &all {
        let colours = service::society_colours(state, s, &catalogue, at).await?;
        let has_plan = colours.colour != Colour::Grey
            || service::accepted_plan(state, s.id, catalogue.year)
                .await?
                .is_some();
        let r = reports
            .iter()
            .find(|r| r.society_id == s.id && r.month == month.month);
        if has_plan {
            expected_n += 1;
            if let Some(first) = r
                .and_then(|r| r.first_submitted_at.as_deref())
                .and_then(parse_ts)
            {
                firsts.push(first);
            }
        }
        if let Some(c) = counts.iter_mut().find(|c| c.0 == colours.colour.as_str()) {
            c.2 += 1;
        }
        if !q.colour.is_empty() && q.colour != colours.colour.as_str() {
            continue;
        }
        let late = r.and_then(|r| r.first_late_seconds).is_some();
        if q.late.as_deref() == Some("true") && !late {
            continue;
        }
        let state_key = match r {
            Some(r) if r.latest_version.is_some() => r.state.clone(),
            Some(_) => "draft".into(),
            None if has_plan && core::months_due_by(&catalogue, now).contains(&month) => {
                "missing".into()
            }
            None => "not_due".into(),
        };
        let comments = match r {
            Some(r) => store::reviews(&state.db, r.id)
                .await?
                .iter()
                .map(|x| {
                    format!(
                        "v{} {}: {}",
                        x.version,
                        t.t(&format!("report-review-{}", x.decision)),
                        x.comment
                    )
                })
                .collect::<Vec<_>>()
                .join("\n"),
            None => String::new(),
        };
        rows.push(DashRow {
            code: s.code.clone(),
            name: s.name.clone(),
            colour: colours.colour.as_str(),
            colour_label: colour_label(t, colours.colour),
            reasons: colours
                .reasons
                .iter()
                .map(|x| t.pick(&x.message_zh, &x.message_en).to_string())
                .collect::<Vec<_>>()
                .join("；"),
            report_state: report_state_label(t, &state_key),
            report_link: r.map(|_| {
                format!(
                    "/societies/{}/reports/{}/{}",
                    s.code, month.year, month.month
                )
            }),
            late,
            cells: task_numbers
                .iter()
                .map(|n| match colours.task(*n) {
                    Some(tc) => (
                        tc.colour.as_str(),
                        tc.reasons
                            .iter()
                            .map(|x| t.pick(&x.message_zh, &x.message_en).to_string())
                            .collect::<Vec<_>>()
                            .join("；"),
                        symbol(tc.colour).to_string(),
                    ),
                    None => ("", String::new(), String::new()),
                })
                .collect(),
            comments,
            evidence: ev
                .iter()
                .filter(|e| e.society_id == s.id && e.month == Some(month.month))
                .map(|e| {
                    format!(
                        "{}/evidence/{} ({})",
                        state.config.public_url.trim_end_matches('/'),
                        e.id,
                        e.name
                    )
                })
                .collect(),
            severity: colours.colour.severity(),
        });
    }
    if q.sort == "colour" {
        rows.sort_by(|a, b| b.severity.cmp(&a.severity).then(a.code.cmp(&b.code)));
    }
    Ok(Dashboard {
        year: catalogue.year,
        month,
        rows,
        task_cols: task_numbers
            .iter()
            .map(|n| {
                (
                    n.to_string(),
                    catalogue
                        .task(*n)
                        .map(|x| t.pick(&x.title_zh, &x.title_en).to_string())
                        .unwrap_or_default(),
                )
            })
            .collect(),
        counts,
        rate: core::month_rate(&catalogue, month, expected_n, &firsts, now),
    })
}

pub fn symbol(c: Colour) -> &'static str {
    match c {
        Colour::Red => "●",
        Colour::Yellow => "▲",
        Colour::Green => "✓",
        Colour::Grey => "–",
    }
}

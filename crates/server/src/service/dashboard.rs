//! CAST's dashboard (R-TRACK-3): societies × tasks for a month, coloured, with the month's
//! report state, review comments and evidence. One snapshot loaded in a fixed number of
//! queries (independent of the number of societies), colours computed by the domain core in
//! memory; the same rows feed the page, the .xlsx export and the API. Rows are independent of
//! each other once the snapshot is loaded, so an export can write them as they are produced.

use std::collections::HashMap;
use std::sync::Arc;

use reformwatch_core::catalogue::{Catalogue, TaskClass};
use reformwatch_core::tracking::{self as core, Arrival, Colour, Month, RateCell, SocietyColour};
use serde::Deserialize;

use crate::AppState;
use crate::auth::policy::Action;
use crate::db::documents::{self, Review};
use crate::db::evidence::{self, Evidence};
use crate::db::parse_ts;
use crate::db::reports::{self, REPORTS, Summary};
use crate::db::societies::{self, Society, SocietyFilter};
use crate::error::{AppError, AppResult};
use crate::i18n::T;
use crate::model::DisciplineGroup;
use crate::principal::Principal;
use crate::service::progress::{Progress, month_state};

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
    /// The page of the dashboard page (100 societies each); the .xlsx and the API carry every
    /// matching row.
    #[serde(default)]
    pub page: Option<String>,
}

/// One society on the dashboard: shared parts of the snapshots it was built from (issue 8:
/// building 10,000 rows copies no society, colour or report).
pub struct Row {
    pub society: Arc<Society>,
    pub colours: Arc<SocietyColour>,
    pub has_plan: bool,
    /// The chosen month's report, if one was started.
    pub report: Option<Arc<Summary>>,
    /// Its reviews.
    pub reviews: Arc<Vec<Review>>,
    /// Evidence attached to the month's report.
    pub evidence: Arc<Vec<Evidence>>,
}

/// What the dashboard reads of a month besides progress, at one database version (issue 8):
/// the registry's active societies in code order, the month's reports, their reviews and the
/// evidence attached to them. Four statements, kept in `state.snapshots` with the progress
/// (every write to these tables audits with an action that moves the snapshot version, so that
/// version covers them too: see `Progress::of_all`).
pub struct MonthData {
    pub societies: Vec<Arc<Society>>,
    /// The month's reports by society id.
    pub reports: HashMap<i64, Arc<Summary>>,
    /// Their reviews by report id.
    pub reviews: HashMap<i64, Arc<Vec<Review>>>,
    /// Evidence attached to the month's reports, by society id.
    pub evidence: HashMap<i64, Arc<Vec<Evidence>>>,
}

/// A year's [`MonthData`] at one version, each month loaded when first asked for.
#[derive(Default)]
struct MonthViews {
    months: tokio::sync::Mutex<HashMap<u32, Arc<MonthData>>>,
}

impl MonthData {
    /// The month's data at `version` (read by the caller before, `progress::version`): kept,
    /// or loaded and kept; `None` (a draft catalogue): loaded and not kept.
    pub async fn at(
        state: &AppState,
        catalogue: &Catalogue,
        version: Option<&crate::snapshots::Version>,
        month: Month,
    ) -> AppResult<Arc<MonthData>> {
        let Some(version) = version else {
            return Ok(Arc::new(
                MonthData::load(state, catalogue.year, month).await?,
            ));
        };
        let views = state.snapshots.get_or_put(version, MonthViews::default)?;
        let mut months = views.months.lock().await;
        if let Some(d) = months.get(&month.month) {
            return Ok(d.clone());
        }
        let d = Arc::new(MonthData::load(state, catalogue.year, month).await?);
        months.insert(month.month, d.clone());
        Ok(d)
    }

    async fn load(state: &AppState, year: i32, month: Month) -> AppResult<MonthData> {
        let societies = societies::list(&state.db, &SocietyFilter::default())
            .await?
            .into_iter()
            .map(Arc::new)
            .collect();
        let reports = reports::summaries_of_month(&state.db, year, month.month)
            .await?
            .into_iter()
            .map(|r| (r.society_id, Arc::new(r)))
            .collect();
        let reviews = documents::reviews_of_month(&state.db, &REPORTS, year, month.month)
            .await?
            .into_iter()
            .map(|(id, r)| (id, Arc::new(r)))
            .collect();
        let mut evidence: HashMap<i64, Vec<Evidence>> = HashMap::new();
        for e in evidence::of_report_month(&state.db, year, month.month).await? {
            evidence.entry(e.society_id).or_default().push(e);
        }
        Ok(MonthData {
            societies,
            reports,
            reviews,
            evidence: evidence
                .into_iter()
                .map(|(id, e)| (id, Arc::new(e)))
                .collect(),
        })
    }
}

impl Row {
    /// The chosen month's report column at the dashboard's instant: `submitted` / `returned`
    /// (received), `missing` (due, not received), `draft` or `not_due`, or `no_plan` (no
    /// accepted plan and no report); and whether it came late. A society without an accepted
    /// plan is expected to report nothing.
    pub fn report_state(&self, d: &Dashboard) -> (&'static str, Arrival) {
        let (key, arrival) = month_state(
            &d.catalogue,
            d.month,
            self.report
                .as_ref()
                .map(|r| (r.state, r.first_submitted_at.as_deref())),
            d.now,
        );
        if !self.has_plan && self.report.is_none() {
            // Labelled as what it is, not "not due" (issue 10).
            ("no_plan", Arrival::NotDue)
        } else if key == "missing" && !self.has_plan {
            ("not_due", Arrival::NotDue)
        } else {
            (key, arrival)
        }
    }
}

pub struct Dashboard {
    pub catalogue: Arc<Catalogue>,
    pub month: Month,
    /// The tasks shown as columns (the chosen classes).
    pub tasks: Vec<u32>,
    /// The matching rows, filtered and sorted.
    pub rows: Vec<Row>,
    /// Societies per colour (before the colour and late filters), worst first.
    pub counts: Vec<(Colour, usize)>,
    /// The month's reporting rate over the societies with an accepted plan.
    pub rate: RateCell,
    pub now: chrono::DateTime<chrono::Utc>,
}

/// The dashboard of a month (default: the latest due month), filtered (staff). Everything is
/// judged now (R-TRACK-2): colours from what has come by now, a report that came after its
/// due instant as received and late; the month's due instant decides only what "on time"
/// means.
pub async fn load(state: &AppState, who: &Principal, q: &DashQuery) -> AppResult<Dashboard> {
    who.require(Action::ListAllSocieties, None)?;
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
    let classes: Vec<TaskClass> = match q.class.as_str() {
        "basic" => vec![TaskClass::Basic],
        "election" => vec![TaskClass::Election],
        "optional" => vec![TaskClass::Optional],
        _ => vec![TaskClass::Basic, TaskClass::Election, TaskClass::Optional],
    };
    let tasks: Vec<u32> = catalogue
        .tasks
        .iter()
        .filter(|x| classes.contains(&x.class))
        .map(|x| x.number)
        .collect();
    let started = std::time::Instant::now();
    // One version for everything read here (issue 8): the snapshot version, one statement.
    let version = crate::service::progress::version(state, &catalogue).await?;
    let progress = Progress::of_all_at(state, &catalogue, version.as_ref()).await?;
    let progress_ms = started.elapsed().as_millis();
    let data = MonthData::at(state, &catalogue, version.as_ref(), month).await?;
    let month_ms = started.elapsed().as_millis();
    let colour_set = progress.colours_of_all(&catalogue, now).await?;
    let colours_ms = started.elapsed().as_millis();
    let group = DisciplineGroup::from_letter(&q.group).map(|g| g.letter().to_string());
    let mut counts: Vec<(Colour, usize)> = Colour::ALL.iter().map(|c| (*c, 0)).collect();
    let mut expected_n = 0u32;
    let mut firsts = Vec::new();
    let mut rows = Vec::new();
    for s in &data.societies {
        if group.as_ref().is_some_and(|g| *g != s.discipline_group) {
            continue;
        }
        let colours = colour_set.of(s.id);
        let has_plan = progress.plan(s.id).is_some();
        let report = data.reports.get(&s.id).cloned();
        if has_plan {
            expected_n += 1;
            if let Some(first) = report
                .as_ref()
                .and_then(|r| r.first_submitted_at.as_deref())
                .and_then(parse_ts)
            {
                firsts.push(first);
            }
        }
        if let Some(c) = counts.iter_mut().find(|c| c.0 == colours.colour) {
            c.1 += 1;
        }
        if !q.colour.is_empty() && q.colour != colours.colour.as_str() {
            continue;
        }
        if q.late.as_deref() == Some("true") {
            let late = month_state(
                &catalogue,
                month,
                report
                    .as_ref()
                    .map(|r| (r.state, r.first_submitted_at.as_deref())),
                now,
            )
            .1
            .is_late();
            if !late {
                continue;
            }
        }
        rows.push(Row {
            reviews: report
                .as_ref()
                .and_then(|r| data.reviews.get(&r.id).cloned())
                .unwrap_or_default(),
            evidence: data.evidence.get(&s.id).cloned().unwrap_or_default(),
            society: s.clone(),
            colours,
            has_plan,
            report,
        });
    }
    if q.sort == "colour" {
        rows.sort_by(|a, b| {
            b.colours
                .colour
                .severity()
                .cmp(&a.colours.colour.severity())
                .then(a.society.code.cmp(&b.society.code))
        });
    }
    // Where a request's time goes (issue 8): RUST_LOG=reformwatch=debug.
    tracing::debug!(
        societies = rows.len(),
        progress_ms,
        month_ms = month_ms - progress_ms,
        colours_ms = colours_ms - month_ms,
        rows_ms = started.elapsed().as_millis() - colours_ms,
        "dashboard loaded"
    );
    Ok(Dashboard {
        rate: core::month_rate(&catalogue, month, expected_n, &firsts, now),
        catalogue,
        month,
        tasks,
        rows,
        counts,
        now,
    })
}

/// A dashboard row in a language, as the page, the export and the API show it.
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
    /// Per task column: (colour, reasons, symbol).
    pub cells: Vec<(&'static str, String, String)>,
    pub comments: String,
    pub evidence: Vec<String>,
}

pub fn colour_label(t: &T, c: Colour) -> String {
    t.pick(c.label_zh(), c.label_en()).to_string()
}

/// The symbol of a colour in a matrix cell.
pub fn symbol(c: Colour) -> &'static str {
    match c {
        Colour::Red => "●",
        Colour::Yellow => "▲",
        Colour::Green => "✓",
        Colour::Grey => "–",
    }
}

impl Dashboard {
    /// One row in a language; `public_url` prefixes the evidence links.
    pub fn row_text(&self, t: &T, public_url: &str, r: &Row) -> DashRow {
        self.row_text_with(t, public_url, r, true)
    }

    /// [`Dashboard::row_text`]; without `cell_reasons` the task cells' reasons are left empty
    /// (the .xlsx shows only each cell's colour: at 10,000 societies the reasons of every cell
    /// are a large part of an export's time).
    pub fn row_text_with(&self, t: &T, public_url: &str, r: &Row, cell_reasons: bool) -> DashRow {
        let reasons = |rs: &[core::Reason]| {
            crate::present::sentences(
                rs.iter()
                    .map(|x| t.pick(&x.message_zh, &x.message_en).to_string()),
            )
        };
        let (state_key, arrival) = r.report_state(self);
        DashRow {
            code: r.society.code.clone(),
            name: r.society.name.clone(),
            colour: r.colours.colour.as_str(),
            colour_label: colour_label(t, r.colours.colour),
            reasons: reasons(&r.colours.reasons),
            report_state: if state_key == "no_plan" {
                t.t("flows-dashboard-no-plan")
            } else {
                t.t(&format!("report-state-{state_key}"))
            },
            report_link: r.report.as_ref().map(|_| {
                format!(
                    "/societies/{}/reports/{}/{}",
                    r.society.code, self.month.year, self.month.month
                )
            }),
            late: arrival.is_late(),
            cells: self
                .tasks
                .iter()
                .map(|n| match r.colours.task(*n) {
                    Some(tc) => (
                        tc.colour.as_str(),
                        if cell_reasons {
                            reasons(&tc.reasons)
                        } else {
                            String::new()
                        },
                        symbol(tc.colour).to_string(),
                    ),
                    None => ("", String::new(), String::new()),
                })
                .collect(),
            comments: r
                .reviews
                .iter()
                .map(|x| {
                    format!(
                        "v{} {}: {}",
                        x.version,
                        t.t(&format!("report-review-{}", x.decision.as_str())),
                        x.comment
                    )
                })
                .collect::<Vec<_>>()
                .join("\n"),
            evidence: r
                .evidence
                .iter()
                .map(|e| {
                    format!(
                        "{}/evidence/{} ({})",
                        public_url.trim_end_matches('/'),
                        e.id,
                        e.name
                    )
                })
                .collect(),
        }
    }

    /// The task columns: (number, title) in a language.
    pub fn task_columns(&self, t: &T) -> Vec<(String, String)> {
        self.tasks
            .iter()
            .map(|n| {
                (
                    n.to_string(),
                    self.catalogue
                        .task(*n)
                        .map(|x| t.pick(&x.title_zh, &x.title_en).to_string())
                        .unwrap_or_default(),
                )
            })
            .collect()
    }
}

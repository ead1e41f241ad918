//! Maximum lengths of every free text and list in plans and monthly reports (issue 9 finding
//! 5): checked before a draft is stored, by pages and API alike; documented in
//! docs/SECURITY.md and, as `maxLength` / `maxItems` read from these constants, in the OpenAPI
//! document (`api::drafts`). Lengths are in characters.

use reformwatch_core::catalogue::Catalogue;
use reformwatch_core::facts::FactKind;
use reformwatch_core::tracking::ReportContent;

use crate::db::plans::PlanBody;
use crate::model::FieldError;

/// Summary of a plan, analysis of a rectification plan, narrative of a report.
pub const LONG_TEXT: usize = 20_000;
/// Notes of a task, progress and blocked reason of a report task, a problem's description,
/// a measure.
pub const TEXT: usize = 5_000;
/// A reason given for a rectification request or a judgement.
pub const REASON: usize = 2_000;
/// Names, positions, metrics, units, milestones, owners.
pub const SHORT_TEXT: usize = 200;
/// Tasks in a plan or report.
pub const MAX_TASKS: usize = 64;
/// Rows in any other list.
pub const MAX_ROWS: usize = 50;
/// Largest absolute integer in a target or reported value (10¹⁵: far beyond any count a
/// society reports, far below where arithmetic on it could overflow).
pub const MAX_INT: i64 = 1_000_000_000_000_000;

struct Check(Vec<FieldError>);

impl Check {
    fn text(&mut self, field: impl Fn() -> String, value: &str, max: usize) {
        if value.chars().count() > max {
            self.0
                .push(FieldError::new(&field(), "err-too-long").arg("max", max));
        }
    }
    fn list(&mut self, field: impl Fn() -> String, len: usize, max: usize) {
        if len > max {
            self.0
                .push(FieldError::new(&field(), "err-form-list-too-long").arg("max", max));
        }
    }
    fn int(&mut self, field: impl Fn() -> String, value: Option<i64>) {
        if value.is_some_and(|v| !(-MAX_INT..=MAX_INT).contains(&v)) {
            self.0.push(
                FieldError::new(&field(), "err-int-range")
                    .arg("min", -MAX_INT)
                    .arg("max", MAX_INT),
            );
        }
    }
    fn done(self) -> Result<(), Vec<FieldError>> {
        if self.0.is_empty() {
            Ok(())
        } else {
            Err(self.0)
        }
    }
}

/// A plan draft within every limit; target facts must be integer facts the catalogue
/// declares (issue 9 finding 9).
pub fn plan(catalogue: &Catalogue, body: &PlanBody) -> Result<(), Vec<FieldError>> {
    let mut c = Check(Vec::new());
    match body {
        PlanBody::Reform(p) => {
            c.text(|| "summary".into(), &p.summary, LONG_TEXT);
            c.list(|| "tasks".into(), p.tasks.len(), MAX_TASKS);
            for (i, t) in p.tasks.iter().enumerate().take(MAX_TASKS) {
                c.text(|| format!("tasks[{i}].notes"), &t.notes, TEXT);
                c.list(
                    || format!("tasks[{i}].responsible"),
                    t.responsible.len(),
                    MAX_ROWS,
                );
                c.list(|| format!("tasks[{i}].targets"), t.targets.len(), MAX_ROWS);
                c.list(
                    || format!("tasks[{i}].milestones"),
                    t.milestones.len(),
                    MAX_ROWS,
                );
                for (j, r) in t.responsible.iter().enumerate().take(MAX_ROWS) {
                    c.text(
                        || format!("tasks[{i}].responsible[{j}].name"),
                        &r.name,
                        SHORT_TEXT,
                    );
                    c.text(
                        || format!("tasks[{i}].responsible[{j}].position"),
                        &r.position,
                        SHORT_TEXT,
                    );
                }
                for (j, g) in t.targets.iter().enumerate().take(MAX_ROWS) {
                    c.text(
                        || format!("tasks[{i}].targets[{j}].metric"),
                        &g.metric,
                        SHORT_TEXT,
                    );
                    c.text(
                        || format!("tasks[{i}].targets[{j}].unit"),
                        &g.unit,
                        SHORT_TEXT,
                    );
                    c.int(|| format!("tasks[{i}].targets[{j}].baseline"), g.baseline);
                    c.int(|| format!("tasks[{i}].targets[{j}].target"), g.target);
                    if let Some(f) = g.fact.as_deref().filter(|f| !f.trim().is_empty())
                        && catalogue.fact(f).is_none_or(|d| d.kind != FactKind::Int)
                    {
                        c.0.push(
                            FieldError::new(
                                &format!("tasks[{i}].targets[{j}].fact"),
                                "err-unknown-fact",
                            )
                            .arg("name", f.chars().take(SHORT_TEXT).collect::<String>()),
                        );
                    }
                }
                for (j, m) in t.milestones.iter().enumerate().take(MAX_ROWS) {
                    c.text(
                        || format!("tasks[{i}].milestones[{j}].what"),
                        &m.what,
                        SHORT_TEXT,
                    );
                }
            }
        }
        PlanBody::Rectification(r) => {
            c.text(|| "analysis".into(), &r.analysis, LONG_TEXT);
            c.list(|| "problems".into(), r.problems.len(), MAX_ROWS);
            c.list(|| "measures".into(), r.measures.len(), MAX_ROWS);
            for (i, p) in r.problems.iter().enumerate().take(MAX_ROWS) {
                c.text(
                    || format!("problems[{i}].description"),
                    &p.description,
                    TEXT,
                );
            }
            for (i, m) in r.measures.iter().enumerate().take(MAX_ROWS) {
                c.text(|| format!("measures[{i}].what"), &m.what, TEXT);
                c.text(|| format!("measures[{i}].owner"), &m.owner, SHORT_TEXT);
            }
        }
    }
    c.done()
}

/// A report draft within every limit.
pub fn report(content: &ReportContent) -> Result<(), Vec<FieldError>> {
    let mut c = Check(Vec::new());
    c.text(|| "narrative".into(), &content.narrative, LONG_TEXT);
    c.list(|| "tasks".into(), content.tasks.len(), MAX_TASKS);
    for (i, t) in content.tasks.iter().enumerate().take(MAX_TASKS) {
        c.text(|| format!("tasks[{i}].progress"), &t.progress, TEXT);
        c.text(
            || format!("tasks[{i}].blocked_reason"),
            &t.blocked_reason,
            TEXT,
        );
        c.list(|| format!("tasks[{i}].values"), t.values.len(), MAX_ROWS);
        c.list(
            || format!("tasks[{i}].milestones_reached"),
            t.milestones_reached.len(),
            MAX_ROWS,
        );
        for (j, v) in t.values.iter().enumerate().take(MAX_ROWS) {
            c.int(|| format!("tasks[{i}].values[{j}].value"), v.value);
        }
    }
    c.done()
}

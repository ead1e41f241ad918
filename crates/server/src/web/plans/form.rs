//! The plan editor's form: content → rows of cells (typed values after an error take
//! precedence, one blank row per list for adding), and form pairs → typed content.

use std::cell::Cell as Counter;
use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet};

use reformwatch_core::catalogue::{Catalogue, TaskClass};
use reformwatch_core::plan::{
    Measure, Milestone, PlanContent, PlanTask, Problem, RectificationContent, Responsible, Target,
};

use crate::db::plans::PlanBody;
use crate::i18n::T;
use crate::model::FieldError;

pub struct Cell {
    pub name: String,
    pub value: String,
    pub kind: &'static str,
    pub error: Option<String>,
}

pub struct TaskBlock {
    pub number: u32,
    pub title: String,
    pub class: &'static str,
    pub class_label: String,
    pub resp: Vec<(Cell, Cell)>,
    pub targets: Vec<Vec<Cell>>,
    pub milestones: Vec<(Cell, Cell)>,
    pub notes: Cell,
    pub proposals: Vec<String>,
    pub comment: Option<String>,
    /// An optional task not chosen (yet): rendered in the editor but hidden until its box is
    /// ticked (issue 10); never shown read-only.
    pub hidden: bool,
}

/// Which list of the form gets one more empty row ("add row" without JavaScript, issue 10):
/// `t12_resp`, `t12_tgt`, `t12_ms` (task 12's responsible people, targets, milestones), `p`
/// (problems) or `m` (measures). Anything else is ignored.
pub fn parse_add_row(raw: &str) -> Option<String> {
    match raw {
        "p" | "m" => return Some(raw.to_string()),
        _ => {}
    }
    let rest = raw.strip_prefix('t')?;
    let (n, list) = rest.split_once('_')?;
    let n: u32 = n.parse().ok().filter(|n| (1..1000).contains(n))?;
    matches!(list, "resp" | "tgt" | "ms").then(|| format!("t{n}_{list}"))
}

/// The id of the plan editor's input that a validation issue of the core (`PlanIssue`: its task
/// and its field path, e.g. task 12 and `targets[0].metric`) is about, so that a refused
/// submission shows each message at its input and the summary links there (issue 10 "Errors
/// where the eye is"; R-PLAN-2, R-PLAN-3, R-PLAN-5). A list that is empty or incomplete as a
/// whole (`responsible`, `targets`, `milestones`, `problems`, `measures`) points at its first
/// row, which the editor always renders (a blank row when the list is empty); `tasks` without
/// a task (too few optional tasks) at the first optional task's box (`first_optional`).
/// `None` (shown in the summary only): a task that is not in the form (a missing mandatory
/// task, an unknown or duplicated task number).
pub fn issue_input(task: Option<u32>, field: &str, first_optional: Option<u32>) -> Option<String> {
    // `name[3].part` → ("name", Some((3, "part"))); `name` → ("name", None).
    let (list, row) = match field.split_once('[') {
        Some((list, rest)) => {
            let (i, part) = rest.split_once("].")?;
            (list, Some((i.parse::<usize>().ok()?, part)))
        }
        None => (field, None),
    };
    // Rectification lists are the plan's, whatever task a problem names.
    match (list, row) {
        ("problems", None) => return Some("p_0_description".into()),
        ("problems", Some((i, part @ ("description" | "task")))) => {
            return Some(format!("p_{i}_{part}"));
        }
        ("measures", None) => return Some("m_0_what".into()),
        ("measures", Some((i, part @ ("what" | "owner" | "due" | "problem")))) => {
            return Some(format!("m_{i}_{part}"));
        }
        ("summary" | "analysis", None) => return Some(list.into()),
        _ => {}
    }
    let Some(n) = task else {
        return match (list, row) {
            ("tasks", None) => first_optional.map(|o| format!("optional-{o}")),
            _ => None,
        };
    };
    match (list, row) {
        ("responsible", None) => Some(format!("t{n}_resp_0_name")),
        ("responsible", Some((i, part @ ("name" | "position")))) => {
            Some(format!("t{n}_resp_{i}_{part}"))
        }
        ("targets", None) => Some(format!("t{n}_tgt_0_metric")),
        // The linked fact has no input of its own: it is chosen with the metric.
        ("targets", Some((i, "fact"))) => Some(format!("t{n}_tgt_{i}_metric")),
        ("targets", Some((i, part @ ("metric" | "unit" | "baseline" | "target" | "due")))) => {
            Some(format!("t{n}_tgt_{i}_{part}"))
        }
        ("milestones", None) => Some(format!("t{n}_ms_0_date")),
        ("milestones", Some((i, part @ ("date" | "what")))) => Some(format!("t{n}_ms_{i}_{part}")),
        ("notes", None) => Some(format!("t{n}_notes")),
        _ => None,
    }
}

/// Empty rows at the end of a list: one, and one more when "add row" asked for this list.
fn blanks(extra: Option<&str>, list: &str) -> usize {
    if extra == Some(list) { 2 } else { 1 }
}

fn cell(
    typed: &HashMap<String, String>,
    errors: &[FieldError],
    t: &T,
    name: String,
    value: String,
    kind: &'static str,
) -> Cell {
    Cell {
        value: typed.get(&name).cloned().unwrap_or(value),
        error: errors.iter().find(|e| e.field == name).map(|e| t.field(e)),
        name,
        kind,
    }
}

fn opt_int(v: Option<i64>) -> String {
    v.map(|x| x.to_string()).unwrap_or_default()
}

fn opt_date(v: Option<chrono::NaiveDate>) -> String {
    v.map(|x| x.to_string()).unwrap_or_default()
}

pub struct Rendered {
    pub tasks: Vec<TaskBlock>,
    pub optional: Vec<(u32, String, bool)>,
    pub summary: String,
    pub problems: Vec<(Cell, Cell)>,
    pub measures: Vec<Vec<Cell>>,
}

/// How the editor wants the form laid out (issue 10).
#[derive(Default, Clone, Copy)]
pub struct Layout<'a> {
    /// The list that gets one more empty row (see [`parse_add_row`]).
    pub extra: Option<&'a str>,
    /// Also render the optional tasks not chosen, hidden, so that ticking one shows its
    /// section at once.
    pub spare: bool,
}

/// Builds the form rows from content, with typed values (after an error) taking precedence,
/// plus one blank row per list for adding (two for the list named by `layout.extra`).
#[allow(clippy::too_many_arguments)]
pub fn render_content(
    t: &T,
    catalogue: &Catalogue,
    body: &PlanBody,
    typed: &HashMap<String, String>,
    errors: &[FieldError],
    proposals: &BTreeMap<u32, Vec<Target>>,
    comments: &BTreeMap<u32, String>,
    layout: Layout<'_>,
) -> Rendered {
    let extra = layout.extra;
    let c = |name: String, value: String, k: &'static str| cell(typed, errors, t, name, value, k);
    match body {
        PlanBody::Reform(content) => {
            // Optional tasks not chosen, as empty hidden sections (only in the editor).
            let spare: Vec<PlanTask> = if layout.spare {
                catalogue
                    .tasks_of(TaskClass::Optional)
                    .filter(|x| !content.tasks.iter().any(|c| c.number == x.number))
                    .map(|x| PlanTask {
                        number: x.number,
                        ..Default::default()
                    })
                    .collect()
            } else {
                Vec::new()
            };
            let mut tasks: Vec<(&PlanTask, bool)> = content
                .tasks
                .iter()
                .map(|x| (x, false))
                .chain(spare.iter().map(|x| (x, true)))
                .collect();
            tasks.sort_by_key(|x| x.0.number);
            let blocks = tasks
                .iter()
                .map(|&(task, hidden)| {
                    let n = task.number;
                    let def = catalogue.task(n);
                    let mut resp: Vec<(Cell, Cell)> = task
                        .responsible
                        .iter()
                        .enumerate()
                        .map(|(i, r)| {
                            (
                                c(format!("t{n}_resp_{i}_name"), r.name.clone(), "text"),
                                c(
                                    format!("t{n}_resp_{i}_position"),
                                    r.position.clone(),
                                    "text",
                                ),
                            )
                        })
                        .collect();
                    for _ in 0..blanks(extra, &format!("t{n}_resp")) {
                        let i = resp.len();
                        resp.push((
                            c(format!("t{n}_resp_{i}_name"), String::new(), "text"),
                            c(format!("t{n}_resp_{i}_position"), String::new(), "text"),
                        ));
                    }
                    let target_row = |i: usize, tg: Option<&Target>| {
                        vec![
                            c(
                                format!("t{n}_tgt_{i}_metric"),
                                tg.map(|x| x.metric.clone()).unwrap_or_default(),
                                "text",
                            ),
                            c(
                                format!("t{n}_tgt_{i}_unit"),
                                tg.map(|x| x.unit.clone()).unwrap_or_default(),
                                "text",
                            ),
                            c(
                                format!("t{n}_tgt_{i}_baseline"),
                                opt_int(tg.and_then(|x| x.baseline)),
                                "int",
                            ),
                            c(
                                format!("t{n}_tgt_{i}_target"),
                                opt_int(tg.and_then(|x| x.target)),
                                "int",
                            ),
                            c(
                                format!("t{n}_tgt_{i}_due"),
                                opt_date(tg.and_then(|x| x.due)),
                                "date",
                            ),
                        ]
                    };
                    let mut targets: Vec<Vec<Cell>> = task
                        .targets
                        .iter()
                        .enumerate()
                        .map(|(i, tg)| target_row(i, Some(tg)))
                        .collect();
                    for _ in 0..blanks(extra, &format!("t{n}_tgt")) {
                        targets.push(target_row(targets.len(), None));
                    }
                    let mut milestones: Vec<(Cell, Cell)> = task
                        .milestones
                        .iter()
                        .enumerate()
                        .map(|(i, m)| {
                            (
                                c(format!("t{n}_ms_{i}_date"), opt_date(m.date), "date"),
                                c(format!("t{n}_ms_{i}_what"), m.what.clone(), "text"),
                            )
                        })
                        .collect();
                    for _ in 0..blanks(extra, &format!("t{n}_ms")) {
                        let i = milestones.len();
                        milestones.push((
                            c(format!("t{n}_ms_{i}_date"), String::new(), "date"),
                            c(format!("t{n}_ms_{i}_what"), String::new(), "text"),
                        ));
                    }
                    TaskBlock {
                        number: n,
                        title: def
                            .map(|d| t.pick(&d.title_zh, &d.title_en).to_string())
                            .unwrap_or_else(|| format!("#{n}")),
                        class: def.map(|d| d.class.as_str()).unwrap_or("optional"),
                        class_label: def
                            .map(|d| crate::web::catalogue::class_label(t, d.class))
                            .unwrap_or_default(),
                        resp,
                        targets,
                        milestones,
                        notes: c(format!("t{n}_notes"), task.notes.clone(), "text"),
                        proposals: proposals
                            .get(&n)
                            .map(|ps| {
                                ps.iter()
                                    .map(|p| {
                                        // No empty "（基数 ）" when there is no baseline.
                                        let baseline = p
                                            .baseline
                                            .map(|b| format!("（{} {b}）", t.t("plan-baseline")))
                                            .unwrap_or_default();
                                        format!(
                                            "{}：{} {} {}{baseline}",
                                            p.metric,
                                            opt_int(p.target),
                                            p.unit,
                                            opt_date(p.due),
                                        )
                                    })
                                    .collect()
                            })
                            .unwrap_or_default(),
                        comment: comments.get(&n).cloned(),
                        hidden,
                    }
                })
                .collect();
            let chosen: Vec<u32> = content.tasks.iter().map(|x| x.number).collect();
            let optional = catalogue
                .tasks_of(TaskClass::Optional)
                .map(|x| {
                    (
                        x.number,
                        t.pick(&x.title_zh, &x.title_en).to_string(),
                        chosen.contains(&x.number),
                    )
                })
                .collect();
            Rendered {
                tasks: blocks,
                optional,
                summary: typed
                    .get("summary")
                    .cloned()
                    .unwrap_or_else(|| content.summary.clone()),
                problems: vec![],
                measures: vec![],
            }
        }
        PlanBody::Rectification(content) => {
            let mut problems: Vec<(Cell, Cell)> = content
                .problems
                .iter()
                .enumerate()
                .map(|(i, p)| {
                    (
                        c(format!("p_{i}_description"), p.description.clone(), "text"),
                        c(
                            format!("p_{i}_task"),
                            p.task.map(|x| x.to_string()).unwrap_or_default(),
                            "int",
                        ),
                    )
                })
                .collect();
            for _ in 0..blanks(extra, "p") {
                let i = problems.len();
                problems.push((
                    c(format!("p_{i}_description"), String::new(), "text"),
                    c(format!("p_{i}_task"), String::new(), "int"),
                ));
            }
            let row = |i: usize, m: Option<&Measure>| {
                vec![
                    c(
                        format!("m_{i}_what"),
                        m.map(|x| x.what.clone()).unwrap_or_default(),
                        "text",
                    ),
                    c(
                        format!("m_{i}_owner"),
                        m.map(|x| x.owner.clone()).unwrap_or_default(),
                        "text",
                    ),
                    c(
                        format!("m_{i}_due"),
                        opt_date(m.and_then(|x| x.due)),
                        "date",
                    ),
                    c(
                        format!("m_{i}_problem"),
                        m.and_then(|x| x.problem)
                            .map(|p| (p + 1).to_string())
                            .unwrap_or_default(),
                        "int",
                    ),
                ]
            };
            let mut measures: Vec<Vec<Cell>> = content
                .measures
                .iter()
                .enumerate()
                .map(|(i, m)| row(i, Some(m)))
                .collect();
            for _ in 0..blanks(extra, "m") {
                measures.push(row(measures.len(), None));
            }
            Rendered {
                tasks: vec![],
                optional: vec![],
                summary: typed
                    .get("analysis")
                    .cloned()
                    .unwrap_or_else(|| content.analysis.clone()),
                problems,
                measures,
            }
        }
    }
}

/// Most fields one plan form may carry (issue 9 finding 1): a full 2017 plan with every list
/// filled to [`MAX_LIST_ITEMS`] stays well below; 20,000 fields are refused outright.
pub const MAX_FORM_FIELDS: usize = 4_000;
/// Most rows in one list of the form (responsible people, targets, milestones of one task;
/// problems, measures of a rectification plan).
pub const MAX_LIST_ITEMS: usize = 50;
/// Longest field name the form uses (`t24_tgt_49_baseline` is 19 characters).
const MAX_FIELD_NAME: usize = 64;

/// The form's fields indexed once (issue 9 finding 1: looking every name up by scanning all
/// pairs made the reader quadratic in the number of fields). Keeps the first value of a
/// repeated name (as the scan did) and every prefix of a name ending in `_`, so "is there a
/// row i" is one hash probe. `steps` counts the work done, for the scaling test.
struct FormIndex<'a> {
    values: HashMap<&'a str, &'a str>,
    prefixes: HashSet<&'a str>,
    steps: Counter<usize>,
}

impl<'a> FormIndex<'a> {
    fn new(pairs: &'a [(String, String)]) -> Self {
        let mut values = HashMap::with_capacity(pairs.len());
        let mut prefixes = HashSet::new();
        let mut steps = 0;
        for (k, v) in pairs {
            steps += 1;
            values.entry(k.as_str()).or_insert(v.as_str());
            if k.len() > MAX_FIELD_NAME {
                continue;
            }
            for (i, _) in k.match_indices('_') {
                steps += 1;
                prefixes.insert(&k[..=i]);
            }
        }
        FormIndex {
            values,
            prefixes,
            steps: Counter::new(steps),
        }
    }
    fn get(&self, k: &str) -> String {
        self.steps.set(self.steps.get() + 1);
        self.values
            .get(k)
            .map(|v| v.trim().to_string())
            .unwrap_or_default()
    }
    fn has(&self, prefix: &str) -> bool {
        self.steps.set(self.steps.get() + 1);
        self.prefixes.contains(prefix)
    }
}

/// Refuses a plan form with more than [`MAX_FORM_FIELDS`] fields (HTTP 422 with the reason).
pub fn check_field_count(pairs: &[(String, String)]) -> Result<(), FieldError> {
    if pairs.len() > MAX_FORM_FIELDS {
        return Err(FieldError::new("form", "err-form-too-many-fields")
            .arg("count", pairs.len())
            .arg("max", MAX_FORM_FIELDS));
    }
    Ok(())
}

/// Form pairs → content of the plan's kind (or field errors for values that cannot be read,
/// e.g. "abc" as a number; plan-rule problems are not errors here: drafts may break them).
/// Linear in the number of fields; lists longer than [`MAX_LIST_ITEMS`] are refused at the
/// first row over the limit.
pub fn read_form(
    catalogue: &Catalogue,
    current: &PlanBody,
    pairs: &[(String, String)],
) -> Result<PlanBody, Vec<FieldError>> {
    read_form_counted(catalogue, current, pairs).0
}

fn read_form_counted(
    catalogue: &Catalogue,
    current: &PlanBody,
    pairs: &[(String, String)],
) -> (Result<PlanBody, Vec<FieldError>>, usize) {
    if let Err(e) = check_field_count(pairs) {
        return (Err(vec![e]), 0);
    }
    let index = FormIndex::new(pairs);
    let get = |k: &str| index.get(k);
    let mut too_long: Vec<FieldError> = Vec::new();
    let mut has = |prefix: &str, i: usize| {
        let present = index.has(prefix);
        if present && i >= MAX_LIST_ITEMS {
            too_long.push(
                FieldError::new(prefix.trim_end_matches('_'), "err-form-list-too-long")
                    .arg("max", MAX_LIST_ITEMS),
            );
            return false;
        }
        present
    };
    let mut errors = Vec::new();
    let mut int = |name: String| -> Option<i64> {
        let raw = get(&name);
        if raw.is_empty() {
            return None;
        }
        let cleaned: String = raw.chars().filter(|c| *c != ',' && *c != '，').collect();
        match cleaned.parse::<i64>() {
            Ok(v) => Some(v),
            Err(_) => {
                errors.push(FieldError::new(&name, "err-fact-int").arg("value", &raw));
                None
            }
        }
    };
    let mut dates = Vec::new();
    let mut date = |name: String| -> Option<chrono::NaiveDate> {
        let raw = get(&name);
        if raw.is_empty() {
            return None;
        }
        match chrono::NaiveDate::parse_from_str(&raw, "%Y-%m-%d") {
            Ok(d) => Some(d),
            Err(_) => {
                dates.push(FieldError::new(&name, "err-fact-date").arg("value", &raw));
                None
            }
        }
    };
    let value = match current {
        PlanBody::Reform(previous) => {
            let present: BTreeSet<u32> = pairs
                .iter()
                .filter(|(k, _)| k == "present")
                .filter_map(|(_, v)| v.parse().ok())
                .collect();
            let chosen: Vec<u32> = pairs
                .iter()
                .filter(|(k, _)| k == "optional")
                .filter_map(|(_, v)| v.parse().ok())
                .collect();
            let is_optional = |n: u32| {
                catalogue
                    .task(n)
                    .is_some_and(|x| x.class == TaskClass::Optional)
            };
            let mut numbers: Vec<u32> = present
                .iter()
                .copied()
                .filter(|n| !is_optional(*n))
                .chain(chosen.iter().copied())
                .collect();
            // Tasks of the previous draft that were not on the form (e.g. a plain API client) stay.
            if present.is_empty() {
                numbers.extend(
                    previous
                        .tasks
                        .iter()
                        .map(|x| x.number)
                        .filter(|n| !is_optional(*n)),
                );
            }
            numbers.sort_unstable();
            numbers.dedup();
            let mut tasks = Vec::new();
            for n in numbers {
                let mut task = PlanTask {
                    number: n,
                    ..Default::default()
                };
                if present.contains(&n) {
                    let mut i = 0;
                    while has(&format!("t{n}_resp_{i}_"), i) {
                        let name = get(&format!("t{n}_resp_{i}_name"));
                        let position = get(&format!("t{n}_resp_{i}_position"));
                        if !name.is_empty() || !position.is_empty() {
                            task.responsible.push(Responsible { name, position });
                        }
                        i += 1;
                    }
                    let mut i = 0;
                    while has(&format!("t{n}_tgt_{i}_"), i) {
                        let metric = get(&format!("t{n}_tgt_{i}_metric"));
                        let unit = get(&format!("t{n}_tgt_{i}_unit"));
                        let baseline = int(format!("t{n}_tgt_{i}_baseline"));
                        let target = int(format!("t{n}_tgt_{i}_target"));
                        let due = date(format!("t{n}_tgt_{i}_due"));
                        let fact = previous
                            .tasks
                            .iter()
                            .find(|x| x.number == n)
                            .and_then(|x| x.targets.get(i))
                            .and_then(|x| x.fact.clone());
                        if !metric.is_empty()
                            || !unit.is_empty()
                            || baseline.is_some()
                            || target.is_some()
                            || due.is_some()
                        {
                            task.targets.push(Target {
                                metric,
                                unit,
                                baseline,
                                target,
                                due,
                                fact,
                            });
                        }
                        i += 1;
                    }
                    let mut i = 0;
                    while has(&format!("t{n}_ms_{i}_"), i) {
                        let d = date(format!("t{n}_ms_{i}_date"));
                        let what = get(&format!("t{n}_ms_{i}_what"));
                        if d.is_some() || !what.is_empty() {
                            task.milestones.push(Milestone { date: d, what });
                        }
                        i += 1;
                    }
                    task.notes = get(&format!("t{n}_notes"));
                }
                tasks.push(task);
            }
            let content = PlanContent {
                summary: get("summary"),
                tasks,
            };
            PlanBody::Reform(content)
        }
        PlanBody::Rectification(_) => {
            let mut content = RectificationContent {
                analysis: get("analysis"),
                ..Default::default()
            };
            let mut i = 0;
            while has(&format!("p_{i}_"), i) {
                let description = get(&format!("p_{i}_description"));
                let task = int(format!("p_{i}_task")).map(|x| x.max(0) as u32);
                if !description.is_empty() || task.is_some() {
                    content.problems.push(Problem { description, task });
                }
                i += 1;
            }
            let mut i = 0;
            while has(&format!("m_{i}_"), i) {
                let what = get(&format!("m_{i}_what"));
                let owner = get(&format!("m_{i}_owner"));
                let due = date(format!("m_{i}_due"));
                let problem =
                    int(format!("m_{i}_problem")).and_then(|p| usize::try_from(p - 1).ok());
                if !what.is_empty() || !owner.is_empty() || due.is_some() || problem.is_some() {
                    content.measures.push(Measure {
                        what,
                        owner,
                        due,
                        problem,
                    });
                }
                i += 1;
            }
            PlanBody::Rectification(content)
        }
    };
    errors.extend(dates);
    errors.extend(too_long);
    let steps = index.steps.get();
    if errors.is_empty() {
        (Ok(value), steps)
    } else {
        (Err(errors), steps)
    }
}

/// Adds the proposed targets of the tasks whose "adopt" box was ticked.
pub fn adopt_proposals(
    body: &mut PlanBody,
    pairs: &[(String, String)],
    proposals: &BTreeMap<u32, Vec<Target>>,
) {
    let adopt: Vec<u32> = pairs
        .iter()
        .filter(|(k, _)| k == "adopt")
        .filter_map(|(_, v)| v.parse().ok())
        .collect();
    if adopt.is_empty() {
        return;
    }
    let PlanBody::Reform(content) = body else {
        return;
    };
    for task in content
        .tasks
        .iter_mut()
        .filter(|x| adopt.contains(&x.number))
    {
        for p in proposals.get(&task.number).into_iter().flatten() {
            if !task.targets.iter().any(|x| x.metric == p.metric) {
                task.targets.push(p.clone());
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use reformwatch_core::catalogue::builtin_2017;

    /// Each field path the core's plan validation produces names an input of the editor
    /// (issue 10): the expected ids are written out, not computed.
    #[test]
    fn issue_fields_map_to_editor_inputs() {
        let cases: &[(Option<u32>, &str, Option<&str>)] = &[
            (Some(12), "targets[0].metric", Some("t12_tgt_0_metric")),
            (Some(12), "targets[2].due", Some("t12_tgt_2_due")),
            (Some(12), "targets[1].target", Some("t12_tgt_1_target")),
            (Some(12), "targets[1].fact", Some("t12_tgt_1_metric")),
            (Some(3), "targets", Some("t3_tgt_0_metric")),
            (Some(3), "responsible", Some("t3_resp_0_name")),
            (Some(3), "milestones[4].date", Some("t3_ms_4_date")),
            (Some(3), "milestones[0].what", Some("t3_ms_0_what")),
            (Some(3), "milestones", Some("t3_ms_0_date")),
            (None, "tasks", Some("optional-8")),
            (Some(2), "tasks", None),
            (Some(2), "number", None),
            (Some(5), "problems[1].description", Some("p_1_description")),
            (None, "problems", Some("p_0_description")),
            (None, "measures", Some("m_0_what")),
            (None, "measures[2].owner", Some("m_2_owner")),
            (None, "measures[0].problem", Some("m_0_problem")),
            (None, "analysis", Some("analysis")),
            // Not a path the editor has: the summary only.
            (Some(3), "targets[x].metric", None),
            (Some(3), "targets[0].colour", None),
            (None, "targets[0].metric", None),
        ];
        for (task, field, want) in cases {
            assert_eq!(
                issue_input(*task, field, Some(8)).as_deref(),
                *want,
                "{task:?} {field}"
            );
        }
        assert_eq!(issue_input(None, "tasks", None), None);
    }

    /// `per_task` rows of responsible people for each of the 7 basic tasks (2 fields a row).
    fn resp_form(per_task: usize) -> Vec<(String, String)> {
        let mut pairs = Vec::new();
        for n in 1..=7u32 {
            pairs.push(("present".to_string(), n.to_string()));
            for i in 0..per_task {
                pairs.push((format!("t{n}_resp_{i}_name"), format!("人{i}")));
                pairs.push((format!("t{n}_resp_{i}_position"), "秘书长".to_string()));
            }
        }
        pairs
    }

    /// Issue 9 finding 1: the work grows linearly with the number of fields. Counted, not timed:
    /// the old reader scanned every pair for every lookup (work ≈ fields²).
    #[test]
    fn reading_scales_linearly_with_the_number_of_fields() {
        let cat = builtin_2017();
        let current = PlanBody::Reform(PlanContent::default());
        let small = resp_form(12); // 7 × (1 + 24) = 175 fields
        let large = resp_form(48); // 7 × (1 + 96) = 679 fields
        let (a, steps_small) = read_form_counted(&cat, &current, &small);
        let (b, steps_large) = read_form_counted(&cat, &current, &large);
        let PlanBody::Reform(a) = a.unwrap() else {
            panic!("reform")
        };
        let PlanBody::Reform(b) = b.unwrap() else {
            panic!("reform")
        };
        assert_eq!(a.tasks[0].responsible.len(), 12);
        assert_eq!(b.tasks[0].responsible.len(), 48);
        assert_eq!(b.tasks[0].responsible[47].name, "人47");
        // 3.88× the fields: at most 4× the work (quadratic would be 15×).
        assert!(steps_small > 175, "{steps_small}");
        assert!(
            steps_large * 175 <= steps_small * 679 * 105 / 100,
            "{steps_small} → {steps_large}"
        );
    }

    #[test]
    fn too_many_fields_and_too_long_lists_are_refused() {
        let cat = builtin_2017();
        let current = PlanBody::Reform(PlanContent::default());
        let mut pairs = vec![("present".to_string(), "1".to_string())];
        for i in 0..20_000 {
            pairs.push((format!("t1_resp_{i}_name"), "x".to_string()));
        }
        let (r, steps) = read_form_counted(&cat, &current, &pairs);
        let errors = r.unwrap_err();
        assert_eq!(errors.len(), 1);
        assert_eq!(errors[0].key, "err-form-too-many-fields");
        assert_eq!(steps, 0, "refused before any lookup");
        // 51 rows in one list: refused at the list, the 50 before it are fine.
        let mut pairs = vec![("present".to_string(), "1".to_string())];
        for i in 0..=MAX_LIST_ITEMS {
            pairs.push((format!("t1_resp_{i}_name"), "x".to_string()));
        }
        let errors = read_form(&cat, &current, &pairs).unwrap_err();
        assert_eq!(errors.len(), 1);
        assert_eq!(errors[0].key, "err-form-list-too-long");
        assert_eq!(errors[0].field, format!("t1_resp_{MAX_LIST_ITEMS}"));
        pairs.pop();
        let PlanBody::Reform(ok) = read_form(&cat, &current, &pairs).unwrap() else {
            panic!("reform")
        };
        assert_eq!(ok.tasks[0].responsible.len(), MAX_LIST_ITEMS);
    }
}

//! Year to year (issue 13): an administrator starts a new year from the previous one.
//!
//! Starting `to` from `from` (page, API, `reformwatch year start --from 2017 --to 2018`):
//! - copies `from`'s catalogue source as a draft to edit and download, with its `year`, its
//!   `baseline_year` placeholder and the dates of `issued_on` / `plan_deadline` moved on;
//! - copies the societies' election flags of `from` to `to` (to be corrected where a society
//!   holds its election in another year);
//! - every status starts afresh: plans, reports, month locks, deadlines, judgements and
//!   justifications are kept per year, so `to` has none.
//!
//! The author edits the draft and loads it (the catalogue upload, `POST /api/v1/catalogues`,
//! `reformwatch catalogue load`). On that load the societies' last known facts of `from` are
//! carried over as the first values of `to` ([`crate::db::years::carry_facts`]): only facts
//! the new file declares, with a kind the value fits. From then on the year runs on its own
//! file: plans, reports, verdicts and the dashboard of each year are judged by that year's
//! catalogue.

use chrono::Datelike;

use crate::AppState;
use crate::auth::policy::Action;
use crate::db::years::{self, YearStart};
use crate::error::{AppError, AppResult};
use crate::model::FieldError;
use crate::principal::Principal;

/// What starting a year did.
#[derive(Debug, Clone, serde::Serialize, utoipa::ToSchema)]
pub struct Started {
    pub year: i32,
    pub from_year: i32,
    /// Election flags copied from `from_year`.
    pub election_flags_copied: usize,
    /// Where the draft catalogue can be downloaded.
    pub draft_url: String,
}

/// Parses a year typed into a form or a JSON field (1900–9999).
pub fn parse_year(field: &str, raw: &str) -> Result<i32, FieldError> {
    raw.trim()
        .parse::<i32>()
        .ok()
        .filter(|y| (1900..=9999).contains(y))
        .ok_or_else(|| FieldError::new(field, "err-year-number").arg("value", raw.trim()))
}

/// The draft of `to` from the source of `from`: a header saying what it is and what to check,
/// then the source with `year = from` → `year = to`, `baseline_year = from - 1` → `to - 1`, and
/// `issued_on` / `plan_deadline` moved to `to` (same day and time). Everything else — clauses,
/// tasks, facts, rules — is for the author to edit.
pub fn draft_source(source: &str, from: i32, to: i32) -> String {
    let mut out = format!(
        "# 草稿：{to} 年任务清单，由 {from} 年任务清单复制（年份、基准年、发布日期和提交截止已顺延）。\n\
         # 请逐条核对并修改条款原文、任务、事实和规则后，在“任务清单管理”中加载。\n\
         # Draft: the {to} catalogue, copied from {from} (year, baseline year, issue date and plan\n\
         # deadline moved on). Check and edit every clause, task, fact and rule, then load it.\n"
    );
    let shift = |line: &str, key: &str, old: i32, new: i32| -> Option<String> {
        let rest = line.strip_prefix(key)?.trim_start();
        let value = rest.strip_prefix('=')?.trim_start();
        let tail = value.strip_prefix(&old.to_string())?;
        // `2017`, `2017-05-22…`: the year itself, not a longer number.
        if tail.chars().next().is_some_and(|c| c.is_ascii_digit()) {
            return None;
        }
        Some(format!("{key} = {new}{tail}"))
    };
    let (mut year_done, mut baseline_done) = (false, false);
    for line in source.lines() {
        let moved = if !year_done {
            shift(line, "year", from, to).inspect(|_| year_done = true)
        } else {
            None
        }
        .or_else(|| {
            if baseline_done {
                return None;
            }
            shift(line, "baseline_year", from - 1, to - 1).inspect(|_| baseline_done = true)
        })
        .or_else(|| shift(line, "issued_on", from, to))
        .or_else(|| shift(line, "plan_deadline", from, to));
        out.push_str(moved.as_deref().unwrap_or(line));
        out.push('\n');
    }
    out
}

/// Starts `to` from `from` (administrators). `from` must have a catalogue; `to` must be later
/// and have neither a catalogue nor a start yet.
pub async fn start(state: &AppState, who: &Principal, from: &str, to: &str) -> AppResult<Started> {
    who.require(Action::LoadCatalogue, None)?;
    let (from_y, to_y) = (parse_year("from", from), parse_year("to", to));
    let (from, to) = match (from_y, to_y) {
        (Ok(f), Ok(t)) => (f, t),
        (f, t) => {
            return Err(AppError::Invalid(
                [f.err(), t.err()].into_iter().flatten().collect(),
            ));
        }
    };
    let Some(source) = years::catalogue_source(&state.db, from).await? else {
        return Err(FieldError::new("from", "err-year-no-catalogue")
            .arg("year", from)
            .into());
    };
    if to <= from {
        return Err(FieldError::new("to", "err-year-not-later")
            .arg("year", from)
            .into());
    }
    if years::catalogue_source(&state.db, to).await?.is_some() {
        return Err(FieldError::new("to", "err-year-loaded")
            .arg("year", to)
            .into());
    }
    let draft = draft_source(&source, from, to);
    let copied = years::start(&state.db, &who.actor(), state.clock.now(), from, to, &draft).await?;
    Ok(Started {
        year: to,
        from_year: from,
        election_flags_copied: copied,
        draft_url: format!("/admin/years/{to}/draft.toml"),
    })
}

/// The started years (administrators).
pub async fn list(state: &AppState, who: &Principal) -> AppResult<Vec<YearStart>> {
    who.require(Action::LoadCatalogue, None)?;
    years::list(&state.db).await
}

/// The draft catalogue of a started year (administrators); 404 when the year was not started.
pub async fn draft(state: &AppState, who: &Principal, year: &str) -> AppResult<(i32, String)> {
    who.require(Action::LoadCatalogue, None)?;
    let year = parse_year("year", year).map_err(|_| AppError::NotFound)?;
    let source = years::draft(&state.db, year)
        .await?
        .ok_or(AppError::NotFound)?;
    Ok((year, source))
}

/// The next year after the newest loaded catalogue, for the start form.
pub fn suggested(newest: Option<i32>, state: &AppState) -> (i32, i32) {
    let from = newest.unwrap_or_else(|| state.clock.now().year());
    (from, from + 1)
}

#[cfg(test)]
mod tests {
    use super::draft_source;

    #[test]
    fn the_draft_moves_the_year_on_and_nothing_else() {
        let src = "# year = 2017 in a comment stays\nyear = 2017\nissued_on = 2017-04-21\nplan_deadline = 2017-05-22T23:59:59\n\n[placeholders]\nbaseline_year = 2016\n\n[[tasks]]\nnumber = 20170\nclause_zh = \"2017年\"\n";
        let d = draft_source(src, 2017, 2018);
        let body: Vec<&str> = d.lines().skip(4).collect();
        assert_eq!(
            body,
            [
                "# year = 2017 in a comment stays",
                "year = 2018",
                "issued_on = 2018-04-21",
                "plan_deadline = 2018-05-22T23:59:59",
                "",
                "[placeholders]",
                "baseline_year = 2017",
                "",
                "[[tasks]]",
                "number = 20170",
                "clause_zh = \"2017年\"",
            ]
        );
        assert!(d.starts_with("# 草稿：2018 年任务清单，由 2017 年任务清单复制"));
        // The built-in file: its draft parses as the next year with the next baseline.
        let d = draft_source(reformwatch_core::catalogue::BUILTIN_2017_SOURCE, 2017, 2018);
        let c = reformwatch_core::catalogue::parse(&d, "2018.toml").unwrap();
        assert_eq!(c.year, 2018);
        let label = &c.fact("members_baseline").unwrap().label_zh;
        assert_eq!(label, "2017年底个人会员");
    }
}

//! Reviewer judgements of qualitative norms (issue 13; the 2018 kind: "相当比例的中国共产党
//! 党员", "应提高中青年科技工作者、女科技工作者比例"). The society gives the figures (its facts)
//! and a written justification (the justification of a warning, [`super::facts::justify`]);
//! a reviewer or administrator judges: `pass`, or `warning` with a required written reason.
//! A judgement never makes a rule `fail`, and only `judged` rules take one.

use reformwatch_core::catalogue::Catalogue;
use reformwatch_core::rules::JudgedVerdict;

use crate::AppState;
use crate::auth::policy::Action;
use crate::db::judgements;
use crate::db::societies::Society;
use crate::error::AppResult;
use crate::model::{FieldError, text};
use crate::principal::Principal;

/// `pass` / `warning` as typed in a form or JSON; anything else (including `fail`) is refused.
pub fn parse_verdict(raw: &str) -> Result<JudgedVerdict, FieldError> {
    match raw.trim() {
        "pass" => Ok(JudgedVerdict::Pass),
        "warning" => Ok(JudgedVerdict::Warning),
        other => Err(FieldError::new("verdict", "err-judgement-verdict").arg("value", other)),
    }
}

/// Records a reviewer's judgement of a `judged` rule for a society and year (staff only).
/// The reason is required (at most 2,000 characters). Audited.
pub async fn judge(
    state: &AppState,
    who: &Principal,
    society: &Society,
    catalogue: &Catalogue,
    rule: &str,
    verdict: &str,
    reason: &str,
) -> AppResult<()> {
    // Reviewers and administrators: the same check as reviewing plans and reports.
    who.require(Action::ListAllSocieties, None)?;
    let mut errors = Vec::new();
    match catalogue.rule(rule) {
        None => errors.push(FieldError::new("rule", "err-rule-unknown").arg("value", rule)),
        Some((_, decl)) if !decl.kind.judged() => {
            errors.push(FieldError::new("rule", "err-judgement-not-judged").arg("value", rule))
        }
        Some(_) => {}
    }
    let verdict = parse_verdict(verdict).map_err(|e| errors.push(e)).ok();
    let reason = text(reason, "reason", 2000, true)
        .map_err(|e| errors.push(e))
        .ok();
    let (Some(verdict), Some(reason), true) = (verdict, reason, errors.is_empty()) else {
        return Err(crate::error::AppError::Invalid(errors));
    };
    let by = who
        .user()
        .map(|u| u.display_name.clone())
        .unwrap_or_else(|| who.actor().label());
    judgements::record(
        &state.db,
        &who.actor(),
        state.clock.now(),
        society,
        catalogue.year,
        rule,
        verdict,
        &reason,
        &by,
    )
    .await
}

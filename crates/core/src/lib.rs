//! ReformWatch policy core: the yearly task catalogue, society facts and rule verdicts.
//!
//! Pure domain code (DESIGN "Layers"): no I/O, no async, no clock — time is a parameter.
//! - [`catalogue`]: the catalogue model and its loader from text (R-CAT-*, R-PLAN-1).
//! - [`facts`]: the facts a catalogue declares, a society's values of them and their
//!   validation (R-SOC-2, R-RULE-PRE).
//! - [`rules`]: rule kinds (one module each), evaluation, reviewer judgements of qualitative
//!   norms and bilingual explanations (R-RULE-*).
//! - [`plan`]: reform and rectification plans: validation, proposed targets, deadline, review
//!   workflow, version comparison (R-PLAN-1..5).
//! - [`assess`]: year-end assessment: task acceptance, indicators and scores, outcomes,
//!   rankings, exact subsidies (R-ASSESS-1..3).
//! - [`tracking`]: monthly reports, reporting months and due instants, red / yellow / green
//!   status and reporting rates (R-TRACK-1..3).
//! - [`publish`]: public monitoring bulletins: the public snapshot, canonical JSON and the
//!   hash chain, peer groups, rounding, the lagging list, downloads, the trend (R-PUB-1, R-PUB-2).

// Tests may unwrap: a panic there is a failed test (workspace lints deny it elsewhere).
#![cfg_attr(test, allow(clippy::unwrap_used, clippy::expect_used))]

pub mod assess;
pub mod catalogue;
pub mod facts;
pub mod plan;
pub mod publish;
pub mod rules;
pub mod tracking;

pub use catalogue::{
    BUILTIN_2017_SOURCE, Catalogue, CatalogueError, CatalogueSummary, DocumentKind, Task,
    TaskClass, builtin, builtin_2017, parse, summary,
};
pub use facts::{FactDecl, FactKind, FactValue, Facts, FactsError, parse_facts_json};
pub use rules::{
    Applies, Band, CheckResult, Fraction, JudgedVerdict, Judgement, Judgements, RuleDecl, RuleKind,
    RuleVerdict, Severity, Verdict, check, check_with, evaluate, evaluate_with,
};

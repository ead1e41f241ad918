//! ReformWatch policy core: the yearly task catalogue, society facts and rule verdicts.
//!
//! Pure domain code (DESIGN "Layers"): no I/O, no async, no clock — time is a parameter.
//! - [`catalogue`]: the catalogue model and its loader from text (R-CAT-*, R-PLAN-1).
//! - [`facts`]: a society's measured facts and their validation (R-SOC-2, R-RULE-PRE).
//! - [`rules`]: typed rule kinds, evaluation and bilingual explanations (R-RULE-*).
//! - [`plan`]: reform and rectification plans: validation, proposed targets, deadline, review
//!   workflow, version comparison (R-PLAN-1..5).
//! - [`tracking`]: monthly reports, reporting months and due instants, red / yellow / green
//!   status and reporting rates (R-TRACK-1..3).
//! - [`publish`]: public monitoring bulletins: the public snapshot, canonical JSON and the
//!   hash chain, peer groups, rounding, the lagging list, downloads, the trend (R-PUB-1, R-PUB-2).

// Tests may unwrap: a panic there is a failed test (workspace lints deny it elsewhere).
#![cfg_attr(test, allow(clippy::unwrap_used, clippy::expect_used))]

pub mod catalogue;
pub mod facts;
pub mod plan;
pub mod publish;
pub mod rules;
pub mod tracking;

pub use catalogue::{
    BUILTIN_2017_SOURCE, Catalogue, CatalogueError, DocumentKind, Task, TaskClass, builtin,
    builtin_2017, parse,
};
pub use facts::{FACT_FIELDS, FactField, FactKind, Facts, FactsError, parse_facts_json};
pub use rules::{
    Applies, Band, CheckResult, Fraction, RuleDecl, RuleKind, RuleVerdict, Severity, Verdict,
    check, evaluate,
};

//! Integration tests: the real router, in process, with a fresh database per test. Every
//! scenario runs twice, on SQLite and on PostgreSQL (`both!`).
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod harness;

mod access;
mod accounts;
mod api_parity;
mod assessment_changes;
mod assessment_inputs;
mod assessment_results;
mod audit;
mod audit_words;
mod backup;
mod bulletins;
mod catalogue;
mod corpus;
mod demo;
mod example2031;
mod fact_errors;
mod fastpath;
mod faults;
mod flows;
mod form_errors;
mod judgements;
mod lang_parts;
mod layers;
mod limits;
mod pages;
mod plans;
mod progress_cache;
mod public;
mod readable;
mod report_extract;
mod report_migration;
mod rules;
mod security;
mod smtp_sink;
mod societies;
mod statements;
mod subsidy;
mod summary;
mod timeouts;
mod tracking;
mod years;

pub use harness::*;

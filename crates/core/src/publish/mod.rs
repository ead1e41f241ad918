//! Public monitoring bulletins (动态监测发布, 监测通报 第N期): R-PUB-1, R-PUB-2.
//!
//! Pure domain code (DESIGN "Layers"): the shell loads the public facts in bulk, passes the
//! instant of publication and the chain of stored bulletins; nothing here reads the clock
//! or does I/O, and every figure is an integer.
//!
//! - [`PublicInput`], [`PublicSociety`], [`public_status`], [`target_progress`]: what a
//!   bulletin is made of — public fields only, by construction.
//! - [`build`]: the bulletin (number, chain link, rows, ranks within peer groups, lagging list
//!   with repeat counts, change since the previous bulletin, summaries).
//! - [`canonical_bytes`], [`digest`], [`parse`], [`verify_chain`], [`verify_file`]: the
//!   canonical JSON form, its SHA-256, the hash chain, the check of a downloaded file.
//! - [`tables`], [`csv`], [`neutralise`]: downloads (rows for .csv / .xlsx).
//! - [`trend`], [`trend_table`]: the year's series for the charts and their data table.
//! - [`PublicationRules`]: the catalogue's `[publication]` section.
//!
//! `docs/PUBLICATION.md` describes the canonical form byte by byte, the chain, the rounding
//! and lagging rules, and how an outsider checks a download with `sha256sum`.
//!
//! # The public allowlist
//!
//! A bulletin holds only the fields below; the input types ([`PublicInput`],
//! [`PublicSociety`], [`PublicStatus`], [`ReasonFact`]) have no other field, so nothing else
//! can reach a bulletin. In particular there are never: plan or report content (drafts,
//! targets' names or values, milestones, narratives, a blocked task's reason, responsible
//! persons), reviewer comments, contact persons, e-mail addresses, phone numbers, user names,
//! evidence files, facts other than the member count, scores or assessment results.
//!
//! | field | source | why public |
//! |---|---|---|
//! | `number`, `year`, `month`, `title_zh/en` | the publishing act; computed | the bulletin's identity (第N期) |
//! | `published_at` | the publishing act's instant | when the snapshot was taken |
//! | `prev_sha256` | the chain | tamper evidence (R-PUB-2) |
//! | `audit_head` (`seq`, `sha256`) | the audit trail's last entry | lets anyone who kept the bulletin detect a rewritten trail (R-X-2); a number and a hash, no entry content |
//! | `corrects`, `correction_note_zh/en` | the administrator, written for the public | a correction says what and why (R-PUB-2) |
//! | `compared_with` | computed | which bulletin the changes refer to |
//! | `rules` | the catalogue's `[publication]` section and the fixed rounding words | the rules that made the figures |
//! | `legend` | fixed | symbols and words of colours and plan statuses |
//! | `tasks[]`: `number`, `class`, `title_zh/en` | the catalogue (public notice) | |
//! | `tasks[]`: `planned`, `colours`, `shares` | computed from the rows | |
//! | `societies[].code`, `name_zh`, `name_en` | registry (`name_en` only when recorded) | who the row is about |
//! | `societies[].discipline_group` | registry (id; names in `discipline_groups`) | peer comparison |
//! | `societies[].membership_band` | member count → the catalogue's band | peer comparison; the band, not the count |
//! | `societies[].members` | the latest `members_now` fact | only when the catalogue says `show_member_count = true`; otherwise `null` |
//! | `societies[].election_year` | registry | which tasks are mandatory |
//! | `societies[].plan_status` | plan state → not started / draft / submitted / returned / accepted | the state only, never the content; "resubmitted" reads "submitted" |
//! | `societies[].colour`, `tasks[].colour` | [`crate::tracking::colours`] at `published_at` | R-TRACK-3 |
//! | `societies[].reasons`, `tasks[].reasons` | the colour reason codes → [`ReasonFact`] → fixed words | counts, months and task numbers only; the core's reason messages are not used (they can quote free text: a blocked reason, a milestone, a metric name); an unknown code is withheld |
//! | `societies[].reports` | [`crate::tracking::society_rate`]: expected, received, on time, rates | R-TRACK-2 |
//! | `societies[].targets`, `tasks[].targets` | [`target_progress`]: total, due, met, overdue | counts only, no target names or values |
//! | `societies[].peer_group`, `peer_rank` | computed | comparison within peer groups |
//! | `societies[].change` | computed against `compared_with` | direction and rate deltas |
//! | `discipline_groups`, `membership_bands`, `peer_groups`, `overall` | computed from the rows | counts, shares, rates |
//! | `lagging[]` | computed by the catalogue's rule | name, why (colour / rate words), 第k次 |

pub mod config;

mod build;
mod canonical;
mod check;
mod download;
mod input;
mod model;
mod round;
mod trend;

pub use build::{BuildError, ROUNDING_EN, ROUNDING_ZH, build};
pub use canonical::{
    CanonicalError, ChainError, ChainProblem, FileBulletin, FileProblem, FileReport,
    MAX_SAFE_INTEGER, ParseError, StoredBulletin, canonical_bytes, canonical_json, digest, parse,
    verify_chain, verify_file,
};
pub use config::{LaggingRule, MembershipBand, PeerDimension, PublicationRules};
pub use download::{
    Cell, Column, GROUP_COLUMNS, LAGGING_COLUMNS, Lang, SOCIETY_COLUMNS, TASK_COLUMNS, Table, csv,
    neutralise, tables,
};
pub use input::{
    Correction, GroupName, PublicInput, PublicSociety, PublicStatus, PublicTaskStatus, ReasonFact,
    public_status, target_progress,
};
pub use model::{
    AuditHead, BULLETIN_FORMAT, BandDef, Bulletin, Change, ColourCounts, ColourLegend,
    ColourShares, Delta, Direction, GroupSummary, LaggingEntry, LaggingWhy, Legend,
    PlanStatusLegend, PublicPlanStatus, PublicReason, PublishedRules, RateSummary, Ratio,
    Sha256Hex, SocietyRow, TargetProgress, TaskCell, TaskSummary, UtcSecond, colour_symbol,
};
pub use round::{delta_words, permille_half_up, ratio, shares};
pub use trend::{TREND_COLUMNS, Trend, TrendPoint, trend, trend_table};

#[cfg(test)]
mod tests;

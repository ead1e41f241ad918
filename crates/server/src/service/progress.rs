//! The year's progress (R-TRACK-2, R-TRACK-3): accepted reform plans, received monthly reports
//! and facts, for one society or for all, loaded in a fixed number of queries (independent of
//! the number of societies), and colours computed from them by the domain core in memory. The
//! timeline, the report page, the dashboard, the rates, the reminders and the rectification
//! rule all read the same snapshot.

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::sync::Arc;

use chrono::{DateTime, Utc};
use reformwatch_core::catalogue::Catalogue;
use reformwatch_core::facts::Facts;
use reformwatch_core::plan::PlanContent;
use reformwatch_core::tracking::{
    self as core, Arrival, Month, ReceivedReport, ReportState, SocietyColour,
};

use crate::AppState;
use crate::db::societies::{self, Society};
use crate::db::{audit, facts, parse_ts, plans, reports};
use crate::error::AppResult;
use crate::snapshots::Version;

/// What colours and rates need, per society id.
///
/// Issue 8: it is read from the compact progress extracts stored beside the versions
/// (`db::extracts`), not from the whole content: a report's [`core::ReportExtract`] and, when
/// every society is loaded, a plan's progress part ([`PlanContent::progress_part`]: no summary,
/// responsible people or notes). One society's load keeps the whole accepted plan (its report
/// page shows it).
pub struct Progress {
    /// Accepted reform plans: (content, version); for all societies the progress part.
    pub plans: BTreeMap<i64, (PlanContent, i64)>,
    /// Received reports: latest submitted version's progress extract, first submission time.
    pub received: BTreeMap<i64, Vec<ReceivedReport>>,
    /// Facts of the societies with an accepted plan (colours read linked targets from them); for
    /// all societies only the facts the plans' targets link to.
    pub facts: BTreeMap<i64, Facts>,
    /// Every society's colours, computed at an instant and kept until they may change
    /// ([`Progress::colours_of_all`]).
    colours: tokio::sync::Mutex<Option<Arc<ColourSet>>>,
}

/// Every society's colours (R-TRACK-3) as computed at `from`, the same at every instant before
/// `until` (`core::colours_change_after`): the dashboard's colours cost nothing per request
/// until the next local midnight, due instant or counted submission (issue 8).
pub struct ColourSet {
    pub from: DateTime<Utc>,
    pub until: DateTime<Utc>,
    /// Societies with an accepted plan.
    by_society: HashMap<i64, Arc<SocietyColour>>,
    /// Every society without one (grey, `no-plan`).
    no_plan: Arc<SocietyColour>,
}

impl ColourSet {
    /// A society's colours.
    pub fn of(&self, society_id: i64) -> Arc<SocietyColour> {
        self.by_society
            .get(&society_id)
            .unwrap_or(&self.no_plan)
            .clone()
    }
}

/// The version every snapshot of `catalogue`'s year is checked against now (one statement:
/// the snapshot version beside the audit head, `db::audit::snapshot_version`), or `None` for a
/// catalogue the cache did not parse (a draft: nothing is kept for it). Read it *before*
/// loading what it versions (`snapshots`).
pub async fn version(state: &AppState, catalogue: &Catalogue) -> AppResult<Option<Version>> {
    let Some(catalogue_sha256) = state.catalogues.hash_of(catalogue)? else {
        return Ok(None);
    };
    let (audit_seq, audit_hash) = audit::snapshot_version(&state.db).await?;
    Ok(Some(Version {
        year: catalogue.year,
        catalogue_sha256,
        audit_seq,
        audit_hash,
    }))
}

impl Progress {
    /// Every society's progress in the year, shared (issue 8): from `state.snapshots` when
    /// the database has not changed since it was loaded, else loaded (five statements) and kept.
    /// Deciding costs one statement (the snapshot version; `snapshots` says why that is sound). The
    /// snapshot holds no clock: colours are computed from it at the caller's `now`.
    ///
    /// What the snapshot reads, and the writes that change it, each auditing in its own
    /// transaction, with an action that moves the snapshot version (`audit::moves_snapshots`):
    /// - accepted reform plans and their versions' extracts (`plans`, `plan_versions`): a plan
    ///   created (`plans::create`, `documents::audit_create`), submitted and reviewed or
    ///   accepted (`documents::submit`, `documents::review`, which also sets
    ///   `accepted_version`);
    /// - reports, their versions and extracts (`reports`, `report_versions`): created
    ///   (`reports::create`), submitted, reviewed (`documents::submit`, `documents::review`);
    /// - facts (`fact_values`): `facts::write_planned` (every form, API and import path) and
    ///   `years::carry_facts`;
    /// - election flags (`society_years`): `societies::set_election_flag`, `years::start`;
    /// - the society registry (`societies`, joined for codes): `societies::create_in` and
    ///   `update_in` (audited when anything changed; an unchanged row changes nothing read);
    /// - the catalogue it is computed with: in the key by content hash (and `catalogues::store`
    ///   audits too);
    /// - for the dashboard's month data kept under the same key (`dashboard::MonthData`) also
    ///   evidence (`evidence::add`, `evidence::remove`).
    ///
    /// Writes that do not audit, and why that is sound: the progress-extract back-fill at start
    /// (`db::extracts::backfill`) only fills NULL extracts from the immutable content, before the
    /// server answers (and a NULL extract makes the load fail, so nothing is kept from before
    /// it); the benchmark generator (`bench/rwbench/datagen.py`) inserts rows without audit
    /// before a server starts on them, and never while one serves; a restore writes only into an
    /// empty database. Rows edited by hand in the database behind the server's back are not
    /// seen until the next audited change (or a restart).
    pub async fn of_all(state: &AppState, catalogue: &Catalogue) -> AppResult<Arc<Progress>> {
        let version = version(state, catalogue).await?;
        Progress::of_all_at(state, catalogue, version.as_ref()).await
    }

    /// [`Progress::of_all`] at a version the caller has read ([`version`]; `None`: a draft
    /// catalogue, loaded and not kept).
    pub async fn of_all_at(
        state: &AppState,
        catalogue: &Catalogue,
        version: Option<&Version>,
    ) -> AppResult<Arc<Progress>> {
        let Some(version) = version else {
            return Ok(Arc::new(Progress::load(state, catalogue, None).await?));
        };
        let cache = &state.snapshots;
        if let Some(p) = cache.get::<Progress>(version)? {
            return Ok(p);
        }
        let _loading = cache.loading().await;
        // Loaded meanwhile by a request that waited the same way.
        if let Some(p) = cache.get::<Progress>(version)? {
            return Ok(p);
        }
        let p = Arc::new(Progress::load(state, catalogue, None).await?);
        cache.put(version.clone(), p.clone())?;
        Ok(p)
    }

    /// Loads the year's progress of one society, or of every society: five statements.
    pub async fn load(
        state: &AppState,
        catalogue: &Catalogue,
        society: Option<&Society>,
    ) -> AppResult<Progress> {
        let year = catalogue.year;
        let id = society.map(|s| s.id);
        let started = std::time::Instant::now();
        let plans = match id {
            Some(_) => plans::accepted_of_year(&state.db, year, id).await?,
            None => plans::accepted_extracts_of_year(&state.db, year, None).await?,
        };
        let plans_ms = started.elapsed().as_millis();
        let mut received: BTreeMap<i64, Vec<ReceivedReport>> = BTreeMap::new();
        for r in reports::received_extracts_of_year(&state.db, year, id).await? {
            let Some(at) = parse_ts(&r.first_submitted_at) else {
                return Err(anyhow::anyhow!(
                    "stored submission time {} unreadable",
                    r.first_submitted_at
                )
                .into());
            };
            received
                .entry(r.society_id)
                .or_default()
                .push(ReceivedReport {
                    month: r.month,
                    submitted_at: at,
                    content: r.content,
                });
        }
        let reports_ms = started.elapsed().as_millis();
        let (versions, elections) = match society {
            Some(s) => {
                let mut v = BTreeMap::new();
                v.insert(s.id, facts::versions(&state.db, s.id, year).await?);
                let mut e = std::collections::HashMap::new();
                if let Some(flag) = societies::election_flag(&state.db, s.id, year).await? {
                    e.insert(s.id, flag);
                }
                (v, e)
            }
            // Every society (issue 8): only the facts the accepted plans' targets link to,
            // the only facts colours read (`Target::fact`), not the whole year's facts.
            None => {
                let linked: BTreeSet<String> = plans
                    .values()
                    .flat_map(|(p, _)| p.tasks.iter().flat_map(|t| t.targets.iter()))
                    .filter_map(|t| t.fact.as_deref().map(str::trim))
                    .filter(|f| !f.is_empty())
                    .map(str::to_owned)
                    .collect();
                (
                    facts::all_versions_of_fields(&state.db, year, &linked).await?,
                    societies::election_flags_of_year(&state.db, year).await?,
                )
            }
        };
        let mut by_society = BTreeMap::new();
        for sid in plans.keys() {
            let current = facts::current(versions.get(sid).map(Vec::as_slice).unwrap_or(&[]));
            let f = facts::stored_facts(
                &format!("#{sid}"),
                &current,
                elections.get(sid).copied(),
                catalogue,
            )?;
            by_society.insert(*sid, f);
        }
        // Where a load's time goes (issue 8's measurements): RUST_LOG=reformwatch=debug.
        tracing::debug!(
            societies = plans.len(),
            plans_ms,
            reports_ms = reports_ms - plans_ms,
            facts_ms = started.elapsed().as_millis() - reports_ms,
            "progress loaded"
        );
        Ok(Progress {
            plans,
            received,
            facts: by_society,
            colours: tokio::sync::Mutex::new(None),
        })
    }

    /// Every society's colours at `now` (R-TRACK-3): the set computed earlier when `now` lies
    /// in its `[from, until)`, else computed now (off the async workers, split over the
    /// cores) and kept. Concurrent callers that miss wait for one computation.
    pub async fn colours_of_all(
        self: &Arc<Self>,
        catalogue: &Arc<Catalogue>,
        now: DateTime<Utc>,
    ) -> AppResult<Arc<ColourSet>> {
        let mut kept = self.colours.lock().await;
        if let Some(set) = kept.as_ref()
            && set.from <= now
            && now < set.until
        {
            return Ok(set.clone());
        }
        let (progress, catalogue) = (self.clone(), catalogue.clone());
        let set = tokio::task::spawn_blocking(move || progress.compute_colours(&catalogue, now))
            .await
            .map_err(|e| anyhow::anyhow!("computing colours: {e}"))??;
        let set = Arc::new(set);
        *kept = Some(set.clone());
        Ok(set)
    }

    fn compute_colours(&self, catalogue: &Catalogue, now: DateTime<Utc>) -> AppResult<ColourSet> {
        let until = core::colours_change_after(
            catalogue,
            now,
            self.received.values().flatten().map(|r| r.submitted_at),
        );
        let ids: Vec<i64> = self.plans.keys().copied().collect();
        let parts = std::thread::available_parallelism()
            .map(|n| n.get())
            .unwrap_or(1)
            .clamp(1, 8);
        let chunk = ids.len().div_ceil(parts).max(1);
        let parts: Vec<Vec<(i64, Arc<SocietyColour>)>> = std::thread::scope(|scope| {
            let workers: Vec<_> = ids
                .chunks(chunk)
                .map(|part| {
                    scope.spawn(move || {
                        part.iter()
                            .map(|id| (*id, Arc::new(self.colours(catalogue, *id, now))))
                            .collect::<Vec<_>>()
                    })
                })
                .collect();
            workers
                .into_iter()
                .map(|w| {
                    w.join()
                        .map_err(|_| anyhow::anyhow!("computing colours: a worker panicked"))
                })
                .collect::<Result<_, _>>()
        })?;
        let by_society: HashMap<i64, Arc<SocietyColour>> = parts.into_iter().flatten().collect();
        Ok(ColourSet {
            from: now,
            until,
            by_society,
            no_plan: Arc::new(core::colours(catalogue, None, &[], &Facts::default(), now)),
        })
    }

    /// The society's accepted reform plan: (content, version).
    pub fn plan(&self, society_id: i64) -> Option<&(PlanContent, i64)> {
        self.plans.get(&society_id)
    }

    /// The society's received reports.
    pub fn received(&self, society_id: i64) -> &[ReceivedReport] {
        self.received
            .get(&society_id)
            .map(Vec::as_slice)
            .unwrap_or(&[])
    }

    /// Each received month's first submission: (month, instant).
    pub fn first_submissions(&self, society_id: i64) -> Vec<(Month, DateTime<Utc>)> {
        self.received(society_id)
            .iter()
            .map(|r| (r.month, r.submitted_at))
            .collect()
    }

    /// The society's colours at `at` (R-TRACK-3), from the reports received by then.
    pub fn colours(
        &self,
        catalogue: &Catalogue,
        society_id: i64,
        at: DateTime<Utc>,
    ) -> SocietyColour {
        let empty = Facts::default();
        core::colours(
            catalogue,
            self.plan(society_id).map(|p| &p.0),
            self.received(society_id),
            self.facts.get(&society_id).unwrap_or(&empty),
            at,
        )
    }

    /// For each planned task, how many months in a row it has been red (R-PLAN-5).
    pub fn red_streaks(
        &self,
        catalogue: &Catalogue,
        society_id: i64,
        now: DateTime<Utc>,
    ) -> Vec<(u32, u32)> {
        let empty = Facts::default();
        match self.plan(society_id) {
            Some((plan, _)) => core::red_streaks(
                catalogue,
                plan,
                self.received(society_id),
                self.facts.get(&society_id).unwrap_or(&empty),
                now,
            ),
            None => Vec::new(),
        }
    }
}

/// The report column of a month as seen at `now` (R-TRACK-2, decided by the core's
/// [`core::arrival`]): the report's state when it has come (`submitted`, `returned`) with
/// whether it came late; `missing` when it is due and has not come (a started draft does not
/// count); `draft` when started and not due yet; `not_due` otherwise.
pub fn month_state(
    catalogue: &Catalogue,
    month: Month,
    report: Option<(ReportState, Option<&str>)>,
    now: DateTime<Utc>,
) -> (&'static str, Arrival) {
    let first = report.and_then(|(_, at)| at).and_then(parse_ts);
    let arrival = core::arrival(catalogue, month, first, now);
    let key = match (arrival, report) {
        (Arrival::Received { .. }, Some((state, _))) => state.as_str(),
        (Arrival::Received { .. }, None) => "submitted",
        (Arrival::Missing, _) => "missing",
        (Arrival::NotDue, Some(_)) => "draft",
        (Arrival::NotDue, None) => "not_due",
    };
    (key, arrival)
}

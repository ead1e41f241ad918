//! The year's assessment after the scores (issue 12, part 2; R-ASSESS-2, R-ASSESS-3): results
//! shown to the societies for the catalogue's objection window (公示), objections with
//! reasons and evidence and the reviewers' answers (异议), finalisation requested by one
//! administrator and approved by another (four eyes), and the final results published like
//! bulletins: a frozen document in canonical JSON (`reformwatch_core::publish::canonical_json`),
//! its SHA-256, chained to the previous publication of this table's own chain, carrying the
//! audit trail's head, never changed afterwards (the database refuses it).
//!
//! The results themselves are computed by the domain core (`assess_year`), from the year's
//! data as loaded by `service::assessment` (the caller passes the [`YearAssessment`]); this
//! module only freezes, publishes, lists, verifies and downloads them.

use std::collections::HashMap;

use chrono::{DateTime, Datelike, Duration, NaiveTime, TimeZone, Utc};
use chrono_tz::Asia::Shanghai;
use reformwatch_core::assess::score::grouped;
use reformwatch_core::assess::{OutcomeKind, SubsidyOutcome, YearAssessment};
use reformwatch_core::catalogue::Catalogue;
use reformwatch_core::publish::{self as core, Cell, Column, Table};
use serde::{Deserialize, Serialize};
use serde_json::json;

use crate::AppState;
use crate::auth::policy::Action;
use crate::db::assessment_results::{
    self as store, NewObjection, Notice, ObjectionRow, ResultRow, YearRow,
};
use crate::db::audit::{self, Change};
use crate::db::bulletins as bulletins_db;
use crate::db::notifications::{self, Audience};
use crate::db::societies::{self, Society, SocietyFilter};
use crate::db::{Backend, evidence, parse_ts, ts};
use crate::error::{AppError, AppResult};
use crate::i18n::{Lang, Messages};
use crate::model::FieldError;
use crate::principal::Principal;

/// The document format written by this release.
pub const RESULTS_FORMAT: u32 = 1;
/// The longest objection reason or answer, in characters.
pub const MAX_TEXT: usize = 4000;

// ---------------------------------------------------------------------------------------
// The published document (public fields only, by construction)

/// A sentence in both languages.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Text {
    pub zh: String,
    pub en: String,
}

/// The audit trail's newest entry when the results were frozen.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AuditHeadDoc {
    pub seq: i64,
    pub sha256: String,
}

/// The rules the results were computed under (from the catalogue's `[assessment]`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RulesDoc {
    /// Two-decimal text.
    pub total_points: String,
    pub commend_at: String,
    /// `system_default` or `official`.
    pub weights_source: String,
    pub subsidy_mode: String,
}

/// One society's line.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SocietyDoc {
    pub code: String,
    pub name_zh: String,
    pub discipline_group: String,
    /// Final score as two-decimal text; `null` without a plan.
    pub score: Option<String>,
    /// `criticised`, `completed` or `commended`.
    pub outcome: String,
    /// Why, each quoting its clause.
    pub reasons: Vec<Text>,
    pub rank: Option<u32>,
    /// Whole yuan, commended societies only.
    pub yuan: Option<u64>,
}

/// One line of a ranking.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RankDoc {
    pub code: String,
    pub score: String,
    pub rank: u32,
}

/// A peer group's ranking.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct GroupDoc {
    /// `discipline_group` or `membership_band`.
    pub kind: String,
    pub key: String,
    pub label_zh: String,
    pub label_en: String,
    pub entries: Vec<RankDoc>,
}

/// The subsidy: allocated (total paid, unspent, notes) or refused (why).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SubsidyDoc {
    /// `allocated` or `refused`.
    pub status: String,
    pub mode: String,
    pub paid: u64,
    pub unspent: u64,
    pub notes: Vec<Text>,
}

/// Counts of the objection procedure (no content: reasons and answers stay private).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ObjectionsDoc {
    pub filed: u64,
    pub changed: u64,
}

/// The published results of a year (format 1).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ResultsDoc {
    pub format: u32,
    pub number: u32,
    pub prev_sha256: Option<String>,
    pub year: i32,
    /// RFC 3339 UTC, whole seconds.
    pub published_at: String,
    pub audit_head: Option<AuditHeadDoc>,
    pub shown_at: String,
    pub objection_deadline: String,
    pub objections: ObjectionsDoc,
    pub rules: RulesDoc,
    pub criticised: u32,
    pub completed: u32,
    pub commended: u32,
    /// Societies in code order.
    pub societies: Vec<SocietyDoc>,
    pub overall: Vec<RankDoc>,
    pub groups: Vec<GroupDoc>,
    pub subsidy: SubsidyDoc,
}

/// What the document is built from besides the assessment.
pub struct DocInput<'a> {
    pub number: u32,
    pub prev_sha256: Option<String>,
    pub published_at: DateTime<Utc>,
    pub audit_head: Option<(i64, String)>,
    pub year: &'a YearRow,
    pub objections: ObjectionsDoc,
    /// code → (name, discipline group).
    pub names: &'a HashMap<String, (String, String)>,
}

fn second(t: DateTime<Utc>) -> String {
    t.format("%Y-%m-%dT%H:%M:%SZ").to_string()
}

fn stored_second(s: &str) -> String {
    parse_ts(s).map_or_else(|| s.to_owned(), second)
}

/// The results document (pure): every public field, nothing else — no reviewer, no
/// comment, no self-score, no e-mail (R-ASSESS-3).
pub fn document(
    catalogue: &Catalogue,
    a: &YearAssessment,
    input: &DocInput<'_>,
) -> AppResult<ResultsDoc> {
    let rules = catalogue
        .assessment
        .as_ref()
        .ok_or_else(|| no_rules(catalogue.year))?;
    let mut societies: Vec<SocietyDoc> = a
        .societies
        .iter()
        .map(|s| {
            let (name, group) = input
                .names
                .get(&s.code)
                .cloned()
                .unwrap_or_else(|| (s.code.clone(), String::new()));
            SocietyDoc {
                code: s.code.clone(),
                name_zh: name,
                discipline_group: group,
                score: s.score().map(|x| x.to_string()),
                outcome: s.outcome.kind.as_str().to_owned(),
                reasons: s
                    .outcome
                    .reasons
                    .iter()
                    .map(|r| {
                        let n = r.explain(catalogue, rules);
                        Text { zh: n.zh, en: n.en }
                    })
                    .collect(),
                rank: s.rank,
                yuan: s.subsidy.map(|y| y.get()),
            }
        })
        .collect();
    societies.sort_by(|x, y| x.code.cmp(&y.code));
    let rank_doc = |e: &reformwatch_core::assess::RankEntry| RankDoc {
        code: e.code.clone(),
        score: e.score.to_string(),
        rank: e.rank,
    };
    let subsidy = match &a.subsidy {
        SubsidyOutcome::Allocated(al) => SubsidyDoc {
            status: "allocated".to_owned(),
            mode: al.mode.to_owned(),
            paid: al.shares.iter().map(|s| s.yuan.get()).sum(),
            unspent: al.unspent.get(),
            notes: al
                .notes
                .iter()
                .map(|n| Text {
                    zh: n.zh.clone(),
                    en: n.en.clone(),
                })
                .collect(),
        },
        SubsidyOutcome::Refused(e) => SubsidyDoc {
            status: "refused".to_owned(),
            mode: rules.subsidy.mode().to_owned(),
            paid: 0,
            unspent: 0,
            notes: vec![Text {
                zh: e.message_zh.clone(),
                en: e.message_en.clone(),
            }],
        },
    };
    Ok(ResultsDoc {
        format: RESULTS_FORMAT,
        number: input.number,
        prev_sha256: input.prev_sha256.clone(),
        year: a.year,
        published_at: second(input.published_at),
        audit_head: input
            .audit_head
            .clone()
            .map(|(seq, sha256)| AuditHeadDoc { seq, sha256 }),
        shown_at: stored_second(&input.year.shown_at),
        objection_deadline: stored_second(&input.year.objection_deadline),
        objections: input.objections.clone(),
        rules: RulesDoc {
            total_points: rules.total_points.to_string(),
            commend_at: rules.outcomes.commend_at.to_string(),
            weights_source: match rules.weights_source {
                reformwatch_core::assess::WeightsSource::SystemDefault => "system_default",
                reformwatch_core::assess::WeightsSource::Official => "official",
            }
            .to_owned(),
            subsidy_mode: rules.subsidy.mode().to_owned(),
        },
        criticised: a.criticised,
        completed: a.completed,
        commended: a.commended,
        societies,
        overall: a.overall.iter().map(rank_doc).collect(),
        groups: a
            .groups
            .iter()
            .map(|g| GroupDoc {
                kind: match g.kind {
                    reformwatch_core::assess::PeerGroupKind::DisciplineGroup => "discipline_group",
                    reformwatch_core::assess::PeerGroupKind::MembershipBand => "membership_band",
                }
                .to_owned(),
                key: g.key.clone(),
                label_zh: g.label_zh.clone(),
                label_en: g.label_en.clone(),
                entries: g.entries.iter().map(rank_doc).collect(),
            })
            .collect(),
        subsidy,
    })
}

/// The canonical bytes of a results document (what is hashed, stored and served).
pub fn canonical(doc: &ResultsDoc) -> AppResult<Vec<u8>> {
    let v = serde_json::to_value(doc).map_err(|e| anyhow::anyhow!("results: {e}"))?;
    Ok(core::canonical_json(&v).map_err(|e| anyhow::anyhow!("results: {e}"))?)
}

// ---------------------------------------------------------------------------------------
// The lifecycle

fn no_rules(year: i32) -> AppError {
    AppError::from(FieldError::localized(
        "year",
        "results-err",
        format!("{year} 年的任务清单没有考核规则（[assessment]）。"),
        format!("The {year} catalogue has no assessment rules ([assessment])."),
    ))
}

fn refused(field: &str, zh: String, en: String) -> AppError {
    AppError::from(FieldError::localized(field, "results-err", zh, en))
}

/// The last instant an objection is accepted: the end (23:59:59 Beijing time) of the
/// `days`-th day after the Beijing day the results were shown.
pub fn objection_deadline(shown: DateTime<Utc>, days: u32) -> DateTime<Utc> {
    let day = shown.with_timezone(&Shanghai).date_naive() + Duration::days(i64::from(days));
    let end = day.and_time(NaiveTime::from_hms_opt(23, 59, 59).unwrap_or_default());
    Shanghai
        .from_local_datetime(&end)
        .single()
        .map_or(shown, |t| t.with_timezone(&Utc))
}

/// Where the year stands: `open` (nothing shown yet), `shown`, `requested` or `final`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Lifecycle {
    pub year: i32,
    pub row: Option<YearRow>,
}

impl Lifecycle {
    pub fn state(&self) -> &str {
        self.row.as_ref().map_or("open", |r| r.state.as_str())
    }

    pub fn deadline(&self) -> Option<DateTime<Utc>> {
        self.row
            .as_ref()
            .and_then(|r| parse_ts(&r.objection_deadline))
    }

    /// Whether objections are accepted at `now`.
    pub fn window_open(&self, now: DateTime<Utc>) -> bool {
        self.state() == "shown" && self.deadline().is_some_and(|d| now <= d)
    }
}

/// The year's lifecycle (anyone may read where the year stands).
pub async fn lifecycle(state: &AppState, year: i32) -> AppResult<Lifecycle> {
    Ok(Lifecycle {
        year,
        row: store::year(&state.db, year).await?,
    })
}

/// Notifications to write with a state change: prepared before its transaction (the
/// recipients are read through the pool), stored inside it.
struct Outbox {
    kind: String,
    key: String,
    zh: String,
    en: String,
    /// (user, link, e-mail address when SMTP is configured).
    items: Vec<(i64, String, Option<String>)>,
}

async fn outbox(
    state: &AppState,
    audience: Audience,
    key: String,
    message: &str,
    args: &[(String, String)],
    link: impl Fn(Option<&str>) -> String,
) -> AppResult<Outbox> {
    let recipients = notifications::recipients(&state.db, audience).await?;
    let codes: HashMap<i64, String> = societies::list(
        &state.db,
        &SocietyFilter {
            include_inactive: Some(true),
            ..Default::default()
        },
    )
    .await?
    .into_iter()
    .map(|s| (s.id, s.code))
    .collect();
    let m = Messages::global();
    let email = state.config.smtp_url.is_some();
    Ok(Outbox {
        kind: format!(
            "assessment-{}",
            message.trim_start_matches("results-notify-")
        ),
        key,
        zh: m.format(Lang::Zh, message, args),
        en: m.format(Lang::En, message, args),
        items: recipients
            .iter()
            .map(|r| {
                let code = r
                    .society_id
                    .and_then(|id| codes.get(&id))
                    .map(String::as_str);
                let address = r.email.trim();
                (
                    r.user_id,
                    link(code),
                    (email && !address.is_empty()).then(|| address.to_owned()),
                )
            })
            .collect(),
    })
}

async fn send(tx: &mut crate::db::Tx, now: DateTime<Utc>, o: &Outbox) -> AppResult<()> {
    let notices: Vec<Notice<'_>> = o
        .items
        .iter()
        .map(|(user_id, link, to)| Notice {
            user_id: *user_id,
            dedupe_key: &o.key,
            subject_zh: &o.zh,
            subject_en: &o.en,
            link,
            email_to: to.as_deref(),
        })
        .collect();
    store::notify_in(tx, &ts(now), &o.kind, &notices).await?;
    Ok(())
}

/// The society's own assessment page.
pub fn society_link(code: &str, year: i32) -> String {
    format!("/societies/{code}/assessment/{year}/objections")
}

/// Shows the year's results to the societies (administrators): the objection window opens
/// now and closes at the end of the `objection_days`-th Beijing day after today. Audited;
/// every society's people are told in their inbox.
pub async fn show(state: &AppState, who: &Principal, year: i32) -> AppResult<YearRow> {
    who.require(Action::FinaliseAssessment, None)?;
    let catalogue = crate::service::catalogues::of_year(state, year).await?;
    let rules = catalogue
        .assessment
        .as_ref()
        .ok_or_else(|| no_rules(year))?;
    let now = state.clock.now();
    let deadline = objection_deadline(now, rules.objection_days);
    let deadline_text = crate::present::beijing(deadline);
    let actor = who.actor();
    let outbox = outbox(
        state,
        Audience::Societies,
        format!("assessment-shown-{year}"),
        "results-notify-shown",
        &[
            ("year".to_owned(), year.to_string()),
            ("deadline".to_owned(), deadline_text),
        ],
        |code| code.map_or_else(|| format!("/assessment/{year}"), |c| society_link(c, year)),
    )
    .await?;
    let mut tx = state.db.begin().await?;
    if !store::show(&mut tx, year, &ts(now), &actor.label(), &ts(deadline)).await? {
        return Err(refused(
            "year",
            format!("{year} 年的考核结果已经公示过。"),
            format!("The {year} results have already been shown to the societies."),
        ));
    }
    audit::record(
        &state.db,
        &mut tx,
        &actor,
        now,
        Change {
            action: "assessment.show",
            object_type: "assessment_year",
            object_id: &year.to_string(),
            before: Some(json!({"state": "open"})),
            after: Some(json!({"state": "shown", "objection_deadline": ts(deadline), "objection_days": rules.objection_days})),
        },
    )
    .await?;
    send(&mut tx, now, &outbox).await?;
    tx.commit().await?;
    store::year(&state.db, year)
        .await?
        .ok_or_else(|| anyhow::anyhow!("assessment year {year} vanished").into())
}

/// What a society files.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ObjectionInput {
    pub reason: String,
    /// An evidence file of the same society.
    pub evidence_id: Option<i64>,
}

/// A society files an objection (its editors; administrators on its behalf) while the
/// window is open; refused after the deadline, at the field. The evidence must be a file of
/// the same society. Audited; the staff are told.
pub async fn file_objection(
    state: &AppState,
    who: &Principal,
    society: &Society,
    year: i32,
    input: &ObjectionInput,
) -> AppResult<ObjectionRow> {
    who.require(Action::EditSocietyData, Some(society.id))?;
    let now = state.clock.now();
    let life = lifecycle(state, year).await?;
    if !life.window_open(now) {
        let (zh, en) = match life.deadline() {
            Some(d) if life.state() == "shown" => (
                format!(
                    "异议期已于 {}（北京时间）结束，不能再提出异议。",
                    crate::present::beijing(d)
                ),
                format!(
                    "The objection period ended at {} Beijing time; objections are no longer accepted.",
                    crate::present::beijing(d)
                ),
            ),
            Some(_) => (
                "考核结果已进入定稿程序，不能再提出异议。".to_owned(),
                "The results are being finalised; objections are no longer accepted.".to_owned(),
            ),
            None => (
                format!("{year} 年的考核结果尚未公示，暂不能提出异议。"),
                format!(
                    "The {year} results have not been shown yet; there is nothing to object to."
                ),
            ),
        };
        return Err(refused("reason", zh, en));
    }
    let reason = input.reason.trim();
    if reason.is_empty() {
        return Err(refused(
            "reason",
            "请写明异议的理由。".to_owned(),
            "Please state the reasons for the objection.".to_owned(),
        ));
    }
    if reason.chars().count() > MAX_TEXT {
        return Err(refused(
            "reason",
            format!("理由最多 {MAX_TEXT} 个字。"),
            format!("The reasons may have at most {MAX_TEXT} characters."),
        ));
    }
    if let Some(id) = input.evidence_id {
        let ok = evidence::by_id(&state.db, id)
            .await?
            .is_some_and(|e| e.society_id == society.id);
        if !ok {
            return Err(refused(
                "evidence_id",
                "证明材料须是本学会已上传的文件。".to_owned(),
                "The evidence must be a file your society has uploaded.".to_owned(),
            ));
        }
    }
    let actor = who.actor();
    let outbox = outbox(
        state,
        Audience::Staff,
        format!("assessment-objection-{year}-{}-{}", society.code, ts(now)),
        "results-notify-objection",
        &[
            ("society".to_owned(), society.name.clone()),
            ("year".to_owned(), year.to_string()),
        ],
        |_| format!("/admin/assessment/{year}/final"),
    )
    .await?;
    let mut tx = state.db.begin().await?;
    let id = store::file(
        &mut tx,
        &NewObjection {
            year,
            society_id: society.id,
            reason,
            evidence_id: input.evidence_id,
            filed_by: &actor.label(),
            filed_at: &ts(now),
        },
    )
    .await?;
    audit::record(
        &state.db,
        &mut tx,
        &actor,
        now,
        Change {
            action: "assessment.objection.file",
            object_type: "assessment_objection",
            object_id: &id.to_string(),
            before: None,
            after: Some(json!({"year": year, "society": society.code, "reason": reason, "evidence_id": input.evidence_id})),
        },
    )
    .await?;
    send(&mut tx, now, &outbox).await?;
    tx.commit().await?;
    store::objection_by_id(&state.db, id)
        .await?
        .ok_or_else(|| anyhow::anyhow!("objection {id} vanished").into())
}

/// A reviewer's answer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AnswerInput {
    pub answer: String,
    /// Whether the results were changed in answer. A change is made first, with its own
    /// reason, through the acceptance and adjustment services; the answer then names it
    /// (`change`), so `changed` without a `change` is refused.
    pub changed: bool,
    /// The change the answer caused, as `kind:id` ([`ChangeRef::key`]): one of the society's
    /// changes made since the objection was filed ([`ObjectionChanges::candidates`]).
    pub change: Option<String>,
}

// ---------------------------------------------------------------------------------------
// Changes an answer can point at (R-ASSESS-2: "any change is recorded with its reason")

/// One change of a society's assessment: an acceptance decision (`acceptance`), a deduction
/// or bonus given (`adjustment`) or withdrawn (`withdrawal`), with who, when and its reason.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ChangeRef {
    pub kind: String,
    /// The acceptance decision's or the adjustment's id.
    pub id: i64,
    pub society_id: i64,
    /// Stored time (UTC).
    pub at: String,
    pub by: String,
    /// What changed, in both languages ("任务3（…）验收：部分完成 → 完成").
    pub what: Text,
    /// The change's own reason (the decision's comment, the adjustment's or withdrawal's
    /// reason).
    pub reason: String,
}

impl ChangeRef {
    /// How forms and the API name it: `acceptance:12`.
    pub fn key(&self) -> String {
        format!("{}:{}", self.kind, self.id)
    }
}

/// Every change of one society's assessment for the year, oldest first: its acceptance
/// decisions and its deductions and bonuses given and withdrawn. Two statements.
pub async fn changes_of_society(
    state: &AppState,
    catalogue: &Catalogue,
    society_id: i64,
) -> AppResult<Vec<ChangeRef>> {
    use reformwatch_core::assess::AdjustmentKind;
    let year = catalogue.year;
    let mut out = Vec::new();
    let mut last: HashMap<u32, reformwatch_core::assess::AcceptanceStatus> = HashMap::new();
    for d in crate::db::assessment::decision_history(&state.db, year, society_id).await? {
        let from = last.get(&d.task).copied().unwrap_or(d.proposed);
        last.insert(d.task, d.status);
        let (title_zh, title_en) = catalogue
            .task(d.task)
            .map(|t| (t.title_zh.clone(), t.title_en.clone()))
            .unwrap_or_default();
        out.push(ChangeRef {
            kind: "acceptance".to_owned(),
            id: d.id,
            society_id,
            at: d.decided_at.clone(),
            by: d.decided_by.clone(),
            what: Text {
                zh: format!(
                    "任务{}（{}）验收：{} → {}",
                    d.task,
                    title_zh,
                    from.label_zh(),
                    d.status.label_zh()
                ),
                en: format!(
                    "Task {} ({}) acceptance: {} → {}",
                    d.task,
                    title_en,
                    from.label_en(),
                    d.status.label_en()
                ),
            },
            reason: d.comment.clone(),
        });
    }
    let rules = catalogue.assessment.as_ref();
    for a in crate::db::assessment::adjustment_history(&state.db, year, society_id).await? {
        let decl = rules.and_then(|r| r.adjustment(&a.adjustment.adjustment));
        let (name_zh, name_en) = decl.map_or_else(
            || {
                (
                    a.adjustment.adjustment.clone(),
                    a.adjustment.adjustment.clone(),
                )
            },
            |d| (d.name_zh.clone(), d.name_en.clone()),
        );
        let (kind_zh, kind_en) = match decl.map(|d| d.kind) {
            Some(AdjustmentKind::Bonus) => ("加分", "bonus"),
            _ => ("扣分", "deduction"),
        };
        let points = a.adjustment.points;
        out.push(ChangeRef {
            kind: "adjustment".to_owned(),
            id: a.adjustment.id,
            society_id,
            at: a.adjustment.entered_at.clone(),
            by: a.adjustment.entered_by.clone(),
            what: Text {
                zh: format!("{kind_zh} {points} 分：{name_zh}"),
                en: format!("{kind_en} of {points} points: {name_en}"),
            },
            reason: a.adjustment.reason.clone(),
        });
        if let Some(at) = &a.withdrawn_at {
            out.push(ChangeRef {
                kind: "withdrawal".to_owned(),
                id: a.adjustment.id,
                society_id,
                at: at.clone(),
                by: a.withdrawn_by.clone().unwrap_or_default(),
                what: Text {
                    zh: format!("撤销{kind_zh} {points} 分：{name_zh}"),
                    en: format!("{kind_en} of {points} points withdrawn: {name_en}"),
                },
                reason: a.withdrawn_reason.clone().unwrap_or_default(),
            });
        }
    }
    out.sort_by(|x, y| (parse_ts(&x.at), &x.kind, x.id).cmp(&(parse_ts(&y.at), &y.kind, y.id)));
    Ok(out)
}

/// For a list of objections: the change each answered one caused, and for each unanswered
/// one the changes its answer may name (the society's changes made since it was filed and
/// not yet named by another answer).
#[derive(Debug, Default)]
pub struct ObjectionChanges {
    /// Objection id → the change its answer caused.
    pub linked: HashMap<i64, ChangeRef>,
    /// Objection id → the changes an answer may name.
    pub candidates: HashMap<i64, Vec<ChangeRef>>,
}

/// [`ObjectionChanges`] of `rows` (one year's): two statements per society concerned.
pub async fn objection_changes(
    state: &AppState,
    year: i32,
    rows: &[ObjectionRow],
) -> AppResult<ObjectionChanges> {
    let mut out = ObjectionChanges::default();
    if rows.is_empty() {
        return Ok(out);
    }
    let catalogue = crate::service::catalogues::of_year(state, year).await?;
    let mut by_society: HashMap<i64, Vec<ChangeRef>> = HashMap::new();
    for o in rows {
        if let std::collections::hash_map::Entry::Vacant(e) = by_society.entry(o.society_id) {
            e.insert(changes_of_society(state, &catalogue, o.society_id).await?);
        }
    }
    // Changes already named by an answer (of any objection of the society).
    let named: std::collections::HashSet<(String, i64)> = store::objections(&state.db, year, None)
        .await?
        .into_iter()
        .filter_map(|o| o.change)
        .collect();
    for o in rows {
        let changes = by_society
            .get(&o.society_id)
            .map(Vec::as_slice)
            .unwrap_or(&[]);
        match &o.change {
            Some((kind, id)) => {
                if let Some(c) = changes.iter().find(|c| &c.kind == kind && c.id == *id) {
                    out.linked.insert(o.id, c.clone());
                }
            }
            None if o.answered_at.is_none() => {
                let filed = parse_ts(&o.filed_at);
                out.candidates.insert(
                    o.id,
                    changes
                        .iter()
                        .filter(|c| parse_ts(&c.at) >= filed)
                        .filter(|c| !named.contains(&(c.kind.clone(), c.id)))
                        .cloned()
                        .collect(),
                );
            }
            None => {}
        }
    }
    Ok(out)
}

/// A reviewer (or administrator) answers an objection, once, before the year is final.
/// Audited (the answer is the recorded reason of any change); the society is told.
pub async fn answer_objection(
    state: &AppState,
    who: &Principal,
    id: i64,
    input: &AnswerInput,
) -> AppResult<ObjectionRow> {
    who.require(Action::AnswerObjection, None)?;
    let o = store::objection_by_id(&state.db, id)
        .await?
        .ok_or(AppError::NotFound)?;
    let answer = input.answer.trim();
    if answer.is_empty() {
        return Err(refused(
            "answer",
            "请写明答复（如有改动，写明改动及理由）。".to_owned(),
            "Please write the answer (and, if anything changed, what and why).".to_owned(),
        ));
    }
    if answer.chars().count() > MAX_TEXT {
        return Err(refused(
            "answer",
            format!("答复最多 {MAX_TEXT} 个字。"),
            format!("The answer may have at most {MAX_TEXT} characters."),
        ));
    }
    if lifecycle(state, o.year).await?.state() == "final" {
        return Err(refused(
            "answer",
            "考核结果已定稿发布，不能再答复。".to_owned(),
            "The results are final and published; no more answers.".to_owned(),
        ));
    }
    // The change the answer names: one of the society's changes since the objection was
    // filed, not named by another answer; `changed` without one is refused.
    let change = match input
        .change
        .as_deref()
        .map(str::trim)
        .filter(|c| !c.is_empty())
    {
        Some(key) => {
            let candidates = objection_changes(state, o.year, std::slice::from_ref(&o))
                .await?
                .candidates
                .remove(&o.id)
                .unwrap_or_default();
            match candidates.into_iter().find(|c| c.key() == key) {
                Some(c) => Some(c),
                None => {
                    return Err(refused(
                        "change",
                        "请选择该学会在异议提出之后作出的一项改动（验收决定、扣分或加分）。".to_owned(),
                        "Choose a change of this society made after the objection was filed (an acceptance decision, a deduction or a bonus)."
                            .to_owned(),
                    ));
                }
            }
        }
        None if input.changed => {
            return Err(refused(
                "change",
                "结果已更改时，请先在考核页面作出改动（写明理由），再在此选择该改动。".to_owned(),
                "If the results changed, make the change on the assessment page first (with its reason), then choose it here."
                    .to_owned(),
            ));
        }
        None => None,
    };
    let changed = change.is_some();
    let now = state.clock.now();
    let actor = who.actor();
    let society = societies::by_id(&state.db, o.society_id)
        .await?
        .ok_or_else(|| anyhow::anyhow!("society {} of objection {id} missing", o.society_id))?;
    let outbox = outbox(
        state,
        Audience::Society(o.society_id),
        format!("assessment-answer-{id}"),
        "results-notify-answer",
        &[("year".to_owned(), o.year.to_string())],
        |_| society_link(&society.code, o.year),
    )
    .await?;
    let mut tx = state.db.begin().await?;
    let change_ref = change.as_ref().map(|c| (c.kind.as_str(), c.id));
    if !store::answer(
        &mut tx,
        id,
        answer,
        changed,
        change_ref,
        &actor.label(),
        &ts(now),
    )
    .await?
    {
        return Err(refused(
            "answer",
            "该异议已经答复。".to_owned(),
            "This objection has already been answered.".to_owned(),
        ));
    }
    audit::record(
        &state.db,
        &mut tx,
        &actor,
        now,
        Change {
            action: "assessment.objection.answer",
            object_type: "assessment_objection",
            object_id: &id.to_string(),
            before: Some(json!({"answered": false})),
            after: Some(json!({"answer": answer, "changed": changed, "change": change.as_ref().map(|c| json!({"kind": c.kind, "id": c.id, "what": c.what.zh, "reason": c.reason})), "society": society.code, "year": o.year})),
        },
    )
    .await?;
    send(&mut tx, now, &outbox).await?;
    tx.commit().await?;
    store::objection_by_id(&state.db, id)
        .await?
        .ok_or_else(|| anyhow::anyhow!("objection {id} vanished").into())
}

/// An administrator asks to finalise the year (the first pair of eyes): only after the
/// objection window has closed and every objection is answered. Audited.
pub async fn request_final(state: &AppState, who: &Principal, year: i32) -> AppResult<YearRow> {
    who.require(Action::FinaliseAssessment, None)?;
    let now = state.clock.now();
    let life = lifecycle(state, year).await?;
    match life.state() {
        "shown" => {}
        "open" => {
            return Err(refused(
                "year",
                format!("{year} 年的考核结果尚未公示。"),
                format!("The {year} results have not been shown to the societies yet."),
            ));
        }
        _ => {
            return Err(refused(
                "year",
                format!("{year} 年的考核结果已申请定稿或已定稿。"),
                format!("Finalising {year} has already been requested or approved."),
            ));
        }
    }
    if life.window_open(now) {
        let d = life
            .deadline()
            .map(crate::present::beijing)
            .unwrap_or_default();
        return Err(refused(
            "year",
            format!("异议期到 {d}（北京时间）才结束，结束后才能申请定稿。"),
            format!(
                "The objection period runs until {d} Beijing time; finalising can be requested after it."
            ),
        ));
    }
    let actor = who.actor();
    let mut tx = state.db.begin().await?;
    let open = store::open_objections_in(&mut tx, year).await?;
    if open > 0 {
        return Err(refused(
            "year",
            format!("还有 {open} 项异议未答复。"),
            format!("{open} objection(s) still await an answer."),
        ));
    }
    if !store::request(&mut tx, year, &actor.label(), &ts(now)).await? {
        return Err(refused(
            "year",
            format!("{year} 年的考核结果已申请定稿或已定稿。"),
            format!("Finalising {year} has already been requested or approved."),
        ));
    }
    audit::record(
        &state.db,
        &mut tx,
        &actor,
        now,
        Change {
            action: "assessment.finalise.request",
            object_type: "assessment_year",
            object_id: &year.to_string(),
            before: Some(json!({"state": "shown"})),
            after: Some(json!({"state": "requested"})),
        },
    )
    .await?;
    tx.commit().await?;
    store::year(&state.db, year)
        .await?
        .ok_or_else(|| anyhow::anyhow!("assessment year {year} vanished").into())
}

/// A second administrator approves (four eyes; the requester is refused) and the results
/// `assessment` — computed by the caller from the current data with `assess_year` — are
/// frozen and published in the same transaction: the lifecycle moves to `final`, the row
/// with its canonical bytes, hash, chain link and the audit head is stored, both the
/// approval and the publication are audited, and every society's people are told.
pub async fn approve(
    state: &AppState,
    who: &Principal,
    year: i32,
    assessment: &YearAssessment,
) -> AppResult<ResultRow> {
    who.require(Action::FinaliseAssessment, None)?;
    if assessment.year != year {
        return Err(anyhow::anyhow!("assessment of {} given for {year}", assessment.year).into());
    }
    let catalogue = crate::service::catalogues::of_year(state, year).await?;
    let life = lifecycle(state, year).await?;
    let actor = who.actor();
    let me = actor.label();
    let (row, requester) = awaiting_approval(&life, &me)?;
    let names: HashMap<String, (String, String)> = societies::list(
        &state.db,
        &SocietyFilter {
            include_inactive: Some(true),
            ..Default::default()
        },
    )
    .await?
    .into_iter()
    .map(|s| (s.code, (s.name, s.discipline_group)))
    .collect();
    let objections = store::objections(&state.db, year, None).await?;
    let counts = ObjectionsDoc {
        filed: objections.len() as u64,
        changed: objections
            .iter()
            .filter(|o| o.changed == Some(true))
            .count() as u64,
    };
    let now = state.clock.now();
    let outbox = outbox(
        state,
        Audience::Societies,
        format!("assessment-final-{year}"),
        "results-notify-final",
        &[("year".to_owned(), year.to_string())],
        |_| format!("/assessment/{year}"),
    )
    .await?;
    let mut tx = state.db.begin().await?;
    if state.db.backend == Backend::Postgres {
        sqlx::query("LOCK TABLE audit_log IN SHARE ROW EXCLUSIVE MODE")
            .execute(&mut *tx)
            .await?;
    }
    if !store::approve(&mut tx, year, &requester, &me, &ts(now)).await? {
        return Err(refused(
            "approve",
            format!("{year} 年的定稿状态已改变，请刷新后再试。"),
            format!("The {year} finalisation changed meanwhile; reload and try again."),
        ));
    }
    audit::record(
        &state.db,
        &mut tx,
        &actor,
        now,
        Change {
            action: "assessment.finalise.approve",
            object_type: "assessment_year",
            object_id: &year.to_string(),
            before: Some(json!({"state": "requested", "requested_by": requester})),
            after: Some(json!({"state": "final"})),
        },
    )
    .await?;
    let chain = store::chain_in(&mut tx).await?;
    let prev = chain.last().map(|(h, _)| h.sha256.clone());
    let number = chain.last().map_or(1, |(h, _)| h.number + 1);
    let head = bulletins_db::audit_head_in(&mut tx).await?;
    let doc = document(
        &catalogue,
        assessment,
        &DocInput {
            number,
            prev_sha256: prev.clone(),
            published_at: now,
            audit_head: head.clone(),
            year: &row,
            objections: counts,
            names: &names,
        },
    )?;
    let bytes = canonical(&doc)?;
    let sha256 = core::digest(&bytes);
    let content = String::from_utf8(bytes).map_err(|e| anyhow::anyhow!("results: {e}"))?;
    let header = ResultRow {
        number,
        year,
        published_at: doc.published_at.clone(),
        published_by: me.clone(),
        sha256: sha256.clone(),
        prev_sha256: prev,
        audit_seq: head.as_ref().map(|h| h.0),
        audit_sha256: head.map(|h| h.1),
    };
    store::insert(&mut tx, &header, &content).await?;
    audit::record(
        &state.db,
        &mut tx,
        &actor,
        now,
        Change {
            action: "assessment.results.publish",
            object_type: "assessment_results",
            object_id: &number.to_string(),
            before: None,
            after: Some(json!({
                "number": number, "year": year, "sha256": sha256,
                "prev_sha256": header.prev_sha256,
                "commended": doc.commended, "criticised": doc.criticised, "completed": doc.completed,
            })),
        },
    )
    .await?;
    send(&mut tx, now, &outbox).await?;
    tx.commit().await?;
    Ok(header)
}

/// The second administrator's approval from the pages and the API: the results are computed
/// now from the current data (`service::assessment::assess`: acceptance decisions, submitted
/// reviewer scores, adjustments, as changed in answer to objections) and published by
/// [`approve`]. The four-eyes and state checks come first, so a refused approval computes
/// nothing.
pub async fn finalise(state: &AppState, who: &Principal, year: i32) -> AppResult<ResultRow> {
    who.require(Action::FinaliseAssessment, None)?;
    let life = lifecycle(state, year).await?;
    awaiting_approval(&life, &who.actor().label())?;
    let assessment = crate::service::assessment::assess(state, year).await?;
    approve(state, who, year, &assessment).await
}

/// The year's row when it awaits approval by `me` (not its requester), with the requester.
fn awaiting_approval(life: &Lifecycle, me: &str) -> AppResult<(YearRow, String)> {
    let year = life.year;
    let row = match &life.row {
        Some(r) if r.state == "requested" => r.clone(),
        Some(r) if r.state == "final" => {
            return Err(refused(
                "approve",
                format!("{year} 年的考核结果已经定稿发布。"),
                format!("The {year} results are already final and published."),
            ));
        }
        _ => {
            return Err(refused(
                "approve",
                "还没有管理员申请定稿。".to_owned(),
                "No administrator has asked to finalise the results yet.".to_owned(),
            ));
        }
    };
    let requester = row.requested_by.clone().unwrap_or_default();
    if requester == me {
        return Err(refused(
            "approve",
            "定稿须由另一位管理员批准：申请人不能批准自己的申请。".to_owned(),
            "Finalising needs a second administrator: the one who asked cannot approve it."
                .to_owned(),
        ));
    }
    Ok((row, requester))
}

/// The year's objections: all of them for the staff; a society's own for its people.
pub async fn objections(
    state: &AppState,
    who: &Principal,
    year: i32,
    society: Option<&Society>,
) -> AppResult<Vec<ObjectionRow>> {
    match society {
        Some(s) => {
            who.require(Action::ReadSociety, Some(s.id))?;
            store::objections(&state.db, year, Some(s.id)).await
        }
        None => {
            who.require(Action::AnswerObjection, None)?;
            store::objections(&state.db, year, None).await
        }
    }
}

// ---------------------------------------------------------------------------------------
// Reading, verifying, downloading

/// A publication: header, canonical bytes and the parsed document.
pub struct Published {
    pub header: ResultRow,
    pub bytes: Vec<u8>,
    pub doc: ResultsDoc,
}

/// The year's published results (public); `None` before publication. The bytes are hashed
/// again before they are trusted: a row altered in the database is refused.
pub async fn published(state: &AppState, year: i32) -> AppResult<Option<Published>> {
    let Some((header, content)) = store::of_year(&state.db, year).await? else {
        return Ok(None);
    };
    let bytes = content.into_bytes();
    if core::digest(&bytes) != header.sha256 {
        return Err(
            anyhow::anyhow!("stored results {} do not match their hash", header.number).into(),
        );
    }
    let doc: ResultsDoc = serde_json::from_slice(&bytes)
        .map_err(|e| anyhow::anyhow!("stored results {} unreadable: {e}", header.number))?;
    Ok(Some(Published { header, bytes, doc }))
}

// ---------------------------------------------------------------------------------------
// The official notice (通报)

/// The issuing body of the notice (落款; the red header reads `<issuing body>文件`).
pub const NOTICE_ISSUER: &str = "中国科学技术协会";

/// The notice's date in Chinese (`2018年1月15日`): the publication's Beijing date.
pub fn chinese_date(stored: &str) -> String {
    parse_ts(stored)
        .map(|t| {
            let d = t.with_timezone(&Shanghai).date_naive();
            format!("{}年{}月{}日", d.year(), d.month(), d.day())
        })
        .unwrap_or_default()
}

/// The official notice of published results (issue 12, "Publication and exports";
/// R-ASSESS-3): the one place its text is made, for the printable page
/// (`/assessment/{year}/notice`) and the PDF (`/assessment/{year}/notice.pdf`, feature `pdf`)
/// alike. Everything comes from the frozen document: the commended societies in ranking order
/// with their score and exact yuan, the criticised ones with their reasons (each quoting its
/// clause), the counts, the publication's number (文号) and Beijing date, its SHA-256.
pub fn official_notice(p: &Published) -> reformwatch_notice::Notice {
    let doc = &p.doc;
    let year = doc.year;
    let by_code: HashMap<&str, &SocietyDoc> =
        doc.societies.iter().map(|s| (s.code.as_str(), s)).collect();
    let commended: Vec<reformwatch_notice::CommendedRow> = doc
        .overall
        .iter()
        .filter_map(|e| by_code.get(e.code.as_str()))
        .filter(|s| s.outcome == "commended")
        .map(|s| reformwatch_notice::CommendedRow {
            name: s.name_zh.clone(),
            score: s.score.clone().unwrap_or_default(),
            yuan: s
                .yuan
                .map(|y| grouped(i128::from(y)))
                .unwrap_or_else(|| "—".to_owned()),
        })
        .collect();
    let criticised: Vec<reformwatch_notice::CriticisedRow> = doc
        .societies
        .iter()
        .filter(|s| s.outcome == "criticised")
        .map(|s| reformwatch_notice::CriticisedRow {
            name: s.name_zh.clone(),
            reasons: s.reasons.iter().map(|r| r.zh.clone()).collect(),
        })
        .collect();
    let mut body = vec![format!(
        "根据《学会改革工作方案》和{year}年度学会改革任务清单，中国科协组织开展了{year}年度学会改革年终考核。经任务验收、专家评审、结果公示和异议处理，现将考核结果通报如下。"
    )];
    body.push(if commended.is_empty() {
        "本年度无受表扬的学会。".to_owned()
    } else if doc.subsidy.status == "refused" {
        // No allocation was possible (the results say why): no amount is promised here.
        format!(
            "对按照要求完成改革任务、取得明显改革实效的{}个学会予以表扬。",
            commended.len()
        )
    } else {
        format!(
            "对按照要求完成改革任务、取得明显改革实效的{}个学会予以表扬，并依据年终考核结果给予学会综合治理改革项目奖补资助，共计{}元。",
            commended.len(),
            grouped(i128::from(doc.subsidy.paid))
        )
    });
    body.push(if criticised.is_empty() {
        "本年度无通报批评的学会。".to_owned()
    } else {
        format!(
            "对未能按照要求完成改革任务的{}个学会予以通报批评。",
            criticised.len()
        )
    });
    reformwatch_notice::Notice {
        doc_number: format!(
            "科协办发学字〔{}〕{}号",
            p.header.published_at.get(..4).unwrap_or(""),
            p.header.number
        ),
        title: format!("中国科协关于{year}年度全国学会改革考核结果的通报"),
        // Broken between words (GB/T 9704), not wherever the 22 pt line ends ("考核结|果").
        title_lines: vec![
            format!("中国科协关于{year}年度全国学会"),
            "改革考核结果的通报".to_owned(),
        ],
        addressee: "各全国学会：".to_owned(),
        body,
        commended,
        criticised,
        closing: vec![format!(
            "其余{}个学会完成年度改革任务。希望受表扬的学会再接再厉，受通报批评的学会认真整改。",
            doc.completed
        )],
        issuing_body: NOTICE_ISSUER.to_owned(),
        date: chinese_date(&p.header.published_at),
        note: format!(
            "本通报所依据的考核结果已公开发布，SHA-256：{}",
            p.header.sha256
        ),
    }
}

/// What is wrong with the chain, at which publication.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ChainFault {
    pub number: u32,
    pub problem: String,
}

/// Checks every publication (`reformwatch assessment verify`): the numbers run 1, 2, …; the
/// bytes hash to the recorded hash, are a results document in canonical form whose number,
/// year and link agree with the row; each links to the previous one's hash. Ok(count).
pub async fn verify(state: &AppState) -> AppResult<Result<usize, ChainFault>> {
    let chain = store::chain(&state.db).await?;
    Ok(verify_chain(&chain).map(|()| chain.len()))
}

/// The check of [`verify`] over rows (pure).
pub fn verify_chain(chain: &[(ResultRow, String)]) -> Result<(), ChainFault> {
    let mut prev: Option<&str> = None;
    for (i, (h, content)) in chain.iter().enumerate() {
        let fault = |problem: String| ChainFault {
            number: h.number,
            problem,
        };
        let expected = u32::try_from(i + 1).unwrap_or(u32::MAX);
        if h.number != expected {
            return Err(fault(format!("publication {expected} is missing")));
        }
        let actual = core::digest(content.as_bytes());
        if actual != h.sha256 {
            return Err(fault(format!(
                "content hashes to {actual}, recorded {}",
                h.sha256
            )));
        }
        let doc: ResultsDoc = serde_json::from_str(content)
            .map_err(|e| fault(format!("content is not a results document: {e}")))?;
        let again = canonical(&doc).map_err(|e| fault(format!("{e}")))?;
        if again != content.as_bytes() {
            return Err(fault("content is not in canonical form".to_owned()));
        }
        if doc.number != h.number || doc.year != h.year {
            return Err(fault("content names another number or year".to_owned()));
        }
        if doc.prev_sha256.as_deref() != prev || h.prev_sha256.as_deref() != prev {
            return Err(fault(format!(
                "link to the previous publication is broken (expected {})",
                prev.unwrap_or("none")
            )));
        }
        prev = Some(h.sha256.as_str());
    }
    Ok(())
}

/// A download's format.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    Json,
    Csv,
    Xlsx,
}

fn outcome_label(code: &str, lang: core::Lang) -> &'static str {
    let k = match code {
        "criticised" => OutcomeKind::Criticised,
        "commended" => OutcomeKind::Commended,
        _ => OutcomeKind::Completed,
    };
    match lang {
        core::Lang::Zh => k.label_zh(),
        core::Lang::En => k.label_en(),
    }
}

/// The results as one table (code, name, group, score, outcome, rank, yuan, reasons).
pub fn table(doc: &ResultsDoc, lang: core::Lang) -> Table {
    let col = |id: &str, zh: &str, en: &str| Column {
        id: id.to_owned(),
        zh: zh.to_owned(),
        en: en.to_owned(),
    };
    Table {
        id: "results",
        name_zh: "考核结果",
        name_en: "Results",
        columns: vec![
            col("code", "学会代码", "Code"),
            col("name", "学会名称", "Society"),
            col("discipline_group", "学科群", "Discipline group"),
            col("score", "考核得分", "Score"),
            col("outcome", "考核结论", "Outcome"),
            col("rank", "总排名", "Rank"),
            col("yuan", "奖补资助（元）", "Subsidy (yuan)"),
            col("reasons", "理由", "Reasons"),
        ],
        rows: doc
            .societies
            .iter()
            .map(|s| {
                vec![
                    Cell::Text(s.code.clone()),
                    Cell::Text(s.name_zh.clone()),
                    Cell::Text(s.discipline_group.clone()),
                    s.score.clone().map_or(Cell::Empty, Cell::Text),
                    Cell::Text(outcome_label(&s.outcome, lang).to_owned()),
                    s.rank.map_or(Cell::Empty, |r| Cell::Int(i64::from(r))),
                    s.yuan
                        .and_then(|y| i64::try_from(y).ok())
                        .map_or(Cell::Empty, Cell::Int),
                    Cell::Text(
                        s.reasons
                            .iter()
                            .map(|r| match lang {
                                core::Lang::Zh => r.zh.as_str(),
                                core::Lang::En => r.en.as_str(),
                            })
                            .collect::<Vec<_>>()
                            .join(" "),
                    ),
                ]
            })
            .collect(),
    }
}

/// A download of the published results: the canonical JSON byte for byte, the table as CSV
/// (UTF-8 with BOM, CRLF, cells starting with = + - @ neutralised by the core's writer), or
/// a workbook (numbers as numbers, text as text, never a formula).
pub fn download(
    p: &Published,
    format: Format,
    lang: Lang,
) -> AppResult<(&'static str, String, Vec<u8>)> {
    let y = p.header.year;
    let l = match lang {
        Lang::Zh => core::Lang::Zh,
        Lang::En => core::Lang::En,
    };
    match format {
        Format::Json => Ok((
            "application/json",
            format!("assessment-{y}.json"),
            p.bytes.clone(),
        )),
        Format::Csv => Ok((
            "text/csv; charset=utf-8",
            format!("assessment-{y}.csv"),
            core::csv(&table(&p.doc, l), l).into_bytes(),
        )),
        Format::Xlsx => {
            let t = table(&p.doc, l);
            let bytes = workbook(&t, l).map_err(|e| anyhow::anyhow!("results workbook: {e}"))?;
            Ok((
                "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
                format!("assessment-{y}.xlsx"),
                bytes,
            ))
        }
    }
}

fn workbook(t: &Table, l: core::Lang) -> Result<Vec<u8>, rust_xlsxwriter::XlsxError> {
    use rust_xlsxwriter::{Format as XFormat, Workbook};
    let mut wb = Workbook::new();
    let bold = XFormat::new().set_bold();
    let sheet = wb.add_worksheet();
    sheet.set_name(t.name(l))?;
    for (i, h) in t.headers(l).iter().enumerate() {
        sheet.write_string_with_format(0, col(i), *h, &bold)?;
    }
    for (r, row) in t.rows.iter().enumerate() {
        let r = u32::try_from(r + 1).unwrap_or(u32::MAX);
        for (i, cell) in row.iter().enumerate() {
            match cell {
                Cell::Int(v) => {
                    // Ranks and yuan: exact in an f64 (below 2^53).
                    #[allow(clippy::cast_precision_loss)]
                    sheet.write_number(r, col(i), *v as f64)?;
                }
                Cell::Text(s) => {
                    sheet.write_string(r, col(i), s)?;
                }
                Cell::Empty => {}
            }
        }
    }
    wb.save_to_buffer()
}

fn col(i: usize) -> u16 {
    u16::try_from(i).unwrap_or(u16::MAX)
}

// ---------------------------------------------------------------------------------------
// The administrators' export

/// The year's assessment workbook (administrators): indicators, self-scores, reviewer scores
/// with their comments (drafts marked), the latest acceptance decision per task, and the
/// objections with their answers — one sheet each, times in Beijing time, text never a
/// formula. A fixed number of statements.
pub async fn export(state: &AppState, who: &Principal, year: i32) -> AppResult<Vec<u8>> {
    who.require(Action::FinaliseAssessment, None)?;
    let catalogue = crate::service::catalogues::of_year(state, year).await?;
    let rules = catalogue
        .assessment
        .as_ref()
        .ok_or_else(|| no_rules(year))?;
    let all = societies::list(
        &state.db,
        &SocietyFilter {
            include_inactive: Some(true),
            ..Default::default()
        },
    )
    .await?;
    let names: HashMap<i64, (String, String)> =
        all.into_iter().map(|s| (s.id, (s.code, s.name))).collect();
    let who_of = |id: i64| names.get(&id).cloned().unwrap_or_default();
    let people = crate::service::people::people(state, who).await?;
    let bj = crate::present::beijing_text;
    let selfs = crate::db::assessment::self_scores_of_year(&state.db, year, None).await?;
    let scores = store::scores_of_year(&state.db, year).await?;
    let decisions = crate::db::assessment::decisions_of_year(&state.db, year, None).await?;
    let objections = store::objections(&state.db, year, None).await?;

    let t = |s: &str| Cell::Text(s.to_owned());
    let mut sheets: Vec<Sheet<'_>> = Vec::new();
    sheets.push((
        "指标 Indicators",
        vec!["编号 id", "名称", "Name", "分值 points", "类型 kind"],
        rules
            .indicators
            .iter()
            .map(|i| {
                vec![
                    t(&i.id),
                    t(&i.name_zh),
                    t(&i.name_en),
                    t(&i.points.to_string()),
                    t(match &i.leaf {
                        None => "",
                        Some(reformwatch_core::assess::Leaf::Expert) => "expert 专家评分",
                        Some(_) => "automatic 自动计算",
                    }),
                ]
            })
            .collect(),
    ));
    let mut rows = Vec::new();
    for (sid, by) in &selfs {
        let (code, name) = who_of(*sid);
        for s in by.values() {
            rows.push(vec![
                t(&code),
                t(&name),
                t(&s.indicator),
                t(&s.score.to_string()),
                t(&s.comment),
                t(&people.name(&s.entered_by)),
                t(&bj(&s.entered_at)),
            ]);
        }
    }
    sheets.push((
        "自评分 Self-scores",
        vec![
            "学会代码",
            "学会",
            "指标",
            "自评分",
            "说明",
            "填写人",
            "时间（北京时间）",
        ],
        rows,
    ));
    let mut rows = Vec::new();
    for (sid, reviewer, indicator, hundredths, comment, at, submitted) in &scores {
        let (code, name) = who_of(*sid);
        rows.push(vec![
            t(&code),
            t(&name),
            t(indicator),
            t(
                &reformwatch_core::assess::Score::from_hundredths(*hundredths)
                    .map(|s| s.to_string())
                    .unwrap_or_default(),
            ),
            t(comment),
            t(reviewer),
            t(if submitted.is_some() {
                "已提交 submitted"
            } else {
                "草稿 draft"
            }),
            t(&bj(at)),
        ]);
    }
    sheets.push((
        "考评分 Reviewer scores",
        vec![
            "学会代码",
            "学会",
            "指标",
            "考评分",
            "评语",
            "评审专家",
            "状态",
            "时间（北京时间）",
        ],
        rows,
    ));
    let mut rows = Vec::new();
    for (sid, by) in &decisions {
        let (code, name) = who_of(*sid);
        for d in by.values() {
            rows.push(vec![
                t(&code),
                t(&name),
                Cell::Int(i64::from(d.task)),
                t(d.proposed.label_zh()),
                t(d.status.label_zh()),
                t(&d.comment),
                t(&people.name(&d.decided_by)),
                t(&bj(&d.decided_at)),
            ]);
        }
    }
    sheets.push((
        "验收 Acceptance",
        vec![
            "学会代码",
            "学会",
            "任务",
            "系统建议",
            "验收结论",
            "说明",
            "评审人",
            "时间（北京时间）",
        ],
        rows,
    ));
    let rows = objections
        .iter()
        .map(|o| {
            let (code, name) = who_of(o.society_id);
            vec![
                t(&code),
                t(&name),
                t(&bj(&o.filed_at)),
                t(&o.reason),
                o.evidence_id.map_or(Cell::Empty, Cell::Int),
                t(o.answer.as_deref().unwrap_or("")),
                t(match o.changed {
                    Some(true) => "已更改 changed",
                    Some(false) => "未更改 unchanged",
                    None => "",
                }),
                t(&o.answered_by
                    .as_deref()
                    .map(|a| people.name(a))
                    .unwrap_or_default()),
                t(&o.answered_at.as_deref().map(bj).unwrap_or_default()),
            ]
        })
        .collect();
    sheets.push((
        "异议 Objections",
        vec![
            "学会代码",
            "学会",
            "提出时间（北京时间）",
            "理由",
            "证明材料",
            "答复",
            "结果",
            "答复人",
            "答复时间",
        ],
        rows,
    ));
    export_workbook(&sheets).map_err(|e| anyhow::anyhow!("assessment export: {e}").into())
}

/// One sheet of the export: name, headers, rows.
type Sheet<'a> = (&'a str, Vec<&'a str>, Vec<Vec<Cell>>);

fn export_workbook(sheets: &[Sheet<'_>]) -> Result<Vec<u8>, rust_xlsxwriter::XlsxError> {
    use rust_xlsxwriter::{Format as XFormat, Workbook};
    let mut wb = Workbook::new();
    let bold = XFormat::new().set_bold();
    for (name, headers, rows) in sheets {
        let sheet = wb.add_worksheet_with_constant_memory()?;
        sheet.set_name(*name)?;
        for (i, h) in headers.iter().enumerate() {
            sheet.write_string_with_format(0, col(i), *h, &bold)?;
        }
        for (r, row) in rows.iter().enumerate() {
            let r = u32::try_from(r + 1).unwrap_or(u32::MAX);
            for (i, cell) in row.iter().enumerate() {
                match cell {
                    Cell::Int(v) => {
                        // Task numbers and file ids: exact in an f64.
                        #[allow(clippy::cast_precision_loss)]
                        sheet.write_number(r, col(i), *v as f64)?;
                    }
                    Cell::Text(s) => {
                        sheet.write_string(r, col(i), s)?;
                    }
                    Cell::Empty => {}
                }
            }
        }
    }
    wb.save_to_buffer()
}

//! R-PLAN-1..5 storage: one plan per society, year and kind (reform / rectification) with an
//! editable draft; every submission an immutable numbered version; reviews that return or
//! accept a version — the shared steps are the document store's (`documents`), on the `plans`
//! shelf. Also the plan deadline of a year (an administrator's override of the catalogue's).

use std::collections::BTreeMap;

use chrono::{DateTime, Utc};
use reformwatch_core::plan::{PlanContent, PlanState, RectificationContent};
use serde::Serialize;
use serde_json::json;
use sqlx::any::AnyRow;
use sqlx::{AssertSqlSafe, Row};

use super::audit::{self, Actor, Change};
use super::documents::{self, Document, Shelf};
use super::{Db, Tx, ts};
use crate::error::{AppError, AppResult};
use crate::model::FieldError;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, serde::Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum PlanKind {
    /// 改革方案 (R-PLAN-1..4)
    Reform,
    /// 整改方案 (R-PLAN-5)
    Rectification,
}

impl PlanKind {
    pub fn as_str(self) -> &'static str {
        match self {
            PlanKind::Reform => "reform",
            PlanKind::Rectification => "rectification",
        }
    }
    pub fn parse(s: Option<&str>) -> Option<PlanKind> {
        match s.map(str::trim).unwrap_or("") {
            "" | "reform" => Some(PlanKind::Reform),
            "rectification" => Some(PlanKind::Rectification),
            _ => None,
        }
    }
}

/// The content of a plan: a reform plan's or a rectification plan's (R-PLAN-2, R-PLAN-3,
/// R-PLAN-5). Serialised as the content itself (the stored JSON format is unchanged).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(untagged)]
pub enum PlanBody {
    Reform(PlanContent),
    Rectification(RectificationContent),
}

impl PlanBody {
    /// The empty content of a kind.
    pub fn empty(kind: PlanKind) -> PlanBody {
        match kind {
            PlanKind::Reform => PlanBody::Reform(PlanContent::default()),
            PlanKind::Rectification => PlanBody::Rectification(RectificationContent::default()),
        }
    }

    pub fn kind(&self) -> PlanKind {
        match self {
            PlanBody::Reform(_) => PlanKind::Reform,
            PlanBody::Rectification(_) => PlanKind::Rectification,
        }
    }

    /// Decodes stored or submitted JSON of a kind (unknown fields are errors).
    pub fn decode(kind: PlanKind, text: &str) -> Result<PlanBody, serde_json::Error> {
        Ok(match kind {
            PlanKind::Reform => PlanBody::Reform(serde_json::from_str(text)?),
            PlanKind::Rectification => PlanBody::Rectification(serde_json::from_str(text)?),
        })
    }

    /// The reform plan's content, if this is one.
    pub fn reform(&self) -> Option<&PlanContent> {
        match self {
            PlanBody::Reform(c) => Some(c),
            PlanBody::Rectification(_) => None,
        }
    }
}

/// A society's plan of a year and kind, its content decoded (R-PLAN-1..5).
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct Plan {
    pub id: i64,
    #[serde(skip)]
    pub society_id: i64,
    pub society_code: String,
    pub society_name: String,
    pub discipline_group: String,
    pub year: i32,
    pub kind: PlanKind,
    #[schema(value_type = String)]
    pub state: PlanState,
    /// `PlanContent` (reform) or `RectificationContent`.
    #[schema(value_type = Object)]
    pub draft: PlanBody,
    /// The version accepted as the yardstick for tracking and review.
    pub accepted_version: Option<i64>,
    pub request_reason: Option<String>,
    pub requested_by: Option<String>,
    pub created_at: String,
    pub updated_at: String,
    /// Latest submitted version, its time and lateness (seconds late; null = on time).
    pub latest_version: Option<i64>,
    pub latest_submitted_at: Option<String>,
    pub first_late_seconds: Option<i64>,
    pub first_submitted_at: Option<String>,
}

pub static PLANS: Shelf = Shelf {
    documents: "plans",
    versions: "plan_versions",
    reviews: "plan_reviews",
    parent: "plan_id",
    noun: "plan",
    task_comments: true,
    accepted_version: true,
};

impl Plan {
    fn label_zh(&self) -> String {
        let kind = match self.kind {
            PlanKind::Reform => "改革方案",
            PlanKind::Rectification => "整改方案",
        };
        format!("{} {} 年{kind}", self.society_code, self.year)
    }
}

impl Document for Plan {
    type Content = PlanBody;
    const SHELF: &'static Shelf = &PLANS;
    fn id(&self) -> i64 {
        self.id
    }
    fn state_str(&self) -> &'static str {
        self.state.as_str()
    }
    fn draft(&self) -> &PlanBody {
        &self.draft
    }
    fn object_id(&self) -> String {
        format!("{}/{}/{}", self.society_code, self.year, self.kind.as_str())
    }
    fn describe(&self, part_zh: &str, part_en: &str) -> (String, String) {
        (
            format!("{}的{part_zh}", self.label_zh()),
            format!("{part_en} of plan {}", self.object_id()),
        )
    }
    fn decode(&self, text: &str) -> Result<PlanBody, serde_json::Error> {
        PlanBody::decode(self.kind, text)
    }
    fn extract(content: &PlanBody) -> Option<String> {
        content
            .reform()
            .and_then(|c| serde_json::to_string(&c.progress_part()).ok())
    }
}

const SELECT: &str = "SELECT p.id, p.society_id, s.code, s.name, s.discipline_group, p.year, p.kind, p.state, p.draft_json, p.accepted_version, \
     p.request_reason, p.requested_by, p.created_at, p.updated_at, \
     (SELECT MAX(v.version) FROM plan_versions v WHERE v.plan_id = p.id), \
     (SELECT MAX(v.submitted_at) FROM plan_versions v WHERE v.plan_id = p.id), \
     (SELECT v.late_seconds FROM plan_versions v WHERE v.plan_id = p.id AND v.version = 1), \
     (SELECT v.submitted_at FROM plan_versions v WHERE v.plan_id = p.id AND v.version = 1) \
     FROM plans p JOIN societies s ON s.id = p.society_id";

/// A row → a plan, its draft decoded (an undecodable draft names the plan).
fn from_row(r: &AnyRow) -> AppResult<Plan> {
    let kind: String = r.try_get(6)?;
    let state: String = r.try_get(7)?;
    let draft: String = r.try_get(8)?;
    let kind = PlanKind::parse(Some(&kind))
        .ok_or_else(|| anyhow::anyhow!("stored plan kind {kind} unknown"))?;
    let mut plan = Plan {
        id: r.try_get(0)?,
        society_id: r.try_get(1)?,
        society_code: r.try_get(2)?,
        society_name: r.try_get(3)?,
        discipline_group: r.try_get(4)?,
        year: r.try_get::<i64, _>(5)? as i32,
        kind,
        state: PlanState::parse(&state)
            .ok_or_else(|| anyhow::anyhow!("stored plan state {state} unknown"))?,
        draft: PlanBody::empty(kind),
        accepted_version: r.try_get(9)?,
        request_reason: r.try_get(10)?,
        requested_by: r.try_get(11)?,
        created_at: r.try_get(12)?,
        updated_at: r.try_get(13)?,
        latest_version: r.try_get(14)?,
        latest_submitted_at: r.try_get(15)?,
        first_late_seconds: r.try_get(16)?,
        first_submitted_at: r.try_get(17)?,
    };
    plan.draft = documents::decode(&plan, &draft, "草稿", "draft")?;
    Ok(plan)
}

pub async fn get(db: &Db, society_id: i64, year: i32, kind: PlanKind) -> AppResult<Option<Plan>> {
    let row = sqlx::query(AssertSqlSafe(format!(
        "{SELECT} WHERE p.society_id = $1 AND p.year = $2 AND p.kind = $3"
    )))
    .bind(society_id)
    .bind(i64::from(year))
    .bind(kind.as_str())
    .fetch_optional(&db.pool)
    .await?;
    row.as_ref().map(from_row).transpose()
}

/// All plans of a year and kind (queue, overview, reminders).
pub async fn list(db: &Db, year: i32, kind: PlanKind) -> AppResult<Vec<Plan>> {
    let rows = sqlx::query(AssertSqlSafe(format!(
        "{SELECT} WHERE p.year = $1 AND p.kind = $2 ORDER BY s.code"
    )))
    .bind(i64::from(year))
    .bind(kind.as_str())
    .fetch_all(&db.pool)
    .await?;
    rows.iter().map(from_row).collect()
}

/// The accepted version of the reform plan of every society of a year (or of one): society id
/// → (content, version). One query (the report pages, the assessment).
pub async fn accepted_of_year(
    db: &Db,
    year: i32,
    society_id: Option<i64>,
) -> AppResult<BTreeMap<i64, (PlanContent, i64)>> {
    accepted(db, year, society_id, "content_json", "").await
}

/// [`accepted_of_year`] reading only the stored progress part of each accepted version
/// ([`PlanContent::progress_part`], issue 8): what colours, rates and red streaks read. A
/// version without it, or whose part does not decode, is an error naming it. One query.
pub async fn accepted_extracts_of_year(
    db: &Db,
    year: i32,
    society_id: Option<i64>,
) -> AppResult<BTreeMap<i64, (PlanContent, i64)>> {
    accepted(db, year, society_id, "progress_json", "progress part of ").await
}

async fn accepted(
    db: &Db,
    year: i32,
    society_id: Option<i64>,
    column: &str,
    part_en: &str,
) -> AppResult<BTreeMap<i64, (PlanContent, i64)>> {
    let one = if society_id.is_some() {
        " AND p.society_id = $2"
    } else {
        ""
    };
    let mut q = sqlx::query(AssertSqlSafe(format!(
        "SELECT p.society_id, s.code, v.version, v.{column} FROM plans p \
         JOIN societies s ON s.id = p.society_id \
         JOIN plan_versions v ON v.plan_id = p.id AND v.version = p.accepted_version \
         WHERE p.year = $1 AND p.kind = 'reform'{one}"
    )))
    .bind(i64::from(year));
    if let Some(id) = society_id {
        q = q.bind(id);
    }
    let rows = q.fetch_all(&db.pool).await?;
    let mut out = BTreeMap::new();
    for r in &rows {
        let society_id: i64 = r.try_get(0)?;
        let version: i64 = r.try_get(2)?;
        let text: Option<&str> = r.try_get(3)?;
        let decoded = match text {
            Some(t) => serde_json::from_str::<PlanContent>(t).map_err(|e| e.to_string()),
            None => Err("missing".to_owned()),
        };
        let content = match decoded {
            Ok(c) => c,
            Err(e) => {
                let code: &str = r.try_get(1)?;
                let part_zh = if part_en.is_empty() {
                    ""
                } else {
                    "（进展摘要）"
                };
                return Err(AppError::unreadable(
                    format!("{code} {year} 年改革方案的第 {version} 版{part_zh}"),
                    format!("{part_en}version {version} of plan {code}/{year}/reform"),
                    e,
                ));
            }
        };
        out.insert(society_id, (content, version));
    }
    Ok(out)
}

/// The societies with an accepted reform plan for a year. One query.
pub async fn accepted_societies(db: &Db, year: i32) -> AppResult<std::collections::HashSet<i64>> {
    let rows = sqlx::query(
        "SELECT society_id FROM plans WHERE year = $1 AND kind = 'reform' AND accepted_version IS NOT NULL",
    )
    .bind(i64::from(year))
    .fetch_all(&db.pool)
    .await?;
    rows.iter()
        .map(|r| r.try_get(0))
        .collect::<Result<_, sqlx::Error>>()
        .map_err(Into::into)
}

/// What a new plan starts with.
pub struct NewPlan<'a> {
    pub society_id: i64,
    pub society_code: &'a str,
    pub year: i32,
    pub draft: &'a PlanBody,
    /// Why a rectification plan is asked for (R-PLAN-5).
    pub request_reason: Option<&'a str>,
}

/// Creates a plan in the draft state (one per society, year and kind) and audits it.
pub async fn create(
    db: &Db,
    tx: &mut Tx,
    actor: &Actor,
    now: DateTime<Utc>,
    new: &NewPlan<'_>,
) -> AppResult<()> {
    let kind = new.draft.kind();
    let draft = serde_json::to_string(new.draft).map_err(|e| AppError::Internal(e.into()))?;
    let r = sqlx::query(
        "INSERT INTO plans (society_id, year, kind, state, draft_json, request_reason, requested_by, created_at, updated_at) \
         VALUES ($1, $2, $3, 'draft', $4, $5, $6, $7, $7)",
    )
    .bind(new.society_id)
    .bind(i64::from(new.year))
    .bind(kind.as_str())
    .bind(draft)
    .bind(new.request_reason)
    .bind(new.request_reason.map(|_| actor.label()))
    .bind(ts(now))
    .execute(&mut **tx)
    .await;
    if let Err(e) = r {
        return Err(if super::is_unique_violation(&e) {
            FieldError::new("plan", "err-plan-exists").into()
        } else {
            e.into()
        });
    }
    let action = if kind == PlanKind::Rectification {
        "rectification.request"
    } else {
        "plan.create"
    };
    let obj = format!("{}/{}/{}", new.society_code, new.year, kind.as_str());
    documents::audit_create(
        db,
        tx,
        actor,
        now,
        action,
        "plan",
        &obj,
        json!({"draft": new.draft, "reason": new.request_reason}),
    )
    .await
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct Deadline {
    pub year: i32,
    /// Local date-time in `timezone`, `YYYY-MM-DDTHH:MM:SS`.
    pub local_time: String,
    pub timezone: String,
    /// The instant, UTC (RFC 3339).
    pub utc: String,
    /// `catalogue` (as the year's file says) or the administrator who changed it.
    pub set_by: String,
}

/// The plan deadline of a year: an administrator's override, else the catalogue's (R-PLAN-1).
pub async fn plan_deadline(
    db: &Db,
    catalogue: &reformwatch_core::catalogue::Catalogue,
) -> AppResult<(DateTime<Utc>, Deadline)> {
    let row = sqlx::query(
        "SELECT local_time, timezone, set_by FROM deadlines WHERE year = $1 AND kind = 'plan'",
    )
    .bind(i64::from(catalogue.year))
    .fetch_optional(&db.pool)
    .await?;
    if let Some(r) = row {
        let local: String = r.try_get(0)?;
        let tz_name: String = r.try_get(1)?;
        let set_by: String = r.try_get(2)?;
        let (utc, _) = resolve_local(&local, &tz_name)
            .map_err(|e| AppError::Internal(anyhow::anyhow!("stored deadline invalid: {e:?}")))?;
        return Ok((
            utc,
            Deadline {
                year: catalogue.year,
                local_time: local,
                timezone: tz_name,
                utc: utc.to_rfc3339(),
                set_by,
            },
        ));
    }
    let utc = catalogue.plan_deadline_utc();
    Ok((
        utc,
        Deadline {
            year: catalogue.year,
            local_time: catalogue
                .plan_deadline
                .format("%Y-%m-%dT%H:%M:%S")
                .to_string(),
            timezone: catalogue.timezone.name().to_string(),
            utc: utc.to_rfc3339(),
            set_by: "catalogue".into(),
        },
    ))
}

/// A local date-time in a named time zone → the UTC instant; errors name the field.
pub fn resolve_local(
    local: &str,
    tz_name: &str,
) -> Result<(DateTime<Utc>, chrono_tz::Tz), FieldError> {
    let tz: chrono_tz::Tz = tz_name
        .trim()
        .parse()
        .map_err(|_| FieldError::new("timezone", "err-timezone").arg("value", tz_name))?;
    let s = local.trim();
    let naive = chrono::NaiveDateTime::parse_from_str(s, "%Y-%m-%dT%H:%M:%S")
        .or_else(|_| chrono::NaiveDateTime::parse_from_str(s, "%Y-%m-%dT%H:%M"))
        .or_else(|_| chrono::NaiveDateTime::parse_from_str(s, "%Y-%m-%d %H:%M:%S"))
        .map_err(|_| FieldError::new("local_time", "err-datetime").arg("value", s))?;
    use chrono::TimeZone;
    let instant = tz
        .from_local_datetime(&naive)
        .single()
        .ok_or_else(|| FieldError::new("local_time", "err-datetime-ambiguous").arg("value", s))?;
    Ok((instant.with_timezone(&Utc), tz))
}

pub async fn set_plan_deadline(
    db: &Db,
    actor: &Actor,
    now: DateTime<Utc>,
    year: i32,
    local: &str,
    tz_name: &str,
    before: &Deadline,
) -> AppResult<()> {
    let (utc, tz) = resolve_local(local, tz_name)?;
    let local_norm = utc
        .with_timezone(&tz)
        .format("%Y-%m-%dT%H:%M:%S")
        .to_string();
    let mut tx = db.begin().await?;
    sqlx::query("DELETE FROM deadlines WHERE year = $1 AND kind = 'plan'")
        .bind(i64::from(year))
        .execute(&mut *tx)
        .await?;
    sqlx::query("INSERT INTO deadlines (year, kind, local_time, timezone, set_by, set_at) VALUES ($1, 'plan', $2, $3, $4, $5)")
        .bind(i64::from(year))
        .bind(&local_norm)
        .bind(tz.name())
        .bind(actor.label())
        .bind(ts(now))
        .execute(&mut *tx)
        .await?;
    let obj = year.to_string();
    audit::record(
        db,
        &mut tx,
        actor,
        now,
        Change {
            action: "deadline.set",
            object_type: "deadline",
            object_id: &obj,
            before: Some(json!({"local_time": before.local_time, "timezone": before.timezone})),
            after: Some(
                json!({"local_time": local_norm, "timezone": tz.name(), "utc": utc.to_rfc3339()}),
            ),
        },
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

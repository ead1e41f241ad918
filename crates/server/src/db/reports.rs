//! R-TRACK-1/2 storage: one monthly report per society and month with an editable draft; every
//! submission an immutable numbered version; reviewer comments and returns — the shared steps
//! are the document store's (`documents`), on the `reports` shelf. Also month locks with
//! per-society exceptions.

use chrono::{DateTime, Utc};
use reformwatch_core::tracking::{Month, ReportContent, ReportExtract, ReportState};
use serde::Serialize;
use serde_json::json;
use sqlx::any::AnyRow;
use sqlx::{AssertSqlSafe, Row};

use super::audit::{self, Actor, Change};
use super::documents::{self, Document, Shelf};
use super::{Db, Tx, ts};
use crate::error::{AppError, AppResult};
use crate::model::FieldError;

/// A society's monthly report, its draft decoded (R-TRACK-1).
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct Report {
    pub id: i64,
    #[serde(skip)]
    pub society_id: i64,
    pub society_code: String,
    pub year: i32,
    pub month: u32,
    /// `draft`, `submitted` or `returned`.
    #[schema(value_type = String)]
    pub state: ReportState,
    #[schema(value_type = Object)]
    pub draft: ReportContent,
    /// The accepted plan version this report follows.
    pub plan_version: i64,
    pub updated_at: String,
    pub latest_version: Option<i64>,
    pub first_submitted_at: Option<String>,
    pub first_late_seconds: Option<i64>,
}

impl Report {
    pub fn month(&self) -> Month {
        Month {
            year: self.year,
            month: self.month,
        }
    }
}

pub static REPORTS: Shelf = Shelf {
    documents: "reports",
    versions: "report_versions",
    reviews: "report_reviews",
    parent: "report_id",
    noun: "report",
    task_comments: false,
    accepted_version: false,
};

impl Document for Report {
    type Content = ReportContent;
    const SHELF: &'static Shelf = &REPORTS;
    fn id(&self) -> i64 {
        self.id
    }
    fn state_str(&self) -> &'static str {
        self.state.as_str()
    }
    fn draft(&self) -> &ReportContent {
        &self.draft
    }
    fn object_id(&self) -> String {
        obj(&self.society_code, self.year, self.month)
    }
    fn describe(&self, part_zh: &str, part_en: &str) -> (String, String) {
        (
            format!(
                "{} {}年{}月月报的{part_zh}",
                self.society_code, self.year, self.month
            ),
            format!("{part_en} of report {}", self.object_id()),
        )
    }
    fn decode(&self, text: &str) -> Result<ReportContent, serde_json::Error> {
        serde_json::from_str(text)
    }
    fn extract(content: &ReportContent) -> Option<String> {
        serde_json::to_string(&ReportExtract::from(content)).ok()
    }
}

const SELECT: &str = "SELECT r.id, r.society_id, s.code, r.year, r.month, r.state, r.draft_json, r.plan_version, r.updated_at, \
     (SELECT MAX(v.version) FROM report_versions v WHERE v.report_id = r.id), \
     (SELECT v.submitted_at FROM report_versions v WHERE v.report_id = r.id AND v.version = 1), \
     (SELECT v.late_seconds FROM report_versions v WHERE v.report_id = r.id AND v.version = 1) \
     FROM reports r JOIN societies s ON s.id = r.society_id";

/// A row → a report, its draft decoded (an undecodable draft names the report).
fn from_row(r: &AnyRow) -> AppResult<Report> {
    let state: String = r.try_get(5)?;
    let draft: String = r.try_get(6)?;
    let mut report = Report {
        id: r.try_get(0)?,
        society_id: r.try_get(1)?,
        society_code: r.try_get(2)?,
        year: r.try_get::<i64, _>(3)? as i32,
        month: r.try_get::<i64, _>(4)? as u32,
        state: ReportState::parse(&state)
            .ok_or_else(|| anyhow::anyhow!("stored report state {state} unknown"))?,
        draft: ReportContent::default(),
        plan_version: r.try_get(7)?,
        updated_at: r.try_get(8)?,
        latest_version: r.try_get(9)?,
        first_submitted_at: r.try_get(10)?,
        first_late_seconds: r.try_get(11)?,
    };
    report.draft = documents::decode(&report, &draft, "草稿", "draft")?;
    Ok(report)
}

pub async fn get(db: &Db, society_id: i64, year: i32, month: u32) -> AppResult<Option<Report>> {
    let row = sqlx::query(AssertSqlSafe(format!(
        "{SELECT} WHERE r.society_id = $1 AND r.year = $2 AND r.month = $3"
    )))
    .bind(society_id)
    .bind(i64::from(year))
    .bind(i64::from(month))
    .fetch_optional(&db.pool)
    .await?;
    row.as_ref().map(from_row).transpose()
}

/// Every report of a society for a year, by month.
pub async fn of_society(db: &Db, society_id: i64, year: i32) -> AppResult<Vec<Report>> {
    let rows = sqlx::query(AssertSqlSafe(format!(
        "{SELECT} WHERE r.society_id = $1 AND r.year = $2 ORDER BY r.month"
    )))
    .bind(society_id)
    .bind(i64::from(year))
    .fetch_all(&db.pool)
    .await?;
    rows.iter().map(from_row).collect()
}

/// Every report of a year (dashboard, rates).
pub async fn of_year(db: &Db, year: i32) -> AppResult<Vec<Report>> {
    let rows = sqlx::query(AssertSqlSafe(format!(
        "{SELECT} WHERE r.year = $1 ORDER BY s.code, r.month"
    )))
    .bind(i64::from(year))
    .fetch_all(&db.pool)
    .await?;
    rows.iter().map(from_row).collect()
}

/// A report without its content: what lists, rates and the dashboard need.
#[derive(Debug, Clone)]
pub struct Summary {
    pub id: i64,
    pub society_id: i64,
    pub month: Month,
    pub state: ReportState,
    pub latest_version: Option<i64>,
    pub first_submitted_at: Option<String>,
    pub first_late_seconds: Option<i64>,
}

/// Every report of a year, without content, by society and month. One query.
pub async fn summaries_of_year(db: &Db, year: i32) -> AppResult<Vec<Summary>> {
    summaries(db, year, None).await
}

/// Every report of one month of a year, without content, by society. One query (the
/// dashboard, issue 8: index `reports_by_month`, migration 0015).
pub async fn summaries_of_month(db: &Db, year: i32, month: u32) -> AppResult<Vec<Summary>> {
    summaries(db, year, Some(month)).await
}

async fn summaries(db: &Db, year: i32, month: Option<u32>) -> AppResult<Vec<Summary>> {
    let of_month = if month.is_some() {
        " AND r.month = $2"
    } else {
        ""
    };
    let mut q = sqlx::query(AssertSqlSafe(format!(
        "SELECT r.id, r.society_id, r.month, r.state, \
         (SELECT MAX(v.version) FROM report_versions v WHERE v.report_id = r.id), \
         (SELECT v.submitted_at FROM report_versions v WHERE v.report_id = r.id AND v.version = 1), \
         (SELECT v.late_seconds FROM report_versions v WHERE v.report_id = r.id AND v.version = 1) \
         FROM reports r WHERE r.year = $1{of_month} ORDER BY r.society_id, r.month",
    )))
    .bind(i64::from(year));
    if let Some(m) = month {
        q = q.bind(i64::from(m));
    }
    let rows = q.fetch_all(&db.pool).await?;
    rows.iter()
        .map(|r| {
            let state: String = r.try_get(3)?;
            Ok(Summary {
                id: r.try_get(0)?,
                society_id: r.try_get(1)?,
                month: Month {
                    year,
                    month: r.try_get::<i64, _>(2)? as u32,
                },
                state: ReportState::parse(&state)
                    .ok_or_else(|| anyhow::anyhow!("stored report state {state} unknown"))?,
                latest_version: r.try_get(4)?,
                first_submitted_at: r.try_get(5)?,
                first_late_seconds: r.try_get(6)?,
            })
        })
        .collect()
}

/// A report in the reviewers' queue (issue 10): its summary, when its latest version was
/// submitted and how many reviews that version has.
#[derive(Debug, Clone)]
pub struct QueueRow {
    pub summary: Summary,
    pub latest_submitted_at: Option<String>,
    pub latest_reviews: i64,
}

/// Every report of a year with what the queue needs. One query.
pub async fn queue_of_year(db: &Db, year: i32) -> AppResult<Vec<QueueRow>> {
    let rows = sqlx::query(
        "SELECT r.id, r.society_id, r.month, r.state, \
         (SELECT MAX(v.version) FROM report_versions v WHERE v.report_id = r.id), \
         (SELECT v.submitted_at FROM report_versions v WHERE v.report_id = r.id AND v.version = 1), \
         (SELECT v.late_seconds FROM report_versions v WHERE v.report_id = r.id AND v.version = 1), \
         (SELECT v.submitted_at FROM report_versions v WHERE v.report_id = r.id \
            AND v.version = (SELECT MAX(x.version) FROM report_versions x WHERE x.report_id = r.id)), \
         (SELECT COUNT(*) FROM report_reviews w WHERE w.report_id = r.id \
            AND w.version = (SELECT MAX(x.version) FROM report_versions x WHERE x.report_id = r.id)) \
         FROM reports r WHERE r.year = $1 ORDER BY r.society_id, r.month",
    )
    .bind(i64::from(year))
    .fetch_all(&db.pool)
    .await?;
    rows.iter()
        .map(|r| {
            let state: String = r.try_get(3)?;
            Ok(QueueRow {
                summary: Summary {
                    id: r.try_get(0)?,
                    society_id: r.try_get(1)?,
                    month: Month {
                        year,
                        month: r.try_get::<i64, _>(2)? as u32,
                    },
                    state: ReportState::parse(&state)
                        .ok_or_else(|| anyhow::anyhow!("stored report state {state} unknown"))?,
                    latest_version: r.try_get(4)?,
                    first_submitted_at: r.try_get(5)?,
                    first_late_seconds: r.try_get(6)?,
                },
                latest_submitted_at: r.try_get(7)?,
                latest_reviews: r.try_get(8)?,
            })
        })
        .collect()
}

/// A report as received: (society id, month, first submission, latest submitted content — the
/// whole [`ReportContent`] or its progress extract, [`ReportExtract`]).
pub struct Received<C = ReportContent> {
    pub society_id: i64,
    pub month: Month,
    pub first_submitted_at: String,
    pub content: C,
}

/// The latest submitted version of every report of a year (for one society, or all), with the
/// time of its first submission, its whole content decoded. One query.
pub async fn received_of_year(
    db: &Db,
    year: i32,
    society_id: Option<i64>,
) -> AppResult<Vec<Received>> {
    received(db, year, society_id, "content_json", |text| {
        let text = text.ok_or_else(|| "content missing".to_owned())?;
        serde_json::from_str(text).map_err(|e| e.to_string())
    })
    .await
}

/// [`received_of_year`] reading only the progress extracts stored beside the versions (issue
/// 8): what colours, rates and reminders need, a small part of each report. A version without
/// an extract, or whose extract does not decode, is an error naming it (never an empty
/// report). One query.
pub async fn received_extracts_of_year(
    db: &Db,
    year: i32,
    society_id: Option<i64>,
) -> AppResult<Vec<Received<ReportExtract>>> {
    received(db, year, society_id, "progress_json", |text| {
        let text = text.ok_or_else(|| "progress extract missing".to_owned())?;
        serde_json::from_str(text).map_err(|e| format!("progress extract: {e}"))
    })
    .await
}

/// The latest version of every received report, `column` of it decoded by `decode` (given the
/// stored text, `None` for NULL); an error names the row.
async fn received<C>(
    db: &Db,
    year: i32,
    society_id: Option<i64>,
    column: &str,
    decode: impl Fn(Option<&str>) -> Result<C, String>,
) -> AppResult<Vec<Received<C>>> {
    let one = if society_id.is_some() {
        " AND r.society_id = $2"
    } else {
        ""
    };
    let mut q = sqlx::query(AssertSqlSafe(format!(
        "SELECT r.society_id, s.code, r.month, f.submitted_at, v.version, v.{column} \
         FROM reports r JOIN societies s ON s.id = r.society_id \
         JOIN report_versions f ON f.report_id = r.id AND f.version = 1 \
         JOIN report_versions v ON v.report_id = r.id \
         WHERE r.year = $1{one} \
         AND v.version = (SELECT MAX(x.version) FROM report_versions x WHERE x.report_id = r.id) \
         ORDER BY r.society_id, r.month"
    )))
    .bind(i64::from(year));
    if let Some(id) = society_id {
        q = q.bind(id);
    }
    let rows = q.fetch_all(&db.pool).await?;
    let mut out = Vec::with_capacity(rows.len());
    for r in &rows {
        let month: u32 = r.try_get::<i64, _>(2)? as u32;
        let version: i64 = r.try_get(4)?;
        let text: Option<&str> = r.try_get(5)?;
        let content = match decode(text) {
            Ok(c) => c,
            Err(e) => {
                let code: &str = r.try_get(1)?;
                return Err(AppError::unreadable(
                    format!("{code} {year}年{month}月月报的第 {version} 版"),
                    format!("version {version} of report {}", obj(code, year, month)),
                    e,
                ));
            }
        };
        out.push(Received {
            society_id: r.try_get(0)?,
            month: Month { year, month },
            first_submitted_at: r.try_get(3)?,
            content,
        });
    }
    Ok(out)
}

fn obj(code: &str, year: i32, month: u32) -> String {
    format!("{code}/{year}-{month:02}")
}

/// What a new report starts with.
pub struct NewReport<'a> {
    pub society_id: i64,
    pub society_code: &'a str,
    pub month: Month,
    /// The accepted plan version the report follows.
    pub plan_version: i64,
    pub draft: &'a ReportContent,
}

/// Creates the month's report in the draft state (one per society and month) and audits it.
pub async fn create(
    db: &Db,
    tx: &mut Tx,
    actor: &Actor,
    now: DateTime<Utc>,
    new: &NewReport<'_>,
) -> AppResult<()> {
    let draft = serde_json::to_string(new.draft).map_err(|e| AppError::Internal(e.into()))?;
    let r = sqlx::query("INSERT INTO reports (society_id, year, month, state, draft_json, plan_version, created_at, updated_at) VALUES ($1, $2, $3, 'draft', $4, $5, $6, $6)")
        .bind(new.society_id)
        .bind(i64::from(new.month.year))
        .bind(i64::from(new.month.month))
        .bind(draft)
        .bind(new.plan_version)
        .bind(ts(now))
        .execute(&mut **tx)
        .await;
    if let Err(e) = r {
        return Err(if super::is_unique_violation(&e) {
            FieldError::new("month", "err-report-exists").into()
        } else {
            e.into()
        });
    }
    documents::audit_create(
        db,
        tx,
        actor,
        now,
        "report.create",
        "report",
        &obj(new.society_code, new.month.year, new.month.month),
        json!({"plan_version": new.plan_version}),
    )
    .await
}

/// Whether `society` may change its report for a month: not locked, or granted an exception.
pub async fn is_open(db: &Db, society_id: i64, year: i32, month: u32) -> AppResult<bool> {
    let locked: i64 =
        sqlx::query("SELECT COUNT(*) FROM month_locks WHERE year = $1 AND month = $2")
            .bind(i64::from(year))
            .bind(i64::from(month))
            .fetch_one(&db.pool)
            .await?
            .try_get(0)?;
    if locked == 0 {
        return Ok(true);
    }
    let exception: i64 = sqlx::query(
        "SELECT COUNT(*) FROM lock_exceptions WHERE society_id = $1 AND year = $2 AND month = $3",
    )
    .bind(society_id)
    .bind(i64::from(year))
    .bind(i64::from(month))
    .fetch_one(&db.pool)
    .await?
    .try_get(0)?;
    Ok(exception > 0)
}

pub async fn locked_months(db: &Db, year: i32) -> AppResult<Vec<u32>> {
    let rows = sqlx::query("SELECT month FROM month_locks WHERE year = $1 ORDER BY month")
        .bind(i64::from(year))
        .fetch_all(&db.pool)
        .await?;
    rows.iter()
        .map(|r| Ok(r.try_get::<i64, _>(0)? as u32))
        .collect::<Result<_, sqlx::Error>>()
        .map_err(Into::into)
}

pub async fn set_lock(
    db: &Db,
    actor: &Actor,
    now: DateTime<Utc>,
    year: i32,
    month: u32,
    locked: bool,
) -> AppResult<()> {
    let mut tx = db.begin().await?;
    sqlx::query("DELETE FROM month_locks WHERE year = $1 AND month = $2")
        .bind(i64::from(year))
        .bind(i64::from(month))
        .execute(&mut *tx)
        .await?;
    if locked {
        sqlx::query(
            "INSERT INTO month_locks (year, month, locked_by, locked_at) VALUES ($1, $2, $3, $4)",
        )
        .bind(i64::from(year))
        .bind(i64::from(month))
        .bind(actor.label())
        .bind(ts(now))
        .execute(&mut *tx)
        .await?;
    }
    let o = format!("{year}-{month:02}");
    audit::record(
        db,
        &mut tx,
        actor,
        now,
        Change {
            action: if locked { "month.lock" } else { "month.unlock" },
            object_type: "month",
            object_id: &o,
            before: None,
            after: Some(json!({"locked": locked})),
        },
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

pub async fn grant_exception(
    db: &Db,
    actor: &Actor,
    now: DateTime<Utc>,
    society_id: i64,
    code: &str,
    year: i32,
    month: u32,
) -> AppResult<()> {
    let mut tx = db.begin().await?;
    let r = sqlx::query("INSERT INTO lock_exceptions (society_id, year, month, granted_by, granted_at) VALUES ($1, $2, $3, $4, $5)")
        .bind(society_id)
        .bind(i64::from(year))
        .bind(i64::from(month))
        .bind(actor.label())
        .bind(ts(now))
        .execute(&mut *tx)
        .await;
    if let Err(e) = r {
        return if super::is_unique_violation(&e) {
            Ok(())
        } else {
            Err(AppError::from(e))
        };
    }
    audit::record(
        db,
        &mut tx,
        actor,
        now,
        Change {
            action: "month.exception",
            object_type: "report",
            object_id: &obj(code, year, month),
            before: None,
            after: Some(json!({"exception": true})),
        },
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

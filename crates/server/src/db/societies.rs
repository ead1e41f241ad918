//! Society registry (R-SOC-1): one row per society, plus the per-year election flag.

use chrono::{DateTime, Utc};
use serde::Serialize;
use serde_json::json;
use sqlx::any::AnyRow;
use sqlx::{AssertSqlSafe, Row};

use super::audit::{self, Actor, Change};
use super::{Db, Tx, is_unique_violation, ts};
use crate::error::{AppError, AppResult};
use crate::model::{DisciplineGroup, FieldError, FieldErrors, SocietyCode, text};

#[derive(Debug, Clone, Serialize, PartialEq, utoipa::ToSchema)]
pub struct Society {
    #[serde(skip)]
    pub id: i64,
    pub code: String,
    pub name: String,
    /// The official English name; empty when none is recorded (pages then show the Chinese
    /// name).
    pub name_en: String,
    pub short_name: String,
    /// Discipline group letter: A 理科, B 工科, C 农科, D 医科, E 交叉.
    pub discipline_group: String,
    /// The discipline group in Chinese, as CAST's registry writes it.
    pub category: String,
    pub supporting_unit: String,
    pub contact_name: String,
    pub contact_phone: String,
    pub contact_email: String,
    pub active: bool,
}

/// A validated society record as entered in a form, JSON or an import row.
#[derive(Debug, Clone, PartialEq)]
pub struct SocietyInput {
    pub code: SocietyCode,
    pub name: String,
    /// The English name; `None`: keep the stored one (an import without the column, a JSON
    /// body without the member), empty for a new society.
    pub name_en: Option<String>,
    pub short_name: String,
    pub group: DisciplineGroup,
    pub supporting_unit: String,
    pub contact_name: String,
    pub contact_phone: String,
    pub contact_email: String,
    pub active: bool,
}

/// Raw strings as typed by a person; `parse` turns them into a `SocietyInput` or field errors.
#[derive(Debug, Clone, Default, serde::Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SocietyRaw {
    #[serde(default)]
    pub code: String,
    #[serde(default)]
    pub name: String,
    /// The official English name (optional); absent: keep the stored one.
    #[serde(default)]
    pub name_en: Option<String>,
    #[serde(default)]
    pub short_name: String,
    /// Letter (A–E) or Chinese name (理科 …); empty means: from the code's letter.
    #[serde(default)]
    pub discipline_group: String,
    #[serde(default)]
    pub supporting_unit: String,
    #[serde(default)]
    pub contact_name: String,
    #[serde(default)]
    pub contact_phone: String,
    #[serde(default)]
    pub contact_email: String,
    /// Defaults to true.
    #[serde(default)]
    pub active: Option<bool>,
}

impl SocietyRaw {
    pub fn parse(&self) -> Result<SocietyInput, FieldErrors> {
        let mut errors = Vec::new();
        let code = SocietyCode::parse(&self.code)
            .map_err(|e| errors.push(e))
            .ok();
        let mut field =
            |r: Result<String, FieldError>| r.map_err(|e| errors.push(e)).unwrap_or_default();
        let name = field(text(&self.name, "name", 100, true));
        let name_en = self
            .name_en
            .as_deref()
            .map(|n| field(text(n, "name_en", 200, false)));
        let short_name = field(text(&self.short_name, "short_name", 40, false));
        let supporting_unit = field(text(&self.supporting_unit, "supporting_unit", 100, false));
        let contact_name = field(text(&self.contact_name, "contact_name", 50, false));
        let contact_phone = field(text(&self.contact_phone, "contact_phone", 40, false));
        let contact_email = field(text(&self.contact_email, "contact_email", 100, false));
        if !contact_email.is_empty() && !looks_like_email(&contact_email) {
            errors.push(FieldError::new("contact_email", "err-email"));
        }
        let group = if self.discipline_group.trim().is_empty() {
            code.as_ref().map(|c| c.group())
        } else {
            match DisciplineGroup::parse(&self.discipline_group) {
                Some(g) => {
                    if let Some(c) = &code
                        && c.group() != g
                    {
                        errors.push(
                            FieldError::new("discipline_group", "err-group-mismatch")
                                .arg("code", c.as_str()),
                        );
                    }
                    Some(g)
                }
                None => {
                    errors.push(
                        FieldError::new("discipline_group", "err-group")
                            .arg("value", self.discipline_group.trim()),
                    );
                    None
                }
            }
        };
        match (code, group) {
            (Some(code), Some(group)) if errors.is_empty() => Ok(SocietyInput {
                code,
                name,
                name_en,
                short_name,
                group,
                supporting_unit,
                contact_name,
                contact_phone,
                contact_email,
                active: self.active.unwrap_or(true),
            }),
            _ => Err(errors),
        }
    }
}

fn looks_like_email(s: &str) -> bool {
    let mut parts = s.split('@');
    matches!((parts.next(), parts.next(), parts.next()), (Some(a), Some(b), None) if !a.is_empty() && b.contains('.') && !b.starts_with('.') && !b.ends_with('.'))
        && !s.contains(char::is_whitespace)
}

const COLUMNS: &str = "id, code, name, short_name, discipline_group, supporting_unit, contact_name, contact_phone, contact_email, active, name_en";

fn from_row(row: &AnyRow) -> Result<Society, sqlx::Error> {
    let group: String = row.try_get(4)?;
    Ok(Society {
        id: row.try_get(0)?,
        code: row.try_get(1)?,
        name: row.try_get(2)?,
        name_en: row.try_get(10)?,
        short_name: row.try_get(3)?,
        category: DisciplineGroup::from_letter(&group)
            .map(|g| g.name_zh().to_string())
            .unwrap_or_default(),
        discipline_group: group,
        supporting_unit: row.try_get(5)?,
        contact_name: row.try_get(6)?,
        contact_phone: row.try_get(7)?,
        contact_email: row.try_get(8)?,
        active: super::get_bool(row, 9)?,
    })
}

fn snapshot(s: &Society) -> serde_json::Value {
    serde_json::to_value(s).unwrap_or(serde_json::Value::Null)
}

#[derive(Debug, Default, Clone, serde::Deserialize, utoipa::IntoParams)]
pub struct SocietyFilter {
    /// Discipline group letter A–E.
    pub group: Option<String>,
    /// Search in code, name and short name.
    pub q: Option<String>,
    /// Include deactivated societies.
    pub include_inactive: Option<bool>,
}

pub async fn list(db: &Db, filter: &SocietyFilter) -> AppResult<Vec<Society>> {
    let mut sql = format!("SELECT {COLUMNS} FROM societies WHERE 1=1");
    let mut binds = Vec::new();
    if !filter.include_inactive.unwrap_or(false) {
        sql.push_str(" AND active = $1");
    }
    let base = if filter.include_inactive.unwrap_or(false) {
        0
    } else {
        1
    };
    if let Some(g) = filter
        .group
        .as_deref()
        .and_then(DisciplineGroup::from_letter)
    {
        binds.push(g.letter().to_string());
        sql.push_str(&format!(" AND discipline_group = ${}", base + binds.len()));
    }
    if let Some(q) = filter.q.as_deref().map(str::trim).filter(|q| !q.is_empty()) {
        binds.push(format!("%{}%", q.to_lowercase()));
        let n = base + binds.len();
        sql.push_str(&format!(
            " AND (LOWER(code) LIKE ${n} OR LOWER(name) LIKE ${n} OR LOWER(short_name) LIKE ${n})"
        ));
    }
    sql.push_str(" ORDER BY code");
    let mut query = sqlx::query(AssertSqlSafe(sql));
    if base == 1 {
        query = query.bind(true);
    }
    for b in binds {
        query = query.bind(b);
    }
    let rows = query.fetch_all(&db.pool).await?;
    Ok(rows.iter().map(from_row).collect::<Result<_, _>>()?)
}

/// The public society list (`GET /api/v1/societies`) as a JSON array of
/// `{"code","name","category"}`, built by the database in one row (issue 8, "fixed costs per
/// request"). Fetching the registry row by row cost a driver hand-off between the database
/// thread and the async runtime per row (about a third of the request's CPU at 10,000
/// societies, BENCHMARKS.md "Public pages"); `json_group_array` / `json_agg` hand over one
/// text value instead. Same filter semantics as [`list`] with `include_inactive = false`;
/// ordered by code.
pub async fn public_list_json(db: &Db, filter: &SocietyFilter) -> AppResult<String> {
    // The category labels are static Chinese words without quotes (model.rs), written into
    // the statement as literals.
    let mut category = String::from("CASE discipline_group");
    for g in DisciplineGroup::ALL {
        category.push_str(&format!(" WHEN '{}' THEN '{}'", g.letter(), g.name_zh()));
    }
    category.push_str(" ELSE '' END");
    let mut conditions = String::from("active = $1");
    let mut binds = Vec::new();
    if let Some(g) = filter
        .group
        .as_deref()
        .and_then(DisciplineGroup::from_letter)
    {
        binds.push(g.letter().to_string());
        conditions.push_str(&format!(" AND discipline_group = ${}", 1 + binds.len()));
    }
    if let Some(q) = filter.q.as_deref().map(str::trim).filter(|q| !q.is_empty()) {
        binds.push(format!("%{}%", q.to_lowercase()));
        let n = 1 + binds.len();
        conditions.push_str(&format!(
            " AND (LOWER(code) LIKE ${n} OR LOWER(name) LIKE ${n} OR LOWER(short_name) LIKE ${n})"
        ));
    }
    let sql = match db.backend {
        super::Backend::Sqlite => format!(
            "SELECT COALESCE(json_group_array(json_object('code', code, 'name', name, 'name_en', name_en, 'category', {category}) ORDER BY code), '[]') \
             FROM societies WHERE {conditions}"
        ),
        super::Backend::Postgres => format!(
            "SELECT COALESCE(json_agg(json_build_object('code', code, 'name', name, 'name_en', name_en, 'category', {category}) ORDER BY code), '[]'::json)::text \
             FROM societies WHERE {conditions}"
        ),
    };
    let mut query = sqlx::query_scalar::<_, String>(AssertSqlSafe(sql)).bind(true);
    for b in binds {
        query = query.bind(b);
    }
    Ok(query.fetch_one(&db.pool).await?)
}

pub async fn by_code(db: &Db, code: &str) -> AppResult<Option<Society>> {
    let row = sqlx::query(AssertSqlSafe(format!(
        "SELECT {COLUMNS} FROM societies WHERE code = $1"
    )))
    .bind(code.trim().to_ascii_uppercase())
    .fetch_optional(&db.pool)
    .await?;
    Ok(row.as_ref().map(from_row).transpose()?)
}

pub async fn by_id(db: &Db, id: i64) -> AppResult<Option<Society>> {
    let row = sqlx::query(AssertSqlSafe(format!(
        "SELECT {COLUMNS} FROM societies WHERE id = $1"
    )))
    .bind(id)
    .fetch_optional(&db.pool)
    .await?;
    Ok(row.as_ref().map(from_row).transpose()?)
}

async fn by_code_tx(tx: &mut Tx, code: &str) -> Result<Option<Society>, sqlx::Error> {
    let row = sqlx::query(AssertSqlSafe(format!(
        "SELECT {COLUMNS} FROM societies WHERE code = $1"
    )))
    .bind(code)
    .fetch_optional(&mut **tx)
    .await?;
    row.as_ref().map(from_row).transpose()
}

fn unique_error(e: sqlx::Error, input: &SocietyInput) -> AppError {
    if is_unique_violation(&e) {
        let msg = e.to_string();
        if msg.contains("name") {
            AppError::Invalid(vec![
                FieldError::new("name", "err-society-name-taken").arg("value", &input.name),
            ])
        } else {
            AppError::Invalid(vec![
                FieldError::new("code", "err-society-code-taken").arg("value", input.code.as_str()),
            ])
        }
    } else {
        e.into()
    }
}

/// Creates a society inside `tx` and audits it.
pub async fn create_in(
    db: &Db,
    tx: &mut Tx,
    actor: &Actor,
    now: DateTime<Utc>,
    input: &SocietyInput,
) -> AppResult<Society> {
    if by_code_tx(tx, input.code.as_str()).await?.is_some() {
        return Err(AppError::Invalid(vec![
            FieldError::new("code", "err-society-code-taken").arg("value", input.code.as_str()),
        ]));
    }
    let row = sqlx::query(AssertSqlSafe(format!(
        "INSERT INTO societies (code, name, short_name, discipline_group, supporting_unit, contact_name, contact_phone, contact_email, active, created_at, updated_at, name_en) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $10, $11) RETURNING {COLUMNS}"
    )))
    .bind(input.code.as_str())
    .bind(&input.name)
    .bind(&input.short_name)
    .bind(input.group.letter())
    .bind(&input.supporting_unit)
    .bind(&input.contact_name)
    .bind(&input.contact_phone)
    .bind(&input.contact_email)
    .bind(input.active)
    .bind(ts(now))
    .bind(input.name_en.as_deref().unwrap_or(""))
    .fetch_one(&mut **tx)
    .await
    .map_err(|e| unique_error(e, input))?;
    let society = from_row(&row)?;
    audit::record(
        db,
        tx,
        actor,
        now,
        Change {
            action: "society.create",
            object_type: "society",
            object_id: &society.code,
            before: None,
            after: Some(snapshot(&society)),
        },
    )
    .await?;
    Ok(society)
}

/// Updates a society's record (the code is its identity and does not change).
pub async fn update_in(
    db: &Db,
    tx: &mut Tx,
    actor: &Actor,
    now: DateTime<Utc>,
    code: &str,
    input: &SocietyInput,
) -> AppResult<Society> {
    let before = by_code_tx(tx, code).await?.ok_or(AppError::NotFound)?;
    if input.code.as_str() != before.code {
        return Err(FieldError::new("code", "err-code-immutable").into());
    }
    let row = sqlx::query(AssertSqlSafe(format!(
        "UPDATE societies SET name = $2, short_name = $3, discipline_group = $4, supporting_unit = $5, contact_name = $6, \
         contact_phone = $7, contact_email = $8, active = $9, updated_at = $10, name_en = $11 WHERE code = $1 RETURNING {COLUMNS}"
    )))
    .bind(&before.code)
    .bind(&input.name)
    .bind(&input.short_name)
    .bind(input.group.letter())
    .bind(&input.supporting_unit)
    .bind(&input.contact_name)
    .bind(&input.contact_phone)
    .bind(&input.contact_email)
    .bind(input.active)
    .bind(ts(now))
    .bind(input.name_en.as_deref().unwrap_or(&before.name_en))
    .fetch_one(&mut **tx)
    .await
    .map_err(|e| unique_error(e, input))?;
    let after = from_row(&row)?;
    if after != before {
        audit::record(
            db,
            tx,
            actor,
            now,
            Change {
                action: "society.update",
                object_type: "society",
                object_id: &after.code,
                before: Some(snapshot(&before)),
                after: Some(snapshot(&after)),
            },
        )
        .await?;
    }
    Ok(after)
}

pub async fn create(
    db: &Db,
    actor: &Actor,
    now: DateTime<Utc>,
    input: &SocietyInput,
) -> AppResult<Society> {
    let mut tx = db.begin().await?;
    let s = create_in(db, &mut tx, actor, now, input).await?;
    tx.commit().await?;
    Ok(s)
}

pub async fn update(
    db: &Db,
    actor: &Actor,
    now: DateTime<Utc>,
    code: &str,
    input: &SocietyInput,
) -> AppResult<Society> {
    let mut tx = db.begin().await?;
    let s = update_in(db, &mut tx, actor, now, code, input).await?;
    tx.commit().await?;
    Ok(s)
}

/// Activates or deactivates a society (nothing is deleted).
pub async fn set_active(
    db: &Db,
    actor: &Actor,
    now: DateTime<Utc>,
    code: &str,
    active: bool,
) -> AppResult<Society> {
    let mut tx = db.begin().await?;
    let before = by_code_tx(&mut tx, code).await?.ok_or(AppError::NotFound)?;
    let mut input = to_input(&before)?;
    input.active = active;
    let s = update_in(db, &mut tx, actor, now, code, &input).await?;
    tx.commit().await?;
    Ok(s)
}

fn to_input(s: &Society) -> AppResult<SocietyInput> {
    Ok(SocietyInput {
        code: SocietyCode::parse(&s.code)?,
        name: s.name.clone(),
        name_en: Some(s.name_en.clone()),
        short_name: s.short_name.clone(),
        group: DisciplineGroup::from_letter(&s.discipline_group)
            .ok_or_else(|| anyhow::anyhow!("bad stored group"))?,
        supporting_unit: s.supporting_unit.clone(),
        contact_name: s.contact_name.clone(),
        contact_phone: s.contact_phone.clone(),
        contact_email: s.contact_email.clone(),
        active: s.active,
    })
}

/// What an import did.
#[derive(Debug, Default, Clone, Serialize, utoipa::ToSchema)]
pub struct ImportSummary {
    pub created: usize,
    pub updated: usize,
    pub unchanged: usize,
}

/// R-SOC-3: imports validated rows, all or none, in one transaction: new codes are created,
/// known codes updated.
pub async fn import(
    db: &Db,
    actor: &Actor,
    now: DateTime<Utc>,
    rows: &[SocietyInput],
) -> AppResult<ImportSummary> {
    let mut tx = db.begin().await?;
    let mut summary = ImportSummary::default();
    for input in rows {
        match by_code_tx(&mut tx, input.code.as_str()).await? {
            None => {
                create_in(db, &mut tx, actor, now, input).await?;
                summary.created += 1;
            }
            Some(existing) => {
                let mut input = input.clone();
                if input.name_en.is_none() {
                    input.name_en = Some(existing.name_en.clone());
                }
                let input = &input;
                if to_input(&existing)? == *input {
                    summary.unchanged += 1;
                } else {
                    update_in(db, &mut tx, actor, now, input.code.as_str(), input).await?;
                    summary.updated += 1;
                }
            }
        }
    }
    tx.commit().await?;
    Ok(summary)
}

/// The societies electing their council in `year` (R-SOC-1, per-year flag).
pub async fn election_flag(db: &Db, society_id: i64, year: i32) -> AppResult<Option<bool>> {
    let row =
        sqlx::query("SELECT election_year FROM society_years WHERE society_id = $1 AND year = $2")
            .bind(society_id)
            .bind(i64::from(year))
            .fetch_optional(&db.pool)
            .await?;
    Ok(row.map(|r| super::get_bool(&r, 0)).transpose()?)
}

/// The election flag of every society that has one recorded for `year`: society id → flag.
/// One query (overviews, dashboards).
pub async fn election_flags_of_year(
    db: &Db,
    year: i32,
) -> AppResult<std::collections::HashMap<i64, bool>> {
    let rows = sqlx::query("SELECT society_id, election_year FROM society_years WHERE year = $1")
        .bind(i64::from(year))
        .fetch_all(&db.pool)
        .await?;
    rows.iter()
        .map(|r| Ok((r.try_get::<i64, _>(0)?, super::get_bool(r, 1)?)))
        .collect::<Result<_, sqlx::Error>>()
        .map_err(Into::into)
}

/// All per-year election flags of one society, by year.
pub async fn election_flags(db: &Db, society_id: i64) -> AppResult<Vec<(i32, bool)>> {
    let rows = sqlx::query(
        "SELECT year, election_year FROM society_years WHERE society_id = $1 ORDER BY year",
    )
    .bind(society_id)
    .fetch_all(&db.pool)
    .await?;
    rows.iter()
        .map(|r| Ok((r.try_get::<i64, _>(0)? as i32, super::get_bool(r, 1)?)))
        .collect::<Result<_, sqlx::Error>>()
        .map_err(Into::into)
}

pub async fn set_election_flag(
    db: &Db,
    actor: &Actor,
    now: DateTime<Utc>,
    society: &Society,
    year: i32,
    election_year: bool,
) -> AppResult<()> {
    let mut tx = db.begin().await?;
    let before =
        sqlx::query("SELECT election_year FROM society_years WHERE society_id = $1 AND year = $2")
            .bind(society.id)
            .bind(i64::from(year))
            .fetch_optional(&mut *tx)
            .await?
            .map(|r| super::get_bool(&r, 0))
            .transpose()?;
    if before == Some(election_year) {
        tx.rollback().await?;
        return Ok(());
    }
    sqlx::query("DELETE FROM society_years WHERE society_id = $1 AND year = $2")
        .bind(society.id)
        .bind(i64::from(year))
        .execute(&mut *tx)
        .await?;
    sqlx::query("INSERT INTO society_years (society_id, year, election_year) VALUES ($1, $2, $3)")
        .bind(society.id)
        .bind(i64::from(year))
        .bind(election_year)
        .execute(&mut *tx)
        .await?;
    audit::record(
        db,
        &mut tx,
        actor,
        now,
        Change {
            action: "society.election_year",
            object_type: "society",
            object_id: &society.code,
            before: before.map(|b| json!({"year": year, "election_year": b})),
            after: Some(json!({"year": year, "election_year": election_year})),
        },
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn raw(code: &str, name: &str, group: &str) -> SocietyRaw {
        SocietyRaw {
            code: code.into(),
            name: name.into(),
            discipline_group: group.into(),
            ..Default::default()
        }
    }

    #[test]
    fn parses_a_registry_row() {
        let s = raw("a-03", " 中国力学学会 ", "理科").parse().unwrap();
        assert_eq!(s.code.as_str(), "A-03");
        assert_eq!(s.name, "中国力学学会");
        assert_eq!(s.group, DisciplineGroup::A);
        assert!(s.active);
    }

    #[test]
    fn group_defaults_to_code_letter_and_must_agree() {
        assert_eq!(
            raw("C-01", "x学会", "").parse().unwrap().group,
            DisciplineGroup::C
        );
        let errs = raw("C-01", "x学会", "理科").parse().unwrap_err();
        assert_eq!(errs[0].key, "err-group-mismatch");
    }

    #[test]
    fn reports_every_field_error_at_once() {
        let mut r = raw("X", "", "文科");
        r.contact_email = "not-an-email".into();
        let errs = r.parse().unwrap_err();
        let fields: Vec<_> = errs.iter().map(|e| e.field.as_str()).collect();
        assert!(fields.contains(&"code"));
        assert!(fields.contains(&"name"));
        assert!(fields.contains(&"contact_email"));
        assert!(fields.contains(&"discipline_group"));
    }
}

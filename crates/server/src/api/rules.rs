//! R-RULE-PRE and R-SOC-2 in the API: the public what-if check, a society's facts (read and
//! write, with history) and its verdicts.

use axum::Json;
use axum::body::Bytes;
use axum::extract::{Query, State};
use axum::response::{IntoResponse, Response};
use chrono::NaiveDate;
use reformwatch_core::facts::FactKind;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::parse_json;
use crate::AppState;
use crate::db::facts::FactVersion;
use crate::error::AppResult;
use crate::http::extract::SocietyYear;
use crate::model::FieldError;
use crate::service;

#[derive(Deserialize, Default)]
pub struct YearQuery {
    /// Catalogue year; default the newest.
    #[serde(default)]
    pub year: Option<String>,
}

/// One verdict (R-RULE-*).
#[derive(Serialize, ToSchema)]
pub struct VerdictDto {
    pub rule: String,
    pub task: u32,
    /// `pass` | `fail` | `warning` | `insufficient` | `not_applicable`
    pub verdict: String,
    pub explanation_zh: String,
    pub explanation_en: String,
    /// The clause the rule applies, verbatim.
    pub clause: String,
    /// Present and true when the verdict is a reviewer's judgement of a qualitative norm (the
    /// `judged` kind), not a computation.
    pub judged: Option<bool>,
}

/// `{"year":2017,"verdicts":[…]}`
#[derive(Serialize, ToSchema)]
pub struct CheckResultDto {
    pub year: i32,
    pub verdicts: Vec<VerdictDto>,
}

/// Facts JSON (R-SOC-2): every field optional, unknown fields are an error. Each year's
/// catalogue declares its own facts (`[[facts]]`); this schema is derived from the built-in
/// 2017 catalogue's declarations, so the API document cannot drift from what that year's check
/// accepts. Another year's facts are listed by `GET /api/v1/catalogues/{year}`.
pub struct FactsDto;

impl utoipa::PartialSchema for FactsDto {
    fn schema() -> utoipa::openapi::RefOr<utoipa::openapi::schema::Schema> {
        use utoipa::openapi::schema::{
            ArrayBuilder, KnownFormat, ObjectBuilder, SchemaFormat, Type,
        };
        let mut object = ObjectBuilder::new()
            .schema_type(Type::Object)
            .description(Some(
                "A society's facts as the 2017 catalogue declares them; every field optional, \
                 unknown fields refused. Another year's catalogue declares its own facts \
                 (GET /api/v1/catalogues/{year}).",
            ));
        let catalogue = reformwatch_core::catalogue::builtin_2017();
        for f in &catalogue.facts {
            let description = Some(format!("{} / {}", f.label_zh, f.label_en));
            let property: utoipa::openapi::RefOr<utoipa::openapi::schema::Schema> = match f.kind {
                FactKind::Int => ObjectBuilder::new()
                    .schema_type(Type::Integer)
                    .format(Some(SchemaFormat::KnownFormat(KnownFormat::Int64)))
                    .minimum(Some(0))
                    .description(description)
                    .into(),
                FactKind::Bool => ObjectBuilder::new()
                    .schema_type(Type::Boolean)
                    .description(description)
                    .into(),
                FactKind::Date => ObjectBuilder::new()
                    .schema_type(Type::String)
                    .format(Some(SchemaFormat::KnownFormat(KnownFormat::Date)))
                    .description(description)
                    .into(),
                FactKind::Docs => ArrayBuilder::new()
                    .items(ObjectBuilder::new().schema_type(Type::String))
                    .description(description)
                    .into(),
            };
            object = object.property(&f.name, property);
        }
        object.into()
    }
}

impl utoipa::ToSchema for FactsDto {
    fn name() -> std::borrow::Cow<'static, str> {
        std::borrow::Cow::Borrowed("Facts")
    }
}

/// The what-if check (R-RULE-PRE): facts in, verdicts out; public; nothing is saved. The same
/// check backs the page `/rules/check` and `reformwatch rules check`.
#[utoipa::path(post, path = "/api/v1/rules/check", tag = "rules", params(("year" = Option<i32>, Query, description = "catalogue year; default the newest")),
    request_body = FactsDto, responses((status = 200, body = CheckResultDto), (status = 422, body = crate::api::ApiErrors)))]
pub async fn check_facts(
    State(state): State<AppState>,
    Query(q): Query<YearQuery>,
    body: Bytes,
) -> AppResult<Response> {
    let catalogue = service::catalogues::get(&state, q.year.as_deref()).await?;
    let text = std::str::from_utf8(&body)
        .map_err(|_| FieldError::new("body", "err-json-syntax").arg("detail", "not UTF-8"))?;
    Ok(Json(service::facts::what_if(&catalogue, text)?).into_response())
}

#[derive(Serialize, ToSchema)]
pub struct SocietyFactsDto {
    pub society: String,
    pub year: i32,
    /// The registry's election flag for the year (null: not recorded).
    pub election_year: Option<bool>,
    /// Current value of each field.
    pub current: Vec<FactVersion>,
    /// Every version, oldest first per field.
    pub history: Vec<FactVersion>,
}

/// A society's facts for a year: current values and full history.
#[utoipa::path(get, path = "/api/v1/societies/{code}/facts", tag = "rules", params(("code" = String, Path), ("year" = Option<i32>, Query)),
    responses((status = 200, body = SocietyFactsDto), (status = 404, body = crate::api::ApiErrors)), security(("bearer" = [])))]
pub async fn get_facts(
    State(state): State<AppState>,
    SocietyYear {
        society,
        catalogue,
        who,
    }: SocietyYear,
) -> AppResult<Response> {
    let (sc, _) = service::facts::verdicts(&state, &who, &society, &catalogue).await?;
    Ok(Json(SocietyFactsDto {
        society: society.code,
        year: catalogue.year,
        election_year: sc.election_year,
        current: sc.current.into_values().collect(),
        history: sc.versions,
    })
    .into_response())
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PutFacts {
    /// The date the values hold for (YYYY-MM-DD).
    pub as_of: NaiveDate,
    /// Field → new value (null clears it). Fields not named are left as they are.
    #[schema(value_type = Object)]
    pub values: serde_json::Map<String, serde_json::Value>,
}

/// Records new values (a version each; nothing is overwritten). The whole resulting set is
/// validated first (e.g. frontline members cannot exceed the council).
#[utoipa::path(put, path = "/api/v1/societies/{code}/facts", tag = "rules", params(("code" = String, Path), ("year" = Option<i32>, Query)), request_body = PutFacts,
    responses((status = 200, body = CheckResultDto), (status = 404, body = crate::api::ApiErrors), (status = 422, body = crate::api::ApiErrors)), security(("bearer" = [])))]
pub async fn put_facts(
    State(state): State<AppState>,
    SocietyYear {
        society,
        catalogue,
        who,
    }: SocietyYear,
    body: Bytes,
) -> AppResult<Response> {
    let req: PutFacts = parse_json(&body)?;
    service::facts::record_values(&state, &who, &society, &catalogue, req.as_of, req.values)
        .await?;
    let (sc, _) = service::facts::verdicts(&state, &who, &society, &catalogue).await?;
    Ok(Json(sc.result).into_response())
}

/// A society's verdicts for a year, from its stored facts.
#[utoipa::path(get, path = "/api/v1/societies/{code}/verdicts", tag = "rules", params(("code" = String, Path), ("year" = Option<i32>, Query)),
    responses((status = 200, body = CheckResultDto), (status = 404, body = crate::api::ApiErrors)), security(("bearer" = [])))]
pub async fn verdicts(
    State(state): State<AppState>,
    SocietyYear {
        society,
        catalogue,
        who,
    }: SocietyYear,
) -> AppResult<Response> {
    let (sc, _) = service::facts::verdicts(&state, &who, &society, &catalogue).await?;
    Ok(Json(sc.result).into_response())
}

/// A reviewer's judgement of a qualitative norm (a `judged` rule).
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PostJudgement {
    /// The rule id (a `judged` rule of the year's catalogue).
    pub rule: String,
    /// `pass` | `warning` (never `fail`).
    pub verdict: String,
    /// The reviewer's written reason (required, at most 2,000 characters).
    pub reason: String,
}

/// Records a reviewer's judgement of a `judged` rule (reviewers and administrators); answers
/// the society's verdicts with the judgement applied. Earlier judgements stay stored; the
/// latest counts.
#[utoipa::path(post, path = "/api/v1/societies/{code}/judgements", tag = "rules", params(("code" = String, Path), ("year" = Option<i32>, Query)), request_body = PostJudgement,
    responses((status = 200, body = CheckResultDto), (status = 403, body = crate::api::ApiErrors), (status = 422, body = crate::api::ApiErrors)), security(("bearer" = [])))]
pub async fn judge(
    State(state): State<AppState>,
    SocietyYear {
        society,
        catalogue,
        who,
    }: SocietyYear,
    body: Bytes,
) -> AppResult<Response> {
    let req: PostJudgement = parse_json(&body)?;
    service::judgements::judge(
        &state,
        &who,
        &society,
        &catalogue,
        &req.rule,
        &req.verdict,
        &req.reason,
    )
    .await?;
    let (sc, _) = service::facts::verdicts(&state, &who, &society, &catalogue).await?;
    Ok(Json(sc.result).into_response())
}

#[cfg(test)]
mod tests {
    use utoipa::OpenApi;

    #[test]
    fn the_facts_schema_is_the_fact_table() {
        let doc = serde_json::to_value(crate::api::ApiDoc::openapi()).unwrap();
        let schema = &doc["components"]["schemas"]["Facts"];
        let props = schema["properties"].as_object().unwrap();
        let mut names: Vec<&str> = props.keys().map(String::as_str).collect();
        names.sort_unstable();
        let catalogue = reformwatch_core::catalogue::builtin_2017();
        let mut expected: Vec<&str> = catalogue.facts.iter().map(|f| f.name.as_str()).collect();
        expected.sort_unstable();
        assert_eq!(names, expected);
        assert_eq!(props["members_now"]["type"], "integer");
        assert_eq!(props["has_office"]["type"], "boolean");
        assert_eq!(props["sg_appointed_on"]["format"], "date");
        assert_eq!(props["documents"]["type"], "array");
        let check = &doc["paths"]["/api/v1/rules/check"]["post"]["requestBody"]["content"]["application/json"]
            ["schema"]["$ref"];
        assert_eq!(check, "#/components/schemas/Facts");
    }
}

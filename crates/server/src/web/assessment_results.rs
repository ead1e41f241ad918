//! The year's assessment results as pages (issue 12, part 2): the public results
//! (`/assessment/{year}`: commendations with their subsidies, criticisms with their reasons,
//! rankings overall and per peer group, the hash and the downloads), the printable notice in
//! Chinese official-document style (`/assessment/{year}/notice`, print stylesheet, A4), the
//! staff's page (`/admin/assessment/{year}/final`: show the results, the objections and their
//! answers, request and approve finalisation) and a society's own page
//! (`/societies/{code}/assessment/{year}/objections`: the window and its objections).

use askama::Template;
use axum::Form;
use axum::extract::{Path, Query, State};
use axum::response::{IntoResponse, Response};
use reformwatch_core::assess::score::grouped;
use serde::Deserialize;

use crate::AppState;
use crate::db::assessment_results::ObjectionRow;
use crate::db::parse_ts;
use crate::error::{AppError, AppResult};
use crate::http::cache::{self, Cached, Freshness};
use crate::http::download::content_disposition;
use crate::http::extract::SocietyYear;
use crate::http::page::{Page, see_other};
use crate::http::{Access, Ctx, RouteSpec, route};
use crate::i18n::T;
use crate::present::{beijing, beijing_text};
use crate::service::assessment_results::{
    self as svc, AnswerInput, Lifecycle, ObjectionInput, Published, ResultsDoc,
};

/// The pages' routes (one line in `web::routes()`).
pub fn routes() -> Vec<RouteSpec> {
    use axum::routing::{get, post};
    let g = http::Method::GET;
    let p = http::Method::POST;
    vec![
        route(
            g.clone(),
            "/assessment/{year}",
            Access::Public,
            get(results),
        ),
        route(
            g.clone(),
            "/assessment/{year}/notice",
            Access::Public,
            get(notice),
        ),
        route(
            g.clone(),
            "/assessment/{year}/notice.pdf",
            Access::Public,
            get(notice_pdf),
        )
        .heavy(),
        route(
            g.clone(),
            "/admin/assessment/{year}/final",
            Access::Staff,
            get(admin_page),
        ),
        route(
            g.clone(),
            "/admin/assessment/{year}/export.xlsx",
            Access::Admin,
            get(admin_export),
        )
        .heavy(),
        route(
            p.clone(),
            "/admin/assessment/{year}/show",
            Access::Admin,
            post(admin_show),
        ),
        route(
            p.clone(),
            "/admin/assessment/{year}/request",
            Access::Admin,
            post(admin_request),
        ),
        route(
            p.clone(),
            "/admin/assessment/{year}/approve",
            Access::Admin,
            post(admin_approve),
        ),
        route(
            p.clone(),
            "/admin/assessment/objections/{id}/answer",
            Access::Staff,
            post(admin_answer),
        ),
        route(
            g,
            "/societies/{code}/assessment/{year}/objections",
            Access::SocietyScoped,
            get(society_page),
        ),
        route(
            p,
            "/societies/{code}/assessment/{year}/objections",
            Access::SocietyEdit,
            post(society_file),
        ),
    ]
}

fn html(tpl: &impl Template) -> AppResult<String> {
    tpl.render()
        .map_err(|e| AppError::Internal(anyhow::anyhow!("template: {e}")))
}

fn page_response(status: http::StatusCode, tpl: &impl Template) -> AppResult<Response> {
    Ok((status, axum::response::Html(html(tpl)?)).into_response())
}

fn year_of(raw: &str) -> AppResult<i32> {
    raw.trim().parse().map_err(|_| AppError::NotFound)
}

/// `1,234,567`.
pub fn yuan_text(y: u64) -> String {
    grouped(i128::from(y))
}

fn outcome_word(t: &T, outcome: &str) -> String {
    t.t(&format!("results-outcome-{outcome}"))
}

// ---------------------------------------------------------------------------------------
// The public results

pub struct CommendedView {
    pub code: String,
    pub name: String,
    pub score: String,
    pub rank: String,
    pub yuan: String,
}

pub struct CriticisedView {
    pub code: String,
    pub name: String,
    pub reasons: Vec<String>,
}

pub struct RankView {
    pub rank: u32,
    pub code: String,
    pub name: String,
    pub score: String,
    pub outcome: String,
}

pub struct GroupView {
    pub title: String,
    pub rows: Vec<RankView>,
}

pub struct ResultsView {
    pub number: u32,
    pub sha256: String,
    pub prev_sha256: String,
    pub published: String,
    pub deadline: String,
    pub commended: Vec<CommendedView>,
    pub criticised: Vec<CriticisedView>,
    pub completed: u32,
    pub overall: Vec<RankView>,
    pub groups: Vec<GroupView>,
    pub subsidy_total: String,
    pub subsidy_unspent: String,
    pub subsidy_notes: Vec<String>,
    pub subsidy_refused: bool,
    pub weights_note: String,
    pub objections: String,
}

fn name_of<'a>(doc: &'a ResultsDoc, code: &'a str) -> &'a str {
    doc.societies
        .iter()
        .find(|s| s.code == code)
        .map_or(code, |s| s.name_zh.as_str())
}

fn view(t: &T, p: &Published) -> ResultsView {
    let doc = &p.doc;
    let pick = |zh: &str, en: &str| t.pick(zh, en).to_owned();
    let by_code: std::collections::HashMap<&str, &svc::SocietyDoc> =
        doc.societies.iter().map(|s| (s.code.as_str(), s)).collect();
    let rank_view = |e: &svc::RankDoc| RankView {
        rank: e.rank,
        code: e.code.clone(),
        name: name_of(doc, &e.code).to_owned(),
        score: e.score.clone(),
        outcome: by_code
            .get(e.code.as_str())
            .map(|s| outcome_word(t, &s.outcome))
            .unwrap_or_default(),
    };
    // Commended in ranking order.
    let commended = doc
        .overall
        .iter()
        .filter_map(|e| {
            by_code
                .get(e.code.as_str())
                .filter(|s| s.outcome == "commended")
        })
        .map(|s| CommendedView {
            code: s.code.clone(),
            name: s.name_zh.clone(),
            score: s.score.clone().unwrap_or_default(),
            rank: s.rank.map(|r| r.to_string()).unwrap_or_default(),
            yuan: s.yuan.map(yuan_text).unwrap_or_else(|| "—".to_owned()),
        })
        .collect();
    let criticised = doc
        .societies
        .iter()
        .filter(|s| s.outcome == "criticised")
        .map(|s| CriticisedView {
            code: s.code.clone(),
            name: s.name_zh.clone(),
            reasons: s.reasons.iter().map(|r| pick(&r.zh, &r.en)).collect(),
        })
        .collect();
    let groups = doc
        .groups
        .iter()
        .map(|g| GroupView {
            title: format!(
                "{}：{}",
                t.t(&format!("results-peer-{}", g.kind)),
                pick(&g.label_zh, &g.label_en)
            ),
            rows: g.entries.iter().map(rank_view).collect(),
        })
        .collect();
    ResultsView {
        number: p.header.number,
        sha256: p.header.sha256.clone(),
        prev_sha256: p
            .header
            .prev_sha256
            .clone()
            .unwrap_or_else(|| "—".to_owned()),
        published: beijing_text(&p.header.published_at),
        deadline: beijing_text(&doc.objection_deadline),
        commended,
        criticised,
        completed: doc.completed,
        overall: doc.overall.iter().map(rank_view).collect(),
        groups,
        subsidy_total: yuan_text(doc.subsidy.paid),
        subsidy_unspent: yuan_text(doc.subsidy.unspent),
        subsidy_notes: doc
            .subsidy
            .notes
            .iter()
            .map(|n| pick(&n.zh, &n.en))
            .collect(),
        subsidy_refused: doc.subsidy.status == "refused",
        weights_note: if doc.rules.weights_source == "system_default" {
            t.t("results-weights-default")
        } else {
            String::new()
        },
        objections: t
            .t("results-objections-count")
            .replace("{filed}", &doc.objections.filed.to_string())
            .replace("{changed}", &doc.objections.changed.to_string()),
    }
}

#[derive(Template)]
#[template(path = "assessment_results/results.html")]
struct ResultsPage {
    page: Page,
    year: i32,
    state: String,
    deadline: String,
    results: Option<ResultsView>,
    lang: &'static str,
    /// Whether this build renders the notice PDF (feature `pdf`): the link to it.
    pdf: bool,
}

/// `GET /assessment/{year}`: the published results (public); before publication, where the
/// year stands.
pub async fn results(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(year): Path<String>,
) -> AppResult<Response> {
    let year = year_of(&year)?;
    let t = ctx.t();
    let life = svc::lifecycle(&state, year).await?;
    let published = svc::published(&state, year).await?;
    let page = ResultsPage {
        page: Page::new(&ctx, t.t1("results-title", "year", &year)),
        year,
        state: t.t(&format!("results-state-{}", life.state())),
        deadline: life.deadline().map(beijing).unwrap_or_default(),
        results: published.as_ref().map(|p| view(&t, p)),
        lang: if t.is_en() { "en" } else { "zh" },
        pdf: crate::pdf::BUILT_IN,
    };
    page_response(http::StatusCode::OK, &page)
}

// ---------------------------------------------------------------------------------------
// The printable notice

#[derive(Template)]
#[template(path = "assessment_results/notice.html")]
struct NoticePage {
    year: i32,
    notice: reformwatch_notice::Notice,
    commended_heading: Option<String>,
    criticised_heading: Option<String>,
    /// Whether this build renders the PDF (feature `pdf`): the link to it.
    pdf: bool,
}

impl NoticePage {
    /// The table headers, worded as in the PDF.
    fn label(&self, which: &str) -> &'static str {
        use reformwatch_notice::labels;
        match which {
            "number" => labels::NUMBER,
            "name" => labels::NAME,
            "score" => labels::SCORE,
            "yuan" => labels::YUAN,
            _ => labels::REASONS,
        }
    }
}

/// `GET /assessment/{year}/notice`: the official notice of the published results, in
/// Chinese official-document style (红头, 文号, title, body, lists, date, issuing body), with
/// a print stylesheet for A4; its text is `service::assessment_results::official_notice`, the
/// same as the PDF's. 404 before publication.
pub async fn notice(
    State(state): State<AppState>,
    Path(year): Path<String>,
) -> AppResult<Response> {
    let year = year_of(&year)?;
    let p = svc::published(&state, year)
        .await?
        .ok_or(AppError::NotFound)?;
    let notice = svc::official_notice(&p);
    let (commended_heading, criticised_heading) = notice.headings();
    let page = NoticePage {
        year,
        notice,
        commended_heading,
        criticised_heading,
        pdf: crate::pdf::BUILT_IN,
    };
    page_response(http::StatusCode::OK, &page)
}

/// `GET /assessment/{year}/notice.pdf`: the same notice as an A4 PDF rendered by typst
/// (feature `pdf`; issue 12), made off the async runtime once per publication and kept (it
/// never changes once final: ETag from the results' SHA-256, cached for a day, 304 on a
/// match). 404 before publication, and in a build without the feature.
pub async fn notice_pdf(
    State(state): State<AppState>,
    Path(year): Path<String>,
    headers: http::HeaderMap,
) -> AppResult<Response> {
    let year = year_of(&year)?;
    if !crate::pdf::BUILT_IN {
        return Err(AppError::NotFound);
    }
    let p = svc::published(&state, year)
        .await?
        .ok_or(AppError::NotFound)?;
    let tag = format!("\"{}-notice-pdf\"", p.header.sha256);
    let disposition = content_disposition(&format!("{year}年度考核结果通报.pdf"));
    let meta = Cached {
        etag: &tag,
        last_modified: parse_ts(&p.header.published_at),
        freshness: Freshness::Immutable,
        content_type: "application/pdf",
        disposition: Some(disposition.as_str()),
    };
    if cache::matches(&headers, &tag) {
        return Ok(cache::respond(&headers, &meta, Vec::new()));
    }
    let notice = svc::official_notice(&p);
    let fonts = state.notice_fonts.clone();
    let key = tag.clone();
    // typst takes seconds of CPU: never on the async runtime. A PDF is compressed already.
    let body = tokio::task::spawn_blocking(move || {
        cache::kept(&key, false, || {
            fonts
                .render(&notice)
                .map_err(|e| AppError::Internal(anyhow::anyhow!("{e}")))
        })
    })
    .await
    .map_err(|e| AppError::Internal(anyhow::anyhow!("notice PDF: {e}")))??;
    Ok(cache::respond_variants(&headers, &meta, &body))
}

// ---------------------------------------------------------------------------------------
// Staff: lifecycle and objections

pub struct ObjectionView {
    pub id: i64,
    pub society: String,
    pub society_code: String,
    pub reason: String,
    pub evidence: Option<i64>,
    pub filed: String,
    pub answer: Option<String>,
    pub changed: String,
    pub answered: String,
    /// The change the answer caused: what, its reason, who and when.
    pub change: Option<ChangeView>,
    /// Unanswered: the changes the answer may name (key, label).
    pub candidates: Vec<(String, String)>,
}

pub struct ChangeView {
    pub what: String,
    pub reason: String,
    pub by: String,
    pub at: String,
}

fn change_view(t: &T, c: &svc::ChangeRef) -> ChangeView {
    ChangeView {
        what: t.pick(&c.what.zh, &c.what.en).to_owned(),
        reason: c.reason.clone(),
        by: c.by.clone(),
        at: beijing_text(&c.at),
    }
}

fn objection_view(
    t: &T,
    o: &ObjectionRow,
    names: &std::collections::HashMap<i64, (String, String)>,
    changes: &svc::ObjectionChanges,
) -> ObjectionView {
    ObjectionView {
        change: changes.linked.get(&o.id).map(|c| change_view(t, c)),
        candidates: changes
            .candidates
            .get(&o.id)
            .map(|v| {
                v.iter()
                    .map(|c| {
                        (
                            c.key(),
                            format!(
                                "{}（{}，{}）",
                                t.pick(&c.what.zh, &c.what.en),
                                c.by,
                                beijing_text(&c.at)
                            ),
                        )
                    })
                    .collect()
            })
            .unwrap_or_default(),
        id: o.id,
        society: names
            .get(&o.society_id)
            .map(|n| n.0.clone())
            .unwrap_or_default(),
        society_code: names
            .get(&o.society_id)
            .map(|n| n.1.clone())
            .unwrap_or_default(),
        reason: o.reason.clone(),
        evidence: o.evidence_id,
        filed: beijing_text(&o.filed_at),
        answer: o.answer.clone(),
        changed: match o.changed {
            Some(true) => t.t("results-changed-yes"),
            Some(false) => t.t("results-changed-no"),
            None => String::new(),
        },
        answered: o
            .answered_at
            .as_deref()
            .map(beijing_text)
            .unwrap_or_default(),
    }
}

#[derive(Template)]
#[template(path = "assessment_results/admin.html")]
struct AdminPage {
    page: Page,
    year: i32,
    state: String,
    state_code: String,
    deadline: String,
    requested_by: String,
    objections: Vec<ObjectionView>,
    /// A refused answer as typed: objection id, answer, change key.
    typed: (i64, String, String),
    errors: Vec<(String, String)>,
    is_admin: bool,
}

impl AdminPage {
    fn error(&self, field: &str) -> Option<&str> {
        self.errors
            .iter()
            .find(|(f, _)| f == field)
            .map(|(_, m)| m.as_str())
    }
}

fn field_errors(t: &T, e: AppError) -> Result<Vec<(String, String)>, AppError> {
    match e {
        AppError::Invalid(fields) => Ok(fields
            .iter()
            .map(|f| (f.field.clone(), t.field(f)))
            .collect()),
        other => Err(other),
    }
}

/// Society id → (name, code).
async fn names(state: &AppState) -> AppResult<std::collections::HashMap<i64, (String, String)>> {
    Ok(crate::db::societies::list(
        &state.db,
        &crate::db::societies::SocietyFilter {
            include_inactive: Some(true),
            ..Default::default()
        },
    )
    .await?
    .into_iter()
    .map(|s| (s.id, (s.name, s.code)))
    .collect())
}

async fn admin_render(
    state: &AppState,
    ctx: &Ctx,
    year: i32,
    errors: Vec<(String, String)>,
    done: Option<&str>,
) -> AppResult<Response> {
    admin_render_typed(state, ctx, year, errors, done, None).await
}

/// The staff's page; `typed`: a refused answer (objection id, answer, change) shown again.
async fn admin_render_typed(
    state: &AppState,
    ctx: &Ctx,
    year: i32,
    errors: Vec<(String, String)>,
    done: Option<&str>,
    typed: Option<(i64, String, String)>,
) -> AppResult<Response> {
    let t = ctx.t();
    let who = ctx.principal();
    let life: Lifecycle = svc::lifecycle(state, year).await?;
    let names = names(state).await?;
    let rows = svc::objections(state, &who, year, None).await?;
    let changes = svc::objection_changes(state, year, &rows).await?;
    let objections = rows
        .iter()
        .map(|o| objection_view(&t, o, &names, &changes))
        .collect();
    let requested_by = match life.row.as_ref().and_then(|r| r.requested_by.as_deref()) {
        Some(actor) => crate::service::people::people(state, &who)
            .await?
            .name(actor),
        None => String::new(),
    };
    let page = AdminPage {
        page: Page::new(ctx, t.t1("results-admin-title", "year", &year)).with_flash(done),
        year,
        state: t.t(&format!("results-state-{}", life.state())),
        state_code: life.state().to_owned(),
        deadline: life.deadline().map(beijing).unwrap_or_default(),
        requested_by,
        objections,
        typed: typed.unwrap_or_default(),
        is_admin: ctx
            .user
            .as_ref()
            .is_some_and(|u| u.role == crate::model::Role::Admin),
        errors,
    };
    let status = if page.errors.is_empty() {
        http::StatusCode::OK
    } else {
        http::StatusCode::UNPROCESSABLE_ENTITY
    };
    page_response(status, &page)
}

#[derive(Deserialize, Default)]
pub struct DoneQuery {
    #[serde(default)]
    pub done: Option<String>,
}

/// `GET /admin/assessment/{year}/final`.
pub async fn admin_page(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(year): Path<String>,
    Query(q): Query<DoneQuery>,
) -> AppResult<Response> {
    let year = year_of(&year)?;
    admin_render(&state, &ctx, year, Vec::new(), q.done.as_deref()).await
}

/// `GET /admin/assessment/{year}/export.xlsx`: indicators, self-scores, reviewer scores and
/// comments, acceptance decisions and objections (administrators).
pub async fn admin_export(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(year): Path<String>,
) -> AppResult<Response> {
    let year = year_of(&year)?;
    let bytes = svc::export(&state, &ctx.principal(), year).await?;
    Ok(crate::http::download::xlsx(
        &format!("考核-{year}.xlsx"),
        Ok(bytes),
    ))
}

/// `POST /admin/assessment/{year}/show`.
pub async fn admin_show(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(year): Path<String>,
) -> AppResult<Response> {
    let year = year_of(&year)?;
    match svc::show(&state, &ctx.principal(), year).await {
        Ok(_) => Ok(see_other(
            &format!("/admin/assessment/{year}/final"),
            "saved",
        )),
        Err(e) => {
            let errors = field_errors(&ctx.t(), e)?;
            admin_render(&state, &ctx, year, errors, None).await
        }
    }
}

/// `POST /admin/assessment/{year}/request`.
pub async fn admin_request(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(year): Path<String>,
) -> AppResult<Response> {
    let year = year_of(&year)?;
    match svc::request_final(&state, &ctx.principal(), year).await {
        Ok(_) => Ok(see_other(
            &format!("/admin/assessment/{year}/final"),
            "saved",
        )),
        Err(e) => {
            let errors = field_errors(&ctx.t(), e)?;
            admin_render(&state, &ctx, year, errors, None).await
        }
    }
}

/// `POST /admin/assessment/{year}/approve`: the second administrator; then the public page.
pub async fn admin_approve(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(year): Path<String>,
) -> AppResult<Response> {
    let year = year_of(&year)?;
    match svc::finalise(&state, &ctx.principal(), year).await {
        Ok(_) => Ok(see_other(&format!("/assessment/{year}"), "created")),
        Err(e) => {
            let errors = field_errors(&ctx.t(), e)?;
            admin_render(&state, &ctx, year, errors, None).await
        }
    }
}

#[derive(Deserialize, Default)]
pub struct AnswerForm {
    #[serde(default)]
    pub answer: String,
    /// The change the answer caused (`kind:id`); empty: none.
    #[serde(default)]
    pub change: String,
}

/// `POST /admin/assessment/objections/{id}/answer`.
pub async fn admin_answer(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
    Form(form): Form<AnswerForm>,
) -> AppResult<Response> {
    let id: i64 = id.trim().parse().map_err(|_| AppError::NotFound)?;
    let who = ctx.principal();
    let year = crate::db::assessment_results::objection_by_id(&state.db, id)
        .await?
        .ok_or(AppError::NotFound)?
        .year;
    let change = Some(form.change.trim().to_owned()).filter(|c| !c.is_empty());
    let input = AnswerInput {
        answer: form.answer.clone(),
        changed: change.is_some(),
        change,
    };
    match svc::answer_objection(&state, &who, id, &input).await {
        Ok(_) => Ok(see_other(
            &format!("/admin/assessment/{year}/final"),
            "saved",
        )),
        Err(e) => {
            let errors = field_errors(&ctx.t(), e)?
                .into_iter()
                .map(|(f, m)| (format!("{f}-{id}"), m))
                .collect();
            admin_render_typed(
                &state,
                &ctx,
                year,
                errors,
                None,
                Some((id, form.answer, form.change)),
            )
            .await
        }
    }
}

// ---------------------------------------------------------------------------------------
// A society's own page

#[derive(Template)]
#[template(path = "assessment_results/society.html")]
struct SocietyPage {
    page: Page,
    code: String,
    name: String,
    year: i32,
    state: String,
    window_open: bool,
    deadline: String,
    objections: Vec<ObjectionView>,
    can_file: bool,
    reason: String,
    evidence_id: String,
    errors: Vec<(String, String)>,
}

impl SocietyPage {
    fn error(&self, field: &str) -> Option<&str> {
        self.errors
            .iter()
            .find(|(f, _)| f == field)
            .map(|(_, m)| m.as_str())
    }
}

async fn society_render(
    state: &AppState,
    ctx: &Ctx,
    sy: &SocietyYear,
    reason: String,
    evidence_id: String,
    errors: Vec<(String, String)>,
    done: Option<&str>,
) -> AppResult<Response> {
    let t = ctx.t();
    let year = sy.catalogue.year;
    let life = svc::lifecycle(state, year).await?;
    let names: std::collections::HashMap<i64, (String, String)> = [(
        sy.society.id,
        (sy.society.name.clone(), sy.society.code.clone()),
    )]
    .into_iter()
    .collect();
    let rows = svc::objections(state, &sy.who, year, Some(&sy.society)).await?;
    let changes = svc::objection_changes(state, year, &rows).await?;
    let objections = rows
        .iter()
        .map(|o| objection_view(&t, o, &names, &changes))
        .collect();
    let page = SocietyPage {
        page: Page::new(ctx, t.t1("results-society-title", "year", &year)).with_flash(done),
        code: sy.society.code.clone(),
        name: sy.society.name.clone(),
        year,
        state: t.t(&format!("results-state-{}", life.state())),
        window_open: life.window_open(state.clock.now()),
        deadline: life.deadline().map(beijing).unwrap_or_default(),
        objections,
        can_file: sy.who.may(
            crate::auth::policy::Action::EditSocietyData,
            Some(sy.society.id),
        ),
        reason,
        evidence_id,
        errors,
    };
    let status = if page.errors.is_empty() {
        http::StatusCode::OK
    } else {
        http::StatusCode::UNPROCESSABLE_ENTITY
    };
    page_response(status, &page)
}

/// `GET /societies/{code}/assessment/{year}/objections`.
pub async fn society_page(
    State(state): State<AppState>,
    ctx: Ctx,
    sy: SocietyYear,
    Query(q): Query<DoneQuery>,
) -> AppResult<Response> {
    society_render(
        &state,
        &ctx,
        &sy,
        String::new(),
        String::new(),
        Vec::new(),
        q.done.as_deref(),
    )
    .await
}

#[derive(Deserialize, Default)]
pub struct ObjectionForm {
    #[serde(default)]
    pub reason: String,
    #[serde(default)]
    pub evidence_id: String,
}

/// `POST /societies/{code}/assessment/{year}/objections`.
pub async fn society_file(
    State(state): State<AppState>,
    ctx: Ctx,
    sy: SocietyYear,
    Form(form): Form<ObjectionForm>,
) -> AppResult<Response> {
    let t = ctx.t();
    let evidence = form.evidence_id.trim();
    let evidence_id = if evidence.is_empty() {
        None
    } else {
        match evidence.parse::<i64>() {
            Ok(id) => Some(id),
            Err(_) => {
                let errors = vec![("evidence_id".to_owned(), t.t("results-evidence-number"))];
                return society_render(
                    &state,
                    &ctx,
                    &sy,
                    form.reason,
                    form.evidence_id,
                    errors,
                    None,
                )
                .await;
            }
        }
    };
    let input = ObjectionInput {
        reason: form.reason.clone(),
        evidence_id,
    };
    match svc::file_objection(&state, &sy.who, &sy.society, sy.catalogue.year, &input).await {
        Ok(_) => Ok(see_other(
            &svc::society_link(&sy.society.code, sy.catalogue.year),
            "submitted",
        )),
        Err(e) => {
            let errors = field_errors(&t, e)?;
            society_render(
                &state,
                &ctx,
                &sy,
                form.reason,
                form.evidence_id,
                errors,
                None,
            )
            .await
        }
    }
}

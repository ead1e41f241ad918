//! Administrators manage accounts (R-X-1): create with a role and, for society roles, a
//! society; edit, disable, reset a password (a new random one is shown once).

use askama::Template;
use axum::Form;
use axum::extract::{Path, Query, State};
use axum::response::{IntoResponse, Response};
use serde::Deserialize;

use super::page::{Page, render, role_label, see_other};
use super::{AppState, Ctx};
use crate::auth::policy::Action;
use crate::auth::{password, random_password};
use crate::db::societies::{self, SocietyFilter};
use crate::db::users::{self, NewUser, User, UserUpdate};
use crate::error::{AppError, AppResult};
use crate::i18n::T;
use crate::model::{FieldError, NewPassword, Role, Username, text};

pub struct UserRow {
    pub id: i64,
    pub username: String,
    pub display_name: String,
    pub role: String,
    pub society: String,
    pub disabled: bool,
    pub demo: bool,
}

#[derive(Template)]
#[template(path = "users_list.html")]
struct ListPage {
    page: Page,
    users: Vec<UserRow>,
}

pub async fn list(
    State(state): State<AppState>,
    ctx: Ctx,
    Query(q): Query<super::societies::DoneQuery>,
) -> AppResult<Response> {
    ctx.require(Action::ManageUsers, None)?;
    let t = ctx.t();
    let all = users::list(&state.db).await?;
    let rows = all
        .into_iter()
        .map(|u| UserRow {
            id: u.id,
            role: role_label(&t, u.role),
            society: u.society_code.clone().unwrap_or_default(),
            username: u.username,
            display_name: u.display_name,
            disabled: u.disabled,
            demo: u.demo,
        })
        .collect();
    Ok(render(&ListPage {
        page: Page::new(&ctx, t.t("users-title")).with_flash(q.done.as_deref()),
        users: rows,
    }))
}

#[derive(Template)]
#[template(path = "user_form.html")]
struct FormPage {
    page: Page,
    action: String,
    editing: bool,
    username: String,
    display_name: String,
    role: String,
    society: String,
    disabled: bool,
    roles: Vec<(String, String)>,
    societies: Vec<(String, String)>,
    errors: Vec<FieldError>,
    err_username: Option<String>,
    err_display_name: Option<String>,
    err_role: Option<String>,
    err_society: Option<String>,
    err_password: Option<String>,
    new_password: Option<String>,
}

#[derive(Deserialize, Default, Clone)]
pub struct UserForm {
    #[serde(default)]
    username: String,
    #[serde(default)]
    display_name: String,
    #[serde(default)]
    role: String,
    /// Society code (or name) for society roles.
    #[serde(default)]
    society: String,
    #[serde(default)]
    password: String,
    #[serde(default)]
    disabled: Option<String>,
}

async fn form_page(
    state: &AppState,
    ctx: &Ctx,
    title: String,
    action: String,
    editing: bool,
    form: &UserForm,
    errors: Vec<FieldError>,
    new_password: Option<String>,
) -> AppResult<Response> {
    let t = ctx.t();
    let err = |name: &str| errors.iter().find(|e| e.field == name).map(|e| t.field(e));
    let societies = societies::list(&state.db, &SocietyFilter::default())
        .await?
        .into_iter()
        .map(|s| (s.code, s.name))
        .collect();
    let status = if errors.is_empty() {
        http::StatusCode::OK
    } else {
        http::StatusCode::UNPROCESSABLE_ENTITY
    };
    let page = FormPage {
        page: Page::new(ctx, title),
        action,
        editing,
        username: form.username.clone(),
        display_name: form.display_name.clone(),
        role: form.role.clone(),
        society: form.society.clone(),
        disabled: form.disabled.as_deref() == Some("true"),
        roles: roles(&t),
        societies,
        err_username: err("username"),
        err_display_name: err("display_name"),
        err_role: err("role"),
        err_society: err("society"),
        err_password: err("password"),
        errors,
        new_password,
    };
    Ok((status, render(&page)).into_response())
}

fn roles(t: &T) -> Vec<(String, String)> {
    Role::ALL
        .iter()
        .map(|r| (r.as_str().to_string(), role_label(t, *r)))
        .collect()
}

/// Resolves the society field (code, or exact name) for society roles.
pub(crate) async fn resolve_society(
    state: &AppState,
    role: Option<Role>,
    raw: &str,
) -> Result<Option<i64>, FieldError> {
    let raw = raw.trim();
    match role {
        Some(r) if r.is_society_role() => {
            if raw.is_empty() {
                return Err(FieldError::new("society", "err-society-required"));
            }
            let by_code = societies::by_code(&state.db, raw).await.ok().flatten();
            let found = match by_code {
                Some(s) => Some(s),
                None => societies::list(
                    &state.db,
                    &SocietyFilter {
                        include_inactive: Some(true),
                        ..Default::default()
                    },
                )
                .await
                .ok()
                .and_then(|all| all.into_iter().find(|s| s.name == raw)),
            };
            found
                .map(|s| Some(s.id))
                .ok_or_else(|| FieldError::new("society", "err-society-unknown").arg("value", raw))
        }
        Some(_) if !raw.is_empty() => Err(FieldError::new("society", "err-society-not-for-role")),
        _ => Ok(None),
    }
}

pub async fn new_page(State(state): State<AppState>, ctx: Ctx) -> AppResult<Response> {
    ctx.require(Action::ManageUsers, None)?;
    let t = ctx.t();
    let form = UserForm {
        role: Role::SocietyEditor.as_str().into(),
        ..Default::default()
    };
    form_page(
        &state,
        &ctx,
        t.t("user-new"),
        "/admin/users".into(),
        false,
        &form,
        vec![],
        None,
    )
    .await
}

pub async fn create(
    State(state): State<AppState>,
    ctx: Ctx,
    Form(form): Form<UserForm>,
) -> AppResult<Response> {
    ctx.require(Action::ManageUsers, None)?;
    let t = ctx.t();
    let mut errors = Vec::new();
    let username = Username::parse(&form.username)
        .map_err(|e| errors.push(e))
        .ok();
    let display_name = text(&form.display_name, "display_name", 60, true)
        .map_err(|e| errors.push(e))
        .ok();
    let role = Role::parse(&form.role);
    if role.is_none() {
        errors.push(FieldError::new("role", "err-role"));
    }
    let society_id = resolve_society(&state, role, &form.society)
        .await
        .map_err(|e| errors.push(e))
        .ok()
        .flatten();
    let (password, generated) = if form.password.is_empty() {
        (random_password().map_err(AppError::Internal)?, true)
    } else {
        (form.password.clone(), false)
    };
    let pw = NewPassword::parse(&password, "password")
        .map_err(|e| errors.push(e))
        .ok();
    let (Some(username), Some(display_name), Some(role), Some(pw), true) =
        (username, display_name, role, pw, errors.is_empty())
    else {
        return form_page(
            &state,
            &ctx,
            t.t("user-new"),
            "/admin/users".into(),
            false,
            &UserForm {
                password: String::new(),
                ..form
            },
            errors,
            None,
        )
        .await;
    };
    let hash = password::hash(&pw).await?;
    let created = users::create(
        &state.db,
        &ctx.actor(),
        state.clock.now(),
        &NewUser {
            username: username.as_str(),
            display_name: &display_name,
            password_hash: &hash,
            role,
            society_id,
            demo: false,
        },
    )
    .await;
    match created {
        Ok(user) => {
            let form = form_of(&user);
            form_page(
                &state,
                &ctx,
                t.t1("user-edit", "name", &user.username),
                format!("/admin/users/{}", user.id),
                true,
                &form,
                vec![],
                generated.then_some(password),
            )
            .await
            .map(|r| with_status(r, http::StatusCode::CREATED))
        }
        Err(AppError::Invalid(errors)) => {
            form_page(
                &state,
                &ctx,
                t.t("user-new"),
                "/admin/users".into(),
                false,
                &UserForm {
                    password: String::new(),
                    ..form
                },
                errors,
                None,
            )
            .await
        }
        Err(e) => Err(e),
    }
}

fn with_status(mut r: Response, status: http::StatusCode) -> Response {
    *r.status_mut() = status;
    r
}

fn form_of(u: &User) -> UserForm {
    UserForm {
        username: u.username.clone(),
        display_name: u.display_name.clone(),
        role: u.role.as_str().to_string(),
        society: u.society_code.clone().unwrap_or_default(),
        password: String::new(),
        disabled: u.disabled.then(|| "true".to_string()),
    }
}

fn parse_id(raw: &str) -> AppResult<i64> {
    raw.parse().map_err(|_| AppError::NotFound)
}

pub async fn edit_page(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
) -> AppResult<Response> {
    ctx.require(Action::ManageUsers, None)?;
    let user = users::by_id(&state.db, parse_id(&id)?)
        .await?
        .ok_or(AppError::NotFound)?;
    let t = ctx.t();
    form_page(
        &state,
        &ctx,
        t.t1("user-edit", "name", &user.username),
        format!("/admin/users/{}", user.id),
        true,
        &form_of(&user),
        vec![],
        None,
    )
    .await
}

pub async fn update(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
    Form(form): Form<UserForm>,
) -> AppResult<Response> {
    let me = ctx.require(Action::ManageUsers, None)?.clone();
    let user = users::by_id(&state.db, parse_id(&id)?)
        .await?
        .ok_or(AppError::NotFound)?;
    let t = ctx.t();
    let mut errors = Vec::new();
    let display_name = text(&form.display_name, "display_name", 60, true)
        .map_err(|e| errors.push(e))
        .ok();
    let role = Role::parse(&form.role);
    if role.is_none() {
        errors.push(FieldError::new("role", "err-role"));
    }
    let society_id = resolve_society(&state, role, &form.society)
        .await
        .map_err(|e| errors.push(e))
        .ok()
        .flatten();
    let disabled = form.disabled.as_deref() == Some("true");
    errors.extend(crate::auth::policy::self_lockout(
        &me, user.id, role, disabled,
    ));
    let form = UserForm {
        username: user.username.clone(),
        ..form
    };
    let (Some(display_name), Some(role), true) = (display_name, role, errors.is_empty()) else {
        return form_page(
            &state,
            &ctx,
            t.t1("user-edit", "name", &user.username),
            format!("/admin/users/{}", user.id),
            true,
            &form,
            errors,
            None,
        )
        .await;
    };
    users::update(
        &state.db,
        &ctx.actor(),
        state.clock.now(),
        user.id,
        &UserUpdate {
            display_name: &display_name,
            role,
            society_id,
            disabled,
        },
    )
    .await?;
    Ok(see_other("/admin/users", "saved"))
}

pub async fn reset_password(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
) -> AppResult<Response> {
    ctx.require(Action::ManageUsers, None)?;
    let user = users::by_id(&state.db, parse_id(&id)?)
        .await?
        .ok_or(AppError::NotFound)?;
    let pw = random_password().map_err(AppError::Internal)?;
    let parsed = NewPassword::parse(&pw, "password")?;
    let hash = password::hash(&parsed).await?;
    users::set_password(&state.db, &ctx.actor(), state.clock.now(), user.id, &hash).await?;
    let t = ctx.t();
    form_page(
        &state,
        &ctx,
        t.t1("user-edit", "name", &user.username),
        format!("/admin/users/{}", user.id),
        true,
        &form_of(&user),
        vec![],
        Some(pw),
    )
    .await
}

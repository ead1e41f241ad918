//! Administrators manage accounts (R-X-1): create with a role and, for society roles, a
//! society; edit, disable, reset a password (a new random one is shown once).

use askama::Template;
use axum::Form;
use axum::extract::{Path, Query, State};
use axum::response::{IntoResponse, Response};
use serde::Deserialize;

use crate::AppState;
use crate::auth::policy::Action;
use crate::db::societies::SocietyFilter;
use crate::db::users::User;
use crate::error::{AppError, AppResult};
use crate::http::Ctx;
use crate::http::form::FormErrors;
use crate::http::page::{Page, render, role_label, see_other};
use crate::i18n::T;
use crate::model::{FieldError, Role};
use crate::service;
use crate::service::accounts::{AccountChange, NewAccount};

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
#[template(path = "admin/users_list.html")]
struct ListPage {
    page: Page,
    users: Vec<UserRow>,
}

pub async fn list(
    State(state): State<AppState>,
    ctx: Ctx,
    Query(q): Query<super::societies::DoneQuery>,
) -> AppResult<Response> {
    let t = ctx.t();
    let all = service::accounts::list(&state, &ctx.principal()).await?;
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
#[template(path = "admin/user_form.html")]
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
    errors: FormErrors,
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
    let errors = FormErrors::of(
        &t,
        &errors,
        &["username", "display_name", "role", "society", "password"],
    );
    let societies = service::societies::list(state, &ctx.principal(), &SocietyFilter::default())
        .await?
        .into_iter()
        .map(|s| (s.code, s.name))
        .collect();
    let status = errors.status();
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
    let t = ctx.t();
    let created = service::accounts::create(
        &state,
        &ctx.principal(),
        &NewAccount {
            username: &form.username,
            display_name: &form.display_name,
            role: &form.role,
            society: &form.society,
            password: Some(form.password.as_str()).filter(|p| !p.is_empty()),
        },
    )
    .await;
    match created {
        Ok((user, generated)) => {
            let form = form_of(&user);
            form_page(
                &state,
                &ctx,
                t.t1("user-edit", "name", &user.username),
                format!("/admin/users/{}", user.id),
                true,
                &form,
                vec![],
                generated,
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
    let user = service::accounts::get(&state, &ctx.principal(), parse_id(&id)?).await?;
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
    let who = ctx.principal();
    let user = service::accounts::get(&state, &who, parse_id(&id)?).await?;
    let t = ctx.t();
    let disabled = form.disabled.as_deref() == Some("true");
    let result = service::accounts::update(
        &state,
        &who,
        user.id,
        &AccountChange {
            display_name: Some(&form.display_name),
            role: Some(&form.role),
            society: Some(&form.society),
            disabled: Some(disabled),
        },
    )
    .await;
    if let Err(AppError::Invalid(errors)) = result {
        let form = UserForm {
            username: user.username.clone(),
            ..form
        };
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
    }
    result?;
    Ok(see_other("/admin/users", "saved"))
}

pub async fn reset_password(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
) -> AppResult<Response> {
    let (user, pw) =
        service::accounts::reset_password(&state, &ctx.principal(), parse_id(&id)?).await?;
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

//! The typed preamble of society routes: the society named by `{code}` (as stored, checked
//! against the access policy: another society's people get 404), and the catalogue of the year
//! named by `{year}` (or `?year=`, or the newest); for monthly routes also the month named by
//! `{month}`. The route table's guard runs first; these extractors then load the objects and
//! apply the object-level policy, so handlers start from typed values.

use std::sync::Arc;

use axum::extract::{FromRequestParts, RawPathParams};
use http::request::Parts;
use reformwatch_core::catalogue::Catalogue;
use reformwatch_core::tracking::Month;

use super::Ctx;
use crate::AppState;
use crate::db::societies::Society;
use crate::error::AppError;
use crate::principal::Principal;
use crate::service;

/// A society route's society (no year), with who is asking.
pub struct SocietyPath {
    pub society: Society,
    pub who: Principal,
}

/// A society route's society and catalogue year, with who is asking.
pub struct SocietyYear {
    pub society: Society,
    pub catalogue: Arc<Catalogue>,
    pub who: Principal,
}

/// A monthly route's society, catalogue year and month (1–12 of the catalogue year).
pub struct SocietyMonth {
    pub society: Society,
    pub catalogue: Arc<Catalogue>,
    pub month: Month,
    pub who: Principal,
}

/// The named path parameters and the `year` query parameter.
struct Named {
    code: Option<String>,
    year: Option<String>,
    month: Option<String>,
}

async fn named(parts: &mut Parts) -> Named {
    let params = RawPathParams::from_request_parts(parts, &()).await.ok();
    let get = |name: &str| {
        params.as_ref().and_then(|p| {
            p.iter()
                .find(|(k, _)| *k == name)
                .map(|(_, v)| v.to_string())
        })
    };
    let query_year = parts.uri.query().and_then(|q| {
        url::form_urlencoded::parse(q.as_bytes())
            .find(|(k, _)| k == "year")
            .map(|(_, v)| v.into_owned())
    });
    Named {
        code: get("code"),
        year: get("year").or(query_year),
        month: get("month"),
    }
}

async fn society_year(
    parts: &mut Parts,
    state: &AppState,
) -> Result<(Named, SocietyYear), AppError> {
    let ctx = Ctx::from_request_parts(parts, state).await?;
    let who = ctx.principal();
    let named = named(parts).await;
    let code = named.code.clone().ok_or(AppError::NotFound)?;
    let society = service::societies::readable(state, &who, &code).await?;
    let catalogue = service::catalogues::get(state, named.year.as_deref()).await?;
    Ok((
        named,
        SocietyYear {
            society,
            catalogue,
            who,
        },
    ))
}

impl FromRequestParts<AppState> for SocietyPath {
    type Rejection = AppError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, AppError> {
        let ctx = Ctx::from_request_parts(parts, state).await?;
        let who = ctx.principal();
        let code = named(parts).await.code.ok_or(AppError::NotFound)?;
        let society = service::societies::readable(state, &who, &code).await?;
        Ok(SocietyPath { society, who })
    }
}

impl FromRequestParts<AppState> for SocietyYear {
    type Rejection = AppError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, AppError> {
        Ok(society_year(parts, state).await?.1)
    }
}

impl FromRequestParts<AppState> for SocietyMonth {
    type Rejection = AppError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, AppError> {
        let (named, sy) = society_year(parts, state).await?;
        let month = named
            .month
            .as_deref()
            .and_then(|m| m.trim().parse::<u32>().ok())
            .and_then(|m| Month::new(sy.catalogue.year, m))
            .ok_or(AppError::NotFound)?;
        Ok(SocietyMonth {
            society: sy.society,
            catalogue: sy.catalogue,
            month,
            who: sy.who,
        })
    }
}

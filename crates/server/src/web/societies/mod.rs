//! Society registry pages (R-SOC-1, R-SOC-3), by feature: the registry list (`list`), a
//! society's page with its verdicts and next steps (`show`), the administrators' form, activation
//! and election flags (`form`), and the import (`import`).

pub mod form;
pub mod import;
pub mod judge;
pub mod list;
pub mod show;

use serde::Deserialize;

use crate::db::societies::Society;
use crate::i18n::T;
use crate::model::DisciplineGroup;

pub struct Row {
    pub code: String,
    pub name: String,
    pub short_name: String,
    pub group_label: String,
    pub supporting_unit: String,
    pub contact: String,
    pub active: bool,
}

pub fn group_label(t: &T, letter: &str) -> String {
    DisciplineGroup::from_letter(letter)
        .map(|g| format!("{} {}", g.letter(), t.pick(g.name_zh(), g.name_en())))
        .unwrap_or_default()
}

pub fn groups(t: &T) -> Vec<(String, String)> {
    DisciplineGroup::ALL
        .iter()
        .map(|g| (g.letter().to_string(), group_label(t, g.letter())))
        .collect()
}

pub fn row(t: &T, s: &Society) -> Row {
    let contact = [
        s.contact_name.as_str(),
        s.contact_phone.as_str(),
        s.contact_email.as_str(),
    ]
    .into_iter()
    .filter(|x| !x.is_empty())
    .collect::<Vec<_>>()
    .join(" · ");
    Row {
        code: s.code.clone(),
        name: s.name.clone(),
        short_name: s.short_name.clone(),
        group_label: group_label(t, &s.discipline_group),
        supporting_unit: s.supporting_unit.clone(),
        contact,
        active: s.active,
    }
}

#[derive(Deserialize, Default)]
pub struct DoneQuery {
    #[serde(default)]
    pub done: Option<String>,
}

//! Issue 10: how a page names who acted (display names, never `user:NAME`).

use crate::i18n::T;
use crate::service::people::{People, Who};

/// An audit actor label or a username as a page shows it.
pub fn actor_text(t: &T, people: &People, label: &str) -> String {
    match people.who(label) {
        Who::Person(name) => name,
        // The demonstration year is seeded as the operator `demo` acting for the societies
        // (service::demo): named so, not "命令行操作员（demo）".
        Who::Operator(os) if os == "demo" => t.t("actor-demo"),
        // `reformwatch` run where the operating system names no user.
        Who::Operator(os) if os == "unknown" => t.t("actor-operator-unnamed"),
        Who::Operator(os) => t.t1("actor-operator", "name", &os),
        Who::System => t.t("actor-system"),
    }
}

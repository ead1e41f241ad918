//! Refused forms (issue 10): every message sits at its field (`<p class="field-error"
//! id="err-FIELD">`, linked from the input by `aria-describedby`, the input marked
//! `aria-invalid`), and a summary at the top of the page (`role="alert"`, focused) links to
//! each failing field. Templates use the macros in `templates/_form.html`; handlers build one
//! [`FormErrors`] from the service's field errors and re-render the form with what was typed.

use crate::i18n::T;
use crate::model::FieldError;

/// One message of a refused form. `field` is the id of the input it belongs to; `None` for a
/// message about the form as a whole (shown in the summary only, without a link).
pub struct FieldMessage {
    pub field: Option<String>,
    pub message: String,
}

/// The messages of one refused form, in the order the service gave them.
#[derive(Default)]
pub struct FormErrors {
    pub items: Vec<FieldMessage>,
}

impl FormErrors {
    pub fn none() -> FormErrors {
        FormErrors::default()
    }

    /// The service's field errors, each at the input whose id is its field name when the form
    /// has such an input (`fields`), otherwise a message about the whole form.
    pub fn of(t: &T, errors: &[FieldError], fields: &[&str]) -> FormErrors {
        let mut out = FormErrors::none();
        for e in errors {
            let message = t.field(e);
            if fields.contains(&e.field.as_str()) {
                out.push(&e.field, message);
            } else {
                out.push_form(message);
            }
        }
        out
    }

    /// The service's field errors, each at the input `id_of` names for its field (`None`: a
    /// message about the whole form).
    pub fn mapped(
        t: &T,
        errors: &[FieldError],
        id_of: impl Fn(&str) -> Option<String>,
    ) -> FormErrors {
        let mut out = FormErrors::none();
        for e in errors {
            let message = t.field(e);
            match id_of(&e.field) {
                Some(id) => out.push(&id, message),
                None => out.push_form(message),
            }
        }
        out
    }

    /// The service's field errors where every field name is an input's id on the page (forms
    /// whose inputs are generated from the same names, e.g. the plan editor and the facts form).
    pub fn at_fields(t: &T, errors: &[FieldError]) -> FormErrors {
        let mut out = FormErrors::none();
        for e in errors {
            out.push(&e.field, t.field(e));
        }
        out
    }

    pub fn push(&mut self, field: &str, message: String) {
        self.items.push(FieldMessage {
            field: Some(field.to_string()),
            message,
        });
    }

    pub fn push_form(&mut self, message: String) {
        self.items.push(FieldMessage {
            field: None,
            message,
        });
    }

    pub fn is_empty(&self) -> bool {
        self.items.is_empty()
    }

    /// The messages at one field, joined (usually one).
    pub fn get(&self, field: &str) -> Option<String> {
        let found: Vec<&str> = self
            .items
            .iter()
            .filter(|i| i.field.as_deref() == Some(field))
            .map(|i| i.message.as_str())
            .collect();
        (!found.is_empty()).then(|| found.join(" "))
    }

    pub fn has(&self, field: &str) -> bool {
        self.items.iter().any(|i| i.field.as_deref() == Some(field))
    }

    /// The status of the re-rendered form: 422 when refused, 200 otherwise.
    pub fn status(&self) -> http::StatusCode {
        if self.is_empty() {
            http::StatusCode::OK
        } else {
            http::StatusCode::UNPROCESSABLE_ENTITY
        }
    }
}

/// The id of the file input of the evidence forms (plan, report and facts pages).
pub const EVIDENCE_FILE: &str = "evidence-file";

/// The refusals of an evidence upload a page may be sent back with (`?refused=KEY&arg=VALUE`);
/// any other key is ignored, so a crafted link cannot put words on a page.
const EVIDENCE_REFUSALS: &[(&str, Option<&str>)] = &[
    ("err-no-file", None),
    ("err-file-type", Some("detected")),
    ("err-upload", Some("detail")),
    ("err-file-too-large", Some("mb")),
    ("err-quota", Some("mb")),
    ("err-month-locked", Some("month")),
    ("err-evidence-task", Some("task")),
    ("err-evidence-fact", None),
    ("err-evidence-owner", None),
    ("err-month", None),
    ("err-year", None),
    ("err-too-long", Some("max")),
];

/// An argument carried in a link: short, and only letters, digits and `./+_-`.
fn safe_arg(v: &str) -> Option<String> {
    let ok = !v.is_empty()
        && v.chars().count() <= 40
        && v.chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '/' | '+' | '_' | '-'));
    ok.then(|| v.to_string())
}

/// A refused evidence upload as the query of the page it goes back to (`refused=…&arg=…`),
/// or `None` for an error that is no refusal of the upload (those answer an error page).
pub fn refusal_query(err: &crate::error::AppError) -> Option<String> {
    use crate::error::AppError;
    let (key, arg) = match err {
        AppError::FileTooLarge { limit, quota } => (
            if *quota {
                "err-quota"
            } else {
                "err-file-too-large"
            },
            Some(limit.div_ceil(1024 * 1024).to_string()),
        ),
        AppError::Invalid(fields) => {
            let f = fields.first()?;
            let (key, arg_name) = EVIDENCE_REFUSALS.iter().find(|(k, _)| *k == f.key)?;
            let arg = arg_name.and_then(|n| {
                f.args
                    .iter()
                    .find(|(k, _)| k == n)
                    .map(|(_, v)| safe_arg(v).unwrap_or_else(|| "?".into()))
            });
            (*key, arg)
        }
        _ => return None,
    };
    let mut q = url::form_urlencoded::Serializer::new(String::new());
    q.append_pair("refused", key);
    if let Some(a) = arg {
        q.append_pair("arg", &a);
    }
    Some(q.finish())
}

/// `?refused=KEY&arg=VALUE` on a page with an evidence form: the refusal, at the file input.
#[derive(serde::Deserialize, Default)]
pub struct Refused {
    #[serde(default)]
    pub refused: Option<String>,
    #[serde(default)]
    pub arg: Option<String>,
}

impl Refused {
    /// The refusal as a field error of the evidence file input (none for an unknown key).
    pub fn errors(&self) -> Vec<FieldError> {
        let Some(key) = self.refused.as_deref() else {
            return Vec::new();
        };
        let Some((key, arg_name)) = EVIDENCE_REFUSALS.iter().find(|(k, _)| *k == key) else {
            return Vec::new();
        };
        let mut e = FieldError::new(EVIDENCE_FILE, key);
        if let Some(n) = arg_name {
            let v = self
                .arg
                .as_deref()
                .and_then(safe_arg)
                .unwrap_or_else(|| "?".into());
            e = e.arg(n, v);
        }
        vec![e]
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::i18n::Lang;

    #[test]
    fn messages_sit_at_known_fields_only() {
        let t = T::new(Lang::Zh);
        let errors = vec![
            FieldError::new("comment", "err-required"),
            FieldError::new("state", "err-plan-not-submitted"),
        ];
        let f = FormErrors::of(&t, &errors, &["comment"]);
        assert_eq!(f.items.len(), 2);
        assert!(f.has("comment"));
        assert!(!f.has("state"));
        assert_eq!(f.get("comment").as_deref(), Some("必填。"));
        assert_eq!(f.items[1].field, None);
        assert_eq!(f.status(), http::StatusCode::UNPROCESSABLE_ENTITY);
        assert_eq!(FormErrors::none().status(), http::StatusCode::OK);
    }

    fn parse(q: &str) -> Refused {
        let mut r = Refused::default();
        for (k, v) in url::form_urlencoded::parse(q.as_bytes()) {
            match &*k {
                "refused" => r.refused = Some(v.into_owned()),
                "arg" => r.arg = Some(v.into_owned()),
                _ => {}
            }
        }
        r
    }

    #[test]
    fn refusals_travel_by_known_key_only() {
        use crate::error::AppError;
        let err = AppError::Invalid(vec![
            FieldError::new("file", "err-file-type").arg("detected", "application/x-msdownload"),
        ]);
        let q = refusal_query(&err).unwrap();
        assert_eq!(q, "refused=err-file-type&arg=application%2Fx-msdownload");
        let back = parse(&q);
        let e = back.errors();
        assert_eq!(e.len(), 1);
        assert_eq!(e[0].field, EVIDENCE_FILE);
        assert_eq!(e[0].key, "err-file-type");
        assert_eq!(
            e[0].args,
            vec![(
                "detected".to_string(),
                "application/x-msdownload".to_string()
            )]
        );
        let big = AppError::FileTooLarge {
            limit: 20 * 1024 * 1024,
            quota: false,
        };
        assert_eq!(
            refusal_query(&big).unwrap(),
            "refused=err-file-too-large&arg=20"
        );
        // Unknown keys and words in the argument do not reach the page.
        let crafted = parse("refused=err-internal&arg=call+us");
        assert!(crafted.errors().is_empty());
        let crafted = parse("refused=err-upload&arg=%E8%AF%B7%E8%87%B4%E7%94%B5");
        assert_eq!(crafted.errors()[0].args[0].1, "?");
        assert!(refusal_query(&AppError::NotFound).is_none());
    }
}

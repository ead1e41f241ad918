//! Parsing JSON input into typed values, with serde's complaint turned into a field error the
//! caller can act on (unknown field, wrong type, missing field). Used by the API for request
//! bodies and by services for content handed over as JSON.

use serde::de::DeserializeOwned;

use crate::error::AppError;
use crate::model::FieldError;

/// Parses JSON text (bytes) into `T`.
pub fn parse<T: DeserializeOwned>(body: &[u8]) -> Result<T, AppError> {
    let mut de = serde_json::Deserializer::from_slice(body);
    let result: Result<T, _> = serde_path_to_error::deserialize(&mut de);
    result.map_err(|e| {
        let path = e.path().to_string();
        field_error(path, e.into_inner())
    })
}

/// Parses an already decoded JSON value into `T` (same errors as [`parse`]).
pub fn from_value<T: DeserializeOwned>(value: serde_json::Value) -> Result<T, AppError> {
    let result: Result<T, _> = serde_path_to_error::deserialize(value);
    result.map_err(|e| {
        let path = e.path().to_string();
        field_error(path, e.into_inner())
    })
}

fn field_error(path: String, inner: serde_json::Error) -> AppError {
    let msg = inner.to_string();
    let (field, key) = if let Some(rest) = msg.strip_prefix("unknown field `") {
        (
            rest.split('`').next().unwrap_or("").to_string(),
            "err-json-unknown-field",
        )
    } else if let Some(rest) = msg.strip_prefix("missing field `") {
        (
            rest.split('`').next().unwrap_or("").to_string(),
            "err-json-missing-field",
        )
    } else if inner.is_syntax() || inner.is_eof() {
        (String::new(), "err-json-syntax")
    } else {
        (path.clone(), "err-json-type")
    };
    let field = if field.is_empty() || field == "." {
        path
    } else {
        field
    };
    AppError::Invalid(vec![
        FieldError::new(&field, key)
            .arg("field", &field)
            .arg("detail", msg.split(" at line").next().unwrap_or(&msg)),
    ])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(serde::Deserialize, Debug)]
    #[serde(deny_unknown_fields)]
    struct X {
        a: i64,
    }

    fn key(e: AppError) -> (String, String) {
        match e {
            AppError::Invalid(f) => (f[0].field.clone(), f[0].key.clone()),
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn errors_name_the_field() {
        assert_eq!(
            key(parse::<X>(br#"{"a":1,"b":2}"#).unwrap_err()),
            ("b".into(), "err-json-unknown-field".into())
        );
        assert_eq!(
            key(parse::<X>(br#"{}"#).unwrap_err()),
            ("a".into(), "err-json-missing-field".into())
        );
        assert_eq!(
            key(parse::<X>(br#"{"a":"x"}"#).unwrap_err()),
            ("a".into(), "err-json-type".into())
        );
        assert_eq!(key(parse::<X>(b"{").unwrap_err()).1, "err-json-syntax");
        assert_eq!(
            key(from_value::<X>(serde_json::json!({"a": true})).unwrap_err()),
            ("a".into(), "err-json-type".into())
        );
        assert_eq!(parse::<X>(br#"{"a":1}"#).unwrap().a, 1);
    }
}

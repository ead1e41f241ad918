//! Input types parsed at the edge ("parse, don't validate"): raw form, JSON or CSV values become
//! these types or a list of field errors carrying i18n keys, rendered in the user's language.

use serde::{Deserialize, Serialize};

/// One field's problem: the field name and an i18n message key (with optional arguments).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct FieldError {
    pub field: String,
    pub key: String,
    pub args: Vec<(String, String)>,
    /// A message already written in both languages (Chinese, English), e.g. by the domain
    /// core; used instead of the key's text when present.
    #[serde(skip)]
    pub localized: Option<(String, String)>,
}

impl FieldError {
    pub fn new(field: &str, key: &str) -> Self {
        FieldError {
            field: field.to_string(),
            key: key.to_string(),
            args: Vec::new(),
            localized: None,
        }
    }
    /// An error whose message comes ready in both languages.
    pub fn localized(field: &str, key: &str, zh: String, en: String) -> Self {
        FieldError {
            localized: Some((zh, en)),
            ..FieldError::new(field, key)
        }
    }
    pub fn arg(mut self, name: &str, value: impl ToString) -> Self {
        self.args.push((name.to_string(), value.to_string()));
        self
    }
}

pub type FieldErrors = Vec<FieldError>;

/// Society code as CAST writes it: discipline letter, dash, number, optional W/G suffix
/// (`A-03`, `E-35W`, `A-45G`).
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub struct SocietyCode(String);

impl SocietyCode {
    pub fn parse(raw: &str) -> Result<SocietyCode, FieldError> {
        let s = raw.trim().to_ascii_uppercase();
        let bytes = s.as_bytes();
        let ok = bytes.len() >= 4 && matches!(bytes[0], b'A'..=b'E') && bytes[1] == b'-' && {
            let rest = &s[2..];
            let digits: String = rest.chars().take_while(|c| c.is_ascii_digit()).collect();
            let suffix = &rest[digits.len()..];
            (2..=3).contains(&digits.len()) && matches!(suffix, "" | "W" | "G")
        };
        if ok {
            Ok(SocietyCode(s))
        } else {
            Err(FieldError::new("code", "err-society-code").arg("value", raw.trim()))
        }
    }
    pub fn as_str(&self) -> &str {
        &self.0
    }
    /// The discipline group letter the code starts with.
    pub fn group(&self) -> DisciplineGroup {
        DisciplineGroup::from_letter(&self.0[..1]).unwrap_or(DisciplineGroup::E)
    }
}

impl std::fmt::Display for SocietyCode {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

/// CAST's five discipline groups (学科群).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, utoipa::ToSchema)]
pub enum DisciplineGroup {
    A,
    B,
    C,
    D,
    E,
}

impl DisciplineGroup {
    pub const ALL: [DisciplineGroup; 5] = [
        DisciplineGroup::A,
        DisciplineGroup::B,
        DisciplineGroup::C,
        DisciplineGroup::D,
        DisciplineGroup::E,
    ];
    pub fn letter(self) -> &'static str {
        match self {
            DisciplineGroup::A => "A",
            DisciplineGroup::B => "B",
            DisciplineGroup::C => "C",
            DisciplineGroup::D => "D",
            DisciplineGroup::E => "E",
        }
    }
    pub fn from_letter(s: &str) -> Option<DisciplineGroup> {
        DisciplineGroup::ALL
            .into_iter()
            .find(|g| g.letter().eq_ignore_ascii_case(s.trim()))
    }
    /// The Chinese category name used in CAST's registry.
    pub fn name_zh(self) -> &'static str {
        match self {
            DisciplineGroup::A => "理科",
            DisciplineGroup::B => "工科",
            DisciplineGroup::C => "农科",
            DisciplineGroup::D => "医科",
            DisciplineGroup::E => "交叉",
        }
    }
    /// Accepts the letter, the Chinese name, or the English name.
    pub fn parse(raw: &str) -> Option<DisciplineGroup> {
        let s = raw.trim();
        DisciplineGroup::from_letter(s).or_else(|| {
            DisciplineGroup::ALL.into_iter().find(|g| {
                g.name_zh() == s
                    || g.name_en().eq_ignore_ascii_case(s)
                    || s.strip_suffix("类").is_some_and(|p| p == g.name_zh())
            })
        })
    }
    pub fn name_en(self) -> &'static str {
        match self {
            DisciplineGroup::A => "Science",
            DisciplineGroup::B => "Engineering",
            DisciplineGroup::C => "Agriculture",
            DisciplineGroup::D => "Medicine",
            DisciplineGroup::E => "Interdisciplinary",
        }
    }
}

/// R-X-1 roles.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    Admin,
    Reviewer,
    SocietyEditor,
    SocietyViewer,
}

impl Role {
    pub const ALL: [Role; 4] = [
        Role::Admin,
        Role::Reviewer,
        Role::SocietyEditor,
        Role::SocietyViewer,
    ];
    pub fn as_str(self) -> &'static str {
        match self {
            Role::Admin => "admin",
            Role::Reviewer => "reviewer",
            Role::SocietyEditor => "society_editor",
            Role::SocietyViewer => "society_viewer",
        }
    }
    pub fn parse(s: &str) -> Option<Role> {
        Role::ALL.into_iter().find(|r| r.as_str() == s.trim())
    }
    /// Society roles belong to exactly one society.
    pub fn is_society_role(self) -> bool {
        matches!(self, Role::SocietyEditor | Role::SocietyViewer)
    }
}

/// Login name: 3–64 characters of letters, digits, `.`, `_`, `-`, `@`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Username(String);

impl Username {
    pub fn parse(raw: &str) -> Result<Username, FieldError> {
        let s = raw.trim();
        let ok = (3..=64).contains(&s.chars().count())
            && s.chars()
                .all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | '-' | '@'));
        if ok {
            Ok(Username(s.to_ascii_lowercase()))
        } else {
            Err(FieldError::new("username", "err-username"))
        }
    }
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// A new password: at least 12 characters, at most 256 (R-X-1).
pub struct NewPassword(String);

impl NewPassword {
    pub const MIN_CHARS: usize = 12;
    pub fn parse(raw: &str, field: &str) -> Result<NewPassword, FieldError> {
        let n = raw.chars().count();
        if n < Self::MIN_CHARS {
            Err(FieldError::new(field, "err-password-short").arg("min", Self::MIN_CHARS))
        } else if n > 256 {
            Err(FieldError::new(field, "err-password-long"))
        } else {
            Ok(NewPassword(raw.to_string()))
        }
    }
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl std::fmt::Debug for NewPassword {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("NewPassword(****)")
    }
}

/// Trims a free-text field and enforces a maximum length.
pub fn text(
    raw: &str,
    field: &str,
    max_chars: usize,
    required: bool,
) -> Result<String, FieldError> {
    let s = raw.trim();
    if required && s.is_empty() {
        return Err(FieldError::new(field, "err-required"));
    }
    if s.chars().count() > max_chars {
        return Err(FieldError::new(field, "err-too-long").arg("max", max_chars));
    }
    if s.chars()
        .any(|c| c.is_control() || matches!(c, '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}'))
    {
        return Err(FieldError::new(field, "err-control-chars"));
    }
    Ok(s.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn society_codes() {
        for ok in ["A-03", "a-03", " E-35W ", "A-45G", "B-100"] {
            assert!(SocietyCode::parse(ok).is_ok(), "{ok}");
        }
        for bad in ["", "A03", "F-01", "A-1", "A-0001", "A-01X", "A-", "中-01"] {
            assert!(SocietyCode::parse(bad).is_err(), "{bad}");
        }
        assert_eq!(
            SocietyCode::parse("b-07").unwrap().group(),
            DisciplineGroup::B
        );
    }

    #[test]
    fn discipline_groups() {
        assert_eq!(DisciplineGroup::parse("理科"), Some(DisciplineGroup::A));
        assert_eq!(DisciplineGroup::parse("c"), Some(DisciplineGroup::C));
        assert_eq!(DisciplineGroup::parse("Medicine"), Some(DisciplineGroup::D));
        assert_eq!(DisciplineGroup::parse("交叉类"), Some(DisciplineGroup::E));
        assert_eq!(DisciplineGroup::parse("文科"), None);
    }

    #[test]
    fn usernames_and_passwords() {
        assert!(Username::parse("ab").is_err());
        assert!(Username::parse("li wei").is_err());
        assert_eq!(Username::parse(" Li.Wei ").unwrap().as_str(), "li.wei");
        assert!(NewPassword::parse("12345678901", "password").is_err());
        assert!(NewPassword::parse("123456789012", "password").is_ok());
        // Characters, not bytes: 12 Chinese characters are enough.
        assert!(NewPassword::parse("中国科协学会改革监测考核", "p").is_ok());
    }

    #[test]
    fn text_fields() {
        assert!(text("  ", "name", 10, true).is_err());
        assert_eq!(text(" x ", "name", 10, true).unwrap(), "x");
        assert!(text("a\u{202e}b", "name", 10, false).is_err());
        assert!(text("a\u{0}b", "name", 10, false).is_err());
        assert!(text("abcdefghijk", "name", 10, false).is_err());
    }
}

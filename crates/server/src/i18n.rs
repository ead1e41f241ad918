//! User-facing text lives in `locales/zh-CN/*.toml` and `locales/en-US/*.toml` (flat key →
//! text, `{name}` placeholders), one file pair per feature (`main.toml` for what was there
//! first), embedded in the binary. Chinese first; tests check that both languages have the
//! same keys and placeholders, and that no key is defined in two files.

use std::collections::HashMap;
use std::sync::{Arc, OnceLock};

use crate::model::FieldError;

#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
pub enum Lang {
    Zh,
    En,
}

impl Lang {
    pub fn code(self) -> &'static str {
        match self {
            Lang::Zh => "zh-CN",
            Lang::En => "en",
        }
    }
    pub fn parse(s: &str) -> Option<Lang> {
        let s = s.trim().to_ascii_lowercase();
        if s.starts_with("zh") {
            Some(Lang::Zh)
        } else if s.starts_with("en") {
            Some(Lang::En)
        } else {
            None
        }
    }
    /// First supported language of an Accept-Language header, by order (q-values rarely matter).
    pub fn from_accept_language(header: &str) -> Option<Lang> {
        header
            .split(',')
            .find_map(|part| Lang::parse(part.split(';').next().unwrap_or("")))
    }
    pub fn is_en(self) -> bool {
        self == Lang::En
    }
}

/// The locale files, one pair per feature: (file name, Chinese source, English source). A new
/// feature adds its own pair here rather than growing `main.toml`.
const SOURCES: &[(&str, &str, &str)] = &[
    (
        "forms.toml",
        include_str!("../locales/zh-CN/forms.toml"),
        include_str!("../locales/en-US/forms.toml"),
    ),
    (
        "main.toml",
        include_str!("../locales/zh-CN/main.toml"),
        include_str!("../locales/en-US/main.toml"),
    ),
    (
        "security.toml",
        include_str!("../locales/zh-CN/security.toml"),
        include_str!("../locales/en-US/security.toml"),
    ),
    (
        "bulletins.toml",
        include_str!("../locales/zh-CN/bulletins.toml"),
        include_str!("../locales/en-US/bulletins.toml"),
    ),
    (
        "pub.toml",
        include_str!("../locales/zh-CN/pub.toml"),
        include_str!("../locales/en-US/pub.toml"),
    ),
    (
        "people.toml",
        include_str!("../locales/zh-CN/people.toml"),
        include_str!("../locales/en-US/people.toml"),
    ),
    (
        "judgements.toml",
        include_str!("../locales/zh-CN/judgements.toml"),
        include_str!("../locales/en-US/judgements.toml"),
    ),
    (
        "assessment.toml",
        include_str!("../locales/zh-CN/assessment.toml"),
        include_str!("../locales/en-US/assessment.toml"),
    ),
    (
        "years.toml",
        include_str!("../locales/zh-CN/years.toml"),
        include_str!("../locales/en-US/years.toml"),
    ),
    (
        "flows.toml",
        include_str!("../locales/zh-CN/flows.toml"),
        include_str!("../locales/en-US/flows.toml"),
    ),
    (
        "assessment_results.toml",
        include_str!("../locales/zh-CN/assessment_results.toml"),
        include_str!("../locales/en-US/assessment_results.toml"),
    ),
    (
        "summary.toml",
        include_str!("../locales/zh-CN/summary.toml"),
        include_str!("../locales/en-US/summary.toml"),
    ),
    (
        "limits.toml",
        include_str!("../locales/zh-CN/limits.toml"),
        include_str!("../locales/en-US/limits.toml"),
    ),
    (
        "audit.toml",
        include_str!("../locales/zh-CN/audit.toml"),
        include_str!("../locales/en-US/audit.toml"),
    ),
    (
        "a11y.toml",
        include_str!("../locales/zh-CN/a11y.toml"),
        include_str!("../locales/en-US/a11y.toml"),
    ),
    (
        "report_review.toml",
        include_str!("../locales/zh-CN/report_review.toml"),
        include_str!("../locales/en-US/report_review.toml"),
    ),
];

pub struct Messages {
    zh: HashMap<String, String>,
    en: HashMap<String, String>,
}

/// Parses every file of one language into one map; a key defined in two files is an error.
fn load(
    sources: &[(&str, &'static str, &'static str)],
    lang: &str,
    pick: impl Fn(&(&str, &'static str, &'static str)) -> &'static str,
) -> anyhow::Result<HashMap<String, String>> {
    let mut all = HashMap::new();
    for source in sources {
        let name = source.0;
        let map: HashMap<String, String> = toml::from_str(pick(source))
            .map_err(|e| anyhow::anyhow!("locales/{lang}/{name}: {e}"))?;
        for (k, v) in map {
            if all.insert(k.clone(), v).is_some() {
                anyhow::bail!("locales/{lang}/{name}: the key {k} is defined in another file too");
            }
        }
    }
    Ok(all)
}

impl Messages {
    pub fn load() -> anyhow::Result<Messages> {
        Ok(Messages {
            zh: load(SOURCES, "zh-CN", |s| s.1)?,
            en: load(SOURCES, "en-US", |s| s.2)?,
        })
    }

    /// The process-wide messages (parsed once; validated by tests and at start-up).
    pub fn global() -> Arc<Messages> {
        static M: OnceLock<Arc<Messages>> = OnceLock::new();
        M.get_or_init(|| {
            Arc::new(Messages::load().unwrap_or_else(|e| {
                tracing::error!("{e}");
                Messages {
                    zh: HashMap::new(),
                    en: HashMap::new(),
                }
            }))
        })
        .clone()
    }

    pub fn get<'a>(&'a self, lang: Lang, key: &'a str) -> &'a str {
        let map = if lang.is_en() { &self.en } else { &self.zh };
        map.get(key).map(String::as_str).unwrap_or(key)
    }

    pub fn format(&self, lang: Lang, key: &str, args: &[(String, String)]) -> String {
        let mut s = self.get(lang, key).to_string();
        for (name, value) in args {
            s = s.replace(&format!("{{{name}}}"), value);
        }
        s
    }

    pub fn field_error(&self, lang: Lang, e: &FieldError) -> String {
        match &e.localized {
            Some((zh, en)) => {
                if lang.is_en() {
                    en.clone()
                } else {
                    zh.clone()
                }
            }
            None => self.format(lang, &e.key, &e.args),
        }
    }
}

/// A translator bound to one language, handed to templates as `t`.
#[derive(Clone)]
pub struct T {
    pub lang: Lang,
    messages: Arc<Messages>,
}

impl T {
    pub fn new(lang: Lang) -> T {
        T {
            lang,
            messages: Messages::global(),
        }
    }
    pub fn t(&self, key: &str) -> String {
        self.messages.get(self.lang, key).to_string()
    }
    pub fn t1(&self, key: &str, name: &str, value: &dyn std::fmt::Display) -> String {
        self.messages
            .format(self.lang, key, &[(name.to_string(), value.to_string())])
    }
    /// The accessible name of a table cell's input whose column header shows its name only
    /// visually: "指标（第 2 行）" / "Metric (row 2)".
    pub fn row_label(&self, label: impl AsRef<str>, n: impl std::fmt::Display) -> String {
        self.messages.format(
            self.lang,
            "a11y-row",
            &[
                ("label".to_string(), label.as_ref().to_string()),
                ("n".to_string(), n.to_string()),
            ],
        )
    }
    pub fn field(&self, e: &FieldError) -> String {
        self.messages.field_error(self.lang, e)
    }
    /// Chinese or English variant of a bilingual value.
    pub fn pick<'a>(&self, zh: &'a str, en: &'a str) -> &'a str {
        if self.lang.is_en() && !en.is_empty() {
            en
        } else {
            zh
        }
    }
    pub fn is_en(&self) -> bool {
        self.lang.is_en()
    }
    /// The `lang` of a piece of data shown in this interface (WCAG 3.1.2 Language of Parts,
    /// issue 10): `zh-CN` when it holds Chinese characters (a plan typed in Chinese, a
    /// reviewer's comment), otherwise the interface's own language. For data that is Chinese
    /// whatever it holds (society names, the notice's clauses) templates write `lang="zh-CN"`.
    pub fn lang_of(&self, text: &str) -> &'static str {
        if has_cjk(text) {
            Lang::Zh.code()
        } else {
            self.lang.code()
        }
    }
}

impl T {
    /// `text` cut into runs of one language each, with the `lang` of each (issue 10): in the
    /// English interface an English sentence that quotes Chinese data ("target 1 '个人会员': at
    /// least 11,500 人 …") marks only the Chinese runs as Chinese; digits, spaces and
    /// punctuation stay with the run they are in. In the Chinese interface: one run.
    pub fn runs(&self, text: &str) -> Vec<(&'static str, String)> {
        if !self.is_en() {
            return vec![(Lang::Zh.code(), text.to_string())];
        }
        let mut out: Vec<(&'static str, String)> = Vec::new();
        for c in text.chars() {
            let lang = if has_cjk(c.encode_utf8(&mut [0; 4])) {
                Some(Lang::Zh.code())
            } else if c.is_alphabetic() {
                Some(Lang::En.code())
            } else {
                None
            };
            match (out.last_mut(), lang) {
                (Some(last), None) => last.1.push(c),
                (Some(last), Some(l)) if last.0 == l => last.1.push(c),
                (_, l) => out.push((l.unwrap_or(Lang::En.code()), c.to_string())),
            }
        }
        out
    }
}

/// Whether `text` holds a CJK ideograph or CJK punctuation (U+3000–U+303F, U+3400–U+4DBF,
/// U+4E00–U+9FFF, U+F900–U+FAFF, U+FF00–U+FFEF full-width forms).
pub fn has_cjk(text: &str) -> bool {
    text.chars().any(|c| {
        matches!(c as u32, 0x3000..=0x303F | 0x3400..=0x4DBF | 0x4E00..=0x9FFF | 0xF900..=0xFAFF | 0xFF00..=0xFFEF)
    })
}

#[cfg(test)]
mod tests {
    #[test]
    fn lang_of_data() {
        let en = super::T::new(super::Lang::En);
        let zh = super::T::new(super::Lang::Zh);
        assert_eq!(en.lang_of("会员人数"), "zh-CN");
        assert_eq!(en.lang_of("Members 会员"), "zh-CN");
        assert_eq!(en.lang_of("（"), "zh-CN");
        assert_eq!(en.lang_of("Members"), "en");
        assert_eq!(en.lang_of(""), "en");
        assert_eq!(zh.lang_of("Members"), "zh-CN");
        assert_eq!(zh.lang_of("会员"), "zh-CN");
        let runs = |t: &super::T, s: &str| -> Vec<(String, String)> {
            t.runs(s)
                .into_iter()
                .map(|(l, r)| (l.to_string(), r))
                .collect()
        };
        let p = |l: &str, r: &str| (l.to_string(), r.to_string());
        assert_eq!(
            runs(&en, "target 1 '个人会员': at least 11,500 人 due"),
            vec![
                p("en", "target 1 '"),
                p("zh-CN", "个人会员': "),
                p("en", "at least 11,500 "),
                p("zh-CN", "人 "),
                p("en", "due")
            ]
        );
        assert_eq!(runs(&en, "Members"), vec![p("en", "Members")]);
        assert_eq!(runs(&zh, "目标 a"), vec![p("zh-CN", "目标 a")]);
    }
    use super::*;
    use std::collections::BTreeSet;

    fn placeholders(s: &str) -> BTreeSet<String> {
        let mut out = BTreeSet::new();
        let mut rest = s;
        while let Some(start) = rest.find('{') {
            if let Some(end) = rest[start..].find('}') {
                out.insert(rest[start + 1..start + end].to_string());
                rest = &rest[start + end + 1..];
            } else {
                break;
            }
        }
        out
    }

    #[test]
    fn both_languages_have_every_key_and_placeholder() {
        let m = Messages::load().unwrap();
        let zh: BTreeSet<_> = m.zh.keys().collect();
        let en: BTreeSet<_> = m.en.keys().collect();
        let only_zh: Vec<_> = zh.difference(&en).collect();
        let only_en: Vec<_> = en.difference(&zh).collect();
        assert!(
            only_zh.is_empty() && only_en.is_empty(),
            "zh only: {only_zh:?}; en only: {only_en:?}"
        );
        for k in zh {
            assert_eq!(
                placeholders(&m.zh[k]),
                placeholders(&m.en[k]),
                "placeholders differ for {k}"
            );
            assert!(
                !m.zh[k].trim().is_empty() && !m.en[k].trim().is_empty(),
                "empty text for {k}"
            );
        }
    }

    #[test]
    fn a_key_in_two_files_is_refused() {
        let sources = [
            ("a.toml", "x = \"甲\"\ny = \"乙\"", "x = \"A\"\ny = \"B\""),
            ("b.toml", "z = \"丙\"", "y = \"again\""),
        ];
        let zh = load(&sources, "zh-CN", |s| s.1).unwrap();
        assert_eq!(zh.len(), 3);
        let err = load(&sources, "en-US", |s| s.2).unwrap_err().to_string();
        assert_eq!(
            err,
            "locales/en-US/b.toml: the key y is defined in another file too"
        );
    }

    #[test]
    fn accept_language() {
        assert_eq!(Lang::from_accept_language("en-US,en;q=0.9"), Some(Lang::En));
        assert_eq!(
            Lang::from_accept_language("fr, zh-CN;q=0.8"),
            Some(Lang::Zh)
        );
        assert_eq!(Lang::from_accept_language("fr"), None);
    }

    /// Every key used in code and templates exists (keys are written as t("…") / "err-…").
    #[test]
    fn keys_used_in_templates_exist() {
        let m = Messages::load().unwrap();
        let mut dirs = vec![std::path::PathBuf::from(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/templates"
        ))];
        let mut files = Vec::new();
        while let Some(dir) = dirs.pop() {
            for entry in std::fs::read_dir(dir).unwrap() {
                let path = entry.unwrap().path();
                if path.is_dir() {
                    dirs.push(path);
                } else {
                    files.push(path);
                }
            }
        }
        // Templates are grouped in folders by feature; every one is checked.
        assert!(files.len() > 30, "{files:?}");
        let mut missing = Vec::new();
        for path in files {
            let text = std::fs::read_to_string(&path).unwrap();
            for (i, _) in text.match_indices("t(\"") {
                // `t("key")`, not a method ending in t such as `errors.get("field")`.
                if text[..i].ends_with(|c: char| c.is_alphanumeric() || c == '_') {
                    continue;
                }
                let rest = &text[i + 3..];
                let key = &rest[..rest.find('"').unwrap()];
                if !m.zh.contains_key(key) {
                    missing.push(format!("{}: {key}", path.display()));
                }
            }
        }
        assert!(missing.is_empty(), "missing keys: {missing:#?}");
    }
}

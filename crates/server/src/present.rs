//! How numbers and times read on a page: every time a person reads is Beijing time
//! `YYYY-MM-DD HH:MM` (the notice's deadlines are Beijing time, R-PLAN-1), and every
//! percentage is rounded half up to one decimal (2/7 is 28.6%, not 28.5%). Stored times stay
//! RFC 3339 UTC (`db::ts`); the JSON API keeps them machine-readable. Pages and exports call
//! these helpers; no page formats a time or a share by hand.

use chrono::{DateTime, Utc};
use chrono_tz::Asia::Shanghai;

/// An instant as Beijing time, to the minute: `2017-05-22 23:59`.
pub fn beijing(t: DateTime<Utc>) -> String {
    t.with_timezone(&Shanghai)
        .format("%Y-%m-%d %H:%M")
        .to_string()
}

/// A stored RFC 3339 time (`2017-05-22T15:59:59.000000Z`) as Beijing time to the minute; an
/// empty value stays empty, and a value that is not a time is shown as it is (never happens
/// for what the store writes, and a page must not fail on it).
pub fn beijing_text(stored: &str) -> String {
    if stored.trim().is_empty() {
        return String::new();
    }
    match DateTime::parse_from_rfc3339(stored.trim()) {
        Ok(t) => beijing(t.with_timezone(&Utc)),
        Err(_) => stored.to_string(),
    }
}

/// `part / whole` as a percentage rounded half up to one decimal, without a trailing `.0`:
/// 2/7 → `28.6%`, 1/8 → `12.5%`, 7/7 → `100%`, 0/5 → `0%`; nothing expected → `—`.
/// Integer arithmetic only.
pub fn percent(part: u64, whole: u64) -> String {
    if whole == 0 {
        return "—".to_string();
    }
    // Tenths of a percent, rounded half up: floor((part * 1000 * 2 + whole) / (2 * whole)).
    let p = u128::from(part);
    let w = u128::from(whole);
    let tenths = (p * 2000 + w) / (2 * w);
    if tenths % 10 == 0 {
        format!("{}%", tenths / 10)
    } else {
        format!("{}.{}%", tenths / 10, tenths % 10)
    }
}

/// A changed field as people read it (issue 10): `targets[0].target` → "目标 1 · 目标值",
/// `milestones[1]` → "里程碑 2", `notes` → "备注".
pub fn diff_field(t: &crate::i18n::T, field: &str) -> String {
    let label = |k: &str| {
        let key = format!("forms-diff-{k}");
        let l = t.t(&key);
        if l == key { k.to_string() } else { l }
    };
    let (head, tail) = match field.split_once('.') {
        Some((h, rest)) => (h, Some(rest)),
        None => (field, None),
    };
    let head = match head.split_once('[') {
        Some((name, rest)) => {
            let n = rest
                .trim_end_matches(']')
                .parse::<usize>()
                .map(|i| (i + 1).to_string())
                .unwrap_or_default();
            format!("{} {n}", label(name))
        }
        None => label(head),
    };
    match tail {
        Some(f) => format!("{head} · {}", label(f)),
        None => head,
    }
}

/// A whole row as the diff writes it (`metric=会员; target=11500`) with field labels.
pub fn diff_value(t: &crate::i18n::T, text: &str) -> String {
    if !text.contains('=') {
        return text.to_string();
    }
    text.split("; ")
        .map(|part| match part.split_once('=') {
            Some((k, v)) if k.chars().all(|c| c.is_ascii_lowercase() || c == '_') => {
                format!("{}：{v}", diff_field(t, k))
            }
            _ => part.to_string(),
        })
        .collect::<Vec<_>>()
        .join("；")
}

/// Sentences one after another (issue 10: never "。；"): a sentence that ends with its own
/// stop (`。`, `！`, `.`) is followed directly (English: by a space), others by "；".
pub fn sentences<I: IntoIterator<Item = String>>(items: I) -> String {
    let mut out = String::new();
    for item in items {
        let item = item.trim();
        if item.is_empty() {
            continue;
        }
        if !out.is_empty() {
            if out.ends_with('。') || out.ends_with('！') || out.ends_with('；') {
            } else if out.ends_with('.') {
                out.push(' ');
            } else {
                out.push('；');
            }
        }
        out.push_str(item);
    }
    out
}

#[cfg(test)]
mod tests {
    #[test]
    fn sentences_never_double_their_stops() {
        use super::sentences;
        let s = |v: &[&str]| sentences(v.iter().map(|x| x.to_string()));
        assert_eq!(
            s(&["会员增长不足。", "理事会超员。"]),
            "会员增长不足。理事会超员。"
        );
        assert_eq!(s(&["缺少章程", "缺少名单"]), "缺少章程；缺少名单");
        assert_eq!(s(&["Too few.", "Too many."]), "Too few. Too many.");
        assert_eq!(s(&["", "一。", " "]), "一。");
    }

    use super::*;
    use chrono::TimeZone;

    #[test]
    fn times_read_as_beijing_time_to_the_minute() {
        let t = Utc.with_ymd_and_hms(2017, 5, 22, 15, 59, 59).unwrap();
        assert_eq!(beijing(t), "2017-05-22 23:59");
        // Across midnight: 16:00 UTC is the next day in Beijing.
        let t = Utc.with_ymd_and_hms(2017, 5, 22, 16, 0, 0).unwrap();
        assert_eq!(beijing(t), "2017-05-23 00:00");
        assert_eq!(
            beijing_text("2026-12-01T21:20:19.623835Z"),
            "2026-12-02 05:20"
        );
        assert_eq!(
            beijing_text("2017-07-05T16:00:00+00:00"),
            "2017-07-06 00:00"
        );
        assert_eq!(beijing_text(""), "");
        assert_eq!(beijing_text("not a time"), "not a time");
    }

    #[test]
    fn percentages_round_half_up_to_one_decimal() {
        assert_eq!(percent(2, 7), "28.6%");
        assert_eq!(percent(1, 3), "33.3%");
        assert_eq!(percent(2, 3), "66.7%");
        assert_eq!(percent(1, 8), "12.5%");
        // 1/16 = 6.25% → 6.3% (half up).
        assert_eq!(percent(1, 16), "6.3%");
        // 1/1600 = 0.0625% → 0.1%; 1/2001 = 0.04997…% → 0%.
        assert_eq!(percent(1, 1600), "0.1%");
        assert_eq!(percent(1, 2001), "0%");
        assert_eq!(percent(7, 7), "100%");
        assert_eq!(percent(0, 5), "0%");
        assert_eq!(percent(3, 0), "—");
        assert_eq!(percent(u64::MAX, u64::MAX), "100%");
    }
}

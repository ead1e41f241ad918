//! Scores and money as integers (R-ASSESS-1, R-ASSESS-2): no floating point anywhere in an
//! outcome, a rank or a yuan.
//!
//! - [`Score`]: a decimal with at most two places, held as integer hundredths
//!   (`"87.25"` is `Score(8725)`). Parsing refuses a third place, an empty or malformed text,
//!   and magnitudes above [`Score::MAX`]; [`Score::parse_non_negative`] also refuses a sign.
//! - [`Yuan`]: whole yuan, `0..=`[`Yuan::MAX_VALUE`].
//! - [`Rounding`] and [`round_div`]: how an exact quotient becomes an integer (means of
//!   reviewer scores, proportional points), written down once and used everywhere.

use std::fmt;

use serde::{Deserialize, Deserializer, Serialize, Serializer};

/// A score with at most two decimal places, as integer hundredths (R-ASSESS-1).
///
/// Displayed without trailing zeros: `87.25`, `87.5`, `87`, `-3.5`, `0.05`.
/// Serialised as that text (a JSON string), never as a floating-point number.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default)]
pub struct Score(i64);

/// Why a text is not a [`Score`] or an integer is not a [`Yuan`].
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ScoreError {
    #[error("empty: give a number such as 87.25")]
    Empty,
    #[error("'{0}' is not a decimal number such as 87.25")]
    Malformed(String),
    #[error("'{0}' has more than two decimal places")]
    TooManyPlaces(String),
    #[error("'{0}' is negative; a negative value is not allowed here")]
    Negative(String),
    #[error("'{0}' is too large (at most {1})")]
    TooLarge(String, String),
}

impl ScoreError {
    /// The message in Chinese.
    pub fn message_zh(&self) -> String {
        match self {
            ScoreError::Empty => "未填写：请填写数字，如 87.25".to_owned(),
            ScoreError::Malformed(s) => format!("“{s}”不是有效的数字（应如 87.25）"),
            ScoreError::TooManyPlaces(s) => format!("“{s}”超过两位小数"),
            ScoreError::Negative(s) => format!("“{s}”为负数，此处不允许负数"),
            ScoreError::TooLarge(s, max) => format!("“{s}”过大（最大 {max}）"),
        }
    }

    /// The message in English (the same as `Display`).
    pub fn message_en(&self) -> String {
        self.to_string()
    }
}

impl Score {
    pub const ZERO: Score = Score(0);
    /// The largest magnitude, in hundredths: 10^15 - 1 (9,999,999,999,999.99 points). Sums of
    /// a million such scores, multiplied by a budget of up to [`Yuan::MAX_VALUE`], stay inside `i128`.
    pub const MAX_HUNDREDTHS: i64 = 999_999_999_999_999;
    pub const MAX: Score = Score(Self::MAX_HUNDREDTHS);

    /// The score of `h` hundredths, if within ±[`Score::MAX`].
    pub fn from_hundredths(h: i64) -> Option<Score> {
        (h.unsigned_abs() <= Self::MAX_HUNDREDTHS.unsigned_abs()).then_some(Score(h))
    }

    /// A whole number of points (`130` → `130`), if within range.
    pub fn from_points(points: i64) -> Option<Score> {
        points.checked_mul(100).and_then(Score::from_hundredths)
    }

    /// The value in hundredths.
    pub fn hundredths(self) -> i64 {
        self.0
    }

    pub fn is_negative(self) -> bool {
        self.0 < 0
    }

    /// Sum within range.
    pub fn checked_add(self, other: Score) -> Option<Score> {
        self.0.checked_add(other.0).and_then(Score::from_hundredths)
    }

    /// Difference within range.
    pub fn checked_sub(self, other: Score) -> Option<Score> {
        self.0.checked_sub(other.0).and_then(Score::from_hundredths)
    }

    /// `self × n`, within range.
    pub fn checked_mul_int(self, n: i64) -> Option<Score> {
        self.0.checked_mul(n).and_then(Score::from_hundredths)
    }

    /// Parse `87.25`, `87.5`, `87`, `-3` (surrounding ASCII blanks ignored). At most two
    /// decimal places; no exponent, no leading `+` or `.`, no trailing `.`.
    pub fn parse(text: &str) -> Result<Score, ScoreError> {
        let s = text.trim();
        if s.is_empty() {
            return Err(ScoreError::Empty);
        }
        let malformed = || ScoreError::Malformed(s.to_owned());
        let (negative, body) = match s.strip_prefix('-') {
            Some(rest) => (true, rest),
            None => (false, s),
        };
        let (int, frac) = match body.split_once('.') {
            Some((i, f)) => (i, Some(f)),
            None => (body, None),
        };
        if int.is_empty() || !int.bytes().all(|b| b.is_ascii_digit()) {
            return Err(malformed());
        }
        let frac = match frac {
            None => "",
            Some(f) if f.is_empty() || !f.bytes().all(|b| b.is_ascii_digit()) => {
                return Err(malformed());
            }
            Some(f) if f.len() > 2 => return Err(ScoreError::TooManyPlaces(s.to_owned())),
            Some(f) => f,
        };
        let too_large = || ScoreError::TooLarge(s.to_owned(), Score::MAX.to_string());
        // Leading zeros do not count towards the size.
        let digits = int.trim_start_matches('0');
        if digits.len() > 13 {
            return Err(too_large());
        }
        let whole: i64 = if digits.is_empty() {
            0
        } else {
            digits.parse().map_err(|_| too_large())?
        };
        let hundredths_part: i64 = match frac.len() {
            0 => 0,
            1 => i64::from(frac.as_bytes()[0] - b'0') * 10,
            _ => i64::from(frac.as_bytes()[0] - b'0') * 10 + i64::from(frac.as_bytes()[1] - b'0'),
        };
        let magnitude = whole
            .checked_mul(100)
            .and_then(|w| w.checked_add(hundredths_part))
            .filter(|m| *m <= Self::MAX_HUNDREDTHS)
            .ok_or_else(too_large)?;
        Ok(Score(if negative { -magnitude } else { magnitude }))
    }

    /// [`Score::parse`], refusing negative values (`-0` and `-0.00` are zero and accepted).
    pub fn parse_non_negative(text: &str) -> Result<Score, ScoreError> {
        let s = Score::parse(text)?;
        if s.is_negative() {
            return Err(ScoreError::Negative(text.trim().to_owned()));
        }
        Ok(s)
    }
}

impl fmt::Display for Score {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let sign = if self.0 < 0 { "-" } else { "" };
        let m = self.0.unsigned_abs();
        let (int, frac) = (m / 100, m % 100);
        if frac == 0 {
            write!(f, "{sign}{int}")
        } else if frac.is_multiple_of(10) {
            write!(f, "{sign}{int}.{}", frac / 10)
        } else {
            write!(f, "{sign}{int}.{frac:02}")
        }
    }
}

impl Serialize for Score {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

impl<'de> Deserialize<'de> for Score {
    /// From a string such as `"87.25"` (signed allowed; callers refuse negatives where they
    /// must). A JSON number is refused: a floating-point number is not an exact decimal.
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Score, D::Error> {
        let s = String::deserialize(d)?;
        Score::parse(&s).map_err(serde::de::Error::custom)
    }
}

/// Whole yuan (R-ASSESS-2): `0..=`[`Yuan::MAX_VALUE`]. Serialised as a JSON integer.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default, Serialize, Deserialize,
)]
#[serde(try_from = "u64", into = "u64")]
pub struct Yuan(u64);

impl Yuan {
    pub const ZERO: Yuan = Yuan(0);
    /// 10^15 yuan: far beyond any budget, and small enough that every product of the
    /// allocation fits in `i128`.
    pub const MAX_VALUE: u64 = 1_000_000_000_000_000;

    /// `n` yuan, if at most [`Yuan::MAX_VALUE`].
    pub fn new(n: u64) -> Option<Yuan> {
        (n <= Self::MAX_VALUE).then_some(Yuan(n))
    }

    pub fn get(self) -> u64 {
        self.0
    }

    pub fn checked_add(self, other: Yuan) -> Option<Yuan> {
        self.0.checked_add(other.0).and_then(Yuan::new)
    }

    pub fn checked_sub(self, other: Yuan) -> Option<Yuan> {
        self.0.checked_sub(other.0).map(Yuan)
    }

    /// With thousands separators, as on a page: `1,250,000`.
    pub fn grouped(self) -> String {
        grouped(i128::from(self.0))
    }
}

impl TryFrom<u64> for Yuan {
    type Error = ScoreError;

    fn try_from(n: u64) -> Result<Yuan, ScoreError> {
        Yuan::new(n)
            .ok_or_else(|| ScoreError::TooLarge(n.to_string(), Yuan(Yuan::MAX_VALUE).to_string()))
    }
}

impl From<Yuan> for u64 {
    fn from(y: Yuan) -> u64 {
        y.0
    }
}

impl fmt::Display for Yuan {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.0)
    }
}

/// An integer with thousands separators: `1234567` → `1,234,567`, `-1000` → `-1,000`.
pub fn grouped(n: i128) -> String {
    let digits = n.unsigned_abs().to_string();
    let mut out = String::with_capacity(digits.len() + digits.len() / 3 + 1);
    if n < 0 {
        out.push('-');
    }
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

/// A number of hundredths that may exceed [`Score::MAX`] (a sum of many scores), written like
/// a [`Score`]: `872550` → `8725.5`.
pub fn hundredths_text(h: i128) -> String {
    let sign = if h < 0 { "-" } else { "" };
    let m = h.unsigned_abs();
    let (int, frac) = (m / 100, m % 100);
    if frac == 0 {
        format!("{sign}{int}")
    } else if frac.is_multiple_of(10) {
        format!("{sign}{int}.{}", frac / 10)
    } else {
        format!("{sign}{int}.{frac:02}")
    }
}

/// How an exact quotient is turned into an integer (of hundredths, of yuan): the catalogue's
/// `[assessment] rounding` (R-ASSESS-1).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Rounding {
    /// Half away from zero: 0.005 → 0.01 (四舍五入), the default.
    #[default]
    HalfUp,
    /// Half to even (banker's rounding): 0.005 → 0, 0.015 → 0.02.
    HalfEven,
    /// Toward zero: 0.019 → 0.01.
    Down,
}

impl Rounding {
    pub fn as_str(self) -> &'static str {
        match self {
            Rounding::HalfUp => "half_up",
            Rounding::HalfEven => "half_even",
            Rounding::Down => "down",
        }
    }

    pub fn label_zh(self) -> &'static str {
        match self {
            Rounding::HalfUp => "四舍五入",
            Rounding::HalfEven => "四舍六入五成双",
            Rounding::Down => "截尾（舍去）",
        }
    }

    pub fn label_en(self) -> &'static str {
        match self {
            Rounding::HalfUp => "rounded half up",
            Rounding::HalfEven => "rounded half to even",
            Rounding::Down => "rounded down",
        }
    }
}

/// `n / d` rounded to an integer by `mode`; `None` when `d == 0`. A negative quotient is
/// rounded by its magnitude (so half up is half away from zero and down is toward zero).
pub fn round_div(n: i128, d: i128, mode: Rounding) -> Option<i128> {
    if d == 0 {
        return None;
    }
    let negative = (n < 0) != (d < 0);
    let (n, d) = (n.checked_abs()?, d.checked_abs()?);
    let (q, r) = (n / d, n % d);
    let up = match mode {
        Rounding::Down => false,
        // r/d >= 1/2  ⇔  2r >= d
        Rounding::HalfUp => r.checked_mul(2)? >= d,
        // r/d > 1/2, or exactly 1/2 and q odd.
        Rounding::HalfEven => {
            let twice = r.checked_mul(2)?;
            twice > d || (twice == d && q % 2 == 1)
        }
    };
    let m = if up { q.checked_add(1)? } else { q };
    Some(if negative { -m } else { m })
}

/// `points × num / den`, in hundredths, rounded by `mode` (R-ASSESS-1: proportional points of
/// an automatic indicator). `None` when `den == 0` or the result is out of range.
pub fn share_of(points: Score, num: i128, den: i128, mode: Rounding) -> Option<Score> {
    let n = i128::from(points.hundredths()).checked_mul(num)?;
    let h = round_div(n, den, mode)?;
    Score::from_hundredths(i64::try_from(h).ok()?)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn s(text: &str) -> Score {
        Score::parse(text).unwrap()
    }

    #[test]
    fn parse_and_format() {
        assert_eq!(s("87.25").hundredths(), 8725);
        assert_eq!(s("87.5").hundredths(), 8750);
        assert_eq!(s("87").hundredths(), 8700);
        assert_eq!(s("0.05").hundredths(), 5);
        assert_eq!(s("007.10").hundredths(), 710);
        assert_eq!(s(" 12.3 ").hundredths(), 1230);
        assert_eq!(s("-3.5").hundredths(), -350);
        assert_eq!(s("-0").hundredths(), 0);
        for (text, shown) in [
            ("87.25", "87.25"),
            ("87.50", "87.5"),
            ("87.00", "87"),
            ("0.05", "0.05"),
            ("0", "0"),
            ("-3.5", "-3.5"),
            ("-0.01", "-0.01"),
            ("130", "130"),
        ] {
            assert_eq!(s(text).to_string(), shown, "{text}");
        }
    }

    #[test]
    fn parse_refuses() {
        assert_eq!(Score::parse(""), Err(ScoreError::Empty));
        assert_eq!(Score::parse("  "), Err(ScoreError::Empty));
        for bad in [
            "8a", "87.", ".5", "+1", "1e3", "1,5", "--1", "1.2.3", "一", "NaN", "-", "- 1", "0x10",
        ] {
            assert!(
                matches!(Score::parse(bad), Err(ScoreError::Malformed(_))),
                "{bad}: {:?}",
                Score::parse(bad)
            );
        }
        assert_eq!(
            Score::parse("87.125"),
            Err(ScoreError::TooManyPlaces("87.125".into()))
        );
        // A third place is refused even when it is a zero: "at most two places" is literal.
        assert!(matches!(
            Score::parse("87.250"),
            Err(ScoreError::TooManyPlaces(_))
        ));
        assert!(matches!(
            Score::parse_non_negative("-0.01"),
            Err(ScoreError::Negative(_))
        ));
        assert_eq!(Score::parse_non_negative("-0.00"), Ok(Score::ZERO));
    }

    #[test]
    fn overflow_is_refused() {
        assert_eq!(s("9999999999999.99"), Score::MAX);
        assert_eq!(s("-9999999999999.99").hundredths(), -Score::MAX_HUNDREDTHS);
        assert!(matches!(
            Score::parse("10000000000000"),
            Err(ScoreError::TooLarge(..))
        ));
        assert!(matches!(
            Score::parse("99999999999999999999999999"),
            Err(ScoreError::TooLarge(..))
        ));
        assert_eq!(s("0000000000000000000001").hundredths(), 100);
        assert_eq!(Score::from_points(i64::MAX), None);
        assert_eq!(Score::MAX.checked_add(s("0.01")), None);
        assert_eq!(Score::from_hundredths(Score::MAX_HUNDREDTHS + 1), None);
    }

    #[test]
    fn messages_in_both_languages() {
        let e = Score::parse("1.234").unwrap_err();
        assert!(e.message_zh().contains("两位小数"));
        assert!(e.message_en().contains("two decimal places"));
    }

    #[test]
    fn serde_is_text() {
        assert_eq!(serde_json::to_string(&s("87.5")).unwrap(), "\"87.5\"");
        let v: Score = serde_json::from_str("\"87.25\"").unwrap();
        assert_eq!(v.hundredths(), 8725);
        assert!(serde_json::from_str::<Score>("87.25").is_err());
        assert!(serde_json::from_str::<Score>("\"87.255\"").is_err());
    }

    #[test]
    fn yuan_bounds() {
        assert_eq!(Yuan::new(Yuan::MAX_VALUE).unwrap().get(), Yuan::MAX_VALUE);
        assert_eq!(Yuan::new(Yuan::MAX_VALUE + 1), None);
        assert!(serde_json::from_str::<Yuan>("1000000000000001").is_err());
        assert!(serde_json::from_str::<Yuan>("-1").is_err());
        assert!(serde_json::from_str::<Yuan>("1.5").is_err());
        assert_eq!(
            serde_json::from_str::<Yuan>("1250000").unwrap().grouped(),
            "1,250,000"
        );
    }

    #[test]
    fn rounding_modes() {
        use Rounding::*;
        // 1/200 = 0.005 of a unit… in hundredths: n/d with remainder exactly half.
        assert_eq!(round_div(5, 10, HalfUp), Some(1));
        assert_eq!(round_div(5, 10, HalfEven), Some(0));
        assert_eq!(round_div(15, 10, HalfEven), Some(2));
        assert_eq!(round_div(25, 10, HalfEven), Some(2));
        assert_eq!(round_div(19, 10, Down), Some(1));
        assert_eq!(round_div(14, 10, HalfUp), Some(1));
        assert_eq!(round_div(-15, 10, HalfUp), Some(-2));
        assert_eq!(round_div(-19, 10, Down), Some(-1));
        assert_eq!(round_div(1, 0, HalfUp), None);
        assert_eq!(round_div(7, 7, HalfUp), Some(1));
        // 150 points × 7/8 = 131.25 exactly; × 2/3 = 100 exactly; 10 × 1/3 = 3.333… → 3.33.
        assert_eq!(share_of(s("150"), 7, 8, HalfUp), Some(s("131.25")));
        assert_eq!(share_of(s("150"), 2, 3, HalfUp), Some(s("100")));
        assert_eq!(share_of(s("10"), 1, 3, HalfUp), Some(s("3.33")));
        assert_eq!(share_of(s("10"), 2, 3, HalfUp), Some(s("6.67")));
        assert_eq!(share_of(s("10"), 2, 3, Down), Some(s("6.66")));
        // 0.125 points = 12.5 hundredths: half up 13, half even 12.
        assert_eq!(share_of(s("1"), 1, 8, HalfUp), Some(s("0.13")));
        assert_eq!(share_of(s("1"), 1, 8, HalfEven), Some(s("0.12")));
    }
}

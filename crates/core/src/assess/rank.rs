//! Rankings (R-ASSESS-3): overall and within peer groups. Ties share a rank (competition
//! ranking: 1, 2, 2, 4); tied societies are listed by code for display.

use serde::Serialize;

use super::config::{AssessmentRules, PeerGroupKind};
use super::score::Score;

/// One line of a ranking.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct RankEntry {
    pub code: String,
    pub score: Score,
    pub rank: u32,
}

/// Rank `(code, score)` pairs: score descending, ties share the best rank, listed by code.
pub fn rank(mut items: Vec<(String, Score)>) -> Vec<RankEntry> {
    items.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
    let mut out: Vec<RankEntry> = Vec::with_capacity(items.len());
    for (i, (code, score)) in items.into_iter().enumerate() {
        let rank = match out.last() {
            Some(prev) if prev.score == score => prev.rank,
            _ => u32::try_from(i + 1).unwrap_or(u32::MAX),
        };
        out.push(RankEntry { code, score, rank });
    }
    out
}

/// The ranking within one peer group.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct GroupRanking {
    pub kind: PeerGroupKind,
    /// The group: the discipline group as given, or the membership band's index (`"0"`,
    /// `"1"`, …; `"unknown"` when the membership is not known).
    pub key: String,
    pub label_zh: String,
    pub label_en: String,
    pub entries: Vec<RankEntry>,
}

/// A society's peer group of `kind`: (key, label zh, label en, sort key).
pub fn peer_group(
    rules: &AssessmentRules,
    kind: PeerGroupKind,
    discipline_group: &str,
    members: Option<i64>,
) -> (String, String, String, (usize, String)) {
    match kind {
        PeerGroupKind::DisciplineGroup => (
            discipline_group.to_owned(),
            discipline_group.to_owned(),
            discipline_group.to_owned(),
            (0, discipline_group.to_owned()),
        ),
        PeerGroupKind::MembershipBand => match members {
            Some(m) => {
                let band = rules.membership_band(m);
                let (zh, en) = rules.membership_band_label(band);
                (band.to_string(), zh, en, (band, String::new()))
            }
            None => (
                "unknown".to_owned(),
                "个人会员数未知".to_owned(),
                "individual membership unknown".to_owned(),
                (usize::MAX, String::new()),
            ),
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn s(t: &str) -> Score {
        Score::parse(t).unwrap()
    }

    #[test]
    fn ties_share_a_rank_and_list_by_code() {
        let r = rank(vec![
            ("C-01".into(), s("80")),
            ("B-02".into(), s("92.5")),
            ("A-09".into(), s("80")),
            ("A-01".into(), s("92.5")),
            ("D-01".into(), s("79.99")),
        ]);
        let got: Vec<(&str, u32)> = r.iter().map(|e| (e.code.as_str(), e.rank)).collect();
        assert_eq!(
            got,
            [
                ("A-01", 1),
                ("B-02", 1),
                ("A-09", 3),
                ("C-01", 3),
                ("D-01", 5)
            ]
        );
        assert!(rank(Vec::new()).is_empty());
    }
}

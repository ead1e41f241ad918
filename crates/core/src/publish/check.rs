//! A bulletin's internal consistency (R-PUB-2): everything that follows arithmetically from
//! its rows is recomputed and compared, so that a changed figure shows even without the
//! published hash.
//!
//! Only arithmetic is checked (sums, rounding, shares, ranks, who the lagging rule catches),
//! never wording: a published bulletin is frozen, and a later release that words a legend or
//! a reason differently must still verify every bulletin published before it. Anything that
//! changes what [`super::build`] computes for format 1 needs a new [`BULLETIN_FORMAT`], and
//! this check must keep accepting format 1.

use std::collections::{BTreeMap, BTreeSet};

use super::build::{
    band_list, group_rows, lagging_order, lagging_why, peer_order, peer_ranks, rate_summary,
    summarise, task_summary,
};
use super::config::{MembershipBand, PublicationRules};
use super::model::{
    BULLETIN_FORMAT, Bulletin, GroupSummary, LaggingWhy, SocietyRow, TargetProgress,
};
use crate::tracking::RateCell;

/// The catalogue rules a bulletin states it was made with.
fn rules_of(b: &Bulletin) -> PublicationRules {
    PublicationRules {
        peer_group: b.rules.peer_group.clone(),
        membership_bands: b
            .rules
            .membership_bands
            .iter()
            .map(|d| MembershipBand {
                id: d.id.clone(),
                min: d.min,
                min_inclusive: d.min_inclusive,
                max: d.max,
                max_inclusive: d.max_inclusive,
                label_zh: d.label_zh.clone(),
                label_en: d.label_en.clone(),
            })
            .collect(),
        show_member_count: b.rules.show_member_count,
        lagging: b.rules.lagging.clone(),
    }
}

fn same(
    what: &str,
    stated: &GroupSummary,
    rows: &[&SocietyRow],
    listed: &BTreeSet<&str>,
) -> Result<(), String> {
    let again = summarise(&stated.key, &stated.name_zh, &stated.name_en, rows, listed);
    if &again != stated {
        return Err(format!(
            "{what} '{}' does not add up from its societies' rows",
            stated.key
        ));
    }
    Ok(())
}

/// `Ok` when the bulletin agrees with itself; otherwise the first contradiction found.
pub(crate) fn consistency(b: &Bulletin) -> Result<(), String> {
    if b.format != BULLETIN_FORMAT {
        return Err(format!("format {} is not {BULLETIN_FORMAT}", b.format));
    }
    if b.number == 0 {
        return Err("number 0".to_owned());
    }
    if (b.number == 1) != b.prev_sha256.is_none() {
        return Err("prev_sha256 must be null exactly for number 1".to_owned());
    }
    if !(1..=12).contains(&b.month) {
        return Err(format!("month {} is not 1..=12", b.month));
    }
    if b.corrects.windows(2).any(|w| w[0] >= w[1])
        || b.corrects.iter().any(|n| *n == 0 || *n >= b.number)
    {
        return Err("corrects must list earlier numbers in ascending order".to_owned());
    }
    let noted = |n: &Option<String>| n.as_deref().is_some_and(|s| !s.trim().is_empty());
    let notes = match (&b.correction_note_zh, &b.correction_note_en) {
        (None, None) => Some(false),
        (zh, en) if noted(zh) && noted(en) => Some(true),
        _ => None,
    };
    if notes != Some(!b.corrects.is_empty()) {
        return Err("a correction needs both notes, and notes need a correction".to_owned());
    }
    if b.compared_with.is_some_and(|n| n == 0 || n >= b.number) {
        return Err("compared_with must be an earlier number".to_owned());
    }

    let rules = rules_of(b);

    // Rows.
    let rows = &b.societies;
    for w in rows.windows(2) {
        if (w[0].discipline_group.as_str(), w[0].code.as_str())
            >= (w[1].discipline_group.as_str(), w[1].code.as_str())
        {
            return Err(format!(
                "societies are not ordered by group and code (or repeat) at {}",
                w[1].code
            ));
        }
    }
    for r in rows {
        let cell = RateCell {
            expected: r.reports.expected,
            received: r.reports.received,
            on_time: r.reports.on_time,
        };
        if cell.on_time > cell.received || cell.received > cell.expected {
            return Err(format!("society {}: reports do not add up", r.code));
        }
        if rate_summary(cell) != r.reports {
            return Err(format!(
                "society {}: rates are not rounded from its counts",
                r.code
            ));
        }
        let sum = r
            .tasks
            .iter()
            .fold(TargetProgress::default(), |acc, t| acc.plus(t.targets));
        if sum != r.targets {
            return Err(format!(
                "society {}: targets are not the sum of its tasks",
                r.code
            ));
        }
        if r.members.is_some() && !rules.show_member_count {
            return Err(format!(
                "society {}: a member count is shown although the rules say not",
                r.code
            ));
        }
        if rules.membership_bands.is_empty() != r.membership_band.is_none() {
            return Err(format!(
                "society {}: membership band does not match the rules",
                r.code
            ));
        }
        if let (Some(m), Some(band)) = (r.members, r.membership_band.as_deref()) {
            let want = rules.band_of(m).map_or("unknown", |x| x.id.as_str());
            if want != band {
                return Err(format!(
                    "society {}: {m} members are not in band {band}",
                    r.code
                ));
            }
        }
        if r.tasks
            .iter()
            .any(|t| !b.tasks.iter().any(|s| s.number == t.task))
        {
            return Err(format!("society {}: a task not in the catalogue", r.code));
        }
    }
    let ranks = peer_ranks(rows);
    if let Some(r) = rows.iter().zip(&ranks).find(|(r, k)| r.peer_rank != **k) {
        return Err(format!(
            "society {}: peer rank is not its rank in its peer group",
            r.0.code
        ));
    }

    // Lagging list: exactly the societies the rule catches, with the rule's reasons.
    let by_code: BTreeMap<&str, &SocietyRow> = rows.iter().map(|r| (r.code.as_str(), r)).collect();
    let mut listed: BTreeSet<&str> = BTreeSet::new();
    for l in &b.lagging {
        if !listed.insert(l.code.as_str()) {
            return Err(format!("lagging list: {} listed twice", l.code));
        }
        let Some(r) = by_code.get(l.code.as_str()) else {
            return Err(format!("lagging list: no society {}", l.code));
        };
        if l.name_zh != r.name_zh
            || l.name_en != r.name_en
            || l.peer_group != r.peer_group
            || l.peer_rank != r.peer_rank
        {
            return Err(format!("lagging list: {} does not match its row", l.code));
        }
        let codes =
            |w: &[LaggingWhy]| -> Vec<String> { w.iter().map(|x| x.code.clone()).collect() };
        if codes(&l.why) != codes(&lagging_why(&rules, r)) || r.targets.all_met() {
            return Err(format!(
                "lagging list: {} is not caught by the rule as stated",
                l.code
            ));
        }
        if l.appearance == 0 {
            return Err(format!("lagging list: {} appears for the 0th time", l.code));
        }
    }
    if let Some(r) = rows.iter().find(|r| {
        !listed.contains(r.code.as_str())
            && !lagging_why(&rules, r).is_empty()
            && !r.targets.all_met()
    }) {
        return Err(format!(
            "society {} is caught by the lagging rule but not listed",
            r.code
        ));
    }
    let order = peer_order(&rules, rows);
    let mut sorted = b.lagging.clone();
    sorted.sort_by(|x, y| lagging_order(&order, x, y));
    if sorted != b.lagging {
        return Err("the lagging list is not in its documented order".to_owned());
    }

    // Summaries.
    let groups: Vec<&str> = {
        let set: BTreeSet<&str> = rows.iter().map(|r| r.discipline_group.as_str()).collect();
        set.into_iter().collect()
    };
    let stated: Vec<&str> = b.discipline_groups.iter().map(|g| g.key.as_str()).collect();
    if stated != groups {
        return Err("the discipline groups are not those of the societies".to_owned());
    }
    let by_group = group_rows(rows, |r| Some(r.discipline_group.as_str()));
    for g in &b.discipline_groups {
        let members = by_group.get(g.key.as_str()).map_or(&[][..], Vec::as_slice);
        same("discipline group", g, members, &listed)?;
    }
    let by_band = group_rows(rows, |r| r.membership_band.as_deref());
    let bands: Vec<String> = band_list(&rules)
        .into_iter()
        .map(|(id, _, _)| id)
        .filter(|id| by_band.contains_key(id.as_str()))
        .collect();
    let stated: Vec<&str> = b.membership_bands.iter().map(|g| g.key.as_str()).collect();
    if stated != bands.iter().map(String::as_str).collect::<Vec<_>>() {
        return Err("the membership bands are not those of the societies".to_owned());
    }
    for g in &b.membership_bands {
        let members = by_band.get(g.key.as_str()).map_or(&[][..], Vec::as_slice);
        same("membership band", g, members, &listed)?;
    }
    let stated: Vec<&str> = b.peer_groups.iter().map(|g| g.key.as_str()).collect();
    if stated != order.iter().map(String::as_str).collect::<Vec<_>>() {
        return Err("the peer groups are not those of the societies, in order".to_owned());
    }
    let by_peer = group_rows(rows, |r| Some(r.peer_group.as_str()));
    for g in &b.peer_groups {
        let members = by_peer.get(g.key.as_str()).map_or(&[][..], Vec::as_slice);
        same("peer group", g, members, &listed)?;
    }
    let all: Vec<&SocietyRow> = rows.iter().collect();
    if b.overall.key != "all"
        || b.overall.name_zh != "全部学会"
        || b.overall.name_en != "All societies"
    {
        return Err("the overall summary is mislabelled".to_owned());
    }
    same("overall", &b.overall, &all, &listed)?;

    for t in &b.tasks {
        let again = task_summary(t.number, t.class, &t.title_zh, &t.title_en, rows);
        if &again != t {
            return Err(format!(
                "task {}: its figures do not add up from the societies' cells",
                t.number
            ));
        }
    }
    Ok(())
}

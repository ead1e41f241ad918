//! Making a bulletin from the public input and the chain of earlier bulletins (R-PUB-1,
//! R-PUB-2). The rules are written out in [`build`]'s documentation.

use std::collections::{BTreeMap, BTreeSet};
use std::fmt;

use chrono::{NaiveDate, TimeZone, Utc};

use super::canonical::{Header, StoredBulletin, check_chain, parse};
use super::config::{PeerDimension, PublicationRules};
use super::input::{PublicInput, PublicSociety};
use super::model::{
    BULLETIN_FORMAT, BandDef, Bulletin, Change, ColourCounts, ColourLegend, ColourShares, Delta,
    Direction, GroupSummary, LaggingEntry, LaggingWhy, Legend, PlanStatusLegend, PublicPlanStatus,
    PublishedRules, RateSummary, Ratio, Sha256Hex, SocietyRow, TargetProgress, TaskCell,
    TaskSummary, UtcSecond, colour_symbol,
};
use super::round::{delta_words, ratio, shares};
use crate::catalogue::{Catalogue, TaskClass};
use crate::tracking::{Colour, Month, RateCell, percent_text};

/// Why a bulletin cannot be made: the field concerned and what is wrong, in both languages.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BuildError {
    /// E.g. `month`, `correction.corrects`, `societies[3].code`, `chain`.
    pub field: String,
    pub message_zh: String,
    pub message_en: String,
}

impl fmt::Display for BuildError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.field, self.message_en)
    }
}

impl std::error::Error for BuildError {}

fn fail(field: impl Into<String>, zh: String, en: String) -> BuildError {
    BuildError {
        field: field.into(),
        message_zh: zh,
        message_en: en,
    }
}

const MONTHS_EN: [&str; 12] = [
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
];

/// `第2次` / `2nd time`.
fn appearance_words(k: u32) -> (String, String) {
    let suffix = match (k % 10, k % 100) {
        (_, 11..=13) => "th",
        (1, _) => "st",
        (2, _) => "nd",
        (3, _) => "rd",
        _ => "th",
    };
    (format!("第{k}次"), format!("{k}{suffix} time"))
}

/// Make bulletin 第N期 (R-PUB-1, R-PUB-2). Pure: the same catalogue, input and chain give the
/// same bulletin, byte for byte once written canonically.
///
/// - **Chain**: `chain` is every bulletin published so far, in number order, as stored.
///   Nobody publishes on a broken chain: numbers without gaps, each one's bytes hashing to
///   its recorded hash, each one linking to the previous recorded hash — what detects any
///   change to a stored bulletin. (The earlier bulletins are read without their rows, but for
///   the one compared with; [`super::verify_chain`] also checks canonical form and
///   consistency.) The new number is `chain.len() + 1`, `prev_sha256` the last stored hash
///   (`null` for 第1期).
///   `published_at` may not be before the last bulletin's, nor before its month begins.
/// - **Correction**: `corrects` lists earlier numbers (each once), with a note in both
///   languages. A bulletin named in any `corrects` (of an earlier bulletin or this one) is
///   *superseded*.
/// - **Rows**: one per society, ordered by discipline group id, then code. Its rates are its
///   reporting cell rounded as [`super::ratio`] says; its targets are the sums over its
///   tasks. A society without an accepted plan is expected nothing (its cell must be empty).
/// - **Membership band**: the first band of the catalogue containing its member count;
///   `unknown` without a count (or when no band contains it); none when the catalogue has
///   no bands. The raw count is copied only when `show_member_count` is true.
/// - **Peer group**: the society's values of the catalogue's `peer_group` dimensions (ids
///   joined by `/`, names by ` · `; `all` when there are none). Peer groups are ordered by
///   discipline group id, then band order (`unknown` last).
/// - **Rank** within the peer group (compare only within peer groups): grey societies are
///   not ranked; the others by colour (green, then yellow, then red), then published
///   timeliness (higher first, none last), then published reporting rate (same); equal keys
///   share a rank and the next rank skips (1, 2, 2, 4).
/// - **Lagging list**: the catalogue's lagging rule ([`super::LaggingRule`]) on the
///   published figures; a society that met its targets (at least one, all met) is never
///   listed. Its *appearance* is 1 + the number of earlier months of the same year whose
///   bulletin listed it, where each month counts once, by its latest bulletin that is not
///   superseded (a month whose only bulletins are superseded does not count). Ordered by
///   peer group, then from the bottom of the ranking, then code.
/// - **Change**: against `compared_with`, the latest earlier bulletin of the same year, for a
///   month not after this one's, that is not superseded (none: no change is given). Colour:
///   better / worse / same, not comparable when grey then or now, new when the society was
///   not in it; rates: the difference of the published per-mille.
/// - **Summaries**: per discipline group, per membership band (bands order, `unknown` last,
///   only the bands that have societies), per peer group, and overall: counts add up from
///   the rows, rates come from the summed counts, colour shares by largest remainder.
/// - **Tasks**: every catalogue task: how many societies planned it and their cells'
///   colours.
pub fn build(
    catalogue: &Catalogue,
    input: &PublicInput,
    chain: &[StoredBulletin],
) -> Result<Bulletin, BuildError> {
    let earlier = check_chain(chain).map_err(|e| {
        fail(
            "chain",
            format!("已发布的通报链校验失败，不能发布新一期：{}", e.message_zh()),
            format!("the published bulletins do not verify, so none can be added: {e}"),
        )
    })?;
    let number = u32::try_from(chain.len())
        .ok()
        .and_then(|n| n.checked_add(1))
        .ok_or_else(|| {
            fail(
                "chain",
                "通报期数超出范围。".to_owned(),
                "too many bulletins".to_owned(),
            )
        })?;
    let prev_sha256 = match chain.last() {
        Some(s) => Some(Sha256Hex::parse(&s.sha256).ok_or_else(|| {
            fail(
                "chain",
                "上一期的哈希值格式错误。".to_owned(),
                "the previous bulletin's hash is malformed".to_owned(),
            )
        })?),
        None => None,
    };

    let month = check_month(catalogue, input)?;
    let published_at = UtcSecond::new(input.published_at);
    if let Some(last) = earlier.last()
        && published_at < last.published_at
    {
        return Err(fail(
            "published_at",
            format!(
                "发布时间 {published_at} 早于第{}期的发布时间 {}。",
                last.number, last.published_at
            ),
            format!(
                "publication time {published_at} is before bulletin No. {}'s ({})",
                last.number, last.published_at
            ),
        ));
    }
    let starts = month_start(catalogue, month);
    if published_at.get() < starts {
        return Err(fail(
            "published_at",
            format!("{}的通报不能在该月开始之前发布。", month.label_zh()),
            format!("a bulletin for {month} cannot be published before that month begins"),
        ));
    }

    let (corrects, note_zh, note_en) = check_correction(input, number)?;
    check_societies(catalogue, &input.societies)?;

    // Superseded bulletins: named in a `corrects` of an earlier bulletin or of this one.
    let mut superseded: BTreeSet<u32> = earlier.iter().flat_map(|b| b.corrects.clone()).collect();
    superseded.extend(corrects.iter().copied());
    let same_year: Vec<&Header> = earlier
        .iter()
        .filter(|b| b.year == month.year && !superseded.contains(&b.number))
        .collect();
    let compared = same_year
        .iter()
        .filter(|b| b.month <= month.month)
        .max_by_key(|b| b.number)
        .copied();
    // Per earlier month of the year, its latest bulletin that is not superseded.
    let mut per_month: BTreeMap<u32, &Header> = BTreeMap::new();
    for b in same_year.iter().filter(|b| b.month < month.month) {
        let slot = per_month.entry(b.month).or_insert(b);
        if b.number > slot.number {
            *slot = b;
        }
    }

    let rules = &catalogue.publication;
    let groups = group_names(&input.societies);
    // The bulletin compared with, read in full (the chain check read only headers).
    let compared_bulletin: Option<Bulletin> = match compared {
        None => None,
        Some(h) => {
            let stored = usize::try_from(h.number.saturating_sub(1))
                .ok()
                .and_then(|i| chain.get(i));
            let read = stored.map(|s| parse(&s.bytes));
            match read {
                Some(Ok(b)) => Some(b),
                _ => {
                    return Err(fail(
                        "chain",
                        format!("第{}期无法读取。", h.number),
                        format!("bulletin {} cannot be read", h.number),
                    ));
                }
            }
        }
    };
    let before: Option<BTreeMap<&str, &SocietyRow>> = compared_bulletin
        .as_ref()
        .map(|b| b.societies.iter().map(|r| (r.code.as_str(), r)).collect());
    let mut rows: Vec<SocietyRow> = input
        .societies
        .iter()
        .map(|s| row(rules, s, before.as_ref()))
        .collect();
    rows.sort_by(|a, b| {
        (a.discipline_group.as_str(), a.code.as_str())
            .cmp(&(b.discipline_group.as_str(), b.code.as_str()))
    });
    let ranks = peer_ranks(&rows);
    for (r, rank) in rows.iter_mut().zip(ranks) {
        r.peer_rank = rank;
    }

    let peer_order = peer_order(rules, &rows);
    // How many earlier months listed each society.
    let mut listed_before: BTreeMap<&str, u32> = BTreeMap::new();
    for b in per_month.values() {
        for l in &b.lagging {
            let n = listed_before.entry(l.code.as_str()).or_insert(0);
            *n = n.saturating_add(1);
        }
    }
    let mut lagging: Vec<LaggingEntry> = rows
        .iter()
        .filter_map(|r| {
            let why = lagging_why(rules, r);
            if why.is_empty() || r.targets.all_met() {
                return None;
            }
            let before = listed_before.get(r.code.as_str()).copied().unwrap_or(0);
            let appearance = before.saturating_add(1);
            let (appearance_zh, appearance_en) = appearance_words(appearance);
            Some(LaggingEntry {
                code: r.code.clone(),
                name_zh: r.name_zh.clone(),
                name_en: r.name_en.clone(),
                peer_group: r.peer_group.clone(),
                peer_rank: r.peer_rank,
                why,
                appearance,
                appearance_zh,
                appearance_en,
            })
        })
        .collect();
    lagging.sort_by(|a, b| lagging_order(&peer_order, a, b));
    let listed: BTreeSet<&str> = lagging.iter().map(|l| l.code.as_str()).collect();

    let by_group = group_rows(&rows, |r| Some(r.discipline_group.as_str()));
    let by_band = group_rows(&rows, |r| r.membership_band.as_deref());
    let by_peer = group_rows(&rows, |r| Some(r.peer_group.as_str()));
    let discipline_groups: Vec<GroupSummary> = groups
        .iter()
        .map(|(id, (zh, en))| {
            let members = by_group.get(id.as_str()).map_or(&[][..], Vec::as_slice);
            summarise(id, zh, en, members, &listed)
        })
        .collect();
    let membership_bands: Vec<GroupSummary> = band_list(rules)
        .into_iter()
        .filter_map(|(id, zh, en)| {
            let members = by_band.get(id.as_str())?;
            Some(summarise(&id, &zh, &en, members, &listed))
        })
        .collect();
    let peer_groups: Vec<GroupSummary> = peer_order
        .iter()
        .map(|key| {
            let members = by_peer.get(key.as_str()).map_or(&[][..], Vec::as_slice);
            let (zh, en) = peer_names(rules, key, &groups);
            summarise(key, &zh, &en, members, &listed)
        })
        .collect();
    let all: Vec<&SocietyRow> = rows.iter().collect();
    let overall = summarise("all", "全部学会", "All societies", &all, &listed);
    let tasks = catalogue
        .tasks
        .iter()
        .map(|t| task_summary(t.number, t.class, &t.title_zh, &t.title_en, &rows))
        .collect();

    let m = usize::try_from(month.month.saturating_sub(1)).unwrap_or(0);
    Ok(Bulletin {
        format: BULLETIN_FORMAT,
        number,
        year: month.year,
        month: month.month,
        title_zh: format!(
            "学会改革动态监测通报 第{number}期（{}年{}月）",
            month.year, month.month
        ),
        title_en: format!(
            "Society Reform Monitoring Bulletin No. {number} ({} {})",
            MONTHS_EN.get(m).copied().unwrap_or(""),
            month.year
        ),
        published_at,
        prev_sha256,
        audit_head: input.audit_head.clone(),
        corrects,
        correction_note_zh: note_zh,
        correction_note_en: note_en,
        compared_with: compared.map(|b| b.number),
        rules: published_rules(rules),
        legend: legend(),
        tasks,
        societies: rows,
        discipline_groups,
        membership_bands,
        peer_groups,
        overall,
        lagging,
    })
}

fn check_month(catalogue: &Catalogue, input: &PublicInput) -> Result<Month, BuildError> {
    let m = input.month;
    if !m.is_valid() || m.year != catalogue.year {
        return Err(fail(
            "month",
            format!(
                "通报月份须为{}年1—12月，收到 {}年{}月。",
                catalogue.year, m.year, m.month
            ),
            format!(
                "the month must be one of 1..=12 of {}, got {m}",
                catalogue.year
            ),
        ));
    }
    Ok(m)
}

/// 00:00 of the month's first day in the catalogue time zone.
fn month_start(catalogue: &Catalogue, m: Month) -> chrono::DateTime<Utc> {
    NaiveDate::from_ymd_opt(m.year, m.month, 1)
        .and_then(|d| d.and_hms_opt(0, 0, 0))
        .and_then(|t| catalogue.timezone.from_local_datetime(&t).earliest())
        .map_or(chrono::DateTime::<Utc>::MIN_UTC, |t| t.with_timezone(&Utc))
}

type CorrectionParts = (Vec<u32>, Option<String>, Option<String>);

fn check_correction(input: &PublicInput, number: u32) -> Result<CorrectionParts, BuildError> {
    let Some(c) = &input.correction else {
        return Ok((Vec::new(), None, None));
    };
    if c.corrects.is_empty() {
        return Err(fail(
            "correction.corrects",
            "更正通报须列明所更正的期数。".to_owned(),
            "a correction must name the bulletins it corrects".to_owned(),
        ));
    }
    let mut seen = BTreeSet::new();
    for n in &c.corrects {
        if *n == 0 || *n >= number {
            return Err(fail(
                "correction.corrects",
                format!("第{n}期不是已发布的通报（已发布第1—{}期）。", number - 1),
                format!(
                    "No. {n} is not a published bulletin (published: 1..={})",
                    number - 1
                ),
            ));
        }
        if !seen.insert(*n) {
            return Err(fail(
                "correction.corrects",
                format!("第{n}期重复列出。"),
                format!("No. {n} is listed twice"),
            ));
        }
    }
    let zh = c.note_zh.trim();
    let en = c.note_en.trim();
    if zh.is_empty() {
        return Err(fail(
            "correction.note_zh",
            "请填写更正说明（中文）。".to_owned(),
            "give the reason for the correction in Chinese".to_owned(),
        ));
    }
    if en.is_empty() {
        return Err(fail(
            "correction.note_en",
            "请填写更正说明（英文）。".to_owned(),
            "give the reason for the correction in English".to_owned(),
        ));
    }
    Ok((
        seen.into_iter().collect(),
        Some(zh.to_owned()),
        Some(en.to_owned()),
    ))
}

fn check_societies(catalogue: &Catalogue, societies: &[PublicSociety]) -> Result<(), BuildError> {
    if societies.is_empty() {
        return Err(fail(
            "societies",
            "没有学会，不能发布通报。".to_owned(),
            "there are no societies to publish".to_owned(),
        ));
    }
    let mut codes = BTreeSet::new();
    let mut groups: BTreeMap<&str, (&str, &str)> = BTreeMap::new();
    for (i, s) in societies.iter().enumerate() {
        let at = |f: &str| format!("societies[{i}].{f}");
        let bad = |f: &str, zh: String, en: String| Err(fail(at(f), zh, en));
        if s.code.trim().is_empty() || s.code.trim() != s.code {
            return bad(
                "code",
                format!("第 {} 个学会的代码为空或含首尾空格。", i + 1),
                format!("society {} has an empty or padded code", i + 1),
            );
        }
        if !codes.insert(s.code.as_str()) {
            return bad(
                "code",
                format!("学会代码 {} 重复。", s.code),
                format!("society code {} appears twice", s.code),
            );
        }
        if s.name_zh.trim().is_empty() {
            return bad(
                "name_zh",
                format!("学会 {} 没有名称。", s.code),
                format!("society {} has no name", s.code),
            );
        }
        if s.group.id.trim().is_empty()
            || s.group.id == "all"
            || s.group.id.contains('/')
            || s.group.name_zh.trim().is_empty()
            || s.group.name_en.trim().is_empty()
        {
            return bad(
                "group",
                format!("学会 {} 的学科群不完整。", s.code),
                format!(
                    "society {}: the discipline group needs an id (not 'all', no '/') and both names",
                    s.code
                ),
            );
        }
        let names = (s.group.name_zh.as_str(), s.group.name_en.as_str());
        if *groups.entry(s.group.id.as_str()).or_insert(names) != names {
            return bad(
                "group",
                format!("学科群 {} 的名称前后不一致。", s.group.id),
                format!(
                    "discipline group {} is given two different names",
                    s.group.id
                ),
            );
        }
        if s.members.is_some_and(|m| m < 0) {
            return bad(
                "members",
                format!("学会 {} 的会员数为负数。", s.code),
                format!("society {}: negative member count", s.code),
            );
        }
        let r = s.reports;
        if r.on_time > r.received || r.received > r.expected {
            return bad(
                "reports",
                format!("学会 {} 的报送数不合理（按时 ≤ 已报 ≤ 应报）。", s.code),
                format!(
                    "society {}: reports must satisfy on time <= received <= expected",
                    s.code
                ),
            );
        }
        if s.plan != PublicPlanStatus::Accepted && r != RateCell::default() {
            return bad(
                "reports",
                format!("学会 {} 尚无已通过的方案，不应有应报月报。", s.code),
                format!(
                    "society {}: without an accepted plan no report is expected",
                    s.code
                ),
            );
        }
        let mut tasks = BTreeSet::new();
        for t in &s.status.tasks {
            if catalogue.task(t.task).is_none() || !tasks.insert(t.task) {
                return bad(
                    "status.tasks",
                    format!("学会 {} 的任务 {} 不在任务清单中或重复。", s.code, t.task),
                    format!(
                        "society {}: task {} is not in the catalogue or listed twice",
                        s.code, t.task
                    ),
                );
            }
            let p = t.targets;
            if p.met > p.total
                || p.due > p.total
                || p.overdue > p.due
                || p.overdue.saturating_add(p.met) > p.total
            {
                return bad(
                    "status.tasks",
                    format!("学会 {} 任务 {} 的目标计数不合理。", s.code, t.task),
                    format!(
                        "society {}, task {}: target counts must satisfy met, due <= total, overdue <= due, overdue + met <= total",
                        s.code, t.task
                    ),
                );
            }
        }
    }
    Ok(())
}

/// Discipline groups by id with their names (validated consistent).
fn group_names(societies: &[PublicSociety]) -> BTreeMap<String, (String, String)> {
    societies
        .iter()
        .map(|s| {
            (
                s.group.id.clone(),
                (s.group.name_zh.clone(), s.group.name_en.clone()),
            )
        })
        .collect()
}

/// The bands a society can be in: the catalogue's, then `unknown`.
pub(crate) fn band_list(rules: &PublicationRules) -> Vec<(String, String, String)> {
    if rules.membership_bands.is_empty() {
        return Vec::new();
    }
    let mut out: Vec<(String, String, String)> = rules
        .membership_bands
        .iter()
        .map(|b| (b.id.clone(), b.label_zh.clone(), b.label_en.clone()))
        .collect();
    out.push((
        "unknown".to_owned(),
        "会员数未报".to_owned(),
        "Member count not reported".to_owned(),
    ));
    out
}

fn band_id(rules: &PublicationRules, members: Option<i64>) -> Option<String> {
    if rules.membership_bands.is_empty() {
        return None;
    }
    Some(
        members
            .and_then(|m| rules.band_of(m))
            .map_or_else(|| "unknown".to_owned(), |b| b.id.clone()),
    )
}

fn peer_key(rules: &PublicationRules, group: &str, band: Option<&str>) -> String {
    let parts: Vec<&str> = rules
        .peer_group
        .iter()
        .map(|d| match d {
            PeerDimension::DisciplineGroup => group,
            PeerDimension::MembershipBand => band.unwrap_or("unknown"),
        })
        .collect();
    if parts.is_empty() {
        "all".to_owned()
    } else {
        parts.join("/")
    }
}

fn peer_names(
    rules: &PublicationRules,
    key: &str,
    groups: &BTreeMap<String, (String, String)>,
) -> (String, String) {
    if rules.peer_group.is_empty() {
        return ("全部学会".to_owned(), "All societies".to_owned());
    }
    let bands = band_list(rules);
    let mut zh = Vec::new();
    let mut en = Vec::new();
    for (d, part) in rules.peer_group.iter().zip(key.split('/')) {
        let names = match d {
            PeerDimension::DisciplineGroup => groups.get(part).cloned(),
            PeerDimension::MembershipBand => bands
                .iter()
                .find(|(id, _, _)| id == part)
                .map(|(_, z, e)| (z.clone(), e.clone())),
        };
        let (z, e) = names.unwrap_or_else(|| (part.to_owned(), part.to_owned()));
        zh.push(z);
        en.push(e);
    }
    (zh.join(" · "), en.join(" · "))
}

/// Peer group keys present in `rows`, ordered by the dimensions' orders (discipline group
/// id, band order with `unknown` last).
pub(crate) fn peer_order(rules: &PublicationRules, rows: &[SocietyRow]) -> Vec<String> {
    let bands = band_list(rules);
    let mut seen: BTreeSet<&str> = BTreeSet::new();
    let mut keys: Vec<(Vec<(String, usize)>, String)> = Vec::new();
    for r in rows {
        if !seen.insert(r.peer_group.as_str()) {
            continue;
        }
        let sort: Vec<(String, usize)> = rules
            .peer_group
            .iter()
            .map(|d| match d {
                PeerDimension::DisciplineGroup => (r.discipline_group.clone(), 0),
                PeerDimension::MembershipBand => {
                    let id = r.membership_band.as_deref().unwrap_or("unknown");
                    let i = bands
                        .iter()
                        .position(|(b, _, _)| b == id)
                        .unwrap_or(usize::MAX);
                    (String::new(), i)
                }
            })
            .collect();
        keys.push((sort, r.peer_group.clone()));
    }
    keys.sort();
    keys.into_iter().map(|(_, k)| k).collect()
}

pub(crate) fn rate_summary(c: RateCell) -> RateSummary {
    RateSummary {
        expected: c.expected,
        received: c.received,
        on_time: c.on_time,
        received_rate: ratio(u64::from(c.received), u64::from(c.expected)),
        on_time_rate: ratio(u64::from(c.on_time), u64::from(c.expected)),
    }
}

/// The row of `s`; `compared` holds the rows of the bulletin compared with, by code.
fn row(
    rules: &PublicationRules,
    s: &PublicSociety,
    compared: Option<&BTreeMap<&str, &SocietyRow>>,
) -> SocietyRow {
    let band = band_id(rules, s.members);
    let tasks: Vec<TaskCell> = s
        .status
        .tasks
        .iter()
        .map(|t| TaskCell {
            task: t.task,
            colour: t.colour,
            reasons: t.reasons.iter().map(|r| r.render()).collect(),
            targets: t.targets,
        })
        .collect();
    let targets = tasks
        .iter()
        .fold(TargetProgress::default(), |acc, t| acc.plus(t.targets));
    let reports = rate_summary(s.reports);
    let change =
        compared.map(|b| change(b.get(s.code.as_str()).copied(), s.status.colour, &reports));
    SocietyRow {
        code: s.code.clone(),
        name_zh: s.name_zh.clone(),
        name_en: s.name_en.trim().to_owned(),
        discipline_group: s.group.id.clone(),
        peer_group: peer_key(rules, &s.group.id, band.as_deref()),
        membership_band: band,
        members: if rules.show_member_count {
            s.members
        } else {
            None
        },
        election_year: s.election_year,
        plan_status: s.plan,
        colour: s.status.colour,
        reasons: s.status.reasons.iter().map(|r| r.render()).collect(),
        reports,
        targets,
        tasks,
        peer_rank: None,
        change,
    }
}

fn change(before: Option<&SocietyRow>, colour: Colour, reports: &RateSummary) -> Change {
    let Some(old) = before else {
        return Change {
            direction: Direction::New,
            colour_before: None,
            received_delta: None,
            on_time_delta: None,
        };
    };
    let direction = if colour == Colour::Grey || old.colour == Colour::Grey {
        Direction::NotComparable
    } else {
        match colour.severity().cmp(&old.colour.severity()) {
            std::cmp::Ordering::Less => Direction::Better,
            std::cmp::Ordering::Greater => Direction::Worse,
            std::cmp::Ordering::Equal => Direction::Same,
        }
    };
    let delta = |now: &Ratio, then: &Ratio| -> Option<Delta> {
        let d = i64::from(now.permille?) - i64::from(then.permille?);
        let (zh, en) = delta_words(d);
        Some(Delta {
            permille: d,
            text_zh: zh,
            text_en: en,
        })
    };
    Change {
        direction,
        colour_before: Some(old.colour),
        received_delta: delta(&reports.received_rate, &old.reports.received_rate),
        on_time_delta: delta(&reports.on_time_rate, &old.reports.on_time_rate),
    }
}

/// The order of the lagging list: peer group order, then from the bottom of the ranking
/// (unranked last), then code.
pub(crate) fn lagging_order(
    peer_order: &[String],
    a: &LaggingEntry,
    b: &LaggingEntry,
) -> std::cmp::Ordering {
    let pa = peer_order.iter().position(|k| *k == a.peer_group);
    let pb = peer_order.iter().position(|k| *k == b.peer_group);
    pa.cmp(&pb)
        .then_with(|| b.peer_rank.cmp(&a.peer_rank))
        .then_with(|| a.code.cmp(&b.code))
}

/// The ranking key: lower is better. `None` for grey (not ranked).
fn rank_key(r: &SocietyRow) -> Option<(u8, i64, i64)> {
    let colour = match r.colour {
        Colour::Green => 0,
        Colour::Yellow => 1,
        Colour::Red => 2,
        Colour::Grey => return None,
    };
    let rate = |x: &Ratio| x.permille.map_or(1, |p| -i64::from(p));
    Some((
        colour,
        rate(&r.reports.on_time_rate),
        rate(&r.reports.received_rate),
    ))
}

/// Competition ranks within each peer group, in the order of `rows`.
pub(crate) fn peer_ranks(rows: &[SocietyRow]) -> Vec<Option<u32>> {
    // Each peer group's keys, sorted: a rank is 1 + the number of strictly better keys.
    let mut keys: BTreeMap<&str, Vec<(u8, i64, i64)>> = BTreeMap::new();
    for r in rows {
        if let Some(k) = rank_key(r) {
            keys.entry(r.peer_group.as_str()).or_default().push(k);
        }
    }
    for v in keys.values_mut() {
        v.sort_unstable();
    }
    rows.iter()
        .map(|r| {
            let key = rank_key(r)?;
            let better = keys
                .get(r.peer_group.as_str())?
                .partition_point(|k| *k < key);
            Some(u32::try_from(better).unwrap_or(u32::MAX).saturating_add(1))
        })
        .collect()
}

/// Rows by a key, each group in row order.
pub(crate) fn group_rows<'a>(
    rows: &'a [SocietyRow],
    key: impl Fn(&'a SocietyRow) -> Option<&'a str>,
) -> BTreeMap<&'a str, Vec<&'a SocietyRow>> {
    let mut out: BTreeMap<&str, Vec<&SocietyRow>> = BTreeMap::new();
    for r in rows {
        if let Some(k) = key(r) {
            out.entry(k).or_default().push(r);
        }
    }
    out
}

/// Why `r` is caught by the lagging rule (empty: it is not). The exemption for met targets
/// is applied by the caller.
pub(crate) fn lagging_why(rules: &PublicationRules, r: &SocietyRow) -> Vec<LaggingWhy> {
    let l = &rules.lagging;
    let mut why = Vec::new();
    if l.colours.contains(&r.colour) {
        why.push(LaggingWhy {
            code: "colour".to_owned(),
            text_zh: format!("状态为{}", r.colour.label_zh()),
            text_en: format!("status {}", r.colour.label_en().to_lowercase()),
        });
    }
    let below = |x: &Ratio, t: Option<u32>| match (x.permille, t) {
        (Some(p), Some(t)) => p < t,
        _ => false,
    };
    if below(&r.reports.received_rate, l.received_below_permille) {
        let t = percent_text(l.received_below_permille);
        why.push(LaggingWhy {
            code: "received-below".to_owned(),
            text_zh: format!("报送率 {}，低于 {t}", r.reports.received_rate.text),
            text_en: format!("reporting rate {}, below {t}", r.reports.received_rate.text),
        });
    }
    if below(&r.reports.on_time_rate, l.on_time_below_permille) {
        let t = percent_text(l.on_time_below_permille);
        why.push(LaggingWhy {
            code: "on-time-below".to_owned(),
            text_zh: format!("按时报送率 {}，低于 {t}", r.reports.on_time_rate.text),
            text_en: format!("timeliness {}, below {t}", r.reports.on_time_rate.text),
        });
    }
    why
}

pub(crate) fn colour_shares(c: &ColourCounts) -> ColourShares {
    let total = c.total();
    let s = shares(&[
        u64::from(c.red),
        u64::from(c.yellow),
        u64::from(c.green),
        u64::from(c.grey),
    ]);
    let r = |i: usize| {
        let permille = (total > 0).then(|| s.get(i).copied().unwrap_or(0));
        Ratio {
            permille,
            text: percent_text(permille),
        }
    };
    ColourShares {
        red: r(0),
        yellow: r(1),
        green: r(2),
        grey: r(3),
    }
}

/// The figures of a group of rows.
pub(crate) fn summarise(
    key: &str,
    name_zh: &str,
    name_en: &str,
    rows: &[&SocietyRow],
    listed: &BTreeSet<&str>,
) -> GroupSummary {
    let mut colours = ColourCounts::default();
    let mut cell = RateCell::default();
    let mut targets = TargetProgress::default();
    for r in rows {
        colours.add(r.colour);
        cell = cell.add(RateCell {
            expected: r.reports.expected,
            received: r.reports.received,
            on_time: r.reports.on_time,
        });
        targets = targets.plus(r.targets);
    }
    GroupSummary {
        key: key.to_owned(),
        name_zh: name_zh.to_owned(),
        name_en: name_en.to_owned(),
        societies: u32::try_from(rows.len()).unwrap_or(u32::MAX),
        shares: colour_shares(&colours),
        colours,
        reports: rate_summary(cell),
        targets,
        lagging: u32::try_from(
            rows.iter()
                .filter(|r| listed.contains(r.code.as_str()))
                .count(),
        )
        .unwrap_or(u32::MAX),
    }
}

/// How the societies stand on a task: how many planned it, their cells' colours.
pub(crate) fn task_summary(
    number: u32,
    class: TaskClass,
    title_zh: &str,
    title_en: &str,
    rows: &[SocietyRow],
) -> TaskSummary {
    let mut colours = ColourCounts::default();
    for c in rows.iter().filter_map(|r| r.task(number)) {
        colours.add(c.colour);
    }
    TaskSummary {
        number,
        class,
        title_zh: title_zh.to_owned(),
        title_en: title_en.to_owned(),
        planned: colours.total(),
        shares: colour_shares(&colours),
        colours,
    }
}

fn legend() -> Legend {
    Legend {
        colours: [Colour::Red, Colour::Yellow, Colour::Green, Colour::Grey]
            .into_iter()
            .map(|c| ColourLegend {
                colour: c,
                symbol: colour_symbol(c).to_owned(),
                label_zh: c.label_zh().to_owned(),
                label_en: c.label_en().to_owned(),
            })
            .collect(),
        plan_statuses: PublicPlanStatus::ALL
            .into_iter()
            .map(|s| PlanStatusLegend {
                status: s,
                label_zh: s.label_zh().to_owned(),
                label_en: s.label_en().to_owned(),
            })
            .collect(),
    }
}

/// The rounding rules in words (R-PUB-1), as printed in every bulletin.
pub const ROUNDING_ZH: &str = "比率按千分数计算，四舍五入到 1‰，以保留一位小数的百分数显示（整数时不显示小数）；\
各颜色所占比例按最大余数法取整，合计恰为 100%（余数相同时依红、黄、绿、灰顺序）；\
合计行的数量为各行之和，合计行的比率由合计数量按同一规则计算，不取各行比率的平均。";

/// See [`ROUNDING_ZH`].
pub const ROUNDING_EN: &str = "Rates are per-mille rounded half up to 1‰ and shown as percentages with one decimal \
(none when whole); colour shares are rounded by the largest-remainder method so that they add up to exactly 100% \
(equal remainders in the order red, yellow, green, grey); counts in a total row are the sums of the rows, and a \
total row's rates are computed from those sums by the same rule, never averaged from the rows' rates.";

fn lagging_words(rules: &PublicationRules) -> (String, String) {
    let l = &rules.lagging;
    let mut zh: Vec<String> = Vec::new();
    let mut en: Vec<String> = Vec::new();
    for c in &l.colours {
        zh.push(format!("状态为{}", c.label_zh()));
        en.push(format!("its status is {}", c.label_en().to_lowercase()));
    }
    if let Some(t) = l.received_below_permille {
        zh.push(format!("报送率低于 {}", percent_text(Some(t))));
        en.push(format!(
            "its reporting rate is below {}",
            percent_text(Some(t))
        ));
    }
    if let Some(t) = l.on_time_below_permille {
        zh.push(format!("按时报送率低于 {}", percent_text(Some(t))));
        en.push(format!("its timeliness is below {}", percent_text(Some(t))));
    }
    (
        format!(
            "满足以下任一条件的学会列入预警名单：{}。已达到全部目标（至少有一个目标）的学会不列入。“第k次”为本年度此前各月通报（每月以最新一期未被更正的通报为准）列入的次数加本期。",
            zh.join("；")
        ),
        format!(
            "A society is on the lagging list when {}. A society that has met all its targets (at least one) is never listed. \"k-th time\" counts the earlier months of the year whose bulletin (per month, the latest one not corrected) listed it, plus this one.",
            en.join(", or ")
        ),
    )
}

fn published_rules(rules: &PublicationRules) -> PublishedRules {
    let (lagging_zh, lagging_en) = lagging_words(rules);
    PublishedRules {
        peer_group: rules.peer_group.clone(),
        membership_bands: rules
            .membership_bands
            .iter()
            .map(|b| BandDef {
                id: b.id.clone(),
                min: b.min,
                min_inclusive: b.min_inclusive,
                max: b.max,
                max_inclusive: b.max_inclusive,
                label_zh: b.label_zh.clone(),
                label_en: b.label_en.clone(),
            })
            .collect(),
        show_member_count: rules.show_member_count,
        lagging: rules.lagging.clone(),
        rounding_zh: ROUNDING_ZH.to_owned(),
        rounding_en: ROUNDING_EN.to_owned(),
        lagging_zh,
        lagging_en,
    }
}

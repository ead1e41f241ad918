//! The `[publication]` section of the catalogue file (R-PUB-1, R-PUB-2): peer groups,
//! membership bands, whether raw member counts are public, and the lagging rule.
//!
//! ```toml
//! [publication]
//! peer_group = ["discipline_group", "membership_band"]   # default ["discipline_group"]
//! show_member_count = false                              # default false
//!
//! [publication.lagging]                                  # default: colours = ["red"]
//! colours = ["red"]                  # "red" and/or "yellow"
//! received_below_permille = 800      # optional, 1..=1000
//! on_time_below_permille = 600       # optional, 1..=1000
//!
//! [[publication.membership_bands]]   # optional; needed for peer_group "membership_band"
//! id = "under-20k"
//! min = 0
//! min_inclusive = true
//! max = 20000
//! max_inclusive = false
//! label_zh = "个人会员不足2万人"
//! label_en = "under 20,000 individual members"
//! ```
//!
//! Bands follow the rule bands' convention: each edge that is given says whether it is
//! inclusive; bands are in ascending order, the first starts at 0 (or is open below), each
//! next one starts right after the previous one ends (no gap, no overlap over the integers),
//! and the last is open above.

use std::ops::Range;

use serde::{Deserialize, Serialize};
use toml::Spanned;

use crate::catalogue::CatalogueError;
use crate::tracking::Colour;

/// What societies are compared with (R-PUB-1): a society is ranked only within its peer
/// group, the societies that share every listed dimension.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum PeerDimension {
    /// The registry's discipline group (学科群): 理科, 工科, 农科, 医科, 交叉.
    DisciplineGroup,
    /// The membership band ([`MembershipBand`]) of the society's individual members.
    MembershipBand,
}

impl PeerDimension {
    /// Stable identifier, as written in the file: `discipline_group`, `membership_band`.
    pub fn as_str(self) -> &'static str {
        match self {
            PeerDimension::DisciplineGroup => "discipline_group",
            PeerDimension::MembershipBand => "membership_band",
        }
    }

    fn parse(s: &str) -> Option<PeerDimension> {
        [
            PeerDimension::DisciplineGroup,
            PeerDimension::MembershipBand,
        ]
        .into_iter()
        .find(|d| d.as_str() == s)
    }
}

/// A band of individual members (会员规模) for peer groups (R-PUB-1).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MembershipBand {
    /// Stable id (lower-case letters, digits, `-`, `_`), e.g. `under-20k`.
    pub id: String,
    pub min: Option<i64>,
    pub min_inclusive: bool,
    pub max: Option<i64>,
    pub max_inclusive: bool,
    pub label_zh: String,
    pub label_en: String,
}

impl MembershipBand {
    /// Whether `members` lies within this band's edges.
    pub fn contains(&self, members: i64) -> bool {
        let above = match self.min {
            None => true,
            Some(m) if self.min_inclusive => members >= m,
            Some(m) => members > m,
        };
        let below = match self.max {
            None => true,
            Some(m) if self.max_inclusive => members <= m,
            Some(m) => members < m,
        };
        above && below
    }
}

/// Who is put on the lagging list (排名靠后 / 预警) of a bulletin (R-PUB-1).
///
/// A society is listed when ANY criterion holds: its colour is one of `colours`; its
/// published reporting rate (per-mille, rounded as published) is below
/// `received_below_permille`; its published timeliness is below `on_time_below_permille`.
/// A rate with nothing expected (no report due) is never "below". A society that met its
/// targets (at least one target, every one met) is never listed, whatever the criteria say.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LaggingRule {
    /// Red and/or yellow.
    pub colours: Vec<Colour>,
    pub received_below_permille: Option<u32>,
    pub on_time_below_permille: Option<u32>,
}

impl Default for LaggingRule {
    /// Red societies only.
    fn default() -> Self {
        LaggingRule {
            colours: vec![Colour::Red],
            received_below_permille: None,
            on_time_below_permille: None,
        }
    }
}

/// The `[publication]` section (R-PUB-1, R-PUB-2). See the module documentation for the
/// file format.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PublicationRules {
    /// The dimensions of a peer group, in this order; empty: all societies are one group.
    pub peer_group: Vec<PeerDimension>,
    /// Membership bands, ascending; empty when the file gives none.
    pub membership_bands: Vec<MembershipBand>,
    /// Whether a bulletin shows each society's number of individual members; when false
    /// (the default) only its band is shown.
    pub show_member_count: bool,
    pub lagging: LaggingRule,
}

impl Default for PublicationRules {
    /// Peer groups by discipline group, no bands, member counts not shown, red societies on
    /// the lagging list.
    fn default() -> Self {
        PublicationRules {
            peer_group: vec![PeerDimension::DisciplineGroup],
            membership_bands: Vec::new(),
            show_member_count: false,
            lagging: LaggingRule::default(),
        }
    }
}

impl PublicationRules {
    /// The band of `members`, if any band contains it.
    pub fn band_of(&self, members: i64) -> Option<&MembershipBand> {
        self.membership_bands.iter().find(|b| b.contains(members))
    }
}

// ---------------------------------------------------------------------------------------------
// Raw file shape and loader
// ---------------------------------------------------------------------------------------------

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct RawPublication {
    #[serde(default)]
    peer_group: Option<Spanned<Vec<Spanned<String>>>>,
    #[serde(default)]
    show_member_count: Option<bool>,
    #[serde(default)]
    lagging: Option<RawLagging>,
    #[serde(default)]
    membership_bands: Vec<Spanned<RawBand>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawLagging {
    #[serde(default)]
    colours: Option<Spanned<Vec<Spanned<String>>>>,
    #[serde(default)]
    received_below_permille: Option<Spanned<i64>>,
    #[serde(default)]
    on_time_below_permille: Option<Spanned<i64>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawBand {
    id: Spanned<String>,
    #[serde(default)]
    min: Option<Spanned<i64>>,
    #[serde(default)]
    min_inclusive: Option<Spanned<bool>>,
    #[serde(default)]
    max: Option<Spanned<i64>>,
    #[serde(default)]
    max_inclusive: Option<Spanned<bool>>,
    label_zh: Spanned<String>,
    label_en: Spanned<String>,
}

type Err<'a> = &'a dyn Fn(Range<usize>, String) -> CatalogueError;

/// Build [`PublicationRules`] from the raw section; `err` turns a span and a message into the
/// catalogue's `file:line:column` error.
pub(crate) fn load(raw: &RawPublication, err: Err<'_>) -> Result<PublicationRules, CatalogueError> {
    let membership_bands = bands(&raw.membership_bands, err)?;

    let mut peer_group = Vec::new();
    match &raw.peer_group {
        None => peer_group.push(PeerDimension::DisciplineGroup),
        Some(list) => {
            for d in list.get_ref() {
                let Some(dim) = PeerDimension::parse(d.get_ref()) else {
                    return Err(err(
                        d.span(),
                        format!(
                            "[publication] peer_group: unknown dimension '{}' (use \"discipline_group\" or \"membership_band\")",
                            d.get_ref()
                        ),
                    ));
                };
                if peer_group.contains(&dim) {
                    return Err(err(
                        d.span(),
                        format!("[publication] peer_group: '{}' listed twice", dim.as_str()),
                    ));
                }
                if dim == PeerDimension::MembershipBand && membership_bands.is_empty() {
                    return Err(err(
                        d.span(),
                        "[publication] peer_group: 'membership_band' needs [[publication.membership_bands]]"
                            .to_owned(),
                    ));
                }
                peer_group.push(dim);
            }
        }
    }

    let lagging = match &raw.lagging {
        None => LaggingRule::default(),
        Some(l) => lagging(l, err)?,
    };

    Ok(PublicationRules {
        peer_group,
        membership_bands,
        show_member_count: raw.show_member_count.unwrap_or(false),
        lagging,
    })
}

fn lagging(l: &RawLagging, err: Err<'_>) -> Result<LaggingRule, CatalogueError> {
    let mut colours = Vec::new();
    match &l.colours {
        None => colours.push(Colour::Red),
        Some(list) => {
            for c in list.get_ref() {
                let colour = match Colour::parse(c.get_ref()) {
                    Some(c @ (Colour::Red | Colour::Yellow)) => c,
                    _ => {
                        return Err(err(
                            c.span(),
                            format!(
                                "[publication.lagging] colours: '{}' is not allowed (use \"red\" and/or \"yellow\")",
                                c.get_ref()
                            ),
                        ));
                    }
                };
                if colours.contains(&colour) {
                    return Err(err(
                        c.span(),
                        format!(
                            "[publication.lagging] colours: '{}' listed twice",
                            colour.as_str()
                        ),
                    ));
                }
                colours.push(colour);
            }
        }
    }
    let permille = |v: &Option<Spanned<i64>>, what: &str| -> Result<Option<u32>, CatalogueError> {
        let Some(v) = v else { return Ok(None) };
        let n = *v.get_ref();
        match u32::try_from(n) {
            Ok(p) if (1..=1000).contains(&p) => Ok(Some(p)),
            _ => Err(err(
                v.span(),
                format!(
                    "[publication.lagging] {what} must be between 1 and 1000 (per-mille), got {n}"
                ),
            )),
        }
    };
    let received_below_permille = permille(&l.received_below_permille, "received_below_permille")?;
    let on_time_below_permille = permille(&l.on_time_below_permille, "on_time_below_permille")?;
    if colours.is_empty() && received_below_permille.is_none() && on_time_below_permille.is_none() {
        let span = l.colours.as_ref().map_or(0..0, Spanned::span);
        return Err(err(
            span,
            "[publication.lagging] gives no criterion: list a colour or a rate threshold"
                .to_owned(),
        ));
    }
    Ok(LaggingRule {
        colours,
        received_below_permille,
        on_time_below_permille,
    })
}

fn is_id(s: &str) -> bool {
    !s.is_empty()
        && s.bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-' || b == b'_')
}

fn text(s: &Spanned<String>, what: &str, err: Err<'_>) -> Result<String, CatalogueError> {
    if s.get_ref().trim().is_empty() {
        return Err(err(
            s.span(),
            format!("[[publication.membership_bands]] {what} must not be empty"),
        ));
    }
    Ok(s.get_ref().clone())
}

/// Membership bands: explicit inclusive flags, ascending, contiguous over the non-negative
/// integers, no overlap, no gap, open above at the end (as the rule bands, R-RULE-9).
fn bands(raw: &[Spanned<RawBand>], err: Err<'_>) -> Result<Vec<MembershipBand>, CatalogueError> {
    let mut out: Vec<MembershipBand> = Vec::with_capacity(raw.len());
    // The largest integer the previous band includes (None: unbounded above).
    let mut prev_upper: Option<i128> = None;
    for (i, b) in raw.iter().enumerate() {
        let n = i + 1;
        let rb = b.get_ref();
        let id = rb.id.get_ref();
        if !is_id(id) {
            return Err(err(
                rb.id.span(),
                format!(
                    "[[publication.membership_bands]] id '{id}' must be lower-case letters, digits, '-' or '_'"
                ),
            ));
        }
        if id == "unknown" || out.iter().any(|o| &o.id == id) {
            return Err(err(
                rb.id.span(),
                format!(
                    "[[publication.membership_bands]] id '{id}' is {}",
                    if id == "unknown" {
                        "reserved for societies without a member count"
                    } else {
                        "used twice"
                    }
                ),
            ));
        }
        let edge = |bound: &Option<Spanned<i64>>,
                    flag: &Option<Spanned<bool>>,
                    name: &str|
         -> Result<(Option<i64>, bool), CatalogueError> {
            match (bound, flag) {
                (Some(x), Some(f)) => Ok((Some(*x.get_ref()), *f.get_ref())),
                (Some(x), None) => Err(err(
                    x.span(),
                    format!(
                        "membership band '{id}': {name} needs {name}_inclusive = true or false"
                    ),
                )),
                (None, Some(f)) => Err(err(
                    f.span(),
                    format!("membership band '{id}': {name}_inclusive without {name}"),
                )),
                (None, None) => Ok((None, false)),
            }
        };
        let (min, min_inclusive) = edge(&rb.min, &rb.min_inclusive, "min")?;
        let (max, max_inclusive) = edge(&rb.max, &rb.max_inclusive, "max")?;
        let lower = min.map(|m| i128::from(m) + if min_inclusive { 0 } else { 1 });
        let upper = max.map(|m| i128::from(m) - if max_inclusive { 0 } else { 1 });
        let at = rb
            .min
            .as_ref()
            .map(Spanned::span)
            .or_else(|| rb.max.as_ref().map(Spanned::span))
            .unwrap_or_else(|| b.span());
        if let (Some(l), Some(u)) = (lower, upper)
            && l > u
        {
            return Err(err(at, format!("membership band '{id}' contains no value")));
        }
        if i == 0 {
            if lower.is_some_and(|l| l > 0) {
                return Err(err(
                    at,
                    format!(
                        "membership band '{id}': the first band must start at 0 (inclusive) or be open below"
                    ),
                ));
            }
        } else {
            let Some(l) = lower else {
                return Err(err(
                    b.span(),
                    format!(
                        "membership bands overlap: band {n} ('{id}') is open below, but a band comes before it"
                    ),
                ));
            };
            match prev_upper {
                None => {
                    return Err(err(
                        at,
                        format!(
                            "membership bands overlap: band {} is open above, so band {n} ('{id}') cannot follow it",
                            n - 1
                        ),
                    ));
                }
                Some(pu) if l <= pu => {
                    return Err(err(
                        at,
                        format!(
                            "membership bands overlap: band {n} ('{id}') starts at {l}, which band {} already includes (up to {pu})",
                            n - 1
                        ),
                    ));
                }
                Some(pu) if l > pu + 1 => {
                    return Err(err(
                        at,
                        format!(
                            "membership bands leave a gap: band {} ends at {pu} and band {n} ('{id}') starts at {l}",
                            n - 1
                        ),
                    ));
                }
                Some(_) => {}
            }
        }
        prev_upper = upper;
        out.push(MembershipBand {
            id: id.clone(),
            min,
            min_inclusive,
            max,
            max_inclusive,
            label_zh: text(&rb.label_zh, "label_zh", err)?,
            label_en: text(&rb.label_en, "label_en", err)?,
        });
    }
    if prev_upper.is_some()
        && let Some(last) = raw.last()
    {
        return Err(err(
            last.span(),
            "the last membership band must be open above (no max)".to_owned(),
        ));
    }
    Ok(out)
}

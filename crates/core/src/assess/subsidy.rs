//! Subsidy allocation (奖补资助, R-ASSESS-2): whole yuan, exact, reproducible.
//!
//! Two modes, chosen in the catalogue's `[assessment.subsidy]` (or in the JSON of
//! `reformwatch subsidy allocate`, parsed by [`parse_request`]):
//!
//! **Pool** ([`SubsidyRules::Pool`]): the budget is shared among the recipients in proportion
//! to their scores, each share between `floor` and `cap`. The procedure is fixed:
//! 1. Refuse when `floor × recipients > budget` (the floors alone exceed the budget).
//! 2. Round: among the *free* recipients (not fixed yet), the exact share of recipient `i` is
//!    `R × sᵢ / S` (R: the budget not yet fixed, S: the free recipients' score sum). If any
//!    share exceeds the cap (`R × sᵢ > cap × S`), fix ALL of those at the cap, take their caps
//!    from R and repeat. Otherwise, if any is below the floor (`R × sᵢ < floor × S`), fix ALL of
//!    those at the floor, take their floors from R and repeat. Otherwise stop.
//!    Before each round, `R ≥ floor × free` must hold; when caps fixed earlier leave less, the
//!    procedure cannot pay every floor and refuses (it would overspend) — see
//!    `docs/ASSESSMENT.md`.
//! 3. When every recipient is fixed (all at the cap), the rest of R is `unspent`.
//! 4. Otherwise round to whole yuan: each free share is rounded down, and the yuan left over
//!    (fewer than the free recipients) go one each by largest fractional remainder, ties by
//!    higher score, then by society code ascending. The shares add up to the budget exactly.
//!
//! **Tiers** ([`SubsidyRules::Tiers`]): recipients ranked by score (ties share a rank) take
//! their tier's fixed amount; tier `t` covers ranks `count₁ + … + countₜ₋₁ + 1 ..= count₁ + … +
//! countₜ`. A tie group that straddles a tier boundary takes the higher tier (`higher_tier`,
//! the default: the tier of the group's best rank) or the lower one (`lower_tier`: the tier of
//! its worst rank, possibly no tier), and the result says so in a note.
//!
//! All arithmetic is integer (`i128` numerators and one common denominator); nothing here is
//! a floating-point number.

use std::collections::BTreeSet;

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use super::Note;
use super::score::{Score, Yuan, grouped, hundredths_text};

/// At most this many recipients in one allocation (bounds every product inside `i128`).
pub const MAX_RECIPIENTS: usize = 1_000_000;

/// What to do with a group of tied scores that straddles a tier boundary.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum TieRule {
    /// All tied recipients take the higher tier (the tier of their shared, best rank).
    #[default]
    HigherTier,
    /// All tied recipients take the lower tier (the tier of the group's last position).
    LowerTier,
}

impl TieRule {
    pub fn as_str(self) -> &'static str {
        match self {
            TieRule::HigherTier => "higher_tier",
            TieRule::LowerTier => "lower_tier",
        }
    }
}

/// One rank tier (e.g. 一等 5 awards of 500,000 yuan).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Tier {
    /// Places in this tier, at least 1.
    pub count: u32,
    pub amount: Yuan,
    pub name_zh: Option<String>,
    pub name_en: Option<String>,
}

/// The subsidy mode and its parameters (R-ASSESS-2): the catalogue's `[assessment.subsidy]`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "mode", rename_all = "snake_case")]
pub enum SubsidyRules {
    /// A budget shared in proportion to score, each share within `floor..=cap`.
    Pool {
        budget: Yuan,
        floor: Yuan,
        /// `None`: no cap.
        cap: Option<Yuan>,
    },
    /// Fixed amounts per rank tier. With a budget, the amounts paid must fit in it.
    Tiers {
        tiers: Vec<Tier>,
        tie_rule: TieRule,
        budget: Option<Yuan>,
    },
}

impl SubsidyRules {
    pub fn mode(&self) -> &'static str {
        match self {
            SubsidyRules::Pool { .. } => "pool",
            SubsidyRules::Tiers { .. } => "tiers",
        }
    }

    /// Parameters that contradict each other, as (field, zh, en): `floor` above `cap`, a
    /// `floor` above the budget, tier amounts not decreasing, a budget below what the tiers
    /// pay when every place is filled. Used by the catalogue loader and [`parse_request`].
    pub fn inconsistency(&self) -> Option<(String, String, String)> {
        match self {
            SubsidyRules::Pool { budget, floor, cap } => {
                if let Some(cap) = cap
                    && floor > cap
                {
                    return Some((
                        "floor".into(),
                        format!(
                            "保底额 {} 元高于封顶额 {} 元",
                            floor.grouped(),
                            cap.grouped()
                        ),
                        format!(
                            "the floor of {} yuan is above the cap of {} yuan",
                            floor.grouped(),
                            cap.grouped()
                        ),
                    ));
                }
                if floor > budget {
                    return Some((
                        "floor".into(),
                        format!(
                            "保底额 {} 元高于总预算 {} 元",
                            floor.grouped(),
                            budget.grouped()
                        ),
                        format!(
                            "the floor of {} yuan is above the budget of {} yuan",
                            floor.grouped(),
                            budget.grouped()
                        ),
                    ));
                }
                None
            }
            SubsidyRules::Tiers { tiers, budget, .. } => {
                if tiers.is_empty() {
                    return Some((
                        "tiers".into(),
                        "至少需要一个档次".into(),
                        "at least one tier is needed".into(),
                    ));
                }
                for (i, w) in tiers.windows(2).enumerate() {
                    if w[1].amount >= w[0].amount {
                        return Some((
                            format!("tiers[{}].amount", i + 1),
                            format!(
                                "第 {} 档金额 {} 元应低于第 {} 档的 {} 元",
                                i + 2,
                                w[1].amount.grouped(),
                                i + 1,
                                w[0].amount.grouped()
                            ),
                            format!(
                                "tier {} pays {} yuan, which must be less than tier {}'s {} yuan",
                                i + 2,
                                w[1].amount.grouped(),
                                i + 1,
                                w[0].amount.grouped()
                            ),
                        ));
                    }
                }
                let nominal: u128 = tiers
                    .iter()
                    .map(|t| u128::from(t.count) * u128::from(t.amount.get()))
                    .sum();
                if let Some(b) = budget
                    && nominal > u128::from(b.get())
                {
                    return Some((
                        "budget".into(),
                        format!(
                            "各档名额全部评满需 {} 元，超过总预算 {} 元",
                            grouped(nominal as i128),
                            b.grouped()
                        ),
                        format!(
                            "filling every tier place costs {} yuan, more than the budget of {} yuan",
                            grouped(nominal as i128),
                            b.grouped()
                        ),
                    ));
                }
                None
            }
        }
    }
}

/// A society that receives a share: its code and final score.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Recipient {
    pub code: String,
    pub score: Score,
}

/// Why a share is what it is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Basis {
    /// Fixed at the cap (pool).
    Cap,
    /// Fixed at the floor (pool).
    Floor,
    /// In proportion to score, rounded down, plus one yuan when `extra_yuan` (pool).
    Proportional,
    /// The amount of rank tier `tier` (tiers).
    Tier,
    /// Ranked below every tier (tiers): nothing.
    NoTier,
}

impl Basis {
    pub fn label_zh(self) -> &'static str {
        match self {
            Basis::Cap => "封顶",
            Basis::Floor => "保底",
            Basis::Proportional => "按得分比例",
            Basis::Tier => "按档次",
            Basis::NoTier => "未进入档次",
        }
    }

    pub fn label_en(self) -> &'static str {
        match self {
            Basis::Cap => "at the cap",
            Basis::Floor => "at the floor",
            Basis::Proportional => "in proportion to score",
            Basis::Tier => "tier amount",
            Basis::NoTier => "below every tier",
        }
    }
}

/// One recipient's share.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Share {
    pub code: String,
    pub score: Score,
    pub yuan: Yuan,
    pub basis: Basis,
    /// Pool: received one of the yuan left over after rounding down.
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub extra_yuan: bool,
    /// Tiers: the tier (1-based).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub tier: Option<u32>,
    /// Tiers: the recipient's rank (ties share a rank).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub rank: Option<u32>,
}

/// One round of the pool procedure, for the explanation.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Round {
    /// Budget not yet fixed at the start of the round.
    pub remaining: Yuan,
    /// Free recipients at the start of the round.
    pub free: u32,
    /// Their score sum (may exceed a single score's range), as a decimal text.
    pub score_sum: String,
    /// `Cap` or `Floor` when this round fixed recipients; `Proportional` for the last round.
    pub fixed_at: Basis,
    /// Codes fixed in this round (empty in the last round).
    pub fixed: Vec<String>,
}

/// The result (R-ASSESS-2): shares in the recipients' input order; `unspent` is the budget
/// left when every pool recipient is at the cap (or a tiers budget above what is paid).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Allocation {
    pub mode: &'static str,
    pub shares: Vec<Share>,
    pub unspent: Yuan,
    /// Pool: the rounds of the procedure.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub rounds: Vec<Round>,
    /// Ties at tier boundaries, unspent money, rounding: what a reader must be told.
    pub notes: Vec<Note>,
}

impl Allocation {
    /// The result in the documented shape of `reformwatch subsidy allocate`:
    /// `{"shares":[{"code":…,"yuan":…},…],"unspent":…}` (input order, integers).
    pub fn summary_json(&self) -> Value {
        serde_json::json!({
            "shares": self
                .shares
                .iter()
                .map(|s| serde_json::json!({"code": s.code, "yuan": s.yuan.get()}))
                .collect::<Vec<_>>(),
            "unspent": self.unspent.get(),
        })
    }

    /// The sum of every share.
    pub fn total(&self) -> u128 {
        self.shares.iter().map(|s| u128::from(s.yuan.get())).sum()
    }
}

/// Input or parameters that cannot give an allocation: the field concerned (a JSON path such
/// as `societies[2].score`, or a parameter name such as `floor`) and why, in both languages.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, thiserror::Error)]
#[error("{field}: {message_en}")]
pub struct SubsidyError {
    pub field: String,
    pub message_zh: String,
    pub message_en: String,
}

impl SubsidyError {
    fn new(field: impl Into<String>, zh: impl Into<String>, en: impl Into<String>) -> Self {
        SubsidyError {
            field: field.into(),
            message_zh: zh.into(),
            message_en: en.into(),
        }
    }
}

/// Allocate under `rules` among `recipients` (R-ASSESS-2). Pure and deterministic: the same
/// input gives the same shares. Errors: duplicate or empty codes, negative scores (zero too in
/// pool mode), more than [`MAX_RECIPIENTS`], contradictory parameters, floors the budget
/// cannot pay, tiers that overrun their budget.
pub fn allocate(
    rules: &SubsidyRules,
    recipients: &[Recipient],
) -> Result<Allocation, SubsidyError> {
    if let Some((field, zh, en)) = rules.inconsistency() {
        return Err(SubsidyError::new(field, zh, en));
    }
    check_recipients(rules, recipients)?;
    match rules {
        SubsidyRules::Pool { budget, floor, cap } => pool(*budget, *floor, *cap, recipients),
        SubsidyRules::Tiers {
            tiers,
            tie_rule,
            budget,
        } => tiered(tiers, *tie_rule, *budget, recipients),
    }
}

fn check_recipients(rules: &SubsidyRules, recipients: &[Recipient]) -> Result<(), SubsidyError> {
    if recipients.len() > MAX_RECIPIENTS {
        return Err(SubsidyError::new(
            "societies",
            format!(
                "学会过多（{} 个，最多 {MAX_RECIPIENTS} 个）",
                recipients.len()
            ),
            format!(
                "too many societies ({}, at most {MAX_RECIPIENTS})",
                recipients.len()
            ),
        ));
    }
    let mut seen = BTreeSet::new();
    for (i, r) in recipients.iter().enumerate() {
        if r.code.trim().is_empty() {
            return Err(SubsidyError::new(
                format!("societies[{i}].code"),
                "学会代码不能为空",
                "the society code must not be empty",
            ));
        }
        if !seen.insert(r.code.as_str()) {
            return Err(SubsidyError::new(
                format!("societies[{i}].code"),
                format!("学会代码 {} 重复", r.code),
                format!("society code {} appears twice", r.code),
            ));
        }
        if r.score.is_negative() {
            return Err(SubsidyError::new(
                format!("societies[{i}].score"),
                format!("得分 {} 为负数", r.score),
                format!("the score {} is negative", r.score),
            ));
        }
        if matches!(rules, SubsidyRules::Pool { .. }) && r.score == Score::ZERO {
            return Err(SubsidyError::new(
                format!("societies[{i}].score"),
                "按比例分配时得分须大于 0（0 分无法按比例分配）",
                "in pool mode a score must be above 0 (a share in proportion to 0 is undefined)",
            ));
        }
    }
    Ok(())
}

fn yuan_of(v: i128) -> Yuan {
    // Every share lies within 0..=budget (proved in docs/ASSESSMENT.md); the fallback is never
    // taken.
    u64::try_from(v.max(0))
        .ok()
        .and_then(Yuan::new)
        .unwrap_or(Yuan::ZERO)
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum State {
    Free,
    Cap,
    Floor,
}

fn pool(
    budget: Yuan,
    floor: Yuan,
    cap: Option<Yuan>,
    recipients: &[Recipient],
) -> Result<Allocation, SubsidyError> {
    let b = i128::from(budget.get());
    let f = i128::from(floor.get());
    let c = cap.map(|c| i128::from(c.get()));
    let n = recipients.len();
    let mut notes = Vec::new();
    if n == 0 {
        notes.push(Note {
            zh: format!(
                "没有获得奖补的学会：预算 {} 元全部未分配。",
                budget.grouped()
            ),
            en: format!(
                "No society receives a subsidy: the whole budget of {} yuan is unspent.",
                budget.grouped()
            ),
        });
        return Ok(Allocation {
            mode: "pool",
            shares: Vec::new(),
            unspent: budget,
            rounds: Vec::new(),
            notes,
        });
    }
    let n_i = n as i128;
    if f * n_i > b {
        return Err(SubsidyError::new(
            "floor",
            format!(
                "保底额无法满足：{n} 个学会 × 保底 {} 元 = {} 元，超过总预算 {} 元",
                floor.grouped(),
                grouped(f * n_i),
                budget.grouped()
            ),
            format!(
                "the floors make the budget impossible: {n} societies × floor {} yuan = {} yuan, more than the budget of {} yuan",
                floor.grouped(),
                grouped(f * n_i),
                budget.grouped()
            ),
        ));
    }
    let scores: Vec<i128> = recipients
        .iter()
        .map(|r| i128::from(r.score.hundredths()))
        .collect();
    let mut state = vec![State::Free; n];
    let mut remaining = b;
    let mut rounds = Vec::new();
    let mut capped_so_far = 0usize;
    loop {
        let free: Vec<usize> = (0..n).filter(|&i| state[i] == State::Free).collect();
        if free.is_empty() {
            break;
        }
        let m = free.len() as i128;
        let sum: i128 = free.iter().map(|&i| scores[i]).sum();
        let round = |fixed_at: Basis, fixed: Vec<String>| Round {
            remaining: yuan_of(remaining),
            free: u32::try_from(free.len()).unwrap_or(u32::MAX),
            score_sum: hundredths_text(sum),
            fixed_at,
            fixed,
        };
        // The floors of the free recipients must still be payable (see the module docs).
        if remaining < f * m {
            return Err(SubsidyError::new(
                "floor",
                format!(
                    "保底额与封顶额无法同时满足：按既定程序已有 {capped_so_far} 个学会按封顶额 {} 元固定，剩余 {} 元不足以向其余 {} 个学会各支付保底 {} 元（共需 {} 元）；请降低保底额或提高封顶额",
                    cap.map_or_else(String::new, |c| c.grouped()),
                    grouped(remaining),
                    free.len(),
                    floor.grouped(),
                    grouped(f * m)
                ),
                format!(
                    "floor and cap cannot both hold: the fixed procedure has put {capped_so_far} societies at the cap of {} yuan, and the remaining {} yuan cannot pay the floor of {} yuan to each of the other {} societies ({} yuan); lower the floor or raise the cap",
                    cap.map_or_else(String::new, |c| c.grouped()),
                    grouped(remaining),
                    floor.grouped(),
                    free.len(),
                    grouped(f * m)
                ),
            ));
        }
        // Share i = remaining × sᵢ / sum. Above the cap: remaining × sᵢ > cap × sum.
        if let Some(c) = c {
            let over: Vec<usize> = free
                .iter()
                .copied()
                .filter(|&i| remaining * scores[i] > c * sum)
                .collect();
            if !over.is_empty() {
                rounds.push(round(
                    Basis::Cap,
                    over.iter().map(|&i| recipients[i].code.clone()).collect(),
                ));
                for &i in &over {
                    state[i] = State::Cap;
                }
                capped_so_far += over.len();
                remaining -= c * over.len() as i128;
                continue;
            }
        }
        // Below the floor: remaining × sᵢ < floor × sum.
        let under: Vec<usize> = free
            .iter()
            .copied()
            .filter(|&i| remaining * scores[i] < f * sum)
            .collect();
        if !under.is_empty() {
            rounds.push(round(
                Basis::Floor,
                under.iter().map(|&i| recipients[i].code.clone()).collect(),
            ));
            for &i in &under {
                state[i] = State::Floor;
            }
            remaining -= f * under.len() as i128;
            continue;
        }
        rounds.push(round(Basis::Proportional, Vec::new()));
        break;
    }

    let mut yuan = vec![0i128; n];
    let mut extra = vec![false; n];
    for i in 0..n {
        match state[i] {
            State::Cap => yuan[i] = c.unwrap_or(0),
            State::Floor => yuan[i] = f,
            State::Free => {}
        }
    }
    let free: Vec<usize> = (0..n).filter(|&i| state[i] == State::Free).collect();
    let unspent = if free.is_empty() {
        let u = remaining;
        notes.push(Note {
            zh: format!(
                "全部 {n} 个学会均按封顶额 {} 元分配，{} 元未分配。",
                cap.map_or_else(String::new, |c| c.grouped()),
                grouped(u)
            ),
            en: format!(
                "All {n} societies are at the cap of {} yuan: {} yuan is unspent.",
                cap.map_or_else(String::new, |c| c.grouped()),
                grouped(u)
            ),
        });
        u
    } else {
        let sum: i128 = free.iter().map(|&i| scores[i]).sum();
        let mut rema: Vec<(usize, i128)> = Vec::with_capacity(free.len());
        let mut paid = 0i128;
        for &i in &free {
            let num = remaining * scores[i];
            yuan[i] = num / sum;
            paid += yuan[i];
            rema.push((i, num % sum));
        }
        let left = remaining - paid;
        // Largest fractional remainder first (all over the same denominator), then higher
        // score, then code ascending.
        rema.sort_by(|a, b| {
            b.1.cmp(&a.1)
                .then_with(|| scores[b.0].cmp(&scores[a.0]))
                .then_with(|| recipients[a.0].code.cmp(&recipients[b.0].code))
        });
        let left_n = usize::try_from(left).unwrap_or(0);
        for &(i, _) in rema.iter().take(left_n) {
            yuan[i] += 1;
            extra[i] = true;
        }
        if left_n > 0 {
            notes.push(Note {
                zh: format!(
                    "按比例份额取整（舍去小数）后余 {left_n} 元，按小数部分从大到小各加 1 元（相同时得分高者优先，再按学会代码）。"
                ),
                en: format!(
                    "Rounding the proportional shares down left {left_n} yuan, given one each by largest fractional remainder (ties: higher score, then society code)."
                ),
            });
        }
        0
    };
    let shares = (0..n)
        .map(|i| Share {
            code: recipients[i].code.clone(),
            score: recipients[i].score,
            yuan: yuan_of(yuan[i]),
            basis: match state[i] {
                State::Cap => Basis::Cap,
                State::Floor => Basis::Floor,
                State::Free => Basis::Proportional,
            },
            extra_yuan: extra[i],
            tier: None,
            rank: None,
        })
        .collect();
    Ok(Allocation {
        mode: "pool",
        shares,
        unspent: yuan_of(unspent),
        rounds,
        notes,
    })
}

/// Competition ranks ("1224"): `(best, worst)` position of each recipient's tie group, by
/// score descending. Index-aligned with `recipients`.
fn tie_positions(recipients: &[Recipient]) -> Vec<(u32, u32)> {
    let mut order: Vec<usize> = (0..recipients.len()).collect();
    order.sort_by(|&a, &b| {
        recipients[b]
            .score
            .cmp(&recipients[a].score)
            .then_with(|| recipients[a].code.cmp(&recipients[b].code))
    });
    let mut out = vec![(0u32, 0u32); recipients.len()];
    let mut start = 0;
    while start < order.len() {
        let s = recipients[order[start]].score;
        let mut end = start;
        while end + 1 < order.len() && recipients[order[end + 1]].score == s {
            end += 1;
        }
        for &i in &order[start..=end] {
            out[i] = (
                u32::try_from(start + 1).unwrap_or(u32::MAX),
                u32::try_from(end + 1).unwrap_or(u32::MAX),
            );
        }
        start = end + 1;
    }
    out
}

fn tier_label_zh(tiers: &[Tier], t: usize) -> String {
    tiers
        .get(t)
        .and_then(|x| x.name_zh.clone())
        .unwrap_or_else(|| format!("第 {} 档", t + 1))
}

fn tier_label_en(tiers: &[Tier], t: usize) -> String {
    tiers
        .get(t)
        .and_then(|x| x.name_en.clone())
        .unwrap_or_else(|| format!("tier {}", t + 1))
}

fn tiered(
    tiers: &[Tier],
    tie_rule: TieRule,
    budget: Option<Yuan>,
    recipients: &[Recipient],
) -> Result<Allocation, SubsidyError> {
    // Cumulative last position of each tier.
    let mut ends = Vec::with_capacity(tiers.len());
    let mut cum = 0u64;
    for t in tiers {
        cum += u64::from(t.count);
        ends.push(cum);
    }
    let tier_of = |pos: u32| ends.iter().position(|&e| u64::from(pos) <= e);
    let positions = tie_positions(recipients);
    let mut notes = Vec::new();
    let mut noted = BTreeSet::new();
    let mut shares = Vec::with_capacity(recipients.len());
    for (i, r) in recipients.iter().enumerate() {
        let (best, worst) = positions[i];
        let by_best = tier_of(best);
        let by_worst = tier_of(worst);
        let tier = match tie_rule {
            TieRule::HigherTier => by_best,
            TieRule::LowerTier => by_worst,
        };
        if by_best != by_worst && noted.insert(best) {
            let mut codes: Vec<&str> = recipients
                .iter()
                .zip(&positions)
                .filter(|(_, p)| p.0 == best)
                .map(|(x, _)| x.code.as_str())
                .collect();
            codes.sort_unstable();
            let boundary = by_best.unwrap_or(0);
            let count = tiers.get(boundary).map_or(0, |t| t.count);
            let (taken_zh, taken_en) = match tier {
                Some(t) => (tier_label_zh(tiers, t), tier_label_en(tiers, t)),
                None => ("不进入任何档次".to_owned(), "no tier".to_owned()),
            };
            notes.push(Note {
                zh: format!(
                    "{} 个学会（{}）得分同为 {}，并列第 {best} 名，跨越{}（{count} 个名额）的边界：按并列规则（{}）均列入{taken_zh}。",
                    codes.len(),
                    codes.join("、"),
                    r.score,
                    tier_label_zh(tiers, boundary),
                    match tie_rule {
                        TieRule::HigherTier => "并列者均取较高档次",
                        TieRule::LowerTier => "并列者均取较低档次",
                    },
                ),
                en: format!(
                    "{} societies ({}) share the score {} and rank {best}, across the boundary of {} ({count} places): under the tie rule ({}) all take {taken_en}.",
                    codes.len(),
                    codes.join(", "),
                    r.score,
                    tier_label_en(tiers, boundary),
                    tie_rule.as_str(),
                ),
            });
        }
        shares.push(Share {
            code: r.code.clone(),
            score: r.score,
            yuan: tier
                .and_then(|t| tiers.get(t))
                .map_or(Yuan::ZERO, |t| t.amount),
            basis: if tier.is_some() {
                Basis::Tier
            } else {
                Basis::NoTier
            },
            extra_yuan: false,
            tier: tier.map(|t| u32::try_from(t + 1).unwrap_or(u32::MAX)),
            rank: Some(best),
        });
    }
    // A tier holding more recipients than places (higher_tier ties) is said once more.
    for (t, tier) in tiers.iter().enumerate() {
        let n = shares
            .iter()
            .filter(|s| s.tier == u32::try_from(t + 1).ok())
            .count();
        if n > tier.count as usize {
            notes.push(Note {
                zh: format!(
                    "{}因并列共有 {n} 个学会（名额 {} 个）。",
                    tier_label_zh(tiers, t),
                    tier.count
                ),
                en: format!(
                    "{} holds {n} societies because of ties ({} places).",
                    tier_label_en(tiers, t),
                    tier.count
                ),
            });
        }
    }
    let total: u128 = shares.iter().map(|s| u128::from(s.yuan.get())).sum();
    let unspent = match budget {
        None => Yuan::ZERO,
        Some(b) => {
            if total > u128::from(b.get()) {
                return Err(SubsidyError::new(
                    "budget",
                    format!(
                        "按档次（含并列）应付 {} 元，超过总预算 {} 元",
                        grouped(total as i128),
                        b.grouped()
                    ),
                    format!(
                        "the tiers (with ties) pay {} yuan, more than the budget of {} yuan",
                        grouped(total as i128),
                        b.grouped()
                    ),
                ));
            }
            yuan_of(i128::from(b.get()) - total as i128)
        }
    };
    Ok(Allocation {
        mode: "tiers",
        shares,
        unspent,
        rounds: Vec::new(),
        notes,
    })
}

// ---------------------------------------------------------------------------------------------
// The JSON request of `reformwatch subsidy allocate` (and of the server later)
// ---------------------------------------------------------------------------------------------

/// A parsed allocation request: the rules and the recipients.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SubsidyRequest {
    pub rules: SubsidyRules,
    pub societies: Vec<Recipient>,
}

/// Parse and allocate in one step: what `reformwatch subsidy allocate` does.
pub fn allocate_json(json: &str) -> Result<Allocation, SubsidyError> {
    let req = parse_request(json)?;
    allocate(&req.rules, &req.societies)
}

/// Parse the allocation request JSON (R-ASSESS-2):
///
/// ```json
/// {"mode":"pool","budget":1000000,"floor":50000,"cap":300000,
///  "societies":[{"code":"A-01","score":"87.25"}]}
/// {"mode":"tiers","tiers":[{"count":5,"amount":500000}],"tie_rule":"higher_tier",
///  "budget":3000000,"societies":[…]}
/// ```
///
/// Pool: `budget` required, `floor` (default 0), `cap` (default none). Tiers: `tiers`
/// required (each `count` ≥ 1, `amount`, optional `name_zh`/`name_en`), `tie_rule` (default
/// `higher_tier`), `budget` optional. Amounts are JSON integers (whole yuan); scores are JSON
/// strings with at most two decimals, or JSON numbers written with at most two decimals.
/// Unknown fields are refused; every error names its field as a path (`societies[2].score`).
pub fn parse_request(json: &str) -> Result<SubsidyRequest, SubsidyError> {
    let root: Value = serde_json::from_str(json).map_err(|e| {
        SubsidyError::new(
            "(input)",
            format!(
                "不是有效的 JSON（第 {} 行第 {} 列）：{e}",
                e.line(),
                e.column()
            ),
            format!(
                "not valid JSON (line {}, column {}): {e}",
                e.line(),
                e.column()
            ),
        )
    })?;
    let obj = object(&root, "(input)")?;
    let mode = match obj.get("mode") {
        None => return Err(missing("mode")),
        Some(Value::String(s)) if s == "pool" || s == "tiers" => s.as_str(),
        Some(other) => {
            return Err(SubsidyError::new(
                "mode",
                format!("应为 \"pool\" 或 \"tiers\"，实为 {other}"),
                format!("must be \"pool\" or \"tiers\", got {other}"),
            ));
        }
    };
    let allowed: &[&str] = if mode == "pool" {
        &["mode", "budget", "floor", "cap", "societies"]
    } else {
        &["mode", "tiers", "tie_rule", "budget", "societies"]
    };
    unknown_fields(obj, allowed, "")?;
    let rules = if mode == "pool" {
        SubsidyRules::Pool {
            budget: yuan(obj.get("budget"), "budget")?.ok_or_else(|| missing("budget"))?,
            floor: yuan(obj.get("floor"), "floor")?.unwrap_or(Yuan::ZERO),
            cap: yuan(obj.get("cap"), "cap")?,
        }
    } else {
        let tiers_v = obj.get("tiers").ok_or_else(|| missing("tiers"))?;
        let Value::Array(items) = tiers_v else {
            return Err(wrong_type("tiers", "数组", "an array", tiers_v));
        };
        let mut tiers = Vec::with_capacity(items.len());
        for (i, t) in items.iter().enumerate() {
            let path = format!("tiers[{i}]");
            let o = object(t, &path)?;
            unknown_fields(o, &["count", "amount", "name_zh", "name_en"], &path)?;
            let count_path = format!("{path}.count");
            let count = match o.get("count") {
                None => return Err(missing(&count_path)),
                Some(v) => match v.as_u64().and_then(|c| u32::try_from(c).ok()) {
                    Some(c) if c >= 1 => c,
                    _ => {
                        return Err(SubsidyError::new(
                            count_path,
                            format!("名额应为不小于 1 的整数，实为 {v}"),
                            format!("must be a whole number of places, at least 1; got {v}"),
                        ));
                    }
                },
            };
            let amount_path = format!("{path}.amount");
            let amount =
                yuan(o.get("amount"), &amount_path)?.ok_or_else(|| missing(&amount_path))?;
            tiers.push(Tier {
                count,
                amount,
                name_zh: text(o.get("name_zh"), &format!("{path}.name_zh"))?,
                name_en: text(o.get("name_en"), &format!("{path}.name_en"))?,
            });
        }
        let tie_rule = match obj.get("tie_rule") {
            None => TieRule::default(),
            Some(Value::String(s)) if s == "higher_tier" => TieRule::HigherTier,
            Some(Value::String(s)) if s == "lower_tier" => TieRule::LowerTier,
            Some(other) => {
                return Err(SubsidyError::new(
                    "tie_rule",
                    format!("应为 \"higher_tier\" 或 \"lower_tier\"，实为 {other}"),
                    format!("must be \"higher_tier\" or \"lower_tier\", got {other}"),
                ));
            }
        };
        SubsidyRules::Tiers {
            tiers,
            tie_rule,
            budget: yuan(obj.get("budget"), "budget")?,
        }
    };
    if let Some((field, zh, en)) = rules.inconsistency() {
        return Err(SubsidyError::new(field, zh, en));
    }
    let soc_v = obj.get("societies").ok_or_else(|| missing("societies"))?;
    let Value::Array(items) = soc_v else {
        return Err(wrong_type("societies", "数组", "an array", soc_v));
    };
    let mut societies = Vec::with_capacity(items.len());
    for (i, s) in items.iter().enumerate() {
        let path = format!("societies[{i}]");
        let o = object(s, &path)?;
        unknown_fields(o, &["code", "score"], &path)?;
        let code_path = format!("{path}.code");
        let code = text(o.get("code"), &code_path)?.ok_or_else(|| missing(&code_path))?;
        let score_path = format!("{path}.score");
        let score = match o.get("score") {
            None => return Err(missing(&score_path)),
            Some(Value::String(t)) => Score::parse_non_negative(t)
                .map_err(|e| SubsidyError::new(score_path, e.message_zh(), e.message_en()))?,
            // A JSON number is read through its shortest round-trip text, which is the decimal
            // that was written for any score of at most 15 significant digits ("87.25" stays
            // 87.25); anything with more than two places is refused like a string would be.
            Some(Value::Number(n)) => Score::parse_non_negative(&number_text(n))
                .map_err(|e| SubsidyError::new(score_path, e.message_zh(), e.message_en()))?,
            Some(v) => {
                return Err(wrong_type(
                    &score_path,
                    "字符串或数字",
                    "a string or a number",
                    v,
                ));
            }
        };
        societies.push(Recipient { code, score });
    }
    let req = SubsidyRequest { rules, societies };
    check_recipients(&req.rules, &req.societies)?;
    Ok(req)
}

/// The decimal text of a JSON number: integers as written, others by their shortest
/// round-trip representation without a trailing `.0` (`87.0` → `87`).
fn number_text(n: &serde_json::Number) -> String {
    let t = n.to_string();
    match t.strip_suffix(".0") {
        Some(int) if !t.contains(['e', 'E']) => int.to_string(),
        _ => t,
    }
}

fn missing(field: &str) -> SubsidyError {
    SubsidyError::new(field, "缺少此项", "missing")
}

fn json_type(v: &Value) -> &'static str {
    match v {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "an array",
        Value::Object(_) => "an object",
    }
}

fn wrong_type(field: &str, want_zh: &str, want_en: &str, got: &Value) -> SubsidyError {
    SubsidyError::new(
        field,
        format!("应为{want_zh}，实为 {}", json_type(got)),
        format!("must be {want_en}, got {}", json_type(got)),
    )
}

fn object<'a>(v: &'a Value, field: &str) -> Result<&'a Map<String, Value>, SubsidyError> {
    match v {
        Value::Object(o) => Ok(o),
        other => Err(wrong_type(field, "对象", "an object", other)),
    }
}

fn unknown_fields(
    o: &Map<String, Value>,
    allowed: &[&str],
    prefix: &str,
) -> Result<(), SubsidyError> {
    for k in o.keys() {
        if !allowed.contains(&k.as_str()) {
            let field = if prefix.is_empty() {
                k.clone()
            } else {
                format!("{prefix}.{k}")
            };
            return Err(SubsidyError::new(
                field,
                format!("未知字段（允许：{}）", allowed.join("、")),
                format!("unknown field (allowed: {})", allowed.join(", ")),
            ));
        }
    }
    Ok(())
}

fn yuan(v: Option<&Value>, field: &str) -> Result<Option<Yuan>, SubsidyError> {
    let Some(v) = v else { return Ok(None) };
    match v.as_u64().and_then(Yuan::new) {
        Some(y) => Ok(Some(y)),
        None => Err(SubsidyError::new(
            field,
            format!(
                "金额应为 0 至 {} 之间的整数元，实为 {v}",
                grouped(i128::from(Yuan::MAX_VALUE))
            ),
            format!(
                "must be whole yuan between 0 and {}, got {v}",
                grouped(i128::from(Yuan::MAX_VALUE))
            ),
        )),
    }
}

fn text(v: Option<&Value>, field: &str) -> Result<Option<String>, SubsidyError> {
    match v {
        None => Ok(None),
        Some(Value::String(s)) if s.trim().is_empty() => {
            Err(SubsidyError::new(field, "不能为空", "must not be empty"))
        }
        Some(Value::String(s)) => Ok(Some(s.trim().to_owned())),
        Some(other) => Err(wrong_type(field, "字符串", "a string", other)),
    }
}

#[cfg(test)]
mod tests;

//! Downloads of a bulletin, pure part (R-PUB-1): the tables the server writes as .csv and
//! .xlsx, with stable column ids and headers in both languages, and the CSV text with every
//! cell neutralised against formula injection. The JSON download is the canonical bytes.
//!
//! Tables (ids stable): `societies` (one row per society), `matrix` (society × task),
//! `groups` (per discipline group, membership band and peer group, each block followed by
//! its total row), `tasks` (per catalogue task), `lagging` (the lagging list).
//!
//! Totals: in `groups`, each block's total row has the block's summed counts (equal to the
//! overall counts, since each block partitions the societies), rates computed from those
//! sums, and colour shares by largest remainder; the shares of every row add up to 100%.

use std::borrow::Cow;
use std::collections::BTreeMap;

use super::config::PeerDimension;
use super::model::{
    Bulletin, GroupSummary, LaggingEntry, PublicPlanStatus, Ratio, SocietyRow, colour_symbol,
};
use crate::tracking::Colour;

/// The language of headers and words.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Lang {
    Zh,
    En,
}

impl Lang {
    fn pick<'a>(self, zh: &'a str, en: &'a str) -> &'a str {
        match self {
            Lang::Zh => zh,
            Lang::En => en,
        }
    }
}

/// A column: stable id and headers.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Column {
    pub id: String,
    pub zh: String,
    pub en: String,
}

impl Column {
    fn new(id: &str, zh: &str, en: &str) -> Self {
        Column {
            id: id.to_owned(),
            zh: zh.to_owned(),
            en: en.to_owned(),
        }
    }

    pub fn header(&self, lang: Lang) -> &str {
        lang.pick(&self.zh, &self.en)
    }
}

/// A cell: text, an integer (a number cell in .xlsx), or nothing.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Cell {
    Text(String),
    Int(i64),
    Empty,
}

impl Cell {
    /// The cell as text (`Empty` is the empty string).
    pub fn text(&self) -> Cow<'_, str> {
        match self {
            Cell::Text(s) => Cow::Borrowed(s),
            Cell::Int(n) => Cow::Owned(n.to_string()),
            Cell::Empty => Cow::Borrowed(""),
        }
    }
}

fn t(s: impl Into<String>) -> Cell {
    Cell::Text(s.into())
}

fn n(v: u32) -> Cell {
    Cell::Int(i64::from(v))
}

fn opt(v: Option<u32>) -> Cell {
    v.map_or(Cell::Empty, n)
}

/// One table of a download.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Table {
    /// Stable id, also the file or sheet suffix: `societies`, `matrix`, `groups`, `tasks`,
    /// `lagging`.
    pub id: &'static str,
    pub name_zh: &'static str,
    pub name_en: &'static str,
    pub columns: Vec<Column>,
    pub rows: Vec<Vec<Cell>>,
}

impl Table {
    pub fn name(&self, lang: Lang) -> &'static str {
        lang.pick(self.name_zh, self.name_en)
    }

    pub fn headers(&self, lang: Lang) -> Vec<&str> {
        self.columns.iter().map(|c| c.header(lang)).collect()
    }
}

/// Columns of `societies`, in order: (id, zh, en).
pub const SOCIETY_COLUMNS: &[(&str, &str, &str)] = &[
    ("code", "学会代码", "Code"),
    ("name", "学会名称", "Society"),
    ("discipline_group", "学科群", "Discipline group"),
    ("membership_band", "会员规模", "Membership band"),
    ("members", "个人会员数", "Individual members"),
    ("election_year", "本年换届", "Council election this year"),
    ("plan_status", "改革方案", "Reform plan"),
    ("colour", "状态", "Status"),
    ("reasons", "原因", "Reasons"),
    ("reports_expected", "应报月报", "Reports expected"),
    ("reports_received", "已报月报", "Reports received"),
    ("received_rate", "报送率", "Reporting rate"),
    ("reports_on_time", "按时报送", "Reports on time"),
    ("on_time_rate", "按时报送率", "Timeliness"),
    ("targets_total", "目标数", "Targets"),
    ("targets_due", "已到期目标", "Targets due"),
    ("targets_met", "已达成目标", "Targets met"),
    ("targets_overdue", "逾期未完成目标", "Targets overdue"),
    ("peer_group", "同类组", "Peer group"),
    ("peer_rank", "组内排名", "Rank in peer group"),
    ("lagging", "预警", "Lagging list"),
    ("change", "较上期", "Since previous bulletin"),
    ("received_change", "报送率变化", "Reporting rate change"),
    ("on_time_change", "按时报送率变化", "Timeliness change"),
];

/// Columns of `groups`, in order.
pub const GROUP_COLUMNS: &[(&str, &str, &str)] = &[
    ("dimension", "分组方式", "Grouped by"),
    ("group", "组别", "Group"),
    ("societies", "学会数", "Societies"),
    ("red", "红色", "Red"),
    ("yellow", "黄色", "Yellow"),
    ("green", "绿色", "Green"),
    ("grey", "灰色", "Grey"),
    ("red_share", "红色占比", "Red share"),
    ("yellow_share", "黄色占比", "Yellow share"),
    ("green_share", "绿色占比", "Green share"),
    ("grey_share", "灰色占比", "Grey share"),
    ("reports_expected", "应报月报", "Reports expected"),
    ("reports_received", "已报月报", "Reports received"),
    ("received_rate", "报送率", "Reporting rate"),
    ("reports_on_time", "按时报送", "Reports on time"),
    ("on_time_rate", "按时报送率", "Timeliness"),
    ("targets_total", "目标数", "Targets"),
    ("targets_due", "已到期目标", "Targets due"),
    ("targets_met", "已达成目标", "Targets met"),
    ("targets_overdue", "逾期未完成目标", "Targets overdue"),
    ("lagging", "列入预警", "On the lagging list"),
];

/// Columns of `tasks`, in order.
pub const TASK_COLUMNS: &[(&str, &str, &str)] = &[
    ("task", "任务", "Task"),
    ("class", "类别", "Class"),
    ("title", "任务名称", "Title"),
    ("planned", "列入方案的学会", "Societies planning it"),
    ("red", "红色", "Red"),
    ("yellow", "黄色", "Yellow"),
    ("green", "绿色", "Green"),
    ("grey", "灰色", "Grey"),
    ("red_share", "红色占比", "Red share"),
    ("yellow_share", "黄色占比", "Yellow share"),
    ("green_share", "绿色占比", "Green share"),
    ("grey_share", "灰色占比", "Grey share"),
];

/// Columns of `lagging`, in order.
pub const LAGGING_COLUMNS: &[(&str, &str, &str)] = &[
    ("peer_group", "同类组", "Peer group"),
    ("peer_rank", "组内排名", "Rank in peer group"),
    ("code", "学会代码", "Code"),
    ("name", "学会名称", "Society"),
    ("why", "列入原因", "Why"),
    ("appearance", "本年列入次数", "Times listed this year"),
];

fn columns(spec: &[(&str, &str, &str)]) -> Vec<Column> {
    spec.iter().map(|(i, z, e)| Column::new(i, z, e)).collect()
}

/// `● 红色` / `● Red`.
fn colour_cell(c: Colour, lang: Lang) -> Cell {
    t(format!(
        "{} {}",
        colour_symbol(c),
        lang.pick(c.label_zh(), c.label_en())
    ))
}

fn plan_label(s: PublicPlanStatus, lang: Lang) -> &'static str {
    match lang {
        Lang::Zh => s.label_zh(),
        Lang::En => s.label_en(),
    }
}

fn ratio_cell(r: &Ratio) -> Cell {
    t(r.text.clone())
}

fn group_name<'a>(list: &'a [GroupSummary], key: &str, lang: Lang) -> &'a str {
    list.iter()
        .find(|g| g.key == key)
        .map_or("", |g| lang.pick(&g.name_zh, &g.name_en))
}

fn society_row(
    b: &Bulletin,
    listed: &BTreeMap<&str, &LaggingEntry>,
    r: &SocietyRow,
    lang: Lang,
) -> Vec<Cell> {
    let sep = lang.pick("；", "; ");
    let reasons: Vec<&str> = r
        .reasons
        .iter()
        .map(|x| lang.pick(&x.text_zh, &x.text_en))
        .collect();
    let lagging = listed.get(r.code.as_str());
    let change = r.change.as_ref();
    let delta = |d: Option<&super::model::Delta>| match d {
        Some(d) => t(lang.pick(&d.text_zh, &d.text_en)),
        None => Cell::Empty,
    };
    vec![
        t(r.code.clone()),
        t(society_name(&r.name_zh, &r.name_en, lang)),
        t(group_name(&b.discipline_groups, &r.discipline_group, lang)),
        match &r.membership_band {
            Some(band) => t(group_name(&b.membership_bands, band, lang)),
            None => Cell::Empty,
        },
        r.members.map_or(Cell::Empty, Cell::Int),
        t(if r.election_year {
            lang.pick("是", "Yes")
        } else {
            lang.pick("否", "No")
        }),
        t(plan_label(r.plan_status, lang)),
        colour_cell(r.colour, lang),
        t(reasons.join(sep)),
        n(r.reports.expected),
        n(r.reports.received),
        ratio_cell(&r.reports.received_rate),
        n(r.reports.on_time),
        ratio_cell(&r.reports.on_time_rate),
        n(r.targets.total),
        n(r.targets.due),
        n(r.targets.met),
        n(r.targets.overdue),
        t(group_name(&b.peer_groups, &r.peer_group, lang)),
        opt(r.peer_rank),
        lagging.map_or(Cell::Empty, |l| {
            t(lang.pick(&l.appearance_zh, &l.appearance_en))
        }),
        change.map_or(Cell::Empty, |c| {
            t(lang.pick(c.direction.label_zh(), c.direction.label_en()))
        }),
        delta(change.and_then(|c| c.received_delta.as_ref())),
        delta(change.and_then(|c| c.on_time_delta.as_ref())),
    ]
}

fn group_row(dimension: &str, name: &str, g: &GroupSummary) -> Vec<Cell> {
    vec![
        t(dimension),
        t(name),
        n(g.societies),
        n(g.colours.red),
        n(g.colours.yellow),
        n(g.colours.green),
        n(g.colours.grey),
        ratio_cell(&g.shares.red),
        ratio_cell(&g.shares.yellow),
        ratio_cell(&g.shares.green),
        ratio_cell(&g.shares.grey),
        n(g.reports.expected),
        n(g.reports.received),
        ratio_cell(&g.reports.received_rate),
        n(g.reports.on_time),
        ratio_cell(&g.reports.on_time_rate),
        n(g.targets.total),
        n(g.targets.due),
        n(g.targets.met),
        n(g.targets.overdue),
        n(g.lagging),
    ]
}

/// Every table of the bulletin's downloads, in `lang` (R-PUB-1).
pub fn tables(b: &Bulletin, lang: Lang) -> Vec<Table> {
    let listed: BTreeMap<&str, &LaggingEntry> =
        b.lagging.iter().map(|l| (l.code.as_str(), l)).collect();
    let societies = Table {
        id: "societies",
        name_zh: "学会",
        name_en: "Societies",
        columns: columns(SOCIETY_COLUMNS),
        rows: b
            .societies
            .iter()
            .map(|r| society_row(b, &listed, r, lang))
            .collect(),
    };

    let mut matrix_columns = columns(&SOCIETY_COLUMNS[..3]);
    for task in &b.tasks {
        matrix_columns.push(Column {
            id: format!("task_{}", task.number),
            zh: format!("任务{}", task.number),
            en: format!("Task {}", task.number),
        });
    }
    let matrix = Table {
        id: "matrix",
        name_zh: "任务矩阵",
        name_en: "Matrix",
        columns: matrix_columns,
        rows: b
            .societies
            .iter()
            .map(|r| {
                let mut row = vec![
                    t(r.code.clone()),
                    t(society_name(&r.name_zh, &r.name_en, lang)),
                    t(group_name(&b.discipline_groups, &r.discipline_group, lang)),
                ];
                row.extend(b.tasks.iter().map(|task| {
                    r.task(task.number)
                        .map_or(Cell::Empty, |c| colour_cell(c.colour, lang))
                }));
                row
            })
            .collect(),
    };

    let total = lang.pick("合计", "Total");
    let mut groups_rows = Vec::new();
    let mut block = |dimension: &str, list: &[GroupSummary]| {
        if list.is_empty() {
            return;
        }
        for g in list {
            groups_rows.push(group_row(dimension, lang.pick(&g.name_zh, &g.name_en), g));
        }
        groups_rows.push(group_row(dimension, total, &b.overall));
    };
    block(
        lang.pick("学科群", "Discipline group"),
        &b.discipline_groups,
    );
    block(
        lang.pick("会员规模", "Membership band"),
        &b.membership_bands,
    );
    if b.rules.peer_group != [PeerDimension::DisciplineGroup] {
        block(lang.pick("同类组", "Peer group"), &b.peer_groups);
    }
    let groups = Table {
        id: "groups",
        name_zh: "分组统计",
        name_en: "Groups",
        columns: columns(GROUP_COLUMNS),
        rows: groups_rows,
    };

    let tasks = Table {
        id: "tasks",
        name_zh: "各任务",
        name_en: "Tasks",
        columns: columns(TASK_COLUMNS),
        rows: b
            .tasks
            .iter()
            .map(|s| {
                vec![
                    n(s.number),
                    t(lang.pick(s.class.label_zh(), s.class.label_en())),
                    t(lang.pick(&s.title_zh, &s.title_en)),
                    n(s.planned),
                    n(s.colours.red),
                    n(s.colours.yellow),
                    n(s.colours.green),
                    n(s.colours.grey),
                    ratio_cell(&s.shares.red),
                    ratio_cell(&s.shares.yellow),
                    ratio_cell(&s.shares.green),
                    ratio_cell(&s.shares.grey),
                ]
            })
            .collect(),
    };

    let lagging = Table {
        id: "lagging",
        name_zh: "预警名单",
        name_en: "Lagging list",
        columns: columns(LAGGING_COLUMNS),
        rows: b
            .lagging
            .iter()
            .map(|l| {
                let why: Vec<&str> = l
                    .why
                    .iter()
                    .map(|w| lang.pick(&w.text_zh, &w.text_en))
                    .collect();
                vec![
                    t(group_name(&b.peer_groups, &l.peer_group, lang)),
                    opt(l.peer_rank),
                    t(l.code.clone()),
                    t(society_name(&l.name_zh, &l.name_en, lang)),
                    t(why.join(lang.pick("；", "; "))),
                    t(lang.pick(&l.appearance_zh, &l.appearance_en)),
                ]
            })
            .collect(),
    };

    vec![societies, matrix, groups, tasks, lagging]
}

/// A CSV cell that a spreadsheet will not run as a formula: a cell starting with `=`, `+`,
/// `-`, `@`, a tab or a carriage return gets a leading `'` (OWASP "CSV injection").
pub fn neutralise(cell: &str) -> Cow<'_, str> {
    match cell.as_bytes().first() {
        Some(b'=' | b'+' | b'-' | b'@' | b'\t' | b'\r') => Cow::Owned(format!("'{cell}")),
        _ => Cow::Borrowed(cell),
    }
}

/// One CSV field: neutralised, then quoted (RFC 4180) when it holds `,`, `"`, CR or LF.
fn field(cell: &str) -> String {
    let cell = neutralise(cell);
    if cell.contains([',', '"', '\r', '\n']) {
        format!("\"{}\"", cell.replace('"', "\"\""))
    } else {
        cell.into_owned()
    }
}

/// The table as CSV text (R-PUB-1): UTF-8 with a byte order mark (so that spreadsheet
/// programs read the Chinese correctly), CRLF line ends, headers in `lang`, every cell
/// neutralised ([`neutralise`]) and quoted where needed.
pub fn csv(table: &Table, lang: Lang) -> String {
    let mut out = String::from("\u{feff}");
    let line = |cells: Vec<String>| cells.join(",") + "\r\n";
    out.push_str(&line(table.headers(lang).into_iter().map(field).collect()));
    for row in &table.rows {
        out.push_str(&line(row.iter().map(|c| field(&c.text())).collect()));
    }
    out
}

/// A society's name in the table's language: the English name when there is one.
fn society_name(zh: &str, en: &str, lang: Lang) -> String {
    match lang {
        Lang::En if !en.is_empty() => en.to_owned(),
        _ => zh.to_owned(),
    }
}

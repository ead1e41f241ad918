//! Downloads: tables, column order, totals, CSV neutralisation (R-PUB-1).

use super::*;

#[test]
fn csv_cells_that_could_be_formulas_are_neutralised() {
    let cases = [
        ("=1+2", "'=1+2"),
        ("+1", "'+1"),
        ("-1", "'-1"),
        ("@SUM(A1:A2)", "'@SUM(A1:A2)"),
        ("\tcmd", "'\tcmd"),
        ("\rcmd", "'\rcmd"),
        ("=HYPERLINK(\"http://x\")", "'=HYPERLINK(\"http://x\")"),
    ];
    for (cell, want) in cases {
        assert_eq!(neutralise(cell), want, "{cell:?}");
    }
    // Anything else is left alone.
    for cell in [
        "",
        "a=b",
        "1-2",
        "中国数学会",
        "'x",
        "87.5%",
        "● 红色",
        "第2次",
        "\nx",
    ] {
        assert_eq!(neutralise(cell), cell, "{cell:?}");
    }
}

#[test]
fn csv_text_is_bom_crlf_quoted_and_neutralised() {
    let t = Table {
        id: "x",
        name_zh: "x",
        name_en: "x",
        columns: vec![
            Column {
                id: "a".to_owned(),
                zh: "甲".to_owned(),
                en: "A, first".to_owned(),
            },
            Column {
                id: "b".to_owned(),
                zh: "乙".to_owned(),
                en: "B".to_owned(),
            },
        ],
        rows: vec![
            vec![
                Cell::Text("=HYPERLINK(\"x\",\"y\")".to_owned()),
                Cell::Int(-5),
            ],
            vec![Cell::Text("line\nbreak".to_owned()), Cell::Empty],
            vec![Cell::Text("中文".to_owned()), Cell::Int(42)],
        ],
    };
    assert_eq!(
        csv(&t, Lang::En),
        "\u{feff}\"A, first\",B\r\n\"'=HYPERLINK(\"\"x\"\",\"\"y\"\")\",'-5\r\n\"line\nbreak\",\r\n中文,42\r\n"
    );
    assert_eq!(csv(&t, Lang::Zh).lines().next(), Some("\u{feff}甲,乙"));
}

#[test]
fn column_ids_and_headers_are_stable() {
    let ids: Vec<&str> = SOCIETY_COLUMNS.iter().map(|c| c.0).collect();
    assert_eq!(
        ids,
        [
            "code",
            "name",
            "discipline_group",
            "membership_band",
            "members",
            "election_year",
            "plan_status",
            "colour",
            "reasons",
            "reports_expected",
            "reports_received",
            "received_rate",
            "reports_on_time",
            "on_time_rate",
            "targets_total",
            "targets_due",
            "targets_met",
            "targets_overdue",
            "peer_group",
            "peer_rank",
            "lagging",
            "change",
            "received_change",
            "on_time_change",
        ]
    );
    let zh: Vec<&str> = SOCIETY_COLUMNS.iter().map(|c| c.1).collect();
    assert_eq!(
        zh,
        [
            "学会代码",
            "学会名称",
            "学科群",
            "会员规模",
            "个人会员数",
            "本年换届",
            "改革方案",
            "状态",
            "原因",
            "应报月报",
            "已报月报",
            "报送率",
            "按时报送",
            "按时报送率",
            "目标数",
            "已到期目标",
            "已达成目标",
            "逾期未完成目标",
            "同类组",
            "组内排名",
            "预警",
            "较上期",
            "报送率变化",
            "按时报送率变化",
        ]
    );
    let group_ids: Vec<&str> = GROUP_COLUMNS.iter().map(|c| c.0).collect();
    assert_eq!(
        group_ids,
        [
            "dimension",
            "group",
            "societies",
            "red",
            "yellow",
            "green",
            "grey",
            "red_share",
            "yellow_share",
            "green_share",
            "grey_share",
            "reports_expected",
            "reports_received",
            "received_rate",
            "reports_on_time",
            "on_time_rate",
            "targets_total",
            "targets_due",
            "targets_met",
            "targets_overdue",
            "lagging",
        ]
    );
    let task_ids: Vec<&str> = TASK_COLUMNS.iter().map(|c| c.0).collect();
    assert_eq!(
        task_ids,
        [
            "task",
            "class",
            "title",
            "planned",
            "red",
            "yellow",
            "green",
            "grey",
            "red_share",
            "yellow_share",
            "green_share",
            "grey_share",
        ]
    );
    let lagging_ids: Vec<&str> = LAGGING_COLUMNS.iter().map(|c| c.0).collect();
    assert_eq!(
        lagging_ids,
        [
            "peer_group",
            "peer_rank",
            "code",
            "name",
            "why",
            "appearance"
        ]
    );
    // Every id and header is unique within its table; both languages are filled in.
    for spec in [
        SOCIETY_COLUMNS,
        GROUP_COLUMNS,
        TASK_COLUMNS,
        LAGGING_COLUMNS,
    ] {
        for (i, a) in spec.iter().enumerate() {
            assert!(!a.1.is_empty() && !a.2.is_empty());
            for b in &spec[i + 1..] {
                assert!(a.0 != b.0 && a.1 != b.1 && a.2 != b.2, "{a:?} {b:?}");
            }
        }
    }
}

/// Two bulletins of the built-in catalogue (bands and peer groups), the second compared with
/// the first.
fn two() -> Bulletin {
    let c = cat();
    let mut chain = Vec::new();
    let with = |code: &str, g: &str, colour: Colour, r: RateCell, members: Option<i64>| {
        let mut s = soc(code, g, colour, r);
        s.members = members;
        s
    };
    publish(
        &c,
        &mut chain,
        &input(
            6,
            bj(2017, 7, 6, 9, 0, 0),
            vec![
                with("A-01", "A", Colour::Green, cell(1, 1, 1), Some(30_000)),
                with("A-02", "A", Colour::Green, cell(1, 1, 1), Some(5_000)),
                with("C-01", "C", Colour::Red, cell(1, 0, 0), Some(150_000)),
            ],
        ),
    );
    publish(
        &c,
        &mut chain,
        &input(
            7,
            bj(2017, 8, 6, 9, 0, 0),
            vec![
                with("A-01", "A", Colour::Red, cell(2, 1, 0), Some(30_000)),
                with("A-02", "A", Colour::Yellow, cell(2, 2, 1), Some(5_000)),
                with("A-03", "A", Colour::Green, cell(2, 2, 2), Some(5_000)),
                with("B-01", "B", Colour::Green, cell(2, 2, 2), None),
                with("B-02", "B", Colour::Grey, cell(0, 0, 0), Some(200_000)),
                with("C-01", "C", Colour::Red, cell(2, 0, 0), Some(150_000)),
            ],
        ),
    )
}

fn texts(row: &[Cell]) -> Vec<String> {
    row.iter().map(|c| c.text().into_owned()).collect()
}

#[test]
fn society_rows_in_both_languages() {
    let b = two();
    let ts = tables(&b, Lang::Zh);
    let ids: Vec<&str> = ts.iter().map(|t| t.id).collect();
    assert_eq!(ids, ["societies", "matrix", "groups", "tasks", "lagging"]);
    let s = &ts[0];
    assert_eq!(s.name(Lang::Zh), "学会");
    assert_eq!(s.headers(Lang::En)[0], "Code");
    assert_eq!(
        texts(&s.rows[0]),
        [
            "A-01",
            "学会A-01",
            "理科",
            "个人会员2万以上且不足10万人",
            "",
            "否",
            "已通过",
            "● 红色",
            "",
            "2",
            "1",
            "50%",
            "0",
            "0%",
            "1",
            "0",
            "0",
            "0",
            "理科 · 个人会员2万以上且不足10万人",
            "1",
            "第1次",
            "下滑",
            "下降 50 个百分点",
            "下降 100 个百分点",
        ]
    );
    let en = tables(&b, Lang::En);
    assert_eq!(
        texts(&en[0].rows[1])[..],
        [
            "A-02",
            "学会A-02",
            "Science",
            "under 20,000 individual members",
            "",
            "No",
            "Accepted",
            "▲ Yellow",
            "",
            "2",
            "2",
            "100%",
            "1",
            "50%",
            "1",
            "0",
            "0",
            "0",
            "Science · under 20,000 individual members",
            "2",
            "",
            "worse",
            "unchanged",
            "down 50 points",
        ]
    );
    // Numbers are number cells (for .xlsx).
    assert_eq!(ts[0].rows[0][9], Cell::Int(2));
    // The grey society: no plan, nothing expected.
    let grey = en[0]
        .rows
        .iter()
        .find(|r| r[0] == Cell::Text("B-02".to_owned()))
        .unwrap();
    assert_eq!(
        texts(grey)[6..14],
        [
            "Not started",
            "– Grey",
            "No accepted reform plan yet: progress is not judged.",
            "0",
            "0",
            "—",
            "0",
            "—"
        ]
    );
    // No cell of any table starts with a minus sign (changes are words).
    for t in ts.iter().chain(en.iter()) {
        for row in &t.rows {
            for c in row {
                assert!(!c.text().starts_with('-'), "{} {c:?}", t.id);
            }
        }
    }
}

#[test]
fn matrix_has_a_column_per_task() {
    let b = two();
    let m = &tables(&b, Lang::En)[1];
    let ids: Vec<&str> = m.columns.iter().map(|c| c.id.as_str()).collect();
    assert_eq!(ids.len(), 3 + 24);
    assert_eq!(
        ids[..5],
        ["code", "name", "discipline_group", "task_1", "task_2"]
    );
    assert_eq!(ids[26], "task_24");
    assert_eq!(m.headers(Lang::Zh)[3], "任务1");
    assert_eq!(m.headers(Lang::En)[3], "Task 1");
    assert_eq!(texts(&m.rows[0])[3..5], ["● Red", ""]);
    let zh = &tables(&b, Lang::Zh)[1];
    assert_eq!(texts(&zh.rows[1])[3], "▲ 黄色");
}

/// A percentage text as per-mille: "33.4%" → 334, "100%" → 1000.
fn permille(text: &str) -> u32 {
    let t = text.trim_end_matches('%');
    match t.split_once('.') {
        Some((a, b)) => a.parse::<u32>().unwrap() * 10 + b.parse::<u32>().unwrap(),
        None => t.parse::<u32>().unwrap() * 10,
    }
}

#[test]
fn every_total_adds_up_from_the_rounded_rows() {
    let b = two();
    let g = &tables(&b, Lang::Zh)[2];
    let col = |id: &str| g.columns.iter().position(|c| c.id == id).unwrap();
    let int = |row: &[Cell], id: &str| match &row[col(id)] {
        Cell::Int(n) => *n,
        other => panic!("{id}: {other:?}"),
    };
    // Blocks: discipline group, membership band, peer group; each ends with its total.
    let dims: Vec<String> = g.rows.iter().map(|r| r[0].text().into_owned()).collect();
    let mut blocks: Vec<(String, Vec<&Vec<Cell>>)> = Vec::new();
    for (d, r) in dims.iter().zip(&g.rows) {
        match blocks.last_mut() {
            Some((bd, rows)) if bd == d => rows.push(r),
            _ => blocks.push((d.clone(), vec![r])),
        }
    }
    let names: Vec<&str> = blocks.iter().map(|(d, _)| d.as_str()).collect();
    assert_eq!(names, ["学科群", "会员规模", "同类组"]);
    let counts = [
        "societies",
        "red",
        "yellow",
        "green",
        "grey",
        "reports_expected",
        "reports_received",
        "reports_on_time",
        "targets_total",
        "targets_due",
        "targets_met",
        "targets_overdue",
        "lagging",
    ];
    for (d, rows) in &blocks {
        let (total, parts) = rows.split_last().unwrap();
        assert_eq!(total[1], Cell::Text("合计".to_owned()), "{d}");
        for id in counts {
            let sum: i64 = parts.iter().map(|r| int(r, id)).sum();
            assert_eq!(sum, int(total, id), "{d}: {id}");
        }
        // Shares of every row, the total's too, add up to 100%.
        for r in rows {
            let s: u32 = ["red_share", "yellow_share", "green_share", "grey_share"]
                .iter()
                .map(|id| permille(&r[col(id)].text()))
                .sum();
            assert_eq!(s, 1000, "{d}: {:?}", texts(r));
        }
    }
    // Discipline groups: A 3, B 2, C 1; total 6 with the rates from the summed counts:
    // received 7 of 10 = 70%, on time 5 of 10 = 50%; shares of 2 red, 1 yellow, 2 green,
    // 1 grey by largest remainder: 333 + 167 + 333 + 167.
    let (_, rows) = &blocks[0];
    let total = texts(rows.last().unwrap());
    assert_eq!(
        total,
        [
            "学科群",
            "合计",
            "6",
            "2",
            "1",
            "2",
            "1",
            "33.3%",
            "16.7%",
            "33.3%",
            "16.7%",
            "10",
            "7",
            "70%",
            "5",
            "50%",
            "5",
            "0",
            "0",
            "0",
            "2",
        ]
    );
    let a = texts(rows[0]);
    assert_eq!(
        a,
        [
            "学科群",
            "理科",
            "3",
            "1",
            "1",
            "1",
            "0",
            "33.4%",
            "33.3%",
            "33.3%",
            "0%",
            "6",
            "5",
            "83.3%",
            "3",
            "50%",
            "3",
            "0",
            "0",
            "0",
            "1",
        ]
    );
    let bands: Vec<String> = blocks[1]
        .1
        .iter()
        .map(|r| r[1].text().into_owned())
        .collect();
    assert_eq!(
        bands,
        [
            "个人会员不足2万人",
            "个人会员2万以上且不足10万人",
            "个人会员10万人及以上",
            "会员数未报",
            "合计"
        ]
    );
}

#[test]
fn default_peer_groups_are_not_repeated_in_the_groups_table() {
    let c = crate::catalogue::parse(&source_with(""), "x.toml").unwrap();
    let b = build(
        &c,
        &input(
            6,
            bj(2017, 7, 6, 9, 0, 0),
            vec![soc("A-01", "A", Colour::Green, cell(1, 1, 1))],
        ),
        &[],
    )
    .unwrap();
    let g = &tables(&b, Lang::En)[2];
    let rows: Vec<Vec<String>> = g.rows.iter().map(|r| texts(r)[..3].to_vec()).collect();
    assert_eq!(
        rows,
        [
            ["Discipline group", "Science", "1"],
            ["Discipline group", "Total", "1"],
        ]
    );
}

#[test]
fn lagging_table_lists_why_and_how_often() {
    let b = two();
    let l = &tables(&b, Lang::Zh)[4];
    let rows: Vec<Vec<String>> = l.rows.iter().map(|r| texts(r)).collect();
    assert_eq!(
        rows,
        [
            [
                "理科 · 个人会员2万以上且不足10万人",
                "1",
                "A-01",
                "学会A-01",
                "状态为红色",
                "第1次"
            ],
            [
                "农科 · 个人会员10万人及以上",
                "1",
                "C-01",
                "学会C-01",
                "状态为红色",
                "第2次"
            ],
        ]
    );
}

/// English names (R-PUB-1): a row carries `name_en` only when the registry has one (so an
/// earlier bulletin without it reads and hashes the same); the lagging entry repeats it; the
/// English tables use it, the Chinese ones the registered name; without one the English table
/// shows the Chinese name.
#[test]
fn english_names_in_rows_lagging_and_tables() {
    let c = cat();
    let mut named = soc("A-01", "A", Colour::Red, cell(1, 0, 0));
    named.name_en = " Chinese Mathematical Society ".to_owned();
    let plain = soc("A-02", "A", Colour::Red, cell(1, 0, 0));
    let mut chain = Vec::new();
    let b = publish(
        &c,
        &mut chain,
        &input(6, bj(2017, 7, 6, 9, 0, 0), vec![named, plain]),
    );
    let v: serde_json::Value = serde_json::from_slice(&chain[0].bytes).unwrap();
    let rows = v["societies"].as_array().unwrap();
    assert_eq!(rows[0]["name_en"], "Chinese Mathematical Society");
    assert!(rows[1].get("name_en").is_none(), "{}", rows[1]);
    let lag = v["lagging"].as_array().unwrap();
    assert_eq!(lag.len(), 2);
    assert_eq!(lag[0]["name_en"], "Chinese Mathematical Society");
    assert!(lag[1].get("name_en").is_none(), "{}", lag[1]);
    // The bytes read back into the same bulletin and are consistent as a downloaded file.
    assert_eq!(parse(&chain[0].bytes).unwrap(), b);
    assert!(verify_file(&chain[0].bytes, Some(&chain[0].sha256)).is_ok());
    // Tables: English name in English, registered name in Chinese, fallback to Chinese.
    let en = tables(&b, Lang::En);
    let zh = tables(&b, Lang::Zh);
    assert_eq!(texts(&en[0].rows[0])[1], "Chinese Mathematical Society");
    assert_eq!(texts(&en[0].rows[1])[1], "学会A-02");
    assert_eq!(texts(&zh[0].rows[0])[1], "学会A-01");
    assert_eq!(texts(&en[1].rows[0])[1], "Chinese Mathematical Society");
    assert_eq!(texts(&en[4].rows[0])[3], "Chinese Mathematical Society");
    assert_eq!(texts(&zh[4].rows[0])[3], "学会A-01");
    // A lagging entry whose English name differs from its row is not consistent.
    let mut tampered = b.clone();
    tampered.lagging[0].name_en = "Someone Else".to_owned();
    let bytes = canonical_bytes(&tampered).unwrap();
    assert!(!verify_file(&bytes, None).is_ok());
}

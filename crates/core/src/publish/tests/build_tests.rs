//! Building bulletins: numbering, validation, peer groups, ranks, the lagging list, changes,
//! summaries (R-PUB-1, R-PUB-2).

use super::*;

fn catalogue_default() -> Catalogue {
    crate::catalogue::parse(&source_with(""), "x.toml").unwrap()
}

fn codes(b: &Bulletin) -> Vec<&str> {
    b.lagging.iter().map(|l| l.code.as_str()).collect()
}

#[test]
fn first_bulletin_is_number_one_without_a_previous_hash() {
    let c = cat();
    let at = bj(2017, 7, 6, 10, 0, 0) + chrono::Duration::milliseconds(250);
    let b = build(
        &c,
        &input(6, at, vec![soc("A-01", "A", Colour::Green, cell(1, 1, 1))]),
        &[],
    )
    .unwrap();
    assert_eq!(b.format, 1);
    assert_eq!(b.number, 1);
    assert_eq!((b.year, b.month), (2017, 6));
    assert_eq!(b.title_zh, "学会改革动态监测通报 第1期（2017年6月）");
    assert_eq!(
        b.title_en,
        "Society Reform Monitoring Bulletin No. 1 (June 2017)"
    );
    assert_eq!(b.published_at.to_string(), "2017-07-06T02:00:00Z");
    assert_eq!(b.prev_sha256, None);
    assert_eq!(b.audit_head, Some(head()));
    assert_eq!(b.compared_with, None);
    assert!(b.corrects.is_empty());
    assert_eq!(b.correction_note_zh, None);
    assert_eq!(b.societies[0].change, None);
    assert_eq!(b.tasks.len(), 24);
    assert_eq!(b.tasks[7].class, crate::catalogue::TaskClass::Election);
    assert_eq!(b.tasks[0].title_zh, "建立务实高效的会议制度");
    let symbols: Vec<(&str, &str)> = b
        .legend
        .colours
        .iter()
        .map(|c| (c.colour.as_str(), c.symbol.as_str()))
        .collect();
    assert_eq!(
        symbols,
        [("red", "●"), ("yellow", "▲"), ("green", "✓"), ("grey", "–")]
    );
}

#[test]
fn publication_time_boundaries() {
    let c = cat();
    let s = || vec![soc("A-01", "A", Colour::Green, cell(1, 1, 1))];
    // July begins at 2017-07-01 00:00 Beijing time (2017-06-30 16:00 UTC).
    assert!(build(&c, &input(7, bj(2017, 7, 1, 0, 0, 0), s()), &[]).is_ok());
    let e = build(&c, &input(7, bj(2017, 6, 30, 23, 59, 59), s()), &[]).unwrap_err();
    assert_eq!(e.field, "published_at");
    assert_eq!(
        e.message_en,
        "a bulletin for 2017-07 cannot be published before that month begins"
    );
    assert_eq!(e.message_zh, "2017年7月的通报不能在该月开始之前发布。");
    // Not before the previous bulletin; the same second is fine.
    let mut chain = Vec::new();
    publish(&c, &mut chain, &input(7, bj(2017, 8, 6, 10, 0, 0), s()));
    let e = build(&c, &input(8, bj(2017, 8, 6, 9, 59, 59), s()), &chain).unwrap_err();
    assert_eq!(e.field, "published_at");
    assert!(e.message_en.contains("is before bulletin No. 1's"), "{e}");
    let b = build(&c, &input(8, bj(2017, 8, 6, 10, 0, 0), s()), &chain).unwrap();
    assert_eq!(b.number, 2);
    assert_eq!(
        b.prev_sha256.as_ref().map(Sha256Hex::as_str),
        Some(chain[0].sha256.as_str())
    );
    // The month must be one of the catalogue year.
    let mut i = input(7, bj(2018, 8, 6, 10, 0, 0), s());
    i.month = Month::new(2018, 7).unwrap();
    let e = build(&c, &i, &[]).unwrap_err();
    assert_eq!(e.field, "month");
    assert_eq!(
        e.message_en,
        "the month must be one of 1..=12 of 2017, got 2018-07"
    );
}

#[test]
fn corrections_are_checked() {
    let c = cat();
    let s = || vec![soc("A-01", "A", Colour::Green, cell(1, 1, 1))];
    let mut chain = Vec::new();
    publish(&c, &mut chain, &input(6, bj(2017, 7, 6, 10, 0, 0), s()));
    let with = |corrects: Vec<u32>, zh: &str, en: &str| {
        let mut i = input(6, bj(2017, 7, 8, 10, 0, 0), s());
        i.correction = Some(Correction {
            corrects,
            note_zh: zh.to_owned(),
            note_en: en.to_owned(),
        });
        build(&c, &i, &chain)
    };
    let b = with(vec![1], " 更正说明 ", "Why").unwrap();
    assert_eq!(b.corrects, vec![1]);
    assert_eq!(b.correction_note_zh.as_deref(), Some("更正说明"));
    assert_eq!(b.correction_note_en.as_deref(), Some("Why"));
    // The corrected bulletin is not compared with.
    assert_eq!(b.compared_with, None);
    let err = |r: Result<Bulletin, BuildError>| {
        let e = r.unwrap_err();
        (e.field, e.message_en)
    };
    assert_eq!(
        err(with(vec![2], "z", "e")),
        (
            "correction.corrects".to_owned(),
            "No. 2 is not a published bulletin (published: 1..=1)".to_owned()
        )
    );
    assert_eq!(err(with(vec![0], "z", "e")).0, "correction.corrects");
    assert_eq!(
        err(with(vec![1, 1], "z", "e")).1,
        "No. 1 is listed twice".to_owned()
    );
    assert_eq!(
        err(with(vec![], "z", "e")).1,
        "a correction must name the bulletins it corrects"
    );
    assert_eq!(err(with(vec![1], "  ", "e")).0, "correction.note_zh");
    assert_eq!(err(with(vec![1], "z", "")).0, "correction.note_en");
}

#[test]
fn societies_are_checked() {
    let c = cat();
    let at = bj(2017, 7, 6, 10, 0, 0);
    let field =
        |societies: Vec<PublicSociety>| build(&c, &input(6, at, societies), &[]).unwrap_err().field;
    let ok = || soc("A-01", "A", Colour::Green, cell(1, 1, 1));
    assert_eq!(field(vec![]), "societies");
    assert_eq!(field(vec![ok(), ok()]), "societies[1].code");
    let mut s = ok();
    s.code = " A-01".to_owned();
    assert_eq!(field(vec![s]), "societies[0].code");
    let mut s = ok();
    s.name_zh = " ".to_owned();
    assert_eq!(field(vec![s]), "societies[0].name_zh");
    let mut s = ok();
    s.group.id = "all".to_owned();
    assert_eq!(field(vec![s]), "societies[0].group");
    let mut s = soc("A-02", "A", Colour::Green, cell(1, 1, 1));
    s.group.name_en = "Sciences".to_owned();
    assert_eq!(field(vec![ok(), s]), "societies[1].group");
    let mut s = ok();
    s.members = Some(-1);
    assert_eq!(field(vec![s]), "societies[0].members");
    assert_eq!(
        field(vec![soc("A-01", "A", Colour::Green, cell(1, 0, 1))]),
        "societies[0].reports"
    );
    assert_eq!(
        field(vec![soc("A-01", "A", Colour::Green, cell(1, 2, 0))]),
        "societies[0].reports"
    );
    // Without an accepted plan nothing is expected.
    let mut s = ok();
    s.plan = PublicPlanStatus::Submitted;
    assert_eq!(field(vec![s]), "societies[0].reports");
    let mut s = ok();
    s.status.tasks[0].task = 25;
    assert_eq!(field(vec![s]), "societies[0].status.tasks");
    let mut s = ok();
    let t = s.status.tasks[0].clone();
    s.status.tasks.push(t);
    assert_eq!(field(vec![s]), "societies[0].status.tasks");
    for bad in [
        progress(1, 0, 2, 0),
        progress(1, 2, 0, 0),
        progress(2, 1, 0, 2),
        progress(2, 2, 1, 2),
    ] {
        let mut s = ok();
        s.status.tasks[0].targets = bad;
        assert_eq!(field(vec![s]), "societies[0].status.tasks", "{bad:?}");
    }
    // The limits themselves are fine.
    let mut s = ok();
    s.status.tasks[0].targets = progress(3, 2, 1, 2);
    assert!(build(&c, &input(6, at, vec![s]), &[]).is_ok());
}

#[test]
fn membership_bands_and_peer_groups() {
    let c = cat();
    let with = |code: &str, g: &str, members: Option<i64>| {
        let mut s = soc(code, g, Colour::Green, cell(1, 1, 1));
        s.members = members;
        s
    };
    let societies = vec![
        with("B-01", "B", Some(5)),
        with("A-04", "A", None),
        with("A-03", "A", Some(100_000)),
        with("A-02", "A", Some(20_000)),
        with("A-01", "A", Some(19_999)),
    ];
    let b = build(
        &c,
        &input(6, bj(2017, 7, 6, 10, 0, 0), societies.clone()),
        &[],
    )
    .unwrap();
    let rows: Vec<(&str, Option<&str>, &str, Option<i64>)> = b
        .societies
        .iter()
        .map(|r| {
            (
                r.code.as_str(),
                r.membership_band.as_deref(),
                r.peer_group.as_str(),
                r.members,
            )
        })
        .collect();
    assert_eq!(
        rows,
        [
            ("A-01", Some("under-20k"), "A/under-20k", None),
            ("A-02", Some("20k-100k"), "A/20k-100k", None),
            ("A-03", Some("100k-plus"), "A/100k-plus", None),
            ("A-04", Some("unknown"), "A/unknown", None),
            ("B-01", Some("under-20k"), "B/under-20k", None),
        ]
    );
    let peers: Vec<(&str, &str, &str, u32)> = b
        .peer_groups
        .iter()
        .map(|g| {
            (
                g.key.as_str(),
                g.name_zh.as_str(),
                g.name_en.as_str(),
                g.societies,
            )
        })
        .collect();
    assert_eq!(
        peers,
        [
            (
                "A/under-20k",
                "理科 · 个人会员不足2万人",
                "Science · under 20,000 individual members",
                1
            ),
            (
                "A/20k-100k",
                "理科 · 个人会员2万以上且不足10万人",
                "Science · 20,000 to under 100,000 individual members",
                1
            ),
            (
                "A/100k-plus",
                "理科 · 个人会员10万人及以上",
                "Science · 100,000 individual members or more",
                1
            ),
            (
                "A/unknown",
                "理科 · 会员数未报",
                "Science · Member count not reported",
                1
            ),
            (
                "B/under-20k",
                "工科 · 个人会员不足2万人",
                "Engineering · under 20,000 individual members",
                1
            ),
        ]
    );
    let bands: Vec<(&str, u32)> = b
        .membership_bands
        .iter()
        .map(|g| (g.key.as_str(), g.societies))
        .collect();
    assert_eq!(
        bands,
        [
            ("under-20k", 2),
            ("20k-100k", 1),
            ("100k-plus", 1),
            ("unknown", 1)
        ]
    );
    let groups: Vec<(&str, &str, &str, u32)> = b
        .discipline_groups
        .iter()
        .map(|g| {
            (
                g.key.as_str(),
                g.name_zh.as_str(),
                g.name_en.as_str(),
                g.societies,
            )
        })
        .collect();
    assert_eq!(
        groups,
        [("A", "理科", "Science", 4), ("B", "工科", "Engineering", 1)]
    );
    // The count is published only when the catalogue says so.
    let src = crate::catalogue::BUILTIN_2017_SOURCE;
    let section = &src[src.find("\n[publication]\n").unwrap() + 1..];
    let shown = cat_with(&section.replace("show_member_count = false", "show_member_count = true"));
    assert!(shown.publication.show_member_count);
    let b = build(&shown, &input(6, bj(2017, 7, 6, 10, 0, 0), societies), &[]).unwrap();
    let members: Vec<Option<i64>> = b.societies.iter().map(|r| r.members).collect();
    assert_eq!(
        members,
        [Some(19_999), Some(20_000), Some(100_000), None, Some(5)]
    );
    // No bands: no band, and the peer group is the discipline group.
    let b = build(
        &catalogue_default(),
        &input(
            6,
            bj(2017, 7, 6, 10, 0, 0),
            vec![with("A-01", "A", Some(5))],
        ),
        &[],
    )
    .unwrap();
    assert_eq!(b.societies[0].membership_band, None);
    assert_eq!(b.societies[0].peer_group, "A");
    assert!(b.membership_bands.is_empty());
    // No dimension: one peer group of everyone.
    let b = build(
        &cat_with("[publication]\npeer_group = []\n"),
        &input(
            6,
            bj(2017, 7, 6, 10, 0, 0),
            vec![with("A-01", "A", Some(5)), with("B-01", "B", None)],
        ),
        &[],
    )
    .unwrap();
    let peers: Vec<(&str, &str, u32)> = b
        .peer_groups
        .iter()
        .map(|g| (g.key.as_str(), g.name_en.as_str(), g.societies))
        .collect();
    assert_eq!(peers, [("all", "All societies", 2)]);
}

#[test]
fn ranks_are_within_the_peer_group_with_shared_ranks() {
    let c = catalogue_default();
    let societies = vec![
        soc("A-01", "A", Colour::Green, cell(2, 2, 2)),
        soc("A-02", "A", Colour::Green, cell(2, 2, 1)),
        soc("A-03", "A", Colour::Green, cell(2, 2, 1)),
        soc("A-04", "A", Colour::Yellow, cell(2, 2, 2)),
        soc("A-05", "A", Colour::Red, cell(2, 0, 0)),
        soc("A-06", "A", Colour::Grey, cell(0, 0, 0)),
        // Green with nothing expected: after every green with a rate, before yellow.
        soc("A-07", "A", Colour::Green, cell(0, 0, 0)),
        // Another peer group: ranked on its own.
        soc("B-01", "B", Colour::Red, cell(2, 0, 0)),
    ];
    let b = build(&c, &input(6, bj(2017, 7, 6, 10, 0, 0), societies), &[]).unwrap();
    let ranks: Vec<(&str, Option<u32>)> = b
        .societies
        .iter()
        .map(|r| (r.code.as_str(), r.peer_rank))
        .collect();
    assert_eq!(
        ranks,
        [
            ("A-01", Some(1)),
            ("A-02", Some(2)),
            ("A-03", Some(2)),
            ("A-04", Some(5)),
            ("A-05", Some(6)),
            ("A-06", None),
            ("A-07", Some(4)),
            ("B-01", Some(1)),
        ]
    );
}

#[test]
fn lagging_list_never_lists_a_society_that_met_its_targets() {
    let c = catalogue_default();
    let with = |code: &str, colour: Colour, reports: RateCell, targets: TargetProgress| {
        let mut s = soc(code, "A", colour, reports);
        s.status.tasks[0].targets = targets;
        s
    };
    let societies = vec![
        with("A-01", Colour::Red, cell(2, 1, 1), progress(1, 0, 0, 0)),
        // Red, but every target met (2 of 2): never listed.
        with("A-02", Colour::Red, cell(2, 2, 2), progress(2, 1, 2, 0)),
        // Red without any target: listed (it has not "met its targets").
        with("A-03", Colour::Red, cell(2, 0, 0), progress(0, 0, 0, 0)),
        with("A-04", Colour::Yellow, cell(2, 2, 2), progress(1, 0, 0, 0)),
        // Red, one target of two met: listed.
        with("A-05", Colour::Red, cell(2, 2, 2), progress(2, 0, 1, 0)),
        soc("A-06", "A", Colour::Grey, cell(0, 0, 0)),
    ];
    let b = build(&c, &input(6, bj(2017, 7, 6, 10, 0, 0), societies), &[]).unwrap();
    // From the bottom of the ranking: A-03 (5), A-01 (4), A-05 (2; A-02 shares it).
    assert_eq!(codes(&b), ["A-03", "A-01", "A-05"]);
    let l = &b.lagging[1];
    assert_eq!(l.peer_group, "A");
    assert_eq!(l.peer_rank, Some(4));
    assert_eq!(l.name_zh, "学会A-01");
    assert_eq!(
        l.why,
        vec![LaggingWhy {
            code: "colour".to_owned(),
            text_zh: "状态为红色".to_owned(),
            text_en: "status red".to_owned(),
        }]
    );
    assert_eq!(
        (
            l.appearance,
            l.appearance_zh.as_str(),
            l.appearance_en.as_str()
        ),
        (1, "第1次", "1st time")
    );
    assert_eq!(b.overall.lagging, 3);
    assert_eq!(b.discipline_groups[0].lagging, 3);
    assert_eq!(
        b.rules.lagging_zh,
        "满足以下任一条件的学会列入预警名单：状态为红色。已达到全部目标（至少有一个目标）的学会不列入。“第k次”为本年度此前各月通报（每月以最新一期未被更正的通报为准）列入的次数加本期。"
    );
}

#[test]
fn lagging_thresholds_use_the_published_rates() {
    let c = cat_with(
        "[publication]\n[publication.lagging]\ncolours = []\nreceived_below_permille = 800\non_time_below_permille = 500\n",
    );
    let mut exempt = soc("A-06", "A", Colour::Green, cell(1000, 0, 0));
    exempt.status.tasks[0].targets = progress(1, 1, 1, 0);
    let societies = vec![
        // 79.9% < 80%.
        soc("A-01", "A", Colour::Green, cell(1000, 799, 799)),
        // Exactly 80% and 50%: not below.
        soc("A-02", "A", Colour::Green, cell(1000, 800, 500)),
        // Timeliness 49.9% < 50%.
        soc("A-03", "A", Colour::Green, cell(1000, 1000, 499)),
        // Nothing expected: never below.
        soc("A-04", "A", Colour::Green, cell(0, 0, 0)),
        // Red, but colours are not a criterion here.
        soc("A-05", "A", Colour::Red, cell(1000, 1000, 1000)),
        exempt,
        // 1599 of 2000 = 799.5‰, published as 800‰ (half up): not below.
        soc("A-07", "A", Colour::Green, cell(2000, 1599, 1599)),
    ];
    let b = build(&c, &input(6, bj(2017, 7, 6, 10, 0, 0), societies), &[]).unwrap();
    assert_eq!(b.society("A-07").unwrap().reports.received_rate.text, "80%");
    assert_eq!(codes(&b), ["A-03", "A-01"]);
    let why = |code: &str| -> Vec<(String, String, String)> {
        b.lagging
            .iter()
            .find(|l| l.code == code)
            .unwrap()
            .why
            .iter()
            .map(|w| (w.code.clone(), w.text_zh.clone(), w.text_en.clone()))
            .collect()
    };
    assert_eq!(
        why("A-01"),
        [(
            "received-below".to_owned(),
            "报送率 79.9%，低于 80%".to_owned(),
            "reporting rate 79.9%, below 80%".to_owned()
        )]
    );
    assert_eq!(
        why("A-03"),
        [(
            "on-time-below".to_owned(),
            "按时报送率 49.9%，低于 50%".to_owned(),
            "timeliness 49.9%, below 50%".to_owned()
        )]
    );
    assert_eq!(
        b.rules.lagging_en,
        "A society is on the lagging list when its reporting rate is below 80%, or its timeliness is below 50%. A society that has met all its targets (at least one) is never listed. \"k-th time\" counts the earlier months of the year whose bulletin (per month, the latest one not corrected) listed it, plus this one."
    );
}

#[test]
fn repeated_appearances_are_counted_per_month() {
    let c = catalogue_default();
    let mut chain = Vec::new();
    let red = |code: &str| soc(code, "A", Colour::Red, cell(1, 0, 0));
    let green = |code: &str| soc(code, "A", Colour::Green, cell(1, 1, 1));
    let appearances = |b: &Bulletin| -> Vec<(String, u32)> {
        let mut v: Vec<(String, u32)> = b
            .lagging
            .iter()
            .map(|l| (l.code.clone(), l.appearance))
            .collect();
        v.sort();
        v
    };
    let pairs = |v: &[(&str, u32)]| -> Vec<(String, u32)> {
        v.iter().map(|(c, n)| ((*c).to_owned(), *n)).collect()
    };
    // 第1期, June: listed.
    let b1 = publish(
        &c,
        &mut chain,
        &input(
            6,
            bj(2017, 7, 6, 9, 0, 0),
            vec![red("A-01"), red("A-02"), green("A-03")],
        ),
    );
    assert_eq!(appearances(&b1), pairs(&[("A-01", 1), ("A-02", 1)]));
    // 第2期, July.
    let b2 = publish(
        &c,
        &mut chain,
        &input(
            7,
            bj(2017, 8, 6, 9, 0, 0),
            vec![red("A-01"), green("A-02"), red("A-03")],
        ),
    );
    assert_eq!(b2.compared_with, Some(1));
    assert_eq!(appearances(&b2), pairs(&[("A-01", 2), ("A-03", 1)]));
    // 第3期, July again (no correction): the July of 第2期 does not count for July itself.
    let b3 = publish(
        &c,
        &mut chain,
        &input(
            7,
            bj(2017, 8, 7, 9, 0, 0),
            vec![red("A-01"), red("A-02"), red("A-03")],
        ),
    );
    assert_eq!(b3.compared_with, Some(2));
    assert_eq!(
        appearances(&b3),
        pairs(&[("A-01", 2), ("A-02", 2), ("A-03", 1)])
    );
    // 第4期, August: June by 第1期, July by its latest bulletin, 第3期 (which lists all three).
    let b4 = publish(
        &c,
        &mut chain,
        &input(
            8,
            bj(2017, 9, 6, 9, 0, 0),
            vec![red("A-01"), red("A-02"), red("A-03"), red("A-04")],
        ),
    );
    assert_eq!(
        appearances(&b4),
        pairs(&[("A-01", 3), ("A-02", 3), ("A-03", 2), ("A-04", 1)])
    );
    assert_eq!(b4.lagging[0].appearance_zh, "第3次");
    assert_eq!(b4.lagging[0].appearance_en, "3rd time");
    // 第5期 corrects 第4期 (August): A-02 was in fact green.
    let mut i5 = input(
        8,
        bj(2017, 9, 8, 9, 0, 0),
        vec![red("A-01"), green("A-02"), red("A-03"), red("A-04")],
    );
    i5.correction = Some(Correction {
        corrects: vec![4],
        note_zh: "第4期误将学会A-02计为红色。".to_owned(),
        note_en: "No. 4 showed A-02 as red by mistake.".to_owned(),
    });
    let b5 = publish(&c, &mut chain, &i5);
    assert_eq!(b5.compared_with, Some(3));
    assert_eq!(
        appearances(&b5),
        pairs(&[("A-01", 3), ("A-03", 2), ("A-04", 1)])
    );
    // 第6期, September: August counts by 第5期 only (第4期 is superseded), so A-02 has June
    // and July, not August.
    let b6 = publish(
        &c,
        &mut chain,
        &input(
            9,
            bj(2017, 10, 6, 9, 0, 0),
            vec![red("A-01"), red("A-02"), red("A-03"), red("A-04")],
        ),
    );
    assert_eq!(b6.compared_with, Some(5));
    assert_eq!(
        appearances(&b6),
        pairs(&[("A-01", 4), ("A-02", 3), ("A-03", 3), ("A-04", 2)])
    );
    assert_eq!(verify_chain(&chain), Ok(()));
}

#[test]
fn change_since_the_previous_bulletin() {
    let c = catalogue_default();
    let mut chain = Vec::new();
    let june = vec![
        soc("A-01", "A", Colour::Red, cell(1, 0, 0)),
        soc("A-02", "A", Colour::Green, cell(1, 1, 1)),
        soc("A-03", "A", Colour::Yellow, cell(1, 1, 0)),
        soc("A-04", "A", Colour::Grey, cell(0, 0, 0)),
        soc("A-05", "A", Colour::Green, cell(1, 1, 1)),
    ];
    publish(&c, &mut chain, &input(6, bj(2017, 7, 6, 9, 0, 0), june));
    let july = vec![
        soc("A-01", "A", Colour::Green, cell(2, 1, 1)),
        soc("A-02", "A", Colour::Red, cell(2, 1, 1)),
        soc("A-03", "A", Colour::Yellow, cell(2, 2, 1)),
        soc("A-04", "A", Colour::Green, cell(1, 1, 1)),
        soc("A-05", "A", Colour::Green, cell(2, 2, 2)),
        soc("A-06", "A", Colour::Green, cell(1, 1, 1)),
    ];
    let b = publish(&c, &mut chain, &input(7, bj(2017, 8, 6, 9, 0, 0), july));
    assert_eq!(b.compared_with, Some(1));
    type Row<'a> = (
        &'a str,
        Direction,
        Option<Colour>,
        Option<(i64, &'a str, &'a str)>,
        Option<(i64, &'a str, &'a str)>,
    );
    let got: Vec<Row> = b
        .societies
        .iter()
        .map(|r| {
            let c = r.change.as_ref().unwrap();
            fn d(d: &Option<Delta>) -> Option<(i64, &str, &str)> {
                d.as_ref()
                    .map(|d| (d.permille, d.text_zh.as_str(), d.text_en.as_str()))
            }
            (
                r.code.as_str(),
                c.direction,
                c.colour_before,
                d(&c.received_delta),
                d(&c.on_time_delta),
            )
        })
        .collect();
    assert_eq!(
        got,
        [
            (
                "A-01",
                Direction::Better,
                Some(Colour::Red),
                Some((500, "上升 50 个百分点", "up 50 points")),
                Some((500, "上升 50 个百分点", "up 50 points")),
            ),
            (
                "A-02",
                Direction::Worse,
                Some(Colour::Green),
                Some((-500, "下降 50 个百分点", "down 50 points")),
                Some((-500, "下降 50 个百分点", "down 50 points")),
            ),
            (
                "A-03",
                Direction::Same,
                Some(Colour::Yellow),
                Some((0, "持平", "unchanged")),
                Some((500, "上升 50 个百分点", "up 50 points")),
            ),
            (
                "A-04",
                Direction::NotComparable,
                Some(Colour::Grey),
                None,
                None
            ),
            (
                "A-05",
                Direction::Same,
                Some(Colour::Green),
                Some((0, "持平", "unchanged")),
                Some((0, "持平", "unchanged")),
            ),
            ("A-06", Direction::New, None, None, None),
        ]
    );
}

#[test]
fn summaries_add_up_from_the_rows() {
    let c = catalogue_default();
    let societies = vec![
        soc("B-02", "B", Colour::Grey, cell(0, 0, 0)),
        soc("A-01", "A", Colour::Red, cell(2, 1, 1)),
        soc("A-02", "A", Colour::Green, cell(2, 2, 2)),
        soc("B-01", "B", Colour::Yellow, cell(2, 2, 0)),
    ];
    let b = build(&c, &input(6, bj(2017, 7, 6, 10, 0, 0), societies), &[]).unwrap();
    let order: Vec<&str> = b.societies.iter().map(|r| r.code.as_str()).collect();
    assert_eq!(order, ["A-01", "A-02", "B-01", "B-02"]);
    let ratio = |p: u32, t: &str| Ratio {
        permille: Some(p),
        text: t.to_owned(),
    };
    let a = &b.discipline_groups[0];
    assert_eq!(a.key, "A");
    assert_eq!(a.societies, 2);
    assert_eq!(
        a.colours,
        ColourCounts {
            red: 1,
            yellow: 0,
            green: 1,
            grey: 0
        }
    );
    assert_eq!(a.shares.red, ratio(500, "50%"));
    assert_eq!(a.shares.green, ratio(500, "50%"));
    assert_eq!(a.shares.yellow, ratio(0, "0%"));
    assert_eq!(
        (a.reports.expected, a.reports.received, a.reports.on_time),
        (4, 3, 3)
    );
    assert_eq!(a.reports.received_rate, ratio(750, "75%"));
    assert_eq!(a.reports.on_time_rate, ratio(750, "75%"));
    assert_eq!(a.targets, progress(2, 0, 0, 0));
    assert_eq!(a.lagging, 1);
    let bg = &b.discipline_groups[1];
    assert_eq!(bg.reports.received_rate, ratio(1000, "100%"));
    assert_eq!(bg.reports.on_time_rate, ratio(0, "0%"));
    assert_eq!(bg.targets, progress(1, 0, 0, 0));
    assert_eq!(bg.lagging, 0);
    let o = &b.overall;
    assert_eq!((o.key.as_str(), o.societies), ("all", 4));
    for c in [Colour::Red, Colour::Yellow, Colour::Green, Colour::Grey] {
        assert_eq!(o.colours.get(c), 1);
        assert_eq!(o.shares.get(c), &ratio(250, "25%"));
    }
    // 5 of 6 = 833.3‰ → 833; 3 of 6 = 500.
    assert_eq!(o.reports.received_rate, ratio(833, "83.3%"));
    assert_eq!(o.reports.on_time_rate, ratio(500, "50%"));
    assert_eq!(o.targets, progress(3, 0, 0, 0));
    // Task 1: three cells, one of each colour but grey: 1000 / 3 by largest remainder.
    let t1 = &b.tasks[0];
    assert_eq!(t1.planned, 3);
    assert_eq!(t1.shares.red, ratio(334, "33.4%"));
    assert_eq!(t1.shares.yellow, ratio(333, "33.3%"));
    assert_eq!(t1.shares.green, ratio(333, "33.3%"));
    assert_eq!(t1.shares.grey, ratio(0, "0%"));
    // Task 2: planned by nobody: no shares.
    let t2 = &b.tasks[1];
    assert_eq!(t2.planned, 0);
    assert_eq!(
        t2.shares.red,
        Ratio {
            permille: None,
            text: "—".to_owned()
        }
    );
}

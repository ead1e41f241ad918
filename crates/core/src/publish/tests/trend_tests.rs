//! The year's trend for the charts and its data table (R-PUB-1).

use super::*;

#[test]
fn trend_takes_the_latest_uncorrected_bulletin_per_month() {
    let c = cat();
    let mut chain = Vec::new();
    let s = |code: &str, colour: Colour, r: RateCell| soc(code, "A", colour, r);
    // 第1期 June: 1 red, 1 green, 2 grey; reports 1 of 2 on time.
    let b1 = publish(
        &c,
        &mut chain,
        &input(
            6,
            bj(2017, 7, 6, 9, 0, 0),
            vec![
                s("A-01", Colour::Red, cell(1, 0, 0)),
                s("A-02", Colour::Green, cell(1, 1, 1)),
                s("A-03", Colour::Grey, cell(0, 0, 0)),
                s("A-04", Colour::Grey, cell(0, 0, 0)),
            ],
        ),
    );
    // 第2期 July, then 第3期 July again: the later one counts.
    let b2 = publish(
        &c,
        &mut chain,
        &input(
            7,
            bj(2017, 8, 6, 9, 0, 0),
            vec![s("A-01", Colour::Red, cell(2, 0, 0))],
        ),
    );
    let b3 = publish(
        &c,
        &mut chain,
        &input(
            7,
            bj(2017, 8, 7, 9, 0, 0),
            vec![
                s("A-01", Colour::Yellow, cell(2, 1, 1)),
                s("A-02", Colour::Green, cell(2, 2, 2)),
                s("A-03", Colour::Green, cell(1, 1, 0)),
            ],
        ),
    );
    // 第4期 August, corrected by 第5期 (also August).
    let b4 = publish(
        &c,
        &mut chain,
        &input(
            8,
            bj(2017, 9, 6, 9, 0, 0),
            vec![s("A-01", Colour::Red, cell(3, 0, 0))],
        ),
    );
    let mut i5 = input(
        8,
        bj(2017, 9, 7, 9, 0, 0),
        vec![s("A-01", Colour::Green, cell(3, 3, 3))],
    );
    i5.correction = Some(Correction {
        corrects: vec![4],
        note_zh: "更正".to_owned(),
        note_en: "Correction".to_owned(),
    });
    let b5 = publish(&c, &mut chain, &i5);

    // Any order in, chronological out.
    let all = vec![b5, b3, b1, b4, b2];
    let t = trend(&all, 2017);
    assert_eq!(t.year, 2017);
    let points: Vec<(u32, u32, [Option<u32>; 6])> = t
        .points
        .iter()
        .map(|p| {
            (
                p.month,
                p.number,
                [p.green, p.yellow, p.red, p.grey, p.received, p.on_time],
            )
        })
        .collect();
    assert_eq!(
        points,
        [
            // 1 green, 0 yellow, 1 red, 2 grey of 4; 1 of 2 received and on time.
            (
                6,
                1,
                [
                    Some(250),
                    Some(0),
                    Some(250),
                    Some(500),
                    Some(500),
                    Some(500)
                ]
            ),
            // 2 green, 1 yellow of 3 (667 + 333); 4 of 5 received, 3 on time.
            (
                7,
                3,
                [Some(667), Some(333), Some(0), Some(0), Some(800), Some(600)]
            ),
            (
                8,
                5,
                [
                    Some(1000),
                    Some(0),
                    Some(0),
                    Some(0),
                    Some(1000),
                    Some(1000)
                ]
            ),
        ]
    );
    assert_eq!(
        t.points[1].texts,
        [
            "66.7%".to_owned(),
            "33.3%".to_owned(),
            "0%".to_owned(),
            "0%".to_owned(),
            "80%".to_owned(),
            "60%".to_owned()
        ]
    );
    // Shares of every point add up to 1000‰.
    for p in &t.points {
        let sum: u32 = [p.green, p.yellow, p.red, p.grey]
            .iter()
            .map(|x| x.unwrap())
            .sum();
        assert_eq!(sum, 1000);
    }

    let zh = trend_table(&t, Lang::Zh);
    assert_eq!(zh.id, "trend");
    assert_eq!(
        zh.headers(Lang::Zh),
        [
            "月份",
            "通报",
            "绿色占比",
            "黄色占比",
            "红色占比",
            "灰色占比",
            "报送率",
            "按时报送率"
        ]
    );
    let row = |t: &Table, i: usize| -> Vec<String> {
        t.rows[i].iter().map(|c| c.text().into_owned()).collect()
    };
    assert_eq!(
        row(&zh, 0),
        [
            "2017年6月",
            "第1期",
            "25%",
            "0%",
            "25%",
            "50%",
            "50%",
            "50%"
        ]
    );
    let en = trend_table(&t, Lang::En);
    assert_eq!(
        row(&en, 2),
        [
            "Aug 2017", "No. 5", "100%", "0%", "0%", "0%", "100%", "100%"
        ]
    );
    assert_eq!(
        en.headers(Lang::En),
        [
            "Month",
            "Bulletin",
            "Green share",
            "Yellow share",
            "Red share",
            "Grey share",
            "Reporting rate",
            "Timeliness"
        ]
    );

    // Another year: nothing.
    assert!(trend(&all, 2018).points.is_empty());
    assert!(trend(&[], 2017).points.is_empty());
}

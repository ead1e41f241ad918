//! The notice PDF through the public API, checked from the outside with poppler-utils
//! (`pdftotext`, `pdfinfo`, `pdftoppm`, installed by scripts/test-deps) and the Noto CJK fonts
//! of Debian's fonts-noto-cjk (folder: `NOTICE_FONTS_DIR` or the Debian default).

use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::OnceLock;

use reformwatch_notice::{
    CommendedRow, CriticisedRow, DEFAULT_FONTS_DIR, Fonts, Notice, NoticeError, fonts_from_dir,
    render_pdf,
};

fn fonts_dir() -> PathBuf {
    std::env::var_os("NOTICE_FONTS_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(DEFAULT_FONTS_DIR))
}

fn fonts() -> &'static Fonts {
    static FONTS: OnceLock<Fonts> = OnceLock::new();
    FONTS.get_or_init(|| {
        fonts_from_dir(&fonts_dir()).unwrap_or_else(|err| {
            panic!("Noto CJK fonts (scripts/test-deps installs fonts-noto-cjk): {err}")
        })
    })
}

/// 20 commended societies with scores and yuan, 5 criticised with reasons (invented figures,
/// real society names; the notice says it is an example).
fn sample() -> Notice {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/sample-notice.json");
    let text = std::fs::read_to_string(&path).unwrap_or_else(|err| panic!("{path:?}: {err}"));
    serde_json::from_str(&text).unwrap_or_else(|err| panic!("{path:?}: {err}"))
}

struct Scratch(PathBuf);

impl Scratch {
    fn new(name: &str) -> Scratch {
        let dir = std::env::temp_dir().join(format!("rw-notice-{name}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap_or_else(|err| panic!("{dir:?}: {err}"));
        Scratch(dir)
    }
    fn write_pdf(&self, pdf: &[u8]) -> PathBuf {
        let path = self.0.join("notice.pdf");
        std::fs::write(&path, pdf).unwrap_or_else(|err| panic!("{path:?}: {err}"));
        path
    }
}

impl Drop for Scratch {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

/// Runs a poppler tool; a missing tool fails the test (never a silent skip).
fn poppler(tool: &str, args: &[&str]) -> String {
    let output = Command::new(tool)
        .args(args)
        .output()
        .unwrap_or_else(|err| {
            panic!("{tool} (poppler-utils; scripts/test-deps installs it): {err}")
        });
    assert!(
        output.status.success(),
        "{tool} {args:?}: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    String::from_utf8(output.stdout).unwrap_or_else(|err| panic!("{tool} output: {err}"))
}

fn text_of(pdf: &Path, page: u32) -> String {
    let path = pdf.to_string_lossy().into_owned();
    let n = page.to_string();
    poppler(
        "pdftotext",
        &["-f", n.as_str(), "-l", n.as_str(), path.as_str(), "-"],
    )
}

/// Without whitespace: table cells and long reasons wrap, and pdftotext breaks lines there.
fn squeeze(text: &str) -> String {
    text.chars().filter(|c| !c.is_whitespace()).collect()
}

/// The text of every page in order, squeezed, each page's number `— N —` checked (present on
/// its page, the next number absent) and taken out, so a paragraph running over a page break
/// reads as one.
fn body_text(pdf: &Path, page_count: u32) -> String {
    let mut text = String::new();
    for n in 1..=page_count {
        let page = squeeze(&text_of(pdf, n));
        let number = format!("—{n}—");
        assert!(page.contains(&number), "page {n} has no {number}: {page}");
        let next = format!("—{}—", n + 1);
        assert!(!page.contains(&next), "page {n} has {next}: {page}");
        text.push_str(&page.replacen(&number, "", 1));
    }
    text
}

fn pages(pdf: &Path) -> u32 {
    let path = pdf.to_string_lossy().into_owned();
    let info = poppler("pdfinfo", &[path.as_str()]);
    let line = info
        .lines()
        .find(|line| line.starts_with("Pages:"))
        .unwrap_or_else(|| panic!("no page count in {info}"));
    line["Pages:".len()..]
        .trim()
        .parse()
        .unwrap_or_else(|err| panic!("{line}: {err}"))
}

#[test]
fn the_sample_notice_is_an_a4_pdf_with_every_name_amount_and_reason() {
    let notice = sample();
    assert_eq!(notice.commended.len(), 20);
    assert_eq!(notice.criticised.len(), 5);
    let pdf = render_pdf(&notice, fonts()).unwrap_or_else(|err| panic!("{err}"));
    assert!(pdf.starts_with(b"%PDF-"), "not a PDF: {:?}", &pdf[..16]);

    let scratch = Scratch::new("sample");
    let path = scratch.write_pdf(&pdf);
    let path_text = path.to_string_lossy().into_owned();
    let info = poppler("pdfinfo", &[path_text.as_str()]);
    let field = |name: &str| {
        info.lines()
            .find_map(|line| line.strip_prefix(name))
            .map(|rest| rest.trim().to_string())
            .unwrap_or_else(|| panic!("no {name} in {info}"))
    };
    assert_eq!(field("Page size:"), "595.276 x 841.89 pts (A4)");
    assert_eq!(
        field("Title:"),
        "中国科协关于2017年度学会综合治理改革考核结果的通报"
    );
    let page_count = pages(&path);
    assert!((2..=4).contains(&page_count), "{page_count} pages");

    let text = body_text(&path, page_count);
    for expected in [
        "中国科学技术协会文件",
        "科协发学字〔2018〕1号",
        "中国科协关于2017年度学会综合治理改革考核结果的通报",
        "各全国学会：",
        "一、表扬的学会及奖补金额",
        "序号学会名称考核得分奖补金额（元）",
        "二、通报批评的学会及原因",
        "2018年1月15日",
    ] {
        assert!(text.contains(expected), "{expected} missing from:\n{text}");
    }
    for paragraph in &notice.body {
        assert!(text.contains(&squeeze(paragraph)), "{paragraph} missing");
    }
    // Each commended row in order: number, name, score, yuan on one table row.
    for (i, row) in notice.commended.iter().enumerate() {
        let line = format!("{}{}{}{}", i + 1, row.name, row.score, row.yuan);
        assert!(text.contains(&line), "row {line} missing from:\n{text}");
    }
    assert!(text.contains("1中国数学会96.50311,691"), "{text}");
    assert!(text.contains("20中国未来研究会89.36288,629"), "{text}");
    for row in &notice.criticised {
        assert!(text.contains(&row.name), "{} missing", row.name);
        for reason in &row.reasons {
            assert!(text.contains(&squeeze(reason)), "{reason} missing");
        }
    }
    // Two reasons are numbered, a single one is not.
    assert!(
        text.contains("1.基本任务第2项“大力发展个人会员”未完成。2.基本任务第4项"),
        "{text}"
    );
    assert!(!text.contains("1.未提交学会改革方案"), "{text}");
    // The issuing body signs after the lists: its last occurrence follows the last reason.
    let signature = text.rfind("中国科学技术协会2018年1月15日");
    let last_reason = text.rfind("第12、13、21、23项");
    assert!(signature > last_reason && last_reason.is_some(), "{text}");
}

#[test]
fn hostile_text_appears_literally_and_never_runs_as_markup() {
    let hostile = [
        r#"#panic("boom")"#,
        "#set text(fill: red)",
        "*粗体*",
        "_斜体_",
        "$x^2$",
        r"\ 反斜杠 \\",
        "<label>",
        "@ref",
        "[括号]",
        "#{1+1}",
        "= 标题",
        "- 列表",
        "+ 编号",
        "`raw`",
        "a -- b ... c ~ d",
        "/* 注释 */",
        "// 行注释",
        r#"引号"直的"和'单的'"#,
        "#import \"/etc/passwd\"",
        r#"#read("/etc/hostname")"#,
    ];
    let notice = Notice {
        doc_number: "科协发学字〔2018〕#2号".into(),
        title: format!("标题 {}", hostile[2]),
        title_lines: Vec::new(),
        addressee: "各全国学会$：".into(),
        body: hostile.iter().map(|text| format!("正文{text}")).collect(),
        commended: hostile
            .iter()
            .enumerate()
            .map(|(i, text)| CommendedRow {
                name: format!("学会{text}"),
                score: format!("{i}#.5"),
                yuan: format!("*{i}*"),
            })
            .collect(),
        criticised: vec![CriticisedRow {
            name: "中国<b>学会</b>".into(),
            reasons: hostile.iter().map(|text| format!("原因{text}")).collect(),
        }],
        closing: hostile.iter().map(|text| format!("结尾{text}")).collect(),
        issuing_body: "中国#科协".into(),
        date: "2018年1月15日 @today".into(),
        note: "附注#strong[x]".into(),
    };
    let pdf = render_pdf(&notice, fonts()).unwrap_or_else(|err| panic!("{err}"));
    let scratch = Scratch::new("hostile");
    let path = scratch.write_pdf(&pdf);
    let text = body_text(&path, pages(&path));
    for expected in [
        "中国#科协文件".to_string(),
        "科协发学字〔2018〕#2号".into(),
        "标题*粗体*".into(),
        "各全国学会$：".into(),
        "中国<b>学会</b>".into(),
        "2018年1月15日@today".into(),
        "3#.5*3*".into(),
        "附注#strong[x]".into(),
    ] {
        assert!(text.contains(&expected), "{expected} missing from:\n{text}");
    }
    for item in hostile {
        let item = squeeze(item);
        for prefix in ["正文", "学会", "原因", "结尾"] {
            let expected = format!("{prefix}{item}");
            assert!(text.contains(&expected), "{expected} missing from:\n{text}");
        }
    }
    // What markup would have made of them: smart quotes, an en dash, an ellipsis.
    assert!(
        !text.contains('–') && !text.contains('…') && !text.contains('”'),
        "{text}"
    );
}

#[test]
fn an_empty_list_is_left_out_and_the_other_is_numbered_one() {
    let mut notice = sample();
    notice.criticised.clear();
    let pdf = render_pdf(&notice, fonts()).unwrap_or_else(|err| panic!("{err}"));
    let scratch = Scratch::new("no-criticised");
    let path = scratch.write_pdf(&pdf);
    let text = body_text(&path, pages(&path));
    assert!(text.contains("一、表扬的学会及奖补金额"), "{text}");
    assert!(!text.contains("通报批评的学会及原因"), "{text}");

    let mut notice = sample();
    notice.commended.clear();
    let pdf = render_pdf(&notice, fonts()).unwrap_or_else(|err| panic!("{err}"));
    let path = scratch.write_pdf(&pdf);
    let text = body_text(&path, pages(&path));
    assert!(text.contains("一、通报批评的学会及原因"), "{text}");
    assert!(!text.contains("表扬的学会及奖补金额"), "{text}");
}

#[test]
fn closing_paragraphs_follow_the_lists_and_the_note_follows_the_date() {
    let mut notice = sample();
    notice.closing = vec!["其余3个学会完成年度改革任务。".into()];
    let hash = "0123456789abcdef".repeat(4);
    notice.note = format!("本通报所依据的考核结果已公开发布，SHA-256：{hash}");
    let pdf = render_pdf(&notice, fonts()).unwrap_or_else(|err| panic!("{err}"));
    let scratch = Scratch::new("closing");
    let path = scratch.write_pdf(&pdf);
    let text = body_text(&path, pages(&path));
    let closing = text.find("其余3个学会完成年度改革任务。");
    let last_reason = text.rfind("第12、13、21、23项");
    let signature = text.rfind("中国科学技术协会2018年1月15日");
    let note = text.find(&format!("SHA-256：{hash}"));
    assert!(last_reason.is_some() && closing > last_reason, "{text}");
    assert!(signature > closing, "{text}");
    // The 64-character hash is on one line after the date (small type: it fits).
    assert!(note > signature, "{text}");
    // Without closing and note (the sample), neither appears.
    let plain = render_pdf(&sample(), fonts()).unwrap_or_else(|err| panic!("{err}"));
    let path = scratch.write_pdf(&plain);
    let text = body_text(&path, pages(&path));
    assert!(
        !text.contains("其余3个学会") && !text.contains("SHA-256"),
        "{text}"
    );
}

#[test]
fn headings_number_the_lists_that_appear() {
    let mut notice = sample();
    assert_eq!(
        notice.headings(),
        (
            Some("一、表扬的学会及奖补金额".to_string()),
            Some("二、通报批评的学会及原因".to_string())
        )
    );
    notice.commended.clear();
    assert_eq!(
        notice.headings(),
        (None, Some("一、通报批评的学会及原因".to_string()))
    );
    notice.criticised.clear();
    assert_eq!(notice.headings(), (None, None));
}

#[test]
fn fonts_are_found_below_the_system_fonts_folder() {
    // Debian keeps them two levels down (opentype/noto); the search finds them from the top.
    let fonts = fonts_from_dir(Path::new(reformwatch_notice::SYSTEM_FONTS_DIR))
        .unwrap_or_else(|err| panic!("{err}"));
    let mut faces = fonts.faces();
    faces.sort();
    assert_eq!(faces.len(), 3, "{faces:?}");
    // Four levels down is searched, five is not: the serif regular collection (linked, as
    // distributions link fonts) four levels down is found, so the first face missing is the
    // serif bold; five levels down it is not, so the serif regular is missing.
    let missing = |depth: &str| {
        let scratch = Scratch::new(&format!("deep{}", depth.len()));
        let dir = scratch.0.join(depth);
        std::fs::create_dir_all(&dir).unwrap_or_else(|err| panic!("{err}"));
        let source = fonts_dir().join("NotoSerifCJK-Regular.ttc");
        std::os::unix::fs::symlink(&source, dir.join("NotoSerifCJK-Regular.ttc"))
            .unwrap_or_else(|err| panic!("{source:?}: {err}"));
        match fonts_from_dir(&scratch.0) {
            Err(NoticeError::MissingFont { family, weight, .. }) => (family, weight),
            other => panic!("expected a missing font, got {other:?}"),
        }
    };
    assert_eq!(missing("a/b/c/d"), ("Noto Serif CJK SC", "bold"));
    assert_eq!(missing("a/b/c/d/e"), ("Noto Serif CJK SC", "regular"));
}

#[test]
fn a_long_issuing_body_still_renders_its_header() {
    let mut notice = sample();
    notice.issuing_body = "中国科学技术协会学会学术部学会服务中心改革工作领导小组办公室".into();
    let pdf = render_pdf(&notice, fonts()).unwrap_or_else(|err| panic!("{err}"));
    let scratch = Scratch::new("long-body");
    let page1 = squeeze(&text_of(&scratch.write_pdf(&pdf), 1));
    assert!(
        page1.contains("中国科学技术协会学会学术部学会服务中心改革工作领导小组办公室文件"),
        "{page1}"
    );
}

#[test]
fn the_same_notice_gives_the_same_bytes() {
    let notice = sample();
    let first = render_pdf(&notice, fonts()).unwrap_or_else(|err| panic!("{err}"));
    let second = render_pdf(&notice, fonts()).unwrap_or_else(|err| panic!("{err}"));
    assert!(first == second, "two renders differ");
    let mut other = notice.clone();
    other.date = "2018年1月16日".into();
    let third = render_pdf(&other, fonts()).unwrap_or_else(|err| panic!("{err}"));
    assert!(first != third, "a changed date did not change the PDF");
}

/// Reads a binary PPM (P6) as written by `pdftoppm` without `-png`.
fn read_ppm(path: &Path) -> (usize, usize, Vec<u8>) {
    let data = std::fs::read(path).unwrap_or_else(|err| panic!("{path:?}: {err}"));
    let mut fields = Vec::new();
    let mut at = 0;
    while fields.len() < 4 {
        while data[at].is_ascii_whitespace() {
            at += 1;
        }
        let start = at;
        while !data[at].is_ascii_whitespace() {
            at += 1;
        }
        fields.push(String::from_utf8_lossy(&data[start..at]).into_owned());
    }
    assert_eq!(fields[0], "P6");
    assert_eq!(fields[3], "255");
    let width: usize = fields[1].parse().unwrap_or_else(|err| panic!("{err}"));
    let height: usize = fields[2].parse().unwrap_or_else(|err| panic!("{err}"));
    let pixels = data[at + 1..].to_vec();
    assert_eq!(pixels.len(), width * height * 3);
    (width, height, pixels)
}

fn is_red(p: &[u8]) -> bool {
    p[0] > 180 && p[1] < 110 && p[2] < 110
}

#[test]
fn the_header_and_its_rule_are_red_and_nothing_else_is() {
    let pdf = render_pdf(&sample(), fonts()).unwrap_or_else(|err| panic!("{err}"));
    let scratch = Scratch::new("pixels");
    let path = scratch.write_pdf(&pdf);
    let prefix = scratch.0.join("page");
    let path = path.to_string_lossy().into_owned();
    let prefix = prefix.to_string_lossy().into_owned();
    poppler(
        "pdftoppm",
        &[
            "-r",
            "72",
            "-f",
            "1",
            "-l",
            "1",
            path.as_str(),
            prefix.as_str(),
        ],
    );
    let page1 = std::fs::read_dir(&scratch.0)
        .unwrap_or_else(|err| panic!("{err}"))
        .filter_map(|entry| entry.ok().map(|entry| entry.path()))
        .find(|path| path.extension().is_some_and(|ext| ext == "ppm"))
        .unwrap_or_else(|| panic!("pdftoppm wrote no page"));
    let (width, height, pixels) = read_ppm(&page1);
    // A4 at 72 dpi: 595.3 × 841.9 pixels.
    assert!(
        (595..=596).contains(&width) && (841..=842).contains(&height),
        "{width} × {height}"
    );
    let red_rows: Vec<usize> = (0..height)
        .filter(|y| {
            (0..width).any(|x| {
                let p = &pixels[(y * width + x) * 3..][..3];
                is_red(p)
            })
        })
        .collect();
    assert!(!red_rows.is_empty(), "no red on page 1");
    // All red lies in the top third (the header from 45 mm down, the rule at about 80 mm).
    let last = red_rows.last().copied().unwrap_or_default();
    assert!(last < height / 3, "red down to row {last} of {height}");
    // The rule: one row that is red across most of the 156 mm text width (≈ 442 px).
    let widest = red_rows
        .iter()
        .map(|y| {
            (0..width)
                .filter(|x| {
                    let p = &pixels[(y * width + x) * 3..][..3];
                    is_red(p)
                })
                .count()
        })
        .max()
        .unwrap_or_default();
    assert!(widest >= 420, "the widest red row has {widest} px");
}

#[test]
fn fonts_keep_only_the_three_simplified_chinese_faces_the_notice_uses() {
    let mut faces = fonts().faces();
    faces.sort();
    assert_eq!(
        faces,
        vec![
            ("Noto Sans CJK SC".to_string(), 700),
            ("Noto Serif CJK SC".to_string(), 400),
            ("Noto Serif CJK SC".to_string(), 700),
        ]
    );
}

#[test]
fn missing_fonts_are_named() {
    let scratch = Scratch::new("fonts");
    match fonts_from_dir(&scratch.0) {
        Err(NoticeError::MissingFont { family, weight, .. }) => {
            assert_eq!((family, weight), ("Noto Serif CJK SC", "regular"));
        }
        other => panic!("expected a missing font, got {other:?}"),
    }
    let err = fonts_from_dir(&scratch.0.join("absent")).map(|_| ());
    assert!(matches!(err, Err(NoticeError::FontsDir { .. })), "{err:?}");
    // Only the sans collections: the serif faces are missing.
    let sans: Vec<Vec<u8>> = ["NotoSansCJK-Regular.ttc", "NotoSansCJK-Bold.ttc"]
        .iter()
        .map(|name| {
            let path = fonts_dir().join(name);
            std::fs::read(&path).unwrap_or_else(|err| panic!("{path:?}: {err}"))
        })
        .collect();
    match Fonts::from_files(sans) {
        Err(err @ NoticeError::MissingFont { .. }) => {
            assert!(
                err.to_string()
                    .starts_with("font Noto Serif CJK SC (regular) not found;"),
                "{err}"
            );
        }
        other => panic!("expected a missing font, got {other:?}"),
    }
    // A file that is not a font is no font.
    assert!(matches!(
        Fonts::from_files(vec![b"not a font".to_vec()]),
        Err(NoticeError::MissingFont { .. })
    ));
}

#[test]
fn digits_sit_against_chinese_without_extra_space() {
    // Official documents set `2017年度` and `〔2018〕1号`; typst's default quarter-em between
    // Chinese and digits would come out of pdftotext as `2017 年度` (negative control: the
    // squeezed text has the words either way, only the raw text tells them apart).
    let pdf = render_pdf(&sample(), fonts()).unwrap_or_else(|err| panic!("{err}"));
    let scratch = Scratch::new("spacing");
    let page1 = text_of(&scratch.write_pdf(&pdf), 1);
    for expected in ["科协发学字〔2018〕1号", "中国科协关于2017年度"] {
        assert!(
            page1.contains(expected),
            "{expected} missing from:\n{page1}"
        );
    }
    assert!(!page1.contains("2017 年度"), "{page1}");
}

#[test]
fn the_title_breaks_where_its_lines_say() {
    // GB/T 9704: a title breaks between words. The sample's lines put the break before 改革;
    // without them (negative control) the 22 pt line breaks wherever it is full, inside 考核
    // or 结果 on an A4 page, and never before 改革.
    let lines = |notice: &Notice, name: &str| -> Vec<String> {
        let pdf = render_pdf(notice, fonts()).unwrap_or_else(|err| panic!("{err}"));
        let scratch = Scratch::new(name);
        // The title's first line and the non-empty line after it.
        text_of(&scratch.write_pdf(&pdf), 1)
            .lines()
            .map(|line| line.split_whitespace().collect::<String>())
            .filter(|line| !line.is_empty())
            .skip_while(|line| !line.starts_with("中国科协关于"))
            .take(2)
            .collect()
    };
    let notice = sample();
    assert_eq!(
        lines(&notice, "title-lines"),
        ["中国科协关于2017年度学会综合治理", "改革考核结果的通报"]
    );
    let unbroken = Notice {
        title_lines: Vec::new(),
        ..sample()
    };
    let got = lines(&unbroken, "title-one");
    assert_eq!(got.len(), 2, "{got:?}");
    assert_ne!(got[1], "改革考核结果的通报", "{got:?}");
    assert_eq!(got.concat(), notice.title);
}

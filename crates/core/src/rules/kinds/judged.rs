//! `judged`: a qualitative norm a reviewer decides, never the system (2018: "理事会、常务理事会
//! 成员中应有相当比例的中国共产党党员", "应提高中青年科技工作者、女科技工作者比例").
//!
//! ```toml
//! kind = "judged"
//! facts = ["council_cpc", "council_new"]  # the figures the norm asks for (any kind), >= 1
//! ```
//!
//! The verdict is never `fail`: without a reviewer's judgement it is `warning` (the society
//! gives the figures and a written justification; a missing figure is `insufficient`); a
//! reviewer's judgement ([`crate::rules::Judgement`]) makes it `pass`, or keeps it `warning`
//! with the reviewer's comment. Every explanation says that the norm is judged, not computed,
//! and [`crate::rules::RuleVerdict::judged`] is set.

use serde::Serialize;

use super::{KindDef, RuleKind, Words};
use crate::catalogue::params::Params;
use crate::catalogue::{Catalogue, CatalogueError};
use crate::facts::{FactValue, group};
use crate::rules::{EvalCx, JudgedVerdict, Label, Outcome, Verdict};

const NAME: &str = "judged";

pub(crate) static DEF: KindDef = KindDef {
    name: NAME,
    params: &["facts"],
    build,
};

/// A `judged` declaration.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Judged {
    /// The figures the norm asks for.
    pub facts: Vec<String>,
}

fn build(p: &Params<'_>) -> Result<Box<dyn RuleKind>, CatalogueError> {
    Ok(Box::new(Judged {
        facts: p.fact_list("facts", None, 1)?,
    }))
}

const JUDGED_ZH: &str = "定性要求，由审核人员判断，不由系统计算。";
const JUDGED_EN: &str = "A qualitative norm, judged by a reviewer, not computed.";

impl Judged {
    /// "理事会中中共党员 60 人；新一届理事会 180 人" and its English, for the given figures,
    /// and the names of the missing ones.
    fn figures<'a>(&'a self, cx: &EvalCx<'_>) -> (Vec<String>, Vec<String>, Vec<&'a str>) {
        let (mut zh, mut en, mut absent) = (Vec::new(), Vec::new(), Vec::new());
        for name in &self.facts {
            let l = cx.label(name);
            match cx.facts.get(name) {
                Some(FactValue::Int(v)) => {
                    zh.push(l.zh_n(*v));
                    en.push(l.en_n(*v));
                }
                Some(FactValue::Bool(b)) => {
                    zh.push(format!("{}：{}", l.zh, if *b { "是" } else { "否" }));
                    en.push(format!("{}: {}", l.en, if *b { "yes" } else { "no" }));
                }
                Some(FactValue::Date(d)) => {
                    zh.push(format!("{} {d}", l.zh));
                    en.push(format!("{} {d}", l.en));
                }
                Some(FactValue::Docs(ids)) => {
                    let names = |zh: bool| -> String {
                        ids.iter()
                            .map(|id| match cx.catalogue.document(id) {
                                Some(d) if zh => d.name_zh.clone(),
                                Some(d) => d.name_en.clone(),
                                None => id.clone(),
                            })
                            .collect::<Vec<_>>()
                            .join(if zh { "、" } else { "; " })
                    };
                    zh.push(format!(
                        "{}：{}（{} 份）",
                        l.zh,
                        names(true),
                        group(ids.len() as i64)
                    ));
                    en.push(format!("{}: {} ({})", l.en, names(false), ids.len()));
                }
                None => absent.push(name.as_str()),
            }
        }
        (zh, en, absent)
    }
}

impl RuleKind for Judged {
    fn name(&self) -> &'static str {
        NAME
    }

    fn facts(&self) -> Vec<&str> {
        self.facts.iter().map(String::as_str).collect()
    }

    fn judged(&self) -> bool {
        true
    }

    fn evaluate(&self, cx: &EvalCx<'_>) -> Result<Outcome, Outcome> {
        let (given_zh, given_en, absent) = self.figures(cx);
        let mut zh = JUDGED_ZH.to_owned();
        let mut en = JUDGED_EN.to_owned();
        if !given_zh.is_empty() {
            zh.push_str(&format!("数据：{}。", given_zh.join("；")));
            en.push_str(&format!(" Figures: {}.", given_en.join("; ")));
        }
        let Some(j) = cx.judgement else {
            if !absent.is_empty() {
                let m = cx.missing(&absent);
                return Err(Outcome::new(
                    Verdict::Insufficient,
                    format!("{zh}{}", m.zh),
                    format!("{en} {}", m.en),
                ));
            }
            return Ok(Outcome::new(
                Verdict::Warning,
                format!("{zh}须书面说明理由，待审核人员判断。"),
                format!("{en} A written justification is needed; awaiting a reviewer's judgement."),
            ));
        };
        if !absent.is_empty() {
            let labels: Vec<String> = absent.iter().map(|n| cx.label(n).zh_ref()).collect();
            let labels_en: Vec<String> = absent.iter().map(|n| cx.label(n).en_ref()).collect();
            zh.push_str(&format!("未填写：{}。", labels.join("、")));
            en.push_str(&format!(" Not given: {}.", labels_en.join(", ")));
        }
        let (zh_comment, en_comment) = if j.comment.trim().is_empty() {
            (String::new(), String::new())
        } else {
            (
                format!("：{}", j.comment.trim()),
                format!(": {}", j.comment.trim()),
            )
        };
        Ok(match j.verdict {
            JudgedVerdict::Pass => Outcome::new(
                Verdict::Pass,
                format!("{zh}审核人员{}判断为符合{zh_comment}。", j.by),
                format!("{en} Judged met by {}{en_comment}.", j.by),
            ),
            JudgedVerdict::Warning => Outcome::new(
                Verdict::Warning,
                format!("{zh}审核人员{}判断为需说明{zh_comment}。", j.by),
                format!(
                    "{en} Judged by {} to need a justification{en_comment}.",
                    j.by
                ),
            ),
        })
    }

    fn describe(&self, catalogue: &Catalogue) -> Words {
        let labels: Vec<Label<'_>> = self.facts.iter().map(|n| Label::of(catalogue, n)).collect();
        let zh: Vec<String> = labels.iter().map(Label::zh_ref).collect();
        let en: Vec<String> = labels.iter().map(Label::en_ref).collect();
        Words {
            zh: format!(
                "定性要求，由审核人员判断（不由系统计算，从不自动判为不符合）；须填写{}并书面说明理由。",
                zh.join("、")
            ),
            en: format!(
                "A qualitative norm judged by a reviewer (not computed, never failed by the system); asks for {} and a written justification.",
                en.join(", ")
            ),
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::facts::Facts;
    use crate::rules::kinds::testing::catalogue;
    use crate::rules::{
        JudgedVerdict, Judgement, Judgements, Verdict, check_with, evaluate, evaluate_with,
    };

    fn cat() -> crate::catalogue::Catalogue {
        catalogue(
            &[("cpc", "int"), ("council", "int")],
            "kind = \"judged\"\nfacts = [\"cpc\", \"council\"]\n",
        )
        .unwrap()
    }

    fn judgement(verdict: JudgedVerdict, comment: &str) -> Judgements {
        Judgements::from([(
            "r".to_owned(),
            Judgement {
                verdict,
                by: "张审".to_owned(),
                comment: comment.to_owned(),
            },
        )])
    }

    #[test]
    fn warning_until_judged_never_fail() {
        let c = cat();
        let full = Facts::new().with("cpc", 3).with("council", 100);
        let v = &evaluate(&c, &full)[0];
        assert_eq!(v.verdict, Verdict::Warning);
        assert!(v.judged);
        assert_eq!(
            v.explanation_zh,
            "定性要求，由审核人员判断，不由系统计算。数据：cpc中文 3 人；council中文 100 人。须书面说明理由，待审核人员判断。"
        );
        assert_eq!(
            v.explanation_en,
            "A qualitative norm, judged by a reviewer, not computed. Figures: cpc label 3; council label 100. A written justification is needed; awaiting a reviewer's judgement."
        );
        // Even a zero never fails on its own.
        let zero = Facts::new().with("cpc", 0).with("council", 100);
        assert_eq!(evaluate(&c, &zero)[0].verdict, Verdict::Warning);
        // A missing figure: insufficient, still said to be judged.
        let v = &evaluate(&c, &Facts::new().with("cpc", 3))[0];
        assert_eq!(v.verdict, Verdict::Insufficient);
        assert!(
            v.explanation_zh.starts_with("定性要求"),
            "{}",
            v.explanation_zh
        );
        assert!(
            v.explanation_en
                .contains("Missing fact: council label (council)."),
            "{}",
            v.explanation_en
        );
    }

    #[test]
    fn a_reviewer_decides() {
        let c = cat();
        let full = Facts::new().with("cpc", 30).with("council", 100);
        let v = &evaluate_with(&c, &full, &judgement(JudgedVerdict::Pass, "比例合理"))[0];
        assert_eq!(v.verdict, Verdict::Pass);
        assert!(
            v.explanation_zh
                .ends_with("审核人员张审判断为符合：比例合理。"),
            "{}",
            v.explanation_zh
        );
        assert!(
            v.explanation_en.ends_with("Judged met by 张审: 比例合理."),
            "{}",
            v.explanation_en
        );
        let v = &evaluate_with(&c, &full, &judgement(JudgedVerdict::Warning, ""))[0];
        assert_eq!(v.verdict, Verdict::Warning);
        assert!(
            v.explanation_zh.ends_with("审核人员张审判断为需说明。"),
            "{}",
            v.explanation_zh
        );
        // A judgement of another rule id changes nothing.
        let mut other = judgement(JudgedVerdict::Pass, "");
        let j = other.remove("r").unwrap();
        other.insert("x".to_owned(), j);
        assert_eq!(
            check_with(&c, &full, &other).verdicts[0].verdict,
            Verdict::Warning
        );
        // JSON: `judged` is true here, and absent for computed rules.
        let json = serde_json::to_value(&evaluate(&c, &full)[0]).unwrap();
        assert_eq!(json["judged"], true);
    }

    #[test]
    fn described_as_judged() {
        let c = cat();
        let w = c.rule("r").unwrap().1.kind.describe(&c);
        assert!(w.zh.starts_with("定性要求，由审核人员判断"), "{}", w.zh);
        assert!(w.en.contains("not computed"), "{}", w.en);
        let e = catalogue(&[("a", "int")], "kind = \"judged\"\nfacts = []\n").unwrap_err();
        assert!(e.message.contains("facts needs at least one fact"), "{e}");
        let e = catalogue(&[("a", "int")], "kind = \"judged\"\nfacts = [\"b\"]\n").unwrap_err();
        assert!(e.message.contains("unknown fact 'b'"), "{e}");
    }
}

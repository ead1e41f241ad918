//! `documents_present`: the society holds every listed document kind (R-RULE-DOC).
//!
//! ```toml
//! kind = "documents_present"
//! documents = ["council-rules", "hr-rules"]  # ids of the task's required_documents
//! fact = "documents"                         # optional: the docs fact read; by default the
//!                                            # one fact of kind docs the file declares
//! ```
//!
//! Proposes the number of listed documents as a plan target (documents that can only exist
//! after the year ends, `evidence_after_year_end`, are left out).

use serde::Serialize;

use super::{KindDef, ProposeCx, RuleKind, Words};
use crate::catalogue::params::Params;
use crate::catalogue::{Catalogue, CatalogueError};
use crate::plan::Target;
use crate::plan::propose::target;
use crate::rules::{EvalCx, Outcome};

const NAME: &str = "documents_present";

pub(crate) static DEF: KindDef = KindDef {
    name: NAME,
    params: &["documents", "fact"],
    build,
};

/// A `documents_present` declaration.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct DocumentsPresent {
    pub documents: Vec<String>,
    /// The fact of kind docs that says which documents the society holds.
    pub fact: String,
}

fn build(p: &Params<'_>) -> Result<Box<dyn RuleKind>, CatalogueError> {
    let documents = p.documents("documents")?;
    let fact = p.docs_fact("fact", documents.span())?;
    Ok(Box::new(DocumentsPresent {
        documents: documents.into_inner(),
        fact,
    }))
}

impl DocumentsPresent {
    fn names(&self, catalogue: &Catalogue, ids: &[&String], zh: bool) -> String {
        ids.iter()
            .map(|id| match catalogue.document(id) {
                Some(d) if zh => d.name_zh.clone(),
                Some(d) => d.name_en.clone(),
                None => (*id).clone(),
            })
            .collect::<Vec<_>>()
            .join(if zh { "、" } else { "; " })
    }
}

impl RuleKind for DocumentsPresent {
    fn name(&self) -> &'static str {
        NAME
    }

    fn facts(&self) -> Vec<&str> {
        vec![&self.fact]
    }

    fn evaluate(&self, cx: &EvalCx<'_>) -> Result<Outcome, Outcome> {
        let Some(held) = cx.facts.docs(&self.fact) else {
            return Err(cx.missing(&[self.fact.as_str()]));
        };
        let (have, lack): (Vec<&String>, Vec<&String>) =
            self.documents.iter().partition(|d| held.contains(d));
        let list = |ids: &[&String], zh: bool| self.names(cx.catalogue, ids, zh);
        Ok(if lack.is_empty() {
            Outcome::pass_or_fail(
                true,
                format!("已具备：{}，符合。", list(&have, true)),
                format!("In place: {}.", list(&have, false)),
            )
        } else {
            let (have_zh, have_en) = if have.is_empty() {
                (String::new(), String::new())
            } else {
                (
                    format!("已具备：{}；", list(&have, true)),
                    format!("In place: {}. ", list(&have, false)),
                )
            };
            Outcome::pass_or_fail(
                false,
                format!("{have_zh}缺少：{}。", list(&lack, true)),
                format!("{have_en}Missing: {}.", list(&lack, false)),
            )
        })
    }

    fn describe(&self, catalogue: &Catalogue) -> Words {
        let all: Vec<&String> = self.documents.iter().collect();
        Words {
            zh: format!("具备：{}。", self.names(catalogue, &all, true)),
            en: format!("Holds: {}.", self.names(catalogue, &all, false)),
        }
    }

    /// Target: the number of listed documents, baseline how many the society holds when its
    /// documents are recorded.
    fn propose(&self, cx: &ProposeCx<'_>) -> Option<Target> {
        // A document that can only exist after the year ends (the year's annual report) has
        // no due date within the year to propose: left out.
        let documents: Vec<&String> = self
            .documents
            .iter()
            .filter(|id| {
                cx.catalogue
                    .document(id)
                    .is_none_or(|d| !d.evidence_after_year_end)
            })
            .collect();
        if documents.is_empty() {
            return None;
        }
        let names: Vec<&str> = documents
            .iter()
            .map(|id| {
                cx.catalogue
                    .document(id)
                    .map_or(id.as_str(), |d| d.name_zh.as_str())
            })
            .collect();
        let held = cx.facts.docs(&self.fact).map(|held| {
            documents
                .iter()
                .filter(|d| held.iter().any(|h| h == **d))
                .count()
        });
        let mut t = target(
            cx,
            format!("已具备的所需文件（{}）", names.join("、")),
            &self.fact,
            held.and_then(|h| i128::try_from(h).ok()),
            i128::try_from(documents.len()).ok()?,
            false,
        )?;
        t.unit = "份".to_owned();
        Some(t)
    }
}

#[cfg(test)]
mod tests {
    use crate::facts::Facts;
    use crate::rules::kinds::testing::catalogue;
    use crate::rules::{Verdict, evaluate};

    const RULE: &str = "kind = \"documents_present\"\ndocuments = [\"doc-a\", \"doc-b\"]\n";

    #[test]
    fn every_listed_document_is_needed() {
        let c = catalogue(&[("held", "docs")], RULE).unwrap();
        let docs = |ids: &[&str]| {
            Facts::new().with(
                "held",
                ids.iter().map(|s| s.to_string()).collect::<Vec<_>>(),
            )
        };
        assert_eq!(
            evaluate(&c, &docs(&["doc-a", "doc-b"]))[0].verdict,
            Verdict::Pass
        );
        let v = &evaluate(&c, &docs(&["doc-b"]))[0];
        assert_eq!(v.verdict, Verdict::Fail);
        assert_eq!(v.explanation_zh, "已具备：文件乙；缺少：文件甲。");
        assert_eq!(
            evaluate(&c, &Facts::new())[0].verdict,
            Verdict::Insufficient
        );
    }

    #[test]
    fn the_docs_fact_is_the_only_one_or_named() {
        // The default needs exactly one docs fact.
        let e = catalogue(&[("a", "docs"), ("b", "docs")], RULE).unwrap_err();
        assert!(e.message.contains("several facts of kind docs"), "{e}");
        let c = catalogue(
            &[("a", "docs"), ("b", "docs")],
            &format!("{RULE}fact = \"b\"\n"),
        )
        .unwrap();
        assert_eq!(c.rule("r").unwrap().1.kind.facts(), ["b"]);
        let e = catalogue(&[("a", "int")], RULE).unwrap_err();
        assert!(
            e.message
                .contains("reads a fact of kind docs, and the file declares none"),
            "{e}"
        );
        let e = catalogue(
            &[("a", "docs")],
            "kind = \"documents_present\"\ndocuments = [\"doc-c\"]\n",
        )
        .unwrap_err();
        assert!(
            e.message
                .contains("document kind 'doc-c' is not in task 1's required_documents"),
            "{e}"
        );
    }
}

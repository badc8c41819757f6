//! The quality check of a micro-credential specification: the data-driven rules of
//! `rules.toml`, framework by framework, applied to a specification document, with a finding per
//! rule broken and a compliance label per framework.
//!
//! The check reads the document, not the parsed [`Spec`](crate::Spec), so that a draft that does
//! not parse yet still gets a full report: a missing element is a finding of its framework's
//! rule, and every other parse problem becomes an `annex-i.well-formed` error. A specification
//! already parsed gets the labels of its canonical document from [`spec_labels`].

mod rules;

use std::fmt;

use serde::Serialize;
use serde_json::{Map, Value};

use crate::{Spec, ids::SpecId, wire::SpecDocument};

pub use self::rules::{Framework, Severity};

/// One thing the check found: a rule of a framework that the specification breaks, or an
/// optional element it leaves out.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Finding {
    /// How much it matters: errors block publication, warnings make the framework's label
    /// "not compliant", infos are advice.
    pub severity: Severity,
    /// The framework the rule belongs to.
    pub framework: Framework,
    /// The rule's id, such as `cmf.workload-hours`.
    pub rule: String,
    /// The field of the document, such as `learning_outcomes[2].skill`.
    pub field: String,
    /// What is missing or weak.
    pub message: String,
    /// How to mend it.
    pub fix: String,
    /// What is missing or weak, in Spanish; `None` for a value the document format refuses,
    /// whose message exists in English only.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub message_es: Option<String>,
    /// How to mend it, in Spanish.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub fix_es: Option<String>,
}

impl fmt::Display for Finding {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} [{}] {}: {}", self.severity, self.rule, self.field, self.message)
    }
}

/// Whether a specification complies with one framework: it does when none of the framework's
/// findings is an error or a warning.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Label {
    /// The framework.
    pub framework: Framework,
    /// True when no error or warning of the framework was found.
    pub compliant: bool,
}

/// The result of the quality check: every finding, in the order of the rules, and a label per
/// framework.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct QualityReport {
    /// The findings, errors first within each framework's rules order.
    pub findings: Vec<Finding>,
    /// One label per framework, in [`Framework::ALL`] order.
    pub labels: Vec<Label>,
}

impl QualityReport {
    /// Whether any finding is an error; a specification with errors may not be published.
    pub fn has_errors(&self) -> bool {
        self.findings.iter().any(|finding| finding.severity == Severity::Error)
    }

    /// The number of findings of a severity.
    pub fn count(&self, severity: Severity) -> usize {
        self.findings.iter().filter(|finding| finding.severity == severity).count()
    }

    /// The label of one framework.
    pub fn compliant(&self, framework: Framework) -> bool {
        self.labels.iter().any(|label| label.framework == framework && label.compliant)
    }
}

/// Checks a specification document against every framework. `country_of` gives the country
/// (ISO 3166-1 alpha-2) of a registered institution, and `None` for an unknown one.
pub fn check(document: &SpecDocument, country_of: &dyn Fn(&str) -> Option<String>) -> QualityReport {
    let mut findings = rules::RULES.apply(&facts(document, country_of));
    if let Err(invalid) = document.parse(SpecId::from_uuid(uuid::Uuid::nil())) {
        for problem in invalid.problems() {
            let reported =
                findings.iter().any(|finding| finding.severity == Severity::Error && finding.field == problem.field);
            if !reported {
                findings.push(Finding {
                    severity: Severity::Error,
                    framework: Framework::AnnexI,
                    rule: "annex-i.well-formed".to_owned(),
                    field: problem.field.clone(),
                    message: problem.message.clone(),
                    fix: "correct the value as the message says (the document format is in docs/spec-format.md)"
                        .to_owned(),
                    message_es: None,
                    fix_es: Some(
                        "corrija el valor como indica el mensaje (el formato del documento se describe en \
                         docs/spec-format.md)"
                            .to_owned(),
                    ),
                });
            }
        }
    }
    report(findings)
}

/// The labels of a parsed specification: those [`check`] gives its canonical document
/// (`SpecDocument::from(spec)`), found without writing the findings or parsing the document
/// again (a [`Spec`] is well formed, so only the rules can break a label). The catalogue labels
/// every published specification this way.
pub fn spec_labels(spec: &Spec, country_of: &dyn Fn(&str) -> Option<String>) -> Vec<Label> {
    let mut broken = Vec::new();
    rules::RULES.each_broken(&facts(&SpecDocument::from(spec), country_of), |rule, _| {
        broken.push((rule.framework, rule.severity));
    });
    labels(&broken)
}

/// The report of these findings: sorted by framework and severity, with the labels they give.
fn report(mut findings: Vec<Finding>) -> QualityReport {
    findings.sort_by_key(|finding| (finding.framework, finding.severity));
    let broken: Vec<_> = findings.iter().map(|finding| (finding.framework, finding.severity)).collect();
    QualityReport { labels: labels(&broken), findings }
}

/// One label per framework, in [`Framework::ALL`] order: compliant unless an error or a
/// warning of the framework was found.
fn labels(found: &[(Framework, Severity)]) -> Vec<Label> {
    Framework::ALL
        .iter()
        .map(|&framework| Label {
            framework,
            compliant: !found.iter().any(|&(of, severity)| of == framework && severity != Severity::Info),
        })
        .collect()
}

/// The document as JSON, with the facts the rules need that are not in it under `derived`.
fn facts(document: &SpecDocument, country_of: &dyn Fn(&str) -> Option<String>) -> Value {
    let mut facts = serde_json::to_value(document).expect("a document always serialises");
    let bodies = document.awarding_bodies.as_deref().unwrap_or_default();
    let (known, unknown): (Vec<_>, Vec<_>) =
        bodies.iter().map(|body| (body, country_of(body))).partition(|(_, country)| country.is_some());
    let mut derived = Map::new();
    derived.insert("issuer_countries".into(), known.into_iter().filter_map(|(_, country)| country).collect());
    derived.insert(
        "unknown_awarding_bodies".into(),
        unknown.into_iter().map(|(body, _)| Value::String(body.clone())).collect(),
    );
    if let Value::Object(map) = &mut facts {
        map.insert("derived".into(), Value::Object(derived));
    }
    facts
}

#[cfg(test)]
mod tests;

//! The quality rules against the table of `test_data/quality.toml`: for every rule, a passing
//! specification without its finding and a failing one with exactly the findings expected.

use std::collections::BTreeSet;

use serde::Deserialize;
use serde_json::{Map, Value};

use super::{Framework, Severity, check, rules::RULES, spec_labels};
use crate::{ids::SpecId, wire::SpecDocument};

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Table {
    base: Map<String, Value>,
    case: Vec<Case>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Case {
    rule: String,
    #[serde(default)]
    pass: Map<String, Value>,
    #[serde(default)]
    pass_remove: Vec<String>,
    #[serde(default)]
    fail: Map<String, Value>,
    #[serde(default)]
    fail_remove: Vec<String>,
    expect: Vec<Expected>,
}

#[derive(Deserialize, Debug, PartialEq, Eq, PartialOrd, Ord)]
#[serde(deny_unknown_fields)]
struct Expected {
    field: String,
    severity: Severity,
}

fn table() -> Table {
    let text = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/test_data/quality.toml")).unwrap();
    toml::from_str(&text).expect("test_data/quality.toml is a valid table")
}

fn document(base: &Map<String, Value>, changes: &Map<String, Value>, remove: &[String]) -> SpecDocument {
    let mut map = base.clone();
    map.extend(changes.clone());
    for key in remove {
        assert!(map.remove(key).is_some(), "{key} is not in the specification to remove");
    }
    serde_json::from_value(Value::Object(map)).expect("a case is a specification document")
}

fn country_of(id: &str) -> Option<String> {
    (id == "uca").then(|| "ES".to_owned())
}

#[test]
fn the_base_specification_passes_every_rule() {
    let report = check(&document(&table().base, &Map::new(), &[]), &country_of);
    assert_eq!(report.findings, vec![], "the base specification has findings");
    assert!(report.labels.iter().all(|label| label.compliant));
    assert_eq!(report.labels.len(), Framework::ALL.len());
}

#[test]
fn every_rule_passes_and_fails_as_the_table_says() {
    let table = table();
    for case in &table.case {
        let passing = check(&document(&table.base, &case.pass, &case.pass_remove), &country_of);
        let unexpected: Vec<_> = passing.findings.iter().filter(|finding| finding.rule == case.rule).collect();
        assert!(unexpected.is_empty(), "{}: the passing specification has {unexpected:?}", case.rule);

        let failing = check(&document(&table.base, &case.fail, &case.fail_remove), &country_of);
        let mut found: Vec<_> = failing
            .findings
            .iter()
            .filter(|finding| finding.rule == case.rule)
            .map(|finding| {
                assert!(!finding.message.is_empty() && !finding.fix.is_empty(), "{}: no message or fix", case.rule);
                Expected { field: finding.field.clone(), severity: finding.severity }
            })
            .collect();
        found.sort();
        let mut expected: Vec<_> =
            case.expect.iter().map(|e| Expected { field: e.field.clone(), severity: e.severity }).collect();
        expected.sort();
        assert_eq!(found, expected, "{}: the failing specification's findings", case.rule);

        let framework = failing.findings.iter().find(|finding| finding.rule == case.rule).unwrap().framework;
        let breaks_label = case.expect.iter().any(|expected| expected.severity != Severity::Info);
        assert_eq!(!failing.compliant(framework), breaks_label, "{}: the {framework} label", case.rule);
        assert_eq!(failing.has_errors(), failing.findings.iter().any(|f| f.severity == Severity::Error));
    }
}

#[test]
fn a_parsed_specification_gets_the_labels_of_its_document() {
    let table = table();
    let (mut parsed, mut not_compliant) = (0, 0);
    for case in &table.case {
        for (changes, remove) in [(&case.pass, &case.pass_remove), (&case.fail, &case.fail_remove)] {
            let Ok(spec) = document(&table.base, changes, remove).parse(SpecId::from_uuid(uuid::Uuid::nil())) else {
                continue;
            };
            let labels = spec_labels(&spec, &country_of);
            assert_eq!(
                labels,
                check(&SpecDocument::from(&spec), &country_of).labels,
                "{}: the labels differ",
                case.rule
            );
            parsed += 1;
            not_compliant += labels.iter().filter(|label| !label.compliant).count();
        }
    }
    assert!(parsed > table.case.len(), "only {parsed} cases parse");
    assert!(not_compliant > table.case.len() / 2, "only {not_compliant} labels are not compliant");
}

#[test]
fn every_rule_has_a_case() {
    let cases: BTreeSet<_> = table().case.into_iter().map(|case| case.rule).collect();
    let mut rules: BTreeSet<_> = RULES.rule.iter().map(|rule| rule.id.clone()).collect();
    rules.insert("annex-i.well-formed".to_owned());
    assert_eq!(cases, rules, "rules and cases differ");
    for rule in &RULES.rule {
        assert!(rule.id.starts_with(rule.framework.as_str()), "{} is not named after its framework", rule.id);
    }
}

#[test]
fn a_draft_that_does_not_parse_gets_a_full_report() {
    let report = check(&SpecDocument::default(), &country_of);
    let errors: BTreeSet<_> =
        report.findings.iter().filter(|f| f.severity == Severity::Error).map(|f| f.rule.as_str()).collect();
    for rule in [
        "annex-i.2-title",
        "annex-i.4-awarding-body",
        "annex-i.6-learning-outcomes",
        "annex-i.7-workload",
        "annex-i.9-assessment",
        "annex-i.10-participation",
        "annex-i.11-quality-assurance",
        "annex-i.well-formed",
    ] {
        assert!(errors.contains(rule), "{rule} missing from {errors:?}");
    }
    // `languages` has no rule of its own, so its parse problem is reported as well-formedness.
    assert!(report.findings.iter().any(|f| f.rule == "annex-i.well-formed" && f.field == "languages"));
    assert!(!report.compliant(Framework::AnnexI));
}

//! Recognition, data-driven: the proposals of `test_data/recognition/cases.toml` for the
//! agreements of `test_data/recognition/agreements/`, and the refused agreement documents of
//! `test_data/recognition/invalid.toml`.

use std::collections::BTreeMap;

use serde::Deserialize;

use super::{AgreementDocument, AgreementInForce, CredentialFacts, Standing, propose};
use crate::{AssessmentKind, InstitutionId, SpecId, Timestamp};

const DATA: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/test_data/recognition");
/// The demo's network agreement, which the cases use as it is.
const ALLIANCE: &str = "../mc-app/demo/agreement-alliance.toml";

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Cases {
    case: Vec<Case>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Case {
    name: String,
    home: String,
    now: String,
    agreements: Vec<AgreementRef>,
    credentials: Vec<Credential>,
    expect: BTreeMap<String, Vec<String>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct AgreementRef {
    file: String,
    version: u32,
    #[serde(default = "yes")]
    signed: bool,
    ended: Option<String>,
}

fn yes() -> bool {
    true
}

#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields)]
struct Credential {
    id: String,
    issuer: Option<String>,
    issuer_name: Option<String>,
    spec: Option<String>,
    ects: Option<f64>,
    eqf: Option<u8>,
    field: Option<String>,
    #[serde(default)]
    skills: Vec<String>,
    assessment: Option<String>,
    qa: Option<String>,
    grade: Option<String>,
    earned: String,
    refused: Option<String>,
}

fn time(raw: &str) -> Timestamp {
    let full = if raw.len() == 10 { format!("{raw}T00:00:00Z") } else { raw.to_owned() };
    Timestamp::parse(&full).unwrap()
}

fn facts(credential: &Credential) -> CredentialFacts {
    let issuer = credential.issuer.as_deref().map(|id| InstitutionId::parse(id).unwrap());
    CredentialFacts {
        id: credential.id.clone(),
        issuer_name: credential.issuer_name.clone().or_else(|| credential.issuer.clone()).unwrap_or_default(),
        issuer,
        spec: credential.spec.as_deref().map(|id| SpecId::parse(id).unwrap()),
        ects: credential.ects,
        eqf: credential.eqf,
        field: credential.field.clone(),
        skills: credential.skills.clone(),
        assessment: credential.assessment.as_deref().map(|kind| AssessmentKind::parse(kind).unwrap()),
        qa_internal: credential.qa.as_deref() == Some("internal"),
        qa_external: credential.qa.as_deref() == Some("external"),
        identity_verification: None,
        grade: credential.grade.clone(),
        earned: time(&credential.earned),
        standing: match &credential.refused {
            None => Standing::Valid,
            Some(why) => Standing::Refused(why.clone()),
        },
    }
}

/// An agreement file, by its path from this crate: the demo's alliance
/// (`../mc-app/demo/agreement-alliance.toml`) or one of `test_data/recognition/agreements/`.
fn agreement(file: &str) -> super::Agreement {
    let text = std::fs::read_to_string(format!("{}/{file}", env!("CARGO_MANIFEST_DIR"))).unwrap();
    let document: AgreementDocument = toml::from_str(&text).unwrap_or_else(|err| panic!("{file}: {err}"));
    document.parse().unwrap_or_else(|err| panic!("{file}: {err}"))
}

#[test]
fn proposals_follow_the_table() {
    let cases: Cases = toml::from_str(&std::fs::read_to_string(format!("{DATA}/cases.toml")).unwrap()).unwrap();
    for case in &cases.case {
        let agreements: Vec<super::Agreement> = case.agreements.iter().map(|found| agreement(&found.file)).collect();
        let in_force: Vec<AgreementInForce<'_>> = case
            .agreements
            .iter()
            .zip(&agreements)
            .map(|(found, agreement)| AgreementInForce {
                agreement,
                version: found.version,
                signed_by_all: found.signed,
                ended_at: found.ended.as_deref().map(time),
            })
            .collect();
        let credentials: Vec<CredentialFacts> = case.credentials.iter().map(facts).collect();
        let home = InstitutionId::parse(&case.home).unwrap();
        let outcomes = propose(&home, &credentials, &in_force, time(&case.now));
        assert_eq!(outcomes.len(), credentials.len());
        assert_eq!(case.expect.len(), credentials.len(), "{}: an expectation for every credential", case.name);
        for outcome in &outcomes {
            let expected = &case.expect[&outcome.credential];
            let what = format!("{} / {}: {outcome:#?}", case.name, outcome.credential);
            let mut proposals: Vec<String> = outcome
                .proposals
                .iter()
                .map(|proposal| format!("{}/{} {}", proposal.agreement, proposal.rule, proposal.ects))
                .collect();
            let explained: Vec<&str> = outcome
                .tried
                .iter()
                .flat_map(|tried| tried.checks.iter().map(|check| check.said.as_str()).chain(tried.note.as_deref()))
                .collect();
            let mut wanted = Vec::new();
            for expectation in expected {
                if let Some(refused) = expectation.strip_prefix("refused: ") {
                    assert!(outcome.refused.as_deref().is_some_and(|said| said.contains(refused)), "{what}");
                } else if let Some(words) = expectation.strip_prefix("explains: ") {
                    assert!(explained.iter().any(|said| said.contains(words)), "{what}\nexpected to explain: {words}");
                } else if expectation != "none" {
                    wanted.push(expectation.clone());
                }
            }
            if !expected.iter().any(|expectation| expectation.starts_with("refused: ")) {
                assert_eq!(outcome.refused, None, "{what}");
            }
            proposals.sort();
            wanted.sort();
            assert_eq!(proposals, wanted, "{what}");
        }
    }
}

#[test]
fn every_rule_tried_is_explained_condition_by_condition() {
    let alliance = agreement(ALLIANCE);
    let in_force = [AgreementInForce { agreement: &alliance, version: 1, signed_by_all: true, ended_at: None }];
    let credential = Credential {
        id: "c".into(),
        issuer: Some("roccalba".into()),
        ects: Some(5.0),
        eqf: Some(6),
        field: Some("0413".into()),
        qa: Some("internal".into()),
        earned: "2026-03-01".into(),
        ..Credential::default()
    };
    let home = InstitutionId::parse("valdeoliva").unwrap();
    let outcome = &propose(&home, &[facts(&credential)], &in_force, time("2026-06-01"))[0];
    let electives = outcome.tried.iter().find(|tried| &*tried.rule == "valdeoliva-business-electives").unwrap();
    let said: Vec<(&str, bool)> = electives.checks.iter().map(|check| (check.said.as_str(), check.held)).collect();
    assert_eq!(
        said,
        [
            ("5 ECTS; at least 4 needed", true),
            ("EQF level 6; at least 5 needed", true),
            ("field 0413; one of 04 needed", true),
            ("internal quality assurance; internal or external needed", true),
            ("earned on 2026-03-01; within 5 years needed", true),
        ]
    );
    assert!(electives.matched);
    // Only the home institution's rules are tried.
    assert!(outcome.tried.iter().all(|tried| tried.rule.starts_with("valdeoliva-")), "{outcome:#?}");
}

#[derive(Deserialize)]
struct Invalid {
    case: Vec<InvalidCase>,
}

#[derive(Deserialize)]
struct InvalidCase {
    name: String,
    document: String,
    errors: Vec<String>,
}

/// Each refused document fails with every error it is expected to, in words that name the
/// line (a document that cannot be read) or the field (one that can).
#[test]
fn bad_agreements_are_refused_with_what_is_wrong_and_where() {
    let cases: Invalid = toml::from_str(&std::fs::read_to_string(format!("{DATA}/invalid.toml")).unwrap()).unwrap();
    for case in &cases.case {
        let message = match toml::from_str::<AgreementDocument>(&case.document) {
            Err(err) => err.to_string(),
            Ok(document) => match document.parse() {
                Ok(agreement) => panic!("{}: accepted {agreement:#?}", case.name),
                Err(invalid) => invalid.to_string(),
            },
        };
        for error in &case.errors {
            assert!(message.contains(error.as_str()), "{}: expected {error:?} in:\n{message}", case.name);
        }
    }
}

#[test]
fn the_agreements_read_back_from_json_as_from_toml() {
    for file in [ALLIANCE, "test_data/recognition/agreements/bilateral.toml"] {
        let text = std::fs::read_to_string(format!("{}/{file}", env!("CARGO_MANIFEST_DIR"))).unwrap();
        let document: AgreementDocument = toml::from_str(&text).unwrap();
        let json = serde_json::to_string(&document).unwrap();
        let again: AgreementDocument = serde_json::from_str(&json).unwrap();
        assert_eq!(again.parse().unwrap(), document.parse().unwrap(), "{file}");
    }
}

/// The catalogue's view: where the demo specifications are recognised under the alliance.
#[test]
fn the_catalogue_says_where_a_specification_is_recognised() {
    let alliance = agreement(ALLIANCE);
    let in_force = [AgreementInForce { agreement: &alliance, version: 2, signed_by_all: true, ended_at: None }];
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/../mc-app/demo/specs.json");
    let documents: Vec<crate::wire::SpecDocument> =
        serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap();
    let now = time("2026-06-01");
    let found: BTreeMap<String, Vec<String>> = documents
        .iter()
        .map(|document| {
            let id = SpecId::parse(document.id.as_deref().unwrap()).unwrap();
            let spec = document.parse(id).unwrap();
            let said = super::recognitions_of(&spec, &in_force, now)
                .iter()
                .map(|found| {
                    format!(
                        "{} {} {:?} {:?}",
                        found.recognised_by, found.rule, found.provided.min_grade, found.provided.within_years
                    )
                })
                .collect();
            (id.to_string()[30..].to_owned(), said)
        })
        .filter(|(_, said): &(String, Vec<String>)| !said.is_empty())
        .collect();
    assert_eq!(found["000001"], ["roccalba roccalba-statistics Some(6.0) None"], "{found:#?}");
    assert_eq!(found["000006"][0], "valdeoliva valdeoliva-management None None", "{found:#?}");
    assert!(
        found["000006"].contains(&"valdeoliva valdeoliva-business-electives None Some(5)".to_owned()),
        "{found:#?}"
    );
    assert!(!found.contains_key("000002"), "a specification no rule selects: {found:#?}");
    // Not in force: nothing.
    let unsigned = [AgreementInForce { signed_by_all: false, ..in_force[0] }];
    let spec = documents[0].parse(SpecId::parse(documents[0].id.as_deref().unwrap()).unwrap()).unwrap();
    assert!(super::recognitions_of(&spec, &unsigned, now).is_empty());
}

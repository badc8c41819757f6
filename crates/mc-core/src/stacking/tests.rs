//! Stacking pathways, data-driven: `test_data/stacking/cases.toml`, and the pathway's checks.

use serde::Deserialize;

use super::{PathwayDocument, RecognisedCredit, progress};
use crate::{
    InstitutionId, SpecId, Timestamp,
    recognition::{CredentialFacts, Standing},
};

#[derive(Deserialize)]
struct Cases {
    pathway: PathwayDocument,
    case: Vec<Case>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Case {
    name: String,
    now: String,
    credentials: Vec<Credential>,
    complete: bool,
    counted: Vec<String>,
    ects: f64,
    #[serde(default)]
    not_counted: Vec<String>,
    #[serde(default)]
    missing_skills: Vec<String>,
    /// Whether the pathway counts recognised credits, in this case.
    #[serde(default)]
    count_recognised: bool,
    /// Credits the institution recognised: the credential and the ECTS granted.
    #[serde(default)]
    recognised: Vec<(String, f64)>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Credential {
    id: String,
    spec: Option<String>,
    ects: Option<f64>,
    eqf: Option<u8>,
    field: Option<String>,
    #[serde(default)]
    skills: Vec<String>,
    earned: String,
    refused: Option<String>,
}

fn time(raw: &str) -> Timestamp {
    let full = if raw.len() == 10 { format!("{raw}T00:00:00Z") } else { raw.to_owned() };
    Timestamp::parse(&full).unwrap()
}

#[test]
fn progress_follows_the_table() {
    let text = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/test_data/stacking/cases.toml")).unwrap();
    let cases: Cases = toml::from_str(&text).unwrap();
    for case in &cases.case {
        let mut pathway = cases.pathway.parse().unwrap();
        pathway.count_recognised = case.count_recognised;
        let recognised: Vec<RecognisedCredit> = case
            .recognised
            .iter()
            .map(|(credential, ects)| RecognisedCredit { credential: credential.clone(), ects: *ects })
            .collect();
        let credentials: Vec<CredentialFacts> = case
            .credentials
            .iter()
            .map(|credential| CredentialFacts {
                id: credential.id.clone(),
                issuer: Some(InstitutionId::parse("roccalba").unwrap()),
                issuer_name: "roccalba".into(),
                spec: credential.spec.as_deref().map(|id| SpecId::parse(id).unwrap()),
                ects: credential.ects,
                eqf: credential.eqf,
                field: credential.field.clone(),
                skills: credential.skills.clone(),
                assessment: None,
                qa_internal: true,
                qa_external: false,
                identity_verification: None,
                grade: None,
                earned: time(&credential.earned),
                standing: credential.refused.clone().map_or(Standing::Valid, Standing::Refused),
            })
            .collect();
        let found = progress(&pathway, &credentials, &recognised, time(&case.now));
        let what = format!("{}: {found:#?}", case.name);
        assert_eq!(found.complete, case.complete, "{what}");
        assert_eq!(found.counted.iter().map(|(id, _)| id.as_str()).collect::<Vec<_>>(), case.counted, "{what}");
        assert_eq!(found.ects, (case.ects, 15.0), "{what}");
        let not_counted: Vec<String> = found.not_counted.iter().map(|(id, why)| format!("{id}: {why}")).collect();
        assert_eq!(not_counted, case.not_counted, "{what}");
        assert_eq!(found.missing_skills, case.missing_skills, "{what}");
    }
}

#[test]
fn a_pathway_names_every_problem() {
    let document: PathwayDocument = toml::from_str(
        r#"
        id = "X"
        institution = "Valdeoliva University"
        min_ects = 0
        fields = ["1234"]
        min_eqf = 9
        skills = ["not a url"]
        within_years = 0
        "#,
    )
    .unwrap();
    let message = document.parse().unwrap_err().to_string();
    for expected in [
        "id: \"X\" is not a handle",
        "title: is required",
        "institution:",
        "min_ects: 0 is not a number of ECTS credits",
        "fields[0]:",
        "min_eqf: 9 is not an EQF level",
        "skills[0]:",
        "within_years: 0 is not a number of years",
    ] {
        assert!(message.contains(expected), "expected {expected:?} in:\n{message}");
    }
    let unknown = toml::from_str::<PathwayDocument>("id = \"x\"\nmin_credits = 3\n").unwrap_err().to_string();
    assert!(unknown.contains("line 2") && unknown.contains("unknown field `min_credits`"), "{unknown}");
}

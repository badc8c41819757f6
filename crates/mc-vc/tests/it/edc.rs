//! European Digital Credentials of an award: microcred's documents conform to the official EDC
//! SHACL shapes (checked with pyshacl, a real SHACL validator), the official samples pass the
//! EDC rules check, the rules check finds what is wrong and where, and no Annex I element is
//! lost between the specification, the EDC and the Open Badges credential of the same award.

use std::{path::Path, process::Command};

use mc_core::{Institution, Spec, SpecId, Timestamp, elm, quality::Severity, wire::InstitutionDocument};
use mc_test_support::{institution, learner, spec, spec_id};
use mc_vc::{
    badge::{Award, BadgeContent, open_badge},
    edc::{self, Finding, Stage},
};
use serde_json::{Map, Value, json};

const ELM: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../../../shared/vectors/elm");

fn read_json(path: &str) -> Value {
    serde_json::from_str(&std::fs::read_to_string(path).unwrap_or_else(|err| panic!("{path}: {err}"))).unwrap()
}

/// The demo institutions and specifications, and the format's complete test specification.
fn demo() -> (Vec<Institution>, Vec<Spec>) {
    let app = concat!(env!("CARGO_MANIFEST_DIR"), "/../mc-app/demo");
    let institutions: Vec<InstitutionDocument> =
        serde_json::from_value(read_json(&format!("{app}/institutions.json"))).unwrap();
    let institutions: Vec<Institution> = institutions.iter().map(|document| document.parse().unwrap()).collect();
    let mut documents: Vec<mc_core::wire::SpecDocument> =
        serde_json::from_value(read_json(&format!("{app}/specs.json"))).unwrap();
    documents.push(
        serde_json::from_value(read_json(concat!(env!("CARGO_MANIFEST_DIR"), "/../mc-core/test_data/spec/full.json")))
            .unwrap(),
    );
    let specs = documents
        .iter()
        .enumerate()
        .map(|(idx, document)| {
            let id = document.id.as_deref().map_or_else(|| spec_id(idx as u128 + 100), |id| SpecId::parse(id).unwrap());
            document.parse(id).unwrap()
        })
        .collect();
    (institutions, specs)
}

/// The EDC and the Open Badges credential of one award of `spec`.
fn award_of(
    spec: &Spec,
    institutions: &[Institution],
    grade: Option<&str>,
) -> (Map<String, Value>, Map<String, Value>) {
    let bodies: Vec<&Institution> = spec
        .awarding_bodies()
        .iter()
        .map(|body| institutions.iter().find(|known| known.id() == body).unwrap_or_else(|| panic!("{body}")))
        .collect();
    let learner = learner(7, "zoë.ñúñez@learners.example");
    let status = crate::support::status_entries();
    let ob3 = "urn:uuid:0193a000-0000-7000-8000-000000000007";
    let award = |id, counterpart| Award {
        id,
        learner: &learner,
        issued: Timestamp::parse("2026-06-30T10:00:00Z").unwrap(),
        awarded: Some(Timestamp::parse("2026-06-20T00:00:00Z").unwrap()),
        valid_until: None,
        salt: "c2FsdA",
        grade,
        issuer_id: "did:web:issuer.example",
        status: &status,
        spec_version: 3,
        counterpart,
        image: Some("https://issuer.example/catalogue/spec/badge.svg"),
    };
    let edc_id = "urn:credential:0193a000-0000-7000-8000-000000000007";
    let edc_document = edc::european_digital_credential(spec, &bodies, &award(edc_id, Some(ob3)));
    (edc_document, open_badge(spec, &bodies, &award(ob3, Some(edc_id))))
}

/// The EDC of a stacked credential of the first demo institution, made of two parts awarded by
/// two institutions.
fn stacked(institutions: &[Institution]) -> Map<String, Value> {
    let learner = learner(7, "zoë.ñúñez@learners.example");
    let title = mc_core::LangMap::parse([("en", "Certificate in Data"), ("es", "Certificado en datos")], 400).unwrap();
    let parts = ["urn:uuid:0193a000-0000-7000-8000-000000000001".to_owned(), "urn:credential:elsewhere-2".to_owned()];
    let award = mc_vc::badge::StackedAward {
        id: "urn:uuid:0193a000-0000-7000-8000-0000000000aa",
        pathway: "data-certificate",
        title: &title,
        criteria: "At least 10 ECTS of verified micro-credentials.",
        learner: &learner,
        salt: "c2FsdA",
        issued: Timestamp::parse("2026-06-30T10:00:00Z").unwrap(),
        issuer_id: "did:web:issuer.example",
        ects: 11.0,
        parts: &parts,
    };
    let awarded = Timestamp::parse("2026-01-15T00:00:00Z").unwrap();
    let described = [
        edc::StackedPart {
            credential: &parts[0],
            title: "Alfabetización de datos",
            language: "es",
            awarded_by: &institutions[0],
            awarded,
        },
        edc::StackedPart {
            credential: &parts[1],
            title: "Circular economy",
            language: "en",
            awarded_by: &institutions[1],
            awarded,
        },
    ];
    let document = edc::stacked_edc(&institutions[0], &award, &described);
    let claim = &document["credentialSubject"]["hasClaim"][0];
    assert_eq!(claim["hasPart"].as_array().unwrap().len(), 2, "{claim:#}");
    assert_eq!(claim["hasPart"][1]["identifier"][0]["notation"], "urn:credential:elsewhere-2");
    document
}

/// Runs the SHACL validator over `documents` with the EDC 3.2 shapes (generic profile, with
/// the controlled vocabularies). Outside CI, a machine without pyshacl skips it; in CI it must run.
fn shacl(documents: &[(String, Map<String, Value>)]) -> Option<(bool, String)> {
    let dir = tempfile::tempdir().unwrap();
    let mut args: Vec<String> = vec![concat!(env!("CARGO_MANIFEST_DIR"), "/tests/shacl/validate.py").into()];
    let contexts = concat!(env!("CARGO_MANIFEST_DIR"), "/contexts");
    for (url, file) in [
        ("https://www.w3.org/2018/credentials/v1", format!("{contexts}/credentials-v1.jsonld")),
        ("http://data.europa.eu/snb/model/context/edc-ap", format!("{contexts}/edc-ap.jsonld")),
        ("https://www.w3.org/ns/credentials/status/v1", format!("{contexts}/status-v1.jsonld")),
    ] {
        args.extend(["--context".into(), url.into(), file]);
    }
    for shapes in ["EDC-generic-no-cv.ttl", "EDC-generic-full.ttl"] {
        args.extend(["--shapes".into(), format!("{ELM}/branch-EDC-3.2-LTS/{shapes}")]);
    }
    for (name, document) in documents {
        let path = dir.path().join(format!("{name}.json"));
        std::fs::write(&path, serde_json::to_vec(document).unwrap()).unwrap();
        args.push(path.display().to_string());
    }
    let python = std::env::var("PYTHON").unwrap_or_else(|_| "python3".into());
    let output = Command::new(&python).args(&args).output();
    let in_ci = std::env::var("CI").is_ok_and(|ci| ci == "true");
    match output {
        Ok(output) if output.status.code() != Some(2) => {
            let text = String::from_utf8_lossy(&output.stdout).into_owned() + &String::from_utf8_lossy(&output.stderr);
            Some((output.status.success(), text))
        }
        outcome if in_ci => panic!("the SHACL validator must run in CI (python3 with pyshacl): {outcome:?}"),
        _ => {
            eprintln!("skipped: python3 with pyshacl is not installed");
            None
        }
    }
}

#[test]
fn microcreds_edc_documents_conform_to_the_official_shacl_shapes() {
    let (institutions, specs) = demo();
    let mut documents: Vec<(String, Map<String, Value>)> = specs
        .iter()
        .enumerate()
        .map(|(idx, spec)| {
            let grade = (idx % 2 == 0).then_some("9,5 (sobresaliente)");
            (format!("spec-{idx}"), award_of(spec, &institutions, grade).0)
        })
        .collect();
    documents.push(("stacked".into(), stacked(&institutions)));
    for (name, document) in &documents {
        let findings = edc::check(document, Stage::Sealed);
        assert!(findings.is_empty(), "{name}: {findings:#?}");
    }
    if let Some((conforms, report)) = shacl(&documents) {
        assert!(conforms, "{report}");
        assert_eq!(report.matches(": conforms").count(), documents.len(), "{report}");
    }
}

#[test]
fn the_shacl_validator_refuses_a_document_that_breaks_the_shapes() {
    // The validator is real: a document without its learner's claim, or with a field of study
    // from another vocabulary than ISCED-F, does not conform.
    let (institutions, specs) = demo();
    let (mut no_claim, _) = award_of(&specs[0], &institutions, None);
    no_claim["credentialSubject"].as_object_mut().unwrap().remove("hasClaim");
    let (mut bad_field, _) = award_of(&specs[0], &institutions, None);
    bad_field["credentialSubject"]["hasClaim"][0]["specifiedBy"]["thematicArea"] = json!([{"id": "https://example.org/fields/data", "type": "Concept", "inScheme": {"id": "https://example.org/fields", "type": "ConceptScheme"}}]);
    for (name, document) in [("no-claim", no_claim), ("bad-field", bad_field)] {
        if let Some((conforms, report)) = shacl(&[(name.into(), document)]) {
            assert!(!conforms, "{name} should not conform: {report}");
        }
    }
}

#[test]
fn the_official_samples_pass_the_rules_check() {
    for name in ["Sample-MC-Annex1", "Sample-CertOfPart"] {
        let unsigned = read_json(&format!("{ELM}/samples-elm-v3/{name}-unsigned.jsonld"));
        let findings = edc::check(unsigned.as_object().unwrap(), Stage::Draft);
        assert!(edc::passes(&findings), "{name} unsigned: {findings:#?}");
        let uploadable = read_json(&format!("{ELM}/samples-elm-v3/{name}-unsigned-uploadable.json"));
        assert!(edc::passes(&edc::check(uploadable["credential"].as_object().unwrap(), Stage::Draft)));
        let signed = read_json(&format!("{ELM}/samples-elm-v3/{name}-signed.jsonld"));
        let payload: Value = serde_json::from_str(signed["payload"].as_str().unwrap()).unwrap();
        let findings = edc::check(payload.as_object().unwrap(), Stage::Sealed);
        assert!(findings.is_empty(), "{name} signed: {findings:#?}");
    }
    // What the sealing service fills in is a warning in a draft, an error once sealed.
    let unsigned = read_json(&format!("{ELM}/samples-elm-v3/Sample-MC-Annex1-unsigned.jsonld"));
    let draft = edc::check(unsigned.as_object().unwrap(), Stage::Draft);
    let rules: Vec<(&str, &str, Severity)> =
        draft.iter().map(|finding| (finding.rule, finding.path.as_str(), finding.severity)).collect();
    assert_eq!(
        rules,
        [("edc.required", "issued", Severity::Warning), ("edc.issuer-eidas", "issuer", Severity::Warning)]
    );
    assert!(!edc::passes(&edc::check(unsigned.as_object().unwrap(), Stage::Sealed)));
}

/// One broken credential per rule: what is changed, and the finding it must give.
#[test]
fn the_rules_check_says_what_is_wrong_and_where() {
    let (institutions, specs) = demo();
    let (good, _) = award_of(&specs[0], &institutions, None);
    type Change = fn(&mut Map<String, Value>);
    let cases: &[(&str, Change, &str, &str)] = &[
        (
            "no EDC context",
            |doc| drop(doc.insert("@context".into(), json!(["https://www.w3.org/2018/credentials/v1"]))),
            "edc.context",
            "@context",
        ),
        ("no EDC type", |doc| drop(doc.insert("type".into(), json!(["VerifiableCredential"]))), "edc.type", "type"),
        ("no schema", |doc| drop(doc.remove("credentialSchema")), "edc.schema", "credentialSchema"),
        ("no validFrom", |doc| drop(doc.remove("validFrom")), "edc.required", "validFrom"),
        ("no display", |doc| drop(doc.remove("displayParameter")), "edc.required", "displayParameter"),
        (
            "a claim without title",
            |doc| drop(doc["credentialSubject"]["hasClaim"][0].as_object_mut().unwrap().remove("title")),
            "edc.required",
            "credentialSubject.hasClaim[0].title",
        ),
        (
            "an outcome without title",
            |doc| {
                let outcome = &mut doc["credentialSubject"]["hasClaim"][0]["specifiedBy"]["learningOutcome"][1];
                drop(outcome.as_object_mut().unwrap().remove("title"))
            },
            "edc.required",
            "credentialSubject.hasClaim[0].specifiedBy.learningOutcome[1].title",
        ),
        (
            "a language from no vocabulary",
            |doc| doc["displayParameter"]["primaryLanguage"] = json!({"id": "urn:lang:es", "type": "Concept"}),
            "edc.vocabulary",
            "displayParameter.primaryLanguage",
        ),
        (
            "an issuer country from no vocabulary",
            |doc| doc["issuer"]["location"]["address"]["countryCode"] = json!("https://example.org/ES"),
            "edc.vocabulary",
            "issuer.location.address.countryCode",
        ),
        (
            "a learner who cannot be told",
            |doc| {
                let person = doc["credentialSubject"].as_object_mut().unwrap();
                person.remove("id");
                person.remove("contactPoint");
            },
            "edc.learner",
            "credentialSubject",
        ),
        (
            "two issuers",
            |doc| doc["issuer"] = json!([doc["issuer"].clone(), doc["issuer"].clone()]),
            "edc.cardinality",
            "issuer",
        ),
    ];
    assert!(edc::check(&good, Stage::Sealed).is_empty());
    for (what, change, rule, path) in cases {
        let mut broken = good.clone();
        change(&mut broken);
        let findings = edc::check(&broken, Stage::Sealed);
        assert!(!edc::passes(&findings), "{what}: no error");
        assert!(
            findings.iter().any(|finding: &Finding| finding.rule == *rule && finding.path == *path),
            "{what}: expected {rule} at {path}, got {findings:#?}"
        );
    }
}

#[test]
fn no_annex_element_is_lost_between_the_specification_and_both_credentials() {
    let (institutions, specs) = demo();
    for spec in &specs {
        let (edc_document, badge) = award_of(spec, &institutions, Some("8.5"));
        // EDC → specification: every element, in every language.
        let specification = &edc_document["credentialSubject"]["hasClaim"][0]["specifiedBy"];
        let found = elm::specifications(specification);
        let document = elm::from_elm(found[0], None).unwrap_or_else(|err| panic!("{}: {err}", spec.id()));
        assert_eq!(&document.parse(spec.id()).unwrap(), spec, "the EDC of {} loses an element", spec.id());
        // Both credentials say the same of the award, in the specification's default language.
        // (The badge names its issuer in one language, the EDC in every language it has.)
        let language = spec.default_language().as_str();
        let (from_edc, from_badge) = (edc::content(&edc_document, language), BadgeContent::read(&badge));
        let names = edc_document["issuer"]["legalName"].as_object().unwrap();
        assert!(names.values().any(|name| *name == from_badge.issuer), "{names:?}");
        assert_eq!(BadgeContent { issuer: from_badge.issuer.clone(), ..from_edc }, from_badge, "{}", spec.id());
        // They name each other.
        assert_eq!(edc::counterpart(&edc_document), badge["id"].as_str());
        assert_eq!(badge["europeanDigitalCredential"], edc_document["id"]);
    }
}

#[test]
fn the_edc_carries_the_revocation_entry_and_a_picture_per_language() {
    let spec = spec(spec_id(1), "uca");
    let (document, _) = award_of(&spec, &[institution("uca")], None);
    let entry = &document["credentialStatus"];
    assert_eq!(entry["statusPurpose"], "revocation");
    assert_eq!(entry["statusListIndex"], "4242");
    assert_eq!(
        entry["type"],
        json!(["http://data.europa.eu/snb/model/elm/CredentialStatus", "BitstringStatusListEntry"])
    );
    let displays = document["displayParameter"]["individualDisplay"].as_array().unwrap();
    assert_eq!(displays.len(), spec.languages().len());
    let image = &displays[1]["displayDetail"][0]["image"]["content"];
    let svg = base64::Engine::decode(&base64::engine::general_purpose::STANDARD, image.as_str().unwrap()).unwrap();
    let svg = String::from_utf8(svg).unwrap();
    assert!(svg.contains("Alfabetización de datos para la función pública"), "{svg}");
    assert!(svg.contains("otorgado a"), "{svg}");
    assert!(Path::new(ELM).is_dir());
}

/// Every Annex I element of every demo specification, as the Open Badges credential of an award
/// says it (in the specification's default language) and as the specification says it. With
/// the EDC's exact round trip above, neither format loses an element of the other.
#[test]
fn the_open_badge_carries_every_annex_element_the_edc_carries() {
    let (institutions, specs) = demo();
    let mut seen = std::collections::BTreeSet::new();
    let mut all = std::collections::BTreeSet::new();
    for spec in &specs {
        let (edc_document, badge) = award_of(spec, &institutions, Some("8.5"));
        let from_edc = elm::from_elm(
            elm::specifications(&edc_document["credentialSubject"]["hasClaim"][0]["specifiedBy"])[0],
            None,
        )
        .unwrap()
        .parse(spec.id())
        .unwrap();
        assert_eq!(&from_edc, spec);
        let language = spec.default_language();
        let text = |map: Option<&mc_core::LangMap>| map.map(|map| json!(map.best(language)));
        let achievement = &badge["credentialSubject"]["achievement"];
        let alignment = |kind: &str| -> Vec<Value> {
            achievement["alignment"]
                .as_array()
                .unwrap()
                .iter()
                .filter(|alignment| alignment["targetType"] == kind)
                .map(|alignment| {
                    if kind == "ext:ESCOSkill" {
                        alignment["targetUrl"].clone()
                    } else {
                        alignment["targetCode"].clone()
                    }
                })
                .collect()
        };
        let said = |key: &str| Some(achievement[key].clone()).filter(|value| !value.is_null());
        let qa = spec.quality_assurance();
        let names: Vec<Value> = spec
            .awarding_bodies()
            .iter()
            .map(|id| {
                let body = institutions.iter().find(|institution| institution.id() == id).unwrap();
                json!(body.name().iter().next().unwrap().1)
            })
            .collect();
        let workload = spec.workload();
        let elements: Vec<(&str, Option<Value>, Option<Value>)> = vec![
            ("title", said("name"), text(Some(spec.title()))),
            ("description", said("description"), text(spec.description().or(Some(spec.title())))),
            (
                "learning outcomes",
                Some(json!(BadgeContent::read(&badge).outcomes)),
                Some(json!(
                    spec.learning_outcomes().iter().map(|outcome| outcome.text().best(language)).collect::<Vec<_>>()
                )),
            ),
            (
                "ESCO skills",
                Some(json!(alignment("ext:ESCOSkill"))),
                Some(json!(
                    spec.learning_outcomes()
                        .iter()
                        .filter_map(|outcome| outcome.skill().map(|skill| skill.as_str()))
                        .collect::<Vec<_>>()
                )),
            ),
            ("ECTS", said("creditsAvailable"), workload.ects().map(|ects| json!(ects))),
            ("hours", said("volumeOfLearning"), workload.hours().map(|hours| json!(format!("PT{hours}H")))),
            ("EQF level", alignment("ext:EQFLevel").pop(), spec.eqf_level().map(|level| json!(level.to_string()))),
            ("QF-EHEA cycle", said("qfEheaCycle"), spec.qf_ehea_cycle().map(|cycle| json!(cycle.as_str()))),
            ("ISCED-F field", alignment("ext:ISCEDF").pop(), spec.isced_f().map(|code| json!(code.as_str()))),
            (
                "languages",
                said("language"),
                Some(json!(spec.languages().iter().map(|tag| tag.as_str()).collect::<Vec<_>>())),
            ),
            ("mode", said("mode"), Some(json!(spec.participation().as_str()))),
            ("assessment", said("assessmentKind"), Some(json!(spec.assessment().kind().as_str()))),
            (
                "assessment methods",
                said("assessmentMethod"),
                Some(json!(spec.assessment().methods().iter().map(|method| method.as_str()).collect::<Vec<_>>())),
            ),
            ("assessment description", said("assessmentDescription"), text(spec.assessment().description())),
            (
                "quality assurance",
                said("qualityAssurance"),
                Some(json!(
                    [(qa.internal(), "internal"), (qa.external(), "external")]
                        .iter()
                        .filter(|(on, _)| *on)
                        .map(|(_, kind)| *kind)
                        .collect::<Vec<_>>()
                )),
            ),
            ("quality assurance body", said("qualityAssuranceBody"), qa.body().map(|body| json!(body))),
            ("prerequisites", said("entryRequirement"), text(spec.prerequisites())),
            (
                "identity verification",
                said("identityVerification"),
                spec.identity_verification().map(|kind| json!(kind.as_str())),
            ),
            ("grading scheme", said("gradingScheme"), text(spec.grading_scheme())),
            ("stackability", said("stackability"), spec.stackability().map(|stack| json!(stack.option().as_str()))),
            (
                "stackable towards",
                said("stackableTowards"),
                text(spec.stackability().and_then(|stack| stack.towards())),
            ),
            ("further information", said("furtherInformation"), text(spec.further_information())),
            ("homepage", said("homepage"), spec.homepage().map(|url| json!(url.as_str()))),
            ("awarding bodies", said("awardingBody"), Some(json!(names))),
            ("grade", Some(badge["credentialSubject"]["result"][0]["value"].clone()), Some(json!("8.5"))),
        ];
        for (element, in_badge, in_spec) in elements {
            all.insert(element);
            if in_spec.is_some() {
                seen.insert(element);
            }
            assert_eq!(in_badge, in_spec, "{}: the badge's {element}", spec.id());
        }
        // The grade is in the EDC too.
        assert_eq!(edc::content(&edc_document, language.as_str()).grade.as_deref(), Some("8.5"));
    }
    assert_eq!(seen, all, "some specification has each element, so that none is compared only as absent");
}

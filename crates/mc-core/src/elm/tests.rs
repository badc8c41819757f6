//! ELM export and import: microcred's specifications (the demo set and the format's test
//! documents) read back unchanged, and the official ELM micro-credential sample is read as far
//! as it goes and refused with what it lacks.

use serde_json::Value;

use super::{from_elm, specifications, to_elm};
use crate::{SpecId, wire::SpecDocument};

fn demo_specs() -> Vec<SpecDocument> {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/../mc-app/demo/specs.json");
    serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap()
}

#[test]
fn every_demo_specification_reads_back_unchanged() {
    let mut documents = demo_specs();
    let full = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/test_data/spec/full.json")).unwrap();
    documents.push(serde_json::from_str(&full).unwrap());
    for (idx, document) in documents.iter().enumerate() {
        let id = SpecId::from_uuid(uuid::Uuid::from_u128(idx as u128 + 1));
        let spec = document.parse(id).unwrap();
        let exported = to_elm(&spec);
        let found = specifications(&exported);
        assert_eq!(found.len(), 1);
        let back = from_elm(found[0], None).unwrap_or_else(|err| panic!("demo spec {idx}: {err}"));
        assert_eq!(back.parse(id).unwrap(), spec, "demo spec {idx} round trip");
    }
}

#[test]
fn an_export_uses_elm_terms_for_the_annex_elements() {
    let spec = demo_specs()[0].parse(SpecId::from_uuid(uuid::Uuid::from_u128(7))).unwrap();
    let elm = to_elm(&spec);
    assert_eq!(elm["type"], "LearningAchievementSpecification");
    assert_eq!(elm["eqfLevel"]["id"], "http://data.europa.eu/snb/eqf/5");
    assert_eq!(elm["creditPoint"][0]["point"], "5");
    assert_eq!(elm["volumeOfLearning"], "PT125H");
    assert_eq!(elm["language"][0]["id"], "http://publications.europa.eu/resource/authority/language/SPA");
    assert!(
        elm["learningOutcome"][0]["relatedESCOSkill"][0]["id"]
            .as_str()
            .unwrap()
            .starts_with("http://data.europa.eu/esco/skill/")
    );
}

#[test]
fn the_official_sample_is_read_and_refused_with_what_it_lacks() {
    let path = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../../shared/vectors/elm/samples-elm-v3/Sample-MC-Annex1-unsigned.jsonld"
    );
    let sample: Value = serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap();
    let found = specifications(&sample);
    assert_eq!(found.len(), 1, "the credential's specifiedBy");
    let err = from_elm(found[0], Some("uca")).unwrap_err();
    assert_eq!(
        err,
        "it lacks a type of assessment (provenBy with its kind), a type of quality assurance (accreditation)"
    );

    // What it does say is read: given the missing elements, it becomes a valid specification.
    let mut las = found[0].clone();
    las["provenBy"] = serde_json::json!({"dcType": {"id": "https://w3id.org/microcred/vocab#assessment-summative"}});
    las["accreditation"] = serde_json::json!({"accreditingAgent": {"legalName": {"en": "QQI"}}});
    let document = from_elm(&las, Some("uca")).unwrap();
    assert_eq!(document.title.as_ref().unwrap()["en"], "Digital micro-credential creation");
    assert_eq!(document.participation.as_deref(), Some("blended"));
    assert_eq!(document.workload.as_ref().unwrap().ects, Some(2.0));
    assert_eq!(document.workload.as_ref().unwrap().hours, Some(60));
    assert_eq!(document.eqf_level, Some(6));
    assert_eq!(document.languages.as_deref(), Some(&["en".to_owned()][..]));
    assert_eq!(document.learning_outcomes.as_ref().unwrap().len(), 2);
    assert_eq!(document.quality_assurance.as_ref().unwrap().body.as_deref(), Some("QQI"));
    let spec = document.parse(SpecId::from_uuid(uuid::Uuid::nil())).unwrap();
    assert_eq!(spec.assessment().methods().len(), 1, "no method named: 'other'");
}

#[test]
fn durations_are_read_in_hours() {
    assert_eq!(super::hours("PT60H"), Some(60));
    assert_eq!(super::hours("P2DT3H"), Some(51));
    assert_eq!(super::hours("PT90M"), Some(2));
    assert_eq!(super::hours("P1M"), None, "months have no fixed length");
    assert_eq!(super::hours("60 hours"), None);
    assert_eq!(super::hours("PT0H"), None);
}

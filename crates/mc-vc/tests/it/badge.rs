//! Open Badges 3.0 credentials built from a specification: they match the schema, sign and
//! verify with both eddsa suites, and carry the Annex I elements.

use mc_core::{Timestamp, wire::LearnerDocument};
use mc_test_support::{institution, learner, spec, spec_id};
use mc_vc::{
    badge::{Award, BadgeContent, BadgeDraft, BadgeTemplate, open_badge},
    did::NoResolver,
    multikey::{KeyType, SecretKey},
    proof::{self, ProofOptions, Suite},
    status::StatusEntry,
    verify::{CheckStatus, Verdict, VerifyParams, verify_document},
};

fn signed_badge(suite: Suite, with_did: bool) -> serde_json::Map<String, serde_json::Value> {
    let key = SecretKey::from_seed(KeyType::Ed25519, [42; 32]).unwrap();
    let did = format!("did:key:{}", key.public_key().to_multibase());
    let mut learner = learner(1, "ana@learners.example");
    if with_did {
        let document = LearnerDocument {
            did: Some("did:key:z6MkiTBz1ymuepAQ4HEHYSF1H8quG5GLVVQR3djdX3mDooWp".into()),
            ..LearnerDocument::from(&learner)
        };
        learner = document.parse(learner.id()).unwrap();
    }
    let award = Award {
        id: "urn:uuid:0193a000-0000-7000-8000-000000000001",
        learner: &learner,
        issued: Timestamp::parse("2025-06-30T10:00:00Z").unwrap(),
        awarded: None,
        valid_until: None,
        salt: "c2FsdA",
        grade: Some("9.5"),
        issuer_id: &did,
        status: &[],
        spec_version: 1,
        counterpart: None,
        image: None,
    };
    let badge = open_badge(&spec(spec_id(1), "uca"), &[&institution("uca")], &award);
    let options = ProofOptions {
        verification_method: format!("{did}#{}", key.public_key().to_multibase()),
        created: "2025-06-30T10:00:00Z".into(),
        proof_purpose: "assertionMethod".into(),
    };
    proof::sign(&badge, suite, &key, &options).unwrap()
}

#[test]
fn badges_sign_and_verify_with_both_suites() {
    let params = VerifyParams {
        now: Timestamp::parse("2026-01-01T00:00:00Z").unwrap(),
        resolver: &NoResolver,
        trusted_issuers: None,
        status: &mc_vc::status::NoStatusLists,
    };
    for suite in [Suite::EddsaRdfc2022, Suite::EddsaJcs2022] {
        for with_did in [true, false] {
            let signed = signed_badge(suite, with_did);
            let result = verify_document(&serde_json::Value::Object(signed.clone()), &params);
            assert_eq!(result.verdict, Verdict::Valid, "{suite:?}: {result:#?}");
            for check in &result.checks {
                assert!(matches!(check.status, CheckStatus::Passed | CheckStatus::Skipped), "{check:?}");
            }
            let mut unsigned = signed.clone();
            unsigned.remove("proof");
            assert!(
                mc_vc::linked_data::fast_canonical_nquads(&unsigned).is_some(),
                "badges take the fast JSON-LD path"
            );
            let size = serde_json::to_string(&signed).unwrap().len();
            assert!((1_500..=6_000).contains(&size), "a badge is a few kilobytes, not {size} bytes");
        }
    }
}

#[test]
fn badges_carry_the_annex_elements() {
    let badge = signed_badge(Suite::EddsaRdfc2022, false);
    let achievement = &badge["credentialSubject"]["achievement"];
    assert_eq!(achievement["achievementType"], "MicroCredential");
    assert_eq!(achievement["name"], "Data literacy for public servants");
    assert_eq!(achievement["creditsAvailable"], 5.0);
    assert_eq!(achievement["volumeOfLearning"], "PT125H");
    assert_eq!(achievement["assessmentKind"], "summative");
    assert_eq!(achievement["mode"], "online");
    assert_eq!(achievement["qualityAssurance"], serde_json::json!(["internal", "external"]));
    assert_eq!(achievement["identityVerification"], "supervised-online-with-id");
    let alignments = achievement["alignment"].as_array().unwrap();
    assert!(alignments.iter().any(|it| it["targetUrl"] == "http://data.europa.eu/snb/eqf/6"));
    assert!(alignments.iter().any(|it| it["targetCode"] == "0613"));
    assert!(alignments.iter().any(|it| it["targetFramework"] == "ESCO"));
    assert_eq!(badge["issuer"]["address"]["addressCountryCode"], "ES");
    assert_eq!(badge["validFrom"], "2025-06-30T10:00:00Z");
    let identifier = &badge["credentialSubject"]["identifier"][0];
    assert_eq!(identifier["identityType"], "emailAddress");
    assert!(identifier["identityHash"].as_str().unwrap().starts_with("sha256$"));
    assert_eq!(badge["credentialSubject"]["result"][0]["value"], "9.5");
    assert_eq!(achievement["version"], "1", "the version of the specification it was issued from");
}

#[test]
fn what_a_badge_says_reads_back_from_the_signed_credential() {
    let badge = signed_badge(Suite::EddsaJcs2022, false);
    let source = spec(spec_id(1), "uca");
    let language = source.default_language();
    let read = BadgeContent::read(&badge);
    assert_eq!(read.title, source.title().best(language));
    let description = source.description().unwrap_or(source.title());
    assert_eq!(read.description, description.best(language));
    let outcomes: Vec<&str> = source.learning_outcomes().iter().map(|outcome| outcome.text().best(language)).collect();
    assert!(!outcomes.is_empty());
    assert_eq!(read.outcomes, outcomes);
    assert_eq!((read.ects, read.hours, read.eqf_level.as_deref()), (Some(5.0), Some(125), Some("6")));
    assert_eq!(read.issuer, badge["issuer"]["name"]);
    assert_eq!((read.spec_version.as_deref(), read.grade.as_deref()), (Some("1"), Some("9.5")));

    // An outcome written on several lines stays one outcome; a narrative in another form is
    // shown whole; a credential that is not a badge reads as empty.
    let mut changed = badge;
    changed["credentialSubject"]["achievement"]["criteria"]["narrative"] =
        "The learner is able to:\n- read\n  tables\n- write".into();
    assert_eq!(BadgeContent::read(&changed).outcomes, ["read\n  tables", "write"]);
    changed["credentialSubject"]["achievement"]["criteria"]["narrative"] = "Pass the exam.".into();
    assert_eq!(BadgeContent::read(&changed).outcomes, ["Pass the exam."]);
    assert_eq!(BadgeContent::read(&serde_json::Map::new()), BadgeContent::default());
}

/// Awards that differ in every part a cohort's credentials may differ in: learner named by DID
/// or by email, grade or none, completion date or none, an end of validity, status entries
/// (none, one, two) and a counterpart.
fn varied_awards<'a>(
    learners: &'a [mc_core::Learner],
    status: &'a [StatusEntry],
    issuer_id: &'a str,
    image: &'a str,
) -> Vec<Award<'a>> {
    let at = |text: &str| Timestamp::parse(text).unwrap();
    (0..8)
        .map(|n| Award {
            id: ["urn:uuid:0193a000-0000-7000-8000-000000000001", "urn:uuid:0193a000-0000-7000-8000-000000000002"]
                [n % 2],
            learner: &learners[n % learners.len()],
            issued: at("2025-06-30T10:00:00Z"),
            awarded: (n % 3 == 0).then(|| at("2025-06-01T00:00:00Z")),
            valid_until: (n == 5).then(|| at("2030-06-30T10:00:00Z")),
            salt: ["c2FsdA", "b3RybyBzYWx0"][n % 2],
            grade: (n % 4 != 1).then_some(["9.5", "pass", "7"][n % 3]),
            issuer_id,
            status: &status[..n % 3],
            spec_version: 1,
            counterpart: (n % 4 == 2).then_some("urn:credential:0193a000-0000-7000-8000-000000000009"),
            image: Some(image),
        })
        .collect()
}

#[test]
fn a_draft_filled_award_after_award_is_each_award_s_badge() {
    let (spec, other_spec, institution) = (spec(spec_id(1), "uca"), spec(spec_id(2), "uca"), institution("uca"));
    let with_did = LearnerDocument {
        did: Some("did:key:z6MkiTBz1ymuepAQ4HEHYSF1H8quG5GLVVQR3djdX3mDooWp".into()),
        ..LearnerDocument::from(&learner(2, "bo@learners.example"))
    }
    .parse(learner(2, "bo@learners.example").id())
    .unwrap();
    let learners = [learner(1, "ana@learners.example"), with_did, learner(3, "cy@learners.example")];
    let status = crate::support::status_entries();
    let (issuer, image) = ("did:web:uca.example", "https://uca.example/badge.png");
    let template = BadgeTemplate::new(&spec, &[&institution], issuer, 1, Some(image));
    let other = BadgeTemplate::new(&other_spec, &[&institution], issuer, 1, Some(image));
    let mut draft = BadgeDraft::default();
    for (n, award) in varied_awards(&learners, &status, issuer, image).iter().enumerate() {
        let expected = open_badge(&spec, &[&institution], award);
        assert_eq!(template.badge(award), expected, "award {n}");
        assert_eq!(template.fill(award, &mut draft), &expected, "award {n}, filled after award {}", n.wrapping_sub(1));
        // A proof added for the text stays out of the next award.
        let text = draft.signed_text(serde_json::Map::from_iter([("type".to_owned(), "DataIntegrityProof".into())]));
        let mut signed = expected.clone();
        signed.insert("proof".into(), serde_json::json!({"type": "DataIntegrityProof"}));
        assert_eq!(text, serde_json::to_string(&signed).unwrap(), "award {n}: the text serde_json writes");
        // A draft another template filled is filled anew.
        if n == 3 {
            other.fill(award, &mut draft);
        }
    }
}

#[test]
fn a_prepared_proof_is_the_proof_made_from_the_start() {
    let key = SecretKey::from_seed(KeyType::Ed25519, [42; 32]).unwrap();
    let options = ProofOptions {
        verification_method: format!("did:key:{0}#{0}", key.public_key().to_multibase()),
        created: "2025-06-30T10:00:00Z".into(),
        proof_purpose: "assertionMethod".into(),
    };
    let sign = |data: &[u8]| Ok::<_, proof::ProofError>(key.sign(data));
    for suite in [Suite::EddsaRdfc2022, Suite::EddsaJcs2022] {
        let badge = signed_badge(suite, false);
        let mut unsigned = badge.clone();
        unsigned.remove("proof");
        let prepared = proof::PreparedProof::new(suite, KeyType::Ed25519, &options, &unsigned["@context"]).unwrap();
        let expected = proof::create_proof(&unsigned, suite, &key, &options).unwrap();
        assert_eq!(prepared.create_with(&unsigned, sign).unwrap(), expected, "{suite:?}");
        // A document with another @context is proved from the start, as its own.
        let mut other = unsigned.clone();
        other["@context"].as_array_mut().unwrap().push(serde_json::json!({"extra": "https://example.org/extra"}));
        other.insert("name".into(), "Another".into());
        let expected = proof::create_proof(&other, suite, &key, &options).unwrap();
        assert_eq!(prepared.create_with(&other, sign).unwrap(), expected, "{suite:?}, another @context");
        let signed = proof::attach_proof(unsigned.clone(), prepared.create_with(&unsigned, sign).unwrap());
        assert_eq!(proof::verify(&signed, signed["proof"].as_object().unwrap(), &key.public_key()).unwrap(), suite);
    }
    // What cannot sign is refused up front.
    let refused = proof::PreparedProof::new(Suite::EddsaRdfc2022, KeyType::P256, &options, &serde_json::json!([]));
    assert!(matches!(refused, Err(proof::ProofError::WrongKey { .. })), "{refused:?}");
}

/// A verifier keeps the hashes of the proof configurations it met last; one answers only for a
/// proof with the very configuration (and, for RDFC, the very document `@context`) it was
/// made from, whatever was verified before it.
#[test]
fn a_kept_proof_configuration_answers_only_for_its_own_proof() {
    let key = SecretKey::from_seed(KeyType::Ed25519, [42; 32]).unwrap();
    let public = key.public_key();
    let options = |created: &str| ProofOptions {
        verification_method: format!("did:key:{0}#{0}", public.to_multibase()),
        created: created.into(),
        proof_purpose: "assertionMethod".into(),
    };
    let verify = |document: &serde_json::Map<String, serde_json::Value>| {
        proof::verify(document, document["proof"].as_object().unwrap(), &public)
    };
    let bad = |document: &serde_json::Map<String, serde_json::Value>| {
        matches!(verify(document), Err(proof::ProofError::BadSignature))
    };
    for suite in [Suite::EddsaRdfc2022, Suite::EddsaJcs2022] {
        let mut unsigned = signed_badge(suite, false);
        unsigned.remove("proof");
        let signed = proof::sign(&unsigned, suite, &key, &options("2025-06-30T10:00:00Z")).unwrap();
        let later = proof::sign(&unsigned, suite, &key, &options("2025-07-01T10:00:00Z")).unwrap();
        assert_eq!(verify(&signed), Ok(suite), "{suite:?}");
        assert_eq!(verify(&later), Ok(suite), "{suite:?}, another created");

        // Each kept configuration is the other's but for one field.
        let mut moved = signed.clone();
        moved["proof"]["created"] = later["proof"]["created"].clone();
        assert!(bad(&moved), "{suite:?}: the signature was made with another created");
        let mut added = signed.clone();
        added["proof"].as_object_mut().unwrap().insert("domain".into(), "https://example.org".into());
        assert!(bad(&added), "{suite:?}: a field the signature did not cover");
        let mut removed = signed.clone();
        removed["proof"].as_object_mut().unwrap().remove("created");
        assert!(bad(&removed), "{suite:?}: a field the signature covered is gone");

        // An RDFC configuration is read with the document's @context, so another one is hashed
        // anew; a term no one uses adds no statement, and JCS hashes the proof's own @context
        // (eddsa-jcs-2022 §3.3.2), so the signature holds.
        let mut recontexted = signed.clone();
        recontexted["@context"].as_array_mut().unwrap().push(serde_json::json!({"extra": "https://example.org/x"}));
        assert_eq!(verify(&recontexted), Ok(suite), "{suite:?}, another @context");

        // A configuration too large to keep is hashed every time, alike.
        let domain = "x".repeat(20_000);
        let created = options("2025-06-30T10:00:00Z");
        let large_proof =
            proof::create_presentation_proof(&unsigned, suite, &key, &created, None, Some(&domain)).unwrap();
        let large = proof::attach_proof(unsigned.clone(), large_proof);
        assert_eq!(verify(&large), Ok(suite), "{suite:?}, a large configuration");
        assert_eq!(verify(&large), Ok(suite), "{suite:?}, a large configuration again");
        let mut shortened = large.clone();
        shortened["proof"]["domain"] = "x".into();
        assert!(bad(&shortened), "{suite:?}, a large configuration changed");

        // More configurations than are kept push the first out; it is hashed again, alike.
        for day in 10..30 {
            let other = proof::sign(&unsigned, suite, &key, &options(&format!("2025-07-{day}T10:00:00Z"))).unwrap();
            assert_eq!(verify(&other), Ok(suite), "{suite:?}, day {day}");
        }
        assert_eq!(verify(&signed), Ok(suite), "{suite:?}, after the others");
        assert!(bad(&moved), "{suite:?}, after the others");
    }
}

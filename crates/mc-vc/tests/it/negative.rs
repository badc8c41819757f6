//! The negative corpus: each damaged credential fails on the check it should, and none panics
//! or reaches the network.

use mc_core::Timestamp;
use mc_test_support::{institution, learner, spec, spec_id};
use mc_vc::{
    badge::{Award, open_badge},
    did::NoResolver,
    multikey::{KeyType, SecretKey},
    proof::{self, ProofOptions, Suite},
    verify::{CheckId, CheckStatus, Verdict, VerifyParams, verify_text},
};
use serde_json::{Map, Value, json};

fn key(seed: u8) -> SecretKey {
    SecretKey::from_seed(KeyType::Ed25519, [seed; 32]).unwrap()
}

fn did(key: &SecretKey) -> String {
    format!("did:key:{}", key.public_key().to_multibase())
}

/// An unsigned badge issued by the did:key of `key(1)`.
fn unsigned() -> Map<String, Value> {
    unsigned_by(&did(&key(1)), "urn:uuid:0193a000-0000-7000-8000-000000000001")
}

/// An unsigned badge with this id, issued by `issuer`.
fn unsigned_by(issuer: &str, id: &str) -> Map<String, Value> {
    let learner = learner(1, "ana@learners.example");
    let award = Award {
        id,
        learner: &learner,
        issued: Timestamp::parse("2025-06-30T10:00:00Z").unwrap(),
        awarded: None,
        valid_until: None,
        salt: "c2FsdA",
        grade: None,
        issuer_id: issuer,
        status: &[],
        spec_version: 1,
        counterpart: None,
        image: None,
    };
    open_badge(&spec(spec_id(1), "uca"), &[&institution("uca")], &award)
}

fn sign_with(document: &Map<String, Value>, signer: &SecretKey, suite: Suite) -> Map<String, Value> {
    let public = signer.public_key().to_multibase();
    let options = ProofOptions {
        verification_method: format!("did:key:{public}#{public}"),
        created: "2025-06-30T10:00:00Z".into(),
        proof_purpose: "assertionMethod".into(),
    };
    proof::sign(document, suite, signer, &options).unwrap()
}

fn signed() -> Map<String, Value> {
    sign_with(&unsigned(), &key(1), Suite::EddsaRdfc2022)
}

/// Signs the badge after `change`, so that only the change is wrong.
fn signed_after(change: impl Fn(&mut Map<String, Value>)) -> String {
    let mut document = unsigned();
    change(&mut document);
    Value::Object(sign_with(&document, &key(1), Suite::EddsaRdfc2022)).to_string()
}

/// Signs the badge with eddsa-jcs-2022 after `change`: JSON canonicalization signs what the
/// RDF one refuses to, so the verifier's own checks are what catch it.
fn jcs_signed_after(change: impl Fn(&mut Map<String, Value>)) -> String {
    let mut document = unsigned();
    change(&mut document);
    Value::Object(sign_with(&document, &key(1), Suite::EddsaJcs2022)).to_string()
}

/// Changes a signed badge.
fn damaged(change: impl Fn(&mut Map<String, Value>)) -> String {
    let mut document = signed();
    change(&mut document);
    Value::Object(document).to_string()
}

fn proof_mut(document: &mut Map<String, Value>) -> &mut Map<String, Value> {
    document.get_mut("proof").and_then(Value::as_object_mut).unwrap()
}

#[test]
fn damaged_credentials_fail_on_the_right_check() {
    let cases: Vec<(&str, String, &[CheckId])> = vec![
        ("changed claim", damaged(|doc| doc["name"] = json!("Quantum physics")), &[CheckId::Proof]),
        (
            "changed achievement",
            damaged(|doc| doc["credentialSubject"]["achievement"]["creditsAvailable"] = json!(60)),
            &[CheckId::Proof],
        ),
        ("proof removed", damaged(|doc| drop(doc.remove("proof"))), &[CheckId::Proof]),
        ("proof null", damaged(|doc| doc["proof"] = Value::Null), &[CheckId::Schema, CheckId::Proof]),
        ("unknown cryptosuite", damaged(|doc| proof_mut(doc)["cryptosuite"] = json!("rot13-2025")), &[CheckId::Proof]),
        ("unknown proof type", damaged(|doc| proof_mut(doc)["type"] = json!("MagicProof")), &[CheckId::Proof]),
        (
            "wrong proof purpose",
            damaged(|doc| proof_mut(doc)["proofPurpose"] = json!("authentication")),
            &[CheckId::Proof],
        ),
        (
            "truncated proofValue",
            damaged(|doc| {
                let value = proof_mut(doc)["proofValue"].as_str().unwrap().to_owned();
                proof_mut(doc)["proofValue"] = json!(value[..value.len() - 10]);
            }),
            &[CheckId::Proof],
        ),
        ("proofValue not multibase", damaged(|doc| proof_mut(doc)["proofValue"] = json!("0OIl")), &[CheckId::Proof]),
        // Base58 decoding costs the square of the length: read whole, these took minutes.
        (
            "proofValue of 900,000 characters",
            damaged(|doc| proof_mut(doc)["proofValue"] = json!(format!("z{}", "2".repeat(900_000)))),
            &[CheckId::Proof],
        ),
        (
            "did:key of 450,000 characters",
            damaged(|doc| {
                let multibase = format!("z{}", "2".repeat(450_000));
                proof_mut(doc)["verificationMethod"] = json!(format!("did:key:{multibase}#{multibase}"));
            }),
            &[CheckId::Proof],
        ),
        (
            "key not controlled by the issuer",
            Value::Object(sign_with(&unsigned(), &key(2), Suite::EddsaRdfc2022)).to_string(),
            &[CheckId::Issuer],
        ),
        (
            "jcs proof by another key",
            Value::Object(sign_with(&unsigned(), &key(3), Suite::EddsaJcs2022)).to_string(),
            &[CheckId::Issuer],
        ),
        (
            "added undefined term",
            jcs_signed_after(|doc| doc.insert("favouriteColour".into(), json!("green")).map_or((), drop)),
            &[CheckId::Format],
        ),
        (
            "added undefined term after signing",
            damaged(|doc| doc["credentialSubject"]["favouriteColour"] = json!("green")),
            &[CheckId::Format],
        ),
        (
            "unknown context",
            jcs_signed_after(|doc| {
                doc["@context"].as_array_mut().unwrap().push(json!("https://evil.example/context.jsonld"))
            }),
            &[CheckId::Format],
        ),
        (
            "reordered context",
            jcs_signed_after(|doc| doc["@context"].as_array_mut().unwrap().swap(0, 1)),
            &[CheckId::Format],
        ),
        (
            "expired",
            signed_after(|doc| drop(doc.insert("validUntil".into(), json!("2025-12-31T23:59:59Z")))),
            &[CheckId::Validity],
        ),
        ("not yet valid", signed_after(|doc| doc["validFrom"] = json!("2027-01-01T00:00:00Z")), &[CheckId::Validity]),
        (
            "validUntil before validFrom",
            signed_after(|doc| drop(doc.insert("validUntil".into(), json!("2025-01-01T00:00:00Z")))),
            &[CheckId::Validity],
        ),
        ("malformed validFrom", signed_after(|doc| doc["validFrom"] = json!("30/06/2025")), &[CheckId::Validity]),
        ("not an object", "[1, 2, 3]".to_owned(), &[CheckId::Format]),
        ("not JSON", "{\"@context\": ".to_owned(), &[CheckId::Format]),
        ("10 MB input", format!("{{\"padding\": \"{}\"}}", "x".repeat(10 * 1024 * 1024)), &[CheckId::Format]),
        ("JSON nested 10,000 deep", format!("{}{}", "[".repeat(10_000), "]".repeat(10_000)), &[CheckId::Format]),
        (
            "object nested 10,000 deep",
            format!("{}1{}", "{\"a\":".repeat(10_000), "}".repeat(10_000)),
            &[CheckId::Format],
        ),
    ];
    let params = VerifyParams {
        now: Timestamp::parse("2026-06-01T00:00:00Z").unwrap(),
        resolver: &NoResolver,
        trusted_issuers: None,
        status: &mc_vc::status::NoStatusLists,
    };
    let mut wrong = Vec::new();
    for (name, text, expected) in &cases {
        let result = verify_text(text, &params);
        let failed: Vec<CheckId> =
            result.checks.iter().filter(|check| check.status == CheckStatus::Failed).map(|check| check.id).collect();
        if result.verdict != Verdict::Invalid || failed != *expected {
            wrong.push(format!("{name}: expected {expected:?} to fail, got {result:#?}"));
        }
    }
    assert!(wrong.is_empty(), "{}", wrong.join("\n\n"));
}

#[test]
fn the_undamaged_credential_is_valid() {
    let params = VerifyParams {
        now: Timestamp::parse("2026-06-01T00:00:00Z").unwrap(),
        resolver: &NoResolver,
        trusted_issuers: None,
        status: &mc_vc::status::NoStatusLists,
    };
    let result = verify_text(&Value::Object(signed()).to_string(), &params);
    assert_eq!(result.verdict, Verdict::Valid, "{result:#?}");
}

#[test]
fn an_issuer_that_left_the_trusted_list_fails_trust_for_what_it_issued_afterwards_only() {
    use mc_vc::verify::{TrustedIssuer, TrustedIssuers};

    let text = Value::Object(signed()).to_string(); // issued 2025-06-30T10:00:00Z
    let verify = |until: Option<&str>| {
        let list = TrustedIssuers::with_entries(vec![TrustedIssuer {
            id: did(&key(1)),
            name: "Universidad de Cádiz".to_owned(),
            until: until.map(|raw| Timestamp::parse(raw).unwrap()),
        }]);
        let params = VerifyParams {
            now: Timestamp::parse("2026-06-01T00:00:00Z").unwrap(),
            resolver: &NoResolver,
            trusted_issuers: Some(&list),
            status: &mc_vc::status::NoStatusLists,
        };
        verify_text(&text, &params)
    };
    let status = |result: &mc_vc::verify::Verification, id| result.check(id).unwrap().status;

    let trusted = verify(None);
    assert_eq!(trusted.verdict, Verdict::Valid, "{trusted:#?}");
    let left_later = verify(Some("2025-12-31T00:00:00Z"));
    assert_eq!(left_later.verdict, Verdict::Valid, "{left_later:#?}");
    assert!(left_later.check(CheckId::Trust).unwrap().message.contains("left the list on 2025-12-31"));

    let left_before = verify(Some("2025-01-01T00:00:00Z"));
    assert_eq!(left_before.verdict, Verdict::Invalid);
    assert_eq!(status(&left_before, CheckId::Trust), CheckStatus::Failed);
    assert!(left_before.check(CheckId::Trust).unwrap().message.contains("issued after that"), "{left_before:#?}");
    for id in [CheckId::Format, CheckId::Proof, CheckId::Issuer, CheckId::Validity] {
        assert_eq!(status(&left_before, id), CheckStatus::Passed, "{id:?} still runs");
    }

    let from_json = TrustedIssuers::from_json(&format!(
        r#"{{"issuers": [{{"id": "uca", "name": "UCA", "dids": ["did:web:uca.example", "{}"], "trusted_until": "2025-01-01T00:00:00Z"}}]}}"#,
        did(&key(1))
    ))
    .unwrap();
    assert_eq!(from_json.len(), 2);
    assert_eq!(from_json.entry(&did(&key(1))).unwrap().until, Some(Timestamp::parse("2025-01-01T00:00:00Z").unwrap()));
    assert!(TrustedIssuers::from_json(r#"{"issuers": [{"id": "x", "trusted_until": "yesterday"}]}"#).is_err());
}

/// A credential signed with anyone's key, naming that key in the verification method's URL of a
/// trusted https issuer, is never valid: the key must come from the issuer's own profile, and
/// when that cannot be fetched, the proof and the issuer are undecided.
#[test]
fn a_key_the_issuer_never_published_never_verifies() {
    use mc_vc::verify::{TrustedIssuer, TrustedIssuers};

    let issuer = "https://trusted.example/issuer";
    let attacker = key(66);
    let document = unsigned_by(issuer, "urn:uuid:0193a000-0000-7000-8000-000000000066");
    let options = ProofOptions {
        verification_method: format!("{issuer}#{}", attacker.public_key().to_multibase()),
        created: "2025-06-30T10:00:00Z".into(),
        proof_purpose: "assertionMethod".into(),
    };
    let forged = proof::sign(&document, Suite::EddsaRdfc2022, &attacker, &options).unwrap();
    let trusted =
        TrustedIssuers::with_entries(vec![TrustedIssuer { id: issuer.into(), name: "Trusted".into(), until: None }]);
    let params = VerifyParams {
        now: Timestamp::parse("2026-06-01T00:00:00Z").unwrap(),
        resolver: &NoResolver,
        trusted_issuers: Some(&trusted),
        status: &mc_vc::status::NoStatusLists,
    };
    let result = verify_text(&Value::Object(forged).to_string(), &params);
    assert_eq!(result.verdict, Verdict::Indeterminate, "{result:#?}");
    for id in [CheckId::Proof, CheckId::Issuer] {
        assert_eq!(result.check(id).map(|check| check.status), Some(CheckStatus::Skipped), "{id:?}: {result:#?}");
    }
}

/// A credential that names a key twice is malformed before any check: serde_json would keep the
/// second `credentialSubject` (the one signed) while another reader shows the first.
#[test]
fn a_credential_with_a_key_twice_is_malformed() {
    let signed = Value::Object(signed()).to_string();
    let forged = signed.replacen(
        '{',
        r#"{"credentialSubject": {"type": ["AchievementSubject"], "id": "did:example:someone-else"}, "#,
        1,
    );
    let params = VerifyParams {
        now: Timestamp::parse("2026-06-01T00:00:00Z").unwrap(),
        resolver: &NoResolver,
        trusted_issuers: None,
        status: &mc_vc::status::NoStatusLists,
    };
    let result = verify_text(&forged, &params);
    assert_eq!(result.verdict, Verdict::Invalid, "{result:#?}");
    let format = result.check(CheckId::Format).unwrap();
    assert!(format.status == CheckStatus::Failed && format.message.contains("credentialSubject"), "{format:?}");
}

/// A credential may carry a handful of proofs and status entries, no more: each could send the
/// verifier to fetch a key or a list, so hundreds would hold it for hours. Refused before any is
/// resolved.
#[test]
fn too_many_proofs_or_status_entries_are_refused_before_any_fetch() {
    use mc_vc::verify::{MAX_PROOFS, MAX_STATUS_ENTRIES};

    let params = VerifyParams {
        now: Timestamp::parse("2026-06-01T00:00:00Z").unwrap(),
        resolver: &NoResolver,
        trusted_issuers: None,
        status: &mc_vc::status::NoStatusLists,
    };
    let proofs = damaged(|document| {
        let proof = document["proof"].clone();
        let one = |n: usize| {
            let mut proof = proof.clone();
            proof["verificationMethod"] = json!(format!("https://slow{n}.example/key"));
            proof
        };
        document.insert("proof".into(), Value::Array((0..=MAX_PROOFS).map(one).collect()));
    });
    let entry = |n: usize| {
        json!({"id": format!("https://lists.example/{n}#1"), "type": "BitstringStatusListEntry",
            "statusPurpose": "revocation", "statusListIndex": "1", "statusListCredential": format!("https://lists.example/{n}")})
    };
    let entries = jcs_signed_after(|document| {
        document.insert("credentialStatus".into(), Value::Array((0..=MAX_STATUS_ENTRIES).map(entry).collect()));
    });
    for (what, text, count) in [("proofs", proofs, MAX_PROOFS + 1), ("status entries", entries, MAX_STATUS_ENTRIES + 1)]
    {
        let result = verify_text(&text, &params);
        assert_eq!(result.verdict, Verdict::Invalid, "{what}: {result:#?}");
        let format = result.check(CheckId::Format).unwrap();
        assert!(format.message.contains(&format!("{count} {what}")), "{what}: {format:?}");
    }
    let few = jcs_signed_after(|document| {
        document.insert("credentialStatus".into(), Value::Array((0..MAX_STATUS_ENTRIES).map(entry).collect()));
    });
    let result = verify_text(&few, &params);
    assert_eq!(result.check(CheckId::Format).map(|check| check.status), Some(CheckStatus::Passed), "{result:#?}");
}

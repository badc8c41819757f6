//! JAdES seals: the official sealed EDC samples read and are intact; a changed byte breaks the
//! seal; and each malformed or unsupported seal is refused with its reason.

use base64::Engine as _;
use mc_vc::jades::{Anchoring, Sealed};
use serde_json::{Map, Value};

use crate::support::vectors;

fn sample(name: &str) -> Map<String, Value> {
    let path = vectors().join("elm/samples-elm-v3").join(name);
    serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap()
}

const SAMPLES: [&str; 2] = ["Sample-MC-Annex1-signed.jsonld", "Sample-CertOfPart-signed.jsonld"];

/// `document` with its protected header changed by `change`.
fn with_header(document: &Map<String, Value>, change: impl FnOnce(&mut Map<String, Value>)) -> Map<String, Value> {
    let engine = base64::engine::general_purpose::URL_SAFE_NO_PAD;
    let mut document = document.clone();
    let protected = document["signatures"][0]["protected"].as_str().unwrap();
    let mut header: Map<String, Value> = serde_json::from_slice(&engine.decode(protected).unwrap()).unwrap();
    change(&mut header);
    document["signatures"][0]["protected"] = engine.encode(Value::Object(header).to_string()).into();
    document
}

#[test]
fn the_official_sealed_samples_are_intact() {
    for name in SAMPLES {
        let sealed = Sealed::read(&sample(name)).unwrap_or_else(|why| panic!("{name}: {why}"));
        sealed.check_seal().unwrap_or_else(|why| panic!("{name}: {why}"));
        assert_eq!(sealed.algorithm, "RS256");
        let certificate = sealed.certificate();
        assert!(certificate.subject.contains("CN=TEST SEAL"), "{name}: {}", certificate.subject);
        assert!(certificate.issuer.contains("ANF AC Qualified Certificates for eSeal"), "{}", certificate.issuer);
        assert_eq!(sealed.signing_time.to_rfc3339().get(..10), Some("2023-09-27"), "{name}");
        assert_eq!(sealed.content_timestamps, 1, "{name}");
        let types = &sealed.payload["type"];
        assert!(types.as_array().unwrap().iter().any(|kind| kind == "EuropeanDigitalCredential"), "{name}");
    }
}

#[test]
fn a_changed_byte_breaks_the_seal() {
    let mut document = sample(SAMPLES[0]);
    let payload = document["payload"].as_str().unwrap().replacen("Annex", "Annez", 1);
    document["payload"] = payload.into();
    let err = Sealed::read(&document).unwrap().check_seal().unwrap_err();
    assert!(err.contains("changed after sealing"), "{err}");
    let mut document = sample(SAMPLES[0]);
    let signature = document["signatures"][0]["signature"].as_str().unwrap().to_owned();
    let flipped = format!("{}{}", if signature.starts_with('A') { "B" } else { "A" }, &signature[1..]);
    document["signatures"][0]["signature"] = flipped.into();
    let err = Sealed::read(&document).unwrap().check_seal().unwrap_err();
    assert!(err.contains("changed after sealing"), "{err}");
}

#[test]
fn malformed_and_unsupported_seals_are_refused_with_their_reason() {
    let signed = sample(SAMPLES[1]);
    let header = |change: fn(&mut Map<String, Value>)| with_header(&signed, change);
    let cases: Vec<(&str, Map<String, Value>, &str)> = vec![
        ("alg none", header(|h| drop(h.insert("alg".into(), "none".into()))), "unsigned"),
        ("HS256", header(|h| drop(h.insert("alg".into(), "HS256".into()))), "not accepted"),
        ("EdDSA", header(|h| drop(h.insert("alg".into(), "EdDSA".into()))), "not accepted (RS256, ES256 are)"),
        ("no crit", header(|h| drop(h.remove("crit"))), "no crit"),
        (
            "b64 not in crit",
            header(|h| drop(h.insert("crit".into(), serde_json::json!(["sigT", "adoTst"])))),
            "does not name \"b64\"",
        ),
        (
            "unknown crit",
            header(|h| drop(h.insert("crit".into(), serde_json::json!(["b64", "sigT", "adoTst", "exp"])))),
            "\"exp\", which microcred does not process",
        ),
        ("crit twice", header(|h| drop(h.insert("crit".into(), serde_json::json!(["b64", "sigT", "b64"])))), "twice"),
        ("b64 true", header(|h| drop(h.insert("b64".into(), true.into()))), "b64: false"),
        ("unknown header", header(|h| drop(h.insert("x5u".into(), "https://example.org".into()))), "\"x5u\""),
        ("no sigT", header(|h| drop(h.insert("sigT".into(), "yesterday".into()))), "sigT"),
        ("no x5c", header(|h| drop(h.remove("x5c"))), "no certificate"),
        (
            "truncated x5c",
            header(|h| {
                let leaf = h["x5c"][0].as_str().unwrap();
                let cut = leaf[..leaf.len() / 2].to_owned();
                h.insert("x5c".into(), serde_json::json!([cut]));
            }),
            "certificate 1 of the seal's x5c is",
        ),
        ("other thumbprint", header(|h| drop(h.insert("x5t#S256".into(), "AAAA".into()))), "thumbprint"),
        ("kid not DER", header(|h| drop(h.insert("kid".into(), "c2VhbA==".into()))), "kid is not an issuer and serial"),
        (
            "kid of another certificate",
            header(|h| {
                // The same issuer, with the last bit of the serial number flipped.
                let kid = h["kid"].as_str().unwrap();
                let mut der = base64::engine::general_purpose::STANDARD.decode(kid).unwrap();
                *der.last_mut().unwrap() ^= 1;
                h.insert("kid".into(), base64::engine::general_purpose::STANDARD.encode(der).into());
            }),
            "kid names another certificate",
        ),
    ];
    for (name, document, expected) in cases {
        match Sealed::read(&document) {
            Err(why) => assert!(why.contains(expected), "{name}: {why}"),
            Ok(_) => panic!("{name}: read"),
        }
    }
    // An algorithm that does not fit the certificate's key fails the seal, whatever it signs.
    let es256 = header(|h| drop(h.insert("alg".into(), "ES256".into())));
    let err = Sealed::read(&es256).unwrap().check_seal().unwrap_err();
    assert!(err.contains("ES256 cannot be used with the certificate's RSA key"), "{err}");
    // A payload that is not a credential object, and a second signature, are refused.
    let mut not_object = signed.clone();
    not_object["payload"] = "[1, 2]".into();
    assert!(Sealed::read(&not_object).unwrap_err().contains("not a JSON object"));
    let mut two = signed.clone();
    let first = two["signatures"][0].clone();
    two["signatures"].as_array_mut().unwrap().push(first);
    assert!(Sealed::read(&two).unwrap_err().contains("one signature, not 2"));
}

#[test]
fn a_seal_is_trusted_only_through_a_chain_to_an_anchor() {
    let sealed = Sealed::read(&sample(SAMPLES[0])).unwrap();
    // The sample's unprotected validation data: a test root (Nowina), the issuer's OCSP
    // responder, the issuer of the seal's certificate, and a time-stamping unit.
    let known = &sealed.validation_certificates;
    assert_eq!(known.len(), 4);
    let by_name = |name: &str| known.iter().find(|certificate| certificate.subject.contains(name)).unwrap().clone();
    let seal_ca = by_name("CN=ANF AC Qualified Certificates for eSeal,");
    let test_root = by_name("CN=root-ca");
    let responder = by_name("Responder");

    match sealed.anchor(&[], std::slice::from_ref(&seal_ca)) {
        Anchoring::Anchored(subjects) => {
            assert_eq!(subjects.len(), 2, "{subjects:?}");
            assert_eq!(
                subjects,
                [
                    "TEST SEAL, ORGANIZACION TEST",
                    "ANF AC Qualified Certificates for eSeal, ANF Autoridad de Certificacion"
                ]
            );
        }
        other => panic!("anchored at its issuer: {other:?}"),
    }
    // The seal's own certificate, pinned as an anchor, is trusted as it is.
    let pinned = sealed.anchor(&[], std::slice::from_ref(sealed.certificate()));
    assert_eq!(pinned, Anchoring::Anchored(vec!["TEST SEAL, ORGANIZACION TEST".to_owned()]));
    for (what, intermediates, anchors) in [
        ("no anchor", vec![], vec![]),
        ("another root", vec![], vec![test_root.clone()]),
        ("the issuer given, but not trusted", vec![seal_ca], vec![test_root]),
        // Issued by the seal's CA too, but it did not issue the seal's certificate.
        ("a sibling as anchor", vec![], vec![responder]),
    ] {
        match sealed.anchor(&intermediates, &anchors) {
            Anchoring::Unanchored(why) => assert!(why.contains("chains to no trust anchor"), "{what}: {why}"),
            anchored => panic!("{what}: {anchored:?}"),
        }
    }
}

/// The sealed samples verify as sealed EDCs: format, EDC rules, seal and issuer pass; their
/// test seal chains to no anchor given, which leaves them indeterminate.
/// A changed byte makes one invalid; a 20 MB body is refused before it is read.
#[test]
fn sealed_credentials_are_verified_as_such() {
    use mc_vc::verify::{CheckId, CheckStatus, Verdict, VerifyParams, verify_text};

    let params = VerifyParams {
        now: mc_core::Timestamp::parse("2026-06-01T00:00:00Z").unwrap(),
        resolver: &mc_vc::did::NoResolver,
        trusted_issuers: None,
        status: &mc_vc::status::NoStatusLists,
    };
    let status_of = |result: &mc_vc::verify::Verification, id| result.check(id).map(|check| check.status);
    for name in SAMPLES {
        let result = verify_text(&Value::Object(sample(name)).to_string(), &params);
        assert_eq!(result.verdict, Verdict::Indeterminate, "{name}: {result:#?}");
        assert_eq!(status_of(&result, CheckId::Format), Some(CheckStatus::Passed), "{name}");
        assert_eq!(status_of(&result, CheckId::Schema), Some(CheckStatus::Passed), "{name}: EDC rules");
        let proof = result.check(CheckId::Proof).unwrap();
        assert!(
            proof.status == CheckStatus::Passed && proof.message.contains("by TEST SEAL, ORGANIZACION TEST"),
            "{name}: {proof:?}"
        );
        let issuer = result.check(CheckId::Issuer).unwrap();
        assert!(
            issuer.status == CheckStatus::Passed && issuer.message.contains("VATES-A00000000"),
            "{name}: {issuer:?}"
        );
    }
    assert_eq!(
        status_of(&verify_text(&Value::Object(sample(SAMPLES[0])).to_string(), &params), CheckId::Trust),
        Some(CheckStatus::Skipped),
        "no anchors: undecided"
    );
    // With seal anchors, trust is the seal certificate's chain to one of them, then and now:
    // in 2024, when the sample's certificate was valid; in 2026, after it expired, the signing
    // time is only the sealer's word and trust is undecided.
    let certificates = Sealed::read(&sample(SAMPLES[0])).unwrap().validation_certificates;
    let anchor =
        |name: &str| certificates.iter().filter(|certificate| certificate.name.starts_with(name)).cloned().collect();
    let text = Value::Object(sample(SAMPLES[0])).to_string();
    let in_2024 = mc_core::Timestamp::parse("2024-01-01T00:00:00Z").unwrap();
    for (anchors, now, trust, message) in [
        (
            anchor("ANF AC Qualified Certificates for eSeal,"),
            in_2024,
            CheckStatus::Passed,
            "chains to the trust anchor ANF AC",
        ),
        (anchor("ANF AC Qualified Certificates for eSeal,"), params.now, CheckStatus::Skipped, "but not now"),
        (anchor("root-ca"), in_2024, CheckStatus::Failed, "intact but not trusted"),
    ] {
        let list = mc_vc::verify::TrustedIssuers::default().with_seal_anchors(anchors);
        let result = verify_text(&text, &VerifyParams { trusted_issuers: Some(&list), now, ..params });
        let check = result.check(CheckId::Trust).unwrap();
        assert!(check.status == trust && check.message.contains(message), "{check:?}");
    }
    let mut changed = sample(SAMPLES[0]);
    changed["payload"] = changed["payload"].as_str().unwrap().replacen("Annex", "Annez", 1).into();
    let result = verify_text(&Value::Object(changed).to_string(), &params);
    assert_eq!(result.verdict, Verdict::Invalid, "{result:#?}");
    assert_eq!(status_of(&result, CheckId::Proof), Some(CheckStatus::Failed));
    // A VC 1.1 credential's validUntil counts beside its expirationDate (the seal breaks too).
    let mut expired = sample(SAMPLES[0]);
    let mut payload: Map<String, Value> = serde_json::from_str(expired["payload"].as_str().unwrap()).unwrap();
    payload.insert("validUntil".into(), "2024-01-01T00:00:00Z".into());
    expired["payload"] = Value::Object(payload).to_string().into();
    let result = verify_text(&Value::Object(expired).to_string(), &params);
    let validity = result.check(CheckId::Validity).unwrap();
    assert!(
        validity.status == CheckStatus::Failed && validity.message.contains("expired on 2024-01-01"),
        "{validity:?}"
    );
    // Another organisation as the issuer: neither the seal nor the issuer's binding holds.
    let mut other_issuer = sample(SAMPLES[0]);
    other_issuer["payload"] =
        other_issuer["payload"].as_str().unwrap().replace("VATES-A00000000", "VATES-B11111111").into();
    let result = verify_text(&Value::Object(other_issuer).to_string(), &params);
    let issuer = result.check(CheckId::Issuer).unwrap();
    assert!(issuer.status == CheckStatus::Failed && issuer.message.contains("VATES-B11111111"), "{issuer:?}");
    // The EDC issuer's upload form, {"credential": …}: sealed inside, it is verified as sealed;
    // unsealed (the official uploadable sample), it is invalid for want of a seal.
    let wrapped = serde_json::json!({"credential": sample(SAMPLES[1])}).to_string();
    assert_eq!(status_of(&verify_text(&wrapped, &params), CheckId::Proof), Some(CheckStatus::Passed));
    let path = vectors().join("elm/samples-elm-v3/Sample-MC-Annex1-unsigned-uploadable.json");
    let unsealed = verify_text(&std::fs::read_to_string(path).unwrap(), &params);
    let proof = unsealed.check(CheckId::Proof).unwrap();
    assert!(unsealed.verdict == Verdict::Invalid && proof.message.contains("not sealed"), "{unsealed:#?}");
    let mut huge = sample(SAMPLES[1]);
    huge.insert("padding".into(), "x".repeat(20 * 1024 * 1024).into());
    let result = verify_text(&Value::Object(huge).to_string(), &params);
    assert_eq!((result.verdict, status_of(&result, CheckId::Format)), (Verdict::Invalid, Some(CheckStatus::Failed)));
}

fn time(raw: &str) -> mc_core::Timestamp {
    mc_core::Timestamp::parse(raw).unwrap()
}

/// A small European Digital Credential of an issuer whose eIDAS identifier is `identifier`.
fn edc(identifier: &str) -> String {
    let institution = mc_core::wire::InstitutionDocument {
        legal_identifier: Some(identifier.into()),
        ..mc_test_support::institution_document("valdeoliva")
    }
    .parse()
    .unwrap();
    let learner = mc_test_support::learner(1, "ana@learners.example");
    let award = mc_vc::badge::Award {
        id: "urn:credential:7d3c1a2e-0000-4000-8000-000000000001",
        learner: &learner,
        issued: time("2026-03-01T10:00:00Z"),
        awarded: None,
        valid_until: None,
        salt: "c2FsdA",
        grade: None,
        issuer_id: "did:web:valdeoliva.example",
        status: &[],
        spec_version: 1,
        counterpart: None,
        image: None,
    };
    let spec = mc_test_support::spec(mc_test_support::spec_id(1), "valdeoliva");
    Value::Object(mc_vc::edc::european_digital_credential(&spec, &[&institution], &award)).to_string()
}

/// microcred's own seals: sealed with a test seal certificate (ES256), read back intact, and
/// trusted with that certificate as anchor; a certificate not valid when it sealed fails.
#[test]
fn own_seals_round_trip_with_a_test_certificate() {
    use mc_vc::{
        jades::{SealKey, seal},
        verify::{CheckId, CheckStatus, TrustedIssuers, Verdict, VerifyParams, verify_text},
    };

    let key = SealKey::test_seal(
        [7; 32],
        "Universidad de Valdeoliva",
        "VATES-Q0000000J",
        None,
        (time("2026-01-01T00:00:00Z"), time("2027-01-01T00:00:00Z")),
    )
    .unwrap();
    assert_eq!(key.certificate().name, "Universidad de Valdeoliva (TEST SEAL), Universidad de Valdeoliva");
    let sealed = seal(&edc("VATES-Q0000000J"), &key, time("2026-03-01T10:00:00Z")).unwrap();
    let read = Sealed::read(&sealed).unwrap();
    assert_eq!(read.algorithm, "ES256");
    read.check_seal().unwrap();
    let anchors = vec![key.certificate().clone()];
    assert!(matches!(read.anchor(&[], &anchors), Anchoring::Anchored(_)));

    let list = TrustedIssuers::default().with_seal_anchors(anchors);
    let params = VerifyParams {
        now: time("2026-06-01T00:00:00Z"),
        resolver: &mc_vc::did::NoResolver,
        trusted_issuers: Some(&list),
        status: &mc_vc::status::NoStatusLists,
    };
    let result = verify_text(&Value::Object(sealed).to_string(), &params);
    for id in [CheckId::Format, CheckId::Proof, CheckId::Issuer, CheckId::Validity, CheckId::Status, CheckId::Trust] {
        assert_eq!(result.check(id).map(|check| check.status), Some(CheckStatus::Passed), "{id:?}: {result:#?}");
    }
    assert_eq!(result.check(CheckId::Schema).map(|check| check.status), Some(CheckStatus::Passed), "{result:#?}");
    assert_eq!(result.verdict, Verdict::Valid, "{result:#?}");

    // Sealed by another organisation's certificate: the seal is not the issuer's.
    let other = seal(&edc("VATES-B11111111"), &key, time("2026-03-01T10:00:00Z")).unwrap();
    let result = verify_text(&Value::Object(other).to_string(), &params);
    assert_eq!(result.check(CheckId::Issuer).map(|check| check.status), Some(CheckStatus::Failed));
    // A seal dated in the future.
    let future = seal(&edc("VATES-Q0000000J"), &key, time("2026-12-01T00:00:00Z")).unwrap();
    let result = verify_text(&Value::Object(future).to_string(), &params);
    let proof = result.check(CheckId::Proof).unwrap();
    assert!(proof.status == CheckStatus::Failed && proof.message.contains("still to come"), "{proof:?}");
    // Without anchors, a seal is not trusted on the word of the trusted-issuer list, which
    // trusts issuer ids, and a sealer may write any.
    let listed = TrustedIssuers::new(vec![("urn:epass:org:valdeoliva".into(), "Valdeoliva".into())]);
    let sealed = seal(&edc("VATES-Q0000000J"), &key, time("2026-03-01T10:00:00Z")).unwrap();
    let result =
        verify_text(&Value::Object(sealed).to_string(), &VerifyParams { trusted_issuers: Some(&listed), ..params });
    let trust = result.check(CheckId::Trust).unwrap();
    assert!(
        trust.status == CheckStatus::Skipped && trust.message.contains("names none of its certificates"),
        "{trust:?}"
    );
    // A trusted-issuer list that names the seal's certificate by its fingerprint vouches for
    // it, while the issuer is on the list; not for what was sealed after it left.
    let fingerprint: String = <sha2::Sha256 as sha2::Digest>::digest(&key.certificate().der)
        .iter()
        .map(|byte| format!("{byte:02x}"))
        .collect();
    let entry = |until: Option<&str>| mc_vc::verify::TrustListEntry {
        id: "valdeoliva".into(),
        name: Some("Universidad de Valdeoliva".into()),
        country: Some("ES".into()),
        dids: Some(vec!["did:web:valdeoliva.example".into()]),
        seal_certificates: vec![fingerprint.to_uppercase()],
        trusted_from: None,
        trusted_until: until.map(str::to_owned),
    };
    for (until, expected) in [(None, CheckStatus::Passed), (Some("2026-02-01T00:00:00Z"), CheckStatus::Skipped)] {
        let list = mc_vc::verify::TrustList { network: None, issuers: vec![entry(until)] };
        let list = TrustedIssuers::from_list(&list);
        let sealed = seal(&edc("VATES-Q0000000J"), &key, time("2026-03-01T10:00:00Z")).unwrap();
        let result =
            verify_text(&Value::Object(sealed).to_string(), &VerifyParams { trusted_issuers: Some(&list), ..params });
        let trust = result.check(CheckId::Trust).unwrap();
        assert_eq!(trust.status, expected, "{until:?}: {trust:?}");
        if until.is_none() {
            assert!(trust.message.contains("names for Universidad de Valdeoliva"), "{trust:?}");
            assert_eq!(result.verdict, Verdict::Valid);
        }
    }
    // A certificate that was no longer valid when it sealed.
    let late = seal(&edc("VATES-Q0000000J"), &key, time("2027-06-01T00:00:00Z")).unwrap();
    let err = Sealed::read(&late).unwrap().check_seal().unwrap_err();
    assert!(err.contains("was not valid when it sealed"), "{err}");
}

/// Runs openssl with `args` in `dir`; a machine without openssl skips the test outside CI.
fn openssl(dir: &std::path::Path, args: &[&str]) -> Option<()> {
    match std::process::Command::new("openssl").args(args).current_dir(dir).output() {
        Ok(output) if output.status.success() => Some(()),
        Ok(output) => panic!("openssl {args:?}: {}", String::from_utf8_lossy(&output.stderr)),
        Err(err) if std::env::var("CI").is_ok_and(|ci| ci == "true") => panic!("openssl must run in CI: {err}"),
        Err(_) => {
            eprintln!("skipped: openssl is not installed");
            None
        }
    }
}

/// Seal keys made by openssl, as an institution's would be: RSA (PKCS#8 and PKCS#1) and P-256
/// (PKCS#8 and SEC1) keys import from PEM and seal (RS256, ES256) what verifies; a key that is
/// not the certificate's, a short RSA key and an encrypted key are refused with the reason.
#[test]
fn seal_keys_made_by_openssl_import_from_pem_and_seal() {
    use mc_vc::jades::{SealKey, seal};

    let dir = tempfile::tempdir().unwrap();
    let subject = "/CN=Sello de Valdeoliva/O=Universidad de Valdeoliva/2.5.4.97=VATES-Q0000000J";
    let certificate = |key: &str, out: &str| {
        openssl(
            dir.path(),
            &[
                "req",
                "-new",
                "-x509",
                "-key",
                key,
                "-out",
                out,
                "-days",
                "30",
                "-subj",
                subject,
                "-addext",
                "keyUsage=critical,nonRepudiation,digitalSignature",
            ],
        )
    };
    let Some(()) =
        openssl(dir.path(), &["genpkey", "-algorithm", "RSA", "-pkeyopt", "rsa_keygen_bits:2048", "-out", "rsa.pem"])
    else {
        return;
    };
    openssl(dir.path(), &["pkey", "-in", "rsa.pem", "-traditional", "-out", "rsa-pkcs1.pem"]);
    openssl(dir.path(), &["genpkey", "-algorithm", "EC", "-pkeyopt", "ec_paramgen_curve:P-256", "-out", "ec.pem"]);
    openssl(dir.path(), &["ec", "-in", "ec.pem", "-out", "ec-sec1.pem"]);
    openssl(dir.path(), &["genpkey", "-algorithm", "RSA", "-pkeyopt", "rsa_keygen_bits:1024", "-out", "short.pem"]);
    openssl(dir.path(), &["pkey", "-in", "ec.pem", "-aes256", "-passout", "pass:secret", "-out", "encrypted.pem"]);
    certificate("rsa.pem", "rsa-cert.pem");
    certificate("ec.pem", "ec-cert.pem");
    certificate("short.pem", "short-cert.pem");
    let read = |name: &str| std::fs::read(dir.path().join(name)).unwrap();
    let text = |name: &str| String::from_utf8(read(name)).unwrap();

    let now = mc_core::Timestamp::parse(&a_minute_from_now()).unwrap();
    for (key, cert, algorithm) in [
        ("rsa.pem", "rsa-cert.pem", "RS256"),
        ("rsa-pkcs1.pem", "rsa-cert.pem", "RS256"),
        ("ec.pem", "ec-cert.pem", "ES256"),
        ("ec-sec1.pem", "ec-cert.pem", "ES256"),
    ] {
        let seal_key = SealKey::from_pem(&text(key), &read(cert)).unwrap_or_else(|err| panic!("{key}: {err}"));
        assert_eq!(seal_key.algorithm(), algorithm);
        assert_eq!(seal_key.certificate().organization_identifier.as_deref(), Some("VATES-Q0000000J"));
        // Kept as PKCS#8 and read back, it is the same key.
        let again = SealKey::from_pkcs8_der(&seal_key.to_pkcs8_der().unwrap(), seal_key.chain().to_vec()).unwrap();
        let sealed = seal(&edc("VATES-Q0000000J"), &again, now).unwrap();
        let read_back = Sealed::read(&sealed).unwrap();
        assert_eq!(read_back.algorithm, algorithm);
        read_back.check_seal().unwrap_or_else(|err| panic!("{key}: {err}"));
    }
    let refused = |key: &str, cert: &str| SealKey::from_pem(&text(key), &read(cert)).err().unwrap_or_default();
    assert!(refused("ec.pem", "rsa-cert.pem").contains("is not this key's"), "{}", refused("ec.pem", "rsa-cert.pem"));
    assert!(
        refused("short.pem", "short-cert.pem").contains("at least 2048"),
        "{}",
        refused("short.pem", "short-cert.pem")
    );
    assert!(
        refused("encrypted.pem", "ec-cert.pem").contains("encrypted"),
        "{}",
        refused("encrypted.pem", "ec-cert.pem")
    );
    assert!(refused("ec-cert.pem", "ec-cert.pem").contains("not a private key"));
}

/// A minute from now, as RFC 3339: a time at which a certificate openssl just made is valid.
#[expect(clippy::disallowed_methods, reason = "openssl dates the certificates it makes by the real clock")]
fn a_minute_from_now() -> String {
    let seconds = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap().as_secs() as i64;
    mc_core::Timestamp::from_unix(seconds + 60, 0).to_rfc3339()
}

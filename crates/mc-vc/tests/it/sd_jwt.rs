//! SD-JWT VCs as a wallet presents them: the verdict and checks the verifier gives, with their
//! Token Status List, and every way a presentation or its list can be wrong.

use mc_core::Timestamp;
use mc_vc::{
    SignedBy,
    did::NoResolver,
    jades::SealKey,
    multikey::{KeyType, PublicKey, SecretKey},
    sd_jwt::{self, SALT_BYTES},
    status::StatusLists,
    token_status::{self, TokenStatusList},
    verify::{CheckId, CheckStatus, TrustedIssuers, Verdict, Verification, VerifyParams, verify_text},
};
use serde_json::{Map, Value, json};

const NOW: i64 = 1_800_000_000;
const LIST: &str = "https://issuer.example/status/1/token";

fn key(seed: u8) -> SecretKey {
    SecretKey::from_seed(KeyType::Ed25519, [seed; 32]).unwrap()
}

fn did(key: &SecretKey) -> (String, String) {
    let multibase = key.public_key().to_multibase();
    (format!("did:key:{multibase}"), format!("did:key:{multibase}#{multibase}"))
}

fn now() -> Timestamp {
    Timestamp::from_unix(NOW, 0)
}

fn object(value: Value) -> Map<String, Value> {
    match value {
        Value::Object(map) => map,
        _ => unreachable!(),
    }
}

/// Claims of a credential issued by `issuer`, bound to `holder`, at index 7 of [`LIST`].
fn claims(issuer: &SecretKey, holder: &SecretKey) -> Map<String, Value> {
    object(json!({
        "iss": did(issuer).0,
        "iat": NOW - 60,
        "nbf": NOW - 60,
        "vct": "https://issuer.example/vct/diploma",
        "cnf": {"jwk": holder.public_key().to_jwk()},
        "status": {"status_list": {"idx": 7, "uri": LIST}},
        "title": "Data literacy",
        "learner_name": "Ada",
        "learner_email": "ada@example.org",
    }))
}

fn issue_with(signer: &SecretKey, kid: &str, alg: &str, claims: Map<String, Value>) -> String {
    let header = object(json!({"alg": alg, "typ": "dc+sd-jwt", "kid": kid}));
    let salts = [[1; SALT_BYTES], [2; SALT_BYTES]];
    sd_jwt::issue(&header, claims, &["learner_name", "learner_email"], &salts, |input| Ok::<_, ()>(signer.sign(input)))
        .unwrap()
}

fn issue(issuer: &SecretKey, holder: &SecretKey) -> String {
    issue_with(issuer, &did(issuer).1, "EdDSA", claims(issuer, holder))
}

/// The list at [`LIST`] with `status` at index 7, signed by `signer` as `issuer`.
fn token(signer: &SecretKey, issuer: &SecretKey, status: u8, tweak: impl FnOnce(&mut Map<String, Value>)) -> String {
    let mut list = TokenStatusList::new(2, 1024);
    list.set(7, status);
    let mut claims = list.token_claims(LIST, &did(issuer).0, now(), 300);
    tweak(&mut claims);
    let kid = did(signer).1;
    token_status::sign_token(&claims, &SignedBy::Did { kid: &kid }, |input| Ok::<_, ()>(signer.sign(input))).unwrap()
}

fn verify(text: &str, token: Option<String>) -> Verification {
    let mut lists = StatusLists::default();
    if let Some(token) = token {
        lists.insert_token(LIST, token);
    }
    let params = VerifyParams { now: now(), resolver: &NoResolver, trusted_issuers: None, status: &lists };
    verify_text(text, &params)
}

fn outcome(verification: &Verification, id: CheckId) -> Vec<(CheckStatus, &str)> {
    verification
        .checks
        .iter()
        .filter(|check| check.id == id)
        .map(|check| (check.status, check.message.as_str()))
        .collect()
}

#[test]
fn a_valid_credential_is_valid_and_says_it_was_not_presented_by_its_holder() {
    let (issuer, holder) = (key(1), key(2));
    let verification = verify(&issue(&issuer, &holder), Some(token(&issuer, &issuer, token_status::VALID, |_| ())));
    assert_eq!(verification.verdict, Verdict::Valid, "{verification:#?}");
    assert_eq!(outcome(&verification, CheckId::Proof)[0].0, CheckStatus::Passed);
    let holder = outcome(&verification, CheckId::Holder);
    assert_eq!(holder[0].0, CheckStatus::Warning);
    assert!(holder[0].1.contains("without a key-binding JWT"), "{holder:?}");
    assert_eq!(outcome(&verification, CheckId::Status)[0].0, CheckStatus::Passed);
    assert_eq!(outcome(&verification, CheckId::Issuer)[0].0, CheckStatus::Passed);
}

#[test]
fn a_presentation_with_the_holder_key_binding_names_its_audience_and_nonce() {
    let (issuer, holder) = (key(1), key(2));
    let issued = issue(&issuer, &holder);
    // The holder keeps the email address back.
    let kept: Vec<&str> = issued.split('~').collect();
    let shown = format!("{}~{}~", kept[0], kept[1]);
    let presented = sd_jwt::bind(&shown, "EdDSA", "https://employer.example", "n-42", now(), |input| {
        Ok::<_, ()>(holder.sign(input))
    })
    .unwrap();
    let verification = verify(&presented, Some(token(&issuer, &issuer, token_status::VALID, |_| ())));
    assert_eq!(verification.verdict, Verdict::Valid, "{verification:#?}");
    assert!(outcome(&verification, CheckId::Holder)[0].1.contains("https://employer.example with nonce \"n-42\""));
    assert!(outcome(&verification, CheckId::Format)[0].1.contains("1 claims disclosed"));

    let stranger = key(3);
    let forged = sd_jwt::bind(&shown, "EdDSA", "aud", "n", now(), |input| Ok::<_, ()>(stranger.sign(input))).unwrap();
    let verification = verify(&forged, Some(token(&issuer, &issuer, token_status::VALID, |_| ())));
    assert_eq!(verification.verdict, Verdict::Invalid);
    let holder = outcome(&verification, CheckId::Holder);
    assert_eq!(holder[0].0, CheckStatus::Failed);
    assert!(holder[0].1.contains("key-binding JWT"), "{verification:#?}");
}

#[test]
fn revoked_and_suspended_statuses_are_invalid_and_an_unknown_one_undecided() {
    let (issuer, holder) = (key(1), key(2));
    let issued = issue(&issuer, &holder);
    for (status, verdict, said) in [
        (token_status::INVALID, Verdict::Invalid, "the credential has been revoked"),
        (token_status::SUSPENDED, Verdict::Invalid, "the credential is suspended"),
        (3, Verdict::Indeterminate, "the status list gives status 0x03, which is not known here"),
    ] {
        let verification = verify(&issued, Some(token(&issuer, &issuer, status, |_| ())));
        assert_eq!(verification.verdict, verdict);
        assert_eq!(outcome(&verification, CheckId::Status)[0].1, said);
    }
}

#[test]
fn a_status_list_that_cannot_be_had_or_trusted_leaves_the_status_unknown() {
    let (issuer, holder, stranger) = (key(1), key(2), key(3));
    let issued = issue(&issuer, &holder);
    let cases: [(Option<String>, &str); 5] = [
        (None, "was not given"),
        (Some(token(&stranger, &issuer, token_status::VALID, |_| ())), "not a key the credential's issuer"),
        (
            Some(token(&issuer, &issuer, token_status::VALID, |claims| {
                claims.insert("sub".into(), "https://issuer.example/status/2/token".into());
            })),
            "says it is another list",
        ),
        (
            Some(token(&issuer, &issuer, token_status::VALID, |claims| {
                claims.insert("exp".into(), (NOW - 1).into());
            })),
            "expired",
        ),
        (
            Some(token(&issuer, &issuer, token_status::VALID, |claims| drop(claims.remove("status_list")))),
            "no status_list",
        ),
    ];
    for (token, why) in cases {
        let verification = verify(&issued, token);
        assert_eq!(verification.verdict, Verdict::Indeterminate, "{why}: {verification:#?}");
        let status = outcome(&verification, CheckId::Status);
        assert!(status[0].1.contains(why), "{why}: {status:?}");
    }
}

#[test]
fn tampered_or_forged_credentials_are_invalid() {
    let (issuer, holder, stranger) = (key(1), key(2), key(3));
    let list = || Some(token(&issuer, &issuer, token_status::VALID, |_| ()));
    let issued = issue(&issuer, &holder);

    // A disclosure changed after issuing is named by no digest.
    let parts: Vec<&str> = issued.split('~').collect();
    let changed = base64::Engine::encode(
        &base64::engine::general_purpose::URL_SAFE_NO_PAD,
        json!(["AQEBAQEBAQEBAQEBAQEBAQ", "learner_name", "Eve"]).to_string(),
    );
    let tampered = format!("{}~{changed}~", parts[0]);
    let verification = verify(&tampered, list());
    assert_eq!(verification.verdict, Verdict::Invalid);
    assert!(outcome(&verification, CheckId::Format)[0].1.contains("not named by any digest"));

    // Signed by another key under the issuer's key id.
    let forged = issue_with(&stranger, &did(&issuer).1, "EdDSA", claims(&issuer, &holder));
    let verification = verify(&forged, list());
    assert_eq!(verification.verdict, Verdict::Invalid);
    assert_eq!(outcome(&verification, CheckId::Proof)[0].0, CheckStatus::Failed);

    // Signed by a key of someone else than the issuer it names.
    let other = issue_with(&stranger, &did(&stranger).1, "EdDSA", claims(&issuer, &holder));
    let verification = verify(&other, list());
    assert_eq!(verification.verdict, Verdict::Invalid);
    assert_eq!(outcome(&verification, CheckId::Issuer)[0].0, CheckStatus::Failed);

    // Unsigned.
    let unsigned = issue_with(&issuer, &did(&issuer).1, "none", claims(&issuer, &holder));
    let verification = verify(&unsigned, list());
    assert_eq!(verification.verdict, Verdict::Invalid);
    assert!(outcome(&verification, CheckId::Format)[0].1.contains("never accepted"));

    // Expired.
    let mut expired = claims(&issuer, &holder);
    expired.insert("exp".into(), (NOW - 10).into());
    let verification = verify(&issue_with(&issuer, &did(&issuer).1, "EdDSA", expired), list());
    assert_eq!(verification.verdict, Verdict::Invalid);
    assert_eq!(outcome(&verification, CheckId::Validity)[0].0, CheckStatus::Failed);
}

#[test]
fn a_micro_credential_must_carry_the_council_elements() {
    let (issuer, holder) = (key(1), key(2));
    let mut incomplete = claims(&issuer, &holder);
    incomplete.insert("vct".into(), "https://issuer.example/vct/micro-credential".into());
    let verification = verify(&issue_with(&issuer, &did(&issuer).1, "EdDSA", incomplete), None);
    let schema = outcome(&verification, CheckId::Schema);
    assert_eq!(schema[0].0, CheckStatus::Failed, "{schema:?}");
    assert!(schema[0].1.contains("workload"), "{schema:?}");
    assert_eq!(verification.verdict, Verdict::Invalid);
}

#[test]
fn the_holder_key_is_written_as_a_public_jwk() {
    let holder = key(2);
    let jwk = holder.public_key().to_jwk();
    assert_eq!(PublicKey::from_jwk(jwk.as_object().unwrap()).unwrap(), holder.public_key());
}

#[test]
fn a_period_that_is_not_whole_seconds_or_a_registered_claim_disclosed_is_refused() {
    let (issuer, holder) = (key(1), key(2));
    let list = || Some(token(&issuer, &issuer, token_status::VALID, |_| ()));
    let mut fractional = claims(&issuer, &holder);
    fractional.insert("exp".into(), json!(1.9e9));
    let verification = verify(&issue_with(&issuer, &did(&issuer).1, "EdDSA", fractional), list());
    assert_eq!(verification.verdict, Verdict::Invalid);
    assert!(outcome(&verification, CheckId::Validity)[0].1.contains("exp is not a whole number"));

    // The status entry hidden behind a digest: a verifier could be shown none.
    let header = object(json!({"alg": "EdDSA", "typ": "dc+sd-jwt", "kid": did(&issuer).1}));
    let hidden = sd_jwt::issue(&header, claims(&issuer, &holder), &["status"], &[[5; SALT_BYTES]], |input| {
        Ok::<_, ()>(issuer.sign(input))
    })
    .unwrap();
    let verification = verify(&hidden, list());
    assert_eq!(verification.verdict, Verdict::Invalid);
    assert!(outcome(&verification, CheckId::Format)[0].1.contains("\"status\" is disclosed selectively"));
}

// --- Signed with a certificate (x5c), as HAIP asks ---

const ISSUER_URI: &str = "https://issuer.example/";

/// A self-signed test seal made from `seed` that names `uri`, valid around [`NOW`].
fn seal(seed: u8, uri: Option<&str>) -> SealKey {
    let (from, to) = (Timestamp::from_unix(NOW - 86_400, 0), Timestamp::from_unix(NOW + 86_400, 0));
    SealKey::test_seal([seed; 32], "Issuer University", "VATES-Q0000000J", uri, (from, to)).unwrap()
}

/// `claims` signed by `signer` while carrying `named`'s certificate chain.
fn certified_with(signer: &SealKey, named: &SealKey, mut claims: Map<String, Value>) -> String {
    claims.insert("iss".into(), ISSUER_URI.into());
    let header = object(json!({"alg": "ES256", "typ": "dc+sd-jwt", "x5c": named.x5c()}));
    let salts = [[1; SALT_BYTES], [2; SALT_BYTES]];
    sd_jwt::issue(&header, claims, &["learner_name", "learner_email"], &salts, |input| {
        Ok::<_, ()>(signer.sign_jws(input))
    })
    .unwrap()
}

/// The list at [`LIST`] with `status` at index 7, signed with `signer`'s certificate.
fn certified_token(signer: &SealKey, status: u8) -> String {
    let mut list = TokenStatusList::new(2, 1024);
    list.set(7, status);
    let claims = list.token_claims(LIST, ISSUER_URI, now(), 300);
    let signed_by = SignedBy::Certificate { alg: "ES256", x5c: signer.x5c(), issuer: ISSUER_URI };
    token_status::sign_token(&claims, &signed_by, |input| Ok::<_, ()>(signer.sign_jws(input))).unwrap()
}

fn verify_trusting(text: &str, token: Option<String>, anchors: &[&SealKey]) -> Verification {
    let mut lists = StatusLists::default();
    if let Some(token) = token {
        lists.insert_token(LIST, token);
    }
    let trusted =
        TrustedIssuers::default().with_seal_anchors(anchors.iter().map(|key| key.certificate().clone()).collect());
    let params = VerifyParams { now: now(), resolver: &NoResolver, trusted_issuers: Some(&trusted), status: &lists };
    verify_text(text, &params)
}

#[test]
fn a_credential_signed_with_a_trusted_certificate_that_names_its_issuer_is_valid() {
    let (issuer, holder) = (seal(21, Some(ISSUER_URI)), key(2));
    let issued = certified_with(&issuer, &issuer, claims(&key(1), &holder));
    let list = || Some(certified_token(&issuer, token_status::VALID));

    let verification = verify_trusting(&issued, list(), &[&issuer]);
    assert_eq!(verification.verdict, Verdict::Valid, "{verification:#?}");
    assert!(outcome(&verification, CheckId::Proof)[0].1.contains("(ES256), made with the certificate of"));
    let issuer_check = outcome(&verification, CheckId::Issuer);
    assert_eq!(issuer_check[0], (CheckStatus::Passed, issuer_check[0].1));
    assert!(issuer_check[0].1.contains(ISSUER_URI), "{issuer_check:?}");
    assert_eq!(outcome(&verification, CheckId::Trust)[0].0, CheckStatus::Passed);
    assert_eq!(outcome(&verification, CheckId::Status)[0].0, CheckStatus::Passed);
    assert_eq!(verification.issuer.as_deref(), Some(ISSUER_URI));
    let summary = verification.seal.as_ref().expect("the certificate is shown");
    assert!(summary.test_seal && summary.sealed_by.contains("Issuer University"), "{summary:?}");

    // No anchor: the signature holds, but whether to trust it cannot be told.
    let verification = verify_trusting(&issued, list(), &[]);
    assert_eq!(verification.verdict, Verdict::Indeterminate, "{verification:#?}");
    assert!(outcome(&verification, CheckId::Trust)[0].1.contains("no seal anchors were given"));

    // Another certificate as the only anchor: not trusted.
    let verification = verify_trusting(&issued, list(), &[&seal(22, Some(ISSUER_URI))]);
    assert_eq!(verification.verdict, Verdict::Invalid, "{verification:#?}");
    assert_eq!(outcome(&verification, CheckId::Trust)[0].0, CheckStatus::Failed);

    // Revoked in the list signed with the same certificate.
    let revoked = verify_trusting(&issued, Some(certified_token(&issuer, token_status::INVALID)), &[&issuer]);
    assert_eq!(revoked.verdict, Verdict::Invalid);
    assert_eq!(outcome(&revoked, CheckId::Status)[0].1, "the credential has been revoked");
}

#[test]
fn a_certificate_that_does_not_sign_or_name_the_issuer_or_was_not_valid_is_invalid() {
    let (issuer, holder) = (seal(21, Some(ISSUER_URI)), key(2));
    let list = || Some(certified_token(&issuer, token_status::VALID));

    // Signed by another key under the issuer's certificate.
    let forged = certified_with(&seal(22, Some(ISSUER_URI)), &issuer, claims(&key(1), &holder));
    let verification = verify_trusting(&forged, list(), &[&issuer]);
    assert_eq!(verification.verdict, Verdict::Invalid);
    assert!(outcome(&verification, CheckId::Proof)[0].1.contains("does not match"), "{verification:#?}");

    // A certificate that names another address, or none.
    for other in [seal(23, Some("https://elsewhere.example/")), seal(24, None)] {
        let issued = certified_with(&other, &other, claims(&key(1), &holder));
        let verification = verify_trusting(&issued, list(), &[&other]);
        assert_eq!(verification.verdict, Verdict::Invalid);
        let issuer_check = outcome(&verification, CheckId::Issuer);
        assert_eq!(issuer_check[0].0, CheckStatus::Failed, "{issuer_check:?}");
        assert!(issuer_check[0].1.contains("does not name the issuer https://issuer.example/"), "{issuer_check:?}");
    }

    // Said to be signed when the certificate was not yet valid.
    let mut early = claims(&key(1), &holder);
    early.insert("iat".into(), (NOW - 3 * 86_400).into());
    let verification = verify_trusting(&certified_with(&issuer, &issuer, early), list(), &[&issuer]);
    assert_eq!(verification.verdict, Verdict::Invalid);
    assert!(outcome(&verification, CheckId::Proof)[0].1.contains("was not valid when it signed"));

    // An x5c that is not a certificate.
    let mut header_claims = claims(&key(1), &holder);
    header_claims.insert("iss".into(), ISSUER_URI.into());
    let header = object(json!({"alg": "ES256", "typ": "dc+sd-jwt", "x5c": ["bm90IGEgY2VydGlmaWNhdGU="]}));
    let junk = sd_jwt::issue(&header, header_claims, &[], &[], |input| Ok::<_, ()>(issuer.sign_jws(input))).unwrap();
    let verification = verify_trusting(&junk, list(), &[&issuer]);
    assert_eq!(verification.verdict, Verdict::Invalid);
    assert!(outcome(&verification, CheckId::Proof)[0].1.contains("x5c"), "{verification:#?}");
}

#[test]
fn a_status_list_signed_with_another_certificate_counts_only_when_that_one_is_trusted() {
    let (issuer, holder) = (seal(21, Some(ISSUER_URI)), key(2));
    let issued = certified_with(&issuer, &issuer, claims(&key(1), &holder));
    // The institution's next seal signs the list: trusted too, so the list counts.
    let renewed = seal(25, Some(ISSUER_URI));
    let verification =
        verify_trusting(&issued, Some(certified_token(&renewed, token_status::INVALID)), &[&issuer, &renewed]);
    assert_eq!(outcome(&verification, CheckId::Status)[0].1, "the credential has been revoked");

    // Anyone's certificate that merely names the issuer: the status is unknown.
    let verification = verify_trusting(&issued, Some(certified_token(&renewed, token_status::VALID)), &[&issuer]);
    assert_eq!(verification.verdict, Verdict::Indeterminate, "{verification:#?}");
    assert!(outcome(&verification, CheckId::Status)[0].1.contains("another certificate than the credential's"));

    // A certificate that names someone else, even a trusted one.
    let stranger = seal(26, Some("https://elsewhere.example/"));
    let verification =
        verify_trusting(&issued, Some(certified_token(&stranger, token_status::VALID)), &[&issuer, &stranger]);
    assert_eq!(verification.verdict, Verdict::Indeterminate);
    assert!(outcome(&verification, CheckId::Status)[0].1.contains("does not name the credential's issuer"));

    // A list signed with the issuer's DID key cannot speak for a credential signed with a certificate.
    let did_signed = token(&key(1), &key(1), token_status::VALID, |claims| {
        claims.insert("iss".into(), ISSUER_URI.into());
    });
    let verification = verify_trusting(&issued, Some(did_signed), &[&issuer]);
    assert_eq!(verification.verdict, Verdict::Indeterminate, "{verification:#?}");
}

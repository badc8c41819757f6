//! VC-JWT: credentials secured as a compact JWS, with EdDSA, ES256 and RS256, and the tokens a
//! verifier must refuse.

use base64::{Engine as _, engine::general_purpose::URL_SAFE_NO_PAD};
use mc_core::Timestamp;
use mc_vc::{
    did::{KeyResolver, ResolveError, VerificationMethod, method_from_document},
    multikey::{KeyType, SecretKey},
    verify::{CheckId, CheckStatus, Verdict, VerifyParams, verify_text},
};
use rsa::{pkcs1::DecodeRsaPrivateKey, traits::PublicKeyParts};
use serde_json::{Value, json};

use crate::support::object;

const RSA_ISSUER: &str = "https://issuer.example/profile";

fn rsa_key() -> rsa::RsaPrivateKey {
    let pem = include_str!("../../test_data/rsa-2048-test-key.pem");
    rsa::RsaPrivateKey::from_pkcs1_pem(pem).unwrap()
}

/// Resolves the RSA issuer's key from a controller document held in memory.
struct LocalResolver;

impl KeyResolver for LocalResolver {
    fn resolve(&self, url: &str) -> Result<VerificationMethod, ResolveError> {
        let public = rsa_key().to_public_key();
        let document = json!({
            "id": RSA_ISSUER,
            "verificationMethod": [{
                "id": format!("{RSA_ISSUER}#rsa-1"),
                "type": "JsonWebKey",
                "controller": RSA_ISSUER,
                "publicKeyJwk": {
                    "kty": "RSA",
                    "n": URL_SAFE_NO_PAD.encode(public.n().to_bytes_be()),
                    "e": URL_SAFE_NO_PAD.encode(public.e().to_bytes_be()),
                },
            }],
            "assertionMethod": [format!("{RSA_ISSUER}#rsa-1")],
        });
        match url.starts_with(RSA_ISSUER) {
            true => method_from_document(url, &document),
            false => Err(ResolveError::Unavailable(format!("{url} is not known here"))),
        }
    }
}

fn credential(issuer: &str) -> Value {
    let mut credential = Value::Object(object("vc-di-eddsa/TestVectors/unsigned.json"));
    credential["issuer"] = Value::String(issuer.to_owned());
    credential
}

fn encode(value: &Value) -> String {
    URL_SAFE_NO_PAD.encode(value.to_string())
}

/// A compact JWS over `header` and `claims`, signed by `sign`.
fn jwt(header: Value, claims: Value, sign: impl Fn(&[u8]) -> Vec<u8>) -> String {
    let input = format!("{}.{}", encode(&header), encode(&claims));
    let signature = sign(input.as_bytes());
    format!("{input}.{}", URL_SAFE_NO_PAD.encode(signature))
}

fn ed25519(seed: u8) -> (SecretKey, String) {
    let key = SecretKey::from_seed(KeyType::Ed25519, [seed; 32]).unwrap();
    let did = format!("did:key:{}", key.public_key().to_multibase());
    (key, did)
}

fn sign_with(key: &SecretKey) -> impl Fn(&[u8]) -> Vec<u8> + '_ {
    move |input| match key {
        SecretKey::Ed25519(key) => ed25519_dalek::Signer::sign(key, input).to_bytes().to_vec(),
        SecretKey::P256(key) => {
            let signature: p256::ecdsa::Signature = p256::ecdsa::signature::Signer::sign(key, input);
            signature.to_bytes().to_vec()
        }
    }
}

fn kid(did: &str) -> String {
    format!("{did}#{}", &did["did:key:".len()..])
}

fn jwk_of(key: &SecretKey) -> Value {
    match key.public_key() {
        mc_vc::multikey::PublicKey::Ed25519(public) => {
            json!({"kty": "OKP", "crv": "Ed25519", "x": URL_SAFE_NO_PAD.encode(public.as_bytes())})
        }
        _ => unreachable!("Ed25519 only"),
    }
}

#[test]
fn jwts_verify_or_fail_on_the_right_check() {
    let (ed_key, ed_did) = ed25519(5);
    let (other_key, _) = ed25519(6);
    let p256_key = SecretKey::from_seed(KeyType::P256, [9; 32]).unwrap();
    let p256_did = format!("did:key:{}", p256_key.public_key().to_multibase());
    let rsa = rsa_key();
    let rsa_sign = |input: &[u8]| {
        let signer = rsa::pkcs1v15::SigningKey::<sha2::Sha256>::new(rsa.clone());
        rsa::signature::SignatureEncoding::to_vec(&rsa::signature::Signer::sign(&signer, input))
    };
    let vc_jwt_claims = |issuer: &str| json!({"vc": credential(issuer), "iss": issuer, "jti": "urn:uuid:58172aac-d8ba-11ed-83dd-0b3aef56cc33", "nbf": 1_672_531_200});

    let valid =
        jwt(json!({"alg": "EdDSA", "kid": kid(&ed_did), "typ": "vc+jwt"}), credential(&ed_did), sign_with(&ed_key));
    let mut tampered_parts: Vec<String> = valid.split('.').map(str::to_owned).collect();
    let mut changed = credential(&ed_did);
    changed["name"] = json!("Forged Credential");
    tampered_parts[1] = encode(&changed);

    let cases: Vec<(&str, String, Verdict, &[CheckId])> = vec![
        ("EdDSA, credential as payload", valid, Verdict::Valid, &[]),
        (
            "ES256, VC-JWT with a vc claim",
            jwt(
                json!({"alg": "ES256", "kid": kid(&p256_did), "typ": "JWT"}),
                vc_jwt_claims(&p256_did),
                sign_with(&p256_key),
            ),
            Verdict::Valid,
            &[],
        ),
        (
            "RS256 with a key from the issuer's controller document",
            jwt(json!({"alg": "RS256", "kid": format!("{RSA_ISSUER}#rsa-1")}), vc_jwt_claims(RSA_ISSUER), rsa_sign),
            Verdict::Valid,
            &[],
        ),
        (
            "header jwk that is the issuer's did:key",
            jwt(json!({"alg": "EdDSA", "jwk": jwk_of(&ed_key)}), credential(&ed_did), sign_with(&ed_key)),
            Verdict::Valid,
            &[],
        ),
        ("tampered payload", tampered_parts.join("."), Verdict::Invalid, &[CheckId::Proof]),
        (
            "alg none",
            format!("{}.{}.", encode(&json!({"alg": "none"})), encode(&credential(&ed_did))),
            Verdict::Invalid,
            &[CheckId::Format],
        ),
        (
            "header jwk not bound to the issuer",
            jwt(json!({"alg": "EdDSA", "jwk": jwk_of(&other_key)}), credential(&ed_did), sign_with(&other_key)),
            Verdict::Invalid,
            &[CheckId::Proof],
        ),
        (
            "kid of another key",
            jwt(json!({"alg": "EdDSA", "kid": kid(&ed25519(6).1)}), credential(&ed_did), sign_with(&other_key)),
            Verdict::Invalid,
            &[CheckId::Issuer],
        ),
        (
            "alg that does not fit the key",
            jwt(json!({"alg": "ES256", "kid": kid(&ed_did)}), credential(&ed_did), sign_with(&ed_key)),
            Verdict::Invalid,
            &[CheckId::Proof],
        ),
        (
            "HS256",
            jwt(json!({"alg": "HS256", "kid": kid(&ed_did)}), credential(&ed_did), sign_with(&ed_key)),
            Verdict::Invalid,
            &[CheckId::Format],
        ),
        (
            "a crit header",
            jwt(json!({"alg": "EdDSA", "kid": kid(&ed_did), "crit": ["exp"]}), credential(&ed_did), sign_with(&ed_key)),
            Verdict::Invalid,
            &[CheckId::Format],
        ),
        (
            "iss that is not the issuer",
            jwt(
                json!({"alg": "EdDSA", "kid": kid(&ed_did)}),
                json!({"vc": credential(&ed_did), "iss": "did:web:elsewhere.example"}),
                sign_with(&ed_key),
            ),
            Verdict::Invalid,
            &[CheckId::Format],
        ),
        (
            "nbf that is not validFrom",
            jwt(
                json!({"alg": "EdDSA", "kid": kid(&ed_did)}),
                json!({"vc": credential(&ed_did), "nbf": 1}),
                sign_with(&ed_key),
            ),
            Verdict::Invalid,
            &[CheckId::Format],
        ),
        (
            "RS256 whose issuer key cannot be fetched",
            jwt(json!({"alg": "RS256"}), vc_jwt_claims("https://unknown.example/issuer"), rsa_sign),
            Verdict::Indeterminate,
            &[],
        ),
    ];
    let params = VerifyParams {
        now: Timestamp::parse("2025-01-01T00:00:00Z").unwrap(),
        resolver: &LocalResolver,
        trusted_issuers: None,
        status: &mc_vc::status::NoStatusLists,
    };
    let mut wrong = Vec::new();
    for (name, token, verdict, failing) in &cases {
        let result = verify_text(token, &params);
        let failed: Vec<CheckId> =
            result.checks.iter().filter(|check| check.status == CheckStatus::Failed).map(|check| check.id).collect();
        if result.verdict != *verdict || failed != *failing {
            wrong.push(format!("{name}: expected {verdict:?} failing {failing:?}, got {result:#?}"));
        }
    }
    assert!(wrong.is_empty(), "{}", wrong.join("\n\n"));
}

/// The `exp` and `nbf` of a VC-JWT bound its validity even when the credential names no end:
/// an expired JWT is invalid, one used too early is invalid, one within both is valid, and a
/// claim that is not a number is refused.
#[test]
fn a_jwt_is_valid_only_between_its_nbf_and_exp() {
    let (key, did) = ed25519(7);
    let token = |claims: Value| jwt(json!({"alg": "EdDSA", "kid": kid(&did)}), claims, sign_with(&key));
    let params = VerifyParams {
        now: Timestamp::parse("2025-01-01T00:00:00Z").unwrap(),
        resolver: &LocalResolver,
        trusted_issuers: None,
        status: &mc_vc::status::NoStatusLists,
    };
    let claims = |extra: Value| {
        let mut claims = json!({"vc": credential(&did), "iss": did, "nbf": 1_672_531_200});
        claims.as_object_mut().unwrap().extend(extra.as_object().unwrap().clone());
        claims
    };
    let validity = |claims: Value| {
        let result = verify_text(&token(claims), &params);
        (result.verdict, result.check(CheckId::Validity).map(|check| check.status))
    };
    // 2024-12-31T23:59:59Z: expired a second before now.
    assert_eq!(validity(claims(json!({"exp": 1_735_689_599}))), (Verdict::Invalid, Some(CheckStatus::Failed)));
    // Not valid before 2026, and the credential names no start of its own.
    let mut undated = credential(&did);
    undated.as_object_mut().unwrap().remove("validFrom");
    let early = json!({"vc": undated, "iss": did, "nbf": 1_767_225_600});
    assert_eq!(validity(early), (Verdict::Invalid, Some(CheckStatus::Failed)));
    assert_eq!(validity(claims(json!({"exp": 1_767_225_600}))), (Verdict::Valid, Some(CheckStatus::Passed)));
    assert_eq!(validity(claims(json!({"exp": "tomorrow"}))), (Verdict::Invalid, Some(CheckStatus::Failed)));
}

/// A JWT payload that names a key twice is malformed before any check.
#[test]
fn a_jwt_payload_with_a_key_twice_is_malformed() {
    let (key, did) = ed25519(8);
    let vc = credential(&did).to_string();
    let payload = format!(r#"{{"vc": {vc}, "iss": "{did}", "vc": {vc}}}"#);
    let header = encode(&json!({"alg": "EdDSA", "kid": kid(&did)}));
    let input = format!("{header}.{}", URL_SAFE_NO_PAD.encode(payload));
    let signature = URL_SAFE_NO_PAD.encode(sign_with(&key)(input.as_bytes()));
    let params = VerifyParams {
        now: Timestamp::parse("2025-01-01T00:00:00Z").unwrap(),
        resolver: &LocalResolver,
        trusted_issuers: None,
        status: &mc_vc::status::NoStatusLists,
    };
    let result = verify_text(&format!("{input}.{signature}"), &params);
    assert_eq!(result.verdict, Verdict::Invalid, "{result:#?}");
    let format = result.check(CheckId::Format).unwrap();
    assert!(format.status == CheckStatus::Failed && format.message.contains("twice"), "{format:?}");
}

//! Key proofs of OpenID4VCI 1.0 (§F.1, `jwt` proof type): a wallet shows that it holds the key
//! a credential is to be bound to by signing the issuer's nonce with it.

use mc_core::Timestamp;
use serde_json::Value;

use crate::{
    jwt::{Jws, Profile},
    multikey::PublicKey,
};

/// The `typ` of a key proof.
pub const PROOF_TYPE: &str = "openid4vci-proof+jwt";

/// The algorithms a key proof may be signed with.
pub const PROOF_ALGORITHMS: &[&str] = &["ES256", "EdDSA"];

/// How far from now a key proof's `iat` may be, in seconds.
const MAX_AGE: i64 = 300;

const KEY_PROOF: Profile =
    Profile { name: "a key proof", header: &["alg", "typ", "jwk"], types: &[PROOF_TYPE], typed: true };

/// The `did:jwk` of `key`: its public JWK, base64url, as a DID.
pub fn did_jwk(key: &PublicKey) -> String {
    use base64::Engine as _;
    let jwk = crate::sd_jwt_vc::public_jwk(key);
    let text = serde_json::to_vec(&jwk).expect("a JWK serializes");
    format!("did:jwk:{}", base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(text))
}

/// A key proof that holds: the holder's key and the nonce it signed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct KeyProof {
    /// The key the credential is to be bound to.
    pub key: PublicKey,
    /// The nonce the wallet signed (`None` when it gave none).
    pub nonce: Option<String>,
}

/// Checks a key proof: its header (`typ`, an allowed `alg`, the holder's key as `jwk`), its
/// signature by that key, its audience (`aud`, this credential issuer), and that it was made
/// within five minutes of `now`. The nonce is read, not checked: only the issuer knows which
/// it handed out.
pub fn check(jwt: &str, issuer: &str, now: Timestamp) -> Result<KeyProof, String> {
    let jws = Jws::parse_as(jwt, &KEY_PROOF)?;
    if !PROOF_ALGORITHMS.contains(&jws.algorithm.name()) {
        return Err(format!("a key proof is signed with {}", PROOF_ALGORITHMS.join(" or ")));
    }
    let jwk =
        jws.header.get("jwk").and_then(Value::as_object).ok_or("the key proof carries no key (jwk in its header)")?;
    let key = PublicKey::from_jwk(jwk).map_err(|err| format!("the key proof's jwk: {err}"))?;
    jws.verify(&key).map_err(|why| format!("the key proof: {why}"))?;
    let claim = |name: &str| jws.claims.get(name);
    let audience_matches = match claim("aud") {
        Some(Value::String(aud)) => aud == issuer,
        Some(Value::Array(auds)) => auds.iter().any(|aud| aud.as_str() == Some(issuer)),
        _ => false,
    };
    if !audience_matches {
        return Err(format!("the key proof is not addressed to this credential issuer ({issuer}) in its aud"));
    }
    let made = claim("iat").and_then(Value::as_i64).ok_or("the key proof has no iat")?;
    if (made - now.unix_seconds()).abs() > MAX_AGE {
        return Err(format!(
            "the key proof was made at {}, not within five minutes of now",
            Timestamp::from_unix(made, 0)
        ));
    }
    let nonce = match claim("nonce") {
        None => None,
        Some(Value::String(nonce)) => Some(nonce.clone()),
        Some(_) => return Err("the key proof's nonce is not a string".into()),
    };
    Ok(KeyProof { key, nonce })
}

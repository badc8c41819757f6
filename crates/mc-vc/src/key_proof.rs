//! Key proofs of OpenID4VCI 1.0 (§F.1, `jwt` proof type): a wallet shows that it holds the key
//! a credential is to be bound to by signing the issuer's nonce with it.

use mc_core::Timestamp;
use serde_json::Value;
use sha2::Digest as _;

use crate::{
    jwt::{Jws, Profile},
    multikey::PublicKey,
};

/// The `typ` of a key proof.
pub const PROOF_TYPE: &str = "openid4vci-proof+jwt";

/// The algorithms a key proof may be signed with.
pub const PROOF_ALGORITHMS: &[&str] = &["ES256", "EdDSA"];

/// How far from now a key proof's `iat` may be, in seconds.
const MAX_AGE: u64 = 300;

const KEY_PROOF: Profile =
    Profile { name: "a key proof", header: &["alg", "typ", "jwk", "kid"], types: &[PROOF_TYPE], typed: true };

/// The `did:jwk` of `key`: its public JWK, base64url, as a DID.
pub fn did_jwk(key: &PublicKey) -> String {
    use base64::Engine as _;
    let jwk = key.to_jwk();
    let text = serde_json::to_vec(&jwk).expect("a JWK serializes");
    format!("did:jwk:{}", base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(text))
}

/// The key of a `did:jwk` DID or DID URL (`did:jwk:…#0`): the JWK it encodes.
pub fn from_did_jwk(did: &str) -> Result<PublicKey, String> {
    use base64::Engine as _;
    let encoded = did
        .strip_prefix("did:jwk:")
        .ok_or_else(|| format!("the key {did:?} is not a did:jwk, the only DID a key proof may name"))?;
    let encoded = encoded.strip_suffix("#0").unwrap_or(encoded);
    let bytes = base64::engine::general_purpose::URL_SAFE_NO_PAD
        .decode(encoded)
        .map_err(|_| "the did:jwk is not base64url".to_owned())?;
    match crate::strict_json::from_slice(&bytes) {
        Ok(Value::Object(jwk)) => PublicKey::from_jwk(&jwk).map_err(|err| format!("the did:jwk's key: {err}")),
        _ => Err("the did:jwk does not encode a JSON object".into()),
    }
}

/// A key proof that holds: the holder's key and the nonce it signed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct KeyProof {
    /// The key the credential is to be bound to.
    pub key: PublicKey,
    /// The nonce the wallet signed (`None` when it gave none).
    pub nonce: Option<String>,
}

/// Checks a key proof: its header (`typ`, an allowed `alg`, the holder's key as `jwk` or as a
/// `did:jwk` `kid`), its signature by that key, its audience (`aud`, this credential issuer), and that it was made
/// within five minutes of `now`. The nonce is read, not checked: only the issuer knows which
/// it handed out.
pub fn check(jwt: &str, issuer: &str, now: Timestamp) -> Result<KeyProof, String> {
    let jws = Jws::parse_as(jwt, &KEY_PROOF)?;
    if !PROOF_ALGORITHMS.contains(&jws.algorithm.name()) {
        return Err(format!("a key proof is signed with {}", PROOF_ALGORITHMS.join(" or ")));
    }
    let key = match (jws.header.get("jwk"), jws.header.get("kid")) {
        (Some(jwk), None) => {
            let jwk = jwk.as_object().ok_or("the key proof's jwk is not an object")?;
            PublicKey::from_jwk(jwk).map_err(|err| format!("the key proof's jwk: {err}"))?
        }
        (None, Some(Value::String(kid))) => from_did_jwk(kid)?,
        (Some(_), Some(_)) => return Err("a key proof names its key once: jwk or kid, not both".into()),
        _ => return Err("the key proof carries no key (a jwk, or a did:jwk kid, in its header)".into()),
    };
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
    if made.abs_diff(now.unix_seconds()) > MAX_AGE {
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

/// The `typ` of a DPoP proof (RFC 9449).
pub const DPOP_TYPE: &str = "dpop+jwt";

const DPOP: Profile =
    Profile { name: "a DPoP proof", header: &["alg", "typ", "jwk"], types: &[DPOP_TYPE], typed: true };

/// A DPoP proof that holds: the thumbprint of the key that signed it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Dpop {
    /// The JWK SHA-256 thumbprint (RFC 7638) of the proof's key, base64url: what an access
    /// token is bound to (`jkt`).
    pub thumbprint: String,
}

/// Checks a DPoP proof (RFC 9449 §4.3) of a request `method` `url`: its header (`typ`, an
/// allowed `alg`, its `jwk`), its signature, `htm` and `htu`, an `iat` within five minutes of
/// `now`, a `jti`, and, for a request that carries `access_token`, its hash (`ath`).
pub fn check_dpop(
    jwt: &str,
    method: &str,
    url: &str,
    access_token: Option<&str>,
    now: Timestamp,
) -> Result<Dpop, String> {
    use base64::Engine as _;
    let jws = Jws::parse_as(jwt.trim(), &DPOP)?;
    if !PROOF_ALGORITHMS.contains(&jws.algorithm.name()) {
        return Err(format!("a DPoP proof is signed with {}", PROOF_ALGORITHMS.join(" or ")));
    }
    let jwk = jws.header.get("jwk").and_then(Value::as_object).ok_or("the DPoP proof carries no jwk")?;
    let key = PublicKey::from_jwk(jwk).map_err(|err| format!("the DPoP proof's jwk: {err}"))?;
    jws.verify(&key).map_err(|why| format!("the DPoP proof: {why}"))?;
    let claim = |name: &str| jws.claims.get(name).and_then(Value::as_str);
    if claim("htm") != Some(method) {
        return Err(format!("the DPoP proof is not for a {method} request (htm)"));
    }
    if claim("htu").map(|htu| htu.split(['?', '#']).next().unwrap_or(htu)) != Some(url) {
        return Err(format!("the DPoP proof is not for {url} (htu)"));
    }
    if claim("jti").is_none_or(str::is_empty) {
        return Err("the DPoP proof has no jti".into());
    }
    let made = jws.claims.get("iat").and_then(Value::as_i64).ok_or("the DPoP proof has no iat")?;
    if made.abs_diff(now.unix_seconds()) > MAX_AGE {
        return Err("the DPoP proof was not made within five minutes of now".into());
    }
    if let Some(token) = access_token {
        let hash = base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(sha2::Sha256::digest(token.as_bytes()));
        if claim("ath") != Some(hash.as_str()) {
            return Err("the DPoP proof is not for this access token (ath)".into());
        }
    }
    Ok(Dpop { thumbprint: thumbprint(&key) })
}

/// The JWK SHA-256 thumbprint of `key` (RFC 7638): the hash of its required members, in
/// lexicographic order, without whitespace; base64url.
pub fn thumbprint(key: &PublicKey) -> String {
    use base64::Engine as _;
    let jwk = key.to_jwk();
    let members: &[&str] = match jwk["kty"].as_str() {
        Some("EC") => &["crv", "kty", "x", "y"],
        Some("OKP") => &["crv", "kty", "x"],
        _ => &["e", "kty", "n"],
    };
    let text: Vec<String> = members.iter().map(|name| format!("\"{name}\":{}", jwk[*name])).collect();
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(sha2::Sha256::digest(format!("{{{}}}", text.join(","))))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::multikey::{KeyType, SecretKey};

    const ISSUER: &str = "https://issuer.example";

    fn proof(key: &SecretKey, header: serde_json::Value, iat: i64) -> String {
        let header = header.as_object().unwrap().clone();
        let claims = serde_json::json!({"aud": ISSUER, "iat": iat, "nonce": "n"}).as_object().unwrap().clone();
        crate::jwt::compact(&header, &claims, |input| Ok::<_, ()>(key.sign(input))).unwrap()
    }

    #[test]
    fn a_proof_names_its_key_by_jwk_or_did_jwk_and_is_recent() {
        let key = SecretKey::from_seed(KeyType::Ed25519, [4; 32]).unwrap();
        let now = Timestamp::from_unix(1_800_000_000, 0);
        let by_jwk = serde_json::json!({"alg": "EdDSA", "typ": PROOF_TYPE, "jwk": key.public_key().to_jwk()});
        let checked = check(&proof(&key, by_jwk.clone(), 1_800_000_000), ISSUER, now).unwrap();
        assert_eq!((checked.key, checked.nonce.as_deref()), (key.public_key(), Some("n")));
        let kid = format!("{}#0", did_jwk(&key.public_key()));
        let by_did = serde_json::json!({"alg": "EdDSA", "typ": PROOF_TYPE, "kid": kid});
        assert_eq!(check(&proof(&key, by_did, 1_800_000_100), ISSUER, now).unwrap().key, key.public_key());

        for iat in [i64::MIN, i64::MAX, 1_800_000_301, 1_799_999_699] {
            let err = check(&proof(&key, by_jwk.clone(), iat), ISSUER, now).unwrap_err();
            assert!(err.contains("within five minutes"), "{iat}: {err}");
        }
        let err = check(&proof(&key, by_jwk, 1_800_000_000), "https://other.example", now).unwrap_err();
        assert!(err.contains("not addressed to this credential issuer"), "{err}");
        let web = serde_json::json!({"alg": "EdDSA", "typ": PROOF_TYPE, "kid": "did:web:holder.example#k"});
        assert!(check(&proof(&key, web, 1_800_000_000), ISSUER, now).unwrap_err().contains("not a did:jwk"));
    }

    #[test]
    fn a_thumbprint_is_rfc_7638s() {
        // RFC 8037 §A.3: the thumbprint of its Ed25519 example key.
        use base64::Engine as _;
        let x = base64::engine::general_purpose::URL_SAFE_NO_PAD
            .decode("11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo")
            .unwrap();
        let key = PublicKey::Ed25519(ed25519_dalek::VerifyingKey::from_bytes(&x.try_into().unwrap()).unwrap());
        assert_eq!(thumbprint(&key), "kPrK_qmxVWaYVA9wwBF6Iuo3vVzz7TxHCTwXBygrS4k");
    }
}

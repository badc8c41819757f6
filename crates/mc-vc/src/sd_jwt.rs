//! SD-JWT (RFC 9901): a JWT whose claims are disclosed one by one. The issuer signs digests of
//! the disclosable claims (`_sd`); the holder shows the disclosures it chooses after the JWT,
//! each `~`-separated, and may end with a key-binding JWT (`kb+jwt`) signed by the key the
//! issuer bound it to (`cnf.jwk`), over the verifier's nonce and audience.
//!
//! Issuing takes its salts and signature from the caller (this crate draws no random numbers and
//! holds no issuer keys). Reading refuses what could make a verifier and a viewer differ: a
//! disclosure that no digest names, or that is named twice, a claim disclosed over one that is
//! there, a digest named twice.

use base64::Engine as _;
use mc_core::Timestamp;
use serde_json::{Map, Value};
use sha2::{Digest as _, Sha256};

use crate::{
    jwt::{Jws, Profile},
    multikey::PublicKey,
};

/// The bytes of salt a disclosure carries (128 bits, as RFC 9901 §9.3 recommends).
pub const SALT_BYTES: usize = 16;

/// The most disclosures an SD-JWT may carry.
pub const MAX_DISCLOSURES: usize = 100;

/// How far in the future a key-binding JWT may say it was made (clock skew), in seconds.
const MAX_SKEW: i64 = 300;

/// The issuer-signed JWT of an SD-JWT VC (`dc+sd-jwt`; `vc+sd-jwt` is its earlier name).
pub(crate) const SD_JWT_VC: Profile = Profile {
    name: "an SD-JWT VC",
    header: &["alg", "kid", "typ", "x5c"],
    types: &["dc+sd-jwt", "vc+sd-jwt"],
    typed: true,
};

/// A key-binding JWT.
const KEY_BINDING: Profile =
    Profile { name: "a key-binding JWT", header: &["alg", "typ"], types: &["kb+jwt"], typed: true };

fn b64(bytes: &[u8]) -> String {
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(bytes)
}

/// The digest of a disclosure or of the part of an SD-JWT a key-binding JWT signs: SHA-256
/// of its ASCII text, base64url.
fn digest(text: &str) -> String {
    b64(&Sha256::digest(text.as_bytes()))
}

/// Issues an SD-JWT: `claims` signed under `header` by `sign`, with each claim named in
/// `disclosable` that `claims` has replaced by the digest of its disclosure, salted by the
/// next of `salts`. The digests are sorted, so their order says nothing of the claims'.
pub fn issue<E>(
    header: &Map<String, Value>,
    claims: Map<String, Value>,
    disclosable: &[&str],
    salts: &[[u8; SALT_BYTES]],
    sign: impl FnOnce(&[u8]) -> Result<Vec<u8>, E>,
) -> Result<String, E> {
    issue_padded(header, claims, disclosable, salts, &[], sign)
}

/// [`issue`], with a decoy digest (RFC 9901 §4.2.5) made from each of `decoys` besides the real
/// ones, so that how many digests there are says less of which claims the credential has.
pub fn issue_padded<E>(
    header: &Map<String, Value>,
    mut claims: Map<String, Value>,
    disclosable: &[&str],
    salts: &[[u8; SALT_BYTES]],
    decoys: &[[u8; SALT_BYTES]],
    sign: impl FnOnce(&[u8]) -> Result<Vec<u8>, E>,
) -> Result<String, E> {
    let mut disclosures = Vec::new();
    let mut digests = Vec::new();
    let mut salts = salts.iter();
    for name in disclosable {
        let Some(value) = claims.remove(*name) else { continue };
        let salt = salts.next().expect("a salt for each disclosable claim");
        let array = Value::Array(vec![b64(salt).into(), (*name).into(), value]);
        let disclosure = b64(&serde_json::to_vec(&array).expect("JSON always serializes"));
        digests.push(digest(&disclosure));
        disclosures.push(disclosure);
    }
    assert!(disclosures.len() <= MAX_DISCLOSURES, "too many disclosable claims");
    digests.extend(decoys.iter().map(|decoy| digest(&b64(decoy))));
    if !digests.is_empty() {
        digests.sort_unstable();
        claims.insert("_sd".into(), digests.into_iter().map(Value::String).collect());
        claims.insert("_sd_alg".into(), "sha-256".into());
    }
    let jwt = crate::jwt::compact(header, &claims, sign)?;
    let mut text = jwt;
    for disclosure in disclosures {
        text.push('~');
        text.push_str(&disclosure);
    }
    text.push('~');
    Ok(text)
}

/// Adds a key-binding JWT to `sd_jwt` (which ends with `~`): signed by `sign` with `alg` for
/// `audience` and `nonce`, made at `now`.
pub fn bind<E>(
    sd_jwt: &str,
    alg: &str,
    audience: &str,
    nonce: &str,
    now: Timestamp,
    sign: impl FnOnce(&[u8]) -> Result<Vec<u8>, E>,
) -> Result<String, E> {
    let mut header = Map::new();
    header.insert("alg".into(), alg.into());
    header.insert("typ".into(), "kb+jwt".into());
    let mut claims = Map::new();
    claims.insert("iat".into(), now.unix_seconds().into());
    claims.insert("aud".into(), audience.into());
    claims.insert("nonce".into(), nonce.into());
    claims.insert("sd_hash".into(), digest(sd_jwt).into());
    Ok(format!("{sd_jwt}{}", crate::jwt::compact(&header, &claims, sign)?))
}

/// Whether `text` has the shape of an SD-JWT: a compact JWS, then `~` and disclosures, all
/// base64url, ending with `~` or a key-binding JWT.
pub fn looks_like_sd_jwt(text: &str) -> bool {
    text.split_once('~').is_some_and(|(jwt, _)| crate::jwt::looks_like_jwt(jwt))
        && text.bytes().all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.' | b'~'))
}

/// The address of the Token Status List an SD-JWT VC names (`status.status_list.uri`), read
/// without checking anything.
pub fn status_list_uri(text: &str) -> Option<String> {
    let claims = unverified_claims(text)?;
    Some(claims.get("status")?.get("status_list")?.get("uri")?.as_str()?.to_owned())
}

/// The claims of an SD-JWT's issuer-signed JWT as written (disclosures not applied), read
/// without checking anything: for finding what a verification will need, and for describing.
pub fn unverified_claims(text: &str) -> Option<Map<String, Value>> {
    let text = text.trim();
    if !looks_like_sd_jwt(text) {
        return None;
    }
    let payload = text.split('~').next()?.split('.').nth(1)?;
    let bytes = base64::engine::general_purpose::URL_SAFE_NO_PAD.decode(payload).ok()?;
    match serde_json::from_slice(&bytes).ok()? {
        Value::Object(claims) => Some(claims),
        _ => None,
    }
}

/// One disclosure: an object property (`name`) or an array element.
#[derive(Debug, Clone)]
struct Disclosure {
    digest: String,
    name: Option<String>,
    value: Value,
}

impl Disclosure {
    fn read(encoded: &str, position: usize) -> Result<Disclosure, String> {
        let bytes = base64::engine::general_purpose::URL_SAFE_NO_PAD
            .decode(encoded)
            .map_err(|_| format!("disclosure {position} is not base64url"))?;
        let parts = match crate::strict_json::from_slice(&bytes) {
            Ok(Value::Array(parts)) => parts,
            _ => return Err(format!("disclosure {position} is not a JSON array")),
        };
        let (name, value) = match parts.as_slice() {
            [Value::String(_), Value::String(name), value] => (Some(name.clone()), value.clone()),
            [Value::String(_), value] => (None, value.clone()),
            _ => {
                return Err(format!(
                    "disclosure {position} is not [salt, name, value] or [salt, value] with a string salt and name"
                ));
            }
        };
        if let Some(name) = &name
            && matches!(name.as_str(), "_sd" | "...")
        {
            return Err(format!("disclosure {position} discloses {name:?}, which is never a claim's name"));
        }
        Ok(Disclosure { digest: digest(encoded), name, value })
    }
}

/// A parsed SD-JWT: the issuer's JWT, the claims with the disclosures given put in their place,
/// and the key-binding JWT when one ends it.
pub(crate) struct SdJwt {
    /// The issuer-signed JWT.
    pub(crate) jwt: Jws,
    /// The claims as disclosed: `_sd` and `_sd_alg` gone, each disclosed claim in its place.
    pub(crate) claims: Map<String, Value>,
    /// The names of the claims disclosed (top level and nested, by name).
    pub(crate) disclosed: Vec<String>,
    /// The key-binding JWT, with the text it signs (`sd_hash`).
    key_binding: Option<(Jws, String)>,
}

/// What a key-binding JWT says, once checked.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct KeyBinding {
    /// Whom the holder presented it to (`aud`).
    pub audience: String,
    /// The verifier's nonce.
    pub nonce: String,
    /// When the holder made it.
    pub made: Timestamp,
}

impl SdJwt {
    /// Reads an SD-JWT (or SD-JWT+KB): the issuer's JWT header as `profile` says, each
    /// disclosure, and the claims they disclose. Signatures are not checked here.
    pub(crate) fn parse(text: &str, profile: &Profile) -> Result<SdJwt, String> {
        let mut parts: Vec<&str> = text.split('~').collect();
        let last = parts.pop().expect("split yields at least one part");
        if parts.is_empty() {
            return Err("an SD-JWT is its JWT followed by \"~\"".into());
        }
        let jwt = Jws::parse_as(parts[0], profile)?;
        let encoded = &parts[1..];
        if encoded.len() > MAX_DISCLOSURES {
            return Err(format!(
                "the SD-JWT carries {} disclosures; at most {MAX_DISCLOSURES} are read",
                encoded.len()
            ));
        }
        let mut disclosures = Vec::with_capacity(encoded.len());
        for (position, encoded) in encoded.iter().enumerate() {
            let disclosure = Disclosure::read(encoded, position + 1)?;
            if disclosures.iter().any(|seen: &Disclosure| seen.digest == disclosure.digest) {
                return Err(format!("disclosure {} is given twice", position + 1));
            }
            disclosures.push(disclosure);
        }
        let key_binding = match last {
            "" => None,
            kb => {
                let presented = &text[..text.len() - kb.len()];
                Some((Jws::parse_as(kb, &KEY_BINDING)?, presented.to_owned()))
            }
        };
        let mut claims = jwt.claims.clone();
        // Without _sd_alg, the digests are SHA-256 (RFC 9901 §4.1.1).
        match claims.remove("_sd_alg") {
            None => {}
            Some(Value::String(alg)) if alg == "sha-256" => {}
            Some(alg) => return Err(format!("the SD-JWT's digests are {alg}; only sha-256 is supported")),
        }
        let mut unused: Vec<Option<Disclosure>> = disclosures.into_iter().map(Some).collect();
        let mut seen_digests = std::collections::HashSet::new();
        let mut disclosed = Vec::new();
        let mut claims = Value::Object(claims);
        disclose(&mut claims, &mut unused, &mut seen_digests, &mut disclosed, 0)?;
        let top_level: Vec<String> =
            disclosed.iter().filter(|(_, depth)| *depth == 0).map(|(name, _)| name.clone()).collect();
        let disclosed = disclosed.into_iter().map(|(name, _)| name).collect();
        if let Some(position) = unused.iter().position(Option::is_some) {
            return Err(format!("disclosure {} is not named by any digest the issuer signed", position + 1));
        }
        let Value::Object(claims) = claims else { unreachable!("an object stays an object") };
        if let Some(name) = top_level.iter().find(|name| NEVER_DISCLOSED.contains(&name.as_str())) {
            return Err(format!("the claim {name:?} is disclosed selectively, which an SD-JWT VC never does"));
        }
        Ok(SdJwt { jwt, claims, disclosed, key_binding })
    }

    /// Checks the key-binding JWT, when there is one: signed by the key the issuer bound the
    /// credential to (`cnf.jwk`), over this very presentation (`sd_hash`), made before `now`.
    /// `Ok(None)` when there is none.
    pub(crate) fn check_key_binding(&self, now: Timestamp) -> Result<Option<KeyBinding>, String> {
        let Some((kb, presented)) = &self.key_binding else { return Ok(None) };
        let jwk = self
            .claims
            .get("cnf")
            .and_then(|cnf| cnf.get("jwk"))
            .and_then(Value::as_object)
            .ok_or("the key-binding JWT cannot be checked: the credential binds no key (cnf.jwk)")?;
        let key = PublicKey::from_jwk(jwk).map_err(|err| format!("the credential's cnf.jwk: {err}"))?;
        kb.verify(&key).map_err(|why| format!("the key-binding JWT: {why}"))?;
        let claim = |name: &str| kb.claims.get(name);
        if claim("sd_hash").and_then(Value::as_str) != Some(digest(presented).as_str()) {
            return Err("the key-binding JWT was made for another presentation (its sd_hash differs)".into());
        }
        let made = claim("iat")
            .and_then(Value::as_i64)
            .map(|seconds| Timestamp::from_unix(seconds, 0))
            .ok_or("the key-binding JWT has no iat")?;
        if made.unix_seconds() > now.unix_seconds() + MAX_SKEW {
            return Err(format!("the key-binding JWT says it was made in the future ({made})"));
        }
        let text = |name: &str| claim(name).and_then(Value::as_str).map(str::to_owned);
        let audience = text("aud").ok_or("the key-binding JWT has no aud (whom it is presented to)")?;
        let nonce = text("nonce").ok_or("the key-binding JWT has no nonce")?;
        Ok(Some(KeyBinding { audience, nonce, made }))
    }
}

/// The deepest nesting of objects and arrays followed, disclosed or not.
const MAX_DEPTH: usize = 32;

/// The registered claims of an SD-JWT VC that are never selectively disclosed (SD-JWT VC §3.2.2).
const NEVER_DISCLOSED: &[&str] = &["iss", "nbf", "exp", "cnf", "vct", "vct#integrity", "status"];

/// Replaces, in `value`, each digest that names one of `unused` by what it discloses, and
/// removes the others (decoys, or claims the holder kept back).
fn disclose(
    value: &mut Value,
    unused: &mut [Option<Disclosure>],
    seen: &mut std::collections::HashSet<String>,
    disclosed: &mut Vec<(String, usize)>,
    depth: usize,
) -> Result<(), String> {
    if depth > MAX_DEPTH {
        return Err(format!("the SD-JWT nests deeper than {MAX_DEPTH} levels"));
    }
    match value {
        Value::Object(object) => {
            if let Some(digests) = object.remove("_sd") {
                let Value::Array(digests) = digests else { return Err("an _sd claim is not an array".into()) };
                for digest in digests {
                    let digest = digest.as_str().ok_or("an _sd digest is not a string")?;
                    let Some(found) = take(digest, unused, seen)? else { continue };
                    let name = found.name.ok_or("an array element's disclosure is named by an object's _sd")?;
                    if object.contains_key(&name) {
                        return Err(format!("the claim {name:?} is disclosed over one the issuer wrote out"));
                    }
                    disclosed.push((name.clone(), depth));
                    object.insert(name, found.value);
                }
            }
            if depth > 0 && object.contains_key("_sd_alg") {
                return Err("_sd_alg is given below the top level of the SD-JWT".into());
            }
            if object.contains_key("...") {
                return Err("\"...\" is an array element's digest, not an object's claim".into());
            }
            for inner in object.values_mut() {
                disclose(inner, unused, seen, disclosed, depth + 1)?;
            }
        }
        Value::Array(elements) => {
            let mut kept = Vec::with_capacity(elements.len());
            for mut element in std::mem::take(elements) {
                let digest = match &element {
                    Value::Object(object) if object.len() == 1 && object.contains_key("...") => {
                        Some(object["..."].as_str().ok_or("an array element's digest is not a string")?.to_owned())
                    }
                    _ => None,
                };
                match digest {
                    Some(digest) => match take(&digest, unused, seen)? {
                        Some(found) if found.name.is_none() => {
                            let mut value = found.value;
                            disclose(&mut value, unused, seen, disclosed, depth + 1)?;
                            kept.push(value);
                        }
                        Some(_) => return Err("an object property's disclosure is named as an array element".into()),
                        None => {}
                    },
                    None => {
                        disclose(&mut element, unused, seen, disclosed, depth + 1)?;
                        kept.push(element);
                    }
                }
            }
            *elements = kept;
        }
        _ => {}
    }
    Ok(())
}

/// The disclosure `digest` names, taken out of `unused`; a digest is named once at most.
fn take(
    digest: &str,
    unused: &mut [Option<Disclosure>],
    seen: &mut std::collections::HashSet<String>,
) -> Result<Option<Disclosure>, String> {
    if !seen.insert(digest.to_owned()) {
        return Err(format!("the digest {digest} is named twice"));
    }
    Ok(unused.iter_mut().find(|slot| slot.as_ref().is_some_and(|found| found.digest == digest)).and_then(Option::take))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::multikey::{KeyType, SecretKey};

    fn header() -> Map<String, Value> {
        serde_json::from_value(serde_json::json!({"alg": "EdDSA", "typ": "dc+sd-jwt", "kid": "did:example:1#k"}))
            .unwrap()
    }

    fn claims() -> Map<String, Value> {
        serde_json::from_value(serde_json::json!({
            "iss": "did:example:1", "vct": "urn:example", "name": "Ada", "email": "ada@example.org", "title": "Rust"
        }))
        .unwrap()
    }

    fn refused(text: &str) -> String {
        match SdJwt::parse(text, &SD_JWT_VC) {
            Ok(_) => panic!("{text} was read"),
            Err(why) => why,
        }
    }

    fn issued(key: &SecretKey) -> String {
        let salts = [[1u8; SALT_BYTES], [2u8; SALT_BYTES]];
        issue(&header(), claims(), &["name", "email"], &salts, |input| Ok::<_, ()>(key.sign(input))).unwrap()
    }

    #[test]
    fn disclosed_claims_come_back_and_withheld_ones_do_not() {
        let key = SecretKey::from_seed(KeyType::Ed25519, [7; 32]).unwrap();
        let text = issued(&key);
        let all = SdJwt::parse(&text, &SD_JWT_VC).unwrap();
        assert_eq!(all.claims, claims());
        let mut parts: Vec<&str> = text.split('~').collect();
        parts.remove(1);
        let fewer = SdJwt::parse(&parts.join("~"), &SD_JWT_VC).unwrap();
        assert_eq!(fewer.claims.len(), 4, "one claim withheld: {:?}", fewer.claims);
        assert!(fewer.jwt.verify(&key.public_key()).is_ok());
    }

    #[test]
    fn a_disclosure_no_digest_names_or_given_twice_is_refused() {
        let key = SecretKey::from_seed(KeyType::Ed25519, [7; 32]).unwrap();
        let text = issued(&key);
        let parts: Vec<&str> = text.split('~').collect();
        let twice = format!("{}~{}~{}~", parts[0], parts[1], parts[1]);
        assert!(refused(&twice).contains("twice"));
        let stranger = b64(br#"["c2FsdA","name","Eve"]"#);
        let forged = format!("{}~{stranger}~", parts[0]);
        assert!(refused(&forged).contains("not named by any digest"));
    }

    #[test]
    fn a_key_binding_holds_only_for_the_holder_key_and_this_presentation() {
        let issuer = SecretKey::from_seed(KeyType::Ed25519, [7; 32]).unwrap();
        let holder = SecretKey::from_seed(KeyType::Ed25519, [9; 32]).unwrap();
        let x = match holder.public_key() {
            PublicKey::Ed25519(key) => b64(key.as_bytes()),
            _ => unreachable!(),
        };
        let mut bound = claims();
        bound.insert("cnf".into(), serde_json::json!({"jwk": {"kty": "OKP", "crv": "Ed25519", "x": x}}));
        let salts = [[1u8; SALT_BYTES], [2u8; SALT_BYTES]];
        let text =
            issue(&header(), bound, &["name", "email"], &salts, |input| Ok::<_, ()>(issuer.sign(input))).unwrap();
        let now = Timestamp::from_unix(1_800_000_000, 0);
        let presented =
            bind(&text, "EdDSA", "https://verifier.example", "n-1", now, |i| Ok::<_, ()>(holder.sign(i))).unwrap();
        let binding = SdJwt::parse(&presented, &SD_JWT_VC).unwrap().check_key_binding(now).unwrap().unwrap();
        assert_eq!((binding.audience.as_str(), binding.nonce.as_str()), ("https://verifier.example", "n-1"));

        let stranger = SecretKey::from_seed(KeyType::Ed25519, [3; 32]).unwrap();
        let other = bind(&text, "EdDSA", "aud", "n", now, |i| Ok::<_, ()>(stranger.sign(i))).unwrap();
        assert!(SdJwt::parse(&other, &SD_JWT_VC).unwrap().check_key_binding(now).is_err());

        // The same key-binding JWT after a disclosure was withheld: another presentation.
        let kb = presented.rsplit('~').next().unwrap();
        let parts: Vec<&str> = text.split('~').collect();
        let replayed = format!("{}~{}~{kb}", parts[0], parts[1]);
        let err = SdJwt::parse(&replayed, &SD_JWT_VC).unwrap().check_key_binding(now).unwrap_err();
        assert!(err.contains("sd_hash"), "{err}");
    }
}

//! VC-JWT: a credential secured as a compact JWS (the Open Badges 3.0 "VC-JWT" proof format,
//! with the credential in the `vc` claim, or VC-JOSE-COSE with the credential as the payload).
//!
//! Only `EdDSA`, `ES256`, `ES384` and `RS256` are accepted, chosen by the verifier's allow-list
//! and the key's type, never by the token alone; `none` never is.

use base64::Engine as _;
use serde_json::{Map, Value};

use crate::multikey::{KeyType, PublicKey};

/// What a kind of JWS may say in its header: which parameters, which types.
pub(crate) struct Profile {
    /// What the token is, for messages ("a VC-JWT").
    pub(crate) name: &'static str,
    /// The header parameters it may carry.
    pub(crate) header: &'static [&'static str],
    /// The `typ` values it may have.
    pub(crate) types: &'static [&'static str],
    /// Whether `typ` must be given (explicit typing).
    pub(crate) typed: bool,
}

/// A VC-JWT: Open Badges 3.0 §8.2.3 allows `alg`, `kid`, `jwk` and `typ`; VC-JOSE-COSE adds
/// `cty` and `iss`.
pub(crate) const VC_JWT: Profile = Profile {
    name: "a VC-JWT",
    header: &["alg", "kid", "jwk", "typ", "cty", "iss"],
    types: &["JWT", "vc+jwt", "vc+ld+jwt", "vc+ld+json+jwt"],
    typed: false,
};

/// A signature algorithm of the allow-list.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Algorithm {
    EdDsa,
    Es256,
    Es384,
    Rs256,
}

impl Algorithm {
    fn parse(alg: &str) -> Result<Algorithm, String> {
        match alg {
            "EdDSA" | "Ed25519" => Ok(Algorithm::EdDsa),
            "ES256" => Ok(Algorithm::Es256),
            "ES384" => Ok(Algorithm::Es384),
            "RS256" => Ok(Algorithm::Rs256),
            "none" => Err("the JWT is unsigned (alg \"none\"), which is never accepted".into()),
            other => Err(format!("the JWT algorithm {other:?} is not accepted (EdDSA, ES256, ES384, RS256 are)")),
        }
    }

    pub(crate) fn name(self) -> &'static str {
        match self {
            Algorithm::EdDsa => "EdDSA",
            Algorithm::Es256 => "ES256",
            Algorithm::Es384 => "ES384",
            Algorithm::Rs256 => "RS256",
        }
    }

    pub(crate) fn key_type(self) -> KeyType {
        match self {
            Algorithm::EdDsa => KeyType::Ed25519,
            Algorithm::Es256 => KeyType::P256,
            Algorithm::Es384 => KeyType::P384,
            Algorithm::Rs256 => KeyType::Rsa,
        }
    }
}

/// A parsed compact JWS.
pub(crate) struct Jws {
    pub(crate) algorithm: Algorithm,
    pub(crate) header: Map<String, Value>,
    pub(crate) claims: Map<String, Value>,
    signing_input: String,
    signature: Vec<u8>,
}

/// Whether `text` has the shape of a compact JWS: three base64url parts.
pub(crate) fn looks_like_jwt(text: &str) -> bool {
    text.split('.').count() == 3 && text.bytes().all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.'))
}

fn decode_json(part: &str, what: &str) -> Result<Map<String, Value>, String> {
    let bytes = base64::engine::general_purpose::URL_SAFE_NO_PAD
        .decode(part)
        .map_err(|_| format!("the JWT {what} is not base64url"))?;
    match crate::strict_json::from_slice(&bytes) {
        Ok(Value::Object(object)) => Ok(object),
        Ok(_) => Err(format!("the JWT {what} is not a JSON object")),
        Err(err) => Err(format!("the JWT {what} is not well-formed JSON: {err}")),
    }
}

impl Jws {
    /// Parses and checks the header of a compact JWS that secures a credential (a VC-JWT).
    pub(crate) fn parse(text: &str) -> Result<Jws, String> {
        Jws::parse_as(text, &VC_JWT)
    }

    /// Parses a compact JWS and checks its header against `profile`.
    pub(crate) fn parse_as(text: &str, profile: &Profile) -> Result<Jws, String> {
        let mut parts = text.split('.');
        let (Some(header_part), Some(payload_part), Some(signature_part), None) =
            (parts.next(), parts.next(), parts.next(), parts.next())
        else {
            return Err("a JWT has three parts separated by dots".into());
        };
        let header = decode_json(header_part, "header")?;
        if let Some(unknown) = header.keys().find(|key| !profile.header.contains(&key.as_str())) {
            return Err(format!("the JWT header parameter {unknown:?} is not allowed in {}", profile.name));
        }
        let alg = header.get("alg").and_then(Value::as_str).ok_or("the JWT header has no alg")?;
        let algorithm = Algorithm::parse(alg)?;
        match header.get("typ") {
            Some(Value::String(typ)) if profile.types.contains(&typ.as_str()) => {}
            None if !profile.typed => {}
            None => return Err(format!("the JWT header has no typ; {} says {:?}", profile.name, profile.types[0])),
            Some(typ) => {
                return Err(format!("the JWT type {typ} is not {}'s ({})", profile.name, profile.types.join(", ")));
            }
        }
        let claims = decode_json(payload_part, "payload")?;
        let signature = base64::engine::general_purpose::URL_SAFE_NO_PAD
            .decode(signature_part)
            .map_err(|_| "the JWT signature is not base64url".to_owned())?;
        Ok(Jws { algorithm, header, claims, signing_input: format!("{header_part}.{payload_part}"), signature })
    }

    /// The credential: the `vc` claim of a VC-JWT, or the payload itself (VC-JOSE-COSE).
    pub(crate) fn credential(&self) -> Result<&Map<String, Value>, String> {
        match self.claims.get("vc") {
            Some(Value::Object(credential)) => Ok(credential),
            Some(_) => Err("the JWT's vc claim is not an object".into()),
            None if self.claims.contains_key("@context") => Ok(&self.claims),
            None => Err("the JWT carries no credential (no vc claim, no @context)".into()),
        }
    }

    /// Checks the signature with `key`, whose type must be the algorithm's.
    pub(crate) fn verify(&self, key: &PublicKey) -> Result<(), String> {
        verify_signature(self.algorithm, key, self.signing_input.as_bytes(), &self.signature).map_err(|err| match err {
            SignatureError::KeyType(key_type) => {
                format!("the JWT algorithm {} cannot be used with an {key_type} key", self.algorithm.name())
            }
            SignatureError::Mismatch => "the JWT signature does not match its header and payload".to_owned(),
        })
    }
}

/// How an issuer's JWT (an SD-JWT VC, a Token Status List) names the key that signs it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SignedBy<'a> {
    /// An Ed25519 key of the issuer's DID (EdDSA), named by its DID URL (`kid`); the issuer is
    /// the DID.
    Did {
        /// The key's DID URL.
        kid: &'a str,
    },
    /// The key of a certificate (the institution's seal), carried with its chain in `x5c`, as
    /// HAIP asks; the issuer is a URI the certificate names as a subject alternative name.
    Certificate {
        /// The JWS algorithm of the key (`ES256`).
        alg: &'static str,
        /// The chain, the signing certificate first, each certificate's DER in base64.
        x5c: Vec<String>,
        /// The issuer identifier (`iss`), a URI the signing certificate names.
        issuer: &'a str,
    },
}

impl SignedBy<'_> {
    /// The JOSE header of a JWT of type `typ` signed so.
    pub(crate) fn header(&self, typ: &str) -> Map<String, Value> {
        let mut header = Map::new();
        match self {
            SignedBy::Did { kid } => {
                header.insert("alg".into(), "EdDSA".into());
                header.insert("typ".into(), typ.into());
                header.insert("kid".into(), (*kid).into());
            }
            SignedBy::Certificate { alg, x5c, .. } => {
                header.insert("alg".into(), (*alg).into());
                header.insert("typ".into(), typ.into());
                header.insert("x5c".into(), x5c.clone().into());
            }
        }
        header
    }

    /// The issuer it names, when the key alone does not tell (a certificate's key).
    pub(crate) fn issuer(&self) -> Option<&str> {
        match self {
            SignedBy::Did { .. } => None,
            SignedBy::Certificate { issuer, .. } => Some(issuer),
        }
    }
}

/// A compact JWS of `header` and `claims`, signed by `sign` (which returns the raw signature:
/// 64 bytes for EdDSA and ES256).
pub(crate) fn compact<E>(
    header: &Map<String, Value>,
    claims: &Map<String, Value>,
    sign: impl FnOnce(&[u8]) -> Result<Vec<u8>, E>,
) -> Result<String, E> {
    let encode = |value: &Map<String, Value>| {
        base64::engine::general_purpose::URL_SAFE_NO_PAD
            .encode(serde_json::to_vec(value).expect("a JSON map always serializes"))
    };
    let input = format!("{}.{}", encode(header), encode(claims));
    let signature = sign(input.as_bytes())?;
    Ok(format!("{input}.{}", base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(signature)))
}

/// Why a JWS signature did not verify.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum SignatureError {
    /// The key is of this type, which the algorithm cannot use.
    KeyType(KeyType),
    /// The signature is not the key's over the input.
    Mismatch,
}

/// Checks a JWS `signature` over `input` with `key`, whose type must be `algorithm`'s.
pub(crate) fn verify_signature(
    algorithm: Algorithm,
    key: &PublicKey,
    input: &[u8],
    signature: &[u8],
) -> Result<(), SignatureError> {
    if key.key_type() != algorithm.key_type() {
        return Err(SignatureError::KeyType(key.key_type()));
    }
    let bad = |_| SignatureError::Mismatch;
    match key {
        PublicKey::Ed25519(key) => {
            let signature = ed25519_dalek::Signature::from_slice(signature).map_err(bad)?;
            key.verify_strict(input, &signature).map_err(bad)
        }
        PublicKey::P256(key) => {
            let signature = p256::ecdsa::Signature::from_slice(signature).map_err(bad)?;
            p256::ecdsa::signature::Verifier::verify(key, input, &signature).map_err(bad)
        }
        PublicKey::P384(key) => {
            let signature = p384::ecdsa::Signature::from_slice(signature).map_err(bad)?;
            p384::ecdsa::signature::Verifier::verify(key, input, &signature).map_err(bad)
        }
        PublicKey::Rsa(key) => {
            let verifier = rsa::pkcs1v15::VerifyingKey::<sha2::Sha256>::new((**key).clone());
            let signature = rsa::pkcs1v15::Signature::try_from(signature).map_err(bad)?;
            rsa::signature::Verifier::verify(&verifier, input, &signature).map_err(bad)
        }
    }
}

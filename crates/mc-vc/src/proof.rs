//! Data Integrity proofs (VC Data Integrity 1.0): creating `eddsa-rdfc-2022` and
//! `eddsa-jcs-2022` (and the matching ECDSA suites with a P-256 key), verifying those plus
//! `ecdsa-rdfc-2019` / `ecdsa-jcs-2019` on P-256 and P-384 and the legacy
//! `Ed25519Signature2020`.
//!
//! Every suite hashes the same way: `H(transform(proof configuration)) ‖ H(transform(document
//! without proof))`, where the transformation is RDFC-1.0 canonical N-Quads or RFC 8785 JCS and
//! H is SHA-256 (SHA-384 for P-384).

use serde_json::{Map, Value};
use sha2::{Digest, Sha256, Sha384};

use crate::{
    jcs::{self, TopLevel},
    linked_data::{self, LinkedDataError},
    multikey::{KeyType, PublicKey, SecretKey},
};

/// How a proof's data is transformed and signed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Suite {
    /// `DataIntegrityProof` / `eddsa-rdfc-2022`.
    EddsaRdfc2022,
    /// `DataIntegrityProof` / `eddsa-jcs-2022`.
    EddsaJcs2022,
    /// `DataIntegrityProof` / `ecdsa-rdfc-2019`.
    EcdsaRdfc2019,
    /// `DataIntegrityProof` / `ecdsa-jcs-2019`.
    EcdsaJcs2019,
    /// The legacy `Ed25519Signature2020` proof type.
    Ed25519Signature2020,
}

impl Suite {
    /// The suite a proof object names, by its `type` and `cryptosuite`.
    pub fn of_proof(proof: &Map<String, Value>) -> Result<Suite, ProofError> {
        let proof_type =
            proof.get("type").and_then(Value::as_str).ok_or(ProofError::Malformed("the proof has no type"))?;
        match proof_type {
            "DataIntegrityProof" => {
                let suite = proof
                    .get("cryptosuite")
                    .and_then(Value::as_str)
                    .ok_or(ProofError::Malformed("a DataIntegrityProof needs a cryptosuite"))?;
                Suite::from_name(suite).ok_or_else(|| ProofError::UnknownSuite(suite.to_owned()))
            }
            "Ed25519Signature2020" => Ok(Suite::Ed25519Signature2020),
            other => Err(ProofError::UnknownSuite(other.to_owned())),
        }
    }

    /// The suite with this cryptosuite name. `eddsa-2022`, the name `eddsa-rdfc-2022` had in
    /// drafts, is read as it.
    pub fn from_name(name: &str) -> Option<Suite> {
        match name {
            "eddsa-rdfc-2022" | "eddsa-2022" => Some(Suite::EddsaRdfc2022),
            "eddsa-jcs-2022" => Some(Suite::EddsaJcs2022),
            "ecdsa-rdfc-2019" => Some(Suite::EcdsaRdfc2019),
            "ecdsa-jcs-2019" => Some(Suite::EcdsaJcs2019),
            _ => None,
        }
    }

    /// The cryptosuite name, or the proof type for legacy suites.
    pub fn name(self) -> &'static str {
        match self {
            Suite::EddsaRdfc2022 => "eddsa-rdfc-2022",
            Suite::EddsaJcs2022 => "eddsa-jcs-2022",
            Suite::EcdsaRdfc2019 => "ecdsa-rdfc-2019",
            Suite::EcdsaJcs2019 => "ecdsa-jcs-2019",
            Suite::Ed25519Signature2020 => "Ed25519Signature2020",
        }
    }

    fn uses_jcs(self) -> bool {
        matches!(self, Suite::EddsaJcs2022 | Suite::EcdsaJcs2019)
    }

    fn accepts(self, key_type: KeyType) -> bool {
        match self {
            Suite::EddsaRdfc2022 | Suite::EddsaJcs2022 | Suite::Ed25519Signature2020 => key_type == KeyType::Ed25519,
            Suite::EcdsaRdfc2019 | Suite::EcdsaJcs2019 => matches!(key_type, KeyType::P256 | KeyType::P384),
        }
    }
}

/// Why a proof could not be made or does not hold.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ProofError {
    /// The proof object is incomplete or mistyped.
    #[error("{0}")]
    Malformed(&'static str),
    /// A proof type or cryptosuite microcred does not implement.
    #[error("unknown proof type or cryptosuite {0:?}")]
    UnknownSuite(String),
    /// The key cannot be used with the suite.
    #[error("a {key_type} key cannot be used with {suite}")]
    WrongKey {
        /// The suite.
        suite: &'static str,
        /// The key's type.
        key_type: KeyType,
    },
    /// The document could not be transformed.
    #[error(transparent)]
    LinkedData(#[from] LinkedDataError),
    /// eddsa-jcs-2022: the proof's `@context` is not a prefix of the document's.
    #[error("the proof's @context does not match the start of the document's @context")]
    ContextMismatch,
    /// The proofValue is not a multibase signature of the right length.
    #[error("the proofValue is not a valid signature encoding: {0}")]
    BadProofValue(String),
    /// The signature does not verify: the document or the proof was changed, or another key
    /// signed.
    #[error("the signature does not match the document and its proof options")]
    BadSignature,
}

/// What a new proof says besides its value.
#[derive(Debug, Clone)]
pub struct ProofOptions {
    /// The URL of the verification method that signs.
    pub verification_method: String,
    /// When the proof is made (`created`), as an XML Schema dateTimeStamp.
    pub created: String,
    /// The proof purpose; `assertionMethod` for credentials.
    pub proof_purpose: String,
}

/// The bytes a suite signs for `document` (its `proof`, if any, left out) and the proof
/// configuration `proof_config` (the proof without `proofValue`).
pub fn hash_data(
    suite: Suite,
    key_type: KeyType,
    document: &Map<String, Value>,
    proof_config: &Map<String, Value>,
) -> Result<Vec<u8>, ProofError> {
    let config = transformed_config(suite, document, proof_config)?;
    let mut data = digest(key_type, &config);
    let document = transformed_document(suite, document, proof_config, None)?;
    data.extend_from_slice(&digest(key_type, &document));
    Ok(data)
}

/// The hash the suites use with `key_type` (SHA-384 for P-384, SHA-256 otherwise) of `bytes`.
fn digest(key_type: KeyType, bytes: &[u8]) -> Vec<u8> {
    match key_type {
        KeyType::P384 => Sha384::digest(bytes).to_vec(),
        _ => Sha256::digest(bytes).to_vec(),
    }
}

/// The transformed proof configuration and document: canonical N-Quads or JCS text.
pub fn transform(
    suite: Suite,
    document: &Map<String, Value>,
    proof_config: &Map<String, Value>,
) -> Result<(String, String), ProofError> {
    let config = transformed_config(suite, document, proof_config)?;
    let document = transformed_document(suite, document, proof_config, None)?;
    let text = |bytes: Vec<u8>| String::from_utf8(bytes).expect("canonical forms are UTF-8");
    Ok((text(config), text(document)))
}

/// The transformed proof configuration, as bytes: JCS text, or its canonical N-Quads read with
/// the document's `@context` (the only part of the document it depends on).
fn transformed_config(
    suite: Suite,
    document: &Map<String, Value>,
    proof_config: &Map<String, Value>,
) -> Result<Vec<u8>, ProofError> {
    if suite.uses_jcs() {
        return Ok(jcs::canonical_object(proof_config, &TopLevel::default()));
    }
    let mut config = proof_config.clone();
    match document.get("@context") {
        Some(context) => config.insert("@context".into(), context.clone()),
        None => return Err(LinkedDataError::MissingContext.into()),
    };
    Ok(linked_data::canonical_nquads(&config)?.into_bytes())
}

/// The transformed document (without its `proof`), as bytes.
fn transformed_document(
    suite: Suite,
    document: &Map<String, Value>,
    proof_config: &Map<String, Value>,
    canonical_document: Option<&str>,
) -> Result<Vec<u8>, ProofError> {
    if suite.uses_jcs() {
        let context = proof_config.get("@context");
        if let Some(context) = context {
            // eddsa-jcs-2022 §3.3.2: the proof's @context must start the document's, and the
            // document is hashed with the proof's.
            let proof_contexts = as_list(context);
            let document_contexts = document.get("@context").map(as_list).unwrap_or_default();
            if !document_contexts.starts_with(proof_contexts) {
                return Err(ProofError::ContextMismatch);
            }
        }
        let top = TopLevel { skip: Some("proof"), context };
        return Ok(match (context, document.contains_key("@context")) {
            // Only an empty proof @context can start a document that has none.
            (Some(context), false) => {
                let mut with_context = document.clone();
                with_context.insert("@context".into(), context.clone());
                jcs::canonical_object(&with_context, &top)
            }
            _ => jcs::canonical_object(document, &top),
        });
    }
    Ok(match (canonical_document, document.contains_key("proof")) {
        (Some(canonical), _) => canonical.as_bytes().to_vec(),
        (None, false) => linked_data::canonical_nquads(document)?.into_bytes(),
        (None, true) => {
            let mut unsecured = document.clone();
            unsecured.remove("proof");
            linked_data::canonical_nquads(&unsecured)?.into_bytes()
        }
    })
}

fn as_list(context: &Value) -> &[Value] {
    match context {
        Value::Array(items) => items,
        other => std::slice::from_ref(other),
    }
}

/// RFC 8785 JSON Canonicalization Scheme.
pub fn jcs(value: &Value) -> String {
    String::from_utf8(jcs::canonical(value)).expect("canonical JSON is UTF-8")
}

/// Signs `document` (which must not yet carry a proof from this key) and returns it with the
/// proof added; a document that already has proofs gets a proof set.
pub fn sign(
    document: &Map<String, Value>,
    suite: Suite,
    key: &SecretKey,
    options: &ProofOptions,
) -> Result<Map<String, Value>, ProofError> {
    Ok(attach_proof(document.clone(), create_proof(document, suite, key, options)?))
}

/// `document` with `proof` added (next to its existing proofs, as a proof set).
pub fn attach_proof(document: Map<String, Value>, proof: Map<String, Value>) -> Map<String, Value> {
    let proof = Value::Object(proof);
    let mut secured = document;
    let proofs = match secured.remove("proof") {
        None => proof,
        Some(Value::Array(mut proofs)) => {
            proofs.push(proof);
            Value::Array(proofs)
        }
        Some(other) => Value::Array(vec![other, proof]),
    };
    secured.insert("proof".into(), proofs);
    secured
}

/// The proof for `document` (Data Integrity "Create Proof"): its existing proofs, if any, are
/// left out of what is signed.
pub fn create_proof(
    document: &Map<String, Value>,
    suite: Suite,
    key: &SecretKey,
    options: &ProofOptions,
) -> Result<Map<String, Value>, ProofError> {
    create_proof_with(document, suite, key.key_type(), options, |data| Ok::<_, ProofError>(key.sign(data)))
}

/// [`create_proof`] with the signature made by `sign` from the bytes to sign, for keys held
/// elsewhere (a key-management service, a hardware module). `sign` must return a raw
/// signature of `key_type` (64 bytes for Ed25519 and P-256).
pub fn create_proof_with<E: From<ProofError>>(
    document: &Map<String, Value>,
    suite: Suite,
    key_type: KeyType,
    options: &ProofOptions,
    sign: impl FnOnce(&[u8]) -> Result<Vec<u8>, E>,
) -> Result<Map<String, Value>, E> {
    create_proof_with_fields(document, suite, key_type, options, &[], sign)
}

/// The proof of a presentation for a verifier: [`create_proof`] with `challenge` and
/// `domain` in the proof, when given, signed with them.
pub fn create_presentation_proof(
    document: &Map<String, Value>,
    suite: Suite,
    key: &SecretKey,
    options: &ProofOptions,
    challenge: Option<&str>,
    domain: Option<&str>,
) -> Result<Map<String, Value>, ProofError> {
    let fields: Vec<(&str, &str)> = [("challenge", challenge), ("domain", domain)]
        .into_iter()
        .filter_map(|(name, value)| Some((name, value?)))
        .collect();
    create_proof_with_fields(document, suite, key.key_type(), options, &fields, |data| {
        Ok::<_, ProofError>(key.sign(data))
    })
}

fn create_proof_with_fields<E: From<ProofError>>(
    document: &Map<String, Value>,
    suite: Suite,
    key_type: KeyType,
    options: &ProofOptions,
    fields: &[(&str, &str)],
    sign: impl FnOnce(&[u8]) -> Result<Vec<u8>, E>,
) -> Result<Map<String, Value>, E> {
    check_signer(suite, key_type)?;
    let proof = proof_config(suite, options, fields, document.get("@context"));
    let data = hash_data(suite, key_type, document, &proof)?;
    Ok(with_value(proof, &sign(&data)?))
}

/// Refuses to make a proof that `suite` does not make with a `key_type` key.
fn check_signer(suite: Suite, key_type: KeyType) -> Result<(), ProofError> {
    match !suite.accepts(key_type)
        || suite == Suite::Ed25519Signature2020
        || matches!(key_type, KeyType::P384 | KeyType::Rsa)
    {
        true => Err(ProofError::WrongKey { suite: suite.name(), key_type }),
        false => Ok(()),
    }
}

/// The proof configuration (a proof without its value) of a document whose `@context` is
/// `context`: eddsa-jcs-2022 repeats the context in the proof.
fn proof_config(
    suite: Suite,
    options: &ProofOptions,
    fields: &[(&str, &str)],
    context: Option<&Value>,
) -> Map<String, Value> {
    let mut proof = Map::new();
    proof.insert("type".into(), "DataIntegrityProof".into());
    proof.insert("cryptosuite".into(), suite.name().into());
    proof.insert("created".into(), options.created.clone().into());
    proof.insert("verificationMethod".into(), options.verification_method.clone().into());
    proof.insert("proofPurpose".into(), options.proof_purpose.clone().into());
    for (name, value) in fields {
        proof.insert((*name).into(), (*value).into());
    }
    if let (true, Some(context)) = (suite.uses_jcs(), context) {
        proof.insert("@context".into(), context.clone());
    }
    proof
}

/// `proof` with `signature` as its `proofValue` (multibase base58btc).
fn with_value(mut proof: Map<String, Value>, signature: &[u8]) -> Map<String, Value> {
    proof.insert("proofValue".into(), format!("z{}", bs58::encode(signature).into_string()).into());
    proof
}

/// The proofs one key makes with one suite and [`ProofOptions`] for many documents that share
/// their `@context`, such as a cohort's credentials: the proof configuration and the hash of
/// its transformed form, which depends on nothing else of a document, are made once.
#[derive(Debug, Clone)]
pub struct PreparedProof {
    suite: Suite,
    key_type: KeyType,
    options: ProofOptions,
    /// The `@context` of the documents the configuration was transformed for.
    context: Value,
    config: Map<String, Value>,
    config_hash: Vec<u8>,
}

impl PreparedProof {
    /// Proofs by a `key_type` key with `suite` and `options`, for documents whose `@context` is
    /// `context`.
    pub fn new(
        suite: Suite,
        key_type: KeyType,
        options: &ProofOptions,
        context: &Value,
    ) -> Result<PreparedProof, ProofError> {
        check_signer(suite, key_type)?;
        let config = proof_config(suite, options, &[], Some(context));
        let read_with = Map::from_iter([("@context".to_owned(), context.clone())]);
        let config_hash = digest(key_type, &transformed_config(suite, &read_with, &config)?);
        Ok(PreparedProof { suite, key_type, options: options.clone(), context: context.clone(), config, config_hash })
    }

    /// The proof of `document` that [`create_proof_with`] makes, signed by `sign`. A document
    /// with another `@context` is proved as that function does, from the start.
    pub fn create_with<E: From<ProofError>>(
        &self,
        document: &Map<String, Value>,
        sign: impl FnOnce(&[u8]) -> Result<Vec<u8>, E>,
    ) -> Result<Map<String, Value>, E> {
        if document.get("@context") != Some(&self.context) {
            return create_proof_with(document, self.suite, self.key_type, &self.options, sign);
        }
        let mut data = self.config_hash.clone();
        let transformed = transformed_document(self.suite, document, &self.config, None)?;
        data.extend_from_slice(&digest(self.key_type, &transformed));
        Ok(with_value(self.config.clone(), &sign(&data)?))
    }
}

/// Checks the signature of one `proof` of `document` with `key`. Which key may sign, and for
/// what purpose, is the caller's to check.
pub fn verify(document: &Map<String, Value>, proof: &Map<String, Value>, key: &PublicKey) -> Result<Suite, ProofError> {
    verify_with(document, proof, key, None)
}

/// [`verify`], reusing the canonical N-Quads of the document without its proofs when the
/// caller has them.
pub fn verify_with(
    document: &Map<String, Value>,
    proof: &Map<String, Value>,
    key: &PublicKey,
    canonical_document: Option<&str>,
) -> Result<Suite, ProofError> {
    let suite = Suite::of_proof(proof)?;
    if !suite.accepts(key.key_type()) {
        return Err(ProofError::WrongKey { suite: suite.name(), key_type: key.key_type() });
    }
    let proof_value =
        proof.get("proofValue").and_then(Value::as_str).ok_or(ProofError::Malformed("the proof has no proofValue"))?;
    let signature = proof_value
        .strip_prefix('z')
        .ok_or_else(|| ProofError::BadProofValue("it must be base58btc multibase (start with 'z')".into()))
        .and_then(|encoded| crate::multikey::decode_base58(encoded).map_err(ProofError::BadProofValue))?;
    let mut data = kept_config_hash(suite, key.key_type(), document, proof)?;
    // Only the proof's `@context` is read, which the configuration keeps.
    data.extend_from_slice(&digest(key.key_type(), &transformed_document(suite, document, proof, canonical_document)?));
    let verified = match key {
        PublicKey::Ed25519(key) => {
            let signature = ed25519_dalek::Signature::from_slice(&signature).map_err(|_| {
                ProofError::BadProofValue(format!("an Ed25519 signature is 64 bytes, not {}", signature.len()))
            })?;
            key.verify_strict(&data, &signature).is_ok()
        }
        PublicKey::P256(key) => {
            let signature = p256::ecdsa::Signature::from_slice(&signature).map_err(|_| {
                ProofError::BadProofValue(format!("a P-256 signature is 64 bytes, not {}", signature.len()))
            })?;
            p256::ecdsa::signature::Verifier::verify(key, &data, &signature).is_ok()
        }
        PublicKey::P384(key) => {
            let signature = p384::ecdsa::Signature::from_slice(&signature).map_err(|_| {
                ProofError::BadProofValue(format!("a P-384 signature is 96 bytes, not {}", signature.len()))
            })?;
            p384::ecdsa::signature::Verifier::verify(key, &data, &signature).is_ok()
        }
        PublicKey::Rsa(_) => return Err(ProofError::WrongKey { suite: suite.name(), key_type: KeyType::Rsa }),
    };
    match verified {
        true => Ok(suite),
        false => Err(ProofError::BadSignature),
    }
}

/// How many proof configurations' hashes each thread keeps for [`kept_config_hash`].
const KEPT_CONFIGS: usize = 8;

/// A proof configuration's hash, with everything it was computed from.
struct KeptConfig {
    suite: Suite,
    key_type: KeyType,
    /// The proof without its `proofValue`.
    config: Map<String, Value>,
    /// The document's `@context`, which an RDFC configuration is read with; `None` for JCS,
    /// whose configuration carries its own.
    context: Option<Value>,
    hash: Vec<u8>,
}

thread_local! {
    /// The configurations this thread hashed last, the newest first.
    static KEPT: std::cell::RefCell<std::collections::VecDeque<KeptConfig>> = const {
        std::cell::RefCell::new(std::collections::VecDeque::new())
    };
}

/// The hash of the transformed configuration of `proof` (without its `proofValue`), for
/// verifying it. Credentials signed alike (a cohort's: one key, one `created`, one `@context`)
/// share it, and a verifier meets them one after another, so each thread keeps the last few,
/// each found only by everything it was computed from.
fn kept_config_hash(
    suite: Suite,
    key_type: KeyType,
    document: &Map<String, Value>,
    proof: &Map<String, Value>,
) -> Result<Vec<u8>, ProofError> {
    let context = if suite.uses_jcs() { None } else { document.get("@context") };
    let same_config = |kept: &Map<String, Value>| {
        kept.len() + usize::from(proof.contains_key("proofValue")) == proof.len()
            && kept.iter().all(|(name, value)| proof.get(name) == Some(value))
    };
    let found = KEPT.with_borrow_mut(|kept| {
        let at = kept.iter().position(|entry| {
            entry.suite == suite
                && entry.key_type == key_type
                && entry.context.as_ref() == context
                && same_config(&entry.config)
        })?;
        let entry = kept.remove(at).expect("found");
        let hash = entry.hash.clone();
        kept.push_front(entry);
        Some(hash)
    });
    if let Some(hash) = found {
        return Ok(hash);
    }
    let mut config = proof.clone();
    config.remove("proofValue");
    let hash = digest(key_type, &transformed_config(suite, document, &config)?);
    // A credential may carry a megabyte of @context or proof: only what is as small as real
    // ones are is kept, so that a thread never holds more than a little.
    let mut budget = KEPT_CONFIG_BYTES;
    if entries_fit(&config, &mut budget) && context.is_none_or(|context| fits(context, &mut budget)) {
        KEPT.with_borrow_mut(|kept| {
            kept.truncate(KEPT_CONFIGS - 1);
            kept.push_front(KeptConfig { suite, key_type, config, context: context.cloned(), hash: hash.clone() });
        });
    }
    Ok(hash)
}

/// The most bytes of text a kept configuration and its `@context` may hold together.
const KEPT_CONFIG_BYTES: usize = 16 * 1024;

/// Whether `value` holds at most `budget` bytes of text (names and strings, and a few bytes for
/// each other value), taking what it holds from `budget`.
fn fits(value: &Value, budget: &mut usize) -> bool {
    match value {
        Value::String(text) => take(budget, text.len()),
        Value::Array(items) => take(budget, 8) && items.iter().all(|item| fits(item, budget)),
        Value::Object(entries) => take(budget, 8) && entries_fit(entries, budget),
        _ => take(budget, 8),
    }
}

/// [`fits`] for the entries of an object.
fn entries_fit(entries: &Map<String, Value>, budget: &mut usize) -> bool {
    entries.iter().all(|(name, value)| take(budget, name.len()) && fits(value, budget))
}

/// Takes `bytes` from `budget`; `false` when it holds fewer.
fn take(budget: &mut usize, bytes: usize) -> bool {
    match budget.checked_sub(bytes) {
        Some(left) => {
            *budget = left;
            true
        }
        None => false,
    }
}

//! Issuer keys: made by microcred, sealed at rest with a key-encryption key that lives outside
//! the database, rotated on request, never printed or logged. The DID document of a `did:web`
//! institution lists its current and past keys, so what an old key signed still verifies.

use std::fmt;

use base64::Engine as _;
use chacha20poly1305::{
    ChaCha20Poly1305, KeyInit, Nonce,
    aead::{Aead, Payload},
};
use mc_core::{Institution, InstitutionId, Timestamp};
use mc_store::{IssuerKeyRecord, StoreTx};
use mc_vc::multikey::{KeyType, SecretKey};
use serde_json::{Value, json};

use crate::{App, AppError};

/// Where issuer secret keys live and sign. [`KeyVault`] keeps them sealed in the database; a
/// key-management service or a hardware module can take its place: microcred only ever asks
/// for a new key and for signatures.
pub trait KeyStore: Send + Sync + fmt::Debug {
    /// Makes a new Ed25519 key with the id `key_id` for `institution`; returns its public key
    /// (`publicKeyMultibase`) and the bytes to store with it (a sealed secret, or a handle).
    fn generate(&self, institution: &str, key_id: &str) -> Result<(String, Vec<u8>), AppError>;
    /// Signs `data` with the key `record` describes; the signature is raw (64 bytes).
    fn sign(&self, record: &IssuerKeyRecord, data: &[u8]) -> Result<Vec<u8>, AppError>;
    /// Keeps an institution's electronic seal key (PKCS#8 DER) whose certificate is
    /// `certificate` (DER); returns the bytes to store (a sealed secret, or a handle).
    fn keep_seal_key(&self, institution: &str, certificate: &[u8], pkcs8: &[u8]) -> Result<Vec<u8>, AppError>;
    /// The PKCS#8 DER of a seal key kept by [`KeyStore::keep_seal_key`].
    fn open_seal_key(&self, institution: &str, certificate: &[u8], stored: &[u8]) -> Result<Vec<u8>, AppError>;
}

/// Seals issuer secret keys with ChaCha20-Poly1305 under the key-encryption key, and keeps the
/// ones it has opened in memory (never on disk) while the process runs.
pub struct KeyVault {
    cipher: ChaCha20Poly1305,
    opened: std::sync::Mutex<std::collections::HashMap<String, std::sync::Arc<SecretKey>>>,
}

impl KeyStore for KeyVault {
    fn generate(&self, institution: &str, key_id: &str) -> Result<(String, Vec<u8>), AppError> {
        let key =
            SecretKey::from_seed(KeyType::Ed25519, random_bytes()?).map_err(|err| AppError::Keys(err.to_string()))?;
        let record = IssuerKeyRecord {
            id: key_id.to_owned(),
            institution_id: institution.to_owned(),
            key_type: KeyType::Ed25519.to_string(),
            public_key: key.public_key().to_multibase(),
            sealed_secret: Vec::new(),
            created_at: String::new(),
            retired_at: None,
        };
        let sealed = self.seal(&record, key.to_multibase().as_bytes())?;
        Ok((record.public_key, sealed))
    }

    fn sign(&self, record: &IssuerKeyRecord, data: &[u8]) -> Result<Vec<u8>, AppError> {
        // The key is taken out of the cache before it signs, so that every core signs at once.
        let key = {
            let mut opened = self.opened.lock().expect("the key cache is never poisoned");
            match opened.get(&record.id) {
                Some(key) => std::sync::Arc::clone(key),
                None => {
                    if opened.len() >= 1_000 {
                        opened.clear();
                    }
                    let key = std::sync::Arc::new(self.open(record)?);
                    opened.insert(record.id.clone(), std::sync::Arc::clone(&key));
                    key
                }
            }
        };
        Ok(key.sign(data))
    }

    fn keep_seal_key(&self, institution: &str, certificate: &[u8], pkcs8: &[u8]) -> Result<Vec<u8>, AppError> {
        self.seal_bytes(&KeyVault::seal_key_data(institution, certificate), pkcs8)
    }

    fn open_seal_key(&self, institution: &str, certificate: &[u8], stored: &[u8]) -> Result<Vec<u8>, AppError> {
        self.open_bytes(&KeyVault::seal_key_data(institution, certificate), stored).ok_or_else(|| {
            AppError::Keys(format!(
                "the seal key of {institution} cannot be opened: wrong key-encryption key, or the stored key or its \
                 certificate was changed"
            ))
        })
    }
}

impl fmt::Debug for KeyVault {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("KeyVault(..)")
    }
}

impl KeyVault {
    /// A vault with this 32-byte key-encryption key.
    pub fn new(kek: &[u8; 32]) -> KeyVault {
        KeyVault { cipher: ChaCha20Poly1305::new(kek.into()), opened: Default::default() }
    }

    /// A vault whose key is written as base64 (standard or URL-safe, padded or not).
    pub fn from_base64(text: &str) -> Result<KeyVault, String> {
        let text = text.trim().trim_end_matches('=');
        let bytes = base64::engine::general_purpose::STANDARD_NO_PAD
            .decode(text)
            .or_else(|_| base64::engine::general_purpose::URL_SAFE_NO_PAD.decode(text))
            .map_err(|_| "the key-encryption key is not base64".to_owned())?;
        let kek: [u8; 32] = bytes.try_into().map_err(|_| "the key-encryption key must be 32 bytes".to_owned())?;
        Ok(KeyVault::new(&kek))
    }

    /// What binds a sealed key to its record: a key sealed for one institution or id cannot be
    /// moved to another.
    fn associated_data(record: &IssuerKeyRecord) -> Vec<u8> {
        format!("microcred issuer key v1\0{}\0{}\0{}", record.institution_id, record.id, record.public_key).into_bytes()
    }

    /// What binds a sealed seal key to its institution and certificate.
    fn seal_key_data(institution: &str, certificate: &[u8]) -> Vec<u8> {
        use sha2::Digest as _;
        let mut data = format!("microcred seal key v1\0{institution}\0").into_bytes();
        data.extend_from_slice(&sha2::Sha256::digest(certificate));
        data
    }

    fn seal(&self, record: &IssuerKeyRecord, secret: &[u8]) -> Result<Vec<u8>, AppError> {
        self.seal_bytes(&KeyVault::associated_data(record), secret)
    }

    /// Seals `secret` bound to `aad`: a random nonce, then the ciphertext.
    fn seal_bytes(&self, aad: &[u8], secret: &[u8]) -> Result<Vec<u8>, AppError> {
        let mut nonce = [0u8; 12];
        getrandom::fill(&mut nonce).map_err(|err| AppError::Keys(format!("cannot draw a nonce: {err}")))?;
        let sealed = self
            .cipher
            .encrypt(&Nonce::from(nonce), Payload { msg: secret, aad })
            .map_err(|_| AppError::Keys("cannot seal the key".into()))?;
        Ok([nonce.as_slice(), &sealed].concat())
    }

    /// Opens what [`KeyVault::seal_bytes`] sealed with the same `aad`.
    fn open_bytes(&self, aad: &[u8], sealed: &[u8]) -> Option<Vec<u8>> {
        let (nonce, sealed) = sealed.split_at_checked(12)?;
        let nonce: [u8; 12] = nonce.try_into().ok()?;
        self.cipher.decrypt(&Nonce::from(nonce), Payload { msg: sealed, aad }).ok()
    }

    fn open(&self, record: &IssuerKeyRecord) -> Result<SecretKey, AppError> {
        let damaged = || {
            AppError::Keys(format!(
                "the key {} of {} cannot be opened: wrong key-encryption key, or the stored key was changed",
                record.id, record.institution_id
            ))
        };
        let secret = self.open_bytes(&KeyVault::associated_data(record), &record.sealed_secret).ok_or_else(damaged)?;
        let secret = String::from_utf8(secret).map_err(|_| damaged())?;
        let key = SecretKey::from_multibase(&secret).map_err(|_| damaged())?;
        match key.public_key().to_multibase() == record.public_key {
            true => Ok(key),
            false => Err(damaged()),
        }
    }
}

/// Draws `N` bytes from the operating system.
pub(crate) fn random_bytes<const N: usize>() -> Result<[u8; N], AppError> {
    let mut bytes = [0u8; N];
    random_fill(&mut bytes)?;
    Ok(bytes)
}

/// Fills `bytes` from the operating system, in one call.
pub(crate) fn random_fill(bytes: &mut [u8]) -> Result<(), AppError> {
    getrandom::fill(bytes).map_err(|err| AppError::Keys(format!("cannot draw random bytes: {err}")))
}

/// Who an institution issues as, with a given key.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IssuerIdentity {
    /// The issuer id written in credentials: the institution's `did:web`, or the `did:key` of
    /// its key when it has none.
    pub issuer_id: String,
    /// The verification method URL of the key.
    pub verification_method: String,
}

/// The identity an institution signs with when `key` is its key.
pub fn identity(institution: &Institution, key: &IssuerKeyRecord) -> IssuerIdentity {
    match institution.did() {
        Some(did) if did.method() == "web" => {
            IssuerIdentity { issuer_id: did.to_string(), verification_method: format!("{did}#{}", key.id) }
        }
        _ => IssuerIdentity {
            issuer_id: format!("did:key:{}", key.public_key),
            verification_method: format!("did:key:{0}#{0}", key.public_key),
        },
    }
}

/// The `did:web` documents last made, with the keys fingerprint they were made at.
pub(crate) type DidCache = Option<([u64; 4], Vec<Value>)>;

impl App {
    pub(crate) fn key_store(&self) -> Result<&dyn KeyStore, AppError> {
        self.keys.as_deref().ok_or_else(|| {
            AppError::Keys(
                "no key-encryption key: set MICROCRED_KEK, or run `microcred init` to create one in the data directory"
                    .into(),
            )
        })
    }

    /// Makes a new key for an institution, sealed, in `tx`; the caller retires the old one.
    pub(crate) async fn new_issuer_key(
        &self,
        tx: &mut StoreTx,
        institution: &InstitutionId,
        now: Timestamp,
    ) -> Result<IssuerKeyRecord, AppError> {
        let id = format!("key-{}", self.new_id().simple());
        let (public_key, sealed_secret) = self.key_store()?.generate(institution.as_str(), &id)?;
        let record = IssuerKeyRecord {
            id,
            institution_id: institution.to_string(),
            key_type: KeyType::Ed25519.to_string(),
            public_key,
            sealed_secret,
            created_at: now.to_rfc3339(),
            retired_at: None,
        };
        tx.db().insert_issuer_key(&record).await?;
        let details = serde_json::json!({"key": record.id, "public_key": record.public_key});
        tx.audit(&record.created_at, "key.create", institution.as_str(), &details.to_string()).await?;
        tracing::info!(institution.id = %institution, key.id = %record.id, "issuer key created");
        Ok(record)
    }

    /// Makes sure the institution has a current key, making one in a transaction of its own. Two
    /// issuers racing to make the first key is fine: the loser finds the winner's.
    pub(crate) async fn ensure_issuer_key(&self, institution: &InstitutionId, now: Timestamp) -> Result<(), AppError> {
        let has_current = |keys: &[IssuerKeyRecord]| keys.iter().any(|key| key.retired_at.is_none());
        if has_current(&self.store().db().await?.issuer_keys(institution.as_str()).await?) {
            return Ok(());
        }
        let mut tx = self.store().begin().await?;
        if has_current(&tx.db().issuer_keys(institution.as_str()).await?) {
            return Ok(());
        }
        match self.new_issuer_key(&mut tx, institution, now).await {
            Ok(_) => Ok(tx.commit().await?),
            Err(AppError::Store(mc_store::StoreError::Conflict { .. })) => Ok(()),
            Err(err) => Err(err),
        }
    }

    /// The institution's current key. Keys are made before anything is signed
    /// ([`App::ensure_issuer_key`]), in a transaction of their own, so a signing transaction
    /// (which may be extending the audit chain) never makes one.
    pub(crate) async fn current_key(
        &self,
        tx: &mut StoreTx,
        institution: &InstitutionId,
    ) -> Result<IssuerKeyRecord, AppError> {
        let current = tx.db().issuer_keys(institution.as_str()).await?.into_iter().find(|key| key.retired_at.is_none());
        current.ok_or_else(|| AppError::Keys(format!("institution {institution} has no issuing key")))
    }

    /// The DID document of an institution that issues as `did:web`: every key it has had, all
    /// of them assertion methods.
    pub async fn did_document(&self, raw_institution: &str) -> Result<Value, AppError> {
        let institution = self.institution(raw_institution).await?;
        let Some(did) = institution.did().filter(|did| did.method() == "web") else {
            return Err(AppError::Conflict(format!(
                "institution {} has no did:web; it issues as the did:key of its key, which needs no document",
                institution.id()
            )));
        };
        let keys = self.store().db().await?.issuer_keys(institution.id().as_str()).await?;
        let methods: Vec<Value> = keys
            .iter()
            .map(|key| {
                json!({
                    "id": format!("{did}#{}", key.id),
                    "type": "Multikey",
                    "controller": did.as_str(),
                    "publicKeyMultibase": key.public_key,
                })
            })
            .collect();
        let ids: Vec<Value> = keys.iter().map(|key| Value::String(format!("{did}#{}", key.id))).collect();
        Ok(json!({
            "@context": ["https://www.w3.org/ns/did/v1", "https://w3id.org/security/multikey/v1"],
            "id": did.as_str(),
            "verificationMethod": methods,
            "assertionMethod": ids,
        }))
    }

    /// The DID documents of every institution that issues as `did:web` and has keys.
    pub async fn did_documents(&self) -> Result<Vec<Value>, AppError> {
        let fingerprint = self.store().db().await?.keys_fingerprint().await?;
        self.did_documents_at(fingerprint).await
    }

    /// The DID documents, kept until the keys fingerprint (see
    /// [`mc_store::Store::keys_fingerprint`]) changes.
    pub(crate) async fn did_documents_at(&self, fingerprint: [u64; 4]) -> Result<Vec<Value>, AppError> {
        if let Some((cached, documents)) = &*self.did_cache.lock().expect("the DID cache is never poisoned")
            && *cached == fingerprint
        {
            return Ok(documents.clone());
        }
        let documents = self.load_did_documents().await?;
        *self.did_cache.lock().expect("the DID cache is never poisoned") = Some((fingerprint, documents.clone()));
        Ok(documents)
    }

    async fn load_did_documents(&self) -> Result<Vec<Value>, AppError> {
        let mut documents = Vec::new();
        for institution in self.institutions().await? {
            if institution.did().is_some_and(|did| did.method() == "web")
                && !self.store().db().await?.issuer_keys(institution.id().as_str()).await?.is_empty()
            {
                documents.push(self.did_document(institution.id().as_str()).await?);
            }
        }
        Ok(documents)
    }
}

impl crate::Operator<'_> {
    /// Retires an institution's current key and makes a new one; what the old key signed
    /// still verifies, as the DID document keeps listing it.
    pub async fn rotate_issuer_key(&self, raw_institution: &str, now: Timestamp) -> Result<IssuerKeyRecord, AppError> {
        let institution = self.institution(raw_institution).await?;
        self.key_store()?;
        let mut tx = self.store().begin().await?;
        tx.db().retire_current_key(institution.id().as_str(), &now.to_rfc3339()).await?;
        tx.audit(&now.to_rfc3339(), "key.retire", institution.id().as_str(), "{}").await?;
        let record = self.new_issuer_key(&mut tx, institution.id(), now).await?;
        tx.commit().await?;
        Ok(record)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn record() -> IssuerKeyRecord {
        IssuerKeyRecord {
            id: "key-1".into(),
            institution_id: "uca".into(),
            key_type: "Ed25519".into(),
            public_key: String::new(),
            sealed_secret: Vec::new(),
            created_at: "2025-01-01T00:00:00Z".into(),
            retired_at: None,
        }
    }

    #[test]
    fn sealed_keys_open_only_with_their_vault_and_record() {
        let key = SecretKey::from_seed(KeyType::Ed25519, [3; 32]).unwrap();
        let vault = KeyVault::new(&[1; 32]);
        let mut record = IssuerKeyRecord { public_key: key.public_key().to_multibase(), ..record() };
        record.sealed_secret = vault.seal(&record, key.to_multibase().as_bytes()).unwrap();
        assert!(!record.sealed_secret.windows(8).any(|w| key.to_multibase().as_bytes().windows(8).any(|k| k == w)));
        assert_eq!(vault.open(&record).unwrap().public_key(), key.public_key());

        assert!(KeyVault::new(&[2; 32]).open(&record).is_err(), "another key-encryption key");
        let moved = IssuerKeyRecord { institution_id: "other".into(), ..record.clone() };
        assert!(vault.open(&moved).is_err(), "a sealed key moved to another institution");
        let mut tampered = record;
        *tampered.sealed_secret.last_mut().unwrap() ^= 1;
        assert!(vault.open(&tampered).is_err(), "a changed sealed key");
        assert_eq!(format!("{vault:?}"), "KeyVault(..)");
    }

    #[test]
    fn key_encryption_keys_are_read_from_base64() {
        let text = base64::engine::general_purpose::STANDARD.encode([7u8; 32]);
        assert!(KeyVault::from_base64(&text).is_ok());
        assert!(KeyVault::from_base64("c2hvcnQ").is_err());
        assert!(KeyVault::from_base64("not base64!").is_err());
    }

    #[test]
    fn the_public_key_is_checked_when_a_key_is_opened() {
        let vault = KeyVault::new(&[1; 32]);
        let key = SecretKey::from_seed(KeyType::Ed25519, [3; 32]).unwrap();
        let other = SecretKey::from_seed(KeyType::Ed25519, [4; 32]).unwrap();
        let mut record = IssuerKeyRecord { public_key: other.public_key().to_multibase(), ..record() };
        record.sealed_secret = vault.seal(&record, key.to_multibase().as_bytes()).unwrap();
        assert!(vault.open(&record).is_err());
    }
}

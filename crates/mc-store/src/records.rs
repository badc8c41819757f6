//! Records of the issuing side, stored as they are: issuer keys, status lists, issued
//! credentials. The use cases give them meaning; the store only keeps them.

/// An issuer's signing key. The secret half is sealed (encrypted and authenticated) by the
/// caller before it reaches the store; the store never sees it in the clear.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IssuerKeyRecord {
    /// The key's id, unique across institutions (used in verification method URLs).
    pub id: String,
    /// The institution it signs for.
    pub institution_id: String,
    /// `Ed25519` or `P-256`.
    pub key_type: String,
    /// The public key, `publicKeyMultibase`.
    pub public_key: String,
    /// The sealed secret key.
    pub sealed_secret: Vec<u8>,
    /// When it was made (RFC 3339).
    pub created_at: String,
    /// When it stopped being the current key; `None` while it is.
    pub retired_at: Option<String>,
}

/// A Bitstring Status List of an institution, for one purpose.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StatusListRecord {
    /// The list's id (the last segment of its URL).
    pub id: String,
    /// The institution whose credentials it covers.
    pub institution_id: String,
    /// `revocation` or `suspension`.
    pub purpose: String,
    /// How many entries it has.
    pub size: u64,
    /// How many of them are taken.
    pub used: u64,
    /// When it was made (RFC 3339).
    pub created_at: String,
}

/// An issued credential.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CredentialRecord {
    /// The credential's id (a UUID; the credential's `id` is `urn:uuid:` and this).
    pub id: String,
    /// The issuing institution.
    pub institution_id: String,
    /// The specification it awards.
    pub spec_id: String,
    /// The learner it was awarded to.
    pub learner_id: String,
    /// The cohort run that issued it (empty for single issues); with the specification and
    /// the learner, what makes an issue happen once.
    pub cohort_key: String,
    /// The key an API caller gave to make a request idempotent.
    pub idempotency_key: Option<String>,
    /// When it was issued (RFC 3339).
    pub issued_at: String,
    /// `active`, `suspended` or `revoked`.
    pub state: String,
    /// Why it was revoked.
    pub revocation_reason: Option<String>,
    /// The signed credential, JSON.
    pub document: String,
}

/// A status entry: a credential's index in a list.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StatusEntryRecord {
    /// The list.
    pub list_id: String,
    /// The index in the list.
    pub index: u64,
    /// The credential.
    pub credential_id: String,
    /// The list's purpose.
    pub purpose: String,
}

//! Verification of a credential: one result with a verdict and every check, each passed,
//! failed, skipped or a warning, with a message a person understands.
//!
//! "Could not check" is kept apart from "checked and wrong": a key that cannot be resolved makes
//! the verdict `indeterminate`, never `valid` or `invalid`.
//!
//! This module is the pipeline: it reads the credential (JSON-LD with embedded proofs, a VC-JWT,
//! a European Digital Credential sealed with JAdES, in `sealed`, or an SD-JWT VC, in `sd_jwt`) and runs the checks in turn, each kept in its own module: `structure` (format),
//! `proofs` (signatures and the key's binding to the issuer), `validity`, `status` and `trust`;
//! `report` collects their outcomes into a [`Verification`].

mod describe;
mod presentation;
mod proofs;
mod report;
mod sd_jwt;
mod sealed;
mod status;
mod structure;
mod trust;
mod validity;

use mc_core::Timestamp;
use serde::Serialize;
use serde_json::{Map, Value};

pub use self::{
    describe::{CredentialKind, Description, describe, issued_to_email},
    presentation::{
        Expected, MAX_PRESENTED, PresentationCheck, PresentationVerification, is_presentation, verify_presentation,
    },
    report::NOT_REACHED,
    status::check_status_list,
    structure::{MAX_PROOFS, MAX_STATUS_ENTRIES},
    trust::{PinnedSeal, TrustList, TrustListEntry, TrustedIssuer, TrustedIssuers},
};
use self::{
    proofs::{check_jws, check_proofs, signs_canonical_form},
    report::Report,
    status::check_status,
    structure::{check_linked_data, check_structure, is_v1, issuer_id},
    trust::check_trust,
    validity::check_validity,
};
use crate::{
    did::KeyResolver,
    jwt::{self, Jws},
    schema,
    status::StatusResolver,
};

/// The largest credential accepted, in bytes.
pub const MAX_CREDENTIAL_BYTES: usize = 1024 * 1024;

/// What the verifier is given besides the credential.
#[derive(Clone, Copy)]
pub struct VerifyParams<'a> {
    /// The time to check validity against.
    pub now: Timestamp,
    /// Resolves verification methods that are not `did:key`.
    pub resolver: &'a dyn KeyResolver,
    /// Issuers the verifier trusts, by issuer id; `None` when no list was given.
    pub trusted_issuers: Option<&'a TrustedIssuers>,
    /// Finds the status lists credentials point to.
    pub status: &'a dyn StatusResolver,
}

/// The overall answer.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Verdict {
    /// Every check that could be made passed.
    Valid,
    /// At least one check failed.
    Invalid,
    /// Nothing failed, but something that decides validity could not be checked.
    Indeterminate,
}

/// What one check found.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum CheckStatus {
    /// Checked and fine.
    Passed,
    /// Checked and wrong.
    Failed,
    /// Not checked; the message says why.
    Skipped,
    /// Fine, with something the reader should know.
    Warning,
}

/// The checks, in the order they are reported.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum CheckId {
    /// The document is a well-formed credential and well-formed JSON-LD from known contexts.
    Format,
    /// The document matches its format's JSON schema (Open Badges 3.0).
    Schema,
    /// The proof's signature holds.
    Proof,
    /// The signing key belongs to the issuer.
    Issuer,
    /// The credential was presented by the holder of the key it is bound to (an SD-JWT VC's
    /// key-binding JWT). Reported only for credentials bound to a key.
    Holder,
    /// Now is within the credential's validity period.
    Validity,
    /// The credential is not revoked or suspended.
    Status,
    /// The issuer is in the verifier's trusted-issuer list.
    Trust,
}

/// One check and its outcome.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Check {
    /// Which check.
    pub id: CheckId,
    /// What it found.
    pub status: CheckStatus,
    /// What it means, in plain words.
    pub message: String,
}

/// The result of verifying one credential.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Verification {
    /// The overall answer.
    pub verdict: Verdict,
    /// The credential's `id`, when it has one.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub credential: Option<String>,
    /// The issuer's id, when it could be read.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub issuer: Option<String>,
    /// Every check, in a fixed order.
    pub checks: Vec<Check>,
    /// Who sealed it, for a sealed credential whose seal could be read.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub seal: Option<SealSummary>,
}

/// Who sealed a sealed credential, as its sealing certificate says (whether the seal holds is
/// the proof check's to say).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct SealSummary {
    /// The sealing certificate's subject, as people name it.
    pub sealed_by: String,
    /// Who issued the sealing certificate.
    pub certified_by: String,
    /// The organisation identifier the certificate carries.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub organization_identifier: Option<String>,
    /// When the seal says it was made (`sigT`).
    pub signing_time: String,
    /// Whether the certificate calls itself a test seal: never a real electronic seal.
    pub test_seal: bool,
}

impl Verification {
    /// The check with this id.
    pub fn check(&self, id: CheckId) -> Option<&Check> {
        self.checks.iter().find(|check| check.id == id)
    }
}

/// Verifies a credential given as text: a JSON-LD document with embedded proofs.
pub fn verify_text(text: &str, params: &VerifyParams<'_>) -> Verification {
    let mut report = Report { checks: Vec::new(), indeterminate: false };
    if text.len() > MAX_CREDENTIAL_BYTES {
        report.add(
            CheckId::Format,
            CheckStatus::Failed,
            format!("the credential is {} bytes; at most {MAX_CREDENTIAL_BYTES} are accepted", text.len()),
        );
        return report.finish(None, None);
    }
    let trimmed = text.trim();
    if crate::sd_jwt::looks_like_sd_jwt(trimmed) {
        return sd_jwt::verify_sd_jwt(trimmed, params);
    }
    if jwt::looks_like_jwt(trimmed) {
        return verify_jwt(trimmed, params);
    }
    match crate::strict_json::from_str(text) {
        Ok(document) => match document.get("credential") {
            // The EDC issuer's upload form wraps a credential: `{"credential": …}`.
            Some(inner @ Value::Object(_)) if document.as_object().is_some_and(|document| document.len() == 1) => {
                verify_object(inner, params)
            }
            _ => verify_object(&document, params),
        },
        Err(err) => {
            report.add(CheckId::Format, CheckStatus::Failed, format!("not JSON: {err}"));
            report.finish(None, None)
        }
    }
}

/// Verifies a credential read as JSON: sealed with JAdES, an unsealed European Digital
/// Credential, or a JSON-LD credential with embedded proofs.
fn verify_object(document: &Value, params: &VerifyParams<'_>) -> Verification {
    match document {
        Value::Object(object) if crate::jades::looks_sealed(object) => sealed::verify_sealed(object, params),
        Value::Object(object) if sealed::is_edc(object) && !object.contains_key("proof") => {
            sealed::verify_unsealed(object)
        }
        document => verify_document(document, params),
    }
}

/// Verifies a parsed JSON-LD credential with embedded proofs.
pub fn verify_document(document: &Value, params: &VerifyParams<'_>) -> Verification {
    match document {
        Value::Object(object) => {
            verify_secured(Secured { document: object, as_value: Some(document), jws: None }, params)
        }
        _ => {
            let mut report = Report { checks: Vec::new(), indeterminate: false };
            report.add(CheckId::Format, CheckStatus::Failed, "a credential is a JSON object");
            report.finish(None, None)
        }
    }
}

/// What a credential is secured by and how it came.
pub(super) struct Secured<'a> {
    pub(super) document: &'a Map<String, Value>,
    /// The same document as a JSON value, when the caller has one (the schema check reads one).
    pub(super) as_value: Option<&'a Value>,
    /// The JWS that secures it; `None` when its proofs are embedded.
    pub(super) jws: Option<&'a Jws>,
}

/// Verifies a VC-JWT: the JWS, the claims that repeat the credential, and the credential.
fn verify_jwt(text: &str, params: &VerifyParams<'_>) -> Verification {
    let mut report = Report { checks: Vec::new(), indeterminate: false };
    let parsed = Jws::parse(text).and_then(|jws| {
        let credential = jws.credential()?.clone();
        check_jwt_claims(&jws, &credential)?;
        Ok((jws, credential))
    });
    match parsed {
        Ok((jws, credential)) => {
            let credential = Value::Object(credential);
            let document = credential.as_object().expect("made an object");
            verify_secured(Secured { document, as_value: Some(&credential), jws: Some(&jws) }, params)
        }
        Err(message) => {
            report.add(CheckId::Format, CheckStatus::Failed, message);
            report.finish(None, None)
        }
    }
}

/// The registered claims of a VC-JWT must say what the credential says (Open Badges 3.0
/// §8.2.4): `iss` the issuer, `jti` the id, `sub` the subject, `nbf` and `exp` the validity.
fn check_jwt_claims(jws: &Jws, credential: &Map<String, Value>) -> Result<(), String> {
    let claim = |name: &str| jws.claims.get(name);
    if let Some(iss) = claim("iss").and_then(Value::as_str)
        && issuer_id(credential).as_deref() != Some(iss)
    {
        return Err(format!("the JWT's iss {iss} is not the credential's issuer"));
    }
    if let (Some(jti), Some(id)) = (claim("jti").and_then(Value::as_str), credential.get("id").and_then(Value::as_str))
        && jti != id
    {
        return Err(format!("the JWT's jti {jti} is not the credential's id {id}"));
    }
    let subject = credential.get("credentialSubject").and_then(|subject| subject.get("id")).and_then(Value::as_str);
    if let (Some(sub), Some(subject)) = (claim("sub").and_then(Value::as_str), subject)
        && sub != subject
    {
        return Err(format!("the JWT's sub {sub} is not the credential subject {subject}"));
    }
    for (name, key, fallback) in [("nbf", "validFrom", "issuanceDate"), ("exp", "validUntil", "expirationDate")] {
        let Some(seconds) = claim(name).and_then(Value::as_i64) else { continue };
        let date = credential.get(key).or_else(|| credential.get(fallback)).and_then(Value::as_str);
        if let Some(date) = date.and_then(|date| Timestamp::parse_lenient(date).ok())
            && date.unix_seconds() != seconds
        {
            return Err(format!("the JWT's {name} ({seconds}) is not the credential's {key} ({date})"));
        }
    }
    Ok(())
}

/// Verifies a credential secured by its embedded proofs (`jws` is `None`) or by a JWS.
pub(super) fn verify_secured(secured: Secured<'_>, params: &VerifyParams<'_>) -> Verification {
    let Secured { document, as_value, jws } = secured;
    let mut report = Report { checks: Vec::new(), indeterminate: false };
    let credential_id = document.get("id").and_then(Value::as_str).map(str::to_owned);
    let issuer = issuer_id(document);

    if let Err(message) = check_structure(document, issuer.as_deref()) {
        report.add(CheckId::Format, CheckStatus::Failed, message);
        return report.finish(credential_id, issuer);
    }
    let issuer = issuer.expect("the structure check requires an issuer");

    // The schema goes before the JSON-LD: a node of the wrong type leaves its terms undefined,
    // and the schema says so more plainly.
    if is_v1(document) {
        report.add(CheckId::Schema, CheckStatus::Skipped, "no JSON schema is checked for VC 1.1 credentials");
    } else {
        match schema::check(document, as_value) {
            Ok(Some(name)) => {
                report.add(CheckId::Schema, CheckStatus::Passed, format!("matches the {name} JSON schema"))
            }
            Ok(None) => {
                report.add(CheckId::Schema, CheckStatus::Skipped, "no JSON schema applies to this kind of credential")
            }
            Err(message) => report.add(CheckId::Schema, CheckStatus::Failed, message),
        }
    }
    let schema_failed =
        report.checks.iter().any(|check| check.id == CheckId::Schema && check.status == CheckStatus::Failed);

    let canonical_document = match check_linked_data(document, jws.is_none() && signs_canonical_form(document)) {
        Ok(canonical) => {
            report.add(
                CheckId::Format,
                CheckStatus::Passed,
                "a well-formed credential, every term defined by known contexts",
            );
            canonical
        }
        // A node of the wrong type leaves its terms undefined: the schema failure says it.
        Err(_) if schema_failed => {
            report.add(CheckId::Format, CheckStatus::Passed, "a well-formed credential");
            check_validity(document, jws.map(|jws| &jws.claims), params.now, &mut report);
            return report.finish(credential_id, Some(issuer));
        }
        Err(message) => {
            report.add(CheckId::Format, CheckStatus::Failed, message);
            return report.finish(credential_id, Some(issuer));
        }
    };

    match jws {
        None => check_proofs(document, canonical_document.as_deref(), &issuer, params, &mut report),
        Some(jws) => check_jws(jws, &issuer, params, &mut report),
    }
    // Without a signature that holds, nothing the credential says can be relied on: its dates,
    // status and issuer's trust are not reached.
    if report
        .checks
        .iter()
        .any(|check| matches!(check.id, CheckId::Proof | CheckId::Issuer) && check.status == CheckStatus::Failed)
    {
        return report.finish(credential_id, Some(issuer));
    }
    check_validity(document, jws.map(|jws| &jws.claims), params.now, &mut report);

    check_status(document, &issuer, params, &mut report);

    check_trust(document, &issuer, params, &mut report);
    report.finish(credential_id, Some(issuer))
}

impl Verification {
    /// The result for a credential that could not be read at all.
    pub fn unreadable(message: impl Into<String>) -> Verification {
        let mut report = Report { checks: Vec::new(), indeterminate: false };
        report.undecided(CheckId::Format, message);
        report.finish(None, None)
    }
}

//! Verification of a credential: one result with a verdict and every check, each passed,
//! failed, skipped or a warning, with a message a person understands.
//!
//! "Could not check" is kept apart from "checked and wrong": a key that cannot be resolved makes
//! the verdict `indeterminate`, never `valid` or `invalid`.

use mc_core::Timestamp;
use serde::Serialize;
use serde_json::{Map, Value};

use crate::{
    contexts,
    did::{self, KeyResolver, ResolveError, VerificationMethod},
    jwt::{self, Jws},
    linked_data::{self, LinkedDataError},
    multikey::PublicKey,
    proof::{self, ProofError, Suite},
    schema,
    status::{Bitstring, CheckedList, NoStatusLists, StatusPurpose, StatusResolver},
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

/// A trusted-issuer list: issuer ids (DIDs or URLs), each with a name to show and, for an
/// issuer that left the list, when it left: credentials it issued after then are not trusted.
#[derive(Debug, Clone, Default)]
pub struct TrustedIssuers {
    entries: Vec<TrustedIssuer>,
}

/// One issuer id of a trusted-issuer list.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TrustedIssuer {
    /// The id credentials name as their issuer.
    pub id: String,
    /// The name to show.
    pub name: String,
    /// When the issuer left the list, if it did.
    pub until: Option<Timestamp>,
}

impl TrustedIssuers {
    /// A list of `(issuer id, name)` pairs, none of which has left.
    pub fn new(entries: Vec<(String, String)>) -> TrustedIssuers {
        TrustedIssuers::with_entries(
            entries.into_iter().map(|(id, name)| TrustedIssuer { id, name, until: None }).collect(),
        )
    }

    /// A list of entries.
    pub fn with_entries(entries: Vec<TrustedIssuer>) -> TrustedIssuers {
        TrustedIssuers { entries }
    }

    /// The name of a trusted issuer.
    pub fn name_of(&self, issuer: &str) -> Option<&str> {
        self.entry(issuer).map(|entry| entry.name.as_str())
    }

    /// The entry of an issuer id.
    pub fn entry(&self, issuer: &str) -> Option<&TrustedIssuer> {
        self.entries.iter().find(|entry| entry.id == issuer)
    }

    /// How many issuer ids the list holds.
    pub fn len(&self) -> usize {
        self.entries.len()
    }

    /// Whether the list is empty.
    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }
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
}

impl Verification {
    /// The check with this id.
    pub fn check(&self, id: CheckId) -> Option<&Check> {
        self.checks.iter().find(|check| check.id == id)
    }
}

/// Collects checks and works out the verdict.
struct Report {
    checks: Vec<Check>,
    indeterminate: bool,
}

impl Report {
    fn add(&mut self, id: CheckId, status: CheckStatus, message: impl Into<String>) {
        self.checks.push(Check { id, status, message: message.into() });
    }

    /// A check that could not be made although validity depends on it.
    fn undecided(&mut self, id: CheckId, message: impl Into<String>) {
        self.indeterminate = true;
        self.add(id, CheckStatus::Skipped, message);
    }

    fn finish(mut self, credential: Option<String>, issuer: Option<String>) -> Verification {
        for id in [
            CheckId::Format,
            CheckId::Schema,
            CheckId::Proof,
            CheckId::Issuer,
            CheckId::Validity,
            CheckId::Status,
            CheckId::Trust,
        ] {
            if !self.checks.iter().any(|check| check.id == id) {
                self.add(id, CheckStatus::Skipped, "not checked: an earlier check failed");
            }
        }
        self.checks.sort_by_key(|check| check.id as u8);
        let verdict = match (self.checks.iter().any(|check| check.status == CheckStatus::Failed), self.indeterminate) {
            (true, _) => Verdict::Invalid,
            (false, true) => Verdict::Indeterminate,
            (false, false) => Verdict::Valid,
        };
        Verification { verdict, credential, issuer, checks: self.checks }
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
    if jwt::looks_like_jwt(trimmed) {
        return verify_jwt(trimmed, params);
    }
    match serde_json::from_str::<Value>(text) {
        Ok(Value::Object(document)) => verify_document(&document, params),
        Ok(_) => {
            report.add(CheckId::Format, CheckStatus::Failed, "a credential is a JSON object");
            report.finish(None, None)
        }
        Err(err) => {
            report.add(CheckId::Format, CheckStatus::Failed, format!("not JSON: {err}"));
            report.finish(None, None)
        }
    }
}

/// Verifies a parsed JSON-LD credential with embedded proofs.
pub fn verify_document(document: &Map<String, Value>, params: &VerifyParams<'_>) -> Verification {
    verify_secured(document, None, params)
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
        Ok((jws, credential)) => verify_secured(&credential, Some(&jws), params),
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
fn verify_secured(document: &Map<String, Value>, jws: Option<&Jws>, params: &VerifyParams<'_>) -> Verification {
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
        match schema::check(document) {
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

    let canonical_document = match check_linked_data(document) {
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
            check_validity(document, params.now, &mut report);
            return report.finish(credential_id, Some(issuer));
        }
        Err(message) => {
            report.add(CheckId::Format, CheckStatus::Failed, message);
            return report.finish(credential_id, Some(issuer));
        }
    };

    match jws {
        None => check_proofs(document, &canonical_document, &issuer, params, &mut report),
        Some(jws) => check_jws(jws, &issuer, params, &mut report),
    }
    check_validity(document, params.now, &mut report);

    check_status(document, &issuer, params, &mut report);

    check_trust(document, &issuer, params, &mut report);
    report.finish(credential_id, Some(issuer))
}

/// Whether the issuer was on the trusted-issuer list when the credential was issued (its
/// `validFrom`, or `issuanceDate` in VC 1.1; now when it has neither).
fn check_trust(document: &Map<String, Value>, issuer: &str, params: &VerifyParams<'_>, report: &mut Report) {
    let Some(list) = params.trusted_issuers else {
        report.add(CheckId::Trust, CheckStatus::Skipped, "no trusted-issuer list was given");
        return;
    };
    let Some(entry) = list.entry(issuer) else {
        report.add(CheckId::Trust, CheckStatus::Failed, format!("{issuer} is not in the trusted-issuer list"));
        return;
    };
    let issued = ["validFrom", "issuanceDate"]
        .iter()
        .find_map(|key| document.get(*key).and_then(Value::as_str).and_then(|raw| Timestamp::parse(raw).ok()))
        .unwrap_or(params.now);
    let name = &entry.name;
    let (status, message) = match entry.until {
        Some(until) if issued > until => (
            CheckStatus::Failed,
            format!(
                "{issuer} ({name}) left the trusted-issuer list on {until}, and this credential was issued after that, on {issued}"
            ),
        ),
        Some(until) => (
            CheckStatus::Passed,
            format!(
                "{issuer} ({name}) was a trusted issuer when this credential was issued; it left the list on {until}"
            ),
        ),
        None => (CheckStatus::Passed, format!("{issuer} is a trusted issuer ({name})")),
    };
    report.add(CheckId::Trust, status, message);
}

/// The issuer's id: the `issuer` string, or its object's `id`.
fn issuer_id(document: &Map<String, Value>) -> Option<String> {
    match document.get("issuer")? {
        Value::String(id) => Some(id.clone()),
        Value::Object(issuer) => issuer.get("id").and_then(Value::as_str).map(str::to_owned),
        _ => None,
    }
}

fn types(value: Option<&Value>) -> Vec<&str> {
    match value {
        Some(Value::String(one)) => vec![one.as_str()],
        Some(Value::Array(many)) => many.iter().filter_map(Value::as_str).collect(),
        _ => Vec::new(),
    }
}

/// Whether the credential is a VC 1.1 one.
fn is_v1(document: &Map<String, Value>) -> bool {
    let first = match document.get("@context") {
        Some(Value::Array(items)) => items.first(),
        other => other,
    };
    first.and_then(Value::as_str) == Some(contexts::CREDENTIALS_V1)
}

/// Checks the shape of a credential: its contexts, type, issuer and subject.
fn check_structure(document: &Map<String, Value>, issuer: Option<&str>) -> Result<(), String> {
    let contexts = match document.get("@context") {
        Some(Value::Array(contexts)) => contexts.clone(),
        Some(Value::String(context)) => vec![Value::String(context.clone())],
        _ => return Err("the credential has no @context".into()),
    };
    match contexts.first().and_then(Value::as_str) {
        Some(contexts::CREDENTIALS_V2 | contexts::CREDENTIALS_V1) => {}
        _ => {
            return Err(format!(
                "the first @context must be {} (or {} for VC 1.1 credentials)",
                contexts::CREDENTIALS_V2,
                contexts::CREDENTIALS_V1
            ));
        }
    }
    if !types(document.get("type")).contains(&"VerifiableCredential") {
        return Err("the credential's type does not include VerifiableCredential".into());
    }
    match issuer {
        Some(id) if id.contains(':') => {}
        Some(id) => return Err(format!("the issuer id {id:?} is not a URL")),
        None => return Err("the credential has no issuer, or the issuer has no id".into()),
    }
    if !document.get("credentialSubject").is_some_and(|subject| subject.is_object() || subject.is_array()) {
        return Err("the credential has no credentialSubject".into());
    }
    Ok(())
}

/// Checks that every term of the credential is defined by its contexts, returning the
/// canonical form of the document without its proof.
fn check_linked_data(document: &Map<String, Value>) -> Result<String, String> {
    let mut unsecured = document.clone();
    unsecured.remove("proof");
    linked_data::canonical_nquads(&unsecured).map_err(|err| match err {
        LinkedDataError::UndefinedTerm(_) | LinkedDataError::InvalidIri(_) => {
            format!("{err}: refusing the credential rather than showing data that is not signed")
        }
        other => other.to_string(),
    })
}

/// The proofs of a document, as objects.
fn proofs(document: &Map<String, Value>) -> Result<Vec<&Map<String, Value>>, String> {
    match document.get("proof") {
        None | Some(Value::Null) => Err("the credential carries no proof".into()),
        Some(Value::Object(proof)) => Ok(vec![proof]),
        Some(Value::Array(proofs)) if !proofs.is_empty() => {
            proofs.iter().map(|proof| proof.as_object().ok_or_else(|| "a proof is not an object".to_owned())).collect()
        }
        Some(_) => Err("the credential's proof is not an object".into()),
    }
}

/// How one proof fared.
enum ProofOutcome {
    Verified { suite: Suite, method: Box<VerificationMethod>, key_in_url: bool },
    Failed(String),
    Unknown(String),
    Unresolved(String),
}

fn check_proofs(
    document: &Map<String, Value>,
    canonical_document: &str,
    issuer: &str,
    params: &VerifyParams<'_>,
    report: &mut Report,
) {
    let proofs = match proofs(document) {
        Ok(proofs) => proofs,
        Err(message) => {
            report.add(CheckId::Proof, CheckStatus::Failed, message);
            return;
        }
    };
    let outcomes: Vec<ProofOutcome> =
        proofs.iter().map(|proof| check_proof(document, proof, canonical_document, params)).collect();
    let failures: Vec<&str> = outcomes
        .iter()
        .filter_map(|outcome| match outcome {
            ProofOutcome::Failed(why) => Some(why.as_str()),
            _ => None,
        })
        .collect();
    let verified: Vec<(Suite, &VerificationMethod, bool)> = outcomes
        .iter()
        .filter_map(|outcome| match outcome {
            ProofOutcome::Verified { suite, method, key_in_url } => Some((*suite, &**method, *key_in_url)),
            _ => None,
        })
        .collect();
    let unknown: Vec<&str> = outcomes
        .iter()
        .filter_map(|outcome| match outcome {
            ProofOutcome::Unknown(why) => Some(why.as_str()),
            _ => None,
        })
        .collect();
    let unresolved: Vec<&str> = outcomes
        .iter()
        .filter_map(|outcome| match outcome {
            ProofOutcome::Unresolved(why) => Some(why.as_str()),
            _ => None,
        })
        .collect();

    if let Some(why) = failures.first() {
        report.add(CheckId::Proof, CheckStatus::Failed, *why);
        return;
    }
    if verified.is_empty() {
        match (unresolved.first(), unknown.first()) {
            (Some(why), _) => report.undecided(CheckId::Proof, format!("the signing key could not be resolved: {why}")),
            (None, Some(why)) => {
                report.add(CheckId::Proof, CheckStatus::Failed, format!("no proof microcred can check: {why}"))
            }
            (None, None) => report.add(CheckId::Proof, CheckStatus::Failed, "no proof verified"),
        }
        return;
    }
    let suites: Vec<&str> = verified.iter().map(|(suite, _, _)| suite.name()).collect();
    match (unknown.first(), unresolved.first()) {
        (None, None) => {
            report.add(CheckId::Proof, CheckStatus::Passed, format!("the signature holds ({})", suites.join(", ")))
        }
        (Some(why), _) | (None, Some(why)) => report.add(
            CheckId::Proof,
            CheckStatus::Warning,
            format!("the signature holds ({}); another proof was not checked: {why}", suites.join(", ")),
        ),
    }

    let methods: Vec<(&VerificationMethod, bool)> =
        verified.iter().map(|(_, method, key_in_url)| (*method, *key_in_url)).collect();
    check_binding(&methods, issuer, report);
}

/// Checks that every key that signed belongs to the issuer and may issue credentials.
fn check_binding(methods: &[(&VerificationMethod, bool)], issuer: &str, report: &mut Report) {
    for (method, key_in_url) in methods {
        if method.controller != issuer {
            report.add(
                CheckId::Issuer,
                CheckStatus::Failed,
                format!(
                    "the signing key {} is controlled by {}, not by the issuer {issuer}",
                    method.id, method.controller
                ),
            );
            return;
        }
        if !method.assertion_method {
            report.add(
                CheckId::Issuer,
                CheckStatus::Failed,
                format!("the issuer does not list {} as a key for issuing credentials (assertionMethod)", method.id),
            );
            return;
        }
        if *key_in_url {
            report.add(
                CheckId::Issuer,
                CheckStatus::Warning,
                format!(
                    "signed with the key named in the verification method URL {}; the issuer's profile was not fetched to confirm it lists this key",
                    method.id
                ),
            );
            return;
        }
    }
    report.add(CheckId::Issuer, CheckStatus::Passed, format!("signed with a key of the issuer {issuer}"));
}

/// Checks the JWS of a VC-JWT: which key signed, and the signature.
fn check_jws(jws: &Jws, issuer: &str, params: &VerifyParams<'_>, report: &mut Report) {
    let method = match (jws.header.get("kid").and_then(Value::as_str), jws.header.get("jwk")) {
        (_, Some(jwk)) => {
            // A key carried by the token proves nothing unless the issuer's identifier is that key.
            let key = match jwk.as_object().map(PublicKey::from_jwk) {
                Some(Ok(key)) => key,
                Some(Err(err)) => {
                    return report.add(CheckId::Proof, CheckStatus::Failed, format!("the JWT header's jwk: {err}"));
                }
                None => {
                    return report.add(CheckId::Proof, CheckStatus::Failed, "the JWT header's jwk is not an object");
                }
            };
            match did::resolve_did_key(issuer) {
                Ok(method) if method.public_key == key => Ok((method, false)),
                _ => {
                    return report.add(
                        CheckId::Proof,
                        CheckStatus::Failed,
                        format!("the key in the JWT header is not bound to the issuer {issuer}, so it proves nothing"),
                    );
                }
            }
        }
        (Some(kid), None) => {
            let url = if kid.starts_with('#') { format!("{issuer}{kid}") } else { kid.to_owned() };
            resolve(&url, params.resolver)
        }
        (None, None) if issuer.starts_with("did:key:") => did::resolve_did_key(issuer).map(|method| (method, false)),
        (None, None) => Err(ResolveError::Unavailable(format!(
            "the JWT names no key (kid) and the keys of {issuer} cannot be fetched offline"
        ))),
    };
    let (method, key_in_url) = match method {
        Ok(resolved) => resolved,
        Err(ResolveError::Invalid(why)) => return report.add(CheckId::Proof, CheckStatus::Failed, why),
        Err(ResolveError::Unavailable(why)) => {
            return report.undecided(CheckId::Proof, format!("the signing key could not be resolved: {why}"));
        }
    };
    match jws.verify(&method.public_key) {
        Ok(()) => {
            report.add(
                CheckId::Proof,
                CheckStatus::Passed,
                format!("the JWT signature holds ({})", jws.algorithm.name()),
            );
            check_binding(&[(&method, key_in_url)], issuer, report);
        }
        Err(why) => report.add(CheckId::Proof, CheckStatus::Failed, why),
    }
}

fn check_proof(
    document: &Map<String, Value>,
    proof: &Map<String, Value>,
    canonical_document: &str,
    params: &VerifyParams<'_>,
) -> ProofOutcome {
    let suite = match Suite::of_proof(proof) {
        Ok(suite) => suite,
        Err(err) => return ProofOutcome::Unknown(err.to_string()),
    };
    match proof.get("proofPurpose").and_then(Value::as_str) {
        Some("assertionMethod") => {}
        Some(other) => {
            return ProofOutcome::Failed(format!(
                "the proof's purpose is {other:?}; a credential needs assertionMethod"
            ));
        }
        None => return ProofOutcome::Failed("the proof has no proofPurpose".into()),
    }
    let Some(url) = proof.get("verificationMethod").and_then(Value::as_str) else {
        return ProofOutcome::Failed("the proof has no verificationMethod".into());
    };
    let (method, key_in_url) = match resolve(url, params.resolver) {
        Ok(resolved) => resolved,
        Err(ResolveError::Invalid(why)) => return ProofOutcome::Failed(why),
        Err(ResolveError::Unavailable(why)) => return ProofOutcome::Unresolved(why),
    };
    match proof::verify_with(document, proof, &method.public_key, Some(canonical_document)) {
        Ok(suite) => ProofOutcome::Verified { suite, method: Box::new(method), key_in_url },
        Err(ProofError::UnknownSuite(name)) => {
            ProofOutcome::Unknown(format!("unknown proof type or cryptosuite {name:?}"))
        }
        Err(err) => ProofOutcome::Failed(format!("{}: {err}", suite.name())),
    }
}

/// Resolves a verification method: `did:key` locally, anything else through the resolver.
/// When the resolver cannot reach a controller document and the URL's fragment is itself a
/// Multikey (the Open Badges convention `https://issuer.example/profile#z6Mk…`), that key is used
/// with the URL's base as its controller, and the caller is told so.
fn resolve(url: &str, resolver: &dyn KeyResolver) -> Result<(VerificationMethod, bool), ResolveError> {
    let scheme = url.split_once(':').map(|(scheme, _)| scheme);
    match scheme {
        _ if url.starts_with("did:key:") => return did::resolve_did_key(url).map(|method| (method, false)),
        Some("did") if !url.starts_with("did:web:") => {
            let method = url.split(':').nth(1).unwrap_or_default();
            return Err(ResolveError::Invalid(format!(
                "the verification method {url} uses the DID method {method:?}, which microcred does not resolve"
            )));
        }
        Some("did" | "https" | "http") => {}
        Some(other) => {
            return Err(ResolveError::Invalid(format!(
                "the verification method {url} has the unsupported scheme {other:?}"
            )));
        }
        None => return Err(ResolveError::Invalid(format!("the verification method {url:?} is not a URL"))),
    }
    match resolver.resolve(url) {
        Ok(method) => Ok((method, false)),
        Err(ResolveError::Unavailable(why)) => {
            let Some((controller, fragment)) = url.split_once('#') else { return Err(ResolveError::Unavailable(why)) };
            if !fragment.starts_with('z') || url.starts_with("did:") {
                return Err(ResolveError::Unavailable(why));
            }
            match PublicKey::from_multibase(fragment) {
                Err(err) => Err(ResolveError::Invalid(format!(
                    "the key in the verification method URL {url} is not usable: {err}"
                ))),
                Ok(public_key) => Ok((
                    VerificationMethod {
                        id: url.to_owned(),
                        controller: controller.to_owned(),
                        public_key,
                        assertion_method: true,
                    },
                    true,
                )),
            }
        }
        Err(err) => Err(err),
    }
}

/// Checks every status entry against its list (Bitstring Status List §3.2 "Validate
/// Algorithm"). A list that cannot be had, or cannot be trusted, leaves the status unknown,
/// which is never `valid`.
fn check_status(document: &Map<String, Value>, issuer: &str, params: &VerifyParams<'_>, report: &mut Report) {
    let entries: Vec<&Value> = match document.get("credentialStatus") {
        None => {
            return report.add(
                CheckId::Status,
                CheckStatus::Passed,
                "the credential has no status entry, so it cannot be revoked",
            );
        }
        Some(Value::Array(entries)) => entries.iter().collect(),
        Some(entry) => vec![entry],
    };
    let mut checked = 0;
    for entry in entries {
        match check_status_entry(entry, issuer, params) {
            Ok(None) => checked += 1,
            Ok(Some(purpose)) => {
                let said = match purpose {
                    StatusPurpose::Revocation => "the credential has been revoked",
                    StatusPurpose::Suspension => "the credential is suspended",
                };
                return report.add(CheckId::Status, CheckStatus::Failed, said);
            }
            Err(why) => return report.undecided(CheckId::Status, format!("the status is unknown: {why}")),
        }
    }
    report.add(
        CheckId::Status,
        CheckStatus::Passed,
        format!("neither revoked nor suspended ({checked} status lists checked)"),
    );
}

/// `Ok(Some(purpose))` when the entry's bit is set, `Ok(None)` when it is clear.
fn check_status_entry(entry: &Value, issuer: &str, params: &VerifyParams<'_>) -> Result<Option<StatusPurpose>, String> {
    let field = |name: &str| entry.get(name);
    let kind = field("type").and_then(Value::as_str).unwrap_or_default();
    if kind != "BitstringStatusListEntry" {
        return Err(format!("status entries of type {kind:?} are not supported"));
    }
    let purpose_name = field("statusPurpose").and_then(Value::as_str).unwrap_or_default();
    let purpose = StatusPurpose::parse(purpose_name)
        .ok_or_else(|| format!("the status purpose {purpose_name:?} is not supported"))?;
    // The specification writes the index as a string; some issuers write a number.
    let index = match field("statusListIndex") {
        Some(Value::String(index)) => index.parse::<u64>().ok(),
        Some(Value::Number(index)) => index.as_u64(),
        _ => None,
    }
    .ok_or("the statusListIndex is not a non-negative integer")?;
    let url = field("statusListCredential").and_then(Value::as_str).ok_or("the entry has no statusListCredential")?;
    let list = match params.status.checked_list(url) {
        Some(list) => list,
        None => {
            let list = params.status.status_list(url).map_err(|err| err.to_string())?;
            check_status_list(&list, url, params)?
        }
    };
    if list.issuer != issuer {
        return Err(format!("the status list {url} is not the credential issuer's"));
    }
    if !list.purposes.contains(&purpose) {
        return Err(format!("the status list {url} is not a {} list", purpose.as_str()));
    }
    match list.bits.get(index).map_err(|err| err.to_string())? {
        true => Ok(Some(purpose)),
        false => Ok(None),
    }
}

/// Verifies a status list credential found at `url` (its proof, its issuer's key, its validity)
/// and reads it.
pub fn check_status_list(
    list: &Map<String, Value>,
    url: &str,
    params: &VerifyParams<'_>,
) -> Result<CheckedList, String> {
    let list_params = VerifyParams { trusted_issuers: None, status: &NoStatusLists, ..*params };
    let verified = verify_document(list, &list_params);
    if verified.verdict != Verdict::Valid {
        let why =
            verified.checks.iter().find(|check| check.status != CheckStatus::Passed && check.id != CheckId::Trust);
        return Err(format!(
            "the status list {url} does not verify: {}",
            why.map_or("", |check| check.message.as_str())
        ));
    }
    let issuer = issuer_id(list).ok_or_else(|| format!("the status list {url} names no issuer"))?;
    let subject = list.get("credentialSubject").ok_or("the status list has no credentialSubject")?;
    let purposes = match subject.get("statusPurpose") {
        Some(Value::String(one)) => vec![one.as_str()],
        Some(Value::Array(many)) => many.iter().filter_map(Value::as_str).collect(),
        _ => Vec::new(),
    };
    let purposes = purposes.into_iter().filter_map(StatusPurpose::parse).collect();
    let encoded = subject.get("encodedList").and_then(Value::as_str).ok_or("the status list has no encodedList")?;
    let bits = Bitstring::decode(encoded).map_err(|err| err.to_string())?;
    Ok(CheckedList { issuer, purposes, bits: std::sync::Arc::new(bits) })
}

fn check_validity(document: &Map<String, Value>, now: Timestamp, report: &mut Report) {
    let (from_key, until_key) =
        if is_v1(document) { ("issuanceDate", "expirationDate") } else { ("validFrom", "validUntil") };
    let read = |key: &str| -> Result<Option<Timestamp>, String> {
        match document.get(key) {
            None => Ok(None),
            Some(Value::String(raw)) => Timestamp::parse(raw).map(Some).map_err(|err| format!("{key}: {err}")),
            Some(other) => Err(format!("{key} must be a date-time string, not {other}")),
        }
    };
    let (from, until) = match (read(from_key), read(until_key)) {
        (Ok(from), Ok(until)) => (from, until),
        (Err(why), _) | (_, Err(why)) => {
            report.add(CheckId::Validity, CheckStatus::Failed, why);
            return;
        }
    };
    if let (Some(from), Some(until)) = (from, until)
        && until < from
    {
        report.add(CheckId::Validity, CheckStatus::Failed, format!("{until_key} {until} is before {from_key} {from}"));
        return;
    }
    if let Some(from) = from
        && now < from
    {
        report.add(CheckId::Validity, CheckStatus::Failed, format!("not valid yet: valid from {from}"));
        return;
    }
    if let Some(until) = until
        && now > until
    {
        report.add(CheckId::Validity, CheckStatus::Failed, format!("expired on {until}"));
        return;
    }
    let message = match (from, until) {
        (Some(from), Some(until)) => format!("valid from {from} until {until}"),
        (Some(from), None) => format!("valid since {from}, with no end"),
        (None, Some(until)) => format!("valid until {until}"),
        (None, None) => "no validity period: valid indefinitely".to_owned(),
    };
    report.add(CheckId::Validity, CheckStatus::Passed, message);
}

impl TrustedIssuers {
    /// Reads a trusted-issuer list: `{"issuers": [{"id": "did:web:…", "name": "…"}, …]}`, or
    /// microcred's export, whose entries list their `dids` and may have left the list at
    /// `trusted_until`.
    pub fn from_json(text: &str) -> Result<TrustedIssuers, String> {
        let document: Value = serde_json::from_str(text).map_err(|err| format!("not JSON: {err}"))?;
        let issuers = document.get("issuers").and_then(Value::as_array).ok_or("expected {\"issuers\": [...]}")?;
        let mut entries = Vec::new();
        for (idx, issuer) in issuers.iter().enumerate() {
            let id = issuer.get("id").and_then(Value::as_str).ok_or(format!("issuers[{idx}] has no id"))?;
            let name = issuer.get("name").and_then(Value::as_str).unwrap_or(id);
            let until = match issuer.get("trusted_until") {
                None | Some(Value::Null) => None,
                Some(Value::String(raw)) => {
                    Some(Timestamp::parse(raw).map_err(|err| format!("issuers[{idx}].trusted_until: {err}"))?)
                }
                Some(other) => return Err(format!("issuers[{idx}].trusted_until must be a date-time, not {other}")),
            };
            let dids: Vec<&str> = match issuer.get("dids") {
                None => vec![id],
                Some(Value::Array(dids)) => dids
                    .iter()
                    .map(|did| did.as_str().ok_or(format!("issuers[{idx}].dids must list strings")))
                    .collect::<Result<_, _>>()?,
                Some(_) => return Err(format!("issuers[{idx}].dids must be a list")),
            };
            entries.extend(dids.into_iter().map(|did| TrustedIssuer {
                id: did.to_owned(),
                name: name.to_owned(),
                until,
            }));
        }
        Ok(TrustedIssuers::with_entries(entries))
    }
}

impl Verification {
    /// The result for a credential that could not be read at all.
    pub fn unreadable(message: impl Into<String>) -> Verification {
        let mut report = Report { checks: Vec::new(), indeterminate: false };
        report.undecided(CheckId::Format, message);
        report.finish(None, None)
    }
}

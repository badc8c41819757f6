//! The proof and issuer checks: Data Integrity proofs and the JWS of a VC-JWT, the resolution
//! of the keys that signed, and the binding of those keys to the issuer.

use serde_json::{Map, Value};

use super::{CheckId, CheckStatus, VerifyParams, report::Report};
use crate::{
    did::{self, KeyResolver, ResolveError, VerificationMethod},
    jwt::Jws,
    multikey::PublicKey,
    proof::{self, ProofError, Suite},
};

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
    Verified { suite: Suite, method: Box<VerificationMethod> },
    Failed(String),
    Unknown(String),
    Unresolved(String),
}

/// Whether one of the document's proofs signs its RDF canonical form rather than its JSON (a
/// proof of an unknown suite counts), so that the form is made once for every proof.
pub(super) fn signs_canonical_form(document: &Map<String, Value>) -> bool {
    proofs(document).is_ok_and(|proofs| {
        proofs.iter().any(|proof| !matches!(Suite::of_proof(proof), Ok(Suite::EddsaJcs2022 | Suite::EcdsaJcs2019)))
    })
}

pub(super) fn check_proofs(
    document: &Map<String, Value>,
    canonical_document: Option<&str>,
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
    let methods: Vec<&str> = proofs
        .iter()
        .filter_map(|proof| proof.get("verificationMethod")?.as_str())
        .filter(|url| !url.starts_with("did:key:"))
        .collect();
    params.resolver.prefetch_methods(&methods);
    let outcomes: Vec<ProofOutcome> =
        proofs.iter().map(|proof| check_proof(document, proof, canonical_document, params)).collect();
    let failures: Vec<&str> = outcomes
        .iter()
        .filter_map(|outcome| match outcome {
            ProofOutcome::Failed(why) => Some(why.as_str()),
            _ => None,
        })
        .collect();
    let verified: Vec<(Suite, &VerificationMethod)> = outcomes
        .iter()
        .filter_map(|outcome| match outcome {
            ProofOutcome::Verified { suite, method } => Some((*suite, &**method)),
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
            (Some(why), _) => key_unavailable(report, why),
            (None, Some(why)) => {
                report.add(CheckId::Proof, CheckStatus::Failed, format!("no proof microcred can check: {why}"))
            }
            (None, None) => report.add(CheckId::Proof, CheckStatus::Failed, "no proof verified"),
        }
        return;
    }
    let suites: Vec<&str> = verified.iter().map(|(suite, _)| suite.name()).collect();
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

    let methods: Vec<&VerificationMethod> = verified.iter().map(|(_, method)| *method).collect();
    check_binding(&methods, issuer, report);
}

/// The signing key could not be had from the issuer's own document (or a `did:key` that is
/// the issuer): neither the signature nor the key's owner is known, so both checks are
/// undecided, never passed.
fn key_unavailable(report: &mut Report, why: &str) {
    report.undecided(CheckId::Proof, format!("the signing key could not be resolved: {why}"));
    report
        .undecided(CheckId::Issuer, "the issuer's own document could not be read, so no key of its could be confirmed");
}

/// Checks that every key that signed belongs to the issuer and may issue credentials.
fn check_binding(methods: &[&VerificationMethod], issuer: &str, report: &mut Report) {
    for method in methods {
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
    }
    report.add(CheckId::Issuer, CheckStatus::Passed, format!("signed with a key of the issuer {issuer}"));
}

/// Checks the JWS of a VC-JWT: which key signed, and the signature.
pub(super) fn check_jws(jws: &Jws, issuer: &str, params: &VerifyParams<'_>, report: &mut Report) {
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
                Ok(method) if method.public_key == key => Ok(method),
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
        (None, None) if issuer.starts_with("did:key:") => did::resolve_did_key(issuer),
        (None, None) => Err(ResolveError::Unavailable(format!(
            "the JWT names no key (kid) and the keys of {issuer} cannot be fetched offline"
        ))),
    };
    let method = match method {
        Ok(resolved) => resolved,
        Err(ResolveError::Invalid(why)) => return report.add(CheckId::Proof, CheckStatus::Failed, why),
        Err(ResolveError::Unavailable(why)) => return key_unavailable(report, &why),
    };
    match jws.verify(&method.public_key) {
        Ok(()) => {
            report.add(
                CheckId::Proof,
                CheckStatus::Passed,
                format!("the JWT signature holds ({})", jws.algorithm.name()),
            );
            check_binding(&[&method], issuer, report);
        }
        Err(why) => report.add(CheckId::Proof, CheckStatus::Failed, why),
    }
}

fn check_proof(
    document: &Map<String, Value>,
    proof: &Map<String, Value>,
    canonical_document: Option<&str>,
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
    let method = match resolve(url, params.resolver) {
        Ok(resolved) => resolved,
        Err(ResolveError::Invalid(why)) => return ProofOutcome::Failed(why),
        Err(ResolveError::Unavailable(why)) => return ProofOutcome::Unresolved(why),
    };
    match proof::verify_with(document, proof, &method.public_key, canonical_document) {
        Ok(suite) => ProofOutcome::Verified { suite, method: Box::new(method) },
        Err(ProofError::UnknownSuite(name)) => {
            ProofOutcome::Unknown(format!("unknown proof type or cryptosuite {name:?}"))
        }
        Err(err) => ProofOutcome::Failed(format!("{}: {err}", suite.name())),
    }
}

/// Resolves a verification method: `did:key` locally, anything else through the resolver, from
/// the controller's own document. A key named in the URL (`https://issuer.example/profile#z6Mk…`)
/// is never taken on its word: anyone can write one, so a document that cannot be fetched leaves
/// the key unresolved.
pub(super) fn resolve(url: &str, resolver: &dyn KeyResolver) -> Result<VerificationMethod, ResolveError> {
    let scheme = url.split_once(':').map(|(scheme, _)| scheme);
    match scheme {
        _ if url.starts_with("did:key:") => return did::resolve_did_key(url),
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
    resolver.resolve(url)
}

//! The format check's structure: the credential's contexts, type, issuer and subject, and that
//! every term is defined by known contexts; with the small readers the other checks share.

use serde_json::{Map, Value};

use crate::{
    contexts,
    linked_data::{self, LinkedDataError},
};

/// The issuer's id: the `issuer` string, or its object's `id`.
pub(super) fn issuer_id(document: &Map<String, Value>) -> Option<String> {
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
pub(super) fn is_v1(document: &Map<String, Value>) -> bool {
    let first = match document.get("@context") {
        Some(Value::Array(items)) => items.first(),
        other => other,
    };
    first.and_then(Value::as_str) == Some(contexts::CREDENTIALS_V1)
}

/// Checks the shape of a credential: its contexts, type, issuer and subject.
pub(super) fn check_structure(document: &Map<String, Value>, issuer: Option<&str>) -> Result<(), String> {
    let first_context = match document.get("@context") {
        Some(Value::Array(contexts)) => contexts.first(),
        Some(context @ Value::String(_)) => Some(context),
        _ => return Err("the credential has no @context".into()),
    };
    match first_context.and_then(Value::as_str) {
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
    let count = |key: &str| match document.get(key) {
        Some(Value::Array(items)) => items.len(),
        Some(_) => 1,
        None => 0,
    };
    if count("proof") > MAX_PROOFS {
        return Err(format!(
            "the credential carries {} proofs; at most {MAX_PROOFS} are checked (real credentials carry one or two)",
            count("proof")
        ));
    }
    if count("credentialStatus") > MAX_STATUS_ENTRIES {
        return Err(format!(
            "the credential carries {} status entries; at most {MAX_STATUS_ENTRIES} are checked (real credentials \
             carry one per purpose: revocation, suspension)",
            count("credentialStatus")
        ));
    }
    Ok(())
}

/// The most proofs one credential may carry. A credential carries one proof, or a few in
/// different cryptosuites during a migration (EdDSA and ECDSA side by side); each proof may send
/// the verifier to fetch a key, so a credential with hundreds could hold a verifier for hours.
pub const MAX_PROOFS: usize = 4;

/// The most status entries one credential may carry. Each purpose (revocation, suspension, and
/// the rarer refresh and message) needs one entry; each entry may send the verifier to fetch a
/// status list.
pub const MAX_STATUS_ENTRIES: usize = 8;

/// Checks that every term of the credential (without its proof) is defined by its contexts;
/// returns the canonical form of the document without its proof when `canonical` asks for it (a
/// proof signs that form), `None` otherwise.
pub(super) fn check_linked_data(document: &Map<String, Value>, canonical: bool) -> Result<Option<String>, String> {
    let checked = match canonical {
        true => linked_data::canonical_nquads_without(document, &["proof"]).map(Some),
        false => linked_data::check_terms(document, &["proof"]).map(|()| None),
    };
    checked.map_err(|err| match err {
        LinkedDataError::UndefinedTerm(_) | LinkedDataError::InvalidIri(_) => {
            format!("{err}: refusing the credential rather than showing data that is not signed")
        }
        other => other.to_string(),
    })
}

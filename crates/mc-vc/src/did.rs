//! Decentralized identifiers and verification methods: `did:key` resolved locally, and the
//! [`KeyResolver`] interface through which everything else (did:web, controller documents) is
//! resolved by the caller's adapter.

use serde_json::Value;

use crate::multikey::PublicKey;

/// A verification method an issuer uses to sign, as found in its controller document.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VerificationMethod {
    /// The method's URL, such as `did:key:z6Mk…#z6Mk…`.
    pub id: String,
    /// Who controls it: the DID or URL of the controller document.
    pub controller: String,
    /// The public key.
    pub public_key: PublicKey,
    /// Whether the controller lists it under `assertionMethod`, so it may sign credentials.
    pub assertion_method: bool,
}

/// Why a verification method could not be had.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ResolveError {
    /// The URL is malformed or names a method that does not exist.
    #[error("{0}")]
    Invalid(String),
    /// The controller document could not be had (network, timeout, not configured).
    #[error("{0}")]
    Unavailable(String),
}

/// Resolves verification method URLs that cannot be resolved from the URL alone. Adapters do
/// the I/O (did:web over HTTPS); tests plug in a local one.
pub trait KeyResolver: Send + Sync {
    /// The verification method at `url`.
    fn resolve(&self, url: &str) -> Result<VerificationMethod, ResolveError>;

    /// Told every verification method a credential names before they are resolved one by one,
    /// so that a resolver that fetches can fetch them at the same time. Does nothing by default.
    fn prefetch_methods(&self, _urls: &[&str]) {}
}

/// A resolver that knows nothing: only `did:key` (handled before any resolver) works.
#[derive(Debug, Clone, Copy, Default)]
pub struct NoResolver;

impl KeyResolver for NoResolver {
    fn resolve(&self, url: &str) -> Result<VerificationMethod, ResolveError> {
        Err(ResolveError::Unavailable(format!("{url} cannot be resolved offline")))
    }
}

/// Resolves a `did:key` DID or DID URL (did:key v0.7 "Document Creation Algorithm").
pub fn resolve_did_key(url: &str) -> Result<VerificationMethod, ResolveError> {
    let (did, fragment) = match url.split_once('#') {
        Some((did, fragment)) => (did, Some(fragment)),
        None => (url, None),
    };
    let multibase =
        did.strip_prefix("did:key:").ok_or_else(|| ResolveError::Invalid(format!("{url} is not a did:key")))?;
    if let Some(fragment) = fragment
        && fragment != multibase
    {
        return Err(ResolveError::Invalid(format!("{url}: a did:key has only the method #{multibase}")));
    }
    let public_key = PublicKey::from_multibase(multibase)
        .map_err(|err| ResolveError::Invalid(format!("{did} does not hold a usable key: {err}")))?;
    Ok(VerificationMethod {
        id: format!("{did}#{multibase}"),
        controller: did.to_owned(),
        public_key,
        assertion_method: true,
    })
}

/// The DID document of a `did:key`, as the method specification builds it (Multikey form).
pub fn did_key_document(did: &str) -> Result<Value, ResolveError> {
    let method = resolve_did_key(did)?;
    Ok(serde_json::json!({
        "@context": ["https://www.w3.org/ns/did/v1", "https://w3id.org/security/multikey/v1"],
        "id": method.controller,
        "verificationMethod": [{
            "id": method.id,
            "type": "Multikey",
            "controller": method.controller,
            "publicKeyMultibase": method.public_key.to_multibase(),
        }],
        "authentication": [method.id],
        "assertionMethod": [method.id],
        "capabilityInvocation": [method.id],
        "capabilityDelegation": [method.id],
    }))
}

/// Finds `url` in a controller document (a DID document, or an issuer profile that lists its
/// keys), checking the rules of Controlled Identifiers 1.0 §3.3: the document is the one the URL
/// names, the method's id and controller match, and it is listed for `assertionMethod`.
pub fn method_from_document(url: &str, document: &Value) -> Result<VerificationMethod, ResolveError> {
    let controller_url = url.split_once('#').map_or(url, |(base, _)| base);
    let invalid = |why: String| ResolveError::Invalid(format!("{url}: {why}"));
    if document.get("id").and_then(Value::as_str) != Some(controller_url) {
        return Err(invalid(format!("the controller document is not the one for {controller_url}")));
    }
    let methods = document.get("verificationMethod").and_then(Value::as_array).into_iter().flatten();
    let assertion = document.get("assertionMethod").and_then(Value::as_array).into_iter().flatten();
    let embedded_assertion = assertion.clone().filter(|it| it.is_object());
    let method = methods
        .chain(embedded_assertion)
        .find(|method| method.get("id").and_then(Value::as_str) == Some(url))
        .ok_or_else(|| invalid("no such verification method in its controller document".into()))?;
    let controller = method.get("controller").and_then(Value::as_str).unwrap_or_default();
    if controller != controller_url {
        return Err(invalid(format!("the method's controller {controller:?} is not {controller_url}")));
    }
    let public_key = match (method.get("publicKeyMultibase").and_then(Value::as_str), method.get("publicKeyJwk")) {
        (Some(multibase), _) => PublicKey::from_multibase(multibase),
        (None, Some(Value::Object(jwk))) => PublicKey::from_jwk(jwk),
        _ => return Err(invalid("the method has neither publicKeyMultibase nor publicKeyJwk".into())),
    }
    .map_err(|err| invalid(err.to_string()))?;
    let assertion_method = assertion.clone().any(|entry| match entry {
        Value::String(id) => id == url,
        Value::Object(method) => method.get("id").and_then(Value::as_str) == Some(url),
        _ => false,
    });
    Ok(VerificationMethod { id: url.to_owned(), controller: controller.to_owned(), public_key, assertion_method })
}

/// Resolves from controller documents held in memory (an issuer's own DID documents), and
/// hands anything else to `fallback`.
pub struct DocumentResolver<'a> {
    documents: std::collections::HashMap<String, Value>,
    fallback: &'a dyn KeyResolver,
}

impl<'a> DocumentResolver<'a> {
    /// A resolver over `documents` (each with its `id`), falling back to `fallback`.
    pub fn new(documents: impl IntoIterator<Item = Value>, fallback: &'a dyn KeyResolver) -> DocumentResolver<'a> {
        let documents = documents
            .into_iter()
            .filter_map(|document| Some((document.get("id")?.as_str()?.to_owned(), document)))
            .collect();
        DocumentResolver { documents, fallback }
    }
}

impl DocumentResolver<'_> {
    fn document_of(&self, url: &str) -> Option<&Value> {
        self.documents.get(url.split_once('#').map_or(url, |(base, _)| base))
    }
}

impl KeyResolver for DocumentResolver<'_> {
    fn resolve(&self, url: &str) -> Result<VerificationMethod, ResolveError> {
        match self.document_of(url) {
            Some(document) => method_from_document(url, document),
            None => self.fallback.resolve(url),
        }
    }

    fn prefetch_methods(&self, urls: &[&str]) {
        let remote: Vec<&str> = urls.iter().copied().filter(|url| self.document_of(url).is_none()).collect();
        self.fallback.prefetch_methods(&remote);
    }
}

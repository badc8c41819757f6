//! Verifying credentials on behalf of an HTTP caller: what the verifier needs from this
//! microcred's own database (its institutions' DID documents, and the status lists its
//! credentials point to) is loaded first, so that verification itself runs without the store.

use mc_core::Timestamp;
use mc_vc::{
    did::{DocumentResolver, KeyResolver},
    status::{StatusLists, StatusResolver},
    verify::{Verification, VerifyParams, verify_text},
};
use serde_json::{Map, Value};

use crate::{App, AppError, adapters::HttpsKeyResolver};

/// What this microcred knows that a verification may need.
#[derive(Debug, Clone, Default)]
pub struct LocalMaterial {
    /// The DID documents of its `did:web` institutions.
    pub did_documents: Vec<Value>,
    /// Signed status list credentials.
    pub status_lists: Vec<Map<String, Value>>,
}

impl App {
    /// The DID documents of this microcred's institutions and the status lists `text` (a
    /// credential) points to that this microcred publishes, rebuilt and signed now.
    pub async fn verification_material(&self, text: &str, now: Timestamp) -> Result<LocalMaterial, AppError> {
        let did_documents = self.did_documents().await?;
        let mut status_lists = Vec::new();
        let prefix = format!("{}/status/", self.public_url());
        if let Ok(Value::Object(credential)) = serde_json::from_str::<Value>(text) {
            let entries: Vec<&Value> = match credential.get("credentialStatus") {
                Some(Value::Array(entries)) => entries.iter().collect(),
                Some(entry) => vec![entry],
                None => Vec::new(),
            };
            for entry in entries {
                let Some(id) =
                    entry.get("statusListCredential").and_then(Value::as_str).and_then(|url| url.strip_prefix(&prefix))
                else {
                    continue;
                };
                match self.status_list_credential(id, now).await {
                    Ok(list) => status_lists.push(list),
                    Err(AppError::NotFound { .. } | AppError::Keys(_)) => {}
                    Err(err) => return Err(err),
                }
            }
        }
        Ok(LocalMaterial { did_documents, status_lists })
    }
}

/// Status lists held here first, then fetched over HTTPS.
struct Fallback<'a> {
    lists: StatusLists,
    online: &'a HttpsKeyResolver,
}

impl StatusResolver for Fallback<'_> {
    fn status_list(&self, url: &str) -> Result<Map<String, Value>, mc_vc::did::ResolveError> {
        self.lists.status_list(url).or_else(|_| self.online.status_list(url))
    }
}

/// Verifies `text` with `material` and, for everything else, the network. It may block on the
/// network: call it where blocking is allowed.
pub fn verify_with_material(
    text: &str,
    material: LocalMaterial,
    now: Timestamp,
    online: &HttpsKeyResolver,
) -> Verification {
    let resolver = DocumentResolver::new(material.did_documents, online as &dyn KeyResolver);
    let status = Fallback { lists: StatusLists::new(material.status_lists), online };
    let params = VerifyParams { now, resolver: &resolver, trusted_issuers: None, status: &status };
    verify_text(text, &params)
}

//! Credentials: verification, open to anyone.

use std::sync::{Arc, OnceLock};

use axum::{Json, extract::State};
use mc_app::{App, Verifier, adapters::HttpsKeyResolver};
use mc_vc::verify::Verification;

use crate::ApiError;

/// One resolver for the whole server, so that fetched documents are cached across requests.
fn online() -> Arc<HttpsKeyResolver> {
    static ONLINE: OnceLock<Arc<HttpsKeyResolver>> = OnceLock::new();
    Arc::clone(ONLINE.get_or_init(|| Arc::new(HttpsKeyResolver::new())))
}

/// `POST /api/v1/credentials/verify`: the body is a credential (JSON-LD with embedded proofs,
/// or a VC-JWT); the answer is the verification result, whatever the verdict.
pub(crate) async fn verify_credential(State(app): State<App>, body: String) -> Result<Json<Verification>, ApiError> {
    let now = crate::now();
    let material = app.verification_material(&body, now).await?;
    let online = online();
    let result = tokio::task::spawn_blocking(move || Verifier::new(material, Some(&online), None, now).verify(&body))
        .await
        .map_err(|err| ApiError::internal(format!("the verification task failed: {err}")))?;
    Ok(Json(result))
}

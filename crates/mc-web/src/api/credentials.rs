//! Credentials: verification, open to anyone.

use std::{
    sync::{Arc, OnceLock},
    time::{SystemTime, UNIX_EPOCH},
};

use axum::{Json, extract::State};
use mc_app::{App, adapters::HttpsKeyResolver, verify_with_material};
use mc_core::Timestamp;
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
    let elapsed = SystemTime::now().duration_since(UNIX_EPOCH).unwrap_or_default();
    let now = Timestamp::from_unix(elapsed.as_secs() as i64, 0);
    let material = app.verification_material(&body, now).await?;
    let online = online();
    let result = tokio::task::spawn_blocking(move || verify_with_material(&body, material, now, &online))
        .await
        .map_err(|err| ApiError::internal(format!("the verification task failed: {err}")))?;
    Ok(Json(result))
}

//! Who is calling the API: an institution's token in `Authorization: Bearer`, and the
//! `Idempotency-Key` header's replay of earlier answers.

use axum::{
    Json,
    body::Bytes,
    extract::FromRequestParts,
    http::{HeaderMap, StatusCode, header, request::Parts},
    response::{IntoResponse, Response},
};
use mc_app::{App, Principal};
use mc_store::StoredResponse;
use serde_json::Value;

use crate::ApiError;

/// The principal of a request carrying a valid API token; 401 without one.
pub(crate) struct Caller(pub(crate) Principal);

impl FromRequestParts<App> for Caller {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, app: &App) -> Result<Caller, ApiError> {
        let value = parts.headers.get(header::AUTHORIZATION).ok_or_else(|| {
            ApiError::unauthenticated("this needs an API token: send it as `Authorization: Bearer <token>`")
        })?;
        let secret = value
            .to_str()
            .ok()
            .and_then(|value| value.strip_prefix("Bearer "))
            .map(str::trim)
            .filter(|secret| !secret.is_empty())
            .ok_or_else(|| ApiError::unauthenticated("the Authorization header must be `Bearer <token>`"))?;
        Ok(Caller(app.authenticate_token(secret).await?))
    }
}

/// The header that makes a request idempotent.
const IDEMPOTENCY_KEY: &str = "idempotency-key";

/// Runs `handle` once per idempotency key: a request with a key seen before gets the answer
/// given then when it asks the same (`route` and `body`), and a 422 when it asks something else.
/// Successful answers only are remembered, so a refused request may be corrected and sent again.
pub(crate) async fn idempotent<F>(
    app: &App,
    principal: &Principal,
    headers: &HeaderMap,
    route: &str,
    body: &Bytes,
    handle: F,
) -> Result<Response, ApiError>
where
    F: AsyncFnOnce(Option<&str>) -> Result<(StatusCode, Value), ApiError>,
{
    let Some(key) = headers.get(IDEMPOTENCY_KEY) else {
        let (status, answer) = handle(None).await?;
        return Ok((status, Json(answer)).into_response());
    };
    let key = key
        .to_str()
        .ok()
        .filter(|key| (1..=200).contains(&key.len()) && key.bytes().all(|byte| byte.is_ascii_graphic()))
        .ok_or_else(|| ApiError::invalid("Idempotency-Key", "must be 1 to 200 visible ASCII characters"))?;
    let request_hash = mc_app::secret_hash(&format!("{route}\n{}", String::from_utf8_lossy(body)));
    if let Some(stored) = app.remembered_response(principal, key).await? {
        return replay(stored, &request_hash, key);
    }
    let (status, answer) = handle(Some(key)).await?;
    let response =
        StoredResponse { request_hash: request_hash.clone(), status: status.as_u16(), body: answer.to_string() };
    match app.remember_response(principal, key, &response, crate::now()).await? {
        // A concurrent request with the same key was answered first.
        Some(first) => replay(first, &request_hash, key),
        None => Ok((status, Json(answer)).into_response()),
    }
}

fn replay(stored: StoredResponse, request_hash: &str, key: &str) -> Result<Response, ApiError> {
    if stored.request_hash != request_hash {
        return Err(ApiError::idempotency_mismatch(key));
    }
    let status = StatusCode::from_u16(stored.status).unwrap_or(StatusCode::OK);
    Ok((status, [(header::CONTENT_TYPE, "application/json")], stored.body).into_response())
}

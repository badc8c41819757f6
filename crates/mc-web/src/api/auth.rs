//! Who is calling the API: an institution's token in `Authorization: Bearer`, and the
//! `Idempotency-Key` header's replay of earlier answers.

use axum::{
    Json,
    body::Bytes,
    extract::{FromRequestParts, OptionalFromRequestParts},
    http::{HeaderMap, StatusCode, header, request::Parts},
    response::{IntoResponse, Response},
};
use mc_app::{App, IssuerAccess, Principal, StoredResponse};
use serde_json::Value;

use crate::{ApiError, ServerState};

/// The principal of a request carrying a valid API token; 401 without one.
pub(crate) struct Caller(pub(crate) Principal);

impl FromRequestParts<ServerState> for Caller {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &ServerState) -> Result<Caller, ApiError> {
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
        Ok(Caller(state.app.authenticate_token(secret).await?))
    }
}

/// A caller who may be anonymous: no `Authorization` header is `None`, a wrong one is 401.
impl OptionalFromRequestParts<ServerState> for Caller {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &ServerState) -> Result<Option<Caller>, ApiError> {
        match parts.headers.contains_key(header::AUTHORIZATION) {
            true => <Caller as FromRequestParts<ServerState>>::from_request_parts(parts, state).await.map(Some),
            false => Ok(None),
        }
    }
}

impl Caller {
    /// What the caller may do for its institution.
    pub(crate) fn member<'a>(&self, app: &'a App) -> Result<mc_app::InstitutionAccess<'a>, ApiError> {
        Ok(app.acting_as(&self.0)?)
    }

    /// What the caller may do as the network's administrator.
    pub(crate) fn network<'a>(&self, app: &'a App) -> Result<mc_app::NetworkAccess<'a>, ApiError> {
        Ok(app.network_admin(&self.0)?)
    }

    /// What the caller may do as an issuer of its institution.
    pub(crate) fn issuer<'a>(&self, app: &'a App) -> Result<IssuerAccess<'a>, ApiError> {
        Ok(app.acting_as(&self.0)?.issuer()?)
    }
}

/// The header that makes a request idempotent.
const IDEMPOTENCY_KEY: &str = "idempotency-key";

/// Runs `handle` once per idempotency key: a request with a key seen before gets the answer
/// given then when it asks the same (`route` and `body`), and a 422 when it asks something else.
/// Successful answers only are remembered, so a refused request may be corrected and sent again.
/// Only an issuer's handle reaches the remembered answers: a replay is checked for the caller's
/// role like a new request.
pub(crate) async fn idempotent<F>(
    issuer: &IssuerAccess<'_>,
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
    if let Some(stored) = issuer.remembered_response(key).await? {
        return replay(stored, &request_hash, key);
    }
    let (status, answer) = handle(Some(key)).await?;
    let response =
        StoredResponse { request_hash: request_hash.clone(), status: status.as_u16(), body: answer.to_string() };
    match issuer.remember_response(key, &response).await? {
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

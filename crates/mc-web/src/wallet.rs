//! OpenID4VCI over HTTP: the credential issuer's and authorization server's metadata at their
//! well-known addresses, the type metadata of the micro-credential `vct`, the token, nonce and
//! credential endpoints (OAuth errors as RFC 6749 §5.2 and OpenID4VCI §8.3.1.2 write them), the
//! Token Status Lists.

use axum::{
    Json,
    body::Bytes,
    extract::{Path, State},
    http::{HeaderMap, HeaderValue, StatusCode, header},
    response::{IntoResponse, Response},
};
use mc_app::{App, Authorization, TokenRequest, TokenSigner, WalletError, WalletErrorCode};
use serde_json::{Value, json};

use crate::ApiError;

/// An answer no cache may keep (tokens, nonces, credentials).
fn private(status: StatusCode, body: Value) -> Response {
    let mut response = (status, Json(body)).into_response();
    response.headers_mut().insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    response
}

/// The answer to a refused wallet request: the OAuth error, or this microcred's own error.
fn refused(err: WalletError, resource: bool) -> Response {
    let (code, description) = match err {
        WalletError::OAuth { code, description } => (code, description),
        WalletError::App(err) => return ApiError::from(err).into_response(),
    };
    let body = json!({"error": code.as_str(), "error_description": description});
    // What the credential endpoint (a `resource`) refuses for its access token is a challenge
    // (RFC 6750 §3, RFC 9449 §7.1); the rest is a bad request.
    let scheme = match code {
        WalletErrorCode::InvalidToken if resource => "Bearer",
        WalletErrorCode::InvalidDpopProof if resource => "DPoP",
        _ => return private(StatusCode::BAD_REQUEST, body),
    };
    let mut response = private(StatusCode::UNAUTHORIZED, body);
    let challenge = format!(
        "{scheme} error=\"{}\", error_description=\"{}\"",
        code.as_str(),
        description.replace(['"', '\\'], "'")
    );
    if let Ok(value) = HeaderValue::from_str(&challenge) {
        response.headers_mut().insert(header::WWW_AUTHENTICATE, value);
    }
    response
}

fn oauth(code: WalletErrorCode, description: &str) -> Response {
    refused(WalletError::OAuth { code, description: description.to_owned() }, code == WalletErrorCode::InvalidToken)
}

/// The `DPoP` header, when the request has one.
fn dpop_header(headers: &HeaderMap) -> Option<&str> {
    headers.get("dpop").and_then(|value| value.to_str().ok())
}

/// `GET /.well-known/openid-credential-issuer`.
pub(crate) async fn issuer_metadata(State(app): State<App>) -> Json<Value> {
    Json(app.credential_issuer_metadata())
}

/// `GET /.well-known/oauth-authorization-server`.
pub(crate) async fn authorization_server_metadata(State(app): State<App>) -> Json<Value> {
    Json(app.authorization_server_metadata())
}

/// `GET /vct/micro-credential`: the type metadata of a micro-credential's SD-JWT VC.
pub(crate) async fn type_metadata(State(app): State<App>) -> Json<Value> {
    Json(app.micro_credential_type_metadata())
}

/// `POST /oid4vci/token`: a form with the pre-authorized code and the transaction code.
pub(crate) async fn token(State(app): State<App>, headers: HeaderMap, body: Bytes) -> Response {
    let form_type = headers
        .get(header::CONTENT_TYPE)
        .and_then(|value| value.to_str().ok())
        .is_some_and(|value| value.starts_with("application/x-www-form-urlencoded"));
    if !form_type {
        return oauth(WalletErrorCode::InvalidRequest, "a token request is a form (application/x-www-form-urlencoded)");
    }
    let fields: Vec<(String, String)> = url::form_urlencoded::parse(&body).into_owned().collect();
    let mut seen = std::collections::HashSet::new();
    if let Some((name, _)) = fields.iter().find(|(name, _)| !seen.insert(name.as_str())) {
        return oauth(WalletErrorCode::InvalidRequest, &format!("the parameter {name} is given twice"));
    }
    let field = |name: &str| fields.iter().find(|(key, _)| key == name).map(|(_, value)| value.as_str());
    let request = TokenRequest {
        grant_type: field("grant_type"),
        pre_authorized_code: field("pre-authorized_code"),
        tx_code: field("tx_code"),
        dpop: dpop_header(&headers),
    };
    match app.wallet_token(&request, app.now()).await {
        Ok(token) => private(
            StatusCode::OK,
            json!({"access_token": token.access_token, "token_type": token.token_type, "expires_in": token.expires_in}),
        ),
        Err(err) => refused(err, false),
    }
}

/// `POST /oid4vci/nonce`: a fresh nonce for a key proof.
pub(crate) async fn nonce(State(app): State<App>) -> Response {
    match app.wallet_nonce(app.now()).await {
        Ok((nonce, seconds)) => private(StatusCode::OK, json!({"c_nonce": nonce, "c_nonce_expires_in": seconds})),
        Err(err) => ApiError::from(err).into_response(),
    }
}

/// `POST /oid4vci/credential`: the credential of the offer the bearer token was given for.
pub(crate) async fn credential(State(app): State<App>, headers: HeaderMap, body: Bytes) -> Response {
    let authorization = headers
        .get(header::AUTHORIZATION)
        .and_then(|value| value.to_str().ok())
        .and_then(|value| value.split_once(' '))
        .filter(|(scheme, _)| scheme.eq_ignore_ascii_case("bearer") || scheme.eq_ignore_ascii_case("dpop"))
        .map(|(scheme, token)| Authorization { scheme, token: token.trim(), dpop: dpop_header(&headers) });
    let request: Value = match serde_json::from_slice(&body) {
        Ok(request) => request,
        Err(_) if authorization.is_none() => {
            return oauth(WalletErrorCode::InvalidToken, "the request carries no access token");
        }
        Err(err) => {
            return oauth(WalletErrorCode::InvalidCredentialRequest, &format!("the request is not JSON: {err}"));
        }
    };
    match app.wallet_credential(authorization, &request, app.now()).await {
        Ok(response) => private(StatusCode::OK, response),
        Err(err) => refused(err, true),
    }
}

/// `GET /status/{id}/token`: the Token Status List of a revocation list, signed with the
/// institution's DID key.
pub(crate) async fn status_token(State(app): State<App>, Path(id): Path<String>) -> Result<Response, ApiError> {
    token_response(&app, &id, TokenSigner::Did).await
}

/// `GET /status/{id}/token/x5c`: the same list signed with the institution's seal (`x5c`), for
/// the SD-JWT VCs signed so.
pub(crate) async fn certified_status_token(
    State(app): State<App>,
    Path(id): Path<String>,
) -> Result<Response, ApiError> {
    token_response(&app, &id, TokenSigner::Seal).await
}

async fn token_response(app: &App, id: &str, signer: TokenSigner) -> Result<Response, ApiError> {
    let token = app.status_list_token(id, signer, app.now()).await?;
    let mut response = token.into_response();
    response.headers_mut().insert(header::CONTENT_TYPE, HeaderValue::from_static(mc_vc::token_status::MEDIA_TYPE));
    Ok(response)
}

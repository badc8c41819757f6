//! An institution's API tokens, managed by its admins.

use axum::{
    Json,
    body::Bytes,
    extract::{Path, State},
    http::StatusCode,
};
use mc_app::{ApiToken, App, Role};
use mc_core::{InstitutionId, Timestamp};
use serde::{Deserialize, Serialize};
use serde_json::Value;

use super::{auth::Caller, credentials::json_body};
use crate::ApiError;

/// A token as listed: never its secret, which is not kept.
#[derive(Serialize)]
struct TokenView<'a> {
    id: &'a str,
    institution: Option<&'a str>,
    role: &'static str,
    label: &'a str,
    created_at: String,
    revoked_at: Option<String>,
}

impl<'a> From<&'a ApiToken> for TokenView<'a> {
    fn from(token: &'a ApiToken) -> TokenView<'a> {
        TokenView {
            id: &token.id,
            institution: token.institution().map(InstitutionId::as_str),
            role: token.role_name(),
            label: &token.label,
            created_at: token.created_at.to_rfc3339(),
            revoked_at: token.revoked_at.map(Timestamp::to_rfc3339),
        }
    }
}

/// `GET /api/v1/tokens`.
pub(crate) async fn list_tokens(State(app): State<App>, caller: Caller) -> Result<Json<Value>, ApiError> {
    let tokens = caller.member(&app)?.admin()?.tokens().await?;
    let views: Vec<TokenView<'_>> = tokens.iter().map(TokenView::from).collect();
    Ok(Json(serde_json::json!({ "tokens": views })))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct NewTokenBody {
    role: String,
    #[serde(default)]
    label: Option<String>,
}

/// `POST /api/v1/tokens`: a new token; its secret is in this answer only.
pub(crate) async fn create_token(
    State(app): State<App>,
    caller: Caller,
    body: Bytes,
) -> Result<(StatusCode, Json<Value>), ApiError> {
    let admin = caller.member(&app)?.admin()?;
    let request: NewTokenBody = json_body(&body)?;
    let role = Role::parse(&request.role)?;
    let label = request.label.as_deref().unwrap_or("API token");
    let token = admin.create_token(role, label, app.now()).await?;
    let answer = serde_json::json!({"token": TokenView::from(&token.token), "secret": token.secret});
    Ok((StatusCode::CREATED, Json(answer)))
}

/// `DELETE /api/v1/tokens/{id}`: revokes a token.
pub(crate) async fn revoke_token(
    State(app): State<App>,
    caller: Caller,
    Path(id): Path<String>,
) -> Result<Json<Value>, ApiError> {
    let token = caller.member(&app)?.admin()?.revoke_token(&id, app.now()).await?;
    Ok(Json(serde_json::to_value(TokenView::from(&token)).expect("a token serializes")))
}

//! Recognition agreements (public) and recognition proposals (for members of the recognising
//! institution).

use axum::{
    Json,
    body::Bytes,
    extract::{Path, Query, State},
};
use mc_app::App;
use serde::Deserialize;
use serde_json::{Value, json};

use super::{auth::Caller, credentials::json_body};
use crate::ApiError;

/// The most credentials one proposal request may carry.
const MAX_CREDENTIALS: usize = 50;

/// `GET /api/v1/agreements`: every agreement's latest version, with its state.
pub(crate) async fn list_agreements(State(app): State<App>) -> Result<Json<Value>, ApiError> {
    let agreements = app.agreements().await?;
    Ok(Json(json!({ "agreements": agreements.iter().map(mc_app::agreement_json).collect::<Vec<_>>() })))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct VersionQuery {
    at_version: Option<u32>,
}

/// `GET /api/v1/agreements/{id}`: an agreement, its latest version or `?at_version=N`.
pub(crate) async fn find_agreement(
    State(app): State<App>,
    Path(id): Path<String>,
    Query(query): Query<VersionQuery>,
) -> Result<Json<Value>, ApiError> {
    Ok(Json(mc_app::agreement_json(&app.agreement(&id, query.at_version).await?)))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct ProposalBody {
    credentials: Vec<Value>,
}

/// `POST /api/v1/recognition/proposals`: what the caller's institution recognises of the
/// credentials given (one learner's), each verified first, with every rule's reasons.
pub(crate) async fn propose(State(app): State<App>, caller: Caller, body: Bytes) -> Result<Json<Value>, ApiError> {
    let member = caller.member(&app)?;
    let request: ProposalBody = json_body(&body)?;
    if request.credentials.is_empty() || request.credentials.len() > MAX_CREDENTIALS {
        return Err(ApiError::invalid("credentials", &format!("must hold 1 to {MAX_CREDENTIALS} credentials")));
    }
    let texts: Vec<String> = request.credentials.iter().map(Value::to_string).collect();
    let results = app.recognize(member.institution_id().as_str(), &texts, app.now()).await?;
    let answers: Vec<Value> =
        results.iter().map(|(verification, outcome)| mc_app::recognition_json(verification, outcome)).collect();
    Ok(Json(json!({ "institution": member.institution_id().as_str(), "credentials": answers })))
}

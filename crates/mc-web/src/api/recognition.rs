//! Recognition agreements (read by anyone; proposed, signed and ended by a party's admin) and
//! recognition proposals and decisions (for members of the recognising institution).

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

/// `POST /api/v1/agreements`: the caller's institution (its admin) proposes an agreement to
/// which it is a party, or the next version of one; every party then signs it.
pub(crate) async fn add_agreement(
    State(app): State<App>,
    caller: Caller,
    body: Bytes,
) -> Result<(axum::http::StatusCode, Json<Value>), ApiError> {
    let member = caller.member(&app)?;
    let document: mc_core::recognition::AgreementDocument = json_body(&body)?;
    let stored = member.add_agreement(&document, app.now()).await?;
    Ok((axum::http::StatusCode::CREATED, Json(mc_app::agreement_json(&stored))))
}

/// `POST /api/v1/agreements/{id}/sign?version=N`: the caller's institution (its admin), a party,
/// signs the latest version (which `version`, when given, must be).
pub(crate) async fn sign_agreement(
    State(app): State<App>,
    caller: Caller,
    Path(id): Path<String>,
    Query(query): Query<SignQuery>,
) -> Result<Json<Value>, ApiError> {
    let member = caller.member(&app)?;
    Ok(Json(mc_app::agreement_json(&member.sign_agreement(&id, query.version, app.now()).await?)))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct SignQuery {
    version: Option<u32>,
}

/// `POST /api/v1/agreements/{id}/end`: the caller's institution (its admin), a party, ends the
/// agreement; decisions already made stand.
pub(crate) async fn end_agreement(
    State(app): State<App>,
    caller: Caller,
    Path(id): Path<String>,
) -> Result<Json<Value>, ApiError> {
    let member = caller.member(&app)?;
    Ok(Json(mc_app::agreement_json(&member.end_agreement(&id, app.now()).await?)))
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

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct DecisionBody {
    credential: Value,
    decision: String,
    #[serde(default)]
    agreement: Option<String>,
    #[serde(default)]
    rule: Option<String>,
    #[serde(default)]
    reason: Option<String>,
}

/// `POST /api/v1/recognition/decisions`: the caller's institution (a recognition officer or
/// admin) accepts a current proposal for a credential, issued as a signed recognition decision
/// credential, or rejects it with a reason.
pub(crate) async fn decide(
    State(app): State<App>,
    caller: Caller,
    body: Bytes,
) -> Result<(axum::http::StatusCode, Json<Value>), ApiError> {
    let member = caller.member(&app)?;
    let request: DecisionBody = json_body(&body)?;
    let decision = match (request.decision.as_str(), &request.agreement, &request.rule, &request.reason) {
        ("accept", Some(agreement), Some(rule), None) => {
            mc_app::Decision::Accept { rule: Some((agreement.as_str(), rule.as_str())) }
        }
        ("accept", None, None, None) => mc_app::Decision::Accept { rule: None },
        ("accept", _, _, _) => {
            return Err(ApiError::invalid(
                "decision",
                "an acceptance names both agreement and rule, or neither, and no reason",
            ));
        }
        ("reject", None, None, Some(reason)) => mc_app::Decision::Reject { reason },
        ("reject", _, _, _) => {
            return Err(ApiError::invalid("reason", "a rejection gives a reason, and no agreement or rule"));
        }
        (other, _, _, _) => return Err(ApiError::invalid("decision", &format!("{other:?} is not accept or reject"))),
    };
    let made = member.decide_recognition(&request.credential.to_string(), decision, app.now()).await?;
    let answer = json!({
        "decision": made.id,
        "accepted": made.credential.is_some(),
        "granted": made.granted,
        "credential": made.credential,
    });
    Ok((axum::http::StatusCode::CREATED, Json(answer)))
}

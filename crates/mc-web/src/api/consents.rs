//! Co-awarding consent: an institution named as an awarding body of another's specification
//! sees the requests made of it, and its admins accept or decline them.

use axum::{
    Json,
    extract::{Path, State},
};
use mc_app::{App, Consent};
use mc_core::Spec;
use serde_json::{Value, json};

use super::auth::Caller;
use crate::ApiError;

fn consent_json(consent: &Consent, spec: Option<&Spec>) -> Value {
    let state = consent.state.as_str();
    let mut answer = json!({
        "spec": consent.spec.to_string(), "institution": consent.institution.as_str(), "state": state,
        "requested_at": consent.requested_at.to_rfc3339(),
        "decided_at": consent.decided_at.map(|at| at.to_rfc3339()),
    });
    if let Some(spec) = spec {
        answer["issuer"] = json!(spec.issuer().as_str());
        let title: serde_json::Map<String, Value> =
            spec.title().iter().map(|(language, text)| (language.as_str().to_owned(), json!(text))).collect();
        answer["title"] = Value::Object(title);
    }
    answer
}

/// `GET /api/v1/consents`: the requests made of the caller's institution, newest first.
pub(crate) async fn asked(State(app): State<App>, caller: Caller) -> Result<Json<Value>, ApiError> {
    let asked = caller.member(&app)?.consents_asked().await?;
    let consents: Vec<Value> = asked.iter().map(|(consent, spec)| consent_json(consent, Some(spec))).collect();
    Ok(Json(json!({ "consents": consents })))
}

/// `GET /api/v1/specs/{id}/consents`: the answers of a specification's other awarding bodies.
pub(crate) async fn of_spec(
    State(app): State<App>,
    caller: Caller,
    Path(id): Path<String>,
) -> Result<Json<Value>, ApiError> {
    let consents = caller.member(&app)?.consents_of(&id).await?;
    Ok(Json(json!({ "consents": consents.iter().map(|consent| consent_json(consent, None)).collect::<Vec<_>>() })))
}

/// `POST /api/v1/consents/{spec}/accept`.
pub(crate) async fn accept(
    State(app): State<App>,
    caller: Caller,
    Path(spec): Path<String>,
) -> Result<Json<Value>, ApiError> {
    let consent = caller.member(&app)?.admin()?.decide_consent(&spec, true, app.now()).await?;
    Ok(Json(consent_json(&consent, None)))
}

/// `POST /api/v1/consents/{spec}/decline`.
pub(crate) async fn decline(
    State(app): State<App>,
    caller: Caller,
    Path(spec): Path<String>,
) -> Result<Json<Value>, ApiError> {
    let consent = caller.member(&app)?.admin()?.decide_consent(&spec, false, app.now()).await?;
    Ok(Json(consent_json(&consent, None)))
}

//! What the network's administrator changes over the API: institutions' accreditation facts
//! and the trusted-issuer list. Reading both is open to anyone (`api/catalogue.rs`).

use axum::{
    Json,
    body::Bytes,
    extract::{Path, Query, State},
    http::StatusCode,
};
use mc_app::{Accreditation, AccreditationDocument, App, TrustListEntry};
use serde::Deserialize;
use serde_json::{Value, json};

use super::{auth::Caller, credentials::json_body};
use crate::ApiError;

/// Accreditation facts as the API shows them.
pub(crate) fn accreditation_json(facts: &Accreditation) -> Value {
    json!({
        "institution": facts.institution.as_str(), "qa_body": facts.qa_body, "status": facts.status,
        "valid_from": facts.valid_from, "valid_until": facts.valid_until, "register_id": facts.register_id,
    })
}

/// The facts of an institution's accreditation, whose institution the address names.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct AccreditationBody {
    #[serde(default)]
    institution: Option<String>,
    qa_body: String,
    status: String,
    valid_from: String,
    #[serde(default)]
    valid_until: Option<String>,
    #[serde(default)]
    register_id: Option<String>,
}

/// `PUT /api/v1/registry/{institution}`: records an institution's accreditation facts.
pub(crate) async fn set_accreditation(
    State(app): State<App>,
    caller: Caller,
    Path(institution): Path<String>,
    body: Bytes,
) -> Result<Json<Value>, ApiError> {
    let network = caller.network(&app)?;
    let body: AccreditationBody = json_body(&body)?;
    if let Some(named) = body.institution.as_deref().filter(|named| *named != institution) {
        return Err(ApiError::invalid("institution", &format!("names {named}, but the address names {institution}")));
    }
    let document = AccreditationDocument {
        institution,
        qa_body: body.qa_body,
        status: body.status,
        valid_from: body.valid_from,
        valid_until: body.valid_until,
        register_id: body.register_id,
    };
    Ok(Json(accreditation_json(&network.set_accreditation(&document, app.now()).await?)))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct TrustBody {
    institution: String,
    #[serde(default)]
    seal_certificates: Vec<String>,
}

/// `POST /api/v1/trusted-issuers`: puts an institution of this network on the list.
pub(crate) async fn trust_institution(
    State(app): State<App>,
    caller: Caller,
    body: Bytes,
) -> Result<Json<TrustListEntry>, ApiError> {
    let network = caller.network(&app)?;
    let body: TrustBody = json_body(&body)?;
    let record = network.trust_institution(&body.institution, &body.seal_certificates, app.now()).await?;
    Ok(Json(record))
}

/// `DELETE /api/v1/trusted-issuers/{id}`: takes an issuer off the list from now on.
pub(crate) async fn untrust(
    State(app): State<App>,
    caller: Caller,
    Path(id): Path<String>,
) -> Result<Json<TrustListEntry>, ApiError> {
    let record = caller.network(&app)?.untrust(&id, app.now()).await?;
    Ok(Json(record))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct ImportQuery {
    network: String,
}

/// `POST /api/v1/trusted-issuers/import?network=NAME`: imports a partner network's list; the
/// answer names each refused entry with why.
pub(crate) async fn import_trust_list(
    State(app): State<App>,
    caller: Caller,
    Query(query): Query<ImportQuery>,
    body: Bytes,
) -> Result<(StatusCode, Json<Value>), ApiError> {
    let network = caller.network(&app)?;
    let text = std::str::from_utf8(&body).map_err(|_| ApiError::invalid("body", "is not UTF-8 text"))?;
    let report = network.import_trust_list(text, &query.network, app.now()).await?;
    let rejected: Vec<Value> =
        report.rejected.iter().map(|(index, reason)| json!({"index": index, "reason": reason})).collect();
    Ok((StatusCode::OK, Json(json!({"imported": report.imported, "rejected": rejected, "left": report.left}))))
}

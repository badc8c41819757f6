//! Documents published at stable public URLs: status list credentials (where issued credentials
//! point) and institutions' DID documents (for `did:web` identifiers hosted here).

use axum::{
    Json,
    extract::{Path, State},
};
use mc_app::App;
use serde_json::{Map, Value};

use crate::ApiError;

/// `GET /status/{id}`: the signed status list credential, as the database says now.
pub(crate) async fn status_list(
    State(app): State<App>,
    Path(id): Path<String>,
) -> Result<Json<Map<String, Value>>, ApiError> {
    Ok(Json(app.status_list_credential(&id, app.now()).await?))
}

/// `GET /institutions/{id}/did.json`: an institution's DID document, with every key it has had.
pub(crate) async fn did_document(State(app): State<App>, Path(id): Path<String>) -> Result<Json<Value>, ApiError> {
    Ok(Json(app.did_document(&id).await?))
}

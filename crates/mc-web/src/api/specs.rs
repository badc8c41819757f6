//! Micro-credential specifications.

use axum::{
    Json,
    body::Bytes,
    extract::{Path, State},
    http::StatusCode,
};
use mc_app::{Added, App};
use mc_core::wire::SpecDocument;
use serde::Serialize;

use super::{auth::Caller, credentials::json_body};
use crate::ApiError;

#[derive(Serialize)]
pub(crate) struct ListSpecsResponse {
    specs: Vec<SpecDocument>,
}

/// `GET /api/v1/specs`: every published specification, and the caller's institution's drafts.
pub(crate) async fn list_specs(
    State(app): State<App>,
    caller: Option<Caller>,
) -> Result<Json<ListSpecsResponse>, ApiError> {
    let specs = app.visible_specs(caller.as_ref().map(|Caller(principal)| principal)).await?;
    Ok(Json(ListSpecsResponse { specs: specs.iter().map(SpecDocument::from).collect() }))
}

/// `GET /api/v1/specs/{id}`: one specification; a draft only to its own institution.
pub(crate) async fn find_spec(
    State(app): State<App>,
    caller: Option<Caller>,
    Path(id): Path<String>,
) -> Result<Json<SpecDocument>, ApiError> {
    let (spec, _) = app.visible_spec(caller.as_ref().map(|Caller(principal)| principal), &id).await?;
    Ok(Json(SpecDocument::from(&spec)))
}

/// `POST /api/v1/specs`: adds a specification the caller's institution issues; 201 when added,
/// 200 when the same one was already stored.
pub(crate) async fn add_spec(
    State(app): State<App>,
    caller: Caller,
    body: Bytes,
) -> Result<(StatusCode, Json<SpecDocument>), ApiError> {
    let document: SpecDocument = json_body(&body)?;
    let (spec, added) = caller.issuer(&app)?.add_spec(&document, app.now()).await?;
    let status = match added {
        Added::New => StatusCode::CREATED,
        Added::Unchanged => StatusCode::OK,
    };
    Ok((status, Json(SpecDocument::from(&spec))))
}

//! Micro-credential specifications.

use axum::{
    Json,
    extract::{Path, State},
};
use mc_app::App;
use mc_core::wire::SpecDocument;
use serde::Serialize;

use crate::ApiError;

#[derive(Serialize)]
pub(crate) struct ListSpecsResponse {
    specs: Vec<SpecDocument>,
}

/// `GET /api/v1/specs`: every specification.
pub(crate) async fn list_specs(State(app): State<App>) -> Result<Json<ListSpecsResponse>, ApiError> {
    let specs = app.specs().await?;
    Ok(Json(ListSpecsResponse { specs: specs.iter().map(SpecDocument::from).collect() }))
}

/// `GET /api/v1/specs/{id}`: one specification.
pub(crate) async fn find_spec(State(app): State<App>, Path(id): Path<String>) -> Result<Json<SpecDocument>, ApiError> {
    let spec = app.spec(&id).await?;
    Ok(Json(SpecDocument::from(&spec)))
}

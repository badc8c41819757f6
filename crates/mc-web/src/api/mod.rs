//! The JSON API under `/api/v1`, described by the OpenAPI document it serves.

mod auth;
mod catalogue;
mod cohorts;
mod credentials;
mod specs;
mod tokens;

use axum::{
    Router,
    http::header,
    response::IntoResponse,
    routing::{delete, get, post},
};

use crate::ServerState;

/// The OpenAPI 3.1 description of this API.
pub(crate) const OPENAPI: &str = include_str!("../../openapi.json");

pub(crate) fn router() -> Router<ServerState> {
    Router::new()
        .route("/openapi.json", get(openapi))
        .route("/specs", get(specs::list_specs).post(specs::add_spec))
        .route("/specs/check", post(catalogue::check_spec))
        .route("/specs/{id}", get(specs::find_spec).put(catalogue::update_spec))
        .route("/specs/{id}/quality", get(catalogue::spec_quality))
        .route("/specs/{id}/publish", post(catalogue::publish_spec))
        .route("/specs/{id}/withdraw", post(catalogue::withdraw_spec))
        .route("/catalogue", get(catalogue::search))
        .route("/catalogue/{id}", get(catalogue::catalogue_spec))
        .route("/trusted-issuers", get(catalogue::trusted_issuers))
        .route("/registry", get(catalogue::registry))
        .route("/credentials", get(credentials::list_credentials))
        .route("/credentials/verify", post(credentials::verify_credential))
        .route("/credentials/issue", post(credentials::issue_credential))
        .route("/credentials/{id}", get(credentials::find_credential))
        .route("/credentials/{id}/{action}", post(credentials::change_state))
        .route("/cohorts", post(cohorts::submit_cohort))
        .route("/cohorts/{id}", get(cohorts::find_cohort))
        .route("/tokens", get(tokens::list_tokens).post(tokens::create_token))
        .route("/tokens/{id}", delete(tokens::revoke_token))
}

async fn openapi() -> impl IntoResponse {
    ([(header::CONTENT_TYPE, "application/json")], OPENAPI)
}

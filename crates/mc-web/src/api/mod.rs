//! The JSON API under `/api/v1`, described by the OpenAPI document it serves.

mod auth;
mod catalogue;
mod cohorts;
mod consents;
mod credentials;
mod network;
mod recognition;
mod specs;
mod tokens;

use axum::{http::header, response::IntoResponse};

use crate::{ServerState, routes::Routes};

/// The OpenAPI 3.1 description of this API.
pub(crate) const OPENAPI: &str = include_str!("../../openapi.json");

/// The API's routes, each described by the OpenAPI document (a test holds one to the other).
pub(crate) fn routes() -> Routes<ServerState> {
    Routes::new()
        .get("/openapi.json", openapi)
        .get("/specs", specs::list_specs)
        .post("/specs", specs::add_spec)
        .post("/specs/check", catalogue::check_spec)
        .get("/specs/{id}", specs::find_spec)
        .put("/specs/{id}", catalogue::update_spec)
        .get("/specs/{id}/quality", catalogue::spec_quality)
        .get("/specs/{id}/consents", consents::of_spec)
        .get("/consents", consents::asked)
        .post("/consents/{spec}/accept", consents::accept)
        .post("/consents/{spec}/decline", consents::decline)
        .post("/specs/{id}/publish", catalogue::publish_spec)
        .post("/specs/{id}/withdraw", catalogue::withdraw_spec)
        .put("/specs/{id}/image", catalogue::set_spec_image)
        .get("/catalogue", catalogue::search)
        .get("/catalogue/{id}", catalogue::catalogue_spec)
        .get("/trusted-issuers", catalogue::trusted_issuers)
        .post("/trusted-issuers", network::trust_institution)
        .post("/trusted-issuers/import", network::import_trust_list)
        .delete("/trusted-issuers/{id}", network::untrust)
        .get("/registry", catalogue::registry)
        .put("/registry/{institution}", network::set_accreditation)
        .get("/credentials", credentials::list_credentials)
        .post("/credentials/verify", credentials::verify_credential)
        .post("/credentials/issue", credentials::issue_credential)
        .get("/credentials/{id}", credentials::find_credential)
        .post("/credentials/{id}/revoke", credentials::revoke)
        .post("/credentials/{id}/wallet-offer", credentials::wallet_offer)
        .post("/credentials/{id}/suspend", credentials::suspend)
        .post("/credentials/{id}/unsuspend", credentials::unsuspend)
        .post("/cohorts", cohorts::submit_cohort)
        .get("/cohorts/{id}", cohorts::find_cohort)
        .get("/agreements", recognition::list_agreements)
        .post("/agreements", recognition::add_agreement)
        .get("/agreements/{id}", recognition::find_agreement)
        .post("/agreements/{id}/sign", recognition::sign_agreement)
        .post("/agreements/{id}/end", recognition::end_agreement)
        .post("/recognition/proposals", recognition::propose)
        .post("/recognition/decisions", recognition::decide)
        .get("/tokens", tokens::list_tokens)
        .post("/tokens", tokens::create_token)
        .delete("/tokens/{id}", tokens::revoke_token)
}

async fn openapi() -> impl IntoResponse {
    ([(header::CONTENT_TYPE, "application/json")], OPENAPI)
}

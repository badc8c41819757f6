//! The JSON API under `/api/v1`.

mod credentials;
mod specs;

use axum::{
    Router,
    routing::{get, post},
};
use mc_app::App;

pub(crate) fn router() -> Router<App> {
    Router::new()
        .route("/specs", get(specs::list_specs))
        .route("/specs/{id}", get(specs::find_spec))
        .route("/credentials/verify", post(credentials::verify_credential))
}

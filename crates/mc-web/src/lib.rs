//! microcred's HTTP server: the JSON API under `/api/v1` and, later, the pages. Handlers are
//! thin: extract, call one `mc-app` use case, answer with a DTO.

#![warn(missing_docs)]

mod api;
mod error;
mod published;

use std::future::Future;

use axum::{Router, routing::get};
use mc_app::App;
use tokio::net::TcpListener;
use tower_http::{limit::RequestBodyLimitLayer, trace::TraceLayer};

pub use crate::error::ApiError;

/// The largest request body accepted, in bytes.
pub const MAX_BODY_BYTES: usize = 2 * 1024 * 1024;

/// The whole HTTP application.
pub fn router(app: App) -> Router {
    Router::new()
        .route("/healthz", get(healthz))
        .route("/status/{id}", get(published::status_list))
        .route("/institutions/{id}/did.json", get(published::did_document))
        .nest("/api/v1", api::router())
        .fallback(not_found)
        .layer(RequestBodyLimitLayer::new(MAX_BODY_BYTES))
        // Outside the limit, so that its bare 413 gets the envelope too.
        .layer(axum::middleware::map_response(error::envelop_bare_errors))
        .layer(TraceLayer::new_for_http())
        .with_state(app)
}

/// Serves `app` on `listener` until `shutdown` completes, then finishes the requests in flight.
pub async fn serve(
    app: App,
    listener: TcpListener,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    axum::serve(listener, router(app)).with_graceful_shutdown(shutdown).await
}

/// The current time, from the system clock.
pub(crate) fn now() -> mc_core::Timestamp {
    let elapsed = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap_or_default();
    mc_core::Timestamp::from_unix(elapsed.as_secs() as i64, 0)
}

async fn healthz() -> &'static str {
    "ok\n"
}

async fn not_found() -> ApiError {
    ApiError::not_found("no such page or endpoint")
}

//! microcred's HTTP server: the JSON API under `/api/v1`, the pages for people, the documents
//! published at stable URLs, and the cohort job worker. Handlers are thin: extract, call one
//! `mc-app` use case, answer with a DTO or a page.

#![warn(missing_docs)]

mod api;
mod client;
mod error;
mod pages;
mod published;
mod quiet;
mod routes;
mod search;
mod verifying;
mod wallet;

use std::{future::Future, sync::Arc, time::Duration};

use axum::{Router, extract::FromRef};
use mc_app::{App, OnlineResolver};
use tokio::net::TcpListener;
use tower_http::{limit::RequestBodyLimitLayer, trace::TraceLayer};

pub use crate::{client::Network, error::ApiError, pages::Supplement, quiet::Timeouts};
use crate::{routes::Routes, verifying::VerifierPool};

/// The largest request body accepted, in bytes.
pub const MAX_BODY_BYTES: usize = 2 * 1024 * 1024;

/// The routes the OpenAPI document describes: the API, the health check and the documents
/// published at stable URLs.
fn described_routes() -> Routes<ServerState> {
    Routes::new()
        .get("/healthz", healthz)
        .get("/status/{id}", published::status_list)
        .get("/status/{id}/token", wallet::status_token)
        .get("/status/{id}/token/x5c", wallet::certified_status_token)
        .get("/.well-known/openid-credential-issuer", wallet::issuer_metadata)
        .get("/.well-known/oauth-authorization-server", wallet::authorization_server_metadata)
        .get("/vct/micro-credential", wallet::type_metadata)
        .post("/oid4vci/token", wallet::token)
        .post("/oid4vci/nonce", wallet::nonce)
        .post("/oid4vci/credential", wallet::credential)
        .get("/institutions/{id}/did.json", published::did_document)
        .nest("/api/v1", api::routes())
}

/// How many verifications may wait per verification thread before more are refused.
const QUEUE_PER_THREAD: usize = 32;

/// How a server verifies credentials and how long it waits on its clients.
/// [`Options::default`] is what [`router`] and [`serve`] use.
pub struct Options {
    /// How many threads verify credentials (at least one); by default one per core.
    pub verify_threads: usize,
    /// How many verifications may wait while every verification thread is busy; one more is
    /// answered 503 with `Retry-After`. By default 32 per thread. (A queue shorter than the
    /// number of threads may refuse work in the instant a thread is between two verifications.)
    pub verify_queue: usize,
    /// What verification fetches: `did:web` and `https://` keys, status lists, and credentials
    /// given by their address. By default over HTTPS ([`mc_app::adapters::HttpsKeyResolver`]),
    /// with its cache shared by every request.
    pub resolver: Arc<dyn OnlineResolver>,
    /// How long a connection may wait on its client (the rest of a request, or the next one)
    /// before [`serve_with`] closes it. By default 10 s for a request's head, 30 s for its
    /// body, 60 s between requests.
    pub timeouts: Timeouts,
    /// The proxies whose `X-Forwarded-For` is believed, to count failed sign-ins per client;
    /// by default none (the address that connected is the client's).
    pub trusted_proxies: Vec<Network>,
    /// The certificates that the seals of European Digital Credentials must chain to, to be
    /// trusted; by default none (the trusted-issuer list alone decides).
    pub seal_anchors: Vec<mc_vc::jades::SealCertificate>,
}

impl Default for Options {
    fn default() -> Options {
        let cores = std::thread::available_parallelism().map_or(2, std::num::NonZero::get);
        Options {
            verify_threads: cores,
            verify_queue: QUEUE_PER_THREAD * cores,
            resolver: Arc::new(mc_app::adapters::HttpsKeyResolver::new()),
            timeouts: Timeouts::default(),
            trusted_proxies: Vec::new(),
            seal_anchors: Vec::new(),
        }
    }
}

/// What every handler may reach: the use cases, the verification threads and the resolver.
/// Handlers that need the use cases only take `State<App>`.
#[derive(Clone)]
pub(crate) struct ServerState {
    pub(crate) app: App,
    pub(crate) verifiers: VerifierPool,
    pub(crate) online: Arc<dyn OnlineResolver>,
    pub(crate) trusted_proxies: Arc<[Network]>,
    pub(crate) seal_anchors: Arc<[mc_vc::jades::SealCertificate]>,
}

impl FromRef<ServerState> for App {
    fn from_ref(state: &ServerState) -> App {
        state.app.clone()
    }
}

/// The whole HTTP application, with the default [`Options`].
pub fn router(app: App) -> Router {
    router_with(app, Options::default())
}

/// The whole HTTP application. Its verification threads end once the router and every
/// clone of it are dropped (after finishing the verifications already queued).
pub fn router_with(app: App, options: Options) -> Router {
    let state = ServerState {
        app,
        verifiers: VerifierPool::start(options.verify_threads, options.verify_queue),
        online: options.resolver,
        trusted_proxies: options.trusted_proxies.into(),
        seal_anchors: options.seal_anchors.into(),
    };
    let (described, _) = described_routes().into_parts();
    described
        .merge(pages::router())
        .fallback(not_found)
        .layer(RequestBodyLimitLayer::new(MAX_BODY_BYTES))
        // Outside the limit, so that its bare 413 gets the envelope too.
        .layer(axum::middleware::map_response(error::envelop_bare_errors))
        // Outside everything else, so that every answer has them, errors included.
        .layer(axum::middleware::from_fn(answer_headers))
        .layer(TraceLayer::new_for_http())
        .with_state(state)
}

/// The headers of every answer: `X-Content-Type-Options: nosniff`, so that no browser reads a
/// JSON document or an error as HTML or script; a `Referrer-Policy` where the pages set none:
/// `no-referrer`, since the API and the published documents are read by programs and have no
/// link whose following should tell anyone where it came from (an address may hold an id, a
/// query, a shared link); and `Cache-Control: no-store` on the answer to any request with an
/// `Authorization` header, so that no cache keeps what a token may see or a secret it is handed
/// (a new token). The pages add their own (see `pages::page_headers`).
async fn answer_headers(request: axum::extract::Request, next: axum::middleware::Next) -> axum::response::Response {
    use axum::http::{HeaderValue, header};
    let authorized = request.headers().contains_key(header::AUTHORIZATION);
    let mut response = next.run(request).await;
    let headers = response.headers_mut();
    headers.insert(header::X_CONTENT_TYPE_OPTIONS, HeaderValue::from_static("nosniff"));
    if !headers.contains_key(header::REFERRER_POLICY) {
        headers.insert(header::REFERRER_POLICY, HeaderValue::from_static("no-referrer"));
    }
    if authorized {
        headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    }
    response
}

/// How a server works on the database it shares with the others: the cohort job queue, and
/// the housekeeping that forgets old idempotent answers.
#[derive(Debug, Clone)]
pub struct Worker {
    /// This process's name in the queue.
    pub name: String,
    /// How long a job stays this worker's without news from it; another worker resumes it
    /// after that.
    pub lease: Duration,
    /// How often an idle worker looks for a job.
    pub poll: Duration,
    /// How many days the answers to idempotent requests are remembered.
    pub idempotency_days: u32,
    /// The first wait before a refused mail is tried again (doubling, up to an hour).
    pub mail_retry: Duration,
    /// How often the answers older than that are forgotten (also once at start).
    pub forget_every: Duration,
}

impl Worker {
    /// A worker named after this process, with a 30 s lease, remembering idempotent answers
    /// for [`mc_app::IDEMPOTENCY_DAYS`] and forgetting older ones hourly.
    pub fn new() -> Worker {
        let name = format!("pid{}-{}", std::process::id(), mc_app::Clock::System.new_id().simple());
        Worker {
            name,
            lease: Duration::from_secs(30),
            poll: Duration::from_millis(500),
            idempotency_days: mc_app::IDEMPOTENCY_DAYS,
            forget_every: Duration::from_secs(3600),
            mail_retry: Duration::from_secs(30),
        }
    }
}

impl Default for Worker {
    fn default() -> Worker {
        Worker::new()
    }
}

/// Serves `app` on `listener` with the default [`Options`], works on cohort jobs and forgets old
/// idempotent answers until `shutdown` completes, then finishes the requests in flight. A job
/// being worked on is dropped (its batch rolls back) and resumed later by this or another
/// server.
pub async fn serve(
    app: App,
    listener: TcpListener,
    worker: Worker,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    serve_with(app, listener, worker, Options::default(), shutdown).await
}

/// [`serve`] with `options`: a connection that keeps the server waiting longer than its
/// [`Timeouts`] allow (for the rest of a request's head or body, or for its next request) is
/// closed.
pub async fn serve_with(
    app: App,
    listener: TcpListener,
    worker: Worker,
    options: Options,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    let housekeeping = tokio::spawn(forget_old_answers(app.clone(), worker.idempotency_days, worker.forget_every));
    let mails = tokio::spawn(send_mails(app.clone(), worker.mail_retry, worker.poll));
    let jobs = tokio::spawn(work_on_jobs(app.clone(), worker));
    let listener = quiet::QuietListener::new(listener, options.timeouts);
    let router = router_with(app, options).layer(axum::middleware::from_fn(quiet::follow));
    let served = axum::serve(listener, router.into_make_service_with_connect_info::<quiet::Connection>())
        .with_graceful_shutdown(shutdown)
        .await;
    jobs.abort();
    mails.abort();
    housekeeping.abort();
    served
}

/// Forgets the idempotent answers older than `days`, at once and then every `every`, for as
/// long as the server runs. (Every server sharing the database does it; forgetting twice is
/// harmless.)
async fn forget_old_answers(app: App, days: u32, every: Duration) {
    let mut ticks = tokio::time::interval(every);
    ticks.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    loop {
        ticks.tick().await;
        match app.forget_old_answers(days, app.now()).await {
            Ok(0) => tracing::debug!(days, "no remembered answers to forget"),
            Ok(forgotten) => tracing::info!(forgotten, days, "remembered answers to idempotent requests forgotten"),
            Err(err) => tracing::error!(error = %err, "cannot forget old remembered answers"),
        }
        match app.forget_expired_offers(app.now()).await {
            Ok(0) => {}
            Ok(forgotten) => tracing::info!(forgotten, "expired offers to wallets forgotten"),
            Err(err) => tracing::error!(error = %err, "cannot forget expired offers to wallets"),
        }
    }
}

/// Sends the learners' mails that are due, for as long as the server runs (when a mail server
/// is configured): every server sharing the database sends, each mail once.
async fn send_mails(app: App, retry: Duration, poll: Duration) {
    if !app.mailer().sends() {
        return;
    }
    loop {
        if let Err(err) = app.send_due_mails(retry).await {
            tracing::error!(error = %err, "cannot send the queued mails");
        }
        tokio::time::sleep(poll).await;
    }
}

/// Takes cohort jobs from the queue, one at a time, for as long as the server runs.
async fn work_on_jobs(app: App, worker: Worker) {
    let lease = i64::try_from(worker.lease.as_secs()).unwrap_or(30).max(1);
    loop {
        match app.work_on_next_job(&worker.name, lease).await {
            Ok(true) => continue,
            Ok(false) => {}
            Err(err) => tracing::error!(error = %err, "cannot take a cohort job"),
        }
        tokio::time::sleep(worker.poll).await;
    }
}

async fn healthz() -> &'static str {
    "ok\n"
}

async fn not_found() -> ApiError {
    ApiError::not_found("no such page or endpoint")
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeSet;

    /// Every route the router serves is described by the OpenAPI document, and the document
    /// describes no route the router does not serve.
    #[test]
    fn the_openapi_document_describes_the_routes_served() {
        let (_, served) = super::described_routes().into_parts();
        let served: BTreeSet<(String, String)> =
            served.into_iter().map(|(method, path)| (method.to_owned(), path)).collect();
        let document: serde_json::Value = serde_json::from_str(crate::api::OPENAPI).unwrap();
        let mut described = BTreeSet::new();
        for (path, item) in document["paths"].as_object().unwrap() {
            for method in item.as_object().unwrap().keys() {
                if ["get", "post", "put", "delete", "patch"].contains(&method.as_str()) {
                    described.insert((method.clone(), path.clone()));
                }
            }
        }
        let undescribed: Vec<_> = served.difference(&described).collect();
        let unserved: Vec<_> = described.difference(&served).collect();
        assert!(undescribed.is_empty(), "served but not in openapi.json: {undescribed:?}");
        assert!(unserved.is_empty(), "in openapi.json but not served: {unserved:?}");
    }
}

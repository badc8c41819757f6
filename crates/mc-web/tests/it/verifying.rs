//! Verification on the server's own threads and with its own resolver: the resolver given is
//! the one used, and the threads end with the router.

use std::{cell::RefCell, sync::Arc};

use axum::http::StatusCode;
use mc_app::{App, OnlineResolver};
use mc_test_support::TestDb;
use mc_vc::{
    did::{KeyResolver, ResolveError, VerificationMethod},
    status::StatusResolver,
};
use serde_json::{Map, Value};

use crate::support::{PATIENCE, Resolver, signed_credential, verify, verify_page};

/// A server on `db` with `verify_threads` threads and `resolver`.
async fn server(db: &TestDb, verify_threads: usize, resolver: impl OnlineResolver + 'static) -> axum::Router {
    let app = App::open(&db.url).await.unwrap();
    mc_web::router_with(app, mc_web::Options { verify_threads, resolver: Arc::new(resolver) })
}

/// The server verifies with the resolver it was given, for the API and the page's fetch: a
/// credential from a `did:web` issuer that resolver knows is valid, without any network, and
/// indeterminate with one that does not know it.
#[tokio::test]
async fn verification_uses_the_resolver_the_server_was_given() {
    let db = TestDb::sqlite();
    let knowing = server(&db, 2, Resolver::knowing_the_issuer()).await;
    let answer = verify(knowing.clone(), signed_credential()).await;
    assert_eq!(answer.status, StatusCode::OK, "{answer:?}");
    let verification = answer.json();
    assert_eq!(verification["verdict"], "valid", "{verification:#}");
    assert_eq!(verification["issuer"], crate::support::ISSUER);
    let page = verify_page(&knowing, "en").await;
    assert_eq!(page.status, StatusCode::OK, "{page:?}");
    assert!(page.body.contains("Every check passed"), "{}", page.body);

    let unknowing = server(&db, 2, Resolver::default()).await;
    let verification = verify(unknowing.clone(), signed_credential()).await.json();
    assert_eq!(verification["verdict"], "indeterminate", "{verification:#}");
    let proof = verification["checks"].as_array().unwrap().iter().find(|check| check["id"] == "proof").unwrap();
    assert!(
        proof["message"].as_str().unwrap().contains("the test resolver does not know did:web:issuer.example#key-1"),
        "{proof:#}"
    );
    let page = verify_page(&unknowing, "en").await;
    assert_eq!(page.status, StatusCode::OK, "{page:?}");
    assert!(page.body.contains("Could not be fully checked"), "{}", page.body);
}

thread_local! {
    /// Dropped when the thread that holds it ends.
    static UNTIL_THE_THREAD_ENDS: RefCell<Option<std::sync::mpsc::Sender<()>>> = const { RefCell::new(None) };
}

/// A resolver that leaves a sender in the thread that calls it, so that the test sees the
/// thread end when the channel closes.
struct ThreadWatch(std::sync::mpsc::Sender<()>);

impl KeyResolver for ThreadWatch {
    fn resolve(&self, url: &str) -> Result<VerificationMethod, ResolveError> {
        UNTIL_THE_THREAD_ENDS.with(|held| *held.borrow_mut() = Some(self.0.clone()));
        Err(ResolveError::Unavailable(format!("{url} is not resolved in this test")))
    }
}

impl StatusResolver for ThreadWatch {
    fn status_list(&self, url: &str) -> Result<Map<String, Value>, ResolveError> {
        Err(ResolveError::Unavailable(format!("{url} is not resolved in this test")))
    }
}

impl OnlineResolver for ThreadWatch {
    fn fetch_text(&self, url: &str) -> Result<String, ResolveError> {
        Err(ResolveError::Unavailable(format!("{url} is not fetched in this test")))
    }
}

/// A server's verification threads are its own: they end when its router is dropped, so
/// tests that build many routers leave no threads behind.
#[tokio::test]
async fn the_verification_threads_end_with_the_router() {
    let db = TestDb::sqlite();
    let (watch, ended) = std::sync::mpsc::channel();
    let router = server(&db, 1, ThreadWatch(watch)).await;
    let answer = verify(router.clone(), signed_credential()).await;
    assert_eq!(answer.json()["verdict"], "indeterminate", "the verification thread met the watch");
    drop(router);
    let ended = tokio::task::spawn_blocking(move || ended.recv_timeout(PATIENCE)).await.unwrap();
    assert_eq!(ended, Err(std::sync::mpsc::RecvTimeoutError::Disconnected), "the verification thread still runs");
}

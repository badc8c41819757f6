//! Verification on the server's own threads and with its own resolver: a full queue is
//! refused at once with 503 and `Retry-After`, the resolver given is the one used, and the
//! threads end with the router.

use std::{cell::RefCell, sync::Arc};

use axum::http::StatusCode;
use mc_app::{App, OnlineResolver};
use mc_test_support::TestDb;
use mc_vc::{
    did::{KeyResolver, ResolveError, VerificationMethod},
    status::StatusResolver,
};
use serde_json::{Map, Value};
use tokio::{task::JoinSet, time::timeout};

use crate::support::{Gate, PATIENCE, Resolver, signed_credential, verify, verify_page};

/// A server on `db` with `verify_threads` threads, a queue of `verify_queue`, and `resolver`.
async fn server(
    db: &TestDb,
    verify_threads: usize,
    verify_queue: usize,
    resolver: impl OnlineResolver + 'static,
) -> axum::Router {
    let app = App::open(&db.url).await.unwrap();
    mc_web::router_with(
        app,
        mc_web::Options { verify_threads, verify_queue, resolver: Arc::new(resolver), ..mc_web::Options::default() },
    )
}

/// One thread, held up, and a queue of one: of a burst of four verifications one waits its
/// turn and the others are answered 503 at once, with `Retry-After` and the error envelope;
/// the page says so in the visitor's language. Once the thread is free, the waiting ones are
/// answered.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_full_verification_queue_answers_503_at_once() {
    let db = TestDb::sqlite();
    let (gate, mut reached) = Gate::closed();
    let router = server(&db, 1, 1, Resolver::knowing_the_issuer().behind(Arc::clone(&gate))).await;
    let credential = signed_credential();

    let first = tokio::spawn(verify(router.clone(), credential.clone()));
    timeout(PATIENCE, reached.recv()).await.expect("the first verification reaches the resolver").unwrap();

    // The only thread is held up: one of the burst takes the one place in the queue.
    let mut burst = JoinSet::new();
    for _ in 0..4 {
        burst.spawn(verify(router.clone(), credential.clone()));
    }
    let mut refused = Vec::new();
    while refused.len() < 3 {
        // An unbounded queue would take them all, and answer none while the thread is held up.
        let Ok(Some(answer)) = timeout(PATIENCE, burst.join_next()).await else { break };
        refused.push(answer.unwrap());
    }
    let statuses: Vec<StatusCode> = refused.iter().map(|answer| answer.status).collect();
    assert_eq!(statuses, [StatusCode::SERVICE_UNAVAILABLE; 3], "answered while the thread was held up: {refused:#?}");
    for answer in &refused {
        assert_eq!(answer.retry_after(), Some("1"), "{answer:?}");
        let error = &answer.json()["error"];
        assert_eq!(error["code"], "busy");
        assert_eq!(error["message"], "the server is busy verifying other credentials; try again in a moment");
        assert_eq!(error["details"], Value::Array(Vec::new()));
    }
    let english = verify_page(&router, "en").await;
    let spanish = verify_page(&router, "es").await;
    for (page, text) in [
        (&english, "Too many credentials are being verified right now. Wait a moment and try again."),
        (
            &spanish,
            "Ahora mismo se están verificando demasiadas credenciales. Espere un momento y vuelva a intentarlo.",
        ),
    ] {
        assert_eq!(page.status, StatusCode::SERVICE_UNAVAILABLE, "{page:?}");
        assert_eq!(page.retry_after(), Some("1"));
        assert!(page.body.contains(text), "{}", page.body);
    }

    gate.open();
    let mut answered = vec![first.await.unwrap()];
    answered.extend(burst.join_all().await);
    assert_eq!(answered.len(), 2, "the first verification and the one that waited");
    for answer in &answered {
        assert_eq!(answer.status, StatusCode::OK, "{answer:?}");
        assert_eq!(answer.json()["verdict"], "valid", "{}", answer.body);
    }
    // Refusing took nothing away: the page verifies now that the thread is free.
    let page = verify_page(&router, "en").await;
    assert_eq!(page.status, StatusCode::OK, "{page:?}");
    assert!(page.body.contains("Every check passed"), "{}", page.body);
}

/// The server verifies with the resolver it was given, for the API and the page's fetch: a
/// credential from a `did:web` issuer that resolver knows is valid, without any network, and
/// indeterminate with one that does not know it.
#[tokio::test]
async fn verification_uses_the_resolver_the_server_was_given() {
    let db = TestDb::sqlite();
    let knowing = server(&db, 2, 4, Resolver::knowing_the_issuer()).await;
    let answer = verify(knowing.clone(), signed_credential()).await;
    assert_eq!(answer.status, StatusCode::OK, "{answer:?}");
    let verification = answer.json();
    assert_eq!(verification["verdict"], "valid", "{verification:#}");
    assert_eq!(verification["issuer"], crate::support::ISSUER);
    let page = verify_page(&knowing, "en").await;
    assert_eq!(page.status, StatusCode::OK, "{page:?}");
    assert!(page.body.contains("Every check passed"), "{}", page.body);

    let unknowing = server(&db, 2, 4, Resolver::default()).await;
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
    let router = server(&db, 1, 1, ThreadWatch(watch)).await;
    let answer = verify(router.clone(), signed_credential()).await;
    assert_eq!(answer.json()["verdict"], "indeterminate", "the verification thread met the watch");
    drop(router);
    let ended = tokio::task::spawn_blocking(move || ended.recv_timeout(PATIENCE)).await.unwrap();
    assert_eq!(ended, Err(std::sync::mpsc::RecvTimeoutError::Disconnected), "the verification thread still runs");
}

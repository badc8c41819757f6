//! Verifying for the server's callers, API and pages alike: the material a credential needs
//! is read from the database, then the CPU work runs on the server's verification threads.

use std::sync::{
    Arc, Mutex,
    mpsc::{Receiver, SyncSender, TrySendError},
};

use mc_app::{Budgeted, Verifier};
use mc_vc::verify::Verification;

use crate::{ApiError, ServerState};

/// How long one verification may spend fetching keys and status lists; past it, what is left
/// to fetch is unavailable and the verdict `indeterminate`. A fetch's own timeout is 5 s, and a
/// credential names at most a handful of keys and lists (`mc_vc::verify::MAX_PROOFS`,
/// `MAX_STATUS_ENTRIES`).
const VERIFY_BUDGET: std::time::Duration = std::time::Duration::from_secs(10);

/// Verifies a credential (JSON-LD with embedded proofs, or a VC-JWT) with what this database
/// holds first, then with the server's resolver. Shared by the API and the pages; a 503
/// ([`ApiError::busy`]) when the verification queue is full.
pub(crate) async fn verify_text(state: &ServerState, text: String) -> Result<Verification, ApiError> {
    let now = state.app.now();
    let material = state.app.verification_material(&text, now).await?;
    let online = Arc::clone(&state.online);
    let trusted = with_seal_anchors(material.trusted.clone(), &state.seal_anchors);
    state
        .verifiers
        .run(move || {
            // The budget starts when the verification does, not while it waits in the queue.
            let online = Budgeted::new(&*online, VERIFY_BUDGET);
            Verifier::new(material, Some(&online), trusted.as_deref(), now).verify(&text)
        })
        .await
        .map_err(|refused| match refused {
            Refused::Busy => ApiError::busy("the server is busy verifying other credentials; try again in a moment"),
            Refused::Stopped => ApiError::internal("the verification threads stopped"),
        })
}

/// The trusted-issuer list with the server's seal anchors, when it has some: the certificates
/// that the seals of European Digital Credentials must chain to.
fn with_seal_anchors(
    trusted: Option<Arc<mc_vc::verify::TrustedIssuers>>,
    anchors: &[mc_vc::jades::SealCertificate],
) -> Option<Arc<mc_vc::verify::TrustedIssuers>> {
    if anchors.is_empty() {
        return trusted;
    }
    let list = trusted.map(|list| (*list).clone()).unwrap_or_default();
    Some(Arc::new(list.with_seal_anchors(anchors.to_vec())))
}

type Job = Box<dyn FnOnce() + Send>;

/// Verification is CPU work: it runs on long-lived threads, one per core by default, so that
/// each keeps its caches and allocator pages warm. Work waits its turn in a queue of bounded
/// length; when the queue is full, more is refused at once rather than held in memory.
///
/// Clones share the threads. When the last clone is dropped the queue's sending side closes:
/// each thread finishes what is queued, sees the queue closed and ends. Nothing waits for it
/// (a verification may be blocked on the network for seconds), so dropping never blocks.
#[derive(Clone)]
pub(crate) struct VerifierPool {
    queue: SyncSender<Job>,
}

/// Why the pool did not run some work.
enum Refused {
    /// The queue is full.
    Busy,
    /// No thread is left to run it.
    Stopped,
}

impl VerifierPool {
    /// Starts `threads` threads (at least one), with room for `queue` more pieces of work
    /// waiting while they are all busy.
    pub(crate) fn start(threads: usize, queue: usize) -> VerifierPool {
        let (sender, receiver) = std::sync::mpsc::sync_channel::<Job>(queue);
        let receiver = Arc::new(Mutex::new(receiver));
        for idx in 0..threads.max(1) {
            let receiver = Arc::clone(&receiver);
            let spawned = std::thread::Builder::new().name(format!("verifier-{idx}")).spawn(move || work_on(&receiver));
            if let Err(err) = spawned {
                tracing::error!(error = %err, "cannot start a verification thread");
            }
        }
        VerifierPool { queue: sender }
    }

    /// Runs `work` on one of the threads, or refuses it at once when the queue is full.
    async fn run<T: Send + 'static>(&self, work: impl FnOnce() -> T + Send + 'static) -> Result<T, Refused> {
        let (done, answer) = tokio::sync::oneshot::channel();
        let job: Job = Box::new(move || {
            let _ = done.send(work());
        });
        self.queue.try_send(job).map_err(|err| match err {
            TrySendError::Full(_) => Refused::Busy,
            TrySendError::Disconnected(_) => Refused::Stopped,
        })?;
        answer.await.map_err(|_| Refused::Stopped)
    }
}

/// One thread's loop: the next piece of work, until the queue is closed and empty.
fn work_on(receiver: &Mutex<Receiver<Job>>) {
    loop {
        let next = receiver.lock().expect("the queue is never poisoned").recv();
        match next {
            // A verification that panics answers its request with an error (its answer channel
            // is dropped) and leaves the thread to verify the next one.
            Ok(job) => {
                if std::panic::catch_unwind(std::panic::AssertUnwindSafe(job)).is_err() {
                    tracing::error!("a verification panicked; its request was answered with an error");
                }
            }
            Err(_) => break,
        }
    }
}

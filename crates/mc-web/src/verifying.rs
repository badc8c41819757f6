//! Verifying for the server's callers, API and pages alike: the material a credential needs
//! is read from the database, then the CPU work runs on the verification threads.

use std::sync::{Arc, OnceLock};

use mc_app::{App, Verifier, adapters::HttpsKeyResolver};
use mc_vc::verify::Verification;

use crate::{ApiError, now};

/// One resolver for the whole server, so that fetched documents are cached across requests.
pub(crate) fn online() -> Arc<HttpsKeyResolver> {
    static ONLINE: OnceLock<Arc<HttpsKeyResolver>> = OnceLock::new();
    Arc::clone(ONLINE.get_or_init(|| Arc::new(HttpsKeyResolver::new())))
}

/// Verifies a credential (JSON-LD with embedded proofs, or a VC-JWT) with what this database
/// holds first, then over HTTPS. Shared by the API and the pages.
pub(crate) async fn verify_text(app: &App, text: String) -> Result<Verification, ApiError> {
    let now = now();
    let material = app.verification_material(&text, now).await?;
    let online = online();
    verifiers()
        .run(move || {
            let trusted = material.trusted.clone();
            Verifier::new(material, Some(&*online), trusted.as_deref(), now).verify(&text)
        })
        .await
        .map_err(|()| ApiError::internal("the verification threads stopped"))
}

/// Verification is CPU work: it runs on one long-lived thread per core, so that each keeps its
/// caches and allocator pages warm, and requests beyond that wait their turn in a queue.
struct Verifiers {
    queue: std::sync::Mutex<std::sync::mpsc::Sender<Box<dyn FnOnce() + Send>>>,
}

impl Verifiers {
    fn start() -> Verifiers {
        let (sender, receiver) = std::sync::mpsc::channel::<Box<dyn FnOnce() + Send>>();
        let receiver = Arc::new(std::sync::Mutex::new(receiver));
        let cores = std::thread::available_parallelism().map_or(2, std::num::NonZero::get);
        for idx in 0..cores {
            let receiver = Arc::clone(&receiver);
            let spawned = std::thread::Builder::new().name(format!("verifier-{idx}")).spawn(move || {
                loop {
                    let next = receiver.lock().expect("the queue is never poisoned").recv();
                    match next {
                        Ok(job) => job(),
                        Err(_) => break,
                    }
                }
            });
            if let Err(err) = spawned {
                tracing::error!(error = %err, "cannot start a verification thread");
            }
        }
        Verifiers { queue: std::sync::Mutex::new(sender) }
    }

    async fn run<T: Send + 'static>(&self, work: impl FnOnce() -> T + Send + 'static) -> Result<T, ()> {
        let (done, answer) = tokio::sync::oneshot::channel();
        let job: Box<dyn FnOnce() + Send> = Box::new(move || {
            let _ = done.send(work());
        });
        self.queue.lock().expect("the queue is never poisoned").send(job).map_err(|_| ())?;
        answer.await.map_err(|_| ())
    }
}

fn verifiers() -> &'static Verifiers {
    static VERIFIERS: OnceLock<Verifiers> = OnceLock::new();
    VERIFIERS.get_or_init(Verifiers::start)
}

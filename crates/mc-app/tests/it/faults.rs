//! Cohort jobs and transient faults: a key store that does not answer for a while, and a
//! PostgreSQL server that drops the worker's connections mid-job. The job finishes, and every
//! learner gets the credential once; a lasting fault fails the job with its reason.

use std::{
    collections::HashSet,
    sync::{
        Arc,
        atomic::{AtomicBool, AtomicU32, Ordering},
    },
};

use mc_app::{App, AppError, CohortRow, CohortSubmission, JobState, KeyStore, KeyVault};
use mc_core::Timestamp;
use mc_store::{IssuerKeyRecord, Store};
use mc_test_support::TestDb;
use mc_vc::proof::Suite;

const SPEC: &str = "01936a3e-0000-7000-8000-000000000001"; // valdeoliva

/// A key store that, after `succeed` signatures, fails the next `failures` with the error
/// `fail` makes.
#[derive(Debug)]
struct Faulty {
    vault: KeyVault,
    succeed: AtomicU32,
    failures: AtomicU32,
    fail: fn() -> AppError,
}

impl KeyStore for Faulty {
    fn generate(&self, institution: &str, key_id: &str) -> Result<(String, Vec<u8>), AppError> {
        self.vault.generate(institution, key_id)
    }

    fn sign(&self, record: &IssuerKeyRecord, data: &[u8]) -> Result<Vec<u8>, AppError> {
        if self.succeed.fetch_update(Ordering::SeqCst, Ordering::SeqCst, |left| left.checked_sub(1)).is_ok() {
            return self.vault.sign(record, data);
        }
        match self.failures.fetch_update(Ordering::SeqCst, Ordering::SeqCst, |left| left.checked_sub(1)) {
            Ok(_) => Err((self.fail)()),
            Err(_) => self.vault.sign(record, data),
        }
    }

    fn keep_seal_key(&self, institution: &str, certificate: &[u8], pkcs8: &[u8]) -> Result<Vec<u8>, AppError> {
        self.vault.keep_seal_key(institution, certificate, pkcs8)
    }

    fn open_seal_key(&self, institution: &str, certificate: &[u8], stored: &[u8]) -> Result<Vec<u8>, AppError> {
        self.vault.open_seal_key(institution, certificate, stored)
    }
}

/// An app over `store` whose key store fails as `fail` says, once told how often.
fn with_faulty_keys(store: &Store, fail: fn() -> AppError) -> (App, Arc<Faulty>) {
    let keys = Arc::new(Faulty {
        vault: KeyVault::new(&[7; 32]),
        succeed: AtomicU32::new(0),
        failures: AtomicU32::new(0),
        fail,
    });
    (App::new(store.clone()).with_key_store(keys.clone()), keys)
}

fn rows(count: usize) -> Vec<(usize, CohortRow)> {
    (0..count)
        .map(|idx| {
            let row = CohortRow {
                name: Some(format!("Learner {idx}")),
                email: Some(format!("learner-{idx}@faults.example")),
                ..CohortRow::default()
            };
            (idx + 2, row)
        })
        .collect()
}

/// Loads the demo and queues a job of `count` rows; returns the job's id.
async fn queued_job(app: &App, count: usize) -> String {
    let now = Timestamp::parse("2026-01-01T00:00:00Z").unwrap();
    app.operator().load_demo(now).await.unwrap();
    let submission = CohortSubmission {
        spec: SPEC,
        cohort_key: None,
        suite: Suite::EddsaJcs2022,
        format: mc_core::CredentialFormat::OpenBadges,
        rows: rows(count),
    };
    let issuer = app.operator().acting_for("valdeoliva").await.unwrap().issuer();
    issuer.submit_cohort(submission, now).await.unwrap().id
}

async fn job_state(app: &App, id: &str) -> mc_app::CohortJob {
    app.operator().acting_for("valdeoliva").await.unwrap().issuer().cohort_job(id).await.unwrap()
}

/// Every row's learner has exactly one credential of the job's cohort.
async fn assert_each_learner_once(store: &Store, count: usize, backend: &str) {
    let credentials = store.db().await.unwrap().credentials(mc_store::CredentialFilter::default()).await.unwrap();
    let learners: HashSet<&str> = credentials.iter().map(|credential| credential.learner_id.as_str()).collect();
    assert_eq!((credentials.len(), learners.len()), (count, count), "[{backend}] one credential per learner");
}

#[tokio::test]
async fn a_cohort_job_waits_out_a_key_store_that_does_not_answer() {
    for db in TestDb::all().await {
        let store = Store::open(&db.url).await.unwrap();
        let (app, keys) = with_faulty_keys(&store, || AppError::Unavailable("the key store does not answer".into()));
        let id = queued_job(&app, 300).await;
        keys.failures.store(4, Ordering::SeqCst);
        assert!(app.work_on_next_job("worker-1", 60).await.unwrap());
        let job = job_state(&app, &id).await;
        assert_eq!((job.state, job.issued, job.error.as_deref()), (JobState::Done, 300, None), "[{}]", db.backend);
        assert_eq!(keys.failures.load(Ordering::SeqCst), 0, "every failure was met");
        assert_each_learner_once(&store, 300, db.backend).await;
        store.close().await;
    }
}

#[tokio::test]
async fn a_lasting_key_store_fault_fails_the_job_with_its_reason() {
    let db = TestDb::sqlite();
    let store = Store::open(&db.url).await.unwrap();
    let (app, keys) = with_faulty_keys(&store, || AppError::Keys("the key was destroyed".into()));
    let id = queued_job(&app, 10).await;
    keys.failures.store(u32::MAX, Ordering::SeqCst);
    assert!(app.work_on_next_job("worker-1", 60).await.unwrap());
    let job = job_state(&app, &id).await;
    assert_eq!((job.state, job.issued), (JobState::Failed, 0));
    assert!(job.error.as_deref().is_some_and(|error| error.contains("destroyed")), "{job:?}");
    assert_eq!(keys.failures.load(Ordering::SeqCst), u32::MAX - 1, "not tried again");
    assert_each_learner_once(&store, 0, db.backend).await;
}

#[tokio::test]
async fn a_job_failed_midway_keeps_the_progress_of_its_committed_batches() {
    let db = TestDb::sqlite();
    let store = Store::open(&db.url).await.unwrap();
    let (app, keys) = with_faulty_keys(&store, || AppError::Keys("the key was destroyed".into()));
    let id = queued_job(&app, 2_400).await;
    // The first batch of 1,000 signs; the second fails for good.
    keys.succeed.store(1_200, Ordering::SeqCst);
    keys.failures.store(u32::MAX, Ordering::SeqCst);
    assert!(app.work_on_next_job("worker-1", 60).await.unwrap());
    let job = job_state(&app, &id).await;
    assert_eq!((job.state, job.processed, job.issued), (JobState::Failed, 1_000, 1_000), "{job:?}");
    assert_each_learner_once(&store, 1_000, db.backend).await;
}

/// The worker's connections are terminated by the server (`pg_terminate_backend`) while it
/// works, three times; the job still finishes, and nobody gets a credential twice.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_cohort_job_survives_its_database_connections_being_dropped() {
    let Some(db) = TestDb::postgres().await else { return };
    const ROWS: usize = 1_500;
    let name = format!("mc_faults_{}", std::process::id());
    let store = Store::open(&format!("{}&application_name={name}", db.url)).await.unwrap();
    let app = App::new(store.clone()).with_vault(KeyVault::new(&[7; 32]));
    let id = queued_job(&app, ROWS).await;
    // Read before the killer starts: this read is not the worker's, and is not retried.
    let mut job = job_state(&app, &id).await;

    let done = Arc::new(AtomicBool::new(false));
    let killer = {
        let (done, name) = (done.clone(), name.clone());
        let mut killer = mc_test_support::ConnectionKiller::connect().await.unwrap();
        tokio::spawn(async move {
            // Three times, each once the worker is at work again.
            let mut killed = 0;
            while !done.load(Ordering::SeqCst) && killed < 3 {
                let now = killer.kill_busy(&name).await;
                killed += now;
                let pause = if now > 0 { 300 } else { 5 };
                tokio::time::sleep(std::time::Duration::from_millis(pause)).await;
            }
            killed
        })
    };
    // As the server's worker loop does: a claim that fails is tried again at the next poll.
    while job.state.is_open() {
        if let Err(err) = app.work_on_next_job("worker-1", 2).await {
            assert!(err.is_transient(), "only transient faults are expected: {err}");
            tokio::time::sleep(std::time::Duration::from_millis(50)).await;
        }
        job = loop {
            match app.operator().acting_for("valdeoliva").await {
                Ok(member) => match member.issuer().cohort_job(&id).await {
                    Ok(job) => break job,
                    Err(err) => assert!(err.is_transient(), "{err}"),
                },
                Err(err) => assert!(err.is_transient(), "{err}"),
            }
        };
    }
    done.store(true, Ordering::SeqCst);
    let killed = killer.await.unwrap();
    assert!(killed > 0, "no connection was dropped while at work: the test proved nothing");
    assert_eq!((job.state, job.error.as_deref()), (JobState::Done, None), "{job:?}");
    assert_eq!(job.processed, ROWS as u64);
    // Progress is recorded in each batch's own transaction: no batch was committed uncounted,
    // so none had to be skipped when it was worked on again.
    assert_eq!((job.issued, job.skipped), (ROWS as u64, 0), "{job:?}");
    assert_each_learner_once(&store, ROWS, db.backend).await;
    store.close().await;
}

//! The cohort job queue: jobs round trip, are claimed oldest first under a lease, are taken
//! again when the lease runs out, and take progress only from the worker holding them.

use mc_store::{CohortJobRecord, CredentialRecord, JobProgress, Store};

use crate::fixtures::{assert_conflict, assert_missing_reference, credential, setup, spec_key};

const JOB_TAKEN: &str = "a cohort job with this id";

/// A queued cohort job of `institution` for specification `spec`.
fn job(id: &str, institution: &str, spec: u128, created_at: &str) -> CohortJobRecord {
    CohortJobRecord {
        id: id.into(),
        institution_id: institution.into(),
        spec_id: spec_key(spec),
        cohort_key: format!("cohort-{id}"),
        suite: "eddsa-jcs-2022".into(),
        format: "ob3".into(),
        rows: r#"[[2,{"name":"Ana","email":"ana@learners.example"}]]"#.into(),
        state: "queued".into(),
        total: 3,
        processed: 0,
        issued: 0,
        skipped: 0,
        rejected: r#"[{"line":3,"message":"no email"}]"#.into(),
        error: None,
        worker: None,
        lease_until: None,
        created_at: created_at.into(),
        updated_at: created_at.into(),
    }
}

/// A job with every optional field set, and counts beyond 32 bits.
fn full_job() -> CohortJobRecord {
    CohortJobRecord {
        state: "failed".into(),
        format: "both".into(),
        total: 5_000_000_000,
        processed: 4_000_000_001,
        issued: 4_000_000_000,
        skipped: 1,
        error: Some("the key vault is locked".into()),
        worker: Some("worker-a".into()),
        lease_until: Some(9_000_000_000),
        updated_at: "2026-01-01T01:00:00Z".into(),
        ..job("j-full", "uca", 1, "2026-01-01T00:00:00Z")
    }
}

fn progress(state: &str, processed: u64) -> JobProgress<'_> {
    JobProgress { state, processed, issued: processed, skipped: 0, error: None }
}

pub(crate) async fn cohort_jobs_round_trip(store: &Store) {
    setup(store).await;
    let queued = job("j-queued", "uca", 2, "2026-01-02T00:00:00Z");
    let tied = job("j-tied", "uca", 2, "2026-01-02T00:00:00Z");
    let theirs = job("j-theirs", "unito", 3, "2026-01-03T00:00:00Z");
    for record in [&full_job(), &queued, &tied, &theirs] {
        store.db().await.unwrap().insert_job(record).await.unwrap();
    }
    assert_eq!(store.db().await.unwrap().job("j-full").await.unwrap(), Some(full_job()));
    assert_eq!(store.db().await.unwrap().job("j-queued").await.unwrap(), Some(queued.clone()));
    assert_eq!(store.db().await.unwrap().job("j-none").await.unwrap(), None);
    // An institution's jobs, newest first (then by id, descending).
    let listed = store.db().await.unwrap().jobs_of("uca").await.unwrap();
    assert_eq!(listed, vec![tied, queued, full_job()]);
    assert_eq!(store.db().await.unwrap().jobs_of("unito").await.unwrap(), vec![theirs]);

    let again = job("j-full", "unito", 3, "2026-02-01T00:00:00Z");
    assert_conflict(store.db().await.unwrap().insert_job(&again).await, JOB_TAKEN, Some("id"));
    let no_spec = CohortJobRecord { spec_id: spec_key(9), ..job("j-orphan", "uca", 1, "t") };
    assert_missing_reference(store.db().await.unwrap().insert_job(&no_spec).await, JOB_TAKEN);
    let no_institution = job("j-orphan", "nowhere", 1, "t");
    assert_missing_reference(store.db().await.unwrap().insert_job(&no_institution).await, JOB_TAKEN);
    assert_eq!(store.db().await.unwrap().job("j-orphan").await.unwrap(), None);
    assert_eq!(store.db().await.unwrap().job("j-full").await.unwrap(), Some(full_job()));
}

pub(crate) async fn only_the_latest_fifty_jobs_are_listed(store: &Store) {
    setup(store).await;
    let mut tx = store.begin().await.unwrap();
    for n in 0..52 {
        tx.db().insert_job(&job(&format!("j{n:02}"), "uca", 1, &format!("2026-01-01T00:{n:02}:00Z"))).await.unwrap();
    }
    tx.commit().await.unwrap();
    let listed = store.db().await.unwrap().jobs_of("uca").await.unwrap();
    let ids: Vec<&str> = listed.iter().map(|job| job.id.as_str()).collect();
    assert_eq!(ids.len(), 50);
    assert_eq!((ids[0], ids[49]), ("j51", "j02"));
}

pub(crate) async fn jobs_are_claimed_oldest_first_under_a_lease(store: &Store) {
    setup(store).await;
    let older = job("j-older", "uca", 1, "2026-01-01T00:00:00Z");
    let newer = job("j-newer", "unito", 3, "2026-01-01T00:05:00Z");
    let done = CohortJobRecord { state: "done".into(), ..job("j-done", "uca", 2, "2025-01-01T00:00:00Z") };
    let failed = CohortJobRecord { state: "failed".into(), ..job("j-failed", "uca", 2, "2025-01-02T00:00:00Z") };
    for record in [&newer, &done, &older, &failed] {
        store.db().await.unwrap().insert_job(record).await.unwrap();
    }
    let claim = |worker: &'static str, now: i64| async move {
        let at = format!("claimed at {now}");
        store.db().await.unwrap().claim_job(worker, now, now + 60, &at).await.unwrap()
    };
    let running = |record: &CohortJobRecord, worker: &str, now: i64| CohortJobRecord {
        state: "running".into(),
        worker: Some(worker.into()),
        lease_until: Some(now + 60),
        updated_at: format!("claimed at {now}"),
        ..record.clone()
    };

    // The oldest job that waits (finished ones never do) goes to the first worker to ask.
    assert_eq!(claim("a", 100).await, Some(running(&older, "a", 100)));
    assert_eq!(store.db().await.unwrap().job("j-older").await.unwrap(), Some(running(&older, "a", 100)));
    // While its lease lasts, the next worker gets the next job, and then nothing.
    assert_eq!(claim("b", 110).await, Some(running(&newer, "b", 110)));
    assert_eq!(claim("c", 120).await, None);
    // The lease of "a" ends at 160: still held then, taken by another worker after.
    assert_eq!(claim("c", 160).await, None);
    assert_eq!(claim("c", 161).await, Some(running(&older, "c", 161)));

    // The worker that lost the lease can no longer record progress; nothing changes.
    assert!(!store.db().await.unwrap().update_job("j-older", "a", progress("running", 1), 500, "late").await.unwrap());
    assert_eq!(store.db().await.unwrap().job("j-older").await.unwrap(), Some(running(&older, "c", 161)));
    // The holder records progress and renews its lease.
    assert!(
        store.db().await.unwrap().update_job("j-older", "c", progress("running", 2), 400, "progress").await.unwrap()
    );
    let renewed = CohortJobRecord {
        processed: 2,
        issued: 2,
        lease_until: Some(400),
        updated_at: "progress".into(),
        ..running(&older, "c", 161)
    };
    assert_eq!(store.db().await.unwrap().job("j-older").await.unwrap(), Some(renewed.clone()));
    // The renewed lease holds the older job, so the next claim takes the newer one, whose lease ran out.
    assert_eq!(claim("d", 300).await, Some(running(&newer, "d", 300)));
    // A failed job records why; it is then not claimed, even once its lease ran out, nor updated.
    let failure = JobProgress { state: "failed", processed: 2, issued: 1, skipped: 1, error: Some("the key is gone") };
    assert!(store.db().await.unwrap().update_job("j-older", "c", failure, 400, "failed").await.unwrap());
    let finished = CohortJobRecord {
        state: "failed".into(),
        issued: 1,
        skipped: 1,
        error: Some("the key is gone".into()),
        updated_at: "failed".into(),
        ..renewed
    };
    assert_eq!(store.db().await.unwrap().job("j-older").await.unwrap(), Some(finished.clone()));
    assert!(!store.db().await.unwrap().update_job("j-older", "c", progress("running", 3), 900, "again").await.unwrap());
    assert_eq!(claim("e", 1_000).await.map(|job| job.id), Some("j-newer".into()));
    assert!(store.db().await.unwrap().update_job("j-newer", "e", progress("done", 1), 2_060, "done").await.unwrap());
    assert_eq!(claim("f", 3_000).await, None);
    assert_eq!(store.db().await.unwrap().job("j-older").await.unwrap(), Some(finished));
    assert_eq!(store.db().await.unwrap().job("j-done").await.unwrap(), Some(done));
}

pub(crate) async fn concurrent_claims_take_each_job_once(store: &Store) {
    setup(store).await;
    for n in 0..3 {
        store
            .db()
            .await
            .unwrap()
            .insert_job(&job(&format!("j{n}"), "uca", 1, &format!("2026-01-0{}T00:00:00Z", n + 1)))
            .await
            .unwrap();
    }
    // Six workers ask at once, each on a connection of its own.
    let claims: Vec<_> = (0..6)
        .map(|n| {
            let store = store.clone();
            tokio::spawn(async move {
                let worker = format!("w{n}");
                let claimed = store.db().await.unwrap().claim_job(&worker, 100, 160, "claimed").await.unwrap();
                claimed.map(|job| (job.id, worker))
            })
        })
        .collect();
    let mut taken = Vec::new();
    for claim in claims {
        taken.extend(claim.await.unwrap());
    }
    // Whatever a worker missed meanwhile is still there for the next one to ask.
    while let Some(job) = store.db().await.unwrap().claim_job("late", 100, 160, "claimed").await.unwrap() {
        taken.push((job.id, "late".into()));
    }
    taken.sort();
    let ids: Vec<&str> = taken.iter().map(|(id, _)| id.as_str()).collect();
    assert_eq!(ids, ["j0", "j1", "j2"], "each job is taken once");
    for (id, worker) in &taken {
        let stored = store.db().await.unwrap().job(id).await.unwrap().unwrap();
        assert_eq!((stored.state.as_str(), stored.worker.as_ref()), ("running", Some(worker)), "{id}");
    }
}

pub(crate) async fn cohort_size_counts_the_credentials_of_a_cohort(store: &Store) {
    setup(store).await;
    let in_cohort = |id: &str, spec: u128, learner: u128, cohort: &str| CredentialRecord {
        cohort_key: cohort.into(),
        ..credential(id, if spec == 3 { "unito" } else { "uca" }, spec, learner, "t")
    };
    for record in [
        in_cohort("c1", 1, 1, "spring"),
        in_cohort("c2", 1, 2, "spring"),
        in_cohort("c3", 1, 1, "autumn"),
        in_cohort("c4", 2, 1, "spring"),
        in_cohort("c5", 1, 2, ""),
    ] {
        store.db().await.unwrap().insert_credential(&record).await.unwrap();
    }
    let size = |spec: u128, cohort: &'static str| async move {
        store.db().await.unwrap().cohort_size(&spec_key(spec), cohort).await.unwrap()
    };
    assert_eq!(size(1, "spring").await, 2);
    assert_eq!(size(1, "autumn").await, 1);
    assert_eq!(size(2, "spring").await, 1);
    assert_eq!(size(1, "").await, 1);
    assert_eq!(size(3, "spring").await, 0);
    assert_eq!(size(1, "winter").await, 0);
}

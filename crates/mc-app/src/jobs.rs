//! Cohort jobs: a cohort submitted over the API or the pages is checked row by row at once,
//! queued in the database, and issued in the background by whichever server process takes it.
//! The worker records its progress and renews its lease after every batch; when it stops, the
//! lease runs out and another worker resumes the job. Credentials are issued once per
//! specification, learner and cohort key, and a batch's progress is recorded in the batch's own
//! transaction, so a resumed job issues nothing twice. Transient faults (a lost database
//! connection, a key store that does not answer) are retried with backoff.

use std::time::Duration;

use mc_core::{InstitutionId, LearnerId, Spec, Timestamp};
use mc_store::{CohortJobRecord, JobProgress, StoreError};
use mc_vc::proof::Suite;
use serde::Serialize;

use crate::{
    Added, App, AppError, CohortRow, IssueRequest, LearnerRef,
    cohort::{batches, check_row},
    issue::Prepared,
};

/// A cohort job as its submitter sees it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct CohortJob {
    /// The job's id.
    pub id: String,
    /// The institution that submitted it.
    pub institution: String,
    /// The specification issued.
    pub spec: String,
    /// The cohort key its credentials are issued under.
    pub cohort_key: String,
    /// Where it stands.
    pub state: JobState,
    /// Rows accepted.
    pub total: u64,
    /// Rows worked through.
    pub processed: u64,
    /// Credentials issued.
    pub issued: u64,
    /// Rows whose learner already had the credential (or whose batch a stopped worker had
    /// committed before its progress was recorded).
    pub skipped: u64,
    /// Rows refused when the job was submitted.
    pub rejected: Vec<RejectedRow>,
    /// Why the job failed.
    pub error: Option<String>,
    /// When it was submitted.
    pub created_at: Timestamp,
    /// When it last changed.
    pub updated_at: Timestamp,
}

/// Where a cohort job stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum JobState {
    /// Waiting for a worker.
    Queued,
    /// A worker is issuing it.
    Running,
    /// Every row was worked through.
    Done,
    /// Stopped by an error; see the job's `error`.
    Failed,
}

impl JobState {
    fn parse(raw: &str) -> Option<JobState> {
        [JobState::Queued, JobState::Running, JobState::Done, JobState::Failed]
            .into_iter()
            .find(|state| state.as_str() == raw)
    }

    /// The state's name: `queued`, `running`, `done` or `failed`.
    pub fn as_str(self) -> &'static str {
        match self {
            JobState::Queued => "queued",
            JobState::Running => "running",
            JobState::Done => "done",
            JobState::Failed => "failed",
        }
    }

    /// Whether a worker has yet to finish it.
    pub fn is_open(self) -> bool {
        matches!(self, JobState::Queued | JobState::Running)
    }
}

impl std::fmt::Display for JobState {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A row refused, with its line (CSV) or entry number (JSON).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, serde::Deserialize)]
pub struct RejectedRow {
    /// The line or entry number.
    pub line: usize,
    /// Why.
    pub message: String,
}

/// What to submit.
#[derive(Debug, Clone)]
pub struct CohortSubmission<'a> {
    /// The specification's id.
    pub spec: &'a str,
    /// The cohort key; the job's id when `None`.
    pub cohort_key: Option<&'a str>,
    /// The cryptosuite.
    pub suite: Suite,
    /// The formats to issue.
    pub format: mc_core::CredentialFormat,
    /// The rows, each with its line.
    pub rows: Vec<(usize, CohortRow)>,
}

/// The most rows one job takes.
pub const MAX_JOB_ROWS: usize = 20_000;

impl CohortJob {
    fn from_record(record: CohortJobRecord) -> Result<CohortJob, AppError> {
        let damaged =
            |detail: String| AppError::from(StoreError::Corrupt { what: "cohort job", id: record.id.clone(), detail });
        let rejected = serde_json::from_str(&record.rejected).map_err(|err| damaged(err.to_string()))?;
        let state = JobState::parse(&record.state).ok_or_else(|| damaged(format!("state {:?}", record.state)))?;
        let created_at = crate::records::time(&record.created_at, &damaged)?;
        let updated_at = crate::records::time(&record.updated_at, &damaged)?;
        Ok(CohortJob {
            id: record.id,
            institution: record.institution_id,
            spec: record.spec_id,
            cohort_key: record.cohort_key,
            state,
            total: record.total,
            processed: record.processed,
            issued: record.issued,
            skipped: record.skipped,
            rejected,
            error: record.error,
            created_at,
            updated_at,
        })
    }
}

impl App {
    /// Checks every row and queues the accepted ones for issuing `spec`, which `institution`
    /// issues and has published.
    pub(crate) async fn submit_cohort(
        &self,
        institution: &InstitutionId,
        spec: &Spec,
        submission: CohortSubmission<'_>,
        now: Timestamp,
    ) -> Result<CohortJob, AppError> {
        self.refuse_draft(spec).await?;
        if submission.rows.is_empty() || submission.rows.len() > MAX_JOB_ROWS {
            return Err(AppError::InvalidArgument {
                what: "learners",
                source: mc_core::ValueError::new(format!(
                    "a cohort has 1 to {MAX_JOB_ROWS} learners, not {}",
                    submission.rows.len()
                )),
            });
        }
        if let Some(key) = submission.cohort_key {
            mc_core::PlainText::parse(key, 200).map_err(|err| AppError::invalid_argument("cohort_key", err))?;
        }
        let mut accepted = Vec::new();
        let mut rejected = Vec::new();
        for (line, row) in submission.rows {
            match check_row(&row, LearnerId::from_uuid(self.new_id())) {
                Ok(_) => accepted.push((line, row)),
                Err(message) => rejected.push(RejectedRow { line, message }),
            }
        }
        let id = self.new_id().to_string();
        let rows = serde_json::to_string(&accepted).expect("rows always serialize");
        let at = now.to_rfc3339();
        let total = accepted.len() as u64;
        let record = CohortJobRecord {
            cohort_key: submission.cohort_key.map_or_else(|| id.clone(), str::to_owned),
            id,
            institution_id: institution.to_string(),
            spec_id: spec.id().to_string(),
            suite: submission.suite.name().to_owned(),
            format: submission.format.as_str().to_owned(),
            rows,
            state: if total == 0 { JobState::Done } else { JobState::Queued }.as_str().to_owned(),
            total,
            processed: 0,
            issued: 0,
            skipped: 0,
            rejected: serde_json::to_string(&rejected).expect("rows always serialize"),
            error: None,
            worker: None,
            lease_until: None,
            created_at: at.clone(),
            updated_at: at,
        };
        self.store().db().await?.insert_job(&record).await?;
        tracing::info!(job.id = %record.id, institution.id = %record.institution_id, rows = total, "cohort job queued");
        CohortJob::from_record(record)
    }

    /// A cohort job.
    pub(crate) async fn cohort_job(&self, id: &str) -> Result<CohortJob, AppError> {
        let record = self
            .store()
            .db()
            .await?
            .job(id)
            .await?
            .ok_or_else(|| AppError::NotFound { what: "cohort job", id: id.into() })?;
        CohortJob::from_record(record)
    }

    /// An institution's latest cohort jobs, newest first.
    pub(crate) async fn cohort_jobs(&self, institution: &InstitutionId) -> Result<Vec<CohortJob>, AppError> {
        let records = self.store().db().await?.jobs_of(institution.as_str()).await?;
        records.into_iter().map(CohortJob::from_record).collect()
    }

    /// Takes the next job that waits (or whose worker stopped) and works it through as
    /// `worker`, holding it `lease_seconds` at a time. Returns whether there was one. A
    /// transient fault (a lost database connection, an unavailable key store) is retried with
    /// backoff; only a lasting one fails the job.
    pub async fn work_on_next_job(&self, worker: &str, lease_seconds: i64) -> Result<bool, AppError> {
        let start = self.now();
        let Some(job) = self
            .store()
            .db()
            .await?
            .claim_job(worker, start.unix_seconds(), start.unix_seconds() + lease_seconds, &start.to_rfc3339())
            .await?
        else {
            return Ok(false);
        };
        tracing::info!(job.id = %job.id, worker, processed = job.processed, "cohort job taken");
        let outcome = self.work_on(&job, worker, lease_seconds).await;
        let (state, error) = match &outcome {
            Ok(Some(_)) => (JobState::Done, None),
            // The lease was lost: the job is another worker's now.
            Ok(None) => return Ok(true),
            Err(err) => (JobState::Failed, Some(err.to_string())),
        };
        let (processed, issued, skipped) = match outcome {
            Ok(Some(counts)) => counts,
            // The batches committed before the fault recorded their progress: keep it.
            _ => match self.store().db().await?.job(&job.id).await? {
                Some(stored) => (stored.processed, stored.issued, stored.skipped),
                None => (job.processed, job.issued, job.skipped),
            },
        };
        let progress = JobProgress { state: state.as_str(), processed, issued, skipped, error: error.as_deref() };
        retrying(&job.id, || async {
            let at = self.now();
            Ok(self
                .store()
                .db()
                .await?
                .update_job(&job.id, worker, progress, at.unix_seconds(), &at.to_rfc3339())
                .await?)
        })
        .await?;
        match error {
            None => tracing::info!(job.id = %job.id, issued, skipped, "cohort job done"),
            Some(error) => tracing::error!(job.id = %job.id, %error, "cohort job failed"),
        }
        Ok(true)
    }

    /// Issues a job's rows from where its progress says, batch by batch. `Ok(None)` when the
    /// lease was lost; otherwise the final counts of processed, issued and skipped rows.
    async fn work_on(
        &self,
        job: &CohortJobRecord,
        worker: &str,
        lease_seconds: i64,
    ) -> Result<Option<(u64, u64, u64)>, AppError> {
        let rows: Vec<(usize, CohortRow)> = serde_json::from_str(&job.rows).map_err(|err| StoreError::Corrupt {
            what: "cohort job",
            id: job.id.clone(),
            detail: err.to_string(),
        })?;
        let suite = Suite::from_name(&job.suite).ok_or_else(|| StoreError::Corrupt {
            what: "cohort job",
            id: job.id.clone(),
            detail: format!("unknown suite {:?}", job.suite),
        })?;
        let format = mc_core::CredentialFormat::parse(&job.format).ok_or_else(|| StoreError::Corrupt {
            what: "cohort job",
            id: job.id.clone(),
            detail: format!("unknown format {:?}", job.format),
        })?;
        let prepared = retrying(&job.id, || self.prepare(&job.spec_id, self.now())).await?;
        let mut counts = (job.processed, job.issued, job.skipped);
        let remaining = rows.get(job.processed as usize..).unwrap_or_default();
        for chunk in batches(remaining) {
            let batch = JobBatch { job, worker, lease_seconds, suite, format, prepared: &prepared, rows: chunk };
            match retrying(&job.id, || self.issue_job_batch(&batch, counts)).await? {
                Some(next) => counts = next,
                None => {
                    tracing::warn!(job.id = %job.id, worker, "cohort job lease lost; another worker resumes it");
                    return Ok(None);
                }
            }
        }
        Ok(Some(counts))
    }

    /// Issues one batch of a job's rows and records the job's progress (and renews its lease)
    /// in the same transaction, so that a batch is counted exactly when it is committed.
    /// `Ok(None)`, with nothing issued, when the lease was lost.
    async fn issue_job_batch(
        &self,
        batch: &JobBatch<'_>,
        (processed, issued, skipped): (u64, u64, u64),
    ) -> Result<Option<(u64, u64, u64)>, AppError> {
        // Tried again after a fault, the batch may have been committed already (the answer to
        // its COMMIT was what was lost): the job's progress, committed with it, tells.
        if let Some(stored) = self.store().db().await?.job(&batch.job.id).await? {
            if stored.worker.as_deref() != Some(batch.worker) {
                return Ok(None);
            }
            if stored.processed > processed {
                return Ok(Some((stored.processed, stored.issued, stored.skipped)));
            }
        }
        let request = IssueRequest {
            spec: &batch.job.spec_id,
            learner: LearnerRef::IdOrEmail(""),
            suite: batch.suite,
            format: batch.format,
            cohort_key: Some(&batch.job.cohort_key),
            idempotency_key: None,
            grade: None,
            now: self.now(),
        };
        let (checked, _rejected) = self.check_rows(batch.rows);
        let (mut open, done) = self.issue_batch(batch.prepared, &checked, &request).await?;
        let new = done.iter().filter(|(_, added)| *added == Added::New).count() as u64;
        let counts = (processed + batch.rows.len() as u64, issued + new, skipped + (done.len() as u64 - new));
        let at = self.now();
        let progress = JobProgress {
            state: JobState::Running.as_str(),
            processed: counts.0,
            issued: counts.1,
            skipped: counts.2,
            error: None,
        };
        let lease_until = at.unix_seconds() + batch.lease_seconds;
        let held =
            open.tx().db().update_job(&batch.job.id, batch.worker, progress, lease_until, &at.to_rfc3339()).await?;
        if !held {
            // Dropped, the transaction rolls back: the worker that holds the job issues these.
            return Ok(None);
        }
        self.commit_batch(open).await?;
        Ok(Some(counts))
    }
}

/// One batch of a job's rows and what issuing it needs.
struct JobBatch<'a> {
    job: &'a CohortJobRecord,
    worker: &'a str,
    lease_seconds: i64,
    suite: Suite,
    format: mc_core::CredentialFormat,
    prepared: &'a Prepared,
    rows: &'a [(usize, CohortRow)],
}

/// How often a transient fault is tried again, and the waits between tries: 0.1 s, doubling,
/// at most 5 s (about 11 s in all, less than the default 30 s lease).
const RETRY_ATTEMPTS: u32 = 8;
const RETRY_FIRST_WAIT: Duration = Duration::from_millis(100);
const RETRY_MAX_WAIT: Duration = Duration::from_secs(5);

/// Runs `attempt` until it succeeds, fails for good, or has failed transiently
/// [`RETRY_ATTEMPTS`] times, waiting longer after each failure.
async fn retrying<T, F, Fut>(job_id: &str, mut attempt: F) -> Result<T, AppError>
where
    F: FnMut() -> Fut,
    Fut: Future<Output = Result<T, AppError>>,
{
    let mut wait = RETRY_FIRST_WAIT;
    let mut tries = 1;
    loop {
        match attempt().await {
            Err(err) if err.is_transient() && tries < RETRY_ATTEMPTS => {
                tracing::warn!(job.id = %job_id, error = %err, tries, "cohort job hit a transient fault; trying again");
                tokio::time::sleep(wait).await;
                wait = (wait * 2).min(RETRY_MAX_WAIT);
                tries += 1;
            }
            outcome => return outcome,
        }
    }
}

#[cfg(test)]
mod tests {
    use mc_test_support::TestDb;

    use super::*;
    use crate::{CohortSubmission, KeyVault};

    /// A batch tried again after its COMMIT went through (only the answer was lost) issues
    /// nothing more and counts nothing twice: the job's progress, committed with the batch,
    /// says it is done.
    #[tokio::test]
    async fn a_batch_tried_again_after_it_was_committed_is_not_counted_twice() {
        let db = TestDb::sqlite();
        let app = App::open(&db.url).await.unwrap().with_vault(KeyVault::new(&[5; 32]));
        let now = Timestamp::parse("2026-01-01T00:00:00Z").unwrap();
        app.operator().load_demo(now).await.unwrap();
        let rows: Vec<(usize, CohortRow)> = (0..3)
            .map(|idx| {
                let row = CohortRow {
                    name: Some(format!("Learner {idx}")),
                    email: Some(format!("learner-{idx}@retry.example")),
                    ..CohortRow::default()
                };
                (idx + 2, row)
            })
            .collect();
        let submission = CohortSubmission {
            spec: "01936a3e-0000-7000-8000-000000000001",
            cohort_key: None,
            suite: Suite::EddsaJcs2022,
            format: mc_core::CredentialFormat::OpenBadges,
            rows: rows.clone(),
        };
        let issuer = app.operator().acting_for("valdeoliva").await.unwrap().issuer();
        issuer.submit_cohort(submission, now).await.unwrap();
        let job = app.store().db().await.unwrap().claim_job("w", 0, i64::MAX, "t").await.unwrap().unwrap();
        let prepared = app.prepare(&job.spec_id, now).await.unwrap();
        let batch = JobBatch {
            job: &job,
            worker: "w",
            lease_seconds: 60,
            suite: Suite::EddsaJcs2022,
            format: mc_core::CredentialFormat::OpenBadges,
            prepared: &prepared,
            rows: &rows,
        };
        assert_eq!(app.issue_job_batch(&batch, (0, 0, 0)).await.unwrap(), Some((3, 3, 0)));
        assert_eq!(app.issue_job_batch(&batch, (0, 0, 0)).await.unwrap(), Some((3, 3, 0)), "the second try");
        let credentials = app.store().db().await.unwrap().credentials(mc_store::CredentialFilter::default()).await;
        assert_eq!(credentials.unwrap().len(), 3, "each issued once");
        let other = JobBatch { worker: "someone-else", ..batch };
        assert_eq!(app.issue_job_batch(&other, (3, 3, 0)).await.unwrap(), None, "a worker that lost the lease");
    }
}

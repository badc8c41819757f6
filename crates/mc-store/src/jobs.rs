//! The cohort job queue: jobs are taken by whichever server process asks first, held under a
//! lease the worker renews as it goes, and taken again by another when the lease runs out.
//! On PostgreSQL workers skip the rows others have locked (`FOR UPDATE SKIP LOCKED`); on
//! SQLite the write lock already lets one take a job at a time.

use sqlx::{AnyConnection, Row, any::AnyRow};
use std::ops::DerefMut;

use crate::{Backend, Db, StoreError};

/// A cohort issuing job.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CohortJobRecord {
    /// The job's id.
    pub id: String,
    /// The institution that asked for it.
    pub institution_id: String,
    /// The specification to issue.
    pub spec_id: String,
    /// The cohort key its credentials are issued under.
    pub cohort_key: String,
    /// The cryptosuite.
    pub suite: String,
    /// `ob3`, `edc` or `both`.
    pub format: String,
    /// The rows to issue, JSON (an array of `[line, row]`).
    pub rows: String,
    /// `queued`, `running`, `done` or `failed`.
    pub state: String,
    /// How many rows were accepted.
    pub total: u64,
    /// How many rows have been worked through.
    pub processed: u64,
    /// How many credentials were issued.
    pub issued: u64,
    /// How many rows already had their credential.
    pub skipped: u64,
    /// The rows refused, JSON (an array of `{line, message}`).
    pub rejected: String,
    /// Why the job failed.
    pub error: Option<String>,
    /// The worker holding it.
    pub worker: Option<String>,
    /// Unix seconds until which the worker holds it.
    pub lease_until: Option<i64>,
    /// When it was submitted (RFC 3339).
    pub created_at: String,
    /// When it last changed (RFC 3339).
    pub updated_at: String,
}

/// Every column of `cohort_jobs`, in a statement: `with_columns!("SELECT ", " FROM ...")`.
macro_rules! with_columns {
    ($head:expr, $tail:expr) => {
        concat!(
            $head,
            "id, institution_id, spec_id, cohort_key, suite, rows, state, total, processed, issued, skipped, \
             rejected, error, worker, lease_until, created_at, updated_at, format",
            $tail
        )
    };
}

fn count(row: &AnyRow, column: &str) -> Result<u64, StoreError> {
    Ok(row.try_get::<i64, _>(column)?.max(0) as u64)
}

fn job_from_row(row: &AnyRow) -> Result<CohortJobRecord, StoreError> {
    Ok(CohortJobRecord {
        id: row.try_get("id")?,
        institution_id: row.try_get("institution_id")?,
        spec_id: row.try_get("spec_id")?,
        cohort_key: row.try_get("cohort_key")?,
        suite: row.try_get("suite")?,
        format: row.try_get("format")?,
        rows: row.try_get("rows")?,
        state: row.try_get("state")?,
        total: count(row, "total")?,
        processed: count(row, "processed")?,
        issued: count(row, "issued")?,
        skipped: count(row, "skipped")?,
        rejected: row.try_get("rejected")?,
        error: row.try_get("error")?,
        worker: row.try_get("worker")?,
        lease_until: row.try_get("lease_until")?,
        created_at: row.try_get("created_at")?,
        updated_at: row.try_get("updated_at")?,
    })
}

/// Progress of a job, written by the worker that holds it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct JobProgress<'a> {
    /// `running`, `done` or `failed`.
    pub state: &'a str,
    /// Rows worked through.
    pub processed: u64,
    /// Credentials issued.
    pub issued: u64,
    /// Rows that already had their credential.
    pub skipped: u64,
    /// Why it failed.
    pub error: Option<&'a str>,
}

impl<C: DerefMut<Target = AnyConnection> + Send> Db<C> {
    /// Queues a cohort job.
    pub async fn insert_job(&mut self, job: &CohortJobRecord) -> Result<(), StoreError> {
        let conn: &mut AnyConnection = &mut self.conn;
        sqlx::query(with_columns!(
            "INSERT INTO cohort_jobs (",
            ") VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18)"
        ))
        .bind(&job.id)
        .bind(&job.institution_id)
        .bind(&job.spec_id)
        .bind(&job.cohort_key)
        .bind(&job.suite)
        .bind(&job.rows)
        .bind(&job.state)
        .bind(job.total as i64)
        .bind(job.processed as i64)
        .bind(job.issued as i64)
        .bind(job.skipped as i64)
        .bind(&job.rejected)
        .bind(&job.error)
        .bind(&job.worker)
        .bind(job.lease_until)
        .bind(&job.created_at)
        .bind(&job.updated_at)
        .bind(&job.format)
        .execute(conn)
        .await
        .map_err(|err| StoreError::from_write("a cohort job with this id", &["id"], err))?;
        Ok(())
    }

    /// The cohort job with this id.
    pub async fn job(&mut self, id: &str) -> Result<Option<CohortJobRecord>, StoreError> {
        let conn: &mut AnyConnection = &mut self.conn;
        let row = sqlx::query(with_columns!("SELECT ", " FROM cohort_jobs WHERE id = $1"))
            .bind(id)
            .fetch_optional(conn)
            .await?;
        row.as_ref().map(job_from_row).transpose()
    }

    /// An institution's latest cohort jobs, newest first.
    pub async fn jobs_of(&mut self, institution_id: &str) -> Result<Vec<CohortJobRecord>, StoreError> {
        let conn: &mut AnyConnection = &mut self.conn;
        let rows = sqlx::query(with_columns!(
            "SELECT ",
            " FROM cohort_jobs WHERE institution_id = $1 ORDER BY created_at DESC, id DESC LIMIT 50"
        ))
        .bind(institution_id)
        .fetch_all(conn)
        .await?;
        rows.iter().map(job_from_row).collect()
    }

    /// Takes the oldest job that waits, or whose lease ran out by `now`, for `worker` until
    /// `lease_until` (Unix seconds).
    pub async fn claim_job(
        &mut self,
        worker: &str,
        now: i64,
        lease_until: i64,
        at: &str,
    ) -> Result<Option<CohortJobRecord>, StoreError> {
        let conn: &mut AnyConnection = &mut self.conn;
        let backend = self.backend;
        // The lease is checked again on the row being updated: under PostgreSQL's READ COMMITTED
        // a row another worker took meanwhile no longer matches.
        macro_rules! claim {
            ($lock:literal) => {
                with_columns!(
                    concat!(
                        "UPDATE cohort_jobs SET state = 'running', worker = $1, lease_until = $3, updated_at = $4 \
                         WHERE id = (SELECT id FROM cohort_jobs WHERE state IN ('queued', 'running') \
                         AND (lease_until IS NULL OR lease_until < $2) ORDER BY created_at, id LIMIT 1",
                        $lock,
                        ") AND state IN ('queued', 'running') AND (lease_until IS NULL OR lease_until < $2) RETURNING "
                    ),
                    ""
                )
            };
        }
        let statement = match backend {
            Backend::Postgres => claim!(" FOR UPDATE SKIP LOCKED"),
            Backend::Sqlite => claim!(""),
        };
        let row = sqlx::query(statement).bind(worker).bind(now).bind(lease_until).bind(at).fetch_optional(conn).await?;
        row.as_ref().map(job_from_row).transpose()
    }

    /// Records a job's progress and renews its lease, while `worker` holds it; `false` once it
    /// does not.
    pub async fn update_job(
        &mut self,
        id: &str,
        worker: &str,
        progress: JobProgress<'_>,
        lease_until: i64,
        at: &str,
    ) -> Result<bool, StoreError> {
        let conn: &mut AnyConnection = &mut self.conn;
        let done = sqlx::query(
            "UPDATE cohort_jobs SET state = $1, processed = $2, issued = $3, skipped = $4, error = $5, \
             lease_until = $6, updated_at = $7 WHERE id = $8 AND worker = $9 AND state = 'running'",
        )
        .bind(progress.state)
        .bind(progress.processed as i64)
        .bind(progress.issued as i64)
        .bind(progress.skipped as i64)
        .bind(progress.error)
        .bind(lease_until)
        .bind(at)
        .bind(id)
        .bind(worker)
        .execute(conn)
        .await?;
        Ok(done.rows_affected() == 1)
    }

    /// How many credentials were issued under a specification and cohort key.
    pub async fn cohort_size(&mut self, spec_id: &str, cohort_key: &str) -> Result<u64, StoreError> {
        let conn: &mut AnyConnection = &mut self.conn;
        let row = sqlx::query("SELECT COUNT(*) FROM credentials WHERE spec_id = $1 AND cohort_key = $2")
            .bind(spec_id)
            .bind(cohort_key)
            .fetch_one(conn)
            .await?;
        Ok(row.try_get::<i64, _>(0)?.max(0) as u64)
    }
}

//! Persistence for microcred: one [`Store`] over embedded SQLite (the default) or PostgreSQL,
//! chosen by the database URL, sharing the same SQL and the same conformance tests.
//!
//! The store knows SQL and nothing about HTTP or files. It stores domain values from
//! `mc-core`; specifications are kept as their canonical JSON document.

#![warn(missing_docs)]

mod access;
mod audit;
mod catalogue;
mod consents;
mod error;
mod jobs;
mod queries;
mod records;
mod registry;

use std::{str::FromStr, sync::Arc, time::Duration};

use mc_core::{Email, Institution, InstitutionId, Learner, Spec, SpecId};
use sqlx::{
    AnyPool, Executor, Transaction,
    any::{Any, AnyConnectOptions, AnyPoolOptions},
    migrate::Migrator,
};

pub use crate::{
    access::{ApiTokenRecord, SessionRecord, ShareLinkRecord, StaffRecord, StoredResponse},
    audit::{AuditBreak, AuditEntry, AuditWriter},
    catalogue::Counter,
    consents::ConsentRecord,
    error::StoreError,
    jobs::{CohortJobRecord, JobProgress},
    records::{CredentialRecord, IssuerKeyRecord, StatusEntryRecord, StatusListRecord},
    registry::{AccreditationRecord, TrustedIssuerRecord},
};

static SQLITE_MIGRATIONS: Migrator = sqlx::migrate!("migrations/sqlite");
static POSTGRES_MIGRATIONS: Migrator = sqlx::migrate!("migrations/postgres");

/// Set on every SQLite connection: write-ahead logging so readers never block the writer,
/// foreign keys enforced, and a wait of up to 10 s for another writer instead of failing.
const SQLITE_PRAGMAS: &str = "PRAGMA journal_mode = WAL; PRAGMA synchronous = NORMAL; \
     PRAGMA foreign_keys = ON; PRAGMA busy_timeout = 10000;";

/// The database engine behind a [`Store`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    /// Embedded SQLite, one file in the data directory.
    Sqlite,
    /// A PostgreSQL server, shared by several microcred processes.
    Postgres,
}

impl Backend {
    /// The backend a database URL names: `sqlite:` or `postgres://` / `postgresql://`.
    pub fn from_url(url: &str) -> Result<Backend, StoreError> {
        match url.split_once(':').map(|(scheme, _)| scheme) {
            Some("sqlite") => Ok(Backend::Sqlite),
            Some("postgres" | "postgresql") => Ok(Backend::Postgres),
            _ => Err(StoreError::UnsupportedUrl { url: redact(url) }),
        }
    }

    /// The statement that starts a transaction that will write. SQLite takes the write lock at
    /// once, so two writers queue on the busy timeout instead of failing on lock upgrade.
    fn begin_statement(self) -> &'static str {
        match self {
            Backend::Sqlite => "BEGIN IMMEDIATE",
            Backend::Postgres => "BEGIN",
        }
    }
}

/// Replaces the password in a database URL, for messages and logs.
pub fn redact(url: &str) -> String {
    let Some((scheme, rest)) = url.split_once("://") else { return url.to_owned() };
    let Some((userinfo, host)) = rest.split_once('@') else { return url.to_owned() };
    match userinfo.split_once(':') {
        Some((user, _password)) => format!("{scheme}://{user}:***@{host}"),
        None => url.to_owned(),
    }
}

/// Counts of what the store holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Counts {
    /// Institutions.
    pub institutions: u64,
    /// Micro-credential specifications.
    pub specs: u64,
    /// Learners.
    pub learners: u64,
}

/// The database: a connection pool and the backend it talks to. Cheap to clone.
#[derive(Debug, Clone)]
pub struct Store {
    pool: AnyPool,
    backend: Backend,
    /// SQLite has one writer at a time: this process's write transactions queue here, in
    /// order and without a time limit, rather than poll SQLite's lock until its busy timeout.
    writers: Option<Arc<tokio::sync::Mutex<()>>>,
}

impl Store {
    /// Connects to the database at `url` and brings its schema up to date. A SQLite URL with
    /// `mode=rwc` creates the file.
    pub async fn open(url: &str) -> Result<Store, StoreError> {
        let backend = Backend::from_url(url)?;
        sqlx::any::install_default_drivers();
        let options =
            AnyConnectOptions::from_str(url).map_err(|source| StoreError::Connect { url: redact(url), source })?;
        let pool_options = match backend {
            Backend::Sqlite => AnyPoolOptions::new().max_connections(4).after_connect(|conn, _meta| {
                Box::pin(async move {
                    conn.execute(SQLITE_PRAGMAS).await?;
                    Ok(())
                })
            }),
            Backend::Postgres => AnyPoolOptions::new().max_connections(8),
        };
        let pool = pool_options
            .acquire_timeout(Duration::from_secs(30))
            .connect_with(options)
            .await
            .map_err(|source| StoreError::Connect { url: redact(url), source })?;
        let migrations = match backend {
            Backend::Sqlite => &SQLITE_MIGRATIONS,
            Backend::Postgres => &POSTGRES_MIGRATIONS,
        };
        migrations.run(&pool).await.map_err(StoreError::Migrate)?;
        let writers = (backend == Backend::Sqlite).then(Arc::default);
        Ok(Store { pool, backend, writers })
    }

    /// The backend this store talks to.
    pub fn backend(&self) -> Backend {
        self.backend
    }

    /// Starts a transaction for writing. Dropping it without [`StoreTx::commit`] rolls back
    /// everything done in it.
    pub async fn begin(&self) -> Result<StoreTx, StoreError> {
        let turn = match &self.writers {
            Some(writers) => Some(Arc::clone(writers).lock_owned().await),
            None => None,
        };
        let tx = self.pool.begin_with(self.backend.begin_statement()).await?;
        Ok(StoreTx { tx, _turn: turn })
    }

    /// Closes every connection, waiting for those in use to be returned.
    pub async fn close(&self) {
        self.pool.close().await;
    }

    /// Counts what the store holds.
    pub async fn counts(&self) -> Result<Counts, StoreError> {
        queries::counts(&mut *self.pool.acquire().await?).await
    }

    /// The institution with this id.
    pub async fn institution(&self, id: &InstitutionId) -> Result<Option<Institution>, StoreError> {
        queries::find_institution(&mut *self.pool.acquire().await?, id).await
    }

    /// Every institution, by id.
    pub async fn institutions(&self) -> Result<Vec<Institution>, StoreError> {
        queries::list_institutions(&mut *self.pool.acquire().await?).await
    }

    /// The specification with this id.
    pub async fn spec(&self, id: SpecId) -> Result<Option<Spec>, StoreError> {
        queries::find_spec(&mut *self.pool.acquire().await?, id).await
    }

    /// Every specification, by issuer and title.
    pub async fn specs(&self) -> Result<Vec<Spec>, StoreError> {
        queries::list_specs(&mut *self.pool.acquire().await?).await
    }

    /// The learner with this email address.
    pub async fn learner_by_email(&self, email: &Email) -> Result<Option<Learner>, StoreError> {
        queries::find_learner_by_email(&mut *self.pool.acquire().await?, email).await
    }

    /// The learner with this id.
    pub async fn learner(&self, id: &str) -> Result<Option<Learner>, StoreError> {
        queries::find_learner(&mut *self.pool.acquire().await?, id).await
    }

    /// Every learner, by name.
    pub async fn learners(&self) -> Result<Vec<Learner>, StoreError> {
        queries::list_learners(&mut *self.pool.acquire().await?).await
    }

    /// An institution's keys, oldest first; the current one has no `retired_at`.
    pub async fn issuer_keys(&self, institution_id: &str) -> Result<Vec<IssuerKeyRecord>, StoreError> {
        queries::issuer_keys(&mut *self.pool.acquire().await?, institution_id).await
    }

    /// The credential with this id.
    pub async fn credential(&self, id: &str) -> Result<Option<CredentialRecord>, StoreError> {
        queries::credential(&mut *self.pool.acquire().await?, id).await
    }

    /// Issued credentials, oldest first, of an institution, a learner and a specification when
    /// given.
    pub async fn credentials(&self, filter: CredentialFilter<'_>) -> Result<Vec<CredentialRecord>, StoreError> {
        queries::credentials(&mut *self.pool.acquire().await?, filter).await
    }

    /// Checks the audit log's chain: `Ok(Ok(n))` for an intact log of `n` entries, `Ok(Err(_))`
    /// naming the first entry that was changed, deleted or moved.
    pub async fn verify_audit(&self) -> Result<Result<u64, AuditBreak>, StoreError> {
        audit::verify(&mut *self.pool.acquire().await?).await
    }

    /// Every audit log entry, oldest first.
    pub async fn audit_entries(&self) -> Result<Vec<AuditEntry>, StoreError> {
        audit::entries(&mut *self.pool.acquire().await?).await
    }

    /// The status list with this id.
    pub async fn status_list(&self, id: &str) -> Result<Option<StatusListRecord>, StoreError> {
        queries::status_list(&mut *self.pool.acquire().await?, id).await
    }

    /// A status list's version and the id of its institution's current key, in one query.
    pub async fn status_list_stamp(&self, list_id: &str) -> Result<Option<(u64, Option<String>)>, StoreError> {
        queries::status_list_stamp(&mut *self.pool.acquire().await?, list_id).await
    }

    /// [`Store::keys_fingerprint`] and the [`Store::status_list_stamp`]s of up to two lists (an
    /// empty id matches none), in one query.
    pub async fn verification_stamps(
        &self,
        first: &str,
        second: &str,
    ) -> Result<([u64; 4], Vec<(String, u64, Option<String>)>), StoreError> {
        queries::verification_stamps(&mut *self.pool.acquire().await?, first, second).await
    }

    /// Counts that change whenever an institution or issuer key is added, a key retired, or
    /// the trusted-issuer list changed.
    pub async fn keys_fingerprint(&self) -> Result<[u64; 4], StoreError> {
        queries::keys_fingerprint(&mut *self.pool.acquire().await?).await
    }

    /// Every status list, by institution and age.
    pub async fn all_status_lists(&self) -> Result<Vec<StatusListRecord>, StoreError> {
        queries::all_status_lists(&mut *self.pool.acquire().await?).await
    }

    /// The indexes of a list whose credentials are in `state` (`revoked`, `suspended`).
    pub async fn indexes_in_state(&self, list_id: &str, state: &str) -> Result<Vec<u64>, StoreError> {
        queries::indexes_in_state(&mut *self.pool.acquire().await?, list_id, state).await
    }

    /// The status entries of a credential.
    pub async fn status_entries_of(&self, credential_id: &str) -> Result<Vec<StatusEntryRecord>, StoreError> {
        queries::status_entries_of(&mut *self.pool.acquire().await?, credential_id).await
    }

    /// Adds an API token.
    pub async fn insert_token(&self, token: &ApiTokenRecord) -> Result<(), StoreError> {
        access::insert_token(&mut *self.pool.acquire().await?, token).await
    }

    /// The token whose secret hashes to `hash`, revoked or not.
    pub async fn token_by_hash(&self, hash: &str) -> Result<Option<ApiTokenRecord>, StoreError> {
        access::token_by_hash(&mut *self.pool.acquire().await?, hash).await
    }

    /// An institution's tokens, oldest first.
    pub async fn tokens(&self, institution_id: &str) -> Result<Vec<ApiTokenRecord>, StoreError> {
        access::tokens(&mut *self.pool.acquire().await?, institution_id).await
    }

    /// The consents asked for a specification, by institution.
    pub async fn consents_of(&self, spec_id: &str) -> Result<Vec<ConsentRecord>, StoreError> {
        consents::consents_of(&mut *self.pool.acquire().await?, spec_id).await
    }

    /// The consents asked of an institution, newest first.
    pub async fn consents_asked_of(&self, institution_id: &str) -> Result<Vec<ConsentRecord>, StoreError> {
        consents::consents_asked_of(&mut *self.pool.acquire().await?, institution_id).await
    }

    /// The network administrator's tokens, oldest first.
    pub async fn network_tokens(&self) -> Result<Vec<ApiTokenRecord>, StoreError> {
        access::network_tokens(&mut *self.pool.acquire().await?).await
    }

    /// Revokes a token (a revoked one stays as it was); returns it, or `None` when there is none.
    pub async fn revoke_token(&self, id: &str, at: &str) -> Result<Option<ApiTokenRecord>, StoreError> {
        access::revoke_token(&mut *self.pool.acquire().await?, id, at).await
    }

    /// Adds a staff member. Fails with [`StoreError::Conflict`] when the email is taken.
    pub async fn insert_staff(&self, staff: &StaffRecord) -> Result<(), StoreError> {
        access::insert_staff(&mut *self.pool.acquire().await?, staff).await
    }

    /// The staff member with this email address.
    pub async fn staff_by_email(&self, email: &str) -> Result<Option<StaffRecord>, StoreError> {
        access::staff_by_email(&mut *self.pool.acquire().await?, email).await
    }

    /// The staff member with this id.
    pub async fn staff(&self, id: &str) -> Result<Option<StaffRecord>, StoreError> {
        access::staff(&mut *self.pool.acquire().await?, id).await
    }

    /// Starts a browser session.
    pub async fn insert_session(&self, session: &SessionRecord) -> Result<(), StoreError> {
        access::insert_session(&mut *self.pool.acquire().await?, session).await
    }

    /// The session whose secret hashes to `hash`, unless it is over at `now` (Unix seconds).
    pub async fn session(&self, hash: &str, now: i64) -> Result<Option<SessionRecord>, StoreError> {
        access::session(&mut *self.pool.acquire().await?, hash, now).await
    }

    /// Ends a session, and every session that is over at `now`.
    pub async fn delete_session(&self, hash: &str, now: i64) -> Result<(), StoreError> {
        access::delete_session(&mut *self.pool.acquire().await?, hash, now).await
    }

    /// Adds a learner's one-time sign-in link.
    pub async fn insert_sign_in_link(&self, hash: &str, learner_id: &str, expires_at: i64) -> Result<(), StoreError> {
        access::insert_sign_in_link(&mut *self.pool.acquire().await?, hash, learner_id, expires_at).await
    }

    /// Uses a sign-in link: its learner the first time, before it expires; `None` after.
    pub async fn use_sign_in_link(&self, hash: &str, now: i64) -> Result<Option<String>, StoreError> {
        access::use_sign_in_link(&mut *self.pool.acquire().await?, hash, now).await
    }

    /// Adds a share link.
    pub async fn insert_share_link(&self, link: &ShareLinkRecord) -> Result<(), StoreError> {
        access::insert_share_link(&mut *self.pool.acquire().await?, link).await
    }

    /// The share link with this id, expired or not.
    pub async fn share_link(&self, id: &str) -> Result<Option<ShareLinkRecord>, StoreError> {
        access::share_link(&mut *self.pool.acquire().await?, id).await
    }

    /// The share links of a credential, oldest first.
    pub async fn share_links_of(&self, credential_id: &str) -> Result<Vec<ShareLinkRecord>, StoreError> {
        access::share_links_of(&mut *self.pool.acquire().await?, credential_id).await
    }

    /// The answer remembered for an institution's idempotency key.
    pub async fn stored_response(&self, institution_id: &str, key: &str) -> Result<Option<StoredResponse>, StoreError> {
        access::stored_response(&mut *self.pool.acquire().await?, institution_id, key).await
    }

    /// Remembers the answer to an idempotent request; `false` when one was remembered first.
    pub async fn store_response(
        &self,
        institution_id: &str,
        key: &str,
        response: &StoredResponse,
        at: &str,
    ) -> Result<bool, StoreError> {
        access::store_response(&mut *self.pool.acquire().await?, institution_id, key, response, at).await
    }

    /// Queues a cohort job.
    pub async fn insert_job(&self, job: &CohortJobRecord) -> Result<(), StoreError> {
        jobs::insert_job(&mut *self.pool.acquire().await?, job).await
    }

    /// The cohort job with this id.
    pub async fn job(&self, id: &str) -> Result<Option<CohortJobRecord>, StoreError> {
        jobs::job(&mut *self.pool.acquire().await?, id).await
    }

    /// An institution's latest cohort jobs, newest first.
    pub async fn jobs_of(&self, institution_id: &str) -> Result<Vec<CohortJobRecord>, StoreError> {
        jobs::jobs_of(&mut *self.pool.acquire().await?, institution_id).await
    }

    /// Takes the oldest job that waits, or whose lease ran out by `now`, for `worker` until
    /// `lease_until` (Unix seconds).
    pub async fn claim_job(
        &self,
        worker: &str,
        now: i64,
        lease_until: i64,
        at: &str,
    ) -> Result<Option<CohortJobRecord>, StoreError> {
        jobs::claim_job(&mut *self.pool.acquire().await?, self.backend, worker, now, lease_until, at).await
    }

    /// Records a job's progress and renews its lease, while `worker` holds it; `false` once it
    /// does not.
    pub async fn update_job(
        &self,
        id: &str,
        worker: &str,
        progress: JobProgress<'_>,
        lease_until: i64,
        at: &str,
    ) -> Result<bool, StoreError> {
        jobs::update_job(&mut *self.pool.acquire().await?, id, worker, progress, lease_until, at).await
    }

    /// The value of a change counter.
    pub async fn counter(&self, counter: Counter) -> Result<i64, StoreError> {
        catalogue::counter(&mut *self.pool.acquire().await?, counter).await
    }

    /// Every published specification, with when it was published (Unix seconds), by id.
    pub async fn published_specs(&self) -> Result<Vec<(Spec, i64)>, StoreError> {
        catalogue::published_specs(&mut *self.pool.acquire().await?).await
    }

    /// When a specification was published: `None` when it is not stored, `Some(None)` for a
    /// draft.
    pub async fn published_at(&self, id: SpecId) -> Result<Option<Option<i64>>, StoreError> {
        catalogue::published_at(&mut *self.pool.acquire().await?, id).await
    }

    /// Every institution's accreditation facts, by institution.
    pub async fn accreditations(&self) -> Result<Vec<AccreditationRecord>, StoreError> {
        registry::accreditations(&mut *self.pool.acquire().await?).await
    }

    /// The trusted-issuer list, including the issuers that left it.
    pub async fn trusted_issuers(&self) -> Result<Vec<TrustedIssuerRecord>, StoreError> {
        registry::trusted_issuers(&mut *self.pool.acquire().await?).await
    }

    /// How many credentials were issued under a specification and cohort key.
    pub async fn cohort_size(&self, spec_id: &str, cohort_key: &str) -> Result<u64, StoreError> {
        jobs::cohort_size(&mut *self.pool.acquire().await?, spec_id, cohort_key).await
    }
}

/// Which issued credentials to list; `None` fields do not filter.
#[derive(Debug, Clone, Copy, Default)]
pub struct CredentialFilter<'a> {
    /// The issuing institution.
    pub institution_id: Option<&'a str>,
    /// The learner.
    pub learner_id: Option<&'a str>,
    /// The specification.
    pub spec_id: Option<&'a str>,
}

/// A write transaction. Reads in it see its own writes.
pub struct StoreTx {
    tx: Transaction<'static, Any>,
    /// This process's turn to write (SQLite), held until the transaction ends.
    _turn: Option<tokio::sync::OwnedMutexGuard<()>>,
}

impl StoreTx {
    /// Makes every write in the transaction durable, all at once.
    pub async fn commit(self) -> Result<(), StoreError> {
        Ok(self.tx.commit().await?)
    }

    /// Undoes every write in the transaction.
    pub async fn rollback(self) -> Result<(), StoreError> {
        Ok(self.tx.rollback().await?)
    }

    /// Adds an institution. Fails with [`StoreError::Conflict`] when its id, legal identifier
    /// or DID is taken.
    pub async fn insert_institution(&mut self, institution: &Institution) -> Result<(), StoreError> {
        queries::insert_institution(&mut self.tx, institution).await
    }

    /// Adds a specification. Fails with [`StoreError::Conflict`] when its id is taken and with
    /// [`StoreError::MissingReference`] when an awarding body is not stored.
    pub async fn insert_spec(&mut self, spec: &Spec) -> Result<(), StoreError> {
        queries::insert_spec(&mut self.tx, spec).await
    }

    /// Replaces a stored specification's document; `false` when it is not stored.
    pub async fn update_spec(&mut self, spec: &Spec) -> Result<bool, StoreError> {
        catalogue::update_spec(&mut self.tx, spec).await
    }

    /// Publishes a specification at `at` (Unix seconds), or withdraws it with `None`; `false`
    /// when it is not stored.
    pub async fn set_published(&mut self, id: SpecId, at: Option<i64>) -> Result<bool, StoreError> {
        catalogue::set_published(&mut self.tx, id, at).await
    }

    /// When a specification was published, as [`Store::published_at`].
    pub async fn published_at(&mut self, id: SpecId) -> Result<Option<Option<i64>>, StoreError> {
        catalogue::published_at(&mut self.tx, id).await
    }

    /// Records a co-awarding consent, replacing the earlier one of the same specification and
    /// institution.
    pub async fn put_consent(&mut self, record: &ConsentRecord) -> Result<(), StoreError> {
        consents::put_consent(&mut self.tx, record).await
    }

    /// The consents asked for a specification, as [`Store::consents_of`].
    pub async fn consents_of(&mut self, spec_id: &str) -> Result<Vec<ConsentRecord>, StoreError> {
        consents::consents_of(&mut self.tx, spec_id).await
    }

    /// Records an institution's accreditation facts, replacing earlier ones.
    pub async fn put_accreditation(&mut self, record: &AccreditationRecord) -> Result<(), StoreError> {
        registry::put_accreditation(&mut self.tx, record).await
    }

    /// Every entry of the trusted-issuer list, as [`Store::trusted_issuers`].
    pub async fn trusted_issuers(&mut self) -> Result<Vec<TrustedIssuerRecord>, StoreError> {
        registry::trusted_issuers(&mut self.tx).await
    }

    /// Adds or replaces an entry of the trusted-issuer list.
    pub async fn put_trusted_issuer(&mut self, record: &TrustedIssuerRecord) -> Result<(), StoreError> {
        registry::put_trusted_issuer(&mut self.tx, record).await
    }

    /// Adds a learner. Fails with [`StoreError::Conflict`] when the id or email is taken.
    pub async fn insert_learner(&mut self, learner: &Learner) -> Result<(), StoreError> {
        queries::insert_learner(&mut self.tx, learner).await
    }

    /// The institution with this id.
    pub async fn institution(&mut self, id: &InstitutionId) -> Result<Option<Institution>, StoreError> {
        queries::find_institution(&mut self.tx, id).await
    }

    /// The specification with this id.
    pub async fn spec(&mut self, id: SpecId) -> Result<Option<Spec>, StoreError> {
        queries::find_spec(&mut self.tx, id).await
    }

    /// The learner with this email address.
    pub async fn learner_by_email(&mut self, email: &Email) -> Result<Option<Learner>, StoreError> {
        queries::find_learner_by_email(&mut self.tx, email).await
    }

    /// Adds an issuer key. Fails with [`StoreError::Conflict`] when the institution already has a
    /// current key: retire it first.
    pub async fn insert_issuer_key(&mut self, key: &IssuerKeyRecord) -> Result<(), StoreError> {
        queries::insert_issuer_key(&mut self.tx, key).await
    }

    /// Marks the institution's current key as retired at `at`.
    pub async fn retire_current_key(&mut self, institution_id: &str, at: &str) -> Result<(), StoreError> {
        queries::retire_current_key(&mut self.tx, institution_id, at).await
    }

    /// An institution's keys, oldest first.
    pub async fn issuer_keys(&mut self, institution_id: &str) -> Result<Vec<IssuerKeyRecord>, StoreError> {
        queries::issuer_keys(&mut self.tx, institution_id).await
    }

    /// An institution's status lists for a purpose, oldest first.
    pub async fn status_lists(
        &mut self,
        institution_id: &str,
        purpose: &str,
    ) -> Result<Vec<StatusListRecord>, StoreError> {
        queries::status_lists(&mut self.tx, institution_id, purpose).await
    }

    /// Adds a status list.
    pub async fn insert_status_list(&mut self, list: &StatusListRecord) -> Result<(), StoreError> {
        queries::insert_status_list(&mut self.tx, list).await
    }

    /// Takes an index of a list; `false` when another credential has it. The caller counts it
    /// with [`StoreTx::add_status_list_use`].
    pub async fn claim_status_index(&mut self, entry: &StatusEntryRecord) -> Result<bool, StoreError> {
        queries::claim_status_index(&mut self.tx, entry).await
    }

    /// Takes the audit log's lock and reads its head, for many appends: transactions that
    /// append many entries queue here, at their start, before they take other locks.
    pub async fn audit_writer(&mut self) -> Result<AuditWriter, StoreError> {
        audit::writer(&mut self.tx).await
    }

    /// Appends an entry through `writer`.
    pub async fn append_audit(
        &mut self,
        writer: &mut AuditWriter,
        at: &str,
        action: &str,
        subject: &str,
        details: &str,
    ) -> Result<(), StoreError> {
        writer.append(&mut self.tx, at, action, subject, details).await
    }

    /// Writes the head of the chain `writer` extended; call it before committing.
    pub async fn finish_audit(&mut self, writer: AuditWriter) -> Result<(), StoreError> {
        writer.finish(&mut self.tx).await
    }

    /// Appends an entry to the audit log, in this transaction.
    pub async fn audit(
        &mut self,
        at: &str,
        action: &str,
        subject: &str,
        details: &str,
    ) -> Result<AuditEntry, StoreError> {
        audit::append(&mut self.tx, at, action, subject, details).await
    }

    /// Counts `claimed` more entries of a list as used.
    pub async fn add_status_list_use(&mut self, list_id: &str, claimed: u64) -> Result<(), StoreError> {
        queries::add_status_list_use(&mut self.tx, list_id, claimed).await
    }

    /// Adds a learner unless one has the same email; `true` when added.
    pub async fn insert_learner_if_new(&mut self, learner: &Learner) -> Result<bool, StoreError> {
        queries::insert_learner_if_new(&mut self.tx, learner).await
    }

    /// Adds an issued credential. Fails with [`StoreError::Conflict`] when one exists for the
    /// same specification, learner and cohort, or with the same idempotency key.
    pub async fn insert_credential(&mut self, credential: &CredentialRecord) -> Result<(), StoreError> {
        queries::insert_credential(&mut self.tx, credential).await
    }

    /// The credential issued for a specification, learner and cohort.
    pub async fn credential_for(
        &mut self,
        spec_id: &str,
        learner_id: &str,
        cohort_key: &str,
    ) -> Result<Option<CredentialRecord>, StoreError> {
        queries::credential_for(&mut self.tx, spec_id, learner_id, cohort_key).await
    }

    /// The credential an institution issued under an idempotency key.
    pub async fn credential_by_idempotency_key(
        &mut self,
        institution_id: &str,
        key: &str,
    ) -> Result<Option<CredentialRecord>, StoreError> {
        queries::credential_by_idempotency_key(&mut self.tx, institution_id, key).await
    }

    /// The credential with this id.
    pub async fn credential(&mut self, id: &str) -> Result<Option<CredentialRecord>, StoreError> {
        queries::credential(&mut self.tx, id).await
    }

    /// Sets a credential's state (and the revocation reason, when given), and marks its status
    /// lists as changed.
    pub async fn set_credential_state(
        &mut self,
        id: &str,
        state: &str,
        revocation_reason: Option<&str>,
    ) -> Result<(), StoreError> {
        queries::set_credential_state(&mut self.tx, id, state, revocation_reason).await?;
        queries::bump_status_lists_of(&mut self.tx, id).await
    }
}

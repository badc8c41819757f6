//! Persistence for microcred: one [`Store`] over embedded SQLite (the default) or PostgreSQL,
//! chosen by the database URL, sharing the same SQL and the same conformance tests.
//!
//! The store knows SQL and nothing about HTTP or files. It stores domain values from
//! `mc-core`; specifications are kept as their canonical JSON document.

#![warn(missing_docs)]

mod access;
mod agreements;
mod audit;
mod catalogue;
mod consents;
mod error;
mod institutions;
mod issuing;
mod jobs;
mod learners;
mod mails;
mod packing;
mod pathways;
mod registry;
mod skills;
mod specs;
mod status;
mod throttle;
mod wallet;

use std::{ops::DerefMut, str::FromStr, sync::Arc, time::Duration};

use sqlx::{
    AnyConnection, AnyPool, Executor, Row, Transaction,
    any::{Any, AnyConnectOptions, AnyPoolOptions},
    migrate::Migrator,
    pool::PoolConnection,
};

pub use crate::{
    access::{ApiTokenRecord, SessionRecord, ShareLinkRecord, StaffRecord, StoredResponse},
    agreements::{AgreementRecord, Asked, DecisionRecord, EndingRecord, PartyRecord, RequestRecord},
    audit::{AuditBreak, AuditEntry, AuditWriter, NewAuditEntry},
    catalogue::{Counter, PUBLISHED_PAGE, PublishedRow},
    consents::ConsentRecord,
    error::StoreError,
    issuing::{CredentialFilter, CredentialRecord, CredentialSearch, IssuerKeyRecord, SealKeyRecord},
    jobs::{CohortJobRecord, JobProgress},
    mails::{MailCounts, MailRecord},
    pathways::{PathwayRecord, StackedRecord},
    registry::{AccreditationRecord, TrustedIssuerRecord},
    skills::SkillRecord,
    specs::{SpecDraftRecord, SpecImageRecord},
    status::{StatusEntryRecord, StatusListRecord},
    wallet::WalletOfferRecord,
};

static SQLITE_MIGRATIONS: Migrator = sqlx::migrate!("migrations/sqlite");
static POSTGRES_MIGRATIONS: Migrator = sqlx::migrate!("migrations/postgres");

/// Set on every SQLite connection: write-ahead logging so readers never block the writer,
/// foreign keys enforced, and a wait of up to 10 s for another writer instead of failing. The
/// log is copied back into the database after each write transaction by [`Checkpoints`];
/// SQLite's own checkpoint, which the committing writer runs and waits for (two syncs of
/// 50–200 ms each), comes only when the log grows past 256 MiB. The log starts over only when a
/// writer finds all of it copied, so while batches follow one another (a large cohort) it grows
/// whatever the checkpoints copy; past 64 MiB, it is cut back to 64 MiB when it starts over.
const SQLITE_PRAGMAS: &str = "PRAGMA journal_mode = WAL; PRAGMA synchronous = NORMAL; PRAGMA cache_size = -16384; \
     PRAGMA wal_autocheckpoint = 65536; PRAGMA journal_size_limit = 67108864; PRAGMA foreign_keys = ON; \
     PRAGMA busy_timeout = 10000;";

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

/// How many rows one statement writes or reads at most when a batch is written in one go: the
/// binds stay well under both backends' limits (SQLite 32,766, PostgreSQL 65,535).
pub(crate) const ROWS_PER_STATEMENT: usize = 100;

/// A statement for many rows in one round trip, whose only variable part is its run of
/// numbered placeholders: `head`, then `rows` groups of `columns` placeholders from `$first`
/// (`($1, $2), ($3, $4)`; with `columns` 0, a plain list `$1, $2`), then `tail`. Nothing but
/// the placeholders is ever written into it, so no value reaches the SQL text.
///
/// On SQLite a run from `$1` is written `?, ?`: SQLite finds the name of each numbered
/// placeholder (which sqlx asks for as it binds) by walking the list of them, so binding a
/// thousand numbered ones takes half a million steps, and anonymous ones take none.
pub(crate) fn many_rows(
    backend: Backend,
    head: &str,
    first: usize,
    rows: usize,
    columns: usize,
    tail: &str,
) -> sqlx::AssertSqlSafe<String> {
    let anonymous = backend == Backend::Sqlite && first == 1;
    let mut sql = String::with_capacity(head.len() + tail.len() + rows * (columns.max(1) * 6 + 4));
    sql.push_str(head);
    let mut next = first;
    for row in 0..rows {
        if row > 0 {
            sql.push_str(", ");
        }
        match columns {
            0 => placeholder(&mut sql, &mut next, anonymous),
            _ => {
                sql.push('(');
                for column in 0..columns {
                    if column > 0 {
                        sql.push_str(", ");
                    }
                    placeholder(&mut sql, &mut next, anonymous);
                }
                sql.push(')');
            }
        }
    }
    sql.push_str(tail);
    sqlx::AssertSqlSafe(sql)
}

/// Writes the placeholder `$next` (or `?`) and moves `next` on.
fn placeholder(sql: &mut String, next: &mut usize, anonymous: bool) {
    use std::fmt::Write;
    match anonymous {
        true => sql.push('?'),
        false => write!(sql, "${next}").expect("writing to a String"),
    }
    *next += 1;
}

/// The backend a connection talks to.
pub(crate) fn backend_of(conn: &AnyConnection) -> Backend {
    match conn.backend_name() {
        "SQLite" => Backend::Sqlite,
        _ => Backend::Postgres,
    }
}

pub(crate) fn corrupt(what: &'static str, id: String, detail: impl ToString) -> StoreError {
    StoreError::Corrupt { what, id, detail: detail.to_string() }
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
    /// SQLite's checkpoints, run beside the writers.
    checkpoints: Option<Checkpoints>,
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
        let checkpoints =
            (backend == Backend::Sqlite).then(|| Checkpoints { pool: pool.clone(), state: Arc::default() });
        Ok(Store { pool, backend, writers, checkpoints })
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
        Ok(StoreTx { tx, backend: self.backend, _turn: turn, checkpoints: self.checkpoints.clone() })
    }

    /// The queries, on a connection of the pool: each is its own statement, committed at once.
    pub async fn db(&self) -> Result<Db<PoolConnection<Any>>, StoreError> {
        Ok(Db { conn: self.pool.acquire().await?, backend: self.backend })
    }

    /// Closes every connection, waiting for those in use to be returned.
    pub async fn close(&self) {
        self.pool.close().await;
    }
}

/// The store's queries, one module per aggregate (institutions, learners, specifications,
/// issuing, status, access, jobs, audit, registry, consents), each adding its methods here.
/// The same methods run on a connection of the pool ([`Store::db`]) and in a transaction
/// ([`StoreTx::db`]), so each query is written once.
pub struct Db<C> {
    conn: C,
    backend: Backend,
}

impl<C: DerefMut<Target = AnyConnection> + Send> Db<C> {
    /// Counts what the store holds.
    pub async fn counts(&mut self) -> Result<Counts, StoreError> {
        let conn: &mut AnyConnection = &mut self.conn;
        let row = sqlx::query(
            "SELECT (SELECT COUNT(*) FROM institutions), (SELECT COUNT(*) FROM specs), \
             (SELECT COUNT(*) FROM learners)",
        )
        .fetch_one(conn)
        .await?;
        let count = |idx: usize| row.try_get::<i64, _>(idx).map(|n| n.max(0) as u64);
        Ok(Counts { institutions: count(0)?, specs: count(1)?, learners: count(2)? })
    }
}

/// Copies SQLite's write-ahead log back into the database on a connection of its own, so that
/// the next write transaction goes on while it runs instead of waiting for it in its commit.
/// At most one checkpoint runs at a time; one asked for meanwhile runs after it.
#[derive(Debug, Clone)]
struct Checkpoints {
    pool: AnyPool,
    /// 0: none running; 1: one running; 2: one running and another asked for.
    state: Arc<std::sync::atomic::AtomicU8>,
}

impl Checkpoints {
    /// Asks for a checkpoint of everything committed so far.
    fn request(&self) {
        use std::sync::atomic::Ordering::{AcqRel, Acquire};
        let before = self.state.fetch_update(AcqRel, Acquire, |state| Some((state + 1).min(2))).unwrap_or(2);
        if before == 0 {
            tokio::spawn(self.clone().run());
        }
    }

    async fn run(self) {
        loop {
            // A passive checkpoint never waits for a writer or a reader; what it cannot copy
            // now, the next one does. A closed pool (the store closing) ends them.
            match self.pool.acquire().await {
                Ok(mut conn) => {
                    if let Err(err) = conn.execute("PRAGMA wal_checkpoint(PASSIVE)").await {
                        tracing::warn!(error = %err, "the SQLite checkpoint failed; SQLite's own will run instead");
                    }
                }
                Err(err) => tracing::debug!(error = %err, "no connection for the SQLite checkpoint"),
            }
            if self.state.fetch_sub(1, std::sync::atomic::Ordering::AcqRel) == 1 {
                break;
            }
            // Each checkpoint costs a sync of the database file, whatever it copies.
            tokio::time::sleep(CHECKPOINT_PAUSE).await;
        }
    }
}

/// How long a checkpoint asked for while another ran waits after that one, so that commits in
/// quick succession share it.
const CHECKPOINT_PAUSE: Duration = Duration::from_millis(250);

/// A write transaction. Reads in it see its own writes.
pub struct StoreTx {
    tx: Transaction<'static, Any>,
    backend: Backend,
    /// This process's turn to write (SQLite), held until the transaction ends.
    _turn: Option<tokio::sync::OwnedMutexGuard<()>>,
    checkpoints: Option<Checkpoints>,
}

impl StoreTx {
    /// Makes every write in the transaction durable, all at once.
    pub async fn commit(self) -> Result<(), StoreError> {
        self.tx.commit().await?;
        if let Some(checkpoints) = &self.checkpoints {
            checkpoints.request();
        }
        Ok(())
    }

    /// Undoes every write in the transaction.
    pub async fn rollback(self) -> Result<(), StoreError> {
        Ok(self.tx.rollback().await?)
    }

    /// The backend the transaction runs on.
    pub fn backend(&self) -> Backend {
        self.backend
    }

    /// The queries, in this transaction: what they write is kept only if it commits.
    pub fn db(&mut self) -> Db<&mut AnyConnection> {
        Db { conn: &mut *self.tx, backend: self.backend }
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

    /// Appends entries through `writer`, in their order, many to a statement.
    pub async fn append_audit_many(
        &mut self,
        writer: &mut AuditWriter,
        entries: &[NewAuditEntry<'_>],
    ) -> Result<(), StoreError> {
        writer.append_many(&mut self.tx, entries).await
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
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn many_rows_numbers_its_placeholders_but_from_the_first_on_sqlite() {
        let sql = |backend, first, rows, columns| many_rows(backend, "HEAD ", first, rows, columns, " TAIL").0;
        assert_eq!(sql(Backend::Postgres, 1, 2, 2), "HEAD ($1, $2), ($3, $4) TAIL");
        assert_eq!(sql(Backend::Sqlite, 1, 2, 2), "HEAD (?, ?), (?, ?) TAIL");
        assert_eq!(sql(Backend::Postgres, 3, 3, 0), "HEAD $3, $4, $5 TAIL");
        // After numbered ones in the head, sqlx would bind an anonymous one from the first value.
        assert_eq!(sql(Backend::Sqlite, 3, 3, 0), "HEAD $3, $4, $5 TAIL");
    }
}

//! Test helpers for microcred: a fresh database per test on each backend, and fixtures.
//!
//! PostgreSQL tests run when `MC_TEST_POSTGRES_URL` is set (for example
//! `postgres://postgres@127.0.0.1:5432/test`); each test gets its own schema. In CI
//! (`CI=true`) a missing URL is an error, so the PostgreSQL suite can never be skipped there.

pub mod browser;

use std::{
    sync::atomic::{AtomicU32, Ordering},
    time::{SystemTime, UNIX_EPOCH},
};

use mc_core::{
    Institution, Learner, LearnerId, Spec, SpecId,
    wire::{InstitutionDocument, LearnerDocument, SpecDocument},
};
use sqlx::{Connection, PgConnection};

/// The environment variable that names the PostgreSQL server for tests.
pub const POSTGRES_URL_VAR: &str = "MC_TEST_POSTGRES_URL";

/// Schemas left by tests older than this many seconds are dropped when a new one is made.
const STALE_SCHEMA_SECS: u64 = 3_600;

/// A fresh, empty database for one test.
pub struct TestDb {
    /// The URL to open it with.
    pub url: String,
    /// A short name of the backend, for messages.
    pub backend: &'static str,
    _dir: Option<tempfile::TempDir>,
}

impl TestDb {
    /// A new SQLite database file in a temporary directory.
    pub fn sqlite() -> TestDb {
        let dir = tempfile::tempdir().expect("a temporary directory");
        let url = format!("sqlite://{}?mode=rwc", dir.path().join("microcred.db").display());
        TestDb { url, backend: "sqlite", _dir: Some(dir) }
    }

    /// A new, empty schema on the PostgreSQL test server, or `None` when no server is
    /// configured outside CI.
    #[allow(clippy::disallowed_methods, reason = "schema names carry the real time, so stale ones can be dropped")]
    pub async fn postgres() -> Option<TestDb> {
        let base = postgres_url()?;
        let now = SystemTime::now().duration_since(UNIX_EPOCH).expect("a clock after 1970").as_secs();
        static SEQ: AtomicU32 = AtomicU32::new(0);
        let schema = format!("mc_test_{now}_{}_{}", std::process::id(), SEQ.fetch_add(1, Ordering::Relaxed));
        let mut conn = PgConnection::connect(&base)
            .await
            .unwrap_or_else(|err| panic!("cannot reach the PostgreSQL test server at {base}: {err}"));
        drop_stale_schemas(&mut conn, now).await;
        sqlx::raw_sql(sqlx::AssertSqlSafe(format!("CREATE SCHEMA {schema}")))
            .execute(&mut conn)
            .await
            .expect("create a test schema");
        conn.close().await.ok();
        let separator = if base.contains('?') { '&' } else { '?' };
        let url = format!("{base}{separator}options[search_path]={schema}");
        Some(TestDb { url, backend: "postgres", _dir: None })
    }

    /// A fresh database on every backend available to this run: SQLite always, PostgreSQL when
    /// configured.
    pub async fn all() -> Vec<TestDb> {
        let mut dbs = vec![TestDb::sqlite()];
        dbs.extend(TestDb::postgres().await);
        dbs
    }
}

/// A connection to the PostgreSQL test server that terminates other sessions, as an
/// administrator or a failing network would: for testing what survives a dropped connection.
pub struct ConnectionKiller {
    conn: PgConnection,
}

impl ConnectionKiller {
    /// Connects to the test server, or `None` when none is configured.
    pub async fn connect() -> Option<ConnectionKiller> {
        let url = postgres_url()?;
        let conn = PgConnection::connect(&url).await.expect("the PostgreSQL test server answers");
        Some(ConnectionKiller { conn })
    }

    /// Terminates every session of `application_name` that is running a statement or is in a
    /// transaction (an idle one would only be replaced, unseen, by its pool); returns how many.
    pub async fn kill_busy(&mut self, application_name: &str) -> i64 {
        let (killed,): (i64,) = sqlx::query_as(
            "SELECT count(*) FROM (SELECT pg_terminate_backend(pid) FROM pg_stat_activity \
             WHERE application_name = $1 AND state <> 'idle' AND pid <> pg_backend_pid()) AS killed",
        )
        .bind(application_name)
        .fetch_one(&mut self.conn)
        .await
        .expect("pg_terminate_backend runs");
        killed
    }
}

/// The PostgreSQL test server's URL, or `None` outside CI when it is not configured.
pub fn postgres_url() -> Option<String> {
    match std::env::var(POSTGRES_URL_VAR) {
        Ok(url) if !url.is_empty() => Some(url),
        _ if std::env::var("CI").is_ok_and(|ci| ci == "true") => {
            panic!("{POSTGRES_URL_VAR} must be set in CI: the PostgreSQL suite may not be skipped")
        }
        _ => {
            eprintln!("skipping PostgreSQL: {POSTGRES_URL_VAR} is not set");
            None
        }
    }
}

async fn drop_stale_schemas(conn: &mut PgConnection, now: u64) {
    let schemas: Vec<(String,)> =
        sqlx::query_as("SELECT nspname::text FROM pg_namespace WHERE nspname LIKE 'mc\\_test\\_%'")
            .fetch_all(&mut *conn)
            .await
            .unwrap_or_default();
    for (schema,) in schemas {
        let created = schema.split('_').nth(2).and_then(|secs| secs.parse::<u64>().ok());
        if created.is_some_and(|created| created + STALE_SCHEMA_SECS < now) {
            let sql = format!("DROP SCHEMA IF EXISTS {schema} CASCADE");
            sqlx::raw_sql(sqlx::AssertSqlSafe(sql)).execute(&mut *conn).await.ok();
        }
    }
}

/// An institution document with the given handle, valid and unique per handle.
pub fn institution_document(id: &str) -> InstitutionDocument {
    serde_json::from_value(serde_json::json!({
        "id": id,
        "name": {"en": format!("University {id}"), "es": format!("Universidad {id}")},
        "country": "ES",
        "legal_identifier": format!("LEGAL-{id}"),
        "website": format!("https://{id}.example"),
        "did": format!("did:web:{id}.example"),
    }))
    .expect("a valid institution document")
}

/// An institution with the given handle.
pub fn institution(id: &str) -> Institution {
    institution_document(id).parse().expect("a valid institution")
}

/// A complete specification document awarded by `issuer`.
pub fn spec_document(id: SpecId, issuer: &str) -> SpecDocument {
    serde_json::from_value(serde_json::json!({
        "id": id.to_string(),
        "awarding_bodies": [issuer],
        "languages": ["en", "es"],
        "title": {"en": "Data literacy for public servants", "es": "Alfabetización de datos para la función pública"},
        "learning_outcomes": [
            {"text": {"en": "Analyse open data sets with spreadsheets"}, "skill": "http://data.europa.eu/esco/skill/1973c966-f236-40c9-b2d4-5d71a89019be"},
            {"text": {"en": "Explain the rules of personal data protection"}}
        ],
        "workload": {"ects": 5.0, "hours": 125},
        "eqf_level": 6,
        "qf_ehea_cycle": "first",
        "isced_f": "0613",
        "assessment": {"kind": "summative", "methods": ["project", "online-exam"]},
        "participation": "online",
        "quality_assurance": {"internal": true, "external": true, "body": "ANECA"},
        "identity_verification": "supervised-online-with-id"
    }))
    .expect("a valid specification document")
}

/// A complete specification awarded by `issuer`.
pub fn spec(id: SpecId, issuer: &str) -> Spec {
    spec_document(id, issuer).parse(id).expect("a valid specification")
}

/// A specification id made from a small number, stable across runs.
pub fn spec_id(n: u128) -> SpecId {
    SpecId::from_uuid(uuid::Uuid::from_u128(0x01936a3e_0000_7000_8000_000000000000 | n))
}

/// A learner with the given email address.
pub fn learner(n: u128, email: &str) -> Learner {
    let document =
        LearnerDocument { id: None, name: Some(format!("Learner {n}")), email: Some(email.to_owned()), did: None };
    document.parse(LearnerId::from_uuid(uuid::Uuid::from_u128(n))).expect("a valid learner")
}

/// Runs raw SQL against a database, as someone with access to it but not to microcred would
/// (tests that tamper with stored data use it).
pub async fn run_sql(url: &str, sql: &str) {
    sqlx::any::install_default_drivers();
    let mut conn = <sqlx::AnyConnection as Connection>::connect(url)
        .await
        .unwrap_or_else(|err| panic!("cannot open {url}: {err}"));
    sqlx::raw_sql(sqlx::AssertSqlSafe(sql.to_owned()))
        .execute(&mut conn)
        .await
        .unwrap_or_else(|err| panic!("{sql}: {err}"));
    conn.close().await.ok();
}

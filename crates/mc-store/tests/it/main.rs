//! The store conformance suite: every check runs against SQLite and, when configured,
//! PostgreSQL, each on a fresh database.

use mc_core::{Email, InstitutionId};
use mc_store::{Backend, Counts, Store, StoreError};
use mc_test_support::{TestDb, institution, learner, spec, spec_id};

mod access;
mod audit;
mod catalogue;
mod drafts;
mod fixtures;
mod issuing;
mod jobs;
mod records;
mod registry;
mod status;

/// Runs `module::check` once per backend on a fresh store, as a test named after the check.
macro_rules! conformance {
    ($($module:ident::$name:ident),+ $(,)?) => {
        $(
            #[tokio::test]
            async fn $name() {
                for db in TestDb::all().await {
                    // Shown with the output of a failing test: which backend failed.
                    eprintln!("{} on {}", stringify!($name), db.backend);
                    let store = Store::open(&db.url).await.unwrap_or_else(|err| panic!("{}: {err}", db.backend));
                    $module::$name(&store).await;
                    store.close().await;
                }
            }
        )+
    };
}

// Every table is written and read back through the store's methods: institutions, learners,
// specs and spec_awarding_bodies (checks, records); issuer_keys and credentials (issuing);
// status_lists and status_entries (status); api_tokens, staff, sessions, sign_in_links,
// share_links, idempotent_requests, wallet_offers, wallet_deliveries and wallet_nonces (access); cohort_jobs (jobs); audit_log and audit_head
// (audit); change_counters (catalogue); accreditations, trusted_issuers and spec_consents
// (registry).
conformance!(
    checks::institutions_round_trip,
    checks::specs_round_trip,
    checks::learners_round_trip,
    checks::duplicates_are_conflicts,
    checks::spec_with_unknown_awarding_body_is_refused,
    checks::failed_transaction_leaves_nothing,
    checks::dropped_transaction_leaves_nothing,
    checks::unknown_ids_are_absent,
    checks::tokens_belong_to_an_institution_or_to_the_network,
    records::institutions_without_optional_fields_round_trip,
    records::institution_conflicts_name_the_column,
    records::learners_by_id_with_and_without_did,
    records::learners_are_added_once_per_email,
    records::specs_without_optional_fields_round_trip,
    records::co_awarded_specs_keep_their_awarding_bodies,
    records::specs_are_updated_in_place,
    records::every_version_of_a_spec_is_kept,
    records::agreements_are_versioned_signed_and_ended,
    records::recognition_decisions_round_trip,
    records::recognition_requests_are_answered_once,
    records::pathways_and_stacked_credentials_are_kept_once,
    records::mails_are_queued_once_claimed_and_retried,
    issuing::issuer_keys_have_one_current_key_per_institution,
    issuing::credentials_round_trip_and_are_found_by_their_keys,
    issuing::credentials_are_issued_once,
    issuing::credentials_are_listed_by_each_filter,
    issuing::credential_state_keeps_or_sets_the_revocation_reason,
    issuing::credential_search_finds_learners_by_words_a_page_at_a_time,
    issuing::an_institution_has_one_seal_key_at_a_time,
    status::status_lists_round_trip,
    status::status_indexes_are_claimed_once_and_counted,
    status::indexes_in_state_follow_the_credentials,
    status::stamps_change_with_credential_state_and_keys,
    status::keys_fingerprint_moves_with_institutions_keys_and_trust,
    access::tokens_are_listed_revoked_and_unique,
    access::staff_round_trip_and_unique_emails,
    access::sessions_end_when_they_expire,
    access::sign_in_links_work_once_before_they_expire,
    access::share_links_round_trip,
    access::idempotent_answers_are_remembered_once,
    access::old_idempotent_answers_are_forgotten,
    access::wallet_offers_are_redeemed_once_and_deliver_once,
    jobs::cohort_jobs_round_trip,
    jobs::only_the_latest_fifty_jobs_are_listed,
    jobs::jobs_are_claimed_oldest_first_under_a_lease,
    jobs::concurrent_claims_take_each_job_once,
    jobs::cohort_size_counts_the_credentials_of_a_cohort,
    audit::audit_log_chains_entries_in_order,
    catalogue::change_counters_follow_publication,
    catalogue::counters_move_only_when_the_transaction_commits,
    catalogue::catalogue_changes_name_their_specification_until_a_gap,
    catalogue::published_specifications_are_read_a_page_at_a_time,
    drafts::drafts_are_kept_replaced_by_their_institution_and_removed,
    drafts::skills_are_found_by_a_word_of_their_label,
    registry::accreditations_are_replaced_on_put,
    registry::trusted_issuers_are_replaced_on_put,
    registry::consents_are_replaced_on_put_and_listed_in_order,
);

#[tokio::test]
async fn reopening_keeps_data_and_migrates_once() {
    for db in TestDb::all().await {
        let store = Store::open(&db.url).await.unwrap();
        let mut tx = store.begin().await.unwrap();
        tx.db().insert_institution(&institution("uca")).await.unwrap();
        tx.commit().await.unwrap();
        store.close().await;
        let store = Store::open(&db.url).await.unwrap();
        assert_eq!(store.db().await.unwrap().institutions().await.unwrap(), vec![institution("uca")], "{}", db.backend);
        store.close().await;
    }
}

#[test]
fn urls_choose_the_backend() {
    assert_eq!(Backend::from_url("sqlite://data/microcred.db").unwrap(), Backend::Sqlite);
    assert_eq!(Backend::from_url("postgres://u@h/db").unwrap(), Backend::Postgres);
    assert_eq!(Backend::from_url("postgresql://u@h/db").unwrap(), Backend::Postgres);
    let err = Backend::from_url("mysql://root:secret@h/db").unwrap_err();
    assert_eq!(
        err.to_string(),
        "unsupported database URL \"mysql://root:***@h/db\": use sqlite://PATH or postgres://USER@HOST/DATABASE"
    );
}

mod checks {
    use super::*;

    pub(super) async fn tokens_belong_to_an_institution_or_to_the_network(store: &Store) {
        let mut tx = store.begin().await.unwrap();
        tx.db().insert_institution(&institution("uca")).await.unwrap();
        tx.commit().await.unwrap();
        let token = |id: &str, institution: Option<&str>, role: &str| mc_store::ApiTokenRecord {
            id: id.into(),
            institution_id: institution.map(str::to_owned),
            role: role.into(),
            label: "test".into(),
            secret_hash: format!("hash-{id}"),
            created_at: "2026-11-30T00:00:00Z".into(),
            revoked_at: None,
        };
        store.db().await.unwrap().insert_token(&token("t1", Some("uca"), "issuer")).await.unwrap();
        store.db().await.unwrap().insert_token(&token("t2", None, "network-admin")).await.unwrap();
        // A role that belongs to an institution needs one, and the network's needs none.
        assert!(store.db().await.unwrap().insert_token(&token("t3", None, "issuer")).await.is_err());
        assert!(store.db().await.unwrap().insert_token(&token("t4", Some("uca"), "network-admin")).await.is_err());
        assert_eq!(store.db().await.unwrap().tokens("uca").await.unwrap(), vec![token("t1", Some("uca"), "issuer")]);
        assert_eq!(store.db().await.unwrap().network_tokens().await.unwrap(), vec![token("t2", None, "network-admin")]);
        assert_eq!(
            store.db().await.unwrap().token_by_hash("hash-t2").await.unwrap(),
            Some(token("t2", None, "network-admin"))
        );
    }

    pub(super) async fn institutions_round_trip(store: &Store) {
        let mut tx = store.begin().await.unwrap();
        tx.db().insert_institution(&institution("unito")).await.unwrap();
        tx.db().insert_institution(&institution("aalto")).await.unwrap();
        tx.commit().await.unwrap();
        let id = InstitutionId::parse("unito").unwrap();
        assert_eq!(store.db().await.unwrap().institution(&id).await.unwrap(), Some(institution("unito")));
        assert_eq!(
            store.db().await.unwrap().institutions().await.unwrap(),
            vec![institution("aalto"), institution("unito")]
        );
    }

    pub(super) async fn specs_round_trip(store: &Store) {
        let mut tx = store.begin().await.unwrap();
        tx.db().insert_institution(&institution("uca")).await.unwrap();
        tx.db().insert_spec(&spec(spec_id(1), "uca")).await.unwrap();
        assert_eq!(
            tx.db().spec(spec_id(1)).await.unwrap(),
            Some(spec(spec_id(1), "uca")),
            "reads see the transaction's writes"
        );
        tx.commit().await.unwrap();
        assert_eq!(store.db().await.unwrap().spec(spec_id(1)).await.unwrap(), Some(spec(spec_id(1), "uca")));
        assert_eq!(store.db().await.unwrap().specs().await.unwrap(), vec![spec(spec_id(1), "uca")]);
        assert_eq!(
            store.db().await.unwrap().counts().await.unwrap(),
            Counts { institutions: 1, specs: 1, learners: 0 }
        );
    }

    pub(super) async fn learners_round_trip(store: &Store) {
        let mut tx = store.begin().await.unwrap();
        tx.db().insert_learner(&learner(2, "b@learners.example")).await.unwrap();
        tx.db().insert_learner(&learner(1, "a@learners.example")).await.unwrap();
        tx.commit().await.unwrap();
        let email = Email::parse("A@Learners.Example").unwrap();
        assert_eq!(
            store.db().await.unwrap().learner_by_email(&email).await.unwrap(),
            Some(learner(1, "a@learners.example"))
        );
        assert_eq!(
            store.db().await.unwrap().learners().await.unwrap(),
            vec![learner(1, "a@learners.example"), learner(2, "b@learners.example")]
        );
    }

    pub(super) async fn duplicates_are_conflicts(store: &Store) {
        let mut tx = store.begin().await.unwrap();
        tx.db().insert_institution(&institution("uca")).await.unwrap();
        tx.db().insert_spec(&spec(spec_id(1), "uca")).await.unwrap();
        tx.db().insert_learner(&learner(1, "a@learners.example")).await.unwrap();
        tx.commit().await.unwrap();

        let mut tx = store.begin().await.unwrap();
        let err = tx.db().insert_institution(&institution("uca")).await.unwrap_err();
        assert!(matches!(err, StoreError::Conflict { .. }), "{err}");
        drop(tx);

        let mut tx = store.begin().await.unwrap();
        let err = tx.db().insert_spec(&spec(spec_id(1), "uca")).await.unwrap_err();
        assert!(matches!(err, StoreError::Conflict { .. }), "{err}");
        drop(tx);

        let mut tx = store.begin().await.unwrap();
        let err = tx.db().insert_learner(&learner(2, "a@learners.example")).await.unwrap_err();
        assert!(matches!(err, StoreError::Conflict { .. }), "{err}");
        drop(tx);

        assert_eq!(
            store.db().await.unwrap().counts().await.unwrap(),
            Counts { institutions: 1, specs: 1, learners: 1 }
        );
    }

    pub(super) async fn spec_with_unknown_awarding_body_is_refused(store: &Store) {
        let mut tx = store.begin().await.unwrap();
        let err = tx.db().insert_spec(&spec(spec_id(1), "nowhere")).await.unwrap_err();
        assert!(matches!(err, StoreError::MissingReference { .. }), "{err}");
        drop(tx);
        assert_eq!(store.db().await.unwrap().counts().await.unwrap(), Counts::default());
    }

    pub(super) async fn failed_transaction_leaves_nothing(store: &Store) {
        let mut tx = store.begin().await.unwrap();
        tx.db().insert_institution(&institution("uca")).await.unwrap();
        tx.db().insert_learner(&learner(1, "a@learners.example")).await.unwrap();
        tx.db().insert_spec(&spec(spec_id(1), "uca")).await.unwrap();
        tx.db().insert_spec(&spec(spec_id(1), "uca")).await.unwrap_err();
        tx.rollback().await.unwrap();
        assert_eq!(store.db().await.unwrap().counts().await.unwrap(), Counts::default());
        assert_eq!(store.db().await.unwrap().institutions().await.unwrap(), vec![]);
    }

    pub(super) async fn dropped_transaction_leaves_nothing(store: &Store) {
        {
            let mut tx = store.begin().await.unwrap();
            tx.db().insert_institution(&institution("uca")).await.unwrap();
        }
        assert_eq!(store.db().await.unwrap().counts().await.unwrap(), Counts::default());
        // The connection went back to the pool in a usable state.
        let mut tx = store.begin().await.unwrap();
        tx.db().insert_institution(&institution("uca")).await.unwrap();
        tx.commit().await.unwrap();
        assert_eq!(store.db().await.unwrap().counts().await.unwrap().institutions, 1);
    }

    pub(super) async fn unknown_ids_are_absent(store: &Store) {
        assert_eq!(
            store.db().await.unwrap().institution(&InstitutionId::parse("nobody").unwrap()).await.unwrap(),
            None
        );
        assert_eq!(store.db().await.unwrap().spec(spec_id(99)).await.unwrap(), None);
        assert_eq!(
            store.db().await.unwrap().learner_by_email(&Email::parse("x@y.example").unwrap()).await.unwrap(),
            None
        );
    }
}

/// Rows written before the migrations that remake tables (the network administrator's tokens
/// and staff accounts, which SQLite cannot alter in place) come through them unchanged.
#[tokio::test]
async fn rows_written_before_the_table_rebuilds_survive_them() {
    use sqlx::migrate::Migrator;

    const BEFORE: i64 = 20261123000006;
    for db in TestDb::all().await {
        let all = match db.backend {
            "sqlite" => sqlx::migrate!("migrations/sqlite"),
            _ => sqlx::migrate!("migrations/postgres"),
        };
        let old = Migrator::with_migrations(all.iter().filter(|m| m.version <= BEFORE).cloned().collect());
        sqlx::any::install_default_drivers();
        let pool = sqlx::AnyPool::connect(&db.url).await.unwrap();
        old.run(&pool).await.unwrap();
        for statement in [
            "INSERT INTO institutions (id, name, country, legal_identifier) VALUES ('uca', 'UCA', 'ES', 'Q1')",
            "INSERT INTO api_tokens (id, institution_id, role, label, secret_hash, created_at, revoked_at) \
             VALUES ('t1', 'uca', 'issuer', 'old token', 'h1', '2026-01-01T00:00:00Z', '2026-02-01T00:00:00Z')",
            "INSERT INTO staff (id, institution_id, email, name, role, password_hash, created_at) \
             VALUES ('s1', 'uca', 'ana@uca.example', 'Ana', 'admin', 'phc', '2026-01-01T00:00:00Z')",
        ] {
            sqlx::query(sqlx::AssertSqlSafe(statement)).execute(&pool).await.unwrap();
        }
        pool.close().await;

        let store = Store::open(&db.url).await.unwrap_or_else(|err| panic!("[{}] {err}", db.backend));
        let tokens = store.db().await.unwrap().tokens("uca").await.unwrap();
        assert_eq!(tokens.len(), 1, "[{}]", db.backend);
        let token = &tokens[0];
        assert_eq!(
            (token.id.as_str(), token.institution_id.as_deref(), token.role.as_str(), token.secret_hash.as_str()),
            ("t1", Some("uca"), "issuer", "h1"),
            "[{}]",
            db.backend
        );
        assert_eq!(token.revoked_at.as_deref(), Some("2026-02-01T00:00:00Z"));
        let staff = store.db().await.unwrap().staff("s1").await.unwrap().expect("the staff account is kept");
        assert_eq!(
            (staff.institution_id.as_deref(), staff.email.as_str(), staff.role.as_str(), staff.password_hash.as_str()),
            (Some("uca"), "ana@uca.example", "admin", "phc"),
            "[{}]",
            db.backend
        );
        store.close().await;
    }
}

/// A commit on SQLite is copied from the write-ahead log into the database file soon after,
/// by the store's own checkpoint, while the store stays open and nobody writes again: the
/// file read alone (`immutable`, which ignores the log) has what was committed.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_sqlite_commit_reaches_the_database_file_without_another_write() {
    use sqlx::{Connection, Row};

    let db = TestDb::sqlite();
    let store = Store::open(&db.url).await.unwrap();
    let mut tx = store.begin().await.unwrap();
    tx.db().insert_institution(&institution("uca")).await.unwrap();
    tx.commit().await.unwrap();
    let file = db.url.trim_end_matches("?mode=rwc");
    let mut in_file = 0;
    for _ in 0..100 {
        let mut conn = sqlx::SqliteConnection::connect(&format!("{file}?immutable=true")).await.unwrap();
        // Until the checkpoint, the file may not even have the tables.
        let counted = sqlx::query("SELECT COUNT(*) FROM institutions WHERE id = 'uca'").fetch_one(&mut conn).await;
        in_file = counted.map_or(0, |row| row.get::<i64, _>(0));
        conn.close().await.unwrap();
        if in_file == 1 {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    assert_eq!(in_file, 1, "the commit is still only in the write-ahead log");
    store.close().await;
}

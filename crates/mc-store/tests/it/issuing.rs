//! Issuer keys (one current key per institution) and issued credentials: their lookups, the
//! filters of their listing, their state, and what makes an issue happen once.

use mc_store::{
    CredentialFilter, CredentialRecord, CredentialSearch, IssuerKeyRecord, SealKeyRecord, Store, StoreError,
};
use mc_test_support::learner;
use sqlx::Connection;

use crate::fixtures::{assert_conflict, assert_missing_reference, credential, issuer_key, learner_id, setup, spec_key};

const KEY_TAKEN: &str = "an issuer key with this id, or a second current key";
const CREDENTIAL_TAKEN: &str = "a credential for this specification, learner and cohort, or with this idempotency key";

pub(crate) async fn issuer_keys_have_one_current_key_per_institution(store: &Store) {
    setup(store).await;
    let first = issuer_key("k1", "uca", "2026-01-01T00:00:00Z");
    store.db().await.unwrap().insert_issuer_key(&first).await.unwrap();
    assert_eq!(store.db().await.unwrap().issuer_keys("uca").await.unwrap(), vec![first.clone()]);

    // A second current key is refused until the first is retired.
    let second = issuer_key("k2", "uca", "2026-06-01T00:00:00Z");
    assert_conflict(store.db().await.unwrap().insert_issuer_key(&second).await, KEY_TAKEN, None);
    assert_eq!(store.db().await.unwrap().issuer_keys("uca").await.unwrap(), vec![first.clone()]);

    let mut tx = store.begin().await.unwrap();
    tx.db().retire_current_key("uca", "2026-06-01T00:00:00Z").await.unwrap();
    tx.db().insert_issuer_key(&second).await.unwrap();
    tx.commit().await.unwrap();
    let first_retired = retired(first, "2026-06-01T00:00:00Z");
    assert_eq!(
        store.db().await.unwrap().issuer_keys("uca").await.unwrap(),
        vec![first_retired.clone(), second.clone()]
    );

    // Another institution has its own current key; a key id is unique across institutions.
    let theirs = issuer_key("k3", "unito", "2025-01-01T00:00:00Z");
    store.db().await.unwrap().insert_issuer_key(&theirs).await.unwrap();
    let taken_id = retired(issuer_key("k1", "unito", "2024-01-01T00:00:00Z"), "2024-06-01T00:00:00Z");
    assert_conflict(store.db().await.unwrap().insert_issuer_key(&taken_id).await, KEY_TAKEN, Some("id"));
    let result =
        store.db().await.unwrap().insert_issuer_key(&issuer_key("k4", "nowhere", "2026-01-01T00:00:00Z")).await;
    assert_missing_reference(result, KEY_TAKEN);
    assert_eq!(store.db().await.unwrap().issuer_keys("unito").await.unwrap(), vec![theirs]);
    assert_eq!(store.db().await.unwrap().issuer_keys("nowhere").await.unwrap(), vec![]);

    // Retiring touches only the current key of the institution named.
    store.db().await.unwrap().retire_current_key("uca", "2027-01-01T00:00:00Z").await.unwrap();
    let keys = store.db().await.unwrap().issuer_keys("uca").await.unwrap();
    assert_eq!(keys, vec![first_retired, retired(second, "2027-01-01T00:00:00Z")]);
    assert_eq!(store.db().await.unwrap().issuer_keys("unito").await.unwrap()[0].retired_at, None);
    // With no current key, retiring does nothing.
    store.db().await.unwrap().retire_current_key("uca", "2028-01-01T00:00:00Z").await.unwrap();
    assert_eq!(store.db().await.unwrap().issuer_keys("uca").await.unwrap(), keys);
}

/// `key` as it reads once retired at `at`.
fn retired(key: IssuerKeyRecord, at: &str) -> IssuerKeyRecord {
    IssuerKeyRecord { retired_at: Some(at.into()), ..key }
}

/// A credential with every optional field set: in a cohort, under an idempotency key, revoked
/// with a reason.
fn full_credential() -> CredentialRecord {
    CredentialRecord {
        cohort_key: "2026-spring".into(),
        idempotency_key: Some("idem-1".into()),
        state: "revoked".into(),
        revocation_reason: Some("issued in error".into()),
        state_changed_at: Some("2026-03-02T09:30:00Z".into()),
        spec_version: Some(3),
        format: "both".into(),
        edc_document: Some(r#"{"payload":"{}","signatures":[]}"#.into()),
        ..credential("c-full", "uca", 1, 1, "2026-03-01T10:00:00Z")
    }
}

pub(crate) async fn credentials_round_trip_and_are_found_by_their_keys(store: &Store) {
    setup(store).await;
    let bare = credential("c-bare", "uca", 1, 1, "2026-03-01T09:00:00Z");
    let full = full_credential();
    store.db().await.unwrap().insert_credential(&bare).await.unwrap();
    store.db().await.unwrap().insert_credential(&full).await.unwrap();
    assert_eq!(store.db().await.unwrap().credential("c-bare").await.unwrap(), Some(bare.clone()));
    assert_eq!(store.db().await.unwrap().credential("c-full").await.unwrap(), Some(full.clone()));
    assert_eq!(store.db().await.unwrap().credential("c-none").await.unwrap(), None);

    // Found by specification, learner and cohort; the single issue has the empty cohort.
    let found = store.db().await.unwrap().credential_for(&spec_key(1), &learner_id(1), "").await.unwrap();
    assert_eq!(found, Some(bare.clone()));
    let found = store.db().await.unwrap().credential_for(&spec_key(1), &learner_id(1), "2026-spring").await.unwrap();
    assert_eq!(found, Some(full.clone()));
    let found = store.db().await.unwrap().credential_for(&spec_key(1), &learner_id(2), "").await.unwrap();
    assert_eq!(found, None);
    let found = store.db().await.unwrap().credential_for(&spec_key(2), &learner_id(1), "").await.unwrap();
    assert_eq!(found, None);

    // Found by idempotency key within the institution that issued it only.
    let found = store.db().await.unwrap().credential_by_idempotency_key("uca", "idem-1").await.unwrap();
    assert_eq!(found, Some(full.clone()));
    assert_eq!(store.db().await.unwrap().credential_by_idempotency_key("unito", "idem-1").await.unwrap(), None);
    assert_eq!(store.db().await.unwrap().credential_by_idempotency_key("uca", "idem-2").await.unwrap(), None);
}

pub(crate) async fn credentials_are_issued_once(store: &Store) {
    setup(store).await;
    store.db().await.unwrap().insert_credential(&credential("c1", "uca", 1, 1, "2026-03-01T09:00:00Z")).await.unwrap();
    store.db().await.unwrap().insert_credential(&full_credential()).await.unwrap();

    // The same specification, learner and cohort under another id.
    let again = credential("c2", "uca", 1, 1, "2026-03-02T09:00:00Z");
    assert_conflict(store.db().await.unwrap().insert_credential(&again).await, CREDENTIAL_TAKEN, None);
    // The same idempotency key in the same institution, for another learner.
    let same_key = CredentialRecord { idempotency_key: Some("idem-1".into()), ..credential("c3", "uca", 1, 2, "x") };
    let result = store.db().await.unwrap().insert_credential(&same_key).await;
    assert_conflict(result, CREDENTIAL_TAKEN, Some("idempotency_key"));
    // A taken id.
    let same_id = credential("c1", "uca", 2, 2, "2026-03-02T09:00:00Z");
    assert_conflict(store.db().await.unwrap().insert_credential(&same_id).await, CREDENTIAL_TAKEN, Some("id"));
    // References to what is not stored.
    let no_learner = CredentialRecord { learner_id: learner_id(9), ..credential("c4", "uca", 2, 1, "x") };
    assert_missing_reference(store.db().await.unwrap().insert_credential(&no_learner).await, CREDENTIAL_TAKEN);
    let no_spec = CredentialRecord { spec_id: spec_key(9), ..credential("c5", "uca", 2, 1, "x") };
    assert_missing_reference(store.db().await.unwrap().insert_credential(&no_spec).await, CREDENTIAL_TAKEN);
    let ids = |records: Vec<CredentialRecord>| records.into_iter().map(|record| record.id).collect::<Vec<_>>();
    let all = store.db().await.unwrap().credentials(CredentialFilter::default()).await.unwrap();
    assert_eq!(ids(all), ["c1", "c-full"]);

    // Another cohort, another institution's idempotency key, and many credentials without one
    // are all different issues.
    let other_cohort = CredentialRecord { cohort_key: "2026-autumn".into(), ..credential("c6", "uca", 1, 1, "y") };
    store.db().await.unwrap().insert_credential(&other_cohort).await.unwrap();
    let their_key = CredentialRecord { idempotency_key: Some("idem-1".into()), ..credential("c7", "unito", 3, 1, "y") };
    store.db().await.unwrap().insert_credential(&their_key).await.unwrap();
    store.db().await.unwrap().insert_credential(&credential("c8", "uca", 2, 1, "y")).await.unwrap();
    store.db().await.unwrap().insert_credential(&credential("c9", "uca", 2, 2, "y")).await.unwrap();
    let all = store.db().await.unwrap().credentials(CredentialFilter::default()).await.unwrap();
    assert_eq!(ids(all), ["c1", "c-full", "c6", "c7", "c8", "c9"]);
}

pub(crate) async fn credentials_are_listed_by_each_filter(store: &Store) {
    setup(store).await;
    // Issued out of order, two at the same time: listed by time, then id.
    let records = [
        credential("c4", "unito", 3, 1, "2026-03-04T00:00:00Z"),
        credential("c2", "uca", 1, 2, "2026-03-02T00:00:00Z"),
        credential("c3b", "uca", 2, 1, "2026-03-03T00:00:00Z"),
        credential("c3a", "uca", 2, 2, "2026-03-03T00:00:00Z"),
        credential("c1", "uca", 1, 1, "2026-03-01T00:00:00Z"),
    ];
    for record in &records {
        store.db().await.unwrap().insert_credential(record).await.unwrap();
    }
    let cases: [(CredentialFilter<'_>, &[&str]); 9] = [
        (CredentialFilter::default(), &["c1", "c2", "c3a", "c3b", "c4"]),
        (CredentialFilter { institution_id: Some("uca"), ..Default::default() }, &["c1", "c2", "c3a", "c3b"]),
        (CredentialFilter { institution_id: Some("unito"), ..Default::default() }, &["c4"]),
        (CredentialFilter { institution_id: Some("nowhere"), ..Default::default() }, &[]),
        (CredentialFilter { learner_id: Some(&learner_id(1)), ..Default::default() }, &["c1", "c3b", "c4"]),
        (CredentialFilter { spec_id: Some(&spec_key(2)), ..Default::default() }, &["c3a", "c3b"]),
        (
            CredentialFilter { institution_id: Some("uca"), learner_id: Some(&learner_id(1)), spec_id: None },
            &["c1", "c3b"],
        ),
        (
            CredentialFilter {
                institution_id: Some("uca"),
                learner_id: Some(&learner_id(2)),
                spec_id: Some(&spec_key(1)),
            },
            &["c2"],
        ),
        (CredentialFilter { institution_id: Some("unito"), spec_id: Some(&spec_key(1)), learner_id: None }, &[]),
    ];
    for (filter, expected) in cases {
        let listed = store.db().await.unwrap().credentials(filter).await.unwrap();
        let ids: Vec<&str> = listed.iter().map(|record| record.id.as_str()).collect();
        assert_eq!(ids, expected, "{filter:?}");
    }
    // The records come back whole.
    let listed = store.db().await.unwrap().credentials(CredentialFilter::default()).await.unwrap();
    assert_eq!(listed[0], records[4]);
}

pub(crate) async fn credential_state_keeps_or_sets_the_revocation_reason(store: &Store) {
    setup(store).await;
    let active = credential("c1", "uca", 1, 1, "2026-03-01T00:00:00Z");
    let other = credential("c2", "uca", 1, 2, "2026-03-01T00:00:00Z");
    store.db().await.unwrap().insert_credential(&active).await.unwrap();
    store.db().await.unwrap().insert_credential(&other).await.unwrap();
    let read = |state: &str, reason: Option<&str>, at: &str| CredentialRecord {
        state: state.into(),
        revocation_reason: reason.map(str::to_owned),
        state_changed_at: Some(at.into()),
        ..active.clone()
    };
    let set = |state: &'static str, reason: Option<&'static str>, at: &'static str| async move {
        store.db().await.unwrap().set_credential_state("c1", state, reason, at).await.unwrap();
        store.db().await.unwrap().credential("c1").await.unwrap()
    };

    assert_eq!(
        set("suspended", None, "2026-12-01T10:00:00Z").await,
        Some(read("suspended", None, "2026-12-01T10:00:00Z"))
    );
    let revoked = set("revoked", Some("plagiarism"), "2026-12-02T10:00:00Z").await;
    assert_eq!(
        revoked,
        Some(read("revoked", Some("plagiarism"), "2026-12-02T10:00:00Z")),
        "the time of the latest change"
    );
    // Without a reason, the one given before stays.
    let again = set("revoked", None, "2026-12-03T10:00:00Z").await;
    assert_eq!(again, Some(read("revoked", Some("plagiarism"), "2026-12-03T10:00:00Z")));
    // A new reason replaces it.
    let replaced = set("revoked", Some("fraud"), "2026-12-04T10:00:00Z").await;
    assert_eq!(replaced, Some(read("revoked", Some("fraud"), "2026-12-04T10:00:00Z")));
    // Only the credential named changed.
    assert_eq!(store.db().await.unwrap().credential("c2").await.unwrap(), Some(other));
}

pub(crate) async fn an_institution_has_one_seal_key_at_a_time(store: &Store) {
    setup(store).await;
    assert_eq!(store.db().await.unwrap().seal_key("uca").await.unwrap(), None);
    let test = SealKeyRecord {
        institution_id: "uca".into(),
        certificates: "-----BEGIN CERTIFICATE-----\nTEST\n-----END CERTIFICATE-----\n".into(),
        sealed_secret: vec![0, 1, 2, 255],
        test_seal: true,
        created_at: "2026-03-01T00:00:00Z".into(),
    };
    store.db().await.unwrap().put_seal_key(&test).await.unwrap();
    assert_eq!(store.db().await.unwrap().seal_key("uca").await.unwrap(), Some(test.clone()));
    // An imported seal replaces the test seal.
    let real = SealKeyRecord {
        certificates: "-----BEGIN CERTIFICATE-----\nREAL\n-----END CERTIFICATE-----\n".into(),
        sealed_secret: vec![9; 48],
        test_seal: false,
        created_at: "2026-04-01T00:00:00Z".into(),
        ..test
    };
    store.db().await.unwrap().put_seal_key(&real).await.unwrap();
    assert_eq!(store.db().await.unwrap().seal_key("uca").await.unwrap(), Some(real));
    assert_eq!(store.db().await.unwrap().seal_key("unito").await.unwrap(), None);
    // Only a registered institution has one.
    let stray = SealKeyRecord { institution_id: "nowhere".into(), ..test };
    assert!(store.db().await.unwrap().put_seal_key(&stray).await.is_err());
}

pub(crate) async fn credential_search_finds_learners_by_words_a_page_at_a_time(store: &Store) {
    setup(store).await;
    // Learner 3 has `%` and `_` in their address, which must match only themselves.
    store.db().await.unwrap().insert_learner(&learner(3, "x_100%@learners.example")).await.unwrap();
    let issued = [
        ("c1", 1, 1, "2026-03-01T00:00:00Z", "active"),
        ("c2", 2, 1, "2026-03-02T00:00:00Z", "revoked"),
        ("c3", 1, 2, "2026-03-03T00:00:00Z", "active"),
        ("c4", 1, 3, "2026-03-04T00:00:00Z", "active"),
    ];
    for (id, spec, learner, at, state) in issued {
        let record = CredentialRecord { state: state.into(), ..credential(id, "uca", spec, learner, at) };
        store.db().await.unwrap().insert_credential(&record).await.unwrap();
    }
    let theirs = credential("c5", "unito", 3, 1, "2026-03-05T00:00:00Z");
    store.db().await.unwrap().insert_credential(&theirs).await.unwrap();

    let search = |words: Option<&'static str>, spec: Option<u128>, state: Option<&'static str>, offset, limit| async move {
        let spec = spec.map(spec_key);
        let search = CredentialSearch { institution_id: "uca", words, spec_id: spec.as_deref(), state, offset, limit };
        let (records, total) = store.db().await.unwrap().search_credentials(&search).await.unwrap();
        (records.iter().map(|record| record.id.clone()).collect::<Vec<_>>(), total)
    };
    assert_eq!(search(None, None, None, 0, 10).await, (ids(&["c4", "c3", "c2", "c1"]), 4), "newest first, theirs only");
    assert_eq!(search(None, None, None, 1, 2).await, (ids(&["c3", "c2"]), 4), "a page");
    assert_eq!(search(None, None, None, 8, 2).await, (ids(&[]), 4), "past the end");
    assert_eq!(search(Some("LEARNER 1"), None, None, 0, 10).await, (ids(&["c2", "c1"]), 2), "name, any case");
    assert_eq!(search(Some("b@learners"), None, None, 0, 10).await, (ids(&["c3"]), 1), "email");
    assert_eq!(search(Some("_100%"), None, None, 0, 10).await, (ids(&["c4"]), 1), "wildcards as themselves");
    assert_eq!(search(Some("a%b"), None, None, 0, 10).await, (ids(&[]), 0));
    assert_eq!(search(Some("  "), None, None, 0, 10).await.1, 4, "blank words match all");
    assert_eq!(search(None, Some(2), None, 0, 10).await, (ids(&["c2"]), 1), "by specification");
    assert_eq!(search(None, None, Some("active"), 0, 10).await, (ids(&["c4", "c3", "c1"]), 3), "by state");
    assert_eq!(search(Some("learner 1"), Some(1), Some("active"), 0, 10).await, (ids(&["c1"]), 1), "all at once");
}

fn ids(ids: &[&str]) -> Vec<String> {
    ids.iter().map(|id| (*id).to_owned()).collect()
}

/// A credential issued as a badge and a sealed EDC, each about the size of a real one and as
/// alike to the others as the credentials of a cohort are: the same long text, its own id.
fn cohort_credential(id: &str, spec: u128, learner: u128, cohort: &str) -> CredentialRecord {
    let description = "Analyse des données ‘tableur’ — ".repeat(60);
    CredentialRecord {
        cohort_key: cohort.into(),
        document: format!(r#"{{"id":"urn:uuid:{id}","description":"{description}","proof":"z{id}"}}"#),
        format: "both".into(),
        edc_document: Some(format!(r#"{{"payload":"{id} {description}","signatures":["{id}"]}}"#)),
        ..credential(id, "uca", spec, learner, "2026-03-01T09:00:00Z")
    }
}

/// Credentials stored in one statement are kept packed against the first of them, and read
/// back byte for byte by every query; a document unlike the first is kept as written; a packed
/// document that was damaged is reported, not returned; and a base cannot be deleted.
#[tokio::test]
async fn credentials_stored_together_are_packed_and_read_back_whole() {
    for db in mc_test_support::TestDb::all().await {
        let store = Store::open(&db.url).await.unwrap_or_else(|err| panic!("{}: {err}", db.backend));
        setup(&store).await;
        let odd =
            CredentialRecord { cohort_key: "odd".into(), ..credential("c-odd", "uca", 1, 1, "2026-03-01T09:00:00Z") };
        let written = [
            cohort_credential("c-a", 1, 1, "spring"),
            cohort_credential("c-b", 1, 2, "spring"),
            odd,
            cohort_credential("c-c", 2, 1, "spring"),
        ];
        let refs: Vec<&CredentialRecord> = written.iter().collect();
        store.db().await.unwrap().insert_credentials(&refs).await.unwrap();

        for record in &written {
            let read = store.db().await.unwrap().credential(&record.id).await.unwrap();
            assert_eq!(read.as_ref(), Some(record), "[{}] {}", db.backend, record.id);
        }
        let all = store.db().await.unwrap().credentials(CredentialFilter::default()).await.unwrap();
        assert_eq!(all.len(), written.len(), "[{}]", db.backend);
        assert!(written.iter().all(|record| all.contains(record)), "[{}]", db.backend);
        let found = store.db().await.unwrap().credentials_for_learners(&spec_key(1), "spring", &[&learner_id(2)]).await;
        assert_eq!(found.unwrap(), [written[1].clone()], "[{}]", db.backend);

        sqlx::any::install_default_drivers();
        let mut conn = sqlx::AnyConnection::connect(&db.url).await.unwrap();
        /// A credential as stored: id, and the base and length of its document and of its EDC.
        type Stored = (String, Option<String>, i64, Option<String>, Option<i64>);
        let stored: Vec<Stored> = sqlx::query_as(
            "SELECT id, document_base, LENGTH(document), edc_document_base, LENGTH(edc_document) FROM credentials",
        )
        .fetch_all(&mut conn)
        .await
        .unwrap();
        let plain = written[0].document.chars().count() as i64;
        let plain_edc = written[0].edc_document.as_ref().unwrap().chars().count() as i64;
        for (id, base, at_most, edc_at_most) in [
            ("c-a", None, plain, plain_edc),
            ("c-b", Some("c-a"), plain / 2, plain_edc / 2),
            ("c-c", Some("c-a"), plain / 2, plain_edc / 2),
        ] {
            let (_, stored_base, length, edc_base, edc_length) = stored.iter().find(|row| row.0 == id).unwrap();
            assert_eq!((stored_base.as_deref(), edc_base.as_deref()), (base, base), "[{}] {id}", db.backend);
            assert!(*length <= at_most, "[{}] {id}: its document is stored in {length} characters", db.backend);
            let edc_length = edc_length.unwrap();
            assert!(edc_length <= edc_at_most, "[{}] {id}: its EDC is stored in {edc_length} characters", db.backend);
        }
        let odd = stored.iter().find(|row| row.0 == "c-odd").unwrap();
        assert_eq!((&odd.1, &odd.3), (&None, &None), "[{}] a document unlike the first is kept as written", db.backend);

        // A base is kept while a credential is packed on it.
        if db.backend == "sqlite" {
            sqlx::query("PRAGMA foreign_keys = ON").execute(&mut conn).await.unwrap();
        }
        assert!(sqlx::query("DELETE FROM credentials WHERE id = 'c-a'").execute(&mut conn).await.is_err());
        // Damaged packed documents, read by one query and by a list.
        let packed: (String, String) =
            sqlx::query_as("SELECT document, edc_document FROM credentials WHERE id = 'c-c'")
                .fetch_one(&mut conn)
                .await
                .unwrap();
        for (column, damage) in [("document", "not base64!"), ("document", "AAAA"), ("edc_document", "/////w==")] {
            sqlx::query("UPDATE credentials SET document = $1, edc_document = $2 WHERE id = 'c-c'")
                .bind(&packed.0)
                .bind(&packed.1)
                .execute(&mut conn)
                .await
                .unwrap();
            assert_eq!(store.db().await.unwrap().credential("c-c").await.unwrap().as_ref(), Some(&written[3]));
            sqlx::query(sqlx::AssertSqlSafe(format!("UPDATE credentials SET {column} = '{damage}' WHERE id = 'c-c'")))
                .execute(&mut conn)
                .await
                .unwrap();
            let err = store.db().await.unwrap().credential("c-c").await.unwrap_err();
            assert!(matches!(err, StoreError::Corrupt { .. }), "[{}] {damage}: {err}", db.backend);
            assert!(err.to_string().starts_with("stored credential c-c is damaged: its packed document"), "{err}");
            let err = store.db().await.unwrap().credentials(CredentialFilter::default()).await.unwrap_err();
            assert!(matches!(err, StoreError::Corrupt { .. }), "[{}] {damage}: {err}", db.backend);
        }
        conn.close().await.unwrap();
        store.close().await;
    }
}

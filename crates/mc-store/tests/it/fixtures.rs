//! Records for the conformance checks, and assertions on the errors a write gives.

use std::fmt::Debug;

use mc_store::{CredentialRecord, IssuerKeyRecord, StatusListRecord, Store, StoreError, TrustedIssuerRecord};
use mc_test_support::{institution, learner, spec, spec_id};

/// Institutions `uca` and `unito`; specifications 1 and 2 of `uca` and 3 of `unito`; learners 1
/// and 2.
pub(crate) async fn setup(store: &Store) {
    let mut tx = store.begin().await.unwrap();
    let mut db = tx.db();
    db.insert_institution(&institution("uca")).await.unwrap();
    db.insert_institution(&institution("unito")).await.unwrap();
    db.insert_spec(&spec(spec_id(1), "uca")).await.unwrap();
    db.insert_spec(&spec(spec_id(2), "uca")).await.unwrap();
    db.insert_spec(&spec(spec_id(3), "unito")).await.unwrap();
    db.insert_learner(&learner(1, "a@learners.example")).await.unwrap();
    db.insert_learner(&learner(2, "b@learners.example")).await.unwrap();
    tx.commit().await.unwrap();
}

/// The id of [`setup`]'s learner `n`, as the store keeps it.
pub(crate) fn learner_id(n: u128) -> String {
    learner(n, "any@learners.example").id().to_string()
}

/// The id of specification `n`, as the store keeps it.
pub(crate) fn spec_key(n: u128) -> String {
    spec_id(n).to_string()
}

/// A current Ed25519 key of `institution`, its sealed secret holding every byte value a text
/// column would mangle.
pub(crate) fn issuer_key(id: &str, institution: &str, created_at: &str) -> IssuerKeyRecord {
    IssuerKeyRecord {
        id: id.into(),
        institution_id: institution.into(),
        key_type: "Ed25519".into(),
        public_key: format!("z6Mk{id}"),
        sealed_secret: vec![0x00, 0xff, 0x27, 0x5c, 0x00, 0x80, id.len() as u8],
        created_at: created_at.into(),
        retired_at: None,
    }
}

/// An active credential of `institution` for specification `spec` and learner `learner`, issued
/// alone (no cohort) without an idempotency key.
pub(crate) fn credential(id: &str, institution: &str, spec: u128, learner: u128, issued_at: &str) -> CredentialRecord {
    CredentialRecord {
        id: id.into(),
        institution_id: institution.into(),
        spec_id: spec_key(spec),
        learner_id: learner_id(learner),
        cohort_key: String::new(),
        idempotency_key: None,
        issued_at: issued_at.into(),
        state: "active".into(),
        revocation_reason: None,
        state_changed_at: None,
        document: format!(r#"{{"id":"urn:uuid:{id}","name":"Crédential ‘{id}’"}}"#),
        spec_version: None,
        format: "ob3".into(),
        edc_document: None,
    }
}

/// An empty status list of `institution`.
pub(crate) fn status_list(id: &str, institution: &str, purpose: &str, created_at: &str) -> StatusListRecord {
    StatusListRecord {
        id: id.into(),
        institution_id: institution.into(),
        purpose: purpose.into(),
        size: 131_072,
        used: 0,
        created_at: created_at.into(),
        key_id: None,
    }
}

/// The trusted-issuer entry of an institution of this network, trusted since 2023.
pub(crate) fn trusted_local(institution: &str) -> TrustedIssuerRecord {
    TrustedIssuerRecord {
        id: institution.into(),
        institution_id: Some(institution.into()),
        name: format!("University {institution}"),
        country: "ES".into(),
        network: "local".into(),
        dids: vec![],
        seal_certificates: vec![],
        trusted_from: 1_700_000_000,
        trusted_until: None,
        updated_at: 1_700_000_000,
    }
}

/// Asserts that a write failed with [`StoreError::Conflict`] saying `what` already exists and
/// naming `column`.
#[track_caller]
pub(crate) fn assert_conflict<T: Debug>(result: Result<T, StoreError>, what: &str, column: Option<&str>) {
    match result {
        Err(err @ StoreError::Conflict { .. }) => {
            let message = err.to_string();
            assert!(message.starts_with(&format!("{what} already exists (")), "{message}");
            let StoreError::Conflict { column: named, .. } = err else { unreachable!() };
            assert_eq!(named, column, "the column named by: {message}");
        }
        other => panic!("expected a conflict on {what}, got {other:?}"),
    }
}

/// Asserts that a write failed with [`StoreError::MissingReference`] for `what`.
#[track_caller]
pub(crate) fn assert_missing_reference<T: Debug>(result: Result<T, StoreError>, what: &str) {
    match result {
        Err(err @ StoreError::MissingReference { .. }) => {
            let message = err.to_string();
            assert!(message.starts_with(&format!("{what} refers to something that is not stored (")), "{message}");
        }
        other => panic!("expected a missing reference from {what}, got {other:?}"),
    }
}

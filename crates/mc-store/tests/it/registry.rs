//! The network's registry (accreditation facts, the trusted-issuer list) and co-awarding
//! consents: each put replaces what was there, and the lists come in their documented order.

use mc_store::{AccreditationRecord, ConsentRecord, Counter, Store, StoreError, TrustedIssuerRecord};

use crate::fixtures::{assert_conflict, assert_missing_reference, setup, spec_key, trusted_local};

fn accreditation(institution: &str, updated_at: i64) -> AccreditationRecord {
    AccreditationRecord {
        institution_id: institution.into(),
        qa_body: "ANECA".into(),
        status: "accredited".into(),
        valid_from: "2024-01-01".into(),
        valid_until: Some("2030-12-31".into()),
        register_id: Some(format!("RUCT-{institution}")),
        updated_by: "token:t-net".into(),
        updated_at,
    }
}

fn partner_issuer(id: &str, network: &str) -> TrustedIssuerRecord {
    TrustedIssuerRecord {
        id: id.into(),
        institution_id: None,
        name: format!("Partner {id} «Ü»"),
        country: "PT".into(),
        network: network.into(),
        dids: vec![format!("did:web:{id}.example"), "did:key:z6Mkpartner".into()],
        seal_certificates: vec!["ab".repeat(32)],
        trusted_from: 1_600_000_000,
        trusted_until: Some(5_000_000_000),
        updated_at: 1_750_000_000,
    }
}

fn consent(spec: u128, institution: &str, requested_at: i64) -> ConsentRecord {
    ConsentRecord {
        spec_id: spec_key(spec),
        institution_id: institution.into(),
        state: "pending".into(),
        requested_at,
        decided_at: None,
        decided_by: None,
    }
}

pub(crate) async fn accreditations_are_replaced_on_put(store: &Store) {
    setup(store).await;
    let uca = accreditation("uca", 1_700_000_000);
    let bare = AccreditationRecord {
        status: "provisional".into(),
        valid_until: None,
        register_id: None,
        ..accreditation("unito", 1_700_000_001)
    };
    store.db().await.unwrap().put_accreditation(&bare).await.unwrap();
    store.db().await.unwrap().put_accreditation(&uca).await.unwrap();
    assert_eq!(store.db().await.unwrap().accreditations().await.unwrap(), vec![uca.clone(), bare.clone()]);

    // A second put for the institution replaces every field, optional ones unset too.
    let replaced = AccreditationRecord {
        qa_body: "A3ES".into(),
        status: "expired".into(),
        valid_from: "2020-01-01".into(),
        valid_until: None,
        register_id: None,
        updated_by: "staff:s1".into(),
        ..accreditation("uca", 1_800_000_000)
    };
    store.db().await.unwrap().put_accreditation(&replaced).await.unwrap();
    let set_again = AccreditationRecord { status: "accredited".into(), ..accreditation("unito", 1_800_000_001) };
    store.db().await.unwrap().put_accreditation(&set_again).await.unwrap();
    assert_eq!(store.db().await.unwrap().accreditations().await.unwrap(), vec![replaced.clone(), set_again.clone()]);

    let orphan = accreditation("nowhere", 1);
    let result = store.db().await.unwrap().put_accreditation(&orphan).await;
    assert_missing_reference(result, "the accreditation of an institution");
    assert_eq!(store.db().await.unwrap().accreditations().await.unwrap(), vec![replaced, set_again]);
}

pub(crate) async fn trusted_issuers_are_replaced_on_put(store: &Store) {
    setup(store).await;
    let trust = || async { store.db().await.unwrap().counter(Counter::Trust).await.unwrap() };
    let before = trust().await;
    let entries = [
        partner_issuer("zeta", "eu-north"),
        trusted_local("unito"),
        partner_issuer("alpha", "eu-north"),
        trusted_local("uca"),
    ];
    for entry in &entries {
        store.db().await.unwrap().put_trusted_issuer(entry).await.unwrap();
    }
    assert_eq!(trust().await, before + 4, "every put is a change of the list");
    // By network, then id.
    let listed = store.db().await.unwrap().trusted_issuers().await.unwrap();
    assert_eq!(listed, vec![entries[2].clone(), entries[0].clone(), entries[3].clone(), entries[1].clone()]);

    // A put under a stored id replaces the whole entry.
    let left = TrustedIssuerRecord {
        institution_id: None,
        name: "Zeta, now gone".into(),
        dids: vec![],
        seal_certificates: vec!["cd".repeat(32), "ef".repeat(32)],
        trusted_until: Some(1_800_000_000),
        updated_at: 1_800_000_000,
        ..partner_issuer("zeta", "eu-south")
    };
    store.db().await.unwrap().put_trusted_issuer(&left).await.unwrap();
    let gone_local = TrustedIssuerRecord { trusted_until: Some(1_800_000_000), ..trusted_local("uca") };
    store.db().await.unwrap().put_trusted_issuer(&gone_local).await.unwrap();
    assert_eq!(trust().await, before + 6);
    let listed = store.db().await.unwrap().trusted_issuers().await.unwrap();
    let expected = vec![entries[2].clone(), left.clone(), gone_local.clone(), entries[1].clone()];
    assert_eq!(listed, expected);

    // An institution has one entry, and must be stored; neither failure changes the list.
    let second = TrustedIssuerRecord { id: "uca-2".into(), ..trusted_local("uca") };
    let result = store.db().await.unwrap().put_trusted_issuer(&second).await;
    assert_conflict(result, "a trusted issuer for this institution", Some("institution_id"));
    let orphan = trusted_local("nowhere");
    let result = store.db().await.unwrap().put_trusted_issuer(&orphan).await;
    assert_missing_reference(result, "a trusted issuer for this institution");
    assert_eq!(store.db().await.unwrap().trusted_issuers().await.unwrap(), expected);
    assert_eq!(trust().await, before + 6);
}

pub(crate) async fn consents_are_replaced_on_put_and_listed_in_order(store: &Store) {
    setup(store).await;
    store.db().await.unwrap().insert_institution(&mc_test_support::institution("aalto")).await.unwrap();
    let records = [
        consent(1, "unito", 100),
        consent(1, "aalto", 100),
        consent(2, "unito", 300),
        consent(3, "aalto", 200),
        consent(3, "uca", 100),
        consent(2, "aalto", 200),
    ];
    for record in &records {
        store.db().await.unwrap().put_consent(record).await.unwrap();
    }
    // A specification's consents, by institution.
    let of_spec = store.db().await.unwrap().consents_of(&spec_key(1)).await.unwrap();
    assert_eq!(of_spec, vec![records[1].clone(), records[0].clone()]);
    assert_eq!(store.db().await.unwrap().consents_of(&spec_key(9)).await.unwrap(), vec![]);
    // Those asked of an institution, newest first, then by specification.
    let asked = store.db().await.unwrap().consents_asked_of("aalto").await.unwrap();
    assert_eq!(asked, vec![records[5].clone(), records[3].clone(), records[1].clone()]);
    let asked = store.db().await.unwrap().consents_asked_of("unito").await.unwrap();
    assert_eq!(asked, vec![records[2].clone(), records[0].clone()]);

    // An answer replaces the request; asking again replaces the answer.
    let accepted = ConsentRecord {
        state: "accepted".into(),
        decided_at: Some(150),
        decided_by: Some("token:t1".into()),
        ..consent(1, "unito", 100)
    };
    store.db().await.unwrap().put_consent(&accepted).await.unwrap();
    let of_spec = store.db().await.unwrap().consents_of(&spec_key(1)).await.unwrap();
    assert_eq!(of_spec, vec![records[1].clone(), accepted]);
    let asked_again = consent(1, "unito", 400);
    store.db().await.unwrap().put_consent(&asked_again).await.unwrap();
    let asked = store.db().await.unwrap().consents_asked_of("unito").await.unwrap();
    assert_eq!(asked, vec![asked_again.clone(), records[2].clone()]);

    // Unknown states, specifications and institutions are refused, and change nothing.
    let unknown_state = ConsentRecord { state: "maybe".into(), ..consent(1, "unito", 500) };
    let result = store.db().await.unwrap().put_consent(&unknown_state).await;
    assert!(matches!(result, Err(StoreError::Database(_))), "a CHECK constraint is a database error: {result:?}");
    let no_spec = consent(9, "unito", 500);
    assert_missing_reference(store.db().await.unwrap().put_consent(&no_spec).await, "a co-awarding consent");
    let no_institution = consent(1, "nowhere", 500);
    assert_missing_reference(store.db().await.unwrap().put_consent(&no_institution).await, "a co-awarding consent");
    assert_eq!(
        store.db().await.unwrap().consents_of(&spec_key(1)).await.unwrap(),
        vec![records[1].clone(), asked_again]
    );
    assert_eq!(store.db().await.unwrap().consents_asked_of("nowhere").await.unwrap(), vec![]);
}

//! Status lists and entries, and the stamps a verifier compares: a list's version and current
//! key, and the keys fingerprint.

use mc_store::{StatusEntryRecord, StatusListRecord, Store, TrustedIssuerRecord};
use mc_test_support::institution;

use crate::fixtures::{
    assert_conflict, assert_missing_reference, credential, issuer_key, setup, status_list, trusted_local,
};

fn entry(list: &str, index: u64, credential: &str, purpose: &str) -> StatusEntryRecord {
    StatusEntryRecord { list_id: list.into(), index, credential_id: credential.into(), purpose: purpose.into() }
}

pub(crate) async fn status_lists_round_trip(store: &Store) {
    setup(store).await;
    // Sizes and counts beyond 32 bits come back as they went in.
    let big = StatusListRecord {
        size: 5_000_000_000,
        used: 4_000_000_000,
        key_id: Some("key-big".into()),
        ..status_list("l-big", "uca", "revocation", "2026-01-02T00:00:00Z")
    };
    let lists = [
        status_list("l-rev-2", "uca", "revocation", "2026-02-01T00:00:00Z"),
        status_list("l-sus", "uca", "suspension", "2026-01-01T00:00:00Z"),
        status_list("l-unito", "unito", "revocation", "2025-01-01T00:00:00Z"),
        status_list("l-rev-1", "uca", "revocation", "2026-01-01T00:00:00Z"),
        big.clone(),
    ];
    for list in &lists {
        store.db().await.unwrap().insert_status_list(list).await.unwrap();
    }
    assert_eq!(store.db().await.unwrap().status_list("l-big").await.unwrap(), Some(big.clone()));
    assert_eq!(store.db().await.unwrap().status_list("l-none").await.unwrap(), None);
    // An institution's lists of one purpose, oldest first.
    let ids = |lists: Vec<StatusListRecord>| lists.into_iter().map(|list| list.id).collect::<Vec<_>>();
    let revocation = store.db().await.unwrap().status_lists("uca", "revocation").await.unwrap();
    assert_eq!(ids(revocation), ["l-rev-1", "l-big", "l-rev-2"]);
    assert_eq!(ids(store.db().await.unwrap().status_lists("uca", "suspension").await.unwrap()), ["l-sus"]);
    assert_eq!(ids(store.db().await.unwrap().status_lists("unito", "suspension").await.unwrap()), Vec::<String>::new());
    // Every list, by institution, then age, then id.
    let all = store.db().await.unwrap().all_status_lists().await.unwrap();
    assert_eq!(ids(all), ["l-rev-1", "l-sus", "l-big", "l-rev-2", "l-unito"]);

    let again = status_list("l-sus", "unito", "suspension", "2027-01-01T00:00:00Z");
    assert_conflict(
        store.db().await.unwrap().insert_status_list(&again).await,
        "a status list with this id",
        Some("id"),
    );
    let orphan = status_list("l-orphan", "nowhere", "revocation", "2026-01-01T00:00:00Z");
    assert_missing_reference(store.db().await.unwrap().insert_status_list(&orphan).await, "a status list with this id");
    assert_eq!(store.db().await.unwrap().all_status_lists().await.unwrap().len(), lists.len());
    assert_eq!(store.db().await.unwrap().status_list("l-sus").await.unwrap(), Some(lists[1].clone()));
}

pub(crate) async fn status_indexes_are_claimed_once_and_counted(store: &Store) {
    setup(store).await;
    store.db().await.unwrap().insert_status_list(&status_list("rev", "uca", "revocation", "t")).await.unwrap();
    store.db().await.unwrap().insert_status_list(&status_list("sus", "uca", "suspension", "t")).await.unwrap();
    // An entry is claimed before its credential is stored, in the same transaction.
    let mut tx = store.begin().await.unwrap();
    assert!(tx.db().claim_status_index(&entry("sus", 7, "c1", "suspension")).await.unwrap());
    assert!(tx.db().claim_status_index(&entry("rev", 3_000_000_000, "c1", "revocation")).await.unwrap());
    tx.db().add_status_list_use("rev", 1).await.unwrap();
    tx.db().add_status_list_use("sus", 1).await.unwrap();
    tx.db().insert_credential(&credential("c1", "uca", 1, 1, "t")).await.unwrap();
    tx.commit().await.unwrap();

    // The index is another credential's: refused, and the entry stays the first one's.
    assert!(
        !store.db().await.unwrap().claim_status_index(&entry("rev", 3_000_000_000, "c2", "revocation")).await.unwrap()
    );
    assert!(store.db().await.unwrap().claim_status_index(&entry("rev", 0, "c2", "revocation")).await.unwrap());
    assert!(store.db().await.unwrap().claim_status_index(&entry("rev", 1, "c2", "revocation")).await.unwrap());
    store.db().await.unwrap().add_status_list_use("rev", 2).await.unwrap();
    let result = store.db().await.unwrap().claim_status_index(&entry("nowhere", 0, "c2", "revocation")).await;
    assert_missing_reference(result, "a status entry");

    // A credential's entries, by purpose.
    assert_eq!(
        store.db().await.unwrap().status_entries_of("c1").await.unwrap(),
        vec![entry("rev", 3_000_000_000, "c1", "revocation"), entry("sus", 7, "c1", "suspension")]
    );
    // Entries of one purpose come in no promised order.
    let mut entries = store.db().await.unwrap().status_entries_of("c2").await.unwrap();
    entries.sort_by_key(|entry| entry.index);
    assert_eq!(entries, vec![entry("rev", 0, "c2", "revocation"), entry("rev", 1, "c2", "revocation")]);
    assert_eq!(store.db().await.unwrap().status_entries_of("c3").await.unwrap(), vec![]);
    // Uses add up, per list.
    assert_eq!(store.db().await.unwrap().status_list("rev").await.unwrap().unwrap().used, 3);
    assert_eq!(store.db().await.unwrap().status_list("sus").await.unwrap().unwrap().used, 1);

    // Many at once: an index another credential has is not taken, nor the second of two
    // entries drawing one index; more than one statement's worth are.
    let mut many = vec![
        entry("rev", 3_000_000_000, "c3", "revocation"),
        entry("rev", 5, "c4", "revocation"),
        entry("rev", 5, "c5", "revocation"),
        entry("rev", 6, "c6", "revocation"),
    ];
    many.extend((0..150).map(|n| entry("rev", 1_000 + n, &format!("m{n}"), "revocation")));
    let taken = store.db().await.unwrap().claim_status_indexes(&many).await.unwrap();
    assert_eq!(taken, [1].into_iter().chain(3..many.len()).collect::<Vec<_>>());
    assert_eq!(store.db().await.unwrap().status_entries_of("c1").await.unwrap()[0].credential_id, "c1");
    assert_eq!(store.db().await.unwrap().status_entries_of("c5").await.unwrap(), vec![]);
    assert_eq!(store.db().await.unwrap().status_entries_of("m149").await.unwrap(), vec![many[153].clone()]);
    let again: Vec<StatusEntryRecord> = many[150..]
        .iter()
        .map(|held| entry("rev", held.index, &format!("other-{}", held.index), "revocation"))
        .collect();
    let taken = store.db().await.unwrap().claim_status_indexes(&again).await.unwrap();
    assert_eq!(taken, Vec::<usize>::new(), "indexes other credentials hold are not taken");

    // Which of some indexes are held in one list: those of this list only, whatever the
    // number asked about (one, or more than one statement's worth), beyond 32 bits too.
    let held = |indexes: Vec<u64>| async move {
        let mut taken: Vec<u64> =
            store.db().await.unwrap().taken_status_indexes("rev", &indexes).await.unwrap().into_iter().collect();
        taken.sort_unstable();
        taken
    };
    assert_eq!(held(vec![7, 2, 3_000_000_000, 0, 5]).await, [0, 5, 3_000_000_000]);
    assert_eq!(held(vec![4]).await, Vec::<u64>::new());
    assert_eq!(held(vec![]).await, Vec::<u64>::new());
    let asked: Vec<u64> = (900..1_200).collect();
    assert_eq!(held(asked).await, (1_000..1_150).collect::<Vec<_>>());
    let suspension = store.db().await.unwrap().taken_status_indexes("sus", &[7, 0]).await.unwrap();
    assert_eq!(suspension, [7].into_iter().collect());
}

pub(crate) async fn indexes_in_state_follow_the_credentials(store: &Store) {
    setup(store).await;
    store.db().await.unwrap().insert_status_list(&status_list("rev", "uca", "revocation", "t")).await.unwrap();
    for (id, learner, index) in [("c1", 1, 9), ("c2", 2, 4)] {
        store.db().await.unwrap().insert_credential(&credential(id, "uca", 1, learner, "t")).await.unwrap();
        assert!(store.db().await.unwrap().claim_status_index(&entry("rev", index, id, "revocation")).await.unwrap());
    }
    assert_eq!(store.db().await.unwrap().indexes_in_state("rev", "revoked").await.unwrap(), Vec::<u64>::new());
    store
        .db()
        .await
        .unwrap()
        .set_credential_state("c1", "revoked", Some("fraud"), "2026-12-01T10:00:00Z")
        .await
        .unwrap();
    store.db().await.unwrap().set_credential_state("c2", "revoked", None, "2026-12-01T10:00:00Z").await.unwrap();
    assert_eq!(store.db().await.unwrap().indexes_in_state("rev", "revoked").await.unwrap(), vec![4, 9]);
    store.db().await.unwrap().set_credential_state("c1", "suspended", None, "2026-12-01T10:00:00Z").await.unwrap();
    assert_eq!(store.db().await.unwrap().indexes_in_state("rev", "revoked").await.unwrap(), vec![4]);
    assert_eq!(store.db().await.unwrap().indexes_in_state("rev", "suspended").await.unwrap(), vec![9]);
    assert_eq!(store.db().await.unwrap().indexes_in_state("other", "revoked").await.unwrap(), Vec::<u64>::new());
}

pub(crate) async fn stamps_change_with_credential_state_and_keys(store: &Store) {
    setup(store).await;
    let mut tx = store.begin().await.unwrap();
    for (list, institution, purpose) in
        [("rev", "uca", "revocation"), ("sus", "uca", "suspension"), ("theirs", "unito", "revocation")]
    {
        tx.db().insert_status_list(&status_list(list, institution, purpose, "t")).await.unwrap();
    }
    tx.db().insert_credential(&credential("c1", "uca", 1, 1, "t")).await.unwrap();
    tx.db().insert_credential(&credential("c2", "uca", 1, 2, "t")).await.unwrap();
    assert!(tx.db().claim_status_index(&entry("rev", 0, "c1", "revocation")).await.unwrap());
    assert!(tx.db().claim_status_index(&entry("sus", 0, "c1", "suspension")).await.unwrap());
    assert!(tx.db().claim_status_index(&entry("rev", 1, "c2", "revocation")).await.unwrap());
    tx.commit().await.unwrap();
    let stamp = |list: &'static str| async move { store.db().await.unwrap().status_list_stamp(list).await.unwrap() };

    // No key yet: version 0 and no current key.
    assert_eq!(stamp("rev").await, Some((0, None)));
    assert_eq!(stamp("none").await, None);
    store.db().await.unwrap().insert_issuer_key(&issuer_key("k1", "uca", "2026-01-01T00:00:00Z")).await.unwrap();
    assert_eq!(stamp("rev").await, Some((0, Some("k1".into()))));
    assert_eq!(stamp("theirs").await, Some((0, None)));
    let (_, mut stamps) = store.db().await.unwrap().verification_stamps("rev", "sus").await.unwrap();
    stamps.sort();
    assert_eq!(stamps, vec![("rev".into(), 0, Some("k1".into())), ("sus".into(), 0, Some("k1".into()))]);

    // A change of state moves every list of that credential, and no other.
    store.db().await.unwrap().set_credential_state("c1", "suspended", None, "2026-12-01T10:00:00Z").await.unwrap();
    assert_eq!(stamp("rev").await, Some((1, Some("k1".into()))));
    assert_eq!(stamp("sus").await, Some((1, Some("k1".into()))));
    store
        .db()
        .await
        .unwrap()
        .set_credential_state("c2", "revoked", Some("fraud"), "2026-12-01T10:00:00Z")
        .await
        .unwrap();
    assert_eq!(stamp("rev").await, Some((2, Some("k1".into()))));
    assert_eq!(stamp("sus").await, Some((1, Some("k1".into()))));
    assert_eq!(stamp("theirs").await, Some((0, None)));

    // A new key is the current key of the list's stamp.
    let mut tx = store.begin().await.unwrap();
    tx.db().retire_current_key("uca", "2026-06-01T00:00:00Z").await.unwrap();
    tx.db().insert_issuer_key(&issuer_key("k2", "uca", "2026-06-01T00:00:00Z")).await.unwrap();
    tx.commit().await.unwrap();
    assert_eq!(stamp("rev").await, Some((2, Some("k2".into()))));

    // The same in one query, with the fingerprint; the order of the stamps is not promised.
    let fingerprint = store.db().await.unwrap().keys_fingerprint().await.unwrap();
    assert_eq!(fingerprint, [2, 2, 1, 1], "institutions, keys, retired keys, trust counter");
    let (keys, mut stamps) = store.db().await.unwrap().verification_stamps("rev", "theirs").await.unwrap();
    stamps.sort();
    assert_eq!(keys, fingerprint);
    assert_eq!(stamps, vec![("rev".into(), 2, Some("k2".into())), ("theirs".into(), 0, None)]);
    let (keys, stamps) = store.db().await.unwrap().verification_stamps("sus", "").await.unwrap();
    assert_eq!((keys, stamps), (fingerprint, vec![("sus".into(), 1, Some("k2".into()))]));
    let (keys, stamps) = store.db().await.unwrap().verification_stamps("none", "").await.unwrap();
    assert_eq!((keys, stamps), (fingerprint, vec![]));
}

pub(crate) async fn keys_fingerprint_moves_with_institutions_keys_and_trust(store: &Store) {
    let fingerprint = || async { store.db().await.unwrap().keys_fingerprint().await.unwrap() };
    let stamped = || async { store.db().await.unwrap().verification_stamps("", "").await.unwrap() };
    assert_eq!(fingerprint().await, [0, 0, 0, 1]);
    assert_eq!(stamped().await, ([0, 0, 0, 1], vec![]));
    store.db().await.unwrap().insert_institution(&institution("uca")).await.unwrap();
    assert_eq!(fingerprint().await, [1, 0, 0, 1]);
    store.db().await.unwrap().insert_issuer_key(&issuer_key("k1", "uca", "2026-01-01T00:00:00Z")).await.unwrap();
    assert_eq!(fingerprint().await, [1, 1, 0, 1]);
    store.db().await.unwrap().retire_current_key("uca", "2026-06-01T00:00:00Z").await.unwrap();
    assert_eq!(fingerprint().await, [1, 1, 1, 1]);
    store.db().await.unwrap().insert_issuer_key(&issuer_key("k2", "uca", "2026-06-01T00:00:00Z")).await.unwrap();
    assert_eq!(fingerprint().await, [1, 2, 1, 1]);
    let trusted = trusted_local("uca");
    store.db().await.unwrap().put_trusted_issuer(&trusted).await.unwrap();
    assert_eq!(fingerprint().await, [1, 2, 1, 2]);
    // Replacing the entry is a change too.
    store
        .db()
        .await
        .unwrap()
        .put_trusted_issuer(&TrustedIssuerRecord { trusted_until: Some(1_800_000_000), ..trusted })
        .await
        .unwrap();
    assert_eq!(fingerprint().await, [1, 2, 1, 3]);
    assert_eq!(stamped().await, ([1, 2, 1, 3], vec![]));
}

//! The audit log: entries appended in transactions, one at a time or through a writer, are
//! chained in order, and an intact chain verifies.

use mc_store::{AuditEntry, Store};

const GENESIS: &str = "0000000000000000000000000000000000000000000000000000000000000000";

pub(crate) async fn audit_log_chains_entries_in_order(store: &Store) {
    assert_eq!(store.db().await.unwrap().verify_audit().await.unwrap(), Ok(0));
    assert_eq!(store.db().await.unwrap().audit_entries().await.unwrap(), vec![]);

    let mut tx = store.begin().await.unwrap();
    let first = tx.audit("2026-01-01T00:00:00Z", "key.create", "uca", r#"{"key":"k1"}"#).await.unwrap();
    tx.commit().await.unwrap();
    // The hash is the same on every backend: it depends on the content alone.
    let expected = AuditEntry {
        seq: 1,
        at: "2026-01-01T00:00:00Z".into(),
        action: "key.create".into(),
        subject: "uca".into(),
        details: r#"{"key":"k1"}"#.into(),
        prev_hash: GENESIS.into(),
        hash: "188bedd92e5a5f00fba05ff6e9d798ed77727515b73d90e6d340b3817da55752".into(),
    };
    assert_eq!(first, expected);

    // Many entries through one writer, in one transaction.
    let mut tx = store.begin().await.unwrap();
    let mut writer = tx.audit_writer().await.unwrap();
    for (n, action) in ["credential.issue", "credential.suspend", "credential.revoke"].into_iter().enumerate() {
        let details = format!(r#"{{"n":{n},"note":"ñ ‘quoted’"}}"#);
        tx.append_audit(&mut writer, &format!("2026-01-02T00:00:0{n}Z"), action, "c1", &details).await.unwrap();
    }
    tx.finish_audit(writer).await.unwrap();
    tx.commit().await.unwrap();

    // A transaction that does not commit leaves no entry, with either way of appending.
    let mut tx = store.begin().await.unwrap();
    tx.audit("2026-01-03T00:00:00Z", "credential.revoke", "c2", "{}").await.unwrap();
    let mut writer = tx.audit_writer().await.unwrap();
    tx.append_audit(&mut writer, "2026-01-03T00:00:00Z", "credential.revoke", "c3", "{}").await.unwrap();
    tx.finish_audit(writer).await.unwrap();
    tx.rollback().await.unwrap();
    // A writer that appends nothing changes nothing.
    let mut tx = store.begin().await.unwrap();
    let writer = tx.audit_writer().await.unwrap();
    tx.finish_audit(writer).await.unwrap();
    tx.commit().await.unwrap();

    let mut tx = store.begin().await.unwrap();
    let last = tx.audit("2026-01-04T00:00:00Z", "key.rotate", "uca", "{}").await.unwrap();
    tx.commit().await.unwrap();

    let entries = store.db().await.unwrap().audit_entries().await.unwrap();
    let summary: Vec<(u64, &str, &str)> =
        entries.iter().map(|entry| (entry.seq, entry.action.as_str(), entry.subject.as_str())).collect();
    assert_eq!(
        summary,
        [
            (1, "key.create", "uca"),
            (2, "credential.issue", "c1"),
            (3, "credential.suspend", "c1"),
            (4, "credential.revoke", "c1"),
            (5, "key.rotate", "uca"),
        ]
    );
    assert_eq!(entries[0], expected);
    assert_eq!(entries[2].at, "2026-01-02T00:00:01Z");
    assert_eq!(entries[2].details, r#"{"n":1,"note":"ñ ‘quoted’"}"#);
    assert_eq!(entries[4], last);
    for pair in entries.windows(2) {
        assert_eq!(pair[1].prev_hash, pair[0].hash, "entry {} follows entry {}", pair[1].seq, pair[0].seq);
    }
    let mut hashes: Vec<&str> = entries.iter().map(|entry| entry.hash.as_str()).collect();
    assert!(hashes.iter().all(|hash| hash.len() == 64 && hash.bytes().all(|b| b.is_ascii_hexdigit())));
    hashes.sort_unstable();
    hashes.dedup();
    assert_eq!(hashes.len(), 5);
    assert_eq!(store.db().await.unwrap().verify_audit().await.unwrap(), Ok(5));
}

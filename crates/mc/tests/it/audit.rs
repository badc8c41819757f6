//! The audit log: every issue, revocation, suspension and key event is chained, and
//! `audit verify` names the entry that was edited, deleted or moved.

use crate::support::Env;

const SPEC: &str = "01936a3e-0000-7000-8000-000000000001";

/// An environment with nine audit entries: the four demo institutions' test seals, a key made,
/// two issues, a suspension, a revocation.
fn audited(env: &Env) {
    env.ok(&["demo"]);
    let first: serde_json::Value =
        serde_json::from_str(&env.ok(&["issue", "--spec", SPEC, "--learner", "aino.virtanen@learners.example"]))
            .unwrap();
    env.ok(&["issue", "--spec", SPEC, "--learner", "jose.martinez@learners.example"]);
    let id = first["id"].as_str().unwrap().trim_start_matches("urn:uuid:");
    env.ok(&["suspend", id]);
    env.ok(&["revoke", id, "--reason", "awarded by mistake"]);
}

#[test]
fn the_audit_log_records_and_chains_every_event() {
    for env in Env::all() {
        audited(&env);
        assert_eq!(
            env.ok(&["audit", "verify"]),
            "the audit log is intact: 9 entries, each chained to the one before\n"
        );
        let entries: serde_json::Value = serde_json::from_str(&env.ok(&["audit", "list", "--json"])).unwrap();
        let actions: Vec<&str> =
            entries.as_array().unwrap().iter().map(|entry| entry["action"].as_str().unwrap()).collect();
        assert_eq!(
            actions,
            [
                "seal.test",
                "seal.test",
                "seal.test",
                "seal.test",
                "key.create",
                "credential.issue",
                "credential.issue",
                "credential.suspend",
                "credential.revoke"
            ],
            "[{}]",
            env.backend()
        );
        assert_eq!(entries[8]["details"]["reason"], "awarded by mistake");
        assert_eq!(entries[0]["details"]["test_seal"], true);
    }
}

#[test]
fn tampering_with_the_audit_log_is_found() {
    let cases = [
        ("UPDATE audit_log SET details = '{}' WHERE seq = 6", "entry 6 was changed after it was written"),
        (
            "UPDATE audit_log SET action = 'credential.unsuspend' WHERE seq = 8",
            "entry 8 was changed after it was written",
        ),
        ("DELETE FROM audit_log WHERE seq = 7", "entry 8 does not follow entry 6"),
        (
            "UPDATE audit_log SET seq = seq + 10 WHERE seq = 6; UPDATE audit_log SET seq = 6 WHERE seq = 7; UPDATE audit_log SET seq = 7 WHERE seq = 16",
            "entry 6 does not follow entry 5",
        ),
        ("DELETE FROM audit_log WHERE seq = 9", "the log ends at entry 8 but 9 entries were written"),
    ];
    for env in Env::all() {
        for (sql, expected) in cases {
            let fresh = Env::same_backend(&env);
            audited(&fresh);
            fresh.tamper(sql);
            let stderr = fresh.fails(&["audit", "verify"]);
            assert!(
                stderr.contains("the audit log has been tampered with") && stderr.contains(expected),
                "[{}] {sql}: {stderr}",
                env.backend()
            );
        }
    }
}

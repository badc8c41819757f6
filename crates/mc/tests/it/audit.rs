//! The audit log: every issue, revocation, suspension and key event is chained, and
//! `audit verify` names the entry that was edited, deleted or moved.

use crate::support::Env;

const SPEC: &str = "01936a3e-0000-7000-8000-000000000001";

/// An environment with the demo's audit entries (its test seals, its agreements stored and
/// signed), then five more: a key made, two issues, a suspension, a revocation. Returns how many
/// the demo wrote.
fn audited(env: &Env) -> usize {
    env.ok(&["demo"]);
    let entries: serde_json::Value = serde_json::from_str(&env.ok(&["audit", "list", "--json"])).unwrap();
    let demo = entries.as_array().unwrap().len();
    let first: serde_json::Value =
        serde_json::from_str(&env.ok(&["issue", "--spec", SPEC, "--learner", "aino.virtanen@learners.example"]))
            .unwrap();
    env.ok(&["issue", "--spec", SPEC, "--learner", "jose.martinez@learners.example"]);
    let id = first["id"].as_str().unwrap().trim_start_matches("urn:uuid:");
    env.ok(&["suspend", id]);
    env.ok(&["revoke", id, "--reason", "awarded by mistake"]);
    demo
}

#[test]
fn the_audit_log_records_and_chains_every_event() {
    for env in Env::all() {
        let demo = audited(&env);
        assert_eq!(
            env.ok(&["audit", "verify"]),
            format!("the audit log is intact: {} entries, each chained to the one before\n", demo + 5)
        );
        let entries: serde_json::Value = serde_json::from_str(&env.ok(&["audit", "list", "--json"])).unwrap();
        let actions: Vec<&str> =
            entries.as_array().unwrap().iter().map(|entry| entry["action"].as_str().unwrap()).collect();
        let mut demo_actions = actions[..demo].to_vec();
        demo_actions.dedup();
        assert_eq!(
            demo_actions,
            ["seal.test", "pathway.add", "agreement.add", "agreement.sign", "agreement.add", "agreement.sign"]
        );
        assert_eq!(
            actions[demo..],
            ["key.create", "credential.issue", "credential.issue", "credential.suspend", "credential.revoke"],
            "[{}]",
            env.backend()
        );
        assert_eq!(entries[demo + 4]["details"]["reason"], "awarded by mistake");
        assert_eq!(entries[0]["details"]["test_seal"], true);
    }
}

#[test]
fn tampering_with_the_audit_log_is_found() {
    // Sequence numbers after the demo's entries: `{n}` is the demo's count plus n.
    let cases = [
        ("UPDATE audit_log SET details = '{}' WHERE seq = {2}", "entry {2} was changed after it was written"),
        (
            "UPDATE audit_log SET action = 'credential.unsuspend' WHERE seq = {4}",
            "entry {4} was changed after it was written",
        ),
        ("DELETE FROM audit_log WHERE seq = {3}", "entry {4} does not follow entry {2}"),
        (
            "UPDATE audit_log SET seq = seq + 100 WHERE seq = {2}; UPDATE audit_log SET seq = {2} WHERE seq = {3}; UPDATE audit_log SET seq = {3} WHERE seq = {102}",
            "entry {2} does not follow entry {1}",
        ),
        ("DELETE FROM audit_log WHERE seq = {5}", "the log ends at entry {4} but {5} entries were written"),
    ];
    let at = |text: &str, demo: usize| {
        let mut text = text.to_owned();
        for n in [102, 5, 4, 3, 2, 1] {
            text = text.replace(&format!("{{{n}}}"), &(demo + n).to_string());
        }
        text
    };
    for env in Env::all() {
        for (sql, expected) in cases {
            let fresh = Env::same_backend(&env);
            let demo = audited(&fresh);
            let (sql, expected) = (at(sql, demo), at(expected, demo));
            fresh.tamper(&sql);
            let stderr = fresh.fails(&["audit", "verify"]);
            assert!(
                stderr.contains("the audit log has been tampered with") && stderr.contains(&expected),
                "[{}] {sql}: {stderr}",
                env.backend()
            );
        }
    }
}

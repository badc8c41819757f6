//! Revoking, suspending and lifting suspensions, as status lists published in the data
//! directory and read back by verify, on each backend.

use serde_json::Value;

use crate::support::Env;

const SPEC: &str = "01936a3e-0000-7000-8000-000000000001";

fn status_of(env: &Env, path: &str) -> (Option<i32>, Value) {
    let output = env.command(&["verify", path, "--offline", "--json"]).output().unwrap();
    let result: Value = serde_json::from_slice(&output.stdout).unwrap();
    let status = result["checks"].as_array().unwrap().iter().find(|check| check["id"] == "status").unwrap().clone();
    (output.status.code(), status)
}

#[test]
fn revocation_and_suspension_reach_verifiers() {
    for env in Env::all() {
        env.ok(&["demo"]);
        let credential: Value =
            serde_json::from_str(&env.ok(&["issue", "--spec", SPEC, "--learner", "aino.virtanen@learners.example"]))
                .unwrap();
        let id = credential["id"].as_str().unwrap().trim_start_matches("urn:uuid:").to_owned();
        let path = env.write("credential.json", &credential.to_string());
        let backend = env.backend();

        let (code, status) = status_of(&env, &path);
        assert_eq!((code, status["status"].as_str()), (Some(0), Some("passed")), "[{backend}] {status}");

        assert_eq!(env.ok(&["suspend", &id]), format!("suspended credential {id}\n"));
        let (code, status) = status_of(&env, &path);
        assert_eq!(code, Some(1), "[{backend}]");
        assert_eq!(status["message"], "the credential is suspended");
        assert!(env.fails(&["suspend", &id]).contains("the credential is already suspended"));

        env.ok(&["unsuspend", &id]);
        assert_eq!(status_of(&env, &path).0, Some(0), "[{backend}] a lifted suspension is valid again");
        assert!(env.fails(&["unsuspend", &id]).contains("the credential is not suspended"));

        env.ok(&["revoke", &id, "--reason", "awarded by mistake"]);
        let (code, status) = status_of(&env, &path);
        assert_eq!(
            (code, status["message"].as_str()),
            (Some(1), Some("the credential has been revoked")),
            "[{backend}]"
        );
        assert!(env.fails(&["revoke", &id, "--reason", "again"]).contains("already revoked; revocation is final"));
        assert!(env.fails(&["suspend", &id]).contains("it cannot be suspended"));
        assert!(env.fails(&["unsuspend", &id]).contains("revocation is final"));
        let listed: Value = serde_json::from_str(&env.ok(&["credential", "list", "--json"])).unwrap();
        assert_eq!(listed.as_array().unwrap().len(), 1);
        let table = env.ok(&["credential", "list"]);
        assert!(table.contains(" revoked "), "{table}");

        let unrevoke = env.command(&["unrevoke", &id]).output().unwrap();
        assert_eq!(unrevoke.status.code(), Some(2), "there is no unrevoke");
        let stderr = env.fails(&["revoke", &id, "--reason", " "]);
        assert!(stderr.contains("must not be empty"), "{stderr}");
    }
}

#[test]
fn published_lists_are_signed_credentials_and_missing_ones_leave_status_unknown() {
    let env = Env::sqlite();
    env.ok(&["demo"]);
    let credential = env.ok(&["issue", "--spec", SPEC, "--learner", "aino.virtanen@learners.example"]);
    let path = env.write("credential.json", &credential);
    let published = env.ok(&["status", "publish"]);
    assert!(published.starts_with("published 2 status lists to "), "{published}");
    let status_dir = env.data().join("status");
    for entry in std::fs::read_dir(&status_dir).unwrap() {
        let list = entry.unwrap().path();
        let out = env.ok(&["verify", &list.display().to_string(), "--offline"]);
        assert!(out.contains(": valid\n"), "a status list is itself a valid credential: {out}");
    }
    std::fs::remove_dir_all(&status_dir).unwrap();
    // With the database (and the key to sign its lists) at hand, the lists are rebuilt from it.
    let (code, status) = status_of(&env, &path);
    assert_eq!((code, status["status"].as_str()), (Some(0), Some("passed")), "{status}");
    // Without the key-encryption key no list can be signed here, and none is published.
    std::fs::remove_file(env.data().join("kek")).unwrap();
    let (code, status) = status_of(&env, &path);
    assert_eq!(code, Some(2), "without its status lists a credential cannot be called valid");
    assert_eq!(status["status"], "skipped");
    assert!(status["message"].as_str().unwrap().starts_with("the status is unknown"));
}

/// An institution known by the did:key of its key signs each status list as the issuer of the
/// credentials in it: after a rotation, what it issued before still has a status (and can still
/// be revoked), and what it issues afterwards goes into new lists of the new key.
#[test]
fn a_key_rotation_keeps_earlier_credentials_checkable() {
    for env in Env::all() {
        let backend = env.backend();
        env.ok(&["demo"]);
        env.ok(&[
            "institution",
            "add",
            "--id",
            "keyonly",
            "--name",
            "Key-only College",
            "--name-lang",
            "en",
            "--country",
            "PT",
            "--legal-id",
            "PT-KEYONLY-1",
            "--website",
            "https://keyonly.example",
        ]);
        let mut spec: Value = serde_json::from_str(&env.ok(&["spec", "show", SPEC, "--json"])).unwrap();
        spec["id"] = Value::String("01936a3e-0000-7000-8000-0000000000e1".into());
        spec["awarding_bodies"] = serde_json::json!(["keyonly"]);
        let file = env.write("keyonly-spec.json", &spec.to_string());
        env.ok(&["spec", "add", &file, "--publish"]);
        env.ok(&["trust", "add", "keyonly"]);
        let issue = |learner: &str| -> (String, String, String) {
            let credential: Value = serde_json::from_str(&env.ok(&[
                "issue",
                "--spec",
                "01936a3e-0000-7000-8000-0000000000e1",
                "--learner",
                learner,
            ]))
            .unwrap();
            let id = credential["id"].as_str().unwrap().trim_start_matches("urn:uuid:").to_owned();
            let issuer = credential["issuer"]["id"].as_str().unwrap_or_else(|| credential["issuer"].as_str().unwrap());
            (env.write(&format!("{id}.json"), &credential.to_string()), id, issuer.to_owned())
        };
        let (before, before_id, old_did) = issue("aino.virtanen@learners.example");
        assert!(old_did.starts_with("did:key:"), "[{backend}] {old_did}");
        env.ok(&["issuer", "rotate-key", "keyonly"]);
        let (after, _, new_did) = issue("jose.martinez@learners.example");
        assert_ne!(old_did, new_did, "[{backend}] the rotation changed the issuer's did:key");

        for (path, what) in [(&before, "issued before the rotation"), (&after, "issued after it")] {
            let (code, status) = status_of(&env, path);
            assert_eq!((code, status["status"].as_str()), (Some(0), Some("passed")), "[{backend}] {what}: {status}");
        }
        env.ok(&["revoke", &before_id, "--reason", "issued in error"]);
        let (code, status) = status_of(&env, &before);
        assert_eq!(
            (code, status["message"].as_str()),
            (Some(1), Some("the credential has been revoked")),
            "[{backend}]"
        );
        assert_eq!(status_of(&env, &after).0, Some(0), "[{backend}] the other key's credential is untouched");
    }
}

//! Issuing credentials from the command line, on each backend: signed with the institution's
//! sealed key, verifiable, issued once, still verifiable after a key rotation.

use serde_json::Value;

use crate::support::Env;

const SPEC: &str = "01936a3e-0000-7000-8000-000000000001";
const LEARNER: &str = "jose.martinez@learners.example";

fn json(text: &str) -> Value {
    serde_json::from_str(text).unwrap_or_else(|err| panic!("not JSON ({err}): {text}"))
}

#[test]
fn issued_credentials_verify_and_are_issued_once() {
    for env in Env::all() {
        env.ok(&["demo"]);
        let first = json(&env.ok(&["issue", "--spec", SPEC, "--learner", LEARNER]));
        let path = env.write("credential.json", &first.to_string());
        let verified = env.ok(&["verify", &path, "--offline", "--json"]);
        let verified = json(&verified);
        assert_eq!(verified["verdict"], "valid", "[{}] {verified:#}", env.backend());
        let issuer_check = verified["checks"].as_array().unwrap().iter().find(|check| check["id"] == "issuer").unwrap();
        assert_eq!(issuer_check["status"], "passed", "the issuer's did:web resolves from the local database");

        let statuses = first["credentialStatus"].as_array().unwrap();
        let purposes: Vec<&str> = statuses.iter().map(|status| status["statusPurpose"].as_str().unwrap()).collect();
        assert_eq!(purposes, ["revocation", "suspension"]);
        for status in statuses {
            let index: u64 = status["statusListIndex"].as_str().unwrap().parse().unwrap();
            assert!(index < 131_072);
            assert!(status["statusListCredential"].as_str().unwrap().starts_with("http://127.0.0.1:8080/status/"));
        }

        let again = env.command(&["issue", "--spec", SPEC, "--learner", LEARNER]).output().unwrap();
        assert!(again.status.success());
        assert_eq!(json(&String::from_utf8(again.stdout).unwrap()), first, "the same credential, not a new one");
        assert!(String::from_utf8_lossy(&again.stderr).contains("was not issued again"));
        let listed = json(&env.ok(&["credential", "list", "--json"]));
        assert_eq!(listed.as_array().unwrap().len(), 1, "[{}]", env.backend());
        let id = first["id"].as_str().unwrap().trim_start_matches("urn:uuid:");
        assert_eq!(json(&env.ok(&["credential", "show", id])), first);
    }
}

#[test]
fn rotated_keys_keep_old_credentials_verifiable() {
    let env = Env::sqlite();
    env.ok(&["demo"]);
    let old = env.write("old.json", &env.ok(&["issue", "--spec", SPEC, "--learner", LEARNER]));
    let rotated = env.ok(&["issuer", "rotate-key", "valdeoliva"]);
    assert!(rotated.starts_with("valdeoliva now signs with key-"), "{rotated}");
    let new = json(&env.ok(&["issue", "--spec", SPEC, "--learner", "ainhoa.garcia@learners.example"]));
    let old_json = json(&std::fs::read_to_string(&old).unwrap());
    assert_ne!(old_json["proof"]["verificationMethod"], new["proof"]["verificationMethod"]);
    let document = json(&env.ok(&["issuer", "did-document", "valdeoliva"]));
    assert_eq!(document["assertionMethod"].as_array().unwrap().len(), 2, "current and past keys: {document:#}");
    let new_path = env.write("new.json", &new.to_string());
    for path in [&old, &new_path] {
        let out = env.ok(&["verify", path, "--offline"]);
        assert!(out.contains(": valid\n"), "{out}");
    }
}

#[test]
fn issuing_needs_the_key_encryption_key_it_sealed_with() {
    let env = Env::sqlite();
    env.ok(&["demo"]);
    env.ok(&["issue", "--spec", SPEC, "--learner", LEARNER]);
    let other = "AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=";
    let output = env
        .command(&["issue", "--spec", SPEC, "--learner", "ainhoa.garcia@learners.example"])
        .env("MICROCRED_KEK", other)
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(1));
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(stderr.contains("cannot be opened: wrong key-encryption key"), "{stderr}");
    assert_eq!(json(&env.ok(&["credential", "list", "--json"])).as_array().unwrap().len(), 1, "nothing was issued");

    std::fs::remove_file(env.data().join("kek")).unwrap();
    let stderr = env.fails(&["issue", "--spec", SPEC, "--learner", "ainhoa.garcia@learners.example"]);
    assert!(stderr.contains("no key-encryption key: set MICROCRED_KEK"), "{stderr}");
}

#[test]
fn bad_issue_requests_are_refused() {
    let env = Env::sqlite();
    env.ok(&["demo"]);
    let before = env.ok(&["credential", "list", "--json"]);
    for (args, expected) in [
        (
            vec!["issue", "--spec", "01936a3e-0000-7000-8000-0000000000ff", "--learner", LEARNER],
            "no specification with id",
        ),
        (
            vec!["issue", "--spec", SPEC, "--learner", "nobody@learners.example"],
            "no learner with id \"nobody@learners.example\"",
        ),
        (vec!["issue", "--spec", "42", "--learner", LEARNER], "is not a specification id"),
        (vec!["credential", "show", "01936a3e-0000-7000-8000-0000000000ff"], "no credential with id"),
        (vec!["issuer", "did-document", "nowhere"], "no institution with id \"nowhere\""),
    ] {
        let stderr = env.fails(&args);
        assert!(stderr.contains(expected), "{args:?}: {stderr}");
    }
    assert_eq!(env.ok(&["credential", "list", "--json"]), before);
}

#[test]
fn idempotency_keys_answer_the_same_and_refuse_another_request() {
    let env = Env::sqlite();
    env.ok(&["demo"]);
    let first = env.ok(&["issue", "--spec", SPEC, "--learner", LEARNER, "--idempotency-key", "req-1"]);
    let again = env.ok(&["issue", "--spec", SPEC, "--learner", LEARNER, "--idempotency-key", "req-1"]);
    assert_eq!(json(&first), json(&again));
    let stderr = env.fails(&[
        "issue",
        "--spec",
        SPEC,
        "--learner",
        "ainhoa.garcia@learners.example",
        "--idempotency-key",
        "req-1",
    ]);
    assert!(stderr.contains("the idempotency key \"req-1\" was used for another issue"), "{stderr}");
    assert_eq!(json(&env.ok(&["credential", "list", "--json"])).as_array().unwrap().len(), 1);
}

/// What `bench issue` reports as issued is there when the database is opened again: every
/// credential stored once, each audited, each with its own revocation and suspension index.
/// Three batches, the last one short.
#[test]
fn what_the_issue_bench_reports_is_durable() {
    const COUNT: usize = 1_050;
    for env in Env::all() {
        std::fs::create_dir_all(env.data()).unwrap();
        let url = match env.backend() {
            "sqlite" => format!("sqlite://{}?mode=rwc", env.data().join("microcred.db").display()),
            _ => env.database_url(),
        };
        let count = COUNT.to_string();
        let args = ["--database-url", &url, "bench", "issue", "--count", &count, "--suite", "eddsa-jcs-2022"];
        let report = env.ok(&args);
        assert!(report.contains(&format!("issued {COUNT} credentials")), "[{}] {report}", env.backend());

        let credentials = json(&env.ok(&["--database-url", &url, "credential", "list", "--json"]));
        let credentials = credentials.as_array().unwrap();
        let mut ids = std::collections::BTreeSet::new();
        let mut indexes = std::collections::BTreeSet::new();
        for credential in credentials {
            ids.insert(credential["id"].as_str().unwrap().to_owned());
            let status = credential["credentialStatus"].as_array().unwrap();
            assert_eq!(status.len(), 2, "[{}] {credential}", env.backend());
            for entry in status {
                let place =
                    (entry["statusListCredential"].as_str().unwrap(), entry["statusListIndex"].as_str().unwrap());
                assert!(indexes.insert(place), "[{}] two credentials share the status entry {place:?}", env.backend());
            }
        }
        assert_eq!(ids.len(), COUNT, "[{}] credentials stored once each", env.backend());

        let verified = env.ok(&["--database-url", &url, "audit", "verify"]);
        assert!(verified.contains("is intact"), "[{}] {verified}", env.backend());
        let entries = json(&env.ok(&["--database-url", &url, "audit", "list", "--json"]));
        let audited: std::collections::BTreeSet<String> = entries
            .as_array()
            .unwrap()
            .iter()
            .filter(|entry| entry["action"] == "credential.issue")
            .map(|entry| format!("urn:uuid:{}", entry["subject"].as_str().unwrap()))
            .collect();
        assert_eq!(audited, ids, "[{}] one audit entry per credential", env.backend());
    }
}

/// `bench credentials` verifies a did:web issuer's credential with both its status lists, in
/// each suite (it stops if that credential does not verify), and prints each ratio beside its
/// target.
#[test]
fn the_credentials_bench_verifies_fully_and_prints_its_ratios() {
    let env = Env::sqlite();
    let report = env.ok(&["bench", "credentials", "--count", "3"]);
    for suite in ["eddsa-rdfc-2022", "eddsa-jcs-2022"] {
        assert!(report.contains(&format!("full verification, {suite}, did:web, 2 lists")), "{report}");
        let ratio = format!("{suite}: a full verification (did:web issuer, both status lists, every check) costs");
        assert!(report.contains(&ratio), "{report}");
    }
    assert!(report.contains("(target at most 3.0×)") && report.contains("(target at most 2.5×)"), "{report}");
    assert!(report.contains("SD-JWT VC full verification (ES256, x5c)"), "{report}");
    assert!(report.contains("SD-JWT VC signed as HAIP asks (ES256, x5c;"), "{report}");
}

/// `bench serve` loads the real server's verify endpoint over HTTP with a credential it issued:
/// every answer must be a `valid` verdict, or the bench fails.
#[test]
fn the_serve_bench_loads_the_verify_endpoint_without_an_error() {
    let env = Env::sqlite();
    let report = env.ok(&["bench", "serve", "--seconds", "1", "--connections", "4"]);
    assert!(report.contains("verify endpoint, 4 connections from this process for 1 s:"), "{report}");
    assert!(report.contains(", 0 errors"), "{report}");
    assert!(report.contains("the same verification in-process on"), "{report}");
    assert!(report.contains("(target at least 40%)") && report.contains("(target under 50 ms)"), "{report}");
}

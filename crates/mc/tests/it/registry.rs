//! The network's registry and trusted-issuer list, end to end: accreditation facts recorded
//! and refused, the verifier's trust check from the database by default (command line and
//! server), an institution leaving the list, and the list exported and imported by a partner.

use serde_json::Value;

use crate::support::{Env, Server, get, post};

const SPEC: &str = "01936a3e-0000-7000-8000-000000000001"; // valdeoliva

fn json(text: &str) -> Value {
    serde_json::from_str(text).unwrap()
}

fn check(verification: &Value, id: &str) -> (String, String) {
    let check = verification["checks"].as_array().unwrap().iter().find(|check| check["id"] == id).unwrap();
    (check["status"].as_str().unwrap().to_owned(), check["message"].as_str().unwrap_or_default().to_owned())
}

#[test]
fn an_institution_that_leaves_the_list_fails_trust_for_its_new_credentials_only() {
    for env in Env::all() {
        env.ok(&["demo"]);
        // The command line issues under its default public URL; the server is told the same.
        let server = Server::start(&env, &["--public-url", "http://127.0.0.1:8080"]);
        // Each step at its own fixed time, one second apart: nothing waits for time to pass.
        let at = |time: &str, args: &[&str]| {
            let output = env.command(args).env("MICROCRED_FIXED_TIME", time).output().unwrap();
            assert!(output.status.success(), "{args:?}: {}", String::from_utf8_lossy(&output.stderr));
            String::from_utf8(output.stdout).unwrap()
        };
        let issue = ["issue", "--spec", SPEC, "--learner"];
        let before = env.write(
            "before.json",
            &at("2026-06-01T09:00:00Z", &[&issue[..], &["jose.martinez@learners.example"]].concat()),
        );
        let verified = json(&env.ok(&["verify", &before, "--offline", "--json"]));
        assert_eq!(verified["verdict"], "valid", "{verified:#}");
        assert_eq!(check(&verified, "trust").0, "passed", "the database's list is used by default");

        // Leaving takes effect from now: a credential issued a second later is not trusted.
        let removed = at("2026-06-01T09:00:01Z", &["trust", "remove", "valdeoliva"]);
        assert!(removed.contains("left the trusted-issuer list"), "{removed}");
        env.fails(&["trust", "remove", "valdeoliva"]);
        let after = at("2026-06-01T09:00:02Z", &[&issue[..], &["aino.virtanen@learners.example"]].concat());
        let after_file = env.write("after.json", &after);
        let output = env.command(&["verify", &after_file, "--offline", "--json"]).output().unwrap();
        let verified = json(&String::from_utf8_lossy(&output.stdout));
        assert_eq!(output.status.code(), Some(1));
        assert_eq!(verified["verdict"], "invalid");
        let (status, message) = check(&verified, "trust");
        assert_eq!(status, "failed");
        assert!(message.contains("left the trusted-issuer list"), "{message}");
        for id in ["format", "proof", "issuer", "validity", "status"] {
            assert_eq!(check(&verified, id).0, "passed", "{id} still runs: {verified:#}");
        }
        let old = json(&env.ok(&["verify", &before, "--offline", "--json"]));
        assert_eq!(old["verdict"], "valid", "what it issued before leaving stays trusted: {old:#}");

        // The running server uses the list as it is now.
        let answer = post(server.addr, "/api/v1/credentials/verify", "application/json", after.as_bytes());
        assert_eq!(answer.json()["verdict"], "invalid", "{}", answer.body);
        assert_eq!(check(&answer.json(), "trust").0, "failed");
        let listed = get(server.addr, "/api/v1/trusted-issuers").json();
        let entry =
            listed["issuers"].as_array().unwrap().iter().find(|entry| entry["id"] == "valdeoliva").unwrap().clone();
        assert!(entry["trusted_until"].is_string(), "{entry}");
        assert!(entry["dids"].as_array().unwrap().iter().any(|did| did == "did:web:www.valdeoliva.example"));

        // Back on the list, it is trusted again; a seal certificate must be a fingerprint.
        let stderr = env.fails(&["trust", "add", "valdeoliva", "--seal-certificate", "not-hex"]);
        assert!(stderr.contains("SHA-256 fingerprint"), "{stderr}");
        env.ok(&["trust", "add", "valdeoliva", "--seal-certificate", &"AB".repeat(32)]);
        let listed = json(&env.ok(&["trust", "list", "--json"]));
        let entry =
            listed["issuers"].as_array().unwrap().iter().find(|entry| entry["id"] == "valdeoliva").unwrap().clone();
        assert_eq!(entry["seal_certificates"][0], "ab".repeat(32));
        assert!(entry["trusted_until"].is_null());
        let answer = post(server.addr, "/api/v1/credentials/verify", "application/json", after.as_bytes());
        assert_eq!(answer.json()["verdict"], "valid", "{}", answer.body);
        server.stop();
    }
}

#[test]
fn accreditation_facts_are_checked_and_shown() {
    let env = Env::sqlite();
    env.ok(&["demo"]);
    let before = env.ok(&["registry", "list", "--json"]);
    for (args, field) in [
        (vec!["--qa-body", "ANECA", "--status", "approved", "--valid-from", "2024-01-01"], "status"),
        (vec!["--qa-body", "ANECA", "--status", "accredited", "--valid-from", "1 May 2024"], "valid_from"),
        (
            vec![
                "--qa-body",
                "ANECA",
                "--status",
                "accredited",
                "--valid-from",
                "2024-01-01",
                "--valid-until",
                "2023-01-01",
            ],
            "valid_until",
        ),
        (vec!["--qa-body", " ", "--status", "accredited", "--valid-from", "2024-01-01"], "qa_body"),
    ] {
        let mut command = vec!["registry", "set", "valdeoliva"];
        command.extend(args);
        let stderr = env.fails(&command);
        assert!(stderr.contains(field), "{field}: {stderr}");
    }
    let stderr = env.fails(&[
        "registry",
        "set",
        "nowhere",
        "--qa-body",
        "X",
        "--status",
        "accredited",
        "--valid-from",
        "2024-01-01",
    ]);
    assert!(stderr.contains("nowhere"), "{stderr}");
    assert_eq!(env.ok(&["registry", "list", "--json"]), before, "refused facts change nothing");

    env.ok(&[
        "registry",
        "set",
        "valdeoliva",
        "--qa-body",
        "ANECA",
        "--status",
        "expired",
        "--valid-from",
        "2018-01-01",
        "--valid-until",
        "2024-01-01",
        "--register-id",
        "RUCT-1",
    ]);
    let listed = json(&env.ok(&["registry", "list", "--json"]));
    let valdeoliva = listed.as_array().unwrap().iter().find(|record| record["institution"] == "valdeoliva").unwrap();
    assert_eq!(valdeoliva["status"], "expired");
    let server = Server::start(&env, &[]);
    let registry = get(server.addr, "/api/v1/registry").json();
    assert_eq!(registry["institutions"].as_array().unwrap().len(), 4);
    let entry = get(server.addr, &format!("/api/v1/catalogue/{SPEC}")).json();
    assert_eq!(entry["institutions"][0]["accreditation"]["status"], "expired");
    server.stop();
}

#[test]
fn a_partner_imports_the_exported_list_and_its_verifier_trusts_it() {
    let home = Env::sqlite();
    home.ok(&["demo"]);
    let credential = home
        .write("credential.json", &home.ok(&["issue", "--spec", SPEC, "--learner", "jose.martinez@learners.example"]));
    let exported = home.ok(&["trust", "export"]);
    let list: Value = json(&exported);
    assert_eq!(list["issuers"].as_array().unwrap().len(), 4);

    // `verify --trust` reads the export, instead of the database's list.
    let list_file = home.write("list.json", &exported);
    let verified = json(&home.ok(&["verify", &credential, "--offline", "--json", "--trust", &list_file]));
    assert_eq!(check(&verified, "trust").0, "passed");

    // A partner network imports it, with three broken entries that are refused alone.
    let partner = Env::sqlite();
    partner.ok(&["init"]);
    let mut with_errors = list;
    let issuers = with_errors["issuers"].as_array_mut().unwrap();
    let mut no_dids = issuers[0].clone();
    no_dids["id"] = "no-dids".into();
    no_dids["dids"] = serde_json::json!([]);
    let mut bad_country = issuers[0].clone();
    bad_country["id"] = "bad-country".into();
    bad_country["country"] = "Spain".into();
    let mut no_country = issuers[0].clone();
    no_country["id"] = "no-country".into();
    no_country.as_object_mut().unwrap().remove("country");
    issuers.push(no_dids);
    issuers.push(bad_country);
    issuers.push(no_country);
    let file = partner.write("import.json", &with_errors.to_string());
    let report = partner.ok(&["trust", "import", &file, "--network", "home-net"]);
    assert!(report.contains("refused issuers[4]: no-dids: lists no DIDs"), "{report}");
    assert!(report.contains("refused issuers[5]: bad-country: country"), "{report}");
    assert!(report.contains("refused issuers[6]: no-country: country is missing"), "{report}");
    assert!(report.ends_with("4 issuers imported from home-net, 3 refused\n"), "{report}");
    // A list that is not one at all is refused whole, naming where.
    let broken = partner.write("broken.json", r#"{"network": "x", "issuers": [{"id": "a", "trusted_until": "soon"}]}"#);
    let stderr = partner.fails(&["trust", "import", &broken, "--network", "home-net"]);
    assert!(stderr.contains("issuers[0].trusted_until"), "{stderr}");
    let shown = partner.ok(&["trust", "list"]);
    assert!(shown.contains("home-net:valdeoliva"), "{shown}");
    let stderr = partner.fails(&["trust", "import", &file, "--network", "local"]);
    assert!(stderr.contains("partner network"), "{stderr}");

    // The partner's verifier trusts the home network's issuer (offline, it cannot resolve the
    // issuer's did:web, so the verdict itself is indeterminate).
    let output = partner.command(&["verify", &credential, "--offline", "--json"]).output().unwrap();
    let verified = json(&String::from_utf8_lossy(&output.stdout));
    let (status, message) = check(&verified, "trust");
    assert_eq!(status, "passed", "{message}");
}

/// The network's administrator keeps the registry and the list over the API with a token of
/// no institution; institutions' tokens and anonymous callers are refused, and change nothing.
#[test]
fn the_network_administrator_keeps_the_registry_and_the_list_over_the_api() {
    use crate::support::Request;
    use serde_json::json;

    let env = Env::sqlite();
    env.ok(&["demo"]);
    let admin = env.ok(&["token", "create", "--network-admin", "--label", "registry office"]).trim().to_owned();
    let institution_admin =
        env.ok(&["token", "create", "--institution", "valdeoliva", "--role", "admin"]).trim().to_owned();
    let listed = json(&env.ok(&["token", "list", "--network-admin", "--json"]));
    assert_eq!(listed[0]["label"], "registry office", "{listed}");
    assert!(listed[0]["institution"].is_null(), "{listed}");
    let server = Server::start(&env, &[]);
    let facts = json!({"qa_body": "ANECA", "status": "provisional", "valid_from": "2026-01-01"});
    let put = |token: Option<&str>, body: &Value| {
        let request = Request::new(server.addr, "PUT", "/api/v1/registry/valdeoliva");
        match token {
            Some(token) => request.token(token).json(body),
            None => request.json(body),
        }
    };
    let untrust =
        |token: &str| Request::new(server.addr, "DELETE", "/api/v1/trusted-issuers/valdeoliva").token(token).send();

    // Refused: no token, an institution's admin, wrong facts.
    let registry_before = get(server.addr, "/api/v1/registry").body;
    let list_before = get(server.addr, "/api/v1/trusted-issuers").body;
    assert_eq!(put(None, &facts).status, 401);
    assert_eq!(put(Some(&institution_admin), &facts).status, 403);
    assert_eq!(untrust(&institution_admin).status, 403);
    let wrong = put(Some(&admin), &json!({"qa_body": "ANECA", "status": "famous", "valid_from": "2026-13-01"}));
    assert_eq!(wrong.status, 422, "{}", wrong.body);
    let fields: Vec<String> = wrong.json()["error"]["details"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| d["field"].as_str().unwrap().to_owned())
        .collect();
    assert_eq!(fields, ["status", "valid_from"], "{}", wrong.body);
    let mismatch = put(
        Some(&admin),
        &json!({"institution": "roccalba", "qa_body": "ANECA", "status": "accredited", "valid_from": "2026-01-01"}),
    );
    assert_eq!(mismatch.status, 422, "{}", mismatch.body);
    assert_eq!(get(server.addr, "/api/v1/registry").body, registry_before, "refusals change nothing");
    assert_eq!(get(server.addr, "/api/v1/trusted-issuers").body, list_before);

    // Done by the network's administrator.
    let recorded = put(Some(&admin), &facts);
    assert_eq!(recorded.status, 200, "{}", recorded.body);
    assert_eq!(recorded.json()["status"], "provisional");
    let registry = get(server.addr, "/api/v1/registry").json();
    let valdeoliva = registry["institutions"].as_array().unwrap().iter().find(|i| i["institution"] == "valdeoliva");
    assert_eq!(valdeoliva.unwrap()["status"], "provisional", "{registry}");
    let left = untrust(&admin);
    assert_eq!(left.status, 200, "{}", left.body);
    assert!(left.json()["trusted_until"].is_string(), "{}", left.body);
    assert_eq!(untrust(&admin).status, 409, "it already left");
    let back = Request::new(server.addr, "POST", "/api/v1/trusted-issuers")
        .token(&admin)
        .json(&json!({"institution": "valdeoliva"}));
    assert_eq!(back.status, 200, "{}", back.body);
    assert!(back.json()["trusted_until"].is_null(), "{}", back.body);

    // A partner's list, imported with a refused entry.
    let mut partner = get(server.addr, "/api/v1/trusted-issuers").json();
    partner["issuers"].as_array_mut().unwrap()[1].as_object_mut().unwrap().remove("country");
    let imported =
        Request::new(server.addr, "POST", "/api/v1/trusted-issuers/import?network=eu-net").token(&admin).json(&partner);
    assert_eq!(imported.status, 200, "{}", imported.body);
    assert_eq!(imported.json()["rejected"][0]["index"], 1, "{}", imported.body);
    assert_eq!(imported.json()["imported"], partner["issuers"].as_array().unwrap().len() - 1);
    assert_eq!(imported.json()["left"], json!([]), "{}", imported.body);
    // Imported again without its first issuer, which leaves.
    let first = partner["issuers"][0]["id"].as_str().unwrap().to_owned();
    partner["issuers"].as_array_mut().unwrap().remove(0);
    let again =
        Request::new(server.addr, "POST", "/api/v1/trusted-issuers/import?network=eu-net").token(&admin).json(&partner);
    assert_eq!(again.json()["left"], json!([format!("eu-net:{first}")]), "{}", again.body);
    let as_institution = Request::new(server.addr, "POST", "/api/v1/trusted-issuers/import?network=eu-net")
        .token(&institution_admin)
        .json(&partner);
    assert_eq!(as_institution.status, 403);
    server.stop();
}

/// `verify` takes the trusted-issuer list, DID documents and status lists from the database
/// when there is one: a database that is there but cannot be read is an error that names it,
/// not a verification without a list. With no database at all, the files are used alone.
#[test]
fn verify_reports_a_database_it_cannot_read() {
    for env in Env::all() {
        env.ok(&["demo"]);
        let issued = env.ok(&["issue", "--spec", SPEC, "--learner", "jose.martinez@learners.example"]);
        let credential = env.write("credential.json", &issued);
        env.tamper("DROP TABLE trusted_issuers");
        let stderr = env.fails(&["verify", &credential, "--offline"]);
        assert!(stderr.contains("cannot read the trusted-issuer list from the "), "[{}] {stderr}", env.backend());
        assert!(stderr.contains("trusted_issuers"), "[{}] says why: {stderr}", env.backend());
        // A database whose schema cannot be brought up to date cannot be opened.
        env.tamper("DELETE FROM _sqlx_migrations");
        let stderr = env.fails(&["verify", &credential, "--offline"]);
        assert!(stderr.contains("cannot open the "), "[{}] {stderr}", env.backend());
        assert!(stderr.contains("to read the trusted-issuer list"), "[{}] {stderr}", env.backend());
    }

    // No database: the files alone, as before.
    let env = Env::sqlite();
    env.ok(&["demo"]);
    let issued = env.ok(&["issue", "--spec", SPEC, "--learner", "jose.martinez@learners.example"]);
    let credential = env.write("credential.json", &issued);
    std::fs::remove_file(env.data().join("microcred.db")).unwrap();
    let output = env.command(&["verify", &credential, "--offline", "--json"]).output().unwrap();
    assert_eq!(output.status.code(), Some(2), "offline, the did:web key cannot be had");
    let verified = json(&String::from_utf8_lossy(&output.stdout));
    assert_eq!(check(&verified, "trust"), ("skipped".to_owned(), "no trusted-issuer list was given".to_owned()));
    assert_eq!(check(&verified, "format").0, "passed", "{verified:#}");
}

/// A partner's list imported again: the issuers it no longer lists leave this network's copy
/// from the time of the import, like `trust remove`, so what they issued before stays trusted
/// and what they issue afterwards does not. Importing the same list again moves nothing;
/// listed again, an issuer is trusted again.
#[test]
fn issuers_a_partner_drops_leave_the_list_at_the_next_import() {
    let home = Env::sqlite();
    let partner = Env::sqlite();
    partner.ok(&["init"]);
    partner.ok(&[
        "institution",
        "add",
        "--id",
        "local-uni",
        "--name",
        "Local University",
        "--name-lang",
        "en",
        "--country",
        "FI",
        "--legal-id",
        "FI-1",
        "--website",
        "https://local.example",
    ]);
    partner.ok(&["trust", "add", "local-uni"]);
    let at = |env: &Env, time: &str, args: &[&str]| {
        let output = env.command(args).env("MICROCRED_FIXED_TIME", time).output().unwrap();
        assert!(output.status.success(), "{args:?}: {}", String::from_utf8_lossy(&output.stderr));
        String::from_utf8(output.stdout).unwrap()
    };
    // The home network's issuers are trusted from before anything here happens.
    at(&home, "2026-05-01T00:00:00Z", &["demo"]);
    let issue = |time: &str, learner: &str| {
        home.write(&format!("{learner}.json"), &at(&home, time, &["issue", "--spec", SPEC, "--learner", learner]))
    };
    let trust_of = |credential: &str| {
        let output = partner.command(&["verify", credential, "--offline", "--json"]).output().unwrap();
        check(&json(&String::from_utf8_lossy(&output.stdout)), "trust")
    };
    let entry = |id: &str| {
        let listed = json(&partner.ok(&["trust", "list", "--json"]));
        listed["issuers"].as_array().unwrap().iter().find(|entry| entry["id"] == id).cloned()
    };

    let full: Value = json(&home.ok(&["trust", "export"]));
    let full_file = partner.write("full.json", &full.to_string());
    at(&partner, "2026-06-01T09:00:00Z", &["trust", "import", &full_file, "--network", "home-net"]);
    let before = issue("2026-06-01T10:00:00Z", "jose.martinez@learners.example");
    assert_eq!(trust_of(&before).0, "passed");

    // The home network drops valdeoliva from its list altogether; the partner imports it again.
    let mut reduced = full;
    reduced["issuers"].as_array_mut().unwrap().retain(|issuer| issuer["id"] != "valdeoliva");
    let reduced_file = partner.write("reduced.json", &reduced.to_string());
    let report = at(&partner, "2026-06-02T09:00:00Z", &["trust", "import", &reduced_file, "--network", "home-net"]);
    assert!(report.contains("left the list: home-net:valdeoliva"), "{report}");
    assert!(report.ends_with("3 issuers imported from home-net, 0 refused\n"), "{report}");
    let left = entry("home-net:valdeoliva").expect("the entry is kept, marked as left");
    assert_eq!(left["trusted_until"], "2026-06-02T09:00:00Z", "{left}");
    for kept in ["home-net:roccalba", "local-uni"] {
        assert!(entry(kept).unwrap()["trusted_until"].is_null(), "{kept} is still trusted");
    }
    assert_eq!(trust_of(&before).0, "passed", "what it issued while trusted stays trusted");
    let after = issue("2026-06-03T10:00:00Z", "aino.virtanen@learners.example");
    let (status, message) = trust_of(&after);
    assert_eq!(status, "failed", "{message}");
    assert!(message.contains("left the trusted-issuer list"), "{message}");

    // The same list again moves nothing; the full one brings valdeoliva back.
    let again = at(&partner, "2026-06-04T09:00:00Z", &["trust", "import", &reduced_file, "--network", "home-net"]);
    assert!(!again.contains("left the list"), "{again}");
    assert_eq!(entry("home-net:valdeoliva").unwrap()["trusted_until"], "2026-06-02T09:00:00Z");
    at(&partner, "2026-06-05T09:00:00Z", &["trust", "import", &full_file, "--network", "home-net"]);
    assert!(entry("home-net:valdeoliva").unwrap()["trusted_until"].is_null());
    assert_eq!(trust_of(&after).0, "passed");
}

//! The HTTP server, run as `microcred serve` on a free loopback port.

use crate::support::{Env, Server, get, post};

#[test]
fn serves_health_and_specs() {
    for env in Env::all() {
        let server = Server::start(&env, &["--demo"]);
        let health = get(server.addr, "/healthz");
        assert_eq!((health.status, health.body.as_str()), (200, "ok\n"));

        let specs = get(server.addr, "/api/v1/specs");
        assert_eq!(specs.status, 200, "{}", specs.body);
        let specs = specs.json();
        assert_eq!(specs["specs"].as_array().unwrap().len(), 15, "[{}]", env.backend());

        let one = get(server.addr, "/api/v1/specs/01936a3e-0000-7000-8000-000000000001");
        assert_eq!(one.status, 200);
        assert_eq!(
            one.json(),
            specs["specs"].as_array().unwrap().iter().find(|spec| spec["id"] == one.json()["id"]).unwrap().clone()
        );

        let missing = get(server.addr, "/api/v1/specs/01936a3e-0000-7000-8000-0000000000ff");
        assert_eq!(missing.status, 404);
        assert_eq!(missing.json()["error"]["code"], "not_found");

        let malformed = get(server.addr, "/api/v1/specs/42");
        assert_eq!(malformed.status, 422);
        assert_eq!(malformed.json()["error"]["code"], "invalid");
        assert!(malformed.json()["error"]["message"].as_str().unwrap().contains("is not a specification id"));

        let nowhere = get(server.addr, "/nowhere");
        assert_eq!(nowhere.status, 404);
        assert_eq!(nowhere.json()["error"]["code"], "not_found");
        server.stop();
    }
}

#[test]
fn serve_on_an_empty_directory_starts_empty() {
    let env = Env::sqlite();
    let server = Server::start(&env, &[]);
    let specs = get(server.addr, "/api/v1/specs");
    assert_eq!(specs.json(), serde_json::json!({"specs": []}));
    server.stop();
}

#[test]
fn serve_reports_a_taken_address() {
    let env = Env::sqlite();
    let server = Server::start(&env, &[]);
    let addr = server.addr.to_string();
    let stderr = env.fails(&["serve", "--addr", &addr]);
    assert!(stderr.contains(&format!("cannot listen on {addr}")), "{stderr}");
    server.stop();
}

#[test]
fn serves_status_lists_and_did_documents() {
    let env = Env::sqlite();
    env.ok(&["demo"]);
    let credential: serde_json::Value = serde_json::from_str(&env.ok(&[
        "issue",
        "--spec",
        "01936a3e-0000-7000-8000-000000000001",
        "--learner",
        "aino.virtanen@learners.example",
    ]))
    .unwrap();
    let server = Server::start(&env, &[]);
    let list_url = credential["credentialStatus"][0]["statusListCredential"].as_str().unwrap();
    let path = list_url.trim_start_matches("http://127.0.0.1:8080");
    let list = get(server.addr, path);
    assert_eq!(list.status, 200, "{}", list.body);
    let list_json = list.json();
    assert_eq!(list_json["type"][1], "BitstringStatusListCredential");
    assert_eq!(list_json["id"], list_url);
    let file = env.write("list.json", &list.body);
    let verified = env.ok(&["verify", &file, "--offline"]);
    assert!(verified.contains(": valid\n"), "{verified}");

    let did = get(server.addr, "/institutions/valdeoliva/did.json");
    assert_eq!(did.status, 200);
    assert_eq!(did.json()["id"], "did:web:www.valdeoliva.example");
    assert_eq!(did.json()["assertionMethod"].as_array().unwrap().len(), 1);

    assert_eq!(get(server.addr, "/status/01936a3e-0000-7000-8000-0000000000ff").status, 404);
    assert_eq!(get(server.addr, "/institutions/nowhere/did.json").status, 404);
    assert_eq!(get(server.addr, "/institutions/Not%20an%20id/did.json").status, 422);
    server.stop();
}

#[test]
fn verifies_posted_credentials() {
    let env = Env::sqlite();
    env.ok(&["demo"]);
    let credential = env.ok(&[
        "issue",
        "--spec",
        "01936a3e-0000-7000-8000-000000000001",
        "--learner",
        "aino.virtanen@learners.example",
    ]);
    let server = Server::start(&env, &[]);
    let check = |answer: &crate::support::Answer, id: &str| {
        let json = answer.json();
        json["checks"].as_array().unwrap().iter().find(|check| check["id"] == id).unwrap()["status"].clone()
    };

    let valid = post(server.addr, "/api/v1/credentials/verify", "application/json", credential.as_bytes());
    assert_eq!(valid.status, 200, "{}", valid.body);
    assert_eq!(valid.json()["verdict"], "valid", "{}", valid.body);
    assert_eq!(check(&valid, "status"), "passed", "the status list is built from the database");
    assert_eq!(check(&valid, "issuer"), "passed", "the issuer's did:web resolves from the database");

    let mut tampered: serde_json::Value = serde_json::from_str(&credential).unwrap();
    tampered["name"] = serde_json::Value::String("Quantum Literacy".into());
    let tampered = tampered.to_string();
    let invalid = post(server.addr, "/api/v1/credentials/verify", "application/json", tampered.as_bytes());
    assert_eq!((invalid.status, invalid.json()["verdict"].as_str()), (200, Some("invalid")));
    assert_eq!(check(&invalid, "proof"), "failed");

    let garbage = post(server.addr, "/api/v1/credentials/verify", "text/plain", b"not a credential");
    assert_eq!((garbage.status, garbage.json()["verdict"].as_str()), (200, Some("invalid")));
    assert_eq!(check(&garbage, "format"), "failed");

    // Revoked by another process while the server runs: the server's signed list is stale and
    // must not be reused.
    let id: serde_json::Value = serde_json::from_str(&credential).unwrap();
    env.ok(&["revoke", id["id"].as_str().unwrap().trim_start_matches("urn:uuid:"), "--reason", "test"]);
    let revoked = post(server.addr, "/api/v1/credentials/verify", "application/json", credential.as_bytes());
    assert_eq!(revoked.json()["verdict"], "invalid", "{}", revoked.body);
    assert_eq!(check(&revoked, "status"), "failed");

    let huge = vec![b' '; 20 * 1024 * 1024];
    let too_large = post(server.addr, "/api/v1/credentials/verify", "application/json", &huge);
    assert_eq!(too_large.status, 413);
    assert_eq!(too_large.json()["error"]["code"], "too_large", "one error envelope: {}", too_large.body);
    let wrong_method = get(server.addr, "/api/v1/credentials/verify");
    assert_eq!((wrong_method.status, wrong_method.json()["error"]["code"].as_str()), (405, Some("method_not_allowed")));
    // The server is still there.
    assert_eq!(get(server.addr, "/healthz").status, 200);
    server.stop();
}

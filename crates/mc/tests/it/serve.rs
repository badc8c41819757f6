//! The HTTP server, run as `microcred serve` on a free loopback port.

use serde_json::json;

use crate::support::{Answer, Env, Request, Server, free_port, get, post};

/// The value of the first hidden CSRF field of a page.
fn csrf(page: &Answer) -> String {
    let start = page.body.find("name=\"csrf\" value=\"").unwrap_or_else(|| panic!("no CSRF field: {}", page.body));
    let rest = &page.body[start + "name=\"csrf\" value=\"".len()..];
    rest[..rest.find('"').unwrap()].to_owned()
}

/// Without `--public-url`, every link the server makes points at the address it serves: the
/// status lists of a credential it issues, a learner's sign-in link, and a share link.
#[test]
fn links_point_at_the_address_served() {
    let env = Env::sqlite();
    env.ok(&["demo"]);
    let issuer = env.ok(&["token", "create", "--institution", "valdeoliva", "--role", "issuer"]).trim().to_owned();
    let port = free_port();
    let server = Server::start_at(&env, &format!("127.0.0.1:{port}"), &[]);
    let base = format!("http://127.0.0.1:{port}");
    assert!(server.logged("public URL").is_empty(), "nothing to warn about: {:?}", server.logged(""));

    let issued = Request::new(server.addr, "POST", "/api/v1/credentials/issue").token(&issuer).json(&json!({
        "spec": "01936a3e-0000-7000-8000-000000000001",
        "learner": "aino.virtanen@learners.example",
        "name": "Aino Virtanen"
    }));
    assert_eq!(issued.status, 201, "{}", issued.body);
    let statuses = issued.json()["document"]["credentialStatus"].as_array().unwrap().clone();
    assert_eq!(statuses.len(), 2);
    for status in statuses {
        let url = status["statusListCredential"].as_str().unwrap();
        assert!(url.starts_with(&format!("{base}/status/")), "{url}");
        let list = get(server.addr, &url[base.len()..]);
        assert_eq!((list.status, list.json()["id"].as_str()), (200, Some(url)), "the list is served where it says");
    }
    let verified = post(
        server.addr,
        "/api/v1/credentials/verify",
        "application/json",
        issued.json()["document"].to_string().as_bytes(),
    );
    assert_eq!(verified.json()["verdict"], "valid", "its status lists are this server's own: {}", verified.body);

    let sent =
        Request::new(server.addr, "POST", "/learner/sign-in").form(&[("email", "aino.virtanen@learners.example")]);
    assert_eq!(sent.status, 200, "{}", sent.body);
    let line = server.wait_for_log("learner sign-in link");
    let start = line.find("http://").unwrap_or_else(|| panic!("no link in {line:?}"));
    let link = line[start..].split_whitespace().next().unwrap().trim_end_matches('"');
    assert!(link.starts_with(&format!("{base}/learner/link/")), "{line}");
    let used = Request::new(server.addr, "POST", &link[base.len()..]).form(&[]);
    assert_eq!(used.status, 303, "the logged link works: {}", used.body);
    let session = used.cookie("mc_session").unwrap();

    let id = issued.json()["credential"]["id"].as_str().unwrap().to_owned();
    let space = Request::new(server.addr, "GET", "/learner").header("Cookie", &session).send();
    let shared = Request::new(server.addr, "POST", &format!("/learner/credentials/{id}/share"))
        .header("Cookie", &session)
        .form(&[("csrf", &csrf(&space)), ("days", "30")]);
    assert_eq!(shared.status, 303, "{}", shared.body);
    let space = Request::new(server.addr, "GET", "/learner").header("Cookie", &session).send();
    let start =
        space.body.find(&format!("{base}/c/")).unwrap_or_else(|| panic!("no share link under {base}: {}", space.body));
    let link = &space.body[start..];
    let link = &link[..link.find('"').unwrap()];
    let page = Request::new(server.addr, "GET", &link[base.len()..]).header("Accept-Language", "en").send();
    assert_eq!(page.status, 200, "the share link works: {}", page.body);
    let opened = Request::new(server.addr, "GET", &format!("/verify?lang=en&url={link}")).send();
    assert!(
        opened.body.contains("id=\"verdict\">Valid"),
        "a link shared here is read from the database: {}",
        opened.body
    );
    server.stop();
}

/// On port 0 the links use the port the system gave; an explicit public URL that names another
/// address is used as given, and the server warns about it at start, naming both.
#[test]
fn a_public_url_that_is_not_the_address_served_is_warned_about() {
    let env = Env::sqlite();
    env.ok(&["demo"]);
    let server = Server::start(&env, &[]);
    let sent =
        Request::new(server.addr, "POST", "/learner/sign-in").form(&[("email", "aino.virtanen@learners.example")]);
    assert_eq!(sent.status, 200, "{}", sent.body);
    let line = server.wait_for_log("learner sign-in link");
    assert!(line.contains(&format!("http://{}/learner/link/", server.addr)), "the port bound: {line}");
    assert!(server.logged("public URL").is_empty(), "{:?}", server.logged(""));
    server.stop();

    for (args, env_var) in [(vec!["--public-url", "http://127.0.0.1:1"], None), (vec![], Some("http://localhost:1/"))] {
        let vars: Vec<(&str, &str)> = env_var.map(|url| ("MICROCRED_PUBLIC_URL", url)).into_iter().collect();
        let server = Server::start_with_env(&env, &args, &vars);
        let warnings = server.logged("public URL");
        assert_eq!(warnings.len(), 1, "{:?}", server.logged(""));
        assert!(warnings[0].contains("WARN"), "{warnings:?}");
        assert!(warnings[0].contains(&server.addr.to_string()), "names the address: {warnings:?}");
        let url = env_var.unwrap_or("http://127.0.0.1:1").trim_end_matches('/');
        assert!(warnings[0].contains(url), "names the URL: {warnings:?}");
        let sent =
            Request::new(server.addr, "POST", "/learner/sign-in").form(&[("email", "aino.virtanen@learners.example")]);
        assert_eq!(sent.status, 200);
        let line = server.wait_for_log("learner sign-in link");
        assert!(line.contains(&format!("{url}/learner/link/")), "the explicit URL is used: {line}");
        server.stop();
    }
    // A public URL that is not one is refused, naming the option.
    let stderr = env.fails(&["serve", "--addr", "127.0.0.1:0", "--public-url", "127.0.0.1:8080"]);
    assert!(stderr.contains("--public-url"), "{stderr}");
}

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
    // The command line issued under its default public URL; the server is told the same.
    let server = Server::start(&env, &["--public-url", "http://127.0.0.1:8080"]);
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
    // The command line issued under its default public URL; the server is told the same.
    let server = Server::start(&env, &["--public-url", "http://127.0.0.1:8080"]);
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

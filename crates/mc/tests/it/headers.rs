//! The headers every answer carries, over plain HTTP: `X-Content-Type-Options: nosniff` and a
//! `Referrer-Policy` on all of them (API, published documents, pages, errors, assets), and
//! `Cache-Control: no-store` on what is private: signed-in pages, the API's answers to a
//! request with a token, and answers that hand out a secret.

use serde_json::json;

use crate::support::{Answer, Env, Request, Server, get, post};

const SPEC: &str = "01936a3e-0000-7000-8000-000000000001"; // valdeoliva

/// Checks the headers every answer carries, and whether it may be stored.
fn assert_headers(what: &str, answer: &Answer, referrer: &str, private: bool) {
    assert_eq!(answer.header("x-content-type-options"), Some("nosniff"), "{what}: {:?}", answer.headers);
    assert_eq!(answer.header("referrer-policy"), Some(referrer), "{what}: {:?}", answer.headers);
    let stored = answer.header("cache-control");
    match private {
        true => assert_eq!(stored, Some("no-store"), "{what} is private: {:?}", answer.headers),
        false => {
            assert!(stored.is_none_or(|value| !value.contains("no-store")), "{what} is public: {:?}", answer.headers)
        }
    }
}

#[test]
fn every_answer_says_nosniff_and_private_ones_are_not_stored() {
    let env = Env::sqlite();
    let server = Server::start(&env, &["--demo"]);
    let admin = env.ok(&["token", "create", "--institution", "valdeoliva", "--role", "admin"]).trim().to_owned();
    let issued = Request::new(server.addr, "POST", "/api/v1/credentials/issue")
        .token(&admin)
        .json(&json!({"spec": SPEC, "learner": "aino.virtanen@learners.example", "name": "Aino Virtanen"}));
    assert_eq!(issued.status, 201, "{}", issued.body);
    assert_headers("an issued credential", &issued, "no-referrer", true);
    let list_url =
        issued.json()["document"]["credentialStatus"][0]["statusListCredential"].as_str().unwrap().to_owned();
    let list_path = &list_url[list_url.find("/status/").unwrap()..];
    let id = issued.json()["credential"]["id"].as_str().unwrap().to_owned();

    // Public answers: the API, the published documents, errors, pages and the stylesheet.
    let huge = vec![b' '; 3 * 1024 * 1024];
    for (what, answer, referrer) in [
        ("the specifications", get(server.addr, "/api/v1/specs"), "no-referrer"),
        ("the OpenAPI document", get(server.addr, "/api/v1/openapi.json"), "no-referrer"),
        ("the health check", get(server.addr, "/healthz"), "no-referrer"),
        ("a status list", get(server.addr, list_path), "no-referrer"),
        ("a DID document", get(server.addr, "/institutions/valdeoliva/did.json"), "no-referrer"),
        ("an unknown path", get(server.addr, "/nowhere"), "no-referrer"),
        ("a malformed id", get(server.addr, "/api/v1/specs/42"), "no-referrer"),
        ("a body too large", post(server.addr, "/api/v1/credentials/verify", "application/json", &huge), "no-referrer"),
        ("a verification", post(server.addr, "/api/v1/credentials/verify", "application/json", b"{}"), "no-referrer"),
        ("the home page", get(server.addr, "/"), "same-origin"),
        ("the stylesheet", get(server.addr, "/assets/style.css"), "same-origin"),
        (
            "a page that is not there",
            get(server.addr, "/catalogue/01936a3e-0000-7000-8000-0000000000ff"),
            "same-origin",
        ),
        ("the issuer space, signed out", get(server.addr, "/issuer"), "same-origin"),
    ] {
        assert_headers(what, &answer, referrer, false);
    }

    // The API's answers to a request with a token, right or wrong, and a new token's secret.
    let with = |token: &str, path: &str| Request::new(server.addr, "GET", path).token(token).send();
    for (what, answer) in [
        ("the credentials", with(&admin, "/api/v1/credentials")),
        ("a credential", with(&admin, &format!("/api/v1/credentials/{id}"))),
        ("the specifications, asked with a token", with(&admin, "/api/v1/specs")),
        ("an unknown token", with("mct_not-a-token", "/api/v1/credentials")),
        ("another's credential", with(&admin, "/api/v1/credentials/01936a3e-0000-7000-8000-0000000000ff")),
        (
            "a new token",
            Request::new(server.addr, "POST", "/api/v1/tokens").token(&admin).json(&json!({"role": "viewer"})),
        ),
    ] {
        assert_headers(what, &answer, "no-referrer", true);
    }

    // Signing in hands out a session; every page seen with it is private, errors too.
    let signed_in = Request::new(server.addr, "POST", "/sign-in")
        .form(&[("email", "staff@valdeoliva.example"), ("password", "microcred-demo")]);
    assert_eq!(signed_in.status, 303, "{}", signed_in.body);
    assert_headers("the sign-in", &signed_in, "same-origin", true);
    let session = signed_in.cookie("mc_session").unwrap();
    let page = |path: &str| Request::new(server.addr, "GET", path).header("Cookie", &session).send();
    for (what, answer) in [
        ("the issuer space", page("/issuer")),
        ("a credential's page", page(&format!("/issuer/credentials/{id}"))),
        ("an unknown credential's page", page("/issuer/credentials/01936a3e-0000-7000-8000-0000000000ff")),
        ("the home page, signed in", page("/")),
    ] {
        assert_headers(what, &answer, "same-origin", true);
    }
    // The stylesheet is the same for everyone.
    assert_headers("the stylesheet, signed in", &page("/assets/style.css"), "same-origin", false);

    // A learner's sign-in link opens a session; their credential and its shared page are private.
    let sent =
        Request::new(server.addr, "POST", "/learner/sign-in").form(&[("email", "aino.virtanen@learners.example")]);
    assert_headers("a sign-in link asked for", &sent, "same-origin", false);
    let path = server.sign_in_link_path();
    assert_headers("a sign-in link opened", &get(server.addr, &path), "same-origin", true);
    let used = Request::new(server.addr, "POST", &path).form(&[]);
    assert_headers("a sign-in link used", &used, "same-origin", true);
    let learner = used.cookie("mc_session").unwrap();
    let download = Request::new(server.addr, "GET", &format!("/learner/credentials/{id}/credential.json"))
        .header("Cookie", &learner)
        .send();
    assert_eq!(download.status, 200, "{}", download.body);
    assert_headers("a learner's download", &download, "same-origin", true);
    // A shared credential is for whoever holds the link, while it lasts: not stored either.
    let space = Request::new(server.addr, "GET", "/learner").header("Cookie", &learner).send();
    let start = space.body.find("name=\"csrf\" value=\"").unwrap() + "name=\"csrf\" value=\"".len();
    let csrf = &space.body[start..start + space.body[start..].find('"').unwrap()];
    let shared = Request::new(server.addr, "POST", &format!("/learner/credentials/{id}/share"))
        .header("Cookie", &learner)
        .form(&[("csrf", csrf), ("days", "30")]);
    assert_eq!(shared.status, 303, "{}", shared.body);
    let space = Request::new(server.addr, "GET", "/learner").header("Cookie", &learner).send();
    let link = &space.body[space.body.find("/c/").unwrap()..];
    let link = &link[..link.find('"').unwrap()];
    assert_headers("a shared credential", &get(server.addr, link), "same-origin", true);
    assert_headers(
        "a shared credential's file",
        &get(server.addr, &format!("{link}/credential.json")),
        "same-origin",
        true,
    );
    server.stop();
}

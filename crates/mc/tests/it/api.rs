//! The JSON API driven over loopback against `microcred serve`: every endpoint's success and
//! failure paths, tokens and roles, idempotency, tenant isolation and size limits.

use std::time::{Duration, Instant};

use serde_json::{Value, json};

use crate::support::{Answer, Env, Request, Server, post, post_with_headers};

const SPEC_A: &str = "01936a3e-0000-7000-8000-000000000001"; // valdeoliva
const SPEC_B: &str = "01936a3e-0000-7000-8000-000000000005"; // roccalba
const LEARNER: &str = "aino.virtanen@learners.example";
const LEARNER_NAME: &str = "Aino Virtanen";

/// A token's secret, made with the command line.
fn token(env: &Env, institution: &str, role: &str) -> String {
    env.ok(&["token", "create", "--institution", institution, "--role", role]).trim().to_owned()
}

fn code(answer: &Answer) -> String {
    answer.json()["error"]["code"].as_str().unwrap_or_else(|| panic!("not an error: {}", answer.body)).to_owned()
}

fn assert_status(answer: &Answer, status: u16, what: &str) {
    assert_eq!(answer.status, status, "{what}: {}", answer.body);
}

#[test]
fn tokens_roles_and_idempotency() {
    for env in Env::all() {
        env.ok(&["demo"]);
        let issuer = token(&env, "valdeoliva", "issuer");
        let viewer = token(&env, "valdeoliva", "viewer");
        let revoked = token(&env, "valdeoliva", "admin");
        let listed = env.ok(&["token", "list", "--institution", "valdeoliva", "--json"]);
        let listed: Value = serde_json::from_str(&listed).unwrap();
        assert_eq!(listed.as_array().unwrap().len(), 3);
        assert!(!listed.to_string().contains(&issuer), "secrets are not kept");
        let revoked_id = listed[2]["id"].as_str().unwrap().to_owned();
        env.ok(&["token", "revoke", &revoked_id]);
        let server = Server::start(&env, &[]);
        let issue = |token: &str, body: Value| {
            Request::new(server.addr, "POST", "/api/v1/credentials/issue").token(token).json(&body)
        };
        let body = json!({"spec": SPEC_A, "learner": LEARNER, "name": LEARNER_NAME});

        // Who may call.
        let anonymous = Request::new(server.addr, "POST", "/api/v1/credentials/issue").json(&body);
        assert_status(&anonymous, 401, "no token");
        assert_eq!(code(&anonymous), "unauthenticated");
        assert_status(&issue("mct_not-a-token", body.clone()), 401, "unknown token");
        let after_revocation = issue(&revoked, body.clone());
        assert_status(&after_revocation, 401, "revoked token");
        assert!(after_revocation.body.contains("revoked"), "{}", after_revocation.body);
        let malformed_header = Request::new(server.addr, "POST", "/api/v1/credentials/issue")
            .header("Authorization", &format!("Basic {issuer}"))
            .json(&body);
        assert_status(&malformed_header, 401, "not a bearer token");
        let as_viewer = issue(&viewer, body.clone());
        assert_status(&as_viewer, 403, "a viewer issues");
        assert_eq!(code(&as_viewer), "forbidden");

        // Bad requests change nothing.
        let cases = [
            (json!({"spec": SPEC_A}), 400, "malformed"),
            (json!({"spec": SPEC_A, "learner": LEARNER, "name": LEARNER_NAME, "colour": "red"}), 400, "malformed"),
            (json!({"spec": SPEC_A, "learner": LEARNER, "name": LEARNER_NAME, "suite": "rsa-2048"}), 422, "invalid"),
            (json!({"spec": "42", "learner": LEARNER, "name": LEARNER_NAME}), 422, "invalid"),
            // An email address always needs the name, known or not: the answer tells nothing.
            (json!({"spec": SPEC_A, "learner": LEARNER}), 422, "invalid"),
            (json!({"spec": SPEC_A, "learner": "nobody@learners.example"}), 422, "invalid"),
            (json!({"spec": SPEC_A, "learner": "01936a3e-0000-7000-8000-0000000000ff"}), 404, "not_found"),
            (json!({"spec": SPEC_A, "learner": "01936a3e-0000-7000-8000-0000000000ff", "name": "X"}), 422, "invalid"),
            (
                json!({"spec": "01936a3e-0000-7000-8000-0000000000ff", "learner": LEARNER, "name": LEARNER_NAME}),
                404,
                "not_found",
            ),
        ];
        for (bad, status, expected) in cases {
            let answer = issue(&issuer, bad.clone());
            assert_status(&answer, status, &bad.to_string());
            assert_eq!(code(&answer), expected, "{bad}");
        }
        let not_json = Request::new(server.addr, "POST", "/api/v1/credentials/issue")
            .token(&issuer)
            .send_body("application/json", b"{\"spec\": ");
        assert_status(&not_json, 400, "truncated JSON");
        assert!(code(&not_json) == "malformed" && not_json.body.contains("line 1"), "{}", not_json.body);
        let list = Request::new(server.addr, "GET", "/api/v1/credentials").token(&viewer).send();
        assert_eq!(list.json(), json!({"credentials": []}), "nothing was issued by bad requests");

        // Issue, then the same again.
        let first = issue(&issuer, body.clone());
        assert_status(&first, 201, "issue");
        assert_eq!(first.json()["credential"]["state"], "active");
        assert_eq!(first.json()["document"]["type"][1], "OpenBadgeCredential");
        let again = issue(&issuer, body.clone());
        assert_status(&again, 200, "issue again");
        assert_eq!(again.json()["credential"]["id"], first.json()["credential"]["id"]);

        // Idempotency keys: same key and body, same answer; same key, other body, refused.
        let keyed = |key: &str, body: Value| {
            Request::new(server.addr, "POST", "/api/v1/credentials/issue")
                .token(&issuer)
                .header("Idempotency-Key", key)
                .json(&body)
        };
        let other = json!({"spec": "01936a3e-0000-7000-8000-000000000002", "learner": LEARNER, "name": LEARNER_NAME,
            "suite": "eddsa-jcs-2022"});
        let keyed_first = keyed("order-7", other.clone());
        assert_status(&keyed_first, 201, "keyed issue");
        let replay = keyed("order-7", other.clone());
        assert_eq!((replay.status, replay.body.as_str()), (201, keyed_first.body.as_str()), "the same answer");
        let mismatch = keyed(
            "order-7",
            json!({"spec": "01936a3e-0000-7000-8000-000000000003", "learner": LEARNER, "name": LEARNER_NAME}),
        );
        assert_status(&mismatch, 422, "same key, other body");
        assert_eq!(code(&mismatch), "idempotency_mismatch");
        assert_status(&keyed("", other.clone()), 422, "empty key");
        let listed =
            Request::new(server.addr, "GET", &format!("/api/v1/credentials?learner={LEARNER}")).token(&viewer).send();
        assert_eq!(listed.json()["credentials"].as_array().unwrap().len(), 2, "{}", listed.body);
        // Whether an address is registered is not told: an unknown one simply has no credentials.
        for filter in ["learner=nobody@learners.example", "spec=01936a3e-0000-7000-8000-0000000000ff"] {
            let none = Request::new(server.addr, "GET", &format!("/api/v1/credentials?{filter}")).token(&viewer).send();
            assert_eq!((none.status, none.json()), (200, json!({"credentials": []})), "{filter}");
        }

        // The issued credential verifies, on the open endpoint.
        let document = first.json()["document"].to_string();
        let verified = post(server.addr, "/api/v1/credentials/verify", "application/json", document.as_bytes());
        assert_eq!(verified.json()["verdict"], "valid", "{}", verified.body);

        // Revoke, suspend, unsuspend.
        let id = first.json()["credential"]["id"].as_str().unwrap().to_owned();
        let act = |token: &str, action: &str, body: Value| {
            Request::new(server.addr, "POST", &format!("/api/v1/credentials/{id}/{action}")).token(token).json(&body)
        };
        assert_status(&act(&viewer, "suspend", json!({})), 403, "a viewer suspends");
        assert_eq!(act(&issuer, "suspend", json!({})).json()["state"], "suspended");
        assert_status(&act(&issuer, "suspend", json!({})), 409, "suspend twice");
        assert_eq!(act(&issuer, "unsuspend", json!({})).json()["state"], "active");
        assert_status(&act(&issuer, "revoke", json!({})), 422, "revoke without a reason");
        let revoked = act(&issuer, "revoke", json!({"reason": "issued in error"}));
        assert_eq!((revoked.status, revoked.json()["state"].as_str()), (200, Some("revoked")), "{}", revoked.body);
        assert_eq!(revoked.json()["revocation_reason"], "issued in error");
        assert_status(&act(&issuer, "revoke", json!({"reason": "again"})), 409, "revoke twice");
        assert_status(&act(&issuer, "unsuspend", json!({})), 409, "unsuspend a revoked credential");
        assert_status(&act(&issuer, "undo", json!({})), 404, "unknown action");
        let verified = post(server.addr, "/api/v1/credentials/verify", "application/json", document.as_bytes());
        assert_eq!(verified.json()["verdict"], "invalid", "revoked: {}", verified.body);
        let shown = Request::new(server.addr, "GET", &format!("/api/v1/credentials/{id}")).token(&viewer).send();
        assert_eq!(shown.json()["credential"]["state"], "revoked");
        // The command line, on the same data and public URL, knows of the server's revocation too.
        let file = env.write("revoked.json", &document);
        let output = env
            .command(&["verify", &file, "--offline"])
            .env("MICROCRED_PUBLIC_URL", format!("http://{}", server.addr))
            .output()
            .unwrap();
        let printed = String::from_utf8_lossy(&output.stdout);
        assert_eq!(output.status.code(), Some(1), "{printed}");
        assert!(printed.contains("revoked"), "{printed}");
        server.stop();
    }
}

#[test]
fn every_endpoint_refuses_another_institutions_data() {
    let env = Env::sqlite();
    env.ok(&["demo"]);
    let a = token(&env, "valdeoliva", "admin");
    let b = token(&env, "roccalba", "admin");
    let server = Server::start(&env, &[]);
    let issued = Request::new(server.addr, "POST", "/api/v1/credentials/issue")
        .token(&a)
        .json(&json!({"spec": SPEC_A, "learner": LEARNER, "name": LEARNER_NAME}));
    assert_status(&issued, 201, "issue");
    let id = issued.json()["credential"]["id"].as_str().unwrap().to_owned();
    let job = Request::new(server.addr, "POST", "/api/v1/cohorts")
        .token(&a)
        .json(&json!({"spec": SPEC_A, "learners": [{"name": "Ana Pérez", "email": "ana.perez@example.org"}]}));
    assert_status(&job, 202, "cohort");
    let job = job.json()["id"].as_str().unwrap().to_owned();
    let mut spec_of_a: Value = Request::new(server.addr, "GET", &format!("/api/v1/specs/{SPEC_A}")).send().json();
    spec_of_a["id"] = json!("01936a3e-0000-7000-8000-0000000000aa");

    // B tries everything on A's data.
    let attempts: Vec<(&str, String, Option<Value>, u16)> = vec![
        ("GET", format!("/api/v1/credentials/{id}"), None, 404),
        ("POST", format!("/api/v1/credentials/{id}/revoke"), Some(json!({"reason": "mine now"})), 404),
        ("POST", format!("/api/v1/credentials/{id}/suspend"), Some(json!({})), 404),
        ("POST", format!("/api/v1/credentials/{id}/unsuspend"), Some(json!({})), 404),
        (
            "POST",
            "/api/v1/credentials/issue".into(),
            Some(json!({"spec": SPEC_A, "learner": LEARNER, "name": LEARNER_NAME})),
            403,
        ),
        (
            "POST",
            "/api/v1/cohorts".into(),
            Some(json!({"spec": SPEC_A, "learners": [{"name": "X Y", "email": "x@y.example"}]})),
            403,
        ),
        ("GET", format!("/api/v1/cohorts/{job}"), None, 404),
        ("POST", "/api/v1/specs".into(), Some(spec_of_a.clone()), 403),
    ];
    for (method, path, body, status) in attempts {
        let request = Request::new(server.addr, method, &path).token(&b);
        let answer = match &body {
            Some(body) => request.json(body),
            None => request.send(),
        };
        assert_status(&answer, status, &format!("{method} {path} as another institution"));
    }
    let listed = Request::new(server.addr, "GET", "/api/v1/credentials").token(&b).send();
    assert_eq!(listed.json(), json!({"credentials": []}), "B sees none of A's credentials");
    let listed = Request::new(server.addr, "GET", &format!("/api/v1/credentials?spec={SPEC_A}")).token(&b).send();
    assert_eq!(listed.json(), json!({"credentials": []}));
    // A's credential is untouched.
    let shown = Request::new(server.addr, "GET", &format!("/api/v1/credentials/{id}")).token(&a).send();
    assert_eq!(shown.json()["credential"]["state"], "active");
    // And B can work on its own.
    let own = Request::new(server.addr, "POST", "/api/v1/credentials/issue")
        .token(&b)
        .json(&json!({"spec": SPEC_B, "learner": LEARNER, "name": LEARNER_NAME}));
    assert_status(&own, 201, "B issues its own");
    server.stop();
}

/// Polls a cohort job until it is done or failed.
pub(crate) fn wait_for_job(addr: std::net::SocketAddr, token: &str, id: &str) -> Value {
    let deadline = Instant::now() + Duration::from_secs(120);
    loop {
        let job = Request::new(addr, "GET", &format!("/api/v1/cohorts/{id}")).token(token).send().json();
        if job["state"] == "done" || job["state"] == "failed" {
            return job;
        }
        assert!(Instant::now() < deadline, "the job did not finish: {job}");
        std::thread::sleep(Duration::from_millis(200));
    }
}

#[test]
fn specs_and_cohorts() {
    for env in Env::all() {
        env.ok(&["demo"]);
        let issuer = token(&env, "valdeoliva", "issuer");
        let server = Server::start(&env, &[]);

        // Specifications.
        let mut spec: Value = Request::new(server.addr, "GET", &format!("/api/v1/specs/{SPEC_A}")).send().json();
        spec["id"] = json!("01936a3e-0000-7000-8000-0000000000aa");
        spec["title"] = json!({"es": "Gestión aplicada de datos", "en": "Applied data stewardship"});
        let add = |body: &Value| Request::new(server.addr, "POST", "/api/v1/specs").token(&issuer).json(body);
        assert_status(&add(&spec), 201, "add a spec");
        assert_status(&add(&spec), 200, "add the same spec");
        let mut changed = spec.clone();
        changed["title"] = json!({"es": "Otra cosa", "en": "Something else"});
        assert_status(&add(&changed), 409, "another spec with the same id");
        let mut broken = spec.clone();
        broken["eqf_level"] = json!(11);
        broken["languages"] = json!(["klingon"]);
        let rejected = add(&broken);
        assert_status(&rejected, 422, "a bad spec");
        let details = rejected.json()["error"]["details"].clone();
        let fields: Vec<&str> = details.as_array().unwrap().iter().map(|d| d["field"].as_str().unwrap()).collect();
        assert!(fields.contains(&"eqf_level") && fields.iter().any(|f| f.starts_with("languages")), "{fields:?}");
        // A draft is its institution's alone until published.
        let draft = "/api/v1/specs/01936a3e-0000-7000-8000-0000000000aa";
        assert_status(&Request::new(server.addr, "GET", draft).send(), 404, "an anonymous caller reads a draft");
        let own = Request::new(server.addr, "GET", draft).token(&issuer).send();
        assert_eq!(own.json()["title"]["en"], "Applied data stewardship");

        // A JSON cohort with a bad row, then a CSV one.
        let cohort = json!({"spec": SPEC_A, "cohort_key": "2026-autumn", "learners": [
            {"name": "Ana Pérez", "email": "ana.perez@example.org", "grade": "A"},
            {"name": "", "email": "not an address"},
            {"name": "Lauri Koski", "email": "lauri.koski@example.org", "completion_date": "2026-06-30"},
        ]});
        let submitted = Request::new(server.addr, "POST", "/api/v1/cohorts").token(&issuer).json(&cohort);
        assert_status(&submitted, 202, "cohort");
        let job = submitted.json();
        assert_eq!((job["total"].as_u64(), job["rejected"][0]["line"].as_u64()), (Some(2), Some(2)), "{job}");
        let done = wait_for_job(server.addr, &issuer, job["id"].as_str().unwrap());
        assert_eq!(
            (done["state"].as_str(), done["issued"].as_u64(), done["processed"].as_u64()),
            (Some("done"), Some(2), Some(2)),
            "{done}"
        );

        let csv = "name,email\nAna Pérez,ana.perez@example.org\nMarta Ruiz,marta.ruiz@example.org\n";
        let csv_job =
            Request::new(server.addr, "POST", &format!("/api/v1/cohorts?spec={SPEC_A}&cohort_key=2026-autumn"))
                .token(&issuer)
                .send_body("text/csv", csv.as_bytes());
        assert_status(&csv_job, 202, "CSV cohort");
        let done = wait_for_job(server.addr, &issuer, csv_job.json()["id"].as_str().unwrap());
        assert_eq!(
            (done["issued"].as_u64(), done["skipped"].as_u64()),
            (Some(1), Some(1)),
            "Ana already had it: {done}"
        );
        let bad_csv =
            Request::new(server.addr, "POST", "/api/v1/cohorts").token(&issuer).send_body("text/csv", csv.as_bytes());
        assert_status(&bad_csv, 422, "a CSV cohort without ?spec=");
        let unknown_column = Request::new(server.addr, "POST", &format!("/api/v1/cohorts?spec={SPEC_A}"))
            .token(&issuer)
            .send_body("text/csv", b"name,mail\nA,b@c.example\n");
        assert_status(&unknown_column, 400, "unknown CSV column");
        let empty = Request::new(server.addr, "POST", "/api/v1/cohorts")
            .token(&issuer)
            .json(&json!({"spec": SPEC_A, "learners": []}));
        assert_status(&empty, 422, "no learners");
        assert_status(
            &Request::new(server.addr, "GET", "/api/v1/cohorts/01936a3e-0000-7000-8000-0000000000ff")
                .token(&issuer)
                .send(),
            404,
            "unknown job",
        );

        // Idempotent cohort submission.
        let keyed = || {
            Request::new(server.addr, "POST", "/api/v1/cohorts")
                .token(&issuer)
                .header("Idempotency-Key", "upload-1")
                .json(&json!({"spec": SPEC_A, "learners": [{"name": "Noa Levi", "email": "noa.levi@example.org"}]}))
        };
        let first = keyed();
        assert_eq!(keyed().body, first.body, "the replay answers with the same job");

        // Size limit.
        let huge = vec![b' '; 20 * 1024 * 1024];
        let auth = format!("Authorization: Bearer {issuer}\r\n");
        let too_large = post_with_headers(server.addr, "/api/v1/cohorts", &auth, "application/json", &huge);
        assert_status(&too_large, 413, "20 MB");
        assert_eq!(code(&too_large), "too_large");
        server.stop();
    }
}

#[test]
fn admins_manage_their_institutions_tokens() {
    let env = Env::sqlite();
    env.ok(&["demo"]);
    let admin = token(&env, "valdeoliva", "admin");
    let issuer = token(&env, "valdeoliva", "issuer");
    let other_admin = token(&env, "roccalba", "admin");
    let server = Server::start(&env, &[]);
    let create =
        |token: &str, body: Value| Request::new(server.addr, "POST", "/api/v1/tokens").token(token).json(&body);
    assert_status(&create(&issuer, json!({"role": "viewer"})), 403, "an issuer makes a token");
    assert_status(&create(&admin, json!({"role": "owner"})), 422, "an unknown role");
    let made = create(&admin, json!({"role": "viewer", "label": "dashboard"}));
    assert_status(&made, 201, "an admin makes a token");
    let secret = made.json()["secret"].as_str().unwrap().to_owned();
    let id = made.json()["token"]["id"].as_str().unwrap().to_owned();
    assert_status(
        &Request::new(server.addr, "GET", "/api/v1/credentials").token(&secret).send(),
        200,
        "the new token works",
    );
    let listed = Request::new(server.addr, "GET", "/api/v1/tokens").token(&admin).send();
    assert_eq!(listed.json()["tokens"].as_array().unwrap().len(), 3, "{}", listed.body);
    assert!(!listed.body.contains(&secret), "secrets are never listed");
    let foreign = Request::new(server.addr, "DELETE", &format!("/api/v1/tokens/{id}")).token(&other_admin).send();
    assert_status(&foreign, 404, "another institution's admin revokes it");
    let revoked = Request::new(server.addr, "DELETE", &format!("/api/v1/tokens/{id}")).token(&admin).send();
    assert_status(&revoked, 200, "its admin revokes it");
    assert!(revoked.json()["revoked_at"].is_string());
    assert_status(&Request::new(server.addr, "GET", "/api/v1/credentials").token(&secret).send(), 401, "revoked");
    server.stop();
}

#[test]
fn the_openapi_document_describes_every_endpoint() {
    let env = Env::sqlite();
    let server = Server::start(&env, &[]);
    let document = Request::new(server.addr, "GET", "/api/v1/openapi.json").send();
    assert_status(&document, 200, "openapi.json");
    let document = document.json();
    assert_eq!(document["openapi"], "3.1.0");
    let routes = [
        ("get", "/healthz"),
        ("get", "/api/v1/openapi.json"),
        ("get", "/api/v1/specs"),
        ("post", "/api/v1/specs"),
        ("get", "/api/v1/specs/{id}"),
        ("post", "/api/v1/credentials/verify"),
        ("post", "/api/v1/credentials/issue"),
        ("get", "/api/v1/credentials"),
        ("get", "/api/v1/credentials/{id}"),
        ("post", "/api/v1/credentials/{id}/revoke"),
        ("post", "/api/v1/credentials/{id}/suspend"),
        ("post", "/api/v1/credentials/{id}/unsuspend"),
        ("post", "/api/v1/cohorts"),
        ("get", "/api/v1/cohorts/{id}"),
        ("get", "/status/{id}"),
        ("get", "/institutions/{id}/did.json"),
        ("get", "/api/v1/tokens"),
        ("post", "/api/v1/tokens"),
        ("delete", "/api/v1/tokens/{id}"),
        ("post", "/api/v1/specs/check"),
        ("put", "/api/v1/specs/{id}"),
        ("get", "/api/v1/specs/{id}/quality"),
        ("post", "/api/v1/specs/{id}/publish"),
        ("post", "/api/v1/specs/{id}/withdraw"),
        ("get", "/api/v1/catalogue"),
        ("get", "/api/v1/catalogue/{id}"),
        ("get", "/api/v1/trusted-issuers"),
        ("get", "/api/v1/registry"),
        ("put", "/api/v1/registry/{institution}"),
        ("post", "/api/v1/trusted-issuers"),
        ("post", "/api/v1/trusted-issuers/import"),
        ("delete", "/api/v1/trusted-issuers/{id}"),
        ("get", "/api/v1/specs/{id}/consents"),
        ("get", "/api/v1/consents"),
        ("post", "/api/v1/consents/{spec}/accept"),
        ("post", "/api/v1/consents/{spec}/decline"),
        ("put", "/api/v1/specs/{id}/image"),
        ("get", "/api/v1/agreements"),
        ("post", "/api/v1/agreements"),
        ("get", "/api/v1/agreements/{id}"),
        ("post", "/api/v1/agreements/{id}/sign"),
        ("post", "/api/v1/agreements/{id}/end"),
        ("post", "/api/v1/recognition/proposals"),
        ("post", "/api/v1/recognition/decisions"),
        ("post", "/api/v1/credentials/{id}/wallet-offer"),
        ("get", "/status/{id}/token"),
        ("get", "/status/{id}/token/x5c"),
        ("get", "/.well-known/openid-credential-issuer"),
        ("get", "/.well-known/oauth-authorization-server"),
        ("get", "/vct/micro-credential"),
        ("post", "/oid4vci/token"),
        ("post", "/oid4vci/nonce"),
        ("post", "/oid4vci/credential"),
    ];
    for (method, path) in routes {
        assert!(document["paths"][path][method].is_object(), "{method} {path} is not documented");
    }
    let documented: usize = document["paths"]
        .as_object()
        .unwrap()
        .values()
        .map(|item| {
            item.as_object()
                .unwrap()
                .keys()
                .filter(|k| ["get", "post", "put", "delete", "patch"].contains(&k.as_str()))
                .count()
        })
        .sum();
    assert_eq!(documented, routes.len(), "the document describes only endpoints that exist");
    server.stop();
}

/// A draft is its institution's alone: the API answers 404 to anyone else, lists it to its own
/// institution only, and issues nothing from it until it is published.
#[test]
fn drafts_are_their_institutions_alone_and_issue_nothing() {
    let env = Env::sqlite();
    env.ok(&["demo"]);
    let issuer = token(&env, "valdeoliva", "issuer");
    let other = token(&env, "roccalba", "admin");
    let server = Server::start(&env, &[]);
    let mut spec: Value = Request::new(server.addr, "GET", &format!("/api/v1/specs/{SPEC_A}")).send().json();
    let draft_id = "01936a3e-0000-7000-8000-0000000000d1";
    spec["id"] = json!(draft_id);
    let added = Request::new(server.addr, "POST", "/api/v1/specs").token(&issuer).json(&spec);
    assert_status(&added, 201, "add a draft");

    for path in [format!("/api/v1/specs/{draft_id}"), format!("/api/v1/specs/{draft_id}/quality")] {
        assert_status(&Request::new(server.addr, "GET", &path).send(), 404, &format!("anonymous {path}"));
        assert_status(&Request::new(server.addr, "GET", &path).token(&other).send(), 404, &format!("other {path}"));
        assert_status(&Request::new(server.addr, "GET", &path).token(&issuer).send(), 200, &format!("own {path}"));
    }
    let ids = |token: Option<&str>| -> Vec<String> {
        let request = Request::new(server.addr, "GET", "/api/v1/specs");
        let request = match token {
            Some(token) => request.token(token),
            None => request,
        };
        request.send().json()["specs"]
            .as_array()
            .unwrap()
            .iter()
            .map(|s| s["id"].as_str().unwrap().to_owned())
            .collect()
    };
    assert!(!ids(None).contains(&draft_id.to_owned()), "the public list has no drafts");
    assert!(!ids(Some(&other)).contains(&draft_id.to_owned()), "another institution's list has no drafts");
    assert!(ids(Some(&issuer)).contains(&draft_id.to_owned()), "its own institution sees its draft");
    assert!(ids(None).contains(&SPEC_A.to_owned()));

    let body = json!({"spec": draft_id, "learner": LEARNER, "name": LEARNER_NAME});
    let issue = Request::new(server.addr, "POST", "/api/v1/credentials/issue").token(&issuer).json(&body);
    assert_status(&issue, 409, "issue from a draft");
    assert!(issue.body.contains("draft"), "{}", issue.body);
    let cohort = json!({"spec": draft_id, "learners": [{"name": "Ana Pérez", "email": "ana.perez@example.org"}]});
    let queued = Request::new(server.addr, "POST", "/api/v1/cohorts").token(&issuer).json(&cohort);
    assert_status(&queued, 409, "a cohort of a draft");
    let listed = Request::new(server.addr, "GET", "/api/v1/credentials").token(&issuer).send();
    assert_eq!(listed.json(), json!({"credentials": []}), "nothing was issued");

    let published =
        Request::new(server.addr, "POST", &format!("/api/v1/specs/{draft_id}/publish")).token(&issuer).send();
    assert_status(&published, 200, "publish");
    assert_status(&Request::new(server.addr, "GET", &format!("/api/v1/specs/{draft_id}")).send(), 200, "public now");
    let issue = Request::new(server.addr, "POST", "/api/v1/credentials/issue").token(&issuer).json(&body);
    assert_status(&issue, 201, "issue once published");
    server.stop();
}

/// Issuing to an email address nobody has registers the learner, and the answer has the same
/// shape and status as for a learner who was registered before.
#[test]
fn issuing_to_a_new_address_registers_the_learner() {
    let env = Env::sqlite();
    env.ok(&["demo"]);
    // A learner who registered their own DID elsewhere: an issuer naming them by address must
    // not learn it.
    let key: Value = serde_json::from_str(&env.ok(&["key", "generate"])).unwrap();
    let did = key["controller"].as_str().unwrap().to_owned();
    env.ok(&["learner", "add", "--name", "Dana Holm", "--email", "dana.holm@example.org", "--did", &did]);
    let issuer = token(&env, "valdeoliva", "issuer");
    let server = Server::start(&env, &[]);
    let issue = |email: &str, name: &str| {
        Request::new(server.addr, "POST", "/api/v1/credentials/issue")
            .token(&issuer)
            .json(&json!({"spec": SPEC_A, "learner": email, "name": name}))
    };
    let known = issue(LEARNER, LEARNER_NAME);
    let new = issue("Noa.Lind@Example.org", "Noa Lind");
    assert_status(&known, 201, "a registered learner");
    assert_status(&new, 201, "a new learner");
    let shape = |answer: &Answer| {
        let mut keys: Vec<String> = answer.json()["credential"].as_object().unwrap().keys().cloned().collect();
        keys.extend(answer.json()["document"]["credentialSubject"].as_object().unwrap().keys().cloned());
        keys
    };
    assert_eq!(shape(&known), shape(&new), "the answer does not tell a new learner from a known one");
    let with_did = issue("dana.holm@example.org", "Dana Holm");
    assert_status(&with_did, 201, "a registered learner with a DID");
    assert_eq!(shape(&with_did), shape(&new), "nor one who registered a DID");
    assert!(!with_did.body.contains(&did), "the learner's DID is not shown to the issuer");
    let learners: Value = serde_json::from_str(&env.ok(&["learner", "list", "--json"])).unwrap();
    let noa = learners.as_array().unwrap().iter().find(|l| l["email"] == "noa.lind@example.org");
    assert_eq!(noa.map(|l| l["name"].clone()), Some(json!("Noa Lind")), "{learners}");
    let again = issue("noa.lind@example.org", "Noa Lind");
    assert_status(&again, 200, "the same learner again");
    server.stop();
}

/// A replayed idempotent request is checked for the caller's role like a new one.
#[test]
fn a_replayed_request_is_checked_for_the_callers_role() {
    let env = Env::sqlite();
    env.ok(&["demo"]);
    let issuer = token(&env, "valdeoliva", "issuer");
    let viewer = token(&env, "valdeoliva", "viewer");
    let server = Server::start(&env, &[]);
    let body = json!({"spec": SPEC_A, "learner": LEARNER, "name": LEARNER_NAME});
    let keyed = |token: &str| {
        Request::new(server.addr, "POST", "/api/v1/credentials/issue")
            .token(token)
            .header("Idempotency-Key", "order-9")
            .json(&body)
    };
    let first = keyed(&issuer);
    assert_status(&first, 201, "issue");
    let replayed = keyed(&viewer);
    assert_status(&replayed, 403, "a viewer replays an issuer's request");
    assert!(!replayed.body.contains("OpenBadgeCredential"), "the remembered answer is not shown");
    let cohort = json!({"spec": SPEC_A, "learners": [{"name": "Ana Pérez", "email": "ana.perez@example.org"}]});
    let submit = |token: &str| {
        Request::new(server.addr, "POST", "/api/v1/cohorts")
            .token(token)
            .header("Idempotency-Key", "run-1")
            .json(&cohort)
    };
    assert_status(&submit(&issuer), 202, "cohort");
    assert_status(&submit(&viewer), 403, "a viewer replays a cohort");
    assert_eq!(keyed(&issuer).body, first.body, "the issuer's replay still answers the same");
    server.stop();
}

/// Naming another institution as an awarding body needs its consent: the specification stays a
/// draft until that institution's admin accepts, and a declined one cannot be published.
#[test]
fn a_co_awarding_body_consents_before_publication() {
    let env = Env::sqlite();
    env.ok(&["demo"]);
    let issuer = token(&env, "valdeoliva", "issuer");
    let issuer_admin = token(&env, "valdeoliva", "admin");
    let co_admin = token(&env, "roccalba", "admin");
    let co_issuer = token(&env, "roccalba", "issuer");
    let co_viewer = token(&env, "roccalba", "viewer");
    let stranger = token(&env, "jarvilaakso", "admin");
    let server = Server::start(&env, &[]);
    let mut spec: Value = Request::new(server.addr, "GET", &format!("/api/v1/specs/{SPEC_A}")).send().json();
    let id = "01936a3e-0000-7000-8000-0000000000c1";
    spec["id"] = json!(id);
    spec["awarding_bodies"] = json!(["valdeoliva", "roccalba"]);
    assert_status(&Request::new(server.addr, "POST", "/api/v1/specs").token(&issuer).json(&spec), 201, "add");

    let get = |path: &str, token: &str| Request::new(server.addr, "GET", path).token(token).send();
    let post = |path: &str, token: &str| Request::new(server.addr, "POST", path).token(token).send();
    let publish = || post(&format!("/api/v1/specs/{id}/publish"), &issuer);
    assert_status(&get(&format!("/api/v1/specs/{id}"), &co_viewer), 200, "the co-awarding body sees the draft");
    assert_status(&get(&format!("/api/v1/specs/{id}"), &stranger), 404, "no one else does");
    let waiting = publish();
    assert_status(&waiting, 409, "publish before consent");
    assert!(waiting.body.contains("awaiting consent from roccalba"), "{}", waiting.body);
    let consents = get(&format!("/api/v1/specs/{id}/consents"), &issuer).json();
    assert_eq!(consents["consents"][0]["state"], "pending", "{consents}");
    let asked = get("/api/v1/consents", &co_viewer).json();
    assert_eq!(
        (asked["consents"][0]["spec"].as_str(), asked["consents"][0]["issuer"].as_str()),
        (Some(id), Some("valdeoliva"))
    );

    let accept = format!("/api/v1/consents/{id}/accept");
    let decline = format!("/api/v1/consents/{id}/decline");
    assert_status(&post(&accept, &co_viewer), 403, "a viewer answers");
    assert_status(&post(&accept, &stranger), 404, "an institution that was not asked answers");
    assert_status(&post(&accept, &issuer_admin), 404, "the issuer's admin answers for the other");
    assert_eq!(post(&decline, &co_admin).json()["state"], "declined");
    let declined = publish();
    assert_status(&declined, 409, "publish after a refusal");
    assert!(declined.body.contains("roccalba declined"), "{}", declined.body);
    assert_eq!(post(&accept, &co_admin).json()["state"], "accepted");

    // The co-awarding body agreed to the specification as it was: an edit asks it again.
    let put = |body: &Value, token: &str| {
        Request::new(server.addr, "PUT", &format!("/api/v1/specs/{id}")).token(token).json(body)
    };
    let mut edited = spec.clone();
    edited["title"]["en"] = json!("Applied data literacy, revised");
    assert_status(&put(&edited, &co_issuer), 403, "the co-awarding body edits the issuer's specification");
    assert_status(&post(&format!("/api/v1/specs/{id}/publish"), &co_issuer), 403, "it publishes it");
    let issued = Request::new(server.addr, "POST", "/api/v1/credentials/issue")
        .token(&co_issuer)
        .json(&json!({"spec": id, "learner": LEARNER, "name": LEARNER_NAME}));
    assert_status(&issued, 403, "it issues it");
    assert_status(&put(&edited, &issuer), 200, "the issuer edits the draft");
    assert_eq!(get(&format!("/api/v1/specs/{id}/consents"), &issuer).json()["consents"][0]["state"], "pending");
    assert_status(&publish(), 409, "publish after an edit the co-awarding body has not seen");
    assert_eq!(post(&accept, &co_admin).json()["state"], "accepted");
    assert_status(&publish(), 200, "publish once every body agreed");
    assert_status(&post(&decline, &co_admin), 409, "the answer is final once published");

    // A published specification cannot name a new awarding body that has not agreed.
    spec["awarding_bodies"] = json!(["valdeoliva", "roccalba", "jarvilaakso"]);
    assert_status(&put(&spec, &issuer), 409, "a new awarding body on a published specification");
    assert_eq!(
        get(&format!("/api/v1/specs/{id}"), &issuer).json()["awarding_bodies"],
        json!(["valdeoliva", "roccalba"])
    );
    assert_eq!(get("/api/v1/consents", &stranger).json()["consents"], json!([]), "nobody was asked");
    let mut reworded = edited.clone();
    reworded["title"]["en"] = json!("Applied data literacy, third edition");
    assert_status(&put(&reworded, &issuer), 409, "any edit of a published co-awarded specification");

    // A body taken off a draft no longer sees it, nor the request.
    let draft = "01936a3e-0000-7000-8000-0000000000c3";
    let mut other = edited.clone();
    other["id"] = json!(draft);
    assert_status(&Request::new(server.addr, "POST", "/api/v1/specs").token(&issuer).json(&other), 201, "add");
    assert!(get("/api/v1/consents", &co_viewer).body.contains(draft));
    other["awarding_bodies"] = json!(["valdeoliva"]);
    let alone = Request::new(server.addr, "PUT", &format!("/api/v1/specs/{draft}")).token(&issuer).json(&other);
    assert_status(&alone, 200, "the issuer takes the co-awarding body off");
    assert!(!get("/api/v1/consents", &co_viewer).body.contains(draft), "the request is gone");
    assert_status(&get(&format!("/api/v1/specs/{draft}"), &co_viewer), 404, "so is the draft");
    assert_status(&post(&format!("/api/v1/consents/{draft}/accept"), &co_admin), 404, "and the answer");
    server.stop();
}

/// The answers remembered for idempotency keys are kept for `--idempotency-days` (7 by default)
/// and forgotten by the server, at start and then hourly: an old key's answer is gone, a fresh
/// one's stays. (A credential keeps the key it was issued with, so a forgotten key still issues
/// nothing twice: the use case answers instead of the remembered answer.) Each step runs at its
/// own fixed time; nothing waits for time to pass.
#[test]
fn remembered_answers_are_forgotten_after_the_days_kept() {
    for env in Env::all() {
        env.ok(&["demo"]);
        let issuer = token(&env, "valdeoliva", "issuer");
        let keyed = |server: &Server, key: &str, learner: &str, name: &str| {
            Request::new(server.addr, "POST", "/api/v1/credentials/issue")
                .token(&issuer)
                .header("Idempotency-Key", key)
                .json(&json!({"spec": SPEC_A, "learner": learner, "name": name}))
        };
        let at = |time: &str, extra: &[&str]| {
            let mut args = vec!["--fixed-time", time];
            args.extend(extra);
            Server::start(&env, &args)
        };
        let server = at("2026-06-01T09:00:00Z", &[]);
        assert_status(&keyed(&server, "old", LEARNER, LEARNER_NAME), 201, "day 0");
        server.stop();
        let server = at("2026-06-07T09:00:00Z", &[]);
        assert_status(&keyed(&server, "fresh", "noa.levi@example.org", "Noa Levi"), 201, "day 6");
        server.stop();

        // Day 8: the answer of day 0 is forgotten at start, the one of day 6 is kept.
        let server = at("2026-06-09T09:00:00Z", &[]);
        let line = server.wait_for_log("remembered answers");
        assert!(line.contains("forgotten=1") && line.contains("days=7"), "[{}] {line}", env.backend());
        let other = ("lauri.koski@example.org", "Lauri Koski");
        let forgotten = keyed(&server, "old", other.0, other.1);
        assert_status(&forgotten, 409, "no remembered answer: the issue refuses the key itself");
        assert!(forgotten.body.contains("was used for another issue"), "{}", forgotten.body);
        let remembered = keyed(&server, "fresh", other.0, other.1);
        assert_status(&remembered, 422, "a fresh key still holds its answer");
        assert_eq!(code(&remembered), "idempotency_mismatch");
        let replayed = keyed(&server, "fresh", "noa.levi@example.org", "Noa Levi");
        assert_status(&replayed, 201, "the remembered answer, replayed");
        server.stop();

        // Kept for one day only, the answer of day 6 goes too: the same request is answered by
        // the issue itself, with the credential issued on day 6.
        let server = at("2026-06-09T09:00:00Z", &["--idempotency-days", "1"]);
        let line = server.wait_for_log("remembered answers");
        assert!(line.contains("forgotten=1") && line.contains("days=1"), "[{}] {line}", env.backend());
        let again = keyed(&server, "fresh", "noa.levi@example.org", "Noa Levi");
        assert_status(&again, 200, "not replayed: the credential found by its key");
        assert_eq!(again.json()["credential"]["id"], replayed.json()["credential"]["id"]);
        server.stop();
    }
}

/// The open verify endpoint and the verify page take a European Digital Credential sealed with
/// JAdES: the official sample's seal is intact and its issuer's, which the answer says.
#[test]
fn a_sealed_european_digital_credential_is_verified_by_the_api_and_the_page() {
    let env = Env::sqlite();
    let server = Server::start(&env, &[]);
    let path = crate::credentials::vectors().join("elm/samples-elm-v3/Sample-CertOfPart-signed.jsonld");
    let sealed = std::fs::read(path).unwrap();
    let verified = post(server.addr, "/api/v1/credentials/verify", "application/json", &sealed);
    assert_eq!(verified.status, 200, "{}", verified.body);
    let answer = verified.json();
    let check = |id: &str| answer["checks"].as_array().unwrap().iter().find(|check| check["id"] == id).unwrap().clone();
    assert_eq!(
        (check("proof")["status"].as_str(), check("issuer")["status"].as_str()),
        (Some("passed"), Some("passed")),
        "{answer}"
    );
    assert!(check("proof")["message"].as_str().unwrap().contains("TEST SEAL, ORGANIZACION TEST"), "{answer}");
    assert_eq!(check("schema")["status"], "passed", "the EDC rules: {answer}");
    assert_eq!(answer["verdict"], "indeterminate", "its test seal chains to no anchor given: {answer}");
    let boundary = "mc-sealed-boundary";
    let mut form = format!("--{boundary}\r\nContent-Disposition: form-data; name=\"credential\"\r\n\r\n").into_bytes();
    form.extend_from_slice(&sealed);
    form.extend_from_slice(format!("\r\n--{boundary}--\r\n").as_bytes());
    let page = post(server.addr, "/verify?lang=en", &format!("multipart/form-data; boundary={boundary}"), &form);
    assert_eq!(page.status, 200, "{}", page.body);
    assert!(page.body.contains("the seal is intact"), "{}", page.body);
    server.stop();

    // A server given the certificate authority of the seal as an anchor trusts it.
    let document: serde_json::Map<String, Value> = serde_json::from_slice(&sealed).unwrap();
    let certificates = mc_vc::jades::Sealed::read(&document).unwrap().validation_certificates;
    let authority = certificates
        .iter()
        .find(|certificate| certificate.name.starts_with("ANF AC Qualified Certificates for eSeal,"));
    let anchor = env.file("seal-ca.der");
    std::fs::write(&anchor, &authority.unwrap().der).unwrap();
    // In 2024, while the sample's certificate was valid.
    let server =
        Server::start(&env, &["--seal-anchor", &anchor.display().to_string(), "--fixed-time", "2024-01-01T00:00:00Z"]);
    let verified = post(server.addr, "/api/v1/credentials/verify", "application/json", &sealed).json();
    let trust = verified["checks"].as_array().unwrap().iter().find(|check| check["id"] == "trust").unwrap().clone();
    assert_eq!(trust["status"], "passed", "{verified}");
    assert!(trust["message"].as_str().unwrap().contains("chains to the trust anchor ANF AC"), "{verified}");
    assert_eq!(verified["verdict"], "valid", "{verified}");
    server.stop();
    let not_a_certificate = env.write("not-a-certificate.pem", "no");
    let refused = env.fails(&["serve", "--addr", "127.0.0.1:0", "--seal-anchor", &not_a_certificate]);
    assert!(refused.contains("not-a-certificate.pem is not a certificate"), "{refused}");
}

/// The API issues both formats of an award: the sealed EDC beside the badge, verified valid by
/// the API (the demo institution's test seal is on the trusted-issuer list), revoked with it.
#[test]
fn the_api_issues_and_revokes_european_digital_credentials() {
    let env = Env::sqlite();
    env.ok(&["demo"]);
    let issuer = token(&env, "valdeoliva", "issuer");
    let server = Server::start(&env, &[]);
    let issue = |body: Value| Request::new(server.addr, "POST", "/api/v1/credentials/issue").token(&issuer).json(&body);
    let bad = issue(json!({"spec": SPEC_A, "learner": "ana.perez@example.org", "name": "Ana Pérez", "format": "pdf"}));
    assert_status(&bad, 422, "an unknown format");
    let detail = &bad.json()["error"]["details"][0];
    assert_eq!(
        (detail["field"].as_str(), detail["message"].as_str()),
        (Some("format"), Some("\"pdf\" is not ob3, edc or both"))
    );

    let issued =
        issue(json!({"spec": SPEC_A, "learner": "ana.perez@example.org", "name": "Ana Pérez", "format": "both"}));
    assert_status(&issued, 201, "both formats");
    let answer = issued.json();
    assert_eq!(answer["credential"]["format"], "both");
    let sealed = answer["edc_document"].to_string();
    let verify =
        |text: &str| post(server.addr, "/api/v1/credentials/verify", "application/json", text.as_bytes()).json();
    let verified = verify(&sealed);
    assert_eq!(verified["verdict"], "valid", "{verified}");
    assert_eq!(verify(&answer["document"].to_string())["verdict"], "valid");

    let id = answer["credential"]["id"].as_str().unwrap();
    let revoked = Request::new(server.addr, "POST", &format!("/api/v1/credentials/{id}/revoke"))
        .token(&issuer)
        .json(&json!({"reason": "issued in error"}));
    assert_status(&revoked, 200, "revoke");
    let verified = verify(&sealed);
    let status = verified["checks"].as_array().unwrap().iter().find(|check| check["id"] == "status").unwrap().clone();
    assert_eq!(
        (verified["verdict"].as_str(), status["message"].as_str()),
        (Some("invalid"), Some("the credential has been revoked")),
        "{verified}"
    );
    server.stop();
}

/// Recognition through the API: the agreements are public; a member of the recognising
/// institution gets proposals with their reasons for credentials it sends, each verified first.
#[test]
fn the_api_lists_agreements_and_proposes_recognition() {
    let env = Env::sqlite();
    env.ok(&["demo"]);
    let officer = token(&env, "roccalba", "recognition-officer");
    let issuer = token(&env, "valdeoliva", "issuer");
    let server = Server::start(&env, &[]);
    let issued = Request::new(server.addr, "POST", "/api/v1/credentials/issue")
        .token(&issuer)
        .json(&json!({"spec": SPEC_A, "learner": "ana.perez@example.org", "name": "Ana Pérez", "grade": "8"}));
    let badge = issued.json()["document"].clone();
    let listed = Request::new(server.addr, "GET", "/api/v1/agreements").send().json();
    let ids: Vec<&str> = listed["agreements"].as_array().unwrap().iter().map(|a| a["id"].as_str().unwrap()).collect();
    assert_eq!(ids, ["alliance-data-2026", "jarvilaakso-valdeoliva"]);
    let one = Request::new(server.addr, "GET", "/api/v1/agreements/alliance-data-2026?at_version=1").send();
    assert_eq!((one.status, one.json()["state"].as_str()), (200, Some("signed by every party")), "{}", one.body);
    assert_status(&Request::new(server.addr, "GET", "/api/v1/agreements/none").send(), 404, "no such agreement");

    let verify =
        |text: &str| post(server.addr, "/api/v1/credentials/verify", "application/json", text.as_bytes()).json();
    let ask = |token: &str, body: Value| {
        Request::new(server.addr, "POST", "/api/v1/recognition/proposals").token(token).json(&body)
    };
    let anonymous = post(server.addr, "/api/v1/recognition/proposals", "application/json", b"{}");
    assert_status(&anonymous, 401, "proposals are for members");
    assert_status(&ask(&officer, json!({"credentials": []})), 422, "no credentials");
    let answer = ask(&officer, json!({"credentials": [badge]}));
    assert_status(&answer, 200, "proposals");
    let answer = answer.json();
    assert_eq!(answer["institution"], "roccalba");
    let outcome = &answer["credentials"][0];
    assert_eq!(outcome["verification"]["verdict"], "valid", "{outcome:#}");
    assert_eq!(outcome["proposals"][0]["grant"], "the course STAT-1 Basic statistics (5 ECTS)", "{outcome:#}");
    let checks = outcome["rules_tried"][0]["checks"].as_array().unwrap();
    assert!(checks.iter().any(|check| check["said"] == "grade 8; at least 6 needed"), "{outcome:#}");

    // The officer decides: a viewer may not; a rejection needs its reason; an acceptance is
    // issued as a decision credential that verifies.
    let viewer = token(&env, "roccalba", "viewer");
    let decide = |token: &str, body: Value| {
        Request::new(server.addr, "POST", "/api/v1/recognition/decisions").token(token).json(&body)
    };
    assert_status(&decide(&viewer, json!({"credential": badge, "decision": "accept"})), 403, "a viewer decides");
    assert_status(&decide(&officer, json!({"credential": badge, "decision": "reject"})), 422, "no reason");
    assert_status(&decide(&officer, json!({"credential": badge, "decision": "maybe"})), 422, "no decision");
    let accepted = decide(
        &officer,
        json!({"credential": badge, "decision": "accept", "agreement": "alliance-data-2026", "rule": "roccalba-statistics"}),
    );
    assert_status(&accepted, 201, "accepted");
    let accepted = accepted.json();
    assert_eq!(accepted["granted"], "the course STAT-1 Basic statistics (5 ECTS)");
    let verified = verify(&accepted["credential"].to_string());
    assert_eq!(verified["verdict"], "valid", "{verified:#}");
    let rejected =
        decide(&officer, json!({"credential": badge, "decision": "reject", "reason": "a duplicate request"}));
    assert_status(&rejected, 201, "rejected");
    assert_eq!(rejected.json()["accepted"], false);
    server.stop();
}

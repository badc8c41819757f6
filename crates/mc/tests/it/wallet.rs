//! Issuing into a learner's wallet: a real wallet-side OpenID4VCI client (`@openid4vc/openid4vci`,
//! run by Node from `tests/wallet/wallet.mjs`) takes an offer from the real server, is refused
//! with the right OAuth error for every bad request, receives the SD-JWT VC and verifies it with
//! the OpenWallet Foundation's SD-JWT VC library, which after revocation says it is revoked.
//! microcred's own verifier judges the learner's presentation the same way, on each backend,
//! signed with the institution's seal certificate (`x5c`, as HAIP asks) or with its DID key.

use std::{
    io::Write as _,
    path::{Path, PathBuf},
    process::{Command, Stdio},
};

use serde_json::{Value, json};

use crate::support::{Env, Request, Server};

const SPEC: &str = "01936a3e-0000-7000-8000-000000000001";
const LEARNER: &str = "aino.virtanen@learners.example";
const ISSUER_DID: &str = "did:web:www.valdeoliva.example";
/// What the institution's test seal names it by, and so the issuer of what it signs.
const ISSUER_WEBSITE: &str = "https://www.valdeoliva.example/";

/// Where `.ci/run` installs the wallet's packages; `None` (outside CI) when they are absent.
pub(crate) fn wallet_dir() -> Option<PathBuf> {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../target/wallet");
    if dir.join("node_modules/@openid4vc/openid4vci/package.json").is_file() {
        return Some(dir);
    }
    assert!(
        std::env::var("CI").map_or(true, |ci| ci != "true"),
        "the wallet packages must be installed in CI (.ci/run installs them into target/wallet)"
    );
    eprintln!("skipped: the wallet packages are not installed in target/wallet (see .ci/run)");
    None
}

/// Runs the wallet script in `mode` with `input` on its standard input.
pub(crate) fn wallet(dir: &Path, mode: &str, input: &Value) -> Value {
    std::fs::write(dir.join("wallet.mjs"), include_str!("../wallet/wallet.mjs")).unwrap();
    let mut child = Command::new("node")
        .arg("wallet.mjs")
        .arg(mode)
        .current_dir(dir)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("node runs");
    child.stdin.take().unwrap().write_all(input.to_string().as_bytes()).unwrap();
    let output = child.wait_with_output().unwrap();
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(output.status.success(), "the wallet failed:\n{stdout}\n{}", String::from_utf8_lossy(&output.stderr));
    serde_json::from_str(&stdout).unwrap_or_else(|err| panic!("{err}: {stdout}"))
}

fn offer(server: &Server, token: &str, credential: &str) -> Value {
    let answer = Request::new(server.addr, "POST", &format!("/api/v1/credentials/{credential}/wallet-offer"))
        .token(token)
        .send();
    assert_eq!(answer.status, 201, "{}", answer.body);
    answer.json()
}

fn verify(server: &Server, text: &str) -> Value {
    let answer =
        Request::new(server.addr, "POST", "/api/v1/credentials/verify").send_body("text/plain", text.as_bytes());
    assert_eq!(answer.status, 200, "{}", answer.body);
    answer.json()
}

fn check<'a>(verification: &'a Value, id: &str) -> Vec<&'a Value> {
    verification["checks"].as_array().unwrap().iter().filter(|check| check["id"] == id).collect()
}

#[test]
fn a_wallet_takes_an_offer_and_its_library_sees_the_revocation() {
    let Some(dir) = wallet_dir() else { return };
    for env in Env::all() {
        let backend = env.backend();
        env.ok(&["demo"]);
        let token = env.ok(&["token", "create", "--institution", "valdeoliva", "--role", "issuer"]).trim().to_owned();
        // With a seal, as the demo gives every institution, the SD-JWT VC is signed with the
        // seal's certificate (ES256, x5c, the institution's website as issuer), as HAIP asks; on
        // PostgreSQL the seal is taken away, and it is signed with the institution's DID key.
        let sealed = backend == "sqlite";
        if !sealed {
            env.tamper("DELETE FROM seal_keys WHERE institution_id = 'valdeoliva'");
        }
        let (issuer, alg, token_path) =
            if sealed { (ISSUER_WEBSITE, "ES256", "/token/x5c") } else { (ISSUER_DID, "EdDSA", "/token") };
        let server = Server::start(&env, &[]);
        // Issued from the command line, told where the server publishes its status lists.
        let issued = env
            .command(&["issue", "--spec", SPEC, "--learner", LEARNER])
            .env("MICROCRED_PUBLIC_URL", format!("http://{}", server.addr))
            .output()
            .unwrap();
        assert!(issued.status.success(), "{}", String::from_utf8_lossy(&issued.stderr));
        let issued: Value = serde_json::from_slice(&issued.stdout).unwrap();
        let id = issued["id"].as_str().unwrap().trim_start_matches("urn:uuid:").to_owned();

        // An offer that has expired (its time moved back behind microcred's back), then two live ones.
        let expired = offer(&server, &token, &id);
        env.tamper("UPDATE wallet_offers SET expires_at = 1");
        let wrong = offer(&server, &token, &id);
        let good = offer(&server, &token, &id);
        let wrong_tx_code =
            format!("{:06}", (wrong["tx_code"].as_str().unwrap().parse::<u32>().unwrap() + 1) % 1_000_000);
        let did_documents = json!({ISSUER_DID: format!("http://{}/institutions/valdeoliva/did.json", server.addr)});
        let received = wallet(
            &dir,
            "receive",
            &json!({
                "offer_uri": good["credential_offer_uri"],
                "tx_code": good["tx_code"],
                "wrong_tx_offer_uri": wrong["credential_offer_uri"],
                "wrong_tx_code": wrong_tx_code,
                "expired_offer_uri": expired["credential_offer_uri"],
                "expired_tx_code": expired["tx_code"],
                "did_documents": did_documents,
            }),
        );

        let steps = &received["steps"];
        assert_eq!(steps["version"], "V1", "[{backend}] the client speaks OpenID4VCI 1.0 with us: {steps}");
        let mut configurations: Vec<&str> =
            steps["configurations"].as_array().unwrap().iter().filter_map(Value::as_str).collect();
        configurations.sort_unstable();
        assert_eq!(configurations, ["micro_credential_open_badge", "micro_credential_sd_jwt"]);
        for (step, error) in [
            ("wrong_tx_code", "invalid_grant"),
            ("expired_code", "invalid_grant"),
            ("used_code", "invalid_grant"),
            ("wrong_nonce", "invalid_nonce"),
            ("other_key", "invalid_proof"),
            ("alg_none", "invalid_proof"),
            ("unknown_configuration", "unknown_credential_configuration"),
            ("no_token", "invalid_token"),
            ("again", "credential_request_denied"),
        ] {
            assert_eq!(steps[step], error, "[{backend}] {step}: {steps}");
        }

        // What the library verified: signed by the institution, every Annex I element, the learner.
        let verification = &received["verification"];
        assert_eq!(verification["verified"], true, "[{backend}] {verification}");
        assert_eq!(verification["typ"], "dc+sd-jwt");
        assert_eq!((&verification["alg"], &verification["x5c"]), (&json!(alg), &json!(sealed)), "[{backend}]");
        let claims = &verification["payload"];
        assert_eq!(claims["iss"], issuer);
        assert_eq!(claims["vct"], format!("http://{}/vct/micro-credential", server.addr));
        assert_eq!(claims["learner_name"], "Aino Virtanen", "{claims}");
        assert_eq!(claims["credential_id"], format!("urn:uuid:{id}"));
        for element in ["title", "learning_outcomes", "awarding_bodies", "institution", "assessment", "ects"] {
            assert!(!claims[element].is_null(), "[{backend}] {element} missing: {claims}");
        }
        assert!(claims["status"]["status_list"]["uri"].as_str().unwrap().ends_with(token_path), "{claims}");

        // The Open Badges credential, bound to the wallet's key by its did:jwk, verifies.
        let badge = &received["badge"];
        let subject = badge["credentialSubject"]["id"].as_str().unwrap();
        let jwk: Value = serde_json::from_slice(
            &base64::Engine::decode(
                &base64::engine::general_purpose::URL_SAFE_NO_PAD,
                subject.strip_prefix("did:jwk:").unwrap(),
            )
            .unwrap(),
        )
        .unwrap();
        assert_eq!((&jwk["x"], &jwk["y"]), (&received["holder"]["x"], &received["holder"]["y"]), "[{backend}] {badge}");
        assert_eq!(badge["id"], format!("urn:uuid:{id}"));
        let badge_text = badge.to_string();
        let bound = verify(&server, &badge_text);
        assert_eq!(bound["verdict"], "valid", "[{backend}] {bound}");

        // Two credentials went out (one per configuration), though eleven requests were made.
        let audit: Value = serde_json::from_str(&env.ok(&["audit", "list", "--json"])).unwrap();
        let delivered =
            audit.as_array().unwrap().iter().filter(|entry| entry["action"] == "credential.wallet_issue").count();
        assert_eq!(delivered, 2, "[{backend}]");

        // microcred verifies the learner's presentation (name disclosed, email kept back).
        let presentation = received["presentation"].as_str().unwrap();
        let result = verify(&server, presentation);
        assert_eq!(result["verdict"], "valid", "[{backend}] {result}");
        let holder = check(&result, "holder");
        assert!(
            holder[0]["status"] == "warning" && holder[0]["message"].as_str().unwrap().contains("employer-nonce-1"),
            "[{backend}] the key binding is reported: {result}"
        );
        let status = check(&result, "status");
        assert_eq!(status[0]["status"], "passed", "[{backend}] {result}");
        assert_eq!(result["issuer"], issuer, "[{backend}] {result}");
        assert_eq!(check(&result, "trust")[0]["status"], "passed", "[{backend}] {result}");
        let credential = received["credential"].as_str().unwrap();
        let plain = verify(&server, credential);
        assert_eq!(plain["verdict"], "valid", "[{backend}] {plain}");
        assert_eq!(check(&plain, "holder")[0]["status"], "warning", "{plain}");
        // The command line gives the same verdict, from the database's keys and lists.
        let file = env.write("presentation.txt", presentation);
        let cli = env
            .command(&["verify", &file, "--json"])
            .env("MICROCRED_PUBLIC_URL", format!("http://{}", server.addr))
            .output()
            .unwrap();
        let cli: Value = serde_json::from_slice(&cli.stdout).unwrap();
        assert_eq!(cli["verdict"], "valid", "[{backend}] {cli}");

        // At most ten offers of one credential wait at a time (one, to the wrong code, waits now).
        for _ in 0..9 {
            offer(&server, &token, &id);
        }
        let more =
            Request::new(server.addr, "POST", &format!("/api/v1/credentials/{id}/wallet-offer")).token(&token).send();
        assert_eq!(more.status, 409, "[{backend}] {}", more.body);
        assert!(more.body.contains("10 offers"), "{}", more.body);

        // Revoked: the library's status check and microcred's both say so.
        let revoked = Request::new(server.addr, "POST", &format!("/api/v1/credentials/{id}/revoke"))
            .token(&token)
            .json(&json!({"reason": "awarded by mistake"}));
        assert_eq!(revoked.status, 200, "{}", revoked.body);
        let after = wallet(&dir, "verify", &json!({"credential": credential, "did_documents": did_documents}));
        assert_eq!(after["verified"], false, "[{backend}] {after}");
        assert!(after["error"].as_str().unwrap().contains("Status is not valid"), "[{backend}] {after}");
        let result = verify(&server, presentation);
        assert_eq!(result["verdict"], "invalid", "[{backend}] {result}");
        assert_eq!(check(&result, "status")[0]["message"], "the credential has been revoked");
        let bound = verify(&server, &badge_text);
        let status = check(&bound, "status")[0]["message"].as_str();
        assert_eq!((bound["verdict"].as_str(), status), (Some("invalid"), Some("the credential has been revoked")));
        let cli = env
            .command(&["verify", &file, "--json"])
            .env("MICROCRED_PUBLIC_URL", format!("http://{}", server.addr))
            .output()
            .unwrap();
        assert_eq!(
            (cli.status.code(), serde_json::from_slice::<Value>(&cli.stdout).unwrap()["verdict"].clone()),
            (Some(1), json!("invalid"))
        );
        let refused =
            Request::new(server.addr, "POST", &format!("/api/v1/credentials/{id}/wallet-offer")).token(&token).send();
        assert_eq!(refused.status, 409, "[{backend}] a revoked credential is not offered: {}", refused.body);
    }
}

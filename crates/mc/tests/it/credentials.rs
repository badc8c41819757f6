//! `microcred key`, `sign` and `verify`, run as a user would.

use serde_json::Value;

use crate::support::Env;

pub(crate) fn vectors() -> std::path::PathBuf {
    std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../shared/vectors")
}

fn vector(path: &str) -> String {
    vectors().join(path).display().to_string()
}

/// The vector at `path` issued anew by a fresh `did:key` and signed with it, written to `name`:
/// a credential that verifies offline, since its issuer is its key. Returns the file and the DID.
fn reissued(env: &Env, path: &str, name: &str) -> (String, String) {
    let key = env.ok(&["key", "generate"]);
    let did = serde_json::from_str::<Value>(&key).unwrap()["controller"].as_str().unwrap().to_owned();
    let scratch = name.replace('/', "-");
    let key_file = env.write(&format!("{scratch}.key"), &key);
    let mut credential: Value = serde_json::from_str(&std::fs::read_to_string(vector(path)).unwrap()).unwrap();
    credential.as_object_mut().unwrap().remove("proof");
    match &mut credential["issuer"] {
        Value::Object(issuer) => {
            issuer.insert("id".into(), Value::String(did.clone()));
        }
        issuer => *issuer = Value::String(did.clone()),
    }
    let unsigned = env.write(&format!("{scratch}.unsigned"), &credential.to_string());
    let signed = env.ok(&["sign", "--key", &key_file, "--created", "2024-06-01T00:00:00Z", &unsigned]);
    (env.write(name, &signed), did)
}

#[test]
fn signing_the_test_vector_reproduces_its_proof_value() {
    let env = Env::sqlite();
    for (suite, expected) in [
        ("eddsa-rdfc-2022", "vc-di-eddsa/TestVectors/eddsa-rdfc-2022/signedDataInt.json"),
        ("eddsa-jcs-2022", "vc-di-eddsa/TestVectors/eddsa-jcs-2022/signedJCS.json"),
    ] {
        let signed = env.ok(&[
            "sign",
            "--key",
            &vector("vc-di-eddsa/TestVectors/keyPair.json"),
            "--suite",
            suite,
            "--created",
            "2023-02-24T23:36:38Z",
            &vector("vc-di-eddsa/TestVectors/unsigned.json"),
        ]);
        let signed: Value = serde_json::from_str(&signed).unwrap();
        let expected: Value = serde_json::from_str(&std::fs::read_to_string(vector(expected)).unwrap()).unwrap();
        assert_eq!(signed, expected, "{suite}");
    }
}

#[test]
fn a_new_key_signs_what_verify_accepts() {
    let env = Env::sqlite();
    let key = env.ok(&["key", "generate"]);
    let key_json: Value = serde_json::from_str(&key).unwrap();
    let did = key_json["controller"].as_str().unwrap().to_owned();
    assert!(did.starts_with("did:key:z6Mk"), "{did}");
    let key_path = env.write("key.json", &key);

    let mut credential: Value =
        serde_json::from_str(&std::fs::read_to_string(vector("vc-di-eddsa/TestVectors/unsigned.json")).unwrap())
            .unwrap();
    credential["issuer"] = Value::String(did.clone());
    let unsigned = env.write("unsigned.json", &credential.to_string());
    for suite in ["eddsa-rdfc-2022", "eddsa-jcs-2022"] {
        let signed = env.ok(&["sign", "--key", &key_path, "--suite", suite, &unsigned]);
        let path = env.write(&format!("signed-{suite}.json"), &signed);
        let out = env.ok(&["verify", &path, "--offline", "--now", "2025-01-01T00:00:00Z"]);
        assert!(out.contains(": valid\n"), "{out}");
        assert!(out.contains(&format!("signed with a key of the issuer {did}")), "{out}");
    }

    let p256 = env.ok(&["key", "generate", "--type", "p256"]);
    let p256: Value = serde_json::from_str(&p256).unwrap();
    assert!(p256["publicKeyMultibase"].as_str().unwrap().starts_with("zDn"));
}

#[test]
fn signing_for_another_issuer_warns() {
    let env = Env::sqlite();
    let output = env
        .command(&[
            "sign",
            "--key",
            &vector("vc-di-eddsa/TestVectors/keyPair.json"),
            &vector("vc-di-eddsa/TestVectors/unsigned.json"),
        ])
        .output()
        .unwrap();
    assert!(output.status.success());
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        stderr.contains("warning: the credential's issuer https://vc.example/issuers/5678 is not did:key:"),
        "{stderr}"
    );
}

#[test]
fn verify_reports_each_credential_and_exits_by_the_worst_verdict() {
    let env = Env::sqlite();
    let (valid, _) = reissued(&env, "ob3/1edtech-validator-test-resources/simple.json", "simple.json");
    let (invalid, _) = reissued(&env, "ob3/1edtech-validator-test-resources/simple-err-expired.json", "expired.json");
    let mut did_web: Value = serde_json::from_str(&std::fs::read_to_string(&valid).unwrap()).unwrap();
    did_web["proof"]["verificationMethod"] = Value::String("did:web:issuer.example#key-1".into());
    let undecided = env.write("did-web.json", &did_web.to_string());
    let missing = env.file("missing.json").display().to_string();

    let out = env.command(&["verify", &valid, "--offline", "--now", "2025-01-01T00:00:00Z"]).output().unwrap();
    assert_eq!(out.status.code(), Some(0));

    let out = env
        .command(&["verify", &valid, &invalid, "--json", "--offline", "--now", "2025-01-01T00:00:00Z"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let lines: Vec<Value> =
        String::from_utf8(out.stdout).unwrap().lines().map(|line| serde_json::from_str(line).unwrap()).collect();
    assert_eq!(lines.len(), 2);
    assert_eq!(lines[0]["source"], valid);
    assert_eq!(lines[0]["verdict"], "valid");
    assert_eq!(lines[1]["verdict"], "invalid");
    let failed: Vec<&Value> =
        lines[1]["checks"].as_array().unwrap().iter().filter(|check| check["status"] == "failed").collect();
    assert_eq!(failed.len(), 1);
    assert_eq!(failed[0]["id"], "validity");

    let out =
        env.command(&["verify", &valid, &missing, "--offline", "--now", "2025-01-01T00:00:00Z"]).output().unwrap();
    assert_eq!(out.status.code(), Some(2), "an unreadable file could not be checked");
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(text.contains("missing.json: could not be verified"), "{text}");
    assert!(text.contains("cannot read"), "{text}");

    let out = env.command(&["verify", &undecided, "--offline", "--now", "2025-01-01T00:00:00Z"]).output().unwrap();
    assert_eq!(out.status.code(), Some(2), "a key that cannot be resolved: {}", String::from_utf8_lossy(&out.stdout));
}

#[test]
fn verify_takes_directories_and_a_trust_list() {
    let env = Env::sqlite();
    let dir = env.file("credentials");
    std::fs::create_dir(&dir).unwrap();
    let mut trusted = None;
    for name in ["simple.json", "simple-context-version.json", "endorsement-valid.json"] {
        let (file, did) =
            reissued(&env, &format!("ob3/1edtech-validator-test-resources/{name}"), &format!("credentials/{name}"));
        assert!(std::path::Path::new(&file).starts_with(&dir));
        trusted.get_or_insert(did);
    }
    std::fs::write(dir.join("notes.txt"), "not a credential").unwrap();
    let trust = env
        .write("trust.json", &format!(r#"{{"issuers": [{{"id": "{}", "name": "Example Corp"}}]}}"#, trusted.unwrap()));
    let out = env
        .command(&[
            "verify",
            &dir.display().to_string(),
            "--json",
            "--trust",
            &trust,
            "--offline",
            "--now",
            "2025-01-01T00:00:00Z",
        ])
        .output()
        .unwrap();
    let lines: Vec<Value> =
        String::from_utf8(out.stdout).unwrap().lines().map(|line| serde_json::from_str(line).unwrap()).collect();
    assert_eq!(lines.len(), 3, "only credential files are read");
    let trust_of = |source: &str| {
        let line = lines.iter().find(|line| line["source"].as_str().unwrap().ends_with(source)).unwrap();
        line["checks"].as_array().unwrap().iter().find(|check| check["id"] == "trust").unwrap()["status"].clone()
    };
    assert_eq!(trust_of("simple.json"), "passed");
    assert_eq!(trust_of("endorsement-valid.json"), "failed");
    assert_eq!(out.status.code(), Some(1), "an untrusted issuer makes its credential invalid");

    let stderr = env.fails(&["verify", &dir.display().to_string(), "--trust", &env.write("bad.json", "{}")]);
    assert!(stderr.contains("expected {\"issuers\": [...]}"), "{stderr}");
}

/// A European Digital Credential sealed with JAdES is verified as one: the seal of the official
/// sample is intact, and what is not checked yet leaves it undecided (exit code 2); with a
/// byte changed it is invalid.
#[test]
fn verify_reads_sealed_european_digital_credentials() {
    let env = Env::sqlite();
    let sample = vectors().join("elm/samples-elm-v3/Sample-MC-Annex1-signed.jsonld").display().to_string();
    let out = env.command(&["verify", &sample, "--offline"]).output().unwrap();
    let text = String::from_utf8(out.stdout).unwrap();
    assert_eq!(out.status.code(), Some(2), "{text}");
    assert!(
        text.contains("the seal is intact: sealed on 2023-09-27T11:54:17Z by TEST SEAL, ORGANIZACION TEST"),
        "{text}"
    );
    // In 2024, while the sample's certificate was valid: given the certificate authority that
    // issued it as an anchor (PEM), the seal is trusted; given another root (DER), it is intact
    // but not trusted.
    let document: serde_json::Map<String, Value> =
        serde_json::from_str(&std::fs::read_to_string(&sample).unwrap()).unwrap();
    let known = mc_vc::jades::Sealed::read(&document).unwrap().validation_certificates;
    let der_of = |name: &str| known.iter().find(|certificate| certificate.name.starts_with(name)).unwrap().der.clone();
    let encoded = base64::Engine::encode(
        &base64::engine::general_purpose::STANDARD,
        der_of("ANF AC Qualified Certificates for eSeal,"),
    );
    let lines: Vec<&str> = encoded.as_bytes().chunks(64).map(|line| std::str::from_utf8(line).unwrap()).collect();
    let pem = env.write(
        "seal-ca.pem",
        &format!("-----BEGIN CERTIFICATE-----\n{}\n-----END CERTIFICATE-----\n", lines.join("\n")),
    );
    let in_2024 = ["--now", "2024-01-01T00:00:00Z"];
    let out = env
        .command(&[&["verify", &sample, "--offline", "--seal-anchor", &pem][..], &in_2024].concat())
        .output()
        .unwrap();
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(text.contains("the seal's certificate chains to the trust anchor ANF AC Qualified"), "{text}");
    let root = env.file("root.der");
    std::fs::write(&root, der_of("root-ca")).unwrap();
    let out =
        env.command(&["verify", &sample, "--offline", "--seal-anchor", &root.display().to_string()]).output().unwrap();
    let text = String::from_utf8(out.stdout).unwrap();
    assert_eq!(out.status.code(), Some(1), "{text}");
    assert!(text.contains("the seal is intact but not trusted"), "{text}");
    let not_a_certificate = env.write("not.pem", "-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n");
    let refused = env.fails(&["verify", &sample, "--offline", "--seal-anchor", &not_a_certificate]);
    assert!(refused.contains("not.pem is not a certificate"), "{refused}");

    let changed = std::fs::read_to_string(&sample).unwrap().replacen("Annex", "Annez", 1);
    let changed = env.write("changed.jsonld", &changed);
    let out = env.command(&["verify", &changed, "--offline"]).output().unwrap();
    let text = String::from_utf8(out.stdout).unwrap();
    assert_eq!(out.status.code(), Some(1), "{text}");
    assert!(text.contains("it was changed after sealing"), "{text}");
}

/// A holder signs a presentation of their credential for a verifier's challenge and domain:
/// it verifies, with the holder's binding; the wrong challenge, another key, a changed
/// presentation, another learner's credential or no signature at all do not verify as valid.
#[test]
fn a_signed_presentation_verifies_and_a_wrong_one_does_not() {
    let env = crate::support::Env::sqlite();
    env.ok(&["demo"]);
    let holder: serde_json::Value = serde_json::from_str(&env.ok(&["key", "generate"])).unwrap();
    let holder_key = env.write("holder.json", &holder.to_string());
    let did = holder["controller"].as_str().unwrap().to_owned();
    env.ok(&["learner", "add", "--name", "Hanna Holder", "--email", "hanna@learners.example", "--did", &did]);
    let spec = "01936a3e-0000-7000-8000-000000000001";
    let credential: serde_json::Value =
        serde_json::from_str(&env.ok(&["issue", "--spec", spec, "--learner", "hanna@learners.example"])).unwrap();
    assert_eq!(credential["credentialSubject"]["id"], did.as_str());
    let presentation = |credentials: Vec<&serde_json::Value>| {
        serde_json::json!({
            "@context": ["https://www.w3.org/ns/credentials/v2"],
            "type": ["VerifiablePresentation"],
            "holder": did,
            "verifiableCredential": credentials,
        })
    };
    let unsigned = env.write("unsigned.json", &presentation(vec![&credential]).to_string());
    let verify = |path: &str, extra: &[&str]| -> serde_json::Value {
        let mut args = vec!["verify", path, "--offline", "--json"];
        args.extend(extra);
        let output = env.command(&args).output().unwrap();
        serde_json::from_slice(&output.stdout)
            .unwrap_or_else(|err| panic!("{err}: {}", String::from_utf8_lossy(&output.stderr)))
    };
    let result = verify(&unsigned, &[]);
    assert_eq!(result["verdict"], "indeterminate", "an unsigned presentation proves no holder: {result:#}");
    assert_eq!(result["credentials"][0]["verdict"], "valid", "{result:#}");

    let signed =
        env.ok(&["sign", "--key", &holder_key, "--challenge", "nonce-42", "--domain", "hr.example", &unsigned]);
    let signed_path = env.write("signed.json", &signed);
    let expect = ["--challenge", "nonce-42", "--domain", "hr.example"];
    let result = verify(&signed_path, &expect);
    assert_eq!(result["verdict"], "valid", "{result:#}");
    let holder_check = result["checks"].as_array().unwrap().iter().find(|check| check["id"] == "holder").unwrap();
    assert_eq!(holder_check["status"], "passed", "{result:#}");

    let mut emptied: serde_json::Value = serde_json::from_str(&signed).unwrap();
    emptied["proof"] = serde_json::json!([]);
    let emptied = env.write("emptied.json", &emptied.to_string());
    let result = verify(&emptied, &expect);
    assert_eq!(result["verdict"], "invalid", "an empty proof list proves nothing: {result:#}");

    let replayed = verify(&signed_path, &["--challenge", "another", "--domain", "hr.example"]);
    assert_eq!(replayed["verdict"], "invalid", "another verifier's challenge: {replayed:#}");
    let mut changed: serde_json::Value = serde_json::from_str(&signed).unwrap();
    changed["verifiableCredential"][0]["name"] = serde_json::json!("Doctorate in Everything");
    let changed_path = env.write("changed.json", &changed.to_string());
    assert_eq!(verify(&changed_path, &expect)["verdict"], "invalid", "a changed presentation");

    let other: serde_json::Value = serde_json::from_str(&env.ok(&["key", "generate"])).unwrap();
    let other_key = env.write("other.json", &other.to_string());
    let stolen = env.ok(&["sign", "--key", &other_key, "--challenge", "nonce-42", "--domain", "hr.example", &unsigned]);
    let stolen_path = env.write("stolen.json", &stolen);
    let result = verify(&stolen_path, &expect);
    assert_eq!(result["verdict"], "invalid", "signed by a key that is not the holder's: {result:#}");

    let someone: serde_json::Value =
        serde_json::from_str(&env.ok(&["issue", "--spec", spec, "--learner", "jose.martinez@learners.example"]))
            .unwrap();
    let mixed = env.write("mixed.json", &presentation(vec![&credential, &someone]).to_string());
    let mixed = env.write("mixed-signed.json", &env.ok(&["sign", "--key", &holder_key, &mixed]));
    let result = verify(&mixed, &[]);
    let holder_check = result["checks"].as_array().unwrap().iter().find(|check| check["id"] == "holder").unwrap();
    assert_eq!(holder_check["status"], "failed", "another learner's credential: {result:#}");
    assert!(holder_check["message"].as_str().unwrap().starts_with("credential 2 is about did:key:"), "{result:#}");
    assert_eq!(result["verdict"], "invalid");
}

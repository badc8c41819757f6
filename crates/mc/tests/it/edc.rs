//! European Digital Credentials end to end, on each backend: issued sealed with the
//! institution's test seal (or an imported one), alone or beside the Open Badge of the same
//! award, verified by `verify` (seal, EDC rules, issuer, status, trust through the
//! trusted-issuer list or a given anchor), and revoked with the badge.

use serde_json::Value;

use crate::support::Env;

const SPEC: &str = "01936a3e-0000-7000-8000-000000000001";

/// Runs `verify PATH --offline --json ARGS`: its exit code and result.
fn verify(env: &Env, path: &str, args: &[&str]) -> (Option<i32>, Value) {
    let output = env.command(&[&["verify", path, "--offline", "--json"][..], args].concat()).output().unwrap();
    (output.status.code(), serde_json::from_slice(&output.stdout).unwrap())
}

fn check<'a>(result: &'a Value, id: &str) -> &'a Value {
    result["checks"].as_array().unwrap().iter().find(|check| check["id"] == id).unwrap()
}

fn read(path: &str) -> Value {
    serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap()
}

#[test]
fn both_formats_are_issued_sealed_verified_and_revoked_together() {
    for env in Env::all() {
        let backend = env.backend();
        env.ok(&["demo"]);
        // Demo institutions seal with a test seal, which the trusted-issuer list names.
        let seal = env.ok(&["issuer", "seal", "valdeoliva"]);
        assert!(seal.contains("(TEST SEAL)") && seal.contains("a test seal, never a real one"), "{seal}");
        assert!(seal.contains("organisation identifier  ESQ0618011A"), "{seal}");

        let badge_path = env.file("award.json").display().to_string();
        let learner = "aino.virtanen@learners.example";
        let said = env.ok(&["issue", "--spec", SPEC, "--learner", learner, "--format", "both", "-o", &badge_path]);
        let edc_path = env.file("award.edc.json").display().to_string();
        assert!(said.contains(&format!("{badge_path} and {edc_path}")), "[{backend}] {said}");
        let (badge, sealed) = (read(&badge_path), read(&edc_path));
        let payload: Value = serde_json::from_str(sealed["payload"].as_str().unwrap()).unwrap();
        assert_eq!(badge["europeanDigitalCredential"], payload["id"], "[{backend}] the badge names the EDC");
        assert_eq!(payload["identifier"][0]["notation"], badge["id"], "[{backend}] the EDC names the badge");
        assert_eq!(payload["credentialStatus"]["statusPurpose"], "revocation");
        assert_eq!(
            payload["credentialStatus"]["statusListCredential"], badge["credentialStatus"][0]["statusListCredential"],
            "[{backend}] one revocation bit for both"
        );

        for path in [&badge_path, &edc_path] {
            let (code, result) = verify(&env, path, &[]);
            assert_eq!((code, result["verdict"].as_str()), (Some(0), Some("valid")), "[{backend}] {path}: {result:#}");
        }
        let (_, result) = verify(&env, &edc_path, &[]);
        assert!(check(&result, "proof")["message"].as_str().unwrap().contains("(TEST SEAL)"), "{result:#}");
        assert_eq!(check(&result, "schema")["status"], "passed");
        assert!(check(&result, "trust")["message"].as_str().unwrap().contains("the trusted-issuer list names"));

        let id = badge["id"].as_str().unwrap().trim_start_matches("urn:uuid:").to_owned();
        let listed = env.ok(&["credential", "list"]);
        assert!(listed.lines().any(|line| line.contains(&id) && line.contains(" both ")), "{listed}");
        env.ok(&["revoke", &id, "--reason", "awarded by mistake"]);
        for path in [&badge_path, &edc_path] {
            let (code, result) = verify(&env, path, &[]);
            assert_eq!(code, Some(1), "[{backend}] {path}");
            assert_eq!(check(&result, "status")["message"], "the credential has been revoked", "[{backend}] {path}");
        }
    }
}

#[test]
fn an_edc_alone_verifies_and_cannot_be_suspended() {
    let env = Env::sqlite();
    env.ok(&["demo"]);
    let edc: Value = serde_json::from_str(&env.ok(&[
        "issue",
        "--spec",
        SPEC,
        "--learner",
        "aino.virtanen@learners.example",
        "--format",
        "edc",
        "--grade",
        "9,5",
    ]))
    .unwrap();
    assert!(edc["signatures"][0]["protected"].is_string(), "a JAdES seal: {edc:#}");
    let path = env.write("edc.json", &edc.to_string());
    let (code, result) = verify(&env, &path, &[]);
    assert_eq!((code, result["verdict"].as_str()), (Some(0), Some("valid")), "{result:#}");
    let payload: Value = serde_json::from_str(edc["payload"].as_str().unwrap()).unwrap();
    let id = payload["id"].as_str().unwrap().trim_start_matches("urn:credential:").to_owned();
    let refused = env.fails(&["suspend", &id]);
    assert!(refused.contains("cannot be suspended"), "{refused}");
    // The upload form of the EDC issuer (`{"credential": …}`) of the sealed document verifies too.
    let wrapped = env.write("wrapped.json", &serde_json::json!({"credential": edc}).to_string());
    assert_eq!(verify(&env, &wrapped, &[]).1["verdict"], "valid");
    // Without a seal, an institution cannot issue an EDC; the error says how to get one.
    env.ok(&[
        "institution",
        "add",
        "--id",
        "noseal",
        "--name",
        "No Seal University",
        "--country",
        "ES",
        "--legal-id",
        "ESQ1111111A",
    ]);
    let stderr = env.command(&["issuer", "seal", "noseal"]).output().unwrap();
    assert!(String::from_utf8_lossy(&stderr.stderr).contains("has no seal"));
}

/// An institution's own seal, made by openssl as a certificate authority would give it:
/// imported from PEM or PKCS#12, it seals what verifies as intact and the issuer's; trusted when its
/// certificate is given as an anchor. A certificate of another organisation is refused.
#[test]
fn an_imported_seal_seals_what_verifies() {
    let env = Env::sqlite();
    env.ok(&["demo"]);
    let dir = env.file("");
    let openssl = |args: &[&str]| {
        let output = std::process::Command::new("openssl").args(args).current_dir(&dir).output();
        match output {
            Ok(output) => {
                assert!(output.status.success(), "openssl {args:?}: {}", String::from_utf8_lossy(&output.stderr))
            }
            Err(err) => panic!("openssl is needed for this test: {err}"),
        }
    };
    openssl(&["genpkey", "-algorithm", "RSA", "-pkeyopt", "rsa_keygen_bits:2048", "-out", "seal-key.pem"]);
    for (identifier, out) in [("ESQ0618011A", "seal.pem"), ("ESB99999999", "other.pem")] {
        let subject = format!("/CN=Sello electrónico de Valdeoliva/O=Universidad de Valdeoliva/2.5.4.97={identifier}");
        openssl(&[
            "req",
            "-new",
            "-x509",
            "-utf8",
            "-key",
            "seal-key.pem",
            "-out",
            out,
            "-days",
            "30",
            "-subj",
            &subject,
            "-addext",
            "keyUsage=critical,nonRepudiation",
        ]);
    }
    let key = env.file("seal-key.pem").display().to_string();
    let (seal, other) = (env.file("seal.pem").display().to_string(), env.file("other.pem").display().to_string());
    let refused = env.fails(&["issuer", "seal-import", "valdeoliva", "--key", &key, "--certificate", &other]);
    assert!(refused.contains("names the organisation ESB99999999") && refused.contains("ESQ0618011A"), "{refused}");
    let refused = env.fails(&["issuer", "seal-import", "valdeoliva", "--key", &key, "--certificate", &key]);
    assert!(refused.contains("no seal was imported"), "{refused}");

    // PKCS#12, as certificate authorities deliver seals: the modern encryption (AES, PBKDF2) and
    // the legacy one (3DES, SHA-1), the password read from standard input.
    openssl(&[
        "pkcs12",
        "-export",
        "-inkey",
        "seal-key.pem",
        "-in",
        "seal.pem",
        "-out",
        "seal.p12",
        "-passout",
        "pass:geheim ñ",
    ]);
    openssl(&[
        "pkcs12",
        "-export",
        "-inkey",
        "seal-key.pem",
        "-in",
        "seal.pem",
        "-out",
        "legacy.p12",
        "-passout",
        "pass:geheim ñ",
        "-keypbe",
        "PBE-SHA1-3DES",
        "-certpbe",
        "PBE-SHA1-3DES",
        "-macalg",
        "sha1",
    ]);
    let import_p12 = |file: &str, password: &str| {
        let path = env.file(file).display().to_string();
        let mut child = env
            .command(&["issuer", "seal-import", "valdeoliva", "--pkcs12", &path])
            .stdin(std::process::Stdio::piped())
            .stdout(std::process::Stdio::piped())
            .stderr(std::process::Stdio::piped())
            .spawn()
            .unwrap();
        std::io::Write::write_all(&mut child.stdin.take().unwrap(), format!("{password}\n").as_bytes()).unwrap();
        let output = child.wait_with_output().unwrap();
        (
            output.status.code(),
            String::from_utf8_lossy(&output.stdout).into_owned() + &String::from_utf8_lossy(&output.stderr),
        )
    };
    let (code, said) = import_p12("seal.p12", "wrong");
    assert!(code == Some(1) && said.contains("cannot be opened as PKCS#12 with the password given"), "{said}");
    for file in ["legacy.p12", "seal.p12"] {
        let (code, said) = import_p12(file, "geheim ñ");
        assert!(code == Some(0) && said.contains("now seals with Sello electrónico de Valdeoliva"), "{file}: {said}");
    }
    let said = env.ok(&["issuer", "seal-import", "valdeoliva", "--key", &key, "--certificate", &seal]);
    assert!(said.contains("now seals with Sello electrónico de Valdeoliva"), "{said}");
    let shown: Value = serde_json::from_str(&env.ok(&["issuer", "seal", "valdeoliva", "--json"])).unwrap();
    assert_eq!((shown["test_seal"].as_bool(), shown["algorithm"].as_str()), (Some(false), Some("RS256")));

    let edc = env.ok(&["issue", "--spec", SPEC, "--learner", "aino.virtanen@learners.example", "--format", "edc"]);
    let path = env.write("edc.json", &edc);
    // Intact and the issuer's; the trusted-issuer list names only the test seal it had before.
    let (code, result) = verify(&env, &path, &[]);
    assert_eq!((code, result["verdict"].as_str()), (Some(2), Some("indeterminate")), "{result:#}");
    assert_eq!(check(&result, "proof")["status"], "passed");
    assert_eq!(check(&result, "issuer")["status"], "passed");
    assert_eq!(check(&result, "trust")["status"], "skipped");
    let (code, result) = verify(&env, &path, &["--seal-anchor", &seal]);
    assert_eq!((code, result["verdict"].as_str()), (Some(0), Some("valid")), "{result:#}");
}

//! The micro-credential supplement as a PDF, read with real PDF and QR code tools: Poppler
//! (pdftotext, pdfdetach, pdftoppm, pdfinfo) and ZBar (zbarimg). Every demo credential's
//! supplement, in English and in Spanish, says what it certifies, its QR code opens the
//! credential's page, and its attached credential verifies, alone and through the PDF; a
//! tampered attachment does not. Names in Greek and Cyrillic come out as written.
//!
//! Skipped when the tools are missing, except in CI, where `.ci/run` installs them.

use std::{path::Path, process::Command};

use serde_json::Value;

use crate::support::{Env, Request, Server};

const SPEC: &str = "01936a3e-0000-7000-8000-000000000001";

/// Whether Poppler and ZBar are installed; in CI they must be.
fn tools() -> bool {
    let missing: Vec<&str> = ["pdftotext", "pdfdetach", "pdftoppm", "pdfinfo", "zbarimg"]
        .into_iter()
        .filter(|tool| Command::new(tool).arg("-v").output().is_err())
        .collect();
    if missing.is_empty() {
        return true;
    }
    let in_ci = std::env::var("CI").is_ok_and(|ci| ci == "true");
    assert!(!in_ci, "CI must run the supplement tests: install poppler-utils and zbar-tools (missing {missing:?})");
    eprintln!("skipped: {missing:?} not installed (poppler-utils, zbar-tools)");
    false
}

/// Runs a tool, which must succeed; its standard output.
fn run(tool: &str, args: &[&str]) -> String {
    let output = Command::new(tool).args(args).output().unwrap();
    assert!(output.status.success(), "{tool} {args:?}: {}", String::from_utf8_lossy(&output.stderr));
    String::from_utf8(output.stdout).unwrap()
}

/// The text of a PDF, as pdftotext reads it (in reading order, lines joined).
fn text(pdf: &Path) -> String {
    run("pdftotext", &[&pdf.display().to_string(), "-"]).split_whitespace().collect::<Vec<_>>().join(" ")
}

/// The address the QR code on the PDF's first page encodes.
fn qr_code(pdf: &Path) -> String {
    let image = pdf.with_extension("");
    run(
        "pdftoppm",
        &[
            "-r",
            "150",
            "-png",
            "-f",
            "1",
            "-l",
            "1",
            "-singlefile",
            &pdf.display().to_string(),
            &image.display().to_string(),
        ],
    );
    run("zbarimg", &["--raw", "-q", &format!("{}.png", image.display())]).trim().to_owned()
}

/// `microcred ARGS`, its links and status lists under the server's address.
fn microcred(env: &Env, server: &Server, args: &[&str]) -> std::process::Output {
    env.command(args).env("MICROCRED_PUBLIC_URL", format!("http://{}", server.addr)).output().unwrap()
}

/// `microcred verify --offline --json` of `path`.
fn verify(env: &Env, server: &Server, path: &Path) -> Value {
    let output = microcred(env, server, &["verify", &path.display().to_string(), "--offline", "--json"]);
    serde_json::from_slice(&output.stdout)
        .unwrap_or_else(|err| panic!("{err}: {}", String::from_utf8_lossy(&output.stderr)))
}

/// `microcred supplement ID --format pdf --lang LANG -o FILE`.
fn supplement(env: &Env, server: &Server, id: &str, lang: &str) -> std::path::PathBuf {
    let path = env.file(&format!("supplement-{id}-{lang}.pdf"));
    let args = ["supplement", id, "--format", "pdf", "--lang", lang, "-o", &path.display().to_string()];
    let output = microcred(env, server, &args);
    assert!(output.status.success(), "{}", String::from_utf8_lossy(&output.stderr));
    path
}

#[test]
fn every_demo_credential_has_a_supplement_pdf_that_verifies_in_both_languages() {
    if !tools() {
        return;
    }
    let env = Env::sqlite();
    let server = Server::start(&env, &["--demo"]);
    let listed: Value = serde_json::from_str(&env.ok(&["credential", "list", "--json"])).unwrap();
    let credentials = listed.as_array().unwrap();
    assert!(credentials.len() >= 2, "{listed:#}");
    for listed in credentials {
        // Issued in both formats, the supplement carries the Open Badge.
        let signed = listed.get("open_badge").unwrap_or(listed);
        let id = signed["id"].as_str().unwrap().trim_start_matches("urn:uuid:");
        for (lang, kicker, workload) in [
            ("en", "MICRO-CREDENTIAL SUPPLEMENT", "Workload"),
            ("es", "SUPLEMENTO DE LA MICROCREDENCIAL", "Carga de trabajo"),
        ] {
            let pdf = supplement(&env, &server, id, lang);
            let info = run("pdfinfo", &[&pdf.display().to_string()]);
            assert!(info.contains("Page size:       595.28 x 841.89 pts (A4)"), "{info}");
            let words = text(&pdf);
            assert!(words.contains(kicker) && words.contains(workload), "{lang}: {words}");
            assert!(words.contains("José Martínez Núñez"), "the demo's learner: {words}");
            assert!(words.contains(id), "the credential's id is printed: {words}");
            assert!(!words.contains("supervised-") && !words.contains(" blended"), "codes in words: {words}");

            // The QR code opens the credential's page.
            let link = qr_code(&pdf);
            let path = link.strip_prefix(&format!("http://{}", server.addr)).unwrap_or_else(|| panic!("{link}"));
            assert!(path.starts_with("/c/"), "{link}");
            let page = Request::new(server.addr, "GET", &format!("{path}?lang=es")).send();
            assert_eq!(page.status, 200, "{link}");
            let title = signed["name"].as_str().unwrap();
            assert!(page.body.contains(title), "the page of the credential {title}: {}", page.body);

            // The PDF verifies, and so does its attachment, which is the signed credential.
            assert_eq!(verify(&env, &server, &pdf)["verdict"], "valid", "{}", pdf.display());
            let attached = env.file(&format!("attached-{id}-{lang}.json"));
            run("pdfdetach", &["-save", "1", "-o", &attached.display().to_string(), &pdf.display().to_string()]);
            let inside: Value = serde_json::from_slice(&std::fs::read(&attached).unwrap()).unwrap();
            assert_eq!(&inside, signed, "the attached file is the credential");
            assert_eq!(verify(&env, &server, &attached)["verdict"], "valid");
        }
    }
    server.stop();
}

#[test]
fn a_tampered_supplement_pdf_fails_and_any_script_prints() {
    if !tools() {
        return;
    }
    let env = Env::sqlite();
    let server = Server::start(&env, &["--demo"]);
    let mut pdfs = Vec::new();
    for (email, name) in [("zoi@learners.example", "Ζωή Παπαδοπούλου"), ("anna@learners.example", "Анна Иванова")]
    {
        let issued = microcred(&env, &server, &["issue", "--spec", SPEC, "--learner", email, "--name", name]);
        assert!(issued.status.success(), "{}", String::from_utf8_lossy(&issued.stderr));
        let issued: Value = serde_json::from_slice(&issued.stdout).unwrap();
        let id = issued["id"].as_str().unwrap().trim_start_matches("urn:uuid:").to_owned();
        let pdf = supplement(&env, &server, &id, "es");
        assert!(text(&pdf).contains(name), "{name}: {}", text(&pdf));
        assert_eq!(verify(&env, &server, &pdf)["verdict"], "valid");
        pdfs.push(pdf);
    }

    // The attachment is stored as written: a changed letter in it, the same length, keeps the
    // PDF readable, and the credential inside no longer verifies.
    let bytes = std::fs::read(&pdfs[0]).unwrap();
    let inside = bytes.windows(8).position(|window| window == b"\"name\":\"").expect("a name in the credential") + 8;
    let mut tampered = bytes.clone();
    tampered[inside] = if bytes[inside] == b'X' { b'Y' } else { b'X' };
    let changed = format!("\"name\":\"{}", tampered[inside] as char);
    let forged = env.file("forged.pdf");
    std::fs::write(&forged, &tampered).unwrap();
    let attached = env.file("forged.json");
    run("pdfdetach", &["-save", "1", "-o", &attached.display().to_string(), &forged.display().to_string()]);
    assert!(std::fs::read_to_string(&attached).unwrap().contains(&changed), "the tools read the change");
    let result = verify(&env, &server, &forged);
    assert_eq!(result["verdict"], "invalid", "{result:#}");
    let proof = result["checks"].as_array().unwrap().iter().find(|check| check["id"] == "proof").unwrap();
    assert_eq!(proof["status"], "failed", "{result:#}");

    // The API and the verification page take the PDF too.
    let api = Request::new(server.addr, "POST", "/api/v1/credentials/verify").send_body("application/pdf", &bytes);
    assert_eq!(api.json()["verdict"], "valid", "{}", api.body);
    let api = Request::new(server.addr, "POST", "/api/v1/credentials/verify").send_body("application/pdf", &tampered);
    assert_eq!(api.json()["verdict"], "invalid", "{}", api.body);
    let page = crate::pages::verify_page(&server, "en", "", Some(&bytes));
    assert!(page.body.contains("id=\"verdict\">Valid<"), "{}", page.body);

    // A PDF with no credential attached, and a cut one, say so.
    let cut = env.file("cut.pdf");
    std::fs::write(&cut, &bytes[..inside]).unwrap();
    let said = env.command(&["verify", &cut.display().to_string(), "--offline"]).output().unwrap();
    assert_ne!(said.status.code(), Some(0));
    let said = String::from_utf8_lossy(&said.stdout);
    assert!(said.contains("the PDF is broken: an attached file's content never ends"), "{said}");
    server.stop();
}

//! Mail to learners through a real SMTP server (aiosmtpd, started by the test): a credential
//! issued is told once, a cohort sends one mail per learner, sign-in links arrive by mail in the
//! visitor's language and work, and a mail server that refuses for a while loses nothing.
//!
//! Skipped when python3 with aiosmtpd is missing, except in CI, where `.ci/run` installs it.

use std::{
    path::{Path, PathBuf},
    process::{Child, Command, Stdio},
    time::{Duration, Instant},
};

use serde_json::{Value, json};

use crate::support::{Env, Request, Server, free_port};

/// An aiosmtpd server keeping each mail as a JSON file in its directory.
struct SmtpServer {
    child: Child,
    port: u16,
    dir: PathBuf,
}

impl Drop for SmtpServer {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl SmtpServer {
    fn start(dir: &Path) -> Option<SmtpServer> {
        std::fs::create_dir_all(dir).unwrap();
        let port = free_port();
        let script = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/smtp/server.py");
        let python = std::env::var("PYTHON").unwrap_or_else(|_| "python3".into());
        let spawned = Command::new(python)
            .args([script, "--port", &port.to_string(), "--dir", &dir.display().to_string()])
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn();
        let in_ci = std::env::var("CI").is_ok_and(|ci| ci == "true");
        let Ok(mut child) = spawned else {
            assert!(!in_ci, "CI must run the mail tests: python3 is missing");
            return None;
        };
        let mut line = String::new();
        std::io::BufRead::read_line(&mut std::io::BufReader::new(child.stdout.take().unwrap()), &mut line).unwrap();
        if line.trim() != "ready" {
            let status = child.wait().unwrap();
            assert!(!in_ci, "CI must run the mail tests: the SMTP server did not start ({status}): install aiosmtpd");
            eprintln!("skipped: python3 with aiosmtpd is not installed");
            return None;
        }
        Some(SmtpServer { child, port, dir: dir.to_owned() })
    }

    /// The mails kept so far, oldest first.
    fn mails(&self) -> Vec<Value> {
        let mut names: Vec<PathBuf> = std::fs::read_dir(&self.dir)
            .unwrap()
            .map(|entry| entry.unwrap().path())
            .filter(|path| path.extension().is_some_and(|ext| ext == "json"))
            .collect();
        names.sort();
        names.iter().map(|path| serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap()).collect()
    }

    /// How many mails are kept, without reading them.
    fn count(&self) -> usize {
        std::fs::read_dir(&self.dir)
            .unwrap()
            .filter(|entry| entry.as_ref().unwrap().path().extension().is_some_and(|ext| ext == "json"))
            .count()
    }

    /// Waits (up to 30 s) until at least `count` mails are kept, and returns them.
    fn wait_for(&self, count: usize) -> Vec<Value> {
        let start = Instant::now();
        loop {
            let mails = self.mails();
            if mails.len() >= count {
                return mails;
            }
            assert!(start.elapsed() < Duration::from_secs(30), "{} of {count} mails arrived: {mails:#?}", mails.len());
            std::thread::sleep(Duration::from_millis(100));
        }
    }
}

fn to(mail: &Value) -> &str {
    mail["to"][0].as_str().unwrap()
}

#[test]
fn learners_get_their_mails_once_through_a_real_smtp_server() {
    let env = Env::sqlite();
    let Some(smtp) = SmtpServer::start(&env.file("mailbox")) else { return };
    let url = format!("smtp://127.0.0.1:{}", smtp.port);
    let server = Server::start(
        &env,
        &["--demo", "--smtp-url", &url, "--smtp-from", "microcred <noreply@microcred.example>", "--mail-retry", "0.2"],
    );

    // The demo issues two credentials of Valdeoliva's (in Spanish) to its learner: two mails.
    let demo = smtp.wait_for(2);
    assert!(demo.iter().all(|mail| to(mail) == "jose.martinez@learners.example"), "{demo:#?}");
    assert!(demo[0]["subject"].as_str().unwrap().starts_with("Su microcredencial: "), "{demo:#?}");
    assert!(demo[0]["text"].as_str().unwrap().contains("Universidad de Valdeoliva le ha otorgado"), "{demo:#?}");
    assert_eq!(demo[0]["from"], "noreply@microcred.example");

    // A cohort of an English specification: one mail per learner, once.
    let token = env.ok(&["token", "create", "--institution", "valdeoliva", "--role", "issuer"]).trim().to_owned();
    let learners: Vec<Value> = (1..=25)
        .map(|n| json!({"name": format!("Learner {n}"), "email": format!("learner-{n}@cohort.example")}))
        .collect();
    let spec = "01936a3e-0000-7000-8000-000000000004";
    let job = Request::new(server.addr, "POST", "/api/v1/cohorts")
        .token(&token)
        .json(&json!({"spec": spec, "learners": learners}));
    assert_eq!(job.status, 202, "{}", job.body);
    let mails = smtp.wait_for(27);
    let cohort: Vec<&Value> = mails.iter().filter(|mail| to(mail).ends_with("@cohort.example")).collect();
    assert_eq!(cohort.len(), 25, "{mails:#?}");
    let mut recipients: Vec<&str> = cohort.iter().map(|mail| to(mail)).collect();
    recipients.sort_unstable();
    recipients.dedup();
    assert_eq!(recipients.len(), 25, "each learner once");
    assert!(cohort[0]["subject"].as_str().unwrap().starts_with("Your micro-credential: Artificial Intelligence"));
    assert!(cohort[0]["text"].as_str().unwrap().contains(&format!("http://{}/learner/sign-in", server.addr)));

    // Each mail offers the credential to the learner's wallet: a wallet takes it with the code.
    assert!(demo[0]["text"].as_str().unwrap().contains("la cartera le pedirá el código"), "{demo:#?}");
    let text = cohort[0]["text"].as_str().unwrap();
    let offer = text.lines().find(|line| line.starts_with("openid-credential-offer://")).expect("an offer in the mail");
    let code = text.split("ask for the code ").nth(1).unwrap().get(..6).unwrap();
    if let Some(dir) = crate::wallet::wallet_dir() {
        let taken = crate::wallet::wallet(
            &dir,
            "take",
            &json!({
                "offer_uri": offer,
                "tx_code": code,
                "did_documents": {"did:web:www.valdeoliva.example": format!("http://{}/institutions/valdeoliva/did.json", server.addr)},
            }),
        );
        assert_eq!(taken["verified"], true, "{taken}");
        assert_eq!(taken["payload"]["learner_email"], to(cohort[0]));
    }

    // A sign-in link by mail, in the visitor's language, that works; not in the log.
    let asked = Request::new(server.addr, "POST", "/learner/sign-in?lang=es")
        .form(&[("email", "jose.martinez@learners.example")]);
    assert_eq!(asked.status, 200);
    let mails = smtp.wait_for(28);
    let link_mail = mails.last().unwrap();
    assert_eq!(link_mail["subject"], "Su enlace de acceso a microcred");
    let text = link_mail["text"].as_str().unwrap();
    let link = &text[text.find("/learner/link/").unwrap()..];
    let link = link.split_whitespace().next().unwrap();
    let used = Request::new(server.addr, "POST", link).form(&[]);
    assert_eq!((used.status, used.header("location")), (303, Some("/learner")), "{}", used.body);
    assert!(server.logged("learner sign-in link").is_empty(), "a mailed link is not logged");

    // The mail server refuses for a while: the mail waits, is tried again, and arrives once.
    std::fs::write(smtp.dir.join("refuse"), b"").unwrap();
    let issued = Request::new(server.addr, "POST", "/api/v1/credentials/issue").token(&token).json(&json!({
        "spec": spec, "learner": "late@learners.example", "name": "Late Learner",
    }));
    assert_eq!(issued.status, 201, "{}", issued.body);
    server.wait_for_log("mail not sent; will try again");
    std::thread::sleep(Duration::from_millis(700));
    assert_eq!(smtp.mails().len(), 28, "nothing arrives while the server refuses");
    std::fs::remove_file(smtp.dir.join("refuse")).unwrap();
    smtp.wait_for(29);
    std::thread::sleep(Duration::from_millis(500));
    let mails = smtp.mails();
    let late = mails.iter().filter(|mail| to(mail) == "late@learners.example").count();
    assert_eq!(late, 1, "once: {mails:#?}");
    server.stop();
}

/// A cohort of 10,000 learners: each gets the mail of their credential, once, while the job
/// issues batch after batch and the mails go out beside it.
#[test]
fn a_cohort_of_ten_thousand_sends_ten_thousand_mails_once() {
    const LEARNERS: usize = 10_000;
    let env = Env::sqlite();
    let Some(smtp) = SmtpServer::start(&env.file("mailbox")) else { return };
    env.ok(&["demo"]);
    let token = env.ok(&["token", "create", "--institution", "valdeoliva", "--role", "issuer"]).trim().to_owned();
    let url = format!("smtp://127.0.0.1:{}", smtp.port);
    let server = Server::start(&env, &["--smtp-url", &url, "--smtp-from", "noreply@microcred.example"]);
    let learners: Vec<Value> = (0..LEARNERS)
        .map(|n| json!({"name": format!("Learner {n}"), "email": format!("learner-{n}@cohort.example")}))
        .collect();
    let job = Request::new(server.addr, "POST", "/api/v1/cohorts").token(&token).json(&json!({
        "spec": "01936a3e-0000-7000-8000-000000000004", "suite": "eddsa-jcs-2022", "learners": learners,
    }));
    assert_eq!(job.status, 202, "{}", job.body);
    let started = Instant::now();
    let job = crate::api::wait_for_job(server.addr, &token, job.json()["id"].as_str().unwrap());
    assert_eq!(job["issued"], LEARNERS, "{job}");
    eprintln!("{LEARNERS} issued in {:.1} s ({} mails sent meanwhile)", started.elapsed().as_secs_f64(), smtp.count());

    let start = Instant::now();
    while smtp.count() < LEARNERS {
        assert!(start.elapsed() < Duration::from_secs(300), "{} of {LEARNERS} mails arrived", smtp.count());
        std::thread::sleep(Duration::from_millis(500));
    }
    eprintln!("{LEARNERS} mails arrived {:.1} s after the job began", started.elapsed().as_secs_f64());
    // Nothing more comes: each learner's mail arrived once.
    std::thread::sleep(Duration::from_secs(1));
    let mails = smtp.mails();
    assert_eq!(mails.len(), LEARNERS);
    let recipients: std::collections::BTreeSet<&str> = mails.iter().map(to).collect();
    assert_eq!(recipients.len(), LEARNERS, "each learner once");
    server.stop();
}

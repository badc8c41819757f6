//! Every page, in English and in Spanish, on a desktop and on a phone: a screenshot of each
//! (in `target/screenshots/tour/`), an accessibility check with axe-core (WCAG 2.1 A and AA)
//! that finds nothing serious, nothing wider than a phone's screen, and on a Spanish page no
//! English word and no raw code where a word belongs.
//!
//! Skipped when Chromium or axe-core is missing, except in CI, where `.ci/run` installs them.

use std::path::{Path, PathBuf};

use mc_test_support::browser::{Browser, axe_core};

use crate::{
    browser::{issue_from_cli, sign_in_staff},
    support::{Env, Server},
};

const SPEC: &str = "01936a3e-0000-7000-8000-000000000001";
const LEARNER: &str = "aino.virtanen@learners.example";

/// English words of the pages' own text (not of the demo's content) that a Spanish page must
/// not show, matched as whole words.
const ENGLISH: &[&str] = &[
    "exists",
    "does not",
    "cannot",
    "published",
    "missing",
    "Active",
    "Revoked",
    "Suspended",
    "Valid",
    "Not valid",
    "Sign in",
    "Sign out",
    "Issuer",
    "Learner",
    "Catalogue",
    "Verify",
    "Published",
    "Draft",
    "Withdrawn",
    "queued",
    "running",
    "done",
    "failed",
    "online",
    "onsite",
    "blended",
    "English",
    "Spanish",
    "Spain",
    "Finland",
    "Italy",
    "Information",
    "Business",
    "Engineering",
    "Education",
    "hours",
    "credits",
    "Error",
    "Warning",
    "Fix",
    "Save",
    "Publish",
    "Issue",
    "Revoke",
    "Share",
    "Download",
    "Search",
    "Filter",
    "Status",
    "Learning outcomes",
    "Credential",
    "Recognition",
    "Pathway",
    "Agreement",
    "required",
    "optional",
    "Yes",
    "None",
    "Unknown",
    "Row",
    "Line",
];

/// Patterns of raw codes that no page should show to a person, in any language.
const CODES: &[&str] = &[
    "urn:uuid:",
    "http://",
    "https://",
    "did:",
    "annex-i",
    "annex-ii",
    "eqf-",
    "isced",
    "_",
    "{{",
    "null",
    "undefined",
    "self-assessment",
    "written-exam",
    "online-exam",
    "stand-alone",
];

/// Both browsers, the axe-core script, and what the pages got wrong so far.
struct Tour {
    base: String,
    desktop: Browser,
    phone: Browser,
    axe: String,
    dir: PathBuf,
    problems: Vec<String>,
}

impl Tour {
    fn start(server: &Server) -> Option<Tour> {
        let axe = axe_core();
        if !Browser::available() || axe.is_none() {
            assert!(
                std::env::var_os("CI").is_none(),
                "CI must run the browser tests: install chromium, chromium-driver and axe-core (see .ci/run)"
            );
            eprintln!("skipped: Chromium, chromedriver or axe-core is not installed");
            return None;
        }
        let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../target/screenshots/tour");
        Some(Tour {
            base: format!("http://{}", server.addr),
            desktop: Browser::start(&dir),
            phone: Browser::start_with_size(&dir, 390, 844),
            axe: axe.unwrap_or_default(),
            dir,
            problems: Vec::new(),
        })
    }

    /// Opens `path` in both languages on both browsers and looks at it.
    fn page(&mut self, name: &str, path: &str) {
        let base = self.base.clone();
        let (path, fragment) = path.split_once('#').map_or((path, String::new()), |(p, f)| (p, format!("#{f}")));
        let separator = if path.contains('?') { '&' } else { '?' };
        self.reach(name, |browser, lang| {
            browser.goto(&format!("{base}{path}{separator}lang={lang}{fragment}"));
            // A download would leave the browser where it was, and the tour would look at that.
            assert!(browser.url().contains(path), "{path} did not open a page: the browser is at {}", browser.url());
        });
    }

    /// Brings both browsers to a page with `reach` (given the browser and the language), in
    /// English and in Spanish, and looks at it: screenshots, the accessibility check on the
    /// desktop, the phone's width, and in Spanish the words.
    fn reach(&mut self, name: &str, reach: impl Fn(&Browser, &str)) {
        for lang in ["en", "es"] {
            reach(&self.desktop, lang);
            self.desktop.screenshot(&format!("{name}-{lang}-desktop"));
            for violation in self.desktop.accessibility_violations(&self.axe) {
                if violation.is_serious() {
                    self.problems.push(format!(
                        "{name} ({lang}): {} ({}, {}): {}",
                        violation.help,
                        violation.rule,
                        violation.impact,
                        violation.places.join(" | ")
                    ));
                }
            }
            reach(&self.phone, lang);
            self.phone.screenshot(&format!("{name}-{lang}-phone"));
            let overflow = self.phone.execute("return document.documentElement.scrollWidth > window.innerWidth");
            if overflow != serde_json::json!(false) {
                self.problems.push(format!("{name} ({lang}): wider than a phone's screen"));
            }
            // What a person reads in the page's language: not the language switch (marked as
            // another language) nor names a file must use (in `code`).
            let text = self
                .desktop
                .execute(
                    "document.querySelectorAll('body [lang], code').forEach(e => e.style.display = 'none');
                     return document.body.innerText",
                )
                .as_str()
                .unwrap_or_default()
                .to_owned();
            self.words(name, lang, &text);
        }
    }

    /// Looks for raw codes on any page, and English words on a Spanish one.
    fn words(&mut self, name: &str, lang: &str, text: &str) {
        for code in CODES {
            if let Some(at) = text.find(code) {
                let shown = excerpt(text, at);
                self.problems.push(format!("{name} ({lang}): shows the code {code:?}: …{shown}…"));
            }
        }
        if let Some(at) = iso_date(text) {
            let shown = excerpt(text, at);
            self.problems.push(format!("{name} ({lang}): shows a date as a code, not in words: …{shown}…"));
        }
        if lang == "es" {
            for word in ENGLISH {
                if let Some(at) = find_word(text, word) {
                    let shown = excerpt(text, at);
                    self.problems.push(format!("{name} (es): shows the English {word:?}: …{shown}…"));
                }
            }
        }
    }

    fn finish(self) {
        assert!(
            self.problems.is_empty(),
            "{} problems (screenshots in {}):\n{}",
            self.problems.len(),
            self.dir.display(),
            self.problems.join("\n")
        );
    }
}

/// Where a date written as a code (`2026-03-15`) stands in `text`.
fn iso_date(text: &str) -> Option<usize> {
    let bytes = text.as_bytes();
    (0..bytes.len().saturating_sub(9)).find(|&at| {
        let shape = b"dddd-dd-dd";
        shape.iter().zip(&bytes[at..at + 10]).all(|(want, got)| match want {
            b'd' => got.is_ascii_digit(),
            _ => got == want,
        })
    })
}

/// Where `word` stands as a whole word (not inside another) in `text`.
fn find_word(text: &str, word: &str) -> Option<usize> {
    let is_letter = |c: Option<char>| c.is_some_and(char::is_alphanumeric);
    text.match_indices(word)
        .map(|(at, _)| at)
        .find(|&at| !is_letter(text[..at].chars().next_back()) && !is_letter(text[at + word.len()..].chars().next()))
}

/// Up to 40 bytes either side of `at`, on character boundaries, on one line.
fn excerpt(text: &str, at: usize) -> String {
    let mut start = at.saturating_sub(40);
    while !text.is_char_boundary(start) {
        start -= 1;
    }
    let mut end = (at + 40).min(text.len());
    while !text.is_char_boundary(end) {
        end += 1;
    }
    text[start..end].replace('\n', " ⏎ ")
}

#[test]
fn every_page_in_both_languages_on_a_desktop_and_a_phone() {
    let env = Env::sqlite();
    let server = Server::start(&env, &["--demo"]);
    let Some(mut tour) = Tour::start(&server) else { return };
    let base = tour.base.clone();

    // The employer's pages, and the public ones.
    tour.page("01-home", "/");
    tour.page("02-catalogue", "/catalogue");
    // On a phone the results come first, the filters behind a button above them.
    let first_result = tour.phone.execute(
        "return document.querySelector('ul.specs > li').getBoundingClientRect().top < window.innerHeight \
         && document.querySelector('#facets').getBoundingClientRect().height == 0",
    );
    assert_eq!(first_result, serde_json::json!(true), "a result shows on a phone's first screen");
    tour.phone.click("#filters label");
    tour.phone.wait_for_text("#filters", "Nivel MEC");
    tour.phone.screenshot("02-catalogue-phone-filters-open");
    tour.page("03-catalogue-search", "/catalogue?q=datos&eqf=6");
    tour.page("04-catalogue-spec", &format!("/catalogue/{SPEC}"));
    tour.page("05-agreements", "/agreements");
    tour.desktop.goto(&format!("{base}/agreements?lang=en"));
    let agreement = tour.desktop.find("main a[href^='/agreements/']").attribute("href").unwrap();
    let agreement = agreement.strip_prefix(&base).unwrap_or(&agreement).to_owned();
    tour.page("06-agreement", &agreement);
    tour.page("07-verify", "/verify");
    let credential = issue_from_cli(&env, &base, "01936a3e-0000-7000-8000-000000000003", LEARNER);
    let file = env.write("credential.json", &credential);
    tour.reach("08-verify-valid", |browser, lang| {
        browser.goto(&format!("{base}/verify?lang={lang}"));
        browser.upload("#file", Path::new(&file));
        browser.fill("#email", LEARNER);
        browser.click("#verify");
        browser.find("#verdict");
    });
    let mut tampered: serde_json::Value = serde_json::from_str(&credential).unwrap();
    tampered["credentialSubject"]["achievement"]["name"] = serde_json::json!("Doctorate in Everything");
    let tampered = env.write("tampered.json", &tampered.to_string());
    tour.reach("09-verify-tampered", |browser, lang| {
        browser.goto(&format!("{base}/verify?lang={lang}"));
        browser.upload("#file", Path::new(&tampered));
        browser.click("#verify");
        browser.find("#verdict");
    });
    tour.reach("10-verify-nothing", |browser, lang| {
        browser.goto(&format!("{base}/verify?lang={lang}"));
        browser.click("#verify");
        browser.find("#error");
    });
    tour.page("11-staff-sign-in", "/sign-in");
    tour.page("12-learner-sign-in", "/learner/sign-in");
    // The page a learner's sign-in link opens (it signs in only when its button is pressed).
    tour.desktop.goto(&format!("{base}/learner/sign-in?lang=en"));
    tour.desktop.fill("#email", LEARNER);
    tour.desktop.click("#send-link");
    tour.desktop.wait_for_text("#sent", "sign-in link");
    tour.page("12b-learner-link", &server.sign_in_link_path());
    tour.page("12c-not-found", "/catalogue/01936a3e-0000-7000-8000-0000000000ff");

    // The registrar's.
    for browser in [&tour.desktop, &tour.phone] {
        sign_in_staff(browser, &base, "staff@valdeoliva.example", "en", "Sign out");
    }
    tour.page("13-issuer", "/issuer");
    tour.page("14-spec-new", "/issuer/specs/new");
    tour.page("15-spec-admin", &format!("/issuer/specs/{SPEC}"));
    tour.page("16-spec-edit", &format!("/issuer/specs/{SPEC}/edit"));
    tour.page("17-issue", &format!("/issuer/issue?spec={SPEC}"));
    tour.page("06b-agreement-as-party", &agreement);
    // A specification that does not meet every framework: publishing asks first.
    tour.desktop.goto(&format!("{base}/issuer/specs/new/document?lang=en"));
    tour.desktop.fill(
        "#document",
        r#"{"awarding_bodies": ["valdeoliva"], "languages": ["en"], "title": {"en": "Olive grove management"},
        "description": {"en": "Sustainable olive growing."},
        "learning_outcomes": [{"text": {"en": "Plan the pruning of an olive grove"}}],
        "workload": {"ects": 5, "hours": 125}, "eqf_level": 5,
        "assessment": {"kind": "summative", "methods": ["practical"]},
        "participation": "blended", "quality_assurance": {"internal": true}}"#,
    );
    tour.desktop.click("#save");
    tour.desktop.wait_for_text("#publication", "Draft");
    let olive = tour.desktop.url().strip_prefix(&base).unwrap().split('?').next().unwrap().to_owned();
    tour.reach("15b-publish-asks", |browser, lang| {
        browser.goto(&format!("{base}{olive}?lang={lang}"));
        browser.click("#publish");
        browser.find("#confirm-publish");
    });
    // A new description saved with its title only: kept as a draft, with what is missing.
    tour.reach("16b-spec-draft-problems", |browser, lang| {
        browser.goto(&format!("{base}/issuer/specs/new?lang={lang}"));
        browser.fill(&format!("#title-{lang}"), "Open data for town halls");
        browser.click("#save");
        browser.find("#problems");
    });
    tour.desktop.goto(&format!("{base}/issuer/issue?spec={SPEC}&lang=en"));
    tour.desktop.fill("#learner", LEARNER);
    tour.desktop.click("#issue");
    tour.desktop.wait_for_text("#state", "Active");
    tour.desktop.wait_for_text("#notice", "Issued.");
    let credential_path = tour.desktop.url().strip_prefix(&base).unwrap().split('?').next().unwrap().to_owned();
    tour.page("18-issued", &credential_path);
    tour.page("19-confirm-revoke", &format!("{credential_path}/revoke"));
    let csv = env.write(
        "cohort.csv",
        "name,email,grade\nAna Pérez,ana.perez@example.org,A\n,not-an-address,\nLauri Koski,lauri.koski@example.org,B\n",
    );
    tour.desktop.goto(&format!("{base}/issuer?lang=en"));
    tour.desktop.upload("#cohort-file", Path::new(&csv));
    tour.desktop.click("#upload");
    tour.desktop.wait_for_text("#job-state", "Finished");
    let job = tour.desktop.url().strip_prefix(&base).unwrap().split('?').next().unwrap().to_owned();
    tour.page("20-cohort-done", &job);
    tour.desktop.goto(&format!("{base}/issuer?lang=en&q=ANA.PEREZ&state=active"));
    tour.desktop.wait_for_text("#credentials-total", "Credentials found: 1");
    assert!(tour.desktop.find("#credentials tbody").text().contains("Ana Pérez"));
    tour.page("20b-issuer-search", "/issuer?q=koski#credentials");

    // The learner's.
    for browser in [&tour.desktop, &tour.phone] {
        crate::browser::sign_in_as_learner(browser, &server, &base, LEARNER);
    }
    tour.page("21-learner", "/learner");
    let id = credential_path.rsplit('/').next().unwrap().split('?').next().unwrap().to_owned();
    // The learner asks another university to recognise it.
    tour.desktop.goto(&format!("{base}/learner?lang=en"));
    tour.desktop.click(&format!("#credential-{id} details.ask summary"));
    tour.desktop.execute(&format!("document.querySelector('#ask-{id}').value = 'roccalba'"));
    tour.desktop.fill(&format!("#note-{id}"), "For the statistics course of my degree");
    tour.desktop.click(&format!("#credential-{id} button.ask-recognition"));
    tour.desktop.wait_for_text("#recognition", "Waiting for an answer");
    tour.page("21b-learner-asked", "/learner#recognition");
    tour.desktop.goto(&format!("{base}/learner?lang=en"));
    tour.desktop.click(&format!("#credential-{id} button.share"));
    let link = tour.desktop.find(&format!("#credential-{id} a.share-link")).attribute("href").unwrap();
    let shared = link[link.find("/c/").unwrap()..].to_owned();
    tour.page("22-shared", &shared);
    tour.page("22c-verify-share-link", &format!("/verify?url={}", crate::support::encode(&link)));

    // The registrar revokes; the recognition officer and the network's administrator.
    for browser in [&tour.desktop, &tour.phone] {
        sign_in_staff(browser, &base, "staff@valdeoliva.example", "en", "Sign out");
    }
    tour.desktop.goto(&format!("{base}{credential_path}/revoke?lang=en"));
    tour.desktop.fill("#reason", "awarded by mistake");
    tour.desktop.click("#confirm");
    tour.desktop.wait_for_text("#state", "Revoked since");
    tour.desktop.wait_for_text("#notice", "Revoked.");
    tour.desktop.wait_for_text("#reason", "awarded by mistake");
    assert!(!tour.desktop.exists("#action-revoke"), "revoke is not offered twice");
    tour.desktop.goto(&format!("{base}{credential_path}/revoke?lang=en"));
    assert!(!tour.desktop.exists("#confirm"), "nor asked again by its address");
    tour.desktop.wait_for_text("#state", "Revoked since");
    tour.page("23-revoked", &credential_path);
    tour.page("24-shared-revoked", &shared);
    for browser in [&tour.desktop, &tour.phone] {
        sign_in_staff(browser, &base, "officer@roccalba.example", "en", "Sign out");
    }
    tour.page("25-recognition-requests", "/issuer/recognition");
    // The request for the credential revoked since is refused for that cause, in words.
    tour.desktop.goto(&format!("{base}/issuer/recognition?lang=es"));
    tour.desktop.wait_for_text("p.notice.bad", "No puede reconocerse: Revocada por");
    for browser in [&tour.desktop, &tour.phone] {
        sign_in_staff(browser, &base, "registry@network.example", "en", "Sign out");
    }
    tour.page("26-network", "/network");

    tour.finish();
    server.stop();
}

/// The accessibility check is real: on a page with an unlabelled field and a picture without
/// words, it says so.
#[test]
fn the_accessibility_check_finds_an_unlabelled_field() {
    let (Some(axe), true) = (axe_core(), Browser::available()) else {
        assert!(std::env::var_os("CI").is_none(), "CI must run the accessibility check (see .ci/run)");
        return;
    };
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../target/screenshots/tour");
    let browser = Browser::start(&dir);
    browser
        .goto("data:text/html,<!doctype html><html lang=en><title>t</title><main><input id=q><img src=x.png></main>");
    let found = browser.accessibility_violations(&axe);
    let rules: Vec<&str> = found.iter().filter(|v| v.is_serious()).map(|v| v.rule.as_str()).collect();
    assert!(rules.contains(&"label") && rules.contains(&"image-alt"), "{found:?}");
}

/// The three walks in Spanish on a phone: a registrar issues a credential to a learner new to
/// the institution, uploads a cohort and, later, revokes; the learner signs in, shares the
/// credential and asks another university to recognise it; an employer verifies the share
/// link, sees the revoked credential say so, and a tampered copy fail.
#[test]
fn the_walks_in_spanish_on_a_phone() {
    if !Browser::available() {
        assert!(std::env::var_os("CI").is_none(), "CI must run the browser tests");
        return;
    }
    let env = Env::sqlite();
    let server = Server::start(&env, &["--demo"]);
    let base = format!("http://{}", server.addr);
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../target/screenshots/walks-es-phone");
    let phone = Browser::start_with_size(&dir, 390, 844);
    let learner = "maria.lopez@learners.example";
    let staff = |phone: &Browser| sign_in_staff(phone, &base, "staff@valdeoliva.example", "es", "Cerrar sesión");

    // The registrar.
    staff(&phone);
    phone.goto(&format!("{base}/issuer/issue?spec={SPEC}&lang=es"));
    phone.fill("#learner", learner);
    phone.fill("#name", "María López");
    phone.screenshot("01-issue-to-a-new-learner");
    phone.click("#issue");
    phone.wait_for_text("#notice", "Emitida.");
    phone.wait_for_text("#state", "Activa");
    phone.wait_for_text("#learner", "María López");
    let credential_path = phone.url().strip_prefix(&base).unwrap().split('?').next().unwrap().to_owned();
    let id = credential_path.rsplit('/').next().unwrap().to_owned();
    phone.screenshot("02-issued");
    let csv = env.write("cohorte.csv", "name,email\nLucía Gómez,lucia.gomez@example.org\n,sin-arroba\n");
    phone.goto(&format!("{base}/issuer?lang=es"));
    phone.upload("#cohort-file", Path::new(&csv));
    phone.click("#upload");
    phone.wait_for_text("#job-state", "Terminado");
    phone.wait_for_text("#rejected", "Nombre: falta");
    phone.screenshot("03-cohort");

    // The learner.
    phone.goto(&format!("{base}/learner/sign-in?lang=es"));
    phone.fill("#email", learner);
    phone.click("#send-link");
    phone.wait_for_text("#sent", "enlace de acceso");
    phone.goto(&format!("{base}{}", server.sign_in_link_path()));
    phone.click("#use-link");
    phone.wait_for_text("h1", "Mis credenciales");
    phone.click(&format!("#credential-{id} button.share"));
    let link = phone.find(&format!("#credential-{id} a.share-link")).attribute("href").unwrap();
    phone.click(&format!("#credential-{id} details.ask summary"));
    phone.execute(&format!("document.querySelector('#ask-{id}').value = 'roccalba'"));
    phone.fill(&format!("#note-{id}"), "Para la asignatura de estadística de mi grado");
    phone.click(&format!("#credential-{id} button.ask-recognition"));
    phone.wait_for_text("#recognition", "Pendiente de respuesta");
    phone.screenshot("04-learner-shared-and-asked");

    // The employer verifies the share link.
    phone.goto(&format!("{base}/verify?lang=es&url={}", crate::support::encode(&link)));
    phone.wait_for_text("#verdict", "Válida");
    phone.wait_for_text("#about-title", "Alfabetización de datos");
    phone.screenshot("05-employer-verifies-link");

    // The registrar revokes it; the employer sees it revoked, and a tampered copy fail.
    staff(&phone);
    phone.goto(&format!("{base}{credential_path}?lang=es"));
    phone.click("#action-revoke");
    phone.fill("#reason", "emitida por error");
    phone.click("#confirm");
    phone.wait_for_text("#notice", "Revocada.");
    phone.wait_for_text("#state", "Revocada desde el");
    phone.screenshot("06-revoked");
    let public = &link[link.find("/c/").unwrap()..];
    phone.goto(&format!("{base}{public}?lang=es"));
    phone.wait_for_text("#state", "Revocada");
    phone.wait_for_text("#verdict", "No válida");
    phone.screenshot("07-employer-sees-revoked");
    let document = crate::support::get(server.addr, &format!("{public}/credential.json")).body;
    let mut tampered: serde_json::Value = serde_json::from_str(&document).unwrap();
    tampered["credentialSubject"]["achievement"]["name"] = serde_json::json!("Doctorado en todo");
    phone.goto(&format!("{base}/verify?lang=es"));
    phone.fill("#credential", &tampered.to_string());
    phone.click("#verify");
    phone.wait_for_text("#verdict", "No válida");
    phone.wait_for_text("#cause", "Se modificó después de firmarla");
    phone.screenshot("08-employer-tampered");
    let overflow = phone.execute("return document.documentElement.scrollWidth > window.innerWidth");
    assert_eq!(overflow, serde_json::json!(false), "nothing is wider than a phone's screen");
    server.stop();
}

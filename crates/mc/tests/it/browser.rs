//! The demo walked in a real browser (Debian's headless Chromium through chromedriver):
//! verify a valid and a tampered credential, sign in as staff, issue, let the learner share,
//! revoke, and see the public page say so; a learner asks another institution for recognition,
//! its officer accepts, and the learner receives a pathway's stacked credential. Screenshots go
//! to `target/screenshots/`.
//!
//! Skipped when Chromium is not installed, except in CI, where `.ci/run` installs it.

use std::path::PathBuf;

use mc_test_support::browser::Browser;

use crate::support::{Env, Request, Server};

fn screenshots() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../target/screenshots")
}

fn browser_or_skip() -> Option<Browser> {
    if Browser::available() {
        return Some(Browser::start(&screenshots()));
    }
    assert!(std::env::var_os("CI").is_none(), "CI must run the browser tests: install chromium and chromium-driver");
    eprintln!("skipped: Chromium or chromedriver is not installed");
    None
}

/// Signs a demo staff account in, on the sign-in page in `lang`, and waits until its page
/// says who is signed in (with the words for signing out in `sign_out`).
pub(crate) fn sign_in_staff(browser: &Browser, base: &str, email: &str, lang: &str, sign_out: &str) {
    browser.goto(&format!("{base}/sign-in?lang={lang}"));
    browser.fill("#email", email);
    browser.fill("#password", "microcred-demo");
    browser.click("#sign-in");
    browser.wait_for_text("header .who", sign_out);
}

/// Signs the demo's Valdeoliva staff account in, in English.
fn sign_in_as_valdeoliva_staff(browser: &Browser, base: &str) {
    sign_in_staff(browser, base, "staff@valdeoliva.example", "en", "Sign out");
    browser.wait_for_text("h1", "Issuer space");
}

/// A credential of `spec` issued to `learner` from the command line, told where the server at
/// `base` publishes its status lists.
pub(crate) fn issue_from_cli(env: &Env, base: &str, spec: &str, learner: &str) -> String {
    let issued = env
        .command(&["issue", "--spec", spec, "--learner", learner])
        .env("MICROCRED_PUBLIC_URL", base)
        .output()
        .unwrap();
    assert!(issued.status.success(), "{}", String::from_utf8_lossy(&issued.stderr));
    String::from_utf8(issued.stdout).unwrap()
}

#[test]
fn walk_the_demo_in_a_browser() {
    let Some(browser) = browser_or_skip() else { return };
    let env = Env::sqlite();
    let server = Server::start(&env, &["--demo"]);
    let base = format!("http://{}", server.addr);
    let learner = "aino.virtanen@learners.example";

    // A credential issued from the command line, told where the server publishes its status
    // lists, verified as a file upload...
    let credential = issue_from_cli(&env, &base, "01936a3e-0000-7000-8000-000000000003", learner);
    let file = env.write("credential.json", &credential);
    browser.goto(&format!("{base}/verify?lang=en"));
    browser.upload("#file", std::path::Path::new(&file));
    browser.click("#verify");
    browser.wait_for_text("#verdict", "Valid");
    assert!(browser.exists("li.check.good[data-check=proof]"));
    browser.screenshot("01-verify-valid");

    // ...and, tampered with, pasted.
    let mut tampered: serde_json::Value = serde_json::from_str(&credential).unwrap();
    tampered["credentialSubject"]["achievement"]["name"] = serde_json::json!("Doctorate in Everything");
    browser.goto(&format!("{base}/verify"));
    browser.fill("#credential", &tampered.to_string());
    browser.click("#verify");
    browser.wait_for_text("#verdict", "Not valid");
    assert!(browser.exists("li.check.bad[data-check=proof]"), "the signature check is red");
    browser.screenshot("02-verify-tampered");

    // An employer, in Spanish on a phone, checks that it is the candidate's by their email.
    let phone = Browser::start_with_size(&screenshots(), 390, 844);
    phone.goto(&format!("{base}/verify?lang=es"));
    phone.upload("#file", std::path::Path::new(&file));
    phone.fill("#email", learner);
    phone.click("#verify");
    phone.wait_for_text("#verdict", "Válida");
    phone.wait_for_text("#about-owner", &format!("emitida a {learner}"));
    phone.wait_for_text("#about-learner", "no figura en la credencial");
    let overflow = phone.execute("return document.documentElement.scrollWidth > window.innerWidth");
    assert_eq!(overflow, serde_json::json!(false), "nothing is wider than a phone's screen");
    phone.screenshot("02b-verify-owner-phone-es");
    phone.goto(&format!("{base}/verify?lang=es"));
    phone.click("#verify");
    phone.wait_for_text("#error", "Indique una credencial");
    phone.screenshot("02c-verify-nothing-phone-es");

    // Staff sign in and issue.
    sign_in_as_valdeoliva_staff(&browser, &base);
    browser.screenshot("03-issuer-space");
    browser.click("a[href='/issuer/issue?spec=01936a3e-0000-7000-8000-000000000001']");
    browser.fill("#learner", learner);
    browser.click("#issue");
    browser.wait_for_text("#state", "Active");
    let credential_url = browser.url();
    let id = credential_url.rsplit('/').next().unwrap().split('?').next().unwrap().to_owned();
    browser.screenshot("04-issued");

    // A cohort uploaded as CSV, watched until done (the page refreshes itself while it runs).
    let csv = env.write(
        "cohort.csv",
        "name,email,grade\nAna Pérez,ana.perez@example.org,A\n,not-an-address,\nLauri Koski,lauri.koski@example.org,B\n",
    );
    browser.goto(&format!("{base}/issuer"));
    browser.upload("#cohort-file", std::path::Path::new(&csv));
    browser.click("#upload");
    browser.wait_for_text("#job-state", "Finished");
    assert_eq!(browser.find("#job-issued").text(), "2");
    assert!(browser.page_source().contains("not-an-address"), "the rejected row is shown with its reason");
    browser.wait_for_text("#rejected", "Name: missing");
    assert_eq!(browser.find("#rejected td").text(), "3", "the row as a spreadsheet numbers it, the header being 1");
    browser.screenshot("05-cohort-done");

    // The learner signs in with the one-time link and shares it.
    sign_in_as_learner(&browser, &server, &base, learner);
    browser.click(&format!("#credential-{id} button.share"));
    let link = browser.find(&format!("#credential-{id} a.share-link")).attribute("href").unwrap();
    browser.screenshot("06-learner-space");
    let public_path = link[link.find("/c/").unwrap()..].to_owned();

    // Staff revoke it, confirming first.
    sign_in_as_valdeoliva_staff(&browser, &base);
    browser.goto(&credential_url);
    browser.click("#action-revoke");
    browser.wait_for_text("h1", "Please confirm");
    browser.fill("#reason", "awarded by mistake");
    browser.screenshot("07-confirm-revoke");
    browser.click("#confirm");
    browser.wait_for_text("#state", "Revoked");

    // The public page says so, and its verification fails on the status check.
    browser.goto(&format!("{base}{public_path}"));
    browser.wait_for_text("#state", "Revoked");
    browser.wait_for_text("#verdict", "Not valid");
    assert!(browser.exists("li.check.bad[data-check=status]"), "the status check is red");
    browser.screenshot("08-public-revoked");
    browser.goto(&format!("{base}{public_path}?lang=es"));
    browser.wait_for_text("#state", "Revocada");
    drop(browser);

    // The same page on a phone.
    let phone = Browser::start_with_size(&screenshots(), 390, 844);
    phone.goto(&format!("{base}{public_path}"));
    phone.wait_for_text("#state", "Revoked");
    let overflow = phone.execute("return document.documentElement.scrollWidth > window.innerWidth");
    assert_eq!(overflow, serde_json::json!(false), "nothing is wider than a phone's screen");
    phone.screenshot("09-public-phone");
    server.stop();
}

#[test]
fn hostile_text_stays_inert_in_a_browser() {
    let Some(browser) = browser_or_skip() else { return };
    let env = Env::sqlite();
    env.ok(&["demo"]);
    let mut spec: serde_json::Value =
        serde_json::from_str(&env.ok(&["spec", "show", "01936a3e-0000-7000-8000-000000000001", "--json"])).unwrap();
    spec["id"] = serde_json::json!("01936a3e-0000-7000-8000-0000000000cc");
    spec["title"] =
        serde_json::json!({"es": "<script>window.__xss=1</script>X", "en": "<script>window.__xss=1</script>X"});
    spec["description"] = serde_json::json!({"en": "<svg onload=\"window.__xss=2\"></svg><img src=x onerror=\"window.__xss=3\">", "es": "x"});
    let file = env.write("spec.json", &spec.to_string());
    env.ok(&["spec", "add", &file, "--publish"]);
    let token = env.ok(&["token", "create", "--institution", "valdeoliva", "--role", "issuer"]).trim().to_owned();
    let server = Server::start(&env, &[]);
    let issued = crate::support::Request::new(server.addr, "POST", "/api/v1/credentials/issue")
        .token(&token)
        .json(&serde_json::json!({"spec": "01936a3e-0000-7000-8000-0000000000cc", "learner": "aino.virtanen@learners.example", "name": "Aino Virtanen"}));
    assert_eq!(issued.status, 201, "{}", issued.body);
    let base = format!("http://{}", server.addr);
    sign_in_as_learner(&browser, &server, &base, "aino.virtanen@learners.example");
    browser.click("button.share");
    let link = browser.find("a.share-link").attribute("href").unwrap();
    browser.goto(&format!("{base}{}", &link[link.find("/c/").unwrap()..]));
    browser.wait_for_text("#title", "<script>window.__xss=1</script>X");
    assert_eq!(browser.execute("return typeof window.__xss"), serde_json::json!("undefined"), "no payload ran");
    assert!(!browser.exists("main svg") && !browser.exists("main img"), "the payload made no elements");
    browser.screenshot("10-hostile-text");
    server.stop();
}

#[test]
fn search_the_catalogue_and_publish_a_specification_in_a_browser() {
    let Some(browser) = browser_or_skip() else { return };
    let env = Env::sqlite();
    let server = Server::start(&env, &["--demo"]);
    let base = format!("http://{}", server.addr);

    // A search in Spanish, without accents, narrowed by a facet, then one specification.
    browser.goto(&format!("{base}/catalogue?lang=es"));
    browser.fill("#q", "gestion sostenible");
    browser.click("#search");
    browser.wait_for_text("#total", "1 microcredenciales encontradas");
    browser.screenshot("10-catalogue-search");
    browser.goto(&format!("{base}/catalogue"));
    browser.click("a[href='/catalogue?country=DE']");
    browser.wait_for_text("ul.active-filters", "Alemania");
    assert!(browser.find_all("ul.specs > li").len() >= 2, "the German specifications");
    // New search words keep the filter chosen.
    let german = browser.find_all("ul.specs > li").len();
    browser.fill("#q", "a");
    browser.click("#search");
    browser.wait_for_text("ul.active-filters", "Alemania");
    assert!(browser.url().contains("country=DE"), "{}", browser.url());
    assert!(browser.find_all("ul.specs > li").len() <= german);
    browser.click("ul.specs > li h2 a");
    browser.wait_for_text("#quality", "Marco Común de Microcredenciales");
    browser.screenshot("11-catalogue-specification");

    // Staff write a specification, see its report, and can publish it once it has no errors.
    sign_in_as_valdeoliva_staff(&browser, &base);
    // As a document (import), the form's other way in.
    browser.goto(&format!("{base}/issuer/specs/new/document"));
    let document = r#"{"awarding_bodies": ["valdeoliva"], "languages": ["en"],
  "title": {"en": "Olive grove management"},
  "learning_outcomes": [{"text": {"en": "Plan the pruning of an olive grove"}}],
  "workload": {"ects": 5, "hours": 125}, "eqf_level": 5,
  "assessment": {"kind": "summative", "methods": ["practical"]},
  "participation": "blended", "quality_assurance": {"internal": true}}"#;
    browser.fill("#document", document);
    browser.click("#check");
    browser.wait_for_text("#message", "Checked, not saved.");
    assert!(browser.page_source().contains("ob3.achievement-description"));
    browser.screenshot("12-editor-report");
    browser.click("#save");
    browser.wait_for_text("#publication", "Draft");
    assert!(browser.find("#publish").attribute("disabled").is_some(), "no publishing while errors remain");
    browser.screenshot("13-draft-with-errors");
    let admin = browser.url();
    browser.goto(&format!("{}/document", admin.split('?').next().unwrap()));
    let mended = document.replace(
        "\"learning_outcomes\"",
        "\"description\": {\"en\": \"Sustainable olive growing.\"}, \"learning_outcomes\"",
    );
    browser.fill("#document", &mended);
    browser.click("#save");
    browser.wait_for_text("#publication", "Draft");
    browser.click("#publish");
    browser.wait_for_text("#confirm-publish", "does not meet these quality frameworks");
    browser.click("#publish-anyway");
    browser.wait_for_text("#publication", "Published");
    browser.screenshot("14-published");
    browser.goto(&format!("{base}/catalogue?q=olive"));
    browser.wait_for_text("#total", "1 micro-credentials found");
    server.stop();
}

/// A European Digital Credential in a browser: staff issue an award in both formats from the
/// issue form, the learner shares it, and the public page (desktop and phone, English and
/// Spanish) shows its format and offers the sealed EDC, which the verify page finds valid and
/// sealed by the institution's test seal.
#[test]
fn a_european_digital_credential_in_a_browser() {
    let Some(browser) = browser_or_skip() else { return };
    let env = Env::sqlite();
    let server = Server::start(&env, &["--demo"]);
    let base = format!("http://{}", server.addr);
    let learner = "aino.virtanen@learners.example";

    sign_in_as_valdeoliva_staff(&browser, &base);
    browser.goto(&format!("{base}/issuer/issue?spec=01936a3e-0000-7000-8000-000000000003"));
    browser.fill("#learner", learner);
    browser.execute("document.querySelector('#format').value = 'both'");
    browser.screenshot("15-issue-both-formats");
    browser.click("#issue");
    browser.wait_for_text("#format", "Open Badge and European Digital Credential");
    let id = browser.url().rsplit('/').next().unwrap().split('?').next().unwrap().to_owned();
    browser.screenshot("16-issued-both-formats");

    sign_in_as_learner(&browser, &server, &base, learner);
    assert!(browser.exists(&format!("#credential-{id} a[href$='credential.edc.json']")), "the EDC is offered");
    browser.click(&format!("#credential-{id} button.share"));
    let link = browser.find(&format!("#credential-{id} a.share-link")).attribute("href").unwrap();
    browser.screenshot("17-learner-space-edc");
    let public_path = link[link.find("/c/").unwrap()..].to_owned();

    browser.goto(&format!("{base}{public_path}?lang=es"));
    browser.wait_for_text("#format", "Open Badge y Credencial Digital Europea");
    assert!(browser.exists("#download-edc") && browser.exists("#download-badge"));
    browser.screenshot("18-public-edc-es");

    // The sealed EDC, pasted into the verify page: valid, sealed by the test seal.
    let sealed = serde_json::to_string(
        &env.command(&["credential", "show", &id])
            .output()
            .map(|out| {
                serde_json::from_slice::<serde_json::Value>(&out.stdout).unwrap()["european_digital_credential"].clone()
            })
            .unwrap(),
    )
    .unwrap();
    browser.goto(&format!("{base}/verify?lang=en"));
    // Pasted at once: typed key by key, 20 KB would take a minute.
    let paste = format!("document.querySelector('#credential').value = {}", serde_json::to_string(&sealed).unwrap());
    browser.execute(&paste);
    browser.click("#verify");
    browser.wait_for_text("#verdict", "Valid");
    assert!(browser.find("#sealed-by").text().contains("(TEST SEAL)"), "the test seal is named");
    assert!(browser.exists("#test-seal"), "and said to be one");
    browser.screenshot("19-verify-edc");
    drop(browser);

    let phone = Browser::start_with_size(&screenshots(), 390, 844);
    phone.goto(&format!("{base}{public_path}"));
    phone.wait_for_text("#format", "Open Badge and European Digital Credential");
    let overflow = phone.execute("return document.documentElement.scrollWidth > window.innerWidth");
    assert_eq!(overflow, serde_json::json!(false), "nothing is wider than a phone's screen");
    phone.screenshot("20-public-edc-phone");
    server.stop();
}

/// The catalogue page of a specification says where it is recognised, on a desktop and a phone.
#[test]
fn the_catalogue_page_says_where_a_specification_is_recognised() {
    let Some(browser) = browser_or_skip() else { return };
    let env = Env::sqlite();
    let server = Server::start(&env, &["--demo"]);
    let page = format!("http://{}/catalogue/01936a3e-0000-7000-8000-000000000001", server.addr);
    browser.goto(&format!("{page}?lang=en"));
    browser.wait_for_text(
        "#recognitions",
        "Counts as the course STAT-1 Basic statistics (5 ECTS) at University of Roccalba",
    );
    browser.execute("document.querySelector('#recognitions').scrollIntoView()");
    browser.screenshot("21-catalogue-recognised");
    browser.click("#recognitions a");
    browser.wait_for_text("#state", "In force: signed by every party");
    browser.screenshot("23-agreement");
    drop(browser);
    let phone = Browser::start_with_size(&screenshots(), 390, 844);
    phone.goto(&format!("{page}?lang=es"));
    phone.wait_for_text("#recognitions", "Cuenta como la asignatura STAT-1");
    let overflow = phone.execute("return document.documentElement.scrollWidth > window.innerWidth");
    assert_eq!(overflow, serde_json::json!(false), "nothing is wider than a phone's screen");
    phone.execute("document.querySelector('#recognitions').scrollIntoView()");
    phone.screenshot("22-catalogue-recognised-phone");
    server.stop();
}

/// Signs a learner in through the one-time link the server logs.
pub(crate) fn sign_in_as_learner(browser: &Browser, server: &Server, base: &str, email: &str) {
    browser.goto(&format!("{base}/learner/sign-in?lang=en"));
    browser.fill("#email", email);
    browser.click("#send-link");
    browser.wait_for_text("#sent", "sign-in link");
    browser.goto(&format!("{base}{}", server.sign_in_link_path()));
    browser.click("#use-link");
    browser.wait_for_text("h1", "My credentials");
}

/// End to end in a browser: a learner of Valdeoliva asks Roccalba to recognise a
/// micro-credential; Roccalba's recognition officer sees the proposal and accepts it; the
/// learner sees the answer, and the decision credential verifies on the verify page. A pathway
/// the learner completed gives them its stacked credential, which verifies too.
#[test]
fn recognition_and_a_pathway_in_a_browser() {
    let Some(browser) = browser_or_skip() else { return };
    let env = Env::sqlite();
    let server = Server::start(&env, &["--demo"]);
    let base = format!("http://{}", server.addr);
    let learner = "jose.martinez@learners.example";

    sign_in_as_learner(&browser, &server, &base, learner);
    let card = browser.execute("return document.querySelector('article[id^=credential-]').id");
    let id = card.as_str().unwrap().trim_start_matches("credential-").to_owned();
    browser.click(&format!("#credential-{id} details.ask summary"));
    browser.execute(&format!("document.querySelector('#ask-{id}').value = 'roccalba'"));
    browser.fill(&format!("#note-{id}"), "For the statistics course of my degree");
    browser.click(&format!("#credential-{id} button.ask-recognition"));
    browser.wait_for_text("#recognition", "Waiting for an answer");
    browser.execute("document.querySelector('#recognition').scrollIntoView()");
    browser.screenshot("24-learner-asks-recognition");

    browser.goto(&format!("{base}/sign-in?lang=en"));
    browser.fill("#email", "officer@roccalba.example");
    browser.fill("#password", "microcred-demo");
    browser.click("#sign-in");
    browser.wait_for_text("#recognition-requests", "Recognition requests");
    browser.click("#recognition-requests");
    browser.wait_for_text("#pending", "the course STAT-1 Basic statistics (5 ECTS)");
    assert!(browser.page_source().contains("For the statistics course of my degree"), "the learner's note");
    browser.screenshot("25-officer-sees-proposal");
    browser.goto(&format!("{base}/issuer/recognition?lang=es"));
    browser.wait_for_text("#pending", "la asignatura STAT-1");
    assert!(browser.page_source().contains("Nivel MEC: se cumple"), "each condition tried, in words");
    browser.screenshot("25b-officer-sees-proposal-es");
    browser.goto(&format!("{base}/issuer/recognition?lang=en"));
    browser.click("button.accept-proposal");
    browser.wait_for_text("#answered", "Recognised");
    browser.screenshot("26-officer-accepted");

    sign_in_as_learner(&browser, &server, &base, learner);
    browser.wait_for_text("#recognition", "Recognised");
    browser.wait_for_text("#pathway-valdeoliva-public-management", "Complete");
    browser.click("#pathway-valdeoliva-public-management button.claim");
    browser.wait_for_text("#pathway-valdeoliva-public-management", "Issued on");
    browser.execute("document.querySelector('#pathways').scrollIntoView()");
    browser.screenshot("27-learner-pathways");
    // The files the learner downloads, fetched with their session.
    let session = format!("mc_session={}", browser.cookie("mc_session").expect("the learner's session"));
    let fetch = |css: &str| {
        let href = browser.find(css).attribute("href").unwrap();
        let path = href.strip_prefix(&base).unwrap_or(&href);
        let answer = Request::new(server.addr, "GET", path).header("Cookie", &session).send();
        assert_eq!(answer.status, 200, "{}", answer.body);
        answer.body
    };
    let decision = fetch("#recognition a.decision");
    let stacked = fetch("#pathway-valdeoliva-public-management a.stacked");
    assert!(stacked.contains("hasPart"), "{stacked}");
    for (credential, shot) in [(decision, "28-verify-decision"), (stacked, "29-verify-stacked")] {
        browser.goto(&format!("{base}/verify?lang=en"));
        browser.fill("#credential", &credential);
        browser.click("#verify");
        browser.wait_for_text("#verdict", "Valid");
        browser.screenshot(shot);
    }
    drop(browser);

    let phone = Browser::start_with_size(&screenshots(), 390, 844);
    sign_in_as_learner(&phone, &server, &base, learner);
    let overflow = phone.execute("return document.documentElement.scrollWidth > window.innerWidth");
    assert_eq!(overflow, serde_json::json!(false), "nothing is wider than a phone's screen");
    phone.execute("document.querySelector('#pathways').scrollIntoView()");
    phone.screenshot("30-learner-pathways-phone");
    phone.goto(&format!("{base}/learner?lang=es"));
    phone.wait_for_text("h1", "Mis credenciales");
    phone.screenshot("30b-learner-space-phone-es");
    phone.execute("document.querySelector('#pathways').scrollIntoView()");
    phone.screenshot("30c-learner-pathways-phone-es");
    phone.execute("document.querySelector('#recognition').scrollIntoView()");
    phone.screenshot("30d-learner-recognition-phone-es");
    server.stop();
}

/// A learner shares two credentials behind one link in a browser; the link's page shows both
/// verified, on a desktop and a phone; once withdrawn, or once expired, it shows nothing.
#[test]
fn share_a_selection_in_a_browser() {
    let Some(browser) = browser_or_skip() else { return };
    let env = Env::sqlite();
    let server = Server::start(&env, &["--demo"]);
    let base = format!("http://{}", server.addr);
    sign_in_as_learner(&browser, &server, &base, "jose.martinez@learners.example");
    let share_both = || {
        for checkbox in browser.find_all("input.choose") {
            checkbox.click();
        }
        browser.click("#share-selected");
        browser.wait_for_text("#links", "Share on LinkedIn");
        let links = browser.find_all("#links li.live a.share-link");
        links.last().unwrap().attribute("href").unwrap()
    };
    let link = share_both();
    browser.execute("document.querySelector('#sharing').scrollIntoView()");
    browser.screenshot("31-learner-shares-two");
    let path = link[link.find("/c/").unwrap()..].to_owned();
    browser.goto(&format!("{base}{path}?lang=en"));
    browser.wait_for_text("#item-2 .verdict", "Valid");
    assert_eq!(browser.find("#item-1 .verdict").text(), "Valid");
    browser.screenshot("32-shared-selection");
    let phone = Browser::start_with_size(&screenshots(), 390, 844);
    phone.goto(&format!("{base}{path}?lang=es"));
    phone.wait_for_text("#item-2 .verdict", "Válida");
    let overflow = phone.execute("return document.documentElement.scrollWidth > window.innerWidth");
    assert_eq!(overflow, serde_json::json!(false), "nothing is wider than a phone's screen");
    phone.screenshot("33-shared-selection-phone");
    drop(phone);

    // Withdrawn, the link shows nothing.
    browser.goto(&format!("{base}/learner?lang=en"));
    let id = path.trim_start_matches("/c/");
    browser.click(&format!("#link-{id} button.withdraw"));
    browser.wait_for_text(&format!("#link-{id}"), "withdrawn on");
    browser.goto(&format!("{base}{path}?lang=en"));
    browser.wait_for_text("#error", "does not exist or has expired");

    // Expired, too.
    browser.goto(&format!("{base}/learner?lang=en"));
    let other = share_both();
    let other = other[other.find("/c/").unwrap()..].to_owned();
    env.tamper(&format!("UPDATE share_links SET expires_at = 1 WHERE id = '{}'", other.trim_start_matches("/c/")));
    browser.goto(&format!("{base}{other}?lang=en"));
    browser.wait_for_text("#error", "does not exist or has expired");
    server.stop();
}

/// A registrar describes a micro-credential with the form, in Spanish and English: texts in a
/// tab per language, an outcome's skill picked by its words, level and field as choices; a
/// draft that does not read as a specification yet is kept with its problems; once complete
/// it is saved, its report beside it, and publishing asks first when a framework is not met.
#[test]
fn describe_a_micro_credential_with_the_form() {
    let Some(browser) = browser_or_skip() else { return };
    let env = Env::sqlite();
    // The operator imported ESCO's skills with their Spanish names (a few rows of its file).
    let esco = env.write(
        "skills_es.csv",
        "conceptType,conceptUri,skillType,reuseLevel,preferredLabel,altLabels\n\
         KnowledgeSkillCompetence,http://data.europa.eu/esco/skill/382c11ed-20d5-4ae7-b60e-15fec527fa6c,skill/competence,sector-specific,aplicar técnicas de análisis estadístico,\"análisis\nestadístico\"\n\
         KnowledgeSkillCompetence,http://data.europa.eu/esco/skill/1973c966-f236-40c9-b2d4-5d71a89019be,skill/competence,cross-sector,utilizar software de hojas de cálculo,\n",
    );
    env.ok(&["init"]);
    let imported = env.ok(&["skills", "import", &esco, "--language", "es"]);
    assert!(imported.contains("imported 2 skills"), "{imported}");
    let server = Server::start(&env, &["--demo"]);
    let base = format!("http://{}", server.addr);
    sign_in_as_valdeoliva_staff(&browser, &base);
    browser.goto(&format!("{base}/issuer/specs/new?lang=es"));
    browser.wait_for_text("h1", "Nueva");
    browser.screenshot("40-form-new-es");

    // A title only, saved: kept as an unfinished draft, with what is missing said in words.
    browser.fill("#title-es", "Análisis de datos abiertos municipales");
    browser.click("#save");
    browser.wait_for_text("#message", "borrador sin terminar");
    browser.wait_for_text("#problems", "Resultado de aprendizaje 1, texto");
    let id = browser.find("input[name=id]").attribute("value").unwrap();
    assert!(!id.is_empty(), "the draft has its id");
    browser.goto(&format!("{base}/issuer?lang=es"));
    browser.wait_for_text("#drafts", "Análisis de datos abiertos municipales");
    browser.click(&format!("#drafts a[href='/issuer/specs/{id}/edit']"));
    assert_eq!(browser.find("#title-es").attribute("value").as_deref(), Some("Análisis de datos abiertos municipales"));

    // The rest, with an outcome whose skill is found by its words.
    browser.fill("#description-es", "Curso en línea para el personal municipal que publica y analiza datos abiertos.");
    browser.fill("#outcome-0-text-es", "Analizar conjuntos de datos abiertos con una hoja de cálculo.");
    browser.fill("#outcome-0-find", "Análisis estadístico");
    browser.click("#find-skill-0");
    browser.wait_for_text("ul.found-skills", "aplicar técnicas de análisis estadístico");
    browser.screenshot("41a-form-skill-found-es");
    browser.click("ul.found-skills button.pick-skill");
    browser.wait_for_text("#outcome-0 .skill-chosen", "aplicar técnicas de análisis estadístico");
    browser.click("#check");
    browser.wait_for_text("#message", "Comprobado, sin guardar.");
    browser.wait_for_text("#quality", "Marco Común de Microcredenciales");
    browser.fill("#ects", "3");
    browser.fill("#hours", "75");
    browser.execute("document.querySelector('#eqf_level').value = '5'");
    browser.execute("document.querySelector('#isced_f').value = '0542'");
    browser.execute("document.querySelector('#participation').value = 'online'");
    browser.execute("document.querySelector('#assessment_kind').value = 'summative'");
    browser.click("input[name=assessment_methods][value=project]");
    // English added, its texts in their tab: the Spanish ones ride along.
    browser.execute("document.querySelector('#new_language').value = 'en'");
    browser.click("#add-language");
    browser.wait_for_text("#tab-en", "Inglés");
    assert_eq!(browser.find("#tab-en").attribute("aria-current").as_deref(), Some("true"));
    browser.fill("#title-en", "Analysis of municipal open data");
    browser.screenshot("41-form-english-tab-es");
    browser.click("#save");
    browser.wait_for_text("#notice", "Guardada");
    browser.wait_for_text("h1", "Análisis de datos abiertos municipales");
    assert!(browser.page_source().contains("aplicar técnicas de análisis estadístico"), "the skill by its name");
    assert!(browser.page_source().contains("http://data.europa.eu/esco/skill/382c11ed"), "linked to ESCO");
    browser.screenshot("42-form-saved-es");
    browser.goto(&format!("{base}/issuer?lang=es"));
    assert!(!browser.exists("#drafts"), "saved as a specification, the draft is gone");
    browser.goto(&format!("{base}/issuer/specs/{id}?lang=es"));

    // Not every framework is met: publishing asks first.
    browser.click("#publish");
    browser.wait_for_text("#confirm-publish", "no cumple");
    browser.screenshot("43-publish-asks-es");
    browser.click("#publish-anyway");
    browser.wait_for_text("#publication", "Publicada");
    browser.wait_for_text("#notice", "Publicada");
    drop(browser);

    // The form on a phone, in English: nothing wider than the screen.
    let phone = Browser::start_with_size(&screenshots(), 390, 844);
    sign_in_as_valdeoliva_staff(&phone, &base);
    phone.goto(&format!("{base}/issuer/specs/{id}/edit?lang=en"));
    phone.wait_for_text("#tab-en", "English");
    let overflow = phone.execute("return document.documentElement.scrollWidth > window.innerWidth");
    assert_eq!(overflow, serde_json::json!(false), "nothing is wider than a phone's screen");
    phone.screenshot("44-form-phone-en");
    server.stop();
}

/// A learner adds a credential to their wallet from the learner space: the page shows a QR code
/// and the transaction code; the QR code, read from a screenshot with ZBar, is the offer, which a
/// wallet takes with that code.
#[test]
fn a_learner_adds_a_credential_to_a_wallet_by_its_qr_code() {
    let Some(browser) = browser_or_skip() else { return };
    let env = Env::sqlite();
    let server = Server::start(&env, &["--demo"]);
    let base = format!("http://{}", server.addr);
    let learner = "aino.virtanen@learners.example";
    let credential: serde_json::Value =
        serde_json::from_str(&issue_from_cli(&env, &base, "01936a3e-0000-7000-8000-000000000003", learner)).unwrap();
    let id = credential["id"].as_str().unwrap().trim_start_matches("urn:uuid:").to_owned();

    sign_in_as_learner(&browser, &server, &base, learner);
    browser.click(&format!("#credential-{id} button.wallet"));
    browser.wait_for_text("h1", "Add the credential to your wallet");
    let link = browser.find("#wallet-link").attribute("href").unwrap();
    let tx_code = browser.find("#tx-code").text();
    assert_eq!(tx_code.len(), 6, "{tx_code}");
    let shot = browser.screenshot("22-wallet-offer");
    if let Some(axe) = mc_test_support::browser::axe_core() {
        let serious: Vec<_> = browser.accessibility_violations(&axe).into_iter().filter(|v| v.is_serious()).collect();
        assert!(serious.is_empty(), "{serious:#?}");
    }
    // On a phone, in Spanish: another offer.
    let phone = Browser::start_with_size(&screenshots(), 390, 844);
    sign_in_as_learner(&phone, &server, &base, learner);
    phone.goto(&format!("{base}/learner?lang=es"));
    phone.click(&format!("#credential-{id} button.wallet"));
    phone.wait_for_text("h1", "Añada la credencial a su cartera");
    assert_ne!(phone.find("#tx-code").text(), "", "a code on the phone too");
    phone.screenshot("22b-wallet-offer-phone-es");

    let Ok(read) = std::process::Command::new("zbarimg").args(["--raw", "-q"]).arg(&shot).output() else {
        assert!(std::env::var("CI").map_or(true, |ci| ci != "true"), "CI must read QR codes: install zbar-tools");
        eprintln!("skipped reading the QR code: zbarimg is not installed");
        return;
    };
    let scanned = String::from_utf8(read.stdout).unwrap().trim().to_owned();
    assert_eq!(scanned, link, "the QR code is the offer");
    let offer = scanned.strip_prefix("openid-credential-offer://?credential_offer=").unwrap();
    let offer: serde_json::Value = serde_json::from_str(&percent_decode(offer)).unwrap();
    assert_eq!(offer["credential_issuer"], base.as_str());

    if let Some(dir) = crate::wallet::wallet_dir() {
        let taken = crate::wallet::wallet(
            &dir,
            "take",
            &serde_json::json!({
                "offer_uri": scanned,
                "tx_code": tx_code,
                "did_documents": {"did:web:www.valdeoliva.example": format!("{base}/institutions/valdeoliva/did.json")},
            }),
        );
        assert_eq!(taken["verified"], true, "{taken}");
        assert_eq!(taken["payload"]["credential_id"], credential["id"]);
        assert_eq!((taken["token_type"].as_str(), taken["as_bearer"].as_str()), (Some("DPoP"), Some("invalid_token")));

        // What the wallet holds verifies on the verify page, for an employer who knows the address.
        browser.goto(&format!("{base}/verify?lang=en"));
        browser.fill("#credential", taken["credential"].as_str().unwrap());
        browser.fill("#email", learner);
        browser.click("#verify");
        browser.wait_for_text("#verdict", "Valid");
        browser.screenshot("22c-verify-wallet-credential");
    }
}

/// `text` with its `%XX` escapes decoded.
fn percent_decode(text: &str) -> String {
    let bytes = text.as_bytes();
    let mut decoded = Vec::with_capacity(bytes.len());
    let mut at = 0;
    while at < bytes.len() {
        match bytes[at] {
            b'%' if at + 2 < bytes.len() => {
                decoded.push(u8::from_str_radix(&text[at + 1..at + 3], 16).unwrap());
                at += 3;
            }
            byte => {
                decoded.push(byte);
                at += 1;
            }
        }
    }
    String::from_utf8(decoded).unwrap()
}

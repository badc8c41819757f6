//! The quality check, publication and the catalogue, end to end: `spec check` and `spec
//! publish` on the command line, the same through the API, catalogue searches on the server
//! (which sees what another process published), and ELM import and export.

use serde_json::{Value, json};

use crate::support::{Env, Request, Server, get};

const CMF_FAILING: &str = "01936a3e-0000-7000-8000-000000000013"; // 10 ECTS, 250 hours
const DRAFT: &str = r#"
id = "01936a3e-0000-7000-8000-0000000000d1"
awarding_bodies = ["valdeoliva"]
languages = ["en"]
title = { en = "Energy auditing of public buildings: the Zorroza pilot" }
learning_outcomes = [{ text = { en = "Carry out an energy audit of a public building" } }]
workload = { ects = 2, hours = 50 }
assessment = { kind = "summative", methods = ["practical"] }
participation = "onsite"
quality_assurance = { internal = true }
"#;
const DRAFT_ID: &str = "01936a3e-0000-7000-8000-0000000000d1";

fn token(env: &Env, institution: &str, role: &str) -> String {
    env.ok(&["token", "create", "--institution", institution, "--role", role]).trim().to_owned()
}

fn search(server: &Server, query: &str) -> Value {
    let answer = get(server.addr, &format!("/api/v1/catalogue?{query}"));
    assert_eq!(answer.status, 200, "{query}: {}", answer.body);
    answer.json()
}

fn ids(result: &Value) -> Vec<String> {
    result["hits"].as_array().unwrap().iter().map(|hit| hit["id"].as_str().unwrap().to_owned()).collect()
}

#[test]
fn spec_check_reports_every_framework_and_fails_on_errors() {
    let env = Env::sqlite();
    env.ok(&["demo"]);
    let file = env.write("draft.toml", DRAFT);

    // A draft without a description: an Open Badges error, so exit 1 with the report printed.
    let output = env.command(&["spec", "check", &file]).output().unwrap();
    let stdout = String::from_utf8_lossy(&output.stdout);
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(1), "{stdout}{stderr}");
    assert!(stderr.contains("the quality check found 1 error"), "{stderr}");
    for expected in ["ob3.achievement-description", "cmf.workload-ects", "annex-ii.quality-external", "NOT COMPLIANT"] {
        assert!(stdout.contains(expected), "{expected} missing from\n{stdout}");
    }
    let json = env.command(&["spec", "check", &file, "--json"]).output().unwrap();
    let report: Value = serde_json::from_slice(&json.stdout).unwrap();
    let errors: Vec<&Value> =
        report["findings"].as_array().unwrap().iter().filter(|f| f["severity"] == "error").collect();
    assert_eq!(errors.len(), 1);
    assert_eq!(errors[0]["field"], "description");
    assert_eq!(errors[0]["framework"], "ob3");

    // A stored demo specification that fails the CMF on purpose: warnings only, exit 0.
    let stdout = env.ok(&["spec", "check", CMF_FAILING]);
    assert!(stdout.contains("cmf.workload-ects") && stdout.contains("cmf.workload-hours"), "{stdout}");
    assert!(stdout.contains("Findings: 0 errors"), "{stdout}");

    // A document that does not parse is still reported, field by field.
    let broken = env.write("broken.json", r#"{"awarding_bodies": ["nowhere"], "eqf_level": 9}"#);
    let output = env.command(&["spec", "check", &broken]).output().unwrap();
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert_eq!(output.status.code(), Some(1));
    for expected in ["annex-i.2-title", "annex-i.3-country", "annex-i.well-formed", "eqf_level"] {
        assert!(stdout.contains(expected), "{expected} missing from\n{stdout}");
    }
    let stderr = env.fails(&["spec", "check", "no-such-file-or-spec"]);
    assert!(stderr.contains("neither a file nor a stored specification"), "{stderr}");
}

#[test]
fn publishing_is_refused_while_errors_remain_and_the_server_sees_every_change() {
    for env in Env::all() {
        env.ok(&["demo"]);
        let server = Server::start(&env, &[]);
        let everything = search(&server, "limit=100");
        assert_eq!(everything["total"], 15, "the demo specifications are published");
        let eqf_sum: u64 =
            everything["facets"]["eqf"].as_array().unwrap().iter().map(|c| c["count"].as_u64().unwrap()).sum();
        assert_eq!(eqf_sum, 15, "the EQF facet adds up");

        // A draft is stored but not listed; publishing it is refused while it has an error.
        let file = env.write("draft.toml", DRAFT);
        env.ok(&["spec", "add", &file]);
        let before = env.dump();
        let stderr = env.fails(&["spec", "publish", DRAFT_ID]);
        assert!(stderr.contains("description") && stderr.contains("ob3.achievement-description"), "{stderr}");
        assert_eq!(env.dump(), before, "a refused publication changes nothing");
        assert_eq!(search(&server, "q=zorroza")["total"], 0);
        assert_eq!(get(server.addr, &format!("/api/v1/catalogue/{DRAFT_ID}")).status, 404, "drafts are not shown");

        // Mended and published by another process: the running server finds it at once.
        let mended = DRAFT.replace(
            "quality_assurance =",
            "description = { en = \"Audits of schools and town halls.\" }\nquality_assurance =",
        );
        let mended = env.write("mended.toml", &mended);
        env.ok(&["spec", "edit", &mended]);
        let published = env.ok(&["spec", "publish", DRAFT_ID]);
        assert!(published.contains("cmf       not compliant"), "{published}");
        assert_eq!(ids(&search(&server, "q=audit+building+zorroza")), [DRAFT_ID], "stemmed: auditing, buildings");
        let entry = get(server.addr, &format!("/api/v1/catalogue/{DRAFT_ID}")).json();
        assert_eq!(entry["institutions"][0]["accreditation"]["qa_body"], "ANECA");
        let labels = entry["quality"]["labels"].as_array().unwrap();
        assert!(labels.iter().any(|label| label["framework"] == "annex-i" && label["compliant"] == true));
        assert!(labels.iter().any(|label| label["framework"] == "cmf" && label["compliant"] == false));

        env.ok(&["spec", "withdraw", DRAFT_ID]);
        assert_eq!(search(&server, "q=zorroza")["total"], 0, "withdrawn");
        server.stop();
    }
}

#[test]
fn the_catalogue_api_filters_combines_and_names_wrong_parameters() {
    let env = Env::sqlite();
    env.ok(&["demo"]);
    let server = Server::start(&env, &[]);

    let spanish = search(&server, "q=gesti%C3%B3n+sostenible");
    assert_eq!(spanish["total"], 1, "{spanish}");
    assert_eq!(ids(&search(&server, "q=gestion+sostenibles")), ids(&spanish), "without accents, plural");
    let english = search(&server, "q=sustainability&language=en");
    assert!(english["total"].as_u64().unwrap() >= 1, "{english}");

    let combined = search(&server, "eqf=6&eqf=7&country=ES&country=IT&participation=onsite");
    for hit in combined["hits"].as_array().unwrap() {
        assert!(matches!(hit["eqf_level"].as_u64(), Some(6 | 7)), "{hit}");
        assert_eq!(hit["participation"], "onsite");
        assert!(["ES", "IT"].contains(&hit["institutions"][0]["country"].as_str().unwrap()));
    }
    // A facet counts what choosing its value would give.
    for count in combined["facets"]["country"].as_array().unwrap() {
        let narrowed =
            search(&server, &format!("eqf=6&eqf=7&participation=onsite&country={}", count["value"].as_str().unwrap()));
        assert_eq!(narrowed["total"], count["count"], "{count}");
    }
    let ranged = search(&server, "ects_min=4&ects_max=5");
    assert!(ranged["hits"].as_array().unwrap().iter().all(|hit| (4.0..=5.0).contains(&hit["ects"].as_f64().unwrap())));

    for (query, parameter) in
        [("eqf=9", "eqf"), ("ects_min=6&ects_max=2", "ects_min"), ("limit=500", "limit"), ("colour=red", "colour")]
    {
        let answer = get(server.addr, &format!("/api/v1/catalogue?{query}"));
        assert_eq!(answer.status, 422, "{query}: {}", answer.body);
        assert_eq!(answer.json()["error"]["details"][0]["field"], parameter, "{}", answer.body);
    }
    server.stop();
}

#[test]
fn the_api_publishes_only_what_passes_and_only_for_its_institution() {
    let env = Env::sqlite();
    env.ok(&["demo"]);
    let issuer = token(&env, "valdeoliva", "issuer");
    let other = token(&env, "roccalba", "admin");
    let server = Server::start(&env, &[]);
    let mut document = json!({
        "id": DRAFT_ID, "awarding_bodies": ["valdeoliva"], "languages": ["en"],
        "title": {"en": "Energy auditing of public buildings: the Zorroza pilot"},
        "learning_outcomes": [{"text": {"en": "Carry out an energy audit"}}],
        "workload": {"ects": 2, "hours": 50},
        "assessment": {"kind": "summative", "methods": ["practical"]},
        "participation": "onsite", "quality_assurance": {"internal": true},
    });
    let checked =
        Request::new(server.addr, "POST", "/api/v1/specs/check").json(&json!({"title": {"en": "Only a title"}}));
    assert_eq!(checked.status, 200, "{}", checked.body);
    assert!(checked.json()["findings"].as_array().unwrap().iter().any(|f| f["rule"] == "annex-i.6-learning-outcomes"));

    let added = Request::new(server.addr, "POST", "/api/v1/specs").token(&issuer).json(&document);
    assert_eq!(added.status, 201, "{}", added.body);
    let publish = |token: &str| {
        Request::new(server.addr, "POST", &format!("/api/v1/specs/{DRAFT_ID}/publish")).token(token).send()
    };
    let refused = publish(&issuer);
    assert_eq!(refused.status, 422, "{}", refused.body);
    assert_eq!(refused.json()["error"]["details"][0]["field"], "description");
    assert_eq!(publish(&other).status, 404, "another institution's draft is not even shown");

    document["description"] = json!({"en": "Audits of schools and town halls."});
    let put = |token: &str, body: &Value| {
        Request::new(server.addr, "PUT", &format!("/api/v1/specs/{DRAFT_ID}")).token(token).json(body)
    };
    assert_eq!(put(&other, &document).status, 404);
    let saved = put(&issuer, &document);
    assert_eq!(saved.status, 200, "{}", saved.body);
    assert_eq!(saved.json()["published"], false);
    assert_eq!(publish(&issuer).status, 200);
    assert_eq!(search(&server, "q=zorroza")["total"], 1);
    assert_eq!(publish(&other).status, 403, "another institution's published specification");
    assert_eq!(put(&other, &document).status, 403);

    // A published specification cannot be edited into one with errors.
    let mut broken = document.clone();
    broken.as_object_mut().unwrap().remove("description");
    let refused = put(&issuer, &broken);
    assert_eq!(refused.status, 422, "{}", refused.body);
    assert_eq!(
        get(server.addr, &format!("/api/v1/specs/{DRAFT_ID}")).json()["description"]["en"],
        "Audits of schools and town halls."
    );
    let mut renamed = document.clone();
    renamed["id"] = json!("01936a3e-0000-7000-8000-0000000000d2");
    assert_eq!(put(&issuer, &renamed).status, 422, "the body names another specification");

    let withdrawn =
        Request::new(server.addr, "POST", &format!("/api/v1/specs/{DRAFT_ID}/withdraw")).token(&issuer).send();
    assert_eq!(withdrawn.status, 200);
    assert_eq!(search(&server, "q=zorroza")["total"], 0);
    server.stop();
}

#[test]
fn elm_export_reads_back_and_an_import_takes_the_good_entries() {
    let env = Env::sqlite();
    env.ok(&["demo"]);
    let exported = env.ok(&["spec", "export", "--format", "elm", "01936a3e-0000-7000-8000-000000000001"]);
    let elm: Value = serde_json::from_str(&exported).unwrap();
    assert_eq!(elm["@context"], "http://data.europa.eu/snb/model/context/edc-ap");
    assert_eq!(elm["@graph"][0]["type"], "LearningAchievementSpecification");

    // The same specification under a new id, the official ELM sample (which lacks the type of
    // assessment and of quality assurance), and an entry with no title.
    let sample: Value = serde_json::from_str(
        &std::fs::read_to_string(
            crate::credentials::vectors().join("elm/samples-elm-v3/Sample-MC-Annex1-unsigned.jsonld"),
        )
        .unwrap(),
    )
    .unwrap();
    let copy = exported.replace("01936a3e-0000-7000-8000-000000000001", "01936a3e-0000-7000-8000-0000000000e1");
    let mut graph: Value = serde_json::from_str(&copy).unwrap();
    let entries = graph["@graph"].as_array_mut().unwrap();
    entries.push(sample["credentialSubject"]["hasClaim"]["specifiedBy"].clone());
    entries.push(json!({"type": "LearningAchievementSpecification", "learningOutcome": []}));
    let file = env.write("import.jsonld", &graph.to_string());
    let before = env.ok(&["spec", "list", "--json"]);

    let report = env.ok(&["spec", "import", &file, "--format", "elm", "--awarding-body", "valdeoliva"]);
    assert!(report.contains("imported 01936a3e-0000-7000-8000-0000000000e1 (draft)"), "{report}");
    assert!(report.contains("refused entry [1]: it lacks a type of assessment"), "{report}");
    assert!(report.contains("refused entry [2]: it lacks a title"), "{report}");
    assert!(report.ends_with("1 imported, 2 refused\n"), "{report}");
    let original: Value =
        serde_json::from_str(&env.ok(&["spec", "show", "01936a3e-0000-7000-8000-000000000001", "--json"])).unwrap();
    let mut copied: Value =
        serde_json::from_str(&env.ok(&["spec", "show", "01936a3e-0000-7000-8000-0000000000e1", "--json"])).unwrap();
    copied["id"] = original["id"].clone();
    assert_eq!(copied, original, "nothing is lost on the way through ELM");

    // Importing again adds nothing; a file that is not JSON changes nothing.
    let again = env.ok(&["spec", "import", &file, "--format", "elm", "--awarding-body", "valdeoliva"]);
    assert!(again.ends_with("1 imported, 2 refused\n"), "{again}");
    let after: Value = serde_json::from_str(&env.ok(&["spec", "list", "--json"])).unwrap();
    assert_eq!(
        after.as_array().unwrap().len(),
        serde_json::from_str::<Value>(&before).unwrap().as_array().unwrap().len() + 1
    );
    let stderr = env.fails(&["spec", "import", &env.write("bad.json", "{not json"), "--format", "elm"]);
    assert!(stderr.contains("nothing was imported"), "{stderr}");

    // microcred's own JSON: every specification out, and in again unchanged.
    let json = env.write("all.json", &env.ok(&["spec", "export"]));
    let report = env.ok(&["spec", "import", &json, "--publish"]);
    assert!(report.ends_with("16 imported, 0 refused\n"), "{report}");
}

//! Recognition from the command line, on each backend: an agreement stored, in force once every
//! party signed it, proposing with reasons for credentials verified first (an Open Badge and a
//! sealed EDC), refusing a revoked one; ended, it proposes nothing new; bad agreements change
//! nothing.

use serde_json::Value;

use crate::support::Env;

const ALLIANCE: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../mc-app/demo/agreement-alliance.toml");
const STATISTICS: &str = "01936a3e-0000-7000-8000-000000000001"; // valdeoliva, ISCED 0542

#[test]
fn an_agreement_in_force_proposes_with_reasons() {
    for env in Env::all() {
        let backend = env.backend();
        env.ok(&["demo"]);
        // The demo has the alliance in force; a new version is in force once signed again.
        let listed: Value = serde_json::from_str(&env.ok(&["agreement", "list", "--json"])).unwrap();
        assert_eq!(listed[0]["state"], "signed by every party", "[{backend}] {listed:#}");
        let said = env.ok(&["agreement", "add", ALLIANCE]);
        assert!(said.contains("stored agreement alliance-data-2026 version 2"), "[{backend}] {said}");

        let badge =
            env.ok(&["issue", "--spec", STATISTICS, "--learner", "aino.virtanen@learners.example", "--grade", "9,5"]);
        let badge_path = env.write("badge.json", &badge);
        let edc = env.ok(&[
            "issue",
            "--spec",
            STATISTICS,
            "--learner",
            "jose.martinez@learners.example",
            "--grade",
            "7",
            "--format",
            "edc",
        ]);
        let edc_path = env.write("edc.json", &edc);

        // Version 2 is not in force until every party signed it: version 1 stays in force.
        let before = env.ok(&["recognize", &badge_path, "--institution", "roccalba"]);
        assert!(before.contains("under agreement alliance-data-2026 (version 1)"), "[{backend}] {before}");
        assert!(!before.contains("(version 2)"), "[{backend}] {before}");
        for party in ["valdeoliva", "roccalba", "jarvilaakso"] {
            let signed = env.ok(&["agreement", "sign", "alliance-data-2026", "--institution", party, "--by", "admin"]);
            assert!(signed.contains("still to sign"), "[{backend}] {signed}");
        }
        let refused = env.fails(&["agreement", "sign", "alliance-data-2026", "--institution", "roccalba", "--by", "x"]);
        assert!(refused.contains("roccalba already signed version 2"), "{refused}");
        let last =
            env.ok(&["agreement", "sign", "alliance-data-2026", "--institution", "ostmarschen", "--by", "admin"]);
        assert!(last.contains("it is in force"), "{last}");

        let proposed = env.ok(&["recognize", &badge_path, &edc_path, "--institution", "roccalba"]);
        assert_eq!(
            proposed.matches("proposed: the course STAT-1 Basic statistics (5 ECTS) under agreement alliance-data-2026 (version 2), rule roccalba-statistics").count(),
            1,
            "[{backend}] the course once, for the first credential: {proposed}"
        );
        assert!(proposed.contains("✓ grade 9,5; at least 6 needed"), "{proposed}");
        assert!(
            proposed.contains("of the same specification is already recognised under this agreement"),
            "{proposed}"
        );
        // The EDC is read from its sealed ELM: the same facts as the badge.
        assert!(proposed.contains("✓ grade 7; at least 6 needed"), "the EDC's grade: {proposed}");
        assert!(proposed.contains("✓ field 0542; one of 0542 needed"), "{proposed}");

        let json: Value =
            serde_json::from_str(&env.ok(&["recognize", &edc_path, "--institution", "roccalba", "--json"])).unwrap();
        assert_eq!(json[0]["verification"]["verdict"], "valid", "{json:#}");
        assert_eq!(json[0]["proposals"][0]["ects"], 5.0, "{json:#}");

        // A revoked credential is refused with the verification's reason.
        let id = serde_json::from_str::<Value>(&badge).unwrap()["id"]
            .as_str()
            .unwrap()
            .trim_start_matches("urn:uuid:")
            .to_owned();
        env.ok(&["revoke", &id, "--reason", "awarded by mistake"]);
        let revoked = env.ok(&["recognize", &badge_path, "--institution", "roccalba"]);
        assert!(
            revoked.contains("not considered: the credential does not verify: the credential has been revoked"),
            "{revoked}"
        );
        // Its own institution does not recognise it.
        let own = env.ok(&["recognize", &edc_path, "--institution", "valdeoliva"]);
        assert!(own.contains("an institution does not recognise its own credentials"), "{own}");

        // Ended, it proposes nothing new and takes no new version.
        env.ok(&["agreement", "end", "alliance-data-2026", "--institution", "jarvilaakso", "--by", "admin"]);
        let ended = env.ok(&["recognize", &edc_path, "--institution", "roccalba"]);
        assert!(ended.contains("was ended on"), "{ended}");
        let refused = env.fails(&["agreement", "add", ALLIANCE]);
        assert!(refused.contains("was ended: it takes no new version"), "{refused}");
        let listed: Value = serde_json::from_str(&env.ok(&["agreement", "list", "--json"])).unwrap();
        assert_eq!(listed[0]["state"], "ended", "{listed:#}");
    }
}

#[test]
fn bad_agreements_change_nothing() {
    let env = Env::sqlite();
    env.ok(&["demo"]);
    let listed = env.ok(&["agreement", "list"]);
    let alliance = std::fs::read_to_string(ALLIANCE).unwrap();
    let unknown_field = env.write("unknown.toml", &alliance.replace("scope = ", "signed = true\nscope = "));
    let refused = env.fails(&["agreement", "add", &unknown_field]);
    assert!(refused.contains("unknown field `signed`") && refused.contains("line 8"), "{refused}");
    let unknown_condition = env.write("condition.toml", &alliance.replace("min_ects = 4", "min_credits = 4"));
    let refused = env.fails(&["agreement", "add", &unknown_condition]);
    assert!(refused.contains("unknown field `min_credits`"), "{refused}");
    let overlapping = env.write(
        "overlap.toml",
        &alliance
            .replace("code = \"STAT-1\"", "code = \"GE-210\"")
            .replace("recognised_by = \"roccalba\"", "recognised_by = \"valdeoliva\""),
    );
    let refused = env.fails(&["agreement", "add", &overlapping]);
    assert!(refused.contains("already grants the course GE-210 of valdeoliva"), "{refused}");
    let stranger = env.write("stranger.toml", &alliance.replace("\"ostmarschen\"]", "\"nowhere\"]"));
    let refused = env.fails(&["agreement", "add", &stranger]);
    assert!(refused.contains("nowhere"), "{refused}");
    assert_eq!(env.ok(&["agreement", "list"]), listed, "nothing was stored");
    let refused = env.fails(&["agreement", "sign", "no-such-agreement", "--institution", "valdeoliva", "--by", "x"]);
    assert!(refused.contains("no agreement with id \"no-such-agreement\""), "{refused}");
    env.ok(&[
        "institution",
        "add",
        "--id",
        "outsider",
        "--name",
        "Outsider",
        "--country",
        "ES",
        "--legal-id",
        "ESQ2222222A",
    ]);
    let refused = env.fails(&["agreement", "sign", "alliance-data-2026", "--institution", "outsider", "--by", "x"]);
    assert!(refused.contains("outsider is not a party to agreement alliance-data-2026"), "{refused}");
}

#[test]
fn every_version_of_an_agreement_can_be_read() {
    let env = Env::sqlite();
    env.ok(&["demo"]);
    env.ok(&["agreement", "add", ALLIANCE]);
    let first: Value =
        serde_json::from_str(&env.ok(&["agreement", "show", "alliance-data-2026", "--at-version", "1", "--json"]))
            .unwrap();
    let latest: Value = serde_json::from_str(&env.ok(&["agreement", "show", "alliance-data-2026", "--json"])).unwrap();
    assert_eq!((first["version"].as_u64(), first["state"].as_str()), (Some(1), Some("signed by every party")));
    assert_eq!((latest["version"].as_u64(), latest["state"].as_str()), (Some(2), Some("awaiting signatures")));
    let refused = env.fails(&["agreement", "show", "alliance-data-2026", "--at-version", "9"]);
    assert!(refused.contains("alliance-data-2026 (version 9)"), "{refused}");
}

/// The catalogue says where a specification is recognised, in both languages, on its page and
/// in the API, from the agreements in force.
#[test]
fn the_catalogue_says_where_a_specification_is_recognised() {
    let env = Env::sqlite();
    env.ok(&["demo"]);
    let server = crate::support::Server::start(&env, &[]);
    let path = format!("/catalogue/{STATISTICS}");
    let english = crate::support::Request::new(server.addr, "GET", &path).header("Accept-Language", "en").send();
    assert!(
        english.body.contains("Counts as the course STAT-1 Basic statistics (5 ECTS) at University of Roccalba, under the alliance agreement on data and management micro-credentials, with a grade of at least 6."),
        "{}",
        english.body
    );
    let spanish = crate::support::Request::new(server.addr, "GET", &format!("{path}?lang=es")).send();
    assert!(spanish.body.contains("Cuenta como la asignatura STAT-1"), "{}", spanish.body);
    assert!(spanish.body.contains("con una calificación de al menos 6"), "{}", spanish.body);
    let api =
        crate::support::Request::new(server.addr, "GET", &format!("/api/v1/catalogue/{STATISTICS}")).send().json();
    assert_eq!(api["recognised"][0]["recognised_by"], "roccalba", "{api:#}");
    // A specification no rule selects says nothing of recognition.
    let other =
        crate::support::Request::new(server.addr, "GET", "/catalogue/01936a3e-0000-7000-8000-000000000002").send();
    assert!(!other.body.contains("id=\"recognitions\""), "{}", other.body);

    // The catalogue is filtered by "recognised at"; an agreement ended elsewhere (by the
    // command line, another process) is seen by the next search.
    let search = |path: &str| crate::support::Request::new(server.addr, "GET", path).send().json();
    let found = search("/api/v1/catalogue?recognised=roccalba&limit=50");
    let ids: Vec<&str> = found["hits"].as_array().unwrap().iter().map(|hit| hit["id"].as_str().unwrap()).collect();
    assert!(ids.contains(&STATISTICS), "{found:#}");
    assert!(!ids.contains(&"01936a3e-0000-7000-8000-000000000002"), "not recognised there: {found:#}");
    assert!(
        found["facets"]["recognised"].as_array().unwrap().iter().any(|value| value["value"] == "jarvilaakso"),
        "{found:#}"
    );
    let page = crate::support::Request::new(server.addr, "GET", "/catalogue?recognised=roccalba&lang=es").send();
    assert!(page.body.contains("Reconocida en"), "{}", page.body);
    let bad = crate::support::Request::new(server.addr, "GET", "/api/v1/catalogue?recognised=Not%20an%20id").send();
    assert_eq!(bad.status, 422, "{}", bad.body);
    let cli: Value =
        serde_json::from_str(&env.ok(&["catalogue", "--recognised", "roccalba", "--limit", "50", "--json"])).unwrap();
    assert_eq!(cli["total"], found["total"], "the command line filters alike: {cli:#}");
    env.ok(&["agreement", "end", "alliance-data-2026", "--institution", "roccalba", "--by", "admin"]);
    let after = search("/api/v1/catalogue?recognised=roccalba&limit=50");
    assert_eq!(after["total"], 0, "nothing is recognised at Roccalba once the alliance ended: {after:#}");
    server.stop();
}

/// A stacking pathway from the command line: a learner's credentials, each verified first,
/// count towards it or say why not; complete once they add up.
#[test]
fn a_pathway_counts_a_learners_verified_credentials() {
    let env = Env::sqlite();
    env.ok(&["demo"]);
    let pathway = env.write(
        "pathway.toml",
        "id = \"data-certificate\"\ntitle = { en = \"Certificate in Public Data\" }\ninstitution = \"roccalba\"\n\
         min_ects = 10\nfields = [\"05\", \"04\"]\nmin_eqf = 5\n",
    );
    let learner = "aino.virtanen@learners.example";
    let statistics = env.write("statistics.json", &env.ok(&["issue", "--spec", STATISTICS, "--learner", learner]));
    // Specification 3 is e-invoicing (ISCED 0411, 4 ECTS); 2 is in another field.
    let invoicing = env.ok(&["issue", "--spec", "01936a3e-0000-7000-8000-000000000003", "--learner", learner]);
    let invoicing = env.write("invoicing.json", &invoicing);
    let other = env.write(
        "other.json",
        &env.ok(&["issue", "--spec", "01936a3e-0000-7000-8000-000000000002", "--learner", learner, "--format", "edc"]),
    );
    let said = env.ok(&["pathway", "check", &pathway, &statistics, &invoicing, &other]);
    assert!(said.contains("Certificate in Public Data (data-certificate): not complete yet: 9 of 10 ECTS"), "{said}");
    assert!(said.contains("does not count:") && said.contains("is not one of 05, 04"), "{said}");
    let id = serde_json::from_str::<Value>(&std::fs::read_to_string(&statistics).unwrap()).unwrap()["id"]
        .as_str()
        .unwrap()
        .trim_start_matches("urn:uuid:")
        .to_owned();
    env.ok(&["revoke", &id, "--reason", "awarded by mistake"]);
    let json: Value =
        serde_json::from_str(&env.ok(&["pathway", "check", &pathway, &statistics, &invoicing, "--json"])).unwrap();
    assert_eq!((json["complete"].as_bool(), json["ects"].as_f64()), (Some(false), Some(4.0)), "{json:#}");
    assert!(json["not_counted"][0]["why"].as_str().unwrap().contains("has been revoked"), "{json:#}");
    // Another learner whose credentials add up.
    let learner = "jose.martinez@learners.example";
    let files: Vec<String> = ["01936a3e-0000-7000-8000-000000000001", "01936a3e-0000-7000-8000-000000000006"]
        .iter()
        .enumerate()
        .map(|(idx, spec)| {
            env.write(&format!("jose-{idx}.json"), &env.ok(&["issue", "--spec", spec, "--learner", learner]))
        })
        .collect();
    let said = env.ok(&["pathway", "check", &pathway, &files[0], &files[1]]);
    assert!(said.contains(": complete: 10 of 10 ECTS"), "{said}");
    let bad = env.write("bad.toml", "id = \"x\"\nminimum = 3\n");
    let refused = env.fails(&["pathway", "check", &bad, &files[0]]);
    assert!(refused.contains("unknown field `minimum`"), "{refused}");
}

/// Stored pathways, on each backend: a learner's progress with the published micro-credentials
/// that would complete it; the stacked credential of a complete one, issued once, verifies and
/// names its parts; an incomplete one is refused, saying what is missing; bad pathways change
/// nothing.
#[test]
fn a_stored_pathway_issues_a_stacked_credential_naming_its_parts() {
    for env in Env::all() {
        let backend = env.backend();
        env.ok(&["demo"]);
        let listed = env.ok(&["pathway", "list"]);
        assert!(
            listed.contains("roccalba-data-sustainability") && listed.contains("valdeoliva-public-management"),
            "[{backend}] the demo's two pathways: {listed}"
        );
        let learner = "jose.martinez@learners.example";
        let mut parts = Vec::new();
        for spec in [STATISTICS, "01936a3e-0000-7000-8000-000000000002"] {
            let text = env.ok(&["issue", "--spec", spec, "--learner", learner]);
            parts.push(serde_json::from_str::<Value>(&text).unwrap()["id"].clone());
        }
        let refused = env.fails(&["pathway", "issue", "roccalba-data-sustainability", "--learner", learner]);
        assert!(
            refused.contains("is not complete yet: it still needs 10 more ECTS and the skill http://data.europa.eu/esco/skill/22c45bf7"),
            "[{backend}] {refused}"
        );
        let progress: Value = serde_json::from_str(&env.ok(&[
            "pathway",
            "progress",
            "roccalba-data-sustainability",
            "--learner",
            learner,
            "--json",
        ]))
        .unwrap();
        assert_eq!(progress["ects"], 5.0, "[{backend}] {progress:#}");
        assert_eq!(
            (
                progress["suggestions"][0]["spec"].as_str(),
                progress["suggestions"][0]["teaches_missing_skill"].as_bool()
            ),
            (Some("01936a3e-0000-7000-8000-000000000005"), Some(true)),
            "[{backend}] what teaches the missing skill comes first: {progress:#}"
        );
        let output = env.file("stacked.json").display().to_string();
        let said = env.ok(&["pathway", "issue", "valdeoliva-public-management", "--learner", learner, "-o", &output]);
        assert!(said.starts_with("issued stacked credential "), "[{backend}] {said}");
        let stacked: Value = serde_json::from_str(&std::fs::read_to_string(&output).unwrap()).unwrap();
        assert_eq!(stacked["credentialSubject"]["hasPart"], Value::Array(parts.clone()), "[{backend}] {stacked:#}");
        let achievement = &stacked["credentialSubject"]["achievement"];
        assert_eq!(
            (achievement["achievementType"].as_str(), achievement["creditsAvailable"].as_f64()),
            (Some("Certificate"), Some(11.0))
        );
        let verified = env.command(&["verify", &output, "--offline", "--json"]).output().unwrap();
        let verified: Value = serde_json::from_slice(&verified.stdout).unwrap();
        assert_eq!(verified["verdict"], "valid", "[{backend}] {verified:#}");
        let again = env.ok(&["pathway", "issue", "valdeoliva-public-management", "--learner", learner]);
        assert_eq!(serde_json::from_str::<Value>(&again).unwrap()["id"], stacked["id"], "[{backend}] issued once");
        // Valdeoliva seals: the stacked credential is a European Digital Credential too, whose
        // learning achievement has the parts.
        let edc = env.file("stacked.edc.json").display().to_string();
        env.ok(&[
            "pathway",
            "issue",
            "valdeoliva-public-management",
            "--learner",
            learner,
            "--format",
            "edc",
            "-o",
            &edc,
        ]);
        let sealed: Value = serde_json::from_str(&std::fs::read_to_string(&edc).unwrap()).unwrap();
        let payload: Value = serde_json::from_str(sealed["payload"].as_str().unwrap()).unwrap();
        let claim = &payload["credentialSubject"]["hasClaim"][0];
        let named: Vec<&Value> =
            claim["hasPart"].as_array().unwrap().iter().map(|part| &part["identifier"][0]["notation"]).collect();
        assert_eq!(named, parts.iter().collect::<Vec<_>>(), "[{backend}] {claim:#}");
        let verified = env.command(&["verify", &edc, "--offline", "--json"]).output().unwrap();
        let verified: Value = serde_json::from_slice(&verified.stdout).unwrap();
        assert_eq!(verified["verdict"], "valid", "[{backend}] {verified:#}");

        // Bad pathways are refused, each saying why, and nothing is stored.
        let unknown = env
            .write("unknown.toml", "id = \"p-x\"\ntitle = { en = \"X\" }\ninstitution = \"nowhere\"\nmin_ects = 5\n");
        let refused = env.fails(&["pathway", "add", &unknown]);
        assert!(refused.contains("nowhere"), "[{backend}] {refused}");
        let field = env.write("field.toml", "id = \"p-y\"\ninstitution = \"roccalba\"\nmin_credits = 5\n");
        let refused = env.fails(&["pathway", "add", &field]);
        assert!(refused.contains("unknown field `min_credits`"), "[{backend}] {refused}");
        let demo = concat!(env!("CARGO_MANIFEST_DIR"), "/../mc-app/demo/pathway-public-management.toml");
        let refused = env.fails(&["pathway", "add", demo]);
        assert!(refused.contains("a pathway valdeoliva-public-management is stored already"), "[{backend}] {refused}");
        assert_eq!(env.ok(&["pathway", "list"]), listed, "[{backend}] nothing stored");
    }
}

/// A recognition officer accepts a proposal: the decision credential, signed by the home
/// institution, names the credential (id and digest), the agreement version, the rule and what
/// is granted, and verifies; a rejection keeps its reason; nothing else can be accepted.
#[test]
fn an_accepted_recognition_is_issued_as_a_decision_credential() {
    let env = Env::sqlite();
    env.ok(&["demo"]);
    let text = env.ok(&["issue", "--spec", STATISTICS, "--learner", "aino.virtanen@learners.example", "--grade", "9"]);
    let badge = env.write("badge.json", &text);
    let decision = env.file("decision.json").display().to_string();
    let said = env.ok(&[
        "recognize",
        &badge,
        "--institution",
        "roccalba",
        "--accept",
        "--by",
        "Officer Rossi",
        "-o",
        &decision,
    ]);
    assert!(said.contains("accepted: the course STAT-1 Basic statistics (5 ECTS)"), "{said}");
    let credential: Value = serde_json::from_str(&std::fs::read_to_string(&decision).unwrap()).unwrap();
    let subject = &credential["credentialSubject"];
    let badge_id = serde_json::from_str::<Value>(&text).unwrap()["id"].clone();
    assert_eq!(subject["recognisedCredential"], badge_id);
    let digest: String =
        <sha2::Sha256 as sha2::Digest>::digest(text.as_bytes()).iter().map(|b| format!("{b:02x}")).collect();
    assert_eq!(subject["credentialDigest"], format!("sha256:{digest}"));
    assert_eq!(
        (subject["agreement"].as_str(), subject["agreementVersion"].as_u64()),
        (Some("alliance-data-2026"), Some(1))
    );
    assert_eq!((subject["rule"].as_str(), subject["ects"].as_f64()), (Some("roccalba-statistics"), Some(5.0)));
    assert_eq!(credential["issuer"]["id"], "did:web:www.roccalba.example");
    let verified = env.command(&["verify", &decision, "--offline", "--json"]).output().unwrap();
    let verified: Value = serde_json::from_slice(&verified.stdout).unwrap();
    assert_eq!(verified["verdict"], "valid", "{verified:#}");

    let said =
        env.ok(&["recognize", &badge, "--institution", "roccalba", "--reject", "awarded too long ago", "--by", "x"]);
    assert!(said.starts_with("rejected (decision "), "{said}");
    let refused = env.fails(&[
        "recognize",
        &badge,
        "--institution",
        "roccalba",
        "--accept",
        "alliance-data-2026/nope",
        "--by",
        "x",
    ]);
    assert!(refused.contains("rule nope of agreement alliance-data-2026 proposes nothing"), "{refused}");
    let refused = env.fails(&["recognize", &badge, "--institution", "roccalba", "--accept", "nope", "--by", "x"]);
    assert!(refused.contains("--accept names a rule as AGREEMENT/RULE"), "{refused}");
    let refused = env.fails(&["recognize", &badge, "--institution", "roccalba", "--reject", " ", "--by", "x"]);
    assert!(refused.contains("must say why"), "{refused}");
    let id = badge_id.as_str().unwrap().trim_start_matches("urn:uuid:").to_owned();
    env.ok(&["revoke", &id, "--reason", "awarded by mistake"]);
    let refused = env.fails(&["recognize", &badge, "--institution", "roccalba", "--accept", "--by", "x"]);
    assert!(refused.contains("nothing can be accepted: the credential does not verify"), "{refused}");
    let audit: Value = serde_json::from_str(&env.ok(&["audit", "list", "--json"])).unwrap();
    let decided = audit.as_array().unwrap().iter().filter(|entry| entry["action"] == "recognition.decide").count();
    assert_eq!(decided, 2, "one accepted, one rejected");
}

/// An agreement is a readable document, in the reader's language: parties, period, state,
/// every rule in words and the signatures; the catalogue links to it.
#[test]
fn an_agreement_reads_as_a_document() {
    let env = Env::sqlite();
    env.ok(&["demo"]);
    let server = crate::support::Server::start(&env, &[]);
    let get = |path: &str| crate::support::Request::new(server.addr, "GET", path).send();
    let list = get("/agreements?lang=en");
    assert!(list.body.contains("href=\"/agreements/alliance-data-2026\""), "{}", list.body);
    assert!(list.body.contains("href=\"/agreements/jarvilaakso-valdeoliva\""), "{}", list.body);
    let english = get("/agreements/alliance-data-2026?lang=en");
    assert_eq!(english.status, 200, "{}", english.body);
    for said in [
        "In force: signed by every party",
        "from 1 January 2026 to 31 December 2029",
        "University of Roccalba recognises credentials of the other parties with EQF level 5 or above, in Statistics, with 50% of 2 named ESCO skills, summative assessment, a grade of at least 6 as the course STAT-1 Basic statistics (5 ECTS).",
        "University of Valdeoliva recognises credentials of “",
        "4 elective ECTS each, at most 6 ECTS in all.",
        "University of Roccalba: signed on",
    ] {
        assert!(english.body.contains(said), "expected {said:?} in {}", english.body);
    }
    let spanish = get("/agreements/alliance-data-2026?lang=es");
    assert!(spanish.body.contains("En vigor: firmado por todas las partes"), "{}", spanish.body);
    assert!(
        spanish.body.contains("del 1 de enero de 2026 al 31 de diciembre de 2029"),
        "dates in words: {}",
        spanish.body
    );
    assert!(
        spanish
            .body
            .contains("reconoce las credenciales de las demás partes con nivel MEC 5 o superior, en Estadística,"),
        "{}",
        spanish.body
    );
    assert!(spanish.body.contains("Gestión de proyectos"), "the course's name in Spanish: {}", spanish.body);
    assert_eq!(get("/agreements/no-such-agreement").status, 404);
    let catalogue = get(&format!("/catalogue/{STATISTICS}?lang=en"));
    assert!(catalogue.body.contains("href=\"/agreements/alliance-data-2026\""), "{}", catalogue.body);
    server.stop();
}

/// A party's admin proposes an agreement over the API, each party's admin signs it (over the
/// API or on its page), and one ends it; others may not, and nothing is done twice.
#[test]
fn party_admins_propose_sign_and_end_an_agreement() {
    use crate::support::{Request, Server};
    let env = Env::sqlite();
    let server = Server::start(&env, &["--demo"]);
    let token = |institution: &str, role: &str| {
        env.ok(&["token", "create", "--institution", institution, "--role", role]).trim().to_owned()
    };
    let (roccalba, jarvilaakso) = (token("roccalba", "admin"), token("jarvilaakso", "admin"));
    let outsider = token("valdeoliva", "admin");
    let issuer = token("roccalba", "issuer");
    let document = serde_json::json!({
        "id": "roccalba-jarvilaakso",
        "title": {"en": "Roccalba and Jarvilaakso: project management"},
        "parties": ["roccalba", "jarvilaakso"],
        "valid_from": "2026-01-01",
        "rules": [{
            "id": "pm",
            "recognised_by": "jarvilaakso",
            "specs": ["01936a3e-0000-7000-8000-000000000007"],
            "grants": {"elective_ects": 5},
        }],
    });
    let post = |path: &str, token: &str, body: &Value| Request::new(server.addr, "POST", path).token(token).json(body);
    let refused = post("/api/v1/agreements", &outsider, &document);
    assert_eq!(refused.status, 403, "not a party: {}", refused.body);
    assert_eq!(post("/api/v1/agreements", &issuer, &document).status, 403, "an admin proposes");
    let mut unknown = document.clone();
    unknown["rules"][0]["grants"]["elective_credits"] = serde_json::json!(5);
    let refused = post("/api/v1/agreements", &roccalba, &unknown);
    assert!(refused.status == 400 || refused.status == 422, "{}", refused.body);
    assert!(refused.body.contains("elective_credits"), "{}", refused.body);
    let proposed = post("/api/v1/agreements", &roccalba, &document);
    assert_eq!(proposed.status, 201, "{}", proposed.body);
    assert_eq!(proposed.json()["state"], "awaiting signatures");

    let mut taken = document.clone();
    taken["parties"] = serde_json::json!(["valdeoliva", "roccalba", "jarvilaakso"]);
    let refused = post("/api/v1/agreements", &outsider, &taken);
    assert_eq!(refused.status, 403, "a non-party proposes no new version of others' agreement: {}", refused.body);
    let sign = "/api/v1/agreements/roccalba-jarvilaakso/sign";
    assert_eq!(post(sign, &outsider, &Value::Null).status, 403, "not a party");
    let unread = post(&format!("{sign}?version=2"), &roccalba, &Value::Null);
    assert_eq!(unread.status, 409, "a version other than the latest: {}", unread.body);
    let signed = post(sign, &roccalba, &Value::Null);
    assert_eq!(signed.status, 200, "{}", signed.body);
    assert_eq!(post(sign, &roccalba, &Value::Null).status, 409, "signed once");

    // Jarvilaakso's admin signs on the agreement's page.
    let session = {
        let answer = Request::new(server.addr, "POST", "/sign-in")
            .form(&[("email", "staff@jarvilaakso.example"), ("password", "microcred-demo")]);
        answer.cookie("mc_session").unwrap()
    };
    let page =
        Request::new(server.addr, "GET", "/agreements/roccalba-jarvilaakso?lang=en").header("Cookie", &session).send();
    assert!(page.body.contains("Sign this version"), "{}", page.body);
    let start = page.body.find("name=\"csrf\" value=\"").unwrap() + "name=\"csrf\" value=\"".len();
    let csrf = &page.body[start..start + page.body[start..].find('"').unwrap()];
    let signed = Request::new(server.addr, "POST", "/agreements/roccalba-jarvilaakso/sign")
        .header("Cookie", &session)
        .form(&[("csrf", csrf)]);
    assert_eq!(signed.status, 303, "{}", signed.body);
    let stored = Request::new(server.addr, "GET", "/api/v1/agreements/roccalba-jarvilaakso").send().json();
    assert_eq!(stored["state"], "signed by every party", "{stored:#}");
    let page =
        Request::new(server.addr, "GET", "/agreements/roccalba-jarvilaakso?lang=en").header("Cookie", &session).send();
    assert!(!page.body.contains("Sign this version") && page.body.contains("End this agreement"), "{}", page.body);
    let anonymous = Request::new(server.addr, "GET", "/agreements/roccalba-jarvilaakso?lang=en").send();
    assert!(!anonymous.body.contains("End this agreement"), "{}", anonymous.body);

    let end = "/api/v1/agreements/roccalba-jarvilaakso/end";
    assert_eq!(post(end, &outsider, &Value::Null).status, 403, "not a party");
    let ended = post(end, &jarvilaakso, &Value::Null);
    assert_eq!((ended.status, ended.json()["state"].as_str()), (200, Some("ended")), "{}", ended.body);
    assert_eq!(post(end, &roccalba, &Value::Null).status, 409, "ended once");
    assert_eq!(post("/api/v1/agreements", &roccalba, &document).status, 409, "an ended agreement takes no new version");
    server.stop();
}

/// Open Badges 3.0 credentials signed by other implementations (1EdTech's implementation
/// guide vector and validator test resources) are verified first, and refused with the reason
/// when they do not verify here: an issuer not on the trusted-issuer list, a key that is not
/// the issuer's.
#[test]
fn foreign_open_badges_are_verified_before_recognition() {
    let env = Env::sqlite();
    env.ok(&["demo"]);
    let vectors = concat!(env!("CARGO_MANIFEST_DIR"), "/../../../shared/vectors/ob3");
    let guide = format!("{vectors}/impl-guide-test-vector-eddsa-rdfc-2022/signed.json");
    let validator = format!("{vectors}/1edtech-validator-test-resources/simple-did-key-method.json");
    let answer: Value =
        serde_json::from_str(&env.ok(&["recognize", &guide, &validator, "--institution", "roccalba", "--json"]))
            .unwrap();
    let refused: Vec<&str> =
        answer.as_array().unwrap().iter().map(|outcome| outcome["refused"].as_str().unwrap()).collect();
    assert!(refused[0].contains("https://example.edu/issuers/565049 is not in the trusted-issuer list"), "{answer:#}");
    assert!(refused[1].contains("not by the issuer urn:uuid:6f2e33e5"), "{answer:#}");
    assert!(answer.as_array().unwrap().iter().all(|outcome| outcome["proposals"].as_array().unwrap().is_empty()));
}

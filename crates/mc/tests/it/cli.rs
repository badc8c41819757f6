//! The command line: init, demo, institutions, specifications and learners, on each backend.

use serde_json::Value;

use crate::support::{Env, exists};

#[test]
fn init_twice_changes_nothing() {
    let env = Env::sqlite();
    let first = env.ok(&["init"]);
    assert!(first.starts_with("microcred is ready: SQLite database "), "{first}");
    assert!(exists(&env.data().join("microcred.db")));
    let before = env.dump();
    assert_eq!(env.ok(&["init"]), first);
    assert_eq!(env.dump(), before);
}

#[test]
fn commands_before_init_say_what_to_do() {
    let env = Env::sqlite();
    let stderr = env.fails(&["spec", "list"]);
    assert!(stderr.contains("there is no microcred database at"), "{stderr}");
    assert!(stderr.contains("run `microcred init` first"), "{stderr}");
    assert!(!exists(&env.data()), "a refused command creates nothing");
}

#[test]
fn demo_loads_once() {
    for env in Env::all() {
        let first = env.ok(&["demo"]);
        assert_eq!(
            first,
            "demo data: added 4 institutions, 15 specifications and 50 learners; 0 records were already present\n"
        );
        let stored = env.dump();
        let second = env.ok(&["demo"]);
        assert_eq!(
            second,
            "demo data: added 0 institutions, 0 specifications and 0 learners; 69 records were already present\n"
        );
        assert_eq!(env.dump(), stored, "[{}] a second demo changes nothing", env.backend());

        let specs = json(&env.ok(&["spec", "list", "--json"]));
        let specs = specs.as_array().unwrap();
        let levels: std::collections::BTreeSet<i64> =
            specs.iter().map(|spec| spec["eqf_level"].as_i64().unwrap()).collect();
        assert_eq!(levels, (4..=8).collect(), "the demo covers EQF levels 4 to 8");
        let fields: std::collections::BTreeSet<&str> =
            specs.iter().map(|spec| spec["isced_f"].as_str().unwrap()).collect();
        assert!(fields.len() >= 10, "the demo spans many fields: {fields:?}");
        let countries = json(&env.ok(&["institution", "list", "--json"]));
        let countries: std::collections::BTreeSet<&str> =
            countries.as_array().unwrap().iter().map(|it| it["country"].as_str().unwrap()).collect();
        assert!(countries.len() >= 3, "{countries:?}");
    }
}

/// Every demo specification survives add → show --json → add: into the same database it is
/// unchanged, and into a fresh one it is stored exactly as shown.
#[test]
fn demo_specs_round_trip() {
    for env in Env::all() {
        env.ok(&["demo"]);
        let fresh = Env::sqlite();
        fresh.ok(&["init"]);
        for institution in json(&env.ok(&["institution", "list", "--json"])).as_array().unwrap() {
            let id = institution["id"].as_str().unwrap();
            let shown = env.ok(&["institution", "show", id, "--json"]);
            let path = env.write(&format!("{id}.json"), &shown);
            assert_eq!(fresh.ok(&["institution", "add", "--file", &path]), format!("added institution {id}\n"));
        }
        let specs = json(&env.ok(&["spec", "list", "--json"]));
        for spec in specs.as_array().unwrap() {
            let id = spec["id"].as_str().unwrap();
            let shown = env.ok(&["spec", "show", id, "--json"]);
            let path = env.write(&format!("{id}.json"), &shown);
            assert_eq!(
                env.ok(&["spec", "add", &path]),
                format!("specification {id} is already stored, unchanged\n"),
                "[{}]",
                env.backend()
            );
            assert!(fresh.ok(&["spec", "add", &path]).starts_with(&format!("added specification {id}: ")));
            assert_eq!(fresh.ok(&["spec", "show", id, "--json"]), shown, "[{}] {id} round-trips", env.backend());
        }
        assert_eq!(fresh.ok(&["spec", "list", "--json"]), env.ok(&["spec", "list", "--json"]));
    }
}

#[test]
fn institutions_and_learners_from_flags() {
    let env = Env::sqlite();
    env.ok(&["init"]);
    let added = env.ok(&[
        "institution",
        "add",
        "--id",
        "tallinn-ut",
        "--name",
        "Tallinna Tehnikaülikool",
        "--name-lang",
        "et",
        "--country",
        "ee",
        "--legal-id",
        "74000323",
        "--website",
        "https://taltech.example",
        "--did",
        "did:web:taltech.example",
    ]);
    assert_eq!(added, "added institution tallinn-ut\n");
    let shown = json(&env.ok(&["institution", "show", "tallinn-ut", "--json"]));
    assert_eq!(shown["name"]["et"], "Tallinna Tehnikaülikool");
    assert_eq!(shown["country"], "EE");
    let text = env.ok(&["institution", "show", "tallinn-ut"]);
    assert!(text.contains("country             EE (Estonia)"), "{text}");

    let added = env.ok(&["learner", "add", "--name", "Mari Tamm", "--email", "Mari.Tamm@Learners.Example"]);
    assert!(added.ends_with(" <mari.tamm@learners.example>\n"), "{added}");
    let learners = json(&env.ok(&["learner", "list", "--json"]));
    assert_eq!(learners[0]["email"], "mari.tamm@learners.example");
}

#[test]
fn specs_are_read_from_toml_and_standard_input() {
    let env = Env::sqlite();
    env.ok(&["demo"]);
    let path = env.write("energy.toml", SPEC_TOML);
    let added = env.ok(&["spec", "add", &path]);
    assert!(added.starts_with("added specification ") && added.ends_with(": Energy auditing\n"), "{added}");
    let id = added.split(' ').nth(2).unwrap().trim_end_matches(':');
    let shown = env.ok(&["spec", "show", id]);
    assert!(shown.contains("workload            2 ECTS, 50 hours"), "{shown}");

    let mut child = env
        .command(&["spec", "add", "-"])
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let json = SPEC_TOML.replace("Energy auditing", "Energy auditing II");
    let document: toml::Value = toml::from_str(&json).unwrap();
    std::io::Write::write_all(&mut child.stdin.take().unwrap(), serde_json::to_string(&document).unwrap().as_bytes())
        .unwrap();
    let output = child.wait_with_output().unwrap();
    assert!(output.status.success());
    assert!(String::from_utf8(output.stdout).unwrap().ends_with(": Energy auditing II\n"));
}

const SPEC_TOML: &str = r#"
awarding_bodies = ["valdeoliva"]
languages = ["en"]
title = { en = "Energy auditing" }
learning_outcomes = [{ text = { en = "Carry out an energy audit of a building" } }]
workload = { ects = 2, hours = 50 }
eqf_level = 5
assessment = { kind = "summative", methods = ["practical"] }
participation = "onsite"
quality_assurance = { internal = true }
"#;

/// A refused command, the file it reads (if any), and words its error must contain.
struct BadInput {
    args: &'static [&'static str],
    file: Option<(&'static str, &'static str)>,
    expect: &'static [&'static str],
}

const BAD_INPUTS: &[BadInput] = &[
    BadInput {
        args: &["spec", "add", "{file}"],
        file: Some(("broken.json", "{\"title\": {\"en\": \"Data\"},")),
        expect: &["broken.json was not added", "cannot read the JSON document", "line 1 column 25"],
    },
    BadInput {
        args: &["spec", "add", "{file}"],
        file: Some(("wrong-type.json", "{\"awarding_bodies\": [\"valdeoliva\"], \"workload\": {\"ects\": \"five\"}}")),
        expect: &["workload.ects: invalid type: string \"five\", expected f64 at line 1 column 63"],
    },
    BadInput {
        args: &["spec", "add", "{file}"],
        file: Some(("trailing.json", "{\"awarding_bodies\": [\"valdeoliva\"]} {}")),
        expect: &["trailing characters at line 1 column 37"],
    },
    BadInput {
        args: &["spec", "add", "{file}"],
        file: Some(("broken.toml", "title = { en = \"Data\"\n")),
        expect: &["broken.toml was not added", "cannot read the TOML document", "line 1"],
    },
    BadInput {
        args: &["spec", "add", "{file}"],
        file: Some((
            "no-outcomes.json",
            r#"{"awarding_bodies": ["valdeoliva"], "languages": ["en"], "title": {"en": "Data"},
                "workload": {"ects": 5}, "assessment": {"kind": "summative", "methods": ["project"]},
                "participation": "online", "quality_assurance": {"internal": true}}"#,
        )),
        expect: &[
            "no-outcomes.json was not added",
            "learning_outcomes: is required (Annex I element 6: learning outcomes)",
        ],
    },
    BadInput {
        args: &["spec", "add", "{file}"],
        file: Some((
            "eqf9.json",
            r#"{"awarding_bodies": ["valdeoliva"], "languages": ["en"], "title": {"en": "Data"},
                "learning_outcomes": [{"text": {"en": "Analyse data"}}], "eqf_level": 9,
                "workload": {"ects": 5}, "assessment": {"kind": "summative", "methods": ["project"]},
                "participation": "online", "quality_assurance": {"internal": true}}"#,
        )),
        expect: &["eqf_level: 9 is not an EQF level: levels go from 1 to 8"],
    },
    BadInput {
        args: &["spec", "add", "{file}"],
        file: Some((
            "stranger.json",
            r#"{"awarding_bodies": ["nowhere"], "languages": ["en"], "title": {"en": "Data"},
                "learning_outcomes": [{"text": {"en": "Analyse data"}}],
                "workload": {"ects": 5}, "assessment": {"kind": "summative", "methods": ["project"]},
                "participation": "online", "quality_assurance": {"internal": true}}"#,
        )),
        expect: &["awarding_bodies[0]: no institution with id \"nowhere\" is registered"],
    },
    BadInput {
        args: &["spec", "add", "{file}"],
        file: Some((
            "same-id.json",
            r#"{"id": "01936a3e-0000-7000-8000-000000000001", "awarding_bodies": ["valdeoliva"], "languages": ["en"],
                "title": {"en": "Something else"}, "learning_outcomes": [{"text": {"en": "Analyse data"}}],
                "workload": {"ects": 5}, "assessment": {"kind": "summative", "methods": ["project"]},
                "participation": "online", "quality_assurance": {"internal": true}}"#,
        )),
        expect: &["a different specification with id 01936a3e-0000-7000-8000-000000000001 already exists"],
    },
    BadInput { args: &["spec", "add", "{file}"], file: None, expect: &["cannot read", "missing.json"] },
    BadInput {
        args: &["spec", "show", "01936a3e-0000-7000-8000-0000000000ff"],
        file: None,
        expect: &["no specification with id \"01936a3e-0000-7000-8000-0000000000ff\" exists"],
    },
    BadInput { args: &["spec", "show", "42"], file: None, expect: &["\"42\" is not a specification id"] },
    BadInput {
        args: &["institution", "show", "nowhere"],
        file: None,
        expect: &["no institution with id \"nowhere\" exists"],
    },
    BadInput {
        args: &["institution", "add", "--id", "valdeoliva", "--name", "Other", "--country", "ES", "--legal-id", "X1"],
        file: None,
        expect: &["institution valdeoliva already exists with other details; it was left unchanged"],
    },
    BadInput {
        args: &[
            "institution",
            "add",
            "--id",
            "copycat",
            "--name",
            "Copycat",
            "--country",
            "ES",
            "--legal-id",
            "ESQ0618011A",
        ],
        file: None,
        expect: &["another institution already has the legal identifier \"ESQ0618011A\""],
    },
    BadInput {
        args: &["institution", "add", "--id", "atlantis", "--name", "Atlantis", "--country", "XX", "--legal-id", "A1"],
        file: None,
        expect: &["country: unknown country code \"XX\""],
    },
    BadInput {
        args: &["learner", "add", "--name", "Again", "--email", "JOSE.MARTINEZ@learners.example"],
        file: None,
        expect: &["a learner with email jose.martinez@learners.example already exists"],
    },
    BadInput {
        args: &["learner", "add", "--name", "Nobody", "--email", "not-an-email"],
        file: None,
        expect: &["email: \"not-an-email\" is not an email address"],
    },
];

#[test]
fn bad_input_is_refused_and_changes_nothing() {
    for env in Env::all() {
        env.ok(&["demo"]);
        let before = env.dump();
        for case in BAD_INPUTS {
            let file = match case.file {
                Some((name, text)) => env.write(name, text),
                None => env.file("missing.json").display().to_string(),
            };
            let args: Vec<&str> =
                case.args.iter().map(|arg| if *arg == "{file}" { file.as_str() } else { arg }).collect();
            let stderr = env.fails(&args);
            assert!(stderr.starts_with("error: "), "{stderr}");
            for words in case.expect {
                assert!(
                    stderr.contains(words),
                    "[{}] microcred {args:?}: expected {words:?} in:\n{stderr}",
                    env.backend()
                );
            }
            assert_eq!(env.dump(), before, "[{}] microcred {args:?} changed the database", env.backend());
        }
    }
}

#[test]
fn command_line_mistakes_exit_with_2() {
    let env = Env::sqlite();
    let output = env.command(&["spec", "frobnicate"]).output().unwrap();
    assert_eq!(output.status.code(), Some(2));
    let output = env.command(&["institution", "add", "--id", "x"]).output().unwrap();
    assert_eq!(output.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&output.stderr).contains("--name"));
}

fn json(text: &str) -> Value {
    serde_json::from_str(text).unwrap_or_else(|err| panic!("not JSON ({err}): {text}"))
}

/// ESCO's skills file is imported whole, or, with a bad row, not at all, the row named.
#[test]
fn skills_are_imported_from_escos_file_or_not_at_all() {
    let env = Env::sqlite();
    env.ok(&["init"]);
    let bad = env.write(
        "bad.csv",
        "conceptUri,preferredLabel\nhttp://data.europa.eu/esco/skill/a,usar hojas de cálculo\nhoja,sin dirección\n",
    );
    let refused = env.fails(&["skills", "import", &bad, "--language", "es"]);
    assert!(refused.contains("nothing was imported") && refused.contains("row 3: conceptUri"), "{refused}");
    let headless = env.write("headless.csv", "uri,label\nhttp://x.example/s,x\n");
    let refused = env.fails(&["skills", "import", &headless, "--language", "es"]);
    assert!(refused.contains("no `conceptUri` column"), "{refused}");
    let good =
        env.write("good.csv", "conceptUri,preferredLabel\nhttp://data.europa.eu/esco/skill/a,usar hojas de cálculo\n");
    let imported = env.ok(&["skills", "import", &good, "--language", "es"]);
    assert!(imported.contains("imported 1 skills with their names in es"), "{imported}");
    let again = env.ok(&["skills", "import", &good, "--language", "es"]);
    assert!(again.contains("imported 1 skills"), "importing again replaces: {again}");
}

//! Issuing to a cohort from a file: bad rows reported by line, the rest issued, nothing issued
//! twice when the cohort runs again.

use serde_json::Value;

use crate::support::Env;

const SPEC: &str = "01936a3e-0000-7000-8000-000000000003";

const COHORT_CSV: &str = "name,email,did,grade,completion_date
Ana Pérez,ana.perez@learners.example,,9.0,2025-06-30
Bad Row,not-an-email,,,
José Martínez Núñez,jose.martinez@learners.example,,8,2025-13-01
Luis Gómez,luis.gomez@learners.example,did:key:z6MkiTBz1ymuepAQ4HEHYSF1H8quG5GLVVQR3djdX3mDooWp,,
";

#[test]
fn cohorts_issue_good_rows_report_bad_ones_and_never_issue_twice() {
    for env in Env::all() {
        env.ok(&["demo"]);
        let cohort = env.write("spring-2025.csv", COHORT_CSV);
        let out_dir = env.file("out");
        let out = out_dir.display().to_string();
        let run = env.command(&["issue", "--spec", SPEC, "--cohort", &cohort, "--out", &out]).output().unwrap();
        assert_eq!(run.status.code(), Some(1), "rejected rows make the run fail");
        let stdout = String::from_utf8(run.stdout).unwrap();
        let stderr = String::from_utf8(run.stderr).unwrap();
        assert_eq!(
            stdout,
            "cohort spring-2025: issued 2, skipped 0 (already issued), rejected 2\n",
            "[{}]",
            env.backend()
        );
        assert!(
            stderr.contains("spring-2025.csv:3: rejected: email: \"not-an-email\" is not an email address"),
            "{stderr}"
        );
        assert!(
            stderr.contains("spring-2025.csv:4: rejected: completion_date: \"2025-13-01\" is not a date"),
            "{stderr}"
        );
        assert!(stderr.contains("2 rows of"), "{stderr}");

        let files: Vec<_> = std::fs::read_dir(&out_dir).unwrap().map(|entry| entry.unwrap().path()).collect();
        assert_eq!(files.len(), 2);
        let paths: Vec<String> = files.iter().map(|path| path.display().to_string()).collect();
        let mut args = vec!["verify", "--offline"];
        args.extend(paths.iter().map(String::as_str));
        env.ok(&args);
        let issued: Vec<Value> =
            files.iter().map(|path| serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap()).collect();
        let ana =
            issued.iter().find(|credential| credential["credentialSubject"]["result"][0]["value"] == "9.0").unwrap();
        assert_eq!(ana["awardedDate"], "2025-06-30T00:00:00Z");
        assert!(issued.iter().any(|credential| credential["credentialSubject"]["id"]
            == "did:key:z6MkiTBz1ymuepAQ4HEHYSF1H8quG5GLVVQR3djdX3mDooWp"));

        let again = env.command(&["issue", "--spec", SPEC, "--cohort", &cohort]).output().unwrap();
        assert_eq!(
            String::from_utf8(again.stdout).unwrap(),
            "cohort spring-2025: issued 0, skipped 2 (already issued), rejected 2\n"
        );
        let fixed = env.write(
            "spring-2025-fixed.csv",
            &COHORT_CSV.replace("not-an-email", "bad.row@learners.example").replace("2025-13-01", "2025-12-01"),
        );
        let fixed_run = env.ok(&["issue", "--spec", SPEC, "--cohort", &fixed, "--cohort-key", "spring-2025"]);
        assert_eq!(
            fixed_run,
            "cohort spring-2025: issued 2, skipped 2 (already issued), rejected 0\n",
            "[{}]",
            env.backend()
        );
        let listed: Value = serde_json::from_str(&env.ok(&["credential", "list", "--spec", SPEC, "--json"])).unwrap();
        assert_eq!(listed.as_array().unwrap().len(), 4, "[{}] four learners, four credentials", env.backend());
    }
}

#[test]
fn json_cohorts_and_unreadable_files() {
    let env = Env::sqlite();
    env.ok(&["demo"]);
    let cohort = env.write(
        "cohort.json",
        r#"[{"name": "Mari Tamm", "email": "mari.tamm@learners.example"}, {"name": "", "email": "x@learners.example"}]"#,
    );
    let run = env.command(&["issue", "--spec", SPEC, "--cohort", &cohort]).output().unwrap();
    assert_eq!(
        String::from_utf8(run.stdout).unwrap(),
        "cohort cohort: issued 1, skipped 0 (already issued), rejected 1\n"
    );
    assert!(String::from_utf8_lossy(&run.stderr).contains("cohort.json:2: rejected: name: must not be empty"));

    let before = env.ok(&["credential", "list", "--json"]);
    for (name, text, expected) in [
        ("columns.csv", "name,mail\nA,a@b.example\n", "unknown column \"mail\""),
        ("no-email.csv", "name\nA\n", "the header has no email column"),
        ("broken.json", "[{\"name\": \"A\"", "cannot read the JSON document"),
        ("extra.json", "[{\"name\": \"A\", \"email\": \"a@b.example\", \"age\": 3}]", "unknown field `age`"),
    ] {
        let path = env.write(name, text);
        let stderr = env.fails(&["issue", "--spec", SPEC, "--cohort", &path]);
        assert!(stderr.contains(expected) && stderr.contains("nothing was issued"), "{name}: {stderr}");
    }
    assert_eq!(env.ok(&["credential", "list", "--json"]), before);
}

/// A cohort run killed with SIGKILL part-way, then run again: every learner ends with exactly
/// one credential, no status index is used twice, and the audit log is intact.
#[test]
fn a_killed_cohort_run_resumes_without_issuing_twice() {
    use std::io::{BufRead, BufReader};

    const ROWS: usize = 2_000;
    for env in Env::all() {
        env.ok(&["demo"]);
        let mut csv = String::from("name,email\n");
        for idx in 0..ROWS {
            csv.push_str(&format!("Learner {idx},learner{idx}@crash.example\n"));
        }
        let cohort = env.write("crash.csv", &csv);
        let mut child = env
            .command(&["issue", "--spec", SPEC, "--cohort", &cohort, "--suite", "eddsa-jcs-2022"])
            .stderr(std::process::Stdio::piped())
            .stdout(std::process::Stdio::null())
            .spawn()
            .unwrap();
        let stderr = BufReader::new(child.stderr.take().unwrap());
        for line in stderr.lines() {
            // The first progress line comes once the first batch is committed.
            if line.unwrap().starts_with("crash: ") {
                break;
            }
        }
        child.kill().unwrap();
        child.wait().unwrap();

        let resumed = env.ok(&["issue", "--spec", SPEC, "--cohort", &cohort, "--suite", "eddsa-jcs-2022"]);
        let counts: Vec<usize> = resumed
            .trim_end()
            .split(|c: char| !c.is_ascii_digit())
            .filter(|part| !part.is_empty())
            .map(|part| part.parse().unwrap())
            .collect();
        let (issued, skipped) = (counts[0], counts[1]);
        assert!(skipped > 0 && issued > 0, "[{}] the kill came part-way: {resumed}", env.backend());
        assert_eq!(issued + skipped, ROWS, "[{}] {resumed}", env.backend());
        let listed: Value = serde_json::from_str(&env.ok(&["credential", "list", "--spec", SPEC, "--json"])).unwrap();
        let listed = listed.as_array().unwrap();
        assert_eq!(listed.len(), ROWS, "[{}] each learner exactly once", env.backend());
        let mut indexes = std::collections::HashSet::new();
        for credential in listed {
            for status in credential["credentialStatus"].as_array().unwrap() {
                assert!(
                    indexes.insert(status["id"].as_str().unwrap().to_owned()),
                    "[{}] a status index was used twice",
                    env.backend()
                );
            }
        }
        assert!(env.ok(&["audit", "verify"]).starts_with("the audit log is intact"));
    }
}

//! Data-driven tests of the document formats: every file under `test_data/{spec,institution,
//! learner}` is read and parsed, and the outcome (the canonical document, or every problem) is
//! compared with the `.expected` file beside it. `UPDATE_EXPECT=1 cargo test` rewrites those
//! files; review the diff.

use std::path::Path;

use crate::{
    LearnerId, SpecId,
    wire::{InstitutionDocument, LearnerDocument, SpecDocument},
};

#[test]
fn spec_documents() {
    check_dir("spec", |text, ext| {
        let document: SpecDocument = read(text, ext)?;
        let spec = document
            .parse(SpecId::parse("01936a3e-0000-7000-8000-0000000000ff").unwrap())
            .map_err(|err| err.to_string())?;
        let canonical = SpecDocument::from(&spec);
        let again = canonical.parse(spec.id()).expect("a canonical document parses");
        assert_eq!(again, spec, "the canonical document parses back to the same specification");
        Ok(serde_json::to_string_pretty(&canonical).unwrap())
    });
}

#[test]
fn institution_documents() {
    check_dir("institution", |text, ext| {
        let document: InstitutionDocument = read(text, ext)?;
        let institution = document.parse().map_err(|err| err.to_string())?;
        let canonical = InstitutionDocument::from(&institution);
        assert_eq!(canonical.parse().expect("a canonical document parses"), institution);
        Ok(serde_json::to_string_pretty(&canonical).unwrap())
    });
}

#[test]
fn learner_documents() {
    check_dir("learner", |text, ext| {
        let document: LearnerDocument = read(text, ext)?;
        let new_id = LearnerId::parse("01936a3e-0000-7000-8000-0000000000ee").unwrap();
        let learner = document.parse(new_id).map_err(|err| err.to_string())?;
        let canonical = LearnerDocument::from(&learner);
        assert_eq!(canonical.parse(new_id).expect("a canonical document parses"), learner);
        Ok(serde_json::to_string_pretty(&canonical).unwrap())
    });
}

fn read<T: serde::de::DeserializeOwned>(text: &str, ext: &str) -> Result<T, String> {
    match ext {
        "json" => serde_json::from_str(text).map_err(|err| format!("JSON: {err}")),
        "toml" => toml::from_str(text).map_err(|err| format!("TOML: {err}")),
        _ => unreachable!("only .json and .toml inputs are collected"),
    }
}

/// Runs `parse` on every input in `test_data/<dir>` and compares `Ok(document)` or
/// `Err(message)` with the expected file.
fn check_dir(dir: &str, parse: impl Fn(&str, &str) -> Result<String, String>) {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("test_data").join(dir);
    let mut inputs: Vec<_> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|entry| entry.unwrap().path())
        .filter(|path| path.extension().is_some_and(|ext| ext == "json" || ext == "toml"))
        .collect();
    inputs.sort();
    assert!(!inputs.is_empty(), "no test inputs in {}", dir.display());
    let update = std::env::var_os("UPDATE_EXPECT").is_some();
    let mut failures = Vec::new();
    for input in inputs {
        let text = std::fs::read_to_string(&input).unwrap();
        let ext = input.extension().unwrap().to_str().unwrap();
        let actual = match parse(&text, ext) {
            Ok(document) => format!("ok\n{document}\n"),
            Err(message) => format!("rejected\n{message}\n"),
        };
        let expected_path = input.with_extension("expected");
        if update {
            std::fs::write(&expected_path, &actual).unwrap();
            continue;
        }
        let expected = std::fs::read_to_string(&expected_path).unwrap_or_default();
        if expected != actual {
            failures.push(format!("{}:\n--- expected\n{expected}--- actual\n{actual}", input.display()));
        }
    }
    assert!(failures.is_empty(), "outcomes differ (UPDATE_EXPECT=1 to accept):\n\n{}", failures.join("\n"));
}

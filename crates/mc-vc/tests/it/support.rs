//! Reading the shared test vectors, and status entries for credentials made in tests.

use std::path::PathBuf;

use mc_vc::status::{StatusEntry, StatusPurpose};
use serde_json::{Map, Value};

/// The shared vectors directory (`../shared/vectors` from the project root).
pub(crate) fn vectors() -> PathBuf {
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../../shared/vectors");
    assert!(root.is_dir(), "the shared test vectors are expected at {}", root.display());
    root
}

/// A vector file as text.
pub(crate) fn text(path: &str) -> String {
    let path = vectors().join(path);
    std::fs::read_to_string(&path).unwrap_or_else(|err| panic!("{}: {err}", path.display()))
}

/// A vector file as a JSON object.
pub(crate) fn object(path: &str) -> Map<String, Value> {
    match serde_json::from_str(&text(path)).unwrap_or_else(|err| panic!("{path}: {err}")) {
        Value::Object(object) => object,
        other => panic!("{path} is not an object: {other}"),
    }
}

/// A revocation and a suspension entry, on two lists.
pub(crate) fn status_entries() -> Vec<StatusEntry> {
    [StatusPurpose::Revocation, StatusPurpose::Suspension]
        .into_iter()
        .enumerate()
        .map(|(idx, purpose)| StatusEntry {
            list_url: format!("https://issuer.example/status/list-{idx}"),
            index: 4242 + idx as u64,
            purpose,
        })
        .collect()
}

//! The fast JSON-LD path against the json-ld crate's full implementation: on every JSON-LD
//! document among the shared vectors and on microcred's own badges, both give the same
//! canonical N-Quads (or both refuse), and the fast path handles the documents microcred
//! signs.

use std::path::Path;

use mc_vc::linked_data::{canonical_nquads, fast_canonical_nquads, library_canonical_nquads};
use serde_json::{Map, Value};

use crate::support::vectors;

fn json_documents(dir: &Path, found: &mut Vec<(String, Map<String, Value>)>) {
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            json_documents(&path, found);
            continue;
        }
        let Ok(text) = std::fs::read_to_string(&path) else { continue };
        if let Ok(Value::Object(mut document)) = serde_json::from_str::<Value>(&text)
            && document.contains_key("@context")
            && !path.to_string_lossy().contains("/contexts/")
        {
            document.remove("proof");
            found.push((path.display().to_string(), document));
        }
    }
}

#[test]
fn the_fast_path_agrees_with_the_library() {
    let mut documents = Vec::new();
    json_documents(&vectors(), &mut documents);
    assert!(documents.len() > 50, "found only {} documents", documents.len());
    let mut fast = 0;
    let mut disagreements = Vec::new();
    for (path, document) in &documents {
        let library = library_canonical_nquads(document);
        match fast_canonical_nquads(document) {
            None => {}
            Some(ours) => {
                fast += 1;
                match (&ours, &library) {
                    (Ok(ours), Ok(library)) if ours == library => {}
                    (Err(_), Err(_)) => {}
                    _ => disagreements.push(format!("{path}:\n  fast: {ours:?}\n  library: {library:?}")),
                }
            }
        }
        assert_eq!(canonical_nquads(document).ok(), library.ok(), "{path}");
    }
    assert!(disagreements.is_empty(), "{}", disagreements.join("\n"));
    assert!(fast * 2 > documents.len(), "the fast path handled only {fast} of {} documents", documents.len());
}

/// Keyword aliases are found whether a context defines a few (listed) or many (looked up):
/// the fast path reads each node's `@id` and `@type` through them as the library does.
#[test]
fn keyword_aliases_few_or_many_read_as_the_library_reads_them() {
    for count in [1, 40] {
        let mut context = serde_json::json!({"name": "https://schema.org/name"});
        for idx in 0..count {
            context[format!("id{idx}")] = "@id".into();
            context[format!("type{idx}")] = "@type".into();
        }
        let last = count - 1;
        let document: Map<String, Value> = serde_json::from_value(serde_json::json!({
            "@context": context,
            format!("id{last}"): "https://example.edu/people/1",
            format!("type{last}"): "https://schema.org/Person",
            "name": "Ada",
        }))
        .unwrap();
        let fast = fast_canonical_nquads(&document).expect("the fast path reads it").unwrap();
        assert_eq!(fast, library_canonical_nquads(&document).unwrap(), "{count} aliases of each");
        assert!(fast.contains("<https://example.edu/people/1> <https://schema.org/name> \"Ada\""), "{fast}");
    }
}

/// A document may name its own blank nodes (`_:b1`) as node ids and as `@id`-typed values;
/// they stay apart from the nodes it leaves unnamed, whatever the labels, as the library keeps
/// them.
#[test]
fn named_blank_nodes_stay_apart_from_unnamed_ones() {
    for label in ["b0", "b1", "b2", "1", "a", "c14n0", "x"] {
        let blank = format!("_:{label}");
        let document: Map<String, Value> = serde_json::from_value(serde_json::json!({
            "@context": {
                "name": "https://schema.org/name",
                "knows": {"@id": "https://schema.org/knows", "@type": "@id"},
                "friend": "https://schema.org/follows",
            },
            "name": "unnamed",
            "knows": blank,
            "friend": {"@id": blank, "name": "named"},
        }))
        .unwrap();
        let library = library_canonical_nquads(&document).unwrap();
        assert_eq!(library.lines().count(), 4, "{library}");
        if let Some(fast) = fast_canonical_nquads(&document) {
            assert_eq!(fast.unwrap(), library, "{blank}");
        }
        assert_eq!(canonical_nquads(&document).unwrap(), library, "{blank}");
    }
}

/// Inputs the fuzzer (`fuzz/`) found a crash with, kept so that it never comes back: each is
/// verified as a credential, and must come back `invalid` with its cause, never panic.
#[test]
fn fuzzer_crashes_are_invalid_credentials() {
    let cases = [
        // The JSON-LD library panicked hashing an IRI whose percent-encoding is not UTF-8
        // (found by the credential target, then by the status list target).
        ("credential-non-utf8-percent-iri.json", "\"u:%8e\" holds a percent-encoded sequence that is not UTF-8"),
        ("status-list-non-utf8-percent-iri.json", "\"h:%e2\" holds a percent-encoded sequence that is not UTF-8"),
    ];
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("test_data/fuzz");
    for (file, cause) in cases {
        let text = std::fs::read_to_string(dir.join(file)).unwrap();
        let params = mc_vc::verify::VerifyParams {
            now: mc_core::Timestamp::parse("2026-01-01T00:00:00Z").unwrap(),
            resolver: &mc_vc::did::NoResolver,
            trusted_issuers: None,
            status: &mc_vc::status::NoStatusLists,
        };
        let result = mc_vc::verify::verify_text(&text, &params);
        assert_eq!(result.verdict, mc_vc::verify::Verdict::Invalid, "{file}: {result:#?}");
        let failed = result.checks.iter().find(|check| check.status == mc_vc::verify::CheckStatus::Failed).unwrap();
        assert!(failed.message.contains(cause), "{file}: {failed:?}");
        let document: Map<String, Value> = serde_json::from_str(&text).unwrap();
        let err = library_canonical_nquads(&document).unwrap_err().to_string();
        assert!(err.contains(cause), "{file}: {err}");
    }
}

//! microcred's JSON Canonicalization against serde_json_canonicalizer, an independent RFC 8785
//! implementation, on every JSON document among the shared vectors and on the hard cases.

use std::path::Path;

use mc_vc::proof::jcs;
use serde_json::{Value, json};

use crate::support::vectors;

fn documents(dir: &Path, found: &mut Vec<(String, Value)>) {
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            documents(&path, found);
        } else if let Ok(text) = std::fs::read_to_string(&path)
            && let Ok(value) = serde_json::from_str::<Value>(&text)
        {
            found.push((path.display().to_string(), value));
        }
    }
}

#[test]
fn jcs_agrees_with_an_independent_implementation() {
    let mut cases = Vec::new();
    documents(&vectors(), &mut cases);
    assert!(cases.len() > 100);
    let hard = json!({
        "numbers": [0, -0.0, 1, -1, 1e21, 1e-7, 0.1, 1.5, 9007199254740991_i64, 9007199254740993_u64, 18446744073709551615_u64, -9007199254740993_i64, 123456789.0, 5e-324, 1.7976931348623157e308],
        "strings": ["\u{0}\u{1}\u{8}\u{9}\u{a}\u{b}\u{c}\u{d}\u{1f}\u{7f}", "\"quoted\" \\ back/slash", "€ 😀 \u{e000} \u{ffff}"],
        "\u{e000}": "private use", "😀": "emoji key", "a": 1, "A": 2, "é": 3,
        "nested": {"z": [], "y": {}, "x": null, "w": true},
    });
    cases.push(("hard cases".to_owned(), hard));
    for (name, value) in &cases {
        let expected = serde_json_canonicalizer::to_string(value).unwrap();
        assert_eq!(jcs(value), expected, "{name}");
    }
}

/// Every character JCS escapes, and some it does not, at every place of strings up to three
/// words long (the writer looks at eight bytes at a time).
#[test]
fn escapes_are_found_wherever_they_are() {
    let plain = "abcdefghijklmnopqrstuvwx";
    let mut strings = Vec::new();
    for special in ['"', '\\', '\u{0}', '\u{8}', '\n', '\u{1f}', '\u{7f}', 'é', '€', '😀', ' ', '!', '#', '[', ']']
    {
        for length in 0..=plain.len() {
            for at in 0..=length {
                strings.push(format!("{}{special}{}", &plain[..at], &plain[at..length]));
            }
        }
    }
    let value = Value::Array(strings.into_iter().map(Value::String).collect());
    assert_eq!(jcs(&value), serde_json_canonicalizer::to_string(&value).unwrap());
}

//! RFC 8785 JSON Canonicalization Scheme, written straight into a buffer for hashing: no copy
//! of the document, the top-level `proof` left out and its `@context` replaced on the way.

use std::cmp::Ordering;

use serde_json::{Map, Value};

/// How the top level of a document is changed while it is canonicalized.
#[derive(Default)]
pub(crate) struct TopLevel<'a> {
    /// A member to leave out (the document's `proof`).
    pub(crate) skip: Option<&'a str>,
    /// A value to write for `@context` instead of the document's (which must have one).
    pub(crate) context: Option<&'a Value>,
}

/// The JCS form of `object`, changed at the top level as `top` says.
pub(crate) fn canonical_object(object: &Map<String, Value>, top: &TopLevel<'_>) -> Vec<u8> {
    let mut out = Vec::with_capacity(4096);
    write_object(object, Some(top), &mut out);
    out
}

/// The JCS form of any value.
pub(crate) fn canonical(value: &Value) -> Vec<u8> {
    let mut out = Vec::with_capacity(1024);
    write_value(value, &mut out);
    out
}

/// Orders keys by their UTF-16 code units, as RFC 8785 §3.2.3 requires.
fn utf16_order(a: &str, b: &str) -> Ordering {
    a.encode_utf16().cmp(b.encode_utf16())
}

fn write_object(object: &Map<String, Value>, top: Option<&TopLevel<'_>>, out: &mut Vec<u8>) {
    // serde_json keeps keys in UTF-8 order, which is UTF-16 order unless a key holds a
    // character at or above U+E000; sort only then (or if insertion order is kept).
    if object.keys().is_sorted_by(|a, b| utf16_order(a, b) != Ordering::Greater) {
        write_members(object.iter(), top, out);
    } else {
        let mut members: Vec<(&String, &Value)> = object.iter().collect();
        members.sort_by(|a, b| utf16_order(a.0, b.0));
        write_members(members.into_iter(), top, out);
    }
}

fn write_members<'v>(
    members: impl Iterator<Item = (&'v String, &'v Value)>,
    top: Option<&TopLevel<'_>>,
    out: &mut Vec<u8>,
) {
    out.push(b'{');
    let mut first = true;
    for (key, value) in members {
        let value = match top {
            Some(top) if top.skip == Some(key.as_str()) => continue,
            Some(TopLevel { context: Some(context), .. }) if key == "@context" => *context,
            _ => value,
        };
        if !first {
            out.push(b',');
        }
        first = false;
        write_string(key, out);
        out.push(b':');
        write_value(value, out);
    }
    out.push(b'}');
}

fn write_value(value: &Value, out: &mut Vec<u8>) {
    match value {
        Value::Null => out.extend_from_slice(b"null"),
        Value::Bool(true) => out.extend_from_slice(b"true"),
        Value::Bool(false) => out.extend_from_slice(b"false"),
        Value::Number(number) => write_number(number, out),
        Value::String(text) => write_string(text, out),
        Value::Array(items) => {
            out.push(b'[');
            for (idx, item) in items.iter().enumerate() {
                if idx > 0 {
                    out.push(b',');
                }
                write_value(item, out);
            }
            out.push(b']');
        }
        Value::Object(object) => write_object(object, None, out),
    }
}

/// Numbers as ECMAScript writes them (RFC 8785 §3.2.2.3).
fn write_number(number: &serde_json::Number, out: &mut Vec<u8>) {
    const SAFE: u64 = 1 << 53;
    match (number.as_i64(), number.as_u64()) {
        (Some(int), _) if int.unsigned_abs() <= SAFE => out.extend_from_slice(int.to_string().as_bytes()),
        (_, Some(int)) if int <= SAFE => out.extend_from_slice(int.to_string().as_bytes()),
        _ => {
            let float = number.as_f64().unwrap_or(f64::NAN);
            let mut buffer = ryu_js::Buffer::new();
            out.extend_from_slice(buffer.format(float).as_bytes());
        }
    }
}

/// Strings with only the escapes RFC 8785 §3.2.2.2 calls for.
fn write_string(text: &str, out: &mut Vec<u8>) {
    out.push(b'"');
    let bytes = text.as_bytes();
    let mut start = 0;
    let mut idx = 0;
    while idx < bytes.len() {
        // Most text needs no escape: eight bytes at a time while none does.
        if let Some(word) = bytes.get(idx..idx + 8)
            && !needs_escape(u64::from_le_bytes(word.try_into().expect("eight bytes")))
        {
            idx += 8;
            continue;
        }
        let byte = bytes[idx];
        idx += 1;
        let escape: &[u8] = match byte {
            b'"' => b"\\\"",
            b'\\' => b"\\\\",
            0x08 => b"\\b",
            0x0c => b"\\f",
            b'\n' => b"\\n",
            b'\r' => b"\\r",
            b'\t' => b"\\t",
            0x00..=0x1f => b"",
            _ => continue,
        };
        out.extend_from_slice(&bytes[start..idx - 1]);
        match escape.is_empty() {
            true => out.extend_from_slice(format!("\\u{byte:04x}").as_bytes()),
            false => out.extend_from_slice(escape),
        }
        start = idx;
    }
    out.extend_from_slice(&bytes[start..]);
    out.push(b'"');
}

/// Whether any of the eight bytes of `word` is a control character, a quote or a backslash.
/// A byte below `n` (at most 0x80) borrows in `x - n` and had its high bit clear; one that is
/// not never sets a high bit here unless a byte below it already did.
fn needs_escape(word: u64) -> bool {
    const ONES: u64 = u64::from_ne_bytes([1; 8]);
    const HIGH_BITS: u64 = ONES * 0x80;
    let any_below = |x: u64, n: u8| x.wrapping_sub(ONES * u64::from(n)) & !x & HIGH_BITS != 0;
    any_below(word, 0x20)
        || any_below(word ^ (ONES * u64::from(b'"')), 1)
        || any_below(word ^ (ONES * u64::from(b'\\')), 1)
}

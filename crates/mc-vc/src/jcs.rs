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

/// Orders keys by their UTF-16 code units, as RFC 8785 §3.2.3 requires. UTF-8 bytes order
/// strings as code points do, which is UTF-16 order but where the first characters that differ
/// are one from U+E000 to U+FFFF and one above U+FFFF (which UTF-16 writes with surrogates,
/// below U+E000): both start with a byte of 0xEE or more.
fn utf16_order(a: &str, b: &str) -> Ordering {
    let first_difference = a.bytes().zip(b.bytes()).find(|(x, y)| x != y);
    match first_difference {
        Some((x, y)) if x >= 0xEE && y >= 0xEE => a.encode_utf16().cmp(b.encode_utf16()),
        _ => a.as_bytes().cmp(b.as_bytes()),
    }
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
    let bytes = text.as_bytes();
    out.reserve(bytes.len() + 2);
    out.push(b'"');
    // Most text needs no escape: it is looked at eight bytes at a time, and copied whole.
    let plain = match bytes.len() {
        0..8 => !needs_escape(padded(bytes)),
        len => {
            bytes.chunks_exact(8).all(|word| !needs_escape(word_at(word))) && !needs_escape(word_at(&bytes[len - 8..]))
        }
    };
    match plain {
        true => out.extend_from_slice(bytes),
        false => write_escaped(bytes, out),
    }
    out.push(b'"');
}

/// The first eight bytes of `bytes` as a word.
fn word_at(bytes: &[u8]) -> u64 {
    u64::from_le_bytes(bytes[..8].try_into().expect("eight bytes"))
}

/// Fewer than eight bytes as a word, filled up with spaces, which need no escape.
fn padded(short: &[u8]) -> u64 {
    short.iter().rev().fold(u64::from_le_bytes([b' '; 8]), |word, &byte| (word << 8) | u64::from(byte))
}

/// The bytes of a string that needs escapes, each written as JCS writes it.
fn write_escaped(bytes: &[u8], out: &mut Vec<u8>) {
    for &byte in bytes {
        match byte {
            b'"' => out.extend_from_slice(b"\\\""),
            b'\\' => out.extend_from_slice(b"\\\\"),
            0x08 => out.extend_from_slice(b"\\b"),
            0x0c => out.extend_from_slice(b"\\f"),
            b'\n' => out.extend_from_slice(b"\\n"),
            b'\r' => out.extend_from_slice(b"\\r"),
            b'\t' => out.extend_from_slice(b"\\t"),
            0x00..=0x1f => out.extend_from_slice(format!("\\u{byte:04x}").as_bytes()),
            _ => out.push(byte),
        }
    }
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

#[cfg(test)]
mod tests {
    /// A short string's word holds its bytes first, then spaces: a byte left zero would look
    /// like a control character and send every short string the slow way.
    #[test]
    fn a_short_string_is_padded_with_spaces() {
        let text = b"abcdefg";
        for len in 0..8 {
            let mut expected = [b' '; 8];
            expected[..len].copy_from_slice(&text[..len]);
            assert_eq!(super::padded(&text[..len]), u64::from_le_bytes(expected), "{len} bytes");
            assert!(!super::needs_escape(super::padded(&text[..len])));
        }
    }
}

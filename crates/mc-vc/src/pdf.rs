//! The credential a PDF carries as an attached file, as in microcred's supplement (PDF/A-3 with
//! the signed credential as its associated file): read back from the file's embedded-file
//! streams, found by their dictionaries (`/Type /EmbeddedFile`) without reading the rest of the
//! document, and decoded when stored plain or Flate-compressed. Such a stream is always an
//! object of its own, so a PDF saved again by another program, with object streams or a
//! cross-reference stream, is read too. A PDF must carry exactly one attached file.

use std::io::Read;

use crate::bake::{BakeError, MAX_IMAGE_BYTES};

const KIND: &str = "PDF";

/// Whether `bytes` are a PDF: its header within the first kilobyte, as readers accept it.
pub fn is_pdf(bytes: &[u8]) -> bool {
    find(&bytes[..bytes.len().min(1024)], b"%PDF-", 0).is_some()
}

/// The credential (JSON or a compact JWS) attached to a PDF.
pub fn attached_credential(bytes: &[u8]) -> Result<String, BakeError> {
    if bytes.len() > MAX_IMAGE_BYTES {
        return Err(BakeError::TooLarge);
    }
    let mut files = Vec::new();
    let mut from = 0;
    while let Some(at) = find(bytes, b"/EmbeddedFile", from) {
        from = at + 1;
        // `/EmbeddedFiles` (the name tree) and other longer names are not this one.
        if bytes.get(at + b"/EmbeddedFile".len()).is_some_and(|&next| is_regular(next)) {
            continue;
        }
        files.push(embedded_file(bytes, at)?);
        // A second one is enough to refuse the file: no need to read a thousand.
        if files.len() > 1 {
            return Err(broken(
                "it carries more than one attached file, where a supplement carries its credential alone",
            ));
        }
    }
    match files.pop() {
        None => Err(BakeError::NotCarried(KIND)),
        Some(file) => String::from_utf8(file).map_err(|_| broken("its attached file is not text")),
    }
}

/// The decoded content of the embedded-file stream whose dictionary names its type at `at`.
fn embedded_file(bytes: &[u8], at: usize) -> Result<Vec<u8>, BakeError> {
    let object_start = rfind(&bytes[..at], b"obj").map_or(0, |start| start + 3);
    let keyword = find(bytes, b"stream", at).ok_or_else(|| broken("an attached file has no content"))?;
    let dictionary = &bytes[object_start..keyword];
    if find(dictionary, b"endobj", 0).is_some() {
        return Err(broken("an attached file has no content"));
    }
    let mut start = keyword + b"stream".len();
    if bytes[start..].starts_with(b"\r\n") {
        start += 2;
    } else if bytes[start..].starts_with(b"\n") {
        start += 1;
    } else {
        return Err(broken("an attached file's content does not start on a new line"));
    }
    let declared = direct_length(dictionary).filter(|length| {
        let end = start.saturating_add(*length);
        end <= bytes.len() && bytes[end..].trim_ascii_start().starts_with(b"endstream")
    });
    let end = match declared {
        Some(length) => start + length,
        None => {
            let end =
                find(bytes, b"endstream", start).ok_or_else(|| broken("an attached file's content never ends"))?;
            let content = &bytes[start..end];
            start + content.strip_suffix(b"\r\n").or(content.strip_suffix(b"\n")).map_or(content.len(), <[u8]>::len)
        }
    };
    let content = &bytes[start..end];
    match filter(dictionary)? {
        None => Ok(content.to_vec()),
        Some(Filter::Flate) => {
            let mut decoded = Vec::new();
            flate2::read::ZlibDecoder::new(content)
                .take(MAX_IMAGE_BYTES as u64 + 1)
                .read_to_end(&mut decoded)
                .map_err(|err| broken(format!("its attached file does not decompress: {err}")))?;
            if decoded.len() > MAX_IMAGE_BYTES {
                return Err(BakeError::TooLarge);
            }
            Ok(decoded)
        }
    }
}

enum Filter {
    Flate,
}

/// The stream's filter: none, Flate, or one microcred does not read.
fn filter(dictionary: &[u8]) -> Result<Option<Filter>, BakeError> {
    let Some(at) = find(dictionary, b"/Filter", 0) else { return Ok(None) };
    let value = dictionary[at + b"/Filter".len()..].trim_ascii_start();
    let (value, array) = match value.strip_prefix(b"[") {
        Some(inside) => (inside.trim_ascii_start(), true),
        None => (value, false),
    };
    let Some(name) = value.strip_prefix(b"/") else { return Err(broken("its attached file names no filter")) };
    let name = &name[..name.iter().take_while(|&&byte| is_regular(byte)).count()];
    let alone = !array || value[1 + name.len()..].trim_ascii_start().starts_with(b"]");
    match name {
        b"FlateDecode" | b"Fl" if alone => Ok(Some(Filter::Flate)),
        _ if !alone => Err(broken("its attached file is encoded with several filters, which microcred does not read")),
        _ => Err(broken(format!(
            "its attached file is encoded as /{}, which microcred does not read",
            String::from_utf8_lossy(name)
        ))),
    }
}

/// The `/Length` of a stream dictionary when written as a number (not a reference).
fn direct_length(dictionary: &[u8]) -> Option<usize> {
    let at = find(dictionary, b"/Length", 0)?;
    let rest = dictionary[at + b"/Length".len()..].trim_ascii_start();
    let digits = rest.iter().take_while(|byte| byte.is_ascii_digit()).count();
    let after = rest[digits..].trim_ascii_start();
    // `12 0 R` is a reference to the length, kept elsewhere.
    let second = after.iter().take_while(|byte| byte.is_ascii_digit()).count();
    if second > 0 && after[second..].trim_ascii_start().starts_with(b"R") {
        return None;
    }
    std::str::from_utf8(&rest[..digits]).ok()?.parse().ok()
}

/// Whether `byte` can continue a PDF name (it is neither white space nor a delimiter).
fn is_regular(byte: u8) -> bool {
    !byte.is_ascii_whitespace() && byte != 0 && !b"()<>[]{}/%".contains(&byte)
}

fn find(haystack: &[u8], needle: &[u8], from: usize) -> Option<usize> {
    haystack.get(from..)?.windows(needle.len()).position(|window| window == needle).map(|at| at + from)
}

fn rfind(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    haystack.windows(needle.len()).rposition(|window| window == needle)
}

fn broken(why: impl Into<String>) -> BakeError {
    BakeError::Broken { kind: KIND, why: why.into() }
}

#[cfg(test)]
mod tests {
    use std::io::Write;

    use super::*;

    const CREDENTIAL: &str = r#"{"type":["VerifiableCredential"],"name":"Análisis de datos"}"#;

    /// A minimal PDF with `files` as embedded-file streams, each with `dictionary` entries.
    fn pdf(files: &[(&str, &[u8])]) -> Vec<u8> {
        let mut out =
            b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<< /Type /Catalog /Names << /EmbeddedFiles 2 0 R >> >>\nendobj\n"
                .to_vec();
        for (number, (dictionary, content)) in files.iter().enumerate() {
            write!(out, "{} 0 obj\n<< /Type /EmbeddedFile {dictionary} >>\nstream\n", number + 3).unwrap();
            out.extend_from_slice(content);
            out.extend_from_slice(b"\nendstream\nendobj\n");
        }
        out.extend_from_slice(b"trailer\n<< /Root 1 0 R >>\n%%EOF\n");
        out
    }

    #[test]
    fn a_plain_attachment_is_read_back() {
        let length = format!("/Subtype /application#2Fjson /Length {}", CREDENTIAL.len());
        let file = pdf(&[(&length, CREDENTIAL.as_bytes())]);
        assert!(is_pdf(&file));
        assert_eq!(attached_credential(&file).unwrap(), CREDENTIAL);
        // A length kept elsewhere: the content runs to `endstream`.
        let file = pdf(&[("/Length 9 0 R", CREDENTIAL.as_bytes())]);
        assert_eq!(attached_credential(&file).unwrap(), CREDENTIAL);
    }

    #[test]
    fn a_compressed_attachment_is_read_back() {
        let mut encoder = flate2::write::ZlibEncoder::new(Vec::new(), flate2::Compression::default());
        encoder.write_all(CREDENTIAL.as_bytes()).unwrap();
        let compressed = encoder.finish().unwrap();
        let dictionary = format!("/Filter /FlateDecode /Length {}", compressed.len());
        assert_eq!(attached_credential(&pdf(&[(&dictionary, &compressed)])).unwrap(), CREDENTIAL);
        let dictionary = format!("/Filter [/FlateDecode] /Length {}", compressed.len());
        assert_eq!(attached_credential(&pdf(&[(&dictionary, &compressed)])).unwrap(), CREDENTIAL);
    }

    #[test]
    fn names_that_only_begin_like_an_attachment_are_passed_over_once_each() {
        let mut crowded = b"%PDF-1.7\n".to_vec();
        crowded.extend(b"/EmbeddedFiles ".repeat(200_000));
        assert_eq!(attached_credential(&crowded), Err(BakeError::NotCarried("PDF")));
        let many = pdf(&vec![("", CREDENTIAL.as_bytes()); 1_000]);
        let said = attached_credential(&many).unwrap_err().to_string();
        assert!(said.contains("more than one attached file"), "{said}");
    }

    #[test]
    fn a_pdf_without_one_attachment_or_with_an_unreadable_one_says_so() {
        assert_eq!(attached_credential(&pdf(&[])), Err(BakeError::NotCarried("PDF")));
        let two = pdf(&[("", CREDENTIAL.as_bytes()), ("", CREDENTIAL.as_bytes())]);
        let said = attached_credential(&two).unwrap_err().to_string();
        assert!(said.contains("carries more than one attached file"), "{said}");
        let said = attached_credential(&pdf(&[("/Filter /ASCIIHexDecode", b"7b7d")])).unwrap_err().to_string();
        assert!(said.contains("encoded as /ASCIIHexDecode"), "{said}");
        let said = attached_credential(&pdf(&[("/Filter /FlateDecode", b"not zlib")])).unwrap_err().to_string();
        assert!(said.contains("does not decompress"), "{said}");
        let mut cut = pdf(&[("", CREDENTIAL.as_bytes())]);
        cut.truncate(cut.len() - 48);
        let said = attached_credential(&cut).unwrap_err().to_string();
        assert!(said.contains("never ends"), "{said}");
        let said = attached_credential(&pdf(&[("", b"\xff\xfe")])).unwrap_err().to_string();
        assert!(said.contains("not text"), "{said}");
    }
}

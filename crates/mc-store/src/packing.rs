//! Credential documents kept packed: compressed with LZ4 using the document of another
//! credential stored in the same statement, its base, as the dictionary. The credentials of a
//! cohort differ from one another in a few hundred bytes, so a 6 KB document packs to under
//! 500, and a SQLite page holds eight of them instead of half of one.
//!
//! A packed document is its length (4 bytes, little-endian) and the LZ4 block, in base64, so
//! that it stays text on both backends. It is read back byte for byte: a signed credential is
//! kept exactly as it was signed.

use base64::{Engine, engine::general_purpose::STANDARD};

/// The most a packed document may claim to unpack to. The length is read before unpacking and
/// that much is set aside, so a damaged length must not be believed; credentials are far
/// smaller.
const MAX_UNPACKED: usize = 16 << 20;

/// `document` packed against `base`, or `None` when packing would not at least halve it (a
/// document unlike its base is kept as written, and reads without its base). What is packed
/// is unpacked again and compared before it is kept: a signed document is never stored in a
/// form that would not give it back.
pub(crate) fn pack(document: &str, base: &str) -> Option<String> {
    let block = lz4_flex::block::compress_prepend_size_with_dict(document.as_bytes(), base.as_bytes());
    let packed = STANDARD.encode(&block);
    let gives_it_back = || unpack_block(&block, base).is_ok_and(|unpacked| unpacked == document);
    (packed.len() <= document.len() / 2 && gives_it_back()).then_some(packed)
}

/// The document `packed` holds, given the base it was packed against; what is wrong with it
/// otherwise.
pub(crate) fn unpack(packed: &str, base: &str) -> Result<String, String> {
    let bytes = STANDARD.decode(packed).map_err(|err| format!("its packed document is not base64: {err}"))?;
    unpack_block(&bytes, base)
}

/// The document a packed document's bytes (its length, then the LZ4 block) hold.
fn unpack_block(bytes: &[u8], base: &str) -> Result<String, String> {
    let Some((length, block)) = bytes.split_first_chunk::<4>() else {
        return Err(format!("its packed document is {} bytes, too short to hold its length", bytes.len()));
    };
    let length = u32::from_le_bytes(*length) as usize;
    if length > MAX_UNPACKED {
        return Err(format!("its packed document claims {length} bytes, more than a document may have"));
    }
    let bytes = lz4_flex::block::decompress_with_dict(block, length, base.as_bytes())
        .map_err(|err| format!("its packed document does not unpack against its base: {err}"))?;
    if bytes.len() != length {
        return Err(format!("its packed document unpacks to {} bytes, not the {length} it claims", bytes.len()));
    }
    String::from_utf8(bytes).map_err(|err| format!("its packed document unpacks to text that is not UTF-8: {err}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    const BASE: &str = r#"{"id":"urn:uuid:1","name":"Data analysis with spreadsheets","learner":"Ana","proof":"z3x"}"#;

    #[test]
    fn a_document_like_its_base_packs_small_and_unpacks_to_the_same_bytes() {
        let document = BASE.replace("urn:uuid:1", "urn:uuid:2").replace("Ana", "Bruno");
        let packed = pack(&document, BASE).expect("it packs");
        assert!(packed.len() * 2 <= document.len(), "{} bytes packed from {}", packed.len(), document.len());
        assert_eq!(unpack(&packed, BASE).unwrap(), document);
    }

    #[test]
    fn a_document_unlike_its_base_is_kept_as_written() {
        assert_eq!(pack(r#"{"a":1}"#, BASE), None);
    }

    #[test]
    fn damaged_packed_documents_are_errors_not_panics() {
        let document = BASE.replace("Ana", "Bruno");
        let block = STANDARD.decode(pack(&document, BASE).unwrap()).unwrap();
        let claims = |length: u32| STANDARD.encode([length.to_le_bytes().as_slice(), &block[4..]].concat());
        let cases = [
            ("not base64", "{\"a\":1}".to_owned(), BASE, "is not base64"),
            ("empty", String::new(), BASE, "too short to hold its length"),
            ("a huge length", claims(u32::MAX), BASE, "more than a document may have"),
            ("a longer length", claims(document.len() as u32 + 10), BASE, "unpack"),
            ("a cut block", STANDARD.encode(&block[..block.len() - 3]), BASE, "does not unpack"),
            ("another base", claims(document.len() as u32), "", "does not unpack"),
        ];
        for (case, packed, base, expected) in cases {
            let err = unpack(&packed, base).expect_err(case);
            assert!(err.contains(expected), "{case}: {err}");
        }
    }
}

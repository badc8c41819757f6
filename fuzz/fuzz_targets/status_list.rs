//! Fuzzes status list credentials: the checks of a list found at a URL, and the decoding of an
//! `encodedList` (base64url of GZIP, with size limits against compression bombs).
#![no_main]

mod common;

use libfuzzer_sys::fuzz_target;
use mc_vc::status::{Bitstring, MIN_LIST_SIZE};
use serde_json::Value;

fuzz_target!(init: common::tolerate_the_caught_library_panic(), |data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else { return };
    let encoded = match mc_vc::strict_json::from_str(text) {
        Ok(Value::Object(list)) => {
            let checked = mc_vc::verify::check_status_list(&list, "https://example.org/status/1", &common::params());
            if let Ok(checked) = checked {
                assert!(checked.bits.len() >= MIN_LIST_SIZE);
            }
            list.get("credentialSubject").and_then(|subject| subject.get("encodedList")?.as_str()).map(str::to_owned)
        }
        _ => Some(text.trim().to_owned()),
    };
    if let Some(Ok(bits)) = encoded.as_deref().map(Bitstring::decode) {
        assert!(bits.len() >= MIN_LIST_SIZE, "a list of {} entries", bits.len());
        for index in [0, bits.len() / 2, bits.len() - 1] {
            assert!(bits.get(index).is_ok());
        }
        assert!(bits.get(bits.len()).is_err());
        assert_eq!(Bitstring::decode(&bits.encode()).as_ref(), Ok(&bits), "an encoded list decodes to itself");
    }
});

//! Fuzzes the VC-JWT path of the verifier. The input is the header, payload and signature
//! separated by 0xFF bytes, each base64url-encoded here, so that mutations land in the JSON
//! inside rather than in the encoding.
#![no_main]

mod common;

use base64::{Engine, engine::general_purpose::URL_SAFE_NO_PAD};
use libfuzzer_sys::fuzz_target;

fuzz_target!(init: common::tolerate_the_caught_library_panic(), |data: &[u8]| {
    let parts: Vec<String> = data.split(|byte| *byte == 0xFF).map(|part| URL_SAFE_NO_PAD.encode(part)).collect();
    let result = mc_vc::verify::verify_text(&parts.join("."), &common::params());
    common::assert_sound(&result);
});

//! Fuzzes the verifier with credential text: JSON read strictly, JSON-LD expansion and
//! canonicalization, the structure checks and the Data Integrity proofs.
#![no_main]

mod common;

use libfuzzer_sys::fuzz_target;

fuzz_target!(init: common::tolerate_the_caught_library_panic(), |data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else { return };
    let result = mc_vc::verify::verify_text(text, &common::params());
    common::assert_sound(&result);
});

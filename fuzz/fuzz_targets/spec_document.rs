//! Fuzzes the specification parser: a JSON or TOML document read, checked field by field, run
//! through the quality check, and, when valid, written back as its canonical document, which
//! must parse to the same specification and get the same labels.
#![no_main]

use libfuzzer_sys::fuzz_target;
use mc_core::{SpecId, wire::SpecDocument};

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else { return };
    let Ok(document) = mc_app::parse_document::<SpecDocument>(text, mc_app::Format::sniff(text)) else { return };
    let report = mc_core::quality::check(&document, &|_| Some("ES".to_owned()));
    let fallback = SpecId::parse("01936a3e-0000-7000-8000-000000000001").expect("a valid id");
    if let Ok(spec) = document.parse(fallback) {
        let canonical = SpecDocument::from(&spec);
        let country = |_: &str| Some("ES".to_owned());
        assert_eq!(
            mc_core::quality::spec_labels(&spec, &country),
            mc_core::quality::check(&canonical, &country).labels,
            "a specification's labels are those the check gives its canonical document"
        );
        let again = canonical.parse(spec.id()).expect("the canonical document of a specification parses");
        assert_eq!(again, spec, "the canonical document says the same");
        let json = serde_json::to_string(&canonical).expect("a document serializes");
        let read: SpecDocument = serde_json::from_str(&json).expect("a serialized document reads back");
        assert_eq!(read.parse(spec.id()).expect("it parses"), spec);
    } else {
        assert!(report.has_errors(), "a document that does not parse has quality errors");
    }
});

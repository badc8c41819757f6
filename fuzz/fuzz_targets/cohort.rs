//! Fuzzes the cohort file reader (CSV and JSON) and the checks of each row's learner.
#![no_main]

use libfuzzer_sys::fuzz_target;
use mc_core::{LearnerId, wire::LearnerDocument};

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else { return };
    for json in [false, true] {
        let Ok(rows) = mc_app::parse_cohort(text, json) else { continue };
        let mut lines: Vec<usize> = rows.iter().map(|(line, _)| *line).collect();
        lines.dedup();
        assert_eq!(lines.len(), rows.len(), "each row has its own line");
        for (_, row) in rows {
            let document =
                LearnerDocument { id: None, name: row.name.clone(), email: row.email.clone(), did: row.did.clone() };
            let _ = document.parse(LearnerId::parse("01936a3e-0000-7000-8000-000000000001").expect("a valid id"));
        }
    }
});

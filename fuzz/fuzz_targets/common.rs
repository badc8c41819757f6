//! What the verifier targets share: the verification parameters of an offline verifier at a
//! fixed time, and the invariant every verification must keep.
#![allow(dead_code, reason = "each target uses what it needs of this module")]

use std::sync::LazyLock;

use mc_core::Timestamp;
use mc_vc::{
    did::NoResolver,
    status::NoStatusLists,
    verify::{CheckStatus, Verdict, Verification, VerifyParams},
};

static NOW: LazyLock<Timestamp> = LazyLock::new(|| Timestamp::parse("2026-01-01T00:00:00Z").expect("a valid time"));

/// An offline verifier: did:key only, no status lists, no trusted-issuer list.
pub fn params() -> VerifyParams<'static> {
    VerifyParams { now: *NOW, resolver: &NoResolver, trusted_issuers: None, status: &NoStatusLists }
}

/// `valid` only when every check held (or did not apply).
pub fn assert_sound(result: &Verification) {
    if result.verdict == Verdict::Valid {
        for check in &result.checks {
            assert!(matches!(check.status, CheckStatus::Passed | CheckStatus::Skipped), "valid with {check:?}");
        }
    }
}

/// The JSON-LD library panics on an IRI whose percent-encoding is not UTF-8 (in pct-str);
/// mc-vc catches that panic and reports the document as invalid (see
/// `mc-vc/test_data/fuzz`). libFuzzer's panic hook aborts on every panic, caught or not: this
/// one lets that known, caught panic pass, and still aborts on every other.
pub fn tolerate_the_caught_library_panic() {
    let abort = std::panic::take_hook();
    std::panic::set_hook(Box::new(move |info| {
        if !info.location().is_some_and(|location| location.file().contains("/pct-str-")) {
            abort(info);
        }
    }));
}

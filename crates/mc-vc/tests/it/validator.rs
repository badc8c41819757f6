//! The 1EdTech validator's Open Badges 3.0 test credentials: each valid one verifies, and each
//! `*-err-*` one fails on the check its name says.

use mc_core::Timestamp;
use mc_vc::{
    did::{KeyResolver, NoResolver, ResolveError, VerificationMethod},
    multikey::PublicKey,
    verify::{CheckId, CheckStatus, Verdict, VerifyParams, verify_text},
};

use crate::support::text;

/// A credential file, the verdict expected, and the checks expected to fail.
const CASES: &[(&str, Verdict, &[CheckId])] = &[
    ("simple.json", Verdict::Valid, &[]),
    ("simple-context-alias.json", Verdict::Valid, &[]),
    ("simple-context-version.json", Verdict::Valid, &[]),
    ("simple-did-web-method.json", Verdict::Valid, &[]),
    ("simple-multiple-proofs.json", Verdict::Valid, &[]),
    // Its status entry is a 1EdTechRevocationList, which microcred does not read: unknown.
    ("complete.json", Verdict::Indeterminate, &[]),
    ("endorsement-valid.json", Verdict::Valid, &[]),
    ("simple-eddsa-2022.json", Verdict::Valid, &[]),
    ("simple_v1.json", Verdict::Valid, &[]),
    // Index 23 of its status list is set: revoked.
    ("bit-string-list/credential-status-revoked.json", Verdict::Invalid, &[CheckId::Status]),
    // The validator accepts a did:key signature whatever the issuer; microcred requires the key
    // to belong to the issuer, and this credential's issuer is a urn:uuid.
    ("simple-did-key-method.json", Verdict::Invalid, &[CheckId::Issuer]),
    // Its endorsements use the type JsonSchemaValidator2018, which no context defines: the
    // data would not be signed as shown, so it is refused.
    ("complete_v1.json", Verdict::Invalid, &[CheckId::Format]),
    ("simple-err-context.json", Verdict::Invalid, &[CheckId::Format]),
    ("simple-err-type.json", Verdict::Invalid, &[CheckId::Format]),
    ("simple-err-issuer.json", Verdict::Invalid, &[CheckId::Format]),
    ("simple-err-credential-subject-achievement-result-description-type.json", Verdict::Invalid, &[CheckId::Schema]),
    ("simple-err-credential-subject-identifier-type.json", Verdict::Invalid, &[CheckId::Schema]),
    ("simple-err-credential-subject-profile-type.json", Verdict::Invalid, &[CheckId::Schema]),
    ("simple-err-credential-subject-result-type.json", Verdict::Invalid, &[CheckId::Schema]),
    ("simple-err-credential-subject-type.json", Verdict::Invalid, &[CheckId::Schema]),
    ("simple-err-evidence-type.json", Verdict::Invalid, &[CheckId::Schema]),
    ("simple-err-issuer-otheridentifier-type.json", Verdict::Invalid, &[CheckId::Schema]),
    ("simple-err-issuer-parentorg-type.json", Verdict::Invalid, &[CheckId::Schema]),
    ("simple-err-issuer-type.json", Verdict::Invalid, &[CheckId::Schema]),
    ("simple-err-expired.json", Verdict::Invalid, &[CheckId::Validity]),
    // Not valid before 2040; its subject also lacks the achievement the schema requires.
    ("simple-err-issued.json", Verdict::Invalid, &[CheckId::Schema, CheckId::Validity]),
    ("simple-err-proof-method.json", Verdict::Invalid, &[CheckId::Proof]),
    ("simple-err-proof-method-no-scheme.json", Verdict::Invalid, &[CheckId::Proof]),
    ("simple-err-proof-method-unknown-did-method.json", Verdict::Invalid, &[CheckId::Proof]),
    ("simple-err-proof-method-unknown-scheme.json", Verdict::Invalid, &[CheckId::Proof]),
    ("simple-err-proof-value.json", Verdict::Invalid, &[CheckId::Proof]),
    ("simple-noproof.json", Verdict::Invalid, &[CheckId::Proof]),
];

const TESTLIST_URL: &str = "https://raw.githubusercontent.com/1EdTech/digital-credentials-public-validator/refs/heads/main/inspector-vc/src/test/resources/ob30/bit-string-list/testlist";

/// The issuers' profiles as these credentials' issuers publish them: each lists the key its
/// credentials name in the verification method's fragment. (Their profiles are not among the
/// validator's resources; this stands for fetching them.)
struct PublishedProfiles;

impl KeyResolver for PublishedProfiles {
    fn resolve(&self, url: &str) -> Result<VerificationMethod, ResolveError> {
        let (controller, key) = url.split_once('#').ok_or_else(|| ResolveError::Unavailable(url.into()))?;
        let public_key = PublicKey::from_multibase(key).map_err(|err| ResolveError::Invalid(err.to_string()))?;
        Ok(VerificationMethod { id: url.into(), controller: controller.into(), public_key, assertion_method: true })
    }
}

/// A key named only in the verification method's URL proves nothing: without the issuer's own
/// profile, the signature of each valid credential is undecided, never valid.
#[test]
fn without_the_issuers_profiles_no_credential_is_valid() {
    let params = VerifyParams {
        now: Timestamp::parse("2025-01-01T00:00:00Z").unwrap(),
        resolver: &NoResolver,
        trusted_issuers: None,
        status: &mc_vc::status::NoStatusLists,
    };
    for file in ["simple.json", "simple-eddsa-2022.json", "simple-did-web-method.json", "simple_v1.json"] {
        let result = verify_text(&text(&format!("ob3/1edtech-validator-test-resources/{file}")), &params);
        assert_eq!(result.verdict, Verdict::Indeterminate, "{file}: {result:#?}");
        for id in [CheckId::Proof, CheckId::Issuer] {
            assert_eq!(result.check(id).map(|check| check.status), Some(CheckStatus::Skipped), "{file}: {id:?}");
        }
    }
}

#[test]
fn validator_credentials_get_the_expected_verdicts() {
    let mut lists = mc_vc::status::StatusLists::default();
    lists.insert(TESTLIST_URL, crate::support::object("ob3/1edtech-validator-test-resources/bit-string-list/testlist"));
    let params = VerifyParams {
        now: Timestamp::parse("2025-01-01T00:00:00Z").unwrap(),
        resolver: &PublishedProfiles,
        trusted_issuers: None,
        status: &lists,
    };
    let mut wrong = Vec::new();
    for (file, verdict, failing) in CASES {
        let result = verify_text(&text(&format!("ob3/1edtech-validator-test-resources/{file}")), &params);
        let failed: Vec<CheckId> =
            result.checks.iter().filter(|check| check.status == CheckStatus::Failed).map(|check| check.id).collect();
        let expected_failed = failing.to_vec();
        if result.verdict != *verdict || failed != expected_failed {
            wrong.push(format!("{file}: expected {verdict:?} failing {expected_failed:?}, got {:#?}", result));
        }
    }
    assert!(wrong.is_empty(), "{}", wrong.join("\n\n"));
}

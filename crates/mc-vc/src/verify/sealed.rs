//! Verifying a European Digital Credential sealed with JAdES: the seal read and checked
//! ([`crate::jades`]), then the sealed credential's own checks. The seal is the issuer's when
//! its certificate's organization identifier is one the issuer gives. Trust is the seal
//! certificate's chain to one of the verifier's seal anchors, at the signing time and now. The
//! credential must follow the EDC profile's rules ([`crate::edc::check`]); its revocation entry,
//! a Bitstring Status List entry, is checked as an Open Badges credential's is.

use serde_json::{Map, Value};

use mc_core::quality::Severity;

use super::{
    CheckId, CheckStatus, SealSummary, Verification, VerifyParams, report::Report, status::check_status,
    structure::issuer_id, validity::check_validity,
};
use crate::{
    contexts, edc,
    jades::{Anchoring, SealCertificate, Sealed, anchor_chain},
    verify::trust::PinnedSeal,
};

/// Whether `credential` says it is a European Digital Credential: its type, and the EDC
/// application profile among its contexts.
pub(super) fn is_edc(credential: &Map<String, Value>) -> bool {
    let named = |key: &str, wanted: &str| match credential.get(key) {
        Some(Value::Array(items)) => items.iter().any(|item| item == wanted),
        Some(one) => one == wanted,
        None => false,
    };
    named("type", "EuropeanDigitalCredential") && named("@context", contexts::EDC_AP)
}

/// An EDC that is not sealed: nothing shows who issued it or that it is unchanged.
pub(super) fn verify_unsealed(credential: &Map<String, Value>) -> Verification {
    let mut report = Report { checks: Vec::new(), indeterminate: false };
    let credential_id = credential.get("id").and_then(Value::as_str).map(str::to_owned);
    report.add(CheckId::Format, CheckStatus::Passed, "a European Digital Credential");
    report.add(
        CheckId::Proof,
        CheckStatus::Failed,
        "the credential is not sealed: nothing shows who issued it or that it was not changed",
    );
    report.finish(credential_id, issuer_id(credential))
}

/// Verifies a sealed document (a JWS in the JSON general serialization).
pub(super) fn verify_sealed(document: &Map<String, Value>, params: &VerifyParams<'_>) -> Verification {
    let mut report = Report { checks: Vec::new(), indeterminate: false };
    let sealed = match Sealed::read(document) {
        Ok(sealed) => sealed,
        Err(why) => {
            report.add(CheckId::Format, CheckStatus::Failed, why);
            return report.finish(None, None);
        }
    };
    let credential = &sealed.payload;
    let credential_id = credential.get("id").and_then(Value::as_str).map(str::to_owned);
    let issuer = issuer_id(credential);
    let Some(issuer) = issuer.filter(|_| is_edc(credential)) else {
        report.add(
            CheckId::Format,
            CheckStatus::Failed,
            "the sealed document is not a European Digital Credential (type EuropeanDigitalCredential, the EDC \
             context, an issuer)",
        );
        return report.finish(credential_id, None);
    };
    report.add(
        CheckId::Format,
        CheckStatus::Passed,
        format!("a European Digital Credential sealed with JAdES ({})", sealed.algorithm),
    );
    let findings = edc::check(credential, edc::Stage::Sealed);
    match findings.iter().filter(|finding| finding.severity == Severity::Error).take(3).collect::<Vec<_>>() {
        errors if errors.is_empty() => {
            report.add(CheckId::Schema, CheckStatus::Passed, "follows the rules of the EDC application profile")
        }
        errors => {
            let said: Vec<String> =
                errors.iter().map(|finding| format!("{}: {}", finding.path, finding.message)).collect();
            report.add(
                CheckId::Schema,
                CheckStatus::Failed,
                format!("breaks the rules of the EDC application profile ({})", said.join("; ")),
            )
        }
    }
    let certificate = sealed.certificate();
    match sealed.check_seal() {
        Ok(()) if sealed.signing_time > params.now => report.add(
            CheckId::Proof,
            CheckStatus::Failed,
            format!("the seal says it was made on {}, which is still to come", sealed.signing_time),
        ),
        Ok(()) => {
            let certified = match certificate.issuer_name == certificate.name {
                true => "its own certificate".to_owned(),
                false => format!("a certificate from {}", certificate.issuer_name),
            };
            report.add(
                CheckId::Proof,
                CheckStatus::Passed,
                format!(
                    "the seal is intact: sealed on {} by {}, with {certified}",
                    sealed.signing_time, certificate.name
                ),
            )
        }
        Err(why) => report.add(CheckId::Proof, CheckStatus::Failed, why),
    }
    check_sealed_by_issuer(credential, certificate, &mut report);
    check_validity(credential, None, params.now, &mut report);
    check_status(credential, &issuer, params, &mut report);
    check_seal_trust(&sealed, params, &mut report);
    let mut verification = report.finish(credential_id, Some(issuer));
    verification.seal = Some(seal_summary(certificate, sealed.signing_time));
    verification
}

/// The identifiers an ELM organisation gives of itself (`eIDASIdentifier`, `legalIdentifier`,
/// `vatIdentifier`, each one or several, with a `notation`).
fn organisation_identifiers(issuer: &Value) -> Vec<&str> {
    ["eIDASIdentifier", "legalIdentifier", "vatIdentifier"]
        .iter()
        .filter_map(|key| issuer.get(*key))
        .flat_map(|value| match value {
            Value::Array(items) => items.iter().collect(),
            one => vec![one],
        })
        .filter_map(|identifier| identifier.get("notation")?.as_str())
        .collect()
}

/// The seal's certificate must be the issuer's: its organization identifier (eIDAS seal
/// certificates carry the organisation's, such as `VATES-A00000000`) is one the issuer gives.
fn check_sealed_by_issuer(credential: &Map<String, Value>, certificate: &SealCertificate, report: &mut Report) {
    let issuer = credential.get("issuer").unwrap_or(&Value::Null);
    let identifiers = organisation_identifiers(issuer);
    match certificate.organization_identifier.as_deref() {
        Some(sealer) if identifiers.contains(&sealer) => report.add(
            CheckId::Issuer,
            CheckStatus::Passed,
            format!("the seal is the issuer's: its certificate and the issuer both name the organisation {sealer}"),
        ),
        Some(sealer) if !identifiers.is_empty() => report.add(
            CheckId::Issuer,
            CheckStatus::Failed,
            format!(
                "the seal is not the issuer's: its certificate names the organisation {sealer}, the issuer {}",
                identifiers.join(", ")
            ),
        ),
        _ => report.undecided(
            CheckId::Issuer,
            format!(
                "whether the seal is the issuer's cannot be told: {} names no organisation identifier it shares with the issuer",
                certificate.name
            ),
        ),
    }
}

/// Trust in a seal comes from its certificate alone: what the sealed credential says of its
/// issuer is the sealer's to write, so the trusted-issuer list's issuer ids cannot vouch for it.
fn check_seal_trust(sealed: &Sealed, params: &VerifyParams<'_>, report: &mut Report) {
    check_certificate_trust(&sealed.chain, &sealed.validation_certificates, sealed.signing_time, params, report);
}

/// What a verification shows of the certificate that sealed or signed a credential on `signed`.
pub(super) fn seal_summary(certificate: &SealCertificate, signed: mc_core::Timestamp) -> SealSummary {
    SealSummary {
        sealed_by: certificate.name.clone(),
        certified_by: certificate.issuer_name.clone(),
        organization_identifier: certificate.organization_identifier.clone(),
        signing_time: signed.to_rfc3339(),
        test_seal: certificate.subject.to_uppercase().contains("TEST SEAL"),
    }
}

/// The certificates `chain` (the signing one first; `extra` are more candidates for its chain)
/// may be anchored to: the verifier's seal anchors, and the certificates of the chain that the
/// trusted-issuer list names (by fingerprint, while their issuer was on the list on `signed`),
/// each with the list's entry.
pub(super) fn seal_anchors<'c, 'p>(
    chain: &'c [SealCertificate],
    extra: &'c [SealCertificate],
    signed: mc_core::Timestamp,
    params: &VerifyParams<'p>,
) -> (Vec<SealCertificate>, Vec<(&'c SealCertificate, &'p PinnedSeal)>) {
    let configured = params.trusted_issuers.map(|list| list.seal_anchors()).unwrap_or_default();
    let pinned: Vec<(&SealCertificate, &PinnedSeal)> = params
        .trusted_issuers
        .map(|list| {
            chain
                .iter()
                .chain(extra)
                .filter_map(|certificate| {
                    list.pinned_seal(&certificate.fingerprint()).map(|pinned| (certificate, pinned))
                })
                .filter(|(_, pinned)| pinned.until.is_none_or(|until| signed <= until))
                .collect()
        })
        .unwrap_or_default();
    let mut anchors = configured.to_vec();
    anchors.extend(pinned.iter().map(|(certificate, _)| (*certificate).clone()));
    (anchors, pinned)
}

/// Trust in a certificate's signature: the certificate must chain to one of the verifier's
/// seal anchors, or to a certificate the trusted-issuer list names for an issuer; and since the
/// signing time (`signed`: a seal's `sigT`, a JWT's `iat`) is the signer's word too until a
/// time-stamp proves it (time-stamp tokens are not checked yet), the chain must still hold now:
/// a key whose certificate has expired could otherwise sign anything, dated back.
pub(super) fn check_certificate_trust(
    chain: &[SealCertificate],
    extra: &[SealCertificate],
    signed: mc_core::Timestamp,
    params: &VerifyParams<'_>,
    report: &mut Report,
) {
    let (anchors, pinned) = seal_anchors(chain, extra, signed, params);
    if anchors.is_empty() {
        let why = match params.trusted_issuers {
            Some(_) => "no seal anchors were given, and the trusted-issuer list names none of its certificates",
            None => "no seal anchors were given",
        };
        return report.undecided(CheckId::Trust, format!("whether the seal is trusted cannot be told: {why}"));
    }
    let (at_signing, now) =
        (anchor_chain(chain, extra, &anchors, signed), anchor_chain(chain, extra, &anchors, params.now));
    match (at_signing, now) {
        (Anchoring::Anchored(chain), Anchoring::Anchored(_)) => {
            let anchor = chain.last().map_or("", String::as_str);
            let listed = pinned.iter().find(|(certificate, _)| certificate.name == anchor);
            let message = match listed {
                Some((_, pinned)) => format!(
                    "the seal's certificate chains to {anchor}, which the trusted-issuer list names for {}",
                    pinned.name
                ),
                None => format!("the seal's certificate chains to the trust anchor {anchor}"),
            };
            report.add(CheckId::Trust, CheckStatus::Passed, message)
        }
        (Anchoring::Anchored(_), Anchoring::Unanchored(why)) => report.undecided(
            CheckId::Trust,
            format!(
                "the seal chained to a trust anchor when it says it was made, but not now ({why}); without a \
                 verified time-stamp, that it was made then cannot be shown"
            ),
        ),
        (Anchoring::Unanchored(why), _) => {
            report.add(CheckId::Trust, CheckStatus::Failed, format!("the seal is intact but not trusted: {why}"))
        }
    }
}

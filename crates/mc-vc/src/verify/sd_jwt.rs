//! Verification of an SD-JWT VC as a wallet presents it: the issuer's JWT and the disclosures
//! given, the key-binding JWT when there is one, validity, the Token Status List, and trust,
//! reported as the other formats are.

use mc_core::Timestamp;
use serde_json::{Map, Value};

use super::{
    CheckId, CheckStatus, Verification, VerifyParams,
    proofs::{check_jws, resolve},
    report::Report,
    sealed::{check_certificate_trust, seal_anchors, seal_summary},
    trust::check_trust,
    validity::check_validity,
};
use crate::{
    did::ResolveError,
    jades::{self, Anchoring, SealCertificate, anchor_chain},
    jwt::{Jws, Profile},
    sd_jwt::{SD_JWT_VC, SdJwt},
    token_status::{self, TokenStatusList},
};

/// How far in the future a JWT may say it was signed (clock skew), in seconds.
const MAX_SKEW: i64 = 300;

/// The JWT of a Token Status List.
const STATUS_LIST: Profile = Profile {
    name: "a Token Status List",
    header: &["alg", "kid", "typ", "x5c"],
    types: &[token_status::JWT_TYPE],
    typed: true,
};

/// Verifies an SD-JWT VC (with its disclosures and, when given, a key-binding JWT).
pub(super) fn verify_sd_jwt(text: &str, params: &VerifyParams<'_>) -> Verification {
    let mut report = Report { checks: Vec::new(), indeterminate: false };
    let sd = match SdJwt::parse(text, &SD_JWT_VC) {
        Ok(sd) => sd,
        Err(why) => {
            report.add(CheckId::Format, CheckStatus::Failed, why);
            return report.finish(None, None);
        }
    };
    let claim = |name: &str| sd.claims.get(name).and_then(Value::as_str).map(str::to_owned);
    let credential = claim("credential_id");
    let (Some(issuer), Some(vct)) = (claim("iss"), claim("vct")) else {
        report.add(CheckId::Format, CheckStatus::Failed, "an SD-JWT VC names its issuer (iss) and its type (vct)");
        return report.finish(credential, claim("iss"));
    };
    report.add(
        CheckId::Format,
        CheckStatus::Passed,
        format!("a well-formed SD-JWT VC of type {vct}, {} claims disclosed", sd.disclosed.len()),
    );
    match crate::sd_jwt_vc::check_claims(&sd.claims) {
        Ok(Some(name)) => report.add(CheckId::Schema, CheckStatus::Passed, format!("has every claim of a {name}")),
        Ok(None) => {
            report.add(CheckId::Schema, CheckStatus::Skipped, format!("the claims of type {vct} are not known here"))
        }
        Err(why) => report.add(CheckId::Schema, CheckStatus::Failed, why),
    }

    // When it was signed, by the signer's word: the certificate must have been valid then.
    let signed = match sd.claims.get("iat").map(Value::as_i64) {
        Some(Some(seconds)) => Timestamp::from_unix(seconds, 0),
        Some(None) => {
            report.add(CheckId::Validity, CheckStatus::Failed, "iat is not a whole number of seconds");
            return report.finish(credential, Some(issuer));
        }
        None => params.now,
    };
    let certified = match sd.jwt.header.contains_key("x5c") {
        true => check_certified(&sd.jwt, &issuer, signed, params.now, &mut report),
        false => {
            check_jws(&sd.jwt, &issuer, params, &mut report);
            None
        }
    };
    if failed(&report) {
        return report.finish(credential, Some(issuer));
    }
    match sd.check_key_binding(params.now) {
        // This verifier asked for no nonce of its own, so the key binding, which holds, may be a
        // replay of a presentation made to someone else: said, never passed.
        Ok(Some(binding)) => report.add(
            CheckId::Holder,
            CheckStatus::Warning,
            format!(
                "the holder's key signed this presentation for {} with nonce {:?} on {}; this verifier did not \
                 ask for it with a nonce of its own, so it may be a copy of a presentation made elsewhere",
                binding.audience, binding.nonce, binding.made
            ),
        ),
        Ok(None) if sd.claims.contains_key("cnf") => report.add(
            CheckId::Holder,
            CheckStatus::Warning,
            "presented without a key-binding JWT: nothing shows that its holder presented it",
        ),
        Ok(None) => {}
        Err(why) => report.add(CheckId::Holder, CheckStatus::Failed, why),
    }
    if failed(&report) {
        return report.finish(credential, Some(issuer));
    }

    // The period the credential states (nbf, exp) as a document's, and its issuing date for trust.
    let mut period = Map::new();
    for (claims, key) in [(&["nbf", "iat"][..], "validFrom"), (&["exp"][..], "validUntil")] {
        let Some((name, value)) = claims.iter().find_map(|name| Some((*name, sd.claims.get(*name)?))) else { continue };
        match value.as_i64() {
            Some(seconds) => drop(period.insert(key.into(), Timestamp::from_unix(seconds, 0).to_rfc3339().into())),
            None => {
                report.add(CheckId::Validity, CheckStatus::Failed, format!("{name} is not a whole number of seconds"));
                return report.finish(credential, Some(issuer));
            }
        }
    }
    check_validity(&period, None, params.now, &mut report);
    check_token_status(&sd.claims, &issuer, certified.as_deref(), params, &mut report);
    match &certified {
        Some(chain) => check_certificate_trust(chain, &[], signed, params, &mut report),
        None => check_trust(&period, &issuer, params, &mut report),
    }
    let mut verification = report.finish(credential, Some(issuer));
    verification.seal = certified.map(|chain| seal_summary(&chain[0], signed));
    verification
}

/// Checks the signature of a JWT that carries its signer's certificate chain (`x5c`, as HAIP
/// asks): made with the key of the first certificate, which was valid when it signed and is
/// meant for signing, and which names the issuer `issuer` as a subject alternative name (a URI,
/// or for a `dns:` issuer a DNS name), as SD-JWT VC asks. The chain, when the signature holds.
fn check_certified(
    jws: &Jws,
    issuer: &str,
    signed: Timestamp,
    now: Timestamp,
    report: &mut Report,
) -> Option<Vec<SealCertificate>> {
    let chain = match jades::certificates(&jws.header) {
        Ok(chain) => chain,
        Err(why) => {
            report.add(CheckId::Proof, CheckStatus::Failed, why);
            return None;
        }
    };
    let leaf = &chain[0];
    let problem = match leaf.key().and_then(|key| jws.verify(key)) {
        Err(why) => Some(why),
        Ok(()) if signed.unix_seconds() > now.unix_seconds() + MAX_SKEW => {
            Some(format!("it says it was signed on {signed}, which is still to come"))
        }
        Ok(()) if !leaf.valid_at(signed) => Some(format!(
            "the certificate of {} was not valid when it signed ({signed}): it is valid from {} to {}",
            leaf.name, leaf.not_before, leaf.not_after
        )),
        Ok(()) if !leaf.allows_signing() => {
            Some(format!("the key usage of the certificate of {} does not allow signing", leaf.name))
        }
        Ok(()) => None,
    };
    if let Some(why) = problem {
        report.add(CheckId::Proof, CheckStatus::Failed, why);
        return None;
    }
    report.add(
        CheckId::Proof,
        CheckStatus::Passed,
        format!(
            "the JWT signature holds ({}), made with the certificate of {}, from {}",
            jws.algorithm.name(),
            leaf.name,
            leaf.issuer_name
        ),
    );
    match names_issuer(leaf, issuer) {
        true => report.add(
            CheckId::Issuer,
            CheckStatus::Passed,
            format!("the signing certificate, {}, names the issuer {issuer}", leaf.name),
        ),
        false => report.add(
            CheckId::Issuer,
            CheckStatus::Failed,
            format!(
                "the signing certificate, {}, does not name the issuer {issuer} (it names {}), so nothing ties the \
                 signature to it",
                leaf.name,
                match leaf.uris.as_slice() {
                    [] => "no URI".to_owned(),
                    uris => uris.join(", "),
                }
            ),
        ),
    }
    Some(chain)
}

/// Whether `certificate` names `issuer` among its subject alternative names: as a URI, or, for
/// a DNS name written as a `dns:` URI (RFC 4501), as a DNS name.
fn names_issuer(certificate: &SealCertificate, issuer: &str) -> bool {
    match issuer.strip_prefix("dns:") {
        Some(host) => certificate.dns_names.iter().any(|name| name.eq_ignore_ascii_case(host)),
        None => certificate.uris.iter().any(|uri| uri == issuer),
    }
}

fn failed(report: &Report) -> bool {
    report
        .checks
        .iter()
        .any(|check| matches!(check.id, CheckId::Proof | CheckId::Issuer) && check.status == CheckStatus::Failed)
}

/// Checks the credential's entry in its Token Status List (`status.status_list`); `certified`
/// is the credential's certificate chain when it carries one.
fn check_token_status(
    claims: &Map<String, Value>,
    issuer: &str,
    certified: Option<&[SealCertificate]>,
    params: &VerifyParams<'_>,
    report: &mut Report,
) {
    let Some(status) = claims.get("status") else {
        return report.add(
            CheckId::Status,
            CheckStatus::Passed,
            "the credential has no status entry, so it cannot be revoked",
        );
    };
    let Some(entry) = status.get("status_list") else {
        return report
            .undecided(CheckId::Status, "the status is unknown: only Token Status Lists (status_list) are read");
    };
    let (Some(index), Some(uri)) = (entry.get("idx").and_then(Value::as_u64), entry.get("uri").and_then(Value::as_str))
    else {
        return report.add(CheckId::Status, CheckStatus::Failed, "the status_list entry needs idx (a number) and uri");
    };
    let list = match params.status.status_list_token(uri) {
        Ok(token) => check_status_token(&token, uri, issuer, certified, params),
        Err(ResolveError::Unavailable(why) | ResolveError::Invalid(why)) => Err(why),
    };
    let status = match list.and_then(|list| list.get(index).map_err(|err| err.to_string())) {
        Ok(status) => status,
        Err(why) => return report.undecided(CheckId::Status, format!("the status is unknown: {why}")),
    };
    match status {
        token_status::VALID => report.add(
            CheckId::Status,
            CheckStatus::Passed,
            "neither revoked nor suspended (Token Status List checked)",
        ),
        token_status::INVALID => report.add(CheckId::Status, CheckStatus::Failed, "the credential has been revoked"),
        token_status::SUSPENDED => report.add(CheckId::Status, CheckStatus::Failed, "the credential is suspended"),
        other => report
            .undecided(CheckId::Status, format!("the status list gives status {other:#04x}, which is not known here")),
    }
}

/// Verifies the Token Status List token found at `uri`: signed by the credential's issuer
/// (a key of its DID, or a certificate that names it), about `uri`, not expired; and reads its
/// list.
fn check_status_token(
    token: &str,
    uri: &str,
    issuer: &str,
    certified: Option<&[SealCertificate]>,
    params: &VerifyParams<'_>,
) -> Result<TokenStatusList, String> {
    let jws = Jws::parse_as(token.trim(), &STATUS_LIST).map_err(|why| format!("the status list {uri}: {why}"))?;
    match jws.header.contains_key("x5c") {
        true => check_list_certificate(&jws, uri, issuer, certified, params)?,
        false => check_list_key(&jws, uri, issuer, params)?,
    }
    let claim = |name: &str| jws.claims.get(name);
    if claim("sub").and_then(Value::as_str) != Some(uri) {
        return Err(format!("the status list found at {uri} says it is another list (sub)"));
    }
    if let Some(iss) = claim("iss").and_then(Value::as_str)
        && iss != issuer
    {
        return Err(format!("the status list {uri} is {iss}'s, not the credential issuer's"));
    }
    match claim("exp").map(Value::as_i64) {
        Some(None) => return Err(format!("the status list {uri} has an exp that is not a whole number of seconds")),
        Some(Some(exp)) if params.now.unix_seconds() >= exp => {
            return Err(format!("the status list {uri} expired on {}", Timestamp::from_unix(exp, 0)));
        }
        _ => {}
    }
    let list = claim("status_list").ok_or_else(|| format!("the status list {uri} has no status_list"))?;
    TokenStatusList::from_claim(list).map_err(|err| format!("the status list {uri}: {err}"))
}

/// A status list signed with a key of the issuer's DID, named by `kid`.
fn check_list_key(jws: &Jws, uri: &str, issuer: &str, params: &VerifyParams<'_>) -> Result<(), String> {
    let kid = jws
        .header
        .get("kid")
        .and_then(Value::as_str)
        .ok_or_else(|| format!("the status list {uri} names no key (kid)"))?;
    let kid = if kid.starts_with('#') { format!("{issuer}{kid}") } else { kid.to_owned() };
    let method = resolve(&kid, params.resolver).map_err(|err| format!("the key of the status list {uri}: {err}"))?;
    if method.controller != issuer || !method.assertion_method {
        return Err(format!(
            "the status list {uri} is signed by {}, which is not a key the credential's issuer {issuer} issues with",
            method.id
        ));
    }
    jws.verify(&method.public_key).map_err(|why| format!("the status list {uri}: {why}"))
}

/// A status list signed with a certificate's key (`x5c`): the certificate must name the
/// issuer, be valid now and meant for signing, and be the credential's own certificate or
/// chain to a trust anchor now (a status list is fetched, so anyone on the way could sign one
/// with a certificate of their own making).
fn check_list_certificate(
    jws: &Jws,
    uri: &str,
    issuer: &str,
    certified: Option<&[SealCertificate]>,
    params: &VerifyParams<'_>,
) -> Result<(), String> {
    let chain = jades::certificates(&jws.header).map_err(|why| format!("the status list {uri}: {why}"))?;
    let leaf = &chain[0];
    leaf.key().and_then(|key| jws.verify(key)).map_err(|why| format!("the status list {uri}: {why}"))?;
    if !names_issuer(leaf, issuer) {
        return Err(format!(
            "the status list {uri} is signed with the certificate of {}, which does not name the credential's issuer \
             {issuer}",
            leaf.name
        ));
    }
    if !leaf.valid_at(params.now) || !leaf.allows_signing() {
        return Err(format!(
            "the status list {uri} is signed with the certificate of {}, which is not valid for signing now",
            leaf.name
        ));
    }
    if certified.is_some_and(|chain| chain[0].der == leaf.der) {
        return Ok(());
    }
    let (anchors, _) = seal_anchors(&chain, &[], params.now, params);
    match anchor_chain(&chain, &[], &anchors, params.now) {
        Anchoring::Anchored(_) => Ok(()),
        Anchoring::Unanchored(why) => Err(format!(
            "the status list {uri} is signed with another certificate than the credential's, {}, which is not \
             trusted: {why}",
            leaf.name
        )),
    }
}

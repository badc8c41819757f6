//! The validity check: now is within the credential's validity period.

use mc_core::Timestamp;
use serde_json::{Map, Value};

use super::{CheckId, CheckStatus, report::Report, structure::is_v1};

/// Checks that `now` is within the credential's validity period, narrowed by the `nbf` and `exp`
/// claims of the JWT that secures it, when one does: an expired JWT is invalid even when the
/// credential names no end.
pub(super) fn check_validity(
    document: &Map<String, Value>,
    jwt_claims: Option<&Map<String, Value>>,
    now: Timestamp,
    report: &mut Report,
) {
    // VC 1.1 says issuanceDate and expirationDate; a VC 1.1 profile may add validFrom and
    // validUntil (European Digital Credentials must have validFrom): the period is where all
    // that are given agree.
    let (from_keys, until_keys): (&[&str], &[&str]) = match is_v1(document) {
        true => (&["issuanceDate", "validFrom"], &["expirationDate", "validUntil"]),
        false => (&["validFrom"], &["validUntil"]),
    };
    let read = |key: &'static str| -> Result<Option<(&'static str, Timestamp)>, String> {
        match document.get(key) {
            None => Ok(None),
            Some(Value::String(raw)) => {
                Timestamp::parse(raw).map(|time| Some((key, time))).map_err(|err| format!("{key}: {err}"))
            }
            Some(other) => Err(format!("{key} must be a date-time string, not {other}")),
        }
    };
    let bound = |keys: &[&'static str], latest: bool| -> Result<Option<(&'static str, Timestamp)>, String> {
        let mut found: Vec<(&'static str, Timestamp)> = Vec::new();
        for key in keys {
            found.extend(read(key)?);
        }
        Ok(match latest {
            true => found.into_iter().max_by_key(|(_, time)| *time),
            false => found.into_iter().min_by_key(|(_, time)| *time),
        })
    };
    let claim = |name: &str| -> Result<Option<Timestamp>, String> {
        match jwt_claims.and_then(|claims| claims.get(name)) {
            None => Ok(None),
            Some(value) => value
                .as_i64()
                .map(|seconds| Some(Timestamp::from_unix(seconds, 0)))
                .ok_or_else(|| format!("the JWT's {name} must be a number of seconds (NumericDate), not {value}")),
        }
    };
    let (from, until, nbf, exp) = match (bound(from_keys, true), bound(until_keys, false), claim("nbf"), claim("exp")) {
        (Ok(from), Ok(until), Ok(nbf), Ok(exp)) => (from, until, nbf, exp),
        (Err(why), ..) | (_, Err(why), ..) | (_, _, Err(why), _) | (.., Err(why)) => {
            report.add(CheckId::Validity, CheckStatus::Failed, why);
            return;
        }
    };
    if let Some(exp) = exp
        && now >= exp
    {
        report.add(CheckId::Validity, CheckStatus::Failed, format!("the JWT expired on {exp} (exp)"));
        return;
    }
    if let Some(nbf) = nbf
        && now < nbf
    {
        report.add(CheckId::Validity, CheckStatus::Failed, format!("the JWT is not valid before {nbf} (nbf)"));
        return;
    }
    if let (Some((from_key, from)), Some((until_key, until))) = (from, until)
        && until < from
    {
        report.add(CheckId::Validity, CheckStatus::Failed, format!("{until_key} {until} is before {from_key} {from}"));
        return;
    }
    let (from, until) = (from.map(|(_, time)| time), until.map(|(_, time)| time));
    if let Some(from) = from
        && now < from
    {
        report.add(CheckId::Validity, CheckStatus::Failed, format!("not valid yet: valid from {from}"));
        return;
    }
    if let Some(until) = until
        && now > until
    {
        report.add(CheckId::Validity, CheckStatus::Failed, format!("expired on {until}"));
        return;
    }
    let message = match (from, until) {
        (Some(from), Some(until)) => format!("valid from {from} until {until}"),
        (Some(from), None) => format!("valid since {from}, with no end"),
        (None, Some(until)) => format!("valid until {until}"),
        (None, None) => "no validity period: valid indefinitely".to_owned(),
    };
    report.add(CheckId::Validity, CheckStatus::Passed, message);
}

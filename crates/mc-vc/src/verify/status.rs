//! The status check: each status entry of the credential against its verified status list.

use serde_json::{Map, Value};

use super::{
    CheckId, CheckStatus, Secured, Verdict, VerifyParams, report::Report, structure::issuer_id, verify_secured,
};
use crate::status::{Bitstring, CheckedList, NoStatusLists, StatusPurpose};

/// Checks every status entry against its list (Bitstring Status List §3.2 "Validate
/// Algorithm"). A list that cannot be had, or cannot be trusted, leaves the status unknown,
/// which is never `valid`.
pub(super) fn check_status(
    document: &Map<String, Value>,
    issuer: &str,
    params: &VerifyParams<'_>,
    report: &mut Report,
) {
    let entries: Vec<&Value> = match document.get("credentialStatus") {
        None => {
            return report.add(
                CheckId::Status,
                CheckStatus::Passed,
                "the credential has no status entry, so it cannot be revoked",
            );
        }
        Some(Value::Array(entries)) => entries.iter().collect(),
        Some(entry) => vec![entry],
    };
    let unchecked: Vec<&str> = entries
        .iter()
        .filter_map(|entry| entry.get("statusListCredential")?.as_str())
        .filter(|url| params.status.checked_list(url).is_none())
        .collect();
    params.status.prefetch_lists(&unchecked);
    let mut checked = 0;
    for entry in entries {
        match check_status_entry(entry, issuer, params) {
            Ok(None) => checked += 1,
            Ok(Some(purpose)) => {
                let said = match purpose {
                    StatusPurpose::Revocation => "the credential has been revoked",
                    StatusPurpose::Suspension => "the credential is suspended",
                };
                return report.add(CheckId::Status, CheckStatus::Failed, said);
            }
            Err(why) => return report.undecided(CheckId::Status, format!("the status is unknown: {why}")),
        }
    }
    report.add(
        CheckId::Status,
        CheckStatus::Passed,
        format!("neither revoked nor suspended ({checked} status lists checked)"),
    );
}

/// `Ok(Some(purpose))` when the entry's bit is set, `Ok(None)` when it is clear.
fn check_status_entry(entry: &Value, issuer: &str, params: &VerifyParams<'_>) -> Result<Option<StatusPurpose>, String> {
    let field = |name: &str| entry.get(name);
    // A European Digital Credential types its entry as an ELM CredentialStatus too.
    let kinds: Vec<&str> = match field("type") {
        Some(Value::Array(kinds)) => kinds.iter().filter_map(Value::as_str).collect(),
        Some(kind) => kind.as_str().into_iter().collect(),
        None => Vec::new(),
    };
    if !kinds.contains(&"BitstringStatusListEntry") {
        return Err(format!("status entries of type {:?} are not supported", kinds.join(", ")));
    }
    let purpose_name = field("statusPurpose").and_then(Value::as_str).unwrap_or_default();
    let purpose = StatusPurpose::parse(purpose_name)
        .ok_or_else(|| format!("the status purpose {purpose_name:?} is not supported"))?;
    // The specification writes the index as a string; some issuers write a number.
    let index = match field("statusListIndex") {
        Some(Value::String(index)) => index.parse::<u64>().ok(),
        Some(Value::Number(index)) => index.as_u64(),
        _ => None,
    }
    .ok_or("the statusListIndex is not a non-negative integer")?;
    let url = field("statusListCredential").and_then(Value::as_str).ok_or("the entry has no statusListCredential")?;
    let list = match params.status.checked_list(url) {
        Some(list) => list,
        None => {
            let list = params.status.status_list(url).map_err(|err| err.to_string())?;
            check_status_list(&list, url, params)?
        }
    };
    if list.issuer != issuer {
        return Err(format!("the status list {url} is not the credential issuer's"));
    }
    if !list.purposes.contains(&purpose) {
        return Err(format!("the status list {url} is not a {} list", purpose.as_str()));
    }
    match list.bits.get(index).map_err(|err| err.to_string())? {
        true => Ok(Some(purpose)),
        false => Ok(None),
    }
}

/// Verifies a status list credential found at `url` (its proof, its issuer's key, its validity)
/// and reads it.
pub fn check_status_list(
    list: &Map<String, Value>,
    url: &str,
    params: &VerifyParams<'_>,
) -> Result<CheckedList, String> {
    let list_params = VerifyParams { trusted_issuers: None, status: &NoStatusLists, ..*params };
    let verified = verify_secured(Secured { document: list, as_value: None, jws: None }, &list_params);
    if verified.verdict != Verdict::Valid {
        let why =
            verified.checks.iter().find(|check| check.status != CheckStatus::Passed && check.id != CheckId::Trust);
        return Err(format!(
            "the status list {url} does not verify: {}",
            why.map_or("", |check| check.message.as_str())
        ));
    }
    let issuer = issuer_id(list).ok_or_else(|| format!("the status list {url} names no issuer"))?;
    let subject = list.get("credentialSubject").ok_or("the status list has no credentialSubject")?;
    let purposes = match subject.get("statusPurpose") {
        Some(Value::String(one)) => vec![one.as_str()],
        Some(Value::Array(many)) => many.iter().filter_map(Value::as_str).collect(),
        _ => Vec::new(),
    };
    let purposes = purposes.into_iter().filter_map(StatusPurpose::parse).collect();
    let encoded = subject.get("encodedList").and_then(Value::as_str).ok_or("the status list has no encodedList")?;
    let bits = Bitstring::decode(encoded).map_err(|err| err.to_string())?;
    Ok(CheckedList { issuer, purposes, bits: std::sync::Arc::new(bits) })
}

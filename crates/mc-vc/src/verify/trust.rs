//! The trusted-issuer list: its document format, the list the verifier uses, and the trust
//! check.

use mc_core::Timestamp;
use serde_json::{Map, Value};

use super::{CheckId, CheckStatus, VerifyParams, report::Report};

/// A trusted-issuer list: issuer ids (DIDs or URLs), each with a name to show and, for an
/// issuer that left the list, when it left: credentials it issued after then are not trusted.
#[derive(Debug, Clone, Default)]
pub struct TrustedIssuers {
    entries: Vec<TrustedIssuer>,
}

/// One issuer id of a trusted-issuer list.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TrustedIssuer {
    /// The id credentials name as their issuer.
    pub id: String,
    /// The name to show.
    pub name: String,
    /// When the issuer left the list, if it did.
    pub until: Option<Timestamp>,
}

impl TrustedIssuers {
    /// A list of `(issuer id, name)` pairs, none of which has left.
    pub fn new(entries: Vec<(String, String)>) -> TrustedIssuers {
        TrustedIssuers::with_entries(
            entries.into_iter().map(|(id, name)| TrustedIssuer { id, name, until: None }).collect(),
        )
    }

    /// A list of entries.
    pub fn with_entries(entries: Vec<TrustedIssuer>) -> TrustedIssuers {
        TrustedIssuers { entries }
    }

    /// The name of a trusted issuer.
    pub fn name_of(&self, issuer: &str) -> Option<&str> {
        self.entry(issuer).map(|entry| entry.name.as_str())
    }

    /// The entry of an issuer id.
    pub fn entry(&self, issuer: &str) -> Option<&TrustedIssuer> {
        self.entries.iter().find(|entry| entry.id == issuer)
    }

    /// How many issuer ids the list holds.
    pub fn len(&self) -> usize {
        self.entries.len()
    }

    /// Whether the list is empty.
    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }
}

impl TrustedIssuers {
    /// Reads a trusted-issuer list: `{"issuers": [{"id": "did:web:…", "name": "…"}, …]}`, or
    /// microcred's export, whose entries list their `dids` and may have left the list at
    /// `trusted_until`.
    pub fn from_json(text: &str) -> Result<TrustedIssuers, String> {
        let document: Value = serde_json::from_str(text).map_err(|err| format!("not JSON: {err}"))?;
        let issuers = document.get("issuers").and_then(Value::as_array).ok_or("expected {\"issuers\": [...]}")?;
        let mut entries = Vec::new();
        for (idx, issuer) in issuers.iter().enumerate() {
            let id = issuer.get("id").and_then(Value::as_str).ok_or(format!("issuers[{idx}] has no id"))?;
            let name = issuer.get("name").and_then(Value::as_str).unwrap_or(id);
            let until = match issuer.get("trusted_until") {
                None | Some(Value::Null) => None,
                Some(Value::String(raw)) => {
                    Some(Timestamp::parse(raw).map_err(|err| format!("issuers[{idx}].trusted_until: {err}"))?)
                }
                Some(other) => return Err(format!("issuers[{idx}].trusted_until must be a date-time, not {other}")),
            };
            let dids: Vec<&str> = match issuer.get("dids") {
                None => vec![id],
                Some(Value::Array(dids)) => dids
                    .iter()
                    .map(|did| did.as_str().ok_or(format!("issuers[{idx}].dids must list strings")))
                    .collect::<Result<_, _>>()?,
                Some(_) => return Err(format!("issuers[{idx}].dids must be a list")),
            };
            entries.extend(dids.into_iter().map(|did| TrustedIssuer {
                id: did.to_owned(),
                name: name.to_owned(),
                until,
            }));
        }
        Ok(TrustedIssuers::with_entries(entries))
    }
}

/// Whether the issuer was on the trusted-issuer list when the credential was issued (its
/// `validFrom`, or `issuanceDate` in VC 1.1; now when it has neither).
pub(super) fn check_trust(document: &Map<String, Value>, issuer: &str, params: &VerifyParams<'_>, report: &mut Report) {
    let Some(list) = params.trusted_issuers else {
        report.add(CheckId::Trust, CheckStatus::Skipped, "no trusted-issuer list was given");
        return;
    };
    let Some(entry) = list.entry(issuer) else {
        report.add(CheckId::Trust, CheckStatus::Failed, format!("{issuer} is not in the trusted-issuer list"));
        return;
    };
    let issued = ["validFrom", "issuanceDate"]
        .iter()
        .find_map(|key| document.get(*key).and_then(Value::as_str).and_then(|raw| Timestamp::parse(raw).ok()))
        .unwrap_or(params.now);
    let name = &entry.name;
    let (status, message) = match entry.until {
        Some(until) if issued > until => (
            CheckStatus::Failed,
            format!(
                "{issuer} ({name}) left the trusted-issuer list on {until}, and this credential was issued after that, on {issued}"
            ),
        ),
        Some(until) => (
            CheckStatus::Passed,
            format!(
                "{issuer} ({name}) was a trusted issuer when this credential was issued; it left the list on {until}"
            ),
        ),
        None => (CheckStatus::Passed, format!("{issuer} is a trusted issuer ({name})")),
    };
    report.add(CheckId::Trust, status, message);
}

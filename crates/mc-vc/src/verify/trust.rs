//! The trusted-issuer list: its document format, the list the verifier uses, and the trust
//! check.

use std::{fmt, marker::PhantomData};

use mc_core::Timestamp;
use serde::{
    Deserialize, Deserializer, Serialize,
    de::{MapAccess, Visitor, value::MapAccessDeserializer},
};
use serde_json::{Map, Value, error::Category};

use super::{CheckId, CheckStatus, VerifyParams, report::Report};

/// What a trusted-issuer list document that is not of the right shape should look like.
const EXPECTED_SHAPE: &str = "expected {\"issuers\": [...]}";

/// A trusted-issuer list as a document: what microcred's `trust export` writes and `trust
/// import` reads, and what the verifier reads from a file, where the simple form
/// `{"issuers": [{"id": "did:web:…", "name": "…"}]}` is enough.
///
/// Fields this version does not know are ignored, at the top level and in entries (no
/// `deny_unknown_fields`): a list exported by a later version that adds a field is still read
/// by this one, as the verifier's reader always did. The fields it knows are checked by
/// [`TrustList::parse`], which is the way to read a list. Each entry is read from a JSON object
/// only, and `parse` requires the list itself to be one too: serde's derived reader alone would
/// also take an array, its fields by position.
///
/// Serialised, a list has the export's shape: `network` when it is known, then `issuers`,
/// each entry with its fields in the order below; `seal_certificates` is always written and
/// `trusted_until` is written as `null` while the issuer has not left.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TrustList {
    /// Who published the list: a microcred's public URL, or a partner network's. The export
    /// always says; the simple form need not.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub network: Option<String>,
    /// The issuers, including those that left the list (with `trusted_until`).
    #[serde(deserialize_with = "objects")]
    pub issuers: Vec<TrustListEntry>,
}

/// One issuer of a trusted-issuer list.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TrustListEntry {
    /// The issuer: its handle in its network (the export, which lists its `dids`), or the id
    /// credentials name as their issuer (an entry without `dids`).
    pub id: String,
    /// The name to show; the `id` stands for it when absent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// The issuer's country, an ISO 3166-1 alpha-2 code.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub country: Option<String>,
    /// The DIDs (or URLs) it issues credentials as. Absent, the entry's `id` is the only one;
    /// `null` is refused rather than read as either "none" or "the id".
    #[serde(default, deserialize_with = "present", skip_serializing_if = "Option::is_none")]
    pub dids: Option<Vec<String>>,
    /// SHA-256 fingerprints (64 hex digits) of its electronic seal certificates.
    #[serde(default)]
    pub seal_certificates: Vec<String>,
    /// Since when it is trusted (RFC 3339).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub trusted_from: Option<String>,
    /// When it left the list (RFC 3339); credentials it issued afterwards are not trusted.
    /// `None` (written as `null`) while it has not left.
    #[serde(default)]
    pub trusted_until: Option<String>,
}

/// Reads a field that, when given, must hold a value: `null` is an error, not `None`.
fn present<'de, D, T>(deserializer: D) -> Result<Option<T>, D::Error>
where
    D: Deserializer<'de>,
    T: Deserialize<'de>,
{
    T::deserialize(deserializer).map(Some)
}

/// A `T` read from a JSON object only. A derived struct reader also takes an array, its fields
/// by position, which no trusted-issuer list means; `TrustedIssuers::from_json` always refused
/// it.
struct Object<T>(T);

impl<'de, T: Deserialize<'de>> Deserialize<'de> for Object<T> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Object<T>, D::Error> {
        struct Maps<T>(PhantomData<T>);
        impl<'de, T: Deserialize<'de>> Visitor<'de> for Maps<T> {
            type Value = T;
            fn expecting(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
                formatter.write_str("a JSON object")
            }
            fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<T, A::Error> {
                T::deserialize(MapAccessDeserializer::new(map))
            }
        }
        deserializer.deserialize_map(Maps(PhantomData)).map(Object)
    }
}

/// Reads the issuers, each from a JSON object only.
fn objects<'de, D: Deserializer<'de>>(deserializer: D) -> Result<Vec<TrustListEntry>, D::Error> {
    Ok(Vec::<Object<TrustListEntry>>::deserialize(deserializer)?.into_iter().map(|Object(entry)| entry).collect())
}

impl TrustList {
    /// Reads a trusted-issuer list from JSON text. Each error names the field it is in
    /// (`issuers[3].trusted_until: …`); `trusted_from` and `trusted_until`, when given, must
    /// be RFC 3339 date-times, and every one that is not is reported.
    pub fn parse(text: &str) -> Result<TrustList, String> {
        let mut deserializer = serde_json::Deserializer::from_str(text);
        let Object::<TrustList>(list) = serde_path_to_error::deserialize(&mut deserializer).map_err(|err| {
            let path = err.path().to_string();
            let err = err.into_inner();
            match (err.classify(), path.as_str()) {
                (Category::Io | Category::Syntax | Category::Eof, _) => format!("not JSON: {err}"),
                // The path is "." when the error is in the document's shape itself.
                (Category::Data, ".") => format!("{err}; {EXPECTED_SHAPE}"),
                (Category::Data, path) => format!("{path}: {err}"),
            }
        })?;
        deserializer.end().map_err(|err| format!("not JSON: {err}"))?;
        let mut problems = Vec::new();
        for (idx, entry) in list.issuers.iter().enumerate() {
            for (field, raw) in [("trusted_from", &entry.trusted_from), ("trusted_until", &entry.trusted_until)] {
                if let Some(Err(err)) = raw.as_deref().map(Timestamp::parse) {
                    problems.push(format!("issuers[{idx}].{field}: {err}"));
                }
            }
        }
        match problems.is_empty() {
            true => Ok(list),
            false => Err(problems.join("; ")),
        }
    }
}

/// A trusted-issuer list: issuer ids (DIDs or URLs), each with a name to show and, for an
/// issuer that left the list, when it left: credentials it issued after then are not trusted.
#[derive(Debug, Clone, Default)]
pub struct TrustedIssuers {
    entries: Vec<TrustedIssuer>,
    /// The certificates a seal's certificate must chain to, for sealed credentials.
    seal_anchors: Vec<crate::jades::SealCertificate>,
    /// The seal certificates the list names for its issuers.
    pinned_seals: Vec<PinnedSeal>,
}

/// A seal certificate a trusted-issuer list names for an issuer, by its SHA-256 fingerprint: a
/// seal whose chain leads to it is that issuer's, trusted.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PinnedSeal {
    /// The certificate's SHA-256 fingerprint, 64 lowercase hex digits.
    pub fingerprint: String,
    /// The issuer's name.
    pub name: String,
    /// When the issuer left the list, if it did: what it sealed afterwards is not trusted.
    pub until: Option<Timestamp>,
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
        TrustedIssuers { entries, seal_anchors: Vec::new(), pinned_seals: Vec::new() }
    }

    /// The list, with `anchors` as the certificates that sealed credentials (European Digital
    /// Credentials) must chain to.
    pub fn with_seal_anchors(mut self, anchors: Vec<crate::jades::SealCertificate>) -> TrustedIssuers {
        self.seal_anchors = anchors;
        self
    }

    /// The certificates sealed credentials must chain to.
    pub fn seal_anchors(&self) -> &[crate::jades::SealCertificate] {
        &self.seal_anchors
    }

    /// The seal certificate the list names with this SHA-256 fingerprint (lowercase hex).
    pub fn pinned_seal(&self, fingerprint: &str) -> Option<&PinnedSeal> {
        self.pinned_seals.iter().find(|pinned| pinned.fingerprint == fingerprint)
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
    /// `trusted_until`. The document is a [`TrustList`], read by [`TrustList::parse`].
    pub fn from_json(text: &str) -> Result<TrustedIssuers, String> {
        TrustList::parse(text).map(|list| TrustedIssuers::from_list(&list))
    }

    /// The list the verifier uses: one [`TrustedIssuer`] per DID of each entry (the entry's
    /// `id` when it lists no `dids`), named by the entry's `name` (its `id` when it has none),
    /// and trusted until its `trusted_until`; with the seal certificates each entry names.
    ///
    /// An entry whose `trusted_until` is not a date-time, which [`TrustList::parse`] refuses but
    /// a list built by hand may hold, is left out: a date that cannot be read never makes an
    /// issuer trusted for longer.
    pub fn from_list(list: &TrustList) -> TrustedIssuers {
        let mut entries = Vec::new();
        let mut pinned_seals = Vec::new();
        for entry in &list.issuers {
            let Ok(until) = entry.trusted_until.as_deref().map(Timestamp::parse).transpose() else { continue };
            let name = entry.name.as_deref().unwrap_or(&entry.id);
            let dids = entry.dids.as_deref().unwrap_or(std::slice::from_ref(&entry.id));
            entries.extend(dids.iter().map(|did| TrustedIssuer { id: did.clone(), name: name.to_owned(), until }));
            pinned_seals.extend(entry.seal_certificates.iter().map(|fingerprint| PinnedSeal {
                fingerprint: fingerprint.to_ascii_lowercase(),
                name: name.to_owned(),
                until,
            }));
        }
        TrustedIssuers { pinned_seals, ..TrustedIssuers::with_entries(entries) }
    }
}

/// Whether the issuer was on the trusted-issuer list when the credential was issued (its
/// `validFrom`, or `issuanceDate` in VC 1.1; now when it has neither).
pub(super) fn check_trust(document: &Map<String, Value>, issuer: &str, params: &VerifyParams<'_>, report: &mut Report) {
    let Some(list) = params.trusted_issuers.filter(|list| !list.is_empty() || list.seal_anchors().is_empty()) else {
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

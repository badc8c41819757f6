//! The network's registry, kept by its administrator: institutions' accreditation facts, and
//! the trusted-issuer list that the verifier's `trust` check uses, exported for other
//! verifiers and imported from partner networks.

use std::sync::Arc;

use mc_core::{Country, Did, InstitutionId, Invalid, Problem, Timestamp};
use mc_store::{AccreditationRecord, TrustedIssuerRecord};
use mc_vc::verify::{TrustList, TrustListEntry, TrustedIssuers};
use serde::{Deserialize, Serialize};

use crate::{App, AppError, NetworkAccess, keys::identity};

/// The trusted-issuer list with the keys fingerprint it was made at.
pub(crate) type TrustCache = std::sync::Mutex<Option<([u64; 4], Option<Arc<TrustedIssuers>>)>>;

/// Where an institution's accreditation stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum AccreditationStatus {
    /// Accredited.
    Accredited,
    /// Accredited provisionally.
    Provisional,
    /// The accreditation ran out.
    Expired,
    /// The accreditation was withdrawn.
    Withdrawn,
}

impl AccreditationStatus {
    /// Every status, from the best to the worst.
    pub const ALL: [AccreditationStatus; 4] = [
        AccreditationStatus::Accredited,
        AccreditationStatus::Provisional,
        AccreditationStatus::Expired,
        AccreditationStatus::Withdrawn,
    ];

    /// Reads a status's name.
    pub fn parse(raw: &str) -> Option<AccreditationStatus> {
        AccreditationStatus::ALL.into_iter().find(|status| status.as_str() == raw)
    }

    /// The status's name.
    pub fn as_str(self) -> &'static str {
        match self {
            AccreditationStatus::Accredited => "accredited",
            AccreditationStatus::Provisional => "provisional",
            AccreditationStatus::Expired => "expired",
            AccreditationStatus::Withdrawn => "withdrawn",
        }
    }
}

/// An institution's accreditation facts as recorded. Dates are days, `YYYY-MM-DD`, checked when
/// they were recorded.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Accreditation {
    /// The institution.
    pub institution: InstitutionId,
    /// The quality-assurance or accreditation body.
    pub qa_body: String,
    /// Where it stands.
    pub status: AccreditationStatus,
    /// Since when.
    pub valid_from: String,
    /// Until when.
    pub valid_until: Option<String>,
    /// The institution's id in its national register.
    pub register_id: Option<String>,
    /// Who recorded it.
    pub updated_by: String,
    /// When.
    pub updated_at: Timestamp,
}

impl Accreditation {
    pub(crate) fn from_record(record: AccreditationRecord) -> Result<Accreditation, AppError> {
        let damaged = |detail: String| -> AppError {
            mc_store::StoreError::Corrupt { what: "accreditation", id: record.institution_id.clone(), detail }.into()
        };
        Ok(Accreditation {
            institution: InstitutionId::parse(&record.institution_id).map_err(|err| damaged(err.to_string()))?,
            status: AccreditationStatus::parse(&record.status)
                .ok_or_else(|| damaged(format!("status {:?}", record.status)))?,
            qa_body: record.qa_body,
            valid_from: record.valid_from,
            valid_until: record.valid_until,
            register_id: record.register_id,
            updated_by: record.updated_by,
            updated_at: Timestamp::from_unix(record.updated_at, 0),
        })
    }
}

/// An institution's accreditation facts, as the administrator gives them.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AccreditationDocument {
    /// The institution's handle.
    pub institution: String,
    /// The quality-assurance or accreditation body, such as ANECA.
    pub qa_body: String,
    /// `accredited`, `provisional`, `expired` or `withdrawn`.
    pub status: String,
    /// Since when, `YYYY-MM-DD`.
    pub valid_from: String,
    /// Until when, `YYYY-MM-DD`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub valid_until: Option<String>,
    /// The institution's id in its national register.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub register_id: Option<String>,
}

/// What an import did: the entries taken, each refused one with why, and the issuers that left
/// because the partner's list no longer has them.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct TrustImport {
    /// How many entries were added or updated.
    pub imported: usize,
    /// The refused entries: position in `issuers` and reason.
    pub rejected: Vec<(usize, String)>,
    /// The ids of the entries that left the list now, as `network:id`.
    pub left: Vec<String>,
}

/// The most entries an imported list may have.
const MAX_IMPORTED_ISSUERS: usize = 10_000;

/// What the network's administrator does.
impl NetworkAccess<'_> {
    /// Records an institution's accreditation facts, replacing earlier ones.
    pub async fn set_accreditation(
        &self,
        document: &AccreditationDocument,
        now: Timestamp,
    ) -> Result<Accreditation, AppError> {
        let actor = self.actor();
        let mut problems = Vec::new();
        let mut problem = |field: &str, message: String| problems.push(Problem { field: field.into(), message });
        if InstitutionId::parse(&document.institution).is_err() {
            problem("institution", format!("{:?} is not an institution handle", document.institution));
        }
        let qa_body = document.qa_body.trim();
        if qa_body.is_empty() || qa_body.len() > 200 {
            problem("qa_body", "name the quality-assurance body (1 to 200 characters)".into());
        }
        if AccreditationStatus::parse(&document.status).is_none() {
            let names: Vec<&str> = AccreditationStatus::ALL.iter().map(|status| status.as_str()).collect();
            problem("status", format!("unknown status {:?}: expected one of {}", document.status, names.join(", ")));
        }
        let date = |raw: &str| Timestamp::parse(&format!("{raw}T00:00:00Z")).ok().filter(|_| raw.len() == 10);
        let from = date(&document.valid_from);
        if from.is_none() {
            problem("valid_from", format!("{:?} is not a date (YYYY-MM-DD)", document.valid_from));
        }
        if let Some(raw) = &document.valid_until {
            match (date(raw), from) {
                (None, _) => problem("valid_until", format!("{raw:?} is not a date (YYYY-MM-DD)")),
                (Some(until), Some(from)) if until < from => {
                    problem("valid_until", format!("{raw} is before valid_from {}", document.valid_from))
                }
                _ => {}
            }
        }
        let register_id = document.register_id.as_deref().map(str::trim).filter(|id| !id.is_empty());
        if register_id.is_some_and(|id| id.len() > 100) {
            problem("register_id", "is longer than 100 characters".into());
        }
        if let Some(invalid) = Invalid::from_problems(problems) {
            return Err(invalid.into());
        }
        self.app().institution(&document.institution).await?;
        let record = AccreditationDocument {
            qa_body: qa_body.to_owned(),
            register_id: register_id.map(str::to_owned),
            ..document.clone()
        }
        .record(actor, now);
        let mut tx = self.app().store().begin().await?;
        tx.db().put_accreditation(&record).await?;
        tx.commit().await?;
        tracing::info!(institution.id = %record.institution_id, status = %record.status, "accreditation recorded");
        Accreditation::from_record(record)
    }

    /// Puts an institution of this network on the trusted-issuer list, or back on it, with
    /// the SHA-256 fingerprints of its electronic seal certificates. Its DIDs are those of its
    /// keys, now and later. Adding one that is on the list with the same seals changes nothing.
    pub async fn trust_institution(
        &self,
        raw_id: &str,
        seal_certificates: &[String],
        now: Timestamp,
    ) -> Result<TrustListEntry, AppError> {
        let seals = seal_certificates
            .iter()
            .map(|seal| seal_fingerprint(seal))
            .collect::<Result<Vec<_>, _>>()
            .map_err(|message| AppError::invalid_argument("seal certificate", mc_core::ValueError::new(message)))?;
        let institution = self.app().institution(raw_id).await?;
        let mut tx = self.app().store().begin().await?;
        let existing = tx.db().trusted_issuers().await?.into_iter().find(|entry| entry.id == raw_id);
        if let Some(entry) = &existing
            && entry.trusted_until.is_none()
            && (seals.is_empty() || entry.seal_certificates == seals)
        {
            return self.app().list_entry(entry.clone()).await;
        }
        let mut record = local_trust_record(&institution, now);
        if let Some(entry) = existing.filter(|entry| entry.trusted_until.is_none()) {
            record.trusted_from = entry.trusted_from;
        }
        record.seal_certificates = seals;
        tx.db().put_trusted_issuer(&record).await?;
        tx.commit().await?;
        tracing::info!(institution.id = raw_id, "institution put on the trusted-issuer list");
        self.app().list_entry(record).await
    }

    /// Takes an issuer off the trusted-issuer list at `now`: what it issued before stays
    /// trusted, what it issues afterwards is not.
    pub async fn untrust(&self, id: &str, now: Timestamp) -> Result<TrustListEntry, AppError> {
        let mut tx = self.app().store().begin().await?;
        let Some(mut record) = tx.db().trusted_issuers().await?.into_iter().find(|entry| entry.id == id) else {
            return Err(AppError::NotFound { what: "trusted issuer", id: id.into() });
        };
        if record.trusted_until.is_some() {
            return Err(AppError::Conflict(format!("{id} already left the trusted-issuer list")));
        }
        record.trusted_until = Some(now.unix_seconds());
        record.updated_at = now.unix_seconds();
        tx.db().put_trusted_issuer(&record).await?;
        tx.commit().await?;
        tracing::info!(issuer = id, "issuer taken off the trusted-issuer list");
        self.app().list_entry(record).await
    }
}

impl NetworkAccess<'_> {
    /// Imports a partner network's trusted-issuer list (the document
    /// [`App::trust_list_document`] makes) under the network name `network`. Each entry is
    /// checked alone: the wrong ones are reported and the rest imported, replacing what the
    /// same network's earlier import said of them. An issuer of the earlier imports that the
    /// list no longer names leaves the list at `now`, as [`NetworkAccess::untrust`] does: its
    /// entry is kept with `trusted_until`, so what it issued while trusted stays trusted. (An
    /// entry the list still names but that is refused keeps what the earlier import said.)
    pub async fn import_trust_list(&self, text: &str, network: &str, now: Timestamp) -> Result<TrustImport, AppError> {
        if network.is_empty() || network == "local" || network.len() > 100 || network.contains(char::is_whitespace) {
            return Err(AppError::invalid_argument(
                "network",
                mc_core::ValueError::new(format!(
                    "{network:?} cannot name a partner network: use a short name such as eu-net, not \"local\""
                )),
            ));
        }
        let document = TrustList::parse(text).map_err(|message| AppError::Parse {
            format: "JSON",
            message: format!("{message}; a partner's list has {{\"network\": …, \"issuers\": [{{\"id\", \"name\", \"country\", \"dids\", \"trusted_from\", …}}]}}"),
        })?;
        if document.issuers.len() > MAX_IMPORTED_ISSUERS {
            return Err(AppError::invalid_argument(
                "issuers",
                mc_core::ValueError::new(format!(
                    "the list has {} issuers; at most {MAX_IMPORTED_ISSUERS} are accepted",
                    document.issuers.len()
                )),
            ));
        }
        let mut report = TrustImport::default();
        let mut records = Vec::new();
        for (idx, entry) in document.issuers.iter().enumerate() {
            match imported_record(entry, network, now) {
                Ok(record) if records.iter().any(|seen: &TrustedIssuerRecord| seen.id == record.id) => {
                    report.rejected.push((idx, format!("issuer {:?} is listed twice", entry.id)));
                }
                Ok(record) => records.push(record),
                Err(reason) => report.rejected.push((idx, reason)),
            }
        }
        let listed: std::collections::HashSet<String> =
            document.issuers.iter().map(|entry| format!("{network}:{}", entry.id)).collect();
        let mut tx = self.app().store().begin().await?;
        for mut record in tx.db().trusted_issuers().await? {
            if record.network == network && record.trusted_until.is_none() && !listed.contains(&record.id) {
                record.trusted_until = Some(now.unix_seconds().max(record.trusted_from));
                record.updated_at = now.unix_seconds();
                tx.db().put_trusted_issuer(&record).await?;
                report.left.push(record.id);
            }
        }
        for record in &records {
            tx.db().put_trusted_issuer(record).await?;
        }
        tx.commit().await?;
        report.imported = records.len();
        tracing::info!(
            network,
            imported = report.imported,
            rejected = report.rejected.len(),
            left = report.left.len(),
            "trusted-issuer list imported"
        );
        Ok(report)
    }
}

/// The registry and the trusted-issuer list, as anyone may read them.
impl App {
    /// Every institution's accreditation facts.
    pub async fn accreditations(&self) -> Result<Vec<Accreditation>, AppError> {
        let records = self.store().db().await?.accreditations().await?;
        records.into_iter().map(Accreditation::from_record).collect()
    }

    /// The trusted-issuer list as a document for other verifiers: every issuer with its DIDs
    /// (for this network's institutions, the DIDs of every key they have had).
    pub async fn trust_list_document(&self) -> Result<TrustList, AppError> {
        let mut issuers = Vec::new();
        for record in self.store().db().await?.trusted_issuers().await? {
            issuers.push(self.list_entry(record).await?);
        }
        Ok(TrustList { network: Some(self.public_url().to_owned()), issuers })
    }

    /// An entry of the list as its document says it: a local institution issues as the DIDs
    /// of its keys, a partner's issuer as those its network listed.
    pub(crate) async fn list_entry(&self, record: TrustedIssuerRecord) -> Result<TrustListEntry, AppError> {
        let dids = match &record.institution_id {
            Some(id) => self.institution_dids(id).await?,
            None => record.dids,
        };
        let time = |seconds: i64| Timestamp::from_unix(seconds, 0).to_rfc3339();
        Ok(TrustListEntry {
            id: record.id,
            name: Some(record.name),
            country: Some(record.country),
            dids: Some(dids),
            seal_certificates: record.seal_certificates,
            trusted_from: Some(time(record.trusted_from)),
            trusted_until: record.trusted_until.map(time),
        })
    }

    /// The trusted-issuer list the verifier uses, or `None` when it is empty (then the trust
    /// check is not made). Kept until the keys fingerprint changes.
    pub(crate) async fn trust_anchors_at(
        &self,
        fingerprint: [u64; 4],
    ) -> Result<Option<Arc<TrustedIssuers>>, AppError> {
        if let Some((cached, list)) = &*self.trust_cache.lock().expect("the trust cache is never poisoned")
            && *cached == fingerprint
        {
            return Ok(list.clone());
        }
        let issuers = TrustedIssuers::from_list(&self.trust_list_document().await?);
        let list = (!issuers.is_empty()).then(|| Arc::new(issuers));
        *self.trust_cache.lock().expect("the trust cache is never poisoned") = Some((fingerprint, list.clone()));
        Ok(list)
    }

    /// The trusted-issuer list the verifier uses, as [`App::trust_anchors_at`].
    pub async fn trust_anchors(&self) -> Result<Option<Arc<TrustedIssuers>>, AppError> {
        let fingerprint = self.store().db().await?.keys_fingerprint().await?;
        self.trust_anchors_at(fingerprint).await
    }

    /// The DIDs an institution of this network issues as: its `did:web`, and the `did:key`
    /// of every key it has had.
    async fn institution_dids(&self, raw_id: &str) -> Result<Vec<String>, AppError> {
        let institution = self.institution(raw_id).await?;
        let mut dids: Vec<String> = institution.did().map(|did| did.to_string()).into_iter().collect();
        for key in self.store().db().await?.issuer_keys(raw_id).await? {
            let id = identity(&institution, &key).issuer_id;
            if !dids.contains(&id) {
                dids.push(id);
            }
            let key_did = format!("did:key:{}", key.public_key);
            if !dids.contains(&key_did) {
                dids.push(key_did);
            }
        }
        Ok(dids)
    }
}

impl AccreditationDocument {
    /// The record of these facts, given by `actor` at `now`.
    pub(crate) fn record(&self, actor: &str, now: Timestamp) -> AccreditationRecord {
        AccreditationRecord {
            institution_id: self.institution.clone(),
            qa_body: self.qa_body.clone(),
            status: self.status.clone(),
            valid_from: self.valid_from.clone(),
            valid_until: self.valid_until.clone(),
            register_id: self.register_id.clone(),
            updated_by: actor.to_owned(),
            updated_at: now.unix_seconds(),
        }
    }
}

/// The list entry of an institution of this network, trusted from `now`; its DIDs are
/// derived from its keys when the list is read.
pub(crate) fn local_trust_record(institution: &mc_core::Institution, now: Timestamp) -> TrustedIssuerRecord {
    let id = institution.id().as_str();
    TrustedIssuerRecord {
        id: id.to_owned(),
        institution_id: Some(id.to_owned()),
        name: crate::catalogue::institution_facts(institution).name,
        country: institution.country().code().to_owned(),
        network: "local".to_owned(),
        dids: Vec::new(),
        seal_certificates: Vec::new(),
        trusted_from: now.unix_seconds(),
        trusted_until: None,
        updated_at: now.unix_seconds(),
    }
}

/// A seal certificate's SHA-256 fingerprint, lowercase, or why it is not one.
fn seal_fingerprint(raw: &str) -> Result<String, String> {
    let hex = raw.trim().replace(':', "");
    match hex.len() == 64 && hex.chars().all(|c| c.is_ascii_hexdigit()) {
        true => Ok(hex.to_ascii_lowercase()),
        false => Err(format!("seal certificate {raw:?} is not a SHA-256 fingerprint (64 hex digits)")),
    }
}

/// The record of one imported entry, or why it is refused.
fn imported_record(entry: &TrustListEntry, network: &str, now: Timestamp) -> Result<TrustedIssuerRecord, String> {
    let handle_ok = !entry.id.is_empty()
        && entry.id.len() <= 64
        && entry.id.chars().all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.'));
    if !handle_ok {
        return Err(format!("id {:?} must be 1 to 64 letters, digits, '-', '_' or '.'", entry.id));
    }
    let missing = |field: &str| format!("{}: {field} is missing; a partner's list names it for every issuer", entry.id);
    let name = entry.name.as_deref().ok_or_else(|| missing("name"))?.trim();
    if name.is_empty() || name.chars().count() > 300 {
        return Err(format!("{}: the name must have 1 to 300 characters", entry.id));
    }
    let country = entry.country.as_deref().ok_or_else(|| missing("country"))?;
    let country = Country::parse(country).map_err(|err| format!("{}: country: {err}", entry.id))?;
    let dids = entry.dids.as_deref().ok_or_else(|| missing("dids"))?;
    if dids.is_empty() {
        return Err(format!("{}: lists no DIDs, so no credential could be trusted", entry.id));
    }
    for did in dids {
        Did::parse(did).map_err(|err| format!("{}: dids: {err}", entry.id))?;
    }
    let seal_certificates = entry
        .seal_certificates
        .iter()
        .map(|seal| seal_fingerprint(seal))
        .collect::<Result<Vec<_>, _>>()
        .map_err(|message| format!("{}: {message}", entry.id))?;
    let time = |field: &str, raw: &str| {
        Timestamp::parse(raw).map(Timestamp::unix_seconds).map_err(|err| format!("{}: {field}: {err}", entry.id))
    };
    let trusted_from = time("trusted_from", entry.trusted_from.as_deref().ok_or_else(|| missing("trusted_from"))?)?;
    let trusted_until = entry.trusted_until.as_deref().map(|raw| time("trusted_until", raw)).transpose()?;
    if trusted_until.is_some_and(|until| until < trusted_from) {
        return Err(format!("{}: trusted_until is before trusted_from", entry.id));
    }
    Ok(TrustedIssuerRecord {
        id: format!("{network}:{}", entry.id),
        institution_id: None,
        name: name.to_owned(),
        country: country.code().to_owned(),
        network: network.to_owned(),
        dids: dids.to_vec(),
        seal_certificates,
        trusted_from,
        trusted_until,
        updated_at: now.unix_seconds(),
    })
}

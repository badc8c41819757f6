//! Issuing: an Open Badges 3.0 credential for a learner, signed with the institution's key,
//! and/or a European Digital Credential sealed with its electronic seal, with a revocation and a
//! suspension entry at random free indexes of the institution's status lists (the EDC carries
//! the revocation entry, the same bit as the badge's). The indexes, the credential and its
//! status rows are stored in one transaction, and a credential is issued once per
//! specification, learner and cohort.

use std::{
    collections::HashMap,
    sync::{Arc, OnceLock, PoisonError},
};

use mc_core::{CredentialFormat, CredentialState, InstitutionId, Learner, LearnerId, SpecId, Timestamp};
use mc_store::{CredentialRecord, StatusEntryRecord, StatusListRecord, StoreError, StoreTx};
use mc_vc::{
    badge::{Award, BadgeContent, BadgeDraft, BadgeTemplate},
    edc,
    multikey::KeyType,
    proof::{self, PreparedProof, ProofOptions, Suite},
    status::{Bitstring, MIN_LIST_SIZE, StatusEntry, StatusPurpose},
};
use serde_json::Value;

use crate::{
    Added, App, AppError,
    keys::{random_bytes, random_fill},
};

/// How the learner of an issue is named.
#[derive(Debug, Clone, Copy)]
pub enum LearnerRef<'a> {
    /// By id (a UUID) or, when it holds an `@`, by email address: a registered learner.
    IdOrEmail(&'a str),
    /// By email address and name: registered with them when no learner has the address yet,
    /// as a cohort row is. The answer is the same whether the learner existed or not.
    Named {
        /// The learner's email address.
        email: &'a str,
        /// The learner's name, used when they are registered now.
        name: &'a str,
    },
}

/// What to issue.
#[derive(Debug, Clone)]
pub struct IssueRequest<'a> {
    /// The specification's id.
    pub spec: &'a str,
    /// The learner.
    pub learner: LearnerRef<'a>,
    /// The cryptosuite of the proof.
    pub suite: Suite,
    /// What to issue: an Open Badges credential, a European Digital Credential, or both.
    pub format: CredentialFormat,
    /// The cohort run issuing it; `None` for a single issue.
    pub cohort_key: Option<&'a str>,
    /// An API caller's idempotency key.
    pub idempotency_key: Option<&'a str>,
    /// The grade achieved, when graded.
    pub grade: Option<&'a str>,
    /// The time of issuing.
    pub now: Timestamp,
}

/// An issued credential as stored, read back into domain values. Only the use cases make one,
/// so holding one means the caller was allowed to see it.
#[derive(Debug, Clone)]
pub struct IssuedCredential {
    id: String,
    institution: InstitutionId,
    spec: SpecId,
    learner: LearnerId,
    issued_at: Timestamp,
    state: CredentialState,
    revocation_reason: Option<String>,
    state_changed_at: Option<Timestamp>,
    document: Document,
    spec_version: Option<u32>,
    format: CredentialFormat,
    /// The sealed EDC beside the Open Badges credential in `document` (format `both`).
    edc_document: Option<Document>,
}

/// A credential's document: its JSON text, as stored, and the map it reads as. A document read
/// from the store is read at once, so that a damaged one is found there; one made here is
/// read only when asked for, since a cohort's callers seldom look at it.
#[derive(Debug, Clone)]
struct Document {
    text: String,
    map: OnceLock<serde_json::Map<String, Value>>,
}

impl Document {
    /// The document stored as `text`, or `None` when it is not a JSON object.
    fn read(text: String) -> Option<Document> {
        match serde_json::from_str(&text) {
            Ok(Value::Object(map)) => Some(Document { text, map: OnceLock::from(map) }),
            _ => None,
        }
    }

    /// The document this process wrote as `text` from a JSON map.
    fn written(text: String) -> Document {
        Document { text, map: OnceLock::new() }
    }

    fn map(&self) -> &serde_json::Map<String, Value> {
        self.map.get_or_init(|| match serde_json::from_str(&self.text) {
            Ok(Value::Object(map)) => map,
            _ => unreachable!("a document written from a JSON map reads as one"),
        })
    }
}

impl IssuedCredential {
    pub(crate) fn from_record(record: CredentialRecord) -> Result<IssuedCredential, AppError> {
        let damaged = |detail: String| StoreError::Corrupt { what: "credential", id: record.id.clone(), detail };
        let Some(document) = Document::read(record.document) else {
            return Err(damaged("its document is not a JSON object".into()).into());
        };
        let edc_document = match record.edc_document.map(Document::read) {
            None => None,
            Some(Some(document)) => Some(document),
            Some(None) => return Err(damaged("its European Digital Credential is not a JSON object".into()).into()),
        };
        let format = CredentialFormat::parse(&record.format)
            .ok_or_else(|| damaged(format!("unknown format {:?}", record.format)))?;
        let state_changed_at = record
            .state_changed_at
            .as_deref()
            .map(Timestamp::parse)
            .transpose()
            .map_err(|err| damaged(err.to_string()))?;
        Ok(IssuedCredential {
            institution: InstitutionId::parse(&record.institution_id).map_err(|err| damaged(err.to_string()))?,
            spec: SpecId::parse(&record.spec_id).map_err(|err| damaged(err.to_string()))?,
            learner: LearnerId::parse(&record.learner_id).map_err(|err| damaged(err.to_string()))?,
            issued_at: Timestamp::parse(&record.issued_at).map_err(|err| damaged(err.to_string()))?,
            state: CredentialState::parse(&record.state)
                .ok_or_else(|| damaged(format!("unknown state {:?}", record.state)))?,
            id: record.id,
            revocation_reason: record.revocation_reason,
            state_changed_at,
            document,
            spec_version: record.spec_version,
            format,
            edc_document,
        })
    }

    /// The credential's id (a UUID; the credential's `id` is `urn:uuid:` and this).
    pub fn id(&self) -> &str {
        &self.id
    }

    /// The issuing institution.
    pub fn institution_id(&self) -> &InstitutionId {
        &self.institution
    }

    /// The specification it awards.
    pub fn spec_id(&self) -> SpecId {
        self.spec
    }

    /// The learner it was awarded to.
    pub fn learner_id(&self) -> LearnerId {
        self.learner
    }

    /// When it was issued.
    pub fn issued_at(&self) -> Timestamp {
        self.issued_at
    }

    /// Whether it is active, suspended or revoked.
    pub fn state(&self) -> CredentialState {
        self.state
    }

    /// Why it was revoked.
    pub fn revocation_reason(&self) -> Option<&str> {
        self.revocation_reason.as_deref()
    }

    /// When its state last changed (revoked, suspended, suspension lifted); `None` if never,
    /// or before this was recorded.
    pub fn state_changed_at(&self) -> Option<Timestamp> {
        self.state_changed_at
    }

    /// The issued document: the signed Open Badges credential, or the sealed European Digital
    /// Credential when that is all that was issued.
    pub fn document(&self) -> &serde_json::Map<String, Value> {
        self.document.map()
    }

    /// The formats it was issued in.
    pub fn format(&self) -> CredentialFormat {
        self.format
    }

    /// The signed Open Badges credential, unless only an EDC was issued.
    pub fn open_badge(&self) -> Option<&serde_json::Map<String, Value>> {
        self.format.has_open_badge().then(|| self.document.map())
    }

    /// The sealed European Digital Credential (a JAdES JWS in the JSON serialization), when one
    /// was issued.
    pub fn sealed_edc(&self) -> Option<&serde_json::Map<String, Value>> {
        match self.format {
            CredentialFormat::OpenBadges => None,
            CredentialFormat::Edc => Some(self.document.map()),
            CredentialFormat::Both => self.edc_document.as_ref().map(Document::map),
        }
    }

    /// What the credential says of the award, for showing it: read from the sealed EDC, which
    /// says it in every language of the specification (in `language` when it has it), or from
    /// the signed badge, which says it in one.
    pub fn content(&self, language: &str) -> BadgeContent {
        let payload = self.sealed_edc().and_then(|sealed| sealed.get("payload")).and_then(Value::as_str);
        match (payload.map(serde_json::from_str::<serde_json::Map<String, Value>>), self.open_badge()) {
            (Some(Ok(credential)), _) => edc::content(&credential, language),
            (_, Some(badge)) => BadgeContent::read(badge),
            (_, None) => BadgeContent::default(),
        }
    }

    /// The version of the specification it was issued from; `None` when it was issued before
    /// versions were recorded.
    pub fn spec_version(&self) -> Option<u32> {
        self.spec_version
    }
}

/// Who a credential was issued to, beside what it says itself. What a page shows of the award
/// comes from the signed credential (`mc_vc::badge::BadgeContent`), never from the
/// specification as it is now.
#[derive(Debug, Clone)]
pub struct CredentialParts {
    /// The learner, unless no longer registered.
    pub learner: Option<Learner>,
}

/// What every credential of one specification shares: loaded once per issue or cohort.
#[derive(Clone)]
pub(crate) struct Prepared {
    pub(crate) spec: mc_core::Spec,
    /// The version of `spec`: what its credentials name.
    pub(crate) version: u32,
    pub(crate) awarding_bodies: Vec<mc_core::Institution>,
    /// The status indexes that the batches of this issue or cohort took, or found another
    /// credential had, by list: a batch takes them along and leaves them for the next, whose
    /// draws leave them out instead of colliding with them. One that a batch took before it
    /// rolled back may be free again; it is only not drawn.
    pub(crate) taken: Arc<std::sync::Mutex<TakenIndexes>>,
}

/// Status indexes known to be taken, by list id.
pub(crate) type TakenIndexes = HashMap<String, Bitstring>;

/// A transaction of issues and what they share: the signing key, the current status list of
/// each purpose, and how many entries of each list the batch has taken.
pub(crate) struct Batch {
    tx: StoreTx,
    audit: mc_store::AuditWriter,
    key: Option<mc_store::IssuerKeyRecord>,
    lists: HashMap<StatusPurpose, StatusListRecord>,
    claimed: HashMap<String, u64>,
    /// The indexes known to be taken, of [`Prepared::taken`] while the batch draws.
    taken: TakenIndexes,
    /// The institution's seal key, once an EDC of the batch needs it.
    seal: Option<Arc<mc_vc::jades::SealKey>>,
}

impl Batch {
    /// The batch's transaction, to record more in it before it is committed.
    pub(crate) fn tx(&mut self) -> &mut StoreTx {
        &mut self.tx
    }

    /// Takes along the indexes the batches before it of `prepared` know to be taken.
    pub(crate) fn take_known(&mut self, prepared: &Prepared) {
        self.taken = std::mem::take(&mut *prepared.taken.lock().unwrap_or_else(PoisonError::into_inner));
    }

    /// Leaves the indexes it knows to be taken for the next batch of `prepared`.
    pub(crate) fn leave_known(&mut self, prepared: &Prepared) {
        *prepared.taken.lock().unwrap_or_else(PoisonError::into_inner) = std::mem::take(&mut self.taken);
    }

    /// Notes that these indexes of `list` are taken.
    fn known_taken(&mut self, list: &StatusListRecord, indexes: impl IntoIterator<Item = u64>) {
        let known = self.taken.entry(list.id.clone()).or_insert_with(|| Bitstring::new(list.size));
        for index in indexes {
            known.set(index);
        }
    }
}

/// The learner and award details of one credential.
pub(crate) struct Recipient<'a> {
    /// The learner, when already registered.
    pub(crate) learner: Option<Learner>,
    /// The learner to register when `learner` is `None` and no learner has its email.
    pub(crate) new_learner: Option<&'a Learner>,
    pub(crate) grade: Option<&'a str>,
    pub(crate) awarded: Option<Timestamp>,
}

impl App {
    /// A registered learner, by id or email address.
    pub(crate) async fn find_learner(&self, raw: &str) -> Result<Learner, AppError> {
        if raw.contains('@') {
            return self.operator().learner_by_email(raw).await;
        }
        let id = mc_core::LearnerId::parse(raw).map_err(|err| AppError::invalid_argument("learner id", err))?;
        self.store()
            .db()
            .await?
            .learner(&id.to_string())
            .await?
            .ok_or_else(|| AppError::NotFound { what: "learner", id: raw.into() })
    }

    /// Loads what every credential of `spec` shares, and makes sure its issuer has a key.
    /// Nothing is issued from a draft: it must be published first.
    pub(crate) async fn prepare(&self, raw_id: &str, now: Timestamp) -> Result<Prepared, AppError> {
        let id = SpecId::parse(raw_id).map_err(|err| AppError::invalid_argument("specification id", err))?;
        let (spec, version) = self
            .store()
            .db()
            .await?
            .spec_with_version(id)
            .await?
            .ok_or_else(|| AppError::NotFound { what: "specification", id: raw_id.into() })?;
        self.refuse_draft(&spec).await?;
        let mut awarding_bodies = Vec::new();
        for body in spec.awarding_bodies() {
            awarding_bodies.push(self.institution(body.as_str()).await?);
        }
        self.ensure_issuer_key(awarding_bodies[0].id(), now).await?;
        Ok(Prepared { spec, version, awarding_bodies, taken: Arc::default() })
    }

    /// Issues a credential, or returns the one already issued for the same specification,
    /// learner and cohort.
    pub(crate) async fn issue_credential(
        &self,
        request: &IssueRequest<'_>,
    ) -> Result<(IssuedCredential, Added), AppError> {
        let prepared = self.prepare(request.spec, request.now).await?;
        let (learner, new_learner) = match request.learner {
            LearnerRef::IdOrEmail(raw) => (Some(self.find_learner(raw).await?), None),
            LearnerRef::Named { email, name } => {
                let document = mc_core::wire::LearnerDocument {
                    id: None,
                    name: Some(name.to_owned()),
                    email: Some(email.to_owned()),
                    did: None,
                };
                (None, Some(document.parse(mc_core::LearnerId::from_uuid(self.new_id()))?))
            }
        };
        let recipient = Recipient { learner, new_learner: new_learner.as_ref(), grade: request.grade, awarded: None };
        let mut batch = self.begin_batch().await?;
        let issued = self.issue_in(&mut batch, &prepared, &recipient, request).await?;
        self.commit_batch(batch).await?;
        Ok(issued)
    }

    /// Starts a transaction of issues.
    pub(crate) async fn begin_batch(&self) -> Result<Batch, AppError> {
        let mut tx = self.store().begin().await?;
        // Batches queue here, before they take any other lock: two batches waiting on each
        // other's status indexes and audit entries would otherwise deadlock on PostgreSQL.
        let audit = tx.audit_writer().await?;
        Ok(Batch {
            tx,
            audit,
            key: None,
            lists: HashMap::new(),
            claimed: HashMap::new(),
            taken: HashMap::new(),
            seal: None,
        })
    }

    /// Commits a transaction of issues; returns the status lists its credentials are in.
    pub(crate) async fn commit_batch(&self, mut batch: Batch) -> Result<Vec<String>, AppError> {
        let mut lists = Vec::with_capacity(batch.claimed.len());
        for (list, claimed) in batch.claimed {
            batch.tx.db().add_status_list_use(&list, claimed).await?;
            lists.push(list);
        }
        batch.tx.finish_audit(batch.audit).await?;
        batch.tx.commit().await?;
        Ok(lists)
    }

    /// Issues one credential of a prepared specification in `batch`: the learner (when new),
    /// the status indexes and the credential are stored together with the batch or not at all.
    pub(crate) async fn issue_in(
        &self,
        batch: &mut Batch,
        prepared: &Prepared,
        recipient: &Recipient<'_>,
        request: &IssueRequest<'_>,
    ) -> Result<(IssuedCredential, Added), AppError> {
        let spec = &prepared.spec;
        let institution = &prepared.awarding_bodies[0];
        let cohort_key = request.cohort_key.unwrap_or("");
        let (learner, fresh) = match (&recipient.learner, recipient.new_learner) {
            (Some(learner), _) => (learner.clone(), false),
            (None, Some(new)) if batch.tx.db().insert_learner_if_new(new).await? => (new.clone(), true),
            (None, Some(new)) => {
                let existing = batch.tx.db().learner_by_email(new.email()).await?;
                let existing = existing
                    .ok_or_else(|| AppError::Conflict(format!("learner {} could not be registered", new.email())))?;
                // The credential says what this issuer said of the learner (their DID too), never
                // what was registered before: the answer does not tell whether they were.
                let as_named = mc_core::wire::LearnerDocument {
                    id: Some(existing.id().to_string()),
                    name: Some(new.name().to_owned()),
                    email: Some(new.email().to_string()),
                    did: new.did().map(|did| did.as_str().to_owned()),
                };
                (as_named.parse(existing.id())?, false)
            }
            (None, None) => return Err(AppError::Conflict("an issue needs a learner".into())),
        };
        if let Some(key) = request.idempotency_key
            && let Some(existing) = batch.tx.db().credential_by_idempotency_key(institution.id().as_str(), key).await?
        {
            // The same key with the same request answers the same; with another, it is refused.
            return match existing.spec_id == spec.id().to_string() && existing.learner_id == learner.id().to_string() {
                true => Ok((IssuedCredential::from_record(existing)?, Added::Unchanged)),
                false => Err(AppError::Conflict(format!("the idempotency key {key:?} was used for another issue"))),
            };
        }
        // A learner registered just now has no credential yet.
        if !fresh
            && let Some(existing) =
                batch.tx.db().credential_for(&spec.id().to_string(), &learner.id().to_string(), cohort_key).await?
        {
            return Ok((IssuedCredential::from_record(existing)?, Added::Unchanged));
        }
        let making = self.making(batch, prepared, request).await?;
        let credential_id = self.new_id().to_string();
        let status =
            self.claim_status_entries(batch, institution.id().as_str(), &[&credential_id], request.now).await?;
        let item = NewCredential {
            id: credential_id,
            learner,
            grade: recipient.grade.map(str::to_owned),
            awarded: recipient.awarded,
            status: status.into_iter().next().expect("one credential's entries"),
            idempotency_key: request.idempotency_key.map(str::to_owned),
        };
        let made = making.make(item, &mut BadgeDraft::default())?;
        self.store_made(batch, &making, std::slice::from_ref(&made)).await?;
        Ok((made.credential, Added::New))
    }

    /// What every credential of `batch` is made with: the institution's current key, and its
    /// seal when an EDC is issued; loaded once per batch.
    pub(crate) async fn making(
        &self,
        batch: &mut Batch,
        prepared: &Prepared,
        request: &IssueRequest<'_>,
    ) -> Result<Making, AppError> {
        let institution = prepared.awarding_bodies[0].id();
        if batch.key.is_none() {
            batch.key = Some(self.current_key(&mut batch.tx, institution).await?);
        }
        if request.format.has_edc() && batch.seal.is_none() {
            batch.seal = Some(Arc::new(self.seal_key_in(&mut batch.tx, institution).await?));
        }
        let key = batch.key.clone().expect("loaded above");
        let identity = crate::keys::identity(&prepared.awarding_bodies[0], &key);
        let image = self.badge_url(prepared.spec.id());
        let template = match request.format.has_open_badge() {
            true => {
                let bodies: Vec<&mc_core::Institution> = prepared.awarding_bodies.iter().collect();
                let template =
                    BadgeTemplate::new(&prepared.spec, &bodies, &identity.issuer_id, prepared.version, Some(&image));
                let options = ProofOptions {
                    verification_method: identity.verification_method.clone(),
                    created: request.now.to_rfc3339(),
                    proof_purpose: "assertionMethod".into(),
                };
                let proof = PreparedProof::new(request.suite, KeyType::Ed25519, &options, template.context())?;
                Some((template, proof))
            }
            false => None,
        };
        Ok(Making {
            app: self.clone(),
            identity,
            image,
            template,
            prepared: prepared.clone(),
            key,
            seal: batch.seal.clone(),
            suite: request.suite,
            format: request.format,
            cohort_key: request.cohort_key.unwrap_or("").to_owned(),
            now: request.now,
        })
    }

    /// Stores credentials made for `batch`, in their order: each with its audit entry, and the
    /// mail that tells its learner once the batch commits (from whichever process sends mail).
    pub(crate) async fn store_made(&self, batch: &mut Batch, making: &Making, made: &[Made]) -> Result<(), AppError> {
        let records: Vec<&CredentialRecord> = made.iter().map(|made| &made.record).collect();
        batch.tx.db().insert_credentials(&records).await?;
        let entries: Vec<mc_store::NewAuditEntry<'_>> = made
            .iter()
            .map(|made| mc_store::NewAuditEntry {
                at: &made.record.issued_at,
                action: "credential.issue",
                subject: &made.record.id,
                details: &made.details,
            })
            .collect();
        batch.tx.append_audit_many(&mut batch.audit, &entries).await?;
        let spec = &making.prepared.spec;
        let institution = &making.prepared.awarding_bodies[0];
        for made in made {
            tracing::debug!(credential.id = %made.record.id, spec.id = %spec.id(), institution.id = %institution.id(), "credential issued");
        }
        if self.mailer().sends() {
            let language = spec.default_language();
            let title = spec.title().best(language);
            let name = institution.name().best(language);
            let spanish = language.as_str().starts_with("es");
            for made in made {
                // A credential with an Open Badges form can go into a wallet: the mail offers it.
                let offer = match made.record.format != mc_core::CredentialFormat::Edc.as_str() {
                    true => {
                        let (record, offer) =
                            self.new_offer(&made.record.id, making.now, crate::wallet::MAIL_OFFER_MINUTES)?;
                        batch.tx.db().insert_wallet_offer(&record).await?;
                        Some(offer)
                    }
                    false => None,
                };
                let mail = crate::mail::Outgoing::issued(
                    &made.record.id,
                    &made.learner,
                    title,
                    name,
                    spanish,
                    self.public_url(),
                    offer.as_ref(),
                );
                batch.tx.db().queue_mail(&mail.record(self.new_id(), making.now), making.now.unix_seconds()).await?;
            }
        }
        Ok(())
    }

    /// Takes, for each credential of `credential_ids`, a revocation and a suspension entry at
    /// random free indexes of the institution's newest lists with room, making new lists when
    /// every list is full. The entries of each credential come in the order of the ids.
    pub(crate) async fn claim_status_entries(
        &self,
        batch: &mut Batch,
        institution: &str,
        credential_ids: &[&str],
        now: Timestamp,
    ) -> Result<Vec<Vec<StatusEntry>>, AppError> {
        let mut entries = vec![Vec::with_capacity(2); credential_ids.len()];
        for purpose in [StatusPurpose::Revocation, StatusPurpose::Suspension] {
            let mut next = 0;
            while next < credential_ids.len() {
                let list = self.list_with_room(batch, institution, purpose, now).await?;
                let used = list.used + batch.claimed.get(&list.id).copied().unwrap_or(0);
                let room = usize::try_from(list.size * 3 / 4 - used).unwrap_or(usize::MAX);
                let mut waiting: Vec<usize> = (next..credential_ids.len().min(next.saturating_add(room))).collect();
                next += waiting.len();
                // Random picks among the indexes free when drawn; those another writer takes
                // meanwhile are drawn again.
                while !waiting.is_empty() {
                    let used = list.used + batch.claimed.get(&list.id).copied().unwrap_or(0);
                    let indexes = free_indexes(batch, &list, used, waiting.len()).await?;
                    let records: Vec<StatusEntryRecord> = waiting
                        .iter()
                        .zip(indexes)
                        .map(|(&at, index)| StatusEntryRecord {
                            list_id: list.id.clone(),
                            index,
                            credential_id: credential_ids[at].to_owned(),
                            purpose: purpose.as_str().to_owned(),
                        })
                        .collect();
                    let taken = batch.tx.db().claim_status_indexes(&records).await?;
                    *batch.claimed.entry(list.id.clone()).or_default() += taken.len() as u64;
                    // Those not taken here are another credential's: taken either way.
                    batch.known_taken(&list, records.iter().map(|record| record.index));
                    let url = self.status_list_url(&list.id);
                    for &place in &taken {
                        let index = records[place].index;
                        entries[waiting[place]].push(StatusEntry { list_url: url.clone(), index, purpose });
                    }
                    let taken: std::collections::HashSet<usize> = taken.into_iter().collect();
                    waiting = waiting
                        .into_iter()
                        .enumerate()
                        .filter_map(|(place, at)| (!taken.contains(&place)).then_some(at))
                        .collect();
                }
            }
        }
        Ok(entries)
    }

    /// The institution's newest list for `purpose` that has room and was made under the batch's
    /// key, making a new one when there is none.
    async fn list_with_room(
        &self,
        batch: &mut Batch,
        institution: &str,
        purpose: StatusPurpose,
        now: Timestamp,
    ) -> Result<StatusListRecord, AppError> {
        // Past three quarters full, random picks collide too often; open a new list. A list holds
        // the credentials of one key, so that it can be signed as their issuer (a did:key
        // institution's lists stay verifiable after a rotation): a rotation opens new lists.
        let key = batch.key.clone().expect("the signing key is loaded before the status entries");
        let has_room = |list: &StatusListRecord, claimed: &HashMap<String, u64>| {
            list.used + claimed.get(&list.id).copied().unwrap_or(0) < list.size * 3 / 4
                && crate::status::made_under(list, &key)
        };
        if let Some(list) = batch.lists.get(&purpose).filter(|list| has_room(list, &batch.claimed)) {
            return Ok(list.clone());
        }
        let lists = batch.tx.db().status_lists(institution, purpose.as_str()).await?;
        let list = match lists.into_iter().rev().find(|list| has_room(list, &batch.claimed)) {
            Some(list) => list,
            None => {
                let list = StatusListRecord {
                    id: self.new_id().to_string(),
                    institution_id: institution.to_owned(),
                    purpose: purpose.as_str().to_owned(),
                    size: MIN_LIST_SIZE,
                    used: 0,
                    created_at: now.to_rfc3339(),
                    key_id: Some(key.id.clone()),
                };
                batch.tx.db().insert_status_list(&list).await?;
                list
            }
        };
        batch.lists.insert(purpose, list.clone());
        Ok(list)
    }

    /// Signs `document` with the issuer key `key` through the key store.
    pub(crate) fn sign(
        &self,
        document: serde_json::Map<String, Value>,
        suite: Suite,
        key: &mc_store::IssuerKeyRecord,
        options: &ProofOptions,
    ) -> Result<serde_json::Map<String, Value>, AppError> {
        let keys = self.key_store()?;
        let proof = proof::create_proof_with(&document, suite, KeyType::Ed25519, options, |data| keys.sign(key, data))?;
        Ok(proof::attach_proof(document, proof))
    }

    /// The public URL of a status list credential.
    pub fn status_list_url(&self, list_id: &str) -> String {
        format!("{}/status/{list_id}", self.public_url())
    }

    /// The learner of a credential the caller holds (and so was allowed to see).
    pub async fn credential_parts(&self, credential: &IssuedCredential) -> Result<CredentialParts, AppError> {
        Ok(CredentialParts { learner: self.store().db().await?.learner(&credential.learner.to_string()).await? })
    }

    /// Refuses a draft: nothing is issued from a specification until it is published.
    pub(crate) async fn refuse_draft(&self, spec: &mc_core::Spec) -> Result<(), AppError> {
        match self.publication(spec).await? {
            crate::Publication::Draft => Err(AppError::Conflict(format!(
                "specification {} is a draft: publish it before issuing credentials of it",
                spec.id()
            ))),
            crate::Publication::Published(_) => Ok(()),
        }
    }

    /// The ids of the status lists a credential the caller holds is in.
    pub async fn status_lists_of(&self, credential: &IssuedCredential) -> Result<Vec<String>, AppError> {
        Ok(self
            .store()
            .db()
            .await?
            .status_entries_of(&credential.id)
            .await?
            .into_iter()
            .map(|entry| entry.list_id)
            .collect())
    }

    /// The learners of credentials the caller holds (and so was allowed to see), by id.
    pub async fn learners_of(&self, credentials: &[IssuedCredential]) -> Result<HashMap<LearnerId, Learner>, AppError> {
        let mut learners = HashMap::new();
        for credential in credentials {
            if !learners.contains_key(&credential.learner)
                && let Some(learner) = self.store().db().await?.learner(&credential.learner.to_string()).await?
            {
                learners.insert(credential.learner, learner);
            }
        }
        Ok(learners)
    }

    /// The issued credential with this id.
    pub(crate) async fn credential(&self, id: &str) -> Result<IssuedCredential, AppError> {
        let record = self
            .store()
            .db()
            .await?
            .credential(id)
            .await?
            .ok_or_else(|| AppError::NotFound { what: "credential", id: id.into() })?;
        IssuedCredential::from_record(record)
    }

    /// Issued credentials, of an institution, a learner and a specification when given.
    pub(crate) async fn credentials(
        &self,
        institution: Option<&InstitutionId>,
        learner: Option<&str>,
        spec: Option<&str>,
    ) -> Result<Vec<IssuedCredential>, AppError> {
        // An unknown learner has no credentials: the answer does not tell who is registered.
        let learner_id = match learner {
            Some(learner) => match self.find_learner(learner).await {
                Ok(found) => Some(found.id().to_string()),
                Err(AppError::NotFound { .. }) => return Ok(Vec::new()),
                Err(err) => return Err(err),
            },
            None => None,
        };
        let spec_id = match spec {
            Some(spec) => match self.spec(spec).await {
                Ok(found) => Some(found.id().to_string()),
                Err(AppError::NotFound { .. }) => return Ok(Vec::new()),
                Err(err) => return Err(err),
            },
            None => None,
        };
        let filter = mc_store::CredentialFilter {
            institution_id: institution.map(InstitutionId::as_str),
            learner_id: learner_id.as_deref(),
            spec_id: spec_id.as_deref(),
        };
        let records = self.store().db().await?.credentials(filter).await?;
        records.into_iter().map(IssuedCredential::from_record).collect()
    }
}

/// The European Digital Credential of `award`, checked against the EDC profile's rules and
/// sealed with `key` at `now`.
fn seal_edc(
    spec: &mc_core::Spec,
    bodies: &[&mc_core::Institution],
    award: &Award<'_>,
    key: &mc_vc::jades::SealKey,
    now: Timestamp,
) -> Result<serde_json::Map<String, Value>, AppError> {
    let credential = edc::european_digital_credential(spec, bodies, award);
    let findings = edc::check(&credential, edc::Stage::Sealed);
    if !edc::passes(&findings) {
        let said: Vec<String> =
            findings.iter().map(|finding| format!("{}: {}", finding.path, finding.message)).collect();
        return Err(AppError::Conflict(format!(
            "the European Digital Credential of specification {} breaks the EDC profile's rules ({}); nothing was \
             sealed",
            spec.id(),
            said.join("; ")
        )));
    }
    let payload = serde_json::to_string(&credential).expect("a JSON map serializes");
    mc_vc::jades::seal(&payload, key, now)
        .map_err(|why| AppError::Keys(format!("the credential was not sealed: {why}")))
}

/// What every credential of a batch is made with, owned, so that credentials are made on
/// every core while the batch's transaction writes those already made.
pub(crate) struct Making {
    app: App,
    prepared: Prepared,
    key: mc_store::IssuerKeyRecord,
    identity: crate::keys::IssuerIdentity,
    seal: Option<Arc<mc_vc::jades::SealKey>>,
    image: String,
    /// What the batch's Open Badges credentials share, and their proof, when it issues them.
    template: Option<(BadgeTemplate, PreparedProof)>,
    suite: Suite,
    format: CredentialFormat,
    cohort_key: String,
    now: Timestamp,
}

/// What one new credential says beyond what its batch shares.
pub(crate) struct NewCredential {
    /// Its id (a UUID).
    pub(crate) id: String,
    /// The learner, as the issuer names them.
    pub(crate) learner: Learner,
    pub(crate) grade: Option<String>,
    pub(crate) awarded: Option<Timestamp>,
    /// Its revocation and suspension entries.
    pub(crate) status: Vec<StatusEntry>,
    pub(crate) idempotency_key: Option<String>,
}

/// A credential made (signed, sealed), ready to be stored.
pub(crate) struct Made {
    pub(crate) record: CredentialRecord,
    pub(crate) credential: IssuedCredential,
    /// The details of its audit entry, JSON.
    details: String,
    learner: Learner,
}

impl Making {
    /// Makes the credential `item` describes: the Open Badges credential signed (filled in
    /// `draft`, which the caller keeps for the next), the EDC sealed.
    pub(crate) fn make(&self, item: NewCredential, draft: &mut BadgeDraft) -> Result<Made, AppError> {
        let spec = &self.prepared.spec;
        let institution = &self.prepared.awarding_bodies[0];
        let salt = base64::Engine::encode(&base64::engine::general_purpose::URL_SAFE_NO_PAD, random_bytes::<16>()?);
        let urn = format!("urn:uuid:{}", item.id);
        let edc_id = format!("urn:credential:{}", item.id);
        let format = self.format;
        let bodies: Vec<&mc_core::Institution> = self.prepared.awarding_bodies.iter().collect();
        let award = Award {
            id: &urn,
            learner: &item.learner,
            issued: self.now,
            awarded: item.awarded,
            valid_until: None,
            salt: &salt,
            grade: item.grade.as_deref(),
            issuer_id: &self.identity.issuer_id,
            status: &item.status,
            spec_version: self.prepared.version,
            counterpart: (format == CredentialFormat::Both).then_some(edc_id.as_str()),
            image: Some(&self.image),
        };
        let signed = match &self.template {
            Some((template, prepared)) => {
                let badge = template.fill(&award, draft);
                let keys = self.app.key_store()?;
                let proof = prepared.create_with(badge, |data| keys.sign(&self.key, data))?;
                Some(draft.signed_text(proof))
            }
            None => None,
        };
        let sealed = match (format.has_edc(), &self.seal) {
            (false, _) => None,
            (true, Some(seal_key)) => {
                let counterpart = (format == CredentialFormat::Both).then_some(urn.as_str());
                let edc_award = Award { id: &edc_id, counterpart, ..award };
                Some(seal_edc(spec, &bodies, &edc_award, seal_key, self.now)?)
            }
            (true, None) => unreachable!("the seal key is loaded for a batch that issues EDCs"),
        };
        let text = |sealed: serde_json::Map<String, Value>| serde_json::to_string(&sealed).expect("a JSON map");
        let (document, edc_document) = match (signed, sealed) {
            (Some(badge), sealed) => (badge, sealed.map(text)),
            (None, Some(sealed)) => (text(sealed), None),
            (None, None) => unreachable!("every format issues a document"),
        };
        let record = CredentialRecord {
            id: item.id,
            institution_id: institution.id().to_string(),
            spec_id: spec.id().to_string(),
            learner_id: item.learner.id().to_string(),
            cohort_key: self.cohort_key.clone(),
            idempotency_key: item.idempotency_key,
            issued_at: self.now.to_rfc3339(),
            state: "active".into(),
            revocation_reason: None,
            state_changed_at: None,
            document,
            spec_version: Some(self.prepared.version),
            format: format.as_str().into(),
            edc_document,
        };
        let details = serde_json::json!({"spec": record.spec_id, "learner": record.learner_id, "cohort": self.cohort_key, "suite": self.suite.name(), "format": format.as_str()});
        let credential = IssuedCredential {
            id: record.id.clone(),
            institution: institution.id().clone(),
            spec: spec.id(),
            learner: item.learner.id(),
            issued_at: self.now,
            state: CredentialState::Active,
            revocation_reason: None,
            state_changed_at: None,
            document: Document::written(record.document.clone()),
            spec_version: Some(self.prepared.version),
            format,
            edc_document: record.edc_document.clone().map(Document::written),
        };
        Ok(Made { record, credential, details: details.to_string(), learner: item.learner })
    }
}

/// Up to `count` distinct random indexes of `list`, which has `used` of them taken. On SQLite,
/// indexes no credential held when asked: enough are drawn that, as full as a list gets, nearly
/// always `count` are free, and the store says in one answer which of them are taken (a claim
/// that collides costs SQLite a row at a time through its worker thread). On PostgreSQL the
/// claim finds the collisions as cheaply, and a list that grows during a large cohort can make
/// its planner scan the whole list for the question, so it is not asked.
async fn free_indexes(
    batch: &mut Batch,
    list: &StatusListRecord,
    used: u64,
    count: usize,
) -> Result<Vec<u64>, AppError> {
    let free_share = 1.0 - used as f64 / list.size as f64;
    let draws = ((count as f64 / free_share.max(0.2)) * 1.25) as usize + 8;
    let mut bytes = vec![0u8; draws * 4];
    random_fill(&mut bytes)?;
    let mut drawn = std::collections::HashSet::with_capacity(draws);
    let mut distinct = Vec::with_capacity(draws);
    for word in bytes.chunks_exact(4) {
        let index = u64::from(u32::from_le_bytes(word.try_into().expect("four bytes"))) % list.size;
        if drawn.insert(index) {
            distinct.push(index);
        }
    }
    if let Some(known) = batch.taken.get(&list.id) {
        distinct.retain(|&index| known.get(index) == Ok(false));
    }
    let taken = match batch.tx.backend() {
        mc_store::Backend::Sqlite => batch.tx.db().taken_status_indexes(&list.id, &distinct).await?,
        mc_store::Backend::Postgres => std::collections::HashSet::new(),
    };
    batch.known_taken(list, taken.iter().copied());
    Ok(distinct.into_iter().filter(|index| !taken.contains(index)).take(count).collect())
}

//! Revocation and suspension, and the status list credentials that publish them: rebuilt from
//! the database rows and signed with the institution's current key each time they are asked for.

use mc_core::{CredentialState, PlainText, Timestamp, TransitionError};
use mc_vc::{
    SignedBy,
    proof::{ProofOptions, Suite},
    status::{Bitstring, StatusPurpose, status_list_credential},
    token_status::{self, TokenStatusList},
};
use serde_json::{Map, Value};

use crate::{App, AppError, IssuedCredential};

/// Whether `list` was made under `key`: it says so, or (made before lists recorded their key)
/// it was made while `key` was current.
pub(crate) fn made_under(list: &mc_store::StatusListRecord, key: &mc_store::IssuerKeyRecord) -> bool {
    match &list.key_id {
        Some(id) => *id == key.id,
        None => {
            list.created_at >= key.created_at
                && key.retired_at.as_ref().is_none_or(|retired| list.created_at < *retired)
        }
    }
}

/// Who signs a Token Status List, and so which address it is published at: the
/// institution's DID key, or its seal's certificate (`x5c`), as the SD-JWT VCs that point to it
/// are signed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TokenSigner {
    /// A key of the institution's DID (EdDSA, `kid`), at `/status/{list}/token`.
    Did,
    /// The institution's seal (ES256, `x5c`), at `/status/{list}/token/x5c`.
    Seal,
}

impl TokenSigner {
    /// What follows the status list's address in the token's.
    fn suffix(self) -> &'static str {
        match self {
            TokenSigner::Did => "/token",
            TokenSigner::Seal => "/token/x5c",
        }
    }
}

/// What a change of status did.
#[derive(Debug, Clone)]
pub struct StatusChange {
    /// The credential, in its new state.
    pub credential: IssuedCredential,
    /// The status lists whose published form must be refreshed.
    pub lists: Vec<String>,
}

impl App {
    /// Revokes a credential for good; `reason` is kept with it.
    pub(crate) async fn revoke_credential(
        &self,
        id: &str,
        reason: &str,
        now: Timestamp,
    ) -> Result<StatusChange, AppError> {
        let reason =
            PlainText::parse(reason, 500).map_err(|err| AppError::invalid_argument("revocation reason", err))?;
        self.change_state(id, CredentialState::revoke, Some(reason.as_str()), "revoke", now).await
    }

    /// Suspends a credential until it is unsuspended.
    pub(crate) async fn suspend_credential(&self, id: &str, now: Timestamp) -> Result<StatusChange, AppError> {
        self.change_state(id, CredentialState::suspend, None, "suspend", now).await
    }

    /// Lifts a suspension.
    pub(crate) async fn unsuspend_credential(&self, id: &str, now: Timestamp) -> Result<StatusChange, AppError> {
        self.change_state(id, CredentialState::unsuspend, None, "unsuspend", now).await
    }

    async fn change_state(
        &self,
        id: &str,
        transition: fn(CredentialState) -> Result<CredentialState, TransitionError>,
        reason: Option<&str>,
        action: &str,
        now: Timestamp,
    ) -> Result<StatusChange, AppError> {
        let mut tx = self.store().begin().await?;
        let mut record =
            tx.db().credential(id).await?.ok_or_else(|| AppError::NotFound { what: "credential", id: id.into() })?;
        let state = CredentialState::parse(&record.state).ok_or_else(|| {
            AppError::Store(mc_store::StoreError::Corrupt {
                what: "credential",
                id: id.into(),
                detail: format!("unknown state {:?}", record.state),
            })
        })?;
        let next = transition(state).map_err(|err| AppError::Conflict(format!("credential {id}: {err}")))?;
        if next == CredentialState::Suspended && record.format == mc_core::CredentialFormat::Edc.as_str() {
            return Err(AppError::Conflict(format!(
                "credential {id} is a European Digital Credential only, whose status says revoked or not: it cannot \
                 be suspended (revoke it, or issue it with an Open Badges credential to suspend it)"
            )));
        }
        tx.db().set_credential_state(id, next.as_str(), reason, &now.to_rfc3339()).await?;
        let details = serde_json::json!({"from": state.as_str(), "to": next.as_str(), "reason": reason});
        tx.audit(&now.to_rfc3339(), &format!("credential.{action}"), id, &details.to_string()).await?;
        tx.commit().await?;
        record.state = next.as_str().to_owned();
        record.state_changed_at = Some(now.to_rfc3339());
        if let Some(reason) = reason {
            record.revocation_reason = Some(reason.to_owned());
        }
        tracing::info!(credential.id = %id, "credential.{action}");
        let lists =
            self.store().db().await?.status_entries_of(id).await?.into_iter().map(|entry| entry.list_id).collect();
        Ok(StatusChange { credential: IssuedCredential::from_record(record)?, lists })
    }

    /// The ids of every status list.
    pub async fn status_list_ids(&self) -> Result<Vec<String>, AppError> {
        Ok(self.store().db().await?.all_status_lists().await?.into_iter().map(|list| list.id).collect())
    }

    /// The signed status list credential of a list, as the database says now. A list signed
    /// before is reused while its version (raised by every change of state) and its issuer key
    /// are the same, and for at most a day.
    pub async fn status_list_credential(&self, list_id: &str, now: Timestamp) -> Result<Map<String, Value>, AppError> {
        let (version, key) = self.store().db().await?.status_list_stamp(list_id).await?.unzip();
        let key = key.flatten();
        if let (Some(version), Some(key)) = (version, &key)
            && let Some(cached) = self.signed_lists.get(list_id, version, key, now)
        {
            return Ok(cached);
        }
        let signed = self.sign_status_list(list_id, now).await?;
        if let (Some(version), Some(key)) = (version, key) {
            self.signed_lists.put(list_id, version, key, now, signed.clone());
        }
        Ok(signed)
    }

    /// A list of this microcred as verified: signed now or before, checked once per version and
    /// key (its `stamp`: its proof, its issuer's key) with the institutions' DID documents.
    pub(crate) async fn checked_status_list(
        &self,
        list_id: &str,
        (version, key): (u64, Option<String>),
        did_documents: &[Value],
        now: Timestamp,
    ) -> Result<Result<mc_vc::status::CheckedList, Map<String, Value>>, AppError> {
        if let Some(key) = &key
            && let Some(checked) = self.signed_lists.checked(list_id, version, key)
        {
            return Ok(Ok(checked));
        }
        let signed = self.status_list_credential(list_id, now).await?;
        let resolver = mc_vc::did::DocumentResolver::new(did_documents.to_vec(), &mc_vc::did::NoResolver);
        let params = mc_vc::verify::VerifyParams {
            now,
            resolver: &resolver,
            trusted_issuers: None,
            status: &mc_vc::status::NoStatusLists,
        };
        match (mc_vc::verify::check_status_list(&signed, &self.status_list_url(list_id), &params), key) {
            (Ok(checked), Some(key)) => {
                self.signed_lists.put_checked(list_id, version, key, checked.clone());
                Ok(Ok(checked))
            }
            // Left to the verifier, which will say what is wrong with it.
            _ => Ok(Err(signed)),
        }
    }

    /// The stored list `list_id` and its purpose.
    async fn status_list_record(&self, list_id: &str) -> Result<(mc_store::StatusListRecord, StatusPurpose), AppError> {
        let list = self
            .store()
            .db()
            .await?
            .status_list(list_id)
            .await?
            .ok_or_else(|| AppError::NotFound { what: "status list", id: list_id.into() })?;
        let purpose = StatusPurpose::parse(&list.purpose).ok_or_else(|| {
            AppError::Store(mc_store::StoreError::Corrupt {
                what: "status list",
                id: list.id.clone(),
                detail: format!("unknown purpose {:?}", list.purpose),
            })
        })?;
        Ok((list, purpose))
    }

    /// The key a list is signed with, and who signs it. A list is signed as the issuer of its
    /// credentials: a did:web institution is the same issuer whatever its key, and signs with
    /// its current one; an institution known by the did:key of its key signs each list with the
    /// key it was made under, retired or not, so that what it issued before a rotation keeps a
    /// status.
    async fn list_signer(
        &self,
        list: &mc_store::StatusListRecord,
    ) -> Result<(mc_store::IssuerKeyRecord, crate::keys::IssuerIdentity), AppError> {
        let institution = self.institution(&list.institution_id).await?;
        let keys = self.store().db().await?.issuer_keys(institution.id().as_str()).await?;
        let current = keys.iter().find(|key| key.retired_at.is_none());
        let key_record = match institution.did() {
            Some(_) => current,
            None => keys.iter().find(|key| made_under(list, key)).or(current),
        };
        let key_record = key_record
            .cloned()
            .ok_or_else(|| AppError::Keys(format!("institution {} has no issuing key", institution.id())))?;
        let identity = crate::keys::identity(&institution, &key_record);
        Ok((key_record, identity))
    }

    /// The address of the Token Status List of revocation list `list_id`, signed by `signer`.
    pub fn status_token_url(&self, list_id: &str, signer: TokenSigner) -> String {
        format!("{}{}", self.status_list_url(list_id), signer.suffix())
    }

    /// The revocation list and signer of a Token Status List address of this microcred.
    pub fn status_token_of_url<'u>(&self, url: &'u str) -> Option<(&'u str, TokenSigner)> {
        let rest = url.strip_prefix(self.public_url())?.strip_prefix("/status/")?;
        [TokenSigner::Seal, TokenSigner::Did].into_iter().find_map(|signer| {
            let id = rest.strip_suffix(signer.suffix())?;
            (!id.is_empty() && !id.contains('/')).then_some((id, signer))
        })
    }

    /// The Token Status List (a signed `statuslist+jwt`) of a revocation list, as the database
    /// says now, signed by `signer`: for each index, whether its credential is valid, revoked
    /// or suspended. It is the same rows as the Bitstring Status Lists, so the two always
    /// agree. The SD-JWT VCs issued into wallets point to it.
    pub async fn status_list_token(
        &self,
        list_id: &str,
        signer: TokenSigner,
        now: Timestamp,
    ) -> Result<String, AppError> {
        let (version, key) = self.store().db().await?.status_list_stamp(list_id).await?.unzip();
        let mut stamp = version.zip(key.flatten());
        if let (TokenSigner::Seal, Some((_, key))) = (signer, &mut stamp) {
            // The seal signs as well as the key: a new seal makes a new token.
            let list = self.status_list_record(list_id).await?.0;
            let seal = self.store().db().await?.seal_key(&list.institution_id).await?;
            key.push_str(&format!(" seal {}", seal.map(|seal| seal.created_at).unwrap_or_default()));
        }
        let cached = format!("{list_id}{}", signer.suffix());
        if let Some((version, key)) = &stamp
            && let Some(token) = self.signed_lists.token(&cached, *version, key, now)
        {
            return Ok(token);
        }
        let token = self.sign_status_list_token(list_id, signer, now).await?;
        if let Some((version, key)) = stamp {
            self.signed_lists.put_token(&cached, version, key, now, token.clone());
        }
        Ok(token)
    }

    async fn sign_status_list_token(
        &self,
        list_id: &str,
        signer: TokenSigner,
        now: Timestamp,
    ) -> Result<String, AppError> {
        let (list, purpose) = self.status_list_record(list_id).await?;
        if purpose != StatusPurpose::Revocation {
            return Err(AppError::NotFound { what: "Token Status List", id: list_id.into() });
        }
        let mut statuses = TokenStatusList::new(2, list.size);
        for (state, status) in
            [(CredentialState::Revoked, token_status::INVALID), (CredentialState::Suspended, token_status::SUSPENDED)]
        {
            for index in self.store().db().await?.indexes_in_state(&list.id, state.as_str()).await? {
                statuses.set(index, status);
            }
        }
        let url = self.status_token_url(&list.id, signer);
        match signer {
            TokenSigner::Did => {
                let (key_record, identity) = self.list_signer(&list).await?;
                let claims = statuses.token_claims(&url, &identity.issuer_id, now, 300);
                let key_store = self.key_store()?;
                let signed_by = SignedBy::Did { kid: &identity.verification_method };
                token_status::sign_token(&claims, &signed_by, |input| key_store.sign(&key_record, input))
            }
            TokenSigner::Seal => {
                let institution = self.institution(&list.institution_id).await?;
                let signer = self.certified_signer(&institution, now).await?.ok_or_else(|| AppError::NotFound {
                    what: "Token Status List signed with a seal",
                    id: list_id.into(),
                })?;
                let claims = statuses.token_claims(&url, &signer.issuer, now, 300);
                token_status::sign_token(&claims, &signer.signed_by(), |input| Ok(signer.key.sign_jws(input)))
            }
        }
    }

    async fn sign_status_list(&self, list_id: &str, now: Timestamp) -> Result<Map<String, Value>, AppError> {
        let (list, purpose) = self.status_list_record(list_id).await?;
        let state = match purpose {
            StatusPurpose::Revocation => CredentialState::Revoked,
            StatusPurpose::Suspension => CredentialState::Suspended,
        };
        let mut bits = Bitstring::new(list.size);
        for index in self.store().db().await?.indexes_in_state(&list.id, state.as_str()).await? {
            bits.set(index);
        }
        let (key_record, identity) = self.list_signer(&list).await?;
        let url = self.status_list_url(&list.id);
        let credential = status_list_credential(&url, &identity.issuer_id, purpose, &bits, &now.to_rfc3339());
        let options = ProofOptions {
            verification_method: identity.verification_method,
            created: now.to_rfc3339(),
            proof_purpose: "assertionMethod".into(),
        };
        self.sign(credential, Suite::EddsaRdfc2022, &key_record, &options)
    }
}

impl crate::Operator<'_> {
    /// Checks the audit log's hash chain: the number of entries, or what breaks it.
    pub async fn verify_audit(&self) -> Result<Result<u64, mc_store::AuditBreak>, AppError> {
        Ok(self.store().db().await?.verify_audit().await?)
    }

    /// Every audit log entry, oldest first.
    pub async fn audit_entries(&self) -> Result<Vec<mc_store::AuditEntry>, AppError> {
        Ok(self.store().db().await?.audit_entries().await?)
    }
}

/// A signed status list credential and what it was made from: the list's version, the key, the
/// time.
type SignedList = (u64, String, Timestamp, Map<String, Value>);

/// Signed status list credentials, by list.
#[derive(Debug, Default)]
pub(crate) struct SignedLists {
    lists: std::sync::Mutex<std::collections::HashMap<String, SignedList>>,
    /// Signed Token Status Lists, by list: version, key, when signed, and the token.
    tokens: std::sync::Mutex<std::collections::HashMap<String, (u64, String, Timestamp, String)>>,
    /// The lists as they verified, by list: version, key, and what the list says.
    checked: std::sync::Mutex<std::collections::HashMap<String, (u64, String, mc_vc::status::CheckedList)>>,
}

/// How long a signed list is reused at most, in seconds.
const SIGNED_LIST_MAX_AGE: i64 = 24 * 3600;

impl SignedLists {
    fn get(&self, list: &str, version: u64, key: &str, now: Timestamp) -> Option<Map<String, Value>> {
        let lists = self.lists.lock().expect("the list cache is never poisoned");
        let (cached_version, cached_key, signed_at, credential) = lists.get(list)?;
        let fresh = now.unix_seconds() - signed_at.unix_seconds() < SIGNED_LIST_MAX_AGE;
        (*cached_version == version && cached_key == key && fresh).then(|| credential.clone())
    }

    fn token(&self, list: &str, version: u64, key: &str, now: Timestamp) -> Option<String> {
        let tokens = self.tokens.lock().expect("the list cache is never poisoned");
        let (cached_version, cached_key, signed_at, token) = tokens.get(list)?;
        // A token says it expires a day after it was signed: a fresh one is made well before.
        let fresh = now.unix_seconds() - signed_at.unix_seconds() < SIGNED_LIST_MAX_AGE / 2;
        (*cached_version == version && cached_key == key && fresh).then(|| token.clone())
    }

    fn put_token(&self, list: &str, version: u64, key: String, now: Timestamp, token: String) {
        let mut tokens = self.tokens.lock().expect("the list cache is never poisoned");
        if tokens.len() >= 10_000 {
            tokens.clear();
        }
        tokens.insert(list.to_owned(), (version, key, now, token));
    }

    fn checked(&self, list: &str, version: u64, key: &str) -> Option<mc_vc::status::CheckedList> {
        let checked = self.checked.lock().expect("the list cache is never poisoned");
        let (cached_version, cached_key, list) = checked.get(list)?;
        (*cached_version == version && cached_key == key).then(|| list.clone())
    }

    fn put_checked(&self, list: &str, version: u64, key: String, checked: mc_vc::status::CheckedList) {
        let mut lists = self.checked.lock().expect("the list cache is never poisoned");
        if lists.len() >= 10_000 {
            lists.clear();
        }
        lists.insert(list.to_owned(), (version, key, checked));
    }

    fn put(&self, list: &str, version: u64, key: String, now: Timestamp, credential: Map<String, Value>) {
        let mut lists = self.lists.lock().expect("the list cache is never poisoned");
        if lists.len() >= 10_000 {
            lists.clear();
        }
        lists.insert(list.to_owned(), (version, key, now, credential));
    }
}

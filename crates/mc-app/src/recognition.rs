//! Recognition agreements and proposals: agreements stored as versions, signed by each
//! party, ended by one; and what a home institution recognises of credentials, each verified
//! first and read into the facts recognition needs ([`mc_core::recognition::propose`]).

use mc_core::{
    AssessmentKind, IdentityVerification, InstitutionId, SpecId, Timestamp,
    recognition::{
        Agreement, AgreementDocument, AgreementInForce, CredentialFacts, CredentialOutcome, Grant, Standing, propose,
    },
};
use mc_store::{AgreementRecord, EndingRecord};
use mc_vc::verify::{CheckStatus, Verdict, Verification};
use serde_json::{Map, Value};

use crate::{App, AppError, Operator, Verifier};

/// A stored agreement version, checked, with its signatures and ending.
#[derive(Debug, Clone)]
pub struct StoredAgreement {
    /// The agreement.
    pub agreement: Agreement,
    /// The document it was read from.
    pub document: AgreementDocument,
    /// Its version.
    pub version: u32,
    /// Each party and when it signed this version, if it did.
    pub signatures: Vec<(InstitutionId, Option<Timestamp>)>,
    /// Who ended it and when, if a party did.
    pub ended: Option<(InstitutionId, Timestamp)>,
}

impl StoredAgreement {
    fn from_record(record: AgreementRecord) -> Result<StoredAgreement, AppError> {
        let damaged =
            |detail: String| mc_store::StoreError::Corrupt { what: "agreement", id: record.id.clone(), detail };
        let document: AgreementDocument =
            serde_json::from_str(&record.document).map_err(|err| damaged(err.to_string()))?;
        let agreement = document.parse().map_err(|err| damaged(err.to_string()))?;
        let time = |raw: &str| Timestamp::parse(raw).map_err(|err| damaged(err.to_string()));
        let institution = |raw: &str| InstitutionId::parse(raw).map_err(|err| damaged(err.to_string()));
        let mut signatures = Vec::new();
        for party in &record.parties {
            signatures.push((institution(&party.institution_id)?, party.signed_at.as_deref().map(time).transpose()?));
        }
        let ended = match &record.ended {
            Some(ending) => Some((institution(&ending.institution_id)?, time(&ending.ended_at)?)),
            None => None,
        };
        Ok(StoredAgreement { agreement, document, version: record.version, signatures, ended })
    }

    /// Whether every party signed this version.
    pub fn signed_by_all(&self) -> bool {
        self.signatures.iter().all(|(_, signed)| signed.is_some())
    }

    /// Where it stands: `ended`, `signed by every party` or `awaiting signatures`.
    pub fn state(&self) -> &'static str {
        match (&self.ended, self.signed_by_all()) {
            (Some(_), _) => "ended",
            (None, true) => "signed by every party",
            (None, false) => "awaiting signatures",
        }
    }

    pub(crate) fn in_force(&self) -> AgreementInForce<'_> {
        AgreementInForce {
            agreement: &self.agreement,
            version: self.version,
            signed_by_all: self.signed_by_all(),
            ended_at: self.ended.as_ref().map(|(_, at)| *at),
        }
    }
}

impl App {
    /// The latest version of every agreement.
    pub async fn agreements(&self) -> Result<Vec<StoredAgreement>, AppError> {
        let records = self.store().db().await?.agreements().await?;
        records.into_iter().map(StoredAgreement::from_record).collect()
    }

    /// Every agreement as it is in force: its latest version signed by every party (a newer one
    /// is not in force until every party signed it too), or its latest when none was.
    pub async fn agreements_in_force(&self) -> Result<Vec<StoredAgreement>, AppError> {
        let mut agreements = Vec::new();
        for latest in self.agreements().await? {
            let mut chosen = None;
            if !latest.signed_by_all() {
                for version in (1..latest.version).rev() {
                    let earlier = self.agreement(&latest.agreement.id, Some(version)).await?;
                    if earlier.signed_by_all() {
                        chosen = Some(earlier);
                        break;
                    }
                }
            }
            agreements.push(chosen.unwrap_or(latest));
        }
        Ok(agreements)
    }

    /// A version of an agreement, or its latest.
    pub async fn agreement(&self, id: &str, version: Option<u32>) -> Result<StoredAgreement, AppError> {
        let record = self.store().db().await?.agreement(id, version).await?;
        let what = match version {
            Some(version) => format!("{id} (version {version})"),
            None => id.to_owned(),
        };
        StoredAgreement::from_record(record.ok_or(AppError::NotFound { what: "agreement", id: what })?)
    }

    /// Verifies each credential and proposes what `home` recognises of them under the
    /// agreements in force at `now`. Credentials are verified with what this microcred knows
    /// (its institutions' keys and status lists, `did:key`, the trusted-issuer list); one that
    /// does not verify as valid is refused with the reason.
    pub async fn recognize(
        &self,
        home: &str,
        texts: &[String],
        now: Timestamp,
    ) -> Result<Vec<(Verification, CredentialOutcome)>, AppError> {
        let home = self.institution(home).await?.id().clone();
        let (verifications, facts) = self.verified_facts(texts, now).await?;
        let agreements = self.agreements_in_force().await?;
        let in_force: Vec<AgreementInForce<'_>> = agreements.iter().map(StoredAgreement::in_force).collect();
        let outcomes = propose(&home, &facts, &in_force, now);
        Ok(verifications.into_iter().zip(outcomes).collect())
    }
}

impl App {
    /// Verifies each credential with what this microcred knows, and reads what it says.
    pub(crate) async fn verified_facts(
        &self,
        texts: &[String],
        now: Timestamp,
    ) -> Result<(Vec<Verification>, Vec<CredentialFacts>), AppError> {
        let list = self.trust_list_document().await?;
        let mut verifications = Vec::new();
        let mut facts = Vec::new();
        for (idx, text) in texts.iter().enumerate() {
            let material = self.verification_material(text, now).await?;
            let trusted = material.trusted.clone();
            let verification = Verifier::new(material, None, trusted.as_deref(), now).verify(text);
            let institution = verification.issuer.as_deref().and_then(|issuer| {
                list.issuers
                    .iter()
                    .find(|entry| entry.dids.as_deref().unwrap_or_default().iter().any(|did| did == issuer))
                    .and_then(|entry| InstitutionId::parse(&entry.id).ok())
            });
            facts.push(credential_facts(text, &verification, institution, idx));
            verifications.push(verification);
        }
        Ok((verifications, facts))
    }
}

impl App {
    /// Stores an agreement as the next version of its id, to be signed by every party: the
    /// parties must be registered institutions, and an ended agreement takes no new version.
    pub(crate) async fn store_agreement(
        &self,
        document: &AgreementDocument,
        actor: &str,
        now: Timestamp,
    ) -> Result<StoredAgreement, AppError> {
        let agreement = document.parse()?;
        for party in &agreement.parties {
            self.institution(party.as_str()).await?;
        }
        let mut tx = self.store().begin().await?;
        if let Some(existing) = tx.db().agreement(&agreement.id, None).await?
            && existing.ended.is_some()
        {
            return Err(AppError::Conflict(format!(
                "agreement {} was ended: it takes no new version (store a new agreement under another id)",
                agreement.id
            )));
        }
        let parties: Vec<&str> = agreement.parties.iter().map(InstitutionId::as_str).collect();
        let text = serde_json::to_string(document).expect("a document serializes");
        let version =
            tx.db().insert_agreement_version(&agreement.id, &text, &parties, actor, &now.to_rfc3339()).await?;
        let details = serde_json::json!({"version": version, "parties": parties});
        tx.audit(&now.to_rfc3339(), "agreement.add", &agreement.id, &details.to_string()).await?;
        tx.db().touch_catalogue().await?;
        tx.commit().await?;
        self.agreement(&agreement.id, Some(version)).await
    }

    /// The latest version of an agreement, and `institution`, which must be one of its parties.
    async fn agreement_of_party(
        &self,
        id: &str,
        institution: &str,
    ) -> Result<(StoredAgreement, InstitutionId), AppError> {
        let stored = self.agreement(id, None).await?;
        let party = self.institution(institution).await?.id().clone();
        match stored.agreement.parties.contains(&party) {
            true => Ok((stored, party)),
            false => Err(AppError::Forbidden(format!("{party} is not a party to agreement {id}"))),
        }
    }

    /// Signs the latest version of an agreement for `institution`, a party, by `signer`.
    pub(crate) async fn sign_agreement_for(
        &self,
        id: &str,
        institution: &str,
        signer: &str,
        version: Option<u32>,
        now: Timestamp,
    ) -> Result<StoredAgreement, AppError> {
        let (stored, party) = self.agreement_of_party(id, institution).await?;
        if stored.ended.is_some() {
            return Err(AppError::Conflict(format!("agreement {id} was ended; it is no longer signed")));
        }
        if let Some(version) = version
            && version != stored.version
        {
            return Err(AppError::Conflict(format!(
                "version {version} of agreement {id} is not its latest ({}): read that one before signing it",
                stored.version
            )));
        }
        let mut tx = self.store().begin().await?;
        if !tx.db().sign_agreement(id, stored.version, party.as_str(), signer, &now.to_rfc3339()).await? {
            return Err(AppError::Conflict(format!(
                "{party} already signed version {} of agreement {id}",
                stored.version
            )));
        }
        let details = serde_json::json!({"version": stored.version, "party": party.as_str(), "signer": signer});
        tx.audit(&now.to_rfc3339(), "agreement.sign", id, &details.to_string()).await?;
        tx.db().touch_catalogue().await?;
        tx.commit().await?;
        self.agreement(id, Some(stored.version)).await
    }

    /// Ends an agreement for `institution`, a party: from now on it grants nothing new;
    /// decisions already made stand.
    pub(crate) async fn end_agreement_for(
        &self,
        id: &str,
        institution: &str,
        actor: &str,
        now: Timestamp,
    ) -> Result<StoredAgreement, AppError> {
        let (_, party) = self.agreement_of_party(id, institution).await?;
        let ending =
            EndingRecord { institution_id: party.to_string(), ended_by: actor.to_owned(), ended_at: now.to_rfc3339() };
        let mut tx = self.store().begin().await?;
        if !tx.db().end_agreement(id, &ending).await? {
            return Err(AppError::Conflict(format!("agreement {id} was ended already")));
        }
        let details = serde_json::json!({"party": party.as_str(), "by": actor});
        tx.audit(&now.to_rfc3339(), "agreement.end", id, &details.to_string()).await?;
        tx.db().touch_catalogue().await?;
        tx.commit().await?;
        self.agreement(id, None).await
    }
}

impl Operator<'_> {
    /// Stores an agreement as the next version of its id ([`App::agreements`]), to be signed by
    /// every party.
    pub async fn add_agreement(
        &self,
        document: &AgreementDocument,
        actor: &str,
        now: Timestamp,
    ) -> Result<StoredAgreement, AppError> {
        self.store_agreement(document, actor, now).await
    }

    /// Signs the latest version of an agreement for `institution`, a party, by `signer`.
    pub async fn sign_agreement(
        &self,
        id: &str,
        institution: &str,
        signer: &str,
        now: Timestamp,
    ) -> Result<StoredAgreement, AppError> {
        self.sign_agreement_for(id, institution, signer, None, now).await
    }

    /// Ends an agreement for `institution`, a party.
    pub async fn end_agreement(
        &self,
        id: &str,
        institution: &str,
        actor: &str,
        now: Timestamp,
    ) -> Result<StoredAgreement, AppError> {
        self.end_agreement_for(id, institution, actor, now).await
    }
}

impl crate::InstitutionAccess<'_> {
    /// Proposes an agreement (a new one, or the next version of one) to which the institution is
    /// a party, as its admin; every party then signs it.
    pub async fn add_agreement(
        &self,
        document: &AgreementDocument,
        now: Timestamp,
    ) -> Result<StoredAgreement, AppError> {
        self.require(crate::Role::Admin)?;
        let agreement = document.parse()?;
        // A new version of an agreement is proposed by a party to the version in force.
        if let Ok(existing) = self.app().agreement(&agreement.id, None).await
            && !existing.agreement.parties.contains(self.institution_id())
        {
            return Err(AppError::Forbidden(format!(
                "{} is not a party to agreement {}: only its parties propose a new version",
                self.institution_id(),
                agreement.id
            )));
        }
        if !agreement.parties.contains(self.institution_id()) {
            return Err(AppError::Forbidden(format!(
                "{} is not a party to agreement {}: a party proposes it",
                self.institution_id(),
                agreement.id
            )));
        }
        self.app().store_agreement(document, self.actor(), now).await
    }

    /// Signs the latest version of an agreement for the institution, a party, as its admin;
    /// `version`, when given, must be that latest version (the one the admin read).
    pub async fn sign_agreement(
        &self,
        id: &str,
        version: Option<u32>,
        now: Timestamp,
    ) -> Result<StoredAgreement, AppError> {
        self.require(crate::Role::Admin)?;
        self.app().sign_agreement_for(id, self.institution_id().as_str(), self.actor(), version, now).await
    }

    /// Ends an agreement for the institution, a party, as its admin.
    pub async fn end_agreement(&self, id: &str, now: Timestamp) -> Result<StoredAgreement, AppError> {
        self.require(crate::Role::Admin)?;
        self.app().end_agreement_for(id, self.institution_id().as_str(), self.actor(), now).await
    }
}

/// What a grant gives, in words: "the course STAT-1 Basic statistics (5 ECTS)", "3 elective
/// ECTS".
pub fn grant_words(grant: &Grant, ects: f64) -> String {
    match grant {
        Grant::Course { code, name, .. } => {
            format!("the course {code} {} ({ects} ECTS)", name.iter().next().map(|(_, name)| name).unwrap_or_default())
        }
        Grant::Elective { .. } => format!("{ects} elective ECTS"),
    }
}

/// The SHA-256 of a credential's text, hex: what a decision names it by.
pub(crate) fn digest(text: &str) -> String {
    use sha2::Digest as _;
    sha2::Sha256::digest(text.as_bytes()).iter().map(|byte| format!("{byte:02x}")).collect()
}

/// What an amended decision grants, in words: "3 elective ECTS", "3 ECTS towards the course
/// STAT-1 Basic statistics".
fn amended_grant_words(grant: &Grant, ects: f64) -> String {
    match grant {
        Grant::Course { code, name, .. } => format!(
            "{ects} ECTS towards the course {code} {}",
            name.iter().next().map(|(_, name)| name).unwrap_or_default()
        ),
        Grant::Elective { .. } => format!("{ects} elective ECTS"),
    }
}

/// A credential's verification and what recognition makes of it, as JSON (the command line's
/// `--json` and the API answer with it).
pub fn recognition_json(verification: &Verification, outcome: &CredentialOutcome) -> Value {
    serde_json::json!({
        "credential": outcome.credential,
        "verification": verification,
        "refused": outcome.refused,
        "proposals": outcome.proposals.iter().map(|proposal| serde_json::json!({
            "agreement": &*proposal.agreement,
            "version": proposal.version,
            "rule": &*proposal.rule,
            "ects": proposal.ects,
            "grant": grant_words(&proposal.grant, proposal.ects),
        })).collect::<Vec<_>>(),
        "rules_tried": outcome.tried.iter().map(|tried| serde_json::json!({
            "agreement": &*tried.agreement,
            "version": tried.version,
            "rule": &*tried.rule,
            "matched": tried.matched,
            "checks": tried.checks.iter().map(|check| serde_json::json!({"held": check.held, "said": check.said})).collect::<Vec<_>>(),
            "note": tried.note,
        })).collect::<Vec<_>>(),
    })
}

/// An agreement's latest state, as JSON.
pub fn agreement_json(stored: &StoredAgreement) -> Value {
    serde_json::json!({
        "id": stored.agreement.id,
        "version": stored.version,
        "state": stored.state(),
        "signatures": stored.signatures.iter().map(|(party, at)| serde_json::json!({"institution": party.as_str(), "signed_at": at.map(|at| at.to_rfc3339())})).collect::<Vec<_>>(),
        "ended": stored.ended.as_ref().map(|(party, at)| serde_json::json!({"institution": party.as_str(), "at": at.to_rfc3339()})),
        "document": stored.document,
    })
}

/// Why a verification leaves a credential out of recognition, when it does.
fn standing(verification: &Verification) -> Standing {
    if verification.verdict == Verdict::Valid {
        return Standing::Valid;
    }
    let failed = verification.checks.iter().find(|check| check.status == CheckStatus::Failed);
    let undecided = verification.checks.iter().find(|check| check.status == CheckStatus::Skipped);
    match (verification.verdict, failed, undecided) {
        (Verdict::Invalid, Some(check), _) => Standing::Refused(check.message.clone()),
        (_, _, Some(check)) => Standing::Refused(format!("it could not be fully checked: {}", check.message)),
        _ => Standing::Refused("it did not verify".into()),
    }
}

/// What a credential says that recognition needs: from an Open Badges credential (its
/// achievement, with the Annex I terms microcred writes, and the alignments any issuer may
/// write), or from a sealed European Digital Credential (its learning achievement's
/// specification in ELM).
fn credential_facts(
    text: &str,
    verification: &Verification,
    institution: Option<InstitutionId>,
    idx: usize,
) -> CredentialFacts {
    let read = ReadCredential::from_text(text);
    let mut facts = CredentialFacts {
        id: verification.credential.clone().unwrap_or_else(|| format!("credential {}", idx + 1)),
        issuer: institution,
        issuer_name: verification.issuer.clone().unwrap_or_else(|| "an unnamed issuer".into()),
        spec: None,
        ects: None,
        eqf: None,
        field: None,
        skills: Vec::new(),
        assessment: None,
        qa_internal: false,
        qa_external: false,
        identity_verification: None,
        grade: None,
        earned: Timestamp::from_unix(0, 0),
        standing: standing(verification),
    };
    match read.sealed {
        true => edc_facts(&read.credential, &mut facts),
        false => badge_facts(&read.credential, &mut facts),
    }
    facts
}

/// A credential as JSON, read the way microcred takes credentials: unwrapped from an upload
/// form's `{"credential": …}`, and, for a sealed European Digital Credential, its payload.
pub(crate) struct ReadCredential {
    /// The credential (the EDC itself for a sealed one; empty when the text is not JSON).
    pub(crate) credential: Map<String, Value>,
    /// Whether it came out of a JAdES seal.
    pub(crate) sealed: bool,
}

impl ReadCredential {
    pub(crate) fn from_text(text: &str) -> ReadCredential {
        ReadCredential::from_document(serde_json::from_str(text).unwrap_or_default())
    }

    pub(crate) fn from_document(document: Map<String, Value>) -> ReadCredential {
        let document = match document.get("credential") {
            Some(Value::Object(inner)) => inner.clone(),
            _ => document,
        };
        let payload =
            document.get("payload").and_then(Value::as_str).and_then(|payload| serde_json::from_str(payload).ok());
        match payload {
            Some(credential) => ReadCredential { credential, sealed: true },
            None => ReadCredential { credential: document, sealed: false },
        }
    }
}

fn text_of(value: &Value) -> Option<String> {
    match value {
        Value::String(text) => Some(text.clone()),
        Value::Object(map) => map.values().next().and_then(Value::as_str).map(str::to_owned),
        _ => None,
    }
}

fn time_of(value: Option<&Value>) -> Option<Timestamp> {
    value.and_then(Value::as_str).and_then(|raw| Timestamp::parse_lenient(raw).ok())
}

fn badge_facts(credential: &Map<String, Value>, facts: &mut CredentialFacts) {
    let subject = credential.get("credentialSubject").unwrap_or(&Value::Null);
    let achievement = &subject["achievement"];
    facts.spec =
        achievement["id"].as_str().and_then(|id| id.strip_prefix("urn:uuid:")).and_then(|id| SpecId::parse(id).ok());
    facts.ects = achievement["creditsAvailable"].as_f64();
    for alignment in achievement["alignment"].as_array().into_iter().flatten() {
        let url = alignment["targetUrl"].as_str().unwrap_or_default();
        if let Some(level) = url.strip_prefix(mc_core::elm::EQF) {
            facts.eqf = level.parse().ok();
        } else if let Some(code) = url.strip_prefix(mc_core::elm::ISCED) {
            facts.field = Some(code.to_owned());
        } else if url.starts_with(mc_core::elm::ESCO) {
            facts.skills.push(url.to_owned());
        }
    }
    facts.assessment = achievement["assessmentKind"].as_str().and_then(|kind| AssessmentKind::parse(kind).ok());
    for kind in achievement["qualityAssurance"].as_array().into_iter().flatten() {
        match kind.as_str() {
            Some("internal") => facts.qa_internal = true,
            Some("external") => facts.qa_external = true,
            _ => {}
        }
    }
    facts.identity_verification =
        achievement["identityVerification"].as_str().and_then(|kind| IdentityVerification::parse(kind).ok());
    facts.grade = subject["result"][0]["value"].as_str().map(str::to_owned);
    facts.earned = time_of(credential.get("awardedDate"))
        .or_else(|| time_of(credential.get("validFrom")))
        .or_else(|| time_of(credential.get("issuanceDate")))
        .unwrap_or(facts.earned);
}

fn edc_facts(credential: &Map<String, Value>, facts: &mut CredentialFacts) {
    let claim = &credential.get("credentialSubject").unwrap_or(&Value::Null)["hasClaim"];
    let claim = if claim.is_array() { &claim[0] } else { claim };
    let specification = if claim["specifiedBy"].is_array() { &claim["specifiedBy"][0] } else { &claim["specifiedBy"] };
    if let Ok(document) = mc_core::elm::from_elm(specification, Some("unknown")) {
        facts.spec = document.id.as_deref().and_then(|id| SpecId::parse(id).ok());
        facts.ects = document.workload.as_ref().and_then(|workload| workload.ects);
        facts.eqf = document.eqf_level.and_then(|level| u8::try_from(level).ok());
        facts.field = document.isced_f.clone();
        facts.skills = document
            .learning_outcomes
            .iter()
            .flatten()
            .filter_map(|outcome| outcome.skill.clone())
            .filter(|skill| skill.starts_with(mc_core::elm::ESCO))
            .collect();
        facts.assessment = document
            .assessment
            .as_ref()
            .and_then(|assessment| assessment.kind.as_deref())
            .and_then(|kind| AssessmentKind::parse(kind).ok());
        if let Some(qa) = &document.quality_assurance {
            facts.qa_internal = qa.internal;
            facts.qa_external = qa.external;
        }
        facts.identity_verification =
            document.identity_verification.as_deref().and_then(|kind| IdentityVerification::parse(kind).ok());
    }
    let assessment = if claim["provenBy"].is_array() { &claim["provenBy"][0] } else { &claim["provenBy"] };
    facts.grade = text_of(&assessment["grade"]["noteLiteral"]);
    facts.earned = time_of(claim["awardedBy"].get("awardingDate"))
        .or_else(|| time_of(credential.get("validFrom")))
        .unwrap_or(facts.earned);
}

/// What a recognition officer decides of a credential.
#[derive(Debug, Clone, Copy)]
pub enum Decision<'a> {
    /// Accept a current proposal: the one of this agreement and rule, or the only one.
    Accept {
        /// The agreement and rule, when the credential has several proposals.
        rule: Option<(&'a str, &'a str)>,
    },
    /// Accept a current proposal for fewer ECTS than it grants (partial recognition), saying
    /// why.
    Amend {
        /// The agreement and rule, when the credential has several proposals.
        rule: Option<(&'a str, &'a str)>,
        /// The ECTS granted: more than 0, fewer than proposed.
        ects: f64,
        /// Why, for the learner.
        reason: &'a str,
    },
    /// Reject, saying why.
    Reject {
        /// The reason, for the learner.
        reason: &'a str,
    },
}

/// A recognition decision made, with the signed decision credential of an accepted one.
#[derive(Debug, Clone)]
pub struct DecisionMade {
    /// The decision's id.
    pub id: String,
    /// The signed recognition decision credential, for an accepted one.
    pub credential: Option<Map<String, Value>>,
    /// What was granted, in words, for an accepted one.
    pub granted: Option<String>,
}

/// The terms of a recognition decision credential, in microcred's vocabulary.
fn decision_context() -> Value {
    serde_json::json!({
        "mcv": "https://w3id.org/microcred/vocab#",
        "RecognitionDecisionCredential": "mcv:RecognitionDecisionCredential",
        "RecognitionDecision": "mcv:RecognitionDecision",
        "recognisedCredential": {"@id": "mcv:recognisedCredential", "@type": "@id"},
        "credentialDigest": "mcv:credentialDigest",
        "agreement": "mcv:agreement",
        "agreementVersion": {"@id": "mcv:agreementVersion", "@type": "http://www.w3.org/2001/XMLSchema#integer"},
        "rule": "mcv:rule",
        "granted": "mcv:granted",
        "ects": {"@id": "mcv:ects", "@type": "http://www.w3.org/2001/XMLSchema#decimal"},
        "decidedBy": "mcv:decidedBy",
        "learner": "mcv:learner",
        "amended": "mcv:amended",
    })
}

impl Operator<'_> {
    /// Decides a recognition for `home` ([`App::decide`]), as the operator.
    pub async fn decide_recognition(
        &self,
        home: &str,
        text: &str,
        decision: Decision<'_>,
        decided_by: &str,
        now: Timestamp,
    ) -> Result<DecisionMade, AppError> {
        self.decide(home, text, decision, decided_by, None, now).await
    }
}

impl crate::InstitutionAccess<'_> {
    /// Decides a recognition for the institution, as its recognition officer (or admin).
    pub async fn decide_recognition(
        &self,
        text: &str,
        decision: Decision<'_>,
        now: Timestamp,
    ) -> Result<DecisionMade, AppError> {
        self.require(crate::Role::RecognitionOfficer)?;
        self.app().decide(self.institution_id().as_str(), text, decision, self.actor(), None, now).await
    }
}

impl App {
    /// Decides a recognition: the credential is verified and evaluated again now, so only a
    /// current proposal can be accepted. An accepted decision is issued as a recognition
    /// decision credential signed by the home institution, naming the recognised credential
    /// (its id and the SHA-256 of the text given), the agreement version, the rule and what is
    /// granted. Either way the decision is stored and audited; decisions stand when an agreement
    /// ends later. A decision that answers a learner's request is recorded on it in the same
    /// transaction, once, and its credential names the learner.
    pub(crate) async fn decide(
        &self,
        home: &str,
        text: &str,
        decision: Decision<'_>,
        decided_by: &str,
        request: Option<(&str, &mc_core::Learner)>,
        now: Timestamp,
    ) -> Result<DecisionMade, AppError> {
        let institution = self.institution(home).await?;
        let (_, outcome) = self.recognize(home, &[text.to_owned()], now).await?.remove(0);
        let digest = digest(text);
        let id = self.new_id().to_string();
        let mut record = mc_store::DecisionRecord {
            id: id.clone(),
            institution_id: institution.id().to_string(),
            credential_id: outcome.credential.clone(),
            credential_digest: digest.clone(),
            accepted: false,
            agreement: None,
            granted: None,
            reason: None,
            decided_by: decided_by.to_owned(),
            decided_at: now.to_rfc3339(),
            document: None,
        };
        let mut made = DecisionMade { id: id.clone(), credential: None, granted: None };
        if !matches!(decision, Decision::Reject { .. }) {
            self.ensure_issuer_key(institution.id(), now).await?;
        }
        // The key the decision is signed with, and the decision, in one transaction.
        let mut tx = self.store().begin().await?;
        match decision {
            Decision::Reject { reason } => {
                if reason.trim().is_empty() {
                    return Err(AppError::invalid_argument("reason", mc_core::ValueError::new("must say why")));
                }
                record.reason = Some(reason.trim().to_owned());
            }
            Decision::Accept { rule } | Decision::Amend { rule, .. } => {
                if let Some(refused) = &outcome.refused {
                    return Err(AppError::Conflict(format!("nothing can be accepted: {refused}")));
                }
                let chosen: Vec<_> = outcome
                    .proposals
                    .iter()
                    .filter(|proposal| {
                        rule.is_none_or(|(agreement, rule)| {
                            &*proposal.agreement == agreement && &*proposal.rule == rule
                        })
                    })
                    .collect();
                let proposal = match chosen.as_slice() {
                    [one] => *one,
                    [] => {
                        return Err(AppError::Conflict(match rule {
                            Some((agreement, rule)) => {
                                format!("rule {rule} of agreement {agreement} proposes nothing for this credential")
                            }
                            None => "nothing is proposed for this credential".into(),
                        }));
                    }
                    _ => {
                        return Err(AppError::Conflict(
                            "several rules propose something: name the agreement and rule to accept".into(),
                        ));
                    }
                };
                let (ects, granted) = match decision {
                    Decision::Amend { ects, reason, .. } => {
                        if ects.is_nan() || ects <= 0.0 || ects >= proposal.ects {
                            return Err(AppError::invalid_argument(
                                "ects",
                                mc_core::ValueError::new(format!(
                                    "an amended decision grants more than 0 and fewer than the {} ECTS proposed",
                                    proposal.ects
                                )),
                            ));
                        }
                        if reason.trim().is_empty() {
                            return Err(AppError::invalid_argument(
                                "reason",
                                mc_core::ValueError::new("must say why fewer ECTS are granted"),
                            ));
                        }
                        record.reason = Some(reason.trim().to_owned());
                        (ects, amended_grant_words(&proposal.grant, ects))
                    }
                    _ => (proposal.ects, grant_words(&proposal.grant, proposal.ects)),
                };
                let key = self.current_key(&mut tx, institution.id()).await?;
                let identity = crate::keys::identity(&institution, &key);
                let name = institution.name().iter().next().map(|(_, name)| name).unwrap_or_default();
                let mut credential = Map::new();
                credential.insert(
                    "@context".into(),
                    serde_json::json!([mc_vc::contexts::CREDENTIALS_V2, decision_context()]),
                );
                credential.insert("id".into(), format!("urn:uuid:{id}").into());
                credential.insert(
                    "type".into(),
                    serde_json::json!(["VerifiableCredential", "RecognitionDecisionCredential"]),
                );
                credential.insert("name".into(), "Recognition decision".into());
                credential.insert("issuer".into(), serde_json::json!({"id": identity.issuer_id, "name": name}));
                credential.insert("validFrom".into(), now.to_rfc3339().into());
                let mut subject = serde_json::json!({
                    "type": "RecognitionDecision",
                    "recognisedCredential": outcome.credential,
                    "credentialDigest": format!("sha256:{digest}"),
                    "agreement": &*proposal.agreement,
                    "agreementVersion": proposal.version,
                    "rule": &*proposal.rule,
                    "granted": granted,
                    "ects": ects,
                    "decidedBy": decided_by,
                });
                if let Some((_, learner)) = request {
                    subject["learner"] = learner.name().into();
                }
                if let Some(reason) = &record.reason {
                    subject["amended"] = reason.as_str().into();
                }
                credential.insert("credentialSubject".into(), subject);
                let options = mc_vc::proof::ProofOptions {
                    verification_method: identity.verification_method,
                    created: now.to_rfc3339(),
                    proof_purpose: "assertionMethod".into(),
                };
                let signed = self.sign(credential, mc_vc::proof::Suite::EddsaRdfc2022, &key, &options)?;
                record.accepted = true;
                record.agreement = Some((proposal.agreement.to_string(), proposal.version, proposal.rule.to_string()));
                record.granted = Some((granted.clone(), ects));
                record.document = Some(serde_json::to_string(&signed).expect("a JSON map serializes"));
                made.credential = Some(signed);
                made.granted = Some(granted);
            }
        }
        tx.db().insert_decision(&record).await?;
        if let Some((request, _)) = request
            && !tx.db().answer_recognition_request(request, &id).await?
        {
            return Err(AppError::Conflict(format!("recognition request {request} was answered already")));
        }
        let details =
            serde_json::json!({"credential": record.credential_id, "accepted": record.accepted, "by": decided_by});
        tx.audit(&record.decided_at, "recognition.decide", &id, &details.to_string()).await?;
        tx.commit().await?;
        Ok(made)
    }
}

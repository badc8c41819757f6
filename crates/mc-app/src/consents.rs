//! Co-awarding consent: a specification that names another institution as an awarding body
//! stays a draft until that institution's admin accepts. The request is made when a member
//! saves the specification, and publication waits for every answer.

use mc_core::{InstitutionId, Spec, SpecId, Timestamp};
use mc_store::{ConsentRecord, StoreError, StoreTx};
use serde::Serialize;

use crate::{AdminAccess, App, AppError, InstitutionAccess};

/// Where an institution stands on being named as an awarding body.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum ConsentState {
    /// Asked; no answer yet.
    Pending,
    /// Agreed to award the specification's credentials with the issuer.
    Accepted,
    /// Refused; the specification cannot be published naming it.
    Declined,
}

impl ConsentState {
    fn parse(raw: &str) -> Option<ConsentState> {
        match raw {
            "pending" => Some(ConsentState::Pending),
            "accepted" => Some(ConsentState::Accepted),
            "declined" => Some(ConsentState::Declined),
            _ => None,
        }
    }

    /// The state's name: `pending`, `accepted` or `declined`.
    pub fn as_str(self) -> &'static str {
        match self {
            ConsentState::Pending => "pending",
            ConsentState::Accepted => "accepted",
            ConsentState::Declined => "declined",
        }
    }
}

/// An institution's answer to being named as an awarding body of a specification.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Consent {
    /// The specification.
    pub spec: SpecId,
    /// The institution asked.
    pub institution: InstitutionId,
    /// Its answer so far.
    pub state: ConsentState,
    /// When it was asked.
    pub requested_at: Timestamp,
    /// When it answered.
    pub decided_at: Option<Timestamp>,
}

impl Consent {
    fn from_record(record: ConsentRecord) -> Result<Consent, AppError> {
        let id = format!("{}/{}", record.spec_id, record.institution_id);
        let damaged = |detail: String| StoreError::Corrupt { what: "co-awarding consent", id: id.clone(), detail };
        Ok(Consent {
            spec: SpecId::parse(&record.spec_id).map_err(|err| damaged(err.to_string()))?,
            institution: InstitutionId::parse(&record.institution_id).map_err(|err| damaged(err.to_string()))?,
            state: ConsentState::parse(&record.state).ok_or_else(|| damaged(format!("state {:?}", record.state)))?,
            requested_at: Timestamp::from_unix(record.requested_at, 0),
            decided_at: record.decided_at.map(|at| Timestamp::from_unix(at, 0)),
        })
    }
}

impl App {
    /// The consents asked for a specification, by institution.
    pub(crate) async fn consents_of(&self, spec: SpecId) -> Result<Vec<Consent>, AppError> {
        self.store().db().await?.consents_of(&spec.to_string()).await?.into_iter().map(Consent::from_record).collect()
    }

    /// Asks the awarding bodies of `spec` other than `requester` for their consent, in `tx`:
    /// those not asked yet, and every one of them again when the specification `changed` (a
    /// consent is given to what the specification says). The consents of institutions it no
    /// longer names are forgotten. Returns the bodies that have not accepted.
    pub(crate) async fn ask_consents(
        tx: &mut StoreTx,
        spec: &Spec,
        requester: &InstitutionId,
        changed: bool,
        now: Timestamp,
    ) -> Result<Vec<InstitutionId>, AppError> {
        let spec_id = spec.id().to_string();
        let asked = tx.db().consents_of(&spec_id).await?;
        for gone in asked
            .iter()
            .filter(|consent| !spec.awarding_bodies().iter().any(|body| body.as_str() == consent.institution_id))
        {
            tx.db().delete_consent(&spec_id, &gone.institution_id).await?;
        }
        let mut waiting = Vec::new();
        for body in spec.awarding_bodies().iter().filter(|body| *body != requester) {
            match asked.iter().find(|consent| consent.institution_id == body.as_str()) {
                Some(consent) if !changed && consent.state == ConsentState::Accepted.as_str() => continue,
                Some(consent) if !changed || consent.state == ConsentState::Pending.as_str() => {}
                _ => {
                    let record = ConsentRecord {
                        spec_id: spec.id().to_string(),
                        institution_id: body.to_string(),
                        state: ConsentState::Pending.as_str().to_owned(),
                        requested_at: now.unix_seconds(),
                        decided_at: None,
                        decided_by: None,
                    };
                    tx.db().put_consent(&record).await?;
                    tracing::info!(spec.id = %spec.id(), institution.id = %body, "co-awarding consent asked");
                }
            }
            waiting.push(body.clone());
        }
        Ok(waiting)
    }

    /// Refuses, in `tx`, while an awarding body other than the issuer has not accepted. The
    /// specification's row is locked first, so that an answer given meanwhile waits for `tx`.
    pub(crate) async fn require_consents(tx: &mut StoreTx, spec: &Spec) -> Result<(), AppError> {
        tx.db().lock_spec(&spec.id().to_string()).await?;
        let records = tx.db().consents_of(&spec.id().to_string()).await?;
        let consents = records.into_iter().map(Consent::from_record).collect::<Result<Vec<_>, _>>()?;
        let mut waiting = Vec::new();
        for body in spec.awarding_bodies().iter().filter(|body| *body != spec.issuer()) {
            match consents.iter().find(|consent| &consent.institution == body).map(|consent| consent.state) {
                Some(ConsentState::Accepted) => {}
                Some(ConsentState::Declined) => waiting.push(format!("{body} declined to award it")),
                _ => waiting.push(format!("awaiting consent from {body}")),
            }
        }
        match waiting.is_empty() {
            true => Ok(()),
            false => {
                Err(AppError::Conflict(format!("specification {} stays a draft: {}", spec.id(), waiting.join("; "))))
            }
        }
    }
}

impl InstitutionAccess<'_> {
    /// The consents asked of the institution, newest first, with their specifications (only
    /// while these still name it).
    pub async fn consents_asked(&self) -> Result<Vec<(Consent, Spec)>, AppError> {
        let mut asked = Vec::new();
        for record in self.app().store().db().await?.consents_asked_of(self.institution_id().as_str()).await? {
            let consent = Consent::from_record(record)?;
            let spec = self.app().spec(&consent.spec.to_string()).await?;
            if spec.awarding_bodies().contains(self.institution_id()) {
                asked.push((consent, spec));
            }
        }
        Ok(asked)
    }

    /// The consents asked for a specification the member may see.
    pub async fn consents_of(&self, raw_id: &str) -> Result<Vec<Consent>, AppError> {
        let (spec, _) = self.spec(raw_id).await?;
        self.app().consents_of(spec.id()).await
    }
}

impl AdminAccess<'_> {
    /// Accepts or declines being named as an awarding body of a specification. Only a request
    /// made of this institution can be answered; an answer can be changed while the
    /// specification is a draft.
    pub async fn decide_consent(&self, raw_id: &str, accept: bool, now: Timestamp) -> Result<Consent, AppError> {
        let not_asked = || AppError::NotFound { what: "consent request", id: raw_id.to_owned() };
        let spec_id = SpecId::parse(raw_id).map_err(|_| not_asked())?;
        let mut tx = self.app().store().begin().await?;
        tx.db().lock_spec(&spec_id.to_string()).await?;
        let asked = tx.db().consents_of(&spec_id.to_string()).await?;
        let mut record = asked
            .into_iter()
            .find(|consent| consent.institution_id == self.institution_id().as_str())
            .ok_or_else(not_asked)?;
        if tx.db().published_at(spec_id).await?.flatten().is_some() {
            return Err(AppError::Conflict(format!(
                "specification {spec_id} is published; its awarding bodies' answers are final"
            )));
        }
        let state = if accept { ConsentState::Accepted } else { ConsentState::Declined };
        record.state = state.as_str().to_owned();
        record.decided_at = Some(now.unix_seconds());
        record.decided_by = Some(self.actor().to_owned());
        tx.db().put_consent(&record).await?;
        tx.commit().await?;
        tracing::info!(spec.id = %spec_id, institution.id = %self.institution_id(), state = state.as_str(), "co-awarding consent answered");
        Consent::from_record(record)
    }
}

//! What each principal may do, by construction: a handle per kind of principal exposes only the
//! use cases it may call, already scoped to its institution or learner. The HTTP server reaches
//! the use cases through these handles alone; the command line acts as the [`Operator`].
//!
//! - [`App::acting_as`] a member of an institution: [`InstitutionAccess`] reads, and its
//!   [`InstitutionAccess::issuer`] and [`InstitutionAccess::admin`] check the role once and
//!   hand out [`IssuerAccess`] and [`AdminAccess`].
//! - [`App::network_admin`]: [`NetworkAccess`], the registry and the trusted-issuer list.
//! - [`App::learner_access`]: [`LearnerAccess`], a learner's own credentials and share links.
//! - [`App::operator`]: [`Operator`], whoever runs the command line on the database's machine.
//!
//! Another institution's records answer `NotFound`, as if they did not exist.

use mc_core::{InstitutionId, Learner, Spec, Timestamp, quality::QualityReport, wire::SpecDocument};
use mc_store::{StoreError, StoredResponse};

use crate::{
    Added, App, AppError, CohortJob, CohortSubmission, IssueRequest, IssuedCredential, Publication, StatusChange,
    access::{NewToken, Principal, Role, StateChange, new_staff, new_token},
    records::{ApiToken, Staff},
};

impl App {
    /// What a member of an institution may do; `Forbidden` for other principals.
    pub fn acting_as(&self, principal: &Principal) -> Result<InstitutionAccess<'_>, AppError> {
        let (institution, role) = principal
            .membership()
            .ok_or_else(|| AppError::Forbidden(format!("{} does not act for an institution", principal.actor())))?;
        Ok(InstitutionAccess { app: self, institution: institution.clone(), role, actor: principal.actor().to_owned() })
    }

    /// What the network's administrator may do; `Forbidden` for other principals.
    pub fn network_admin(&self, principal: &Principal) -> Result<NetworkAccess<'_>, AppError> {
        match principal.is_network_admin() {
            true => Ok(NetworkAccess { app: self, actor: principal.actor().to_owned() }),
            false => {
                Err(AppError::Forbidden(format!("this needs the network administrator; {} is not", principal.actor())))
            }
        }
    }

    /// What a signed-in learner may do with their own credentials; `Forbidden` for others.
    pub async fn learner_access(&self, principal: &Principal) -> Result<LearnerAccess<'_>, AppError> {
        let id = principal
            .learner_id()
            .ok_or_else(|| AppError::Forbidden(format!("{} is not a learner", principal.actor())))?;
        let learner =
            self.store().db().await?.learner(&id.to_string()).await?.ok_or_else(|| {
                AppError::Unauthenticated("the learner of this session is no longer registered".into())
            })?;
        Ok(LearnerAccess { app: self, learner })
    }

    /// The operator: whoever runs the command line where the database is, who may do
    /// everything. Only the command line calls this; the server's tidy test refuses it there.
    pub fn operator(&self) -> Operator<'_> {
        Operator { app: self }
    }
}

/// A member of one institution: reads its data. The role is checked once, by
/// [`InstitutionAccess::issuer`] and [`InstitutionAccess::admin`], for what changes it.
#[derive(Debug, Clone)]
pub struct InstitutionAccess<'a> {
    app: &'a App,
    institution: InstitutionId,
    role: Role,
    actor: String,
}

impl<'a> InstitutionAccess<'a> {
    pub(crate) fn app(&self) -> &'a App {
        self.app
    }

    /// The institution acted for.
    pub fn institution_id(&self) -> &InstitutionId {
        &self.institution
    }

    /// The member's role.
    pub fn role(&self) -> Role {
        self.role
    }

    /// Who acts, for the audit log.
    pub fn actor(&self) -> &str {
        &self.actor
    }

    /// Refuses, with `Forbidden`, a member whose role does not include `needed`.
    pub(crate) fn require(&self, needed: Role) -> Result<(), AppError> {
        match self.role.includes(needed) {
            true => Ok(()),
            false => Err(AppError::Forbidden(format!(
                "this needs the {} role; {} has the {} role",
                needed.as_str(),
                self.actor,
                self.role.as_str()
            ))),
        }
    }

    /// What an issuer (or admin) may do: `Forbidden` for other roles.
    pub fn issuer(&self) -> Result<IssuerAccess<'a>, AppError> {
        self.require(Role::Issuer)?;
        Ok(IssuerAccess { member: self.clone() })
    }

    /// What an admin may do: `Forbidden` for other roles.
    pub fn admin(&self) -> Result<AdminAccess<'a>, AppError> {
        self.require(Role::Admin)?;
        Ok(AdminAccess { member: self.clone() })
    }

    /// The institution acted for.
    pub async fn institution(&self) -> Result<mc_core::Institution, AppError> {
        self.app.institution(self.institution.as_str()).await
    }

    /// The institution's specifications, drafts included, by title.
    pub async fn specs(&self) -> Result<Vec<(Spec, Publication)>, AppError> {
        let mut specs = Vec::new();
        for spec in self.app.all_specs().await? {
            if spec.issuer() == &self.institution {
                let publication = self.app.publication(&spec).await?;
                specs.push((spec, publication));
            }
        }
        Ok(specs)
    }

    /// A specification of the institution (a draft too), or a published one of another.
    pub async fn spec(&self, raw_id: &str) -> Result<(Spec, Publication), AppError> {
        self.app.visible_spec(Some(&self.principal()), raw_id).await
    }

    fn principal(&self) -> Principal {
        Principal::member(self.institution.clone(), self.role, self.actor.clone())
    }

    /// One of the institution's own specifications, which it may change.
    pub(crate) async fn own_spec(&self, raw_id: &str) -> Result<Spec, AppError> {
        let (spec, _) = self.spec(raw_id).await?;
        match spec.issuer() == &self.institution {
            true => Ok(spec),
            false => Err(AppError::Forbidden(format!(
                "specification {raw_id} is issued by {}; {} may only change its own",
                spec.issuer(),
                self.institution
            ))),
        }
    }

    /// The institution's credentials, of a learner and a specification when given.
    pub async fn credentials(
        &self,
        learner: Option<&str>,
        spec: Option<&str>,
    ) -> Result<Vec<IssuedCredential>, AppError> {
        self.app.credentials(Some(&self.institution), learner, spec).await
    }

    /// A page of the institution's credentials, newest first, and how many match in all: those
    /// whose learner's name or email contains `words`, of the specification `spec` and in the
    /// state `state` when given.
    pub async fn search_credentials(
        &self,
        words: Option<&str>,
        spec: Option<&str>,
        state: Option<mc_core::CredentialState>,
        offset: u64,
        limit: u64,
    ) -> Result<(Vec<IssuedCredential>, u64), AppError> {
        let search = mc_store::CredentialSearch {
            institution_id: self.institution.as_str(),
            words,
            spec_id: spec,
            state: state.map(mc_core::CredentialState::as_str),
            offset,
            limit,
        };
        let (records, total) = self.app.store().db().await?.search_credentials(&search).await?;
        let credentials = records.into_iter().map(IssuedCredential::from_record).collect::<Result<_, _>>()?;
        Ok((credentials, total))
    }

    /// One of the institution's drafts, as it was saved; `None` when it has none with this id.
    pub async fn spec_draft(&self, id: &str) -> Result<Option<SpecDocument>, AppError> {
        let found = self.app.store().db().await?.spec_draft(id).await?;
        match found {
            Some(draft) if draft.institution_id == self.institution.as_str() => Ok(Some(read_draft(&draft)?)),
            _ => Ok(None),
        }
    }

    /// The institution's drafts, the latest saved first, each with when it was saved.
    pub async fn spec_drafts(&self) -> Result<Vec<(SpecDocument, Timestamp)>, AppError> {
        let drafts = self.app.store().db().await?.spec_drafts_of(self.institution.as_str()).await?;
        drafts
            .iter()
            .map(|draft| {
                let saved = Timestamp::parse(&draft.updated_at).map_err(|err| damaged_draft(draft, err))?;
                Ok((read_draft(draft)?, saved))
            })
            .collect()
    }

    /// One of the institution's credentials.
    pub async fn credential(&self, id: &str) -> Result<IssuedCredential, AppError> {
        let credential = self.app.credential(id).await?;
        match credential.institution_id() == &self.institution {
            true => Ok(credential),
            false => Err(AppError::NotFound { what: "credential", id: id.to_owned() }),
        }
    }

    /// One of the institution's cohort jobs.
    pub async fn cohort_job(&self, id: &str) -> Result<CohortJob, AppError> {
        let job = self.app.cohort_job(id).await?;
        match job.institution == self.institution.as_str() {
            true => Ok(job),
            false => Err(AppError::NotFound { what: "cohort job", id: id.to_owned() }),
        }
    }

    /// The institution's latest cohort jobs, newest first.
    pub async fn cohort_jobs(&self) -> Result<Vec<CohortJob>, AppError> {
        self.app.cohort_jobs(&self.institution).await
    }
}

/// An issuer or admin of one institution: adds, edits and publishes its specifications, issues
/// and changes the state of its credentials.
#[derive(Debug, Clone)]
pub struct IssuerAccess<'a> {
    member: InstitutionAccess<'a>,
}

impl<'a> std::ops::Deref for IssuerAccess<'a> {
    type Target = InstitutionAccess<'a>;

    /// An issuer may read what every member may.
    fn deref(&self) -> &InstitutionAccess<'a> {
        &self.member
    }
}

impl IssuerAccess<'_> {
    /// Offers one of the institution's credentials to its learner's wallet (OpenID4VCI), for an
    /// integration that hands the offer and its transaction code to the learner.
    pub async fn offer_to_wallet(&self, id: &str, now: Timestamp) -> Result<crate::WalletOffer, AppError> {
        let credential = self.credential(id).await?;
        self.app.offer_to_wallet(&credential, now).await
    }

    /// Refuses a document whose first awarding body is another institution.
    fn check_first_body(&self, document: &SpecDocument) -> Result<(), AppError> {
        match document.awarding_bodies.as_ref().and_then(|bodies| bodies.first()) {
            Some(first) if first != self.institution.as_str() => Err(AppError::Forbidden(format!(
                "the specification's first awarding body is {first:?}; {} may only add and edit its own",
                self.institution
            ))),
            _ => Ok(()),
        }
    }

    /// Keeps a document that does not read as a specification yet as the institution's draft,
    /// to be finished later; gives it the id of the specification it will become when it has
    /// none. Its id may be one of the institution's own specifications (an edit in progress),
    /// never another's.
    pub async fn save_spec_draft(&self, document: &mut SpecDocument, now: Timestamp) -> Result<String, AppError> {
        self.check_first_body(document)?;
        let id = match document.id.as_deref() {
            Some(raw_id) => {
                let id = mc_core::SpecId::parse(raw_id)
                    .map_err(|err| AppError::invalid_argument("specification id", err))?;
                match self.app.spec(raw_id).await {
                    Ok(spec) if spec.issuer() != &self.institution => {
                        return Err(AppError::Forbidden(format!("{raw_id} is another institution's specification")));
                    }
                    Ok(_) | Err(AppError::NotFound { .. }) => {}
                    Err(err) => return Err(err),
                }
                id.to_string()
            }
            None => mc_core::SpecId::from_uuid(self.app.new_id()).to_string(),
        };
        document.id = Some(id.clone());
        let mut db = self.app.store().db().await?;
        let kept = db.spec_draft_count(self.institution.as_str()).await?;
        if kept >= MAX_SPEC_DRAFTS && db.spec_draft(&id).await?.is_none() {
            return Err(AppError::Conflict(format!(
                "{} keeps {kept} unfinished drafts, the most it may: finish or discard one first",
                self.institution
            )));
        }
        drop(db);
        let record = mc_store::SpecDraftRecord {
            id: id.clone(),
            institution_id: self.institution.to_string(),
            document: serde_json::to_string(document).expect("a document serializes"),
            updated_at: now.to_rfc3339(),
        };
        match self.app.store().db().await?.put_spec_draft(&record).await {
            Ok(()) => Ok(id),
            Err(StoreError::Conflict { .. }) => {
                Err(AppError::Forbidden(format!("the draft {id} is another institution's")))
            }
            Err(err) => Err(err.into()),
        }
    }

    /// Removes one of the institution's drafts (saved as a specification, or abandoned).
    pub async fn discard_spec_draft(&self, id: &str) -> Result<(), AppError> {
        self.app.store().db().await?.delete_spec_draft(id, self.institution.as_str()).await?;
        Ok(())
    }

    /// Adds a specification the institution issues, as a draft; the other awarding bodies it
    /// names are asked for their consent.
    pub async fn add_spec(&self, document: &SpecDocument, now: Timestamp) -> Result<(Spec, Added), AppError> {
        self.check_first_body(document)?;
        let added = self.app.add_spec(document, Some((&self.institution, now))).await?;
        // Saved as a specification, its unfinished draft (from whichever editor) goes.
        self.discard_spec_draft(&added.0.id().to_string()).await?;
        Ok(added)
    }

    /// Edits one of the institution's specifications; awarding bodies named anew are asked for
    /// their consent.
    pub async fn update_spec(
        &self,
        document: &SpecDocument,
        now: Timestamp,
    ) -> Result<(Spec, QualityReport), AppError> {
        if let Some(raw_id) = document.id.as_deref() {
            self.own_spec(raw_id).await?;
        }
        self.check_first_body(document)?;
        let updated = self.app.update_spec(document, Some((&self.institution, now))).await?;
        self.discard_spec_draft(&updated.0.id().to_string()).await?;
        Ok(updated)
    }

    /// Publishes one of the institution's specifications, once every other awarding body has
    /// accepted.
    pub async fn publish_spec(&self, raw_id: &str, now: Timestamp) -> Result<QualityReport, AppError> {
        self.own_spec(raw_id).await?;
        self.app.publish_spec(raw_id, true, now).await
    }

    /// Withdraws one of the institution's specifications from the catalogue.
    pub async fn withdraw_spec(&self, raw_id: &str) -> Result<(), AppError> {
        self.own_spec(raw_id).await?;
        self.app.withdraw_spec(raw_id).await
    }

    /// Issues a credential of one of the institution's published specifications.
    pub async fn issue(&self, request: &IssueRequest<'_>) -> Result<(IssuedCredential, Added), AppError> {
        self.own_spec(request.spec).await?;
        self.app.issue_credential(request).await
    }

    /// Checks a cohort and queues it for issuing, for one of the institution's specifications.
    pub async fn submit_cohort(&self, submission: CohortSubmission<'_>, now: Timestamp) -> Result<CohortJob, AppError> {
        let spec = self.own_spec(submission.spec).await?;
        self.app.submit_cohort(&self.institution, &spec, submission, now).await
    }

    /// Revokes, suspends or unsuspends one of the institution's credentials.
    pub async fn change_state(
        &self,
        id: &str,
        change: StateChange<'_>,
        now: Timestamp,
    ) -> Result<StatusChange, AppError> {
        self.credential(id).await?;
        match change {
            StateChange::Revoke(reason) => self.app.revoke_credential(id, reason, now).await,
            StateChange::Suspend => self.app.suspend_credential(id, now).await,
            StateChange::Unsuspend => self.app.unsuspend_credential(id, now).await,
        }
    }

    /// The answer remembered for one of the institution's idempotency keys. Only an issuer
    /// reaches it, so a replayed request is checked for the caller's role like a new one.
    pub async fn remembered_response(&self, key: &str) -> Result<Option<StoredResponse>, AppError> {
        Ok(self.app.store().db().await?.stored_response(self.institution.as_str(), key).await?)
    }

    /// Remembers the answer to an idempotent request; when another answer was remembered first
    /// (a concurrent request with the same key), that one is returned.
    pub async fn remember_response(
        &self,
        key: &str,
        response: &StoredResponse,
    ) -> Result<Option<StoredResponse>, AppError> {
        let institution = self.institution.as_str();
        let at = self.app.now().to_rfc3339();
        match self.app.store().db().await?.store_response(institution, key, response, &at).await? {
            true => Ok(None),
            false => Ok(self.app.store().db().await?.stored_response(institution, key).await?),
        }
    }
}

/// An admin of one institution: also manages its API tokens.
#[derive(Debug, Clone)]
pub struct AdminAccess<'a> {
    member: InstitutionAccess<'a>,
}

impl<'a> std::ops::Deref for AdminAccess<'a> {
    type Target = InstitutionAccess<'a>;

    /// An admin may read what every member may.
    fn deref(&self) -> &InstitutionAccess<'a> {
        &self.member
    }
}

impl<'a> AdminAccess<'a> {
    /// What an admin may do as an issuer.
    pub fn issuer(&self) -> IssuerAccess<'a> {
        IssuerAccess { member: self.member.clone() }
    }

    /// Makes an API token for the institution. The secret is in the answer only.
    pub async fn create_token(&self, role: Role, label: &str, now: Timestamp) -> Result<NewToken, AppError> {
        let token = new_token(self.member.app, Some((&self.member.institution, role)), label, now).await?;
        tracing::info!(token.id = %token.token.id, institution.id = %self.member.institution, role = role.as_str(), "API token created");
        Ok(token)
    }

    /// The institution's API tokens (without their secrets, which are not kept).
    pub async fn tokens(&self) -> Result<Vec<ApiToken>, AppError> {
        let records = self.member.app.store().db().await?.tokens(self.member.institution.as_str()).await?;
        records.into_iter().map(ApiToken::from_record).collect()
    }

    /// Revokes one of the institution's API tokens; it is refused from then on.
    pub async fn revoke_token(&self, id: &str, now: Timestamp) -> Result<ApiToken, AppError> {
        if !self.tokens().await?.iter().any(|token| token.id == id) {
            return Err(AppError::NotFound { what: "API token", id: id.to_owned() });
        }
        self.member.app.revoke_token(id, now).await
    }
}

/// The network's administrator: keeps the registry of accreditations and the trusted-issuer
/// list.
#[derive(Debug, Clone)]
pub struct NetworkAccess<'a> {
    app: &'a App,
    actor: String,
}

impl NetworkAccess<'_> {
    /// Who acts, for the registry's records.
    pub fn actor(&self) -> &str {
        &self.actor
    }

    pub(crate) fn app(&self) -> &App {
        self.app
    }
}

/// A signed-in learner: their own credentials and share links.
#[derive(Debug, Clone)]
pub struct LearnerAccess<'a> {
    app: &'a App,
    learner: Learner,
}

impl Operator<'_> {
    /// What a learner, named by email address, may do: the operator acts for them.
    pub async fn as_learner(&self, email: &str) -> Result<LearnerAccess<'_>, AppError> {
        let learner = self.learner_by_email(email).await?;
        Ok(LearnerAccess { app: self.app, learner })
    }
}

impl LearnerAccess<'_> {
    pub(crate) fn app(&self) -> &App {
        self.app
    }

    /// The learner.
    pub fn learner(&self) -> &Learner {
        &self.learner
    }

    /// The learner's credentials, oldest first.
    pub async fn credentials(&self) -> Result<Vec<IssuedCredential>, AppError> {
        self.app.credentials(None, Some(&self.learner.id().to_string()), None).await
    }

    /// One of the learner's credentials; another's answers as if it did not exist.
    pub async fn credential(&self, id: &str) -> Result<IssuedCredential, AppError> {
        let credential = self.app.credential(id).await?;
        match credential.learner_id() == self.learner.id() {
            true => Ok(credential),
            false => Err(AppError::NotFound { what: "credential", id: id.to_owned() }),
        }
    }

    /// Offers one of the learner's credentials to their wallet (OpenID4VCI).
    pub async fn offer_to_wallet(&self, id: &str, now: Timestamp) -> Result<crate::WalletOffer, AppError> {
        let credential = self.credential(id).await?;
        self.app.offer_to_wallet(&credential, now).await
    }
}

/// The operator: whoever runs the command line on the machine that holds the database. May do
/// everything; what a member may do, the operator does as that institution's admin.
#[derive(Debug, Clone, Copy)]
pub struct Operator<'a> {
    app: &'a App,
}

impl std::ops::Deref for Operator<'_> {
    type Target = App;

    /// The operator may do what anyone may.
    fn deref(&self) -> &App {
        self.app
    }
}

impl<'a> Operator<'a> {
    /// Acts for an institution as its admin.
    pub async fn acting_for(&self, raw_id: &str) -> Result<AdminAccess<'a>, AppError> {
        let institution = self.app.institution(raw_id).await?;
        let principal = Principal::member(institution.id().clone(), Role::Admin, "operator".to_owned());
        self.app.acting_as(&principal)?.admin()
    }

    /// The network administrator's use cases.
    pub fn network(&self) -> NetworkAccess<'a> {
        NetworkAccess { app: self.app, actor: "operator".to_owned() }
    }

    /// Issues a credential as the specification's issuing institution.
    pub async fn issue(&self, request: &IssueRequest<'_>) -> Result<(IssuedCredential, Added), AppError> {
        let spec = self.app.spec(request.spec).await?;
        self.acting_for(spec.issuer().as_str()).await?.issuer().issue(request).await
    }

    /// Revokes, suspends or unsuspends a credential as its issuing institution.
    pub async fn change_state(
        &self,
        id: &str,
        change: StateChange<'_>,
        now: Timestamp,
    ) -> Result<StatusChange, AppError> {
        let credential = self.app.credential(id).await?;
        self.acting_for(credential.institution_id().as_str()).await?.issuer().change_state(id, change, now).await
    }

    /// Adds a specification of any institution, as a draft; the operator speaks for every
    /// awarding body, so none is asked for consent.
    pub async fn add_spec(&self, document: &SpecDocument) -> Result<(Spec, Added), AppError> {
        self.app.add_spec(document, None).await
    }

    /// Edits any specification.
    pub async fn update_spec(&self, document: &SpecDocument) -> Result<(Spec, QualityReport), AppError> {
        self.app.update_spec(document, None).await
    }

    /// Publishes any specification whose quality check finds no errors; the operator speaks
    /// for every awarding body, so none is asked for consent.
    pub async fn publish_spec(&self, raw_id: &str, now: Timestamp) -> Result<QualityReport, AppError> {
        self.app.publish_spec(raw_id, false, now).await
    }

    /// Withdraws any specification from the catalogue.
    pub async fn withdraw_spec(&self, raw_id: &str) -> Result<(), AppError> {
        self.app.withdraw_spec(raw_id).await
    }

    /// Any specification, with whether it is published.
    pub async fn spec_with_publication(&self, raw_id: &str) -> Result<(Spec, Publication), AppError> {
        self.app.spec_with_publication(raw_id).await
    }

    /// Any issued credentials, of an institution, a learner and a specification when given.
    pub async fn credentials(
        &self,
        institution: Option<&InstitutionId>,
        learner: Option<&str>,
        spec: Option<&str>,
    ) -> Result<Vec<IssuedCredential>, AppError> {
        self.app.credentials(institution, learner, spec).await
    }

    /// Issues a specification to every row of a cohort file, as [`App::issue_cohort`] does.
    pub async fn issue_cohort(
        &self,
        request: &IssueRequest<'_>,
        rows: &[(usize, crate::CohortRow)],
        on_row: &mut (dyn FnMut(crate::CohortEvent<'_>) + Send),
    ) -> Result<crate::CohortSummary, AppError> {
        self.app.issue_cohort(request, rows, on_row).await
    }

    /// Any issued credential.
    pub async fn credential(&self, id: &str) -> Result<IssuedCredential, AppError> {
        self.app.credential(id).await
    }

    /// Adds a staff member who signs in with `password`: a member of an institution with a role
    /// there, or (with `None`) the network's administrator.
    pub async fn add_staff(
        &self,
        member: Option<(&str, Role)>,
        email: &str,
        name: &str,
        password: &str,
        now: Timestamp,
    ) -> Result<Staff, AppError> {
        let institution = match member {
            Some((institution, _)) => Some(self.app.institution(institution).await?),
            None => None,
        };
        let member = institution.as_ref().zip(member).map(|(institution, (_, role))| (institution.id(), role));
        let record = new_staff(self.app.new_id(), member, email, name, password, now)?;
        match self.app.store().db().await?.insert_staff(&record).await {
            Err(StoreError::Conflict { .. }) => {
                return Err(AppError::Conflict(format!("a staff member with email {} already exists", record.email)));
            }
            other => other?,
        }
        tracing::info!(staff.id = %record.id, institution.id = ?record.institution_id, "staff member added");
        Staff::from_record(&record)
    }

    /// The staff member with this email address, when there is one.
    pub async fn staff_by_email(&self, email: &str) -> Result<Option<Staff>, AppError> {
        let record = self.app.store().db().await?.staff_by_email(email).await?;
        record.as_ref().map(Staff::from_record).transpose()
    }

    /// Makes an API token for the network's administrator. The secret is in the answer only.
    pub async fn create_network_token(&self, label: &str, now: Timestamp) -> Result<NewToken, AppError> {
        let token = new_token(self.app, None, label, now).await?;
        tracing::info!(token.id = %token.token.id, "network administrator's API token created");
        Ok(token)
    }

    /// The network administrator's API tokens.
    pub async fn network_tokens(&self) -> Result<Vec<ApiToken>, AppError> {
        let records = self.app.store().db().await?.network_tokens().await?;
        records.into_iter().map(ApiToken::from_record).collect()
    }

    /// Revokes any API token.
    pub async fn revoke_token(&self, id: &str, now: Timestamp) -> Result<ApiToken, AppError> {
        self.app.revoke_token(id, now).await
    }
}

/// The most unfinished specification drafts an institution keeps.
pub const MAX_SPEC_DRAFTS: u64 = 100;

/// A stored draft's document.
fn read_draft(draft: &mc_store::SpecDraftRecord) -> Result<SpecDocument, AppError> {
    serde_json::from_str(&draft.document).map_err(|err| damaged_draft(draft, err))
}

fn damaged_draft(draft: &mc_store::SpecDraftRecord, detail: impl ToString) -> AppError {
    AppError::Store(StoreError::Corrupt {
        what: "specification draft",
        id: draft.id.clone(),
        detail: detail.to_string(),
    })
}

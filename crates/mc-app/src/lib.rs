//! microcred's use cases, shared by the command line and the HTTP server, taking documents and
//! returning domain values or an [`AppError`]. What anyone may do (search the catalogue, verify,
//! read published documents, sign in) is a method of [`App`]; everything else is reached through
//! the handle of a principal (`handles`): [`App::acting_as`], [`App::network_admin`],
//! [`App::learner_access`], and the command line's [`App::operator`].
//!
//! This crate knows neither HTTP nor the command line, and reads no files: callers hand it
//! text and documents.

#![warn(missing_docs)]

mod access;
pub mod adapters;
mod badges;
mod catalogue;
mod clock;
mod cohort;
mod consents;
mod demo;
mod error;
mod exchange;
mod formats;
mod handles;
mod issue;
mod jobs;
mod keys;
mod mail;
mod pathways;
mod recognition;
mod recognition_requests;
mod records;
mod registry;
mod seals;
mod sharing;
mod skills;
mod status;
mod verification;
mod wallet;

use std::sync::Arc;

use mc_core::{
    Email, Institution, InstitutionId, Invalid, Learner, LearnerId, Problem, Spec, SpecId,
    wire::{InstitutionDocument, LearnerDocument, SpecDocument},
};
use mc_store::{Store, StoreError};

pub use mc_store::{AuditBreak, AuditEntry, StoredResponse, redact};
pub use mc_vc::verify::{TrustList, TrustListEntry};

pub use crate::{
    access::{
        FREE_FAILURES, FREE_FAILURES_PER_CLIENT, IDEMPOTENCY_DAYS, MAX_CLIENT_WAIT_SECONDS, MAX_SHARE_DAYS,
        MAX_WAIT_SECONDS, NewSession, NewToken, Principal, Role, SESSION_SECONDS, SIGN_IN_LINK_SECONDS, SessionUser,
        StateChange, secret_hash,
    },
    badges::{BadgeImage, MAX_SPEC_IMAGE_BYTES},
    catalogue::{CatalogueRead, CatalogueSpec, Publication},
    clock::Clock,
    cohort::{CohortEvent, CohortRow, CohortSummary, parse_cohort},
    consents::{Consent, ConsentState},
    demo::{DEMO_NETWORK_ADMIN, DEMO_PASSWORD, DemoSignIn, DemoSummary, demo_award_parts, demo_learner_email},
    error::AppError,
    exchange::{ImportedSpec, MAX_IMPORT_ENTRIES, RejectedEntry, SpecFormat, SpecImport},
    formats::{Format, parse_document},
    handles::{AdminAccess, InstitutionAccess, IssuerAccess, LearnerAccess, MAX_SPEC_DRAFTS, NetworkAccess, Operator},
    issue::{CredentialParts, IssueRequest, IssuedCredential, LearnerRef},
    jobs::{CohortJob, CohortSubmission, JobState, MAX_JOB_ROWS, RejectedRow},
    keys::{IssuerIdentity, KeyStore, KeyVault, identity},
    mail::Mailer,
    pathways::{PathwayStanding, StackedCredential, StoredPathway, Suggestion},
    recognition::{Decision, DecisionMade, StoredAgreement, agreement_json, grant_words, recognition_json},
    recognition_requests::{
        MAX_OPEN_REQUESTS, MAX_REQUEST_CREDENTIAL_BYTES, MAX_REQUEST_NOTE_CHARS, RecognitionRequest, RequestAnswer,
        RequestedCredential,
    },
    records::{ApiToken, Holder, Session, ShareLink, Staff},
    registry::{Accreditation, AccreditationDocument, AccreditationStatus, TrustImport},
    seals::SealInfo,
    sharing::MAX_SHARED,
    skills::{SkillChoice, read_esco_skills},
    status::{StatusChange, TokenSigner},
    verification::{Budgeted, LocalMaterial, OnlineResolver, Verifier},
    wallet::{
        AccessToken, Authorization, OFFER_MINUTES, OPEN_BADGE_CONFIGURATION, PRE_AUTHORIZED_GRANT,
        SD_JWT_CONFIGURATION, TokenRequest, WalletError, WalletErrorCode, WalletOffer,
    },
};

/// Whether an add stored something new or found the same thing already stored.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Added {
    /// Stored now.
    New,
    /// Already stored, identical; nothing changed.
    Unchanged,
}

/// Where this microcred is reached from outside when none is configured: status lists and
/// other published documents get URLs under it.
pub const DEFAULT_PUBLIC_URL: &str = "http://127.0.0.1:8080";

/// The application: the store and the use cases over it.
#[derive(Debug, Clone)]
pub struct App {
    store: Store,
    clock: Clock,
    /// Turns for password checks on the blocking threads: a burst of sign-ins waits here
    /// instead of filling the blocking pool.
    hashing: Arc<tokio::sync::Semaphore>,
    keys: Option<Arc<dyn KeyStore>>,
    public_url: String,
    signed_lists: Arc<status::SignedLists>,
    /// The `did:web` documents of this microcred's institutions, with the keys fingerprint
    /// they were made at.
    did_cache: Arc<std::sync::Mutex<keys::DidCache>>,
    /// The catalogue index, shared by every request.
    catalogue_cache: Arc<catalogue::CatalogueCache>,
    /// The trusted-issuer list the verifier uses.
    trust_cache: Arc<registry::TrustCache>,
    /// How mails to learners leave.
    mailer: mail::Mailer,
}

impl App {
    /// Opens the database at `url` (`sqlite:…` or `postgres://…`), bringing its schema up to
    /// date, and makes the application over it, as [`App::new`] does.
    pub async fn open(url: &str) -> Result<App, AppError> {
        Ok(App::new(Store::open(url).await?))
    }

    /// An application over an opened store, with no key-encryption key (it cannot sign) and the
    /// default public URL.
    pub fn new(store: Store) -> App {
        App {
            store,
            clock: Clock::System,
            hashing: Arc::new(tokio::sync::Semaphore::new(
                std::thread::available_parallelism().map_or(2, std::num::NonZero::get),
            )),
            keys: None,
            public_url: DEFAULT_PUBLIC_URL.to_owned(),
            signed_lists: Arc::default(),
            did_cache: Arc::default(),
            catalogue_cache: Arc::default(),
            trust_cache: Arc::default(),
            mailer: mail::Mailer::Log,
        }
    }

    /// The application with a key-encryption key, so that it can make and use issuer keys
    /// sealed in the database.
    pub fn with_vault(self, vault: KeyVault) -> App {
        self.with_key_store(Arc::new(vault))
    }

    /// The application with issuer keys held by `keys` (a key-management service, say).
    pub fn with_key_store(self, keys: Arc<dyn KeyStore>) -> App {
        App { keys: Some(keys), ..self }
    }

    /// The application published at `url` (no trailing slash needed).
    pub fn with_public_url(self, url: &str) -> App {
        App { public_url: url.trim_end_matches('/').to_owned(), ..self }
    }

    /// The application reading the time and making ids from `clock`.
    pub fn with_clock(self, clock: Clock) -> App {
        App { clock, ..self }
    }

    /// The time now, by the application's clock.
    pub fn now(&self) -> mc_core::Timestamp {
        self.clock.now()
    }

    /// A fresh id, made by the application's clock.
    pub(crate) fn new_id(&self) -> uuid::Uuid {
        self.clock.new_id()
    }

    /// The URL this microcred is published at.
    pub fn public_url(&self) -> &str {
        &self.public_url
    }

    /// The store: only the use cases reach it.
    pub(crate) fn store(&self) -> &Store {
        &self.store
    }

    /// Closes the store's connections, waiting for those in use.
    pub async fn close(&self) {
        self.store().close().await;
    }

    /// Every institution, by id.
    pub async fn institutions(&self) -> Result<Vec<Institution>, AppError> {
        Ok(self.store().db().await?.institutions().await?)
    }

    /// The institution with the id `raw_id`.
    pub async fn institution(&self, raw_id: &str) -> Result<Institution, AppError> {
        let id = InstitutionId::parse(raw_id).map_err(|err| AppError::invalid_argument("institution id", err))?;
        self.store()
            .db()
            .await?
            .institution(&id)
            .await?
            .ok_or_else(|| AppError::NotFound { what: "institution", id: raw_id.into() })
    }

    /// A specification as `viewer` may see it: a member of one of its awarding bodies sees it
    /// as a draft too (to consent to it); anyone else sees it only once published, and a draft
    /// answers `NotFound`.
    pub async fn visible_spec(
        &self,
        viewer: Option<&Principal>,
        raw_id: &str,
    ) -> Result<(Spec, catalogue::Publication), AppError> {
        let (spec, publication) = self.spec_with_publication(raw_id).await?;
        let own = viewer
            .and_then(Principal::membership)
            .is_some_and(|(institution, _)| spec.awarding_bodies().contains(institution));
        match own || publication != catalogue::Publication::Draft {
            true => Ok((spec, publication)),
            false => Err(AppError::NotFound { what: "specification", id: raw_id.into() }),
        }
    }

    /// The specifications `viewer` may see, by issuer and title: every published one, and the
    /// drafts naming the viewer's institution as an awarding body.
    pub async fn visible_specs(&self, viewer: Option<&Principal>) -> Result<Vec<Spec>, AppError> {
        let published: std::collections::HashSet<SpecId> =
            self.store().db().await?.published_specs().await?.into_iter().map(|(spec, _)| spec.id()).collect();
        let own = viewer.and_then(Principal::membership).map(|(institution, _)| institution);
        let mut specs = self.all_specs().await?;
        specs.retain(|spec| {
            published.contains(&spec.id()) || own.is_some_and(|own| spec.awarding_bodies().contains(own))
        });
        Ok(specs)
    }

    /// Every specification, drafts included, by issuer and title.
    pub(crate) async fn all_specs(&self) -> Result<Vec<Spec>, AppError> {
        Ok(self.store().db().await?.specs().await?)
    }

    /// The specification with the id `raw_id`, draft or not.
    pub(crate) async fn spec(&self, raw_id: &str) -> Result<Spec, AppError> {
        let id = SpecId::parse(raw_id).map_err(|err| AppError::invalid_argument("specification id", err))?;
        self.store()
            .db()
            .await?
            .spec(id)
            .await?
            .ok_or_else(|| AppError::NotFound { what: "specification", id: raw_id.into() })
    }

    /// Adds a micro-credential specification, as a draft; a document without an id gets a new
    /// one. Adding the same specification again changes nothing; another one with the same id is
    /// a conflict. When a member adds it (`asking` names its institution and the time), every
    /// other awarding body is asked for its consent in the same transaction.
    pub(crate) async fn add_spec(
        &self,
        document: &SpecDocument,
        asking: Option<(&InstitutionId, mc_core::Timestamp)>,
    ) -> Result<(Spec, Added), AppError> {
        let spec = document.parse(SpecId::from_uuid(self.new_id()))?;
        self.check_awarding_bodies(&spec).await?;
        let mut tx = self.store().begin().await?;
        if let Some(stored) = tx.db().spec(spec.id()).await? {
            return match stored == spec {
                true => Ok((stored, Added::Unchanged)),
                false => Err(AppError::Conflict(format!(
                    "a different specification with id {} already exists; it was left unchanged",
                    spec.id()
                ))),
            };
        }
        tx.db().insert_spec(&spec).await?;
        if let Some((requester, now)) = asking {
            App::ask_consents(&mut tx, &spec, requester, false, now).await?;
        }
        tx.commit().await?;
        tracing::info!(spec.id = %spec.id(), institution.id = %spec.issuer(), "specification added");
        Ok((spec, Added::New))
    }

    /// Refuses a specification whose awarding bodies are not all registered.
    async fn check_awarding_bodies(&self, spec: &Spec) -> Result<(), AppError> {
        let mut problems = Vec::new();
        for (idx, body) in spec.awarding_bodies().iter().enumerate() {
            if self.store().db().await?.institution(body).await?.is_none() {
                problems.push(Problem {
                    field: format!("awarding_bodies[{idx}]"),
                    message: format!("no institution with id {:?} is registered", body.as_str()),
                });
            }
        }
        Invalid::from_problems(problems).map_or(Ok(()), |invalid| Err(invalid.into()))
    }
}

/// What only the operator does: registering institutions and learners, and reading them all.
impl Operator<'_> {
    /// Registers an institution. Adding the same institution again changes nothing; another
    /// institution with the same id, legal identifier or DID is a conflict.
    pub async fn add_institution(&self, document: &InstitutionDocument) -> Result<(Institution, Added), AppError> {
        let institution = document.parse()?;
        let mut tx = self.store().begin().await?;
        if let Some(stored) = tx.db().institution(institution.id()).await? {
            return match stored == institution {
                true => Ok((stored, Added::Unchanged)),
                false => Err(AppError::Conflict(format!(
                    "institution {} already exists with other details; it was left unchanged",
                    institution.id()
                ))),
            };
        }
        match tx.db().insert_institution(&institution).await {
            Ok(()) => {}
            Err(StoreError::Conflict { column: Some("legal_identifier"), .. }) => {
                return Err(AppError::Conflict(format!(
                    "another institution already has the legal identifier {:?}",
                    institution.legal_identifier()
                )));
            }
            Err(StoreError::Conflict { column: Some("did"), .. }) => {
                return Err(AppError::Conflict(format!(
                    "another institution already issues as {}",
                    institution.did().map_or("", |did| did.as_str())
                )));
            }
            Err(err) => return Err(err.into()),
        }
        tx.commit().await?;
        tracing::info!(institution.id = %institution.id(), "institution added");
        Ok((institution, Added::New))
    }

    /// Registers a learner; a document without an id gets a new one. The email address must
    /// not belong to another learner.
    pub async fn add_learner(&self, document: &LearnerDocument) -> Result<Learner, AppError> {
        let learner = document.parse(LearnerId::from_uuid(self.new_id()))?;
        let mut tx = self.store().begin().await?;
        if tx.db().learner_by_email(learner.email()).await?.is_some() {
            return Err(AppError::Conflict(format!("a learner with email {} already exists", learner.email())));
        }
        tx.db().insert_learner(&learner).await?;
        tx.commit().await?;
        tracing::info!(learner.id = %learner.id(), "learner added");
        Ok(learner)
    }

    /// Every learner, by name.
    pub async fn learners(&self) -> Result<Vec<Learner>, AppError> {
        Ok(self.store().db().await?.learners().await?)
    }

    /// Stores and publishes many specifications at once, in transactions of up to 5,000; those
    /// already stored are published as they are. For loading generated catalogues: the quality
    /// check is not run.
    pub async fn store_published(&self, specs: &[Spec], now: mc_core::Timestamp) -> Result<(), AppError> {
        for chunk in specs.chunks(5_000) {
            let mut tx = self.store().begin().await?;
            for spec in chunk {
                if tx.db().spec(spec.id()).await?.is_none() {
                    tx.db().insert_spec(spec).await?;
                }
                tx.db().set_published(spec.id(), Some(now.unix_seconds())).await?;
            }
            tx.commit().await?;
        }
        Ok(())
    }

    /// Every specification, drafts included, by issuer and title.
    pub async fn specs(&self) -> Result<Vec<Spec>, AppError> {
        self.all_specs().await
    }

    /// The specification with the id `raw_id`, draft or not.
    pub async fn spec(&self, raw_id: &str) -> Result<Spec, AppError> {
        App::spec(self, raw_id).await
    }

    /// Version `version` of the specification with the id `raw_id`, as it was saved.
    pub async fn spec_version(&self, raw_id: &str, version: u32) -> Result<Spec, AppError> {
        let id = SpecId::parse(raw_id).map_err(|err| AppError::invalid_argument("specification id", err))?;
        let found = self.store.db().await?.spec_version(id, version).await?;
        found.ok_or_else(|| AppError::NotFound {
            what: "specification version",
            id: format!("{raw_id} version {version}"),
        })
    }

    /// The learner with the email address `raw_email`.
    pub async fn learner_by_email(&self, raw_email: &str) -> Result<Learner, AppError> {
        let email = Email::parse(raw_email).map_err(|err| AppError::invalid_argument("email", err))?;
        self.store
            .db()
            .await?
            .learner_by_email(&email)
            .await?
            .ok_or_else(|| AppError::NotFound { what: "learner", id: raw_email.into() })
    }
}

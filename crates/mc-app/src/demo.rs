//! The demo data set: institutions from four countries, fifteen micro-credential
//! specifications across fields and EQF levels 4 to 8, fifty learners, and two recognition
//! agreements between the institutions.

use mc_core::{
    Institution, Learner, LearnerId, Spec, SpecId, Timestamp,
    wire::{InstitutionDocument, LearnerDocument, SpecDocument},
};

use crate::{AccreditationDocument, AppError, Operator, registry::local_trust_record};

const INSTITUTIONS: &str = include_str!("../demo/institutions.json");
const SPECS: &str = include_str!("../demo/specs.json");
const LEARNERS: &str = include_str!("../demo/learners.json");
const ACCREDITATIONS: &str = include_str!("../demo/accreditations.json");
/// The demo's recognition agreements: the alliance of the four institutions, and a bilateral one.
const AGREEMENTS: [&str; 2] =
    [include_str!("../demo/agreement-alliance.toml"), include_str!("../demo/agreement-bilateral.toml")];
/// The demo's stacking pathways: one the demo learner completed, one still in progress.
const PATHWAYS: [&str; 2] =
    [include_str!("../demo/pathway-public-management.toml"), include_str!("../demo/pathway-data-sustainability.toml")];

/// What loading the demo data did.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct DemoSummary {
    /// Institutions added now.
    pub institutions_added: usize,
    /// Specifications added now.
    pub specs_added: usize,
    /// Learners added now.
    pub learners_added: usize,
    /// Records that were already there and were left as they are.
    pub already_present: usize,
}

impl Operator<'_> {
    /// Loads the demo data set in one transaction: institutions (accredited, and on the
    /// trusted-issuer list), published specifications, and learners. Running it again adds
    /// nothing: records are matched by institution id, specification id and learner email.
    pub async fn load_demo(&self, now: Timestamp) -> Result<DemoSummary, AppError> {
        let institutions: Vec<InstitutionDocument> = demo_documents(INSTITUTIONS, "institutions")?;
        let specs: Vec<SpecDocument> = demo_documents(SPECS, "specs")?;
        let learners: Vec<LearnerDocument> = demo_documents(LEARNERS, "learners")?;
        let accreditations: Vec<AccreditationDocument> = demo_documents(ACCREDITATIONS, "accreditations")?;

        let mut summary = DemoSummary::default();
        let mut tx = self.store().begin().await?;
        for document in &institutions {
            let institution = document.parse()?;
            match tx.db().institution(institution.id()).await? {
                Some(_) => summary.already_present += 1,
                None => {
                    tx.db().insert_institution(&institution).await?;
                    summary.institutions_added += 1;
                    let id = institution.id().as_str();
                    tx.db().put_trusted_issuer(&local_trust_record(&institution, now)).await?;
                    for facts in accreditations.iter().filter(|facts| facts.institution == id) {
                        tx.db().put_accreditation(&facts.record("demo", now)).await?;
                    }
                }
            }
        }
        for document in &specs {
            let spec = document.parse(SpecId::from_uuid(self.new_id()))?;
            // Their skills, by their ESCO names, for the specification form's picker.
            let skills: Vec<mc_store::SkillRecord> = spec
                .learning_outcomes()
                .iter()
                .filter_map(|outcome| Some((outcome.skill()?, outcome.skill_name()?)))
                .flat_map(|(uri, names)| {
                    names.iter().map(move |(language, name)| mc_store::SkillRecord {
                        uri: uri.as_str().to_owned(),
                        language: language.to_string(),
                        label: name.to_owned(),
                    })
                })
                .collect();
            tx.db().put_skills(&skills).await?;
            match tx.db().spec(spec.id()).await? {
                Some(_) => summary.already_present += 1,
                None => {
                    tx.db().insert_spec(&spec).await?;
                    tx.db().set_published(spec.id(), Some(now.unix_seconds())).await?;
                    summary.specs_added += 1;
                }
            }
        }
        for document in &learners {
            let learner = document.parse(LearnerId::from_uuid(self.new_id()))?;
            match tx.db().learner_by_email(learner.email()).await? {
                Some(_) => summary.already_present += 1,
                None => {
                    tx.db().insert_learner(&learner).await?;
                    summary.learners_added += 1;
                }
            }
        }
        tx.commit().await?;
        tracing::debug!(?summary, "demo data loaded");
        Ok(summary)
    }
}

/// The password of every demo staff account. It is printed by `serve --demo`: demo data only.
pub const DEMO_PASSWORD: &str = "microcred-demo";

/// The demo network administrator's sign-in address.
pub const DEMO_NETWORK_ADMIN: &str = "registry@network.example";

/// A demo account someone can sign in with.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DemoSignIn {
    /// Whose account it is, in words: the institution it acts for and its role.
    pub account: String,
    /// The email address to sign in with.
    pub email: String,
}

impl Operator<'_> {
    /// Stores the demo's recognition agreements, signed by every party, and its stacking
    /// pathways, unless stored already.
    pub async fn load_demo_agreements(&self, now: mc_core::Timestamp) -> Result<(), AppError> {
        for text in PATHWAYS {
            let document: mc_core::stacking::PathwayDocument = crate::parse_document(text, crate::Format::Toml)?;
            let id = document.id.clone().unwrap_or_default();
            if self.store().db().await?.pathway(&id).await?.is_none() {
                self.add_pathway(&document, "demo", now).await?;
            }
        }
        for text in AGREEMENTS {
            let document: mc_core::recognition::AgreementDocument = crate::parse_document(text, crate::Format::Toml)?;
            let id = document.id.clone().unwrap_or_default();
            if self.store().db().await?.agreement(&id, None).await?.is_some() {
                continue;
            }
            let stored = self.add_agreement(&document, "demo", now).await?;
            for party in &stored.agreement.parties {
                self.sign_agreement(&id, party.as_str(), &format!("Demo staff, {party}"), now).await?;
            }
        }
        Ok(())
    }

    /// Gives every demo institution that has no seal a test seal, for European Digital
    /// Credentials, and names it on the trusted-issuer list. Needs an issuer key store.
    pub async fn load_demo_seals(&self, now: mc_core::Timestamp) -> Result<(), AppError> {
        let institutions: Vec<InstitutionDocument> = demo_documents(INSTITUTIONS, "institutions")?;
        for id in institutions.iter().filter_map(|document| document.id.as_deref()) {
            if self.store().db().await?.seal_key(id).await?.is_none() {
                let seal = self.make_test_seal(id, now).await?;
                self.network().trust_institution(id, &[seal.fingerprint], now).await?;
            }
        }
        Ok(())
    }

    /// Adds a staff account (role admin, password [`DEMO_PASSWORD`]), a recognition officer
    /// account (`officer@…`, same password) and a test seal (named on
    /// the trusted-issuer list) to every demo institution, the recognition agreements, and issues two credentials to the
    /// first demo learner so that the learner space has something to show, the second also as
    /// a European Digital Credential. Nothing is added twice. Needs the demo data and an issuer key store.
    pub async fn load_demo_accounts(&self, now: mc_core::Timestamp) -> Result<Vec<DemoSignIn>, AppError> {
        let institutions: Vec<InstitutionDocument> = demo_documents(INSTITUTIONS, "institutions")?;
        let mut sign_ins = Vec::new();
        for document in &institutions {
            let id = document.id.clone().unwrap_or_default();
            let email = format!("staff@{id}.example");
            if self.staff_by_email(&email).await?.is_none() {
                let name = "Demo staff".to_owned();
                self.add_staff(Some((&id, crate::Role::Admin)), &email, &name, DEMO_PASSWORD, now).await?;
            }
            sign_ins.push(DemoSignIn { account: format!("{id}, administrator"), email });
            let officer = format!("officer@{id}.example");
            if self.staff_by_email(&officer).await?.is_none() {
                let name = "Demo recognition officer".to_owned();
                self.add_staff(Some((&id, crate::Role::RecognitionOfficer)), &officer, &name, DEMO_PASSWORD, now)
                    .await?;
            }
            sign_ins.push(DemoSignIn { account: format!("{id}, recognition officer"), email: officer });
        }
        self.load_demo_seals(now).await?;
        self.load_demo_agreements(now).await?;
        if self.staff_by_email(DEMO_NETWORK_ADMIN).await?.is_none() {
            self.add_staff(None, DEMO_NETWORK_ADMIN, "Demo network administrator", DEMO_PASSWORD, now).await?;
        }
        sign_ins.push(DemoSignIn { account: "the network's administrator".into(), email: DEMO_NETWORK_ADMIN.into() });
        let specs: Vec<SpecDocument> = demo_documents(SPECS, "specs")?;
        let learners: Vec<LearnerDocument> = demo_documents(LEARNERS, "learners")?;
        let learner = learners[0].email.clone().unwrap_or_default();
        // The second credential is also a European Digital Credential, sealed with the test seal.
        // The first, graded, is recognised by Roccalba under the alliance's statistics rule.
        let awards = [(mc_core::CredentialFormat::OpenBadges, Some("9")), (mc_core::CredentialFormat::Both, None)];
        for (spec, (format, grade)) in specs.iter().zip(awards) {
            let request = crate::IssueRequest {
                spec: spec.id.as_deref().unwrap_or_default(),
                learner: crate::LearnerRef::IdOrEmail(&learner),
                suite: mc_vc::proof::Suite::EddsaRdfc2022,
                format,
                cohort_key: Some("demo"),
                idempotency_key: None,
                grade,
                now,
            };
            self.issue(&request).await?;
        }
        Ok(sign_ins)
    }
}

/// The email address of the demo learner who holds credentials after
/// [`Operator::load_demo_accounts`].
pub fn demo_learner_email() -> Result<String, AppError> {
    let learners: Vec<LearnerDocument> = demo_documents(LEARNERS, "learners")?;
    Ok(learners[0].email.clone().unwrap_or_default())
}

/// The demo documents of one kind, as a list.
fn demo_documents<T: serde::de::DeserializeOwned>(text: &str, what: &'static str) -> Result<Vec<T>, AppError> {
    serde_json::from_str(text).map_err(|err| AppError::Parse { format: "JSON", message: format!("demo {what}: {err}") })
}

/// The first demo specification with its issuing institution, and the first demo learner: the
/// inputs of the credential benchmarks.
pub fn demo_award_parts() -> Result<(Spec, Institution, Learner), AppError> {
    let specs: Vec<SpecDocument> = demo_documents(SPECS, "specs")?;
    let institutions: Vec<InstitutionDocument> = demo_documents(INSTITUTIONS, "institutions")?;
    let learners: Vec<LearnerDocument> = demo_documents(LEARNERS, "learners")?;
    let spec = specs[0].parse(SpecId::from_uuid(uuid::Uuid::nil()))?;
    let institution = institutions
        .iter()
        .map(InstitutionDocument::parse)
        .find(|institution| institution.as_ref().is_ok_and(|it| it.id() == spec.issuer()))
        .expect("the first demo specification's issuer is a demo institution")?;
    let learner = learners[0].parse(LearnerId::from_uuid(uuid::Uuid::nil()))?;
    Ok((spec, institution, learner))
}

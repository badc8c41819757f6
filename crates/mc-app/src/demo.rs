//! The demo data set: institutions from four countries, fifteen micro-credential
//! specifications across fields and EQF levels 4 to 8, and fifty learners.

use mc_core::{
    Institution, Learner, LearnerId, Spec, SpecId,
    wire::{InstitutionDocument, LearnerDocument, SpecDocument},
};

use crate::{App, AppError};

const INSTITUTIONS: &str = include_str!("../demo/institutions.json");
const SPECS: &str = include_str!("../demo/specs.json");
const LEARNERS: &str = include_str!("../demo/learners.json");

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

impl App {
    /// Loads the demo data set in one transaction. Running it again adds nothing: records are
    /// matched by institution id, specification id and learner email.
    pub async fn load_demo(&self) -> Result<DemoSummary, AppError> {
        let institutions: Vec<InstitutionDocument> = demo_documents(INSTITUTIONS, "institutions")?;
        let specs: Vec<SpecDocument> = demo_documents(SPECS, "specs")?;
        let learners: Vec<LearnerDocument> = demo_documents(LEARNERS, "learners")?;

        let mut summary = DemoSummary::default();
        let mut tx = self.store().begin().await?;
        for document in &institutions {
            let institution = document.parse()?;
            match tx.institution(institution.id()).await? {
                Some(_) => summary.already_present += 1,
                None => {
                    tx.insert_institution(&institution).await?;
                    summary.institutions_added += 1;
                }
            }
        }
        for document in &specs {
            let spec = document.parse(SpecId::from_uuid(uuid::Uuid::now_v7()))?;
            match tx.spec(spec.id()).await? {
                Some(_) => summary.already_present += 1,
                None => {
                    tx.insert_spec(&spec).await?;
                    summary.specs_added += 1;
                }
            }
        }
        for document in &learners {
            let learner = document.parse(LearnerId::from_uuid(uuid::Uuid::now_v7()))?;
            match tx.learner_by_email(learner.email()).await? {
                Some(_) => summary.already_present += 1,
                None => {
                    tx.insert_learner(&learner).await?;
                    summary.learners_added += 1;
                }
            }
        }
        tx.commit().await?;
        tracing::debug!(?summary, "demo data loaded");
        Ok(summary)
    }
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

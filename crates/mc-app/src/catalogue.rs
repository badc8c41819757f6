//! The quality check, publication, and the catalogue of published specifications: the
//! in-memory index is rebuilt when the store's catalogue counter says another process (or
//! this one) published, withdrew or edited a specification.

use std::{collections::HashMap, sync::Arc};

use mc_catalogue::{Catalogue, Entry, InstitutionFacts, Query, SearchResult};
use mc_core::{
    Institution, Invalid, LangMap, LanguageTag, Problem, Spec, SpecId, Timestamp,
    quality::{self, QualityReport, Severity},
    wire::SpecDocument,
};
use mc_store::Counter;

use crate::Accreditation;

use crate::{App, AppError};

/// The catalogue index with the counter value it was built at.
pub(crate) type CatalogueCache = tokio::sync::Mutex<Option<(i64, Arc<Catalogue>)>>;

/// A published specification as the catalogue shows it.
#[derive(Debug, Clone)]
pub struct CatalogueSpec {
    /// The specification.
    pub spec: Spec,
    /// Its awarding bodies.
    pub institutions: Vec<Institution>,
    /// Their accreditation facts, where the registry has them.
    pub accreditations: Vec<Accreditation>,
    /// Its quality report.
    pub report: QualityReport,
    /// When it was published, Unix seconds.
    pub published_at: i64,
    /// Where its credentials are recognised, under the agreements in force.
    pub recognitions: Vec<mc_core::recognition::Recognition>,
}

/// Whether a stored specification is listed in the catalogue.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Publication {
    /// Not listed yet.
    Draft,
    /// Listed since then (Unix seconds).
    Published(i64),
}

impl App {
    /// Checks a specification document against every framework; the awarding bodies'
    /// countries come from the institutions registered here.
    pub async fn check_spec(&self, document: &SpecDocument) -> Result<QualityReport, AppError> {
        let countries: HashMap<String, String> = self
            .institutions()
            .await?
            .into_iter()
            .map(|institution| (institution.id().as_str().to_owned(), institution.country().code().to_owned()))
            .collect();
        Ok(quality::check(document, &|id| countries.get(id).cloned()))
    }

    /// A stored specification, draft or not, with whether it is published.
    pub(crate) async fn spec_with_publication(&self, raw_id: &str) -> Result<(Spec, Publication), AppError> {
        let spec = self.spec(raw_id).await?;
        let publication = self.publication(&spec).await?;
        Ok((spec, publication))
    }

    /// The description of each of these specifications, for the catalogue's results to show
    /// under their titles; `None` for one without a description, or not published.
    pub async fn published_descriptions(&self, ids: &[SpecId]) -> Result<Vec<Option<LangMap>>, AppError> {
        let mut db = self.store().db().await?;
        let mut descriptions = Vec::with_capacity(ids.len());
        for id in ids {
            let spec = db.published_spec(*id).await?;
            descriptions.push(spec.and_then(|spec| spec.description().cloned()));
        }
        Ok(descriptions)
    }

    /// Whether a stored specification is published.
    pub(crate) async fn publication(&self, spec: &Spec) -> Result<Publication, AppError> {
        let published = self.store().db().await?.published_at(spec.id()).await?.flatten();
        Ok(published.map_or(Publication::Draft, Publication::Published))
    }

    /// Publishes a specification in the catalogue, once its quality check finds no errors.
    /// Publishing one that is already published changes nothing.
    /// With `consented`, every other awarding body must have accepted, checked in the
    /// publishing transaction.
    pub(crate) async fn publish_spec(
        &self,
        raw_id: &str,
        consented: bool,
        now: Timestamp,
    ) -> Result<QualityReport, AppError> {
        let id = SpecId::parse(raw_id).map_err(|err| AppError::invalid_argument("specification id", err))?;
        let spec = self.spec(raw_id).await?;
        let report = self.check_spec(&SpecDocument::from(&spec)).await?;
        refuse_errors(&report, "published")?;
        let mut tx = self.store().begin().await?;
        if consented {
            App::require_consents(&mut tx, &spec).await?;
        }
        if tx.db().published_at(id).await?.flatten().is_none() {
            tx.db().set_published(id, Some(now.unix_seconds())).await?;
            tx.commit().await?;
            tracing::info!(spec.id = %id, "specification published");
        }
        Ok(report)
    }

    /// Takes a specification out of the catalogue; its credentials stay valid.
    pub(crate) async fn withdraw_spec(&self, raw_id: &str) -> Result<(), AppError> {
        let spec = self.spec(raw_id).await?;
        let mut tx = self.store().begin().await?;
        if tx.db().published_at(spec.id()).await?.flatten().is_some() {
            tx.db().set_published(spec.id(), None).await?;
            tx.commit().await?;
            tracing::info!(spec.id = %spec.id(), "specification withdrawn from the catalogue");
        }
        Ok(())
    }

    /// Replaces a stored specification with a new version of its document (which names its
    /// id). A published specification stays published only if the new version has no quality
    /// errors; otherwise the edit is refused. Credentials already issued keep what they say.
    /// When a member edits it (`asking` names its institution and the time), awarding bodies
    /// named anew are asked for their consent, and a published specification cannot name one
    /// that has not accepted.
    pub(crate) async fn update_spec(
        &self,
        document: &SpecDocument,
        asking: Option<(&mc_core::InstitutionId, Timestamp)>,
    ) -> Result<(Spec, QualityReport), AppError> {
        let Some(raw_id) = document.id.as_deref() else {
            return Err(Invalid::from_problems(vec![Problem {
                field: "id".into(),
                message: "is required to edit a specification: it names the one to replace".into(),
            }])
            .expect("one problem")
            .into());
        };
        let (stored, publication) = self.spec_with_publication(raw_id).await?;
        let report = self.check_spec(document).await?;
        let spec = document.parse(stored.id())?;
        if publication != Publication::Draft {
            refuse_errors(&report, "kept in the catalogue")?;
        }
        self.check_awarding_bodies(&spec).await?;
        if spec != stored {
            let mut tx = self.store().begin().await?;
            tx.db().update_spec(&spec).await?;
            if let Some((requester, now)) = asking {
                let waiting = App::ask_consents(&mut tx, &spec, requester, true, now).await?;
                if publication != Publication::Draft && !waiting.is_empty() {
                    let names: Vec<String> = waiting.iter().map(ToString::to_string).collect();
                    return Err(AppError::Conflict(format!(
                        "specification {} is published with other awarding bodies, who agreed to it as it \
                         was: withdraw it to change it, and {} will be asked again",
                        spec.id(),
                        names.join(", ")
                    )));
                }
            }
            tx.commit().await?;
            tracing::info!(spec.id = %spec.id(), "specification edited");
        }
        Ok((spec, report))
    }

    /// Searches the catalogue of published specifications.
    pub async fn search_catalogue(&self, query: &Query) -> Result<SearchResult, AppError> {
        let catalogue = self.catalogue().await?;
        Ok(catalogue.search(query))
    }

    /// The catalogue index, rebuilt first when the published specifications changed.
    pub async fn catalogue(&self) -> Result<Arc<Catalogue>, AppError> {
        let version = self.store().db().await?.counter(Counter::Catalogue).await?;
        let mut cache = self.catalogue_cache.lock().await;
        if let Some((built_at, catalogue)) = cache.as_ref()
            && *built_at == version
        {
            return Ok(Arc::clone(catalogue));
        }
        let entries = self.catalogue_entries().await?;
        let catalogue = tokio::task::spawn_blocking(move || Arc::new(Catalogue::build(entries)))
            .await
            .unwrap_or_else(|err| std::panic::resume_unwind(err.into_panic()));
        tracing::info!(specs = catalogue.len(), version, "catalogue index built");
        *cache = Some((version, Arc::clone(&catalogue)));
        Ok(catalogue)
    }

    async fn catalogue_entries(&self) -> Result<Vec<Entry>, AppError> {
        let institutions: HashMap<String, Institution> = self
            .institutions()
            .await?
            .into_iter()
            .map(|institution| (institution.id().as_str().to_owned(), institution))
            .collect();
        let country_of = |id: &str| institutions.get(id).map(|institution| institution.country().code().to_owned());
        let published = self.store().db().await?.published_specs().await?;
        let agreements = self.agreements_in_force().await?;
        let in_force: Vec<_> = agreements.iter().map(crate::StoredAgreement::in_force).collect();
        let now = self.now();
        Ok(published
            .into_iter()
            .map(|(spec, published_at)| {
                let mut recognised_by: Vec<InstitutionFacts> = Vec::new();
                if !in_force.is_empty() {
                    for found in mc_core::recognition::recognitions_of(&spec, &in_force, now) {
                        if let Some(institution) = institutions.get(found.recognised_by.as_str())
                            && !recognised_by.iter().any(|known| known.id == found.recognised_by.as_str())
                        {
                            recognised_by.push(institution_facts(institution));
                        }
                    }
                }
                let labels = quality::check(&SpecDocument::from(&spec), &country_of).labels;
                let institutions = spec
                    .awarding_bodies()
                    .iter()
                    .filter_map(|id| institutions.get(id.as_str()))
                    .map(institution_facts)
                    .collect();
                Entry { spec, institutions, labels, published_at, recognised_by }
            })
            .collect())
    }

    /// A published specification with everything its catalogue page shows.
    pub async fn catalogue_spec(&self, raw_id: &str) -> Result<CatalogueSpec, AppError> {
        let not_found = || AppError::NotFound { what: "published specification", id: raw_id.into() };
        let (spec, publication) = self.spec_with_publication(raw_id).await.map_err(|err| match err {
            AppError::NotFound { .. } | AppError::InvalidArgument { .. } => not_found(),
            other => other,
        })?;
        let Publication::Published(published_at) = publication else {
            return Err(not_found());
        };
        let mut institutions = Vec::new();
        for id in spec.awarding_bodies() {
            institutions.push(self.institution(id.as_str()).await?);
        }
        let mut accreditations = self.accreditations().await?;
        accreditations.retain(|facts| spec.awarding_bodies().contains(&facts.institution));
        let report = self.check_spec(&SpecDocument::from(&spec)).await?;
        let agreements = self.agreements_in_force().await?;
        let in_force: Vec<_> = agreements.iter().map(crate::StoredAgreement::in_force).collect();
        let recognitions = mc_core::recognition::recognitions_of(&spec, &in_force, self.now());
        Ok(CatalogueSpec { spec, institutions, accreditations, report, published_at, recognitions })
    }
}

/// What the catalogue shows of an institution: its name in English when it has one.
pub(crate) fn institution_facts(institution: &Institution) -> InstitutionFacts {
    InstitutionFacts {
        id: institution.id().as_str().to_owned(),
        name: institution.name().best(&LanguageTag::parse("en").expect("en is a language tag")).to_owned(),
        country: institution.country().code().to_owned(),
    }
}

/// Refuses when the report has errors, listing them as problems of their fields.
fn refuse_errors(report: &QualityReport, doing: &str) -> Result<(), AppError> {
    let problems: Vec<Problem> = report
        .findings
        .iter()
        .filter(|finding| finding.severity == Severity::Error)
        .map(|finding| Problem {
            field: finding.field.clone(),
            message: format!("{} [{}]; fix: {}", finding.message, finding.rule, finding.fix),
        })
        .collect();
    match Invalid::from_problems(problems) {
        None => Ok(()),
        Some(invalid) => {
            tracing::info!("the specification cannot be {doing}: the quality check finds errors");
            Err(invalid.into())
        }
    }
}

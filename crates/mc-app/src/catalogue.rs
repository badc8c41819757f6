//! The quality check, publication, and the catalogue of published specifications: the
//! in-memory index is brought up to date, one specification at a time, when the store's
//! catalogue counter says another process (or this one) published, withdrew or edited one,
//! and built anew (page by page, while the index before it still answers) when an agreement
//! changed what is recognised.

use std::{
    collections::HashMap,
    sync::{
        Arc,
        atomic::{AtomicBool, Ordering},
    },
};

use mc_catalogue::{Catalogue, Entry, InstitutionFacts, Query, SearchResult};
use mc_core::{
    Institution, Invalid, LangMap, LanguageTag, Problem, Spec, SpecId, Timestamp,
    quality::{self, QualityReport, Severity},
    wire::SpecDocument,
};
use mc_store::Counter;
use tokio::sync::{OwnedRwLockReadGuard, RwLock};

use crate::{Accreditation, App, AppError, StoredAgreement};

/// The catalogue index, shared by every request, with the counter value it is up to date
/// with.
#[derive(Debug, Default)]
pub(crate) struct CatalogueCache {
    index: Arc<RwLock<Indexed>>,
    /// Held by the one task that brings the index up to date.
    updating: tokio::sync::Mutex<()>,
    /// Whether the index is being built anew: searches meanwhile read the index before it
    /// rather than wait.
    rebuilding: AtomicBool,
}

impl CatalogueCache {
    /// The index as it stands.
    async fn read(&self) -> CatalogueRead {
        let read = Arc::clone(&self.index).read_owned().await;
        CatalogueRead(OwnedRwLockReadGuard::map(read, |indexed| &indexed.catalogue))
    }
}

#[derive(Debug, Default)]
struct Indexed {
    /// The catalogue counter the index is up to date with; `None` before it is first built.
    version: Option<i64>,
    catalogue: Catalogue,
}

/// The catalogue index, read: updates wait until it is let go, so hold it no longer than a
/// few searches take, and do not ask for the catalogue again while holding it (a waiting
/// update would stand between the two).
#[derive(Debug)]
pub struct CatalogueRead(OwnedRwLockReadGuard<Indexed, Catalogue>);

impl std::ops::Deref for CatalogueRead {
    type Target = Catalogue;

    fn deref(&self) -> &Catalogue {
        &self.0
    }
}

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

    /// The catalogue index, brought up to date first with what the store holds.
    pub async fn catalogue(&self) -> Result<CatalogueRead, AppError> {
        let version = self.store().db().await?.counter(Counter::Catalogue).await?;
        let cache = &*self.catalogue_cache;
        let current = cache.index.read().await.version;
        let built = match current {
            Some(built) if built >= version => return Ok(cache.read().await),
            built => built.is_some(),
        };
        let updating = match cache.updating.try_lock() {
            Ok(updating) => updating,
            Err(_) if built && cache.rebuilding.load(Ordering::Acquire) => {
                // Building anew takes seconds: the index before it answers meanwhile.
                return Ok(cache.read().await);
            }
            Err(_) => cache.updating.lock().await,
        };
        let since = cache.index.read().await.version;
        match since {
            Some(since) if since >= version => {}
            Some(since) => match self.store().db().await?.catalogue_changes(since, version).await? {
                Some(changed) => self.apply_catalogue_changes(&changed, version).await?,
                None => self.rebuild_catalogue(version).await?,
            },
            None => self.rebuild_catalogue(version).await?,
        }
        drop(updating);
        Ok(cache.read().await)
    }

    /// Brings the index to `version` by reading again the specifications that changed.
    async fn apply_catalogue_changes(&self, changed: &[SpecId], version: i64) -> Result<(), AppError> {
        let published = self.store().db().await?.published_specs_among(changed).await?;
        let maker = EntryMaker::new(self).await?;
        // Thousands of changes (a process far behind) take a while to check and label.
        let entries = tokio::task::spawn_blocking(move || maker.entries(published))
            .await
            .unwrap_or_else(|err| std::panic::resume_unwind(err.into_panic()));
        let mut indexed = self.catalogue_cache.index.write().await;
        for id in changed {
            indexed.catalogue.remove(*id);
        }
        for entry in entries {
            indexed.catalogue.upsert(entry);
        }
        indexed.version = Some(version);
        tracing::debug!(changed = changed.len(), version, "catalogue index brought up to date");
        Ok(())
    }

    /// Builds the index anew at `version`: the published specifications are read a page at a
    /// time, parsed and made into entries on blocking threads, while another blocking thread
    /// indexes the pages before, so that neither every specification nor all their entries are
    /// ever in memory at once.
    async fn rebuild_catalogue(&self, version: i64) -> Result<(), AppError> {
        /// Says the rebuild is over however it ends.
        struct Rebuilding<'a>(&'a AtomicBool);
        impl Drop for Rebuilding<'_> {
            fn drop(&mut self) {
                self.0.store(false, Ordering::Release);
            }
        }
        self.catalogue_cache.rebuilding.store(true, Ordering::Release);
        let _rebuilding = Rebuilding(&self.catalogue_cache.rebuilding);
        let maker = Arc::new(EntryMaker::new(self).await?);
        let (pages, mut received) = tokio::sync::mpsc::channel::<Vec<Entry>>(2);
        let builder = tokio::task::spawn_blocking(move || {
            Catalogue::build(std::iter::from_fn(|| received.blocking_recv()).flatten())
        });
        // Pages being made into entries on blocking threads, in order.
        let mut making = std::collections::VecDeque::new();
        let mut after = None;
        'pages: loop {
            // Parsing the documents costs more than reading them: the blocking threads do it.
            let page = self.store().db().await?.published_rows_after(after).await?;
            let last = page.len() < mc_store::PUBLISHED_PAGE;
            after = page.last().map(mc_store::PublishedRow::id);
            let maker = Arc::clone(&maker);
            making.push_back(tokio::task::spawn_blocking(move || {
                let published = page.into_iter().map(mc_store::PublishedRow::parse).collect::<Result<_, _>>()?;
                Ok::<_, mc_store::StoreError>(maker.entries(published))
            }));
            while making.len() > 2 || (last && !making.is_empty()) {
                let entries = making.pop_front().expect("a page is being made").await;
                let entries = entries.unwrap_or_else(|err| std::panic::resume_unwind(err.into_panic()))?;
                if pages.send(entries).await.is_err() {
                    break 'pages; // The builder stopped: awaiting it says why.
                }
            }
            if last {
                break;
            }
        }
        drop(pages);
        let catalogue = builder.await.unwrap_or_else(|err| std::panic::resume_unwind(err.into_panic()));
        tracing::info!(specs = catalogue.len(), version, "catalogue index built");
        *self.catalogue_cache.index.write().await = Indexed { version: Some(version), catalogue };
        Ok(())
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
        let in_force: Vec<_> = agreements.iter().map(StoredAgreement::in_force).collect();
        let recognitions = mc_core::recognition::recognitions_of(&spec, &in_force, self.now());
        Ok(CatalogueSpec { spec, institutions, accreditations, report, published_at, recognitions })
    }
}

/// Makes the catalogue's entries of published specifications: their institutions, quality
/// labels, and the institutions that recognise them under the agreements in force now.
struct EntryMaker {
    institutions: HashMap<String, Institution>,
    agreements: Vec<StoredAgreement>,
    now: Timestamp,
}

impl EntryMaker {
    async fn new(app: &App) -> Result<EntryMaker, AppError> {
        let institutions = app
            .institutions()
            .await?
            .into_iter()
            .map(|institution| (institution.id().as_str().to_owned(), institution))
            .collect();
        Ok(EntryMaker { institutions, agreements: app.agreements_in_force().await?, now: app.now() })
    }

    fn entries(&self, published: Vec<(Spec, i64)>) -> Vec<Entry> {
        let country_of =
            |id: &str| self.institutions.get(id).map(|institution| institution.country().code().to_owned());
        let in_force: Vec<_> = self.agreements.iter().map(StoredAgreement::in_force).collect();
        published
            .into_iter()
            .map(|(spec, published_at)| {
                let mut recognised_by: Vec<InstitutionFacts> = Vec::new();
                if !in_force.is_empty() {
                    for found in mc_core::recognition::recognitions_of(&spec, &in_force, self.now) {
                        if let Some(institution) = self.institutions.get(found.recognised_by.as_str())
                            && !recognised_by.iter().any(|known| known.id == found.recognised_by.as_str())
                        {
                            recognised_by.push(institution_facts(institution));
                        }
                    }
                }
                let labels = quality::spec_labels(&spec, &country_of);
                let institutions = spec
                    .awarding_bodies()
                    .iter()
                    .filter_map(|id| self.institutions.get(id.as_str()))
                    .map(institution_facts)
                    .collect();
                Entry { spec, institutions, labels, published_at, recognised_by }
            })
            .collect()
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

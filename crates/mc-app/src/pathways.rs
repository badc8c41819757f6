//! Stacking pathways: stored by the operator, evaluated over a learner's credentials (each
//! verified first: theirs issued here, the ones from elsewhere they gave with a recognition
//! request, and, where the pathway says so, the credits its institution recognised), with the
//! published micro-credentials that would complete them; and the stacked credential, issued once
//! a pathway is complete, naming its parts.

use std::collections::BTreeMap;

use mc_catalogue::{Facet, Query};
use mc_core::{
    SpecId, Timestamp,
    stacking::{Pathway, PathwayDocument, Progress, RecognisedCredit, progress},
};
use mc_store::{PathwayRecord, StackedRecord, StoreError};
use mc_vc::verify::Verification;
use serde_json::{Map, Value};

use crate::{App, AppError, LearnerAccess, Operator, RequestAnswer};

/// A stored pathway.
#[derive(Debug, Clone)]
pub struct StoredPathway {
    /// The pathway.
    pub pathway: Pathway,
    /// The document it was read from.
    pub document: PathwayDocument,
}

impl StoredPathway {
    fn from_record(record: PathwayRecord) -> Result<StoredPathway, AppError> {
        let damaged = |detail: String| StoreError::Corrupt { what: "pathway", id: record.id.clone(), detail };
        let document: PathwayDocument =
            serde_json::from_str(&record.document).map_err(|err| damaged(err.to_string()))?;
        let pathway = document.parse().map_err(|err| damaged(err.to_string()))?;
        Ok(StoredPathway { pathway, document })
    }
}

/// How far a learner is along a pathway.
#[derive(Debug, Clone)]
pub struct PathwayStanding {
    /// The pathway.
    pub pathway: StoredPathway,
    /// What counts, what does not and why, what is missing.
    pub progress: Progress,
    /// The title of each credential the progress names, by its id.
    pub titles: BTreeMap<String, String>,
    /// Published micro-credentials that would take the learner further, best first.
    pub suggestions: Vec<Suggestion>,
    /// What each missing skill is, in words: a learning outcome of a published
    /// micro-credential that teaches it.
    pub skill_names: BTreeMap<String, String>,
    /// The stacked credential, once issued.
    pub stacked: Option<StackedCredential>,
}

/// A published micro-credential that counts towards a pathway.
#[derive(Debug, Clone)]
pub struct Suggestion {
    /// The specification.
    pub spec: SpecId,
    /// Its title, in the language asked for when it has it.
    pub title: String,
    /// Its ECTS.
    pub ects: Option<f64>,
    /// Whether it teaches a skill the pathway still misses.
    pub teaches_missing: bool,
}

/// A stacked credential issued to a learner.
#[derive(Debug, Clone)]
pub struct StackedCredential {
    /// Its id.
    pub id: String,
    /// The pathway.
    pub pathway: String,
    /// The signed Open Badges credential.
    pub document: Map<String, Value>,
    /// The sealed European Digital Credential, when the institution has a seal.
    pub edc: Option<Map<String, Value>>,
    /// When it was issued.
    pub issued_at: Timestamp,
}

impl StackedCredential {
    fn from_record(record: StackedRecord) -> Result<StackedCredential, AppError> {
        let damaged =
            |detail: String| StoreError::Corrupt { what: "stacked credential", id: record.id.clone(), detail };
        Ok(StackedCredential {
            document: serde_json::from_str(&record.document).map_err(|err| damaged(err.to_string()))?,
            edc: record
                .edc_document
                .as_deref()
                .map(serde_json::from_str)
                .transpose()
                .map_err(|err| damaged(err.to_string()))?,
            issued_at: Timestamp::parse(&record.issued_at).map_err(|err| damaged(err.to_string()))?,
            id: record.id,
            pathway: record.pathway_id,
        })
    }
}

/// How many suggestions a pathway shows.
const SUGGESTIONS: usize = 3;

impl Operator<'_> {
    /// Stores a pathway: its institution must be registered, and its handle is taken once.
    pub async fn add_pathway(
        &self,
        document: &PathwayDocument,
        actor: &str,
        now: Timestamp,
    ) -> Result<StoredPathway, AppError> {
        let pathway = document.parse()?;
        self.institution(pathway.institution.as_str()).await?;
        let record = PathwayRecord {
            id: pathway.id.clone(),
            institution_id: pathway.institution.to_string(),
            document: serde_json::to_string(document).expect("a document serializes"),
            created_by: actor.to_owned(),
            created_at: now.to_rfc3339(),
        };
        let mut tx = self.store().begin().await?;
        tx.db().insert_pathway(&record).await.map_err(|err| match err {
            StoreError::Conflict { column: Some("id"), .. } => {
                AppError::Conflict(format!("a pathway {} is stored already", pathway.id))
            }
            err => err.into(),
        })?;
        let details = serde_json::json!({"institution": record.institution_id});
        tx.audit(&record.created_at, "pathway.add", &record.id, &details.to_string()).await?;
        tx.commit().await?;
        Ok(StoredPathway { pathway, document: document.clone() })
    }

    /// Issues a learner's stacked credential for a complete pathway, as the operator.
    pub async fn issue_stacked(
        &self,
        pathway: &str,
        learner: &str,
        now: Timestamp,
    ) -> Result<StackedCredential, AppError> {
        self.as_learner(learner).await?.claim_stacked(pathway, now).await
    }
}

impl App {
    /// Every stored pathway, by handle.
    pub async fn pathways(&self) -> Result<Vec<StoredPathway>, AppError> {
        let records = self.store().db().await?.pathways().await?;
        records.into_iter().map(StoredPathway::from_record).collect()
    }

    /// One stored pathway.
    pub async fn pathway(&self, id: &str) -> Result<StoredPathway, AppError> {
        let record = self.store().db().await?.pathway(id).await?;
        StoredPathway::from_record(record.ok_or_else(|| AppError::NotFound { what: "pathway", id: id.to_owned() })?)
    }

    /// How far a learner's credentials, each verified first, go along a stacking pathway.
    pub async fn pathway_progress(
        &self,
        pathway: &Pathway,
        texts: &[String],
        now: Timestamp,
    ) -> Result<(Vec<Verification>, Progress), AppError> {
        let (verifications, facts) = self.verified_facts(texts, now).await?;
        Ok((verifications, progress(pathway, &facts, &[], now)))
    }

    /// Published micro-credentials that count towards `pathway` and that the learner does not
    /// hold: those teaching a missing skill first, then the largest.
    async fn suggestions(
        &self,
        pathway: &Pathway,
        progress: &Progress,
        held: &[SpecId],
        language: &str,
    ) -> Result<(Vec<Suggestion>, BTreeMap<String, String>), AppError> {
        let catalogue = self.catalogue().await?;
        let mut filters = BTreeMap::new();
        if !pathway.fields.is_empty() {
            let broad: Vec<String> =
                pathway.fields.iter().map(|field| field.as_str().chars().take(2).collect()).collect();
            filters.insert(Facet::Isced, broad);
        }
        if let Some(min) = pathway.min_eqf {
            filters.insert(Facet::Eqf, (min..=8).map(|level| level.to_string()).collect());
        }
        // Those that teach a missing skill, then any; and each missing skill in words.
        let mut teaching = Vec::new();
        let mut skill_names = BTreeMap::new();
        let tag = mc_core::LanguageTag::parse(language).ok();
        for skill in &progress.missing_skills {
            let mut filters = BTreeMap::new();
            filters.insert(Facet::Skill, vec![skill.clone()]);
            let query = Query { filters, limit: 50, ..Query::default() };
            let found: Vec<SpecId> = catalogue.search(&query).hits.iter().map(|hit| hit.summary.id).collect();
            if let Some(first) = found.first()
                && let Ok(spec) = self.spec(&first.to_string()).await
                && let Some(outcome) = spec
                    .learning_outcomes()
                    .iter()
                    .find(|outcome| outcome.skill().is_some_and(|taught| taught.as_str() == skill))
            {
                let text = match &tag {
                    Some(tag) => outcome.text().best(tag),
                    None => outcome.text().iter().next().map(|(_, text)| text).unwrap_or_default(),
                };
                skill_names.insert(skill.clone(), text.to_owned());
            }
            teaching.extend(found);
        }
        let query = Query { filters, limit: 200, ..Query::default() };
        let found = catalogue.search(&query);
        let mut suggestions: Vec<Suggestion> = found
            .hits
            .iter()
            .map(|hit| &hit.summary)
            .filter(|summary| !held.contains(&summary.id))
            // A field narrower than the broad one asked for must still be one of the pathway's.
            .filter(|summary| {
                pathway.fields.is_empty()
                    || summary
                        .isced_f
                        .as_deref()
                        .is_some_and(|field| pathway.fields.iter().any(|wanted| field.starts_with(wanted.as_str())))
            })
            .map(|summary| Suggestion {
                spec: summary.id,
                title: match &tag {
                    Some(tag) => summary.title.best(tag).to_owned(),
                    None => summary.title.iter().next().map(|(_, title)| title.to_owned()).unwrap_or_default(),
                },
                ects: summary.ects,
                teaches_missing: teaching.contains(&summary.id),
            })
            .collect();
        suggestions.sort_by(|a, b| {
            b.teaches_missing.cmp(&a.teaches_missing).then(b.ects.unwrap_or(0.0).total_cmp(&a.ects.unwrap_or(0.0)))
        });
        suggestions.truncate(SUGGESTIONS);
        Ok((suggestions, skill_names))
    }
}

impl LearnerAccess<'_> {
    /// What the learner's credentials make of every pathway: their own, those from elsewhere they
    /// gave with a recognition request, each verified now; and, for a pathway that counts them,
    /// the credits its institution recognised.
    pub async fn pathways(&self, language: &str) -> Result<Vec<PathwayStanding>, AppError> {
        let pathways = self.app().pathways().await?;
        let mut standings = Vec::with_capacity(pathways.len());
        if pathways.is_empty() {
            return Ok(standings);
        }
        let now = self.app().now();
        let inputs = self.pathway_inputs(language).await?;
        let (_, facts) = self.app().verified_facts(&inputs.texts, now).await?;
        let titles: BTreeMap<String, String> =
            inputs.titles.iter().map(|(id, (title, _))| (id.clone(), title.clone())).collect();
        let held: Vec<SpecId> = facts.iter().filter_map(|facts| facts.spec).collect();
        let stacked = self.stacked_credentials().await?;
        for pathway in pathways {
            let credits = inputs.recognised_by(&pathway.pathway.institution);
            let progress = progress(&pathway.pathway, &facts, &credits, now);
            let (suggestions, skill_names) = match progress.complete {
                true => Default::default(),
                false => self.app().suggestions(&pathway.pathway, &progress, &held, language).await?,
            };
            let stacked = stacked.iter().find(|stacked| stacked.pathway == pathway.pathway.id).cloned();
            let titles = titles.clone();
            standings.push(PathwayStanding { pathway, progress, titles, suggestions, skill_names, stacked });
        }
        Ok(standings)
    }

    /// The credential texts a pathway is evaluated over, their titles by id, and the credits
    /// each institution recognised.
    async fn pathway_inputs(&self, language: &str) -> Result<PathwayInputs, AppError> {
        let mut texts = Vec::new();
        let mut titles = BTreeMap::new();
        for credential in self.credentials().await? {
            let document = credential.open_badge().or(credential.sealed_edc()).unwrap_or(credential.document());
            // A sealed EDC's id is in its payload.
            let read = crate::recognition::ReadCredential::from_document(document.clone());
            let id = match read.credential.get("id").and_then(Value::as_str) {
                Some(id) => id.to_owned(),
                None => format!("urn:uuid:{}", credential.id()),
            };
            // An Open Badges credential says its language; an EDC's title is picked in `language`.
            let subject = document.get("credentialSubject").unwrap_or(&Value::Null);
            let said = subject["achievement"]["inLanguage"].as_str();
            titles.insert(id, (credential.content(language).title, said.unwrap_or(language).to_owned()));
            texts.push(serde_json::to_string(document).expect("a JSON map serializes"));
        }
        let mut recognised = Vec::new();
        for request in self.recognition_requests().await? {
            let read = crate::recognition::ReadCredential::from_text(&request.credential);
            let id = read.credential.get("id").and_then(Value::as_str).map(str::to_owned);
            if let Some(id) = &id {
                titles.entry(id.clone()).or_insert_with(|| (request.title.clone(), language.to_owned()));
            }
            // A credential from elsewhere counts once an institution recognised it.
            let accepted = matches!(request.answer, Some(RequestAnswer::Accepted { .. }));
            if !request.issued_here && accepted && !texts.contains(&request.credential) {
                texts.push(request.credential.clone());
            }
            if let Some(RequestAnswer::Accepted { recognised: credential, ects, .. }) = request.answer {
                recognised.push((request.institution.to_string(), RecognisedCredit { credential, ects }));
            }
        }
        Ok(PathwayInputs { texts, titles, recognised })
    }

    /// The learner's stacked credentials, oldest first.
    pub async fn stacked_credentials(&self) -> Result<Vec<StackedCredential>, AppError> {
        let records = self.app().store().db().await?.stacked_credentials(&self.learner().id().to_string()).await?;
        records.into_iter().map(StackedCredential::from_record).collect()
    }

    /// Issues the learner's stacked credential for a pathway they completed, signed by the
    /// pathway's institution and naming the credentials counted as its parts; once per pathway
    /// (asking again gives the one issued). An incomplete pathway is refused, saying what is
    /// missing.
    pub async fn claim_stacked(&self, pathway_id: &str, now: Timestamp) -> Result<StackedCredential, AppError> {
        let app = self.app();
        let stored = app.pathway(pathway_id).await?;
        if let Some(issued) =
            self.stacked_credentials().await?.into_iter().find(|stacked| stacked.pathway == pathway_id)
        {
            return Ok(issued);
        }
        let pathway = &stored.pathway;
        let inputs = self.pathway_inputs("en").await?;
        let (_, facts) = app.verified_facts(&inputs.texts, now).await?;
        let credits = inputs.recognised_by(&pathway.institution);
        let progress = &progress(pathway, &facts, &credits, now);
        if !progress.complete {
            let mut missing = Vec::new();
            if progress.ects.0 + 1e-9 < progress.ects.1 {
                missing.push(format!("{} more ECTS", progress.ects.1 - progress.ects.0));
            }
            missing.extend(progress.missing_skills.iter().map(|skill| format!("the skill {skill}")));
            return Err(AppError::Conflict(format!(
                "the pathway {pathway_id} is not complete yet: it still needs {}",
                missing.join(" and ")
            )));
        }
        let institution = app.institution(pathway.institution.as_str()).await?;
        app.ensure_issuer_key(institution.id(), now).await?;
        let id = app.new_id().to_string();
        let parts: Vec<String> = progress.counted.iter().map(|(credential, _)| credential.clone()).collect();
        let criteria = criteria_words(pathway);
        let salt = base64::Engine::encode(
            &base64::engine::general_purpose::URL_SAFE_NO_PAD,
            crate::keys::random_bytes::<16>()?,
        );
        let mut tx = app.store().begin().await?;
        let key = app.current_key(&mut tx, institution.id()).await?;
        let identity = crate::keys::identity(&institution, &key);
        let award = mc_vc::badge::StackedAward {
            id: &format!("urn:uuid:{id}"),
            pathway: &pathway.id,
            title: &pathway.title,
            criteria: &criteria,
            learner: self.learner(),
            salt: &salt,
            issued: now,
            issuer_id: &identity.issuer_id,
            ects: progress.ects.0,
            parts: &parts,
        };
        let unsigned = mc_vc::badge::stacked_badge(&institution, &award);
        let options = mc_vc::proof::ProofOptions {
            verification_method: identity.verification_method,
            created: now.to_rfc3339(),
            proof_purpose: "assertionMethod".into(),
        };
        let signed = app.sign(unsigned, mc_vc::proof::Suite::EddsaRdfc2022, &key, &options)?;
        // The European Digital Credential too, when the institution seals and every part's
        // awarding institution is registered here.
        let mut edc_document = None;
        if tx.db().seal_key(institution.id().as_str()).await?.is_some() {
            let mut bodies = Vec::new();
            for (credential, _) in &progress.counted {
                let part = facts.iter().find(|facts| facts.id == *credential);
                match part.and_then(|part| part.issuer.as_ref()) {
                    Some(issuer) => match app.institution(issuer.as_str()).await {
                        Ok(body) => bodies.push((credential, body, part.map(|part| part.earned))),
                        Err(_) => break,
                    },
                    None => break,
                }
            }
            if bodies.len() == progress.counted.len() {
                let parts: Vec<mc_vc::edc::StackedPart<'_>> = bodies
                    .iter()
                    .map(|(credential, body, earned)| {
                        let (title, language) = inputs
                            .titles
                            .get(*credential)
                            .map_or(("", "en"), |(title, language)| (title.as_str(), language.as_str()));
                        mc_vc::edc::StackedPart {
                            credential,
                            title,
                            language,
                            awarded_by: body,
                            awarded: earned.unwrap_or(now),
                        }
                    })
                    .collect();
                let credential = mc_vc::edc::stacked_edc(&institution, &award, &parts);
                let findings = mc_vc::edc::check(&credential, mc_vc::edc::Stage::Sealed);
                if !mc_vc::edc::passes(&findings) {
                    let said: Vec<String> =
                        findings.iter().map(|finding| format!("{}: {}", finding.path, finding.message)).collect();
                    return Err(AppError::Conflict(format!(
                        "the European Digital Credential of pathway {pathway_id} breaks the EDC profile's rules ({}); \
                         nothing was issued",
                        said.join("; ")
                    )));
                }
                let seal = app.seal_key_in(&mut tx, institution.id()).await?;
                let payload = serde_json::to_string(&credential).expect("a JSON map serializes");
                let sealed = mc_vc::jades::seal(&payload, &seal, now)
                    .map_err(|why| AppError::Keys(format!("the credential was not sealed: {why}")))?;
                edc_document = Some(serde_json::to_string(&sealed).expect("a JSON map serializes"));
            }
        }
        let record = StackedRecord {
            id: id.clone(),
            pathway_id: pathway.id.clone(),
            learner_id: self.learner().id().to_string(),
            document: serde_json::to_string(&signed).expect("a JSON map serializes"),
            edc_document,
            issued_at: now.to_rfc3339(),
        };
        tx.db().insert_stacked_credential(&record).await.map_err(|err| match err {
            StoreError::Conflict { column: Some("learner_id"), .. } => {
                AppError::Conflict(format!("the stacked credential of {pathway_id} was issued already"))
            }
            err => err.into(),
        })?;
        let details = serde_json::json!({"pathway": pathway.id, "learner": record.learner_id, "parts": parts});
        tx.audit(&record.issued_at, "pathway.issue", &id, &details.to_string()).await?;
        tx.commit().await?;
        StackedCredential::from_record(record)
    }
}

/// What a learner's pathways are evaluated over.
struct PathwayInputs {
    /// Their credentials' texts: issued here, and from elsewhere with a recognition request.
    texts: Vec<String>,
    /// Each credential's title and its language, by id.
    titles: BTreeMap<String, (String, String)>,
    /// The credits each institution recognised.
    recognised: Vec<(String, RecognisedCredit)>,
}

impl PathwayInputs {
    /// The credits `institution` recognised.
    fn recognised_by(&self, institution: &mc_core::InstitutionId) -> Vec<RecognisedCredit> {
        self.recognised.iter().filter(|(by, _)| by == institution.as_str()).map(|(_, credit)| credit.clone()).collect()
    }
}

/// What a pathway asks for, in words, for the stacked credential's criteria.
fn criteria_words(pathway: &Pathway) -> String {
    let mut words = format!("At least {} ECTS of verified micro-credentials", pathway.min_ects);
    if !pathway.fields.is_empty() {
        let fields: Vec<&str> = pathway.fields.iter().map(|field| field.as_str()).collect();
        words += &format!(" in the ISCED-F fields {}", fields.join(", "));
    }
    if let Some(level) = pathway.min_eqf {
        words += &format!(" at EQF level {level} or above");
    }
    if let Some(years) = pathway.within_years {
        words += &format!(", earned within {years} years");
    }
    if !pathway.skills.is_empty() {
        let skills: Vec<&str> = pathway.skills.iter().map(|skill| skill.as_str()).collect();
        words += &format!(", including the skills {}", skills.join(", "));
    }
    if pathway.count_recognised {
        words += "; credits the institution recognised count";
    }
    words.push('.');
    words
}

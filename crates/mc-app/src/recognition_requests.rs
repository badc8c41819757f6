//! Learners' recognition requests: a learner asks an institution to recognise one of their
//! credentials, or one from elsewhere; the institution's recognition officer answers with a
//! decision ([`crate::Decision`]), once, and an accepted one reaches the learner as a signed
//! decision credential.

use mc_core::{InstitutionId, Learner, Timestamp, ValueError};
use mc_store::{Asked, DecisionRecord, RequestRecord, StoreError};
use mc_vc::verify::Verdict;
use serde_json::Value;

use crate::{
    App, AppError, Decision, DecisionMade, InstitutionAccess, LearnerAccess, Role, recognition::ReadCredential,
};

/// The largest credential a learner may upload with a request.
pub const MAX_REQUEST_CREDENTIAL_BYTES: usize = 1024 * 1024;
/// The longest note a learner may add.
pub const MAX_REQUEST_NOTE_CHARS: usize = 2000;
/// How many unanswered requests a learner may have at once.
pub const MAX_OPEN_REQUESTS: usize = 50;

/// The credential a learner asks about.
#[derive(Debug, Clone, Copy)]
pub enum RequestedCredential<'a> {
    /// One of their credentials issued here, by id.
    Own(&'a str),
    /// One from elsewhere, as its text (a JSON-LD credential, a VC-JWT or a sealed EDC).
    Upload(&'a str),
}

/// A learner's recognition request, with its answer once there is one.
#[derive(Debug, Clone)]
pub struct RecognitionRequest {
    /// The request's id.
    pub id: String,
    /// The learner who asks.
    pub learner: Learner,
    /// The institution asked.
    pub institution: InstitutionId,
    /// The credential's title, as the learner saw it.
    pub title: String,
    /// The credential, as given.
    pub credential: String,
    /// Whether it is one of the learner's credentials issued here.
    pub issued_here: bool,
    /// What the learner added.
    pub note: Option<String>,
    /// When they asked.
    pub requested_at: Timestamp,
    /// The institution's answer, once given.
    pub answer: Option<RequestAnswer>,
}

/// How an institution answered a recognition request.
#[derive(Debug, Clone)]
pub enum RequestAnswer {
    /// Recognised, in full or in part.
    Accepted {
        /// The id of the credential recognised.
        recognised: String,
        /// What was granted, in words (English, as the decision credential says it).
        granted: String,
        /// The agreement, its version and the rule it was granted under.
        rule: Option<(String, u32, String)>,
        /// The ECTS granted.
        ects: f64,
        /// Why fewer ECTS than proposed were granted, for an amended decision.
        amended: Option<String>,
        /// The signed recognition decision credential, JSON.
        credential: String,
        /// When.
        decided_at: Timestamp,
    },
    /// Not recognised.
    Rejected {
        /// Why.
        reason: String,
        /// When.
        decided_at: Timestamp,
    },
}

impl LearnerAccess<'_> {
    /// Asks `institution` to recognise a credential. The credential is verified first: one
    /// that does not verify (changed, revoked, expired) is refused with the reason, and nothing
    /// is stored. Asking the same institution about the same credential twice is a conflict.
    pub async fn ask_recognition(
        &self,
        institution: &str,
        credential: RequestedCredential<'_>,
        note: &str,
        now: Timestamp,
    ) -> Result<RecognitionRequest, AppError> {
        let app = self.app();
        let home = app.institution(institution).await?;
        let note = note.trim();
        if note.chars().count() > MAX_REQUEST_NOTE_CHARS {
            let message = format!("is longer than {MAX_REQUEST_NOTE_CHARS} characters");
            return Err(AppError::invalid_argument("note", ValueError::new(message)));
        }
        let (text, issued_id, title) = match credential {
            RequestedCredential::Own(id) => {
                let issued = self.credential(id).await?;
                let text = serde_json::to_string(issued.document()).expect("a JSON map serializes");
                (text, Some(issued.id().to_owned()), issued.content("en").title)
            }
            RequestedCredential::Upload(text) => {
                let text = text.trim();
                if text.is_empty() {
                    return Err(AppError::invalid_argument("credential", ValueError::new("is empty: choose a file")));
                }
                if text.len() > MAX_REQUEST_CREDENTIAL_BYTES {
                    let message = format!("is larger than {MAX_REQUEST_CREDENTIAL_BYTES} bytes");
                    return Err(AppError::invalid_argument("credential", ValueError::new(message)));
                }
                if !names_learner(text, self.learner()) {
                    return Err(AppError::invalid_argument(
                        "credential",
                        ValueError::new(
                            "does not name you: its subject is neither your DID nor your email address (upload the \
                             credential as JSON, as it was issued to you)",
                        ),
                    ));
                }
                (text.to_owned(), None, credential_title(text))
            }
        };
        let (verification, outcome) =
            app.recognize(home.id().as_str(), std::slice::from_ref(&text), now).await?.remove(0);
        if verification.verdict == Verdict::Invalid {
            let why = outcome.refused.unwrap_or_else(|| "it did not verify".into());
            return Err(AppError::invalid_argument(
                "credential",
                ValueError::new(format!("cannot be recognised: {why}")),
            ));
        }
        let learner_id = self.learner().id().to_string();
        let mut tx = app.store().begin().await?;
        let open = tx.db().recognition_requests(Asked::By(&learner_id)).await?;
        if open.iter().filter(|request| request.decision_id.is_none()).count() >= MAX_OPEN_REQUESTS {
            return Err(AppError::Conflict(format!(
                "you have {MAX_OPEN_REQUESTS} requests waiting for an answer; ask again once some are answered"
            )));
        }
        let record = RequestRecord {
            id: app.new_id().to_string(),
            learner_id,
            institution_id: home.id().to_string(),
            credential_digest: crate::recognition::digest(&text),
            credential: text,
            title,
            issued_id,
            note: (!note.is_empty()).then(|| note.to_owned()),
            requested_at: now.to_rfc3339(),
            decision_id: None,
        };
        tx.db().insert_recognition_request(&record).await.map_err(|err| match err {
            StoreError::Conflict { column: Some("credential_digest"), .. } => {
                AppError::Conflict(format!("you already asked {} to recognise this credential", home.id()))
            }
            err => err.into(),
        })?;
        let details = serde_json::json!({"institution": record.institution_id, "credential": outcome.credential});
        tx.audit(&record.requested_at, "recognition.request", &record.id, &details.to_string()).await?;
        tx.commit().await?;
        app.recognition_request(record, Some(self.learner().clone())).await
    }

    /// The learner's recognition requests, oldest first, with their answers.
    pub async fn recognition_requests(&self) -> Result<Vec<RecognitionRequest>, AppError> {
        let app = self.app();
        let records = app.store().db().await?.recognition_requests(Asked::By(&self.learner().id().to_string())).await?;
        let mut requests = Vec::with_capacity(records.len());
        for record in records {
            requests.push(app.recognition_request(record, Some(self.learner().clone())).await?);
        }
        Ok(requests)
    }
}

impl InstitutionAccess<'_> {
    /// The recognition requests made of the institution, oldest first, with their answers.
    pub async fn recognition_requests(&self) -> Result<Vec<RecognitionRequest>, AppError> {
        let app = self.app();
        let records = app.store().db().await?.recognition_requests(Asked::Of(self.institution_id().as_str())).await?;
        let mut requests = Vec::with_capacity(records.len());
        for record in records {
            requests.push(app.recognition_request(record, None).await?);
        }
        Ok(requests)
    }

    /// One recognition request made of the institution; another's answers `NotFound`.
    pub async fn recognition_request_by_id(&self, id: &str) -> Result<RecognitionRequest, AppError> {
        let not_found = || AppError::NotFound { what: "recognition request", id: id.to_owned() };
        let record = self.app().store().db().await?.recognition_request(id).await?.ok_or_else(not_found)?;
        if record.institution_id != self.institution_id().as_str() {
            return Err(not_found());
        }
        self.app().recognition_request(record, None).await
    }

    /// Answers a recognition request, as the institution's recognition officer (or admin):
    /// the credential is evaluated again now ([`crate::Operator::decide_recognition`]), and
    /// the decision is recorded on the request, once.
    pub async fn answer_recognition_request(
        &self,
        id: &str,
        decision: Decision<'_>,
        now: Timestamp,
    ) -> Result<DecisionMade, AppError> {
        self.require(Role::RecognitionOfficer)?;
        let request = self.recognition_request_by_id(id).await?;
        if request.answer.is_some() {
            return Err(AppError::Conflict(format!("recognition request {id} was answered already")));
        }
        let home = self.institution_id().as_str();
        let request_of = Some((id, &request.learner));
        self.app().decide(home, &request.credential, decision, self.actor(), request_of, now).await
    }
}

impl App {
    /// A stored request read back, with its learner and answer.
    async fn recognition_request(
        &self,
        record: RequestRecord,
        learner: Option<Learner>,
    ) -> Result<RecognitionRequest, AppError> {
        let damaged =
            |detail: String| StoreError::Corrupt { what: "recognition request", id: record.id.clone(), detail };
        let learner = match learner {
            Some(learner) => learner,
            None => self
                .store()
                .db()
                .await?
                .learner(&record.learner_id)
                .await?
                .ok_or_else(|| damaged(format!("learner {} is missing", record.learner_id)))?,
        };
        let decision = match &record.decision_id {
            Some(id) => Some(
                self.store()
                    .db()
                    .await?
                    .decision(id)
                    .await?
                    .ok_or_else(|| damaged(format!("decision {id} is missing")))?,
            ),
            None => None,
        };
        let answer = decision.map(|decision| answer_of(decision).map_err(damaged)).transpose()?;
        Ok(RecognitionRequest {
            institution: InstitutionId::parse(&record.institution_id).map_err(|err| damaged(err.to_string()))?,
            requested_at: Timestamp::parse(&record.requested_at).map_err(|err| damaged(err.to_string()))?,
            id: record.id,
            learner,
            title: record.title,
            credential: record.credential,
            issued_here: record.issued_id.is_some(),
            note: record.note,
            answer,
        })
    }
}

fn answer_of(decision: DecisionRecord) -> Result<RequestAnswer, String> {
    let decided_at = Timestamp::parse(&decision.decided_at).map_err(|err| err.to_string())?;
    match (decision.accepted, decision.granted, decision.document) {
        (true, Some((granted, ects)), Some(credential)) => Ok(RequestAnswer::Accepted {
            recognised: decision.credential_id,
            granted,
            rule: decision.agreement,
            ects,
            amended: decision.reason,
            credential,
            decided_at,
        }),
        (false, _, _) => Ok(RequestAnswer::Rejected { reason: decision.reason.unwrap_or_default(), decided_at }),
        (true, _, _) => Err(format!("accepted decision {} has no grant or credential", decision.id)),
    }
}

/// Whether a credential (JSON-LD, or a sealed EDC) is about `learner`: its subject is their DID,
/// or names their email address (in the clear, or hashed with a salt as Open Badges does).
fn names_learner(text: &str, learner: &Learner) -> bool {
    use sha2::Digest as _;
    let credential = ReadCredential::from_text(text).credential;
    let subject = credential.get("credentialSubject").unwrap_or(&Value::Null);
    let subject = if subject.is_array() { &subject[0] } else { subject };
    let email = learner.email().to_string();
    if let (Some(id), Some(did)) = (subject["id"].as_str(), learner.did())
        && id == did.as_str()
    {
        return true;
    }
    let mailbox = format!("mailto:{email}");
    if subject["contactPoint"]["emailAddress"]["id"].as_str().is_some_and(|id| id.eq_ignore_ascii_case(&mailbox)) {
        return true;
    }
    let identifiers = subject["identifier"].as_array().into_iter().flatten();
    identifiers.into_iter().any(|identifier| {
        let said = identifier["identityHash"].as_str().unwrap_or_default();
        match identifier["hashed"].as_bool() {
            Some(true) => {
                let salt = identifier["salt"].as_str().unwrap_or_default();
                let hash: String =
                    sha2::Sha256::digest(format!("{email}{salt}")).iter().map(|b| format!("{b:02x}")).collect();
                said.eq_ignore_ascii_case(&format!("sha256${hash}"))
            }
            _ => said.eq_ignore_ascii_case(&email),
        }
    })
}

/// A credential's title, as its text says it: a sealed EDC's specification title, or an Open
/// Badges achievement's name, or the credential's name.
fn credential_title(text: &str) -> String {
    let read = ReadCredential::from_text(text);
    let title = match read.sealed {
        true => mc_vc::edc::content(&read.credential, "en").title,
        false => mc_vc::badge::BadgeContent::read(&read.credential).title,
    };
    match title.trim() {
        "" => read.credential.get("name").and_then(Value::as_str).unwrap_or("A credential").to_owned(),
        title => title.to_owned(),
    }
}

//! Issuing to a whole cohort from a CSV or JSON file: every row is checked on its own, a bad row
//! is reported with its line and does not stop the others, and credentials are issued in
//! batches, each in one transaction, so an interrupted run loses nothing and a rerun issues
//! nothing twice.

use std::{
    collections::{BTreeMap, BTreeSet, HashMap, HashSet, VecDeque, hash_map::Entry},
    sync::{Arc, Mutex, PoisonError},
};

use mc_core::{Learner, LearnerId, PlainText, Timestamp, wire::LearnerDocument};
use mc_store::CredentialRecord;
use mc_vc::badge::BadgeDraft;
use serde::Deserialize;

use crate::{
    Added, App, AppError, IssueRequest, IssuedCredential,
    issue::{Batch, Made, Making, NewCredential, Prepared},
};

/// One row of a cohort file, as written.
#[derive(Debug, Clone, Default, Deserialize, serde::Serialize)]
#[serde(deny_unknown_fields)]
pub struct CohortRow {
    /// The learner's full name.
    #[serde(default)]
    pub name: Option<String>,
    /// The learner's email address.
    #[serde(default)]
    pub email: Option<String>,
    /// The learner's DID.
    #[serde(default)]
    pub did: Option<String>,
    /// The grade achieved.
    #[serde(default)]
    pub grade: Option<String>,
    /// When the learner completed the learning (`YYYY-MM-DD` or a date-time).
    #[serde(default)]
    pub completion_date: Option<String>,
}

/// The columns a cohort CSV may have.
const COLUMNS: &[&str] = &["name", "email", "did", "grade", "completion_date"];

/// A cohort file's rows, each with the line (CSV) or entry number (JSON) it came from.
pub fn parse_cohort(text: &str, json: bool) -> Result<Vec<(usize, CohortRow)>, AppError> {
    let parse_error = |format: &'static str, message: String| AppError::Parse { format, message };
    if json {
        let rows: Vec<CohortRow> = crate::parse_document(text, crate::Format::Json)?;
        return Ok(rows.into_iter().enumerate().map(|(idx, row)| (idx + 1, row)).collect());
    }
    let mut reader = csv::ReaderBuilder::new().trim(csv::Trim::All).flexible(false).from_reader(text.as_bytes());
    let headers = reader.headers().map_err(|err| parse_error("CSV", err.to_string()))?.clone();
    let columns: Vec<String> =
        headers.iter().map(|header| header.to_ascii_lowercase().replace([' ', '-'], "_")).collect();
    if let Some(unknown) = columns.iter().find(|column| !COLUMNS.contains(&column.as_str())) {
        return Err(parse_error(
            "CSV",
            format!("unknown column {unknown:?} in the header; the columns are {}", COLUMNS.join(", ")),
        ));
    }
    for required in ["name", "email"] {
        if !columns.iter().any(|column| column == required) {
            return Err(parse_error("CSV", format!("the header has no {required} column")));
        }
    }
    // The reader counts "\n" only; a file may end its lines with "\r" alone, so each record's
    // line is worked out from its position.
    let line_starts: Vec<u64> = std::iter::once(0)
        .chain(text.bytes().enumerate().filter_map(|(at, byte)| match byte {
            b'\n' => Some(at as u64 + 1),
            b'\r' if text.as_bytes().get(at + 1) != Some(&b'\n') => Some(at as u64 + 1),
            _ => None,
        }))
        .collect();
    let mut rows = Vec::new();
    for record in reader.records() {
        let record = record.map_err(|err| parse_error("CSV", err.to_string()))?;
        // A record's position is where the reader began: before the blank lines it skipped.
        let start = record.position().map_or(0, csv::Position::byte) as usize;
        let skipped =
            text.as_bytes().get(start..).unwrap_or_default().iter().take_while(|b| matches!(b, b'\r' | b'\n'));
        let byte = (start + skipped.count()) as u64;
        let line = line_starts.partition_point(|start| *start <= byte);
        let mut row = CohortRow::default();
        for (column, value) in columns.iter().zip(record.iter()) {
            let value = (!value.is_empty()).then(|| value.to_owned());
            match column.as_str() {
                "name" => row.name = value,
                "email" => row.email = value,
                "did" => row.did = value,
                "grade" => row.grade = value,
                _ => row.completion_date = value,
            }
        }
        rows.push((line, row));
    }
    Ok(rows)
}

/// A completion date: a date (midnight UTC) or a date-time.
fn completion(raw: &str) -> Result<Timestamp, String> {
    let full = match raw.len() {
        10 => format!("{raw}T00:00:00Z"),
        _ => raw.to_owned(),
    };
    Timestamp::parse(&full).map_err(|_| format!("completion_date: {raw:?} is not a date (YYYY-MM-DD) or a date-time"))
}

/// What happened to one row.
#[derive(Debug)]
pub enum CohortEvent<'a> {
    /// A credential was issued.
    Issued(&'a IssuedCredential),
    /// The learner already had this credential from this cohort.
    Skipped(&'a IssuedCredential),
    /// The row was refused.
    Rejected {
        /// The row's line (CSV) or entry number (JSON).
        line: usize,
        /// Why.
        message: String,
    },
}

/// The totals of a cohort run.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct CohortSummary {
    /// Credentials issued now.
    pub issued: usize,
    /// Rows whose credential already existed.
    pub skipped: usize,
    /// Rows refused, with their line and reason.
    pub rejected: Vec<(usize, String)>,
    /// The status lists the new credentials are in.
    pub lists: BTreeSet<String>,
}

/// How many credentials the first transaction of a run issues, so that the first progress is
/// reported soon. Each batch after it is twice the one before, up to [`MAX_BATCH`].
const FIRST_BATCH: usize = 1000;

/// How many credentials a transaction issues at most: large enough that the pause in signing
/// while a batch commits costs little, small enough that an interruption loses little (it is
/// redone on the next run).
const MAX_BATCH: usize = 5000;

/// `rows` in the batches a run issues them in: [`FIRST_BATCH`], then each twice the one before
/// up to [`MAX_BATCH`].
pub(crate) fn batches<T>(mut rows: &[T]) -> impl Iterator<Item = &[T]> {
    let mut size = FIRST_BATCH;
    std::iter::from_fn(move || {
        if rows.is_empty() {
            return None;
        }
        let (batch, rest) = rows.split_at(size.min(rows.len()));
        rows = rest;
        size = (size * 2).min(MAX_BATCH);
        Some(batch)
    })
}

impl App {
    /// Issues `request.spec` to every row, in order. A row that is wrong is reported and
    /// skipped; a failure of the store or of the keys stops the run, and running it again
    /// carries on where it stopped. Credentials are reported once their batch is committed.
    pub(crate) async fn issue_cohort(
        &self,
        request: &IssueRequest<'_>,
        rows: &[(usize, CohortRow)],
        on_row: &mut (dyn FnMut(CohortEvent<'_>) + Send),
    ) -> Result<CohortSummary, AppError> {
        let prepared = self.prepare(request.spec, request.now).await?;
        let mut summary = CohortSummary::default();
        let (checked, rejected) = self.check_rows(rows);
        for (line, message) in rejected {
            on_row(CohortEvent::Rejected { line, message: message.clone() });
            summary.rejected.push((line, message));
        }
        for chunk in batches(&checked) {
            let (batch, done) = self.issue_batch(&prepared, chunk, request).await?;
            summary.lists.extend(self.commit_batch(batch).await?);
            for (issued, added) in &done {
                match added {
                    Added::New => {
                        summary.issued += 1;
                        on_row(CohortEvent::Issued(issued));
                    }
                    Added::Unchanged => {
                        summary.skipped += 1;
                        on_row(CohortEvent::Skipped(issued));
                    }
                }
            }
        }
        Ok(summary)
    }

    /// The rows that pass [`check_row`], and the line and problems of those that do not.
    pub(crate) fn check_rows(&self, rows: &[(usize, CohortRow)]) -> (Vec<CheckedRow>, Vec<(usize, String)>) {
        let mut checked = Vec::with_capacity(rows.len());
        let mut rejected = Vec::new();
        for (line, row) in rows {
            match check_row(row, LearnerId::from_uuid(self.new_id())) {
                Ok(row) => checked.push(row),
                Err(message) => rejected.push((*line, message)),
            }
        }
        (checked, rejected)
    }

    /// Issues checked rows in one transaction, left open: the caller may record what was done
    /// in it before [`App::commit_batch`], so that both happen or neither does. A row whose
    /// learner already has this cohort's credential (or whose email an earlier row of the batch
    /// has) answers with that credential, unchanged. A cohort's credentials carry no
    /// idempotency key: the cohort key makes each happen once.
    ///
    /// The rows go through in chunks, each read and written in a few statements: while the
    /// transaction registers the learners of a chunk and takes their status entries, the
    /// credentials of the chunks before it are made on every core, and stored as they come.
    pub(crate) async fn issue_batch(
        &self,
        prepared: &Prepared,
        rows: &[CheckedRow],
        request: &IssueRequest<'_>,
    ) -> Result<(Batch, Vec<(IssuedCredential, Added)>), AppError> {
        let mut batch = self.begin_batch().await?;
        batch.take_known(prepared);
        let institution = prepared.awarding_bodies[0].id().as_str().to_owned();
        // The first row of each email address issues; a later one answers with its credential.
        let mut first_of: HashMap<&str, usize> = HashMap::with_capacity(rows.len());
        let mut repeats = Vec::new();
        for (at, (learner, ..)) in rows.iter().enumerate() {
            match first_of.entry(learner.email().as_str()) {
                Entry::Occupied(first) => repeats.push((at, *first.get())),
                Entry::Vacant(vacant) => {
                    vacant.insert(at);
                }
            }
        }
        let firsts: Vec<usize> = first_of.into_values().collect::<BTreeSet<_>>().into_iter().collect();
        let mut done: Vec<Option<(IssuedCredential, Added)>> = vec![None; rows.len()];
        let mut signers: Option<Signers> = None;
        let mut in_flight: VecDeque<Vec<usize>> = VecDeque::new();
        for chunk in firsts.chunks(CHUNK) {
            let new = self.new_in(&mut batch, prepared, request, rows, chunk, &mut done).await?;
            if new.is_empty() {
                continue;
            }
            let signers = match &mut signers {
                Some(signers) => signers,
                None => signers.insert(Signers::start(self.making(&mut batch, prepared, request).await?)),
            };
            let ids: Vec<String> = new.iter().map(|_| self.new_id().to_string()).collect();
            let id_refs: Vec<&str> = ids.iter().map(String::as_str).collect();
            let status = self.claim_status_entries(&mut batch, &institution, &id_refs, request.now).await?;
            let mut places = Vec::with_capacity(new.len());
            let items = new.into_iter().zip(ids).zip(status).map(|(((at, learner), id), status)| {
                places.push(at);
                let (_, grade, awarded) = &rows[at];
                NewCredential {
                    id,
                    learner,
                    grade: grade.as_ref().map(|grade| grade.as_str().to_owned()),
                    awarded: *awarded,
                    status,
                    idempotency_key: None,
                }
            });
            signers.send(items.collect())?;
            in_flight.push_back(places);
            // Each worker has a chunk or two waiting while it signs, so that the writes between
            // leave none idle; beyond that, store.
            while in_flight.len() > 2 * signers.workers {
                let places = in_flight.pop_front().expect("a chunk in flight");
                self.store_next(&mut batch, signers, places, &mut done).await?;
            }
        }
        if let Some(signers) = &mut signers {
            while let Some(places) = in_flight.pop_front() {
                self.store_next(&mut batch, signers, places, &mut done).await?;
            }
        }
        for (at, first) in repeats {
            let (credential, _) = done[first].clone().expect("the first row of an email is done");
            done[at] = Some((credential, Added::Unchanged));
        }
        batch.leave_known(prepared);
        Ok((batch, done.into_iter().map(|row| row.expect("every row is done")).collect()))
    }

    /// Registers the learners of the rows at `chunk` who are new, answers in `done` for those who
    /// have this cohort's credential already, and returns the others, with the learner the
    /// credential names. A learner registered before gets it under their id, saying what this
    /// issuer said of them (their DID too), never what was registered: the answer does not tell
    /// whether they were.
    async fn new_in(
        &self,
        batch: &mut Batch,
        prepared: &Prepared,
        request: &IssueRequest<'_>,
        rows: &[CheckedRow],
        chunk: &[usize],
        done: &mut [Option<(IssuedCredential, Added)>],
    ) -> Result<Vec<(usize, Learner)>, AppError> {
        let named: Vec<&Learner> = chunk.iter().map(|&at| &rows[at].0).collect();
        let added: HashSet<String> = batch.tx().db().insert_learners_if_new(&named).await?.into_iter().collect();
        let known: Vec<&str> =
            named.iter().map(|learner| learner.email().as_str()).filter(|email| !added.contains(*email)).collect();
        if known.is_empty() {
            return Ok(chunk.iter().map(|&at| (at, rows[at].0.clone())).collect());
        }
        let mut registered: HashMap<String, Learner> = HashMap::with_capacity(known.len());
        for learner in batch.tx().db().learners_by_email(&known).await? {
            registered.insert(learner.email().as_str().to_owned(), learner);
        }
        let known_ids: Vec<String> = registered.values().map(|learner| learner.id().to_string()).collect();
        let known_ids: Vec<&str> = known_ids.iter().map(String::as_str).collect();
        let spec_id = prepared.spec.id().to_string();
        let cohort_key = request.cohort_key.unwrap_or("");
        let mut issued_before: HashMap<String, CredentialRecord> = HashMap::new();
        for record in batch.tx().db().credentials_for_learners(&spec_id, cohort_key, &known_ids).await? {
            issued_before.insert(record.learner_id.clone(), record);
        }
        let mut new = Vec::with_capacity(chunk.len());
        for &at in chunk {
            let row_learner = &rows[at].0;
            let email = row_learner.email().as_str();
            if added.contains(email) {
                new.push((at, row_learner.clone()));
                continue;
            }
            let existing = registered
                .get(email)
                .ok_or_else(|| AppError::Conflict(format!("learner {email} could not be registered")))?;
            match issued_before.remove(&existing.id().to_string()) {
                Some(record) => done[at] = Some((IssuedCredential::from_record(record)?, Added::Unchanged)),
                None => {
                    let as_named = LearnerDocument {
                        id: Some(existing.id().to_string()),
                        name: Some(row_learner.name().to_owned()),
                        email: Some(email.to_owned()),
                        did: row_learner.did().map(|did| did.as_str().to_owned()),
                    };
                    new.push((at, as_named.parse(existing.id())?));
                }
            }
        }
        Ok(new)
    }

    /// Stores the next chunk the signers make, the rows at `places`, and answers for them in
    /// `done`.
    async fn store_next(
        &self,
        batch: &mut Batch,
        signers: &mut Signers,
        places: Vec<usize>,
        done: &mut [Option<(IssuedCredential, Added)>],
    ) -> Result<(), AppError> {
        let made = signers.next().await?;
        self.store_made(batch, &signers.making, &made).await?;
        for (at, made) in places.into_iter().zip(made) {
            done[at] = Some((made.credential, Added::New));
        }
        Ok(())
    }
}

/// How many credentials a signing worker makes at a time, and the transaction reads and
/// writes in a few statements.
const CHUNK: usize = 100;

/// Workers on every core that make the credentials of the chunks they are sent, answering in
/// the order the chunks were sent.
struct Signers {
    making: Arc<Making>,
    workers: usize,
    /// Chunks to make, by sequence number; closed when the signers are dropped, which stops
    /// the workers once they finish the chunk in hand.
    work: std::sync::mpsc::Sender<(usize, Vec<NewCredential>)>,
    made: tokio::sync::mpsc::UnboundedReceiver<(usize, Result<Vec<Made>, AppError>)>,
    /// Chunks made before the ones sent ahead of them.
    arrived: BTreeMap<usize, Result<Vec<Made>, AppError>>,
    sent: usize,
    next: usize,
}

impl Signers {
    fn start(making: Making) -> Signers {
        let making = Arc::new(making);
        let (work, queue) = std::sync::mpsc::channel::<(usize, Vec<NewCredential>)>();
        let queue = Arc::new(Mutex::new(queue));
        let (sender, made) = tokio::sync::mpsc::unbounded_channel();
        let workers = std::thread::available_parallelism().map_or(1, usize::from);
        for _ in 0..workers {
            let (queue, sender, making) = (Arc::clone(&queue), sender.clone(), Arc::clone(&making));
            tokio::task::spawn_blocking(move || {
                let mut draft = BadgeDraft::default();
                loop {
                    let next = queue.lock().unwrap_or_else(PoisonError::into_inner).recv();
                    let Ok((at, chunk)) = next else { break };
                    // A panic answers as a failure, so that the batch never waits for it, and
                    // leaves no half-filled draft behind.
                    let make = || chunk.into_iter().map(|item| making.make(item, &mut draft)).collect();
                    let made = std::panic::catch_unwind(std::panic::AssertUnwindSafe(make)).unwrap_or_else(|_| {
                        draft = BadgeDraft::default();
                        Err(stopped())
                    });
                    if sender.send((at, made)).is_err() {
                        break;
                    }
                }
            });
        }
        Signers { making, workers, work, made, arrived: BTreeMap::new(), sent: 0, next: 0 }
    }

    /// Sends a chunk to be made.
    fn send(&mut self, chunk: Vec<NewCredential>) -> Result<(), AppError> {
        self.work.send((self.sent, chunk)).map_err(|_| stopped())?;
        self.sent += 1;
        Ok(())
    }

    /// The next chunk made, in the order they were sent.
    async fn next(&mut self) -> Result<Vec<Made>, AppError> {
        loop {
            if let Some(made) = self.arrived.remove(&self.next) {
                self.next += 1;
                return made;
            }
            let (at, made) = self.made.recv().await.ok_or_else(stopped)?;
            self.arrived.insert(at, made);
        }
    }
}

/// The signing workers stopped, or one panicked, before making what they were sent.
fn stopped() -> AppError {
    AppError::Keys("credentials could not be made: the signing workers stopped".into())
}

pub(crate) type CheckedRow = (mc_core::Learner, Option<PlainText>, Option<Timestamp>);

/// A row's learner, grade and completion date, or every problem with it.
pub(crate) fn check_row(row: &CohortRow, new_id: LearnerId) -> Result<CheckedRow, String> {
    let document = LearnerDocument { id: None, name: row.name.clone(), email: row.email.clone(), did: row.did.clone() };
    let learner = document.parse(new_id);
    let grade = row
        .grade
        .as_deref()
        .map(|grade| PlainText::parse(grade, 100).map_err(|err| format!("grade: {err}")))
        .transpose();
    let awarded = row.completion_date.as_deref().map(completion).transpose();
    match (learner, grade, awarded) {
        (Ok(learner), Ok(grade), Ok(awarded)) => Ok((learner, grade, awarded)),
        (learner, grade, awarded) => {
            let mut problems = Vec::new();
            if let Err(invalid) = learner {
                problems.extend(invalid.problems().iter().map(ToString::to_string));
            }
            problems.extend(grade.err());
            problems.extend(awarded.err());
            Err(problems.join("; "))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rows_name_their_lines_whatever_ends_them() {
        // Lines end with "\n", "\r\n" or "\r"; a blank line and a quoted line break count.
        for text in [
            "name,email\nAna,ana@x.example\n\nBob,bob@x.example\n",
            "name,email\r\nAna,ana@x.example\r\n\r\nBob,bob@x.example\r\n",
            "name,email\rAna,ana@x.example\r\rBob,bob@x.example\r",
            "name,email\n\"Ana\nPérez\",ana@x.example\nBob,bob@x.example",
        ] {
            let lines: Vec<usize> = parse_cohort(text, false).unwrap().iter().map(|(line, _)| *line).collect();
            assert_eq!(lines, [2, 4], "{text:?}");
        }
    }

    #[test]
    fn batches_start_small_and_double_up_to_the_largest() {
        let sizes = |count: usize| batches(&vec![(); count]).map(<[()]>::len).collect::<Vec<_>>();
        assert_eq!(sizes(0), [0usize; 0]);
        assert_eq!(sizes(999), [999]);
        assert_eq!(sizes(2_400), [1_000, 1_400]);
        assert_eq!(sizes(20_001), [1_000, 2_000, 4_000, 5_000, 5_000, 3_001]);
    }

    /// Found by the cohort fuzz target (`fuzz/`): records ended by a lone "\r" were all on
    /// "line 1".
    #[test]
    fn the_fuzzer_s_carriage_returns_give_each_row_its_line() {
        let text = std::str::from_utf8(include_bytes!("../test_data/fuzz/cohort-carriage-returns.csv")).unwrap();
        let rows = parse_cohort(text, false).unwrap();
        let mut lines: Vec<usize> = rows.iter().map(|(line, _)| *line).collect();
        lines.dedup();
        assert_eq!(lines.len(), rows.len(), "{rows:?}");
    }
}

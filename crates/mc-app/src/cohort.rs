//! Issuing to a whole cohort from a CSV or JSON file: every row is checked on its own, a bad row
//! is reported with its line and does not stop the others, and credentials are issued in
//! batches, each in one transaction, so an interrupted run loses nothing and a rerun issues
//! nothing twice.

use std::collections::BTreeSet;

use mc_core::{LearnerId, PlainText, Timestamp, wire::LearnerDocument};
use serde::Deserialize;

use crate::{
    Added, App, AppError, IssueRequest, IssuedCredential,
    issue::{Batch, Prepared, Recipient},
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

/// How many credentials are issued per transaction: large enough that committing costs little,
/// small enough that an interruption loses little (it is redone on the next run).
pub(crate) const BATCH: usize = 250;

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
        for chunk in checked.chunks(BATCH) {
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
    /// in it before [`App::commit_batch`], so that both happen or neither does.
    pub(crate) async fn issue_batch(
        &self,
        prepared: &Prepared,
        rows: &[CheckedRow],
        request: &IssueRequest<'_>,
    ) -> Result<(Batch, Vec<(IssuedCredential, Added)>), AppError> {
        let mut batch = self.begin_batch().await?;
        let mut done = Vec::with_capacity(rows.len());
        for (learner, grade, awarded) in rows {
            let recipient = Recipient {
                learner: None,
                new_learner: Some(learner),
                grade: grade.as_ref().map(PlainText::as_str),
                awarded: *awarded,
            };
            done.push(self.issue_in(&mut batch, prepared, &recipient, request).await?);
        }
        Ok((batch, done))
    }
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

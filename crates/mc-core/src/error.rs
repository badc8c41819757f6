//! Errors for values that fail to parse, and the list of problems found in a whole document.

use std::fmt;

/// Why one value is not acceptable. The message names the value, not the field: the caller
/// knows the field and wraps it in a [`Problem`].
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0}")]
pub struct ValueError(String);

impl ValueError {
    /// A value error saying `message`.
    pub fn new(message: impl Into<String>) -> ValueError {
        ValueError(message.into())
    }
}

/// One thing wrong with a document: the field it is in, and what is wrong.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Problem {
    /// Where the problem is, as a path such as `learning_outcomes[2].skill`.
    pub field: String,
    /// What is wrong, in words a registrar can act on.
    pub message: String,
}

/// How the message of a problem that something is missing begins: a required value
/// (`is required (…)`) or an empty list (`must list at least one…`).
pub(crate) const MISSING: [&str; 2] = ["is required", "must list at least one"];

impl Problem {
    /// Whether it says that something is missing, rather than wrong.
    pub fn is_missing(&self) -> bool {
        says_missing(&self.message)
    }
}

/// Whether a problem's message (as [`Problem::message`] holds it, kept as text where a problem
/// was stored) says that something is missing, rather than wrong.
pub fn says_missing(message: &str) -> bool {
    MISSING.iter().any(|start| message.starts_with(start))
}

impl fmt::Display for Problem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.field, self.message)
    }
}

/// A document that was rejected, with every problem found in it (never empty).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub struct Invalid {
    problems: Vec<Problem>,
}

impl Invalid {
    /// A rejection for these problems, or `None` when there are none.
    pub fn from_problems(problems: Vec<Problem>) -> Option<Invalid> {
        (!problems.is_empty()).then_some(Invalid { problems })
    }

    /// The problems, in the order of the document's fields.
    pub fn problems(&self) -> &[Problem] {
        &self.problems
    }
}

impl fmt::Display for Invalid {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.problems.as_slice() {
            [one] => write!(f, "{one}"),
            many => {
                write!(f, "{} problems:", many.len())?;
                for problem in many {
                    write!(f, "\n  - {problem}")?;
                }
                Ok(())
            }
        }
    }
}

/// Collects problems while a document is converted field by field, so that a registrar sees
/// every problem at once rather than one per attempt.
#[derive(Default)]
pub(crate) struct Problems {
    problems: Vec<Problem>,
}

impl Problems {
    pub(crate) fn push(&mut self, field: impl Into<String>, message: impl Into<String>) {
        self.problems.push(Problem { field: field.into(), message: message.into() });
    }

    /// Keeps the value, or records why it was rejected.
    pub(crate) fn check<T>(&mut self, field: impl Into<String>, res: Result<T, ValueError>) -> Option<T> {
        match res {
            Ok(value) => Some(value),
            Err(err) => {
                self.push(field, err.0);
                None
            }
        }
    }

    /// Parses an optional value, recording a problem only when it is present and invalid.
    /// The outer `None` means "invalid", the inner one "absent".
    pub(crate) fn optional<R, T>(
        &mut self,
        field: &str,
        raw: Option<R>,
        parse: impl FnOnce(R) -> Result<T, ValueError>,
    ) -> Option<Option<T>> {
        match raw {
            None => Some(None),
            Some(raw) => self.check(field, parse(raw)).map(Some),
        }
    }

    /// Parses a required value, recording a problem when it is missing or invalid.
    pub(crate) fn required<R, T>(
        &mut self,
        field: &str,
        raw: Option<R>,
        what: &str,
        parse: impl FnOnce(R) -> Result<T, ValueError>,
    ) -> Option<T> {
        match raw {
            None => {
                self.push(field, format!("{} ({what})", MISSING[0]));
                None
            }
            Some(raw) => self.check(field, parse(raw)),
        }
    }

    /// Finishes the document: the value built from the parts, or every problem found.
    pub(crate) fn finish<T>(self, build: impl FnOnce() -> Option<T>) -> Result<T, Invalid> {
        if !self.problems.is_empty() {
            return Err(Invalid { problems: self.problems });
        }
        match build() {
            Some(value) => Ok(value),
            None => {
                Err(Invalid { problems: vec![Problem { field: "(document)".into(), message: "is not valid".into() }] })
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::{ids::SpecId, wire::SpecDocument};

    #[test]
    fn a_missing_element_is_told_from_a_wrong_one() {
        let document = SpecDocument { eqf_level: Some(9), ..SpecDocument::default() };
        let invalid = document.parse(SpecId::from_uuid(uuid::Uuid::nil())).unwrap_err();
        let missing =
            |field: &str| invalid.problems().iter().find(|p| p.field == field).map(super::Problem::is_missing);
        assert_eq!(missing("title"), Some(true));
        assert_eq!(missing("learning_outcomes"), Some(true));
        assert_eq!(missing("eqf_level"), Some(false));
        assert!(super::says_missing("is required (the learner's full name)"), "a stored cohort row's reason");
    }
}

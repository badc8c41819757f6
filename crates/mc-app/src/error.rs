//! The errors of the use cases, one enum for the CLI and the HTTP server to map.

use mc_core::{Invalid, Problem, ValueError};
use mc_store::StoreError;

/// Why a use case did not do what was asked. Nothing was changed when one is returned.
#[derive(Debug, thiserror::Error)]
pub enum AppError {
    /// The input could not be read as a document at all.
    #[error("cannot read the {format} document: {message}")]
    Parse {
        /// `JSON` or `TOML`.
        format: &'static str,
        /// The parser's words, with the line and column.
        message: String,
    },
    /// The document was read, but some of its values are wrong.
    #[error(transparent)]
    Rejected(#[from] Invalid),
    /// A single argument is wrong.
    #[error("{source}")]
    InvalidArgument {
        /// What the argument is.
        what: &'static str,
        /// Why it is wrong.
        #[source]
        source: ValueError,
    },
    /// Nothing has that id.
    #[error("no {what} with id {id:?} exists")]
    NotFound {
        /// The kind of thing looked for.
        what: &'static str,
        /// The id looked for.
        id: String,
    },
    /// The request clashes with what is stored.
    #[error("{0}")]
    Conflict(String),
    /// The caller could not be identified: no credentials, or wrong ones.
    #[error("{0}")]
    Unauthenticated(String),
    /// The caller is known but may not do this.
    #[error("{0}")]
    Forbidden(String),
    /// Too many attempts failed: the next one is refused until `retry_after_seconds` have passed.
    #[error("too many failed attempts; try again in {retry_after_seconds} seconds")]
    TooManyAttempts {
        /// How long to wait.
        retry_after_seconds: u64,
    },
    /// Issuer keys cannot be made or used.
    #[error("{0}")]
    Keys(String),
    /// A service the use case needs (a remote key store) cannot be reached for now: the same
    /// request may succeed later.
    #[error("{0}")]
    Unavailable(String),
    /// The store failed.
    #[error(transparent)]
    Store(#[from] StoreError),
}

impl AppError {
    pub(crate) fn invalid_argument(what: &'static str, source: ValueError) -> AppError {
        AppError::InvalidArgument { what, source }
    }

    /// Whether the same request may succeed if tried again later: the store lost its
    /// connection or chose this transaction to fail, or a service was unavailable.
    pub fn is_transient(&self) -> bool {
        match self {
            AppError::Store(err) => err.is_transient(),
            AppError::Unavailable(_) => true,
            _ => false,
        }
    }

    /// The problems found in a rejected document, empty for other errors.
    pub fn problems(&self) -> &[Problem] {
        match self {
            AppError::Rejected(invalid) => invalid.problems(),
            _ => &[],
        }
    }
}

impl From<mc_vc::proof::ProofError> for AppError {
    fn from(err: mc_vc::proof::ProofError) -> AppError {
        AppError::Keys(format!("cannot sign: {err}"))
    }
}

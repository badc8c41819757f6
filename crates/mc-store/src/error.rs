//! What can go wrong in the store.

use sqlx::error::ErrorKind;

/// An error from the store.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// The database URL names no supported engine.
    #[error("unsupported database URL {url:?}: use sqlite://PATH or postgres://USER@HOST/DATABASE")]
    UnsupportedUrl {
        /// The URL, password hidden.
        url: String,
    },
    /// The database could not be reached or opened.
    #[error("cannot open the database at {url}: {source}")]
    Connect {
        /// The URL, password hidden.
        url: String,
        /// Why.
        #[source]
        source: sqlx::Error,
    },
    /// The schema could not be brought up to date.
    #[error("cannot bring the database schema up to date: {0}")]
    Migrate(#[source] sqlx::migrate::MigrateError),
    /// A write would duplicate something that must be unique.
    #[error("{what} already exists ({detail})")]
    Conflict {
        /// What was being written, such as "an institution with this id or legal identifier".
        what: &'static str,
        /// The column whose value is taken, when the database says which.
        column: Option<&'static str>,
        /// The database's own words.
        detail: String,
    },
    /// A write refers to something that is not stored.
    #[error("{what} refers to something that is not stored ({detail})")]
    MissingReference {
        /// What was being written.
        what: &'static str,
        /// The database's own words.
        detail: String,
    },
    /// Stored data does not parse: the database was changed outside microcred.
    #[error("stored {what} {id} is damaged: {detail}")]
    Corrupt {
        /// The kind of record.
        what: &'static str,
        /// Its id.
        id: String,
        /// What is wrong with it.
        detail: String,
    },
    /// Any other database error.
    #[error("database error: {0}")]
    Database(#[from] sqlx::Error),
}

impl StoreError {
    /// Classifies an error from a write of `what` into a table whose unique columns are
    /// `unique_columns`.
    pub(crate) fn from_write(what: &'static str, unique_columns: &[&'static str], err: sqlx::Error) -> StoreError {
        let sqlx::Error::Database(db_err) = &err else { return StoreError::Database(err) };
        let detail = db_err.message().to_owned();
        match db_err.kind() {
            ErrorKind::UniqueViolation => {
                // SQLite says "UNIQUE constraint failed: table.column", PostgreSQL names the
                // constraint "table_column_key".
                let said = db_err.constraint().unwrap_or(&detail);
                let column = unique_columns.iter().copied().find(|column| said.contains(column));
                StoreError::Conflict { what, column, detail }
            }
            ErrorKind::ForeignKeyViolation => StoreError::MissingReference { what, detail },
            _ => StoreError::Database(err),
        }
    }
}

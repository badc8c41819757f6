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
    /// Whether the same request may succeed if tried again: the connection was lost or could
    /// not be had, the server is shutting down or overloaded, or the database chose this
    /// transaction to fail (a deadlock, a serialization failure, a busy SQLite file). Errors
    /// of what was asked (conflicts, missing references, damaged rows) are not.
    pub fn is_transient(&self) -> bool {
        match self {
            StoreError::Connect { .. } => true,
            StoreError::Database(err) => match err {
                sqlx::Error::Io(_)
                | sqlx::Error::Tls(_)
                | sqlx::Error::Protocol(_)
                | sqlx::Error::PoolTimedOut
                | sqlx::Error::WorkerCrashed => true,
                sqlx::Error::Database(db_err) => db_err.code().is_some_and(|code| transient_code(&code)),
                _ => false,
            },
            _ => false,
        }
    }

    /// Classifies an error from a write of `what` into a table whose unique columns are
    /// `unique_columns`, the primary key's last.
    pub(crate) fn from_write(what: &'static str, unique_columns: &[&'static str], err: sqlx::Error) -> StoreError {
        let sqlx::Error::Database(db_err) = &err else { return StoreError::Database(err) };
        let detail = db_err.message().to_owned();
        match db_err.kind() {
            ErrorKind::UniqueViolation => {
                let column = taken_column(db_err.constraint(), &detail, unique_columns);
                StoreError::Conflict { what, column, detail }
            }
            ErrorKind::ForeignKeyViolation => StoreError::MissingReference { what, detail },
            _ => StoreError::Database(err),
        }
    }
}

/// Which of `unique_columns` (the primary key's last) a unique violation is about, the same on
/// both backends. PostgreSQL names the constraint: `table_pkey` for the primary key,
/// `table_column_key` for a unique column, or a unique index's own name, which ends with its
/// column's (`credentials_idempotency_key`). SQLite lists every column of the constraint
/// (`UNIQUE constraint failed: table.a, table.b`). Columns are compared whole, so a constraint
/// on `institution_id` or on `spec_id, learner_id, cohort_key` is not one on `id`.
fn taken_column(constraint: Option<&str>, message: &str, unique_columns: &[&'static str]) -> Option<&'static str> {
    if let Some(constraint) = constraint {
        if constraint.ends_with("_pkey") {
            return unique_columns.last().copied();
        }
        return unique_columns.iter().copied().find(|column| {
            constraint.strip_suffix("_key").unwrap_or(constraint).ends_with(&format!("_{column}"))
                || constraint.ends_with(&format!("_{column}"))
        });
    }
    let (_, listed) = message.split_once("constraint failed: ")?;
    let columns: Vec<&str> =
        listed.split(", ").map(|named| named.rsplit_once('.').map_or(named, |(_table, column)| column)).collect();
    unique_columns.iter().copied().find(|column| columns.contains(column))
}

/// Whether a database error code says "try again": PostgreSQL's connection exceptions (class
/// 08), operator intervention (57P01 terminated by an administrator, 57P02 crash, 57P03 cannot
/// connect now), too many connections (53300), serialization failure and deadlock (40001,
/// 40P01); SQLite's BUSY and LOCKED, with their extended codes (numbers of at most four
/// digits, where PostgreSQL's codes always have five characters).
fn transient_code(code: &str) -> bool {
    match code.len() {
        5 => code.starts_with("08") || matches!(code, "57P01" | "57P02" | "57P03" | "53300" | "40001" | "40P01"),
        _ => code.parse::<u32>().is_ok_and(|sqlite| matches!(sqlite & 0xff, 5 | 6)),
    }
}

#[cfg(test)]
mod tests {
    use super::transient_code;

    #[test]
    fn transient_codes_are_told_apart_by_backend() {
        for code in ["57P01", "08006", "08P01", "40001", "40P01", "53300", "5", "6", "517", "262"] {
            assert!(transient_code(code), "{code}");
        }
        // 22021 would be SQLite BUSY if read as a number: PostgreSQL codes have five characters.
        for code in ["23505", "23503", "42P01", "22021", "19", "2067", "1"] {
            assert!(!transient_code(code), "{code}");
        }
    }
}

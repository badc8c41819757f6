//! Co-awarding consent: which institutions named as awarding bodies of another's specification
//! have accepted, declined, or not yet answered.

use sqlx::{AnyConnection, Row, any::AnyRow};
use std::ops::DerefMut;

use crate::{Db, StoreError};

/// An institution's answer to being named as an awarding body of a specification.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConsentRecord {
    /// The specification.
    pub spec_id: String,
    /// The institution asked.
    pub institution_id: String,
    /// `pending`, `accepted` or `declined`.
    pub state: String,
    /// When it was asked, Unix seconds.
    pub requested_at: i64,
    /// When it answered, Unix seconds.
    pub decided_at: Option<i64>,
    /// Who answered, for the record (`token:ID`, `staff:ID`).
    pub decided_by: Option<String>,
}

fn consent_from_row(row: &AnyRow) -> Result<ConsentRecord, StoreError> {
    Ok(ConsentRecord {
        spec_id: row.try_get("spec_id")?,
        institution_id: row.try_get("institution_id")?,
        state: row.try_get("state")?,
        requested_at: row.try_get("requested_at")?,
        decided_at: row.try_get("decided_at")?,
        decided_by: row.try_get("decided_by")?,
    })
}

/// A `SELECT` of every consent column, followed by `$tail`.
macro_rules! select_consents {
    ($tail:literal) => {
        concat!(
            "SELECT spec_id, institution_id, state, requested_at, decided_at, decided_by FROM spec_consents ",
            $tail
        )
    };
}

impl<C: DerefMut<Target = AnyConnection> + Send> Db<C> {
    /// Forgets the consent asked of an institution that a specification no longer names.
    pub async fn delete_consent(&mut self, spec_id: &str, institution_id: &str) -> Result<(), StoreError> {
        sqlx::query("DELETE FROM spec_consents WHERE spec_id = $1 AND institution_id = $2")
            .bind(spec_id)
            .bind(institution_id)
            .execute(&mut *self.conn)
            .await?;
        Ok(())
    }

    /// Locks a specification's row until the transaction ends, so that two transactions that
    /// decide on it (publication, an awarding body's answer) take turns on PostgreSQL as they do
    /// on SQLite; `false` when it is not stored.
    pub async fn lock_spec(&mut self, spec_id: &str) -> Result<bool, StoreError> {
        let done = sqlx::query("UPDATE specs SET id = id WHERE id = $1").bind(spec_id).execute(&mut *self.conn).await?;
        Ok(done.rows_affected() == 1)
    }

    /// The consents asked for a specification, by institution.
    pub async fn consents_of(&mut self, spec_id: &str) -> Result<Vec<ConsentRecord>, StoreError> {
        let conn: &mut AnyConnection = &mut self.conn;
        let rows = sqlx::query(select_consents!("WHERE spec_id = $1 ORDER BY institution_id"))
            .bind(spec_id)
            .fetch_all(conn)
            .await?;
        rows.iter().map(consent_from_row).collect()
    }

    /// The consents asked of an institution, newest first.
    pub async fn consents_asked_of(&mut self, institution_id: &str) -> Result<Vec<ConsentRecord>, StoreError> {
        let conn: &mut AnyConnection = &mut self.conn;
        let rows = sqlx::query(select_consents!("WHERE institution_id = $1 ORDER BY requested_at DESC, spec_id"))
            .bind(institution_id)
            .fetch_all(conn)
            .await?;
        rows.iter().map(consent_from_row).collect()
    }

    /// Records a co-awarding consent, replacing the earlier one of the same specification and
    /// institution.
    pub async fn put_consent(&mut self, record: &ConsentRecord) -> Result<(), StoreError> {
        let conn: &mut AnyConnection = &mut self.conn;
        sqlx::query(
            "INSERT INTO spec_consents (spec_id, institution_id, state, requested_at, decided_at, decided_by) \
             VALUES ($1, $2, $3, $4, $5, $6) \
             ON CONFLICT (spec_id, institution_id) DO UPDATE SET state = excluded.state, \
             requested_at = excluded.requested_at, decided_at = excluded.decided_at, decided_by = excluded.decided_by",
        )
        .bind(&record.spec_id)
        .bind(&record.institution_id)
        .bind(&record.state)
        .bind(record.requested_at)
        .bind(record.decided_at)
        .bind(&record.decided_by)
        .execute(conn)
        .await
        .map_err(|err| StoreError::from_write("a co-awarding consent", &[], err))?;
        Ok(())
    }
}

//! Institutions: their rows, read back into validated `Institution`s.

use std::ops::DerefMut;

use mc_core::{Institution, InstitutionId, wire::InstitutionDocument};
use sqlx::{AnyConnection, Row, any::AnyRow};

use crate::{Db, StoreError, corrupt};

/// A `SELECT` of every institution column, followed by `$tail`.
macro_rules! select_institutions {
    ($tail:literal) => {
        concat!("SELECT id, name, country, legal_identifier, website, did FROM institutions ", $tail)
    };
}

fn institution_from_row(row: &AnyRow) -> Result<Institution, StoreError> {
    let id: String = row.try_get("id")?;
    let name: String = row.try_get("name")?;
    let name = serde_json::from_str(&name).map_err(|err| corrupt("institution", id.clone(), err))?;
    let document = InstitutionDocument {
        id: Some(id.clone()),
        name: Some(name),
        country: Some(row.try_get("country")?),
        legal_identifier: Some(row.try_get("legal_identifier")?),
        website: row.try_get("website")?,
        did: row.try_get("did")?,
    };
    document.parse().map_err(|err| corrupt("institution", id, err))
}

impl<C: DerefMut<Target = AnyConnection> + Send> Db<C> {
    /// The institution with this id.
    pub async fn institution(&mut self, id: &InstitutionId) -> Result<Option<Institution>, StoreError> {
        let conn: &mut AnyConnection = &mut self.conn;
        let row = sqlx::query(select_institutions!("WHERE id = $1")).bind(id.as_str()).fetch_optional(conn).await?;
        row.as_ref().map(institution_from_row).transpose()
    }

    /// Every institution, by id.
    pub async fn institutions(&mut self) -> Result<Vec<Institution>, StoreError> {
        let conn: &mut AnyConnection = &mut self.conn;
        let rows = sqlx::query(select_institutions!("ORDER BY id")).fetch_all(conn).await?;
        rows.iter().map(institution_from_row).collect()
    }

    /// Adds an institution. Fails with [`StoreError::Conflict`] when its id, legal identifier
    /// or DID is taken.
    pub async fn insert_institution(&mut self, institution: &Institution) -> Result<(), StoreError> {
        let conn: &mut AnyConnection = &mut self.conn;
        let document = InstitutionDocument::from(institution);
        let name = serde_json::to_string(&document.name).expect("a map of strings always serializes");
        sqlx::query(
            "INSERT INTO institutions (id, name, country, legal_identifier, website, did) \
             VALUES ($1, $2, $3, $4, $5, $6)",
        )
        .bind(document.id)
        .bind(name)
        .bind(document.country)
        .bind(document.legal_identifier)
        .bind(document.website)
        .bind(document.did)
        .execute(conn)
        .await
        .map_err(|err| {
            StoreError::from_write(
                "an institution with this id, legal identifier or DID",
                &["legal_identifier", "did", "id"],
                err,
            )
        })?;
        Ok(())
    }
}

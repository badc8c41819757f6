//! Micro-credential specifications: the canonical document plus the columns that are
//! filtered or sorted on, bound in one place for insert and update, and the awarding bodies.

use std::ops::DerefMut;

use mc_core::{Spec, SpecId, wire::SpecDocument};
use sqlx::{
    AnyConnection, Row,
    any::{Any, AnyArguments, AnyRow},
    query::Query,
};

use crate::{
    Db, StoreError,
    catalogue::{Counter, bump},
    corrupt,
};

/// `sql` with the columns of `spec` bound in their one order: id, issuer, title, EQF level,
/// ECTS, hours, ISCED-F field, participation, document.
fn spec_columns<'q>(sql: &'static str, spec: &'q Spec) -> Query<'q, Any, AnyArguments> {
    let document = serde_json::to_string(&SpecDocument::from(spec)).expect("a document always serializes");
    let workload = spec.workload();
    sqlx::query(sql)
        .bind(spec.id().to_string())
        .bind(spec.issuer().as_str())
        .bind(spec.default_title())
        .bind(spec.eqf_level().map(|level| i64::from(level.get())))
        .bind(workload.ects())
        .bind(workload.hours().map(i64::from))
        .bind(spec.isced_f().map(|code| code.as_str()))
        .bind(spec.participation().as_str())
        .bind(document)
}

pub(crate) fn spec_from_row(row: &AnyRow) -> Result<Spec, StoreError> {
    let id: String = row.try_get("id")?;
    let document: String = row.try_get("document")?;
    let document: SpecDocument =
        serde_json::from_str(&document).map_err(|err| corrupt("specification", id.clone(), err))?;
    let fallback = SpecId::parse(&id).map_err(|err| corrupt("specification", id.clone(), err))?;
    let spec = document.parse(fallback).map_err(|err| corrupt("specification", id.clone(), err))?;
    match spec.id() == fallback {
        true => Ok(spec),
        false => Err(corrupt("specification", id, format!("its document names another id, {}", spec.id()))),
    }
}

pub(crate) async fn insert_awarding_bodies(conn: &mut AnyConnection, spec: &Spec) -> Result<(), StoreError> {
    for (position, institution) in spec.awarding_bodies().iter().enumerate() {
        sqlx::query("INSERT INTO spec_awarding_bodies (spec_id, institution_id, position) VALUES ($1, $2, $3)")
            .bind(spec.id().to_string())
            .bind(institution.as_str())
            .bind(position as i64)
            .execute(&mut *conn)
            .await
            .map_err(|err| StoreError::from_write("the awarding body of a specification", &[], err))?;
    }
    Ok(())
}

impl<C: DerefMut<Target = AnyConnection> + Send> Db<C> {
    /// The specification with this id.
    pub async fn spec(&mut self, id: SpecId) -> Result<Option<Spec>, StoreError> {
        let conn: &mut AnyConnection = &mut self.conn;
        let row = sqlx::query("SELECT id, document FROM specs WHERE id = $1")
            .bind(id.to_string())
            .fetch_optional(conn)
            .await?;
        row.as_ref().map(spec_from_row).transpose()
    }

    /// Every specification, by issuer and title.
    pub async fn specs(&mut self) -> Result<Vec<Spec>, StoreError> {
        let conn: &mut AnyConnection = &mut self.conn;
        let rows = sqlx::query("SELECT id, document FROM specs ORDER BY issuer_id, title, id").fetch_all(conn).await?;
        rows.iter().map(spec_from_row).collect()
    }

    /// Adds a specification. Fails with [`StoreError::Conflict`] when its id is taken and with
    /// [`StoreError::MissingReference`] when an awarding body is not stored.
    pub async fn insert_spec(&mut self, spec: &Spec) -> Result<(), StoreError> {
        let conn: &mut AnyConnection = &mut self.conn;
        spec_columns(
            "INSERT INTO specs (id, issuer_id, title, eqf_level, ects, hours, isced_f, participation, document) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
            spec,
        )
        .execute(&mut *conn)
        .await
        .map_err(|err| StoreError::from_write("a specification with this id", &["id"], err))?;
        insert_awarding_bodies(conn, spec).await
    }

    /// Replaces a stored specification's document and columns; `false` when it is not stored.
    /// Fails with [`StoreError::MissingReference`] when an awarding body is not stored. Editing a
    /// published specification changes the catalogue.
    pub async fn update_spec(&mut self, spec: &Spec) -> Result<bool, StoreError> {
        let conn: &mut AnyConnection = &mut self.conn;
        let done = spec_columns(
            "UPDATE specs SET issuer_id = $2, title = $3, eqf_level = $4, ects = $5, hours = $6, isced_f = $7, \
             participation = $8, document = $9 WHERE id = $1",
            spec,
        )
        .execute(&mut *conn)
        .await
        .map_err(|err| StoreError::from_write("a specification", &["id"], err))?;
        if done.rows_affected() == 0 {
            return Ok(false);
        }
        sqlx::query("DELETE FROM spec_awarding_bodies WHERE spec_id = $1")
            .bind(spec.id().to_string())
            .execute(&mut *conn)
            .await?;
        insert_awarding_bodies(&mut *conn, spec).await?;
        if self.published_at(spec.id()).await?.flatten().is_some() {
            bump(&mut self.conn, Counter::Catalogue).await?;
        }
        Ok(true)
    }
}

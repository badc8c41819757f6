//! Publication of specifications and the change counters that tell a process its in-memory
//! catalogue or trusted-issuer list is stale.

use mc_core::{Spec, SpecId, wire::SpecDocument};
use sqlx::{AnyConnection, Row};

use crate::{StoreError, queries};

/// A change counter: `catalogue` or `trust`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Counter {
    /// Goes up when a specification is published, withdrawn, or edited while published.
    Catalogue,
    /// Goes up when the trusted-issuer list changes.
    Trust,
}

impl Counter {
    fn name(self) -> &'static str {
        match self {
            Counter::Catalogue => "catalogue",
            Counter::Trust => "trust",
        }
    }
}

pub(crate) async fn counter(conn: &mut AnyConnection, counter: Counter) -> Result<i64, StoreError> {
    let row =
        sqlx::query("SELECT value FROM change_counters WHERE name = $1").bind(counter.name()).fetch_one(conn).await?;
    Ok(row.try_get(0)?)
}

pub(crate) async fn bump(conn: &mut AnyConnection, counter: Counter) -> Result<(), StoreError> {
    sqlx::query("UPDATE change_counters SET value = value + 1 WHERE name = $1")
        .bind(counter.name())
        .execute(conn)
        .await?;
    Ok(())
}

pub(crate) async fn published_specs(conn: &mut AnyConnection) -> Result<Vec<(Spec, i64)>, StoreError> {
    let rows = sqlx::query("SELECT id, document, published_at FROM specs WHERE published_at IS NOT NULL ORDER BY id")
        .fetch_all(conn)
        .await?;
    rows.iter().map(|row| Ok((queries::spec_from_row(row)?, row.try_get("published_at")?))).collect()
}

/// When the specification was published: `None` when it is not stored, `Some(None)` for a
/// draft.
pub(crate) async fn published_at(conn: &mut AnyConnection, id: SpecId) -> Result<Option<Option<i64>>, StoreError> {
    let row =
        sqlx::query("SELECT published_at FROM specs WHERE id = $1").bind(id.to_string()).fetch_optional(conn).await?;
    row.map(|row| row.try_get(0)).transpose().map_err(StoreError::from)
}

pub(crate) async fn set_published(conn: &mut AnyConnection, id: SpecId, at: Option<i64>) -> Result<bool, StoreError> {
    let done = sqlx::query("UPDATE specs SET published_at = $1 WHERE id = $2")
        .bind(at)
        .bind(id.to_string())
        .execute(&mut *conn)
        .await?;
    bump(conn, Counter::Catalogue).await?;
    Ok(done.rows_affected() == 1)
}

pub(crate) async fn update_spec(conn: &mut AnyConnection, spec: &Spec) -> Result<bool, StoreError> {
    let document = serde_json::to_string(&SpecDocument::from(spec)).expect("a document always serializes");
    let workload = spec.workload();
    let done = sqlx::query(
        "UPDATE specs SET issuer_id = $1, title = $2, eqf_level = $3, ects = $4, hours = $5, isced_f = $6, \
         participation = $7, document = $8 WHERE id = $9",
    )
    .bind(spec.issuer().as_str())
    .bind(spec.default_title())
    .bind(spec.eqf_level().map(|level| i64::from(level.get())))
    .bind(workload.ects())
    .bind(workload.hours().map(i64::from))
    .bind(spec.isced_f().map(|code| code.as_str()))
    .bind(spec.participation().as_str())
    .bind(document)
    .bind(spec.id().to_string())
    .execute(&mut *conn)
    .await?;
    if done.rows_affected() == 0 {
        return Ok(false);
    }
    sqlx::query("DELETE FROM spec_awarding_bodies WHERE spec_id = $1")
        .bind(spec.id().to_string())
        .execute(&mut *conn)
        .await?;
    queries::insert_awarding_bodies(&mut *conn, spec).await?;
    if published_at(&mut *conn, spec.id()).await?.flatten().is_some() {
        bump(conn, Counter::Catalogue).await?;
    }
    Ok(true)
}

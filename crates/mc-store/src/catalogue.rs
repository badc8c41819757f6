//! Publication of specifications and the change counters that tell a process its in-memory
//! catalogue or trusted-issuer list is stale.

use mc_core::{Spec, SpecId};
use sqlx::{AnyConnection, Row};
use std::ops::DerefMut;

use crate::{Db, StoreError, specs};

/// A change counter: `catalogue` or `trust`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Counter {
    /// Goes up when a specification is published, withdrawn, or edited while published, and
    /// when an agreement is stored, signed or ended.
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

pub(crate) async fn bump(conn: &mut AnyConnection, counter: Counter) -> Result<(), StoreError> {
    sqlx::query("UPDATE change_counters SET value = value + 1 WHERE name = $1")
        .bind(counter.name())
        .execute(conn)
        .await?;
    Ok(())
}

impl<C: DerefMut<Target = AnyConnection> + Send> Db<C> {
    /// The value of a change counter.
    pub async fn counter(&mut self, counter: Counter) -> Result<i64, StoreError> {
        let conn: &mut AnyConnection = &mut self.conn;
        let row = sqlx::query("SELECT value FROM change_counters WHERE name = $1")
            .bind(counter.name())
            .fetch_one(conn)
            .await?;
        Ok(row.try_get(0)?)
    }

    /// Every published specification, with when it was published (Unix seconds), by id.
    pub async fn published_specs(&mut self) -> Result<Vec<(Spec, i64)>, StoreError> {
        let conn: &mut AnyConnection = &mut self.conn;
        let rows =
            sqlx::query("SELECT id, document, published_at FROM specs WHERE published_at IS NOT NULL ORDER BY id")
                .fetch_all(conn)
                .await?;
        rows.iter().map(|row| Ok((specs::spec_from_row(row)?, row.try_get("published_at")?))).collect()
    }

    /// The specification with this id if it is published; `None` for a draft or one not stored.
    pub async fn published_spec(&mut self, id: SpecId) -> Result<Option<Spec>, StoreError> {
        let conn: &mut AnyConnection = &mut self.conn;
        let row = sqlx::query("SELECT id, document FROM specs WHERE id = $1 AND published_at IS NOT NULL")
            .bind(id.to_string())
            .fetch_optional(conn)
            .await?;
        row.as_ref().map(specs::spec_from_row).transpose()
    }

    /// When a specification was published: `None` when it is not stored, `Some(None)` for a
    /// draft.
    pub async fn published_at(&mut self, id: SpecId) -> Result<Option<Option<i64>>, StoreError> {
        let conn: &mut AnyConnection = &mut self.conn;
        let row = sqlx::query("SELECT published_at FROM specs WHERE id = $1")
            .bind(id.to_string())
            .fetch_optional(conn)
            .await?;
        row.map(|row| row.try_get(0)).transpose().map_err(StoreError::from)
    }

    /// Tells every process that the catalogue changed without a publication: what the
    /// agreements in force recognise did.
    pub async fn touch_catalogue(&mut self) -> Result<(), StoreError> {
        bump(&mut self.conn, Counter::Catalogue).await
    }

    /// Publishes a specification at `at` (Unix seconds), or withdraws it with `None`; `false`
    /// when it is not stored, and then the catalogue did not change.
    pub async fn set_published(&mut self, id: SpecId, at: Option<i64>) -> Result<bool, StoreError> {
        let conn: &mut AnyConnection = &mut self.conn;
        let done = sqlx::query("UPDATE specs SET published_at = $1 WHERE id = $2")
            .bind(at)
            .bind(id.to_string())
            .execute(&mut *conn)
            .await?;
        if done.rows_affected() == 0 {
            return Ok(false);
        }
        bump(conn, Counter::Catalogue).await?;
        Ok(true)
    }
}

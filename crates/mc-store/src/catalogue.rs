//! Publication of specifications and the change counters that tell a process its in-memory
//! catalogue or trusted-issuer list is stale, with the catalogue's changes one specification
//! at a time, so that a process can bring its index up to date without building it anew.

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

/// How many catalogue changes are kept for the processes catching up; one further behind
/// builds its index anew.
const CHANGES_KEPT: i64 = 10_000;

/// Moves a counter on; returns its new value. The counter's row stays locked until the
/// transaction ends, so values are committed in the order they are given.
pub(crate) async fn bump(conn: &mut AnyConnection, counter: Counter) -> Result<i64, StoreError> {
    let row = sqlx::query("UPDATE change_counters SET value = value + 1 WHERE name = $1 RETURNING value")
        .bind(counter.name())
        .fetch_one(conn)
        .await?;
    Ok(row.try_get(0)?)
}

/// Moves the catalogue counter on for a change to one specification, and notes which.
pub(crate) async fn spec_changed(conn: &mut AnyConnection, id: SpecId) -> Result<(), StoreError> {
    let version = bump(&mut *conn, Counter::Catalogue).await?;
    sqlx::query("INSERT INTO catalogue_changes (version, spec_id) VALUES ($1, $2)")
        .bind(version)
        .bind(id.to_string())
        .execute(&mut *conn)
        .await?;
    // The old ones go a hundred at a time, not one round trip more per change.
    if version % 100 == 0 {
        sqlx::query("DELETE FROM catalogue_changes WHERE version <= $1")
            .bind(version - CHANGES_KEPT)
            .execute(conn)
            .await?;
    }
    Ok(())
}

/// How many published specifications [`Db::published_specs_after`] reads at most at once.
pub const PUBLISHED_PAGE: usize = 500;

/// A published specification as its row holds it: its id checked when read, its document not
/// yet parsed.
#[derive(Debug)]
pub struct PublishedRow {
    id: SpecId,
    document: String,
    published_at: i64,
}

impl PublishedRow {
    /// The specification's id.
    pub fn id(&self) -> SpecId {
        self.id
    }

    /// The specification, with when it was published (Unix seconds); an error when the stored
    /// document does not parse or names another id.
    pub fn parse(self) -> Result<(Spec, i64), StoreError> {
        Ok((specs::spec_from_stored(self.id, &self.document)?, self.published_at))
    }
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
        let mut all = Vec::new();
        loop {
            let page = self.published_specs_after(all.last().map(|(spec, _): &(Spec, i64)| spec.id())).await?;
            let done = page.len() < PUBLISHED_PAGE;
            all.extend(page);
            if done {
                return Ok(all);
            }
        }
    }

    /// The next [`PUBLISHED_PAGE`] published specifications by id after `after` (from the
    /// first without it), with when each was published: a catalogue is read page by page,
    /// never all at once.
    pub async fn published_specs_after(&mut self, after: Option<SpecId>) -> Result<Vec<(Spec, i64)>, StoreError> {
        self.published_rows_after(after).await?.into_iter().map(PublishedRow::parse).collect()
    }

    /// As [`Db::published_specs_after`], with the documents read but not yet parsed: parsing
    /// costs more than reading, so the catalogue's reader leaves it to other threads.
    pub async fn published_rows_after(&mut self, after: Option<SpecId>) -> Result<Vec<PublishedRow>, StoreError> {
        let conn: &mut AnyConnection = &mut self.conn;
        let rows = sqlx::query(
            "SELECT id, document, published_at FROM specs WHERE published_at IS NOT NULL AND id > $1 \
             ORDER BY id LIMIT $2",
        )
        .bind(after.map_or_else(String::new, |id| id.to_string()))
        .bind(PUBLISHED_PAGE as i64)
        .fetch_all(conn)
        .await?;
        rows.iter()
            .map(|row| {
                Ok(PublishedRow {
                    id: specs::spec_id_from_row(row)?,
                    document: row.try_get("document")?,
                    published_at: row.try_get("published_at")?,
                })
            })
            .collect()
    }

    /// Those of these specifications that are published, with when, by id.
    pub async fn published_specs_among(&mut self, ids: &[SpecId]) -> Result<Vec<(Spec, i64)>, StoreError> {
        let mut found = Vec::new();
        for chunk in ids.chunks(crate::ROWS_PER_STATEMENT) {
            let sql = crate::many_rows(
                self.backend,
                "SELECT id, document, published_at FROM specs WHERE published_at IS NOT NULL AND id IN (",
                1,
                chunk.len(),
                0,
                ") ORDER BY id",
            );
            let mut query = sqlx::query(sql);
            for id in chunk {
                query = query.bind(id.to_string());
            }
            for row in query.fetch_all(&mut *self.conn).await? {
                found.push((specs::spec_from_row(&row)?, row.try_get("published_at")?));
            }
        }
        Ok(found)
    }

    /// The specifications the catalogue changes after version `since` up to `upto` were about,
    /// each once; `None` when one of those changes was about no one specification (an
    /// agreement) or is no longer kept, and only building the index anew brings it up to date.
    pub async fn catalogue_changes(&mut self, since: i64, upto: i64) -> Result<Option<Vec<SpecId>>, StoreError> {
        let conn: &mut AnyConnection = &mut self.conn;
        let rows = sqlx::query(
            "SELECT version, spec_id FROM catalogue_changes WHERE version > $1 AND version <= $2 ORDER BY version",
        )
        .bind(since)
        .bind(upto)
        .fetch_all(conn)
        .await?;
        if i64::try_from(rows.len()).ok() != upto.checked_sub(since) {
            return Ok(None);
        }
        let mut ids = Vec::with_capacity(rows.len());
        let mut seen = std::collections::HashSet::with_capacity(rows.len());
        for row in &rows {
            let raw: String = row.try_get("spec_id")?;
            let id = SpecId::parse(&raw).map_err(|err| crate::corrupt("catalogue change", raw.clone(), err))?;
            if seen.insert(id) {
                ids.push(id);
            }
        }
        Ok(Some(ids))
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
        bump(&mut self.conn, Counter::Catalogue).await.map(drop)
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
        spec_changed(conn, id).await?;
        Ok(true)
    }
}

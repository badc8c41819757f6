//! Micro-credential specifications: the canonical document plus the columns that are
//! filtered or sorted on, bound in one place for insert and update, and the awarding bodies.

use std::ops::DerefMut;

use mc_core::{Spec, SpecId, wire::SpecDocument};
use sqlx::{
    AnyConnection, Row,
    any::{Any, AnyArguments, AnyRow},
    query::Query,
};

use crate::{Db, StoreError, corrupt};

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
    spec_from_stored(spec_id_from_row(row)?, &row.try_get::<String, _>("document")?)
}

/// The id in a row's `id` column.
pub(crate) fn spec_id_from_row(row: &AnyRow) -> Result<SpecId, StoreError> {
    let id: String = row.try_get("id")?;
    SpecId::parse(&id).map_err(|err| corrupt("specification", id, err))
}

/// The specification stored under `id` with this document.
pub(crate) fn spec_from_stored(id: SpecId, document: &str) -> Result<Spec, StoreError> {
    let damaged = |err: &dyn std::fmt::Display| corrupt("specification", id.to_string(), err);
    let document: SpecDocument = serde_json::from_str(document).map_err(|err| damaged(&err))?;
    let spec = document.parse(id).map_err(|err| damaged(&err))?;
    match spec.id() == id {
        true => Ok(spec),
        false => Err(damaged(&format!("its document names another id, {}", spec.id()))),
    }
}

fn version_from_row(row: &AnyRow) -> Result<u32, StoreError> {
    let id: String = row.try_get("id")?;
    let version: i64 = row.try_get("version")?;
    u32::try_from(version).map_err(|_| corrupt("specification", id, format!("its version {version} is out of range")))
}

/// Keeps the current document of a specification as the version it has now.
async fn keep_version(conn: &mut AnyConnection, id: SpecId) -> Result<(), StoreError> {
    sqlx::query(
        "INSERT INTO spec_versions (spec_id, version, document) SELECT id, version, document FROM specs WHERE id = $1",
    )
    .bind(id.to_string())
    .execute(conn)
    .await
    .map_err(|err| StoreError::from_write("a version of this specification", &[], err))?;
    Ok(())
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

    /// The specification with this id and the number of its current version (1 when stored,
    /// one more at each edit).
    pub async fn spec_with_version(&mut self, id: SpecId) -> Result<Option<(Spec, u32)>, StoreError> {
        let conn: &mut AnyConnection = &mut self.conn;
        let row = sqlx::query("SELECT id, document, version FROM specs WHERE id = $1")
            .bind(id.to_string())
            .fetch_optional(conn)
            .await?;
        let Some(row) = row else { return Ok(None) };
        let version = version_from_row(&row)?;
        Ok(Some((spec_from_row(&row)?, version)))
    }

    /// A version of a specification, as it was when that version was saved.
    pub async fn spec_version(&mut self, id: SpecId, version: u32) -> Result<Option<Spec>, StoreError> {
        let conn: &mut AnyConnection = &mut self.conn;
        let row = sqlx::query("SELECT spec_id AS id, document FROM spec_versions WHERE spec_id = $1 AND version = $2")
            .bind(id.to_string())
            .bind(i64::from(version))
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
        keep_version(conn, spec.id()).await?;
        insert_awarding_bodies(conn, spec).await
    }

    /// Replaces a stored specification's document and columns, as its next version; `false`
    /// when it is not stored. Fails with [`StoreError::MissingReference`] when an awarding body
    /// is not stored. Editing a published specification changes the catalogue.
    pub async fn update_spec(&mut self, spec: &Spec) -> Result<bool, StoreError> {
        let conn: &mut AnyConnection = &mut self.conn;
        let done = spec_columns(
            "UPDATE specs SET issuer_id = $2, title = $3, eqf_level = $4, ects = $5, hours = $6, isced_f = $7, \
             participation = $8, document = $9, version = version + 1 WHERE id = $1",
            spec,
        )
        .execute(&mut *conn)
        .await
        .map_err(|err| StoreError::from_write("a specification", &["id"], err))?;
        if done.rows_affected() == 0 {
            return Ok(false);
        }
        keep_version(&mut *conn, spec.id()).await?;
        sqlx::query("DELETE FROM spec_awarding_bodies WHERE spec_id = $1")
            .bind(spec.id().to_string())
            .execute(&mut *conn)
            .await?;
        insert_awarding_bodies(&mut *conn, spec).await?;
        if self.published_at(spec.id()).await?.flatten().is_some() {
            crate::catalogue::spec_changed(&mut self.conn, spec.id()).await?;
        }
        Ok(true)
    }
}

/// A specification's own badge image.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SpecImageRecord {
    /// `image/png` or `image/svg+xml`.
    pub media_type: String,
    /// The image, base64.
    pub content: String,
    /// When it was set (RFC 3339).
    pub updated_at: String,
}

impl<C: DerefMut<Target = AnyConnection> + Send> Db<C> {
    /// Sets a specification's badge image, replacing the one before.
    pub async fn set_spec_image(&mut self, spec_id: SpecId, image: &SpecImageRecord) -> Result<(), StoreError> {
        let conn: &mut AnyConnection = &mut self.conn;
        sqlx::query(
            "INSERT INTO spec_images (spec_id, media_type, content, updated_at) VALUES ($1, $2, $3, $4) \
             ON CONFLICT (spec_id) DO UPDATE SET media_type = excluded.media_type, content = excluded.content, \
             updated_at = excluded.updated_at",
        )
        .bind(spec_id.to_string())
        .bind(&image.media_type)
        .bind(&image.content)
        .bind(&image.updated_at)
        .execute(conn)
        .await
        .map_err(|err| StoreError::from_write("a specification image", &["spec_id"], err))?;
        Ok(())
    }

    /// A specification's badge image, when it has one of its own.
    pub async fn spec_image(&mut self, spec_id: SpecId) -> Result<Option<SpecImageRecord>, StoreError> {
        let conn: &mut AnyConnection = &mut self.conn;
        let row = sqlx::query("SELECT media_type, content, updated_at FROM spec_images WHERE spec_id = $1")
            .bind(spec_id.to_string())
            .fetch_optional(conn)
            .await?;
        row.map(|row| {
            Ok(SpecImageRecord {
                media_type: row.try_get("media_type")?,
                content: row.try_get("content")?,
                updated_at: row.try_get("updated_at")?,
            })
        })
        .transpose()
    }
}

/// A specification document saved from the editor before it reads as a specification.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SpecDraftRecord {
    /// The id of the specification it will become, or is an edit of.
    pub id: String,
    /// The institution whose staff write it.
    pub institution_id: String,
    /// The document as written, JSON.
    pub document: String,
    /// When it was last saved (RFC 3339).
    pub updated_at: String,
}

fn draft_from_row(row: &AnyRow) -> Result<SpecDraftRecord, StoreError> {
    Ok(SpecDraftRecord {
        id: row.try_get("id")?,
        institution_id: row.try_get("institution_id")?,
        document: row.try_get("document")?,
        updated_at: row.try_get("updated_at")?,
    })
}

impl<C: DerefMut<Target = AnyConnection> + Send> Db<C> {
    /// Saves a draft, replacing the institution's draft with the same id. Fails with
    /// [`StoreError::Conflict`] when another institution has a draft with that id.
    pub async fn put_spec_draft(&mut self, draft: &SpecDraftRecord) -> Result<(), StoreError> {
        let conn: &mut AnyConnection = &mut self.conn;
        let written = sqlx::query(
            "INSERT INTO spec_drafts (id, institution_id, document, updated_at) VALUES ($1, $2, $3, $4) \
             ON CONFLICT (id) DO UPDATE SET document = excluded.document, updated_at = excluded.updated_at \
             WHERE spec_drafts.institution_id = excluded.institution_id",
        )
        .bind(&draft.id)
        .bind(&draft.institution_id)
        .bind(&draft.document)
        .bind(&draft.updated_at)
        .execute(conn)
        .await
        .map_err(|err| StoreError::from_write("a specification draft", &[], err))?;
        if written.rows_affected() == 0 {
            return Err(StoreError::Conflict {
                what: "a specification draft with this id",
                column: Some("id"),
                detail: "another institution's draft has this id".into(),
            });
        }
        Ok(())
    }

    /// The draft with this id, of whichever institution.
    pub async fn spec_draft(&mut self, id: &str) -> Result<Option<SpecDraftRecord>, StoreError> {
        let conn: &mut AnyConnection = &mut self.conn;
        let row = sqlx::query("SELECT id, institution_id, document, updated_at FROM spec_drafts WHERE id = $1")
            .bind(id)
            .fetch_optional(conn)
            .await?;
        row.as_ref().map(draft_from_row).transpose()
    }

    /// An institution's drafts, the latest saved first.
    pub async fn spec_drafts_of(&mut self, institution_id: &str) -> Result<Vec<SpecDraftRecord>, StoreError> {
        let conn: &mut AnyConnection = &mut self.conn;
        let rows = sqlx::query(
            "SELECT id, institution_id, document, updated_at FROM spec_drafts WHERE institution_id = $1 \
             ORDER BY updated_at DESC, id",
        )
        .bind(institution_id)
        .fetch_all(conn)
        .await?;
        rows.iter().map(draft_from_row).collect()
    }

    /// Removes an institution's draft (once saved as a specification, or abandoned); nothing
    /// when it has none with this id.
    pub async fn delete_spec_draft(&mut self, id: &str, institution_id: &str) -> Result<(), StoreError> {
        let conn: &mut AnyConnection = &mut self.conn;
        sqlx::query("DELETE FROM spec_drafts WHERE id = $1 AND institution_id = $2")
            .bind(id)
            .bind(institution_id)
            .execute(conn)
            .await?;
        Ok(())
    }

    /// How many drafts an institution keeps.
    pub async fn spec_draft_count(&mut self, institution_id: &str) -> Result<u64, StoreError> {
        let conn: &mut AnyConnection = &mut self.conn;
        let count: i64 = sqlx::query("SELECT COUNT(*) AS n FROM spec_drafts WHERE institution_id = $1")
            .bind(institution_id)
            .fetch_one(conn)
            .await?
            .try_get("n")?;
        Ok(u64::try_from(count).unwrap_or_default())
    }
}

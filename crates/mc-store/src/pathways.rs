//! Stacking pathways, each kept as its document, and the stacked credentials issued for them
//! (one per pathway and learner).

use std::ops::DerefMut;

use sqlx::{AnyConnection, Row, any::AnyRow};

use crate::{Db, StoreError};

/// A stored pathway.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PathwayRecord {
    /// The pathway's handle.
    pub id: String,
    /// The institution that awards its stacked credential.
    pub institution_id: String,
    /// The pathway document, JSON.
    pub document: String,
    /// Who stored it.
    pub created_by: String,
    /// When (RFC 3339).
    pub created_at: String,
}

/// A stacked credential issued for a pathway.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StackedRecord {
    /// The credential's id (a UUID).
    pub id: String,
    /// The pathway.
    pub pathway_id: String,
    /// The learner.
    pub learner_id: String,
    /// The signed Open Badges credential, JSON.
    pub document: String,
    /// The sealed European Digital Credential, JSON, when the institution has a seal.
    pub edc_document: Option<String>,
    /// When (RFC 3339).
    pub issued_at: String,
}

/// A `SELECT` of every pathway column, followed by `$tail`.
macro_rules! select_pathways {
    ($tail:literal) => {
        concat!("SELECT id, institution_id, document, created_by, created_at FROM pathways ", $tail)
    };
}

/// A `SELECT` of every stacked credential column, followed by `$tail`.
macro_rules! select_stacked {
    ($tail:literal) => {
        concat!("SELECT id, pathway_id, learner_id, document, edc_document, issued_at FROM stacked_credentials ", $tail)
    };
}

fn pathway_of(row: &AnyRow) -> Result<PathwayRecord, StoreError> {
    Ok(PathwayRecord {
        id: row.try_get("id")?,
        institution_id: row.try_get("institution_id")?,
        document: row.try_get("document")?,
        created_by: row.try_get("created_by")?,
        created_at: row.try_get("created_at")?,
    })
}

fn stacked_of(row: &AnyRow) -> Result<StackedRecord, StoreError> {
    Ok(StackedRecord {
        id: row.try_get("id")?,
        pathway_id: row.try_get("pathway_id")?,
        learner_id: row.try_get("learner_id")?,
        document: row.try_get("document")?,
        edc_document: row.try_get("edc_document")?,
        issued_at: row.try_get("issued_at")?,
    })
}

impl<C: DerefMut<Target = AnyConnection> + Send> Db<C> {
    /// Stores a pathway; its handle is taken once (a conflict on `id`).
    pub async fn insert_pathway(&mut self, pathway: &PathwayRecord) -> Result<(), StoreError> {
        let conn: &mut AnyConnection = &mut self.conn;
        sqlx::query(
            "INSERT INTO pathways (id, institution_id, document, created_by, created_at) VALUES ($1, $2, $3, $4, $5)",
        )
        .bind(&pathway.id)
        .bind(&pathway.institution_id)
        .bind(&pathway.document)
        .bind(&pathway.created_by)
        .bind(&pathway.created_at)
        .execute(conn)
        .await
        .map_err(|err| StoreError::from_write("a pathway", &["id"], err))?;
        Ok(())
    }

    /// One pathway.
    pub async fn pathway(&mut self, id: &str) -> Result<Option<PathwayRecord>, StoreError> {
        let conn: &mut AnyConnection = &mut self.conn;
        let row = sqlx::query(select_pathways!("WHERE id = $1")).bind(id).fetch_optional(conn).await?;
        row.as_ref().map(pathway_of).transpose()
    }

    /// Every pathway, by handle.
    pub async fn pathways(&mut self) -> Result<Vec<PathwayRecord>, StoreError> {
        let conn: &mut AnyConnection = &mut self.conn;
        let rows = sqlx::query(select_pathways!("ORDER BY id")).fetch_all(conn).await?;
        rows.iter().map(pathway_of).collect()
    }

    /// Stores a stacked credential; a learner gets one per pathway (a conflict on
    /// `learner_id`).
    pub async fn insert_stacked_credential(&mut self, stacked: &StackedRecord) -> Result<(), StoreError> {
        let conn: &mut AnyConnection = &mut self.conn;
        sqlx::query(
            "INSERT INTO stacked_credentials (id, pathway_id, learner_id, document, edc_document, issued_at) \
             VALUES ($1, $2, $3, $4, $5, $6)",
        )
        .bind(&stacked.id)
        .bind(&stacked.pathway_id)
        .bind(&stacked.learner_id)
        .bind(&stacked.document)
        .bind(&stacked.edc_document)
        .bind(&stacked.issued_at)
        .execute(conn)
        .await
        .map_err(|err| StoreError::from_write("a stacked credential", &["learner_id", "id"], err))?;
        Ok(())
    }

    /// A learner's stacked credentials, oldest first.
    pub async fn stacked_credentials(&mut self, learner_id: &str) -> Result<Vec<StackedRecord>, StoreError> {
        let conn: &mut AnyConnection = &mut self.conn;
        let rows = sqlx::query(select_stacked!("WHERE learner_id = $1 ORDER BY issued_at, id"))
            .bind(learner_id)
            .fetch_all(conn)
            .await?;
        rows.iter().map(stacked_of).collect()
    }
}

//! The SQL, shared by both backends, and the mapping between rows and domain values. This is
//! the only module that knows table and column names.

use mc_core::{
    Email, Institution, InstitutionId, Learner, LearnerId, Spec, SpecId,
    wire::{InstitutionDocument, LearnerDocument, SpecDocument},
};
use sqlx::{AnyConnection, Row, any::AnyRow};

use crate::{Counts, StoreError};

fn corrupt(what: &'static str, id: String, detail: impl ToString) -> StoreError {
    StoreError::Corrupt { what, id, detail: detail.to_string() }
}

pub(crate) async fn counts(conn: &mut AnyConnection) -> Result<Counts, StoreError> {
    let row = sqlx::query(
        "SELECT (SELECT COUNT(*) FROM institutions), (SELECT COUNT(*) FROM specs), \
         (SELECT COUNT(*) FROM learners)",
    )
    .fetch_one(conn)
    .await?;
    let count = |idx: usize| row.try_get::<i64, _>(idx).map(|n| n.max(0) as u64);
    Ok(Counts { institutions: count(0)?, specs: count(1)?, learners: count(2)? })
}

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

pub(crate) async fn insert_institution(conn: &mut AnyConnection, institution: &Institution) -> Result<(), StoreError> {
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

pub(crate) async fn find_institution(
    conn: &mut AnyConnection,
    id: &InstitutionId,
) -> Result<Option<Institution>, StoreError> {
    let row = sqlx::query(select_institutions!("WHERE id = $1")).bind(id.as_str()).fetch_optional(conn).await?;
    row.as_ref().map(institution_from_row).transpose()
}

pub(crate) async fn list_institutions(conn: &mut AnyConnection) -> Result<Vec<Institution>, StoreError> {
    let rows = sqlx::query(select_institutions!("ORDER BY id")).fetch_all(conn).await?;
    rows.iter().map(institution_from_row).collect()
}

/// A `SELECT` of every learner column, followed by `$tail`.
macro_rules! select_learners {
    ($tail:literal) => {
        concat!("SELECT id, name, email, did FROM learners ", $tail)
    };
}

fn learner_from_row(row: &AnyRow) -> Result<Learner, StoreError> {
    let id: String = row.try_get("id")?;
    let document = LearnerDocument {
        id: Some(id.clone()),
        name: Some(row.try_get("name")?),
        email: Some(row.try_get("email")?),
        did: row.try_get("did")?,
    };
    let fallback = LearnerId::parse(&id).map_err(|err| corrupt("learner", id.clone(), err))?;
    document.parse(fallback).map_err(|err| corrupt("learner", id, err))
}

pub(crate) async fn insert_learner(conn: &mut AnyConnection, learner: &Learner) -> Result<(), StoreError> {
    sqlx::query("INSERT INTO learners (id, name, email, did) VALUES ($1, $2, $3, $4)")
        .bind(learner.id().to_string())
        .bind(learner.name())
        .bind(learner.email().as_str())
        .bind(learner.did().map(|did| did.as_str()))
        .execute(conn)
        .await
        .map_err(|err| StoreError::from_write("a learner with this id or email", &["email", "id"], err))?;
    Ok(())
}

pub(crate) async fn find_learner_by_email(
    conn: &mut AnyConnection,
    email: &Email,
) -> Result<Option<Learner>, StoreError> {
    let row = sqlx::query(select_learners!("WHERE email = $1")).bind(email.as_str()).fetch_optional(conn).await?;
    row.as_ref().map(learner_from_row).transpose()
}

pub(crate) async fn list_learners(conn: &mut AnyConnection) -> Result<Vec<Learner>, StoreError> {
    let rows = sqlx::query(select_learners!("ORDER BY name, email")).fetch_all(conn).await?;
    rows.iter().map(learner_from_row).collect()
}

fn spec_from_row(row: &AnyRow) -> Result<Spec, StoreError> {
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

pub(crate) async fn insert_spec(conn: &mut AnyConnection, spec: &Spec) -> Result<(), StoreError> {
    let what = "a specification with this id";
    let document = serde_json::to_string(&SpecDocument::from(spec)).expect("a document always serializes");
    let workload = spec.workload();
    sqlx::query(
        "INSERT INTO specs (id, issuer_id, title, eqf_level, ects, hours, isced_f, participation, document) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
    )
    .bind(spec.id().to_string())
    .bind(spec.issuer().as_str())
    .bind(spec.default_title())
    .bind(spec.eqf_level().map(|level| i64::from(level.get())))
    .bind(workload.ects())
    .bind(workload.hours().map(i64::from))
    .bind(spec.isced_f().map(|code| code.as_str()))
    .bind(spec.participation().as_str())
    .bind(document)
    .execute(&mut *conn)
    .await
    .map_err(|err| StoreError::from_write(what, &["id"], err))?;
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

pub(crate) async fn find_spec(conn: &mut AnyConnection, id: SpecId) -> Result<Option<Spec>, StoreError> {
    let row =
        sqlx::query("SELECT id, document FROM specs WHERE id = $1").bind(id.to_string()).fetch_optional(conn).await?;
    row.as_ref().map(spec_from_row).transpose()
}

pub(crate) async fn list_specs(conn: &mut AnyConnection) -> Result<Vec<Spec>, StoreError> {
    let rows = sqlx::query("SELECT id, document FROM specs ORDER BY issuer_id, title, id").fetch_all(conn).await?;
    rows.iter().map(spec_from_row).collect()
}

//! Learners: their rows, read back into validated `Learner`s.

use std::ops::DerefMut;

use mc_core::{Email, Learner, LearnerId, wire::LearnerDocument};
use sqlx::{
    AnyConnection, Row,
    any::{Any, AnyArguments, AnyRow},
    query::Query,
};

use crate::{Db, StoreError, corrupt};

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

/// `sql` with the columns of `learner` bound in their one order: id, name, email, DID.
fn learner_columns<'q>(sql: &'static str, learner: &'q Learner) -> Query<'q, Any, AnyArguments> {
    sqlx::query(sql)
        .bind(learner.id().to_string())
        .bind(learner.name())
        .bind(learner.email().as_str())
        .bind(learner.did().map(|did| did.as_str()))
}

impl<C: DerefMut<Target = AnyConnection> + Send> Db<C> {
    /// The learner with this email address.
    pub async fn learner_by_email(&mut self, email: &Email) -> Result<Option<Learner>, StoreError> {
        let conn: &mut AnyConnection = &mut self.conn;
        let row = sqlx::query(select_learners!("WHERE email = $1")).bind(email.as_str()).fetch_optional(conn).await?;
        row.as_ref().map(learner_from_row).transpose()
    }

    /// The learner with this id.
    pub async fn learner(&mut self, id: &str) -> Result<Option<Learner>, StoreError> {
        let conn: &mut AnyConnection = &mut self.conn;
        let row = sqlx::query(select_learners!("WHERE id = $1")).bind(id).fetch_optional(conn).await?;
        row.as_ref().map(learner_from_row).transpose()
    }

    /// Every learner, by name.
    pub async fn learners(&mut self) -> Result<Vec<Learner>, StoreError> {
        let conn: &mut AnyConnection = &mut self.conn;
        let rows = sqlx::query(select_learners!("ORDER BY name, email")).fetch_all(conn).await?;
        rows.iter().map(learner_from_row).collect()
    }

    /// Adds a learner. Fails with [`StoreError::Conflict`] when the id or email is taken.
    pub async fn insert_learner(&mut self, learner: &Learner) -> Result<(), StoreError> {
        learner_columns("INSERT INTO learners (id, name, email, did) VALUES ($1, $2, $3, $4)", learner)
            .execute(&mut *self.conn)
            .await
            .map_err(|err| StoreError::from_write("a learner with this id or email", &["email", "id"], err))?;
        Ok(())
    }

    /// Adds a learner unless one has the same email; `true` when added.
    pub async fn insert_learner_if_new(&mut self, learner: &Learner) -> Result<bool, StoreError> {
        let result = learner_columns(
            "INSERT INTO learners (id, name, email, did) VALUES ($1, $2, $3, $4) ON CONFLICT (email) DO NOTHING",
            learner,
        )
        .execute(&mut *self.conn)
        .await
        .map_err(|err| StoreError::from_write("a learner with this id", &["id"], err))?;
        Ok(result.rows_affected() == 1)
    }
}

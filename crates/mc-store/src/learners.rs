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

    /// Adds each learner unless one has the same email (or an earlier one of `learners` has);
    /// returns the email addresses of those added, in no promised order.
    pub async fn insert_learners_if_new(&mut self, learners: &[&Learner]) -> Result<Vec<String>, StoreError> {
        let mut added = Vec::with_capacity(learners.len());
        for chunk in learners.chunks(crate::ROWS_PER_STATEMENT) {
            let sql = crate::many_rows(
                self.backend,
                "INSERT INTO learners (id, name, email, did) VALUES ",
                1,
                chunk.len(),
                4,
                " ON CONFLICT (email) DO NOTHING",
            );
            let mut query = sqlx::query(sql);
            for learner in chunk {
                query = query
                    .bind(learner.id().to_string())
                    .bind(learner.name())
                    .bind(learner.email().as_str())
                    .bind(learner.did().map(|did| did.as_str()));
            }
            let inserted = query
                .execute(&mut *self.conn)
                .await
                .map_err(|err| StoreError::from_write("a learner with this id", &["id"], err))?
                .rows_affected();
            if inserted == chunk.len() as u64 {
                added.extend(chunk.iter().map(|learner| learner.email().as_str().to_owned()));
                continue;
            }
            // Some were registered already: those added are those registered under their id.
            let emails: Vec<&str> = chunk.iter().map(|learner| learner.email().as_str()).collect();
            let ids: std::collections::HashSet<String> = chunk.iter().map(|learner| learner.id().to_string()).collect();
            for registered in self.learners_by_email(&emails).await? {
                if ids.contains(&registered.id().to_string()) {
                    added.push(registered.email().as_str().to_owned());
                }
            }
        }
        Ok(added)
    }

    /// The learners with these email addresses (those registered).
    pub async fn learners_by_email(&mut self, emails: &[&str]) -> Result<Vec<Learner>, StoreError> {
        let mut learners = Vec::with_capacity(emails.len());
        for chunk in emails.chunks(crate::ROWS_PER_STATEMENT) {
            let sql = crate::many_rows(self.backend, select_learners!("WHERE email IN ("), 1, chunk.len(), 0, ")");
            let mut query = sqlx::query(sql);
            for email in chunk {
                query = query.bind(*email);
            }
            for row in query.fetch_all(&mut *self.conn).await? {
                learners.push(learner_from_row(&row)?);
            }
        }
        Ok(learners)
    }
}

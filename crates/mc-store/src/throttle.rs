//! Failed sign-ins, counted per subject (an account's address, a client's address) so that a
//! guesser is slowed down by every process that shares the database.

use std::ops::DerefMut;

use sqlx::{AnyConnection, Row};

use crate::{Db, StoreError};

impl<C: DerefMut<Target = AnyConnection> + Send> Db<C> {
    /// How many sign-ins failed for `subject` since its last success, and when the last one
    /// did (Unix seconds).
    pub async fn sign_in_failures(&mut self, subject: &str) -> Result<Option<(u64, i64)>, StoreError> {
        let row = sqlx::query("SELECT failures, last_at FROM sign_in_failures WHERE subject = $1")
            .bind(subject)
            .fetch_optional(&mut *self.conn)
            .await?;
        row.map(|row| Ok((row.try_get::<i64, _>(0)?.max(0) as u64, row.try_get::<i64, _>(1)?))).transpose()
    }

    /// Counts one more failed sign-in for `subject` at `at` (Unix seconds); a count whose last
    /// failure is older than `forget_before` starts again from one.
    pub async fn record_sign_in_failure(
        &mut self,
        subject: &str,
        at: i64,
        forget_before: i64,
    ) -> Result<(), StoreError> {
        sqlx::query(
            "INSERT INTO sign_in_failures (subject, failures, last_at) VALUES ($1, 1, $2) \
             ON CONFLICT (subject) DO UPDATE SET failures = CASE WHEN sign_in_failures.last_at < $3 THEN 1 \
             ELSE sign_in_failures.failures + 1 END, last_at = excluded.last_at",
        )
        .bind(subject)
        .bind(at)
        .bind(forget_before)
        .execute(&mut *self.conn)
        .await?;
        Ok(())
    }

    /// Forgets the failed sign-ins of `subject`, after a success.
    pub async fn clear_sign_in_failures(&mut self, subject: &str) -> Result<(), StoreError> {
        sqlx::query("DELETE FROM sign_in_failures WHERE subject = $1").bind(subject).execute(&mut *self.conn).await?;
        Ok(())
    }
}

//! The mail queue: mails to learners, queued in the transaction of what they tell of, claimed
//! under a lease by a sending process (`FOR UPDATE SKIP LOCKED` on PostgreSQL), and marked
//! sent, or failed with when to try again.

use std::ops::DerefMut;

use sqlx::{AnyConnection, Row, any::AnyRow};

use crate::{Backend, Db, StoreError};

/// A queued mail.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MailRecord {
    /// The mail's id.
    pub id: String,
    /// What makes it once (`issued:<credential>`, `sign-in:<link>`).
    pub key: String,
    /// The address it goes to.
    pub recipient: String,
    /// Its subject.
    pub subject: String,
    /// Its text.
    pub body: String,
    /// When it was queued (RFC 3339).
    pub created_at: String,
    /// How many times sending it was tried.
    pub attempts: u32,
}

/// How many mails are waiting and how many were sent.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct MailCounts {
    /// Not sent yet.
    pub waiting: u64,
    /// Sent.
    pub sent: u64,
}

fn mail_from_row(row: &AnyRow) -> Result<MailRecord, StoreError> {
    let attempts: i64 = row.try_get("attempts")?;
    Ok(MailRecord {
        id: row.try_get("id")?,
        key: row.try_get("mail_key")?,
        recipient: row.try_get("recipient")?,
        subject: row.try_get("subject")?,
        body: row.try_get("body")?,
        created_at: row.try_get("created_at")?,
        attempts: u32::try_from(attempts).unwrap_or(u32::MAX),
    })
}

impl<C: DerefMut<Target = AnyConnection> + Send> Db<C> {
    /// Queues a mail, due at `due` (Unix seconds); `false` when one with its key is queued
    /// already (it is not queued twice).
    pub async fn queue_mail(&mut self, mail: &MailRecord, due: i64) -> Result<bool, StoreError> {
        let conn: &mut AnyConnection = &mut self.conn;
        let done = sqlx::query(
            "INSERT INTO mails (id, mail_key, recipient, subject, body, created_at, next_attempt_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7) ON CONFLICT (mail_key) DO NOTHING",
        )
        .bind(&mail.id)
        .bind(&mail.key)
        .bind(&mail.recipient)
        .bind(&mail.subject)
        .bind(&mail.body)
        .bind(&mail.created_at)
        .bind(due)
        .execute(conn)
        .await?;
        Ok(done.rows_affected() == 1)
    }

    /// Takes the next due mail that no one holds (or whose lease ran out by `now`) until
    /// `lease_until`, counting the attempt.
    pub async fn claim_mail(&mut self, now: i64, lease_until: i64) -> Result<Option<MailRecord>, StoreError> {
        let conn: &mut AnyConnection = &mut self.conn;
        macro_rules! claim {
            ($lock:literal) => {
                concat!(
                    "UPDATE mails SET lease_until = $2, attempts = attempts + 1 WHERE id = (SELECT id FROM mails \
                     WHERE sent_at IS NULL AND next_attempt_at <= $1 AND (lease_until IS NULL OR lease_until < $1) \
                     ORDER BY next_attempt_at, id LIMIT 1",
                    $lock,
                    ") AND sent_at IS NULL AND (lease_until IS NULL OR lease_until < $1) \
                     RETURNING id, mail_key, recipient, subject, body, created_at, attempts"
                )
            };
        }
        let statement = match self.backend {
            Backend::Postgres => claim!(" FOR UPDATE SKIP LOCKED"),
            Backend::Sqlite => claim!(""),
        };
        let row = sqlx::query(statement).bind(now).bind(lease_until).fetch_optional(conn).await?;
        row.as_ref().map(mail_from_row).transpose()
    }

    /// Marks a mail sent, and forgets its text (a sign-in link in it stays nowhere).
    pub async fn mail_sent(&mut self, id: &str, at: &str) -> Result<(), StoreError> {
        let conn: &mut AnyConnection = &mut self.conn;
        sqlx::query("UPDATE mails SET sent_at = $1, lease_until = NULL, last_error = NULL, body = '' WHERE id = $2")
            .bind(at)
            .bind(id)
            .execute(conn)
            .await?;
        Ok(())
    }

    /// Records a failed attempt: the mail is tried again from `retry_at` (Unix seconds).
    pub async fn mail_failed(&mut self, id: &str, error: &str, retry_at: i64) -> Result<(), StoreError> {
        let conn: &mut AnyConnection = &mut self.conn;
        sqlx::query("UPDATE mails SET next_attempt_at = $1, lease_until = NULL, last_error = $2 WHERE id = $3")
            .bind(retry_at)
            .bind(error)
            .bind(id)
            .execute(conn)
            .await?;
        Ok(())
    }

    /// How many mails wait and how many were sent.
    pub async fn mail_counts(&mut self) -> Result<MailCounts, StoreError> {
        let conn: &mut AnyConnection = &mut self.conn;
        let row = sqlx::query("SELECT COUNT(*) - COUNT(sent_at) AS waiting, COUNT(sent_at) AS sent FROM mails")
            .fetch_one(conn)
            .await?;
        let count =
            |name: &str| -> Result<u64, StoreError> { Ok(u64::try_from(row.try_get::<i64, _>(name)?).unwrap_or(0)) };
        Ok(MailCounts { waiting: count("waiting")?, sent: count("sent")? })
    }
}

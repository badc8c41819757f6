//! The audit log: append-only and hash-chained, so that an entry edited, deleted or moved in the
//! database is found by [`Store::verify_audit`](crate::Store::verify_audit).

use sha2::{Digest, Sha256};
use sqlx::{AnyConnection, Row};
use std::ops::DerefMut;

use crate::{Db, StoreError};

/// The hash before the first entry.
pub(crate) const GENESIS: &str = "0000000000000000000000000000000000000000000000000000000000000000";

/// One audit log entry.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AuditEntry {
    /// Its place in the log, from 1, without gaps.
    pub seq: u64,
    /// When it happened (RFC 3339).
    pub at: String,
    /// What happened: `credential.issue`, `credential.revoke`, `key.create`…
    pub action: String,
    /// What it happened to (a credential or institution id).
    pub subject: String,
    /// Details, JSON.
    pub details: String,
    /// The previous entry's hash.
    pub prev_hash: String,
    /// SHA-256 over the previous hash and this entry's content.
    pub hash: String,
}

/// The hash of an entry with these contents after `prev_hash`.
pub(crate) fn entry_hash(prev_hash: &str, seq: u64, at: &str, action: &str, subject: &str, details: &str) -> String {
    let mut hasher = Sha256::new();
    for part in [prev_hash, &seq.to_string(), at, action, subject, details] {
        hasher.update((part.len() as u64).to_be_bytes());
        hasher.update(part.as_bytes());
    }
    hasher.finalize().iter().map(|byte| format!("{byte:02x}")).collect()
}

/// Takes the audit log's lock for the rest of the transaction (a no-op update of its head row;
/// PostgreSQL holds the row lock until the end). Transactions that will append many entries
/// take it first, so that they never wait on each other while holding other locks.
pub(crate) async fn lock(conn: &mut AnyConnection) -> Result<(), StoreError> {
    sqlx::query("UPDATE audit_head SET seq = seq WHERE id = 1").execute(conn).await?;
    Ok(())
}

/// An entry to append: what happened, when, to what.
#[derive(Debug, Clone, Copy)]
pub struct NewAuditEntry<'a> {
    /// When it happened (RFC 3339).
    pub at: &'a str,
    /// What happened.
    pub action: &'a str,
    /// What it happened to.
    pub subject: &'a str,
    /// Details, JSON.
    pub details: &'a str,
}

/// An audit chain being extended in one transaction: entries are written as they come, and the
/// head once, at [`AuditWriter::finish`].
#[derive(Debug)]
pub struct AuditWriter {
    seq: u64,
    hash: String,
    started_at: u64,
}

/// Locks the log and reads its head, for a transaction that will append many entries.
pub(crate) async fn writer(conn: &mut AnyConnection) -> Result<AuditWriter, StoreError> {
    lock(&mut *conn).await?;
    let head = sqlx::query("SELECT seq, hash FROM audit_head WHERE id = 1").fetch_one(&mut *conn).await?;
    let seq = head.try_get::<i64, _>("seq")?.max(0) as u64;
    Ok(AuditWriter { seq, hash: head.try_get("hash")?, started_at: seq })
}

impl AuditWriter {
    pub(crate) async fn append(
        &mut self,
        conn: &mut AnyConnection,
        at: &str,
        action: &str,
        subject: &str,
        details: &str,
    ) -> Result<(), StoreError> {
        self.append_many(conn, &[NewAuditEntry { at, action, subject, details }]).await
    }

    /// Appends `entries` in their order, many to a statement.
    pub(crate) async fn append_many(
        &mut self,
        conn: &mut AnyConnection,
        entries: &[NewAuditEntry<'_>],
    ) -> Result<(), StoreError> {
        for chunk in entries.chunks(crate::ROWS_PER_STATEMENT) {
            let sql = crate::many_rows(
                crate::backend_of(conn),
                "INSERT INTO audit_log (seq, at, action, subject, details, prev_hash, hash) VALUES ",
                1,
                chunk.len(),
                7,
                "",
            );
            let mut query = sqlx::query(sql);
            let (mut seq, mut hash) = (self.seq, self.hash.clone());
            for entry in chunk {
                let prev_hash = hash;
                seq += 1;
                hash = entry_hash(&prev_hash, seq, entry.at, entry.action, entry.subject, entry.details);
                query = query
                    .bind(seq as i64)
                    .bind(entry.at)
                    .bind(entry.action)
                    .bind(entry.subject)
                    .bind(entry.details)
                    .bind(prev_hash)
                    .bind(hash.clone());
            }
            query.execute(&mut *conn).await?;
            (self.seq, self.hash) = (seq, hash);
        }
        Ok(())
    }

    pub(crate) async fn finish(self, conn: &mut AnyConnection) -> Result<(), StoreError> {
        if self.seq != self.started_at {
            sqlx::query("UPDATE audit_head SET seq = $1, hash = $2 WHERE id = 1")
                .bind(self.seq as i64)
                .bind(&self.hash)
                .execute(conn)
                .await?;
        }
        Ok(())
    }
}

/// Appends one entry in the caller's transaction (through a writer, so the head is locked
/// before anything else is read).
pub(crate) async fn append(
    conn: &mut AnyConnection,
    at: &str,
    action: &str,
    subject: &str,
    details: &str,
) -> Result<AuditEntry, StoreError> {
    let mut writer = writer(&mut *conn).await?;
    let prev_hash = writer.hash.clone();
    writer.append(&mut *conn, at, action, subject, details).await?;
    let entry = AuditEntry {
        seq: writer.seq,
        at: at.to_owned(),
        action: action.to_owned(),
        subject: subject.to_owned(),
        details: details.to_owned(),
        prev_hash,
        hash: writer.hash.clone(),
    };
    writer.finish(conn).await?;
    Ok(entry)
}

/// What is wrong with the log, naming the first entry concerned.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum AuditBreak {
    /// An entry's content no longer gives its hash.
    #[error("entry {0} was changed after it was written")]
    Changed(u64),
    /// An entry does not follow the one before it.
    #[error("entry {0} does not follow entry {1}: entries were deleted, inserted or reordered")]
    Broken(u64, u64),
    /// Entries are missing from the end.
    #[error("the log ends at entry {last} but {head} entries were written: the last were deleted")]
    Truncated {
        /// The last entry found.
        last: u64,
        /// How many were written.
        head: u64,
    },
}

impl<C: DerefMut<Target = AnyConnection> + Send> Db<C> {
    /// Checks the audit log's chain: `Ok(Ok(n))` for an intact log of `n` entries, `Ok(Err(_))`
    /// naming the first entry that was changed, deleted or moved.
    pub async fn verify_audit(&mut self) -> Result<Result<u64, AuditBreak>, StoreError> {
        let conn: &mut AnyConnection = &mut self.conn;
        let head = sqlx::query("SELECT seq, hash FROM audit_head WHERE id = 1").fetch_one(&mut *conn).await?;
        let head_seq = head.try_get::<i64, _>("seq")?.max(0) as u64;
        let head_hash: String = head.try_get("hash")?;
        let rows = sqlx::query("SELECT seq, at, action, subject, details, prev_hash, hash FROM audit_log ORDER BY seq")
            .fetch_all(&mut *conn)
            .await?;
        let mut previous = (0u64, GENESIS.to_owned());
        for row in &rows {
            let seq = row.try_get::<i64, _>("seq")?.max(0) as u64;
            let prev_hash: String = row.try_get("prev_hash")?;
            let hash: String = row.try_get("hash")?;
            if seq != previous.0 + 1 || prev_hash != previous.1 {
                return Ok(Err(AuditBreak::Broken(seq, previous.0)));
            }
            let expected = entry_hash(
                &prev_hash,
                seq,
                &row.try_get::<String, _>("at")?,
                &row.try_get::<String, _>("action")?,
                &row.try_get::<String, _>("subject")?,
                &row.try_get::<String, _>("details")?,
            );
            if expected != hash {
                return Ok(Err(AuditBreak::Changed(seq)));
            }
            previous = (seq, hash);
        }
        if previous.0 != head_seq || (head_seq > 0 && previous.1 != head_hash) {
            return Ok(Err(AuditBreak::Truncated { last: previous.0, head: head_seq }));
        }
        Ok(Ok(previous.0))
    }

    /// Every audit log entry, oldest first.
    pub async fn audit_entries(&mut self) -> Result<Vec<AuditEntry>, StoreError> {
        let conn: &mut AnyConnection = &mut self.conn;
        let rows = sqlx::query("SELECT seq, at, action, subject, details, prev_hash, hash FROM audit_log ORDER BY seq")
            .fetch_all(conn)
            .await?;
        rows.iter()
            .map(|row| {
                Ok(AuditEntry {
                    seq: row.try_get::<i64, _>("seq")?.max(0) as u64,
                    at: row.try_get("at")?,
                    action: row.try_get("action")?,
                    subject: row.try_get("subject")?,
                    details: row.try_get("details")?,
                    prev_hash: row.try_get("prev_hash")?,
                    hash: row.try_get("hash")?,
                })
            })
            .collect()
    }
}

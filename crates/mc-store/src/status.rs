//! Status lists and entries: the Bitstring Status Lists of each institution, the index each
//! credential holds in them, and the stamps that tell a verifier whether anything changed.

use std::ops::DerefMut;

use sqlx::{AnyConnection, Row, any::AnyRow};

use crate::{Db, StoreError};

/// A Bitstring Status List of an institution, for one purpose.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StatusListRecord {
    /// The list's id (the last segment of its URL).
    pub id: String,
    /// The institution whose credentials it covers.
    pub institution_id: String,
    /// `revocation` or `suspension`.
    pub purpose: String,
    /// How many entries it has.
    pub size: u64,
    /// How many of them are taken.
    pub used: u64,
    /// When it was made (RFC 3339).
    pub created_at: String,
    /// The issuer key the list was made under; `None` for lists made before lists recorded it
    /// (theirs is the key that was current when they were made).
    pub key_id: Option<String>,
}

/// A status entry: a credential's index in a list.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StatusEntryRecord {
    /// The list.
    pub list_id: String,
    /// The index in the list.
    pub index: u64,
    /// The credential.
    pub credential_id: String,
    /// The list's purpose.
    pub purpose: String,
}

fn list_from_row(row: &AnyRow) -> Result<StatusListRecord, StoreError> {
    Ok(StatusListRecord {
        id: row.try_get("id")?,
        institution_id: row.try_get("institution_id")?,
        purpose: row.try_get("purpose")?,
        size: row.try_get::<i64, _>("size")?.max(0) as u64,
        used: row.try_get::<i64, _>("used")?.max(0) as u64,
        created_at: row.try_get("created_at")?,
        key_id: row.try_get("key_id")?,
    })
}

/// Marks every status list of a credential as changed.
pub(crate) async fn bump_status_lists_of(conn: &mut AnyConnection, credential_id: &str) -> Result<(), StoreError> {
    sqlx::query("UPDATE status_lists SET version = version + 1 WHERE id IN (SELECT list_id FROM status_entries WHERE credential_id = $1)")
        .bind(credential_id)
        .execute(conn)
        .await?;
    Ok(())
}

impl<C: DerefMut<Target = AnyConnection> + Send> Db<C> {
    /// The status list with this id.
    pub async fn status_list(&mut self, id: &str) -> Result<Option<StatusListRecord>, StoreError> {
        let conn: &mut AnyConnection = &mut self.conn;
        let row = sqlx::query(
            "SELECT id, institution_id, purpose, size, used, created_at, key_id FROM status_lists WHERE id = $1",
        )
        .bind(id)
        .fetch_optional(conn)
        .await?;
        row.as_ref().map(list_from_row).transpose()
    }

    /// A status list's version and the id of its institution's current key, in one query.
    pub async fn status_list_stamp(&mut self, list_id: &str) -> Result<Option<(u64, Option<String>)>, StoreError> {
        let conn: &mut AnyConnection = &mut self.conn;
        let row = sqlx::query(
            "SELECT l.version, k.id FROM status_lists l LEFT JOIN issuer_keys k \
             ON k.institution_id = l.institution_id AND k.retired_at IS NULL WHERE l.id = $1",
        )
        .bind(list_id)
        .fetch_optional(conn)
        .await?;
        row.map(|row| Ok((row.try_get::<i64, _>(0)?.max(0) as u64, row.try_get::<Option<String>, _>(1)?))).transpose()
    }

    /// [`Store::keys_fingerprint`] and the [`Store::status_list_stamp`]s of up to two lists (an
    /// empty id matches none), in one query.
    pub async fn verification_stamps(
        &mut self,
        first: &str,
        second: &str,
    ) -> Result<([u64; 4], Vec<(String, u64, Option<String>)>), StoreError> {
        let conn: &mut AnyConnection = &mut self.conn;
        let rows = sqlx::query(
            "SELECT l.id, l.version, k.id AS key_id, (SELECT COUNT(*) FROM institutions) AS institutions, \
             (SELECT COUNT(*) FROM issuer_keys) AS all_keys, \
             (SELECT COUNT(*) FROM issuer_keys WHERE retired_at IS NOT NULL) AS retired_keys, \
             (SELECT value FROM change_counters WHERE name = 'trust') AS trust \
             FROM (SELECT 1 AS one) AS base \
             LEFT JOIN status_lists l ON l.id = $1 OR l.id = $2 \
             LEFT JOIN issuer_keys k ON k.institution_id = l.institution_id AND k.retired_at IS NULL",
        )
        .bind(first)
        .bind(second)
        .fetch_all(conn)
        .await?;
        let mut fingerprint = [0; 4];
        let mut stamps = Vec::new();
        for row in &rows {
            let count = |column: &str| row.try_get::<i64, _>(column).map(|n| n.max(0) as u64);
            fingerprint = [count("institutions")?, count("all_keys")?, count("retired_keys")?, count("trust")?];
            if let Some(id) = row.try_get::<Option<String>, _>("id")? {
                stamps.push((id, row.try_get::<i64, _>("version")?.max(0) as u64, row.try_get("key_id")?));
            }
        }
        Ok((fingerprint, stamps))
    }

    /// Counts that change whenever an institution or issuer key is added, a key retired, or
    /// the trusted-issuer list changed.
    pub async fn keys_fingerprint(&mut self) -> Result<[u64; 4], StoreError> {
        let conn: &mut AnyConnection = &mut self.conn;
        let row = sqlx::query(
            "SELECT (SELECT COUNT(*) FROM institutions), (SELECT COUNT(*) FROM issuer_keys), \
             (SELECT COUNT(*) FROM issuer_keys WHERE retired_at IS NOT NULL), \
             (SELECT value FROM change_counters WHERE name = 'trust')",
        )
        .fetch_one(conn)
        .await?;
        let count = |idx: usize| row.try_get::<i64, _>(idx).map(|n| n.max(0) as u64);
        Ok([count(0)?, count(1)?, count(2)?, count(3)?])
    }

    /// Every status list, by institution and age.
    pub async fn all_status_lists(&mut self) -> Result<Vec<StatusListRecord>, StoreError> {
        let conn: &mut AnyConnection = &mut self.conn;
        let rows = sqlx::query("SELECT id, institution_id, purpose, size, used, created_at, key_id FROM status_lists ORDER BY institution_id, created_at, id")
            .fetch_all(conn)
            .await?;
        rows.iter().map(list_from_row).collect()
    }

    /// The indexes of a list whose credentials are in `state` (`revoked`, `suspended`).
    pub async fn indexes_in_state(&mut self, list_id: &str, state: &str) -> Result<Vec<u64>, StoreError> {
        let conn: &mut AnyConnection = &mut self.conn;
        let rows = sqlx::query(
            "SELECT e.idx FROM status_entries e JOIN credentials c ON c.id = e.credential_id \
             WHERE e.list_id = $1 AND c.state = $2 ORDER BY e.idx",
        )
        .bind(list_id)
        .bind(state)
        .fetch_all(conn)
        .await?;
        rows.iter().map(|row| Ok(row.try_get::<i64, _>(0)?.max(0) as u64)).collect()
    }

    /// The status entries of a credential.
    pub async fn status_entries_of(&mut self, credential_id: &str) -> Result<Vec<StatusEntryRecord>, StoreError> {
        let conn: &mut AnyConnection = &mut self.conn;
        let rows = sqlx::query(
            "SELECT list_id, idx, credential_id, purpose FROM status_entries WHERE credential_id = $1 ORDER BY purpose",
        )
        .bind(credential_id)
        .fetch_all(conn)
        .await?;
        rows.iter()
            .map(|row| {
                Ok(StatusEntryRecord {
                    list_id: row.try_get("list_id")?,
                    index: row.try_get::<i64, _>("idx")?.max(0) as u64,
                    credential_id: row.try_get("credential_id")?,
                    purpose: row.try_get("purpose")?,
                })
            })
            .collect()
    }

    /// An institution's status lists for a purpose, oldest first.
    pub async fn status_lists(
        &mut self,
        institution_id: &str,
        purpose: &str,
    ) -> Result<Vec<StatusListRecord>, StoreError> {
        let conn: &mut AnyConnection = &mut self.conn;
        let rows = sqlx::query(
            "SELECT id, institution_id, purpose, size, used, created_at, key_id FROM status_lists \
             WHERE institution_id = $1 AND purpose = $2 ORDER BY created_at, id",
        )
        .bind(institution_id)
        .bind(purpose)
        .fetch_all(conn)
        .await?;
        rows.iter().map(list_from_row).collect()
    }

    /// Adds a status list.
    pub async fn insert_status_list(&mut self, list: &StatusListRecord) -> Result<(), StoreError> {
        let conn: &mut AnyConnection = &mut self.conn;
        sqlx::query(
            "INSERT INTO status_lists (id, institution_id, purpose, size, used, created_at, key_id) \
             VALUES ($1, $2, $3, $4, $5, $6, $7)",
        )
        .bind(&list.id)
        .bind(&list.institution_id)
        .bind(&list.purpose)
        .bind(list.size as i64)
        .bind(list.used as i64)
        .bind(&list.created_at)
        .bind(&list.key_id)
        .execute(conn)
        .await
        .map_err(|err| StoreError::from_write("a status list with this id", &["id"], err))?;
        Ok(())
    }

    /// Takes an index of a list; `false` when another credential has it. The caller counts it
    /// with [`StoreTx::add_status_list_use`].
    pub async fn claim_status_index(&mut self, entry: &StatusEntryRecord) -> Result<bool, StoreError> {
        Ok(!self.claim_status_indexes(std::slice::from_ref(entry)).await?.is_empty())
    }

    /// Which of `indexes` (at most a few hundred) a credential holds in the list `list_id`.
    pub async fn taken_status_indexes(
        &mut self,
        list_id: &str,
        indexes: &[u64],
    ) -> Result<std::collections::HashSet<u64>, StoreError> {
        let mut taken = std::collections::HashSet::new();
        if indexes.is_empty() {
            return Ok(taken);
        }
        // Lists of a few lengths only, the last index repeated, so that the statements prepared
        // are few and reused.
        let slots = indexes.len().next_multiple_of(64);
        let (head, tail) = match self.backend {
            // SQLite's rows reach the caller one by one from its worker thread: one row it is.
            crate::Backend::Sqlite => {
                ("SELECT group_concat(idx) FROM status_entries WHERE idx IN (", ") AND list_id = ?".to_owned())
            }
            crate::Backend::Postgres => (
                "SELECT CAST(idx AS TEXT) FROM status_entries WHERE idx IN (",
                format!(") AND list_id = ${}", slots + 1),
            ),
        };
        let mut query = sqlx::query(crate::many_rows(self.backend, head, 1, slots, 0, &tail));
        let last = indexes[indexes.len() - 1];
        for index in indexes.iter().copied().chain(std::iter::repeat_n(last, slots - indexes.len())) {
            query = query.bind(index as i64);
        }
        for row in query.bind(list_id).fetch_all(&mut *self.conn).await? {
            let Some(text) = row.try_get::<Option<String>, _>(0)? else { continue };
            for index in text.split(',') {
                let index = index.parse().map_err(|_| {
                    crate::corrupt("status list", list_id.to_owned(), format!("index {index:?} is not a number"))
                })?;
                taken.insert(index);
            }
        }
        Ok(taken)
    }

    /// Takes the indexes of `entries` that no other credential has; returns the entries taken
    /// (by their place in `entries`). The caller counts them with [`Db::add_status_list_use`].
    pub async fn claim_status_indexes(&mut self, entries: &[StatusEntryRecord]) -> Result<Vec<usize>, StoreError> {
        // PostgreSQL says which rows it inserted in its answer. SQLite would hand them over one
        // at a time from its worker thread, so there the count is taken, and only when some
        // index was another credential's are the rows asked for.
        let returning = self.backend == crate::Backend::Postgres;
        let tail = match returning {
            true => " ON CONFLICT (list_id, idx) DO NOTHING RETURNING list_id, idx, credential_id",
            false => " ON CONFLICT (list_id, idx) DO NOTHING",
        };
        let mut taken = Vec::with_capacity(entries.len());
        let mut offset = 0;
        for chunk in entries.chunks(crate::ROWS_PER_STATEMENT) {
            let sql = crate::many_rows(
                self.backend,
                "INSERT INTO status_entries (list_id, idx, credential_id, purpose) VALUES ",
                1,
                chunk.len(),
                4,
                tail,
            );
            let mut query = sqlx::query(sql);
            for entry in chunk {
                query =
                    query.bind(&entry.list_id).bind(entry.index as i64).bind(&entry.credential_id).bind(&entry.purpose);
            }
            let rows = match returning {
                true => query.fetch_all(&mut *self.conn).await,
                false => {
                    let inserted = query
                        .execute(&mut *self.conn)
                        .await
                        .map_err(|err| StoreError::from_write("a status entry", &[], err))?
                        .rows_affected();
                    if inserted == chunk.len() as u64 {
                        taken.extend(offset..offset + chunk.len());
                        offset += chunk.len();
                        continue;
                    }
                    // The entries stored are those now holding one of these credentials' ids
                    // at the index drawn for it.
                    let sql = crate::many_rows(
                        self.backend,
                        "SELECT list_id, idx, credential_id FROM status_entries WHERE credential_id IN (",
                        1,
                        chunk.len(),
                        0,
                        ")",
                    );
                    let mut query = sqlx::query(sql);
                    for entry in chunk {
                        query = query.bind(&entry.credential_id);
                    }
                    query.fetch_all(&mut *self.conn).await
                }
            };
            let mut stored = std::collections::HashSet::new();
            for row in rows.map_err(|err| StoreError::from_write("a status entry", &[], err))? {
                let list_id: String = row.try_get("list_id")?;
                let idx: i64 = row.try_get("idx")?;
                stored.insert((list_id, idx, row.try_get::<String, _>("credential_id")?));
            }
            for (at, entry) in chunk.iter().enumerate() {
                if stored.contains(&(entry.list_id.clone(), entry.index as i64, entry.credential_id.clone())) {
                    taken.push(offset + at);
                }
            }
            offset += chunk.len();
        }
        Ok(taken)
    }

    /// Counts `claimed` more entries of a list as used.
    pub async fn add_status_list_use(&mut self, list_id: &str, claimed: u64) -> Result<(), StoreError> {
        let conn: &mut AnyConnection = &mut self.conn;
        sqlx::query("UPDATE status_lists SET used = used + $1 WHERE id = $2")
            .bind(claimed as i64)
            .bind(list_id)
            .execute(conn)
            .await?;
        Ok(())
    }
}

//! Issuing: issuer keys (their secret halves sealed before they arrive) and issued
//! credentials with their state.

use std::ops::DerefMut;

use sqlx::{AnyConnection, Row, any::AnyRow};

use crate::{Db, StoreError, status::bump_status_lists_of};

/// An issuer's signing key. The secret half is sealed (encrypted and authenticated) by the
/// caller before it reaches the store; the store never sees it in the clear.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IssuerKeyRecord {
    /// The key's id, unique across institutions (used in verification method URLs).
    pub id: String,
    /// The institution it signs for.
    pub institution_id: String,
    /// `Ed25519` or `P-256`.
    pub key_type: String,
    /// The public key, `publicKeyMultibase`.
    pub public_key: String,
    /// The sealed secret key.
    pub sealed_secret: Vec<u8>,
    /// When it was made (RFC 3339).
    pub created_at: String,
    /// When it stopped being the current key; `None` while it is.
    pub retired_at: Option<String>,
}

/// An issued credential.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CredentialRecord {
    /// The credential's id (a UUID; the credential's `id` is `urn:uuid:` and this).
    pub id: String,
    /// The issuing institution.
    pub institution_id: String,
    /// The specification it awards.
    pub spec_id: String,
    /// The learner it was awarded to.
    pub learner_id: String,
    /// The cohort run that issued it (empty for single issues); with the specification and
    /// the learner, what makes an issue happen once.
    pub cohort_key: String,
    /// The key an API caller gave to make a request idempotent.
    pub idempotency_key: Option<String>,
    /// When it was issued (RFC 3339).
    pub issued_at: String,
    /// `active`, `suspended` or `revoked`.
    pub state: String,
    /// Why it was revoked.
    pub revocation_reason: Option<String>,
    /// When its state last changed (RFC 3339); `None` if never, or before this was recorded.
    pub state_changed_at: Option<String>,
    /// The signed credential, JSON.
    pub document: String,
    /// The version of the specification it was issued from; `None` for credentials issued
    /// before versions were recorded.
    pub spec_version: Option<u32>,
    /// `ob3`, `edc` or `both`: what `document` and `edc_document` hold.
    pub format: String,
    /// The sealed European Digital Credential beside the Open Badges credential in
    /// `document` (format `both`).
    pub edc_document: Option<String>,
}

/// An institution's seal key: its certificate chain and its sealed secret.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SealKeyRecord {
    /// The institution it seals for.
    pub institution_id: String,
    /// The certificate chain, PEM, the sealing certificate first.
    pub certificates: String,
    /// The PKCS#8 secret key, sealed.
    pub sealed_secret: Vec<u8>,
    /// Whether it is a test seal microcred made.
    pub test_seal: bool,
    /// When it was stored (RFC 3339).
    pub created_at: String,
}

/// Which issued credentials to list; `None` fields do not filter.
#[derive(Debug, Clone, Copy, Default)]
pub struct CredentialFilter<'a> {
    /// The issuing institution.
    pub institution_id: Option<&'a str>,
    /// The learner.
    pub learner_id: Option<&'a str>,
    /// The specification.
    pub spec_id: Option<&'a str>,
}

/// Which of an institution's credentials a staff member looks for, and which page of them.
#[derive(Debug, Clone, Default)]
pub struct CredentialSearch<'a> {
    /// The issuing institution.
    pub institution_id: &'a str,
    /// Words the learner's name or email address contains, in any case (ASCII letters).
    pub words: Option<&'a str>,
    /// The specification.
    pub spec_id: Option<&'a str>,
    /// `active`, `suspended` or `revoked`.
    pub state: Option<&'a str>,
    /// How many to skip, newest first.
    pub offset: u64,
    /// How many at most.
    pub limit: u64,
}

/// `words` as a `LIKE` pattern that matches them anywhere, their `%`, `_` and `\` taken as
/// themselves (with `ESCAPE '\'`).
pub(crate) fn contains_pattern(words: &str) -> String {
    let mut pattern = String::with_capacity(words.len() + 2);
    pattern.push('%');
    for c in words.to_lowercase().chars() {
        if matches!(c, '%' | '_' | '\\') {
            pattern.push('\\');
        }
        pattern.push(c);
    }
    pattern.push('%');
    pattern
}

fn key_from_row(row: &AnyRow) -> Result<IssuerKeyRecord, StoreError> {
    Ok(IssuerKeyRecord {
        id: row.try_get("id")?,
        institution_id: row.try_get("institution_id")?,
        key_type: row.try_get("key_type")?,
        public_key: row.try_get("public_key")?,
        sealed_secret: row.try_get("sealed_secret")?,
        created_at: row.try_get("created_at")?,
        retired_at: row.try_get("retired_at")?,
    })
}

/// A `SELECT` of every issuer key column, followed by `$tail`.
macro_rules! select_keys {
    ($tail:literal) => {
        concat!(
            "SELECT id, institution_id, key_type, public_key, sealed_secret, created_at, retired_at FROM issuer_keys ",
            $tail
        )
    };
}

/// A `SELECT` of every credential column, followed by `$tail`.
macro_rules! select_credentials {
    ($tail:expr) => {
        concat!(
            "SELECT id, institution_id, spec_id, learner_id, cohort_key, idempotency_key, issued_at, state, \
             revocation_reason, state_changed_at, document, spec_version, format, edc_document, document_base, \
             (SELECT base.document FROM credentials AS base WHERE base.id = credentials.document_base) \
             AS base_document, edc_document_base, \
             (SELECT base.edc_document FROM credentials AS base WHERE base.id = credentials.edc_document_base) \
             AS base_edc_document FROM credentials ",
            $tail
        )
    };
}

fn credential_from_row(row: &AnyRow) -> Result<CredentialRecord, StoreError> {
    let id: String = row.try_get("id")?;
    let document = unpacked(row, &id, "document", "document_base", "base_document")?
        .ok_or_else(|| crate::corrupt("credential", id.clone(), "it has no document"))?;
    let edc_document = unpacked(row, &id, "edc_document", "edc_document_base", "base_edc_document")?;
    let spec_version = match row.try_get::<Option<i64>, _>("spec_version")? {
        None => None,
        Some(version) => Some(u32::try_from(version).map_err(|_| {
            crate::corrupt("credential", id.clone(), format!("its specification version {version} is out of range"))
        })?),
    };
    Ok(CredentialRecord {
        id,
        institution_id: row.try_get("institution_id")?,
        spec_id: row.try_get("spec_id")?,
        learner_id: row.try_get("learner_id")?,
        cohort_key: row.try_get("cohort_key")?,
        idempotency_key: row.try_get("idempotency_key")?,
        issued_at: row.try_get("issued_at")?,
        state: row.try_get("state")?,
        revocation_reason: row.try_get("revocation_reason")?,
        state_changed_at: row.try_get("state_changed_at")?,
        document,
        spec_version,
        format: row.try_get("format")?,
        edc_document,
    })
}

/// The document in `column` of credential `id`, unpacked when `base_id_column` names the
/// credential it was packed against, whose document in the same column is in `base_column`.
fn unpacked(
    row: &AnyRow,
    id: &str,
    column: &str,
    base_id_column: &str,
    base_column: &str,
) -> Result<Option<String>, StoreError> {
    let Some(text) = row.try_get::<Option<String>, _>(column)? else { return Ok(None) };
    let Some(base_id) = row.try_get::<Option<String>, _>(base_id_column)? else { return Ok(Some(text)) };
    let damaged = |detail: String| crate::corrupt("credential", id.to_owned(), detail);
    let base: String =
        row.try_get::<Option<String>, _>(base_column)?.ok_or_else(|| damaged(format!("its base {base_id} is gone")))?;
    crate::packing::unpack(&text, &base).map(Some).map_err(damaged)
}

impl<C: DerefMut<Target = AnyConnection> + Send> Db<C> {
    /// An institution's keys, oldest first; the current one has no `retired_at`.
    pub async fn issuer_keys(&mut self, institution_id: &str) -> Result<Vec<IssuerKeyRecord>, StoreError> {
        let conn: &mut AnyConnection = &mut self.conn;
        let rows = sqlx::query(select_keys!("WHERE institution_id = $1 ORDER BY created_at, id"))
            .bind(institution_id)
            .fetch_all(conn)
            .await?;
        rows.iter().map(key_from_row).collect()
    }

    /// The credential with this id.
    pub async fn credential(&mut self, id: &str) -> Result<Option<CredentialRecord>, StoreError> {
        let conn: &mut AnyConnection = &mut self.conn;
        let row = sqlx::query(select_credentials!("WHERE id = $1")).bind(id).fetch_optional(conn).await?;
        row.as_ref().map(credential_from_row).transpose()
    }

    /// Issued credentials, oldest first, of an institution, a learner and a specification when
    /// given.
    pub async fn credentials(&mut self, filter: CredentialFilter<'_>) -> Result<Vec<CredentialRecord>, StoreError> {
        let conn: &mut AnyConnection = &mut self.conn;
        let rows = sqlx::query(select_credentials!(
            "WHERE ($1 IS NULL OR institution_id = $1) AND ($2 IS NULL OR learner_id = $2) \
             AND ($3 IS NULL OR spec_id = $3) ORDER BY issued_at, id"
        ))
        .bind(filter.institution_id)
        .bind(filter.learner_id)
        .bind(filter.spec_id)
        .fetch_all(conn)
        .await?;
        rows.iter().map(credential_from_row).collect()
    }

    /// A page of an institution's credentials, newest first, and how many match in all.
    pub async fn search_credentials(
        &mut self,
        search: &CredentialSearch<'_>,
    ) -> Result<(Vec<CredentialRecord>, u64), StoreError> {
        macro_rules! matching {
            () => {
                "WHERE institution_id = $1 AND ($2 IS NULL OR spec_id = $2) AND ($3 IS NULL OR state = $3) \
                 AND ($4 IS NULL OR learner_id IN (SELECT id FROM learners \
                 WHERE LOWER(name) LIKE $4 ESCAPE '\\' OR LOWER(email) LIKE $4 ESCAPE '\\'))"
            };
        }
        let pattern = search.words.map(str::trim).filter(|words| !words.is_empty()).map(contains_pattern);
        let conn: &mut AnyConnection = &mut self.conn;
        let total: i64 = sqlx::query(concat!("SELECT COUNT(*) AS n FROM credentials ", matching!()))
            .bind(search.institution_id)
            .bind(search.spec_id)
            .bind(search.state)
            .bind(pattern.as_deref())
            .fetch_one(&mut *conn)
            .await?
            .try_get("n")?;
        let page = select_credentials!(concat!(matching!(), " ORDER BY issued_at DESC, id DESC LIMIT $5 OFFSET $6"));
        let rows = sqlx::query(page)
            .bind(search.institution_id)
            .bind(search.spec_id)
            .bind(search.state)
            .bind(pattern.as_deref())
            .bind(i64::try_from(search.limit).unwrap_or(i64::MAX))
            .bind(i64::try_from(search.offset).unwrap_or(i64::MAX))
            .fetch_all(&mut *conn)
            .await?;
        let records = rows.iter().map(credential_from_row).collect::<Result<_, _>>()?;
        Ok((records, u64::try_from(total).unwrap_or_default()))
    }

    /// Adds an issuer key. Fails with [`StoreError::Conflict`] when the institution already has a
    /// current key: retire it first.
    pub async fn insert_issuer_key(&mut self, key: &IssuerKeyRecord) -> Result<(), StoreError> {
        let conn: &mut AnyConnection = &mut self.conn;
        sqlx::query(
            "INSERT INTO issuer_keys (id, institution_id, key_type, public_key, sealed_secret, created_at, retired_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7)",
        )
        .bind(&key.id)
        .bind(&key.institution_id)
        .bind(&key.key_type)
        .bind(&key.public_key)
        .bind(&key.sealed_secret)
        .bind(&key.created_at)
        .bind(&key.retired_at)
        .execute(conn)
        .await
        .map_err(|err| StoreError::from_write("an issuer key with this id, or a second current key", &["id"], err))?;
        Ok(())
    }

    /// Marks the institution's current key as retired at `at`.
    pub async fn retire_current_key(&mut self, institution_id: &str, at: &str) -> Result<(), StoreError> {
        let conn: &mut AnyConnection = &mut self.conn;
        sqlx::query("UPDATE issuer_keys SET retired_at = $1 WHERE institution_id = $2 AND retired_at IS NULL")
            .bind(at)
            .bind(institution_id)
            .execute(conn)
            .await?;
        Ok(())
    }

    /// Adds an issued credential. Fails with [`StoreError::Conflict`] when one exists for the
    /// same specification, learner and cohort, or with the same idempotency key.
    pub async fn insert_credential(&mut self, credential: &CredentialRecord) -> Result<(), StoreError> {
        self.insert_credentials(&[credential]).await
    }

    /// Adds issued credentials, as [`Db::insert_credential`] adds one, many to a statement. The
    /// documents (and sealed EDCs) of a statement's credentials after the first are packed
    /// against the first's where that at least halves them (see `packing`).
    pub async fn insert_credentials(&mut self, credentials: &[&CredentialRecord]) -> Result<(), StoreError> {
        for chunk in credentials.chunks(crate::ROWS_PER_STATEMENT) {
            let sql = crate::many_rows(
                self.backend,
                "INSERT INTO credentials (id, institution_id, spec_id, learner_id, cohort_key, idempotency_key, \
                 issued_at, state, revocation_reason, state_changed_at, document_base, edc_document_base, document, \
                 spec_version, format, edc_document) VALUES ",
                1,
                chunk.len(),
                16,
                "",
            );
            let Some(base) = chunk.first() else { continue };
            let packed = |at: usize, document: Option<&str>, base_document: Option<&str>| {
                let (document, base_document) = (document?, base_document.filter(|_| at > 0)?);
                crate::packing::pack(document, base_document)
            };
            let packed: Vec<(Option<String>, Option<String>)> = chunk
                .iter()
                .enumerate()
                .map(|(at, credential)| {
                    (
                        packed(at, Some(&credential.document), Some(&base.document)),
                        packed(at, credential.edc_document.as_deref(), base.edc_document.as_deref()),
                    )
                })
                .collect();
            let mut query = sqlx::query(sql);
            for (credential, (document, edc_document)) in chunk.iter().zip(&packed) {
                query = query
                    .bind(&credential.id)
                    .bind(&credential.institution_id)
                    .bind(&credential.spec_id)
                    .bind(&credential.learner_id)
                    .bind(&credential.cohort_key)
                    .bind(&credential.idempotency_key)
                    .bind(&credential.issued_at)
                    .bind(&credential.state)
                    .bind(&credential.revocation_reason)
                    .bind(&credential.state_changed_at)
                    .bind(document.is_some().then_some(base.id.as_str()))
                    .bind(edc_document.is_some().then_some(base.id.as_str()))
                    .bind(document.as_deref().unwrap_or(&credential.document))
                    .bind(credential.spec_version.map(i64::from))
                    .bind(&credential.format)
                    .bind(edc_document.as_deref().or(credential.edc_document.as_deref()));
            }
            query.execute(&mut *self.conn).await.map_err(|err| {
                StoreError::from_write(
                    "a credential for this specification, learner and cohort, or with this idempotency key",
                    &["idempotency_key", "id"],
                    err,
                )
            })?;
        }
        Ok(())
    }

    /// The credentials issued for a specification and cohort to any of these learners.
    pub async fn credentials_for_learners(
        &mut self,
        spec_id: &str,
        cohort_key: &str,
        learner_ids: &[&str],
    ) -> Result<Vec<CredentialRecord>, StoreError> {
        let mut found = Vec::new();
        for chunk in learner_ids.chunks(crate::ROWS_PER_STATEMENT) {
            let sql = crate::many_rows(
                self.backend,
                select_credentials!("WHERE spec_id = $1 AND cohort_key = $2 AND learner_id IN ("),
                3,
                chunk.len(),
                0,
                ")",
            );
            let mut query = sqlx::query(sql).bind(spec_id).bind(cohort_key);
            for learner_id in chunk {
                query = query.bind(*learner_id);
            }
            for row in query.fetch_all(&mut *self.conn).await? {
                found.push(credential_from_row(&row)?);
            }
        }
        Ok(found)
    }

    /// The credential issued for a specification, learner and cohort.
    pub async fn credential_for(
        &mut self,
        spec_id: &str,
        learner_id: &str,
        cohort_key: &str,
    ) -> Result<Option<CredentialRecord>, StoreError> {
        let conn: &mut AnyConnection = &mut self.conn;
        let row = sqlx::query(select_credentials!("WHERE spec_id = $1 AND learner_id = $2 AND cohort_key = $3"))
            .bind(spec_id)
            .bind(learner_id)
            .bind(cohort_key)
            .fetch_optional(conn)
            .await?;
        row.as_ref().map(credential_from_row).transpose()
    }

    /// The credential an institution issued under an idempotency key.
    pub async fn credential_by_idempotency_key(
        &mut self,
        institution_id: &str,
        key: &str,
    ) -> Result<Option<CredentialRecord>, StoreError> {
        let conn: &mut AnyConnection = &mut self.conn;
        let row = sqlx::query(select_credentials!("WHERE institution_id = $1 AND idempotency_key = $2"))
            .bind(institution_id)
            .bind(key)
            .fetch_optional(conn)
            .await?;
        row.as_ref().map(credential_from_row).transpose()
    }

    /// The institution's seal key, if it has one.
    pub async fn seal_key(&mut self, institution_id: &str) -> Result<Option<SealKeyRecord>, StoreError> {
        let conn: &mut AnyConnection = &mut self.conn;
        let row = sqlx::query(
            "SELECT institution_id, certificates, sealed_secret, test_seal, created_at FROM seal_keys \
             WHERE institution_id = $1",
        )
        .bind(institution_id)
        .fetch_optional(conn)
        .await?;
        let Some(row) = row else { return Ok(None) };
        Ok(Some(SealKeyRecord {
            institution_id: row.try_get("institution_id")?,
            certificates: row.try_get("certificates")?,
            sealed_secret: row.try_get("sealed_secret")?,
            test_seal: row.try_get::<i64, _>("test_seal")? != 0,
            created_at: row.try_get("created_at")?,
        }))
    }

    /// Stores the institution's seal key, in place of the one it had: credentials sealed before
    /// carry their own certificates, so nothing depends on the old one.
    pub async fn put_seal_key(&mut self, key: &SealKeyRecord) -> Result<(), StoreError> {
        let conn: &mut AnyConnection = &mut self.conn;
        sqlx::query(
            "INSERT INTO seal_keys (institution_id, certificates, sealed_secret, test_seal, created_at) \
             VALUES ($1, $2, $3, $4, $5) ON CONFLICT (institution_id) DO UPDATE SET certificates = $2, \
             sealed_secret = $3, test_seal = $4, created_at = $5",
        )
        .bind(&key.institution_id)
        .bind(&key.certificates)
        .bind(&key.sealed_secret)
        .bind(i64::from(key.test_seal))
        .bind(&key.created_at)
        .execute(conn)
        .await
        .map_err(|err| StoreError::from_write("a seal key", &[], err))?;
        Ok(())
    }

    /// Sets a credential's state (and the revocation reason, when given) as changed `at` (RFC
    /// 3339), and marks its status lists as changed.
    pub async fn set_credential_state(
        &mut self,
        id: &str,
        state: &str,
        revocation_reason: Option<&str>,
        at: &str,
    ) -> Result<(), StoreError> {
        let conn: &mut AnyConnection = &mut self.conn;
        sqlx::query(
            "UPDATE credentials SET state = $1, revocation_reason = COALESCE($2, revocation_reason), \
             state_changed_at = $3 WHERE id = $4",
        )
        .bind(state)
        .bind(revocation_reason)
        .bind(at)
        .bind(id)
        .execute(&mut *conn)
        .await?;
        bump_status_lists_of(conn, id).await
    }
}

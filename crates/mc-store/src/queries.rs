//! The SQL, shared by both backends, and the mapping between rows and domain values. This is
//! the only module that knows table and column names.

use mc_core::{
    Email, Institution, InstitutionId, Learner, LearnerId, Spec, SpecId,
    wire::{InstitutionDocument, LearnerDocument, SpecDocument},
};
use sqlx::{AnyConnection, Row, any::AnyRow};

use crate::{
    Counts, CredentialFilter, StoreError,
    records::{CredentialRecord, IssuerKeyRecord, StatusEntryRecord, StatusListRecord},
};

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

pub(crate) fn spec_from_row(row: &AnyRow) -> Result<Spec, StoreError> {
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
    insert_awarding_bodies(conn, spec).await
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

pub(crate) async fn find_spec(conn: &mut AnyConnection, id: SpecId) -> Result<Option<Spec>, StoreError> {
    let row =
        sqlx::query("SELECT id, document FROM specs WHERE id = $1").bind(id.to_string()).fetch_optional(conn).await?;
    row.as_ref().map(spec_from_row).transpose()
}

pub(crate) async fn list_specs(conn: &mut AnyConnection) -> Result<Vec<Spec>, StoreError> {
    let rows = sqlx::query("SELECT id, document FROM specs ORDER BY issuer_id, title, id").fetch_all(conn).await?;
    rows.iter().map(spec_from_row).collect()
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

pub(crate) async fn insert_issuer_key(conn: &mut AnyConnection, key: &IssuerKeyRecord) -> Result<(), StoreError> {
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

pub(crate) async fn retire_current_key(
    conn: &mut AnyConnection,
    institution_id: &str,
    at: &str,
) -> Result<(), StoreError> {
    sqlx::query("UPDATE issuer_keys SET retired_at = $1 WHERE institution_id = $2 AND retired_at IS NULL")
        .bind(at)
        .bind(institution_id)
        .execute(conn)
        .await?;
    Ok(())
}

pub(crate) async fn issuer_keys(
    conn: &mut AnyConnection,
    institution_id: &str,
) -> Result<Vec<IssuerKeyRecord>, StoreError> {
    let rows = sqlx::query(select_keys!("WHERE institution_id = $1 ORDER BY created_at, id"))
        .bind(institution_id)
        .fetch_all(conn)
        .await?;
    rows.iter().map(key_from_row).collect()
}

fn list_from_row(row: &AnyRow) -> Result<StatusListRecord, StoreError> {
    Ok(StatusListRecord {
        id: row.try_get("id")?,
        institution_id: row.try_get("institution_id")?,
        purpose: row.try_get("purpose")?,
        size: row.try_get::<i64, _>("size")?.max(0) as u64,
        used: row.try_get::<i64, _>("used")?.max(0) as u64,
        created_at: row.try_get("created_at")?,
    })
}

pub(crate) async fn status_lists(
    conn: &mut AnyConnection,
    institution_id: &str,
    purpose: &str,
) -> Result<Vec<StatusListRecord>, StoreError> {
    let rows = sqlx::query(
        "SELECT id, institution_id, purpose, size, used, created_at FROM status_lists \
         WHERE institution_id = $1 AND purpose = $2 ORDER BY created_at, id",
    )
    .bind(institution_id)
    .bind(purpose)
    .fetch_all(conn)
    .await?;
    rows.iter().map(list_from_row).collect()
}

pub(crate) async fn status_list(conn: &mut AnyConnection, id: &str) -> Result<Option<StatusListRecord>, StoreError> {
    let row = sqlx::query("SELECT id, institution_id, purpose, size, used, created_at FROM status_lists WHERE id = $1")
        .bind(id)
        .fetch_optional(conn)
        .await?;
    row.as_ref().map(list_from_row).transpose()
}

pub(crate) async fn insert_status_list(conn: &mut AnyConnection, list: &StatusListRecord) -> Result<(), StoreError> {
    sqlx::query("INSERT INTO status_lists (id, institution_id, purpose, size, used, created_at) VALUES ($1, $2, $3, $4, $5, $6)")
        .bind(&list.id)
        .bind(&list.institution_id)
        .bind(&list.purpose)
        .bind(list.size as i64)
        .bind(list.used as i64)
        .bind(&list.created_at)
        .execute(conn)
        .await
        .map_err(|err| StoreError::from_write("a status list with this id", &["id"], err))?;
    Ok(())
}

/// Takes `index` of a list for a credential; `false` when the index is already taken.
pub(crate) async fn claim_status_index(
    conn: &mut AnyConnection,
    entry: &StatusEntryRecord,
) -> Result<bool, StoreError> {
    let result = sqlx::query(
        "INSERT INTO status_entries (list_id, idx, credential_id, purpose) VALUES ($1, $2, $3, $4) \
         ON CONFLICT (list_id, idx) DO NOTHING",
    )
    .bind(&entry.list_id)
    .bind(entry.index as i64)
    .bind(&entry.credential_id)
    .bind(&entry.purpose)
    .execute(conn)
    .await
    .map_err(|err| StoreError::from_write("a status entry", &[], err))?;
    Ok(result.rows_affected() == 1)
}

pub(crate) async fn status_entries_of(
    conn: &mut AnyConnection,
    credential_id: &str,
) -> Result<Vec<StatusEntryRecord>, StoreError> {
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

/// A `SELECT` of every credential column, followed by `$tail`.
macro_rules! select_credentials {
    ($tail:literal) => {
        concat!(
            "SELECT id, institution_id, spec_id, learner_id, cohort_key, idempotency_key, issued_at, state, \
             revocation_reason, document FROM credentials ",
            $tail
        )
    };
}

fn credential_from_row(row: &AnyRow) -> Result<CredentialRecord, StoreError> {
    Ok(CredentialRecord {
        id: row.try_get("id")?,
        institution_id: row.try_get("institution_id")?,
        spec_id: row.try_get("spec_id")?,
        learner_id: row.try_get("learner_id")?,
        cohort_key: row.try_get("cohort_key")?,
        idempotency_key: row.try_get("idempotency_key")?,
        issued_at: row.try_get("issued_at")?,
        state: row.try_get("state")?,
        revocation_reason: row.try_get("revocation_reason")?,
        document: row.try_get("document")?,
    })
}

pub(crate) async fn insert_credential(
    conn: &mut AnyConnection,
    credential: &CredentialRecord,
) -> Result<(), StoreError> {
    sqlx::query(
        "INSERT INTO credentials (id, institution_id, spec_id, learner_id, cohort_key, idempotency_key, issued_at, \
         state, revocation_reason, document) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)",
    )
    .bind(&credential.id)
    .bind(&credential.institution_id)
    .bind(&credential.spec_id)
    .bind(&credential.learner_id)
    .bind(&credential.cohort_key)
    .bind(&credential.idempotency_key)
    .bind(&credential.issued_at)
    .bind(&credential.state)
    .bind(&credential.revocation_reason)
    .bind(&credential.document)
    .execute(conn)
    .await
    .map_err(|err| {
        StoreError::from_write(
            "a credential for this specification, learner and cohort, or with this idempotency key",
            &["idempotency_key", "id"],
            err,
        )
    })?;
    Ok(())
}

pub(crate) async fn credential(conn: &mut AnyConnection, id: &str) -> Result<Option<CredentialRecord>, StoreError> {
    let row = sqlx::query(select_credentials!("WHERE id = $1")).bind(id).fetch_optional(conn).await?;
    row.as_ref().map(credential_from_row).transpose()
}

pub(crate) async fn credential_for(
    conn: &mut AnyConnection,
    spec_id: &str,
    learner_id: &str,
    cohort_key: &str,
) -> Result<Option<CredentialRecord>, StoreError> {
    let row = sqlx::query(select_credentials!("WHERE spec_id = $1 AND learner_id = $2 AND cohort_key = $3"))
        .bind(spec_id)
        .bind(learner_id)
        .bind(cohort_key)
        .fetch_optional(conn)
        .await?;
    row.as_ref().map(credential_from_row).transpose()
}

pub(crate) async fn credentials(
    conn: &mut AnyConnection,
    filter: CredentialFilter<'_>,
) -> Result<Vec<CredentialRecord>, StoreError> {
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

pub(crate) async fn set_credential_state(
    conn: &mut AnyConnection,
    id: &str,
    state: &str,
    revocation_reason: Option<&str>,
) -> Result<(), StoreError> {
    sqlx::query("UPDATE credentials SET state = $1, revocation_reason = COALESCE($2, revocation_reason) WHERE id = $3")
        .bind(state)
        .bind(revocation_reason)
        .bind(id)
        .execute(conn)
        .await?;
    Ok(())
}

pub(crate) async fn all_status_lists(conn: &mut AnyConnection) -> Result<Vec<StatusListRecord>, StoreError> {
    let rows = sqlx::query("SELECT id, institution_id, purpose, size, used, created_at FROM status_lists ORDER BY institution_id, created_at, id")
        .fetch_all(conn)
        .await?;
    rows.iter().map(list_from_row).collect()
}

/// The indexes of a list whose credentials are in `state`.
pub(crate) async fn indexes_in_state(
    conn: &mut AnyConnection,
    list_id: &str,
    state: &str,
) -> Result<Vec<u64>, StoreError> {
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

pub(crate) async fn find_learner(conn: &mut AnyConnection, id: &str) -> Result<Option<Learner>, StoreError> {
    let row = sqlx::query(select_learners!("WHERE id = $1")).bind(id).fetch_optional(conn).await?;
    row.as_ref().map(learner_from_row).transpose()
}

pub(crate) async fn add_status_list_use(
    conn: &mut AnyConnection,
    list_id: &str,
    claimed: u64,
) -> Result<(), StoreError> {
    sqlx::query("UPDATE status_lists SET used = used + $1 WHERE id = $2")
        .bind(claimed as i64)
        .bind(list_id)
        .execute(conn)
        .await?;
    Ok(())
}

/// Adds a learner unless one has the email already; `true` when added.
pub(crate) async fn insert_learner_if_new(conn: &mut AnyConnection, learner: &Learner) -> Result<bool, StoreError> {
    let result = sqlx::query(
        "INSERT INTO learners (id, name, email, did) VALUES ($1, $2, $3, $4) ON CONFLICT (email) DO NOTHING",
    )
    .bind(learner.id().to_string())
    .bind(learner.name())
    .bind(learner.email().as_str())
    .bind(learner.did().map(|did| did.as_str()))
    .execute(conn)
    .await
    .map_err(|err| StoreError::from_write("a learner with this id", &["id"], err))?;
    Ok(result.rows_affected() == 1)
}

pub(crate) async fn credential_by_idempotency_key(
    conn: &mut AnyConnection,
    institution_id: &str,
    key: &str,
) -> Result<Option<CredentialRecord>, StoreError> {
    let row = sqlx::query(select_credentials!("WHERE institution_id = $1 AND idempotency_key = $2"))
        .bind(institution_id)
        .bind(key)
        .fetch_optional(conn)
        .await?;
    row.as_ref().map(credential_from_row).transpose()
}

/// Marks every status list of a credential as changed.
pub(crate) async fn bump_status_lists_of(conn: &mut AnyConnection, credential_id: &str) -> Result<(), StoreError> {
    sqlx::query("UPDATE status_lists SET version = version + 1 WHERE id IN (SELECT list_id FROM status_entries WHERE credential_id = $1)")
        .bind(credential_id)
        .execute(conn)
        .await?;
    Ok(())
}

/// A status list's version and the id of its institution's current key, in one query.
pub(crate) async fn status_list_stamp(
    conn: &mut AnyConnection,
    list_id: &str,
) -> Result<Option<(u64, Option<String>)>, StoreError> {
    let row = sqlx::query(
        "SELECT l.version, k.id FROM status_lists l LEFT JOIN issuer_keys k \
         ON k.institution_id = l.institution_id AND k.retired_at IS NULL WHERE l.id = $1",
    )
    .bind(list_id)
    .fetch_optional(conn)
    .await?;
    row.map(|row| Ok((row.try_get::<i64, _>(0)?.max(0) as u64, row.try_get::<Option<String>, _>(1)?))).transpose()
}

/// What changes whenever an institution or an issuer key is added or a key is retired (rows
/// of both are never deleted): counts that only grow.
pub(crate) async fn keys_fingerprint(conn: &mut AnyConnection) -> Result<[u64; 4], StoreError> {
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

/// The keys fingerprint (which counts the trusted-issuer list's changes too) and the stamps (version, current key) of up to two status lists, in
/// one query: what verifying one credential needs to know has not changed.
pub(crate) async fn verification_stamps(
    conn: &mut AnyConnection,
    first: &str,
    second: &str,
) -> Result<([u64; 4], Vec<(String, u64, Option<String>)>), StoreError> {
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

//! The network's registry: institutions' accreditation facts, and the trusted-issuer list.

use sqlx::{AnyConnection, Row, any::AnyRow};
use std::ops::DerefMut;

use crate::{
    Db, StoreError,
    catalogue::{Counter, bump},
};

/// An institution's accreditation and quality-assurance facts, kept by a network administrator.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AccreditationRecord {
    /// The institution.
    pub institution_id: String,
    /// The quality-assurance or accreditation body.
    pub qa_body: String,
    /// `accredited`, `provisional`, `expired` or `withdrawn`.
    pub status: String,
    /// Since when, `YYYY-MM-DD`.
    pub valid_from: String,
    /// Until when, `YYYY-MM-DD`.
    pub valid_until: Option<String>,
    /// The institution's id in its national register.
    pub register_id: Option<String>,
    /// Who recorded it.
    pub updated_by: String,
    /// When, Unix seconds.
    pub updated_at: i64,
}

/// An entry of the trusted-issuer list.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TrustedIssuerRecord {
    /// The entry's id: the institution's handle, or the partner network's id for its issuer.
    pub id: String,
    /// The institution of this network, when it is one; its DIDs come from its keys.
    pub institution_id: Option<String>,
    /// The issuer's name.
    pub name: String,
    /// ISO 3166-1 alpha-2 code.
    pub country: String,
    /// `local`, or the partner network the entry was imported from.
    pub network: String,
    /// The DIDs it issues as (for a partner's issuer; a local institution's are derived).
    pub dids: Vec<String>,
    /// SHA-256 fingerprints (hex) of its electronic seal certificates.
    pub seal_certificates: Vec<String>,
    /// Since when it is trusted, Unix seconds.
    pub trusted_from: i64,
    /// When it left the list, Unix seconds: credentials issued after then are not trusted.
    pub trusted_until: Option<i64>,
    /// When the entry last changed, Unix seconds.
    pub updated_at: i64,
}

fn accreditation_from_row(row: &AnyRow) -> Result<AccreditationRecord, StoreError> {
    Ok(AccreditationRecord {
        institution_id: row.try_get("institution_id")?,
        qa_body: row.try_get("qa_body")?,
        status: row.try_get("status")?,
        valid_from: row.try_get("valid_from")?,
        valid_until: row.try_get("valid_until")?,
        register_id: row.try_get("register_id")?,
        updated_by: row.try_get("updated_by")?,
        updated_at: row.try_get("updated_at")?,
    })
}

fn list(raw: &str, id: &str) -> Result<Vec<String>, StoreError> {
    serde_json::from_str(raw).map_err(|err| StoreError::Corrupt {
        what: "trusted issuer",
        id: id.to_owned(),
        detail: err.to_string(),
    })
}

impl<C: DerefMut<Target = AnyConnection> + Send> Db<C> {
    /// Every institution's accreditation facts, by institution.
    pub async fn accreditations(&mut self) -> Result<Vec<AccreditationRecord>, StoreError> {
        let conn: &mut AnyConnection = &mut self.conn;
        let rows = sqlx::query(
            "SELECT institution_id, qa_body, status, valid_from, valid_until, register_id, updated_by, updated_at \
             FROM accreditations ORDER BY institution_id",
        )
        .fetch_all(conn)
        .await?;
        rows.iter().map(accreditation_from_row).collect()
    }

    /// The trusted-issuer list, including the issuers that left it.
    pub async fn trusted_issuers(&mut self) -> Result<Vec<TrustedIssuerRecord>, StoreError> {
        let conn: &mut AnyConnection = &mut self.conn;
        let rows = sqlx::query(
            "SELECT id, institution_id, name, country, network, dids, seal_certificates, trusted_from, trusted_until, \
             updated_at FROM trusted_issuers ORDER BY network, id",
        )
        .fetch_all(conn)
        .await?;
        rows.iter()
            .map(|row| {
                let id: String = row.try_get("id")?;
                Ok(TrustedIssuerRecord {
                    institution_id: row.try_get("institution_id")?,
                    name: row.try_get("name")?,
                    country: row.try_get("country")?,
                    network: row.try_get("network")?,
                    dids: list(&row.try_get::<String, _>("dids")?, &id)?,
                    seal_certificates: list(&row.try_get::<String, _>("seal_certificates")?, &id)?,
                    trusted_from: row.try_get("trusted_from")?,
                    trusted_until: row.try_get("trusted_until")?,
                    updated_at: row.try_get("updated_at")?,
                    id,
                })
            })
            .collect()
    }

    /// Records an institution's accreditation facts, replacing earlier ones.
    pub async fn put_accreditation(&mut self, record: &AccreditationRecord) -> Result<(), StoreError> {
        let conn: &mut AnyConnection = &mut self.conn;
        sqlx::query(
            "INSERT INTO accreditations \
             (institution_id, qa_body, status, valid_from, valid_until, register_id, updated_by, updated_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8) \
             ON CONFLICT (institution_id) DO UPDATE SET qa_body = excluded.qa_body, status = excluded.status, \
             valid_from = excluded.valid_from, valid_until = excluded.valid_until, register_id = excluded.register_id, \
             updated_by = excluded.updated_by, updated_at = excluded.updated_at",
        )
        .bind(&record.institution_id)
        .bind(&record.qa_body)
        .bind(&record.status)
        .bind(&record.valid_from)
        .bind(&record.valid_until)
        .bind(&record.register_id)
        .bind(&record.updated_by)
        .bind(record.updated_at)
        .execute(conn)
        .await
        .map_err(|err| StoreError::from_write("the accreditation of an institution", &[], err))?;
        Ok(())
    }

    /// Adds or replaces an entry of the trusted-issuer list.
    pub async fn put_trusted_issuer(&mut self, record: &TrustedIssuerRecord) -> Result<(), StoreError> {
        let conn: &mut AnyConnection = &mut self.conn;
        let json = |items: &[String]| serde_json::to_string(items).expect("a list of strings serialises");
        sqlx::query(
            "INSERT INTO trusted_issuers (id, institution_id, name, country, network, dids, seal_certificates, \
             trusted_from, trusted_until, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) \
             ON CONFLICT (id) DO UPDATE SET institution_id = excluded.institution_id, name = excluded.name, \
             country = excluded.country, network = excluded.network, dids = excluded.dids, \
             seal_certificates = excluded.seal_certificates, trusted_from = excluded.trusted_from, \
             trusted_until = excluded.trusted_until, updated_at = excluded.updated_at",
        )
        .bind(&record.id)
        .bind(&record.institution_id)
        .bind(&record.name)
        .bind(&record.country)
        .bind(&record.network)
        .bind(json(&record.dids))
        .bind(json(&record.seal_certificates))
        .bind(record.trusted_from)
        .bind(record.trusted_until)
        .bind(record.updated_at)
        .execute(&mut *conn)
        .await
        .map_err(|err| {
            StoreError::from_write("a trusted issuer for this institution", &["institution_id", "id"], err)
        })?;
        bump(conn, Counter::Trust).await.map(drop)
    }
}

//! Recognition agreements: every version of each (its document kept whole), the parties of a
//! version with their signatures, and the agreements a party ended; learners' recognition
//! requests and the decisions that answer them.

use std::ops::DerefMut;

use sqlx::{AnyConnection, Row, any::AnyRow};

use crate::{Db, StoreError};

/// One version of an agreement, with its parties' signatures and its ending.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AgreementRecord {
    /// The agreement's handle.
    pub id: String,
    /// The version (1, 2, …).
    pub version: u32,
    /// The agreement document, JSON.
    pub document: String,
    /// Who stored this version (a staff email or a token id).
    pub created_by: String,
    /// When (RFC 3339).
    pub created_at: String,
    /// Each party, and who signed this version for it and when.
    pub parties: Vec<PartyRecord>,
    /// Who ended the agreement (any version) and when, if a party did.
    pub ended: Option<EndingRecord>,
}

/// A party of an agreement version.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PartyRecord {
    /// The institution.
    pub institution_id: String,
    /// Who signed for it.
    pub signed_by: Option<String>,
    /// When (RFC 3339).
    pub signed_at: Option<String>,
}

/// The ending of an agreement.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EndingRecord {
    /// The party that ended it.
    pub institution_id: String,
    /// Who did, for it.
    pub ended_by: String,
    /// When (RFC 3339).
    pub ended_at: String,
}

fn version_of(row: &AnyRow) -> Result<u32, StoreError> {
    let version: i64 = row.try_get("version")?;
    u32::try_from(version).map_err(|_| {
        crate::corrupt("agreement", row.try_get::<String, _>("id").unwrap_or_default(), format!("version {version}"))
    })
}

impl<C: DerefMut<Target = AnyConnection> + Send> Db<C> {
    /// Stores the next version of an agreement with its parties, none of them signed yet;
    /// returns the version. (Whether an agreement may get a new version is the caller's to
    /// decide: an ended one may not.)
    pub async fn insert_agreement_version(
        &mut self,
        id: &str,
        document: &str,
        parties: &[&str],
        created_by: &str,
        created_at: &str,
    ) -> Result<u32, StoreError> {
        let conn: &mut AnyConnection = &mut self.conn;
        let latest: Option<i64> = sqlx::query("SELECT MAX(version) AS latest FROM agreements WHERE id = $1")
            .bind(id)
            .fetch_one(&mut *conn)
            .await?
            .try_get("latest")?;
        let version = latest.unwrap_or(0) + 1;
        sqlx::query(
            "INSERT INTO agreements (id, version, document, created_by, created_at) VALUES ($1, $2, $3, $4, $5)",
        )
        .bind(id)
        .bind(version)
        .bind(document)
        .bind(created_by)
        .bind(created_at)
        .execute(&mut *conn)
        .await
        .map_err(|err| StoreError::from_write("this version of the agreement", &[], err))?;
        for party in parties {
            sqlx::query("INSERT INTO agreement_parties (agreement_id, version, institution_id) VALUES ($1, $2, $3)")
                .bind(id)
                .bind(version)
                .bind(*party)
                .execute(&mut *conn)
                .await
                .map_err(|err| StoreError::from_write("a party of the agreement", &[], err))?;
        }
        u32::try_from(version).map_err(|_| crate::corrupt("agreement", id.to_owned(), format!("version {version}")))
    }

    /// Records the signature of `institution` on a version of an agreement. `false` when the
    /// institution is not a party of that version or had signed it already.
    pub async fn sign_agreement(
        &mut self,
        id: &str,
        version: u32,
        institution: &str,
        signed_by: &str,
        signed_at: &str,
    ) -> Result<bool, StoreError> {
        let conn: &mut AnyConnection = &mut self.conn;
        let done = sqlx::query(
            "UPDATE agreement_parties SET signed_by = $1, signed_at = $2 \
             WHERE agreement_id = $3 AND version = $4 AND institution_id = $5 AND signed_by IS NULL",
        )
        .bind(signed_by)
        .bind(signed_at)
        .bind(id)
        .bind(i64::from(version))
        .bind(institution)
        .execute(conn)
        .await?;
        Ok(done.rows_affected() == 1)
    }

    /// Ends an agreement; `false` when it was ended already.
    pub async fn end_agreement(&mut self, id: &str, ending: &EndingRecord) -> Result<bool, StoreError> {
        let conn: &mut AnyConnection = &mut self.conn;
        let done = sqlx::query(
            "INSERT INTO agreement_endings (agreement_id, institution_id, ended_by, ended_at) VALUES ($1, $2, $3, $4) \
             ON CONFLICT (agreement_id) DO NOTHING",
        )
        .bind(id)
        .bind(&ending.institution_id)
        .bind(&ending.ended_by)
        .bind(&ending.ended_at)
        .execute(conn)
        .await
        .map_err(|err| StoreError::from_write("the ending of the agreement", &[], err))?;
        Ok(done.rows_affected() == 1)
    }

    /// A version of an agreement, or its latest when `version` is `None`.
    pub async fn agreement(&mut self, id: &str, version: Option<u32>) -> Result<Option<AgreementRecord>, StoreError> {
        let conn: &mut AnyConnection = &mut self.conn;
        let row = sqlx::query(
            "SELECT id, version, document, created_by, created_at FROM agreements WHERE id = $1 \
             AND ($2 IS NULL OR version = $2) ORDER BY version DESC LIMIT 1",
        )
        .bind(id)
        .bind(version.map(i64::from))
        .fetch_optional(&mut *conn)
        .await?;
        match row {
            None => Ok(None),
            Some(row) => Ok(Some(self.complete(&row).await?)),
        }
    }

    /// The latest version of every agreement, by id.
    pub async fn agreements(&mut self) -> Result<Vec<AgreementRecord>, StoreError> {
        let conn: &mut AnyConnection = &mut self.conn;
        let rows = sqlx::query(
            "SELECT id, version, document, created_by, created_at FROM agreements AS a \
             WHERE version = (SELECT MAX(version) FROM agreements AS b WHERE b.id = a.id) ORDER BY id",
        )
        .fetch_all(&mut *conn)
        .await?;
        let mut records = Vec::with_capacity(rows.len());
        for row in &rows {
            records.push(self.complete(row).await?);
        }
        Ok(records)
    }

    async fn complete(&mut self, row: &AnyRow) -> Result<AgreementRecord, StoreError> {
        let id: String = row.try_get("id")?;
        let version = version_of(row)?;
        let conn: &mut AnyConnection = &mut self.conn;
        let parties = sqlx::query(
            "SELECT institution_id, signed_by, signed_at FROM agreement_parties \
             WHERE agreement_id = $1 AND version = $2 ORDER BY institution_id",
        )
        .bind(&id)
        .bind(i64::from(version))
        .fetch_all(&mut *conn)
        .await?
        .iter()
        .map(|party| {
            Ok(PartyRecord {
                institution_id: party.try_get("institution_id")?,
                signed_by: party.try_get("signed_by")?,
                signed_at: party.try_get("signed_at")?,
            })
        })
        .collect::<Result<Vec<_>, StoreError>>()?;
        let ended =
            sqlx::query("SELECT institution_id, ended_by, ended_at FROM agreement_endings WHERE agreement_id = $1")
                .bind(&id)
                .fetch_optional(&mut *conn)
                .await?
                .map(|ending| {
                    Ok::<_, StoreError>(EndingRecord {
                        institution_id: ending.try_get("institution_id")?,
                        ended_by: ending.try_get("ended_by")?,
                        ended_at: ending.try_get("ended_at")?,
                    })
                })
                .transpose()?;
        Ok(AgreementRecord {
            version,
            document: row.try_get("document")?,
            created_by: row.try_get("created_by")?,
            created_at: row.try_get("created_at")?,
            id,
            parties,
            ended,
        })
    }
}

/// A recognition decision.
#[derive(Debug, Clone, PartialEq)]
pub struct DecisionRecord {
    /// The decision's id (a UUID).
    pub id: String,
    /// The recognising (home) institution.
    pub institution_id: String,
    /// The recognised credential's id.
    pub credential_id: String,
    /// The SHA-256 of the credential as it was given, hex.
    pub credential_digest: String,
    /// Accepted or rejected.
    pub accepted: bool,
    /// The agreement it was decided under, its version and rule (accepted ones).
    pub agreement: Option<(String, u32, String)>,
    /// What was granted, in words, and its ECTS (accepted ones).
    pub granted: Option<(String, f64)>,
    /// Why (a rejection must say).
    pub reason: Option<String>,
    /// Who decided, and when (RFC 3339).
    pub decided_by: String,
    /// When.
    pub decided_at: String,
    /// The signed decision credential (accepted ones), JSON.
    pub document: Option<String>,
}

/// A `SELECT` of every recognition decision column, followed by `$tail`.
macro_rules! select_decisions {
    ($tail:literal) => {
        concat!(
            "SELECT id, institution_id, credential_id, credential_digest, accepted, agreement_id, agreement_version, \
             rule_id, granted, ects, reason, decided_by, decided_at, document FROM recognition_decisions ",
            $tail
        )
    };
}

/// A `SELECT` of every recognition request column, followed by `$tail`.
macro_rules! select_requests {
    ($tail:literal) => {
        concat!(
            "SELECT id, learner_id, institution_id, credential, credential_digest, title, issued_id, note, \
             requested_at, decision_id FROM recognition_requests ",
            $tail
        )
    };
}

impl<C: DerefMut<Target = AnyConnection> + Send> Db<C> {
    /// Stores a recognition decision.
    pub async fn insert_decision(&mut self, decision: &DecisionRecord) -> Result<(), StoreError> {
        let conn: &mut AnyConnection = &mut self.conn;
        let (agreement, version, rule) = match &decision.agreement {
            Some((agreement, version, rule)) => {
                (Some(agreement.as_str()), Some(i64::from(*version)), Some(rule.as_str()))
            }
            None => (None, None, None),
        };
        sqlx::query(
            "INSERT INTO recognition_decisions (id, institution_id, credential_id, credential_digest, accepted, \
             agreement_id, agreement_version, rule_id, granted, ects, reason, decided_by, decided_at, document) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14)",
        )
        .bind(&decision.id)
        .bind(&decision.institution_id)
        .bind(&decision.credential_id)
        .bind(&decision.credential_digest)
        .bind(i64::from(decision.accepted))
        .bind(agreement)
        .bind(version)
        .bind(rule)
        .bind(decision.granted.as_ref().map(|(words, _)| words.as_str()))
        .bind(decision.granted.as_ref().map(|(_, ects)| *ects))
        .bind(&decision.reason)
        .bind(&decision.decided_by)
        .bind(&decision.decided_at)
        .bind(&decision.document)
        .execute(conn)
        .await
        .map_err(|err| StoreError::from_write("a recognition decision with this id", &["id"], err))?;
        Ok(())
    }

    /// An institution's recognition decisions, oldest first.
    pub async fn decisions(&mut self, institution_id: &str) -> Result<Vec<DecisionRecord>, StoreError> {
        let conn: &mut AnyConnection = &mut self.conn;
        let rows = sqlx::query(select_decisions!("WHERE institution_id = $1 ORDER BY decided_at, id"))
            .bind(institution_id)
            .fetch_all(conn)
            .await?;
        rows.iter().map(decision_of).collect()
    }

    /// One recognition decision.
    pub async fn decision(&mut self, id: &str) -> Result<Option<DecisionRecord>, StoreError> {
        let conn: &mut AnyConnection = &mut self.conn;
        let row = sqlx::query(select_decisions!("WHERE id = $1")).bind(id).fetch_optional(conn).await?;
        row.as_ref().map(decision_of).transpose()
    }

    /// Stores a learner's recognition request. Asking the same institution about the same
    /// credential twice is a conflict on `credential_digest`.
    pub async fn insert_recognition_request(&mut self, request: &RequestRecord) -> Result<(), StoreError> {
        let conn: &mut AnyConnection = &mut self.conn;
        sqlx::query(
            "INSERT INTO recognition_requests (id, learner_id, institution_id, credential, credential_digest, title, \
             issued_id, note, requested_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
        )
        .bind(&request.id)
        .bind(&request.learner_id)
        .bind(&request.institution_id)
        .bind(&request.credential)
        .bind(&request.credential_digest)
        .bind(&request.title)
        .bind(&request.issued_id)
        .bind(&request.note)
        .bind(&request.requested_at)
        .execute(conn)
        .await
        .map_err(|err| StoreError::from_write("a recognition request", &["credential_digest", "id"], err))?;
        Ok(())
    }

    /// One recognition request.
    pub async fn recognition_request(&mut self, id: &str) -> Result<Option<RequestRecord>, StoreError> {
        let conn: &mut AnyConnection = &mut self.conn;
        let row = sqlx::query(select_requests!("WHERE id = $1")).bind(id).fetch_optional(conn).await?;
        row.as_ref().map(request_of).transpose()
    }

    /// The recognition requests made of an institution (`Asked::Of`) or by a learner
    /// (`Asked::By`), oldest first.
    pub async fn recognition_requests(&mut self, asked: Asked<'_>) -> Result<Vec<RequestRecord>, StoreError> {
        let conn: &mut AnyConnection = &mut self.conn;
        let (query, value) = match asked {
            Asked::Of(institution_id) => {
                (select_requests!("WHERE institution_id = $1 ORDER BY requested_at, id"), institution_id)
            }
            Asked::By(learner_id) => (select_requests!("WHERE learner_id = $1 ORDER BY requested_at, id"), learner_id),
        };
        let rows = sqlx::query(query).bind(value).fetch_all(conn).await?;
        rows.iter().map(request_of).collect()
    }

    /// Records the decision that answers a request; false when it was answered already.
    pub async fn answer_recognition_request(&mut self, id: &str, decision_id: &str) -> Result<bool, StoreError> {
        let conn: &mut AnyConnection = &mut self.conn;
        let done =
            sqlx::query("UPDATE recognition_requests SET decision_id = $1 WHERE id = $2 AND decision_id IS NULL")
                .bind(decision_id)
                .bind(id)
                .execute(conn)
                .await?;
        Ok(done.rows_affected() == 1)
    }
}

/// Whose recognition requests to list.
#[derive(Debug, Clone, Copy)]
pub enum Asked<'a> {
    /// Those made of this institution.
    Of(&'a str),
    /// Those made by this learner.
    By(&'a str),
}

/// A learner's request that an institution recognise a credential.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RequestRecord {
    /// The request's id (a UUID).
    pub id: String,
    /// The learner who asks.
    pub learner_id: String,
    /// The institution asked.
    pub institution_id: String,
    /// The credential, as the learner gave it.
    pub credential: String,
    /// Its SHA-256, hex.
    pub credential_digest: String,
    /// Its title, as the learner saw it.
    pub title: String,
    /// The learner's own credential it is, when it was issued here.
    pub issued_id: Option<String>,
    /// What the learner adds.
    pub note: Option<String>,
    /// When (RFC 3339).
    pub requested_at: String,
    /// The decision that answered it.
    pub decision_id: Option<String>,
}

fn decision_of(row: &AnyRow) -> Result<DecisionRecord, StoreError> {
    let agreement: Option<String> = row.try_get("agreement_id")?;
    let version: Option<i64> = row.try_get("agreement_version")?;
    let rule: Option<String> = row.try_get("rule_id")?;
    let granted: Option<String> = row.try_get("granted")?;
    let ects: Option<f64> = row.try_get("ects")?;
    Ok(DecisionRecord {
        id: row.try_get("id")?,
        institution_id: row.try_get("institution_id")?,
        credential_id: row.try_get("credential_id")?,
        credential_digest: row.try_get("credential_digest")?,
        accepted: row.try_get::<i64, _>("accepted")? != 0,
        agreement: match (agreement, version, rule) {
            (Some(agreement), Some(version), Some(rule)) => {
                Some((agreement, u32::try_from(version).unwrap_or_default(), rule))
            }
            _ => None,
        },
        granted: granted.zip(ects),
        reason: row.try_get("reason")?,
        decided_by: row.try_get("decided_by")?,
        decided_at: row.try_get("decided_at")?,
        document: row.try_get("document")?,
    })
}

fn request_of(row: &AnyRow) -> Result<RequestRecord, StoreError> {
    Ok(RequestRecord {
        id: row.try_get("id")?,
        learner_id: row.try_get("learner_id")?,
        institution_id: row.try_get("institution_id")?,
        credential: row.try_get("credential")?,
        credential_digest: row.try_get("credential_digest")?,
        title: row.try_get("title")?,
        issued_id: row.try_get("issued_id")?,
        note: row.try_get("note")?,
        requested_at: row.try_get("requested_at")?,
        decision_id: row.try_get("decision_id")?,
    })
}

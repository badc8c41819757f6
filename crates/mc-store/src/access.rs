//! Who may do what: API tokens, staff accounts, browser sessions, learners' sign-in and share
//! links, and the remembered answers of idempotent API requests. Secrets arrive here already
//! hashed; the store never sees one in the clear.

use sqlx::{AnyConnection, Row, any::AnyRow};
use std::ops::DerefMut;

use crate::{Db, StoreError};

/// An API token of an institution, or of the network's administrator.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ApiTokenRecord {
    /// The token's id, shown in listings (not the secret).
    pub id: String,
    /// The institution it acts for; `None` for the network's administrator.
    pub institution_id: Option<String>,
    /// An institution's role (`admin`, `issuer`, `recognition-officer`, `viewer`), or
    /// `network-admin`.
    pub role: String,
    /// What it is for, as its maker said.
    pub label: String,
    /// SHA-256 of the secret, hex.
    pub secret_hash: String,
    /// When it was made (RFC 3339).
    pub created_at: String,
    /// When it was revoked.
    pub revoked_at: Option<String>,
}

/// A staff member of an institution, or the network's administrator, who signs in to the pages
/// with a password.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StaffRecord {
    /// The account's id.
    pub id: String,
    /// The institution they work for; `None` for the network's administrator.
    pub institution_id: Option<String>,
    /// Their email address, which they sign in with.
    pub email: String,
    /// Their name.
    pub name: String,
    /// `admin`, `issuer` or `viewer`.
    pub role: String,
    /// The argon2 hash of their password, PHC string.
    pub password_hash: String,
    /// When the account was made (RFC 3339).
    pub created_at: String,
}

/// A signed-in browser.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SessionRecord {
    /// SHA-256 of the cookie's secret, hex.
    pub secret_hash: String,
    /// `staff` or `learner`.
    pub kind: String,
    /// The staff member's or learner's id.
    pub subject_id: String,
    /// The token forms of this session must carry.
    pub csrf: String,
    /// Unix seconds after which the session is over.
    pub expires_at: i64,
}

/// A link that shows one credential, or a selection of several, publicly until it expires or
/// is withdrawn.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ShareLinkRecord {
    /// The link's id, the last segment of its URL: random and unguessable.
    pub id: String,
    /// The credentials shown, in order (at least one).
    pub credentials: Vec<String>,
    /// When it was made (RFC 3339).
    pub created_at: String,
    /// Unix seconds after which the link shows nothing.
    pub expires_at: i64,
    /// When the learner withdrew it (RFC 3339), if they did.
    pub withdrawn_at: Option<String>,
}

/// The answer given to an API request made with an idempotency key.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredResponse {
    /// SHA-256 of what was asked (method, path and body), hex.
    pub request_hash: String,
    /// The HTTP status of the answer.
    pub status: u16,
    /// The answer's body.
    pub body: String,
}

fn token_from_row(row: &AnyRow) -> Result<ApiTokenRecord, StoreError> {
    Ok(ApiTokenRecord {
        id: row.try_get("id")?,
        institution_id: row.try_get("institution_id")?,
        role: row.try_get("role")?,
        label: row.try_get("label")?,
        secret_hash: row.try_get("secret_hash")?,
        created_at: row.try_get("created_at")?,
        revoked_at: row.try_get("revoked_at")?,
    })
}

/// A `SELECT` of every token column, followed by `$tail`.
macro_rules! select_tokens {
    ($tail:literal) => {
        concat!("SELECT id, institution_id, role, label, secret_hash, created_at, revoked_at FROM api_tokens ", $tail)
    };
}

fn staff_from_row(row: &AnyRow) -> Result<StaffRecord, StoreError> {
    Ok(StaffRecord {
        id: row.try_get("id")?,
        institution_id: row.try_get("institution_id")?,
        email: row.try_get("email")?,
        name: row.try_get("name")?,
        role: row.try_get("role")?,
        password_hash: row.try_get("password_hash")?,
        created_at: row.try_get("created_at")?,
    })
}

/// A `SELECT` of every staff column, followed by `$tail`.
macro_rules! select_staff {
    ($tail:literal) => {
        concat!("SELECT id, institution_id, email, name, role, password_hash, created_at FROM staff ", $tail)
    };
}

/// A `SELECT` of every share link column, followed by `$tail`.
macro_rules! select_share_links {
    ($tail:literal) => {
        concat!("SELECT id, created_at, expires_at, withdrawn_at FROM share_links ", $tail)
    };
}

fn share_from_row(row: &AnyRow) -> Result<ShareLinkRecord, StoreError> {
    Ok(ShareLinkRecord {
        id: row.try_get("id")?,
        credentials: Vec::new(),
        created_at: row.try_get("created_at")?,
        expires_at: row.try_get("expires_at")?,
        withdrawn_at: row.try_get("withdrawn_at")?,
    })
}

impl<C: DerefMut<Target = AnyConnection> + Send> Db<C> {
    /// Adds an API token.
    pub async fn insert_token(&mut self, token: &ApiTokenRecord) -> Result<(), StoreError> {
        let conn: &mut AnyConnection = &mut self.conn;
        sqlx::query(
            "INSERT INTO api_tokens (id, institution_id, role, label, secret_hash, created_at, revoked_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7)",
        )
        .bind(&token.id)
        .bind(&token.institution_id)
        .bind(&token.role)
        .bind(&token.label)
        .bind(&token.secret_hash)
        .bind(&token.created_at)
        .bind(&token.revoked_at)
        .execute(conn)
        .await
        .map_err(|err| StoreError::from_write("an API token with this id", &["secret_hash", "id"], err))?;
        Ok(())
    }

    /// The token whose secret hashes to `hash`, revoked or not.
    pub async fn token_by_hash(&mut self, hash: &str) -> Result<Option<ApiTokenRecord>, StoreError> {
        let conn: &mut AnyConnection = &mut self.conn;
        let row = sqlx::query(select_tokens!("WHERE secret_hash = $1")).bind(hash).fetch_optional(conn).await?;
        row.as_ref().map(token_from_row).transpose()
    }

    /// An institution's tokens, oldest first.
    pub async fn tokens(&mut self, institution_id: &str) -> Result<Vec<ApiTokenRecord>, StoreError> {
        let conn: &mut AnyConnection = &mut self.conn;
        let rows = sqlx::query(select_tokens!("WHERE institution_id = $1 ORDER BY created_at, id"))
            .bind(institution_id)
            .fetch_all(conn)
            .await?;
        rows.iter().map(token_from_row).collect()
    }

    /// The network administrator's tokens, oldest first.
    pub async fn network_tokens(&mut self) -> Result<Vec<ApiTokenRecord>, StoreError> {
        let conn: &mut AnyConnection = &mut self.conn;
        let rows =
            sqlx::query(select_tokens!("WHERE institution_id IS NULL ORDER BY created_at, id")).fetch_all(conn).await?;
        rows.iter().map(token_from_row).collect()
    }

    /// Revokes a token (a revoked one stays as it was); returns it, or `None` when there is none.
    pub async fn revoke_token(&mut self, id: &str, at: &str) -> Result<Option<ApiTokenRecord>, StoreError> {
        let conn: &mut AnyConnection = &mut self.conn;
        sqlx::query("UPDATE api_tokens SET revoked_at = $1 WHERE id = $2 AND revoked_at IS NULL")
            .bind(at)
            .bind(id)
            .execute(&mut *conn)
            .await?;
        let row = sqlx::query(select_tokens!("WHERE id = $1")).bind(id).fetch_optional(conn).await?;
        row.as_ref().map(token_from_row).transpose()
    }

    /// Adds a staff member. Fails with [`StoreError::Conflict`] when the email is taken.
    pub async fn insert_staff(&mut self, staff: &StaffRecord) -> Result<(), StoreError> {
        let conn: &mut AnyConnection = &mut self.conn;
        sqlx::query(
            "INSERT INTO staff (id, institution_id, email, name, role, password_hash, created_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7)",
        )
        .bind(&staff.id)
        .bind(&staff.institution_id)
        .bind(&staff.email)
        .bind(&staff.name)
        .bind(&staff.role)
        .bind(&staff.password_hash)
        .bind(&staff.created_at)
        .execute(conn)
        .await
        .map_err(|err| StoreError::from_write("a staff member with this email address", &["email", "id"], err))?;
        Ok(())
    }

    /// The staff member with this email address.
    pub async fn staff_by_email(&mut self, email: &str) -> Result<Option<StaffRecord>, StoreError> {
        let conn: &mut AnyConnection = &mut self.conn;
        let row = sqlx::query(select_staff!("WHERE email = $1")).bind(email).fetch_optional(conn).await?;
        row.as_ref().map(staff_from_row).transpose()
    }

    /// The staff member with this id.
    pub async fn staff(&mut self, id: &str) -> Result<Option<StaffRecord>, StoreError> {
        let conn: &mut AnyConnection = &mut self.conn;
        let row = sqlx::query(select_staff!("WHERE id = $1")).bind(id).fetch_optional(conn).await?;
        row.as_ref().map(staff_from_row).transpose()
    }

    /// Starts a browser session. Fails with [`StoreError::Conflict`] when its secret is taken.
    pub async fn insert_session(&mut self, session: &SessionRecord) -> Result<(), StoreError> {
        let conn: &mut AnyConnection = &mut self.conn;
        sqlx::query(
            "INSERT INTO sessions (secret_hash, kind, subject_id, csrf, expires_at) VALUES ($1, $2, $3, $4, $5)",
        )
        .bind(&session.secret_hash)
        .bind(&session.kind)
        .bind(&session.subject_id)
        .bind(&session.csrf)
        .bind(session.expires_at)
        .execute(conn)
        .await
        .map_err(|err| StoreError::from_write("a session with this secret", &["secret_hash"], err))?;
        Ok(())
    }

    /// The session whose secret hashes to `hash`, unless it is over at `now` (Unix seconds).
    pub async fn session(&mut self, hash: &str, now: i64) -> Result<Option<SessionRecord>, StoreError> {
        let conn: &mut AnyConnection = &mut self.conn;
        let row = sqlx::query(
            "SELECT secret_hash, kind, subject_id, csrf, expires_at FROM sessions WHERE secret_hash = $1 AND expires_at > $2",
        )
        .bind(hash)
        .bind(now)
        .fetch_optional(conn)
        .await?;
        let Some(row) = row else { return Ok(None) };
        Ok(Some(SessionRecord {
            secret_hash: row.try_get("secret_hash")?,
            kind: row.try_get("kind")?,
            subject_id: row.try_get("subject_id")?,
            csrf: row.try_get("csrf")?,
            expires_at: row.try_get("expires_at")?,
        }))
    }

    /// Ends a session, and every session that is over at `now`.
    pub async fn delete_session(&mut self, hash: &str, now: i64) -> Result<(), StoreError> {
        let conn: &mut AnyConnection = &mut self.conn;
        // Expired sessions go with it.
        sqlx::query("DELETE FROM sessions WHERE secret_hash = $1 OR expires_at <= $2")
            .bind(hash)
            .bind(now)
            .execute(conn)
            .await?;
        Ok(())
    }

    /// Adds a learner's one-time sign-in link. Fails with [`StoreError::Conflict`] when its
    /// secret is taken and with [`StoreError::MissingReference`] when the learner is not stored.
    pub async fn insert_sign_in_link(
        &mut self,
        hash: &str,
        learner_id: &str,
        expires_at: i64,
    ) -> Result<(), StoreError> {
        let conn: &mut AnyConnection = &mut self.conn;
        sqlx::query("INSERT INTO sign_in_links (secret_hash, learner_id, expires_at) VALUES ($1, $2, $3)")
            .bind(hash)
            .bind(learner_id)
            .bind(expires_at)
            .execute(conn)
            .await
            .map_err(|err| StoreError::from_write("a sign-in link with this secret", &["secret_hash"], err))?;
        Ok(())
    }

    /// Uses a sign-in link: its learner the first time, before it expires; `None` after.
    pub async fn use_sign_in_link(&mut self, hash: &str, now: i64) -> Result<Option<String>, StoreError> {
        let conn: &mut AnyConnection = &mut self.conn;
        let row = sqlx::query(
            "UPDATE sign_in_links SET used = 1 WHERE secret_hash = $1 AND used = 0 AND expires_at > $2 RETURNING learner_id",
        )
        .bind(hash)
        .bind(now)
        .fetch_optional(conn)
        .await?;
        Ok(row.map(|row| row.try_get("learner_id")).transpose()?)
    }

    /// Adds a share link with its credentials. Fails with [`StoreError::Conflict`] when its id
    /// is taken and with [`StoreError::MissingReference`] when a credential is not stored. Call it
    /// in a transaction: it writes a row per credential.
    pub async fn insert_share_link(&mut self, link: &ShareLinkRecord) -> Result<(), StoreError> {
        let conn: &mut AnyConnection = &mut self.conn;
        let first = link.credentials.first().ok_or_else(|| {
            crate::corrupt("share link", link.id.clone(), "a share link shows at least one credential")
        })?;
        sqlx::query("INSERT INTO share_links (id, credential_id, created_at, expires_at) VALUES ($1, $2, $3, $4)")
            .bind(&link.id)
            .bind(first)
            .bind(&link.created_at)
            .bind(link.expires_at)
            .execute(&mut *conn)
            .await
            .map_err(|err| StoreError::from_write("a share link with this id", &["id"], err))?;
        for (position, credential) in link.credentials.iter().enumerate() {
            sqlx::query("INSERT INTO share_link_credentials (link_id, position, credential_id) VALUES ($1, $2, $3)")
                .bind(&link.id)
                .bind(position as i64)
                .bind(credential)
                .execute(&mut *conn)
                .await
                .map_err(|err| StoreError::from_write("a shared credential", &["position"], err))?;
        }
        Ok(())
    }

    /// The share link with this id, expired, withdrawn or not.
    pub async fn share_link(&mut self, id: &str) -> Result<Option<ShareLinkRecord>, StoreError> {
        let row = sqlx::query(select_share_links!("WHERE id = $1")).bind(id).fetch_optional(&mut *self.conn).await?;
        match row.as_ref().map(share_from_row).transpose()? {
            Some(link) => Ok(Some(self.with_credentials(link).await?)),
            None => Ok(None),
        }
    }

    /// The share links that show a credential, oldest first.
    pub async fn share_links_of(&mut self, credential_id: &str) -> Result<Vec<ShareLinkRecord>, StoreError> {
        let rows = sqlx::query(select_share_links!(
            "WHERE id IN (SELECT link_id FROM share_link_credentials WHERE credential_id = $1) ORDER BY created_at, id"
        ))
        .bind(credential_id)
        .fetch_all(&mut *self.conn)
        .await?;
        self.links_of_rows(&rows).await
    }

    /// The share links of a learner's credentials, oldest first.
    pub async fn share_links_of_learner(&mut self, learner_id: &str) -> Result<Vec<ShareLinkRecord>, StoreError> {
        let rows = sqlx::query(select_share_links!(
            "WHERE credential_id IN (SELECT id FROM credentials WHERE learner_id = $1) ORDER BY created_at, id"
        ))
        .bind(learner_id)
        .fetch_all(&mut *self.conn)
        .await?;
        self.links_of_rows(&rows).await
    }

    /// Withdraws a share link at `at`; false when it was withdrawn already (or is not stored).
    pub async fn withdraw_share_link(&mut self, id: &str, at: &str) -> Result<bool, StoreError> {
        let done = sqlx::query("UPDATE share_links SET withdrawn_at = $1 WHERE id = $2 AND withdrawn_at IS NULL")
            .bind(at)
            .bind(id)
            .execute(&mut *self.conn)
            .await?;
        Ok(done.rows_affected() == 1)
    }

    async fn links_of_rows(&mut self, rows: &[AnyRow]) -> Result<Vec<ShareLinkRecord>, StoreError> {
        let mut links = Vec::with_capacity(rows.len());
        for row in rows {
            links.push(self.with_credentials(share_from_row(row)?).await?);
        }
        Ok(links)
    }

    async fn with_credentials(&mut self, mut link: ShareLinkRecord) -> Result<ShareLinkRecord, StoreError> {
        let rows = sqlx::query("SELECT credential_id FROM share_link_credentials WHERE link_id = $1 ORDER BY position")
            .bind(&link.id)
            .fetch_all(&mut *self.conn)
            .await?;
        link.credentials = rows.iter().map(|row| row.try_get("credential_id")).collect::<Result<_, _>>()?;
        Ok(link)
    }

    /// The answer remembered for an institution's idempotency key.
    pub async fn stored_response(
        &mut self,
        institution_id: &str,
        key: &str,
    ) -> Result<Option<StoredResponse>, StoreError> {
        let conn: &mut AnyConnection = &mut self.conn;
        let row = sqlx::query(
            "SELECT request_hash, status, response FROM idempotent_requests WHERE institution_id = $1 AND idem_key = $2",
        )
        .bind(institution_id)
        .bind(key)
        .fetch_optional(conn)
        .await?;
        let Some(row) = row else { return Ok(None) };
        let status: i64 = row.try_get("status")?;
        Ok(Some(StoredResponse {
            request_hash: row.try_get("request_hash")?,
            status: u16::try_from(status).unwrap_or(500),
            body: row.try_get("response")?,
        }))
    }

    /// Remembers the answer to an idempotent request; `false` when one was remembered first.
    /// Fails with [`StoreError::MissingReference`] when the institution is not stored.
    pub async fn store_response(
        &mut self,
        institution_id: &str,
        key: &str,
        response: &StoredResponse,
        at: &str,
    ) -> Result<bool, StoreError> {
        let conn: &mut AnyConnection = &mut self.conn;
        let done = sqlx::query(
            "INSERT INTO idempotent_requests (institution_id, idem_key, request_hash, status, response, created_at) \
             VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT DO NOTHING",
        )
        .bind(institution_id)
        .bind(key)
        .bind(&response.request_hash)
        .bind(i64::from(response.status))
        .bind(&response.body)
        .bind(at)
        .execute(conn)
        .await
        .map_err(|err| StoreError::from_write("the answer to an idempotent request", &[], err))?;
        Ok(done.rows_affected() == 1)
    }

    /// Forgets every institution's answers to idempotent requests remembered before `before`
    /// (RFC 3339, as [`Db::store_response`] is given its time: `YYYY-MM-DDTHH:MM:SS[.f]Z`),
    /// compared to the second; returns how many were forgotten.
    pub async fn forget_responses_before(&mut self, before: &str) -> Result<u64, StoreError> {
        let conn: &mut AnyConnection = &mut self.conn;
        let done = sqlx::query("DELETE FROM idempotent_requests WHERE substr(created_at, 1, 19) < substr($1, 1, 19)")
            .bind(before)
            .execute(conn)
            .await?;
        Ok(done.rows_affected())
    }
}

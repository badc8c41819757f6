//! What the use cases hand out of the access records, read back into domain values: roles and
//! holders as enums, times as `Timestamp`s, and never a secret's hash. A stored row that no
//! longer parses is reported as damaged (`StoreError::Corrupt`), never passed on.

use mc_core::{Email, InstitutionId, Timestamp};
use mc_store::{ApiTokenRecord, ShareLinkRecord, StaffRecord, StoreError};

use crate::{AppError, Role};

/// The stored role of the network administrator's tokens.
pub(crate) const NETWORK_ADMIN: &str = "network-admin";

/// Whom an API token acts for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Holder {
    /// A member of an institution, with a role there.
    Member {
        /// The institution.
        institution: InstitutionId,
        /// What the token may do there.
        role: Role,
    },
    /// The network's administrator.
    NetworkAdmin,
}

/// An API token as listed: never its secret, which is not kept.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ApiToken {
    /// The token's id (not the secret).
    pub id: String,
    /// Whom it acts for.
    pub holder: Holder,
    /// What it is for, as its maker said.
    pub label: String,
    /// When it was made.
    pub created_at: Timestamp,
    /// When it was revoked.
    pub revoked_at: Option<Timestamp>,
}

/// A staff member of an institution, or the network's administrator, without their
/// password's hash.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Staff {
    /// The account's id.
    pub id: String,
    /// Whom they act for.
    pub holder: Holder,
    /// The address they sign in with.
    pub email: Email,
    /// Their name.
    pub name: String,
    /// When the account was made.
    pub created_at: Timestamp,
}

/// A signed-in browser's session, as the pages need it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Session {
    /// The token every form of the session must carry.
    pub csrf: String,
    /// When it ends.
    pub expires_at: Timestamp,
}

/// A link that shows one credential publicly until it expires.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ShareLink {
    /// The link's id, the last segment of its URL: random and unguessable.
    pub id: String,
    /// The credentials shown, in order.
    pub credentials: Vec<String>,
    /// When it was made.
    pub created_at: Timestamp,
    /// When it stops showing anything; `None` when it does not expire.
    pub expires_at: Option<Timestamp>,
    /// When the learner withdrew it, if they did.
    pub withdrawn_at: Option<Timestamp>,
}

impl ShareLink {
    /// Whether it shows its credentials at `now`: neither expired nor withdrawn.
    pub fn live(&self, now: Timestamp) -> bool {
        self.withdrawn_at.is_none() && self.expires_at.is_none_or(|expires| expires > now)
    }
}

fn damaged(what: &'static str, id: &str) -> impl Fn(String) -> AppError + use<> {
    let id = id.to_owned();
    move |detail| StoreError::Corrupt { what, id: id.clone(), detail }.into()
}

/// Reads a stored RFC 3339 time.
pub(crate) fn time(raw: &str, damaged: &impl Fn(String) -> AppError) -> Result<Timestamp, AppError> {
    Timestamp::parse(raw).map_err(|err| damaged(err.to_string()))
}

impl Holder {
    /// Reads a stored institution and role: a role of no institution is the network
    /// administrator's.
    fn parse(institution: Option<&str>, role: &str, damaged: &impl Fn(String) -> AppError) -> Result<Holder, AppError> {
        match (institution, role) {
            (None, NETWORK_ADMIN) => Ok(Holder::NetworkAdmin),
            (Some(institution), role) => Ok(Holder::Member {
                institution: InstitutionId::parse(institution).map_err(|err| damaged(err.to_string()))?,
                role: Role::parse(role).map_err(|err| damaged(err.to_string()))?,
            }),
            (None, role) => Err(damaged(format!("an account of no institution has the role {role:?}"))),
        }
    }

    /// The institution, when a member's.
    pub fn institution(&self) -> Option<&InstitutionId> {
        match self {
            Holder::Member { institution, .. } => Some(institution),
            Holder::NetworkAdmin => None,
        }
    }

    /// The role's name: an institution's role, or `network-admin`.
    pub fn role_name(&self) -> &'static str {
        match self {
            Holder::Member { role, .. } => role.as_str(),
            Holder::NetworkAdmin => NETWORK_ADMIN,
        }
    }

    /// The principal of an account or token held this way, named `actor`.
    pub(crate) fn principal(&self, actor: String) -> crate::Principal {
        match self {
            Holder::Member { institution, role } => crate::Principal::member(institution.clone(), *role, actor),
            Holder::NetworkAdmin => crate::Principal::network_admin(actor),
        }
    }
}

impl ApiToken {
    pub(crate) fn from_record(record: ApiTokenRecord) -> Result<ApiToken, AppError> {
        let damaged = damaged("API token", &record.id);
        let holder = Holder::parse(record.institution_id.as_deref(), &record.role, &damaged)?;
        let created_at = time(&record.created_at, &damaged)?;
        let revoked_at = record.revoked_at.as_deref().map(|at| time(at, &damaged)).transpose()?;
        Ok(ApiToken { id: record.id, holder, label: record.label, created_at, revoked_at })
    }

    /// The institution the token acts for, when it is a member's.
    pub fn institution(&self) -> Option<&InstitutionId> {
        self.holder.institution()
    }

    /// The role's name: an institution's role, or `network-admin`.
    pub fn role_name(&self) -> &'static str {
        self.holder.role_name()
    }
}

impl Staff {
    pub(crate) fn from_record(record: &StaffRecord) -> Result<Staff, AppError> {
        let damaged = damaged("staff account", &record.id);
        Ok(Staff {
            id: record.id.clone(),
            holder: Holder::parse(record.institution_id.as_deref(), &record.role, &damaged)?,
            email: Email::parse(&record.email).map_err(|err| damaged(err.to_string()))?,
            name: record.name.clone(),
            created_at: time(&record.created_at, &damaged)?,
        })
    }
}

impl ShareLink {
    pub(crate) fn from_record(record: ShareLinkRecord) -> Result<ShareLink, AppError> {
        let damaged = damaged("share link", "(secret)");
        Ok(ShareLink {
            created_at: time(&record.created_at, &damaged)?,
            expires_at: (record.expires_at < crate::sharing::NEVER).then(|| Timestamp::from_unix(record.expires_at, 0)),
            withdrawn_at: record.withdrawn_at.as_deref().map(|at| time(at, &damaged)).transpose()?,
            id: record.id,
            credentials: record.credentials,
        })
    }
}

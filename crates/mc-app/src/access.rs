//! Who may do what. Institutions act through API tokens and staff accounts, each with a role;
//! learners sign in with one-time links and share credentials through links that expire.
//! Every secret handed out is random, shown once, and stored only as its SHA-256; passwords are
//! stored as argon2 hashes.

use argon2::{Argon2, PasswordHash, PasswordHasher, PasswordVerifier, password_hash::SaltString};
use mc_core::{Email, InstitutionId, Timestamp};
use mc_store::{ApiTokenRecord, SessionRecord, ShareLinkRecord, StaffRecord, StoreError, StoredResponse};
use sha2::{Digest, Sha256};

use crate::{App, AppError, IssuedCredential, keys::random_bytes};

/// What a token or staff member may do. Each role may do what the ones below it may.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Role {
    /// Reads the institution's credentials and jobs.
    Viewer,
    /// Also issues, revokes and suspends credentials and adds specifications.
    Issuer,
    /// Also manages tokens and staff.
    Admin,
}

impl Role {
    /// Reads `admin`, `issuer` or `viewer`.
    pub fn parse(raw: &str) -> Result<Role, AppError> {
        match raw {
            "admin" => Ok(Role::Admin),
            "issuer" => Ok(Role::Issuer),
            "viewer" => Ok(Role::Viewer),
            _ => Err(AppError::InvalidArgument {
                what: "role",
                source: mc_core::ValueError::new(format!("{raw:?} is not a role: use admin, issuer or viewer")),
            }),
        }
    }

    /// The role's name.
    pub fn as_str(self) -> &'static str {
        match self {
            Role::Admin => "admin",
            Role::Issuer => "issuer",
            Role::Viewer => "viewer",
        }
    }
}

/// Someone acting for an institution: an API token or a signed-in staff member.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Principal {
    /// The institution they act for, and the only one whose data they see.
    pub institution: InstitutionId,
    /// What they may do.
    pub role: Role,
    /// Who they are, for the audit log: `token:ID` or `staff:ID`.
    pub actor: String,
}

impl Principal {
    /// Refuses unless the role is at least `needed`.
    pub fn require(&self, needed: Role) -> Result<(), AppError> {
        match self.role >= needed {
            true => Ok(()),
            false => Err(AppError::Forbidden(format!(
                "this needs the {} role; {} has the {} role",
                needed.as_str(),
                self.actor,
                self.role.as_str()
            ))),
        }
    }

    /// Refuses unless the record belongs to the principal's institution, answering as if it did
    /// not exist: another institution's records are not even confirmed to exist.
    pub(crate) fn owns(&self, institution_id: &str, what: &'static str, id: &str) -> Result<(), AppError> {
        match institution_id == self.institution.as_str() {
            true => Ok(()),
            false => Err(AppError::NotFound { what, id: id.to_owned() }),
        }
    }
}

/// A new API token: the record and the secret, which is shown this once.
#[derive(Debug, Clone)]
pub struct NewToken {
    /// The stored token.
    pub record: ApiTokenRecord,
    /// The secret to put in `Authorization: Bearer`.
    pub secret: String,
}

/// A browser session just opened: the cookie's secret and the session.
#[derive(Debug, Clone)]
pub struct NewSession {
    /// The cookie's value.
    pub secret: String,
    /// The stored session (its CSRF token included).
    pub session: SessionRecord,
}

/// Who a browser session belongs to.
#[derive(Debug, Clone)]
pub enum SessionUser {
    /// A staff member, acting for their institution.
    Staff {
        /// Their account.
        staff: StaffRecord,
        /// What they may do.
        principal: Principal,
    },
    /// A learner.
    Learner(mc_core::Learner),
}

/// How long a browser session lasts.
pub const SESSION_SECONDS: i64 = 8 * 3600;
/// How long a learner's sign-in link works.
pub const SIGN_IN_LINK_SECONDS: i64 = 15 * 60;
/// The longest a share link may last.
pub const MAX_SHARE_DAYS: u32 = 365;

/// The SHA-256 of a secret, hex: what is stored of it.
pub fn secret_hash(secret: &str) -> String {
    Sha256::digest(secret.as_bytes()).iter().map(|byte| format!("{byte:02x}")).collect()
}

/// A fresh random secret with a prefix that says what it is.
fn new_secret(prefix: &str) -> Result<String, AppError> {
    let bytes = random_bytes::<32>()?;
    Ok(format!("{prefix}{}", base64::Engine::encode(&base64::engine::general_purpose::URL_SAFE_NO_PAD, bytes)))
}

fn unauthenticated(message: &str) -> AppError {
    AppError::Unauthenticated(message.to_owned())
}

/// Hashes a password with argon2id and a random salt.
fn hash_password(password: &str) -> Result<String, AppError> {
    let salt = SaltString::encode_b64(&random_bytes::<16>()?).map_err(|err| AppError::Keys(err.to_string()))?;
    let hash = Argon2::default()
        .hash_password(password.as_bytes(), &salt)
        .map_err(|err| AppError::Keys(format!("cannot hash the password: {err}")))?;
    Ok(hash.to_string())
}

fn password_matches(password: &str, hash: &str) -> bool {
    PasswordHash::new(hash).is_ok_and(|hash| Argon2::default().verify_password(password.as_bytes(), &hash).is_ok())
}

impl App {
    /// Makes an API token for an institution. The secret is in the answer only.
    pub async fn create_token(
        &self,
        institution: &str,
        role: Role,
        label: &str,
        now: Timestamp,
    ) -> Result<NewToken, AppError> {
        let institution = self.institution(institution).await?;
        let label = mc_core::PlainText::parse(label, 200).map_err(|err| AppError::invalid_argument("label", err))?;
        let secret = new_secret("mct_")?;
        let record = ApiTokenRecord {
            id: uuid::Uuid::now_v7().to_string(),
            institution_id: institution.id().to_string(),
            role: role.as_str().to_owned(),
            label: label.as_str().to_owned(),
            secret_hash: secret_hash(&secret),
            created_at: now.to_rfc3339(),
            revoked_at: None,
        };
        self.store().insert_token(&record).await?;
        tracing::info!(token.id = %record.id, institution.id = %record.institution_id, role = %record.role, "API token created");
        Ok(NewToken { record, secret })
    }

    /// An institution's API tokens (without their secrets, which are not kept).
    pub async fn tokens(&self, institution: &str) -> Result<Vec<ApiTokenRecord>, AppError> {
        let institution = self.institution(institution).await?;
        Ok(self.store().tokens(institution.id().as_str()).await?)
    }

    /// Revokes an API token; it is refused from then on.
    pub async fn revoke_token(&self, id: &str, now: Timestamp) -> Result<ApiTokenRecord, AppError> {
        let token = self.store().revoke_token(id, &now.to_rfc3339()).await?;
        let token = token.ok_or_else(|| AppError::NotFound { what: "API token", id: id.to_owned() })?;
        tracing::info!(token.id = %token.id, "API token revoked");
        Ok(token)
    }

    /// The principal an API token's secret stands for.
    pub async fn authenticate_token(&self, secret: &str) -> Result<Principal, AppError> {
        let token = self.store().token_by_hash(&secret_hash(secret)).await?;
        let token = token.ok_or_else(|| unauthenticated("the API token is not known"))?;
        if token.revoked_at.is_some() {
            return Err(unauthenticated("the API token was revoked"));
        }
        principal(&token.institution_id, &token.role, format!("token:{}", token.id))
    }

    /// Adds a staff member who signs in with `password`.
    pub async fn add_staff(
        &self,
        institution: &str,
        email: &str,
        name: &str,
        role: Role,
        password: &str,
        now: Timestamp,
    ) -> Result<StaffRecord, AppError> {
        let institution = self.institution(institution).await?;
        let email = Email::parse(email).map_err(|err| AppError::invalid_argument("email", err))?;
        let name = mc_core::PlainText::parse(name, 200).map_err(|err| AppError::invalid_argument("name", err))?;
        if password.chars().count() < 10 {
            return Err(AppError::InvalidArgument {
                what: "password",
                source: mc_core::ValueError::new("a password must have at least 10 characters"),
            });
        }
        let record = StaffRecord {
            id: uuid::Uuid::now_v7().to_string(),
            institution_id: institution.id().to_string(),
            email: email.to_string(),
            name: name.as_str().to_owned(),
            role: role.as_str().to_owned(),
            password_hash: hash_password(password)?,
            created_at: now.to_rfc3339(),
        };
        match self.store().insert_staff(&record).await {
            Err(StoreError::Conflict { .. }) => {
                return Err(AppError::Conflict(format!("a staff member with email {email} already exists")));
            }
            other => other?,
        }
        tracing::info!(staff.id = %record.id, institution.id = %record.institution_id, "staff member added");
        Ok(record)
    }

    /// The staff member with this email address, when there is one.
    pub async fn staff_by_email(&self, email: &str) -> Result<Option<StaffRecord>, AppError> {
        Ok(self.store().staff_by_email(email).await?)
    }

    /// Signs a staff member in with their password; the same answer for an unknown address and
    /// a wrong password. The password check takes tens of milliseconds: call it off the async
    /// threads' hot path.
    pub async fn sign_in_staff(&self, email: &str, password: &str, now: Timestamp) -> Result<NewSession, AppError> {
        let staff = self.store().staff_by_email(email.trim()).await?;
        let matches = match &staff {
            Some(staff) => password_matches(password, &staff.password_hash),
            None => {
                // As long as a real check, so that timing does not tell which addresses exist.
                password_matches(password, DUMMY_HASH);
                false
            }
        };
        match staff {
            Some(staff) if matches => self.open_session("staff", &staff.id, now).await,
            _ => Err(unauthenticated("the email address or the password is wrong")),
        }
    }

    async fn open_session(&self, kind: &str, subject_id: &str, now: Timestamp) -> Result<NewSession, AppError> {
        let secret = new_secret("")?;
        let session = SessionRecord {
            secret_hash: secret_hash(&secret),
            kind: kind.to_owned(),
            subject_id: subject_id.to_owned(),
            csrf: new_secret("")?,
            expires_at: now.unix_seconds() + SESSION_SECONDS,
        };
        self.store().insert_session(&session).await?;
        Ok(NewSession { secret, session })
    }

    /// The session a cookie's secret opens, with its user, unless it is over.
    pub async fn session(
        &self,
        secret: &str,
        now: Timestamp,
    ) -> Result<Option<(SessionRecord, SessionUser)>, AppError> {
        let Some(session) = self.store().session(&secret_hash(secret), now.unix_seconds()).await? else {
            return Ok(None);
        };
        let user = match session.kind.as_str() {
            "staff" => {
                let Some(staff) = self.store().staff(&session.subject_id).await? else { return Ok(None) };
                let principal = principal(&staff.institution_id, &staff.role, format!("staff:{}", staff.id))?;
                SessionUser::Staff { staff, principal }
            }
            _ => match self.store().learner(&session.subject_id).await? {
                Some(learner) => SessionUser::Learner(learner),
                None => return Ok(None),
            },
        };
        Ok(Some((session, user)))
    }

    /// Ends a session.
    pub async fn sign_out(&self, secret: &str, now: Timestamp) -> Result<(), AppError> {
        Ok(self.store().delete_session(&secret_hash(secret), now.unix_seconds()).await?)
    }

    /// Makes a one-time sign-in link secret for the learner with this email address; `None`
    /// when no learner has it (the caller says the same either way).
    pub async fn sign_in_link(&self, email: &str, now: Timestamp) -> Result<Option<String>, AppError> {
        let Ok(email) = Email::parse(email.trim()) else { return Ok(None) };
        let Some(learner) = self.store().learner_by_email(&email).await? else { return Ok(None) };
        let secret = new_secret("")?;
        let expires_at = now.unix_seconds() + SIGN_IN_LINK_SECONDS;
        self.store().insert_sign_in_link(&secret_hash(&secret), &learner.id().to_string(), expires_at).await?;
        Ok(Some(secret))
    }

    /// Uses a sign-in link: a learner's session the first time, before it expires.
    pub async fn sign_in_learner(&self, link_secret: &str, now: Timestamp) -> Result<NewSession, AppError> {
        let learner = self.store().use_sign_in_link(&secret_hash(link_secret), now.unix_seconds()).await?;
        let learner = learner.ok_or_else(|| unauthenticated("this sign-in link is unknown, used or expired"))?;
        self.open_session("learner", &learner, now).await
    }

    /// Makes a link that shows a learner's credential publicly for `days` days.
    pub async fn share_credential(
        &self,
        learner: &mc_core::Learner,
        credential_id: &str,
        days: u32,
        now: Timestamp,
    ) -> Result<ShareLinkRecord, AppError> {
        let credential = self.learner_credential(learner, credential_id).await?;
        if days == 0 || days > MAX_SHARE_DAYS {
            return Err(AppError::InvalidArgument {
                what: "days",
                source: mc_core::ValueError::new(format!("a link lasts 1 to {MAX_SHARE_DAYS} days, not {days}")),
            });
        }
        let link = ShareLinkRecord {
            id: new_secret("")?,
            credential_id: credential.record.id,
            created_at: now.to_rfc3339(),
            expires_at: now.unix_seconds() + i64::from(days) * 86_400,
        };
        self.store().insert_share_link(&link).await?;
        Ok(link)
    }

    /// A learner's own credential; another's answers as if it did not exist.
    pub async fn learner_credential(
        &self,
        learner: &mc_core::Learner,
        credential_id: &str,
    ) -> Result<IssuedCredential, AppError> {
        let credential = self.credential(credential_id).await?;
        match credential.record.learner_id == learner.id().to_string() {
            true => Ok(credential),
            false => Err(AppError::NotFound { what: "credential", id: credential_id.to_owned() }),
        }
    }

    /// The share links a learner made for a credential.
    pub async fn share_links(&self, credential_id: &str) -> Result<Vec<ShareLinkRecord>, AppError> {
        Ok(self.store().share_links_of(credential_id).await?)
    }

    /// The credential a share link shows, while it lasts.
    pub async fn shared_credential(&self, link_id: &str, now: Timestamp) -> Result<IssuedCredential, AppError> {
        let gone = || AppError::NotFound { what: "shared credential", id: link_id.to_owned() };
        let link = self.store().share_link(link_id).await?.ok_or_else(gone)?;
        if link.expires_at <= now.unix_seconds() {
            return Err(gone());
        }
        self.credential(&link.credential_id).await
    }

    /// The answer remembered for an idempotency key of the principal's institution.
    pub async fn remembered_response(
        &self,
        principal: &Principal,
        key: &str,
    ) -> Result<Option<StoredResponse>, AppError> {
        Ok(self.store().stored_response(principal.institution.as_str(), key).await?)
    }

    /// Remembers the answer to an idempotent request; when another answer was remembered first
    /// (a concurrent request with the same key), that one is returned.
    pub async fn remember_response(
        &self,
        principal: &Principal,
        key: &str,
        response: &StoredResponse,
        now: Timestamp,
    ) -> Result<Option<StoredResponse>, AppError> {
        let institution = principal.institution.as_str();
        match self.store().store_response(institution, key, response, &now.to_rfc3339()).await? {
            true => Ok(None),
            false => Ok(self.store().stored_response(institution, key).await?),
        }
    }
}

/// What a principal may change about a credential's state.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StateChange<'a> {
    /// Revoke for good, for this reason.
    Revoke(&'a str),
    /// Suspend until unsuspended.
    Suspend,
    /// Lift a suspension.
    Unsuspend,
}

impl App {
    /// Issues a credential for the principal's institution: its own specifications only.
    pub async fn issue_as(
        &self,
        principal: &Principal,
        request: &crate::IssueRequest<'_>,
    ) -> Result<(IssuedCredential, crate::Added), AppError> {
        principal.require(Role::Issuer)?;
        let spec = self.spec(request.spec).await?;
        self.require_issuer_of(principal, &spec)?;
        self.issue_credential(request).await
    }

    /// One of the principal's institution's credentials.
    pub async fn credential_as(&self, principal: &Principal, id: &str) -> Result<IssuedCredential, AppError> {
        let credential = self.credential(id).await?;
        principal.owns(&credential.record.institution_id, "credential", id)?;
        Ok(credential)
    }

    /// The principal's institution's credentials, of a learner and a specification when given.
    pub async fn credentials_as(
        &self,
        principal: &Principal,
        learner: Option<&str>,
        spec: Option<&str>,
    ) -> Result<Vec<IssuedCredential>, AppError> {
        self.credentials(Some(&principal.institution), learner, spec).await
    }

    /// Revokes, suspends or unsuspends one of the principal's institution's credentials.
    pub async fn change_state_as(
        &self,
        principal: &Principal,
        id: &str,
        change: StateChange<'_>,
        now: Timestamp,
    ) -> Result<crate::StatusChange, AppError> {
        principal.require(Role::Issuer)?;
        self.credential_as(principal, id).await?;
        match change {
            StateChange::Revoke(reason) => self.revoke_credential(id, reason, now).await,
            StateChange::Suspend => self.suspend_credential(id, now).await,
            StateChange::Unsuspend => self.unsuspend_credential(id, now).await,
        }
    }

    /// Makes an API token for the principal's institution (admins only).
    pub async fn create_token_as(
        &self,
        principal: &Principal,
        role: Role,
        label: &str,
        now: Timestamp,
    ) -> Result<NewToken, AppError> {
        principal.require(Role::Admin)?;
        self.create_token(principal.institution.as_str(), role, label, now).await
    }

    /// The principal's institution's API tokens (admins only).
    pub async fn tokens_as(&self, principal: &Principal) -> Result<Vec<ApiTokenRecord>, AppError> {
        principal.require(Role::Admin)?;
        self.tokens(principal.institution.as_str()).await
    }

    /// Revokes one of the principal's institution's API tokens (admins only).
    pub async fn revoke_token_as(
        &self,
        principal: &Principal,
        id: &str,
        now: Timestamp,
    ) -> Result<ApiTokenRecord, AppError> {
        principal.require(Role::Admin)?;
        let owned = self.tokens(principal.institution.as_str()).await?.iter().any(|token| token.id == id);
        if !owned {
            return Err(AppError::NotFound { what: "API token", id: id.to_owned() });
        }
        self.revoke_token(id, now).await
    }

    /// Adds a specification the principal's institution issues.
    pub async fn add_spec_as(
        &self,
        principal: &Principal,
        document: &mc_core::wire::SpecDocument,
    ) -> Result<(mc_core::Spec, crate::Added), AppError> {
        principal.require(Role::Issuer)?;
        let issuer = document.awarding_bodies.as_ref().and_then(|bodies| bodies.first());
        if let Some(issuer) = issuer
            && issuer != principal.institution.as_str()
        {
            return Err(AppError::Forbidden(format!(
                "the specification's first awarding body is {issuer:?}; {} may only add its own",
                principal.institution
            )));
        }
        self.add_spec(document).await
    }
}

fn principal(institution: &str, role: &str, actor: String) -> Result<Principal, AppError> {
    let damaged = |detail: String| StoreError::Corrupt { what: "access record", id: actor.clone(), detail };
    let institution = InstitutionId::parse(institution).map_err(|err| damaged(err.to_string()))?;
    let role = Role::parse(role).map_err(|err| damaged(err.to_string()))?;
    Ok(Principal { institution, role, actor })
}

/// A real argon2id hash of a password nobody has, checked when an address is unknown.
const DUMMY_HASH: &str =
    "$argon2id$v=19$m=19456,t=2,p=1$c29tZXNhbHRzb21lc2FsdA$Q0pZ3Yf2vVd1vHcWbvnn4pL0v5Gm8kV6xQXlQbA3rOQ";

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_dummy_hash_costs_as_much_as_a_real_check() {
        // An unparsable dummy would answer at once and tell unknown addresses apart by timing.
        assert!(PasswordHash::new(DUMMY_HASH).is_ok());
        let real = hash_password("correct horse battery").unwrap();
        assert!(password_matches("correct horse battery", &real));
        assert!(!password_matches("wrong horse battery", &real));
        assert!(!password_matches("anything", DUMMY_HASH));
    }

    #[test]
    fn roles_are_ordered() {
        let principal =
            |role| Principal { institution: InstitutionId::parse("uca").unwrap(), role, actor: "test".into() };
        assert!(principal(Role::Admin).require(Role::Issuer).is_ok());
        assert!(principal(Role::Issuer).require(Role::Issuer).is_ok());
        assert!(matches!(principal(Role::Viewer).require(Role::Issuer), Err(AppError::Forbidden(_))));
        assert!(Role::parse("owner").is_err());
    }
}

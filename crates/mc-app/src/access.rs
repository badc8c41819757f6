//! Who may do what. Institutions act through API tokens and staff accounts, each with a role;
//! learners sign in with one-time links and share credentials through links that expire.
//! Every secret handed out is random, shown once, and stored only as its SHA-256; passwords are
//! stored as argon2 hashes.

use argon2::{Argon2, PasswordHash, PasswordHasher, PasswordVerifier, password_hash::SaltString};
use mc_core::{Email, InstitutionId, LearnerId, Timestamp};
use mc_store::{ApiTokenRecord, SessionRecord, StaffRecord};

use crate::records::{ApiToken, Session, Staff};
use sha2::{Digest, Sha256};

use crate::{App, AppError, keys::random_bytes};

/// What a token or staff member of an institution may do.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Role {
    /// Reads the institution's specifications, credentials and jobs.
    Viewer,
    /// Also issues, revokes and suspends credentials, and adds, edits and publishes
    /// specifications.
    Issuer,
    /// Reads like a viewer and decides on the recognition of other institutions' credentials.
    RecognitionOfficer,
    /// May do everything the other roles may, and manages tokens, staff and consents.
    Admin,
}

impl Role {
    /// Every role, in the order they are listed to people.
    pub const ALL: [Role; 4] = [Role::Viewer, Role::Issuer, Role::RecognitionOfficer, Role::Admin];

    /// Reads `admin`, `issuer`, `recognition-officer` or `viewer`.
    pub fn parse(raw: &str) -> Result<Role, AppError> {
        Role::ALL.into_iter().find(|role| role.as_str() == raw).ok_or_else(|| AppError::InvalidArgument {
            what: "role",
            source: mc_core::ValueError::new(format!(
                "{raw:?} is not a role: use admin, issuer, recognition-officer or viewer"
            )),
        })
    }

    /// The role's name.
    pub fn as_str(self) -> &'static str {
        match self {
            Role::Admin => "admin",
            Role::Issuer => "issuer",
            Role::RecognitionOfficer => "recognition-officer",
            Role::Viewer => "viewer",
        }
    }

    /// Whether this role may do what `needed` may: every role may view, and an admin may do
    /// everything.
    pub fn includes(self, needed: Role) -> bool {
        self == needed || self == Role::Admin || needed == Role::Viewer
    }
}

/// Someone the use cases act for: a member of an institution (API token or staff account), the
/// network's administrator, or a learner. Made only by authentication in this crate, so
/// holding one means it was checked; the handles [`App::acting_as`],
/// [`App::network_admin`] and [`App::learner_access`] turn it into what it may do.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Principal {
    kind: PrincipalKind,
    actor: String,
}

#[derive(Debug, Clone, PartialEq, Eq)]
enum PrincipalKind {
    Member { institution: InstitutionId, role: Role },
    NetworkAdmin,
    Learner(LearnerId),
}

impl Principal {
    pub(crate) fn member(institution: InstitutionId, role: Role, actor: String) -> Principal {
        Principal { kind: PrincipalKind::Member { institution, role }, actor }
    }

    pub(crate) fn network_admin(actor: String) -> Principal {
        Principal { kind: PrincipalKind::NetworkAdmin, actor }
    }

    pub(crate) fn learner(learner: LearnerId) -> Principal {
        Principal { actor: format!("learner:{learner}"), kind: PrincipalKind::Learner(learner) }
    }

    /// Who they are, for logs and the registry's records: `token:ID`, `staff:ID`, `learner:ID`
    /// or `operator`.
    pub fn actor(&self) -> &str {
        &self.actor
    }

    /// The institution a member acts for, and its role there.
    pub fn membership(&self) -> Option<(&InstitutionId, Role)> {
        match &self.kind {
            PrincipalKind::Member { institution, role } => Some((institution, *role)),
            _ => None,
        }
    }

    /// Whether this is the network's administrator.
    pub fn is_network_admin(&self) -> bool {
        self.kind == PrincipalKind::NetworkAdmin
    }

    /// The learner this principal is.
    pub fn learner_id(&self) -> Option<LearnerId> {
        match &self.kind {
            PrincipalKind::Learner(id) => Some(*id),
            _ => None,
        }
    }
}

/// A new API token: the token and the secret, which is shown this once.
#[derive(Debug, Clone)]
pub struct NewToken {
    /// The token as listed.
    pub token: ApiToken,
    /// The secret to put in `Authorization: Bearer`.
    pub secret: String,
}

/// A browser session just opened: the cookie's secret and the session.
#[derive(Debug, Clone)]
pub struct NewSession {
    /// The cookie's value.
    pub secret: String,
    /// The session (its CSRF token included).
    pub session: Session,
}

/// Failed sign-ins allowed for one account (or sign-in links asked for one address) before
/// each further attempt must wait.
pub const FREE_FAILURES: u64 = 5;
/// Failed sign-ins (or sign-in links) allowed from one client address before each further
/// attempt must wait: more than for an account, since the people of a campus or a company may
/// all come from one address.
pub const FREE_FAILURES_PER_CLIENT: u64 = 30;
/// The longest wait between two sign-in attempts for one account, in seconds.
pub const MAX_WAIT_SECONDS: i64 = 15 * 60;
/// The longest wait between two attempts from one client address, in seconds: shorter, since
/// everyone behind a campus or company address waits with the guesser.
pub const MAX_CLIENT_WAIT_SECONDS: i64 = 60;
/// After this long without a failure, a count starts again from nothing.
const FORGET_AFTER_SECONDS: i64 = 3600;

/// How failed attempts are counted against one subject: how many are free, and the longest
/// wait after them.
#[derive(Debug, Clone, Copy)]
struct Allowance {
    free: u64,
    max_wait: i64,
}

const ACCOUNT: Allowance = Allowance { free: FREE_FAILURES, max_wait: MAX_WAIT_SECONDS };
const CLIENT: Allowance = Allowance { free: FREE_FAILURES_PER_CLIENT, max_wait: MAX_CLIENT_WAIT_SECONDS };

/// How long after the last failure the next attempt may be made: nothing for the first
/// `allowance.free`, then 1, 2, 4, … seconds, up to `allowance.max_wait`.
fn wait_after(failures: u64, allowance: Allowance) -> i64 {
    match failures.checked_sub(allowance.free) {
        None => 0,
        Some(extra) => (1_i64 << extra.min(30)).min(allowance.max_wait),
    }
}

/// What failed attempts are counted against: an account (or an address asked for a link), and
/// the client's address when known, each with its allowance.
fn attempt_subjects(account: String, kind: &str, client: Option<&str>) -> Vec<(String, Allowance)> {
    let mut subjects = vec![(account, ACCOUNT)];
    subjects.extend(client.map(|client| (format!("{kind}:{client}"), CLIENT)));
    subjects
}

/// How long a browser session lasts.
pub const SESSION_SECONDS: i64 = 8 * 3600;
/// How long a learner's sign-in link works.
pub const SIGN_IN_LINK_SECONDS: i64 = 15 * 60;
/// The longest a share link may last.
pub const MAX_SHARE_DAYS: u32 = 365;
/// How many days the answers to idempotent requests are remembered unless a server is told
/// otherwise: a client retrying a request within them gets the same answer.
pub const IDEMPOTENCY_DAYS: u32 = 7;

/// The SHA-256 of a secret, hex: what is stored of it.
pub fn secret_hash(secret: &str) -> String {
    Sha256::digest(secret.as_bytes()).iter().map(|byte| format!("{byte:02x}")).collect()
}

/// A fresh random secret with a prefix that says what it is.
pub(crate) fn new_secret(prefix: &str) -> Result<String, AppError> {
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

/// Who a browser session belongs to.
#[derive(Debug, Clone)]
pub enum SessionUser {
    /// A staff member, acting for their institution.
    Staff {
        /// Their account.
        staff: Staff,
        /// What they may do.
        principal: Principal,
        /// The name of the institution they act for, when they are a member of one.
        institution_name: Option<mc_core::LangMap>,
    },
    /// A learner.
    Learner {
        /// Their record.
        learner: mc_core::Learner,
        /// What they may do: see [`App::learner_access`].
        principal: Principal,
    },
}

/// Housekeeping: what requests leave behind is forgotten once it is no longer needed.
impl App {
    /// Forgets the answers to idempotent requests remembered more than `days` days before `now`
    /// (to the second), so that their keys may be used again; returns how many were forgotten.
    /// A server calls it at start and then from time to time.
    pub async fn forget_old_answers(&self, days: u32, now: Timestamp) -> Result<u64, AppError> {
        let before = Timestamp::from_unix(now.unix_seconds() - i64::from(days) * 86_400, 0);
        Ok(self.store().db().await?.forget_responses_before(&before.to_rfc3339()).await?)
    }
}

/// Authentication: the only way to a [`Principal`].
impl App {
    /// The principal an API token's secret stands for.
    pub async fn authenticate_token(&self, secret: &str) -> Result<Principal, AppError> {
        let token = self.store().db().await?.token_by_hash(&secret_hash(secret)).await?;
        let token = ApiToken::from_record(token.ok_or_else(|| unauthenticated("the API token is not known"))?)?;
        if token.revoked_at.is_some() {
            return Err(unauthenticated("the API token was revoked"));
        }
        let actor = format!("token:{}", token.id);
        Ok(token.holder.principal(actor))
    }

    /// Signs a staff member in with their password; the same answer for an unknown address and
    /// a wrong password. Guessing is slow and seen: after [`FREE_FAILURES`] failures for an
    /// account's address, or [`FREE_FAILURES_PER_CLIENT`] from a client's address (`client`,
    /// when the server knows it; an IPv6 client by its /64), each
    /// further attempt must wait twice as long as the one before (up to [`MAX_WAIT_SECONDS`]),
    /// whether or not the account exists; every failure is logged and written to the audit log;
    /// a success clears the account's count. The password check (argon2, tens of milliseconds)
    /// runs on the blocking threads, a few at a time, never on the async threads.
    pub async fn sign_in_staff(
        &self,
        email: &str,
        password: &str,
        client: Option<&str>,
        now: Timestamp,
    ) -> Result<NewSession, AppError> {
        let email = email.trim().to_lowercase();
        let subjects = attempt_subjects(format!("staff:{email}"), "address", client);
        self.refuse_while_waiting(&subjects, now).await?;
        let staff = self.store().db().await?.staff_by_email(&email).await?;
        // An unknown address is checked against a real hash, as long as a real check, so that
        // timing does not tell which addresses exist.
        let hash = staff.as_ref().map_or(DUMMY_HASH, |staff| staff.password_hash.as_str()).to_owned();
        let password = password.to_owned();
        let matches = {
            let _turn =
                self.hashing.acquire().await.map_err(|_| AppError::Keys("the password check stopped".into()))?;
            tokio::task::spawn_blocking(move || password_matches(&password, &hash))
                .await
                .map_err(|err| AppError::Keys(format!("the password check failed: {err}")))?
        };
        match staff {
            Some(staff) if matches => {
                self.store().db().await?.clear_sign_in_failures(&subjects[0].0).await?;
                self.open_session("staff", &staff.id, now).await
            }
            _ => {
                let mut tx = self.store().begin().await?;
                for (subject, _) in &subjects {
                    tx.db()
                        .record_sign_in_failure(subject, now.unix_seconds(), now.unix_seconds() - FORGET_AFTER_SECONDS)
                        .await?;
                }
                let details = serde_json::json!({"client": client});
                tx.audit(&now.to_rfc3339(), "staff.sign_in_failed", &email, &details.to_string()).await?;
                tx.commit().await?;
                tracing::warn!(email, client, "staff sign-in failed");
                Err(unauthenticated("the email address or the password is wrong"))
            }
        }
    }

    async fn open_session(&self, kind: &str, subject_id: &str, now: Timestamp) -> Result<NewSession, AppError> {
        let secret = new_secret("")?;
        let record = SessionRecord {
            secret_hash: secret_hash(&secret),
            kind: kind.to_owned(),
            subject_id: subject_id.to_owned(),
            csrf: new_secret("")?,
            expires_at: now.unix_seconds() + SESSION_SECONDS,
        };
        self.store().db().await?.insert_session(&record).await?;
        let session = Session { csrf: record.csrf, expires_at: Timestamp::from_unix(record.expires_at, 0) };
        Ok(NewSession { secret, session })
    }

    /// The session a cookie's secret opens, with its user, unless it is over.
    pub async fn session(&self, secret: &str, now: Timestamp) -> Result<Option<(Session, SessionUser)>, AppError> {
        let Some(session) = self.store().db().await?.session(&secret_hash(secret), now.unix_seconds()).await? else {
            return Ok(None);
        };
        let user = match session.kind.as_str() {
            "staff" => {
                let Some(staff) = self.store().db().await?.staff(&session.subject_id).await? else { return Ok(None) };
                let staff = Staff::from_record(&staff)?;
                let principal = staff.holder.principal(format!("staff:{}", staff.id));
                let institution_name = match &staff.holder {
                    crate::Holder::Member { institution, .. } => {
                        self.store().db().await?.institution(institution).await?.map(|found| found.name().clone())
                    }
                    crate::Holder::NetworkAdmin => None,
                };
                SessionUser::Staff { staff, principal, institution_name }
            }
            _ => match self.store().db().await?.learner(&session.subject_id).await? {
                Some(learner) => SessionUser::Learner { principal: Principal::learner(learner.id()), learner },
                None => return Ok(None),
            },
        };
        let expires_at = Timestamp::from_unix(session.expires_at, 0);
        Ok(Some((Session { csrf: session.csrf, expires_at }, user)))
    }

    /// Ends a session.
    pub async fn sign_out(&self, secret: &str, now: Timestamp) -> Result<(), AppError> {
        Ok(self.store().db().await?.delete_session(&secret_hash(secret), now.unix_seconds()).await?)
    }

    /// Makes a one-time sign-in link secret for the learner with this email address; `None`
    /// when no learner has it (the caller says the same either way).
    /// Every request counts, for a known address or not (the same work either way): after
    /// [`FREE_FAILURES`] links for an address, or [`FREE_FAILURES_PER_CLIENT`] from a client, each further one waits twice as
    /// long, so that a learner's inbox cannot be flooded. Using a link clears its address's count.
    /// With a mail server, the link is queued as a mail to the learner (in Spanish when
    /// `spanish`).
    pub async fn sign_in_link(
        &self,
        email: &str,
        client: Option<&str>,
        spanish: bool,
        now: Timestamp,
    ) -> Result<Option<String>, AppError> {
        let normalized = email.trim().to_lowercase();
        let subjects = attempt_subjects(format!("link:{normalized}"), "link-address", client);
        self.refuse_while_waiting(&subjects, now).await?;
        let mut db = self.store().db().await?;
        for (subject, _) in &subjects {
            db.record_sign_in_failure(subject, now.unix_seconds(), now.unix_seconds() - FORGET_AFTER_SECONDS).await?;
        }
        let Ok(email) = Email::parse(email.trim()) else { return Ok(None) };
        let Some(learner) = db.learner_by_email(&email).await? else { return Ok(None) };
        let secret = new_secret("")?;
        let expires_at = now.unix_seconds() + SIGN_IN_LINK_SECONDS;
        drop(db);
        // The link and its mail are stored together.
        let mut tx = self.store().begin().await?;
        tx.db().insert_sign_in_link(&secret_hash(&secret), &learner.id().to_string(), expires_at).await?;
        if self.mailer().sends() {
            let link = format!("{}/learner/link/{secret}", self.public_url());
            let mail = crate::mail::Outgoing::sign_in(&learner, &link, SIGN_IN_LINK_SECONDS / 60, spanish);
            tx.db().queue_mail(&mail.record(self.new_id(), now), now.unix_seconds()).await?;
        }
        tx.commit().await?;
        Ok(Some(secret))
    }

    /// Refuses while any of `subjects` has failed (or asked) too often, too recently.
    async fn refuse_while_waiting(&self, subjects: &[(String, Allowance)], now: Timestamp) -> Result<(), AppError> {
        for (subject, allowance) in subjects {
            if let Some((failures, last_at)) = self.store().db().await?.sign_in_failures(subject).await? {
                let ready_at = last_at.saturating_add(wait_after(failures, *allowance));
                if now.unix_seconds() < ready_at {
                    let retry_after_seconds = u64::try_from(ready_at - now.unix_seconds()).unwrap_or(1);
                    tracing::warn!(subject, failures, "refused: too many attempts");
                    return Err(AppError::TooManyAttempts { retry_after_seconds });
                }
            }
        }
        Ok(())
    }

    /// Uses a sign-in link: a learner's session the first time, before it expires.
    pub async fn sign_in_learner(&self, link_secret: &str, now: Timestamp) -> Result<NewSession, AppError> {
        let learner = self.store().db().await?.use_sign_in_link(&secret_hash(link_secret), now.unix_seconds()).await?;
        let learner = learner.ok_or_else(|| unauthenticated("this sign-in link is unknown, used or expired"))?;
        if let Some(record) = self.store().db().await?.learner(&learner).await? {
            let subject = format!("link:{}", record.email().as_str().to_lowercase());
            self.store().db().await?.clear_sign_in_failures(&subject).await?;
        }
        self.open_session("learner", &learner, now).await
    }

    /// Revokes a token (a revoked one stays as it was): the one place that does, behind the
    /// admin's and the operator's handles.
    pub(crate) async fn revoke_token(&self, id: &str, now: Timestamp) -> Result<ApiToken, AppError> {
        let token = self.store().db().await?.revoke_token(id, &now.to_rfc3339()).await?;
        let token = token.ok_or_else(|| AppError::NotFound { what: "API token", id: id.to_owned() })?;
        tracing::info!(token.id = %token.id, "API token revoked");
        ApiToken::from_record(token)
    }
}

/// Makes an API token record and its secret, and stores it: a member's of `institution` with
/// `role`, or the network administrator's when `None`.
pub(crate) async fn new_token(
    app: &App,
    member: Option<(&InstitutionId, Role)>,
    label: &str,
    now: Timestamp,
) -> Result<NewToken, AppError> {
    let label = mc_core::PlainText::parse(label, 200).map_err(|err| AppError::invalid_argument("label", err))?;
    let secret = new_secret("mct_")?;
    let record = ApiTokenRecord {
        id: app.new_id().to_string(),
        institution_id: member.map(|(institution, _)| institution.to_string()),
        role: member.map_or(crate::records::NETWORK_ADMIN, |(_, role)| role.as_str()).to_owned(),
        label: label.as_str().to_owned(),
        secret_hash: secret_hash(&secret),
        created_at: now.to_rfc3339(),
        revoked_at: None,
    };
    app.store().db().await?.insert_token(&record).await?;
    Ok(NewToken { token: ApiToken::from_record(record)?, secret })
}

/// Makes a staff account record, checking every field: a member's of `institution` with
/// `role`, or the network administrator's when `None`.
pub(crate) fn new_staff(
    id: uuid::Uuid,
    member: Option<(&InstitutionId, Role)>,
    email: &str,
    name: &str,
    password: &str,
    now: Timestamp,
) -> Result<StaffRecord, AppError> {
    let email = Email::parse(email).map_err(|err| AppError::invalid_argument("email", err))?;
    let name = mc_core::PlainText::parse(name, 200).map_err(|err| AppError::invalid_argument("name", err))?;
    if password.chars().count() < 10 {
        return Err(AppError::InvalidArgument {
            what: "password",
            source: mc_core::ValueError::new("a password must have at least 10 characters"),
        });
    }
    Ok(StaffRecord {
        id: id.to_string(),
        institution_id: member.map(|(institution, _)| institution.to_string()),
        email: email.to_string(),
        name: name.as_str().to_owned(),
        role: member.map_or(crate::records::NETWORK_ADMIN, |(_, role)| role.as_str()).to_owned(),
        password_hash: hash_password(password)?,
        created_at: now.to_rfc3339(),
    })
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
    fn roles_include_what_they_may_do() {
        assert!(Role::Admin.includes(Role::Issuer));
        assert!(Role::Admin.includes(Role::RecognitionOfficer));
        assert!(Role::Issuer.includes(Role::Issuer));
        assert!(Role::RecognitionOfficer.includes(Role::Viewer));
        assert!(!Role::Viewer.includes(Role::Issuer));
        assert!(!Role::Issuer.includes(Role::RecognitionOfficer));
        assert!(!Role::RecognitionOfficer.includes(Role::Issuer));
        for role in Role::ALL {
            assert_eq!(Role::parse(role.as_str()).unwrap(), role);
        }
        assert!(Role::parse("owner").is_err());
    }

    #[test]
    fn the_wait_grows_and_stays_within_its_bounds_however_many_failures() {
        assert_eq!(wait_after(FREE_FAILURES - 1, ACCOUNT), 0);
        assert_eq!((wait_after(FREE_FAILURES, ACCOUNT), wait_after(FREE_FAILURES + 3, ACCOUNT)), (1, 8));
        for allowance in [ACCOUNT, CLIENT] {
            let mut before = 0;
            for failures in 0..200 {
                let wait = wait_after(failures, allowance);
                assert!((before..=allowance.max_wait).contains(&wait), "{failures} failures: {wait} s");
                before = wait;
            }
            assert_eq!(wait_after(u64::MAX, allowance), allowance.max_wait);
        }
    }
}

//! Issuance into learners' wallets over OpenID4VCI 1.0: credential offers (pre-authorized code
//! with a transaction code, used once, expiring), the credential issuer's and authorization
//! server's metadata, and what the token, nonce and credential endpoints do. A wallet receives
//! the SD-JWT VC of a credential, bound to the key it proved it holds (its status is the Token
//! Status List kept from the same rows as the credential's Bitstring Status Lists), and its
//! Open Badges credential bound to the same key (with the credential's own status entries).
//!
//! Every refusal is an OAuth error ([`WalletError`]) and changes nothing: a nonce is used up
//! and a delivery recorded only in the transaction that issues.

use mc_core::{CredentialState, Timestamp};
use mc_store::WalletOfferRecord;
use mc_vc::{
    SignedBy, contexts,
    key_proof::{self, KeyProof},
    multikey::PublicKey,
    proof::{ProofOptions, Suite},
    sd_jwt::SALT_BYTES,
    sd_jwt_vc::{DISCLOSABLE, SALTS, VCT_PATH, WalletCopy},
    status::StatusPurpose,
};
use serde_json::{Value, json};

use crate::{
    App, AppError, IssuedCredential, TokenSigner,
    access::{new_secret, secret_hash},
    keys::random_bytes,
};

/// The credential configuration of a micro-credential as an SD-JWT VC.
pub const SD_JWT_CONFIGURATION: &str = "micro_credential_sd_jwt";

/// The credential configuration of a micro-credential as an Open Badges 3.0 credential bound
/// to the holder's key (Data Integrity, eddsa-rdfc-2022).
pub const OPEN_BADGE_CONFIGURATION: &str = "micro_credential_open_badge";

/// The grant type of the pre-authorized code flow.
pub const PRE_AUTHORIZED_GRANT: &str = "urn:ietf:params:oauth:grant-type:pre-authorized_code";

/// How long an offer's code can be exchanged, in minutes.
pub const OFFER_MINUTES: i64 = 30;

/// How long the offer in the mail that tells a learner of a new credential can be taken, in
/// minutes (a week: mail is read later than a page).
pub(crate) const MAIL_OFFER_MINUTES: i64 = 7 * 24 * 60;

/// How long an access token is good, in seconds.
const TOKEN_SECONDS: i64 = 600;

/// How long a nonce is good, in seconds.
const NONCE_SECONDS: i64 = 300;

/// How many offers of one credential may wait to be taken at once.
const MAX_LIVE_OFFERS: u64 = 10;

/// How many wrong transaction codes void an offer.
const MAX_TX_FAILURES: u32 = 5;

/// The digits of a transaction code.
const TX_CODE_DIGITS: u32 = 6;

/// The claims of a micro-credential's SD-JWT VC as wallets show them: the claim, and its name
/// in English and Spanish.
const CLAIM_NAMES: &[(&str, &str, &str)] = &[
    ("title", "Title", "Título"),
    ("learner_name", "Learner", "Persona que aprende"),
    ("learner_email", "Email address", "Correo electrónico"),
    ("institution", "Awarded by", "Otorgada por"),
    ("awarded_on", "Awarded on", "Fecha de obtención"),
    ("learning_outcomes", "Learning outcomes", "Resultados de aprendizaje"),
    ("ects", "ECTS credits", "Créditos ECTS"),
    ("hours", "Hours of study", "Horas de estudio"),
    ("eqf_level", "EQF level", "Nivel del MEC"),
    ("assessment", "Assessment", "Evaluación"),
    ("participation", "Form of participation", "Forma de participación"),
    ("quality_assurance", "Quality assurance", "Garantía de calidad"),
    ("grade", "Grade", "Calificación"),
];

/// An offer to hand to a learner's wallet.
#[derive(Debug, Clone)]
pub struct WalletOffer {
    /// The credential offer (OpenID4VCI §4.1.1).
    pub offer: Value,
    /// The offer as a link a wallet opens (`openid-credential-offer://?credential_offer=…`),
    /// which the QR code holds.
    pub offer_uri: String,
    /// The transaction code the learner types into the wallet. Shown once.
    pub tx_code: String,
    /// Until when the offer can be taken.
    pub expires_at: Timestamp,
}

/// An OAuth error code, as the token and credential endpoints answer it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum WalletErrorCode {
    /// The request lacks or repeats a parameter, or is malformed.
    InvalidRequest,
    /// The pre-authorized code or the transaction code is wrong, used or expired.
    InvalidGrant,
    /// The grant type is not the pre-authorized code's.
    UnsupportedGrantType,
    /// The access token is missing, wrong or expired.
    InvalidToken,
    /// The credential request is malformed.
    InvalidCredentialRequest,
    /// The credential configuration is not offered.
    UnknownCredentialConfiguration,
    /// The key proof is missing or does not hold.
    InvalidProof,
    /// The key proof's nonce was not handed out, or is used or expired.
    InvalidNonce,
    /// The credential cannot be issued (revoked, suspended, or delivered already).
    CredentialRequestDenied,
    /// The DPoP proof is missing, does not hold, or is of another key than the token's.
    InvalidDpopProof,
}

impl WalletErrorCode {
    /// The code's name in OAuth.
    pub fn as_str(self) -> &'static str {
        match self {
            WalletErrorCode::InvalidRequest => "invalid_request",
            WalletErrorCode::InvalidGrant => "invalid_grant",
            WalletErrorCode::UnsupportedGrantType => "unsupported_grant_type",
            WalletErrorCode::InvalidToken => "invalid_token",
            WalletErrorCode::InvalidCredentialRequest => "invalid_credential_request",
            WalletErrorCode::UnknownCredentialConfiguration => "unknown_credential_configuration",
            WalletErrorCode::InvalidProof => "invalid_proof",
            WalletErrorCode::InvalidNonce => "invalid_nonce",
            WalletErrorCode::CredentialRequestDenied => "credential_request_denied",
            WalletErrorCode::InvalidDpopProof => "invalid_dpop_proof",
        }
    }
}

/// Why a wallet's request was refused.
#[derive(Debug, thiserror::Error)]
pub enum WalletError {
    /// Refused, with an OAuth error.
    #[error("{}: {description}", code.as_str())]
    OAuth {
        /// The error code.
        code: WalletErrorCode,
        /// What is wrong, in words.
        description: String,
    },
    /// This microcred failed.
    #[error(transparent)]
    App(#[from] AppError),
}

fn refuse<T>(code: WalletErrorCode, description: impl Into<String>) -> Result<T, WalletError> {
    Err(WalletError::OAuth { code, description: description.into() })
}

impl From<mc_store::StoreError> for WalletError {
    fn from(err: mc_store::StoreError) -> WalletError {
        WalletError::App(err.into())
    }
}

/// A token request's parameters (form-encoded).
#[derive(Debug, Clone, Copy, Default)]
pub struct TokenRequest<'a> {
    /// `grant_type`.
    pub grant_type: Option<&'a str>,
    /// `pre-authorized_code`.
    pub pre_authorized_code: Option<&'a str>,
    /// `tx_code`.
    pub tx_code: Option<&'a str>,
    /// The `DPoP` header: a proof of the key the token is to be bound to (RFC 9449).
    pub dpop: Option<&'a str>,
}

/// How a credential request is authorized: its `Authorization` header's scheme and token, and
/// its `DPoP` header.
#[derive(Debug, Clone, Copy, Default)]
pub struct Authorization<'a> {
    /// `Bearer` or `DPoP`, as written.
    pub scheme: &'a str,
    /// The access token.
    pub token: &'a str,
    /// The `DPoP` header.
    pub dpop: Option<&'a str>,
}

/// An access token handed out for an offer.
#[derive(Debug, Clone)]
pub struct AccessToken {
    /// The token.
    pub access_token: String,
    /// `DPoP` when it is bound to the key of the request's DPoP proof, else `Bearer`.
    pub token_type: &'static str,
    /// How long it is good, in seconds.
    pub expires_in: i64,
}

impl App {
    /// This microcred as an OpenID4VCI credential issuer: its identifier, also the identifier of
    /// its authorization server.
    pub fn credential_issuer(&self) -> &str {
        self.public_url()
    }

    /// The address of one of the OpenID4VCI endpoints (`token`, `nonce`, `credential`).
    fn wallet_url(&self, endpoint: &str) -> String {
        format!("{}/oid4vci/{endpoint}", self.public_url())
    }

    /// The `vct` of the micro-credentials it issues as SD-JWT VCs.
    pub fn micro_credential_vct(&self) -> String {
        format!("{}{VCT_PATH}", self.public_url())
    }

    /// The credential issuer metadata (`/.well-known/openid-credential-issuer`).
    pub fn credential_issuer_metadata(&self) -> Value {
        let base = self.public_url();
        let claims: Vec<Value> = CLAIM_NAMES
            .iter()
            .map(|(claim, en, es)| {
                json!({"path": [claim], "display": [{"name": en, "locale": "en"}, {"name": es, "locale": "es"}]})
            })
            .collect();
        json!({
            "credential_issuer": base,
            "credential_endpoint": self.wallet_url("credential"),
            "nonce_endpoint": self.wallet_url("nonce"),
            "display": [{"name": "microcred", "locale": "en"}, {"name": "microcred", "locale": "es"}],
            "credential_configurations_supported": {
                SD_JWT_CONFIGURATION: {
                    "format": "dc+sd-jwt",
                    "vct": self.micro_credential_vct(),
                    "cryptographic_binding_methods_supported": ["jwk"],
                    "credential_signing_alg_values_supported": ["ES256", "EdDSA"],
                    "proof_types_supported": {
                        "jwt": {"proof_signing_alg_values_supported": key_proof::PROOF_ALGORITHMS}
                    },
                    "credential_metadata": {
                        "display": [
                            {"name": "Micro-credential", "locale": "en"},
                            {"name": "Microcredencial", "locale": "es"}
                        ],
                        "claims": claims,
                    }
                },
                OPEN_BADGE_CONFIGURATION: {
                    "format": "ldp_vc",
                    "credential_definition": {
                        "@context": [contexts::CREDENTIALS_V2, contexts::OPEN_BADGES_V3],
                        "type": ["VerifiableCredential", "OpenBadgeCredential"]
                    },
                    "cryptographic_binding_methods_supported": ["did:jwk"],
                    "credential_signing_alg_values_supported": ["eddsa-rdfc-2022"],
                    "proof_types_supported": {
                        "jwt": {"proof_signing_alg_values_supported": key_proof::PROOF_ALGORITHMS}
                    },
                    "credential_metadata": {
                        "display": [
                            {"name": "Micro-credential (Open Badge)", "locale": "en"},
                            {"name": "Microcredencial (Open Badge)", "locale": "es"}
                        ]
                    }
                }
            }
        })
    }

    /// The authorization server metadata (`/.well-known/oauth-authorization-server`): only the
    /// pre-authorized code flow, with no client authentication.
    pub fn authorization_server_metadata(&self) -> Value {
        let base = self.public_url();
        json!({
            "issuer": base,
            "token_endpoint": self.wallet_url("token"),
            "grant_types_supported": [PRE_AUTHORIZED_GRANT],
            "pre-authorized_grant_anonymous_access_supported": true,
            "token_endpoint_auth_methods_supported": ["none"],
            "dpop_signing_alg_values_supported": key_proof::PROOF_ALGORITHMS,
            "response_types_supported": [],
        })
    }

    /// The type metadata of the micro-credential `vct` (SD-JWT VC §6): its names, and its
    /// claims' names, in English and Spanish, and which the holder may keep back.
    pub fn micro_credential_type_metadata(&self) -> Value {
        let claims: Vec<Value> = CLAIM_NAMES
            .iter()
            .map(|(claim, en, es)| {
                let sd = if DISCLOSABLE.contains(claim) { "always" } else { "never" };
                json!({
                    "path": [claim],
                    "display": [{"locale": "en", "label": en}, {"locale": "es", "label": es}],
                    "sd": sd,
                })
            })
            .collect();
        json!({
            "vct": self.micro_credential_vct(),
            "name": "Micro-credential",
            "description": "A micro-credential as the Council Recommendation of 16 June 2022 describes it.",
            "display": [
                {"locale": "en", "name": "Micro-credential",
                 "description": "A micro-credential: the learning outcomes of a small volume of learning, assessed."},
                {"locale": "es", "name": "Microcredencial",
                 "description": "Una microcredencial: los resultados de aprendizaje de un volumen pequeño de aprendizaje, evaluados."}
            ],
            "claims": claims,
        })
    }

    /// Offers `credential` to its learner's wallet: a new pre-authorized code and transaction
    /// code, good for [`OFFER_MINUTES`] and one exchange. Only an active credential with an Open
    /// Badges form can be offered.
    pub(crate) async fn offer_to_wallet(
        &self,
        credential: &IssuedCredential,
        now: Timestamp,
    ) -> Result<WalletOffer, AppError> {
        if credential.open_badge().is_none() {
            return Err(AppError::Conflict(format!(
                "credential {} is a European Digital Credential only: wallets receive the SD-JWT VC of an Open \
                 Badges credential",
                credential.id()
            )));
        }
        if credential.state() != CredentialState::Active {
            return Err(AppError::Conflict(format!(
                "credential {} is {}: only an active credential can go into a wallet",
                credential.id(),
                credential.state().as_str()
            )));
        }
        let live =
            self.store().db().await?.live_wallet_offers(credential.id(), now.unix_seconds(), MAX_TX_FAILURES).await?;
        if live >= MAX_LIVE_OFFERS {
            return Err(AppError::Conflict(format!(
                "credential {} has {live} offers to a wallet waiting to be taken: take one, or wait until they expire",
                credential.id()
            )));
        }
        let (record, offer) = self.new_offer(credential.id(), now, OFFER_MINUTES)?;
        let mut tx = self.store().begin().await?;
        tx.db().insert_wallet_offer(&record).await?;
        let details = json!({"offer": record.id, "expires_at": offer.expires_at.to_rfc3339()});
        tx.audit(&now.to_rfc3339(), "credential.wallet_offer", credential.id(), &details.to_string()).await?;
        tx.commit().await?;
        Ok(offer)
    }

    /// A new offer of the credential `credential_id`, good for `minutes`: the record to store
    /// (its secrets hashed) and the offer to hand out.
    pub(crate) fn new_offer(
        &self,
        credential_id: &str,
        now: Timestamp,
        minutes: i64,
    ) -> Result<(WalletOfferRecord, WalletOffer), AppError> {
        let code = new_secret("")?;
        let tx_code = {
            let draw = u64::from_le_bytes(random_bytes::<8>()?);
            format!("{:0width$}", draw % 10u64.pow(TX_CODE_DIGITS), width = TX_CODE_DIGITS as usize)
        };
        let expires_at = Timestamp::from_unix(now.unix_seconds() + minutes * 60, 0);
        let record = WalletOfferRecord {
            id: self.new_id().to_string(),
            credential_id: credential_id.to_owned(),
            code_hash: secret_hash(&code),
            tx_code_hash: secret_hash(&tx_code),
            failures: 0,
            created_at: now.unix_seconds(),
            expires_at: expires_at.unix_seconds(),
            redeemed_at: None,
            token_hash: None,
            token_expires_at: None,
            token_jkt: None,
        };
        let offer = json!({
            "credential_issuer": self.credential_issuer(),
            "credential_configuration_ids": [SD_JWT_CONFIGURATION, OPEN_BADGE_CONFIGURATION],
            "grants": {
                PRE_AUTHORIZED_GRANT: {
                    "pre-authorized_code": code,
                    "tx_code": {"input_mode": "numeric", "length": TX_CODE_DIGITS}
                }
            }
        });
        let offer_uri = format!("openid-credential-offer://?credential_offer={}", percent_encode(&offer.to_string()));
        Ok((record, WalletOffer { offer, offer_uri, tx_code, expires_at }))
    }

    /// Forgets the offers never taken that expired a day or more before `now`; how many.
    pub async fn forget_expired_offers(&self, now: Timestamp) -> Result<u64, AppError> {
        Ok(self.store().db().await?.forget_wallet_offers_before(now.unix_seconds() - 86_400).await?)
    }

    /// The token endpoint: exchanges an offer's pre-authorized code, with its transaction code,
    /// for an access token, once.
    pub async fn wallet_token(&self, request: &TokenRequest<'_>, now: Timestamp) -> Result<AccessToken, WalletError> {
        use WalletErrorCode::*;
        match request.grant_type {
            Some(PRE_AUTHORIZED_GRANT) => {}
            Some(other) => return refuse(UnsupportedGrantType, format!("the grant type {other:?} is not supported")),
            None => return refuse(InvalidRequest, "the request has no grant_type"),
        }
        let Some(code) = request.pre_authorized_code.filter(|code| !code.is_empty()) else {
            return refuse(InvalidRequest, "the request has no pre-authorized_code");
        };
        let Some(offer) = self.store().db().await?.wallet_offer_by_code(&secret_hash(code)).await? else {
            return refuse(InvalidGrant, "the pre-authorized code is not one this issuer gave");
        };
        let now_seconds = now.unix_seconds();
        if offer.redeemed_at.is_some() {
            return refuse(InvalidGrant, "the pre-authorized code was used already; ask for a new offer");
        }
        if offer.expires_at <= now_seconds {
            return refuse(InvalidGrant, "the offer has expired; ask for a new one");
        }
        if offer.failures >= MAX_TX_FAILURES {
            return refuse(InvalidGrant, "too many wrong transaction codes were given; ask for a new offer");
        }
        let Some(tx_code) = request.tx_code.filter(|tx_code| !tx_code.is_empty()) else {
            return refuse(InvalidRequest, "the offer needs its transaction code (tx_code)");
        };
        if secret_hash(tx_code) != offer.tx_code_hash {
            self.store().db().await?.fail_wallet_offer(&offer.id).await?;
            return refuse(InvalidGrant, "the transaction code is wrong");
        }
        let dpop = match request.dpop {
            Some(proof) => match key_proof::check_dpop(proof, "POST", &self.wallet_url("token"), None, now) {
                Ok(dpop) => Some(dpop),
                Err(why) => return refuse(InvalidDpopProof, why),
            },
            None => None,
        };
        let jkt = dpop.as_ref().map(|dpop| dpop.thumbprint.as_str());
        let token = new_secret("mcw_")?;
        let redeemed = self
            .store()
            .db()
            .await?
            .redeem_wallet_offer(
                &offer.id,
                &secret_hash(&token),
                now_seconds + TOKEN_SECONDS,
                jkt,
                now_seconds,
                MAX_TX_FAILURES,
            )
            .await?;
        if !redeemed {
            return refuse(InvalidGrant, "the pre-authorized code was used already; ask for a new offer");
        }
        let token_type = if jkt.is_some() { "DPoP" } else { "Bearer" };
        Ok(AccessToken { access_token: token, token_type, expires_in: TOKEN_SECONDS })
    }

    /// The nonce endpoint: a fresh nonce for one key proof, and how long it is good (seconds).
    pub async fn wallet_nonce(&self, now: Timestamp) -> Result<(String, i64), AppError> {
        let nonce = new_secret("")?;
        let now_seconds = now.unix_seconds();
        self.store()
            .db()
            .await?
            .insert_wallet_nonce(&secret_hash(&nonce), now_seconds + NONCE_SECONDS, now_seconds)
            .await?;
        Ok((nonce, NONCE_SECONDS))
    }

    /// The credential endpoint: for the offer `access_token` was given for, the credential of
    /// the configuration asked for, bound to the key the request's proof shows the wallet
    /// holds. The answer is the credential response (`{"credentials": [{"credential": …}]}`).
    pub async fn wallet_credential(
        &self,
        authorization: Option<Authorization<'_>>,
        request: &Value,
        now: Timestamp,
    ) -> Result<Value, WalletError> {
        use WalletErrorCode::*;
        let Some(authorization) = authorization else {
            return refuse(InvalidToken, "the request carries no access token");
        };
        let token = authorization.token;
        let Some(offer) =
            self.store().db().await?.wallet_offer_by_token(&secret_hash(token), now.unix_seconds()).await?
        else {
            return refuse(InvalidToken, "the access token is not known here, or has expired");
        };
        // A token bound to a key (DPoP) is good only with a proof of that key, over this request.
        match (&offer.token_jkt, authorization.scheme.eq_ignore_ascii_case("dpop")) {
            (Some(jkt), true) => {
                let Some(proof) = authorization.dpop else {
                    return refuse(InvalidDpopProof, "the token is bound to a key: the request needs its DPoP proof");
                };
                match key_proof::check_dpop(proof, "POST", &self.wallet_url("credential"), Some(token), now) {
                    Ok(dpop) if dpop.thumbprint == *jkt => {}
                    Ok(_) => return refuse(InvalidDpopProof, "the DPoP proof is of another key than the token's"),
                    Err(why) => return refuse(InvalidDpopProof, why),
                }
            }
            (Some(_), false) => {
                return refuse(InvalidToken, "the token is bound to a key: send it as DPoP, with a proof");
            }
            (None, true) => return refuse(InvalidToken, "the token is not bound to a key: send it as Bearer"),
            (None, false) => {}
        }
        let Some(request) = request.as_object() else {
            return refuse(InvalidCredentialRequest, "a credential request is a JSON object");
        };
        let Some(configuration) = request.get("credential_configuration_id").and_then(Value::as_str) else {
            return refuse(InvalidCredentialRequest, "the request names no credential_configuration_id");
        };
        if ![SD_JWT_CONFIGURATION, OPEN_BADGE_CONFIGURATION].contains(&configuration) {
            return refuse(
                UnknownCredentialConfiguration,
                format!("{configuration:?} is not a credential configuration this issuer offers"),
            );
        }
        let proof = match (request.get("proofs"), request.get("proof")) {
            (Some(proofs), None) => match proofs.get("jwt").and_then(Value::as_array).map(Vec::as_slice) {
                Some([Value::String(jwt)]) => jwt.as_str(),
                Some([_, _, ..]) => return refuse(InvalidProof, "one key proof is accepted per request"),
                _ => return refuse(InvalidProof, "the request's proofs hold no jwt key proof"),
            },
            (None, Some(proof)) if proof.get("proof_type").and_then(Value::as_str) == Some("jwt") => {
                match proof.get("jwt").and_then(Value::as_str) {
                    Some(jwt) => jwt,
                    None => return refuse(InvalidProof, "the request's proof has no jwt"),
                }
            }
            (None, Some(_)) => return refuse(InvalidProof, "only jwt key proofs are accepted"),
            (Some(_), Some(_)) => return refuse(InvalidCredentialRequest, "a request gives proofs or proof, not both"),
            (None, None) => return refuse(InvalidProof, "the request carries no key proof"),
        };
        let KeyProof { key, nonce } = match key_proof::check(proof, self.credential_issuer(), now) {
            Ok(proof) => proof,
            Err(why) => return refuse(InvalidProof, why),
        };
        let Some(nonce) = nonce else {
            return refuse(InvalidNonce, "the key proof carries no nonce; ask the nonce endpoint for one");
        };
        let credential = self.credential(&offer.credential_id).await?;
        if credential.state() != CredentialState::Active {
            return refuse(
                CredentialRequestDenied,
                format!("the credential is {} and cannot be issued", credential.state().as_str()),
            );
        }
        // Made before the transaction, which then holds no lock while the issuer signs.
        let issued = match configuration {
            SD_JWT_CONFIGURATION => Value::String(self.wallet_copy(&credential, &key, now).await?),
            _ => Value::Object(self.bound_badge(&credential, &key, now).await?),
        };

        // The nonce is used up, and the delivery recorded, only with the credential issued, and
        // only while the credential is still active.
        let mut tx = self.store().begin().await?;
        if !tx.db().use_wallet_nonce(&secret_hash(&nonce), now.unix_seconds()).await? {
            return refuse(InvalidNonce, "the key proof's nonce was not handed out here, or is used or expired");
        }
        let state = tx.db().credential(credential.id()).await?.map(|record| record.state);
        if state.as_deref() != Some(CredentialState::Active.as_str()) {
            return refuse(CredentialRequestDenied, "the credential was revoked or suspended meanwhile");
        }
        if !tx.db().deliver_wallet_offer(&offer.id, configuration, now.unix_seconds()).await? {
            return refuse(CredentialRequestDenied, "this offer has delivered its credential already");
        }
        let details = json!({"offer": offer.id, "configuration": configuration, "holder_key": key.to_jwk()});
        tx.audit(&now.to_rfc3339(), "credential.wallet_issue", credential.id(), &details.to_string()).await?;
        tx.commit().await?;
        tracing::info!(credential.id = %credential.id(), offer.id = %offer.id, "credential issued into a wallet");
        Ok(json!({"credentials": [{"credential": issued}]}))
    }

    /// The SD-JWT VC of `credential`, bound to `holder`, signed now by its issuer (with its
    /// seal's certificate when it can, as HAIP asks; else with its DID key), pointing to the
    /// Token Status List of its revocation entry signed the same way.
    pub(crate) async fn wallet_copy(
        &self,
        credential: &IssuedCredential,
        holder: &PublicKey,
        now: Timestamp,
    ) -> Result<String, AppError> {
        let learner = self
            .store()
            .db()
            .await?
            .learner(&credential.learner_id().to_string())
            .await?
            .ok_or_else(|| AppError::NotFound { what: "learner", id: credential.learner_id().to_string() })?;
        let entries = self.store().db().await?.status_entries_of(credential.id()).await?;
        let revocation =
            entries.iter().find(|entry| StatusPurpose::parse(&entry.purpose) == Some(StatusPurpose::Revocation));
        let (badge, key, identity) = self.badge_signer(credential).await?;
        let institution = self.institution(credential.institution_id().as_str()).await?;
        let certified = self.certified_signer(&institution, now).await?;
        let token_signer = if certified.is_some() { TokenSigner::Seal } else { TokenSigner::Did };
        let status_uri = revocation.map(|entry| self.status_token_url(&entry.list_id, token_signer));
        let salts: [[u8; SALT_BYTES]; SALTS] = {
            let bytes = random_bytes::<{ SALT_BYTES * SALTS }>()?;
            std::array::from_fn(|index| {
                bytes[index * SALT_BYTES..(index + 1) * SALT_BYTES].try_into().expect("a salt's bytes")
            })
        };
        let copy = WalletCopy {
            badge,
            learner_name: learner.name(),
            learner_email: learner.email().as_str(),
            vct: &self.micro_credential_vct(),
            now,
            holder,
            status: revocation.zip(status_uri.as_deref()).map(|(entry, uri)| (entry.index, uri)),
        };
        match &certified {
            Some(signer) => copy.issue(&signer.signed_by(), &salts, |input| Ok(signer.key.sign_jws(input))),
            None => {
                let key_store = self.key_store()?;
                let signed_by = SignedBy::Did { kid: &identity.verification_method };
                copy.issue(&signed_by, &salts, |input| key_store.sign(&key, input))
            }
        }
    }

    /// The Open Badges credential of `credential` bound to `holder`: its subject is also
    /// named by the holder key's `did:jwk`, and it is signed again, now, by its issuer. Its id
    /// and status entries are the credential's, so a revocation reaches it too.
    pub(crate) async fn bound_badge(
        &self,
        credential: &IssuedCredential,
        holder: &PublicKey,
        now: Timestamp,
    ) -> Result<serde_json::Map<String, Value>, AppError> {
        let (badge, key, identity) = self.badge_signer(credential).await?;
        let mut bound = badge.clone();
        bound.remove("proof");
        if let Some(Value::Object(subject)) = bound.get_mut("credentialSubject") {
            subject.insert("id".into(), key_proof::did_jwk(holder).into());
        }
        let options = ProofOptions {
            verification_method: identity.verification_method,
            created: now.to_rfc3339(),
            proof_purpose: "assertionMethod".into(),
        };
        self.sign(bound, Suite::EddsaRdfc2022, &key, &options)
    }

    /// The Open Badges credential of `credential`, the key its issuer signs with now, and who
    /// it signs as: a did:web institution's current key, or the key whose did:key the badge
    /// names.
    async fn badge_signer<'c>(
        &self,
        credential: &'c IssuedCredential,
    ) -> Result<(&'c serde_json::Map<String, Value>, mc_store::IssuerKeyRecord, crate::keys::IssuerIdentity), AppError>
    {
        let badge = credential.open_badge().ok_or_else(|| {
            AppError::Conflict(format!("credential {} has no Open Badges form to put in a wallet", credential.id()))
        })?;
        let institution = self.institution(credential.institution_id().as_str()).await?;
        let mut keys = self.store().db().await?.issuer_keys(institution.id().as_str()).await?;
        let issuer = badge.get("issuer");
        let issuer_id =
            issuer.and_then(|issuer| issuer.get("id")).or(issuer).and_then(Value::as_str).unwrap_or_default();
        keys.sort_by_key(|key| key.retired_at.is_some());
        keys.into_iter()
            .map(|key| {
                let identity = crate::keys::identity(&institution, &key);
                (key, identity)
            })
            .find(|(_, identity)| identity.issuer_id == issuer_id)
            .map(|(key, identity)| (badge, key, identity))
            .ok_or_else(|| AppError::Keys(format!("no key of {} signs as {issuer_id}", institution.id())))
    }
}

/// `text` with every byte but the unreserved ones (RFC 3986) percent-encoded.
fn percent_encode(text: &str) -> String {
    let mut encoded = String::with_capacity(text.len() * 2);
    for byte in text.bytes() {
        match byte {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'.' | b'_' | b'~' => encoded.push(byte as char),
            _ => encoded.push_str(&format!("%{byte:02X}")),
        }
    }
    encoded
}

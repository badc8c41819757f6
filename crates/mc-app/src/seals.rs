//! Electronic seals: an institution's seal key and certificate, imported from PEM files or made
//! by microcred as a self-signed test seal (named "TEST SEAL" wherever it appears), kept sealed
//! under the key-encryption key like the issuer keys, and used to seal the institution's
//! European Digital Credentials.

use mc_core::{InstitutionId, Timestamp};
use mc_store::{SealKeyRecord, StoreTx};
use mc_vc::jades::{SealCertificate, SealKey, Sealed, seal};

use crate::{App, AppError, Operator, keys::random_bytes};

/// How long a test seal's certificate is valid.
const TEST_SEAL_DAYS: i64 = 730;

/// What an institution seals with, as people are shown it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SealInfo {
    /// The institution.
    pub institution: InstitutionId,
    /// The sealing certificate's subject, as people name it.
    pub name: String,
    /// The organisation identifier the certificate carries.
    pub organization_identifier: Option<String>,
    /// Who issued the certificate.
    pub issuer: String,
    /// When the certificate starts and stops being valid.
    pub not_before: Timestamp,
    /// See `not_before`.
    pub not_after: Timestamp,
    /// Whether it is a test seal microcred made: never a real electronic seal.
    pub test_seal: bool,
    /// The sealing certificate's SHA-256 fingerprint (lowercase hex), as a trusted-issuer list
    /// names it.
    pub fingerprint: String,
    /// The JWS algorithm it seals with (`ES256`, `RS256`).
    pub algorithm: &'static str,
}

impl SealInfo {
    fn of(institution: &InstitutionId, key: &SealKey, test_seal: bool) -> SealInfo {
        let certificate = key.certificate();
        SealInfo {
            institution: institution.clone(),
            name: certificate.name.clone(),
            organization_identifier: certificate.organization_identifier.clone(),
            issuer: certificate.issuer.clone(),
            not_before: certificate.not_before,
            not_after: certificate.not_after,
            test_seal,
            fingerprint: certificate.fingerprint(),
            algorithm: key.algorithm(),
        }
    }
}

fn to_pem(chain: &[SealCertificate]) -> String {
    chain
        .iter()
        .map(|certificate| {
            pem_rfc7468::encode_string("CERTIFICATE", pem_rfc7468::LineEnding::LF, &certificate.der)
                .expect("a certificate's DER encodes as PEM")
        })
        .collect()
}

/// An institution's seal key as the signer of its SD-JWT VCs, with the issuer URI its
/// certificate names.
pub(crate) struct CertifiedSigner {
    /// The seal key.
    pub(crate) key: SealKey,
    /// The issuer (`iss`): a URI the certificate names.
    pub(crate) issuer: String,
}

impl CertifiedSigner {
    /// How the JWTs it signs name it: its certificate chain.
    pub(crate) fn signed_by(&self) -> mc_vc::SignedBy<'_> {
        mc_vc::SignedBy::Certificate { alg: self.key.algorithm(), x5c: self.key.x5c(), issuer: &self.issuer }
    }
}

impl Operator<'_> {
    /// Imports an institution's seal key with its certificate chain (read from PEM with
    /// [`SealKey::from_pem`], or from PKCS#12), in place of the seal it had. The certificate must
    /// carry the institution's legal identifier as its organisation identifier (how a verifier
    /// tells the seal is the institution's), be valid now, and allow sealing.
    pub async fn import_seal_key(
        &self,
        raw_institution: &str,
        key: SealKey,
        now: Timestamp,
    ) -> Result<SealInfo, AppError> {
        let refused = |message: String| AppError::invalid_argument("seal key", mc_core::ValueError::new(message));
        let institution = self.institution(raw_institution).await?;
        let certificate = key.certificate();
        match certificate.organization_identifier.as_deref() {
            Some(identifier) if identifier == institution.legal_identifier() => {}
            named => {
                return Err(refused(format!(
                    "the certificate of {} names the organisation {}, but {}'s legal identifier is {}: a verifier \
                     could not tell its seals are the institution's (correct the institution's legal identifier, or \
                     import the institution's own certificate)",
                    certificate.name,
                    named.unwrap_or("(none)"),
                    institution.id(),
                    institution.legal_identifier()
                )));
            }
        }
        // A seal made with it now must hold: the certificate is valid and allows sealing.
        let probe = seal("{}", &key, now).map_err(refused)?;
        Sealed::read(&probe).and_then(|sealed| sealed.check_seal()).map_err(refused)?;
        self.store_seal_key(institution.id(), &key, false, now).await
    }

    /// Makes a self-signed test seal for an institution, in place of the seal it had: a P-256
    /// key and a certificate valid for two years whose common name says "TEST SEAL". No
    /// verifier trusts it unless told to; it is for trying EDC issuance, never for real.
    pub async fn make_test_seal(&self, raw_institution: &str, now: Timestamp) -> Result<SealInfo, AppError> {
        let institution = self.institution(raw_institution).await?;
        let organisation = institution.name().best(&mc_core::LanguageTag::parse("en").expect("a tag"));
        let until = Timestamp::from_unix(now.unix_seconds() + TEST_SEAL_DAYS * 86_400, 0);
        // The institution's website names it in the certificate, as the issuer of its SD-JWT VCs.
        let website = institution.website().map(ToString::to_string).filter(|url| url.starts_with("https://"));
        let key = SealKey::test_seal(
            random_bytes()?,
            organisation,
            institution.legal_identifier(),
            website.as_deref(),
            (now, until),
        )
        .map_err(AppError::Keys)?;
        self.store_seal_key(institution.id(), &key, true, now).await
    }
}

impl App {
    async fn store_seal_key(
        &self,
        institution: &InstitutionId,
        key: &SealKey,
        test_seal: bool,
        now: Timestamp,
    ) -> Result<SealInfo, AppError> {
        let pkcs8 = zeroize::Zeroizing::new(key.to_pkcs8_der().map_err(AppError::Keys)?);
        let sealed_secret = self.key_store()?.keep_seal_key(institution.as_str(), &key.certificate().der, &pkcs8)?;
        let record = SealKeyRecord {
            institution_id: institution.to_string(),
            certificates: to_pem(key.chain()),
            sealed_secret,
            test_seal,
            created_at: now.to_rfc3339(),
        };
        let info = SealInfo::of(institution, key, test_seal);
        let mut tx = self.store().begin().await?;
        tx.db().put_seal_key(&record).await?;
        let details =
            serde_json::json!({"certificate": info.name, "fingerprint": info.fingerprint, "test_seal": test_seal});
        let action = if test_seal { "seal.test" } else { "seal.import" };
        tx.audit(&record.created_at, action, institution.as_str(), &details.to_string()).await?;
        tx.commit().await?;
        tracing::info!(institution.id = %institution, seal.fingerprint = %info.fingerprint, test_seal, "seal key stored");
        Ok(info)
    }

    /// What an institution seals with, if it has a seal.
    pub async fn seal_info(&self, raw_institution: &str) -> Result<Option<SealInfo>, AppError> {
        let institution = self.institution(raw_institution).await?;
        let Some(record) = self.store().db().await?.seal_key(institution.id().as_str()).await? else {
            return Ok(None);
        };
        let key = self.open_seal_key(&record)?;
        Ok(Some(SealInfo::of(institution.id(), &key, record.test_seal)))
    }

    /// What an institution signs its SD-JWT VCs and their Token Status Lists with, as HAIP
    /// asks, when its seal allows it: an ES256 seal key whose certificate is valid now and names
    /// an `https` URI, which is then the issuer (the institution's website when the certificate
    /// names it). `None` otherwise: they are signed with the institution's DID key.
    pub(crate) async fn certified_signer(
        &self,
        institution: &mc_core::Institution,
        now: Timestamp,
    ) -> Result<Option<CertifiedSigner>, AppError> {
        let Some(record) = self.store().db().await?.seal_key(institution.id().as_str()).await? else {
            return Ok(None);
        };
        let key = self.open_seal_key(&record)?;
        let certificate = key.certificate();
        if key.algorithm() != "ES256" || now < certificate.not_before || now > certificate.not_after {
            return Ok(None);
        }
        let website = institution.website().map(ToString::to_string);
        let https = || certificate.uris.iter().find(|uri| uri.starts_with("https://"));
        let issuer = certificate.uris.iter().find(|uri| Some(*uri) == website.as_ref()).or_else(https).cloned();
        Ok(issuer.map(|issuer| CertifiedSigner { key, issuer }))
    }

    /// The institution's seal key, opened, for sealing in `tx`.
    pub(crate) async fn seal_key_in(&self, tx: &mut StoreTx, institution: &InstitutionId) -> Result<SealKey, AppError> {
        let record = tx.db().seal_key(institution.as_str()).await?.ok_or_else(|| {
            AppError::Conflict(format!(
                "institution {institution} has no electronic seal, which a European Digital Credential needs: import \
                 its seal with `microcred issuer seal-import`, or make a test seal with `microcred issuer test-seal`"
            ))
        })?;
        self.open_seal_key(&record)
    }

    fn open_seal_key(&self, record: &SealKeyRecord) -> Result<SealKey, AppError> {
        let damaged = |detail: String| mc_store::StoreError::Corrupt {
            what: "seal key",
            id: record.institution_id.clone(),
            detail,
        };
        let chain = SealCertificate::read_file(record.certificates.as_bytes()).map_err(damaged)?;
        let leaf = chain.first().ok_or_else(|| damaged("it has no certificate".into()))?;
        let pkcs8 = zeroize::Zeroizing::new(self.key_store()?.open_seal_key(
            &record.institution_id,
            &leaf.der,
            &record.sealed_secret,
        )?);
        Ok(SealKey::from_pkcs8_der(&pkcs8, chain).map_err(damaged)?)
    }
}

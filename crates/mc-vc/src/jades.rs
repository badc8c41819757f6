//! JAdES seals (ETSI TS 119 182-1) as European Digital Credentials carry them: a JWS in the JSON
//! general serialization with one signature, an unencoded payload (`b64: false`, RFC 7797: the
//! credential's JSON text itself), the sealing certificate in `x5c`, its SHA-256 thumbprint in
//! `x5t#S256`, its issuer and serial number in `kid`, and the signing time in `sigT`.
//!
//! [`Sealed::read`] reads a sealed document and refuses what a verifier must not guess at: an
//! algorithm off the allow-list (RS256, ES256), a `crit` that names a header this module does
//! not process or leaves out `b64` or `sigT`, a thumbprint that is not the certificate's.
//! [`Sealed::check_seal`] then checks that the seal is intact: the signature with the
//! certificate's key (of the algorithm's type), the certificate valid at the signing time and
//! meant for signing. Whether the certificate is *trusted* (its chain to an anchor) is a
//! separate question, asked by the caller. Pure: the time is the seal's own `sigT`.

use base64::Engine as _;
use der::Decode as _;
use mc_core::Timestamp;
use serde_json::{Map, Value};
use sha2::{Digest as _, Sha256};
use x509_cert::{
    Certificate,
    ext::pkix::{BasicConstraints, KeyUsage, SubjectAltName, name::GeneralName},
};

use crate::{
    jwt::{Algorithm, SignatureError, verify_signature},
    multikey::PublicKey,
};

/// The most certificates `x5c` may hold.
const MAX_CHAIN: usize = 8;

/// The `crit` entries this module processes: `b64` (the payload is the text itself), `sigT`
/// (the signing time, against which the certificate is checked) and `adoTst` (content
/// time-stamps: read as well-formed tokens, their own signatures not checked).
const UNDERSTOOD_CRIT: &[&str] = &["b64", "sigT", "adoTst"];

/// The protected header parameters a seal may carry.
const KNOWN_HEADER: &[&str] = &["alg", "cty", "typ", "kid", "x5t#S256", "x5c", "b64", "sigT", "adoTst", "crit"];

/// A certificate of a seal, read.
#[derive(Debug, Clone)]
pub struct SealCertificate {
    /// Its subject, as an RFC 4514 string.
    pub subject: String,
    /// Its subject as people name it: the common name, and the organization when it has one
    /// ("TEST SEAL, ORGANIZACION TEST").
    pub name: String,
    /// The subject's organization identifier (eIDAS: `VATES-A00000000`), when it has one.
    pub organization_identifier: Option<String>,
    /// Its issuer, as an RFC 4514 string.
    pub issuer: String,
    /// Its issuer as people name it, as `name` names the subject.
    pub issuer_name: String,
    /// The start of its validity.
    pub not_before: Timestamp,
    /// The end of its validity.
    pub not_after: Timestamp,
    /// Its DER encoding.
    pub der: Vec<u8>,
    /// The URIs its subject alternative names give (`uniformResourceIdentifier`).
    pub uris: Vec<String>,
    /// The DNS names its subject alternative names give (`dNSName`).
    pub dns_names: Vec<String>,
    key: Result<PublicKey, String>,
    /// Its key usage extension, when it has one.
    usage: Option<KeyUsage>,
    /// Whether it says it is a certificate authority (basic constraints).
    ca: bool,
    /// The DER of its subject and issuer names, compared when building a chain.
    subject_der: Vec<u8>,
    serial: Vec<u8>,
    issuer_der: Vec<u8>,
    /// What its issuer signed: the DER of its `tbsCertificate`, the algorithm and the signature.
    tbs_der: Vec<u8>,
    signature_algorithm: const_oid::ObjectIdentifier,
    signature: Vec<u8>,
}

impl SealCertificate {
    /// Reads certificates from a file's bytes: PEM (one or more `CERTIFICATE` blocks) or DER.
    pub fn read_file(bytes: &[u8]) -> Result<Vec<SealCertificate>, String> {
        if !bytes.starts_with(b"-----BEGIN") {
            return SealCertificate::from_der(bytes).map(|certificate| vec![certificate]);
        }
        let certificates = Certificate::load_pem_chain(bytes).map_err(|err| format!("not PEM certificates: {err}"))?;
        certificates
            .iter()
            .map(|certificate| {
                let der = der::Encode::to_der(certificate).map_err(|err| err.to_string())?;
                SealCertificate::from_der(&der)
            })
            .collect()
    }

    /// Reads a DER certificate.
    pub fn from_der(der: &[u8]) -> Result<SealCertificate, String> {
        let certificate = Certificate::from_der(der).map_err(|err| format!("not an X.509 certificate: {err}"))?;
        let tbs = &certificate.tbs_certificate;
        let time = |time: x509_cert::time::Time| {
            let seconds = time.to_unix_duration().as_secs();
            Timestamp::from_unix(i64::try_from(seconds).unwrap_or(i64::MAX), 0)
        };
        let extension = |oid| tbs.extensions.iter().flatten().find(|extension| extension.extn_id == oid);
        let usage = extension(const_oid::db::rfc5280::ID_CE_KEY_USAGE)
            .map(|found| KeyUsage::from_der(found.extn_value.as_bytes()))
            .transpose()
            .map_err(|err| format!("its key usage is malformed: {err}"))?;
        let ca = extension(const_oid::db::rfc5280::ID_CE_BASIC_CONSTRAINTS)
            .map(|found| BasicConstraints::from_der(found.extn_value.as_bytes()))
            .transpose()
            .map_err(|err| format!("its basic constraints are malformed: {err}"))?
            .is_some_and(|constraints| constraints.ca);
        let alternative_names = extension(const_oid::db::rfc5280::ID_CE_SUBJECT_ALT_NAME)
            .map(|found| SubjectAltName::from_der(found.extn_value.as_bytes()))
            .transpose()
            .map_err(|err| format!("its subject alternative names are malformed: {err}"))?
            .map(|names| names.0)
            .unwrap_or_default();
        let (mut uris, mut dns_names) = (Vec::new(), Vec::new());
        for name in alternative_names {
            match name {
                GeneralName::UniformResourceIdentifier(uri) => uris.push(uri.to_string()),
                GeneralName::DnsName(dns) => dns_names.push(dns.to_string()),
                _ => {}
            }
        }
        fn encoded(value: &impl der::Encode) -> Result<Vec<u8>, String> {
            value.to_der().map_err(|err| format!("cannot be encoded again: {err}"))
        }
        Ok(SealCertificate {
            name: common_name(&tbs.subject).unwrap_or_else(|| tbs.subject.to_string()),
            organization_identifier: attribute(&tbs.subject, ORGANIZATION_IDENTIFIER),
            subject: tbs.subject.to_string(),
            issuer: tbs.issuer.to_string(),
            issuer_name: common_name(&tbs.issuer).unwrap_or_else(|| tbs.issuer.to_string()),
            not_before: time(tbs.validity.not_before),
            not_after: time(tbs.validity.not_after),
            der: der.to_vec(),
            uris,
            dns_names,
            key: public_key(&tbs.subject_public_key_info),
            usage,
            ca,
            subject_der: encoded(&tbs.subject)?,
            serial: tbs.serial_number.as_bytes().to_vec(),
            issuer_der: encoded(&tbs.issuer)?,
            tbs_der: encoded(tbs)?,
            signature_algorithm: certificate.signature_algorithm.oid,
            signature: certificate.signature.raw_bytes().to_vec(),
        })
    }

    /// Its SHA-256 fingerprint, lowercase hex, as a trusted-issuer list names it.
    pub fn fingerprint(&self) -> String {
        Sha256::digest(&self.der).iter().map(|byte| format!("{byte:02x}")).collect()
    }

    pub(crate) fn valid_at(&self, time: Timestamp) -> bool {
        self.not_before <= time && time <= self.not_after
    }

    /// Its public key, or why it cannot be used.
    pub(crate) fn key(&self) -> Result<&PublicKey, String> {
        self.key.as_ref().map_err(Clone::clone)
    }

    /// Whether its key usage, when it states one, allows signing.
    pub(crate) fn allows_signing(&self) -> bool {
        self.usage.is_none_or(|usage| usage.digital_signature() || usage.non_repudiation())
    }

    /// Whether `issuer`'s key made this certificate's signature.
    fn signed_by(&self, issuer: &SealCertificate) -> Result<(), String> {
        use const_oid::db::rfc5912::{
            ECDSA_WITH_SHA_256, SHA_256_WITH_RSA_ENCRYPTION, SHA_384_WITH_RSA_ENCRYPTION, SHA_512_WITH_RSA_ENCRYPTION,
        };
        let key = issuer.key.as_ref().map_err(Clone::clone)?;
        let input = self.tbs_der.as_slice();
        let signature = self.signature.as_slice();
        let holds = match (self.signature_algorithm, key) {
            (ECDSA_WITH_SHA_256, PublicKey::P256(key)) => p256::ecdsa::Signature::from_der(signature)
                .is_ok_and(|signature| p256::ecdsa::signature::Verifier::verify(key, input, &signature).is_ok()),
            (SHA_256_WITH_RSA_ENCRYPTION, PublicKey::Rsa(key)) => rsa_holds::<sha2::Sha256>(key, input, signature),
            (SHA_384_WITH_RSA_ENCRYPTION, PublicKey::Rsa(key)) => rsa_holds::<sha2::Sha384>(key, input, signature),
            (SHA_512_WITH_RSA_ENCRYPTION, PublicKey::Rsa(key)) => rsa_holds::<sha2::Sha512>(key, input, signature),
            (algorithm, _) => {
                return Err(format!(
                    "the certificate of {} is signed with {algorithm}, which microcred does not check with a {} key",
                    self.subject,
                    key.key_type()
                ));
            }
        };
        match holds {
            true => Ok(()),
            false => Err(format!("the certificate of {} is not signed by {}", self.subject, issuer.subject)),
        }
    }
}

/// Whether an RSA PKCS#1 v1.5 signature with the digest `D` holds.
fn rsa_holds<D>(key: &rsa::RsaPublicKey, input: &[u8], signature: &[u8]) -> bool
where
    D: sha2::Digest + const_oid::AssociatedOid,
{
    let verifier = rsa::pkcs1v15::VerifyingKey::<D>::new(key.clone());
    rsa::pkcs1v15::Signature::try_from(signature)
        .is_ok_and(|signature| rsa::signature::Verifier::verify(&verifier, input, &signature).is_ok())
}

/// The X.520 organizationIdentifier attribute (2.5.4.97), which eIDAS seal certificates carry.
const ORGANIZATION_IDENTIFIER: const_oid::ObjectIdentifier = const_oid::ObjectIdentifier::new_unwrap("2.5.4.97");

/// The text of `name`'s first attribute `oid`.
fn attribute(name: &x509_cert::name::Name, oid: const_oid::ObjectIdentifier) -> Option<String> {
    use der::asn1::{Ia5StringRef, PrintableStringRef, Utf8StringRef};
    let value = &name.0.iter().flat_map(|rdn| rdn.0.iter()).find(|atv| atv.oid == oid)?.value;
    value
        .decode_as::<Utf8StringRef<'_>>()
        .map(|text| text.to_string())
        .or_else(|_| value.decode_as::<PrintableStringRef<'_>>().map(|text| text.to_string()))
        .or_else(|_| value.decode_as::<Ia5StringRef<'_>>().map(|text| text.to_string()))
        .ok()
}

/// The common name and organization of `name`, when it has a common name.
fn common_name(name: &x509_cert::name::Name) -> Option<String> {
    let common = attribute(name, const_oid::db::rfc4519::CN)?;
    Some(match attribute(name, const_oid::db::rfc4519::O) {
        Some(organization) if organization != common => format!("{common}, {organization}"),
        _ => common,
    })
}

/// The key of a certificate: RSA (2048 bits or more) or P-256.
fn public_key(info: &spki::SubjectPublicKeyInfoOwned) -> Result<PublicKey, String> {
    const RSA: const_oid::ObjectIdentifier = const_oid::db::rfc5912::RSA_ENCRYPTION;
    const EC: const_oid::ObjectIdentifier = const_oid::db::rfc5912::ID_EC_PUBLIC_KEY;
    const P256: const_oid::ObjectIdentifier = const_oid::db::rfc5912::SECP_256_R_1;
    let bits = info.subject_public_key.as_bytes().ok_or("the certificate's key is not whole bytes")?;
    match info.algorithm.oid {
        RSA => {
            use rsa::{pkcs1::DecodeRsaPublicKey as _, traits::PublicKeyParts as _};
            let key = rsa::RsaPublicKey::from_pkcs1_der(bits).map_err(|_| "the certificate's RSA key is malformed")?;
            match key.size() >= 256 {
                true => Ok(PublicKey::Rsa(Box::new(key))),
                false => {
                    Err(format!("the certificate's RSA key has {} bits; at least 2048 are needed", key.size() * 8))
                }
            }
        }
        EC => {
            let curve = info.algorithm.parameters.as_ref().and_then(|parameters| parameters.decode_as().ok());
            match curve {
                Some(P256) => p256::ecdsa::VerifyingKey::from_sec1_bytes(bits)
                    .map(PublicKey::P256)
                    .map_err(|_| "the certificate's P-256 key is malformed".to_owned()),
                _ => Err("the certificate's elliptic curve is not P-256".into()),
            }
        }
        other => Err(format!("the certificate's key algorithm {other} is not RSA or P-256")),
    }
}

/// A sealed document, read and checked for form; [`Sealed::check_seal`] checks the seal.
#[derive(Debug, Clone)]
pub struct Sealed {
    /// The sealed credential.
    pub payload: Map<String, Value>,
    /// The signature algorithm.
    pub algorithm: &'static str,
    /// When it was sealed (`sigT`).
    pub signing_time: Timestamp,
    /// The sealing certificate, then the rest of `x5c`.
    pub chain: Vec<SealCertificate>,
    /// How many content time-stamp tokens `adoTst` carries (their signatures are not checked).
    pub content_timestamps: usize,
    /// The certificates of the unprotected validation data (`etsiU` `xVals`): candidates for
    /// the chain to a trust anchor, believed only as far as their signatures show.
    pub validation_certificates: Vec<SealCertificate>,
    alg: Algorithm,
    signing_input: Vec<u8>,
    signature: Vec<u8>,
}

fn base64url(part: &str, what: &str) -> Result<Vec<u8>, String> {
    base64::engine::general_purpose::URL_SAFE_NO_PAD
        .decode(part)
        .map_err(|_| format!("the seal's {what} is not base64url"))
}

/// Whether `document` has the shape of a JWS in the JSON general serialization.
pub fn looks_sealed(document: &Map<String, Value>) -> bool {
    document.contains_key("payload") && document.contains_key("signatures")
}

impl Sealed {
    /// Reads a sealed document, refusing any header this module cannot process.
    pub fn read(document: &Map<String, Value>) -> Result<Sealed, String> {
        let payload_text =
            document.get("payload").and_then(Value::as_str).ok_or("the seal's payload is not a string")?;
        let signatures = match document.get("signatures") {
            Some(Value::Array(signatures)) => signatures,
            _ => return Err("the seal's signatures are not a list".into()),
        };
        let [signature] = signatures.as_slice() else {
            return Err(format!("a sealed credential has one signature, not {}", signatures.len()));
        };
        let protected_part =
            signature.get("protected").and_then(Value::as_str).ok_or("the signature has no protected header")?;
        let header = match crate::strict_json::from_slice(&base64url(protected_part, "protected header")?) {
            Ok(Value::Object(header)) => header,
            Ok(_) => return Err("the seal's protected header is not a JSON object".into()),
            Err(err) => return Err(format!("the seal's protected header is not well-formed JSON: {err}")),
        };
        if let Some(unknown) = header.keys().find(|key| !KNOWN_HEADER.contains(&key.as_str())) {
            return Err(format!("the seal's header parameter {unknown:?} is not one microcred processes"));
        }
        let alg = header.get("alg").and_then(Value::as_str).ok_or("the seal has no alg")?;
        let algorithm = match alg {
            "RS256" => Algorithm::Rs256,
            "ES256" => Algorithm::Es256,
            "none" => return Err("the seal is unsigned (alg \"none\"), which is never accepted".into()),
            other => return Err(format!("the seal algorithm {other:?} is not accepted (RS256, ES256 are)")),
        };
        check_crit(&header)?;
        if header.get("b64") != Some(&Value::Bool(false)) {
            return Err("the seal's payload must be unencoded (b64: false)".into());
        }
        let signing_time = header
            .get("sigT")
            .and_then(Value::as_str)
            .and_then(|time| Timestamp::parse(time).ok())
            .ok_or("the seal's signing time (sigT) is not a date-time")?;
        let chain = certificates(&header)?;
        let leaf = &chain[0];
        match header.get("x5t#S256") {
            None => {}
            Some(Value::String(thumbprint)) => {
                let actual = base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(Sha256::digest(&leaf.der));
                if *thumbprint != actual {
                    return Err("the seal's certificate thumbprint (x5t#S256) is not its certificate's".into());
                }
            }
            Some(_) => return Err("the seal's certificate thumbprint (x5t#S256) is not a string".into()),
        }
        match header.get("kid") {
            None => {}
            Some(Value::String(kid)) => check_kid(kid, leaf)?,
            Some(_) => return Err("the seal's kid is not a string".into()),
        }
        let content_timestamps = content_timestamps(&header)?;
        let payload = match crate::strict_json::from_str(payload_text) {
            Ok(Value::Object(payload)) => payload,
            Ok(_) => return Err("the sealed payload is not a JSON object".into()),
            Err(err) => return Err(format!("the sealed payload is not well-formed JSON: {err}")),
        };
        let validation_certificates = validation_certificates(signature.get("header"));
        let signature = signature.get("signature").and_then(Value::as_str).ok_or("the seal has no signature value")?;
        let mut signing_input = protected_part.as_bytes().to_vec();
        signing_input.push(b'.');
        signing_input.extend_from_slice(payload_text.as_bytes());
        Ok(Sealed {
            payload,
            algorithm: algorithm.name(),
            signing_time,
            chain,
            content_timestamps,
            validation_certificates,
            alg: algorithm,
            signing_input,
            signature: base64url(signature, "signature")?,
        })
    }

    /// The sealing certificate.
    pub fn certificate(&self) -> &SealCertificate {
        &self.chain[0]
    }

    /// Checks that the seal is intact: the signature holds with the sealing certificate's key
    /// (which must be of the algorithm's type), and the certificate was valid when it sealed
    /// and is meant for signing.
    pub fn check_seal(&self) -> Result<(), String> {
        let leaf = self.certificate();
        let key = leaf.key.as_ref().map_err(Clone::clone)?;
        verify_signature(self.alg, key, &self.signing_input, &self.signature).map_err(|err| match err {
            SignatureError::KeyType(key_type) => {
                format!("the seal's algorithm {} cannot be used with the certificate's {key_type} key", self.algorithm)
            }
            SignatureError::Mismatch => "the seal does not match what it seals: it was changed after sealing".into(),
        })?;
        if self.signing_time < leaf.not_before || self.signing_time > leaf.not_after {
            return Err(format!(
                "the sealing certificate was not valid when it sealed ({}): it is valid from {} to {}",
                self.signing_time, leaf.not_before, leaf.not_after
            ));
        }
        if !leaf.allows_signing() {
            return Err("the sealing certificate's key usage does not allow signing".into());
        }
        Ok(())
    }
}

/// Whether a seal's certificate is trusted: the chain from it to a trust anchor, or why there
/// is none.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Anchoring {
    /// The names of the certificates from the sealing one to the anchor, each signed by the next.
    Anchored(Vec<String>),
    /// No chain leads to an anchor; why.
    Unanchored(String),
}

impl Sealed {
    /// Builds the chain from the sealing certificate to one of `anchors` (trusted as they are;
    /// the sealing certificate may be one itself), through the rest of `x5c` and
    /// `intermediates`: each certificate must be signed by the
    /// next, whose subject is its issuer, which is a certificate authority allowed to sign
    /// certificates, valid at the signing time like every certificate of the chain.
    pub fn anchor(&self, intermediates: &[SealCertificate], anchors: &[SealCertificate]) -> Anchoring {
        self.anchor_at(intermediates, anchors, self.signing_time)
    }

    /// [`Sealed::anchor`] with every certificate of the chain valid at `time` (the sealing
    /// certificate included) rather than at the signing time.
    pub fn anchor_at(
        &self,
        intermediates: &[SealCertificate],
        anchors: &[SealCertificate],
        time: Timestamp,
    ) -> Anchoring {
        anchor_chain(&self.chain, intermediates, anchors, time)
    }
}

/// Builds the chain from `chain[0]` to one of `anchors` (trusted as they are; the first
/// certificate may be one itself), through the rest of `chain` and `intermediates`: each
/// certificate must be signed by the next, whose subject is its issuer, which is a certificate
/// authority allowed to sign certificates; every certificate of the chain valid at `time`.
pub(crate) fn anchor_chain(
    chain: &[SealCertificate],
    intermediates: &[SealCertificate],
    anchors: &[SealCertificate],
    time: Timestamp,
) -> Anchoring {
    let Some((leaf, rest)) = chain.split_first() else {
        return Anchoring::Unanchored("there is no certificate".into());
    };
    let candidates: Vec<&SealCertificate> = rest.iter().chain(intermediates).collect();
    if !leaf.valid_at(time) {
        return Anchoring::Unanchored(format!("{} is not valid on {time}", leaf.name));
    }
    // A sealing certificate that is itself an anchor (pinned) needs no chain.
    if anchors.iter().any(|anchor| anchor.der == leaf.der) {
        return Anchoring::Anchored(vec![leaf.name.clone()]);
    }
    let mut path = vec![leaf];
    let mut why = String::from("no certificate of a trust anchor issued it");
    while path.len() <= MAX_CHAIN {
        let current = *path.last().expect("the chain starts with the sealing certificate");
        let issued = |issuer: &SealCertificate| issuer.subject_der == current.issuer_der;
        if let Some(anchor) = anchors.iter().find(|anchor| issued(anchor) && current.signed_by(anchor).is_ok()) {
            if !anchor.valid_at(time) {
                return Anchoring::Unanchored(format!("the trust anchor {} is not valid on {time}", anchor.name));
            }
            let mut names: Vec<String> = path.iter().map(|certificate| certificate.name.clone()).collect();
            names.push(anchor.name.clone());
            return Anchoring::Anchored(names);
        }
        let next = candidates.iter().filter(|issuer| issued(issuer)).find(|issuer| {
            let checked = current.signed_by(issuer).and_then(|()| issuer.may_issue(time));
            checked.as_ref().map_err(|err| why.clone_from(err)).is_ok()
        });
        match next {
            Some(issuer) if !path.iter().any(|seen| seen.der == issuer.der) => path.push(issuer),
            _ => return Anchoring::Unanchored(format!("the seal's certificate chains to no trust anchor: {why}")),
        }
    }
    Anchoring::Unanchored(format!("the seal's certificate chain is longer than {MAX_CHAIN}"))
}

impl SealCertificate {
    /// Whether this certificate may issue others at `time`.
    fn may_issue(&self, time: Timestamp) -> Result<(), String> {
        if !self.ca || self.usage.is_some_and(|usage| !usage.key_cert_sign()) {
            return Err(format!("{} is not a certificate authority", self.name));
        }
        match self.valid_at(time) {
            true => Ok(()),
            false => Err(format!("{} is not valid on {time}", self.name)),
        }
    }
}

/// What a JAdES `kid` holds, base64-encoded DER (ETSI TS 119 182-1 5.1.4): the issuer and
/// serial number of the signing certificate.
#[derive(der::Sequence)]
struct IssuerSerial {
    issuer: x509_cert::ext::pkix::name::GeneralNames,
    serial: x509_cert::serial_number::SerialNumber,
}

/// The `kid` must name the sealing certificate: its issuer and serial number.
fn check_kid(kid: &str, leaf: &SealCertificate) -> Result<(), String> {
    let named = base64::engine::general_purpose::STANDARD
        .decode(kid)
        .ok()
        .and_then(|der| IssuerSerial::from_der(&der).ok())
        .ok_or("the seal's kid is not an issuer and serial number (base64 DER)")?;
    let issuer_named = named.issuer.iter().any(|name| match name {
        x509_cert::ext::pkix::name::GeneralName::DirectoryName(name) => {
            der::Encode::to_der(name).is_ok_and(|name| name == leaf.issuer_der)
        }
        _ => false,
    });
    match issuer_named && named.serial.as_bytes() == leaf.serial {
        true => Ok(()),
        false => Err("the seal's kid names another certificate than the one in x5c".into()),
    }
}

/// `crit` must name `b64` and `sigT`, and nothing this module does not process.
fn check_crit(header: &Map<String, Value>) -> Result<(), String> {
    let crit: Vec<&str> = match header.get("crit") {
        Some(Value::Array(names)) => {
            names.iter().map(|name| name.as_str().ok_or("a crit entry is not a string")).collect::<Result<_, _>>()?
        }
        _ => return Err("the seal has no crit list".into()),
    };
    if let Some(unknown) = crit.iter().find(|name| !UNDERSTOOD_CRIT.contains(name)) {
        return Err(format!("the seal's crit names {unknown:?}, which microcred does not process"));
    }
    if let Some(missing) = ["b64", "sigT"].into_iter().find(|name| !crit.contains(name)) {
        return Err(format!("the seal's crit does not name {missing:?}"));
    }
    if let Some(absent) = crit.iter().find(|name| !header.contains_key(**name)) {
        return Err(format!("the seal's crit names {absent:?}, which its header does not carry"));
    }
    let mut sorted = crit.clone();
    sorted.sort_unstable();
    sorted.dedup();
    match sorted.len() == crit.len() {
        true => Ok(()),
        false => Err("the seal's crit names a header twice".into()),
    }
}

/// The certificates of `x5c`, the sealing one first.
pub(crate) fn certificates(header: &Map<String, Value>) -> Result<Vec<SealCertificate>, String> {
    let x5c = match header.get("x5c") {
        Some(Value::Array(x5c)) if !x5c.is_empty() && x5c.len() <= MAX_CHAIN => x5c,
        Some(Value::Array(x5c)) => return Err(format!("the seal's x5c holds {} certificates", x5c.len())),
        _ => return Err("the seal carries no certificate (x5c)".into()),
    };
    x5c.iter()
        .enumerate()
        .map(|(position, certificate)| {
            let der = certificate
                .as_str()
                .and_then(|text| base64::engine::general_purpose::STANDARD.decode(text).ok())
                .ok_or_else(|| format!("certificate {} of the seal's x5c is not base64", position + 1))?;
            SealCertificate::from_der(&der)
                .map_err(|why| format!("certificate {} of the seal's x5c is {why}", position + 1))
        })
        .collect()
}

/// The certificates of the unprotected header's `etsiU` `xVals` items (base64url JSON, each
/// `{"xVals": [{"x509Cert": {"val": BASE64}}, …]}`); what cannot be read is left out.
fn validation_certificates(header: Option<&Value>) -> Vec<SealCertificate> {
    let Some(items) = header.and_then(|header| header.get("etsiU")).and_then(Value::as_array) else {
        return Vec::new();
    };
    items
        .iter()
        .filter_map(|item| base64::engine::general_purpose::URL_SAFE_NO_PAD.decode(item.as_str()?).ok())
        .filter_map(|json| serde_json::from_slice::<Value>(&json).ok())
        .filter_map(|item| item.get("xVals").and_then(Value::as_array).cloned())
        .flatten()
        .filter_map(|value| {
            let der = base64::engine::general_purpose::STANDARD.decode(value["x509Cert"]["val"].as_str()?).ok()?;
            SealCertificate::from_der(&der).ok()
        })
        .take(MAX_CHAIN)
        .collect()
}

/// How many tokens `adoTst` carries, when it is there: `{"tstTokens": [{"val": BASE64}, …]}`.
fn content_timestamps(header: &Map<String, Value>) -> Result<usize, String> {
    let Some(adotst) = header.get("adoTst") else { return Ok(0) };
    let tokens = adotst.get("tstTokens").and_then(Value::as_array).ok_or("the seal's adoTst has no tstTokens")?;
    for token in tokens {
        let value = token.get("val").and_then(Value::as_str).ok_or("an adoTst token has no val")?;
        base64::engine::general_purpose::STANDARD
            .decode(value)
            .map_err(|_| "an adoTst token is not base64".to_owned())?;
    }
    Ok(tokens.len())
}

/// The secret key of a seal: P-256 (ES256) or RSA (RS256).
enum SealSecret {
    P256(p256::ecdsa::SigningKey),
    Rsa(Box<rsa::RsaPrivateKey>),
}

/// A sealing key and its certificate chain, the sealing certificate first.
pub struct SealKey {
    key: SealSecret,
    chain: Vec<SealCertificate>,
}

impl SealKey {
    /// A P-256 sealing key with its chain; the first certificate must be the key's.
    pub fn new(key: p256::ecdsa::SigningKey, chain: Vec<SealCertificate>) -> Result<SealKey, String> {
        SealKey::with_secret(SealSecret::P256(key), chain)
    }

    fn with_secret(key: SealSecret, chain: Vec<SealCertificate>) -> Result<SealKey, String> {
        let leaf = chain.first().ok_or("a seal key needs its certificate")?;
        let matches = match (&leaf.key, &key) {
            (Ok(PublicKey::P256(public)), SealSecret::P256(secret)) => public == secret.verifying_key(),
            (Ok(PublicKey::Rsa(public)), SealSecret::Rsa(secret)) => **public == secret.to_public_key(),
            _ => false,
        };
        match matches {
            true => Ok(SealKey { key, chain }),
            false => Err(format!("the certificate of {} is not this key's", leaf.name)),
        }
    }

    /// A sealing key from its PKCS#8 DER encoding (P-256 or RSA of at least 2048 bits) and its
    /// chain, the key's certificate first.
    pub fn from_pkcs8_der(der: &[u8], chain: Vec<SealCertificate>) -> Result<SealKey, String> {
        use rsa::{pkcs8::DecodePrivateKey as _, traits::PublicKeyParts as _};
        let key = match p256::ecdsa::SigningKey::from_pkcs8_der(der) {
            Ok(key) => SealSecret::P256(key),
            Err(_) => {
                let key = rsa::RsaPrivateKey::from_pkcs8_der(der)
                    .map_err(|_| "the key is neither a P-256 nor an RSA private key (PKCS#8)".to_owned())?;
                if key.size() < 256 {
                    return Err(format!("the RSA key has {} bits; at least 2048 are needed", key.size() * 8));
                }
                SealSecret::Rsa(Box::new(key))
            }
        };
        SealKey::with_secret(key, chain)
    }

    /// A sealing key from PEM files: the private key (`PRIVATE KEY`, PKCS#8; or `EC PRIVATE
    /// KEY` and `RSA PRIVATE KEY`) and the certificate chain, the key's certificate first.
    pub fn from_pem(key_pem: &str, chain_pem: &[u8]) -> Result<SealKey, String> {
        use rsa::{pkcs1::DecodeRsaPrivateKey as _, pkcs8::EncodePrivateKey as _};
        let chain = SealCertificate::read_file(chain_pem)?;
        let (label, der) = pem_rfc7468::decode_vec(key_pem.trim().as_bytes())
            .map_err(|err| format!("the key file is not PEM: {err}"))?;
        let pkcs8 = match label {
            "PRIVATE KEY" => der,
            "EC PRIVATE KEY" => {
                use p256::pkcs8::EncodePrivateKey as _;
                let key = p256::SecretKey::from_sec1_der(&der).map_err(|_| "the EC key is not a P-256 key")?;
                key.to_pkcs8_der().map_err(|err| err.to_string())?.as_bytes().to_vec()
            }
            "RSA PRIVATE KEY" => {
                let key = rsa::RsaPrivateKey::from_pkcs1_der(&der).map_err(|_| "the RSA key is malformed")?;
                key.to_pkcs8_der().map_err(|err| err.to_string())?.as_bytes().to_vec()
            }
            "ENCRYPTED PRIVATE KEY" => {
                return Err("the key file is encrypted: decrypt it first (openssl pkey -in KEY -out PLAIN)".into());
            }
            other => return Err(format!("the key file holds a {other}, not a private key")),
        };
        SealKey::from_pkcs8_der(&pkcs8, chain)
    }

    /// The key's PKCS#8 DER encoding, to be kept sealed.
    pub fn to_pkcs8_der(&self) -> Result<Vec<u8>, String> {
        use rsa::pkcs8::EncodePrivateKey as _;
        let document = match &self.key {
            SealSecret::P256(key) => key.to_pkcs8_der(),
            SealSecret::Rsa(key) => key.to_pkcs8_der(),
        };
        document.map(|document| document.as_bytes().to_vec()).map_err(|err| err.to_string())
    }

    /// The certificate chain, the sealing certificate first.
    pub fn chain(&self) -> &[SealCertificate] {
        &self.chain
    }

    /// The JWS algorithm the key seals with.
    pub fn algorithm(&self) -> &'static str {
        match self.key {
            SealSecret::P256(_) => "ES256",
            SealSecret::Rsa(_) => "RS256",
        }
    }

    /// A self-signed test seal for `organisation`, whose eIDAS organisation identifier is
    /// `identifier` (`VATES-A00000000`) and whose address, when given, is `uri` (a subject
    /// alternative name): the key made from `seed`, the certificate valid from `not_before` to
    /// `not_after`, its common name saying "TEST SEAL" so that no one takes it for a real one.
    pub fn test_seal(
        seed: [u8; 32],
        organisation: &str,
        identifier: &str,
        uri: Option<&str>,
        (not_before, not_after): (Timestamp, Timestamp),
    ) -> Result<SealKey, String> {
        let key = p256::ecdsa::SigningKey::from_bytes(&seed.into()).map_err(|err| err.to_string())?;
        let subject = name(&format!("{organisation} (TEST SEAL)"), organisation, Some(identifier))?;
        let profile = x509_cert::builder::Profile::Leaf {
            issuer: subject.clone(),
            enable_key_agreement: false,
            enable_key_encipherment: false,
        };
        let uris = uri.map(|uri| vec![uri]).unwrap_or_default();
        let certificate = issue(profile, subject, key.verifying_key(), &uris, &key, (not_before, not_after))?;
        SealKey::new(key, vec![certificate])
    }

    /// The sealing certificate.
    pub fn certificate(&self) -> &SealCertificate {
        &self.chain[0]
    }

    /// The chain as a JOSE header's `x5c` gives it: each certificate's DER in base64.
    pub fn x5c(&self) -> Vec<String> {
        let standard = base64::engine::general_purpose::STANDARD;
        self.chain.iter().map(|certificate| standard.encode(&certificate.der)).collect()
    }

    /// A JWS signature of `input` with the key, as [`SealKey::algorithm`] names it: ES256's
    /// 64 bytes (`r` then `s`), or RS256's PKCS#1 v1.5 signature.
    pub fn sign_jws(&self, input: &[u8]) -> Vec<u8> {
        use rsa::signature::Signer as _;
        match &self.key {
            SealSecret::P256(secret) => {
                let signature: p256::ecdsa::Signature = secret.sign(input);
                signature.to_bytes().to_vec()
            }
            SealSecret::Rsa(secret) => {
                let signer = rsa::pkcs1v15::SigningKey::<Sha256>::new((**secret).clone());
                rsa::signature::SignatureEncoding::to_vec(&signer.sign(input))
            }
        }
    }
}

/// An X.500 name of a common name, an organization and, when given, an eIDAS organization
/// identifier.
pub(crate) fn name(
    common: &str,
    organisation: &str,
    identifier: Option<&str>,
) -> Result<x509_cert::name::Name, String> {
    use der::asn1::{SetOfVec, Utf8StringRef};
    use x509_cert::attr::AttributeTypeAndValue;
    let mut rdns = Vec::new();
    let mut attributes = vec![(const_oid::db::rfc4519::CN, common), (const_oid::db::rfc4519::O, organisation)];
    attributes.extend(identifier.map(|identifier| (ORGANIZATION_IDENTIFIER, identifier)));
    for (oid, value) in attributes {
        let value = der::Any::encode_from(&Utf8StringRef::new(value).map_err(|err| err.to_string())?)
            .map_err(|err| err.to_string())?;
        let set = SetOfVec::try_from(vec![AttributeTypeAndValue { oid, value }]).map_err(|err| err.to_string())?;
        rdns.push(x509_cert::name::RelativeDistinguishedName::from(set));
    }
    Ok(x509_cert::name::RdnSequence::from(rdns))
}

/// Issues a certificate for `subject_key` with `profile` and the subject alternative names
/// `uris`, signed with `signer`, valid over `validity`.
fn issue(
    profile: x509_cert::builder::Profile,
    subject: x509_cert::name::Name,
    subject_key: &p256::ecdsa::VerifyingKey,
    uris: &[&str],
    signer: &p256::ecdsa::SigningKey,
    (not_before, not_after): (Timestamp, Timestamp),
) -> Result<SealCertificate, String> {
    use x509_cert::builder::Builder as _;
    let time = |time: Timestamp| {
        let seconds = u64::try_from(time.unix_seconds()).map_err(|_| "a certificate cannot start before 1970")?;
        der::asn1::GeneralizedTime::from_unix_duration(std::time::Duration::from_secs(seconds))
            .map(x509_cert::time::Time::GeneralTime)
            .map_err(|err| err.to_string())
    };
    let validity = x509_cert::time::Validity { not_before: time(not_before)?, not_after: time(not_after)? };
    let spki = spki::SubjectPublicKeyInfoOwned::from_key(*subject_key).map_err(|err| err.to_string())?;
    let serial = x509_cert::serial_number::SerialNumber::from(
        u32::try_from(not_before.unix_seconds() & 0x7fff_ffff).unwrap_or(1),
    );
    let mut builder = x509_cert::builder::CertificateBuilder::new(profile, serial, validity, subject, spki, signer)
        .map_err(|err| err.to_string())?;
    if !uris.is_empty() {
        let names = uris
            .iter()
            .map(|uri| der::asn1::Ia5String::new(uri).map(GeneralName::UniformResourceIdentifier))
            .collect::<Result<Vec<_>, _>>()
            .map_err(|err| format!("a certificate's URI is not ASCII: {err}"))?;
        builder.add_extension(&SubjectAltName(names)).map_err(|err| err.to_string())?;
    }
    let certificate = builder.build::<p256::ecdsa::DerSignature>().map_err(|err| err.to_string())?;
    SealCertificate::from_der(&der::Encode::to_der(&certificate).map_err(|err| err.to_string())?)
}

/// Seals `payload` (a credential's JSON text, sealed as it is) with `key` at `signing_time`:
/// a JAdES baseline signature in the JSON general serialization, ES256 or RS256 as the key is, with the certificate
/// chain in `x5c`, its thumbprint, its issuer and serial number (`kid`) and the signing time.
pub fn seal(payload: &str, key: &SealKey, signing_time: Timestamp) -> Result<Map<String, Value>, String> {
    let engine = base64::engine::general_purpose::URL_SAFE_NO_PAD;
    let standard = base64::engine::general_purpose::STANDARD;
    let leaf = key.certificate();
    let tbs = Certificate::from_der(&leaf.der).map_err(|err| err.to_string())?.tbs_certificate;
    let kid = IssuerSerial {
        issuer: vec![x509_cert::ext::pkix::name::GeneralName::DirectoryName(tbs.issuer)],
        serial: tbs.serial_number,
    };
    let kid = der::Encode::to_der(&kid).map_err(|err| err.to_string())?;
    let header = serde_json::json!({
        "alg": key.algorithm(),
        "typ": "jose+json",
        "kid": standard.encode(kid),
        "x5t#S256": engine.encode(Sha256::digest(&leaf.der)),
        "x5c": key.x5c(),
        "b64": false,
        "sigT": signing_time.to_rfc3339(),
        "crit": ["b64", "sigT"],
    });
    let protected = engine.encode(header.to_string());
    let input = format!("{protected}.{payload}");
    let signature = key.sign_jws(input.as_bytes());
    let sealed = serde_json::json!({
        "payload": payload,
        "signatures": [{"protected": protected, "signature": engine.encode(signature)}],
    });
    match sealed {
        Value::Object(sealed) => Ok(sealed),
        _ => unreachable!("a JSON object literal"),
    }
}

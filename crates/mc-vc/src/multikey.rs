//! Multikey encodings of public and secret keys (W3C Controlled Identifiers 1.0, §2.2.2):
//! a multicodec header, the raw key, base58btc, and the multibase prefix `z`.

use std::{
    collections::HashMap,
    fmt,
    sync::{Mutex, OnceLock},
};

use crate::error::KeyError;

/// Multicodec headers (unsigned varints) of the key types we read and write.
const ED25519_PUB: [u8; 2] = [0xed, 0x01];
const ED25519_PRIV: [u8; 2] = [0x80, 0x26];
const P256_PUB: [u8; 2] = [0x80, 0x24];
const P256_PRIV: [u8; 2] = [0x86, 0x26];
const P384_PUB: [u8; 2] = [0x81, 0x24];
const P384_PRIV: [u8; 2] = [0x87, 0x26];

/// The kinds of key microcred signs and verifies with.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum KeyType {
    /// Ed25519 (EdDSA over Curve25519).
    Ed25519,
    /// ECDSA over NIST P-256.
    P256,
    /// ECDSA over NIST P-384.
    P384,
    /// RSA, for verifying RS256 JWTs only.
    Rsa,
}

impl fmt::Display for KeyType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            KeyType::Ed25519 => "Ed25519",
            KeyType::P256 => "P-256",
            KeyType::P384 => "P-384",
            KeyType::Rsa => "RSA",
        })
    }
}

/// A public key that verifies signatures.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PublicKey {
    /// An Ed25519 key.
    Ed25519(ed25519_dalek::VerifyingKey),
    /// A P-256 key.
    P256(p256::ecdsa::VerifyingKey),
    /// A P-384 key.
    P384(p384::ecdsa::VerifyingKey),
    /// An RSA key (from a JWK; RSA has no Multikey form here).
    Rsa(Box<rsa::RsaPublicKey>),
}

impl PublicKey {
    /// Reads a public JSON Web Key (RFC 7517): OKP Ed25519, EC P-256 or P-384, or RSA. A key
    /// with private parts (`d`) is refused: it should never have been published.
    pub fn from_jwk(jwk: &serde_json::Map<String, serde_json::Value>) -> Result<PublicKey, KeyError> {
        use base64::Engine as _;
        let part = |name: &'static str| -> Result<Vec<u8>, KeyError> {
            let value = jwk
                .get(name)
                .and_then(serde_json::Value::as_str)
                .ok_or(KeyError::Malformed("a JWK member is missing"))?;
            base64::engine::general_purpose::URL_SAFE_NO_PAD
                .decode(value)
                .map_err(|_| KeyError::Malformed("a JWK member is not base64url"))
        };
        if jwk.contains_key("d") {
            return Err(KeyError::Malformed("the JWK holds a private key"));
        }
        let kty = jwk.get("kty").and_then(serde_json::Value::as_str);
        let crv = jwk.get("crv").and_then(serde_json::Value::as_str);
        match (kty, crv) {
            (Some("OKP"), Some("Ed25519")) => {
                let x: [u8; 32] = part("x")?.try_into().map_err(|_| KeyError::Invalid(KeyType::Ed25519))?;
                let key =
                    ed25519_dalek::VerifyingKey::from_bytes(&x).map_err(|_| KeyError::Invalid(KeyType::Ed25519))?;
                Ok(PublicKey::Ed25519(key))
            }
            (Some("EC"), Some("P-256")) => {
                let point = [vec![0x04], part("x")?, part("y")?].concat();
                p256::ecdsa::VerifyingKey::from_sec1_bytes(&point)
                    .map(PublicKey::P256)
                    .map_err(|_| KeyError::Invalid(KeyType::P256))
            }
            (Some("EC"), Some("P-384")) => {
                let point = [vec![0x04], part("x")?, part("y")?].concat();
                p384::ecdsa::VerifyingKey::from_sec1_bytes(&point)
                    .map(PublicKey::P384)
                    .map_err(|_| KeyError::Invalid(KeyType::P384))
            }
            (Some("RSA"), _) => {
                let n = rsa::BigUint::from_bytes_be(&part("n")?);
                let e = rsa::BigUint::from_bytes_be(&part("e")?);
                let key = rsa::RsaPublicKey::new(n, e).map_err(|_| KeyError::Invalid(KeyType::Rsa))?;
                if rsa::traits::PublicKeyParts::size(&key) < 256 {
                    return Err(KeyError::Malformed("RSA keys shorter than 2048 bits are refused"));
                }
                Ok(PublicKey::Rsa(Box::new(key)))
            }
            _ => Err(KeyError::Malformed("unsupported JWK: use OKP Ed25519, EC P-256 or P-384, or RSA")),
        }
    }

    /// The key as a public JSON Web Key (its public members only).
    pub fn to_jwk(&self) -> serde_json::Value {
        use base64::Engine as _;
        let b64 = |bytes: &[u8]| base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(bytes);
        match self {
            PublicKey::Ed25519(key) => serde_json::json!({"kty": "OKP", "crv": "Ed25519", "x": b64(key.as_bytes())}),
            PublicKey::P256(key) => {
                let point = key.to_encoded_point(false);
                let (x, y) = (point.x().expect("uncompressed"), point.y().expect("uncompressed"));
                serde_json::json!({"kty": "EC", "crv": "P-256", "x": b64(x), "y": b64(y)})
            }
            PublicKey::P384(key) => {
                let point = key.to_encoded_point(false);
                let (x, y) = (point.x().expect("uncompressed"), point.y().expect("uncompressed"));
                serde_json::json!({"kty": "EC", "crv": "P-384", "x": b64(x), "y": b64(y)})
            }
            PublicKey::Rsa(key) => {
                use rsa::traits::PublicKeyParts as _;
                serde_json::json!({"kty": "RSA", "n": b64(&key.n().to_bytes_be()), "e": b64(&key.e().to_bytes_be())})
            }
        }
    }

    /// Decodes a `publicKeyMultibase` value. Keys decoded before come from a small cache: a
    /// verifier meets the same issuers' keys again and again, and decoding an Ed25519 point
    /// costs a sixth of verifying a signature with it.
    pub fn from_multibase(multibase: &str) -> Result<PublicKey, KeyError> {
        /// The most decoded keys kept; past it the cache starts again.
        const MAX_DECODED: usize = 1024;
        static DECODED: OnceLock<Mutex<HashMap<String, PublicKey>>> = OnceLock::new();
        let decoded = DECODED.get_or_init(Mutex::default);
        if let Some(key) = decoded.lock().expect("the key cache is never poisoned").get(multibase) {
            return Ok(key.clone());
        }
        let key = PublicKey::decode_multibase(multibase)?;
        let mut decoded = decoded.lock().expect("the key cache is never poisoned");
        if decoded.len() >= MAX_DECODED {
            decoded.clear();
        }
        decoded.insert(multibase.to_owned(), key.clone());
        Ok(key)
    }

    fn decode_multibase(multibase: &str) -> Result<PublicKey, KeyError> {
        let bytes = decode_base58btc(multibase)?;
        let (header, key) = bytes.split_at_checked(2).ok_or(KeyError::Malformed("too short to be a Multikey"))?;
        let header: [u8; 2] = header.try_into().expect("split at 2");
        match header {
            ED25519_PUB => {
                let key: [u8; 32] =
                    key.try_into().map_err(|_| KeyError::Length { key_type: KeyType::Ed25519, len: key.len() })?;
                let key =
                    ed25519_dalek::VerifyingKey::from_bytes(&key).map_err(|_| KeyError::Invalid(KeyType::Ed25519))?;
                if key.is_weak() {
                    return Err(KeyError::Invalid(KeyType::Ed25519));
                }
                Ok(PublicKey::Ed25519(key))
            }
            P256_PUB => p256::ecdsa::VerifyingKey::from_sec1_bytes(key)
                .map(PublicKey::P256)
                .map_err(|_| KeyError::Invalid(KeyType::P256)),
            P384_PUB => p384::ecdsa::VerifyingKey::from_sec1_bytes(key)
                .map(PublicKey::P384)
                .map_err(|_| KeyError::Invalid(KeyType::P384)),
            _ => Err(KeyError::UnsupportedCodec(header)),
        }
    }

    /// The `publicKeyMultibase` form (`z6Mk…` for Ed25519, `zDn…` for P-256, `z82…` for P-384).
    pub fn to_multibase(&self) -> String {
        match self {
            PublicKey::Ed25519(key) => encode_base58btc(&ED25519_PUB, key.as_bytes()),
            PublicKey::P256(key) => encode_base58btc(&P256_PUB, key.to_encoded_point(true).as_bytes()),
            PublicKey::P384(key) => encode_base58btc(&P384_PUB, key.to_encoded_point(true).as_bytes()),
            PublicKey::Rsa(_) => "(an RSA key has no Multikey form)".to_owned(),
        }
    }

    /// The key type.
    pub fn key_type(&self) -> KeyType {
        match self {
            PublicKey::Ed25519(_) => KeyType::Ed25519,
            PublicKey::P256(_) => KeyType::P256,
            PublicKey::P384(_) => KeyType::P384,
            PublicKey::Rsa(_) => KeyType::Rsa,
        }
    }
}

/// A secret key that signs. Its `Debug` form hides the key.
#[derive(Clone)]
pub enum SecretKey {
    /// An Ed25519 key.
    Ed25519(ed25519_dalek::SigningKey),
    /// A P-256 key.
    P256(p256::ecdsa::SigningKey),
}

impl fmt::Debug for SecretKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "SecretKey({}, public {})", self.key_type(), self.public_key().to_multibase())
    }
}

impl SecretKey {
    /// Makes a key of `key_type` from 32 bytes of good randomness (the caller draws them).
    pub fn from_seed(key_type: KeyType, seed: [u8; 32]) -> Result<SecretKey, KeyError> {
        match key_type {
            KeyType::Ed25519 => Ok(SecretKey::Ed25519(ed25519_dalek::SigningKey::from_bytes(&seed))),
            KeyType::P256 => p256::ecdsa::SigningKey::from_bytes(&seed.into())
                .map(SecretKey::P256)
                .map_err(|_| KeyError::Invalid(KeyType::P256)),
            KeyType::P384 | KeyType::Rsa => Err(KeyError::Malformed("P-384 and RSA keys are for verification only")),
        }
    }

    /// Decodes a `secretKeyMultibase` value. For Ed25519 the 64-byte form (seed and public
    /// key) that older tools write is accepted too, when its halves agree.
    pub fn from_multibase(multibase: &str) -> Result<SecretKey, KeyError> {
        let bytes = decode_base58btc(multibase)?;
        let (header, key) = bytes.split_at_checked(2).ok_or(KeyError::Malformed("too short to be a Multikey"))?;
        let header: [u8; 2] = header.try_into().expect("split at 2");
        match header {
            ED25519_PRIV => {
                let seed: [u8; 32] = key
                    .get(..32)
                    .and_then(|seed| seed.try_into().ok())
                    .ok_or(KeyError::Length { key_type: KeyType::Ed25519, len: key.len() })?;
                let secret = ed25519_dalek::SigningKey::from_bytes(&seed);
                match key.len() {
                    32 => Ok(SecretKey::Ed25519(secret)),
                    64 if key[32..] == secret.verifying_key().as_bytes()[..] => Ok(SecretKey::Ed25519(secret)),
                    len => Err(KeyError::Length { key_type: KeyType::Ed25519, len }),
                }
            }
            P256_PRIV => p256::ecdsa::SigningKey::from_slice(key)
                .map(SecretKey::P256)
                .map_err(|_| KeyError::Invalid(KeyType::P256)),
            P384_PRIV => Err(KeyError::Malformed("P-384 keys are for verification only")),
            _ => Err(KeyError::UnsupportedCodec(header)),
        }
    }

    /// The `secretKeyMultibase` form.
    pub fn to_multibase(&self) -> String {
        match self {
            SecretKey::Ed25519(key) => encode_base58btc(&ED25519_PRIV, key.as_bytes()),
            SecretKey::P256(key) => encode_base58btc(&P256_PRIV, &key.to_bytes()),
        }
    }

    /// A raw signature of `data`: Ed25519 (64 bytes) or deterministic ECDSA P-256 over SHA-256
    /// (64 bytes, r‖s).
    pub fn sign(&self, data: &[u8]) -> Vec<u8> {
        match self {
            SecretKey::Ed25519(key) => ed25519_dalek::Signer::sign(key, data).to_bytes().to_vec(),
            SecretKey::P256(key) => {
                let signature: p256::ecdsa::Signature = p256::ecdsa::signature::Signer::sign(key, data);
                signature.to_bytes().to_vec()
            }
        }
    }

    /// The matching public key.
    pub fn public_key(&self) -> PublicKey {
        match self {
            SecretKey::Ed25519(key) => PublicKey::Ed25519(key.verifying_key()),
            SecretKey::P256(key) => PublicKey::P256(*key.verifying_key()),
        }
    }

    /// The key type.
    pub fn key_type(&self) -> KeyType {
        match self {
            SecretKey::Ed25519(_) => KeyType::Ed25519,
            SecretKey::P256(_) => KeyType::P256,
        }
    }
}

fn decode_base58btc(multibase: &str) -> Result<Vec<u8>, KeyError> {
    let encoded =
        multibase.strip_prefix('z').ok_or(KeyError::Malformed("a Multikey is base58btc: it starts with 'z'"))?;
    decode_base58(encoded).map_err(|_| KeyError::Malformed("not valid base58btc"))
}

/// The most base58 characters decoded: more than any key or signature takes (a 4096-bit RSA
/// key takes about 740). Decoding costs the square of the length, so a megabyte of text would
/// hold a verifier for minutes.
const MAX_BASE58_CHARS: usize = 2_048;

/// Decodes base58 text in the Bitcoin alphabet, which base58btc uses. Five digits at a time
/// multiply the number so far, held in 32-bit limbs, by 58⁵ and add their value: a fifth of the
/// passes over the number that one digit at a time takes. `Err` says what is wrong and where.
pub(crate) fn decode_base58(text: &str) -> Result<Vec<u8>, String> {
    const ALPHABET: &[u8; 58] = b"123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz";
    const NOT_A_DIGIT: u8 = u8::MAX;
    const DIGITS: [u8; 256] = {
        let mut digits = [NOT_A_DIGIT; 256];
        let mut digit = 0;
        while digit < ALPHABET.len() {
            digits[ALPHABET[digit] as usize] = digit as u8;
            digit += 1;
        }
        digits
    };
    if text.len() > MAX_BASE58_CHARS {
        return Err(format!("{} characters of base58; at most {MAX_BASE58_CHARS} are read", text.len()));
    }
    let bytes = text.as_bytes();
    // Each leading '1' is a leading zero byte.
    let zeros = bytes.iter().take_while(|&&byte| byte == b'1').count();
    let mut limbs: Vec<u32> = Vec::with_capacity(bytes.len() / 5 + 1); // the least significant first
    for (group_idx, group) in bytes[zeros..].chunks(5).enumerate() {
        let (mut value, mut scale) = (0u64, 1u64);
        for (idx, &byte) in group.iter().enumerate() {
            let digit = DIGITS[usize::from(byte)];
            if digit == NOT_A_DIGIT {
                // Every byte before it is an ASCII digit, so it starts a character.
                let at = zeros + group_idx * 5 + idx;
                let character = text[at..].chars().next().expect("a character starts there");
                return Err(format!("{character:?} at byte {at} is not a base58 digit"));
            }
            value = value * 58 + u64::from(digit);
            scale *= 58;
        }
        // A limb times at most 58⁵ (below 2³⁰) plus a carry stays below 2⁶³.
        let mut carry = value;
        for limb in &mut limbs {
            let product = u64::from(*limb) * scale + carry;
            *limb = product as u32;
            carry = product >> 32;
        }
        while carry > 0 {
            limbs.push(carry as u32);
            carry >>= 32;
        }
    }
    let mut decoded = vec![0; zeros];
    decoded.extend(limbs.iter().rev().flat_map(|limb| limb.to_be_bytes()).skip_while(|&byte| byte == 0));
    Ok(decoded)
}

fn encode_base58btc(header: &[u8], key: &[u8]) -> String {
    let mut bytes = Vec::with_capacity(header.len() + key.len());
    bytes.extend_from_slice(header);
    bytes.extend_from_slice(key);
    format!("z{}", bs58::encode(bytes).into_string())
}

/// A key file in the Multikey form of the W3C test vectors: `publicKeyMultibase` and
/// `secretKeyMultibase` (or the older `privateKeyMultibase`), optionally with `id` and
/// `controller`.
pub fn secret_key_from_file(text: &str) -> Result<SecretKey, KeyError> {
    let document: serde_json::Value =
        serde_json::from_str(text).map_err(|_| KeyError::Malformed("a key file is a JSON object"))?;
    let secret = document
        .get("secretKeyMultibase")
        .or_else(|| document.get("privateKeyMultibase"))
        .and_then(serde_json::Value::as_str)
        .ok_or(KeyError::Malformed("the key file has no secretKeyMultibase"))?;
    let key = SecretKey::from_multibase(secret)?;
    match document.get("publicKeyMultibase").and_then(serde_json::Value::as_str) {
        Some(public) if public != key.public_key().to_multibase() => {
            Err(KeyError::Malformed("publicKeyMultibase does not match secretKeyMultibase"))
        }
        _ => Ok(key),
    }
}

/// The key file for `key`, with its `did:key` identifiers.
pub fn key_file(key: &SecretKey) -> serde_json::Value {
    let public = key.public_key().to_multibase();
    serde_json::json!({
        "type": "Multikey",
        "id": format!("did:key:{public}#{public}"),
        "controller": format!("did:key:{public}"),
        "publicKeyMultibase": public,
        "secretKeyMultibase": key.to_multibase(),
    })
}

#[cfg(test)]
mod tests {
    use super::{MAX_BASE58_CHARS, decode_base58};

    /// Byte strings of every length up to 100, some with leading zeros, encoded by the bs58
    /// crate, decode to themselves.
    #[test]
    fn base58_decodes_what_an_independent_encoder_wrote() {
        let mut state = 0x9e37_79b9_7f4a_7c15_u64;
        let mut next = || {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            state
        };
        for len in 0..=100 {
            for zeros in [0, 1, 3] {
                let mut bytes: Vec<u8> = (0..len).map(|_| next() as u8).collect();
                bytes[..zeros.min(len)].fill(0);
                let encoded = bs58::encode(&bytes).into_string();
                assert_eq!(decode_base58(&encoded), Ok(bytes), "{encoded}");
            }
        }
        let alphabet = "123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz";
        assert_eq!(decode_base58(alphabet), Ok(bs58::decode(alphabet).into_vec().unwrap()));
        assert_eq!(
            decode_base58("zzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzz"),
            Ok(bs58::decode("z".repeat(34)).into_vec().unwrap())
        );
    }

    #[test]
    fn base58_names_what_is_not_a_digit_and_where() {
        for (text, message) in [
            ("0", "'0' at byte 0 is not a base58 digit"),
            ("11O", "'O' at byte 2 is not a base58 digit"),
            ("abcdefgI", "'I' at byte 7 is not a base58 digit"),
            ("abcl", "'l' at byte 3 is not a base58 digit"),
            ("ab+c", "'+' at byte 2 is not a base58 digit"),
            ("abé", "'é' at byte 2 is not a base58 digit"),
        ] {
            assert_eq!(decode_base58(text), Err(message.to_owned()), "{text}");
            assert!(bs58::decode(text).into_vec().is_err(), "{text}");
        }
    }

    /// Decoding costs the square of the length: text longer than any key or signature is
    /// refused before it is read.
    #[test]
    fn base58_longer_than_any_key_is_refused() {
        assert!(decode_base58(&"z".repeat(MAX_BASE58_CHARS)).is_ok());
        assert_eq!(
            decode_base58(&"z".repeat(1_000_000)),
            Err(format!("1000000 characters of base58; at most {MAX_BASE58_CHARS} are read"))
        );
    }
}

//! Token Status Lists (IETF OAuth Status List): the status of JWT-secured credentials, such as
//! an SD-JWT VC's `status.status_list`, as an array of 2-bit values, compressed with zlib and
//! published in a signed `statuslist+jwt`.
//!
//! Index 0 is the least significant bits of the first byte (the opposite of a Bitstring Status
//! List, whose index 0 is the most significant bit).

use std::io::Write as _;

use base64::Engine as _;
use mc_core::Timestamp;
use serde_json::{Map, Value, json};

use crate::status::{MAX_LIST_BYTES, StatusListError};

/// The status of a credential that is valid.
pub const VALID: u8 = 0x00;
/// The status of a credential revoked for good.
pub const INVALID: u8 = 0x01;
/// The status of a suspended credential.
pub const SUSPENDED: u8 = 0x02;

/// The media type a Token Status List is served and asked for as.
pub const MEDIA_TYPE: &str = "application/statuslist+jwt";

/// The `typ` of a Token Status List's JWT.
pub const JWT_TYPE: &str = "statuslist+jwt";

/// A list of statuses, `bits` bits each (1, 2, 4 or 8).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TokenStatusList {
    bits: u8,
    bytes: Vec<u8>,
}

impl TokenStatusList {
    /// A list of `size` valid statuses of `bits` bits each. `bits` must be 1, 2, 4 or 8.
    pub fn new(bits: u8, size: u64) -> TokenStatusList {
        assert!(matches!(bits, 1 | 2 | 4 | 8), "a Token Status List holds 1, 2, 4 or 8 bits per status");
        let per_byte = u64::from(8 / bits);
        TokenStatusList { bits, bytes: vec![0; size.div_ceil(per_byte) as usize] }
    }

    /// The bits per status.
    pub fn bits(&self) -> u8 {
        self.bits
    }

    /// How many statuses the list holds.
    pub fn len(&self) -> u64 {
        self.bytes.len() as u64 * u64::from(8 / self.bits)
    }

    /// Whether it holds none.
    pub fn is_empty(&self) -> bool {
        self.bytes.is_empty()
    }

    fn place(&self, index: u64) -> Option<(usize, u32, u8)> {
        let per_byte = u64::from(8 / self.bits);
        let byte = usize::try_from(index / per_byte).ok().filter(|byte| *byte < self.bytes.len())?;
        let shift = (index % per_byte) as u32 * u32::from(self.bits);
        let mask = if self.bits == 8 { 0xff } else { (1u8 << self.bits) - 1 };
        Some((byte, shift, mask))
    }

    /// Sets the status at `index` (ignored past the end; `status` is cut to the list's bits).
    pub fn set(&mut self, index: u64, status: u8) {
        if let Some((byte, shift, mask)) = self.place(index) {
            self.bytes[byte] = (self.bytes[byte] & !(mask << shift)) | ((status & mask) << shift);
        }
    }

    /// The status at `index`.
    pub fn get(&self, index: u64) -> Result<u8, StatusListError> {
        let (byte, shift, mask) = self.place(index).ok_or(StatusListError::OutOfRange { index, size: self.len() })?;
        Ok((self.bytes[byte] >> shift) & mask)
    }

    /// The `status_list` claim: `bits` and `lst`, the bytes compressed with zlib, base64url.
    pub fn to_claim(&self) -> Value {
        let mut encoder = flate2::write::ZlibEncoder::new(Vec::new(), flate2::Compression::best());
        encoder.write_all(&self.bytes).expect("writing to memory");
        let compressed = encoder.finish().expect("writing to memory");
        json!({"bits": self.bits, "lst": base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(compressed)})
    }

    /// Reads a `status_list` claim, refusing one that expands past [`MAX_LIST_BYTES`].
    pub fn from_claim(claim: &Value) -> Result<TokenStatusList, StatusListError> {
        let bits = match claim.get("bits").and_then(Value::as_u64) {
            Some(bits @ (1 | 2 | 4 | 8)) => bits as u8,
            _ => return Err(StatusListError::Malformed("its bits must be 1, 2, 4 or 8".into())),
        };
        let lst = claim
            .get("lst")
            .and_then(Value::as_str)
            .ok_or_else(|| StatusListError::Malformed("it has no lst".into()))?;
        let compressed = base64::engine::general_purpose::URL_SAFE_NO_PAD
            .decode(lst)
            .map_err(|_| StatusListError::Malformed("its lst is not base64url".into()))?;
        let bytes = inflate(&compressed)?;
        Ok(TokenStatusList { bits, bytes })
    }

    /// The claims of the list's token published at `uri`: `sub` (the address), `iss` (the
    /// issuer of the credentials it holds), `iat`, `exp` (a day later), `ttl` (how long a copy
    /// may be kept, in seconds) and `status_list`.
    pub fn token_claims(&self, uri: &str, issuer: &str, now: Timestamp, ttl: u64) -> Map<String, Value> {
        let iat = now.unix_seconds();
        let mut claims = Map::new();
        claims.insert("sub".into(), uri.into());
        claims.insert("iss".into(), issuer.into());
        claims.insert("iat".into(), iat.into());
        claims.insert("exp".into(), (iat + 24 * 3600).into());
        claims.insert("ttl".into(), ttl.into());
        claims.insert("status_list".into(), self.to_claim());
        claims
    }
}

/// The bytes of a whole zlib stream (its checksum verified, nothing after it), refusing one
/// that expands past [`MAX_LIST_BYTES`] or ends early.
fn inflate(compressed: &[u8]) -> Result<Vec<u8>, StatusListError> {
    let malformed = |why: &str| StatusListError::Malformed(format!("its lst is not a whole zlib stream: {why}"));
    let mut decoder = flate2::Decompress::new(true);
    let mut bytes = Vec::new();
    loop {
        if bytes.len() == bytes.capacity() {
            bytes.reserve(64 * 1024);
        }
        let (consumed, produced) = (decoder.total_in() as usize, bytes.len());
        let status = decoder
            .decompress_vec(&compressed[consumed..], &mut bytes, flate2::FlushDecompress::None)
            .map_err(|err| malformed(&err.to_string()))?;
        if bytes.len() > MAX_LIST_BYTES {
            return Err(StatusListError::TooLarge);
        }
        match status {
            flate2::Status::StreamEnd => break,
            // Room to write and nothing read or written: the input ran out before the stream did.
            _ if decoder.total_in() as usize == consumed && bytes.len() == produced => {
                return Err(malformed("it ends early"));
            }
            _ => {}
        }
    }
    match decoder.total_in() as usize == compressed.len() {
        true => Ok(bytes),
        false => Err(malformed("bytes follow it")),
    }
}

/// Signs a Token Status List's token: `claims` (from [`TokenStatusList::token_claims`]) under a
/// header naming the key as `signed_by` says, with `sign`.
pub fn sign_token<E>(
    claims: &Map<String, Value>,
    signed_by: &crate::SignedBy<'_>,
    sign: impl FnOnce(&[u8]) -> Result<Vec<u8>, E>,
) -> Result<String, E> {
    crate::jwt::compact(&signed_by.header(JWT_TYPE), claims, sign)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn statuses_sit_in_the_least_significant_bits_first() {
        // The example of the Token Status List draft, §4.1: bits 1 and bits 2.
        let mut one = TokenStatusList::new(1, 16);
        for (index, status) in [1, 0, 0, 1, 1, 1, 0, 1, 1, 1, 0, 0, 0, 1, 0, 1].into_iter().enumerate() {
            one.set(index as u64, status);
        }
        assert_eq!(one.bytes, [0xb9, 0xa3]);
        let mut two = TokenStatusList::new(2, 12);
        for (index, status) in [1, 2, 0, 3, 0, 1, 0, 1, 1, 2, 3, 3].into_iter().enumerate() {
            two.set(index as u64, status);
        }
        assert_eq!(two.bytes, [0xc9, 0x44, 0xf9]);
        let read = TokenStatusList::from_claim(&two.to_claim()).unwrap();
        assert_eq!(
            (0..12).map(|index| read.get(index).unwrap()).collect::<Vec<_>>(),
            [1, 2, 0, 3, 0, 1, 0, 1, 1, 2, 3, 3]
        );
        assert!(read.get(12).is_err());
    }

    #[test]
    fn a_list_that_expands_too_far_is_refused() {
        let mut encoder = flate2::write::ZlibEncoder::new(Vec::new(), flate2::Compression::best());
        encoder.write_all(&vec![0u8; MAX_LIST_BYTES + 1]).unwrap();
        let lst = base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(encoder.finish().unwrap());
        let refused = TokenStatusList::from_claim(&json!({"bits": 2, "lst": lst}));
        assert!(matches!(refused, Err(StatusListError::TooLarge)), "{refused:?}");
        assert!(TokenStatusList::from_claim(&json!({"bits": 3, "lst": ""})).is_err());
        assert!(TokenStatusList::from_claim(&json!({"bits": 1, "lst": "bm90IHpsaWI"})).is_err(), "not zlib");
        // A stream cut short, or followed by more bytes, is not a list.
        let whole = TokenStatusList::new(2, 4096).to_claim();
        let compressed =
            base64::engine::general_purpose::URL_SAFE_NO_PAD.decode(whole["lst"].as_str().unwrap()).unwrap();
        for bytes in [&compressed[..compressed.len() - 4], &[compressed.as_slice(), b"x"].concat()[..]] {
            let lst = base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(bytes);
            let refused = TokenStatusList::from_claim(&json!({"bits": 2, "lst": lst}));
            assert!(matches!(refused, Err(StatusListError::Malformed(_))), "{refused:?}");
        }
        assert_eq!(TokenStatusList::from_claim(&whole).unwrap().len(), 4096);
    }
}

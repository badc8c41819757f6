//! W3C Bitstring Status List v1.0: status entries in credentials, and the lists themselves.

use serde_json::{Value, json};

/// What a status list says about a credential.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum StatusPurpose {
    /// Revoked for good.
    Revocation,
    /// Suspended until lifted.
    Suspension,
}

impl StatusPurpose {
    /// The purpose's name in a credential.
    pub fn as_str(self) -> &'static str {
        match self {
            StatusPurpose::Revocation => "revocation",
            StatusPurpose::Suspension => "suspension",
        }
    }

    /// The purpose with this name.
    pub fn parse(name: &str) -> Option<StatusPurpose> {
        match name {
            "revocation" => Some(StatusPurpose::Revocation),
            "suspension" => Some(StatusPurpose::Suspension),
            _ => None,
        }
    }
}

/// The entries a status list has at least (16 KiB of bits), so that one credential hides among
/// many (Bitstring Status List §6.1, herd privacy).
pub const MIN_LIST_SIZE: u64 = 131_072;

/// A credential's place in a status list.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StatusEntry {
    /// The URL of the status list credential.
    pub list_url: String,
    /// The credential's index in the list.
    pub index: u64,
    /// What the list records.
    pub purpose: StatusPurpose,
}

impl StatusEntry {
    /// The `credentialStatus` entry (a `BitstringStatusListEntry`).
    pub fn to_json(&self) -> Value {
        json!({
            "id": format!("{}#{}", self.list_url, self.index),
            "type": "BitstringStatusListEntry",
            "statusPurpose": self.purpose.as_str(),
            "statusListIndex": self.index.to_string(),
            "statusListCredential": self.list_url,
        })
    }
}

/// The most bytes a status list may expand to (a list of 16 million entries); a larger one is
/// refused rather than decompressed (a "zip bomb").
pub const MAX_LIST_BYTES: usize = 2 * 1024 * 1024;

/// Why a status list cannot be read.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum StatusListError {
    /// `encodedList` is not multibase base64url of GZIP data.
    #[error("the status list's encodedList is malformed: {0}")]
    Malformed(String),
    /// The list expands past [`MAX_LIST_BYTES`].
    #[error("the status list expands to more than {MAX_LIST_BYTES} bytes")]
    TooLarge,
    /// The list is shorter than the 131,072 entries the specification requires.
    #[error("the status list has {0} entries; at least {MIN_LIST_SIZE} are required")]
    TooShort(u64),
    /// The index is past the end of the list.
    #[error("index {index} is outside the status list of {size} entries")]
    OutOfRange {
        /// The index asked for.
        index: u64,
        /// The list's size.
        size: u64,
    },
}

/// A bitstring: index 0 is the most significant bit of the first byte.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Bitstring {
    bytes: Vec<u8>,
}

impl Bitstring {
    /// A bitstring of `size` zero bits (rounded up to whole bytes).
    pub fn new(size: u64) -> Bitstring {
        Bitstring { bytes: vec![0; size.div_ceil(8) as usize] }
    }

    /// The number of bits.
    pub fn len(&self) -> u64 {
        self.bytes.len() as u64 * 8
    }

    /// Whether there are no bits.
    pub fn is_empty(&self) -> bool {
        self.bytes.is_empty()
    }

    /// Sets bit `index`.
    pub fn set(&mut self, index: u64) {
        let byte = (index / 8) as usize;
        if let Some(byte) = self.bytes.get_mut(byte) {
            *byte |= 0x80 >> (index % 8);
        }
    }

    /// Bit `index`.
    pub fn get(&self, index: u64) -> Result<bool, StatusListError> {
        let size = self.len();
        let byte = self.bytes.get((index / 8) as usize).ok_or(StatusListError::OutOfRange { index, size })?;
        Ok(byte & (0x80 >> (index % 8)) != 0)
    }

    /// The `encodedList` form: GZIP, base64url without padding, multibase prefix `u`.
    pub fn encode(&self) -> String {
        use std::io::Write as _;
        let mut encoder = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::best());
        encoder.write_all(&self.bytes).expect("writing to memory");
        let compressed = encoder.finish().expect("writing to memory");
        format!("u{}", base64::Engine::encode(&base64::engine::general_purpose::URL_SAFE_NO_PAD, compressed))
    }

    /// Reads an `encodedList`, refusing lists that expand past [`MAX_LIST_BYTES`].
    pub fn decode(encoded: &str) -> Result<Bitstring, StatusListError> {
        use std::io::Read as _;
        let text = encoded
            .strip_prefix('u')
            .ok_or_else(|| StatusListError::Malformed("it must start with 'u' (base64url)".into()))?;
        let compressed =
            base64::Engine::decode(&base64::engine::general_purpose::URL_SAFE_NO_PAD, text.trim_end_matches('='))
                .map_err(|err| StatusListError::Malformed(err.to_string()))?;
        let mut bytes = Vec::new();
        flate2::read::GzDecoder::new(compressed.as_slice())
            .take(MAX_LIST_BYTES as u64 + 1)
            .read_to_end(&mut bytes)
            .map_err(|err| StatusListError::Malformed(err.to_string()))?;
        if bytes.len() > MAX_LIST_BYTES {
            return Err(StatusListError::TooLarge);
        }
        let list = Bitstring { bytes };
        match list.len() < MIN_LIST_SIZE {
            true => Err(StatusListError::TooShort(list.len())),
            false => Ok(list),
        }
    }
}

/// The unsigned status list credential for a list at `url`, issued by `issuer` at `valid_from`.
pub fn status_list_credential(
    url: &str,
    issuer: &str,
    purpose: StatusPurpose,
    list: &Bitstring,
    valid_from: &str,
) -> serde_json::Map<String, Value> {
    let credential = json!({
        "@context": [crate::contexts::CREDENTIALS_V2],
        "id": url,
        "type": ["VerifiableCredential", "BitstringStatusListCredential"],
        "issuer": issuer,
        "validFrom": valid_from,
        "credentialSubject": {
            "id": format!("{url}#list"),
            "type": "BitstringStatusList",
            "statusPurpose": purpose.as_str(),
            "encodedList": list.encode(),
        },
    });
    match credential {
        Value::Object(credential) => credential,
        _ => unreachable!("a JSON object literal"),
    }
}

/// Finds status list credentials by URL. Adapters read them from the local store, files, or
/// the network; tests plug in their own.
pub trait StatusResolver: Send + Sync {
    /// The status list credential at `url`.
    fn status_list(&self, url: &str) -> Result<serde_json::Map<String, Value>, crate::did::ResolveError>;

    /// The list at `url` as it was when it last verified (with
    /// [`crate::verify::check_status_list`]), when the resolver kept that: verifying the same
    /// list again would only repeat the work.
    fn checked_list(&self, _url: &str) -> Option<CheckedList> {
        None
    }

    /// Told every status list a credential names (that [`StatusResolver::checked_list`] does not
    /// hold) before they are asked for one by one, so that a resolver that fetches can fetch
    /// them at the same time. Does nothing by default.
    fn prefetch_lists(&self, _urls: &[&str]) {}

    /// The Token Status List at `url` (an SD-JWT VC's `status.status_list.uri`): its
    /// `statuslist+jwt`, unverified. None by default.
    fn status_list_token(&self, url: &str) -> Result<String, crate::did::ResolveError> {
        Err(crate::did::ResolveError::Unavailable(format!("the Token Status List {url} was not given")))
    }
}

/// A status list credential that verified: whose it is, what it records, and its bits.
#[derive(Debug, Clone)]
pub struct CheckedList {
    /// The list's issuer.
    pub issuer: String,
    /// What it records.
    pub purposes: Vec<StatusPurpose>,
    /// Its bits.
    pub bits: std::sync::Arc<Bitstring>,
}

/// Knows no status list: every status check is left undecided.
#[derive(Debug, Clone, Copy, Default)]
pub struct NoStatusLists;

impl StatusResolver for NoStatusLists {
    fn status_list(&self, url: &str) -> Result<serde_json::Map<String, Value>, crate::did::ResolveError> {
        Err(crate::did::ResolveError::Unavailable(format!("the status list {url} is not available offline")))
    }
}

/// Status list credentials held in memory, by URL.
#[derive(Debug, Clone, Default)]
pub struct StatusLists {
    lists: std::collections::HashMap<String, serde_json::Map<String, Value>>,
    tokens: std::collections::HashMap<String, String>,
}

impl StatusLists {
    /// The lists, each under its `id`.
    pub fn new(lists: impl IntoIterator<Item = serde_json::Map<String, Value>>) -> StatusLists {
        let lists = lists.into_iter().filter_map(|list| Some((list.get("id")?.as_str()?.to_owned(), list))).collect();
        StatusLists { lists, tokens: Default::default() }
    }
}

impl StatusLists {
    /// Adds a list found at `url` (which need not be its `id`).
    pub fn insert(&mut self, url: &str, list: serde_json::Map<String, Value>) {
        self.lists.insert(url.to_owned(), list);
    }

    /// Adds the token of a Token Status List found at `url`.
    pub fn insert_token(&mut self, url: &str, token: String) {
        self.tokens.insert(url.to_owned(), token);
    }
}

impl StatusResolver for StatusLists {
    fn status_list(&self, url: &str) -> Result<serde_json::Map<String, Value>, crate::did::ResolveError> {
        self.lists
            .get(url)
            .cloned()
            .ok_or_else(|| crate::did::ResolveError::Unavailable(format!("the status list {url} was not given")))
    }

    fn status_list_token(&self, url: &str) -> Result<String, crate::did::ResolveError> {
        self.tokens
            .get(url)
            .cloned()
            .ok_or_else(|| crate::did::ResolveError::Unavailable(format!("the Token Status List {url} was not given")))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_specification_example_is_an_empty_list_of_131072_entries() {
        let list = Bitstring::decode("uH4sIAAAAAAAAA-3BMQEAAADCoPVPbQwfoAAAAAAAAAAAAAAAAAAAAIC3AYbSVKsAQAAA").unwrap();
        assert_eq!(list.len(), 131_072);
        assert!((0..list.len()).all(|index| !list.get(index).unwrap()));
    }

    #[test]
    fn bits_round_trip_most_significant_first() {
        let mut list = Bitstring::new(MIN_LIST_SIZE);
        for index in [0, 23, 131_071] {
            list.set(index);
        }
        let decoded = Bitstring::decode(&list.encode()).unwrap();
        assert_eq!(decoded, list);
        assert!(decoded.get(23).unwrap() && !decoded.get(16).unwrap());
        assert_eq!(decoded.bytes[2], 0b0000_0001, "index 23 is the last bit of the third byte");
        assert_eq!(decoded.get(131_072), Err(StatusListError::OutOfRange { index: 131_072, size: 131_072 }));
    }

    #[test]
    fn lists_too_short_too_large_or_malformed_are_refused() {
        assert_eq!(Bitstring::decode(&Bitstring::new(8 * 1024).encode()), Err(StatusListError::TooShort(8 * 1024)));
        let bomb = Bitstring::new((MAX_LIST_BYTES as u64 + 1) * 8).encode();
        assert!(bomb.len() < 10_000, "it compresses to {} bytes", bomb.len());
        assert_eq!(Bitstring::decode(&bomb), Err(StatusListError::TooLarge));
        assert!(matches!(Bitstring::decode("zABC"), Err(StatusListError::Malformed(_))));
        assert!(matches!(Bitstring::decode("uAAAA"), Err(StatusListError::Malformed(_))));
    }
}

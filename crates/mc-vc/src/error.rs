//! Errors of keys and proofs.

use crate::multikey::KeyType;

/// A key that cannot be used.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum KeyError {
    /// Not a Multikey at all.
    #[error("malformed key: {0}")]
    Malformed(&'static str),
    /// A multicodec header for a kind of key microcred does not use.
    #[error("unsupported key type (multicodec header {0:02x?})")]
    UnsupportedCodec([u8; 2]),
    /// The right header with the wrong number of bytes.
    #[error("an {key_type} key cannot be {len} bytes long")]
    Length {
        /// The key type the header names.
        key_type: KeyType,
        /// The number of bytes found.
        len: usize,
    },
    /// Bytes that are not a valid key of the type.
    #[error("not a valid {0} key")]
    Invalid(KeyType),
}

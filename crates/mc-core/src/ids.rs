//! Typed identifiers for the entities microcred stores.

use std::fmt;

use crate::error::ValueError;

/// An institution's identifier: a short lowercase handle chosen when it joins (`uca`,
/// `unito`), used in URLs and command lines.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct InstitutionId(String);

impl InstitutionId {
    /// Parses a handle: 2 to 32 of `a-z`, `0-9` and `-`, starting with a letter.
    pub fn parse(raw: &str) -> Result<InstitutionId, ValueError> {
        let ok = (2..=32).contains(&raw.len())
            && raw.starts_with(|c: char| c.is_ascii_lowercase())
            && !raw.ends_with('-')
            && raw.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-');
        match ok {
            true => Ok(InstitutionId(raw.to_owned())),
            false => Err(ValueError::new(format!(
                "{raw:?} is not an institution id: use 2 to 32 lowercase letters, digits and '-', starting with a letter"
            ))),
        }
    }

    /// The handle.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for InstitutionId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

macro_rules! uuid_id {
    ($(#[$doc:meta])* $name:ident, $what:literal) => {
        $(#[$doc])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
        pub struct $name(uuid::Uuid);

        impl $name {
            /// Parses the hyphenated UUID form, in any letter case.
            pub fn parse(raw: &str) -> Result<$name, ValueError> {
                uuid::Uuid::try_parse(raw.trim()).map($name).map_err(|_| {
                    ValueError::new(format!(
                        concat!("{:?} is not a ", $what, " id: expected a UUID such as 01936a3e-0000-7000-8000-000000000001"),
                        raw
                    ))
                })
            }

            /// Wraps a freshly made UUID. Making it (time, randomness) is the caller's business.
            pub fn from_uuid(uuid: uuid::Uuid) -> $name {
                $name(uuid)
            }

            /// The UUID.
            pub fn uuid(&self) -> uuid::Uuid {
                self.0
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                self.0.hyphenated().fmt(f)
            }
        }
    };
}

uuid_id!(
    /// A micro-credential specification's identifier.
    SpecId,
    "specification"
);
uuid_id!(
    /// A learner's identifier.
    LearnerId,
    "learner"
);

//! Learners: the people micro-credentials are awarded to.

use std::fmt;

use crate::{
    error::ValueError,
    ids::LearnerId,
    values::{Did, PlainText},
};

/// An email address, lowercased, checked for the shape `local@domain.tld`.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Email(String);

impl Email {
    /// Parses an address.
    pub fn parse(raw: &str) -> Result<Email, ValueError> {
        let address = raw.trim().to_lowercase();
        let malformed = || ValueError::new(format!("{raw:?} is not an email address"));
        let (local, domain) = address.rsplit_once('@').ok_or_else(malformed)?;
        let local_ok = !local.is_empty()
            && local.len() <= 64
            && local.chars().all(|c| c.is_alphanumeric() || "!#$%&'*+-/=?^_`{|}~.".contains(c))
            && !local.starts_with('.')
            && !local.ends_with('.')
            && !local.contains("..");
        let domain_ok = domain.len() <= 253
            && domain.contains('.')
            && domain.split('.').all(|label| {
                !label.is_empty()
                    && label.len() <= 63
                    && !label.starts_with('-')
                    && !label.ends_with('-')
                    && label.chars().all(|c| c.is_alphanumeric() || c == '-')
            });
        match local_ok && domain_ok {
            true => Ok(Email(address)),
            false => Err(malformed()),
        }
    }

    /// The address.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for Email {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// A learner.
#[derive(Debug, Clone, PartialEq)]
pub struct Learner {
    pub(crate) id: LearnerId,
    pub(crate) name: PlainText,
    pub(crate) email: Email,
    pub(crate) did: Option<Did>,
}

impl Learner {
    /// The longest name accepted.
    pub const MAX_NAME_CHARS: usize = 200;

    /// The learner's identifier.
    pub fn id(&self) -> LearnerId {
        self.id
    }

    /// The learner's full name.
    pub fn name(&self) -> &str {
        self.name.as_str()
    }

    /// The learner's email address, unique among learners.
    pub fn email(&self) -> &Email {
        &self.email
    }

    /// The DID the learner holds credentials as.
    pub fn did(&self) -> Option<&Did> {
        self.did.as_ref()
    }
}

//! Institutions: the universities and other bodies that award micro-credentials.

use crate::{
    ids::InstitutionId,
    lang::LangMap,
    values::{Country, Did, HttpUrl, PlainText},
};

/// An institution. Built only from a valid
/// [`InstitutionDocument`](crate::wire::InstitutionDocument).
#[derive(Debug, Clone, PartialEq)]
pub struct Institution {
    pub(crate) id: InstitutionId,
    pub(crate) name: LangMap,
    pub(crate) country: Country,
    pub(crate) legal_identifier: PlainText,
    pub(crate) website: Option<HttpUrl>,
    pub(crate) did: Option<Did>,
}

impl Institution {
    /// The longest legal identifier accepted.
    pub const MAX_LEGAL_IDENTIFIER_CHARS: usize = 100;

    /// The institution's handle.
    pub fn id(&self) -> &InstitutionId {
        &self.id
    }

    /// The institution's legal name, in one or more languages.
    pub fn name(&self) -> &LangMap {
        &self.name
    }

    /// The country the institution is registered in (Annex I element 3).
    pub fn country(&self) -> &Country {
        &self.country
    }

    /// The institution's legal identifier (national register number, VAT number, Erasmus code…).
    pub fn legal_identifier(&self) -> &str {
        self.legal_identifier.as_str()
    }

    /// The institution's website.
    pub fn website(&self) -> Option<&HttpUrl> {
        self.website.as_ref()
    }

    /// The DID the institution issues credentials as.
    pub fn did(&self) -> Option<&Did> {
        self.did.as_ref()
    }
}

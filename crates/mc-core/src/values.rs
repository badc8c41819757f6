//! Small validated values shared by several entities: plain text, countries, web addresses and
//! decentralized identifiers.

use std::fmt;

use crate::{codes, error::ValueError};

/// Text as a person typed it: trimmed, not empty, no control characters other than line
/// breaks and tabs, and not longer than a limit chosen by the field.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PlainText(String);

impl PlainText {
    /// Parses `raw`, trimming surrounding white space.
    pub fn parse(raw: &str, max_chars: usize) -> Result<PlainText, ValueError> {
        let text = raw.trim();
        if text.is_empty() {
            return Err(ValueError::new("must not be empty"));
        }
        if let Some(c) = text.chars().find(|c| c.is_control() && !matches!(c, '\n' | '\t' | '\r')) {
            return Err(ValueError::new(format!("contains the control character {:?}", c)));
        }
        let n_chars = text.chars().count();
        if n_chars > max_chars {
            return Err(ValueError::new(format!("is {n_chars} characters long; at most {max_chars} are allowed")));
        }
        Ok(PlainText(text.to_owned()))
    }

    /// The text.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for PlainText {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// A country: an ISO 3166-1 alpha-2 code, uppercase (`ES`, `IT`, `FI`).
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Country(String);

impl Country {
    /// Parses a code in any letter case.
    pub fn parse(raw: &str) -> Result<Country, ValueError> {
        let code = raw.trim().to_ascii_uppercase();
        match codes::country_name(&code) {
            Some(_) => Ok(Country(code)),
            None if code == "EL" => Err(ValueError::new("\"EL\" is the EU's code for Greece; ISO 3166-1 uses \"GR\"")),
            None if code == "UK" => {
                Err(ValueError::new("\"UK\" is not an ISO 3166-1 code; the United Kingdom is \"GB\""))
            }
            None => Err(ValueError::new(format!(
                "unknown country code {raw:?}: expected an ISO 3166-1 alpha-2 code such as \"ES\" or \"IT\""
            ))),
        }
    }

    /// The two-letter code.
    pub fn code(&self) -> &str {
        &self.0
    }

    /// The country's English name.
    pub fn name(&self) -> &'static str {
        codes::country_name(&self.0).unwrap_or_default()
    }

    /// The three-letter code (ISO 3166-1 alpha-3), as the EU's country authority names it.
    pub fn alpha3(&self) -> &'static str {
        codes::country_alpha3(&self.0).unwrap_or_default()
    }
}

impl fmt::Display for Country {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// An absolute `http` or `https` address, such as a website or an ESCO skill URI.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HttpUrl(url::Url);

impl HttpUrl {
    /// Parses an absolute web address.
    pub fn parse(raw: &str) -> Result<HttpUrl, ValueError> {
        let url =
            url::Url::parse(raw.trim()).map_err(|err| ValueError::new(format!("malformed URI {raw:?}: {err}")))?;
        if !matches!(url.scheme(), "http" | "https") {
            return Err(ValueError::new(format!("URI {raw:?} must start with http:// or https://")));
        }
        if url.host_str().is_none_or(str::is_empty) {
            return Err(ValueError::new(format!("URI {raw:?} has no host")));
        }
        Ok(HttpUrl(url))
    }

    /// The address as text.
    pub fn as_str(&self) -> &str {
        self.0.as_str()
    }

    /// The parsed address.
    pub fn url(&self) -> &url::Url {
        &self.0
    }
}

impl fmt::Display for HttpUrl {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.0.as_str())
    }
}

/// A decentralized identifier (`did:web:uni.example`, `did:key:z6Mk…`), checked for syntax
/// (W3C DID Core §3.1). Resolution belongs elsewhere.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Did(String);

impl Did {
    /// Parses a DID (not a DID URL: no path, query or fragment).
    pub fn parse(raw: &str) -> Result<Did, ValueError> {
        let raw = raw.trim();
        let malformed = |why: &str| ValueError::new(format!("malformed DID {raw:?}: {why}"));
        let rest = raw.strip_prefix("did:").ok_or_else(|| malformed("must start with \"did:\""))?;
        let (method, id) = rest.split_once(':').ok_or_else(|| malformed("expected did:METHOD:ID"))?;
        if method.is_empty() || !method.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit()) {
            return Err(malformed("the method must be lowercase letters and digits"));
        }
        let id_ok = !id.is_empty()
            && !id.ends_with(':')
            && id.bytes().all(|b| b.is_ascii_alphanumeric() || matches!(b, b'.' | b'-' | b'_' | b':' | b'%'));
        if !id_ok {
            return Err(malformed(
                "the method-specific id may hold only letters, digits, '.', '-', '_', ':' and %-escapes",
            ));
        }
        match method {
            "key" if !id.starts_with('z') => Err(malformed("a did:key must be base58btc multibase (start with 'z')")),
            "web" if id.starts_with(':') || id.contains("::") => Err(malformed("a did:web needs a domain name")),
            _ => Ok(Did(raw.to_owned())),
        }
    }

    /// The DID as text.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The DID method (`web`, `key`, …).
    pub fn method(&self) -> &str {
        self.0[4..].split(':').next().unwrap_or_default()
    }
}

impl fmt::Display for Did {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

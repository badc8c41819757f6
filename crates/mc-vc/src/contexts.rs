//! The pinned JSON-LD contexts. These, and only these, are ever loaded: a document that names
//! another context is refused, and nothing is fetched from the network.

/// The VC Data Model 2.0 base context; it must come first in a VC 2.0 credential.
pub const CREDENTIALS_V2: &str = "https://www.w3.org/ns/credentials/v2";
/// The VC Data Model 1.1 base context (read for verification only).
pub const CREDENTIALS_V1: &str = "https://www.w3.org/2018/credentials/v1";
/// The Open Badges 3.0 context microcred writes.
pub const OPEN_BADGES_V3: &str = "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json";
/// The European Digital Credentials application profile context.
pub const EDC_AP: &str = "http://data.europa.eu/snb/model/context/edc-ap";

/// Every pinned context: its URL and its bytes, as published.
const CONTEXTS: &[(&str, &str)] = &[
    (CREDENTIALS_V1, include_str!("../contexts/credentials-v1.jsonld")),
    ("https://www.w3.org/2018/credentials/examples/v1", include_str!("../contexts/credentials-examples-v1.jsonld")),
    (CREDENTIALS_V2, include_str!("../contexts/credentials-v2.jsonld")),
    ("https://www.w3.org/ns/credentials/examples/v2", include_str!("../contexts/credentials-examples-v2.jsonld")),
    (
        "https://www.w3.org/ns/credentials/undefined-terms/v2",
        include_str!("../contexts/credentials-undefined-terms-v2.jsonld"),
    ),
    ("https://www.w3.org/ns/credentials/status/v1", include_str!("../contexts/status-v1.jsonld")),
    ("https://w3id.org/security/v1", include_str!("../contexts/security-v1.jsonld")),
    ("https://w3id.org/security/v2", include_str!("../contexts/security-v2.jsonld")),
    ("https://w3id.org/security/data-integrity/v1", include_str!("../contexts/data-integrity-v1.jsonld")),
    ("https://w3id.org/security/data-integrity/v2", include_str!("../contexts/data-integrity-v2.jsonld")),
    ("https://w3id.org/security/multikey/v1", include_str!("../contexts/multikey-v1.jsonld")),
    ("https://w3id.org/security/jwk/v1", include_str!("../contexts/jwk-v1.jsonld")),
    ("https://w3id.org/security/suites/ed25519-2020/v1", include_str!("../contexts/ed25519-2020-v1.jsonld")),
    ("https://purl.imsglobal.org/spec/ob/v3p0/context.json", include_str!("../contexts/ob-v3p0.json")),
    ("https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.1.json", include_str!("../contexts/ob-v3p0-3.0.1.json")),
    ("https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.2.json", include_str!("../contexts/ob-v3p0-3.0.2.json")),
    (OPEN_BADGES_V3, include_str!("../contexts/ob-v3p0-3.0.3.json")),
    ("https://purl.imsglobal.org/spec/ob/v3p0/extensions.json", include_str!("../contexts/ob-v3p0-extensions.json")),
    (EDC_AP, include_str!("../contexts/edc-ap.jsonld")),
];

/// The pinned context at `url`, if it is one.
pub fn pinned(url: &str) -> Option<&'static str> {
    CONTEXTS.iter().find(|(known, _)| *known == url).map(|(_, text)| *text)
}

/// Every pinned context URL.
pub fn urls() -> impl Iterator<Item = &'static str> {
    CONTEXTS.iter().map(|(url, _)| *url)
}

/// Every pinned context, URL and text.
pub(crate) fn all() -> &'static [(&'static str, &'static str)] {
    CONTEXTS
}

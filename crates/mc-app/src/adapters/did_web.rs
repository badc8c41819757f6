//! Fetching what verification needs over HTTPS: `did:web` DID documents (did:web method §3.2),
//! `https://` controller documents and status list credentials, with a timeout, a size limit,
//! no redirects, and a refusal of addresses that are not public (loopback, private,
//! link-local…), so a credential cannot make the verifier probe its own network.

use std::{
    collections::HashMap,
    net::{IpAddr, SocketAddr, ToSocketAddrs},
    sync::Mutex,
    time::{Duration, Instant},
};

use mc_vc::did::{KeyResolver, ResolveError, VerificationMethod, method_from_document};
use serde_json::Value;
use ureq::unversioned::resolver::{DefaultResolver, ResolvedSocketAddrs, Resolver};

use super::addresses::is_global;

/// How long one fetch may take, connection included.
const TIMEOUT: Duration = Duration::from_secs(5);
/// The largest controller document accepted.
const MAX_DOCUMENT_BYTES: u64 = 256 * 1024;
/// How long a fetched document is reused.
const CACHE_TTL: Duration = Duration::from_secs(300);

/// The URL of the DID document of a `did:web` DID.
pub fn did_web_document_url(did: &str) -> Result<String, ResolveError> {
    let invalid = |why: &str| ResolveError::Invalid(format!("{did} is not a valid did:web: {why}"));
    let rest = did.strip_prefix("did:web:").ok_or_else(|| invalid("it must start with did:web:"))?;
    let mut parts = rest.split(':');
    let host = parts.next().filter(|host| !host.is_empty()).ok_or_else(|| invalid("no domain"))?;
    let host = host.replace("%3A", ":").replace("%3a", ":");
    let name = host.rsplit_once(':').map_or(host.as_str(), |(name, port)| match port.parse::<u16>() {
        Ok(_) => name,
        Err(_) => host.as_str(),
    });
    if name.parse::<IpAddr>().is_ok() || name.starts_with('[') {
        return Err(invalid("the domain may not be an IP address"));
    }
    if !name.contains('.') || !name.bytes().all(|b| b.is_ascii_alphanumeric() || matches!(b, b'.' | b'-')) {
        return Err(invalid("the domain is not a domain name"));
    }
    let path: Vec<&str> = parts.collect();
    if path.iter().any(|segment| segment.is_empty() || segment.contains('/') || *segment == "..") {
        return Err(invalid("a path segment is empty or unsafe"));
    }
    Ok(match path.is_empty() {
        true => format!("https://{host}/.well-known/did.json"),
        false => format!("https://{host}/{}/did.json", path.join("/")),
    })
}

/// ureq's resolver, keeping globally reachable addresses only (checked again at connection time, so a DNS
/// answer that changes between the check and the connection cannot reach inside).
#[derive(Debug, Default)]
struct PublicOnly(DefaultResolver);

impl Resolver for PublicOnly {
    fn resolve(
        &self,
        uri: &ureq::http::Uri,
        config: &ureq::config::Config,
        timeout: ureq::unversioned::transport::NextTimeout,
    ) -> Result<ResolvedSocketAddrs, ureq::Error> {
        let resolved = self.0.resolve(uri, config, timeout)?;
        let mut public = self.empty();
        for addr in resolved.iter().filter(|addr| is_global(addr.ip())) {
            public.push(*addr);
        }
        match public.is_empty() {
            true => Err(ureq::Error::HostNotFound),
            false => Ok(public),
        }
    }
}

/// Resolves `did:web` and `https://` verification methods over the network.
pub struct HttpsKeyResolver {
    agent: ureq::Agent,
    cache: Mutex<HashMap<String, (Instant, Value)>>,
}

impl Default for HttpsKeyResolver {
    fn default() -> Self {
        HttpsKeyResolver::new()
    }
}

impl HttpsKeyResolver {
    /// A resolver with microcred's limits.
    pub fn new() -> HttpsKeyResolver {
        let config = ureq::Agent::config_builder()
            .timeout_global(Some(TIMEOUT))
            .max_redirects(0)
            .https_only(true)
            .http_status_as_error(true)
            .user_agent(concat!("microcred/", env!("CARGO_PKG_VERSION")))
            .build();
        let agent = ureq::Agent::with_parts(
            config,
            ureq::unversioned::transport::DefaultConnector::default(),
            PublicOnly::default(),
        );
        HttpsKeyResolver { agent, cache: Mutex::new(HashMap::new()) }
    }

    /// The text at an `https://` URL on a public address (a credential to verify, say), with
    /// the same limits as every fetch: 5 s, 256 KiB, no redirects.
    pub fn fetch_text(&self, url: &str) -> Result<String, ResolveError> {
        if !url.starts_with("https://") {
            return Err(ResolveError::Invalid(format!("{url} is not an https:// address")));
        }
        check_host(url)?;
        let unavailable = |why: String| ResolveError::Unavailable(format!("cannot fetch {url}: {why}"));
        let mut response = self
            .agent
            .get(url)
            .header("Accept", "application/vc, application/ld+json, application/json, text/plain")
            .call()
            .map_err(|err| unavailable(err.to_string()))?;
        response
            .body_mut()
            .with_config()
            .limit(MAX_DOCUMENT_BYTES)
            .read_to_string()
            .map_err(|err| unavailable(err.to_string()))
    }

    /// The JSON document at `url`, from the cache when fetched recently.
    fn document(&self, url: &str) -> Result<Value, ResolveError> {
        if let Some((fetched, document)) = self.cache.lock().expect("the cache is never poisoned").get(url)
            && fetched.elapsed() < CACHE_TTL
        {
            return Ok(document.clone());
        }
        check_host(url)?;
        let unavailable = |why: String| ResolveError::Unavailable(format!("cannot fetch {url}: {why}"));
        let mut response = self
            .agent
            .get(url)
            .header("Accept", "application/did+json, application/json")
            .call()
            .map_err(|err| unavailable(err.to_string()))?;
        let text = response
            .body_mut()
            .with_config()
            .limit(MAX_DOCUMENT_BYTES)
            .read_to_string()
            .map_err(|err| unavailable(err.to_string()))?;
        let document: Value =
            serde_json::from_str(&text).map_err(|err| ResolveError::Invalid(format!("{url} is not JSON: {err}")))?;
        let mut cache = self.cache.lock().expect("the cache is never poisoned");
        if cache.len() > 1_000 {
            cache.clear();
        }
        cache.insert(url.to_owned(), (Instant::now(), document.clone()));
        Ok(document)
    }
}

/// Refuses a URL whose host resolves to an address that is not public, with a clear message.
fn check_host(url: &str) -> Result<(), ResolveError> {
    let authority = url.strip_prefix("https://").and_then(|rest| rest.split('/').next()).unwrap_or_default();
    let with_port = match authority.rsplit_once(':') {
        Some((_, port)) if port.parse::<u16>().is_ok() => authority.to_owned(),
        _ => format!("{authority}:443"),
    };
    let addrs: Vec<SocketAddr> = with_port
        .to_socket_addrs()
        .map_err(|err| ResolveError::Unavailable(format!("cannot resolve {authority}: {err}")))?
        .collect();
    match addrs.iter().find(|addr| !is_global(addr.ip())) {
        Some(addr) => Err(ResolveError::Invalid(format!(
            "{authority} resolves to {}, which is not a public address; it will not be fetched",
            addr.ip()
        ))),
        None => Ok(()),
    }
}

impl mc_vc::status::StatusResolver for HttpsKeyResolver {
    fn status_list(&self, url: &str) -> Result<serde_json::Map<String, Value>, ResolveError> {
        if !url.starts_with("https://") {
            return Err(ResolveError::Unavailable(format!(
                "{url} is not an https URL; status lists are fetched over HTTPS only"
            )));
        }
        match self.document(url)? {
            Value::Object(list) => Ok(list),
            _ => Err(ResolveError::Invalid(format!("{url} is not a status list credential (a JSON object)"))),
        }
    }
}

impl crate::OnlineResolver for HttpsKeyResolver {
    fn fetch_text(&self, url: &str) -> Result<String, ResolveError> {
        HttpsKeyResolver::fetch_text(self, url)
    }
}

impl KeyResolver for HttpsKeyResolver {
    fn resolve(&self, url: &str) -> Result<VerificationMethod, ResolveError> {
        let (base, _) = url.split_once('#').unwrap_or((url, ""));
        let document_url = match base {
            did if did.starts_with("did:web:") => did_web_document_url(did)?,
            https if https.starts_with("https://") => https.to_owned(),
            other => return Err(ResolveError::Invalid(format!("{other} cannot be resolved over HTTPS"))),
        };
        let document = self.document(&document_url)?;
        method_from_document(url, &document)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn did_web_urls() {
        let cases = [
            ("did:web:w3c-ccg.github.io", Ok("https://w3c-ccg.github.io/.well-known/did.json")),
            ("did:web:w3c-ccg.github.io:user:alice", Ok("https://w3c-ccg.github.io/user/alice/did.json")),
            ("did:web:example.com%3A3000:user:alice", Ok("https://example.com:3000/user/alice/did.json")),
            ("did:web:127.0.0.1", Err(())),
            ("did:web:localhost", Err(())),
            ("did:web:uni.example::x", Err(())),
            ("did:web:uni.example:..", Err(())),
            ("did:key:z6Mk", Err(())),
        ];
        for (did, expected) in cases {
            assert_eq!(did_web_document_url(did).map_err(|_| ()), expected.map(str::to_owned), "{did}");
        }
    }

    #[test]
    fn status_lists_are_fetched_over_https_from_public_hosts_only() {
        use mc_vc::status::StatusResolver as _;
        let resolver = HttpsKeyResolver::new();
        let plain = resolver.status_list("http://127.0.0.1:8080/status/1").unwrap_err();
        assert!(matches!(&plain, ResolveError::Unavailable(why) if why.contains("https")), "{plain}");
        let local = resolver.status_list("https://localhost:9/status/1").unwrap_err();
        assert!(matches!(&local, ResolveError::Invalid(why) if why.contains("not a public address")), "{local}");
    }

    #[test]
    fn loopback_hosts_are_refused_before_any_connection() {
        let resolver = HttpsKeyResolver::new();
        let err = resolver.resolve("https://localhost:9/issuer#key-1").unwrap_err();
        assert!(matches!(&err, ResolveError::Invalid(why) if why.contains("not a public address")), "{err}");
    }
}

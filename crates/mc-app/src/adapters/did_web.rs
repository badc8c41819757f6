//! Fetching what verification needs over HTTPS: `did:web` DID documents (did:web method §3.2),
//! `https://` controller documents and status list credentials, with a timeout, a size limit,
//! no redirects, no proxy, and connections to globally reachable addresses only (checked on the
//! very addresses connected to), so a credential cannot make the verifier probe its own network.
//! A failed fetch says the same whatever went wrong, and the detail goes to the log.

use std::{
    collections::HashMap,
    io,
    net::IpAddr,
    sync::Mutex,
    time::{Duration, Instant},
};

use mc_vc::did::{KeyResolver, ResolveError, VerificationMethod, method_from_document};
use serde_json::Value;
use ureq::unversioned::{
    resolver::{DefaultResolver, Resolver},
    transport::{ConnectionDetails, Connector, RustlsConnector, TcpConnector},
};

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

/// Opens TCP connections to allowed addresses only. ureq hands a connector the addresses the
/// host's name resolved to, and the socket is opened to one of those, so the addresses checked
/// here are the ones connected to, with no second lookup in between: a DNS answer that changes
/// between a check and the connection cannot reach inside. A name is refused whole when any of
/// its addresses is not allowed, and so is a connection through a proxy (whose target ureq
/// does not resolve).
#[derive(Debug)]
struct AllowedOnly {
    allowed: fn(IpAddr) -> bool,
    tcp: TcpConnector,
}

impl Connector<()> for AllowedOnly {
    type Out = <TcpConnector as Connector<()>>::Out;

    fn connect(&self, details: &ConnectionDetails<'_>, chained: Option<()>) -> Result<Option<Self::Out>, ureq::Error> {
        let refused = |why: String| ureq::Error::Io(io::Error::new(io::ErrorKind::PermissionDenied, why));
        if details.config.proxy().is_some() {
            return Err(refused("fetches never go through a proxy".to_owned()));
        }
        if details.addrs.is_empty() {
            return Err(refused("the host has no address to connect to".to_owned()));
        }
        if let Some(addr) = details.addrs.iter().find(|addr| !(self.allowed)(addr.ip())) {
            return Err(refused(format!("{} is not globally reachable", addr.ip())));
        }
        self.tcp.connect(details, chained)
    }
}

/// The error a caller sees when fetching `url` failed: the same whatever went wrong on the
/// way (the operating system's error would tell a closed port from a filtered one, or an
/// internal name from an unknown one), save what the server itself answered. The detail is
/// logged.
fn not_fetched(url: &str, err: &ureq::Error) -> ResolveError {
    tracing::warn!(fetch.url = url, error = %err, "could not fetch");
    ResolveError::Unavailable(match err {
        ureq::Error::StatusCode(status) => format!("{url} could not be fetched: the server answered {status}"),
        ureq::Error::BodyExceedsLimit(_) => {
            format!("{url} could not be fetched: it is larger than {} KiB", MAX_DOCUMENT_BYTES / 1024)
        }
        _ => format!("{url} could not be fetched"),
    })
}

/// Resolves `did:web` and `https://` verification methods over the network.
pub struct HttpsKeyResolver {
    agent: ureq::Agent,
    cache: Mutex<HashMap<String, (Instant, Value)>>,
    /// Documents that could not be fetched, and when: asked again within [`FAILURE_TTL`], they
    /// fail at once instead of holding a verification thread for another timeout.
    failures: Mutex<HashMap<String, Instant>>,
}

/// How long a document that could not be fetched is not asked for again.
const FAILURE_TTL: Duration = Duration::from_secs(60);

impl Default for HttpsKeyResolver {
    fn default() -> Self {
        HttpsKeyResolver::new()
    }
}

impl HttpsKeyResolver {
    /// A resolver with microcred's limits, connecting to globally reachable addresses only.
    pub fn new() -> HttpsKeyResolver {
        HttpsKeyResolver::with_parts(DefaultResolver::default(), is_global)
    }

    /// A resolver that looks names up with `resolver` and connects only to the addresses
    /// `allowed` lets through.
    fn with_parts(resolver: impl Resolver, allowed: fn(IpAddr) -> bool) -> HttpsKeyResolver {
        let config = ureq::Agent::config_builder()
            .timeout_global(Some(TIMEOUT))
            .max_redirects(0)
            .https_only(true)
            .proxy(None)
            .http_status_as_error(true)
            .user_agent(concat!("microcred/", env!("CARGO_PKG_VERSION")))
            .build();
        let connector = AllowedOnly { allowed, tcp: TcpConnector::default() }.chain(RustlsConnector::default());
        let agent = ureq::Agent::with_parts(config, connector, resolver);
        HttpsKeyResolver { agent, cache: Mutex::new(HashMap::new()), failures: Mutex::new(HashMap::new()) }
    }

    /// The text of the JSON document at `url`.
    fn document_text(&self, url: &str) -> Result<String, ResolveError> {
        self.get_text(url, "application/did+json, application/json")
    }

    /// The body of a GET of `url`, asking for `accept`, cut off past [`MAX_DOCUMENT_BYTES`].
    fn get_text(&self, url: &str, accept: &str) -> Result<String, ResolveError> {
        let mut response = self.agent.get(url).header("Accept", accept).call().map_err(|err| not_fetched(url, &err))?;
        response
            .body_mut()
            .with_config()
            .limit(MAX_DOCUMENT_BYTES)
            .read_to_string()
            .map_err(|err| not_fetched(url, &err))
    }

    /// The text at an `https://` URL on a public address (a credential to verify, say), with
    /// the same limits as every fetch: 5 s, 256 KiB, no redirects.
    pub fn fetch_text(&self, url: &str) -> Result<String, ResolveError> {
        if !url.starts_with("https://") {
            return Err(ResolveError::Invalid(format!("{url} is not an https:// address")));
        }
        self.get_text(url, "application/vc, application/ld+json, application/json, text/plain")
    }

    /// The JSON document at `url`, from the cache when fetched recently; a document that could
    /// not be fetched less than [`FAILURE_TTL`] ago is not asked for again.
    fn document(&self, url: &str) -> Result<Value, ResolveError> {
        if let Some((fetched, document)) = self.cache.lock().expect("the cache is never poisoned").get(url)
            && fetched.elapsed() < CACHE_TTL
        {
            return Ok(document.clone());
        }
        if let Some(failed) = self.failures.lock().expect("the cache is never poisoned").get(url)
            && failed.elapsed() < FAILURE_TTL
        {
            return Err(ResolveError::Unavailable(format!("{url} could not be fetched")));
        }
        let text = self.document_text(url).inspect_err(|_| {
            let mut failures = self.failures.lock().expect("the cache is never poisoned");
            if failures.len() > 1_000 {
                failures.clear();
            }
            failures.insert(url.to_owned(), Instant::now());
        })?;
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

    fn status_list_token(&self, url: &str) -> Result<String, ResolveError> {
        if !url.starts_with("https://") {
            return Err(ResolveError::Unavailable(format!(
                "{url} is not an https URL; status lists are fetched over HTTPS only"
            )));
        }
        self.get_text(url, mc_vc::token_status::MEDIA_TYPE)
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
    use std::{
        collections::VecDeque,
        io::Write as _,
        net::{SocketAddr, TcpListener, TcpStream},
        sync::mpsc,
    };

    use super::*;
    use crate::adapters::addresses::is_global;

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

    /// A listener on a loopback address that tells which connections reached it.
    struct Witness {
        addr: SocketAddr,
        accepted: mpsc::Receiver<SocketAddr>,
    }

    impl Witness {
        /// A witness on `ip`, which takes each connection and hangs up at once.
        fn on(ip: &str) -> Witness {
            let listener = TcpListener::bind((ip, 0)).unwrap();
            let addr = listener.local_addr().unwrap();
            let (seen, accepted) = mpsc::channel();
            std::thread::spawn(move || {
                while let Ok((stream, peer)) = listener.accept() {
                    drop(stream);
                    if seen.send(peer).is_err() {
                        break;
                    }
                }
            });
            Witness { addr, accepted }
        }

        /// Whether anything connected since the last call: the test connects last, so an
        /// earlier connection is taken before its own.
        fn reached(&self) -> bool {
            let own = TcpStream::connect(self.addr).unwrap();
            let first = self.accepted.recv_timeout(Duration::from_secs(30)).unwrap();
            if first == own.local_addr().unwrap() {
                return false;
            }
            while self.accepted.recv_timeout(Duration::from_secs(30)).unwrap() != own.local_addr().unwrap() {}
            true
        }
    }

    /// A name service that gives its answers in turn, one per lookup.
    #[derive(Debug)]
    struct Answers(Mutex<VecDeque<Vec<SocketAddr>>>);

    impl Answers {
        fn new(answers: impl IntoIterator<Item = Vec<SocketAddr>>) -> Answers {
            Answers(Mutex::new(answers.into_iter().collect()))
        }
    }

    impl Resolver for Answers {
        fn resolve(
            &self,
            _: &ureq::http::Uri,
            _: &ureq::config::Config,
            _: ureq::unversioned::transport::NextTimeout,
        ) -> Result<ureq::unversioned::resolver::ResolvedSocketAddrs, ureq::Error> {
            let mut addrs = self.empty();
            for addr in self.0.lock().unwrap().pop_front().expect("an answer for each lookup") {
                addrs.push(addr);
            }
            Ok(addrs)
        }
    }

    fn only_127_0_0_1(ip: IpAddr) -> bool {
        ip == IpAddr::from([127, 0, 0, 1])
    }

    /// The check is made when connecting, on every address the name resolved to, and on each
    /// lookup again: an answer with one address that is not allowed is refused whole, in
    /// either order, with no connection to any of them; an IPv4-mapped address is judged as
    /// the IPv4 address it is; and a name whose answer changes between two fetches (DNS
    /// rebinding) reaches only the address that was allowed.
    #[test]
    fn every_address_a_name_resolves_to_is_checked_when_connecting() {
        let (allowed, refused) = (Witness::on("127.0.0.1"), Witness::on("127.0.0.2"));
        let mapped = SocketAddr::new("::ffff:127.0.0.1".parse().unwrap(), allowed.addr.port());
        let url = "https://issuer.example/credential.json";
        let fetch = |answers: Vec<Vec<SocketAddr>>, allow: fn(IpAddr) -> bool| {
            let resolver = HttpsKeyResolver::with_parts(Answers::new(answers.clone()), allow);
            answers.iter().map(|_| resolver.fetch_text(url).unwrap_err().to_string()).collect::<Vec<_>>()
        };
        let not_fetched = format!("{url} could not be fetched");

        for answer in [vec![allowed.addr, refused.addr], vec![refused.addr, allowed.addr]] {
            assert_eq!(fetch(vec![answer.clone()], only_127_0_0_1), [not_fetched.as_str()], "{answer:?}");
            assert!(!allowed.reached() && !refused.reached(), "{answer:?}");
        }
        assert_eq!(fetch(vec![vec![mapped]], is_global), [not_fetched.as_str()]);
        assert!(!allowed.reached(), "an IPv4-mapped loopback address");

        // Rebinding: first the allowed address (the witness hangs up: no TLS), then the other.
        assert_eq!(fetch(vec![vec![allowed.addr], vec![refused.addr]], only_127_0_0_1), [not_fetched.as_str(); 2]);
        assert!(allowed.reached(), "the allowed address is connected to");
        assert!(!refused.reached(), "the address of the second answer is not");
    }

    /// Whatever goes wrong (a closed port, a server that hangs up, one that does not speak
    /// TLS, an address that is not allowed), the caller is told the same; the operating
    /// system's error, which would tell a closed port from an open one, is not repeated.
    #[test]
    fn a_failed_fetch_says_the_same_whatever_went_wrong() {
        let resolver = HttpsKeyResolver::with_parts(DefaultResolver::default(), only_127_0_0_1);
        let closed = TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap();
        let hangs_up = Witness::on("127.0.0.1");
        let plain = TcpListener::bind("127.0.0.1:0").unwrap();
        let plain_addr = plain.local_addr().unwrap();
        std::thread::spawn(move || {
            while let Ok((mut stream, _)) = plain.accept() {
                let _ = stream.write_all(b"HTTP/1.1 200 OK\r\ncontent-length: 2\r\n\r\n{}");
            }
        });
        let urls = [
            format!("https://{closed}/credential.json"),
            format!("https://{}/credential.json", hangs_up.addr),
            format!("https://{plain_addr}/credential.json"),
            format!("https://[::1]:{}/credential.json", closed.port()),
            "https://10.0.0.1/credential.json".to_owned(),
        ];
        for url in &urls {
            let err = resolver.fetch_text(url).unwrap_err();
            assert!(matches!(&err, ResolveError::Unavailable(_)), "{err:?}");
            assert_eq!(err.to_string().replace(url, "URL"), "URL could not be fetched", "{url}");
        }
        assert!(hangs_up.reached(), "the server that hangs up was reached");
    }

    /// A document that could not be fetched is not asked for again for a minute: a credential
    /// naming a slow or dead host cannot hold the verification threads over and over.
    #[test]
    fn a_document_that_failed_is_not_fetched_again_at_once() {
        use mc_vc::did::KeyResolver as _;

        let host = Witness::on("127.0.0.1");
        let resolver = HttpsKeyResolver::with_parts(DefaultResolver::default(), only_127_0_0_1);
        let url = format!("https://{}/issuer#key-1", host.addr);
        for attempt in 0..3 {
            assert!(matches!(resolver.resolve(&url), Err(ResolveError::Unavailable(_))));
            assert_eq!(host.reached(), attempt == 0, "attempt {attempt}: only the first reaches the host");
        }
    }

    #[test]
    fn status_lists_and_keys_are_fetched_over_https_from_global_addresses_only() {
        use mc_vc::status::StatusResolver as _;
        let witness = Witness::on("127.0.0.1");
        let resolver = HttpsKeyResolver::new();
        let plain = resolver.status_list(&format!("http://{}/status/1", witness.addr)).unwrap_err();
        assert!(matches!(&plain, ResolveError::Unavailable(why) if why.contains("https")), "{plain}");
        let url = format!("https://localhost:{}/status/1", witness.addr.port());
        let local = resolver.status_list(&url).unwrap_err();
        assert_eq!(local, ResolveError::Unavailable(format!("{url} could not be fetched")));
        let url = format!("https://localhost:{}/issuer", witness.addr.port());
        let key = resolver.resolve(&format!("{url}#key-1")).unwrap_err();
        assert_eq!(key, ResolveError::Unavailable(format!("{url} could not be fetched")));
        assert!(!witness.reached());
    }
}

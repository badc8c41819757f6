//! Verifying credentials on behalf of an HTTP caller: what the verifier needs from this
//! microcred's own database (its institutions' DID documents, and the status lists its
//! credentials point to) is loaded first, so that verification itself runs without the store.

use std::{collections::HashMap, sync::Mutex};

use mc_core::Timestamp;
use mc_vc::{
    did::{DocumentResolver, KeyResolver, NoResolver, ResolveError, VerificationMethod},
    status::{CheckedList, StatusLists, StatusResolver},
    verify::{TrustedIssuers, Verification, VerifyParams, verify_text},
};
use serde_json::{Map, Value};

use crate::{App, AppError};

/// What a verification may fetch from elsewhere: verification methods (`did:web`, `https://`
/// controller documents), status lists, and a credential given by its address.
/// [`crate::adapters::HttpsKeyResolver`] fetches them over HTTPS; tests plug in their own.
pub trait OnlineResolver: KeyResolver + StatusResolver {
    /// The text at an `https://` address: a credential to verify.
    fn fetch_text(&self, url: &str) -> Result<String, ResolveError>;
}

/// An [`OnlineResolver`] for one verification. It has a deadline: once it has passed, every
/// further fetch fails at once as unavailable, so one verification (whatever its credential
/// names) holds a thread for at most its budget and one fetch's timeout, and ends
/// `indeterminate` rather than waiting. And it fetches what the verifier announces (the keys
/// of a credential's proofs, its status lists) at the same time, one thread each, keeping the
/// answers for when the verifier asks for them one by one.
pub struct Budgeted<'a> {
    inner: &'a dyn OnlineResolver,
    deadline: std::time::Instant,
    budget: std::time::Duration,
    methods: Kept<VerificationMethod>,
    lists: Kept<Map<String, Value>>,
}

/// Answers fetched ahead, by URL.
type Kept<T> = Mutex<HashMap<String, Result<T, ResolveError>>>;

/// The most fetches one announcement starts at once; the verifier's own limits
/// (`mc_vc::verify::MAX_PROOFS`, `MAX_STATUS_ENTRIES`) keep announcements smaller.
const MAX_PREFETCH: usize = 16;

impl<'a> Budgeted<'a> {
    /// `inner`, for `budget` from now.
    pub fn new(inner: &'a dyn OnlineResolver, budget: std::time::Duration) -> Budgeted<'a> {
        Budgeted {
            inner,
            deadline: std::time::Instant::now() + budget,
            budget,
            methods: Mutex::default(),
            lists: Mutex::default(),
        }
    }

    fn in_time(&self, url: &str) -> Result<(), ResolveError> {
        match std::time::Instant::now() < self.deadline {
            true => Ok(()),
            false => Err(ResolveError::Unavailable(format!(
                "{url} was not fetched: the verification's {} s for fetching ran out",
                self.budget.as_secs()
            ))),
        }
    }
}

/// Fetches each of `urls` not already in `kept` on a thread of its own, and keeps the answers.
fn fetch_together<T: Send>(urls: &[&str], kept: &Kept<T>, fetch: impl Fn(&str) -> Result<T, ResolveError> + Sync) {
    let mut wanted: Vec<&str> = {
        let kept = kept.lock().expect("never poisoned");
        urls.iter().copied().filter(|url| !kept.contains_key(*url)).collect()
    };
    wanted.sort_unstable();
    wanted.dedup();
    wanted.truncate(MAX_PREFETCH);
    if wanted.len() < 2 {
        return;
    }
    let fetch = &fetch;
    let fetched: Vec<(String, Result<T, ResolveError>)> = std::thread::scope(|scope| {
        let running: Vec<_> = wanted.iter().map(|url| scope.spawn(move || ((*url).to_owned(), fetch(url)))).collect();
        running.into_iter().filter_map(|thread| thread.join().ok()).collect()
    });
    kept.lock().expect("never poisoned").extend(fetched);
}

/// The answer kept for `url`, if any.
fn kept_answer<T: Clone>(kept: &Kept<T>, url: &str) -> Option<Result<T, ResolveError>> {
    kept.lock().expect("never poisoned").get(url).cloned()
}

impl KeyResolver for Budgeted<'_> {
    fn resolve(&self, url: &str) -> Result<VerificationMethod, ResolveError> {
        if let Some(answer) = kept_answer(&self.methods, url) {
            return answer;
        }
        self.in_time(url)?;
        self.inner.resolve(url)
    }

    fn prefetch_methods(&self, urls: &[&str]) {
        fetch_together(urls, &self.methods, |url| {
            self.in_time(url)?;
            self.inner.resolve(url)
        });
    }
}

impl StatusResolver for Budgeted<'_> {
    fn checked_list(&self, url: &str) -> Option<CheckedList> {
        self.inner.checked_list(url)
    }

    fn status_list(&self, url: &str) -> Result<Map<String, Value>, ResolveError> {
        if let Some(answer) = kept_answer(&self.lists, url) {
            return answer;
        }
        self.in_time(url)?;
        self.inner.status_list(url)
    }

    fn prefetch_lists(&self, urls: &[&str]) {
        fetch_together(urls, &self.lists, |url| {
            self.in_time(url)?;
            self.inner.status_list(url)
        });
    }

    fn status_list_token(&self, url: &str) -> Result<String, ResolveError> {
        self.in_time(url)?;
        self.inner.status_list_token(url)
    }
}

impl OnlineResolver for Budgeted<'_> {
    fn fetch_text(&self, url: &str) -> Result<String, ResolveError> {
        self.in_time(url)?;
        self.inner.fetch_text(url)
    }
}

/// What this microcred knows that a verification may need.
#[derive(Debug, Clone, Default)]
pub struct LocalMaterial {
    /// The DID documents of its `did:web` institutions.
    pub did_documents: Vec<Value>,
    /// Signed status list credentials.
    pub status_lists: Vec<Map<String, Value>>,
    /// Status lists already verified, by URL.
    pub checked_lists: HashMap<String, CheckedList>,
    /// Token Status Lists (their `statuslist+jwt`), by URL.
    pub status_tokens: Vec<(String, String)>,
    /// The network's trusted-issuer list, when it has one.
    pub trusted: Option<std::sync::Arc<TrustedIssuers>>,
}

impl App {
    /// The DID documents of this microcred's institutions and the status lists `text` (a
    /// credential) points to that this microcred publishes, rebuilt and signed now.
    pub async fn verification_material(&self, text: &str, now: Timestamp) -> Result<LocalMaterial, AppError> {
        let prefix = format!("{}/status/", self.public_url());
        let urls: Vec<String> = status_list_urls(text).into_iter().filter(|url| url.starts_with(&prefix)).collect();
        let ids: Vec<&str> = urls.iter().map(|url| &url[prefix.len()..]).collect();
        // One query says whether anything this verification relies on changed (two lists at a
        // time: a credential has a revocation and a suspension entry).
        let mut fingerprint = None;
        let mut stamps = HashMap::new();
        for pair in ids.chunks(2) {
            let (keys, found) =
                self.store().db().await?.verification_stamps(pair[0], pair.get(1).copied().unwrap_or("")).await?;
            fingerprint = Some(keys);
            stamps.extend(found.into_iter().map(|(id, version, key)| (id, (version, key))));
        }
        let fingerprint = match fingerprint {
            Some(fingerprint) => fingerprint,
            None => self.store().db().await?.keys_fingerprint().await?,
        };
        let did_documents = self.did_documents_at(fingerprint).await?;
        let trusted = self.trust_anchors_at(fingerprint).await?;
        let mut status_lists = Vec::new();
        let mut checked_lists = HashMap::new();
        for (url, id) in urls.iter().zip(&ids) {
            let Some(stamp) = stamps.remove(*id) else { continue };
            match self.checked_status_list(id, stamp, &did_documents, now).await {
                Ok(Ok(checked)) => {
                    checked_lists.insert(url.clone(), checked);
                }
                Ok(Err(unchecked)) => status_lists.push(unchecked),
                Err(AppError::NotFound { .. } | AppError::Keys(_)) => {}
                Err(err) => return Err(err),
            }
        }
        let mut status_tokens = Vec::new();
        if let Some(url) = mc_vc::sd_jwt::status_list_uri(text)
            && let Some((id, signer)) = self.status_token_of_url(&url)
        {
            match self.status_list_token(id, signer, now).await {
                Ok(token) => status_tokens.push((url, token)),
                Err(AppError::NotFound { .. } | AppError::Keys(_)) => {}
                Err(err) => return Err(err),
            }
        }
        Ok(LocalMaterial { did_documents, status_lists, checked_lists, status_tokens, trusted })
    }
}

/// The status list URLs a credential's `credentialStatus` names, read without building the
/// whole document (a JWT or anything unreadable names none): of the credential itself, of the
/// credential a JAdES seal holds as its `payload`, or of the one an upload form holds
/// (`{"credential": …}`).
fn status_list_urls(text: &str) -> Vec<String> {
    #[derive(serde::Deserialize)]
    struct Entry {
        #[serde(rename = "statusListCredential")]
        list: Option<String>,
    }
    #[derive(serde::Deserialize)]
    #[serde(untagged)]
    enum Entries {
        One(Entry),
        Many(Vec<Entry>),
    }
    #[derive(serde::Deserialize)]
    struct Credential {
        #[serde(rename = "credentialStatus")]
        status: Option<Entries>,
        /// A sealed credential's text.
        payload: Option<String>,
        /// The credential of an upload form.
        credential: Option<Box<Credential>>,
    }
    fn urls(credential: Credential, depth: usize) -> Vec<String> {
        let mut found: Vec<String> = match credential.status {
            Some(Entries::One(entry)) => entry.list.into_iter().collect(),
            Some(Entries::Many(entries)) => entries.into_iter().filter_map(|entry| entry.list).collect(),
            None => Vec::new(),
        };
        if depth < 2 {
            if let Some(inner) = credential.payload.and_then(|payload| serde_json::from_str(&payload).ok()) {
                found.extend(urls(inner, depth + 1));
            }
            if let Some(inner) = credential.credential {
                found.extend(urls(*inner, depth + 1));
            }
        }
        found
    }
    serde_json::from_str::<Credential>(text).map(|credential| urls(credential, 0)).unwrap_or_default()
}

/// Status lists held here first, then, when online, fetched from elsewhere.
struct StatusSources<'a> {
    checked: HashMap<String, CheckedList>,
    lists: StatusLists,
    online: Option<&'a dyn OnlineResolver>,
}

impl StatusResolver for StatusSources<'_> {
    fn checked_list(&self, url: &str) -> Option<CheckedList> {
        self.checked.get(url).cloned()
    }

    fn status_list(&self, url: &str) -> Result<Map<String, Value>, ResolveError> {
        match (self.lists.status_list(url), self.online) {
            (Ok(list), _) => Ok(list),
            (Err(_), Some(online)) => online.status_list(url),
            (Err(err), None) => Err(err),
        }
    }

    fn status_list_token(&self, url: &str) -> Result<String, ResolveError> {
        match (self.lists.status_list_token(url), self.online) {
            (Ok(token), _) => Ok(token),
            (Err(_), Some(online)) => online.status_list_token(url),
            (Err(err), None) => Err(err),
        }
    }

    fn prefetch_lists(&self, urls: &[&str]) {
        if let Some(online) = self.online {
            let remote: Vec<&str> = urls.iter().copied().filter(|url| self.lists.status_list(url).is_err()).collect();
            online.prefetch_lists(&remote);
        }
    }
}

/// Verifies credentials with what this microcred knows locally and, when `online` is given,
/// what `online` fetches (verification may then block on the network: call it where blocking
/// is allowed). It can be shared by threads.
pub struct Verifier<'a> {
    keys: DocumentResolver<'a>,
    status: StatusSources<'a>,
    trusted: Option<&'a TrustedIssuers>,
    now: Timestamp,
}

impl<'a> Verifier<'a> {
    /// A verifier checking validity at `now`, and trust against `trusted` when given.
    pub fn new(
        material: LocalMaterial,
        online: Option<&'a dyn OnlineResolver>,
        trusted: Option<&'a TrustedIssuers>,
        now: Timestamp,
    ) -> Verifier<'a> {
        let fallback: &'a dyn KeyResolver = match online {
            Some(online) => online,
            None => &NoResolver,
        };
        Verifier {
            keys: DocumentResolver::new(material.did_documents, fallback),
            status: StatusSources {
                checked: material.checked_lists,
                lists: {
                    let mut lists = StatusLists::new(material.status_lists);
                    for (url, token) in material.status_tokens {
                        lists.insert_token(&url, token);
                    }
                    lists
                },
                online,
            },
            trusted,
            now,
        }
    }

    /// Verifies one credential given as text.
    pub fn verify(&self, text: &str) -> Verification {
        verify_text(text, &self.params())
    }

    /// Verifies a presentation: each credential, the holder's proof (with the challenge and
    /// domain the verifier expects) and the holder's binding to the credentials.
    pub fn verify_presentation(
        &self,
        text: &str,
        expected: mc_vc::verify::Expected<'_>,
    ) -> mc_vc::verify::PresentationVerification {
        mc_vc::verify::verify_presentation(text, &self.params(), expected)
    }

    fn params(&self) -> VerifyParams<'_> {
        VerifyParams { now: self.now, resolver: &self.keys, trusted_issuers: self.trusted, status: &self.status }
    }
}

#[cfg(test)]
mod tests {
    use std::sync::atomic::{AtomicUsize, Ordering};

    use super::*;

    /// A resolver that counts what it is asked and knows nothing.
    #[derive(Default)]
    struct Counting(AtomicUsize);

    impl KeyResolver for Counting {
        fn resolve(&self, url: &str) -> Result<mc_vc::did::VerificationMethod, ResolveError> {
            self.0.fetch_add(1, Ordering::SeqCst);
            Err(ResolveError::Unavailable(format!("{url} is not known")))
        }
    }

    impl StatusResolver for Counting {
        fn status_list(&self, url: &str) -> Result<Map<String, Value>, ResolveError> {
            self.0.fetch_add(1, Ordering::SeqCst);
            Err(ResolveError::Unavailable(format!("{url} is not known")))
        }
    }

    impl OnlineResolver for Counting {
        fn fetch_text(&self, url: &str) -> Result<String, ResolveError> {
            self.0.fetch_add(1, Ordering::SeqCst);
            Err(ResolveError::Unavailable(format!("{url} is not known")))
        }
    }

    #[test]
    fn a_budget_that_ran_out_fetches_nothing_more() {
        let inner = Counting::default();
        let spent = Budgeted::new(&inner, std::time::Duration::ZERO);
        let url = "https://issuer.example/key";
        for result in
            [spent.resolve(url).map(|_| ()), spent.status_list(url).map(|_| ()), spent.fetch_text(url).map(|_| ())]
        {
            let err = result.unwrap_err();
            assert!(matches!(&err, ResolveError::Unavailable(why) if why.contains("ran out")), "{err:?}");
        }
        assert_eq!(inner.0.load(Ordering::SeqCst), 0, "nothing was fetched");
        let fresh = Budgeted::new(&inner, std::time::Duration::from_secs(60));
        assert!(fresh.resolve(url).is_err() && fresh.status_list(url).is_err() && fresh.fetch_text(url).is_err());
        assert_eq!(inner.0.load(Ordering::SeqCst), 3, "within its budget, every fetch is made");
    }

    /// A resolver whose fetches each wait (up to 2 s) until `expected` fetches of their kind
    /// (keys, lists) are under way, and which records the most that ever were: fetches made one
    /// after another never meet.
    struct Meeting {
        expected: usize,
        /// Per kind, the fetches under way, the most there ever were, and all there were.
        state: std::sync::Mutex<[(usize, usize, usize); 2]>,
        met: std::sync::Condvar,
    }

    const KEYS: usize = 0;
    const LISTS: usize = 1;

    impl Meeting {
        fn new(expected: usize) -> Meeting {
            Meeting { expected, state: std::sync::Mutex::new([(0, 0, 0); 2]), met: std::sync::Condvar::new() }
        }

        fn fetch<T>(&self, kind: usize, url: &str) -> Result<T, ResolveError> {
            let mut state = self.state.lock().unwrap();
            state[kind].0 += 1;
            state[kind].1 = state[kind].1.max(state[kind].0);
            state[kind].2 += 1;
            self.met.notify_all();
            let wait = std::time::Duration::from_secs(2);
            let (mut state, _) =
                self.met.wait_timeout_while(state, wait, |state| state[kind].1 < self.expected).unwrap();
            state[kind].0 -= 1;
            Err(ResolveError::Unavailable(format!("{url} is not known")))
        }

        /// The most fetches of `kind` under way at once, and all there were.
        fn most_and_all(&self, kind: usize) -> (usize, usize) {
            let state = self.state.lock().unwrap()[kind];
            (state.1, state.2)
        }
    }

    impl KeyResolver for Meeting {
        fn resolve(&self, url: &str) -> Result<mc_vc::did::VerificationMethod, ResolveError> {
            self.fetch(KEYS, url)
        }
    }

    impl StatusResolver for Meeting {
        fn status_list(&self, url: &str) -> Result<Map<String, Value>, ResolveError> {
            self.fetch(LISTS, url)
        }
    }

    impl OnlineResolver for Meeting {
        fn fetch_text(&self, url: &str) -> Result<String, ResolveError> {
            self.fetch(KEYS, url)
        }
    }

    #[test]
    fn the_keys_and_status_lists_of_a_credential_are_fetched_at_the_same_time() {
        let proof = |n: u32| {
            serde_json::json!({
                "type": "DataIntegrityProof",
                "cryptosuite": "eddsa-jcs-2022",
                "proofPurpose": "assertionMethod",
                "created": "2025-01-01T00:00:00Z",
                "verificationMethod": format!("https://issuer.example/keys/{n}#key"),
                "proofValue": "z3FXQjecWufY46yg5abdVZsXqLhxhueuSoZgNSARiKBk9czhSePTFehP8c3PGfb6a22gkfUKKiZxzUVTdVVVYgvX",
            })
        };
        let entry = |n: u32| {
            serde_json::json!({
                "type": "BitstringStatusListEntry",
                "statusPurpose": "revocation",
                "statusListIndex": "7",
                "statusListCredential": format!("https://issuer.example/status/{n}"),
            })
        };
        let credential = serde_json::json!({
            "@context": ["https://www.w3.org/ns/credentials/v2"],
            "type": ["VerifiableCredential"],
            "issuer": "https://issuer.example",
            "validFrom": "2025-01-01T00:00:00Z",
            "credentialSubject": {"id": "did:example:learner"},
            "credentialStatus": [entry(1), entry(2), entry(3)],
            "proof": [proof(1), proof(2), proof(3)],
        });
        let meeting = Meeting::new(3);
        let online = Budgeted::new(&meeting, std::time::Duration::from_secs(60));
        let now = Timestamp::parse("2026-01-01T00:00:00Z").unwrap();
        let verifier = Verifier::new(LocalMaterial::default(), Some(&online), None, now);
        let result = verifier.verify(&credential.to_string());
        assert_eq!(result.verdict, mc_vc::verify::Verdict::Indeterminate, "{result:#?}");
        let status = result.check(mc_vc::verify::CheckId::Status).unwrap();
        assert!(status.message.contains("issuer.example/status/"), "{status:?}");
        // Keys first, then lists, each three at once (fetched one by one, none would have met
        // another), and each once.
        assert_eq!((meeting.most_and_all(KEYS), meeting.most_and_all(LISTS)), ((3, 3), (3, 3)));
    }
}

//! What the tests share: a resolver that reaches no network (and can hold verification up
//! until the test lets it go), a credential signed for its issuer, and requests to a router.

use std::{
    collections::HashMap,
    sync::{Arc, Condvar, Mutex},
    time::Duration,
};

use axum::{
    Router,
    body::Body,
    http::{HeaderMap, Request, StatusCode},
};
use mc_app::OnlineResolver;
use mc_vc::{
    did::{KeyResolver, ResolveError, VerificationMethod},
    multikey::{KeyType, SecretKey},
    proof::{self, ProofOptions, Suite},
    status::StatusResolver,
};
use serde_json::{Map, Value, json};
use tower::ServiceExt;

/// The issuer of the test credential, known only to [`Resolver`]s that are told about it.
pub(crate) const ISSUER: &str = "did:web:issuer.example";
/// Where a [`Resolver`] that knows the issuer serves the test credential.
pub(crate) const CREDENTIAL_URL: &str = "https://issuer.example/badge.json";

/// How long a test waits for what should happen at once before it gives up on it: not a
/// measure of speed, only a way to fail instead of hanging when something never happens.
pub(crate) const PATIENCE: Duration = Duration::from_secs(30);

/// The issuer's key.
pub(crate) fn issuer_key() -> SecretKey {
    SecretKey::from_seed(KeyType::Ed25519, [7; 32]).unwrap()
}

/// An Open Badges credential from [`ISSUER`], signed with [`issuer_key`] through its `did:web`
/// verification method.
pub(crate) fn signed_credential() -> String {
    let document = json!({
        "@context": [
            "https://www.w3.org/ns/credentials/v2",
            "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json"
        ],
        "id": "urn:uuid:0193c0de-0000-7000-8000-000000000001",
        "type": ["VerifiableCredential", "OpenBadgeCredential"],
        "issuer": {"id": ISSUER, "type": ["Profile"], "name": "Issuer Example"},
        "validFrom": "2025-01-01T00:00:00Z",
        "name": "Teamwork Badge",
        "credentialSubject": {
            "id": "did:example:learner",
            "type": ["AchievementSubject"],
            "achievement": {
                "id": "https://issuer.example/achievements/teamwork",
                "type": ["Achievement"],
                "criteria": {"narrative": "Nominated by their peers."},
                "description": "Collaborates within a group.",
                "name": "Teamwork"
            }
        }
    });
    let Value::Object(document) = document else { unreachable!("a JSON object literal") };
    let options = ProofOptions {
        verification_method: format!("{ISSUER}#key-1"),
        created: "2025-01-01T00:00:00Z".to_owned(),
        proof_purpose: "assertionMethod".to_owned(),
    };
    serde_json::to_string(&proof::sign(&document, Suite::EddsaJcs2022, &issuer_key(), &options).unwrap()).unwrap()
}

/// A resolver over what the test tells it, reaching no network: the issuer's key (when it
/// knows the issuer), and the test credential at [`CREDENTIAL_URL`]. With a [`Gate`], each
/// key resolution (which runs on a verification thread) waits until the gate is open.
#[derive(Default)]
pub(crate) struct Resolver {
    keys: HashMap<String, VerificationMethod>,
    gate: Option<Arc<Gate>>,
}

impl Resolver {
    /// A resolver that knows [`ISSUER`]'s key.
    pub(crate) fn knowing_the_issuer() -> Resolver {
        let method = VerificationMethod {
            id: format!("{ISSUER}#key-1"),
            controller: ISSUER.to_owned(),
            public_key: issuer_key().public_key(),
            assertion_method: true,
        };
        Resolver { keys: HashMap::from([(method.id.clone(), method)]), gate: None }
    }

    /// This resolver, resolving keys only once `gate` is open.
    pub(crate) fn behind(self, gate: Arc<Gate>) -> Resolver {
        Resolver { gate: Some(gate), ..self }
    }
}

impl KeyResolver for Resolver {
    fn resolve(&self, url: &str) -> Result<VerificationMethod, ResolveError> {
        if let Some(gate) = &self.gate {
            gate.pass();
        }
        self.keys
            .get(url)
            .cloned()
            .ok_or_else(|| ResolveError::Unavailable(format!("the test resolver does not know {url}")))
    }
}

impl StatusResolver for Resolver {
    fn status_list(&self, url: &str) -> Result<Map<String, Value>, ResolveError> {
        Err(ResolveError::Unavailable(format!("the test resolver has no status list at {url}")))
    }
}

impl OnlineResolver for Resolver {
    fn fetch_text(&self, url: &str) -> Result<String, ResolveError> {
        match url {
            CREDENTIAL_URL => Ok(signed_credential()),
            _ => Err(ResolveError::Unavailable(format!("the test resolver has nothing at {url}"))),
        }
    }
}

/// Holds verification threads up: each that passes it says so, and waits until the test
/// opens it.
pub(crate) struct Gate {
    open: Mutex<bool>,
    opened: Condvar,
    entered: tokio::sync::mpsc::UnboundedSender<()>,
}

impl Gate {
    /// A closed gate, and word of each thread that reaches it.
    pub(crate) fn closed() -> (Arc<Gate>, tokio::sync::mpsc::UnboundedReceiver<()>) {
        let (entered, reached) = tokio::sync::mpsc::unbounded_channel();
        (Arc::new(Gate { open: Mutex::new(false), opened: Condvar::new(), entered }), reached)
    }

    /// Lets every thread through, now and from now on.
    pub(crate) fn open(&self) {
        *self.open.lock().unwrap() = true;
        self.opened.notify_all();
    }

    fn pass(&self) {
        let _ = self.entered.send(());
        let open = self.open.lock().unwrap();
        drop(self.opened.wait_while(open, |open| !*open).unwrap());
    }
}

/// An answer of the router, its body read.
#[derive(Debug)]
pub(crate) struct Answer {
    pub(crate) status: StatusCode,
    pub(crate) headers: HeaderMap,
    pub(crate) body: String,
}

impl Answer {
    /// The body as JSON.
    pub(crate) fn json(&self) -> Value {
        serde_json::from_str(&self.body).unwrap_or_else(|err| panic!("not JSON ({err}): {}", self.body))
    }

    /// The `Retry-After` header, when there is one.
    pub(crate) fn retry_after(&self) -> Option<&str> {
        self.headers.get("retry-after").map(|value| value.to_str().unwrap())
    }
}

/// Sends `request` to `router` and reads the answer.
pub(crate) async fn send(router: &Router, request: Request<Body>) -> Answer {
    let response = router.clone().oneshot(request).await.unwrap();
    let (parts, body) = response.into_parts();
    let body = axum::body::to_bytes(body, usize::MAX).await.unwrap();
    Answer { status: parts.status, headers: parts.headers, body: String::from_utf8(body.to_vec()).unwrap() }
}

/// `POST /api/v1/credentials/verify` with `credential`.
pub(crate) async fn verify(router: Router, credential: String) -> Answer {
    let request = Request::post("/api/v1/credentials/verify")
        .header("content-type", "application/json")
        .body(Body::from(credential))
        .unwrap();
    send(&router, request).await
}

/// `GET /verify?url=` with the test credential's address, in `lang`.
pub(crate) async fn verify_page(router: &Router, lang: &str) -> Answer {
    let url = CREDENTIAL_URL.replace(':', "%3A").replace('/', "%2F");
    let request =
        Request::get(format!("/verify?url={url}")).header("accept-language", lang).body(Body::empty()).unwrap();
    send(router, request).await
}
